/* SPDX-License-Identifier: MIT */
/*
 * test-proto.c - unit tests of src/proto against the byte examples and
 * traces of spec/protocol.md (§3.6, §5, Appendix A) and against tokens
 * minted by the real TS SDK @meshagent/meshagent 0.39.9 (generated with
 * tests/node: ParticipantToken + toJwt, see the comments at the tokens).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "tap.h"

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

static cJSON *parse(const char *text)
{
	cJSON *v = proto_json_parse(text, strlen(text), 0, NULL);

	if (!v)
		bail_out("test JSON does not parse: %s", text);
	return v;
}

/* Compact text of v (freed on the next call). */
static const char *text_of(const cJSON *v)
{
	static char *last;

	free(last);
	last = v ? proto_json_print(v, NULL) : NULL;
	return last ? last : "(null)";
}

/* ---- §3 packets ------------------------------------------------------ */

static void test_byte_example(void)
{
	static const char json[] =
		"{\"toolkit\":\"storage\",\"tool\":\"exists\",\"arguments\":"
		"{\"type\":\"json\",\"json\":{\"path\":\"a.txt\"}}}";
	static const uint8_t header_packet[] = {
		0,   0,	  0,   0,   0,	 0,   0,   8,	0,   0,	  0,
		0,   0,	  0,   0,   1,	 'r', 'o', 'o', 'm', '.', 'i',
		'n', 'v', 'o', 'k', 'e', '_', 't', 'o', 'o', 'l',
	};
	static const uint8_t response_packet[] = {
		0,   0,	  0,   0,   0,	 0,   0,   8,	0,   0,
		0,   0,	  0,   0,   0,	 1,   '_', '_', 'r', 'e',
		's', 'p', 'o', 'n', 's', 'e', '_', '_',
	};
	uint8_t data_packet[12 + 8 + sizeof(json) - 1];
	struct proto_invoke inv = { 0 };
	struct proto_packets pk;
	struct proto_content resp;
	cJSON *h;
	const char *t;

	memcpy(data_packet, "\0\0\0\0\0\0\0\x08\0\0\0\x01", 12);
	memcpy(data_packet + 12, "\0\0\0\0\0\0\0\x59", 8);
	memcpy(data_packet + 20, json, sizeof(json) - 1);
	is_int(sizeof(json) - 1, 0x59, "the example's JSON is 0x59 bytes");

	inv.toolkit = "storage";
	inv.tool = "exists";
	proto_content_json(&inv.arguments, parse("{\"path\":\"a.txt\"}"));
	h = proto_invoke_to_json(&inv);
	t = text_of(h);
	is_str(t, json, "invoke header JSON in TS key order");
	cJSON_Delete(h);
	is_int(proto_encode_invoke(&pk, 8, &inv, 0), 0, "encode invoke");
	proto_content_free(&inv.arguments);
	is_int(pk.n, 2, "header + one data packet");
	is_mem(pk.v[0].data, pk.v[0].len, header_packet, sizeof(header_packet),
	       "header packet bytes (spec §3.6)");
	is_mem(pk.v[1].data, pk.v[1].len, data_packet, sizeof(data_packet),
	       "data packet bytes (spec §3.6)");
	proto_packets_free(&pk);

	/* The response: same id 8, a one-packet json content. */
	proto_content_json(&resp, parse("{\"exists\":true}"));
	is_int(proto_encode_content(&pk, 8, PROTO_TYPE_RESPONSE, &resp, 0), 0,
	       "encode response");
	is_mem(pk.v[0].data, pk.v[0].len, response_packet,
	       sizeof(response_packet), "response header packet (spec §3.6)");
	is_mem(pk.v[1].data + 12, pk.v[1].len - 12,
	       "\0\0\0\0\0\0\0\x26{\"type\":\"json\",\"json\":{\"exists\":"
	       "true}}",
	       46, "response body");
	proto_packets_free(&pk);
	proto_content_free(&resp);
}

static void test_slicing(void)
{
	static const size_t sizes[] = { 0,    1,    1023, 1024,
					1025, 2048, 3000, 65536 };
	struct proto_reader rd;
	struct proto_message msg;
	struct proto_packets pk;
	size_t i, k, want_n, left;
	uint8_t *data;
	int r = 0, good;

	data = malloc(65536);
	for (i = 0; i < 65536; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		want_n = (sizes[i] + 1023) / 1024;
		is_int(proto_packet_count(sizes[i]), want_n,
		       nm("packet count for %zu bytes", sizes[i]));
		is_int(proto_packets_encode(&pk, 5, "t", data, sizes[i], 16), 0,
		       nm("encode %zu bytes", sizes[i]));
		is_int(pk.n, want_n + 1, nm("%zu packets", want_n + 1));
		is_int(util_load_be32(pk.v[0].data + 12), want_n,
		       "count in the header packet");
		good = 1;
		left = sizes[i];
		for (k = 1; k < pk.n; k++) {
			size_t slice = left > 1024 ? 1024 : left;

			good &= pk.v[k].len == 12 + slice;
			good &= util_load_be32(pk.v[k].data + 8) == k;
			good &= !memcmp(pk.v[k].data + 12,
					data + (k - 1) * 1024, slice);
			/* headroom: 16 bytes after the previous packet */
			good &= pk.v[k].data ==
				pk.v[k - 1].data + pk.v[k - 1].len + 16;
			left -= slice;
		}
		ok(good && left == 0, "slices of 1024 with headroom 16 (%zu)",
		   sizes[i]);
		/* Scribbling over the headroom (as lws_write does) must not
		 * touch the packets. */
		for (k = 0; k < pk.n; k++)
			memset(pk.v[k].data - 16, 0xee, 16);
		proto_reader_init(&rd, NULL);
		for (k = 0; k < pk.n; k++) {
			r = proto_reader_feed(&rd, &msg, pk.v[k].data,
					      pk.v[k].len, NULL);
			if (k + 1 < pk.n && r != 0)
				break;
		}
		is_int(r, 1, nm("reassembled %zu bytes", sizes[i]));
		if (r == 1) {
			is_int(msg.id, 5, "id");
			is_str(msg.type, "t", "type");
			is_mem(msg.data, msg.len, data, sizes[i], "data");
			proto_message_free(&msg);
		}
		proto_reader_free(&rd);
		proto_packets_free(&pk);
	}
	free(data);
	is_int(proto_packets_encode(&pk, PROTO_ID_MAX + 1, "t", NULL, 0, 0),
	       -EINVAL, "id 2^53 refused");
	is_int(proto_packets_encode(&pk, 1, "", NULL, 0, 0), -EINVAL,
	       "empty type refused");
}

/* Builds a packet by hand. */
static size_t mkpkt(uint8_t *p, uint64_t id, uint32_t index, uint32_t count,
		    const char *rest, size_t rest_len)
{
	size_t n = 12;

	util_store_be64(p, id);
	util_store_be32(p + 8, index);
	if (index == 0) {
		util_store_be32(p + 12, count);
		n = 16;
	}
	memcpy(p + n, rest, rest_len);
	return n + rest_len;
}

