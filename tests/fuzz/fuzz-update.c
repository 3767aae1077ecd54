// SPDX-License-Identifier: MIT
/*
 * fuzz-update.c - libFuzzer target for the libyjs decoders (spec/yjs.md
 * 16.5).  Each input is fed to:
 *  - y_doc_apply_update on an empty doc and on a pre-populated doc (text
 *    with formatting, map, array, XML tree, a pending struct): on error the
 *    document must be unchanged (full state and state vector compared
 *    before/after); on success its new state must encode, dump and
 *    re-apply to a fresh doc;
 *  - y_update_dump, which must accept exactly what apply accepts on an
 *    empty doc;
 *  - y_merge_updates of the input with itself, which must accept the same,
 *    and whose result must dump and apply wherever the input applies;
 *  - y_state_vector_decode;
 *  - y_any_from_json, whose stringified result must parse and stringify
 *    to the same text.
 * Any violation aborts, which libFuzzer reports as a crash.  Built and run
 * by tests/fuzz/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yjs.h"

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr,                                   \
				"fuzz-update: %s:%d: check failed: %s\n", \
				__FILE__, __LINE__, #cond);               \
			abort();                                          \
		}                                                         \
	} while (0)

struct bytes {
	uint8_t *p;
	size_t len;
};

static struct bytes full(struct y_doc *d)
{
	struct bytes b;

	CHECK(!y_doc_encode_state_as_update(&b.p, &b.len, d, NULL, 0, NULL));
	return b;
}

static struct bytes svec(struct y_doc *d)
{
	struct bytes b;

	CHECK(!y_doc_state_vector(&b.p, &b.len, d));
	return b;
}

static bool same(struct bytes a, struct bytes b)
{
	return a.len == b.len && !memcmp(a.p, b.p, a.len);
}

static void put_text(struct y_type *t, uint64_t i, const char *s,
		     const char *attrs)
{
	struct y_any a;

	if (attrs) {
		CHECK(!y_any_from_json(&a, attrs, strlen(attrs), NULL));
		CHECK(!y_text_insert(t, i, s, strlen(s), &a));
		y_any_clear(&a);
	} else {
		CHECK(!y_text_insert(t, i, s, strlen(s), NULL));
	}
}

/* A document with a bit of everything, including a pending struct. */
static struct y_doc *populated(void)
{
	static const uint8_t pending[] = { 0x01, 0x01, 0x63, 0x01, 0x84,
					   0x63, 0x00, 0x01, 0x62, 0x00 };
	struct y_doc_options o = { .client_id = 42 };
	struct y_type *t, *m, *a, *x, *el, *xt, *nm;
	struct y_doc *d;
	struct y_any v;

	CHECK(!y_doc_new(&d, &o));
	CHECK(!y_doc_root(&t, d, "t", Y_TEXT));
	CHECK(!y_doc_root(&m, d, "m", Y_MAP));
	CHECK(!y_doc_root(&a, d, "a", Y_ARRAY));
	CHECK(!y_doc_root(&x, d, "xml", Y_XML_ELEMENT));
	put_text(t, 0, "hello w\xf0\x9f\x98\x80rld", NULL);
	put_text(t, 5, "!", "{\"bold\":true}");
	CHECK(!y_text_delete(t, 1, 2));
	y_any_init_string(&v, "v", 1);
	CHECK(!y_map_set(m, "k", 1, &v));
	CHECK(!y_map_set(m, "k", 1, &v));
	y_any_clear(&v);
	y_any_init_number(&v, 1.5);
	CHECK(!y_list_insert(a, 0, &v, 1));
	CHECK(!y_list_insert_type(&nm, a, 1, Y_MAP, NULL));
	CHECK(!y_map_set(nm, "n", 1, &v));
	CHECK(!y_list_delete(a, 0, 1));
	y_any_clear(&v);
	CHECK(!y_doc_transact_begin(d, NULL));
	CHECK(!y_list_insert_type(&el, x, 0, Y_XML_ELEMENT, "text"));
	CHECK(!y_list_insert_type(&xt, el, 0, Y_XML_TEXT, NULL));
	y_any_init_string(&v, "n1", 2);
	CHECK(!y_map_set(el, "$id", 3, &v));
	y_any_clear(&v);
	put_text(xt, 0, "abc", "{\"italic\":true}");
	CHECK(!y_doc_transact_end(d));
	/* client 99, clock 1, origin (99,0): waits for (99,0) */
	CHECK(!y_doc_apply_update(d, pending, sizeof(pending), NULL));
	return d;
}

