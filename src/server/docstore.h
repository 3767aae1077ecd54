/* SPDX-License-Identifier: MIT */
/*
 * docstore.h - the live documents of a room, durable on disk (DESIGN.md
 * decisions 8 and 9); the sync toolkit (sync.c) serves them.
 *
 * A document is a libyjs y_doc, the MeshSchema it was created with and the
 * streams subscribed to it.  On disk it is two files:
 *  - its STATE FILE, at its path in room storage: the Yjs v1 full state
 *    (encodeStateAsUpdate), so that storage list/stat/exists/delete see the
 *    document as a plain file (spec §9.9);
 *  - its JOURNAL, in the room's private state folder (never visible to
 *    clients): "docs/<dir>.d/.../<name>.j" for the document "<dir>/.../
 *    <name>" (".d" on folders so that no journal name can clash with a
 *    folder name).  A journal starts with a header naming the schema of
 *    the document (its JSON, which is how an existing document keeps the
 *    schema it was created with) and the identity (inode, size) of the
 *    state file its records apply to; then one record per accepted update
 *    (u32 length, u32 CRC-32, the v1 update).
 * Loading = state file + the journal's records, if the journal's identity
 * matches the state file (otherwise the state file was replaced after the
 * journal was written: by a compaction that already holds the records, or
 * by an upload) and only up to the first torn or corrupt record (a crash
 * in the middle of an append; that record was never acknowledged).
 *
 * Durability.  Every accepted update is appended to the journal by ONE
 * committer thread shared by all rooms, which batches whatever was queued
 * while it was busy, writes it, fdatasyncs each journal once per batch
 * (group commit) and then hands the batch back to the event loop (through
 * the `defer` function it was given: srv_defer in the server), where the
 * batch's updates are applied to the live document, fanned out to the
 * subscribers (merged: one update per document and batch) and
 * acknowledged.  So an update is acknowledged, and seen by anyone else,
 * only once it is on disk.  When the journal grows past compact_bytes, or
 * the last user of a document goes away, or on flush, the full state is
 * written to the state file (temp + fsync + rename + fsync of the folder)
 * and the journal restarts empty (same dance): "compaction", also done by
 * the committer thread.
 *
 * Validation (decision 9).  An incoming update is first applied to a
 * second replica, the "shadow" (the live document plus every update
 * accepted but not yet durable), and checked (level R + value types).
 * While the shadow is valid only what the update inserted is checked
 * (mesh_doc_validate_txn, from a transaction observer during the apply):
 * O(update), where a walk of the whole document per update made a burst
 * of edits to one document quadratic.  A document that is invalid already
 * gets the full walk (mesh_doc_validate).  If the shadow is invalid the
 * update is refused (the shadow is rebuilt from the live document, the
 * live document was never touched, nobody else sees anything); otherwise
 * the exact new part of the update (the shadow's update event) is queued
 * for the journal.  Updates that bring nothing new (the SDK echoes every
 * update it receives) are acknowledged without validation or disk write
 * (but in order, after what was queued before them).  A document that was
 * already invalid when loaded (written by someone else) accepts an update
 * unless it adds errors.  The shadow exists only while the document is
 * being edited.
 *
 * Memory of idle documents.  Documents with the same schema share one
 * parsed copy of it (and its JSON forms).  An open document nobody used
 * (no update, state or describe) for a few seconds is compacted, then its
 * live replica is freed ("evicted"); the next use loads it again from the
 * state file (which then holds everything).  So an open idle document
 * costs its bookkeeping and its subscribers, not its content.
 *
 * Threads.  Everything here runs in the event-loop thread (one thread owns
 * every y_doc), except the committer, which only touches files and byte
 * buffers.  The docstore opens files confined below the room's directory
 * descriptors (every segment with O_NOFOLLOW), so it is testable without a
 * server: tests/unit/test-docstore.c drives it with its own defer queue.
 *
 * Conventions: 0 or a negative errno, out parameters first; errors meant
 * for a client come in struct srv_doc_error (a protocol error code, spec
 * §8.4, and a one-line text).
 */
#ifndef MESHFS_DOCSTORE_H
#define MESHFS_DOCSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mesh.h"
#include "yjs.h"

