/* SPDX-License-Identifier: MIT */
/*
 * mesh.h - public API of the mesh layer: MeshSchema (parse, emit, look up,
 * strict validation) and, later, MeshDocument.
 *
 * The formats are specified in spec/document.md: a MeshSchema is JSON (§2)
 * that is at the same time a JSON Schema for the document JSON (§3, §5).
 * This layer sits on top of src/yjs and uses cJSON for JSON values; the
 * layers above include only this header (and yjs.h).
 *
 * Conventions: functions return 0 or a negative errno (-EINVAL for invalid
 * input, -ENOMEM), out parameters first.  Strings are UTF-8.
 *
 * Sections:
 *   1. errors and diagnostics (struct mesh_error, struct mesh_diag)
 *   2. JSON text (parse with JSON.parse semantics, deterministic printing)
 *   3. schema (struct mesh_schema and its elements and properties)
 *   4. strict validation (level S, spec §4.1)
 *   (5. document: to be added by the MeshDocument work)
 */
#ifndef MESHFS_MESH_H
#define MESHFS_MESH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * 1. Errors and diagnostics
 * ====================================================================== */

/* Sizes of the fixed buffers of struct mesh_error (terminating NUL
 * included).  Longer texts are cut: a path keeps its head and tail with
 * "..." in between, a message ends in "...". */
#define MESH_ERROR_PATH_MAX 256
#define MESH_ERROR_MSG_MAX 512

/*
 * One error: where and what.
 *
 * path is an RFC 6901 JSON pointer into the JSON the error is about (the
 * schema JSON or the document JSON), e.g. "/html/children/0/p/class" or
 * "/$defs/p/properties/p/properties/class/type"; "~" and "/" inside keys are
 * written "~0" and "~1".  "" is the whole document (then msg says enough on
 * its own, e.g. invalid JSON text).  For a missing key the path points at
 * where the key should be, and msg names the key.
 *
 * msg is one line of English without the path, e.g.
 * "expected string or null, got number".
 *
 * A plain value type without pointers: it can be copied, kept in a file
 * handle and shown later (meshfs shows "path: msg" in user.meshfs.error).
 */
struct mesh_error {
	char path[MESH_ERROR_PATH_MAX];
	char msg[MESH_ERROR_MSG_MAX];
};

/* Empties err (both strings ""). */
void mesh_error_clear(struct mesh_error *err);

/*
 * Writes "path: msg" (just "msg" when path is "") into buf, NUL-terminated
 * and cut to len.  Returns the length the full text has (snprintf style).
 */
int mesh_error_format(char *buf, size_t len, const struct mesh_error *err);

/* At most this many errors are kept in a struct mesh_diag; later ones are
 * only counted (total). */
#define MESH_DIAG_MAX 100

/*
 * A list of errors, in the order they were found (document order).
 * Zero-initialise (or mesh_diag_init) before use; free with mesh_diag_free.
 * errors[0..n) are kept, total counts all the errors found (total >= n).
 */
struct mesh_diag {
	struct mesh_error *errors;
	size_t n;
	size_t total;
};

void mesh_diag_init(struct mesh_diag *d);
/* Frees the list and re-initialises d (safe to call twice). */
void mesh_diag_free(struct mesh_diag *d);
/*
 * *out = a newly allocated text with one "path: msg" line per kept error
 * (each ends in "\n"), plus a last line "... and N more errors" when some
 * were only counted.  "" for an empty list.  Caller frees *out with free().
 */
int mesh_diag_format(char **out, const struct mesh_diag *d);

/* ======================================================================
 * 2. JSON text
 * ====================================================================== */

/*
 * Parses JSON text (len bytes, need not be NUL-terminated) into a cJSON tree
 * with the semantics of JavaScript's JSON.parse, which the SDKs use:
 *  - strict RFC 8259 syntax: whole input is one value (whitespace around it
 *    allowed), no leading zeros or "1." numbers, no raw control characters
 *    in strings, valid UTF-8 only;
 *  - duplicate keys in an object: the LAST value wins and the key keeps the
 *    position of its FIRST occurrence (as JSON.parse does);
 *  - deviations: "\u0000" inside a string is refused (cJSON strings are
 *    NUL-terminated), nesting deeper than 1000 is refused (cJSON's limit),
 *    and integer-like keys keep document order (JavaScript would enumerate
 *    them first).
 * On success *out owns the tree (cJSON_Delete it).  On -EINVAL err says
 * where ("invalid JSON at byte B (line L, column C): why"), *out is NULL.
 */
