/* SPDX-License-Identifier: MIT */
/*
 * test-types.c - local editing and read views of the shared types (list.c,
 * map.c, text.c): the update bytes of local edits must equal what yjs
 * 13.6.33 emits for the same calls (spec/yjs-vectors, plus cases generated
 * with real yjs, pasted as hex), and the views must match yjs's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "tap.h"

/* ---- helpers ------------------------------------------------------------ */

#define MAX_UPDATES 32

struct capture {
	uint8_t *u[MAX_UPDATES];
	size_t len[MAX_UPDATES];
	bool local[MAX_UPDATES];
	int n;
};

static void on_update(void *ctx, const uint8_t *update, size_t len, bool local,
		      void *origin)
{
	struct capture *c = ctx;

	(void)origin;
	if (c->n >= MAX_UPDATES)
		return;
	c->u[c->n] = malloc(len ? len : 1);
	memcpy(c->u[c->n], update, len);
	c->len[c->n] = len;
	c->local[c->n] = local;
	c->n++;
}

static void capture_release(struct capture *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->u[i]);
	c->n = 0;
}

static size_t unhex(uint8_t *out, const char *hex)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;

		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static int is_hex(const uint8_t *got, size_t glen, const char *want,
		  const char *name)
{
	uint8_t buf[4096];
	size_t n = unhex(buf, want);

	return is_mem(got, glen, buf, n, name);
}

static struct y_doc *mkdoc(uint64_t client, bool no_gc)
{
	struct y_doc_options o = { client, no_gc };
	struct y_doc *d = NULL;

	if (y_doc_new(&d, &o) < 0)
		bail_out("y_doc_new failed");
	return d;
}

static struct y_type *root(struct y_doc *d, const char *name, enum y_kind k)
{
	struct y_type *t = NULL;

	if (y_doc_root(&t, d, name, k) < 0)
		bail_out("y_doc_root %s failed", name);
	return t;
}

static void check_state(struct y_doc *d, const char *want, const char *name)
{
	uint8_t *u = NULL;
	size_t n = 0;
	int r = y_doc_encode_state_as_update(&u, &n, d, NULL, 0, NULL);

	if (r < 0) {
		ok(0, "%s: encode failed (%d)", name, r);
		return;
	}
	is_hex(u, n, want, name);
	free(u);
}

static void check_update(struct capture *c, int i, const char *want,
			 const char *name)
{
	if (i >= c->n) {
		ok(0, "%s: only %d update events", name, c->n);
		return;
	}
	is_hex(c->u[i], c->len[i], want, name);
}

static void check_string(struct y_type *t, const char *want, const char *name)
{
	char *s = NULL;
	size_t n = 0;

	if (y_text_string(&s, &n, t) < 0) {
		ok(0, "%s: y_text_string failed", name);
		return;
	}
	is_str(s, want, name);
	ok(n == strlen(want), "%s: length", name);
	free(s);
}

/* toDelta as JSON text, like JSON.stringify(text.toDelta()) (nested types
 * rendered as the string "<type>"). */
static char *delta_json(struct y_type *t)
{
	struct y_delta_op *ops = NULL;
	struct y_any arr, o, v;
	char *out = NULL;
	size_t n = 0, i, len;

	if (y_text_delta(&ops, &n, t) < 0)
		return NULL;
	y_any_init_array(&arr);
	for (i = 0; i < n; i++) {
		y_any_init_object(&o);
		if (ops[i].type)
			y_any_init_string(&v, "<type>", 6);
		else
			y_any_copy(&v, &ops[i].insert);
		y_any_object_set(&o, "insert", 6, &v);
		y_any_clear(&v);
		if (ops[i].attrs.kind != Y_ANY_UNDEFINED)
			y_any_object_set(&o, "attributes", 10, &ops[i].attrs);
		y_any_array_push(&arr, &o);
		y_any_clear(&o);
	}
	y_delta_free(ops, n);
	y_any_to_json(&out, &len, &arr);
	y_any_clear(&arr);
	return out;
}

static void check_delta(struct y_type *t, const char *want, const char *name)
{
	char *s = delta_json(t);

	is_str(s, want, name);
	free(s);
}

static struct y_any *obj1(struct y_any *o, const char *k, const struct y_any *v)
{
	y_any_init_object(o);
	y_any_object_set(o, k, strlen(k), v);
	return o;
}

