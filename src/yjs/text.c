/* SPDX-License-Identifier: MIT */
/*
 * text.c - Y.Text and Y.XmlText: editing with formatting attributes, the
 * plain string and the Quill delta view, and the formatting cleanup that
 * runs after remote transactions (spec/yjs.md 9.4, 10.5, 10.6).
 *
 * Formatting is not stored on characters: Format items (key, value) in the
 * list switch an attribute on or off for everything to their right.  The
 * editing functions follow yjs's YText.js step by step (findPosition,
 * minimizeAttributeChanges, insertAttributes, insertNegatedAttributes,
 * formatText, deleteText, cleanupFormattingGap), because which Format items
 * get created or deleted decides the update bytes.
 *
 * Attribute values are compared as JS does: `===` is value equality for
 * primitives and identity for objects, arrays and bytes; equalAttrs
 * additionally compares two objects (or two arrays, or two byte arrays) one
 * level deep.  Objects of different kinds (an array and an object with the
 * same index keys) are never equal here although JS's flat comparison may
 * find them equal.
 *
 * Identity follows the JS references: yjs never copies an attribute value,
 * so the Format items made by one call share the caller's objects, and a
 * value read from a Format item (position attributes, negated attributes)
 * is that item's object wherever it goes next.  Every value held in an
 * attribute map therefore carries the ident of the JS object it stands for
 * (core.h content.format->ident): a fresh one per object value of the
 * caller's attributes per call, the item's own when read from a Format item
 * (items without one, e.g. decoded ones, get a fresh ident on first read).
 * Attribute maps hold borrowed pointers (to Format item values or to the
 * caller's attrs), valid for the duration of one API call: items are not
 * freed inside a transaction.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

/* list.c */
bool y_types_cache_seek(struct y_type *t, uint64_t index, bool strict,
			struct y_item **p, uint64_t *pidx);
void y_types_cache_set(struct y_type *t, struct y_item *item, uint64_t index);

static const struct y_any any_null = { .kind = Y_ANY_NULL };

/* ---- attribute maps ---------------------------------------------------- */

/* A JS value: for objects, arrays and bytes, ident is its JS identity
 * (nonzero); unused for primitives. */
struct jsval {
	const struct y_any *v;
	uint64_t ident;
};

static const struct jsval js_null = { &any_null, 0 };

struct attr {
	const char *key;
	size_t key_len;
	struct jsval val;
};

/*
 * A JS Map (insertion order) or, with js_object, a JS object (canonical
 * array-index keys first in ascending order, then insertion order).  Small
 * maps live in inl, so the common case allocates nothing.  Never copy the
 * struct itself.
 */
struct attrs {
	struct attr *v;
	size_t n;
	size_t cap;
	bool js_object;
	bool oom;
	struct attr inl[8];
};

static void attrs_init(struct attrs *a, bool js_object)
{
	a->v = a->inl;
	a->n = 0;
	a->cap = sizeof(a->inl) / sizeof(a->inl[0]);
	a->js_object = js_object;
	a->oom = false;
}

static void attrs_release(struct attrs *a)
{
	if (a->v != a->inl)
		free(a->v);
	attrs_init(a, a->js_object);
}

static long attrs_find(const struct attrs *a, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].key_len == len && !memcmp(a->v[i].key, key, len))
			return (long)i;
	return -1;
}

/* Borrowed value, NULL when absent (JS undefined). */
static const struct jsval *attrs_get(const struct attrs *a, const char *key,
				     size_t len)
{
	long i = attrs_find(a, key, len);

	return i < 0 ? NULL : &a->v[i].val;
}

/* map.get(key) ?? null */
static struct jsval attrs_get_or_null(const struct attrs *a, const char *key,
				      size_t len)
{
	const struct jsval *v = attrs_get(a, key, len);

	return v ? *v : js_null;
}

static void attrs_set(struct attrs *a, const char *key, size_t len,
		      struct jsval val)
{
	long found = attrs_find(a, key, len);
	size_t at = a->n;
	uint32_t k, k2;

	if (found >= 0) {
		a->v[found].val = val;
		return;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap * 2;
		struct attr *v = malloc(cap * sizeof(*v));

		if (!v) {
			a->oom = true;
			return;
		}
		memcpy(v, a->v, a->n * sizeof(*v));
		if (a->v != a->inl)
			free(a->v);
		a->v = v;
		a->cap = cap;
	}
	if (a->js_object && y_js_index_key(key, len, &k)) {
		for (at = 0; at < a->n; at++)
			if (!y_js_index_key(a->v[at].key, a->v[at].key_len,
					    &k2) ||
			    k2 > k)
				break;
		memmove(&a->v[at + 1], &a->v[at], (a->n - at) * sizeof(*a->v));
	}
	a->v[at].key = key;
	a->v[at].key_len = len;
	a->v[at].val = val;
	a->n++;
}