static void test_reader_errors(void)
{
	struct proto_limits lim;
	struct proto_reader rd;
	struct proto_message msg;
	struct util_error err;
	uint8_t p[2048];
	size_t n;

	proto_reader_init(&rd, NULL);
	/* data packet without a header */
	n = mkpkt(p, 3, 1, 0, "abc", 3);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EPROTO,
	       "data without header");
	ok(strstr(err.msg, "without a header") != NULL, "says: %s", err.msg);
	/* short packets */
	is_int(proto_reader_feed(&rd, &msg, p, 11, &err), -EBADMSG,
	       "11-byte packet");
	n = mkpkt(p, 3, 0, 1, "", 0);
	is_int(proto_reader_feed(&rd, &msg, p, 14, &err), -EBADMSG,
	       "14-byte header packet");
	is_int(err.offset, 14, "offset = length");

	/* interleaved: header of 2 while 1 is incomplete -> both dropped */
	n = mkpkt(p, 1, 0, 2, "a", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, NULL), 0, "header of 1");
	n = mkpkt(p, 1, 1, 0, "x", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, NULL), 0, "1/2 of 1");
	n = mkpkt(p, 2, 0, 1, "b", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EPROTO,
	       "interleaved header");
	ok(strstr(err.msg, "interleaved") != NULL, "says: %s", err.msg);
	n = mkpkt(p, 2, 1, 0, "y", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, NULL), 0,
	       "rest of a dropped message is ignored");
	n = mkpkt(p, 1, 2, 0, "y", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, NULL), 0, "also ignored");

	/* recovers at the next header */
	n = mkpkt(p, 4, 0, 0, "empty", 5);
	is_int(proto_reader_feed(&rd, &msg, p, n, NULL), 1,
	       "count 0 delivers at once");
	is_int(msg.len, 0, "empty data");
	ok(msg.data != NULL, "data never NULL");
	is_str(msg.type, "empty", "type");
	proto_message_free(&msg);

	/* wrong id */
	n = mkpkt(p, 5, 0, 2, "t", 1);
	proto_reader_feed(&rd, &msg, p, n, NULL);
	n = mkpkt(p, 6, 1, 0, "x", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EPROTO, "wrong id");
	/* out of order */
	n = mkpkt(p, 7, 0, 3, "t", 1);
	proto_reader_feed(&rd, &msg, p, n, NULL);
	n = mkpkt(p, 7, 2, 0, "x", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EPROTO,
	       "index 2 before 1");
	ok(strstr(err.msg, "data packet 2 where 1 of 3") != NULL, "says: %s",
	   err.msg);
	/* repeated index */
	n = mkpkt(p, 8, 0, 3, "t", 1);
	proto_reader_feed(&rd, &msg, p, n, NULL);
	n = mkpkt(p, 8, 1, 0, "x", 1);
	proto_reader_feed(&rd, &msg, p, n, NULL);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EPROTO,
	       "index 1 twice");
	/* id >= 2^53 */
	n = mkpkt(p, PROTO_ID_MAX + 1, 0, 0, "t", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EBADMSG, "id 2^53");
	/* NUL in type */
	n = mkpkt(p, 9, 0, 0, "a\0b", 3);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EBADMSG,
	       "NUL in type");
	is_int(err.offset, 17, "offset of the NUL");
	n = mkpkt(p, 9, 0, 0, "", 0);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EBADMSG,
	       "empty type");
	proto_reader_free(&rd);

	/* limits */
	proto_limits_default(&lim);
	lim.max_message = 2000;
	lim.max_packets = 3;
	lim.max_type = 4;
	proto_reader_init(&rd, &lim);
	n = mkpkt(p, 1, 0, 4, "t", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EMSGSIZE,
	       "4 packets > 3");
	n = mkpkt(p, 1, 0, 0, "typex", 5);
	is_int(proto_reader_feed(&rd, &msg, p, n, &err), -EMSGSIZE,
	       "type of 5 > 4");
	n = mkpkt(p, 2, 0, 3, "t", 1);
	is_int(proto_reader_feed(&rd, &msg, p, n, NULL), 0, "header");
	memset(p + 12, 'z', 1024);
	util_store_be64(p, 2);
	util_store_be32(p + 8, 1);
	is_int(proto_reader_feed(&rd, &msg, p, 12 + 1024, NULL), 0, "1024");
	util_store_be32(p + 8, 2);
	is_int(proto_reader_feed(&rd, &msg, p, 12 + 1024, &err), -EMSGSIZE,
	       "2048 > 2000 bytes");
	ok(strstr(err.msg, "limit of 2000") != NULL, "says: %s", err.msg);
	/* exactly at the limit is fine */
	n = mkpkt(p, 3, 0, 2, "t", 1);
	proto_reader_feed(&rd, &msg, p, n, NULL);
	util_store_be64(p, 3);
	util_store_be32(p + 8, 1);
	proto_reader_feed(&rd, &msg, p, 12 + 1000, NULL);
	util_store_be32(p + 8, 2);
	is_int(proto_reader_feed(&rd, &msg, p, 12 + 1000, NULL), 1,
	       "2000 bytes (odd slice sizes) accepted");
	is_int(msg.len, 2000, "length");
	proto_message_free(&msg);
	proto_reader_free(&rd);
}

/* ---- §4 packed payloads and JSON ------------------------------------- */

static void test_json(void)
{
	static const struct {
		const char *in;
		const char *out;
	} nums[] = {
		{ "0", "0" },
		{ "-0", "0" },
		{ "1000", "1000" },
		{ "1e15", "1000000000000000" },
		{ "1e21", "1e+21" },
		{ "123456789012345680000", "123456789012345680000" },
		{ "0.1", "0.1" },
		{ "-1.5", "-1.5" },
		{ "1.5e-7", "1.5e-7" },
		{ "0.000001", "0.000001" },
		{ "123.456", "123.456" },
		{ "9007199254740991", "9007199254740991" },
		{ "1795668087741", "1795668087741" },
		{ "5e-324", "5e-324" },
		{ "1.7976931348623157e308", "1.7976931348623157e+308" },
	};
	struct util_error err;
	cJSON *v;
	size_t i;
	char buf[64];

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		snprintf(buf, sizeof(buf), "[%s]", nums[i].in);
		v = parse(buf);
		snprintf(buf, sizeof(buf), "[%s]", nums[i].out);
		is_str(text_of(v), buf,
		       nm("number %s prints as JS does", nums[i].in));
		cJSON_Delete(v);
	}
	v = parse(
		"{\"a\" : \"\\u00e9\\ud83d\\ude00 \\\" \\\\ \\n\\t\\u0001\\u001f"
		"/\", \"b\": [true, false, null]}");
	is_str(text_of(v),
	       "{\"a\":\"\xc3\xa9\xf0\x9f\x98\x80 \\\" \\\\ \\n\\t\\u0001\\u001f/\","
	       "\"b\":[true,false,null]}",
	       "Python-style input, JSON.stringify output");
	cJSON_Delete(v);

	v = proto_json_parse("{\"a\":1,\"a\":2}", 13, 0, &err);
	ok(!v && strstr(err.msg, "duplicate key \"a\""), "duplicate key: %s",
	   err.msg);
	v = proto_json_parse("[[[1]]]", 7, 2, &err);
	ok(!v && err.offset == 2 && strstr(err.msg, "deeper than 2"),
	   "depth limit: %s at %lld", err.msg, err.offset);
	v = proto_json_parse("{\"a\":\"\xff\"}", 8, 0, &err);
	ok(!v && err.offset == 6 && strstr(err.msg, "UTF-8"),
	   "invalid UTF-8: %s", err.msg);
	v = proto_json_parse("{\"a\":1} x", 9, 0, &err);
	ok(!v && err.offset == 8, "trailing text at 8: %s", err.msg);
	v = proto_json_parse("{\"a\":tru}", 9, 0, &err);
	ok(!v && err.offset >= 5, "syntax error: %s at %lld", err.msg,
	   err.offset);
	v = proto_json_parse("", 0, 0, &err);
	ok(!v && strstr(err.msg, "empty"), "empty text: %s", err.msg);
	v = proto_json_parse("\"a\nb\"", 5, 0, &err);
	ok(!v && err.offset == 2, "raw newline in a string: %s", err.msg);
}

