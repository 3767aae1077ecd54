/* SPDX-License-Identifier: MIT */
/*
 * list.c - the list side of shared types: Y.Array, XmlFragment and
 * XmlElement children (spec/yjs.md 9.1, 9.2, 10.2, 10.3).  Reading walks a
 * branch's item list; editing creates and deletes items through the engine
 * (y_item_insert_local, y_item_delete) inside a transaction.
 *
 * It also owns the per-branch index cache (struct y_type pos_item /
 * pos_index) shared with text.c: a list item of the branch and the visible
 * index where it starts.  yjs has search markers for the same purpose; the
 * walks below start from the cache and give the same items and splits as a
 * walk from the start (see y_types_cache_seek), so the cache never changes
 * results, only speed.  Every local edit clears the cache before touching
 * the list and sets it again afterwards to an item whose index it knows.
 * The engine moves the cache when the cached item merges into its left
 * neighbour and clears it on remote changes and GC of the branch.
 *
 * Deviations from yjs, all where yjs throws or has no C equivalent:
 *  - y_list_delete rejects a range past the end (-ERANGE) before deleting
 *    anything; yjs deletes what it can and then throws.
 *  - y_list_insert accepts bigint values (yjs throws for them in arrays).
 *  - Reading: String items (text characters) have no y_any to borrow, so
 *    y_list_get on one gives -EINVAL and the iterator skips them; a
 *    subdocument value is its options object (Y_VALUE_DOC), its guid is not
 *    exposed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

/* Shared with map.c and text.c (prototypes there). */
int y_types_item_value(struct y_value *out, struct y_item *item, uint64_t off);
bool y_types_cache_seek(struct y_type *t, uint64_t index, bool strict,
			struct y_item **p, uint64_t *pidx);
void y_types_cache_set(struct y_type *t, struct y_item *item, uint64_t index);
bool y_types_kind_valid(int kind);

static inline bool visible(const struct y_item *i)
{
	return !y_item_deleted(i) && y_item_countable(i);
}

bool y_types_kind_valid(int kind)
{
	return kind >= Y_ARRAY && kind <= Y_XML_TEXT;
}

/*
 * Debug mode (environment YJS_CHECK_POS_CACHE set): every use of the cache
 * is checked against a walk from the start and a mismatch aborts.  Tests
 * turn it on; it makes every lookup linear.
 */
static bool cache_check_enabled(void)
{
	static int enabled = -1;

	if (enabled < 0)
		enabled = getenv("YJS_CHECK_POS_CACHE") != NULL;
	return enabled;
}

static void cache_check(const struct y_type *t, const struct y_item *p,
			uint64_t pidx)
{
	uint64_t idx = 0;
	const struct y_item *n;

	for (n = t->start; n && n != p; n = n->right)
		if (visible(n))
			idx += n->len;
	if (n != p || idx != pidx) {
		fprintf(stderr,
			"libyjs: index cache wrong: item (%llu,%llu) cached "
			"at %llu, %s %llu\n",
			(unsigned long long)p->id.client,
			(unsigned long long)p->id.clock,
			(unsigned long long)pidx,
			n ? "really at" : "not in the list; walked",
			(unsigned long long)idx);
		abort();
	}
}

/* Debug mode: t->tail must be the list's last item. */
static void tail_check(const struct y_type *t)
{
	const struct y_item *n = t->start;

	while (n && n->right)
		n = n->right;
	if (n != t->tail) {
		fprintf(stderr, "libyjs: list tail wrong\n");
		abort();
	}
}

/* The last list item of t (tombstones included), or NULL when unknown. */
static struct y_item *list_tail(struct y_type *t)
{
	if (t->dead || !t->tail)
		return NULL;
	if (cache_check_enabled())
		tail_check(t);
	return t->tail;
}

