/* SPDX-License-Identifier: MIT */
/*
 * cache.c - what meshfs remembers about the room between calls: folder
 * listings and attributes per path (filled by list/stat, dropped by
 * storage events and after a reconnect), the set of document extensions
 * (.schemas/), and the worker thread.
 *
 * The client's callbacks run on its network thread, which must never wait
 * for the server nor for the kernel: they only queue jobs here.  The
 * worker drops cache entries and calls fuse_invalidate_path (which can
 * wait for the kernel), closes documents (which waits for the server),
 * expires renamed-away names and trims the lingering documents and plain
 * files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"

/* ---- hash table -------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void mfs_map_init(struct mfs_map *m)
{
	memset(m, 0, sizeof(*m));
}

void mfs_map_free(struct mfs_map *m)
{
	free(m->b);
	memset(m, 0, sizeof(*m));
}

struct mfs_hent *mfs_map_get(const struct mfs_map *m, const char *key)
{
	uint64_t h;
	struct mfs_hent *e;

	if (!m->nb)
		return NULL;
	h = hash_str(key);
	for (e = m->b[h & (m->nb - 1)]; e; e = e->next)
		if (e->hash == h && !strcmp(e->key, key))
			return e;
	return NULL;
}

static int map_grow(struct mfs_map *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64, i;
	struct mfs_hent **b = calloc(nb, sizeof(*b)), *e, *next;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

int mfs_map_put(struct mfs_map *m, struct mfs_hent *e)
{
	size_t i;

	if (m->n + 1 > m->nb * 3 / 4 && map_grow(m))
		return -ENOMEM;
	e->hash = hash_str(e->key);
	i = e->hash & (m->nb - 1);
	e->next = m->b[i];
	m->b[i] = e;
	m->n++;
	return 0;
}

struct mfs_hent *mfs_map_del(struct mfs_map *m, const char *key)
{
	uint64_t h;
	struct mfs_hent **pp, *e;

	if (!m->nb)
		return NULL;
	h = hash_str(key);
	for (pp = &m->b[h & (m->nb - 1)]; (e = *pp); pp = &e->next)
		if (e->hash == h && !strcmp(e->key, key)) {
			*pp = e->next;
			m->n--;
			return e;
		}
	return NULL;
}

struct mfs_hent *mfs_map_first(const struct mfs_map *m, size_t *i)
{
	for (*i = 0; *i < m->nb; (*i)++)
		if (m->b[*i])
			return m->b[*i];
	return NULL;
}

struct mfs_hent *mfs_map_next(const struct mfs_map *m, struct mfs_hent *e,
			      size_t *i)
{
	if (e->next)
		return e->next;
	for ((*i)++; *i < m->nb; (*i)++)
		if (m->b[*i])
			return m->b[*i];
	return NULL;
}

/* ---- paths ------------------------------------------------------------- */

char *mfs_parent(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? strndup(path, (size_t)(s - path)) : strdup("");
}

const char *mfs_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int mfs_net_err(int r)
{
	switch (r) {
	case -ENOTCONN:
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -EPROTO:
	case -ENOSYS:
		return -EIO;
	default:
		return r;
	}
}

/* ---- nodes ------------------------------------------------------------- */

static void node_drop_list(struct mfs_node *n)
{
	room_entries_free(n->list, n->nlist);
	n->list = NULL;
	n->nlist = 0;
	n->have_list = false;
}

static void node_free(struct mfs_node *n)
{
	node_drop_list(n);
	free(n->error);
	free(n->h.key);
	free(n);
}

struct mfs_node *mfs_node_get(struct mfs *m, const char *path, bool create)
{
	struct mfs_node *n = (struct mfs_node *)mfs_map_get(&m->nodes, path);

	if (n || !create)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->h.key = strdup(path);
	if (!n->h.key || mfs_map_put(&m->nodes, &n->h)) {
		free(n->h.key);
		free(n);
		return NULL;
	}
	return n;
}

/* Drops a node that holds nothing any more. */
static void node_maybe_free(struct mfs *m, struct mfs_node *n)
{
	if (n->have_attr || n->have_list || n->error)
		return;
	mfs_map_del(&m->nodes, n->h.key);
	node_free(n);
}