int mesh_json_parse(cJSON **out, const char *text, size_t len,
		    struct mesh_error *err);

/*
 * Pretty-prints v the way JSON.stringify(v, null, 2) does, plus a final
 * "\n": 2-space indent, "key": value, empty containers as {} and [], keys in
 * tree order, integral numbers without a fraction (100, not 100.0),
 * non-finite numbers as null, non-ASCII UTF-8 as is.
 * *out is newly allocated (free()).  -ENOMEM, or -EINVAL for a cJSON_Raw
 * or invalid node.
 */
int mesh_json_print(char **out, const cJSON *v);

/* ======================================================================
 * 3. Schema (spec/document.md §2)
 * ====================================================================== */

/* The simple value types of a value property. */
enum mesh_value_type {
	MESH_TYPE_STRING,
	MESH_TYPE_NUMBER,
	MESH_TYPE_BOOLEAN,
	MESH_TYPE_NULL,
};

enum mesh_prop_kind {
	MESH_PROP_VALUE, /* an attribute: string / number / boolean / null */
	MESH_PROP_CHILD, /* the (single) slot listing the allowed child tags */
};

struct mesh_element;

/*
 * One property of an element type, in declaration order.  Read-only; owned
 * by the schema and valid until mesh_schema_free.
 */
struct mesh_property {
	enum mesh_prop_kind kind;
	const char *name;
	const char *description; /* NULL when none; never "" */

	/* MESH_PROP_VALUE only: */
	enum mesh_value_type type;
	/*
	 * false: null is also accepted (JSON "type": [T, "null"]).  A property
	 * with an enum is always required, since its JSON type is written as
	 * a scalar (spec §2.3, TS/PY behaviour); parsing normalises it.
	 */
	bool required;
	const cJSON *enum_values; /* NULL, or a JSON array of allowed values */

	/* MESH_PROP_CHILD only: */
	bool ordered; /* position i must be tags[i]; at most n_tags children */
	size_t n_tags;
	const char *const *tags; /* allowed tags, schema order (may repeat) */
	/* tag_elements[i] is the element type of tags[i] */
	const struct mesh_element *const *tag_elements;
};

/* One element type.  Read-only, owned by the schema. */
struct mesh_element {
	const char *tag;
	const char *description; /* NULL when none; never "" */
	size_t index; /* position in the schema ($defs order) */
	size_t n_props;
	const struct mesh_property *props; /* declaration order */
	const struct mesh_property *child; /* NULL, or the child property */
};

/* A parsed, validated MeshSchema.  Immutable; safe to share read-only
 * between threads. */
struct mesh_schema;

/*
 * Parses schema JSON text (see mesh_json_parse for the JSON rules) and
 * builds the schema, checking every rule of spec §2.4/§2.5.  All or nothing:
 * on error *out is NULL, nothing is leaked, and err (if not NULL) holds ONE
 * error with the JSON pointer of the fault in the schema JSON, e.g.
 *   /$defs/p/properties/p/properties/class/type: Invalid value type: integer
 * The messages of the TS SDK are used where it has one ("b was not found in
 * tags", "Element not found: zz", "Only one child property is allowed",
 * "Invalid array type encountered", "typeJson must be an object",
 * "Invalid schema json: no properties found", "a was found more than once");
 * missing keys and wrong JSON types are named: 'missing key "$defs"',
 * '"$defs" must be an object, got array'.
 * Returns 0, -EINVAL (invalid JSON or schema) or -ENOMEM.
 * On success the caller owns *out (mesh_schema_free).
 */
int mesh_schema_parse(struct mesh_schema **out, const char *json, size_t len,
		      struct mesh_error *err);

/*
 * The same from a cJSON tree (e.g. the "schema" member of a sync.open
 * packet).  json is not modified or kept.  Duplicate keys in json are
 * resolved as mesh_json_parse does (last value wins).
 */
