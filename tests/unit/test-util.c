/* SPDX-License-Identifier: MIT */
/*
 * test-util.c - unit tests of src/util: base64 against the RFC 4648 test
 * vectors and strict-decoding failures, UUIDs, buffers, errors, log level
 * names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"

/* A test name with printf formatting (the is_* checks take a plain string). */
static const char *nm(const char *fmt, ...) TAP_PRINTF(1, 2);
static const char *nm(const char *fmt, ...)
{
	static char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return name;
}

/* RFC 4648 §10 vectors (standard alphabet, padded). */
static const struct {
	const char *raw;
	const char *std;
	const char *url;
} vectors[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_base64_vectors(void)
{
	size_t i, len;
	char *s;
	uint8_t *d;
	int r;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		r = util_base64_encode(&s, &len, UTIL_BASE64_STD,
				       vectors[i].raw, strlen(vectors[i].raw));
		is_int(r, 0, nm("encode std %zu", i));
		is_str(s, vectors[i].std,
		       nm("std encoding of \"%s\"", vectors[i].raw));
		is_int(len, strlen(vectors[i].std), "std length");
		free(s);
		r = util_base64_encode(&s, &len, UTIL_BASE64_URL,
				       vectors[i].raw, strlen(vectors[i].raw));
		is_str(s, vectors[i].url,
		       nm("url encoding of \"%s\"", vectors[i].raw));
		free(s);
		r = util_base64_decode(&d, &len, UTIL_BASE64_STD,
				       vectors[i].std, strlen(vectors[i].std),
				       NULL);
		is_int(r, 0, nm("decode std %s", vectors[i].std));
		is_mem(d, len, vectors[i].raw, strlen(vectors[i].raw),
		       "std decodes back");
		free(d);
		r = util_base64_decode(&d, &len, UTIL_BASE64_URL,
				       vectors[i].url, strlen(vectors[i].url),
				       NULL);
		is_int(r, 0, nm("decode url %s", vectors[i].url));
		is_mem(d, len, vectors[i].raw, strlen(vectors[i].raw),
		       "url decodes back");
		free(d);
	}
}

static void test_base64_alphabets(void)
{
	const uint8_t raw[] = { 0xfb, 0xff, 0xbf };
	char buf[16];
	uint8_t out[16];
	size_t len;

	util_base64_encode_to(buf, UTIL_BASE64_STD, raw, 3);
	is_str(buf, "+/+/", "std alphabet uses + and /");
	util_base64_encode_to(buf, UTIL_BASE64_URL, raw, 3);
	is_str(buf, "-_-_", "url alphabet uses - and _");
	is_int(util_base64_decode_to(out, &len, UTIL_BASE64_URL, "-_-_", 4,
				     NULL),
	       0, "url decodes - and _");
	is_mem(out, len, raw, 3, "url bytes");
	/* Yjs empty document state, as in sync chunks (spec Appendix B). */
	is_int(util_base64_decode_to(out, &len, UTIL_BASE64_STD, "AAA=", 4,
				     NULL),
	       0, "AAA= decodes");
	is_mem(out, len, "\0\0", 2, "AAA= is 00 00");
	/* In-place decoding. */
	memcpy(buf, "Zm9vYmFy", 9);
	is_int(util_base64_decode_to((uint8_t *)buf, &len, UTIL_BASE64_STD, buf,
				     8, NULL),
	       0, "in-place decode");
	is_mem(buf, len, "foobar", 6, "in-place bytes");
}

static void test_base64_errors(void)
{
	static const struct {
		enum util_base64_variant v;
		const char *text;
		long long offset;
		const char *what;
	} bad[] = {
		{ UTIL_BASE64_STD, "Zg=", 3, "not a multiple of 4" },
		{ UTIL_BASE64_STD, "Zg", 2, "not a multiple of 4" },
		{ UTIL_BASE64_STD, "Z===", 1, "invalid character '='" },
		{ UTIL_BASE64_STD, "Zm=v", 2, "invalid character '='" },
		{ UTIL_BASE64_STD, "Zh==", 1, "non-zero unused bits" },
		{ UTIL_BASE64_STD, "Zm9=", 2, "non-zero unused bits" },
		{ UTIL_BASE64_STD, "Zm9v\n", 5, "not a multiple" },
		{ UTIL_BASE64_STD, "Zm 9", 2, "invalid byte 0x20" },
		{ UTIL_BASE64_STD, "Zm-9", 2, "invalid character '-'" },
		{ UTIL_BASE64_URL, "Zg==", 2, "invalid character '='" },
		{ UTIL_BASE64_URL, "Zm9vY", 4, "single character" },
		{ UTIL_BASE64_URL, "Zm+v", 2, "invalid character '+'" },
		{ UTIL_BASE64_URL, "Zh", 1, "non-zero unused bits" },
		{ UTIL_BASE64_URL, "Zm\x80v", 2, "invalid byte 0x80" },
	};
	struct util_error err;
	uint8_t *d;
	size_t i, len;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		util_error_clear(&err);
		r = util_base64_decode(&d, &len, bad[i].v, bad[i].text,
				       strlen(bad[i].text), &err);
		is_int(r, -EINVAL, nm("reject \"%s\"", bad[i].text));
		is_int(err.offset, bad[i].offset,
		       nm("offset for \"%s\"", bad[i].text));
		ok(strstr(err.msg, bad[i].what) != NULL, "message \"%s\"",
		   err.msg);
	}
}

