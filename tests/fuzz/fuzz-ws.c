/* SPDX-License-Identifier: MIT */
/*
 * fuzz-ws.c - libFuzzer target for src/client/ws.c, the WebSocket layer of
 * the room client: what a server sends (the handshake response, then
 * frames).
 *
 * Input: byte 0 selects the mode (bit 0: frames only, no handshake) and,
 * with byte 1, the split pattern; the rest is the byte stream.  With the
 * handshake, the response is checked against the key of RFC 6455 §1.3
 * (accept "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", in the seed corpus); the bytes
 * after a 101 head are frames.  The stream is parsed twice, in one piece
 * and cut into pseudo-random pieces, and the invariants below are checked
 * (abort on failure):
 *   - both parses give the same result and the same events (splits do not
 *     matter);
 *   - a data message is at most the limit, a control frame at most 125
 *     bytes, and nothing is delivered after a close;
 *   - a delivered message built into a masked frame unmasks to itself.
 *
 * Build and run by hand (from the top of the tree):
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Isrc/util -Isrc/client src/util/[a-z]*.c src/client/ws.c \
 *     tests/fuzz/fuzz-ws.c -lcjson -lcrypto -lm -o /tmp/fuzz-ws
 *   /tmp/fuzz-ws -max_total_time=60 -max_len=8192 tests/fuzz/ws-corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "invariant failed: %s (line %d)\n", \
				#cond, __LINE__);                           \
			abort();                                            \
		}                                                           \
	} while (0)

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define MAX_MESSAGE 4096

struct run {
	uint64_t hash; /* of every event */
	unsigned events;
	bool closed;
};

static int on_frame(void *ctx, int op, const uint8_t *data, size_t len)
{
	static uint8_t frame[MAX_MESSAGE + WS_FRAME_HDR_MAX];
	struct run *r = ctx;
	size_t i, n;

	CHECK(!r->closed);
	CHECK(op == WS_OP_BINARY || op == WS_OP_PING || op == WS_OP_PONG ||
	      op == WS_OP_CLOSE);
	if (op == WS_OP_BINARY) {
		CHECK(len <= MAX_MESSAGE);
		n = ws_frame_build(frame, WS_OP_BINARY, data, len,
				   (uint32_t)(len * 2654435761u));
		CHECK(n >= len + 6);
		ws_mask_copy(frame + n - len, frame + n - len, len,
			     (uint32_t)(len * 2654435761u));
		CHECK(!memcmp(frame + n - len, data, len));
	} else {
		CHECK(len <= WS_CONTROL_MAX);
	}
	if (op == WS_OP_CLOSE)
		r->closed = true;
	r->hash = r->hash * 1099511628211u + (uint64_t)op;
	for (i = 0; i < len; i++)
		r->hash = (r->hash ^ data[i]) * 1099511628211u;
	r->hash = r->hash * 1099511628211u + len;
	r->events++;
	return 0;
}

/* Parses data cut at the pieces seed chooses (seed 0: one piece). */
static int parse(struct run *r, int *status, const uint8_t *data, size_t len,
		 bool handshake, unsigned seed)
{
	struct ws_response resp;
	struct ws_parser p;
	struct util_error err;
	size_t at = 0, used;
	int e = 0;

	memset(r, 0, sizeof(*r));
	*status = 0;
	ws_response_init(&resp);
	ws_parser_init(&p, MAX_MESSAGE);
	while (at < len && e >= 0) {
		size_t n = len - at;

		if (seed) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 97;
			if (n > len - at)
				n = len - at;
		}
		if (handshake && !*status) {
			e = ws_response_feed(&resp, &used, data + at, n, KEY,
					     &err);
			CHECK(used <= n);
			if (e == 0) {
				CHECK(used == n);
				at += n;
				continue;
			}
			if (e < 0)
				break;
			*status = resp.status;
			CHECK(resp.status >= 100 && resp.status < 600);
			if (resp.status != 101) {
				e = 0;
				break;
			}
			at += used;
			continue;
		}
		e = ws_parser_feed(&p, data + at, n, on_frame, r, &err);
		at += n;
	}
	ws_parser_free(&p);
	ws_response_free(&resp);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	int ea, eb, sa, sb;
	bool handshake;
	unsigned seed;

	if (size < 2)
		return 0;
	handshake = !(data[0] & 1);
	seed = (unsigned)data[0] << 8 | data[1] | 1u;
	ea = parse(&a, &sa, data + 2, size - 2, handshake, 0);
	eb = parse(&b, &sb, data + 2, size - 2, handshake, seed);
	CHECK(ea == eb);
	CHECK(sa == sb);
	CHECK(a.events == b.events);
	CHECK(a.hash == b.hash);
	return 0;
}
