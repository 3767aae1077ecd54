/* SPDX-License-Identifier: MIT */
/*
 * docstore.c - a room's live documents: loading (state file + journal),
 * creation, schema resolution, validated updates, group-committed journal
 * appends, compaction, and the storage hooks.  The design (files, threads,
 * the shadow replica) is described in docstore.h.
 *
 * Jobs.  Everything that touches the disk is a job for the committer
 * thread, which runs them in FIFO order, so that the order of the journal
 * is the order updates were accepted in, a document's creation is on disk
 * before its first record, and a compaction replaces exactly the records
 * queued before it.  A job holds a reference to its document; the
 * committer uses only the document's file fields (journal fd and paths),
 * which the loop thread touches only while the committer is idle
 * (quiesce).  Finished jobs go back to the loop thread in batches
 * (srv_doc_committer_poll) where APPEND jobs are applied to the live
 * document (one transaction per document and batch: the coalescing) and
 * their done callbacks run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docstore.h"
#include "proto.h"
#include "util.h"

/* Temp files in room storage start with this (srv.h SRV_TMP_PREFIX: the
 * storage listing hides them). */
#define DOC_TMP_PREFIX ".meshroomd-tmp."
#define JOURNAL_DIR "docs"
#define JOURNAL_MAGIC "MRDJ"
#define JOURNAL_VERSION 1u
#define JOURNAL_HDR_FIXED (4 + 4 + 8 + 8 + 4) /* magic .. schema_len */
#define RECORD_HDR 8 /* u32 length, u32 crc */
#define DEFAULT_COMPACT_BYTES (1u << 20)
#define DEFAULT_MAX_DOC_BYTES (256u << 20)
#define MAX_SCHEMA_BYTES (4u << 20)
#define TABLE_SIZE 64
/* a shadow unused this long is freed (memory of idle documents) */
#define SHADOW_IDLE_MS 2000
/*
 * An open document nobody edited or read this long is compacted and then
 * its live replica is freed ("evicted"): an idle open document costs its
 * bookkeeping only, not its content.  The next update, state request or
 * describe loads the replica again from the state file, which holds
 * everything once the journal is empty.
 */
#define EVICT_IDLE_MS 3000

