/* SPDX-License-Identifier: MIT */
/*
 * doc.c - document files (DESIGN.md decisions 1-3): one live sync session
 * per document path (room_doc_open, ref-counted by the client), shared by
 * every handle and kept open ("lingering") after the last close so that
 * the next open, stat or read needs no round trip and remote updates keep
 * arriving (they invalidate the kernel's cache through the worker).  The
 * LRU beyond -o max_docs is closed by the worker.
 *
 * Reads are renders of the live replica, cached per revision and shared
 * by reference: each handle keeps the render it read as the base of its
 * next commit (mesh_doc_merge_indexed), so that a commit is a 3-way merge
 * against what that writer saw, not last-writer-wins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"

void mfs_render_put(struct mfs_render *r)
{
	if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL))
		return;
	free(r->text);
	mesh_render_index_free(r->index);
	free(r);
}

static void render_get(struct mfs_render *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
}

/* Network thread: a remote update changed the replica. */
static void on_change(void *ctx, struct room_doc *rd)
{
	struct mfs_doc *d = ctx;

	(void)rd;
	mfs_queue_inval(d->m, d->h.key);
}

/* Ends a session nobody uses (not in the map any more). */
static void doc_close(struct mfs_doc *d)
{
	if (d->listener > 0)
		room_doc_unlisten(d->d, d->listener);
	mfs_render_put(d->cur);
	d->cur = NULL;
	mfs_queue_doc_close(d->m, d);
}

/* Closes the least recently used idle session now; false if none. */
static bool evict_one(struct mfs *m)
{
	struct mfs_hent *e;
	struct mfs_doc *best = NULL;
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (e = mfs_map_first(&m->docs, &i); e;
	     e = mfs_map_next(&m->docs, e, &i)) {
		struct mfs_doc *d = (struct mfs_doc *)e;

		if (!d->refs && (!best || d->last_used < best->last_used))
			best = d;
	}
	if (best) {
		mfs_map_del(&m->docs, best->h.key);
		best->dead = true;
	}
	pthread_mutex_unlock(&m->lock);
	if (!best)
		return false;
	if (best->listener > 0)
		room_doc_unlisten(best->d, best->listener);
	mfs_render_put(best->cur);
	room_doc_close(best->d);
	pthread_mutex_destroy(&best->rlock);
	free(best->h.key);
	free(best);
	return true;
}

int mfs_doc_get(struct mfs *m, const char *path, struct mfs_doc **out)
{
	struct mfs_doc *d, *nd;
	struct room_doc *rd;
	struct util_error err;
	int r, tries;

	pthread_mutex_lock(&m->lock);
	d = (struct mfs_doc *)mfs_map_get(&m->docs, path);
	if (d) {
		d->refs++;
		pthread_mutex_unlock(&m->lock);
		*out = d;
		return 0;
	}
	pthread_mutex_unlock(&m->lock);

	for (tries = 0;; tries++) {
		util_error_clear(&err);
		r = room_doc_open(&rd, m->client, path, false, &err);
		/* The room caps the streams of a connection (meshroomd: 64):
		 * make room by closing the least recently used idle session. */
		if (r != -EINVAL || tries >= 50)
			break;
		if (!evict_one(m))
			usleep(20000);
	}
	if (r < 0) {
		if (r != -ENOENT)
			util_log_warn("open %s: %s", path, err.msg);
		return mfs_net_err(r);
	}
	nd = calloc(1, sizeof(*nd));
	if (!nd || !(nd->h.key = strdup(path))) {
		free(nd);
		room_doc_close(rd);
		return -ENOMEM;
	}
	nd->m = m;
	nd->d = rd;
	nd->refs = 1;
	nd->kernel_rev = UINT64_MAX;
	nd->writable = !m->o.ro && (!m->have_claims ||
				    proto_token_sync_access(&m->claims, path) ==
					    PROTO_ACCESS_WRITE);
	pthread_mutex_init(&nd->rlock, NULL);

	pthread_mutex_lock(&m->lock);
	d = (struct mfs_doc *)mfs_map_get(&m->docs, path);
	if (d || mfs_map_put(&m->docs, &nd->h)) {
		if (d)
			d->refs++;
		pthread_mutex_unlock(&m->lock);
		/* Not the last reference of the client's session. */
		room_doc_close(rd);
		pthread_mutex_destroy(&nd->rlock);
		free(nd->h.key);
		free(nd);
		if (!d)
			return -ENOMEM;
		*out = d;
		return 0;
	}
	pthread_mutex_unlock(&m->lock);
	r = room_doc_listen(rd, on_change, nd);
	nd->listener = r > 0 ? r : 0;
	*out = nd;
	return 0;
}

