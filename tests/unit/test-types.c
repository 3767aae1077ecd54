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
#include "testutil.h"

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
	ok(y_doc_client_state(b, 1) == 5 && y_doc_client_state(b, 2) == 0 &&
		   y_doc_client_state(b, 99) == 0,
	   "client state: the next clock of each client");
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

/* ---- random traces replayed against yjs ---------------------------------- */

/*
 * Expected values generated with yjs 13.6.33 by a throwaway node script
 * running the same operations from the same xorshift32 generator (see
 * rnd() and the trace functions below, which mirror it call for call).
 * hash = FNV-1a 32 over every update event (4-byte little-endian length,
 * then the bytes), so every single update is compared byte for byte.
 */
/* plain seed=42 n=400 hash=3762380433 len=382 */
/* rich seed=7 n=300 hash1=3214998889 hash2=116400011 */
/* arr seed=5 n=300 hash=2596847597 len=182 */
static const char exp_plain_state[] =
	"01b50301000101017402410100048101010181010603c1010601070181010901c10"
	"109010b0281010b038401100162810111018101120281011401c10112011301c101"
	"16011301810115028101190181011a0181011b0281011d01c10116011702c1011a0"
	"11b01c10121011b02c10123011b01c1011d011e01c10125011e01c10126011e01c1"
	"0119011a01c10119012803c4012b01280164c1012c012802c10125012602c101300"
	"12601c10112011603c10123012401c40135012403efbfbdc10117011302c1013801"
	"1301c10121012202c10126012702c1013d012701c10136012401c1013f012401c10"
	"140012401c1011b011c04c10131012602c10147012602c1013f014001c1014a0140"
	"01c1014b014002c1014a014b03c4014b014c016181011e04c10134011603c4013d0"
	"13e0162c10159013e01c1015a013e01c4015b013e0120c10139011302c101110112"
	"01c10149012601c1015b015c01c10140014101c1012b012c01c40163012c02c3a9c"
	"10130013102c40159015a0120c10167015a01c10135013601c10160012601c1013e"
	"012702c1016c012702c10138013902c10170013902c10130016501c10173016502c"
	"1016e012704c10147014804c1016c016d01c10141012401c1017f012402c1018101"
	"012401c1018201012401c1015e011301c1018401011302c1018601011301c101870"
	"1011301c101870101880103c101840101850101c101820101830103c10173017403"
	"c1017f01800101c101810101820102c101950101820102c10160016a01c10198010"
	"16a04c10141017f01c101870101890101c4019e010189010161c1019f0101890102"
	"c10169013602c401a301013602c3a9c101a401013601c401a501013603efbfbdc10"
	"1a601013601c101950101960103c101980101990101c4015c013e0161c101ac0101"
	"3e01c101ad01013e01c1018801011302c101b001011302c1016a012601c401b3010"
	"12603efbfbdc1016a01b30101c101860101870101c101b60101870101c101b70101"
	"870102c10163016403c401bc01016403efbfbdc401bd01016403efbfbdc101b0010"
	"1b10104c101c20101b10101c101880101af0103c101c60101af0102c101b9010187"
	"0101c101c90101870101c101ca0101870103c101c60101c70102c1012b016302c10"
	"1a701013601c1019e01019f0102c1018701019e0101c401d501019e010164c401d6"
	"01019e0103efbfbdc101d701019e0101c401a30101a40105c3a9efbfbdc101da010"
	"1a40101c401db0101a4010120c4011401150162c101dd01011501c101ad0101ae01"
	"04c101c90101ca0101c101e30101ca0101c401e40101ca0103efbfbdc401e50101c"
	"a0103efbfbdc401e60101ca0103efbfbdc101e70101ca0101c101ad0101df0102c1"
	"01ea0101df0102c101ca0101cb0101c101ed0101cb0101c401ee0101cb010161c10"
	"1ef0101cb0101c101ef0101f00102c101c20101c30102c101d201013601c401f501"
	"0136026261c401e50101e601026461c101bd0101be0103c401a70101d2010161c10"
	"1fd0101d20101c401e30101e4010163c101ff0101e40102c101ef0101f10103c401"
	"64012c06c3a96162c3a9c10161015c02c4018a02015c03efbfbdc401fd0101fe010"
	"3efbfbdc4018c0201fe0104efbfbd20c1018e0201fe0101c401dd0101de010120c1"
	"01900201de0103c1015a015b02c4019502015b0120c1019602015b01c401dc0101a"
	"4010164c101ed0101ee0103c4019b0201ee010162c1019b02019c0201c4019d0201"
	"9c020120c101e60101e70101c4019f0201e70103c3a963c101dc0101980201c101a"
	"20201980202c101a40201980202c101a20201a30201c401a70201a3020162c101c2"
	"0101f30103c101ab0201f30101c101ea0101eb0102c401ae0201eb0103efbfbdc40"
	"1af0201eb0102c3a9c101b00201eb0101c4016401850204f09f9880c4019f0101a0"
	"010164c1016101890201c401a40201a5020162c101b60201a50201c101a70201a80"
	"201c101b80201a80202c101ba0201a80201c101be01016402c101bd02016401c101"
	"1401dd0101c401bf0201dd01022063c101b70101b80101c101b80201b90201c401d"
	"60101d70102c3a9c401c40201d7010161c101a50101a60101c101c60201a60103c4"
	"01c90201a6010161c101b401012601c401cb02012603642062c101da0101db0101c"
	"101c60201c70203c101bd0201be0202c101c90201ca0202c401b40201a0010462c3"
	"a961c401a50101c602026463c401db0201c6020120c401960201970202c3a9c401f"
	"f010180020164c101de0201800202c401e0020180020161c401ff0101de020520f0"
	"9f9880c401e00201e102026364c401d60101c4020162c101e70201c40202c101e10"
	"201800202c401af0201b0020162c101e30101ff0101c101db0101dc0102c401ef02"
	"01dc01026164c4015901670164c401ec0201b0020764c3a9f09f9880c101b60101b"
	"70101c101e601019f0202c101f902019f0201c101fa02019f0201c401e30101ed02"
	"0162c401fc0201ed02022064c101fc0101be0104c401820301be0103efbfbdc401c"
	"a0201a601022064c401fd01018c0202c3a9c4018603018c020120c101fa0201fb02"
	"01c401f60201b002026420c101c40201c50202c1018c0301c50201c4018d0301c50"
	"204f09f9880c101fe0201ed0202c401910301ed0202c3a9c401920301ed020120c1"
	"01930301ed0201c4018c02018d0202c3a9c4019503018d020161c401e70101e8010"
	"161c401ba0201bb0203efbfbdc101980301bb0202c401bc0101bd010161c4018503"
	"01a6010164c4019c0301a60104c3a96320c401db0201dc020161c101a00301dc020"
	"1c1019f0201a00201c401a20301a0020162c401a30301a0020563f09f9880c401b4"
	"0201d70204c3a96220c401a90301d70203efbfbdc401aa0301d70203efbfbdc401b"
	"e0201640120c401ac03016402c3a9c101ad03016401c401ae0301640161c401fd01"
	"0186030164c101ef0201f00201c401a602019802022020c401b3030198020162c40"
	"1b4030198020162c4019c0201ee010120c101b60301ee0101c4016401b20204f09f"
	"9880c401ad0301ae0302c3a9c101ba0301ae0301c401bb0301ae03026362c401a60"
	"301a00203202062c401bf0201c0020161c401ab0201ac020161c401cb0201cc0202"
	"6120c401c40301cc02026461c40170017106c3a964c3a963c401b90301b2020163c"
	"401cb0301b2020163c101cc0301b20201c101cd0301b20203c101970301e80102c4"
	"01ac0101ad010320c3a9c401a80201a3020164c401d50301a3020162c101c20301a"
	"c0201c101d70301ac0202c4018c03018d030162c401e60101f802022063c101cd03"
	"01ce0303c401b40301b50303efbfbdc101e00301b50301c401e10301b5030362c3a"
	"9c401d50101d60106f09f9880c3a9c401e60301d601026362c101f90201fa0202c1"
	"01ea0301fa0201c101aa0301ab0301c401ec0301ab030120c101ed0301ab0301c40"
	"1ee0301ab030163c401b00301860303646462c101a20301a30301c401f30301a303"
	"0163c4018a02018b020662c3a9efbfbdc101f703018b0201c401980201a4010162c"
	"101ba0301bb0301c401cc0301cd0305f09f988061c101f90201e90301c401ea0301"
	"eb030163c101ff0301eb0302c101fe0201900304c401e60301e7030462202062c40"
	"1ce0201260120c401a90301aa030363c3a9c4019603018d020164c401bd0101fa01"
	"08c3a9f09f98806264c401a70101fd01022064c101b30201850203c401970401850"
	"20120c401ac0301ad030162c101ba0201980304c4019d040198030164c401ab0301"
	"d702026261c401d50301d6030163c401a10401d6030163c401a20401d60302c3a9c"
	"101e00301e10301c401db0201a0030161c401980201f9030120c401a10401a20402"
	"6164c101920401fa0101c101c10301c00202c101ab0401c00201c401ef0301ab030"
	"26161c401ae0401ab03026161c401d70301d803026120c101b20401d80301c401ab"
	"03019f0403622062c401c00301a00206f09f9880c3a9c101ba02019a0403c401bc0"
	"4019a0405efbfbdc3a9c401e6030186040520f09f9880c4016401b8030161c4019e"
	"02019c0203206161c1013d015902c401c704015904f09f9880c101c904015901c40"
	"1ac0401c0020162c401cb0401c0020164c401cc0401c0020164c401cd0401c00201"
	"61c401cb0401cc040564f09f9880c401d10401cc0403c3a964c4019e0201c304022"
	"063c401cc0401cd040163c101d60401cd0401c401d70401cd040163c401b60301b7"
	"0303636261c101db0401b70301c401ef0301ad0405612062c3a9c101f70301f8030"
	"3c401a30301a4030461626161c101d60301a30201c401890401e703026464c401d1"
	"0401d2040462626262c401cb0201c303026363c401f2030186030361c3a9c401c40"
	"301c50304c3a92062c401960201dd0203c3a961c401b30101b4010a62f09f988062"
	"f09f9880c401860301870303626362c4019c03019d03022062c4018c0401aa03026"
	"420c401840501aa030164c401850501aa0302c3a9c101ab0401ac0403c401b00301"
	"f0030161c4018a0501f003046462c3a9c401d60401d70403efbfbdc4018e0501d70"
	"403efbfbdc1018f0501d70401c401ae0401af0405c3a9c3a920c101d70401d80401"
	"c401940501d804026363c401a40201b60202c3a9c401920401a9040762f09f9880c"
	"3a9c1019b0501a90401c401ca0201840305f09f988064c4019f0101b40203c3a963"
	"c4019503019603026462c401a3050196030164c401a30501a40508f09f9880f09f9"
	"880c401cd0401ce0407206364f09f9880c401db0401dc040164c101ae0501dc0401"
	"c40197040198040162c4018505018605026463c4018a05018b0506f09f98806362c"
	"40192030193030562c3a96164c401ff0101e2020564c3a9c3a9c401cb0301cc0302"
	"6362c4018e05018f05072063f09f988062c401cb0401cf0403646264c4018405018"
	"50507f09f9880c3a961c401940401fd0108f09f9880f09f9880c401cf0501fd0101"
	"63c4019b05019c0502c3a9c4019f0301a60103c3a920c401f70401dd020763f09f9"
	"880c3a9c401b30301b40305f09f988020c401da03018d030563f09f9880c101dd05"
	"018d0302c401fc0201fd02066161f09f9880c401980201a604022061c401a20401a"
	"3040964c3a9f09f9880c3a9c4019c0301810505f09f988020c401f00401c3030163"
	"c401cf0501d00507f09f9880616464c401b30301d805036464640101530011121a2"
	"d09371a52075a025d0765026837a00104a50101a70105ad0107b50108bf0117d801"
	"01db0101de0107e80107f00106fa0103fe01018002058902028f020191020597020"
	"19902039d02019f0201a20206a90206b10201b50201b70209c20202c60204cb0201"
	"cf0208df0202e80204ed0203f70205ff02048803018b0303900302940301990302a"
	"10302ae0301b10301b70301bb0301cd0306d70303dd0303e10301e90304ee0301f3"
	"0301f80301fa0301fe03018004069504039a0404a40401a90404b30401ba0403c60"
	"402ca0401d70401dc0401e10403e804018705039005019405019c0501af0501de05"
	"02";
static const char exp_string[] =
	"b\xc3\xa9"
	"d\xc3\xa9"
	"cbaa\xf0\x9f\x98\x80 d\xc3\xa9"
	"b\xc3\xa9"
	"ad"
	" cd\xc3\xa9\xc3\xa9 \xf0\x9f\x98\x80"
	"dcda\xef\xbf\xbd"
	"da\xef\xbf\xbd"
	" cccbabaac\xf0\x9f\x98\x80  b\xf0\x9f\x98\x80\xc3\xa9\xc3\xa9"
	"c\xef"
	"\xbf\xbd"
	"a  c aab cbada\xf0\x9f\x98\x80\xc3\xa9 \xf0\x9f\x98\x80"
	"b"
	"  bddcbdb\xc3\xa9"
	"bc\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"a\xef\xbf\xbd"
	"a\xc3\xa9"
	"cd\xc3\xa9"
	"b c\xc3\xa9"
	"d \xf0\x9f\x98\x80\xc3\xa9"
	"add"
	"c\xc3\xa9\xef\xbf\xbd ca b\xc3\xa9"
	"aa\xc3\xa9\xc3\xa9 aa\xef\xbf\xbd"
	"b bbab\xc3\xa9"
	"aaa abdbdd\xf0\x9f\x98\x80"
	"bbbb\xc3\xa9"
	"ddc\xef\xbf"
	"\xbd c\xf0\x9f\x98\x80"
	"b\xef\xbf\xbd"
	"cccd cd\xf0\x9f\x98\x80"
	"a c"
	"b a\xef\xbf\xbd\xc3\xa9\xf0\x9f\x98\x80"
	"bdb\xf0\x9f\x98\x80\xc3\xa9"
	"\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd b\xc3\xa9\xc3\xa9"
	"cba\xc3\xa9"
	"a\xf0"
	"\x9f\x98\x80"
	"ccbc\xf0\x9f\x98\x80"
	"a\xf0\x9f\x98\x80"
	"b \xc3\xa9"
	"a"
	"b\xc3\xa9"
	"d\xc3\xa9\xef\xbf\xbd"
	"ad \xef\xbf\xbd\xc3\xa9"
	"d\xef\xbf"
	"\xbd"
	"bdcadcd\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9\xc3\xa9"
	"b\xc3\xa9"
	"b"
	"  ddd\xf0\x9f\x98\x80 b\xef\xbf\xbd"
	"b\xc3\xa9"
	"bd a b\xc3\xa9"
	"dca"
	"a a\xf0\x9f\x98\x80"
	"d dd\xf0\x9f\x98\x80  b\xc3\xa9"
	"c \xc3\xa9 \xef"
	"\xbf\xbd d\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"addcada"
	"\xf0\x9f\x98\x80"
	"cbdb\xc3\xa9"
	"ddba\xc3\xa9\xc3\xa9"
	"bcb \xef\xbf\xbd"
	"\xc3\xa9"
	"db\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"dad\xef\xbf\xbd ba\xef"
	"\xbf\xbd"
	"ab\xf0\x9f\x98\x80"
	"b\xf0\x9f\x98\x80\xef\xbf\xbd"
	"ccca \xc3"
	"\xa9 bdad b \xf0\x9f\x98\x80"
	"bd  \xc3\xa9"
	"ac\xf0\x9f\x98\x80\xc3\xa9"
	"\xc3\xa9"
	"b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd a \xc3\xa9\xef\xbf\xbd"
	"b"
	"d\xc3\xa9\xf0\x9f\x98\x80"
	"d \xc3\xa9";
