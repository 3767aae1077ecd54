// SPDX-License-Identifier: MIT
/*
 * ydiff.c - differential test driver: libyjs replicas mirror the yjs
 * replicas of the scenarios written by gen.mjs (spec/yjs.md 16.2, mirror
 * mode).
 *
 * Each C replica executes the same local operations as its yjs twin and
 * receives the same deliveries, made of its own (C-produced) bytes.  After
 * every step the driver compares with yjs: the update events of the step
 * (bytes and local flag), the diff bytes of sync steps, the state vector,
 * the full state, the pending flag and the views.  At the end of a case the
 * final states are fed to fresh C documents as well (yjs -> C cross-apply).
 *
 * usage: ydiff [-q] [-k] [--tap] [--max-report N] [--emit-c FILE] SCENARIO
 *   -k            keep going after a mismatch inside a case (continue with
 *                 the C bytes; with --emit-c this lets crosscheck.mjs show
 *                 whether yjs accepts them)
 *   --tap         print one TAP line per category
 *   --emit-c FILE write C's local updates and final states per case (JSON
 *                 lines) for the C -> yjs cross-apply check (crosscheck.mjs)
 * Exit status 0 when every case matched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yjs.h"

#define MAX_REPLICAS 8
#define MAX_CATS 16

struct bytes {
	uint8_t *p;
	size_t len;
};

struct event {
	struct bytes u;
	bool local;
};

struct replica {
	struct y_doc *doc;
	uint64_t client;
	struct bytes *log; /* local updates, in order */
	size_t nlog;
	struct event *ev; /* events of the current step */
	size_t nev;
};

struct root_decl {
	char *name;
	enum y_kind kind;
};

struct cat_stat {
	char name[32];
	int cases;
	int failed;
};

static struct {
	bool quiet, keep_going, tap;
	int max_report;
	FILE *emit_c;
} opt = { .max_report = 3 };

static struct {
	long long seed;
	char cat[32];
	struct replica rep[MAX_REPLICAS];
	size_t nrep;
	struct root_decl roots[8];
	size_t nroots;
	bool failed; /* a mismatch was found in this case */
	bool active;
	long step;
	size_t cat_idx;
} cs;

static struct cat_stat cats[MAX_CATS];
static size_t ncats;
static int total_cases, failed_cases, reported;

/* ---- small helpers ------------------------------------------------------- */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ydiff: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static const struct y_any *get(const struct y_any *o, const char *key)
{
	if (!o || o->kind != Y_ANY_OBJECT)
		return NULL;
	return y_any_object_get(o, key, strlen(key));
}

static long long get_int(const struct y_any *o, const char *key)
{
	const struct y_any *v = get(o, key);

	if (!v || v->kind != Y_ANY_NUMBER)
		die("missing number '%s' (case %lld)", key, cs.seed);
	return (long long)v->num;
}

static const char *get_str(const struct y_any *o, const char *key)
{
	const struct y_any *v = get(o, key);

	if (!v || v->kind != Y_ANY_STRING)
		die("missing string '%s' (case %lld)", key, cs.seed);
	return v->str.ptr;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static struct bytes unhex(const char *h)
{
	size_t n = strlen(h) / 2, i;
	struct bytes b = { malloc(n + 1), n };

	if (!b.p)
		die("out of memory");
	for (i = 0; i < n; i++)
		b.p[i] = hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]);
	return b;
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static bool same(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (!al || !memcmp(a, b, al));
}

static void dump(const char *label, const uint8_t *p, size_t n)
{
	struct y_error err = { 0 };
	char *text;
	size_t len;

	printf("#   %s (%zu bytes): ", label, n);
	print_hex(stdout, p, n);
	printf("\n");
	if (y_update_dump(&text, &len, p, n, &err)) {
		printf("#     (y_update_dump: %s at %zu)\n", err.msg,
		       err.offset);
		return;
	}
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		printf("#     %s\n", l);
	free(text);
}

/* Reports a mismatch; returns false so callers can `return fail(...)`. */
static bool fail(const char *fmt, ...)
{
	va_list ap;

	if (!cs.failed) {
		failed_cases++;
		cats[cs.cat_idx].failed++;
	}
	cs.failed = true;
	if (opt.quiet || reported >= opt.max_report * 8)
		return false;
	reported++;
	va_start(ap, fmt);
	printf("# MISMATCH case %lld (%s) step %ld: ", cs.seed, cs.cat,
	       cs.step);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	return false;
}

