/* SPDX-License-Identifier: MIT */
/*
 * meshbench.c - the "mesh C" client of tests/bench/run-server.sh: the
 * workload of bench.mjs driven through our own client library (libclient,
 * client.h), so that meshroomd is also measured with a client that costs
 * little CPU.
 *
 *   meshbench MODE --port P [--pid PID] [--secret S] [--clients C]
 *             [--edits E] [--rate R] [--docs N] [--room NAME]
 *     MODE  burst   every client makes its E edits as fast as one thread
 *                   can make them; time until every client has every edit
 *           paced   the C*E edits spread evenly at R edits/s in total,
 *                   round-robin over the clients; delivery latency (edit
 *                   made -> seen by each other client), p50 and p99
 *           memory  RSS of the server (--pid) after N clients opened one
 *                   small document each and left it idle for 8 s, minus
 *                   the RSS with one such client, / N
 *
 * All C clients live in this one process: one struct room_client (one
 * WebSocket, one network thread of libclient) each, all with the same
 * document open (room_doc_open).  One thread makes the edits.  An edit is
 * the Yjs operation of bench.mjs: one transaction appending a <p> element
 * with a "$id" (a UUID v4, as MeshDocument sets it) and class "e<id>" to
 * the <body> of an html document created from the same initial JSON.
 *
 * Seeing edits: every replica has a change listener (room_doc_listen) that
 * reads each editor's clock in the replica (y_doc_client_state) and
 * compares it with the one it saw last.  Edits are made in this process, so the editing thread logs, per
 * client, the Yjs clock of each <p> it inserted: a remote client whose
 * clock moved from b to a brought exactly the logged edits with a clock in
 * [b, a).  That costs O(clients + new edits) per change, never a walk of
 * the document.  Latencies use CLOCK_MONOTONIC: made = when the edit call
 * starts, seen = when the listener runs.  At the end every replica's body
 * is checked to hold every edit exactly once (convergence).
 *
 * Output: "key value" lines with the keys of bench.mjs (burst_ms, p50_ms,
 * p99_ms, max_ms, paced_rate, client_cpu_ms = this process's user+sys
 * from the first edit until every client has every edit, ...).  Errors go
 * to stderr with exit status 1.  Not part of make check: built on demand
 * with `make tests/bench/server/meshbench` (tests/bench/bench.mk).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "client.h"
#include "util.h"
#include "yjs.h"

/* Give up when not every client has every edit this long after the last
 * edit was made (as bench.mjs). */
#define BENCH_WAIT_MS 180000

struct bench_opts {
	const char *mode;
	int port;
	long pid;
	const char *secret;
	int clients;
	int edits;
	double rate;
	int docs;
	const char *room;
};

/* The edits one client made: the clock of each <p> item, in clock order. */
struct bench_log {
	uint64_t *clock;
	int *id;
	_Atomic size_t n; /* published entries (release/acquire) */
};

struct bench_replica {
	int idx;
	struct room_client *c;
	struct room_doc *d;
	uint64_t yclient; /* Yjs client id of this replica's own edits */
	/* touched only by this client's network thread while editing */
	uint64_t *last; /* per editor: its clock in the state vector seen */
	uint64_t *clocks; /* scratch of the listener: the editors' clocks */
	uint8_t *seen; /* per edit id */
	double *lat; /* latencies (paced) */
	size_t nlat;
	int count;
	double done_at;
	_Atomic long changes; /* listener calls that ran */
};

/* Client ids of the editors, sorted, to find two that are the same. */
struct bench_editor {
	uint64_t yclient;
	int idx;
};

static struct bench_opts opt = {
	.clients = 50,
	.edits = 100,
	.rate = 500,
	.docs = 300,
	.room = "bench",
};
static struct bench_replica *reps;
static struct bench_log *logs;
static struct bench_editor *editors;
static double *sent_at; /* per edit id, written before the edit is logged */
static int n_edits; /* C * E */
static int want; /* edits each client must see: those of the others */
static atomic_bool armed;
static bool paced;

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond;
static int ndone;

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "meshbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("out of memory");
	return p;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - ts.tv_sec * 1e3) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* ---- options --------------------------------------------------------- */

static long parse_num(const char *name, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("--%s: '%s' is not a number in [%ld, %ld]", name, s, min,
		    max);
	return v;
}

