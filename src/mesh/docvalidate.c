/* SPDX-License-Identifier: MIT */
/*
 * docvalidate.c - level R validation (spec/document.md §4.2): the checks the
 * SDK runtimes make on edits, plus value types and enums (which no SDK
 * checks; meshfs and meshroomd do, DESIGN.md decisions 4 and 9).
 *
 * Three entry points check the same rules:
 *  - mesh_validate_json: a document JSON before it is built or merged
 *    (what a write to a document file goes through);
 *  - mesh_doc_validate: a live libyjs document, walked without rendering
 *    (what the server runs on a replica whose document was invalid);
 *  - mesh_doc_validate_txn: what one transaction of a live document
 *    inserted (what the server runs on a replica after an incoming update,
 *    when the document was valid: O(update), not O(document)).
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
 * tag is known (even if misplaced, so that its inside is checked too) and
 * leaves the fault, if any, in msg ("" when none).  msg is larger than a
 * reported message so that mesh_walk_report cuts it as it cuts others. */
#define TAG_MSG_MAX (MESH_ERROR_MSG_MAX + 512)
static const struct mesh_element *tag_check(char *msg, size_t len,
					    const struct mesh_schema *s,
					    const struct mesh_element *parent,
					    const char *tag)
{
	const struct mesh_element *et = mesh_schema_element(s, tag);
	char tags[256];

	msg[0] = '\0';
	if (!et) {
		snprintf(msg, len, "unknown element \"%s\" (not in the schema)",
			 tag);
		return NULL;
	}
	if (!parent->child) {
		snprintf(msg, len, "children are not allowed on \"%s\"",
			 parent->tag);
	} else if (!mesh_property_allows_tag(parent->child, tag)) {
		mesh_tag_list(tags, sizeof(tags), parent->child);
		snprintf(
			msg, len,
			"element \"%s\" is not allowed in \"%s\" of \"%s\" (allowed: %s)",
			tag, parent->child->name, parent->tag, tags);
	}
	return et;
}

