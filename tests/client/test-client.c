/* SPDX-License-Identifier: MIT */
/*
 * test-client.c - libclient (client.h) against a real room server embedded
 * through server.h: connect (good and bad tokens), every storage call
 * with its events, sync create/describe, live documents shared by two
 * clients (ref counts, convergence, change listeners, flush, push, a
 * refused update and the rebuilt replica), room_target_resolve, and
 * reconnection: the connection is cut (through a small TCP proxy, because
 * a stopping server closes with 1000, which ends a client for good as in
 * the SDK), the server is stopped and a new one started on the same port
 * and data directory, and the edits made meanwhile arrive.
 *
 * Every wait is bounded: helpers poll with a deadline, library calls have
 * their timeout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "mesh.h"
#include "proto.h"
#include "server.h"
#include "tap.h"
#include "util.h"
#include "ws.h"
#include "yjs.h"

#define SECRET "test-client-secret"
#define ROOM "testroom"

/*
 * LeakSanitizer: lws 4.1.6 leaves the system CA store of a client TLS
 * context (X509_STORE_set_default_paths_ex, from lws_create_vhost) behind
 * after lws_context_destroy, as a cycle of OpenSSL objects (indirect
 * leaks only).  Their stacks end in libcrypto with the default fast
 * unwinder, so the suppression names the library: none of our code
 * allocates OpenSSL objects that outlive a call.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcrypto.so\n";
}

static char data_dir[256];
static char schemas_dir[1024];
static struct srv *server;
static int port;

/* ---------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int start_server(int p)
{
	struct srv_config cfg;
	int r;

	srv_config_init(&cfg);
	cfg.port = p;
	cfg.data_dir = data_dir;
	cfg.secret = SECRET;
	cfg.schemas_dir = schemas_dir;
	r = srv_new(&server, &cfg);
	if (r < 0)
		return r;
	r = srv_start(server);
	if (r < 0)
		return r;
	port = srv_port(server);
	return 0;
}

static void stop_server(void)
{
	if (!server)
		return;
	srv_stop(server);
	srv_free(server);
	server = NULL;
}

static char *mint(const char *name, const char *secret, const char *room)
{
	struct proto_token t;
	char *jwt = NULL;

	if (proto_token_init(&t, name) < 0)
		return NULL;
	if (proto_token_add_grant(&t, "room", room) < 0 ||
	    proto_token_add_api_grant(&t, proto_api_scope_agent_default()) <
		    0 ||
	    proto_token_mint(&jwt, &t, secret) < 0)
		jwt = NULL;
	proto_token_free(&t);
	return jwt;
}

/* Event log of one client. */
struct events {
	pthread_mutex_t lock;
	char log[8192];
};

static void on_event(void *ctx, const struct room_file_event *ev)
{
	struct events *e = ctx;
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = strlen(e->log);
	snprintf(e->log + n, sizeof(e->log) - n, "%s:%s%s%s;",
		 ev->kind == 0 ? "updated" :
		 ev->kind == 1 ? "deleted" :
				 "moved",
		 ev->path, ev->new_path ? ">" : "",
		 ev->new_path ? ev->new_path : "");
	pthread_mutex_unlock(&e->lock);
}

/* Waits (at most ms) until the log contains s. */
static bool events_wait(struct events *e, const char *s, int ms)
{
	int64_t end = util_monotonic_ms() + ms;
	bool found;

	for (;;) {
		pthread_mutex_lock(&e->lock);
		found = strstr(e->log, s) != NULL;
		pthread_mutex_unlock(&e->lock);
		if (found || util_monotonic_ms() > end)
			return found;
		msleep(10);
	}
}

static int connect_to(struct room_client **c, int p, const char *token,
		      struct events *ev, int timeout_ms, struct util_error *err)
{
	struct room_config cfg;
	char url[128];

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/rooms/" ROOM, p);
	room_config_init(&cfg);
	cfg.url = url;
	cfg.token = token;
	cfg.timeout_ms = timeout_ms;
	cfg.backoff_min_ms = 50;
	cfg.backoff_max_ms = 400;
	if (ev) {
		cfg.on_file_event = on_event;
		cfg.file_event_ctx = ev;
	}
	return room_client_connect(c, &cfg, err);
}

/* The replica's JSON (rendered, no ids); caller frees. */
static char *render(struct room_doc *d)
{
	struct y_doc *y = room_doc_lock(d);
	char *out = NULL;
	size_t n;

	if (mesh_doc_render(&out, &n, y, room_doc_schema(d), 0) < 0)
		out = NULL;
	room_doc_unlock(d);
	return out;
}

/* Sets a root attribute through the y_* API (one local transaction). */
static int set_root_attr(struct room_doc *d, const char *key, const char *value)
{
	struct y_doc *y = room_doc_lock(d);
	struct y_type *root;
	struct y_any a;
	int r;

	r = y_doc_root(&root, y, MESH_DOC_ROOT, Y_XML_ELEMENT);
	if (r == 0)
		r = y_any_init_string(&a, value, strlen(value));
	if (r == 0) {
		r = y_map_set(root, key, strlen(key), &a);
		y_any_clear(&a);
	}
	room_doc_unlock(d);
	return r;
}

static bool doc_has(struct room_doc *d, const char *s)
{
	char *j = render(d);
	bool r = j && strstr(j, s);

	free(j);
	return r;
}

/* Waits (at most ms) until the replica renders with s in it. */
static bool doc_wait(struct room_doc *d, const char *s, int ms)
{
	int64_t end = util_monotonic_ms() + ms;

	while (!doc_has(d, s)) {
		if (util_monotonic_ms() > end)
			return false;
		msleep(10);
	}
	return true;
}

static atomic_int changes;

static void on_change(void *ctx, struct room_doc *d)
{
	(void)ctx;
	(void)room_doc_revision(d);
	atomic_fetch_add(&changes, 1);
}