static struct y_any str_any(const char *s)
{
	struct y_any a;

	y_any_init_string(&a, s, strlen(s));
	return a;
}

static struct y_any bool_any(bool b)
{
	struct y_any a;

	y_any_init_bool(&a, b);
	return a;
}

static struct y_any num_any(double d)
{
	struct y_any a;

	y_any_init_number(&a, d);
	return a;
}

static struct y_any null_any(void)
{
	struct y_any a;

	y_any_init_null(&a);
	return a;
}

static void map_set_str(struct y_type *m, const char *k, const char *v)
{
	struct y_any a = str_any(v);

	if (y_map_set(m, k, strlen(k), &a) < 0)
		ok(0, "y_map_set %s", k);
	y_any_clear(&a);
}

/* ---- vectors (spec/yjs-vectors/vectors.txt) ----------------------------- */

static void test_v1(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct capture c = { 0 };
	struct y_type *t = root(d, "t", Y_TEXT);

	y_doc_on_update(d, on_update, &c);
	is_int(y_text_insert(t, 0, "abc", 3, NULL), 0, "V1 insert abc");
	check_update(&c, 0, "01010100040101740361626300", "V1 update event");
	is_int(y_text_insert(t, 3, "de", 2, NULL), 0, "V1 insert de");
	check_update(&c, 1, "0101010384010202646500", "V1 second update");
	check_state(d, "010101000401017405616263646500", "V1 full state");
	check_string(t, "abcde", "V1 toString");
	is_int(y_type_len(t), 5, "V1 length");
	is_int(c.n, 2, "V1 two events");
	ok(c.local[0] && c.local[1], "V1 events are local");
	capture_release(&c);
	y_doc_free(d);
}

static void test_v2(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct capture c = { 0 };
	struct y_type *frag = root(d, "xml", Y_XML_FRAGMENT), *p, *t;
	struct y_value v;

	y_doc_on_update(d, on_update, &c);
	y_doc_transact_begin(d, NULL);
	is_int(y_list_insert_type(&p, frag, 0, Y_XML_ELEMENT, "p"), 0,
	       "V2 insert element");
	is_int(y_list_insert_type(&t, p, 0, Y_XML_TEXT, NULL), 0,
	       "V2 insert XmlText");
	is_int(y_text_insert(t, 0, "hi", 2, NULL), 0, "V2 text");
	map_set_str(p, "id", "a1");
	y_doc_transact_end(d);
	is_int(c.n, 1, "V2 one event");
	check_update(
		&c, 0,
		"01040100070103786d6c03017007000100060400010102686928000100"
		"026964017702613100",
		"V2 update event");
	check_state(d,
		    "01040100070103786d6c03017007000100060400010102686928000100"
		    "026964017702613100",
		    "V2 full state");
	is_int(y_type_len(frag), 1, "V2 fragment length");
	ok(y_list_get(&v, frag, 0) == 0 && v.kind == Y_VALUE_TYPE &&
		   v.type == p,
	   "V2 fragment child is the element");
	is_str(y_type_name(p), "p", "V2 nodeName");
	ok(y_map_get(&v, p, "id", 2) == 0 && v.kind == Y_VALUE_ANY &&
		   v.any->kind == Y_ANY_STRING && !strcmp(v.any->str.ptr, "a1"),
	   "V2 attribute id");
	check_string(t, "hi", "V2 text string");
	capture_release(&c);
	y_doc_free(d);
}

static struct y_any bold_true(void)
{
	struct y_any o, b = bool_any(true);

	obj1(&o, "bold", &b);
	return o;
}

static void test_v2b(void)
{
	struct y_doc *d = mkdoc(7, false);
	struct capture c = { 0 };
	struct y_type *xml = root(d, "xml", Y_XML_ELEMENT), *el, *t;
	struct y_any bold = bold_true();

	y_doc_on_update(d, on_update, &c);
	y_doc_transact_begin(d, NULL);
	is_int(y_list_insert_type(&el, xml, 0, Y_XML_ELEMENT, "text"), 0,
	       "V2b element");
	is_int(y_list_insert_type(&t, el, 0, Y_XML_TEXT, NULL), 0,
	       "V2b XmlText");
	map_set_str(el, "$id", "n1");
	is_int(y_text_insert(t, 0, "hello world", 11, NULL), 0, "V2b insert");
	is_int(y_text_format(t, 0, 5, &bold), 0, "V2b format");
	y_doc_transact_end(d);
	check_update(
		&c, 0,
		"01070700070103786d6c030474657874070007000628000700032469640177"
		"026e31040007010568656c6c6f8407070620776f726c6446070304626f6c"
		"640474727565c60707070804626f6c64046e756c6c00",
		"V2b update event");
	check_delta(t,
		    "[{\"insert\":\"hello\",\"attributes\":{\"bold\":true}},"
		    "{\"insert\":\" world\"}]",
		    "V2b toDelta");
	check_string(t, "hello world", "V2b string");
	y_any_clear(&bold);
	capture_release(&c);
	y_doc_free(d);
}