static void test_packed(void)
{
	struct proto_limits lim;
	struct proto_packed pp;
	struct util_error err;
	uint8_t *buf, bad[64];
	size_t len;
	cJSON *h;

	h = parse("{\"b\":1,\"a\":[1,2]}");
	is_int(proto_pack_json(&buf, &len, h, "TAIL", 4), 0, "pack");
	cJSON_Delete(h);
	is_mem(buf, len, "\0\0\0\0\0\0\0\x11{\"b\":1,\"a\":[1,2]}TAIL", 29,
	       "packed bytes");
	is_int(proto_unpack(&pp, buf, len, NULL, NULL), 0, "unpack");
	is_str(text_of(pp.header), "{\"b\":1,\"a\":[1,2]}", "header");
	is_mem(pp.tail, pp.tail_len, "TAIL", 4, "tail");
	proto_packed_free(&pp);
	free(buf);

	/* Python style with __meshagent__ */
	{
		static const char py[] =
			"{\"path\": \"x\", \"__meshagent__\": {\"v\": 1, "
			"\"otel\": {}}, \"n\": \"\\u00e9\"}";
		is_int(proto_pack(&buf, &len, py, sizeof(py) - 1, NULL, 0), 0,
		       "pack python");
		is_int(proto_unpack(&pp, buf, len, NULL, NULL), 0,
		       "unpack python");
		is_str(text_of(pp.header),
		       "{\"path\":\"x\",\"n\":\"\xc3\xa9\"}",
		       "__meshagent__ stripped");
		is_int(pp.tail_len, 0, "empty tail");
		proto_packed_free(&pp);
		free(buf);
	}

	is_int(proto_unpack(&pp, "\0\0\0", 3, NULL, &err), -EBADMSG, "short");
	memcpy(bad, "\0\0\0\0\0\0\0\x09{\"a\":1}", 15);
	is_int(proto_unpack(&pp, bad, 15, NULL, &err), -EBADMSG,
	       "header length 9 > 7");
	ok(strstr(err.msg, "header length 9 exceeds the 7"), "says: %s",
	   err.msg);
	memcpy(bad, "\xff\0\0\0\0\0\0\x07{\"a\":1}", 15);
	is_int(proto_unpack(&pp, bad, 15, NULL, &err), -EBADMSG,
	       "huge header length");
	memcpy(bad, "\0\0\0\0\0\0\0\x03[1]", 11);
	is_int(proto_unpack(&pp, bad, 11, NULL, &err), -EBADMSG, "array");
	ok(strstr(err.msg, "not an object") && err.offset == 8, "says: %s",
	   err.msg);
	memcpy(bad, "\0\0\0\0\0\0\0\x07{\"a\":x}", 15);
	is_int(proto_unpack(&pp, bad, 15, NULL, &err), -EBADMSG, "bad JSON");
	ok(err.offset == 13 && strstr(err.msg, "packed header"),
	   "offset 13 in the payload: %s at %lld", err.msg, err.offset);
	memcpy(bad, "\0\0\0\0\0\0\0\x00", 8);
	is_int(proto_unpack(&pp, bad, 8, NULL, &err), -EBADMSG,
	       "zero-length header");
	proto_limits_default(&lim);
	lim.max_depth = 1;
	memcpy(bad, "\0\0\0\0\0\0\0\x09{\"a\":{}}", 17);
	is_int(proto_unpack(&pp, bad, 17, &lim, &err), -EBADMSG, "depth 2 > 1");
	ok(err.offset == 13, "at the inner brace: %lld", err.offset);
}

/* ---- §5 content values ----------------------------------------------- */

static void check_emit(struct proto_content *c, const char *want,
		       const char *name)
{
	cJSON *h = proto_content_to_json(c);
	struct proto_content back;
	cJSON *h2;
	int r;

	is_str(text_of(h), want, name);
	/* and it parses back to the same header */
	r = proto_content_parse(&back, h, c->payload, c->payload_len, NULL);
	is_int(r, 0, nm("%s parses back", name));
	h2 = proto_content_to_json(&back);
	is_str(text_of(h2), want, nm("%s round trip", name));
	cJSON_Delete(h2);
	proto_content_free(&back);
	cJSON_Delete(h);
	proto_content_free(c);
}

static void test_content_emit(void)
{
	struct proto_content c;
	uint8_t *buf;
	size_t len;

	proto_content_empty(&c);
	check_emit(&c, "{\"type\":\"empty\"}", "empty");
	proto_content_json(&c, parse("{\"path\":\"\",\"x\":[1]}"));
	check_emit(&c, "{\"type\":\"json\",\"json\":{\"path\":\"\",\"x\":[1]}}",
		   "json");
	proto_content_text(&c, "h\"i");
	check_emit(&c, "{\"type\":\"text\",\"text\":\"h\\\"i\"}", "text");
	proto_content_binary(&c, parse("{\"kind\":\"data\"}"), "abc", 3);
	check_emit(&c, "{\"type\":\"binary\",\"headers\":{\"kind\":\"data\"}}",
		   "binary");
	proto_content_binary(&c, NULL, NULL, 0);
	check_emit(&c, "{\"type\":\"binary\",\"headers\":{}}",
		   "binary no headers");
	proto_content_file(&c, "a.txt", "text/plain", "hello", 5);
	check_emit(&c,
		   "{\"type\":\"file\",\"name\":\"a.txt\",\"mime_type\":"
		   "\"text/plain\"}",
		   "file");
	proto_content_link(&c, "n", "http://x/");
	check_emit(&c,
		   "{\"type\":\"link\",\"name\":\"n\",\"url\":\"http://x/\"}",
		   "link");
	proto_content_error(&c, 1003, "tool not found %s.%s", "nope", "x");
	check_emit(&c,
		   "{\"type\":\"error\",\"text\":\"tool not found nope.x\","
		   "\"code\":1003}",
		   "error (Appendix A)");
	proto_content_error(&c, -1, "boom");
	check_emit(&c, "{\"type\":\"error\",\"text\":\"boom\"}",
		   "error no code");
	proto_content_control_open(&c);
	check_emit(&c, "{\"type\":\"control\",\"method\":\"open\"}",
		   "control open");
	proto_content_control_close(&c, 0, NULL);
	check_emit(&c,
		   "{\"type\":\"control\",\"method\":\"close\",\"status_code\":"
		   "1000}",
		   "control close");
	proto_content_control_close(&c, 1007, "bad");
	check_emit(&c,
		   "{\"type\":\"control\",\"method\":\"close\",\"status_code\":"
		   "1007,\"message\":\"bad\"}",
		   "control close with message");
	memset(&c, 0, sizeof(c));
	c.type = PROTO_CONTENT_RAW;
	c.outputs = parse("[{\"a\":1}]");
	check_emit(&c, "{\"type\":\"raw\",\"outputs\":[{\"a\":1}]}", "raw");

	proto_content_binary(&c, parse("{\"kind\":\"sync\"}"), "AAA=", 4);
	is_int(proto_content_pack(&buf, &len, &c), 0, "pack content");
	is_mem(buf, len,
	       "\0\0\0\0\0\0\0\x2b{\"type\":\"binary\",\"headers\":{\"kind\":"
	       "\"sync\"}}AAA=",
	       55, "packed binary content with payload");
	proto_content_free(&c);
	is_int(proto_content_unpack(&c, buf, len, NULL, NULL), 0, "unpack");
	is_int(c.type, PROTO_CONTENT_BINARY, "binary");
	is_mem(c.payload, c.payload_len, "AAA=", 4, "payload view");
	is_str(text_of(c.headers), "{\"kind\":\"sync\"}", "headers");
	proto_content_free(&c);
	free(buf);
}