/* ---------------------------------------------------------------------
 * A TCP proxy whose connections the test can cut and block
 * --------------------------------------------------------------------- */

struct proxy {
	int lfd, port, upstream;
	atomic_bool stop, blocked, cut, frozen;
	pthread_t thread;
};

#define PROXY_MAX 16

static void *proxy_main(void *arg)
{
	struct proxy *px = arg;
	int a[PROXY_MAX], b[PROXY_MAX], n = 0, polled, i, k;
	struct pollfd pf[1 + 2 * PROXY_MAX];
	char buf[65536];

	while (!atomic_load(&px->stop)) {
		if (atomic_exchange(&px->cut, false)) {
			for (i = 0; i < n; i++) {
				close(a[i]);
				close(b[i]);
			}
			n = 0;
		}
		pf[0].fd = px->lfd;
		pf[0].events = POLLIN;
		if (atomic_load(&px->frozen)) {
			/* a stopped peer: nothing moves, nothing closes */
			msleep(10);
			continue;
		}
		for (i = 0; i < n; i++) {
			pf[1 + 2 * i].fd = a[i];
			pf[1 + 2 * i].events = POLLIN;
			pf[2 + 2 * i].fd = b[i];
			pf[2 + 2 * i].events = POLLIN;
		}
		if (poll(pf, (nfds_t)(1 + 2 * n), 20) <= 0)
			continue;
		/* a pair accepted below was not polled: its pf slots hold
		 * stale revents, and a read on it could block the proxy */
		polled = n;
		if (pf[0].revents & POLLIN) {
			int cfd = accept(px->lfd, NULL, NULL), ufd;
			struct sockaddr_in sa = { 0 };

			if (cfd >= 0 &&
			    (atomic_load(&px->blocked) || n == PROXY_MAX)) {
				close(cfd);
			} else if (cfd >= 0) {
				ufd = socket(AF_INET, SOCK_STREAM, 0);
				sa.sin_family = AF_INET;
				sa.sin_port = htons((uint16_t)px->upstream);
				sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
				if (ufd < 0 ||
				    connect(ufd, (struct sockaddr *)&sa,
					    sizeof(sa)) < 0) {
					close(cfd);
					if (ufd >= 0)
						close(ufd);
				} else {
					a[n] = cfd;
					b[n] = ufd;
					n++;
				}
			}
		}
		for (i = 0; i < polled; i++) {
			for (k = 0; k < 2; k++) {
				struct pollfd *p = &pf[1 + 2 * i + k];
				int from = k ? b[i] : a[i],
				    to = k ? a[i] : b[i];
				ssize_t got, off = 0, w;

				if (!(p->revents &
				      (POLLIN | POLLHUP | POLLERR)))
					continue;
				got = read(from, buf, sizeof(buf));
				if (got <= 0)
					goto drop;
				while (off < got) {
					w = write(to, buf + off,
						  (size_t)(got - off));
					if (w <= 0)
						goto drop;
					off += w;
				}
			}
			continue;
drop:
			close(a[i]);
			close(b[i]);
			a[i] = a[n - 1];
			b[i] = b[n - 1];
			n--;
			break; /* pf no longer matches: poll again */
		}
	}
	for (i = 0; i < n; i++) {
		close(a[i]);
		close(b[i]);
	}
	return NULL;
}

static int proxy_start(struct proxy *px, int upstream)
{
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof(sa);
	int one = 1;

	memset(px, 0, sizeof(*px));
	px->upstream = upstream;
	px->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (px->lfd < 0)
		return -errno;
	setsockopt(px->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(px->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(px->lfd, 16) < 0 ||
	    getsockname(px->lfd, (struct sockaddr *)&sa, &sl) < 0) {
		close(px->lfd);
		return -errno;
	}
	px->port = ntohs(sa.sin_port);
	if (pthread_create(&px->thread, NULL, proxy_main, px)) {
		close(px->lfd);
		return -EAGAIN;
	}
	return 0;
}

static void proxy_stop(struct proxy *px)
{
	atomic_store(&px->stop, true);
	pthread_join(px->thread, NULL);
	close(px->lfd);
}

/* ---------------------------------------------------------------------
 * Tests
 * --------------------------------------------------------------------- */

static void test_connect(const char *token)
{
	struct room_client *c = NULL;
	struct util_error err;
	char *bad;
	int r;

	util_error_clear(&err);
	r = connect_to(&c, port, token, NULL, 5000, &err);
	is_int(r, 0, "connect with a good token");
	if (r == 0) {
		is_int(room_client_state(c), ROOM_CONNECTED, "state connected");
		ok(room_client_participant_id(c) &&
			   room_client_participant_id(c)[0],
		   "participant id from connected");
		is_str(room_client_room(c), ROOM, "room name from room_ready");
		is_int(room_client_timeout(c), 5000, "timeout kept");
	}
	room_client_close(c);

	bad = mint("mallory", "not-the-secret", ROOM);
	c = NULL;
	util_error_clear(&err);
	r = connect_to(&c, port, bad, NULL, 5000, &err);
	is_int(r, -EACCES, "a token with a wrong signature: -EACCES");
	ok(!c, "no client on failure");
	diag("bad token: %s", err.msg);
	free(bad);

	/* nothing listens on port 1: refused promptly */
	c = NULL;
	r = connect_to(&c, 1, token, NULL, 5000, &err);
	is_int(r, -ECONNREFUSED, "nothing listening: -ECONNREFUSED");
	room_client_close(c);
}

static int slow_read_calls;

static int counting_read(void *ctx, void *buf, size_t cap, size_t *got)
{
	uint64_t *left = ctx;
	size_t n = cap > 1000 ? 1000 : cap; /* short reads */
	size_t i;

	if (n > *left)
		n = (size_t)*left;
	for (i = 0; i < n; i++)
		((uint8_t *)buf)[i] = (uint8_t)((*left - i) * 7);
	*left -= n;
	*got = n;
	slow_read_calls++;
	return 0;
}

static int failing_read(void *ctx, void *buf, size_t cap, size_t *got)
{
	int *calls = ctx;

	(void)buf;
	if ((*calls)++ == 2)
		return -EIO;
	*got = cap > 100 ? 100 : cap;
	memset(buf, 'x', *got);
	return 0;
}

struct wsum {
	uint64_t n;
	uint64_t sum;
	int calls;
};

static int summing_write(void *ctx, const void *data, size_t len)
{
	struct wsum *w = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		w->sum += ((const uint8_t *)data)[i];
	w->n += len;
	w->calls++;
	return 0;
}

/* A consumer slower than the network: the pull-ahead must wait for it
 * (at most one chunk ahead) and the reader send the pull it owes. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ ((const uint8_t *)data)[i]) * 0x100000001b3ull;
	return h;
}

static int slow_write(void *ctx, const void *data, size_t len)
{
	struct wsum *w = ctx;

	if (w->calls < 6)
		usleep(30 * 1000);
	w->sum = fnv1a(w->sum, data, len); /* order matters */
	w->n += len;
	w->calls++;
	return 0;
}

