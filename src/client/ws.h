/* SPDX-License-Identifier: MIT */
/*
 * ws.h - the client side of RFC 6455 (WebSocket) without lws: the opening
 * handshake (request text, incremental response parsing, the
 * Sec-WebSocket-Accept check), a frame parser that works on whole receive
 * buffers, and masked frame building.
 *
 * conn.c runs the room connection as an lws RAW socket and does the
 * WebSocket layer with these helpers, because lws 4.1's ws client role
 * parses every received byte through a state machine and writes one
 * frame per syscall.  Nothing here does I/O or touches lws; every
 * function is pure apart from ws_key_new/ws_rng_seed (getrandom).
 */
#ifndef MESHFS_CLIENT_WS_H
#define MESHFS_CLIENT_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

#define WS_KEY_LEN 24 /* base64 of 16 bytes */
#define WS_ACCEPT_LEN 28 /* base64 of a SHA-1 */
#define WS_FRAME_HDR_MAX 14 /* 2 + 8 (length) + 4 (mask key) */
#define WS_CONTROL_MAX 125
#define WS_RESPONSE_MAX 16384 /* bytes of a handshake response head */

/* ---- handshake ------------------------------------------------------ */

/* A fresh Sec-WebSocket-Key (16 random bytes, base64).  0 or -errno. */
int ws_key_new(char key[WS_KEY_LEN + 1]);
/* The Sec-WebSocket-Accept a server must answer to key.  0 or -ENOMEM. */
int ws_accept_of(char out[WS_ACCEPT_LEN + 1], const char *key);
/*
 * Appends the upgrade request for path (with query) to b.  origin and
 * auth (the whole Authorization value) may be NULL.  Check
 * util_buf_error(b).
 */
void ws_request_build(struct util_buf *b, const char *path, const char *host,
		      const char *origin, const char *auth, const char *key);

/* The response head, collected across reads. */
struct ws_response {
	struct util_buf head; /* bytes received so far, up to the blank line */
	int status; /* the HTTP status once complete, else 0 */
	char reason[64]; /* its reason phrase (truncated) */
};

void ws_response_init(struct ws_response *r);
void ws_response_free(struct ws_response *r);
/*
 * Feeds received bytes.  Returns 0 when the head is still incomplete (all
 * of `in` taken), 1 when it is complete: *used is the number of bytes of
 * `in` that belonged to it (the rest are frames) and r->status is set.
 * A status other than 101 is returned as 1 (the caller decides what it
 * means); for 101 the Upgrade, Connection and Sec-WebSocket-Accept
 * (against key) headers are checked.  Errors: -EPROTO (malformed head, or
 * a 101 that is not a valid WebSocket upgrade), -EMSGSIZE (head longer
 * than WS_RESPONSE_MAX), -ENOMEM; err says what.
 */
int ws_response_feed(struct ws_response *r, size_t *used, const void *in,
		     size_t len, const char *key, struct util_error *err);

/* ---- receiving ------------------------------------------------------- */

/*
 * Called for each complete data message (opcode WS_OP_BINARY, fragments
 * reassembled) and each control frame (WS_OP_PING, WS_OP_PONG,
 * WS_OP_CLOSE) in order.  data is valid during the call only.  A negative
 * return stops ws_parser_feed, which returns it.
 */
typedef int (*ws_frame_fn)(void *ctx, int opcode, const uint8_t *data,
			   size_t len);

struct ws_parser {
	size_t max_message; /* bytes of a reassembled message */
	uint8_t hdr[WS_FRAME_HDR_MAX]; /* frame header being collected */
	uint8_t hlen; /* bytes in hdr */
	bool in_payload; /* the header is done, payload follows */
	uint8_t op; /* the current frame's opcode */
	bool fin;
	uint64_t left; /* payload bytes of the frame still to come */
	uint8_t msg_op; /* data message being reassembled, 0 = none */
	struct util_buf msg; /* its bytes (data frames) */
	uint8_t ctl[WS_CONTROL_MAX]; /* a control frame's payload */
	size_t ctl_len;
	bool closed; /* a close frame was delivered: ignore the rest */
	bool failed; /* a protocol error was reported: ignore the rest */
};

/* max_message: the limit of a reassembled data message. */
void ws_parser_init(struct ws_parser *p, size_t max_message);
void ws_parser_free(struct ws_parser *p);
/*
 * Parses server frames from in (any split), calling fn for each message
 * and control frame.  0, fn's negative return, or -EPROTO (a masked
 * frame, reserved bits, a text or unknown opcode, a bad fragment
 * sequence, a bad control frame) / -EMSGSIZE (a message over the limit)
 * / -ENOMEM with err set.  After an error or a close frame the parser
 * ignores further input.
 */
int ws_parser_feed(struct ws_parser *p, const void *in, size_t len,
		   ws_frame_fn fn, void *ctx, struct util_error *err);

/* ---- sending --------------------------------------------------------- */

/*
 * The mask keys of our frames.  RFC 6455 §10.3 wants them unpredictable to
 * a script that controls the payload, against cache poisoning of
 * intermediaries; no script shares this connection, so a fast generator
 * seeded from getrandom is enough: xorshift64* (per connection), whose
 * output an observer cannot usefully predict without its 64-bit seed.
 */
struct ws_rng {
	uint64_t s;
};

/* Seeds from getrandom.  0 or -errno. */
int ws_rng_seed(struct ws_rng *r);
uint32_t ws_rng_next(struct ws_rng *r);

/*
 * Writes one final, masked client frame (header, then payload XOR mask)
 * to dst, which must hold WS_FRAME_HDR_MAX + len bytes.  Returns the
 * bytes written.  The mask key's bytes are mask's, most significant
 * first.
 */
size_t ws_frame_build(uint8_t *dst, int opcode, const void *payload, size_t len,
		      uint32_t mask);
/* dst = src XOR the mask key, starting at key byte 0 (dst may be src). */
void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t len, uint32_t mask);

#endif /* MESHFS_CLIENT_WS_H */
