/* SPDX-License-Identifier: MIT */
/*
 * test-ws.c - unit tests of src/client/ws.c, the WebSocket layer of the
 * room connection: the handshake response parser (every split, bad
 * statuses, bad accepts, header case), the frame parser (every length
 * encoding, fragmentation with interleaved control frames, every split,
 * limits and protocol errors) and masked frame building.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

/* RFC 6455 §1.3's example */
#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static void test_keys(void)
{
	char a[WS_ACCEPT_LEN + 1], k1[WS_KEY_LEN + 1], k2[WS_KEY_LEN + 1];
	uint8_t raw[32];
	size_t n = 0;
	struct util_buf b;

	is_int(ws_accept_of(a, KEY), 0, "accept of the RFC key");
	is_str(a, ACCEPT, "accept matches RFC 6455 §1.3");
	is_int(ws_key_new(k1), 0, "key 1");
	is_int(ws_key_new(k2), 0, "key 2");
	is_int(strlen(k1), WS_KEY_LEN, "key is 24 characters");
	ok(strcmp(k1, k2), "two keys differ");
	ok(util_base64_decode_to(raw, &n, UTIL_BASE64_STD, k1, strlen(k1),
				 NULL) == 0 &&
		   n == 16,
	   "key is base64 of 16 bytes");

	util_buf_init(&b);
	ws_request_build(&b, "/rooms/r?token=t", "h:1", "h:1", "Bearer t", KEY);
	util_buf_put_u8(&b, 0);
	is_str((char *)b.data,
	       "GET /rooms/r?token=t HTTP/1.1\r\n"
	       "Pragma: no-cache\r\n"
	       "Cache-Control: no-cache\r\n"
	       "Host: h:1\r\n"
	       "Upgrade: websocket\r\n"
	       "Connection: Upgrade\r\n"
	       "Sec-WebSocket-Key: " KEY "\r\n"
	       "Sec-WebSocket-Version: 13\r\n"
	       "Origin: h:1\r\n"
	       "Authorization: Bearer t\r\n"
	       "\r\n",
	       "request text");
	util_buf_free(&b);
}

/* Feeds text (plus tail bytes that follow the head) split at `split`. */
static int feed_split(struct ws_response *r, const char *text, size_t split,
		      size_t *tail_at, struct util_error *err)
{
	size_t len = strlen(text), used = 0;
	int e;

	*tail_at = 0;
	e = ws_response_feed(r, &used, text, split, KEY, err);
	if (e != 0) {
		*tail_at = used;
		return e;
	}
	e = ws_response_feed(r, &used, text + split, len - split, KEY, err);
	*tail_at = split + used;
	return e;
}

