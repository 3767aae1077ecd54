/* SPDX-License-Identifier: MIT */
/*
 * mesh-driver.c - command-line access to MeshDocument for the interop test
 * against the TypeScript SDK (tests/mesh/sdk-interop.mjs drives it).
 * Updates travel as hex lines; JSON as files.
 *
 *   mesh-driver build SCHEMA DOC [CLIENT]
 *       builds DOC (ids kept) into a new document; prints the update (hex)
 *   mesh-driver render SCHEMA [ids] < updates
 *       applies the update lines, prints the render (with ids if asked)
 *   mesh-driver merge SCHEMA NEW CLIENT [BASE] < updates
 *       applies the update lines, merges BASE (default: the document as it
 *       is) -> NEW; prints the update of the merge (hex, "-" when none) on
 *       the first line, then the render with ids
 *   mesh-driver validate SCHEMA < updates
 *       prints the level R errors of the document ("" when valid)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh.h"
#include "yjs.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				exit(2);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static struct mesh_schema *schema(const char *path)
{
	struct mesh_schema *s;
	struct mesh_error err;
	size_t len;
	char *t = slurp(path, &len);

	if (!t || mesh_schema_parse(&s, t, len, &err)) {
		fprintf(stderr, "schema %s: %s %s\n", path, err.path, err.msg);
		exit(2);
	}
	free(t);
	return s;
}

static void apply_stdin(struct y_doc *d)
{
	static char line[1 << 22];
	static uint8_t bytes[1 << 21];
	struct y_error err;
	size_t n, i;
	unsigned v;

	while (fgets(line, sizeof(line), stdin)) {
		for (n = 0, i = 0;
		     line[i] && line[i + 1] && sscanf(line + i, "%2x", &v) == 1;
		     i += 2)
			bytes[n++] = (uint8_t)v;
		if (n && y_doc_apply_update(d, bytes, n, &err)) {
			fprintf(stderr, "apply: %s\n", err.msg);
			exit(2);
		}
	}
}

static void put_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

struct last {
	uint8_t *p;
	size_t n;
	int count;
};

static void on_update(void *ctx, const uint8_t *u, size_t len, bool local,
		      void *origin)
{
	struct last *l = ctx;

	(void)origin;
	if (!local)
		return;
	free(l->p);
	l->p = malloc(len);
	memcpy(l->p, u, len);
	l->n = len;
	l->count++;
}

static void fail_diag(const char *what, int ret, struct mesh_diag *dg)
{
	char *t = NULL;

	mesh_diag_format(&t, dg);
	fprintf(stderr, "%s: %s\n%s", what, strerror(-ret), t ? t : "");
	free(t);
	exit(1);
}

int main(int argc, char **argv)
{
	struct y_doc_options o = { 0 };
	struct mesh_diag dg = { 0 };
	struct mesh_schema *s;
	struct last last = { 0 };
	struct y_doc *d;
	char *text, *out;
	size_t len;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: see the top of mesh-driver.c\n");
		return 2;
	}
	s = schema(argv[2]);
	if (!strcmp(argv[1], "build") && argc >= 4) {
		uint8_t *u;
		size_t ul;

		o.client_id = argc > 4 ? strtoull(argv[4], NULL, 0) : 0;
		y_doc_new(&d, &o);
		text = slurp(argv[3], &len);
		ret = text ? mesh_doc_build_text(d, s, text, len, MESH_DOC_IDS,
						 &dg) :
			     -ENOENT;
		if (ret)
			fail_diag("build", ret, &dg);
		y_doc_encode_state_as_update(&u, &ul, d, NULL, 0, NULL);
		put_hex(u, ul);
		free(u);
		free(text);
	} else if (!strcmp(argv[1], "render")) {
		y_doc_new(&d, &o);
		apply_stdin(d);
		ret = mesh_doc_render(
			&out, NULL, d, s,
			argc > 3 && !strcmp(argv[3], "ids") ? MESH_DOC_IDS : 0);
		if (ret)
			fail_diag("render", ret, &dg);
		fputs(out, stdout);
		free(out);
	} else if (!strcmp(argv[1], "merge") && argc >= 5) {
		cJSON *base = NULL;
		struct mesh_error err;
		char *bt;

		o.client_id = strtoull(argv[4], NULL, 0);
		y_doc_new(&d, &o);
		apply_stdin(d);
		y_doc_on_update(d, on_update, &last);
		if (argc > 5) {
			bt = slurp(argv[5], &len);
			if (!bt || mesh_json_parse(&base, bt, len, &err)) {
				fprintf(stderr, "base: %s\n", err.msg);
				return 2;
			}
			free(bt);
		}
		text = slurp(argv[3], &len);
		ret = text ? mesh_doc_merge_text(NULL, d, s, base, text, len,
						 &dg) :
			     -ENOENT;
		if (ret)
			fail_diag("merge", ret, &dg);
		if (last.count > 1) {
			fprintf(stderr, "merge made %d updates\n", last.count);
			return 1;
		}
		if (last.count)
			put_hex(last.p, last.n);
		else
			printf("-\n");
		mesh_doc_render(&out, NULL, d, s, MESH_DOC_IDS);
		fputs(out, stdout);
		free(out);
		free(text);
		cJSON_Delete(base);
		free(last.p);
	} else if (!strcmp(argv[1], "validate")) {
		y_doc_new(&d, &o);
		apply_stdin(d);
		ret = mesh_doc_validate(&dg, d, s);
		mesh_diag_format(&out, &dg);
		fputs(out, stdout);
		free(out);
	} else {
		fprintf(stderr, "unknown command %s\n", argv[1]);
		return 2;
	}
	mesh_diag_free(&dg);
	y_doc_free(d);
	mesh_schema_free(s);
	return 0;
}
