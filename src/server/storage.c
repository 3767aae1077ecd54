/* SPDX-License-Identifier: MIT */
/*
 * storage.c - the `storage` toolkit (spec §11): list, exists, stat, delete,
 * move, download_url (plain requests) and upload / download (pull-based
 * streams), with the file events of §11.9 sent to every participant of the
 * room, the actor included.
 *
 * Files live under the room's folder; every access goes through the
 * confined openat() walk of paths.c (no "..", no symlinks).  Documents are
 * files too (written by the docstore): a delete, move or upload touching a
 * path first runs the docstore's hooks (srv_hook_storage_*), so an open
 * document never resurrects a deleted file.
 *
 * Grants (spec §2.5; the real server gates fewer calls, see the man page):
 * upload, delete and move need write access to every path they touch;
 * download and download_url need read access; list, exists and stat need
 * the `storage` API scope but are not path-filtered (a client must be able
 * to walk to the folders it was granted).
 *
 * Uploads write a temp file in the destination folder and commit it with
 * fsync + rename + fsync of the folder, so a file is always either its old
 * or its new content, even across a crash.
 *
 * Blocking disk I/O runs in a worker thread per server (one FIFO queue, so
 * the jobs of one stream stay in order), never in the event loop: one slow
 * disk must not stall every connection.  The worker runs upload writes,
 * fsyncs, download reads, and recursive removals; each job's "done" half
 * runs back in the loop thread (srv_defer) and answers the client.  What
 * must stay atomic with the docstore hooks (the rename of an upload, of a
 * move, of a deleted path to a hidden trash name) stays in the loop: a
 * rename is a metadata change, not a data flush.  Metadata reads (list,
 * stat, opening a file) also stay in the loop.
 *
 * Durability order: an upload's close chunk is answered, its control/close
 * sent and its storage.file.updated event emitted only after the file and
 * its folder are fsynced; delete and move answer after their folders are.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

/* Pull size asked of uploaders, and the bounds of a download's chunk_size. */
#define STORAGE_PULL (64 * 1024)
#define STORAGE_CHUNK_MAX (4u << 20)

/* ---------------------------------------------------------------------
 * The worker thread
 * --------------------------------------------------------------------- */

/*
 * A job: work() runs in the worker thread and touches only what the job
 * owns (its fds, buffers, and the xfer of a call it references: the xfer
 * is not used by the loop while a job of it is queued); done() runs in the
 * loop thread and releases the job's references.
 */
struct job {
	void (*work)(struct job *j);
	void (*done)(struct job *j);
	struct srv *srv;
	struct srv_call *call; /* referenced, or NULL */
	struct srv_conn *conn; /* referenced, or NULL */
	uint64_t msg_id;
	int r; /* work's result: 0 or -errno */
	int fd1, fd2; /* owned folder fds (delete, move), or -1 */
	char *path1, *path2; /* owned */
	char trash[sizeof(SRV_TMP_PREFIX) + 20]; /* to remove, or "" */
	uint8_t *buf; /* owned */
	size_t len;
	struct job *next;
};

/* One per server, reached through the toolkit's priv. */
struct storage_state {
	struct srv_toolkit tk; /* first */
	struct srv *srv;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	bool stop;
	bool started;
	pthread_t thread;
};

static struct storage_state *state_of(struct srv *srv)
{
	const struct srv_toolkit *tk = srv_toolkit_find(srv, "storage");

	return tk ? tk->priv : NULL;
}

static void job_free(struct job *j)
{
	if (j->fd1 >= 0)
		close(j->fd1);
	if (j->fd2 >= 0)
		close(j->fd2);
	if (j->call)
		srv_call_put(j->call);
	if (j->conn)
		srv_conn_put(j->conn);
	free(j->path1);
	free(j->path2);
	free(j->buf);
	free(j);
}

static void job_done(void *arg)
{
	struct job *j = arg;

	j->done(j);
	job_free(j);
}

static struct job *job_new(struct srv *srv, void (*work)(struct job *),
			   void (*done)(struct job *))
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->srv = srv;
	j->work = work;
	j->done = done;
	j->fd1 = j->fd2 = -1;
	return j;
}

/* Hands the finished job back to the loop thread. */
static void job_finish(struct job *j)
{
	/* srv_defer only fails without memory; the answer must not be
	 * lost, so wait for some to come back. */
	while (srv_defer(j->srv, job_done, j) < 0)
		usleep(1000);
}

