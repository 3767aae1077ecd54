/* SPDX-License-Identifier: MIT */
/*
 * client-driver.c - a line-driven front end to libclient (client.h) for the
 * interop, reconnect, stall and byte compatibility tests (tests/client/
 * *.mjs) and the client benchmark (tests/bench/run-client.sh).
 *
 * It reads one command per line on stdin and answers each with exactly one
 * line of JSON on stdout: {"ok":true,...,"ms":T} or {"ok":false,
 * "errno":"ETIMEDOUT","code":-110,"err":"what went wrong","ms":T}, where
 * T is the wall time of the call in ms.  A test drives it from node
 * (tests/client/driver.mjs) the way it drives an SDK client, so both sides
 * run the same scenario.  Commands (words separated by one space; a JSON
 * or free-text argument is the rest of the line):
 *
 *   connect URL TOKEN [TIMEOUT_MS [BACKOFF_MIN_MS BACKOFF_MAX_MS]]
 *   disconnect                      room_client_close
 *   state                           "connecting"/"connected"/...
 *   create PATH [JSON]              room_sync_create (schema by extension)
 *   describe PATH                   room_sync_describe -> "json"
 *   open PATH [create]              room_doc_open -> "refs" (this driver's)
 *   close PATH                      room_doc_close of the last open
 *   render PATH                     the replica's JSON (no $ids) + "rev"
 *   merge PATH JSON                 the new JSON merged into the replica
 *   insert PATH POINTER INDEX JSON  insert an element into the child array
 *                                   at POINTER (-1 = append), by a merge
 *   setattr PATH POINTER KEY JSON   set an attribute of the element object
 *                                   at POINTER (e.g. /html/children/0/body)
 *   push PATH BASE64                room_sync_push of a Yjs v1 update
 *   flush PATH                      room_doc_flush
 *   rev PATH                        revision, pending, remote changes seen
 *   wait PATH REV TIMEOUT_MS        until the revision is > REV
 *   list|stat|exists PATH           storage
 *   delete PATH [recursive]
 *   move FROM TO [overwrite]
 *   url PATH                        room_storage_download_url
 *   upload PATH FILE [overwrite]    room_storage_upload_fd from FILE
 *   download PATH FILE              room_storage_download_fd into FILE
 *   bench-odc PATH N                N x (open, describe, close)
 *   bench-up PATH FILE N            N uploads of FILE (overwrite)
 *   bench-down PATH N               N downloads into memory (streamed,
 *                                   discarded)
 *   sleep MS
 *   quit
 *
 * Every call runs in the main thread; the change listener only counts and
 * signals, as client.h requires of callbacks.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "mesh.h"
#include "util.h"

/* One document this driver has open: the same struct room_doc for every
 * open of a path (libclient's ref count), refs = our opens of it. */
struct ddoc {
	char *path;
	struct room_doc *doc;
	int refs;
	int listener;
	uint64_t changes; /* remote changes seen by the listener */
};

#define MAX_DOCS 64

static struct room_client *client;
static struct ddoc docs[MAX_DOCS];
static pthread_mutex_t change_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t change_cond = PTHREAD_COND_INITIALIZER;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT:
		return "ENOENT";
	case EEXIST:
		return "EEXIST";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOTEMPTY:
		return "ENOTEMPTY";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ENOTCONN:
		return "ENOTCONN";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	case EPROTO:
		return "EPROTO";
	case EIO:
		return "EIO";
	case ENOMEM:
		return "ENOMEM";
	case EBADF:
		return "EBADF";
	case ENOSYS:
		return "ENOSYS";
	default:
		return "E?";
	}
}

/* ---- replies ---------------------------------------------------------- */

/* Prints reply (adding "ms") as one line and frees it. */
static void reply(cJSON *r, double t0)
{
	char *s;

	cJSON_AddNumberToObject(r, "ms", now_ms() - t0);
	s = cJSON_PrintUnformatted(r);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		free(s);
	} else {
		puts("{\"ok\":false,\"errno\":\"ENOMEM\",\"code\":-12,"
		     "\"err\":\"cannot print the reply\"}");
		fflush(stdout);
	}
	cJSON_Delete(r);
}

