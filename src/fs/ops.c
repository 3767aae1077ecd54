/* SPDX-License-Identifier: MIT */
/*
 * ops.c - the FUSE operations (high-level, path-based API).  Each path is
 * one of four kinds, decided per call:
 *   local    an editor temp/swap/backup/lock name (names.c): a real file
 *            in the shadow tree, passed through, never in the room;
 *   new doc  a document created in the mount and not yet on the server
 *            (created on the first flush, with its content);
 *   doc      a room file whose extension has a schema (doc.c);
 *   plain    any other room file (plain.c).
 * Folders are the room's plus the shadow tree's (mkdir makes a shadow
 * folder: an empty folder lives in the mount until it has a file).
 *
 * Editors' save patterns (DESIGN.md decision 5) are resolved in rename:
 * a room file renamed to a local name (x -> x~) becomes a "ghost" that is
 * hidden and re-created as a new revision of the same document when the
 * editor writes x again; a file renamed over a document is merged into
 * it.  A ghost that is not re-created within a few seconds is deleted in
 * the room.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs.h"

/* How long a renamed-away name waits to be re-created. */
#define MFS_GHOST_MS 5000

#define XATTR_ERROR "user.meshfs.error"
#define XATTR_SCHEMA "user.meshfs.schema"

enum fh_kind { FH_LOCAL, FH_PLAIN, FH_DOC, FH_NEWDOC };

struct mfs_fh {
	enum fh_kind kind;
	char *path; /* room path */
	int flags;
	pthread_mutex_t lock;
	int fd; /* FH_LOCAL */
	struct mfs_plain *plain; /* FH_PLAIN */
	struct mfs_doc *doc; /* FH_DOC */
	struct mfs_render *base; /* FH_DOC: what this handle read */
	struct util_buf stage; /* FH_DOC, FH_NEWDOC: the written text */
	bool staged; /* stage holds the file's content */
	bool written; /* a write since the last commit */
	bool created; /* FH_NEWDOC: now in the room */
	struct mfs_fh *prev, *next; /* fh_list */
};

/*
 * Every open handle, so that unmount can release the ones whose release
 * the kernel never sent (a lazy unmount can end the connection while
 * files are open): their staged writes still commit, nothing leaks.
 * One mount per process, so one list.
 */
static pthread_mutex_t fh_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mfs_fh *fh_list;

static struct mfs *get_mfs(void)
{
	return fuse_get_context()->private_data;
}

static struct mfs_fh *get_fh(const struct fuse_file_info *fi)
{
	return fi ? (struct mfs_fh *)(uintptr_t)fi->fh : NULL;
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

static int deny_write(struct mfs *m, const char *path, bool doc)
{
	if (m->o.ro)
		return -EROFS;
	if (!m->have_claims)
		return 0;
	if (doc ? proto_token_sync_access(&m->claims, path) !=
			    PROTO_ACCESS_WRITE :
		  proto_token_storage_access(&m->claims, path) !=
			    PROTO_ACCESS_WRITE)
		return -EACCES;
	return 0;
}

static bool is_ghost(struct mfs *m, const char *path)
{
	bool g;

	pthread_mutex_lock(&m->lock);
	g = m->ghosts.n && mfs_map_get(&m->ghosts, path);
	pthread_mutex_unlock(&m->lock);
	return g;
}

/* Removes the ghost of path; true if there was one. */
static bool unghost(struct mfs *m, const char *path)
{
	struct mfs_hent *e;

	pthread_mutex_lock(&m->lock);
	e = m->ghosts.n ? mfs_map_del(&m->ghosts, path) : NULL;
	pthread_mutex_unlock(&m->lock);
	if (!e)
		return false;
	free(e->key);
	free(e);
	return true;
}

static int add_ghost(struct mfs *m, const char *path, bool is_doc)
{
	struct mfs_ghost *g;

	pthread_mutex_lock(&m->lock);
	g = (struct mfs_ghost *)mfs_map_get(&m->ghosts, path);
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g || !(g->h.key = strdup(path)) ||
		    mfs_map_put(&m->ghosts, &g->h)) {
			if (g)
				free(g->h.key);
			free(g);
			pthread_mutex_unlock(&m->lock);
			return -ENOMEM;
		}
	}
	g->until_ms = util_monotonic_ms() + MFS_GHOST_MS;
	g->is_doc = is_doc;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static struct mfs_pending *pending_get(struct mfs *m, const char *path)
{
	return m->pending.n ?
		       (struct mfs_pending *)mfs_map_get(&m->pending, path) :
		       NULL;
}

static int pending_ref(struct mfs *m, const char *path)
{
	struct mfs_pending *p;

	pthread_mutex_lock(&m->lock);
	p = pending_get(m, path);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p || !(p->h.key = strdup(path)) ||
		    mfs_map_put(&m->pending, &p->h)) {
			if (p)
				free(p->h.key);
			free(p);
			pthread_mutex_unlock(&m->lock);
			return -ENOMEM;
		}
		p->mtime_ms = util_time_ms();
	}
	p->refs++;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static void pending_unref(struct mfs *m, const char *path)
{
	struct mfs_pending *p;

	pthread_mutex_lock(&m->lock);
	p = pending_get(m, path);
	if (p && --p->refs <= 0) {
		mfs_map_del(&m->pending, path);
		free(p->h.key);
		free(p);
	} else if (p) {
		p->size = 0;
	}
	pthread_mutex_unlock(&m->lock);
}

static void synth_file(struct mfs *m, struct stat *st, off_t size,
		       int64_t mtime_ms)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | (m->o.ro ? 0444 : 0644);
	st->st_nlink = 1;
	st->st_size = size;
	st->st_blksize = 4096;
	st->st_blocks = (size + 511) / 512;
	st->st_uid = m->uid;
	st->st_gid = m->gid;
	st->st_mtim.tv_sec = mtime_ms / 1000;
	st->st_mtim.tv_nsec = (mtime_ms % 1000) * 1000000;
	st->st_ctim = st->st_mtim;
	st->st_atim = st->st_mtim;
}

