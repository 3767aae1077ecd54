// SPDX-License-Identifier: MIT
/*
 * crdt-bench.c - libyjs side of the CRDT benchmark (tests/bench/run-crdt.sh;
 * crdt-bench.mjs is the yjs side).  For one editing trace:
 *   replay        every patch as one transaction into a Y.Text
 *   replay+upd    the same with an update subscriber (one v1 update a
 *                 transaction, bytes copied as a network layer would)
 *   decode        the final v1 full state applied to a fresh doc
 *                 (median of 7 runs)
 *   encode        encodeStateAsUpdate of that doc (median of 7 runs)
 *   mem-replayed  heap held by the replayed doc
 *   mem-loaded    heap held by the doc loaded from the full state
 * Prints "figure value unit" lines.  Not part of make check.
 *
 * usage: crdt-bench TRACE.json[.gz]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../traces/trace-load.h"
#include "yjs.h"

#define REPS 7

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, REPS, sizeof(*v), cmp_double);
	return v[REPS / 2];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* The traces of the benchmark are BMP-only after conversion: positions
 * are code points, which equal UTF-16 units unless non-BMP characters
 * are present; the replay converts through the text when they are. */
static uint64_t to_units(struct y_type *t, uint64_t cp, int astral)
{
	char *s;
	size_t len, i = 0;
	uint64_t u = 0, c = 0;

	if (!astral)
		return cp;
	if (y_text_string(&s, &len, t))
		exit(1);
	while (c < cp && i < len) {
		unsigned char b = s[i];
		int k = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;

		u += k == 4 ? 2 : 1;
		i += k;
		c++;
	}
	free(s);
	return u;
}

static int has_astral(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0xf0)
			return 1;
	return 0;
}

static size_t upd_bytes;

static void on_update(void *ctx, const uint8_t *u, size_t len, bool local,
		      void *origin)
{
	uint8_t *copy = malloc(len);

	(void)ctx;
	(void)local;
	(void)origin;
	memcpy(copy, u, len);
	upd_bytes += len;
	free(copy);
}

static struct y_doc *replay(const struct trace *tr, int subscribe)
{
	struct y_doc_options o = { .client_id = 1 };
	struct y_doc *doc;
	struct y_type *t;
	size_t i, j;
	int astral = 0;

	if (y_doc_new(&doc, &o) || y_doc_root(&t, doc, "text", Y_TEXT))
		exit(1);
	if (subscribe)
		y_doc_on_update(doc, on_update, NULL);
	for (i = 0; i < tr->txns->arr.len; i++) {
		const struct y_any *p =
			y_any_object_get(&tr->txns->arr.items[i], "patches", 7);

		for (j = 0; j < p->arr.len; j++) {
			const struct y_any *pt = p->arr.items[j].arr.items;
			uint64_t pos, del = (uint64_t)pt[1].num;

			astral |= has_astral(pt[2].str.ptr, pt[2].str.len);
			pos = to_units(t, (uint64_t)pt[0].num, astral);
			if (astral && del)
				del = to_units(t, (uint64_t)pt[0].num + del,
					       astral) -
				      pos;
			y_doc_transact_begin(doc, NULL);
			if (del && y_text_delete(t, pos, del))
				exit(1);
			if (pt[2].str.len &&
			    y_text_insert(t, pos, pt[2].str.ptr, pt[2].str.len,
					  NULL))
				exit(1);
			y_doc_transact_end(doc);
		}
	}
	return doc;
}

int main(int argc, char **argv)
{
	struct trace tr;
	struct y_doc *doc, *doc2;
	struct y_type *t;
	size_t len, slen, h0, h1, r;
	double samples[REPS];
	uint8_t *state, *state2;
	char *s;
	double t0, t1;

	if (argc != 2) {
		fprintf(stderr, "usage: crdt-bench TRACE.json[.gz]\n");
		return 2;
	}
	if (trace_load(&tr, "crdt-bench", argv[1]))
		return 2;

	h0 = heap();
	t0 = now();
	doc = replay(&tr, 0);
	t1 = now();
	h1 = heap();
	printf("replay %.1f ms\n", (t1 - t0) * 1e3);
	printf("mem-replayed %.2f MB\n", (double)(h1 - h0) / 1e6);
	if (y_doc_root(&t, doc, "text", Y_TEXT) ||
	    y_text_string(&s, &slen, t) || slen != tr.end->str.len ||
	    memcmp(s, tr.end->str.ptr, slen)) {
		fprintf(stderr, "crdt-bench: final text differs\n");
		return 1;
	}
	free(s);
	if (y_doc_encode_state_as_update(&state, &slen, doc, NULL, 0, NULL))
		return 1;
	y_doc_free(doc);

	t0 = now();
	doc = replay(&tr, 1);
	t1 = now();
	printf("replay+upd %.1f ms\n", (t1 - t0) * 1e3);
	printf("update-bytes %zu B\n", upd_bytes);
	y_doc_free(doc);

	/* decode and encode take a few milliseconds: one sample is at the
	 * mercy of the scheduler and of first-call costs (page faults,
	 * cold caches), so both sides report the median of REPS runs */
	for (r = 0; r < REPS; r++) {
		h0 = heap();
		t0 = now();
		if (y_doc_new(&doc2, NULL) ||
		    y_doc_apply_update(doc2, state, slen, NULL))
			return 1;
		t1 = now();
		h1 = heap();
		samples[r] = t1 - t0;
		if (r < REPS - 1)
			y_doc_free(doc2);
	}
	printf("decode %.1f ms\n", median(samples) * 1e3);
	printf("mem-loaded %.2f MB\n", (double)(h1 - h0) / 1e6);
	for (r = 0; r < REPS; r++) {
		t0 = now();
		if (y_doc_encode_state_as_update(&state2, &len, doc2, NULL, 0,
						 NULL))
			return 1;
		t1 = now();
		samples[r] = t1 - t0;
		if (r < REPS - 1)
			free(state2);
	}
	printf("encode %.2f ms\n", median(samples) * 1e3);
	printf("state-bytes %zu B\n", len);
	free(state);
	free(state2);
	y_doc_free(doc2);
	y_any_clear(&tr.root);
	return 0;
}
