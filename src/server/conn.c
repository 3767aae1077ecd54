/* SPDX-License-Identifier: MIT */
/*
 * conn.c - one WebSocket connection of a room participant: the handshake
 * (spec §7), packet reassembly (§3), dispatch of room.invoke_tool and tool
 * call chunks to the toolkits (§8), the table of open streams, and the
 * per-connection send queue that keeps every message's packets contiguous.
 *
 * Everything runs in the event-loop thread.  Output is queued and written
 * from LWS_CALLBACK_SERVER_WRITEABLE in batches: the packets are framed here
 * and written with one raw lws_write() per batch, in queue order, so that a
 * message's packets are never interleaved with another message's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srvcore.h"

/* A queued message: its packets, sent from index `next` on. */
struct srv_out {
	struct proto_packets p;
	size_t next;
	struct srv_out *link;
};

/* ---------------------------------------------------------------------
 * References
 * --------------------------------------------------------------------- */

static void conn_free(struct srv_conn *conn)
{
	struct srv_out *o, *n;

	for (o = conn->out_head; o; o = n) {
		n = o->link;
		proto_packets_free(&o->p);
		free(o);
	}
	proto_reader_free(&conn->rx);
	proto_token_free(&conn->token);
	free(conn->pkt);
	free(conn->name);
	free(conn->role);
	free(conn->jwt);
	free(conn->base_url);
	free(conn);
}

struct srv_conn *srv_conn_get(struct srv_conn *conn)
{
	conn->refs++;
	return conn;
}

void srv_conn_put(struct srv_conn *conn)
{
	if (conn && --conn->refs == 0)
		conn_free(conn);
}

struct srv_call *srv_call_get(struct srv_call *call)
{
	call->refs++;
	return call;
}

void srv_call_put(struct srv_call *call)
{
	if (!call || --call->refs)
		return;
	if (call->toolkit && call->toolkit->call_free)
		call->toolkit->call_free(call);
	srv_conn_put(call->conn);
	free(call->tool);
	free(call->tool_call_id);
	free(call);
}

bool srv_conn_alive(const struct srv_conn *conn)
{
	return conn && conn->wsi && !conn->closing;
}

bool srv_call_alive(const struct srv_call *call)
{
	return call && !call->closed && srv_conn_alive(call->conn);
}

/* ---------------------------------------------------------------------
 * Output
 * --------------------------------------------------------------------- */

static int conn_queue(struct srv_conn *conn, struct proto_packets *p)
{
	struct srv_out *o;
	size_t i, bytes = 0;

	o = calloc(1, sizeof(*o));
	if (!o) {
		proto_packets_free(p);
		return -ENOMEM;
	}
	o->p = *p;
	memset(p, 0, sizeof(*p));
	for (i = 0; i < o->p.n; i++)
		bytes += o->p.v[i].len;
	if (conn->out_tail)
		conn->out_tail->link = o;
	else
		conn->out_head = o;
	conn->out_tail = o;
	conn->out_bytes += bytes;
	if (conn->out_bytes > SRV_MAX_BACKLOG) {
		util_log_warn("participant %s: %zu bytes unsent, closing",
			      conn->participant_id, conn->out_bytes);
		srv_conn_close(conn, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			       "client too slow");
	}
	lws_callback_on_writable(conn->wsi);
	return 0;
}

/* Sends a message carrying a content as its whole body (__response__). */
static int send_content(struct srv_conn *conn, uint64_t id, const char *type,
			const struct proto_content *c)
{
	struct proto_packets p;
	struct proto_content empty;
	int r;

	if (!srv_conn_alive(conn))
		return 0;
	if (!c) {
		proto_content_empty(&empty);
		c = &empty;
	}
	r = proto_encode_content(&p, id, type, c, LWS_PRE);
	if (r < 0)
		return r;
	return conn_queue(conn, &p);
}