static bool cache_usable(const struct y_type *t)
{
	const struct y_item *p = t->pos_item;

	if (!p || t->has_formatting || t->dead)
		return false;
	/* The engine deletes the children of a deleted type behind our
	 * back (locally, so it need not clear the cache): distrust it. */
	if (t->item && y_item_deleted(t->item))
		return false;
	if (p->kind != Y_STRUCT_ITEM || p->parent_kind != Y_PARENT_TYPE ||
	    p->parent.type != t || p->parent_sub)
		return false;
	return t->pos_index <= t->length;
}

/*
 * Finds a list item p of t starting at visible index *pidx <= index (<
 * index when strict and index > 0) to start a walk from, using the cache.
 * Returns false when the walk should start at t->start with index 0.
 *
 * Why a walk from p gives the same result as one from the start: a walk
 * from the start passes p with exactly index - *pidx units left when
 * *pidx < index.  When *pidx == index (text only) the two walks stop at
 * different ends of a run of items that add no visible units; without
 * live Format items (cache_usable) those are tombstones, and every text
 * operation skips tombstones at its position before acting.
 */
bool y_types_cache_seek(struct y_type *t, uint64_t index, bool strict,
			struct y_item **p, uint64_t *pidx)
{
	struct y_item *n;
	uint64_t idx;

	if (!cache_usable(t))
		return false;
	n = t->pos_item;
	idx = t->pos_index;
	if (cache_check_enabled())
		cache_check(t, n, idx);
	/* Walking from the start is cheaper when the target is closer to it
	 * than to the cached position. */
	if (idx > index && index < idx - index)
		return false;
	while (idx > index || (strict && index > 0 && idx == index)) {
		n = n->left;
		if (!n)
			return false; /* idx > 0 at the first item: broken */
		if (visible(n)) {
			if (n->len > idx)
				return false;
			idx -= n->len;
		}
	}
	if (strict && index > 0 && idx >= index)
		return false;
	*p = n;
	*pidx = idx;
	return true;
}

void y_types_cache_set(struct y_type *t, struct y_item *item, uint64_t index)
{
	t->pos_item = item;
	t->pos_index = item ? index : 0;
}

/* Borrowed value number off of a countable item's content. */
int y_types_item_value(struct y_value *out, struct y_item *item, uint64_t off)
{
	struct y_content *c = &item->content;

	out->any = NULL;
	out->type = NULL;
	out->kind = Y_VALUE_ANY;
	switch (c->kind) {
	case Y_CONTENT_ANY:
	case Y_CONTENT_JSON:
		if (off >= c->list.n)
			return -EINVAL;
		out->any = &c->list.vals[off];
		return 0;
	case Y_CONTENT_BINARY:
	case Y_CONTENT_EMBED:
		out->any = c->val;
		return 0;
	case Y_CONTENT_TYPE:
		out->kind = Y_VALUE_TYPE;
		out->type = c->type;
		return 0;
	case Y_CONTENT_DOC:
		/* The options object; the guid is not a y_any in the store. */
		out->kind = Y_VALUE_DOC;
		out->any = c->doc->opts;
		return 0;
	default:
		/* String characters have no y_any to borrow. */
		return -EINVAL;
	}
}

uint64_t y_type_len(const struct y_type *t)
{
	uint64_t n = 0;
	size_t i;

	if (!t)
		return 0;
	if (t->kind != Y_MAP && t->kind != Y_XML_HOOK)
		return t->length;
	for (i = 0; i < t->map.n; i++) {
		const struct y_item *it = t->map.entries[i].val;

		if (it && !y_item_deleted(it))
			n++;
	}
	return n;
}

/* ---- reading ---------------------------------------------------------- */

int y_list_get(struct y_value *out, struct y_type *list, uint64_t index)
{
	struct y_item *n;
	uint64_t idx;

	if (!out || !list)
		return -EINVAL;
	if (index >= list->length)
		return -ERANGE;
	if (!y_types_cache_seek(list, index, false, &n, &idx)) {
		n = list->start;
		idx = 0;
	}
	for (; n; n = n->right) {
		if (!visible(n))
			continue;
		if (index - idx < n->len) {
			y_types_cache_set(list, n, idx);
			return y_types_item_value(out, n, index - idx);
		}
		idx += n->len;
	}
	return -ERANGE;
}

