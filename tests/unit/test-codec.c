/* SPDX-License-Identifier: MIT */
/*
 * test-codec.c - unit tests of the codec layer (buf.c, utf.c, any.c,
 * json.c): every L1 vector of spec/yjs-vectors (produced by lib0 0.2.120),
 * reader error cases with their byte offsets, and JSON text checked against
 * strings printed by node 20 (JSON.stringify / JSON.parse), pasted here as
 * literals so that the test needs no node at run time.  The last section
 * checks the read views of view.c on updates made by yjs 13.6.33 (the
 * spec/yjs-vectors V2, V2b, V2c, V5, V6, V7 and a few more documents).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "tap.h"
#include "testutil.h"

/* is_hex of what b holds. */
static int is_buf_hex(const struct y_buf *b, const char *hex, const char *name)
{
	return is_hex(b->data, b->len, hex, name);
}

/* ---- L1: varUint / varInt / varString ---------------------------------- */

static const struct {
	uint64_t v;
	const char *hex;
} var_uint_vec[] = {
	{ 0, "00" },
	{ 1, "01" },
	{ 127, "7f" },
	{ 128, "8001" },
	{ 300, "ac02" },
	{ 16383, "ff7f" },
	{ 16384, "808001" },
	{ 4294967295u, "ffffffff0f" },
	{ 9007199254740991ull, "ffffffffffffff0f" },
};

static const struct {
	double v;
	const char *hex;
} var_int_vec[] = {
	{ 0, "00" },
	{ -0.0, "40" },
	{ 1, "01" },
	{ -1, "41" },
	{ 63, "3f" },
	{ -63, "7f" },
	{ 64, "8001" },
	{ -64, "c001" },
	{ 8191, "bf7f" },
	{ 8192, "808001" },
	{ 2147483647, "bfffffff0f" },
	{ -2147483647, "ffffffff0f" },
};

static const struct {
	const char *s;
	size_t len;
	const char *hex;
} var_string_vec[] = {
	{ "", 0, "00" },
	{ "abc", 3, "03616263" },
	{ "\xc3\xa9", 2, "02c3a9" },
	{ "\xf0\x9f\x98\x80", 4, "04f09f9880" },
	{ "a\0b", 3, "03610062" },
};

static void test_var(void)
{
	struct y_buf b;
	struct y_reader r;
	struct y_error err;
	uint8_t in[32];
	size_t i, n;

	for (i = 0; i < sizeof(var_uint_vec) / sizeof(var_uint_vec[0]); i++) {
		uint64_t got = 12345;

		y_buf_init(&b);
		y_buf_put_var_uint(&b, var_uint_vec[i].v);
		is_buf_hex(&b, var_uint_vec[i].hex, "varUint encode");
		y_buf_release(&b);
		n = unhex(in, var_uint_vec[i].hex);
		y_reader_init(&r, in, n, &err);
		ok(!y_read_var_uint(&r, &got) && got == var_uint_vec[i].v &&
			   r.pos == n,
		   "varUint decode %s", var_uint_vec[i].hex);
	}
	for (i = 0; i < sizeof(var_int_vec) / sizeof(var_int_vec[0]); i++) {
		double got = 12345;

		y_buf_init(&b);
		y_buf_put_var_int(&b, var_int_vec[i].v);
		is_buf_hex(&b, var_int_vec[i].hex, "varInt encode");
		y_buf_release(&b);
		n = unhex(in, var_int_vec[i].hex);
		y_reader_init(&r, in, n, &err);
		ok(!y_read_var_int(&r, &got) && got == var_int_vec[i].v &&
			   !!signbit(got) == !!signbit(var_int_vec[i].v) &&
			   r.pos == n,
		   "varInt decode %s", var_int_vec[i].hex);
	}
	for (i = 0; i < sizeof(var_string_vec) / sizeof(var_string_vec[0]);
	     i++) {
		const char *p;
		size_t len;

		y_buf_init(&b);
		y_buf_put_var_string(&b, var_string_vec[i].s,
				     var_string_vec[i].len);
		is_buf_hex(&b, var_string_vec[i].hex, "varString encode");
		y_buf_release(&b);
		n = unhex(in, var_string_vec[i].hex);
		y_reader_init(&r, in, n, &err);
		ok(!y_read_var_string(&r, &p, &len) &&
			   len == var_string_vec[i].len &&
			   !memcmp(p, var_string_vec[i].s, len) && r.pos == n,
		   "varString decode %s", var_string_vec[i].hex);
	}
}

/* A reader over hex that must fail with msg at offset. */
static void check_fail(const char *hex, int which, size_t offset,
		       const char *msg)
{
	struct y_reader r;
	struct y_error err;
	uint8_t in[64];
	size_t n = unhex(in, hex);
	uint64_t u;
	double d;
	const char *p;
	size_t len;
	struct y_any a;
	int ret;

	y_reader_init(&r, in, n, &err);
	switch (which) {
	case 0:
		ret = y_read_var_uint(&r, &u);
		break;
	case 1:
		ret = y_read_var_int(&r, &d);
		break;
	case 2:
		ret = y_read_var_string(&r, &p, &len);
		break;
	default:
		ret = y_read_any(&r, &a);
		y_any_clear(&a);
		break;
	}
	is_int(ret, -EBADMSG, hex);
	is_int(err.offset, offset, "  error offset");
	is_str(err.msg, msg, "  error message");
}