int srv_conn_send(struct srv_conn *conn, const char *type, const cJSON *header,
		  const void *payload, size_t len)
{
	struct proto_packets p;
	int r;

	if (!srv_conn_alive(conn))
		return 0;
	r = proto_encode(&p, conn->next_msg_id, type, header, payload, len,
			 LWS_PRE);
	if (r < 0)
		return r;
	conn->next_msg_id++;
	return conn_queue(conn, &p);
}

int srv_respond(struct srv_conn *conn, uint64_t msg_id,
		const struct proto_content *c)
{
	if (conn && conn->cur_req == msg_id)
		conn->cur_answered = true;
	return send_content(conn, msg_id, PROTO_TYPE_RESPONSE, c);
}

int srv_respond_json(struct srv_conn *conn, uint64_t msg_id, const cJSON *json)
{
	struct proto_content c;
	cJSON *dup;
	int r;

	dup = cJSON_Duplicate(json, true);
	if (!dup)
		return -ENOMEM;
	r = proto_content_json(&c, dup);
	if (r < 0)
		return r;
	r = srv_respond(conn, msg_id, &c);
	proto_content_free(&c);
	return r;
}

static int respond_verror(struct srv_conn *conn, uint64_t msg_id, int code,
			  const char *fmt, va_list ap)
{
	struct proto_content c;
	char text[512];
	int r;

	vsnprintf(text, sizeof(text), fmt, ap);
	r = proto_content_error(&c, code, "%s", text);
	if (r < 0)
		return r;
	r = srv_respond(conn, msg_id, &c);
	proto_content_free(&c);
	return r;
}

int srv_respond_error(struct srv_conn *conn, uint64_t msg_id, int code,
		      const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = respond_verror(conn, msg_id, code, fmt, ap);
	va_end(ap);
	return r;
}

int srv_call_chunk(struct srv_call *call, const struct proto_content *c)
{
	struct proto_content empty;
	struct proto_packets p;
	int r;

	if (!srv_call_alive(call))
		return 0;
	if (!c) {
		proto_content_empty(&empty);
		c = &empty;
	}
	r = proto_encode_chunk(&p, call->conn->next_msg_id,
			       PROTO_TYPE_RESPONSE_CHUNK, call->tool_call_id, c,
			       LWS_PRE);
	if (r < 0)
		return r;
	call->conn->next_msg_id++;
	return conn_queue(call->conn, &p);
}

int srv_call_binary(struct srv_call *call, const cJSON *headers,
		    const void *payload, size_t len)
{
	struct proto_content c;
	cJSON *dup;
	int r;

	if (!srv_call_alive(call))
		return 0;
	dup = headers ? cJSON_Duplicate(headers, true) : cJSON_CreateObject();
	if (!dup)
		return -ENOMEM;
	r = proto_content_binary(&c, dup, payload, len);
	if (r < 0)
		return r;
	r = srv_call_chunk(call, &c);
	proto_content_free(&c);
	return r;
}

int srv_call_error(struct srv_call *call, int code, const char *fmt, ...)
{
	struct proto_content c;
	char text[512];
	va_list ap;
	int r;

	if (!srv_call_alive(call))
		return 0;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = proto_content_error(&c, code, "%s", text);
	if (r < 0)
		return r;
	r = srv_call_chunk(call, &c);
	proto_content_free(&c);
	return r;
}

/* Removes call from its connection's table (dropping the table's ref). */
static void call_unlink(struct srv_call *call)
{
	struct srv_call **pp;
	struct srv_conn *conn = call->conn;

	if (!call->in_table)
		return;
	for (pp = &conn->calls; *pp; pp = &(*pp)->next) {
		if (*pp == call) {
			*pp = call->next;
			break;
		}
	}
	call->next = NULL;
	call->in_table = false;
	conn->ncalls--;
	srv_call_put(call);
}

