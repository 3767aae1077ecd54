/* SPDX-License-Identifier: MIT */
/*
 * test-engine.c - tests of the libyjs engine: containers, content
 * split/merge (UTF-16 offsets, U+FFFD rule), the store, local item creation
 * and deletion, map overwrite, YATA ordering of concurrent inserts, GC and
 * the commit merge passes.  Expected store layouts, strings and bytes come
 * from spec/yjs-vectors/vectors.txt (real yjs 13.6.33 output).  The
 * invariant checker runs after every transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "tap.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------- */

static struct y_doc *new_doc(uint64_t client, bool gc)
{
	struct y_doc_options o = { .client_id = client, .no_gc = !gc };
	struct y_doc *doc = NULL;

	if (y_doc_new(&doc, &o))
		bail_out("y_doc_new failed");
	return doc;
}

static struct y_type *root(struct y_doc *doc, const char *name,
			   enum y_kind kind)
{
	struct y_type *t = NULL;

	if (y_doc_root(&t, doc, name, kind))
		bail_out("y_doc_root failed");
	return t;
}

static int checks_failed;

static void check(struct y_doc *doc)
{
	if (y_doc_check_invariants(doc))
		checks_failed++;
}

static void begin(struct y_doc *doc, struct y_txn **txn)
{
	if (y_txn_begin(txn, doc, true, NULL))
		bail_out("y_txn_begin failed");
}

static int end(struct y_doc *doc)
{
	int rc = y_txn_end(doc);

	check(doc);
	return rc;
}

static void string_content(struct y_content *c, uint64_t *len, const char *s)
{
	size_t n = strlen(s);

	if (y_content_set_string(c, s, n))
		abort();
	*len = y_utf16_len(s, n);
}

/* A content string as a C string (content strings are not
 * NUL-terminated); two buffers in turn, for two arguments. */
static const char *cstr(const struct y_content *c)
{
	static char bufs[2][256];
	static int k;
	char *b = bufs[k ^= 1];
	size_t n = c->str.len < 255 ? c->str.len : 255;

	memcpy(b, y_content_str(c), n);
	b[n] = 0;
	return b;
}

/* List/text insert by visible index (spec 10.2 steps 2-4). */
static int list_insert(struct y_doc *doc, struct y_type *t, uint64_t index,
		       struct y_content *c, uint64_t len)
{
	struct y_txn *txn;
	struct y_item *n, *ref = NULL;
	int rc;

	begin(doc, &txn);
	if (index > 0) {
		for (n = t->start; n; n = n->right) {
			if (y_item_deleted(n) || !y_item_countable(n))
				continue;
			if (index <= n->len) {
				if (index < n->len) {
					struct y_id id = { n->id.client,
							   n->id.clock +
								   index };

					y_store_clean_start(txn, id);
				}
				ref = n;
				break;
			}
			index -= n->len;
		}
	}
	rc = y_item_insert_local(NULL, txn, t, ref, ref ? ref->right : t->start,
				 NULL, 0, c, len);
	return end(doc) ? -1 : rc;
}

static int text_insert(struct y_doc *doc, struct y_type *t, uint64_t index,
		       const char *s)
{
	struct y_content c;
	uint64_t len;

	string_content(&c, &len, s);
	return list_insert(doc, t, index, &c, len);
}

/* List delete (spec 10.3). */
static int list_delete(struct y_doc *doc, struct y_type *t, uint64_t index,
		       uint64_t len)
{
	struct y_txn *txn;
	struct y_item *n = t->start;

	begin(doc, &txn);
	for (; n && index > 0; n = n->right) {
		if (y_item_deleted(n) || !y_item_countable(n))
			continue;
		if (index < n->len) {
			struct y_id id = { n->id.client, n->id.clock + index };

			y_store_clean_start(txn, id);
		}
		index -= index < n->len ? index : n->len;
	}
	for (; n && len > 0; n = n->right) {
		if (y_item_deleted(n))
			continue;
		if (len < n->len) {
			struct y_id id = { n->id.client, n->id.clock + len };

			y_store_clean_start(txn, id);
		}
		len -= n->len;
		y_item_delete(txn, n);
	}
	return end(doc);
}

static int map_set_num(struct y_doc *doc, struct y_type *t, const char *key,
		       double v)
{
	struct y_txn *txn;
	struct y_content c;
	void **slot;
	int rc;

	memset(&c, 0, sizeof(c));
	c.kind = Y_CONTENT_ANY;
	c.list.vals = calloc(1, sizeof(*c.list.vals));
	c.list.n = 1;
	y_any_init_number(&c.list.vals[0], v);
	begin(doc, &txn);
	slot = y_keymap_find(&t->map, key, strlen(key));
	rc = y_item_insert_local(NULL, txn, t, slot ? *slot : NULL, NULL, key,
				 strlen(key), &c, 1);
	return end(doc) ? -1 : rc;
}