void mfs_cache_forget(struct mfs *m, const char *path)
{
	struct mfs_node *n = mfs_node_get(m, path, false);
	char *parent;

	m->gen++;
	if (n) {
		n->have_attr = false;
		node_drop_list(n);
		node_maybe_free(m, n);
	}
	parent = mfs_parent(path);
	if (parent) {
		n = mfs_node_get(m, parent, false);
		if (n) {
			node_drop_list(n);
			n->have_attr = false;
			node_maybe_free(m, n);
		}
		free(parent);
	}
	if (!strncmp(path, ".schemas", 8) && (!path[8] || path[8] == '/'))
		m->exts_valid = false;
}

void mfs_cache_forget_all(struct mfs *m)
{
	struct mfs_hent *e, *next;
	size_t i;

	m->gen++;
	for (e = mfs_map_first(&m->nodes, &i); e; e = next) {
		struct mfs_node *n = (struct mfs_node *)e;

		next = mfs_map_next(&m->nodes, e, &i);
		n->have_attr = false;
		node_drop_list(n);
		node_maybe_free(m, n);
	}
	m->exts_valid = false;
}

void mfs_set_error(struct mfs *m, const char *path, const char *msg)
{
	struct mfs_node *n;

	pthread_mutex_lock(&m->lock);
	n = mfs_node_get(m, path, msg != NULL);
	if (n) {
		free(n->error);
		n->error = msg ? strdup(msg) : NULL;
		node_maybe_free(m, n);
	}
	pthread_mutex_unlock(&m->lock);
}

/* Whether path is writable under our grants. */
static bool granted_write(struct mfs *m, const char *path, bool doc)
{
	if (!m->have_claims)
		return true;
	if (doc)
		return proto_token_sync_access(&m->claims, path) ==
		       PROTO_ACCESS_WRITE;
	return proto_token_storage_access(&m->claims, path) ==
	       PROTO_ACCESS_WRITE;
}

void mfs_entry_stat(struct mfs *m, struct stat *st, const struct room_entry *e,
		    const char *path)
{
	bool w = !m->o.ro && granted_write(m, path, false);
	int64_t mt = e->updated_ms >= 0 ? e->updated_ms : e->created_ms;

	memset(st, 0, sizeof(*st));
	if (e->is_folder) {
		st->st_mode = S_IFDIR | (w ? 0755 : 0555);
		st->st_nlink = 2;
		st->st_size = 4096;
	} else {
		st->st_mode = S_IFREG | (w ? 0644 : 0444);
		st->st_nlink = 1;
		st->st_size = e->has_size ? (off_t)e->size : 0;
	}
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_uid = m->uid;
	st->st_gid = m->gid;
	if (mt < 0)
		mt = 0;
	st->st_mtim.tv_sec = mt / 1000;
	st->st_mtim.tv_nsec = (mt % 1000) * 1000000;
	st->st_ctim = st->st_mtim;
	st->st_atim = st->st_mtim;
}

static int entries_dup(struct room_entry **out, const struct room_entry *v,
		       size_t n)
{
	struct room_entry *c;
	size_t i;

	*out = NULL;
	if (!n)
		return 0;
	c = calloc(n, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		c[i] = v[i];
		c[i].name = strdup(v[i].name ? v[i].name : "");
		if (!c[i].name) {
			room_entries_free(c, i);
			return -ENOMEM;
		}
	}
	*out = c;
	return 0;
}