static void test_content_parse(void)
{
	static const struct {
		const char *json;
		int r;
		const char *what;
	} bad[] = {
		{ "{}", -EBADMSG, "'type' is missing" },
		{ "{\"type\":1}", -EBADMSG, "'type' must be a string" },
		{ "{\"type\":\"video\"}", -EBADMSG, "unknown type \"video\"" },
		{ "{\"type\":\"text\"}", -EBADMSG, "'text' is missing" },
		{ "{\"type\":\"text\",\"text\":1}", -EBADMSG,
		  "'text' must be a string" },
		{ "{\"type\":\"json\"}", -EBADMSG, "'json' is missing" },
		{ "{\"type\":\"error\"}", -EBADMSG, "'text' is missing" },
		{ "{\"type\":\"file\",\"name\":\"a\"}", -EBADMSG,
		  "'mime_type' is missing" },
		{ "{\"type\":\"link\",\"name\":\"a\",\"url\":null}", -EBADMSG,
		  "'url' must be a string" },
		{ "{\"type\":\"control\",\"method\":\"pause\"}", -EBADMSG,
		  "\"open\" or \"close\"" },
		{ "{\"type\":\"control\"}", -EBADMSG, "\"open\" or \"close\"" },
		{ "{\"type\":\"raw\",\"outputs\":{}}", -EBADMSG,
		  "must be an array" },
	};
	struct proto_content c;
	struct util_error err;
	size_t i;
	cJSON *h;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h = parse(bad[i].json);
		util_error_clear(&err);
		is_int(proto_content_parse(&c, h, NULL, 0, &err), bad[i].r,
		       nm("refuse %s", bad[i].json));
		ok(strstr(err.msg, bad[i].what) != NULL, "says: %s", err.msg);
		cJSON_Delete(h);
	}
	h = parse("{\"type\":\"error\",\"text\":\"t\",\"code\":\"1004\"}");
	is_int(proto_content_parse(&c, h, NULL, 0, NULL), 0, "string code");
	ok(c.has_code && c.code == 1004, "code 1004 from \"1004\"");
	proto_content_free(&c);
	cJSON_Delete(h);
	h = parse("{\"type\":\"error\",\"text\":\"t\",\"code\":\"abc\"}");
	proto_content_parse(&c, h, NULL, 0, NULL);
	ok(!c.has_code, "non-numeric code: none");
	proto_content_free(&c);
	cJSON_Delete(h);
	h = parse("{\"type\":\"error\",\"text\":\"t\",\"code\":1.5}");
	proto_content_parse(&c, h, NULL, 0, NULL);
	ok(!c.has_code, "fractional code: none");
	proto_content_free(&c);
	cJSON_Delete(h);
	h = parse("{\"type\":\"binary\",\"headers\":\"x\"}");
	is_int(proto_content_parse(&c, h, (const uint8_t *)"p", 1, NULL), 0,
	       "binary with bad headers");
	is_str(text_of(c.headers), "{}", "headers become {}");
	is_int(c.payload_len, 1, "payload kept");
	proto_content_free(&c);
	cJSON_Delete(h);
	h = parse("{\"type\":\"control\",\"method\":\"close\",\"status_code\":"
		  "\"1007\",\"message\":5}");
	proto_content_parse(&c, h, NULL, 0, NULL);
	ok(c.method == PROTO_CONTROL_CLOSE && c.has_status_code &&
		   c.status_code == 1007 && !c.message,
	   "control close: status from string, non-string message ignored");
	proto_content_free(&c);
	cJSON_Delete(h);
	h = parse("{\"type\":\"control\",\"method\":\"close\"}");
	proto_content_parse(&c, h, NULL, 0, NULL);
	ok(!c.has_status_code, "no status code given");
	proto_content_free(&c);
	cJSON_Delete(h);
}

/* ---- §8 tool calls, handshake, events -------------------------------- */