/* Concatenated visible strings of a list. */
static char *text_of(struct y_type *t)
{
	static char buf[4096];
	size_t n = 0;
	struct y_item *it;

	for (it = t->start; it; it = it->right) {
		if (y_item_deleted(it) || it->content.kind != Y_CONTENT_STRING)
			continue;
		if (n + it->content.str.len >= sizeof(buf))
			break;
		memcpy(buf + n, y_content_str(&it->content),
		       it->content.str.len);
		n += it->content.str.len;
	}
	buf[n] = 0;
	return buf;
}

static int cmp_client_desc(const void *a, const void *b)
{
	const struct y_client_structs *x = *(const struct y_client_structs **)a;
	const struct y_client_structs *y = *(const struct y_client_structs **)b;

	return x->client < y->client ? 1 : x->client > y->client ? -1 : 0;
}

/*
 * The store as text, clients in descending order like the vectors:
 * "(c,k)L" for live items, "(c,k)L~" deleted, "(c,k)L gc" for GC structs,
 * followed by the content ('"str"', D for Deleted, A<n> for Any, T for Type,
 * B for Binary, F for Format), separated by single spaces.
 */
static const char *store_of(struct y_doc *doc)
{
	static char buf[4096];
	const struct y_client_structs *cs[64];
	size_t i, j, n = 0, k = 0;

	for (i = 0; i < doc->store.n && i < 64; i++)
		cs[k++] = &doc->store.clients[i];
	qsort(cs, k, sizeof(cs[0]), cmp_client_desc);
	buf[0] = 0;
	for (i = 0; i < k; i++) {
		for (j = 0; j < cs[i]->n; j++) {
			const struct y_item *it = cs[i]->items[j];
			int w;

			w = snprintf(buf + n, sizeof(buf) - n,
				     "%s(%llu,%llu)%llu", n ? " " : "",
				     (unsigned long long)it->id.client,
				     (unsigned long long)it->id.clock,
				     (unsigned long long)it->len);
			n += (size_t)w;
			if (it->kind == Y_STRUCT_GC) {
				n += (size_t)snprintf(buf + n, sizeof(buf) - n,
						      "gc");
				continue;
			}
			if (it->info & Y_ITEM_DELETED)
				buf[n++] = '~';
			switch (it->content.kind) {
			case Y_CONTENT_STRING:
				n += (size_t)snprintf(
					buf + n, sizeof(buf) - n, "\"%.*s\"",
					(int)it->content.str.len,
					y_content_str(&it->content));
				break;
			case Y_CONTENT_DELETED:
				buf[n++] = 'D';
				break;
			case Y_CONTENT_ANY:
				n += (size_t)snprintf(
					buf + n, sizeof(buf) - n, "A%zu",
					(size_t)it->content.list.n);
				break;
			case Y_CONTENT_TYPE:
				buf[n++] = 'T';
				break;
			case Y_CONTENT_BINARY:
				buf[n++] = 'B';
				break;
			case Y_CONTENT_FORMAT:
				buf[n++] = 'F';
				break;
			default:
				buf[n++] = '?';
			}
			buf[n] = 0;
		}
	}
	return buf;
}

static int apply_hex(struct y_doc *doc, const char *hex)
{
	uint8_t u[1024];
	size_t n = unhex(u, hex);
	struct y_error err;
	int rc = y_doc_apply_update(doc, u, n, &err);

	if (rc)
		diag("apply failed: %s (%s)", y_strerror(rc), err.msg);
	check(doc);
	return rc;
}

static void is_state_hex(struct y_doc *doc, const char *want, const char *name)
{
	uint8_t *out = NULL;
	size_t len = 0;
	int rc = y_doc_encode_state_as_update(&out, &len, doc, NULL, 0, NULL);

	if (rc) {
		ok(0, "%s: encode failed %d", name, rc);
		return;
	}
	is_hex(out, len, want, name);
	free(out);
}

/* ---- containers -------------------------------------------------------- */

