/* SPDX-License-Identifier: MIT */
/*
 * test-schema.c - unit tests of the MeshSchema part of src/mesh: parsing
 * and emitting schema JSON (spec/document.md §2), the malformed-schema
 * errors (§2.4, §2.6), the JSON text rules, and level S validation (§4.1).
 *
 * Expected values come from outside this code: the fixture files in
 * schemas/ (copies of spec/document-schemas, written by the SDKs), the
 * output and messages of the TS SDK's MeshSchema (@meshagent/meshagent
 * 0.39.9, run by hand), and verdicts of a draft 2020-12 JSON Schema
 * validator (python-jsonschema) on the same documents.
 *
 * The fixtures are read from $abs_top_srcdir/schemas/ (set by make check).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh.h"
#include "tap.h"
#include "testutil.h"

struct schema_error_case {
	const char *name;
	const char *json;
	const char *path;
	const char *msg;
};

struct expect_error {
	const char *path;
	const char *msg;
};

struct validate_case {
	const char *name;
	const char *schema; /* file in schemas/ without .json, or "rich" */
	const char *doc;
	const struct expect_error *errors; /* ends with { NULL, NULL } */
};

/* The richer example of spec §2.7 (plus a null type, an empty element,
 * a "" description and refs without the #/$defs/ prefix), minimal form. */
static const char rich_json[] =
	"{\"$root_tag_ref\": \"r\", \"$defs\": {\n"
	" \"r\": {\"description\": \"R\", \"properties\": {\"r\": {\"properties\": {\n"
	"   \"a\": {\"type\": \"string\", \"description\": \"A\"},\n"
	"   \"b\": {\"type\": [\"number\", \"null\"]},\n"
	"   \"c\": {\"type\": \"string\", \"enum\": [\"x\", \"y\"], \"description\": \"C\"},\n"
	"   \"d\": {\"type\": \"boolean\", \"enum\": [true]},\n"
	"   \"n\": {\"type\": [\"null\", \"null\"]},\n"
	"   \"kids\": {\"description\": \"ordered kids\", \"type\": \"array\", \"prefixItems\": [{\"$ref\": \"#/$defs/k1\"}, {\"$ref\": \"#/$defs/k2\"}], \"items\": false}}}}},\n"
	" \"k1\": {\"properties\": {\"k1\": {\"properties\": {}}}},\n"
	" \"k2\": {\"properties\": {\"k2\": {\"properties\": {\n"
	"   \"e\": {\"type\": [\"string\", \"null\"], \"description\": \"\"},\n"
	"   \"more\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"k1\"}, {\"$ref\": \"#/$defs/r\"}]}}}}}}\n"
	"}}\n";

/* What TS MeshSchema.fromJson(rich).toJson() gives, as
 * JSON.stringify(v, null, 2) + "\n" (@meshagent/meshagent 0.39.9). */
static const char rich_ts_json[] =
	"{\n"
	"  \"$root_tag_ref\": \"#/$defs/r\",\n"
	"  \"$defs\": {\n"
	"    \"r\": {\n"
	"      \"type\": \"object\",\n"
	"      \"additionalProperties\": false,\n"
	"      \"description\": \"R\",\n"
	"      \"required\": [\n"
	"        \"r\"\n"
	"      ],\n"
	"      \"properties\": {\n"
	"        \"r\": {\n"
	"          \"type\": \"object\",\n"
	"          \"additionalProperties\": false,\n"
	"          \"required\": [\n"
	"            \"a\",\n"
	"            \"b\",\n"
	"            \"c\",\n"
	"            \"d\",\n"
	"            \"n\",\n"
	"            \"kids\"\n"
	"          ],\n"
	"          \"properties\": {\n"
	"            \"a\": {\n"
	"              \"type\": \"string\",\n"
	"              \"description\": \"A\"\n"
	"            },\n"
	"            \"b\": {\n"
	"              \"type\": [\n"
	"                \"number\",\n"
	"                \"null\"\n"
	"              ]\n"
	"            },\n"
	"            \"c\": {\n"
	"              \"type\": \"string\",\n"
	"              \"enum\": [\n"
	"                \"x\",\n"
	"                \"y\"\n"
	"              ],\n"
	"              \"description\": \"C\"\n"
	"            },\n"
	"            \"d\": {\n"
	"              \"type\": \"boolean\",\n"
	"              \"enum\": [\n"
	"                true\n"
	"              ]\n"
	"            },\n"
	"            \"n\": {\n"
	"              \"type\": [\n"
	"                \"null\",\n"
	"                \"null\"\n"
	"              ]\n"
	"            },\n"
	"            \"kids\": {\n"
	"              \"description\": \"ordered kids\",\n"
	"              \"type\": \"array\",\n"
	"              \"prefixItems\": [\n"
	"                {\n"
	"                  \"$ref\": \"#/$defs/k1\"\n"
	"                },\n"
	"                {\n"
	"                  \"$ref\": \"#/$defs/k2\"\n"
	"                }\n"
	"              ],\n"
	"              \"items\": false\n"
	"            }\n"
	"          }\n"
	"        }\n"
	"      }\n"
	"    },\n"
	"    \"k1\": {\n"
	"      \"type\": \"object\",\n"
	"      \"additionalProperties\": false,\n"
	"      \"required\": [\n"
	"        \"k1\"\n"
	"      ],\n"
	"      \"properties\": {\n"
	"        \"k1\": {\n"
	"          \"type\": \"object\",\n"
	"          \"additionalProperties\": false,\n"
	"          \"required\": [],\n"
	"          \"properties\": {}\n"
	"        }\n"
	"      }\n"
	"    },\n"
	"    \"k2\": {\n"
	"      \"type\": \"object\",\n"
	"      \"additionalProperties\": false,\n"
	"      \"required\": [\n"
	"        \"k2\"\n"
	"      ],\n"
	"      \"properties\": {\n"
	"        \"k2\": {\n"
	"          \"type\": \"object\",\n"
	"          \"additionalProperties\": false,\n"
	"          \"required\": [\n"
	"            \"e\",\n"
	"            \"more\"\n"
	"          ],\n"
	"          \"properties\": {\n"
	"            \"e\": {\n"
	"              \"type\": [\n"
	"                \"string\",\n"
	"                \"null\"\n"
	"              ]\n"
	"            },\n"
	"            \"more\": {\n"
	"              \"type\": \"array\",\n"
	"              \"items\": {\n"
	"                \"anyOf\": [\n"
	"                  {\n"
	"                    \"$ref\": \"#/$defs/k1\"\n"
	"                  },\n"
	"                  {\n"
	"                    \"$ref\": \"#/$defs/r\"\n"
	"                  }\n"
	"                ]\n"
	"              }\n"
	"            }\n"
	"          }\n"
	"        }\n"
	"      }\n"
	"    }\n"
	"  },\n"
	"  \"type\": \"object\",\n"
	"  \"additionalProperties\": false,\n"
	"  \"description\": \"R\",\n"
	"  \"required\": [\n"
	"    \"r\"\n"
	"  ],\n"
	"  \"properties\": {\n"
	"    \"r\": {\n"
	"      \"type\": \"object\",\n"
	"      \"additionalProperties\": false,\n"
	"      \"required\": [\n"
	"        \"a\",\n"
	"        \"b\",\n"
	"        \"c\",\n"
	"        \"d\",\n"
	"        \"n\",\n"
	"        \"kids\"\n"
	"      ],\n"
	"      \"properties\": {\n"
	"        \"a\": {\n"
	"          \"type\": \"string\",\n"
	"          \"description\": \"A\"\n"
	"        },\n"
	"        \"b\": {\n"
	"          \"type\": [\n"
	"            \"number\",\n"
	"            \"null\"\n"
	"          ]\n"
	"        },\n"
	"        \"c\": {\n"
	"          \"type\": \"string\",\n"
	"          \"enum\": [\n"
	"            \"x\",\n"
	"            \"y\"\n"
	"          ],\n"
	"          \"description\": \"C\"\n"
	"        },\n"
	"        \"d\": {\n"
	"          \"type\": \"boolean\",\n"
	"          \"enum\": [\n"
	"            true\n"
	"          ]\n"
	"        },\n"
	"        \"n\": {\n"
	"          \"type\": [\n"
	"            \"null\",\n"
	"            \"null\"\n"
	"          ]\n"
	"        },\n"
	"        \"kids\": {\n"
	"          \"description\": \"ordered kids\",\n"
	"          \"type\": \"array\",\n"
	"          \"prefixItems\": [\n"
	"            {\n"
	"              \"$ref\": \"#/$defs/k1\"\n"
	"            },\n"
	"            {\n"
	"              \"$ref\": \"#/$defs/k2\"\n"
	"            }\n"
	"          ],\n"
	"          \"items\": false\n"
	"        }\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