static void doc_stat(struct mfs *m, struct stat *st, struct mfs_doc *d,
		     size_t len)
{
	int64_t mt = room_doc_mtime_ms(d->d);

	st->st_size = (off_t)len;
	st->st_blocks = (st->st_size + 511) / 512;
	if (mt > 0) {
		st->st_mtim.tv_sec = mt / 1000;
		st->st_mtim.tv_nsec = (mt % 1000) * 1000000;
		st->st_ctim = st->st_mtim;
	}
	if (!d->writable)
		st->st_mode &= ~(mode_t)0222;
	(void)m;
}

/* Attributes of a room path (not local). */
static int attr_of(struct mfs *m, const char *rel, struct stat *st)
{
	struct mfs_pending *pd;
	struct mfs_plain *p;
	struct mfs_doc *d;
	struct mfs_render *rd;
	off_t size;
	int r;

	pthread_mutex_lock(&m->lock);
	if (m->ghosts.n && mfs_map_get(&m->ghosts, rel)) {
		pthread_mutex_unlock(&m->lock);
		return -ENOENT;
	}
	pd = pending_get(m, rel);
	if (pd) {
		synth_file(m, st, (off_t)pd->size, pd->mtime_ms);
		pthread_mutex_unlock(&m->lock);
		return 0;
	}
	p = m->plains.n ? (struct mfs_plain *)mfs_map_get(&m->plains, rel) :
			  NULL;
	if (p && !p->dirty && !p->refs)
		p = NULL; /* the room's attributes are right */
	if (p)
		p->refs++;
	pthread_mutex_unlock(&m->lock);

	r = mfs_lookup(m, rel, st);
	if (p) {
		if (r == -ENOENT)
			synth_file(m, st, 0, util_time_ms());
		if (r == -ENOENT || r == 0) {
			r = 0;
			if (mfs_plain_size(p, &size) == 0) {
				st->st_size = size;
				st->st_blocks = (size + 511) / 512;
			}
		}
		mfs_plain_put(p);
		return r;
	}
	if (r == -ENOENT) {
		struct stat sh;

		if (fstatat(m->shadowfd, rel, &sh, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sh.st_mode)) {
			struct room_entry e = { .is_folder = true,
						.created_ms = -1,
						.updated_ms = -1 };

			mfs_entry_stat(m, st, &e, rel);
			st->st_mtim = sh.st_mtim;
			st->st_ctim = sh.st_ctim;
			return 0;
		}
		return r;
	}
	if (r < 0 || !S_ISREG(st->st_mode) || !mfs_is_doc_path(m, rel))
		return r;
	/* A document: its size is the render's (opens a session that lingers,
	 * so the read that usually follows is local). */
	if (mfs_doc_get(m, rel, &d) < 0)
		return 0;
	if (mfs_doc_render(d, &rd) == 0) {
		doc_stat(m, st, d, rd->len);
		mfs_render_put(rd);
	}
	mfs_doc_put(d);
	return 0;
}

static int op_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	struct mfs_fh *fh = get_fh(fi);
	const char *rel;
	int r;

	if (fh) {
		switch (fh->kind) {
		case FH_LOCAL:
			return fstat(fh->fd, st) < 0 ? -errno : 0;
		case FH_NEWDOC:
			pthread_mutex_lock(&fh->lock);
			if (!fh->created) {
				synth_file(m, st, (off_t)fh->stage.len,
					   util_time_ms());
				pthread_mutex_unlock(&fh->lock);
				return 0;
			}
			pthread_mutex_unlock(&fh->lock);
			break;
		default:
			break;
		}
		path = NULL;
		rel = fh->path;
	} else {
		rel = mfs_rel(path);
	}
	if (mfs_name_is_local(rel))
		return fstatat(m->shadowfd, mfs_shadow_rel(rel), st,
			       AT_SYMLINK_NOFOLLOW) < 0 ?
			       -errno :
			       0;
	r = attr_of(m, rel, st);
	if (r == -ENOENT && fh)
		synth_file(m, st, 0, util_time_ms()), r = 0;
	return r;
}

static int op_access(const char *path, int mask)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	struct stat st;
	int r;

	if (mfs_name_is_local(rel))
		return faccessat(m->shadowfd, mfs_shadow_rel(rel), mask, 0) <
				       0 ?
			       -errno :
			       0;
	r = op_getattr(path, &st, NULL);
	if (r < 0)
		return r;
	if ((mask & W_OK) && !(st.st_mode & 0200))
		return m->o.ro ? -EROFS : -EACCES;
	return 0;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	ssize_t n;

	if (!mfs_name_is_local(rel))
		return -EINVAL;
	n = readlinkat(m->shadowfd, rel, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int op_symlink(const char *target, const char *path)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	int r;

	/* The room has no links; emacs's lock files are local names. */
	if (!mfs_name_is_local(rel))
		return -EPERM;
	r = mfs_shadow_mkparents(m, rel);
	if (r < 0)
		return r;
	return symlinkat(target, m->shadowfd, rel) < 0 ? -errno : 0;
}

static int op_link(const char *from, const char *to)
{
	(void)from;
	(void)to;
	return -EPERM;
}

static int op_mkdir(const char *path, mode_t mode)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	struct stat st;
	int r;

	(void)mode;
	if (m->o.ro)
		return -EROFS;
	if (!mfs_name_is_local(rel)) {
		r = attr_of(m, rel, &st);
		if (r == 0)
			return -EEXIST;
		if (r != -ENOENT)
			return r;
		r = deny_write(m, rel, false);
		if (r < 0)
			return r;
	}
	r = mfs_shadow_mkparents(m, rel);
	if (r < 0)
		return r;
	if (mkdirat(m->shadowfd, rel, 0755) < 0)
		return -errno;
	return 0;
}