static void attrs_del(struct attrs *a, const char *key, size_t len)
{
	long i = attrs_find(a, key, len);

	if (i < 0)
		return;
	memmove(&a->v[i], &a->v[i + 1], (a->n - (size_t)i - 1) * sizeof(*a->v));
	a->n--;
}

/* dst (initialised) becomes a copy of src's entries, in src's order. */
static void attrs_copy(struct attrs *dst, const struct attrs *src)
{
	size_t i;

	dst->n = 0;
	for (i = 0; i < src->n; i++)
		attrs_set(dst, src->v[i].key, src->v[i].key_len, src->v[i].val);
	dst->oom |= src->oom;
}

static bool is_js_object(const struct y_any *v)
{
	return v->kind == Y_ANY_OBJECT || v->kind == Y_ANY_ARRAY ||
	       v->kind == Y_ANY_BYTES;
}

/* The caller's attribute object (undefined values count as null).  Each of
 * its object values is a JS object of its own, shared by everything this
 * call makes from it. */
static void attrs_from_object(struct attrs *a, struct y_doc *doc,
			      const struct y_any *obj)
{
	size_t i;

	if (!obj || obj->kind != Y_ANY_OBJECT)
		return;
	for (i = 0; i < obj->obj.len; i++) {
		const struct y_any_entry *e = &obj->obj.entries[i];
		struct jsval v = { &e->val, 0 };

		if (e->val.kind == Y_ANY_UNDEFINED)
			v = js_null;
		else if (is_js_object(&e->val))
			v.ident = ++doc->next_ident;
		attrs_set(a, e->key, e->key_len, v);
	}
}

/* A Format item's value as a JS reference; an object value without an
 * identity yet (decoded, so an object of its own) gets one now. */
static struct jsval format_val(struct y_item *f)
{
	struct jsval v = { f->content.format->val, 0 };

	if (!v.v)
		return js_null;
	if (is_js_object(v.v)) {
		/* (an unparented item keeps 0: then only the value pointer,
		 * i.e. the item itself, is identical to it) */
		if (!f->content.format->ident &&
		    f->parent_kind == Y_PARENT_TYPE && f->parent.type)
			f->content.format->ident =
				++f->parent.type->doc->next_ident;
		v.ident = f->content.format->ident;
	}
	return v;
}

/* ---- JS comparisons ---------------------------------------------------- */

/* a === b on plain values: objects inside attribute values are only ever
 * reached through their outer value, so pointer identity is JS identity. */
static bool any_eq(const struct y_any *a, const struct y_any *b)
{
	if (a->kind == Y_ANY_NUMBER && b->kind == Y_ANY_NUMBER)
		return a->num == b->num; /* NaN !== NaN, 0 === -0 */
	if (a == b)
		return true;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case Y_ANY_UNDEFINED:
	case Y_ANY_NULL:
		return true;
	case Y_ANY_BOOL:
		return a->b == b->b;
	case Y_ANY_BIGINT:
		return a->big == b->big;
	case Y_ANY_STRING:
		return a->str.len == b->str.len &&
		       !memcmp(a->str.ptr, b->str.ptr, a->str.len);
	default:
		return false; /* objects: identity only */
	}
}

/* a === b on attribute values */
static bool js_eq(struct jsval a, struct jsval b)
{
	if (is_js_object(a.v) && is_js_object(b.v))
		return a.ident || b.ident ? a.ident == b.ident : a.v == b.v;
	return any_eq(a.v, b.v);
}

/* yjs equalAttrs: a === b, or a flat (one level) comparison of objects. */
static bool equal_attrs(struct jsval ja, struct jsval jb)
{
	const struct y_any *a = ja.v, *b = jb.v;
	size_t i;

	if (js_eq(ja, jb))
		return true;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case Y_ANY_OBJECT:
		if (a->obj.len != b->obj.len)
			return false;
		for (i = 0; i < a->obj.len; i++) {
			const struct y_any_entry *e = &a->obj.entries[i];
			const struct y_any *bv =
				y_any_object_get(b, e->key, e->key_len);

			if (!bv || !any_eq(&e->val, bv))
				return false;
		}
		return true;
	case Y_ANY_ARRAY:
		if (a->arr.len != b->arr.len)
			return false;
		for (i = 0; i < a->arr.len; i++)
			if (!any_eq(&a->arr.items[i], &b->arr.items[i]))
				return false;
		return true;
	case Y_ANY_BYTES:
		return a->bytes.len == b->bytes.len &&
		       !memcmp(a->bytes.ptr, b->bytes.ptr, a->bytes.len);
	default:
		return false;
	}
}

/* ---- positions --------------------------------------------------------- */

static inline bool is_format(const struct y_item *i)
{
	return i->content.kind == Y_CONTENT_FORMAT;
}

static inline bool is_live_format(const struct y_item *i)
{
	return !y_item_deleted(i) && is_format(i);
}

#define FMT_KEY(i) (i)->content.format->key.ptr, (i)->content.format->key.len