/* Malformed schemas: one error each (path, message).  Where TS has a
 * message of its own, these are its messages (checked against
 * MeshSchema.fromJson of @meshagent/meshagent 0.39.9). */
static const struct schema_error_case schema_errors[] = {
	{ "no $root_tag_ref",
	  "{\"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$root_tag_ref", "missing key \"$root_tag_ref\"" },
	{ "no $defs", "{\"$root_tag_ref\": \"#/$defs/a\"}", "/$defs",
	  "missing key \"$defs\"" },
	{ "root not among the tags",
	  "{\"$root_tag_ref\": \"#/$defs/zz\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$root_tag_ref", "zz was not found in tags" },
	{ "element def without properties",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {}}}",
	  "/$defs/b/properties", "Invalid schema json: no properties found" },
	{ "element def with properties {}",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {}}}}",
	  "/$defs/b/properties", "Invalid schema json: no properties found" },
	{ "inner element value not an object",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": 5}}}}",
	  "/$defs/b/properties/b", "typeJson must be an object" },
	{ "inner element value an array",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": [1]}}}}",
	  "/$defs/b/properties/b", "typeJson must be an object" },
	{ "inner object without properties",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {}}}}}",
	  "/$defs/b/properties/b/properties", "missing key \"properties\"" },
	{ "property without type",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"description\": \"no type\"}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type",
	  "Invalid value type: undefined (missing key \"type\")" },
	{ "type integer",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": \"integer\"}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type",
	  "Invalid value type: integer" },
	{ "type object",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": \"object\"}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type",
	  "Invalid value type: object" },
	{ "type [integer, null]",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"integer\", \"null\"]}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type/0",
	  "Invalid value type: integer" },
	{ "type 5",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": 5}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type", "Invalid value type: 5" },
	{ "type null (JSON)",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": null}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type",
	  "Invalid value type: null" },
	{ "type []",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": []}}}}}}}",
	  "/$defs/b/properties/b/properties/x/type", "Invalid value type: []" },
	{ "array without items/prefixItems",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\"}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children",
	  "Invalid array type encountered" },
	{ "array with items false only",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": false}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children",
	  "Invalid array type encountered" },
	{ "array with items without anyOf",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"type\": \"object\"}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children",
	  "Invalid array type encountered" },
	{ "child $ref to undefined tag",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}, {\"$ref\": \"#/$defs/zz\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/items/anyOf/1/$ref",
	  "Element not found: zz" },
	{ "ordered child $ref to undefined tag",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"prefixItems\": [{\"$ref\": \"#/$defs/zz\"}], \"items\": false}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/prefixItems/0/$ref",
	  "Element not found: zz" },
	{ "two child properties",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}, \"more\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/a\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/more",
	  "Only one child property is allowed" },
	{ "bad type after two child properties wins",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}, \"more\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/a\"}]}}, \"y\": {\"type\": \"integer\"}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/y/type",
	  "Invalid value type: integer" },
	{ "two defs with the same tag",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}, \"zzz\": {\"properties\": {\"a\": {\"properties\": {}}}}}}",
	  "/$defs/zzz", "a was found more than once" },
	{ "first repeated tag in order is reported",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}, \"c\": {\"properties\": {\"b\": {\"properties\": {}}}}, \"d\": {\"properties\": {\"a\": {\"properties\": {}}}}}}",
	  "/$defs/c", "b was found more than once" },
	{ "top level array", "[]", "",
	  "schema must be a JSON object, got array" },
	{ "top level string", "\"x\"", "",
	  "schema must be a JSON object, got string" },
	{ "$root_tag_ref not a string",
	  "{\"$root_tag_ref\": 1, \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$root_tag_ref", "\"$root_tag_ref\" must be a string, got number" },
	{ "$defs an array", "{\"$root_tag_ref\": \"a\", \"$defs\": []}",
	  "/$defs", "\"$defs\" must be an object, got array" },
	{ "def a string",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a/b~c\": \"x\"}}",
	  "/$defs/a~1b~0c",
	  "element definition must be an object, got string" },
	{ "element description a number",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}, \"description\": 5}}}",
	  "/$defs/b/description",
	  "\"description\" must be a string, got number" },
	{ "def properties an array",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": [1]}}}",
	  "/$defs/b/properties",
	  "\"properties\" must be an object, got array" },
	{ "inner properties a string",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": \"x\"}}}}}",
	  "/$defs/b/properties/b/properties",
	  "\"properties\" must be an object, got string" },
	{ "property def a boolean",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": true}}}}}}",
	  "/$defs/b/properties/b/properties/x",
	  "property definition must be an object, got boolean" },
	{ "property description an array",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": \"string\", \"description\": []}}}}}}}",
	  "/$defs/b/properties/b/properties/x/description",
	  "\"description\" must be a string, got array" },
	{ "enum a string",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": \"string\", \"enum\": \"x\"}}}}}}}",
	  "/$defs/b/properties/b/properties/x/enum",
	  "\"enum\" must be an array, got string" },
	{ "prefixItems an object",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"prefixItems\": {\"$ref\": \"b\"}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/prefixItems",
	  "\"prefixItems\" must be an array, got object" },
	{ "anyOf a string",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": \"b\"}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/items/anyOf",
	  "\"anyOf\" must be an array, got string" },
	{ "anyOf entry a string",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [\"#/$defs/b\"]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/items/anyOf/0",
	  "a child reference must be an object {\"$ref\": \"#/$defs/<tag>\"}, got string" },
	{ "anyOf entry without $ref",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"ref\": \"b\"}]}}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/items/anyOf/0/$ref",
	  "missing key \"$ref\"" },
	{ "$ref a number",
	  "{\"$root_tag_ref\": \"#/$defs/a\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {\"children\": {\"type\": \"array\", \"prefixItems\": [{\"$ref\": \"b\"}, {\"$ref\": 7}]}}}}}, \"b\": {\"properties\": {\"b\": {\"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}}}}}",
	  "/$defs/a/properties/a/properties/children/prefixItems/1/$ref",
	  "\"$ref\" must be a string, got number" },
	{ "invalid JSON: truncated", "{\"$defs\": {", "",
	  "invalid JSON at byte 11 (line 1, column 12): unexpected end of input" },
	{ "invalid JSON: trailing text", "{} x", "",
	  "invalid JSON at byte 3 (line 1, column 4): unexpected text after the JSON value" },
	{ "invalid JSON: leading zero", "{\"a\":\n 01}", "",
	  "invalid JSON at byte 7 (line 2, column 2): invalid number" },
	{ "invalid JSON: empty", "", "",
	  "invalid JSON at byte 0 (line 1, column 1): unexpected end of input" },
};