void srv_call_close(struct srv_call *call)
{
	struct proto_content c;

	if (!call)
		return;
	if (!call->closed) {
		if (srv_conn_alive(call->conn) &&
		    proto_content_control_close(&c, PROTO_CLOSE_NORMAL, NULL) ==
			    0) {
			srv_call_chunk(call, &c);
			proto_content_free(&c);
		}
		call->closed = true;
	}
	call_unlink(call);
}

/*
 * The close handshake (RFC 6455 §5.5.1, §7.1.2), done here rather than by
 * lws_close_reason() + returning -1: after sending its close frame, lws
 * 4.1 gives the peer a fixed 5 s to answer and then drops the socket
 * abortively, and in practice it tears the connection down as soon as more
 * data frames arrive behind the close.  A client still sending the rest of
 * an oversized message then gets a reset instead of our close frame (close
 * 1006 instead of 1009).  So: send the close frame ourselves, keep reading
 * and discarding whatever the peer still sends (srv_conn_receive ignores
 * data once closing), and end the TCP connection only when the peer's
 * close frame arrives (srv_conn_peer_closed) or after SRV_CLOSE_WAIT
 * seconds.
 *
 * lws 4.1 takes opcode 4 (its private LWS_WRITE_CLOSE) in lws_write() for
 * exactly this; the public enum leaves it out because lws_close_reason()
 * normally does the job.
 */
#define SRV_WRITE_CLOSE ((enum lws_write_protocol)4)

static int send_close(struct srv_conn *conn)
{
	unsigned char buf[LWS_PRE + 125];
	size_t n = strlen(conn->close_reason);

	if (lws_send_pipe_choked(conn->wsi)) {
		lws_callback_on_writable(conn->wsi);
		return 0;
	}
	if (n > 123)
		n = 123;
	buf[LWS_PRE] = (unsigned char)(conn->close_status >> 8);
	buf[LWS_PRE + 1] = (unsigned char)conn->close_status;
	memcpy(buf + LWS_PRE + 2, conn->close_reason, n);
	if (lws_write(conn->wsi, buf + LWS_PRE, n + 2, SRV_WRITE_CLOSE) < 0)
		return -1;
	conn->close_sent = true;
	lws_set_timeout(conn->wsi, PENDING_TIMEOUT_CLOSE_ACK, SRV_CLOSE_WAIT);
	return 0;
}

int srv_conn_peer_closed(struct srv_conn *conn)
{
	/* Our close was sent: this is its answer, the handshake is over
	 * and lws ends the connection (FIN, no second close frame).
	 * Otherwise lws answers the peer's close itself. */
	return conn->close_sent ? -1 : 0;
}

/* Writes queued packets while the socket takes them. */
/*
 * The header of an unmasked, final binary frame of n payload bytes
 * (RFC 6455 §5.2) at p; returns its length.
 */
