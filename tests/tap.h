/* SPDX-License-Identifier: MIT */
/*
 * tap.h - a tiny header-only TAP (Test Anything Protocol) producer for the
 * C unit tests.
 *
 * Each test program includes this header once and prints TAP on stdout,
 * which `make check` feeds to automake's TAP driver: every `ok` line is one
 * result in test-suite.log.  State is file-local (static), so a test program
 * is a single translation unit as far as this header is concerned.
 *
 *	int main(void)
 *	{
 *		plan_no_plan();
 *		is_int(y_foo(), 0, "y_foo succeeds");
 *		is_mem(buf, len, want, sizeof(want), "bytes match yjs");
 *		return done_testing();
 *	}
 *
 * API (the checks are macros so that a failure names its file and line):
 *	plan(n)                  announce n tests up front
 *	plan_no_plan()           the plan is printed by done_testing()
 *	ok(cond, fmt, ...)       returns cond (as 0/1)
 *	is_int(got, want, name)  long long comparison
 *	is_str(got, want, name)  strcmp, NULL-safe (NULL equals only NULL)
 *	is_mem(got, glen, want, wlen, name)  bytes; failures show both in hex
 *	diag(fmt, ...)           a `# ` comment line
 *	skip(n, fmt, ...)        record n skipped tests
 *	skip_all(fmt, ...)       skip the whole program (exits 0)
 *	bail_out(fmt, ...)       abort the whole run (exits 1)
 *	done_testing()           returns 0 if everything passed, else 1
 * Each returns the check's outcome, so `if (!ok(...)) goto out;` works.
 */
#ifndef MESHFS_TESTS_TAP_H
#define MESHFS_TESTS_TAP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TAP_UNUSED __attribute__((unused))

/* Bytes shown per buffer when is_mem fails; longer buffers are cut. */
#define TAP_HEX_MAX 512

static int tap_planned TAP_UNUSED = -1; /* -1: no plan announced yet */
static int tap_run TAP_UNUSED;
static int tap_failed TAP_UNUSED;

static inline void tap_init(void)
{
	/* Line-buffered, so that a crash loses no finished results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void plan(int n)
{
	tap_init();
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void plan_no_plan(void)
{
	tap_init();
	tap_planned = -1;
}

static inline TAP_PRINTF(1, 0) void tap_vdiag(const char *fmt, va_list ap)
{
	char line[4096];
	char *p, *nl;

	vsnprintf(line, sizeof(line), fmt, ap);
	/* Every line of a multi-line message needs its own '#'. */
	for (p = line;; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (nl && !nl[1])
			nl = NULL; /* a trailing newline ends the message */
		printf("# %s\n", p);
		if (!nl)
			break;
	}
}

static inline TAP_PRINTF(1, 2) void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

static inline TAP_PRINTF(4, 0) int tap_vok(int pass, const char *file, int line,
					   const char *fmt, va_list ap)
{
	char name[1024] = "";
	char *p;

	if (fmt)
		vsnprintf(name, sizeof(name), fmt, ap);
	/* A '#' in a name would start a directive (SKIP/TODO) in TAP. */
	for (p = name; *p; p++) {
		if (*p == '#' || *p == '\n')
			*p = ' ';
	}
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d%s%s\n", pass ? "" : "not ", tap_run, *name ? " - " : "",
	       name);
	if (!pass)
		diag("  Failed test at %s line %d.", file, line);
	return pass;
}