static cJSON *ok_reply(void)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddTrueToObject(r, "ok");
	return r;
}

static void fail(double t0, int rc, const struct util_error *err,
		 const char *fmt, ...) UTIL_PRINTF(4, 5);

/* A failure reply: rc a negative errno; err (may be NULL or empty) the
 * library's message, else the formatted text. */
static void fail(double t0, int rc, const struct util_error *err,
		 const char *fmt, ...)
{
	cJSON *r = cJSON_CreateObject();
	char msg[1024];
	va_list ap;

	if (err && err->msg[0]) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
	} else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	cJSON_AddFalseToObject(r, "ok");
	cJSON_AddStringToObject(r, "errno", errno_name(-rc));
	cJSON_AddNumberToObject(r, "code", rc);
	cJSON_AddStringToObject(r, "err", msg);
	reply(r, t0);
}

/* ---- arguments -------------------------------------------------------- */

/*
 * Splits line into at most max words at single spaces; the last word takes
 * the rest of the line (a JSON argument may contain spaces).  Returns the
 * number of words.
 */
static int split(char **argv, int max, char *line)
{
	int n = 0;

	while (*line && n < max) {
		argv[n++] = line;
		if (n == max)
			break;
		line = strchr(line, ' ');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static struct ddoc *find_doc(const char *path)
{
	for (int i = 0; i < MAX_DOCS; i++)
		if (docs[i].path && !strcmp(docs[i].path, path))
			return &docs[i];
	return NULL;
}

static void on_change(void *ctx, struct room_doc *d)
{
	struct ddoc *dd = ctx;

	(void)d;
	pthread_mutex_lock(&change_lock);
	dd->changes++;
	pthread_cond_broadcast(&change_cond);
	pthread_mutex_unlock(&change_lock);
}

/* The document at path or a failure reply (NULL). */
static struct ddoc *need_doc(const char *path, double t0)
{
	struct ddoc *dd = find_doc(path);

	if (!dd)
		fail(t0, -EBADF, NULL, "%s is not open in this driver", path);
	return dd;
}

/* ---- JSON edits through the merge ------------------------------------- */

/* The value at a JSON pointer ("" = the whole value), or NULL. */
static cJSON *pointer_get(cJSON *v, const char *ptr)
{
	char key[256];

	while (v && *ptr) {
		const char *end;
		size_t len;

		if (*ptr != '/')
			return NULL;
		ptr++;
		end = strchr(ptr, '/');
		len = end ? (size_t)(end - ptr) : strlen(ptr);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, ptr, len);
		key[len] = '\0';
		ptr += len;
		if (cJSON_IsArray(v)) {
			char *e;
			long i = strtol(key, &e, 10);

			if (*e || i < 0)
				return NULL;
			v = cJSON_GetArrayItem(v, (int)i);
		} else if (cJSON_IsObject(v)) {
			v = cJSON_GetObjectItemCaseSensitive(v, key);
		} else {
			return NULL;
		}
	}
	return v;
}

/*
 * Inserts item into array before index i (i = size: appends).  Not
 * cJSON_InsertItemInArray: cJSON 1.7.15 refuses to insert before an item
 * whose prev link it did not set while parsing.
 */
static void array_insert(cJSON *array, int i, cJSON *item)
{
	cJSON *rest = cJSON_CreateArray();
	int k = 0;

	while (array->child && k++ < i)
		cJSON_AddItemToArray(rest, cJSON_DetachItemFromArray(array, 0));
	cJSON_AddItemToArray(rest, item);
	while (array->child)
		cJSON_AddItemToArray(rest, cJSON_DetachItemFromArray(array, 0));
	while (rest->child)
		cJSON_AddItemToArray(array, cJSON_DetachItemFromArray(rest, 0));
	cJSON_Delete(rest);
}

enum edit_kind { EDIT_MERGE, EDIT_INSERT, EDIT_SETATTR };

/*
 * Edits the replica of dd under its lock: renders it with $ids (the base),
 * makes the new JSON (the given one, or the base with one element inserted
 * or one attribute set) and merges it, so a remote change cannot slip in
 * between the read and the write.
 */
static void do_edit(struct ddoc *dd, enum edit_kind kind, const char *ptr,
		    const char *arg, const char *json, double t0)
{
	struct mesh_merge_stats stats = { 0 };
	struct mesh_diag diag = { 0 };
	cJSON *base = NULL, *newj = NULL, *val = NULL, *r;
	const struct mesh_schema *s;
	struct y_doc *y;
	char *msg = NULL;
	int rc;

	val = cJSON_Parse(json);
	if (!val) {
		fail(t0, -EINVAL, NULL, "bad JSON argument: %.80s", json);
		return;
	}
	y = room_doc_lock(dd->doc);
	s = room_doc_schema(dd->doc);
	rc = mesh_doc_to_cjson(&base, y, s, MESH_DOC_IDS);
	if (rc < 0)
		goto unlock;
	if (kind == EDIT_MERGE) {
		newj = val;
		val = NULL;
	} else {
		cJSON *at;

		newj = cJSON_Duplicate(base, true);
		at = newj ? pointer_get(newj, ptr) : NULL;
		if (kind == EDIT_INSERT && cJSON_IsArray(at)) {
			long i = strtol(arg, NULL, 10);
			int n = cJSON_GetArraySize(at);

			array_insert(at, i < 0 || i >= n ? n : (int)i, val);
			val = NULL;
		} else if (kind == EDIT_SETATTR && cJSON_IsObject(at)) {
			if (cJSON_HasObjectItem(at, arg))
				cJSON_ReplaceItemInObjectCaseSensitive(at, arg,
								       val);
			else
				cJSON_AddItemToObject(at, arg, val);
			val = NULL;
		} else {
			rc = -EINVAL;
			goto unlock;
		}
	}
	rc = mesh_doc_merge(&stats, y, s, base, newj, &diag);
unlock:
	room_doc_unlock(dd->doc);
	if (rc == -EINVAL && diag.n)
		mesh_diag_format(&msg, &diag);
	if (rc < 0) {
		fail(t0, rc, NULL, "%s",
		     msg ? msg : "edit failed (bad pointer?)");
	} else {
		r = ok_reply();
		cJSON_AddNumberToObject(r, "attrs_set",
					(double)stats.attrs_set);
		cJSON_AddNumberToObject(r, "inserted",
					(double)stats.elements_inserted);
		cJSON_AddNumberToObject(r, "deleted",
					(double)stats.elements_deleted);
		cJSON_AddNumberToObject(r, "rev",
					(double)room_doc_revision(dd->doc));
		reply(r, t0);
	}
	free(msg);
	mesh_diag_free(&diag);
	cJSON_Delete(base);
	cJSON_Delete(newj);
	cJSON_Delete(val);
}

static void do_render(struct ddoc *dd, double t0)
{
	cJSON *json = NULL, *r;
	struct y_doc *y;
	uint64_t rev;
	int rc;

	y = room_doc_lock(dd->doc);
	rev = room_doc_revision(dd->doc);
	rc = mesh_doc_to_cjson(&json, y, room_doc_schema(dd->doc), 0);
	room_doc_unlock(dd->doc);
	if (rc < 0) {
		fail(t0, rc, NULL, "render failed");
		return;
	}
	r = ok_reply();
	cJSON_AddNumberToObject(r, "rev", (double)rev);
	cJSON_AddItemToObject(r, "json", json);
	reply(r, t0);
}

/* ---- storage ---------------------------------------------------------- */

static cJSON *entry_json(const struct room_entry *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", e->name ? e->name : "");
	cJSON_AddBoolToObject(o, "is_folder", e->is_folder);
	if (e->has_size)
		cJSON_AddNumberToObject(o, "size", (double)e->size);
	else
		cJSON_AddNullToObject(o, "size");
	cJSON_AddNumberToObject(o, "created_ms", (double)e->created_ms);
	cJSON_AddNumberToObject(o, "updated_ms", (double)e->updated_ms);
	return o;
}

static int discard_write(void *ctx, const void *data, size_t len)
{
	uint64_t *total = ctx;

	(void)data;
	*total += len;
	return 0;
}

/* ---- commands --------------------------------------------------------- */

static void cmd_connect(int argc, char **argv, double t0)
{
	struct util_error err = { 0 };
	struct room_config cfg;
	cJSON *r;
	int rc;

	if (argc < 3) {
		fail(t0, -EINVAL, NULL,
		     "usage: connect URL TOKEN [TIMEOUT_MS]");
		return;
	}
	if (client) {
		fail(t0, -EINVAL, NULL, "already connected");
		return;
	}
	room_config_init(&cfg);
	cfg.url = argv[1];
	cfg.token = argv[2];
	if (argc > 3)
		cfg.timeout_ms = atoi(argv[3]);
	if (argc > 5) {
		cfg.backoff_min_ms = atoi(argv[4]);
		cfg.backoff_max_ms = atoi(argv[5]);
	}
	rc = room_client_connect(&client, &cfg, &err);
	if (rc < 0) {
		client = NULL;
		fail(t0, rc, &err, "connect failed");
		return;
	}
	r = ok_reply();
	cJSON_AddStringToObject(r, "participant",
				room_client_participant_id(client) ?
					room_client_participant_id(client) :
					"");
	cJSON_AddStringToObject(
		r, "room",
		room_client_room(client) ? room_client_room(client) : "");
	reply(r, t0);
}

static void close_all_docs(void)
{
	for (int i = 0; i < MAX_DOCS; i++) {
		struct ddoc *dd = &docs[i];

		if (!dd->path)
			continue;
		if (dd->listener > 0)
			room_doc_unlisten(dd->doc, dd->listener);
		while (dd->refs-- > 0)
			room_doc_close(dd->doc);
		free(dd->path);
		memset(dd, 0, sizeof(*dd));
	}
}

static void cmd_open(const char *path, bool create, double t0)
{
	struct util_error err = { 0 };
	struct room_doc *d = NULL;
	struct ddoc *dd = find_doc(path);
	cJSON *r;
	int rc;

	rc = room_doc_open(&d, client, path, create, &err);
	if (rc < 0) {
		fail(t0, rc, &err, "open failed");
		return;
	}
	if (dd && dd->doc != d) {
		room_doc_close(d);
		fail(t0, -EPROTO, NULL,
		     "a second open of %s returned another document", path);
		return;
	}
	if (!dd) {
		for (int i = 0; i < MAX_DOCS && !dd; i++)
			if (!docs[i].path)
				dd = &docs[i];
		if (!dd) {
			room_doc_close(d);
			fail(t0, -ENOMEM, NULL, "too many open documents");
			return;
		}
		dd->path = strdup(path);
		dd->doc = d;
		dd->listener = room_doc_listen(d, on_change, dd);
	}
	dd->refs++;
	r = ok_reply();
	cJSON_AddNumberToObject(r, "refs", dd->refs);
	cJSON_AddStringToObject(r, "path", room_doc_path(d));
	cJSON_AddNumberToObject(r, "rev", (double)room_doc_revision(d));
	reply(r, t0);
}

static void cmd_close(const char *path, double t0)
{
	struct ddoc *dd = need_doc(path, t0);
	cJSON *r;

	if (!dd)
		return;
	if (dd->refs == 1 && dd->listener > 0)
		room_doc_unlisten(dd->doc, dd->listener);
	room_doc_close(dd->doc);
	r = ok_reply();
	cJSON_AddNumberToObject(r, "refs", --dd->refs);
	if (!dd->refs) {
		free(dd->path);
		memset(dd, 0, sizeof(*dd));
	}
	reply(r, t0);
}

static void cmd_wait(struct ddoc *dd, uint64_t rev, int timeout_ms, double t0)
{
	double end = t0 + timeout_ms;
	uint64_t now;
	cJSON *r;

	/* Local edits move the revision without a listener call: wake up
	 * every 20 ms to look. */
	pthread_mutex_lock(&change_lock);
	while ((now = room_doc_revision(dd->doc)) <= rev && now_ms() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&change_cond, &change_lock, &ts);
	}
	pthread_mutex_unlock(&change_lock);
	if (now <= rev) {
		fail(t0, -ETIMEDOUT, NULL, "revision still %" PRIu64, now);
		return;
	}
	r = ok_reply();
	cJSON_AddNumberToObject(r, "rev", (double)now);
	reply(r, t0);
}

