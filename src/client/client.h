/* SPDX-License-Identifier: MIT */
/*
 * client.h - public API of the room client library (libclient).
 *
 * libclient talks to a MeshAgent room (meshroomd, or a room hosted by
 * MeshAgent) exactly as the TypeScript SDK 0.39.9 does (spec/protocol.md,
 * §14 is its checklist): one WebSocket per room connection, served by one
 * network thread (libwebsockets) that the library owns.  On top of it:
 *
 *   - the storage toolkit (room_storage_*): list, stat, exists, upload,
 *     download (streamed through callbacks), delete, move, download_url,
 *     and the storage.file.* events;
 *   - the sync toolkit (room_sync_*, room_doc_*): create, describe, push of
 *     pre-encoded updates, and live documents: room_doc_open is ref-counted
 *     per path (the SyncClient contract), returns a local Yjs replica that
 *     sends local edits automatically and applies remote ones;
 *   - reconnection with backoff, resyncing every open document with its
 *     state vector and re-sending the local edits the server has not
 *     acknowledged, so that nothing is lost (DESIGN.md decision 7).
 *
 * meshctl (src/cli) and meshfs (src/fs) are built on this header.  It sits
 * above src/proto, src/mesh, src/yjs and src/util and never includes
 * src/server.
 *
 * Threads: every function may be called from any thread except the
 * network thread itself (i.e. not from inside a callback of this API,
 * unless the callback's comment says so).  Every call that waits for the
 * server waits at most the configured timeout and then fails with
 * -ETIMEDOUT; nothing blocks forever.
 *
 * Errors: 0 or a negative errno.  An optional `struct util_error *err` (may
 * be NULL) receives one line saying what went wrong (for server errors, the
 * server's text and code: "no schema found for a.x (code 1007)").  The
 * mapping of failures to errnos:
 *   -ENOENT      not found (1003, 3001, HTTP 404 at connect)
 *   -EEXIST      already exists (1004, 3005)
 *   -EACCES      permission denied (1001, HTTP 403, read-only grant)
 *   -EINVAL      invalid request or refused update (1002, 1006, 3004, a
 *                schema violation), bad argument
 *   -ENOTEMPTY   folder not empty and not recursive (3002)
 *   -ETIMEDOUT   no answer within the timeout (1009 too)
 *   -ENOTCONN    the connection is down (reconnecting) and the call needs it
 *   -ECONNREFUSED / -EHOSTUNREACH  connect failed
 *   -EPROTO      the server broke the protocol (malformed message)
 *   -EIO         any other server error (1005, 1007, 1008, unknown codes)
 *   -ENOMEM
 *
 * Ownership: strings and buffers returned through out parameters are newly
 * allocated and owned by the caller (free(), or the matching *_free);
 * strings passed in are copied when the library keeps them.
 */
#ifndef MESHFS_CLIENT_H
#define MESHFS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct y_doc;
struct mesh_schema;
struct room_client;
struct room_doc;

/* ======================================================================
 * 1. Configuration and connection
 * ====================================================================== */

#define ROOM_DEFAULT_TIMEOUT_MS 10000
#define ROOM_DEFAULT_BACKOFF_MIN_MS 200
#define ROOM_DEFAULT_BACKOFF_MAX_MS 5000

enum room_conn_state {
	ROOM_CONNECTING = 0, /* first connect in progress */
	ROOM_CONNECTED = 1, /* handshake done, calls go through */
	ROOM_RECONNECTING = 2, /* lost; backing off and retrying */
	ROOM_CLOSED = 3, /* closed for good (1000, 403/404, or closing) */
};

/* A storage change event (spec §11.9).  Valid only during the callback. */
struct room_file_event {
	int kind; /* enum proto_storage_event_kind (proto.h) */
	const char *path; /* the file or folder */
	const char *new_path; /* moved: destination, otherwise NULL */
	const char *participant_id; /* who did it (may be NULL) */
};

/*
 * Callbacks run on the network thread.  They must return quickly and may
 * not call any function of this header that waits for the server (they may
 * queue work for another thread).
 */
