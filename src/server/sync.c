/* SPDX-License-Identifier: MIT */
/*
 * sync.c - the `sync` toolkit (spec/protocol.md §9): create, describe and
 * the open stream (start / state / sync / close) over the room's
 * docstore (docstore.h), which does the real work: schema resolution,
 * validation, durability and fan-out.  This file maps the wire onto it.
 *
 * A sync chunk is answered (its __response__) only once its update is
 * durable: stream_chunk returns SRV_ANSWER_LATER and the docstore's done
 * callback, run in the loop thread by srv_defer, answers it.  A refused
 * update (schema violation, read-only grant, malformed bytes) is answered
 * with an error content: the TS SDK then ends its stream (and re-opens
 * nothing), the document and the other subscribers are not affected.
 *
 * Events: storage.file.updated for a document when it is created (once it
 * is on disk).  Saves (compactions) send none: they change nothing a
 * client could not already see through sync, and an event per save would
 * make every mounted client re-read the file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docstore.h"
#include "proto.h"
#include "srv.h"
#include "util.h"

/* One per server (srv_sync_init), reached through the toolkit's priv. */
struct sync_state {
	struct srv_toolkit tk; /* first: priv points at the state */
	struct srv *srv;
	struct srv_doc_committer *committer;
	struct srv_room **rooms; /* rooms with a docstore */
	size_t nrooms, caprooms;
};

/* One open stream (call->data). */
struct sync_stream {
	struct srv_doc_sub sub; /* first: the docstore hands it back */
	struct srv_call *call;
	char *path; /* normalised */
	char *echo; /* the path as the client sent it (echoed back) */
	cJSON *sync_headers; /* {"kind":"sync","path":...} */
	bool started;
	bool writable;
};

/* A chunk or request waiting for the disk. */
struct pending {
	struct srv_conn *conn; /* referenced */
	uint64_t msg_id;
	struct srv_room *room; /* created document: event when durable */
	char *event_path;
	char participant[37];
};

static struct sync_state *state_of(struct srv *srv)
{
	const struct srv_toolkit *tk = srv_toolkit_find(srv, "sync");

	return tk ? tk->priv : NULL;
}

static int defer_fn(void *ctx, void (*fn)(void *), void *arg)
{
	return srv_defer(ctx, fn, arg);
}

static void file_updated(struct srv_room *room, const char *path,
			 const char *participant)
{
	cJSON *h = cJSON_CreateObject();

	if (!h)
		return;
	cJSON_AddStringToObject(h, "path", path);
	cJSON_AddStringToObject(h, "participant_id", participant);
	srv_room_event(room, "storage.file.updated", h);
	cJSON_Delete(h);
}

static struct pending *pending_new(struct srv_conn *conn, uint64_t msg_id)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->conn = srv_conn_get(conn);
	p->msg_id = msg_id;
	return p;
}

static void pending_free(struct pending *p)
{
	srv_conn_put(p->conn);
	free(p->event_path);
	free(p);
}

/* Announces a created document once it is on disk. */
static void created_done(void *arg, int err)
{
	struct pending *p = arg;

	if (!err)
		file_updated(p->room, p->event_path, p->participant);
	pending_free(p);
}

static void announce_created(struct srv_docstore *ds, struct srv_conn *conn,
			     const char *path)
{
	struct pending *p = pending_new(conn, 0);

	if (!p)
		return;
	p->room = conn->room;
	p->event_path = strdup(path);
	memcpy(p->participant, conn->participant_id, sizeof(p->participant));
	if (!p->event_path || srv_doc_barrier(ds, created_done, p))
		pending_free(p);
}

/* sync.create answered once the new document is on disk. */
static void create_done(void *arg, int err)
{
	struct pending *p = arg;

	if (err)
		srv_respond_error(p->conn, p->msg_id,
				  PROTO_ERR_OPERATION_FAILED,
				  "cannot save document %s: %s", p->event_path,
				  strerror(-err));
	else
		srv_respond(p->conn, p->msg_id, NULL);
	created_done(p, err);
}

/* A sync chunk answered once its update is durable. */
static void chunk_done(void *arg, int err)
{
	struct pending *p = arg;

	if (err)
		srv_respond_error(p->conn, p->msg_id,
				  PROTO_ERR_OPERATION_FAILED,
				  "update not saved: %s", strerror(-err));
	else
		srv_respond(p->conn, p->msg_id, NULL);
	pending_free(p);
}