static char *child_path(const char *dir, const char *name)
{
	char *p;

	if (!*dir)
		return strdup(name);
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

int mfs_list(struct mfs *m, const char *path, struct room_entry **out,
	     size_t *n)
{
	struct mfs_node *node;
	struct room_entry *v = NULL;
	size_t nv = 0, i;
	uint64_t gen;
	struct util_error err;
	int r;

	pthread_mutex_lock(&m->lock);
	node = mfs_node_get(m, path, false);
	if (node && node->have_list) {
		r = entries_dup(out, node->list, node->nlist);
		*n = node->nlist;
		pthread_mutex_unlock(&m->lock);
		return r;
	}
	gen = m->gen;
	pthread_mutex_unlock(&m->lock);

	util_error_clear(&err);
	r = room_storage_list(&v, &nv, m->client, path, &err);
	if (r < 0) {
		if (r != -ENOENT)
			util_log_warn("list %s: %s", *path ? path : "/",
				      err.msg);
		return mfs_net_err(r);
	}
	r = entries_dup(out, v, nv);
	if (r < 0) {
		room_entries_free(v, nv);
		return r;
	}
	*n = nv;

	pthread_mutex_lock(&m->lock);
	if (gen == m->gen && (node = mfs_node_get(m, path, true))) {
		node_drop_list(node);
		node->list = v;
		node->nlist = nv;
		node->have_list = true;
		v = NULL;
		/* Children's attributes: `ls -l` then needs no stat. */
		for (i = 0; i < nv; i++) {
			char *cp = child_path(path, node->list[i].name);
			struct mfs_node *c;

			if (!cp)
				break;
			c = mfs_node_get(m, cp, true);
			if (c) {
				mfs_entry_stat(m, &c->st, &node->list[i], cp);
				c->have_attr = true;
			}
			free(cp);
		}
	}
	pthread_mutex_unlock(&m->lock);
	room_entries_free(v, nv);
	return 0;
}

int mfs_lookup(struct mfs *m, const char *path, struct stat *st)
{
	struct mfs_node *n;
	struct room_entry e;
	struct util_error err;
	uint64_t gen;
	char *parent;
	int r;

	if (!*path) {
		struct room_entry root = { .is_folder = true,
					   .created_ms = -1,
					   .updated_ms = -1 };

		mfs_entry_stat(m, st, &root, path);
		return 0;
	}
	parent = mfs_parent(path);
	if (!parent)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	n = mfs_node_get(m, path, false);
	if (n && n->have_attr) {
		*st = n->st;
		pthread_mutex_unlock(&m->lock);
		free(parent);
		return 0;
	}
	/* The parent's listing is complete: not in it = not in the room. */
	n = mfs_node_get(m, parent, false);
	free(parent);
	if (n && n->have_list) {
		pthread_mutex_unlock(&m->lock);
		return -ENOENT;
	}
	gen = m->gen;
	pthread_mutex_unlock(&m->lock);

	memset(&e, 0, sizeof(e));
	util_error_clear(&err);
	r = room_storage_stat(&e, m->client, path, &err);
	if (r < 0) {
		if (r != -ENOENT)
			util_log_warn("stat %s: %s", path, err.msg);
		return mfs_net_err(r);
	}
	mfs_entry_stat(m, st, &e, path);
	room_entry_clear(&e);
	pthread_mutex_lock(&m->lock);
	if (gen == m->gen && (n = mfs_node_get(m, path, true))) {
		n->st = *st;
		n->have_attr = true;
	}
	pthread_mutex_unlock(&m->lock);
	return 0;
}

/* ---- document extensions ----------------------------------------------- */

static void exts_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Loads .schemas/ (m->lock not held). */
static void exts_load(struct mfs *m)
{
	struct room_entry *v = NULL;
	size_t nv = 0, i, k = 0;
	char **exts;
	uint64_t gen;
	int r;

	pthread_mutex_lock(&m->lock);
	gen = m->gen;
	pthread_mutex_unlock(&m->lock);
	r = room_storage_list(&v, &nv, m->client, ".schemas", NULL);
	if (r < 0 && r != -ENOENT)
		return; /* keep what we had */
	exts = calloc(nv + 1, sizeof(*exts));
	if (!exts) {
		room_entries_free(v, nv);
		return;
	}
	for (i = 0; i < nv; i++) {
		size_t l = strlen(v[i].name);

		if (v[i].is_folder || l <= 5 ||
		    strcmp(v[i].name + l - 5, ".json"))
			continue;
		exts[k] = strndup(v[i].name, l - 5);
		if (exts[k])
			k++;
	}
	room_entries_free(v, nv);
	pthread_mutex_lock(&m->lock);
	exts_free(m->exts, m->n_exts);
	m->exts = exts;
	m->n_exts = k;
	if (gen == m->gen)
		m->exts_valid = true;
	pthread_mutex_unlock(&m->lock);
}

bool mfs_is_doc_path(struct mfs *m, const char *path)
{
	const char *base = mfs_basename(path), *dot = strrchr(base, '.');
	bool valid, found = false;
	size_t i;

	if (!dot || dot == base || !dot[1])
		return false;
	if (!strncmp(path, ".schemas/", 9) || mfs_name_is_local(path))
		return false;
	pthread_mutex_lock(&m->lock);
	valid = m->exts_valid;
	pthread_mutex_unlock(&m->lock);
	if (!valid)
		exts_load(m);
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n_exts && !found; i++)
		found = !strcmp(m->exts[i], dot + 1);
	pthread_mutex_unlock(&m->lock);
	return found;
}

