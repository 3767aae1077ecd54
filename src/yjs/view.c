/* SPDX-License-Identifier: MIT */
/*
 * view.c - read views of shared types (spec/yjs.md 9.2-9.6, 9.8): toJSON
 * of every type kind serialised as JSON.stringify would, doc.toJSON, and
 * the toString of texts and XML types with all of JavaScript's ToString
 * quirks.  Walks the branch structures of core.h directly (list: start ->
 * right, visible = not deleted and countable; map: keymap in this
 * replica's insertion order, value = last value of the newest item) and
 * renders XmlText through y_text_delta (text.c).
 *
 * Deviations from JS, all where JS would throw or lose data: bigint
 * renders as a plain integer, `null`/`undefined` list children of XML
 * types render as "null"/"undefined", nesting deeper than
 * VIEW_MAX_DEPTH gives -ELOOP instead of a stack overflow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define VIEW_MAX_DEPTH 2048

static int put_type_json(struct y_buf *b, struct y_type *t, unsigned depth);
static int put_type_string(struct y_buf *b, struct y_type *t, unsigned depth);

static bool item_visible(const struct y_item *it)
{
	return !y_item_deleted(it) && y_item_countable(it);
}

/* ---- UTF-16 helpers ------------------------------------------------------- */

/* Decodes the code point at s[*i] (valid UTF-8) and advances *i. */
static uint32_t next_cp(const char *str, size_t len, size_t *i)
{
	const uint8_t *s = (const uint8_t *)str;
	uint32_t c = s[*i];
	size_t n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xf0) {
		c &= 0x07;
		n = 3;
	} else if (c >= 0xe0) {
		c &= 0x0f;
		n = 2;
	} else {
		c &= 0x1f;
		n = 1;
	}
	for (k = 1; k <= n && *i + k < len; k++)
		c = (c << 6) | (s[*i + k] & 0x3f);
	*i += n + 1;
	return c;
}

/*
 * A lone UTF-16 surrogate, where JS would hold one in a string, written as
 * WTF-8 (ED A0..BF xx).  y_json_put_string escapes these as \udxxx like
 * JSON.stringify; y_type_to_string turns them into U+FFFD, as TextEncoder
 * would.
 */
static void wtf8_unit(char out[3], uint32_t u)
{
	out[0] = (char)(0xe0 | (u >> 12));
	out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[2] = (char)(0x80 | (u & 0x3f));
}

static void wtf8_to_utf8(uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i++) {
		if (s[i] == 0xed && (s[i + 1] & 0xe0) == 0xa0) {
			s[i] = 0xef;
			s[i + 1] = 0xbf;
			s[i + 2] = 0xbd;
			i += 2;
		}
	}
}

/*
 * JS string comparison (UTF-16 code unit order, as Array.prototype.sort and
 * `<` compare strings).  It differs from UTF-8 byte order only between
 * supplementary code points and U+E000..U+FFFF: compare the first units,
 * and code points that share a high surrogate compare as code points.
 */
static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;

	while (i < al && j < bl) {
		uint32_t x = next_cp(a, al, &i), y = next_cp(b, bl, &j);
		uint32_t hx = x, hy = y;

		if (x == y)
			continue;
		if (x >= 0x10000)
			hx = 0xd800 + ((x - 0x10000) >> 10);
		if (y >= 0x10000)
			hy = 0xd800 + ((y - 0x10000) >> 10);
		if (hx != hy)
			return hx < hy ? -1 : 1;
		return x < y ? -1 : 1;
	}
	if (i < al)
		return 1;
	if (j < bl)
		return -1;
	return 0;
}

/* One JS string element per UTF-16 unit, as String content's getContent()
 * splits it; a lone surrogate half is escaped as JSON.stringify does. */
static void put_json_units(struct y_buf *b, const char *s, size_t len,
			   bool *first)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		uint32_t cp = next_cp(s, len, &i);

		if (!*first)
			y_buf_put_u8(b, ',');
		*first = false;
		if (cp >= 0x10000) {
			y_buf_printf(b, "\"\\u%04x\",\"\\u%04x\"",
				     0xd800 + ((cp - 0x10000) >> 10),
				     0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else {
			y_json_put_string(b, s + start, i - start);
		}
	}
}

