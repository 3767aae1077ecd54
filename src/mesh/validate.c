/* SPDX-License-Identifier: MIT */
/*
 * validate.c - level S validation (spec/document.md §4.1): a document JSON
 * checked against the strict JSON Schema that the MeshSchema JSON is.
 *
 * Instead of running a generic draft 2020-12 validator over the schema
 * JSON, the rules that JSON gives rise to are checked directly on the
 * parsed schema.  That yields one precise message per fault (a generic
 * validator reports a failed anyOf as "not valid under any of the given
 * schemas") and lets us report every fault in one pass.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct vctx {
	const struct mesh_schema *s;
	struct mesh_diag *d;
	struct mesh_ptr ptr; /* where in the document we are */
	int err; /* -ENOMEM once recording failed */
};

static MESH_PRINTF(2, 3) void report(struct vctx *c, const char *fmt, ...)
{
	char msg[MESH_ERROR_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	if (c->ptr.oom || mesh_diag_add(c->d, mesh_ptr_str(&c->ptr), "%s", msg))
		c->err = -ENOMEM;
}

/* "a, b, c" (the allowed tags), cut to len. */
static void tag_list(char *buf, size_t len, const struct mesh_property *p)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	if (!p->n_tags) {
		snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < p->n_tags && o < len; i++) {
		n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			     p->tags[i]);
		if (n < 0)
			return;
		o += (size_t)n;
	}
	if (o >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

static bool type_matches(const struct mesh_property *p, const cJSON *v)
{
	if (cJSON_IsNull(v))
		return p->type == MESH_TYPE_NULL || !p->required;
	switch (p->type) {
	case MESH_TYPE_STRING:
		return cJSON_IsString(v);
	case MESH_TYPE_NUMBER:
		return cJSON_IsNumber(v);
	case MESH_TYPE_BOOLEAN:
		return cJSON_IsBool(v);
	case MESH_TYPE_NULL:
		return false;
	}
	return false;
}

bool mesh_property_check_value(const struct mesh_property *p, const cJSON *v,
			       char *msg, size_t len)
{
	char got[64], allowed[256];
	const cJSON *e;

	if (!p || p->kind != MESH_PROP_VALUE || !v) {
		if (msg && len)
			snprintf(msg, len, "not a value property");
		return false;
	}
	if (!type_matches(p, v)) {
		if (msg && len) {
			const char *t = mesh_value_type_name(p->type);
			bool nullable = !p->required &&
					p->type != MESH_TYPE_NULL;

			snprintf(msg, len, "expected %s%s, got %s", t,
				 nullable ? " or null" : "",
				 mesh_json_type_name(v));
		}
		return false;
	}
	if (!p->enum_values)
		return true;
	for (e = p->enum_values->child; e; e = e->next)
		if (cJSON_Compare(e, v, 1))
			return true;
	if (msg && len) {
		mesh_json_snippet(got, sizeof(got), v);
		mesh_json_snippet(allowed, sizeof(allowed), p->enum_values);
		snprintf(msg, len, "value %s is not one of %s", got, allowed);
	}
	return false;
}

static void check_element_value(struct vctx *c, const struct mesh_element *el,
				const cJSON *v);

/* Entry idx of the child property p of parent (ptr: at the entry). */
static void check_child(struct vctx *c, const struct mesh_element *parent,
			const struct mesh_property *p, size_t idx,
			const cJSON *item)
{
	const struct mesh_element *el;
	size_t n = mesh_json_count(item), saved;
	char tags[256];
	const cJSON *m;

	if (p->ordered && idx >= p->n_tags) {
		report(c,
		       "too many entries: \"%s\" of \"%s\" is ordered and takes at most %zu",
		       p->name, parent->tag, p->n_tags);
		return;
	}
	if (!cJSON_IsObject(item)) {
		report(c,
		       "expected an element object {\"<tag>\": {...}}, got %s",
		       mesh_json_type_name(item));
		return;
	}
	if (n != 1)
		report(c,
		       "an element object must have exactly one key (its tag), got %zu",
		       n);
	for (m = item->child; m; m = m->next) {
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, m->string);
		el = mesh_schema_element(c->s, m->string);
		if (p->ordered && strcmp(m->string, p->tags[idx])) {
			report(c,
			       "element \"%s\" is not allowed at position %zu of \"%s\" in \"%s\" (expected \"%s\")",
			       m->string, idx, p->name, parent->tag,
			       p->tags[idx]);
		} else if (!el) {
			report(c, "unknown element \"%s\" (not in the schema)",
			       m->string);
		} else if (!mesh_property_allows_tag(p, m->string)) {
			tag_list(tags, sizeof(tags), p);
			report(c,
			       "element \"%s\" is not allowed in \"%s\" of \"%s\" (allowed: %s)",
			       m->string, p->name, parent->tag, tags);
		} else {
			check_element_value(c, el, m);
		}
		mesh_ptr_pop(&c->ptr, saved);
	}
}