static size_t frame_header(uint8_t *p, size_t n)
{
	p[0] = 0x82; /* FIN, binary */
	if (n < 126) {
		p[1] = (uint8_t)n;
		return 2;
	}
	if (n <= 0xffff) {
		p[1] = 126;
		p[2] = (uint8_t)(n >> 8);
		p[3] = (uint8_t)n;
		return 4;
	}
	p[1] = 127;
	for (int i = 0; i < 8; i++)
		p[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	return 10;
}

int srv_conn_writeable(struct srv_conn *conn)
{
	struct lws *wsi = conn->wsi;
	uint8_t *start, *p, *end;

	if (!conn->out_head) {
		if (conn->closing && !conn->close_sent)
			return send_close(conn);
		return 0;
	}
	if (!conn->srv->txbuf) {
		conn->srv->txbuf = malloc(LWS_PRE + SRV_TX_BATCH);
		if (!conn->srv->txbuf)
			return -1;
	}
	/*
	 * Every packet is its own WebSocket message (spec §3), ~1 KiB each.
	 * Framing them here and handing lws one raw buffer costs one send
	 * per batch; lws_write(LWS_WRITE_BINARY) would cost a poll (the
	 * choke test) and a send per packet.  lws keeps what the socket did
	 * not take and drains it before the next WRITEABLE callback, so
	 * frames never interleave.  The packets' headroom is not used: the
	 * frames must be contiguous.
	 */
	start = p = conn->srv->txbuf + LWS_PRE;
	end = start + SRV_TX_BATCH;
	while (conn->out_head) {
		struct srv_out *o = conn->out_head;
		struct proto_packet *pk = &o->p.v[o->next];

		bool alone = (size_t)(end - p) < pk->len + 10;
		int n;

		if (alone && p != start)
			break;
		if (alone) {
			/* larger than a batch (proto never makes one) */
			n = lws_write(wsi, pk->data, pk->len, LWS_WRITE_BINARY);
			if (n < 0)
				return -1;
		} else {
			p += frame_header(p, pk->len);
			memcpy(p, pk->data, pk->len);
			p += pk->len;
		}
		conn->out_bytes -= pk->len;
		if (++o->next == o->p.n) {
			conn->out_head = o->link;
			if (!conn->out_head)
				conn->out_tail = NULL;
			proto_packets_free(&o->p);
			free(o);
		}
		if (alone)
			break;
	}
	if (p != start &&
	    lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_RAW) < 0)
		return -1;
	/* the rest of the queue, or the close, once this batch is out */
	if (conn->out_head || (conn->closing && !conn->close_sent))
		lws_callback_on_writable(wsi);
	return 0;
}

void srv_conn_close(struct srv_conn *conn, int status, const char *reason)
{
	if (!conn->wsi || conn->closing)
		return;
	conn->closing = true;
	conn->close_status = status;
	snprintf(conn->close_reason, sizeof(conn->close_reason), "%s",
		 reason ? reason : "");
	lws_callback_on_writable(conn->wsi);
}

/* ---------------------------------------------------------------------
 * Connection life
 * --------------------------------------------------------------------- */

static int send_handshake(struct srv_conn *conn)
{
	struct proto_room_ready rr = { 0 };
	struct proto_connected c = { 0 };
	cJSON *h = NULL;
	char *url = NULL;
	int r = -ENOMEM;

	if (asprintf(&url, "%s/rooms/%s", conn->base_url, conn->room->name) <
	    0) {
		url = NULL;
		goto out;
	}
	rr.room_name = conn->room->name;
	rr.room_url = url;
	rr.session_id = conn->room->session_id;
	h = proto_room_ready_to_json(&rr);
	if (!h)
		goto out;
	r = srv_conn_send(conn, PROTO_TYPE_ROOM_READY, h, NULL, 0);
	cJSON_Delete(h);
	h = NULL;
	if (r < 0)
		goto out;
	c.participant_id = conn->participant_id;
	c.attributes = cJSON_CreateObject();
	if (!c.attributes ||
	    !cJSON_AddStringToObject(c.attributes, "name", conn->name)) {
		r = -ENOMEM;
		goto out;
	}
	h = proto_connected_to_json(&c);
	if (!h) {
		r = -ENOMEM;
		goto out;
	}
	r = srv_conn_send(conn, PROTO_TYPE_CONNECTED, h, NULL, 0);
out:
	cJSON_Delete(h);
	cJSON_Delete(c.attributes);
	free(url);
	return r;
}

int srv_conn_new(struct srv_conn **out, struct srv *srv, struct lws *wsi,
		 struct srv_pss *pss)
{
	struct srv_conn *conn;
	struct srv_room *room = pss->room;
	int r;