static const char exp_state1[] =
	"029102020001010174028102010184020201638402030161840204012081020501c"
	"10203020401c60207020404626f6c640474727565c1020802040381020601c60204"
	"0205066974616c69630474727565c6020d020504626f6c64046e756c6cc1020e020"
	"501c1020f020501c602100205066974616c6963046e756c6cc10211020502c10211"
	"021201c10204020d03c40217020d0164c40218020d026464c1021a020d02c101070"
	"10805c10108010902c10202020301c10224020301c10225020301c40226020303ef"
	"bfbdc10227020302c10223010902c4011301140162c1022c011401c4022d011403e"
	"fbfbdc4022e011403efbfbdc1022d022e01c40230022e0161c40231022e0162c402"
	"2602270164c4022602330163c10123012401c4022101080164c10236010803c6010"
	"1010204626f6c640474727565c10107011001c60232022e05636f6c6f72046e756c"
	"6cc1012d023201c1022e022f01c6023e022f05636f6c6f72052272656422c6023f0"
	"22f04626f6c64046e756c6cc40240022f03efbfbdc10241022f01c40242022f0161"
	"c10243022f01c40244022f03efbfbdc40245022f0164c60246022f05636f6c6f720"
	"46e756c6cc60247022f04626f6c640474727565c10133013405c1024d013401c401"
	"0c010602c3a9c4024f01060162c10250010602c10132013301c4024102420461efb"
	"fbdc10255024201c10256024201c10257024201c40229020303efbfbdc102590203"
	"01c10236023701c1024d024e03c10257025801c1025f025802c10256025702c6024"
	"3024404626f6c64046e756c6cc10264024401c60140014105636f6c6f72046e756c"
	"6cc10266014101c10267014101c10268014101c60269014105636f6c6f720522726"
	"56422c1026a014101c1014a014b01c1026c014b01c4026d014b02c3a9c1026e014b"
	"01c1026f014b04c6020f021005636f6c6f72046e756c6cc40274021002c3a9c4027"
	"5021004f09f9880c4027702100161c10278021001c4014f015002c3a9c4027a0150"
	"03636361c10131023101c4027e02310162c1027f023101c6027d015005636f6c6f7"
	"2046e756c6cc402810101500161c402820101500120c6028301015005636f6c6f72"
	"052272656422c4011401150120c4028501011503efbfbdc4028601011503efbfbdc"
	"1028701011501c60255025605636f6c6f72046e756c6cc6028901025604626f6c64"
	"0474727565c4028a01025604f09f9880c4028c0102560120c4028d0102560120c60"
	"28e01025605636f6c6f72052272656422c6028f01025604626f6c64046e756c6cc1"
	"011b022601c6014c014d04626f6c640474727565c1029201014d01c4029301014d0"
	"3efbfbdc4029401014d0163c4029501014d03efbfbdc4029601014d03efbfbdc602"
	"9701014d04626f6c64046e756c6cc602960102970104626f6c64046e756c6cc5029"
	"9010297010b7b22696d67223a2278227dc6029a0102970104626f6c640474727565"
	"c4013e013f05f09f988062c1028e01028f0102c402a001028f0103efbfbdc402a10"
	"1028f0103efbfbdc10269026a01c402a301026a0364c3a9c602a501026a04626f6c"
	"640474727565c6027e027f066974616c69630474727565c602410254066974616c6"
	"963046e756c6cc10221023601c102a901023601c402aa01023603efbfbdc102ab01"
	"023606c1028d01028e0101c602a10102a20105636f6c6f72046e756c6cc60114017"
	"804626f6c64046e756c6cc402b40101780120c402b501017802c3a9c402b6010178"
	"03efbfbdc102b701017801c402b801017802c3a9c602b901017804626f6c6404747"
	"27565c4025f026003636464c402bd0102600163c4016101620161c402bf01016202"
	"c3a9c6010c024f05636f6c6f72052272656422c6024e013405636f6c6f720522726"
	"56422c1028801011501c402c301011503efbfbdc402c40101150120c60252010606"
	"6974616c69630474727565c102c601010602c402c801010603efbfbdc402c901010"
	"602c3a9c402ca0101060161c602cb010106066974616c6963046e756c6cc602cc01"
	"010604626f6c640474727565c402bf0102c0010161c1019a01019b0101c402cf010"
	"19b0103c3a964c602d101019b0104626f6c64046e756c6cc10224022501c6016102"
	"bf01066974616c6963046e756c6cc10109020003c60275027604626f6c640474727"
	"565c602d8010276066974616c6963046e756c6cc402d90102760164c402da010276"
	"0120c402db01027602c3a9c602dc01027604626f6c64046e756c6cc602dd0102760"
	"66974616c69630474727565c6029a01029b0105636f6c6f72052272656422c402df"
	"01029b010164c602e001029b0105636f6c6f72046e756c6cc10156015703c102e40"
	"1015703c101af0101b00102c402e90101b0010563f09f9880c401bb0101b9010363"
	"6363c601b30101b40104626f6c64046e756c6cc101a60101a00101c402f10101a00"
	"102c3a9c402f20101a0010161c1022c012c01c402f401012c0161c102f501012c01"
	"c60130013104626f6c64046e756c6cc602f701013105636f6c6f72046e756c6cc50"
	"2f80101310b7b22696d67223a2278227dc602f901013104626f6c640474727565c1"
	"02fa01013101c102e40102e50101c601920101930104626f6c64046e756c6cc402f"
	"d010193010120c402fe010193010164c602ff0101930104626f6c640474727565c6"
	"02870102880104626f6c64046e756c6cc1027802790186020c04626f6c64046e756"
	"c6cc601470148066974616c69630474727565c402840201480164c4028502014801"
	"63c60286020148066974616c6963046e756c6cc601a70101a80105636f6c6f72046"
	"e756c6cc402880201a8010164c402890201a801026362c6028b0201a80105636f6c"
	"6f72052272656422c10151013203c10117012708c60297020127066974616c69630"
	"474727565c602db0102dc0104626f6c64046e756c6cc502990202dc010b7b22696d"
	"67223a2278227dc6029a0202dc0104626f6c640474727565c402db0102990205f09"
	"f988063c4029e020299020163c101970101980103c602f90102fa0105636f6c6f72"
	"052272656422c6029e02029f0204626f6c640474727565c4028902028a0203efbfb"
	"dc402a502028a0203efbfbdc6024201880104626f6c64046e756c6cc402a7020188"
	"010120c602a80201880104626f6c640474727565c401b90101ba010162c602bf010"
	"2ce0104626f6c640474727565c402ab0202ce010120c602ac0202ce0104626f6c64"
	"046e756c6cc40181020182020461202063c4027a027b0563f09f9880c4029a0102d"
	"f010164c602400241066974616c6963046e756c6cc402b6020241042064c3a9c602"
	"b9020241066974616c69630474727565c1018d02018d0102c602f40102f50104626"
	"f6c64046e756c6cc101aa0101ab0101c502be0201ab010b7b22696d67223a227822"
	"7dc602bf0201ab0105636f6c6f72052272656422c602d40102bf0105636f6c6f720"
	"52272656422c602ce0102c00105636f6c6f72046e756c6cc40140026602c3a9c601"
	"7b017c066974616c69630474727565c6024501fb01066974616c6963046e756c6cc"
	"6017802850105636f6c6f72052272656422c601c50102c50105636f6c6f72046e75"
	"6c6cc602a90102aa0105636f6c6f72046e756c6cc601df0101e00104626f6c64046"
	"e756c6cc4029a02029b020164c602bd0102be0104626f6c640474727565c401ea01"
	"01eb01026364c6019202019302066974616c6963046e756c6cc402ce02019302026"
	"461c602d002019302066974616c69630474727565c401a30202a60208f09f988061"
	"20c3a9c402850102860105c3a963c3a9c6028201028301066974616c6963046e756"
	"c6cc402da020283010464c3a964c602dd02028301066974616c69630474727565c6"
	"02850102d70204626f6c64046e756c6cc602df0202d70205636f6c6f72046e756c6"
	"cc502e00202d7020b7b22696d67223a2278227dc602e10202d70204626f6c640474"
	"727565c602e20202d70205636f6c6f72052272656422c602bd0102cb02066974616"
	"c69630474727565c402e40202cb0207626163f09f9880c602e90202cb0206697461"
	"6c6963046e756c6cc402950102960104f09f9880c602f20102f301066974616c696"
	"30474727565c402ed0202f30103632064c102f00202f30101fd0101000101017402"
	"8101010481010501810106018101070181010801c10105010602c4010b01060120c"
	"60106010704626f6c64046e756c6cc1010d010702c40107021d0164c10217021801"
	"c4011102180164c10112021801c4011302180163c60114021805636f6c6f7205227"
	"2656422c10225022602c10117022601c10118022601c10119022602c40110021d01"
	"62c1011c021d04c10119011a01c10113011401c10201020201c10123020201c1012"
	"4020202c10117011801c10124012502c1022b010902c6022c022d05636f6c6f7205"
	"2272656422c10231023201c10230023102c4012f02310120c4013002310163c1010"
	"d010e01c10132010e01c10133010e01c10107023b02c40136023b0163c10137023b"
	"04c1013b023b01c1012c022d01c4013d022d0120c4013e022d04c3a9c3a9c401400"
	"22d0164c10141022d01c1013b013c01c1024f025002c4014502500163c101460250"
	"01c10147025001c4024f01440361c3a9c1014a014401c6025a020305636f6c6f720"
	"46e756c6cc5014c02030b7b22696d67223a2278227dc6014d020305636f6c6f7205"
	"2272656422c40259025a02c3a9c4014f025a0161c1010d013201c10244024505c60"
	"156024505636f6c6f72052272656422c6013b014304626f6c640474727565c60226"
	"023404626f6c64046e756c6cc10141014201c1022d023001c10159023401c5015c0"
	"2340b7b22696d67223a2278227dc6015d023405636f6c6f72052272656422c10127"
	"011801c4015f01180161c40160011802c3a9c40161011805c3a9efbfbdc40163011"
	"803efbfbdc10164011801c1013c023b01c402470248026261c40168024804f09f98"
	"80c10106010d02c10134010e01c1012f013001c1011b02910104c60118011904626"
	"f6c640474727565c10173011902c4017501190163c10176011901c4011402850101"
	"64c10267026801c10268026901c4026402650163c1017b026501c60227022806697"
	"4616c69630474727565c6017d022805636f6c6f72046e756c6cc4017e02280562f0"
	"9f9880c60181010228066974616c6963046e756c6cc1018201022801c4025b02370"
	"2c3a9c1018401023702c1018601023701c4024202430161c1028e01029f0101c401"
	"8901029f01026362c1018b01029f0101c402b1010236022062c1026f027001c5018"
	"f0102700b7b22696d67223a2278227dc1019001027001c60204021505636f6c6f72"
	"046e756c6cc401920102150164c4019301021504f09f9880c1019501021501c1019"
	"601021501c1019701021501c1019801021501c4016801690164c4019a01016904c3"
	"a96361c602940102950104626f6c64046e756c6cc4019e010295010120c4019f010"
	"2950102c3a9c101a00102950101c4029001025603efbfbdc101a201025601c10286"
	"0102870101c60218021904626f6c640474727565c5019f0101a0010b7b22696d672"
	"23a2278227dc402550289010162c401a7010289010162c401a8010289010164c102"
	"29025901c101aa01025904c102a30102a40101c401af0102a4010161c1018901018"
	"a0103c401b301018a010163c601b401018a0104626f6c640474727565c601b50101"
	"8a0105636f6c6f72052272656422c5016301640b7b22696d67223a2278227dc6028"
	"c01028d0104626f6c64046e756c6cc501b801028d010b7b22696d67223a2278227d"
	"c601b901028d0104626f6c640474727565c501b80101b9010b7b22696d67223a227"
	"8227dc60247016704626f6c640474727565c102cd01010604c401c00101060162c1"
	"01c101010601c40232023c04f09f9880c402c40102c50102c3a9c602aa0102ab010"
	"66974616c69630474727565c101c60102ab0101c401c70102ab010162c601c80102"
	"ab01066974616c6963046e756c6cc101c90102ab0101c102ca0102cb0103c602810"
	"1028201066974616c69630474727565c6019e01019f01066974616c6963046e756c"
	"6cc602da0102db0104626f6c64046e756c6cc401d00102db0104f09f9880c101d20"
	"102db0101c102c90102ca0101c601d40102ca01066974616c6963046e756c6cc401"
	"d50102ca0104c3a96163c601d80102ca0104626f6c64046e756c6cc601d90102ca0"
	"1066974616c69630474727565c102ab0102ac0101c401db0102ac010320c3a9c101"
	"dd0102ac0101c101de0102ac0101c101df0102ac0101c6023201c30104626f6c640"
	"46e756c6cc601e10101c301066974616c6963046e756c6cc101e20101c30101c401"
	"e30101c3010164c601e40101c30104626f6c640474727565c601e50101c30106697"
	"4616c69630474727565c101e60101c30101c4013d013e04f09f9880c40277027801"
	"61c401ea01027802c3a9c101860101870106c6022f0114066974616c69630474727"
	"565c602ba010178066974616c6963046e756c6cc1017c026501c102fc0102e50101"
	"c6026c026d05636f6c6f72046e756c6cc102850202860201c602b60102b70106697"
	"4616c6963046e756c6cc501f80102b7010b7b22696d67223a2278227dc601f90102"
	"b701066974616c69630474727565c4024502460161c601a20101a30104626f6c640"
	"474727565c601fc0101a30105636f6c6f72046e756c6cc401fd0101a3010661f09f"
	"988061c101810201a30103c602fe0102ff0104626f6c640474727565c401850202f"
	"f01026420c601870202ff0104626f6c64046e756c6cc601eb01027804626f6c6404"
	"74727565c6019801019901066974616c69630474727565c6013d01e801066974616"
	"c6963046e756c6cc101de0101df0101c102b101018d0101c601930101940104626f"
	"6c64046e756c6cc101960101970101c602b102018202066974616c6963047472756"
	"5c601900201820204626f6c64046e756c6cc401910201820203efbfbdc401920201"
	"820205efbfbd6463c6019502018202066974616c6963046e756c6cc101960201820"
	"201c6023d023205636f6c6f72046e756c6cc6019802023204626f6c64046e756c6c"
	"c60199020232066974616c6963046e756c6cc5019a0202320b7b22696d67223a227"
	"8227dc6019b02023205636f6c6f72052272656422c6019c02023204626f6c640474"
	"727565c6019d020232066974616c69630474727565c1022402d30101c402a50202a"
	"60205c3a9646263c501c90101ca010b7b22696d67223a2278227dc602b50102b601"
	"04626f6c640474727565c601a50202b601066974616c6963046e756c6cc401a6020"
	"2b6010162c601a70202b60104626f6c64046e756c6cc601a80202b601066974616c"
	"69630474727565c602f90102a30204626f6c640474727565c401aa0202a30204626"
	"16461c601ae0202a30204626f6c64046e756c6cc602a602028a0204626f6c640474"
	"727565c401b002028a020163c601b102028a0204626f6c64046e756c6cc60160016"
	"104626f6c640474727565c601b3020161066974616c6963046e756c6cc401b40201"
	"61026264c601b602016104626f6c64046e756c6cc601b7020161066974616c69630"
	"474727565c601a80101a90105636f6c6f72046e756c6cc401b90201a9010364c3a9"
	"c601bb0201a90105636f6c6f72052272656422c60259014f066974616c696304747"
	"27565c601bd02014f05636f6c6f72046e756c6cc401be02014f066162f09f9880c6"
	"01c202014f066974616c6963046e756c6cc601c302014f05636f6c6f72052272656"
	"422c401810202ae0204f09f9880c401810201c5020163c501b80101bb010b7b2269"
	"6d67223a2278227dc602f20102ed0204626f6c640474727565c602ec02029601066"
	"974616c6963046e756c6cc6023d01980204626f6c64046e756c6cc601cb02019802"
	"066974616c6963046e756c6cc401cc020198020164c601cd0201980204626f6c640"
	"474727565c601ce02019802066974616c696304747275650202320003060209040f"
	"0212061b0c28042d013001350137033b013d02420144014906510356035a0a65016"
	"7036b036f0579017e018001018801019101019301019f0102a30101a90102ac0107"
	"b80101c30101c70102cf0101d30101d50103e20108f10101f40101f60101fb01028"
	"202018d020ba00203bb0202be0201f102010131000c0e021101130116061d0f2d03"
	"32053806420447024b0151065a035f0165026b087402770179027c0183010185010"
	"38901018c01018f0101910101960104a10101a30102aa0106b10103bd0104c20101"
	"c70101ca0104d30102db0101de0103e30101e70101ec0106f40102f701018202038"
	"c02028f02019702019f0201";
