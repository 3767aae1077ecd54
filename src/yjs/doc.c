/* SPDX-License-Identifier: MIT */
/*
 * doc.c - documents and branches: creation and teardown, client ids, root
 * types (typed on request, untyped when an update names them first, spec
 * 2.4), type accessors of yjs.h, update subscriptions, error strings, and
 * the debug invariant checker of spec 16.4.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static uint64_t rng_next(struct y_doc *doc)
{
	/* xorshift64* */
	uint64_t x = doc->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	doc->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void rng_seed(struct y_doc *doc)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		       ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)doc;
	}
	doc->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t y_doc_random_client_id(struct y_doc *doc)
{
	uint64_t id;

	do
		id = rng_next(doc) >> 32;
	while (id == 0);
	return id;
}

int y_doc_new(struct y_doc **out, const struct y_doc_options *opts)
{
	struct y_doc *doc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (opts && opts->client_id > Y_MAX_SAFE_INTEGER)
		return -EINVAL;
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return -ENOMEM;
	rng_seed(doc);
	doc->client_id = opts && opts->client_id ? opts->client_id :
						   y_doc_random_client_id(doc);
	doc->gc = !(opts && opts->no_gc);
	y_keymap_init(&doc->roots);
	y_store_init(&doc->store);
	y_ds_init(&doc->pending_ds);
	y_buf_init(&doc->update_buf);
	doc->next_sub_id = 1;
	*out = doc;
	return 0;
}

static void pending_free(struct y_pending *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		for (j = 0; j < p->clients[i].n; j++)
			y_item_free(p->clients[i].items[j]);
		free(p->clients[i].items);
	}
	free(p->clients);
	y_u64map_release(&p->missing);
	free(p);
}

void y_doc_free(struct y_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	/* structs first: their Type contents own the nested branches */
	y_store_release(&doc->store);
	for (i = 0; i < doc->roots.n; i++)
		y_type_free(doc->roots.entries[i].val);
	y_keymap_release(&doc->roots);
	pending_free(doc->pending);
	y_ds_release(&doc->pending_ds);
	for (i = 0; i < doc->n_deferred_items; i++)
		y_item_free(doc->deferred_items[i]);
	free(doc->deferred_items);
	for (i = 0; i < doc->n_deferred_types; i++)
		y_type_free(doc->deferred_types[i]);
	free(doc->deferred_types);
	for (i = 0; i < doc->n_queue; i++)
		if (doc->queue[i] != doc->txn)
			y_txn_free(doc->queue[i]);
	free(doc->queue);
	for (i = 0; i < doc->n_txn_pool; i++)
		y_txn_free(doc->txn_pool[i]);
	free(doc->txn_pool);
	y_txn_free(doc->txn);
	free(doc->subs.v);
	free(doc->txn_subs.v);
	y_buf_release(&doc->update_buf);
	free(doc);
}

uint64_t y_doc_client_id(const struct y_doc *doc)
{
	return doc->client_id;
}

struct y_subscriber *y_subs_add(struct y_doc *doc, struct y_subscribers *l)
{
	struct y_subscriber *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;

		s = realloc(l->v, cap * sizeof(*s));
		if (!s)
			return NULL;
		l->v = s;
		l->cap = cap;
	}
	if (doc->next_sub_id <= 0)
		doc->next_sub_id = 1;
	s = &l->v[l->n++];
	s->id = doc->next_sub_id++;
	s->flags = 0;
	return s;
}

void y_subs_remove(struct y_subscribers *l, int id)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].id != id)
			continue;
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
		l->n--;
		return;
	}
}

int y_doc_on_update_flags(struct y_doc *doc, y_update_fn fn, void *ctx,
			  unsigned flags)
{
	struct y_subscriber *s;

	if (!doc || !fn || (flags & ~Y_UPDATE_REMOTE_BARE))
		return -EINVAL;
	s = y_subs_add(doc, &doc->subs);
	if (!s)
		return -ENOMEM;
	s->fn.update = fn;
	s->ctx = ctx;
	s->flags = flags;
	return s->id;
}

int y_doc_on_update(struct y_doc *doc, y_update_fn fn, void *ctx)
{
	return y_doc_on_update_flags(doc, fn, ctx, 0);
}

void y_doc_off_update(struct y_doc *doc, int subscription)
{
	if (doc)
		y_subs_remove(&doc->subs, subscription);
}

/* ---- types ------------------------------------------------------------ */