static void *worker_main(void *arg)
{
	struct storage_state *st = arg;
	struct job *j;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (!st->head && !st->stop)
			pthread_cond_wait(&st->cond, &st->lock);
		j = st->head;
		if (!j)
			break; /* stop, and the queue is drained */
		st->head = j->next;
		if (!st->head)
			st->tail = NULL;
		pthread_mutex_unlock(&st->lock);
		j->work(j);
		job_finish(j);
		pthread_mutex_lock(&st->lock);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* Queues a job (loop thread).  Once the worker stopped (srv_free), the
 * work runs right here. */
static void job_submit(struct job *j)
{
	struct storage_state *st = state_of(j->srv);

	pthread_mutex_lock(&st->lock);
	if (!st->stop && st->started) {
		j->next = NULL;
		if (st->tail)
			st->tail->next = j;
		else
			st->head = j;
		st->tail = j;
		pthread_cond_signal(&st->cond);
		pthread_mutex_unlock(&st->lock);
		return;
	}
	pthread_mutex_unlock(&st->lock);
	j->work(j);
	job_done(j);
}

/* fsync with EINTR retry; 0 or -errno. */
static int sync_fd(int fd)
{
	int r;

	do
		r = fsync(fd);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* ---------------------------------------------------------------------
 * Entries and timestamps
 * --------------------------------------------------------------------- */

/* YYYY-MM-DDTHH:MM:SS.ffffff+00:00 (spec §11.3). */
static void format_time(char out[64], int64_t sec, uint32_t nsec)
{
	struct tm tm;
	time_t t = (time_t)sec;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+00:00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (nsec / 1000) % 1000000);
}

/* Adds name/is_folder/size/created_at/updated_at to obj. */
static int add_entry_fields(cJSON *obj, const char *name,
			    const struct statx *st)
{
	bool dir = S_ISDIR(st->stx_mode);
	char ts[64];

	if (!cJSON_AddStringToObject(obj, "name", name) ||
	    !cJSON_AddBoolToObject(obj, "is_folder", dir))
		return -ENOMEM;
	if (dir ? !cJSON_AddNullToObject(obj, "size") :
		  !cJSON_AddNumberToObject(obj, "size", (double)st->stx_size))
		return -ENOMEM;
	if (st->stx_mask & STATX_BTIME)
		format_time(ts, st->stx_btime.tv_sec, st->stx_btime.tv_nsec);
	else
		format_time(ts, st->stx_mtime.tv_sec, st->stx_mtime.tv_nsec);
	if (!cJSON_AddStringToObject(obj, "created_at", ts))
		return -ENOMEM;
	format_time(ts, st->stx_mtime.tv_sec, st->stx_mtime.tv_nsec);
	if (!cJSON_AddStringToObject(obj, "updated_at", ts))
		return -ENOMEM;
	return 0;
}

static bool hidden_name(const char *name)
{
	return !strncmp(name, SRV_TMP_PREFIX, sizeof(SRV_TMP_PREFIX) - 1);
}

/*
 * Looks a normalised path up without following anything: 0 and *st
 * filled, -ENOENT (missing, or a hidden temp file), -ELOOP (a symlink on
 * the way or at the end), other -errno.  The root "" is a folder.
 */
static int lookup(struct statx *st, struct srv_room *room, const char *path)
{
	const char *base;
	int dfd, r;

	if (!*path) {
		r = statx(room->dirfd, "", AT_EMPTY_PATH,
			  STATX_BASIC_STATS | STATX_BTIME, st);
		return r < 0 ? -errno : 0;
	}
	r = srv_room_parent(&dfd, &base, room, path, false);
	if (r < 0)
		return r == -ENOTDIR ? -ENOENT : r;
	if (hidden_name(base)) {
		close(dfd);
		return -ENOENT;
	}
	r = statx(dfd, base, AT_SYMLINK_NOFOLLOW,
		  STATX_BASIC_STATS | STATX_BTIME, st);
	r = r < 0 ? -errno : 0;
	close(dfd);
	if (r == 0 && S_ISLNK(st->stx_mode))
		return -ELOOP;
	if (r == 0 && !S_ISREG(st->stx_mode) && !S_ISDIR(st->stx_mode))
		return -ENOENT;
	return r;
}

/* ---------------------------------------------------------------------
 * Argument helpers
 * --------------------------------------------------------------------- */

/* The JSON object of a request's arguments (json content), or NULL. */
static const cJSON *args_json(const struct proto_content *args)
{
	if (args->type != PROTO_CONTENT_JSON || !cJSON_IsObject(args->json))
		return NULL;
	return args->json;
}

/*
 * Reads and normalises args[key] into *out; on failure answers the
 * request (3004 / 1002) and returns a negative value.
 */
static int arg_path(char **out, struct srv_conn *conn, uint64_t id,
		    const cJSON *args, const char *key)
{
	const char *p = srv_json_str(args, key);
	int r;

	*out = NULL;
	if (!p) {
		srv_respond_error(conn, id, PROTO_ERR_INVALID_REQUEST,
				  "missing string argument '%s'", key);
		return -EINVAL;
	}
	r = srv_path_norm(out, p);
	if (r == -ENOMEM) {
		srv_respond_error(conn, id, PROTO_ERR_OPERATION_FAILED,
				  "out of memory");
		return r;
	}
	if (r < 0) {
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_INVALID_PATH,
				  "invalid path: %s", p);
		return r;
	}
	return 0;
}

/* Answers an errno from a lookup/IO on `path` with the matching code. */
static void respond_errno(struct srv_conn *conn, uint64_t id, int r,
			  const char *path)
{
	switch (r) {
	case -ENOENT:
	case -ENOTDIR:
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_NOT_FOUND,
				  "not found: %s", path);
		break;
	case -ELOOP:
	case -EINVAL:
	case -ENAMETOOLONG:
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_INVALID_PATH,
				  "invalid path (symbolic links are not "
				  "followed): %s",
				  path);
		break;
	case -EBUSY:
		srv_respond_error(conn, id, PROTO_ERR_CONFLICT, "%s is busy",
				  path);
		break;
	case -EEXIST:
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_ALREADY_EXISTS,
				  "already exists: %s", path);
		break;
	default:
		srv_respond_error(conn, id, PROTO_ERR_OPERATION_FAILED,
				  "%s: %s", path, strerror(-r));
	}
}

static bool can_use_storage(struct srv_conn *conn, uint64_t id)
{
	if (proto_token_api_allows(&conn->token, "storage"))
		return true;
	srv_respond_error(conn, id, PROTO_ERR_PERMISSION_DENIED,
			  "the token does not grant storage access");
	return false;
}

static bool can(struct srv_conn *conn, uint64_t id, const char *path,
		bool write)
{
	if (srv_conn_can(conn, SRV_STORAGE, path, write))
		return true;
	srv_respond_error(conn, id, PROTO_ERR_PERMISSION_DENIED,
			  "%s access to %s is not granted",
			  write ? "write" : "read", path);
	return false;
}

static void event_path(struct srv_room *room, const char *type,
		       const char *path, const struct srv_conn *actor)
{
	cJSON *h = cJSON_CreateObject();

	if (h && cJSON_AddStringToObject(h, "path", path) &&
	    cJSON_AddStringToObject(h, "participant_id", actor->participant_id))
		srv_room_event(room, type, h);
	cJSON_Delete(h);
}

