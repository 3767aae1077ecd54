/* SPDX-License-Identifier: MIT */
/*
 * test-incremental.c - mesh_doc_validate_txn (the incremental level R check
 * meshroomd runs on every incoming update) against mesh_doc_validate (the
 * full walk), and the libyjs transaction observer API it rests on.
 *
 * The differential part edits generator documents (several client ids)
 * with libyjs's own editing API, valid edits and deliberately invalid ones,
 * and delivers their updates to a replica, some held back and delivered
 * out of order (so that they wait as pending structs and are integrated by
 * a later update).  At every step the incremental verdict must equal the
 * full walk's ("more errors than before"), and the first incremental fault
 * must be one the full walk reports (same pointer, same message).  A
 * refused update is rolled back as meshroomd does: the replica goes back
 * to its last valid state and the generators start over from it.
 *
 * Seeds: a fixed list, or MESHFS_SEED=<n> for one seed (a failure prints
 * the seed and step).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh.h"
#include "tap.h"
#include "testutil.h"
#include "yjs.h"

static const char *schema_text =
	"{'$root_tag_ref': '#/$defs/root', '$defs': {"
	"'root': {'type': 'object', 'additionalProperties': false, 'required': ['root'], 'properties': {'root': {'type': 'object', 'additionalProperties': false, 'required': ['children'], 'properties': {"
	"  'hello': {'type': ['string', 'null']},"
	"  'children': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/sec'}, {'$ref': '#/$defs/text'}]}}}}}},"
	"'sec': {'type': 'object', 'additionalProperties': false, 'required': ['sec'], 'properties': {'sec': {'type': 'object', 'additionalProperties': false, 'required': ['level', 'children'], 'properties': {"
	"  'title': {'type': ['string', 'null']},"
	"  'level': {'type': 'number'},"
	"  'mode': {'type': ['string', 'null'], 'enum': ['a', 'b']},"
	"  'children': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/sec'}, {'$ref': '#/$defs/text'}, {'$ref': '#/$defs/leaf'}]}}}}}},"
	"'leaf': {'type': 'object', 'additionalProperties': false, 'required': ['leaf'], 'properties': {'leaf': {'type': 'object', 'additionalProperties': false, 'required': [], 'properties': {"
	"  'name': {'type': ['string', 'null']},"
	"  'on': {'type': ['boolean', 'null']}}}}},"
	"'text': {'type': 'object', 'additionalProperties': false, 'required': ['text'], 'properties': {'text': {'type': 'object', 'additionalProperties': false, 'required': ['children'], 'properties': {"
	"  'hello': {'type': ['string', 'null']},"
	"  'children': {'type': 'array', 'items': {'anyOf': [{'$ref': '#/$defs/leaf'}]}}}}}}}}";

static struct mesh_schema *schema;

/* ------------------------------------------------------------ randomness */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

static bool chance(unsigned percent)
{
	return pick(100) < percent;
}

/* ------------------------------------------------------------- documents */

#define NGEN 3
#define MAXQ 8
#define MAXNODES 256

struct update {
	uint8_t *data;
	size_t len;
};

/* The update events of a generator's local transactions. */
struct capture {
	uint8_t *data;
	size_t len;
};

static void on_local(void *ctx, const uint8_t *u, size_t len, bool local,
		     void *origin)
{
	struct capture *c = ctx;

	(void)origin;
	if (!local)
		return;
	free(c->data);
	c->data = malloc(len ? len : 1);
	if (!c->data)
		bail_out("out of memory");
	memcpy(c->data, u, len);
	c->len = len;
}

/* The replica's observer: the incremental check of every transaction. */
struct replica {
	struct y_doc *doc;
	struct mesh_diag inc;
	int inc_ret;
	unsigned txns;
};

static void on_txn(void *ctx, struct y_txn *txn)
{
	struct replica *r = ctx;
	int ret;

	r->txns++;
	ret = mesh_doc_validate_txn(&r->inc, txn, schema);
	if (ret && ret != -EINVAL)
		r->inc_ret = ret;
}