void y_list_iter_init(struct y_list_iter *it, struct y_type *list)
{
	it->list = list;
	it->item = list ? list->start : NULL;
	it->offset = 0;
}

/*
 * String items (text content) are skipped: their characters have no
 * y_any of their own; texts are read with y_text_string / y_text_delta.
 */
int y_list_iter_next(struct y_list_iter *it, struct y_value *out)
{
	struct y_item *n = it->item;

	for (; n; n = n->right, it->offset = 0) {
		if (!visible(n) || n->content.kind == Y_CONTENT_STRING)
			continue;
		if (it->offset >= n->len)
			continue;
		if (y_types_item_value(out, n, it->offset) < 0)
			continue;
		it->offset++;
		it->item = n;
		return 1;
	}
	it->item = NULL;
	return 0;
}

/* ---- editing ---------------------------------------------------------- */

static int content_any(struct y_content *c, const struct y_any *vals, size_t n)
{
	size_t i;
	int r;

	memset(c, 0, sizeof(*c));
	c->kind = Y_CONTENT_ANY;
	if (n > UINT32_MAX)
		return -EINVAL;
	c->list.vals = calloc(n, sizeof(*c->list.vals));
	if (!c->list.vals)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r = y_any_copy(&c->list.vals[i], &vals[i]);
		if (r < 0) {
			while (i--)
				y_any_clear(&c->list.vals[i]);
			free(c->list.vals);
			c->list.vals = NULL;
			return r;
		}
	}
	c->list.n = (uint32_t)n;
	return 0;
}

static int content_binary(struct y_content *c, const struct y_any *val)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->kind = Y_CONTENT_BINARY;
	c->val = calloc(1, sizeof(*c->val));
	if (!c->val)
		return -ENOMEM;
	r = y_any_copy(c->val, val);
	if (r < 0) {
		free(c->val);
		c->val = NULL;
	}
	return r;
}

/* Content for one map/list value: Binary for bytes, else Any. */
int y_types_value_content(struct y_content *c, const struct y_any *val);
int y_types_value_content(struct y_content *c, const struct y_any *val)
{
	if (val->kind == Y_ANY_BYTES)
		return content_binary(c, val);
	return content_any(c, val, 1);
}

/* Content holding a new empty branch of kind (name: nodeName/hookName). */
int y_types_new_type_content(struct y_content *c, struct y_type **out,
			     struct y_doc *doc, enum y_kind kind,
			     const char *name);
int y_types_new_type_content(struct y_content *c, struct y_type **out,
			     struct y_doc *doc, enum y_kind kind,
			     const char *name)
{
	struct y_type *t;

	if (!y_types_kind_valid(kind))
		return -EINVAL;
	if (kind == Y_XML_ELEMENT && !name)
		name = "UNDEFINED"; /* the JS default nodeName */
	if (kind == Y_XML_HOOK && !name)
		return -EINVAL;
	if (kind != Y_XML_ELEMENT && kind != Y_XML_HOOK)
		name = NULL;
	t = y_type_new(doc, kind, name);
	if (!t)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->kind = Y_CONTENT_TYPE;
	c->type = t;
	*out = t;
	return 0;
}

/*
 * typeListInsertGenericsAfter: runs of non-bytes values become one Any
 * item, bytes one Binary item each; every new item becomes the left
 * neighbour of the next while right stays fixed.  *first gets the first
 * new item.
 */
static int insert_values_after(struct y_txn *txn, struct y_type *list,
			       struct y_item *ref, const struct y_any *vals,
			       size_t n, struct y_item **first)
{
	struct y_item *left = ref;
	struct y_item *right = ref ? ref->right : list->start;
	struct y_item *item;
	struct y_content c;
	size_t i = 0, j;
	int r;

	*first = NULL;
	while (i < n) {
		if (vals[i].kind == Y_ANY_BYTES) {
			r = content_binary(&c, &vals[i]);
			j = i + 1;
		} else {
			for (j = i; j < n && vals[j].kind != Y_ANY_BYTES; j++)
				;
			r = content_any(&c, &vals[i], j - i);
		}
		if (r < 0)
			return r;
		r = y_item_insert_local(&item, txn, list, left, right, NULL, 0,
					&c,
					c.kind == Y_CONTENT_ANY ? j - i : 1);
		if (r < 0)
			return r;
		if (!*first)
			*first = item;
		left = item;
		i = j;
	}
	return 0;
}