int mesh_schema_parse_cjson(struct mesh_schema **out, const cJSON *json,
			    struct mesh_error *err);

/*
 * The schema JSON, as the TS SDK's toJson() writes it (key order
 * $root_tag_ref, $defs, then the root definition merged in; descriptions
 * only when non-empty), pretty-printed with mesh_json_print (2-space indent,
 * final newline).  *out is newly allocated (free()).  0 or -ENOMEM.
 */
int mesh_schema_to_json(char **out, const struct mesh_schema *s);
/* The same JSON as a new cJSON tree (cJSON_Delete it).  0 or -ENOMEM. */
int mesh_schema_to_cjson(cJSON **out, const struct mesh_schema *s);

/* Frees s and everything it owns.  NULL is fine. */
void mesh_schema_free(struct mesh_schema *s);

/* true when a and b define the same schema: root tag, elements in order,
 * properties in order with all their fields (enums compared as JSON). */
bool mesh_schema_equal(const struct mesh_schema *a,
		       const struct mesh_schema *b);

/* The root element type (never NULL for a parsed schema). */
const struct mesh_element *mesh_schema_root(const struct mesh_schema *s);
const char *mesh_schema_root_tag(const struct mesh_schema *s);

/* Element types in schema ($defs) order: i < mesh_schema_element_count. */
size_t mesh_schema_element_count(const struct mesh_schema *s);
const struct mesh_element *mesh_schema_element_at(const struct mesh_schema *s,
						  size_t i);

/* The element type with this tag, or NULL (O(log n)). */
const struct mesh_element *mesh_schema_element(const struct mesh_schema *s,
					       const char *tag);

/* The property called name (value or child), or NULL. */
const struct mesh_property *mesh_element_property(const struct mesh_element *el,
						  const char *name);
/* The child property, or NULL when the element takes no children. */
const struct mesh_property *
mesh_element_child_property(const struct mesh_element *el);

/* true when tag is listed in the child property p (at any position, also
 * for an ordered one).  false when p is NULL or not a child property. */
bool mesh_property_allows_tag(const struct mesh_property *p, const char *tag);

/*
 * Level R "tag allowed under parent" (spec §4.2): true when parent_tag is an
 * element with a child property listing child_tag and child_tag is an
 * element.  Ordering is not checked (the runtime does not).
 */
bool mesh_schema_allows_child(const struct mesh_schema *s,
			      const char *parent_tag, const char *child_tag);

/* "string", "number", "boolean", "null". */
const char *mesh_value_type_name(enum mesh_value_type t);

/*
 * Checks one attribute value against value property p as level S does:
 * type (null only when !p->required or the type is null; number = any JSON
 * number) and enum.  Returns true when it matches; otherwise false and, when
 * msg is not NULL, a message such as "expected string or null, got number"
 * or "value \"z\" is not one of [\"x\", \"y\"]" in msg (cut to len).
 */
bool mesh_property_check_value(const struct mesh_property *p, const cJSON *v,
			       char *msg, size_t len);

/* ======================================================================
 * 4. Strict validation (level S, spec §4.1)
 * ====================================================================== */

/*
 * Validates the document JSON doc against s with the rules of the strict
 * JSON Schema that mesh_schema_to_json emits (spec §4.1):
 *  - the top level is exactly {"<root tag>": {...}};
 *  - every element is an object with exactly one key, a tag allowed at that
 *    position (unordered: any listed tag; ordered: entry i is tags[i], at
 *    most n_tags entries);
 *  - an element's value object has only its declared properties (so no
 *    "$id", no unknown attribute) and ALL of them, the child property as an
 *    array of elements;
 *  - value types and enums as mesh_property_check_value.
 * Every error is appended to out (created/extended; the caller frees it
 * with mesh_diag_free) with the pointer of the fault in doc, e.g.
 *   /html/children/0/p/class: expected string or null, got number
 *   /html/children/0/p/class: missing property "class"
 * Errors come in document order, an element's missing properties after
 * its contents.  Inside an element that is misplaced or unknown nothing
 * more is checked.
 * Returns 0 when doc is valid, -EINVAL when not (out->total > 0), -ENOMEM.
 * Duplicate keys in doc (possible with a tree not built by
 * mesh_json_parse) are each checked, as separate keys.
 */
