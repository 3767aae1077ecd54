/* SPDX-License-Identifier: MIT */
/*
 * srv.h - the room server's internal interface: what toolkits (storage in
 * storage.c, sync in sync.c over docstore.c) see of the network core
 * (srv.c, conn.c) and what the core expects of them.
 *
 * Threads.  Everything here runs in the event-loop thread, except:
 *  - srv_defer(), which any thread may call to get a function run in the
 *    loop thread (the docstore's fsync thread uses it to answer a sync chunk
 *    once its update is durable);
 *  - the room path helpers (section 5), which only read the room's constant
 *    directory descriptors and may be called from any thread.
 *
 * Lifetimes (why refcounts).  A connection or call can go away while some
 * answer to it is still pending (an fsync in flight).  Both are refcounted:
 * whoever keeps a pointer across an event-loop turn (a deferred answer, a
 * subscriber list) takes a reference (srv_conn_get / srv_call_get) and drops
 * it later (srv_conn_put / srv_call_put), in the loop thread.  A connection
 * that closed stays allocated while referenced but is "dead": every output
 * function on it (or on a call of it) silently does nothing and returns 0.
 * So a deferred answer whose connection has gone is dropped safely.
 *
 * Content values (spec §5) are proto.h's struct proto_content (parsed; a
 * binary content's payload is a view valid during the call only).
 * Functions never take ownership of what is passed to them.
 *
 * Conventions: 0 / negative errno, out parameters first, `srv_` prefix.
 */
#ifndef MESHFS_SRV_H
#define MESHFS_SRV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "proto.h"
#include "server.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct lws;
struct srv_toolkit;
struct srv_out; /* a queued outgoing message (conn.c) */

/* ======================================================================
 * 1. Error codes: enum proto_error_code of proto.h (PROTO_ERR_*, §8.4)
 * ====================================================================== */

/* ======================================================================
 * 2. Objects
 *
 * Fields marked "core" are private to srv.c/conn.c: toolkits read only the
 * documented public fields and never write any field except `data`.
 * ====================================================================== */

/* A room: a folder under the data directory, alive until srv_free. */
struct srv_room {
	struct srv *srv;
	char *name; /* validated room name (no '/', no leading '.') */
	char session_id[37]; /* UUID per room session (room_ready) */
	/*
	 * The room's storage root (DIR/<room>), opened O_DIRECTORY; storage
	 * paths are confined below it.  Constant for the room's life.
	 */
	int dirfd;
	/*
	 * A private per-room folder outside the storage tree (DIR/.meshroomd/
	 * <room>), invisible to clients: the docstore may keep journals and
	 * temp files here.  Constant for the room's life.
	 */
	int state_dirfd;
	void *docstore; /* owned by the docstore (room_open/room_close hooks) */

	struct srv_room *next; /* next room (srv_rooms), read-only */

	/* core */
	unsigned nconns;
	struct srv_conn *conns; /* list through conn->room_next */
};

/* One WebSocket connection = one participant. */
struct srv_conn {
	struct srv *srv;
	struct srv_room *room;
	char participant_id[37]; /* UUID v4, also used in storage events */
	char *name; /* token `name` */
	char *role; /* `role` grant, default "user" */
	/* The verified token claims (owned by the conn; srv_conn_can). */
	struct proto_token token;

	/* core */
	char *jwt; /* the token as sent (for download URLs) */
	char *base_url; /* "ws://<Host header>" or public_url */
	struct lws *wsi; /* NULL once the connection closed (dead) */
	unsigned refs;
	struct srv_conn *room_next;
	struct srv_call *calls; /* open streams, list through call->next */
	unsigned ncalls;
	struct srv_out *out_head, *out_tail; /* send queue of packets */
	size_t out_bytes;
	uint64_t next_msg_id; /* ids of server-initiated messages */
	struct proto_reader rx; /* packet reassembly */
	uint8_t *pkt; /* a WebSocket message arriving in fragments */
	size_t pkt_len, pkt_cap;
	uint64_t cur_req; /* request being dispatched, and whether */
	bool cur_answered; /* the toolkit answered it already */
	bool closing; /* close after the queue drained */
	bool close_sent; /* our close frame is out: awaiting the peer's */
	int close_status;
	char close_reason[100];
};

/* One streaming tool call (spec §8.3), from control/open to its close. */
struct srv_call {
	struct srv_conn *conn; /* owning connection (referenced by the call) */
	const struct srv_toolkit *toolkit;
	char *tool; /* e.g. "open", "upload" */
	char *tool_call_id;
	void *data; /* the toolkit's; freed in toolkit->call_free */

