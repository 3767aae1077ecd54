/* SPDX-License-Identifier: MIT */
/*
 * error.c - struct util_error: the "what and where" every parser of
 * untrusted input fills, kept as a plain value so that callers can copy it
 * into a reply or a log line.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

void util_error_clear(struct util_error *err)
{
	if (!err)
		return;
	err->offset = -1;
	err->msg[0] = '\0';
}

void util_error_set(struct util_error *err, long long offset, const char *fmt,
		    ...)
{
	va_list ap;

	if (!err)
		return;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void util_error_prefix(struct util_error *err, const char *fmt, ...)
{
	char old[UTIL_ERROR_MSG_MAX];
	size_t n;
	va_list ap;
	int r;

	if (!err)
		return;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	r = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = r < 0 ? 0 : (size_t)r;
	if (n >= sizeof(err->msg) - 3)
		return;
	err->msg[n++] = ':';
	err->msg[n++] = ' ';
	/* The old text is cut to what still fits. */
	snprintf(err->msg + n, sizeof(err->msg) - n, "%.*s",
		 (int)strnlen(old, sizeof(old)), old);
}

int util_error_format(char *buf, size_t len, const struct util_error *err)
{
	if (err->offset >= 0)
		return snprintf(buf, len, "%s (at byte %lld)", err->msg,
				err->offset);
	return snprintf(buf, len, "%s", err->msg);
}
