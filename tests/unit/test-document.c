/* SPDX-License-Identifier: MIT */
/*
 * test-document.c - unit tests of MeshDocument (src/mesh/document.c,
 * docvalidate.c, merge.c): the Yjs structure built from JSON (byte for
 * byte against yjs vector V2c), the JSON render of the worked examples of
 * spec/document.md §3.6 built directly through libyjs, build/render round
 * trips for every built-in schema, level R validation of JSON and of live
 * documents, and the 3-way merge (fixed scenarios for every conflict rule,
 * then property tests over random schemas, documents and edits, with
 * concurrent edits on a second replica exchanged as updates).
 *
 * The fixtures are read from $abs_top_srcdir/schemas/ (set by make check).
 * MESH_TEST_SEED=n replays the random tests with another seed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docint.h"
#include "mesh.h"
#include "tap.h"
#include "testutil.h"
#include "yjs.h"

/* ---------------------------------------------------------------- helpers */

static struct mesh_schema *schema_q(const char *json)
{
	struct mesh_schema *s = NULL;
	struct mesh_error err;
	char *text = q(json);

	if (mesh_schema_parse(&s, text, strlen(text), &err))
		bail_out("test schema: %s: %s", err.path, err.msg);
	free(text);
	return s;
}

static struct mesh_schema *load_schema(const char *name)
{
	struct mesh_schema *s = NULL;
	struct mesh_error err;
	char path[4096];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/schemas/%s.json", top_srcdir(), name);
	text = read_file(path, &len);
	if (!text)
		bail_out("cannot read %s (abs_top_srcdir not set?)", path);
	if (mesh_schema_parse(&s, text, len, &err))
		bail_out("%s: %s: %s", name, err.path, err.msg);
	free(text);
	return s;
}

static cJSON *json_q(const char *json)
{
	struct mesh_error err;
	char *text = q(json);
	cJSON *v;

	if (mesh_json_parse(&v, text, strlen(text), &err))
		bail_out("test JSON: %s (%s)", err.msg, json);
	free(text);
	return v;
}

/* The pretty form of a single-quoted JSON literal. */
static char *pretty_q(const char *json)
{
	cJSON *v = json_q(json);
	char *out;

	if (mesh_json_print(&out, v))
		bail_out("print");
	cJSON_Delete(v);
	return out;
}

static struct y_doc *new_doc(uint64_t client)
{
	struct y_doc_options o = { .client_id = client };
	struct y_doc *d;

	if (y_doc_new(&d, &o))
		bail_out("y_doc_new");
	return d;
}

static char *render(struct y_doc *d, const struct mesh_schema *s,
		    unsigned flags)
{
	char *out = NULL;
	int ret = mesh_doc_render(&out, NULL, d, s, flags);

	if (ret)
		diag("render: %s", strerror(-ret));
	return out;
}

static char *diag_text(const struct mesh_diag *d)
{
	char *t;

	if (mesh_diag_format(&t, d))
		bail_out("diag format");
	return t;
}

/* Collects update events. */
struct updates {
	int n;
	uint8_t *last;
	size_t last_len;
};

static void on_update(void *ctx, const uint8_t *u, size_t len, bool local,
		      void *origin)
{
	struct updates *up = ctx;

	(void)local;
	(void)origin;
	up->n++;
	free(up->last);
	up->last = malloc(len);
	memcpy(up->last, u, len);
	up->last_len = len;
}

static void sync_docs(struct y_doc *from, struct y_doc *to)
{
	uint8_t *sv, *u;
	size_t svl, ul;

	if (y_doc_state_vector(&sv, &svl, to) ||
	    y_doc_encode_state_as_update(&u, &ul, from, sv, svl, NULL) ||
	    y_doc_apply_update(to, u, ul, NULL))
		bail_out("sync");
	free(sv);
	free(u);
}

static int set_str(struct y_type *el, const char *k, const char *v)
{
	struct y_any a;
	int ret;

	y_any_init_string(&a, v, strlen(v));
	ret = y_map_set(el, k, strlen(k), &a);
	y_any_clear(&a);
	return ret;
}

static struct y_type *add_el(struct y_type *parent, uint64_t idx,
			     const char *tag, const char *id)
{
	struct y_type *t;

	if (y_list_insert_type(&t, parent, idx, Y_XML_ELEMENT, tag))
		bail_out("insert %s", tag);
	if (id && set_str(t, "$id", id))
		bail_out("set $id");
	return t;
}

/* ------------------------------------------------------------ schemas */

/* The schema of spec §3.6 example D (from the SDK tests). */
static const char *schema_d =
	"{'$root_tag_ref': '#/$defs/root', '$defs': {"
	"'root': {'type': 'object', 'additionalProperties': false, 'required': ['root'], 'properties': {'root': {'type': 'object', 'additionalProperties': false, 'required': ['hello', 'children'], 'properties': {"
	"  'hello': {'type': ['string', 'null']},"
	"  'children': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/child'}, {'$ref': '#/$defs/text'}]}}}}}},"
	"'child': {'type': 'object', 'additionalProperties': false, 'required': ['child'], 'properties': {'child': {'type': 'object', 'additionalProperties': false, 'required': ['hello', 'children'], 'properties': {"
	"  'hello': {'type': ['string', 'null']},"
	"  'children': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/child'}]}}}}}},"
	"'text': {'type': 'object', 'additionalProperties': false, 'required': ['text'], 'properties': {'text': {'type': 'object', 'additionalProperties': false, 'required': ['children', 'hello'], 'properties': {"
	"  'children': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/child'}]}},"
	"  'hello': {'type': ['string', 'null']}}}}}}}";

/* ------------------------------------------------------ V2c byte parity */

static void test_v2c(void)
{
	static const char *v2c =
		"01070500070103786d6c0304626f647907000500030170280005010324696401770270312800050105636c617373017707636f6e74656e74870501030170280005040324696401770270322800050003246964017702623100";
	struct mesh_schema *s = load_schema("html");
	struct y_doc *d = new_doc(5);
	struct updates up = { 0 };
	struct mesh_diag dg = { 0 };
	uint8_t want[200];
	size_t wn = unhex(want, v2c);
	char *text;
	int ret;

	y_doc_on_update(d, on_update, &up);
	text = q(
		"{'html': {'children': [{'body': {'$id': 'b1', 'children': ["
		"{'p': {'$id': 'p1', 'class': 'content'}}, {'p': {'$id': 'p2'}}]}}]}}");
	ret = mesh_doc_build_text(d, s, text, strlen(text), MESH_DOC_IDS, &dg);
	is_int(ret, 0, "V2c: build with ids");
	is_int(up.n, 1, "V2c: one update event");
	is_mem(up.last, up.last_len, want, wn,
	       "V2c: update is byte-identical to the TS createNodes order");
	free(text);

	/* without MESH_DOC_IDS a "$id" in the JSON is an error */
	mesh_diag_free(&dg);
	y_doc_free(d);
	d = new_doc(5);
	text = q("{'html': {'children': [{'body': {'$id': 'b1'}}]}}");
	ret = mesh_doc_build_text(d, s, text, strlen(text), 0, &dg);
	is_int(ret, -EINVAL, "build without ids refuses $id");
	ok(dg.n == 1 && !strcmp(dg.errors[0].path, "/html/children/0/body/$id"),
	   "the error names /html/children/0/body/$id");
	free(text);
	mesh_diag_free(&dg);
	free(up.last);
	y_doc_free(d);
	mesh_schema_free(s);
}

/* ------------------------------------------------ examples A-D (§3.6) */

static void test_example_a(void)
{
	struct mesh_schema *s = load_schema("html");
	struct y_doc *d = new_doc(1);
	struct y_type *root, *body, *p;
	char *got, *want;

	y_doc_root(&root, d, "xml", Y_XML_ELEMENT);
	got = render(d, s, 0);
	is_str(got, "{\n  \"html\": {\n    \"children\": []\n  }\n}\n",
	       "A: empty document renders {html: {children: []}}");
	free(got);

	/* the insertion order of the PY table of spec §6.6 */
	body = add_el(root, 0, "body", "b1");
	p = add_el(body, 0, "p", "p1");
	set_str(p, "class", "content");
	add_el(body, 1, "p", "p2");
	got = render(d, s, 0);
	is_str(got,
	       "{\n  \"html\": {\n    \"children\": [\n      {\n        \"body\": {\n"
	       "          \"children\": [\n            {\n              \"p\": {\n"
	       "                \"class\": \"content\"\n              }\n            },\n"
	       "            {\n              \"p\": {}\n            }\n          ]\n"
	       "        }\n      }\n    ]\n  }\n}\n",
	       "A: to_json() (pretty, 2-space indent, final newline)");
	free(got);
	got = render(d, s, MESH_DOC_IDS);
	want = pretty_q(
		"{'html': {'children': [{'body': {'$id': 'b1', 'children': [{'p': {'$id': 'p1', 'class': 'content'}}, {'p': {'$id': 'p2'}}]}}]}}");
	is_str(got, want, "A: to_json(include_ids) puts $id first");
	free(got);
	free(want);
	y_doc_free(d);
	mesh_schema_free(s);
}

static void test_example_b(void)
{
	struct mesh_schema *s = load_schema("document");
	struct y_doc *d = new_doc(1);
	struct y_type *root, *e;
	struct y_any n;
	char *got, *want;

	y_doc_root(&root, d, "xml", Y_XML_ELEMENT);
	e = add_el(root, 0, "heading", "h");
	set_str(e, "text", "Quarterly report");
	e = add_el(root, 1, "body", "b");
	set_str(e, "text", "Revenue grew **12%**.");
	e = add_el(root, 2, "file", "f");
	set_str(e, "name", "chart.png");
	/* attributes not in the schema are left out of the render */
	set_str(e, "bogus", "x");
	y_any_init_number(&n, 2);
	y_map_set(e, "size", 4, &n);
	got = render(d, s, 0);
	want = pretty_q("{'document': {'content': ["
			"{'heading': {'text': 'Quarterly report'}},"
			"{'body': {'text': 'Revenue grew **12%**.'}},"
			"{'file': {'name': 'chart.png'}}]}}");
	is_str(got, want, "B: .document example");
	free(got);
	free(want);
	y_doc_free(d);
	mesh_schema_free(s);
}

