/* SPDX-License-Identifier: MIT */
/*
 * mesh-bench.c - MeshDocument figures for the benchmark (§6): the
 * render of a 10k-element document, and a one-attribute edit of it (diff
 * against the base + CRDT operations + the update) compared with a full
 * render.  tests/bench/run-mesh.sh builds it with -O2 and prints it next to
 * node's JSON.stringify of the same tree (mesh-bench.mjs).  Not part of
 * make check.
 *
 * Output: one "name value" line per figure (milliseconds, bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesh.h"
#include "yjs.h"

#define SLIDES 1000
#define LINES 9 /* 1000 slides + 9000 lines = 10000 elements */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The same document as mesh-bench.mjs builds. */
static cJSON *make_doc(void)
{
	cJSON *doc = cJSON_CreateObject(), *slides, *slide, *v, *lines, *l;
	char buf[128];
	int i, j;

	slides = cJSON_AddArrayToObject(
		cJSON_AddObjectToObject(doc, "presentation"), "slides");
	for (i = 0; i < SLIDES; i++) {
		slide = cJSON_CreateObject();
		v = cJSON_AddObjectToObject(slide, "slide");
		snprintf(buf, sizeof(buf), "Slide number %d", i);
		cJSON_AddStringToObject(v, "title", buf);
		cJSON_AddStringToObject(v, "background",
					i % 2 ? "#ffffff" : "#202020");
		lines = cJSON_AddArrayToObject(v, "lines");
		for (j = 0; j < LINES; j++) {
			l = cJSON_CreateObject();
			snprintf(buf, sizeof(buf),
				 "Line %d of slide %d: some words to render", j,
				 i);
			cJSON_AddStringToObject(cJSON_AddObjectToObject(l,
									"line"),
						"line", buf);
			cJSON_AddItemToArray(lines, l);
		}
		cJSON_AddItemToArray(slides, slide);
	}
	return doc;
}

struct counter {
	size_t bytes;
	int n;
};

static void on_update(void *ctx, const uint8_t *u, size_t len, bool local,
		      void *origin)
{
	struct counter *c = ctx;

	(void)u;
	(void)local;
	(void)origin;
	c->bytes += len;
	c->n++;
}

int main(int argc, char **argv)
{
	const char *schema_path = argc > 1 ? argv[1] :
					     "schemas/presentation.json";
	struct mesh_merge_stats st;
	struct counter cnt = { 0 };
	struct mesh_schema *s;
	struct mesh_error err;
	struct y_doc *d;
	char text[1 << 16], *out;
	cJSON *doc, *base, *neu, *v;
	double t0, t, best;
	size_t len;
	FILE *f;
	int i, reps = 20;

	f = fopen(schema_path, "rb");
	if (!f)
		return 2;
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (mesh_schema_parse(&s, text, len, &err))
		return 2;
	doc = make_doc();
	y_doc_new(&d, NULL);

	t0 = now_ms();
	if (mesh_doc_build(d, s, doc, 0, NULL))
		return 1;
	printf("build_ms %.3f\n", now_ms() - t0);
	printf("elements %d\n", SLIDES * (LINES + 1));

	best = 1e9;
	for (i = 0; i < reps; i++) {
		t0 = now_ms();
		mesh_doc_render(&out, &len, d, s, 0);
		t = now_ms() - t0;
		if (t < best)
			best = t;
		if (i < reps - 1)
			free(out);
	}
	printf("render_ms %.3f\n", best);
	printf("render_bytes %zu\n", len);
	free(out);

	best = 1e9;
	for (i = 0; i < reps; i++) {
		t0 = now_ms();
		mesh_doc_render(&out, &len, d, s, MESH_DOC_IDS);
		t = now_ms() - t0;
		if (t < best)
			best = t;
		free(out);
	}
	printf("render_ids_ms %.3f\n", best);

	/* one attribute in the middle, file without ids, base with ids (as
	 * the file system layer keeps it) */
	y_doc_on_update(d, on_update, &cnt);
	best = 1e9;
	for (i = 0; i < reps; i++) {
		char val[32];

		mesh_doc_to_cjson(&base, d, s, MESH_DOC_IDS);
		mesh_doc_to_cjson(&neu, d, s, 0);
		v = cJSON_GetArrayItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(neu,
								"presentation"),
					    "slides"),
			SLIDES / 2);
		snprintf(val, sizeof(val), "edited %d", i);
		cJSON_ReplaceItemInObject(v->child, "title",
					  cJSON_CreateString(val));
		t0 = now_ms();
		if (mesh_doc_merge(&st, d, s, base, neu, NULL))
			return 1;
		t = now_ms() - t0;
		if (t < best)
			best = t;
		cJSON_Delete(base);
		cJSON_Delete(neu);
	}
	printf("edit_ms %.3f\n", best);
	printf("edit_attrs_set %zu\n", st.attrs_set);
	printf("edit_update_bytes %zu\n", cnt.n ? cnt.bytes / cnt.n : 0);
	printf("edit_updates %d\n", cnt.n);

	cJSON_Delete(doc);
	y_doc_free(d);
	mesh_schema_free(s);
	return 0;
}