static void test_v2c(void)
{
	struct y_doc *d = mkdoc(5, false);
	struct capture c = { 0 };
	struct y_type *xml = root(d, "xml", Y_XML_ELEMENT), *body, *p1, *p2;
	const char *want =
		"01070500070103786d6c0304626f647907000500030170280005010324696401"
		"770270312800050105636c617373017707636f6e74656e748705010301702800"
		"050403246964017702703228000500032469640177026231"
		"00";

	y_doc_on_update(d, on_update, &c);
	y_doc_transact_begin(d, NULL);
	is_int(y_list_insert_type(&body, xml, 0, Y_XML_ELEMENT, "body"), 0,
	       "V2c body");
	is_int(y_list_insert_type(&p1, body, 0, Y_XML_ELEMENT, "p"), 0,
	       "V2c p1");
	map_set_str(p1, "$id", "p1");
	map_set_str(p1, "class", "content");
	is_int(y_list_insert_type_after(&p2, body, p1, Y_XML_ELEMENT, "p"), 0,
	       "V2c p2 after p1");
	map_set_str(p2, "$id", "p2");
	map_set_str(body, "$id", "b1");
	y_doc_transact_end(d);
	check_update(&c, 0, want, "V2c update event");
	check_state(d, want, "V2c full state");
	capture_release(&c);
	y_doc_free(d);
}

static void test_v4(void)
{
	struct y_doc *d = mkdoc(1, false), *d2 = mkdoc(1, true);
	struct capture c = { 0 };
	struct y_type *t = root(d, "t", Y_TEXT), *t2 = root(d2, "t", Y_TEXT);

	y_doc_on_update(d, on_update, &c);
	y_text_insert(t, 0, "abc", 3, NULL);
	is_int(y_text_delete(t, 1, 1), 0, "V4 delete");
	check_update(&c, 1, "000101010101", "V4 delete update");
	check_state(d, "010301000401017401618101000184010101630101010101",
		    "V4 full state (gc)");
	check_string(t, "ac", "V4 toString");
	y_text_insert(t2, 0, "abc", 3, NULL);
	y_text_delete(t2, 1, 1);
	check_state(d2, "01030100040101740161840100016284010101630101010101",
		    "V4 full state (no gc)");
	capture_release(&c);
	y_doc_free(d);
	y_doc_free(d2);
}