static void test_example_c(void)
{
	struct mesh_schema *s = load_schema("thread");
	struct y_doc *d = new_doc(1);
	struct y_type *root, *mem, *msgs, *m, *e;
	char *got, *want;

	y_doc_root(&root, d, "xml", Y_XML_ELEMENT);
	mem = add_el(root, 0, "members", "m0");
	e = add_el(mem, 0, "member", "m1");
	set_str(e, "name", "alice");
	e = add_el(mem, 1, "member", "m2");
	set_str(e, "name", "assistant");
	msgs = add_el(root, 1, "messages", "m3");
	m = add_el(msgs, 0, "message", "m4");
	/* set in another order than the schema's: the render reorders */
	set_str(m, "role", "user");
	set_str(m, "author_name", "alice");
	set_str(m, "created_at", "2025-01-01T10:00:00Z");
	set_str(m, "text", "Can you summarise the PDF?");
	set_str(m, "id", "m1");
	e = add_el(m, 0, "file", "f1");
	set_str(e, "path", "docs/report.pdf");
	m = add_el(msgs, 1, "message", "m5");
	set_str(m, "text", "Sure - here it is.");
	set_str(m, "created_at", "2025-01-01T10:00:05Z");
	set_str(m, "author_name", "assistant");
	set_str(m, "role", "agent");
	/* a root attribute lives on the "xml" type */
	set_str(root, "name", "support");
	/* the Python SDK's stray child-array attribute is ignored */
	set_str(root, "properties", "[stale]");
	got = render(d, s, 0);
	want = pretty_q(
		"{'thread': {'name': 'support', 'properties': ["
		"{'members':  {'items': [{'member': {'name': 'alice'}}, {'member': {'name': 'assistant'}}]}},"
		"{'messages': {'items': ["
		"{'message': {'id': 'm1', 'text': 'Can you summarise the PDF?', 'created_at': '2025-01-01T10:00:00Z',"
		" 'author_name': 'alice', 'role': 'user', 'attachments': [{'file': {'path': 'docs/report.pdf'}}]}},"
		"{'message': {'text': 'Sure - here it is.', 'created_at': '2025-01-01T10:00:05Z',"
		" 'author_name': 'assistant', 'role': 'agent', 'attachments': []}}]}}]}}");
	is_str(got, want,
	       "C: .thread example (schema order, child property last)");
	free(got);
	free(want);
	y_doc_free(d);
	mesh_schema_free(s);
}

static void test_example_d(void)
{
	struct mesh_schema *s = schema_q(schema_d);
	struct y_doc *d = new_doc(1);
	struct y_type *root, *c1, *c2, *t, *xt;
	struct y_any bold, tru;
	char *got, *want;

	y_doc_root(&root, d, "xml", Y_XML_ELEMENT);
	c1 = add_el(root, 0, "child", "c1");
	set_str(c1, "hello", "world");
	c2 = add_el(c1, 0, "child", "c2");
	set_str(c2, "hello", "nested");
	t = add_el(root, 1, "text", "t1");
	set_str(t, "hello", "x");
	y_list_insert_type(&xt, t, 0, Y_XML_TEXT, NULL);
	y_text_insert(xt, 0, "hello world!", 12, NULL);
	y_any_init_object(&bold);
	y_any_init_bool(&tru, true);
	y_any_object_set(&bold, "bold", 4, &tru);
	y_text_format(xt, 0, 5, &bold);
	y_any_clear(&bold);
	got = render(d, s, 0);
	want = pretty_q(
		"{'root': {'children': ["
		"{'child': {'hello': 'world', 'children': [{'child': {'hello': 'nested', 'children': []}}]}},"
		"{'text':  {'hello': 'x', 'children': ["
		"{'text': {'delta': [{'insert': 'hello', 'attributes': {'bold': true}}, {'insert': ' world!', 'attributes': {}}]}}]}}"
		"]}}");
	is_str(got, want,
	       "D: text element with a child property (PY text node form)");
	free(got);

	/* and it builds back from that JSON, text node included */
	{
		struct y_doc *d2 = new_doc(2);
		struct mesh_diag dg = { 0 };
		char *got2;
		cJSON *j = json_q(
			"{'root': {'children': ["
			"{'child': {'hello': 'world', 'children': [{'child': {'hello': 'nested', 'children': []}}]}},"
			"{'text':  {'hello': 'x', 'children': ["
			"{'text': {'delta': [{'insert': 'hello', 'attributes': {'bold': true}}, {'insert': ' world!', 'attributes': {}}]}}]}}"
			"]}}");

		is_int(mesh_doc_build(d2, s, j, 0, &dg), 0,
		       "D: builds from its own render");
		got2 = render(d2, s, 0);
		is_str(got2, want, "D: build then render round-trips");
		is_int(mesh_doc_validate(&dg, d2, s), 0,
		       "D: built document is valid (level R)");
		free(got2);
		cJSON_Delete(j);
		mesh_diag_free(&dg);
		y_doc_free(d2);
	}
	free(want);
	y_doc_free(d);
	mesh_schema_free(s);
}

/* --------------------------------------------- round trips per schema */

static const struct {
	const char *schema;
	const char *json; /* in canonical order: schema order, child last */
} samples[] = {
	{ "html",
	  "{'html': {'children': [{'body': {'children': [{'p': {'class': 'content'}}, {'p': {}}, {'p': {'class': null}}]}}, {'body': {'children': []}}]}}" },
	{ "document",
	  "{'document': {'content': [{'heading': {'text': 'Quarterly report'}}, {'body': {'text': 'Revenue grew **12%**.\\nNext line \\u00e9\\ud83d\\ude00'}}, {'file': {'name': 'chart.png'}}]}}" },
	{ "superdoc",
	  "{'document': {'children': [{'block': {'blockType': 'paragraph', 'indent': 2, 'children': [{'text': {'text': 'hi'}}, {'text': {}}]}}, {'horizontalRule': {}}, {'image': {'imageUrl': 'a.png', 'width': 3.5, 'height': 100000000000}}]}}" },
	{ "gallery",
	  "{'gallery': {'content': [{'file': {'path': 'a.jpg', 'description': 'A'}}, {'file': {'path': 'b.jpg'}}]}}" },
	{ "presentation",
	  "{'presentation': {'slides': [{'slide': {'title': 'One', 'background': '#fff', 'lines': [{'line': {'line': 'a'}}, {'line': {'line': 'b'}}]}}, {'slide': {'lines': []}}]}}" },
	{ "transcript",
	  "{'transcript': {'segments': [{'segment': {'participant_id': 'p', 'participant_name': 'Al', 'participant_role': 'user', 'time': '2025-01-01T00:00:00Z', 'text': 'hello'}}]}}" },
	{ "thread",
	  "{'thread': {'name': 'support', 'properties': [{'members': {'items': [{'member': {'name': 'alice'}}]}}, {'messages': {'external_thread_id': 'x', 'items': ["
	  "{'message': {'id': 'm1', 'text': 'hi', 'role': 'user', 'attachments': [{'file': {'path': 'r.pdf'}}, {'image': {'width': 10, 'height': 0.25, 'id': 'i'}}, {'reaction': {'value': '+1'}}]}},"
	  "{'exec': {'command': 'ls', 'exit_code': -1}}, {'ui': {'width': 1e21}}, {'reasoning': {'summary': 's'}},"
	  "{'event': {'name': 'e', 'data': 'd', 'logs': [{'log': {'text': 'l'}}]}}]}}]}}" },
	{ "thread_list",
	  "{'thread_list': {'threads': [{'thread': {'name': 'a', 'path': 'a.thread', 'created_at': 'c', 'modified_at': 'm'}}]}}" },
	{ "schema_schema",
	  "{'schema': {'root_tag_name': 'r', 'elements': [{'element': {'tag_name': 'r', 'description': 'root', 'schema': ["
	  "{'attribute': {'name': 'a', 'type': 'string'}}, {'child_elements': {'name': 'kids', 'children': [{'element_reference': {'tag_name': 'r'}}]}}]}}]}}" },
};

static void test_round_trips(void)
{
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct mesh_schema *s = load_schema(samples[i].schema);
		struct y_doc *d = new_doc(3), *d2 = new_doc(4);
		struct mesh_diag dg = { 0 };
		char *want = pretty_q(samples[i].json), *got, *got2, *t;
		cJSON *j = json_q(samples[i].json);
		int ret;

		ret = mesh_doc_build(d, s, j, 0, &dg);
		if (!is_int(ret, 0, nm("%s: build", samples[i].schema))) {
			t = diag_text(&dg);
			diag("%s", t);
			free(t);
		}
		got = render(d, s, 0);
		is_str(got, want,
		       nm("%s: build then render gives the input",
			  samples[i].schema));
		is_int(mesh_doc_validate(&dg, d, s), 0,
		       nm("%s: the built document is valid",
			  samples[i].schema));
		/* through the wire: a second replica renders the same */
		sync_docs(d, d2);
		got2 = render(d2, s, 0);
		is_str(got2, want,
		       nm("%s: a replica renders the same", samples[i].schema));
		/* ids on request, each a lowercase UUID v4 */
		free(got2);
		got2 = render(d2, s, MESH_DOC_IDS);
		t = got2 ? strstr(got2, "\"$id\": \"") : NULL;
		ok(t && t[8 + 14] == '4' && strchr("89ab", t[8 + 19]) &&
			   t[8 + 36] == '"',
		   nm("%s: ids are UUID v4", samples[i].schema));
		free(got);
		free(got2);
		free(want);
		cJSON_Delete(j);
		mesh_diag_free(&dg);
		y_doc_free(d);
		y_doc_free(d2);
		mesh_schema_free(s);
	}
}