static void check_property(struct vctx *c, const struct mesh_element *el,
			   const struct mesh_property *p, const cJSON *v)
{
	char msg[MESH_ERROR_MSG_MAX];
	const cJSON *item;
	size_t i, saved;

	if (p->kind == MESH_PROP_VALUE) {
		if (!mesh_property_check_value(p, v, msg, sizeof(msg)))
			report(c, "%s", msg);
		return;
	}
	if (!cJSON_IsArray(v)) {
		report(c, "expected an array of child elements, got %s",
		       mesh_json_type_name(v));
		return;
	}
	for (item = v->child, i = 0; item; item = item->next, i++) {
		saved = c->ptr.len;
		mesh_ptr_push_index(&c->ptr, i);
		check_child(c, el, p, i, item);
		mesh_ptr_pop(&c->ptr, saved);
	}
}

/* The value object of an element of type el (ptr: at it). */
static void check_element_value(struct vctx *c, const struct mesh_element *el,
				const cJSON *v)
{
	const struct mesh_property *p;
	const cJSON *m;
	size_t i, saved;

	if (!cJSON_IsObject(v)) {
		report(c,
		       "expected an object with the properties of \"%s\", got %s",
		       el->tag, mesh_json_type_name(v));
		return;
	}
	for (m = v->child; m; m = m->next) {
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, m->string);
		p = mesh_element_property(el, m->string);
		if (p)
			check_property(c, el, p, m);
		else if (strcmp(m->string, "$id") == 0)
			report(c,
			       "unexpected key \"$id\" (ids are not part of strict document JSON)");
		else
			report(c,
			       "unexpected property \"%s\" (not in the schema of \"%s\")",
			       m->string, el->tag);
		mesh_ptr_pop(&c->ptr, saved);
	}
	for (i = 0; i < el->n_props; i++) {
		p = &el->props[i];
		if (cJSON_GetObjectItemCaseSensitive(v, p->name))
			continue;
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, p->name);
		if (p->kind == MESH_PROP_CHILD)
			report(c,
			       "missing property \"%s\" (the children of \"%s\"; use [] for none)",
			       p->name, el->tag);
		else if (!p->required)
			report(c,
			       "missing property \"%s\" (use null for no value)",
			       p->name);
		else
			report(c, "missing property \"%s\"", p->name);
		mesh_ptr_pop(&c->ptr, saved);
	}
}

int mesh_validate_strict(struct mesh_diag *out, const struct mesh_schema *s,
			 const cJSON *doc)
{
	const struct mesh_element *root = mesh_schema_root(s);
	struct vctx c = { .s = s, .d = out };
	bool found = false;
	const cJSON *m;
	size_t start = out->total;

	if (!cJSON_IsObject(doc)) {
		report(&c, "expected a JSON object {\"%s\": {...}}, got %s",
		       root->tag, mesh_json_type_name(doc));
		goto out;
	}
	for (m = doc->child; m; m = m->next) {
		mesh_ptr_push(&c.ptr, m->string);
		if (strcmp(m->string, root->tag) == 0) {
			found = true;
			check_element_value(&c, root, m);
		} else {
			report(&c,
			       "unexpected key \"%s\" at the top level (only \"%s\" is allowed)",
			       m->string, root->tag);
		}
		mesh_ptr_pop(&c.ptr, 0);
	}
	if (!found) {
		mesh_ptr_push(&c.ptr, root->tag);
		report(&c, "missing root element \"%s\"", root->tag);
	}
out:
	mesh_ptr_free(&c.ptr);
	if (c.err)
		return c.err;
	return out->total > start ? -EINVAL : 0;
}