static void test_response(void)
{
	static const char good[] = "HTTP/1.1 101 Switching Protocols\r\n"
				   "upgrade: WebSocket\r\n"
				   "CONNECTION: keep-alive, Upgrade\r\n"
				   "sec-websocket-ACCEPT:  " ACCEPT " \r\n"
				   "\r\n"
				   "\x82\x01X";
	size_t headlen = strlen(good) - 3, i, at;
	struct ws_response r;
	struct util_error err;
	bool all = true;
	int e;

	for (i = 0; i <= strlen(good); i++) {
		ws_response_init(&r);
		e = feed_split(&r, good, i, &at, &err);
		if (e != 1 || r.status != 101 || at != headlen) {
			diag("split %zu: %d status %d at %zu: %s", i, e,
			     r.status, at, err.msg);
			all = false;
		}
		ws_response_free(&r);
	}
	ok(all, "101 parsed at every split, headers case-insensitive, "
		"frames after the head left over");

	/* one byte at a time */
	ws_response_init(&r);
	e = 0;
	for (i = 0; i < headlen && e == 0; i++)
		e = ws_response_feed(&r, &at, good + i, 1, KEY, &err);
	ok(e == 1 && i == headlen && at == 1 && r.status == 101,
	   "101 fed byte by byte completes on the last byte");
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r,
		       "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
		       10, &at, &err);
	ok(e == 1 && r.status == 403 && !strcmp(r.reason, "Forbidden"),
	   "403 reported with its status and reason (%d %d '%s')", e, r.status,
	   r.reason);
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r, "HTTP/1.0 404\r\n\r\n", 3, &at, &err);
	ok(e == 1 && r.status == 404 && !r.reason[0], "404 without reason");
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r,
		       "HTTP/1.1 101 Switching Protocols\r\n"
		       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		       "Sec-WebSocket-Accept: "
		       "AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
		       40, &at, &err);
	is_int(e, -EPROTO, "wrong accept: -EPROTO");
	diag("%s", err.msg);
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r,
		       "HTTP/1.1 101 Switching Protocols\r\n"
		       "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		       5, &at, &err);
	is_int(e, -EPROTO, "missing accept: -EPROTO");
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r,
		       "HTTP/1.1 101 Switching Protocols\r\n"
		       "Connection: Upgrade\r\n"
		       "Sec-WebSocket-Accept: " ACCEPT "\r\n\r\n",
		       5, &at, &err);
	is_int(e, -EPROTO, "missing Upgrade: -EPROTO");
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r, "SSH-2.0-OpenSSH\r\n\r\n", 5, &at, &err);
	is_int(e, -EPROTO, "not HTTP: -EPROTO");
	diag("%s", err.msg);
	ws_response_free(&r);

	ws_response_init(&r);
	e = feed_split(&r, "HTTP/1.1 1x1 Hmm\r\n\r\n", 5, &at, &err);
	is_int(e, -EPROTO, "bad status digits: -EPROTO");
	ws_response_free(&r);

	{
		char *big = malloc(WS_RESPONSE_MAX + 100);

		memset(big, 'a', WS_RESPONSE_MAX + 99);
		memcpy(big, "HTTP/1.1 101 OK\r\nX: ", 20);
		big[WS_RESPONSE_MAX + 99] = 0;
		ws_response_init(&r);
		e = feed_split(&r, big, 100, &at, &err);
		is_int(e, -EMSGSIZE, "endless head: -EMSGSIZE");
		ws_response_free(&r);
		free(big);
	}
}

/* ---- frames ---------------------------------------------------------- */

/* Appends a server frame; lenenc forces 7, 16 or 64 bit (0 = minimal). */
static void srv_frame(struct util_buf *b, uint8_t b0, const void *p, size_t len,
		      int lenenc)
{
	int i;

	util_buf_put_u8(b, b0);
	if (!lenenc)
		lenenc = len < 126 ? 7 : len <= 0xffff ? 16 : 64;
	if (lenenc == 7) {
		util_buf_put_u8(b, (uint8_t)len);
	} else if (lenenc == 16) {
		util_buf_put_u8(b, 126);
		util_buf_put_u8(b, (uint8_t)(len >> 8));
		util_buf_put_u8(b, (uint8_t)len);
	} else {
		util_buf_put_u8(b, 127);
		for (i = 7; i >= 0; i--)
			util_buf_put_u8(b, (uint8_t)((uint64_t)len >> (8 * i)));
	}
	util_buf_put(b, p, len);
}

/* Events as text: "B<len>:<sum> P<len> O<len> C<code>" */
struct rec {
	struct util_buf log;
	int stop_after; /* return -ECANCELED after this many events */
	int n;
};

static int rec_fn(void *ctx, int op, const uint8_t *data, size_t len)
{
	struct rec *r = ctx;
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = sum * 31 + data[i];
	switch (op) {
	case WS_OP_BINARY:
		util_buf_printf(&r->log, "B%zu:%x ", len, sum);
		break;
	case WS_OP_PING:
		util_buf_printf(&r->log, "P%zu ", len);
		break;
	case WS_OP_PONG:
		util_buf_printf(&r->log, "O%zu ", len);
		break;
	case WS_OP_CLOSE:
		util_buf_printf(&r->log, "C%d ",
				len >= 2 ? data[0] << 8 | data[1] : 0);
		break;
	default:
		util_buf_printf(&r->log, "?%d ", op);
	}
	if (++r->n == r->stop_after)
		return -ECANCELED;
	return 0;
}

