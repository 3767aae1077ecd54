/* SPDX-License-Identifier: MIT */
/*
 * doc.c - live documents (client.h §4): a Yjs replica per open path,
 * ref-counted like the SDK's SyncClient, kept in sync over one sync.open
 * stream (spec §9.5).
 *
 * Local transactions are captured by a y_doc update subscriber into the
 * document's outgoing queue and sent one sync chunk at a time, each after
 * the previous chunk's __response__ (the pacing of TS 0.39.9); what was
 * queued meanwhile goes out merged into one update.  An update leaves the
 * queue only when the server acked it, so a lost connection loses
 * nothing: on reconnect a new stream is opened with our state vector and
 * the queue is sent again (DESIGN.md decision 7).  A refused update (error response) drops the queue and the
 * replica is rebuilt from the server's full state in a fresh y_doc.
 *
 * Deliberate difference from TS: updates that come from the server are
 * applied without being echoed back (TS re-sends every remote update that
 * carried something new, spec §9.5); the server has them already.
 */
#define _GNU_SOURCE /* asprintf, strptime, timegm */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mesh.h"
#include "yjs.h"

/* snprintf that may cut (messages are one line of at most n bytes). */
static void set_msg(char *dst, size_t n, const char *fmt, ...)
	UTIL_PRINTF(3, 4);
