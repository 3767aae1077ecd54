/* SPDX-License-Identifier: MIT */
/*
 * test-docstore.c - the room document store (src/server/docstore.c)
 * without a network: creation and loading, schema resolution order,
 * validated updates (a refused update leaves the document and the other
 * subscribers untouched), fan-out, journal replay and torn tails,
 * compaction, the storage hooks, and crash safety (a child process is
 * killed with SIGKILL while it streams updates; everything it saw
 * acknowledged must be there after a reload).
 *
 * Client edits are made on a plain libyjs replica, the way an SDK would
 * make them, and sent as their v1 update events.  Expected documents are
 * spelled out as JSON, never taken from the code under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "docstore.h"
#include "mesh.h"
#include "tap.h"
#include "yjs.h"

/* ---- a defer queue standing in for srv_defer ----------------------- */

struct deferred {
	void (*fn)(void *);
	void *arg;
	struct deferred *next;
};

static pthread_mutex_t dq_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dq_cond = PTHREAD_COND_INITIALIZER;
static struct deferred *dq_head, *dq_tail;

static int test_defer(void *ctx, void (*fn)(void *), void *arg)
{
	struct deferred *d = malloc(sizeof(*d));

	(void)ctx;
	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->arg = arg;
	d->next = NULL;
	pthread_mutex_lock(&dq_mu);
	if (dq_tail)
		dq_tail->next = d;
	else
		dq_head = d;
	dq_tail = d;
	pthread_cond_signal(&dq_cond);
	pthread_mutex_unlock(&dq_mu);
	return 0;
}

/* Runs deferred calls until *flag is set (or 10 s pass). */
static int pump_until(volatile int *flag)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	while (!*flag) {
		struct deferred *d;

		pthread_mutex_lock(&dq_mu);
		while (!dq_head) {
			if (pthread_cond_timedwait(&dq_cond, &dq_mu, &ts)) {
				pthread_mutex_unlock(&dq_mu);
				return -ETIMEDOUT;
			}
		}
		d = dq_head;
		dq_head = d->next;
		if (!dq_head)
			dq_tail = NULL;
		pthread_mutex_unlock(&dq_mu);
		d->fn(d->arg);
		free(d);
	}
	return 0;
}

/* Runs deferred calls for ms milliseconds. */
static void pump_for(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct deferred *d;

		pthread_mutex_lock(&dq_mu);
		while (!dq_head) {
			if (pthread_cond_timedwait(&dq_cond, &dq_mu, &ts)) {
				pthread_mutex_unlock(&dq_mu);
				return;
			}
		}
		d = dq_head;
		dq_head = d->next;
		if (!dq_head)
			dq_tail = NULL;
		pthread_mutex_unlock(&dq_mu);
		d->fn(d->arg);
		free(d);
	}
}

static void set_flag(void *arg, int err)
{
	int *f = arg;

	*f = err ? err : 1;
}

/* ---- fixtures ------------------------------------------------------- */

static char root[256];
static int dirfd_, statefd;
static struct srv_doc_committer *committer;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	if (len)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static void put_file(const char *rel, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/storage/%s", root, rel);
	f = fopen(path, "wb");
	if (!f)
		bail_out("cannot write %s", path);
	fwrite(data, 1, len, f);
	fclose(f);
}

static const char *srcdir(void)
{
	const char *s = getenv("abs_top_srcdir");

	return s ? s : ".";
}

static char *schema_file(const char *name)
{
	char path[512];
	char *s;

	snprintf(path, sizeof(path), "%s/schemas/%s.json", srcdir(), name);
	s = slurp(path, NULL);
	if (!s)
		bail_out("cannot read %s", path);
	return s;
}