	/* core */
	unsigned refs;
	bool closed; /* close sent (or conn gone): outputs are dropped */
	bool in_table; /* still in conn->calls */
	struct srv_call *next;
};

/* Reference counting (loop thread only).  get returns its argument. */
struct srv_conn *srv_conn_get(struct srv_conn *conn);
void srv_conn_put(struct srv_conn *conn);
struct srv_call *srv_call_get(struct srv_call *call);
void srv_call_put(struct srv_call *call);

/* True while the connection is open (outputs are sent). */
bool srv_conn_alive(const struct srv_conn *conn);

/* True while the call is open: not closed and its connection alive. */
bool srv_call_alive(const struct srv_call *call);

/* The server's configuration (strings owned by the server). */
const struct srv_config *srv_config(const struct srv *srv);

/* The first open room (loop thread; iterate with room->next), e.g. for a
 * flush hook that visits every room's docstore. */
struct srv_room *srv_rooms(struct srv *srv);

/* Looks a room up by name (loop thread); NULL if it was never opened. */
struct srv_room *srv_room_find(struct srv *srv, const char *name);

/*
 * An http(s) URL of the room's storage file `path` (normalised) that
 * carries conn's token: <base>/rooms/<room>/storage/<path>?token=<jwt>
 * (the HTTP GET endpoint of srv.c).  *out malloc'ed.
 */
int srv_download_url(char **out, const struct srv_conn *conn, const char *path);

/* ======================================================================
 * 3. Toolkits
 * ====================================================================== */

/* Why stream_close is called. */
enum srv_close_why {
	SRV_CLOSE_CLIENT, /* the client sent its control/close request chunk */
	SRV_CLOSE_GONE, /* the connection closed (or the server is stopping) */
};

/* stream_chunk's "I will answer this chunk myself, later" return value. */
#define SRV_ANSWER_LATER 1

/*
 * A toolkit (spec §8).  Every member except name is optional (NULL).
 * A toolkit is registered once (srv_register_toolkit) and must outlive the
 * server; `priv` is for the toolkit's own global state.
 *
 * Requests.  A `room.invoke_tool` whose `arguments` is control/open is a
 * stream (stream_open); any other is a plain request (invoke).
 *
 * invoke(conn, msg_id, tool, args):
 *	args is the `arguments` content (args->type PROTO_CONTENT_JSON with
 *	args->json for the SDKs' plain objects; binary payloads are views
 *	valid during the call).  Answer exactly once with srv_respond*
 *	(now or later: keep a conn reference when later), then return 0.
 *	Return -ENOSYS for an unknown tool (the core answers 1003
 *	"tool not found <toolkit>.<tool>"); any other negative return without
 *	an answer makes the core answer 1008 with strerror.
 *
 * stream_open(call):
 *	call->tool names the tool.  Return 0 to accept: the core answers the
 *	invoke with control/open right away.  Return -ENOSYS for an unknown
 *	tool (1003) or another -errno (1008); the call is then forgotten
 *	without any chunk.  Errors about the *input* (bad path...) belong in
 *	the stream: srv_call_error + srv_call_close from stream_chunk.
 *
 * stream_chunk(call, msg_id, chunk):
 *	One request chunk (never control/close: that goes to stream_close;
 *	chunk->payload is a view valid during the call).  Return 0 and the
 *	core answers the chunk's __response__ `empty` at once.  Return
 *	SRV_ANSWER_LATER to answer it yourself, exactly once, with
 *	srv_respond(call->conn, msg_id, NULL) (e.g. after fsync; take a conn
 *	or call reference meanwhile).
 *	Return -errno and the core sends an error chunk (1008) and closes the
 *	call, then answers `empty`.  Chunks for a closed or unknown call never
 *	reach the toolkit: the core answers them `empty` (spec §8.3.7).
 *
 * stream_close(call, why):
 *	CLIENT: the client ended its input; its close chunk is answered
 *	`empty` by the core.  The toolkit finishes its work and then calls
 *	srv_call_close(call) (now or later, e.g. upload commits first).
 *	GONE: the connection went away; the core forgets the call right after
 *	this returns (outputs are no-ops).  Release what refers to the call
 *	(drop subscriptions); pending deferred answers are dropped safely.
 *
 * call_free(call):
 *	The last reference to the call went: free call->data.
 *
 * Room and storage hooks (the docstore implements them; the storage
 * toolkit calls them, through srv_hook_* below, for every toolkit that has
 * them):
 *
 * room_open(room):  a room was opened (first connection); set room->docstore.
 * room_close(room): srv_free: flush and free room->docstore.
 * flush(srv):       stop accepting work and make everything acknowledged
 *		     or written so far durable (SIGTERM, srv_stop); blocks.
 * storage_delete(room, path, is_folder):
 *	before storage deletes `path` (a file, or a folder and everything
 *	below it).  Forget/close the open documents at or under it so that no
 *	later save recreates them.  A negative return aborts the delete (the
 *	client gets 1008 or, for -EBUSY, 1005).
 * storage_move(room, src, dst, is_folder):
 *	before storage renames src to dst: open documents at or under src
 *	must save to their new path from now on (or be closed).  Negative
 *	aborts, as above.
 * storage_write(room, path):
 *	before an upload replaces `path` (a new file or an overwrite).  If a
 *	document is open there, close it (or return -EBUSY to refuse).
 * storage_read(room, path):
 *	before a download (or HTTP GET) reads `path`: if a document is open
 *	there, bring its file up to date (so readers see every acknowledged
 *	update).  Errors are logged and ignored (the file is served as is).
 */