	*out = NULL;
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return -ENOMEM;
	conn->srv = srv;
	conn->room = room;
	conn->wsi = wsi;
	conn->refs = 1; /* the connection's own, dropped on close */
	conn->token = pss->token;
	memset(&pss->token, 0, sizeof(pss->token));
	pss->have_token = false;
	conn->jwt = pss->jwt;
	pss->jwt = NULL;
	conn->base_url = pss->base_url;
	pss->base_url = NULL;
	proto_reader_init(&conn->rx, &srv->limits);
	conn->name = strdup(conn->token.name ? conn->token.name : "");
	conn->role = strdup(proto_token_role(&conn->token));
	r = util_uuid_v4(conn->participant_id);
	if (r < 0)
		goto err;
	if (!conn->name || !conn->role) {
		r = -ENOMEM;
		goto err;
	}
	conn->room_next = room->conns;
	room->conns = conn;
	room->nconns++;
	r = send_handshake(conn);
	if (r < 0) {
		/* leave it linked: srv_conn_closed unlinks it */
		*out = conn;
		return r;
	}
	util_log_info("room %s: participant %s (%s) connected", room->name,
		      conn->participant_id, conn->name);
	*out = conn;
	return 0;
err:
	conn->wsi = NULL;
	conn_free(conn);
	return r;
}

void srv_conn_closed(struct srv_conn *conn)
{
	struct srv_room *room = conn->room;
	struct srv_conn **pp;

	for (pp = &room->conns; *pp; pp = &(*pp)->room_next) {
		if (*pp == conn) {
			*pp = conn->room_next;
			room->nconns--;
			break;
		}
	}
	conn->wsi = NULL;
	/* Every open stream ends: GONE, then forgotten. */
	while (conn->calls) {
		struct srv_call *call = srv_call_get(conn->calls);

		call->closed = true;
		if (call->toolkit->stream_close)
			call->toolkit->stream_close(call, SRV_CLOSE_GONE);
		call_unlink(call);
		srv_call_put(call);
	}
	util_log_info("room %s: participant %s disconnected", room->name,
		      conn->participant_id);
	srv_conn_put(conn);
}

/* ---------------------------------------------------------------------
 * Dispatch
 * --------------------------------------------------------------------- */

static struct srv_call *call_find(struct srv_conn *conn, const char *id)
{
	struct srv_call *call;

	for (call = conn->calls; call; call = call->next)
		if (!strcmp(call->tool_call_id, id))
			return call;
	return NULL;
}