/* Input in any key order renders in schema order; string shorthand. */
static void test_build_forms(void)
{
	struct mesh_schema *s = schema_q(schema_d);
	struct y_doc *d = new_doc(9);
	struct mesh_diag dg = { 0 };
	cJSON *j;
	char *got, *want;

	j = json_q(
		"{'root': {'children': [{'text': {'children': ['plain text'], 'hello': 'h'}}, {'text': {'hello': 'no text'}},"
		"{'child': {'children': [], 'hello': 'k'}}], 'hello': 'r'}}");
	is_int(mesh_doc_build(d, s, j, 0, &dg), 0,
	       "build: keys in any order, a plain string as text");
	got = render(d, s, 0);
	want = pretty_q(
		"{'root': {'hello': 'r', 'children': ["
		"{'text': {'hello': 'h', 'children': [{'text': {'delta': [{'insert': 'plain text', 'attributes': {}}]}}]}},"
		"{'text': {'hello': 'no text', 'children': [{'text': {'delta': []}}]}},"
		"{'child': {'hello': 'k', 'children': []}}]}}");
	is_str(got, want,
	       "render: schema order, child property last, a text element always has its text node");
	free(got);
	free(want);
	cJSON_Delete(j);
	j = json_q("{'root': {'children': []}}");
	is_int(mesh_doc_build(d, s, j, 0, &dg), -ENOTEMPTY,
	       "build into a non-empty document: -ENOTEMPTY");
	cJSON_Delete(j);
	mesh_diag_free(&dg);
	y_doc_free(d);
	mesh_schema_free(s);
}

/* ------------------------------------------------------------ validation */

static const struct {
	const char *schema;
	unsigned flags;
	const char *json;
	const char *errors; /* "path: msg\n" lines */
} vcases[] = {
	{ "html", 0, "{'html': {'children': []}}", "" },
	{ "html", 0, "{'html': {}}", "" },
	{ "html", 0, "[]",
	  "expected a JSON object {\"html\": {...}}, got array\n" },
	{ "html", 0, "{'body': {}}",
	  "/body: unexpected key \"body\" at the top level (only \"html\" is allowed)\n"
	  "/html: missing root element \"html\"\n" },
	{ "html", 0,
	  "{'html': {'children': [{'body': {'children': [{'div': {}}]}}]}}",
	  "/html/children/0/body/children/0/div: unknown element \"div\" (not in the schema)\n" },
	{ "html", 0, "{'html': {'children': [{'p': {}}]}}",
	  "/html/children/0/p: element \"p\" is not allowed in \"children\" of \"html\" (allowed: body)\n" },
	{ "html", 0,
	  "{'html': {'children': [{'body': {'children': [{'p': {'id': 'x', 'class': 5}}]}}]}}",
	  "/html/children/0/body/children/0/p/id: unexpected property \"id\" (not in the schema of \"p\")\n"
	  "/html/children/0/body/children/0/p/class: expected string or null, got number\n" },
	{ "html", 0, "{'html': {'children': {}}}",
	  "/html/children: expected an array of child elements, got object\n" },
	{ "html", 0,
	  "{'html': {'children': [{'body': {}, 'p': {}}, 7, {'body': []}]}}",
	  "/html/children/0: an element object must have exactly one key (its tag), got 2\n"
	  "/html/children/0/p: element \"p\" is not allowed in \"children\" of \"html\" (allowed: body)\n"
	  "/html/children/1: expected an element object {\"<tag>\": {...}}, got number\n"
	  "/html/children/2/body: expected an object with the properties of \"body\", got array\n" },
	{ "html", 0, "{'html': {'children': [{'body': {'$id': 'x'}}]}}",
	  "/html/children/0/body/$id: unexpected key \"$id\" (ids are assigned by the document)\n" },
	{ "html", MESH_DOC_IDS,
	  "{'html': {'children': [{'body': {'$id': 'x'}}, {'body': {'$id': 3}}]}}",
	  "/html/children/1/body/$id: expected \"$id\" to be a non-empty string, got number\n" },
	{ "html", MESH_DOC_IDS, "{'html': {'$id': 'r'}}",
	  "/html/$id: the root element has no \"$id\"\n" },
	{ "html", 0, "{'html': {'children': [{'text': {'delta': []}}, 'str']}}",
	  "/html/children/0: a text node is only allowed in a \"text\" element, not in \"html\"\n"
	  "/html/children/1: a text node is only allowed in a \"text\" element, not in \"html\"\n" },
	{ "schema_schema", 0,
	  "{'schema': {'elements': [{'element': {'schema': [{'attribute': {'type': 'int', 'name': null}}]}}]}}",
	  "/schema/elements/0/element/schema/0/attribute/type: value \"int\" is not one of [\"string\",\"boolean\",\"number\"]\n" },
	{ "superdoc", 0,
	  "{'document': {'children': [{'image': {'width': '3', 'height': true}}, {'block': {'indent': null, 'children': [{'text': {'text': 1}}]}}]}}",
	  "/document/children/0/image/width: expected number or null, got string\n"
	  "/document/children/0/image/height: expected number or null, got boolean\n"
	  "/document/children/1/block/children/0/text/text: expected string or null, got number\n" },
	{ "D", 0,
	  "{'root': {'children': [{'text': {'children': [{'text': {'delta': [{'insert': 5}, {'insert': 'a', 'attributes': 1, 'retain': 2}, {}]}}]}}]}}",
	  "/root/children/0/text/children/0/text/delta/0/insert: expected a string (or an embed object), got number\n"
	  "/root/children/0/text/children/0/text/delta/1/attributes: expected an object of formatting attributes, got number\n"
	  "/root/children/0/text/children/0/text/delta/1/retain: unexpected key \"retain\" (a text node's delta holds only insert and attributes)\n"
	  "/root/children/0/text/children/0/text/delta/2: missing \"insert\" (a text node holds only inserts)\n" },
};

static void test_validate_json(void)
{
	size_t i;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		struct mesh_schema *s = !strcmp(vcases[i].schema, "D") ?
						schema_q(schema_d) :
						load_schema(vcases[i].schema);
		struct mesh_diag dg = { 0 };
		cJSON *j = json_q(vcases[i].json);
		char *got;
		int ret;

		ret = mesh_validate_json(&dg, s, j, vcases[i].flags);
		got = diag_text(&dg);
		is_int(ret, vcases[i].errors[0] ? -EINVAL : 0,
		       nm("validate %s %zu: result", vcases[i].schema, i));
		is_str(got, vcases[i].errors,
		       nm("validate %s %zu: every error, with its pointer",
			  vcases[i].schema, i));
		free(got);
		cJSON_Delete(j);
		mesh_diag_free(&dg);
		mesh_schema_free(s);
	}
}

static void test_validate_live(void)
{
	struct mesh_schema *s = load_schema("html");
	struct y_doc *d = new_doc(1);
	struct y_type *root, *body, *p, *t;
	struct mesh_diag dg = { 0 };
	struct y_any n;
	char *got;

	y_doc_root(&root, d, "xml", Y_XML_ELEMENT);
	is_int(mesh_doc_validate(&dg, d, s), 0, "live: empty doc is valid");
	body = add_el(root, 0, "body", "b");
	add_el(root, 1, "p", "p0"); /* not allowed in html */
	p = add_el(body, 0, "p", "p1");
	y_any_init_number(&n, 5);
	y_map_set(p, "class", 5, &n); /* wrong type */
	set_str(p, "style", "x"); /* unknown attribute */
	add_el(body, 1, "div", "d"); /* unknown tag */
	add_el(body, 2, "p", NULL); /* no $id */
	y_list_insert_type(&t, body, 3, Y_XML_TEXT, NULL); /* loose text */
	y_list_insert(body, 4, &n, 1); /* a plain value */
	set_str(body, "children", "stale"); /* PY quirk: tolerated */
	is_int(mesh_doc_validate(&dg, d, s), -EINVAL, "live: invalid");
	got = diag_text(&dg);
	is_str(got,
	       "/html/children/0/body/children/0/p/class: expected string or null, got number\n"
	       "/html/children/0/body/children/0/p/style: unexpected property \"style\" (not in the schema of \"p\")\n"
	       "/html/children/0/body/children/1/div: unknown element \"div\" (not in the schema)\n"
	       "/html/children/0/body/children/2/p: missing \"$id\" (every element needs one)\n"
	       "/html/children/0/body/children/3: this child: a text node is only allowed in a \"text\" element, not in \"body\"\n"
	       "/html/children/0/body/children/4: this child is a plain value, not an element\n"
	       "/html/children/1/p: element \"p\" is not allowed in \"children\" of \"html\" (allowed: body)\n",
	       "live: every fault, with pointers into the JSON form");
	free(got);
	/* the render leaves all of it out */
	got = render(d, s, 0);
	{
		char *want = pretty_q(
			"{'html': {'children': [{'body': {'children': [{'p': {}}, {'p': {}}]}}]}}");
		is_str(got, want,
		       "render leaves out what the schema does not describe");
		free(want);
	}
	free(got);
	mesh_diag_free(&dg);
	y_doc_free(d);
	mesh_schema_free(s);
}

/* ------------------------------------------------------------ merging */

/* render(new) as it should look: new built into a fresh document. */
static char *normalize(const struct mesh_schema *s, const cJSON *j)
{
	struct y_doc *d = new_doc(77);
	struct mesh_diag dg = { 0 };
	char *out = NULL, *t;

	if (mesh_doc_build(d, s, j, MESH_DOC_IDS, &dg)) {
		t = diag_text(&dg);
		diag("normalize: %s", t);
		free(t);
	} else {
		out = render(d, s, 0);
	}
	mesh_diag_free(&dg);
	y_doc_free(d);
	return out;
}

