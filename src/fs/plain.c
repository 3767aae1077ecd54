/* SPDX-License-Identifier: MIT */
/*
 * plain.c - plain (non-document) files: the room's bytes are downloaded
 * into a local staging file (an unlinked temp file) the first time a
 * handle reads or writes, all handles of the path share it, and it is
 * uploaded whole when dirty on flush/fsync/release.  So partial writes,
 * appends, truncate and O_TRUNC behave as on a local disk, and the room
 * sees one upload per save.  Clean staging files linger after the last
 * close (the next open is local) until the room says the file changed.
 *
 * Files under .schemas/ are checked as MeshSchemas before they upload.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

/* Plain files kept (clean) after their last close. */
#define MFS_PLAIN_LINGER 256

static uint64_t next_gen(void)
{
	static uint64_t gen;

	return __atomic_add_fetch(&gen, 1, __ATOMIC_RELAXED);
}

static int stage_file(struct mfs *m)
{
	int fd = openat(m->stagefd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 &&
	    (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		char name[] = "stage-XXXXXX";
		char *p;

		if (asprintf(&p, "%s/stage/%s", m->rundir, name) < 0)
			return -ENOMEM;
		fd = mkostemp(p, O_CLOEXEC);
		if (fd >= 0)
			unlink(p);
		free(p);
	}
	return fd < 0 ? -errno : fd;
}

static void plain_free(struct mfs_plain *p)
{
	if (p->fd >= 0)
		close(p->fd);
	pthread_mutex_destroy(&p->lock);
	free(p->h.key);
	free(p);
}

int mfs_plain_get(struct mfs *m, const char *path, bool trunc,
		  struct mfs_plain **out)
{
	struct mfs_plain *p, *np = NULL;
	int fd;

	pthread_mutex_lock(&m->lock);
	p = (struct mfs_plain *)mfs_map_get(&m->plains, path);
	if (!p) {
		pthread_mutex_unlock(&m->lock);
		fd = stage_file(m);
		if (fd < 0)
			return fd;
		np = calloc(1, sizeof(*np));
		if (!np || !(np->h.key = strdup(path))) {
			free(np);
			close(fd);
			return -ENOMEM;
		}
		np->m = m;
		np->fd = fd;
		np->gen = next_gen();
		np->kernel_gen = 0;
		pthread_mutex_init(&np->lock, NULL);
		pthread_mutex_lock(&m->lock);
		p = (struct mfs_plain *)mfs_map_get(&m->plains, path);
		if (!p) {
			if (mfs_map_put(&m->plains, &np->h)) {
				pthread_mutex_unlock(&m->lock);
				plain_free(np);
				return -ENOMEM;
			}
			p = np;
			np = NULL;
		}
	}
	if (p->refs == 0 && p->stale && !p->dirty) {
		p->loaded = false;
		p->stale = false;
	}
	p->refs++;
	pthread_mutex_unlock(&m->lock);
	if (np)
		plain_free(np);

	if (trunc) {
		pthread_mutex_lock(&p->lock);
		if (ftruncate(p->fd, 0) == 0) {
			p->loaded = true;
			p->dirty = true;
			p->gen = next_gen();
		}
		pthread_mutex_unlock(&p->lock);
	}
	*out = p;
	return 0;
}

void mfs_plain_put(struct mfs_plain *p)
{
	struct mfs *m;
	bool drop;

	if (!p)
		return;
	m = p->m;
	pthread_mutex_lock(&m->lock);
	p->last_used = util_monotonic_ms();
	drop = --p->refs == 0 && p->stale && !p->dirty;
	if (drop)
		mfs_map_del(&m->plains, p->h.key);
	pthread_mutex_unlock(&m->lock);
	if (drop)
		plain_free(p);
}

/* Download once (p->lock held). */
static int ensure_loaded(struct mfs_plain *p)
{
	struct util_error err;
	int r;

	if (p->loaded)
		return 0;
	if (ftruncate(p->fd, 0) < 0 || lseek(p->fd, 0, SEEK_SET) < 0)
		return -errno;
	util_error_clear(&err);
	r = room_storage_download_fd(NULL, p->m->client, p->h.key, p->fd, NULL,
				     NULL, &err);
	if (r < 0) {
		util_log_warn("download %s: %s", p->h.key, err.msg);
		return mfs_net_err(r);
	}
	p->loaded = true;
	p->gen = next_gen();
	return 0;
}

int mfs_plain_read(struct mfs_plain *p, char *buf, size_t size, off_t off)
{
	ssize_t n;
	int r;

	pthread_mutex_lock(&p->lock);
	r = ensure_loaded(p);
	if (r == 0) {
		n = pread(p->fd, buf, size, off);
		r = n < 0 ? -errno : (int)n;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

int mfs_plain_write(struct mfs_plain *p, const char *buf, size_t size,
		    off_t off)
{
	ssize_t n;
	int r;

	pthread_mutex_lock(&p->lock);
	r = ensure_loaded(p);
	if (r == 0) {
		n = pwrite(p->fd, buf, size, off);
		r = n < 0 ? -errno : (int)n;
		if (n > 0) {
			p->dirty = true;
			p->gen = next_gen();
		}
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

int mfs_plain_truncate(struct mfs_plain *p, off_t size)
{
	int r = 0;

	pthread_mutex_lock(&p->lock);
	if (size == 0)
		p->loaded = true;
	else
		r = ensure_loaded(p);
	if (r == 0) {
		if (ftruncate(p->fd, size) < 0) {
			r = -errno;
		} else {
			p->dirty = true;
			p->gen = next_gen();
		}
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

int mfs_plain_size(struct mfs_plain *p, off_t *size)
{
	struct stat st;
	int r = -ENODATA;

	pthread_mutex_lock(&p->lock);
	if (p->loaded && fstat(p->fd, &st) == 0) {
		*size = st.st_size;
		r = 0;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* Reads the whole staging file (p->lock held). */
static int read_fd(int fd, char **out, size_t *len)
{
	struct stat st;
	char *b;
	size_t done = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	b = malloc((size_t)st.st_size + 1);
	if (!b)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, b + done, (size_t)st.st_size - done,
				  (off_t)done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	b[done] = '\0';
	*out = b;
	*len = done;
	return 0;
}

static bool is_schema_file(const char *path)
{
	size_t l = strlen(path);

	return !strncmp(path, ".schemas/", 9) && !strchr(path + 9, '/') &&
	       l > 14 && !strcmp(path + l - 5, ".json");
}

/* .schemas/<ext>.json must be a MeshSchema. */
static int check_schema(struct mfs *m, const char *path, const char *text,
			size_t len)
{
	struct mesh_schema *s = NULL;
	struct mesh_error err;
	char msg[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 8];

	if (!is_schema_file(path))
		return 0;
	if (mesh_schema_parse(&s, text, len, &err) == 0) {
		mesh_schema_free(s);
		return 0;
	}
	mesh_error_format(msg, sizeof(msg), &err);
	mfs_reject(m, path, text, len, msg);
	return -EINVAL;
}

int mfs_plain_commit(struct mfs_plain *p)
{
	struct mfs *m = p->m;
	struct util_error err;
	int r = 0;

	pthread_mutex_lock(&p->lock);
	if (!p->dirty)
		goto out;
	if (is_schema_file(p->h.key)) {
		char *text;
		size_t len;

		r = read_fd(p->fd, &text, &len);
		if (r < 0)
			goto out;
		r = check_schema(m, p->h.key, text, len);
		free(text);
		if (r < 0) {
			/* The room keeps its schema; so does the next reader. */
			p->dirty = false;
			p->loaded = false;
			goto out;
		}
	}
	if (lseek(p->fd, 0, SEEK_SET) < 0) {
		r = -errno;
		goto out;
	}
	util_error_clear(&err);
	r = room_storage_upload_fd(m->client, p->h.key, true, p->fd, NULL, NULL,
				   &err);
	if (r < 0) {
		util_log_warn("upload %s: %s", p->h.key, err.msg);
		r = mfs_net_err(r);
		goto out;
	}
	p->dirty = false;
	pthread_mutex_lock(&m->lock);
	mfs_cache_forget(m, p->h.key);
	pthread_mutex_unlock(&m->lock);
	mfs_set_error(m, p->h.key, NULL);
out:
	pthread_mutex_unlock(&p->lock);
	return r;
}

void mfs_plain_forget(struct mfs *m, const char *path)
{
	struct mfs_plain *p;
	bool drop = false;

	pthread_mutex_lock(&m->lock);
	p = (struct mfs_plain *)mfs_map_get(&m->plains, path);
	if (p) {
		if (p->refs == 0 && !p->dirty) {
			mfs_map_del(&m->plains, path);
			drop = true;
		} else {
			p->stale = true;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (drop)
		plain_free(p);
}

void mfs_plains_trim(struct mfs *m, bool all)
{
	struct mfs_hent *e, *next;
	struct mfs_plain *drop = NULL, *retry[8];
	size_t i, nretry = 0, idle = 0;
	bool up = room_client_state(m->client) == ROOM_CONNECTED;

	pthread_mutex_lock(&m->lock);
	for (e = mfs_map_first(&m->plains, &i); e; e = next) {
		struct mfs_plain *p = (struct mfs_plain *)e;

		next = mfs_map_next(&m->plains, e, &i);
		if (p->refs)
			continue;
		if (p->dirty) {
			/* An upload that failed (connection down): retry. */
			if (up && nretry < 8) {
				p->refs++;
				retry[nretry++] = p;
			}
			continue;
		}
		if (all || ++idle > MFS_PLAIN_LINGER) {
			mfs_map_del(&m->plains, e->key);
			e->next = (struct mfs_hent *)drop;
			drop = p;
		}
	}
	pthread_mutex_unlock(&m->lock);
	while (drop) {
		struct mfs_plain *p = drop;

		drop = (struct mfs_plain *)p->h.next;
		plain_free(p);
	}
	for (i = 0; i < nretry; i++) {
		mfs_plain_commit(retry[i]);
		mfs_plain_put(retry[i]);
	}
}

int mfs_read_all(struct mfs *m, const char *path, char **out, size_t *len)
{
	struct mfs_plain *p;
	struct mfs_doc *d;
	struct mfs_render *rd;
	void *buf;
	int r;

	if (mfs_is_doc_path(m, path)) {
		r = mfs_doc_get(m, path, &d);
		if (r == 0) {
			r = mfs_doc_render(d, &rd);
			mfs_doc_put(d);
			if (r < 0)
				return r;
			*out = malloc(rd->len + 1);
			if (*out) {
				memcpy(*out, rd->text, rd->len);
				(*out)[rd->len] = '\0';
				*len = rd->len;
			}
			mfs_render_put(rd);
			return *out ? 0 : -ENOMEM;
		}
	}
	pthread_mutex_lock(&m->lock);
	p = (struct mfs_plain *)mfs_map_get(&m->plains, path);
	if (p)
		p->refs++;
	pthread_mutex_unlock(&m->lock);
	if (p) {
		pthread_mutex_lock(&p->lock);
		r = ensure_loaded(p);
		if (r == 0)
			r = read_fd(p->fd, out, len);
		pthread_mutex_unlock(&p->lock);
		mfs_plain_put(p);
		return r;
	}
	r = room_storage_download_buf(&buf, len, m->client, path, NULL);
	if (r < 0)
		return mfs_net_err(r);
	*out = realloc(buf, *len + 1);
	if (!*out) {
		free(buf);
		return -ENOMEM;
	}
	(*out)[*len] = '\0';
	return 0;
}

/*
 * At unmount, after mfs_plains_trim uploaded what it could: frees every
 * staging file, lingering clean ones and those whose release the kernel
 * never sent (a lazy unmount can end the connection with files open).
 * A file still dirty gets one last upload attempt first.
 */
void mfs_plains_free(struct mfs *m)
{
	struct mfs_hent *e, *next;
	struct mfs_plain *drop = NULL;
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (e = mfs_map_first(&m->plains, &i); e; e = next) {
		next = mfs_map_next(&m->plains, e, &i);
		mfs_map_del(&m->plains, e->key);
		e->next = (struct mfs_hent *)drop;
		drop = (struct mfs_plain *)e;
	}
	pthread_mutex_unlock(&m->lock);
	while (drop) {
		struct mfs_plain *p = drop;

		drop = (struct mfs_plain *)p->h.next;
		if (p->dirty && mfs_plain_commit(p) < 0)
			util_log_error("unmount: %s: changes not uploaded",
				       p->h.key);
		plain_free(p);
	}
}