static void test_v5(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct capture c = { 0 };
	struct y_type *m = root(d, "m", Y_MAP);
	struct y_any v, a, b, o;
	struct y_value val;
	const char *key;
	size_t klen;
	int i;
	static const char *keys[] = { "null", "undef", "t",   "f",   "int",
				      "neg",  "big",   "f32", "f64", "bigint",
				      "str",  "obj",   "arr", "bin" };

	y_doc_on_update(d, on_update, &c);
	y_doc_transact_begin(d, NULL);
	y_any_init_null(&v);
	y_map_set(m, "null", 4, &v);
	y_any_init_undefined(&v);
	y_map_set(m, "undef", 5, &v);
	y_any_init_bool(&v, true);
	y_map_set(m, "t", 1, &v);
	y_any_init_bool(&v, false);
	y_map_set(m, "f", 1, &v);
	y_any_init_number(&v, 42);
	y_map_set(m, "int", 3, &v);
	y_any_init_number(&v, -42);
	y_map_set(m, "neg", 3, &v);
	y_any_init_number(&v, 2147483648.0);
	y_map_set(m, "big", 3, &v);
	y_any_init_number(&v, 1.5);
	y_map_set(m, "f32", 3, &v);
	y_any_init_number(&v, 0.1);
	y_map_set(m, "f64", 3, &v);
	y_any_init_bigint(&v, 12345678901234LL);
	y_map_set(m, "bigint", 6, &v);
	v = str_any("h\xc3\xa9\xf0\x9f\x98\x80");
	y_map_set(m, "str", 3, &v);
	y_any_clear(&v);
	/* {a:1, b:[true, null]} */
	y_any_init_object(&o);
	a = num_any(1);
	y_any_object_set(&o, "a", 1, &a);
	y_any_init_array(&b);
	a = bool_any(true);
	y_any_array_push(&b, &a);
	a = null_any();
	y_any_array_push(&b, &a);
	y_any_object_set(&o, "b", 1, &b);
	y_any_clear(&b);
	y_map_set(m, "obj", 3, &o);
	y_any_clear(&o);
	/* [1, "x", {}] */
	y_any_init_array(&b);
	a = num_any(1);
	y_any_array_push(&b, &a);
	a = str_any("x");
	y_any_array_push(&b, &a);
	y_any_clear(&a);
	y_any_init_object(&a);
	y_any_array_push(&b, &a);
	y_map_set(m, "arr", 3, &b);
	y_any_clear(&b);
	y_any_init_bytes(&v, (const uint8_t *)"\x01\x02\x03", 3);
	y_map_set(m, "bin", 3, &v);
	y_any_clear(&v);
	y_doc_transact_end(d);
	check_update(
		&c, 0,
		"010e01002801016d046e756c6c017e2801016d05756e646566017f280101"
		"6d017401782801016d016601792801016d03696e74017d2a2801016d036e"
		"6567017d6a2801016d03626967017c4f0000002801016d03663332017c3f"
		"c000002801016d03663634017b3fb999999999999a2801016d0662696769"
		"6e74017a00000b3a73ce2ff22801016d0373747201770768c3a9f09f9880"
		"2801016d036f626a01760201617d0101627502787e2801016d0361727201"
		"75037d0177017876002301016d0362696e0301020300",
		"V5 update event");
	is_int(y_map_size(m), 14, "V5 size");
	is_int(y_type_len(m), 14, "V5 y_type_len of a map");
	{
		struct y_map_iter it;

		y_map_iter_init(&it, m);
		for (i = 0; y_map_iter_next(&it, &key, &klen, &val); i++)
			if (i < 14 && strcmp(key, keys[i]))
				break;
		is_int(i, 14, "V5 keys in insertion order");
	}
	ok(y_map_get(&val, m, "bin", 3) == 0 && val.kind == Y_VALUE_ANY &&
		   val.any->kind == Y_ANY_BYTES && val.any->bytes.len == 3,
	   "V5 bin is bytes");
	ok(y_map_get(&val, m, "bigint", 6) == 0 &&
		   val.any->kind == Y_ANY_BIGINT &&
		   val.any->big == 12345678901234LL,
	   "V5 bigint");
	ok(y_map_get(&val, m, "undef", 5) == 0 &&
		   val.any->kind == Y_ANY_UNDEFINED,
	   "V5 undefined value");
	is_int(y_map_get(&val, m, "nope", 4), -ENOENT, "V5 missing key");
	capture_release(&c);
	y_doc_free(d);
}

static void test_v5b(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct capture c = { 0 };
	struct y_type *m = root(d, "m", Y_MAP);
	struct y_any v;
	struct y_value val;

	y_doc_on_update(d, on_update, &c);
	v = num_any(1);
	y_map_set(m, "k", 1, &v);
	v = num_any(2);
	y_map_set(m, "k", 1, &v);
	check_update(&c, 1, "01010101a80100017d020101010001",
		     "V5b overwrite update");
	check_state(d, "010201002101016d016b01a80100017d020101010001",
		    "V5b full state");
	ok(y_map_get(&val, m, "k", 1) == 0 && val.any->num == 2,
	   "V5b value is 2");
	is_int(y_map_delete(m, "k", 1), 0, "V5b delete");
	is_int(y_map_get(&val, m, "k", 1), -ENOENT, "V5b deleted");
	is_int(y_map_size(m), 0, "V5b size 0");
	is_int(y_map_delete(m, "k", 1), -ENOENT, "V5b delete again");
	check_update(&c, 2, "000101010101", "V5b delete update");
	capture_release(&c);
	y_doc_free(d);
}