static void test_util(void)
{
	struct y_u64map m, c;
	struct y_keymap km;
	uint64_t v, i;
	bool all = true;
	void **slot;

	y_u64map_init(&m);
	y_u64map_init(&c);
	for (i = 0; i < 1000; i++)
		y_u64map_put(&m, i * 7919 + (i << 40), i);
	y_u64map_put(&m, 0, 42); /* overwrite */
	is_int(m.n, 1000, "u64map: 1000 keys");
	for (i = 1; i < 1000; i++)
		if (!y_u64map_get(&m, i * 7919 + (i << 40), &v) || v != i)
			all = false;
	ok(all, "u64map: every key found with its value");
	ok(y_u64map_get(&m, 0, &v) && v == 42, "u64map: overwrite");
	ok(!y_u64map_get(&m, 5, &v), "u64map: absent key");
	y_u64map_copy(&c, &m);
	ok(c.n == 1000 && y_u64map_get(&c, 999 * 7919 + (999ULL << 40), &v) &&
		   v == 999,
	   "u64map: copy");
	y_u64map_clear(&c);
	ok(c.n == 0 && !y_u64map_get(&c, 0, &v), "u64map: clear");
	y_u64map_release(&m);
	y_u64map_release(&c);

	/* small maps are searched without a hash index; short keys live in
	 * the entry, long ones on the heap */
	y_keymap_init(&km);
	y_keymap_put(&km, "x", 1, (void *)1);
	y_keymap_put(&km, "a key longer than fifteen", 25, (void *)2);
	y_keymap_put(&km, "fifteen bytes..", 15, (void *)3);
	y_keymap_put(&km, "sixteen bytes...", 16, (void *)4);
	ok(km.n == 4 && !km.slots, "keymap: a small map has no hash index");
	slot = y_keymap_find(&km, "a key longer than fifteen", 25);
	ok(slot && *slot == (void *)2, "keymap: long key found");
	slot = y_keymap_find(&km, "fifteen bytes..", 15);
	ok(slot && *slot == (void *)3 &&
		   !strcmp(y_keymap_key(&km.entries[2]), "fifteen bytes..") &&
		   !strcmp(y_keymap_key(&km.entries[3]), "sixteen bytes..."),
	   "keymap: keys of 15 and 16 bytes");
	ok(!y_keymap_find(&km, "fifteen bytes.", 14) &&
		   !y_keymap_find(&km, "x", 0),
	   "keymap: a prefix is another key");
	for (i = 0; i < 5; i++) {
		char k[4] = { 's', (char)('0' + i), 0, 0 };

		y_keymap_put(&km, k, 2, (void *)(uintptr_t)(i + 5));
	}
	slot = y_keymap_find(&km, "s4", 2);
	ok(km.n == 9 && km.slots && slot && *slot == (void *)9 &&
		   *y_keymap_find(&km, "x", 1) == (void *)1 &&
		   *y_keymap_find(&km, "sixteen bytes...", 16) == (void *)4,
	   "keymap: the ninth key builds the index, every key found");
	y_keymap_release(&km);

	y_keymap_init(&km);
	y_keymap_put(&km, "b", 1, (void *)1);
	y_keymap_put(&km, "a", 1, (void *)2);
	y_keymap_put(&km, "a\0c", 3, (void *)3);
	for (i = 0; i < 100; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%llu", (unsigned long long)i);
		y_keymap_put(&km, k, strlen(k), (void *)(uintptr_t)(i + 10));
	}
	y_keymap_put(&km, "b", 1, (void *)4);
	is_int(km.n, 103, "keymap: 103 keys");
	ok(!strcmp(y_keymap_key(&km.entries[0]), "b") &&
		   km.entries[0].val == (void *)4,
	   "keymap: update keeps the first position");
	slot = y_keymap_find(&km, "a\0c", 3);
	ok(slot && *slot == (void *)3, "keymap: keys with NUL bytes");
	slot = y_keymap_find(&km, "k77", 3);
	ok(slot && *slot == (void *)87, "keymap: find after rehash");
	ok(!y_keymap_find(&km, "zz", 2), "keymap: absent key");
	y_keymap_release(&km);
}

/* ---- contents ---------------------------------------------------------- */

static void test_content(void)
{
	static const char *s = "h\xf0\x9f\x98\x80llo"; /* "h😀llo", 6 units */
	struct y_content c, r;
	uint64_t len, k;
	bool all = true;
	char joined[64];
	int rc;

	for (k = 1; k < 6; k++) {
		string_content(&c, &len, s);
		rc = y_content_splice(&r, &c, k, len);
		if (rc || y_utf16_len(y_content_str(&c), c.str.len) != k ||
		    y_utf16_len(y_content_str(&r), r.str.len) != len - k)
			all = false;
		snprintf(joined, sizeof(joined), "%s%s", cstr(&c), cstr(&r));
		if (k != 2 && strcmp(joined, s))
			all = false;
		if (k == 2) {
			is_str(cstr(&c), "h\xef\xbf\xbd",
			       "mid-surrogate: left");
			is_str(cstr(&r), "\xef\xbf\xbdllo",
			       "mid-surrogate: right");
		}
		/* merge back */
		if (y_content_merge(&c, &r))
			all = false;
		if (k != 2 && strcmp(cstr(&c), s))
			all = false;
		y_content_release(&c);
	}
	ok(all, "string split at every offset keeps lengths and text");

	memset(&c, 0, sizeof(c));
	c.kind = Y_CONTENT_ANY;
	c.list.n = 3;
	c.list.vals = calloc(3, sizeof(*c.list.vals));
	y_any_init_number(&c.list.vals[0], 1);
	y_any_init_string(&c.list.vals[1], "two", 3);
	y_any_init_null(&c.list.vals[2]);
	rc = y_content_splice(&r, &c, 1, 3);
	ok(!rc && c.list.n == 1 && r.list.n == 2 &&
		   r.list.vals[0].kind == Y_ANY_STRING &&
		   r.list.vals[1].kind == Y_ANY_NULL,
	   "any split");
	rc = y_content_merge(&c, &r);
	ok(!rc && c.list.n == 3 && c.list.vals[1].kind == Y_ANY_STRING &&
		   !strcmp(c.list.vals[1].str.ptr, "two"),
	   "any merge");
	y_content_release(&c);
	y_content_release(&r);
}