static bool cmp_bytes(const char *what, const uint8_t *c, size_t cl,
		      const uint8_t *js, size_t jl)
{
	if (same(c, cl, js, jl))
		return true;
	{
		size_t i = 0;

		while (i < cl && i < jl && c[i] == js[i])
			i++;
		fail("%s differs (first difference at byte %zu of %zu/%zu)",
		     what, i, cl, jl);
	}
	if (!opt.quiet && reported <= opt.max_report * 8) {
		dump("libyjs", c, cl);
		dump("yjs", js, jl);
	}
	return false;
}

static char *json_of(const struct y_any *v)
{
	char *s;
	size_t n;

	if (y_any_to_json(&s, &n, v))
		return strdup("(unprintable)");
	return s;
}

/* ---- values on the wire (gen.mjs tags) ----------------------------------- */

static int from_wire(struct y_any *out, const struct y_any *w)
{
	const struct y_any *t;
	size_t i;
	int rc;

	if (w->kind == Y_ANY_ARRAY) {
		y_any_init_array(out);
		for (i = 0; i < w->arr.len; i++) {
			struct y_any v;

			rc = from_wire(&v, &w->arr.items[i]);
			if (!rc)
				rc = y_any_array_push(out, &v);
			y_any_clear(&v);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (w->kind != Y_ANY_OBJECT)
		return y_any_copy(out, w);
	t = get(w, "$t");
	if (t && t->kind == Y_ANY_STRING) {
		const char *s = t->str.ptr;

		if (!strcmp(s, "undef"))
			y_any_init_undefined(out);
		else if (!strcmp(s, "nan"))
			y_any_init_number(out, __builtin_nan(""));
		else if (!strcmp(s, "inf"))
			y_any_init_number(out, __builtin_inf());
		else if (!strcmp(s, "-inf"))
			y_any_init_number(out, -__builtin_inf());
		else if (!strcmp(s, "-0"))
			y_any_init_number(out, -0.0);
		else if (!strcmp(s, "big"))
			y_any_init_bigint(out,
					  strtoll(get_str(w, "v"), NULL, 10));
		else if (!strcmp(s, "bytes")) {
			struct bytes b = unhex(get_str(w, "v"));

			rc = y_any_init_bytes(out, b.p, b.len);
			free(b.p);
			return rc;
		} else
			die("unknown tag %s", s);
		return 0;
	}
	y_any_init_object(out);
	for (i = 0; i < w->obj.len; i++) {
		struct y_any v;

		rc = from_wire(&v, &w->obj.entries[i].val);
		if (!rc)
			rc = y_any_object_set(out, w->obj.entries[i].key,
					      w->obj.entries[i].key_len, &v);
		y_any_clear(&v);
		if (rc)
			return rc;
	}
	return 0;
}

static enum y_kind kind_of(const char *s)
{
	if (!strcmp(s, "map"))
		return Y_MAP;
	if (!strcmp(s, "array"))
		return Y_ARRAY;
	if (!strcmp(s, "text"))
		return Y_TEXT;
	if (!strcmp(s, "xmlelement"))
		return Y_XML_ELEMENT;
	if (!strcmp(s, "xmlfragment"))
		return Y_XML_FRAGMENT;
	if (!strcmp(s, "xmltext"))
		return Y_XML_TEXT;
	die("unknown kind %s", s);
	return Y_KIND_UNKNOWN;
}

/* ---- replicas -------------------------------------------------------------- */

static void on_update(void *ctx, const uint8_t *u, size_t len, bool local,
		      void *origin)
{
	struct replica *r = ctx;
	struct bytes b = { malloc(len ? len : 1), len };

	(void)origin;
	if (!b.p)
		die("out of memory");
	memcpy(b.p, u, len);
	r->ev = realloc(r->ev, (r->nev + 1) * sizeof(*r->ev));
	r->ev[r->nev].u = b;
	r->ev[r->nev].local = local;
	r->nev++;
	if (local) {
		struct bytes c = { malloc(len ? len : 1), len };

		memcpy(c.p, u, len);
		r->log = realloc(r->log, (r->nlog + 1) * sizeof(*r->log));
		r->log[r->nlog++] = c;
	}
}

static void clear_events(struct replica *r)
{
	size_t i;

	for (i = 0; i < r->nev; i++)
		free(r->ev[i].u.p);
	r->nev = 0;
}

static void end_case(void)
{
	size_t i, j;

	for (i = 0; i < cs.nrep; i++) {
		struct replica *r = &cs.rep[i];

		clear_events(r);
		free(r->ev);
		for (j = 0; j < r->nlog; j++)
			free(r->log[j].p);
		free(r->log);
		y_doc_free(r->doc);
		memset(r, 0, sizeof(*r));
	}
	for (i = 0; i < cs.nroots; i++)
		free(cs.roots[i].name);
	cs.nrep = cs.nroots = 0;
	cs.active = false;
}

static struct y_doc *new_doc(uint64_t client)
{
	struct y_doc_options o = { .client_id = client };
	struct y_type *t;
	struct y_doc *d;
	size_t i;

	if (y_doc_new(&d, &o))
		die("y_doc_new failed");
	for (i = 0; i < cs.nroots; i++)
		if (y_doc_root(&t, d, cs.roots[i].name, cs.roots[i].kind))
			die("y_doc_root(%s) failed", cs.roots[i].name);
	return d;
}

static void start_case(const struct y_any *h)
{
	const struct y_any *cl = get(h, "clients"), *roots = get(h, "roots");
	size_t i;

	cs.seed = get_int(h, "case");
	snprintf(cs.cat, sizeof(cs.cat), "%s", get_str(h, "cat"));
	cs.failed = false;
	cs.active = true;
	cs.step = -1;
	if (!roots || roots->kind != Y_ANY_ARRAY || roots->arr.len > 8)
		die("bad roots");
	cs.nroots = roots->arr.len;
	for (i = 0; i < cs.nroots; i++) {
		const struct y_any *p = &roots->arr.items[i];

		cs.roots[i].name = strdup(p->arr.items[0].str.ptr);
		cs.roots[i].kind = kind_of(p->arr.items[1].str.ptr);
	}
	if (!cl || cl->kind != Y_ANY_ARRAY || cl->arr.len > MAX_REPLICAS)
		die("bad clients");
	cs.nrep = cl->arr.len;
	for (i = 0; i < cs.nrep; i++) {
		struct replica *r = &cs.rep[i];

		r->client = (uint64_t)cl->arr.items[i].num;
		r->doc = new_doc(r->client);
		if (y_doc_on_update(r->doc, on_update, r) <= 0)
			die("y_doc_on_update failed");
	}
	for (i = 0; i < ncats; i++)
		if (!strcmp(cats[i].name, cs.cat))
			break;
	if (i == ncats) {
		if (ncats == MAX_CATS)
			die("too many categories");
		snprintf(cats[ncats++].name, sizeof(cats[0].name), "%s",
			 cs.cat);
	}
	cs.cat_idx = i;
	cats[i].cases++;
	total_cases++;
}

static struct replica *rep_of(const struct y_any *o, const char *key)
{
	long long i = get_int(o, key);

	if (i < 0 || (size_t)i >= cs.nrep)
		die("bad replica index");
	return &cs.rep[i];
}

/* ---- views --------------------------------------------------------------------- */

static int delta_any(struct y_any *out, struct y_type *t)
{
	struct y_delta_op *ops;
	struct y_any obj;
	size_t i, n;
	int rc;

	y_any_init_array(out);
	rc = y_text_delta(&ops, &n, t);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		y_any_init_object(&obj);
		if (ops[i].type) {
			char *j;
			size_t jl;
			struct y_any tj;

			/* nested types render as their toJSON */
			rc = y_type_to_json(&j, &jl, ops[i].type);
			if (!rc) {
				rc = y_any_from_json(&tj, j, jl, NULL);
				free(j);
			}
			if (!rc) {
				y_any_object_set(&obj, "insert", 6, &tj);
				y_any_clear(&tj);
			}
		} else {
			y_any_object_set(&obj, "insert", 6, &ops[i].insert);
		}
		if (ops[i].attrs.kind == Y_ANY_OBJECT)
			y_any_object_set(&obj, "attributes", 10, &ops[i].attrs);
		y_any_array_push(out, &obj);
		y_any_clear(&obj);
	}
	y_delta_free(ops, n);
	return rc;
}

static int type_json_any(struct y_any *out, struct y_type *t)
{
	char *j;
	size_t jl;
	int rc = y_type_to_json(&j, &jl, t);

	if (rc)
		return rc;
	rc = y_any_from_json(out, j, jl, NULL);
	free(j);
	return rc;
}

/* MeshAgent serialize() (spec 9.7). */
static int mesh_any(struct y_any *out, struct y_type *t)
{
	struct y_any el, attrs, children, c, name, d;
	struct y_list_iter it;
	struct y_map_iter mi;
	struct y_value v;
	const char *key, *nn;
	size_t klen;
	int rc = 0;

	y_any_init_object(out);
	if (y_type_kind(t) == Y_XML_TEXT) {
		rc = delta_any(&d, t);
		y_any_init_object(&el);
		y_any_object_set(&el, "delta", 5, &d);
		y_any_object_set(out, "text", 4, &el);
		y_any_clear(&d);
		y_any_clear(&el);
		return rc;
	}
	if (y_type_kind(t) != Y_XML_ELEMENT) {
		rc = type_json_any(&d, t);
		y_any_object_set(out, "value", 5, &d);
		y_any_clear(&d);
		return rc;
	}
	y_any_init_object(&attrs);
	y_map_iter_init(&mi, t);
	while (y_map_iter_next(&mi, &key, &klen, &v)) {
		if (v.kind == Y_VALUE_TYPE) {
			rc = type_json_any(&c, v.type);
			y_any_object_set(&attrs, key, klen, &c);
			y_any_clear(&c);
		} else {
			y_any_object_set(&attrs, key, klen, v.any);
		}
	}
	y_any_init_array(&children);
	y_list_iter_init(&it, t);
	while (!rc && y_list_iter_next(&it, &v)) {
		if (v.kind == Y_VALUE_TYPE) {
			rc = mesh_any(&c, v.type);
		} else {
			y_any_init_object(&c);
			y_any_object_set(&c, "value", 5, v.any);
		}
		y_any_array_push(&children, &c);
		y_any_clear(&c);
	}
	nn = y_type_name(t);
	y_any_init_string(&name, nn ? nn : "", nn ? strlen(nn) : 0);
	y_any_init_object(&el);
	y_any_object_set(&el, "tagName", 7, &name);
	y_any_object_set(&el, "attributes", 10, &attrs);
	y_any_object_set(&el, "children", 8, &children);
	y_any_object_set(out, "element", 7, &el);
	y_any_clear(&name);
	y_any_clear(&attrs);
	y_any_clear(&children);
	y_any_clear(&el);
	return rc;
}

static int views_raw(struct y_any *out, struct y_doc *d);

/*
 * Views as yjs's side sees them: after a JSON round trip (bytes become
 * {"0":..}, bigint a number, undefined members vanish), as gen.mjs does.
 */
static int views_of(struct y_any *out, struct y_doc *d)
{
	struct y_any raw;
	char *j;
	size_t jl;
	int rc = views_raw(&raw, d);

	if (!rc)
		rc = y_any_to_json(&j, &jl, &raw);
	y_any_clear(&raw);
	if (rc) {
		y_any_init_undefined(out);
		return rc;
	}
	rc = y_any_from_json(out, j, jl, NULL);
	free(j);
	return rc;
}

static int views_raw(struct y_any *out, struct y_doc *d)
{
	struct y_type *t;
	struct y_any v;
	size_t i;
	int rc = 0;

	y_any_init_object(out);
	for (i = 0; i < cs.nroots && !rc; i++) {
		rc = y_doc_root(&t, d, cs.roots[i].name, cs.roots[i].kind);
		if (!rc)
			rc = type_json_any(&v, t);
		if (!rc) {
			y_any_object_set(out, cs.roots[i].name,
					 strlen(cs.roots[i].name), &v);
			y_any_clear(&v);
		}
		if (rc)
			break;
		if (!strcmp(cs.roots[i].name, "t") &&
		    cs.roots[i].kind == Y_TEXT) {
			rc = delta_any(&v, t);
			y_any_object_set(out, "delta:t", 7, &v);
			y_any_clear(&v);
		}
		if (!strcmp(cs.roots[i].name, "xml")) {
			rc = mesh_any(&v, t);
			y_any_object_set(out, "mesh:xml", 8, &v);
			y_any_clear(&v);
		}
	}
	return rc;
}

/* ---- comparisons ------------------------------------------------------------------ */

static bool cmp_views(const char *what, struct y_doc *d,
		      const struct y_any *want)
{
	struct y_any got;
	bool eq;
	int rc = views_of(&got, d);

	if (rc) {
		y_any_clear(&got);
		return fail("%s: computing views failed: %s", what,
			    y_strerror(rc));
	}
	eq = y_any_equal(&got, want);
	if (!eq) {
		char *g = json_of(&got), *w = json_of(want);

		fail("%s differ", what);
		if (!opt.quiet && reported <= opt.max_report * 8)
			printf("#   libyjs: %s\n#   yjs:    %s\n", g, w);
		free(g);
		free(w);
	}
	y_any_clear(&got);
	return eq;
}

static bool cmp_state(struct y_doc *d, const struct y_any *st,
		      const char *full_key, const char *views_key)
{
	struct bytes want;
	uint8_t *got;
	size_t gl;
	bool okk = true;
	const struct y_any *pend;

	if (y_doc_state_vector(&got, &gl, d))
		return fail("y_doc_state_vector failed");
	want = unhex(get_str(st, "sv"));
	okk &= cmp_bytes("state vector", got, gl, want.p, want.len);
	free(got);
	free(want.p);

	if (y_doc_encode_state_as_update(&got, &gl, d, NULL, 0, NULL))
		return fail("y_doc_encode_state_as_update failed");
	want = unhex(get_str(st, full_key));
	okk &= cmp_bytes(full_key, got, gl, want.p, want.len);
	free(got);
	free(want.p);

	pend = get(st, "pending");
	if (pend && pend->kind == Y_ANY_BOOL && pend->b != y_doc_has_pending(d))
		okk = fail("pending: libyjs %d, yjs %d", y_doc_has_pending(d),
			   pend->b);
	okk &= cmp_views(views_key, d, get(st, views_key));
	return okk;
}

static bool cmp_events(struct replica *r, const struct y_any *emit)
{
	size_t i;
	bool okk = true;

	if (!emit || emit->kind != Y_ANY_ARRAY)
		die("missing emit");
	if (emit->arr.len != r->nev) {
		fail("number of update events: libyjs %zu, yjs %zu", r->nev,
		     emit->arr.len);
		for (i = 0; i < r->nev && reported <= opt.max_report * 8; i++)
			dump(r->ev[i].local ? "libyjs local event" :
					      "libyjs remote event",
			     r->ev[i].u.p, r->ev[i].u.len);
		for (i = 0; i < emit->arr.len &&
			    reported <= opt.max_report * 8 && !opt.quiet;
		     i++) {
			struct bytes b =
				unhex(emit->arr.items[i].arr.items[0].str.ptr);

			dump(emit->arr.items[i].arr.items[1].b ?
				     "yjs local event" :
				     "yjs remote event",
			     b.p, b.len);
			free(b.p);
		}
		return false;
	}
	for (i = 0; i < r->nev; i++) {
		const struct y_any *e = &emit->arr.items[i];
		struct bytes b = unhex(e->arr.items[0].str.ptr);
		char what[64];

		snprintf(what, sizeof(what), "update event #%zu", i);
		okk &= cmp_bytes(what, r->ev[i].u.p, r->ev[i].u.len, b.p,
				 b.len);
		free(b.p);
		if (r->ev[i].local != e->arr.items[1].b)
			okk = fail("update event #%zu: local libyjs %d, yjs %d",
				   i, r->ev[i].local, e->arr.items[1].b);
	}
	return okk;
}

/* ---- executing operations ----------------------------------------------------------- */

static struct y_type *resolve(struct y_doc *d, const struct y_any *path)
{
	struct y_type *t = NULL;
	struct y_value v;
	size_t i;

	for (i = 0; i < cs.nroots; i++)
		if (!strcmp(cs.roots[i].name, path->arr.items[0].str.ptr))
			y_doc_root(&t, d, cs.roots[i].name, cs.roots[i].kind);
	for (i = 1; t && i < path->arr.len; i++) {
		const struct y_any *p = &path->arr.items[i];
		int rc;

		if (p->kind == Y_ANY_NUMBER)
			rc = y_list_get(&v, t, (uint64_t)p->num);
		else
			rc = y_map_get(&v, t, p->str.ptr, p->str.len);
		if (rc || v.kind != Y_VALUE_TYPE)
			return NULL;
		t = v.type;
	}
	return t;
}

static int delta_ops(struct y_delta_op **out, size_t *n, const struct y_any *d)
{
	struct y_delta_op *ops = calloc(d->arr.len + 1, sizeof(*ops));
	const struct y_any *v, *a;
	size_t i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < d->arr.len && !rc; i++) {
		const struct y_any *o = &d->arr.items[i];

		y_any_init_undefined(&ops[i].insert);
		y_any_init_undefined(&ops[i].attrs);
		if ((v = get(o, "insert"))) {
			ops[i].kind = Y_DELTA_INSERT;
			rc = from_wire(&ops[i].insert, v);
		} else if ((v = get(o, "retain"))) {
			ops[i].kind = Y_DELTA_RETAIN;
			ops[i].len = (uint64_t)v->num;
		} else if ((v = get(o, "delete"))) {
			ops[i].kind = Y_DELTA_DELETE;
			ops[i].len = (uint64_t)v->num;
		}
		a = get(o, "attributes");
		if (!rc && a)
			rc = from_wire(&ops[i].attrs, a);
	}
	*out = ops;
	*n = d->arr.len;
	return rc;
}