/* The last UTF-16 unit of a string, for map values of String content. */
static void put_last_unit(struct y_buf *b, const char *s, size_t len, bool json)
{
	size_t i = 0, last = 0;
	uint32_t cp = 0;

	while (i < len) {
		last = i;
		cp = next_cp(s, len, &i);
	}
	if (!len) {
		y_buf_put_str(b, json ? "null" : "undefined");
	} else if (cp >= 0x10000) {
		char w[3];

		/* a lone low surrogate in JS */
		wtf8_unit(w, 0xdc00 + ((cp - 0x10000) & 0x3ff));
		if (json)
			y_json_put_string(b, w, 3);
		else
			y_buf_put_bytes(b, w, 3);
	} else if (json) {
		y_json_put_string(b, s + last, len - last);
	} else {
		y_buf_put_bytes(b, s + last, len - last);
	}
}

/* ---- JS property order of plain objects built from maps ------------------- */

struct key_ref {
	const char *key;
	size_t len;
	void *val;
	size_t pos;
	uint32_t idx;
	bool is_index;
};

static int ref_cmp_js(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;

	return y_js_key_order(x->is_index, x->idx, x->pos, y->is_index, y->idx,
			      y->pos);
}

static int ref_cmp_sorted(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;

	return key_cmp(x->key, x->len, y->key, y->len);
}

/*
 * The keys a JS object built by `obj[key] = value` over the map would have,
 * in JS property order (or sorted when `sorted`); "__proto__" never
 * becomes an own property.  For a branch map, only visible values.
 */
static int map_refs(struct key_ref **out, size_t *n, const struct y_keymap *m,
		    bool items, bool sorted)
{
	struct key_ref *refs;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!m->n)
		return 0;
	refs = calloc(m->n, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < m->n; i++) {
		const struct y_keymap_entry *e = &m->entries[i];

		if (!e->val || y_js_is_proto(y_keymap_key(e), e->key_len))
			continue;
		if (items && y_item_deleted((struct y_item *)e->val))
			continue;
		refs[k].key = y_keymap_key(e);
		refs[k].len = e->key_len;
		refs[k].val = e->val;
		refs[k].pos = i;
		refs[k].is_index =
			y_js_index_key(refs[k].key, e->key_len, &refs[k].idx);
		k++;
	}
	qsort(refs, k, sizeof(*refs), sorted ? ref_cmp_sorted : ref_cmp_js);
	*out = refs;
	*n = k;
	return 0;
}

/* ---- values of items -------------------------------------------------------- */

/* JSON of the map value held by item (its last value); returns 1 when the
 * value is undefined (the key is omitted), 0 when written, or an error. */
static int put_map_value_json(struct y_buf *b, struct y_item *it,
			      unsigned depth)
{
	struct y_content *c = &it->content;

	switch (c->kind) {
	case Y_CONTENT_ANY:
	case Y_CONTENT_JSON:
		if (!c->list.n ||
		    c->list.vals[c->list.n - 1].kind == Y_ANY_UNDEFINED)
			return 1;
		y_json_put(b, &c->list.vals[c->list.n - 1]);
		return 0;
	case Y_CONTENT_BINARY:
	case Y_CONTENT_EMBED:
		if (!c->val || c->val->kind == Y_ANY_UNDEFINED)
			return 1;
		y_json_put(b, c->val);
		return 0;
	case Y_CONTENT_STRING:
		if (!c->str.len)
			return 1;
		put_last_unit(b, y_content_str(c), c->str.len, true);
		return 0;
	case Y_CONTENT_TYPE:
		return put_type_json(b, c->type, depth + 1);
	case Y_CONTENT_DOC:
		y_buf_put_str(b, "{}");
		return 0;
	default:
		return 1; /* Deleted / Format content: undefined */
	}
}

