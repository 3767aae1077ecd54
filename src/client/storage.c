/* SPDX-License-Identifier: MIT */
/*
 * storage.c - the storage toolkit of libclient (client.h §2, spec §11):
 * the plain calls (list, stat, exists, delete, move, download_url) as
 * room.invoke_tool with a json argument, and the two pull-based streams
 * (upload, download) with the headers, key order, chunk size and mime
 * type guessing of the TS SDK 0.39.9 StorageClient.
 */
#define _GNU_SOURCE /* asprintf, strptime, timegm */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define DOWNLOAD_CHUNK_SIZE 65536 /* TS default chunkSize */

void room_entry_clear(struct room_entry *e)
{
	if (!e)
		return;
	free(e->name);
	memset(e, 0, sizeof(*e));
}

void room_entries_free(struct room_entry *v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		room_entry_clear(&v[i]);
	free(v);
}

/* ISO-8601 with a zone ("2025-01-01T00:00:00.123+00:00", "...Z") -> ms
 * since the epoch; -1 when absent or unreadable. */
static int64_t iso_ms(const cJSON *v)
{
	struct tm tm;
	const char *s, *p;
	char *end;
	int64_t ms = 0, t;
	long frac_div = 1;
	int sign, oh, om;

	if (!cJSON_IsString(v))
		return -1;
	s = v->valuestring;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		p = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (frac_div < 1000) {
				ms = ms * 10 + (*p - '0');
				frac_div *= 10;
			}
			p++;
		}
		while (frac_div < 1000) {
			ms *= 10;
			frac_div *= 10;
		}
	}
	t = (int64_t)timegm(&tm);
	if (*p == 'Z' || *p == 'z' || !*p)
		return t * 1000 + ms;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p == '-' ? -1 : 1;
	oh = (int)strtol(p + 1, &end, 10);
	om = 0;
	if (*end == ':')
		om = (int)strtol(end + 1, &end, 10);
	else if (end - p == 5) { /* +HHMM */
		om = oh % 100;
		oh /= 100;
	}
	return (t - sign * (oh * 3600 + om * 60)) * 1000 + ms;
}

static int entry_parse(struct room_entry *out, const cJSON *v, const char *op,
		       struct util_error *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "name");
	const cJSON *folder = cJSON_GetObjectItemCaseSensitive(v, "is_folder");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(v, "size");

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsString(name) || !cJSON_IsBool(folder) ||
	    (size && !cJSON_IsNull(size) && !cJSON_IsNumber(size))) {
		util_error_set(err, -1,
			       "unexpected return type from storage.%s", op);
		return -EPROTO;
	}
	out->name = strdup(name->valuestring);
	if (!out->name)
		return -ENOMEM;
	out->is_folder = cJSON_IsTrue(folder);
	if (cJSON_IsNumber(size) && size->valuedouble >= 0) {
		out->has_size = true;
		out->size = (uint64_t)size->valuedouble;
	}
	out->created_ms =
		iso_ms(cJSON_GetObjectItemCaseSensitive(v, "created_at"));
	out->updated_ms =
		iso_ms(cJSON_GetObjectItemCaseSensitive(v, "updated_at"));
	return 0;
}

/* Invokes storage.<tool> with {"path": path} (+ nothing else). */
static int invoke_path(struct room_req *r, struct room_client *c,
		       const char *tool, const char *path,
		       struct util_error *err)
{
	cJSON *a;

	if (!c || !path) {
		util_error_set(err, -1, "storage.%s: no path", tool);
		return -EINVAL;
	}
	a = cJSON_CreateObject();
	if (!a || !cJSON_AddStringToObject(a, "path", path)) {
		cJSON_Delete(a);
		return -ENOMEM;
	}
	return room_invoke_json(r, c, "storage", tool, a, err);
}

/* The json content of a response, or NULL (err set). */
static const cJSON *resp_json(const struct room_req *r, const char *op,
			      struct util_error *err)
{
	if (r->resp.type != PROTO_CONTENT_JSON ||
	    !cJSON_IsObject(r->resp.json)) {
		util_error_set(err, -1,
			       "unexpected return type from storage.%s", op);
		return NULL;
	}
	return r->resp.json;
}