static void test_storage(const char *token)
{
	struct room_client *c = NULL;
	struct events ev = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct util_error err;
	struct room_entry *v = NULL, e;
	struct room_transfer t;
	size_t n = 0, len = 0, i;
	void *data = NULL;
	bool ex = false;
	char *url = NULL, tmpl[] = "/tmp/test-client-XXXXXX";
	uint8_t *big;
	uint64_t left, size = 0, bsum = 0;
	struct wsum ws = { 0 };
	int r, fd, calls = 0;

	util_error_clear(&err);
	r = connect_to(&c, port, token, &ev, 10000, &err);
	if (r < 0) {
		skip(1, "no connection: %s", err.msg);
		return;
	}
	r = room_storage_upload_buf(c, "dir/hello.txt", false, "hello world",
				    11, &err);
	is_int(r, 0, "upload_buf");
	ok(events_wait(&ev, "updated:dir/hello.txt;", 5000),
	   "storage.file.updated event for our own upload");
	r = room_storage_upload_buf(c, "dir/hello.txt", false, "again", 5,
				    &err);
	is_int(r, -EEXIST, "upload over an existing file: -EEXIST");
	diag("%s", err.msg);
	r = room_storage_upload_buf(c, "dir/hello.txt", true, "hello there!",
				    12, &err);
	is_int(r, 0, "upload with overwrite");

	r = room_storage_exists(&ex, c, "dir/hello.txt", &err);
	ok(r == 0 && ex, "exists: file");
	r = room_storage_exists(&ex, c, "dir", &err);
	ok(r == 0 && ex, "exists: folder");
	r = room_storage_exists(&ex, c, "nope.txt", &err);
	ok(r == 0 && !ex, "exists: missing");

	r = room_storage_stat(&e, c, "dir/hello.txt", &err);
	is_int(r, 0, "stat a file");
	if (r == 0) {
		is_str(e.name, "hello.txt", "stat name");
		ok(!e.is_folder && e.has_size && e.size == 12, "stat size");
		ok(e.updated_ms > 1600000000000LL, "stat updated time");
		room_entry_clear(&e);
	}
	r = room_storage_stat(&e, c, "nope.txt", &err);
	is_int(r, -ENOENT, "stat missing: -ENOENT");

	r = room_storage_list(&v, &n, c, "dir", &err);
	is_int(r, 0, "list");
	ok(n == 1 && v && !strcmp(v[0].name, "hello.txt"), "list entries");
	room_entries_free(v, n);
	r = room_storage_list(&v, &n, c, "", &err);
	ok(r == 0, "list the root");
	for (i = 0, ex = false; r == 0 && i < n; i++)
		if (!strcmp(v[i].name, "dir") && v[i].is_folder)
			ex = true;
	ok(ex, "the root lists dir as a folder");
	room_entries_free(v, n);

	r = room_storage_download_buf(&data, &len, c, "dir/hello.txt", &err);
	is_int(r, 0, "download_buf");
	ok(len == 12 && data && !memcmp(data, "hello there!", 12),
	   "downloaded bytes");
	free(data);
	r = room_storage_download_buf(&data, &len, c, "nope.txt", &err);
	is_int(r, -ENOENT, "download missing: -ENOENT");
	diag("%s", err.msg);

	/* large, streamed through callbacks with short reads */
	left = 1500000;
	memset(&t, 0, sizeof(t));
	t.read = counting_read;
	t.ctx = &left;
	r = room_storage_upload(c, "big.bin", true, 1500000, &t, &err);
	is_int(r, 0, "upload 1.5 MB through a read callback");
	ok(slow_read_calls > 20, "the read callback was called per pull");
	big = malloc(1500000);
	for (left = 1500000, i = 0; i < 1500000; i++)
		bsum += (uint8_t)((left - (i % 1000)) * 7),
			left -= (i % 1000 == 999) ? 1000 : 0;
	free(big);
	memset(&t, 0, sizeof(t));
	t.write = summing_write;
	t.ctx = &ws;
	r = room_storage_download(&size, c, "big.bin", &t, &err);
	is_int(r, 0, "download 1.5 MB through a write callback");
	ok(size == 1500000 && ws.n == 1500000, "all bytes");
	ok(ws.sum == bsum, "same bytes (checksum)");
	ok(ws.calls >= 2, "in chunks (%d)", ws.calls);
	r = room_storage_download_buf(&data, &len, c, "big.bin", &err);
	memset(&ws, 0, sizeof(ws));
	ws.sum = 0xcbf29ce484222325ull;
	t.write = slow_write;
	r = room_storage_download(&size, c, "big.bin", &t, &err);
	is_int(r, 0, "download to a slow consumer (pull-ahead held back)");
	ok(size == 1500000 && ws.n == 1500000 && data && len == 1500000 &&
		   ws.sum == fnv1a(0xcbf29ce484222325ull, data, len),
	   "... every byte, in order (FNV-1a)");
	free(data);
	data = NULL;

	/* an upload whose reader fails leaves the destination as it was */
	memset(&t, 0, sizeof(t));
	t.read = failing_read;
	t.ctx = &calls;
	r = room_storage_upload(c, "dir/hello.txt", true, 100000, &t, &err);
	is_int(r, -EIO, "a failing read callback aborts the upload");
	r = room_storage_download_buf(&data, &len, c, "dir/hello.txt", &err);
	ok(r == 0 && len == 12 && !memcmp(data, "hello there!", 12),
	   "the aborted upload left the file as it was");
	free(data);

	/* fd variants */
	fd = mkstemp(tmpl);
	ok(fd >= 0, "temp file");
	if (fd >= 0) {
		ssize_t w = write(fd, "from a file\n", 12);

		ok(w == 12, "temp file written");
		lseek(fd, 0, SEEK_SET);
		r = room_storage_upload_fd(c, "f.txt", false, fd, NULL, NULL,
					   &err);
		is_int(r, 0, "upload_fd");
		if (ftruncate(fd, 0) < 0)
			diag("ftruncate: %s", strerror(errno));
		lseek(fd, 0, SEEK_SET);
		r = room_storage_download_fd(&size, c, "f.txt", fd, NULL, NULL,
					     &err);
		ok(r == 0 && size == 12, "download_fd");
		lseek(fd, 0, SEEK_SET);
		char rb[32] = { 0 };
		ok(read(fd, rb, sizeof(rb)) == 12 &&
			   !memcmp(rb, "from a file\n", 12),
		   "download_fd wrote the bytes");
		close(fd);
		unlink(tmpl);
	}

	r = room_storage_download_url(&url, c, "f.txt", &err);
	ok(r == 0 && url && (strstr(url, "http") || strstr(url, "ws")),
	   "download_url");
	free(url);

	r = room_storage_move(c, "f.txt", "dir/hello.txt", false, &err);
	is_int(r, -EEXIST, "move onto an existing file: -EEXIST");
	r = room_storage_move(c, "f.txt", "g.txt", false, &err);
	is_int(r, 0, "move");
	ok(events_wait(&ev, "moved:f.txt>g.txt;", 5000), "moved event");
	r = room_storage_delete(c, "dir", false, &err);
	is_int(r, -ENOTEMPTY, "delete a non-empty folder: -ENOTEMPTY");
	r = room_storage_delete(c, "dir", true, &err);
	is_int(r, 0, "recursive delete");
	ok(events_wait(&ev, "deleted:dir", 5000), "deleted event");
	r = room_storage_delete(c, "nope", false, &err);
	is_int(r, -ENOENT, "delete missing: -ENOENT");
	room_client_close(c);
}