/* updateCurrentAttributes */
static void apply_format(struct attrs *a, struct y_item *f)
{
	struct jsval v = format_val(f);

	if (v.v->kind == Y_ANY_NULL)
		attrs_del(a, FMT_KEY(f));
	else
		attrs_set(a, FMT_KEY(f), v);
}

/* ItemTextListPosition.  index is the visible index where right starts. */
struct pos {
	struct y_item *left;
	struct y_item *right;
	uint64_t index;
	struct attrs attrs; /* a JS Map */
};

static void pos_forward(struct pos *p)
{
	struct y_item *r = p->right;

	if (is_format(r)) {
		if (!y_item_deleted(r))
			apply_format(&p->attrs, r);
	} else if (!y_item_deleted(r)) {
		p->index += r->len;
	}
	p->left = r;
	p->right = r->right;
}

static int split_at(struct y_txn *txn, struct y_item *i, uint64_t off)
{
	struct y_id id = { i->id.client, i->id.clock + off };

	return y_store_clean_start(txn, id) ? 0 : -ENOMEM;
}

/* findNextPosition */
static int find_next_position(struct y_txn *txn, struct pos *p, uint64_t count)
{
	while (p->right && count > 0) {
		struct y_item *r = p->right;

		if (is_format(r)) {
			if (!y_item_deleted(r))
				apply_format(&p->attrs, r);
		} else if (!y_item_deleted(r)) {
			if (count < r->len && split_at(txn, r, count) < 0)
				return -ENOMEM;
			p->index += r->len;
			count -= r->len;
		}
		p->left = r;
		p->right = r->right;
	}
	return 0;
}

/* findPosition; starts from the branch's index cache when it can. */
static int find_position(struct y_txn *txn, struct y_type *t, uint64_t index,
			 struct pos *p)
{
	struct y_item *n;
	uint64_t idx;

	attrs_init(&p->attrs, false);
	if (y_types_cache_seek(t, index, false, &n, &idx)) {
		p->left = n->left;
		p->right = n;
		p->index = idx;
	} else {
		p->left = NULL;
		p->right = t->start;
		p->index = 0;
	}
	return find_next_position(txn, p, index - p->index);
}

/* Remembers where the position is for the next lookup. */
static void cache_from_pos(struct y_type *t, const struct pos *p)
{
	if (p->right) {
		y_types_cache_set(t, p->right, p->index);
	} else if (p->left) {
		uint64_t l = 0;

		if (!y_item_deleted(p->left) && y_item_countable(p->left))
			l = p->left->len;
		y_types_cache_set(t, p->left, p->index - l);
	}
}

/* ---- item creation ----------------------------------------------------- */

static int insert_item(struct y_txn *txn, struct y_type *t, struct pos *p,
		       struct y_content *c, uint64_t len)
{
	struct y_item *it;
	int r;

	r = y_item_insert_local(&it, txn, t, p->left, p->right, NULL, 0, c,
				len);
	if (r < 0)
		return r;
	p->right = it;
	pos_forward(p);
	return 0;
}

/* The new Format item's value is the JS object val stands for (same
 * ident): yjs stores the reference. */
static int insert_format(struct y_txn *txn, struct y_type *t, struct pos *p,
			 const char *key, size_t key_len, struct jsval val)
{
	struct y_content c;
	int r;

	r = y_content_set_format(&c);
	if (!r)
		r = y_str_set(&c.format->key, key, key_len);
	if (!r) {
		c.format->val = calloc(1, sizeof(*c.format->val));
		if (!c.format->val)
			r = -ENOMEM;
	}
	if (!r) {
		r = y_any_copy(c.format->val, val.v);
		if (r < 0) {
			free(c.format->val);
			c.format->val = NULL;
		}
	}
	if (r < 0) {
		y_content_release(&c);
		return r;
	}
	if (is_js_object(val.v))
		c.format->ident = val.ident;
	return insert_item(txn, t, p, &c, 1);
}

static int content_string(struct y_content *c, const char *s, size_t len)
{
	return y_content_set_string(c, s, len);
}

/* What insertText inserts: a string, an embed or (not via this API) a
 * type. */
struct text_value {
	const char *str; /* UTF-8, when not NULL */
	size_t len;
	const struct y_any *embed;
};

static int insert_value(struct y_txn *txn, struct y_type *t, struct pos *p,
			const struct text_value *v)
{
	struct y_content c;
	int r;

	if (v->str) {
		r = content_string(&c, v->str, v->len);
		if (r < 0)
			return r;
		return insert_item(txn, t, p, &c, y_utf16_len(v->str, v->len));
	}
	memset(&c, 0, sizeof(c));
	c.kind = Y_CONTENT_EMBED;
	c.val = calloc(1, sizeof(*c.val));
	if (!c.val)
		return -ENOMEM;
	r = y_any_copy(c.val, v->embed);
	if (r < 0) {
		free(c.val);
		return r;
	}
	return insert_item(txn, t, p, &c, 1);
}