static void on_invoke(struct srv_conn *conn, const struct proto_message *m,
		      const struct proto_packed *pk)
{
	struct proto_invoke inv = { 0 };
	const struct srv_toolkit *tk;
	struct util_error err;
	struct srv_call *call = NULL;
	int r;

	r = proto_invoke_parse(&inv, pk->header, pk->tail, pk->tail_len, &err);
	if (r < 0) {
		srv_respond_error(conn, m->id, PROTO_ERR_INVALID_REQUEST,
				  "invalid room.invoke_tool: %s", err.msg);
		return;
	}
	tk = srv_toolkit_find(conn->srv, inv.toolkit);
	if (!tk)
		goto not_found;
	conn->cur_req = m->id;
	conn->cur_answered = false;
	if (inv.arguments.type == PROTO_CONTENT_CONTROL &&
	    inv.arguments.method == PROTO_CONTROL_OPEN) {
		if (!tk->stream_open)
			goto not_found;
		if (!inv.tool_call_id || !*inv.tool_call_id) {
			srv_respond_error(conn, m->id,
					  PROTO_ERR_INVALID_REQUEST,
					  "a stream needs a tool_call_id");
			goto out;
		}
		if (call_find(conn, inv.tool_call_id)) {
			srv_respond_error(conn, m->id, PROTO_ERR_INVALID_STATE,
					  "tool call %s is already open",
					  inv.tool_call_id);
			goto out;
		}
		if (conn->ncalls >= conn->srv->cfg.max_streams) {
			srv_respond_error(
				conn, m->id, PROTO_ERR_INVALID_REQUEST,
				"too many open streams on this connection (limit %u)",
				conn->srv->cfg.max_streams);
			goto out;
		}
		call = calloc(1, sizeof(*call));
		if (!call)
			goto oom;
		call->tool = strdup(inv.tool);
		call->tool_call_id = strdup(inv.tool_call_id);
		if (!call->tool || !call->tool_call_id) {
			free(call->tool);
			free(call->tool_call_id);
			free(call);
			goto oom;
		}
		call->conn = srv_conn_get(conn);
		call->toolkit = tk;
		call->refs = 1; /* the table's */
		call->in_table = true;
		call->next = conn->calls;
		conn->calls = call;
		conn->ncalls++;
		srv_call_get(call);
		r = tk->stream_open(call);
		if (r < 0) {
			call->closed = true;
			call_unlink(call);
			srv_call_put(call);
			if (r == -ENOSYS)
				goto not_found;
			srv_respond_error(conn, m->id,
					  PROTO_ERR_OPERATION_FAILED,
					  "%s.%s: %s", inv.toolkit, inv.tool,
					  strerror(-r));
			goto out;
		}
		{
			struct proto_content open;

			proto_content_control_open(&open);
			srv_respond(conn, m->id, &open);
		}
		srv_call_put(call);
		goto out;
	}
	if (!tk->invoke)
		goto not_found;
	r = tk->invoke(conn, m->id, inv.tool, &inv.arguments);
	if (r == -ENOSYS)
		goto not_found;
	if (r < 0 && !conn->cur_answered)
		srv_respond_error(conn, m->id, PROTO_ERR_OPERATION_FAILED,
				  "%s.%s: %s", inv.toolkit, inv.tool,
				  strerror(-r));
	goto out;
not_found:
	srv_respond_error(conn, m->id, PROTO_ERR_NOT_FOUND,
			  "tool not found %s.%s", inv.toolkit, inv.tool);
	goto out;
oom:
	srv_respond_error(conn, m->id, PROTO_ERR_OPERATION_FAILED,
			  "out of memory");
out:
	proto_invoke_free(&inv);
}

static void on_chunk(struct srv_conn *conn, const struct proto_message *m,
		     const struct proto_packed *pk)
{
	struct proto_chunk ch = { 0 };
	struct util_error err;
	struct srv_call *call;
	int r;

	r = proto_chunk_parse(&ch, pk->header, pk->tail, pk->tail_len, &err);
	if (r < 0) {
		srv_respond_error(conn, m->id, PROTO_ERR_INVALID_REQUEST,
				  "invalid room.tool_call_request_chunk: %s",
				  err.msg);
		return;
	}
	call = call_find(conn, ch.tool_call_id);
	if (!call || call->closed) {
		/* late chunk after our close (spec §8.3.7) */
		srv_respond(conn, m->id, NULL);
		goto out;
	}
	srv_call_get(call);
	if (ch.content.type == PROTO_CONTENT_CONTROL &&
	    ch.content.method == PROTO_CONTROL_CLOSE &&
	    call->toolkit->stream_end) {
		conn->cur_req = m->id;
		conn->cur_answered = false;
		r = call->toolkit->stream_end(call, m->id);
		if (r != SRV_ANSWER_LATER && !conn->cur_answered)
			srv_respond(conn, m->id, NULL);
		srv_call_put(call);
		goto out;
	}
	if (ch.content.type == PROTO_CONTENT_CONTROL) {
		srv_respond(conn, m->id, NULL);
		if (ch.content.method == PROTO_CONTROL_CLOSE) {
			if (call->toolkit->stream_close)
				call->toolkit->stream_close(call,
							    SRV_CLOSE_CLIENT);
			else
				srv_call_close(call);
		}
		srv_call_put(call);
		goto out;
	}
	conn->cur_req = m->id;
	conn->cur_answered = false;
	r = call->toolkit->stream_chunk ?
		    call->toolkit->stream_chunk(call, m->id, &ch.content) :
		    -ENOSYS;
	if (r < 0) {
		srv_call_error(call, PROTO_ERR_OPERATION_FAILED, "%s.%s: %s",
			       call->toolkit->name, call->tool, strerror(-r));
		srv_call_close(call);
	}
	if (r != SRV_ANSWER_LATER && !conn->cur_answered)
		srv_respond(conn, m->id, NULL);
	srv_call_put(call);
out:
	proto_chunk_free(&ch);
}