struct srv_toolkit {
	const char *name; /* "storage", "sync" */
	void *priv;

	int (*invoke)(struct srv_conn *conn, uint64_t msg_id, const char *tool,
		      const struct proto_content *args);
	int (*stream_open)(struct srv_call *call);
	int (*stream_chunk)(struct srv_call *call, uint64_t msg_id,
			    const struct proto_content *chunk);
	void (*stream_close)(struct srv_call *call, enum srv_close_why why);
	void (*call_free)(struct srv_call *call);

	int (*room_open)(struct srv_room *room);
	void (*room_close)(struct srv_room *room);
	void (*flush)(struct srv *srv);
	int (*storage_delete)(struct srv_room *room, const char *path,
			      bool is_folder);
	int (*storage_move)(struct srv_room *room, const char *src,
			    const char *dst, bool is_folder);
	int (*storage_write)(struct srv_room *room, const char *path);
	int (*storage_read)(struct srv_room *room, const char *path);

	/*
	 * Optional; when set it replaces stream_close(call, SRV_CLOSE_CLIENT):
	 * the client's control/close request chunk, with its message id, for
	 * a toolkit that answers that chunk only once its work is done (an
	 * upload: after the file is durable).  Return 0 and the core answers
	 * `empty` at once, or SRV_ANSWER_LATER and answer it yourself, exactly
	 * once, with srv_respond(call->conn, msg_id, NULL).  Either way the
	 * toolkit calls srv_call_close(call) when it is finished.
	 */
	int (*stream_end)(struct srv_call *call, uint64_t msg_id);
};

/* Registers a toolkit (before srv_run).  -EEXIST for a duplicate name. */
int srv_register_toolkit(struct srv *srv, const struct srv_toolkit *tk);

/* The registered toolkit `name`, or NULL. */
const struct srv_toolkit *srv_toolkit_find(struct srv *srv, const char *name);

/*
 * Built-in toolkits.  srv_new calls each init, which registers its toolkit
 * (and may start threads: stop them in room_close/flush or on srv_free via
 * the hooks).  storage.c defines srv_storage_init, sync.c srv_sync_init.
 */
int srv_storage_init(struct srv *srv);
int srv_sync_init(struct srv *srv);
/*
 * Called by srv_free once the loop ended and before the rooms are closed:
 * stops the storage worker thread after it finished every queued job (their
 * answers are deferred, so srv_free runs them next, while the rooms exist).
 */
void srv_storage_stop(struct srv *srv);
/* Called by srv_free after every room is closed (frees toolkit globals). */
void srv_storage_fini(struct srv *srv);
void srv_sync_fini(struct srv *srv);

/* Run the hook on every toolkit that has it; first negative return wins. */
int srv_hook_storage_delete(struct srv_room *room, const char *path,
			    bool is_folder);
int srv_hook_storage_move(struct srv_room *room, const char *src,
			  const char *dst, bool is_folder);
int srv_hook_storage_write(struct srv_room *room, const char *path);
int srv_hook_storage_read(struct srv_room *room, const char *path);

/* ======================================================================
 * 4. Output (loop thread; all no-ops returning 0 on a dead conn/call)
 * ====================================================================== */

/*
 * Sends any message: `type` with packed payload (header, payload).  header
 * NULL = empty data (no packed payload at all, 0 data packets).  Message
 * ids of server-initiated messages come from the conn's counter.
 * -ENOMEM, -EMSGSIZE.
 */
int srv_conn_send(struct srv_conn *conn, const char *type, const cJSON *header,
		  const void *payload, size_t len);

/* __response__ to request msg_id with a content (NULL = empty). */
int srv_respond(struct srv_conn *conn, uint64_t msg_id,
		const struct proto_content *c);