void mfs_doc_put(struct mfs_doc *d)
{
	struct mfs *m;
	bool close, trim;

	if (!d)
		return;
	m = d->m;
	pthread_mutex_lock(&m->lock);
	d->last_used = util_monotonic_ms();
	close = --d->refs == 0 && d->dead;
	trim = !close && m->o.max_docs >= 0 &&
	       m->docs.n > (size_t)m->o.max_docs;
	pthread_mutex_unlock(&m->lock);
	if (close)
		doc_close(d);
	else if (trim)
		mfs_docs_trim(m, false);
}

void mfs_doc_forget(struct mfs *m, const char *path)
{
	struct mfs_doc *d;
	bool close = false;

	pthread_mutex_lock(&m->lock);
	d = (struct mfs_doc *)mfs_map_del(&m->docs, path);
	if (d) {
		d->dead = true;
		close = d->refs == 0;
	}
	pthread_mutex_unlock(&m->lock);
	if (close)
		doc_close(d);
}

static int cmp_used(const void *a, const void *b)
{
	const struct mfs_doc *x = *(struct mfs_doc *const *)a;
	const struct mfs_doc *y = *(struct mfs_doc *const *)b;

	return (x->last_used > y->last_used) - (x->last_used < y->last_used);
}

void mfs_docs_trim(struct mfs *m, bool all)
{
	struct mfs_hent *e;
	struct mfs_doc **idle;
	size_t i, n = 0, excess;
	size_t max = m->o.max_docs > 0 ? (size_t)m->o.max_docs : 0;

	pthread_mutex_lock(&m->lock);
	if (!all && m->docs.n <= max) {
		pthread_mutex_unlock(&m->lock);
		return;
	}
	idle = malloc((m->docs.n + 1) * sizeof(*idle));
	if (!idle) {
		pthread_mutex_unlock(&m->lock);
		return;
	}
	for (e = mfs_map_first(&m->docs, &i); e;
	     e = mfs_map_next(&m->docs, e, &i))
		if (((struct mfs_doc *)e)->refs == 0)
			idle[n++] = (struct mfs_doc *)e;
	excess = all ? n : (m->docs.n > max ? m->docs.n - max : 0);
	if (excess > n)
		excess = n;
	qsort(idle, n, sizeof(*idle), cmp_used);
	for (i = 0; i < excess; i++) {
		mfs_map_del(&m->docs, idle[i]->h.key);
		idle[i]->dead = true;
	}
	pthread_mutex_unlock(&m->lock);
	for (i = 0; i < excess; i++)
		doc_close(idle[i]);
	free(idle);
}

int mfs_doc_render(struct mfs_doc *d, struct mfs_render **out)
{
	struct mfs_render *nr;
	struct y_doc *y;
	uint64_t rev;
	int r;

	pthread_mutex_lock(&d->rlock);
	rev = room_doc_revision(d->d);
	if (d->cur && d->cur->rev == rev) {
		render_get(d->cur);
		*out = d->cur;
		pthread_mutex_unlock(&d->rlock);
		return 0;
	}
	nr = calloc(1, sizeof(*nr));
	if (!nr) {
		pthread_mutex_unlock(&d->rlock);
		return -ENOMEM;
	}
	y = room_doc_lock(d->d);
	nr->rev = room_doc_revision(d->d);
	r = mesh_doc_render_indexed(&nr->text, &nr->len, &nr->index, y,
				    room_doc_schema(d->d), d->m->render_flags);
	room_doc_unlock(d->d);
	if (r < 0) {
		pthread_mutex_unlock(&d->rlock);
		util_log_error("render %s: %s", d->h.key, strerror(-r));
		free(nr);
		return r == -ENOMEM ? r : -EIO;
	}
	nr->refs = 2; /* d->cur and *out */
	mfs_render_put(d->cur);
	d->cur = nr;
	*out = nr;
	pthread_mutex_unlock(&d->rlock);
	return 0;
}

/* Makes the folders above rel under dirfd. */
static void mkparents_at(int dirfd, const char *rel)
{
	char *p = strdup(rel), *s;

	if (!p)
		return;
	for (s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdirat(dirfd, p, 0700);
		*s = '/';
	}
	free(p);
}