static void parse_args(int argc, char **argv)
{
	int i;

	if (argc < 2)
		die("usage: meshbench burst|paced|memory --port P [--pid PID] "
		    "[--secret S] [--clients C] [--edits E] [--rate R] "
		    "[--docs N] [--room NAME]");
	opt.mode = argv[1];
	if (strcmp(opt.mode, "burst") && strcmp(opt.mode, "paced") &&
	    strcmp(opt.mode, "memory"))
		die("unknown mode %s (burst, paced or memory)", opt.mode);
	for (i = 2; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			die("%s: missing value", k);
		if (!strcmp(k, "--port"))
			opt.port = (int)parse_num("port", v, 1, 65535);
		else if (!strcmp(k, "--pid"))
			opt.pid = parse_num("pid", v, 0, LONG_MAX);
		else if (!strcmp(k, "--secret"))
			opt.secret = v;
		else if (!strcmp(k, "--clients"))
			opt.clients = (int)parse_num("clients", v, 2, 10000);
		else if (!strcmp(k, "--edits"))
			opt.edits = (int)parse_num("edits", v, 1, 100000);
		else if (!strcmp(k, "--rate"))
			opt.rate = (double)parse_num("rate", v, 1, 10000000);
		else if (!strcmp(k, "--docs"))
			opt.docs = (int)parse_num("docs", v, 1, 100000);
		else if (!strcmp(k, "--room"))
			opt.room = v;
		else
			die("unknown option %s", k);
	}
	if (!opt.port)
		die("--port is required");
	if ((long)opt.clients * opt.edits > 10000000)
		die("--clients x --edits is too large");
}

/* ---- connecting --------------------------------------------------------- */

static struct room_target target;

static void resolve_target(void)
{
	struct util_error err = { 0 };
	char url[64];
	int e;

	/* the token is minted from the secret, whatever the environment says */
	if (opt.secret) {
		unsetenv("MESHAGENT_TOKEN");
		unsetenv("MESHAGENT_API_KEY");
		setenv("MESHAGENT_SECRET", opt.secret, 1);
	}
	setenv("MESHAGENT_PARTICIPANT_NAME", "meshbench", 1);
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d", opt.port);
	e = room_target_resolve(&target, url, opt.room, NULL, NULL, &err);
	if (e < 0)
		die("%s: %s", url, err.msg[0] ? err.msg : strerror(-e));
}

static struct room_client *connect_client(void)
{
	struct util_error err = { 0 };
	struct room_config cfg;
	struct room_client *c;
	int e;

	room_config_init(&cfg);
	cfg.url = target.url;
	cfg.token = target.token;
	cfg.no_reconnect = true; /* a lost connection spoils the figures */
	e = room_client_connect(&c, &cfg, &err);
	if (e < 0)
		die("connect %s: %s", target.url,
		    err.msg[0] ? err.msg : strerror(-e));
	return c;
}

/* INITIAL(n) of bench.mjs: an html body with n p elements. */
static char *initial_json(int n)
{
	struct util_buf b;
	uint8_t *out;
	size_t len;
	int i;

	util_buf_init(&b);
	util_buf_put_str(&b,
			 "{\"html\":{\"children\":[{\"body\":{\"children\":[");
	for (i = 0; i < n; i++)
		util_buf_printf(&b, "%s{\"p\":{\"class\":\"init%d\"}}",
				i ? "," : "", i);
	util_buf_put_str(&b, "]}}]}}");
	util_buf_put_u8(&b, 0);
	if (util_buf_steal(&out, &len, &b) < 0)
		die("out of memory");
	return (char *)out;
}

/* Creates path from INITIAL(n) (when missing) and opens it on c. */
static struct room_doc *open_doc(struct room_client *c, const char *path, int n,
				 bool create)
{
	struct util_error err = { 0 };
	struct room_doc *d;
	char *json;
	int e;

	if (create) {
		json = initial_json(n);
		e = room_sync_create(c, path, json, NULL, &err);
		free(json);
		if (e < 0 && e != -EEXIST)
			die("sync.create %s: %s", path,
			    err.msg[0] ? err.msg : strerror(-e));
	}
	e = room_doc_open(&d, c, path, false, &err);
	if (e < 0)
		die("sync.open %s: %s", path,
		    err.msg[0] ? err.msg : strerror(-e));
	return d;
}

/* The <body> element of an html replica (the root "xml" is <html>). */
static struct y_type *body_of(struct y_doc *y)
{
	struct y_type *root;
	struct y_value v;