/* ---------------------------------------------------------------------
 * list, exists, stat
 * --------------------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
		    *y = *(const cJSON *const *)b;

	return strcmp(srv_json_str(x, "name"), srv_json_str(y, "name"));
}

static int tool_list(struct srv_conn *conn, uint64_t id, const cJSON *args)
{
	cJSON *reply = NULL, *files, **v = NULL;
	struct dirent *de;
	struct statx st;
	DIR *dir = NULL;
	char *path;
	size_t n = 0, cap = 0, i;
	int fd, r;

	if (arg_path(&path, conn, id, args, "path") < 0)
		return 0;
	r = lookup(&st, conn->room, path);
	if (r == 0 && !S_ISDIR(st.stx_mode)) {
		srv_respond_error(conn, id, PROTO_ERR_INVALID_REQUEST,
				  "not a folder: %s", path);
		goto out;
	}
	if (r == 0)
		r = srv_room_open(&fd, conn->room, path, O_RDONLY | O_DIRECTORY,
				  0);
	if (r < 0) {
		respond_errno(conn, id, r, path);
		goto out;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		respond_errno(conn, id, -errno, path);
		goto out;
	}
	while ((de = readdir(dir))) {
		cJSON *e;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    hidden_name(de->d_name))
			continue;
		if (statx(dirfd(dir), de->d_name, AT_SYMLINK_NOFOLLOW,
			  STATX_BASIC_STATS | STATX_BTIME, &st) < 0)
			continue;
		if (!S_ISREG(st.stx_mode) && !S_ISDIR(st.stx_mode))
			continue; /* symlinks, devices: not storage */
		if (n == cap) {
			cJSON **nv;

			cap = cap ? cap * 2 : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto oom;
			v = nv;
		}
		e = cJSON_CreateObject();
		if (!e)
			goto oom;
		v[n++] = e;
		if (add_entry_fields(e, de->d_name, &st) < 0)
			goto oom;
	}
	/* qsort's arguments must be valid even for n == 0 (UBSan). */
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_entry);
	reply = cJSON_CreateObject();
	files = cJSON_AddArrayToObject(reply, "files");
	if (!files)
		goto oom;
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(files, v[i]);
	n = 0;
	srv_respond_json(conn, id, reply);
	goto out;
oom:
	srv_respond_error(conn, id, PROTO_ERR_OPERATION_FAILED,
			  "out of memory");
out:
	for (i = 0; i < n; i++)
		cJSON_Delete(v[i]);
	free(v);
	cJSON_Delete(reply);
	if (dir)
		closedir(dir);
	free(path);
	return 0;
}

static int tool_exists_stat(struct srv_conn *conn, uint64_t id,
			    const cJSON *args, bool full)
{
	struct statx st;
	cJSON *reply;
	char *path;
	int r;

	if (arg_path(&path, conn, id, args, "path") < 0)
		return 0;
	r = lookup(&st, conn->room, path);
	if (r < 0 && r != -ENOENT) {
		respond_errno(conn, id, r, path);
		goto out;
	}
	reply = cJSON_CreateObject();
	if (!reply || !cJSON_AddBoolToObject(reply, "exists", r == 0) ||
	    (r == 0 && full &&
	     add_entry_fields(reply, srv_path_base(path), &st) < 0))
		srv_respond_error(conn, id, PROTO_ERR_OPERATION_FAILED,
				  "out of memory");
	else
		srv_respond_json(conn, id, reply);
	cJSON_Delete(reply);
out:
	free(path);
	return 0;
}

/* ---------------------------------------------------------------------
 * delete, move
 * --------------------------------------------------------------------- */

/* Removes name (below dirfd) and everything in it, never following links. */
static int rm_tree(int parent, const char *name)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd, r = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 ? -errno : 0;
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = rm_tree(dirfd(dir), de->d_name);
		if (r < 0)
			break;
	}
	closedir(dir);
	if (r < 0)
		return r;
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static bool folder_empty(int parent, const char *name)
{
	struct dirent *de;
	bool empty = true;
	DIR *dir;
	int fd;

	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return false;
	}
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(dir);
	return empty;
}