static uint64_t next_client = 100;

static struct y_doc *doc_from(const uint8_t *state, size_t len)
{
	struct y_doc_options o = { .client_id = next_client++ };
	struct y_doc *d;

	if (y_doc_new(&d, &o))
		bail_out("y_doc_new");
	if (len && y_doc_apply_update(d, state, len, NULL))
		bail_out("apply state");
	return d;
}

static void replica_open(struct replica *r, const uint8_t *state, size_t len)
{
	struct y_type *root;

	r->doc = doc_from(state, len);
	/* type the root as the server's first full walk does */
	if (y_doc_root(&root, r->doc, "xml", Y_XML_ELEMENT))
		bail_out("root");
	if (y_doc_on_txn(r->doc, on_txn, r) <= 0)
		bail_out("y_doc_on_txn");
}

static size_t full_total(struct y_doc *d, struct mesh_diag *out)
{
	struct mesh_diag tmp;
	size_t total;
	int ret;

	mesh_diag_init(&tmp);
	if (!out)
		out = &tmp;
	ret = mesh_doc_validate(out, d, schema);
	if (ret && ret != -EINVAL)
		bail_out("mesh_doc_validate: %d", ret);
	total = out->total;
	mesh_diag_free(&tmp);
	return total;
}

/* ------------------------------------------------------------------ edits */

struct node {
	struct y_type *t;
	const char *tag; /* "root" for the root, NULL for an XmlText */
};

static size_t collect(struct node *out, size_t n, size_t max, struct y_type *el,
		      const char *tag)
{
	struct y_list_iter it;
	struct y_value v;

	if (n >= max)
		return n;
	out[n].t = el;
	out[n].tag = tag;
	n++;
	y_list_iter_init(&it, el);
	while (y_list_iter_next(&it, &v)) {
		if (v.kind != Y_VALUE_TYPE)
			continue;
		if (y_type_kind(v.type) == Y_XML_ELEMENT)
			n = collect(out, n, max, v.type, y_type_name(v.type));
		else if (y_type_kind(v.type) == Y_XML_TEXT && n < max)
			out[n++] = (struct node){ v.type, NULL };
	}
	return n;
}

static unsigned ids;

static void set_str(struct y_type *el, const char *key, const char *val)
{
	struct y_any a;

	if (y_any_init_string(&a, val, strlen(val)))
		bail_out("oom");
	if (y_map_set(el, key, strlen(key), &a))
		bail_out("y_map_set %s", key);
	y_any_clear(&a);
}

static void set_num(struct y_type *el, const char *key, double num)
{
	struct y_any a;

	y_any_init_number(&a, num);
	if (y_map_set(el, key, strlen(key), &a))
		bail_out("y_map_set %s", key);
}

static void set_null(struct y_type *el, const char *key)
{
	struct y_any a;

	y_any_init_null(&a);
	if (y_map_set(el, key, strlen(key), &a))
		bail_out("y_map_set %s", key);
}

static void set_id(struct y_type *el)
{
	set_str(el, "$id", nm("id-%u", ++ids));
}

/* Valid attributes of a tag ("root" has no $id). */
static void valid_attrs(struct y_type *el, const char *tag)
{
	if (!strcmp(tag, "sec")) {
		set_num(el, "level", pick(5));
		if (chance(50))
			set_str(el, "title", nm("t%u", pick(100)));
		if (chance(30))
			set_str(el, "mode", chance(50) ? "a" : "b");
		if (chance(10))
			set_null(el, "title");
	} else if (!strcmp(tag, "leaf")) {
		if (chance(50))
			set_str(el, "name", "n");
		if (chance(30)) {
			struct y_any b;

			y_any_init_bool(&b, chance(50));
			y_map_set(el, "on", 2, &b);
		}
	} else if (strcmp(tag, "leaf")) {
		if (chance(40))
			set_str(el, "hello", "h");
	}
}