static const struct mesh_element *check_tag(struct mesh_walk *w,
					    const struct mesh_element *parent,
					    const char *tag)
{
	const struct mesh_element *et;
	char msg[TAG_MSG_MAX];

	et = tag_check(msg, sizeof(msg), w->s, parent, tag);
	if (msg[0])
		mesh_walk_report(w, "%s", msg);
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

/*
 * The live walks build no JSON pointer while they descend: valid nodes, the
 * overwhelming majority, cost nothing, and the pointer of a fault is made
 * when it is reported, from the element the walk started at (c->base,
 * located by walking up its parents) and the frames of the descent below
 * it.  The full walk starts at the root; the incremental one
 * (mesh_doc_validate_txn) at each element that a transaction changed.
 */
struct live_frame {
	const struct live_frame *up; /* NULL: the element is c->base */
	const struct mesh_element *pet; /* schema type of the parent */
	struct y_type *el;
	uint64_t idx;
	bool idx_known; /* else y_type_index(el) when needed */
};

struct live {
	struct mesh_walk w; /* w.ptr: scratch, filled at report time */
	struct y_type *base;
};

/* "/<child property>/<idx>/<tag>" of an element below a parent of type pet
 * (just "/<tag>" when pet has no child property, as the JSON form has). */
static void push_step(struct mesh_ptr *p, const struct mesh_element *pet,
		      uint64_t idx, const char *tag)
{
	if (pet && pet->child) {
		mesh_ptr_push(p, pet->child->name);
		mesh_ptr_push_index(p, (size_t)idx);
	}
	mesh_ptr_push(p, tag ? tag : "");
}

static void push_base(struct mesh_ptr *p, const struct mesh_schema *s,
		      struct y_type *el)
{
	struct y_type *par = y_type_parent(el);
	const struct mesh_element *pet;
	uint64_t idx = 0;

	if (!par) {
		mesh_ptr_push(p, mesh_schema_root(s)->tag);
		return;
	}
	push_base(p, s, par);
	pet = y_type_parent(par) ? mesh_schema_element(s, y_type_name(par)) :
				   mesh_schema_root(s);
	y_type_index(&idx, el);
	push_step(p, pet, idx, y_type_name(el));
}

static void push_frames(struct live *c, const struct live_frame *f)
{
	uint64_t idx;

	if (!f) {
		push_base(&c->w.ptr, c->w.s, c->base);
		return;
	}
	push_frames(c, f->up);
	idx = f->idx;
	if (!f->idx_known && y_type_index(&idx, f->el))
		idx = 0;
	push_step(&c->w.ptr, f->pet, idx, y_type_name(f->el));
}

enum live_at {
	AT_ELEMENT, /* the element itself */
	AT_KEY, /* its attribute key */
	AT_CHILD, /* its child idx */
	AT_TAG, /* the tag (key) of its child idx */
};

/* Points c->w.ptr at a fault of the element f (its schema type et), just
 * before it is reported.  Once the diagnostics are full only the count
 * goes on: no pointer is needed. */
static void live_at(struct live *c, const struct live_frame *f,
		    const struct mesh_element *et, enum live_at at,
		    const char *key, uint64_t idx)
{
	mesh_ptr_pop(&c->w.ptr, 0);
	if (c->w.d->n >= MESH_DIAG_MAX)
		return;
	push_frames(c, f);
	if (at == AT_KEY) {
		mesh_ptr_push(&c->w.ptr, key);
	} else if (at == AT_CHILD && et->child) {
		mesh_ptr_push(&c->w.ptr, et->child->name);
		mesh_ptr_push_index(&c->w.ptr, (size_t)idx);
	} else if (at == AT_TAG) {
		push_step(&c->w.ptr, et, idx, key);
	}
}

/* One attribute of element f; returns true when it is the "$id". */
static bool live_attr(struct live *c, const struct live_frame *f,
		      const struct mesh_element *et, const char *key,
		      const struct y_value *v)
{
	char msg[MESH_ERROR_MSG_MAX];
	const struct mesh_property *p;
	bool is_id = false;
	cJSON *j;

	p = mesh_element_property(et, key);
	if (!p && !strcmp(key, "$id")) {
		is_id = true;
		if (v->kind != Y_VALUE_ANY || v->any->kind != Y_ANY_STRING ||
		    !v->any->str.len) {
			live_at(c, f, et, AT_KEY, key, 0);
			mesh_walk_report(&c->w,
					 "\"$id\" must be a non-empty string");
		}
	} else if (!p) {
		live_at(c, f, et, AT_KEY, key, 0);
		mesh_walk_report(
			&c->w,
			"unexpected property \"%s\" (not in the schema of \"%s\")",
			key, et->tag);
	} else if (p->kind == MESH_PROP_CHILD) {
		/* The Python SDK stores the child array as an attribute too
		 * (spec §3.4 quirk 5): ignore it. */
	} else if (v->kind != Y_VALUE_ANY) {
		live_at(c, f, et, AT_KEY, key, 0);
		mesh_walk_report(&c->w,
				 "expected a %s value, got a shared type",
				 mesh_value_type_name(p->type));
	} else {
		j = mesh_any_to_cjson(v->any);
		if (!j) {
			c->w.err = -ENOMEM;
		} else if (!mesh_property_check_value(p, j, msg, sizeof(msg))) {
			live_at(c, f, et, AT_KEY, key, 0);
			mesh_walk_report(&c->w, "%s", msg);
		}
		cJSON_Delete(j);
	}
	return is_id;
}

static void live_missing_id(struct live *c, const struct live_frame *f,
			    const struct mesh_element *et)
{
	live_at(c, f, et, AT_ELEMENT, NULL, 0);
	mesh_walk_report(&c->w, "missing \"$id\" (every element needs one)");
}

static void live_attrs(struct live *c, const struct live_frame *f,
		       struct y_type *el, const struct mesh_element *et,
		       bool root)
{
	struct y_map_iter it;
	struct y_value v;
	const char *key;
	size_t klen;
	bool has_id = false;

	y_map_iter_init(&it, el);
	while (y_map_iter_next(&it, &key, &klen, &v))
		if (live_attr(c, f, et, key, &v))
			has_id = true;
	if (!root && !has_id)
		live_missing_id(c, f, et);
}

static void live_element(struct live *c, const struct live_frame *f,
			 struct y_type *el, const struct mesh_element *et,
			 bool root);

/*
 * Child v of element f (type et).  idx is its index, or, when ins is
 * non-NULL, ins's index plus idx, computed only if a fault needs it.
 */
static void live_child(struct live *c, const struct live_frame *f,
		       const struct mesh_element *et, const struct y_value *v,
		       uint64_t idx, const struct y_insert *ins)
{
	struct live_frame down = { .up = f, .pet = et };
	const struct mesh_element *cet;
	char what[40], msg[TAG_MSG_MAX];
	enum y_kind kind = Y_KIND_UNKNOWN;
	uint64_t at = 0;
	const char *tag;

	if (v->kind == Y_VALUE_TYPE)
		kind = y_type_kind(v->type);
	if (kind == Y_XML_ELEMENT) {
		tag = y_type_name(v->type);
		cet = tag_check(msg, sizeof(msg), c->w.s, et, tag ? tag : "");
		if (msg[0]) {
			if (ins && y_insert_index(&at, ins))
				at = 0;
			live_at(c, f, et, AT_TAG, tag ? tag : "", at + idx);
			mesh_walk_report(&c->w, "%s", msg);
		}
		if (!cet)
			return;
		down.el = v->type;
		down.idx = idx;
		down.idx_known = !ins;
		live_element(c, &down, v->type, cet, false);
		return;
	}
	if (kind == Y_XML_TEXT && mesh_tag_has_text(et->tag))
		return;
	if (ins && y_insert_index(&at, ins))
		at = 0;
	at += idx;
	/* without a child property the pointer cannot say which child: the
	 * message does */
	if (et->child)
		snprintf(what, sizeof(what), "this child");
	else
		snprintf(what, sizeof(what), "child %llu",
			 (unsigned long long)at);
	live_at(c, f, et, AT_CHILD, NULL, at);
	if (v->kind != Y_VALUE_TYPE)
		mesh_walk_report(&c->w, "%s is a plain value, not an element",
				 what);
	else if (kind == Y_XML_TEXT)
		mesh_walk_report(
			&c->w,
			"%s: a text node is only allowed in a \"text\" element, not in \"%s\"",
			what, et->tag);
	else
		mesh_walk_report(&c->w, "%s is a %s, not an element", what,
				 kind_name(kind));
}

static void live_element(struct live *c, const struct live_frame *f,
			 struct y_type *el, const struct mesh_element *et,
			 bool root)
{
	struct y_list_iter it;
	struct y_value v;
	uint64_t i = 0;

	live_attrs(c, f, el, et, root);
	y_list_iter_init(&it, el);
	for (; y_list_iter_next(&it, &v); i++)
		live_child(c, f, et, &v, i, NULL);
}

int mesh_doc_validate(struct mesh_diag *out, struct y_doc *doc,
		      const struct mesh_schema *s)
{
	struct live c = { .w = { .s = s, .d = out } };
	size_t start = out->total;
	struct y_type *yroot;
	int ret;

	ret = mesh_doc_root(&yroot, doc);
	if (ret)
		return ret;
	c.base = yroot;
	live_element(&c, NULL, yroot, mesh_schema_root(s), true);
	return mesh_walk_end(&c.w, start);
}

/*
 * The schema type of el when the full walk would check el as an element
 * that existed before txn: el and every ancestor are live XmlElements in
 * child lists (not map values) up to the "xml" root, none created by txn
 * (the walk of the top-most new element covers what is below it).  NULL
 * otherwise.  In a document that was valid before, every such element has
 * a known tag.
 */
static const struct mesh_element *old_element(struct y_txn *txn,
					      const struct mesh_schema *s,
					      struct y_type *el, bool *root)
{
	struct y_type *t, *par;
	const char *name;

	for (t = el;; t = par) {
		if (y_type_kind(t) != Y_XML_ELEMENT)
			return NULL;
		par = y_type_parent(t);
		if (!par)
			break;
		if (y_type_deleted(t) || y_type_key(t) || y_txn_created(txn, t))
			return NULL;
	}
	name = y_type_root_name(t);
	if (!name || strcmp(name, MESH_DOC_ROOT))
		return NULL;
	*root = el == t;
	return *root ? mesh_schema_root(s) :
		       mesh_schema_element(s, y_type_name(el));
}

int mesh_doc_validate_txn(struct mesh_diag *out, struct y_txn *txn,
			  const struct mesh_schema *s)
{
	struct live c = { .w = { .s = s, .d = out } };
	const struct mesh_element *et;
	size_t start = out->total, pos = 0;
	struct y_insert_iter it;
	struct y_insert ins;
	struct y_value v;
	struct y_type *t;
	uint64_t k;
	bool root;

	y_insert_iter_init(&it, txn);
	while (!c.w.err && y_insert_iter_next(&it, &ins)) {
		if (ins.deleted || !ins.n_values)
			continue;
		et = old_element(txn, s, ins.parent, &root);
		if (!et)
			continue;
		c.base = ins.parent;
		if (ins.key) {
			live_attr(&c, NULL, et, ins.key, &ins.value);
			continue;
		}
		if (ins.value.kind == Y_VALUE_TYPE) {
			live_child(&c, NULL, et, &ins.value, 0, &ins);
			continue;
		}
		for (k = 0; k < ins.n_values; k++)
			live_child(&c, NULL, et, &ins.value, k, &ins);
	}
	/* Deletions remove faults, except that of an element's "$id". */
	while (!c.w.err && (t = y_txn_changed_next(txn, &pos))) {
		et = old_element(txn, s, t, &root);
		if (!et || root)
			continue;
		if (!mesh_element_property(et, "$id") &&
		    !y_map_get(&v, t, "$id", 3))
			continue;
		c.base = t;
		live_missing_id(&c, NULL, et);
	}
	return mesh_walk_end(&c.w, start);
}