static void test_sync(const char *token)
{
	struct room_client *c = NULL;
	struct util_error err;
	char *out = NULL;
	size_t len = 0;
	int r;

	util_error_clear(&err);
	r = connect_to(&c, port, token, NULL, 10000, &err);
	if (r < 0) {
		skip(1, "no connection: %s", err.msg);
		return;
	}
	r = room_sync_create(c, "/notes/a.thread",
			     "{\"thread\":{\"name\":\"first\"}}", NULL, &err);
	is_int(r, 0, "sync.create (path normalized)");
	if (r)
		diag("%s", err.msg);
	r = room_sync_create(c, "notes/a.thread", NULL, NULL, &err);
	is_int(r, -EEXIST, "sync.create existing: -EEXIST");
	r = room_sync_create(c, "x.noschema", NULL, NULL, &err);
	ok(r == -EIO || r == -ENOENT, "sync.create without a schema fails");
	diag("no schema: %d %s", r, err.msg);
	r = room_sync_create(c, "bad.thread", "{\"thread\":{\"bogus\":1}}",
			     NULL, &err);
	is_int(r, -EINVAL, "sync.create with JSON the schema refuses");
	r = room_sync_create(c, "bad2.thread", "{not json", NULL, &err);
	is_int(r, -EINVAL, "sync.create with malformed JSON");
	r = room_sync_describe(&out, &len, c, "notes/a.thread", &err);
	is_int(r, 0, "sync.describe");
	ok(out && strlen(out) == len && strstr(out, "\"first\""),
	   "describe returns the document JSON");
	diag("describe: %s", out ? out : "(null)");
	free(out);
	r = room_sync_describe(&out, &len, c, "missing.thread", &err);
	ok(r < 0 && !out, "describe missing fails (%d)", r);
	room_client_close(c);
}