/* Level S cases: the verdicts agree with a draft 2020-12 validator
 * (python-jsonschema 4.26) run on the same schema JSON. */
static const struct expect_error v0_errors[] = { { NULL, NULL } };
static const struct expect_error v1_errors[] = { { NULL, NULL } };
static const struct expect_error v2_errors[] = {
	{ "/html/children/0/body/children/1/p/class",
	  "missing property \"class\" (use null for no value)" },
	{ NULL, NULL }
};
static const struct expect_error v3_errors[] = {
	{ "/body",
	  "unexpected key \"body\" at the top level (only \"html\" is allowed)" },
	{ "/html", "missing root element \"html\"" },
	{ NULL, NULL }
};
static const struct expect_error v4_errors[] = {
	{ "", "expected a JSON object {\"html\": {...}}, got array" },
	{ NULL, NULL }
};
static const struct expect_error v5_errors[] = {
	{ "/x",
	  "unexpected key \"x\" at the top level (only \"html\" is allowed)" },
	{ NULL, NULL }
};
static const struct expect_error v6_errors[] = {
	{ "/html", "missing root element \"html\"" },
	{ NULL, NULL }
};
static const struct expect_error v7_errors[] = {
	{ "/html",
	  "expected an object with the properties of \"html\", got array" },
	{ NULL, NULL }
};
static const struct expect_error v8_errors[] = {
	{ "/html/children/0",
	  "an element object must have exactly one key (its tag), got 2" },
	{ "/html/children/0/p",
	  "element \"p\" is not allowed in \"children\" of \"html\" (allowed: body)" },
	{ NULL, NULL }
};
static const struct expect_error v9_errors[] = {
	{ "/html/children/0",
	  "an element object must have exactly one key (its tag), got 0" },
	{ NULL, NULL }
};
static const struct expect_error v10_errors[] = {
	{ "/html/children/0",
	  "expected an element object {\"<tag>\": {...}}, got string" },
	{ NULL, NULL }
};
static const struct expect_error v11_errors[] = {
	{ "/html/children/0/p",
	  "element \"p\" is not allowed in \"children\" of \"html\" (allowed: body)" },
	{ NULL, NULL }
};
static const struct expect_error v12_errors[] = {
	{ "/html/children/0/div",
	  "unknown element \"div\" (not in the schema)" },
	{ NULL, NULL }
};
static const struct expect_error v13_errors[] = {
	{ "/html/children/0/body/children/0/p/id",
	  "unexpected property \"id\" (not in the schema of \"p\")" },
	{ NULL, NULL }
};
static const struct expect_error v14_errors[] = {
	{ "/html/children/0/body/$id",
	  "unexpected key \"$id\" (ids are not part of strict document JSON)" },
	{ NULL, NULL }
};
static const struct expect_error v15_errors[] = {
	{ "/html/children/0/body/children",
	  "missing property \"children\" (the children of \"body\"; use [] for none)" },
	{ NULL, NULL }
};
static const struct expect_error v16_errors[] = {
	{ "/html/children/0/body/children",
	  "expected an array of child elements, got object" },
	{ NULL, NULL }
};
static const struct expect_error v17_errors[] = {
	{ "/html/children/0/body/children/0/p/class",
	  "expected string or null, got number" },
	{ NULL, NULL }
};
static const struct expect_error v18_errors[] = {
	{ "/html/children/0/body/children/0/p",
	  "expected an object with the properties of \"p\", got string" },
	{ NULL, NULL }
};
static const struct expect_error v19_errors[] = {
	{ "/html/a~1b~0c",
	  "unexpected property \"a/b~c\" (not in the schema of \"html\")" },
	{ NULL, NULL }
};
static const struct expect_error v20_errors[] = { { NULL, NULL } };
static const struct expect_error v21_errors[] = { { NULL, NULL } };
static const struct expect_error v22_errors[] = {
	{ "/document/content/0/heading/text",
	  "expected string or null, got boolean" },
	{ NULL, NULL }
};
static const struct expect_error v23_errors[] = { { NULL, NULL } };
static const struct expect_error v24_errors[] = { { NULL, NULL } };
static const struct expect_error v25_errors[] = {
	{ "/document/children/0/image/width",
	  "expected number or null, got string" },
	{ NULL, NULL }
};
static const struct expect_error v26_errors[] = {
	{ "/document/children/0/image/width",
	  "expected number or null, got array" },
	{ "/document/children/0/image/height",
	  "expected number or null, got object" },
	{ NULL, NULL }
};
static const struct expect_error v27_errors[] = { { NULL, NULL } };
static const struct expect_error v28_errors[] = {
	{ "/schema/elements/0/element/schema/0/attribute/type",
	  "value \"integer\" is not one of [\"string\",\"boolean\",\"number\"]" },
	{ NULL, NULL }
};
static const struct expect_error v29_errors[] = {
	{ "/schema/elements/0/element/schema/0/attribute/type",
	  "expected string, got null" },
	{ NULL, NULL }
};
static const struct expect_error v30_errors[] = { { NULL, NULL } };
static const struct expect_error v31_errors[] = { { NULL, NULL } };
static const struct expect_error v32_errors[] = { { NULL, NULL } };
static const struct expect_error v33_errors[] = {
	{ "/thread/properties/0/messages",
	  "element \"messages\" is not allowed at position 0 of \"properties\" in \"thread\" (expected \"members\")" },
	{ "/thread/properties/1/members",
	  "element \"members\" is not allowed at position 1 of \"properties\" in \"thread\" (expected \"messages\")" },
	{ NULL, NULL }
};
static const struct expect_error v34_errors[] = {
	{ "/thread/properties/2",
	  "too many entries: \"properties\" of \"thread\" is ordered and takes at most 2" },
	{ NULL, NULL }
};
static const struct expect_error v35_errors[] = {
	{ "/thread/properties/1/messages/items/0/message/turn_id",
	  "missing property \"turn_id\" (use null for no value)" },
	{ "/thread/properties/1/messages/items/0/message/author_ref",
	  "missing property \"author_ref\" (use null for no value)" },
	{ "/thread/properties/1/messages/items/1/message/id",
	  "missing property \"id\" (use null for no value)" },
	{ "/thread/properties/1/messages/items/1/message/turn_id",
	  "missing property \"turn_id\" (use null for no value)" },
	{ "/thread/properties/1/messages/items/1/message/author_ref",
	  "missing property \"author_ref\" (use null for no value)" },
	/* an element's missing properties come after its contents */
	{ "/thread/properties/1/messages/external_thread_id",
	  "missing property \"external_thread_id\" (use null for no value)" },
	{ NULL, NULL }
};
static const struct expect_error v36_errors[] = { { NULL, NULL } };
static const struct expect_error v37_errors[] = {
	{ "/html/children/0/body/children/0/p/class",
	  "expected string or null, got number" },
	{ "/html/children/0/body/children/1/p/$id",
	  "unexpected key \"$id\" (ids are not part of strict document JSON)" },
	{ "/html/children/0/body/children/2/body",
	  "element \"body\" is not allowed in \"children\" of \"body\" (allowed: p)" },
	{ "/html/children/0/body/children/3/p/class",
	  "missing property \"class\" (use null for no value)" },
	{ "/html/lang",
	  "unexpected property \"lang\" (not in the schema of \"html\")" },
	{ "/head",
	  "unexpected key \"head\" at the top level (only \"html\" is allowed)" },
	{ NULL, NULL }
};
static const struct expect_error v38_errors[] = { { NULL, NULL } };
static const struct expect_error v39_errors[] = {
	{ "/r/a", "expected string, got null" },
	{ "/r/b", "expected number or null, got boolean" },
	{ "/r/c", "value \"z\" is not one of [\"x\",\"y\"]" },
	{ "/r/d", "value false is not one of [true]" },
	{ "/r/n", "expected null, got string" },
	{ NULL, NULL }
};
static const struct validate_case validate_cases[] = {
	{ "example A, strict form", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": [{\"p\": {\"class\": \"content\"}}, {\"p\": {\"class\": null}}]}}]}}",
	  v0_errors },
	{ "empty html document", "html", "{\"html\": {\"children\": []}}",
	  v1_errors },
	{ "example A, to_json form (absent attribute)", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": [{\"p\": {\"class\": \"content\"}}, {\"p\": {}}]}}]}}",
	  v2_errors },
	{ "top level names another tag", "html",
	  "{\"body\": {\"children\": []}}", v3_errors },
	{ "top level is an array", "html", "[]", v4_errors },
	{ "top level has an extra key", "html",
	  "{\"html\": {\"children\": []}, \"x\": 1}", v5_errors },
	{ "top level empty", "html", "{}", v6_errors },
	{ "root value not an object", "html", "{\"html\": []}", v7_errors },
	{ "element object with two keys", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": []}, \"p\": {\"class\": null}}]}}",
	  v8_errors },
	{ "empty element object", "html", "{\"html\": {\"children\": [{}]}}",
	  v9_errors },
	{ "element is not an object", "html",
	  "{\"html\": {\"children\": [\"body\"]}}", v10_errors },
	{ "tag not allowed at that position", "html",
	  "{\"html\": {\"children\": [{\"p\": {\"class\": null}}]}}",
	  v11_errors },
	{ "unknown tag", "html", "{\"html\": {\"children\": [{\"div\": {}}]}}",
	  v12_errors },
	{ "unknown attribute", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": [{\"p\": {\"class\": \"x\", \"id\": \"y\"}}]}}]}}",
	  v13_errors },
	{ "$id is not allowed", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"$id\": \"b1\", \"children\": []}}]}}",
	  v14_errors },
	{ "child property missing", "html",
	  "{\"html\": {\"children\": [{\"body\": {}}]}}", v15_errors },
	{ "child property not an array", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": {\"p\": {\"class\": null}}}}]}}",
	  v16_errors },
	{ "value of the wrong type", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": [{\"p\": {\"class\": 5}}]}}]}}",
	  v17_errors },
	{ "element value not an object", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": [{\"p\": \"x\"}]}}]}}",
	  v18_errors },
	{ "pointer escapes ~ and /", "html",
	  "{\"html\": {\"children\": [], \"a/b~c\": 1}}", v19_errors },
	{ "example B (document)", "document",
	  "{\"document\": {\"content\": [{\"heading\": {\"text\": \"Quarterly report\"}}, {\"body\": {\"text\": \"Revenue grew **12%**.\"}}, {\"file\": {\"name\": \"chart.png\"}}]}}",
	  v20_errors },
	{ "document: null for a nullable attribute", "document",
	  "{\"document\": {\"content\": [{\"heading\": {\"text\": null}}]}}",
	  v21_errors },
	{ "document: boolean for a string", "document",
	  "{\"document\": {\"content\": [{\"heading\": {\"text\": true}}]}}",
	  v22_errors },
	{ "number accepts integers and floats", "superdoc",
	  "{\"document\": {\"children\": [{\"image\": {\"imageUrl\": \"u\", \"width\": 100, \"height\": 1.5}}]}}",
	  v23_errors },
	{ "number accepts negative and exponent", "superdoc",
	  "{\"document\": {\"children\": [{\"image\": {\"imageUrl\": \"u\", \"width\": -300.0, \"height\": 0}}]}}",
	  v24_errors },
	{ "number refuses a numeric string", "superdoc",
	  "{\"document\": {\"children\": [{\"image\": {\"imageUrl\": \"u\", \"width\": \"100\", \"height\": null}}]}}",
	  v25_errors },
	{ "number refuses an array", "superdoc",
	  "{\"document\": {\"children\": [{\"image\": {\"imageUrl\": \"u\", \"width\": [1], \"height\": {}}}]}}",
	  v26_errors },
	{ "enum value allowed", "schema_schema",
	  "{\"schema\": {\"root_tag_name\": \"a\", \"elements\": [{\"element\": {\"tag_name\": \"a\", \"description\": null, \"schema\": [{\"attribute\": {\"name\": \"n\", \"type\": \"number\", \"description\": null}}]}}]}}",
	  v27_errors },
	{ "enum value not allowed", "schema_schema",
	  "{\"schema\": {\"root_tag_name\": \"a\", \"elements\": [{\"element\": {\"tag_name\": \"a\", \"description\": null, \"schema\": [{\"attribute\": {\"name\": \"n\", \"type\": \"integer\", \"description\": null}}]}}]}}",
	  v28_errors },
	{ "enum property is not nullable", "schema_schema",
	  "{\"schema\": {\"root_tag_name\": \"a\", \"elements\": [{\"element\": {\"tag_name\": \"a\", \"description\": null, \"schema\": [{\"attribute\": {\"name\": \"n\", \"type\": null, \"description\": null}}]}}]}}",
	  v29_errors },
	{ "ordered: both, in order", "thread",
	  "{\"thread\": {\"name\": null, \"properties\": [{\"members\": {\"items\": []}}, {\"messages\": {\"external_thread_id\": null, \"items\": []}}]}}",
	  v30_errors },
	{ "ordered: fewer is fine", "thread",
	  "{\"thread\": {\"name\": null, \"properties\": [{\"members\": {\"items\": []}}]}}",
	  v31_errors },
	{ "ordered: none is fine", "thread",
	  "{\"thread\": {\"name\": null, \"properties\": []}}", v32_errors },
	{ "ordered: wrong order", "thread",
	  "{\"thread\": {\"name\": null, \"properties\": [{\"messages\": {\"external_thread_id\": null, \"items\": []}}, {\"members\": {\"items\": []}}]}}",
	  v33_errors },
	{ "ordered: too many", "thread",
	  "{\"thread\": {\"name\": null, \"properties\": [{\"members\": {\"items\": []}}, {\"messages\": {\"external_thread_id\": null, \"items\": []}}, {\"messages\": {\"external_thread_id\": null, \"items\": []}}]}}",
	  v34_errors },
	{ "example C (thread) is not strictly valid", "thread",
	  "{\"thread\": {\"name\": \"support\", \"properties\": [{\"members\": {\"items\": [{\"member\": {\"name\": \"alice\"}}, {\"member\": {\"name\": \"assistant\"}}]}}, {\"messages\": {\"items\": [{\"message\": {\"id\": \"m1\", \"text\": \"Can you summarise the PDF?\", \"created_at\": \"2025-01-01T10:00:00Z\", \"author_name\": \"alice\", \"role\": \"user\", \"attachments\": [{\"file\": {\"path\": \"docs/report.pdf\"}}]}}, {\"message\": {\"text\": \"Sure - here it is.\", \"created_at\": \"2025-01-01T10:00:05Z\", \"author_name\": \"assistant\", \"role\": \"agent\", \"attachments\": []}}]}}]}}",
	  v35_errors },
	{ "example C with every attribute present is valid", "thread",
	  "{\"thread\": {\"name\": \"support\", \"properties\": [{\"members\": {\"items\": [{\"member\": {\"name\": \"alice\"}}, {\"member\": {\"name\": \"assistant\"}}]}}, {\"messages\": {\"items\": [{\"message\": {\"id\": \"m1\", \"text\": \"Can you summarise the PDF?\", \"created_at\": \"2025-01-01T10:00:00Z\", \"author_name\": \"alice\", \"role\": \"user\", \"attachments\": [{\"file\": {\"path\": \"docs/report.pdf\"}}], \"turn_id\": null, \"author_ref\": null}}, {\"message\": {\"text\": \"Sure - here it is.\", \"created_at\": \"2025-01-01T10:00:05Z\", \"author_name\": \"assistant\", \"role\": \"agent\", \"attachments\": [], \"id\": null, \"turn_id\": null, \"author_ref\": null}}], \"external_thread_id\": null}}]}}",
	  v36_errors },
	{ "several errors at once", "html",
	  "{\"html\": {\"children\": [{\"body\": {\"children\": [{\"p\": {\"class\": 1}}, {\"p\": {\"$id\": \"x\", \"class\": null}}, {\"body\": {\"children\": []}}, {\"p\": {}}]}}], \"lang\": \"en\"}, \"head\": {}}",
	  v37_errors },
	{ "rich: every type, enum, recursion", "rich",
	  "{\"r\": {\"a\": \"s\", \"b\": null, \"c\": \"x\", \"d\": true, \"n\": null, \"kids\": [{\"k1\": {}}, {\"k2\": {\"e\": null, \"more\": [{\"k1\": {}}, {\"r\": {\"a\": \"\", \"b\": 2.5, \"c\": \"y\", \"d\": true, \"n\": null, \"kids\": []}}]}}]}}",
	  v38_errors },
	{ "rich: required string refuses null, enums, null type", "rich",
	  "{\"r\": {\"a\": null, \"b\": true, \"c\": \"z\", \"d\": false, \"n\": \"x\", \"kids\": []}}",
	  v39_errors },
};