int room_storage_list(struct room_entry **out, size_t *n, struct room_client *c,
		      const char *path, struct util_error *err)
{
	struct room_req r;
	const cJSON *j, *files, *f;
	struct room_entry *v = NULL;
	size_t cnt = 0, i = 0;
	int e;

	*out = NULL;
	*n = 0;
	e = invoke_path(&r, c, "list", path, err);
	if (e < 0)
		return e;
	j = resp_json(&r, "list", err);
	files = j ? cJSON_GetObjectItemCaseSensitive(j, "files") : NULL;
	if (!cJSON_IsArray(files)) {
		util_error_set(err, -1,
			       "unexpected return type from storage.list");
		e = -EPROTO;
		goto out;
	}
	cnt = (size_t)cJSON_GetArraySize(files);
	if (cnt) {
		v = calloc(cnt, sizeof(*v));
		if (!v) {
			e = -ENOMEM;
			goto out;
		}
	}
	cJSON_ArrayForEach(f, files)
	{
		e = entry_parse(&v[i], f, "list", err);
		if (e < 0)
			break;
		i++;
	}
	if (e < 0) {
		room_entries_free(v, i);
		goto out;
	}
	*out = v;
	*n = cnt;
out:
	room_req_clear(&r);
	return e;
}

int room_storage_stat(struct room_entry *out, struct room_client *c,
		      const char *path, struct util_error *err)
{
	struct room_req r;
	const cJSON *j, *ex;
	int e;

	memset(out, 0, sizeof(*out));
	e = invoke_path(&r, c, "stat", path, err);
	if (e < 0)
		return e;
	j = resp_json(&r, "stat", err);
	ex = j ? cJSON_GetObjectItemCaseSensitive(j, "exists") : NULL;
	if (!cJSON_IsBool(ex)) {
		util_error_set(err, -1,
			       "unexpected return type from storage.stat");
		e = -EPROTO;
	} else if (!cJSON_IsTrue(ex)) {
		util_error_set(err, -1, "%s: not found", path);
		e = -ENOENT;
	} else {
		e = entry_parse(out, j, "stat", err);
	}
	room_req_clear(&r);
	return e;
}

int room_storage_exists(bool *out, struct room_client *c, const char *path,
			struct util_error *err)
{
	struct room_req r;
	const cJSON *j, *ex;
	int e;

	*out = false;
	e = invoke_path(&r, c, "exists", path, err);
	if (e < 0)
		return e;
	j = resp_json(&r, "exists", err);
	ex = j ? cJSON_GetObjectItemCaseSensitive(j, "exists") : NULL;
	if (!cJSON_IsBool(ex)) {
		util_error_set(err, -1,
			       "unexpected return type from storage.exists");
		e = -EPROTO;
	} else {
		*out = cJSON_IsTrue(ex);
	}
	room_req_clear(&r);
	return e;
}

int room_storage_delete(struct room_client *c, const char *path, bool recursive,
			struct util_error *err)
{
	struct room_req r;
	cJSON *a;
	int e;

	if (!c || !path) {
		util_error_set(err, -1, "storage.delete: no path");
		return -EINVAL;
	}
	a = cJSON_CreateObject();
	/* TS sends recursive: null unless it is given */
	if (!a || !cJSON_AddStringToObject(a, "path", path) ||
	    !(recursive ? cJSON_AddTrueToObject(a, "recursive") :
			  cJSON_AddNullToObject(a, "recursive"))) {
		cJSON_Delete(a);
		return -ENOMEM;
	}
	e = room_invoke_json(&r, c, "storage", "delete", a, err);
	if (e == 0)
		room_req_clear(&r);
	return e;
}