static void test_docs(const char *token)
{
	struct room_client *a = NULL, *b = NULL;
	struct room_doc *da = NULL, *da2 = NULL, *db = NULL;
	struct util_error err;
	uint64_t rev0;
	uint8_t *upd = NULL;
	size_t ulen = 0;
	int r, lid;

	util_error_clear(&err);
	if (connect_to(&a, port, token, NULL, 10000, &err) < 0 ||
	    connect_to(&b, port, token, NULL, 10000, &err) < 0) {
		skip(1, "no connection: %s", err.msg);
		room_client_close(a);
		return;
	}
	r = room_doc_open(&da, a, "missing.thread", false, &err);
	is_int(r, -ENOENT, "open a missing document without create");
	r = room_doc_open(&da, a, "d.thread", true, &err);
	is_int(r, 0, "open with create");
	if (r) {
		diag("%s", err.msg);
		goto out;
	}
	r = room_doc_open(&da2, a, "./d.thread", true, &err);
	ok(r == 0 && da2 == da, "opening twice returns the same document");
	room_doc_close(da2);
	is_str(room_doc_path(da), "d.thread", "normalized path");
	ok(room_doc_schema(da) && room_doc_schema_json(da) &&
		   strstr(room_doc_schema_json(da), "\"thread\""),
	   "schema from the state chunk");
	ok(!room_doc_pending(da), "nothing pending");

	r = room_doc_open(&db, b, "d.thread", false, &err);
	is_int(r, 0, "second client opens it");
	if (r)
		goto out;
	lid = room_doc_listen(db, on_change, NULL);
	ok(lid > 0, "listener id");

	rev0 = room_doc_revision(da);
	r = set_root_attr(da, "name", "from-a");
	is_int(r, 0, "edit through y_map_set under room_doc_lock");
	ok(room_doc_revision(da) > rev0, "local edit moves the revision");
	r = room_doc_flush(da, &err);
	is_int(r, 0, "flush: acked");
	ok(!room_doc_pending(da), "nothing pending after flush");
	ok(doc_wait(db, "from-a", 5000), "the other client converges");
	ok(atomic_load(&changes) > 0, "change listener fired");

	r = set_root_attr(db, "name", "from-b");
	is_int(r, 0, "edit on b");
	is_int(room_doc_flush(db, &err), 0, "flush on b");
	ok(doc_wait(da, "from-b", 5000), "a converges");

	/* push: a pre-encoded update, from a scratch doc */
	{
		struct y_doc *y = NULL;
		struct y_type *root;
		struct y_any v;
		char *sv = NULL;
		uint8_t *svb = NULL;
		size_t svn = 0;

		/* the scratch doc starts from a's state so the update is a
		 * plain overwrite of "name" */
		struct y_doc *ya = room_doc_lock(da);
		uint8_t *st = NULL;
		size_t stn = 0;

		y_doc_encode_state_as_update(&st, &stn, ya, NULL, 0, NULL);
		room_doc_unlock(da);
		y_doc_new(&y, NULL);
		y_doc_apply_update(y, st, stn, NULL);
		y_doc_state_vector(&svb, &svn, y);
		y_doc_root(&root, y, MESH_DOC_ROOT, Y_XML_ELEMENT);
		y_any_init_string(&v, "pushed", 6);
		y_map_set(root, "name", 4, &v);
		y_any_clear(&v);
		y_doc_encode_state_as_update(&upd, &ulen, y, svb, svn, NULL);
		free(st);
		free(svb);
		free(sv);
		y_doc_free(y);
	}
	r = room_sync_push(a, "d.thread", upd, ulen, &err);
	is_int(r, 0, "room_sync_push: acked");
	ok(doc_has(da, "pushed"), "push applied to the local replica");
	ok(doc_wait(db, "pushed", 5000), "push reached the other client");
	r = room_sync_push(a, "notopen.thread", upd, ulen, &err);
	is_int(r, -EBADF, "push to a document not open: -EBADF");
	free(upd);

	/* a refused update: an attribute the schema does not have */
	rev0 = room_doc_revision(da);
	r = set_root_attr(da, "bogus", "x");
	is_int(r, 0, "schema-violating local edit");
	ok(doc_has(da, "pushed"), "replica still has the last good state");
	r = room_doc_flush(da, &err);
	is_int(r, -EINVAL, "flush of a refused update: -EINVAL");
	diag("refused: %s", err.msg);
	ok(room_doc_revision(da) > rev0 + 1, "revision moved by the rebuild");
	ok(!room_doc_pending(da), "the refused edit is not pending");
	{
		struct y_doc *y = room_doc_lock(da);
		struct y_type *root;
		struct y_value val;
		int g = -1;

		if (y_doc_root(&root, y, MESH_DOC_ROOT, Y_XML_ELEMENT) == 0)
			g = y_map_get(&val, root, "bogus", 5);
		room_doc_unlock(da);
		is_int(g, -ENOENT,
		       "the rebuilt replica lacks the refused edit");
	}
	/* and the document still works */
	r = set_root_attr(da, "name", "after-refusal");
	is_int(r, 0, "edit after the rebuild");
	is_int(room_doc_flush(da, &err), 0, "flush after the rebuild");
	ok(doc_wait(db, "after-refusal", 5000), "b sees it");

	/* edits made while a chunk is in flight go out merged: all arrive */
	{
		char v[32];
		int i, bad = 0;

		for (i = 0; i < 100; i++) {
			snprintf(v, sizeof(v), "burst-%d", i);
			bad |= set_root_attr(da, "name", v);
		}
		is_int(bad, 0, "100 edits without waiting");
		is_int(room_doc_flush(da, &err), 0, "flush: all acked");
		ok(!room_doc_pending(da), "nothing pending");
		ok(doc_wait(db, "burst-99", 5000), "b has the last edit");
	}
	/* a bad edit among queued good ones: those before it are kept, as
	 * if each had gone alone (a refused merged chunk is retried one
	 * update at a time) */
	r = set_root_attr(da, "name", "q0");
	r |= set_root_attr(da, "name", "q1");
	r |= set_root_attr(da, "bogus", "x");
	r |= set_root_attr(da, "name", "q3");
	is_int(r, 0, "good, good, bad, good queued");
	is_int(room_doc_flush(da, &err), -EINVAL, "flush: the bad one refused");
	ok(doc_wait(db, "q1", 5000), "the good edits before it arrived");
	ok(doc_wait(da, "q1", 5000) && !doc_has(da, "q3"),
	   "the rebuilt replica has them, not the edit built on the bad one");
	room_doc_unlisten(db, lid);
out:
	room_doc_close(db);
	room_doc_close(da);
	room_client_close(b);
	room_client_close(a);
}