/* True when the shadow folder rel holds anything. */
static bool shadow_dir_busy(struct mfs *m, const char *rel)
{
	int fd = openat(m->shadowfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	bool busy = false;

	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (!busy && (de = readdir(d)))
		busy = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return busy;
}

static int op_rmdir(const char *path)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	struct room_entry *v = NULL;
	struct util_error err;
	size_t n = 0;
	bool in_room, in_shadow;
	struct stat st;
	int r;

	if (m->o.ro)
		return -EROFS;
	if (!*rel)
		return -EBUSY;
	in_shadow = fstatat(m->shadowfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode);
	if (in_shadow && shadow_dir_busy(m, rel))
		return -ENOTEMPTY;
	r = mfs_list(m, rel, &v, &n);
	if (r < 0 && r != -ENOENT)
		return r;
	in_room = r == 0;
	room_entries_free(v, n);
	if (!in_room && !in_shadow)
		return -ENOENT;
	if (in_room) {
		if (n)
			return -ENOTEMPTY;
		util_error_clear(&err);
		r = room_storage_delete(m->client, rel, false, &err);
		pthread_mutex_lock(&m->lock);
		mfs_cache_forget(m, rel);
		pthread_mutex_unlock(&m->lock);
		if (r < 0 && r != -ENOENT) {
			util_log_warn("rmdir %s: %s", rel, err.msg);
			return mfs_net_err(r);
		}
	}
	if (in_shadow && unlinkat(m->shadowfd, rel, AT_REMOVEDIR) < 0)
		return -errno;
	return 0;
}

static int op_unlink(const char *path)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	struct util_error err;
	struct mfs_plain *p;
	bool had_local = false;
	int r;

	if (mfs_name_is_local(rel))
		return unlinkat(m->shadowfd, rel, 0) < 0 ? -errno : 0;
	if (m->o.ro)
		return -EROFS;
	if (unghost(m, rel)) {
		/* Renamed away and deleted before the timer: delete now. */
		had_local = true;
	}
	r = deny_write(m, rel, false);
	if (r < 0)
		return r;
	pthread_mutex_lock(&m->lock);
	p = (struct mfs_plain *)mfs_map_get(&m->plains, rel);
	if (p && p->dirty) {
		/* A file not uploaded yet: it never reaches the room. */
		pthread_mutex_lock(&p->lock);
		p->dirty = false;
		pthread_mutex_unlock(&p->lock);
		had_local = true;
	}
	if (pending_get(m, rel))
		had_local = true;
	pthread_mutex_unlock(&m->lock);
	util_error_clear(&err);
	r = room_storage_delete(m->client, rel, false, &err);
	mfs_doc_forget(m, rel);
	mfs_plain_forget(m, rel);
	pthread_mutex_lock(&m->lock);
	mfs_cache_forget(m, rel);
	pthread_mutex_unlock(&m->lock);
	mfs_set_error(m, rel, NULL);
	if (r == -ENOENT && had_local)
		return 0;
	if (r < 0 && r != -ENOENT)
		util_log_warn("delete %s: %s", rel, err.msg);
	return mfs_net_err(r);
}

/* Writes text to the shadow file rel (a backup an editor made). */
static int shadow_write(struct mfs *m, const char *rel, const char *text,
			size_t len)
{
	size_t done = 0;
	int fd, r;

	r = mfs_shadow_mkparents(m, rel);
	if (r < 0)
		return r;
	fd = openat(m->shadowfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		done += (size_t)w;
	}
	close(fd);
	return 0;
}