static void free_delta_ops(struct y_delta_op *ops, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		y_any_clear(&ops[i].insert);
		y_any_clear(&ops[i].attrs);
	}
	free(ops);
}

static const char *opt_name(const struct y_any *args, size_t i)
{
	if (args->arr.len > i && args->arr.items[i].kind == Y_ANY_STRING)
		return args->arr.items[i].str.ptr;
	return NULL;
}

/* Wire value args[i] converted; NULL for JSON null (= no attributes). */
static struct y_any *arg_val(struct y_any *buf, const struct y_any *args,
			     size_t i)
{
	if (args->arr.items[i].kind == Y_ANY_NULL)
		return NULL;
	if (from_wire(buf, &args->arr.items[i]))
		die("bad value");
	return buf;
}

static int exec_op(struct y_doc *d, const struct y_any *op)
{
	const struct y_any *path = &op->arr.items[0];
	const char *name = op->arr.items[1].str.ptr;
	const struct y_any *args = &op->arr.items[2];
	const struct y_any *a = args->arr.items;
	struct y_type *t = resolve(d, path), *nt;
	struct y_any v1, v2, *p1, *p2;
	int rc = -EINVAL;

	if (!t)
		return -ENOENT;
	y_any_init_undefined(&v1);
	y_any_init_undefined(&v2);
	if (!strcmp(name, "tins")) {
		p1 = arg_val(&v2, args, 2);
		rc = y_text_insert(t, (uint64_t)a[0].num, a[1].str.ptr,
				   a[1].str.len, p1);
	} else if (!strcmp(name, "tdel")) {
		rc = y_text_delete(t, (uint64_t)a[0].num, (uint64_t)a[1].num);
	} else if (!strcmp(name, "tfmt")) {
		p1 = arg_val(&v1, args, 2);
		rc = y_text_format(t, (uint64_t)a[0].num, (uint64_t)a[1].num,
				   p1);
	} else if (!strcmp(name, "temb")) {
		p1 = arg_val(&v1, args, 1);
		p2 = arg_val(&v2, args, 2);
		rc = y_text_insert_embed(t, (uint64_t)a[0].num, p1, p2);
	} else if (!strcmp(name, "tdelta")) {
		struct y_delta_op *ops;
		size_t n;

		rc = delta_ops(&ops, &n, &a[0]);
		if (!rc)
			rc = y_text_apply_delta(t, ops, n);
		free_delta_ops(ops, n);
	} else if (!strcmp(name, "lins") || !strcmp(name, "lpush")) {
		bool push = name[1] == 'p';

		p1 = arg_val(&v1, args, push ? 0 : 1);
		if (push)
			rc = y_array_push(t, p1->arr.items, p1->arr.len);
		else
			rc = y_list_insert(t, (uint64_t)a[0].num, p1->arr.items,
					   p1->arr.len);
	} else if (!strcmp(name, "ldel")) {
		rc = y_list_delete(t, (uint64_t)a[0].num, (uint64_t)a[1].num);
	} else if (!strcmp(name, "ltype")) {
		rc = y_list_insert_type(&nt, t, (uint64_t)a[0].num,
					kind_of(a[1].str.ptr),
					opt_name(args, 2));
	} else if (!strcmp(name, "lafter")) {
		struct y_type *ref = NULL;
		struct y_value v;

		if (a[0].num >= 0) {
			rc = y_list_get(&v, t, (uint64_t)a[0].num);
			if (rc || v.kind != Y_VALUE_TYPE)
				return rc ? rc : -EINVAL;
			ref = v.type;
		}
		rc = y_list_insert_type_after(
			&nt, t, ref, kind_of(a[1].str.ptr), opt_name(args, 2));
	} else if (!strcmp(name, "mset")) {
		p1 = arg_val(&v1, args, 1);
		if (!p1) {
			y_any_init_null(&v1);
			p1 = &v1;
		}
		rc = y_map_set(t, a[0].str.ptr, a[0].str.len, p1);
	} else if (!strcmp(name, "mdel")) {
		rc = y_map_delete(t, a[0].str.ptr, a[0].str.len);
	} else if (!strcmp(name, "mtype")) {
		rc = y_map_set_type(&nt, t, a[0].str.ptr, a[0].str.len,
				    kind_of(a[1].str.ptr), opt_name(args, 2));
	} else {
		die("unknown op %s", name);
	}
	y_any_clear(&v1);
	y_any_clear(&v2);
	return rc;
}