static void test_reconnect(const char *token)
{
	struct room_client *a = NULL, *b = NULL;
	struct room_doc *da = NULL, *db = NULL;
	struct util_error err;
	struct proxy px;
	int64_t t0;
	int r, old_port = port;

	if (proxy_start(&px, port) < 0) {
		skip(1, "no proxy");
		return;
	}
	util_error_clear(&err);
	/* b goes through the proxy, a straight to the server */
	if (connect_to(&b, px.port, token, NULL, 3000, &err) < 0 ||
	    connect_to(&a, port, token, NULL, 3000, &err) < 0) {
		diag("%s", err.msg);
		skip(1, "no connection");
		goto out;
	}
	r = room_doc_open(&db, b, "r.thread", true, &err);
	is_int(r, 0, "b opens r.thread");
	r = room_doc_open(&da, a, "r.thread", true, &err);
	is_int(r, 0, "a opens r.thread");
	if (!da || !db)
		goto out;
	is_int(set_root_attr(db, "name", "before"), 0, "edit before the cut");
	is_int(room_doc_flush(db, &err), 0, "flushed");

	/* cut b's connection and keep it down */
	atomic_store(&px.blocked, true);
	atomic_store(&px.cut, true);
	t0 = util_monotonic_ms();
	while (room_client_state(b) != ROOM_RECONNECTING &&
	       util_monotonic_ms() - t0 < 5000)
		msleep(10);
	is_int(room_client_state(b), ROOM_RECONNECTING, "b is reconnecting");
	is_int(set_root_attr(db, "name", "offline-edit"), 0,
	       "edit while disconnected");
	ok(room_doc_pending(db), "the edit is pending");
	t0 = util_monotonic_ms();
	r = room_doc_flush(db, &err);
	is_int(r, -ENOTCONN, "flush while down: -ENOTCONN");
	ok(util_monotonic_ms() - t0 < 3000,
	   "promptly (before the 3000 ms timeout)");
	{
		bool ex;

		r = room_storage_exists(&ex, b, "r.thread", &err);
		is_int(r, -ENOTCONN, "a call while down: -ENOTCONN");
	}

	/* the server goes away (a sees its 1000 close and stays closed) */
	room_doc_close(da);
	da = NULL;
	stop_server();
	t0 = util_monotonic_ms();
	while (room_client_state(a) != ROOM_CLOSED &&
	       util_monotonic_ms() - t0 < 5000)
		msleep(10);
	is_int(room_client_state(a), ROOM_CLOSED,
	       "close 1000 from the server: closed for good");
	room_client_close(a);
	a = NULL;
	is_int(set_root_attr(db, "name", "offline-edit-2"), 0,
	       "another edit while the server is down");

	/* a new server on the same port and data dir */
	r = start_server(old_port);
	is_int(r, 0, "new server on the same port");
	if (r)
		goto out;
	atomic_store(&px.blocked, false);
	t0 = util_monotonic_ms();
	while (room_client_state(b) != ROOM_CONNECTED &&
	       util_monotonic_ms() - t0 < 10000)
		msleep(10);
	is_int(room_client_state(b), ROOM_CONNECTED, "b reconnected");
	r = room_doc_flush(db, &err);
	is_int(r, 0, "the offline edits are acked after the reconnect");
	if (r)
		diag("%s", err.msg);
	ok(!room_doc_pending(db), "nothing pending");

	r = connect_to(&a, port, token, NULL, 3000, &err);
	is_int(r, 0, "a connects to the new server");
	if (r)
		goto out;
	r = room_doc_open(&da, a, "r.thread", false, &err);
	is_int(r, 0, "a reopens the document");
	if (r)
		goto out;
	ok(doc_wait(da, "offline-edit-2", 5000),
	   "the edits made while disconnected arrived");
	is_int(set_root_attr(da, "name", "after-restart"), 0, "a edits");
	is_int(room_doc_flush(da, &err), 0, "a flushes");
	ok(doc_wait(db, "after-restart", 5000),
	   "b converges on the new connection");
out:
	room_doc_close(da);
	room_doc_close(db);
	room_client_close(a);
	room_client_close(b);
	proxy_stop(&px);
}

/* A peer that stops answering mid-session (like a SIGSTOPped server):
 * calls time out and close still returns. */
static void test_stall(const char *token)
{
	struct room_client *c = NULL;
	struct room_doc *d = NULL;
	struct util_error err;
	struct proxy px;
	int64_t t0;
	bool ex;
	int r;

	if (proxy_start(&px, port) < 0) {
		skip(1, "no proxy");
		return;
	}
	util_error_clear(&err);
	r = connect_to(&c, px.port, token, NULL, 700, &err);
	if (r == 0)
		r = room_doc_open(&d, c, "stall.thread", true, &err);
	if (r < 0) {
		diag("%s", err.msg);
		skip(1, "no connection");
		goto out;
	}
	atomic_store(&px.frozen, true);
	t0 = util_monotonic_ms();
	r = room_storage_exists(&ex, c, "x", &err);
	is_int(r, -ETIMEDOUT, "a call to a stalled server: -ETIMEDOUT");
	diag("timed out after %lld ms (timeout 700)",
	     (long long)(util_monotonic_ms() - t0));
	is_int(set_root_attr(d, "name", "stalled"), 0, "edit while stalled");
	r = room_doc_flush(d, &err);
	is_int(r, -ETIMEDOUT, "flush to a stalled server: -ETIMEDOUT");
	t0 = util_monotonic_ms();
	room_doc_close(d);
	d = NULL;
	room_client_close(c);
	c = NULL;
	t0 = util_monotonic_ms() - t0;
	diag("close took %lld ms", (long long)t0);
	ok(t0 < 20000, "close returns although the server is stalled");
out:
	room_doc_close(d);
	room_client_close(c);
	proxy_stop(&px);
}

/* A server that accepts TCP but never answers: bounded timeouts. */
static void test_timeouts(const char *token)
{
	struct room_client *c = NULL;
	struct util_error err;
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof(sa);
	int64_t t0;
	int lfd, r;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		skip(2, "no socket");
		if (lfd >= 0)
			close(lfd);
		return;
	}
	t0 = util_monotonic_ms();
	r = connect_to(&c, ntohs(sa.sin_port), token, NULL, 500, &err);
	is_int(r, -ETIMEDOUT, "a silent server: -ETIMEDOUT");
	ok(util_monotonic_ms() - t0 < 20000, "within a bounded time (no hang)");
	room_client_close(c);
	close(lfd);
}

