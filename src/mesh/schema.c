/* SPDX-License-Identifier: MIT */
/*
 * schema.c - MeshSchema: build a schema from its JSON (spec/document.md
 * §2.5), check the rules of §2.4, write it back as the TS SDK does (§2.1 to
 * §2.3), and answer the look-ups the document layer needs.
 *
 * Reading follows TS MeshSchema.fromJson step by step, so that the same
 * schema JSON is accepted and the first fault is the one TS reports: the
 * root reference is read, then every $defs entry in order (all properties of
 * an element before its "Only one child property" check), then duplicate
 * tags, the root tag, and the child references.  Where TS would throw a
 * TypeError (a missing key or a wrong JSON type) we give a message naming
 * the key, and every error carries the JSON pointer of the fault.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFS_PREFIX "#/$defs/"

struct mesh_schema {
	char *root_tag;
	const struct mesh_element *root;
	size_t n_elements;
	struct mesh_element *elements;
	/* elements sorted by tag (then by index), for bsearch */
	const struct mesh_element **sorted;
};

/* ------------------------------------------------------------- freeing */

static void property_release(struct mesh_property *p)
{
	size_t i;

	free((void *)p->name);
	free((void *)p->description);
	cJSON_Delete((cJSON *)p->enum_values);
	if (p->tags)
		for (i = 0; i < p->n_tags; i++)
			free((void *)p->tags[i]);
	free((void *)p->tags);
	free((void *)p->tag_elements);
}

static void element_release(struct mesh_element *el)
{
	size_t i;

	free((void *)el->tag);
	free((void *)el->description);
	for (i = 0; i < el->n_props; i++)
		property_release((struct mesh_property *)&el->props[i]);
	free((void *)el->props);
}

void mesh_schema_free(struct mesh_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_elements; i++)
		element_release(&s->elements[i]);
	free(s->elements);
	free(s->sorted);
	free(s->root_tag);
	free(s);
}

/* ------------------------------------------------------------- parsing */

struct pctx {
	struct mesh_ptr ptr; /* where in the schema JSON we are */
	struct mesh_error *err;
};