static void test_appendix_a(void)
{
	static const char tcid[] = "1795668087741-3943c497adfc5";
	struct proto_invoke inv = { 0 }, in2;
	struct proto_content c;
	struct proto_chunk ch;
	struct proto_packets pk;
	struct proto_reader rd;
	struct proto_message msg;
	struct proto_packed pp;
	cJSON *h;

	/* id=0 upload invoke */
	inv.toolkit = "storage";
	inv.tool = "upload";
	inv.tool_call_id = (char *)tcid;
	proto_content_control_open(&inv.arguments);
	h = proto_invoke_to_json(&inv);
	is_str(text_of(h),
	       "{\"toolkit\":\"storage\",\"tool\":\"upload\",\"tool_call_id\":"
	       "\"1795668087741-3943c497adfc5\",\"arguments\":{\"type\":"
	       "\"control\",\"method\":\"open\"}}",
	       "stream invoke header (Appendix A id=0)");
	cJSON_Delete(h);

	/* id=21 delete with recursive null */
	inv.tool_call_id = NULL;
	inv.tool = "delete";
	proto_content_json(&inv.arguments,
			   parse("{\"path\":\"a.txt\",\"recursive\":null}"));
	h = proto_invoke_to_json(&inv);
	is_str(text_of(h),
	       "{\"toolkit\":\"storage\",\"tool\":\"delete\",\"arguments\":{"
	       "\"type\":\"json\",\"json\":{\"path\":\"a.txt\",\"recursive\":"
	       "null}}}",
	       "delete invoke (Appendix A id=21)");
	is_int(proto_invoke_parse(&in2, h, NULL, 0, NULL), 0, "parse invoke");
	ok(!strcmp(in2.toolkit, "storage") && !strcmp(in2.tool, "delete") &&
		   !in2.tool_call_id &&
		   in2.arguments.type == PROTO_CONTENT_JSON,
	   "invoke fields");
	proto_invoke_free(&in2);
	cJSON_Delete(h);
	proto_content_free(&inv.arguments);

	/* id=1 upload start chunk */
	proto_content_binary(&c,
			     parse("{\"kind\":\"start\",\"path\":\"a.txt\","
				   "\"overwrite\":false,\"name\":\"a.txt\","
				   "\"mime_type\":\"text/plain\",\"size\":13}"),
			     NULL, 0);
	h = proto_chunk_header(tcid, &c);
	is_str(text_of(h),
	       "{\"tool_call_id\":\"1795668087741-3943c497adfc5\",\"chunk\":{"
	       "\"type\":\"binary\",\"headers\":{\"kind\":\"start\",\"path\":"
	       "\"a.txt\",\"overwrite\":false,\"name\":\"a.txt\","
	       "\"mime_type\":\"text/plain\",\"size\":13}}}",
	       "upload start chunk (Appendix A id=1)");
	cJSON_Delete(h);
	proto_content_free(&c);

	/* id=2 data chunk with payload, through packets and back */
	proto_content_binary(&c, parse("{\"kind\":\"data\"}"), "hell", 4);
	is_int(proto_encode_chunk(&pk, 2, PROTO_TYPE_REQUEST_CHUNK, tcid, &c,
				  0),
	       0, "encode chunk");
	proto_content_free(&c);
	proto_reader_init(&rd, NULL);
	proto_reader_feed(&rd, &msg, pk.v[0].data, pk.v[0].len, NULL);
	is_int(proto_reader_feed(&rd, &msg, pk.v[1].data, pk.v[1].len, NULL), 1,
	       "chunk message reassembled");
	proto_packets_free(&pk);
	is_str(msg.type, "room.tool_call_request_chunk", "chunk type");
	is_int(proto_unpack(&pp, msg.data, msg.len, NULL, NULL), 0, "unpack");
	is_int(proto_chunk_parse(&ch, pp.header, pp.tail, pp.tail_len, NULL), 0,
	       "parse chunk");
	is_str(ch.tool_call_id, tcid, "tool_call_id");
	is_int(ch.content.type, PROTO_CONTENT_BINARY, "binary chunk");
	is_mem(ch.content.payload, ch.content.payload_len, "hell", 4,
	       "payload");
	proto_chunk_free(&ch);
	proto_packed_free(&pp);
	proto_message_free(&msg);
	proto_reader_free(&rd);

	/* id=6 close chunk */
	proto_content_control_close(&c, 0, NULL);
	h = proto_chunk_header(tcid, &c);
	is_str(text_of(h),
	       "{\"tool_call_id\":\"1795668087741-3943c497adfc5\",\"chunk\":{"
	       "\"type\":\"control\",\"method\":\"close\",\"status_code\":"
	       "1000}}",
	       "close chunk (Appendix A id=6)");
	cJSON_Delete(h);
	proto_content_free(&c);

	/* id=17 sync start chunk with all seven keys */
	proto_content_binary(&c,
			     parse("{\"kind\":\"start\",\"path\":\"x.thread\","
				   "\"create\":true,\"vector\":null,\"schema\":"
				   "null,\"schema_path\":null,\"initial_json\":"
				   "null}"),
			     NULL, 0);
	h = proto_chunk_header(tcid, &c);
	is_str(text_of(h),
	       "{\"tool_call_id\":\"1795668087741-3943c497adfc5\",\"chunk\":{"
	       "\"type\":\"binary\",\"headers\":{\"kind\":\"start\",\"path\":"
	       "\"x.thread\",\"create\":true,\"vector\":null,\"schema\":null,"
	       "\"schema_path\":null,\"initial_json\":null}}}",
	       "sync start chunk (Appendix A id=17)");
	cJSON_Delete(h);
	proto_content_free(&c);
}

static void test_chunk_parse(void)
{
	struct proto_chunk ch;
	struct util_error err;
	cJSON *h;

	h = parse("{\"tool_call_id\":\"t\",\"chunk\":{\"a\":1},\"toolkit\":"
		  "\"sync\",\"tool\":\"open\"}");
	is_int(proto_chunk_parse(&ch, h, NULL, 0, NULL), 0, "typeless chunk");
	ok(ch.content.type == PROTO_CONTENT_JSON &&
		   !strcmp(text_of(ch.content.json), "{\"a\":1}"),
	   "object without type is json content");
	ok(!strcmp(ch.toolkit, "sync") && !strcmp(ch.tool, "open"),
	   "toolkit and tool");
	cJSON_Delete(h);
	h = proto_chunk_to_json(&ch);
	is_str(text_of(h),
	       "{\"tool_call_id\":\"t\",\"chunk\":{\"type\":\"json\",\"json\":"
	       "{\"a\":1}},\"toolkit\":\"sync\",\"tool\":\"open\"}",
	       "chunk to json");
	cJSON_Delete(h);
	proto_chunk_free(&ch);
	h = parse("{\"tool_call_id\":\"t\",\"chunk\":[1]}");
	is_int(proto_chunk_parse(&ch, h, NULL, 0, NULL), 0, "array chunk");
	is_str(text_of(ch.content.json), "{\"chunk\":[1]}", "wrapped");
	proto_chunk_free(&ch);
	cJSON_Delete(h);
	h = parse("{\"chunk\":{\"type\":\"empty\"}}");
	is_int(proto_chunk_parse(&ch, h, NULL, 0, &err), -EBADMSG,
	       "no tool_call_id");
	ok(strstr(err.msg, "'tool_call_id' is missing") != NULL, "says: %s",
	   err.msg);
	cJSON_Delete(h);
	h = parse("{\"tool_call_id\":\"t\",\"chunk\":{\"type\":\"text\"}}");
	is_int(proto_chunk_parse(&ch, h, NULL, 0, &err), -EBADMSG,
	       "bad content in chunk");
	ok(strstr(err.msg, "chunk: text content: 'text' is missing") != NULL,
	   "says: %s", err.msg);
	cJSON_Delete(h);
	h = parse("{\"toolkit\":\"\",\"tool\":\"x\"}");
	struct proto_invoke inv;
	is_int(proto_invoke_parse(&inv, h, NULL, 0, &err), -EBADMSG,
	       "empty toolkit");
	ok(strstr(err.msg, "'toolkit' must not be empty") != NULL, "says: %s",
	   err.msg);
	cJSON_Delete(h);
	h = parse("{\"toolkit\":\"a\",\"tool\":\"x\",\"participant_id\":null,"
		  "\"on_behalf_of_id\":null,\"arguments\":{\"type\":\"json\","
		  "\"json\":{}},\"__x\":1}");
	is_int(proto_invoke_parse(&inv, h, NULL, 0, &err), 0,
	       "Python invoke with nulls and unknown keys");
	ok(!inv.participant_id && !inv.on_behalf_of_id, "nulls are absent");
	proto_invoke_free(&inv);
	cJSON_Delete(h);
}