static int shadow_read(struct mfs *m, const char *rel, char **out, size_t *len)
{
	struct util_buf b;
	char tmp[65536];
	ssize_t n;
	int fd = openat(m->shadowfd, rel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	util_buf_init(&b);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		util_buf_put(&b, tmp, (size_t)n);
	close(fd);
	if (n < 0) {
		util_buf_free(&b);
		return -EIO;
	}
	return util_buf_steal((uint8_t **)out, len, &b);
}

/*
 * Makes text the new content of the room file to (rename over it): a
 * new revision of an existing document (merge), a new document, or an
 * upload.
 */
static int commit_over(struct mfs *m, const char *to, const char *text,
		       size_t len)
{
	struct mfs_doc *d;
	struct util_error err;
	int r;

	if (mfs_is_doc_path(m, to)) {
		r = mfs_doc_get(m, to, &d);
		if (r == 0) {
			r = mfs_doc_commit(d, NULL, text, len, false);
			mfs_doc_put(d);
			return r;
		}
		if (r != -ENOENT)
			return r;
		return mfs_doc_create(m, to, text, len);
	}
	if (!strncmp(to, ".schemas/", 9)) {
		struct mesh_schema *s = NULL;
		struct mesh_error merr;
		char msg[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 8];

		if (mesh_schema_parse(&s, text, len, &merr) < 0) {
			mesh_error_format(msg, sizeof(msg), &merr);
			mfs_reject(m, to, text, len, msg);
			return -EINVAL;
		}
		mesh_schema_free(s);
	}
	util_error_clear(&err);
	r = room_storage_upload_buf(m->client, to, true, text, len, &err);
	if (r < 0) {
		util_log_warn("upload %s: %s", to, err.msg);
		return mfs_net_err(r);
	}
	mfs_plain_forget(m, to);
	pthread_mutex_lock(&m->lock);
	mfs_cache_forget(m, to);
	pthread_mutex_unlock(&m->lock);
	mfs_set_error(m, to, NULL);
	return 0;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	struct mfs *m = get_mfs();
	const char *rf = mfs_rel(from), *rt = mfs_rel(to);
	bool lf = mfs_name_is_local(rf), lt = mfs_name_is_local(rt);
	struct util_error err;
	struct stat st, sto;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (flags & RENAME_EXCHANGE)
		return -EINVAL;
	if (m->o.ro)
		return -EROFS;
	if (flags & RENAME_NOREPLACE) {
		r = lt ? (fstatat(m->shadowfd, rt, &sto, AT_SYMLINK_NOFOLLOW) <
					  0 ?
				  -errno :
				  0) :
			 attr_of(m, rt, &sto);
		if (r == 0)
			return -EEXIST;
	}
	if (lf && lt) {
		r = mfs_shadow_mkparents(m, rt);
		if (r < 0)
			return r;
		return renameat(m->shadowfd, rf, m->shadowfd, rt) < 0 ? -errno :
									0;
	}
	if (!lf && lt) {
		/* x -> x~: the editor's backup; x stays in the room until it
		 * is re-created (a new revision) or the ghost expires. */
		r = attr_of(m, rf, &st);
		if (r < 0)
			return r;
		if (!S_ISREG(st.st_mode))
			return -EXDEV; /* mv copies folders instead */
		r = mfs_read_all(m, rf, &text, &len);
		if (r < 0)
			return r;
		r = shadow_write(m, rt, text, len);
		free(text);
		if (r < 0)
			return r;
		r = add_ghost(m, rf, mfs_is_doc_path(m, rf));
		mfs_queue_inval(m, rf);
		return r;
	}
	if (lf && !lt) {
		/* sed -i, os.replace, vim restoring its backup: the temp's
		 * content becomes the new revision of the target. */
		r = deny_write(m, rt, mfs_is_doc_path(m, rt));
		if (r < 0)
			return r;
		if (fstatat(m->shadowfd, rf, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode))
			return -EXDEV;
		r = shadow_read(m, rf, &text, &len);
		if (r < 0)
			return r;
		unghost(m, rt);
		r = commit_over(m, rt, text, len);
		free(text);
		if (r < 0)
			return r;
		unlinkat(m->shadowfd, rf, 0);
		mfs_queue_inval(m, rt);
		return 0;
	}

	/* Room to room. */
	r = deny_write(m, rf, false);
	if (r == 0)
		r = deny_write(m, rt, false);
	if (r < 0)
		return r;
	r = attr_of(m, rf, &st);
	if (r < 0)
		return r;
	if (S_ISREG(st.st_mode)) {
		struct mfs_plain *p;

		/* Pending local bytes of the source go up first. */
		pthread_mutex_lock(&m->lock);
		p = (struct mfs_plain *)mfs_map_get(&m->plains, rf);
		if (p)
			p->refs++;
		pthread_mutex_unlock(&m->lock);
		if (p) {
			r = mfs_plain_commit(p);
			mfs_plain_put(p);
			if (r < 0)
				return r;
		}
	}
	if (S_ISREG(st.st_mode) && mfs_is_doc_path(m, rt) &&
	    (!mfs_is_doc_path(m, rf) || is_ghost(m, rt) ||
	     attr_of(m, rt, &sto) == 0)) {
		/*
		 * Over an existing document: a new revision of it.  A plain
		 * file renamed to a document's name becomes a new document:
		 * the room keeps a document's Yjs state at its path, so the
		 * JSON bytes cannot just be moved there (an rsync temp name
		 * that does not look like one is such a file).
		 */
		r = mfs_read_all(m, rf, &text, &len);
		if (r < 0)
			return r;
		unghost(m, rt);
		r = commit_over(m, rt, text, len);
		free(text);
		if (r < 0)
			return r;
		util_error_clear(&err);
		r = room_storage_delete(m->client, rf, false, &err);
		if (r < 0 && r != -ENOENT)
			util_log_warn("delete %s: %s", rf, err.msg);
		mfs_doc_forget(m, rf);
		mfs_plain_forget(m, rf);
		pthread_mutex_lock(&m->lock);
		mfs_cache_forget(m, rf);
		pthread_mutex_unlock(&m->lock);
		mfs_queue_inval(m, rt);
		return 0;
	}
	unghost(m, rt);
	util_error_clear(&err);
	r = room_storage_move(m->client, rf, rt, !(flags & RENAME_NOREPLACE),
			      &err);
	if (r == -ENOENT && S_ISDIR(st.st_mode))
		r = 0; /* an empty folder of the mount only */
	else if (r < 0)
		util_log_warn("move %s -> %s: %s", rf, rt, err.msg);
	if (r == 0 && S_ISDIR(st.st_mode) &&
	    fstatat(m->shadowfd, rf, &sto, AT_SYMLINK_NOFOLLOW) == 0) {
		mfs_shadow_mkparents(m, rt);
		renameat(m->shadowfd, rf, m->shadowfd, rt);
	}
	mfs_doc_forget(m, rf);
	mfs_doc_forget(m, rt);
	mfs_plain_forget(m, rf);
	mfs_plain_forget(m, rt);
	pthread_mutex_lock(&m->lock);
	mfs_cache_forget(m, rf);
	mfs_cache_forget(m, rt);
	if (S_ISDIR(st.st_mode))
		mfs_cache_forget_all(m);
	pthread_mutex_unlock(&m->lock);
	mfs_queue_inval(m, rt);
	return mfs_net_err(r);
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	const char *rel;

	if (!path || get_fh(fi))
		return 0;
	rel = mfs_rel(path);
	if (mfs_name_is_local(rel))
		return fchmodat(m->shadowfd, rel, mode, 0) < 0 ? -errno : 0;
	return 0;
}

static int op_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	(void)path;
	(void)uid;
	(void)gid;
	(void)fi;
	return 0;
}

static int op_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	const char *rel;

	if (!path || get_fh(fi))
		return 0;
	rel = mfs_rel(path);
	if (mfs_name_is_local(rel))
		return utimensat(m->shadowfd, rel, tv, AT_SYMLINK_NOFOLLOW) <
				       0 ?
			       -errno :
			       0;
	return 0;
}

static int op_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = 4096;
	sv->f_frsize = 4096;
	sv->f_blocks = 1ull << 28;
	sv->f_bfree = 1ull << 27;
	sv->f_bavail = 1ull << 27;
	sv->f_files = 1ull << 24;
	sv->f_ffree = 1ull << 23;
	sv->f_favail = 1ull << 23;
	sv->f_namemax = 255;
	return 0;
}

/* ---- handles ------------------------------------------------------------ */