static const char *child_tag(const char *parent)
{
	if (!strcmp(parent, "root"))
		return chance(70) ? "sec" : "text";
	if (!strcmp(parent, "sec")) {
		unsigned k = pick(3);

		return k == 0 ? "sec" : k == 1 ? "text" : "leaf";
	}
	if (!strcmp(parent, "text"))
		return "leaf";
	return NULL; /* leaf: no children */
}

/* A valid new element (with a valid subtree up to depth) under parent. */
static struct y_type *add_valid(struct y_type *parent, const char *ptag,
				int depth)
{
	const char *tag = child_tag(ptag);
	struct y_type *el, *xt;
	unsigned i, n;

	if (!tag)
		return NULL;
	if (y_list_insert_type(&el, parent,
			       pick((unsigned)y_type_len(parent) + 1),
			       Y_XML_ELEMENT, tag))
		bail_out("insert element");
	if (chance(50))
		set_id(el);
	valid_attrs(el, tag);
	if (!strcmp(tag, "text") && chance(70)) {
		if (y_list_insert_type(&xt, el, 0, Y_XML_TEXT, NULL))
			bail_out("insert text");
		y_text_insert(xt, 0, "hi", 2, NULL);
	}
	n = depth > 0 ? pick(3) : 0;
	for (i = 0; i < n; i++)
		add_valid(el, tag, depth - 1);
	if (!y_type_key(el) && y_map_get(&(struct y_value){ 0 }, el, "$id", 3))
		set_id(el);
	return el;
}

/* One deliberately invalid edit somewhere at or below n. */
static void add_invalid(struct node *nodes, size_t nn)
{
	struct node *n = &nodes[pick((unsigned)nn)];
	struct y_type *el, *deep;
	struct y_any a[2];
	unsigned k;

	if (!n->tag) { /* an XmlText: its parent is what we edit */
		n = &nodes[0];
	}
	switch (pick(12)) {
	case 0: /* unknown tag */
		y_list_insert_type(&el, n->t,
				   pick((unsigned)y_type_len(n->t) + 1),
				   Y_XML_ELEMENT, "blink");
		set_id(el);
		break;
	case 1: /* misplaced tag */
		y_list_insert_type(&el, n->t,
				   pick((unsigned)y_type_len(n->t) + 1),
				   Y_XML_ELEMENT,
				   !strcmp(n->tag, "root") ? "leaf" : "root");
		set_id(el);
		break;
	case 2: /* bad value types and enums */
		if (!strcmp(n->tag, "sec")) {
			k = pick(3);
			if (k == 0)
				set_str(n->t, "level", "x");
			else if (k == 1)
				set_str(n->t, "mode", "z");
			else
				set_num(n->t, "title", 5);
		} else {
			set_num(n->t, "hello", 1);
		}
		break;
	case 3: /* unknown attribute */
		set_str(n->t, "bogus", "1");
		break;
	case 4: /* shared type as attribute value */
		y_map_set_type(&el, n->t, "hello", 5, Y_MAP, NULL);
		break;
	case 5: /* new element without $id, or a bad one */
		el = add_valid(n->t, n->tag, 0);
		if (el && !strcmp(n->tag, "leaf"))
			break;
		if (!el)
			break;
		if (chance(50))
			y_map_delete(el, "$id", 3);
		else if (chance(50))
			set_str(el, "$id", "");
		else
			set_num(el, "$id", 3);
		break;
	case 6: /* delete the $id of an existing element */
		if (strcmp(n->tag, "root"))
			y_map_delete(n->t, "$id", 3);
		else
			set_str(n->t, "bogus", "2");
		break;
	case 7: /* XmlText outside a "text" element */
		if (!strcmp(n->tag, "text"))
			n = &nodes[0];
		y_list_insert_type(&el, n->t,
				   pick((unsigned)y_type_len(n->t) + 1),
				   Y_XML_TEXT, NULL);
		break;
	case 8: /* plain values in a child list */
		y_any_init_number(&a[0], 1);
		y_any_init_bool(&a[1], true);
		y_list_insert(n->t, pick((unsigned)y_type_len(n->t) + 1), a,
			      1 + pick(2));
		break;
	case 9: /* a fault deep in a new valid-looking subtree */
		el = add_valid(nodes[0].t, "root", 0);
		if (!el || strcmp(y_type_name(el), "sec"))
			break;
		y_list_insert_type(&deep, el, 0, Y_XML_ELEMENT, "sec");
		set_id(deep);
		set_num(deep, "level", 1);
		y_list_insert_type(&el, deep, 0, Y_XML_ELEMENT, "leaf");
		set_id(el);
		set_str(el, "on", "yes");
		break;
	case 10: /* a type that is not an element */
		y_list_insert_type(&el, n->t,
				   pick((unsigned)y_type_len(n->t) + 1),
				   chance(50) ? Y_MAP : Y_XML_FRAGMENT, NULL);
		break;
	default: /* children under a leaf */
		for (k = 0; k < nn; k++)
			if (nodes[k].tag && !strcmp(nodes[k].tag, "leaf"))
				break;
		if (k == nn) {
			set_num(nodes[0].t, "hello", 2);
			break;
		}
		y_list_insert_type(&el, nodes[k].t, 0, Y_XML_ELEMENT, "leaf");
		set_id(el);
		break;
	}
}