/* __response__ {"type":"json","json":json}. */
int srv_respond_json(struct srv_conn *conn, uint64_t msg_id, const cJSON *json);
/* __response__ {"type":"error","text":<fmt...>,"code":code}. */
int srv_respond_error(struct srv_conn *conn, uint64_t msg_id, int code,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A room.tool_call_response_chunk with content (NULL = empty). */
int srv_call_chunk(struct srv_call *call, const struct proto_content *c);
/* A chunk {"type":"binary","headers":headers} + payload. */
int srv_call_binary(struct srv_call *call, const cJSON *headers,
		    const void *payload, size_t len);
/* An error chunk {"type":"error","text":...,"code":code}. */
int srv_call_error(struct srv_call *call, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Sends the control/close chunk (status 1000) and forgets the call: it
 * leaves the connection's table (later chunks with its id are answered
 * `empty` by the core) and drops the table's reference.  Idempotent.
 */
void srv_call_close(struct srv_call *call);

/*
 * Sends message `type` (header only) to every live participant of the
 * room, the actor included (storage events, spec §11.9).
 */
int srv_room_event(struct srv_room *room, const char *type,
		   const cJSON *header);

/*
 * Runs fn(arg) in the event-loop thread soon.  Thread-safe.  fn runs
 * exactly once: in the loop, or from srv_free if the loop already ended
 * (then conns are dead and outputs no-ops), so arg is always released.
 * -ENOMEM (fn will not run).
 */
int srv_defer(struct srv *srv, void (*fn)(void *arg), void *arg);

/* ======================================================================
 * 5. Grants and paths
 * ====================================================================== */

enum srv_scope {
	SRV_SYNC,
	SRV_STORAGE,
};

/*
 * Grant check (spec §2.5): the token's `api` grant must contain the scope
 * (`sync` / `storage` object).  Without `paths` everything is allowed;
 * otherwise the first matching path grant decides (sync: exact, or prefix
 * when the grant ends with `*`; storage: plain prefix), and `write` needs
 * it not `read_only`.  No match = denied.  path is a normalised path.
 */
bool srv_conn_can(const struct srv_conn *conn, enum srv_scope scope,
		  const char *path, bool write);

/*
 * Normalises a client path (spec §9.1/§11.1): strips leading "./" and "/",
 * collapses "//" and "/./", drops a trailing "/"; "", ".", "/" are the root
 * "".  -EINVAL for a ".." segment, a NUL or control character, or a
 * longer-than-PATH_MAX path.  *out is malloc'ed (caller frees).
 */
int srv_path_norm(char **out, const char *path);

/* Last segment of a normalised path (a pointer into it; "" for the root). */
const char *srv_path_base(const char *path);

/*
 * Opens the parent folder of normalised path `path` in the room, walking
 * each segment with openat(O_NOFOLLOW | O_DIRECTORY) from room->dirfd, so
 * that no symlink (planted in the data dir or not) can lead outside the
 * room.  create: mkdirat missing folders (0755).  *dirfd is the parent
 * (caller closes), *base points into path at the last segment.
 * -ENOENT, -ENOTDIR, -ELOOP (a symlink on the way), -EINVAL (root).
 */
int srv_room_parent(int *dirfd, const char **base, struct srv_room *room,
		    const char *path, bool create);

/*
 * Opens a file or folder at normalised path `path` (root = "") confined to
 * the room as above; the last segment is opened with O_NOFOLLOW too (flags
 * may include O_CREAT: then missing parent folders are created).
 * Returns the fd in *fd.  -ELOOP for a symlink.
 */
int srv_room_open(int *fd, struct srv_room *room, const char *path, int flags,
		  mode_t mode);

/*
 * Replaces the file at `path` atomically with data: writes a temp file in
 * the same folder, fsyncs it, renames it over path, fsyncs the folder.
 * Creates missing parent folders.  Thread-safe.  -errno.
 */
int srv_room_write_atomic(struct srv_room *room, const char *path,
			  const void *data, size_t len);

/*
 * Reads the whole file at `path` into *data (malloc'ed, NUL-terminated,
 * caller frees), length in *len.  At most max bytes (-EFBIG beyond).
 * Thread-safe.
 */
int srv_room_read(void **data, size_t *len, struct srv_room *room,
		  const char *path, size_t max);

/* Names the temp files of srv_room_write_atomic/uploads start with; list
 * hides them. */
#define SRV_TMP_PREFIX ".meshroomd-tmp."

/* ======================================================================
 * 6. Small helpers
 * ====================================================================== */

/* obj[key] as a string, or NULL (obj may be NULL). */
const char *srv_json_str(const cJSON *obj, const char *key);
/* obj[key] as a bool: true/false, def when missing or null. */
bool srv_json_bool(const cJSON *obj, const char *key, bool def);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_SRV_H */
