/* SPDX-License-Identifier: MIT */
/*
 * apply.c - y_doc_apply_update (yjs applyUpdate, spec/yjs.md section 4):
 * the parsed update's structs are integrated in yjs's order (the stack
 * algorithm of integrateStructs, 4.2), what cannot be integrated yet is
 * merged into the document's pending structs (4.4), then the delete set is
 * applied with the pending delete set (4.5), all in one remote
 * transaction.  The engine (integrate.c, store.c, item.c) does the
 * per-struct work; this file only decides the order and the bookkeeping.
 *
 * Ownership: structs move out of the parsed update as they are consumed;
 * y_item_integrate hands them to the store, pending takes the blocked ones,
 * and duplicates and Skips are freed here.  Whatever is left in the update
 * on an error is freed with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

/* ---- small helpers ------------------------------------------------------- */

static int cs_push(struct y_client_structs *cs, struct y_item *it)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 4;
		struct y_item **p;

		if (cap > SIZE_MAX / sizeof(*p))
			return -ENOMEM;
		p = realloc(cs->items, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		cs->items = p;
		cs->cap = cap;
	}
	cs->items[cs->n++] = it;
	return 0;
}

static void pending_free(struct y_pending *p)
{
	if (!p)
		return;
	for (size_t c = 0; c < p->n; c++) {
		for (size_t i = 0; i < p->clients[c].n; i++)
			y_item_free(p->clients[c].items[i]);
		free(p->clients[c].items);
	}
	free(p->clients);
	y_u64map_release(&p->missing);
	free(p);
}

static struct y_pending *pending_new(void)
{
	struct y_pending *p = calloc(1, sizeof(*p));

	if (p)
		y_u64map_init(&p->missing);
	return p;
}

static struct y_client_structs *pending_client(struct y_pending *p,
					       uint64_t client, bool create)
{
	for (size_t c = 0; c < p->n; c++)
		if (p->clients[c].client == client)
			return &p->clients[c];
	if (!create)
		return NULL;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		struct y_client_structs *np;

		np = realloc(p->clients, cap * sizeof(*np));
		if (!np)
			return NULL;
		p->clients = np;
		p->cap = cap;
	}
	memset(&p->clients[p->n], 0, sizeof(p->clients[0]));
	p->clients[p->n].client = client;
	return &p->clients[p->n++];
}

static int missing_min(struct y_u64map *m, uint64_t client, uint64_t clock)
{
	uint64_t cur;

	if (y_u64map_get(m, client, &cur) && cur <= clock)
		return 0;
	return y_u64map_put(m, client, clock);
}

/* ---- integrateStructs (spec 4.2) ----------------------------------------- */

struct cref {
	struct y_client_structs *cs; /* in the parsed update */
	size_t next; /* cursor: next unread struct */
	bool removed; /* dead end: moved to rest */
};

struct stack_ent {
	size_t ci; /* index into crefs */
	size_t idx; /* index of the struct in its client's list */
};

struct order_ent {
	uint64_t client;
	size_t ci;
};

struct integ {
	struct y_txn *txn;
	struct cref *crefs;
	size_t ncrefs;
	struct y_u64map cidx; /* client -> index into crefs */
	struct order_ent *order; /* ascending client; pop = highest */
	size_t norder;
	struct stack_ent *stack;
	size_t nstack;
	struct y_pending *rest; /* NULL until something is blocked */
};

static int order_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct order_ent *)a)->client;
	uint64_t y = ((const struct order_ent *)b)->client;

	return x < y ? -1 : x > y;
}

static bool cref_exhausted(const struct cref *c)
{
	return c->removed || c->next >= c->cs->n;
}

/* The client with the highest id that still has unread structs. */
static struct cref *next_target(struct integ *g, size_t *ci)
{
	while (g->norder) {
		size_t i = g->order[g->norder - 1].ci;

		if (!cref_exhausted(&g->crefs[i])) {
			*ci = i;
			return &g->crefs[i];
		}
		g->norder--;
	}
	return NULL;
}

