/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what the files of libclient share: the client and document
 * structs, the request and stream tables of conn.c, and the helpers that
 * storage.c, sync.c and doc.c build on.
 *
 * Threads and locks.  One network thread per client runs lws_service and
 * is the only one touching the WebSocket.  c->lock protects everything in
 * struct room_client below it (queues, tables, state) and the outgoing
 * update queue of every document; c->cond is broadcast on every change a
 * waiter could be waiting for.  A document's own lock (d->lock) protects
 * its replica.  Lock order: d->lock before c->lock; the network thread
 * never holds c->lock while it takes a d->lock.
 */
#ifndef MESHFS_CLIENT_INTERNAL_H
#define MESHFS_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "client.h"
#include "proto.h"
#include "util.h"
#include "ws.h"

struct room_client;
struct room_req;
struct room_out;
struct room_retired;

/* Called on the network thread with c->lock held when a request done. */
typedef void (*room_req_fn)(struct room_client *c, struct room_req *r);

/*
 * A request waiting for its __response__.  In c->reqs while waiting; the
 * one who created it frees it after it left the table (conn.c takes it
 * out when it completes or fails; a waiter that times out takes it out
 * itself).  With `fn` set, the request belongs to the network thread:
 * fn runs when it completes and then conn.c frees it.
 */
struct room_req {
	struct room_req *next;
	uint64_t id;
	uint64_t gen; /* the connection it was sent on */
	bool done;
	int err; /* 0, or -ENOTCONN/-EPROTO: no usable response */
	struct proto_message msg; /* the __response__ (backs resp) */
	struct proto_content resp;
	room_req_fn fn;
	void *ctx;
	uint64_t seq; /* for fn's use */
};

/* One received response chunk. */
struct room_chunk {
	struct room_chunk *next;
	struct proto_message msg; /* backs content's payload */
	struct proto_content content;
};

/* A tool call stream of a user thread (storage upload/download). */
struct room_stream {
	struct room_stream *next;
	char id[PROTO_TOOL_CALL_ID_MAX];
	uint64_t gen;
	struct room_chunk *head, **tail; /* received, not yet taken */
	unsigned queued; /* chunks in head..tail */
	bool closed; /* the server's control/close arrived */
	int err; /* -ENOTCONN when the connection went away */
	/* download pull-ahead (room_stream_pull_ahead), network thread */
	bool pull_ahead;
	bool pull_sized; /* the start chunk announced pull_size */
	bool pull_owed; /* a pull waits for the reader to catch up */
	uint64_t pull_size, pull_got;
};

/* One local update not yet acknowledged. */
struct room_update {
	struct room_update *next;
	uint64_t seq;
	bool sent; /* a sync chunk carrying it is in flight */
	size_t len;
	uint8_t data[]; /* the v1 update (base64 only when sent) */
};

struct room_listener {
	int id;
	room_doc_change_fn fn;
	void *ctx;
};

enum room_doc_stream_state {
	DOC_STREAM_NONE = 0, /* no stream (connection down) */
	DOC_STREAM_OPENING, /* invoke + start sent, waiting for state */
	DOC_STREAM_OPEN, /* state applied: sync chunks flow */
	DOC_STREAM_CLOSING, /* our close sent, waiting for the server's */
	DOC_STREAM_CLOSED, /* the server closed it */
};

