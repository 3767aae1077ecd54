/* SPDX-License-Identifier: MIT */
/*
 * paths.c - storage paths confined to a room, grant checks and small JSON
 * helpers (srv.h sections 5 and 6).
 *
 * Confinement does not rely on string checks alone: every path is walked
 * segment by segment with openat(O_NOFOLLOW | O_DIRECTORY) starting at the
 * room's directory descriptor, so a symlink anywhere in the room (planted
 * by someone with shell access to the data dir) is refused with -ELOOP
 * instead of being followed out of the room.  These functions only read
 * the room's constant descriptors, so any thread may call them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srv.h"

int srv_path_norm(char **out, const char *path)
{
	size_t n, i = 0, o = 0;
	char *buf;

	*out = NULL;
	if (!path)
		path = "";
	n = strlen(path);
	if (n >= PATH_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return -EINVAL;
	buf = malloc(n + 1);
	if (!buf)
		return -ENOMEM;
	i = 0;
	while (i < n) {
		size_t start, len;

		while (i < n && path[i] == '/')
			i++;
		start = i;
		while (i < n && path[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && path[start] == '.'))
			continue;
		if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
			free(buf);
			return -EINVAL;
		}
		if (o)
			buf[o++] = '/';
		memcpy(buf + o, path + start, len);
		o += len;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

const char *srv_path_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Opens (creating when asked) one folder segment below dirfd. */
static int open_dir_segment(int *fd, int dirfd, const char *name, bool create)
{
	int r;

	*fd = -1;
	for (;;) {
		r = openat(dirfd, name,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r >= 0) {
			*fd = r;
			return 0;
		}
		if (errno != ENOENT || !create)
			break;
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
		create = false; /* created: open once more, no loop */
	}
	/* O_NOFOLLOW|O_DIRECTORY on a symlink gives ENOTDIR or ELOOP:
	 * tell the symlink apart so callers can say "invalid path". */
	if (errno == ENOTDIR) {
		struct stat st;

		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			return -ELOOP;
		return -ENOTDIR;
	}
	return -errno;
}

int srv_room_parent(int *dirfd, const char **base, struct srv_room *room,
		    const char *path, bool create)
{
	char seg[NAME_MAX + 1];
	const char *p = path, *slash;
	int fd, r;

	*dirfd = -1;
	*base = NULL;
	if (!path || !*path)
		return -EINVAL;
	fd = dup(room->dirfd);
	if (fd < 0)
		return -errno;
	while ((slash = strchr(p, '/'))) {
		size_t len = (size_t)(slash - p);
		int next = -1;

		if (len == 0 || len > NAME_MAX) {
			r = -EINVAL;
			goto err;
		}
		memcpy(seg, p, len);
		seg[len] = '\0';
		r = open_dir_segment(&next, fd, seg, create);
		if (r < 0)
			goto err;
		close(fd);
		fd = next;
		p = slash + 1;
	}
	if (!*p || strlen(p) > NAME_MAX) {
		r = -EINVAL;
		goto err;
	}
	*dirfd = fd;
	*base = p;
	return 0;
err:
	close(fd);
	return r;
}

int srv_room_open(int *fd, struct srv_room *room, const char *path, int flags,
		  mode_t mode)
{
	const char *base;
	int dfd, r;

	*fd = -1;
	if (!path || !*path) {
		r = openat(room->dirfd, ".",
			   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (r < 0)
			return -errno;
		*fd = r;
		return 0;
	}
	r = srv_room_parent(&dfd, &base, room, path, (flags & O_CREAT) != 0);
	if (r < 0)
		return r;
	r = openat(dfd, base, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (r < 0) {
		r = -errno;
		/* O_NOFOLLOW on a symlink: ELOOP (or ENOTDIR with
		 * O_DIRECTORY); report both as -ELOOP. */
		if (r == -ENOTDIR) {
			struct stat st;

			if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				r = -ELOOP;
		}
		close(dfd);
		return r;
	}
	close(dfd);
	*fd = r;
	return 0;
}

/* write(2) all of buf, retrying on EINTR and short writes. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int srv_room_write_atomic(struct srv_room *room, const char *path,
			  const void *data, size_t len)
{
	char tmp[sizeof(SRV_TMP_PREFIX) + 32];
	unsigned char rnd[8];
	const char *base;
	int dfd, fd = -1, r;

	r = srv_room_parent(&dfd, &base, room, path, true);
	if (r < 0)
		return r;
	r = util_random(rnd, sizeof(rnd));
	if (r < 0)
		goto out;
	snprintf(tmp, sizeof(tmp),
		 SRV_TMP_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, data, len);
	if (r < 0)
		goto err_unlink;
	if (fsync(fd) < 0) {
		r = -errno;
		goto err_unlink;
	}
	if (renameat(dfd, tmp, dfd, base) < 0) {
		r = -errno;
		goto err_unlink;
	}
	/* The rename is durable only once the folder is. */
	if (fsync(dfd) < 0)
		r = -errno;
	goto out;
err_unlink:
	unlinkat(dfd, tmp, 0);
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return r;
}

int srv_room_read(void **data, size_t *len, struct srv_room *room,
		  const char *path, size_t max)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0, cap;
	int fd, r;

	*data = NULL;
	*len = 0;
	r = srv_room_open(&fd, room, path, O_RDONLY, 0);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		r = -EFBIG;
		goto out;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (got + 1 >= cap) {
			char *nb;

			if (cap > max + 1) {
				r = -EFBIG;
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > max) {
		r = -EFBIG;
		goto out;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

bool srv_conn_can(const struct srv_conn *conn, enum srv_scope scope,
		  const char *path, bool write)
{
	enum proto_access a;

	if (scope == SRV_SYNC)
		a = proto_token_sync_access(&conn->token, path);
	else
		a = proto_token_storage_access(&conn->token, path);
	return write ? a == PROTO_ACCESS_WRITE : a != PROTO_ACCESS_NONE;
}

const char *srv_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) :
			       NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool srv_json_bool(const cJSON *obj, const char *key, bool def)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) :
			       NULL;

	if (cJSON_IsTrue(v))
		return true;
	if (cJSON_IsFalse(v))
		return false;
	return def;
}