/*
 * Dead end: every stacked struct goes to rest together with everything not
 * yet integrated of its client (from the smallest stacked index of that
 * client on), and those clients are not read any further.
 */
static int dead_end(struct integ *g)
{
	int ret = 0;

	for (size_t s = 0; s < g->nstack; s++) {
		struct cref *c = &g->crefs[g->stack[s].ci];
		size_t from = g->stack[s].idx;
		struct y_client_structs *rc;

		if (c->removed)
			continue;
		for (size_t t = s + 1; t < g->nstack; t++)
			if (g->stack[t].ci == g->stack[s].ci &&
			    g->stack[t].idx < from)
				from = g->stack[t].idx;
		c->removed = true;
		if (!g->rest) {
			g->rest = pending_new();
			if (!g->rest)
				return -ENOMEM;
		}
		rc = pending_client(g->rest, c->cs->client, true);
		if (!rc)
			return -ENOMEM;
		for (size_t i = from; i < c->cs->n; i++) {
			struct y_item *it = c->cs->items[i];

			if (!it)
				continue;
			c->cs->items[i] = NULL;
			if (it->kind == Y_STRUCT_SKIP) {
				y_item_free(it);
				continue;
			}
			ret = cs_push(rc, it);
			if (ret) {
				y_item_free(it);
				return ret;
			}
		}
	}
	g->nstack = 0;
	return 0;
}

static void stack_push(struct integ *g, size_t ci, size_t idx)
{
	/* a struct is read once, so the stack cannot outgrow the number of
	 * structs it was allocated for */
	g->stack[g->nstack].ci = ci;
	g->stack[g->nstack].idx = idx;
	g->nstack++;
}

static int integrate_structs(struct integ *g)
{
	struct y_txn *txn = g->txn;
	struct y_store *s = &txn->doc->store;
	struct cref *target; /* yjs curStructsTarget */
	size_t ci, idx;
	int ret;

	target = next_target(g, &ci);
	if (!target)
		return 0;
	idx = target->next++;
	for (;;) {
		struct cref *c = &g->crefs[ci];
		struct y_item *head = c->cs->items[idx];

		if (head && head->kind == Y_STRUCT_SKIP) {
			/* never integrated: later structs of the client see a
			 * gap and stay pending */
			c->cs->items[idx] = NULL;
			y_item_free(head);
		} else if (head) {
			uint64_t client = head->id.client;
			uint64_t state = y_store_state(s, client);
			uint64_t m;

			if (state < head->id.clock) {
				stack_push(g, ci, idx);
				if (g->rest || (g->rest = pending_new()))
					ret = missing_min(&g->rest->missing,
							  client,
							  head->id.clock - 1);
				else
					ret = -ENOMEM;
				if (!ret)
					ret = dead_end(g);
				if (ret)
					return ret;
			} else if (y_item_get_missing(txn, head, &m)) {
				uint64_t mi;

				stack_push(g, ci, idx);
				if (y_u64map_get(&g->cidx, m, &mi) &&
				    !cref_exhausted(&g->crefs[mi])) {
					ci = mi;
					idx = g->crefs[mi].next++;
					continue;
				}
				if (g->rest || (g->rest = pending_new()))
					ret = missing_min(&g->rest->missing, m,
							  y_store_state(s, m));
				else
					ret = -ENOMEM;
				if (!ret)
					ret = dead_end(g);
				if (ret)
					return ret;
			} else if (txn->err) {
				return txn->err;
			} else if (state - head->id.clock < head->len) {
				ret = y_item_integrate(txn, head,
						       state - head->id.clock);
				if (ret)
					return ret;
				c->cs->items[idx] =
					NULL; /* the store owns it */
			} else {
				/* already known: duplicates are normal */
				c->cs->items[idx] = NULL;
				y_item_free(head);
			}
		}
		if (g->nstack) {
			g->nstack--;
			ci = g->stack[g->nstack].ci;
			idx = g->stack[g->nstack].idx;
		} else if (!cref_exhausted(target)) {
			ci = (size_t)(target - g->crefs);
			idx = target->next++;
		} else {
			target = next_target(g, &ci);
			if (!target)
				return 0;
			idx = target->next++;
		}
	}
}