struct y_type *y_type_new_n(struct y_doc *doc, int kind, const char *name,
			    size_t len)
{
	struct y_type *t;

	/* the name lives in the same block: an element is one allocation */
	if (name && len >= SIZE_MAX - sizeof(*t))
		return NULL;
	t = calloc(1, sizeof(*t) + (name ? len + 1 : 0));
	if (!t)
		return NULL;
	t->kind = kind;
	t->doc = doc;
	y_keymap_init(&t->map);
	if (name) {
		t->name = (char *)(t + 1);
		memcpy(t->name, name, len);
		t->name[len] = 0;
	}
	return t;
}

struct y_type *y_type_new(struct y_doc *doc, int kind, const char *name)
{
	return y_type_new_n(doc, kind, name, name ? strlen(name) : 0);
}

void y_type_free(struct y_type *t)
{
	if (!t)
		return;
	y_keymap_release(&t->map);
	free(t->root_name);
	free(t); /* and name */
}

struct y_type *y_doc_get_root(struct y_doc *doc, const char *name, size_t len)
{
	void **slot = y_keymap_find(&doc->roots, name, len);
	struct y_type *t;

	if (slot)
		return *slot;
	t = y_type_new(doc, Y_KIND_UNKNOWN, NULL);
	if (!t)
		return NULL;
	t->root_name = malloc(len + 1);
	if (!t->root_name)
		goto err;
	memcpy(t->root_name, name, len);
	t->root_name[len] = 0;
	if (y_keymap_put(&doc->roots, name, len, t))
		goto err;
	return t;
err:
	y_type_free(t);
	return NULL;
}

int y_doc_root(struct y_type **out, struct y_doc *doc, const char *name,
	       enum y_kind kind)
{
	struct y_type *t;

	if (!out || !doc || !name || kind < Y_KIND_UNKNOWN || kind > Y_XML_TEXT)
		return -EINVAL;
	*out = NULL;
	t = y_doc_get_root(doc, name, strlen(name));
	if (!t)
		return -ENOMEM;
	if (kind != Y_KIND_UNKNOWN) {
		if (t->kind == Y_KIND_UNKNOWN)
			t->kind = kind; /* adopts the items already there */
		else if (t->kind != (int)kind)
			return -EEXIST;
	}
	*out = t;
	return 0;
}

enum y_kind y_type_kind(const struct y_type *t)
{
	return (enum y_kind)t->kind;
}

const char *y_type_name(const struct y_type *t)
{
	if (t->kind == Y_XML_ELEMENT && !t->item && t->root_name)
		return "UNDEFINED";
	if (t->kind == Y_XML_ELEMENT || t->kind == Y_XML_HOOK)
		return t->name;
	return NULL;
}

const char *y_type_root_name(const struct y_type *t)
{
	return t->item ? NULL : t->root_name;
}

struct y_type *y_type_parent(const struct y_type *t)
{
	if (!t->item || t->item->kind != Y_STRUCT_ITEM ||
	    t->item->parent_kind != Y_PARENT_TYPE)
		return NULL;
	return t->item->parent.type;
}

int y_type_id(struct y_id *out, const struct y_type *t)
{
	if (!t->item)
		return -ENOENT;
	*out = t->item->id;
	return 0;
}

struct y_type *y_doc_type_by_id(struct y_doc *doc, struct y_id id)
{
	struct y_item *it = y_store_find(&doc->store, id);

	if (!it || it->kind != Y_STRUCT_ITEM || it->id.clock != id.clock ||
	    (it->info & Y_ITEM_DELETED) || it->content.kind != Y_CONTENT_TYPE)
		return NULL;
	return it->content.type;
}

const char *y_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument";
	case ENOMEM:
		return "out of memory";
	case EBADMSG:
		return "malformed update";
	case EPROTONOSUPPORT:
		return "update format v2 is not supported";
	case ERANGE:
		return "length exceeded";
	case ENOENT:
		return "no such key or type";
	case EEXIST:
		return "root already defined with another type";
	case EFAULT:
		return "internal invariant violated";
	default:
		return "unknown error";
	}
}

/* ---- invariant checker (spec 16.4) ------------------------------------- */

static int inv_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("# invariant violated: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EFAULT;
}

#define ID_FMT "(%llu,%llu)"
#define ID_ARG(i) (unsigned long long)(i).client, (unsigned long long)(i).clock