/* JS String() of the map value held by item. */
static int put_map_value_string(struct y_buf *b, struct y_item *it,
				unsigned depth)
{
	struct y_content *c = &it->content;

	switch (c->kind) {
	case Y_CONTENT_ANY:
	case Y_CONTENT_JSON:
		if (!c->list.n) {
			y_buf_put_str(b, "undefined");
			return 0;
		}
		y_js_put_to_string(b, &c->list.vals[c->list.n - 1]);
		return 0;
	case Y_CONTENT_BINARY:
	case Y_CONTENT_EMBED:
		if (c->val)
			y_js_put_to_string(b, c->val);
		else
			y_buf_put_str(b, "undefined");
		return 0;
	case Y_CONTENT_STRING:
		put_last_unit(b, y_content_str(c), c->str.len, false);
		return 0;
	case Y_CONTENT_TYPE:
		return put_type_string(b, c->type, depth + 1);
	case Y_CONTENT_DOC:
		y_buf_put_str(b, "[object Object]");
		return 0;
	default:
		y_buf_put_str(b, "undefined");
		return 0;
	}
}

/* ---- toJSON ------------------------------------------------------------------ */

static int put_array_json(struct y_buf *b, struct y_type *t, unsigned depth)
{
	struct y_item *it;
	bool first = true;
	size_t i;
	int ret;

	y_buf_put_u8(b, '[');
	for (it = t->start; it; it = it->right) {
		struct y_content *c = &it->content;

		if (!item_visible(it))
			continue;
		switch (c->kind) {
		case Y_CONTENT_ANY:
		case Y_CONTENT_JSON:
			for (i = 0; i < c->list.n; i++) {
				if (!first)
					y_buf_put_u8(b, ',');
				first = false;
				if (c->list.vals[i].kind == Y_ANY_UNDEFINED)
					y_buf_put_str(b, "null");
				else
					y_json_put(b, &c->list.vals[i]);
			}
			break;
		case Y_CONTENT_STRING:
			put_json_units(b, y_content_str(c), c->str.len, &first);
			break;
		default:
			if (!first)
				y_buf_put_u8(b, ',');
			first = false;
			if (c->kind == Y_CONTENT_TYPE) {
				ret = put_type_json(b, c->type, depth + 1);
				if (ret < 0)
					return ret;
				if (ret)
					y_buf_put_str(b, "null");
			} else if (c->kind == Y_CONTENT_DOC) {
				y_buf_put_str(b, "{}");
			} else if (c->val && c->val->kind != Y_ANY_UNDEFINED) {
				y_json_put(b, c->val);
			} else {
				y_buf_put_str(b, "null");
			}
			break;
		}
	}
	y_buf_put_u8(b, ']');
	return 0;
}

static int put_map_json(struct y_buf *b, struct y_type *t, unsigned depth)
{
	struct key_ref *refs;
	struct y_buf vb;
	bool first = true;
	size_t n, i;
	int ret;

	ret = map_refs(&refs, &n, &t->map, true, false);
	if (ret)
		return ret;
	y_buf_init(&vb);
	y_buf_put_u8(b, '{');
	for (i = 0; i < n; i++) {
		/* render into vb first: an undefined value drops the key */
		vb.len = 0;
		ret = put_map_value_json(&vb, refs[i].val, depth);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (!first)
			y_buf_put_u8(b, ',');
		first = false;
		y_json_put_string(b, refs[i].key, refs[i].len);
		y_buf_put_u8(b, ':');
		y_buf_put_bytes(b, vb.data, vb.len);
	}
	y_buf_put_u8(b, '}');
	ret = y_buf_error(&vb);
out:
	y_buf_release(&vb);
	free(refs);
	return ret;
}

static void put_text_plain(struct y_buf *b, struct y_type *t)
{
	struct y_item *it;

	for (it = t->start; it; it = it->right) {
		if (item_visible(it) && it->content.kind == Y_CONTENT_STRING)
			y_buf_put_bytes(b, y_content_str(&it->content),
					it->content.str.len);
	}
}