/* One valid edit. */
static void edit_valid(struct node *nodes, size_t nn, bool shrink)
{
	struct node *n = &nodes[pick((unsigned)nn)];
	uint64_t len;

	if (!n->tag) { /* XmlText */
		if (chance(60))
			y_text_insert(n->t,
				      pick((unsigned)y_type_len(n->t) + 1),
				      "ab", 2, NULL);
		else if (y_type_len(n->t))
			y_text_delete(n->t, pick((unsigned)y_type_len(n->t)),
				      1);
		return;
	}
	len = y_type_len(n->t);
	switch (shrink ? 3 : pick(7)) {
	case 0:
	case 1:
		add_valid(n->t, n->tag, 2);
		break;
	case 2: /* attributes (overwrites) */
		valid_attrs(n->t, n->tag);
		if (strcmp(n->tag, "root") && chance(30))
			set_id(n->t);
		break;
	case 3: /* deletions */
		if (len)
			y_list_delete(n->t, pick((unsigned)len),
				      1 + pick(len > 1 ? 2 : 1));
		break;
	case 4: /* optional attributes go away */
		y_map_delete(n->t, "title", 5);
		y_map_delete(n->t, "name", 4);
		y_map_delete(n->t, "hello", 5);
		break;
	case 5: /* the child property as an attribute (ignored) */
		if (!strcmp(n->tag, "sec") || !strcmp(n->tag, "root"))
			set_str(n->t, "children", "[]");
		break;
	default: /* text into a "text" element */
		if (!strcmp(n->tag, "text") && !len) {
			struct y_type *xt;

			y_list_insert_type(&xt, n->t, 0, Y_XML_TEXT, NULL);
		} else {
			add_valid(n->t, n->tag, 1);
		}
		break;
	}
}

/* ------------------------------------------------------------ the driver */

struct world {
	struct replica r;
	uint8_t *good; /* last valid replica state without pending structs */
	size_t good_len;
	struct y_doc *gen[NGEN];
	struct capture cap[NGEN];
	struct update q[MAXQ];
	size_t nq;
};

static void world_reset(struct world *w)
{
	size_t i;

	if (w->r.doc)
		y_doc_free(w->r.doc);
	replica_open(&w->r, w->good, w->good_len);
	for (i = 0; i < NGEN; i++) {
		if (w->gen[i])
			y_doc_free(w->gen[i]);
		/* a fresh client id: the clocks of the dropped edits of the
		 * old one must never come back with other content */
		w->gen[i] = doc_from(w->good, w->good_len);
		if (y_doc_on_update(w->gen[i], on_local, &w->cap[i]) <= 0)
			bail_out("on_update");
	}
	for (i = 0; i < w->nq; i++)
		free(w->q[i].data);
	w->nq = 0;
}

