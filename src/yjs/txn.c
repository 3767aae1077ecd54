/* SPDX-License-Identifier: MIT */
/*
 * txn.c - transactions (spec 7): nesting, the state snapshot taken at the
 * start, the "changed" bookkeeping, and the commit pipeline run when the
 * outermost transaction ends: delete-set normalisation, formatting cleanup
 * trigger, garbage collection, the three merge passes, client-id
 * regeneration and the update event.  Transactions begun while a commit is
 * running (the formatting cleanup) are queued and committed right after it;
 * structs freed by the commit are released only when the queue is empty.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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

/* The arrays this transaction grew keep little slack (y_store_trim). */
static void trim_pass(struct y_doc *doc, struct y_txn *txn)
{
	const struct y_u64map *after = &txn->after_state;
	size_t k;

	for (k = 0; k < after->cap; k++) {
		struct y_client_structs *cs;

		if (after->keys[k] == Y_U64MAP_EMPTY ||
		    sv_get(&txn->before_state, after->keys[k]) ==
			    after->vals[k])
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
	if (doc->gc)
		gc_pass(doc, &txn->ds);
	merge_ds_pass(doc, &txn->ds);
	merge_after_state_pass(doc, txn);
	merge_structs_pass(doc, txn);
	trim_pass(doc, txn);
	if (!txn->local && sv_get(&txn->after_state, doc->client_id) !=
				   sv_get(&txn->before_state, doc->client_id))
		doc->client_id = y_doc_random_client_id(doc);
	if (doc->n_subs && (!y_ds_empty(&txn->ds) || state_changed(txn))) {
		struct y_buf *b = &doc->update_buf;
		size_t i;

		b->len = 0;
		b->oom = false;
		rc = y_encode_txn_update(b, txn);
		if (!rc)
			rc = y_buf_error(b);
		if (rc) {
			if (!txn->err)
				txn->err = rc;
		} else {
			for (i = 0; i < doc->n_subs; i++)
				doc->subs[i].fn(doc->subs[i].ctx, b->data,
						b->len, txn->local,
						txn->origin);
		}
	}
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