static void setup(void)
{
	char path[512], *html;

	snprintf(root, sizeof(root), "/tmp/test-docstore.XXXXXX");
	if (!mkdtemp(root))
		bail_out("mkdtemp");
	snprintf(path, sizeof(path), "%s/storage", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/storage/.schemas", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/state", root);
	mkdir(path, 0755);
	html = schema_file("html");
	put_file(".schemas/html.json", html, strlen(html));
	free(html);
	snprintf(path, sizeof(path), "%s/storage", root);
	dirfd_ = open(path, O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%s/state", root);
	statefd = open(path, O_RDONLY | O_DIRECTORY);
	if (dirfd_ < 0 || statefd < 0)
		bail_out("open dirs");
}

static struct srv_docstore *new_store(size_t compact_bytes)
{
	struct srv_docstore_config cfg = {
		.dirfd = dirfd_,
		.state_dirfd = statefd,
		.committer = committer,
		.name = "test",
		.compact_bytes = compact_bytes,
	};
	struct srv_docstore *ds = NULL;

	if (srv_docstore_new(&ds, &cfg))
		bail_out("srv_docstore_new");
	return ds;
}

static void barrier(struct srv_docstore *ds)
{
	int flag = 0;

	srv_doc_barrier(ds, set_flag, &flag);
	if (pump_until(&flag))
		bail_out("barrier timed out");
}

/* describe() as compact JSON text */
static char *describe(struct srv_doc *doc)
{
	cJSON *j = NULL;
	char *s;

	if (srv_doc_describe(&j, doc))
		return strdup("(describe failed)");
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static long long file_size(int dfd, const char *rel)
{
	struct stat st;

	if (fstatat(dfd, rel, &st, 0))
		return -1;
	return st.st_size;
}

/* ---- a client replica ----------------------------------------------- */

struct client {
	struct y_doc *doc;
	uint8_t *upd;
	size_t len;
};

static void client_cap(void *ctx, const uint8_t *u, size_t len, bool local,
		       void *origin)
{
	struct client *c = ctx;

	(void)local;
	(void)origin;
	free(c->upd);
	c->upd = malloc(len);
	memcpy(c->upd, u, len);
	c->len = len;
}

static void client_init(struct client *c, struct srv_doc *doc)
{
	uint8_t *st;
	size_t n;

	memset(c, 0, sizeof(*c));
	y_doc_new(&c->doc, NULL);
	if (doc) {
		srv_doc_state(&st, &n, doc, NULL, 0);
		y_doc_apply_update(c->doc, st, n, NULL);
		free(st);
	}
	y_doc_on_update(c->doc, client_cap, c);
}

static void client_free(struct client *c)
{
	y_doc_free(c->doc);
	free(c->upd);
}

static struct y_type *client_root(struct client *c)
{
	struct y_type *r = NULL;

	y_doc_root(&r, c->doc, "xml", Y_XML_ELEMENT);
	return r;
}

/* child i of t */
static struct y_type *child(struct y_type *t, uint64_t i)
{
	struct y_value v;

	if (y_list_get(&v, t, i) || v.kind != Y_VALUE_TYPE)
		return NULL;
	return v.type;
}

static void set_str(struct y_type *t, const char *k, const char *v)
{
	struct y_any a;

	y_any_init_string(&a, v, strlen(v));
	y_map_set(t, k, strlen(k), &a);
	y_any_clear(&a);
}

/* Appends <tag $id=... [class=cls]> to parent in one transaction; the
 * client's update is then c->upd. */
static void add_elem(struct client *c, struct y_type *parent, const char *tag,
		     const char *cls)
{
	struct y_type *e = NULL;
	char id[37];

	mesh_uuid4(id);
	y_doc_transact_begin(c->doc, NULL);
	y_list_insert_type(&e, parent, y_type_len(parent), Y_XML_ELEMENT, tag);
	set_str(e, "$id", id);
	if (cls)
		set_str(e, "class", cls);
	y_doc_transact_end(c->doc);
}

/* ---- subscribers ---------------------------------------------------- */

struct tsub {
	struct srv_doc_sub sub;
	struct client replica;
	int updates, gone;
};

static void tsub_update(struct srv_doc_sub *s, struct srv_doc_update *u)
{
	struct tsub *t = (struct tsub *)s;

	t->updates++;
	y_doc_apply_update(t->replica.doc, u->data, u->len, NULL);
}

static void tsub_gone(struct srv_doc_sub *s)
{
	((struct tsub *)s)->gone++;
}

static void tsub_init(struct tsub *t, struct srv_doc *doc)
{
	memset(t, 0, sizeof(*t));
	t->sub.on_update = tsub_update;
	t->sub.on_gone = tsub_gone;
	client_init(&t->replica, doc);
	srv_doc_subscribe(doc, &t->sub);
}

static char *replica_json(struct client *c, const struct mesh_schema *s)
{
	cJSON *j = NULL;
	char *out;

	if (mesh_doc_to_cjson(&j, c->doc, s, 0))
		return strdup("(render failed)");
	out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

/* apply and wait until durable; returns the apply result */
static int apply_wait(struct srv_doc *doc, struct srv_doc_sub *from,
		      const uint8_t *u, size_t len, struct srv_doc_error *err)
{
	int flag = 0, ret;

	ret = srv_doc_apply(doc, from, u, len, set_flag, &flag, err);
	if (ret)
		return ret;
	if (pump_until(&flag))
		return -ETIMEDOUT;
	return flag == 1 ? 0 : flag;
}

#define HTML_X \
	"{\"html\":{\"children\":[{\"body\":{\"children\":[{\"p\":{\"class\":\"x\"}}]}}]}}"

/* ---- tests ---------------------------------------------------------- */

static void test_create_load(void)
{
	struct srv_docstore *ds = new_store(0);
	struct srv_doc_open_req req = { .path = "a.html" };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL, *doc2 = NULL;
	cJSON *json = cJSON_Parse(HTML_X);
	bool created = true;
	char *s;
	int ret;

	diag("create, describe, reload");
	ret = srv_doc_open(&doc, &created, ds, &req, &err);
	is_int(ret, -ENOENT, "open without create: missing");
	is_int(err.code, 1003, "... code 1003");
	is_str(err.text, "document not found: a.html", "... text");

	req.create = true;
	req.json = json;
	ret = srv_doc_open(&doc, &created, ds, &req, &err);
	is_int(ret, 0, "create with json");
	ok(created, "... created");
	barrier(ds);
	ok(file_size(dirfd_, "a.html") > 0, "state file at the document path");
	ok(file_size(statefd, "docs/a.html.j") > 0,
	   "journal in the state folder");
	s = describe(doc);
	is_str(s, HTML_X, "describe gives the JSON it was built from");
	free(s);
	is_str(mesh_schema_root_tag(srv_doc_schema(doc)), "html",
	       "schema from .schemas/html.json");

	req.exclusive = true;
	ret = srv_doc_open(&doc2, NULL, ds, &req, &err);
	is_int(ret, -EEXIST, "exclusive create of an existing doc");
	is_int(err.code, 1004, "... code 1004");
	req.exclusive = false;

	ret = srv_doc_open(&doc2, &created, ds, &req, &err);
	ok(!ret && doc2 == doc && !created, "second open shares the document");
	srv_doc_put(doc2);
	srv_doc_put(doc);
	barrier(ds);
	is_int(srv_docstore_count(ds), 0, "unloaded after the last put");

	req.create = false;
	req.json = NULL;
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	is_int(ret, 0, "reopen from disk");
	s = describe(doc);
	is_str(s, HTML_X, "... same content");
	free(s);
	srv_doc_put(doc);
	barrier(ds);
	cJSON_Delete(json);
	srv_docstore_free(ds);
}

static void test_schema_resolution(void)
{
	struct srv_docstore *ds = new_store(0);
	struct srv_doc_open_req req = { .create = true };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	char *thread = schema_file("thread");
	cJSON *tj = cJSON_Parse(thread);
	int ret;

	diag("schema resolution order (spec 10)");
	req.path = "noext";
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	ok(ret < 0 && err.code == 1007, "no extension: 1007");
	is_str(err.text, "no schema found for noext", "... text");

	req.path = "x.unknown";
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	ok(ret < 0 && err.code == 1007, "no .schemas file: 1007");
	is_str(err.text, "no schema found for x.unknown", "... text");
	ok(!srv_doc_exists(ds, "x.unknown"), "... nothing created");

	/* explicit schema beats the extension */
	req.path = "t1.html";
	req.schema = tj;
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	is_int(ret, 0, "explicit schema");
	is_str(mesh_schema_root_tag(srv_doc_schema(doc)), "thread",
	       "... explicit schema wins over .schemas/html.json");
	srv_doc_put(doc);
	barrier(ds);

	/* an existing document keeps its schema */
	req.schema = NULL;
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	is_int(ret, 0, "reopen without schema");
	is_str(mesh_schema_root_tag(srv_doc_schema(doc)), "thread",
	       "... the schema it was created with (journal)");
	srv_doc_put(doc);
	barrier(ds);

	/* schema_path beats the extension */
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/storage/my", root);
		mkdir(p, 0755);
		put_file("my/thread-schema.json", thread, strlen(thread));
	}
	req.path = "t2.html";
	req.schema_path = "my/thread-schema.json";
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	is_int(ret, 0, "schema_path");
	is_str(mesh_schema_root_tag(srv_doc_schema(doc)), "thread",
	       "... schema_path wins over .schemas/html.json");
	srv_doc_put(doc);

	req.path = "t3.html";
	req.schema_path = "my/missing.json";
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	ok(ret < 0 && err.code == 1007, "missing schema_path: 1007");

	req.schema_path = NULL;
	req.path = "t4.html";
	{
		cJSON *bad = cJSON_Parse(
			"{\"$root_tag_ref\":\"#/$defs/zz\",\"$defs\":{}}");

		req.schema = bad;
		ret = srv_doc_open(&doc, NULL, ds, &req, &err);
		ok(ret == -EINVAL && err.code == 1002,
		   "invalid explicit schema: 1002");
		diag("%s", err.text);
		cJSON_Delete(bad);
		req.schema = NULL;
	}
	{
		cJSON *badj =
			cJSON_Parse("{\"html\":{\"children\":[{\"div\":{}}]}}");

		req.json = badj;
		ret = srv_doc_open(&doc, NULL, ds, &req, &err);
		ok(ret == -EINVAL && err.code == 1002,
		   "invalid initial json: 1002");
		ok(strstr(err.text, "/html/children/0/div") != NULL,
		   "... with the JSON pointer (%s)", err.text);
		ok(!srv_doc_exists(ds, "t4.html"), "... nothing created");
		cJSON_Delete(badj);
		req.json = NULL;
	}

	/* a state file without a journal (uploaded): resolved by extension */
	{
		size_t n;
		char p[512];
		char *bytes;

		snprintf(p, sizeof(p), "%s/storage/a.html", root);
		bytes = slurp(p, &n);
		put_file("up.html", bytes, n);
		free(bytes);
	}
	req.path = "up.html";
	req.create = false;
	ret = srv_doc_open(&doc, NULL, ds, &req, &err);
	is_int(ret, 0, "uploaded state file opens");
	{
		char *s = describe(doc);

		is_str(s, HTML_X, "... with its content");
		free(s);
	}
	srv_doc_put(doc);
	barrier(ds);
	ok(file_size(statefd, "docs/up.html.j") > 0, "... and gets a journal");

	barrier(ds);
	cJSON_Delete(tj);
	free(thread);
	srv_docstore_free(ds);
}

static void test_updates(void)
{
	struct srv_docstore *ds = new_store(0);
	struct srv_doc_open_req req = { .path = "a.html" };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	struct tsub a, b;
	struct y_type *body, *p;
	char *before, *s, *ra, *rb;
	int ret;

	diag("updates: validation, fan-out, echo");
	if (srv_doc_open(&doc, NULL, ds, &req, &err))
		bail_out("open a.html: %s", err.text);
	tsub_init(&a, doc);
	tsub_init(&b, doc);
	is_int(srv_doc_subscribers(doc), 2, "two subscribers");

	body = child(client_root(&a.replica), 0);
	add_elem(&a.replica, body, "p", "y");
	ret = apply_wait(doc, &a.sub, a.replica.upd, a.replica.len, &err);
	is_int(ret, 0, "valid update accepted");
	s = describe(doc);
	is_str(s,
	       "{\"html\":{\"children\":[{\"body\":{\"children\":[{\"p\":{\"class\":\"x\"}},{\"p\":{\"class\":\"y\"}}]}}]}}",
	       "... applied");
	is_int(a.updates, 0, "... not sent back to its sender");
	is_int(b.updates, 1, "... fanned out to the other subscriber");
	rb = replica_json(&b.replica, srv_doc_schema(doc));
	is_str(rb, s, "... which now has the same document");
	free(rb);
	before = s;

	/* echo: b applies what it got and sends it back as the SDK does */
	ret = apply_wait(doc, &b.sub, a.replica.upd, a.replica.len, &err);
	is_int(ret, 0, "an echo is accepted");
	is_int(a.updates + b.updates, 1, "... and not fanned out again");

	/* schema violations: each refused, document unchanged */
	{
		struct {
			const char *what, *ptr;
			int kind;
		} cases[] = {
			{ "unknown attribute",
			  "/html/children/0/body/children/0/p/foo", 0 },
			{ "wrong value type",
			  "/html/children/0/body/children/0/p/class", 1 },
			{ "unknown tag", "/html/children/0/body/children/2/div",
			  2 },
			{ "tag not allowed here",
			  "/html/children/0/body/children/2/body", 3 },
			{ "attribute on the root", "/html/nope", 4 },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct client c;
			struct y_type *cb, *cp;
			struct y_any num;

			client_init(&c, doc);
			cb = child(client_root(&c), 0);
			cp = child(cb, 0);
			switch (cases[i].kind) {
			case 0:
				set_str(cp, "foo", "bar");
				break;
			case 1:
				y_any_init_number(&num, 5);
				y_map_set(cp, "class", 5, &num);
				break;
			case 2:
				add_elem(&c, cb, "div", NULL);
				break;
			case 3:
				add_elem(&c, cb, "body", NULL);
				break;
			case 4:
				set_str(client_root(&c), "nope", "x");
				break;
			}
			memset(&err, 0, sizeof(err));
			ret = srv_doc_apply(doc, &a.sub, c.upd, c.len, set_flag,
					    NULL, &err);
			ok(ret == -EINVAL, "%s: refused", cases[i].what);
			is_int(err.code, 1002, "... code 1002");
			ok(strstr(err.text, cases[i].ptr) != NULL,
			   "... names %s (%s)", cases[i].ptr, err.text);
			s = describe(doc);
			is_str(s, before, "... document unchanged");
			free(s);
			client_free(&c);
		}
	}
	barrier(ds);
	is_int(a.updates + b.updates, 1, "refused updates reach nobody");

	/* a valid update after refusals still works (shadow rebuilt) */
	p = child(body, 1);
	set_str(p, "class", "z");
	ret = apply_wait(doc, &a.sub, a.replica.upd, a.replica.len, &err);
	is_int(ret, 0, "valid update after refusals accepted");
	rb = replica_json(&b.replica, srv_doc_schema(doc));
	ra = replica_json(&a.replica, srv_doc_schema(doc));
	is_str(rb, ra, "... the other subscriber converged");
	s = describe(doc);
	is_str(s, ra, "... and the server too");
	free(s);
	free(ra);
	free(rb);

	/* malformed bytes */
	ret = srv_doc_apply(doc, &a.sub, (const uint8_t *)"\xff\xff\xff", 3,
			    set_flag, NULL, &err);
	ok(ret == -EBADMSG && err.code == 1002, "malformed update: 1002 (%s)",
	   err.text);

	/* state vector: a client that has everything gets nothing new (the
	 * answer may still carry the delete set, as yjs's does) */
	{
		uint8_t *sv, *st;
		size_t svn, stn;

		y_doc_state_vector(&sv, &svn, a.replica.doc);
		ret = srv_doc_state(&st, &stn, doc, sv, svn);
		free(a.replica.upd);
		a.replica.upd = NULL;
		y_doc_apply_update(a.replica.doc, st, stn, NULL);
		ok(!ret && !a.replica.upd,
		   "state for an up-to-date vector brings nothing new");
		free(st);
		free(sv);
		y_doc_state_vector(&sv, &svn, b.replica.doc);
		free(sv);
	}
	/* a vector from an empty client gets everything */
	{
		struct client e;
		uint8_t *sv, *st;
		size_t svn, stn;
		char *ej;

		client_init(&e, NULL);
		y_doc_state_vector(&sv, &svn, e.doc);
		srv_doc_state(&st, &stn, doc, sv, svn);
		y_doc_apply_update(e.doc, st, stn, NULL);
		ej = replica_json(&e, srv_doc_schema(doc));
		s = describe(doc);
		is_str(ej, s,
		       "state for an empty vector is the whole document");
		free(s);
		free(ej);
		free(st);
		free(sv);
		client_free(&e);
	}

	is_int(srv_docstore_shadows(ds), 1, "an edited document has a shadow");
	pump_for(3500);
	is_int(srv_docstore_shadows(ds), 0, "... freed once idle (memory)");
	p = child(body, 1);
	set_str(p, "class", "w");
	ret = apply_wait(doc, &a.sub, a.replica.upd, a.replica.len, &err);
	is_int(ret, 0, "... and rebuilt for the next update");

	srv_doc_unsubscribe(&a.sub);
	srv_doc_unsubscribe(&b.sub);
	client_free(&a.replica);
	client_free(&b.replica);
	free(before);
	srv_doc_put(doc);
	barrier(ds);
	srv_docstore_free(ds);
}

/* Counts p elements with class "n<i>" for i < want in the document. */
static int count_marks(struct srv_doc *doc, int want)
{
	char *s = describe(doc);
	int n = 0;

	for (int i = 0; i < want; i++) {
		char mark[64];

		snprintf(mark, sizeof(mark), "\"class\":\"n%d\"", i);
		n += strstr(s, mark) != NULL;
	}
	free(s);
	return n;
}

static void test_journal(void)
{
	struct srv_docstore *ds = new_store(0);
	struct srv_doc_open_req req = { .path = "j.html", .create = true };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	struct client c;
	struct y_type *body;
	long long hdr, jsize;
	cJSON *json = cJSON_Parse(
		"{\"html\":{\"children\":[{\"body\":{\"children\":[]}}]}}");
	int fd;

	diag("journal replay, torn tail, compaction");
	req.json = json;
	if (srv_doc_open(&doc, NULL, ds, &req, &err))
		bail_out("create j.html: %s", err.text);
	barrier(ds);
	hdr = file_size(statefd, "docs/j.html.j");
	client_init(&c, doc);
	body = child(client_root(&c), 0);
	for (int i = 0; i < 5; i++) {
		char cls[16];

		snprintf(cls, sizeof(cls), "n%d", i);
		add_elem(&c, body, "p", cls);
		if (apply_wait(doc, NULL, c.upd, c.len, &err))
			bail_out("apply: %s", err.text);
	}
	jsize = file_size(statefd, "docs/j.html.j");
	ok(jsize > hdr, "records appended to the journal (%lld > %lld)", jsize,
	   hdr);

	/* Simulate a crash: copy the files as they are now (state file not
	 * compacted), then reload them under another name. */
	{
		char a[600], b[600], *bytes;
		size_t n;

		snprintf(a, sizeof(a), "%s/storage/j.html", root);
		bytes = slurp(a, &n);
		put_file("k.html", bytes, n);
		free(bytes);
		snprintf(a, sizeof(a), "%s/state/docs/j.html.j", root);
		snprintf(b, sizeof(b), "%s/state/docs/k.html.j", root);
		bytes = slurp(a, &n);
		{
			FILE *f = fopen(b, "wb");

			fwrite(bytes, 1, n, f);
			/* a torn record: a length that promises more */
			fwrite("\0\0\0\x40\x12\x34\x56\x78partial", 1, 15, f);
			fclose(f);
		}
		free(bytes);
	}
	/* The identity in the copied journal names j.html's inode: k.html's
	 * journal must be ignored... so instead give k.html j.html's inode by
	 * renaming j.html over k.html after closing j.html. */
	client_free(&c);
	{
		/* keep j.html's files exactly as they are: no compaction */
		char a[600], b[600];

		snprintf(a, sizeof(a), "%s/storage/j.html", root);
		snprintf(b, sizeof(b), "%s/storage/k.html", root);
		/* j.html's state file (same inode as in the journal header)
		 * becomes k.html's */
		rename(a, b);
		snprintf(a, sizeof(a), "%s/storage/j.html", root);
		fd = open(a, O_WRONLY | O_CREAT,
			  0644); /* j.html: keep a file */
		close(fd);
	}
	req.path = "k.html";
	req.create = false;
	req.json = NULL;
	{
		struct srv_doc *k = NULL;
		int ret = srv_doc_open(&k, NULL, ds, &req, &err);

		is_int(ret, 0, "reload: state file + journal");
		if (!ret) {
			is_int(count_marks(k, 5), 5,
			       "... all 5 journaled updates replayed");
			is_int(file_size(statefd, "docs/k.html.j"), jsize,
			       "... torn tail cut off");
			/* more updates after the cut land after the last good
			 * record */
			client_init(&c, k);
			body = child(client_root(&c), 0);
			add_elem(&c, body, "p", "n5");
			is_int(apply_wait(k, NULL, c.upd, c.len, &err), 0,
			       "... append after the cut");
			client_free(&c);
			srv_doc_put(k); /* compacts, unloads */
			barrier(ds);
			is_int(file_size(statefd, "docs/k.html.j"), hdr,
			       "last put compacts: journal back to its header");
			ret = srv_doc_open(&k, NULL, ds, &req, &err);
			is_int(ret, 0, "reload after compaction");
			if (!ret) {
				is_int(count_marks(k, 6), 6,
				       "... all 6 updates there");
				srv_doc_put(k);
			}
		}
	}
	/* the j.html doc: its state file was swapped underneath it; drop it
	 * through the storage hook as the server would */
	srv_docstore_storage_delete(ds, "j.html", false);
	srv_doc_put(doc);
	ok(file_size(statefd, "docs/j.html.j") < 0,
	   "delete hook removes the journal");

	/* compaction by size */
	{
		struct srv_docstore *small = new_store(200);
		struct srv_doc *d = NULL;
		int ok_all = 1;

		srv_docstore_free(ds);
		ds = small;
		req.path = "c.html";
		req.create = true;
		req.json = json;
		if (srv_doc_open(&d, NULL, ds, &req, &err))
			bail_out("create c.html: %s", err.text);
		client_init(&c, d);
		body = child(client_root(&c), 0);
		for (int i = 0; i < 40; i++) {
			char cls[16];

			snprintf(cls, sizeof(cls), "n%d", i);
			add_elem(&c, body, "p", cls);
			ok_all &= apply_wait(d, NULL, c.upd, c.len, &err) == 0;
		}
		ok(ok_all, "40 updates with compact_bytes=200");
		jsize = file_size(statefd, "docs/c.html.j");
		ok(jsize < hdr + 400, "... journal stays small (%lld bytes)",
		   jsize);
		client_free(&c);
		srv_doc_put(d);
		barrier(ds);
		req.create = false;
		req.json = NULL;
		is_int(srv_doc_open(&d, NULL, ds, &req, &err), 0, "... reload");
		is_int(count_marks(d, 40), 40, "... with all 40 updates");
		srv_doc_put(d);
	}
	barrier(ds);
	cJSON_Delete(json);
	srv_docstore_free(ds);
}

static void test_hooks(void)
{
	struct srv_docstore *ds = new_store(0);
	struct srv_doc_open_req req = { .path = "dir/m.html", .create = true };
	struct srv_doc_error err = { 0 };
	struct srv_doc *doc = NULL;
	cJSON *json = cJSON_Parse(HTML_X);
	char *thread = schema_file("thread");
	cJSON *tj = cJSON_Parse(thread);
	struct tsub a;
	char from[600], to[600];

	diag("storage hooks");
	req.json = NULL;
	req.schema = tj; /* explicit: must survive the move */
	if (srv_doc_open(&doc, NULL, ds, &req, &err))
		bail_out("create: %s", err.text);
	tsub_init(&a, doc);
	srv_doc_put(doc);
	barrier(ds);
	srv_docstore_storage_move(ds, "dir", "dir2", true);
	is_int(a.gone, 1, "move: subscriber told");
	snprintf(from, sizeof(from), "%s/storage/dir", root);
	snprintf(to, sizeof(to), "%s/storage/dir2", root);
	rename(from, to); /* what storage does after the hook */
	ok(file_size(statefd, "docs/dir2.d/m.html.j") > 0,
	   "... journal moved along");
	req.path = "dir2/m.html";
	req.schema = NULL;
	req.create = false;
	is_int(srv_doc_open(&doc, NULL, ds, &req, &err), 0,
	       "reopen at the new path");
	is_str(mesh_schema_root_tag(srv_doc_schema(doc)), "thread",
	       "... with its schema");
	client_free(&a.replica);
	tsub_init(&a, doc);
	srv_doc_put(doc);
	srv_docstore_storage_delete(ds, "dir2", true);
	is_int(a.gone, 1, "delete: subscriber told");
	ok(file_size(statefd, "docs/dir2.d") < 0, "... journals removed");
	client_free(&a.replica);
	cJSON_Delete(json);
	cJSON_Delete(tj);
	free(thread);
	srv_docstore_free(ds);
}

/*
 * Crash safety: a child streams updates and reports each acknowledged one
 * through a pipe; the parent SIGKILLs it at some point, then reloads.
 */
static void test_crash(int round, size_t compact)
{
	int pfd[2], acked = 0, status;
	pid_t pid;
	char name[32], b;

	snprintf(name, sizeof(name), "crash%d.html", round);
	if (pipe(pfd))
		bail_out("pipe");
	pid = fork();
	if (pid == 0) {
		struct srv_docstore *ds;
		struct srv_doc_open_req req = { .path = name, .create = true };
		struct srv_doc_error err;
		struct srv_doc *doc = NULL;
		struct client c;
		struct y_type *body;
		cJSON *json = cJSON_Parse(
			"{\"html\":{\"children\":[{\"body\":{\"children\":[]}}]}}");

		close(pfd[0]);
		dq_head = dq_tail = NULL; /* the parent's, not ours */
		/* a fresh committer: the parent's thread does not exist here */
		srv_doc_committer_new(&committer, test_defer, NULL);
		ds = new_store(compact);
		req.json = json;
		if (srv_doc_open(&doc, NULL, ds, &req, &err))
			_exit(2);
		barrier(ds);
		client_init(&c, doc);
		body = child(client_root(&c), 0);
		for (int i = 0;; i++) {
			char cls[16];

			snprintf(cls, sizeof(cls), "n%d", i);
			add_elem(&c, body, "p", cls);
			if (apply_wait(doc, NULL, c.upd, c.len, &err))
				_exit(3);
			if (write(pfd[1], "x", 1) != 1)
				_exit(4);
		}
	}
	close(pfd[1]);
	while (acked < 30 + round * 17 && read(pfd[0], &b, 1) == 1)
		acked++;
	kill(pid, SIGKILL);
	/* what was acknowledged before the kill landed */
	while (read(pfd[0], &b, 1) == 1)
		acked++;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status),
	   "round %d: child killed after %d acknowledged updates", round,
	   acked);
	{
		struct srv_docstore *ds = new_store(0);
		struct srv_doc_open_req req = { .path = name };
		struct srv_doc_error err;
		struct srv_doc *doc = NULL;
		int ret = srv_doc_open(&doc, NULL, ds, &req, &err);

		is_int(ret, 0, "... reload");
		if (!ret) {
			is_int(count_marks(doc, acked), acked,
			       "... every acknowledged update is there");
			srv_doc_put(doc);
		}
		barrier(ds);
		srv_docstore_free(ds);
	}
}