/* ---- steps --------------------------------------------------------------------------- */

static void apply_to(struct replica *dst, const uint8_t *u, size_t len)
{
	struct y_error err = { 0 };
	int rc = y_doc_apply_update(dst->doc, u, len, &err);

	if (rc) {
		fail("y_doc_apply_update: %s (%s at byte %zu)", y_strerror(rc),
		     err.msg, err.offset);
		if (!opt.quiet && reported <= opt.max_report * 8)
			dump("update", u, len);
	}
}

static void do_step(const struct y_any *s)
{
	const struct y_any *net = get(s, "net");
	struct replica *r;
	size_t i;

	cs.step = get_int(s, "i");
	for (i = 0; i < cs.nrep; i++)
		clear_events(&cs.rep[i]);
	if (!net) {
		const struct y_any *tx = get(s, "tx");
		char *j;

		r = rep_of(s, "r");
		if (tx->arr.len) {
			y_doc_transact_begin(r->doc, NULL);
			for (i = 0; i < tx->arr.len; i++) {
				int rc = exec_op(r->doc, &tx->arr.items[i]);

				if (rc) {
					j = json_of(&tx->arr.items[i]);
					fail("operation %s failed: %s", j,
					     y_strerror(rc));
					free(j);
					break;
				}
			}
			y_doc_transact_end(r->doc);
		}
	} else if (!strcmp(net->str.ptr, "log")) {
		const struct y_any *idx = get(s, "idx");
		struct replica *src = rep_of(s, "src");

		r = rep_of(s, "dst");
		for (i = 0; i < idx->arr.len; i++) {
			size_t k = (size_t)idx->arr.items[i].num;

			if (k >= src->nlog) {
				fail("libyjs replica has no local update #%zu",
				     k);
				continue;
			}
			apply_to(r, src->log[k].p, src->log[k].len);
		}
	} else {
		struct replica *src = rep_of(s, "src");
		struct bytes want = unhex(get_str(s, "u"));
		uint8_t *sv, *u;
		size_t svl, ul;

		r = rep_of(s, "dst");
		if (y_doc_state_vector(&sv, &svl, r->doc) ||
		    y_doc_encode_state_as_update(&u, &ul, src->doc, sv, svl,
						 NULL)) {
			fail("encoding the sync update failed");
		} else {
			cmp_bytes("sync diff (encodeStateAsUpdate(src, sv))", u,
				  ul, want.p, want.len);
			apply_to(r, u, ul);
			free(u);
			free(sv);
		}
		free(want.p);
	}
	cmp_events(r, get(s, "emit"));
	cmp_state(r->doc, get(s, "after"), "full", "views");
}

