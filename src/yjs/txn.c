/* SPDX-License-Identifier: MIT */
/*
 * txn.c - transactions (spec 7): nesting, the state snapshot taken at the
 * start, the "changed" bookkeeping, and the commit pipeline run when the
 * outermost transaction ends: delete-set normalisation, formatting cleanup
 * trigger, garbage collection, the three merge passes, client-id
 * regeneration and the update event.  Transaction observers (y_doc_on_txn)
 * run in the commit before garbage collection, so that they see what the
 * transaction inserted and deleted; the y_txn_* / y_insert_* functions at
 * the end are their view of it.  Transactions begun while a commit is
 * running (the formatting cleanup) are queued and committed right after it;
 * structs freed by the commit are released only when the queue is empty.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static uint32_t next_epoch(struct y_doc *doc)
{
	if (++doc->epoch == 0)
		++doc->epoch;
	return doc->epoch;
}

void y_txn_free(struct y_txn *txn)
{
	if (!txn)
		return;
	y_u64map_release(&txn->before_state);
	y_u64map_release(&txn->after_state);
	y_ds_release(&txn->ds);
	free(txn->merge_structs);
	free(txn->changed);
	free(txn);
}

static struct y_txn *txn_get(struct y_doc *doc)
{
	struct y_txn *txn;

	if (doc->n_txn_pool)
		return doc->txn_pool[--doc->n_txn_pool];
	txn = calloc(1, sizeof(*txn));
	if (!txn)
		return NULL;
	y_u64map_init(&txn->before_state);
	y_u64map_init(&txn->after_state);
	y_ds_init(&txn->ds);
	return txn;
}

/* Keeps the buffers of a finished transaction for the next one. */
static void txn_put(struct y_doc *doc, struct y_txn *txn)
{
	y_ds_release(&txn->ds);
	y_ds_init(&txn->ds);
	txn->n_merge = 0;
	txn->n_changed = 0;
	txn->err = 0;
	if (doc->n_txn_pool == doc->cap_txn_pool) {
		size_t cap = doc->cap_txn_pool ? doc->cap_txn_pool * 2 : 2;
		struct y_txn **p =
			realloc(doc->txn_pool, cap * sizeof(*doc->txn_pool));

		if (!p) {
			y_txn_free(txn);
			return;
		}
		doc->txn_pool = p;
		doc->cap_txn_pool = cap;
	}
	doc->txn_pool[doc->n_txn_pool++] = txn;
}

int y_txn_begin(struct y_txn **out, struct y_doc *doc, bool local, void *origin)
{
	struct y_txn *txn;
	int rc;

	if (doc->txn) {
		doc->txn_depth++;
		if (out)
			*out = doc->txn;
		return 0;
	}
	txn = txn_get(doc);
	if (!txn)
		return -ENOMEM;
	rc = y_store_state_vector(&txn->before_state, &doc->store);
	if (rc)
		goto err;
	if (doc->committing) {
		if (doc->n_queue == doc->cap_queue) {
			size_t cap = doc->cap_queue ? doc->cap_queue * 2 : 2;
			struct y_txn **p =
				realloc(doc->queue, cap * sizeof(*doc->queue));

			if (!p) {
				rc = -ENOMEM;
				goto err;
			}
			doc->queue = p;
			doc->cap_queue = cap;
		}
		doc->queue[doc->n_queue++] = txn;
	}
	txn->doc = doc;
	txn->n_merge = 0;
	txn->n_changed = 0;
	txn->local = local;
	txn->origin = origin;
	txn->epoch = next_epoch(doc);
	txn->err = 0;
	doc->txn = txn;
	doc->txn_depth = 1;
	if (out)
		*out = txn;
	return 0;
err:
	txn_put(doc, txn);
	return rc;
}

static uint64_t sv_get(const struct y_u64map *sv, uint64_t client)
{
	uint64_t v = 0;

	y_u64map_get(sv, client, &v);
	return v;
}