static MESH_PRINTF(2, 3) int fail(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->ptr.oom)
		return -ENOMEM;
	va_start(ap, fmt);
	mesh_error_vset(c->err, mesh_ptr_str(&c->ptr), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* fail() with the pointer of member key of the current object. */
static MESH_PRINTF(3, 4) int fail_at(struct pctx *c, const char *key,
				     const char *fmt, ...)
{
	size_t saved = c->ptr.len;
	va_list ap;
	int ret = -EINVAL;

	mesh_ptr_push(&c->ptr, key);
	if (c->ptr.oom) {
		ret = -ENOMEM;
	} else {
		va_start(ap, fmt);
		mesh_error_vset(c->err, mesh_ptr_str(&c->ptr), fmt, ap);
		va_end(ap);
	}
	mesh_ptr_pop(&c->ptr, saved);
	return ret;
}

static const char *strip_defs_prefix(const char *ref)
{
	size_t n = strlen(DEFS_PREFIX);

	return strncmp(ref, DEFS_PREFIX, n) == 0 ? ref + n : ref;
}

static int dup_str(const char **out, const char *s)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* Optional "description": missing, null or "" mean none. */
static int read_description(struct pctx *c, const cJSON *obj, const char **out)
{
	const cJSON *d = mesh_json_get(obj, "description");

	*out = NULL;
	if (!d || cJSON_IsNull(d))
		return 0;
	if (!cJSON_IsString(d))
		return fail_at(c, "description",
			       "\"description\" must be a string, got %s",
			       mesh_json_type_name(d));
	if (!d->valuestring[0])
		return 0;
	return dup_str(out, d->valuestring);
}

/* The "$ref" list of a child property (ptr: at the list). */
static int read_tag_list(struct pctx *c, const cJSON *list,
			 struct mesh_property *p)
{
	size_t n = mesh_json_count(list), saved = c->ptr.len;
	const cJSON *e, *ref;
	char **tags;
	int ret = 0;

	tags = calloc(n ? n : 1, sizeof(*tags));
	if (!tags)
		return -ENOMEM;
	p->tags = (const char *const *)tags;
	for (e = list->child; e; e = e->next) {
		mesh_ptr_push_index(&c->ptr, p->n_tags);
		if (!cJSON_IsObject(e)) {
			ret = fail(
				c,
				"a child reference must be an object {\"$ref\": \"#/$defs/<tag>\"}, got %s",
				mesh_json_type_name(e));
			goto out;
		}
		ref = mesh_json_get(e, "$ref");
		if (!ref) {
			ret = fail_at(c, "$ref", "missing key \"$ref\"");
			goto out;
		}
		if (!cJSON_IsString(ref)) {
			ret = fail_at(c, "$ref",
				      "\"$ref\" must be a string, got %s",
				      mesh_json_type_name(ref));
			goto out;
		}
		tags[p->n_tags] = strdup(strip_defs_prefix(ref->valuestring));
		if (!tags[p->n_tags]) {
			ret = -ENOMEM;
			goto out;
		}
		p->n_tags++;
		mesh_ptr_pop(&c->ptr, saved);
	}
out:
	mesh_ptr_pop(&c->ptr, saved);
	return ret;
}

/* A property whose type is "array" (ptr: at the property). */
static int read_child_property(struct pctx *c, const cJSON *pj,
			       struct mesh_property *p)
{
	const cJSON *pre = mesh_json_get(pj, "prefixItems");
	const cJSON *items, *any_of;
	size_t saved = c->ptr.len;
	int ret;

	p->kind = MESH_PROP_CHILD;
	/* TS tests prefixItems first (PY/DART anyOf first): prefer ordered. */
	if (pre && !cJSON_IsNull(pre) && !cJSON_IsFalse(pre)) {
		if (!cJSON_IsArray(pre))
			return fail_at(
				c, "prefixItems",
				"\"prefixItems\" must be an array, got %s",
				mesh_json_type_name(pre));
		p->ordered = true;
		mesh_ptr_push(&c->ptr, "prefixItems");
		ret = read_tag_list(c, pre, p);
		mesh_ptr_pop(&c->ptr, saved);
		return ret;
	}
	items = mesh_json_get(pj, "items");
	any_of = cJSON_IsObject(items) ? mesh_json_get(items, "anyOf") : NULL;
	if (!any_of || cJSON_IsNull(any_of) || cJSON_IsFalse(any_of))
		return fail(c, "Invalid array type encountered");
	mesh_ptr_push(&c->ptr, "items");
	if (!cJSON_IsArray(any_of)) {
		ret = fail_at(c, "anyOf", "\"anyOf\" must be an array, got %s",
			      mesh_json_type_name(any_of));
	} else {
		mesh_ptr_push(&c->ptr, "anyOf");
		ret = read_tag_list(c, any_of, p);
	}
	mesh_ptr_pop(&c->ptr, saved);
	return ret;
}

static int value_type_from(const char *s, enum mesh_value_type *t)
{
	static const enum mesh_value_type all[] = { MESH_TYPE_STRING,
						    MESH_TYPE_NUMBER,
						    MESH_TYPE_BOOLEAN,
						    MESH_TYPE_NULL };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, mesh_value_type_name(all[i])) == 0) {
			*t = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

/* One member of the inner "properties" (ptr: at the property). */
static int read_property(struct pctx *c, const char *name, const cJSON *pj,
			 struct mesh_property *p)
{
	const cJSON *t, *tv, *en;
	size_t saved = c->ptr.len;
	char snip[64];
	int ret;

	ret = dup_str(&p->name, name);
	if (ret)
		return ret;
	if (!cJSON_IsObject(pj))
		return fail(c, "property definition must be an object, got %s",
			    mesh_json_type_name(pj));
	ret = read_description(c, pj, &p->description);
	if (ret)
		return ret;

	t = mesh_json_get(pj, "type");
	if (!t)
		return fail_at(
			c, "type",
			"Invalid value type: undefined (missing key \"type\")");
	/* [T, ...]: T, not required (TS reads only the first entry). */
	tv = t;
	p->required = true;
	mesh_ptr_push(&c->ptr, "type");
	if (cJSON_IsArray(t) && t->child) {
		tv = t->child;
		p->required = false;
		mesh_ptr_push_index(&c->ptr, 0);
	}
	if (!cJSON_IsString(tv)) {
		mesh_json_snippet(snip, sizeof(snip), tv);
		ret = fail(c, "Invalid value type: %s", snip);
		goto out;
	}
	if (strcmp(tv->valuestring, "array") == 0) {
		mesh_ptr_pop(&c->ptr, saved);
		p->required = false;
		ret = read_child_property(c, pj, p);
		goto out;
	}
	p->kind = MESH_PROP_VALUE;
	if (value_type_from(tv->valuestring, &p->type)) {
		ret = fail(c, "Invalid value type: %s", tv->valuestring);
		goto out;
	}
	mesh_ptr_pop(&c->ptr, saved);

	en = mesh_json_get(pj, "enum");
	if (en && !cJSON_IsNull(en)) {
		if (!cJSON_IsArray(en)) {
			ret = fail_at(c, "enum",
				      "\"enum\" must be an array, got %s",
				      mesh_json_type_name(en));
			goto out;
		}
		p->enum_values = cJSON_Duplicate(en, 1);
		if (!p->enum_values) {
			ret = -ENOMEM;
			goto out;
		}
		/* Written back as a scalar type, so it is not nullable. */
		p->required = true;
	}
out:
	mesh_ptr_pop(&c->ptr, saved);
	return ret;
}

/* One $defs entry (ptr: /$defs/<key>). */
static int read_element(struct pctx *c, const cJSON *def,
			struct mesh_element *el)
{
	const cJSON *props, *inner, *iprops, *pj;
	struct mesh_property *pv;
	size_t saved = c->ptr.len, n, i;
	int ret;

	if (!cJSON_IsObject(def))
		return fail(c, "element definition must be an object, got %s",
			    mesh_json_type_name(def));
	ret = read_description(c, def, &el->description);
	if (ret)
		return ret;

	props = mesh_json_get(def, "properties");
	if (!props || cJSON_IsNull(props))
		return fail_at(c, "properties",
			       "Invalid schema json: no properties found");
	if (!cJSON_IsObject(props))
		return fail_at(c, "properties",
			       "\"properties\" must be an object, got %s",
			       mesh_json_type_name(props));
	if (!props->child)
		return fail_at(c, "properties",
			       "Invalid schema json: no properties found");
	/* The tag is the first key; any further keys are ignored (TS). */
	inner = props->child;
	ret = dup_str(&el->tag, inner->string);
	if (ret)
		return ret;
	mesh_ptr_push(&c->ptr, "properties");
	mesh_ptr_push(&c->ptr, inner->string);
	if (!cJSON_IsObject(inner)) {
		ret = fail(c, "typeJson must be an object");
		goto out;
	}
	iprops = mesh_json_get(inner, "properties");
	if (!iprops) {
		ret = fail_at(c, "properties", "missing key \"properties\"");
		goto out;
	}
	if (!cJSON_IsObject(iprops)) {
		ret = fail_at(c, "properties",
			      "\"properties\" must be an object, got %s",
			      mesh_json_type_name(iprops));
		goto out;
	}
	mesh_ptr_push(&c->ptr, "properties");
	n = mesh_json_count(iprops);
	pv = calloc(n ? n : 1, sizeof(*pv));
	if (!pv) {
		ret = -ENOMEM;
		goto out;
	}
	el->props = pv;
	for (pj = iprops->child, i = 0; pj; pj = pj->next, i++) {
		size_t here = c->ptr.len;

		el->n_props = i + 1;
		mesh_ptr_push(&c->ptr, pj->string);
		ret = read_property(c, pj->string, pj, &pv[i]);
		mesh_ptr_pop(&c->ptr, here);
		if (ret)
			goto out;
	}
	/* Like the TS ElementType constructor: once all are read. */
	for (i = 0; i < el->n_props; i++) {
		if (pv[i].kind != MESH_PROP_CHILD)
			continue;
		if (el->child) {
			ret = fail_at(c, pv[i].name,
				      "Only one child property is allowed");
			goto out;
		}
		el->child = &pv[i];
	}
out:
	mesh_ptr_pop(&c->ptr, saved);
	return ret;
}

static int elem_ptr_cmp(const void *a, const void *b)
{
	const struct mesh_element *x = *(const struct mesh_element *const *)a;
	const struct mesh_element *y = *(const struct mesh_element *const *)b;
	int r = strcmp(x->tag, y->tag);

	if (r)
		return r;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int tag_key_cmp(const void *key, const void *e)
{
	return strcmp(key, (*(const struct mesh_element *const *)e)->tag);
}

const struct mesh_element *mesh_schema_element(const struct mesh_schema *s,
					       const char *tag)
{
	const struct mesh_element *const *hit;

	if (!s || !tag || !s->n_elements)
		return NULL;
	hit = bsearch(tag, s->sorted, s->n_elements, sizeof(*s->sorted),
		      tag_key_cmp);
	return hit ? *hit : NULL;
}

/* The $defs member that element i was read from. */
static const cJSON *def_at(const cJSON *defs, size_t i)
{
	const cJSON *d = defs->child;

	while (i-- && d)
		d = d->next;
	return d;
}

/* Sets ptr to /$defs/<key>/properties/<tag>/properties/<prop>. */
static void ptr_to_property(struct pctx *c, const cJSON *defs, size_t i,
			    const struct mesh_element *el, const char *prop)
{
	mesh_ptr_pop(&c->ptr, 0);
	mesh_ptr_push(&c->ptr, "$defs");
	mesh_ptr_push(&c->ptr, def_at(defs, i)->string);
	mesh_ptr_push(&c->ptr, "properties");
	mesh_ptr_push(&c->ptr, el->tag);
	mesh_ptr_push(&c->ptr, "properties");
	mesh_ptr_push(&c->ptr, prop);
}

/* §2.4: unique tags, root among them, every child tag defined. */
static int check_schema(struct pctx *c, struct mesh_schema *s,
			const cJSON *defs)
{
	const struct mesh_element *dup = NULL;
	size_t i, j;

	s->sorted = malloc((s->n_elements ? s->n_elements : 1) *
			   sizeof(*s->sorted));
	if (!s->sorted)
		return -ENOMEM;
	for (i = 0; i < s->n_elements; i++)
		s->sorted[i] = &s->elements[i];
	qsort(s->sorted, s->n_elements, sizeof(*s->sorted), elem_ptr_cmp);
	/* TS reports the first element (in order) whose tag came before. */
	for (i = 1; i < s->n_elements; i++) {
		if (strcmp(s->sorted[i - 1]->tag, s->sorted[i]->tag) == 0 &&
		    (!dup || s->sorted[i]->index < dup->index) &&
		    (i < 2 || strcmp(s->sorted[i - 2]->tag, s->sorted[i]->tag)))
			dup = s->sorted[i];
	}
	if (dup) {
		mesh_ptr_pop(&c->ptr, 0);
		mesh_ptr_push(&c->ptr, "$defs");
		mesh_ptr_push(&c->ptr, def_at(defs, dup->index)->string);
		return fail(c, "%s was found more than once", dup->tag);
	}

	s->root = mesh_schema_element(s, s->root_tag);
	if (!s->root) {
		mesh_ptr_pop(&c->ptr, 0);
		mesh_ptr_push(&c->ptr, "$root_tag_ref");
		return fail(c, "%s was not found in tags", s->root_tag);
	}

	for (i = 0; i < s->n_elements; i++) {
		struct mesh_element *el = &s->elements[i];
		struct mesh_property *p = (struct mesh_property *)el->child;
		const struct mesh_element **te;

		if (!p)
			continue;
		te = calloc(p->n_tags ? p->n_tags : 1, sizeof(*te));
		if (!te)
			return -ENOMEM;
		p->tag_elements = te;
		for (j = 0; j < p->n_tags; j++) {
			te[j] = mesh_schema_element(s, p->tags[j]);
			if (te[j])
				continue;
			ptr_to_property(c, defs, i, el, p->name);
			if (p->ordered) {
				mesh_ptr_push(&c->ptr, "prefixItems");
			} else {
				mesh_ptr_push(&c->ptr, "items");
				mesh_ptr_push(&c->ptr, "anyOf");
			}
			mesh_ptr_push_index(&c->ptr, j);
			mesh_ptr_push(&c->ptr, "$ref");
			return fail(c, "Element not found: %s", p->tags[j]);
		}
	}
	return 0;
}

/* Reads a schema from a tree without duplicate keys. */
static int read_schema(struct pctx *c, struct mesh_schema *s, const cJSON *j)
{
	const cJSON *rt, *defs, *d;
	size_t n, i;
	int ret;

	if (!cJSON_IsObject(j))
		return fail(c, "schema must be a JSON object, got %s",
			    mesh_json_type_name(j));
	rt = mesh_json_get(j, "$root_tag_ref");
	if (!rt)
		return fail_at(c, "$root_tag_ref",
			       "missing key \"$root_tag_ref\"");
	if (!cJSON_IsString(rt))
		return fail_at(c, "$root_tag_ref",
			       "\"$root_tag_ref\" must be a string, got %s",
			       mesh_json_type_name(rt));
	s->root_tag = strdup(strip_defs_prefix(rt->valuestring));
	if (!s->root_tag)
		return -ENOMEM;

	defs = mesh_json_get(j, "$defs");
	if (!defs)
		return fail_at(c, "$defs", "missing key \"$defs\"");
	if (!cJSON_IsObject(defs))
		return fail_at(c, "$defs",
			       "\"$defs\" must be an object, got %s",
			       mesh_json_type_name(defs));
	n = mesh_json_count(defs);
	s->elements = calloc(n ? n : 1, sizeof(*s->elements));
	if (!s->elements)
		return -ENOMEM;
	mesh_ptr_push(&c->ptr, "$defs");
	for (d = defs->child, i = 0; d; d = d->next, i++) {
		s->n_elements = i + 1;
		s->elements[i].index = i;
		mesh_ptr_push(&c->ptr, d->string);
		ret = read_element(c, d, &s->elements[i]);
		if (ret)
			return ret;
		mesh_ptr_pop(&c->ptr, strlen("/$defs"));
	}
	return check_schema(c, s, defs);
}

int mesh_schema_parse_cjson(struct mesh_schema **out, const cJSON *json,
			    struct mesh_error *err)
{
	struct pctx c = { .err = err };
	struct mesh_schema *s = NULL;
	cJSON *copy = NULL;
	int ret;

	*out = NULL;
	mesh_error_clear(err);
	if (!json) {
		mesh_error_set(err, "", "no schema JSON");
		return -EINVAL;
	}
	/* A private copy, so that duplicate keys can be resolved in it. */
	copy = cJSON_Duplicate(json, 1);
	if (!copy)
		return -ENOMEM;
	ret = mesh_json_dedupe(copy);
	if (ret)
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	ret = read_schema(&c, s, copy);
	if (ret)
		goto out;
	*out = s;
	s = NULL;
out:
	if (ret == -ENOMEM)
		mesh_error_set(err, "", "out of memory");
	mesh_schema_free(s);
	mesh_ptr_free(&c.ptr);
	cJSON_Delete(copy);
	return ret;
}

int mesh_schema_parse(struct mesh_schema **out, const char *json, size_t len,
		      struct mesh_error *err)
{
	cJSON *tree = NULL;
	int ret;

	*out = NULL;
	mesh_error_clear(err);
	ret = mesh_json_parse(&tree, json, len, err);
	if (ret) {
		if (ret == -ENOMEM)
			mesh_error_set(err, "", "out of memory");
		return ret;
	}
	ret = mesh_schema_parse_cjson(out, tree, err);
	cJSON_Delete(tree);
	return ret;
}

/* ------------------------------------------------------------ emitting */

/* Adds item under key; frees item on failure.  false on failure. */
static bool put(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return false;
	if (!cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

static bool append(cJSON *arr, cJSON *item)
{
	if (!item)
		return false;
	if (!cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

static cJSON *ref_list(const struct mesh_property *p)
{
	cJSON *arr = cJSON_CreateArray(), *ref;
	size_t i, n;
	char *s;

	if (!arr)
		return NULL;
	for (i = 0; i < p->n_tags; i++) {
		n = strlen(DEFS_PREFIX) + strlen(p->tags[i]) + 1;
		s = malloc(n);
		if (!s)
			goto err;
		snprintf(s, n, "%s%s", DEFS_PREFIX, p->tags[i]);
		ref = cJSON_CreateObject();
		if (!append(arr, ref) ||
		    !put(ref, "$ref", cJSON_CreateString(s))) {
			free(s);
			goto err;
		}
		free(s);
	}
	return arr;
err:
	cJSON_Delete(arr);
	return NULL;
}

/* TS ValueProperty/ChildProperty.toJson key order. */
static cJSON *property_json(const struct mesh_property *p)
{
	cJSON *o = cJSON_CreateObject(), *t, *items;
	const char *tn;

	if (!o)
		return NULL;
	if (p->kind == MESH_PROP_CHILD) {
		if (p->description &&
		    !put(o, "description", cJSON_CreateString(p->description)))
			goto err;
		if (!put(o, "type", cJSON_CreateString("array")))
			goto err;
		if (p->ordered) {
			if (!put(o, "prefixItems", ref_list(p)) ||
			    !put(o, "items", cJSON_CreateFalse()))
				goto err;
		} else {
			items = cJSON_CreateObject();
			if (!put(o, "items", items) ||
			    !put(items, "anyOf", ref_list(p)))
				goto err;
		}
		return o;
	}
	tn = mesh_value_type_name(p->type);
	if (p->enum_values || p->required) {
		t = cJSON_CreateString(tn);
	} else {
		t = cJSON_CreateArray();
		if (t && (!append(t, cJSON_CreateString(tn)) ||
			  !append(t, cJSON_CreateString("null")))) {
			cJSON_Delete(t);
			t = NULL;
		}
	}
	if (!put(o, "type", t))
		goto err;
	if (p->enum_values &&
	    !put(o, "enum", cJSON_Duplicate(p->enum_values, 1)))
		goto err;
	if (p->description &&
	    !put(o, "description", cJSON_CreateString(p->description)))
		goto err;
	return o;
err:
	cJSON_Delete(o);
	return NULL;
}

/* Adds the keys of TS ElementType.toJson to o, in its order. */
static bool element_keys(cJSON *o, const struct mesh_element *el)
{
	cJSON *req, *props, *inner, *ireq, *iprops;
	size_t i;

	if (!put(o, "type", cJSON_CreateString("object")) ||
	    !put(o, "additionalProperties", cJSON_CreateFalse()))
		return false;
	if (el->description &&
	    !put(o, "description", cJSON_CreateString(el->description)))
		return false;
	req = cJSON_CreateArray();
	if (!put(o, "required", req) ||
	    !append(req, cJSON_CreateString(el->tag)))
		return false;
	props = cJSON_CreateObject();
	inner = cJSON_CreateObject();
	if (!put(o, "properties", props) || !put(props, el->tag, inner))
		return false;
	ireq = cJSON_CreateArray();
	iprops = cJSON_CreateObject();
	if (!put(inner, "type", cJSON_CreateString("object")) ||
	    !put(inner, "additionalProperties", cJSON_CreateFalse()) ||
	    !put(inner, "required", ireq) || !put(inner, "properties", iprops))
		return false;
	for (i = 0; i < el->n_props; i++) {
		if (!append(ireq, cJSON_CreateString(el->props[i].name)) ||
		    !put(iprops, el->props[i].name,
			 property_json(&el->props[i])))
			return false;
	}
	return true;
}

int mesh_schema_to_cjson(cJSON **out, const struct mesh_schema *s)
{
	cJSON *o = cJSON_CreateObject(), *defs, *d;
	size_t i, n;
	char *ref;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	n = strlen(DEFS_PREFIX) + strlen(s->root_tag) + 1;
	ref = malloc(n);
	if (!ref)
		goto err;
	snprintf(ref, n, "%s%s", DEFS_PREFIX, s->root_tag);
	if (!put(o, "$root_tag_ref", cJSON_CreateString(ref))) {
		free(ref);
		goto err;
	}
	free(ref);
	defs = cJSON_CreateObject();
	if (!put(o, "$defs", defs))
		goto err;
	for (i = 0; i < s->n_elements; i++) {
		d = cJSON_CreateObject();
		if (!put(defs, s->elements[i].tag, d) ||
		    !element_keys(d, &s->elements[i]))
			goto err;
	}
	/* The root definition merged into the top level. */
	if (!element_keys(o, s->root))
		goto err;
	*out = o;
	return 0;
err:
	cJSON_Delete(o);
	return -ENOMEM;
}

int mesh_schema_to_json(char **out, const struct mesh_schema *s)
{
	cJSON *tree;
	int ret;

	*out = NULL;
	ret = mesh_schema_to_cjson(&tree, s);
	if (ret)
		return ret;
	ret = mesh_json_print(out, tree);
	cJSON_Delete(tree);
	return ret;
}

/* ------------------------------------------------------------ look-ups */

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool property_equal(const struct mesh_property *a,
			   const struct mesh_property *b)
{
	size_t i;

	if (a->kind != b->kind || !str_eq(a->name, b->name) ||
	    !str_eq(a->description, b->description))
		return false;
	if (a->kind == MESH_PROP_VALUE) {
		if (a->type != b->type || a->required != b->required)
			return false;
		if (!a->enum_values || !b->enum_values)
			return a->enum_values == b->enum_values;
		return cJSON_Compare(a->enum_values, b->enum_values, 1);
	}
	if (a->ordered != b->ordered || a->n_tags != b->n_tags)
		return false;
	for (i = 0; i < a->n_tags; i++)
		if (strcmp(a->tags[i], b->tags[i]))
			return false;
	return true;
}

bool mesh_schema_equal(const struct mesh_schema *a, const struct mesh_schema *b)
{
	size_t i, j;

	if (!a || !b)
		return a == b;
	if (strcmp(a->root_tag, b->root_tag) || a->n_elements != b->n_elements)
		return false;
	for (i = 0; i < a->n_elements; i++) {
		const struct mesh_element *x = &a->elements[i];
		const struct mesh_element *y = &b->elements[i];

		if (strcmp(x->tag, y->tag) ||
		    !str_eq(x->description, y->description) ||
		    x->n_props != y->n_props)
			return false;
		for (j = 0; j < x->n_props; j++)
			if (!property_equal(&x->props[j], &y->props[j]))
				return false;
	}
	return true;
}

const struct mesh_element *mesh_schema_root(const struct mesh_schema *s)
{
	return s->root;
}

const char *mesh_schema_root_tag(const struct mesh_schema *s)
{
	return s->root_tag;
}

size_t mesh_schema_element_count(const struct mesh_schema *s)
{
	return s->n_elements;
}

const struct mesh_element *mesh_schema_element_at(const struct mesh_schema *s,
						  size_t i)
{
	return i < s->n_elements ? &s->elements[i] : NULL;
}

const struct mesh_property *mesh_element_property(const struct mesh_element *el,
						  const char *name)
{
	size_t i;

	if (!el || !name)
		return NULL;
	for (i = 0; i < el->n_props; i++)
		if (strcmp(el->props[i].name, name) == 0)
			return &el->props[i];
	return NULL;
}

const struct mesh_property *
mesh_element_child_property(const struct mesh_element *el)
{
	return el ? el->child : NULL;
}

bool mesh_property_allows_tag(const struct mesh_property *p, const char *tag)
{
	size_t i;

	if (!p || p->kind != MESH_PROP_CHILD || !tag)
		return false;
	for (i = 0; i < p->n_tags; i++)
		if (strcmp(p->tags[i], tag) == 0)
			return true;
	return false;
}

bool mesh_schema_allows_child(const struct mesh_schema *s,
			      const char *parent_tag, const char *child_tag)
{
	const struct mesh_element *parent = mesh_schema_element(s, parent_tag);

	if (!parent || !mesh_schema_element(s, child_tag))
		return false;
	return mesh_property_allows_tag(parent->child, child_tag);
}

const char *mesh_value_type_name(enum mesh_value_type t)
{
	switch (t) {
	case MESH_TYPE_STRING:
		return "string";
	case MESH_TYPE_NUMBER:
		return "number";
	case MESH_TYPE_BOOLEAN:
		return "boolean";
	case MESH_TYPE_NULL:
		return "null";
	}
	return "invalid";
}