static void set_msg(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Local update capture
 * --------------------------------------------------------------------- */

static void touch(struct room_doc *d)
{
	atomic_fetch_add(&d->revision, 1);
	atomic_store(&d->mtime_ms, util_time_ms());
}

/* Appends a copy of an update to the queue.  c->lock held. */
static int queue_update_locked(struct room_client *c, struct room_doc *d,
			       const uint8_t *update, size_t len)
{
	struct room_update *u;

	if (len > SIZE_MAX - sizeof(*u) || !(u = malloc(sizeof(*u) + len)))
		return -ENOMEM;
	memset(u, 0, sizeof(*u));
	memcpy(u->data, update, len);
	u->seq = ++d->next_seq;
	u->len = len;
	*d->utail = u;
	d->utail = &u->next;
	room_docs_pump_locked(c);
	return 0;
}

/* y_doc update subscriber (Y_UPDATE_REMOTE_BARE: an applied update comes
 * without its bytes); runs with d->lock held. */
static void on_update(void *ctx, const uint8_t *update, size_t len, bool local,
		      void *origin)
{
	struct room_doc *d = ctx;
	struct room_client *c = d->c;
	int e;

	(void)origin;
	if (!local) {
		/* not echoed back: see the top of the file */
		d->remote_changed = true;
		return;
	}
	touch(d);
	pthread_mutex_lock(&c->lock);
	e = queue_update_locked(c, d, update, len);
	pthread_mutex_unlock(&c->lock);
	if (e < 0)
		util_log_error("room: %s: out of memory, a local edit is lost",
			       d->path);
}

static void updates_drop_locked(struct room_doc *d)
{
	struct room_update *u;

	while ((u = d->uhead)) {
		d->uhead = u->next;
		free(u);
	}
	d->utail = &d->uhead;
}

/* ---------------------------------------------------------------------
 * Sending (c->lock held)
 * --------------------------------------------------------------------- */

static void req_noop(struct room_client *c, struct room_req *r)
{
	(void)c;
	(void)r;
}

static void sync_done(struct room_client *c, struct room_req *r)
{
	struct room_doc *d = r->ctx;
	struct room_update *u;
	struct util_error err;
	bool refused;

	if (!d)
		return; /* the document is gone */
	d->in_flight = false;
	u = d->uhead;
	/* the chunk carried the queue from the head up to seq r->seq */
	if (!u || u->seq > r->seq)
		return; /* dropped meanwhile (refusal) */
	if (r->err) {
		/* sent again on the next stream */
		for (; u && u->seq <= r->seq; u = u->next)
			u->sent = false;
		return;
	}
	util_error_clear(&err);
	refused = room_content_errno(&r->resp, &err) < 0;
	if (refused && u->seq != r->seq) {
		/*
		 * A merged chunk refused: the server has none of it.  Send
		 * its updates one at a time, so that those before the bad
		 * one are kept, as if they had never been merged.
		 */
		util_log_debug("room: %s: merged update refused (%s), "
			       "sending its parts one by one",
			       d->path, err.msg);
		for (; u && u->seq <= r->seq; u = u->next)
			u->sent = false;
		d->no_merge = true;
		d->await_close = true;
		return;
	}
	if (refused) {
		/*
		 * Refused: the replica holds an edit the server will never
		 * have.  Drop the queue (later edits were built on it) and
		 * rebuild from the server's state when its close arrives.
		 */
		util_log_warn("room: %s: update refused: %s", d->path, err.msg);
		set_msg(d->refused_msg, sizeof(d->refused_msg), "%s: %s",
			d->path, err.msg);
		d->refused_upto = d->next_seq;
		d->resolved = d->next_seq;
		updates_drop_locked(d);
		d->no_merge = false;
		d->await_close = true;
		d->rebuild = true;
		pthread_cond_broadcast(&c->cond);
		return;
	}
	while ((u = d->uhead) && u->seq <= r->seq) {
		d->uhead = u->next;
		free(u);
	}
	if (!d->uhead) {
		d->utail = &d->uhead;
		d->no_merge = false;
	}
	d->resolved = r->seq;
	pthread_cond_broadcast(&c->cond);
}

/*
 * Edits queued while a chunk was in flight go out as one update
 * (y_merge_updates): the pacing stays TS's, one sync chunk in flight per
 * document, but a burst of edits costs one round trip, not one each.  The
 * queue keeps the parts until the chunk is acknowledged (sync_done).  At
 * most MERGE_MAX bytes of updates are merged (256 KiB of base64), so
 * that a chunk stays far below the message limit.  Returns the merged
 * update (*last: the last update in it), or NULL to send the head alone
 * (nothing to merge, or no memory).
 */
#define MERGE_MAX (192u << 10)

static uint8_t *merge_queue(struct room_doc *d, size_t *len,
			    struct room_update **last)
{
	struct room_update *u = d->uhead, *x;
	const uint8_t **v;
	uint8_t *m = NULL;
	size_t k = 0, total = 0, i, *vn;

	*last = u;
	if (d->no_merge)
		return NULL;
	for (x = u; x && total + x->len <= MERGE_MAX; x = x->next) {
		total += x->len;
		*last = x;
		k++;
	}
	if (k < 2)
		return NULL;
	v = calloc(k, sizeof(*v));
	vn = calloc(k, sizeof(*vn));
	if (v && vn) {
		for (i = 0, x = u; i < k; i++, x = x->next) {
			v[i] = x->data;
			vn[i] = x->len;
		}
		if (y_merge_updates(&m, len, v, vn, k, NULL) < 0)
			m = NULL;
	}
	free(vn);
	free(v);
	if (!m)
		*last = u;
	return m;
}

void room_docs_pump_locked(struct room_client *c)
{
	struct proto_content cont;
	struct room_doc *d;
	struct room_update *u, *last, *x;
	struct room_req *r;
	uint8_t *merged;
	char *b64 = NULL;
	size_t mlen = 0, n;
	cJSON *h;

	if (c->state != ROOM_CONNECTED || !c->wsi)
		return;
	for (d = c->docs; d; d = d->next) {
		if (d->st != DOC_STREAM_OPEN || d->stream_gen != c->gen ||
		    d->in_flight || d->await_close || !(u = d->uhead))
			continue;
		merged = merge_queue(d, &mlen, &last);
		/* the chunk's payload is the update in base64 */
		if (util_base64_encode(&b64, &n, UTIL_BASE64_STD,
				       merged ? merged : u->data,
				       merged ? mlen : u->len) < 0)
			goto next;
		h = cJSON_CreateObject();
		if (!h || !cJSON_AddStringToObject(h, "kind", "sync")) {
			cJSON_Delete(h);
			goto next;
		}
		/* the payload is a view until the chunk is encoded */
		if (proto_content_binary(&cont, h, b64, n) < 0)
			goto next; /* h freed by the constructor */
		r = calloc(1, sizeof(*r));
		if (r) {
			r->fn = sync_done;
			r->ctx = d;
			r->seq = last->seq;
			if (room_send_chunk_locked(c, r, d->tool_call_id,
						   &cont) < 0) {
				free(r);
			} else {
				for (x = u; x != last->next; x = x->next)
					x->sent = true;
				d->in_flight = true;
			}
		}
		proto_content_free(&cont);
next:
		free(b64);
		b64 = NULL;
		free(merged);
	}
}

/* An error answer to the invoke or the start chunk fails the open. */
static void open_step_done(struct room_client *c, struct room_req *r)
{
	struct room_doc *d = r->ctx;
	struct util_error err;
	int e;

	if (!d || r->err || d->stream_gen != r->gen)
		return;
	util_error_clear(&err);
	e = room_content_errno(&r->resp, &err);
	if (e < 0 && d->st == DOC_STREAM_OPENING) {
		if (!d->opened && !d->open_err) {
			d->open_err = e;
			set_msg(d->open_msg, sizeof(d->open_msg), "%s",
				err.msg);
		}
		d->st = DOC_STREAM_CLOSED;
		pthread_cond_broadcast(&c->cond);
	}
}

/* The start chunk's answer: as above, and sync chunks may follow (TS
 * sends the next request chunk only after the previous one's answer). */
static void start_done(struct room_client *c, struct room_req *r)
{
	struct room_doc *d = r->ctx;

	open_step_done(c, r);
	if (d && d->stream_gen == r->gen)
		d->in_flight = false;
}

int room_doc_start_stream_locked(struct room_client *c, struct room_doc *d,
				 const char *vector)
{
	struct proto_invoke inv = { 0 };
	struct proto_content start;
	struct room_req *ri = NULL, *rs = NULL;
	cJSON *h = NULL, *hs = NULL;
	int e;

	if (c->state != ROOM_CONNECTED || !c->wsi)
		return -ENOTCONN;
	e = proto_tool_call_id(d->tool_call_id);
	if (e < 0)
		return e;
	inv.toolkit = "sync";
	inv.tool = "open";
	inv.tool_call_id = d->tool_call_id;
	proto_content_control_open(&inv.arguments);
	h = proto_invoke_to_json(&inv);
	hs = cJSON_CreateObject();
	ri = calloc(1, sizeof(*ri));
	rs = calloc(1, sizeof(*rs));
	e = -ENOMEM;
	if (!h || !hs || !ri || !rs)
		goto out;
	/* all seven keys, in TS order (spec §9.5) */
	if (!cJSON_AddStringToObject(hs, "kind", "start") ||
	    !cJSON_AddStringToObject(hs, "path", d->path) ||
	    !cJSON_AddBoolToObject(hs, "create", d->create) ||
	    !(vector ? cJSON_AddStringToObject(hs, "vector", vector) :
		       cJSON_AddNullToObject(hs, "vector")) ||
	    !cJSON_AddNullToObject(hs, "schema") ||
	    !cJSON_AddNullToObject(hs, "schema_path") ||
	    !cJSON_AddNullToObject(hs, "initial_json"))
		goto out;
	e = proto_content_binary(&start, hs, NULL, 0);
	hs = NULL; /* taken */
	if (e < 0)
		goto out;
	ri->fn = open_step_done;
	ri->ctx = d;
	rs->fn = start_done;
	rs->ctx = d;
	e = room_send_request_locked(c, ri, PROTO_TYPE_INVOKE, h, NULL, 0);
	if (e == 0) {
		ri = NULL;
		e = room_send_chunk_locked(c, rs, d->tool_call_id, &start);
		if (e == 0)
			rs = NULL;
	}
	proto_content_free(&start);
	if (e == 0) {
		d->stream_gen = c->gen;
		d->st = DOC_STREAM_OPENING;
		d->in_flight = true; /* the start chunk */
	}
out:
	cJSON_Delete(h);
	cJSON_Delete(hs);
	free(ri);
	free(rs);
	return e;
}

/* ---------------------------------------------------------------------
 * Receiving (network thread, c->busy_doc == d)
 * --------------------------------------------------------------------- */

static void call_listeners(struct room_client *c, struct room_doc *d)
{
	struct room_listener *v = NULL;
	size_t n, i;

	pthread_mutex_lock(&c->lock);
	n = d->nlisteners;
	if (n) {
		v = malloc(n * sizeof(*v));
		if (v)
			memcpy(v, d->listeners, n * sizeof(*v));
		else
			n = 0;
	}
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n; i++)
		v[i].fn(v[i].ctx, d);
	free(v);
}