static const char exp_state2[] =
	"02940202000601017405636f6c6f720522726564228102000181020101840202016"
	"38402030161840204012081020501c10203020401c60207020404626f6c64047472"
	"7565c1020802040381020601c602040205066974616c69630474727565c6020d020"
	"504626f6c64046e756c6cc1020e020501c1020f020501c602100205066974616c69"
	"63046e756c6cc10211020502c10211021201c10204020d03c40217020d0164c4021"
	"8020d026464c1021a020d02c10107010805c10108010902c10202020301c1022402"
	"0301c10225020301c10226020301c10227020302c10223010902c4011301140162c"
	"1022c011401c4022d011403efbfbdc4022e011403efbfbdc1022d022e01c4023002"
	"2e0161c40231022e0162c10226022701c10226023301c10123012401c4022101080"
	"164c10236010803c60101010204626f6c640474727565c10107011001c60232022e"
	"05636f6c6f72046e756c6cc1012d023201c1022e022f01c6023e022f05636f6c6f7"
	"2052272656422c6023f022f04626f6c64046e756c6cc40240022f03efbfbdc10241"
	"022f01c40242022f0161c10243022f01c40244022f03efbfbdc40245022f0164c60"
	"246022f05636f6c6f72046e756c6cc60247022f04626f6c640474727565c1013301"
	"3405c1024d013401c4010c010602c3a9c4024f01060162c10250010602c10132013"
	"301c4024102420461efbfbdc10255024201c10256024201c10257024201c4022902"
	"0303efbfbdc10259020301c10236023701c1024d024e03c10257025801c1025f025"
	"802c10256025702c60243024404626f6c64046e756c6cc10264024401c601400141"
	"05636f6c6f72046e756c6cc10266014101c10267014101c10268014101c60269014"
	"105636f6c6f72052272656422c1026a014101c1014a014b01c1026c014b01c4026d"
	"014b02c3a9c1026e014b01c1026f014b04c6020f021005636f6c6f72046e756c6cc"
	"40274021002c3a9c40275021004f09f9880c4027702100161c10278021001c4014f"
	"015002c3a9c4027a015003636361c10131023101c4027e02310162c1027f023101c"
	"6027d015005636f6c6f72046e756c6cc402810101500161c402820101500120c602"
	"8301015005636f6c6f72052272656422c4011401150120c4028501011503efbfbdc"
	"4028601011503efbfbdc1028701011501c60255025605636f6c6f72046e756c6cc6"
	"028901025604626f6c640474727565c4028a01025604f09f9880c4028c010256012"
	"0c4028d0102560120c6028e01025605636f6c6f72052272656422c6028f01025604"
	"626f6c64046e756c6cc1011b022601c6014c014d04626f6c640474727565c102920"
	"1014d01c4029301014d03efbfbdc4029401014d0163c4029501014d03efbfbdc402"
	"9601014d03efbfbdc6029701014d04626f6c64046e756c6cc602960102970104626"
	"f6c64046e756c6cc50299010297010b7b22696d67223a2278227dc6029a01029701"
	"04626f6c640474727565c4013e013f05f09f988062c1028e01028f0102c402a0010"
	"28f0103efbfbdc402a101028f0103efbfbdc10269026a01c402a301026a0364c3a9"
	"c602a501026a04626f6c640474727565c6027e027f066974616c69630474727565c"
	"602410254066974616c6963046e756c6cc10221023601c102a901023601c402aa01"
	"023603efbfbdc102ab01023606c1028d01028e0101c602a10102a20105636f6c6f7"
	"2046e756c6cc60114017804626f6c64046e756c6cc402b40101780120c402b50101"
	"7802c3a9c402b601017803efbfbdc102b701017801c402b801017802c3a9c602b90"
	"1017804626f6c640474727565c4025f026003636464c402bd0102600163c4016101"
	"620161c402bf01016202c3a9c6010c024f05636f6c6f72052272656422c6024e013"
	"405636f6c6f72052272656422c1028801011501c402c301011503efbfbdc402c401"
	"01150120c602520106066974616c69630474727565c102c601010602c402c801010"
	"603efbfbdc402c901010602c3a9c402ca0101060161c602cb010106066974616c69"
	"63046e756c6cc602cc01010604626f6c640474727565c402bf0102c0010161c1019"
	"a01019b0101c402cf01019b0103c3a964c602d101019b0104626f6c64046e756c6c"
	"c10224022501c6016102bf01066974616c6963046e756c6cc10109020003c602750"
	"27604626f6c640474727565c602d8010276066974616c6963046e756c6cc402d901"
	"02760164c402da0102760120c402db01027602c3a9c602dc01027604626f6c64046"
	"e756c6cc602dd010276066974616c69630474727565c6029a01029b0105636f6c6f"
	"72052272656422c402df01029b010164c602e001029b0105636f6c6f72046e756c6"
	"cc10156015703c102e401015703c101af0101b00102c402e90101b0010563f09f98"
	"80c401bb0101b90103636363c601b30101b40104626f6c64046e756c6cc101a6010"
	"1a00101c402f10101a00102c3a9c102f20101a00101c1022c012c01c402f401012c"
	"0161c102f501012c01c60130013104626f6c64046e756c6cc602f701013105636f6"
	"c6f72046e756c6cc502f80101310b7b22696d67223a2278227dc602f90101310462"
	"6f6c640474727565c102fa01013101c102e40102e50101c601920101930104626f6"
	"c64046e756c6cc402fd010193010120c402fe010193010164c602ff010193010462"
	"6f6c640474727565c602870102880104626f6c64046e756c6cc1027802790186020"
	"c04626f6c64046e756c6cc601470148066974616c69630474727565c40284020148"
	"0164c402850201480163c60286020148066974616c6963046e756c6cc601a70101a"
	"80105636f6c6f72046e756c6cc402880201a8010164c402890201a801026362c602"
	"8b0201a80105636f6c6f72052272656422c10151013203c10117012706c40295020"
	"1270162c6029602012704626f6c640474727565c60297020127066974616c696304"
	"74727565c602db0102dc0104626f6c64046e756c6cc502990202dc010b7b22696d6"
	"7223a2278227dc6029a0202dc0104626f6c640474727565c402db0102990205f09f"
	"988063c4029e020299020163c101970101980103c602f90102fa0105636f6c6f720"
	"52272656422c6029e02029f0204626f6c640474727565c4028902028a0203efbfbd"
	"c402a502028a0203efbfbdc6024201880104626f6c64046e756c6cc402a70201880"
	"10120c602a80201880104626f6c640474727565c401b90101ba010162c602bf0102"
	"ce0104626f6c640474727565c402ab0202ce010120c602ac0202ce0104626f6c640"
	"46e756c6cc40181020182020461202063c4027a027b0563f09f9880c4029a0102df"
	"010164c602400241066974616c6963046e756c6cc402b6020241042064c3a9c602b"
	"9020241066974616c69630474727565c1018d02018d0102c602f40102f50104626f"
	"6c64046e756c6cc101aa0101ab0101c502be0201ab010b7b22696d67223a2278227"
	"dc602bf0201ab0105636f6c6f72052272656422c602d40102bf0105636f6c6f7205"
	"2272656422c602ce0102c00105636f6c6f72046e756c6cc40140026602c3a9c6017"
	"b017c066974616c69630474727565c6024501fb01066974616c6963046e756c6cc6"
	"017802850105636f6c6f72052272656422c601c50102c50105636f6c6f72046e756"
	"c6cc602a90102aa0105636f6c6f72046e756c6cc601df0101e00104626f6c64046e"
	"756c6cc4029a02029b020164c602bd0102be0104626f6c640474727565c401ea010"
	"1eb01026364c6019202019302066974616c6963046e756c6cc402ce020193020264"
	"61c602d002019302066974616c69630474727565c401a30202a60208f09f9880612"
	"0c3a9c402850102860105c3a963c3a9c6028201028301066974616c6963046e756c"
	"6cc402da020283010464c3a964c602dd02028301066974616c69630474727565c60"
	"2850102d70204626f6c64046e756c6cc602df0202d70205636f6c6f72046e756c6c"
	"c502e00202d7020b7b22696d67223a2278227dc602e10202d70204626f6c6404747"
	"27565c602e20202d70205636f6c6f72052272656422c602bd0102cb02066974616c"
	"69630474727565c402e40202cb0207626163f09f9880c602e90202cb02066974616"
	"c6963046e756c6cc402950102960104f09f9880c602f20102f301066974616c6963"
	"0474727565c402ed0202f30103632064c102f00202f30101f901010001010174028"
	"101010481010501810106018101070181010801c10105010602c4010b01060120c6"
	"0106010704626f6c64046e756c6cc1010d010702c40107021d0164c10217021801c"
	"4011102180164c10112021801c4011302180163c60114021805636f6c6f72052272"
	"656422c10225022602c10117022601c10118022601c10119022602c40110021d016"
	"2c1011c021d04c10119011a01c10113011401c10201020201c10123020201c10124"
	"020202c60117011805636f6c6f72046e756c6cc10124012502c1022b010902c6022"
	"c022d05636f6c6f72052272656422c10231023201c10230023102c4012f02310120"
	"c4013002310163c1010d010e01c10132010e01c10133010e01c10107023b02c4013"
	"6023b0163c10137023b04c1013b023b01c1012c022d01c4013d022d0120c4013e02"
	"2d04c3a9c3a9c40140022d0164c10141022d01c1013b013c01c1024f025002c4014"
	"502500163c10146025001c10147025001c1024f014401c40149014402c3a9c1014a"
	"014401c6025a020305636f6c6f72046e756c6cc5014c02030b7b22696d67223a227"
	"8227dc6014d020305636f6c6f72052272656422c40259025a02c3a9c4014f025a01"
	"61c1010d013201c10244024505c60156024505636f6c6f72052272656422c6013b0"
	"14304626f6c640474727565c60226023404626f6c64046e756c6cc10141014201c1"
	"022d023001c10159023403c60127011804626f6c64046e756c6cc4015f01180161c"
	"40160011802c3a9c40161011805c3a9efbfbdc40163011803efbfbdc10164011801"
	"c1013c023b01c402470248026261c40168024804f09f9880c10106010d02c101340"
	"10e01c1012f013001c1011b02910104c60118011904626f6c640474727565c10173"
	"011902c4017501190163c10176011901c401140285010164c10267026801c102680"
	"26901c4026402650163c1017b026501c602270228066974616c69630474727565c1"
	"017d022802c4017f022804f09f9880c60181010228066974616c6963046e756c6cc"
	"1018201022801c4025b023702c3a9c1018401023702c1018601023701c402420243"
	"0161c1028e01029f0101c4018901029f01026362c1018b01029f0101c402b101023"
	"6022062c1026f027001c5018f0102700b7b22696d67223a2278227dc10190010270"
	"01c60204021505636f6c6f72046e756c6cc401920102150164c4019301021504f09"
	"f9880c1019501021501c1019601021501c1019701021501c1019801021501c40168"
	"01690164c4019a01016904c3a96361c602940102950104626f6c64046e756c6cc40"
	"19e010295010120c4019f0102950102c3a9c101a00102950101c4029001025603ef"
	"bfbdc101a201025601c102860102870101c60218021904626f6c640474727565c50"
	"19f0101a0010b7b22696d67223a2278227dc402550289010162c401a70102890101"
	"62c401a8010289010164c10229025901c101aa01025904c102a30102a40101c401a"
	"f0102a4010161c1018901018a0103c401b301018a010163c601b401018a0104626f"
	"6c640474727565c601b501018a0105636f6c6f72052272656422c5016301640b7b2"
	"2696d67223a2278227dc6028c01028d0104626f6c64046e756c6cc501b801028d01"
	"0b7b22696d67223a2278227dc601b901028d0104626f6c640474727565c501b8010"
	"1b9010b7b22696d67223a2278227dc60247016704626f6c640474727565c102cd01"
	"010604c401c00101060162c101c101010601c40232023c04f09f9880c402c40102c"
	"50102c3a9c602aa0102ab01066974616c69630474727565c101c60102ab0101c401"
	"c70102ab010162c601c80102ab01066974616c6963046e756c6cc101c90102ab010"
	"1c102ca0102cb0103c6028101028201066974616c69630474727565c6019e01019f"
	"01066974616c6963046e756c6cc602da0102db0104626f6c64046e756c6cc401d00"
	"102db0104f09f9880c101d20102db0101c102c90102ca0101c601d40102ca010669"
	"74616c6963046e756c6cc401d50102ca0104c3a96163c601d80102ca0104626f6c6"
	"4046e756c6cc601d90102ca01066974616c69630474727565c102ab0102ac0101c4"
	"01db0102ac010320c3a9c101dd0102ac0101c101de0102ac0101c101df0102ac010"
	"1c6023201c30104626f6c64046e756c6cc601e10101c301066974616c6963046e75"
	"6c6cc101e20101c30101c401e30101c3010164c601e40101c30104626f6c6404747"
	"27565c601e50101c301066974616c69630474727565c101e60101c30101c4013d01"
	"3e04f09f9880c4027702780161c401ea01027802c3a9c101860101870101c401ec0"
	"1018701026463c101ee0101870103c6022f0114066974616c69630474727565c602"
	"ba010178066974616c6963046e756c6cc1017c026501c102fc0102e50101c6026c0"
	"26d05636f6c6f72046e756c6cc102850202860201c602b60102b701066974616c69"
	"63046e756c6cc501f80102b7010b7b22696d67223a2278227dc601f90102b701066"
	"974616c69630474727565c4024502460161c601a20101a30104626f6c6404747275"
	"65c601fc0101a30105636f6c6f72046e756c6cc401fd0101a3010661f09f988061c"
	"101810201a30103c602fe0102ff0104626f6c640474727565c401850202ff010264"
	"20c601870202ff0104626f6c64046e756c6cc601eb01027804626f6c64047472756"
	"5c6019801019901066974616c69630474727565c6013d01e801066974616c696304"
	"6e756c6cc101de0101df0101c102b101018d0101c601930101940104626f6c64046"
	"e756c6cc101960101970101c602b102018202066974616c69630474727565c60190"
	"0201820204626f6c64046e756c6cc401910201820203efbfbdc401920201820205e"
	"fbfbd6463c6019502018202066974616c6963046e756c6cc101960201820201c602"
	"3d023205636f6c6f72046e756c6cc6019802023204626f6c64046e756c6cc601990"
	"20232066974616c6963046e756c6cc5019a0202320b7b22696d67223a2278227dc6"
	"019b02023205636f6c6f72052272656422c6019c02023204626f6c640474727565c"
	"6019d020232066974616c69630474727565c1022402d30101c402a50202a60205c3"
	"a9646263c501c90101ca010b7b22696d67223a2278227dc602b50102b60104626f6"
	"c640474727565c601a50202b601066974616c6963046e756c6cc401a60202b60101"
	"62c601a70202b60104626f6c64046e756c6cc601a80202b601066974616c6963047"
	"4727565c602f90102a30204626f6c640474727565c401aa0202a3020462616461c6"
	"01ae0202a30204626f6c64046e756c6cc602a602028a0204626f6c640474727565c"
	"401b002028a020163c601b102028a0204626f6c64046e756c6cc60160016104626f"
	"6c640474727565c601b3020161066974616c6963046e756c6cc401b402016102626"
	"4c601b602016104626f6c64046e756c6cc601b7020161066974616c696304747275"
	"65c601a80101a90105636f6c6f72046e756c6cc401b90201a9010364c3a9c601bb0"
	"201a90105636f6c6f72052272656422c60259014f066974616c69630474727565c6"
	"01bd02014f05636f6c6f72046e756c6cc401be02014f066162f09f9880c601c2020"
	"14f066974616c6963046e756c6cc601c302014f05636f6c6f72052272656422c401"
	"810202ae0204f09f9880c401810201c5020163c501b80101bb010b7b22696d67223"
	"a2278227dc602f20102ed0204626f6c640474727565c602ec02029601066974616c"
	"6963046e756c6c0202310102060209040f0212061b112d013001330337033b013d0"
	"2420144014906510356035a0a650167036b036f0579017e01800101880101910101"
	"9301019f0102a30101a90102ac0107b80101c30101c70102cf0101d30101d50103e"
	"20108f10101f30102f60101fb01028202018d0209a00203bb0202be0201f1020101"
	"33000c0e021101130116061d0a28042d0332053806420447034b0151065a0565026"
	"b087402770179027c017e028301018501038901018c01018f0101910101960104a1"
	"0101a30102aa0106b10103bd0104c20101c70101ca0104d30102db0101de0103e30"
	"101e70101ec0101ef0103f40102f701018202038c02028f02019702019f0201";