static void on_message(struct srv_conn *conn, const struct proto_message *m)
{
	struct proto_packed pk = { 0 };
	struct util_error err;
	bool is_invoke = !strcmp(m->type, PROTO_TYPE_INVOKE);
	bool is_chunk = !strcmp(m->type, PROTO_TYPE_REQUEST_CHUNK);
	int r;

	if (!is_invoke && !is_chunk) {
		/* set_attributes, responses to nothing, unknown: ignored */
		util_log_debug("participant %s: ignoring message %s",
			       conn->participant_id, m->type);
		return;
	}
	r = proto_unpack(&pk, m->data, m->len, &conn->srv->limits, &err);
	if (r < 0) {
		char text[300];

		util_error_format(text, sizeof(text), &err);
		srv_respond_error(conn, m->id, PROTO_ERR_INVALID_REQUEST,
				  "invalid packed payload: %s", text);
		return;
	}
	if (is_invoke)
		on_invoke(conn, m, &pk);
	else
		on_chunk(conn, m, &pk);
	proto_packed_free(&pk);
}

/* One whole WebSocket message = one packet. */
static int on_packet(struct srv_conn *conn, const uint8_t *data, size_t len)
{
	struct proto_message m = { 0 };
	struct util_error err;
	char text[300];
	int r;

	r = proto_reader_feed(&conn->rx, &m, data, len, &err);
	if (r == 0)
		return 0;
	if (r > 0) {
		on_message(conn, &m);
		proto_message_free(&m);
		return 0;
	}
	util_error_format(text, sizeof(text), &err);
	util_log_warn("participant %s: bad packet: %s", conn->participant_id,
		      text);
	/*
	 * The stream of packets cannot be trusted any more (the next data
	 * packets of a too large message would all be errors): close with
	 * a status that says why (1009 too big, 1002 protocol error).
	 */
	srv_conn_close(conn,
		       r == -EMSGSIZE ? LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE :
					LWS_CLOSE_STATUS_PROTOCOL_ERR,
		       r == -EMSGSIZE ? "message too large" :
					"malformed packet");
	return 0;
}

int srv_conn_receive(struct srv_conn *conn, const void *in, size_t len,
		     bool first, bool final, bool binary)
{
	size_t max = conn->srv->limits.max_message + PROTO_HEADER_PACKET_FIXED +
		     conn->srv->limits.max_type;

	if (conn->closing)
		return 0;
	if (!binary) {
		srv_conn_close(conn, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
			       "text frames are not accepted");
		return 0;
	}
	if (first && final)
		return on_packet(conn, in, len);
	if (first)
		conn->pkt_len = 0;
	if (conn->pkt_len + len > max) {
		srv_conn_close(conn, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
			       "message too large");
		return 0;
	}
	if (conn->pkt_len + len > conn->pkt_cap) {
		size_t cap = conn->pkt_cap ? conn->pkt_cap : 4096;
		uint8_t *p;

		while (cap < conn->pkt_len + len)
			cap *= 2;
		p = realloc(conn->pkt, cap);
		if (!p)
			return -1;
		conn->pkt = p;
		conn->pkt_cap = cap;
	}
	memcpy(conn->pkt + conn->pkt_len, in, len);
	conn->pkt_len += len;
	if (!final)
		return 0;
	on_packet(conn, conn->pkt, conn->pkt_len);
	conn->pkt_len = 0;
	if (conn->pkt_cap > 65536) {
		free(conn->pkt);
		conn->pkt = NULL;
		conn->pkt_cap = 0;
	}
	return 0;
}
