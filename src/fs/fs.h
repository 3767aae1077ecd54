/* SPDX-License-Identifier: MIT */
/*
 * fs.h - internal header of meshfs, the FUSE driver (src/fs).
 *
 * meshfs uses libfuse's high-level (path based) API over one room client
 * (client.h).  The pieces:
 *   main.c   options, the embedded room (server.h), mount and main loop
 *   ops.c    the FUSE operations: dispatch to the kinds of files below
 *   cache.c  path-keyed tables, the directory/attribute cache, and the
 *            worker thread that turns client events into kernel cache
 *            invalidations (never from the network thread itself)
 *   doc.c    documents: live sessions (ref-counted, lingering after the
 *            last close), renders, staged writes committed as merges
 *   plain.c  plain files staged in a local temp file, uploaded when dirty
 *   names.c  editor temp/swap/backup/lock names, which live only in the
 *            mount (a local "shadow" folder tree)
 *
 * Locking: mfs->lock guards every table of struct mfs; it is never held
 * across a call that waits for the server.  A handle's own state is
 * guarded by its lock; a document's render cache by doc->rlock.
 */
#ifndef MESHFS_FS_H
#define MESHFS_FS_H

#define FUSE_USE_VERSION 312
#include <fuse.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "client.h"
#include "mesh.h"
#include "proto.h"
#include "util.h"

/* ---- a small intrusive string-keyed hash table ------------------------ */

struct mfs_hent {
	struct mfs_hent *next;
	char *key; /* owned by the entry */
	uint64_t hash;
};

struct mfs_map {
	struct mfs_hent **b;
	size_t nb, n;
};

void mfs_map_init(struct mfs_map *m);
/* Frees the bucket array only (entries are the caller's). */
void mfs_map_free(struct mfs_map *m);
struct mfs_hent *mfs_map_get(const struct mfs_map *m, const char *key);
/* Inserts e (e->key set); the key must not be present.  0 or -ENOMEM. */
int mfs_map_put(struct mfs_map *m, struct mfs_hent *e);
/* Unlinks and returns the entry with key, or NULL. */
struct mfs_hent *mfs_map_del(struct mfs_map *m, const char *key);
/* Iteration: for (e = mfs_map_first(m, &i); e; e = mfs_map_next(m, e, &i)) */
struct mfs_hent *mfs_map_first(const struct mfs_map *m, size_t *i);
struct mfs_hent *mfs_map_next(const struct mfs_map *m, struct mfs_hent *e,
			      size_t *i);

/* ---- options and the file system ------------------------------------ */

struct mfs_opts {
	char *url; /* room URL, NULL = embedded room */
	char *mountpoint; /* absolute */
	char *room; /* -o room= */
	char *data; /* -o data= */
	char *token_file; /* -o token_file= */
	char *schemas; /* -o schemas= */
	char *rejected; /* -o rejected= */
	int port; /* -o port= */
	int timeout_s; /* -o timeout= */
	int max_docs; /* -o max_docs=: lingering documents kept open */
	int ids; /* -o ids */
	int ro; /* -o ro */
	int show_help, show_version;
	char *pos[2]; /* positional arguments */
	int npos;
	bool too_many;
};

struct mfs_render;
struct mfs_doc;
struct mfs_plain;
struct mfs_job;

struct mfs {
	struct mfs_opts o;
	struct room_client *client;
	struct srv *srv; /* embedded room, or NULL */
	struct fuse *fuse;
	char *room; /* the room's name */
	char *url; /* the room's URL */
	struct proto_token claims; /* our token, decoded (grants) */
	bool have_claims;
	unsigned render_flags; /* MESH_DOC_IDS with -o ids */
	uid_t uid;
	gid_t gid;

	char *rundir; /* private temp folder: shadow tree, staging files */
	int shadowfd; /* rundir/local: local-only names (editor files, dirs) */
	int stagefd; /* rundir/stage: staging files of plain files */
	char *rejected_dir; /* where rejected bytes are kept */