static struct mfs_fh *fh_new(enum fh_kind kind, const char *rel, int flags)
{
	struct mfs_fh *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	fh->path = strdup(rel);
	if (!fh->path) {
		free(fh);
		return NULL;
	}
	fh->kind = kind;
	fh->flags = flags;
	fh->fd = -1;
	pthread_mutex_init(&fh->lock, NULL);
	util_buf_init(&fh->stage);
	pthread_mutex_lock(&fh_list_lock);
	fh->next = fh_list;
	if (fh_list)
		fh_list->prev = fh;
	fh_list = fh;
	pthread_mutex_unlock(&fh_list_lock);
	return fh;
}

static void fh_free(struct mfs_fh *fh)
{
	pthread_mutex_lock(&fh_list_lock);
	if (fh->prev)
		fh->prev->next = fh->next;
	else
		fh_list = fh->next;
	if (fh->next)
		fh->next->prev = fh->prev;
	pthread_mutex_unlock(&fh_list_lock);
	if (fh->fd >= 0)
		close(fh->fd);
	mfs_render_put(fh->base);
	mfs_doc_put(fh->doc);
	mfs_plain_put(fh->plain);
	util_buf_free(&fh->stage);
	pthread_mutex_destroy(&fh->lock);
	free(fh->path);
	free(fh);
}

static int open_local(struct mfs *m, const char *rel, struct fuse_file_info *fi,
		      bool create, mode_t mode)
{
	struct mfs_fh *fh;
	int fd, r;

	if (create) {
		r = mfs_shadow_mkparents(m, rel);
		if (r < 0)
			return r;
	}
	fd = openat(m->shadowfd, rel,
		    (fi->flags & ~(O_NOFOLLOW | O_DIRECT)) | O_CLOEXEC |
			    (create ? O_CREAT : 0),
		    mode);
	if (fd < 0)
		return -errno;
	fh = fh_new(FH_LOCAL, rel, fi->flags);
	if (!fh) {
		close(fd);
		return -ENOMEM;
	}
	fh->fd = fd;
	fi->fh = (uintptr_t)fh;
	return 0;
}

/* A handle on the existing document rel. */
static int open_doc(struct mfs *m, const char *rel, struct fuse_file_info *fi,
		    bool trunc)
{
	struct mfs_fh *fh;
	struct mfs_doc *d;
	int r;

	r = mfs_doc_get(m, rel, &d);
	if (r < 0)
		return r;
	if (wants_write(fi->flags) && !d->writable) {
		mfs_doc_put(d);
		return m->o.ro ? -EROFS : -EACCES;
	}
	fh = fh_new(FH_DOC, rel, fi->flags);
	if (!fh) {
		mfs_doc_put(d);
		return -ENOMEM;
	}
	fh->doc = d;
	r = mfs_doc_render(d, &fh->base);
	if (r < 0) {
		fh_free(fh);
		return r;
	}
	if (trunc)
		fh->staged = true;
	/* The kernel's pages are good while the revision is the one they
	 * were read at. */
	pthread_mutex_lock(&d->rlock);
	fi->keep_cache = d->kernel_rev == fh->base->rev;
	d->kernel_rev = fh->base->rev;
	pthread_mutex_unlock(&d->rlock);
	fi->fh = (uintptr_t)fh;
	return 0;
}

static int open_plain(struct mfs *m, const char *rel, struct fuse_file_info *fi,
		      bool trunc)
{
	struct mfs_fh *fh = fh_new(FH_PLAIN, rel, fi->flags);
	struct mfs_plain *p;
	int r;

	if (!fh)
		return -ENOMEM;
	r = mfs_plain_get(m, rel, trunc, &p);
	if (r < 0) {
		fh_free(fh);
		return r;
	}
	fh->plain = p;
	pthread_mutex_lock(&p->lock);
	fi->keep_cache = p->kernel_gen == p->gen && !trunc;
	p->kernel_gen = p->gen;
	pthread_mutex_unlock(&p->lock);
	fi->fh = (uintptr_t)fh;
	return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	bool trunc = fi->flags & O_TRUNC;
	int r;

	if (mfs_name_is_local(rel))
		return open_local(m, rel, fi, false, 0);
	if (wants_write(fi->flags)) {
		r = deny_write(m, rel, mfs_is_doc_path(m, rel));
		if (r < 0)
			return r;
	}
	pthread_mutex_lock(&m->lock);
	if (pending_get(m, rel)) {
		/* Created by another handle, not flushed yet. */
		pthread_mutex_unlock(&m->lock);
		r = pending_ref(m, rel);
		if (r < 0)
			return r;
		fi->fh = (uintptr_t)fh_new(FH_NEWDOC, rel, fi->flags);
		if (!fi->fh) {
			pending_unref(m, rel);
			return -ENOMEM;
		}
		get_fh(fi)->staged = true;
		return 0;
	}
	pthread_mutex_unlock(&m->lock);
	/* The kernel looked the name up already (and folders are opened
	 * with opendir): no round trip here. */
	if (is_ghost(m, rel))
		return -ENOENT;
	if (mfs_is_doc_path(m, rel))
		return open_doc(m, rel, fi, trunc);
	return open_plain(m, rel, fi, trunc);
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	bool is_doc;
	struct stat st;
	int r;

	if (mfs_name_is_local(rel))
		return open_local(m, rel, fi, true, mode);
	is_doc = mfs_is_doc_path(m, rel);
	r = deny_write(m, rel, is_doc);
	if (r < 0)
		return r;
	if (unghost(m, rel)) {
		/* The editor re-creates the name it renamed away: the same
		 * document (or file), a new revision. */
		if (is_doc) {
			r = open_doc(m, rel, fi, true);
			if (r != -ENOENT)
				return r;
		} else {
			return open_plain(m, rel, fi, true);
		}
	}
	if (!is_doc)
		return open_plain(m, rel, fi, true);
	r = attr_of(m, rel, &st);
	if (r == 0) {
		if (fi->flags & O_EXCL)
			return -EEXIST;
		return open_doc(m, rel, fi, true);
	}
	r = pending_ref(m, rel);
	if (r < 0)
		return r;
	fi->fh = (uintptr_t)fh_new(FH_NEWDOC, rel, fi->flags);
	if (!fi->fh) {
		pending_unref(m, rel);
		return -ENOMEM;
	}
	get_fh(fi)->staged = true;
	return 0;
}