/* ---- the YText.js algorithms ------------------------------------------- */

static void minimize_attribute_changes(struct pos *p, const struct attrs *attrs)
{
	while (p->right) {
		struct y_item *r = p->right;

		if (!y_item_deleted(r) &&
		    !(is_format(r) &&
		      equal_attrs(attrs_get_or_null(attrs, FMT_KEY(r)),
				  format_val(r))))
			break;
		pos_forward(p);
	}
}

/* Inserts a Format for every attribute that differs at p; negated gets
 * the values to restore afterwards. */
static int insert_attributes(struct y_txn *txn, struct y_type *t, struct pos *p,
			     const struct attrs *attrs, struct attrs *negated)
{
	size_t i;
	int r;

	for (i = 0; i < attrs->n; i++) {
		const struct attr *a = &attrs->v[i];
		struct jsval cur =
			attrs_get_or_null(&p->attrs, a->key, a->key_len);

		if (equal_attrs(cur, a->val))
			continue;
		attrs_set(negated, a->key, a->key_len, cur);
		r = insert_format(txn, t, p, a->key, a->key_len, a->val);
		if (r < 0)
			return r;
	}
	return 0;
}

static int insert_negated_attributes(struct y_txn *txn, struct y_type *t,
				     struct pos *p, struct attrs *negated)
{
	size_t i;
	int r;

	while (p->right) {
		struct y_item *r = p->right;

		if (!y_item_deleted(r)) {
			const struct jsval *v;

			if (!is_format(r))
				break;
			v = attrs_get(negated, FMT_KEY(r));
			if (!v || !equal_attrs(*v, format_val(r)))
				break;
			attrs_del(negated, FMT_KEY(r));
		}
		pos_forward(p);
	}
	for (i = 0; i < negated->n; i++) {
		r = insert_format(txn, t, p, negated->v[i].key,
				  negated->v[i].key_len, negated->v[i].val);
		if (r < 0)
			return r;
	}
	return 0;
}

/* insertText; attrs (a JS object) is extended with nulls as in yjs. */
static int insert_text(struct y_txn *txn, struct y_type *t, struct pos *p,
		       const struct text_value *v, struct attrs *attrs)
{
	struct attrs negated;
	size_t i;
	int r;

	for (i = 0; i < p->attrs.n; i++)
		if (!attrs_get(attrs, p->attrs.v[i].key, p->attrs.v[i].key_len))
			attrs_set(attrs, p->attrs.v[i].key,
				  p->attrs.v[i].key_len, js_null);
	minimize_attribute_changes(p, attrs);
	attrs_init(&negated, false);
	r = insert_attributes(txn, t, p, attrs, &negated);
	if (r == 0)
		r = insert_value(txn, t, p, v);
	if (r == 0 && negated.n)
		r = insert_negated_attributes(txn, t, p, &negated);
	if (r == 0 && (negated.oom || attrs->oom))
		r = -ENOMEM;
	attrs_release(&negated);
	return r;
}

static int format_text(struct y_txn *txn, struct y_type *t, struct pos *p,
		       uint64_t length, const struct attrs *attrs)
{
	struct attrs negated;
	int r;

	minimize_attribute_changes(p, attrs);
	attrs_init(&negated, false);
	r = insert_attributes(txn, t, p, attrs, &negated);
	if (r < 0)
		goto out;
	while (p->right &&
	       (length > 0 || (negated.n > 0 && (y_item_deleted(p->right) ||
						 is_format(p->right))))) {
		struct y_item *it = p->right;

		if (!y_item_deleted(it)) {
			if (is_format(it)) {
				struct jsval val = format_val(it);
				const struct jsval *a =
					attrs_get(attrs, FMT_KEY(it));

				if (a) {
					if (equal_attrs(*a, val)) {
						attrs_del(&negated,
							  FMT_KEY(it));
					} else {
						if (length == 0)
							break;
						attrs_set(&negated, FMT_KEY(it),
							  val);
					}
					y_item_delete(txn, it);
				} else {
					attrs_set(&p->attrs, FMT_KEY(it), val);
				}
			} else {
				if (length < it->len) {
					r = split_at(txn, it, length);
					if (r < 0)
						goto out;
				}
				length -= it->len;
			}
		}
		pos_forward(p);
	}
	if (length > 0) {
		/* Quill's trailing newline convention (formatting past the
		 * end inserts newlines). */
		struct y_content c;
		char *nl = malloc(length);

		if (!nl) {
			r = -ENOMEM;
			goto out;
		}
		memset(nl, '\n', length);
		r = content_string(&c, nl, length);
		free(nl);
		if (r == 0)
			r = insert_item(txn, t, p, &c, length);
		if (r < 0)
			goto out;
	}
	r = insert_negated_attributes(txn, t, p, &negated);
	if (r == 0 && (negated.oom || p->attrs.oom))
		r = -ENOMEM;
out:
	attrs_release(&negated);
	return r;
}