int room_storage_move(struct room_client *c, const char *from, const char *to,
		      bool overwrite, struct util_error *err)
{
	struct room_req r;
	cJSON *a;
	int e;

	if (!c || !from || !to) {
		util_error_set(err, -1, "storage.move: no path");
		return -EINVAL;
	}
	a = cJSON_CreateObject();
	if (!a || !cJSON_AddStringToObject(a, "source_path", from) ||
	    !cJSON_AddStringToObject(a, "destination_path", to) ||
	    !cJSON_AddBoolToObject(a, "overwrite", overwrite)) {
		cJSON_Delete(a);
		return -ENOMEM;
	}
	e = room_invoke_json(&r, c, "storage", "move", a, err);
	if (e == 0)
		room_req_clear(&r);
	return e;
}

int room_storage_download_url(char **out, struct room_client *c,
			      const char *path, struct util_error *err)
{
	struct room_req r;
	const cJSON *j, *u;
	int e;

	*out = NULL;
	e = invoke_path(&r, c, "download_url", path, err);
	if (e < 0)
		return e;
	j = resp_json(&r, "download_url", err);
	u = j ? cJSON_GetObjectItemCaseSensitive(j, "url") : NULL;
	if (!cJSON_IsString(u)) {
		util_error_set(
			err, -1,
			"unexpected return type from storage.download_url");
		e = -EPROTO;
	} else if (!(*out = strdup(u->valuestring))) {
		e = -ENOMEM;
	}
	room_req_clear(&r);
	return e;
}

/* ---------------------------------------------------------------------
 * Streams
 * --------------------------------------------------------------------- */

/* _defaultUploadName: the last non-empty segment, else the path. */
static char *upload_name(const char *path)
{
	const char *end = path + strlen(path), *start;

	while (end > path && end[-1] == '/')
		end--;
	if (end == path)
		return strdup(path);
	start = end;
	while (start > path && start[-1] != '/')
		start--;
	return strndup(start, (size_t)(end - start));
}

static int send_binary(struct room_client *c, struct room_stream *s,
		       cJSON *headers, const void *p, size_t n,
		       struct util_error *err)
{
	struct proto_content cont;
	struct timespec ts;
	int e;

	e = proto_content_binary(&cont, headers, p, n); /* takes headers */
	if (e < 0)
		return e;
	room_deadline(c, &ts);
	e = room_stream_send(c, s, &cont, &ts, err);
	proto_content_free(&cont);
	return e;
}

static int send_close(struct room_client *c, struct room_stream *s,
		      struct util_error *err)
{
	struct proto_content cont;
	struct timespec ts;
	int e;

	e = proto_content_control_close(&cont, PROTO_CLOSE_NORMAL, NULL);
	if (e < 0)
		return e;
	room_deadline(c, &ts);
	e = room_stream_send(c, s, &cont, &ts, err);
	proto_content_free(&cont);
	return e;
}

static int next_chunk(struct room_chunk **ch, struct room_client *c,
		      struct room_stream *s, struct room_req *inv,
		      const char *op, struct util_error *err)
{
	struct timespec ts;
	int e;

	room_deadline(c, &ts);
	e = room_stream_next(ch, c, s, inv, &ts, err);
	if (e < 0)
		return e;
	if (*ch && (*ch)->content.type == PROTO_CONTENT_ERROR) {
		e = room_content_errno(&(*ch)->content, err);
		room_chunk_free(*ch);
		*ch = NULL;
		return e;
	}
	if (*ch && ((*ch)->content.type != PROTO_CONTENT_BINARY ||
		    !cJSON_IsObject((*ch)->content.headers))) {
		util_error_set(err, -1,
			       "unexpected return type from storage.%s", op);
		room_chunk_free(*ch);
		*ch = NULL;
		return -EPROTO;
	}
	return 0;
}

/* Fills buf up to cap from t->read (stops early only at the end). */
static int read_full(const struct room_transfer *t, uint8_t *buf, size_t cap,
		     size_t *got)
{
	size_t n = 0, k;
	int e;

	while (n < cap) {
		k = 0;
		e = t->read(t->ctx, buf + n, cap - n, &k);
		if (e < 0)
			return e;
		if (!k)
			break;
		n += k > cap - n ? cap - n : k;
	}
	*got = n;
	return 0;
}