static void test_read_errors(void)
{
	struct y_reader r;
	struct y_error err;
	uint8_t in[600];
	uint64_t u = 99;
	double d;
	int64_t i64;
	size_t n, i;

	/* accepted non-canonical forms (lib0 accepts them) */
	n = unhex(in, "8000");
	y_reader_init(&r, in, n, &err);
	ok(!y_read_var_uint(&r, &u) && u == 0 && r.pos == 2, "varUint 80 00");
	n = unhex(in, "80808080808080808000");
	y_reader_init(&r, in, n, &err);
	ok(!y_read_var_uint(&r, &u) && u == 0 && r.pos == 10,
	   "varUint 10-byte zero");
	n = unhex(in, "ff80808080808000");
	y_reader_init(&r, in, n, &err);
	ok(!y_read_var_uint(&r, &u) && u == 127, "varUint padded 127");

	check_fail("", 0, 0, "Unexpected end of array at byte 0");
	check_fail("80", 0, 0, "Unexpected end of array at byte 0");
	check_fail("ff8080", 0, 0, "Unexpected end of array at byte 0");
	check_fail("8080808080808080808000", 0, 0, "Overlong varint at byte 0");
	/* 2^53 */
	check_fail("8080808080808010", 0, 0, "Integer out of Range at byte 0");
	check_fail("ffffffffffffffff7f", 0, 0,
		   "Integer out of Range at byte 0");
	check_fail("c0", 1, 0, "Unexpected end of array at byte 0");
	check_fail("8080808080808080808000", 1, 0, "Overlong varint at byte 0");
	/* varInt 2^53 : 6 bits + 47 bits */
	check_fail("808080808080808002", 1, 0,
		   "Integer out of Range at byte 0");
	check_fail("0561", 2, 0, "Unexpected end of array at byte 0");
	check_fail("02c080", 2, 1, "Invalid UTF-8 in string at byte 1");
	check_fail("0361eda080", 2, 2, "Invalid UTF-8 in string at byte 2");
	check_fail("04f4908080", 2, 1, "Invalid UTF-8 in string at byte 1");
	check_fail("0261e2", 2, 2, "Invalid UTF-8 in string at byte 2");
	check_fail("03e08080", 2, 1, "Invalid UTF-8 in string at byte 1");
	check_fail("04f0808080", 2, 1, "Invalid UTF-8 in string at byte 1");
	check_fail("01ff", 2, 1, "Invalid UTF-8 in string at byte 1");
	check_fail("73", 3, 0, "Unknown Any tag 115 at byte 0");
	check_fail("75027d00", 3, 4, "Unexpected end of array at byte 4");
	check_fail("75ffffffff0f", 3, 6, "Unexpected end of array at byte 6");
	check_fail("76ffffffff0f01617f", 3, 9,
		   "Unexpected end of array at byte 9");
	check_fail("7c0000", 3, 1, "Unexpected end of array at byte 1");
	check_fail("7602016177026262", 3, 8,
		   "Unexpected end of array at byte 8");

	/* nesting deeper than Y_ANY_MAX_DEPTH */
	for (i = 0; i < 2 * (Y_ANY_MAX_DEPTH + 2); i += 2) {
		in[i] = 0x75;
		in[i + 1] = 0x01;
	}
	in[i] = 0x7f;
	{
		struct y_any a;

		y_reader_init(&r, in, i + 1, &err);
		is_int(y_read_any(&r, &a), -EBADMSG, "Any depth limit");
		is_str(err.msg, "Any nested too deeply at byte 514",
		       "  message");
		y_any_clear(&a);
		/* exactly the limit is fine */
		y_reader_init(&r, in + 4, i - 3, &err);
		is_int(y_read_any(&r, &a), 0, "Any at the depth limit");
		y_any_clear(&a);
	}

	/* first error wins */
	n = unhex(in, "80");
	y_reader_init(&r, in, n, &err);
	y_read_var_uint(&r, &u);
	y_reader_fail(&r, "later");
	is_str(err.msg, "Unexpected end of array at byte 0",
	       "first error wins");
	y_reader_init(&r, in, n, NULL);
	is_int(y_read_var_uint(&r, &u), -EBADMSG, "NULL err is fine");
	n = unhex(in, "01020304050607");
	y_reader_init(&r, in, n, &err);
	is_int(y_read_i64(&r, &i64), -EBADMSG, "i64 past the end");
	is_int(y_read_f64(&r, &d), -EBADMSG, "f64 past the end");
	is_int(r.pos, 0, "  pos unchanged");
}

/* ---- fixed-width numbers ---------------------------------------------- */

static void test_fixed(void)
{
	struct y_buf b;
	struct y_reader r;
	uint8_t in[16];
	double d, nan2;
	float f;
	int64_t i64;
	uint64_t bits = 0x7ff0000000000001ull;

	y_buf_init(&b);
	y_buf_put_f32(&b, 1.5f);
	y_buf_put_f64(&b, 0.1);
	y_buf_put_i64(&b, -2);
	memcpy(&nan2, &bits, 8);
	y_buf_put_f64(&b, nan2);
	y_buf_put_f32(&b, (float)nan2);
	is_buf_hex(
		&b,
		"3fc000003fb999999999999afffffffffffffffe7ff80000000000007fc00000",
		"f32/f64/i64 big-endian, NaN canonical");
	y_reader_init(&r, b.data, b.len, NULL);
	ok(!y_read_f32(&r, &f) && f == 1.5f, "read f32");
	ok(!y_read_f64(&r, &d) && d == 0.1, "read f64");
	ok(!y_read_i64(&r, &i64) && i64 == -2, "read i64");
	ok(!y_read_f64(&r, &d) && isnan(d), "read NaN");
	y_buf_release(&b);
	(void)in;
}

/* ---- UTF-8 / UTF-16 ---------------------------------------------------- */

static void test_utf(void)
{
	/* "a😀é€" : 1 + 4 + 2 + 3 bytes, 1 + 2 + 1 + 1 units */
	const char *s = "a\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac";
	size_t len = strlen(s);
	bool mid;

	ok(y_utf8_valid(s, len), "valid UTF-8");
	ok(y_utf8_valid("a\0b", 3), "NUL is valid");
	ok(y_utf8_valid("\xef\xbb\xbf", 3), "BOM is valid");
	ok(y_utf8_valid("\xf4\x8f\xbf\xbf", 4), "U+10FFFF valid");
	ok(!y_utf8_valid("\xf4\x90\x80\x80", 4), "U+110000 invalid");
	ok(!y_utf8_valid("\xed\xa0\x80", 3), "surrogate invalid");
	ok(y_utf8_valid("\xed\x9f\xbf", 3), "U+D7FF valid");
	ok(!y_utf8_valid("\xc1\xbf", 2), "overlong 2-byte invalid");
	ok(!y_utf8_valid("\xe0\x9f\xbf", 3), "overlong 3-byte invalid");
	ok(!y_utf8_valid("\xf0\x8f\xbf\xbf", 4), "overlong 4-byte invalid");
	ok(!y_utf8_valid("\x80", 1), "lone continuation invalid");
	ok(!y_utf8_valid("\xf0\x9f\x98", 3), "truncated invalid");
	ok(!y_utf8_valid("\xf8\x88\x80\x80\x80", 5), "5-byte invalid");
	is_int(y_utf8_invalid_at("ab\xc3", 3), 2, "invalid_at");

	is_int(y_utf16_len(s, len), 5, "utf16 len");
	is_int(y_utf16_len("", 0), 0, "utf16 len empty");
	is_int(y_utf8_offset(s, len, 0, &mid), 0, "offset 0");
	ok(!mid, "  not mid");
	is_int(y_utf8_offset(s, len, 1, &mid), 1, "offset 1");
	ok(!mid, "  not mid");
	is_int(y_utf8_offset(s, len, 2, &mid), 1, "offset 2 mid-surrogate");
	ok(mid, "  mid set");
	is_int(y_utf8_offset(s, len, 3, &mid), 5, "offset 3");
	ok(!mid, "  not mid");
	is_int(y_utf8_offset(s, len, 4, &mid), 7, "offset 4");
	is_int(y_utf8_offset(s, len, 5, &mid), 10, "offset 5 = end");
	ok(!mid, "  not mid");
	is_int(y_utf8_offset(s, len, 9, NULL), 10, "offset past end clamps");
}