/* ------------------------------------------------------------- helpers */

static char *fixture_text(const char *name, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/schemas/%s.json", top_srcdir(), name);
	return read_file(path, len);
}

static struct mesh_schema *load_schema(const char *name)
{
	struct mesh_schema *s = NULL;
	struct mesh_error err;
	size_t len = 0;
	char *text;

	if (strcmp(name, "rich") == 0) {
		if (mesh_schema_parse(&s, rich_json, strlen(rich_json), &err))
			diag("rich: %s: %s", err.path, err.msg);
		return s;
	}
	text = fixture_text(name, &len);
	if (!text) {
		diag("cannot read schemas/%s.json (abs_top_srcdir not set?)",
		     name);
		return NULL;
	}
	if (mesh_schema_parse(&s, text, len, &err))
		diag("%s: %s: %s", name, err.path, err.msg);
	free(text);
	return s;
}

static struct mesh_schema *parse_q(const char *json, struct mesh_error *err)
{
	struct mesh_schema *s = NULL;
	char *text = q(json);

	mesh_schema_parse(&s, text, strlen(text), err);
	free(text);
	return s;
}

/* -------------------------------------------------------------- fixtures */

static const struct {
	const char *name;
	const char *root;
	size_t n_elements;
} fixtures[] = {
	/* spec/document.md Appendix A */
	{ "html", "html", 3 },
	{ "document", "document", 4 },
	{ "superdoc", "document", 5 },
	{ "gallery", "gallery", 2 },
	{ "presentation", "presentation", 3 },
	{ "transcript", "transcript", 2 },
	{ "thread", "thread", 13 },
	{ "thread_list", "thread_list", 2 },
	{ "schema_schema", "schema", 5 },
};

