/* SPDX-License-Identifier: MIT */
/*
 * document.c - MeshDocument on top of libyjs: the JSON view of a live
 * document (render) and the creation of a document from JSON (build), as
 * specified in spec/document.md §3 and §6.
 *
 * The Yjs structure is exactly the one the TypeScript SDK runtime builds
 * (ServerXmlDocument.createNodes in entrypoint.js): the root type "xml"
 * holds the root element's children and attributes; every other element is
 * an XmlElement named after its tag with a "$id" attribute; a "text"
 * element gets an XmlText child.  A new element's children are integrated
 * before its own attributes, "$id" first (yjs prelim order, spec/yjs.md
 * §10.7, vector V2c), so the updates we produce are byte-identical to the
 * SDK's for the same ids and client id.
 *
 * Rendering is deterministic (DESIGN.md decision 1): attributes in schema
 * declaration order, "$id" first when asked for, the child property last
 * (always present), text nodes in the Python SDK's form
 * {"text": {"delta": [{"insert": ..., "attributes": {...}}]}}.  Whatever the
 * schema does not describe (unknown tags, tags not allowed where they are,
 * unknown attributes, values of the wrong type, loose values) is left out
 * of the render, so that a file always validates as it reads: it is
 * reported by mesh_doc_validate, and since the merge only touches what the
 * render shows, it survives writes untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "docint.h"

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

int mesh_doc_root(struct y_type **out, struct y_doc *doc)
{
	return y_doc_root(out, doc, MESH_DOC_ROOT, Y_XML_ELEMENT);
}

cJSON *mesh_any_to_cjson(const struct y_any *v)
{
	cJSON *o, *c;
	size_t i;

	switch (v->kind) {
	case Y_ANY_UNDEFINED:
	case Y_ANY_NULL:
		return cJSON_CreateNull();
	case Y_ANY_BOOL:
		return cJSON_CreateBool(v->b);
	case Y_ANY_NUMBER:
		return cJSON_CreateNumber(v->num);
	case Y_ANY_BIGINT:
		return cJSON_CreateNumber((double)v->big);
	case Y_ANY_STRING:
		return cJSON_CreateString(v->str.ptr ? v->str.ptr : "");
	case Y_ANY_BYTES:
		o = cJSON_CreateArray();
		for (i = 0; o && i < v->bytes.len; i++) {
			c = cJSON_CreateNumber(v->bytes.ptr[i]);
			if (!c || !cJSON_AddItemToArray(o, c)) {
				cJSON_Delete(c);
				goto fail;
			}
		}
		return o;
	case Y_ANY_ARRAY:
		o = cJSON_CreateArray();
		for (i = 0; o && i < v->arr.len; i++) {
			c = mesh_any_to_cjson(&v->arr.items[i]);
			if (!c || !cJSON_AddItemToArray(o, c)) {
				cJSON_Delete(c);
				goto fail;
			}
		}
		return o;
	case Y_ANY_OBJECT:
		o = cJSON_CreateObject();
		for (i = 0; o && i < v->obj.len; i++) {
			c = mesh_any_to_cjson(&v->obj.entries[i].val);
			if (!c || !cJSON_AddItemToObject(
					  o, v->obj.entries[i].key, c)) {
				cJSON_Delete(c);
				goto fail;
			}
		}
		return o;
	}
	return NULL;
fail:
	cJSON_Delete(o);
	return NULL;
}

int mesh_cjson_to_any(struct y_any *out, const cJSON *v)
{
	struct y_any c;
	const cJSON *m;
	int ret;

	y_any_init_undefined(out);
	if (cJSON_IsNull(v) || !v) {
		y_any_init_null(out);
	} else if (cJSON_IsBool(v)) {
		y_any_init_bool(out, cJSON_IsTrue(v));
	} else if (cJSON_IsNumber(v)) {
		y_any_init_number(out, v->valuedouble);
	} else if (cJSON_IsString(v)) {
		return y_any_init_string(out, v->valuestring,
					 strlen(v->valuestring));
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		if (cJSON_IsArray(v))
			y_any_init_array(out);
		else
			y_any_init_object(out);
		for (m = v->child; m; m = m->next) {
			ret = mesh_cjson_to_any(&c, m);
			if (!ret)
				ret = cJSON_IsArray(v) ?
					      y_any_array_push(out, &c) :
					      y_any_object_set(
						      out, m->string,
						      strlen(m->string), &c);
			y_any_clear(&c);
			if (ret) {
				y_any_clear(out);
				return ret;
			}
		}
	} else {
		y_any_init_null(out);
	}
	return 0;
}

const char *mesh_yel_id(struct y_type *el)
{
	struct y_value v;

	if (y_map_get(&v, el, "$id", 3) || v.kind != Y_VALUE_ANY ||
	    v.any->kind != Y_ANY_STRING)
		return NULL;
	return v.any->str.ptr;
}

bool mesh_json_is_text_node(const struct mesh_schema *s, const cJSON *entry)
{
	const struct mesh_element *te;
	const cJSON *v;

	if (!cJSON_IsObject(entry) || !entry->child || entry->child->next ||
	    strcmp(entry->child->string, MESH_TEXT_TAG))
		return false;
	v = entry->child;
	if (!cJSON_IsObject(v) || !v->child || v->child->next ||
	    strcmp(v->child->string, "delta"))
		return false;
	te = mesh_schema_element(s, MESH_TEXT_TAG);
	return !te || !mesh_element_property(te, "delta");
}

int mesh_uuid4(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t got = 0;
	ssize_t n;
	int i, o = 0;

	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Id sets: open addressing over malloc'd keys                             */