/* Returns 1 (nothing written) for types whose toJSON is undefined. */
static int put_type_json(struct y_buf *b, struct y_type *t, unsigned depth)
{
	struct y_buf sb;
	int ret;

	if (depth > VIEW_MAX_DEPTH)
		return -ELOOP;
	switch (t->kind) {
	case Y_ARRAY:
		return put_array_json(b, t, depth);
	case Y_MAP:
	case Y_XML_HOOK:
		return put_map_json(b, t, depth);
	case Y_TEXT:
	case Y_XML_ELEMENT:
	case Y_XML_FRAGMENT:
	case Y_XML_TEXT:
		y_buf_init(&sb);
		ret = put_type_string(&sb, t, depth);
		if (!ret)
			ret = y_buf_error(&sb);
		if (!ret)
			y_json_put_string(b, (const char *)sb.data, sb.len);
		y_buf_release(&sb);
		return ret;
	default:
		return 1;
	}
}

/* ---- toString -------------------------------------------------------------- */

/* XmlFragment/XmlElement children: each visible value's toString(). */
static int put_children_string(struct y_buf *b, struct y_type *t,
			       unsigned depth)
{
	struct y_item *it;
	size_t i;
	int ret;

	for (it = t->start; it; it = it->right) {
		struct y_content *c = &it->content;

		if (!item_visible(it))
			continue;
		switch (c->kind) {
		case Y_CONTENT_ANY:
		case Y_CONTENT_JSON:
			for (i = 0; i < c->list.n; i++)
				y_js_put_to_string(b, &c->list.vals[i]);
			break;
		case Y_CONTENT_STRING:
			y_buf_put_bytes(b, y_content_str(c), c->str.len);
			break;
		case Y_CONTENT_TYPE:
			ret = put_type_string(b, c->type, depth + 1);
			if (ret)
				return ret;
			break;
		case Y_CONTENT_DOC:
			y_buf_put_str(b, "[object Object]");
			break;
		default:
			if (c->val)
				y_js_put_to_string(b, c->val);
			break;
		}
	}
	return 0;
}

static void put_lower(struct y_buf *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		y_buf_put_u8(b, (uint8_t)c);
	}
}

static int put_element_string(struct y_buf *b, struct y_type *t, unsigned depth)
{
	const char *name = t->name ? t->name : "UNDEFINED";
	struct key_ref *refs;
	size_t n, i;
	int ret;

	ret = map_refs(&refs, &n, &t->map, true, true);
	if (ret)
		return ret;
	y_buf_put_u8(b, '<');
	put_lower(b, name);
	for (i = 0; i < n; i++) {
		y_buf_put_u8(b, ' ');
		y_buf_put_bytes(b, refs[i].key, refs[i].len);
		y_buf_put_str(b, "=\"");
		ret = put_map_value_string(b, refs[i].val, depth);
		if (ret)
			goto out;
		y_buf_put_u8(b, '"');
	}
	y_buf_put_u8(b, '>');
	ret = put_children_string(b, t, depth);
	if (ret)
		goto out;
	y_buf_put_str(b, "</");
	put_lower(b, name);
	y_buf_put_u8(b, '>');
out:
	free(refs);
	return ret;
}

/* One attribute of an XmlText nested tag: key="String(value)". */
struct tag_attr {
	char key[24]; /* index keys; points into `okey` otherwise */
	const char *okey;
	size_t klen;
	const struct y_any *val;
	const char *chr; /* string value: one UTF-16 unit's bytes */
	size_t chr_len;
	char sur[3]; /* ... or a surrogate half in WTF-8 */
	bool has_sur;
	int byte; /* Uint8Array value: the element, else -1 */
};

static int tag_attr_cmp(const void *a, const void *b)
{
	const struct tag_attr *x = a, *y = b;

	return key_cmp(x->okey ? x->okey : x->key, x->klen,
		       y->okey ? y->okey : y->key, y->klen);
}

/* The own enumerable keys of a delta attribute value and their values, as
 * `for (const key in value)` sees them, sorted by key. */