/* ---- local edits ------------------------------------------------------- */

static void test_local_text(void)
{
	struct y_doc *doc = new_doc(1, true);
	struct y_type *t = root(doc, "t", Y_TEXT);

	text_insert(doc, t, 0, "abc");
	text_insert(doc, t, 3, "de");
	is_str(store_of(doc), "(1,0)5\"abcde\"", "V1: two txns squash");
	is_int(t->length, 5, "V1: length 5");
	is_state_hex(doc, "010101000401017405616263646500", "V1: full state");

	text_insert(doc, t, 2, "X");
	is_str(text_of(t), "abXcde", "insert in the middle");
	is_str(store_of(doc), "(1,0)2\"ab\" (1,2)3\"cde\" (1,5)1\"X\"",
	       "split halves stay apart around the insert");
	list_delete(doc, t, 2, 1);
	is_str(store_of(doc), "(1,0)2\"ab\" (1,2)3\"cde\" (1,5)1~D",
	       "deleted insert becomes Deleted");
	is_str(text_of(t), "abcde", "text after delete");
	y_doc_free(doc);

	/* V4 */
	doc = new_doc(1, true);
	t = root(doc, "t", Y_TEXT);
	text_insert(doc, t, 0, "abc");
	list_delete(doc, t, 1, 1);
	is_str(store_of(doc), "(1,0)1\"a\" (1,1)1~D (1,2)1\"c\"",
	       "V4: gc turns the deleted run into Deleted");
	is_state_hex(doc, "010301000401017401618101000184010101630101010101",
		     "V4: full state");
	is_int(t->length, 2, "V4: length 2");
	y_doc_free(doc);

	doc = new_doc(1, false);
	t = root(doc, "t", Y_TEXT);
	text_insert(doc, t, 0, "abc");
	list_delete(doc, t, 1, 1);
	is_str(store_of(doc), "(1,0)1\"a\" (1,1)1~\"b\" (1,2)1\"c\"",
	       "V4 gc:false keeps the content");
	is_state_hex(doc, "01030100040101740161840100016284010101630101010101",
		     "V4 gc:false: full state");
	/* deleting the neighbours lets the three squash */
	list_delete(doc, t, 0, 2);
	is_str(store_of(doc), "(1,0)3~\"abc\"", "deleted run squashes");
	is_int(t->length, 0, "empty text");
	y_doc_free(doc);

	/* V10: emoji split */
	doc = new_doc(1, true);
	t = root(doc, "t", Y_TEXT);
	text_insert(doc, t, 0, "\xf0\x9f\x98\x80");
	is_int(t->length, 2, "V10: emoji has length 2");
	text_insert(doc, t, 1, "x");
	is_str(text_of(t), "\xef\xbf\xbdx\xef\xbf\xbd", "V10: text");
	is_str(store_of(doc),
	       "(1,0)1\"\xef\xbf\xbd\" (1,1)1\"\xef\xbf\xbd\" (1,2)1\"x\"",
	       "V10: store");
	is_state_hex(doc,
		     "010301000401017403efbfbd84010003efbfbdc401000101017800",
		     "V10: full state");
	y_doc_free(doc);
}

static void test_map(void)
{
	struct y_doc *doc = new_doc(1, true);
	struct y_type *m = root(doc, "m", Y_MAP);
	void **slot;
	struct y_item *it;

	map_set_num(doc, m, "k", 1);
	map_set_num(doc, m, "k", 2);
	is_str(store_of(doc), "(1,0)1~D (1,1)1A1", "V5b: overwrite");
	slot = y_keymap_find(&m->map, "k", 1);
	it = slot ? *slot : NULL;
	ok(it && it->id.clock == 1 && !y_item_deleted(it) &&
		   it->content.list.vals[0].num == 2,
	   "V5b: newest value is 2");
	ok(it && it->left && it->left->id.clock == 0 && !it->right,
	   "V5b: key chain");
	is_state_hex(doc, "010201002101016d016b01a80100017d020101010001",
		     "V5b: full state");
	y_doc_free(doc);

	/* concurrent sets by clients 5 and 6: 6 wins on both sides */
	doc = new_doc(9, true);
	m = root(doc, "m", Y_MAP);
	apply_hex(doc, "0101060028"
		       "01016d016b01770566726f6d3600");
	apply_hex(doc, "0101050028"
		       "01016d016b01770566726f6d3500");
	slot = y_keymap_find(&m->map, "k", 1);
	it = slot ? *slot : NULL;
	ok(it && it->id.client == 6 && !y_item_deleted(it),
	   "V5b concurrent: client 6 wins (5 applied last)");
	is_str(store_of(doc), "(6,0)1A1 (5,0)1~D", "V5b concurrent: store");
	is_state_hex(
		doc,
		"020106002801016d016b01770566726f6d360105002101016d016b010105010001",
		"V5b concurrent: full state");
	y_doc_free(doc);
}