/* ---- the worker ---------------------------------------------------------- */

enum { JOB_INVAL, JOB_EVENT, JOB_RESET, JOB_DOC_CLOSE };

struct mfs_job {
	struct mfs_job *next;
	int kind;
	char *path;
	char *path2;
	bool foreign;
	int evkind;
	struct mfs_doc *doc;
};

static void job_push(struct mfs *m, struct mfs_job *j)
{
	pthread_mutex_lock(&m->lock);
	if (m->jobs_tail)
		m->jobs_tail->next = j;
	else
		m->jobs = j;
	m->jobs_tail = j;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

static struct mfs_job *job_new(int kind, const char *path, const char *path2)
{
	struct mfs_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->kind = kind;
	if ((path && !(j->path = strdup(path))) ||
	    (path2 && !(j->path2 = strdup(path2)))) {
		free(j->path);
		free(j);
		return NULL;
	}
	return j;
}

static void job_free(struct mfs_job *j)
{
	free(j->path);
	free(j->path2);
	free(j);
}

void mfs_queue_inval(struct mfs *m, const char *path)
{
	struct mfs_job *j = job_new(JOB_INVAL, path, NULL);

	if (j)
		job_push(m, j);
}

void mfs_queue_event(struct mfs *m, const struct room_file_event *ev)
{
	const char *self = room_client_participant_id(m->client);
	struct mfs_job *j;

	if (!ev->path)
		return;
	j = job_new(JOB_EVENT, mfs_rel(ev->path),
		    ev->new_path ? mfs_rel(ev->new_path) : NULL);
	if (!j)
		return;
	j->foreign = !ev->participant_id || !self ||
		     strcmp(ev->participant_id, self);
	j->evkind = ev->kind;
	if (ev->kind != PROTO_FILE_UPDATED)
		j->foreign = true;
	job_push(m, j);
}

void mfs_queue_reset(struct mfs *m)
{
	struct mfs_job *j = job_new(JOB_RESET, NULL, NULL);

	if (j)
		job_push(m, j);
}

void mfs_queue_doc_close(struct mfs *m, struct mfs_doc *d)
{
	struct mfs_job *j = job_new(JOB_DOC_CLOSE, NULL, NULL);

	if (!j) {
		/* Better block here than leak the session. */
		room_doc_close(d->d);
		return;
	}
	j->doc = d;
	job_push(m, j);
}

/* Invalidates the kernel's cache of a room path (and its folder's). */
static void kernel_inval(struct mfs *m, const char *path, bool parent)
{
	char *fp, *pp;

	if (!m->fuse)
		return;
	if (asprintf(&fp, "/%s", path) < 0)
		return;
	fuse_invalidate_path(m->fuse, fp);
	if (parent) {
		pp = strrchr(fp, '/');
		if (pp == fp)
			pp[1] = '\0';
		else
			*pp = '\0';
		fuse_invalidate_path(m->fuse, fp);
	}
	free(fp);
}

static void do_event(struct mfs *m, struct mfs_job *j)
{
	pthread_mutex_lock(&m->lock);
	mfs_cache_forget(m, j->path);
	if (j->path2)
		mfs_cache_forget(m, j->path2);
	pthread_mutex_unlock(&m->lock);
	if (j->foreign) {
		mfs_plain_forget(m, j->path);
		if (j->path2)
			mfs_plain_forget(m, j->path2);
	}
	/* Documents follow their own sync stream; a deleted or moved one
	 * has a session that no longer matches the room. */
	if (j->evkind != PROTO_FILE_UPDATED)
		mfs_doc_forget(m, j->path);
	kernel_inval(m, j->path, true);
	if (j->path2)
		kernel_inval(m, j->path2, true);
}

/* Renamed-away names that were not re-created: gone for good. */
static void expire_ghosts(struct mfs *m)
{
	int64_t now = util_monotonic_ms();
	struct mfs_hent *e, *next;
	struct mfs_ghost *expired = NULL;
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (e = mfs_map_first(&m->ghosts, &i); e; e = next) {
		struct mfs_ghost *g = (struct mfs_ghost *)e;

		next = mfs_map_next(&m->ghosts, e, &i);
		if (g->until_ms > now)
			continue;
		mfs_map_del(&m->ghosts, e->key);
		e->next = (struct mfs_hent *)expired;
		expired = g;
	}
	pthread_mutex_unlock(&m->lock);
	while (expired) {
		struct mfs_ghost *g = expired;
		struct util_error err;
		int r;

		expired = (struct mfs_ghost *)g->h.next;
		util_error_clear(&err);
		mfs_doc_forget(m, g->h.key);
		r = room_storage_delete(m->client, g->h.key, false, &err);
		if (r < 0 && r != -ENOENT)
			util_log_warn("delete %s: %s", g->h.key, err.msg);
		pthread_mutex_lock(&m->lock);
		mfs_cache_forget(m, g->h.key);
		pthread_mutex_unlock(&m->lock);
		kernel_inval(m, g->h.key, true);
		free(g->h.key);
		free(g);
	}
}

static void *worker_main(void *arg)
{
	struct mfs *m = arg;
	int64_t last_tick = 0;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct mfs_job *j;

		while (!m->jobs && !m->stopping) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&m->cond, &m->lock, &ts))
				break;
		}
		if (m->stopping && !m->jobs)
			break;
		j = m->jobs;
		m->jobs = NULL;
		m->jobs_tail = NULL;
		pthread_mutex_unlock(&m->lock);

		while (j) {
			struct mfs_job *next = j->next;

			switch (j->kind) {
			case JOB_INVAL:
				kernel_inval(m, j->path, false);
				break;
			case JOB_EVENT:
				do_event(m, j);
				break;
			case JOB_RESET:
				pthread_mutex_lock(&m->lock);
				mfs_cache_forget_all(m);
				pthread_mutex_unlock(&m->lock);
				mfs_plains_trim(m, true);
				break;
			case JOB_DOC_CLOSE:
				room_doc_close(j->doc->d);
				pthread_mutex_destroy(&j->doc->rlock);
				free(j->doc->h.key);
				free(j->doc);
				break;
			}
			job_free(j);
			j = next;
		}
		if (util_monotonic_ms() - last_tick >= 250) {
			last_tick = util_monotonic_ms();
			expire_ghosts(m);
			mfs_docs_trim(m, false);
			mfs_plains_trim(m, false);
		}
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int mfs_cache_init(struct mfs *m)
{
	pthread_condattr_t ca;

	mfs_map_init(&m->nodes);
	mfs_map_init(&m->docs);
	mfs_map_init(&m->plains);
	mfs_map_init(&m->ghosts);
	mfs_map_init(&m->pending);
	if (pthread_mutex_init(&m->lock, NULL))
		return -ENOMEM;
	pthread_condattr_init(&ca);
	if (pthread_cond_init(&m->cond, &ca)) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&m->lock);
		return -ENOMEM;
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