/* integrateStructs over a parsed update; *rest gets what stays blocked. */
static int run_integrate(struct y_txn *txn, struct y_update *u,
			 struct y_pending **rest)
{
	struct integ g;
	size_t total = 0;
	int ret = 0;

	memset(&g, 0, sizeof(g));
	g.txn = txn;
	y_u64map_init(&g.cidx);
	*rest = NULL;
	if (!u->n)
		return 0;
	g.crefs = calloc(u->n, sizeof(*g.crefs));
	g.order = calloc(u->n, sizeof(*g.order));
	if (!g.crefs || !g.order) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t c = 0; c < u->n; c++) {
		g.crefs[g.ncrefs].cs = &u->clients[c];
		g.order[g.ncrefs].client = u->clients[c].client;
		g.order[g.ncrefs].ci = g.ncrefs;
		ret = y_u64map_put(&g.cidx, u->clients[c].client, g.ncrefs);
		if (ret)
			goto out;
		g.ncrefs++;
		total += u->clients[c].n;
	}
	g.norder = g.ncrefs;
	qsort(g.order, g.norder, sizeof(*g.order), order_cmp);
	g.stack = calloc(total ? total : 1, sizeof(*g.stack));
	if (!g.stack) {
		ret = -ENOMEM;
		goto out;
	}
	ret = integrate_structs(&g);
out:
	if (ret) {
		pending_free(g.rest);
		g.rest = NULL;
	}
	*rest = g.rest;
	free(g.stack);
	free(g.order);
	free(g.crefs);
	y_u64map_release(&g.cidx);
	return ret;
}

/* ---- pending structs (spec 4.4) ------------------------------------------ */

/* Drops the first diff clocks of a parsed struct, as yjs sliceStruct: the
 * rest has origin (client, clock - 1) and so no parent info. */
static int slice_struct(struct y_item *it, uint64_t diff)
{
	if (it->kind == Y_STRUCT_ITEM) {
		struct y_content right;
		int ret = y_content_splice(&right, &it->content, diff, it->len);

		if (ret)
			return ret;
		y_content_release(&it->content);
		it->content = right;
		it->origin.client = it->id.client;
		it->origin.clock = it->id.clock + diff - 1;
		it->info |= Y_ITEM_HAS_ORIGIN;
		y_item_drop_parent(it);
		free(it->parent_sub);
		it->parent_sub = NULL;
	}
	it->id.clock += diff;
	it->len -= diff;
	return 0;
}

/*
 * Merges the sorted struct list add into dst (sorted, without overlaps),
 * like yjs mergeUpdates: on equal clocks dst's struct comes first; structs
 * covered by what is already there are dropped, partly covered ones are
 * sliced.  add is emptied (its structs are moved or freed).
 */
static int merge_client(struct y_client_structs *dst,
			struct y_client_structs *add)
{
	struct y_item **out;
	size_t i = 0, j = 0, n = 0, cap = dst->n + add->n;
	uint64_t end = 0;
	bool have_end = false;
	int ret = 0;