/*
 * The reference item for a list insert at index (spec 10.2 step 3): the
 * visible item holding unit index - 1, split so that it ends there; NULL
 * for index 0.
 */
static int find_list_ref(struct y_txn *txn, struct y_type *list, uint64_t index,
			 struct y_item **ref)
{
	struct y_item *n;
	uint64_t idx;

	*ref = NULL;
	if (index == 0)
		return 0;
	/* An append: the last visible item, found from the tail; it ends at
	 * index, so nothing is split. */
	if (index == list->length && (n = list_tail(list))) {
		while (n && !visible(n))
			n = n->left;
		if (n) {
			*ref = n;
			return 0;
		}
	}
	if (!y_types_cache_seek(list, index, true, &n, &idx)) {
		n = list->start;
		idx = 0;
	}
	for (; n; n = n->right) {
		if (!visible(n))
			continue;
		if (index - idx <= n->len) {
			if (index - idx < n->len) {
				struct y_id id = { n->id.client,
						   n->id.clock + index - idx };

				if (!y_store_clean_start(txn, id))
					return -ENOMEM;
			}
			*ref = n;
			return 0;
		}
		idx += n->len;
	}
	return -ERANGE;
}

static bool values_ok(const struct y_any *vals, size_t n)
{
	size_t i;

	if (n && !vals)
		return false;
	for (i = 0; i < n; i++)
		if (vals[i].kind == Y_ANY_UNDEFINED)
			return false;
	return true;
}

static int txn_end(struct y_doc *doc, int r)
{
	int r2 = y_txn_end(doc);

	return r < 0 ? r : r2;
}

int y_list_insert(struct y_type *list, uint64_t index, const struct y_any *vals,
		  size_t n)
{
	struct y_item *ref, *first;
	struct y_txn *txn;
	int r;

	if (!list || list->kind == Y_KIND_UNKNOWN || list->dead ||
	    !values_ok(vals, n))
		return -EINVAL;
	if (index > list->length)
		return -ERANGE;
	if (n == 0)
		return 0;
	r = y_txn_begin(&txn, list->doc, true, NULL);
	if (r < 0)
		return r;
	r = find_list_ref(txn, list, index, &ref);
	y_types_cache_set(list, NULL, 0);
	if (r == 0)
		r = insert_values_after(txn, list, ref, vals, n, &first);
	if (r == 0)
		y_types_cache_set(list, first, index);
	return txn_end(list->doc, r);
}

/* Last item of the list, tombstones included. */
static struct y_item *list_last(struct y_type *list)
{
	struct y_item *n = list_tail(list);

	if (n)
		return n;
	n = list->start;
	/* Any item of the list will do as a starting point. */
	if (n && cache_usable(list))
		n = list->pos_item;
	while (n && n->right)
		n = n->right;
	return n;
}

int y_array_push(struct y_type *array, const struct y_any *vals, size_t n)
{
	struct y_item *first;
	struct y_txn *txn;
	uint64_t index;
	int r;

	if (!array || array->kind == Y_KIND_UNKNOWN || array->dead ||
	    !values_ok(vals, n))
		return -EINVAL;
	if (n == 0)
		return 0;
	r = y_txn_begin(&txn, array->doc, true, NULL);
	if (r < 0)
		return r;
	index = array->length;
	r = insert_values_after(txn, array, list_last(array), vals, n, &first);
	y_types_cache_set(array, r == 0 ? first : NULL, index);
	return txn_end(array->doc, r);
}

int y_list_insert_type(struct y_type **out, struct y_type *list, uint64_t index,
		       enum y_kind kind, const char *name)
{
	struct y_item *ref, *right, *item;
	struct y_type *t = NULL;
	struct y_content c;
	struct y_txn *txn;
	int r;