/*
 * cleanupFormattingGap: deletes the Format items between start and the
 * next content item that are overwritten later in the gap or that set what
 * was already set before it.  === is js_eq (identity for objects: the
 * idents of the JS references, spec 10.6).
 */
static void cleanup_formatting_gap(struct y_txn *txn, struct y_item *start,
				   struct y_item *curr,
				   const struct attrs *start_attrs,
				   struct attrs *cur_attrs)
{
	struct attrs end_formats; /* key -> the last Format's value pointer,
				   * standing for the item itself */
	struct y_item *end = start;
	bool reached = false;

	attrs_init(&end_formats, false);
	while (end && (!y_item_countable(end) || y_item_deleted(end))) {
		if (is_live_format(end))
			attrs_set(&end_formats, FMT_KEY(end),
				  (struct jsval){ end->content.format->val,
						  0 });
		end = end->right;
	}
	for (; start && start != end; start = start->right) {
		const struct jsval *ef;
		struct jsval val, sv;

		if (start == curr)
			reached = true;
		if (!is_live_format(start))
			continue;
		val = format_val(start);
		sv = attrs_get_or_null(start_attrs, FMT_KEY(start));
		ef = attrs_get(&end_formats, FMT_KEY(start));
		if (!ef || ef->v != start->content.format->val ||
		    js_eq(sv, val)) {
			y_item_delete(txn, start);
			if (!reached &&
			    js_eq(attrs_get_or_null(cur_attrs, FMT_KEY(start)),
				  val) &&
			    !js_eq(sv, val)) {
				if (sv.v->kind == Y_ANY_NULL)
					attrs_del(cur_attrs, FMT_KEY(start));
				else
					attrs_set(cur_attrs, FMT_KEY(start),
						  sv);
			}
		}
		if (!reached && !y_item_deleted(start))
			apply_format(cur_attrs, start);
	}
	attrs_release(&end_formats);
}

/* cleanupContextlessFormattingGap: keeps only the rightmost Format per key
 * in the gap around item. */
static void cleanup_contextless_gap(struct y_txn *txn, struct y_item *item)
{
	struct attrs seen;

	attrs_init(&seen, false);
	while (item && item->right &&
	       (y_item_deleted(item->right) || !y_item_countable(item->right)))
		item = item->right;
	while (item && (y_item_deleted(item) || !y_item_countable(item))) {
		if (is_live_format(item)) {
			if (attrs_get(&seen, FMT_KEY(item)))
				y_item_delete(txn, item);
			else
				attrs_set(&seen, FMT_KEY(item), js_null);
		}
		item = item->left;
	}
	attrs_release(&seen);
}

/* cleanupYTextFormatting: every gap of the whole type. */
static int cleanup_text_formatting(struct y_txn *txn, struct y_type *t)
{
	struct attrs start_attrs, cur;
	struct y_item *start = t->start, *end;
	int r = 0;

	attrs_init(&start_attrs, false);
	attrs_init(&cur, false);
	for (end = t->start; end; end = end->right) {
		if (y_item_deleted(end))
			continue;
		if (is_format(end)) {
			apply_format(&cur, end);
		} else {
			cleanup_formatting_gap(txn, start, end, &start_attrs,
					       &cur);
			attrs_copy(&start_attrs, &cur);
			start = end;
		}
	}
	if (start_attrs.oom || cur.oom)
		r = -ENOMEM;
	attrs_release(&start_attrs);
	attrs_release(&cur);
	return r;
}

/* deleteText */
static int delete_text(struct y_txn *txn, struct y_type *t, struct pos *p,
		       uint64_t length)
{
	bool t_has_formatting = t->has_formatting;
	struct attrs start_attrs;
	struct y_item *start = p->right;
	int r = 0;

	attrs_init(&start_attrs, false);
	attrs_copy(&start_attrs, &p->attrs);
	while (length > 0 && p->right) {
		struct y_item *it = p->right;

		if (!y_item_deleted(it) &&
		    (it->content.kind == Y_CONTENT_STRING ||
		     it->content.kind == Y_CONTENT_EMBED ||
		     it->content.kind == Y_CONTENT_TYPE)) {
			if (length < it->len) {
				r = split_at(txn, it, length);
				if (r < 0)
					goto out;
			}
			length -= it->len;
			y_item_delete(txn, it);
		}
		pos_forward(p);
	}
	/* The cleanup only ever deletes live Format items: a text that never
	 * had one can skip its walk over the tombstones around the gap. */
	if (start && t_has_formatting)
		cleanup_formatting_gap(txn, start, p->right, &start_attrs,
				       &p->attrs);
	if (start_attrs.oom || p->attrs.oom)
		r = -ENOMEM;
out:
	attrs_release(&start_attrs);
	return r;
}

/* ---- public editing API ------------------------------------------------ */

static bool text_ok(const struct y_type *t)
{
	return t && (t->kind == Y_TEXT || t->kind == Y_XML_TEXT) && !t->dead;
}