/*
 * A server that completes the upgrade and then sends a masked frame (a
 * protocol error: servers never mask): the client fails the connection
 * with a close frame of code 1002 (RFC 6455 7.1.7), then hangs up.
 */
struct bad_server {
	int lfd;
	int close_code; /* what the client's close frame said; -1 none */
	bool hung_up; /* then EOF */
};

static bool read_some(int fd, uint8_t *buf, size_t want, size_t *have)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (*have < want) {
		if (poll(&p, 1, 5000) != 1)
			return false;
		n = read(fd, buf + *have, want - *have);
		if (n <= 0)
			return false;
		*have += (size_t)n;
	}
	return true;
}

static void *bad_server_main(void *arg)
{
	struct bad_server *bs = arg;
	static const uint8_t masked[] = { 0x82, 0x81, 1, 2, 3, 4, 0x2a };
	char req[4096], key[64] = "", acc[WS_ACCEPT_LEN + 1], resp[256];
	uint8_t f[16];
	size_t n = 0, have = 0;
	const char *k, *e;
	int fd;

	fd = accept(bs->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	/* the upgrade request, up to its blank line */
	while (n < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
		size_t got = n;

		if (!read_some(fd, (uint8_t *)req, n + 1, &got))
			goto out;
		n = got;
		req[n] = 0;
	}
	k = strcasestr(req, "Sec-WebSocket-Key: ");
	e = k ? strstr(k, "\r\n") : NULL;
	if (!e || e - k - 19 >= (long)sizeof(key))
		goto out;
	memcpy(key, k + 19, (size_t)(e - k - 19));
	if (ws_accept_of(acc, key) < 0)
		goto out;
	n = (size_t)snprintf(resp, sizeof(resp),
			     "HTTP/1.1 101 Switching Protocols\r\n"
			     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			     "Sec-WebSocket-Accept: %s\r\n\r\n",
			     acc);
	if (write(fd, resp, n) != (ssize_t)n ||
	    write(fd, masked, sizeof(masked)) != (ssize_t)sizeof(masked))
		goto out;
	/* the client's close: FIN + close, masked, 2 bytes of payload */
	if (!read_some(fd, f, 8, &have) || f[0] != 0x88 || f[1] != 0x82)
		goto out;
	bs->close_code = (f[6] ^ f[2]) << 8 | (f[7] ^ f[3]);
	bs->hung_up = read(fd, f, sizeof(f)) == 0;
out:
	close(fd);
	return NULL;
}

static void test_bad_frame(const char *token)
{
	struct bad_server bs = { .close_code = -1 };
	struct room_client *c = NULL;
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof(sa);
	struct util_error err;
	pthread_t th;
	int r;

	bs.lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bs.lfd < 0 ||
	    bind(bs.lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(bs.lfd, 4) < 0 ||
	    getsockname(bs.lfd, (struct sockaddr *)&sa, &sl) < 0 ||
	    pthread_create(&th, NULL, bad_server_main, &bs)) {
		skip(3, "no socket");
		if (bs.lfd >= 0)
			close(bs.lfd);
		return;
	}
	r = connect_to(&c, ntohs(sa.sin_port), token, NULL, 3000, &err);
	ok(r < 0, "a server sending a masked frame: the connect fails (%d)", r);
	room_client_close(c);
	pthread_join(th, NULL);
	is_int(bs.close_code, 1002, "the client's close frame says 1002");
	ok(bs.hung_up, "and then it hangs up");
	close(bs.lfd);
}

static void test_target(const char *token)
{
	struct room_target t;
	struct util_error err;
	struct proto_token pt;
	int r;

	unsetenv("MESHAGENT_ROOM_URL");
	unsetenv("MESHAGENT_API_URL");
	unsetenv("MESHAGENT_ROOM");
	unsetenv("MESHAGENT_TOKEN");
	unsetenv("MESHAGENT_API_KEY");
	unsetenv("MESHAGENT_SECRET");

	util_error_clear(&err);
	r = room_target_resolve(&t, "ws://h:1/rooms/r1", NULL, "tok", NULL,
				&err);
	ok(r == 0 && !strcmp(t.url, "ws://h:1/rooms/r1") &&
		   !strcmp(t.room, "r1") && !strcmp(t.token, "tok"),
	   "target from arguments");
	room_target_free(&t);

	r = room_target_resolve(&t, "https://h/", "r2", "tok", NULL, &err);
	ok(r == 0 && !strcmp(t.url, "wss://h/rooms/r2"),
	   "https base + room -> wss://h/rooms/r2 (%s)", r ? err.msg : t.url);
	room_target_free(&t);

	r = room_target_resolve(&t, NULL, NULL, "tok", NULL, &err);
	is_int(r, -EINVAL, "no URL: -EINVAL");

	setenv("MESHAGENT_API_URL", "http://localhost:8078", 1);
	r = room_target_resolve(&t, NULL, NULL, token, NULL, &err);
	ok(r == 0 && !strcmp(t.url, "ws://localhost:8078/rooms/" ROOM),
	   "room from the token's grant, URL from MESHAGENT_API_URL");
	room_target_free(&t);
	r = room_target_resolve(&t, NULL, NULL, NULL, NULL, &err);
	is_int(r, -EINVAL, "no room and no token: -EINVAL");
	diag("%s", err.msg);

	setenv("MESHAGENT_ROOM", "envroom", 1);
	setenv("MESHAGENT_SECRET", SECRET, 1);
	setenv("MESHAGENT_PARTICIPANT_NAME", "tester", 1);
	r = room_target_resolve(&t, NULL, NULL, NULL, NULL, &err);
	is_int(r, 0, "token minted from MESHAGENT_SECRET");
	if (r == 0) {
		is_str(t.url, "ws://localhost:8078/rooms/envroom", "url");
		r = proto_token_verify(&pt, t.token, SECRET, "envroom", 0,
				       NULL);
		is_int(r, 0, "the minted token verifies");
		if (r == 0) {
			is_str(pt.name, "tester", "participant name");
			ok(proto_token_api_allows(&pt, "sync") &&
				   proto_token_api_allows(&pt, "storage"),
			   "api grant with sync and storage");
			proto_token_free(&pt);
		}
	}
	room_target_free(&t);

	setenv("MESHAGENT_API_KEY",
	       "ma-.j.DnM2qR6WWEq4.mYmfuQ-_B55PLVWSWu_B4GCuETgWA-test-secret-"
	       "secure-secret-sample2560binarykey",
	       1);
	r = room_target_resolve(&t, NULL, NULL, NULL, NULL, &err);
	is_int(r, 0, "token minted from MESHAGENT_API_KEY");
	if (r == 0) {
		r = proto_token_verify(
			&pt, t.token,
			"test-secret-secure-secret-sample2560binarykey",
			"envroom", 0, NULL);
		ok(r == 0 && pt.kid &&
			   !strcmp(pt.kid,
				   "fa3f839c-cdaa-47a5-9612-ae3e99899fb9"),
		   "signed with the key's secret, kid set");
		if (r == 0)
			proto_token_free(&pt);
	}
	room_target_free(&t);
	setenv("MESHAGENT_API_KEY", "ma-garbage", 1);
	r = room_target_resolve(&t, NULL, NULL, NULL, NULL, &err);
	is_int(r, -EINVAL, "malformed API key: -EINVAL");
	unsetenv("MESHAGENT_API_KEY");
	unsetenv("MESHAGENT_SECRET");
	unsetenv("MESHAGENT_ROOM");
	unsetenv("MESHAGENT_API_URL");
	unsetenv("MESHAGENT_PARTICIPANT_NAME");
}

/* wss: a server with a self-signed certificate; ca_file trusts it. */
static void test_tls(const char *token)
{
	struct srv_config cfg;
	struct srv *ts = NULL;
	struct room_client *c = NULL;
	struct room_config rc;
	struct util_error err;
	char dir[300], cert[340], key[340], cmd[1200], url[128];
	void *data = NULL;
	size_t len = 0;
	int r;

	snprintf(dir, sizeof(dir), "%s/.tls", data_dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s' && openssl req -x509 -newkey rsa:2048 -nodes "
		 "-keyout '%s' -out '%s' -days 2 -subj /CN=localhost "
		 "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
		 ">/dev/null 2>&1",
		 dir, key, cert);
	if (system(cmd) != 0) {
		skip(3, "no openssl to make a certificate");
		return;
	}
	srv_config_init(&cfg);
	cfg.port = 0;
	snprintf(cmd, sizeof(cmd), "%s/.tlsdata", data_dir);
	cfg.data_dir = cmd;
	cfg.secret = SECRET;
	cfg.tls_cert = cert;
	cfg.tls_key = key;
	if (srv_new(&ts, &cfg) < 0 || srv_start(ts) < 0) {
		skip(3, "no TLS server");
		srv_free(ts);
		return;
	}
	snprintf(url, sizeof(url), "wss://localhost:%d/rooms/" ROOM,
		 srv_port(ts));
	room_config_init(&rc);
	rc.url = url;
	rc.token = token;
	rc.timeout_ms = 5000;
	rc.ca_file = cert;
	util_error_clear(&err);
	r = room_client_connect(&c, &rc, &err);
	is_int(r, 0, "wss with ca_file");
	if (r)
		diag("%s", err.msg);
	if (r == 0) {
		r = room_storage_upload_buf(c, "t.txt", true, "tls", 3, &err);
		if (r == 0)
			r = room_storage_download_buf(&data, &len, c, "t.txt",
						      &err);
		ok(r == 0 && len == 3 && !memcmp(data, "tls", 3),
		   "storage over wss");
		free(data);
	} else {
		skip(1, "no wss connection");
	}
	room_client_close(c);
	c = NULL;
	rc.ca_file = NULL; /* the system store does not know our CA */
	r = room_client_connect(&c, &rc, &err);
	ok(r < 0 && !c, "an untrusted certificate is refused (%d: %s)", r,
	   err.msg);
	room_client_close(c);
	srv_stop(ts);
	srv_free(ts);
}

static void cleanup(void)
{
	char cmd[300];

	stop_server();
	if (data_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_dir);
		if (system(cmd) != 0)
			diag("cannot remove %s", data_dir);
		data_dir[0] = 0;
	}
}