/* ---- concurrent integration --------------------------------------------- */

static void test_concurrent(void)
{
	static const struct {
		const char *a, *b, *c, *want, *state;
	} v14[] = {
		{ "0101010004010174016100",
		  "0101020084010001620"
		  "0",
		  "0101030004010174016300", "abc",
		  "03010300040101740163010200840100016201010004010174016100" },
		{ "0101030004010174016100",
		  "0101020084030001620"
		  "0",
		  "0101010004010174016300", "cab",
		  "03010300040101740161010200840300016201010004010174016300" },
		{ "0101020004010174016100",
		  "0101030084020001620"
		  "0",
		  "0101010004010174016300", "cab",
		  "03010300840200016201020004010174016101010004010174016300" },
		{ "0101010004010174016100",
		  "0101030084010001620"
		  "0",
		  "0101020004010174016300", "abc",
		  "03010300840100016201020004010174016301010004010174016100" },
	};
	struct y_doc *d1, *d2;
	struct y_type *t1, *t2;
	size_t i;

	/* V3: "a" by 1, "b" by 2, both at 0 */
	d1 = new_doc(11, true);
	d2 = new_doc(12, true);
	t1 = root(d1, "t", Y_TEXT);
	t2 = root(d2, "t", Y_TEXT);
	apply_hex(d1, "0101010004010174016100");
	apply_hex(d1, "0101020004010174016200");
	apply_hex(d2, "0101020004010174016200");
	apply_hex(d2, "0101010004010174016100");
	is_str(text_of(t1), "ab", "V3: 1 then 2 reads ab");
	is_str(text_of(t2), "ab", "V3: 2 then 1 reads ab");
	is_state_hex(d1, "0201020004010174016201010004010174016100",
		     "V3: merged full state");
	is_state_hex(d2, "0201020004010174016201010004010174016100",
		     "V3: merged full state (other order)");
	y_doc_free(d1);
	y_doc_free(d2);

	/* V3: "xz", B and C concurrently at 1 */
	d1 = new_doc(11, true);
	d2 = new_doc(12, true);
	t1 = root(d1, "t", Y_TEXT);
	t2 = root(d2, "t", Y_TEXT);
	apply_hex(d1, "010101000401017402787a00");
	apply_hex(d1, "01010200c401000101014200");
	apply_hex(d1, "01010300c401000101014300");
	apply_hex(d2, "010101000401017402787a00");
	apply_hex(d2, "01010300c401000101014300");
	apply_hex(d2, "01010200c401000101014200");
	is_str(text_of(t1), "xBCz", "V3: xBCz (B first)");
	is_str(text_of(t2), "xBCz", "V3: xBCz (C first)");
	is_str(store_of(d1), "(3,0)1\"C\" (2,0)1\"B\" (1,0)1\"x\" (1,1)1\"z\"",
	       "V3: split base");
	is_state_hex(
		d1,
		"03010300c4010001010143010200c4010001010142020100040101740178840100017a00",
		"V3: xBCz full state");
	is_state_hex(
		d2,
		"03010300c4010001010143010200c4010001010142020100040101740178840100017a00",
		"V3: xBCz full state (other order)");
	y_doc_free(d1);
	y_doc_free(d2);

	/* V14: a, then b after a, c concurrently at 0 */
	for (i = 0; i < sizeof(v14) / sizeof(v14[0]); i++) {
		char name[64];

		d1 = new_doc(100, true);
		t1 = root(d1, "t", Y_TEXT);
		apply_hex(d1, v14[i].a);
		apply_hex(d1, v14[i].b);
		apply_hex(d1, v14[i].c);
		snprintf(name, sizeof(name), "V14 #%zu: %s", i, v14[i].want);
		is_str(text_of(t1), v14[i].want, name);
		is_state_hex(d1, v14[i].state, name);
		y_doc_free(d1);

		d1 = new_doc(100, true);
		t1 = root(d1, "t", Y_TEXT);
		apply_hex(d1, v14[i].c);
		apply_hex(d1, v14[i].a);
		apply_hex(d1, v14[i].b);
		snprintf(name, sizeof(name), "V14 #%zu (c first): %s", i,
			 v14[i].want);
		is_str(text_of(t1), v14[i].want, name);
		is_state_hex(d1, v14[i].state, name);
		y_doc_free(d1);
	}
}

/* ---- deletion of types, GC --------------------------------------------- */