/* Base64 of d's state vector (d->lock NOT held), or NULL. */
static char *state_vector_b64(struct room_doc *d)
{
	uint8_t *sv = NULL;
	size_t n = 0;
	char *b64 = NULL;

	pthread_mutex_lock(&d->lock);
	if (y_doc_state_vector(&sv, &n, d->y) < 0)
		sv = NULL;
	pthread_mutex_unlock(&d->lock);
	if (sv && util_base64_encode(&b64, NULL, UTIL_BASE64_STD, sv, n) < 0)
		b64 = NULL;
	free(sv);
	return b64;
}

/* The server closed the stream: reopen it if the document lives on. */
static void on_stream_closed(struct room_client *c, struct room_doc *d)
{
	bool reopen, rebuild;
	char *vec = NULL;

	pthread_mutex_lock(&c->lock);
	reopen = d->opened && !d->closing && d->st == DOC_STREAM_OPEN &&
		 c->state == ROOM_CONNECTED;
	rebuild = d->rebuild;
	d->st = DOC_STREAM_CLOSED;
	d->in_flight = false;
	d->await_close = false;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (!reopen)
		return;
	if (!rebuild)
		vec = state_vector_b64(d);
	pthread_mutex_lock(&c->lock);
	if (!d->closing && room_doc_start_stream_locked(c, d, vec) < 0)
		util_log_warn("room: %s: cannot reopen the stream", d->path);
	pthread_mutex_unlock(&c->lock);
	free(vec);
}