static void test_uuid(void)
{
	char a[UTIL_UUID_STR_LEN], b[UTIL_UUID_STR_LEN];
	uint8_t bytes[16];
	int i, good = 1;

	is_int(util_uuid_v4(a), 0, "uuid v4");
	is_int(util_uuid_v4(b), 0, "uuid v4 again");
	is_int(strlen(a), 36, "uuid length");
	ok(strcmp(a, b) != 0, "two uuids differ");
	ok(a[14] == '4', "version nibble 4: %s", a);
	ok(strchr("89ab", a[19]) != NULL, "variant nibble: %s", a);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			good &= a[i] == '-';
		else
			good &= (a[i] >= '0' && a[i] <= '9') ||
				(a[i] >= 'a' && a[i] <= 'f');
	}
	ok(good, "lowercase 8-4-4-4-12");
	is_int(util_uuid_parse(bytes, "FA3F839C-CDAA-47A5-9612-AE3E99899FB9"),
	       0, "parse uppercase");
	util_uuid_format(a, bytes);
	is_str(a, "fa3f839c-cdaa-47a5-9612-ae3e99899fb9", "format lowercase");
	is_int(util_uuid_parse(bytes, "fa3f839c-cdaa-47a5-9612-ae3e99899fb"),
	       -EINVAL, "short uuid");
	is_int(util_uuid_parse(bytes, "fa3f839ccdaa-47a5-9612-ae3e99899fb9a"),
	       -EINVAL, "misplaced dash");
	is_int(util_uuid_parse(bytes, "fa3f839c-cdaa-47a5-9612-ae3e99899fb9-"),
	       -EINVAL, "trailing junk");
	is_int(util_uuid_parse(bytes, "ga3f839c-cdaa-47a5-9612-ae3e99899fb9"),
	       -EINVAL, "non-hex");
}

static void test_buf(void)
{
	struct util_buf b;
	uint8_t *p;
	size_t len;
	int i;

	util_buf_init(&b);
	util_buf_put_be32(&b, 0x01020304);
	util_buf_put_be64(&b, 0x08);
	util_buf_printf(&b, "%s-%d", "x", 42);
	is_mem(b.data, b.len, "\1\2\3\4\0\0\0\0\0\0\0\x08x-42", 16,
	       "be32, be64, printf");
	for (i = 0; i < 1000; i++)
		util_buf_put_u8(&b, (uint8_t)i);
	is_int(b.len, 1016, "grows");
	is_int(util_buf_steal(&p, &len, &b), 0, "steal");
	is_int(len, 1016, "stolen length");
	ok(b.data == NULL && b.len == 0, "buffer re-initialised");
	free(p);
	is_int(util_buf_steal(&p, &len, &b), 0, "steal empty");
	ok(p != NULL && len == 0 && p[0] == 0, "empty steal is \"\"");
	free(p);
	is_int(util_load_be64((const uint8_t *)"\0\0\0\x01\0\0\0\x02"),
	       0x100000002LL, "load_be64");
}

static void test_error_and_log(void)
{
	struct util_error err;
	enum util_log_level l;
	char buf[300];

	util_error_set(&err, 12, "bad %s", "thing");
	util_error_prefix(&err, "packet %d", 3);
	is_str(err.msg, "packet 3: bad thing", "prefix");
	util_error_format(buf, sizeof(buf), &err);
	is_str(buf, "packet 3: bad thing (at byte 12)", "format with offset");
	util_error_clear(&err);
	is_int(err.offset, -1, "clear");
	util_error_set(NULL, 0, "ignored");
	is_int(util_log_level_parse(&l, "DEBUG"), 0, "parse DEBUG");
	is_int(l, UTIL_LOG_DEBUG, "debug level");
	is_int(util_log_level_parse(&l, "warning"), 0, "parse warning");
	is_int(l, UTIL_LOG_WARN, "warn level");
	is_int(util_log_level_parse(&l, "loud"), -EINVAL, "unknown level");
	util_log_set_level(UTIL_LOG_ERROR);
	ok(!util_log_enabled(UTIL_LOG_INFO), "info off at level error");
	util_log_set_level(UTIL_LOG_INFO);
	ok(util_log_enabled(UTIL_LOG_INFO), "info on at level info");
	util_log_set_prog("test-util");
	util_log_info("a log line on stderr (%d)", 1);
	util_log_debug("not shown");
	ok(util_time_ms() > 1600000000000LL, "wall clock in ms");
	ok(util_monotonic_ms() >= 0, "monotonic clock");
}

int main(void)
{
	plan_no_plan();
	test_base64_vectors();
	test_base64_alphabets();
	test_base64_errors();
	test_uuid();
	test_buf();
	test_error_and_log();
	return done_testing();
}