static void test_gc(void)
{
	struct y_doc *doc;
	struct y_type *t, *nested;
	struct y_txn *txn;
	struct y_content c;
	struct y_id id;

	/* V10c: deleting an XmlElement subtree */
	doc = new_doc(99, true);
	t = root(doc, "xml", Y_XML_FRAGMENT);
	apply_hex(
		doc,
		"01040400070103786d6c030170070004000604000401026869280004000269640177017800");
	is_str(store_of(doc), "(4,0)1T (4,1)1T (4,2)2\"hi\" (4,4)1A1",
	       "V10c: before delete");
	id.client = 4;
	id.clock = 1;
	nested = y_doc_type_by_id(doc, id);
	ok(nested && nested->kind == Y_XML_TEXT, "type by id");
	list_delete(doc, t, 0, 1);
	is_str(store_of(doc), "(4,0)1~D (4,1)4gc",
	       "V10c: element Deleted, subtree one GC");
	ok(!y_doc_type_by_id(doc, id), "GC'd type is gone");
	is_state_hex(doc, "01020400010103786d6c0100040104010005",
		     "V10c: full state");
	y_doc_free(doc);

	/* V6: nested Y.Map and Y.Text deleted in one transaction */
	doc = new_doc(99, true);
	t = root(doc, "a", Y_ARRAY);
	apply_hex(
		doc,
		"0107030008010161037d01770374776f76010574687265657d0383030201098703030128000304016b01770176870304020400030603747874880306017e00");
	is_int(t->length, 7, "V6: 7 elements");
	list_delete(doc, t, 4, 2);
	is_str(store_of(doc),
	       "(3,0)3A3 (3,3)1B (3,4)1~D (3,5)1gc (3,6)1~D (3,7)3gc (3,10)1A1",
	       "V6: types Deleted, children GC");
	is_state_hex(
		doc,
		"0107030008010161037d01770374776f76010574687265657d038303020109810303010001810304010003880306017e0103010406",
		"V6: full state");
	y_doc_free(doc);

	/* V10d: insert into a deleted (and GC'd) nested map becomes GC */
	doc = new_doc(1, true);
	t = root(doc, "a", Y_ARRAY);
	memset(&c, 0, sizeof(c));
	c.kind = Y_CONTENT_TYPE;
	c.type = y_type_new(doc, Y_MAP, NULL);
	list_insert(doc, t, 0, &c, 1);
	list_delete(doc, t, 0, 1);
	apply_hex(doc, "0101020028000100016b0177017600");
	is_str(store_of(doc), "(2,0)1gc (1,0)1~D", "V10d: store");
	is_state_hex(doc, "0201020000010101000101016101020201000101010001",
		     "V10d: full state");
	ok(y_doc_client_id(doc) == 1, "client id kept");
	y_doc_free(doc);

	/* V10d without gc: integrated, then deleted because the parent is */
	doc = new_doc(1, false);
	t = root(doc, "a", Y_ARRAY);
	memset(&c, 0, sizeof(c));
	c.kind = Y_CONTENT_TYPE;
	c.type = y_type_new(doc, Y_MAP, NULL);
	list_insert(doc, t, 0, &c, 1);
	list_delete(doc, t, 0, 1);
	apply_hex(doc, "0101020028000100016b0177017600");
	is_str(store_of(doc), "(2,0)1~A1 (1,0)1~T",
	       "V10d gc:false: child integrated and deleted");
	y_doc_free(doc);

	/* nested transaction joins the outer one */
	doc = new_doc(1, true);
	t = root(doc, "t", Y_TEXT);
	begin(doc, &txn);
	text_insert(doc, t, 0, "ab");
	text_insert(doc, t, 2, "cd");
	ok(doc->txn == txn, "inner ends do not commit");
	end(doc);
	is_str(store_of(doc), "(1,0)4\"abcd\"", "one transaction, one item");
	is_int(y_txn_end(doc), -EINVAL, "unmatched end");
	y_doc_free(doc);
}

/* Deleting and collecting a very deep subtree must not recurse. */
static void test_deep(void)
{
	struct y_doc *doc = new_doc(1, true);
	struct y_type *t = root(doc, "a", Y_ARRAY), *p = t;
	struct y_txn *txn;
	struct y_content c;
	struct y_item *it = NULL;
	int i, rc = 0;

	begin(doc, &txn);
	for (i = 0; i < 200000 && !rc; i++) {
		memset(&c, 0, sizeof(c));
		c.kind = Y_CONTENT_TYPE;
		c.type = y_type_new(doc, Y_ARRAY, NULL);
		rc = y_item_insert_local(&it, txn, p, NULL, NULL, NULL, 0, &c,
					 1);
		p = it ? it->content.type : p;
	}
	end(doc);
	ok(!rc, "200000 nested arrays");
	list_delete(doc, t, 0, 1);
	is_str(store_of(doc), "(1,0)1~D (1,1)199999gc",
	       "deep subtree deleted and collected into one GC");
	y_doc_free(doc);
}

/* Two documents that used the same client id: the known prefix of an
 * incoming item lies in another list.  yjs corrupts its lists here; we
 * turn the rest into a GC and keep the document consistent. */
static void test_client_clash(void)
{
	struct y_doc *doc = new_doc(9, true);
	struct y_type *a = root(doc, "a", Y_ARRAY), *t = root(doc, "t", Y_TEXT);

	apply_hex(doc, "010201000201016102077b2278223a317d09756e646566696e65"
		       "648501010a7b2265223a747275657d00");
	apply_hex(doc, "0101010004010174056"
		       "8656c6c6f00");
	ok(a->length == 3 && t->length == 0, "lists untouched");
	is_str(store_of(doc), "(1,0)2? (1,2)1? (1,3)2gc",
	       "the unknown rest of the clashing item is a GC");
	y_doc_free(doc);
}