static void test_handshake_events(void)
{
	struct proto_room_ready rr = { "my-room", "ws://h/rooms/my-room",
				       "s1" },
				rr2;
	struct proto_connected cn = { "p1", NULL }, cn2;
	struct proto_storage_event ev = { 0 }, ev2;
	char id[PROTO_TOOL_CALL_ID_MAX];
	struct util_error err;
	cJSON *h;
	size_t i;
	int good;

	h = proto_room_ready_to_json(&rr);
	is_str(text_of(h),
	       "{\"room_name\":\"my-room\",\"room_url\":\"ws://h/rooms/my-room\","
	       "\"session_id\":\"s1\"}",
	       "room_ready");
	is_int(proto_room_ready_parse(&rr2, h, NULL), 0, "parse room_ready");
	is_str(rr2.session_id, "s1", "session_id");
	proto_room_ready_free(&rr2);
	cJSON_DeleteItemFromObject(h, "room_url");
	is_int(proto_room_ready_parse(&rr2, h, &err), -EBADMSG,
	       "room_ready needs all three keys");
	ok(strstr(err.msg, "'room_url' is missing") != NULL, "says: %s",
	   err.msg);
	cJSON_Delete(h);

	h = proto_connected_to_json(&cn);
	is_str(text_of(h),
	       "{\"type\":\"init\",\"participantId\":\"p1\",\"attributes\":{}}",
	       "connected");
	cJSON_Delete(h);
	h = parse("{\"type\":\"init\",\"participantId\":\"p2\",\"attributes\":"
		  "{\"name\":\"client\"}}");
	is_int(proto_connected_parse(&cn2, h, NULL), 0, "parse connected");
	is_str(cn2.participant_id, "p2", "participantId");
	is_str(text_of(cn2.attributes), "{\"name\":\"client\"}", "attributes");
	proto_connected_free(&cn2);
	cJSON_Delete(h);

	ev.kind = PROTO_FILE_UPDATED;
	ev.path = "a.txt";
	ev.participant_id = "p1";
	h = proto_storage_event_to_json(&ev);
	is_str(text_of(h), "{\"path\":\"a.txt\",\"participant_id\":\"p1\"}",
	       "file updated event");
	is_int(proto_storage_event_parse(&ev2, "storage.file.deleted", h, NULL),
	       0, "parse as deleted");
	ok(ev2.kind == PROTO_FILE_DELETED && !strcmp(ev2.path, "a.txt"),
	   "deleted event");
	proto_storage_event_free(&ev2);
	cJSON_Delete(h);
	ev.kind = PROTO_FILE_MOVED;
	ev.source_path = "a";
	ev.destination_path = "b/c";
	h = proto_storage_event_to_json(&ev);
	is_str(text_of(h),
	       "{\"source_path\":\"a\",\"destination_path\":\"b/c\","
	       "\"participant_id\":\"p1\"}",
	       "file moved event");
	is_int(proto_storage_event_parse(&ev2, "storage.file.updated", h, &err),
	       -EBADMSG, "moved body is not an updated body");
	is_int(proto_storage_event_parse(&ev2, "room.status", h, &err), -EINVAL,
	       "not an event type");
	cJSON_Delete(h);
	is_str(proto_storage_event_type(PROTO_FILE_MOVED), "storage.file.moved",
	       "event type name");

	is_int(proto_tool_call_id(id), 0, "tool_call_id");
	good = strlen(id) == 27 && id[13] == '-';
	for (i = 0; i < 13; i++)
		good &= id[i] >= '0' && id[i] <= '9';
	for (i = 14; i < 27; i++)
		good &= (id[i] >= '0' && id[i] <= '9') ||
			(id[i] >= 'a' && id[i] <= 'f');
	ok(good, "<ms>-<13 hex>: %s", id);

	is_str(proto_sync_path_normalize("././/x.thread"), "x.thread",
	       "normalize ./ and /");
	is_str(proto_sync_path_normalize("/./x"), "./x",
	       "./ only stripped before /");
	is_str(proto_sync_path_normalize("."), "", ". is the root");
	is_str(proto_sync_path_normalize("a/b"), "a/b", "unchanged");
}

/* ---- §2.5 tokens ----------------------------------------------------- */

/*
 * Minted by @meshagent/meshagent 0.39.9 (tests/node):
 *   t = new ParticipantToken({name: "client"}); t.addRoomGrant("my-room");
 *   t.addRoleGrant("user"); t.addApiGrant(ApiScope.agentDefault());
 *   TS_PLAIN  = t.toJwt({token: "proto-test-secret",
 *                        expiration: new Date(1893456000 * 1000)})
 *   TS_APIKEY = t.toJwt({apiKey: API_KEY, expiration: same})
 *   u = new ParticipantToken({name: "reader", extra: {custom: 1}});
 *   u.addRoomGrant("r2"); u.addApiGrant(new ApiScope({sync: new SyncGrant(
 *     {paths: [{path: "docs/STAR", readOnly: true}, {path: "a.thread"}]}),
 *     storage: new StorageGrant({paths: [{path: "pub/", readOnly: true}]})}))
 *   TS_PATHS = u.toJwt({token: "proto-test-secret"})
 * (STAR stands for '*', which cannot follow '/' in a C comment.)
 */
#define TS_SECRET "proto-test-secret"
#define TS_PLAIN                                                                \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiY2xpZW50IiwiZ3JhbnRz" \
	"IjpbeyJuYW1lIjoicm9vbSIsInNjb3BlIjoibXktcm9vbSJ9LHsibmFtZSI6InJvbGUi"  \
	"LCJzY29wZSI6InVzZXIifSx7Im5hbWUiOiJhcGkiLCJzY29wZSI6eyJsaXZla2l0Ijp7"  \
	"fSwicXVldWVzIjp7fSwibWVzc2FnaW5nIjp7fSwiZGF0YXNldCI6e30sIm1lbW9yeSI6"  \
	"e30sInN5bmMiOnt9LCJzdG9yYWdlIjp7fSwiY29udGFpbmVycyI6e30sImRldmVsb3Bl"  \
	"ciI6e30sImFnZW50cyI6e30sImxsbSI6e30sInNlY3JldHMiOnt9LCJzZXJ2aWNlcyI6"  \
	"e319fV0sInZlcnNpb24iOiIwLjM2LjMiLCJleHAiOjE4OTM0NTYwMDB9.kjXTjqEBrtvu" \
	"ZJzX2KEem0IBSs5vWR1CLb4Off8UeQY"
#define API_KEY                                                                \
	"ma-.j.DnM2qR6WWEq4.mYmfuQ-_B55PLVWSWu_B4GCuETgWA-test-secret-secure-" \
	"secret-sample2560binarykey"
#define API_SECRET "test-secret-secure-secret-sample2560binarykey"
#define TS_APIKEY                                                               \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiY2xpZW50IiwiZ3JhbnRz" \
	"IjpbeyJuYW1lIjoicm9vbSIsInNjb3BlIjoibXktcm9vbSJ9LHsibmFtZSI6InJvbGUi"  \
	"LCJzY29wZSI6InVzZXIifSx7Im5hbWUiOiJhcGkiLCJzY29wZSI6eyJsaXZla2l0Ijp7"  \
	"fSwicXVldWVzIjp7fSwibWVzc2FnaW5nIjp7fSwiZGF0YXNldCI6e30sIm1lbW9yeSI6"  \
	"e30sInN5bmMiOnt9LCJzdG9yYWdlIjp7fSwiY29udGFpbmVycyI6e30sImRldmVsb3Bl"  \
	"ciI6e30sImFnZW50cyI6e30sImxsbSI6e30sInNlY3JldHMiOnt9LCJzZXJ2aWNlcyI6"  \
	"e319fV0sInZlcnNpb24iOiIwLjM2LjMiLCJraWQiOiJmYTNmODM5Yy1jZGFhLTQ3YTUt"  \
	"OTYxMi1hZTNlOTk4OTlmYjkiLCJzdWIiOiJmYzFlNzkzYy1iNTU2LTQ5NmItYmYwNy04"  \
	"MTgyYjg0NGUwNTgiLCJleHAiOjE4OTM0NTYwMDB9.LEbUaWGvvjpwH4S6Rykop6nmzpcD" \
	"2JBgujmGqt0q52c"
