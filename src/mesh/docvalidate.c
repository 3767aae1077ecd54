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

struct rctx {
	const struct mesh_schema *s;
	struct mesh_diag *d;
	struct mesh_ptr ptr;
	unsigned flags;
	int err;
};

static MESH_PRINTF(2, 3) void report(struct rctx *c, const char *fmt, ...)
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

static void tag_list(char *buf, size_t len, const struct mesh_property *p)
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

/* The tag check shared by both walks; returns the element type when the
 * tag is known (even if misplaced, so that its inside is checked too). */
static const struct mesh_element *
check_tag(struct rctx *c, const struct mesh_element *parent, const char *tag)
{
	const struct mesh_element *et = mesh_schema_element(c->s, tag);
	char tags[256];

	if (!et) {
		report(c, "unknown element \"%s\" (not in the schema)", tag);
		return NULL;
	}
	if (!parent->child) {
		report(c, "children are not allowed on \"%s\"", parent->tag);
	} else if (!mesh_property_allows_tag(parent->child, tag)) {
		tag_list(tags, sizeof(tags), parent->child);
		report(c,
		       "element \"%s\" is not allowed in \"%s\" of \"%s\" (allowed: %s)",
		       tag, parent->child->name, parent->tag, tags);
	}
	return et;
}

/* ---------------------------------------------------------------------- */
/* JSON                                                                    */
/* ---------------------------------------------------------------------- */

static void json_value(struct rctx *c, const struct mesh_element *et,
		       const cJSON *v, bool root);

static void json_delta(struct rctx *c, const cJSON *delta)
{
	const cJSON *op, *m;
	size_t i = 0, saved, saved2;

	if (!cJSON_IsArray(delta)) {
		report(c,
		       "expected an array of {\"insert\": ...} operations, got %s",
		       mesh_json_type_name(delta));
		return;
	}
	for (op = delta->child; op; op = op->next, i++) {
		saved = c->ptr.len;
		mesh_ptr_push_index(&c->ptr, i);
		if (!cJSON_IsObject(op)) {
			report(c,
			       "expected an {\"insert\": ...} object, got %s",
			       mesh_json_type_name(op));
		} else if (!mesh_json_get(op, "insert")) {
			report(c,
			       "missing \"insert\" (a text node holds only inserts)");
		}
		for (m = cJSON_IsObject(op) ? op->child : NULL; m;
		     m = m->next) {
			saved2 = c->ptr.len;
			mesh_ptr_push(&c->ptr, m->string);
			if (!strcmp(m->string, "insert")) {
				if (!cJSON_IsString(m) && !cJSON_IsObject(m))
					report(c,
					       "expected a string (or an embed object), got %s",
					       mesh_json_type_name(m));
			} else if (!strcmp(m->string, "attributes")) {
				if (!cJSON_IsObject(m) && !cJSON_IsNull(m))
					report(c,
					       "expected an object of formatting attributes, got %s",
					       mesh_json_type_name(m));
			} else {
				report(c,
				       "unexpected key \"%s\" (a text node's delta holds only insert and attributes)",
				       m->string);
			}
			mesh_ptr_pop(&c->ptr, saved2);
		}
		mesh_ptr_pop(&c->ptr, saved);
	}
}

static void json_entry(struct rctx *c, const struct mesh_element *parent,
		       const cJSON *entry)
{
	const struct mesh_element *et;
	size_t n, saved;
	const cJSON *m;

	if (cJSON_IsString(entry) || mesh_json_is_text_node(c->s, entry)) {
		if (!mesh_tag_has_text(parent->tag)) {
			report(c,
			       "a text node is only allowed in a \"text\" element, not in \"%s\"",
			       parent->tag);
			return;
		}
		if (cJSON_IsString(entry))
			return;
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, MESH_TEXT_TAG);
		mesh_ptr_push(&c->ptr, "delta");
		json_delta(c, entry->child->child);
		mesh_ptr_pop(&c->ptr, saved);
		return;
	}
	if (!cJSON_IsObject(entry)) {
		report(c,
		       "expected an element object {\"<tag>\": {...}}, got %s",
		       mesh_json_type_name(entry));
		return;
	}
	n = mesh_json_count(entry);
	if (n != 1)
		report(c,
		       "an element object must have exactly one key (its tag), got %zu",
		       n);
	for (m = entry->child; m; m = m->next) {
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, m->string);
		et = check_tag(c, parent, m->string);
		if (et)
			json_value(c, et, m, false);
		mesh_ptr_pop(&c->ptr, saved);
	}
}