/* A fresh hidden name (SRV_TMP_PREFIX + 16 hex digits). */
static int tmp_name(char out[sizeof(SRV_TMP_PREFIX) + 20])
{
	unsigned char rnd[8];
	int r = util_random(rnd, sizeof(rnd));

	if (r < 0)
		return r;
	snprintf(out, sizeof(SRV_TMP_PREFIX) + 20,
		 SRV_TMP_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return 0;
}

/*
 * Moves name (in folder fd) out of the way under a hidden trash name, for
 * the worker to remove (rm_tree of a large folder is slow; the rename is
 * what clients see, atomically with the docstore hooks).
 */
static int to_trash(struct job *j, int fd, const char *name)
{
	int r = tmp_name(j->trash);

	if (r == 0 && renameat2(fd, name, fd, j->trash, RENAME_NOREPLACE) < 0)
		r = -errno;
	if (r < 0)
		j->trash[0] = '\0';
	return r;
}

/* Worker: removes the trash (fd1) and fsyncs the folders fd1, fd2. */
static void work_remove_sync(struct job *j)
{
	int r;

	if (j->trash[0]) {
		r = rm_tree(j->fd1, j->trash);
		if (r < 0)
			util_log_warn("storage: removing %s (was %s): %s",
				      j->trash, j->path2 ? j->path2 : j->path1,
				      strerror(-r));
	}
	if (j->r < 0)
		return; /* the operation failed in the loop */
	j->r = sync_fd(j->fd1);
	if (j->r == 0 && j->fd2 >= 0)
		j->r = sync_fd(j->fd2);
}

static void done_delete(struct job *j)
{
	if (j->r < 0)
		srv_respond_error(j->conn, j->msg_id,
				  PROTO_ERR_OPERATION_FAILED,
				  "%s was deleted but not made durable: %s",
				  j->path1, strerror(-j->r));
	else
		srv_respond(j->conn, j->msg_id, NULL);
	/* The path is gone either way: tell everyone. */
	event_path(j->conn->room, PROTO_TYPE_FILE_DELETED, j->path1, j->conn);
}

static int tool_delete(struct srv_conn *conn, uint64_t id, const cJSON *args)
{
	bool recursive = srv_json_bool(args, "recursive", false);
	struct job *j = NULL;
	struct statx st;
	const char *base;
	char *path;
	int dfd = -1, r;

	if (arg_path(&path, conn, id, args, "path") < 0)
		return 0;
	if (!*path) {
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_INVALID_PATH,
				  "the room's root folder cannot be deleted");
		goto out;
	}
	if (!can(conn, id, path, true))
		goto out;
	r = lookup(&st, conn->room, path);
	if (r == 0)
		r = srv_room_parent(&dfd, &base, conn->room, path, false);
	if (r < 0) {
		respond_errno(conn, id, r, path);
		goto out;
	}
	if (S_ISDIR(st.stx_mode) && !recursive && !folder_empty(dfd, base)) {
		srv_respond_error(conn, id,
				  PROTO_ERR_STORAGE_RECURSIVE_REQUIRED,
				  "%s is a folder that is not empty (recursive "
				  "delete required)",
				  path);
		goto out;
	}
	j = job_new(conn->srv, work_remove_sync, done_delete);
	if (!j) {
		respond_errno(conn, id, -ENOMEM, path);
		goto out;
	}
	r = srv_hook_storage_delete(conn->room, path, S_ISDIR(st.stx_mode));
	if (r == 0)
		r = to_trash(j, dfd, base);
	if (r < 0) {
		respond_errno(conn, id, r, path);
		goto out;
	}
	j->conn = srv_conn_get(conn);
	j->msg_id = id;
	j->fd1 = dfd;
	j->path1 = path;
	dfd = -1;
	path = NULL;
	job_submit(j);
	j = NULL;
out:
	if (j)
		job_free(j);
	if (dfd >= 0)
		close(dfd);
	free(path);
	return 0;
}

static void done_move(struct job *j)
{
	cJSON *h;

	if (j->r < 0 && !j->len) {
		/* refused or failed before the rename: nothing moved */
		respond_errno(j->conn, j->msg_id, j->r, j->path1);
		return;
	}
	if (j->r < 0)
		srv_respond_error(j->conn, j->msg_id,
				  PROTO_ERR_OPERATION_FAILED,
				  "%s was moved to %s but not made durable: %s",
				  j->path1, j->path2, strerror(-j->r));
	else
		srv_respond(j->conn, j->msg_id, NULL);
	h = cJSON_CreateObject();
	if (h && cJSON_AddStringToObject(h, "source_path", j->path1) &&
	    cJSON_AddStringToObject(h, "destination_path", j->path2) &&
	    cJSON_AddStringToObject(h, "participant_id",
				    j->conn->participant_id))
		srv_room_event(j->conn->room, PROTO_TYPE_FILE_MOVED, h);
	cJSON_Delete(h);
}

static int tool_move(struct srv_conn *conn, uint64_t id, const cJSON *args)
{
	bool overwrite = srv_json_bool(args, "overwrite", false);
	char *src = NULL, *dst = NULL;
	const char *sbase, *dbase;
	struct statx sst, dst_st;
	int sfd = -1, dfd = -1, r;
	struct job *j = NULL;
	size_t sl;

	if (arg_path(&src, conn, id, args, "source_path") < 0 ||
	    arg_path(&dst, conn, id, args, "destination_path") < 0)
		goto out;
	sl = strlen(src);
	if (!*src || !*dst) {
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_INVALID_PATH,
				  "the room's root folder cannot be moved");
		goto out;
	}
	if (!strncmp(dst, src, sl) && dst[sl] == '/') {
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_INVALID_PATH,
				  "cannot move %s into itself", src);
		goto out;
	}
	if (!can(conn, id, src, true) || !can(conn, id, dst, true))
		goto out;
	r = lookup(&sst, conn->room, src);
	if (r < 0) {
		respond_errno(conn, id, r, src);
		goto out;
	}
	if (!strcmp(src, dst)) {
		srv_respond(conn, id, NULL);
		goto out;
	}
	r = lookup(&dst_st, conn->room, dst);
	if (r == 0 && !overwrite) {
		srv_respond_error(conn, id, PROTO_ERR_STORAGE_ALREADY_EXISTS,
				  "already exists: %s", dst);
		goto out;
	}
	if (r < 0 && r != -ENOENT) {
		respond_errno(conn, id, r, dst);
		goto out;
	}
	r = srv_room_parent(&sfd, &sbase, conn->room, src, false);
	if (r == 0)
		r = srv_room_parent(&dfd, &dbase, conn->room, dst, true);
	if (r < 0) {
		respond_errno(conn, id, r, r == -ENOENT ? src : dst);
		goto out;
	}
	j = job_new(conn->srv, work_remove_sync, done_move);
	if (!j) {
		respond_errno(conn, id, -ENOMEM, src);
		goto out;
	}
	j->conn = srv_conn_get(conn);
	j->msg_id = id;
	if (lookup(&dst_st, conn->room, dst) == 0 &&
	    (S_ISDIR(dst_st.stx_mode) || S_ISDIR(sst.stx_mode))) {
		/* rename(2) cannot replace a folder or put a folder over
		 * a file: the overwritten destination goes first. */
		r = srv_hook_storage_delete(conn->room, dst,
					    S_ISDIR(dst_st.stx_mode));
		if (r == 0)
			r = to_trash(j, dfd, dbase);
		if (r < 0) {
			respond_errno(conn, id, r, dst);
			goto out;
		}
	}
	r = srv_hook_storage_move(conn->room, src, dst, S_ISDIR(sst.stx_mode));
	if (r == 0 && renameat(sfd, sbase, dfd, dbase) < 0)
		r = -errno;
	/* From here the job answers (the trash, if any, must go anyway). */
	j->r = r;
	j->len = r == 0;
	j->fd1 = dfd;
	j->fd2 = sfd;
	j->path1 = src;
	j->path2 = dst;
	dfd = sfd = -1;
	src = dst = NULL;
	job_submit(j);
	j = NULL;