void mfs_reject(struct mfs *m, const char *path, const char *text, size_t len,
		const char *msg)
{
	char *file = NULL, *full = NULL;
	int fd = -1;

	if (m->rejected_dir &&
	    asprintf(&file, "%s/%s", m->rejected_dir, path) >= 0) {
		int dfd = open(m->rejected_dir,
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			mkparents_at(dfd, path);
			fd = openat(dfd, path,
				    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				    0600);
			close(dfd);
		}
		if (fd >= 0) {
			size_t done = 0;

			while (done < len) {
				ssize_t w = write(fd, text + done, len - done);

				if (w <= 0)
					break;
				done += (size_t)w;
			}
			close(fd);
		}
	}
	if (fd >= 0 &&
	    asprintf(&full, "%s (rejected bytes kept in %s)", msg, file) < 0)
		full = NULL;
	util_log_warn("%s: %s", path, full ? full : msg);
	mfs_set_error(m, path, full ? full : msg);
	free(full);
	free(file);
}

/* Clears the error of path if one is set (cheap when none is). */
static void clear_error(struct mfs *m, const char *path)
{
	struct mfs_node *n;
	bool has;

	pthread_mutex_lock(&m->lock);
	n = mfs_node_get(m, path, false);
	has = n && n->error;
	pthread_mutex_unlock(&m->lock);
	if (has)
		mfs_set_error(m, path, NULL);
}

int mfs_doc_commit(struct mfs_doc *d, struct mfs_render *base, const char *text,
		   size_t len, bool wait)
{
	struct mfs *m = d->m;
	struct mesh_merge_stats stats;
	struct mesh_diag diag;
	struct util_error err;
	struct mfs_render *own = NULL;
	struct y_doc *y;
	int r;

	if (!d->writable)
		return m->o.ro ? -EROFS : -EACCES;
	if (!base) {
		r = mfs_doc_render(d, &own);
		if (r < 0)
			return r;
		base = own;
	}
	mesh_diag_init(&diag);
	y = room_doc_lock(d->d);
	r = mesh_doc_merge_indexed(&stats, y, room_doc_schema(d->d), base->text,
				   base->len, base->index, text, len,
				   m->render_flags, &diag);
	room_doc_unlock(d->d);
	mfs_render_put(own);
	if (r == -EINVAL) {
		char msg[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 64];

		if (diag.n)
			mesh_error_format(msg, sizeof(msg), &diag.errors[0]);
		else
			snprintf(msg, sizeof(msg), "invalid document");
		if (diag.total > 1) {
			size_t l = strlen(msg);

			snprintf(msg + l, sizeof(msg) - l, " (and %zu more)",
				 diag.total - 1);
		}
		mesh_diag_free(&diag);
		mfs_reject(m, d->h.key, text, len, msg);
		return -EINVAL;
	}
	mesh_diag_free(&diag);
	if (r < 0) {
		util_log_error("merge %s: %s", d->h.key, strerror(-r));
		return r;
	}
	clear_error(m, d->h.key);
	mfs_queue_inval(m, d->h.key);
	/* close() waits for the ack while connected (durable when it
	 * returns); fsync() always does, and fails when it cannot. */
	if (!wait && room_client_state(m->client) != ROOM_CONNECTED)
		return 0;
	util_error_clear(&err);
	r = room_doc_flush(d->d, &err);
	if (r == -EINVAL) {
		mfs_reject(m, d->h.key, text, len, err.msg);
		mfs_queue_inval(m, d->h.key);
		return -EINVAL;
	}
	if (r < 0) {
		util_log_warn("%s: not acknowledged yet (%s); the edit stays "
			      "queued",
			      d->h.key, err.msg[0] ? err.msg : strerror(-r));
		if (!wait)
			return 0;
		return r == -ETIMEDOUT ? r : -EIO;
	}
	return 0;
}

int mfs_doc_create(struct mfs *m, const char *path, const char *text,
		   size_t len)
{
	struct util_error err;
	char *json = NULL;
	cJSON *tree = NULL;
	struct mesh_error merr;
	int r;

	if (text) {
		char msg[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 8];

		r = mesh_json_parse(&tree, text, len, &merr);
		if (r < 0) {
			mesh_error_format(msg, sizeof(msg), &merr);
			mfs_reject(m, path, text, len, msg);
			return -EINVAL;
		}
		cJSON_Delete(tree);
		json = strndup(text, len);
		if (!json)
			return -ENOMEM;
	}
	util_error_clear(&err);
	r = room_sync_create(m->client, path, json, NULL, &err);
	if (r == -EINVAL && text)
		mfs_reject(m, path, text, len, err.msg);
	else if (r < 0)
		util_log_warn("create %s: %s", path, err.msg);
	else
		clear_error(m, path);
	free(json);
	pthread_mutex_lock(&m->lock);
	mfs_cache_forget(m, path);
	pthread_mutex_unlock(&m->lock);
	return r == -EINVAL ? r : mfs_net_err(r);
}