static void test_fixture(const char *name, const char *root, size_t n_el)
{
	struct mesh_schema *s = NULL, *s2 = NULL;
	cJSON *want = NULL, *got = NULL, *c;
	struct mesh_error err;
	char *text, *out = NULL;
	size_t len = 0;
	int r;

	text = fixture_text(name, &len);
	if (!ok(text != NULL, "%s: fixture readable", name))
		return;
	r = mesh_schema_parse(&s, text, len, &err);
	if (!is_int(r, 0, nm("%s: parses", name))) {
		diag("%s: %s", err.path, err.msg);
		goto out;
	}
	is_str(mesh_schema_root_tag(s), root, nm("%s: root tag", name));
	is_int(mesh_schema_element_count(s), n_el,
	       nm("%s: element count", name));
	is_int(mesh_schema_to_json(&out, s), 0, nm("%s: emits", name));
	want = cJSON_Parse(text);
	got = out ? cJSON_Parse(out) : NULL;
	ok(want && got && cJSON_Compare(want, got, 1),
	   "%s: emitted JSON equals the fixture (key order aside)", name);
	ok(out && len && out[strlen(out) - 1] == '\n' &&
		   strncmp(out, "{\n  \"$root_tag_ref\": ", 20) == 0,
	   "%s: pretty, 2-space indent, final newline", name);
	/* TS key order at the top: $root_tag_ref, $defs, root definition. */
	if (got) {
		static const char *const order[] = {
			"$root_tag_ref", "$defs",
			"type",		 "additionalProperties",
			"description",	 "required",
			"properties"
		};
		size_t i = 0, k;
		int in_order = 1;

		for (c = got->child; c; c = c->next) {
			for (k = i; k < 7 && strcmp(order[k], c->string); k++)
				;
			if (k == 7)
				in_order = 0;
			else
				i = k + 1;
		}
		ok(in_order, "%s: top-level keys in TS order", name);
	}
	r = out ? mesh_schema_parse(&s2, out, strlen(out), &err) : -1;
	is_int(r, 0, nm("%s: emitted JSON reparses", name));
	ok(mesh_schema_equal(s, s2), "%s: reparses to the same schema", name);
out:
	cJSON_Delete(want);
	cJSON_Delete(got);
	mesh_schema_free(s);
	mesh_schema_free(s2);
	free(out);
	free(text);
}

static void test_fixtures(void)
{
	size_t i;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		test_fixture(fixtures[i].name, fixtures[i].root,
			     fixtures[i].n_elements);
}

/* --------------------------------------------------------- look-ups */