int mesh_validate_strict(struct mesh_diag *out, const struct mesh_schema *s,
			 const cJSON *doc);

/* ======================================================================
 * 5. Documents (spec/document.md §3, §4.2, §6, §7.4)
 * ====================================================================== */

/*
 * A MeshDocument lives in a libyjs document (struct y_doc, yjs.h) in the
 * form the TypeScript SDK runtime gives it (spec §6): the root type "xml"
 * (opened as an XmlElement) is the schema's root element, holding its
 * children and its attributes; every other element is an XmlElement named
 * after its tag, with a "$id" attribute (a lowercase UUID v4) and one
 * attribute per value property set; an element tagged "text" has an
 * XmlText child that holds its rich text.  The functions below take the
 * y_doc and the schema; they never keep either.  Like the y_doc itself they
 * are single-threaded per document.
 *
 * Document JSON (spec §3) is {"<root tag>": {<attributes>, "<child
 * property>": [<child>, ...]}} where a child is {"<tag>": {...}} or, inside
 * a "text" element, a text node {"text": {"delta": [{"insert": "...",
 * "attributes": {...}}, ...]}}.
 */
struct y_doc;

/* The name of the root type. */
#define MESH_DOC_ROOT "xml"

/* Flags.  MESH_DOC_IDS: render "$id" (first in each element object); on
 * input, accept "$id" keys (build keeps them when unique; merge matches
 * elements by them). */
#define MESH_DOC_IDS 0x1u

/*
 * The document's JSON form as a new cJSON tree (cJSON_Delete it), built
 * deterministically: attributes in schema declaration order, absent ones
 * left out, "$id" first with MESH_DOC_IDS, the child property last and
 * always present ([] when empty); text nodes in the PY form above, each run
 * with an "attributes" object ({} when unformatted), adjacent runs with
 * the same formatting joined (yjs splits runs at redundant format items).  What the schema does
 * not describe is LEFT OUT: elements with unknown tags or tags not allowed
 * where they are (with their subtrees), attributes that are not value
 * properties (the Python SDK's stray child-array attribute included),
 * plain values in child lists, text nodes outside "text" elements and the
 * text of a "text" element whose type has no child property.
 * mesh_doc_validate reports all of these, and a merge leaves them alone.
 * 0, -EINVAL (NULL argument, or "xml" typed as another kind), -ENOMEM.
 */
int mesh_doc_to_cjson(cJSON **out, struct y_doc *doc,
		      const struct mesh_schema *s, unsigned flags);

/* The same pretty-printed by mesh_json_print (2-space indent, JS number
 * text, final newline): what a document file reads as.  *out is newly
 * allocated (free()); *out_len (may be NULL) its length. */
int mesh_doc_render(char **out, size_t *out_len, struct y_doc *doc,
		    const struct mesh_schema *s, unsigned flags);

/*
 * The render plus an index of where each element is in the text and which
 * "$id" it had (*index, may be NULL: none; free it with
 * mesh_render_index_free).  The file system layer keeps the text and the
 * index of each open file as the base of the next write, and passes both
 * to mesh_doc_merge_indexed, which can then handle a small edit without
 * parsing the whole texts.  The index belongs to this exact text.
 */
struct mesh_render_index;
int mesh_doc_render_indexed(char **out, size_t *out_len,
			    struct mesh_render_index **index, struct y_doc *doc,
			    const struct mesh_schema *s, unsigned flags);
void mesh_render_index_free(struct mesh_render_index *index);