/* ---- Any ----------------------------------------------------------------- */

static void any_str(struct y_any *a, const char *s)
{
	y_any_init_string(a, s, strlen(s));
}

static void obj_set(struct y_any *o, const char *k, const struct y_any *v)
{
	y_any_object_set(o, k, strlen(k), v);
}

static void check_any(const struct y_any *v, const char *hex, const char *name)
{
	struct y_buf b;
	struct y_reader r;
	struct y_error err;
	struct y_any back;
	uint8_t in[64];
	size_t n;

	y_buf_init(&b);
	y_buf_put_any(&b, v);
	is_buf_hex(&b, hex, name);
	y_buf_release(&b);
	n = unhex(in, hex);
	y_reader_init(&r, in, n, &err);
	if (!ok(!y_read_any(&r, &back) && r.pos == n, "  decode %s", hex))
		return;
	ok(y_any_equal(&back, v), "  decoded value equal");
	y_buf_init(&b);
	y_buf_put_any(&b, &back);
	is_buf_hex(&b, hex, "  re-encode");
	y_buf_release(&b);
	y_any_clear(&back);
}

static void check_num(double x, const char *hex, const char *name)
{
	struct y_any a;

	y_any_init_number(&a, x);
	check_any(&a, hex, name);
}

static void test_any_vectors(void)
{
	struct y_any a, b, c;
	static const uint8_t bytes[] = { 1, 2, 255 };

	y_any_init_undefined(&a);
	check_any(&a, "7f", "any undefined");
	y_any_init_null(&a);
	check_any(&a, "7e", "any null");
	y_any_init_bool(&a, true);
	check_any(&a, "78", "any true");
	y_any_init_bool(&a, false);
	check_any(&a, "79", "any false");
	check_num(0, "7d00", "any 0");
	check_num(-0.0, "7d40", "any -0");
	check_num(42, "7d2a", "any 42");
	check_num(-42, "7d6a", "any -42");
	check_num(2147483647, "7dbfffffff0f", "any 2147483647");
	check_num(2147483648.0, "7c4f000000", "any 2147483648");
	check_num(-2147483648.0, "7ccf000000", "any -2147483648");
	check_num(1.5, "7c3fc00000", "any 1.5");
	check_num(0.1, "7b3fb999999999999a", "any 0.1");
	check_num(-2.75, "7cc0300000", "any -2.75");
	check_num(1e300, "7b7e37e43c8800759c", "any 1e+300");
	check_num(NAN, "7b7ff8000000000000", "any NaN");
	check_num(INFINITY, "7c7f800000", "any Infinity");
	check_num(9007199254740992.0, "7c5a000000", "any 2^53");
	/* not in the vectors: float32 test boundaries */
	check_num(3.4028234663852886e38, "7c7f7fffff", "any FLT_MAX");
	/* lib0 0.2.120 writeAny of these, from node */
	check_num(-3.4028234663852886e38, "7cff7fffff", "any -FLT_MAX");
	check_num(3.4028235677973366e38, "7b47effffff0000000",
		  "any FLT_MAX + half ulp (float32 rounds it to Infinity)");
	check_num(3.4028235677973362e38, "7b47efffffefffffff",
		  "any just above FLT_MAX (float32 rounds it to FLT_MAX)");
	check_num(1e39, "7b48078287f49c4a1d", "any 1e39 (beyond float32)");
	check_num(1.401298464324817e-45, "7c00000001",
		  "any float32 denormal min");
	check_num(7e-46, "7b368ff868bf4d956a", "any 7e-46 (below float32)");
	y_any_init_bigint(&a, 12345678901234ll);
	check_any(&a, "7a00000b3a73ce2ff2", "any 12345678901234n");
	y_any_init_bigint(&a, -1);
	check_any(&a, "7affffffffffffffff", "any -1n");

	any_str(&a, "hi");
	check_any(&a, "77026869", "any \"hi\"");
	y_any_clear(&a);

	y_any_init_array(&a);
	y_any_init_number(&b, 1);
	y_any_array_push(&a, &b);
	any_str(&b, "a");
	y_any_array_push(&a, &b);
	y_any_clear(&b);
	check_any(&a, "75027d01770161", "any [1,\"a\"]");
	y_any_clear(&a);

	y_any_init_object(&a);
	y_any_init_number(&b, 1);
	obj_set(&a, "a", &b);
	y_any_init_null(&b);
	obj_set(&a, "b", &b);
	check_any(&a, "760201617d0101627e", "any {a:1,b:null}");
	y_any_clear(&a);

	y_any_init_bytes(&a, bytes, 3);
	check_any(&a, "74030102ff", "any Uint8Array[1,2,255]");
	y_any_clear(&a);

	/* {2:"x",1:"y",z:0} is reordered to "1","2","z" as JS does */
	y_any_init_object(&a);
	any_str(&b, "x");
	obj_set(&a, "2", &b);
	y_any_clear(&b);
	any_str(&b, "y");
	obj_set(&a, "1", &b);
	y_any_clear(&b);
	y_any_init_number(&b, 0);
	obj_set(&a, "z", &b);
	check_any(&a, "760301317701790132770178017a7d00",
		  "any {2:\"x\",1:\"y\",z:0} -> JS order");
	is_int(a.obj.len, 3, "  3 entries");
	is_str(a.obj.entries[0].key, "1", "  first key 1");

	/* the same object on the wire in insertion order reads back reordered */
	{
		struct y_reader r;
		struct y_buf buf;
		uint8_t in[64];
		size_t n = unhex(in, "760301327701780131770179017a7d00");

		y_reader_init(&r, in, n, NULL);
		ok(!y_read_any(&r, &c) && y_any_equal(&c, &a),
		   "wire {2,1,z} decodes equal");
		is_str(c.obj.entries[0].key, "1", "  reordered on decode");
		y_buf_init(&buf);
		y_buf_put_any(&buf, &c);
		is_buf_hex(&buf, "760301317701790132770178017a7d00",
			   "  re-encoded in JS order");
		y_buf_release(&buf);
		y_any_clear(&c);

		/* spec 1.7: {b:1, "__proto__":{x:1}, "10":2, b:3} */
		n = unhex(in, "760401627d01095f5f70726f746f5f5f760101787d0102"
			      "31307d0201627d03");
		y_reader_init(&r, in, n, NULL);
		ok(!y_read_any(&r, &c) && r.pos == n,
		   "wire object with dup and __proto__");
		y_buf_init(&buf);
		y_buf_put_any(&buf, &c);
		is_buf_hex(&buf,
			   "7602023130"
			   "7d02"
			   "0162"
			   "7d03",
			   "  re-encoded as yjs does");
		y_buf_release(&buf);
		y_any_clear(&c);
	}
	y_any_clear(&a);
}