static const char exp_delta1[] =
	"[{\"insert\":\" \",\"attributes\":{\"bold\":true}},{\"insert\":\"\xc3"
	"\xa9"
	"a\xc3\xa9\",\"attributes\":{\"bold\":true,\"color\":\"red\"}}"
	",{\"insert\":\"\xc3\xa9\",\"attributes\":{\"bold\":true}},{\"insert"
	"\":{\"img\":\"x\"},\"attributes\":{\"bold\":true}},{\"insert\":\"c\""
	",\"attributes\":{\"bold\":true}},{\"insert\":\"dc\",\"attributes\":"
	"{\"bold\":true,\"italic\":true}},{\"insert\":\"b\",\"attributes\":{"
	"\"bold\":true}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"bold"
	"\":true,\"italic\":true}},{\"insert\":\"\xc3\xa9"
	"ac\",\"attributes"
	"\":{\"bold\":true}},{\"insert\":\"\xc3\xa9"
	"a\",\"attributes\":{\"i"
	"talic\":true}},{\"insert\":\"b\",\"attributes\":{\"bold\":true}},{\""
	"insert\":\"c\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"db"
	"\",\"attributes\":{\"color\":\"red\",\"bold\":true}},{\"insert\":\""
	"b\",\"attributes\":{\"bold\":true,\"italic\":true}},{\"insert\":{\""
	"img\":\"x\"},\"attributes\":{\"bold\":true}},{\"insert\":\"\xef\xbf"
	"\xbd \xc3\xa9\",\"attributes\":{\"bold\":true}},{\"insert\":\" bd\xc3"
	"\xa9\"},{\"insert\":\"a\",\"attributes\":{\"italic\":true}},{\"inse"
	"rt\":\"bd\",\"attributes\":{\"bold\":true}},{\"insert\":\"\xc3\xa9\""
	",\"attributes\":{\"italic\":true}},{\"insert\":\"a\",\"attributes\""
	":{\"color\":\"red\"}},{\"insert\":\" \",\"attributes\":{\"color\":\""
	"red\",\"bold\":true}},{\"insert\":\"a\",\"attributes\":{\"color\":\""
	"red\"}},{\"insert\":\"\xc3\xa9\xc3\xa9\xef\xbf\xbd\"},{\"insert\":{"
	"\"img\":\"x\"}},{\"insert\":\"\xef\xbf\xbd\"},{\"insert\":\"c\",\"a"
	"ttributes\":{\"bold\":true}},{\"insert\":{\"img\":\"x\"}},{\"insert"
	"\":\"cd\xef\xbf\xbd\",\"attributes\":{\"color\":\"red\"}},{\"insert"
	"\":\"b\xf0\x9f\x98\x80\",\"attributes\":{\"italic\":true}},{\"inser"
	"t\":{\"img\":\"x\"}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\""
	"color\":\"red\"}},{\"insert\":\"ab\xf0\x9f\x98\x80\",\"attributes\""
	":{\"italic\":true}},{\"insert\":\"\xc3\xa9\xc3\xa9"
	"c\xf0\x9f\x98\x80"
	"cca\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"a\",\"attri"
	"butes\":{\"italic\":true}},{\"insert\":\"d\xc3\xa9"
	"d\"},{\"insert\""
	":\" \",\"attributes\":{\"italic\":true}},{\"insert\":\"a\",\"attrib"
	"utes\":{\"italic\":true,\"color\":\"red\"}},{\"insert\":\"\xef\xbf\xbd"
	"\",\"attributes\":{\"italic\":true,\"bold\":true}},{\"insert\":\" \""
	"},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"\xc3\xa9\"},{\"insert\""
	":\"c da\xc3\xa9"
	"c\xf0\x9f\x98\x80\",\"attributes\":{\"bold\":true,"
	"\"italic\":true}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"bo"
	"ld\":true}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"d\"},{\"inse"
	"rt\":\"d\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"\xef\xbf"
	"\xbd\",\"attributes\":{\"bold\":true}},{\"insert\":{\"img\":\"x\"}}"
	",{\"insert\":\"c\",\"attributes\":{\"color\":\"red\"}},{\"insert\":"
	"\"a\",\"attributes\":{\"color\":\"red\",\"bold\":true}},{\"insert\""
	":\" \"},{\"insert\":\"d \",\"attributes\":{\"bold\":true}},{\"inser"
	"t\":\"d\"},{\"insert\":\"d\",\"attributes\":{\"bold\":true}},{\"ins"
	"ert\":\"\xf0\x9f\x98\x80\"},{\"insert\":\"db\",\"attributes\":{\"it"
	"alic\":true}},{\"insert\":\"a\",\"attributes\":{\"italic\":true}},{"
	"\"insert\":\"\xf0\x9f\x98\x80 \xf0\x9f\x98\x80"
	"b\xc3\xa9\xc3\xa9\xc3"
	"\xa9\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"c\xf0\x9f\x98"
	"\x80"
	"ad\xc3\xa9\"},{\"insert\":\"d \",\"attributes\":{\"bold\":tru"
	"e,\"color\":\"red\"}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"ba"
	"da\",\"attributes\":{\"bold\":true}},{\"insert\":\"c\",\"attributes"
	"\":{\"color\":\"red\",\"bold\":true}},{\"insert\":\"ba\",\"attribut"
	"es\":{\"color\":\"red\",\"bold\":true,\"italic\":true}},{\"insert\""
	":\"d\",\"attributes\":{\"color\":\"red\"}},{\"insert\":{\"img\":\"x"
	"\"}},{\"insert\":\"b\",\"attributes\":{\"color\":\"red\",\"bold\":t"
	"rue,\"italic\":true}},{\"insert\":\"d\",\"attributes\":{\"color\":\""
	"red\"}},{\"insert\":\"\xf0\x9f\x98\x80\",\"attributes\":{\"color\":"
	"\"red\",\"bold\":true,\"italic\":true}},{\"insert\":\"\xef\xbf\xbd\""
	",\"attributes\":{\"bold\":true,\"italic\":true}},{\"insert\":\" d\xc3"
	"\xa9\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"\xef\xbf\xbd"
	"\",\"attributes\":{\"color\":\"red\",\"italic\":true}},{\"insert\":"
	"\"a\xef\xbf\xbd"
	"b\",\"attributes\":{\"color\":\"red\"}},{\"insert\""
	":\"d\xef\xbf\xbd\xc3\xa9"
	"dbc\xf0\x9f\x98\x80"
	"a \xc3\xa9\xef\xbf\xbd"
	"\"},{\"insert\":\"c\",\"attributes\":{\"bold\":true}},{\"insert\":\""
	"cb\"},{\"insert\":\"b\",\"attributes\":{\"color\":\"red\"}},{\"inse"
	"rt\":\"d\xc3\xa9\"},{\"insert\":\"d\",\"attributes\":{\"color\":\"r"
	"ed\"}},{\"insert\":\"\xf0\x9f\x98\x80\",\"attributes\":{\"bold\":tr"
	"ue}},{\"insert\":{\"img\":\"x\"}},{\"insert\":{\"img\":\"x\"}},{\"i"
	"nsert\":\"ccc\"},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"b\"},{\""
	"insert\":\"  \",\"attributes\":{\"bold\":true}},{\"insert\":\"c\"},"
	"{\"insert\":\"cb\xef\xbf\xbd\",\"attributes\":{\"bold\":true,\"colo"
	"r\":\"red\"}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"bold\""
	":true}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"color\":\"re"
	"d\"}},{\"insert\":\"a\xf0\x9f\x98\x80"
	"ac\xf0\x9f\x98\x80"
	"a  c\",\""
	"attributes\":{\"bold\":true}},{\"insert\":\"\xef\xbf\xbd\",\"attrib"
	"utes\":{\"italic\":true}},{\"insert\":\"da\"},{\"insert\":\"\xef\xbf"
	"\xbd"
	"dc\",\"attributes\":{\"italic\":true}},{\"insert\":\"cdd\"},{"
	"\"insert\":\"bac\xf0\x9f\x98\x80\",\"attributes\":{\"italic\":true}"
	"},{\"insert\":\"c\",\"attributes\":{\"bold\":true}},{\"insert\":\" "
	"\"},{\"insert\":\"aa\",\"attributes\":{\"bold\":true}},{\"insert\":"
	"\"c\"},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"italic\":true"
	",\"color\":\"red\"}},{\"insert\":\"ad\",\"attributes\":{\"color\":\""
	"red\"}},{\"insert\":\"bad\xc3\xa9"
	"d\",\"attributes\":{\"bold\":tru"
	"e}},{\"insert\":\"\xc3\xa9"
	"ca\xf0\x9f\x98\x80\"},{\"insert\":\"\xef"
	"\xbf\xbd\",\"attributes\":{\"bold\":true}},{\"insert\":\"c\",\"attr"
	"ibutes\":{\"bold\":true,\"italic\":true}},{\"insert\":\" \",\"attri"
	"butes\":{\"italic\":true}},{\"insert\":\"b\",\"attributes\":{\"bold"
	"\":true}},{\"insert\":\"\xc3\xa9\",\"attributes\":{\"italic\":true}"
	"},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"\xef\xbf\xbd\xc3\xa9\""
	",\"attributes\":{\"italic\":true}},{\"insert\":\"d\",\"attributes\""
	":{\"bold\":true}},{\"insert\":\" \",\"attributes\":{\"bold\":true,\""
	"color\":\"red\"}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"\xc3\xa9"
	"c\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\",\"attributes\":{\"bold\":true,\""
	"color\":\"red\"}},{\"insert\":\"\xef\xbf\xbd\xc3\xa9\",\"attributes"
	"\":{\"color\":\"red\"}},{\"insert\":\" \"},{\"insert\":\"d\",\"attr"
	"ibutes\":{\"color\":\"red\"}},{\"insert\":\"dd\",\"attributes\":{\""
	"color\":\"red\",\"bold\":true}},{\"insert\":\"\xc3\xa9\",\"attribut"
	"es\":{\"italic\":true}},{\"insert\":\"d\",\"attributes\":{\"bold\":"
	"true}},{\"insert\":\"\xf0\x9f\x98\x80 \xf0\x9f\x98\x80"
	"c\"},{\"ins"
	"ert\":\"c\",\"attributes\":{\"bold\":true}},{\"insert\":{\"img\":\""
	"x\"}},{\"insert\":\"d\"},{\"insert\":\"\xc3\xa9\",\"attributes\":{\""
	"bold\":true}},{\"insert\":\"\xf0\x9f\x98\x80"
	"acd\xc3\xa9\",\"attri"
	"butes\":{\"italic\":true}},{\"insert\":\"a\",\"attributes\":{\"ital"
	"ic\":true,\"bold\":true}},{\"insert\":\" \",\"attributes\":{\"bold\""
	":true}}]";
static const char exp_delta2[] =
	"[{\"insert\":\" \",\"attributes\":{\"bold\":true}},{\"insert\":\"\xc3"
	"\xa9\xc3\xa9\",\"attributes\":{\"bold\":true,\"color\":\"red\"}},{\""
	"insert\":\"\xc3\xa9\",\"attributes\":{\"bold\":true}},{\"insert\":{"
	"\"img\":\"x\"},\"attributes\":{\"bold\":true}},{\"insert\":\"c\",\""
	"attributes\":{\"bold\":true}},{\"insert\":\"dc\",\"attributes\":{\""
	"bold\":true,\"italic\":true}},{\"insert\":\"b\",\"attributes\":{\"b"
	"old\":true}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"bold\":"
	"true,\"italic\":true}},{\"insert\":\"\xc3\xa9"
	"ac\",\"attributes\":"
	"{\"bold\":true}},{\"insert\":\"\xc3\xa9"
	"a\",\"attributes\":{\"ital"
	"ic\":true}},{\"insert\":\"b\",\"attributes\":{\"bold\":true}},{\"in"
	"sert\":\"c\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"db\""
	",\"attributes\":{\"color\":\"red\",\"bold\":true}},{\"insert\":\"b\""
	",\"attributes\":{\"bold\":true,\"italic\":true}},{\"insert\":{\"img"
	"\":\"x\"},\"attributes\":{\"bold\":true}},{\"insert\":\"\xef\xbf\xbd"
	" \xc3\xa9\",\"attributes\":{\"bold\":true}},{\"insert\":\" bd\xc3\xa9"
	"dc\"},{\"insert\":\"b\",\"attributes\":{\"color\":\"red\"}},{\"inse"
	"rt\":\"a\",\"attributes\":{\"italic\":true}},{\"insert\":\"bd\",\"a"
	"ttributes\":{\"bold\":true}},{\"insert\":\"\xc3\xa9\",\"attributes\""
	":{\"italic\":true}},{\"insert\":\"a\",\"attributes\":{\"color\":\"r"
	"ed\"}},{\"insert\":\" \",\"attributes\":{\"color\":\"red\",\"bold\""
	":true}},{\"insert\":\"a\",\"attributes\":{\"color\":\"red\"}},{\"in"
	"sert\":\"\xc3\xa9\xc3\xa9\xef\xbf\xbd\"},{\"insert\":{\"img\":\"x\""
	"}},{\"insert\":\"\xef\xbf\xbd\"},{\"insert\":\"c\",\"attributes\":{"
	"\"bold\":true}},{\"insert\":\"\xf0\x9f\x98\x80\",\"attributes\":{\""
	"italic\":true}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"\xef\xbf"
	"\xbd\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"ab\xf0\x9f"
	"\x98\x80\",\"attributes\":{\"italic\":true}},{\"insert\":\"\xc3\xa9"
	"\xc3\xa9"
	"c\xf0\x9f\x98\x80"
	"cca\",\"attributes\":{\"color\":\"red\""
	"}},{\"insert\":\"a\",\"attributes\":{\"italic\":true}},{\"insert\":"
	"\"d\xc3\xa9"
	"d\"},{\"insert\":\" \",\"attributes\":{\"italic\":true"
	"}},{\"insert\":\"a\",\"attributes\":{\"italic\":true,\"color\":\"re"
	"d\"}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"italic\":true,"
	"\"bold\":true}},{\"insert\":\" \"},{\"insert\":{\"img\":\"x\"}},{\""
	"insert\":\"\xc3\xa9\"},{\"insert\":\"c d\xc3\xa9"
	"c\xf0\x9f\x98\x80"
	"\",\"attributes\":{\"bold\":true,\"italic\":true}},{\"insert\":\"\xef"
	"\xbf\xbd\",\"attributes\":{\"bold\":true}},{\"insert\":{\"img\":\"x"
	"\"}},{\"insert\":\"d\"},{\"insert\":\"d\",\"attributes\":{\"color\""
	":\"red\"}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"bold\":tr"
	"ue}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"c\",\"attributes\":"
	"{\"color\":\"red\"}},{\"insert\":\"a\",\"attributes\":{\"color\":\""
	"red\",\"bold\":true}},{\"insert\":\" \"},{\"insert\":\"d \",\"attri"
	"butes\":{\"bold\":true}},{\"insert\":\"d\"},{\"insert\":\"d\",\"att"
	"ributes\":{\"bold\":true}},{\"insert\":\"\xf0\x9f\x98\x80\"},{\"ins"
	"ert\":\"db\",\"attributes\":{\"italic\":true}},{\"insert\":\"a\",\""
	"attributes\":{\"italic\":true}},{\"insert\":\"\xf0\x9f\x98\x80 \xf0"
	"\x9f\x98\x80"
	"b\xc3\xa9\xc3\xa9\xc3\xa9\",\"attributes\":{\"color\""
	":\"red\"}},{\"insert\":\"c\xf0\x9f\x98\x80"
	"ad\xc3\xa9\"},{\"insert"
	"\":\"d \",\"attributes\":{\"bold\":true,\"color\":\"red\"}},{\"inse"
	"rt\":{\"img\":\"x\"}},{\"insert\":\"bada\",\"attributes\":{\"bold\""
	":true}},{\"insert\":\"c\",\"attributes\":{\"color\":\"red\",\"bold\""
	":true}},{\"insert\":\"ba\",\"attributes\":{\"color\":\"red\",\"bold"
	"\":true,\"italic\":true}},{\"insert\":{\"img\":\"x\"}},{\"insert\":"
	"\"b\",\"attributes\":{\"color\":\"red\",\"bold\":true,\"italic\":tr"
	"ue}},{\"insert\":\"d\",\"attributes\":{\"color\":\"red\"}},{\"inser"
	"t\":\"\xf0\x9f\x98\x80\",\"attributes\":{\"color\":\"red\",\"bold\""
	":true,\"italic\":true}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\""
	":{\"bold\":true,\"italic\":true}},{\"insert\":\" d\xc3\xa9\",\"attr"
	"ibutes\":{\"color\":\"red\"}},{\"insert\":\"\xef\xbf\xbd\",\"attrib"
	"utes\":{\"color\":\"red\",\"italic\":true}},{\"insert\":\"a\xef\xbf"
	"\xbd"
	"b\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"d\xef\xbf"
	"\xbd\xc3\xa9"
	"dbc\xf0\x9f\x98\x80"
	"a \xc3\xa9\xef\xbf\xbd\"},{\"ins"
	"ert\":\"c\",\"attributes\":{\"bold\":true}},{\"insert\":\"cb\"},{\""
	"insert\":\"b\",\"attributes\":{\"color\":\"red\"}},{\"insert\":\"d\xc3"
	"\xa9\"},{\"insert\":\"d\",\"attributes\":{\"color\":\"red\"}},{\"in"
	"sert\":\"\xf0\x9f\x98\x80\",\"attributes\":{\"bold\":true}},{\"inse"
	"rt\":{\"img\":\"x\"}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"cc"
	"c\"},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"b\"},{\"insert\":\""
	"  \",\"attributes\":{\"bold\":true}},{\"insert\":\"c\"},{\"insert\""
	":\"cb\xef\xbf\xbd\",\"attributes\":{\"bold\":true,\"color\":\"red\""
	"}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"bold\":true}},{\""
	"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"color\":\"red\"}},{\"in"
	"sert\":\"a\xf0\x9f\x98\x80"
	"ac\xf0\x9f\x98\x80"
	"a  c\",\"attributes"
	"\":{\"bold\":true}},{\"insert\":\"\xef\xbf\xbd\",\"attributes\":{\""
	"italic\":true}},{\"insert\":\"da\"},{\"insert\":\"\xef\xbf\xbd"
	"dc\""
	",\"attributes\":{\"italic\":true}},{\"insert\":\"cdd\"},{\"insert\""
	":\"bac\xf0\x9f\x98\x80\",\"attributes\":{\"italic\":true}},{\"inser"
	"t\":\"c\",\"attributes\":{\"bold\":true}},{\"insert\":\" \"},{\"ins"
	"ert\":\"aa\",\"attributes\":{\"bold\":true}},{\"insert\":\"c\"},{\""
	"insert\":\"\xef\xbf\xbd\",\"attributes\":{\"italic\":true,\"color\""
	":\"red\"}},{\"insert\":\"ad\",\"attributes\":{\"color\":\"red\"}},{"
	"\"insert\":\"bad\xc3\xa9"
	"d\",\"attributes\":{\"bold\":true}},{\"in"
	"sert\":\"\xc3\xa9"
	"ca\xf0\x9f\x98\x80\"},{\"insert\":\"\xef\xbf\xbd"
	"\",\"attributes\":{\"bold\":true}},{\"insert\":\"c\",\"attributes\""
	":{\"bold\":true,\"italic\":true}},{\"insert\":\" \",\"attributes\":"
	"{\"italic\":true}},{\"insert\":\"b\",\"attributes\":{\"bold\":true}"
	"},{\"insert\":\"\xc3\xa9\",\"attributes\":{\"italic\":true}},{\"ins"
	"ert\":{\"img\":\"x\"}},{\"insert\":\"\xef\xbf\xbd\xc3\xa9\",\"attri"
	"butes\":{\"italic\":true}},{\"insert\":\"d\",\"attributes\":{\"bold"
	"\":true}},{\"insert\":\" \",\"attributes\":{\"bold\":true,\"color\""
	":\"red\"}},{\"insert\":{\"img\":\"x\"}},{\"insert\":\"\xc3\xa9"
	"c\xc3"
	"\xa9\xef\xbf\xbd\xef\xbf\xbd\",\"attributes\":{\"bold\":true,\"colo"
	"r\":\"red\"}},{\"insert\":\"\xef\xbf\xbd\xc3\xa9\",\"attributes\":{"
	"\"color\":\"red\"}},{\"insert\":\" \"},{\"insert\":\"d\",\"attribut"
	"es\":{\"color\":\"red\"}},{\"insert\":\"dd\",\"attributes\":{\"colo"
	"r\":\"red\",\"bold\":true}},{\"insert\":\"\xc3\xa9\",\"attributes\""
	":{\"italic\":true}},{\"insert\":\"d\",\"attributes\":{\"bold\":true"
	"}},{\"insert\":\"\xf0\x9f\x98\x80 \xf0\x9f\x98\x80"
	"c\"},{\"insert\""
	":\"c\",\"attributes\":{\"bold\":true}},{\"insert\":{\"img\":\"x\"}}"
	",{\"insert\":\"d\"},{\"insert\":\"\xc3\xa9\",\"attributes\":{\"bold"
	"\":true}},{\"insert\":\"\xf0\x9f\x98\x80"
	"acd\xc3\xa9\",\"attribute"
	"s\":{\"italic\":true}},{\"insert\":\"a\",\"attributes\":{\"italic\""
	":true,\"bold\":true}},{\"insert\":\" \",\"attributes\":{\"bold\":tr"
	"ue}}]";