static inline TAP_PRINTF(4, 5) int tap_ok_at(int pass, const char *file,
					     int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int tap_is_int_at(long long got, long long want, const char *name,
				const char *file, int line)
{
	int pass = got == want;

	tap_ok_at(pass, file, line, "%s", name ? name : "");
	if (!pass) {
		diag("         got: %lld (0x%llx)", got,
		     (unsigned long long)got);
		diag("    expected: %lld (0x%llx)", want,
		     (unsigned long long)want);
	}
	return pass;
}

static inline int tap_is_str_at(const char *got, const char *want,
				const char *name, const char *file, int line)
{
	int pass;

	if (!got || !want)
		pass = got == want;
	else
		pass = strcmp(got, want) == 0;
	tap_ok_at(pass, file, line, "%s", name ? name : "");
	if (!pass) {
		if (got)
			diag("         got: \"%s\"", got);
		else
			diag("         got: NULL");
		if (want)
			diag("    expected: \"%s\"", want);
		else
			diag("    expected: NULL");
	}
	return pass;
}

/* Hex dump of p[from..], at most TAP_HEX_MAX bytes, as `# ` lines. */
static inline void tap_hexdump(const char *label, const unsigned char *p,
			       size_t len, size_t from)
{
	char line[16 * 3 + 1];
	size_t i, off, end;

	diag("    %s (%zu bytes):", label, len);
	if (!p) {
		diag("      NULL");
		return;
	}
	if (from > len)
		from = len;
	end = len - from > TAP_HEX_MAX ? from + TAP_HEX_MAX : len;
	if (from)
		diag("      ... %zu bytes before", from);
	for (off = from; off < end; off += 16) {
		for (i = off; i < off + 16 && i < end; i++)
			snprintf(line + (i - off) * 3, 4, "%02x ", p[i]);
		line[(i - off) * 3 - 1] = '\0'; /* no trailing blank */
		diag("      %04zx: %s", off, line);
	}
	if (end < len)
		diag("      ... %zu more bytes", len - end);
}

static inline int tap_is_mem_at(const void *got, size_t glen, const void *want,
				size_t wlen, const char *name, const char *file,
				int line)
{
	const unsigned char *g = got, *w = want;
	size_t i, min = glen < wlen ? glen : wlen;
	int pass;

	if ((!g && glen) || (!w && wlen))
		pass = 0;
	else
		pass = glen == wlen && (!glen || memcmp(g, w, glen) == 0);
	tap_ok_at(pass, file, line, "%s", name ? name : "");
	if (!pass) {
		for (i = 0; g && w && i < min && g[i] == w[i]; i++)
			;
		diag("    first difference at byte %zu", i);
		/* Show the neighbourhood of the first difference. */
		i = i > TAP_HEX_MAX / 2 ? (i - TAP_HEX_MAX / 4) & ~(size_t)15 :
					  0;
		tap_hexdump("got", g, glen, i);
		tap_hexdump("expected", w, wlen, i);
	}
	return pass;
}

static inline TAP_PRINTF(2, 3) void skip(int n, const char *fmt, ...)
{
	char why[1024] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	while (n-- > 0)
		printf("ok %d # SKIP %s\n", ++tap_run, why);
}

static inline TAP_PRINTF(1, 2) void skip_all(const char *fmt, ...)
{
	char why[1024] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline TAP_PRINTF(1, 2) void bail_out(const char *fmt, ...)
{
	char why[1024] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("Bail out! %s\n", why);
	exit(1);
}

static inline int done_testing(void)
{
	int status = tap_failed ? 1 : 0;

	if (tap_planned < 0) {
		printf("1..%d\n", tap_run);
	} else if (tap_planned != tap_run) {
		diag("Looks like you planned %d tests but ran %d.", tap_planned,
		     tap_run);
		status = 1;
	}
	if (tap_failed)
		diag("Looks like you failed %d test%s of %d.", tap_failed,
		     tap_failed == 1 ? "" : "s", tap_run);
	fflush(stdout);
	return status;
}

#define ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, name)                                              \
	tap_is_int_at((long long)(got), (long long)(want), (name), __FILE__, \
		      __LINE__)
#define is_str(got, want, name) \
	tap_is_str_at((got), (want), (name), __FILE__, __LINE__)
#define is_mem(got, glen, want, wlen, name) \
	tap_is_mem_at((got), (glen), (want), (wlen), (name), __FILE__, __LINE__)

#endif /* MESHFS_TESTS_TAP_H */