static void test_any_api(void)
{
	struct y_any o, v, w, cp;
	const struct y_any *g;

	y_any_init_object(&o);
	y_any_init_number(&v, 1);
	obj_set(&o, "b", &v);
	obj_set(&o, "__proto__", &v);
	is_int(o.obj.len, 1, "object_set drops __proto__");
	y_any_init_number(&v, 2);
	obj_set(&o, "10", &v);
	obj_set(&o, "a", &v);
	obj_set(&o, "01", &v);
	obj_set(&o, "4294967295", &v);
	obj_set(&o, "4294967294", &v);
	obj_set(&o, "0", &v);
	y_any_init_number(&v, 3);
	obj_set(&o, "b", &v);
	{
		const char *want[] = { "0", "10", "4294967294", "b",
				       "a", "01", "4294967295" };
		size_t i;
		bool good = o.obj.len == 7;

		for (i = 0; good && i < 7; i++)
			good = !strcmp(o.obj.entries[i].key, want[i]);
		ok(good, "object_set keeps JS property order");
	}
	g = y_any_object_get(&o, "b", 1);
	ok(g && g->kind == Y_ANY_NUMBER && g->num == 3,
	   "duplicate set takes the last value");
	ok(!y_any_object_get(&o, "zz", 2), "get absent");
	ok(!y_any_object_get(&o, "__proto__", 9), "__proto__ absent");

	is_int(y_any_copy(&cp, &o), 0, "copy");
	ok(y_any_equal(&cp, &o), "copy equal");
	y_any_init_number(&v, 4);
	obj_set(&cp, "a", &v);
	ok(!y_any_equal(&cp, &o), "changed copy differs");
	y_any_clear(&cp);

	/* equality ignores position */
	y_any_init_object(&v);
	y_any_init_object(&w);
	y_any_init_null(&cp);
	obj_set(&v, "x", &cp);
	obj_set(&v, "y", &cp);
	v.obj.entries[0].key[0] = 'y';
	v.obj.entries[1].key[0] = 'x';
	obj_set(&w, "x", &cp);
	obj_set(&w, "y", &cp);
	ok(y_any_equal(&v, &w), "object equality by content");
	y_any_clear(&w);
	y_any_init_number(&cp, NAN);
	y_any_init_number(&w, NAN);
	ok(y_any_equal(&cp, &w), "NaN equals NaN");
	y_any_init_number(&w, 1);
	ok(!y_any_equal(&cp, &w), "NaN != 1");
	y_any_clear(&v);
	y_any_clear(&o);

	y_any_init_array(&o);
	is_int(y_any_object_set(&o, "a", 1, &w), -EINVAL, "set on array");
	y_any_init_object(&v);
	is_int(y_any_array_push(&v, &w), -EINVAL, "push on object");
	y_any_clear(&o);
	y_any_clear(&v);
}

/* ---- JSON text ------------------------------------------------------------ */

/* Expected strings printed by node 20: JSON.stringify(x) */
static const struct {
	double v;
	const char *json;
} num_vec[] = {
	{ 1e+21, "1e+21" },
	{ 1e-7, "1e-7" },
	{ 123456789.125, "123456789.125" },
	{ 0.1, "0.1" },
	{ 5e-324, "5e-324" },
	{ 1.7976931348623157e+308, "1.7976931348623157e+308" },
	{ -0.0, "0" },
	{ 100.0, "100" },
	{ 100000000000000000000.0, "100000000000000000000" },
	{ 0.000001, "0.000001" },
	{ 1.5e-7, "1.5e-7" },
	{ 9007199254740992.0, "9007199254740992" },
	{ 1.23e-18, "1.23e-18" },
	{ -1.5, "-1.5" },
	{ 0.30000000000000004, "0.30000000000000004" },
	{ 0.3333333333333333, "0.3333333333333333" },
	{ 1.5e-323, "1.5e-323" },
	{ 9.5367431640625e-7, "9.5367431640625e-7" },
	{ 0.00001, "0.00001" },
	{ 123456789012345680000.0, "123456789012345680000" },
	{ 1.2345e+21, "1.2345e+21" },
	{ 4.35, "4.35" },
	{ 9223372036854776000.0, "9223372036854776000" },
	{ 5e-7, "5e-7" },
	{ -1e-7, "-1e-7" },
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ 1e+23, "1e+23" },
	{ 0.000123, "0.000123" },
	{ 1234.5678, "1234.5678" },
	/* powers of two where the nearest 16-digit decimal does not round
	 * trip but the next one up does (shortest = 16 digits, not 17) */
	{ 6.189700196426902e+26, "6.189700196426902e+26" },
	{ 5.282945311356653e+269, "5.282945311356653e+269" },
	{ 5.351097043477547e-197, "5.351097043477547e-197" },
};

static void check_json(const struct y_any *v, const char *want,
		       const char *name)
{
	char *out = NULL;
	size_t len = 0;

	is_int(y_any_to_json(&out, &len, v), 0, name);
	is_str(out, want, "  text");
	ok(out && strlen(out) == len, "  length");
	free(out);
}