/* A client path -> normalised (NULL + error answered/sent on failure). */
static int norm_path(char **out, const cJSON *obj, const char *key,
		     bool required, char *why, size_t why_len)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) :
			       NULL;
	int r;

	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			snprintf(why, why_len, "'%s' is required", key);
		return required ? -EINVAL : 0;
	}
	if (!cJSON_IsString(v)) {
		snprintf(why, why_len, "'%s' must be a string", key);
		return -EINVAL;
	}
	r = srv_path_norm(out, v->valuestring);
	if (r) {
		snprintf(why, why_len, "invalid path: %s", v->valuestring);
		return r;
	}
	if (required && !**out) {
		free(*out);
		*out = NULL;
		snprintf(why, why_len, "a document path is required");
		return -EINVAL;
	}
	return 0;
}

static const cJSON *opt_obj(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return v && !cJSON_IsNull(v) ? v : NULL;
}

/* ---- non-streaming tools --------------------------------------------- */

static int do_create(struct srv_conn *conn, uint64_t msg_id, const cJSON *in)
{
	struct srv_docstore *ds = conn->room->docstore;
	struct srv_doc_open_req req = { .create = true, .exclusive = true };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	char *path = NULL, *spath = NULL, why[300];
	struct pending *p;
	int r;

	r = norm_path(&path, in, "path", true, why, sizeof(why));
	if (!r)
		r = norm_path(&spath, in, "schema_path", false, why,
			      sizeof(why));
	if (r) {
		srv_respond_error(conn, msg_id, PROTO_ERR_INVALID_REQUEST, "%s",
				  why);
		goto out;
	}
	if (!srv_conn_can(conn, SRV_SYNC, path, true)) {
		srv_respond_error(conn, msg_id, PROTO_ERR_PERMISSION_DENIED,
				  "permission denied: sync write %s", path);
		goto out;
	}
	req.path = path;
	req.schema = opt_obj(in, "schema");
	req.schema_path = spath;
	req.json = opt_obj(in, "json");
	r = srv_doc_open(&doc, NULL, ds, &req, &err);
	if (r) {
		srv_respond_error(conn, msg_id, err.code, "%s", err.text);
		goto out;
	}
	p = pending_new(conn, msg_id);
	if (p) {
		p->room = conn->room;
		p->event_path = strdup(path);
		memcpy(p->participant, conn->participant_id,
		       sizeof(p->participant));
	}
	if (!p || !p->event_path || srv_doc_barrier(ds, create_done, p)) {
		if (p)
			pending_free(p);
		srv_respond_error(conn, msg_id, PROTO_ERR_OPERATION_FAILED,
				  "out of memory");
	}
	srv_doc_put(doc);
out:
	free(path);
	free(spath);
	return 0;
}

static int do_describe(struct srv_conn *conn, uint64_t msg_id, const cJSON *in)
{
	struct srv_doc_open_req req = { 0 };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	cJSON *json = NULL;
	char *path = NULL, why[300];
	int r;

	r = norm_path(&path, in, "path", true, why, sizeof(why));
	if (r) {
		srv_respond_error(conn, msg_id, PROTO_ERR_INVALID_REQUEST, "%s",
				  why);
		return 0;
	}
	if (!srv_conn_can(conn, SRV_SYNC, path, false)) {
		srv_respond_error(conn, msg_id, PROTO_ERR_PERMISSION_DENIED,
				  "permission denied: sync read %s", path);
		goto out;
	}
	req.path = path;
	r = srv_doc_open(&doc, NULL, conn->room->docstore, &req, &err);
	if (r) {
		srv_respond_error(conn, msg_id, err.code, "%s", err.text);
		goto out;
	}
	r = srv_doc_describe(&json, doc);
	if (r)
		srv_respond_error(conn, msg_id, PROTO_ERR_OPERATION_FAILED,
				  "cannot render %s: %s", path, strerror(-r));
	else
		srv_respond_json(conn, msg_id, json);
	cJSON_Delete(json);
	srv_doc_put(doc);
out:
	free(path);
	return 0;
}

static int sync_invoke(struct srv_conn *conn, uint64_t msg_id, const char *tool,
		       const struct proto_content *args)
{
	const cJSON *in = NULL;

	if (strcmp(tool, "create") && strcmp(tool, "describe"))
		return -ENOSYS;
	if (args->type == PROTO_CONTENT_JSON && cJSON_IsObject(args->json))
		in = args->json;
	if (!in) {
		srv_respond_error(conn, msg_id, PROTO_ERR_INVALID_REQUEST,
				  "sync.%s expects a JSON object", tool);
		return 0;
	}
	if (!conn->room->docstore) {
		srv_respond_error(conn, msg_id, PROTO_ERR_OPERATION_FAILED,
				  "documents are not available in this room");
		return 0;
	}
	if (!strcmp(tool, "create"))
		return do_create(conn, msg_id, in);
	return do_describe(conn, msg_id, in);
}