	if (y_doc_root(&root, y, "xml", Y_XML_ELEMENT) < 0 ||
	    y_list_get(&v, root, 0) < 0 || v.kind != Y_VALUE_TYPE ||
	    y_type_kind(v.type) != Y_XML_ELEMENT ||
	    strcmp(y_type_name(v.type), "body"))
		return NULL;
	return v.type;
}

/* ---- seeing edits (network threads) ----------------------------------- */

static int editor_cmp(const void *a, const void *b)
{
	const struct bench_editor *x = a, *y = b;

	return x->yclient < y->yclient ? -1 : x->yclient > y->yclient;
}

static void seen_edit(struct bench_replica *r, int id, double t)
{
	if (r->seen[id])
		return;
	r->seen[id] = 1;
	if (paced)
		r->lat[r->nlat++] = t - sent_at[id];
	if (++r->count == want) {
		r->done_at = t;
		pthread_mutex_lock(&done_lock);
		ndone++;
		pthread_cond_broadcast(&done_cond);
		pthread_mutex_unlock(&done_lock);
	}
}

/* The edits of editor k with a clock in [from, to). */
static void seen_range(struct bench_replica *r, int k, uint64_t from,
		       uint64_t to, double t)
{
	struct bench_log *l = &logs[k];
	size_t n = atomic_load_explicit(&l->n, memory_order_acquire);
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->clock[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && l->clock[lo] < to; lo++)
		seen_edit(r, l->id[lo], t);
}

static void on_change(void *ctx, struct room_doc *d)
{
	struct bench_replica *r = ctx;
	uint64_t *now = r->clocks;
	struct y_doc *y;
	double t = now_ms();
	int k;

	if (!atomic_load_explicit(&armed, memory_order_acquire))
		return;
	atomic_fetch_add_explicit(&r->changes, 1, memory_order_relaxed);
	/* the editors' clocks in this replica, under its lock; the logs are
	 * read after it is released */
	y = room_doc_lock(d);
	for (k = 0; k < opt.clients; k++)
		now[k] = y_doc_client_state(y, reps[k].yclient);
	room_doc_unlock(d);
	for (k = 0; k < opt.clients; k++) {
		if (k == r->idx || now[k] <= r->last[k])
			continue;
		seen_range(r, k, r->last[k], now[k], t);
		r->last[k] = now[k];
	}
}

/* ---- making edits (the editing thread) -------------------------------- */

static int set_attr(struct y_type *el, const char *key, const char *val)
{
	struct y_any a;
	int e;

	e = y_any_init_string(&a, val, strlen(val));
	if (e == 0)
		e = y_map_set(el, key, strlen(key), &a);
	y_any_clear(&a);
	return e;
}

/* Edit j of the schedule: client j % C makes its (j / C)th edit. */
static void make_edit(int j)
{
	int ci = j % opt.clients, seq = j / opt.clients;
	int id = ci * opt.edits + seq;
	struct bench_replica *r = &reps[ci];
	struct bench_log *l = &logs[ci];
	size_t n = atomic_load_explicit(&l->n, memory_order_relaxed);
	char uuid[UTIL_UUID_STR_LEN], cls[16];
	struct y_type *body, *p = NULL;
	struct y_id pid = { 0 };
	struct y_doc *y;
	int e;

	sent_at[id] = now_ms();
	snprintf(cls, sizeof(cls), "e%d", id);
	e = util_uuid_v4(uuid);
	y = room_doc_lock(r->d);
	body = body_of(y);
	if (e == 0 && !body)
		e = -ENOENT;
	if (e == 0)
		e = y_doc_transact_begin(y, NULL);
	if (e == 0) {
		e = y_list_insert_type(&p, body, y_type_len(body),
				       Y_XML_ELEMENT, "p");
		if (e == 0)
			e = y_type_id(&pid, p);
		if (e == 0 && pid.client != r->yclient)
			e = -ESTALE; /* the replica was rebuilt */
		/*
		 * Logged before the transaction ends: libclient queues (and
		 * its network thread may send) the update as it ends, and a
		 * replica that sees the clock before the log holds it would
		 * never count this edit.
		 */
		if (e == 0) {
			l->clock[n] = pid.clock;
			l->id[n] = id;
			atomic_store_explicit(&l->n, n + 1,
					      memory_order_release);
		}
		if (e == 0)
			e = set_attr(p, "$id", uuid);
		if (e == 0)
			e = set_attr(p, "class", cls);
		y_doc_transact_end(y);
	}
	room_doc_unlock(r->d);
	if (e < 0)
		die("client %d: edit %d failed: %s", ci, id, strerror(-e));
}