/* ---------------------------------------------------------------------- */

struct mesh_idset {
	char **keys;
	void **vals;
	size_t cap; /* power of two */
	size_t n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct mesh_idset *mesh_idset_new(void)
{
	struct mesh_idset *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->cap = 64;
	set->keys = calloc(set->cap, sizeof(*set->keys));
	set->vals = calloc(set->cap, sizeof(*set->vals));
	if (!set->keys || !set->vals) {
		mesh_idset_free(set);
		return NULL;
	}
	return set;
}

void mesh_idset_free(struct mesh_idset *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; set->keys && i < set->cap; i++)
		free(set->keys[i]);
	free(set->keys);
	free(set->vals);
	free(set);
}

static size_t idset_slot(const struct mesh_idset *set, const char *id)
{
	size_t i = (size_t)str_hash(id) & (set->cap - 1);

	while (set->keys[i] && strcmp(set->keys[i], id))
		i = (i + 1) & (set->cap - 1);
	return i;
}

static int idset_grow(struct mesh_idset *set)
{
	struct mesh_idset big = { .cap = set->cap * 2 };
	size_t i, j;

	big.keys = calloc(big.cap, sizeof(*big.keys));
	big.vals = calloc(big.cap, sizeof(*big.vals));
	if (!big.keys || !big.vals) {
		free(big.keys);
		free(big.vals);
		return -ENOMEM;
	}
	for (i = 0; i < set->cap; i++) {
		if (!set->keys[i])
			continue;
		j = idset_slot(&big, set->keys[i]);
		big.keys[j] = set->keys[i];
		big.vals[j] = set->vals[i];
	}
	free(set->keys);
	free(set->vals);
	set->keys = big.keys;
	set->vals = big.vals;
	set->cap = big.cap;
	return 0;
}

/* 1 = added, 0 = present (value replaced only when replace). */
static int idset_insert(struct mesh_idset *set, const char *id, void *val,
			bool replace)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap && idset_grow(set))
		return -ENOMEM;
	i = idset_slot(set, id);
	if (set->keys[i]) {
		if (replace)
			set->vals[i] = val;
		return 0;
	}
	set->keys[i] = strdup(id);
	if (!set->keys[i])
		return -ENOMEM;
	set->vals[i] = val;
	set->n++;
	return 1;
}

int mesh_idset_add(struct mesh_idset *set, const char *id)
{
	return idset_insert(set, id, NULL, false);
}

int mesh_idset_put(struct mesh_idset *set, const char *id, void *val)
{
	int ret = idset_insert(set, id, val, true);

	return ret < 0 ? ret : 0;
}

bool mesh_idset_has(const struct mesh_idset *set, const char *id)
{
	return set && id && set->keys[idset_slot(set, id)];
}

void *mesh_idset_get(const struct mesh_idset *set, const char *id)
{
	size_t i;

	if (!set || !id)
		return NULL;
	i = idset_slot(set, id);
	return set->keys[i] ? set->vals[i] : NULL;
}