typedef void (*room_file_event_fn)(void *ctx, const struct room_file_event *ev);
typedef void (*room_state_fn)(void *ctx, enum room_conn_state state, int err);

struct room_config {
	/*
	 * The room's WebSocket URL: ws[s]://host[:port]/rooms/<room>
	 * (http[s]:// is accepted and means ws[s]://).  Required.
	 */
	const char *url;
	const char *token; /* participant JWT, required */
	/*
	 * wss: PEM file of the CAs to trust instead of the system store
	 * (NULL = the system store).  Certificates are always verified.
	 */
	const char *ca_file;
	int timeout_ms; /* every call; default ROOM_DEFAULT_TIMEOUT_MS */
	bool no_reconnect; /* true: a lost connection stays ROOM_CLOSED */
	int backoff_min_ms; /* reconnect backoff, doubled up to the max */
	int backoff_max_ms;
	room_file_event_fn on_file_event; /* may be NULL */
	void *file_event_ctx;
	room_state_fn on_state; /* may be NULL */
	void *state_ctx;
	/*
	 * The SDKs give up when a connection that was up is closed by the
	 * server with 1000, which is also how meshroomd closes connections
	 * when it stops (a restart).  true: retry after that too (403/404
	 * still end it); for long-lived users such as a mount.
	 */
	bool reconnect_after_close;
};

/* Fills cfg with the defaults (url and token NULL). */
void room_config_init(struct room_config *cfg);

/*
 * Where to connect and with which token, as the MeshAgent SDKs find them
 * (spec §14).  room_target_resolve fills *out from the arguments, falling
 * back to the environment:
 *   url:   the argument, else $MESHAGENT_ROOM_URL; a URL without a
 *          /rooms/<room> path gets the room from `room` (argument, else
 *          $MESHAGENT_ROOM, else the token's room grant) appended;
 *          $MESHAGENT_API_URL (https://host -> wss://host/rooms/<room>)
 *          when neither is set;
 *   token: the argument, else the contents of token_file, else
 *          $MESHAGENT_TOKEN, else one minted (HS256, spec §2.5) for the
 *          room from $MESHAGENT_API_KEY (ma- format) or $MESHAGENT_SECRET,
 *          participant name from $MESHAGENT_PARTICIPANT_NAME or the user
 *          name.
 * Any argument may be NULL.  -EINVAL with err filled when something is
 * missing or malformed (no URL, no room, no token source).
 * Free with room_target_free.
 */
struct room_target {
	char *url; /* full room URL: ws[s]://host[:port]/rooms/<room> */
	char *room; /* the room name */
	char *token; /* participant JWT */
};
int room_target_resolve(struct room_target *out, const char *url,
			const char *room, const char *token,
			const char *token_file, struct util_error *err);
void room_target_free(struct room_target *t);

/*
 * Connects: WebSocket upgrade (token as ?token= and Authorization: Bearer),
 * then waits for room_ready + connected.  Starts the network thread.
 * Returns once connected, or fails (-ECONNREFUSED, -EACCES for 403,
 * -ENOENT for 404, -ETIMEDOUT, -EPROTO, -EINVAL for a bad config).  The
 * first connect never retries: reconnecting is for connections that were
 * up.  *out is owned by the caller: room_client_close.
 */
int room_client_connect(struct room_client **out, const struct room_config *cfg,
			struct util_error *err);

/*
 * Closes every open document (their last close, without waiting longer
 * than the timeout), closes the WebSocket with 1000, joins the network
 * thread and frees everything.  Documents still open are invalid after
 * this.  NULL is a no-op.
 */
void room_client_close(struct room_client *c);

enum room_conn_state room_client_state(const struct room_client *c);
/* The participant id the server gave in `connected` (valid until close). */
const char *room_client_participant_id(const struct room_client *c);
/* The room name from room_ready. */
const char *room_client_room(const struct room_client *c);
/* The timeout every call uses, in ms. */
int room_client_timeout(const struct room_client *c);

/* ======================================================================
 * 2. Storage (spec §11)
 * ====================================================================== */