static const char exp_arr_state[] =
	"018b02030008010161017d2381030001c10300030101c10302030101c1030203030"
	"1c3030403030101c10305030301c10300030201c10302030401c10304030501c103"
	"09030502c10305030601c80305030c017d1bc1030d030c022101016d026b3201210"
	"1016d026b33012101016d026b3001880301017d2b8803130177017041030001c103"
	"0c030602c10317030601c3031703180100a1031101c10318030601a1031001c1030"
	"7030201c30309030a0100c1031e030a01c1030f030c0141031502c3030d030e0100"
	"c8030f0320017d14c10324032001c1030d032301c10326032301c10327032301880"
	"314017d3d88032901770170c1030d032602c10324032501c8032d0325017d1c8103"
	"2a0181032f01c10324032d01c80331032d017d38c8031f030a017d00c10333030a0"
	"1c10334030a01c10302030801a1031c01c803340335017d8a01c10324033101c303"
	"3903310101c1033a033101c10333033401c80309031e017d2ec1033d031e0121010"
	"16d026b31018103300188034001770170880341017d3881034201c10327032802c1"
	"0345032801a1031201a1033701c8033d033e017d1ec80349033e017d1ea1033f01c"
	"1032a032f02c8031e031f017d20c803140329017da001c8034f0329017d24c1034f"
	"035002c3032703440100c10332032d01c1032f033001c10320030c0281034302810"
	"35902c1032403390181035b0188035d01770170c10359035a01a1034801c8034903"
	"4a017d13c80329032a027d3d7d00c80363032a017d8e01c803450346017d33c1036"
	"5034601c3032603270100c10353034402a1034b01c8034e031f017d9e01c1036b03"
	"1f01a1036001c8032e0325027d8f017d0b81035e02c10354032d0181037102c8034"
	"60328017d8501c8036c031f017d9701c10376031f02c803410342027d0c7d21c103"
	"7a03420181037402c8035e0370017d9801c10346037502c103800103750181037d0"
	"2a1036d0188038301017d358103850101c10376037701c303870103770101c30376"
	"0387010100c8038901038701017d02c1038a0103870101c803420343017d32c1038"
	"c01034301c803130314037d94017d057d9901c1038801037702a103840101c10353"
	"036801a1036a01c803650366017d9501c1039601036601c1038101037502c103990"
	"1037501c80323030e027d247d11c1039c01030e01c10332035403a1034701a10393"
	"01012101016d026b3401a103a20101c1039901039a0103c103800103810101c8034"
	"90361027d88017d0aa103a10101c1032f03550281038601018803ae0101770170c8"
	"032a034c017d28c103b001034c028803af01017d85018803b30101770170c103610"
	"34a01c1038901038a0101c303b601038a0101018803b401037d0d7701707d3c8803"
	"ba0101770170c8033a033b017d0bc103890103b60101c103a001035401c303be010"
	"3540101c803630364017d03a103a40101c10305030d02c8038301038501017d32c1"
	"035d035e03c303b30103b4010100c303c80103b4010101c803c90103b401017d298"
	"803bb01047d3d7701707d067701708103ce01018803cf0101770170a103ab0101c1"
	"03c701035e018803d001027d33770170c803830103c401017d1f8803d401017d1c8"
	"803d60101770170c3033a03bc010100c803d80103bc01017d8101c103ae0103af01"
	"01c1035e037e01c103c001036401c803dc010364017d8701c8034a033e017d9f018"
	"803d701017d108803df0101770170a103c10101c8036f0325017d8d01c8038c0103"
	"8d01037d89017d367d22c303d60103d7010100c80390010314017d23c803e701031"
	"4017d23c8038501038601027d8f017d148803e001027da301770170c803d00103d3"
	"01017da101a1031a01c80342038c01027d257d26c303f001038c010102c803b7010"
	"38a01017d34a103e10101c8032e036e027d99017d8901c803df0103e001017d26c8"
	"03f60103e001027d8a017d9f01c1039201037701c803f9010377017da001c803fa0"
	"10377017d9501a103950101c803f101038c01017d9f01c803190318017d16c803d2"
	"01035e017d9901c303ff01035e0101c8032a03b001017d18c303810203b0010101c"
	"803820203b001017d178803ec01027d28770170a103f30101c103bc01033b01c103"
	"f90103fa0101c803880203fa01017d990188038502027d880177017088038b02017"
	"d1188038c0201770170c803e70103e801027d247d9901c3038f0203e8010102c803"
	"bf010354037d117d0f7d9f01c803ba0103bb01017d22c303940203bb010101c3039"
	"50203bb01010288038d02027da101770170c80323039b01037d0e7d147d15c10376"
	"03890102c1038702033b02c803fe010318027d94017d1ca803fc01017d348803980"
	"2027d8701770170c803f60103f701017d10c803f60103a502027d1f7d14c803c401"
	"038501017d158803a402017d058803a90201770170c803bc01038702017d1fc8036"
	"70327017d8901a103d10101c303c90103ca010100c803ae0203ca01027d3b7d8a01"
	"a103ee01018103aa0202c803890103bd01037d85017d2a7d388103b302018803b70"
	"201770170a103b10201c303e701038e020100c803ba02038e02027d337d06c803fa"
	"0103fb01017d19c8038801039101017d3bc803bf01039102017d9c01c303bf02039"
	"10201018803b802027d02770170a803b902017d16c8038c02038d02017d8b018803"
	"c202027d9c01770170c8037a037b027d9f017d89018803c602027da201770170c30"
	"3b70203b8020100c803cb0203b802017d2ec80376039c02027d267d03c803a90203"
	"aa02027d3d7d19c8038202038302027d317d9d01c8038b02038c02027d237d8d01c"
	"8038c0203c402017d09010333010406070e0515041a041f0425042b032f03340439"
	"013b023e0343064b035102540a5f02660168036c02700577027b037f068601028b0"
	"1018d01019101059701049d010cab0104b10102b50102bd0102c10103c50103cf01"
	"01d10102da0103e10101ee0101f30101f90101fc01018602039c0204ad0201b1020"
	"3b70201b90201";
static const char exp_json[] =
	"[35,46,30,72,10,19,30,95,{\"0\":0},32,94,87,38,3,{\"0\":0},69,42,56"
	",{\"0\":1},52,2,{\"0\":1},59,89,96,25,85,0,74,{\"0\":1},27,{\"0\":0"
	"},73,{\"0\":0},51,85,69,{\"0\":0},14,20,21,36,17,20,{\"0\":1},{\"0\""
	":0},65,11,31,56,{\"0\":1},92,{\"0\":1},17,15,95,28,89,73,79,11,77,{"
	"\"0\":0},22,84,28,43,84,5,89,35,{\"0\":0},51,6,36,89,{\"0\":2},35,\""
	"p\",96,36,61,61,0,3,71,78,\"p\",24,{\"0\":1},49,93,23,40,\"p\",12,3"
	"3,95,73,56,37,38,{\"0\":2},95,50,73,54,34,89,{\"0\":1},\"p\",88,31,"
	"50,21,53,79,20,\"p\",69,{\"0\":0},{\"0\":1},{\"0\":0},59,74,41,\"p\""
	",13,\"p\",60,34,{\"0\":1},{\"0\":2},\"p\",61,\"p\",6,\"p\",\"p\",97"
	",51,\"p\",28,{\"0\":0},\"p\",16,38,31,20,16,74,95,\"p\",99,\"p\",40"
	",\"p\",72,\"p\",35,77,17,9,75,\"p\",97,\"p\",71,\"p\",5,61,25,\"p\""
	",{\"0\":0},46,\"p\",2,\"p\",92,\"p\",98,\"p\"]";
static const char exp_delta_update0[] =
	"01080900070103786d6c060600090004626f6c6404747275658409010668656c6c6"
	"f2086090704626f6c64046e756c6c84090805776f726c6486090d046c696e6b0c7b"
	"2268726566223a2275227d85090e0b7b22696d67223a2279227d86090f046c696e6"
	"b046e756c6c00";
static const char exp_delta_update1[] =
	"01040911c609060907066974616c69630474727565c60911090704626f6c64046e7"
	"56c6cc60909090a066974616c6963046e756c6cc40913090a015a01090204030801";
static const char exp_delta_toDelta[] =
	"[{\"insert\":\"he\",\"attributes\":{\"bold\":true}},{\"insert\":\" "
	"w\",\"attributes\":{\"italic\":true}},{\"insert\":\"Zorld\"},{\"ins"
	"ert\":{\"img\":\"y\"},\"attributes\":{\"link\":{\"href\":\"u\"}}}]";
static const char exp_inherit_u0[] = "01010400040101740661626364656600";
static const char exp_inherit_u1[] =
	"01020406c60400040104626f6c640474727565c60403040404626f6c64046e756c6"
	"c00";
static const char exp_inherit_u2[] = "01010408c404010402015800";
static const char exp_inherit_u3[] =
	"01030409c604070404066974616c69630474727565c4040904040159c6040a04040"
	"66974616c6963046e756c6c00";
static const char exp_inherit_u4[] = "0001040200020801";
static const char exp_inherit_u5[] = "0101040c840405050a0a0a0a0a0104010602";
static const char exp_inherit_toDelta[] =
	"[{\"insert\":\"cd\"},{\"insert\":\"Y\",\"attributes\":{\"italic\":t"
	"rue}},{\"insert\":\"ef\\n\\n\\n\\n\\n\"}]";

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
	uint32_t s = rng_state;

	s ^= s << 13;
	s ^= s >> 17;
	s ^= s << 5;
	rng_state = s;
	return s % n;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void on_update_hash(void *ctx, const uint8_t *update, size_t len,
			   bool local, void *origin)
{
	uint32_t *h = ctx;
	uint8_t l[4] = { (uint8_t)len, (uint8_t)(len >> 8),
			 (uint8_t)(len >> 16), (uint8_t)(len >> 24) };
	size_t i;

	(void)local;
	(void)origin;
	for (i = 0; i < 4; i++)
		*h = (*h ^ l[i]) * 16777619u;
	for (i = 0; i < len; i++)
		*h = (*h ^ update[i]) * 16777619u;
}

static const char *const chars[] = {
	"a", "b", "c", "d", " ", "\xc3\xa9", "\xf0\x9f\x98\x80"
};

/* 1 to 4 characters from chars[] */
static size_t rand_str(char *buf)
{
	size_t n = 1 + rnd(4), i, len = 0;

	for (i = 0; i < n; i++) {
		const char *c = chars[rnd(7)];

		memcpy(buf + len, c, strlen(c));
		len += strlen(c);
	}
	return len;
}

static void test_plain_trace(void)
{
	struct y_doc *d = mkdoc(1, false);
	struct y_type *t = root(d, "t", Y_TEXT);
	uint32_t hash = 2166136261u;
	char buf[32];
	int i, bad = 0;

	rng_state = 42;
	y_doc_on_update(d, on_update_hash, &hash);
	for (i = 0; i < 400; i++) {
		uint64_t len = y_type_len(t), idx;

		if (len == 0 || rnd(3) != 0) {
			idx = rnd(len + 1);
			size_t n = rand_str(buf);

			bad |= y_text_insert(t, idx, buf, n, NULL) != 0;
		} else {
			idx = rnd(len);
			bad |= y_text_delete(t, idx,
					     1 + rnd(min_u64(5, len - idx))) !=
			       0;
		}
	}
	ok(!bad, "plain trace: every call succeeds");
	is_int(hash, 3762380433u, "plain trace: every update equals yjs's");
	is_int(y_type_len(t), 382, "plain trace: length");
	check_state(d, exp_plain_state, "plain trace: full state");
	check_string(t, exp_string, "plain trace: string");
	is_int(y_doc_check_invariants(d), 0, "plain trace: invariants");
	y_doc_free(d);
}

static struct y_any attr_sets[6];

static void make_attr_sets(void)
{
	struct y_any v;

	v = bool_any(true);
	obj1(&attr_sets[0], "bold", &v);
	v = null_any();
	obj1(&attr_sets[1], "bold", &v);
	v = bool_any(true);
	obj1(&attr_sets[2], "italic", &v);
	v = str_any("red");
	obj1(&attr_sets[3], "color", &v);
	y_any_clear(&v);
	v = null_any();
	obj1(&attr_sets[4], "color", &v);
	v = bool_any(true);
	y_any_object_set(&attr_sets[4], "bold", 4, &v);
	y_any_init_object(&attr_sets[5]);
}

static void sync_docs(struct y_doc *a, struct y_doc *b)
{
	uint8_t *sv, *u;
	size_t svn, n;

	y_doc_state_vector(&sv, &svn, b);
	y_doc_encode_state_as_update(&u, &n, a, sv, svn, NULL);
	if (y_doc_apply_update(b, u, n, NULL) < 0)
		ok(0, "sync apply");
	free(sv);
	free(u);
}

static void test_rich_trace(void)
{
	struct y_doc *docs[2] = { mkdoc(1, false), mkdoc(2, false) };
	struct y_type *texts[2] = { root(docs[0], "t", Y_TEXT),
				    root(docs[1], "t", Y_TEXT) };
	uint32_t hash[2] = { 2166136261u, 2166136261u };
	struct y_any img, x;
	char buf[32];
	int i, bad = 0;

	make_attr_sets();
	x = str_any("x");
	obj1(&img, "img", &x);
	y_any_clear(&x);
	rng_state = 7;
	y_doc_on_update(docs[0], on_update_hash, &hash[0]);
	y_doc_on_update(docs[1], on_update_hash, &hash[1]);
	for (i = 0; i < 300; i++) {
		struct y_type *t = texts[rnd(2)];
		uint64_t len = y_type_len(t), idx, l;
		uint32_t op = rnd(10), k;

		if (len == 0 || op < 4) {
			k = rnd(8);
			idx = rnd(len + 1);
			size_t n = rand_str(buf);

			bad |= y_text_insert(t, idx, buf, n,
					     k < 6 ? &attr_sets[k] : NULL) != 0;
		} else if (op < 6) {
			idx = rnd(len);
			bad |= y_text_delete(t, idx,
					     1 + rnd(min_u64(5, len - idx))) !=
			       0;
		} else if (op < 9) {
			idx = rnd(len);
			l = 1 + rnd(min_u64(6, len - idx));
			bad |= y_text_format(t, idx, l, &attr_sets[rnd(6)]) !=
			       0;
		} else {
			bad |= y_text_insert_embed(t, rnd(len + 1), &img,
						   NULL) != 0;
		}
		if (rnd(4) == 0) {
			sync_docs(docs[0], docs[1]);
			sync_docs(docs[1], docs[0]);
		}
	}
	ok(!bad, "rich trace: every call succeeds");
	is_int(hash[0], 3214998889u,
	       "rich trace: client 1 updates equal yjs's");
	is_int(hash[1], 116400011u, "rich trace: client 2 updates equal yjs's");
	check_state(docs[0], exp_state1, "rich trace: client 1 full state");
	check_state(docs[1], exp_state2, "rich trace: client 2 full state");
	check_delta(texts[0], exp_delta1, "rich trace: client 1 toDelta");
	check_delta(texts[1], exp_delta2, "rich trace: client 2 toDelta");
	is_int(y_doc_check_invariants(docs[0]), 0, "rich trace: invariants 1");
	is_int(y_doc_check_invariants(docs[1]), 0, "rich trace: invariants 2");
	for (i = 0; i < 6; i++)
		y_any_clear(&attr_sets[i]);
	y_any_clear(&img);
	y_doc_free(docs[0]);
	y_doc_free(docs[1]);
}