static bool attrs_arg_ok(const struct y_any *attrs)
{
	return !attrs || attrs->kind == Y_ANY_OBJECT ||
	       attrs->kind == Y_ANY_UNDEFINED || attrs->kind == Y_ANY_NULL;
}

static int txn_end(struct y_doc *doc, int r)
{
	int r2 = y_txn_end(doc);

	return r < 0 ? r : r2;
}

/* insert / insertEmbed; inherit: attrs NULL takes the formatting at the
 * position (only insert does that). */
static int text_insert(struct y_type *text, uint64_t index,
		       const struct text_value *v, const struct y_any *attrs,
		       bool inherit)
{
	struct attrs a;
	struct y_txn *txn;
	struct pos p;
	int r;

	r = y_txn_begin(&txn, text->doc, true, NULL);
	if (r < 0)
		return r;
	attrs_init(&a, true);
	r = find_position(txn, text, index, &p);
	y_types_cache_set(text, NULL, 0);
	if (r < 0)
		goto out;
	if (!attrs && inherit)
		attrs_copy(&a, &p.attrs);
	else
		attrs_from_object(&a, text->doc, attrs);
	r = insert_text(txn, text, &p, v, &a);
	if (r == 0)
		cache_from_pos(text, &p);
out:
	attrs_release(&a);
	attrs_release(&p.attrs);
	return txn_end(text->doc, r);
}

int y_text_insert(struct y_type *text, uint64_t index, const char *utf8,
		  size_t len, const struct y_any *attrs)
{
	struct text_value v = { utf8, len, NULL };

	if (!text_ok(text) || (!utf8 && len) || !attrs_arg_ok(attrs))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!y_utf8_valid(utf8, len))
		return -EINVAL;
	if (index > text->length)
		return -ERANGE;
	if (attrs && attrs->kind != Y_ANY_OBJECT)
		attrs = NULL;
	return text_insert(text, index, &v, attrs, true);
}

int y_text_insert_embed(struct y_type *text, uint64_t index,
			const struct y_any *embed, const struct y_any *attrs)
{
	struct text_value v = { NULL, 0, embed };

	if (!text_ok(text) || !embed || embed->kind == Y_ANY_UNDEFINED ||
	    !attrs_arg_ok(attrs))
		return -EINVAL;
	if (index > text->length)
		return -ERANGE;
	return text_insert(text, index, &v, attrs, false);
}

int y_text_delete(struct y_type *text, uint64_t index, uint64_t len)
{
	struct y_txn *txn;
	struct pos p;
	int r;

	if (!text_ok(text))
		return -EINVAL;
	if (len == 0 || index >= text->length)
		return 0;
	r = y_txn_begin(&txn, text->doc, true, NULL);
	if (r < 0)
		return r;
	r = find_position(txn, text, index, &p);
	y_types_cache_set(text, NULL, 0);
	if (r == 0)
		r = delete_text(txn, text, &p, len);
	if (r == 0)
		cache_from_pos(text, &p);
	attrs_release(&p.attrs);
	return txn_end(text->doc, r);
}

int y_text_format(struct y_type *text, uint64_t index, uint64_t len,
		  const struct y_any *attrs)
{
	struct attrs a;
	struct y_txn *txn;
	struct pos p;
	int r;

	if (!text_ok(text) || !attrs || attrs->kind != Y_ANY_OBJECT)
		return -EINVAL;
	/* Past the end yjs appends that many newlines: bound the damage. */
	if (len > text->length + (1u << 20))
		return -ERANGE;
	if (len == 0)
		return 0;
	r = y_txn_begin(&txn, text->doc, true, NULL);
	if (r < 0)
		return r;
	attrs_init(&a, true);
	attrs_from_object(&a, text->doc, attrs);
	r = find_position(txn, text, index, &p);
	y_types_cache_set(text, NULL, 0);
	if (r == 0 && p.right)
		r = format_text(txn, text, &p, len, &a);
	if (r == 0 && a.oom)
		r = -ENOMEM;
	if (r == 0)
		cache_from_pos(text, &p);
	attrs_release(&a);
	attrs_release(&p.attrs);
	return txn_end(text->doc, r);
}

static bool delta_ok(const struct y_delta_op *ops, size_t n)
{
	size_t i;

	if (n && !ops)
		return false;
	for (i = 0; i < n; i++) {
		const struct y_delta_op *op = &ops[i];

		if (op->type || !attrs_arg_ok(&op->attrs))
			return false;
		switch (op->kind) {
		case Y_DELTA_INSERT:
			if (op->insert.kind == Y_ANY_UNDEFINED)
				return false;
			if (op->insert.kind == Y_ANY_STRING &&
			    !y_utf8_valid(op->insert.str.ptr,
					  op->insert.str.len))
				return false;
			break;
		case Y_DELTA_RETAIN:
			if (op->len > (1u << 30))
				return false;
			break;
		case Y_DELTA_DELETE:
			break;
		default:
			return false;
		}
	}
	return true;
}