	if (!list || list->kind == Y_KIND_UNKNOWN || list->dead ||
	    !y_types_kind_valid(kind))
		return -EINVAL;
	if (index > list->length)
		return -ERANGE;
	r = y_txn_begin(&txn, list->doc, true, NULL);
	if (r < 0)
		return r;
	r = find_list_ref(txn, list, index, &ref);
	y_types_cache_set(list, NULL, 0);
	if (r < 0)
		goto out;
	r = y_types_new_type_content(&c, &t, list->doc, kind, name);
	if (r < 0)
		goto out;
	right = ref ? ref->right : list->start;
	r = y_item_insert_local(&item, txn, list, ref, right, NULL, 0, &c, 1);
	if (r < 0)
		goto out;
	y_types_cache_set(list, item, index);
	if (out)
		*out = t;
out:
	return txn_end(list->doc, r);
}

int y_list_insert_type_after(struct y_type **out, struct y_type *list,
			     struct y_type *ref, enum y_kind kind,
			     const char *name)
{
	struct y_item *left = NULL, *right, *item;
	struct y_type *t = NULL;
	struct y_content c;
	struct y_txn *txn;
	int r;

	if (!list || list->kind == Y_KIND_UNKNOWN || list->dead ||
	    !y_types_kind_valid(kind))
		return -EINVAL;
	if (ref) {
		left = ref->item;
		if (!left || left->parent_kind != Y_PARENT_TYPE ||
		    left->parent.type != list || left->parent_sub)
			return -EINVAL;
	}
	r = y_txn_begin(&txn, list->doc, true, NULL);
	if (r < 0)
		return r;
	/* The index of ref is unknown here: forget the cache. */
	y_types_cache_set(list, NULL, 0);
	r = y_types_new_type_content(&c, &t, list->doc, kind, name);
	if (r < 0)
		goto out;
	right = left ? left->right : list->start;
	r = y_item_insert_local(&item, txn, list, left, right, NULL, 0, &c, 1);
	if (r < 0)
		goto out;
	if (!left)
		y_types_cache_set(list, item, 0);
	if (out)
		*out = t;
out:
	return txn_end(list->doc, r);
}

/*
 * typeListDelete.  Unlike yjs, which deletes what it can and then throws
 * "Length exceeded", a range past the end is rejected before anything is
 * deleted.
 */
int y_list_delete(struct y_type *list, uint64_t index, uint64_t len)
{
	struct y_item *n;
	struct y_txn *txn;
	uint64_t idx, left;
	int r = 0;

	if (!list || list->kind == Y_KIND_UNKNOWN || list->dead)
		return -EINVAL;
	if (index > list->length || len > list->length - index)
		return -ERANGE;
	if (len == 0)
		return 0;
	r = y_txn_begin(&txn, list->doc, true, NULL);
	if (r < 0)
		return r;
	if (!y_types_cache_seek(list, index, false, &n, &idx)) {
		n = list->start;
		idx = 0;
	}
	y_types_cache_set(list, NULL, 0);
	left = index - idx;
	for (; n && left > 0; n = n->right) {
		if (!visible(n))
			continue;
		if (left < n->len) {
			struct y_id id = { n->id.client, n->id.clock + left };

			if (!y_store_clean_start(txn, id)) {
				r = -ENOMEM;
				goto out;
			}
		}
		left -= n->len;
	}
	left = len;
	while (left > 0 && n) {
		if (!y_item_deleted(n)) {
			if (left < n->len) {
				struct y_id id = { n->id.client,
						   n->id.clock + left };

				if (!y_store_clean_start(txn, id)) {
					r = -ENOMEM;
					goto out;
				}
			}
			y_item_delete(txn, n);
			left -= n->len; /* n->len <= left after the split */
		}
		n = n->right;
	}
	/* n is the first item after the deleted range: it starts at index. */
	if (n)
		y_types_cache_set(list, n, index);
out:
	return txn_end(list->doc, r);
}