static int check_type(struct y_type *t, size_t limit)
{
	struct y_item *it, *prev = NULL;
	uint64_t len = 0;
	size_t k, steps = 0;

	if (t->dead)
		return inv_fail("dead type reachable");
	if (t->item && (t->item->kind != Y_STRUCT_ITEM ||
			t->item->content.kind != Y_CONTENT_TYPE ||
			t->item->content.type != t))
		return inv_fail("type's item does not hold it");
	for (it = t->start; it; prev = it, it = it->right) {
		if (++steps > limit)
			return inv_fail("list cycle");
		if (it->kind != Y_STRUCT_ITEM)
			return inv_fail("GC struct " ID_FMT " linked in a list",
					ID_ARG(it->id));
		if (it->left != prev)
			return inv_fail("left link of " ID_FMT " broken",
					ID_ARG(it->id));
		if (it->parent_kind != Y_PARENT_TYPE || it->parent.type != t)
			return inv_fail("list item " ID_FMT
					" has another parent",
					ID_ARG(it->id));
		if (it->parent_sub)
			return inv_fail("map item " ID_FMT " in the list",
					ID_ARG(it->id));
		if ((it->info & Y_ITEM_COUNTABLE) &&
		    !(it->info & Y_ITEM_DELETED))
			len += it->len;
	}
	if (len != t->length)
		return inv_fail("type length %llu, items sum to %llu",
				(unsigned long long)t->length,
				(unsigned long long)len);
	for (k = 0; k < t->map.n; k++) {
		const struct y_keymap_entry *e = &t->map.entries[k];

		it = e->val;
		if (!it)
			return inv_fail("map key '%s' without item",
					y_keymap_key(e));
		if (it->right)
			return inv_fail("map value of '%s' is not rightmost",
					y_keymap_key(e));
		steps = 0;
		for (; it; it = it->left) {
			if (++steps > limit)
				return inv_fail("key chain cycle");
			if (it->kind != Y_STRUCT_ITEM)
				return inv_fail("GC in key chain '%s'",
						y_keymap_key(e));
			if (it->parent_kind != Y_PARENT_TYPE ||
			    it->parent.type != t || !it->parent_sub ||
			    it->parent_sub->len != e->key_len ||
			    memcmp(it->parent_sub->ptr, y_keymap_key(e),
				   e->key_len))
				return inv_fail("item " ID_FMT
						" in the wrong key chain",
						ID_ARG(it->id));
			if (it->left && it->left->right != it)
				return inv_fail(
					"key chain link broken at " ID_FMT,
					ID_ARG(it->id));
			/* (a crafted multi-unit map item split in two leaves
			 * two live halves, as in yjs) */
			if (it != e->val && !(it->info & Y_ITEM_DELETED) &&
			    !(it->right->id.client == it->id.client &&
			      it->id.clock + it->len == it->right->id.clock))
				return inv_fail("overwritten value " ID_FMT
						" of '%s' not deleted",
						ID_ARG(it->id),
						y_keymap_key(e));
		}
	}
	return 0;
}

int y_doc_check_invariants(struct y_doc *doc)
{
	const struct y_store *s = &doc->store;
	size_t i, j, total = 1;
	int rc;

	for (i = 0; i < s->n; i++)
		total += s->clients[i].n;
	for (i = 0; i < s->n; i++) {
		const struct y_client_structs *cs = &s->clients[i];
		uint64_t expect = 0;

		if (y_store_client(s, cs->client) != cs)
			return inv_fail("client index of %llu broken",
					(unsigned long long)cs->client);
		for (j = 0; j < cs->n; j++) {
			struct y_item *it = cs->items[j];

			if (it->id.client != cs->client ||
			    it->id.clock != expect)
				return inv_fail(
					"struct " ID_FMT
					" out of place (expected clock %llu)",
					ID_ARG(it->id),
					(unsigned long long)expect);
			if (!it->len)
				return inv_fail("zero-length struct " ID_FMT,
						ID_ARG(it->id));
			if (it->kind == Y_STRUCT_SKIP)
				return inv_fail("Skip in the store");
			expect += it->len;
			if (it->kind != Y_STRUCT_ITEM)
				continue;
			if (it->parent_kind != Y_PARENT_TYPE ||
			    !it->parent.type)
				return inv_fail("item " ID_FMT " has no parent",
						ID_ARG(it->id));
			if (it->content.kind == Y_CONTENT_DELETED &&
			    !(it->info & Y_ITEM_DELETED))
				return inv_fail("Deleted content of " ID_FMT
						" not marked deleted",
						ID_ARG(it->id));
			if (it->content.kind == Y_CONTENT_TYPE &&
			    it->content.type) {
				rc = check_type(it->content.type, total);
				if (rc)
					return rc;
			}
		}
	}
	for (i = 0; i < doc->roots.n; i++) {
		rc = check_type(doc->roots.entries[i].val, total);
		if (rc)
			return rc;
	}
	return 0;
}