/* applyDelta (sanitize = true): no attribute inheritance. */
int y_text_apply_delta(struct y_type *text, const struct y_delta_op *ops,
		       size_t n)
{
	struct y_txn *txn;
	struct pos p;
	size_t i;
	int r;

	if (!text_ok(text) || !delta_ok(ops, n))
		return -EINVAL;
	r = y_txn_begin(&txn, text->doc, true, NULL);
	if (r < 0)
		return r;
	y_types_cache_set(text, NULL, 0);
	attrs_init(&p.attrs, false);
	p.left = NULL;
	p.right = text->start;
	p.index = 0;
	for (i = 0; i < n && r == 0; i++) {
		const struct y_delta_op *op = &ops[i];
		struct attrs a;

		attrs_init(&a, true);
		attrs_from_object(&a, text->doc, &op->attrs);
		switch (op->kind) {
		case Y_DELTA_INSERT:
			if (op->insert.kind == Y_ANY_STRING) {
				struct text_value v = { op->insert.str.ptr,
							op->insert.str.len,
							NULL };

				if (v.len > 0)
					r = insert_text(txn, text, &p, &v, &a);
			} else {
				struct text_value v = { NULL, 0, &op->insert };

				r = insert_text(txn, text, &p, &v, &a);
			}
			break;
		case Y_DELTA_RETAIN:
			r = format_text(txn, text, &p, op->len, &a);
			break;
		case Y_DELTA_DELETE:
			r = delete_text(txn, text, &p, op->len);
			break;
		}
		if (r == 0 && a.oom)
			r = -ENOMEM;
		attrs_release(&a);
	}
	if (r == 0)
		cache_from_pos(text, &p);
	attrs_release(&p.attrs);
	return txn_end(text->doc, r);
}

/* ---- formatting cleanup after remote transactions (spec 10.6) ---------- */

struct type_set {
	struct y_type **v;
	size_t n;
	size_t cap;
};

static bool type_set_has(const struct type_set *s, const struct y_type *t)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == t)
			return true;
	return false;
}

static int type_set_add(struct type_set *s, struct y_type *t)
{
	if (type_set_has(s, t))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct y_type **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = t;
	return 0;
}

static struct y_type *item_parent(const struct y_item *i)
{
	if (i->kind != Y_STRUCT_ITEM || i->parent_kind != Y_PARENT_TYPE)
		return NULL;
	return i->parent.type;
}

/*
 * The body of yjs cleanupYTextAfterTransaction, run by the commit of the
 * remote transaction `remote` (spec 7.4 step 4).  Splits go to remote's
 * merge list; deletions to a new local transaction, which the engine
 * commits after remote.
 */
int y_text_cleanup_after_remote(struct y_txn *remote)
{
	struct y_doc *doc = remote->doc;
	struct type_set full = { NULL, 0, 0 };
	struct y_txn *t2;
	size_t i, k, j;
	int r = 0, r2;

	/* Types that got a new live Format item need a full cleanup. */
	for (i = 0; i < remote->after_state.cap; i++) {
		uint64_t client = remote->after_state.keys[i];
		uint64_t after = remote->after_state.vals[i], before = 0;
		struct y_client_structs *cs;

		if (client == Y_U64MAP_EMPTY)
			continue;
		y_u64map_get(&remote->before_state, client, &before);
		if (after <= before)
			continue;
		cs = y_store_client(&doc->store, client);
		if (!cs || !cs->n)
			continue;
		for (j = y_store_find_index(cs, before); j < cs->n; j++) {
			struct y_item *it = cs->items[j];

			if (it->kind == Y_STRUCT_ITEM && is_live_format(it) &&
			    item_parent(it)) {
				r = type_set_add(&full, item_parent(it));
				if (r < 0)
					goto out;
			}
		}
	}

	r = y_txn_begin(&t2, doc, true, NULL);
	if (r < 0)
		goto out;
	for (i = 0; i < remote->ds.n && r == 0; i++) {
		struct y_ds_client *dc = &remote->ds.clients[i];
		struct y_client_structs *cs =
			y_store_client(&doc->store, dc->client);

		if (!cs)
			continue;
		for (k = 0; k < dc->n && r == 0; k++) {
			uint64_t clock = dc->ranges[k].clock;
			uint64_t end = clock + dc->ranges[k].len;
			struct y_id id = { dc->client, clock };

			if (dc->ranges[k].len == 0 ||
			    clock >= y_store_state(&doc->store, dc->client))
				continue;
			/* iterateDeletedStructs: clean splits at the range
			 * boundaries, in the remote transaction. */
			if (!y_store_clean_start(remote, id)) {
				r = -ENOMEM;
				break;
			}
			j = y_store_find_index(cs, clock);
			while (j < cs->n && cs->items[j]->id.clock < end) {
				struct y_item *it = cs->items[j++];
				struct y_type *pt;

				if (end < it->id.clock + it->len) {
					struct y_id e = { dc->client, end };

					if (!y_store_clean_start(remote, e)) {
						r = -ENOMEM;
						break;
					}
				}
				pt = item_parent(it);
				if (!pt || !pt->has_formatting ||
				    type_set_has(&full, pt))
					continue;
				if (is_format(it))
					r = type_set_add(&full, pt);
				else
					cleanup_contextless_gap(t2, it);
			}
		}
	}
	for (i = 0; i < full.n && r == 0; i++)
		r = cleanup_text_formatting(t2, full.v[i]);
	r2 = y_txn_end(doc);
	if (r == 0)
		r = r2;
out:
	free(full.v);
	return r;
}