/*
 * Level R validation of a document JSON (spec §4.2 plus value types and
 * enums): the top level is exactly {"<root tag>": {...}}; each element
 * object has one key, a tag of the schema listed by the parent's child
 * property; each other key of an element is one of its value properties
 * with a value of the declared type (null only when the property is not
 * required) and within its enum, or its child property holding an array;
 * "$id" only with MESH_DOC_IDS (a non-empty string, never on the root);
 * text nodes (and, as an input shorthand, plain strings, meaning one
 * unformatted run) only in the child array of a "text" element, their
 * delta made of {"insert": string or embed object, "attributes": object}.
 * Missing properties, `required` and `ordered` are NOT checked (level S,
 * mesh_validate_strict, does).  Every error is appended to out with its
 * JSON pointer, e.g.
 *   /html/children/0/body/children/1/div: unknown element "div" (not in the schema)
 *   /html/children/0/p: element "p" is not allowed in "children" of "html" (allowed: body)
 *   /html/children/0/body/children/0/p/id: unexpected property "id" (not in the schema of "p")
 *   /html/children/0/body/children/0/p/class: expected string or null, got number
 *   /schema/elements/0/element/schema/0/attribute/type: value "int" is not one of ["string", ...]
 * Returns 0 when valid, -EINVAL when not, -ENOMEM.
 */
int mesh_validate_json(struct mesh_diag *out, const struct mesh_schema *s,
		       const cJSON *doc, unsigned flags);

/*
 * The same rules on a live document, walked without rendering (what the
 * server runs on a replica after applying an incoming update, DESIGN.md
 * decision 9).  In addition every non-root element must have a string
 * "$id", child lists may hold only elements (and XmlTexts in "text"
 * elements), and an attribute named after the element's child property is
 * tolerated (the Python SDK writes one).  Pointers follow the JSON form;
 * the index of a child counts every item of the live child list.
 * 0 when valid, -EINVAL when not (out filled), -ENOMEM.
 */
int mesh_doc_validate(struct mesh_diag *out, struct y_doc *doc,
		      const struct mesh_schema *s);

/*
 * Incremental mesh_doc_validate: the same rules, messages and pointers,
 * applied only to what one transaction inserted (struct y_insert: an
 * attribute set on an element, a node inserted into an element's child
 * list with its whole subtree) and to the elements whose "$id" it deleted
 * (no other deletion can make a document invalid at this level).  Call it
 * from a y_doc_on_txn observer.  When the document was valid before the
 * transaction it reports a fault exactly when mesh_doc_validate would now
 * report more than before, and each fault it reports is one that
 * mesh_doc_validate reports (order aside); on a document that was invalid
 * already, use mesh_doc_validate.  Faults are appended to out.
 * 0 when nothing new is wrong, -EINVAL when something is, -ENOMEM.
 */
struct y_txn;
int mesh_doc_validate_txn(struct mesh_diag *out, struct y_txn *txn,
			  const struct mesh_schema *s);

/*
 * Creates the document described by json (sync.create's json, sync.open's
 * initial_json, spec §3.5) in the EMPTY document doc, in one transaction
 * (one update event), with the structure and item order of the TS runtime's
 * createNodes: for each root child in order, the element's item, then its
 * children (recursively), then "$id" and its other attributes in JSON key
 * order; a "text" element's XmlText first among its children (an empty one
 * when the JSON gives none); the root's attributes last.  New ids are fresh
 * UUID v4s, except with MESH_DOC_IDS, where a JSON "$id" is kept unless it
 * was already used in this document.
 * json is validated first (mesh_validate_json with flags); on any error
 * nothing is written and -EINVAL is returned with the errors in diag (may
 * be NULL).  -ENOTEMPTY when the document already has content, -ENOMEM.
 */
int mesh_doc_build(struct y_doc *doc, const struct mesh_schema *s,
		   const cJSON *json, unsigned flags, struct mesh_diag *diag);
/* The same from JSON text; a syntax error is reported in diag too. */
int mesh_doc_build_text(struct y_doc *doc, const struct mesh_schema *s,
			const char *text, size_t len, unsigned flags,
			struct mesh_diag *diag);

/* What a merge did (for logs and tests). */
struct mesh_merge_stats {
	size_t attrs_set; /* attribute items written */
	size_t attrs_deleted;
	size_t elements_inserted; /* new elements (nested ones counted) */
	size_t elements_deleted; /* subtrees deleted (roots counted) */
	size_t text_inserted; /* UTF-16 units */
	size_t text_deleted;
	size_t text_formatted; /* format calls */
	size_t dropped; /* edits dropped: their target was deleted remotely */
};