/* ---- the modes --------------------------------------------------------- */

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double q)
{
	size_t i = (size_t)(q * n);

	return sorted[i < n ? i : n - 1];
}

/* Every replica's body holds every edit exactly once; returns how many
 * replicas do, or dies saying which does not. */
static int verify(void)
{
	uint8_t *have = xcalloc(n_edits, 1);
	struct y_list_iter it;
	struct y_value v, cls;
	struct y_type *body;
	int i, got, id;
	char *end;

	for (i = 0; i < opt.clients; i++) {
		memset(have, 0, n_edits);
		got = 0;
		body = body_of(room_doc_lock(reps[i].d));
		if (!body)
			die("client %d: the replica has no body", i);
		y_list_iter_init(&it, body);
		while (y_list_iter_next(&it, &v)) {
			if (v.kind != Y_VALUE_TYPE ||
			    y_map_get(&cls, v.type, "class", 5) < 0 ||
			    cls.kind != Y_VALUE_ANY ||
			    cls.any->kind != Y_ANY_STRING ||
			    cls.any->str.ptr[0] != 'e')
				die("client %d: an element of the body is not "
				    "an edit",
				    i);
			id = (int)strtol(cls.any->str.ptr + 1, &end, 10);
			if (*end || id < 0 || id >= n_edits || have[id])
				die("client %d: edit %s is unknown or twice", i,
				    cls.any->str.ptr);
			have[id] = 1;
			got++;
		}
		room_doc_unlock(reps[i].d);
		if (got != n_edits)
			die("client %d: the body holds %d of the %d edits", i,
			    got, n_edits);
	}
	free(have);
	return opt.clients;
}

static void editing(void)
{
	int C = opt.clients, E = opt.edits, i, j;
	struct timespec deadline;
	char path[96];
	double t0, cpu0, cpu, wall, *all;
	size_t nall = 0;
	long changes = 0;
	pthread_condattr_t ca;
	int e = 0;

	n_edits = C * E;
	want = n_edits - E;
	reps = xcalloc(C, sizeof(*reps));
	logs = xcalloc(C, sizeof(*logs));
	editors = xcalloc(C, sizeof(*editors));
	sent_at = xcalloc(n_edits, sizeof(*sent_at));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&done_cond, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(path, sizeof(path), "%s-%" PRId64 ".html", opt.mode,
		 util_time_ms());

	for (i = 0; i < C; i++) {
		struct bench_replica *r = &reps[i];

		r->idx = i;
		r->last = xcalloc(C, sizeof(*r->last));
		r->clocks = xcalloc(C, sizeof(*r->clocks));
		r->seen = xcalloc(n_edits, 1);
		if (paced)
			r->lat = xcalloc(n_edits, sizeof(*r->lat));
		logs[i].clock = xcalloc(E, sizeof(*logs[i].clock));
		logs[i].id = xcalloc(E, sizeof(*logs[i].id));
		r->c = connect_client();
		r->d = open_doc(r->c, path, 0, i == 0);
		if (room_doc_listen(r->d, on_change, r) < 0)
			die("room_doc_listen failed");
	}
	sleep_ms(500);
	for (i = 0; i < C; i++) {
		struct y_doc *y = room_doc_lock(reps[i].d);

		reps[i].yclient = y_doc_client_id(y);
		if (!body_of(y))
			e = -ENOENT;
		room_doc_unlock(reps[i].d);
		if (e < 0)
			die("client %d: the document has no html body", i);
		editors[i].yclient = reps[i].yclient;
		editors[i].idx = i;
	}
	qsort(editors, C, sizeof(*editors), editor_cmp);
	for (i = 1; i < C; i++)
		if (editors[i].yclient == editors[i - 1].yclient)
			die("two replicas drew the same Yjs client id: rerun");
	atomic_store_explicit(&armed, true, memory_order_release);

	cpu0 = cpu_ms();
	t0 = now_ms();
	if (!paced) {
		for (j = 0; j < n_edits; j++)
			make_edit(j);
	} else {
		double step = 1000.0 / opt.rate;
		int due;

		j = 0;
		while (j < n_edits) {
			due = (int)((now_ms() - t0) / step) + 1;
			if (due > n_edits)
				due = n_edits;
			while (j < due)
				make_edit(j++);
			if (j < n_edits)
				sleep_ms(1);
		}
		printf("paced_rate %.0f\n", n_edits / ((now_ms() - t0) / 1e3));
	}

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += BENCH_WAIT_MS / 1000;
	pthread_mutex_lock(&done_lock);
	while (ndone < C && e != ETIMEDOUT)
		e = pthread_cond_timedwait(&done_cond, &done_lock, &deadline);
	pthread_mutex_unlock(&done_lock);
	cpu = cpu_ms() - cpu0;
	if (e == ETIMEDOUT) {
		int least = want, li = 0;
		uint64_t len;
		struct y_type *body;

		/* the network threads may still write: an estimate */
		for (i = 0; i < C; i++)
			if (reps[i].count < least) {
				least = reps[i].count;
				li = i;
			}
		/* lost on the way, or missed here? */
		body = body_of(room_doc_lock(reps[li].d));
		len = body ? y_type_len(body) : 0;
		room_doc_unlock(reps[li].d);
		die("%s: timeout (%d ms after the last edit): every client to "
		    "see every edit; least seen %d/%d (client %d, whose body "
		    "holds %" PRIu64 " of the %d edits)",
		    opt.mode, BENCH_WAIT_MS, least, want, li, len, n_edits);
	}

	wall = 0;
	for (i = 0; i < C; i++) {
		if (reps[i].done_at - t0 > wall)
			wall = reps[i].done_at - t0;
		changes += atomic_load(&reps[i].changes);
	}
	printf("clients %d\nedits %d\nclient_cpu_ms %.0f\nupdates_in %ld\n", C,
	       n_edits, cpu, changes);
	if (!paced) {
		printf("burst_ms %.1f\n", wall);
	} else {
		all = xcalloc((size_t)C * n_edits, sizeof(*all));
		for (i = 0; i < C; i++) {
			memcpy(all + nall, reps[i].lat,
			       reps[i].nlat * sizeof(*all));
			nall += reps[i].nlat;
		}
		qsort(all, nall, sizeof(*all), dbl_cmp);
		printf("p50_ms %.2f\np99_ms %.2f\nmax_ms %.2f\n",
		       quantile(all, nall, 0.5), quantile(all, nall, 0.99),
		       all[nall - 1]);
		free(all);
	}
	printf("converged_clients %d\n", verify());
	fflush(stdout);

	for (i = 0; i < C; i++) {
		room_doc_close(reps[i].d);
		room_client_close(reps[i].c);
	}
}