/* Applies a state or sync payload (base64 text).  Returns true if it
 * changed the replica. */
static bool apply_payload(struct room_doc *d, const uint8_t *p, size_t n,
			  bool fresh, bool *ok)
{
	struct y_error yerr;
	struct util_error uerr;
	struct y_doc *y = NULL, *old = NULL;
	uint8_t *upd = NULL;
	size_t un = 0;
	bool changed = false;
	int sub = 0;

	*ok = false;
	util_error_clear(&uerr);
	if (n && util_base64_decode(&upd, &un, UTIL_BASE64_STD, (const char *)p,
				    n, &uerr) < 0) {
		util_log_warn("room: %s: bad base64 from the server: %s",
			      d->path, uerr.msg);
		return false;
	}
	if (fresh) {
		/* rebuild: a new replica from the server's full state */
		if (y_doc_new(&y, NULL) < 0)
			goto out;
		if (un && y_doc_apply_update(y, upd, un, &yerr) < 0) {
			util_log_warn("room: %s: bad state from the server: %s",
				      d->path, yerr.msg);
			goto out;
		}
		sub = y_doc_on_update_flags(y, on_update, d,
					    Y_UPDATE_REMOTE_BARE);
		if (sub < 0)
			goto out;
		pthread_mutex_lock(&d->lock);
		old = d->y;
		y_doc_off_update(old, d->sub);
		d->y = y;
		d->sub = sub;
		d->remote_changed = false;
		pthread_mutex_unlock(&d->lock);
		y = NULL;
		changed = true;
		*ok = true;
		goto out;
	}
	*ok = true;
	if (!un)
		goto out;
	pthread_mutex_lock(&d->lock);
	d->remote_changed = false;
	if (y_doc_apply_update(d->y, upd, un, &yerr) < 0) {
		util_log_warn("room: %s: bad update from the server: %s",
			      d->path, yerr.msg);
		*ok = false;
	}
	changed = d->remote_changed;
	d->remote_changed = false;
	pthread_mutex_unlock(&d->lock);
out:
	y_doc_free(y);
	y_doc_free(old);
	free(upd);
	return changed;
}

