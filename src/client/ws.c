/* SPDX-License-Identifier: MIT */
/*
 * ws.c - RFC 6455 client helpers (ws.h): the opening handshake, a
 * buffer-at-a-time frame parser and masked frame building.
 *
 * The parser only keeps per-byte state for frame headers (at most 14
 * bytes); payload runs are delivered straight from the caller's buffer
 * when a whole unfragmented frame is there, and copied with one memcpy
 * otherwise.  A room connection carries ~1 KiB binary messages (one per
 * protocol packet), so per-frame cost is what matters.
 */
#define _GNU_SOURCE /* strncasecmp, memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "ws.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* ---------------------------------------------------------------------
 * Handshake
 * --------------------------------------------------------------------- */

int ws_key_new(char key[WS_KEY_LEN + 1])
{
	uint8_t raw[16];
	int e = util_random(raw, sizeof(raw));

	if (e < 0)
		return e;
	util_base64_encode_to(key, UTIL_BASE64_STD, raw, sizeof(raw));
	key[WS_KEY_LEN] = 0;
	return 0;
}

int ws_accept_of(char out[WS_ACCEPT_LEN + 1], const char *key)
{
	char buf[128];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n = snprintf(buf, sizeof(buf), "%s" WS_GUID, key);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	if (!EVP_Digest(buf, (size_t)n, md, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != 20)
		return -ENOMEM;
	util_base64_encode_to(out, UTIL_BASE64_STD, md, mdlen);
	out[WS_ACCEPT_LEN] = 0;
	return 0;
}

void ws_request_build(struct util_buf *b, const char *path, const char *host,
		      const char *origin, const char *auth, const char *key)
{
	util_buf_printf(b,
			"GET %s HTTP/1.1\r\n"
			"Pragma: no-cache\r\n"
			"Cache-Control: no-cache\r\n"
			"Host: %s\r\n"
			"Upgrade: websocket\r\n"
			"Connection: Upgrade\r\n"
			"Sec-WebSocket-Key: %s\r\n"
			"Sec-WebSocket-Version: 13\r\n",
			path, host, key);
	if (origin)
		util_buf_printf(b, "Origin: %s\r\n", origin);
	if (auth)
		util_buf_printf(b, "Authorization: %s\r\n", auth);
	util_buf_put_str(b, "\r\n");
}

void ws_response_init(struct ws_response *r)
{
	memset(r, 0, sizeof(*r));
	util_buf_init(&r->head);
}

void ws_response_free(struct ws_response *r)
{
	util_buf_free(&r->head);
	ws_response_init(r);
}

/* Does the comma-separated list v (n bytes) hold token tok? */
static bool list_has(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	while (n) {
		size_t i = 0, j;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		v += i;
		n -= i;
		for (j = 0; j < n && v[j] != ','; j++)
			;
		i = j;
		while (i && (v[i - 1] == ' ' || v[i - 1] == '\t'))
			i--;
		if (i == tl && !strncasecmp(v, tok, tl))
			return true;
		v += j;
		n -= j;
	}
	return false;
}

/* Checks the headers of a complete 101 head (h, n bytes, after the
 * status line, each line ending in CRLF). */
static int check_upgrade(const char *h, size_t n, const char *key,
			 struct util_error *err)
{
	char want[WS_ACCEPT_LEN + 1];
	bool upgrade = false, connection = false, accept = false;
	const char *end = h + n;

	if (ws_accept_of(want, key) < 0)
		return -ENOMEM;
	while (h < end) {
		const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
		const char *colon, *v, *ve;

		if (!eol || eol == h)
			break;
		colon = memchr(h, ':', (size_t)(eol - h));
		if (!colon) {
			util_error_set(err, -1,
				       "WebSocket handshake: malformed header "
				       "line '%.*s'",
				       (int)(eol - h > 60 ? 60 : eol - h), h);
			return -EPROTO;
		}
		v = colon + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		ve = eol;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
#define IS(name)                                \
	((size_t)(colon - h) == strlen(name) && \
	 !strncasecmp(h, name, strlen(name)))
		if (IS("Upgrade"))
			upgrade = list_has(v, (size_t)(ve - v), "websocket");
		else if (IS("Connection"))
			connection = list_has(v, (size_t)(ve - v), "upgrade");
		else if (IS("Sec-WebSocket-Accept"))
			accept = (size_t)(ve - v) == WS_ACCEPT_LEN &&
				 !memcmp(v, want, WS_ACCEPT_LEN);
#undef IS
		h = eol + 2;
	}
	if (!upgrade || !connection) {
		util_error_set(err, -1, "WebSocket handshake: 101 without %s",
			       !upgrade ? "Upgrade: websocket" :
					  "Connection: Upgrade");
		return -EPROTO;
	}
	if (!accept) {
		util_error_set(err, -1,
			       "WebSocket handshake: missing or wrong "
			       "Sec-WebSocket-Accept");
		return -EPROTO;
	}
	return 0;
}

int ws_response_feed(struct ws_response *r, size_t *used, const void *in,
		     size_t len, const char *key, struct util_error *err)
{
	size_t old = r->head.len, from, headlen, sl;
	const char *h, *end, *eol, *p;
	int st;

	*used = 0;
	if (r->status) {
		util_error_set(err, -1, "WebSocket handshake: already done");
		return -EINVAL;
	}
	from = old > 3 ? old - 3 : 0;
	util_buf_put(&r->head, in, len);
	if (util_buf_error(&r->head) < 0)
		return -ENOMEM;
	h = (const char *)r->head.data;
	end = memmem(h + from, r->head.len - from, "\r\n\r\n", 4);
	if (!end) {
		if (r->head.len > WS_RESPONSE_MAX) {
			util_error_set(err, -1,
				       "WebSocket handshake: response head "
				       "longer than %d bytes",
				       WS_RESPONSE_MAX);
			return -EMSGSIZE;
		}
		*used = len;
		return 0;
	}
	headlen = (size_t)(end - h) + 4;
	if (headlen > WS_RESPONSE_MAX) {
		util_error_set(err, -1,
			       "WebSocket handshake: response head longer "
			       "than %d bytes",
			       WS_RESPONSE_MAX);
		return -EMSGSIZE;
	}
	*used = headlen - old;
	r->head.len = headlen;
	/* "HTTP/1.x DDD reason" */
	eol = memmem(h, headlen, "\r\n", 2);
	sl = (size_t)(eol - h);
	if (sl < 12 || strncmp(h, "HTTP/1.", 7) || h[8] != ' ' || h[9] < '1' ||
	    h[9] > '5' || h[10] < '0' || h[10] > '9' || h[11] < '0' ||
	    h[11] > '9' || (sl > 12 && h[12] != ' ')) {
		util_error_set(err, -1,
			       "WebSocket handshake: not an HTTP status line: "
			       "'%.*s'",
			       (int)(sl > 60 ? 60 : sl), h);
		return -EPROTO;
	}
	st = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	p = sl > 13 ? h + 13 : h + sl;
	snprintf(r->reason, sizeof(r->reason), "%.*s", (int)(eol - p), p);
	if (st == 101) {
		int e = check_upgrade(eol + 2, headlen - sl - 2, key, err);

		if (e < 0)
			return e;
	}
	r->status = st;
	return 1;
}

/* ---------------------------------------------------------------------
 * Receiving
 * --------------------------------------------------------------------- */

void ws_parser_init(struct ws_parser *p, size_t max_message)
{
	memset(p, 0, sizeof(*p));
	p->max_message = max_message;
	util_buf_init(&p->msg);
}

void ws_parser_free(struct ws_parser *p)
{
	util_buf_free(&p->msg);
	ws_parser_init(p, p->max_message);
}

static int fail(struct ws_parser *p, int e, struct util_error *err,
		const char *what)
{
	p->failed = true;
	util_error_set(err, -1, "WebSocket: %s", what);
	return e;
}

/* Header bytes needed once hdr[0..1] are known. */
static size_t hdr_need(const uint8_t *h)
{
	size_t n = 2;

	if ((h[1] & 0x7f) == 126)
		n += 2;
	else if ((h[1] & 0x7f) == 127)
		n += 8;
	return n;
}

/* The header in p->hdr is complete: check it and start the payload. */
static int frame_start(struct ws_parser *p, struct util_error *err)
{
	uint8_t b0 = p->hdr[0], b1 = p->hdr[1];
	uint64_t n = b1 & 0x7f;
	int i;

	p->hlen = 0;
	if (b0 & 0x70)
		return fail(p, -EPROTO, err, "reserved bits set in a frame");
	if (b1 & 0x80)
		return fail(p, -EPROTO, err, "masked frame from the server");
	p->op = b0 & 0x0f;
	p->fin = b0 & 0x80;
	if (n == 126) {
		n = (uint64_t)p->hdr[2] << 8 | p->hdr[3];
	} else if (n == 127) {
		n = 0;
		for (i = 2; i < 10; i++)
			n = n << 8 | p->hdr[i];
		if (n >> 63)
			return fail(p, -EPROTO, err,
				    "frame length with the top bit set");
	}
	switch (p->op) {
	case WS_OP_CONT:
		if (!p->msg_op)
			return fail(p, -EPROTO, err,
				    "continuation frame outside a message");
		break;
	case WS_OP_BINARY:
		if (p->msg_op)
			return fail(p, -EPROTO, err,
				    "new message inside a fragmented one");
		break;
	case WS_OP_TEXT:
		return fail(p, -EPROTO, err,
			    "text frame (the room protocol sends binary "
			    "only)");
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		if (!p->fin)
			return fail(p, -EPROTO, err,
				    "fragmented control frame");
		if (n > WS_CONTROL_MAX)
			return fail(p, -EPROTO, err,
				    "control frame longer than 125 bytes");
		if (p->op == WS_OP_CLOSE && n == 1)
			return fail(p, -EPROTO, err,
				    "close frame with a 1-byte payload");
		p->ctl_len = 0;
		break;
	default:
		return fail(p, -EPROTO, err, "unknown opcode");
	}
	if (p->op == WS_OP_CONT || p->op == WS_OP_BINARY) {
		size_t have = p->op == WS_OP_CONT ? p->msg.len : 0;

		if (n > p->max_message || have + n > p->max_message)
			return fail(p, -EMSGSIZE, err,
				    "message over the size limit");
		if (p->op == WS_OP_BINARY)
			p->msg_op = WS_OP_BINARY;
	}
	p->left = n;
	p->in_payload = true;
	return 0;
}

/* The current frame's payload is complete (collected in msg or ctl). */
static int frame_end(struct ws_parser *p, ws_frame_fn fn, void *ctx)
{
	int e;

	p->in_payload = false;
	if (p->op >= WS_OP_CLOSE) {
		if (p->op == WS_OP_CLOSE)
			p->closed = true;
		return fn(ctx, p->op, p->ctl, p->ctl_len);
	}
	if (!p->fin)
		return 0;
	p->msg_op = 0;
	/* an empty message has no buffer: never hand out NULL */
	e = fn(ctx, WS_OP_BINARY, p->msg.data ? p->msg.data : p->ctl,
	       p->msg.len);
	util_buf_reset(&p->msg);
	return e;
}

int ws_parser_feed(struct ws_parser *p, const void *in, size_t len,
		   ws_frame_fn fn, void *ctx, struct util_error *err)
{
	const uint8_t *b = in, *end = b + len;
	int e;

	while (b < end && !p->closed && !p->failed) {
		if (!p->in_payload) {
			size_t need, take;

			/* fast path: a whole unfragmented data frame here */
			if (!p->hlen && end - b >= 2 && !p->msg_op &&
			    b[0] == (0x80 | WS_OP_BINARY) && !(b[1] & 0x80)) {
				size_t hn = hdr_need(b), pl;

				if ((size_t)(end - b) >= hn) {
					pl = b[1] & 0x7f;
					if (pl == 126)
						pl = (size_t)b[2] << 8 | b[3];
					else if (pl == 127)
						pl = SIZE_MAX; /* slow path */
					if (pl <= p->max_message &&
					    pl <= (size_t)(end - b) - hn) {
						e = fn(ctx, WS_OP_BINARY,
						       b + hn, pl);
						if (e < 0)
							return e;
						b += hn + pl;
						continue;
					}
				}
			}
			need = p->hlen < 2 ? 2 : hdr_need(p->hdr);
			take = need - p->hlen;
			if (take > (size_t)(end - b))
				take = (size_t)(end - b);
			memcpy(p->hdr + p->hlen, b, take);
			p->hlen += (uint8_t)take;
			b += take;
			if (p->hlen < (p->hlen < 2 ? 2 : hdr_need(p->hdr)))
				continue; /* more header (or the next read) */
			e = frame_start(p, err);
			if (e < 0)
				return e;
			if (p->left)
				continue;
		} else {
			size_t take = (size_t)(end - b);

			if (take > p->left)
				take = (size_t)p->left;
			if (p->op >= WS_OP_CLOSE) {
				memcpy(p->ctl + p->ctl_len, b, take);
				p->ctl_len += take;
			} else {
				util_buf_put(&p->msg, b, take);
				if (util_buf_error(&p->msg) < 0)
					return fail(p, -ENOMEM, err,
						    "out of memory");
			}
			b += take;
			p->left -= take;
			if (p->left)
				continue;
		}
		e = frame_end(p, fn, ctx);
		if (e < 0)
			return e;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Sending
 * --------------------------------------------------------------------- */

int ws_rng_seed(struct ws_rng *r)
{
	int e;

	do {
		e = util_random(&r->s, sizeof(r->s));
		if (e < 0)
			return e;
	} while (!r->s); /* xorshift's one fixed point */
	return 0;
}

uint32_t ws_rng_next(struct ws_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return (uint32_t)((x * UINT64_C(0x2545F4914F6CDD1D)) >> 32);
}

void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t len, uint32_t mask)
{
	uint8_t k[8] = { mask >> 24, mask >> 16, mask >> 8, mask,
			 mask >> 24, mask >> 16, mask >> 8, mask };
	uint64_t kw, w;
	size_t i = 0;

	memcpy(&kw, k, 8);
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, src + i, 8);
		w ^= kw;
		memcpy(dst + i, &w, 8);
	}
	for (; i < len; i++)
		dst[i] = src[i] ^ k[i & 3];
}

size_t ws_frame_build(uint8_t *dst, int opcode, const void *payload, size_t len,
		      uint32_t mask)
{
	size_t n = 0;
	int i;

	dst[n++] = (uint8_t)(0x80 | (opcode & 0x0f));
	if (len < 126) {
		dst[n++] = (uint8_t)(0x80 | len);
	} else if (len <= 0xffff) {
		dst[n++] = 0x80 | 126;
		dst[n++] = (uint8_t)(len >> 8);
		dst[n++] = (uint8_t)len;
	} else {
		dst[n++] = 0x80 | 127;
		for (i = 7; i >= 0; i--)
			dst[n++] = (uint8_t)((uint64_t)len >> (8 * i));
	}
	dst[n++] = (uint8_t)(mask >> 24);
	dst[n++] = (uint8_t)(mask >> 16);
	dst[n++] = (uint8_t)(mask >> 8);
	dst[n++] = (uint8_t)mask;
	ws_mask_copy(dst + n, payload, len, mask);
	return n + len;
}