/* ---- reading ------------------------------------------------------------ */

int y_text_string(char **out, size_t *out_len, struct y_type *text)
{
	struct y_buf b;
	struct y_item *n;
	size_t len;
	int r;

	if (!out || !text)
		return -EINVAL;
	y_buf_init(&b);
	for (n = text->start; n; n = n->right)
		if (!y_item_deleted(n) && n->content.kind == Y_CONTENT_STRING)
			y_buf_put_bytes(&b, y_content_str(&n->content),
					n->content.str.len);
	r = y_buf_steal((uint8_t **)out, &len, &b);
	if (r == 0 && out_len)
		*out_len = len;
	return r;
}

struct delta_builder {
	struct y_delta_op *ops;
	size_t n;
	size_t cap;
	int err;
};

static struct y_delta_op *delta_push(struct delta_builder *d,
				     const struct attrs *attrs)
{
	struct y_delta_op *op;
	size_t i;

	if (d->err)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct y_delta_op *v = realloc(d->ops, cap * sizeof(*v));

		if (!v) {
			d->err = -ENOMEM;
			return NULL;
		}
		d->ops = v;
		d->cap = cap;
	}
	op = &d->ops[d->n];
	memset(op, 0, sizeof(*op));
	op->kind = Y_DELTA_INSERT;
	y_any_init_undefined(&op->insert);
	y_any_init_undefined(&op->attrs);
	if (attrs->n) {
		y_any_init_object(&op->attrs);
		for (i = 0; i < attrs->n && !d->err; i++)
			d->err = y_any_object_set(&op->attrs, attrs->v[i].key,
						  attrs->v[i].key_len,
						  attrs->v[i].val.v);
	}
	d->n++; /* even on error, so that y_delta_free frees it */
	return d->err ? NULL : op;
}

static void delta_flush(struct delta_builder *d, struct y_buf *str,
			const struct attrs *attrs)
{
	struct y_delta_op *op;

	if (!str->len)
		return;
	op = delta_push(d, attrs);
	if (op) {
		d->err = y_buf_error(str);
		if (!d->err)
			d->err = y_any_init_string(
				&op->insert, (const char *)str->data, str->len);
		if (!d->err)
			op->len =
				y_utf16_len((const char *)str->data, str->len);
	}
	str->len = 0;
}

int y_text_delta(struct y_delta_op **out, size_t *n, struct y_type *text)
{
	struct delta_builder d = { NULL, 0, 0, 0 };
	struct attrs attrs;
	struct y_buf str;
	struct y_item *it;
	struct y_delta_op *op;

	if (!out || !n || !text)
		return -EINVAL;
	attrs_init(&attrs, false);
	y_buf_init(&str);
	for (it = text->start; it && !d.err; it = it->right) {
		if (y_item_deleted(it))
			continue;
		switch (it->content.kind) {
		case Y_CONTENT_STRING:
			y_buf_put_bytes(&str, y_content_str(&it->content),
					it->content.str.len);
			break;
		case Y_CONTENT_EMBED:
			delta_flush(&d, &str, &attrs);
			op = delta_push(&d, &attrs);
			if (op)
				d.err = y_any_copy(&op->insert,
						   it->content.val);
			if (op)
				op->len = 1;
			break;
		case Y_CONTENT_TYPE:
			delta_flush(&d, &str, &attrs);
			op = delta_push(&d, &attrs);
			if (op) {
				op->type = it->content.type;
				op->len = 1;
			}
			break;
		case Y_CONTENT_FORMAT:
			delta_flush(&d, &str, &attrs);
			apply_format(&attrs, it);
			break;
		default:
			break;
		}
	}
	delta_flush(&d, &str, &attrs);
	if (!d.err && attrs.oom)
		d.err = -ENOMEM;
	y_buf_release(&str);
	attrs_release(&attrs);
	if (d.err) {
		y_delta_free(d.ops, d.n);
		return d.err;
	}
	*out = d.ops;
	*n = d.n;
	return 0;
}

void y_delta_free(struct y_delta_op *ops, size_t n)
{
	size_t i;

	if (!ops)
		return;
	for (i = 0; i < n; i++) {
		y_any_clear(&ops[i].insert);
		y_any_clear(&ops[i].attrs);
	}
	free(ops);
}