struct room_doc {
	struct room_doc *next; /* c->docs */
	struct room_client *c;
	char *path;
	/* ---- protected by d->lock ---- */
	pthread_mutex_t lock;
	struct y_doc *y;
	int sub; /* y_doc_on_update subscription */
	bool remote_changed; /* an applied update changed the replica */
	/* ---- atomics ---- */
	_Atomic uint64_t revision;
	_Atomic int64_t mtime_ms;
	/* ---- protected by c->lock ---- */
	int refs;
	bool create;
	bool opened; /* the first state chunk was applied */
	bool rebuild; /* the next state chunk replaces the replica */
	bool closing; /* last close in progress */
	int open_err; /* the first open failed: errno */
	char open_msg[UTIL_ERROR_MSG_MAX];
	struct mesh_schema *schema;
	char *schema_json;
	char tool_call_id[PROTO_TOOL_CALL_ID_MAX];
	uint64_t stream_gen;
	enum room_doc_stream_state st;
	struct room_update *uhead, **utail;
	uint64_t next_seq; /* seq of the next captured update */
	uint64_t resolved; /* every seq <= this is acked or dropped */
	uint64_t refused_upto; /* the last seq dropped by a refusal */
	uint64_t refused_reported; /* refused_upto a flush last reported */
	char refused_msg[UTIL_ERROR_MSG_MAX];
	uint64_t rebuilds; /* completed rebuilds */
	bool in_flight; /* one sync chunk in flight */
	bool no_merge; /* a merged chunk was refused: one update at a time */
	/*
	 * A chunk was refused: the server ends the stream and answers any
	 * chunk sent before its close arrives with an empty (not applied)
	 * response, so nothing is sent until the stream is opened again.
	 */
	bool await_close;
	struct room_listener *listeners;
	size_t nlisteners;
	int next_listener;
};

struct room_client {
	struct room_config cfg; /* strings copied below */
	char *url, *token, *ca_file;
	/* parsed URL */
	bool tls;
	char *host;
	int port;
	char *path; /* path + query incl. token */
	char *auth; /* "Bearer <jwt>" */

	struct lws_context *ctx;
	pthread_t thread;
	bool thread_started;
	/* ---- network thread only ---- */
	lws_sorted_usec_list_t tick; /* 100 ms: reconnects, stuck attempts */
	bool attempt_live; /* a connection (attempt) exists */
	struct lws *attempt; /* its wsi */
	int64_t attempt_deadline; /* monotonic ms; 0 = handshake done */
	bool attempt_timed_out; /* the tick ended it: report -ETIMEDOUT */
	int64_t reconnect_at; /* monotonic ms of the next attempt, 0 = none */
	/*
	 * The WebSocket layer of a RAW connection (ws://; conn.c, ws.c).
	 * wss:// keeps lws's ws client role: lws 4.1.6 does not run the TLS
	 * handshake of a RAW client connection (see start_connect).
	 */
	bool raw; /* the attempt / connection is RAW */
	bool raw_live; /* RAW_CONNECTED seen, RAW_CLOSE not yet */
	int ws_phase; /* WS_PH_* in conn.c */
	char ws_key[WS_KEY_LEN + 1];
	struct ws_response ws_resp;
	struct ws_parser ws_rx;
	struct ws_rng ws_rng;
	struct util_buf ws_req; /* LWS_PRE + the upgrade request */
	uint8_t ws_ctl[WS_FRAME_HDR_MAX + WS_CONTROL_MAX]; /* pong/close */
	size_t ws_ctl_len; /* a control frame waiting to go out */
	bool ws_close_after; /* close the socket once ws_ctl went out */
	uint8_t *ws_tx; /* LWS_PRE + the batch of frames being written */
	size_t ws_tx_cap; /* bytes after LWS_PRE */
	int ws_fail_e; /* why the handshake failed (-errno), 0 = no reason */
	int ws_fail_http; /* its HTTP status, 0 = none */
	char ws_fail[160];

	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	/* ---- protected by lock ---- */
	enum room_conn_state state;
	int state_err; /* why CLOSED (first connect failure) */
	char state_msg[UTIL_ERROR_MSG_MAX];
	struct lws *wsi;
	bool ever_connected;
	bool got_ready, got_connected;
	uint64_t gen; /* connection generation (1, 2, ...) */
	uint64_t next_id;
	bool stop; /* network thread: leave the loop */
	bool closing; /* room_client_close in progress */
	bool close_sent;
	bool connect_pending; /* the backoff timer fired: connect */
	bool kick; /* work for the network thread (docs to reopen, ...) */
	int backoff_ms;
	/* outgoing packets in order */
	struct room_out *out_head, **out_tail;
	struct room_req *reqs;
	struct room_stream *streams;
	struct room_doc *docs;
	struct room_doc *busy_doc; /* the network thread is inside it */
	char *participant_id;
	char *room;
	struct room_retired *retired; /* old participant ids and names */
	int peer_close; /* close code the server sent, 0 = none */
	/* receive reassembly (network thread only) */
	struct proto_reader reader;
	struct util_buf rx;
};