/* Parses in[] fed in pieces at the split points; returns the log. */
static char *parse_pieces(const uint8_t *in, size_t len, const size_t *cuts,
			  size_t ncuts, size_t max, int *ret)
{
	struct ws_parser p;
	struct rec r = { 0 };
	struct util_error err;
	size_t at = 0, i;
	uint8_t *out;
	size_t olen;

	ws_parser_init(&p, max);
	*ret = 0;
	for (i = 0; i <= ncuts && !*ret; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		*ret = ws_parser_feed(&p, in + at, to - at, rec_fn, &r, &err);
		at = to;
	}
	ws_parser_free(&p);
	util_buf_put_u8(&r.log, 0);
	util_buf_steal(&out, &olen, &r.log);
	return (char *)out;
}

static void test_frames(void)
{
	static uint8_t big[70000];
	struct util_buf s;
	char *want, *got;
	size_t i, cut[1];
	bool all;
	int e;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	util_buf_init(&s);
	srv_frame(&s, 0x82, big, 0, 0); /* empty */
	srv_frame(&s, 0x82, big, 125, 0); /* 7-bit */
	srv_frame(&s, 0x82, big, 126, 0); /* 16-bit */
	srv_frame(&s, 0x82, big, 65535, 0);
	srv_frame(&s, 0x82, big, 65536, 0); /* 64-bit */
	srv_frame(&s, 0x82, big, 5, 64); /* non-minimal encodings */
	srv_frame(&s, 0x82, big, 6, 16);
	/* fragmented, with control frames in between */
	srv_frame(&s, 0x02, big, 1000, 0);
	srv_frame(&s, 0x89, "hi", 2, 0);
	srv_frame(&s, 0x00, big + 1000, 0, 0);
	srv_frame(&s, 0x8a, "", 0, 0);
	srv_frame(&s, 0x00, big + 1000, 3000, 0);
	srv_frame(&s, 0x80, big + 4000, 24, 0);
	srv_frame(&s, 0x82, big + 4000, 24, 0);
	srv_frame(&s, 0x88,
		  "\x03\xe8"
		  "bye",
		  5, 0);
	srv_frame(&s, 0x82, big, 9, 0); /* after close: ignored */

	want = parse_pieces(s.data, s.len, NULL, 0, 1 << 20, &e);
	{
		/* what the fragmented message must hash to */
		struct rec r = { 0 };
		char expect[400];

		rec_fn(&r, WS_OP_BINARY, big, 4024);
		util_buf_put_u8(&r.log, 0);
		snprintf(expect, sizeof(expect), "%s", (char *)r.log.data);
		util_buf_free(&r.log);
		ok(e == 0 && strstr(want, "B0:0 B125:") &&
			   strstr(want, "P2 O0 ") && strstr(want, expect) &&
			   strstr(want, " C1000 ") &&
			   !strstr(strstr(want, "C1000"), "B"),
		   "every length encoding, reassembly, ping/pong inside a "
		   "message, close (%d)",
		   e);
		diag("%.200s", want);
	}
	ok(!strncmp(want, "B0:0 B125:", 10), "starts with the empty frame");
	{
		int nb = 0;
		const char *q;

		for (q = want; (q = strchr(q, 'B')); q++)
			nb++;
		is_int(nb, 9, "nine data messages before the close");
	}

	/* every split point, and every third byte */
	all = true;
	for (i = 0; i <= s.len; i += i < 200 || s.len - i < 200 ? 1 : 97) {
		cut[0] = i;
		got = parse_pieces(s.data, s.len, cut, 1, 1 << 20, &e);
		if (e || strcmp(got, want)) {
			diag("split at %zu: %d %.80s", i, e, got);
			all = false;
			free(got);
			break;
		}
		free(got);
	}
	ok(all, "the same events at every split");
	{
		size_t *cuts = malloc(sizeof(*cuts) * (s.len / 3 + 1));
		size_t n = 0;

		for (i = 3; i < s.len; i += 3)
			cuts[n++] = i;
		got = parse_pieces(s.data, s.len, cuts, n, 1 << 20, &e);
		ok(!e && !strcmp(got, want),
		   "the same events 3 bytes at a time");
		free(got);
		free(cuts);
	}
	{
		size_t *cuts = malloc(sizeof(*cuts) * s.len);
		size_t n = 0;

		for (i = 1; i < s.len; i++)
			cuts[n++] = i;
		got = parse_pieces(s.data, s.len, cuts, n, 1 << 20, &e);
		ok(!e && !strcmp(got, want), "the same events byte by byte");
		free(got);
		free(cuts);
	}
	free(want);

	/* a callback's error stops the parser */
	{
		struct ws_parser p;
		struct rec r = { .stop_after = 2 };
		struct util_error err;

		ws_parser_init(&p, 1 << 20);
		e = ws_parser_feed(&p, s.data, s.len, rec_fn, &r, &err);
		ok(e == -ECANCELED && r.n == 2, "callback error stops (%d %d)",
		   e, r.n);
		ws_parser_free(&p);
		util_buf_free(&r.log);
	}
	util_buf_free(&s);
}

