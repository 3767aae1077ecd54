/* SPDX-License-Identifier: MIT */
/*
 * conn.c - the room connection of libclient: one lws_context and one
 * network thread per room_client, the WebSocket (token as ?token= and
 * Authorization: Bearer), packet framing through proto's encoder and
 * reader, the request table (__response__ by message id), the stream
 * table (response chunks by tool_call_id), the room_ready/connected
 * handshake, storage events, and reconnection with exponential backoff.
 *
 * User threads never touch lws: they queue encoded packets under c->lock
 * and wake the loop with lws_cancel_service; the loop writes them in
 * order, so the packets of two messages never interleave (spec §3.3).
 * Waits are pthread_cond_timedwait on CLOCK_MONOTONIC, bounded by the
 * configured timeout.
 *
 * Transport.  A ws:// connection is an lws RAW socket and the WebSocket
 * layer is ours (ws.c): lws 4.1's ws client role parses every received
 * byte through a state machine and writes one frame per syscall, which
 * made the client the bottleneck of bulk transfers.  One writeable
 * callback masks as many queued packets as fit into ROOM_WS_TX_MAX and
 * writes them with one lws_write (lws keeps a partial write and holds
 * further writeable callbacks until it drained); one read hands up to
 * ROOM_WS_RX_MAX bytes to the frame parser.  wss:// keeps lws's ws client
 * role (see start_connect).
 */
#define _GNU_SOURCE /* asprintf, strptime, timegm */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* Bytes of frames one RAW writeable callback writes at most. */
#define ROOM_WS_TX_MAX (128 * 1024)
/* Bytes lws reads per RAW_RX (its per-thread receive buffer). */
#define ROOM_WS_RX_MAX (128 * 1024)
/* A WebSocket message is one packet: the largest the reader takes. */
#define ROOM_WS_MAX_MESSAGE                                      \
	(PROTO_DEFAULT_MAX_MESSAGE + PROTO_HEADER_PACKET_FIXED + \
	 PROTO_DEFAULT_MAX_TYPE)

/* c->ws_phase of a RAW connection */
enum {
	WS_PH_CONNECTING = 0, /* TCP connect in progress */
	WS_PH_REQUEST, /* connected: the upgrade request goes out */
	WS_PH_RESPONSE, /* waiting for the 101 */
	WS_PH_OPEN, /* frames flow */
};

struct room_out {
	struct room_out *next;
	struct proto_packets p;
	size_t i; /* next packet to write */
};

/* Retired handshake strings stay valid until close (client.h promises). */
struct room_retired {
	struct room_retired *next;
	char *s;
};

static void retire_locked(struct room_client *c, char *s)
{
	struct room_retired *r;

	if (!s)
		return;
	r = malloc(sizeof(*r));
	if (!r)
		return; /* a tiny leak is better than a dangling pointer */
	r->s = s;
	r->next = c->retired;
	c->retired = r;
}

/* ---------------------------------------------------------------------
 * Time
 * --------------------------------------------------------------------- */