static int tag_attrs(struct tag_attr **out, size_t *n, const struct y_any *v)
{
	struct tag_attr *a = NULL;
	size_t cnt = 0, i, k = 0;

	*out = NULL;
	*n = 0;
	switch (v->kind) {
	case Y_ANY_OBJECT:
		cnt = v->obj.len;
		break;
	case Y_ANY_ARRAY:
		cnt = v->arr.len;
		break;
	case Y_ANY_BYTES:
		cnt = v->bytes.len;
		break;
	case Y_ANY_STRING:
		cnt = (size_t)y_utf16_len(v->str.ptr, v->str.len);
		break;
	default:
		return 0;
	}
	if (!cnt)
		return 0;
	a = calloc(cnt, sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (i = 0; i < cnt; i++)
		a[i].byte = -1;
	if (v->kind == Y_ANY_OBJECT) {
		for (i = 0; i < cnt; i++) {
			a[i].okey = v->obj.entries[i].key;
			a[i].klen = v->obj.entries[i].key_len;
			a[i].val = &v->obj.entries[i].val;
		}
		k = cnt;
	} else if (v->kind == Y_ANY_STRING) {
		size_t p = 0;

		while (p < v->str.len) {
			size_t s = p;
			uint32_t cp = next_cp(v->str.ptr, v->str.len, &p);

			if (cp >= 0x10000) {
				/* each half is a lone surrogate in JS */
				wtf8_unit(a[k].sur,
					  0xd800 + ((cp - 0x10000) >> 10));
				wtf8_unit(a[k + 1].sur,
					  0xdc00 + ((cp - 0x10000) & 0x3ff));
				a[k].has_sur = true;
				a[k + 1].has_sur = true;
				k += 2;
			} else {
				a[k].chr = v->str.ptr + s;
				a[k].chr_len = p - s;
				k++;
			}
		}
		for (i = 0; i < k; i++)
			a[i].klen = (size_t)snprintf(a[i].key, sizeof(a[i].key),
						     "%zu", i);
	} else {
		for (i = 0; i < cnt; i++) {
			a[i].klen = (size_t)snprintf(a[i].key, sizeof(a[i].key),
						     "%zu", i);
			if (v->kind == Y_ANY_ARRAY)
				a[i].val = &v->arr.items[i];
			else
				a[i].byte = v->bytes.ptr[i];
		}
		k = cnt;
	}
	qsort(a, k, sizeof(*a), tag_attr_cmp);
	*out = a;
	*n = k;
	return 0;
}

struct tag {
	const struct y_any_entry *e;
	struct tag_attr *attrs;
	size_t n;
};

static int tag_cmp(const void *a, const void *b)
{
	const struct tag *x = a, *y = b;

	return key_cmp(x->e->key, x->e->key_len, y->e->key, y->e->key_len);
}

static int put_delta_op_string(struct y_buf *b, const struct y_delta_op *op,
			       unsigned depth)
{
	const struct y_any *attrs = &op->attrs;
	struct tag *tags = NULL;
	size_t nt = 0, i, j;
	int ret = 0;

	if (attrs->kind == Y_ANY_OBJECT && attrs->obj.len) {
		tags = calloc(attrs->obj.len, sizeof(*tags));
		if (!tags)
			return -ENOMEM;
		for (i = 0; i < attrs->obj.len; i++) {
			const struct y_any_entry *e = &attrs->obj.entries[i];

			if (y_js_is_proto(e->key, e->key_len))
				continue;
			tags[nt].e = e;
			ret = tag_attrs(&tags[nt].attrs, &tags[nt].n, &e->val);
			nt++;
			if (ret)
				goto out;
		}
		qsort(tags, nt, sizeof(*tags), tag_cmp);
	}
	for (i = 0; i < nt; i++) {
		y_buf_put_u8(b, '<');
		y_buf_put_bytes(b, tags[i].e->key, tags[i].e->key_len);
		for (j = 0; j < tags[i].n; j++) {
			const struct tag_attr *a = &tags[i].attrs[j];

			y_buf_put_u8(b, ' ');
			y_buf_put_bytes(b, a->okey ? a->okey : a->key, a->klen);
			y_buf_put_str(b, "=\"");
			if (a->has_sur)
				y_buf_put_bytes(b, a->sur, 3);
			else if (a->chr)
				y_buf_put_bytes(b, a->chr, a->chr_len);
			else if (a->val)
				y_js_put_to_string(b, a->val);
			else
				y_buf_printf(b, "%d", a->byte);
			y_buf_put_u8(b, '"');
		}
		y_buf_put_u8(b, '>');
	}
	if (op->type) {
		ret = put_type_string(b, op->type, depth + 1);
		if (ret)
			goto out;
	} else {
		y_js_put_to_string(b, &op->insert);
	}
	for (i = nt; i-- > 0;) {
		y_buf_put_str(b, "</");
		y_buf_put_bytes(b, tags[i].e->key, tags[i].e->key_len);
		y_buf_put_u8(b, '>');
	}
out:
	for (i = 0; i < nt; i++)
		free(tags[i].attrs);
	free(tags);
	return ret;
}

static int put_xml_text_string(struct y_buf *b, struct y_type *t,
			       unsigned depth)
{
	struct y_delta_op *ops = NULL;
	size_t n = 0, i;
	int ret;

	ret = y_text_delta(&ops, &n, t);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++)
		ret = put_delta_op_string(b, &ops[i], depth);
	y_delta_free(ops, n);
	return ret;
}