/* rich2 seed=11 n=300 hash1=2382882747 hash2=4253632981 cleanup events=4 */
static const char exp_r2_state1[] =
	"02d40102000101017405c1010101020341010001c10100010101c10108010901860"
	"10a066974616c6963046e756c6cc10108010b01c4020c010b02c3a9c1020c020d01"
	"c10109010e01c6010f011005636f6c6f72046e756c6cc10204010401c1020c020e0"
	"1c10108020c01c1020f010e01c10214010e01c40215010e02c3a9c1020c021201c4"
	"021702120120c10218021201c10119021602c10216010e02c4021702180120c4021"
	"e021803efbfbdc4021f021803efbfbdc10113021101c4021e021f0120c102150118"
	"01c10216011c01c1020d012301c10215022301c10214021501c6012a020d0669746"
	"16c69630474727565c10216022401c10217021e01c601380219066974616c696304"
	"6e756c6cc10136013701c4022c013702c3a9c4022d01370161c6012c012d04626f6"
	"c640474727565c10130021f02c10130023001c10135013601c10132022002c60225"
	"012305636f6c6f72052272656422c10236012301c10223011801c1012e012f01c10"
	"211010401c1022e013701c10223014a01c4023c014a0161c4023d014a0164c1022c"
	"022d02c10240022d01c40241022d06efbfbdefbfbdc40243022d02c3a9c10243024"
	"401c10146014001c10227014c02c1023c023d02c40118011902c3a9c1024b011901"
	"c1024c011902c1012d012e01c1021e022201c1014e021501c40237012303c3a961c"
	"4025301230164c10254012301c4012d015e02c3a9c40256015e0164c40257015e01"
	"20c60253025405636f6c6f72046e756c6cc10259025401c10248014c01c10240024"
	"101c1022c023f01c1025d023f01c1023b013701c60239012f066974616c69630474"
	"727565c1023a010401c6022d022e05636f6c6f72052272656422c10152015301c10"
	"153015401c6023d016904626f6c64046e756c6cc60120012b066974616c69630474"
	"727565c1017a017b01c10140014101c10223023c01c10239016f01c1026a016f02c"
	"4015402100164c4026d02100161c4026e02100164c10176017702c10179015101c6"
	"0272015104626f6c64046e756c6cc4017b013b03efbfbdc40274013b04efbfbd61c"
	"10257025803c40279025803efbfbdc4027a025805efbfbdc3a9c101970101980101"
	"c10143013f01c4026c016f0120c60177017805636f6c6f72052272656422c602740"
	"275066974616c6963046e756c6cc1017702800101c402820102800106efbfbdefbf"
	"bdc1025e023f01c4028501023f02c3a9c4028601023f0163c4015201730162c4028"
	"80101730463efbfbdc4028a01017303efbfbdc10279027a02c4012d02560163c102"
	"7c025801c1026a026b01c401860101560361c3a9c40292010156026463c4025f013"
	"703c3a962c1013601a80101c101aa0101ab0101c10235022001c4028e0102560164"
	"c1029a01025601c601930101940105636f6c6f72046e756c6cc6029c01019401046"
	"26f6c640474727565c6021b021604626f6c64046e756c6cc40154026d02c3a9c102"
	"9f01026d02c402a101026d04f09f9880c1025801a70101c1019801015f01c402920"
	"10293010464c3a961c401a40101a5010162c402a90101a5010161c102aa0101a501"
	"03c402a80102930102c3a9c6016d016e066974616c69630474727565c6026101a00"
	"104626f6c640474727565c10231021f01c102a90102aa0101c1027a027b01c40276"
	"013b0161c10218014401c60225023604626f6c640474727565c10250022201c402b"
	"701022202c3a9c1029f0102a00102c601c20101c30105636f6c6f72052272656422"
	"c4026d026e0162c4017f01710720efbfbdefbfbdc402bf0101710164c6023301360"
	"4626f6c640474727565c4017b0274026161c402c30102740120c402c40102740163"
	"c401b00101190761c3a9f09f9880c101c20101c50101c402ca0101c501022061c60"
	"2af01016e04626f6c64046e756c6cc602cd01016e05636f6c6f72052272656422c1"
	"02ca0102cb0102c402d00102cb01026163c402560257026262c402d401025702c3a"
	"9c4026d02bc010462c3a963c60260012f04626f6c64046e756c6cc6016301500563"
	"6f6c6f72046e756c6cc4019f01024b03c3a920c1021d010e01c1019c01019d0101c"
	"601c901028b0104626f6c640474727565c602a10102a20104626f6c64046e756c6c"
	"c402c40102c5010361c3a9c602bc01026e04626f6c640474727565c6026e018e010"
	"4626f6c64046e756c6cc6019d01016204626f6c640474727565c602da0101500462"
	"6f6c64046e756c6cc60271017704626f6c640474727565c601b601013704626f6c6"
	"4046e756c6cc60157015805636f6c6f72046e756c6cc602e901015804626f6c6404"
	"74727565c60118019f0105636f6c6f72052272656422c602eb01019f0104626f6c6"
	"4046e756c6cc402d50102570120c401c70101c80102c3a9c402ee0101c801086462"
	"efbfbdefbfbdc602d40102d50104626f6c64046e756c6cc602b301027b04626f6c6"
	"40474727565c402bf0102c0010164c402c30102c4010163c60264015405636f6c6f"
	"72046e756c6cc60154029f0105636f6c6f72052272656422c601a40102a90105636"
	"f6c6f72052272656422c6029901022005636f6c6f72046e756c6cc6028801028901"
	"04626f6c640474727565c602ee0102ef0104626f6c64046e756c6cc401310218066"
	"4f09f988062c6029e01021605636f6c6f72052272656422c602850102860105636f"
	"6c6f72046e756c6cc402960101b9010164c602e20102c50104626f6c64047472756"
	"5c6028101027504626f6c64046e756c6cc401940101950105c3a9616161c4024e01"
	"9101056361c3a920c401b60101dc010462642061c4026d02d6010161c4013f01460"
	"720f09f9880c3a9cb0101000101017401810100018101010284020403efbfbd8101"
	"040141010001c10100010101810105018101080181010901c1010801090181010a0"
	"1c1010a010c01c40109010a02c3a9c1010e010a01c1010f010a01c10109010e01c1"
	"010f011001c10204010401c1020c020e01c10108020c01c1010c020b02c40215021"
	"60163c4011802160164c10119021602c10216010e02c10104010501c1010c011601"
	"c10113021101c1020e020d02c1020d010b04c10122020d04c40120022102c3a9c40"
	"12b02210162c4012c022103efbfbdc1012d022101c4012e02210120c10222021f01"
	"c10220021801c1021f022001c1012a020d01c10224011c02c40135011c0120c4013"
	"6011c02c3a9c10218021901c10217021e01c10138021901c6012c012d04626f6c64"
	"0474727565c10130021f02c10130013c01c10132022001c4013f022003efbfbdc40"
	"140022003efbfbdc10132013f02c10218013802c4013f01400161c1012e012f01c1"
	"0211010401c1022e013701c10223023801c1014a023801c10227021503c10243024"
	"401c40112021003efbfbdc40150021003efbfbdc4015102100120c4015202100120"
	"c4015302100164c1014a014b01c40155014b0461efbfbdc40157014b03efbfbdc10"
	"146014001c10227014c02c1023c023d02c1012d012e01c1021e022201c101120150"
	"02c4016101500163c40162015002c3a9c10227015a03c10227016402c1023d023e0"
	"2c1012a013301c4016b01330163c4016c013302c3a9c4016d01330163c60239012f"
	"066974616c69630474727565c1023a010401c60241024205636f6c6f72052272656"
	"422c6022d022e05636f6c6f72046e756c6cc10152015301c10153015401c6023d01"
	"6904626f6c64046e756c6cc4015001510164c40176015102c3a9c4017701510164c"
	"40178015102c3a9c4012c013b03efbfbdc4017a013b03efbfbdc40241017106efbf"
	"bdefbfbdc4017d0171026261c1025d025e03c10120012b01c1017a017b01c101400"
	"14101c10155015601c10223023c01c1024c024d01c10176017702c10179015101c6"
	"018b01015104626f6c64046e756c6cc40244022d0164c4026e026f03622061c4024"
	"e01190563f09f9880c4019301011902c3a9c401940101190164c1021e015f02c101"
	"9701015f01c101970101980101c10143013f01c60178017905636f6c6f720522726"
	"56422c40161016202c3a9c4019c0101620161c602740275066974616c6963046e75"
	"6c6cc40118024b0161c10261010401c1021e01960101c1027c025801c1026a026b0"
	"1c40143019a010161c101a401019a0101c10258015e01c4025801a6010120c40136"
	"022c03efbfbdc101a801022c02c101aa01022c01c1013601a80101c101aa0101ab0"
	"101c10235022001c6019501011905636f6c6f72046e756c6cc101af01011901c102"
	"5801a70101c6016d016e066974616c69630474727565c6026101a00104626f6c640"
	"474727565c10231021f01c1029601013702c102a90102aa0101c1027a027b01c402"
	"960101b50106efbfbdefbfbdc101ba0101b50103c401510152022061c1021801440"
	"1c60225023604626f6c640474727565c1023d017501c401c201017502c3a9c10198"
	"0102a50101c601c20101c30105636f6c6f72052272656422c60233013604626f6c6"
	"40474727565c4028a01028b010164c401c701028b01026163c4012b012c02c3a9c6"
	"016c016d04626f6c64046e756c6cc601cb01016d05636f6c6f72052272656422c40"
	"28e01029a0105c3a9626262c4027a01b8010120c60260012f04626f6c64046e756c"
	"6cc60163015005636f6c6f72046e756c6cc1019c01019d0101c60162016304626f6"
	"c640474727565c602a301026d04626f6c64046e756c6cc6019001026f04626f6c64"
	"047472756586020b04626f6c64046e756c6cc6019d01016204626f6c64047472756"
	"5c602da01015004626f6c64046e756c6cc60271017704626f6c640474727565c601"
	"b601013704626f6c64046e756c6cc4015101be0102c3a9c60157015805636f6c6f7"
	"2046e756c6cc601de01015804626f6c640474727565c60118019f0105636f6c6f72"
	"052272656422c601e001019f0104626f6c64046e756c6cc4029a01029b0106f09f9"
	"8806364c101e501029b0101c602d40102d50104626f6c64046e756c6cc602b30102"
	"7b04626f6c640474727565c401ca01012c0663f09f988062c401c90102df0102616"
	"4c401ee0102df010120c60264015405636f6c6f72046e756c6cc60154029f010563"
	"6f6c6f72052272656422c601a40102a90105636f6c6f72052272656422c60299010"
	"22005636f6c6f72046e756c6cc602880102890104626f6c640474727565c602ee01"
	"02ef0104626f6c64046e756c6cc602860102870105636f6c6f72052272656422c60"
	"17d017e05636f6c6f72046e756c6cc40228020d026263c401e50101e6010164c101"
	"fa0101e60103c401ee0101ef0104f09f9880c602e20102c50104626f6c640474727"
	"565c6028101027504626f6c64046e756c6cc4017f02bd010163020227000b0c010e"
	"021105170119052101230529022c01300637063f0345064c0655015a06610163026"
	"706700377037d028201018501018c01028f01029701039b0101a00102a40102ab01"
	"03b10103b50101b70101b90102ca0101cf0102dd0102011d000405090f091a112e0"
	"1300638033c04420447095501590964087001730280010c960105a00104a50102a9"
	"0106b00102b40105bb0103c00101c20101c40101d40101e60101fb0103";
static const char exp_r2_state2[] =
	"02d40102000101017405c1010101020341010001c10100010101c10108010901860"
	"10a066974616c6963046e756c6cc10108010b01c4020c010b02c3a9c1020c020d01"
	"c10109010e01c6010f011005636f6c6f72046e756c6cc10204010401c1020c020e0"
	"1c10108020c01c1020f010e01c10214010e01c40215010e02c3a9c1020c021201c4"
	"021702120120c10218021201c10119021602c10216010e02c4021702180120c4021"
	"e021803efbfbdc4021f021803efbfbdc10113021101c4021e021f0120c102150118"
	"01c10216011c01c1020d012301c10215022301c10214021501c6012a020d0669746"
	"16c69630474727565c10216022401c10217021e01c601380219066974616c696304"
	"6e756c6cc10136013701c4022c013702c3a9c4022d01370161c6012c012d04626f6"
	"c640474727565c10130021f02c10130023001c10135013601c10132022002c60225"
	"012305636f6c6f72052272656422c10236012301c10223011801c1012e012f01c10"
	"211010401c1022e013701c10223014a01c4023c014a0161c4023d014a0164c1022c"
	"022d02c10240022d01c40241022d06efbfbdefbfbdc40243022d02c3a9c10243024"
	"401c10146014001c10227014c02c1023c023d02c40118011902c3a9c1024b011901"
	"c1024c011902c1012d012e01c1021e022201c1014e021501c40237012303c3a961c"
	"4025301230164c10254012301c4012d015e02c3a9c40256015e0164c40257015e01"
	"20c60253025405636f6c6f72046e756c6cc10259025401c10248014c01c10240024"
	"101c1022c023f01c1025d023f01c1023b013701c60239012f066974616c69630474"
	"727565c1023a010401c6022d022e05636f6c6f72052272656422c10152015301c10"
	"153015401c6023d016904626f6c64046e756c6cc60120012b066974616c69630474"
	"727565c1017a017b01c10140014101c10223023c01c10239016f01c1026a016f02c"
	"4015402100164c4026d02100161c4026e02100164c10176017702c10179015101c6"
	"0272015104626f6c64046e756c6cc4017b013b03efbfbdc40274013b04efbfbd61c"
	"10257025803c40279025803efbfbdc4027a025805efbfbdc3a9c101970101980101"
	"c10143013f01c4026c016f0120c60177017805636f6c6f72052272656422c602740"
	"275066974616c6963046e756c6cc1017702800101c402820102800106efbfbdefbf"
	"bdc1025e023f01c4028501023f02c3a9c4028601023f0163c4015201730162c4028"
	"80101730463efbfbdc4028a01017303efbfbdc10279027a02c4012d02560163c102"
	"7c025801c1026a026b01c401860101560361c3a9c40292010156026463c4025f013"
	"703c3a962c1013601a80101c101aa0101ab0101c10235022001c4028e0102560164"
	"c1029a01025601c601930101940105636f6c6f72046e756c6cc6029c01019401046"
	"26f6c640474727565c6021b021604626f6c64046e756c6cc40154026d02c3a9c102"
	"9f01026d02c402a101026d04f09f9880c1025801a70101c1019801015f01c402920"
	"10293010464c3a961c401a40101a5010162c402a90101a5010161c102aa0101a501"
	"03c402a80102930102c3a9c6016d016e066974616c69630474727565c6026101a00"
	"104626f6c640474727565c10231021f01c102a90102aa0101c1027a027b01c40276"
	"013b0161c10218014401c60225023604626f6c640474727565c10250022201c402b"
	"701022202c3a9c1029f0102a00102c601c20101c30105636f6c6f72052272656422"
	"c4026d026e0162c4017f01710720efbfbdefbfbdc402bf0101710164c6023301360"
	"4626f6c640474727565c4017b0274026161c402c30102740120c402c40102740163"
	"c401b00101190761c3a9f09f9880c101c20101c50101c402ca0101c501022061c60"
	"2af01016e04626f6c64046e756c6cc602cd01016e05636f6c6f72052272656422c1"
	"02ca0102cb0102c402d00102cb01026163c402560257026262c402d401025702c3a"
	"9c4026d02bc010462c3a963c60260012f04626f6c64046e756c6cc6016301500563"
	"6f6c6f72046e756c6cc4019f01024b03c3a920c1021d010e01c1019c01019d0101c"
	"601c901028b0104626f6c640474727565c602a10102a20104626f6c64046e756c6c"
	"c402c40102c5010361c3a9c602bc01026e04626f6c640474727565c6026e018e010"
	"4626f6c64046e756c6cc6019d01016204626f6c640474727565c602da0101500462"
	"6f6c64046e756c6cc60271017704626f6c640474727565c601b601013704626f6c6"
	"4046e756c6cc60157015805636f6c6f72046e756c6cc602e901015804626f6c6404"
	"74727565c60118019f0105636f6c6f72052272656422c602eb01019f0104626f6c6"
	"4046e756c6cc402d50102570120c401c70101c80102c3a9c402ee0101c801086462"
	"efbfbdefbfbdc602d40102d50104626f6c64046e756c6cc602b301027b04626f6c6"
	"40474727565c402bf0102c0010164c402c30102c4010163c60264015405636f6c6f"
	"72046e756c6cc60154029f0105636f6c6f72052272656422c601a40102a90105636"
	"f6c6f72052272656422c6029901022005636f6c6f72046e756c6cc6028801028901"
	"04626f6c640474727565c602ee0102ef0104626f6c64046e756c6cc401310218086"
	"4efbfbdefbfbd62c6029e01021605636f6c6f72052272656422c602850102860105"
	"636f6c6f72046e756c6cc402960101b9010164c602e20102c50104626f6c6404747"
	"27565c6028101027504626f6c64046e756c6cc401940101950105c3a9616161c402"
	"4e019101056361c3a920c401b60101dc010462642061c4026d02d6010161c4013f0"
	"1460720f09f9880c3a9cb0101000101017401810100018101010284020403efbfbd"
	"8101040141010001c10100010101810105018101080181010901c10108010901810"
	"10a01c1010a010c01c40109010a02c3a9c1010e010a01c1010f010a01c10109010e"
	"01c1010f011001c10204010401c1020c020e01c10108020c01c1010c020b02c4021"
	"502160163c4011802160164c10119021602c10216010e02c10104010501c1010c01"
	"1601c10113021101c1020e020d02c1020d010b04c10122020d04c40120022102c3a"
	"9c4012b02210162c4012c022103efbfbdc1012d022101c4012e02210120c1022202"
	"1f01c10220021801c1021f022001c1012a020d01c10224011c02c40135011c0120c"
	"40136011c02c3a9c10218021901c10217021e01c10138021901c6012c012d04626f"
	"6c640474727565c10130021f02c10130013c01c10132022001c4013f022003efbfb"
	"dc40140022003efbfbdc10132013f02c10218013802c4013f01400161c1012e012f"
	"01c10211010401c1022e013701c10223023801c1014a023801c10227021503c1024"
	"3024401c40112021003efbfbdc40150021003efbfbdc4015102100120c401520210"
	"0120c4015302100164c1014a014b01c40155014b0461efbfbdc40157014b03efbfb"
	"dc10146014001c10227014c02c1023c023d02c1012d012e01c1021e022201c10112"
	"015002c4016101500163c40162015002c3a9c10227015a03c10227016402c1023d0"
	"23e02c1012a013301c4016b01330163c4016c013302c3a9c4016d01330163c60239"
	"012f066974616c69630474727565c1023a010401c60241024205636f6c6f7205227"
	"2656422c6022d022e05636f6c6f72046e756c6cc10152015301c10153015401c602"
	"3d016904626f6c64046e756c6cc4015001510164c40176015102c3a9c4017701510"
	"164c40178015102c3a9c4012c013b03efbfbdc4017a013b03efbfbdc40241017106"
	"efbfbdefbfbdc4017d0171026261c1025d025e03c10120012b01c1017a017b01c10"
	"140014101c10155015601c10223023c01c1024c024d01c10176017702c101790151"
	"01c6018b01015104626f6c64046e756c6cc40244022d0164c4026e026f03622061c"
	"4024e01190563f09f9880c4019301011902c3a9c401940101190164c1021e015f02"
	"c1019701015f01c101970101980101c10143013f01c60178017905636f6c6f72052"
	"272656422c40161016202c3a9c4019c0101620161c602740275066974616c696304"
	"6e756c6cc40118024b0161c10261010401c1021e01960101c1027c025801c1026a0"
	"26b01c40143019a010161c101a401019a0101c10258015e01c4025801a6010120c4"
	"0136022c03efbfbdc101a801022c02c101aa01022c01c1013601a80101c101aa010"
	"1ab0101c10235022001c6019501011905636f6c6f72046e756c6cc101af01011901"
	"c1025801a70101c6016d016e066974616c69630474727565c6026101a00104626f6"
	"c640474727565c10231021f01c1029601013702c102a90102aa0101c1027a027b01"
	"c402960101b50106efbfbdefbfbdc101ba0101b50103c401510152022061c102180"
	"14401c60225023604626f6c640474727565c1023d017501c401c201017502c3a9c1"
	"01980102a50101c601c20101c30105636f6c6f72052272656422c60233013604626"
	"f6c640474727565c4028a01028b010164c401c701028b01026163c4012b012c02c3"
	"a9c6016c016d04626f6c64046e756c6cc601cb01016d05636f6c6f7205227265642"
	"2c4028e01029a0105c3a9626262c4027a01b8010120c60260012f04626f6c64046e"
	"756c6cc60163015005636f6c6f72046e756c6cc1019c01019d0101c601620163046"
	"26f6c640474727565c602a301026d04626f6c64046e756c6cc6019001026f04626f"
	"6c64047472756586020b04626f6c64046e756c6cc6019d01016204626f6c6404747"
	"27565c602da01015004626f6c64046e756c6cc60271017704626f6c640474727565"
	"c601b601013704626f6c64046e756c6cc4015101be0102c3a9c60157015805636f6"
	"c6f72046e756c6cc601de01015804626f6c640474727565c60118019f0105636f6c"
	"6f72052272656422c601e001019f0104626f6c64046e756c6cc4029a01029b0106f"
	"09f98806364c101e501029b0101c602d40102d50104626f6c64046e756c6cc602b3"
	"01027b04626f6c640474727565c401ca01012c0663f09f988062c401c90102df010"
	"26164c401ee0102df010120c60264015405636f6c6f72046e756c6cc60154029f01"
	"05636f6c6f72052272656422c601a40102a90105636f6c6f72052272656422c6029"
	"901022005636f6c6f72046e756c6cc602880102890104626f6c640474727565c602"
	"ee0102ef0104626f6c64046e756c6cc602860102870105636f6c6f7205227265642"
	"2c6017d017e05636f6c6f72046e756c6cc40228020d026263c401e50101e6010164"
	"c101fa0101e60103c401ee0101ef0104f09f9880c602e20102c50104626f6c64047"
	"4727565c6028101027504626f6c64046e756c6cc4017f02bd010163020227000b0c"
	"010e021105170119052101230529022c01300637063f0345064c0655015a0661016"
	"3026706700377037d028201018501018c01028f01029701039b0101a00102a40102"
	"ab0103b10103b50101b70101b90102ca0101cf0102dd0102011d000405090f091a1"
	"12e01300638033c04420447095501590964087001730280010c960105a00104a501"
	"02a90106b00102b40105bb0103c00101c20101c40101d40101e60101fb0103";