static void on_state_or_sync(struct room_client *c, struct room_doc *d,
			     struct room_chunk *ch)
{
	const cJSON *hd = ch->content.headers;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(hd, "kind");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(hd, "path");
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(hd, "schema");
	struct mesh_schema *ms = NULL;
	struct mesh_error merr;
	char *sj = NULL;
	bool state, first, fresh, changed, ok;

	if (!cJSON_IsString(kind) || !cJSON_IsString(path) ||
	    (strcmp(kind->valuestring, "state") &&
	     strcmp(kind->valuestring, "sync"))) {
		util_log_warn("room: %s: unexpected chunk from sync.open",
			      d->path);
		return;
	}
	if (strcmp(proto_sync_path_normalize(path->valuestring), d->path)) {
		util_log_warn("room: %s: sync.open stream returned a "
			      "mismatched path",
			      d->path);
		return;
	}
	state = !strcmp(kind->valuestring, "state");
	pthread_mutex_lock(&c->lock);
	first = !d->opened;
	fresh = state && d->rebuild && d->st == DOC_STREAM_OPENING;
	pthread_mutex_unlock(&c->lock);

	if (state && first) {
		mesh_error_clear(&merr);
		if (!cJSON_IsObject(schema) ||
		    mesh_schema_parse_cjson(&ms, schema, &merr) < 0 ||
		    !(sj = proto_json_print(schema, NULL))) {
			pthread_mutex_lock(&c->lock);
			d->open_err = -EPROTO;
			set_msg(d->open_msg, sizeof(d->open_msg),
				"%s: the server sent an unusable schema: %s%s%s",
				d->path, merr.path, merr.path[0] ? ": " : "",
				merr.msg);
			d->st = DOC_STREAM_CLOSED;
			pthread_cond_broadcast(&c->cond);
			pthread_mutex_unlock(&c->lock);
			mesh_schema_free(ms);
			return;
		}
	}
	changed = apply_payload(d, ch->content.payload, ch->content.payload_len,
				fresh, &ok);
	if (changed)
		touch(d);
	pthread_mutex_lock(&c->lock);
	if (state && d->st == DOC_STREAM_OPENING) {
		d->st = DOC_STREAM_OPEN;
		if (first) {
			d->schema = ms;
			d->schema_json = sj;
			ms = NULL;
			sj = NULL;
			d->opened = true;
		}
		if (fresh) {
			/* edits made on the refused replica are gone too */
			if (d->uhead) {
				d->refused_upto = d->next_seq;
				d->resolved = d->next_seq;
				updates_drop_locked(d);
			}
			d->rebuild = false;
			d->rebuilds++;
		}
		/* unacked updates go (again) on this stream, in order */
		room_docs_pump_locked(c);
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	mesh_schema_free(ms);
	free(sj);
	if (changed && !first)
		call_listeners(c, d);
}

void room_doc_on_chunk(struct room_client *c, struct room_doc *d,
		       struct room_chunk *ch)
{
	struct util_error err;
	int e;

	switch (ch->content.type) {
	case PROTO_CONTENT_ERROR:
		util_error_clear(&err);
		e = room_content_errno(&ch->content, &err);
		pthread_mutex_lock(&c->lock);
		if (!d->opened && !d->open_err) {
			d->open_err = e;
			set_msg(d->open_msg, sizeof(d->open_msg), "%s",
				err.msg);
			pthread_cond_broadcast(&c->cond);
		}
		pthread_mutex_unlock(&c->lock);
		if (d->opened)
			util_log_info("room: %s: %s", d->path, err.msg);
		break;
	case PROTO_CONTENT_CONTROL:
		if (ch->content.method == PROTO_CONTROL_CLOSE)
			on_stream_closed(c, d);
		break;
	case PROTO_CONTENT_BINARY:
		on_state_or_sync(c, d, ch);
		break;
	default:
		util_log_warn("room: %s: unexpected %s chunk from sync.open",
			      d->path,
			      proto_content_type_name(ch->content.type));
		break;
	}
	room_chunk_free(ch);
}

void room_docs_disconnected_locked(struct room_client *c)
{
	struct room_doc *d;

	for (d = c->docs; d; d = d->next) {
		d->st = DOC_STREAM_NONE;
		d->in_flight = false;
		d->await_close = false;
	}
}

void room_docs_reconnected(struct room_client *c)
{
	struct room_doc *d;
	char *vec;
	bool rebuild;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		for (d = c->docs; d; d = d->next)
			if (d->opened && !d->closing &&
			    (d->st == DOC_STREAM_NONE ||
			     d->st == DOC_STREAM_CLOSED))
				break;
		if (!d || c->state != ROOM_CONNECTED) {
			pthread_mutex_unlock(&c->lock);
			return;
		}
		c->busy_doc = d;
		rebuild = d->rebuild;
		pthread_mutex_unlock(&c->lock);
		vec = rebuild ? NULL : state_vector_b64(d);
		util_log_debug("room: %s: resync with vector %s", d->path,
			       vec ? vec : "null");
		pthread_mutex_lock(&c->lock);
		if (room_doc_start_stream_locked(c, d, vec) < 0) {
			util_log_warn("room: %s: cannot reopen the stream",
				      d->path);
			d->st = DOC_STREAM_OPENING; /* not again in this loop */
			d->stream_gen = 0;
		}
		c->busy_doc = NULL;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		free(vec);
	}
}