out:
	if (j)
		job_free(j);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	free(src);
	free(dst);
	return 0;
}

static int tool_download_url(struct srv_conn *conn, uint64_t id,
			     const cJSON *args)
{
	struct statx st;
	char *path, *url = NULL;
	cJSON *reply;
	int r;

	if (arg_path(&path, conn, id, args, "path") < 0)
		return 0;
	if (!can(conn, id, path, false))
		goto out;
	r = lookup(&st, conn->room, path);
	if (r == 0 && !S_ISREG(st.stx_mode))
		r = -ENOENT;
	if (r < 0) {
		respond_errno(conn, id, r, path);
		goto out;
	}
	r = srv_download_url(&url, conn, path);
	reply = r < 0 ? NULL : cJSON_CreateObject();
	if (!reply || !cJSON_AddStringToObject(reply, "url", url))
		srv_respond_error(conn, id, PROTO_ERR_OPERATION_FAILED,
				  "out of memory");
	else
		srv_respond_json(conn, id, reply);
	cJSON_Delete(reply);
out:
	free(url);
	free(path);
	return 0;
}

static int storage_invoke(struct srv_conn *conn, uint64_t id, const char *tool,
			  const struct proto_content *args)
{
	const cJSON *a;

	if (strcmp(tool, "list") && strcmp(tool, "exists") &&
	    strcmp(tool, "stat") && strcmp(tool, "delete") &&
	    strcmp(tool, "move") && strcmp(tool, "download_url"))
		return -ENOSYS;
	a = args_json(args);
	if (!a) {
		srv_respond_error(conn, id, PROTO_ERR_INVALID_REQUEST,
				  "storage.%s takes a JSON object", tool);
		return 0;
	}
	if (!can_use_storage(conn, id))
		return 0;
	if (!strcmp(tool, "list"))
		return tool_list(conn, id, a);
	if (!strcmp(tool, "exists"))
		return tool_exists_stat(conn, id, a, false);
	if (!strcmp(tool, "stat"))
		return tool_exists_stat(conn, id, a, true);
	if (!strcmp(tool, "delete"))
		return tool_delete(conn, id, a);
	if (!strcmp(tool, "move"))
		return tool_move(conn, id, a);
	return tool_download_url(conn, id, a);
}

/* ---------------------------------------------------------------------
 * upload and download streams
 * --------------------------------------------------------------------- */

struct xfer {
	bool upload;
	bool started;
	char *path;
	/* upload */
	bool overwrite;
	bool have_size;
	uint64_t size; /* upload: announced (if have_size); download: file */
	uint64_t done; /* bytes written / sent (loop thread) */
	/* bytes handed to the worker: upload writes queued, download reads
	 * asked for (loop thread) */
	uint64_t queued;
	int werr; /* upload: first write error (worker thread only) */
	unsigned writes; /* upload: write jobs queued (loop thread) */
	bool pull_owed; /* upload: a pull waits for a queued write */
	bool close_pending; /* upload: the client's close chunk awaits */
	uint64_t close_id; /* its answer (after the commit) */
	int dirfd; /* upload: destination folder */
	const char *base; /* into path */
	char tmp[sizeof(SRV_TMP_PREFIX) + 20];
	int fd; /* upload: the temp file; download: the file */
	size_t chunk; /* download chunk size */
	unsigned reads; /* download: read jobs queued (loop thread) */
};

static void xfer_free(struct srv_call *call)
{
	struct xfer *x = call->data;

	if (!x)
		return;
	if (x->fd >= 0)
		close(x->fd);
	if (x->tmp[0] && x->dirfd >= 0)
		unlinkat(x->dirfd, x->tmp, 0);
	if (x->dirfd >= 0)
		close(x->dirfd);
	free(x->path);
	free(x);
	call->data = NULL;
}

static int storage_stream_open(struct srv_call *call)
{
	struct xfer *x;

	if (strcmp(call->tool, "upload") && strcmp(call->tool, "download"))
		return -ENOSYS;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->upload = !strcmp(call->tool, "upload");
	x->fd = x->dirfd = -1;
	call->data = x;
	return 0;
}

/* Fails the stream with an error chunk and closes it. */
static void fail(struct srv_call *call, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct srv_call *call, int code, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	srv_call_error(call, code, "%s", text);
	srv_call_close(call);
}

static void fail_errno(struct srv_call *call, int r, const char *path)
{
	switch (r) {
	case -ENOENT:
	case -ENOTDIR:
		fail(call, PROTO_ERR_STORAGE_NOT_FOUND, "not found: %s", path);
		break;
	case -ELOOP:
	case -EINVAL:
	case -ENAMETOOLONG:
		fail(call, PROTO_ERR_STORAGE_INVALID_PATH,
		     "invalid path (symbolic links are not followed): %s",
		     path);
		break;
	case -EISDIR:
		fail(call, PROTO_ERR_STORAGE_INVALID_PATH, "%s is a folder",
		     path);
		break;
	case -EEXIST:
		fail(call, PROTO_ERR_STORAGE_ALREADY_EXISTS,
		     "already exists: %s", path);
		break;
	case -EBUSY:
		fail(call, PROTO_ERR_CONFLICT, "%s is busy", path);
		break;
	default:
		fail(call, PROTO_ERR_OPERATION_FAILED, "%s: %s", path,
		     strerror(-r));
	}
}