static const char exp_r2_delta1[] =
	"[{\"insert\":\"\xc3\xa9\xc3\xa9"
	"c\xf0\x9f\x98\x80"
	"bb\xef\xbf\xbd\xef"
	"\xbf\xbd"
	"aac a\xc3\xa9\",\"attributes\":{\"italic\":true}},{\"inse"
	"rt\":\"c\xef\xbf\xbd\",\"attributes\":{\"italic\":true,\"bold\":tru"
	"e}},{\"insert\":\"\xef\xbf\xbd"
	"aa\"},{\"insert\":\"\xef\xbf\xbd"
	"c"
	"\xc3\xa9"
	"bbbd\xf0\x9f\x98\x80"
	"cdd\xc3\xa9"
	"bb\",\"attributes\":{\""
	"bold\":true}},{\"insert\":\"\xc3\xa9 d\xef\xbf\xbd \"},{\"insert\":"
	"\"\xef\xbf\xbd\xc3\xa9   \",\"attributes\":{\"bold\":true}},{\"inse"
	"rt\":\" \",\"attributes\":{\"italic\":true}},{\"insert\":\"\xef\xbf"
	"\xbd \xc3\xa9 \xef\xbf\xbd"
	"a\",\"attributes\":{\"italic\":true,\"b"
	"old\":true}},{\"insert\":\"ba \xf0\x9f\x98\x80\xc3\xa9"
	"a\xef\xbf\xbd"
	"\xef\xbf\xbd\",\"attributes\":{\"italic\":true,\"bold\":true,\"colo"
	"r\":\"red\"}},{\"insert\":\"\xef\xbf\xbd"
	"d\xf0\x9f\x98\x80"
	"b \",\""
	"attributes\":{\"italic\":true,\"bold\":true}},{\"insert\":\"c\",\"a"
	"ttributes\":{\"bold\":true}},{\"insert\":\"\xc3\xa9\",\"attributes\""
	":{\"color\":\"red\"}},{\"insert\":\"c\",\"attributes\":{\"color\":\""
	"red\",\"italic\":true}},{\"insert\":\"bc\xc3\xa9\",\"attributes\":{"
	"\"color\":\"red\",\"italic\":true}},{\"insert\":\"\xc3\xa9"
	"a\",\"a"
	"ttributes\":{\"color\":\"red\",\"italic\":true,\"bold\":true}},{\"i"
	"nsert\":\"daac a\",\"attributes\":{\"italic\":true,\"bold\":true}},"
	"{\"insert\":\"\xc3\xa9\",\"attributes\":{\"italic\":true,\"bold\":t"
	"rue,\"color\":\"red\"}},{\"insert\":\"da\xc3\xa9"
	"d\xc3\xa9"
	"a\xc3\xa9"
	"dca\xef\xbf\xbd\",\"attributes\":{\"italic\":true,\"color\":\"red\""
	"}},{\"insert\":\"\xef\xbf\xbd"
	"c\",\"attributes\":{\"italic\":true,"
	"\"bold\":true}},{\"insert\":\"a\xc3\xa9 \xc3\xa9"
	"ca\xc3\xa9 c\xf0\x9f"
	"\x98\x80\",\"attributes\":{\"italic\":true,\"color\":\"red\"}},{\"i"
	"nsert\":\"\xc3\xa9\xc3\xa9"
	"aaad\",\"attributes\":{\"italic\":true,"
	"\"bold\":true}},{\"insert\":\"a\xc3\xa9\xf0\x9f\x98\x80"
	"d\",\"attr"
	"ibutes\":{\"italic\":true,\"bold\":true}},{\"insert\":\"\xc3\xa9\","
	"\"attributes\":{\"italic\":true,\"color\":\"red\"}},{\"insert\":\" "
	"\xef\xbf\xbd\",\"attributes\":{\"italic\":true,\"color\":\"red\",\""
	"bold\":true}},{\"insert\":\"\xc3\xa9\",\"attributes\":{\"italic\":t"
	"rue,\"bold\":true}},{\"insert\":\"c\xef\xbf\xbd\xef\xbf\xbd\",\"att"
	"ributes\":{\"italic\":true,\"bold\":true,\"color\":\"red\"}},{\"ins"
	"ert\":\"bac \xef\xbf\xbd\xef\xbf\xbd"
	"dd\",\"attributes\":{\"italic"
	"\":true,\"bold\":true}},{\"insert\":\"\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9"
	"d\xc3\xa9\",\"attributes\":{\"italic\":true,\"bold\":true,\"color\""
	":\"red\"}},{\"insert\":\"a\xc3\xa9"
	"bd\xef\xbf\xbd\xef\xbf\xbd"
	"bd "
	"a\",\"attributes\":{\"italic\":true,\"bold\":true,\"color\":\"red\""
	"}},{\"insert\":\"\xc3\xa9\xc3\xa9\xc3\xa9"
	"a\",\"attributes\":{\"it"
	"alic\":true,\"color\":\"red\"}},{\"insert\":\"c\",\"attributes\":{\""
	"italic\":true,\"color\":\"red\",\"bold\":true}},{\"insert\":\"\xc3\xa9"
	"\",\"attributes\":{\"italic\":true,\"color\":\"red\",\"bold\":true}"
	"},{\"insert\":\"\xef\xbf\xbd"
	"d\",\"attributes\":{\"italic\":true}}"
	",{\"insert\":\"\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\",\"attributes\":{\""
	"italic\":true,\"bold\":true}},{\"insert\":\"d\",\"attributes\":{\"i"
	"talic\":true,\"bold\":true,\"color\":\"red\"}},{\"insert\":\"\xc3\xa9"
	"\",\"attributes\":{\"italic\":true,\"bold\":true,\"color\":\"red\"}"
	"},{\"insert\":\"\xef\xbf\xbd\xc3\xa9 a b\",\"attributes\":{\"italic"
	"\":true,\"color\":\"red\"}},{\"insert\":\"c\xef\xbf\xbd"
	"d\xc3\xa9\""
	",\"attributes\":{\"italic\":true,\"color\":\"red\",\"bold\":true}},"
	"{\"insert\":\"db\xef\xbf\xbd\xef\xbf\xbd"
	"acad\xf0\x9f\x98\x80 \",\""
	"attributes\":{\"italic\":true,\"color\":\"red\"}},{\"insert\":\"\xef"
	"\xbf\xbd \",\"attributes\":{\"italic\":true,\"color\":\"red\",\"bol"
	"d\":true}},{\"insert\":\"d\",\"attributes\":{\"italic\":true,\"bold"
	"\":true}},{\"insert\":\"\xc3\xa9\",\"attributes\":{\"italic\":true,"
	"\"bold\":true,\"color\":\"red\"}},{\"insert\":\"\xf0\x9f\x98\x80\","
	"\"attributes\":{\"italic\":true,\"color\":\"red\"}},{\"insert\":\"d"
	"ab\xc3\xa9"
	"cb\",\"attributes\":{\"italic\":true,\"color\":\"red\"}"
	"},{\"insert\":\"a\",\"attributes\":{\"italic\":true,\"color\":\"red"
	"\",\"bold\":true}},{\"insert\":\"b a\",\"attributes\":{\"italic\":t"
	"rue,\"color\":\"red\"}},{\"insert\":\"d\",\"attributes\":{\"italic\""
	":true,\"color\":\"red\",\"bold\":true}}]";

/*
 * Both clients apply the same formatting concurrently and sync often, so
 * that receiving the other's update makes redundant Format items, which
 * the formatting cleanup (spec 10.6) deletes in extra local updates.
 */
static void test_cleanup_trace(void)
{
	struct y_doc *docs[2] = { mkdoc(1, false), mkdoc(2, false) };
	struct y_type *texts[2] = { root(docs[0], "t", Y_TEXT),
				    root(docs[1], "t", Y_TEXT) };
	uint32_t hash[2] = { 2166136261u, 2166136261u };
	char buf[32];
	int i, j, bad = 0;

	make_attr_sets();
	rng_state = 11;
	y_doc_on_update(docs[0], on_update_hash, &hash[0]);
	y_doc_on_update(docs[1], on_update_hash, &hash[1]);
	for (i = 0; i < 300; i++) {
		struct y_type *t = texts[rnd(2)];
		uint64_t len = y_type_len(t), idx, l, fl;
		uint32_t op = rnd(10), a;

		if (len == 0 || op < 4) {
			idx = rnd(len + 1);
			size_t n = rand_str(buf);

			bad |= y_text_insert(t, idx, buf, n, NULL) != 0;
		} else if (op < 5) {
			idx = rnd(len);
			bad |= y_text_delete(t, idx,
					     1 + rnd(min_u64(5, len - idx))) !=
			       0;
		} else {
			l = min_u64(y_type_len(texts[0]), y_type_len(texts[1]));
			if (l > 0) {
				idx = rnd(l);
				fl = 1 + rnd(min_u64(6, l - idx));
				a = rnd(6);
				for (j = 0; j < 2; j++)
					bad |= y_text_format(texts[j], idx, fl,
							     &attr_sets[a]) !=
					       0;
			}
		}
		if (rnd(3) == 0) {
			sync_docs(docs[0], docs[1]);
			sync_docs(docs[1], docs[0]);
		}
	}
	ok(!bad, "cleanup trace: every call succeeds");
	is_int(hash[0], 2382882747u,
	       "cleanup trace: client 1 updates (with cleanups) equal yjs's");
	is_int(hash[1], 4253632981u,
	       "cleanup trace: client 2 updates (with cleanups) equal yjs's");
	check_state(docs[0], exp_r2_state1, "cleanup trace: client 1 state");
	check_state(docs[1], exp_r2_state2, "cleanup trace: client 2 state");
	check_delta(texts[0], exp_r2_delta1, "cleanup trace: toDelta");
	for (i = 0; i < 6; i++)
		y_any_clear(&attr_sets[i]);
	y_doc_free(docs[0]);
	y_doc_free(docs[1]);
}

static char *list_json(struct y_type *a)
{
	struct y_list_iter it;
	struct y_value v;
	struct y_any arr;
	char *out = NULL;
	size_t len;

	y_any_init_array(&arr);
	y_list_iter_init(&it, a);
	while (y_list_iter_next(&it, &v))
		if (v.any)
			y_any_array_push(&arr, v.any);
	y_any_to_json(&out, &len, &arr);
	y_any_clear(&arr);
	return out;
}

static void test_array_trace(void)
{
	struct y_doc *d = mkdoc(3, false);
	struct y_type *a = root(d, "a", Y_ARRAY), *m = root(d, "m", Y_MAP);
	uint32_t hash = 2166136261u;
	struct y_any vals[3];
	char key[4] = "k0";
	int i, bad = 0;
	char *json;

	rng_state = 5;
	y_doc_on_update(d, on_update_hash, &hash);
	for (i = 0; i < 300; i++) {
		uint64_t len = y_type_len(a), idx;
		uint32_t op = rnd(8), k, j;

		if (len == 0 || op < 3) {
			k = 1 + rnd(3);
			for (j = 0; j < k; j++) {
				if (rnd(5) == 0) {
					uint8_t b = (uint8_t)j;

					y_any_init_bytes(&vals[j], &b, 1);
				} else {
					y_any_init_number(&vals[j], rnd(100));
				}
			}
			bad |= y_list_insert(a, rnd(len + 1), vals, k) != 0;
			for (j = 0; j < k; j++)
				y_any_clear(&vals[j]);
		} else if (op < 4) {
			vals[0] = num_any(rnd(100));
			vals[1] = str_any("p");
			bad |= y_array_push(a, vals, 2) != 0;
			y_any_clear(&vals[1]);
		} else if (op < 6) {
			idx = rnd(len);
			bad |= y_list_delete(a, idx,
					     1 + rnd(min_u64(3, len - idx))) !=
			       0;
		} else if (op < 7) {
			key[1] = (char)('0' + rnd(5));
			vals[0] = num_any(rnd(100));
			bad |= y_map_set(m, key, 2, &vals[0]) != 0;
		} else {
			key[1] = (char)('0' + rnd(5));
			y_map_delete(m, key, 2);
		}
	}
	ok(!bad, "array trace: every call succeeds");
	is_int(hash, 2596847597u, "array trace: every update equals yjs's");
	is_int(y_type_len(a), 182, "array trace: length");
	check_state(d, exp_arr_state, "array trace: full state");
	json = list_json(a);
	is_str(json, exp_json, "array trace: toJSON");
	free(json);
	is_int(y_doc_check_invariants(d), 0, "array trace: invariants");
	y_doc_free(d);
}

static void test_apply_delta(void)
{
	struct y_doc *d = mkdoc(9, false);
	struct capture c = { 0 };
	struct y_type *xml = root(d, "xml", Y_XML_ELEMENT), *t;
	struct y_delta_op ops[4];
	struct y_any v, href;
	int i;

	y_doc_on_update(d, on_update, &c);
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < 4; i++) {
		y_any_init_undefined(&ops[i].insert);
		y_any_init_undefined(&ops[i].attrs);
	}
	ops[0].insert = str_any("hello ");
	ops[0].attrs = bold_true();
	ops[1].insert = str_any("world");
	v = str_any("y");
	obj1(&ops[2].insert, "img", &v);
	y_any_clear(&v);
	v = str_any("u");
	obj1(&href, "href", &v);
	y_any_clear(&v);
	obj1(&ops[2].attrs, "link", &href);
	y_any_clear(&href);
	y_doc_transact_begin(d, NULL);
	is_int(y_list_insert_type(&t, xml, 0, Y_XML_TEXT, NULL), 0,
	       "delta: XmlText");
	is_int(y_text_apply_delta(t, ops, 3), 0, "delta: apply inserts");
	y_doc_transact_end(d);
	for (i = 0; i < 4; i++) {
		y_any_clear(&ops[i].insert);
		y_any_clear(&ops[i].attrs);
	}
	ops[0].kind = Y_DELTA_RETAIN;
	ops[0].len = 2;
	ops[1].kind = Y_DELTA_DELETE;
	ops[1].len = 3;
	ops[2].kind = Y_DELTA_RETAIN;
	ops[2].len = 2;
	v = bool_any(true);
	obj1(&ops[2].attrs, "italic", &v);
	v = null_any();
	y_any_object_set(&ops[2].attrs, "bold", 4, &v);
	ops[3].kind = Y_DELTA_INSERT;
	ops[3].insert = str_any("Z");
	is_int(y_text_apply_delta(t, ops, 4), 0, "delta: retain/delete/insert");
	for (i = 0; i < 4; i++) {
		y_any_clear(&ops[i].insert);
		y_any_clear(&ops[i].attrs);
	}
	check_update(&c, 0, exp_delta_update0, "delta: update 0");
	check_update(&c, 1, exp_delta_update1, "delta: update 1");
	check_delta(t, exp_delta_toDelta, "delta: toDelta");
	capture_release(&c);
	y_doc_free(d);
}

static void test_inherit(void)
{
	struct y_doc *d = mkdoc(4, false);
	struct capture c = { 0 };
	struct y_type *t = root(d, "t", Y_TEXT);
	struct y_any bold = bold_true(), ital, unbold, v;

	v = bool_any(true);
	obj1(&ital, "italic", &v);
	v = null_any();
	obj1(&unbold, "bold", &v);
	y_doc_on_update(d, on_update, &c);
	y_text_insert(t, 0, "abcdef", 6, NULL);
	y_text_format(t, 1, 3, &bold);
	y_text_insert(t, 2, "X", 1, NULL);
	y_text_insert(t, 5, "Y", 1, &ital);
	y_text_delete(t, 0, 3);
	is_int(y_text_format(t, 0, 10, &unbold), 0, "inherit: format past end");
	check_update(&c, 0, exp_inherit_u0, "inherit: update 0");
	check_update(&c, 1, exp_inherit_u1, "inherit: update 1");
	check_update(&c, 2, exp_inherit_u2,
		     "inherit: update 2 (inherits bold)");
	check_update(&c, 3, exp_inherit_u3, "inherit: update 3");
	check_update(&c, 4, exp_inherit_u4, "inherit: update 4 (delete)");
	check_update(&c, 5, exp_inherit_u5, "inherit: update 5 (newlines)");
	check_delta(t, exp_inherit_toDelta, "inherit: toDelta");
	y_any_clear(&bold);
	y_any_clear(&ital);
	y_any_clear(&unbold);
	capture_release(&c);
	y_doc_free(d);
}

/* ---- more cases generated with yjs 13.6.33 -------------------------------- */

/* Several edits in one explicit transaction: positions are found while the
 * previous edits are not merged yet. */