/* One stream that must fail with want. */
static void bad(const char *name, int want, size_t max, const uint8_t *in,
		size_t len)
{
	struct ws_parser p;
	struct rec r = { 0 };
	struct util_error err;
	size_t i;
	int e = 0;

	util_error_clear(&err);
	ws_parser_init(&p, max);
	for (i = 0; i < len && !e; i++) /* byte by byte: hardest */
		e = ws_parser_feed(&p, in + i, 1, rec_fn, &r, &err);
	is_int(e, want, name);
	if (e)
		diag("  %s", err.msg);
	ws_parser_free(&p);
	ws_parser_init(&p, max);
	e = ws_parser_feed(&p, in, len, rec_fn, &r, &err);
	is_int(e, want, "  ... and in one piece");
	/* after an error more input is ignored */
	ok(ws_parser_feed(&p, "\x82\x00", 2, rec_fn, &r, &err) == 0,
	   "  ... and later input ignored");
	ws_parser_free(&p);
	util_buf_free(&r.log);
}

static void test_bad_frames(void)
{
	struct util_buf b;
	uint8_t x[200];

	memset(x, 'x', sizeof(x));
#define BAD(name, want, max, ...)                    \
	do {                                         \
		util_buf_init(&b);                   \
		__VA_ARGS__;                         \
		bad(name, want, max, b.data, b.len); \
		util_buf_free(&b);                   \
	} while (0)
	BAD("masked server frame", -EPROTO, 1000,
	    util_buf_put(&b, "\x82\x81\x01\x02\x03\x04x", 7));
	BAD("reserved bit 1", -EPROTO, 1000, srv_frame(&b, 0xc2, x, 3, 0));
	BAD("reserved bit 3", -EPROTO, 1000, srv_frame(&b, 0x92, x, 3, 0));
	BAD("text frame", -EPROTO, 1000, srv_frame(&b, 0x81, x, 3, 0));
	BAD("opcode 3", -EPROTO, 1000, srv_frame(&b, 0x83, x, 3, 0));
	BAD("opcode 0xb", -EPROTO, 1000, srv_frame(&b, 0x8b, x, 3, 0));
	BAD("continuation without a message", -EPROTO, 1000,
	    srv_frame(&b, 0x80, x, 3, 0));
	BAD("binary inside a fragmented message", -EPROTO, 1000,
	    srv_frame(&b, 0x02, x, 3, 0);
	    srv_frame(&b, 0x82, x, 3, 0));
	BAD("ping of 126 bytes", -EPROTO, 1000, srv_frame(&b, 0x89, x, 126, 0));
	BAD("fragmented ping", -EPROTO, 1000, srv_frame(&b, 0x09, x, 3, 0));
	BAD("close with 1 byte", -EPROTO, 1000, srv_frame(&b, 0x88, x, 1, 0));
	BAD("64-bit length with the top bit", -EPROTO, 1000,
	    util_buf_put(&b, "\x82\x7f\x80\0\0\0\0\0\0\0", 10));
	BAD("message over the limit", -EMSGSIZE, 100,
	    srv_frame(&b, 0x82, x, 101, 0));
	BAD("huge 64-bit length", -EMSGSIZE, 100,
	    util_buf_put(&b, "\x82\x7f\x00\x10\0\0\0\0\0\0", 10));
	BAD("fragments over the limit", -EMSGSIZE, 100,
	    srv_frame(&b, 0x02, x, 60, 0);
	    srv_frame(&b, 0x80, x, 60, 0));
#undef BAD
	{
		/* exactly the limit is fine */
		struct util_buf s;
		int e;
		char *got;

		util_buf_init(&s);
		srv_frame(&s, 0x02, x, 50, 0);
		srv_frame(&s, 0x80, x, 50, 0);
		srv_frame(&s, 0x82, x, 100, 0);
		got = parse_pieces(s.data, s.len, NULL, 0, 100, &e);
		ok(!e && !strncmp(got, "B100:", 5) && strstr(got + 5, "B100:"),
		   "messages of exactly the limit pass (%s)", got);
		free(got);
		util_buf_free(&s);
	}
}

