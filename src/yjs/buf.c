/* SPDX-License-Identifier: MIT */
/*
 * buf.c - lib0 byte coding: the growable output buffer every encoder writes
 * into and the bounds-checked reader every decoder reads from (spec/yjs.md
 * section 1).  Writers are infallible call by call (a failed allocation is
 * remembered and checked once at the end); readers never read past the end
 * and describe the first fault with its byte offset.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* ---- writer ----------------------------------------------------------- */

void y_buf_init(struct y_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->oom = false;
}

void y_buf_release(struct y_buf *b)
{
	free(b->data);
	y_buf_init(b);
}

int y_buf_error(const struct y_buf *b)
{
	return b->oom ? -ENOMEM : 0;
}

/* Makes room for extra bytes plus a spare byte for the NUL of steal(). */
static bool buf_grow(struct y_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->oom = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void y_buf_reserve(struct y_buf *b, size_t extra)
{
	buf_grow(b, extra);
}

int y_buf_steal(uint8_t **out, size_t *out_len, struct y_buf *b)
{
	if (b->oom) {
		y_buf_release(b);
		return -ENOMEM;
	}
	if (!buf_grow(b, 0)) {
		y_buf_release(b);
		return -ENOMEM;
	}
	b->data[b->len] = 0;
	*out = b->data;
	if (out_len)
		*out_len = b->len;
	y_buf_init(b);
	return 0;
}

void y_buf_put_u8(struct y_buf *b, uint8_t v)
{
	/* fast path: room for the byte and the NUL y_buf_steal adds */
	if (b->len + 1 >= b->cap && !buf_grow(b, 1))
		return;
	b->data[b->len++] = v;
}

void y_buf_put_bytes(struct y_buf *b, const void *p, size_t n)
{
	if (!n || !buf_grow(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void y_buf_put_str(struct y_buf *b, const char *s)
{
	y_buf_put_bytes(b, s, strlen(s));
}

void y_buf_printf(struct y_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void y_buf_put_var_uint(struct y_buf *b, uint64_t v)
{
	uint8_t *p;

	/* encoders write mostly varints: reserve the 10 bytes a 64-bit
	 * value can take once, then store in place (no bounce buffer) */
	if (b->cap - b->len <= 10 && !buf_grow(b, 10))
		return;
	p = b->data + b->len;
	while (v > 0x7f) {
		*p++ = 0x80 | (uint8_t)(v & 0x7f);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	b->len = (size_t)(p - b->data);
}

void y_buf_put_var_int(struct y_buf *b, double v)
{
	uint8_t tmp[10];
	size_t n = 0;
	bool neg = v < 0 || (v == 0 && signbit(v));
	double a = fabs(v);
	uint64_t mag;

	/* callers pass integral values within 2^53 - 1; clamp anything else
	 * instead of invoking undefined conversions */
	if (!(a <= (double)Y_MAX_SAFE_INTEGER))
		a = (double)Y_MAX_SAFE_INTEGER;
	mag = (uint64_t)a;
	tmp[n] = (uint8_t)((mag & 0x3f) | (neg ? 0x40 : 0));
	mag >>= 6;
	if (mag)
		tmp[n] |= 0x80;
	n++;
	while (mag) {
		tmp[n] = (uint8_t)(mag & 0x7f);
		mag >>= 7;
		if (mag)
			tmp[n] |= 0x80;
		n++;
	}
	y_buf_put_bytes(b, tmp, n);
}

void y_buf_put_var_string(struct y_buf *b, const char *s, size_t len)
{
	y_buf_put_var_uint(b, len);
	y_buf_put_bytes(b, s, len);
}

void y_buf_put_var_bytes(struct y_buf *b, const uint8_t *p, size_t len)
{
	y_buf_put_var_uint(b, len);
	y_buf_put_bytes(b, p, len);
}

static void put_be(struct y_buf *b, uint64_t v, int n)
{
	uint8_t tmp[8];
	int i;

	for (i = n - 1; i >= 0; i--) {
		tmp[i] = (uint8_t)v;
		v >>= 8;
	}
	y_buf_put_bytes(b, tmp, (size_t)n);
}

void y_buf_put_f32(struct y_buf *b, float v)
{
	uint32_t u;

	if (isnan(v)) {
		u = 0x7fc00000u;
	} else {
		memcpy(&u, &v, 4);
	}
	put_be(b, u, 4);
}

void y_buf_put_f64(struct y_buf *b, double v)
{
	uint64_t u;

	if (isnan(v)) {
		u = 0x7ff8000000000000ull;
	} else {
		memcpy(&u, &v, 8);
	}
	put_be(b, u, 8);
}

void y_buf_put_i64(struct y_buf *b, int64_t v)
{
	put_be(b, (uint64_t)v, 8);
}

/* ---- reader ----------------------------------------------------------- */

void y_reader_init(struct y_reader *r, const uint8_t *data, size_t len,
		   struct y_error *err)
{
	r->data = data;
	r->len = data ? len : 0;
	r->pos = 0;
	r->err = err;
	if (err) {
		err->offset = 0;
		err->msg[0] = 0;
	}
}

static int fail_vat(struct y_error *err, size_t offset, const char *fmt,
		    va_list ap)
{
	int n;

	if (!err || err->msg[0])
		return -EBADMSG;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, " at byte %zu",
		 offset);
	err->offset = offset;
	if (!err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "error at byte %zu",
			 offset);
	return -EBADMSG;
}

int y_error_set(struct y_error *err, size_t offset, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fail_vat(err, offset, fmt, ap);
	va_end(ap);
	return ret;
}

int y_reader_fail(struct y_reader *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fail_vat(r->err, r->pos, fmt, ap);
	va_end(ap);
	return ret;
}

static int fail_at(struct y_reader *r, size_t offset, const char *msg)
{
	return y_error_set(r->err, offset, "%s", msg);
}

static int fail_eof(struct y_reader *r, size_t start)
{
	return fail_at(r, start, "Unexpected end of array");
}

int y_read_u8(struct y_reader *r, uint8_t *out)
{
	*out = 0;
	if (y_reader_left(r) < 1)
		return fail_eof(r, r->pos);
	*out = r->data[r->pos++];
	return 0;
}

/*
 * Shared by varUint and varInt: `shift` is where the first continuation
 * byte's bits go.  lib0 accepts non-canonical encodings, so do we; but we
 * refuse more than 10 bytes and any value above 2^53 - 1 (lib0 would lose
 * precision or throw).
 */
static int read_var_tail(struct y_reader *r, size_t start, uint64_t *acc,
			 unsigned shift, unsigned nbytes)
{
	uint8_t c;

	for (;;) {
		if (r->pos >= r->len) {
			r->pos = start;
			return fail_eof(r, start);
		}
		if (++nbytes > 10) {
			r->pos = start;
			return fail_at(r, start, "Overlong varint");
		}
		c = r->data[r->pos++];
		if (c & 0x7f) {
			if (shift >= 53 ||
			    (uint64_t)(c & 0x7f) >
				    (Y_MAX_SAFE_INTEGER >> shift))
				goto range;
			*acc += (uint64_t)(c & 0x7f) << shift;
			if (*acc > Y_MAX_SAFE_INTEGER)
				goto range;
		}
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
range:
	r->pos = start;
	return fail_at(r, start, "Integer out of Range");
}

int y_read_var_uint(struct y_reader *r, uint64_t *out)
{
	size_t start = r->pos;
	uint64_t acc = 0;
	int ret;

	*out = 0;
	ret = read_var_tail(r, start, &acc, 0, 0);
	if (ret)
		return ret;
	*out = acc;
	return 0;
}

int y_read_var_int(struct y_reader *r, double *out)
{
	size_t start = r->pos;
	uint64_t acc;
	uint8_t c;
	bool neg;
	int ret;

	*out = 0;
	if (r->pos >= r->len)
		return fail_eof(r, start);
	c = r->data[r->pos++];
	acc = c & 0x3f;
	neg = c & 0x40;
	if (c & 0x80) {
		ret = read_var_tail(r, start, &acc, 6, 1);
		if (ret)
			return ret;
	}
	*out = neg ? -(double)acc : (double)acc;
	return 0;
}

int y_read_var_bytes(struct y_reader *r, const uint8_t **ptr, size_t *len)
{
	size_t start = r->pos;
	uint64_t n;
	int ret;

	*ptr = NULL;
	*len = 0;
	ret = y_read_var_uint(r, &n);
	if (ret)
		return ret;
	if (n > y_reader_left(r)) {
		r->pos = start;
		return fail_eof(r, start);
	}
	*ptr = r->data + r->pos;
	*len = (size_t)n;
	r->pos += (size_t)n;
	return 0;
}

int y_read_var_string(struct y_reader *r, const char **ptr, size_t *len)
{
	size_t start = r->pos, bad;
	const uint8_t *p = NULL;
	size_t n = 0;
	int ret;

	*ptr = NULL;
	*len = 0;
	ret = y_read_var_bytes(r, &p, &n);
	if (ret)
		return ret;
	bad = y_utf8_invalid_at((const char *)p, n);
	if (bad < n) {
		size_t at = (size_t)(p - r->data) + bad;

		r->pos = start;
		return fail_at(r, at, "Invalid UTF-8 in string");
	}
	*ptr = (const char *)p;
	*len = n;
	return 0;
}

static int read_be(struct y_reader *r, uint64_t *out, size_t n)
{
	uint64_t v = 0;
	size_t i;

	*out = 0;
	if (y_reader_left(r) < n)
		return fail_eof(r, r->pos);
	for (i = 0; i < n; i++)
		v = (v << 8) | r->data[r->pos + i];
	r->pos += n;
	*out = v;
	return 0;
}

int y_read_f32(struct y_reader *r, float *out)
{
	uint64_t v = 0;
	uint32_t u;
	int ret;

	ret = read_be(r, &v, 4);
	if (ret)
		return ret;
	u = (uint32_t)v;
	memcpy(out, &u, 4);
	return 0;
}

int y_read_f64(struct y_reader *r, double *out)
{
	uint64_t v = 0;
	int ret;

	ret = read_be(r, &v, 8);
	if (ret)
		return ret;
	memcpy(out, &v, 8);
	return 0;
}

int y_read_i64(struct y_reader *r, int64_t *out)
{
	uint64_t v = 0;
	int ret;

	ret = read_be(r, &v, 8);
	if (ret)
		return ret;
	*out = (int64_t)v;
	return 0;
}