static void json_value(struct rctx *c, const struct mesh_element *et,
		       const cJSON *v, bool root)
{
	char msg[MESH_ERROR_MSG_MAX];
	const struct mesh_property *p;
	const cJSON *m, *e;
	size_t saved, saved2, i;

	if (!cJSON_IsObject(v)) {
		report(c,
		       "expected an object with the properties of \"%s\", got %s",
		       et->tag, mesh_json_type_name(v));
		return;
	}
	for (m = v->child; m; m = m->next) {
		saved = c->ptr.len;
		mesh_ptr_push(&c->ptr, m->string);
		p = mesh_element_property(et, m->string);
		if (!strcmp(m->string, "$id") && !p) {
			if (root)
				report(c, "the root element has no \"$id\"");
			else if (!(c->flags & MESH_DOC_IDS))
				report(c,
				       "unexpected key \"$id\" (ids are assigned by the document)");
			else if (!cJSON_IsString(m) || !m->valuestring[0])
				report(c,
				       "expected \"$id\" to be a non-empty string, got %s",
				       mesh_json_type_name(m));
		} else if (!p) {
			report(c,
			       "unexpected property \"%s\" (not in the schema of \"%s\")",
			       m->string, et->tag);
		} else if (p->kind == MESH_PROP_VALUE) {
			if (!mesh_property_check_value(p, m, msg, sizeof(msg)))
				report(c, "%s", msg);
		} else if (!cJSON_IsArray(m)) {
			report(c, "expected an array of child elements, got %s",
			       mesh_json_type_name(m));
		} else {
			for (e = m->child, i = 0; e; e = e->next, i++) {
				saved2 = c->ptr.len;
				mesh_ptr_push_index(&c->ptr, i);
				json_entry(c, et, e);
				mesh_ptr_pop(&c->ptr, saved2);
			}
		}
		mesh_ptr_pop(&c->ptr, saved);
	}
}

int mesh_validate_json(struct mesh_diag *out, const struct mesh_schema *s,
		       const cJSON *doc, unsigned flags)
{
	const struct mesh_element *root = mesh_schema_root(s);
	struct rctx c = { .s = s, .d = out, .flags = flags };
	size_t start = out->total;
	bool found = false;
	const cJSON *m;

	if (!cJSON_IsObject(doc)) {
		report(&c, "expected a JSON object {\"%s\": {...}}, got %s",
		       root->tag, mesh_json_type_name(doc));
		goto out;
	}
	for (m = doc->child; m; m = m->next) {
		mesh_ptr_push(&c.ptr, m->string);
		if (!strcmp(m->string, root->tag)) {
			found = true;
			json_value(&c, root, m, true);
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

static void live_attrs(struct rctx *c, struct y_type *el,
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
				report(c, "\"$id\" must be a non-empty string");
		} else if (!p) {
			report(c,
			       "unexpected property \"%s\" (not in the schema of \"%s\")",
			       key, et->tag);
		} else if (p->kind == MESH_PROP_CHILD) {
			/* The Python SDK stores the child array as an
			 * attribute too (spec §3.4 quirk 5): ignore it. */
		} else if (v.kind != Y_VALUE_ANY) {
			report(c, "expected a %s value, got a shared type",
			       mesh_value_type_name(p->type));
		} else {
			j = mesh_any_to_cjson(v.any);
			if (!j)
				c->err = -ENOMEM;
			else if (!mesh_property_check_value(p, j, msg,
							    sizeof(msg)))
				report(c, "%s", msg);
			cJSON_Delete(j);
		}
		mesh_ptr_pop(&c->ptr, saved);
	}
	if (!root && !has_id)
		report(c, "missing \"$id\" (every element needs one)");
}

static void live_element(struct rctx *c, struct y_type *el,
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
			report(c, "%s is a plain value, not an element", what);
		} else if (y_type_kind(v.type) == Y_XML_TEXT) {
			if (!mesh_tag_has_text(et->tag))
				report(c,
				       "%s: a text node is only allowed in a \"text\" element, not in \"%s\"",
				       what, et->tag);
		} else if (y_type_kind(v.type) != Y_XML_ELEMENT) {
			report(c, "%s is a %s, not an element", what,
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
	struct rctx c = { .s = s, .d = out };
	size_t start = out->total;
	struct y_type *yroot;
	int ret;

	ret = mesh_doc_root(&yroot, doc);
	if (ret)
		return ret;
	mesh_ptr_push(&c.ptr, root->tag);
	live_element(&c, yroot, root, true);
	mesh_ptr_free(&c.ptr);
	if (c.err)
		return c.err;
	return out->total > start ? -EINVAL : 0;
}