	pthread_mutex_t lock;
	struct mfs_map nodes; /* path -> struct mfs_node (cache.c) */
	struct mfs_map docs; /* path -> struct mfs_doc (doc.c) */
	struct mfs_map plains; /* path -> struct mfs_plain (plain.c) */
	struct mfs_map ghosts; /* path -> struct mfs_ghost (renamed away) */
	struct mfs_map pending; /* path -> struct mfs_pending (new docs) */
	/* extensions that have .schemas/<ext>.json */
	char **exts;
	size_t n_exts;
	bool exts_valid;
	uint64_t gen; /* bumped by every invalidation (cache races) */

	/* the worker (cache.c) */
	pthread_t worker;
	bool worker_started;
	pthread_cond_t cond;
	bool stopping;
	struct mfs_job *jobs, *jobs_tail;
};

/* ---- cache.c --------------------------------------------------------- */

/* A path's cached state. */
struct mfs_node {
	struct mfs_hent h;
	bool have_attr;
	struct stat st;
	bool have_list; /* folder: entries below */
	struct room_entry *list;
	size_t nlist;
	char *error; /* user.meshfs.error: the last commit error */
};

/* A document or file an editor renamed away (x -> x~): hidden from the
 * mount until it is re-created, deleted in the room when it is not. */
struct mfs_ghost {
	struct mfs_hent h;
	int64_t until_ms; /* monotonic */
	bool is_doc;
};

/* A document created in the mount, not yet on the server. */
struct mfs_pending {
	struct mfs_hent h;
	int refs;
	size_t size;
	int64_t mtime_ms;
};

int mfs_cache_init(struct mfs *m);
void mfs_cache_free(struct mfs *m);
int mfs_worker_start(struct mfs *m);
void mfs_worker_stop(struct mfs *m);

/* Caller holds m->lock.  Returns the node for path, creating it. */
struct mfs_node *mfs_node_get(struct mfs *m, const char *path, bool create);
/* Forgets the cached attributes of path and the listing of its parent
 * (and its own listing).  Caller holds m->lock. */
void mfs_cache_forget(struct mfs *m, const char *path);
/* Everything (after a reconnect).  Caller holds m->lock. */
void mfs_cache_forget_all(struct mfs *m);
/* Fills st for a room entry. */
void mfs_entry_stat(struct mfs *m, struct stat *st, const struct room_entry *e,
		    const char *path);
/* Sets (msg != NULL) or clears the error of path. */
void mfs_set_error(struct mfs *m, const char *path, const char *msg);

/*
 * The listing of folder path from the cache or the server.  *out is a copy
 * (free with room_entries_free).  -ENOENT when the folder is not in the
 * room.
 */
int mfs_list(struct mfs *m, const char *path, struct room_entry **out,
	     size_t *n);
/*
 * The room's view of path as attributes: from the cache (the node, the
 * parent's listing) or storage stat.  -ENOENT when missing.
 */
int mfs_lookup(struct mfs *m, const char *path, struct stat *st);

/* Queues a kernel cache invalidation of path (any thread). */
void mfs_queue_inval(struct mfs *m, const char *path);
/* Queues a storage event (network thread). */
void mfs_queue_event(struct mfs *m, const struct room_file_event *ev);
/* Queues "drop every cached entry" (network thread, after reconnect). */
void mfs_queue_reset(struct mfs *m);
/* Queues the last close of a document (doc.c) to the worker. */
void mfs_queue_doc_close(struct mfs *m, struct mfs_doc *d);

/* Extensions: true when path is a document (its extension has a schema). */
bool mfs_is_doc_path(struct mfs *m, const char *path);
/* "a/b/c" -> "a/b", "c" -> "" (newly allocated). */
char *mfs_parent(const char *path);
const char *mfs_basename(const char *path);
/* The room path of a FUSE path: "/a/b" -> "a/b", "/" -> "". */
static inline const char *mfs_rel(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}
/* errno for a failed client call that needed the server. */
int mfs_net_err(int r);

/* ---- names.c --------------------------------------------------------- */

/* True when the last segment of path is an editor temp, swap, backup or
 * lock name: it lives only in the mount. */
bool mfs_name_is_local(const char *path);
/* Shadow tree: makes the folders above rel (relative path) exist. */
int mfs_shadow_mkparents(struct mfs *m, const char *rel);
/* "." for "", else rel. */
static inline const char *mfs_shadow_rel(const char *rel)
{
	return *rel ? rel : ".";
}