int mesh_doc_index_ids(struct mesh_idset *set, struct y_type *el)
{
	struct y_list_iter it;
	struct y_value v;
	const char *id;
	int ret;

	y_list_iter_init(&it, el);
	while (y_list_iter_next(&it, &v)) {
		if (v.kind != Y_VALUE_TYPE ||
		    y_type_kind(v.type) != Y_XML_ELEMENT)
			continue;
		id = mesh_yel_id(v.type);
		if (id) {
			/* first one wins: do not replace */
			ret = idset_insert(set, id, v.type, false);
			if (ret < 0)
				return ret;
		}
		ret = mesh_doc_index_ids(set, v.type);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Render                                                                  */
/* ---------------------------------------------------------------------- */

static int add_member(cJSON *obj, const char *key, cJSON *v)
{
	if (!v)
		return -ENOMEM;
	if (!cJSON_AddItemToObject(obj, key, v)) {
		cJSON_Delete(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_item(cJSON *arr, cJSON *v)
{
	if (!v)
		return -ENOMEM;
	if (!cJSON_AddItemToArray(arr, v)) {
		cJSON_Delete(v);
		return -ENOMEM;
	}
	return 0;
}

static bool attrs_equal(const struct y_any *a, const struct y_any *b)
{
	bool ea = a->kind != Y_ANY_OBJECT || !a->obj.len;
	bool eb = b->kind != Y_ANY_OBJECT || !b->obj.len;

	if (ea || eb)
		return ea && eb;
	return y_any_equal(a, b);
}

/*
 * {"text": {"delta": [{"insert": ..., "attributes": {...}}, ...]}}.
 * Adjacent string runs with the same formatting are joined: yjs splits runs
 * at every visible format item, even a redundant one (spec/yjs.md §9.4), so
 * the same text could otherwise read differently depending on its edit
 * history.  Joined, the render depends on the content only.
 */
static int render_text(cJSON **out, struct y_type *t)
{
	struct y_delta_op *ops = NULL;
	cJSON *node = NULL, *inner, *delta, *op, *attrs;
	size_t n = 0, i, j, len;
	char *buf = NULL;
	int ret;

	*out = NULL;
	ret = y_text_delta(&ops, &n, t);
	if (ret)
		return ret;
	ret = -ENOMEM;
	node = cJSON_CreateObject();
	inner = cJSON_CreateObject();
	if (!node || add_member(node, MESH_TEXT_TAG, inner))
		goto out;
	delta = cJSON_CreateArray();
	if (add_member(inner, "delta", delta))
		goto out;
	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (ops[i].kind != Y_DELTA_INSERT || ops[i].type)
			continue; /* nested types inside text: not in the model */
		op = cJSON_CreateObject();
		if (add_item(delta, op))
			goto out;
		if (ops[i].insert.kind == Y_ANY_STRING) {
			len = ops[i].insert.str.len;
			while (j < n && ops[j].kind == Y_DELTA_INSERT &&
			       !ops[j].type &&
			       ops[j].insert.kind == Y_ANY_STRING &&
			       attrs_equal(&ops[j].attrs, &ops[i].attrs))
				len += ops[j++].insert.str.len;
			buf = malloc(len + 1);
			if (!buf)
				goto out;
			for (len = 0; i < j; i++) {
				memcpy(buf + len, ops[i].insert.str.ptr,
				       ops[i].insert.str.len);
				len += ops[i].insert.str.len;
			}
			buf[len] = '\0';
			i = j - 1;
			if (add_member(op, "insert", cJSON_CreateString(buf)))
				goto out;
			free(buf);
			buf = NULL;
		} else if (add_member(op, "insert",
				      mesh_any_to_cjson(&ops[i].insert))) {
			goto out;
		}
		attrs = ops[i].attrs.kind == Y_ANY_OBJECT ?
				mesh_any_to_cjson(&ops[i].attrs) :
				cJSON_CreateObject();
		if (add_member(op, "attributes", attrs))
			goto out;
	}
	*out = node;
	node = NULL;
	ret = 0;
out:
	free(buf);
	cJSON_Delete(node);
	y_delta_free(ops, n);
	return ret;
}

static int render_value(cJSON **out, struct y_type *el,
			const struct mesh_schema *s,
			const struct mesh_element *et, unsigned flags,
			bool root);

/* {"<tag>": {...}} for a child element that the schema allows here. */
static int render_child(cJSON **out, struct y_type *t,
			const struct mesh_schema *s,
			const struct mesh_element *parent, unsigned flags)
{
	const struct mesh_element *et;
	const char *tag;
	cJSON *node, *val;
	int ret;

	*out = NULL;
	if (y_type_kind(t) == Y_XML_TEXT) {
		if (!mesh_tag_has_text(parent->tag))
			return 0;
		return render_text(out, t);
	}
	if (y_type_kind(t) != Y_XML_ELEMENT)
		return 0;
	tag = y_type_name(t);
	et = tag ? mesh_schema_element(s, tag) : NULL;
	if (!et || !mesh_property_allows_tag(parent->child, tag))
		return 0;
	ret = render_value(&val, t, s, et, flags, false);
	if (ret)
		return ret;
	node = cJSON_CreateObject();
	if (!node) {
		cJSON_Delete(val);
		return -ENOMEM;
	}
	ret = add_member(node, tag, val);
	if (ret) {
		cJSON_Delete(node);
		return ret;
	}
	*out = node;
	return 0;
}

static int render_value(cJSON **out, struct y_type *el,
			const struct mesh_schema *s,
			const struct mesh_element *et, unsigned flags,
			bool root)
{
	const struct mesh_property *p;
	struct y_list_iter it;
	struct y_value v;
	cJSON *val, *kids, *c;
	const char *id;
	size_t i;
	int ret = -ENOMEM;

	*out = NULL;
	val = cJSON_CreateObject();
	if (!val)
		return -ENOMEM;
	if ((flags & MESH_DOC_IDS) && !root) {
		id = mesh_yel_id(el);
		if (id && add_member(val, "$id", cJSON_CreateString(id)))
			goto err;
	}
	for (i = 0; i < et->n_props; i++) {
		p = &et->props[i];
		if (p->kind != MESH_PROP_VALUE)
			continue;
		if (y_map_get(&v, el, p->name, strlen(p->name)) ||
		    v.kind != Y_VALUE_ANY)
			continue;
		c = mesh_any_to_cjson(v.any);
		if (!c)
			goto err;
		/* a value of the wrong type is reported by validation, not
		 * shown: the file must stay writable as it reads */
		if (!mesh_property_check_value(p, c, NULL, 0)) {
			cJSON_Delete(c);
			continue;
		}
		if (add_member(val, p->name, c))
			goto err;
	}
	if (et->child) {
		kids = cJSON_CreateArray();
		if (add_member(val, et->child->name, kids))
			goto err;
		y_list_iter_init(&it, el);
		while (y_list_iter_next(&it, &v)) {
			if (v.kind != Y_VALUE_TYPE)
				continue;
			ret = render_child(&c, v.type, s, et, flags);
			if (ret)
				goto err;
			ret = -ENOMEM;
			if (c && add_item(kids, c))
				goto err;
		}
	}
	*out = val;
	return 0;
err:
	cJSON_Delete(val);
	return ret;
}

int mesh_doc_to_cjson(cJSON **out, struct y_doc *doc,
		      const struct mesh_schema *s, unsigned flags)
{
	const struct mesh_element *root = mesh_schema_root(s);
	struct y_type *yroot;
	cJSON *top = NULL, *val = NULL;
	int ret;

	*out = NULL;
	if (!doc || !s)
		return -EINVAL;
	ret = mesh_doc_root(&yroot, doc);
	if (ret)
		return ret;
	ret = render_value(&val, yroot, s, root, flags, true);
	if (ret)
		return ret;
	top = cJSON_CreateObject();
	if (!top || add_member(top, root->tag, val)) {
		cJSON_Delete(top);
		return -ENOMEM;
	}
	*out = top;
	return 0;
}

/*
 * The streaming render: the same text as mesh_json_print(mesh_doc_to_cjson)
 * written straight from the live tree into one buffer, without the cJSON
 * tree in between (a 10k-element document renders 4-5x faster; the
 * property tests compare both byte for byte).  An optional index records
 * where each rendered element's entry object lies in the text and its id,
 * for the merge's fast path (merge.c).
 */
struct rctx {
	struct mesh_sbuf b;
	const struct mesh_schema *s;
	unsigned flags;
	struct mesh_render_index *idx; /* NULL: no index */
	int err;
};

static void put_any(struct rctx *c, const struct y_any *v, int depth);

static void put_any_members(struct rctx *c, const struct y_any *v, int depth)
{
	bool arr = v->kind != Y_ANY_OBJECT;
	size_t n = arr ? (v->kind == Y_ANY_ARRAY ? v->arr.len : v->bytes.len) :
			 v->obj.len,
	       i;

	if (!n) {
		mesh_sbuf_put(&c->b, arr ? "[]" : "{}", 2);
		return;
	}
	mesh_sbuf_put(&c->b, arr ? "[\n" : "{\n", 2);
	for (i = 0; i < n; i++) {
		mesh_sbuf_indent(&c->b, depth + 1);
		if (v->kind == Y_ANY_OBJECT) {
			mesh_sbuf_put_string(&c->b, v->obj.entries[i].key,
					     v->obj.entries[i].key_len);
			mesh_sbuf_put(&c->b, ": ", 2);
			put_any(c, &v->obj.entries[i].val, depth + 1);
		} else if (v->kind == Y_ANY_ARRAY) {
			put_any(c, &v->arr.items[i], depth + 1);
		} else {
			mesh_sbuf_put_number(&c->b, v->bytes.ptr[i]);
		}
		mesh_sbuf_put(&c->b, i + 1 < n ? ",\n" : "\n",
			      i + 1 < n ? 2 : 1);
	}
	mesh_sbuf_indent(&c->b, depth);
	mesh_sbuf_put(&c->b, arr ? "]" : "}", 1);
}

/* As mesh_json_print(mesh_any_to_cjson(v)) at this depth. */
static void put_any(struct rctx *c, const struct y_any *v, int depth)
{
	switch (v->kind) {
	case Y_ANY_UNDEFINED:
	case Y_ANY_NULL:
		mesh_sbuf_put(&c->b, "null", 4);
		return;
	case Y_ANY_BOOL:
		if (v->b)
			mesh_sbuf_put(&c->b, "true", 4);
		else
			mesh_sbuf_put(&c->b, "false", 5);
		return;
	case Y_ANY_NUMBER:
		mesh_sbuf_put_number(&c->b, v->num);
		return;
	case Y_ANY_BIGINT:
		mesh_sbuf_put_number(&c->b, (double)v->big);
		return;
	case Y_ANY_STRING:
		mesh_sbuf_put_string(&c->b, v->str.ptr ? v->str.ptr : "",
				     v->str.ptr ? v->str.len : 0);
		return;
	case Y_ANY_BYTES:
	case Y_ANY_ARRAY:
	case Y_ANY_OBJECT:
		put_any_members(c, v, depth);
		return;
	}
	mesh_sbuf_put(&c->b, "null", 4);
}

/* The text node at depth (render_text's form). */
static void stream_text(struct rctx *c, struct y_type *t, int depth)
{
	struct y_delta_op *ops = NULL;
	size_t n = 0, i, j, k;
	bool any = false;
	int ret;

	ret = y_text_delta(&ops, &n, t);
	if (ret) {
		c->err = ret;
		return;
	}
	mesh_sbuf_put(&c->b, "{\n", 2);
	mesh_sbuf_indent(&c->b, depth + 1);
	mesh_sbuf_put(&c->b, "\"text\": {\n", 10);
	mesh_sbuf_indent(&c->b, depth + 2);
	mesh_sbuf_put(&c->b, "\"delta\": ", 9);
	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (ops[i].kind != Y_DELTA_INSERT || ops[i].type)
			continue;
		mesh_sbuf_put(&c->b, any ? ",\n" : "[\n", 2);
		any = true;
		mesh_sbuf_indent(&c->b, depth + 3);
		mesh_sbuf_put(&c->b, "{\n", 2);
		mesh_sbuf_indent(&c->b, depth + 4);
		mesh_sbuf_put(&c->b, "\"insert\": ", 10);
		if (ops[i].insert.kind == Y_ANY_STRING) {
			/* joined runs, cut at the first NUL as a cJSON string
			 * would be */
			while (j < n && ops[j].kind == Y_DELTA_INSERT &&
			       !ops[j].type &&
			       ops[j].insert.kind == Y_ANY_STRING &&
			       attrs_equal(&ops[j].attrs, &ops[i].attrs))
				j++;
			mesh_sbuf_put(&c->b, "\"", 1);
			for (k = i; k < j; k++) {
				const struct y_any *v = &ops[k].insert;
				size_t len = v->str.ptr ? v->str.len : 0;
				size_t at = c->b.len, cut;

				mesh_sbuf_put_string(&c->b, v->str.ptr, len);
				if (c->b.oom)
					break;
				/* drop the quotes put_string added */
				cut = c->b.len - at - 2;
				memmove(c->b.p + at, c->b.p + at + 1, cut);
				c->b.len = at + cut;
				if (v->str.ptr &&
				    strnlen(v->str.ptr, len) < len)
					break;
			}
			mesh_sbuf_put(&c->b, "\"", 1);
		} else {
			put_any(c, &ops[i].insert, depth + 4);
		}
		mesh_sbuf_put(&c->b, ",\n", 2);
		mesh_sbuf_indent(&c->b, depth + 4);
		mesh_sbuf_put(&c->b, "\"attributes\": ", 14);
		if (ops[i].attrs.kind == Y_ANY_OBJECT)
			put_any(c, &ops[i].attrs, depth + 4);
		else
			mesh_sbuf_put(&c->b, "{}", 2);
		mesh_sbuf_put(&c->b, "\n", 1);
		mesh_sbuf_indent(&c->b, depth + 3);
		mesh_sbuf_put(&c->b, "}", 1);
	}
	if (any) {
		mesh_sbuf_put(&c->b, "\n", 1);
		mesh_sbuf_indent(&c->b, depth + 2);
		mesh_sbuf_put(&c->b, "]", 1);
	} else {
		mesh_sbuf_put(&c->b, "[]", 2);
	}
	mesh_sbuf_put(&c->b, "\n", 1);
	mesh_sbuf_indent(&c->b, depth + 1);
	mesh_sbuf_put(&c->b, "}\n", 2);
	mesh_sbuf_indent(&c->b, depth);
	mesh_sbuf_put(&c->b, "}", 1);
	y_delta_free(ops, n);
}

/* A live attribute value that the render shows: the type check of
 * mesh_property_check_value without building a cJSON value (enums still
 * go through it). */
static bool value_shown(const struct mesh_property *p, const struct y_any *v)
{
	cJSON *j;
	bool ok;

	switch (v->kind) {
	case Y_ANY_UNDEFINED:
	case Y_ANY_NULL:
		ok = p->type == MESH_TYPE_NULL || !p->required;
		break;
	case Y_ANY_BOOL:
		ok = p->type == MESH_TYPE_BOOLEAN;
		break;
	case Y_ANY_NUMBER:
	case Y_ANY_BIGINT:
		ok = p->type == MESH_TYPE_NUMBER;
		break;
	case Y_ANY_STRING:
		ok = p->type == MESH_TYPE_STRING;
		break;
	default:
		ok = false;
	}
	if (!ok || !p->enum_values)
		return ok;
	j = mesh_any_to_cjson(v);
	ok = j && mesh_property_check_value(p, j, NULL, 0);
	cJSON_Delete(j);
	return ok;
}

struct mesh_render_index *mesh_render_index_new(unsigned flags)
{
	struct mesh_render_index *x = calloc(1, sizeof(*x));

	if (x)
		x->flags = flags;
	return x;
}

void mesh_render_index_free(struct mesh_render_index *x)
{
	if (!x)
		return;
	free(x->el);
	free(x->ids.p);
	free(x);
}

/* The new record's index, or -ENOMEM. */
static long index_push(struct mesh_render_index *x, size_t start,
		       const char *id, size_t parent, size_t pos,
		       const struct mesh_element *et)
{
	struct mesh_render_el *e;
	void *p;

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		p = realloc(x->el, x->cap * sizeof(*x->el));
		if (!p)
			return -ENOMEM;
		x->el = p;
	}
	e = &x->el[x->n];
	e->start = start;
	e->end = start;
	e->parent = parent;
	e->pos = pos;
	e->et = et;
	e->id = MESH_RENDER_NO_ID;
	if (id) {
		e->id = x->ids.len;
		mesh_sbuf_put(&x->ids, id, strlen(id) + 1);
		if (x->ids.oom)
			return -ENOMEM;
	}
	return (long)x->n++;
}

static void stream_value(struct rctx *c, struct y_type *el,
			 const struct mesh_element *et, int depth, bool root,
			 size_t self);

/* {"<tag>": {...}} of a child element the schema allows here, or a text
 * node; false when the child is left out. */
static bool stream_child(struct rctx *c, struct y_type *t,
			 const struct mesh_element *parent, int depth,
			 size_t parent_ix, size_t pos)
{
	const struct mesh_element *et = NULL;
	const struct mesh_property *cp = parent->child;
	const char *tag;
	size_t i, self = 0;
	enum y_kind k = y_type_kind(t);

	if (k == Y_XML_TEXT) {
		if (!mesh_tag_has_text(parent->tag))
			return false;
		stream_text(c, t, depth);
		return true;
	}
	if (k != Y_XML_ELEMENT)
		return false;
	tag = y_type_name(t);
	if (!tag)
		return false;
	/* the child property's own list: allowed and typed in one go */
	for (i = 0; i < cp->n_tags; i++) {
		if (!strcmp(cp->tags[i], tag)) {
			et = cp->tag_elements[i];
			break;
		}
	}
	if (!et)
		return false;
	if (c->idx) {
		long ret = index_push(c->idx, c->b.len, mesh_yel_id(t),
				      parent_ix, pos, et);

		if (ret < 0) {
			c->err = (int)ret;
			return true;
		}
		self = (size_t)ret;
	}
	mesh_sbuf_put(&c->b, "{\n", 2);
	mesh_sbuf_indent(&c->b, depth + 1);
	mesh_sbuf_put_string(&c->b, tag, strlen(tag));
	mesh_sbuf_put(&c->b, ": ", 2);
	stream_value(c, t, et, depth + 1, false, self);
	mesh_sbuf_put(&c->b, "\n", 1);
	mesh_sbuf_indent(&c->b, depth);
	mesh_sbuf_put(&c->b, "}", 1);
	if (c->idx)
		mesh_render_index_end(c->idx, self, c->b.len);
	return true;
}

static void stream_key(struct rctx *c, bool *first, const char *key, int depth)
{
	mesh_sbuf_put(&c->b, *first ? "{\n" : ",\n", 2);
	*first = false;
	mesh_sbuf_indent(&c->b, depth + 1);
	mesh_sbuf_put_string(&c->b, key, strlen(key));
	mesh_sbuf_put(&c->b, ": ", 2);
}

#define STREAM_MAX_PROPS 32

static void stream_value(struct rctx *c, struct y_type *el,
			 const struct mesh_element *et, int depth, bool root,
			 size_t self)
{
	const struct y_any *vals[STREAM_MAX_PROPS] = { 0 }, *idv = NULL;
	const struct mesh_property *p;
	struct y_list_iter it;
	struct y_map_iter mi;
	struct y_value v;
	const char *key;
	bool first = true, kids = false;
	size_t i, pos = 0, klen;

	/* One pass over the element's few map entries, each put in its
	 * property's slot, is cheaper than a hash lookup per property. */
	if (et->n_props <= STREAM_MAX_PROPS) {
		y_map_iter_init(&mi, el);
		while (y_map_iter_next(&mi, &key, &klen, &v)) {
			if (v.kind != Y_VALUE_ANY)
				continue;
			if (klen == 3 && !memcmp(key, "$id", 3)) {
				if (v.any->kind == Y_ANY_STRING)
					idv = v.any;
				continue;
			}
			for (i = 0; i < et->n_props; i++) {
				p = &et->props[i];
				if (p->name[0] == key[0] &&
				    !strcmp(p->name, key) &&
				    strlen(key) == klen) {
					vals[i] = v.any;
					break;
				}
			}
		}
	} else if (mesh_yel_id(el) && !y_map_get(&v, el, "$id", 3)) {
		idv = v.any;
	}
	if ((c->flags & MESH_DOC_IDS) && !root && idv) {
		stream_key(c, &first, "$id", depth);
		mesh_sbuf_put_string(&c->b, idv->str.ptr, strlen(idv->str.ptr));
	}
	for (i = 0; i < et->n_props; i++) {
		const struct y_any *a;

		p = &et->props[i];
		if (p->kind != MESH_PROP_VALUE)
			continue;
		if (et->n_props <= STREAM_MAX_PROPS) {
			a = vals[i];
		} else {
			a = NULL;
			if (!y_map_get(&v, el, p->name, strlen(p->name)) &&
			    v.kind == Y_VALUE_ANY)
				a = v.any;
		}
		if (!a || !value_shown(p, a))
			continue;
		stream_key(c, &first, p->name, depth);
		put_any(c, a, depth + 1);
	}
	if (et->child) {
		stream_key(c, &first, et->child->name, depth);
		y_list_iter_init(&it, el);
		while (y_list_iter_next(&it, &v) && !c->err) {
			size_t mark = c->b.len;

			if (v.kind != Y_VALUE_TYPE)
				continue;
			mesh_sbuf_put(&c->b, kids ? ",\n" : "[\n", 2);
			mesh_sbuf_indent(&c->b, depth + 2);
			if (stream_child(c, v.type, et, depth + 2, self, pos)) {
				kids = true;
				pos++;
			} else if (!c->b.oom) {
				c->b.len = mark; /* left out */
				c->b.p[mark] = '\0';
			}
		}
		if (kids) {
			mesh_sbuf_put(&c->b, "\n", 1);
			mesh_sbuf_indent(&c->b, depth + 1);
			mesh_sbuf_put(&c->b, "]", 1);
		} else {
			mesh_sbuf_put(&c->b, "[]", 2);
		}
	}
	if (first) {
		mesh_sbuf_put(&c->b, "{}", 2);
		return;
	}
	mesh_sbuf_put(&c->b, "\n", 1);
	mesh_sbuf_indent(&c->b, depth);
	mesh_sbuf_put(&c->b, "}", 1);
}

static _Thread_local size_t hint_len, hint_el, hint_ids;

int mesh_doc_render_indexed(char **out, size_t *out_len,
			    struct mesh_render_index **index, struct y_doc *doc,
			    const struct mesh_schema *s, unsigned flags)
{
	const struct mesh_element *root;
	struct rctx c = { .s = s, .flags = flags };
	struct y_type *yroot;
	int ret;

	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (index)
		*index = NULL;
	if (!doc || !s)
		return -EINVAL;
	ret = mesh_doc_root(&yroot, doc);
	if (ret)
		return ret;
	/* Start at the size of the previous render of this thread (files are
	 * rendered again and again): growing a 1.4 MB text and its index by
	 * doubling, interleaved, costs more copies and page faults than the
	 * walk itself. */
	if (index) {
		c.idx = mesh_render_index_new(flags);
		if (!c.idx)
			return -ENOMEM;
		if (hint_el) {
			c.idx->el = malloc(hint_el * sizeof(*c.idx->el));
			if (!c.idx->el)
				goto oom;
			c.idx->cap = hint_el;
			if (!mesh_sbuf_grow(&c.idx->ids, hint_ids))
				goto oom;
		}
	}
	root = mesh_schema_root(s);
	if (!mesh_sbuf_grow(&c.b, hint_len > 65536 ? hint_len : 65536))
		goto oom;
	mesh_sbuf_put(&c.b, "{\n  ", 4);
	mesh_sbuf_put_string(&c.b, root->tag, strlen(root->tag));
	mesh_sbuf_put(&c.b, ": ", 2);
	stream_value(&c, yroot, root, 1, true, MESH_RENDER_ROOT);
	mesh_sbuf_put(&c.b, "\n}\n", 3);
	if (c.err) {
		ret = c.err;
		goto err;
	}
	if (c.b.oom)
		goto oom;
	*out = c.b.p;
	if (out_len)
		*out_len = c.b.len;
	hint_len = c.b.len + c.b.len / 8;
	if (index) {
		*index = c.idx;
		hint_el = c.idx->n + c.idx->n / 8 + 1;
		hint_ids = c.idx->ids.len + c.idx->ids.len / 8;
	}
	return 0;
oom:
	ret = -ENOMEM;
err:
	free(c.b.p);
	mesh_render_index_free(c.idx);
	return ret;
}

int mesh_doc_render(char **out, size_t *out_len, struct y_doc *doc,
		    const struct mesh_schema *s, unsigned flags)
{
	return mesh_doc_render_indexed(out, out_len, NULL, doc, s, flags);
}

/* ---------------------------------------------------------------------- */
/* Build                                                                   */
/* ---------------------------------------------------------------------- */

/* The ops of a text node's delta (validated) or of a plain string. */
static int fill_text(struct y_type *t, const cJSON *entry)
{
	struct y_delta_op *ops = NULL;
	const cJSON *delta, *op, *ins, *attrs;
	size_t n = 0, cap;
	int ret = 0;

	if (cJSON_IsString(entry)) {
		if (!entry->valuestring[0])
			return 0;
		return y_text_insert(t, 0, entry->valuestring,
				     strlen(entry->valuestring), NULL);
	}
	delta = entry->child->child;
	cap = mesh_json_count(delta);
	if (!cap)
		return 0;
	ops = calloc(cap, sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	for (op = delta->child; op; op = op->next) {
		ins = mesh_json_get(op, "insert");
		attrs = mesh_json_get(op, "attributes");
		if (!ins || (cJSON_IsString(ins) && !ins->valuestring[0]))
			continue;
		ops[n].kind = Y_DELTA_INSERT;
		ret = mesh_cjson_to_any(&ops[n].insert, ins);
		if (!ret && cJSON_IsObject(attrs))
			ret = mesh_cjson_to_any(&ops[n].attrs, attrs);
		else if (!ret)
			y_any_init_object(&ops[n].attrs);
		n++;
		if (ret)
			goto out;
	}
	ret = y_text_apply_delta(t, ops, n);
out:
	y_delta_free(ops, n);
	return ret;
}

static bool has_text_entry(const struct mesh_schema *s, const cJSON *arr)
{
	const cJSON *e;

	for (e = arr ? arr->child : NULL; e; e = e->next)
		if (cJSON_IsString(e) || mesh_json_is_text_node(s, e))
			return true;
	return false;
}

static int set_attributes(struct y_type *el, const struct mesh_element *et,
			  const cJSON *val)
{
	const cJSON *m;
	struct y_any a;
	int ret;

	for (m = val->child; m; m = m->next) {
		if (!strcmp(m->string, "$id") ||
		    (et->child && !strcmp(m->string, et->child->name)))
			continue;
		ret = mesh_cjson_to_any(&a, m);
		if (!ret)
			ret = y_map_set(el, m->string, strlen(m->string), &a);
		y_any_clear(&a);
		if (ret)
			return ret;
	}
	return 0;
}

int mesh_build_entry(struct y_type **made, struct y_type *parent,
		     struct y_type *ref, const struct mesh_schema *s,
		     const cJSON *entry, bool keep_ids,
		     const struct mesh_idset *taken, struct mesh_idset *used,
		     size_t *n_el)
{
	const struct mesh_element *et;
	const cJSON *val, *kids = NULL, *c, *jid;
	struct y_type *el, *prev = NULL, *t;
	char fresh[37];
	const char *id = NULL;
	struct y_any a;
	int ret;

	*made = NULL;
	if (cJSON_IsString(entry) || mesh_json_is_text_node(s, entry)) {
		ret = y_list_insert_type_after(&t, parent, ref, Y_XML_TEXT,
					       NULL);
		if (ret)
			return ret;
		*made = t;
		return fill_text(t, entry);
	}
	val = entry->child;
	et = mesh_schema_element(s, val->string);
	if (!et)
		return -EINVAL; /* not validated */
	ret = y_list_insert_type_after(&el, parent, ref, Y_XML_ELEMENT,
				       val->string);
	if (ret)
		return ret;
	*made = el;
	if (n_el)
		(*n_el)++;
	if (et->child)
		kids = mesh_json_get(val, et->child->name);
	/* The SDK gives every new "text" element an XmlText first child
	 * (_defaultChildren); a text node given in the JSON replaces it. */
	if (mesh_tag_has_text(val->string) && !has_text_entry(s, kids)) {
		ret = y_list_insert_type_after(&prev, el, NULL, Y_XML_TEXT,
					       NULL);
		if (ret)
			return ret;
	}
	for (c = cJSON_IsArray(kids) ? kids->child : NULL; c; c = c->next) {
		ret = mesh_build_entry(&t, el, prev, s, c, keep_ids, taken,
				       used, n_el);
		if (ret)
			return ret;
		prev = t;
	}
	jid = mesh_json_get(val, "$id");
	if (keep_ids && cJSON_IsString(jid) && jid->valuestring[0] &&
	    !mesh_idset_has(taken, jid->valuestring) &&
	    !mesh_idset_has(used, jid->valuestring))
		id = jid->valuestring;
	if (!id) {
		ret = mesh_uuid4(fresh);
		if (ret)
			return ret;
		id = fresh;
	}
	if (used && mesh_idset_add(used, id) < 0)
		return -ENOMEM;
	ret = y_any_init_string(&a, id, strlen(id));
	if (ret)
		return ret;
	ret = y_map_set(el, "$id", 3, &a);
	y_any_clear(&a);
	if (ret)
		return ret;
	return set_attributes(el, et, val);
}

int mesh_doc_build(struct y_doc *doc, const struct mesh_schema *s,
		   const cJSON *json, unsigned flags, struct mesh_diag *diag)
{
	const struct mesh_element *root;
	struct mesh_idset *used = NULL;
	struct y_type *yroot, *prev = NULL, *t;
	const cJSON *val, *kids = NULL, *c;
	struct mesh_diag local = { 0 };
	int ret, ret2;

	if (!doc || !s || !json)
		return -EINVAL;
	if (!diag)
		diag = &local;
	ret = mesh_validate_json(diag, s, json, flags);
	if (ret)
		goto out;
	root = mesh_schema_root(s);
	ret = mesh_doc_root(&yroot, doc);
	if (ret)
		goto out;
	if (y_type_len(yroot) || y_map_size(yroot)) {
		mesh_diag_add(diag, "", "the document is not empty");
		ret = -ENOTEMPTY;
		goto out;
	}
	used = mesh_idset_new();
	if (!used) {
		ret = -ENOMEM;
		goto out;
	}
	val = mesh_json_get(json, root->tag);
	if (root->child)
		kids = mesh_json_get(val, root->child->name);
	ret = y_doc_transact_begin(doc, NULL);
	if (ret)
		goto out;
	for (c = cJSON_IsArray(kids) ? kids->child : NULL; c; c = c->next) {
		ret = mesh_build_entry(&t, yroot, prev, s, c,
				       flags & MESH_DOC_IDS, NULL, used, NULL);
		if (ret)
			break;
		prev = t;
	}
	if (!ret)
		ret = set_attributes(yroot, root, val);
	ret2 = y_doc_transact_end(doc);
	if (!ret)
		ret = ret2;
out:
	mesh_idset_free(used);
	mesh_diag_free(&local);
	return ret;
}

int mesh_doc_build_text(struct y_doc *doc, const struct mesh_schema *s,
			const char *text, size_t len, unsigned flags,
			struct mesh_diag *diag)
{
	struct mesh_error err;
	cJSON *json;
	int ret;

	ret = mesh_json_parse(&json, text, len, &err);
	if (ret) {
		if (diag && mesh_diag_add(diag, err.path, "%s", err.msg))
			return -ENOMEM;
		return ret;
	}
	ret = mesh_doc_build(doc, s, json, flags, diag);
	cJSON_Delete(json);
	return ret;
}