/* A directory entry (list item or stat result). */
struct room_entry {
	char *name; /* last path segment */
	bool is_folder;
	bool has_size; /* size known (files) */
	uint64_t size;
	int64_t created_ms; /* ms since the epoch, -1 = unknown */
	int64_t updated_ms;
};
void room_entry_clear(struct room_entry *e);
void room_entries_free(struct room_entry *v, size_t n);

/* *out = array of *n entries (maybe 0), in the server's order.  A missing
 * folder: -ENOENT. */
int room_storage_list(struct room_entry **out, size_t *n, struct room_client *c,
		      const char *path, struct util_error *err);
/* -ENOENT when it does not exist. */
int room_storage_stat(struct room_entry *out, struct room_client *c,
		      const char *path, struct util_error *err);
int room_storage_exists(bool *out, struct room_client *c, const char *path,
			struct util_error *err);
/* recursive: delete a folder with its contents (else -ENOTEMPTY). */
int room_storage_delete(struct room_client *c, const char *path, bool recursive,
			struct util_error *err);
/* overwrite: replace an existing destination (else -EEXIST). */
int room_storage_move(struct room_client *c, const char *from, const char *to,
		      bool overwrite, struct util_error *err);
int room_storage_download_url(char **out, struct room_client *c,
			      const char *path, struct util_error *err);

/*
 * Streamed transfers (the pull protocol of §11.7/§11.8): at most one chunk
 * is in memory at a time.  A read callback fills buf with up to cap bytes
 * and sets *got (0 = end of data); a write callback takes len bytes.  Both
 * return 0 or a negative errno, which aborts the transfer (the upload then
 * leaves the destination as it was) and is returned.  progress (may be
 * NULL) is called after each chunk with the bytes done so far and the
 * total (upload: size; download: the size the server announced, or 0).
 * Callbacks run in the calling thread.
 */