#ifdef __cplusplus
extern "C" {
#endif

struct srv_doc_committer;
struct srv_docstore;
struct srv_doc;

/* What a client is told when something fails. */
struct srv_doc_error {
	int code; /* PROTO_ERR_* (proto.h), e.g. 1007 for "no schema" */
	char text[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 64];
};

/* ---- the committer thread (one per server) ------------------------- */

/*
 * defer(ctx, fn, arg) must run fn(arg) in the event-loop thread soon, and
 * exactly once (srv_defer).  It is called from the committer thread.
 */
typedef int (*srv_doc_defer_fn)(void *ctx, void (*fn)(void *arg), void *arg);

/* Starts the committer thread.  *out is owned by the caller. */
int srv_doc_committer_new(struct srv_doc_committer **out,
			  srv_doc_defer_fn defer, void *defer_ctx);

/*
 * Stops the thread (after it finished what is queued) and frees the
 * committer once no deferred call refers to it any more.  Free every
 * docstore that uses it first.  NULL is fine.
 */
void srv_doc_committer_free(struct srv_doc_committer *c);

/*
 * Runs the finished batches now (what the deferred call does): applies
 * durable updates to live documents, fans them out, calls the done
 * callbacks.  Loop thread.  Tests call it; the server need not.
 */
void srv_doc_committer_poll(struct srv_doc_committer *c);

/* ---- a room's documents -------------------------------------------- */

struct srv_docstore_config {
	int dirfd; /* the room's storage root (borrowed, kept open by caller) */
	int state_dirfd; /* the room's private state folder (borrowed) */
	struct srv_doc_committer *committer;
	const char *name; /* for log lines (copied) */
	/* journal bytes after which a document is compacted; 0 = 1 MiB */
	size_t compact_bytes;
	/* largest state file / journal loaded; 0 = 256 MiB */
	size_t max_doc_bytes;
};

int srv_docstore_new(struct srv_docstore **out,
		     const struct srv_docstore_config *cfg);

/*
 * Compacts every loaded document that has journal records and waits until
 * everything queued so far (by every room) is durable, then runs the
 * finished batches (srv_doc_committer_poll).  Blocks the calling (loop)
 * thread: for SIGTERM and for the storage hooks.
 */
void srv_docstore_flush(struct srv_docstore *ds);

/*
 * Flushes, then frees the docstore and every document it still holds
 * (subscribers are dropped without being told).  NULL is fine.
 */
void srv_docstore_free(struct srv_docstore *ds);

/* Number of loaded documents (tests, memory accounting). */
size_t srv_docstore_count(const struct srv_docstore *ds);
/* Number of them that have a shadow replica now (freed ~2 s after the
 * last update; tests). */
size_t srv_docstore_shadows(const struct srv_docstore *ds);

/* ---- opening documents --------------------------------------------- */

struct srv_doc_open_req {
	const char *path; /* normalised storage path (spec §9.1), not "" */
	bool create; /* create the document when it does not exist */
	bool exclusive; /* sync.create: an existing document is an error */
	/* for a NEW document (or one without a journal), in this order: */
	const cJSON *schema; /* explicit MeshSchema JSON, or NULL */
	const char *schema_path; /* normalised storage path, or NULL */
	const cJSON *json; /* document JSON to build it from, or NULL */
};

/*
 * Opens (loads, or creates) the document at req->path and returns a
 * reference (srv_doc_put).  Schema resolution (spec §10): an existing
 * document has the schema in its journal; a new one (or a state file that
 * came without a journal, e.g. uploaded) takes req->schema, else the file
 * at req->schema_path, else ".schemas/<ext>.json" in room storage (<ext>
 * after the last '.' of the file name).  A new document is built from
 * req->json when given (validated first, level R); it becomes durable (and
 * visible in storage) with the next committer batch: srv_doc_barrier
 * tells when.  *created (may be NULL) says whether it was created.
 * Errors (err filled):
 *   -ENOENT  1003 "document not found: <path>" (no create)
 *   -EEXIST  1004 "document already exists: <path>" (exclusive)
 *   -ENOENT  1007 "no schema found for <path>"
 *   -EINVAL  1002 an invalid schema or JSON (with its JSON pointer)
 *   -EIO etc 1008 I/O failure or a corrupt state file
 */
int srv_doc_open(struct srv_doc **out, bool *created, struct srv_docstore *ds,
		 const struct srv_doc_open_req *req, struct srv_doc_error *err);

/* Takes / drops a reference.  The last one unloads the document (after a
 * compaction if it has journal records). */
struct srv_doc *srv_doc_get(struct srv_doc *doc);
void srv_doc_put(struct srv_doc *doc);

/* True if a document (loaded, or a state file) exists at path. */
bool srv_doc_exists(struct srv_docstore *ds, const char *path);

const char *srv_doc_path(const struct srv_doc *doc);
const struct mesh_schema *srv_doc_schema(const struct srv_doc *doc);
/* The schema's JSON (MeshSchema.toJson form) for state chunk headers;
 * borrowed, valid while the document is referenced. */
const cJSON *srv_doc_schema_json(const struct srv_doc *doc);

/*
 * encodeStateAsUpdate of the durable document for a client with state
 * vector sv (NULL/0 = everything).  *out is malloc'd.  -EBADMSG for a
 * malformed vector; -EIO etc. when an evicted document cannot be loaded
 * again.
 */
int srv_doc_state(uint8_t **out, size_t *out_len, struct srv_doc *doc,
		  const uint8_t *sv, size_t sv_len);

/* The document's JSON form (mesh_doc_to_cjson, no ids) as a new tree
 * (loads an evicted document again; -errno when that fails). */
int srv_doc_describe(cJSON **out, struct srv_doc *doc);

/* The live y_doc (borrowed; tests and diagnostics only: never modify;
 * loads an evicted document again, NULL when that fails).  Valid until
 * the document is idle for a few seconds (eviction). */
struct y_doc *srv_doc_ydoc(struct srv_doc *doc);

/* ---- subscribers and updates ---------------------------------------- */

/* An update being fanned out; b64 is a cache any subscriber may fill
 * (malloc'd, freed by the docstore) so that it is encoded only once. */
struct srv_doc_update {
	const uint8_t *data;
	size_t len;
	char *b64;
	size_t b64_len;
};

/*
 * A subscriber (sync.c embeds one per open stream).  Set the callbacks,
 * then srv_doc_subscribe.  on_update gets every durable update of the
 * document (merged per batch), except one made only of updates this
 * subscriber sent itself.  on_gone: the document was deleted, moved or
 * replaced in storage; the subscriber has already been unsubscribed.
 */
struct srv_doc_sub {
	void (*on_update)(struct srv_doc_sub *sub, struct srv_doc_update *u);
	void (*on_gone)(struct srv_doc_sub *sub);
	/* docstore-private */
	struct srv_doc *doc;
	struct srv_doc_sub *prev, *next;
	uint64_t id;
};

/* Adds sub (which must stay valid until unsubscribed) to doc's list; the
 * subscription holds a document reference. */
void srv_doc_subscribe(struct srv_doc *doc, struct srv_doc_sub *sub);
/* Removes it (no-op when not subscribed) and drops that reference. */
void srv_doc_unsubscribe(struct srv_doc_sub *sub);
/* Subscribers of doc (tests). */
size_t srv_doc_subscribers(const struct srv_doc *doc);

/* Called in the loop thread once the update is durable (err 0) or failed
 * to be written (-errno). */
typedef void (*srv_doc_done_fn)(void *arg, int err);

/*
 * Offers a v1 update from subscriber `from` (may be NULL).  Refused (the
 * document unchanged, done never called) with:
 *   -EBADMSG 1002 "malformed update: ..."
 *   -EINVAL  1002 "update refused: <JSON pointer>: <why>" (schema)
 *   -ESTALE  1003 the document was deleted/moved meanwhile
 * Accepted (0): done(arg, 0) follows once it is durable, after every update
 * accepted before it (also when it carried nothing new).
 */
int srv_doc_apply(struct srv_doc *doc, const struct srv_doc_sub *from,
		  const uint8_t *update, size_t len, srv_doc_done_fn done,
		  void *arg, struct srv_doc_error *err);

/* done(arg, err) once everything queued before (in any room) is durable. */
int srv_doc_barrier(struct srv_docstore *ds, srv_doc_done_fn done, void *arg);

/* ---- storage hooks (srv.h; each blocks until the disk is quiet) ------ */

/* Before storage deletes path (a file, or a folder and what is below):
 * documents there are dropped (subscribers get on_gone) with their
 * journals. */
int srv_docstore_storage_delete(struct srv_docstore *ds, const char *path,
				bool is_folder);
/* Before storage renames src to dst: documents there are compacted and
 * dropped (on_gone); their journals move along. */
int srv_docstore_storage_move(struct srv_docstore *ds, const char *src,
			      const char *dst, bool is_folder);
/* Before an upload replaces path: the document there is dropped, with its
 * journal (the new file is a new document). */
int srv_docstore_storage_write(struct srv_docstore *ds, const char *path);
/* Before storage reads path: the document there is compacted, so that the
 * file holds every acknowledged update. */
int srv_docstore_storage_read(struct srv_docstore *ds, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_DOCSTORE_H */