static void final_checks(const struct y_any *e)
{
	const struct y_any *fin = get(e, "final");
	const struct y_any *conv = get(e, "converged");
	size_t i;

	cs.step = -2;
	for (i = 0; i < fin->arr.len && i < cs.nrep; i++) {
		const struct y_any *st = &fin->arr.items[i];
		struct bytes full = unhex(get_str(st, "full"));
		struct y_doc *fresh;

		cmp_state(cs.rep[i].doc, st, "full", "views");
		/* yjs -> libyjs: a fresh C doc given yjs's full state */
		fresh = new_doc(1);
		if (y_doc_apply_update(fresh, full.p, full.len, NULL))
			fail("fresh doc rejects yjs full state of replica %zu",
			     i);
		else
			cmp_state(fresh, st, "refull", "reviews");
		y_doc_free(fresh);
		free(full.p);
	}
	/* libyjs replicas converge whenever the yjs ones do */
	if (conv && conv->b) {
		struct y_any v0, v;

		views_of(&v0, cs.rep[0].doc);
		for (i = 1; i < cs.nrep; i++) {
			views_of(&v, cs.rep[i].doc);
			if (!y_any_equal(&v0, &v))
				fail("libyjs replicas 0 and %zu did not "
				     "converge",
				     i);
			y_any_clear(&v);
		}
		y_any_clear(&v0);
	}
	if (opt.emit_c) {
		size_t j;

		fprintf(opt.emit_c,
			"{\"case\":%lld,\"converged\":%s,\"replicas\":[",
			cs.seed, conv && conv->b ? "true" : "false");
		for (i = 0; i < cs.nrep; i++) {
			struct replica *r = &cs.rep[i];
			uint8_t *u;
			size_t ul;
			struct y_any v;
			char *vj;

			fprintf(opt.emit_c, "%s{\"client\":%llu,\"updates\":[",
				i ? "," : "", (unsigned long long)r->client);
			for (j = 0; j < r->nlog; j++) {
				fprintf(opt.emit_c, "%s\"", j ? "," : "");
				print_hex(opt.emit_c, r->log[j].p,
					  r->log[j].len);
				fputc('"', opt.emit_c);
			}
			fprintf(opt.emit_c, "],\"full\":\"");
			if (!y_doc_encode_state_as_update(&u, &ul, r->doc, NULL,
							  0, NULL)) {
				struct y_doc *fresh = new_doc(1);
				uint8_t *u2;
				size_t ul2;

				print_hex(opt.emit_c, u, ul);
				/* a fresh libyjs doc given that full state */
				fprintf(opt.emit_c, "\",\"refull\":\"");
				if (!y_doc_apply_update(fresh, u, ul, NULL) &&
				    !y_doc_encode_state_as_update(
					    &u2, &ul2, fresh, NULL, 0, NULL)) {
					print_hex(opt.emit_c, u2, ul2);
					free(u2);
				}
				y_doc_free(fresh);
				free(u);
			}
			views_of(&v, r->doc);
			vj = json_of(&v);
			fprintf(opt.emit_c, "\",\"views\":%s}", vj);
			free(vj);
			y_any_clear(&v);
		}
		/* what libyjs makes of all those updates, in that order */
		{
			struct y_doc *all = new_doc(1);
			uint8_t *u;
			size_t ul;
			struct y_any v;
			char *vj;

			for (i = 0; i < cs.nrep; i++)
				for (j = 0; j < cs.rep[i].nlog; j++)
					y_doc_apply_update(all,
							   cs.rep[i].log[j].p,
							   cs.rep[i].log[j].len,
							   NULL);
			fprintf(opt.emit_c, "],\"all\":{\"full\":\"");
			if (!y_doc_encode_state_as_update(&u, &ul, all, NULL, 0,
							  NULL)) {
				print_hex(opt.emit_c, u, ul);
				free(u);
			}
			views_of(&v, all);
			vj = json_of(&v);
			fprintf(opt.emit_c, "\",\"views\":%s}}\n", vj);
			free(vj);
			y_any_clear(&v);
			y_doc_free(all);
		}
	}
}