static void check_number_text(void)
{
	struct y_buf b;
	size_t i;

	for (i = 0; i < sizeof(num_vec) / sizeof(num_vec[0]); i++) {
		y_buf_init(&b);
		y_json_put_number(&b, num_vec[i].v);
		y_buf_put_u8(&b, 0);
		is_str((char *)b.data, num_vec[i].json, num_vec[i].json);
		y_buf_release(&b);
	}
	y_buf_init(&b);
	y_json_put_number(&b, NAN);
	y_buf_put_u8(&b, ',');
	y_json_put_number(&b, -INFINITY);
	y_buf_put_u8(&b, ',');
	y_js_put_number_string(&b, NAN);
	y_buf_put_u8(&b, ',');
	y_js_put_number_string(&b, INFINITY);
	y_buf_put_u8(&b, ',');
	y_js_put_number_string(&b, -INFINITY);
	y_buf_put_u8(&b, ',');
	y_js_put_number_string(&b, -0.0);
	y_buf_put_u8(&b, 0);
	is_str((char *)b.data, "null,null,NaN,Infinity,-Infinity,0",
	       "non-finite numbers");
	y_buf_release(&b);
}

static void test_json_stringify(void)
{
	struct y_any a, b;
	static const uint8_t bytes[] = { 1, 2, 255 };
	/* JSON.stringify("a\0\x01\x1f\b\f\n\r\t\"\\/\x7f\u2028\u2029😀é") */
	static const char s[] = "a\0\x01\x1f\b\f\n\r\t\"\\/\x7f\xe2\x80\xa8"
				"\xe2\x80\xa9\xf0\x9f\x98\x80\xc3\xa9";
	static const char want[] =
		"\"a\\u0000\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\x7f\xe2\x80"
		"\xa8\xe2\x80\xa9\xf0\x9f\x98\x80\xc3\xa9\"";

	check_number_text();

	y_any_init_string(&a, s, sizeof(s) - 1);
	check_json(&a, want, "string escaping");
	y_any_clear(&a);

	/* WTF-8 lone surrogates (from views) escape as JSON.stringify does */
	{
		struct y_buf buf;

		y_buf_init(&buf);
		y_json_put_string(&buf, "a\xed\xa0\xbd\xed\xb8\x80\xed\x9f\xbf",
				  10);
		y_buf_put_u8(&buf, 0);
		is_str((char *)buf.data, "\"a\\ud83d\\ude00\xed\x9f\xbf\"",
		       "WTF-8 surrogates escaped, U+D7FF literal");
		y_buf_release(&buf);
	}

	y_any_init_bytes(&a, bytes, 3);
	check_json(&a, "{\"0\":1,\"1\":2,\"2\":255}", "bytes as JS object");
	y_any_clear(&a);
	y_any_init_bytes(&a, NULL, 0);
	check_json(&a, "{}", "empty bytes");
	y_any_clear(&a);
	y_any_init_bigint(&a, -9223372036854775807ll - 1);
	check_json(&a, "-9223372036854775808", "bigint as integer");
	y_any_init_undefined(&a);
	check_json(&a, "undefined", "top-level undefined");

	/* {a: undefined, b: [undefined, NaN, null, true], c: {}} */
	y_any_init_object(&a);
	y_any_init_undefined(&b);
	obj_set(&a, "a", &b);
	y_any_init_array(&b);
	{
		struct y_any e;

		y_any_init_undefined(&e);
		y_any_array_push(&b, &e);
		y_any_init_number(&e, NAN);
		y_any_array_push(&b, &e);
		y_any_init_null(&e);
		y_any_array_push(&b, &e);
		y_any_init_bool(&e, true);
		y_any_array_push(&b, &e);
	}
	obj_set(&a, "b", &b);
	y_any_clear(&b);
	y_any_init_object(&b);
	obj_set(&a, "c", &b);
	check_json(&a, "{\"b\":[null,null,null,true],\"c\":{}}",
		   "undefined omitted in objects, null in arrays");
	y_any_clear(&a);

	/* String(x) */
	{
		struct y_buf buf;
		struct y_any e, arr;

		y_any_init_array(&arr);
		y_any_init_number(&e, 1.5);
		y_any_array_push(&arr, &e);
		y_any_init_null(&e);
		y_any_array_push(&arr, &e);
		any_str(&e, "x");
		y_any_array_push(&arr, &e);
		y_any_clear(&e);
		y_any_init_object(&e);
		y_any_array_push(&arr, &e);
		y_any_init_undefined(&e);
		y_any_array_push(&arr, &e);
		y_buf_init(&buf);
		/* String([1.5,null,"x",{},undefined]) === '1.5,,x,[object Object],' */
		y_js_put_to_string(&buf, &arr);
		y_buf_put_u8(&buf, '|');
		y_any_init_object(&e);
		y_js_put_to_string(&buf, &e);
		y_buf_put_u8(&buf, '|');
		y_any_init_bytes(&e, bytes, 3);
		y_js_put_to_string(&buf, &e);
		y_any_clear(&e);
		y_buf_put_u8(&buf, '|');
		y_any_init_number(&e, 1e21);
		y_js_put_to_string(&buf, &e);
		y_buf_put_u8(&buf, 0);
		is_str((char *)buf.data,
		       "1.5,,x,[object Object],|[object Object]|1,2,255|1e+21",
		       "JS String()");
		y_buf_release(&buf);
		y_any_clear(&arr);
	}
}

/* Parse `text` (JSON.parse), stringify, compare with node's output. */
static void check_roundtrip(const char *text, const char *want)
{
	struct y_any a;
	struct y_error err;
	char *out = NULL;
	size_t len;
	int ret;

	ret = y_any_from_json(&a, text, strlen(text), &err);
	if (!is_int(ret, 0, text)) {
		diag("error: %s", err.msg);
		return;
	}
	y_any_to_json(&out, &len, &a);
	is_str(out, want, "  stringified as node does");
	free(out);
	y_any_clear(&a);
}

static void check_parse_fail(const char *text, size_t offset, const char *msg)
{
	struct y_any a;
	struct y_error err;

	is_int(y_any_from_json(&a, text, strlen(text), &err), -EBADMSG, text);
	is_int(err.offset, offset, "  offset");
	is_str(err.msg, msg, "  message");
	ok(a.kind == Y_ANY_UNDEFINED, "  out left undefined");
}