static int upload(struct room_client *c, const char *path, bool overwrite,
		  bool has_size, uint64_t size, const struct room_transfer *t,
		  struct util_error *err)
{
	struct room_stream *s = NULL;
	struct room_req inv;
	struct room_chunk *ch = NULL;
	struct timespec ts;
	uint8_t *buf = NULL;
	size_t cap = 0, got;
	uint64_t done = 0;
	char *name = NULL;
	cJSON *h;
	bool end = false;
	int e, abort_err = 0;

	if (!c || !path || !t || !t->read) {
		util_error_set(err, -1, "storage.upload: bad argument");
		return -EINVAL;
	}
	name = upload_name(path);
	if (!name)
		return -ENOMEM;
	room_deadline(c, &ts);
	e = room_stream_open(&s, c, "storage", "upload", &inv, &ts, err);
	if (e < 0)
		goto out;
	/* start, in TS key order */
	h = cJSON_CreateObject();
	if (!h || !cJSON_AddStringToObject(h, "kind", "start") ||
	    !cJSON_AddStringToObject(h, "path", path) ||
	    !cJSON_AddBoolToObject(h, "overwrite", overwrite) ||
	    !cJSON_AddStringToObject(h, "name", name) ||
	    !cJSON_AddStringToObject(h, "mime_type", proto_mime_type(name)) ||
	    !(has_size ? cJSON_AddNumberToObject(h, "size", (double)size) :
			 cJSON_AddNullToObject(h, "size"))) {
		cJSON_Delete(h);
		e = -ENOMEM;
		goto out;
	}
	e = send_binary(c, s, h, NULL, 0, err);
	if (e < 0)
		goto out;
	/* one data chunk per pull; our input ends when the data does */
	while (!end) {
		const cJSON *kind, *csz;
		size_t want = 64 * 1024;

		e = next_chunk(&ch, c, s, &inv, "upload", err);
		if (e < 0)
			goto out;
		if (!ch)
			break; /* the server closed first */
		kind = cJSON_GetObjectItemCaseSensitive(ch->content.headers,
							"kind");
		csz = cJSON_GetObjectItemCaseSensitive(ch->content.headers,
						       "chunk_size");
		if (!cJSON_IsString(kind) ||
		    strcmp(kind->valuestring, "pull")) {
			util_error_set(err, -1,
				       "unexpected return type from "
				       "storage.upload");
			e = -EPROTO;
			goto out;
		}
		if (cJSON_IsNumber(csz) && csz->valuedouble >= 1)
			want = csz->valuedouble > 16 * 1024 * 1024 ?
				       16 * 1024 * 1024 :
				       (size_t)csz->valuedouble;
		room_chunk_free(ch);
		ch = NULL;
		if (want > cap) {
			uint8_t *nb = realloc(buf, want);

			if (!nb) {
				e = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = want;
		}
		e = read_full(t, buf, want, &got);
		if (e < 0) {
			/* the size check makes the server drop the upload */
			abort_err = e;
			util_error_set(err, -1, "%s: reading the data failed",
				       path);
			break;
		}
		if (!got)
			break;
		h = cJSON_CreateObject();
		if (!h || !cJSON_AddStringToObject(h, "kind", "data")) {
			cJSON_Delete(h);
			e = -ENOMEM;
			goto out;
		}
		e = send_binary(c, s, h, buf, got, err);
		if (e < 0)
			goto out;
		done += got;
		if (t->progress)
			t->progress(t->ctx, done, has_size ? size : 0);
		if (has_size && done > size) {
			util_error_set(err, -1,
				       "%s: more data than the size given",
				       path);
			abort_err = -EINVAL;
			break;
		}
	}
	e = send_close(c, s, err);
	if (e < 0 || abort_err)
		goto out;
	/* the upload is committed when the server's close arrives */
	for (;;) {
		e = next_chunk(&ch, c, s, &inv, "upload", err);
		if (e < 0 || !ch)
			break;
		room_chunk_free(ch); /* a late pull */
		ch = NULL;
	}
	if (e == 0) {
		pthread_mutex_lock(&c->lock);
		room_deadline(c, &ts);
		e = room_req_wait_locked(c, &inv, &ts);
		pthread_mutex_unlock(&c->lock);
		if (e == 0 && !inv.err)
			e = room_content_errno(&inv.resp, err);
	}
out:
	if (abort_err && e >= 0)
		e = abort_err;
	room_chunk_free(ch);
	room_stream_free(c, s, s ? &inv : NULL);
	free(buf);
	free(name);
	return e;
}

int room_storage_upload(struct room_client *c, const char *path, bool overwrite,
			uint64_t size, const struct room_transfer *t,
			struct util_error *err)
{
	return upload(c, path, overwrite, true, size, t, err);
}

int room_storage_download(uint64_t *size_out, struct room_client *c,
			  const char *path, const struct room_transfer *t,
			  struct util_error *err)
{
	struct room_stream *s = NULL;
	struct room_req inv;
	struct room_chunk *ch = NULL;
	struct timespec ts;
	uint64_t size = 0, got = 0;
	bool started = false;
	cJSON *h;
	int e, e2;