int main(void)
{
	const char *top = getenv("abs_top_srcdir");
	char *token;
	int r;

	tap_init();
	if (getenv("TEST_CLIENT_DEBUG"))
		util_log_set_level(UTIL_LOG_DEBUG);
	snprintf(data_dir, sizeof(data_dir), "/tmp/test-client-data-XXXXXX");
	if (!mkdtemp(data_dir)) {
		data_dir[0] = 0;
		bail_out("mkdtemp: %s", strerror(errno));
	}
	atexit(cleanup);
	snprintf(schemas_dir, sizeof(schemas_dir), "%s/schemas",
		 top ? top : ".");
	r = start_server(0);
	if (r < 0)
		bail_out("cannot start the room server: %d", r);
	token = mint("tester", SECRET, ROOM);
	if (!token)
		bail_out("cannot mint a token");

	test_connect(token);
	test_storage(token);
	test_sync(token);
	test_docs(token);
	test_timeouts(token);
	test_bad_frame(token);
	test_target(token);
	if (!getenv("TEST_CLIENT_NO_TLS"))
		test_tls(token);
	test_stall(token);
	test_reconnect(token);

	free(token);
	/* before exit: OpenSSL's atexit cleanup must not run while the
	 * server's thread still lives */
	cleanup();
	return done_testing();
}
