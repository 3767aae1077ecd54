/* SPDX-License-Identifier: MIT */
/*
 * trace-load.h - reads an editing trace (josephg/editing-traces format,
 * JSON or gzip'd JSON) for the two C programs that replay one:
 * tests/traces/trace-replay.c (compared with yjs by traces.test) and
 * tests/bench/crdt-bench.c (the CRDT benchmark).  Header-only, because
 * run-crdt.sh builds the benchmark from the library sources and one file.
 */
#ifndef MESHFS_TESTS_TRACE_LOAD_H
#define MESHFS_TESTS_TRACE_LOAD_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yjs.h"

/* A loaded trace: root owns the parsed JSON, txns and end point into it. */
struct trace {
	struct y_any root;
	const struct y_any *txns; /* array of {"patches": [[pos, del, ins]]} */
	const struct y_any *end; /* endContent, a string */
};

/* The whole file, through `gzip -dc` when it ends in .gz; malloc'd (not
 * NUL-terminated), or NULL when it cannot be read. */
static inline char *trace_slurp(const char *path, size_t *len)
{
	size_t n = strlen(path), cap = 1 << 20, got = 0, r;
	bool gz = n > 3 && !strcmp(path + n - 3, ".gz");
	char cmd[4200], *buf, *p;
	FILE *f;

	if (gz) {
		snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
		f = popen(cmd, "r");
	} else {
		f = fopen(path, "rb");
	}
	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (r = fread(buf + got, 1, cap - got, f)) > 0) {
		got += r;
		if (got == cap) {
			cap *= 2;
			p = realloc(buf, cap);
			if (!p)
				free(buf);
			buf = p;
		}
	}
	if ((gz ? pclose(f) != 0 : fclose(f) != 0) || !buf) {
		free(buf);
		return NULL;
	}
	*len = got;
	return buf;
}

/* Loads the trace at path into tr (y_any_clear tr->root when done).
 * 0, or -1 after a message "prog: ..." on stderr. */
static inline int trace_load(struct trace *tr, const char *prog,
			     const char *path)
{
	struct y_error err = { 0 };
	size_t len;
	char *json = trace_slurp(path, &len);
	int rc;

	if (!json) {
		fprintf(stderr, "%s: cannot read %s\n", prog, path);
		return -1;
	}
	rc = y_any_from_json(&tr->root, json, len, &err);
	free(json);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
		return -1;
	}
	tr->txns = y_any_object_get(&tr->root, "txns", 4);
	tr->end = y_any_object_get(&tr->root, "endContent", 10);
	if (!tr->txns || tr->txns->kind != Y_ANY_ARRAY || !tr->end ||
	    tr->end->kind != Y_ANY_STRING) {
		fprintf(stderr, "%s: %s: not a trace\n", prog, path);
		y_any_clear(&tr->root);
		return -1;
	}
	return 0;
}

#endif /* MESHFS_TESTS_TRACE_LOAD_H */