static void ts_add_ms(struct timespec *ts, long long ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int room_deadline(const struct room_client *c, struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts_add_ms(ts, c->cfg.timeout_ms);
	return 0;
}

int room_wait_until(struct room_client *c, const struct timespec *ts)
{
	int r = pthread_cond_timedwait(&c->cond, &c->lock, ts);

	return r == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void room_wake(struct room_client *c)
{
	if (c->ctx)
		lws_cancel_service(c->ctx);
}

/* ---------------------------------------------------------------------
 * Errors
 * --------------------------------------------------------------------- */

int room_code_errno(long long code)
{
	switch (code) {
	case PROTO_ERR_PERMISSION_DENIED:
		return -EACCES;
	case PROTO_ERR_INVALID_REQUEST:
	case PROTO_ERR_INVALID_STATE:
	case PROTO_ERR_STORAGE_INVALID_PATH:
		return -EINVAL;
	case PROTO_ERR_NOT_FOUND:
	case PROTO_ERR_STORAGE_NOT_FOUND:
		return -ENOENT;
	case PROTO_ERR_ALREADY_EXISTS:
	case PROTO_ERR_STORAGE_ALREADY_EXISTS:
		return -EEXIST;
	case PROTO_ERR_STORAGE_RECURSIVE_REQUIRED:
		return -ENOTEMPTY;
	case PROTO_ERR_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

int room_content_errno(const struct proto_content *cont, struct util_error *err)
{
	if (cont->type != PROTO_CONTENT_ERROR)
		return 0;
	if (cont->has_code)
		util_error_set(err, -1, "%s (code %lld)",
			       cont->text ? cont->text : "error", cont->code);
	else
		util_error_set(err, -1, "%s",
			       cont->text ? cont->text : "error");
	return cont->has_code ? room_code_errno(cont->code) : -EIO;
}

/* ---------------------------------------------------------------------
 * Sending
 * --------------------------------------------------------------------- */

/* Queues packets (taken) and wakes the loop.  c->lock held. */
static void out_push_locked(struct room_client *c, struct proto_packets *p)
{
	struct room_out *o = calloc(1, sizeof(*o));

	if (!o) {
		proto_packets_free(p);
		return;
	}
	o->p = *p;
	memset(p, 0, sizeof(*p));
	*c->out_tail = o;
	c->out_tail = &o->next;
	room_wake(c);
}

static void out_drop_locked(struct room_client *c)
{
	struct room_out *o;

	while ((o = c->out_head)) {
		c->out_head = o->next;
		proto_packets_free(&o->p);
		free(o);
	}
	c->out_tail = &c->out_head;
}

static bool up_locked(const struct room_client *c)
{
	return c->state == ROOM_CONNECTED && c->wsi && !c->closing;
}

int room_send_request_locked(struct room_client *c, struct room_req *r,
			     const char *type, const cJSON *header,
			     const void *tail, size_t tail_len)
{
	struct proto_packets p;
	int e;

	if (!up_locked(c))
		return -ENOTCONN;
	r->id = c->next_id;
	e = proto_encode(&p, r->id, type, header, tail, tail_len, LWS_PRE);
	if (e < 0)
		return e;
	c->next_id++;
	util_log_debug("room: -> %s #%llu (%zu bytes)", type,
		       (unsigned long long)r->id, tail_len);
	r->gen = c->gen;
	r->done = false;
	r->err = 0;
	r->next = c->reqs;
	c->reqs = r;
	out_push_locked(c, &p);
	return 0;
}

int room_send_chunk_locked(struct room_client *c, struct room_req *r,
			   const char *tool_call_id,
			   const struct proto_content *cont)
{
	cJSON *h = proto_chunk_header(tool_call_id, cont);
	int e;

	if (!h)
		return -ENOMEM;
	e = room_send_request_locked(c, r, PROTO_TYPE_REQUEST_CHUNK, h,
				     cont->payload, cont->payload_len);
	cJSON_Delete(h);
	return e;
}

static void req_unlink_locked(struct room_client *c, struct room_req *r)
{
	struct room_req **pp;

	for (pp = &c->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			r->next = NULL;
			return;
		}
}

int room_req_wait_locked(struct room_client *c, struct room_req *r,
			 const struct timespec *ts)
{
	while (!r->done) {
		if (room_wait_until(c, ts) == -ETIMEDOUT && !r->done) {
			req_unlink_locked(c, r);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

void room_req_clear(struct room_req *r)
{
	proto_content_free(&r->resp);
	proto_message_free(&r->msg);
	memset(&r->msg, 0, sizeof(r->msg));
}

/* Completes r (already unlinked).  c->lock held. */
static void req_complete_locked(struct room_client *c, struct room_req *r)
{
	r->done = true;
	if (r->fn) {
		r->fn(c, r);
		room_req_clear(r);
		free(r);
	}
}

int room_invoke_json(struct room_req *resp, struct room_client *c,
		     const char *toolkit, const char *tool, cJSON *args,
		     struct util_error *err)
{
	struct proto_invoke inv = { 0 };
	struct timespec ts;
	cJSON *h = NULL;
	int e;

	memset(resp, 0, sizeof(*resp));
	inv.toolkit = (char *)toolkit;
	inv.tool = (char *)tool;
	e = proto_content_json(&inv.arguments, args); /* takes args */
	if (e < 0)
		return e;
	h = proto_invoke_to_json(&inv);
	if (!h) {
		e = -ENOMEM;
		goto out;
	}
	room_deadline(c, &ts);
	pthread_mutex_lock(&c->lock);
	e = room_send_request_locked(c, resp, PROTO_TYPE_INVOKE, h, NULL, 0);
	if (e == 0)
		e = room_req_wait_locked(c, resp, &ts);
	pthread_mutex_unlock(&c->lock);
	if (e == 0 && resp->err)
		e = resp->err;
	if (e == -ENOTCONN)
		util_error_set(err, -1, "%s.%s: not connected to the room",
			       toolkit, tool);
	else if (e == -ETIMEDOUT)
		util_error_set(err, -1, "%s.%s: no answer within %d ms",
			       toolkit, tool, c->cfg.timeout_ms);
	else if (e == -EPROTO)
		util_error_set(err, -1, "%s.%s: malformed response", toolkit,
			       tool);
	else if (e == 0)
		e = room_content_errno(&resp->resp, err);
	if (e < 0)
		room_req_clear(resp);
out:
	cJSON_Delete(h);
	proto_content_free(&inv.arguments);
	return e;
}

/* ---------------------------------------------------------------------
 * User streams
 * --------------------------------------------------------------------- */

void room_chunk_free(struct room_chunk *ch)
{
	if (!ch)
		return;
	proto_content_free(&ch->content);
	proto_message_free(&ch->msg);
	free(ch);
}

/* A pull's __response__: nothing to do (a failed pull fails the stream
 * with an error chunk; a lost connection fails it through s->err). */
static void pull_done(struct room_client *c, struct room_req *r)
{
	(void)c;
	(void)r;
}

/* Sends s's next pull without waiting for its answer.  c->lock held. */
static void pull_send_locked(struct room_client *c, struct room_stream *s)
{
	struct proto_content cont;
	struct room_req *r = calloc(1, sizeof(*r));
	cJSON *h = cJSON_CreateObject();
	int e = -ENOMEM;

	if (r && h && cJSON_AddStringToObject(h, "kind", "pull")) {
		e = proto_content_binary(&cont, h, NULL, 0); /* takes h */
		h = NULL;
		if (e == 0) {
			r->fn = pull_done;
			e = room_send_chunk_locked(c, r, s->id, &cont);
			proto_content_free(&cont);
		}
	}
	cJSON_Delete(h);
	if (e < 0) {
		free(r);
		if (!s->err)
			s->err = e;
		pthread_cond_broadcast(&c->cond);
	}
}

/* A chunk of a pull-ahead download arrived (queued already): counts it
 * and sends the next pull if one is due.  c->lock held. */
static void pull_after_locked(struct room_client *c, struct room_stream *s,
			      const struct proto_content *ch)
{
	const cJSON *kind, *size;

	if (ch->type != PROTO_CONTENT_BINARY)
		return;
	kind = cJSON_GetObjectItemCaseSensitive(ch->headers, "kind");
	if (!cJSON_IsString(kind))
		return;
	if (!s->pull_sized && !strcmp(kind->valuestring, "start")) {
		size = cJSON_GetObjectItemCaseSensitive(ch->headers, "size");
		if (!cJSON_IsNumber(size) || size->valuedouble < 0)
			return; /* the reader fails the download */
		s->pull_sized = true;
		s->pull_size = (uint64_t)size->valuedouble;
	} else if (s->pull_sized && !strcmp(kind->valuestring, "data")) {
		s->pull_got += ch->payload_len;
	} else {
		return;
	}
	if (s->pull_got >= s->pull_size)
		return;
	if (s->queued <= 1)
		pull_send_locked(c, s);
	else
		s->pull_owed = true;
}

void room_stream_pull_ahead(struct room_client *c, struct room_stream *s)
{
	pthread_mutex_lock(&c->lock);
	s->pull_ahead = true;
	pthread_mutex_unlock(&c->lock);
}

int room_stream_open(struct room_stream **out, struct room_client *c,
		     const char *toolkit, const char *tool,
		     struct room_req *invoke, const struct timespec *ts,
		     struct util_error *err)
{
	struct proto_invoke inv = { 0 };
	struct room_stream *s;
	cJSON *h;
	int e;

	(void)ts;
	*out = NULL;
	memset(invoke, 0, sizeof(*invoke));
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->tail = &s->head;
	e = proto_tool_call_id(s->id);
	if (e < 0)
		goto fail;
	inv.toolkit = (char *)toolkit;
	inv.tool = (char *)tool;
	inv.tool_call_id = s->id;
	proto_content_control_open(&inv.arguments);
	h = proto_invoke_to_json(&inv);
	if (!h) {
		e = -ENOMEM;
		goto fail;
	}
	pthread_mutex_lock(&c->lock);
	/* registered before the invoke is sent (spec §14) */
	e = room_send_request_locked(c, invoke, PROTO_TYPE_INVOKE, h, NULL, 0);
	if (e == 0) {
		s->gen = c->gen;
		s->next = c->streams;
		c->streams = s;
	}
	pthread_mutex_unlock(&c->lock);
	cJSON_Delete(h);
	if (e < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	if (e == -ENOTCONN)
		util_error_set(err, -1, "%s.%s: not connected to the room",
			       toolkit, tool);
	free(s);
	return e;
}

int room_stream_send(struct room_client *c, struct room_stream *s,
		     const struct proto_content *cont,
		     const struct timespec *ts, struct util_error *err)
{
	struct room_req r = { 0 };
	int e;

	pthread_mutex_lock(&c->lock);
	if (s->err || s->gen != c->gen)
		e = -ENOTCONN;
	else
		e = room_send_chunk_locked(c, &r, s->id, cont);
	if (e == 0)
		e = room_req_wait_locked(c, &r, ts);
	pthread_mutex_unlock(&c->lock);
	if (e == 0 && r.err)
		e = r.err;
	if (e == 0)
		e = room_content_errno(&r.resp, err);
	else if (e == -ENOTCONN)
		util_error_set(err, -1, "connection lost");
	else if (e == -ETIMEDOUT)
		util_error_set(err, -1, "no answer within %d ms",
			       c->cfg.timeout_ms);
	room_req_clear(&r);
	return e;
}

int room_stream_next(struct room_chunk **out, struct room_client *c,
		     struct room_stream *s, struct room_req *invoke,
		     const struct timespec *ts, struct util_error *err)
{
	int e = 0;

	*out = NULL;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		if (invoke && invoke->done && !invoke->err &&
		    invoke->resp.type == PROTO_CONTENT_ERROR) {
			e = room_content_errno(&invoke->resp, err);
			break;
		}
		if (s->head) {
			*out = s->head;
			s->head = s->head->next;
			if (!s->head)
				s->tail = &s->head;
			(*out)->next = NULL;
			s->queued--;
			if (s->pull_owed && s->queued <= 1) {
				s->pull_owed = false;
				pull_send_locked(c, s);
			}
			break;
		}
		if (s->closed)
			break;
		if (s->err) {
			e = s->err;
			util_error_set(err, -1, "connection lost");
			break;
		}
		if (room_wait_until(c, ts) == -ETIMEDOUT && !s->head &&
		    !s->closed && !s->err) {
			e = -ETIMEDOUT;
			util_error_set(err, -1, "no answer within %d ms",
				       c->cfg.timeout_ms);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return e;
}

void room_stream_free(struct room_client *c, struct room_stream *s,
		      struct room_req *invoke)
{
	struct room_stream **pp;
	struct room_chunk *ch;

	if (!s)
		return;
	pthread_mutex_lock(&c->lock);
	if (invoke) {
		if (!invoke->done)
			req_unlink_locked(c, invoke);
		room_req_clear(invoke);
	}
	for (pp = &c->streams; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&c->lock);
	while ((ch = s->head)) {
		s->head = ch->next;
		room_chunk_free(ch);
	}
	free(s);
}

/* ---------------------------------------------------------------------
 * Receiving (network thread)
 * --------------------------------------------------------------------- */

static void notify_state(struct room_client *c, enum room_conn_state st, int e)
{
	if (c->cfg.on_state)
		c->cfg.on_state(c->cfg.state_ctx, st, e);
}

static void on_response(struct room_client *c, struct proto_message *m)
{
	struct room_req *r;

	pthread_mutex_lock(&c->lock);
	for (r = c->reqs; r; r = r->next)
		if (r->id == m->id && r->gen == c->gen)
			break;
	if (!r) {
		pthread_mutex_unlock(&c->lock);
		return; /* not waited for (any more): ignore (§3.5) */
	}
	req_unlink_locked(c, r);
	r->msg = *m;
	memset(m, 0, sizeof(*m));
	if (proto_content_unpack(&r->resp, r->msg.data, r->msg.len, NULL,
				 NULL) < 0) {
		util_log_warn("room: malformed __response__ to message %llu",
			      (unsigned long long)r->id);
		r->err = -EPROTO;
	}
	req_complete_locked(c, r);
	room_docs_pump_locked(c); /* the next queued update, if any */
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void on_chunk(struct room_client *c, struct proto_message *m)
{
	struct proto_packed pk = { 0 };
	struct proto_chunk chunk = { 0 };
	struct room_chunk *ch = NULL;
	struct room_stream *s;
	struct room_doc *d;
	struct util_error err;

	util_error_clear(&err);
	if (proto_unpack(&pk, m->data, m->len, NULL, &err) < 0 ||
	    proto_chunk_parse(&chunk, pk.header, pk.tail, pk.tail_len, &err) <
		    0) {
		util_log_warn("room: malformed response chunk: %s", err.msg);
		goto out;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		goto out;
	ch->msg = *m;
	memset(m, 0, sizeof(*m));
	ch->content = chunk.content;
	memset(&chunk.content, 0, sizeof(chunk.content));

	pthread_mutex_lock(&c->lock);
	for (s = c->streams; s; s = s->next)
		if (s->gen == c->gen && !strcmp(s->id, chunk.tool_call_id))
			break;
	if (s) {
		if (ch->content.type == PROTO_CONTENT_CONTROL &&
		    ch->content.method == PROTO_CONTROL_CLOSE) {
			s->closed = true;
			room_chunk_free(ch);
		} else if (!s->closed) {
			*s->tail = ch;
			s->tail = &ch->next;
			s->queued++;
			if (s->pull_ahead)
				pull_after_locked(c, s, &ch->content);
		} else {
			room_chunk_free(ch);
		}
		ch = NULL;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		goto out;
	}
	for (d = c->docs; d; d = d->next)
		if (d->stream_gen == c->gen && d->st != DOC_STREAM_NONE &&
		    !strcmp(d->tool_call_id, chunk.tool_call_id))
			break;
	if (!d) {
		pthread_mutex_unlock(&c->lock);
		goto out; /* a stream we forgot */
	}
	c->busy_doc = d;
	pthread_mutex_unlock(&c->lock);
	room_doc_on_chunk(c, d, ch); /* takes ch */
	ch = NULL;
	pthread_mutex_lock(&c->lock);
	c->busy_doc = NULL;
	room_docs_pump_locked(c);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
out:
	room_chunk_free(ch);
	proto_chunk_free(&chunk);
	proto_packed_free(&pk);
}

static void on_storage_event(struct room_client *c, struct proto_message *m)
{
	struct proto_packed pk = { 0 };
	struct proto_storage_event ev = { 0 };
	struct room_file_event fe;

	if (!c->cfg.on_file_event)
		return;
	if (proto_unpack(&pk, m->data, m->len, NULL, NULL) < 0 ||
	    proto_storage_event_parse(&ev, m->type, pk.header, NULL) < 0) {
		util_log_warn("room: malformed %s event", m->type);
		goto out;
	}
	memset(&fe, 0, sizeof(fe));
	fe.kind = (int)ev.kind;
	if (ev.kind == PROTO_FILE_MOVED) {
		fe.path = ev.source_path;
		fe.new_path = ev.destination_path;
	} else {
		fe.path = ev.path;
	}
	fe.participant_id = ev.participant_id;
	c->cfg.on_file_event(c->cfg.file_event_ctx, &fe);
out:
	proto_storage_event_free(&ev);
	proto_packed_free(&pk);
}

/* Both handshake messages arrived: the connection is usable. */
static void handshake_done(struct room_client *c)
{
	bool again;

	c->attempt_deadline = 0;
	pthread_mutex_lock(&c->lock);
	again = c->ever_connected;
	c->state = ROOM_CONNECTED;
	c->ever_connected = true;
	c->backoff_ms = c->cfg.backoff_min_ms;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	util_log_info("room: %s %s", again ? "reconnected to" : "connected to",
		      c->url);
	notify_state(c, ROOM_CONNECTED, 0);
	if (again)
		room_docs_reconnected(c);
}

static void on_handshake(struct room_client *c, struct proto_message *m)
{
	struct proto_packed pk = { 0 };
	struct util_error err;
	bool both = false;

	util_error_clear(&err);
	if (proto_unpack(&pk, m->data, m->len, NULL, &err) < 0)
		goto bad;
	if (!strcmp(m->type, PROTO_TYPE_ROOM_READY)) {
		struct proto_room_ready rr = { 0 };

		if (proto_room_ready_parse(&rr, pk.header, &err) < 0)
			goto bad;
		pthread_mutex_lock(&c->lock);
		if (!c->room || strcmp(c->room, rr.room_name)) {
			retire_locked(c, c->room);
			c->room = rr.room_name;
			rr.room_name = NULL;
		}
		c->got_ready = true;
		both = c->got_connected && c->state != ROOM_CONNECTED;
		pthread_mutex_unlock(&c->lock);
		proto_room_ready_free(&rr);
	} else {
		struct proto_connected pc = { 0 };

		if (proto_connected_parse(&pc, pk.header, &err) < 0)
			goto bad;
		pthread_mutex_lock(&c->lock);
		retire_locked(c, c->participant_id);
		c->participant_id = pc.participant_id;
		pc.participant_id = NULL;
		c->got_connected = true;
		both = c->got_ready && c->state != ROOM_CONNECTED;
		pthread_mutex_unlock(&c->lock);
		proto_connected_free(&pc);
	}
	proto_packed_free(&pk);
	if (both)
		handshake_done(c);
	return;
bad:
	util_log_warn("room: malformed %s: %s", m->type, err.msg);
	proto_packed_free(&pk);
}

/* A server-initiated tool call (hosted toolkits): we host none. */
static void on_tool_call(struct room_client *c, struct proto_message *m)
{
	struct proto_content e;
	struct proto_packets p;

	if (proto_content_error(&e, PROTO_ERR_NOT_FOUND,
				"this participant hosts no toolkits") < 0)
		return;
	if (proto_encode_content(&p, m->id, "room.tool_call_response", &e,
				 LWS_PRE) == 0) {
		pthread_mutex_lock(&c->lock);
		if (c->wsi)
			out_push_locked(c, &p);
		else
			proto_packets_free(&p);
		pthread_mutex_unlock(&c->lock);
	}
	proto_content_free(&e);
}

static void dispatch(struct room_client *c, struct proto_message *m)
{
	util_log_debug("room: <- %s #%llu (%zu bytes)", m->type,
		       (unsigned long long)m->id, m->len);
	if (!strcmp(m->type, PROTO_TYPE_RESPONSE))
		on_response(c, m);
	else if (!strcmp(m->type, PROTO_TYPE_RESPONSE_CHUNK))
		on_chunk(c, m);
	else if (!strcmp(m->type, PROTO_TYPE_ROOM_READY) ||
		 !strcmp(m->type, PROTO_TYPE_CONNECTED))
		on_handshake(c, m);
	else if (!strcmp(m->type, PROTO_TYPE_FILE_UPDATED) ||
		 !strcmp(m->type, PROTO_TYPE_FILE_DELETED) ||
		 !strcmp(m->type, PROTO_TYPE_FILE_MOVED))
		on_storage_event(c, m);
	else if (!strncmp(m->type, "room.tool_call.", 15))
		on_tool_call(c, m);
	/* anything else (room.status, messaging.send, ...) is ignored */
}

/* One whole WebSocket message (= one packet, spec §3). */
static void on_packet(struct room_client *c, const uint8_t *data, size_t len)
{
	struct proto_message m = { 0 };
	struct util_error err;
	int r;

	util_error_clear(&err);
	r = proto_reader_feed(&c->reader, &m, data, len, &err);
	if (r < 0) {
		util_log_warn("room: bad packet: %s", err.msg);
		return;
	}
	if (r == 1) {
		dispatch(c, &m);
		proto_message_free(&m);
	}
}

/* A fragment of a message (lws's ws client role, wss://). */
static int on_receive(struct room_client *c, const void *in, size_t len,
		      bool final)
{
	util_buf_put(&c->rx, in, len);
	if (util_buf_error(&c->rx) < 0) {
		util_buf_free(&c->rx);
		return 0;
	}
	if (!final)
		return 0;
	on_packet(c, c->rx.data, c->rx.len);
	util_buf_reset(&c->rx);
	return 0;
}

/* ---------------------------------------------------------------------
 * Connection life cycle (network thread)
 * --------------------------------------------------------------------- */

static int start_connect(struct room_client *c);

#define TICK_US (100 * 1000)

/*
 * Every 100 ms on the network thread: start a reconnect that is due, and
 * end an attempt that is stuck (no handshake within the timeout), so that
 * the next one follows.  The loop's own timer, not one per event: an
 * attempt must never end without leading to the next.
 */
static void tick_cb(lws_sorted_usec_list_t *sul)
{
	struct room_client *c = lws_container_of(sul, struct room_client, tick);
	int64_t now = util_monotonic_ms();
	bool want;

	pthread_mutex_lock(&c->lock);
	want = c->state == ROOM_RECONNECTING && !c->closing && !c->stop;
	pthread_mutex_unlock(&c->lock);
	if (c->attempt_live && c->attempt && c->attempt_deadline &&
	    now > c->attempt_deadline) {
		util_log_debug("room: connection attempt timed out");
		c->attempt_deadline = 0;
		c->attempt_timed_out = true;
		lws_set_timeout(c->attempt, PENDING_TIMEOUT_USER_OK,
				LWS_TO_KILL_ASYNC);
	}
	if (want && !c->attempt_live && c->reconnect_at &&
	    now >= c->reconnect_at) {
		c->reconnect_at = 0;
		util_log_debug("room: reconnecting to %s", c->url);
		if (start_connect(c) < 0 && !c->reconnect_at) {
			pthread_mutex_lock(&c->lock);
			c->backoff_ms = c->backoff_ms * 2 >
							c->cfg.backoff_max_ms ?
						c->cfg.backoff_max_ms :
						c->backoff_ms * 2;
			c->reconnect_at = now + c->backoff_ms;
			pthread_mutex_unlock(&c->lock);
		}
	}
	lws_sul_schedule(c->ctx, 0, &c->tick, tick_cb, TICK_US);
}

/*
 * The connection (or the attempt) ended.  e: why (-errno); code: the
 * close code (0 = none, a transport error); http: the HTTP status of a
 * refused upgrade (0 = none).
 */
static void on_down(struct room_client *c, int e, int code, int http,
		    const char *why)
{
	enum room_conn_state st;
	struct room_req *r;
	struct room_stream *s;
	bool was_up, retry;
	int delay = 0;

	/* the kill is seen as a close or a connect error; what happened is
	 * that the peer did not answer in time */
	if (c->attempt_timed_out) {
		c->attempt_timed_out = false;
		e = -ETIMEDOUT;
		why = "no answer to the WebSocket handshake in time";
	}
	util_log_debug("room: down (%s), code %d, http %d", why, code, http);
	c->attempt_live = false;
	c->attempt = NULL;
	pthread_mutex_lock(&c->lock);
	was_up = c->got_ready && c->got_connected;
	c->wsi = NULL;
	c->got_ready = c->got_connected = false;
	proto_reader_free(&c->reader);
	proto_reader_init(&c->reader, NULL);
	util_buf_reset(&c->rx);
	out_drop_locked(c);
	/* pending requests and streams of this connection fail */
	while ((r = c->reqs)) {
		c->reqs = r->next;
		r->next = NULL;
		r->err = -ENOTCONN;
		req_complete_locked(c, r);
	}
	for (s = c->streams; s; s = s->next)
		if (!s->closed)
			s->err = -ENOTCONN;
	room_docs_disconnected_locked(c);

	if (c->closing || c->stop) {
		retry = false;
	} else if (c->state == ROOM_CONNECTING) {
		/* the first connect never retries (client.h) */
		retry = false;
	} else if (http == 403 || http == 404 || http == 423) {
		retry = false;
	} else if (was_up && ((code == 1000 && !c->cfg.reconnect_after_close) ||
			      c->cfg.no_reconnect)) {
		retry = false;
	} else {
		retry = !c->cfg.no_reconnect;
	}
	if (c->state == ROOM_CONNECTING) {
		/* closed before the room became ready */
		c->state_err = e == -ENOTCONN ? -ECONNREFUSED : e;
		snprintf(c->state_msg, sizeof(c->state_msg), "%s", why);
	}
	if (retry) {
		if (was_up)
			c->backoff_ms = c->cfg.backoff_min_ms;
		else
			c->backoff_ms = c->backoff_ms * 2 >
							c->cfg.backoff_max_ms ?
						c->cfg.backoff_max_ms :
						c->backoff_ms * 2;
		delay = c->backoff_ms;
		st = ROOM_RECONNECTING;
	} else {
		st = ROOM_CLOSED;
	}
	bool changed = c->state != st;
	c->state = st;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);

	if (was_up && !c->closing)
		util_log_warn("room: connection to %s lost (%s)%s", c->url, why,
			      retry ? ", reconnecting" : "");
	if (changed)
		notify_state(c, st, st == ROOM_CLOSED ? e : 0);
	if (retry)
		c->reconnect_at = util_monotonic_ms() + delay;
}

static int connect_error_errno(const char *msg, int http)
{
	if (http == 403 || http == 401)
		return -EACCES;
	if (http == 404)
		return -ENOENT;
	if (http)
		return -ECONNREFUSED;
	if (msg && (strstr(msg, "DNS") || strstr(msg, "dns") ||
		    strstr(msg, "resolve") || strstr(msg, "getaddrinfo")))
		return -EHOSTUNREACH;
	if (msg &&
	    (strstr(msg, "tls") || strstr(msg, "TLS") || strstr(msg, "ssl") ||
	     strstr(msg, "SSL") || strstr(msg, "cert")))
		return -EPROTO;
	return -ECONNREFUSED;
}

/* "... 403 ..." in lws's error text, when lws does not keep the status. */
static int http_status_of(struct lws *wsi, const char *msg)
{
	unsigned int st = wsi ? lws_http_client_http_response(wsi) : 0;
	const char *p;

	if (st >= 100 && st < 600)
		return (int)st;
	if (!msg)
		return 0;
	for (p = msg; *p; p++)
		if (p[0] >= '1' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9' && (p == msg || p[-1] == ' ') &&
		    (p[3] == 0 || p[3] == ' ' || p[3] == ':')) {
			int v = (p[0] - '0') * 100 + (p[1] - '0') * 10 +
				(p[2] - '0');
			if (v != 101)
				return v;
		}
	return 0;
}

/* Packet o->i of the queue head o is out: the next one, or the next
 * message once o is done.  c->lock held. */
static void out_sent_locked(struct room_client *c, struct room_out *o)
{
	if (++o->i < o->p.n)
		return;
	c->out_head = o->next;
	if (!c->out_head)
		c->out_tail = &c->out_head;
	proto_packets_free(&o->p);
	free(o);
}

static int on_writeable(struct room_client *c, struct lws *wsi)
{
	struct room_out *o;
	struct proto_packet *pk;
	int n;

	pthread_mutex_lock(&c->lock);
	o = c->out_head;
	if (!o) {
		bool close = c->closing && !c->close_sent;

		if (close)
			c->close_sent = true;
		pthread_mutex_unlock(&c->lock);
		if (close) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
					 (unsigned char *)"bye", 3);
			return -1;
		}
		return 0;
	}
	pk = &o->p.v[o->i];
	/* the packet's headroom (LWS_PRE) is ours: lws writes there */
	n = lws_write(wsi, pk->data, pk->len, LWS_WRITE_BINARY);
	if (n < (int)pk->len) {
		pthread_mutex_unlock(&c->lock);
		return -1;
	}
	out_sent_locked(c, o);
	n = c->out_head || (c->closing && !c->close_sent);
	pthread_mutex_unlock(&c->lock);
	if (n)
		lws_callback_on_writable(wsi);
	return 0;
}

/* ---------------------------------------------------------------------
 * The WebSocket layer of a RAW connection (network thread, ws.c)
 * --------------------------------------------------------------------- */

/* room for a control frame before the batch and a close after it */
#define WS_TX_SLACK (2 * (WS_FRAME_HDR_MAX + WS_CONTROL_MAX))

/* A new RAW attempt: fresh key, mask generator and request.  0/-errno. */
static int raw_reset(struct room_client *c, const char *host)
{
	char origin[320];
	int e;

	c->raw_live = false;
	c->ws_phase = WS_PH_CONNECTING;
	ws_response_free(&c->ws_resp);
	ws_parser_free(&c->ws_rx);
	c->ws_ctl_len = 0;
	c->ws_close_after = false;
	c->ws_fail_e = 0;
	c->ws_fail_http = 0;
	c->ws_fail[0] = 0;
	if (!c->ws_tx) {
		c->ws_tx = malloc(LWS_PRE + ROOM_WS_TX_MAX + WS_TX_SLACK);
		if (!c->ws_tx)
			return -ENOMEM;
		c->ws_tx_cap = ROOM_WS_TX_MAX;
	}
	e = ws_key_new(c->ws_key);
	if (e < 0)
		return e;
	e = ws_rng_seed(&c->ws_rng);
	if (e < 0)
		return e;
	/* the Origin lws 4.1 sends for a client connection */
	snprintf(origin, sizeof(origin), "http://%s", host);
	util_buf_reset(&c->ws_req);
	if (util_buf_reserve(&c->ws_req, LWS_PRE) == 0) {
		memset(c->ws_req.data, 0, LWS_PRE);
		c->ws_req.len = LWS_PRE;
	}
	ws_request_build(&c->ws_req, c->path, host, origin, c->auth, c->ws_key);
	return util_buf_error(&c->ws_req);
}

static void raw_fail(struct room_client *c, int e, int http, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

/* Why the handshake of this attempt failed (reported at RAW_CLOSE). */
static void raw_fail(struct room_client *c, int e, int http, const char *fmt,
		     ...)
{
	va_list ap;

	c->ws_fail_e = e;
	c->ws_fail_http = http;
	va_start(ap, fmt);
	vsnprintf(c->ws_fail, sizeof(c->ws_fail), fmt, ap);
	va_end(ap);
}

/* The WebSocket is open (the ws role's CLIENT_ESTABLISHED). */
static void conn_established(struct room_client *c, struct lws *wsi)
{
	bool want;

	pthread_mutex_lock(&c->lock);
	c->wsi = wsi;
	c->gen++;
	c->next_id = 0; /* ids from 0 per connection, as TS */
	c->close_sent = false;
	want = c->closing;
	pthread_mutex_unlock(&c->lock);
	if (want)
		lws_callback_on_writable(wsi);
}

/* An open connection ended (the ws role's CLIENT_CLOSED). */
static void conn_closed(struct room_client *c)
{
	char why[64];
	int code;

	pthread_mutex_lock(&c->lock);
	code = c->peer_close;
	c->peer_close = 0;
	pthread_mutex_unlock(&c->lock);
	snprintf(why, sizeof(why),
		 code ? "closed with %d" : "connection closed", code);
	on_down(c, -ENOTCONN, code, 0, why);
}

/*
 * Our last frame before we hang up: a close carrying code (2 bytes, or
 * none), unless a close of ours went out already.  Returns whether one was
 * queued (raw_writeable writes it, then drops the connection).
 */
static bool raw_close_last(struct room_client *c, const uint8_t *code, size_t n)
{
	bool sent;

	pthread_mutex_lock(&c->lock);
	sent = c->close_sent;
	c->close_sent = true;
	pthread_mutex_unlock(&c->lock);
	c->ws_close_after = true;
	c->ws_ctl_len = sent ? 0 :
			       ws_frame_build(c->ws_ctl, WS_OP_CLOSE, code, n,
					      ws_rng_next(&c->ws_rng));
	return !sent;
}

/* ws_frame_fn: a message or control frame from the server. */
static int raw_frame(void *ctx, int op, const uint8_t *data, size_t len)
{
	struct room_client *c = ctx;
	int code;

	switch (op) {
	case WS_OP_BINARY:
		on_packet(c, data, len);
		break;
	case WS_OP_PING:
		/* only the latest ping needs its pong (RFC 6455 §5.5.3) */
		if (!c->ws_close_after)
			c->ws_ctl_len = ws_frame_build(c->ws_ctl, WS_OP_PONG,
						       data, len,
						       ws_rng_next(&c->ws_rng));
		break;
	case WS_OP_CLOSE:
		code = len >= 2 ? data[0] << 8 | data[1] : 1005;
		pthread_mutex_lock(&c->lock);
		c->peer_close = code; /* for RAW_CLOSE */
		pthread_mutex_unlock(&c->lock);
		/* the answer to our close ends the handshake; a close of the
		 * server's is echoed (its code only), then we hang up */
		raw_close_last(c, data, len >= 2 ? 2 : 0);
		break;
	default: /* pong */
		break;
	}
	return 0;
}

/*
 * Fails the WebSocket connection (RFC 6455 7.1.7) after a frame error:
 * a close frame says why (1002 a protocol error, 1009 a message over the
 * limit, 1011 no memory), then the connection is dropped once it is
 * written.  Frames of ours still queued are not sent.  Returns -1 when
 * there is nothing to say (a close went out already): hang up now.
 */
static int raw_fail_connection(struct room_client *c, struct lws *wsi, int e)
{
	unsigned v = e == -EMSGSIZE ? 1009 : e == -ENOMEM ? 1011 : 1002;
	uint8_t code[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	if (!raw_close_last(c, code, 2))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int connect_error_errno(const char *msg, int http);

static int raw_rx(struct room_client *c, struct lws *wsi, const uint8_t *in,
		  size_t len)
{
	struct util_error err;
	size_t used;
	int e, st;

	util_error_clear(&err);
	if (c->ws_phase == WS_PH_REQUEST || c->ws_phase == WS_PH_RESPONSE) {
		e = ws_response_feed(&c->ws_resp, &used, in, len, c->ws_key,
				     &err);
		if (e == 0)
			return 0;
		if (e < 0) {
			raw_fail(c, e == -ENOMEM ? e : -EPROTO, 0, "%s",
				 err.msg);
			return -1;
		}
		st = c->ws_resp.status;
		if (st != 101) {
			raw_fail(c, connect_error_errno(NULL, st), st,
				 "HTTP %d%s%s instead of 101 (WebSocket "
				 "upgrade refused)",
				 st, c->ws_resp.reason[0] ? " " : "",
				 c->ws_resp.reason);
			return -1;
		}
		ws_response_free(&c->ws_resp);
		c->ws_phase = WS_PH_OPEN;
		conn_established(c, wsi);
		in += used;
		len -= used;
	}
	if (c->ws_phase != WS_PH_OPEN || !len)
		return 0;
	e = ws_parser_feed(&c->ws_rx, in, len, raw_frame, c, &err);
	if (e < 0) {
		util_log_warn("room: %s: %s", c->url, err.msg);
		return raw_fail_connection(c, wsi, e);
	}
	if (c->ws_close_after && !c->ws_ctl_len)
		return -1; /* the close handshake is complete */
	if (c->ws_ctl_len)
		lws_callback_on_writable(wsi);
	return 0;
}

/*
 * Writes the upgrade request, or a batch of frames: a pending control
 * frame, then as many queued packets as fit into ROOM_WS_TX_MAX (each
 * one masked binary frame, in order), then our close when closing and
 * the queue is empty, all in one lws_write.
 */
static int raw_writeable(struct room_client *c, struct lws *wsi)
{
	struct room_out *o;
	uint8_t *p;
	size_t n = 0;
	bool close = false, more;

	if (c->ws_phase == WS_PH_REQUEST) {
		n = c->ws_req.len - LWS_PRE;
		if (lws_write(wsi, c->ws_req.data + LWS_PRE, n, LWS_WRITE_RAW) <
		    (int)n)
			return -1;
		c->ws_phase = WS_PH_RESPONSE;
		return 0;
	}
	if (c->ws_phase != WS_PH_OPEN)
		return 0;
	p = c->ws_tx + LWS_PRE;
	if (c->ws_ctl_len) {
		memcpy(p, c->ws_ctl, c->ws_ctl_len);
		n = c->ws_ctl_len;
		c->ws_ctl_len = 0;
	}
	if (c->ws_close_after) {
		/* our answer to the server's close: then hang up */
		if (n)
			lws_write(wsi, p, n, LWS_WRITE_RAW);
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	while ((o = c->out_head)) {
		struct proto_packet *pk = &o->p.v[o->i];
		size_t need = WS_FRAME_HDR_MAX + pk->len;

		if (n + need > c->ws_tx_cap) {
			uint8_t *t;

			if (n)
				break;
			/* a packet larger than a batch: its own buffer */
			t = realloc(c->ws_tx, LWS_PRE + need + WS_TX_SLACK);
			if (!t) {
				pthread_mutex_unlock(&c->lock);
				return -1;
			}
			c->ws_tx = t;
			c->ws_tx_cap = need;
			p = c->ws_tx + LWS_PRE;
		}
		/* the packet's LWS_PRE headroom is not needed here */
		n += ws_frame_build(p + n, WS_OP_BINARY, pk->data, pk->len,
				    ws_rng_next(&c->ws_rng));
		out_sent_locked(c, o);
	}
	if (!c->out_head && c->closing && !c->close_sent) {
		c->close_sent = true;
		close = true;
	}
	more = c->out_head != NULL;
	pthread_mutex_unlock(&c->lock);
	if (close) /* 1000 "bye", as lws's close did; the peer answers */
		n += ws_frame_build(p + n, WS_OP_CLOSE,
				    "\x03\xe8"
				    "bye",
				    5, ws_rng_next(&c->ws_rng));
	if (n && lws_write(wsi, p, n, LWS_WRITE_RAW) < (int)n)
		return -1;
	if (more)
		lws_callback_on_writable(wsi);
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct room_client *c = ctx ? lws_context_user(ctx) : NULL;
	char why[160];
	int code, http, want;

	(void)user;
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = (unsigned char **)in;
		unsigned char *end = *p + len;

		if (lws_add_http_header_by_token(wsi,
						 WSI_TOKEN_HTTP_AUTHORIZATION,
						 (const unsigned char *)c->auth,
						 (int)strlen(c->auth), p, end))
			return -1;
		return 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		conn_established(c, wsi);
		return 0;
	case LWS_CALLBACK_RAW_CONNECTED:
		c->raw_live = true;
		c->ws_phase = WS_PH_REQUEST;
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RAW_RX:
		if (!c->raw_live)
			return -1;
		return raw_rx(c, wsi, in, len);
	case LWS_CALLBACK_RAW_WRITEABLE:
		if (!c->raw_live)
			return 0;
		return raw_writeable(c, wsi);
	case LWS_CALLBACK_RAW_CLOSE:
		if (!c->raw_live)
			return 0;
		c->raw_live = false;
		if (c->ws_phase != WS_PH_OPEN) {
			/* the upgrade failed: as CLIENT_CONNECTION_ERROR */
			if (!c->ws_fail[0])
				raw_fail(c, -ECONNREFUSED, 0,
					 "connection closed during the "
					 "WebSocket handshake");
			on_down(c, c->ws_fail_e, 0, c->ws_fail_http,
				c->ws_fail);
			return 0;
		}
		conn_closed(c);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof(why), "%.*s", in ? (int)len : 0,
			 in ? (const char *)in : "");
		if (!why[0])
			snprintf(why, sizeof(why), "connect failed");
		http = http_status_of(wsi, why);
		on_down(c, connect_error_errno(why, http), 0, http, why);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		code = len >= 2 ? ((const unsigned char *)in)[0] << 8 |
					  ((const unsigned char *)in)[1] :
				  1005;
		pthread_mutex_lock(&c->lock);
		c->peer_close = code; /* for CLIENT_CLOSED */
		pthread_mutex_unlock(&c->lock);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		conn_closed(c);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(c, in, len,
				  lws_is_final_fragment(wsi) &&
					  !lws_remaining_packet_payload(wsi));
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_WSI_DESTROY:
		/* an attempt that ended without CONNECTION_ERROR or CLOSED
		 * must still lead to the next one */
		if (c->attempt_live && (!c->attempt || c->attempt == wsi))
			on_down(c, -ECONNREFUSED, 0, 0, "connection failed");
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		pthread_mutex_lock(&c->lock);
		want = c->wsi &&
		       (c->out_head || (c->closing && !c->close_sent));
		wsi = c->wsi;
		pthread_mutex_unlock(&c->lock);
		if (want)
			lws_callback_on_writable(wsi);
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{
		.name = "meshagent-room",
		.callback = callback,
		.per_session_data_size = 0,
		.rx_buffer_size = 65536,
		/* lws_issue_raw sends at most this per call: a whole batch */
		.tx_packet_size = LWS_PRE + ROOM_WS_TX_MAX + WS_TX_SLACK,
	},
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static int start_connect(struct room_client *c)
{
	struct lws_client_connect_info i;
	struct lws *w;
	char host[300];

	memset(&i, 0, sizeof(i));
	if ((c->tls && c->port == 443) || (!c->tls && c->port == 80))
		snprintf(host, sizeof(host), "%s", c->host);
	else
		snprintf(host, sizeof(host), "%s:%d", c->host, c->port);
	i.context = c->ctx;
	i.address = c->host;
	i.port = c->port;
	i.path = c->path;
	i.host = host;
	i.origin = host;
	i.ssl_connection = c->tls ? LCCSCF_USE_SSL : 0;
	i.protocol = NULL; /* no subprotocol, as TS 0.39.9 */
	/*
	 * ws:// is a RAW connection with our WebSocket layer.  wss:// stays
	 * with lws's ws client role: a RAW client connection with
	 * LCCSCF_USE_SSL never becomes usable in lws 4.1.6 (tried: the
	 * attempt ends in "connection failed").  Reading the source,
	 * lws_client_connect_via_info starts TLS on the socket before it is
	 * connected, and lws_client_connect_4_established moves a RAW
	 * connection to an HTTP client state after its TLS handshake instead
	 * of reporting RAW_CONNECTED.
	 */
	c->raw = !c->tls;
	if (c->raw) {
		if (raw_reset(c, host) < 0)
			return -ENOMEM;
		i.method = "RAW";
	}
	i.local_protocol_name = protocols[0].name;
	i.opaque_user_data = c;
	/* lws copies what it needs during the call; it may report a
	 * failure (CONNECTION_ERROR) before returning */
	c->attempt_live = true;
	c->attempt = NULL;
	c->attempt_deadline = util_monotonic_ms() + c->cfg.timeout_ms;
	c->attempt_timed_out = false;
	w = lws_client_connect_via_info(&i);
	if (!w) {
		c->attempt_live = false;
		return -ECONNREFUSED;
	}
	if (c->attempt_live)
		c->attempt = w;
	return 0;
}

static void *net_main(void *arg)
{
	struct room_client *c = arg;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		if (c->stop) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		pthread_mutex_unlock(&c->lock);
		if (lws_service(c->ctx, 0) < 0)
			break;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Public: connect / close / accessors
 * --------------------------------------------------------------------- */

void room_config_init(struct room_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = ROOM_DEFAULT_TIMEOUT_MS;
	cfg->backoff_min_ms = ROOM_DEFAULT_BACKOFF_MIN_MS;
	cfg->backoff_max_ms = ROOM_DEFAULT_BACKOFF_MAX_MS;
}

static void lws_log_emit(int level, const char *line)
{
	char buf[512];
	size_t n;

	/* lws's log is process-wide: meshfs embeds a server whose lws 4.1
	 * logs every adopted socket at error level (see srv.c) */
	if (strstr(line, "adopt_socket_readbuf"))
		return;
	snprintf(buf, sizeof(buf), "%s", line);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	util_log(level == LLL_ERR ? UTIL_LOG_ERROR : UTIL_LOG_WARN, "lws: %s",
		 buf);
}

/* Splits url into scheme/host/port/path and adds the token. */
static int parse_url(struct room_client *c, struct util_error *err)
{
	const char *u = c->url, *h, *slash, *colon, *q;
	size_t hl;
	struct util_buf b;

	if (!strncmp(u, "wss://", 6) || !strncmp(u, "https://", 8)) {
		c->tls = true;
		c->port = 443;
	} else if (!strncmp(u, "ws://", 5) || !strncmp(u, "http://", 7)) {
		c->tls = false;
		c->port = 80;
	} else {
		util_error_set(err, -1,
			       "room URL %s: expected ws://, wss://, http:// "
			       "or https://",
			       u);
		return -EINVAL;
	}
	h = strstr(u, "://") + 3;
	slash = strchr(h, '/');
	if (!slash)
		slash = h + strlen(h);
	hl = (size_t)(slash - h);
	if (h[0] == '[') { /* [v6]:port */
		const char *rb = memchr(h, ']', hl);

		if (!rb) {
			util_error_set(err, -1, "room URL %s: bad host", u);
			return -EINVAL;
		}
		c->host = strndup(h + 1, (size_t)(rb - h - 1));
		colon = rb + 1 < slash && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(h, ':', hl);
		c->host = strndup(h, colon ? (size_t)(colon - h) : hl);
	}
	if (!c->host)
		return -ENOMEM;
	if (!c->host[0]) {
		util_error_set(err, -1, "room URL %s: no host", u);
		return -EINVAL;
	}
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (end != slash || p <= 0 || p > 65535) {
			util_error_set(err, -1, "room URL %s: bad port", u);
			return -EINVAL;
		}
		c->port = (int)p;
	}
	if (!*slash || !strstr(slash, "/rooms/") ||
	    !strstr(slash, "/rooms/")[7] ||
	    strstr(slash, "/rooms/")[7] == '?') {
		util_error_set(err, -1,
			       "room URL %s: expected a /rooms/<room> path", u);
		return -EINVAL;
	}
	/* url.searchParams.set("token", jwt): replaces a token= there */
	util_buf_init(&b);
	q = strchr(slash, '?');
	if (!q) {
		util_buf_put_str(&b, slash);
		util_buf_put_str(&b, "?token=");
	} else {
		const char *p = q + 1;
		bool first = true;

		util_buf_put(&b, slash, (size_t)(q - slash));
		util_buf_put_str(&b, "?");
		while (*p) {
			const char *amp = strchr(p, '&');
			size_t n = amp ? (size_t)(amp - p) : strlen(p);

			if (n && strncmp(p, "token=", 6)) {
				if (!first)
					util_buf_put_str(&b, "&");
				util_buf_put(&b, p, n);
				first = false;
			}
			p += n + (amp ? 1 : 0);
		}
		util_buf_put_str(&b, first ? "token=" : "&token=");
	}
	util_buf_put_str(&b, c->token);
	util_buf_put_u8(&b, 0);
	if (util_buf_error(&b) < 0) {
		util_buf_free(&b);
		return -ENOMEM;
	}
	c->path = (char *)b.data;
	if (asprintf(&c->auth, "Bearer %s", c->token) < 0) {
		c->auth = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void client_free(struct room_client *c)
{
	struct room_doc *d;

	if (!c)
		return;
	if (c->ctx)
		lws_context_destroy(c->ctx);
	out_drop_locked(c);
	while ((d = c->docs)) {
		c->docs = d->next;
		/* documents still open are invalid after close (client.h) */
		room_doc_free(d);
	}
	while (c->retired) {
		struct room_retired *r = c->retired;

		c->retired = r->next;
		free(r->s);
		free(r);
	}
	proto_reader_free(&c->reader);
	util_buf_free(&c->rx);
	ws_response_free(&c->ws_resp);
	ws_parser_free(&c->ws_rx);
	util_buf_free(&c->ws_req);
	free(c->ws_tx);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c->url);
	free(c->token);
	free(c->ca_file);
	free(c->host);
	free(c->path);
	free(c->auth);
	free(c->participant_id);
	free(c->room);
	free(c);
}

int room_client_connect(struct room_client **out, const struct room_config *cfg,
			struct util_error *err)
{
	struct lws_context_creation_info info;
	struct room_client *c;
	pthread_condattr_t ca;
	struct timespec ts;
	int e;

	*out = NULL;
	if (!cfg || !cfg->url || !cfg->token || !cfg->token[0]) {
		util_error_set(err, -1, "room connect: %s is required",
			       !cfg || !cfg->url ? "a room URL" : "a token");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	if (c->cfg.timeout_ms <= 0)
		c->cfg.timeout_ms = ROOM_DEFAULT_TIMEOUT_MS;
	if (c->cfg.backoff_min_ms <= 0)
		c->cfg.backoff_min_ms = ROOM_DEFAULT_BACKOFF_MIN_MS;
	if (c->cfg.backoff_max_ms < c->cfg.backoff_min_ms)
		c->cfg.backoff_max_ms = c->cfg.backoff_min_ms;
	c->backoff_ms = c->cfg.backoff_min_ms;
	c->url = strdup(cfg->url);
	c->token = strdup(cfg->token);
	c->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	c->cfg.url = c->url;
	c->cfg.token = c->token;
	c->cfg.ca_file = c->ca_file;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	c->out_tail = &c->out_head;
	proto_reader_init(&c->reader, NULL);
	util_buf_init(&c->rx);
	ws_response_init(&c->ws_resp);
	ws_parser_init(&c->ws_rx, ROOM_WS_MAX_MESSAGE);
	util_buf_init(&c->ws_req);
	c->state = ROOM_CONNECTING;
	if (!c->url || !c->token || (cfg->ca_file && !c->ca_file)) {
		e = -ENOMEM;
		goto fail;
	}
	e = parse_url(c, err);
	if (e < 0)
		goto fail;

	lws_set_log_level(
		LLL_ERR | (util_log_enabled(UTIL_LOG_DEBUG) ? LLL_WARN : 0),
		lws_log_emit);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = c;
	info.gid = -1;
	info.uid = -1;
	info.pt_serv_buf_size = ROOM_WS_RX_MAX; /* bytes per read */
	/* the client TLS context (and its CA store) only for wss: lws
	 * makes one per context when asked to init TLS */
	if (c->tls) {
		info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.client_ssl_ca_filepath = c->ca_file;
	}
	/* pings are answered by lws; a dead peer is found by TCP or by
	 * our request timeouts */
	c->ctx = lws_create_context(&info);
	if (!c->ctx) {
		util_error_set(err, -1, "cannot create the WebSocket context%s",
			       c->ca_file ? " (bad CA file?)" : "");
		e = c->ca_file ? -EINVAL : -ENOMEM;
		goto fail;
	}
	if (start_connect(c) < 0) {
		/* lws may already have reported the error (CONNECTION_ERROR
		 * runs inside the call) */
		pthread_mutex_lock(&c->lock);
		e = c->state_err < 0 ? c->state_err : -ECONNREFUSED;
		pthread_mutex_unlock(&c->lock);
		util_error_set(err, -1, "cannot connect to %s: %s", c->url,
			       c->state_msg[0] ? c->state_msg :
						 "connect failed");
		goto fail;
	}
	lws_sul_schedule(c->ctx, 0, &c->tick, tick_cb, TICK_US);
	e = pthread_create(&c->thread, NULL, net_main, c);
	if (e) {
		e = -e;
		goto fail;
	}
	c->thread_started = true;

	room_deadline(c, &ts);
	pthread_mutex_lock(&c->lock);
	while (c->state == ROOM_CONNECTING)
		if (room_wait_until(c, &ts) == -ETIMEDOUT)
			break;
	if (c->state == ROOM_CONNECTED) {
		e = 0;
	} else if (c->state == ROOM_CONNECTING) {
		e = -ETIMEDOUT;
		util_error_set(err, -1,
			       "cannot connect to %s: no answer within "
			       "%d ms",
			       c->url, c->cfg.timeout_ms);
	} else {
		e = c->state_err < 0 ? c->state_err : -ECONNREFUSED;
		util_error_set(err, -1, "cannot connect to %s: %s%s", c->url,
			       c->state_msg,
			       e == -EACCES ? " (permission denied)" :
			       e == -ENOENT ? " (no such room)" :
					      "");
	}
	pthread_mutex_unlock(&c->lock);
	if (e < 0) {
		c->cfg.on_state = NULL;
		room_client_close(c);
		return e;
	}
	*out = c;
	return 0;
fail:
	client_free(c);
	return e;
}

void room_client_close(struct room_client *c)
{
	struct timespec ts;
	struct room_doc *d;

	if (!c)
		return;
	/* every open document: its last close (bounded by the timeout) */
	for (;;) {
		pthread_mutex_lock(&c->lock);
		for (d = c->docs; d && d->closing; d = d->next)
			;
		if (d)
			d->refs = 1;
		pthread_mutex_unlock(&c->lock);
		if (!d)
			break;
		room_doc_close(d);
	}
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	room_wake(c);
	/* the close handshake: bounded, the server may be stopped */
	room_deadline(c, &ts);
	if (c->cfg.timeout_ms > 2000) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts_add_ms(&ts, 2000);
	}
	while (c->wsi && c->thread_started)
		if (room_wait_until(c, &ts) == -ETIMEDOUT)
			break;
	c->stop = true;
	c->state = ROOM_CLOSED;
	pthread_mutex_unlock(&c->lock);
	room_wake(c);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	client_free(c);
}

enum room_conn_state room_client_state(const struct room_client *c)
{
	enum room_conn_state st;

	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	st = c->state;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return st;
}

const char *room_client_participant_id(const struct room_client *c)
{
	return c->participant_id;
}

const char *room_client_room(const struct room_client *c)
{
	return c->room;
}

int room_client_timeout(const struct room_client *c)
{
	return c->cfg.timeout_ms;
}