int mfs_worker_start(struct mfs *m)
{
	int r = pthread_create(&m->worker, NULL, worker_main, m);

	if (r)
		return -r;
	m->worker_started = true;
	return 0;
}

void mfs_worker_stop(struct mfs *m)
{
	if (!m->worker_started)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->worker, NULL);
	m->worker_started = false;
}

void mfs_cache_free(struct mfs *m)
{
	struct mfs_hent *e, *next;
	size_t i;

	for (e = mfs_map_first(&m->nodes, &i); e; e = next) {
		next = mfs_map_next(&m->nodes, e, &i);
		node_free((struct mfs_node *)e);
	}
	for (e = mfs_map_first(&m->ghosts, &i); e; e = next) {
		next = mfs_map_next(&m->ghosts, e, &i);
		free(e->key);
		free(e);
	}
	for (e = mfs_map_first(&m->pending, &i); e; e = next) {
		next = mfs_map_next(&m->pending, e, &i);
		free(e->key);
		free(e);
	}
	while (m->jobs) {
		struct mfs_job *j = m->jobs;

		m->jobs = j->next;
		job_free(j);
	}
	exts_free(m->exts, m->n_exts);
	mfs_map_free(&m->nodes);
	mfs_map_free(&m->docs);
	mfs_map_free(&m->plains);
	mfs_map_free(&m->ghosts);
	mfs_map_free(&m->pending);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
}