static void cmd_rev(struct ddoc *dd, double t0)
{
	cJSON *r = ok_reply();
	uint64_t changes;

	pthread_mutex_lock(&change_lock);
	changes = dd->changes;
	pthread_mutex_unlock(&change_lock);
	cJSON_AddNumberToObject(r, "rev", (double)room_doc_revision(dd->doc));
	cJSON_AddBoolToObject(r, "pending", room_doc_pending(dd->doc));
	cJSON_AddNumberToObject(r, "changes", (double)changes);
	cJSON_AddNumberToObject(r, "refs", dd->refs);
	reply(r, t0);
}

static void cmd_push(struct ddoc *dd, const char *b64, double t0)
{
	struct util_error err = { 0 };
	uint8_t *upd = NULL;
	size_t len = 0;
	int rc;

	rc = util_base64_decode(&upd, &len, UTIL_BASE64_STD, b64, strlen(b64),
				&err);
	if (rc < 0) {
		fail(t0, rc, &err, "bad base64");
		return;
	}
	rc = room_sync_push(client, dd->path, upd, len, &err);
	free(upd);
	if (rc < 0)
		fail(t0, rc, &err, "push failed");
	else
		reply(ok_reply(), t0);
}

static void cmd_storage(int argc, char **argv, double t0)
{
	struct util_error err = { 0 };
	const char *cmd = argv[0];
	const char *path = argv[1];
	cJSON *r = NULL;
	int rc = -EINVAL;

	if (!strcmp(cmd, "list")) {
		struct room_entry *v = NULL;
		size_t n = 0;

		rc = room_storage_list(&v, &n, client, path, &err);
		if (rc >= 0) {
			cJSON *a = cJSON_CreateArray();

			for (size_t i = 0; i < n; i++)
				cJSON_AddItemToArray(a, entry_json(&v[i]));
			room_entries_free(v, n);
			r = ok_reply();
			cJSON_AddItemToObject(r, "files", a);
		}
	} else if (!strcmp(cmd, "stat")) {
		struct room_entry e = { 0 };

		rc = room_storage_stat(&e, client, path, &err);
		if (rc >= 0) {
			r = ok_reply();
			cJSON_AddItemToObject(r, "entry", entry_json(&e));
			room_entry_clear(&e);
		}
	} else if (!strcmp(cmd, "exists")) {
		bool ex = false;

		rc = room_storage_exists(&ex, client, path, &err);
		if (rc >= 0) {
			r = ok_reply();
			cJSON_AddBoolToObject(r, "exists", ex);
		}
	} else if (!strcmp(cmd, "delete")) {
		bool rec = argc > 2 && !strcmp(argv[2], "recursive");

		rc = room_storage_delete(client, path, rec, &err);
	} else if (!strcmp(cmd, "move")) {
		bool ow = argc > 3 && !strcmp(argv[3], "overwrite");

		rc = argc > 2 ? room_storage_move(client, path, argv[2], ow,
						  &err) :
				-EINVAL;
	} else if (!strcmp(cmd, "url")) {
		char *url = NULL;

		rc = room_storage_download_url(&url, client, path, &err);
		if (rc >= 0) {
			r = ok_reply();
			cJSON_AddStringToObject(r, "url", url);
			free(url);
		}
	} else if (!strcmp(cmd, "upload") || !strcmp(cmd, "download")) {
		bool up = cmd[0] == 'u';
		uint64_t size = 0;
		int fd;

		if (argc < 3) {
			fail(t0, -EINVAL, NULL, "usage: %s PATH FILE", cmd);
			return;
		}
		fd = up ? open(argv[2], O_RDONLY | O_CLOEXEC) :
			  open(argv[2],
			       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fail(t0, -errno, NULL, "%s: %s", argv[2],
			     strerror(errno));
			return;
		}
		if (up)
			rc = room_storage_upload_fd(
				client, path,
				argc > 3 && !strcmp(argv[3], "overwrite"), fd,
				NULL, NULL, &err);
		else
			rc = room_storage_download_fd(&size, client, path, fd,
						      NULL, NULL, &err);
		close(fd);
		if (rc >= 0 && !up) {
			r = ok_reply();
			cJSON_AddNumberToObject(r, "size", (double)size);
		}
	}
	if (rc < 0) {
		cJSON_Delete(r);
		fail(t0, rc, &err, "%s failed", cmd);
		return;
	}
	reply(r ? r : ok_reply(), t0);
}