static long rss_kib(void)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", opt.pid);
	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	if (v < 0)
		die("%s: no VmRSS", path);
	return v;
}

static void memory(void)
{
	struct room_client **cs = xcalloc(opt.docs + 1, sizeof(*cs));
	struct room_doc **ds = xcalloc(opt.docs + 1, sizeof(*ds));
	char path[64];
	long base, rss;
	int i;

	if (!opt.pid)
		die("memory: --pid (the server's) is required");
	cs[0] = connect_client();
	ds[0] = open_doc(cs[0], "warm.html", 10, true);
	sleep_ms(2500);
	base = rss_kib();
	for (i = 1; i <= opt.docs; i++) {
		snprintf(path, sizeof(path), "m/doc%d.html", i - 1);
		cs[i] = connect_client();
		ds[i] = open_doc(cs[i], path, 10, true);
	}
	/* idle means idle for a while: meshroomd frees a document's shadow
	 * replica 2 s after its last use and its live replica after 3 s */
	sleep_ms(8000);
	rss = rss_kib();
	printf("docs %d\nbase_rss_kib %ld\nrss_kib %ld\nper_doc_kib %.1f\n",
	       opt.docs, base, rss, (double)(rss - base) / opt.docs);
	fflush(stdout);
	for (i = 0; i <= opt.docs; i++) {
		room_doc_close(ds[i]);
		room_client_close(cs[i]);
	}
	free(ds);
	free(cs);
}

int main(int argc, char **argv)
{
	/*
	 * The C clients stand for 50 processes but share this one, with a
	 * network thread each: glibc would give the threads their own
	 * arenas and grow and trim each heap separately (sysmalloc, page
	 * faults and mprotect were ~15% of this process's CPU).  A real
	 * client process (meshfs, meshctl) has one connection; two arenas
	 * make this process behave like one of those.
	 */
	mallopt(M_ARENA_MAX, 2);
	parse_args(argc, argv);
	util_log_set_prog("meshbench");
	resolve_target();
	if (!strcmp(opt.mode, "burst") || !strcmp(opt.mode, "paced")) {
		paced = !strcmp(opt.mode, "paced");
		editing();
	} else {
		memory();
	}
	room_target_free(&target);
	return 0;
}