/* ---- update events ----------------------------------------------------- */

struct events {
	int n;
	bool local;
	bool bare; /* called with update NULL */
	uint8_t last[256];
	size_t last_len;
	uint8_t *all[8]; /* copies of the first 8 updates (events_free) */
	size_t all_len[8];
};

static void events_free(struct events *ev)
{
	for (int i = 0; i < 8; i++)
		free(ev->all[i]);
}

static void on_update(void *ctx, const uint8_t *u, size_t len, bool local,
		      void *origin)
{
	struct events *ev = ctx;

	(void)origin;
	ev->n++;
	ev->local = local;
	ev->last_len = len < sizeof(ev->last) ? len : sizeof(ev->last);
	ev->bare = !u;
	if (ev->last_len)
		memcpy(ev->last, u, ev->last_len);
	if (u && ev->n <= 8 && (ev->all[ev->n - 1] = malloc(len ? len : 1))) {
		memcpy(ev->all[ev->n - 1], u, len);
		ev->all_len[ev->n - 1] = len;
	}
}

static void test_events(void)
{
	struct y_doc *doc = new_doc(1, true);
	struct y_type *t = root(doc, "t", Y_TEXT);
	struct events ev = { 0 }, full = { 0 }, bare = { 0 };
	int sub = y_doc_on_update(doc, on_update, &ev);

	ok(sub > 0, "subscribed");
	text_insert(doc, t, 0, "abc");
	is_int(ev.n, 1, "one event per transaction");
	is_hex(ev.last, ev.last_len, "01010100040101740361626300",
	       "V1: update event");
	text_insert(doc, t, 3, "de");
	is_hex(ev.last, ev.last_len, "0101010384010202646500",
	       "V1: second update event");
	list_delete(doc, t, 1, 1);
	is_hex(ev.last, ev.last_len, "000101010101", "V4-like: delete event");
	ok(ev.local, "local flag");
	y_doc_transact_begin(doc, NULL);
	y_doc_transact_end(doc);
	is_int(ev.n, 3, "empty transaction emits nothing");
	y_doc_off_update(doc, sub);
	text_insert(doc, t, 0, "z");
	is_int(ev.n, 3, "unsubscribed");
	y_doc_free(doc);

	/* Y_UPDATE_REMOTE_BARE: remote transactions come without bytes */
	doc = new_doc(1, true);
	t = root(doc, "t", Y_TEXT);
	is_int(y_doc_on_update_flags(doc, on_update, &bare, 2), -EINVAL,
	       "unknown flag refused");
	ok(y_doc_on_update_flags(doc, on_update, &bare, Y_UPDATE_REMOTE_BARE) >
			   0 &&
		   y_doc_on_update(doc, on_update, &full) > 0,
	   "a bare and a full subscriber");
	text_insert(doc, t, 0, "abc");
	ok(bare.n == 1 && !bare.bare && bare.local &&
		   bare.last_len == full.last_len &&
		   !memcmp(bare.last, full.last, full.last_len),
	   "a local edit: both get its bytes");
	apply_hex(doc, "0101020004010174017800"); /* client 2: "x" */
	ok(bare.n == 2 && bare.bare && !bare.local && bare.last_len == 0,
	   "an applied update: the bare subscriber is told, without bytes");
	is_hex(full.last, full.last_len, "0101020004010174017800",
	       "the full subscriber still gets the update");
	y_doc_free(doc);
	events_free(&ev);
	events_free(&full);
	events_free(&bare);
}

/* ---- mergeUpdates ------------------------------------------------------ */

/* The store and text of a fresh replica that applied the updates. */
static void replica_of(char *store, char *text, size_t cap,
		       const uint8_t *const *u, const size_t *n, int k)
{
	struct y_doc *d = new_doc(9, true);

	for (int i = 0; i < k; i++)
		y_doc_apply_update(d, u[i], n[i], NULL);
	snprintf(store, cap, "%s", store_of(d));
	snprintf(text, cap, "%s", text_of(root(d, "t", Y_TEXT)));
	y_doc_free(d);
}