static void test_lookups(void)
{
	const struct mesh_property *p, *cp;
	const struct mesh_element *el;
	struct mesh_schema *s;

	s = load_schema("html");
	if (!ok(s != NULL, "html loads"))
		return;
	el = mesh_schema_root(s);
	is_str(el->tag, "html", "html: root element");
	is_str(mesh_schema_element_at(s, 0)->tag, "html", "element 0 is html");
	is_str(mesh_schema_element_at(s, 1)->tag, "body", "element 1 is body");
	is_str(mesh_schema_element_at(s, 2)->tag, "p", "element 2 is p");
	ok(mesh_schema_element_at(s, 3) == NULL, "no element 3");
	el = mesh_schema_element(s, "p");
	ok(el && el->index == 2, "element by tag: p");
	ok(mesh_schema_element(s, "div") == NULL, "element by tag: unknown");
	p = mesh_element_property(el, "class");
	ok(p && p->kind == MESH_PROP_VALUE && p->type == MESH_TYPE_STRING &&
		   !p->required && !p->enum_values && !p->description,
	   "p.class: string, not required, no enum, no description");
	ok(mesh_element_child_property(el) == NULL, "p has no child property");
	cp = mesh_element_child_property(mesh_schema_element(s, "body"));
	ok(cp && cp->kind == MESH_PROP_CHILD && !cp->ordered &&
		   cp->n_tags == 1 && strcmp(cp->tags[0], "p") == 0 &&
		   cp->tag_elements[0] == el &&
		   strcmp(cp->name, "children") == 0,
	   "body.children: unordered, [p], resolved");
	ok(mesh_schema_allows_child(s, "html", "body"), "html allows body");
	ok(!mesh_schema_allows_child(s, "html", "p"), "html refuses p");
	ok(!mesh_schema_allows_child(s, "p", "p"), "p takes no children");
	ok(!mesh_schema_allows_child(s, "zz", "p"), "unknown parent");
	ok(mesh_property_allows_tag(cp, "p") &&
		   !mesh_property_allows_tag(cp, "body") &&
		   !mesh_property_allows_tag(p, "p"),
	   "property allows tag");
	mesh_schema_free(s);

	s = load_schema("thread");
	if (!ok(s != NULL, "thread loads"))
		return;
	cp = mesh_element_child_property(mesh_schema_root(s));
	ok(cp && cp->ordered && cp->n_tags == 2 &&
		   strcmp(cp->tags[0], "members") == 0 &&
		   strcmp(cp->tags[1], "messages") == 0 &&
		   strcmp(cp->description, "the messages in the thread") == 0,
	   "thread.properties: ordered [members, messages], description");
	ok(mesh_schema_allows_child(s, "thread", "messages"),
	   "ordered property allows its tags (runtime ignores order)");
	is_int(mesh_schema_root(s)->n_props, 2, "thread: 2 properties");
	is_str(mesh_schema_root(s)->props[0].name, "name",
	       "declaration order: name first");
	mesh_schema_free(s);

	s = load_schema("schema_schema");
	if (!ok(s != NULL, "schema_schema loads"))
		return;
	p = mesh_element_property(mesh_schema_element(s, "attribute"), "type");
	ok(p && p->enum_values && cJSON_GetArraySize(p->enum_values) == 3 &&
		   strcmp(cJSON_GetArrayItem(p->enum_values, 1)->valuestring,
			  "boolean") == 0 &&
		   p->required,
	   "attribute.type: enum [string, boolean, number], scalar type");
	is_str(mesh_schema_element(s, "schema")->description,
	       "defines an xml document representing a json schema",
	       "element description");
	mesh_schema_free(s);
}

/* ------------------------------------------------ emitting (TS order) */

static void test_rich(void)
{
	const struct mesh_element *r, *k2;
	const struct mesh_property *p;
	struct mesh_schema *s, *s2 = NULL;
	struct mesh_error err;
	char *out = NULL;

	s = load_schema("rich");
	if (!ok(s != NULL, "rich schema parses"))
		return;
	is_int(mesh_schema_to_json(&out, s), 0, "rich: emits");
	is_str(out, rich_ts_json,
	       "rich: byte for byte what TS toJson + JSON.stringify give");
	ok(out && mesh_schema_parse(&s2, out, strlen(out), &err) == 0 &&
		   mesh_schema_equal(s, s2),
	   "rich: reparses to the same schema");
	r = mesh_schema_root(s);
	is_str(r->tag, "r", "root ref without #/$defs/ prefix used as is");
	is_str(r->description, "R", "element description");
	p = mesh_element_property(r, "a");
	ok(p && p->type == MESH_TYPE_STRING && p->required &&
		   strcmp(p->description, "A") == 0,
	   "a: scalar type = required, description");
	p = mesh_element_property(r, "b");
	ok(p && p->type == MESH_TYPE_NUMBER && !p->required,
	   "b: [number, null] = not required");
	p = mesh_element_property(r, "d");
	ok(p && p->type == MESH_TYPE_BOOLEAN && p->enum_values &&
		   cJSON_IsTrue(p->enum_values->child),
	   "d: boolean enum [true]");
	p = mesh_element_property(r, "n");
	ok(p && p->type == MESH_TYPE_NULL && !p->required,
	   "n: [null, null] = type null, not required");
	p = r->child;
	ok(p && p->ordered && p->n_tags == 2 && p == &r->props[5],
	   "kids: the ordered child property");
	k2 = mesh_schema_element(s, "k2");
	p = mesh_element_property(k2, "e");
	ok(p && p->description == NULL, "description \"\" reads as none");
	p = k2->child;
	ok(p && !p->ordered && p->n_tags == 2 &&
		   strcmp(p->tags[0], "k1") == 0 &&
		   p->tag_elements[1] == mesh_schema_root(s),
	   "$ref without prefix; recursion to the root allowed");
	is_int(mesh_schema_element(s, "k1")->n_props, 0,
	       "element without properties");
	mesh_schema_free(s2);
	mesh_schema_free(s);
	free(out);
}

/* ---------------------------------------------------- malformed schemas */

static void test_schema_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(schema_errors) / sizeof(schema_errors[0]); i++) {
		const struct schema_error_case *c = &schema_errors[i];
		struct mesh_schema *s = (struct mesh_schema *)&s;
		struct mesh_error err;
		char line[1024];
		int r;

		r = mesh_schema_parse(&s, c->json, strlen(c->json), &err);
		is_int(r, -EINVAL, nm("%s: -EINVAL", c->name));
		ok(s == NULL, "%s: no schema", c->name);
		is_str(err.path, c->path, nm("%s: path", c->name));
		is_str(err.msg, c->msg, nm("%s: message", c->name));
		mesh_error_format(line, sizeof(line), &err);
		if (c->path[0])
			ok(strncmp(line, c->path, strlen(c->path)) == 0 &&
				   strstr(line, c->msg),
			   "%s: formatted as path: msg", c->name);
		mesh_schema_free(s);
	}
}