/* ---------------------------------------------------------------------
 * Public
 * --------------------------------------------------------------------- */

void room_doc_free(struct room_doc *d)
{
	if (!d)
		return;
	if (d->y) {
		y_doc_off_update(d->y, d->sub);
		y_doc_free(d->y);
	}
	updates_drop_locked(d);
	mesh_schema_free(d->schema);
	free(d->schema_json);
	free(d->listeners);
	free(d->path);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* Unlinks d, waits until the network thread is out of it, detaches its
 * requests.  c->lock held. */
static void doc_unlink_locked(struct room_client *c, struct room_doc *d)
{
	struct room_doc **pp;
	struct room_req *r;

	for (pp = &c->docs; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	for (r = c->reqs; r; r = r->next)
		if (r->ctx == d)
			r->ctx = NULL;
	while (c->busy_doc == d)
		pthread_cond_wait(&c->cond, &c->lock);
}

static struct room_doc *doc_find_locked(struct room_client *c, const char *path)
{
	struct room_doc *d;

	for (d = c->docs; d; d = d->next)
		if (!strcmp(d->path, path))
			return d;
	return NULL;
}

int room_doc_open(struct room_doc **out, struct room_client *c,
		  const char *path, bool create, struct util_error *err)
{
	struct room_doc *d;
	struct timespec ts;
	const char *norm;
	int e;

	*out = NULL;
	if (!c || !path) {
		util_error_set(err, -1, "room_doc_open: no path");
		return -EINVAL;
	}
	norm = proto_sync_path_normalize(path);
	if (!norm[0]) {
		util_error_set(err, -1, "%s: not a document path", path);
		return -EINVAL;
	}
	room_deadline(c, &ts);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		d = doc_find_locked(c, norm);
		if (!d)
			break;
		if (d->opened && !d->closing) {
			d->refs++;
			pthread_mutex_unlock(&c->lock);
			*out = d;
			return 0;
		}
		/* being opened or closed by another thread: wait */
		if (room_wait_until(c, &ts) == -ETIMEDOUT) {
			pthread_mutex_unlock(&c->lock);
			util_error_set(err, -1, "%s: no answer within %d ms",
				       norm, c->cfg.timeout_ms);
			return -ETIMEDOUT;
		}
	}
	if (c->state != ROOM_CONNECTED || c->closing) {
		pthread_mutex_unlock(&c->lock);
		util_error_set(err, -1, "%s: not connected to the room", norm);
		return -ENOTCONN;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(norm))) {
		free(d);
		pthread_mutex_unlock(&c->lock);
		return -ENOMEM;
	}
	d->c = c;
	d->refs = 1;
	d->create = create;
	d->utail = &d->uhead;
	pthread_mutex_init(&d->lock, NULL);
	atomic_store(&d->mtime_ms, util_time_ms());
	e = y_doc_new(&d->y, NULL);
	if (e == 0) {
		d->sub = y_doc_on_update_flags(d->y, on_update, d,
					       Y_UPDATE_REMOTE_BARE);
		e = d->sub < 0 ? d->sub : 0;
	}
	if (e == 0) {
		d->next = c->docs;
		c->docs = d;
		e = room_doc_start_stream_locked(c, d, NULL);
	}
	while (e == 0 && !d->opened && !d->open_err) {
		if (d->st != DOC_STREAM_OPENING) {
			e = -ENOTCONN;
			util_error_set(err, -1, "%s: connection lost", norm);
			break;
		}
		if (room_wait_until(c, &ts) == -ETIMEDOUT && !d->opened &&
		    !d->open_err) {
			e = -ETIMEDOUT;
			util_error_set(err, -1, "%s: no answer within %d ms",
				       norm, c->cfg.timeout_ms);
		}
	}
	if (e == 0 && d->open_err) {
		e = d->open_err;
		util_error_set(err, -1, "%s", d->open_msg);
	}
	if (e < 0) {
		doc_unlink_locked(c, d);
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		room_doc_free(d);
		return e;
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	*out = d;
	return 0;
}

void room_doc_close(struct room_doc *d)
{
	struct room_client *c;
	struct proto_content cl;
	struct room_req *r;
	struct timespec ts;

	if (!d)
		return;
	c = d->c;
	pthread_mutex_lock(&c->lock);
	if (--d->refs > 0) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	d->closing = true;
	room_deadline(c, &ts);
	/* local edits not yet acked go first (bounded) */
	while (d->uhead && d->st == DOC_STREAM_OPEN &&
	       c->state == ROOM_CONNECTED)
		if (room_wait_until(c, &ts) == -ETIMEDOUT)
			break;
	if (d->uhead)
		util_log_warn("room: %s: closed with local edits the server "
			      "has not acknowledged",
			      d->path);
	if ((d->st == DOC_STREAM_OPEN || d->st == DOC_STREAM_OPENING) &&
	    d->stream_gen == c->gen && c->state == ROOM_CONNECTED &&
	    proto_content_control_close(&cl, PROTO_CLOSE_NORMAL, NULL) == 0) {
		r = calloc(1, sizeof(*r));
		if (r) {
			r->fn = req_noop;
			if (room_send_chunk_locked(c, r, d->tool_call_id, &cl) <
			    0)
				free(r);
			else
				d->st = DOC_STREAM_CLOSING;
		}
		proto_content_free(&cl);
		/* until the server's control/close (spec §8.3.6) */
		while (d->st == DOC_STREAM_CLOSING &&
		       c->state == ROOM_CONNECTED && d->stream_gen == c->gen)
			if (room_wait_until(c, &ts) == -ETIMEDOUT)
				break;
	}
	doc_unlink_locked(c, d);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	room_doc_free(d);
}

const char *room_doc_path(const struct room_doc *d)
{
	return d->path;
}

const struct mesh_schema *room_doc_schema(const struct room_doc *d)
{
	return d->schema;
}

const char *room_doc_schema_json(const struct room_doc *d)
{
	return d->schema_json;
}

struct y_doc *room_doc_lock(struct room_doc *d)
{
	pthread_mutex_lock(&d->lock);
	return d->y;
}

void room_doc_unlock(struct room_doc *d)
{
	/* local transactions were captured by on_update as they ended */
	pthread_mutex_unlock(&d->lock);
}

uint64_t room_doc_revision(const struct room_doc *d)
{
	return atomic_load(&((struct room_doc *)d)->revision);
}

int64_t room_doc_mtime_ms(const struct room_doc *d)
{
	return atomic_load(&((struct room_doc *)d)->mtime_ms);
}

/* Waits until every seq <= target is resolved.  c->lock held. */
static int wait_resolved_locked(struct room_client *c, struct room_doc *d,
				uint64_t target, struct util_error *err)
{
	struct timespec ts;

	room_deadline(c, &ts);
	while (d->resolved < target) {
		if (c->state != ROOM_CONNECTED) {
			util_error_set(err, -1,
				       "%s: not connected; the edits stay "
				       "queued and are sent on reconnect",
				       d->path);
			return -ENOTCONN;
		}
		if (room_wait_until(c, &ts) == -ETIMEDOUT &&
		    d->resolved < target) {
			util_error_set(err, -1,
				       "%s: the server did not acknowledge "
				       "within %d ms",
				       d->path, c->cfg.timeout_ms);
			return -ETIMEDOUT;
		}
	}
	/*
	 * A refusal not reported yet: it may have arrived before this call
	 * (a fast server answers before the caller gets to flush), so it is
	 * compared with what was reported, not with the state at entry.
	 */
	if (d->refused_upto > d->refused_reported) {
		/* the replica is rebuilt from the server's state: wait for
		 * it (bounded), so the caller sees the server's document */
		while (d->rebuild && c->state == ROOM_CONNECTED)
			if (room_wait_until(c, &ts) == -ETIMEDOUT)
				break;
		d->refused_reported = d->refused_upto;
		util_error_set(err, -1, "%s", d->refused_msg);
		return -EINVAL;
	}
	return 0;
}

int room_doc_flush(struct room_doc *d, struct util_error *err)
{
	struct room_client *c = d->c;
	int e;

	pthread_mutex_lock(&c->lock);
	e = wait_resolved_locked(c, d, d->next_seq, err);
	pthread_mutex_unlock(&c->lock);
	return e;
}

bool room_doc_pending(const struct room_doc *d)
{
	struct room_client *c = d->c;
	bool p;

	pthread_mutex_lock(&c->lock);
	p = d->uhead != NULL;
	pthread_mutex_unlock(&c->lock);
	return p;
}

int room_doc_listen(struct room_doc *d, room_doc_change_fn fn, void *ctx)
{
	struct room_client *c = d->c;
	struct room_listener *v;
	int id;

	if (!fn)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	v = realloc(d->listeners, (d->nlisteners + 1) * sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&c->lock);
		return -ENOMEM;
	}
	d->listeners = v;
	id = ++d->next_listener;
	v[d->nlisteners].id = id;
	v[d->nlisteners].fn = fn;
	v[d->nlisteners].ctx = ctx;
	d->nlisteners++;
	pthread_mutex_unlock(&c->lock);
	return id;
}