static void check_doc(struct y_doc *d, const uint8_t *data, size_t size)
{
	struct bytes f0 = full(d), s0 = svec(d), f1, s1;
	struct y_error err = { 0 };
	struct y_doc *fresh;
	char *dump;
	size_t dl;
	int rc;

	rc = y_doc_apply_update(d, data, size, &err);
	f1 = full(d);
	s1 = svec(d);
	if (rc) {
		CHECK(err.msg[0]);
		CHECK(err.offset <= size);
		CHECK(same(f0, f1));
		CHECK(same(s0, s1));
	} else {
		/* the new state is well-formed */
		CHECK(!y_update_dump(&dump, &dl, f1.p, f1.len, NULL));
		free(dump);
		CHECK(!y_doc_new(&fresh, NULL));
		CHECK(!y_doc_apply_update(fresh, f1.p, f1.len, NULL));
		y_doc_free(fresh);
	}
	free(f0.p);
	free(f1.p);
	free(s0.p);
	free(s1.p);
}

/* JSON.stringify is idempotent after one round (1e999 -> Infinity ->
 * "null" is JS semantics, so compare texts, not values). */
static void check_json(const uint8_t *data, size_t size)
{
	struct y_any v, w;
	char *s, *t;
	size_t n, m;

	if (y_any_from_json(&v, (const char *)data, size, NULL))
		return;
	CHECK(!y_any_to_json(&s, &n, &v));
	CHECK(!y_any_from_json(&w, s, n, NULL));
	CHECK(!y_any_to_json(&t, &m, &w));
	CHECK(n == m && !memcmp(s, t, n));
	free(s);
	free(t);
	y_any_clear(&v);
	y_any_clear(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct y_doc *d;
	struct y_id *ids;
	char *dump;
	size_t n;
	int arc, drc;

	/* empty doc */
	CHECK(!y_doc_new(&d, NULL));
	arc = y_doc_apply_update(d, data, size, NULL);
	y_doc_free(d);
	CHECK(!y_doc_new(&d, NULL));
	check_doc(d, data, size);
	y_doc_free(d);

	/* the decoder and apply agree on what is well-formed */
	drc = y_update_dump(&dump, &n, data, size, NULL);
	if (!drc)
		free(dump);
	CHECK(!arc == !drc);

	/* and mergeUpdates too; what it writes is well-formed */
	{
		const uint8_t *v[2] = { data, data };
		size_t vn[2] = { size, size };
		uint8_t *m = NULL;
		size_t mn = 0;
		int mrc = y_merge_updates(&m, &mn, v, vn, 2, NULL);

		CHECK(!mrc == !drc);
		if (!mrc) {
			CHECK(!y_update_dump(&dump, &n, m, mn, NULL));
			free(dump);
			CHECK(!y_doc_new(&d, NULL));
			CHECK(y_doc_apply_update(d, m, mn, NULL) == 0);
			y_doc_free(d);
			free(m);
		}
	}

	/* pre-populated doc (fresh each time: apply may succeed) */
	d = populated();
	check_doc(d, data, size);
	y_doc_free(d);

	if (!y_state_vector_decode(&ids, &n, data, size, NULL))
		free(ids);
	check_json(data, size);
	return 0;
}