static cJSON *render_json(struct y_doc *d, const struct mesh_schema *s,
			  unsigned flags)
{
	cJSON *j = NULL;

	if (mesh_doc_to_cjson(&j, d, s, flags))
		bail_out("to_cjson");
	return j;
}

/* cJSON_InsertItemInArray of cJSON 1.7.15 refuses to insert after a
 * delete from the same array: rebuild the list instead. */
static void arr_insert(cJSON *arr, int idx, cJSON *x)
{
	cJSON *tmp = cJSON_CreateArray(), *it;
	int i = 0;

	while ((it = cJSON_DetachItemFromArray(arr, 0))) {
		if (i++ == idx)
			cJSON_AddItemToArray(tmp, x);
		cJSON_AddItemToArray(tmp, it);
	}
	if (i <= idx)
		cJSON_AddItemToArray(tmp, x);
	while ((it = cJSON_DetachItemFromArray(tmp, 0)))
		cJSON_AddItemToArray(arr, it);
	cJSON_Delete(tmp);
}

/* Removes every "$id" from a document JSON (what a file without ids
 * holds). */
static void strip_ids(cJSON *v)
{
	cJSON *m;

	if (!v)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(v, "$id");
	for (m = v->child; m; m = m->next)
		strip_ids(m);
}

/* The value object at a JSON pointer-ish path of child indexes under the
 * root: path "0/1" = root children[0] children[1]. */
static cJSON *el_at(const struct mesh_schema *s, cJSON *doc, const char *path)
{
	const struct mesh_element *et = mesh_schema_root(s);
	cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, et->tag), *kids;
	char *end;
	long i;

	while (*path) {
		i = strtol(path, &end, 10);
		kids = cJSON_GetObjectItemCaseSensitive(v, et->child->name);
		v = cJSON_GetArrayItem(kids, (int)i);
		et = mesh_schema_element(s, v->child->string);
		v = v->child;
		path = *end ? end + 1 : end;
	}
	return v;
}

struct mcase {
	struct mesh_schema *s;
	struct y_doc *a, *b; /* writer's replica, remote replica */
	struct updates up;
	cJSON *base; /* render of a with ids */
	cJSON *neu;
};

static void mcase_init(struct mcase *m, struct mesh_schema *s, const char *json)
{
	struct mesh_diag dg = { 0 };
	cJSON *j = json_q(json);

	memset(m, 0, sizeof(*m));
	m->s = s;
	m->a = new_doc(1);
	m->b = new_doc(2);
	if (mesh_doc_build(m->a, s, j, MESH_DOC_IDS, &dg))
		bail_out("mcase build");
	cJSON_Delete(j);
	sync_docs(m->a, m->b);
	m->base = render_json(m->a, s, MESH_DOC_IDS);
	m->neu = cJSON_Duplicate(m->base, true);
	y_doc_on_update(m->a, on_update, &m->up);
}

static void mcase_free(struct mcase *m)
{
	cJSON_Delete(m->base);
	cJSON_Delete(m->neu);
	free(m->up.last);
	y_doc_free(m->a);
	y_doc_free(m->b);
}

/* The remote replica edits (through a merge of its own) and the update
 * reaches the writer's replica. */
static void remote_edit(struct mcase *m, cJSON *rnew)
{
	struct mesh_diag dg = { 0 };

	if (mesh_doc_merge(NULL, m->b, m->s, NULL, rnew, &dg))
		bail_out("remote merge");
	sync_docs(m->b, m->a);
	m->up.n = 0;
}

static int do_merge(struct mcase *m, struct mesh_merge_stats *st)
{
	struct mesh_diag dg = { 0 };
	char *t;
	int ret = mesh_doc_merge(st, m->a, m->s, m->base, m->neu, &dg);

	if (ret) {
		t = diag_text(&dg);
		diag("merge: %d %s", ret, t);
		free(t);
	}
	mesh_diag_free(&dg);
	return ret;
}

static void set_json_str(cJSON *obj, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
	cJSON_AddStringToObject(obj, k, v);
}

static const char *html3 =
	"{'html': {'children': [{'body': {'$id': 'b1', 'children': ["
	"{'p': {'$id': 'p1', 'class': 'a'}}, {'p': {'$id': 'p2', 'class': 'b'}}, {'p': {'$id': 'p3', 'class': 'c'}}]}}]}}";

static void test_merge_basic(void)
{
	struct mesh_schema *s = load_schema("html");
	struct mesh_merge_stats st;
	struct mcase m;
	char *got, *want;
	cJSON *kids, *x;

	/* one attribute, file without ids */
	mcase_init(&m, s, html3);
	set_json_str(el_at(s, m.neu, "0/1"), "class", "B");
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0, "merge: attribute change");
	ok(st.attrs_set == 1 && !st.attrs_deleted && !st.elements_inserted &&
		   !st.elements_deleted,
	   "merge: exactly one attribute written");
	is_int(m.up.n, 1, "merge: one update event");
	got = render(m.a, s, MESH_DOC_IDS);
	want = pretty_q(
		"{'html': {'children': [{'body': {'$id': 'b1', 'children': ["
		"{'p': {'$id': 'p1', 'class': 'a'}}, {'p': {'$id': 'p2', 'class': 'B'}}, {'p': {'$id': 'p3', 'class': 'c'}}]}}]}}");
	is_str(got, want, "merge: ids kept, value changed");
	free(got);
	free(want);
	mcase_free(&m);

	/* unchanged: nothing at all */
	mcase_init(&m, s, html3);
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0, "merge: no change");
	is_int(m.up.n, 0, "merge: no change, no update");
	mcase_free(&m);

	/* delete an attribute, insert and delete elements */
	mcase_init(&m, s, html3);
	cJSON_DeleteItemFromObjectCaseSensitive(el_at(s, m.neu, "0/0"),
						"class");
	kids = cJSON_GetObjectItemCaseSensitive(el_at(s, m.neu, "0"),
						"children");
	cJSON_DeleteItemFromArray(kids, 2);
	x = json_q("{'p': {'class': 'new'}}");
	arr_insert(kids, 1, x);
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0, "merge: mixed edit");
	ok(st.attrs_set == 0 && st.attrs_deleted == 1 &&
		   st.elements_inserted == 1 && st.elements_deleted == 1,
	   "merge: 1 attribute deleted, 1 element inserted, 1 deleted (%zu %zu %zu %zu)",
	   st.attrs_set, st.attrs_deleted, st.elements_inserted,
	   st.elements_deleted);
	got = render(m.a, s, 0);
	want = pretty_q(
		"{'html': {'children': [{'body': {'children': [{'p': {}}, {'p': {'class': 'new'}}, {'p': {'class': 'b'}}]}}]}}");
	is_str(got, want, "merge: mixed edit renders as written");
	free(got);
	free(want);
	got = render(m.a, s, MESH_DOC_IDS);
	ok(got && strstr(got, "\"p1\"") && strstr(got, "\"p2\"") &&
		   !strstr(got, "\"p3\""),
	   "merge: kept elements keep their ids");
	free(got);
	mcase_free(&m);

	/* a move (with ids in the file): delete + insert */
	mcase_init(&m, s, html3);
	kids = cJSON_GetObjectItemCaseSensitive(el_at(s, m.neu, "0"),
						"children");
	x = cJSON_DetachItemFromArray(kids, 0);
	cJSON_AddItemToArray(kids, x);
	is_int(do_merge(&m, &st), 0, "merge: move");
	ok(st.elements_inserted == 1 && st.elements_deleted == 1 &&
		   !st.attrs_set,
	   "merge: a move is one delete and one insert");
	got = render(m.a, s, 0);
	want = pretty_q(
		"{'html': {'children': [{'body': {'children': [{'p': {'class': 'b'}}, {'p': {'class': 'c'}}, {'p': {'class': 'a'}}]}}]}}");
	is_str(got, want, "merge: moved");
	free(got);
	free(want);
	got = render(m.a, s, MESH_DOC_IDS);
	ok(got && !strstr(got, "\"p1\""),
	   "merge: the moved element has a new id");
	free(got);
	mcase_free(&m);

	/* invalid input: error, document unchanged, no update */
	mcase_init(&m, s, html3);
	set_json_str(el_at(s, m.neu, "0/1"), "klass", "B");
	{
		struct mesh_diag dg = { 0 };
		char *before = render(m.a, s, 0);

		is_int(mesh_doc_merge(&st, m.a, s, m.base, m.neu, &dg), -EINVAL,
		       "merge: invalid new JSON is refused");
		ok(dg.n == 1 &&
			   !strcmp(dg.errors[0].path,
				   "/html/children/0/body/children/1/p/klass"),
		   "merge: the error names the fault");
		got = render(m.a, s, 0);
		is_str(got, before, "merge: document unchanged");
		is_int(m.up.n, 0, "merge: no update");
		free(got);
		free(before);
		mesh_diag_free(&dg);
	}
	mcase_free(&m);

	/* base NULL = the live document; base without ids learns them */
	mcase_init(&m, s, html3);
	set_json_str(el_at(s, m.neu, "0/2"), "class", "C");
	strip_ids(m.neu);
	is_int(mesh_doc_merge(&st, m.a, s, NULL, m.neu, NULL), 0,
	       "merge: base NULL");
	ok(st.attrs_set == 1 && !st.elements_inserted,
	   "merge: base NULL, one attribute");
	mcase_free(&m);
	mcase_init(&m, s, html3);
	strip_ids(m.base);
	set_json_str(el_at(s, m.neu, "0/2"), "class", "C");
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0, "merge: base without ids");
	ok(st.attrs_set == 1 && !st.elements_inserted && !st.elements_deleted,
	   "merge: base without ids still gives one attribute write");
	mcase_free(&m);
	mesh_schema_free(s);
}

