/* SPDX-License-Identifier: MIT */
/*
 * docvalidate.c - level R validation (spec/document.md §4.2): the checks the
 * SDK runtimes make on edits, plus value types and enums (which no SDK
 * checks; meshfs and meshroomd do, DESIGN.md decisions 4 and 9).
 *
 * Two entry points check the same rules:
 *  - mesh_validate_json: a document JSON before it is built or merged
 *    (what a write to a document file goes through);
 *  - mesh_doc_validate: a live libyjs document, walked without rendering
 *    (what the server runs on a replica after an incoming update).
 * The JSON is walked by the walk level S uses too (validate.c,
 * mesh_walk_json); this file gives it the level R hooks.
 * Rules: the top level is {"<root>": {...}}; every element object has one
 * key, a tag of the schema that the parent's child property lists; every
 * attribute is a value property of the element (the child property holds
 * the children, "$id" only where ids are accepted) with a value of the
 * declared type and, if given, one of the enum values; text nodes
 * {"text": {"delta": [...]}} (or, as a shorthand on input, plain strings)
 * only inside "text" elements.  Not checked, as in the SDK runtimes:
 * missing properties, `required`, `ordered` and cardinality (level S,
 * validate.c).  Every error is reported, with the JSON pointer of the fault.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docint.h"

/* The tag check shared by both walks; returns the element type when the
 * tag is known (even if misplaced, so that its inside is checked too). */
static const struct mesh_element *check_tag(struct mesh_walk *w,
					    const struct mesh_element *parent,
					    const char *tag)
{
	const struct mesh_element *et = mesh_schema_element(w->s, tag);
	char tags[256];

	if (!et) {
		mesh_walk_report(
			w, "unknown element \"%s\" (not in the schema)", tag);
		return NULL;
	}
	if (!parent->child) {
		mesh_walk_report(w, "children are not allowed on \"%s\"",
				 parent->tag);
	} else if (!mesh_property_allows_tag(parent->child, tag)) {
		mesh_tag_list(tags, sizeof(tags), parent->child);
		mesh_walk_report(
			w,
			"element \"%s\" is not allowed in \"%s\" of \"%s\" (allowed: %s)",
			tag, parent->child->name, parent->tag, tags);
	}
	return et;
}

/* ---------------------------------------------------------------------- */
/* JSON: the hooks of the walk in validate.c                               */
/* ---------------------------------------------------------------------- */

static void json_delta(struct mesh_walk *w, const cJSON *delta)
{
	const cJSON *op, *m;
	size_t i = 0, saved, saved2;

	if (!cJSON_IsArray(delta)) {
		mesh_walk_report(
			w,
			"expected an array of {\"insert\": ...} operations, got %s",
			mesh_json_type_name(delta));
		return;
	}
	for (op = delta->child; op; op = op->next, i++) {
		saved = w->ptr.len;
		mesh_ptr_push_index(&w->ptr, i);
		if (!cJSON_IsObject(op)) {
			mesh_walk_report(
				w,
				"expected an {\"insert\": ...} object, got %s",
				mesh_json_type_name(op));
		} else if (!mesh_json_get(op, "insert")) {
			mesh_walk_report(
				w,
				"missing \"insert\" (a text node holds only inserts)");
		}
		for (m = cJSON_IsObject(op) ? op->child : NULL; m;
		     m = m->next) {
			saved2 = w->ptr.len;
			mesh_ptr_push(&w->ptr, m->string);
			if (!strcmp(m->string, "insert")) {
				if (!cJSON_IsString(m) && !cJSON_IsObject(m))
					mesh_walk_report(
						w,
						"expected a string (or an embed object), got %s",
						mesh_json_type_name(m));
			} else if (!strcmp(m->string, "attributes")) {
				if (!cJSON_IsObject(m) && !cJSON_IsNull(m))
					mesh_walk_report(
						w,
						"expected an object of formatting attributes, got %s",
						mesh_json_type_name(m));
			} else {
				mesh_walk_report(
					w,
					"unexpected key \"%s\" (a text node's delta holds only insert and attributes)",
					m->string);
			}
			mesh_ptr_pop(&w->ptr, saved2);
		}
		mesh_ptr_pop(&w->ptr, saved);
	}
}

/* Text nodes (and plain strings, their shorthand) are dealt with here. */
static bool json_entry(struct mesh_walk *w, const struct mesh_element *parent,
		       const struct mesh_property *p, size_t idx,
		       const cJSON *entry)
{
	size_t saved;

	(void)p;
	(void)idx;
	if (!cJSON_IsString(entry) && !mesh_json_is_text_node(w->s, entry))
		return false;
	if (!mesh_tag_has_text(parent->tag)) {
		mesh_walk_report(
			w,
			"a text node is only allowed in a \"text\" element, not in \"%s\"",
			parent->tag);
		return true;
	}
	if (cJSON_IsString(entry))
		return true;
	saved = w->ptr.len;
	mesh_ptr_push(&w->ptr, MESH_TEXT_TAG);
	mesh_ptr_push(&w->ptr, "delta");
	json_delta(w, entry->child->child);
	mesh_ptr_pop(&w->ptr, saved);
	return true;
}

static const struct mesh_element *json_tag(struct mesh_walk *w,
					   const struct mesh_element *parent,
					   const struct mesh_property *p,
					   size_t idx, const char *tag)
{
	(void)p;
	(void)idx;
	return check_tag(w, parent, tag);
}