static void test_edits_in_one_txn(void)
{
	struct y_doc *d = mkdoc(6, false);
	struct capture c = { 0 };
	struct y_type *t = root(d, "t", Y_TEXT);
	int bad = 0;

	y_doc_on_update(d, on_update, &c);
	y_text_insert(t, 0, "zz", 2, NULL);
	y_doc_transact_begin(d, NULL);
	bad |= y_text_insert(t, 0, "hello", 5, NULL);
	bad |= y_text_insert(t, 5, " world", 6, NULL);
	bad |= y_text_delete(t, 2, 3);
	bad |= y_text_insert(t, 3, "XY", 2, NULL);
	bad |= y_text_delete(t, 0, 1);
	bad |= y_text_insert(t, 10, "!", 1, NULL);
	bad |= y_text_delete(t, 11, 2);
	y_doc_transact_end(d);
	ok(!bad, "one txn: calls succeed");
	is_int(c.n, 2, "one txn: one event for the transaction");
	check_update(
		&c, 1,
		"0107060241060001c4060206000165c10603060003c4060606000120c406"
		"07060005776f726c64c406070608025859c406000601012101060201020403",
		"one txn: update");
	check_state(d,
		    "0109060004010174017a8106000141060001c4060206000165c1060306"
		    "0003c4060606000120c40607060005776f726c64c406070608025859c4"
		    "06000601012101060201020403",
		    "one txn: full state");
	check_string(t, "e XYworldz!", "one txn: string");
	capture_release(&c);
	y_doc_free(d);
}

/* V10c: deleting an element deletes its subtree. */
static void test_v10c(void)
{
	struct y_doc *d = mkdoc(4, false);
	struct y_type *f = root(d, "xml", Y_XML_FRAGMENT), *p, *t;

	y_doc_transact_begin(d, NULL);
	y_list_insert_type(&p, f, 0, Y_XML_ELEMENT, "p");
	y_list_insert_type(&t, p, 0, Y_XML_TEXT, NULL);
	y_text_insert(t, 0, "hi", 2, NULL);
	map_set_str(p, "id", "x");
	y_doc_transact_end(d);
	check_state(d,
		    "01040400070103786d6c030170070004000604000401026869280004"
		    "000269640177017800",
		    "V10c before delete");
	is_int(y_list_delete(f, 0, 1), 0, "V10c delete element");
	check_state(d, "01020400010103786d6c0100040104010005",
		    "V10c after delete");
	is_int(y_type_len(f), 0, "V10c fragment empty");
	y_doc_free(d);
}

/* Nested types as map values, then overwritten by a plain value. */
static void test_map_types(void)
{
	struct y_doc *d = mkdoc(8, false);
	struct capture c = { 0 };
	struct y_type *m = root(d, "m", Y_MAP), *t, *a, *e;
	struct y_any vals[2], v;
	struct y_value val;

	y_doc_on_update(d, on_update, &c);
	y_doc_transact_begin(d, NULL);
	is_int(y_map_set_type(&t, m, "t", 1, Y_TEXT, NULL), 0, "map: text");
	y_text_insert(t, 0, "ab", 2, NULL);
	is_int(y_map_set_type(&a, m, "a", 1, Y_ARRAY, NULL), 0, "map: array");
	vals[0] = num_any(1);
	vals[1] = num_any(2);
	y_list_insert(a, 0, vals, 2);
	is_int(y_map_set_type(&e, m, "e", 1, Y_XML_ELEMENT, "div"), 0,
	       "map: element");
	map_set_str(e, "a", "b");
	y_doc_transact_end(d);
	ok(y_map_get(&val, m, "a", 1) == 0 && val.kind == Y_VALUE_TYPE &&
		   val.type == a && y_type_kind(a) == Y_ARRAY,
	   "map: get nested array");
	v = num_any(5);
	y_map_set(m, "t", 1, &v);
	check_update(&c, 0,
		     "010608002701016d017402040008000261622701016d016100080008"
		     "03027d017d022701016d016503036469762800080601610177016200",
		     "map: nested types update");
	check_update(&c, 1, "01010808a80800017d050108010003",
		     "map: overwrite update");
	check_state(d,
		    "010708002101016d01740100022701016d0161000800080302"
		    "7d017d022701016d0165030364697628000806016101770162a808"
		    "00017d050108010003",
		    "map: full state");
	ok(y_map_get(&val, m, "t", 1) == 0 && val.kind == Y_VALUE_ANY &&
		   val.any->num == 5,
	   "map: t is 5 now");
	capture_release(&c);
	y_doc_free(d);
}

/* List insert lands before tombstones at the index, Array push after. */
/* ---- attribute values compared by JS identity (spec 10.6) ---------------- */

/*
 * yjs compares Format values with === (cleanupFormattingGap) and a flat
 * equalAttrs whose inner values also use ===: an object value is the same
 * only as itself, and the Format items made from one JS object (the
 * caller's attributes of one call, or a value read from another Format
 * item: position attributes, negated attributes) share it.  Decoded values
 * are objects of their own.  Expected bytes: yjs 13.6.33.
 */

/* {key: {inner: val}} */
static void attr2(struct y_any *out, const char *key, const char *inner,
		  const struct y_any *val)
{
	struct y_any o;

	obj1(&o, inner, val);
	obj1(out, key, &o);
	y_any_clear(&o);
}

/* {c: {a: {b: n}}}: a nested object, so that equalAttrs of two distinct
 * objects fails (the inner objects differ) */
static void attr_nested(struct y_any *out, double n)
{
	struct y_any v = num_any(n), o;

	obj1(&o, "b", &v);
	attr2(out, "c", "a", &o);
	y_any_clear(&o);
}

static const char exp_ident_s1_u1[] =
	"01030106c601020103046c696e6b0c7b2268726566223a2279227dc401060103"
	"0158c601070103046c696e6b0c7b2268726566223a2278227d00";
static const char exp_ident_s1_state[] =
	"0105010006010174046c696e6b0c7b2268726566223a2278227d840100026162"
	"840102026364860104046c696e6b046e756c6cc101020103030101010603";
static const char exp_ident_s2_state[] =
	"0106010006010174046c696e6b0c7b2268726566223a2278227d840100026162"
	"840102026364860104046c696e6b046e756c6cc10102010302c601070103046c"
	"696e6b0c7b2268726566223a2278227d0101010602";
static const char exp_ident_s3_state[] =
	"010701000601017401630d7b2261223a7b2262223a317d7d8401000261628401"
	"020263648601040163046e756c6cc10102010302c60107010301630d7b226122"
	"3a7b2262223a317d7dc40108010301590101010602";
static const char exp_ident_s4_u1[] =
	"01020108c60102010301630d7b2261223a7b2262223a327d7dc6010401050163"
	"0d7b2261223a7b2262223a317d7d00";
static const char exp_ident_s4_state[] =
	"010801000601017401630d7b2261223a7b2262223a317d7d8401000261628101"
	"02028401040265668601060163046e756c6cc10102010301c10104010501c401"
	"090105015a01010203020802";

static void test_format_identity(void)
{
	struct y_doc *a = mkdoc(1, false), *b = mkdoc(2, false);
	struct y_doc *a3 = mkdoc(1, false), *b3 = mkdoc(2, false);
	struct y_doc *a4 = mkdoc(1, false);
	struct y_type *t = root(a, "t", Y_TEXT), *tb = root(b, "t", Y_TEXT);
	struct y_type *t3 = root(a3, "t", Y_TEXT), *tb3 = root(b3, "t", Y_TEXT);
	struct y_type *t4 = root(a4, "t", Y_TEXT);
	struct capture c = { 0 }, cb = { 0 }, c3 = { 0 }, c4 = { 0 };
	struct y_any x, y, o1, o2, v;
	uint8_t *u = NULL, *sv = NULL;
	size_t n = 0, svn = 0;

	/* 1: the Format restoring link after "X" holds the object read from
	 * the first Format (negated attribute); deleting "X" finds it ===
	 * to the attribute before the gap and deletes it too. */
	v = str_any("x");
	attr2(&x, "link", "href", &v);
	y_any_clear(&v);
	v = str_any("y");
	attr2(&y, "link", "href", &v);
	y_any_clear(&v);
	y_doc_on_update(a, on_update, &c);
	y_text_insert(t, 0, "abcd", 4, &x);
	y_text_insert(t, 2, "X", 1, &y);
	check_update(&c, 1, exp_ident_s1_u1, "identity 1: insert X");
	y_doc_encode_state_as_update(&u, &n, a, NULL, 0, NULL);
	is_int(y_text_delete(t, 2, 1), 0, "identity 1: delete X");
	check_update(&c, 2, "000101010603", "identity 1: delete update");
	check_state(a, exp_ident_s1_state, "identity 1: state");
	check_delta(t,
		    "[{\"insert\":\"abcd\",\"attributes\":{\"link\":"
		    "{\"href\":\"x\"}}}]",
		    "identity 1: toDelta");

	/* 2: the same state decoded: every value is an object of its own,
	 * so the restoring Format stays. */
	y_doc_on_update(b, on_update, &cb);
	is_int(y_doc_apply_update(b, u, n, NULL), 0, "identity 2: apply");
	free(u);
	is_int(y_text_delete(tb, 2, 1), 0, "identity 2: delete X");
	check_update(&cb, 1, "000101010602", "identity 2: delete update");
	check_state(b, exp_ident_s2_state, "identity 2: state");

	/* 3: a remote deletion leaves a redundant Format sharing the first
	 * one's object; an inherited insert skips it (equalAttrs by
	 * identity: the nested values are not flat-equal otherwise). */
	attr_nested(&o1, 1);
	attr_nested(&o2, 2);
	y_text_insert(t3, 0, "abcd", 4, &o1);
	y_text_insert(t3, 2, "X", 1, &o2);
	y_doc_encode_state_as_update(&u, &n, a3, NULL, 0, NULL);
	is_int(y_doc_apply_update(b3, u, n, NULL), 0, "identity 3: sync");
	free(u);
	y_text_delete(tb3, 2, 1);
	y_doc_state_vector(&sv, &svn, a3);
	y_doc_encode_state_as_update(&u, &n, b3, sv, svn, NULL);
	is_hex(u, n, "000101010602", "identity 3: remote delete");
	y_doc_on_update(a3, on_update, &c3);
	is_int(y_doc_apply_update(a3, u, n, NULL), 0, "identity 3: apply");
	free(u);
	is_int(y_text_insert(t3, 2, "Y", 1, NULL), 0, "identity 3: insert Y");
	is_int(c3.n, 2, "identity 3: no cleanup update");
	check_update(&c3, 1, "01010109c401080103015900",
		     "identity 3: Y after the redundant Format");
	check_state(a3, exp_ident_s3_state, "identity 3: state");
	check_delta(t3,
		    "[{\"insert\":\"ab\",\"attributes\":{\"c\":{\"a\":{\"b\":1}"
		    "}}},{\"insert\":\"Ycd\",\"attributes\":{\"c\":{\"a\":"
		    "{\"b\":1}}}}]",
		    "identity 3: toDelta");

	/* 4: format negates with the position's object; deleting the
	 * formatted range deletes both Formats. */
	y_doc_on_update(a4, on_update, &c4);
	y_text_insert(t4, 0, "abcdef", 6, &o1);
	y_text_format(t4, 2, 2, &o2);
	y_text_delete(t4, 2, 2);
	y_text_insert(t4, 2, "Z", 1, NULL);
	check_update(&c4, 1, exp_ident_s4_u1, "identity 4: format");
	check_update(&c4, 2, "0001010203020802", "identity 4: delete");
	check_update(&c4, 3, "0101010ac401090105015a00", "identity 4: insert");
	check_state(a4, exp_ident_s4_state, "identity 4: state");

	free(sv);
	y_any_clear(&x);
	y_any_clear(&y);
	y_any_clear(&o1);
	y_any_clear(&o2);
	capture_release(&c);
	capture_release(&cb);
	capture_release(&c3);
	capture_release(&c4);
	y_doc_free(a);
	y_doc_free(b);
	y_doc_free(a3);
	y_doc_free(b3);
	y_doc_free(a4);
}

static void test_list_tombstones(void)
{
	struct y_doc *d = mkdoc(2, false);
	struct y_type *f = root(d, "f", Y_XML_FRAGMENT);
	struct y_type *arr = root(d, "arr", Y_ARRAY), *x;
	struct y_any vals[3];

	/* f.insert(0, [XmlText, <a>, <b>]) */
	y_doc_transact_begin(d, NULL);
	y_list_insert_type(&x, f, 0, Y_XML_TEXT, NULL);
	y_list_insert_type(&x, f, 1, Y_XML_ELEMENT, "a");
	y_list_insert_type(&x, f, 2, Y_XML_ELEMENT, "b");
	y_doc_transact_end(d);
	is_int(y_list_delete(f, 1, 1), 0, "tombstones: delete a");
	is_int(y_list_insert_type(&x, f, 1, Y_XML_ELEMENT, "c"), 0,
	       "tombstones: insert c at 1");
	vals[0] = num_any(1);
	vals[1] = num_any(2);
	vals[2] = num_any(3);
	y_list_insert(arr, 0, vals, 3);
	y_list_delete(arr, 2, 1);
	vals[0] = num_any(4);
	y_array_push(arr, vals, 1);
	vals[0] = num_any(5);
	y_list_insert(arr, 2, vals, 1);
	check_state(d,
		    "01080200070101660681020001870201030162c70200020103016308"
		    "0103617272027d017d0281020501880206017d04c802050206017d05"
		    "01020201010601",
		    "tombstones: full state");
	y_doc_free(d);
}

static void test_errors(void)
{
	struct y_doc *d = mkdoc(1, false), *d2 = mkdoc(2, false);
	struct y_type *t = root(d, "t", Y_TEXT), *a = root(d, "a", Y_ARRAY);
	struct y_type *f = root(d, "f", Y_XML_FRAGMENT), *x, *y;
	struct y_type *f2 = root(d2, "f", Y_XML_FRAGMENT);
	struct y_any v = num_any(1);

	is_int(y_text_insert(t, 0, "\xff", 1, NULL), -EINVAL,
	       "errors: invalid UTF-8");
	is_int(y_text_insert(t, 1, "a", 1, NULL), -ERANGE,
	       "errors: text insert past the end");
	is_int(y_text_insert(a, 0, "a", 1, NULL), -EINVAL,
	       "errors: text op on an array");
	is_int(y_text_format(t, 0, 1, &v), -EINVAL,
	       "errors: format attrs not an object");
	is_int(y_text_delete(t, 5, 1), 0,
	       "errors: delete past the end is a no-op");
	is_int(y_list_insert(a, 1, &v, 1), -ERANGE,
	       "errors: list insert past the end");
	is_int(y_list_insert_type(&x, a, 0, (enum y_kind)9, NULL), -EINVAL,
	       "errors: bad kind");
	y_list_insert_type(&x, f2, 0, Y_XML_ELEMENT, "p");
	is_int(y_list_insert_type_after(&y, f, x, Y_XML_ELEMENT, "q"), -EINVAL,
	       "errors: insertAfter a ref of another list");
	is_int(y_list_insert_type_after(&y, f, NULL, Y_XML_HOOK, NULL), -EINVAL,
	       "errors: hook without a name");
	check_state(d, "0000", "errors: nothing was written");
	y_doc_free(d);
	y_doc_free(d2);
}

/* Sends everything a lacks to b. */
static void sync_to(struct y_doc *b, struct y_doc *a)
{
	uint8_t *u = NULL, *sv = NULL;
	size_t n = 0, svn = 0;

	if (y_doc_state_vector(&sv, &svn, b) < 0 ||
	    y_doc_encode_state_as_update(&u, &n, a, sv, svn, NULL) < 0 ||
	    y_doc_apply_update(b, u, n, NULL) < 0)
		bail_out("sync failed");
	free(u);
	free(sv);
}

/*
 * The list index cache under remote edits: three replicas append (mostly)
 * and insert and delete at random places, and exchange updates at random
 * moments, so local inserts follow remote appends (which keep the cache)
 * and remote inserts in the middle (which drop it).  YJS_CHECK_POS_CACHE
 * (set in main) checks every use of the cache against a walk; at the end
 * the replicas must agree.
 */
static void test_cache_remote(void)
{
	struct y_doc *d[3];
	struct y_type *t[3];
	unsigned seed = 12345, i, k, bad = 0;
	char *j0 = NULL, *j;
	size_t n;

	for (k = 0; k < 3; k++) {
		d[k] = mkdoc(100 + k, false);
		t[k] = root(d[k], "a", Y_ARRAY);
	}
	for (i = 0; i < 3000; i++) {
		struct y_any v = { .kind = Y_ANY_NUMBER, .num = i };
		unsigned r = rand_r(&seed);
		uint64_t len;

		k = r % 3;
		len = y_type_len(t[k]);
		if (r % 10 < 6)
			y_list_insert(t[k], len, &v, 1); /* append */
		else if (r % 10 < 8)
			y_list_insert(t[k], len ? (r >> 8) % (len + 1) : 0, &v,
				      1);
		else if (len)
			y_list_delete(t[k], (r >> 8) % len, 1);
		if ((r >> 4) % 4 == 0)
			sync_to(d[(k + 1) % 3], d[k]);
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < 3; i++)
			if (i != k)
				sync_to(d[i], d[k]);
	for (k = 0; k < 3; k++) {
		j = NULL;
		if (y_doc_to_json(&j, &n, d[k]) < 0)
			bail_out("to_json failed");
		if (!j0) {
			j0 = j;
			continue;
		}
		if (strcmp(j, j0))
			bad++;
		free(j);
	}
	ok(!bad, "index cache with remote appends and inserts: replicas agree");
	free(j0);
	for (k = 0; k < 3; k++)
		y_doc_free(d[k]);
}

int main(void)
{
	plan_no_plan();
	setenv("YJS_CHECK_POS_CACHE", "1", 1);
	test_cache_remote();
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
	test_plain_trace();
	test_rich_trace();
	test_cleanup_trace();
	test_array_trace();
	test_apply_delta();
	test_inherit();
	test_edits_in_one_txn();
	test_v10c();
	test_map_types();
	test_format_identity();
	test_list_tombstones();
	test_errors();
	return done_testing();
}