/* ---- the open stream ------------------------------------------------- */

static void stream_on_update(struct srv_doc_sub *sub, struct srv_doc_update *u)
{
	struct sync_stream *s = (struct sync_stream *)sub;

	if (!u->b64 && util_base64_encode(&u->b64, &u->b64_len, UTIL_BASE64_STD,
					  u->data, u->len))
		return;
	srv_call_binary(s->call, s->sync_headers, u->b64, u->b64_len);
}

static void stream_on_gone(struct srv_doc_sub *sub)
{
	struct sync_stream *s = (struct sync_stream *)sub;

	srv_call_error(s->call, PROTO_ERR_NOT_FOUND,
		       "document %s was deleted, moved or replaced", s->path);
	srv_call_close(s->call);
}

static int sync_stream_open(struct srv_call *call)
{
	struct sync_stream *s;

	if (strcmp(call->tool, "open"))
		return -ENOSYS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->call = call; /* the call owns us: no reference needed */
	s->sub.on_update = stream_on_update;
	s->sub.on_gone = stream_on_gone;
	call->data = s;
	return 0;
}

static int stream_fail(struct srv_call *call, int code, const char *fmt, ...)
{
	char text[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	srv_call_error(call, code, "%s", text);
	srv_call_close(call);
	return 0;
}

static int stream_start(struct srv_call *call, const cJSON *h)
{
	struct sync_stream *s = call->data;
	struct srv_conn *conn = call->conn;
	struct srv_docstore *ds = conn->room->docstore;
	struct srv_doc_open_req req = { 0 };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	const cJSON *vec = opt_obj(h, "vector");
	uint8_t *sv = NULL, *state = NULL;
	size_t svn = 0, stn = 0;
	char *spath = NULL, *b64 = NULL, why[300];
	cJSON *hdr = NULL;
	bool created = false;
	size_t b64n = 0;
	int r;

	s->started = true;
	if (!ds)
		return stream_fail(call, PROTO_ERR_OPERATION_FAILED,
				   "documents are not available in this room");
	r = norm_path(&s->path, h, "path", true, why, sizeof(why));
	if (!r)
		r = norm_path(&spath, h, "schema_path", false, why,
			      sizeof(why));
	if (r)
		return stream_fail(call, PROTO_ERR_INVALID_REQUEST, "%s", why);
	s->echo = strdup(srv_json_str(h, "path"));
	s->sync_headers = cJSON_CreateObject();
	if (!s->echo || !s->sync_headers ||
	    !cJSON_AddStringToObject(s->sync_headers, "kind", "sync") ||
	    !cJSON_AddStringToObject(s->sync_headers, "path", s->echo)) {
		r = stream_fail(call, PROTO_ERR_OPERATION_FAILED,
				"out of memory");
		goto out;
	}
	if (!srv_conn_can(conn, SRV_SYNC, s->path, false)) {
		r = stream_fail(call, PROTO_ERR_PERMISSION_DENIED,
				"permission denied: sync read %s", s->path);
		goto out;
	}
	s->writable = srv_conn_can(conn, SRV_SYNC, s->path, true);
	req.path = s->path;
	req.create = srv_json_bool(h, "create", true);
	req.schema = opt_obj(h, "schema");
	req.schema_path = spath;
	req.json = opt_obj(h, "initial_json");
	if (req.create && !s->writable && !srv_doc_exists(ds, s->path)) {
		r = stream_fail(
			call, PROTO_ERR_PERMISSION_DENIED,
			"permission denied: cannot create %s (read-only)",
			s->path);
		goto out;
	}
	if (vec) {
		if (!cJSON_IsString(vec) ||
		    util_base64_decode(&sv, &svn, UTIL_BASE64_STD,
				       vec->valuestring,
				       strlen(vec->valuestring), NULL)) {
			r = stream_fail(
				call, PROTO_ERR_INVALID_REQUEST,
				"'vector' must be a base64 state vector");
			goto out;
		}
	}
	r = srv_doc_open(&doc, &created, ds, &req, &err);
	if (r) {
		r = stream_fail(call, err.code, "%s", err.text);
		goto out;
	}
	r = srv_doc_state(&state, &stn, doc, sv, svn);
	if (r == -EBADMSG) {
		r = stream_fail(call, PROTO_ERR_INVALID_REQUEST,
				"'vector' is not a valid state vector");
		goto out;
	}
	if (r) {
		r = stream_fail(call, PROTO_ERR_OPERATION_FAILED,
				"cannot read document %s: %s", s->path,
				strerror(-r));
		goto out;
	}
	hdr = cJSON_CreateObject();
	if (!hdr || !cJSON_AddStringToObject(hdr, "kind", "state") ||
	    !cJSON_AddStringToObject(hdr, "path", s->echo) ||
	    !cJSON_AddItemToObject(hdr, "schema",
				   cJSON_Duplicate(srv_doc_schema_json(doc),
						   true)) ||
	    util_base64_encode(&b64, &b64n, UTIL_BASE64_STD, state, stn)) {
		r = stream_fail(call, PROTO_ERR_OPERATION_FAILED,
				"out of memory");
		goto out;
	}
	srv_call_binary(call, hdr, b64, b64n);
	srv_doc_subscribe(doc, &s->sub);
	if (created)
		announce_created(ds, conn, s->path);
	r = 0;
out:
	if (doc)
		srv_doc_put(doc);
	cJSON_Delete(hdr);
	free(spath);
	free(sv);
	free(state);
	free(b64);
	return r;
}

/*
 * Refuses a sync chunk: the chunk's answer is the error, and so is the
 * stream's next chunk, followed by the close (the SDK surfaces the error
 * chunk; the client's replica has diverged, so its stream must end).
 */
static int refuse(struct sync_stream *s, uint64_t msg_id, int code,
		  const char *fmt, ...) UTIL_PRINTF(4, 5);

static int refuse(struct sync_stream *s, uint64_t msg_id, int code,
		  const char *fmt, ...)
{
	struct srv_call *call = s->call;
	char text[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	util_log_info("sync %s: update from %s refused: %s",
		      s->path ? s->path : "?", call->conn->participant_id,
		      text);
	srv_doc_unsubscribe(&s->sub);
	srv_respond_error(call->conn, msg_id, code, "%s", text);
	srv_call_error(call, code, "%s", text);
	srv_call_close(call);
	return SRV_ANSWER_LATER;
}

static int stream_sync(struct srv_call *call, uint64_t msg_id,
		       const struct proto_content *chunk)
{
	struct sync_stream *s = call->data;
	struct srv_conn *conn = call->conn;
	struct srv_doc_error err = { 0 };
	struct util_error uerr;
	struct pending *p;
	uint8_t *upd = NULL;
	size_t n = 0;
	int r;

	if (!s->started || !s->sub.doc)
		return refuse(s, msg_id, PROTO_ERR_INVALID_STATE,
			      "sync chunk before the document is open");
	if (!s->writable)
		return refuse(s, msg_id, PROTO_ERR_PERMISSION_DENIED,
			      "permission denied: %s is read-only", s->path);
	if (!chunk->payload_len)
		return 0;
	util_error_clear(&uerr);
	r = util_base64_decode(&upd, &n, UTIL_BASE64_STD,
			       (const char *)chunk->payload, chunk->payload_len,
			       &uerr);
	if (r)
		return refuse(s, msg_id, PROTO_ERR_INVALID_REQUEST,
			      "sync payload is not base64: %s", uerr.msg);
	p = pending_new(conn, msg_id);
	if (!p) {
		free(upd);
		return -ENOMEM;
	}
	r = srv_doc_apply(s->sub.doc, &s->sub, upd, n, chunk_done, p, &err);
	free(upd);
	if (r) {
		pending_free(p);
		return refuse(s, msg_id, err.code, "%s", err.text);
	}
	return SRV_ANSWER_LATER;
}

static int sync_stream_chunk(struct srv_call *call, uint64_t msg_id,
			     const struct proto_content *chunk)
{
	struct sync_stream *s = call->data;
	const char *kind;

	if (chunk->type != PROTO_CONTENT_BINARY) {
		srv_respond_error(call->conn, msg_id, PROTO_ERR_INVALID_REQUEST,
				  "sync.open expects binary chunks");
		return SRV_ANSWER_LATER;
	}
	kind = srv_json_str(chunk->headers, "kind");
	if (kind && !strcmp(kind, "start")) {
		if (s->started) {
			srv_respond_error(call->conn, msg_id,
					  PROTO_ERR_INVALID_STATE,
					  "the stream was already started");
			return SRV_ANSWER_LATER;
		}
		return stream_start(call, chunk->headers);
	}
	if (kind && !strcmp(kind, "sync"))
		return stream_sync(call, msg_id, chunk);
	srv_respond_error(call->conn, msg_id, PROTO_ERR_INVALID_REQUEST,
			  "unknown sync chunk kind '%s'", kind ? kind : "");
	return SRV_ANSWER_LATER;
}

static void sync_stream_close(struct srv_call *call, enum srv_close_why why)
{
	struct sync_stream *s = call->data;

	if (s)
		srv_doc_unsubscribe(&s->sub);
	if (why == SRV_CLOSE_CLIENT)
		srv_call_close(call);
}

static void sync_call_free(struct srv_call *call)
{
	struct sync_stream *s = call->data;

	if (!s)
		return;
	srv_doc_unsubscribe(&s->sub);
	cJSON_Delete(s->sync_headers);
	free(s->path);
	free(s->echo);
	free(s);
	call->data = NULL;
}

/* ---- rooms and hooks ------------------------------------------------- */

static int sync_room_open(struct srv_room *room)
{
	struct sync_state *st = state_of(room->srv);
	struct srv_docstore_config cfg = {
		.dirfd = room->dirfd,
		.state_dirfd = room->state_dirfd,
		.committer = st->committer,
		.name = room->name,
	};
	struct srv_docstore *ds;
	int r;

	if (st->nrooms == st->caprooms) {
		size_t cap = st->caprooms ? st->caprooms * 2 : 8;
		struct srv_room **p =
			realloc(st->rooms, cap * sizeof(*st->rooms));

		if (!p)
			return -ENOMEM;
		st->rooms = p;
		st->caprooms = cap;
	}
	r = srv_docstore_new(&ds, &cfg);
	if (r)
		return r;
	room->docstore = ds;
	st->rooms[st->nrooms++] = room;
	return 0;
}

static void sync_room_close(struct srv_room *room)
{
	struct sync_state *st = state_of(room->srv);

	for (size_t i = 0; st && i < st->nrooms; i++)
		if (st->rooms[i] == room) {
			st->rooms[i] = st->rooms[--st->nrooms];
			break;
		}
	srv_docstore_free(room->docstore);
	room->docstore = NULL;
}

static void sync_flush(struct srv *srv)
{
	struct sync_state *st = state_of(srv);

	for (size_t i = 0; st && i < st->nrooms; i++)
		srv_docstore_flush(st->rooms[i]->docstore);
}

static int sync_storage_delete(struct srv_room *room, const char *path,
			       bool is_folder)
{
	return room->docstore ? srv_docstore_storage_delete(room->docstore,
							    path, is_folder) :
				0;
}

static int sync_storage_move(struct srv_room *room, const char *src,
			     const char *dst, bool is_folder)
{
	return room->docstore ? srv_docstore_storage_move(room->docstore, src,
							  dst, is_folder) :
				0;
}

static int sync_storage_write(struct srv_room *room, const char *path)
{
	return room->docstore ?
		       srv_docstore_storage_write(room->docstore, path) :
		       0;
}

static int sync_storage_read(struct srv_room *room, const char *path)
{
	return room->docstore ?
		       srv_docstore_storage_read(room->docstore, path) :
		       0;
}

int srv_sync_init(struct srv *srv)
{
	struct sync_state *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return -ENOMEM;
	st->srv = srv;
	st->tk = (struct srv_toolkit){
		.name = "sync",
		.priv = st,
		.invoke = sync_invoke,
		.stream_open = sync_stream_open,
		.stream_chunk = sync_stream_chunk,
		.stream_close = sync_stream_close,
		.call_free = sync_call_free,
		.room_open = sync_room_open,
		.room_close = sync_room_close,
		.flush = sync_flush,
		.storage_delete = sync_storage_delete,
		.storage_move = sync_storage_move,
		.storage_write = sync_storage_write,
		.storage_read = sync_storage_read,
	};
	r = srv_doc_committer_new(&st->committer, defer_fn, srv);
	if (r) {
		free(st);
		return r;
	}
	r = srv_register_toolkit(srv, &st->tk);
	if (r) {
		srv_doc_committer_free(st->committer);
		free(st);
	}
	return r;
}

void srv_sync_fini(struct srv *srv)
{
	struct sync_state *st = state_of(srv);

	if (!st)
		return;
	srv_doc_committer_free(st->committer);
	st->committer = NULL;
	free(st->rooms);
	st->rooms = NULL;
	st->nrooms = st->caprooms = 0;
	/* The toolkit struct must outlive the server's use of it: srv_free
	 * ends right after this, so it is released here. */
	st->tk.priv = NULL;
	free(st);
}