static void test_merge_conflicts(void)
{
	struct mesh_schema *s = load_schema("html");
	struct mesh_merge_stats st;
	struct mcase m;
	char *got, *want, *gb;
	cJSON *r;

	/* disjoint attributes: both survive */
	mcase_init(&m, s, html3);
	r = cJSON_Duplicate(m.base, true);
	set_json_str(el_at(s, r, "0/2"), "class", "remote");
	remote_edit(&m, r);
	cJSON_Delete(r);
	set_json_str(el_at(s, m.neu, "0/0"), "class", "writer");
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0, "conflict: disjoint attributes");
	sync_docs(m.a, m.b);
	got = render(m.a, s, 0);
	gb = render(m.b, s, 0);
	want = pretty_q(
		"{'html': {'children': [{'body': {'children': [{'p': {'class': 'writer'}}, {'p': {'class': 'b'}}, {'p': {'class': 'remote'}}]}}]}}");
	is_str(got, want, "conflict: the remote change survives the write");
	is_str(gb, want, "conflict: replicas converge");
	free(got);
	free(gb);
	free(want);
	mcase_free(&m);

	/* the same attribute: the writer wins */
	mcase_init(&m, s, html3);
	r = cJSON_Duplicate(m.base, true);
	set_json_str(el_at(s, r, "0/1"), "class", "remote");
	remote_edit(&m, r);
	cJSON_Delete(r);
	set_json_str(el_at(s, m.neu, "0/1"), "class", "writer");
	is_int(do_merge(&m, &st), 0, "conflict: same attribute");
	sync_docs(m.a, m.b);
	got = render(m.b, s, 0);
	ok(got && strstr(got, "\"writer\"") && !strstr(got, "\"remote\""),
	   "conflict: same attribute, the writer wins");
	free(got);
	mcase_free(&m);

	/* edited here, deleted remotely: dropped, not re-created */
	mcase_init(&m, s, html3);
	r = cJSON_Duplicate(m.base, true);
	cJSON_DeleteItemFromArray(
		cJSON_GetObjectItemCaseSensitive(el_at(s, r, "0"), "children"),
		1);
	remote_edit(&m, r);
	cJSON_Delete(r);
	set_json_str(el_at(s, m.neu, "0/1"), "class", "writer");
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0,
	       "conflict: edit of a remotely deleted element");
	is_int(st.dropped, 1, "conflict: the edit is counted as dropped");
	ok(!st.elements_inserted && !st.attrs_set,
	   "conflict: and the element is not re-created");
	got = render(m.a, s, 0);
	want = pretty_q(
		"{'html': {'children': [{'body': {'children': [{'p': {'class': 'a'}}, {'p': {'class': 'c'}}]}}]}}");
	is_str(got, want, "conflict: the remote delete wins");
	free(got);
	free(want);
	mcase_free(&m);

	/* deleted here, edited remotely: deleted */
	mcase_init(&m, s, html3);
	r = cJSON_Duplicate(m.base, true);
	set_json_str(el_at(s, r, "0/1"), "class", "remote");
	remote_edit(&m, r);
	cJSON_Delete(r);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(
					  el_at(s, m.neu, "0"), "children"),
				  1);
	is_int(do_merge(&m, &st), 0,
	       "conflict: delete of a remotely edited element");
	sync_docs(m.a, m.b);
	got = render(m.b, s, 0);
	want = pretty_q(
		"{'html': {'children': [{'body': {'children': [{'p': {'class': 'a'}}, {'p': {'class': 'c'}}]}}]}}");
	is_str(got, want, "conflict: the writer's delete wins");
	free(got);
	free(want);
	mcase_free(&m);

	/* both insert at the same place: both kept */
	mcase_init(&m, s, html3);
	r = cJSON_Duplicate(m.base, true);
	arr_insert(cJSON_GetObjectItemCaseSensitive(el_at(s, r, "0"),
						    "children"),
		   1, json_q("{'p': {'class': 'R'}}"));
	remote_edit(&m, r);
	cJSON_Delete(r);
	arr_insert(cJSON_GetObjectItemCaseSensitive(el_at(s, m.neu, "0"),
						    "children"),
		   1, json_q("{'p': {'class': 'W'}}"));
	is_int(do_merge(&m, &st), 0, "conflict: concurrent inserts");
	sync_docs(m.a, m.b);
	got = render(m.a, s, 0);
	gb = render(m.b, s, 0);
	ok(got && strstr(got, "\"R\"") && strstr(got, "\"W\""),
	   "conflict: both inserts kept");
	is_str(got, gb, "conflict: concurrent inserts converge");
	free(got);
	free(gb);
	mcase_free(&m);

	/* a new child under a remotely deleted parent is dropped */
	mcase_init(&m, s, html3);
	r = cJSON_Duplicate(m.base, true);
	cJSON_DeleteItemFromArray(
		cJSON_GetObjectItemCaseSensitive(el_at(s, r, ""), "children"),
		0);
	remote_edit(&m, r);
	cJSON_Delete(r);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(
				     el_at(s, m.neu, "0"), "children"),
			     json_q("{'p': {'class': 'orphan'}}"));
	is_int(do_merge(&m, &st), 0, "conflict: insert under a deleted parent");
	ok(st.dropped == 1 && !st.elements_inserted,
	   "conflict: the insert is dropped");
	got = render(m.a, s, 0);
	want = pretty_q("{'html': {'children': []}}");
	is_str(got, want, "conflict: the parent stays deleted");
	free(got);
	free(want);
	mcase_free(&m);
	mesh_schema_free(s);
}

static cJSON *delta_of(struct mesh_schema *s, cJSON *doc, const char *path)
{
	cJSON *kids = cJSON_GetObjectItemCaseSensitive(el_at(s, doc, path),
						       "children");

	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(kids, 0)->child, "delta");
}

static void test_merge_text(void)
{
	struct mesh_schema *s;
	struct mesh_merge_stats st;
	struct mcase m;
	char *got, *want, *gb;
	cJSON *r, *delta;
	static const char *doc =
		"{'root': {'children': [{'text': {'hello': 'x', 'children': ["
		"{'text': {'delta': [{'insert': 'hello', 'attributes': {'bold': true}}, {'insert': ' world!'}]}}]}}]}}";

	s = schema_q(schema_d);

	/* insert in the middle: only the new characters */
	mcase_init(&m, s, doc);
	delta = delta_of(s, m.neu, "0");
	cJSON_ReplaceItemInArray(delta, 1,
				 json_q("{'insert': ' brave world!'}"));
	strip_ids(m.neu);
	is_int(do_merge(&m, &st), 0, "text: insert");
	ok(st.text_inserted == 6 && !st.text_deleted && !st.text_formatted &&
		   !st.attrs_set && !st.elements_inserted,
	   "text: 6 units inserted, nothing else (%zu %zu %zu)",
	   st.text_inserted, st.text_deleted, st.text_formatted);
	got = render(m.a, s, 0);
	want = normalize(s, m.neu);
	is_str(got, want, "text: insert renders as written");
	free(got);
	free(want);
	mcase_free(&m);

	/* formatting change and delete */
	mcase_init(&m, s, doc);
	delta = delta_of(s, m.neu, "0");
	cJSON_ReplaceItemInArray(
		delta, 0,
		json_q("{'insert': 'he', 'attributes': {'bold': true}}"));
	cJSON_ReplaceItemInArray(
		delta, 1,
		json_q("{'insert': 'llo world', 'attributes': {'italic': true}}"));
	is_int(do_merge(&m, &st), 0, "text: format + delete");
	ok(st.text_deleted == 1 && st.text_formatted >= 1 && !st.text_inserted,
	   "text: 1 unit deleted, formatted, nothing inserted (%zu %zu %zu)",
	   st.text_inserted, st.text_deleted, st.text_formatted);
	got = render(m.a, s, 0);
	want = normalize(s, m.neu);
	is_str(got, want, "text: formatting renders as written");
	free(got);
	free(want);
	mcase_free(&m);

	/* UTF-16: astral characters count 2 units */
	mcase_init(
		&m, s,
		"{'root': {'children': [{'text': {'children': ['a\\ud83d\\ude00b\\u00e9c']}}]}}");
	delta = delta_of(s, m.neu, "0");
	cJSON_ReplaceItemInArray(
		delta, 0,
		json_q("{'insert': 'a\\ud83d\\ude00X\\u00e9\\ud83c\\udf89'}"));
	is_int(do_merge(&m, &st), 0, "text: UTF-16");
	ok(st.text_inserted == 3 && st.text_deleted == 2,
	   "text: b->X, c->party popper: 3 units in, 2 out (%zu %zu)",
	   st.text_inserted, st.text_deleted);
	got = render(m.a, s, 0);
	want = normalize(s, m.neu);
	is_str(got, want, "text: UTF-16 edit renders as written");
	free(got);
	free(want);
	cJSON_Delete(m.neu);
	m.neu = cJSON_Duplicate(m.base, true);
	delta = delta_of(s, m.neu, "0");
	cJSON_ReplaceItemInArray(delta, 0, json_q("{'insert': 'ab\\u00e9c'}"));
	/* m.base still says a😀bé c, the live text is a😀Xé🎉 */
	is_int(do_merge(&m, &st), 0, "text: delete an astral character");
	is_int(st.text_deleted, 2, "text: an astral character is 2 units");
	mcase_free(&m);

	/* concurrent edits of the same text: both kept */
	mcase_init(&m, s, doc);
	r = cJSON_Duplicate(m.base, true);
	delta = delta_of(s, r, "0");
	arr_insert(delta, 0, json_q("{'insert': 'AAA '}"));
	remote_edit(&m, r);
	cJSON_Delete(r);
	delta = delta_of(s, m.neu, "0");
	cJSON_ReplaceItemInArray(delta, 1, json_q("{'insert': ' world! ZZZ'}"));
	cJSON_ReplaceItemInArray(
		delta, 0,
		json_q("{'insert': 'hell', 'attributes': {'bold': true}}"));
	is_int(do_merge(&m, &st), 0, "text: concurrent edits");
	sync_docs(m.a, m.b);
	got = render(m.a, s, 0);
	gb = render(m.b, s, 0);
	want = pretty_q(
		"{'root': {'children': [{'text': {'hello': 'x', 'children': ["
		"{'text': {'delta': [{'insert': 'AAA ', 'attributes': {}}, {'insert': 'hell', 'attributes': {'bold': true}}, {'insert': ' world! ZZZ', 'attributes': {}}]}}]}}]}}");
	is_str(got, want,
	       "text: the remote insert and the writer's edits are all there");
	is_str(gb, want, "text: replicas converge");
	free(got);
	free(gb);
	free(want);
	mcase_free(&m);
	mesh_schema_free(s);
}