static void test_v6(void)
{
	struct y_doc *d = mkdoc(3, false);
	struct capture c = { 0 };
	struct y_type *a = root(d, "a", Y_ARRAY), *nm, *nt;
	struct y_any vals[3], o, x;
	struct y_value v;
	struct y_list_iter it;
	int n;

	y_doc_on_update(d, on_update, &c);
	y_doc_transact_begin(d, NULL);
	vals[0] = num_any(1);
	vals[1] = str_any("two");
	x = num_any(3);
	obj1(&vals[2], "three", &x);
	is_int(y_list_insert(a, 0, vals, 3), 0, "V6 insert");
	y_any_clear(&vals[1]);
	y_any_clear(&vals[2]);
	y_any_init_bytes(&x, (const uint8_t *)"\x09", 1);
	is_int(y_array_push(a, &x, 1), 0, "V6 push bytes");
	y_any_clear(&x);
	is_int(y_list_insert_type(&nm, a, 4, Y_MAP, NULL), 0, "V6 nested map");
	map_set_str(nm, "k", "v");
	is_int(y_list_insert_type(&nt, a, 5, Y_TEXT, NULL), 0,
	       "V6 nested text");
	y_text_insert(nt, 0, "txt", 3, NULL);
	x = null_any();
	is_int(y_array_push(a, &x, 1), 0, "V6 push null");
	y_doc_transact_end(d);
	check_update(
		&c, 0,
		"0107030008010161037d01770374776f76010574687265657d038303020109"
		"8703030128000304016b01770176870304020400030603747874880306017e"
		"00",
		"V6 update event");
	is_int(y_type_len(a), 7, "V6 length");
	ok(y_list_get(&v, a, 1) == 0 && v.any->kind == Y_ANY_STRING &&
		   !strcmp(v.any->str.ptr, "two"),
	   "V6 get 1");
	ok(y_list_get(&v, a, 3) == 0 && v.any->kind == Y_ANY_BYTES,
	   "V6 get 3 bytes");
	ok(y_list_get(&v, a, 4) == 0 && v.kind == Y_VALUE_TYPE && v.type == nm,
	   "V6 get 4 map");
	ok(y_list_get(&v, a, 6) == 0 && v.any->kind == Y_ANY_NULL,
	   "V6 get 6 null");
	is_int(y_list_get(&v, a, 7), -ERANGE, "V6 get 7 out of range");
	y_list_iter_init(&it, a);
	for (n = 0; y_list_iter_next(&it, &v); n++)
		;
	is_int(n, 7, "V6 iterator yields 7 values");
	is_int(y_list_delete(a, 4, 2), 0, "V6 delete nested types");
	check_state(
		d,
		"0107030008010161037d01770374776f76010574687265657d0383030201"
		"09810303010001810304010003880306017e0103010406",
		"V6 full state after delete");
	is_int(y_list_delete(a, 4, 2), -ERANGE, "V6 delete past the end");
	is_int(y_type_len(a), 5, "V6 length after delete");
	o = null_any();
	is_int(y_list_insert(a, 6, &o, 1), -ERANGE, "V6 insert past the end");
	y_any_init_undefined(&o);
	is_int(y_list_insert(a, 0, &o, 1), -EINVAL, "V6 undefined rejected");
	capture_release(&c);
	y_doc_free(d);
}

static void test_v7(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct capture c = { 0 };
	struct y_type *t = root(d, "t", Y_TEXT);
	struct y_any bold = bold_true(), ital, img, x;

	y_doc_on_update(d, on_update, &c);
	y_text_insert(t, 0, "hello world", 11, NULL);
	is_int(y_text_format(t, 0, 5, &bold), 0, "V7 format");
	x = bool_any(true);
	obj1(&ital, "italic", &x);
	is_int(y_text_insert(t, 11, "!", 1, &ital), 0, "V7 insert italic");
	x = str_any("x.png");
	obj1(&img, "image", &x);
	y_any_clear(&x);
	is_int(y_text_insert_embed(t, 5, &img, NULL), 0, "V7 embed");
	check_update(&c, 0, "01010100040101740b68656c6c6f20776f726c6400",
		     "V7 update 0");
	check_update(
		&c, 1,
		"0102010b46010004626f6c640474727565c60104010504626f6c64046e"
		"756c6c00",
		"V7 update 1");
	check_update(
		&c, 2,
		"0103010d86010a066974616c6963047472756584010d012186010e0669"
		"74616c6963046e756c6c00",
		"V7 update 2");
	check_update(&c, 3,
		     "01010110c5010c0105117b22696d616765223a22782e706e67227d00",
		     "V7 update 3");
	check_state(
		d,
		"01080100040101740568656c6c6f8401040620776f726c6446010004626f"
		"6c640474727565c60104010504626f6c64046e756c6c86010a0669746"
		"16c6963047472756584010d012186010e066974616c6963046e756c6cc5"
		"010c0105117b22696d616765223a22782e706e67227d00",
		"V7 full state");
	check_delta(
		t,
		"[{\"insert\":\"hello\",\"attributes\":{\"bold\":true}},"
		"{\"insert\":{\"image\":\"x.png\"}},{\"insert\":\" world\"},"
		"{\"insert\":\"!\",\"attributes\":{\"italic\":true}}]",
		"V7 toDelta");
	check_string(t, "hello world!", "V7 toString");
	is_int(y_type_len(t), 13, "V7 length");
	y_any_clear(&bold);
	y_any_clear(&ital);
	y_any_clear(&img);
	capture_release(&c);
	y_doc_free(d);
}