static void test_cost(void)
{
	struct srv_docstore *ds = new_store(0);
	struct srv_doc_open_req req = { .path = "big.html", .create = true };
	struct srv_doc_error err;
	struct srv_doc *doc = NULL;
	struct client c;
	struct y_type *body;
	struct timespec t0, t1;
	cJSON *json = cJSON_Parse(
		"{\"html\":{\"children\":[{\"body\":{\"children\":[]}}]}}");
	int flag = 0, n = 200;
	uint8_t **upd;
	size_t *lens;
	double ms;

	req.json = json;
	if (srv_doc_open(&doc, NULL, ds, &req, &err))
		bail_out("create big: %s", err.text);
	client_init(&c, doc);
	body = child(client_root(&c), 0);
	/* a document of 2000 elements */
	y_doc_transact_begin(c.doc, NULL);
	for (int i = 0; i < 2000; i++) {
		struct y_type *e = NULL;
		char id[37];

		mesh_uuid4(id);
		y_list_insert_type(&e, body, (uint64_t)i, Y_XML_ELEMENT, "p");
		set_str(e, "$id", id);
		set_str(e, "class", "filler");
	}
	y_doc_transact_end(c.doc);
	apply_wait(doc, NULL, c.upd, c.len, &err);
	/* the client's edits first, so that only the server side is timed */
	upd = calloc((size_t)n, sizeof(*upd));
	lens = calloc((size_t)n, sizeof(*lens));
	for (int i = 0; i < n; i++) {
		set_str(child(body, (uint64_t)i), "class", "edited");
		upd[i] = c.upd;
		lens[i] = c.len;
		c.upd = NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		srv_doc_apply(doc, NULL, upd[i], lens[i],
			      i == n - 1 ? set_flag : NULL, &flag, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	diag("server cost of an update on a 2000-element document: %.3f ms (apply to the shadow + level R validation + queueing)",
	     ms / n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 20; i++) {
		struct mesh_diag d;

		mesh_diag_init(&d);
		mesh_doc_validate(&d, srv_doc_ydoc(doc), srv_doc_schema(doc));
		mesh_diag_free(&d);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	diag("... of which the validation walk: %.3f ms", ms / 20);
	for (int i = 0; i < n; i++)
		free(upd[i]);
	free(upd);
	free(lens);
	pump_until(&flag);
	ok(flag == 1, "%d edits on a 2000-element document accepted", n);
	client_free(&c);
	srv_doc_put(doc);
	barrier(ds);
	cJSON_Delete(json);
	srv_docstore_free(ds);
}

int main(void)
{
	plan_no_plan();
	setup();
	if (srv_doc_committer_new(&committer, test_defer, NULL))
		bail_out("committer");
	test_create_load();
	test_schema_resolution();
	test_updates();
	test_journal();
	test_hooks();
	for (int r = 0; r < 3; r++)
		test_crash(r, r == 0 ? 0 : 300);
	test_cost();
	srv_doc_committer_free(committer);
	if (!getenv("KEEP_TMP")) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			diag("cleanup failed");
	}
	return done_testing();
}