static void cmd_describe(const char *path, double t0)
{
	struct util_error err = { 0 };
	char *text = NULL;
	cJSON *json, *r;
	int rc;

	rc = room_sync_describe(&text, NULL, client, path, &err);
	if (rc < 0) {
		fail(t0, rc, &err, "describe failed");
		return;
	}
	json = cJSON_Parse(text);
	if (!json) {
		fail(t0, -EPROTO, NULL, "describe returned bad JSON: %.80s",
		     text);
		free(text);
		return;
	}
	free(text);
	r = ok_reply();
	cJSON_AddItemToObject(r, "json", json);
	reply(r, t0);
}

/* N x (open, describe, close) of one document: the round trips of the
 * benchmark; only totals are printed. */
static void cmd_bench_odc(const char *path, int n, double t0)
{
	struct util_error err = { 0 };
	cJSON *r;
	int rc = 0;

	for (int i = 0; i < n && rc >= 0; i++) {
		struct room_doc *d = NULL;
		char *text = NULL;

		rc = room_doc_open(&d, client, path, true, &err);
		if (rc < 0)
			break;
		rc = room_sync_describe(&text, NULL, client, path, &err);
		free(text);
		room_doc_close(d);
	}
	if (rc < 0) {
		fail(t0, rc, &err, "bench-odc failed");
		return;
	}
	r = ok_reply();
	cJSON_AddNumberToObject(r, "n", n);
	reply(r, t0);
}