static void test_v10(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct capture c = { 0 };
	struct y_type *t = root(d, "t", Y_TEXT);

	y_doc_on_update(d, on_update, &c);
	y_text_insert(t, 0, "\xf0\x9f\x98\x80", 4, NULL);
	is_int(y_type_len(t), 2, "V10 emoji length 2");
	is_int(y_text_insert(t, 1, "x", 1, NULL), 0, "V10 insert inside");
	check_update(&c, 1, "01010102c401000101017800", "V10 update");
	check_state(d, "010301000401017403efbfbd84010003efbfbdc401000101017800",
		    "V10 full state");
	check_string(t, "\xef\xbf\xbdx\xef\xbf\xbd", "V10 string");
	capture_release(&c);
	y_doc_free(d);
}

static void test_v15(void)
{
	struct y_doc *a = mkdoc(1, false), *b = mkdoc(2, false);
	struct capture c = { 0 };
	struct y_type *ta = root(a, "t", Y_TEXT), *tb = root(b, "t", Y_TEXT);
	struct y_any bold = bold_true();
	uint8_t *u = NULL, *sv = NULL;
	size_t n = 0, svn = 0;

	y_text_insert(ta, 0, "hello", 5, NULL);
	y_doc_encode_state_as_update(&u, &n, a, NULL, 0, NULL);
	is_int(y_doc_apply_update(b, u, n, NULL), 0, "V15 sync");
	free(u);
	y_text_format(ta, 0, 5, &bold);
	y_text_format(tb, 0, 5, &bold);
	y_doc_state_vector(&sv, &svn, a);
	y_doc_encode_state_as_update(&u, &n, b, sv, svn, NULL);
	is_hex(u, n,
	       "0102020046010004626f6c64047472756586010404626f6c64046e756c6c00",
	       "V15 client 2 diff");
	y_doc_on_update(a, on_update, &c);
	is_int(y_doc_apply_update(a, u, n, NULL), 0, "V15 apply");
	is_int(c.n, 2, "V15 two update events");
	check_update(
		&c, 0,
		"0102020046010004626f6c64047472756586010404626f6c64046e756c6c"
		"00",
		"V15 event 0 (remote)");
	check_update(&c, 1, "000101010501", "V15 event 1 (cleanup)");
	ok(c.n == 2 && !c.local[0] && c.local[1], "V15 event locality");
	check_delta(ta,
		    "[{\"insert\":\"hello\",\"attributes\":{\"bold\":true}}]",
		    "V15 toDelta");
	check_state(
		a,
		"0202020046010004626f6c64047472756586010404626f6c64046e756c6c"
		"030100040101740568656c6c6f4101000186010404626f6c64046e756c6c"
		"0101010501",
		"V15 full state");
	free(u);
	free(sv);
	y_any_clear(&bold);
	capture_release(&c);
	y_doc_free(a);
	y_doc_free(b);
}

int main(void)
{
	plan_no_plan();
	setenv("YJS_CHECK_POS_CACHE", "1", 1);
	test_v1();
	test_v2();
	test_v2b();
	test_v2c();
	test_v4();
	test_v5();
	test_v5b();
	test_v6();
	test_v7();
	test_v10();
	test_v15();
	return done_testing();
}