static void test_build(void)
{
	static const size_t lens[] = { 0,   1,	 7,    8,     9,     125,
				       126, 127, 1036, 65535, 65536, 70000 };
	static uint8_t payload[70000], out[70000 + WS_FRAME_HDR_MAX];
	struct ws_rng rng;
	uint32_t m1, m2;
	size_t i, k;
	bool all = true;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ (i >> 8));
	is_int(ws_rng_seed(&rng), 0, "rng seeded");
	m1 = ws_rng_next(&rng);
	m2 = ws_rng_next(&rng);
	ok(m1 != m2, "two mask keys differ");
	for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t len = lens[k], n, h, pl;
		uint32_t mask = ws_rng_next(&rng);
		uint8_t key[4];

		n = ws_frame_build(out, WS_OP_BINARY, payload, len, mask);
		h = 2;
		pl = out[1] & 0x7f;
		if (pl == 126) {
			pl = (size_t)out[2] << 8 | out[3];
			h = 4;
		} else if (pl == 127) {
			pl = 0;
			for (i = 2; i < 10; i++)
				pl = pl << 8 | out[i];
			h = 10;
		}
		memcpy(key, out + h, 4);
		h += 4;
		if (out[0] != 0x82 || !(out[1] & 0x80) || pl != len ||
		    n != h + len ||
		    h != 6u + (len >= 126 ? 2u : 0u) +
				    (len > 65535 ? 6u : 0u) ||
		    key[0] != (uint8_t)(mask >> 24) ||
		    key[3] != (uint8_t)mask) {
			diag("len %zu: bad header (n %zu h %zu pl %zu)", len, n,
			     h, pl);
			all = false;
			continue;
		}
		for (i = 0; i < len; i++)
			if ((out[h + i] ^ key[i & 3]) != payload[i])
				break;
		if (i != len) {
			diag("len %zu: byte %zu unmasks wrong", len, i);
			all = false;
		}
		/* the involution: masking again gives the payload back */
		ws_mask_copy(out + h, out + h, len, mask);
		if (memcmp(out + h, payload, len)) {
			diag("len %zu: mask twice differs", len);
			all = false;
		}
	}
	ok(all, "masked frames of every length encoding round-trip");
	{
		size_t n = ws_frame_build(out, WS_OP_CLOSE, "\x03\xe8", 2,
					  0x01020304);

		ok(n == 8 && out[0] == 0x88 && out[1] == 0x82 &&
			   out[6] == (0x03 ^ 0x01) && out[7] == (0xe8 ^ 0x02),
		   "close frame 1000");
	}
}

int main(void)
{
	test_keys();
	test_response();
	test_frames();
	test_bad_frames();
	test_build();
	return done_testing();
}