/* Copies the base into the stage before the first change (fh locked). */
static int stage_base(struct mfs_fh *fh)
{
	if (fh->staged)
		return 0;
	util_buf_reset(&fh->stage);
	if (fh->base)
		util_buf_put(&fh->stage, fh->base->text, fh->base->len);
	fh->staged = true;
	return util_buf_error(&fh->stage);
}

static int stage_resize(struct mfs_fh *fh, size_t len)
{
	if (len > fh->stage.len) {
		if (util_buf_reserve(&fh->stage, len - fh->stage.len + 1))
			return -ENOMEM;
		memset(fh->stage.data + fh->stage.len, 0, len - fh->stage.len);
	}
	fh->stage.len = len;
	if (fh->stage.data)
		fh->stage.data[len] = '\0';
	return 0;
}

static void pending_size(struct mfs *m, struct mfs_fh *fh)
{
	struct mfs_pending *p;

	pthread_mutex_lock(&m->lock);
	p = pending_get(m, fh->path);
	if (p)
		p->size = fh->stage.len;
	pthread_mutex_unlock(&m->lock);
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct mfs_fh *fh = get_fh(fi);
	const char *src;
	size_t len;
	ssize_t n;
	int r;

	(void)path;
	switch (fh->kind) {
	case FH_LOCAL:
		n = pread(fh->fd, buf, size, off);
		return n < 0 ? -errno : (int)n;
	case FH_PLAIN:
		return mfs_plain_read(fh->plain, buf, size, off);
	default:
		break;
	}
	pthread_mutex_lock(&fh->lock);
	if (!fh->staged && fh->doc && off == 0 &&
	    room_doc_revision(fh->doc->d) != fh->base->rev) {
		/* A read from the start sees the latest revision. */
		struct mfs_render *nr;

		r = mfs_doc_render(fh->doc, &nr);
		if (r == 0) {
			mfs_render_put(fh->base);
			fh->base = nr;
		}
	}
	if (fh->staged) {
		src = (const char *)fh->stage.data;
		len = fh->stage.len;
	} else if (fh->base) {
		src = fh->base->text;
		len = fh->base->len;
	} else {
		src = NULL;
		len = 0;
	}
	if ((size_t)off >= len) {
		n = 0;
	} else {
		n = (ssize_t)(len - (size_t)off < size ? len - (size_t)off :
							 size);
		memcpy(buf, src + off, (size_t)n);
	}
	pthread_mutex_unlock(&fh->lock);
	return (int)n;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	struct mfs_fh *fh = get_fh(fi);
	ssize_t n;
	int r;

	(void)path;
	switch (fh->kind) {
	case FH_LOCAL:
		n = pwrite(fh->fd, buf, size, off);
		return n < 0 ? -errno : (int)n;
	case FH_PLAIN:
		return mfs_plain_write(fh->plain, buf, size, off);
	default:
		break;
	}
	if (size > INT32_MAX || off > INT32_MAX)
		return -EFBIG;
	pthread_mutex_lock(&fh->lock);
	r = stage_base(fh);
	if (r == 0 && (size_t)off + size > fh->stage.len)
		r = stage_resize(fh, (size_t)off + size);
	if (r == 0) {
		memcpy(fh->stage.data + off, buf, size);
		fh->written = true;
		if (fh->kind == FH_NEWDOC)
			pending_size(m, fh);
	}
	pthread_mutex_unlock(&fh->lock);
	return r < 0 ? r : (int)size;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	struct mfs_fh *fh = get_fh(fi);
	const char *rel;
	struct mfs_plain *p;
	int r, fd;

	if (size < 0)
		return -EINVAL;
	if (fh) {
		switch (fh->kind) {
		case FH_LOCAL:
			return ftruncate(fh->fd, size) < 0 ? -errno : 0;
		case FH_PLAIN:
			return mfs_plain_truncate(fh->plain, size);
		default:
			if (size > INT32_MAX)
				return -EFBIG;
			pthread_mutex_lock(&fh->lock);
			r = stage_base(fh);
			if (r == 0)
				r = stage_resize(fh, (size_t)size);
			if (r == 0 && fh->kind == FH_NEWDOC)
				pending_size(m, fh);
			pthread_mutex_unlock(&fh->lock);
			return r;
		}
	}
	rel = mfs_rel(path);
	if (mfs_name_is_local(rel)) {
		fd = openat(m->shadowfd, rel, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = ftruncate(fd, size) < 0 ? -errno : 0;
		close(fd);
		return r;
	}
	r = deny_write(m, rel, mfs_is_doc_path(m, rel));
	if (r < 0)
		return r;
	/* Truncating a document alone never reaches the server. */
	if (mfs_is_doc_path(m, rel) || pending_get(m, rel))
		return 0;
	r = mfs_plain_get(m, rel, size == 0, &p);
	if (r < 0)
		return r;
	if (size)
		r = mfs_plain_truncate(p, size);
	if (r == 0)
		r = mfs_plain_commit(p);
	mfs_plain_put(p);
	return r;
}

/* FH_NEWDOC: creates the document in the room (fh locked). */
static int newdoc_create(struct mfs *m, struct mfs_fh *fh)
{
	struct mfs_doc *d;
	int r, r2;

	if (fh->written)
		r = mfs_doc_create(m, fh->path, (const char *)fh->stage.data,
				   fh->stage.len);
	else
		r = mfs_doc_create(m, fh->path, NULL, 0);
	if (r == -EEXIST) {
		/* Someone else created it: ours is a revision of theirs. */
		r = mfs_doc_get(m, fh->path, &d);
		if (r == 0) {
			if (fh->written)
				r = mfs_doc_commit(d, NULL,
						   (const char *)fh->stage.data,
						   fh->stage.len, false);
			mfs_doc_put(d);
		}
	} else if (r == -EINVAL && fh->written) {
		/* The file was created: it exists, empty; the error stays. */
		r2 = mfs_doc_create(m, fh->path, NULL, 0);
		if (r2 < 0 && r2 != -EEXIST)
			return r;
		fh->created = true;
		fh->written = false;
		pending_unref(m, fh->path);
		mfs_queue_inval(m, fh->path);
		return r;
	}
	if (r < 0)
		return r;
	fh->created = true;
	fh->written = false;
	fh->staged = false;
	util_buf_reset(&fh->stage);
	pending_unref(m, fh->path);
	/* From now on, a handle on the document. */
	if (mfs_doc_get(m, fh->path, &d) == 0) {
		fh->doc = d;
		if (mfs_doc_render(d, &fh->base) < 0)
			fh->base = NULL;
		fh->kind = FH_DOC;
	}
	mfs_queue_inval(m, fh->path);
	return 0;
}

/* Commits a document handle's staged bytes (fh locked). */
static int doc_commit(struct mfs *m, struct mfs_fh *fh, bool fsync)
{
	struct mfs_render *nr;
	struct util_error err;
	int r = 0;

	if (fh->kind == FH_NEWDOC) {
		if (fh->created)
			return 0;
		r = newdoc_create(m, fh);
		if (r < 0 || !fsync || !fh->doc)
			return r;
	}
	if (!fh->doc)
		return 0;
	if (!fh->written) {
		if (!fsync)
			return 0;
		util_error_clear(&err);
		r = room_doc_flush(fh->doc->d, &err);
		return r == -ENOTCONN ? -EIO : r;
	}
	fh->written = false;
	r = mfs_doc_commit(fh->doc, fh->base, (const char *)fh->stage.data,
			   fh->stage.len, fsync);
	if (r < 0 && r != -ETIMEDOUT && r != -EIO)
		return r;
	/* Merged (and maybe still queued): the next base is the result. */
	fh->staged = false;
	util_buf_reset(&fh->stage);
	if (mfs_doc_render(fh->doc, &nr) == 0) {
		mfs_render_put(fh->base);
		fh->base = nr;
	}
	return r;
}

static int op_flush(const char *path, struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	struct mfs_fh *fh = get_fh(fi);
	int r;

	(void)path;
	switch (fh->kind) {
	case FH_LOCAL:
		return 0;
	case FH_PLAIN:
		return mfs_plain_commit(fh->plain);
	default:
		pthread_mutex_lock(&fh->lock);
		r = doc_commit(m, fh, false);
		pthread_mutex_unlock(&fh->lock);
		return r;
	}
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct mfs *m = get_mfs();
	struct mfs_fh *fh = get_fh(fi);
	int r;

	(void)path;
	switch (fh->kind) {
	case FH_LOCAL:
		return (datasync ? fdatasync(fh->fd) : fsync(fh->fd)) < 0 ?
			       -errno :
			       0;
	case FH_PLAIN:
		return mfs_plain_commit(fh->plain);
	default:
		pthread_mutex_lock(&fh->lock);
		r = doc_commit(m, fh, true);
		pthread_mutex_unlock(&fh->lock);
		return r;
	}
}

/* Commits what the handle staged, then frees it. */
static void fh_release(struct mfs *m, struct mfs_fh *fh)
{
	switch (fh->kind) {
	case FH_LOCAL:
		break;
	case FH_PLAIN:
		mfs_plain_commit(fh->plain);
		break;
	case FH_NEWDOC:
		pthread_mutex_lock(&fh->lock);
		if (!fh->created) {
			doc_commit(m, fh, false);
			if (!fh->created)
				pending_unref(m, fh->path);
		}
		pthread_mutex_unlock(&fh->lock);
		break;
	case FH_DOC:
		pthread_mutex_lock(&fh->lock);
		if (fh->written)
			doc_commit(m, fh, false);
		pthread_mutex_unlock(&fh->lock);
		break;
	}
	fh_free(fh);
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	fh_release(get_mfs(), get_fh(fi));
	return 0;
}

void mfs_release_all(struct mfs *m)
{
	struct mfs_fh *fh;

	for (;;) {
		pthread_mutex_lock(&fh_list_lock);
		fh = fh_list;
		pthread_mutex_unlock(&fh_list_lock);
		if (!fh)
			break;
		util_log_info("unmount: %s was still open: released", fh->path);
		fh_release(m, fh);
	}
}

/* ---- folders ------------------------------------------------------------ */

/* With nullpath_ok, readdir gets no path: the handle keeps it. */
static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	char *rel = strdup(mfs_rel(path));

	if (!rel)
		return -ENOMEM;
	fi->fh = (uintptr_t)rel;
	return 0;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	free((char *)(uintptr_t)fi->fh);
	return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct mfs *m = get_mfs();
	const char *rel = fi && fi->fh ? (const char *)(uintptr_t)fi->fh :
					 mfs_rel(path);
	struct room_entry *v = NULL;
	size_t n = 0, i, dl = strlen(rel);
	struct mfs_map seen;
	struct mfs_hent *seen_ents = NULL, *e;
	struct stat st;
	bool in_room, have_ghosts;
	int fd, r;
	DIR *dir = NULL;
	struct dirent *de;

	(void)off;
	r = mfs_list(m, rel, &v, &n);
	if (r < 0 && r != -ENOENT)
		return r;
	in_room = r == 0;
	fd = openat(m->shadowfd, mfs_shadow_rel(rel),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && !(dir = fdopendir(fd)))
		close(fd);
	if (!in_room && !dir && *rel)
		return -ENOENT;

	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	mfs_map_init(&seen);
	pthread_mutex_lock(&m->lock);
	have_ghosts = m->ghosts.n > 0;
	pthread_mutex_unlock(&m->lock);
	for (i = 0; i < n; i++) {
		char *cp = NULL;
		bool plus = false;

		if (have_ghosts || (flags & FUSE_READDIR_PLUS)) {
			if (asprintf(&cp, "%s%s%s", rel, dl ? "/" : "",
				     v[i].name) < 0)
				cp = NULL;
		}
		if (cp && have_ghosts && is_ghost(m, cp)) {
			free(cp);
			continue;
		}
		if (cp && (flags & FUSE_READDIR_PLUS) &&
		    (v[i].is_folder || !mfs_is_doc_path(m, cp))) {
			mfs_entry_stat(m, &st, &v[i], cp);
			plus = true;
		}
		free(cp);
		if (dir) {
			e = calloc(1, sizeof(*e));
			if (e && (!(e->key = strdup(v[i].name)) ||
				  mfs_map_put(&seen, e))) {
				free(e->key);
				free(e);
			}
		}
		if (filler(buf, v[i].name, plus ? &st : NULL, 0,
			   plus ? FUSE_FILL_DIR_PLUS : 0))
			break;
	}
	/* Documents created in the mount but not yet in the room. */
	pthread_mutex_lock(&m->lock);
	if (m->pending.n) {
		for (e = mfs_map_first(&m->pending, &i); e;
		     e = mfs_map_next(&m->pending, e, &i)) {
			char *par = mfs_parent(e->key);

			if (par && !strcmp(par, rel) &&
			    !mfs_map_get(&seen, mfs_basename(e->key)))
				filler(buf, mfs_basename(e->key), NULL, 0, 0);
			free(par);
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (dir) {
		while ((de = readdir(dir))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			if (in_room && mfs_map_get(&seen, de->d_name))
				continue;
			if (filler(buf, de->d_name, NULL, 0, 0))
				break;
		}
		closedir(dir);
	}
	/* The seen set: free its entries. */
	for (e = mfs_map_first(&seen, &i); e;) {
		struct mfs_hent *next = mfs_map_next(&seen, e, &i);

		e->next = seen_ents;
		seen_ents = e;
		e = next;
	}
	while (seen_ents) {
		e = seen_ents;
		seen_ents = e->next;
		free(e->key);
		free(e);
	}
	mfs_map_free(&seen);
	room_entries_free(v, n);
	return 0;
}

/* ---- xattrs ------------------------------------------------------------- */

static int xattr_value(struct mfs *m, const char *rel, const char *name,
		       char **out)
{
	struct mfs_node *n;
	struct mfs_doc *d;
	const char *s;
	int r;

	*out = NULL;
	if (!strcmp(name, XATTR_ERROR)) {
		pthread_mutex_lock(&m->lock);
		n = mfs_node_get(m, rel, false);
		if (n && n->error)
			*out = strdup(n->error);
		pthread_mutex_unlock(&m->lock);
		return *out ? 0 : -ENODATA;
	}
	if (!strcmp(name, XATTR_SCHEMA)) {
		if (mfs_name_is_local(rel) || !mfs_is_doc_path(m, rel))
			return -ENODATA;
		r = mfs_doc_get(m, rel, &d);
		if (r < 0)
			return r == -ENOENT ? -ENODATA : r;
		s = room_doc_schema_json(d->d);
		*out = strdup(s ? s : "");
		mfs_doc_put(d);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOTSUP;
}

static int op_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	struct mfs *m = get_mfs();
	char *v;
	size_t len;
	int r = xattr_value(m, mfs_rel(path), name, &v);

	if (r < 0)
		return r;
	len = strlen(v);
	if (size) {
		if (len > size) {
			free(v);
			return -ERANGE;
		}
		memcpy(value, v, len);
	}
	free(v);
	return (int)len;
}

static int op_listxattr(const char *path, char *list, size_t size)
{
	struct mfs *m = get_mfs();
	const char *rel = mfs_rel(path);
	struct util_buf b;
	struct mfs_node *n;
	bool err;
	int r;

	util_buf_init(&b);
	pthread_mutex_lock(&m->lock);
	n = mfs_node_get(m, rel, false);
	err = n && n->error;
	pthread_mutex_unlock(&m->lock);
	if (err)
		util_buf_put(&b, XATTR_ERROR, sizeof(XATTR_ERROR));
	if (!mfs_name_is_local(rel) && mfs_is_doc_path(m, rel))
		util_buf_put(&b, XATTR_SCHEMA, sizeof(XATTR_SCHEMA));
	if (util_buf_error(&b)) {
		util_buf_free(&b);
		return -ENOMEM;
	}
	r = (int)b.len;
	if (size && b.len > size)
		r = -ERANGE;
	else if (size && b.len)
		memcpy(list, b.data, b.len);
	util_buf_free(&b);
	return r;
}

static int op_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	(void)path;
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	return -ENOTSUP;
}

static int op_removexattr(const char *path, const char *name)
{
	struct mfs *m = get_mfs();

	if (!strcmp(name, XATTR_ERROR)) {
		mfs_set_error(m, mfs_rel(path), NULL);
		return 0;
	}
	return -ENOTSUP;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/* Unlinking an open file must not rename it to .fuse_hidden*, which
	 * would reach the room. */
	cfg->hard_remove = 1;
	cfg->nullpath_ok = 1;
	cfg->use_ino = 0;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	cfg->negative_timeout = 0;
	return fuse_get_context()->private_data;
}

const struct fuse_operations mfs_ops = {
	.init = op_init,
	.getattr = op_getattr,
	.access = op_access,
	.readlink = op_readlink,
	.symlink = op_symlink,
	.link = op_link,
	.mkdir = op_mkdir,
	.rmdir = op_rmdir,
	.unlink = op_unlink,
	.rename = op_rename,
	.chmod = op_chmod,
	.chown = op_chown,
	.utimens = op_utimens,
	.truncate = op_truncate,
	.statfs = op_statfs,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.fsync = op_fsync,
	.release = op_release,
	.opendir = op_opendir,
	.releasedir = op_releasedir,
	.readdir = op_readdir,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.setxattr = op_setxattr,
	.removexattr = op_removexattr,
};