	out = malloc((cap ? cap : 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	while (i < dst->n || j < add->n) {
		struct y_item *it;

		if (j >= add->n ||
		    (i < dst->n &&
		     dst->items[i]->id.clock <= add->items[j]->id.clock))
			it = dst->items[i++];
		else
			it = add->items[j++];
		if (have_end && it->id.clock + it->len <= end) {
			y_item_free(it);
			continue;
		}
		if (have_end && it->id.clock < end) {
			ret = slice_struct(it, end - it->id.clock);
			if (ret) {
				y_item_free(it);
				/* keep going: losing a pending struct only
				 * delays it until it is sent again */
			}
			if (ret)
				continue;
		}
		out[n++] = it;
		end = it->id.clock + it->len;
		have_end = true;
	}
	free(dst->items);
	free(add->items);
	add->items = NULL;
	add->n = add->cap = 0;
	dst->items = out;
	dst->n = n;
	dst->cap = cap ? cap : 1;
	return ret;
}

static int pending_merge(struct y_pending *p, struct y_pending *rest)
{
	int ret = 0;

	for (size_t i = 0; i < rest->missing.cap; i++) {
		if (rest->missing.keys[i] == Y_U64MAP_EMPTY)
			continue;
		ret = missing_min(&p->missing, rest->missing.keys[i],
				  rest->missing.vals[i]);
		if (ret)
			return ret;
	}
	for (size_t c = 0; c < rest->n; c++) {
		struct y_client_structs *dst;
		int r;

		if (!rest->clients[c].n)
			continue;
		dst = pending_client(p, rest->clients[c].client, true);
		if (!dst)
			return -ENOMEM;
		r = merge_client(dst, &rest->clients[c]);
		if (r && !ret)
			ret = r;
	}
	return ret;
}

/* ---- delete sets (spec 4.5) ---------------------------------------------- */

/*
 * readAndApplyDeleteSet: deletes what is known, returns the rest in
 * *unapplied (initialised here).
 */
static int apply_ds(struct y_txn *txn, const struct y_ds *ds,
		    struct y_ds *unapplied)
{
	struct y_store *s = &txn->doc->store;
	int ret;

	y_ds_init(unapplied);
	for (size_t c = 0; c < ds->n; c++) {
		const struct y_ds_client *dc = &ds->clients[c];
		uint64_t client = dc->client;
		uint64_t state = y_store_state(s, client);

		for (size_t r = 0; r < dc->n; r++) {
			uint64_t clock = dc->ranges[r].clock;
			uint64_t end = clock + dc->ranges[r].len;
			struct y_client_structs *cs;
			struct y_item *it;
			size_t i;

			if (clock >= state) {
				ret = y_ds_add(unapplied, client, clock,
					       end - clock);
				if (ret)
					return ret;
				continue;
			}
			if (state < end) {
				ret = y_ds_add(unapplied, client, state,
					       end - state);
				if (ret)
					return ret;
			}
			cs = y_store_client(s, client);
			i = y_store_find_index(cs, clock);
			if (i >= cs->n)
				return -EINVAL;
			it = cs->items[i];
			if (!y_item_deleted(it) && it->id.clock < clock) {
				struct y_item *right;

				ret = y_store_reserve(s, client, 1);
				if (ret)
					return ret;
				cs = y_store_client(s, client);
				right = y_item_split(txn, it,
						     clock - it->id.clock);
				if (!right)
					return -ENOMEM;
				ret = y_store_insert_at(cs, i + 1, right);
				if (ret)
					return ret;
				i++;
			}
			while (i < cs->n) {
				it = cs->items[i++];
				if (it->id.clock >= end)
					break;
				if (y_item_deleted(it))
					continue;
				if (end < it->id.clock + it->len) {
					struct y_item *right;

					ret = y_store_reserve(s, client, 1);
					if (ret)
						return ret;
					cs = y_store_client(s, client);
					right = y_item_split(
						txn, it, end - it->id.clock);
					if (!right)
						return -ENOMEM;
					ret = y_store_insert_at(cs, i, right);
					if (ret)
						return ret;
				}
				y_item_delete(txn, it);
				cs = y_store_client(s, client);
			}
		}
	}
	return 0;
}

static int apply_delete_sets(struct y_txn *txn, const struct y_ds *ds)
{
	struct y_doc *doc = txn->doc;
	struct y_ds rest, rest2;
	int ret;

	ret = apply_ds(txn, ds, &rest);
	if (ret)
		goto err_rest;
	if (!y_ds_empty(&doc->pending_ds)) {
		struct y_ds old = doc->pending_ds;

		y_ds_init(&doc->pending_ds);
		ret = apply_ds(txn, &old, &rest2);
		if (ret) {
			/* keep what was pending */
			y_ds_release(&doc->pending_ds);
			doc->pending_ds = old;
			y_ds_release(&rest2);
			goto err_rest;
		}
		y_ds_release(&old);
		if (!y_ds_empty(&rest) && !y_ds_empty(&rest2)) {
			ret = y_ds_union(&rest, &rest2);
			y_ds_release(&rest2);
			if (ret)
				goto err_rest;
		} else if (y_ds_empty(&rest)) {
			y_ds_release(&rest);
			rest = rest2;
		} else {
			y_ds_release(&rest2);
		}
	}
	y_ds_release(&doc->pending_ds);
	doc->pending_ds = rest;
	return 0;
err_rest:
	y_ds_release(&rest);
	return ret;
}

/* ---- readUpdate ---------------------------------------------------------- */

static int apply_parsed(struct y_txn *txn, struct y_update *u)
{
	struct y_doc *doc = txn->doc;
	struct y_pending *rest = NULL, *pending = doc->pending;
	bool retry = false;
	int ret;

	ret = run_integrate(txn, u, &rest);
	if (ret)
		return ret;
	if (pending) {
		struct y_store *s = &doc->store;

		for (size_t i = 0; i < pending->missing.cap && !retry; i++)
			if (pending->missing.keys[i] != Y_U64MAP_EMPTY &&
			    pending->missing.vals[i] <
				    y_store_state(s, pending->missing.keys[i]))
				retry = true;
		if (rest) {
			ret = pending_merge(pending, rest);
			pending_free(rest);
			if (ret)
				return ret;
		}
	} else {
		doc->pending = rest;
	}
	ret = apply_delete_sets(txn, &u->ds);
	if (ret)
		return ret;
	if (retry) {
		/*
		 * Something the pending structs waited for has arrived:
		 * apply them again (yjs calls applyUpdate recursively).  The
		 * nested round starts without pending structs, so it cannot
		 * retry again: this terminates.
		 */
		struct y_update again;

		memset(&again, 0, sizeof(again));
		y_ds_init(&again.ds);
		again.clients = pending->clients;
		again.n = pending->n;
		again.cap = pending->cap;
		pending->clients = NULL;
		pending->n = pending->cap = 0;
		pending_free(pending);
		doc->pending = NULL;
		ret = apply_parsed(txn, &again);
		y_update_release(&again);
	}
	return ret;
}

/* Roots named by the update exist from now on, as yjs creates them while
 * reading (even for structs that then stay pending). */
static int create_roots(struct y_doc *doc, const struct y_update *u)
{
	for (size_t c = 0; c < u->n; c++)
		for (size_t i = 0; i < u->clients[c].n; i++) {
			const struct y_item *it = u->clients[c].items[i];

			if (it->kind == Y_STRUCT_ITEM &&
			    it->parent_kind == Y_PARENT_ROOT_NAME &&
			    !y_doc_get_root(doc, it->parent.root->ptr,
					    it->parent.root->len))
				return -ENOMEM;
		}
	return 0;
}

int y_doc_apply_update(struct y_doc *doc, const uint8_t *update, size_t len,
		       struct y_error *err)
{
	struct y_update u;
	struct y_txn *txn;
	int ret, ret2;

	if (!doc || (!update && len))
		return -EINVAL;
	ret = y_update_parse(&u, update, len, err);
	if (ret)
		return ret;
	ret = y_txn_begin(&txn, doc, false, NULL);
	if (ret)
		goto out;
	txn->local = false;
	ret = create_roots(doc, &u);
	if (!ret)
		ret = apply_parsed(txn, &u);
	ret2 = y_txn_end(doc);
	if (!ret)
		ret = ret2;
	if (ret && err) {
		err->offset = 0;
		snprintf(err->msg, sizeof(err->msg),
			 "applying the update failed (%d)", ret);
	}
out:
	y_update_release(&u);
	return ret;
}

bool y_doc_has_pending(const struct y_doc *doc)
{
	if (!doc)
		return false;
	return doc->pending != NULL || !y_ds_empty(&doc->pending_ds);
}