#define TS_PATHS                                                                \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjdXN0b20iOjEsIm5hbWUiOiJyZWFk" \
	"ZXIiLCJncmFudHMiOlt7Im5hbWUiOiJyb29tIiwic2NvcGUiOiJyMiJ9LHsibmFtZSI6"  \
	"ImFwaSIsInNjb3BlIjp7InN5bmMiOnsicGF0aHMiOlt7InBhdGgiOiJkb2NzLyoiLCJy"  \
	"ZWFkX29ubHkiOnRydWV9LHsicGF0aCI6ImEudGhyZWFkIn1dfSwic3RvcmFnZSI6eyJw"  \
	"YXRocyI6W3sicGF0aCI6InB1Yi8iLCJyZWFkX29ubHkiOnRydWV9XX19fV0sInZlcnNp"  \
	"b24iOiIwLjM2LjMifQ.PSzAF4d99cMgsaOvXEIhk37nUuJHtVb32mRNghHk34k"

#define NOW 1800000000LL

static void client_token(struct proto_token *t)
{
	proto_token_init(t, "client");
	proto_token_add_grant(t, "room", "my-room");
	proto_token_add_grant(t, "role", "user");
	proto_token_add_api_grant(t, proto_api_scope_agent_default());
	t->has_exp = true;
	t->exp = 1893456000;
}

static void test_token_sdk(void)
{
	struct proto_token t;
	struct util_error err;
	char *jwt;

	is_int(proto_token_verify(&t, TS_PLAIN, TS_SECRET, "my-room", NOW,
				  &err),
	       0, "TS 0.39.9 token verifies");
	is_str(t.name, "client", "name");
	is_str(proto_token_room(&t), "my-room", "room grant");
	is_str(proto_token_role(&t), "user", "role grant");
	is_str(t.version, "0.36.3", "stale version claim");
	ok(t.has_exp && t.exp == 1893456000, "exp");
	ok(!t.sub && !t.kid && !t.extra, "no sub/kid/extra");
	ok(proto_token_api_allows(&t, "storage") &&
		   proto_token_api_allows(&t, "sync") &&
		   !proto_token_api_allows(&t, "admin"),
	   "agentDefault scope");
	is_int(proto_token_storage_access(&t, "any/thing"), PROTO_ACCESS_WRITE,
	       "storage without paths: write");
	proto_token_free(&t);

	client_token(&t);
	is_int(proto_token_mint(&jwt, &t, TS_SECRET), 0, "mint");
	is_str(jwt, TS_PLAIN, "our token equals the SDK's byte for byte");
	free(jwt);
	is_int(proto_token_mint_api_key(&jwt, &t, API_KEY, NULL), 0,
	       "mint with the API key");
	is_str(jwt, TS_APIKEY, "API key token equals the SDK's");
	free(jwt);
	proto_token_free(&t);

	is_int(proto_token_verify(&t, TS_APIKEY, API_SECRET, NULL, NOW, NULL),
	       0, "API key token verifies with the key's secret");
	is_str(t.kid, "fa3f839c-cdaa-47a5-9612-ae3e99899fb9", "kid");
	is_str(t.sub, "fc1e793c-b556-496b-bf07-8182b844e058", "sub");
	proto_token_free(&t);

	is_int(proto_token_verify(&t, TS_PATHS, TS_SECRET, "r2", NOW, NULL), 0,
	       "path-grant token verifies");
	is_str(text_of(t.extra), "{\"custom\":1}", "extra claim preserved");
	ok(!t.has_exp, "no exp");
	is_int(proto_token_mint(&jwt, &t, TS_SECRET), 0, "re-mint");
	is_str(jwt, TS_PATHS, "re-minted equals the SDK's (extra first)");
	free(jwt);
	proto_token_free(&t);
}