	if (size_out)
		*size_out = 0;
	if (!c || !path || !t || !t->write) {
		util_error_set(err, -1, "storage.download: bad argument");
		return -EINVAL;
	}
	room_deadline(c, &ts);
	e = room_stream_open(&s, c, "storage", "download", &inv, &ts, err);
	if (e < 0)
		return e;
	/* the network thread pulls: each chunk is on its way while the last
	 * one is written, and the pull costs this thread no round trip */
	room_stream_pull_ahead(c, s);
	h = cJSON_CreateObject();
	if (!h || !cJSON_AddStringToObject(h, "kind", "start") ||
	    !cJSON_AddStringToObject(h, "path", path) ||
	    !cJSON_AddNumberToObject(h, "chunk_size", DOWNLOAD_CHUNK_SIZE)) {
		cJSON_Delete(h);
		e = -ENOMEM;
		goto out;
	}
	e = send_binary(c, s, h, NULL, 0, err);
	if (e < 0)
		goto out;
	for (;;) {
		const cJSON *kind, *sz, *nm, *mt;

		e = next_chunk(&ch, c, s, &inv, "download", err);
		if (e < 0)
			goto out;
		if (!ch)
			break;
		kind = cJSON_GetObjectItemCaseSensitive(ch->content.headers,
							"kind");
		if (!started && cJSON_IsString(kind) &&
		    !strcmp(kind->valuestring, "start")) {
			sz = cJSON_GetObjectItemCaseSensitive(
				ch->content.headers, "size");
			nm = cJSON_GetObjectItemCaseSensitive(
				ch->content.headers, "name");
			mt = cJSON_GetObjectItemCaseSensitive(
				ch->content.headers, "mime_type");
			if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 ||
			    !cJSON_IsString(nm) || !cJSON_IsString(mt))
				goto bad;
			started = true;
			size = (uint64_t)sz->valuedouble;
		} else if (started && cJSON_IsString(kind) &&
			   !strcmp(kind->valuestring, "data")) {
			got += ch->content.payload_len;
			if (got > size)
				goto bad;
			if (ch->content.payload_len) {
				e = t->write(t->ctx, ch->content.payload,
					     ch->content.payload_len);
				if (e < 0) {
					util_error_set(err, -1,
						       "%s: writing the data "
						       "failed",
						       path);
					break;
				}
			}
			if (t->progress)
				t->progress(t->ctx, got, size);
		} else {
			goto bad;
		}
		room_chunk_free(ch);
		ch = NULL;
	}
	if (e == 0 && (!started || got != size))
		goto bad;
	/* our input ends after the server's close: the trailing close */
	e2 = send_close(c, s, e < 0 ? NULL : err);
	if (e == 0)
		e = e2;
	if (size_out)
		*size_out = got;
	goto out;
bad:
	util_error_set(err, -1, "unexpected return type from storage.download");
	e = -EPROTO;
out:
	room_chunk_free(ch);
	room_stream_free(c, s, &inv);
	return e;
}