/* The §2.4 rules that are not errors, and what JSON keys mean. */
static void test_schema_rules(void)
{
	const struct mesh_property *p;
	const struct mesh_element *el;
	struct mesh_schema *s;
	struct mesh_error err;
	cJSON *tree;
	char *out;

	/* Rule 3: inside JSON a property name cannot repeat: JSON.parse
	 * keeps the last value (at the first position). */
	s = parse_q(
		"{'$root_tag_ref': 'a', '$defs': {'a': {'properties': {'a': {'properties': {"
		"'x': {'type': 'string'}, 'y': {'type': 'boolean'}, 'x': {'type': ['number', 'null']}}}}}}}",
		&err);
	el = s ? mesh_schema_root(s) : NULL;
	ok(el && el->n_props == 2 && strcmp(el->props[0].name, "x") == 0 &&
		   el->props[0].type == MESH_TYPE_NUMBER &&
		   !el->props[0].required &&
		   strcmp(el->props[1].name, "y") == 0,
	   "duplicate property key: last value wins, first position kept");
	mesh_schema_free(s);

	/* Duplicate $defs keys collapse the same way (one element). */
	s = parse_q(
		"{'$root_tag_ref': 'a', '$defs': {'a': {'properties': {'a': {'properties': {}}}}, "
		"'b': {'properties': {'b': {'properties': {}}}}, 'a': {'properties': {'c': {'properties': {}}}}}}",
		&err);
	ok(s == NULL && strcmp(err.msg, "a was not found in tags") == 0,
	   "duplicate $defs key: the last definition (tag c) replaces a");
	mesh_schema_free(s);

	/* Rule 7: not checked. */
	s = parse_q(
		"{'$root_tag_ref': '#/$defs/a', '$defs': {'zzz': {'properties': {'a': {'properties': {"
		"'$id': {'type': 'string'}, 'k': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/a'}, {'$ref': '#/$defs/a'}]}}}}, 'ignored': 5}}, "
		"'e': {'properties': {'e': {'properties': {'k': {'type': 'array', 'prefixItems': []}}}}}}}",
		&err);
	if (!ok(s != NULL,
		"rule 7: $id property, repeated tag, self reference, empty prefixItems accepted"))
		diag("%s: %s", err.path, err.msg);
	if (s) {
		el = mesh_schema_element(s, "a");
		ok(el && el->index == 0 && !mesh_schema_element(s, "zzz"),
		   "the tag is the first key of properties, not the $defs key");
		ok(el && el->child && el->child->n_tags == 2,
		   "a tag listed twice stays listed twice");
		p = mesh_element_child_property(mesh_schema_element(s, "e"));
		ok(p && p->ordered && p->n_tags == 0,
		   "empty prefixItems: a child property that allows nothing");
		is_int(mesh_schema_to_cjson(&tree, s), 0, "emits");
		el = mesh_schema_element(s, "a");
		ok(tree && cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(tree,
								    "$defs"),
				   "a"),
		   "$defs is keyed by tag on output");
		cJSON_Delete(tree);
	}
	mesh_schema_free(s);

	/* TS precedence: prefixItems over items.anyOf when both are given. */
	s = parse_q(
		"{'$root_tag_ref': 'a', '$defs': {'a': {'properties': {'a': {'properties': {"
		"'k': {'type': 'array', 'prefixItems': [{'$ref': 'b'}], 'items': {'anyOf': [{'$ref': 'a'}]}}}}}}, "
		"'b': {'properties': {'b': {'properties': {}}}}}}",
		&err);
	p = s ? mesh_schema_root(s)->child : NULL;
	ok(p && p->ordered && p->n_tags == 1 && strcmp(p->tags[0], "b") == 0,
	   "prefixItems wins over items.anyOf");
	mesh_schema_free(s);

	/* enum with a nullable type: written back with a scalar type, so
	 * it is required after parsing too; enum null means no enum;
	 * descriptions null and "" mean none and are not written. */
	s = parse_q(
		"{'$root_tag_ref': 'a', '$defs': {'a': {'description': '', 'properties': {'a': {'properties': {"
		"'x': {'type': ['string', 'null'], 'enum': ['u', 'v'], 'description': null}, "
		"'y': {'type': ['number', 'null'], 'enum': null}, "
		"'z': {'type': ['array', 'null'], 'items': {'anyOf': []}}}}}}}}",
		&err);
	el = s ? mesh_schema_root(s) : NULL;
	ok(el && el->props[0].required && el->props[0].enum_values &&
		   !el->props[0].description,
	   "enum on [T, null]: required, as its JSON type is written scalar");
	ok(el && !el->props[1].required && !el->props[1].enum_values,
	   "enum null: no enum");
	ok(el && el->child == &el->props[2] && el->child->n_tags == 0,
	   "[array, null] is a child property; empty anyOf allowed");
	ok(el && !el->description, "element description \"\" reads as none");
	out = NULL;
	if (s)
		mesh_schema_to_json(&out, s);
	ok(out && !strstr(out, "description") &&
		   strstr(out,
			  "\"x\": {\n              \"type\": \"string\",\n              \"enum\""),
	   "no empty descriptions written; enum with scalar type");
	free(out);
	mesh_schema_free(s);

	/* parse_cjson on a tree with duplicate keys (built by cJSON). */
	tree = cJSON_Parse(
		"{\"$root_tag_ref\": \"zz\", \"$defs\": {\"a\": {\"properties\": {\"a\": {\"properties\": {}}}}}, \"$root_tag_ref\": \"a\"}");
	s = NULL;
	is_int(mesh_schema_parse_cjson(&s, tree, &err), 0,
	       "parse_cjson: duplicate keys resolved, last wins");
	ok(tree && strcmp(tree->child->valuestring, "zz") == 0,
	   "parse_cjson leaves its input alone");
	mesh_schema_free(s);
	cJSON_Delete(tree);
}

/* ------------------------------------------------------------ JSON text */

static void test_json(void)
{
	static const struct {
		const char *text;
		const char *msg; /* NULL: valid */
	} cases[] = {
		{ "{\"a\": [1, -0.5, 1e3, 2E-2, true, false, null, \"\\u00e9\\n\"]}",
		  NULL },
		{ " \n\t{}\r\n ", NULL },
		{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", NULL },
		{ "{\"a\": 01}",
		  "invalid JSON at byte 6 (line 1, column 7): invalid number" },
		{ "[1.]",
		  "invalid JSON at byte 1 (line 1, column 2): invalid number" },
		{ "[.5]",
		  "invalid JSON at byte 1 (line 1, column 2): syntax error" },
		{ "[-]",
		  "invalid JSON at byte 1 (line 1, column 2): syntax error" },
		{ "[1,]",
		  "invalid JSON at byte 3 (line 1, column 4): syntax error" },
		{ "{\"a\" 1}",
		  "invalid JSON at byte 5 (line 1, column 6): syntax error" },
		{ "[\"a\tb\"]",
		  "invalid JSON at byte 3 (line 1, column 4): control character in string" },
		{ "[\"\\u0000\"]",
		  "invalid JSON at byte 2 (line 1, column 3): \\u0000 in a string is not supported" },
		{ "[\"\xc3\x28\"]",
		  "invalid JSON at byte 2 (line 1, column 3): invalid UTF-8" },
		{ "[\"\xed\xa0\x80\"]",
		  "invalid JSON at byte 2 (line 1, column 3): invalid UTF-8" },
		{ "[\"\xc0\xaf\"]",
		  "invalid JSON at byte 2 (line 1, column 3): invalid UTF-8" },
		{ "\xef\xbb\xbf{}",
		  "invalid JSON at byte 0 (line 1, column 1): byte order mark" },
		{ "{}{}",
		  "invalid JSON at byte 2 (line 1, column 3): unexpected text after the JSON value" },
		{ "nul",
		  "invalid JSON at byte 0 (line 1, column 1): syntax error" },
	};
	struct mesh_error err;
	cJSON *v;
	char *out;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = NULL;
		r = mesh_json_parse(&v, cases[i].text, strlen(cases[i].text),
				    &err);
		if (!cases[i].msg) {
			is_int(r, 0, nm("json %zu: valid", i));
		} else {
			is_int(r, -EINVAL, nm("json %zu: invalid", i));
			is_str(err.msg, cases[i].msg,
			       nm("json %zu: message", i));
			is_str(err.path, "", nm("json %zu: no path", i));
		}
		cJSON_Delete(v);
	}
	/* Not NUL-terminated, and a NUL byte inside. */
	r = mesh_json_parse(&v, "[1]xyz", 3, &err);
	is_int(r, 0, "length-bounded input");
	cJSON_Delete(v);
	r = mesh_json_parse(&v, "[1]\0", 4, &err);
	is_str(r ? err.msg : "",
	       "invalid JSON at byte 3 (line 1, column 4): NUL byte",
	       "NUL byte refused");

	/* Duplicate keys, as JSON.parse: last value, first position. */
	r = mesh_json_parse(
		&v,
		"{\"a\": 1, \"b\": {\"c\": 1, \"c\": [2]}, \"a\": {\"x\": 3}}",
		strlen("{\"a\": 1, \"b\": {\"c\": 1, \"c\": [2]}, \"a\": {\"x\": 3}}"),
		&err);
	out = NULL;
	if (!r)
		mesh_json_print(&out, v);
	is_str(out,
	       "{\n  \"a\": {\n    \"x\": 3\n  },\n  \"b\": {\n    \"c\": [\n      2\n    ]\n  }\n}\n",
	       "duplicate keys: JSON.parse semantics; 2-space printing");
	free(out);
	cJSON_Delete(v);

	/* Printing numbers and strings as JSON.stringify does. */
	r = mesh_json_parse(
		&v,
		"[100, 100.0, -0, 1.5, 0.1, 1e-7, 1.5e21, 123456789, -2.5e-10, \"q\\\"\\\\\\u0001\\u001f/\xc3\xa9\", {}, []]",
		strlen("[100, 100.0, -0, 1.5, 0.1, 1e-7, 1.5e21, 123456789, -2.5e-10, \"q\\\"\\\\\\u0001\\u001f/\xc3\xa9\", {}, []]"),
		&err);
	out = NULL;
	if (!r)
		mesh_json_print(&out, v);
	is_str(out,
	       "[\n  100,\n  100,\n  0,\n  1.5,\n  0.1,\n  1e-7,\n  1.5e+21,\n  123456789,\n  -2.5e-10,\n  \"q\\\"\\\\\\u0001\\u001f/\xc3\xa9\",\n  {},\n  []\n]\n",
	       "numbers and strings printed as JSON.stringify");
	free(out);
	cJSON_Delete(v);
}