static int put_type_string(struct y_buf *b, struct y_type *t, unsigned depth)
{
	if (depth > VIEW_MAX_DEPTH)
		return -ELOOP;
	switch (t->kind) {
	case Y_TEXT:
		put_text_plain(b, t);
		return 0;
	case Y_XML_TEXT:
		return put_xml_text_string(b, t, depth);
	case Y_XML_ELEMENT:
		return put_element_string(b, t, depth);
	case Y_XML_FRAGMENT:
		return put_children_string(b, t, depth);
	default:
		/* Map, Array, XmlHook: Object.prototype.toString */
		y_buf_put_str(b, "[object Object]");
		return 0;
	}
}

/* ---- public ------------------------------------------------------------------ */

static int finish(char **out, size_t *out_len, struct y_buf *b, int ret)
{
	if (ret) {
		y_buf_release(b);
		return ret;
	}
	return y_buf_steal((uint8_t **)out, out_len, b);
}

int y_type_to_json(char **out, size_t *out_len, struct y_type *t)
{
	struct y_buf b;
	int ret;

	if (!out || !t)
		return -EINVAL;
	if (t->kind < Y_ARRAY || t->kind > Y_XML_TEXT)
		return -EINVAL; /* untyped root: toJSON() is undefined */
	y_buf_init(&b);
	ret = put_type_json(&b, t, 0);
	return finish(out, out_len, &b, ret < 0 ? ret : 0);
}

int y_type_to_string(char **out, size_t *out_len, struct y_type *t)
{
	struct y_buf b;
	int ret;

	if (!out || !t)
		return -EINVAL;
	if (t->kind != Y_TEXT && t->kind != Y_XML_TEXT &&
	    t->kind != Y_XML_ELEMENT && t->kind != Y_XML_FRAGMENT)
		return -EINVAL;
	y_buf_init(&b);
	ret = put_type_string(&b, t, 0);
	if (!ret && !b.oom)
		wtf8_to_utf8(b.data, b.len);
	return finish(out, out_len, &b, ret);
}

int y_doc_to_json(char **out, size_t *out_len, struct y_doc *doc)
{
	struct key_ref *refs;
	struct y_buf b;
	bool first = true;
	size_t n, i;
	int ret;

	if (!out || !doc)
		return -EINVAL;
	/* doc[name] = root.toJSON(): JS property order, undefined omitted */
	ret = map_refs(&refs, &n, &doc->roots, false, false);
	if (ret)
		return ret;
	y_buf_init(&b);
	y_buf_put_u8(&b, '{');
	for (i = 0; i < n; i++) {
		struct y_type *t = refs[i].val;

		if (t->kind < Y_ARRAY || t->kind > Y_XML_TEXT)
			continue;
		if (!first)
			y_buf_put_u8(&b, ',');
		first = false;
		y_json_put_string(&b, refs[i].key, refs[i].len);
		y_buf_put_u8(&b, ':');
		ret = put_type_json(&b, t, 0);
		if (ret < 0)
			break;
		ret = 0;
	}
	y_buf_put_u8(&b, '}');
	free(refs);
	return finish(out, out_len, &b, ret);
}