static void test_json_parse(void)
{
	struct y_any a;
	struct y_error err;
	char deep[2 * (Y_ANY_MAX_DEPTH + 2) + 1];
	size_t i;

	/* pairs: input, node's JSON.stringify(JSON.parse(input)) */
	check_roundtrip("{\"b\":1,\"__proto__\":2,\"10\":3,\"b\":4,\"2\":5,"
			"\"01\":6,\"4294967295\":7,\"4294967294\":8}",
			"{\"2\":5,\"10\":3,\"4294967294\":8,\"b\":4,"
			"\"__proto__\":2,\"01\":6,\"4294967295\":7}");
	/* lone surrogates become U+FFFD (TextEncoder) where node would keep
	 * them and escape them as \ud800 / \udc00 */
	check_roundtrip(
		"[1,2.5,-0,1e400,\"x\\u00e9\\ud83d\\ude00\\ud800y\\udc00"
		"\",true,false,null,{}, []]",
		"[1,2.5,0,null,\"x\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdy"
		"\xef\xbf\xbd\",true,false,null,{},[]]");
	check_roundtrip(" { \"a\" : [ ] , \"\" : \"\" } ",
			"{\"a\":[],\"\":\"\"}");
	check_roundtrip("\"\\/\\b\"", "\"/\\b\"");
	check_roundtrip("-0.0e-0", "0");
	check_roundtrip("1E+2", "100");
	check_roundtrip("[{\"x\":{\"y\":[1]}}]", "[{\"x\":{\"y\":[1]}}]");
	check_roundtrip("\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\"");
	check_roundtrip("\" \\t\"", "\" \\t\"");

	ok(!y_any_from_json(&a, "-0", 2, NULL) && signbit(a.num),
	   "-0 parses as -0");
	ok(!y_any_from_json(&a, " undefined\n", 11, &err) &&
		   a.kind == Y_ANY_UNDEFINED,
	   "bare undefined");
	ok(!y_any_from_json(&a, "\"a\\u0000b\"", 10, &err) &&
		   a.kind == Y_ANY_STRING && a.str.len == 3 &&
		   !memcmp(a.str.ptr, "a\0b", 3),
	   "\\u0000 inside a string");
	y_any_clear(&a);
	ok(!y_any_from_json(&a, "{\"__proto__\":1}", 15, &err) &&
		   a.obj.len == 1,
	   "__proto__ is an own key in JSON.parse");
	y_any_clear(&a);

	check_parse_fail("", 0, "Unexpected end of JSON input at byte 0");
	check_parse_fail("[1,]", 3, "Unexpected token ']' in JSON at byte 3");
	check_parse_fail("[1 2]", 3, "Unexpected token '2' in JSON at byte 3");
	check_parse_fail("{\"a\":1,}", 7,
			 "Unexpected token '}' in JSON at byte 7");
	check_parse_fail("{\"a\" 1}", 5,
			 "Unexpected token '1' in JSON at byte 5");
	check_parse_fail("{a:1}", 1, "Unexpected token 'a' in JSON at byte 1");
	check_parse_fail("01", 1, "Unexpected token '1' in JSON at byte 1");
	check_parse_fail("1.", 2, "Unexpected end of JSON input at byte 2");
	check_parse_fail("1.e5", 2,
			 "Unterminated fractional number in JSON at byte 2");
	check_parse_fail("-x", 1,
			 "No number after minus sign in JSON at byte 1");
	check_parse_fail("1e+", 3, "Unexpected end of JSON input at byte 3");
	check_parse_fail("+1", 0, "Unexpected token '+' in JSON at byte 0");
	check_parse_fail("NaN", 0, "Unexpected token 'N' in JSON at byte 0");
	check_parse_fail("tru", 3, "Unexpected end of JSON input at byte 3");
	check_parse_fail("trux", 3, "Unexpected token 'x' in JSON at byte 3");
	check_parse_fail("\"abc", 4, "Unterminated string in JSON at byte 4");
	check_parse_fail("\"a\nb\"", 2,
			 "Bad control character in string literal in JSON at "
			 "byte 2");
	check_parse_fail("\"\\x\"", 1,
			 "Bad escaped character in JSON at byte 1");
	check_parse_fail("\"\\u12g4\"", 1,
			 "Bad Unicode escape in JSON at byte 1");
	check_parse_fail("[\"\xc3\"]", 2,
			 "Invalid UTF-8 in JSON text at byte 2");
	check_parse_fail("\xef\xbb\xbf{}", 0,
			 "Unexpected byte 0xef in JSON at byte 0");
	check_parse_fail("{} x", 3, "Unexpected token 'x' in JSON at byte 3");
	check_parse_fail("undefined x", 0,
			 "Unexpected token 'u' in JSON at byte 0");
	check_parse_fail("[undefined]", 1,
			 "Unexpected token 'u' in JSON at byte 1");

	for (i = 0; i < Y_ANY_MAX_DEPTH + 2; i++)
		deep[i] = '[';
	for (; i < 2 * (Y_ANY_MAX_DEPTH + 2); i++)
		deep[i] = ']';
	deep[i] = 0;
	check_parse_fail(deep, Y_ANY_MAX_DEPTH + 1,
			 "JSON nested too deeply at byte 257");
	ok(!y_any_from_json(&a, deep + 1, strlen(deep) - 2, NULL),
	   "depth at the limit parses");
	y_any_clear(&a);
}

/* ---- read views (view.c) over updates made by yjs 13.6.33 ----------------- */

static struct y_doc *doc_from_hex(const char *hex)
{
	struct y_doc *doc = NULL;
	struct y_error err;
	size_t n = strlen(hex) / 2;
	uint8_t *u = malloc(n + 1);
	int ret;

	if (!u || y_doc_new(&doc, NULL)) {
		free(u);
		return NULL;
	}
	unhex(u, hex);
	ret = y_doc_apply_update(doc, u, n, &err);
	free(u);
	if (!is_int(ret, 0, "apply update")) {
		diag("%s", err.msg);
		y_doc_free(doc);
		return NULL;
	}
	return doc;
}

static void check_view(int (*fn)(char **, size_t *, struct y_type *),
		       struct y_type *t, const char *want, const char *name)
{
	char *out = NULL;
	size_t len = 0;

	if (!ok(t != NULL, "%s: type", name))
		return;
	is_int(fn(&out, &len, t), 0, name);
	is_str(out, want, "  text");
	ok(!out || strlen(out) == len, "  length");
	free(out);
}