static void snapshot_good(struct world *w)
{
	free(w->good);
	w->good = NULL;
	if (y_doc_encode_state_as_update(&w->good, &w->good_len, w->r.doc, NULL,
					 0, NULL))
		bail_out("encode");
}

/* Gives generator g what the replica has. */
static void sync_gen(struct world *w, unsigned g)
{
	uint8_t *sv = NULL, *u = NULL;
	size_t svl, ul;

	if (y_doc_state_vector(&sv, &svl, w->gen[g]) ||
	    y_doc_encode_state_as_update(&u, &ul, w->r.doc, sv, svl, NULL) ||
	    y_doc_apply_update(w->gen[g], u, ul, NULL))
		bail_out("sync");
	free(sv);
	free(u);
}

static bool has_error(const struct mesh_diag *d, const struct mesh_error *e)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->errors[i].path, e->path) &&
		    !strcmp(d->errors[i].msg, e->msg))
			return true;
	return false;
}

struct stats {
	unsigned steps, refused, pending, mismatches, txns;
};

/* Delivers u to the replica and compares the verdicts; returns true when
 * the update was refused (the world was reset). */
static bool deliver(struct world *w, const uint8_t *u, size_t len,
		    uint64_t seed, unsigned step, struct stats *st)
{
	struct mesh_diag full;
	size_t before, after;
	bool inc_bad, full_bad;
	int ret;

	before = full_total(w->r.doc, NULL);
	if (before)
		bail_out("seed %" PRIu64 " step %u: replica invalid before",
			 seed, step);
	mesh_diag_init(&w->r.inc);
	w->r.inc_ret = 0;
	w->r.txns = 0;
	ret = y_doc_apply_update(w->r.doc, u, len, NULL);
	if (ret)
		bail_out("seed %" PRIu64 " step %u: apply: %d", seed, step,
			 ret);
	st->txns += w->r.txns;
	if (w->r.inc_ret)
		bail_out("incremental check failed: %d", w->r.inc_ret);
	mesh_diag_init(&full);
	after = full_total(w->r.doc, &full);
	inc_bad = w->r.inc.total > 0;
	full_bad = after > before;
	if (inc_bad != full_bad) {
		st->mismatches++;
		ok(0,
		   "seed %" PRIu64 " step %u: incremental %s, full walk %s%s%s",
		   seed, step, inc_bad ? "refuses" : "accepts",
		   full_bad ? "refuses" : "accepts", full.n ? ": " : "",
		   full.n ? full.errors[0].msg : "");
		if (inc_bad)
			diag("incremental: %s: %s", w->r.inc.errors[0].path,
			     w->r.inc.errors[0].msg);
		if (full.n)
			diag("full: %s: %s", full.errors[0].path,
			     full.errors[0].msg);
	} else if (inc_bad && w->r.inc.n && full.n < MESH_DIAG_MAX &&
		   !has_error(&full, &w->r.inc.errors[0])) {
		st->mismatches++;
		ok(0,
		   "seed %" PRIu64
		   " step %u: first incremental fault %s: %s not among the full walk's (first %s: %s)",
		   seed, step, w->r.inc.errors[0].path, w->r.inc.errors[0].msg,
		   full.errors[0].path, full.errors[0].msg);
	}
	mesh_diag_free(&full);
	mesh_diag_free(&w->r.inc);
	if (y_doc_has_pending(w->r.doc))
		st->pending++;
	if (inc_bad || full_bad) {
		st->refused++;
		world_reset(w);
		return true;
	}
	if (!y_doc_has_pending(w->r.doc))
		snapshot_good(w);
	return false;
}