static void json_id(struct mesh_walk *w, const cJSON *v, bool root)
{
	if (root)
		mesh_walk_report(w, "the root element has no \"$id\"");
	else if (!(w->flags & MESH_DOC_IDS))
		mesh_walk_report(
			w,
			"unexpected key \"$id\" (ids are assigned by the document)");
	else if (!cJSON_IsString(v) || !v->valuestring[0])
		mesh_walk_report(
			w, "expected \"$id\" to be a non-empty string, got %s",
			mesh_json_type_name(v));
}

static const struct mesh_walk_ops json_ops = {
	.entry = json_entry,
	.tag = json_tag,
	.id = json_id,
};

int mesh_validate_json(struct mesh_diag *out, const struct mesh_schema *s,
		       const cJSON *doc, unsigned flags)
{
	struct mesh_walk w = {
		.s = s, .d = out, .ops = &json_ops, .flags = flags
	};

	return mesh_walk_json(&w, doc);
}

/* ---------------------------------------------------------------------- */
/* Live documents                                                          */
/* ---------------------------------------------------------------------- */

static const char *kind_name(enum y_kind k)
{
	switch (k) {
	case Y_ARRAY:
		return "Y.Array";
	case Y_MAP:
		return "Y.Map";
	case Y_TEXT:
		return "Y.Text";
	case Y_XML_ELEMENT:
		return "Y.XmlElement";
	case Y_XML_FRAGMENT:
		return "Y.XmlFragment";
	case Y_XML_HOOK:
		return "Y.XmlHook";
	case Y_XML_TEXT:
		return "Y.XmlText";
	default:
		return "unknown type";
	}
}

static void live_attrs(struct mesh_walk *c, struct y_type *el,
		       const struct mesh_element *et, bool root)
{
	char msg[MESH_ERROR_MSG_MAX];
	const struct mesh_property *p;
	struct y_map_iter it;
	struct y_value v;
	const char *key;
	size_t klen, saved;
	bool has_id = false;
	cJSON *j;

	y_map_iter_init(&it, el);
	while (y_map_iter_next(&it, &key, &klen, &v)) {
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, key);
		p = mesh_element_property(et, key);
		if (!strcmp(key, "$id") && !p) {
			has_id = true;
			if (v.kind != Y_VALUE_ANY ||
			    v.any->kind != Y_ANY_STRING || !v.any->str.len)
				mesh_walk_report(
					c,
					"\"$id\" must be a non-empty string");
		} else if (!p) {
			mesh_walk_report(
				c,
				"unexpected property \"%s\" (not in the schema of \"%s\")",
				key, et->tag);
		} else if (p->kind == MESH_PROP_CHILD) {
			/* The Python SDK stores the child array as an
			 * attribute too (spec §3.4 quirk 5): ignore it. */
		} else if (v.kind != Y_VALUE_ANY) {
			mesh_walk_report(
				c, "expected a %s value, got a shared type",
				mesh_value_type_name(p->type));
		} else {
			j = mesh_any_to_cjson(v.any);
			if (!j)
				c->err = -ENOMEM;
			else if (!mesh_property_check_value(p, j, msg,
							    sizeof(msg)))
				mesh_walk_report(c, "%s", msg);
			cJSON_Delete(j);
		}
		mesh_ptr_pop(&c->ptr, saved);
	}
	if (!root && !has_id)
		mesh_walk_report(c,
				 "missing \"$id\" (every element needs one)");
}

static void live_element(struct mesh_walk *c, struct y_type *el,
			 const struct mesh_element *et, bool root)
{
	const struct mesh_element *cet;
	struct y_list_iter it;
	struct y_value v;
	size_t i = 0, saved, saved2;
	const char *tag;
	char what[40];

	live_attrs(c, el, et, root);
	y_list_iter_init(&it, el);
	saved = c->ptr.len;
	if (et->child)
		mesh_ptr_push(&c->ptr, et->child->name);
	for (; y_list_iter_next(&it, &v); i++) {
		saved2 = c->ptr.len;
		if (et->child)
			mesh_ptr_push_index(&c->ptr, i);
		/* without a child property the pointer cannot say which
		 * child: the message does */
		if (et->child)
			snprintf(what, sizeof(what), "this child");
		else
			snprintf(what, sizeof(what), "child %zu", i);
		if (v.kind != Y_VALUE_TYPE) {
			mesh_walk_report(
				c, "%s is a plain value, not an element", what);
		} else if (y_type_kind(v.type) == Y_XML_TEXT) {
			if (!mesh_tag_has_text(et->tag))
				mesh_walk_report(
					c,
					"%s: a text node is only allowed in a \"text\" element, not in \"%s\"",
					what, et->tag);
		} else if (y_type_kind(v.type) != Y_XML_ELEMENT) {
			mesh_walk_report(c, "%s is a %s, not an element", what,
					 kind_name(y_type_kind(v.type)));
		} else {
			tag = y_type_name(v.type);
			mesh_ptr_push(&c->ptr, tag ? tag : "");
			cet = check_tag(c, et, tag ? tag : "");
			if (cet)
				live_element(c, v.type, cet, false);
		}
		mesh_ptr_pop(&c->ptr, saved2);
	}
	mesh_ptr_pop(&c->ptr, saved);
}

int mesh_doc_validate(struct mesh_diag *out, struct y_doc *doc,
		      const struct mesh_schema *s)
{
	const struct mesh_element *root = mesh_schema_root(s);
	struct mesh_walk c = { .s = s, .d = out };
	size_t start = out->total;
	struct y_type *yroot;
	int ret;

	ret = mesh_doc_root(&yroot, doc);
	if (ret)
		return ret;
	mesh_ptr_push(&c.ptr, root->tag);
	live_element(&c, yroot, root, true);
	return mesh_walk_end(&c, start);
}