static void cmd_bench_up(const char *path, const char *file, int n, double t0)
{
	struct util_error err = { 0 };
	int rc = 0;

	for (int i = 0; i < n && rc >= 0; i++) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			fail(t0, -errno, NULL, "%s: %s", file, strerror(errno));
			return;
		}
		rc = room_storage_upload_fd(client, path, true, fd, NULL, NULL,
					    &err);
		close(fd);
	}
	if (rc < 0)
		fail(t0, rc, &err, "bench-up failed");
	else
		reply(ok_reply(), t0);
}

static void cmd_bench_down(const char *path, int n, double t0)
{
	struct util_error err = { 0 };
	uint64_t total = 0;
	int rc = 0;
	cJSON *r;

	for (int i = 0; i < n && rc >= 0; i++) {
		struct room_transfer t = { .write = discard_write,
					   .ctx = &total };

		rc = room_storage_download(NULL, client, path, &t, &err);
	}
	if (rc < 0) {
		fail(t0, rc, &err, "bench-down failed");
		return;
	}
	r = ok_reply();
	cJSON_AddNumberToObject(r, "bytes", (double)total);
	reply(r, t0);
}

/* Runs one command line; returns false on quit. */
static bool run(char *line)
{
	char *argv[6];
	double t0 = now_ms();
	const char *cmd;
	int argc, max = 3;
	struct ddoc *dd;

	/* How many words each command has (the last takes the rest). */
	if (!strncmp(line, "connect ", 8))
		max = 6;
	else if (!strncmp(line, "insert ", 7) || !strncmp(line, "setattr ", 8))
		max = 5;
	else if (!strncmp(line, "wait ", 5) || !strncmp(line, "move ", 5) ||
		 !strncmp(line, "upload ", 7) || !strncmp(line, "bench-up ", 9))
		max = 4;
	argc = split(argv, max, line);
	if (!argc)
		return true;
	cmd = argv[0];
	if (!strcmp(cmd, "quit"))
		return false;
	if (!strcmp(cmd, "sleep")) {
		usleep((useconds_t)(argc > 1 ? atoi(argv[1]) : 0) * 1000);
		reply(ok_reply(), t0);
		return true;
	}
	if (!strcmp(cmd, "connect")) {
		cmd_connect(argc, argv, t0);
		return true;
	}
	if (!client) {
		fail(t0, -ENOTCONN, NULL, "not connected (connect first)");
		return true;
	}
	if (!strcmp(cmd, "disconnect")) {
		close_all_docs();
		room_client_close(client);
		client = NULL;
		reply(ok_reply(), t0);
		return true;
	}
	if (!strcmp(cmd, "state")) {
		static const char *const names[] = { "connecting", "connected",
						     "reconnecting", "closed" };
		enum room_conn_state st = room_client_state(client);
		cJSON *r = ok_reply();

		cJSON_AddStringToObject(r, "state",
					(unsigned)st < 4 ? names[st] : "?");
		reply(r, t0);
		return true;
	}
	if (argc < 2) {
		fail(t0, -EINVAL, NULL, "%s: missing argument", cmd);
		return true;
	}
	if (!strcmp(cmd, "create")) {
		struct util_error err = { 0 };
		int rc = room_sync_create(
			client, argv[1], argc > 2 ? argv[2] : NULL, NULL, &err);

		if (rc < 0)
			fail(t0, rc, &err, "create failed");
		else
			reply(ok_reply(), t0);
	} else if (!strcmp(cmd, "describe")) {
		cmd_describe(argv[1], t0);
	} else if (!strcmp(cmd, "open")) {
		cmd_open(argv[1], argc > 2 && !strcmp(argv[2], "create"), t0);
	} else if (!strcmp(cmd, "close")) {
		cmd_close(argv[1], t0);
	} else if (!strcmp(cmd, "bench-odc")) {
		cmd_bench_odc(argv[1], argc > 2 ? atoi(argv[2]) : 1, t0);
	} else if (!strcmp(cmd, "bench-up")) {
		if (argc < 3)
			fail(t0, -EINVAL, NULL, "usage: bench-up PATH FILE N");
		else
			cmd_bench_up(argv[1], argv[2],
				     argc > 3 ? atoi(argv[3]) : 1, t0);
	} else if (!strcmp(cmd, "bench-down")) {
		cmd_bench_down(argv[1], argc > 2 ? atoi(argv[2]) : 1, t0);
	} else if (!strcmp(cmd, "list") || !strcmp(cmd, "stat") ||
		   !strcmp(cmd, "exists") || !strcmp(cmd, "delete") ||
		   !strcmp(cmd, "move") || !strcmp(cmd, "url") ||
		   !strcmp(cmd, "upload") || !strcmp(cmd, "download")) {
		cmd_storage(argc, argv, t0);
	} else if (!(dd = need_doc(argv[1], t0))) {
		/* need_doc replied */
	} else if (!strcmp(cmd, "render")) {
		do_render(dd, t0);
	} else if (!strcmp(cmd, "merge") && argc > 2) {
		do_edit(dd, EDIT_MERGE, NULL, NULL, argv[2], t0);
	} else if (!strcmp(cmd, "insert") && argc > 4) {
		do_edit(dd, EDIT_INSERT, argv[2], argv[3], argv[4], t0);
	} else if (!strcmp(cmd, "setattr") && argc > 4) {
		do_edit(dd, EDIT_SETATTR, argv[2], argv[3], argv[4], t0);
	} else if (!strcmp(cmd, "push") && argc > 2) {
		cmd_push(dd, argv[2], t0);
	} else if (!strcmp(cmd, "flush")) {
		struct util_error err = { 0 };
		int rc = room_doc_flush(dd->doc, &err);

		if (rc < 0)
			fail(t0, rc, &err, "flush failed");
		else
			reply(ok_reply(), t0);
	} else if (!strcmp(cmd, "rev")) {
		cmd_rev(dd, t0);
	} else if (!strcmp(cmd, "wait") && argc > 3) {
		cmd_wait(dd, strtoull(argv[2], NULL, 10), atoi(argv[3]), t0);
	} else {
		fail(t0, -EINVAL, NULL,
		     "unknown command or missing arguments: %s", cmd);
	}
	return true;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: client-driver < commands "
				"(see the top of client-driver.c)\n");
		return 2;
	}
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!run(line))
			break;
	}
	free(line);
	if (client) {
		close_all_docs();
		room_client_close(client);
	}
	return 0;
}
