/* SPDX-License-Identifier: MIT */
/*
 * srvcore.h - private to the network core (srv.c: server, loop, rooms,
 * HTTP; conn.c: WebSocket connections, dispatch, calls, output).  Toolkits
 * use srv.h only.
 */
#ifndef MESHFS_SRVCORE_H
#define MESHFS_SRVCORE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include <libwebsockets.h>

#include "srv.h"

#define SRV_MAX_TOOLKITS 8
/* A connection whose unsent output exceeds this is too slow: closed. */
#define SRV_MAX_BACKLOG ((size_t)256 << 20)
/* Seconds a peer has to answer our close frame before the socket is dropped. */
#define SRV_CLOSE_WAIT 30
/* Sanity bound on room names (bytes). */
#define SRV_ROOM_NAME_MAX 128

/* Longest HTTP request head lws keeps (bytes). */
#define SRV_MAX_HEADER_DATA 16384
/*
 * Queued packets are framed by us and written in batches of up to this many
 * bytes with one raw write (conn.c): one syscall per batch, not a poll and a
 * send per 1 KiB packet.
 */
#define SRV_TX_BATCH ((size_t)64 << 10)

struct srv_door;

struct srv_deferred {
	void (*fn)(void *arg);
	void *arg;
	struct srv_deferred *next;
};

struct srv {
	struct srv_config cfg; /* strings below are owned copies */
	struct proto_limits limits;
	struct lws_context *ctx;
	struct lws_vhost *vhost;
	struct srv_door *door; /* our listener, TLS too (door.c) */
	int port;
	int datafd; /* the data directory */
	int statefd; /* DIR/.meshroomd (private state of every room) */
	const struct srv_toolkit *toolkits[SRV_MAX_TOOLKITS];
	unsigned ntoolkits;
	struct srv_room *rooms;
	uint8_t *txbuf; /* LWS_PRE + SRV_TX_BATCH, loop thread only (conn.c) */
	lws_sorted_usec_list_t stop_tick; /* wakes the loop while stopping */

	pthread_mutex_t defer_lock;
	struct srv_deferred *defer_head, *defer_tail;

	atomic_bool stop_requested;
	bool stopping; /* loop thread: shutdown under way */
	bool loop_done;
	bool ran;
	pthread_t thread;
	bool thread_started;
};

/*
 * Per-session data of the lws protocol: an HTTP transaction (file
 * download) or, once upgraded, a WebSocket connection.
 */
struct srv_pss {
	struct srv_conn *conn; /* WebSocket: set on ESTABLISHED */
	/* between FILTER_PROTOCOL_CONNECTION and ESTABLISHED */
	struct srv_room *room;
	struct proto_token token;
	bool have_token;
	char *jwt;
	char *subproto; /* meshagent-room.<jwt> offered: answered as is */
	char *base_url;
	/* HTTP file download */
	int fd;
	uint64_t left;
};

/* srv.c */
void srv_run_deferred(struct srv *srv);
/* Makes lws_service return soon (any thread). */
void srv_wake(struct srv *srv);
int srv_room_get(struct srv_room **out, struct srv *srv, const char *name);
bool srv_room_name_valid(const char *name);

/* conn.c */
int srv_conn_new(struct srv_conn **out, struct srv *srv, struct lws *wsi,
		 struct srv_pss *pss);
int srv_conn_receive(struct srv_conn *conn, const void *in, size_t len,
		     bool first, bool final, bool binary);
int srv_conn_writeable(struct srv_conn *conn);
void srv_conn_closed(struct srv_conn *conn);
/* LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: -1 ends the connection. */
int srv_conn_peer_closed(struct srv_conn *conn);
/* Starts a graceful close (flush the queue, then close with status). */
void srv_conn_close(struct srv_conn *conn, int status, const char *reason);

/*
 * door.c: our own listening socket, whose thread (TLS: after the
 * handshake, with srv->cfg's files) reads each connection's first request
 * head, turns a meshagent-room.<jwt> subprotocol offer into the header
 * X-Meshroomd-Subprotocol, and queues the socket (TLS: one end of a
 * socketpair its pump thread feeds) for srv_door_service (loop thread) to
 * hand to lws.
 */
int srv_door_new(struct srv_door **out, int *port, struct srv *srv,
		 const char *host, int want_port);
int srv_door_start(struct srv_door *d);
/* Loop thread: adopts the queued sockets into vh (NULL: closes them). */
void srv_door_service(struct srv_door *d, struct lws_vhost *vh);
/* Stops accepting and joins the thread (idempotent). */
void srv_door_stop(struct srv_door *d);
void srv_door_free(struct srv_door *d);

#endif /* MESHFS_SRVCORE_H */