static void handle_line(const char *line, size_t len)
{
	struct y_error err = { 0 };
	struct y_any v;

	if (y_any_from_json(&v, line, len, &err))
		die("bad scenario line: %s at %zu", err.msg, err.offset);
	if (get(&v, "case")) {
		if (cs.active)
			end_case();
		start_case(&v);
	} else if (!cs.active) {
		/* skip the rest of a case */
	} else if (get(&v, "end")) {
		if (!cs.failed || opt.keep_going)
			final_checks(&v);
		if (cs.failed)
			printf("# FAIL case %lld (%s)\n", cs.seed, cs.cat);
		end_case();
	} else if (!cs.failed || opt.keep_going) {
		do_step(&v);
	}
	y_any_clear(&v);
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	FILE *f;
	int k;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-q"))
			opt.quiet = true;
		else if (!strcmp(argv[k], "-k"))
			opt.keep_going = true;
		else if (!strcmp(argv[k], "--tap"))
			opt.tap = true;
		else if (!strcmp(argv[k], "--max-report") && k + 1 < argc)
			opt.max_report = atoi(argv[++k]);
		else if (!strcmp(argv[k], "--emit-c") && k + 1 < argc) {
			opt.emit_c = fopen(argv[++k], "w");
			if (!opt.emit_c)
				die("cannot write %s", argv[k]);
		} else if (!file)
			file = argv[k];
		else
			die("usage: ydiff [-q] [-k] [--tap] [--max-report N] "
			    "[--emit-c FILE] SCENARIO");
	}
	if (!file)
		die("usage: ydiff [-q] [-k] [--tap] [--max-report N] "
		    "[--emit-c FILE] SCENARIO");
	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f)
		die("cannot open %s", file);
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n && line[n - 1] == '\n')
			n--;
		if (n)
			handle_line(line, n);
	}
	free(line);
	if (cs.active)
		end_case();
	if (f != stdin)
		fclose(f);
	if (opt.emit_c)
		fclose(opt.emit_c);
	if (opt.tap) {
		printf("1..%zu\n", ncats ? ncats : 1);
		if (!ncats)
			printf("not ok 1 - no cases\n");
		for (i = 0; i < ncats; i++)
			printf("%sok %zu - %s: %d cases, %d failed\n",
			       cats[i].failed ? "not " : "", i + 1,
			       cats[i].name, cats[i].cases, cats[i].failed);
	} else {
		printf("# %d cases, %d failed\n", total_cases, failed_cases);
	}
	return failed_cases || !total_cases ? 1 : 0;
}