/* ------------------------------------------------------------------ */
/* CRC-32 (IEEE 802.3, as zlib): the journal's record checksum.         */
/* ------------------------------------------------------------------ */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_buf(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffffu;

	pthread_once(&crc_once, crc_init);
	while (n--)
		c = crc_table[(c ^ *b++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

enum job_kind {
	JOB_APPEND, /* a journal record */
	JOB_BARRIER, /* nothing: done once everything before is durable */
	JOB_CREATE, /* a new document: journal, then state file */
	JOB_INIT, /* a fresh journal for a loaded state file */
	JOB_COMPACT, /* state file from a snapshot, then a fresh journal */
};

struct job {
	struct job *next; /* committer queue / done list */
	struct job *dnext; /* the document's in-flight APPENDs (loop) */
	enum job_kind kind;
	struct srv_doc *doc; /* referenced; NULL for a barrier */
	uint8_t *data; /* APPEND: update; CREATE/COMPACT: full state */
	size_t len;
	uint64_t from; /* APPEND: subscriber id (0 = none) */
	uint64_t ino, size; /* INIT: identity of the state file */
	size_t jbytes; /* COMPACT: journal bytes it replaces */
	bool close; /* COMPACT: close the journal fd after */
	srv_doc_done_fn done;
	void *arg;
	int err; /* set by the committer */
};

struct srv_doc_committer {
	pthread_mutex_t mu;
	pthread_cond_t work; /* jobs queued or stop */
	pthread_cond_t idle; /* a batch finished */
	struct job *q_head, *q_tail;
	struct job *d_head, *d_tail;
	uint64_t queued, finished;
	bool stop, started, poll_scheduled, dead, no_defer;
	bool sweep_scheduled;
	unsigned nshadows; /* documents with a shadow (sweep timer) */
	unsigned nresident; /* documents with a live replica (sweep timer) */
	unsigned trims_due; /* sweeps that still trim the heap (timer too) */
	struct srv_docstore *stores; /* loop thread only */
	unsigned refs; /* owner + scheduled deferred polls */
	pthread_t thr;
	srv_doc_defer_fn defer;
	void *defer_ctx;
	bool polling;
	int64_t batch_ms; /* when the last batch was taken (committer) */
	uint64_t batch_n; /* and how many jobs it had */
};

/*
 * Group commit: a batch is taken at most this often.  Under load the
 * updates of a few ms then share one write, one fsync, and one merged
 * broadcast per document, which every subscriber applies once instead of
 * once per update: with many editors the subscribers' work per update is
 * what limits throughput.  Only after a batch of several jobs (a load): a
 * lone editor's next update, or the SDK's echo of it, goes out at once.
 */
#define COMMIT_GAP_MS 5

/*
 * A schema with its canonical JSON forms, shared by every document of a
 * docstore that has the same one (most documents of a room share a few
 * schemas; a copy per document was ~13 KB of an idle document's memory).
 * Immutable once made; refcounted in the loop thread; the committer reads
 * `text` of a document it holds a reference to (which holds this one).
 */
struct doc_schema {
	unsigned refs;
	struct mesh_schema *schema;
	cJSON *json;
	char *text; /* canonical JSON, as kept in the journal */
	size_t len;
	struct srv_docstore *ds; /* NULL once the docstore is gone */
	struct doc_schema *prev, *next; /* ds->schemas */
};

struct srv_docstore {
	struct srv_doc_committer *c;
	struct doc_schema *schemas;
	struct srv_docstore *next_store;
	int dirfd, state_dirfd;
	char *name;
	size_t compact_bytes, max_doc_bytes;
	struct srv_doc *table[TABLE_SIZE];
	size_t count;
	uint64_t next_sub_id;
};

struct srv_doc {
	struct srv_docstore *ds; /* NULL once the docstore is freed */
	struct srv_doc_committer *c;
	int64_t last_apply_ms; /* last update, state or describe */
	struct srv_doc *hnext;
	unsigned refs;
	unsigned jobs; /* queued and not yet polled (loop thread) */
	bool no_evict; /* a job failed: the state file may lack something */
	char *path; /* storage path of the state file */
	char *jpath; /* journal path below state_dirfd */

	/* views of the shared schema `sch` (NULL until set) */
	struct doc_schema *sch;
	const struct mesh_schema *schema;
	const cJSON *schema_json;
	const char *schema_text; /* canonical JSON, as kept in the journal */
	size_t schema_len;

	struct y_doc *live; /* durable state; NULL while evicted */
	struct y_doc *shadow; /* live + in-flight updates, for validation */
	bool shadow_stale;
	size_t base_errors; /* validation errors the shadow had when built */
	uint8_t *shadow_cap, *live_cap; /* last update event of each */
	size_t shadow_cap_len, live_cap_len;
	bool shadow_cap_set, live_cap_set;

	struct job *inflight_head, *inflight_tail;
	size_t jbytes; /* journal record bytes since the last compaction */
	bool compacting;
	bool gone; /* deleted/moved/replaced in storage: no more saves */

	/* the batch being applied (srv_doc_committer_poll) */
	bool in_txn, batch_mixed;
	uint64_t batch_from;
	struct srv_doc *touched_next;

	struct srv_doc_sub *subs;
	size_t nsubs;

	/* committer-owned while jobs are in flight */
	int jfd;
	bool jdirty, jlisted;
	int jerr;
	struct srv_doc *dirty_next;
};

static void doc_free(struct srv_doc *doc);
static void schema_put(struct doc_schema *e);
static void shadow_free(struct srv_doc *doc);
static void sweep(struct srv_doc_committer *c);
static int queue_job(struct srv_doc_committer *c, struct job *j);
static int queue_compact(struct srv_doc *doc, bool close);

static void set_err(struct srv_doc_error *err, int code, const char *fmt, ...)
	UTIL_PRINTF(3, 4);

static void set_err(struct srv_doc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Files, confined below a directory descriptor                        */
/* ------------------------------------------------------------------ */

/*
 * Opens the folder that holds `path` (relative, '/'-separated, already
 * normalised) below dirfd, one segment at a time with O_NOFOLLOW so that
 * no symlink leads outside.  create: make missing folders.  *base points
 * at the last segment of path.
 */
static int open_parent(int *out, const char **base, int dirfd, const char *path,
		       bool create)
{
	const char *seg = path, *slash;
	char name[256];
	int cur, fd;

	cur = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	while ((slash = strchr(seg, '/'))) {
		size_t n = (size_t)(slash - seg);

		if (n == 0 || n >= sizeof(name)) {
			close(cur);
			return n ? -ENAMETOOLONG : -EINVAL;
		}
		memcpy(name, seg, n);
		name[n] = '\0';
		fd = openat(cur, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, name, 0755) && errno != EEXIST) {
				int e = -errno;

				close(cur);
				return e;
			}
			fd = openat(cur, name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
		}
		if (fd < 0) {
			int e = errno == ENOTDIR ? -ENOTDIR : -errno;

			close(cur);
			return e;
		}
		close(cur);
		cur = fd;
		seg = slash + 1;
	}
	if (!*seg) {
		close(cur);
		return -EINVAL;
	}
	*out = cur;
	*base = seg;
	return 0;
}

static int read_fd(uint8_t **out, size_t *out_len, int fd, size_t max,
		   struct stat *st)
{
	uint8_t *buf;
	size_t len, got = 0;

	if (fstat(fd, st))
		return -errno;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if ((uint64_t)st->st_size > max)
		return -EFBIG;
	len = (size_t)st->st_size;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			free(buf);
			return e;
		}
		if (n == 0)
			break; /* shrank meanwhile: take what is there */
		got += (size_t)n;
	}
	buf[got] = 0;
	*out = buf;
	*out_len = got;
	return 0;
}

/* Reads the regular file at path below dirfd (confined). */
static int read_file(uint8_t **out, size_t *out_len, struct stat *st, int dirfd,
		     const char *path, size_t max)
{
	const char *base;
	int pfd, fd, ret;

	ret = open_parent(&pfd, &base, dirfd, path, false);
	if (ret)
		return ret;
	fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ret = fd < 0 ? -errno : 0;
	close(pfd);
	if (ret)
		return ret;
	ret = read_fd(out, out_len, fd, max, st);
	close(fd);
	return ret;
}

static int stat_file(struct stat *st, int dirfd, const char *path)
{
	const char *base;
	int pfd, ret;

	ret = open_parent(&pfd, &base, dirfd, path, false);
	if (ret)
		return ret;
	ret = fstatat(pfd, base, st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	close(pfd);
	return ret;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Writes two pieces (head may be NULL) to a new temp file in folder pfd
 * and fsyncs it.  *tmp gets its name (a buffer of 64), *st its identity.
 */
static int tmp_write(char *tmp, struct stat *st, int pfd, const void *head,
		     size_t head_len, const void *data, size_t len)
{
	uint8_t rnd[8];
	int fd, ret;

	ret = util_random(rnd, sizeof(rnd));
	if (ret)
		return ret;
	snprintf(tmp, 64, "%s%02x%02x%02x%02x%02x%02x%02x%02x", DOC_TMP_PREFIX,
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
		 rnd[7]);
	fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ret = head ? write_all(fd, head, head_len) : 0;
	if (!ret)
		ret = write_all(fd, data, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && fstat(fd, st))
		ret = -errno;
	close(fd);
	if (ret)
		unlinkat(pfd, tmp, 0);
	return ret;
}

static int rename_sync(int pfd, const char *tmp, const char *base)
{
	if (renameat(pfd, tmp, pfd, base)) {
		int e = -errno;

		unlinkat(pfd, tmp, 0);
		return e;
	}
	if (fsync(pfd))
		return -errno;
	return 0;
}

/* Removes a file, or a folder with everything below it, at name in pfd. */
static int remove_tree(int pfd, const char *name)
{
	struct stat st;
	int fd, ret = 0;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		struct dirent *de;
		DIR *d;

		fd = openat(pfd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -errno;
		}
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			ret = remove_tree(dirfd(d), de->d_name);
			if (ret)
				break;
		}
		closedir(d);
		if (!ret && unlinkat(pfd, name, AT_REMOVEDIR))
			ret = -errno;
		return ret;
	}
	return unlinkat(pfd, name, 0) ? -errno : 0;
}

/*
 * The journal path of a document or folder: "docs/" + every folder
 * segment with ".d" + the last segment with ".j" (file) or ".d" (folder).
 */
static char *journal_path(const char *path, bool folder)
{
	size_t n = strlen(path), segs = 1;
	char *out, *o;

	for (size_t i = 0; i < n; i++)
		segs += path[i] == '/';
	out = malloc(sizeof(JOURNAL_DIR) + n + 2 * segs + 2);
	if (!out)
		return NULL;
	o = out + sprintf(out, "%s/", JOURNAL_DIR);
	for (const char *p = path; *p; p++) {
		if (*p == '/') {
			memcpy(o, ".d/", 3);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	memcpy(o, folder ? ".d" : ".j", 3);
	return out;
}

/* ------------------------------------------------------------------ */
/* Journal format                                                      */
/* ------------------------------------------------------------------ */

static uint8_t *journal_header(size_t *out_len, const char *schema,
			       size_t schema_len, uint64_t ino, uint64_t size)
{
	size_t n = JOURNAL_HDR_FIXED + schema_len + 4;
	uint8_t *h = malloc(n);

	if (!h)
		return NULL;
	memcpy(h, JOURNAL_MAGIC, 4);
	util_store_be32(h + 4, JOURNAL_VERSION);
	util_store_be64(h + 8, ino);
	util_store_be64(h + 16, size);
	util_store_be32(h + 24, (uint32_t)schema_len);
	memcpy(h + JOURNAL_HDR_FIXED, schema, schema_len);
	util_store_be32(h + n - 4, crc32_buf(h, n - 4));
	*out_len = n;
	return h;
}

struct journal_view {
	uint64_t ino, size;
	const char *schema;
	size_t schema_len;
	size_t records; /* offset of the first record */
};

static int journal_parse(struct journal_view *v, const uint8_t *p, size_t n)
{
	size_t slen, end;

	if (n < JOURNAL_HDR_FIXED + 4 || memcmp(p, JOURNAL_MAGIC, 4) ||
	    util_load_be32(p + 4) != JOURNAL_VERSION)
		return -EBADMSG;
	slen = util_load_be32(p + 24);
	if (slen > MAX_SCHEMA_BYTES || n - JOURNAL_HDR_FIXED - 4 < slen)
		return -EBADMSG;
	end = JOURNAL_HDR_FIXED + slen;
	if (crc32_buf(p, end) != util_load_be32(p + end))
		return -EBADMSG;
	v->ino = util_load_be64(p + 8);
	v->size = util_load_be64(p + 16);
	v->schema = (const char *)p + JOURNAL_HDR_FIXED;
	v->schema_len = slen;
	v->records = end + 4;
	return 0;
}

/* Writes a fresh journal (header only) for doc, atomically. */
static int journal_reset(struct srv_doc *doc, int state_dirfd, uint64_t ino,
			 uint64_t size)
{
	char tmp[64];
	struct stat st;
	const char *base;
	uint8_t *h;
	size_t hlen;
	int pfd, ret;

	h = journal_header(&hlen, doc->schema_text, doc->schema_len, ino, size);
	if (!h)
		return -ENOMEM;
	ret = open_parent(&pfd, &base, state_dirfd, doc->jpath, true);
	if (ret)
		goto out;
	ret = tmp_write(tmp, &st, pfd, NULL, 0, h, hlen);
	if (!ret)
		ret = rename_sync(pfd, tmp, base);
	close(pfd);
	if (!ret && doc->jfd >= 0) {
		close(doc->jfd);
		doc->jfd = -1;
	}
out:
	free(h);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The committer thread                                                */
/* ------------------------------------------------------------------ */

static int job_append(struct srv_docstore *ds, struct srv_doc *doc,
		      struct job *j)
{
	uint8_t hdr[RECORD_HDR];
	off_t at;
	int ret;

	if (doc->jfd < 0) {
		const char *base;
		int pfd;

		ret = open_parent(&pfd, &base, ds->state_dirfd, doc->jpath,
				  false);
		if (ret)
			return ret;
		doc->jfd = openat(pfd, base,
				  O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		ret = doc->jfd < 0 ? -errno : 0;
		close(pfd);
		if (ret)
			return ret;
	}
	at = lseek(doc->jfd, 0, SEEK_END);
	if (at < 0)
		return -errno;
	util_store_be32(hdr, (uint32_t)j->len);
	util_store_be32(hdr + 4, crc32_buf(j->data, j->len));
	ret = write_all(doc->jfd, hdr, sizeof(hdr));
	if (!ret)
		ret = write_all(doc->jfd, j->data, j->len);
	if (ret) {
		/* A torn record would hide every later one from the loader:
		 * cut it off again. */
		if (ftruncate(doc->jfd, at))
			util_log_error(
				"docstore %s: cannot cut the journal of %s: %s",
				ds->name, doc->path, strerror(errno));
	}
	return ret;
}

/*
 * A new document: the state goes to a temp file first (to learn its
 * identity), then the journal naming it, then the rename that makes the
 * document exist.  A crash before the rename leaves a journal without a
 * state file: no document.
 */
static int job_create(struct srv_docstore *ds, struct srv_doc *doc,
		      struct job *j)
{
	char tmp[64];
	struct stat st;
	const char *base;
	int pfd, ret;

	ret = open_parent(&pfd, &base, ds->dirfd, doc->path, true);
	if (ret)
		return ret;
	ret = tmp_write(tmp, &st, pfd, NULL, 0, j->data, j->len);
	if (ret)
		goto out;
	ret = journal_reset(doc, ds->state_dirfd, (uint64_t)st.st_ino,
			    (uint64_t)st.st_size);
	if (ret) {
		unlinkat(pfd, tmp, 0);
		goto out;
	}
	ret = rename_sync(pfd, tmp, base);
out:
	close(pfd);
	return ret;
}

/*
 * Compaction: the state file first (a crash after it leaves the old
 * journal, whose identity no longer matches, so its records, which the
 * new state holds, are ignored), then a fresh journal.
 */
static int job_compact(struct srv_docstore *ds, struct srv_doc *doc,
		       struct job *j)
{
	char tmp[64];
	struct stat st;
	const char *base;
	int pfd, ret;

	ret = open_parent(&pfd, &base, ds->dirfd, doc->path, true);
	if (ret)
		return ret;
	ret = tmp_write(tmp, &st, pfd, NULL, 0, j->data, j->len);
	if (!ret)
		ret = rename_sync(pfd, tmp, base);
	close(pfd);
	if (ret)
		return ret;
	ret = journal_reset(doc, ds->state_dirfd, (uint64_t)st.st_ino,
			    (uint64_t)st.st_size);
	if (!ret) {
		doc->jdirty = false; /* the old fd is closed */
		if (j->close && doc->jfd >= 0) {
			close(doc->jfd);
			doc->jfd = -1;
		}
	}
	return ret;
}

static void run_batch(struct job *batch)
{
	struct srv_doc *dirty = NULL;

	for (struct job *j = batch; j; j = j->next) {
		struct srv_doc *doc = j->doc;
		struct srv_docstore *ds = doc ? doc->ds : NULL;

		if (doc && !ds) {
			j->err = -ESTALE;
			continue;
		}
		switch (j->kind) {
		case JOB_APPEND:
			j->err = job_append(ds, doc, j);
			if (!j->err) {
				doc->jdirty = true;
				if (!doc->jlisted) {
					doc->jlisted = true;
					doc->jerr = 0;
					doc->dirty_next = dirty;
					dirty = doc;
				}
			}
			break;
		case JOB_CREATE:
			j->err = job_create(ds, doc, j);
			break;
		case JOB_INIT:
			j->err = journal_reset(doc, ds->state_dirfd, j->ino,
					       j->size);
			break;
		case JOB_COMPACT:
			j->err = job_compact(ds, doc, j);
			break;
		case JOB_BARRIER:
			break;
		}
		if (j->err && doc)
			util_log_error("docstore %s: %s: job %d failed: %s",
				       ds->name, doc->path, (int)j->kind,
				       strerror(-j->err));
	}
	/* Group commit: one fdatasync per journal written in this batch. */
	for (struct srv_doc *d = dirty; d; d = d->dirty_next) {
		if (d->jdirty && d->jfd >= 0 && fdatasync(d->jfd))
			d->jerr = -errno;
		d->jdirty = false;
	}
	for (struct job *j = batch; j; j = j->next)
		if (j->kind == JOB_APPEND && !j->err && j->doc && j->doc->jerr)
			j->err = j->doc->jerr;
	for (struct srv_doc *d = dirty; d; d = d->dirty_next) {
		d->jerr = 0;
		d->jlisted = false;
	}
}

static void committer_release(struct srv_doc_committer *c)
{
	bool free_it;

	pthread_mutex_lock(&c->mu);
	free_it = --c->refs == 0;
	pthread_mutex_unlock(&c->mu);
	if (free_it) {
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->work);
		pthread_cond_destroy(&c->idle);
		free(c);
	}
}

static void committer_deferred(void *arg)
{
	struct srv_doc_committer *c = arg;
	bool dead;

	pthread_mutex_lock(&c->mu);
	dead = c->dead;
	pthread_mutex_unlock(&c->mu);
	if (!dead)
		srv_doc_committer_poll(c);
	committer_release(c);
}

static void committer_swept(void *arg)
{
	struct srv_doc_committer *c = arg;
	bool dead;

	pthread_mutex_lock(&c->mu);
	dead = c->dead;
	c->sweep_scheduled = false;
	pthread_cond_signal(&c->work); /* back to the timed wait */
	pthread_mutex_unlock(&c->mu);
	if (!dead)
		sweep(c);
	committer_release(c);
}

/*
 * While shadows or live replicas exist the idle thread wakes once a
 * second and has the loop free those not used lately (the committer is
 * the docstore's only clock).  Called and returns with c->mu held.
 */
static void committer_tick(struct srv_doc_committer *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	if (pthread_cond_timedwait(&c->work, &c->mu, &ts) != ETIMEDOUT ||
	    c->q_head || c->stop ||
	    (!c->nshadows && !c->nresident && !c->trims_due) ||
	    c->sweep_scheduled)
		return;
	c->sweep_scheduled = true;
	c->refs++;
	pthread_mutex_unlock(&c->mu);
	if (c->defer(c->defer_ctx, committer_swept, c) < 0) {
		pthread_mutex_lock(&c->mu);
		c->sweep_scheduled = false;
		c->refs--;
		return;
	}
	pthread_mutex_lock(&c->mu);
}

static void *committer_main(void *arg)
{
	struct srv_doc_committer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct job *batch, *last;
		uint64_t n = 0;
		bool schedule;

		while (!c->q_head && !c->stop) {
			if ((c->nshadows || c->nresident || c->trims_due) &&
			    !c->sweep_scheduled && c->defer && !c->no_defer)
				committer_tick(c);
			else
				pthread_cond_wait(&c->work, &c->mu);
		}
		if (!c->q_head)
			break;
		if (!c->stop && c->batch_n > 1) {
			int64_t wait = c->batch_ms + COMMIT_GAP_MS -
				       util_monotonic_ms();

			if (wait > 0 && wait <= COMMIT_GAP_MS) {
				pthread_mutex_unlock(&c->mu);
				usleep((useconds_t)wait * 1000);
				pthread_mutex_lock(&c->mu);
			}
		}
		c->batch_ms = util_monotonic_ms();
		batch = c->q_head;
		c->q_head = c->q_tail = NULL;
		pthread_mutex_unlock(&c->mu);

		run_batch(batch);

		for (last = batch, n = 1; last->next; last = last->next)
			n++;
		pthread_mutex_lock(&c->mu);
		c->batch_n = n;
		if (c->d_tail)
			c->d_tail->next = batch;
		else
			c->d_head = batch;
		c->d_tail = last;
		c->finished += n;
		schedule = !c->poll_scheduled && c->defer && !c->stop &&
			   !c->no_defer;
		if (schedule) {
			c->poll_scheduled = true;
			c->refs++;
		}
		pthread_cond_broadcast(&c->idle);
		pthread_mutex_unlock(&c->mu);
		if (schedule &&
		    c->defer(c->defer_ctx, committer_deferred, c) < 0) {
			util_log_error(
				"docstore: cannot defer the answers of a batch");
			pthread_mutex_lock(&c->mu);
			c->poll_scheduled = false;
			c->refs--;
			pthread_mutex_unlock(&c->mu);
		}
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int srv_doc_committer_new(struct srv_doc_committer **out,
			  srv_doc_defer_fn defer, void *defer_ctx)
{
	struct srv_doc_committer *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->idle, NULL);
	c->defer = defer;
	c->defer_ctx = defer_ctx;
	c->refs = 1;
	ret = -pthread_create(&c->thr, NULL, committer_main, c);
	if (ret) {
		committer_release(c);
		return ret;
	}
	c->started = true;
	*out = c;
	return 0;
}

/* Waits until the committer has run everything queued so far. */
static void committer_wait(struct srv_doc_committer *c)
{
	pthread_mutex_lock(&c->mu);
	while (c->finished != c->queued)
		pthread_cond_wait(&c->idle, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

/* Waits for the disk to be quiet and runs the finished batches: afterwards
 * no job is in flight and the loop thread may touch file fields. */
static void quiesce(struct srv_doc_committer *c)
{
	committer_wait(c);
	srv_doc_committer_poll(c);
	/* The poll may have queued compactions (last references). */
	committer_wait(c);
	srv_doc_committer_poll(c);
}

void srv_doc_committer_free(struct srv_doc_committer *c)
{
	if (!c)
		return;
	/* From now on finished batches are run here, not deferred: the
	 * loop may never run a deferred call again. */
	pthread_mutex_lock(&c->mu);
	c->no_defer = true;
	pthread_mutex_unlock(&c->mu);
	quiesce(c);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	c->dead = true;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	if (c->started)
		pthread_join(c->thr, NULL);
	committer_release(c);
}

static int queue_job(struct srv_doc_committer *c, struct job *j)
{
	if (j->doc) {
		j->doc->refs++;
		j->doc->jobs++;
	}
	j->next = NULL;
	pthread_mutex_lock(&c->mu);
	if (c->q_tail)
		c->q_tail->next = j;
	else
		c->q_head = j;
	c->q_tail = j;
	c->queued++;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

static void job_free(struct job *j)
{
	free(j->data);
	free(j);
}

/* ------------------------------------------------------------------ */
/* Update capture                                                      */
/* ------------------------------------------------------------------ */

static void capture(uint8_t **buf, size_t *blen, bool *set, const uint8_t *u,
		    size_t len)
{
	uint8_t *p;

	/* Several events before a reset cannot happen (one transaction per
	 * capture); keep the last. */
	p = malloc(len ? len : 1);
	if (!p) {
		*set = true; /* noticed as "changed"; the raw update is used */
		free(*buf);
		*buf = NULL;
		*blen = 0;
		return;
	}
	memcpy(p, u, len);
	free(*buf);
	*buf = p;
	*blen = len;
	*set = true;
}

static void on_shadow_update(void *ctx, const uint8_t *u, size_t len,
			     bool local, void *origin)
{
	struct srv_doc *doc = ctx;

	(void)local;
	(void)origin;
	capture(&doc->shadow_cap, &doc->shadow_cap_len, &doc->shadow_cap_set, u,
		len);
}

static void on_live_update(void *ctx, const uint8_t *u, size_t len, bool local,
			   void *origin)
{
	struct srv_doc *doc = ctx;

	(void)local;
	(void)origin;
	capture(&doc->live_cap, &doc->live_cap_len, &doc->live_cap_set, u, len);
}

static void cap_reset(uint8_t **buf, size_t *len, bool *set)
{
	free(*buf);
	*buf = NULL;
	*len = 0;
	*set = false;
}

/* ------------------------------------------------------------------ */
/* Applying finished batches (loop thread)                             */
/* ------------------------------------------------------------------ */

static void broadcast(struct srv_doc *doc, const uint8_t *data, size_t len,
		      uint64_t skip)
{
	struct srv_doc_update u = { .data = data, .len = len };
	struct srv_doc_sub *s, *next;

	srv_doc_get(doc);
	for (s = doc->subs; s; s = next) {
		next = s->next;
		if (s->id != skip && s->on_update)
			s->on_update(s, &u);
	}
	free(u.b64);
	srv_doc_put(doc);
}

void srv_doc_committer_poll(struct srv_doc_committer *c)
{
	struct job *list, *j, *next;
	struct srv_doc *touched = NULL, *doc;

	pthread_mutex_lock(&c->mu);
	if (c->polling) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	list = c->d_head;
	c->d_head = c->d_tail = NULL;
	c->poll_scheduled = false;
	c->polling = true;
	pthread_mutex_unlock(&c->mu);

	/* 1. durable updates into the live documents, one transaction per
	 * document: one merged update to fan out. */
	for (j = list; j; j = j->next) {
		struct y_error yerr;

		if (j->kind != JOB_APPEND)
			continue;
		doc = j->doc;
		if (doc->inflight_head == j) {
			doc->inflight_head = j->dnext;
			if (!doc->inflight_head)
				doc->inflight_tail = NULL;
		}
		if (j->err) {
			/* Not durable: the live document never gets it, so the
			 * shadow (which has it) is wrong now. */
			doc->shadow_stale = true;
			continue;
		}
		if (doc->gone)
			continue;
		if (!doc->live) {
			/* cannot happen: in-flight updates keep it loaded */
			util_log_error(
				"docstore: %s: durable update for an evicted document",
				doc->path);
			continue;
		}
		if (!doc->in_txn) {
			doc->in_txn = true;
			doc->batch_from = j->from;
			doc->batch_mixed = false;
			cap_reset(&doc->live_cap, &doc->live_cap_len,
				  &doc->live_cap_set);
			y_doc_transact_begin(doc->live, NULL);
			doc->touched_next = touched;
			touched = doc;
		} else if (doc->batch_from != j->from) {
			doc->batch_mixed = true;
		}
		if (y_doc_apply_update(doc->live, j->data, j->len, &yerr))
			util_log_error(
				"docstore: %s: a durable update does not apply: %s",
				doc->path, yerr.msg);
	}
	for (doc = touched; doc; doc = doc->touched_next) {
		doc->in_txn = false;
		y_doc_transact_end(doc->live);
		if (doc->live_cap_set && doc->live_cap)
			broadcast(doc, doc->live_cap, doc->live_cap_len,
				  doc->batch_mixed ? 0 : doc->batch_from);
		cap_reset(&doc->live_cap, &doc->live_cap_len,
			  &doc->live_cap_set);
	}

	/* 2. answers, in queue order */
	for (j = list; j; j = next) {
		next = j->next;
		doc = j->doc;
		if (j->kind == JOB_COMPACT && doc) {
			doc->compacting = false;
			if (j->err)
				doc->jbytes += j->jbytes;
		}
		if (j->done)
			j->done(j->arg, j->err);
		if (doc) {
			doc->jobs--;
			if (j->err)
				doc->no_evict = true;
			srv_doc_put(doc);
		}
		job_free(j);
	}

	pthread_mutex_lock(&c->mu);
	c->polling = false;
	pthread_mutex_unlock(&c->mu);
}

/* ------------------------------------------------------------------ */
/* Docstore and table                                                  */
/* ------------------------------------------------------------------ */

static size_t hash_path(const char *p)
{
	size_t h = 5381;

	while (*p)
		h = h * 33 + (unsigned char)*p++;
	return h % TABLE_SIZE;
}

static struct srv_doc *table_find(struct srv_docstore *ds, const char *path)
{
	for (struct srv_doc *d = ds->table[hash_path(path)]; d; d = d->hnext)
		if (!strcmp(d->path, path))
			return d;
	return NULL;
}

static void table_add(struct srv_docstore *ds, struct srv_doc *doc)
{
	size_t h = hash_path(doc->path);

	doc->hnext = ds->table[h];
	ds->table[h] = doc;
	ds->count++;
}

static void table_remove(struct srv_docstore *ds, struct srv_doc *doc)
{
	struct srv_doc **pp = &ds->table[hash_path(doc->path)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == doc) {
			*pp = doc->hnext;
			doc->hnext = NULL;
			ds->count--;
			return;
		}
}

int srv_docstore_new(struct srv_docstore **out,
		     const struct srv_docstore_config *cfg)
{
	struct srv_docstore *ds;

	if (!cfg || !cfg->committer || cfg->dirfd < 0 || cfg->state_dirfd < 0)
		return -EINVAL;
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	ds->name = strdup(cfg->name ? cfg->name : "room");
	if (!ds->name) {
		free(ds);
		return -ENOMEM;
	}
	ds->c = cfg->committer;
	ds->dirfd = cfg->dirfd;
	ds->state_dirfd = cfg->state_dirfd;
	ds->compact_bytes = cfg->compact_bytes ? cfg->compact_bytes :
						 DEFAULT_COMPACT_BYTES;
	ds->max_doc_bytes = cfg->max_doc_bytes ? cfg->max_doc_bytes :
						 DEFAULT_MAX_DOC_BYTES;
	ds->next_sub_id = 1;
	ds->next_store = ds->c->stores;
	ds->c->stores = ds;
	*out = ds;
	return 0;
}

size_t srv_docstore_count(const struct srv_docstore *ds)
{
	return ds ? ds->count : 0;
}

void srv_docstore_flush(struct srv_docstore *ds)
{
	if (!ds)
		return;
	for (size_t h = 0; h < TABLE_SIZE; h++)
		for (struct srv_doc *d = ds->table[h]; d; d = d->hnext)
			if (d->jbytes && !d->compacting && !d->gone)
				queue_compact(d, false);
	quiesce(ds->c);
}

void srv_docstore_free(struct srv_docstore *ds)
{
	if (!ds)
		return;
	srv_docstore_flush(ds);
	for (size_t h = 0; h < TABLE_SIZE; h++) {
		struct srv_doc *d, *next;

		for (d = ds->table[h]; d; d = next) {
			next = d->hnext;
			d->hnext = NULL;
			d->ds = NULL;
			d->gone = true;
			/* Subscribers are dropped without being told. */
			while (d->subs) {
				struct srv_doc_sub *s = d->subs;

				d->subs = s->next;
				s->doc = NULL;
				s->prev = s->next = NULL;
				d->nsubs--;
				d->refs--;
			}
			if (!d->refs)
				doc_free(d);
		}
		ds->table[h] = NULL;
	}
	/* Documents still referenced keep their schemas alive. */
	for (struct doc_schema *e = ds->schemas, *n; e; e = n) {
		n = e->next;
		e->ds = NULL;
		e->prev = e->next = NULL;
	}
	ds->schemas = NULL;
	for (struct srv_docstore **pp = &ds->c->stores; *pp;
	     pp = &(*pp)->next_store)
		if (*pp == ds) {
			*pp = ds->next_store;
			break;
		}
	free(ds->name);
	free(ds);
}

/* Frees the shadows of documents nobody edited lately (loop thread). */
static void resident_add(struct srv_doc *doc, int delta)
{
	pthread_mutex_lock(&doc->c->mu);
	doc->c->nresident += delta;
	if (delta > 0 && doc->c->nresident == 1)
		pthread_cond_signal(&doc->c->work); /* start the sweep timer */
	pthread_mutex_unlock(&doc->c->mu);
}

/*
 * Frees an idle document's live replica once everything it holds is in
 * the state file (the journal is empty and no job is in flight), or
 * queues the compaction that gets it there.
 */
static bool evict(struct srv_doc *d)
{
	if (!d->live || d->shadow || d->jobs || d->gone || !d->ds ||
	    d->no_evict || d->in_txn)
		return false;
	if (d->jbytes) {
		queue_compact(d, false);
		return false;
	}
	util_log_debug("docstore %s: %s: idle, evicted", d->ds->name, d->path);
	y_doc_free(d->live);
	d->live = NULL;
	resident_add(d, -1);
	/* no job in flight: the committer does not touch jfd now */
	if (d->jfd >= 0) {
		close(d->jfd);
		d->jfd = -1;
	}
	return true;
}

/* Loads an evicted document's live replica again from its state file. */
static int doc_live(struct srv_doc *doc)
{
	struct y_doc *y = NULL;
	uint8_t *state = NULL;
	struct stat st;
	size_t len;
	int ret;

	doc->last_apply_ms = util_monotonic_ms();
	if (doc->live)
		return 0;
	if (!doc->ds || doc->gone)
		return -ESTALE;
	ret = read_file(&state, &len, &st, doc->ds->dirfd, doc->path,
			doc->ds->max_doc_bytes);
	if (!ret)
		ret = y_doc_new(&y, NULL);
	if (!ret && y_doc_apply_update(y, state, len, NULL))
		ret = -EIO;
	if (!ret && y_doc_on_update(y, on_live_update, doc) < 0)
		ret = -ENOMEM;
	free(state);
	if (ret) {
		if (y)
			y_doc_free(y);
		util_log_error("docstore %s: %s: cannot load it again: %s",
			       doc->ds->name, doc->path, strerror(-ret));
		return ret;
	}
	doc->live = y;
	resident_add(doc, 1);
	return 0;
}

/* Frees the shadows, then the live replicas, of documents nobody used
 * lately (loop thread). */
static void sweep(struct srv_doc_committer *c)
{
	int64_t now = util_monotonic_ms();
	size_t evicted = 0;

	for (struct srv_docstore *ds = c->stores; ds; ds = ds->next_store)
		for (size_t h = 0; h < TABLE_SIZE; h++)
			for (struct srv_doc *d = ds->table[h]; d;
			     d = d->hnext) {
				int64_t idle = now - d->last_apply_ms;

				if (d->shadow && !d->inflight_head &&
				    idle >= SHADOW_IDLE_MS)
					shadow_free(d);
				if (idle >= EVICT_IDLE_MS)
					evicted += evict(d);
			}
#ifdef __GLIBC__
	/*
	 * Freed replicas are holes in the heap that glibc keeps mapped: hand
	 * their pages back, or evicting saves nothing the OS can see.  Again
	 * on the next sweeps: what the connections that opened the documents
	 * allocated for their handshakes is often freed a bit later.
	 */
	pthread_mutex_lock(&c->mu);
	if (evicted)
		c->trims_due = 3;
	evicted = c->trims_due;
	if (c->trims_due)
		c->trims_due--;
	pthread_mutex_unlock(&c->mu);
	if (evicted)
		malloc_trim(0);
#endif
}

size_t srv_docstore_shadows(const struct srv_docstore *ds)
{
	size_t n = 0;

	for (size_t h = 0; h < TABLE_SIZE; h++)
		for (struct srv_doc *d = ds->table[h]; d; d = d->hnext)
			n += d->shadow != NULL;
	return n;
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

static void schema_put(struct doc_schema *e)
{
	if (!e || --e->refs)
		return;
	if (e->ds) {
		if (e->prev)
			e->prev->next = e->next;
		else
			e->ds->schemas = e->next;
		if (e->next)
			e->next->prev = e->prev;
	}
	mesh_schema_free(e->schema);
	cJSON_Delete(e->json);
	free(e->text);
	free(e);
}

static void doc_free(struct srv_doc *doc)
{
	if (doc->ds)
		table_remove(doc->ds, doc);
	if (doc->jfd >= 0)
		close(doc->jfd);
	if (doc->live) {
		y_doc_free(doc->live);
		resident_add(doc, -1);
	}
	shadow_free(doc);
	schema_put(doc->sch);
	free(doc->shadow_cap);
	free(doc->live_cap);
	free(doc->path);
	free(doc->jpath);
	free(doc);
}

struct srv_doc *srv_doc_get(struct srv_doc *doc)
{
	doc->refs++;
	return doc;
}

void srv_doc_put(struct srv_doc *doc)
{
	if (!doc || --doc->refs)
		return;
	if (!doc->gone && doc->ds && doc->jbytes) {
		/* Last user gone: save, then unload when the save is done
		 * (the compaction's reference comes back here). */
		if (!queue_compact(doc, true))
			return;
	}
	doc_free(doc);
}

const char *srv_doc_path(const struct srv_doc *doc)
{
	return doc->path;
}

const struct mesh_schema *srv_doc_schema(const struct srv_doc *doc)
{
	return doc->schema;
}

const cJSON *srv_doc_schema_json(const struct srv_doc *doc)
{
	return doc->schema_json;
}

struct y_doc *srv_doc_ydoc(struct srv_doc *doc)
{
	return doc_live(doc) ? NULL : doc->live;
}

int srv_doc_state(uint8_t **out, size_t *out_len, struct srv_doc *doc,
		  const uint8_t *sv, size_t sv_len)
{
	int ret = doc_live(doc);

	if (ret)
		return ret == -EBADMSG ? -EIO : ret;
	return y_doc_encode_state_as_update(out, out_len, doc->live, sv, sv_len,
					    NULL);
}

int srv_doc_describe(cJSON **out, struct srv_doc *doc)
{
	int ret = doc_live(doc);

	if (ret)
		return ret;
	return mesh_doc_to_cjson(out, doc->live, doc->schema, 0);
}

static struct srv_doc *doc_alloc(struct srv_docstore *ds, const char *path)
{
	struct srv_doc *doc = calloc(1, sizeof(*doc));

	if (!doc)
		return NULL;
	doc->ds = ds;
	doc->c = ds->c;
	doc->jfd = -1;
	doc->path = strdup(path);
	doc->jpath = journal_path(path, false);
	if (!doc->path || !doc->jpath || y_doc_new(&doc->live, NULL)) {
		free(doc->path);
		free(doc->jpath);
		free(doc);
		return NULL;
	}
	doc->last_apply_ms = util_monotonic_ms();
	resident_add(doc, 1);
	return doc;
}

/* Sets the document's schema (takes s, also on failure): the docstore's
 * shared copy when it has the same one. */
static int doc_set_schema(struct srv_doc *doc, struct mesh_schema *s)
{
	struct srv_docstore *ds = doc->ds;
	struct doc_schema *e;
	char *text = NULL;
	size_t len;
	int ret;

	ret = mesh_schema_to_json(&text, s);
	if (ret) {
		mesh_schema_free(s);
		return ret;
	}
	len = strlen(text);
	for (e = ds->schemas; e; e = e->next)
		if (e->len == len && !memcmp(e->text, text, len))
			break;
	if (e) {
		mesh_schema_free(s);
		free(text);
		e->refs++;
	} else {
		e = calloc(1, sizeof(*e));
		if (!e || mesh_schema_to_cjson(&e->json, s)) {
			free(e);
			mesh_schema_free(s);
			free(text);
			return -ENOMEM;
		}
		e->refs = 1;
		e->schema = s;
		e->text = text;
		e->len = len;
		e->ds = ds;
		e->next = ds->schemas;
		if (ds->schemas)
			ds->schemas->prev = e;
		ds->schemas = e;
	}
	doc->sch = e;
	doc->schema = e->schema;
	doc->schema_json = e->json;
	doc->schema_text = e->text;
	doc->schema_len = e->len;
	return 0;
}

static void schema_err(struct srv_doc_error *err, const char *what,
		       const struct mesh_error *me)
{
	char buf[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 4];

	mesh_error_format(buf, sizeof(buf), me);
	set_err(err, PROTO_ERR_INVALID_REQUEST, "invalid schema %s: %s", what,
		buf);
}

/* The extension of a path's file name ("" when none, as splitext). */
static const char *path_ext(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return "";
	return dot + 1;
}

/* Schema resolution for a new document (spec §10, steps 2-4). */
static int resolve_schema(struct mesh_schema **out, struct srv_docstore *ds,
			  const struct srv_doc_open_req *req,
			  struct srv_doc_error *err)
{
	struct mesh_error me;
	struct stat st;
	uint8_t *text = NULL;
	size_t len;
	char *spath = NULL;
	const char *ext;
	int ret;

	mesh_error_clear(&me);
	if (req->schema && !cJSON_IsNull(req->schema)) {
		ret = mesh_schema_parse_cjson(out, req->schema, &me);
		if (ret == -EINVAL)
			schema_err(err, "in the request", &me);
		else if (ret)
			set_err(err, PROTO_ERR_OPERATION_FAILED, "%s",
				strerror(-ret));
		return ret;
	}
	if (req->schema_path && *req->schema_path) {
		ret = read_file(&text, &len, &st, ds->dirfd, req->schema_path,
				MAX_SCHEMA_BYTES);
		if (ret) {
			set_err(err, PROTO_ERR_DEPENDENCY_MISSING,
				"cannot read schema %s: %s", req->schema_path,
				strerror(-ret));
			return -ENOENT;
		}
		ret = mesh_schema_parse(out, (const char *)text, len, &me);
		if (ret == -EINVAL)
			schema_err(err, req->schema_path, &me);
		free(text);
		return ret;
	}
	ext = path_ext(req->path);
	if (!*ext) {
		set_err(err, PROTO_ERR_DEPENDENCY_MISSING,
			"no schema found for %s", req->path);
		return -ENOENT;
	}
	if (asprintf(&spath, ".schemas/%s.json", ext) < 0)
		return -ENOMEM;
	ret = read_file(&text, &len, &st, ds->dirfd, spath, MAX_SCHEMA_BYTES);
	if (ret) {
		set_err(err, PROTO_ERR_DEPENDENCY_MISSING,
			"no schema found for %s", req->path);
		free(spath);
		return -ENOENT;
	}
	ret = mesh_schema_parse(out, (const char *)text, len, &me);
	if (ret == -EINVAL)
		schema_err(err, spath, &me);
	free(text);
	free(spath);
	return ret;
}

/* Runs the validator; *total gets the number of errors, first the first
 * one as "pointer: message". */
static int validate(size_t *total, char *first, size_t first_len,
		    struct y_doc *ydoc, const struct mesh_schema *s)
{
	struct mesh_diag d;
	int ret;

	mesh_diag_init(&d);
	ret = mesh_doc_validate(&d, ydoc, s);
	*total = d.total;
	if (first && first_len) {
		first[0] = 0;
		if (d.n)
			mesh_error_format(first, first_len, &d.errors[0]);
	}
	mesh_diag_free(&d);
	return ret == -EINVAL ? 0 : ret;
}

static void shadow_free(struct srv_doc *doc)
{
	if (!doc->shadow)
		return;
	y_doc_free(doc->shadow);
	doc->shadow = NULL;
	pthread_mutex_lock(&doc->c->mu);
	doc->c->nshadows--;
	pthread_mutex_unlock(&doc->c->mu);
}

/* (Re)builds the shadow: live + the in-flight updates. */
static int shadow_build(struct srv_doc *doc)
{
	struct y_doc *sh = NULL;
	uint8_t *state = NULL;
	size_t len;
	int ret;

	shadow_free(doc);
	cap_reset(&doc->shadow_cap, &doc->shadow_cap_len, &doc->shadow_cap_set);
	ret = y_doc_new(&sh, NULL);
	if (ret)
		return ret;
	ret = y_doc_encode_state_as_update(&state, &len, doc->live, NULL, 0,
					   NULL);
	if (!ret)
		ret = y_doc_apply_update(sh, state, len, NULL);
	free(state);
	for (struct job *j = doc->inflight_head; !ret && j; j = j->dnext)
		ret = y_doc_apply_update(sh, j->data, j->len, NULL);
	if (!ret)
		ret = validate(&doc->base_errors, NULL, 0, sh, doc->schema);
	if (!ret) {
		ret = y_doc_on_update(sh, on_shadow_update, doc);
		ret = ret < 0 ? ret : 0;
	}
	if (ret) {
		y_doc_free(sh);
		return ret;
	}
	doc->shadow = sh;
	doc->shadow_stale = false;
	pthread_mutex_lock(&doc->c->mu);
	if (!doc->c->nshadows++)
		pthread_cond_signal(&doc->c->work); /* start the sweep timer */
	pthread_mutex_unlock(&doc->c->mu);
	return 0;
}

static int queue_compact(struct srv_doc *doc, bool close)
{
	struct y_doc *src = doc->shadow && !doc->shadow_stale ? doc->shadow :
								doc->live;
	struct job *j;
	int ret;

	/* The snapshot must hold everything queued before it: the shadow
	 * does; without one nothing is in flight, so live does too.  An
	 * evicted document has nothing to save (its journal is empty). */
	if (!src)
		return -ENODATA;
	if (src == doc->live && doc->inflight_head)
		return -EAGAIN;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	ret = y_doc_encode_state_as_update(&j->data, &j->len, src, NULL, 0,
					   NULL);
	if (ret) {
		free(j);
		return ret;
	}
	j->kind = JOB_COMPACT;
	j->doc = doc;
	j->close = close;
	j->jbytes = doc->jbytes;
	doc->jbytes = 0;
	doc->compacting = true;
	if (close && !doc->inflight_head)
		shadow_free(doc); /* unloading: not needed any more */
	return queue_job(doc->ds->c, j);
}

/*
 * Loads the document at path from its state file and journal.  -ENOENT
 * when there is no state file.  *need_init: the journal must be
 * (re)written (missing, foreign or unreadable).
 */
static int doc_load(struct srv_doc **out, struct srv_docstore *ds,
		    const struct srv_doc_open_req *req,
		    struct srv_doc_error *err)
{
	struct srv_doc *doc = NULL;
	struct stat st, jst;
	uint8_t *state = NULL, *jbuf = NULL;
	size_t slen, jlen = 0;
	struct journal_view jv;
	struct mesh_schema *schema = NULL;
	struct mesh_error me;
	struct y_error yerr;
	bool have_journal = false, replay = false;
	int ret;

	ret = read_file(&state, &slen, &st, ds->dirfd, req->path,
			ds->max_doc_bytes);
	if (ret == -ENOENT || ret == -ENOTDIR) {
		set_err(err, PROTO_ERR_NOT_FOUND, "document not found: %s",
			req->path);
		return -ENOENT;
	}
	if (ret) {
		set_err(err, PROTO_ERR_OPERATION_FAILED,
			"cannot read document %s: %s", req->path,
			strerror(-ret));
		return ret;
	}
	doc = doc_alloc(ds, req->path);
	if (!doc) {
		ret = -ENOMEM;
		goto nomem;
	}
	ret = read_file(&jbuf, &jlen, &jst, ds->state_dirfd, doc->jpath,
			ds->max_doc_bytes);
	if (!ret && !journal_parse(&jv, jbuf, jlen)) {
		mesh_error_clear(&me);
		if (!mesh_schema_parse(&schema, jv.schema, jv.schema_len,
				       &me)) {
			have_journal = true;
			replay = jv.ino == (uint64_t)st.st_ino &&
				 jv.size == (uint64_t)st.st_size;
		} else {
			util_log_warn(
				"docstore %s: %s: the journal's schema is invalid; resolving again",
				ds->name, req->path);
		}
	} else if (ret && ret != -ENOENT) {
		util_log_warn("docstore %s: %s: cannot read its journal: %s",
			      ds->name, req->path, strerror(-ret));
	} else if (!ret) {
		util_log_warn(
			"docstore %s: %s: its journal is corrupt; ignored",
			ds->name, req->path);
	}
	if (!schema) {
		ret = resolve_schema(&schema, ds, req, err);
		if (ret)
			goto err;
	}
	ret = doc_set_schema(doc, schema);
	schema = NULL;
	if (ret)
		goto nomem;

	ret = y_doc_apply_update(doc->live, state, slen, &yerr);
	if (ret) {
		set_err(err, PROTO_ERR_OPERATION_FAILED,
			"document %s is not a Yjs state: %s", req->path,
			yerr.msg);
		ret = -EIO;
		goto err;
	}
	if (replay) {
		size_t off = jv.records;

		while (jlen - off >= RECORD_HDR) {
			size_t n = util_load_be32(jbuf + off);

			if (jlen - off - RECORD_HDR < n ||
			    crc32_buf(jbuf + off + RECORD_HDR, n) !=
				    util_load_be32(jbuf + off + 4))
				break;
			ret = y_doc_apply_update(
				doc->live, jbuf + off + RECORD_HDR, n, &yerr);
			if (ret) {
				util_log_warn(
					"docstore %s: %s: journal record at %zu does not apply: %s",
					ds->name, req->path, off, yerr.msg);
				break;
			}
			off += RECORD_HDR + n;
		}
		if (off != jlen) {
			/* A torn tail (crash during an append): it was never
			 * acknowledged.  Cut it so that appends follow the
			 * last good record. */
			const char *base;
			int pfd, fd;

			util_log_warn(
				"docstore %s: %s: dropping %zu torn journal bytes",
				ds->name, req->path, jlen - off);
			if (!open_parent(&pfd, &base, ds->state_dirfd,
					 doc->jpath, false)) {
				fd = openat(pfd, base,
					    O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
				if (fd >= 0) {
					if (ftruncate(fd, (off_t)off) ||
					    fsync(fd))
						ret = -errno;
					close(fd);
				}
				close(pfd);
			}
		}
		doc->jbytes = off - jv.records;
	}
	if (y_doc_on_update(doc->live, on_live_update, doc) < 0) {
		ret = -ENOMEM;
		goto nomem;
	}
	if (!have_journal || !replay) {
		/* A journal for this state file (with the schema just
		 * resolved, or the one the old journal named). */
		struct job *j = calloc(1, sizeof(*j));

		if (!j) {
			ret = -ENOMEM;
			goto nomem;
		}
		j->kind = JOB_INIT;
		j->doc = doc;
		j->ino = (uint64_t)st.st_ino;
		j->size = (uint64_t)st.st_size;
		queue_job(ds->c, j);
	}
	free(state);
	free(jbuf);
	doc->refs++;
	*out = doc;
	return 0;

nomem:
	set_err(err, PROTO_ERR_OPERATION_FAILED, "out of memory");
err:
	mesh_schema_free(schema);
	if (doc)
		doc_free(doc);
	free(state);
	free(jbuf);
	return ret;
}

static int doc_create(struct srv_doc **out, struct srv_docstore *ds,
		      const struct srv_doc_open_req *req,
		      struct srv_doc_error *err)
{
	struct mesh_schema *schema = NULL;
	struct srv_doc *doc;
	struct job *j;
	int ret;

	ret = resolve_schema(&schema, ds, req, err);
	if (ret)
		return ret;
	doc = doc_alloc(ds, req->path);
	if (!doc) {
		mesh_schema_free(schema);
		set_err(err, PROTO_ERR_OPERATION_FAILED, "out of memory");
		return -ENOMEM;
	}
	ret = doc_set_schema(doc, schema);
	if (ret)
		goto nomem;
	if (req->json && !cJSON_IsNull(req->json)) {
		struct mesh_diag d;

		mesh_diag_init(&d);
		ret = mesh_doc_build(doc->live, doc->schema, req->json, 0, &d);
		if (ret == -EINVAL) {
			char first[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX];

			first[0] = 0;
			if (d.n)
				mesh_error_format(first, sizeof(first),
						  &d.errors[0]);
			set_err(err, PROTO_ERR_INVALID_REQUEST,
				"invalid document JSON: %s", first);
		}
		mesh_diag_free(&d);
		if (ret == -EINVAL)
			goto err;
		if (ret)
			goto nomem;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		goto nomem;
	ret = y_doc_encode_state_as_update(&j->data, &j->len, doc->live, NULL,
					   0, NULL);
	if (ret) {
		free(j);
		goto nomem;
	}
	if (y_doc_on_update(doc->live, on_live_update, doc) < 0) {
		job_free(j);
		goto nomem;
	}
	j->kind = JOB_CREATE;
	j->doc = doc;
	queue_job(ds->c, j);
	*out = srv_doc_get(doc);
	return 0;

nomem:
	ret = -ENOMEM;
	set_err(err, PROTO_ERR_OPERATION_FAILED, "out of memory");
err:
	doc_free(doc);
	return ret;
}

bool srv_doc_exists(struct srv_docstore *ds, const char *path)
{
	struct stat st;

	if (table_find(ds, path))
		return true;
	return !stat_file(&st, ds->dirfd, path) && S_ISREG(st.st_mode);
}

int srv_doc_open(struct srv_doc **out, bool *created, struct srv_docstore *ds,
		 const struct srv_doc_open_req *req, struct srv_doc_error *err)
{
	struct srv_doc *doc;
	struct stat st;
	int ret;

	if (created)
		*created = false;
	if (!req || !req->path || !*req->path) {
		set_err(err, PROTO_ERR_INVALID_REQUEST,
			"a document path is required");
		return -EINVAL;
	}
	doc = table_find(ds, req->path);
	if (!doc) {
		ret = stat_file(&st, ds->dirfd, req->path);
		if (!ret && S_ISDIR(st.st_mode)) {
			set_err(err, PROTO_ERR_INVALID_REQUEST,
				"%s is a folder", req->path);
			return -EISDIR;
		}
		if (!ret && !req->exclusive) {
			ret = doc_load(&doc, ds, req, err);
			if (ret)
				return ret;
			table_add(ds, doc);
			*out = doc;
			return 0;
		}
		if (ret && ret != -ENOENT && ret != -ENOTDIR) {
			set_err(err, PROTO_ERR_OPERATION_FAILED,
				"cannot open document %s: %s", req->path,
				strerror(-ret));
			return ret;
		}
		if (ret && !req->create) {
			set_err(err, PROTO_ERR_NOT_FOUND,
				"document not found: %s", req->path);
			return -ENOENT;
		}
		if (ret) {
			ret = doc_create(&doc, ds, req, err);
			if (ret)
				return ret;
			table_add(ds, doc);
			if (created)
				*created = true;
			*out = doc;
			return 0;
		}
	}
	if (req->exclusive) {
		set_err(err, PROTO_ERR_ALREADY_EXISTS,
			"document already exists: %s", req->path);
		return -EEXIST;
	}
	*out = srv_doc_get(doc);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Subscribers and updates                                             */
/* ------------------------------------------------------------------ */

void srv_doc_subscribe(struct srv_doc *doc, struct srv_doc_sub *sub)
{
	sub->doc = srv_doc_get(doc);
	sub->id = doc->ds ? doc->ds->next_sub_id++ : 0;
	sub->prev = NULL;
	sub->next = doc->subs;
	if (doc->subs)
		doc->subs->prev = sub;
	doc->subs = sub;
	doc->nsubs++;
}

void srv_doc_unsubscribe(struct srv_doc_sub *sub)
{
	struct srv_doc *doc = sub->doc;

	if (!doc)
		return;
	if (sub->prev)
		sub->prev->next = sub->next;
	else
		doc->subs = sub->next;
	if (sub->next)
		sub->next->prev = sub->prev;
	sub->prev = sub->next = NULL;
	sub->doc = NULL;
	doc->nsubs--;
	srv_doc_put(doc);
}

size_t srv_doc_subscribers(const struct srv_doc *doc)
{
	return doc->nsubs;
}

int srv_doc_barrier(struct srv_docstore *ds, srv_doc_done_fn done, void *arg)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->kind = JOB_BARRIER;
	j->done = done;
	j->arg = arg;
	return queue_job(ds->c, j);
}

/*
 * The incremental check of an incoming update (mesh_doc_validate_txn): run
 * from a transaction observer on the shadow while the update is applied,
 * when the shadow was valid before.  Only what the update inserts is
 * walked, so a burst of appends to a large document costs O(update) per
 * update instead of O(document).  A shadow that was invalid already
 * (base_errors > 0, e.g. after a schema change) gets the full walk, which
 * compares totals.
 */
struct apply_check {
	const struct mesh_schema *schema;
	struct mesh_diag d;
	int ret;
};

static void on_shadow_txn(void *ctx, struct y_txn *txn)
{
	struct apply_check *ck = ctx;
	int ret;

	ret = mesh_doc_validate_txn(&ck->d, txn, ck->schema);
	if (ret && ret != -EINVAL && !ck->ret)
		ck->ret = ret;
}

int srv_doc_apply(struct srv_doc *doc, const struct srv_doc_sub *from,
		  const uint8_t *update, size_t len, srv_doc_done_fn done,
		  void *arg, struct srv_doc_error *err)
{
	char first[MESH_ERROR_PATH_MAX + MESH_ERROR_MSG_MAX + 4];
	struct apply_check ck;
	struct y_error yerr;
	bool pending, incremental;
	size_t inc_total;
	struct job *j;
	int ret, sub;

	doc->last_apply_ms = util_monotonic_ms();
	if (doc->gone || !doc->ds) {
		set_err(err, PROTO_ERR_NOT_FOUND,
			"document %s was deleted or moved", doc->path);
		return -ESTALE;
	}
	if (!doc->shadow || doc->shadow_stale) {
		ret = doc_live(doc);
		if (!ret)
			ret = shadow_build(doc);
		if (ret) {
			set_err(err, PROTO_ERR_OPERATION_FAILED,
				"cannot prepare document %s: %s", doc->path,
				strerror(-ret));
			return ret;
		}
	}
	cap_reset(&doc->shadow_cap, &doc->shadow_cap_len, &doc->shadow_cap_set);
	memset(&yerr, 0, sizeof(yerr));
	mesh_diag_init(&ck.d);
	ck.schema = doc->schema;
	ck.ret = 0;
	sub = doc->base_errors == 0 ?
		      y_doc_on_txn(doc->shadow, on_shadow_txn, &ck) :
		      0;
	ret = y_doc_apply_update(doc->shadow, update, len, &yerr);
	if (sub > 0)
		y_doc_off_txn(doc->shadow, sub);
	/* sub < 0 (no memory for the observer): the full walk below */
	incremental = sub > 0;
	inc_total = ck.d.total;
	first[0] = 0;
	if (ck.d.n)
		mesh_error_format(first, sizeof(first), &ck.d.errors[0]);
	mesh_diag_free(&ck.d);
	if (!ret && incremental && ck.ret)
		ret = ck.ret;
	if (ret) {
		/* Parse errors leave the shadow as it was; anything later
		 * (out of memory half-way) may not. */
		if (ret != -EBADMSG && ret != -EPROTONOSUPPORT)
			doc->shadow_stale = true;
		if (ret == -EBADMSG || ret == -EPROTONOSUPPORT) {
			set_err(err, PROTO_ERR_INVALID_REQUEST,
				"malformed update: %s",
				ret == -EPROTONOSUPPORT ?
					"Yjs update v2 is not supported" :
					yerr.msg);
			return -EBADMSG;
		}
		set_err(err, PROTO_ERR_OPERATION_FAILED, "%s", strerror(-ret));
		return ret;
	}
	pending = y_doc_has_pending(doc->shadow);
	j = calloc(1, sizeof(*j));
	if (!j) {
		doc->shadow_stale = true;
		set_err(err, PROTO_ERR_OPERATION_FAILED, "out of memory");
		return -ENOMEM;
	}
	j->done = done;
	j->arg = arg;
	if (!doc->shadow_cap_set && !pending) {
		/* Nothing new (typically the SDK's echo of an update it got
		 * from us): nothing to validate or write, but answer in
		 * order. */
		j->kind = JOB_BARRIER;
		return queue_job(doc->ds->c, j);
	}
	if (incremental) {
		if (inc_total) {
			free(j);
			doc->shadow_stale = true;
			set_err(err, PROTO_ERR_INVALID_REQUEST,
				"update refused: %s", first);
			return -EINVAL;
		}
	} else {
		size_t total = 0;

		ret = validate(&total, first, sizeof(first), doc->shadow,
			       doc->schema);
		if (ret) {
			free(j);
			doc->shadow_stale = true;
			set_err(err, PROTO_ERR_OPERATION_FAILED, "%s",
				strerror(-ret));
			return ret;
		}
		if (total > doc->base_errors) {
			free(j);
			doc->shadow_stale = true;
			set_err(err, PROTO_ERR_INVALID_REQUEST,
				"update refused: %s", first);
			return -EINVAL;
		}
		doc->base_errors = total;
	}
	/* The record: the exact new part, unless part of the update waits
	 * for missing dependencies (the shadow's event leaves that out, and
	 * it must be durable too). */
	if (pending || !doc->shadow_cap) {
		j->data = malloc(len ? len : 1);
		if (!j->data) {
			free(j);
			doc->shadow_stale = true;
			set_err(err, PROTO_ERR_OPERATION_FAILED,
				"out of memory");
			return -ENOMEM;
		}
		memcpy(j->data, update, len);
		j->len = len;
	} else {
		j->data = doc->shadow_cap;
		j->len = doc->shadow_cap_len;
		doc->shadow_cap = NULL;
		doc->shadow_cap_len = 0;
	}
	doc->shadow_cap_set = false;
	j->kind = JOB_APPEND;
	j->doc = doc;
	j->from = from ? from->id : 0;
	if (doc->inflight_tail)
		doc->inflight_tail->dnext = j;
	else
		doc->inflight_head = j;
	doc->inflight_tail = j;
	doc->jbytes += RECORD_HDR + j->len;
	queue_job(doc->ds->c, j);
	if (doc->jbytes >= doc->ds->compact_bytes && !doc->compacting)
		queue_compact(doc, false);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Storage hooks                                                       */
/* ------------------------------------------------------------------ */

/* path equals prefix, or is below the folder prefix. */
static bool path_under(const char *path, const char *prefix, bool folder)
{
	size_t n = strlen(prefix);

	if (!folder)
		return !strcmp(path, prefix);
	if (!n)
		return true;
	return !strncmp(path, prefix, n) && (path[n] == '/' || !path[n]);
}

/* Drops every loaded document at/under path: no more saves; subscribers
 * told.  Call quiesced. */
static void drop_docs(struct srv_docstore *ds, const char *path, bool folder)
{
	for (size_t h = 0; h < TABLE_SIZE; h++) {
		struct srv_doc *d = ds->table[h], *next;

		for (; d; d = next) {
			next = d->hnext;
			if (!path_under(d->path, path, folder))
				continue;
			srv_doc_get(d);
			table_remove(ds, d);
			d->gone = true;
			while (d->subs) {
				struct srv_doc_sub *s = d->subs;

				srv_doc_unsubscribe(s);
				if (s->on_gone)
					s->on_gone(s);
			}
			srv_doc_put(d);
			/* the next pointer may be stale if on_gone dropped
			 * others: restart this bucket */
			next = ds->table[h];
		}
	}
}

static int remove_journal(struct srv_docstore *ds, const char *path,
			  bool folder)
{
	char *jp = journal_path(path, folder);
	const char *base;
	int pfd, ret;

	if (!jp)
		return -ENOMEM;
	ret = open_parent(&pfd, &base, ds->state_dirfd, jp, false);
	if (!ret) {
		ret = remove_tree(pfd, base);
		close(pfd);
	}
	free(jp);
	return ret == -ENOENT || ret == -ENOTDIR ? 0 : ret;
}

int srv_docstore_storage_delete(struct srv_docstore *ds, const char *path,
				bool is_folder)
{
	quiesce(ds->c);
	drop_docs(ds, path, is_folder);
	quiesce(ds->c);
	if (is_folder && !*path) {
		int ret = remove_tree(ds->state_dirfd, JOURNAL_DIR);

		return ret == -ENOENT ? 0 : ret;
	}
	return remove_journal(ds, path, is_folder);
}

int srv_docstore_storage_write(struct srv_docstore *ds, const char *path)
{
	return srv_docstore_storage_delete(ds, path, false);
}

int srv_docstore_storage_move(struct srv_docstore *ds, const char *src,
			      const char *dst, bool is_folder)
{
	char *js = NULL, *jd = NULL;
	const char *bs, *bd;
	int ps = -1, pd = -1, ret;

	/* Save what is open there (the journal's identity stays valid: a
	 * rename keeps the inode), then drop it. */
	for (size_t h = 0; h < TABLE_SIZE; h++)
		for (struct srv_doc *d = ds->table[h]; d; d = d->hnext)
			if (path_under(d->path, src, is_folder) && d->jbytes &&
			    !d->compacting)
				queue_compact(d, true);
	quiesce(ds->c);
	drop_docs(ds, src, is_folder);
	quiesce(ds->c);

	js = journal_path(src, is_folder);
	jd = journal_path(dst, is_folder);
	if (!js || !jd) {
		ret = -ENOMEM;
		goto out;
	}
	/* The destination's old journal (overwrite) goes. */
	remove_journal(ds, dst, is_folder);
	ret = open_parent(&ps, &bs, ds->state_dirfd, js, false);
	if (ret == -ENOENT || ret == -ENOTDIR) {
		ret = 0; /* nothing to move */
		goto out;
	}
	if (ret)
		goto out;
	ret = open_parent(&pd, &bd, ds->state_dirfd, jd, true);
	if (ret)
		goto out;
	if (renameat(ps, bs, pd, bd))
		ret = errno == ENOENT ? 0 : -errno;
	else if (fsync(pd) || fsync(ps))
		ret = -errno;
out:
	if (ps >= 0)
		close(ps);
	if (pd >= 0)
		close(pd);
	free(js);
	free(jd);
	return ret;
}

int srv_docstore_storage_read(struct srv_docstore *ds, const char *path)
{
	struct srv_doc_open_req req = { .path = path };
	struct srv_doc *doc = table_find(ds, path);
	struct stat st;
	char *jp;

	if (doc) {
		if (doc->jbytes && !doc->compacting && !doc->gone)
			queue_compact(doc, false);
		quiesce(ds->c);
		return 0;
	}
	/* Not loaded: a journal with records (after a crash) still has
	 * acknowledged updates the file lacks; loading and unloading the
	 * document compacts them. */
	jp = journal_path(path, false);
	if (!jp)
		return -ENOMEM;
	if (!stat_file(&st, ds->state_dirfd, jp)) {
		struct srv_doc_error err;

		if (!srv_doc_open(&doc, NULL, ds, &req, &err))
			srv_doc_put(doc);
	}
	free(jp);
	quiesce(ds->c);
	return 0;
}