static void test_merge(void)
{
	struct y_doc *a = new_doc(1, false), *b = new_doc(2, false);
	struct y_type *t = root(a, "t", Y_TEXT), *m = root(a, "m", Y_MAP);
	char s1[1024], t1[1024], s2[1024], t2[1024];
	struct events c = { 0 }, cb = { 0 };
	const uint8_t *v[4];
	size_t vn[4];
	struct y_error err;
	uint8_t *out = NULL;
	size_t len = 0;

	y_doc_on_update(a, on_update, &c);
	y_doc_on_update(b, on_update, &cb);
	text_insert(a, t, 0, "hello");
	map_set_num(a, m, "k", 1);
	list_delete(a, t, 1, 2);
	text_insert(a, t, 3, "!");
	text_insert(b, root(b, "t", Y_TEXT), 0, "B");
	is_int(c.n, 4, "four local updates");

	/* the four in one: the same replica as the four one by one */
	is_int(y_merge_updates(&out, &len, (const uint8_t *const *)c.all,
			       c.all_len, 4, &err),
	       0, "merge of four consecutive updates");
	replica_of(s1, t1, sizeof(s1), (const uint8_t *const *)c.all, c.all_len,
		   4);
	v[0] = out;
	vn[0] = len;
	replica_of(s2, t2, sizeof(s2), v, vn, 1);
	is_str(t2, "hlo!", "merged: the text");
	is_str(s2, s1, "merged: the same store as one by one");
	ok(len < c.all_len[0] + c.all_len[1] + c.all_len[2] + c.all_len[3],
	   "merged is smaller");
	free(out);

	/* overlapping input (an update twice) is written once */
	v[0] = c.all[0];
	vn[0] = c.all_len[0];
	v[1] = c.all[0];
	vn[1] = c.all_len[0];
	is_int(y_merge_updates(&out, &len, v, vn, 2, NULL), 0,
	       "merge of an update with itself");
	ok(len == c.all_len[0] && !memcmp(out, c.all[0], len),
	   "an update merged with itself is itself");
	free(out);

	/* a gap: a Skip, and the rest waits for what is missing */
	v[0] = c.all[0];
	vn[0] = c.all_len[0];
	v[1] = c.all[3];
	vn[1] = c.all_len[3];
	v[2] = cb.all[0];
	vn[2] = cb.all_len[0];
	is_int(y_merge_updates(&out, &len, v, vn, 3, NULL), 0,
	       "merge with a gap and a second client");
	{
		struct y_doc *d = new_doc(9, true);

		y_doc_apply_update(d, out, len, NULL);
		ok(y_doc_has_pending(d), "the structs after the gap wait");
		y_doc_apply_update(d, c.all[1], c.all_len[1], NULL);
		y_doc_apply_update(d, c.all[2], c.all_len[2], NULL);
		ok(!y_doc_has_pending(d), "the missing updates fill the gap");
		is_str(text_of(root(d, "t", Y_TEXT)), "hlo!B",
		       "both clients' text (the lower client first)");
		y_doc_free(d);
	}
	free(out);

	/* none: the empty update; malformed: which one and where */
	is_int(y_merge_updates(&out, &len, NULL, NULL, 0, NULL), 0,
	       "merge of nothing");
	is_hex(out, len, "0000", "the empty update");
	free(out);
	v[0] = c.all[0];
	vn[0] = c.all_len[0];
	v[1] = (const uint8_t *)"\x01\x05";
	vn[1] = 2;
	out = NULL;
	is_int(y_merge_updates(&out, &len, v, vn, 2, &err), -EBADMSG,
	       "a malformed update is refused");
	ok(!out && !strncmp(err.msg, "update 1: ", 10), "and named: %s",
	   err.msg);

	events_free(&c);
	events_free(&cb);
	y_doc_free(a);
	y_doc_free(b);
}

/* ---- roots and client ids --------------------------------------------- */

static void test_roots(void)
{
	struct y_doc *doc = new_doc(0, true), *other = new_doc(0, true);
	struct y_type *t = NULL, *u = NULL;

	ok(y_doc_client_id(doc) > 0 && y_doc_client_id(doc) <= UINT32_MAX,
	   "random uint32 client id");
	ok(y_doc_client_id(doc) != y_doc_client_id(other), "two docs, two ids");
	apply_hex(doc, "01010100040101740361626300");
	t = y_doc_get_root(doc, "t", 1);
	ok(t && t->kind == Y_KIND_UNKNOWN && t->length == 3,
	   "update creates an untyped root with its items");
	is_int(y_doc_root(&u, doc, "t", Y_TEXT), 0, "typing adopts it");
	ok(u == t && u->kind == Y_TEXT, "same branch, now Text");
	is_int(y_doc_root(&u, doc, "t", Y_ARRAY), -EEXIST, "other kind");
	is_int(y_doc_root(&u, doc, "xml", Y_XML_ELEMENT), 0, "xml root");
	is_str(y_type_name(u), "UNDEFINED", "root XmlElement name");
	is_str(y_type_root_name(u), "xml", "root name");
	ok(!y_type_parent(u), "roots have no parent");
	y_doc_free(doc);
	y_doc_free(other);

	/* a remote update that uses our client id regenerates it */
	doc = new_doc(1, true);
	apply_hex(doc, "01010100040101740361626300");
	ok(y_doc_client_id(doc) != 1, "client id regenerated");
	y_doc_free(doc);
}

int main(void)
{
	plan_no_plan();
	test_util();
	test_content();
	test_local_text();
	test_map();
	test_concurrent();
	test_gc();
	test_deep();
	test_client_clash();
	test_events();
	test_roots();
	test_merge();
	is_int(checks_failed, 0, "invariants held after every transaction");
	return done_testing();
}