/* The kind of a binary chunk, or NULL. */
static const char *chunk_kind(const struct proto_content *c)
{
	if (c->type != PROTO_CONTENT_BINARY)
		return NULL;
	return srv_json_str(c->headers, "kind");
}

static int send_pull(struct srv_call *call)
{
	cJSON *h = cJSON_CreateObject();
	int r = -ENOMEM;

	if (h && cJSON_AddStringToObject(h, "kind", "pull") &&
	    cJSON_AddNumberToObject(h, "chunk_size", STORAGE_PULL))
		r = srv_call_binary(call, h, NULL, 0);
	cJSON_Delete(h);
	return r;
}

/* Takes path from a start header and checks it; fails the call if bad. */
static int start_path(struct srv_call *call, struct xfer *x, const cJSON *h,
		      bool write)
{
	const char *p = srv_json_str(h, "path");
	int r;

	if (!p) {
		fail(call, PROTO_ERR_INVALID_REQUEST,
		     "the start chunk needs a string 'path'");
		return -EINVAL;
	}
	r = srv_path_norm(&x->path, p);
	if (r < 0 || !*x->path) {
		fail(call, PROTO_ERR_STORAGE_INVALID_PATH, "invalid path: %s",
		     p);
		return -EINVAL;
	}
	if (!proto_token_api_allows(&call->conn->token, "storage") ||
	    !srv_conn_can(call->conn, SRV_STORAGE, x->path, write)) {
		fail(call, PROTO_ERR_PERMISSION_DENIED,
		     "%s access to %s is not granted", write ? "write" : "read",
		     x->path);
		return -EPERM;
	}
	return 0;
}