/* ---- doc.c ----------------------------------------------------------- */

struct mfs_render {
	int refs;
	char *text;
	size_t len;
	struct mesh_render_index *index;
	uint64_t rev;
};

struct mfs_doc {
	struct mfs_hent h; /* key: room path */
	struct mfs *m;
	struct room_doc *d;
	int refs; /* users; 0 = lingering (kept open, LRU) */
	int listener;
	pthread_mutex_t rlock; /* cur */
	struct mfs_render *cur;
	int64_t last_used; /* monotonic ms */
	uint64_t kernel_rev; /* revision the kernel's page cache holds */
	bool writable;
	size_t staged; /* >0: a handle has this many staged bytes */
	bool dead; /* deleted or moved in the room: no more users */
};

void mfs_render_put(struct mfs_render *r);
/* A reference to an open document (opening it if needed).  -ENOENT. */
int mfs_doc_get(struct mfs *m, const char *path, struct mfs_doc **out);
void mfs_doc_put(struct mfs_doc *d);
/* The render of the current revision (a new reference). */
int mfs_doc_render(struct mfs_doc *d, struct mfs_render **out);
/* Closes idle documents beyond the limit (worker). */
void mfs_docs_trim(struct mfs *m, bool all);
/* Forgets the lingering session of path (deleted/moved in the room). */
void mfs_doc_forget(struct mfs *m, const char *path);
/*
 * Commits text as a new revision of the open document d: merge against
 * base (its text and index; NULL = the current render).  wait: wait for
 * the server's ack (fsync).  On -EINVAL, the error is recorded and the
 * bytes are kept (mfs_reject).
 */
int mfs_doc_commit(struct mfs_doc *d, struct mfs_render *base, const char *text,
		   size_t len, bool wait);
/* Creates the document path with text (NULL: empty, schema inferred). */
int mfs_doc_create(struct mfs *m, const char *path, const char *text,
		   size_t len);
/* Keeps rejected bytes and records the error (for docs and schemas). */
void mfs_reject(struct mfs *m, const char *path, const char *text, size_t len,
		const char *msg);

/* ---- plain.c --------------------------------------------------------- */

struct mfs_plain {
	struct mfs_hent h; /* key: room path */
	struct mfs *m;
	pthread_mutex_t lock;
	int refs;
	int fd; /* staging file */
	bool loaded; /* fd holds the room's content (or replaced it) */
	bool dirty; /* to upload */
	bool stale; /* changed in the room while cached: reload when idle */
	int64_t last_used;
	uint64_t gen; /* content generation (keep_cache) */
	uint64_t kernel_gen;
};

/* A reference to the staging state of path.  trunc: start empty and
 * dirty (O_TRUNC, a new file). */
int mfs_plain_get(struct mfs *m, const char *path, bool trunc,
		  struct mfs_plain **out);
void mfs_plain_put(struct mfs_plain *p);
int mfs_plain_read(struct mfs_plain *p, char *buf, size_t size, off_t off);
int mfs_plain_write(struct mfs_plain *p, const char *buf, size_t size,
		    off_t off);
int mfs_plain_truncate(struct mfs_plain *p, off_t size);
int mfs_plain_size(struct mfs_plain *p, off_t *size);
/* Uploads if dirty. */
int mfs_plain_commit(struct mfs_plain *p);
/* Drops cached content of path (changed in the room). */
void mfs_plain_forget(struct mfs *m, const char *path);
void mfs_plains_trim(struct mfs *m, bool all);
/* Frees every staging file (unmount; uploads what is still dirty). */
void mfs_plains_free(struct mfs *m);
/* The whole content of a room file (doc or plain) for rename-over. */
int mfs_read_all(struct mfs *m, const char *path, char **out, size_t *len);

/* ---- ops.c ----------------------------------------------------------- */

/* Unmount: releases (commits and frees) the handles still open, whose
 * release the kernel never sent.  After the FUSE loop ended. */
void mfs_release_all(struct mfs *m);

extern const struct fuse_operations mfs_ops;

#endif /* MESHFS_FS_H */
