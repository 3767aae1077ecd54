/* SPDX-License-Identifier: MIT */
/*
 * mesh-bench.c - MeshDocument figures for the benchmark (§6): the
 * render of a 10k-element document, and a one-attribute edit of it (diff
 * against the base + CRDT operations + the update) compared with a full
 * render.  tests/bench/run-mesh.sh builds it with -O2 and prints it next to
 * node's JSON.stringify of the same tree (mesh-bench.mjs).  Not part of
 * make check.
 *
 * Output: one "name value" line per figure (milliseconds: medians of 21
 * runs; bytes).  The edit is timed both through the fast path (the base
 * render and its index kept, as the FS layer does) and the full path.
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define REPS 21

/*
 * One edit of the title of slide SLIDES/2 in the text the writer read (a
 * render without ids, kept with its index as the FS layer keeps it), timed
 * through mesh_doc_merge_indexed with flags (0: fast path, or
 * MESH_MERGE_FULL).  Returns the median in ms.
 */
static double time_edit(struct y_doc *d, struct mesh_schema *s, unsigned flags,
			struct mesh_merge_stats *st, int tag)
{
	struct mesh_render_index *ix;
	double v[REPS], t0;
	char *base, *neu, *at, want[64], val[64];
	size_t len, nlen;
	int i;

	for (i = 0; i < REPS; i++) {
		mesh_doc_render_indexed(&base, &len, &ix, d, s, 0);
		snprintf(want, sizeof(want), "Slide number %d\"", SLIDES / 2);
		at = strstr(base, want);
		if (!at) { /* edited before: find the previous value */
			snprintf(want, sizeof(want), "\"title\": \"edited");
			at = strstr(base, want);
			at += 10;
		}
		snprintf(val, sizeof(val), "edited %d-%d\"", tag, i);
		neu = malloc(len + 64);
		memcpy(neu, base, (size_t)(at - base));
		nlen = (size_t)(at - base);
		memcpy(neu + nlen, val, strlen(val));
		nlen += strlen(val);
		at = strchr(at, '"') + 1;
		memcpy(neu + nlen, at, len - (size_t)(at - base));
		nlen += len - (size_t)(at - base);
		t0 = now_ms();
		if (mesh_doc_merge_indexed(st, d, s, base, len, ix, neu, nlen,
					   flags, NULL))
			exit(1);
		v[i] = now_ms() - t0;
		free(neu);
		free(base);
		mesh_render_index_free(ix);
	}
	return median(v, REPS);
}

int main(int argc, char **argv)
{
	const char *schema_path = argc > 1 ? argv[1] :
					     "schemas/presentation.json";
	struct mesh_merge_stats st;
	struct counter cnt = { 0 };
	struct mesh_render_index *ix;
	struct mesh_schema *s;
	struct mesh_error err;
	struct y_doc *d;
	char text[1 << 16], *out;
	double t0, v[REPS];
	cJSON *doc;
	size_t len;
	FILE *f;
	int i;

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

	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		mesh_doc_render(&out, &len, d, s, 0);
		v[i] = now_ms() - t0;
		free(out);
	}
	printf("render_ms %.3f\n", median(v, REPS));
	printf("render_bytes %zu\n", len);
	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		mesh_doc_render(&out, &len, d, s, MESH_DOC_IDS);
		v[i] = now_ms() - t0;
		free(out);
	}
	printf("render_ids_ms %.3f\n", median(v, REPS));
	for (i = 0; i < REPS; i++) {
		t0 = now_ms();
		mesh_doc_render_indexed(&out, &len, &ix, d, s, 0);
		v[i] = now_ms() - t0;
		free(out);
		mesh_render_index_free(ix);
	}
	printf("render_indexed_ms %.3f\n", median(v, REPS));

	/* one attribute in the middle of the document */
	y_doc_on_update(d, on_update, &cnt);
	printf("edit_ms %.3f\n", time_edit(d, s, 0, &st, 0));
	printf("edit_attrs_set %zu\n", st.attrs_set);
	printf("edit_update_bytes %zu\n", cnt.n ? cnt.bytes / cnt.n : 0);
	printf("edit_updates %d\n", cnt.n);
	printf("edit_full_ms %.3f\n", time_edit(d, s, MESH_MERGE_FULL, &st, 1));
	printf("edit_full_attrs_set %zu\n", st.attrs_set);

	cJSON_Delete(doc);
	y_doc_free(d);
	mesh_schema_free(s);
	return 0;
}