static void run_seed(uint64_t seed, unsigned steps, struct stats *st)
{
	struct world w = { 0 };
	struct node nodes[MAXNODES];
	struct y_doc *init;
	struct y_type *root;
	unsigned step, g, k, nops;
	size_t nn, i;
	struct capture c0 = { 0 };
	struct update u;

	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	/* a small valid document to start from */
	init = doc_from(NULL, 0);
	y_doc_on_update(init, on_local, &c0);
	y_doc_transact_begin(init, NULL);
	y_doc_root(&root, init, "xml", Y_XML_ELEMENT);
	for (k = 0; k < 3; k++)
		add_valid(root, "root", 2);
	y_doc_transact_end(init);
	if (y_doc_encode_state_as_update(&w.good, &w.good_len, init, NULL, 0,
					 NULL))
		bail_out("encode");
	y_doc_free(init);
	free(c0.data);
	world_reset(&w);
	if (full_total(w.r.doc, NULL))
		bail_out("seed %" PRIu64 ": the initial document is invalid",
			 seed);

	for (step = 0; step < steps; step++) {
		st->steps++;
		/* deliver a held-back update, in any order */
		if (w.nq && chance(w.nq >= MAXQ ? 100 : 35)) {
			k = pick((unsigned)w.nq);
			u = w.q[k];
			w.q[k] = w.q[--w.nq];
			if (chance(10)) { /* and once more: a duplicate */
				if (!deliver(&w, u.data, u.len, seed, step, st))
					deliver(&w, u.data, u.len, seed, step,
						st);
			} else {
				deliver(&w, u.data, u.len, seed, step, st);
			}
			free(u.data);
			continue;
		}
		g = pick(NGEN);
		if (chance(60))
			sync_gen(&w, g);
		if (y_doc_root(&root, w.gen[g], "xml", Y_XML_ELEMENT))
			bail_out("root");
		nn = collect(nodes, 0, MAXNODES, root, "root");
		free(w.cap[g].data);
		w.cap[g].data = NULL;
		w.cap[g].len = 0;
		y_doc_transact_begin(w.gen[g], NULL);
		nops = 1 + pick(3);
		for (k = 0; k < nops; k++) {
			if (chance(12))
				add_invalid(nodes, nn);
			else
				edit_valid(nodes, nn, nn > 60 && chance(70));
			/* deleted nodes must not be edited again */
			nn = collect(nodes, 0, MAXNODES, root, "root");
		}
		y_doc_transact_end(w.gen[g]);
		if (!w.cap[g].data)
			continue;
		if (w.nq < MAXQ && chance(20)) { /* held back */
			w.q[w.nq].data = w.cap[g].data;
			w.q[w.nq++].len = w.cap[g].len;
			w.cap[g].data = NULL;
			continue;
		}
		deliver(&w, w.cap[g].data, w.cap[g].len, seed, step, st);
	}
	for (i = 0; i < w.nq; i++)
		free(w.q[i].data);
	for (i = 0; i < NGEN; i++) {
		y_doc_free(w.gen[i]);
		free(w.cap[i].data);
	}
	y_doc_free(w.r.doc);
	free(w.good);
}

/* ------------------------------------------------------------ unit tests */

struct seen {
	unsigned txns, inserts, keyed, changed, created;
	bool local;
};

static void on_seen(void *ctx, struct y_txn *txn)
{
	struct seen *s = ctx;
	struct y_insert_iter it;
	struct y_insert ins;
	struct y_type *t;
	size_t pos = 0;

	s->txns++;
	s->local = y_txn_local(txn);
	y_insert_iter_init(&it, txn);
	while (y_insert_iter_next(&it, &ins)) {
		s->inserts++;
		if (ins.key)
			s->keyed++;
		if (ins.value.kind == Y_VALUE_TYPE &&
		    y_txn_created(txn, ins.value.type))
			s->created++;
	}
	while ((t = y_txn_changed_next(txn, &pos)))
		s->changed++;
}