/* ------------------------------------------------------ property tests */

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const value_types[] = { "string", "number", "boolean" };

/* A random MeshSchema: root "r", elements e0..e(k-1), maybe "text". */
static struct mesh_schema *random_schema(void)
{
	cJSON *top = cJSON_CreateObject(), *defs, *def, *inner, *props, *p,
	      *any, *req;
	int k = 2 + (int)rnd(4), i, j, n, t;
	bool with_text = rnd(2);
	char tags[8][16], name[160], *text;
	struct mesh_schema *s = NULL;
	struct mesh_error err;
	int ntags = 0;

	for (i = 0; i < k; i++)
		snprintf(tags[ntags++], sizeof(tags[0]), "e%d", i);
	if (with_text)
		snprintf(tags[ntags++], sizeof(tags[0]), "text");
	cJSON_AddStringToObject(top, "$root_tag_ref", "#/$defs/r");
	defs = cJSON_AddObjectToObject(top, "$defs");
	for (i = -1; i < ntags; i++) {
		const char *tag = i < 0 ? "r" : tags[i];
		bool is_text = i >= 0 && !strcmp(tag, "text");

		def = cJSON_AddObjectToObject(defs, tag);
		cJSON_AddStringToObject(def, "type", "object");
		inner = cJSON_AddObjectToObject(
			cJSON_AddObjectToObject(def, "properties"), tag);
		cJSON_AddStringToObject(inner, "type", "object");
		req = cJSON_AddArrayToObject(inner, "required");
		props = cJSON_AddObjectToObject(inner, "properties");
		n = (int)rnd(4);
		for (j = 0; j < n; j++) {
			snprintf(name, sizeof(name), "a%d", j);
			cJSON_AddItemToArray(req, cJSON_CreateString(name));
			p = cJSON_AddObjectToObject(props, name);
			t = (int)rnd(3);
			if (rnd(5) == 0 && t != 2) {
				cJSON_AddStringToObject(p, "type",
							value_types[t]);
				any = cJSON_AddArrayToObject(p, "enum");
				if (t == 0) {
					cJSON_AddItemToArray(
						any, cJSON_CreateString("x"));
					cJSON_AddItemToArray(
						any, cJSON_CreateString("y"));
				} else {
					cJSON_AddItemToArray(
						any, cJSON_CreateNumber(1));
					cJSON_AddItemToArray(
						any, cJSON_CreateNumber(2.5));
				}
			} else {
				any = cJSON_AddArrayToObject(p, "type");
				cJSON_AddItemToArray(
					any,
					cJSON_CreateString(value_types[t]));
				cJSON_AddItemToArray(
					any, cJSON_CreateString("null"));
			}
		}
		if (i < 0 || is_text || rnd(10) < 6) {
			const char *cname = rnd(2) ? "kids" : "items";
			int m = 0;

			cJSON_AddItemToArray(req, cJSON_CreateString(cname));
			p = cJSON_AddObjectToObject(props, cname);
			cJSON_AddStringToObject(p, "type", "array");
			any = cJSON_AddArrayToObject(
				cJSON_AddObjectToObject(p, "items"), "anyOf");
			for (j = 0; j < ntags; j++) {
				if (rnd(3) == 0 && !(j == ntags - 1 && !m))
					continue;
				snprintf(name, sizeof(name), "#/$defs/%s",
					 tags[j]);
				cJSON_AddItemToObject(any, "",
						      cJSON_CreateObject());
				cJSON_AddStringToObject(cJSON_GetArrayItem(any,
									   m),
							"$ref", name);
				m++;
			}
		}
	}
	text = cJSON_PrintUnformatted(top);
	if (mesh_schema_parse(&s, text, strlen(text), &err))
		bail_out("random schema: %s: %s\n%s", err.path, err.msg, text);
	free(text);
	cJSON_Delete(top);
	return s;
}

static const char *const pieces[] = {
	"a", "b", " ", "\xc3\xa9", "\xf0\x9f\x98\x80", "z"
};

static cJSON *random_value(const struct mesh_property *p)
{
	if (p->enum_values)
		return cJSON_Duplicate(
			cJSON_GetArrayItem(p->enum_values,
					   (int)rnd((uint32_t)cJSON_GetArraySize(
						   p->enum_values))),
			true);
	if (!p->required && rnd(8) == 0)
		return cJSON_CreateNull();
	switch (p->type) {
	case MESH_TYPE_STRING: {
		char buf[64] = "";
		int n = (int)rnd(5), i;

		for (i = 0; i < n; i++)
			strcat(buf, pieces[rnd(6)]);
		return cJSON_CreateString(buf);
	}
	case MESH_TYPE_NUMBER: {
		static const double nums[] = {
			0, 1, -3, 2.5, 1e21, 0.1, 100000
		};
		return cJSON_CreateNumber(nums[rnd(7)]);
	}
	case MESH_TYPE_BOOLEAN:
		return cJSON_CreateBool(rnd(2));
	default:
		return cJSON_CreateNull();
	}
}

static cJSON *random_attrs(void)
{
	cJSON *a = cJSON_CreateObject();

	switch (rnd(4)) {
	case 1:
		cJSON_AddTrueToObject(a, "bold");
		break;
	case 2:
		cJSON_AddTrueToObject(a, "italic");
		break;
	case 3:
		cJSON_AddTrueToObject(a, "bold");
		cJSON_AddStringToObject(a, "color", "red");
		break;
	}
	return a;
}

static cJSON *random_text_node(void)
{
	cJSON *node = cJSON_CreateObject(), *delta, *op;
	int n = (int)rnd(4), i, j, len;
	char buf[64];

	delta = cJSON_AddArrayToObject(cJSON_AddObjectToObject(node, "text"),
				       "delta");
	for (i = 0; i < n; i++) {
		buf[0] = '\0';
		len = 1 + (int)rnd(5);
		for (j = 0; j < len; j++)
			strcat(buf, pieces[rnd(6)]);
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "insert", buf);
		cJSON_AddItemToObject(op, "attributes", random_attrs());
		cJSON_AddItemToArray(delta, op);
	}
	return node;
}

static cJSON *random_element(const struct mesh_schema *s,
			     const struct mesh_element *et, int depth,
			     int min_kids);

static cJSON *random_child(const struct mesh_schema *s,
			   const struct mesh_property *cp, int depth)
{
	const struct mesh_element *ce;
	cJSON *o;

	ce = cp->tag_elements[rnd((uint32_t)cp->n_tags)];
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, ce->tag, random_element(s, ce, depth, 0));
	return o;
}

static cJSON *random_element(const struct mesh_schema *s,
			     const struct mesh_element *et, int depth,
			     int min_kids)
{
	cJSON *v = cJSON_CreateObject(), *kids;
	size_t i;
	int n;

	for (i = 0; i < et->n_props; i++)
		if (et->props[i].kind == MESH_PROP_VALUE && rnd(10) < 6)
			cJSON_AddItemToObject(v, et->props[i].name,
					      random_value(&et->props[i]));
	if (!et->child)
		return v;
	kids = cJSON_AddArrayToObject(v, et->child->name);
	if (!strcmp(et->tag, "text") && depth > 0)
		cJSON_AddItemToArray(kids, random_text_node());
	n = depth < 3 ? (int)rnd(4) : 0;
	if (n < min_kids)
		n = min_kids;
	if (!et->child->n_tags)
		n = 0;
	while (n-- > 0)
		cJSON_AddItemToArray(kids,
				     random_child(s, et->child, depth + 1));
	return v;
}

/* Every element value object under v (v included), with its type. */
struct elref {
	cJSON *val;
	const struct mesh_element *et;
};

static void collect(const struct mesh_schema *s, cJSON *val,
		    const struct mesh_element *et, struct elref *out, size_t *n,
		    size_t cap)
{
	cJSON *kids, *e;

	if (*n < cap)
		out[(*n)++] = (struct elref){ val, et };
	if (!et->child)
		return;
	kids = cJSON_GetObjectItemCaseSensitive(val, et->child->name);
	for (e = kids ? kids->child : NULL; e; e = e->next) {
		const struct mesh_element *ce =
			mesh_schema_element(s, e->child->string);

		if (ce && !cJSON_HasObjectItem(e->child, "delta"))
			collect(s, e->child, ce, out, n, cap);
	}
}

static bool is_text_entry(const cJSON *e)
{
	return cJSON_IsObject(e->child) &&
	       cJSON_HasObjectItem(e->child, "delta");
}

/* A random edit of a text node's delta: splice and reformat, per code
 * point. */