void y_txn_mark_changed(struct y_txn *txn, struct y_type *type)
{
	struct y_item *item = type->item;

	if (type->changed_epoch == txn->epoch)
		return;
	if (item &&
	    (y_item_deleted(item) ||
	     item->id.clock >= sv_get(&txn->before_state, item->id.client)))
		return;
	if (txn->n_changed == txn->cap_changed) {
		size_t cap = txn->cap_changed ? txn->cap_changed * 2 : 8;
		struct y_type **p =
			realloc(txn->changed, cap * sizeof(*txn->changed));

		if (!p) {
			txn->err = -ENOMEM;
			return;
		}
		txn->changed = p;
		txn->cap_changed = cap;
	}
	txn->changed[txn->n_changed++] = type;
	type->changed_epoch = txn->epoch;
}

int y_txn_add_merge(struct y_txn *txn, struct y_id id)
{
	if (txn->n_merge == txn->cap_merge) {
		size_t cap = txn->cap_merge ? txn->cap_merge * 2 : 16;
		struct y_id *p = realloc(txn->merge_structs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		txn->merge_structs = p;
		txn->cap_merge = cap;
	}
	txn->merge_structs[txn->n_merge++] = id;
	return 0;
}

static int push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void **a = realloc(*arr, c * sizeof(**arr));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

int y_doc_defer_free_item(struct y_doc *doc, struct y_item *item)
{
	return push_ptr((void ***)&doc->deferred_items, &doc->n_deferred_items,
			&doc->cap_deferred_items, item);
}

int y_doc_defer_free_type(struct y_doc *doc, struct y_type *type)
{
	return push_ptr((void ***)&doc->deferred_types, &doc->n_deferred_types,
			&doc->cap_deferred_types, type);
}

static void free_deferred(struct y_doc *doc)
{
	size_t i;

	for (i = 0; i < doc->n_deferred_items; i++)
		y_item_free(doc->deferred_items[i]);
	doc->n_deferred_items = 0;
	for (i = 0; i < doc->n_deferred_types; i++)
		y_type_free(doc->deferred_types[i]);
	doc->n_deferred_types = 0;
}

/* 7.4 step 4: did a remote change touch a text with formatting? */
static bool needs_format_cleanup(const struct y_txn *txn)
{
	size_t i;

	if (txn->local)
		return false;
	for (i = 0; i < txn->n_changed; i++) {
		const struct y_type *t = txn->changed[i];

		if (t->changed_epoch != txn->epoch)
			continue; /* dropped: its type item was deleted */
		if ((t->kind == Y_TEXT || t->kind == Y_XML_TEXT) &&
		    t->has_formatting && (!t->item || !y_item_deleted(t->item)))
			return true;
	}
	return false;
}

/* tryGcDeleteSet (spec 6.5). */
static void gc_pass(struct y_doc *doc, const struct y_ds *ds)
{
	size_t k, r, si;

	for (k = 0; k < ds->n; k++) {
		const struct y_ds_client *dc = &ds->clients[k];
		struct y_client_structs *cs =
			y_store_client(&doc->store, dc->client);

		if (!cs)
			continue;
		for (r = dc->n; r-- > 0;) {
			uint64_t end = dc->ranges[r].clock + dc->ranges[r].len;

			si = y_store_find_index(cs, dc->ranges[r].clock);
			for (; si < cs->n && cs->items[si]->id.clock < end;
			     si++) {
				struct y_item *it = cs->items[si];

				if (it->kind == Y_STRUCT_ITEM &&
				    (it->info & Y_ITEM_DELETED) &&
				    !(it->info & Y_ITEM_KEEP))
					y_item_gc(doc, it, false);
			}
		}
	}
}

/* tryMergeDeleteSet (spec 6.6 step 1). */
static void merge_ds_pass(struct y_doc *doc, const struct y_ds *ds)
{
	size_t k, r;

	for (k = 0; k < ds->n; k++) {
		const struct y_ds_client *dc = &ds->clients[k];
		struct y_client_structs *cs =
			y_store_client(&doc->store, dc->client);

		if (!cs || !cs->n)
			continue;
		for (r = dc->n; r-- > 0;) {
			const struct y_range *rg = &dc->ranges[r];
			size_t idx;
			int64_t si;

			if (!rg->len)
				continue;
			idx = y_store_find_index(cs, rg->clock + rg->len - 1);
			if (idx >= cs->n)
				idx = cs->n - 1;
			si = (int64_t)idx + 1;
			if (si > (int64_t)cs->n - 1)
				si = (int64_t)cs->n - 1;
			while (si > 0 && cs->items[si]->id.clock >= rg->clock)
				si -= 1 + (int64_t)y_store_merge_with_lefts(
						  doc, cs, (size_t)si);
		}
	}
}

/* Spec 6.6 step 2: squash what this transaction appended. */
static void merge_after_state_pass(struct y_doc *doc, struct y_txn *txn)
{
	const struct y_u64map *after = &txn->after_state;
	size_t k;

	for (k = 0; k < after->cap; k++) {
		uint64_t client = after->keys[k], before;
		struct y_client_structs *cs;
		int64_t i, first;

		if (client == Y_U64MAP_EMPTY)
			continue;
		before = sv_get(&txn->before_state, client);
		if (before == after->vals[k])
			continue;
		cs = y_store_client(&doc->store, client);
		if (!cs || !cs->n)
			continue;
		first = (int64_t)y_store_find_index(cs, before);
		if (first >= (int64_t)cs->n)
			continue;
		if (first < 1)
			first = 1;
		for (i = (int64_t)cs->n - 1; i >= first;)
			i -= 1 + (int64_t)y_store_merge_with_lefts(doc, cs,
								   (size_t)i);
	}
}

/* Spec 6.6 step 3: re-merge the halves of items split in this txn. */
static void merge_structs_pass(struct y_doc *doc, struct y_txn *txn)
{
	size_t k;

	for (k = txn->n_merge; k-- > 0;) {
		struct y_id id = txn->merge_structs[k];
		struct y_client_structs *cs =
			y_store_client(&doc->store, id.client);
		size_t p;

		if (!cs)
			continue;
		p = y_store_find_index(cs, id.clock);
		if (p >= cs->n)
			continue;
		if (p + 1 < cs->n &&
		    y_store_merge_with_lefts(doc, cs, p + 1) > 1)
			continue;
		if (p > 0)
			y_store_merge_with_lefts(doc, cs, p);
	}
}

/*
 * The arrays a large transaction grew (loading a document, a big update)
 * keep little slack (y_store_trim).  Not after small ones: the next append
 * would grow the array again, and a realloc of the whole array back and
 * forth every few edits was a large part of applying many small updates.
 */
#define TRIM_MIN_GROWTH 256

static void trim_pass(struct y_doc *doc, struct y_txn *txn)
{
	const struct y_u64map *after = &txn->after_state;
	size_t k;

	for (k = 0; k < after->cap; k++) {
		struct y_client_structs *cs;

		if (after->keys[k] == Y_U64MAP_EMPTY ||
		    after->vals[k] -
				    sv_get(&txn->before_state, after->keys[k]) <
			    TRIM_MIN_GROWTH)
			continue;
		cs = y_store_client(&doc->store, after->keys[k]);
		if (cs)
			y_store_trim(cs);
	}
}

static bool state_changed(const struct y_txn *txn)
{
	const struct y_u64map *after = &txn->after_state;
	size_t k;

	if (after->n != txn->before_state.n)
		return true;
	for (k = 0; k < after->cap; k++) {
		if (after->keys[k] == Y_U64MAP_EMPTY)
			continue;
		if (sv_get(&txn->before_state, after->keys[k]) !=
		    after->vals[k])
			return true;
	}
	return false;
}

static void notify_txn(struct y_doc *doc, struct y_txn *txn)
{
	size_t i;

	for (i = 0; i < doc->txn_subs.n; i++)
		doc->txn_subs.v[i].fn.txn(doc->txn_subs.v[i].ctx, txn);
}

/* The update events of a transaction that changed something. */
static void notify_update(struct y_doc *doc, struct y_txn *txn)
{
	struct y_buf *b = &doc->update_buf;
	bool encode = false;
	size_t i;
	int rc;

	for (i = 0; i < doc->subs.n; i++)
		if (txn->local ||
		    !(doc->subs.v[i].flags & Y_UPDATE_REMOTE_BARE))
			encode = true;
	if (encode) {
		b->len = 0;
		b->oom = false;
		rc = y_encode_txn_update(b, txn);
		if (!rc)
			rc = y_buf_error(b);
		if (rc) {
			if (!txn->err)
				txn->err = rc;
			return;
		}
	}
	for (i = 0; i < doc->subs.n; i++) {
		struct y_subscriber *s = &doc->subs.v[i];
		bool bare = !txn->local && (s->flags & Y_UPDATE_REMOTE_BARE);

		s->fn.update(s->ctx, bare ? NULL : b->data, bare ? 0 : b->len,
			     txn->local, txn->origin);
	}
}

static int commit(struct y_txn *txn)
{
	struct y_doc *doc = txn->doc;
	int rc;

	y_ds_sort_merge(&txn->ds);
	rc = y_store_state_vector(&txn->after_state, &doc->store);
	if (rc)
		txn->err = rc;
	if (needs_format_cleanup(txn)) {
		rc = y_text_cleanup_after_remote(txn);
		if (rc && !txn->err)
			txn->err = rc;
	}
	if (doc->txn_subs.n && (!y_ds_empty(&txn->ds) || state_changed(txn)))
		notify_txn(doc, txn);
	if (doc->gc)
		gc_pass(doc, &txn->ds);
	merge_ds_pass(doc, &txn->ds);
	merge_after_state_pass(doc, txn);
	merge_structs_pass(doc, txn);
	trim_pass(doc, txn);
	if (!txn->local && sv_get(&txn->after_state, doc->client_id) !=
				   sv_get(&txn->before_state, doc->client_id))
		doc->client_id = y_doc_random_client_id(doc);
	if (doc->subs.n && (!y_ds_empty(&txn->ds) || state_changed(txn)))
		notify_update(doc, txn);
	return txn->err;
}

int y_txn_end(struct y_doc *doc)
{
	struct y_txn *txn = doc->txn;
	size_t i;
	int rc, rc2;

	if (!txn || doc->txn_depth <= 0)
		return -EINVAL;
	if (--doc->txn_depth > 0)
		return 0;
	doc->txn = NULL;
	if (doc->committing)
		return 0; /* queued: committed after the running commit */
	doc->committing = true;
	rc = commit(txn);
	txn_put(doc, txn);
	for (i = 0; i < doc->n_queue; i++) {
		rc2 = commit(doc->queue[i]);
		if (rc2 && !rc)
			rc = rc2;
		txn_put(doc, doc->queue[i]);
	}
	doc->n_queue = 0;
	doc->committing = false;
	free_deferred(doc);
	return rc;
}

int y_doc_transact_begin(struct y_doc *doc, void *origin)
{
	if (!doc)
		return -EINVAL;
	return y_txn_begin(NULL, doc, true, origin);
}

int y_doc_transact_end(struct y_doc *doc)
{
	if (!doc)
		return -EINVAL;
	return y_txn_end(doc);
}

/* ---- transaction observers and their view of a transaction ------------ */

/* Shared with list.c (prototype there). */
int y_types_item_value(struct y_value *out, struct y_item *item, uint64_t off);

int y_doc_on_txn(struct y_doc *doc, y_txn_fn fn, void *ctx)
{
	struct y_subscriber *s;

	if (!doc || !fn)
		return -EINVAL;
	s = y_subs_add(doc, &doc->txn_subs);
	if (!s)
		return -ENOMEM;
	s->fn.txn = fn;
	s->ctx = ctx;
	return s->id;
}

void y_doc_off_txn(struct y_doc *doc, int subscription)
{
	if (doc)
		y_subs_remove(&doc->txn_subs, subscription);
}

bool y_txn_local(const struct y_txn *txn)
{
	return txn->local;
}

void *y_txn_origin(const struct y_txn *txn)
{
	return txn->origin;
}

/*
 * The changed_epoch mark only dedups while the list is built: a formatting
 * cleanup transaction begun by this commit may have re-marked a type since,
 * so the list itself is the truth here.
 */
struct y_type *y_txn_changed_next(const struct y_txn *txn, size_t *pos)
{
	struct y_type *t;

	while (*pos < txn->n_changed) {
		t = txn->changed[(*pos)++];
		if (!t->item || !y_item_deleted(t->item))
			return t;
	}
	return NULL;
}

bool y_txn_created(const struct y_txn *txn, const struct y_type *t)
{
	return t->item && t->item->id.clock >= sv_get(&txn->before_state,
						      t->item->id.client);
}

/* Visible values an item adds to its parent's list views (y_list_iter):
 * string characters have no value of their own and are skipped there. */
static uint64_t item_values(struct y_item *n)
{
	struct y_value v;

	if (y_item_deleted(n) || !y_item_countable(n) ||
	    n->content.kind == Y_CONTENT_STRING)
		return 0;
	return y_types_item_value(&v, n, 0) < 0 ? 0 : n->len;
}

static int item_index(uint64_t *out, struct y_item *item)
{
	const struct y_item *n;
	uint64_t idx = 0;

	if (item->kind != Y_STRUCT_ITEM || item->parent_kind != Y_PARENT_TYPE ||
	    item->parent_sub || !item_values(item))
		return -ENOENT;
	for (n = item->parent.type->start; n && n != item; n = n->right)
		idx += item_values((struct y_item *)n);
	if (!n)
		return -ENOENT;
	*out = idx;
	return 0;
}

void y_insert_iter_init(struct y_insert_iter *it, struct y_txn *txn)
{
	it->txn = txn;
	it->slot = 0;
	it->idx = 0;
	it->end = 0; /* 0: find the next client with new structs */
}

int y_insert_iter_next(struct y_insert_iter *it, struct y_insert *out)
{
	const struct y_u64map *after = &it->txn->after_state;
	struct y_store *store = &it->txn->doc->store;
	struct y_client_structs *cs;
	struct y_item *item;
	uint64_t client, before;

	for (;;) {
		while (!it->end) {
			if (it->slot >= after->cap)
				return 0;
			client = after->keys[it->slot];
			if (client == Y_U64MAP_EMPTY) {
				it->slot++;
				continue;
			}
			before = sv_get(&it->txn->before_state, client);
			cs = y_store_client(store, client);
			if (!cs || before >= after->vals[it->slot]) {
				it->slot++;
				continue;
			}
			it->idx = y_store_find_index(cs, before);
			it->end = after->vals[it->slot];
		}
		cs = y_store_client(store, after->keys[it->slot]);
		if (!cs || it->idx >= cs->n ||
		    cs->items[it->idx]->id.clock >= it->end) {
			it->end = 0;
			it->slot++;
			continue;
		}
		item = cs->items[it->idx++];
		if (item->kind != Y_STRUCT_ITEM ||
		    item->parent_kind != Y_PARENT_TYPE || !item->parent.type)
			continue;
		memset(out, 0, sizeof(*out));
		out->parent = item->parent.type;
		if (item->parent_sub) {
			out->key = item->parent_sub->ptr;
			out->key_len = item->parent_sub->len;
		}
		out->deleted = y_item_deleted(item);
		out->value.kind = Y_VALUE_ANY;
		if (y_item_countable(item) &&
		    item->content.kind != Y_CONTENT_STRING &&
		    y_types_item_value(&out->value, item,
				       item->parent_sub ? item->len - 1 : 0) ==
			    0)
			out->n_values = item->len;
		out->item = item;
		return 1;
	}
}

int y_insert_index(uint64_t *out, const struct y_insert *ins)
{
	if (!ins || !ins->item)
		return -EINVAL;
	return item_index(out, ins->item);
}

const char *y_type_key(const struct y_type *t)
{
	return t->item && t->item->parent_sub ? t->item->parent_sub->ptr : NULL;
}

bool y_type_deleted(const struct y_type *t)
{
	return t->item && y_item_deleted(t->item);
}

int y_type_index(uint64_t *out, const struct y_type *t)
{
	if (!t->item)
		return -ENOENT;
	return item_index(out, t->item);
}