static void upload_start(struct srv_call *call, struct xfer *x, const cJSON *h)
{
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(h, "size");
	struct stat st;
	int r;

	if (start_path(call, x, h, true) < 0)
		return;
	x->overwrite = srv_json_bool(h, "overwrite", false);
	if (cJSON_IsNumber(size)) {
		if (size->valuedouble < 0 ||
		    size->valuedouble > 9007199254740991.0) {
			fail(call, PROTO_ERR_INVALID_REQUEST, "invalid size");
			return;
		}
		x->have_size = true;
		x->size = (uint64_t)size->valuedouble;
	}
	r = srv_room_parent(&x->dirfd, &x->base, call->conn->room, x->path,
			    true);
	if (r < 0) {
		fail_errno(call, r == -ENOTDIR ? -EINVAL : r, x->path);
		return;
	}
	if (fstatat(x->dirfd, x->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			fail_errno(call, -ELOOP, x->path);
			return;
		}
		if (S_ISDIR(st.st_mode)) {
			fail_errno(call, -EISDIR, x->path);
			return;
		}
		if (!x->overwrite) {
			fail_errno(call, -EEXIST, x->path);
			return;
		}
	}
	r = tmp_name(x->tmp);
	if (r < 0) {
		x->tmp[0] = '\0';
		fail_errno(call, r, x->path);
		return;
	}
	x->fd = openat(x->dirfd, x->tmp,
		       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (x->fd < 0) {
		x->tmp[0] = '\0';
		fail_errno(call, -errno, x->path);
		return;
	}
	x->started = true;
	send_pull(call);
}

/* Worker: appends the chunk to the temp file (unless a write failed). */
static void work_write(struct job *j)
{
	struct xfer *x = j->call->data;
	const uint8_t *p = j->buf;
	size_t len = j->len;

	while (len && !x->werr) {
		ssize_t n = write(x->fd, p, len);

		if (n < 0 && errno != EINTR)
			x->werr = -errno;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	j->r = x->werr; /* for the loop: x->werr is the worker's */
}

static void done_write(struct job *j)
{
	struct srv_call *call = j->call;
	struct xfer *x = call->data;

	x->writes--;
	if (!srv_call_alive(call))
		return;
	if (j->r) {
		fail_errno(call, j->r, x->path);
		return;
	}
	x->done += j->len;
	if (x->pull_owed) {
		x->pull_owed = false;
		send_pull(call);
	}
}

static void upload_data(struct srv_call *call, struct xfer *x,
			const struct proto_content *c)
{
	struct job *j;

	if (x->have_size && x->queued + c->payload_len > x->size) {
		fail(call, PROTO_ERR_INVALID_REQUEST,
		     "upload of %s: more data than the announced size %llu",
		     x->path, (unsigned long long)x->size);
		return;
	}
	j = job_new(call->conn->srv, work_write, done_write);
	if (j && c->payload_len) {
		j->buf = malloc(c->payload_len);
		if (!j->buf) {
			job_free(j);
			j = NULL;
		}
	}
	if (!j) {
		fail_errno(call, -ENOMEM, x->path);
		return;
	}
	if (c->payload_len)
		memcpy(j->buf, c->payload, c->payload_len);
	j->len = c->payload_len;
	j->call = srv_call_get(call);
	x->queued += c->payload_len;
	x->writes++;
	job_submit(j);
	/*
	 * The next pull goes out while this chunk is written, so the disk
	 * write is off the client's round trip; with one write already
	 * queued it waits for that one, which bounds the memory an upload
	 * holds to two chunks.  A write error fails the call from done_write
	 * (the worker is FIFO: the commit comes after every write).
	 */
	if (x->writes <= 1)
		send_pull(call);
	else
		x->pull_owed = true;
}

/* Answers the client's close chunk of an upload, once. */
static void answer_close(struct srv_call *call, struct xfer *x)
{
	if (!x->close_pending)
		return;
	x->close_pending = false;
	srv_respond(call->conn, x->close_id, NULL);
}

/* Worker, commit step 3: the folder, so that the rename is durable. */
static void work_commit_dir(struct job *j)
{
	struct xfer *x = j->call->data;

	j->r = sync_fd(x->dirfd);
}

static void done_commit_dir(struct job *j)
{
	struct srv_call *call = j->call;
	struct xfer *x = call->data;
	struct srv_room *room = call->conn->room;

	if (j->r < 0) {
		util_log_warn("room %s: fsync of the folder of %s: %s",
			      room->name, x->path, strerror(-j->r));
		srv_call_error(call, PROTO_ERR_OPERATION_FAILED,
			       "%s was replaced but not made durable: %s",
			       x->path, strerror(-j->r));
	}
	/* control/close, the close chunk's answer, then the event (the
	 * file changed in any case) - spec §11.7 */
	srv_call_close(call);
	answer_close(call, x);
	event_path(room, PROTO_TYPE_FILE_UPDATED, x->path, call->conn);
}

/* Worker, commit step 1: the temp file's data. */
static void work_commit_file(struct job *j)
{
	struct xfer *x = j->call->data;

	j->r = x->werr ? x->werr : sync_fd(x->fd);
}

/* Loop, commit step 2: the docstore hook and the rename, together. */
static void done_commit_file(struct job *j)
{
	struct srv_call *call = j->call;
	struct xfer *x = call->data;
	struct job *next;
	int r = j->r;

	if (!srv_call_alive(call)) {
		answer_close(call, x); /* no-op on a dead connection */
		return; /* xfer_free removes the temp file */
	}
	if (r == 0)
		r = srv_hook_storage_write(call->conn->room, x->path);
	if (r == 0 && renameat2(x->dirfd, x->tmp, x->dirfd, x->base,
				x->overwrite ? 0 : RENAME_NOREPLACE) < 0)
		r = -errno;
	if (r < 0) {
		fail_errno(call, r, x->path);
		answer_close(call, x);
		return;
	}
	x->tmp[0] = '\0';
	next = job_new(call->conn->srv, work_commit_dir, done_commit_dir);
	if (!next) {
		/* in place, just not known durable: say so */
		fail(call, PROTO_ERR_OPERATION_FAILED,
		     "%s was replaced but not made durable: out of memory",
		     x->path);
		answer_close(call, x);
		event_path(call->conn->room, PROTO_TYPE_FILE_UPDATED, x->path,
			   call->conn);
		return;
	}
	next->call = srv_call_get(call);
	job_submit(next);
}

/*
 * The client's close chunk: commit the upload (fsync, rename, fsync of the
 * folder, in the worker and the loop in turn) and answer that chunk at
 * the end.  SRV_ANSWER_LATER, or 0 when the core answers it now.
 */
static int upload_commit(struct srv_call *call, struct xfer *x, uint64_t msg_id)
{
	struct job *j;

	if (x->have_size && x->queued != x->size) {
		fail(call, PROTO_ERR_INVALID_REQUEST,
		     "upload of %s: received %llu bytes, announced %llu",
		     x->path, (unsigned long long)x->queued,
		     (unsigned long long)x->size);
		return 0;
	}
	j = job_new(call->conn->srv, work_commit_file, done_commit_file);
	if (!j) {
		fail_errno(call, -ENOMEM, x->path);
		return 0;
	}
	j->call = srv_call_get(call);
	x->close_pending = true;
	x->close_id = msg_id;
	job_submit(j);
	return SRV_ANSWER_LATER;
}

static void download_start(struct srv_call *call, struct xfer *x,
			   const cJSON *h)
{
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(h, "chunk_size");
	struct stat st;
	cJSON *out;
	int r;

	if (start_path(call, x, h, false) < 0)
		return;
	x->chunk = STORAGE_PULL;
	if (cJSON_IsNumber(cs) && cs->valuedouble >= 1)
		x->chunk = cs->valuedouble > STORAGE_CHUNK_MAX ?
				   STORAGE_CHUNK_MAX :
				   (size_t)cs->valuedouble;
	srv_hook_storage_read(call->conn->room, x->path);
	if (hidden_name(srv_path_base(x->path)))
		r = -ENOENT;
	else
		r = srv_room_open(&x->fd, call->conn->room, x->path, O_RDONLY,
				  0);
	if (r == 0 && fstat(x->fd, &st) < 0)
		r = -errno;
	if (r == 0 && !S_ISREG(st.st_mode))
		r = S_ISDIR(st.st_mode) ? -EISDIR : -ENOENT;
	if (r < 0) {
		fail_errno(call, r, x->path);
		return;
	}
	x->size = (uint64_t)st.st_size;
	x->started = true;
	out = cJSON_CreateObject();
	if (!out || !cJSON_AddStringToObject(out, "kind", "start") ||
	    !cJSON_AddStringToObject(out, "name", srv_path_base(x->path)) ||
	    !cJSON_AddStringToObject(out, "mime_type",
				     proto_mime_type(srv_path_base(x->path))) ||
	    !cJSON_AddNumberToObject(out, "size", (double)x->size)) {
		cJSON_Delete(out);
		fail(call, PROTO_ERR_OPERATION_FAILED, "out of memory");
		return;
	}
	srv_call_binary(call, out, NULL, 0);
	cJSON_Delete(out);
	if (x->size == 0)
		srv_call_close(call);
}

/* Worker: reads the next chunk (j->len bytes at j->msg_id). */
static void work_read(struct job *j)
{
	struct xfer *x = j->call->data;
	ssize_t n;

	do
		n = pread(x->fd, j->buf, j->len, (off_t)j->msg_id);
	while (n < 0 && errno == EINTR);
	j->r = n < 0 ? -errno : (int)n;
}

static void done_read(struct job *j)
{
	struct srv_call *call = j->call;
	struct xfer *x = call->data;
	cJSON *h;

	x->reads--;
	if (!srv_call_alive(call))
		return;
	if (j->r <= 0) {
		fail(call, PROTO_ERR_OPERATION_FAILED,
		     "%s changed while it was downloaded", x->path);
		return;
	}
	h = cJSON_CreateObject();
	if (h && cJSON_AddStringToObject(h, "kind", "data"))
		srv_call_binary(call, h, j->buf, (size_t)j->r);
	cJSON_Delete(h);
	x->done += (uint64_t)j->r;
	if ((size_t)j->r < j->len)
		fail(call, PROTO_ERR_OPERATION_FAILED,
		     "%s changed while it was downloaded", x->path);
	else if (x->done >= x->size)
		srv_call_close(call);
}

static void download_pull(struct srv_call *call, struct xfer *x)
{
	uint64_t left = x->size - x->queued;
	size_t want = left < x->chunk ? (size_t)left : x->chunk;
	struct job *j;

	if (!want)
		return; /* a pull past the end: the close is on its way */
	j = job_new(call->conn->srv, work_read, done_read);
	if (j)
		j->buf = malloc(want);
	if (!j || !j->buf) {
		if (j)
			job_free(j);
		fail(call, PROTO_ERR_OPERATION_FAILED, "out of memory");
		return;
	}
	j->len = want;
	j->msg_id = x->queued; /* the file offset */
	j->call = srv_call_get(call);
	x->queued += want;
	x->reads++;
	/*
	 * A chunk in the page cache is read here, in the loop thread: the
	 * worker's two thread hops cost more than the copy and they are on
	 * every pull's round trip.  RWF_NOWAIT fails instead of waiting for
	 * the disk, and then the worker reads it, so the loop never blocks
	 * on I/O.  Only when no earlier read of this call is queued, so
	 * chunks keep their order.
	 */
	if (x->reads == 1) {
		struct iovec iov = { .iov_base = j->buf, .iov_len = want };
		ssize_t n =
			preadv2(x->fd, &iov, 1, (off_t)j->msg_id, RWF_NOWAIT);

		if (n == (ssize_t)want) {
			j->r = (int)n;
			job_done(j);
			return;
		}
	}
	job_submit(j);
}

static int storage_stream_chunk(struct srv_call *call, uint64_t id,
				const struct proto_content *c)
{
	struct xfer *x = call->data;
	const char *kind = chunk_kind(c);

	/*
	 * The chunk's __response__ goes out before what the chunk causes (a
	 * pull, a data chunk, an error): a client that paces itself on the
	 * responses, as the SDK does, has it when the data arrives and can
	 * send its next chunk right away.
	 */
	srv_respond(call->conn, id, NULL);
	if (!kind) {
		fail(call, PROTO_ERR_INVALID_REQUEST,
		     "storage.%s expects binary chunks with a 'kind'",
		     call->tool);
		return 0;
	}
	if (!x->started) {
		if (strcmp(kind, "start")) {
			fail(call, PROTO_ERR_INVALID_STATE,
			     "storage.%s: the first chunk must be 'start'",
			     call->tool);
			return 0;
		}
		if (x->upload)
			upload_start(call, x, c->headers);
		else
			download_start(call, x, c->headers);
		return 0;
	}
	if (x->upload && !strcmp(kind, "data"))
		upload_data(call, x, c);
	else if (!x->upload && !strcmp(kind, "pull"))
		download_pull(call, x);
	else
		fail(call, PROTO_ERR_INVALID_STATE,
		     "storage.%s: unexpected '%s' chunk", call->tool, kind);
	return 0;
}

static void storage_stream_close(struct srv_call *call, enum srv_close_why why)
{
	(void)why; /* GONE: call_free removes an upload's temp file */
	srv_call_close(call);
}

/* The client's close chunk (replaces stream_close(CLIENT)). */
static int storage_stream_end(struct srv_call *call, uint64_t msg_id)
{
	struct xfer *x = call->data;

	if (x->upload && x->started)
		return upload_commit(call, x, msg_id);
	if (x->upload)
		srv_call_error(call, PROTO_ERR_INVALID_STATE,
			       "storage.upload closed before its start chunk");
	srv_call_close(call);
	return 0;
}

int srv_storage_init(struct srv *srv)
{
	struct storage_state *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return -ENOMEM;
	st->srv = srv;
	st->tk = (struct srv_toolkit){
		.name = "storage",
		.priv = st,
		.invoke = storage_invoke,
		.stream_open = storage_stream_open,
		.stream_chunk = storage_stream_chunk,
		.stream_close = storage_stream_close,
		.stream_end = storage_stream_end,
		.call_free = xfer_free,
	};
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	r = -pthread_create(&st->thread, NULL, worker_main, st);
	if (r == 0) {
		st->started = true;
		r = srv_register_toolkit(srv, &st->tk);
	}
	if (r < 0) {
		if (st->started) {
			st->stop = true;
			pthread_cond_signal(&st->cond);
			pthread_join(st->thread, NULL);
		}
		pthread_cond_destroy(&st->cond);
		pthread_mutex_destroy(&st->lock);
		free(st);
	}
	return r;
}

void srv_storage_stop(struct srv *srv)
{
	struct storage_state *st = state_of(srv);

	if (!st || !st->started)
		return;
	pthread_mutex_lock(&st->lock);
	st->stop = true;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	/* the worker drains its queue first; the answers are deferred */
	pthread_join(st->thread, NULL);
	st->started = false;
}

void srv_storage_fini(struct srv *srv)
{
	struct storage_state *st = state_of(srv);

	if (!st)
		return;
	srv_storage_stop(srv);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	/* srv_free ends right after: the toolkit struct goes with it */
	st->tk.priv = NULL;
	free(st);
}

/* ---------------------------------------------------------------------
 * Room events (here because storage is their main producer)
 * --------------------------------------------------------------------- */

int srv_room_event(struct srv_room *room, const char *type, const cJSON *header)
{
	struct srv_conn *conn;
	int r, ret = 0;

	for (conn = room->conns; conn; conn = conn->room_next) {
		r = srv_conn_send(conn, type, header, NULL, 0);
		if (r < 0)
			ret = r;
	}
	return ret;
}