static void edit_text(cJSON *node)
{
	cJSON *delta = cJSON_GetObjectItemCaseSensitive(node->child, "delta");
	char *chars[256];
	cJSON *attrs[256], *op, *nd;
	int n = 0, i, at, del, ins;
	size_t k, len;

	for (op = delta->child; op; op = op->next) {
		const char *t = cJSON_GetObjectItemCaseSensitive(op, "insert")
					->valuestring;

		for (k = 0; t[k] && n < 200; k += len) {
			unsigned char c = (unsigned char)t[k];

			len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			chars[n] = strndup(t + k, len);
			attrs[n] = cJSON_GetObjectItemCaseSensitive(
				op, "attributes");
			n++;
		}
	}
	at = (int)rnd((uint32_t)n + 1);
	del = (int)rnd((uint32_t)(n - at) + 1);
	if (rnd(2))
		del = 0;
	ins = (int)rnd(4);
	for (i = at; i < at + del; i++)
		free(chars[i]);
	memmove(chars + at, chars + at + del,
		(size_t)(n - at - del) * sizeof(*chars));
	memmove(attrs + at, attrs + at + del,
		(size_t)(n - at - del) * sizeof(*attrs));
	n -= del;
	memmove(chars + at + ins, chars + at,
		(size_t)(n - at) * sizeof(*chars));
	memmove(attrs + at + ins, attrs + at,
		(size_t)(n - at) * sizeof(*attrs));
	{
		cJSON *fa = random_attrs();

		for (i = 0; i < ins; i++) {
			chars[at + i] = strdup(pieces[rnd(6)]);
			attrs[at + i] = fa;
		}
		n += ins;
		/* reformat a range */
		if (n && rnd(3) == 0) {
			cJSON *ra = random_attrs();
			int f = (int)rnd((uint32_t)n), l = 1 + (int)rnd(3);

			for (i = f; i < n && i < f + l; i++)
				attrs[i] = ra;
			nd = cJSON_CreateArray();
			/* rebuild below owns copies; keep ra alive */
			cJSON_AddItemToArray(nd, ra);
			cJSON_AddItemToArray(nd, fa);
			fa = nd;
		}
		nd = cJSON_CreateArray();
		for (i = 0; i < n; i++) {
			char buf[1024] = "";
			int j = i;

			while (j < n &&
			       cJSON_Compare(attrs[j], attrs[i], true) &&
			       strlen(buf) < 900) {
				strcat(buf, chars[j]);
				free(chars[j]);
				j++;
			}
			op = cJSON_CreateObject();
			cJSON_AddStringToObject(op, "insert", buf);
			cJSON_AddItemToObject(op, "attributes",
					      cJSON_Duplicate(attrs[i], true));
			cJSON_AddItemToArray(nd, op);
			i = j - 1;
		}
		cJSON_Delete(fa);
	}
	cJSON_ReplaceItemInObjectCaseSensitive(node->child, "delta", nd);
}

/* k random edits inside the element value v of type et. */
static void random_edits(const struct mesh_schema *s, cJSON *v,
			 const struct mesh_element *et, int k)
{
	struct elref els[512];
	size_t n, i;
	cJSON *kids, *x;
	int cnt;

	while (k-- > 0) {
		n = 0;
		collect(s, v, et, els, &n, 512);
		struct elref e = els[rnd((uint32_t)n)];

		switch (rnd(6)) {
		case 0: /* set an attribute */
		case 1: {
			const struct mesh_property *p = NULL;

			for (i = 0; i < e.et->n_props && !p; i++)
				if (e.et->props[i].kind == MESH_PROP_VALUE &&
				    rnd(2))
					p = &e.et->props[i];
			if (!p)
				break;
			cJSON_DeleteItemFromObjectCaseSensitive(e.val, p->name);
			cJSON_AddItemToObject(e.val, p->name, random_value(p));
			break;
		}
		case 2: /* delete an attribute */
			for (x = e.val->child; x; x = x->next)
				if (strcmp(x->string, "$id") &&
				    (!e.et->child ||
				     strcmp(x->string, e.et->child->name)))
					break;
			if (x)
				cJSON_DeleteItemFromObjectCaseSensitive(
					e.val, x->string);
			break;
		case 3: /* insert a child */
			if (!e.et->child || !e.et->child->n_tags)
				break;
			kids = cJSON_GetObjectItemCaseSensitive(
				e.val, e.et->child->name);
			if (!kids)
				kids = cJSON_AddArrayToObject(
					e.val, e.et->child->name);
			cnt = cJSON_GetArraySize(kids);
			arr_insert(kids,
				   cnt && is_text_entry(kids->child) ?
					   1 + (int)rnd((uint32_t)cnt) :
					   (int)rnd((uint32_t)cnt + 1),
				   random_child(s, e.et->child, 2));
			break;
		case 4: /* delete or move a child */
			if (!e.et->child)
				break;
			kids = cJSON_GetObjectItemCaseSensitive(
				e.val, e.et->child->name);
			cnt = kids ? cJSON_GetArraySize(kids) : 0;
			if (!cnt)
				break;
			i = rnd((uint32_t)cnt);
			if (is_text_entry(cJSON_GetArrayItem(kids, (int)i)))
				break;
			x = cJSON_DetachItemFromArray(kids, (int)i);
			if (rnd(2)) {
				cJSON_Delete(x);
				break;
			}
			cnt--;
			arr_insert(kids,
				   cnt && is_text_entry(kids->child) ?
					   1 + (int)rnd((uint32_t)cnt) :
					   (int)rnd((uint32_t)cnt + 1),
				   x);
			break;
		case 5: /* edit a text */
			if (!e.et->child || strcmp(e.et->tag, "text"))
				break;
			kids = cJSON_GetObjectItemCaseSensitive(
				e.val, e.et->child->name);
			if (kids && kids->child && is_text_entry(kids->child))
				edit_text(kids->child);
			break;
		}
	}
}

static cJSON *random_doc(const struct mesh_schema *s, int min_kids)
{
	const struct mesh_element *root = mesh_schema_root(s);
	cJSON *d = cJSON_CreateObject();

	cJSON_AddItemToObject(d, root->tag,
			      random_element(s, root, 0, min_kids));
	return d;
}

static void test_merge_random(int iters)
{
	int it, fails = 0, conc_fails = 0, conc_runs = 0;

	for (it = 0; it < iters; it++) {
		struct mesh_schema *s = random_schema();
		const struct mesh_element *root = mesh_schema_root(s);
		struct y_doc *a = new_doc(11), *b = new_doc(12);
		struct mesh_diag dg = { 0 };
		struct mesh_merge_stats st;
		cJSON *doc = random_doc(s, 2), *base, *neu, *rnew, *exp, *kids;
		char *got, *gotb, *want, *t;
		int ret, w, r, nk;

		ret = mesh_doc_build(a, s, doc, 0, &dg);
		if (ret) {
			t = diag_text(&dg);
			diag("random build failed: %s", t);
			free(t);
			fails++;
			goto next;
		}
		sync_docs(a, b);
		base = render_json(a, s, MESH_DOC_IDS);

		/* 1. sequential: base -> new renders exactly new */
		neu = cJSON_Duplicate(base, true);
		random_edits(s,
			     cJSON_GetObjectItemCaseSensitive(neu, root->tag),
			     root, 1 + (int)rnd(4));
		if (rnd(2))
			strip_ids(neu);
		ret = mesh_doc_merge(&st, a, s, base, neu, &dg);
		got = render(a, s, 0);
		want = normalize(s, neu);
		sync_docs(a, b);
		gotb = render(b, s, 0);
		if (ret || !got || !want || strcmp(got, want) ||
		    strcmp(got, gotb) || mesh_doc_validate(&dg, a, s)) {
			if (fails++ < 3) {
				char *bt = cJSON_Print(base),
				     *nt = cJSON_Print(neu);

				diag("iteration %d failed (details on stderr)",
				     it);
				fprintf(stderr,
					"iteration %d: merge %d\nbase %s\nnew %s\ngot %s\nwant %s\n",
					it, ret, bt, nt, got, want);
				free(bt);
				free(nt);
			}
		}
		free(got);
		free(gotb);
		free(want);
		cJSON_Delete(neu);
		cJSON_Delete(base);

		/* 2. concurrent edits in two different root children */
		base = render_json(a, s, MESH_DOC_IDS);
		kids = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(base, root->tag),
			root->child->name);
		nk = cJSON_GetArraySize(kids);
		if (nk < 2) {
			cJSON_Delete(base);
			goto next;
		}
		conc_runs++;
		w = (int)rnd((uint32_t)nk);
		r = (w + 1 + (int)rnd((uint32_t)nk - 1)) % nk;
		neu = cJSON_Duplicate(base, true);
		rnew = cJSON_Duplicate(base, true);
		{
			cJSON *nw = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
						neu, root->tag),
					root->child->name),
				w);
			cJSON *rr = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
						rnew, root->tag),
					root->child->name),
				r);

			if (!is_text_entry(nw))
				random_edits(s, nw->child,
					     mesh_schema_element(
						     s, nw->child->string),
					     1 + (int)rnd(3));
			if (!is_text_entry(rr))
				random_edits(s, rr->child,
					     mesh_schema_element(
						     s, rr->child->string),
					     1 + (int)rnd(3));
		}
		exp = cJSON_Duplicate(base, true);
		{
			cJSON *ek = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(exp,
								 root->tag),
				root->child->name);
			cJSON *nk2 = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(neu,
								 root->tag),
				root->child->name);
			cJSON *rk = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(rnew,
								 root->tag),
				root->child->name);

			cJSON_ReplaceItemInArray(
				ek, w,
				cJSON_Duplicate(cJSON_GetArrayItem(nk2, w),
						true));
			cJSON_ReplaceItemInArray(
				ek, r,
				cJSON_Duplicate(cJSON_GetArrayItem(rk, r),
						true));
		}
		if (rnd(2))
			strip_ids(neu);
		/* remote first, then the update reaches a, then the write */
		ret = mesh_doc_merge(NULL, b, s, NULL, rnew, &dg);
		sync_docs(b, a);
		if (!ret)
			ret = mesh_doc_merge(&st, a, s, base, neu, &dg);
		sync_docs(a, b);
		got = render(a, s, 0);
		gotb = render(b, s, 0);
		want = normalize(s, exp);
		if (ret || !got || !want || strcmp(got, want) ||
		    strcmp(got, gotb)) {
			if (conc_fails++ < 3) {
				char *bt = cJSON_Print(base),
				     *nt = cJSON_Print(neu),
				     *rt = cJSON_Print(rnew);

				diag("concurrent iteration %d failed (details on stderr)",
				     it);
				fprintf(stderr,
					"concurrent iteration %d (w=%d r=%d): merge %d\nbase %s\nnew %s\nremote %s\ngot %s\ngot b %s\nwant %s\n",
					it, w, r, ret, bt, nt, rt, got, gotb,
					want);
				free(bt);
				free(nt);
				free(rt);
			}
		}
		free(got);
		free(gotb);
		free(want);
		cJSON_Delete(neu);
		cJSON_Delete(rnew);
		cJSON_Delete(exp);
		cJSON_Delete(base);