/* conn.c */
int room_deadline(const struct room_client *c, struct timespec *ts);
/* Waits on c->cond until the deadline: 0, or -ETIMEDOUT.  c->lock held. */
int room_wait_until(struct room_client *c, const struct timespec *ts);
void room_wake(struct room_client *c);
/*
 * Sends a request (message type, header, tail) and registers r for its
 * response.  c->lock held.  -ENOTCONN when not connected.  r->id/gen set.
 */
int room_send_request_locked(struct room_client *c, struct room_req *r,
			     const char *type, const cJSON *header,
			     const void *tail, size_t tail_len);
/* The same for a chunk of stream tool_call_id with content cont. */
int room_send_chunk_locked(struct room_client *c, struct room_req *r,
			   const char *tool_call_id,
			   const struct proto_content *cont);
/* Waits for r (sent by this thread) until ts; removes it from the table on
 * timeout.  0 (r->done, see r->err) or -ETIMEDOUT.  c->lock held. */
int room_req_wait_locked(struct room_client *c, struct room_req *r,
			 const struct timespec *ts);
void room_req_clear(struct room_req *r);
/* The errno of a content: 0 unless it is an error content (then err set). */
int room_content_errno(const struct proto_content *cont,
		       struct util_error *err);
int room_code_errno(long long code);
/* Non-stream invoke of toolkit.tool with {"type":"json","json":args}
 * (args TAKEN).  On success *resp holds the response (room_req_clear). */
int room_invoke_json(struct room_req *resp, struct room_client *c,
		     const char *toolkit, const char *tool, cJSON *args,
		     struct util_error *err);

/* User streams (storage). */
int room_stream_open(struct room_stream **out, struct room_client *c,
		     const char *toolkit, const char *tool,
		     struct room_req *invoke, const struct timespec *ts,
		     struct util_error *err);
/* Sends a chunk and waits for its __response__.  */
int room_stream_send(struct room_client *c, struct room_stream *s,
		     const struct proto_content *cont,
		     const struct timespec *ts, struct util_error *err);
/* Takes the next response chunk (*out NULL when the server closed).  An
 * error answer to the invoke (when done) fails it too. */
int room_stream_next(struct room_chunk **out, struct room_client *c,
		     struct room_stream *s, struct room_req *invoke,
		     const struct timespec *ts, struct util_error *err);
/*
 * Makes s a download whose pulls the network thread sends: one as soon as
 * the start chunk announces a size > 0 and one whenever a data chunk
 * arrives and more is due, while at most one chunk waits for the reader
 * (else the reader's room_stream_next sends it).  The wire is what the
 * reader would send itself, one pull per chunk, each after the previous
 * one's __response__ (which the server sends before the data); the chunk
 * is simply on its way while the reader handles the last one.  Call before
 * sending the start chunk.
 */
void room_stream_pull_ahead(struct room_client *c, struct room_stream *s);
/* Forgets the stream and its invoke (waited or not), frees s. */
void room_stream_free(struct room_client *c, struct room_stream *s,
		      struct room_req *invoke);
void room_chunk_free(struct room_chunk *ch);

/* doc.c: frees a document (unlinked, no lock held). */
void room_doc_free(struct room_doc *d);
/* doc.c: called by conn.c on the network thread. */
/* A response chunk for document d (c->busy_doc == d, c->lock NOT held). */
void room_doc_on_chunk(struct room_client *c, struct room_doc *d,
		       struct room_chunk *ch);
/* Connected (again): (re)open every document's stream.  No lock held. */
void room_docs_reconnected(struct room_client *c);
/* The connection went down: c->lock held. */
void room_docs_disconnected_locked(struct room_client *c);
/* Sends what the documents have queued.  c->lock held. */
void room_docs_pump_locked(struct room_client *c);
/* Starts the sync.open stream of d.  vector: base64 or NULL.  c->lock
 * held. */
int room_doc_start_stream_locked(struct room_client *c, struct room_doc *d,
				 const char *vector);

#endif /* MESHFS_CLIENT_INTERNAL_H */
