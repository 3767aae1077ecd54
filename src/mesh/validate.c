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
 *
 * The walk over the document JSON is shared with level R validation
 * (docvalidate.c, mesh_validate_json): both check the same shapes with the
 * same messages, and differ only in the hooks of struct mesh_walk_ops
 * (internal.h): ordered properties and missing properties here, text
 * nodes, "$id"s and misplaced-but-known tags there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

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

/* ---------------------------------------------------------------------- */
/* The document JSON walk (shared with docvalidate.c)                      */
/* ---------------------------------------------------------------------- */

void mesh_walk_report(struct mesh_walk *w, const char *fmt, ...)
{
	char msg[MESH_ERROR_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	if (w->ptr.oom || mesh_diag_add(w->d, mesh_ptr_str(&w->ptr), "%s", msg))
		w->err = -ENOMEM;
}

void mesh_tag_list(char *buf, size_t len, const struct mesh_property *p)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	if (!p || !p->n_tags) {
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

static void walk_value(struct mesh_walk *w, const struct mesh_element *et,
		       const cJSON *v, bool root);

/* Entry idx of the child property p of parent (ptr: at the entry). */
static void walk_entry(struct mesh_walk *w, const struct mesh_element *parent,
		       const struct mesh_property *p, size_t idx,
		       const cJSON *entry)
{
	const struct mesh_element *et;
	size_t n, saved;
	const cJSON *m;

	if (w->ops->entry && w->ops->entry(w, parent, p, idx, entry))
		return;
	if (!cJSON_IsObject(entry)) {
		mesh_walk_report(
			w,
			"expected an element object {\"<tag>\": {...}}, got %s",
			mesh_json_type_name(entry));
		return;
	}
	n = mesh_json_count(entry);
	if (n != 1)
		mesh_walk_report(
			w,
			"an element object must have exactly one key (its tag), got %zu",
			n);
	for (m = entry->child; m; m = m->next) {
		saved = w->ptr.len;
		mesh_ptr_push(&w->ptr, m->string);
		et = w->ops->tag(w, parent, p, idx, m->string);
		if (et)
			walk_value(w, et, m, false);
		mesh_ptr_pop(&w->ptr, saved);
	}
}

/* A member of an element's value object that the schema declares. */
static void walk_property(struct mesh_walk *w, const struct mesh_element *et,
			  const struct mesh_property *p, const cJSON *v)
{
	char msg[MESH_ERROR_MSG_MAX];
	const cJSON *e;
	size_t i, saved;

	if (p->kind == MESH_PROP_VALUE) {
		if (!mesh_property_check_value(p, v, msg, sizeof(msg)))
			mesh_walk_report(w, "%s", msg);
		return;
	}
	if (!cJSON_IsArray(v)) {
		mesh_walk_report(w,
				 "expected an array of child elements, got %s",
				 mesh_json_type_name(v));
		return;
	}
	for (e = v->child, i = 0; e; e = e->next, i++) {
		saved = w->ptr.len;
		mesh_ptr_push_index(&w->ptr, i);
		walk_entry(w, et, p, i, e);
		mesh_ptr_pop(&w->ptr, saved);
	}
}

/* The value object of an element of type et (ptr: at it). */
static void walk_value(struct mesh_walk *w, const struct mesh_element *et,
		       const cJSON *v, bool root)
{
	const struct mesh_property *p;
	const cJSON *m;
	size_t saved;

	if (!cJSON_IsObject(v)) {
		mesh_walk_report(
			w,
			"expected an object with the properties of \"%s\", got %s",
			et->tag, mesh_json_type_name(v));
		return;
	}
	for (m = v->child; m; m = m->next) {
		saved = w->ptr.len;
		mesh_ptr_push(&w->ptr, m->string);
		p = mesh_element_property(et, m->string);
		if (p)
			walk_property(w, et, p, m);
		else if (strcmp(m->string, "$id") == 0)
			w->ops->id(w, m, root);
		else
			mesh_walk_report(
				w,
				"unexpected property \"%s\" (not in the schema of \"%s\")",
				m->string, et->tag);
		mesh_ptr_pop(&w->ptr, saved);
	}
	if (w->ops->done)
		w->ops->done(w, et, v);
}

int mesh_walk_json(struct mesh_walk *w, const cJSON *doc)
{
	const struct mesh_element *root = mesh_schema_root(w->s);
	size_t start = w->d->total;
	bool found = false;
	const cJSON *m;

	if (!cJSON_IsObject(doc)) {
		mesh_walk_report(
			w, "expected a JSON object {\"%s\": {...}}, got %s",
			root->tag, mesh_json_type_name(doc));
		goto out;
	}
	for (m = doc->child; m; m = m->next) {
		mesh_ptr_push(&w->ptr, m->string);
		if (strcmp(m->string, root->tag) == 0) {
			found = true;
			walk_value(w, root, m, true);
		} else {
			mesh_walk_report(
				w,
				"unexpected key \"%s\" at the top level (only \"%s\" is allowed)",
				m->string, root->tag);
		}
		mesh_ptr_pop(&w->ptr, 0);
	}
	if (!found) {
		mesh_ptr_push(&w->ptr, root->tag);
		mesh_walk_report(w, "missing root element \"%s\"", root->tag);
	}
out:
	return mesh_walk_end(w, start);
}

int mesh_walk_end(struct mesh_walk *w, size_t start)
{
	mesh_ptr_free(&w->ptr);
	if (w->err)
		return w->err;
	return w->d->total > start ? -EINVAL : 0;
}

/* ---------------------------------------------------------------------- */
/* Level S: the hooks                                                      */
/* ---------------------------------------------------------------------- */

static bool strict_entry(struct mesh_walk *w, const struct mesh_element *parent,
			 const struct mesh_property *p, size_t idx,
			 const cJSON *entry)
{
	(void)entry;
	if (!p->ordered || idx < p->n_tags)
		return false;
	mesh_walk_report(
		w,
		"too many entries: \"%s\" of \"%s\" is ordered and takes at most %zu",
		p->name, parent->tag, p->n_tags);
	return true;
}

static const struct mesh_element *strict_tag(struct mesh_walk *w,
					     const struct mesh_element *parent,
					     const struct mesh_property *p,
					     size_t idx, const char *tag)
{
	const struct mesh_element *el = mesh_schema_element(w->s, tag);
	char tags[256];

	if (p->ordered && strcmp(tag, p->tags[idx])) {
		mesh_walk_report(
			w,
			"element \"%s\" is not allowed at position %zu of \"%s\" in \"%s\" (expected \"%s\")",
			tag, idx, p->name, parent->tag, p->tags[idx]);
	} else if (!el) {
		mesh_walk_report(
			w, "unknown element \"%s\" (not in the schema)", tag);
	} else if (!mesh_property_allows_tag(p, tag)) {
		mesh_tag_list(tags, sizeof(tags), p);
		mesh_walk_report(
			w,
			"element \"%s\" is not allowed in \"%s\" of \"%s\" (allowed: %s)",
			tag, p->name, parent->tag, tags);
	} else {
		return el;
	}
	return NULL;
}

static void strict_id(struct mesh_walk *w, const cJSON *v, bool root)
{
	(void)v;
	(void)root;
	mesh_walk_report(
		w,
		"unexpected key \"$id\" (ids are not part of strict document JSON)");
}

/* Every property is required to be present (null for no value). */
static void strict_done(struct mesh_walk *w, const struct mesh_element *el,
			const cJSON *v)
{
	const struct mesh_property *p;
	size_t i, saved;

	for (i = 0; i < el->n_props; i++) {
		p = &el->props[i];
		if (cJSON_GetObjectItemCaseSensitive(v, p->name))
			continue;
		saved = w->ptr.len;
		mesh_ptr_push(&w->ptr, p->name);
		if (p->kind == MESH_PROP_CHILD)
			mesh_walk_report(
				w,
				"missing property \"%s\" (the children of \"%s\"; use [] for none)",
				p->name, el->tag);
		else if (!p->required)
			mesh_walk_report(
				w,
				"missing property \"%s\" (use null for no value)",
				p->name);
		else
			mesh_walk_report(w, "missing property \"%s\"", p->name);
		mesh_ptr_pop(&w->ptr, saved);
	}
}

static const struct mesh_walk_ops strict_ops = {
	.entry = strict_entry,
	.tag = strict_tag,
	.id = strict_id,
	.done = strict_done,
};

int mesh_validate_strict(struct mesh_diag *out, const struct mesh_schema *s,
			 const cJSON *doc)
{
	struct mesh_walk w = { .s = s, .d = out, .ops = &strict_ops };

	return mesh_walk_json(&w, doc);
}