/* ------------------------------------------------------ level S validation */

static void test_validate(void)
{
	struct mesh_schema *cache[16] = { 0 };
	const char *names[16] = { 0 };
	size_t i, j, n_cache = 0;

	for (i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]);
	     i++) {
		const struct validate_case *c = &validate_cases[i];
		struct mesh_schema *s = NULL;
		struct mesh_diag d = { 0 };
		struct mesh_error err;
		size_t n_want = 0;
		cJSON *doc = NULL;
		int r;

		for (j = 0; j < n_cache; j++)
			if (strcmp(names[j], c->schema) == 0)
				s = cache[j];
		if (!s && n_cache < 16) {
			s = load_schema(c->schema);
			names[n_cache] = c->schema;
			cache[n_cache++] = s;
		}
		if (!ok(s != NULL, "%s: schema %s", c->name, c->schema))
			continue;
		r = mesh_json_parse(&doc, c->doc, strlen(c->doc), &err);
		if (!is_int(r, 0, nm("%s: document parses", c->name)))
			continue;
		while (c->errors[n_want].path)
			n_want++;
		r = mesh_validate_strict(&d, s, doc);
		is_int(r, n_want ? -EINVAL : 0,
		       nm("%s: %s", c->name, n_want ? "invalid" : "valid"));
		is_int(d.total, n_want,
		       nm("%s: %zu error(s)", c->name, n_want));
		for (j = 0; j < n_want && j < d.n; j++) {
			is_str(d.errors[j].path, c->errors[j].path,
			       nm("%s: error %zu path", c->name, j));
			is_str(d.errors[j].msg, c->errors[j].msg,
			       nm("%s: error %zu message", c->name, j));
		}
		for (; j < d.n; j++)
			diag("unexpected: %s: %s", d.errors[j].path,
			     d.errors[j].msg);
		mesh_diag_free(&d);
		cJSON_Delete(doc);
	}
	for (j = 0; j < n_cache; j++)
		mesh_schema_free(cache[j]);
}

static void test_diag(void)
{
	struct mesh_schema *s = load_schema("html");
	struct mesh_diag d = { 0 };
	cJSON *doc, *kids, *p;
	char *text = NULL, line[64];
	struct mesh_error e;
	int i, r;

	if (!ok(s != NULL, "html loads"))
		return;
	/* 150 faults: 100 kept, all counted. */
	doc = cJSON_CreateObject();
	kids = cJSON_AddArrayToObject(cJSON_AddObjectToObject(doc, "html"),
				      "children");
	for (i = 0; i < 150; i++) {
		p = cJSON_CreateObject();
		cJSON_AddNullToObject(p, "p");
		cJSON_AddItemToArray(kids, p);
	}
	r = mesh_validate_strict(&d, s, doc);
	is_int(r, -EINVAL, "150 faults: invalid");
	is_int(d.total, 150, "all 150 counted");
	is_int(d.n, MESH_DIAG_MAX, "MESH_DIAG_MAX kept");
	is_str(d.errors[149 > MESH_DIAG_MAX - 1 ? MESH_DIAG_MAX - 1 : 0].path,
	       "/html/children/99/p", "the 100th kept error");
	is_int(mesh_diag_format(&text, &d), 0, "diag formats");
	ok(text &&
		   strstr(text,
			  "/html/children/0/p: element \"p\" is not allowed in \"children\" of \"html\" (allowed: body)\n") ==
			   text &&
		   strstr(text, "\n... and 50 more errors\n"),
	   "one line per error, then the count of the rest");
	free(text);
	/* A second validation appends to the same list. */
	r = mesh_validate_strict(&d, s, cJSON_GetObjectItem(doc, "html"));
	is_int(r, -EINVAL, "appending: invalid");
	is_int(d.total, 152, "appending: counted after the others");
	mesh_diag_free(&d);
	ok(d.errors == NULL && d.n == 0 && d.total == 0, "diag freed");
	mesh_diag_free(&d);
	cJSON_Delete(doc);
	mesh_schema_free(s);

	/* A key with a newline: the pointer is exact, the message one line. */
	doc = NULL;
	r = mesh_json_parse(&doc, "{\"a\\nb\": 1}", 11, &e);
	s = load_schema("html");
	if (!r && s)
		mesh_validate_strict(&d, s, doc);
	ok(d.n == 2 && strcmp(d.errors[0].path, "/a\nb") == 0 &&
		   strcmp(d.errors[0].msg,
			  "unexpected key \"a?b\" at the top level (only \"html\" is allowed)") ==
			   0,
	   "control characters in messages are replaced by ?");
	mesh_diag_free(&d);
	cJSON_Delete(doc);
	mesh_schema_free(s);

	mesh_error_clear(&e);
	snprintf(e.path, sizeof(e.path), "/a/b");
	snprintf(e.msg, sizeof(e.msg), "boom");
	mesh_error_format(line, sizeof(line), &e);
	is_str(line, "/a/b: boom", "error format with a path");
	e.path[0] = '\0';
	mesh_error_format(line, sizeof(line), &e);
	is_str(line, "boom", "error format without a path");
}

static void test_check_value(void)
{
	struct mesh_schema *s = load_schema("rich");
	const struct mesh_element *r;
	cJSON *v;
	char msg[128];

	if (!ok(s != NULL, "rich loads"))
		return;
	r = mesh_schema_root(s);
	v = cJSON_CreateString("y");
	ok(mesh_property_check_value(mesh_element_property(r, "c"), v, msg,
				     sizeof(msg)),
	   "c = \"y\" is in the enum");
	ok(!mesh_property_check_value(mesh_element_property(r, "a"), NULL, msg,
				      sizeof(msg)),
	   "no value is not a value");
	ok(!mesh_property_check_value(mesh_element_property(r, "kids"), v, msg,
				      sizeof(msg)),
	   "a child property takes no value");
	cJSON_Delete(v);
	v = cJSON_CreateNumber(3);
	ok(!mesh_property_check_value(mesh_element_property(r, "a"), v, msg,
				      sizeof(msg)) &&
		   strcmp(msg, "expected string, got number") == 0,
	   "a = 3: expected string");
	ok(mesh_property_check_value(mesh_element_property(r, "b"), v, NULL, 0),
	   "b = 3: a number");
	cJSON_Delete(v);
	mesh_schema_free(s);
}

int main(void)
{
	plan_no_plan();
	test_fixtures();
	test_lookups();
	test_rich();
	test_schema_errors();
	test_schema_rules();
	test_json();
	test_validate();
	test_diag();
	test_check_value();
	return done_testing();
}
