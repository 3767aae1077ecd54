/* SPDX-License-Identifier: MIT */
/*
 * fuzz-schema.c - libFuzzer target for src/mesh: MeshSchema parsing and
 * emitting, JSON text parsing/printing, and level S validation.
 *
 * Input: <schema bytes> [NUL <document bytes>].  The first part is parsed
 * as a schema; when that works, the emitted JSON must parse back to the
 * same schema.  The second part is parsed as JSON, printed and re-parsed
 * (printing must be stable), and validated against the fuzzed schema and
 * against every built-in schema.  Any crash, sanitizer report or broken
 * invariant (abort) is a bug.
 *
 * Build and run by hand (from the top of the tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/mesh \
 *     src/mesh/json.c src/mesh/schema.c src/mesh/validate.c \
 *     tests/fuzz/fuzz-schema.c -lcjson -lm -o /tmp/fuzz-schema
 *   rm -rf /tmp/corpus && cp -r schemas /tmp/corpus
 *   MESH_SCHEMAS_DIR=schemas /tmp/fuzz-schema -max_total_time=60 /tmp/corpus
 * MESH_SCHEMAS_DIR (default "schemas") is where the built-in schemas are.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh.h"

static const char *const builtin[] = {
	"html",	   "document",	   "superdoc",
	"gallery", "presentation", "transcript",
	"thread",  "thread_list",  "schema_schema",
};
#define N_BUILTIN (sizeof(builtin) / sizeof(builtin[0]))

static struct mesh_schema *schemas[N_BUILTIN];

static void load_builtin(void)
{
	const char *dir = getenv("MESH_SCHEMAS_DIR");
	struct mesh_error err;
	char path[4096], *buf;
	size_t i, n;
	long len;
	FILE *f;

	if (!dir)
		dir = "schemas";
	for (i = 0; i < N_BUILTIN; i++) {
		snprintf(path, sizeof(path), "%s/%s.json", dir, builtin[i]);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = len > 0 ? malloc((size_t)len) : NULL;
		n = buf ? fread(buf, 1, (size_t)len, f) : 0;
		fclose(f);
		if (buf && mesh_schema_parse(&schemas[i], buf, n, &err) != 0)
			fprintf(stderr, "fuzz-schema: %s: %s: %s\n", path,
				err.path, err.msg);
		free(buf);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	load_builtin();
	return 0;
}

static void check_validate(const struct mesh_schema *s, const cJSON *doc)
{
	struct mesh_diag d = { 0 };
	char *text = NULL;
	int r;

	r = mesh_validate_strict(&d, s, doc);
	if (r == 0 && d.total != 0)
		abort();
	if (r == -22 && (d.total == 0 || d.n == 0 || d.n > MESH_DIAG_MAX))
		abort();
	if (r == 0 || r == -22) {
		if (mesh_diag_format(&text, &d) == 0 && !text)
			abort();
	}
	free(text);
	mesh_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t slen = nul ? (size_t)(nul - data) : size;
	struct mesh_schema *s = NULL, *s2 = NULL;
	char *out = NULL, *p1 = NULL, *p2 = NULL;
	struct mesh_error err;
	cJSON *doc = NULL, *doc2 = NULL;
	size_t i;
	int r;

	r = mesh_schema_parse(&s, text, slen, &err);
	if (r == 0) {
		if (!s || mesh_schema_to_json(&out, s) != 0)
			abort();
		if (mesh_schema_parse(&s2, out, strlen(out), &err) != 0 ||
		    !mesh_schema_equal(s, s2))
			abort();
	} else if (s || (r == -22 && !err.msg[0])) {
		abort();
	}

	if (nul) {
		const char *dtext = (const char *)nul + 1;
		size_t dlen = size - slen - 1;

		if (mesh_json_parse(&doc, dtext, dlen, &err) == 0) {
			/* Printing is stable: print(parse(print(v))) ==
			 * print(v). */
			if (mesh_json_print(&p1, doc) != 0)
				abort();
			if (mesh_json_parse(&doc2, p1, strlen(p1), &err) != 0 ||
			    mesh_json_print(&p2, doc2) != 0 || strcmp(p1, p2))
				abort();
			if (s)
				check_validate(s, doc);
			for (i = 0; i < N_BUILTIN; i++)
				if (schemas[i])
					check_validate(schemas[i], doc);
		}
	}
	cJSON_Delete(doc);
	cJSON_Delete(doc2);
	free(p1);
	free(p2);
	free(out);
	mesh_schema_free(s);
	mesh_schema_free(s2);
	return 0;
}