/* ---- conveniences ---- */

struct memsrc {
	const uint8_t *p;
	size_t len, off;
};

static int mem_read(void *ctx, void *buf, size_t cap, size_t *got)
{
	struct memsrc *m = ctx;
	size_t n = m->len - m->off;

	if (n > cap)
		n = cap;
	if (n)
		memcpy(buf, m->p + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

int room_storage_upload_buf(struct room_client *c, const char *path,
			    bool overwrite, const void *data, size_t len,
			    struct util_error *err)
{
	struct memsrc m = { data, len, 0 };
	struct room_transfer t = { .read = mem_read, .ctx = &m };

	if (!data && len) {
		util_error_set(err, -1, "storage.upload: no data");
		return -EINVAL;
	}
	return upload(c, path, overwrite, true, len, &t, err);
}

static int mem_write(void *ctx, const void *data, size_t len)
{
	struct util_buf *b = ctx;

	util_buf_put(b, data, len);
	return util_buf_error(b);
}

int room_storage_download_buf(void **out, size_t *len, struct room_client *c,
			      const char *path, struct util_error *err)
{
	struct util_buf b;
	struct room_transfer t = { .write = mem_write };
	uint8_t *p;
	size_t n;
	int e;

	*out = NULL;
	*len = 0;
	util_buf_init(&b);
	t.ctx = &b;
	e = room_storage_download(NULL, c, path, &t, err);
	if (e == 0) {
		util_buf_put_u8(&b, 0); /* a NUL past the end, for text */
		e = util_buf_steal(&p, &n, &b);
		if (e == 0) {
			*out = p;
			*len = n - 1;
		}
	}
	util_buf_free(&b);
	return e;
}

struct fdio {
	int fd;
	room_progress_fn progress;
	void *ctx;
};

static int fd_read(void *ctx, void *buf, size_t cap, size_t *got)
{
	struct fdio *f = ctx;
	ssize_t n;

	do
		n = read(f->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*got = (size_t)n;
	return 0;
}

static int fd_write(void *ctx, const void *data, size_t len)
{
	struct fdio *f = ctx;
	const uint8_t *p = data;
	ssize_t n;

	while (len) {
		n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fd_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct fdio *f = ctx;

	if (f->progress)
		f->progress(f->ctx, done, total);
}

int room_storage_upload_fd(struct room_client *c, const char *path,
			   bool overwrite, int fd, room_progress_fn progress,
			   void *ctx, struct util_error *err)
{
	struct fdio f = { fd, progress, ctx };
	struct room_transfer t = { .read = fd_read,
				   .progress = fd_progress,
				   .ctx = &f };
	struct stat st;
	off_t off;

	if (fstat(fd, &st) < 0) {
		util_error_set(err, -1, "storage.upload: bad file descriptor");
		return -errno;
	}
	if (S_ISREG(st.st_mode)) {
		off = lseek(fd, 0, SEEK_CUR);
		if (off < 0)
			off = 0;
		return upload(c, path, overwrite, true,
			      st.st_size > off ? (uint64_t)(st.st_size - off) :
						 0,
			      &t, err);
	}
	/* pipes and sockets: size unknown (uploadStream with size null) */
	return upload(c, path, overwrite, false, 0, &t, err);
}

int room_storage_download_fd(uint64_t *size_out, struct room_client *c,
			     const char *path, int fd,
			     room_progress_fn progress, void *ctx,
			     struct util_error *err)
{
	struct fdio f = { fd, progress, ctx };
	struct room_transfer t = { .write = fd_write,
				   .progress = fd_progress,
				   .ctx = &f };

	return room_storage_download(size_out, c, path, &t, err);
}