static void test_token_errors(void)
{
	struct proto_token t;
	struct util_error err;
	char *jwt, *bad;
	size_t len;
	int r;

	/* tampered signature: flip one character of the signature */
	bad = strdup(TS_PLAIN);
	len = strlen(bad);
	bad[len - 2] = bad[len - 2] == 'A' ? 'B' : 'A';
	is_int(proto_token_verify(&t, bad, TS_SECRET, NULL, NOW, &err),
	       -EKEYREJECTED, "tampered signature");
	ok(strstr(err.msg, "signature does not match") != NULL, "says: %s",
	   err.msg);
	free(bad);
	is_int(proto_token_verify(&t, TS_PLAIN, "other", NULL, NOW, &err),
	       -EKEYREJECTED, "wrong secret");
	/* tampered payload */
	bad = strdup(TS_PLAIN);
	bad[40] = bad[40] == 'A' ? 'B' : 'A';
	r = proto_token_verify(&t, bad, TS_SECRET, NULL, NOW, &err);
	ok(r == -EKEYREJECTED || r == -EBADMSG, "tampered payload: %d %s", r,
	   err.msg);
	free(bad);
	is_int(proto_token_verify(&t, TS_PLAIN, TS_SECRET, NULL, 1893456000,
				  &err),
	       -EKEYEXPIRED, "expired at exp");
	ok(strstr(err.msg, "expired") != NULL, "says: %s", err.msg);
	is_int(proto_token_verify(&t, TS_PLAIN, TS_SECRET, NULL, 1893455999,
				  NULL),
	       0, "valid a second before");
	proto_token_free(&t);
	is_int(proto_token_verify(&t, TS_PLAIN, TS_SECRET, "other-room", NOW,
				  &err),
	       -EPERM, "wrong room");
	ok(strstr(err.msg, "\"my-room\"") != NULL, "says: %s", err.msg);

	/* malformed segments */
	is_int(proto_token_verify(&t, "abc", TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "one segment");
	ok(strstr(err.msg, "1 segment instead of 3") != NULL, "says: %s",
	   err.msg);
	is_int(proto_token_verify(&t, "a.b", TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "two segments");
	is_int(proto_token_verify(&t, TS_PLAIN ".x", TS_SECRET, NULL, NOW,
				  &err),
	       -EBADMSG, "four segments");
	is_int(proto_token_verify(&t, "eyJ*.e30.AAAA", TS_SECRET, NULL, NOW,
				  &err),
	       -EBADMSG, "bad base64url in the header");
	is_int(err.offset, 3, "offset of '*'");
	is_int(proto_token_verify(&t, "", TS_SECRET, NULL, NOW, &err), -EBADMSG,
	       "empty token");
	/* signature of the wrong length */
	is_int(proto_token_verify(
		       &t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.AAAA",
		       TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "short signature");
	/* wrong alg: {"alg":"none","typ":"JWT"} and HS512 */
	is_int(proto_token_verify(&t,
				  "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.e30.",
				  TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "alg none");
	ok(strstr(err.msg, "alg must be \"HS256\"") != NULL, "says: %s",
	   err.msg);
	is_int(proto_token_verify(&t,
				  "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.e30."
				  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				  TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "alg HS512");

	/* Signed but malformed claims: minted here with a bad payload. */
	proto_token_init(&t, "x");
	t.extra = parse("{\"grants\":1}");
	cJSON_Delete(t.grants);
	t.grants = parse("[{\"name\":\"api\",\"scope\":{\"sync\":{\"paths\":"
			 "[{\"read_only\":true}]}}}]");
	proto_token_mint(&jwt, &t, TS_SECRET);
	proto_token_free(&t);
	is_int(proto_token_verify(&t, jwt, TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "path grant without a path");
	ok(strstr(err.msg, "sync.paths[0] needs a string 'path'") != NULL,
	   "says: %s", err.msg);
	free(jwt);
	proto_token_init(&t, "x");
	cJSON_Delete(t.grants);
	t.grants = parse("[{\"name\":\"room\",\"scope\":5}]");
	proto_token_mint(&jwt, &t, TS_SECRET);
	proto_token_free(&t);
	is_int(proto_token_verify(&t, jwt, TS_SECRET, NULL, NOW, &err),
	       -EBADMSG, "room grant with a number scope");
	free(jwt);
	/* decode without verifying */
	is_int(proto_token_decode(&t, TS_APIKEY, NULL), 0, "decode");
	is_str(t.kid, "fa3f839c-cdaa-47a5-9612-ae3e99899fb9",
	       "kid without the secret");
	proto_token_free(&t);
}

static void test_api_key(void)
{
	struct proto_api_key k;
	struct util_error err;
	char *s;

	is_int(proto_api_key_parse(&k, API_KEY, NULL), 0, "parse API key");
	is_str(k.id, "fa3f839c-cdaa-47a5-9612-ae3e99899fb9", "key id (§2.5)");
	is_str(k.project_id, "fc1e793c-b556-496b-bf07-8182b844e058",
	       "project id (§2.5)");
	is_str(k.secret, API_SECRET, "secret with dashes (§2.5)");
	is_int(proto_api_key_format(&s, k.id, k.project_id, k.secret), 0,
	       "format");
	is_str(s, API_KEY, "format is the inverse");
	free(s);
	proto_api_key_free(&k);
	is_int(proto_api_key_parse(&k, "mb-x-y-z", &err), -EINVAL,
	       "wrong prefix");
	is_int(proto_api_key_parse(&k, "ma-.j.DnM2qR6WWEq4.mYmfuQ-secret",
				   &err),
	       -EINVAL, "missing project");
	is_int(proto_api_key_parse(&k,
				   "ma-.j.DnM2qR6WWEq4.mYmf-_B55PLVWSWu_"
				   "B4GCuETgWA-s",
				   &err),
	       -EINVAL, "short key id");
	ok(strstr(err.msg, "key id has 20 characters") != NULL, "says: %s",
	   err.msg);
	is_int(proto_api_key_parse(&k,
				   "ma-.j.DnM2qR6WWEq4.mYmfu*-_B55PLVWSWu_"
				   "B4GCuETgWA-s",
				   &err),
	       -EINVAL, "bad character in key id");
	is_int(err.offset, 24, "offset of '*'");
	is_int(proto_api_key_parse(&k,
				   "ma-.j.DnM2qR6WWEq4.mYmfuQ-_B55PLVWSWu_"
				   "B4GCuETgWA-",
				   &err),
	       -EINVAL, "empty secret");
}

static void test_grants(void)
{
	static const struct {
		const char *path;
		enum proto_access sync;
		enum proto_access storage;
	} table[] = {
		/* sync: "docs/" + '*' read-only, a.thread writable;
		 * storage: pub/ read-only (and nothing else) */
		{ "docs/x.thread", PROTO_ACCESS_READ, PROTO_ACCESS_NONE },
		{ "docs/", PROTO_ACCESS_READ, PROTO_ACCESS_NONE },
		{ "docs", PROTO_ACCESS_NONE, PROTO_ACCESS_NONE },
		{ "docs/*", PROTO_ACCESS_READ, PROTO_ACCESS_NONE },
		{ "a.thread", PROTO_ACCESS_WRITE, PROTO_ACCESS_NONE },
		{ "a.thread2", PROTO_ACCESS_NONE, PROTO_ACCESS_NONE },
		{ "pub/f.txt", PROTO_ACCESS_NONE, PROTO_ACCESS_READ },
		{ "pub/", PROTO_ACCESS_NONE, PROTO_ACCESS_READ },
		{ "pub", PROTO_ACCESS_NONE, PROTO_ACCESS_NONE },
		{ "public/x", PROTO_ACCESS_NONE, PROTO_ACCESS_NONE },
	};
	struct proto_token t;
	size_t i;

	proto_token_verify(&t, TS_PATHS, TS_SECRET, NULL, NOW, NULL);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		is_int(proto_token_sync_access(&t, table[i].path),
		       table[i].sync, nm("sync access to %s", table[i].path));
		is_int(proto_token_storage_access(&t, table[i].path),
		       table[i].storage,
		       nm("storage access to %s", table[i].path));
	}
	is_str(proto_token_role(&t), "user", "no role grant: user");
	ok(!proto_token_api_allows(&t, "messaging"), "absent scope denied");
	proto_token_free(&t);

	/* first match decides; empty paths deny; no api grant denies */
	proto_token_init(&t, "x");
	proto_token_add_grant(&t, "role", "agent");
	proto_token_add_api_grant(
		&t,
		parse("{\"storage\":{\"paths\":[{\"path\":\"a/\"},{\"path\":"
		      "\"a/b\",\"read_only\":true}]},\"sync\":{\"paths\":"
		      "[]},\"database\":{}}"));
	is_int(proto_token_storage_access(&t, "a/b/c"), PROTO_ACCESS_WRITE,
	       "storage: first match (a/) decides");
	is_int(proto_token_sync_access(&t, "a/b"), PROTO_ACCESS_NONE,
	       "sync: empty paths deny everything");
	ok(proto_token_api_allows(&t, "dataset"), "database alias of dataset");
	is_str(proto_token_role(&t), "agent", "role agent");
	is_int(proto_token_add_api_grant(&t, cJSON_CreateObject()), -EEXIST,
	       "a second api grant is refused");
	proto_token_free(&t);
	proto_token_init(&t, "x");
	is_int(proto_token_storage_access(&t, "a"), PROTO_ACCESS_NONE,
	       "no api grant: denied");
	ok(!proto_token_room(&t), "no room grant");
	proto_token_free(&t);
}

int main(void)
{
	plan_no_plan();
	test_byte_example();
	test_slicing();
	test_reader_errors();
	test_json();
	test_packed();
	test_content_emit();
	test_content_parse();
	test_appendix_a();
	test_chunk_parse();
	test_handshake_events();
	test_token_sdk();
	test_token_errors();
	test_api_key();
	test_grants();
	text_of(NULL);
	return done_testing();
}
