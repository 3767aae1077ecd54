/* SPDX-License-Identifier: MIT */
/*
 * buf.c - the growable byte buffer (struct util_buf).  Writes latch an
 * out-of-memory flag instead of failing one by one, so that encoders can
 * write a whole structure and check once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void util_buf_init(struct util_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void util_buf_free(struct util_buf *b)
{
	free(b->data);
	util_buf_init(b);
}

void util_buf_reset(struct util_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->data)
		b->data[0] = '\0';
}

int util_buf_error(const struct util_buf *b)
{
	return b->oom ? -ENOMEM : 0;
}

int util_buf_reserve(struct util_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (b->oom)
		return -ENOMEM;
	/* +1 keeps room for the terminating NUL. */
	if (extra > SIZE_MAX - b->len - 1)
		goto oom;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		goto oom;
	b->data = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = true;
	return -ENOMEM;
}

int util_buf_steal(uint8_t **out, size_t *out_len, struct util_buf *b)
{
	if (b->oom) {
		util_buf_free(b);
		return -ENOMEM;
	}
	if (!b->data && util_buf_reserve(b, 0) < 0) {
		util_buf_free(b);
		return -ENOMEM;
	}
	b->data[b->len] = '\0';
	*out = b->data;
	if (out_len)
		*out_len = b->len;
	util_buf_init(b);
	return 0;
}

void util_buf_put(struct util_buf *b, const void *p, size_t n)
{
	if (util_buf_reserve(b, n) < 0)
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void util_buf_put_u8(struct util_buf *b, uint8_t v)
{
	util_buf_put(b, &v, 1);
}

void util_buf_put_be32(struct util_buf *b, uint32_t v)
{
	uint8_t p[4];

	util_store_be32(p, v);
	util_buf_put(b, p, 4);
}

void util_buf_put_be64(struct util_buf *b, uint64_t v)
{
	uint8_t p[8];

	util_store_be64(p, v);
	util_buf_put(b, p, 8);
}

void util_buf_put_str(struct util_buf *b, const char *s)
{
	util_buf_put(b, s, strlen(s));
}

void util_buf_printf(struct util_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || util_buf_reserve(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