static void check_doc_json(struct y_doc *doc, const char *want,
			   const char *name)
{
	char *out = NULL;
	size_t len = 0;

	is_int(y_doc_to_json(&out, &len, doc), 0, name);
	is_str(out, want, "  text");
	free(out);
}

static struct y_type *child(struct y_type *list, uint64_t i)
{
	struct y_value v;

	if (!list || y_list_get(&v, list, i) || v.kind != Y_VALUE_TYPE)
		return NULL;
	return v.type;
}

static void test_views(void)
{
	struct y_doc *doc;
	struct y_type *t, *r;
	char *out;
	size_t len;

	/* V2 */
	doc = doc_from_hex(
		"01040100070103786d6c03017007000100060400010102686928"
		"000100026964017702613100");
	if (doc) {
		check_doc_json(doc, "{}", "V2 untyped root left out");
		y_doc_root(&r, doc, "xml", Y_XML_FRAGMENT);
		check_view(y_type_to_string, r, "<p id=\"a1\">hi</p>",
			   "V2 frag.toString()");
		check_doc_json(doc, "{\"xml\":\"<p id=\\\"a1\\\">hi</p>\"}",
			       "V2 doc.toJSON()");
		check_view(y_type_to_json, child(child(r, 0), 0), "\"hi\"",
			   "V2 XmlText toJSON");
		y_doc_free(doc);
	}

	/* V2b */
	doc = doc_from_hex(
		"01070700070103786d6c030474657874070007000628000700032469"
		"640177026e31040007010568656c6c6f8407070620776f726c6446"
		"070304626f6c640474727565c60707070804626f6c64046e756c6c"
		"00");
	if (doc) {
		y_doc_root(&r, doc, "xml", Y_XML_ELEMENT);
		check_view(y_type_to_string, r,
			   "<undefined><text $id=\"n1\"><bold>hello</bold> "
			   "world</text></undefined>",
			   "V2b root.toString()");
		check_view(y_type_to_string, child(child(r, 0), 0),
			   "<bold>hello</bold> world", "V2b XmlText toString");
		y_doc_free(doc);
	}

	/* V2c */
	doc = doc_from_hex(
		"01070500070103786d6c0304626f64790700050003017028000501"
		"0324696401770270312800050105636c617373017707636f6e74656e"
		"74870501030170280005040324696401770270322800050003246964"
		"017702623100");
	if (doc) {
		y_doc_root(&r, doc, "xml", Y_XML_ELEMENT);
		check_view(y_type_to_string, r,
			   "<undefined><body $id=\"b1\"><p $id=\"p1\" "
			   "class=\"content\"></p><p $id=\"p2\"></p></body>"
			   "</undefined>",
			   "V2c root.toString()");
		y_doc_free(doc);
	}

	/* V5: the vector shows bigint/undefined/bytes in gen.js's display
	 * form; JSON.stringify omits undefined, renders bytes as an object,
	 * and libyjs renders bigint as an integer */
	doc = doc_from_hex(
		"010e01002801016d046e756c6c017e2801016d05756e646566017f2801016d01"
		"7401782801016d016601792801016d03696e74017d2a2801016d036e6567017d"
		"6a2801016d03626967017c4f0000002801016d03663332017c3fc00000280101"
		"6d03663634017b3fb999999999999a2801016d06626967696e74017a00000b3a"
		"73ce2ff22801016d0373747201770768c3a9f09f98802801016d036f626a0176"
		"0201617d0101627502787e2801016d036172720175037d017701787600230101"
		"6d0362696e0301020300");
	if (doc) {
		y_doc_root(&t, doc, "m", Y_MAP);
		check_view(
			y_type_to_json, t,
			"{\"null\":null,\"t\":true,\"f\":false,\"int\":42,"
			"\"neg\":-42,\"big\":2147483648,\"f32\":1.5,"
			"\"f64\":0.1,\"bigint\":12345678901234,"
			"\"str\":\"hé😀\",\"obj\":{\"a\":1,\"b\":[true,null]},"
			"\"arr\":[1,\"x\",{}],\"bin\":{\"0\":1,\"1\":2,"
			"\"2\":3}}",
			"V5 map toJSON");
		is_int(y_type_to_string(&out, &len, t), -EINVAL,
		       "Map has no toString");
		y_doc_free(doc);
	}

	/* V6 and its state after deleting the nested types */
	doc = doc_from_hex(
		"0107030008010161037d01770374776f76010574687265657d03830302"
		"01098703030128000304016b01770176870304020400030603747874"
		"880306017e00");
	if (doc) {
		y_doc_root(&t, doc, "a", Y_ARRAY);
		check_view(y_type_to_json, t,
			   "[1,\"two\",{\"three\":3},{\"0\":9},{\"k\":\"v\"},"
			   "\"txt\",null]",
			   "V6 array toJSON");
		y_doc_free(doc);
	}
	doc = doc_from_hex(
		"0107030008010161037d01770374776f76010574687265657d03830302"
		"0109810303010001810304010003880306017e0103010406");
	if (doc) {
		y_doc_root(&t, doc, "a", Y_ARRAY);
		check_view(y_type_to_json, t,
			   "[1,\"two\",{\"three\":3},{\"0\":9},null]",
			   "V6 after deleting the nested types");
		y_doc_free(doc);
	}

	/* V7 full state */
	doc = doc_from_hex(
		"01080100040101740568656c6c6f8401040620776f726c64460100"
		"04626f6c640474727565c60104010504626f6c64046e756c6c8601"
		"0a066974616c6963047472756584010d012186010e066974616c69"
		"63046e756c6cc5010c0105117b22696d616765223a22782e706e67"
		"227d00");
	if (doc) {
		y_doc_root(&t, doc, "t", Y_TEXT);
		check_view(y_type_to_string, t, "hello world!", "V7 toString");
		check_view(y_type_to_json, t, "\"hello world!\"", "V7 toJSON");
		check_doc_json(doc, "{\"t\":\"hello world!\"}", "V7 doc");
		y_doc_free(doc);
	}

	/* Made with yjs 13.6.33 (client 9): XmlElement "DiV" with attribute
	 * values of every kind and keys needing UTF-16 order, an XmlText with
	 * nested tags from object/string/array attributes and an embed,
	 * then an XmlText and an empty element.  Expected = frag.toString()
	 * and JSON.stringify(doc.toJSON()) printed by node. */
	doc = doc_from_hex(
		"0120090007010178030344695628000900016201760101717d0128000900016101"
		"7d05280009000163017e28000900015a0175047d017e77017875027d027d0328"
		"0009000231300178280009000139017b444b1ae4d6e2ef502800090004f09f98"
		"80017705656d6f6a692800090003efbc81017704666630310700090006060009"
		"090162027b7d86090a01610c7b2268726566223a2275227d84090b0261628609"
		"0d0162046e756c6c86090e0161046e756c6c86090f05636f6c6f720522726564"
		"22860910016e0135860911016f0d7b227a223a312c2261223a327d8409120263"
		"6486091405636f6c6f72046e756c6c860915016e046e756c6c860916016f046e"
		"756c6cc40914091502656686091701730d226162636465666768696a6b228409"
		"1a016786091b0173046e756c6c86091c016b055b372c385d85091d097b22696d"
		"67223a317d86091e016b046e756c6c8709000604000920047461696c87092003"
		"05656d70747900");
	if (doc) {
		const char *want =
			"<div 10=\"true\" 9=\"1e+21\" Z=\"1,,x,2,3\" a=\"5\" "
			"b=\"[object Object]\" c=\"null\" 😀=\"emoji\" "
			"！=\"ff01\"><a href=\"u\"><b>ab</b></a><color 0=\"r\" "
			"1=\"e\" 2=\"d\"><n><o a=\"2\" z=\"1\">cdef</o></n>"
			"</color><s 0=\"a\" 1=\"b\" 10=\"k\" 2=\"c\" 3=\"d\" "
			"4=\"e\" 5=\"f\" 6=\"g\" 7=\"h\" 8=\"i\" 9=\"j\">g</s>"
			"<k 0=\"7\" 1=\"8\">[object Object]</k></div>tail"
			"<empty></empty>";

		y_doc_root(&r, doc, "x", Y_XML_FRAGMENT);
		check_view(y_type_to_string, r, want, "XML ToString quirks");
		check_doc_json(
			doc,
			"{\"x\":\"<div 10=\\\"true\\\" 9=\\\"1e+21\\\" "
			"Z=\\\"1,,x,2,3\\\" a=\\\"5\\\" b=\\\"[object "
			"Object]\\\" c=\\\"null\\\" 😀=\\\"emoji\\\" "
			"！=\\\"ff01\\\"><a href=\\\"u\\\"><b>ab</b></a><color "
			"0=\\\"r\\\" 1=\\\"e\\\" 2=\\\"d\\\"><n><o a=\\\"2\\\" "
			"z=\\\"1\\\">cdef</o></n></color><s 0=\\\"a\\\" "
			"1=\\\"b\\\" 10=\\\"k\\\" 2=\\\"c\\\" 3=\\\"d\\\" "
			"4=\\\"e\\\" 5=\\\"f\\\" 6=\\\"g\\\" 7=\\\"h\\\" "
			"8=\\\"i\\\" 9=\\\"j\\\">g</s><k 0=\\\"7\\\" "
			"1=\\\"8\\\">[object Object]</k></div>tail<empty>"
			"</empty>\"}",
			"XML doc.toJSON()");
		y_doc_free(doc);
	}

	/* Made with yjs 13.6.33 (client 11): Map with index-like keys,
	 * "__proto__", an undefined value, a deleted key, an overwritten key
	 * and nested Array > Text/XmlHook/XmlFragment, XmlText value */
	doc = doc_from_hex(
		"01170b002101016d0162012801016d02313001770374656e2801016d01320177"
		"0374776f2801016d095f5f70726f746f5f5f017701702801016d023031017708"
		"7a65726f2d6f6e652801016d0175017f2101016d04676f6e65012701016d0361"
		"72720008000b07037d017701787e830b0a020405870b0b0206000b0c04626f6c"
		"640474727565840b0d0a68c3a96c6c6ff09f9880860b1404626f6c64046e756c"
		"6c2701016d0278740606000b1601690474727565840b170171860b180169046e"
		"756c6c870b0c0502686b28000b1a016b01770176870b1a0407000b1c030150a8"
		"0b00017d03010b0200010601");
	if (doc) {
		const char *want =
			"{\"2\":\"two\",\"10\":\"ten\",\"b\":3,\"01\":\"zero-one\","
			"\"arr\":[1,\"x\",null,{\"0\":4,\"1\":5},\"héllo😀\","
			"{\"k\":\"v\"},\"<p></p>\"],\"xt\":\"<i>q</i>\"}";

		y_doc_root(&t, doc, "m", Y_MAP);
		check_view(y_type_to_json, t, want, "Map JS property order");
		y_doc_free(doc);
	}

	/* client 13: XmlText "x" with {s: "😀"}: the string attribute
	 * splits the pair into lone surrogates, which JSON.stringify escapes
	 * and toString's UTF-8 renders as U+FFFD (TextEncoder) */
	doc = doc_from_hex(
		"01040d00070101660606000d0001730622f09f988022840d0101"
		"78860d020173046e756c6c00");
	if (doc) {
		y_doc_root(&r, doc, "f", Y_XML_FRAGMENT);
		check_view(y_type_to_string, r,
			   "<s 0=\"\xef\xbf\xbd\" 1=\"\xef\xbf\xbd\">x</s>",
			   "lone surrogates in toString");
		check_doc_json(doc,
			       "{\"f\":\"<s 0=\\\"\\ud83d\\\" "
			       "1=\\\"\\ude00\\\">x</s>\"}",
			       "lone surrogates in toJSON");
		y_doc_free(doc);
	}

	/* client 12: roots "z" (Array), "5" (Text), "a" (Map {k: -0}) */
	doc = doc_from_hex(
		"01030c000801017a017d0104010135017328010161016b017d4000");
	if (doc) {
		y_doc_root(&t, doc, "z", Y_ARRAY);
		y_doc_root(&t, doc, "5", Y_TEXT);
		check_doc_json(doc, "{\"5\":\"s\",\"z\":[1]}",
			       "doc.toJSON(): index-like root first, untyped "
			       "root left out");
		y_doc_root(&t, doc, "a", Y_MAP);
		check_doc_json(doc, "{\"5\":\"s\",\"z\":[1],\"a\":{\"k\":0}}",
			       "doc.toJSON() of all roots");
		y_doc_free(doc);
	}
}

int main(void)
{
	plan_no_plan();
	test_var();
	test_read_errors();
	test_fixed();
	test_utf();
	test_any_vectors();
	test_any_api();
	test_json_stringify();
	test_json_parse();
	test_views();
	return done_testing();
}