/*
 * Edit to operations: the 3-way merge of DESIGN.md decision 3 (spec §7.4).
 * base is the JSON the writer read (normally rendered with MESH_DOC_IDS;
 * NULL = the document as it is now), newj the JSON it wrote (with or
 * without "$id"s); doc is the live document, which may have moved on since
 * base was read.  newj is validated (level R, "$id" accepted); then the
 * smallest set of CRDT operations that turns base into newj is computed
 * and applied to doc in ONE transaction (one update event):
 *  - elements are matched per parent: by "$id" where newj carries one,
 *    otherwise structurally (an LCS over the children by tag, weighted by
 *    similarity; equal elements first), and inherit the matched base "$id";
 *    a base without ids is first matched the same way against the live
 *    document to learn them;
 *  - matched elements: each value property whose value differs from base
 *    is written, each one absent from newj but present in base deleted;
 *  - unmatched base children are deleted, unmatched new children inserted
 *    (whole subtrees, as mesh_doc_build builds them: fresh ids, or the
 *    JSON's "$id" if no element uses it) after their nearest left sibling
 *    that still exists; a moved element is a delete plus an insert;
 *  - text nodes: a character diff (common prefix/suffix, then an LCS over
 *    code points) gives inserts and deletes, plus format calls where the
 *    formatting of kept characters changed; positions are carried over
 *    to the live text through a diff of base against live, UTF-16 correct.
 * Conflict rules (base -> newj against remote changes base -> live):
 *  - what the writer did not change is not touched: concurrent remote
 *    changes to other attributes, elements and text survive;
 *  - the same attribute changed on both sides: the writer wins;
 *  - text edited on both sides: both edits are kept (positions merged);
 *    the same characters formatted on both sides: the writer's keys win;
 *  - an element (or attribute, or text) edited by the writer but deleted
 *    remotely (the element or an ancestor is gone): the edit is dropped
 *    and counted in stats->dropped, the element is NOT re-created; new
 *    children inserted under a remotely deleted parent are dropped too;
 *  - an element deleted by the writer but edited remotely: it is deleted
 *    (with the remote edits inside it);
 *  - elements inserted on both sides at the same place: both are kept, the
 *    CRDT orders them.
 * Returns 0 (stats, may be NULL, filled), -EINVAL when newj is invalid (the
 * errors in diag, may be NULL; doc unchanged) or base is malformed,
 * -ENOMEM (the transaction may then be partly applied).
 */
int mesh_doc_merge(struct mesh_merge_stats *stats, struct y_doc *doc,
		   const struct mesh_schema *s, const cJSON *base,
		   const cJSON *newj, struct mesh_diag *diag);
/* The same with the new JSON as text (a syntax error goes to diag). */
int mesh_doc_merge_text(struct mesh_merge_stats *stats, struct y_doc *doc,
			const struct mesh_schema *s, const cJSON *base,
			const char *text, size_t len, struct mesh_diag *diag);

/*
 * The same with the base as the text of mesh_doc_render_indexed and its
 * index (as the file system layer keeps them per open file; "$id"s are
 * taken from the index, so the text may have been rendered without them).
 * The result (document, update, stats, diagnostics) is that of
 * mesh_doc_merge_text with base = that render with MESH_DOC_IDS, but a
 * local edit is done without parsing the texts: the common prefix and
 * suffix of base_text and text bound the change, the innermost element
 * around it is re-parsed from text and merged alone into its live
 * element.  Whenever that does not apply (the change spans elements or
 * changes a tag or an id, the new entry does not parse or validate, the
 * element is gone from the live document) the full path runs.
 * MESH_MERGE_FULL in flags forces the full path (tests, benchmarks).
 * Known difference: with duplicate "$id"s in the live document the fast
 * path finds an element among its parent's children where the full path
 * would only look at the first element with that id.
 */
#define MESH_MERGE_FULL 0x100u
int mesh_doc_merge_indexed(struct mesh_merge_stats *stats, struct y_doc *doc,
			   const struct mesh_schema *s, const char *base_text,
			   size_t base_len,
			   const struct mesh_render_index *index,
			   const char *text, size_t len, unsigned flags,
			   struct mesh_diag *diag);

/* A random lowercase UUID v4 (getrandom), NUL-terminated.  0 or -errno. */
int mesh_uuid4(char out[37]);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_MESH_H */