typedef int (*room_read_fn)(void *ctx, void *buf, size_t cap, size_t *got);
typedef int (*room_write_fn)(void *ctx, const void *data, size_t len);
typedef void (*room_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct room_transfer {
	room_read_fn read; /* upload */
	room_write_fn write; /* download */
	room_progress_fn progress;
	void *ctx;
};

/*
 * Uploads size bytes read from t->read to path (folders are implicit).
 * overwrite false and path exists: -EEXIST.  The mime type is guessed from
 * the extension as the SDK does.
 */
int room_storage_upload(struct room_client *c, const char *path, bool overwrite,
			uint64_t size, const struct room_transfer *t,
			struct util_error *err);
/* Downloads path into t->write; *size_out (may be NULL) = bytes written. */
int room_storage_download(uint64_t *size_out, struct room_client *c,
			  const char *path, const struct room_transfer *t,
			  struct util_error *err);
/* Conveniences: a buffer, or a file descriptor (read/written from its
 * current offset; regular files, pipes and sockets). */
int room_storage_upload_buf(struct room_client *c, const char *path,
			    bool overwrite, const void *data, size_t len,
			    struct util_error *err);
int room_storage_download_buf(void **out, size_t *len, struct room_client *c,
			      const char *path, struct util_error *err);
int room_storage_upload_fd(struct room_client *c, const char *path,
			   bool overwrite, int fd, room_progress_fn progress,
			   void *ctx, struct util_error *err);
int room_storage_download_fd(uint64_t *size_out, struct room_client *c,
			     const char *path, int fd,
			     room_progress_fn progress, void *ctx,
			     struct util_error *err);

/* ======================================================================
 * 3. Sync: stateless calls (spec §9.4, §9.7, §9.8)
 * ====================================================================== */

/*
 * sync.create: the document at path (sync paths are normalized as the SDK
 * does), populated from json (document JSON text, NULL = empty), with
 * schema_json (MeshSchema JSON text; NULL = the server infers it from the
 * extension, .schemas/<ext>.json).  -EEXIST if it exists, -EIO (1007) when
 * no schema applies, -EINVAL for JSON the schema refuses.
 */
int room_sync_create(struct room_client *c, const char *path, const char *json,
		     const char *schema_json, struct util_error *err);

/* sync.describe: *out = the document's JSON text as the server sent it
 * (compact), NUL-terminated; *len (may be NULL) its length. */
int room_sync_describe(char **out, size_t *len, struct room_client *c,
		       const char *path, struct util_error *err);

/*
 * SyncClient.sync(path, data): pushes a pre-encoded Yjs v1 update on the
 * open stream of path (which must be open through room_doc_open: -EBADF
 * otherwise).  The update is applied to the local replica too.  Returns
 * once the server acknowledged it (see room_doc_flush).
 */
int room_sync_push(struct room_client *c, const char *path,
		   const uint8_t *update, size_t len, struct util_error *err);

/* ======================================================================
 * 4. Live documents (spec §9.5, §9.6)
 * ====================================================================== */

/*
 * Opens (sync.open) the document at path, or takes another reference to
 * it when this client has it open already: the same path opened twice
 * returns the same struct room_doc (the SyncClient ref count).  Returns
 * once the server's state is applied to the replica.  create: create the
 * document when missing (schema inferred by the server); else a missing
 * document is -ENOENT.  Every successful open is matched by one
 * room_doc_close.
 */
int room_doc_open(struct room_doc **out, struct room_client *c,
		  const char *path, bool create, struct util_error *err);

/*
 * Drops one reference.  The last one sends local edits not yet sent,
 * closes the stream and waits (at most the timeout) for the server's
 * control/close; then frees the replica.  NULL is a no-op.
 */
void room_doc_close(struct room_doc *d);

/* The normalized path; the schema the server sent in the state chunk
 * (valid while the document is open). */
const char *room_doc_path(const struct room_doc *d);
const struct mesh_schema *room_doc_schema(const struct room_doc *d);
/* The schema's JSON text as the server sent it (compact). */
const char *room_doc_schema_json(const struct room_doc *d);

/*
 * The replica.  room_doc_lock takes the document's lock and returns its
 * y_doc, to read (render) or edit (merge, y_* edits) it; no remote update
 * is applied while it is held.  room_doc_unlock releases it; every local
 * transaction made meanwhile has been captured and is queued to the
 * server (in order; one sync chunk in flight per document, and what was
 * queued while it was goes out merged into the next).  Keep the lock
 * short: the network thread waits for it to apply remote updates.
 */
struct y_doc *room_doc_lock(struct room_doc *d);
void room_doc_unlock(struct room_doc *d);

/*
 * A counter that grows with every change to the replica, local or remote
 * (the file system's revision for mtime and cache invalidation).  Cheap;
 * no lock needed.
 */
uint64_t room_doc_revision(const struct room_doc *d);
/* Wall-clock time (ms since the epoch) of the last change. */
int64_t room_doc_mtime_ms(const struct room_doc *d);

/*
 * Waits until every local update queued before the call has been
 * acknowledged by the server (which acknowledges only once the update is
 * durable, DESIGN.md decision 8): the fsync of a document.  -ETIMEDOUT,
 * -ENOTCONN (connection down: the updates stay queued and are sent on
 * reconnect), -EINVAL when the server refused one of them (err says why;
 * the replica is then rebuilt from the server's state, the refused edit
 * is gone from it and room_doc_revision moves).
 */
int room_doc_flush(struct room_doc *d, struct util_error *err);

/* True while local updates are queued and not yet acknowledged. */
bool room_doc_pending(const struct room_doc *d);

/*
 * Change listeners: fn runs on the network thread after a remote update
 * changed the replica (not for local edits, not for updates that carried
 * nothing new), without the lock held; it may call room_doc_lock,
 * room_doc_revision and room_doc_path but nothing that waits for the
 * server.  Returns a listener id > 0, or a negative errno.
 */
typedef void (*room_doc_change_fn)(void *ctx, struct room_doc *d);
int room_doc_listen(struct room_doc *d, room_doc_change_fn fn, void *ctx);
void room_doc_unlisten(struct room_doc *d, int id);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_CLIENT_H */