static void test_observer(void)
{
	struct y_doc *a = doc_from(NULL, 0), *b = doc_from(NULL, 0);
	struct capture c = { 0 };
	struct seen s = { 0 };
	struct y_type *root, *el, *el2;
	uint64_t idx = 9;
	int sub;

	y_doc_on_update(a, on_local, &c);
	y_doc_root(&root, a, "xml", Y_XML_ELEMENT);
	y_doc_transact_begin(a, NULL);
	y_list_insert_type(&el, root, 0, Y_XML_ELEMENT, "sec");
	set_str(el, "$id", "x");
	y_list_insert_type(&el2, root, 1, Y_XML_ELEMENT, "sec");
	y_doc_transact_end(a);
	is_int(y_type_index(&idx, el2), 0, "y_type_index of a list element");
	is_int((long long)idx, 1, "its index");
	is_int(y_type_index(&idx, root), -ENOENT, "y_type_index of a root");
	ok(y_type_key(el) == NULL, "a list element has no key");

	sub = y_doc_on_txn(b, on_seen, &s);
	ok(sub > 0, "y_doc_on_txn");
	y_doc_apply_update(b, c.data, c.len, NULL);
	is_int(s.txns, 1, "one transaction observed");
	ok(!s.local, "an applied update is a remote transaction");
	is_int(s.inserts, 3, "three structs inserted (2 elements, 1 entry)");
	is_int(s.keyed, 1, "one of them is a map entry");
	is_int(s.created, 2, "both elements are created by the transaction");
	is_int(s.changed, 1, "changed: the root only (new types are left out)");

	/* a pending update is reported when its dependency arrives */
	memset(&s, 0, sizeof(s));
	{
		struct capture c1;

		set_str(el, "title", "one");
		c1 = c;
		c.data = NULL;
		set_str(el, "title", "two");
		y_doc_apply_update(b, c.data, c.len, NULL);
		ok(y_doc_has_pending(b), "second edit pending");
		is_int(s.txns, 0, "no transaction for a pending update");
		y_doc_apply_update(b, c1.data, c1.len, NULL);
		ok(!y_doc_has_pending(b), "integrated with its dependency");
		is_int(s.inserts, 2, "both entries reported then");
		is_int(s.keyed, 2, "as map entries");
		is_int(s.changed, 1, "the element changed");
		free(c1.data);
	}
	y_doc_off_txn(b, sub);
	memset(&s, 0, sizeof(s));
	y_doc_transact_begin(b, NULL);
	y_doc_root(&root, b, "xml", Y_XML_ELEMENT);
	y_list_delete(root, 0, 1);
	y_doc_transact_end(b);
	is_int(s.txns, 0, "off: no more calls");
	free(c.data);
	y_doc_free(a);
	y_doc_free(b);
}

int main(void)
{
	static const uint64_t seeds[] = { 1, 2, 3, 42, 4711 };
	struct stats st = { 0 };
	const char *env = getenv("MESHFS_SEED");
	unsigned steps = 800;
	char *text;
	size_t i;

	plan_no_plan();
	text = q(schema_text);
	{
		struct mesh_error err;

		if (mesh_schema_parse(&schema, text, strlen(text), &err))
			bail_out("schema: %s: %s", err.path, err.msg);
	}
	free(text);
	test_observer();
	if (env && *env) {
		run_seed(strtoull(env, NULL, 0), 4 * steps, &st);
	} else {
		for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
			run_seed(seeds[i], steps, &st);
	}
	diag("%u steps, %u refused, %u left pending, %u transactions", st.steps,
	     st.refused, st.pending, st.txns);
	is_int(st.mismatches, 0, "incremental and full verdicts agree");
	ok(st.refused > st.steps / 50, "invalid updates were exercised");
	ok(st.pending > 0, "pending updates were exercised");
	mesh_schema_free(schema);
	return done_testing();
}
