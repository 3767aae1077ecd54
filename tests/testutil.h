/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - helpers shared by the C unit tests (tests/unit/test-*.c) on
 * top of tap.h: hex fixtures, printf-style test names, JSON written with
 * single quotes, and reading files of the source tree.
 *
 * Header-only, like tap.h: the TAP counters are static to each test
 * program, so a helper that reports a result (is_hex) must be compiled
 * into the test that calls it.  Every function is static inline, so a test
 * pays only for what it uses.
 */
#ifndef MESHFS_TESTS_TESTUTIL_H
#define MESHFS_TESTS_TESTUTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* Bytes of a hex string ("00ff...") into out (room for strlen(hex) / 2);
 * stops at an odd tail or at the first pair that is not hex.  Returns the
 * number of bytes written. */
static inline size_t unhex(uint8_t *out, const char *hex)
{
	size_t n = 0;
	unsigned v;

	for (; hex[0] && hex[1]; hex += 2) {
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* is_mem of got against the bytes that want_hex spells. */
static inline int is_hex(const uint8_t *got, size_t glen, const char *want_hex,
			 const char *name)
{
	uint8_t *want = malloc(strlen(want_hex) / 2 + 1);
	size_t wlen;
	int r;

	if (!want)
		bail_out("out of memory");
	wlen = unhex(want, want_hex);
	r = is_mem(got, glen, want, wlen, name);
	free(want);
	return r;
}

/* A test name built printf-style (is_int/is_str take a plain name); the
 * last four stay valid. */
static inline TAP_PRINTF(1, 2) const char *nm(const char *fmt, ...)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* Single quotes stand for double quotes, to keep test JSON readable.
 * Returns a malloc'd copy (bails out when out of memory). */
static inline char *q(const char *s)
{
	char *r = strdup(s), *p;

	if (!r)
		bail_out("out of memory");
	for (p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

/* The whole file, malloc'd and NUL-terminated (*len without the NUL), or
 * NULL when it cannot be read. */
static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* The top of the source tree, as make check tells the tests
 * (abs_top_srcdir, else top_srcdir, else "."). */
static inline const char *top_srcdir(void)
{
	const char *top = getenv("abs_top_srcdir");

	if (!top)
		top = getenv("top_srcdir");
	return top ? top : ".";
}

#endif /* MESHFS_TESTS_TESTUTIL_H */