void room_doc_unlisten(struct room_doc *d, int id)
{
	struct room_client *c = d->c;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < d->nlisteners; i++)
		if (d->listeners[i].id == id) {
			memmove(&d->listeners[i], &d->listeners[i + 1],
				(d->nlisteners - i - 1) *
					sizeof(*d->listeners));
			d->nlisteners--;
			break;
		}
	pthread_mutex_unlock(&c->lock);
}

int room_sync_push(struct room_client *c, const char *path,
		   const uint8_t *update, size_t len, struct util_error *err)
{
	struct room_doc *d;
	struct y_error yerr;
	uint64_t seq;
	int e;

	if (!path || (!update && len)) {
		util_error_set(err, -1, "room_sync_push: bad argument");
		return -EINVAL;
	}
	path = proto_sync_path_normalize(path);
	pthread_mutex_lock(&c->lock);
	d = doc_find_locked(c, path);
	if (!d || !d->opened || d->closing) {
		pthread_mutex_unlock(&c->lock);
		util_error_set(err, -1,
			       "%s: attempted to sync to a document that is "
			       "not open",
			       path);
		return -EBADF;
	}
	d->refs++; /* keeps it while we work without c->lock */
	pthread_mutex_unlock(&c->lock);

	pthread_mutex_lock(&d->lock);
	e = y_doc_apply_update(d->y, update, len, &yerr);
	if (e < 0) {
		pthread_mutex_unlock(&d->lock);
		util_error_set(err, -1, "%s: not a Yjs v1 update: %s", path,
			       yerr.msg);
		e = -EINVAL;
		goto out;
	}
	d->remote_changed = false;
	pthread_mutex_lock(&c->lock);
	e = queue_update_locked(c, d, update, len);
	seq = d->next_seq;
	pthread_mutex_unlock(&d->lock);
	touch(d);
	if (e == 0)
		e = wait_resolved_locked(c, d, seq, err);
	else
		util_error_set(err, -1, "out of memory");
	pthread_mutex_unlock(&c->lock);
out:
	room_doc_close(d);
	return e;
}