next:
		cJSON_Delete(doc);
		mesh_diag_free(&dg);
		y_doc_free(a);
		y_doc_free(b);
		mesh_schema_free(s);
	}
	is_int(fails, 0,
	       nm("random merges (%d random schemas, documents and edits): base -> new renders new, replicas agree, result valid",
		  iters));
	is_int(conc_fails, 0,
	       nm("random concurrent edits (%d runs): the writer's and the remote changes are both kept, replicas converge",
		  conc_runs));
}

/*
 * The streaming render (mesh_doc_render) must read exactly as the cJSON
 * form printed (mesh_json_print(mesh_doc_to_cjson)), and its index must
 * point at each element's entry object with the element's id.
 */
static void test_render_stream(int iters)
{
	int it, fails = 0, idx_fails = 0;

	for (it = 0; it < iters; it++) {
		struct mesh_schema *s = random_schema();
		const struct mesh_element *root = mesh_schema_root(s);
		struct y_doc *a = new_doc(21);
		cJSON *doc = random_doc(s, 2), *tree, *neu, *e;
		struct mesh_render_index *ix;
		struct y_type *yroot;
		struct y_any v;
		char *want, *got;
		size_t len, i;
		unsigned fl;

		if (mesh_doc_build(a, s, doc, 0, NULL)) {
			fails++;
			goto next;
		}
		/* some history (split text runs) and stray live content */
		neu = render_json(a, s, MESH_DOC_IDS);
		random_edits(s,
			     cJSON_GetObjectItemCaseSensitive(neu, root->tag),
			     root, 3);
		mesh_doc_merge(NULL, a, s, NULL, neu, NULL);
		cJSON_Delete(neu);
		mesh_doc_root(&yroot, a);
		y_any_init_string(&v, "x\"\n\u00e9", 5);
		y_map_set(yroot, "stray", 5, &v);
		y_any_clear(&v);
		for (i = 0; i < root->n_props; i++) {
			if (root->props[i].kind != MESH_PROP_VALUE)
				continue;
			y_any_init_number(&v, rnd(2) ? 1.5e-7 : -42);
			y_map_set(yroot, root->props[i].name,
				  strlen(root->props[i].name), &v);
		}
		for (fl = 0; fl <= MESH_DOC_IDS; fl++) {
			mesh_doc_to_cjson(&tree, a, s, fl);
			mesh_json_print(&want, tree);
			cJSON_Delete(tree);
			mesh_doc_render_indexed(&got, &len, &ix, a, s, fl);
			if (!got || !want || strcmp(got, want) ||
			    len != strlen(want)) {
				if (fails++ < 3)
					fprintf(stderr,
						"render %d: want\n%s\ngot\n%s\n",
						it, want, got);
			}
			for (i = 0; got && ix && i < ix->n; i++) {
				const struct mesh_render_el *r = &ix->el[i];
				const cJSON *jid;

				e = NULL;
				mesh_json_parse(&e, got + r->start,
						r->end - r->start, NULL);
				jid = e && e->child ?
					      mesh_json_get(e->child, "$id") :
					      NULL;
				if (!e || !e->child ||
				    strcmp(e->child->string, r->et->tag) ||
				    (fl &&
				     (!jid || !mesh_render_index_id(ix, i) ||
				      strcmp(jid->valuestring,
					     mesh_render_index_id(ix, i)))) ||
				    (r->parent != MESH_RENDER_ROOT &&
				     (r->parent >= i ||
				      ix->el[r->parent].start >= r->start ||
				      ix->el[r->parent].end <= r->end)))
					idx_fails++;
				cJSON_Delete(e);
			}
			free(got);
			free(want);
			mesh_render_index_free(ix);
		}
next:
		cJSON_Delete(doc);
		y_doc_free(a);
		mesh_schema_free(s);
	}
	is_int(fails, 0,
	       nm("streaming render = printed cJSON form (%d random documents, with and without ids)",
		  iters));
	is_int(idx_fails, 0, "render index: entry spans, tags, ids, parents");
}

/*
 * The merge's fast path (mesh_doc_merge_indexed) against its full path on
 * two replicas in the same state: same return, stats, diagnostics,
 * resulting document and (without fresh ids) the same update bytes.
 * Edits are mostly local (inside one root child, sometimes deep), some
 * span the document, some are invalid, some follow a remote edit.
 */
static void test_merge_fast(int iters)
{
	int it, fails = 0, fast = 0;

	for (it = 0; it < iters; it++) {
		struct mesh_schema *s = random_schema();
		const struct mesh_element *root = mesh_schema_root(s);
		struct y_doc *c0 = new_doc(30), *a = new_doc(31),
			     *b = new_doc(32);
		struct mesh_diag da = { 0 }, db = { 0 };
		struct mesh_merge_stats sa, sb;
		struct updates ua = { 0 }, ub = { 0 };
		struct mesh_render_index *ix = NULL;
		cJSON *doc = random_doc(s, 2), *neu, *kids, *rn, *e;
		char *bt = NULL, *text = NULL, *ga, *gb, *ta, *tb;
		size_t bl;
		int ra, rb, nk;
		unsigned fl = rnd(2) ? MESH_DOC_IDS : 0;

		if (mesh_doc_build(c0, s, doc, 0, NULL)) {
			fails++;
			goto next;
		}
		sync_docs(c0, a);
		sync_docs(c0, b);
		mesh_doc_render_indexed(&bt, &bl, &ix, a, s, fl);
		mesh_json_parse(&neu, bt, bl, NULL);
		kids = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(neu, root->tag),
			root->child->name);
		nk = cJSON_GetArraySize(kids);
		e = nk ? cJSON_GetArrayItem(kids, (int)rnd((uint32_t)nk)) :
			 NULL;
		if (rnd(5) == 0 || !e || is_text_entry(e))
			random_edits(s,
				     cJSON_GetObjectItemCaseSensitive(
					     neu, root->tag),
				     root, 1 + (int)rnd(3));
		else
			random_edits(s, e->child,
				     mesh_schema_element(s, e->child->string),
				     1 + (int)rnd(2));
		if (e && !is_text_entry(e) && rnd(8) == 0) /* invalid */
			cJSON_AddItemToObject(e->child, "zz_unknown",
					      cJSON_CreateNumber(1));
		mesh_json_print(&text, neu);
		cJSON_Delete(neu);
		if (rnd(4) == 0) { /* a remote edit first */
			rn = render_json(c0, s, MESH_DOC_IDS);
			random_edits(
				s,
				cJSON_GetObjectItemCaseSensitive(rn, root->tag),
				root, 1);
			mesh_doc_merge(NULL, c0, s, NULL, rn, NULL);
			cJSON_Delete(rn);
			sync_docs(c0, a);
			sync_docs(c0, b);
		}
		y_doc_on_update(a, on_update, &ua);
		y_doc_on_update(b, on_update, &ub);
		ra = mesh_doc_merge_indexed(&sa, a, s, bt, bl, ix, text,
					    strlen(text), 0, &da);
		rb = mesh_doc_merge_indexed(&sb, b, s, bt, bl, ix, text,
					    strlen(text), MESH_MERGE_FULL, &db);
		ga = render(a, s, 0);
		gb = render(b, s, 0);
		ta = diag_text(&da);
		tb = diag_text(&db);
		/* the same bytes but the client id (31 / 32) */
		for (size_t q = 0; ua.n && q < ua.last_len && q < ub.last_len;
		     q++)
			if (ua.last[q] == 31 && ub.last[q] == 32)
				ub.last[q] = 31;
		if (ra != rb || memcmp(&sa, &sb, sizeof(sa)) ||
		    strcmp(ga, gb) || strcmp(ta, tb) || ua.n != ub.n ||
		    (!sa.elements_inserted &&
		     (ua.last_len != ub.last_len ||
		      (ua.n && memcmp(ua.last, ub.last, ua.last_len))))) {
			if (fails++ < 3)
				fprintf(stderr,
					"fast %d: ret %d/%d set %zu/%zu ins %zu/%zu upd %d/%d %zu/%zu render %d\nbase %s\nnew %s\ndiag %s / %s\n",
					it, ra, rb, sa.attrs_set, sb.attrs_set,
					sa.elements_inserted,
					sb.elements_inserted, ua.n, ub.n,
					ua.last_len, ub.last_len,
					strcmp(ga, gb), bt, text, ta, tb);
		}
		fast++;
		free(ga);
		free(gb);
		free(ta);
		free(tb);
		free(ua.last);
		free(ub.last);
next:
		free(bt);
		free(text);
		mesh_render_index_free(ix);
		cJSON_Delete(doc);
		mesh_diag_free(&da);
		mesh_diag_free(&db);
		y_doc_free(c0);
		y_doc_free(a);
		y_doc_free(b);
		mesh_schema_free(s);
	}
	is_int(fails, 0,
	       nm("merge fast path = full path (%d random documents and edits: result, stats, diagnostics, update bytes)",
		  fast));
}

int main(void)
{
	plan_no_plan();
	test_v2c();
	test_example_a();
	test_example_b();
	test_example_c();
	test_example_d();
	test_round_trips();
	test_build_forms();
	test_validate_json();
	test_validate_live();
	test_merge_basic();
	test_merge_conflicts();
	test_merge_text();
	{
		const char *seed = getenv("MESH_TEST_SEED");

		if (seed)
			rng = strtoull(seed, NULL, 0) | 1;
		diag("random seed %llu (MESH_TEST_SEED)",
		     (unsigned long long)rng);
		test_render_stream(100);
		test_merge_fast(300);
		test_merge_random(300);
	}
	return done_testing();
}
