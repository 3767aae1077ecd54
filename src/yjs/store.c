/* SPDX-License-Identifier: MIT */
/*
 * store.c - the struct store (yjs StructStore, spec 2.5): per client an
 * array of structs sorted by clock and contiguous from 0.  Lookups are
 * binary searches; the clean-start/clean-end lookups split items so that an
 * id lands on an item boundary, inserting the right half after the left.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

void y_store_init(struct y_store *s)
{
	memset(s, 0, sizeof(*s));
	y_u64map_init(&s->idx);
}

void y_store_release(struct y_store *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		struct y_client_structs *cs = &s->clients[i];

		for (j = 0; j < cs->n; j++)
			y_item_free(cs->items[j]);
		free(cs->items);
	}
	free(s->clients);
	y_u64map_release(&s->idx);
	y_store_init(s);
}

struct y_client_structs *y_store_client(const struct y_store *s,
					uint64_t client)
{
	uint64_t i;

	if (!y_u64map_get(&s->idx, client, &i))
		return NULL;
	return &s->clients[i];
}

uint64_t y_store_state(const struct y_store *s, uint64_t client)
{
	const struct y_client_structs *cs = y_store_client(s, client);
	const struct y_item *last;

	if (!cs || !cs->n)
		return 0;
	last = cs->items[cs->n - 1];
	return last->id.clock + last->len;
}

int y_store_state_vector(struct y_u64map *out, const struct y_store *s)
{
	size_t i;

	y_u64map_clear(out);
	for (i = 0; i < s->n; i++) {
		const struct y_client_structs *cs = &s->clients[i];
		const struct y_item *last;
		int rc;

		if (!cs->n)
			continue;
		last = cs->items[cs->n - 1];
		rc = y_u64map_put(out, cs->client, last->id.clock + last->len);
		if (rc)
			return rc;
	}
	return 0;
}

/* Returns cs->n when clock is not covered (a caller bug). */
size_t y_store_find_index(const struct y_client_structs *cs, uint64_t clock)
{
	size_t lo = 0, hi, mid;
	const struct y_item *last;

	if (!cs || !cs->n)
		return cs ? cs->n : 0;
	hi = cs->n - 1;
	last = cs->items[hi];
	if (last->id.clock <= clock) {
		return clock < last->id.clock + last->len ? hi : cs->n;
	}
	/* interpolation guess first: clocks grow roughly evenly */
	mid = (size_t)((double)clock / (double)(last->id.clock + last->len) *
		       (double)hi);
	if (mid > hi)
		mid = hi;
	for (;;) {
		const struct y_item *m = cs->items[mid];

		if (m->id.clock <= clock) {
			if (clock < m->id.clock + m->len)
				return mid;
			lo = mid + 1;
		} else {
			if (mid == 0)
				return cs->n;
			hi = mid - 1;
		}
		if (lo > hi)
			return cs->n;
		mid = lo + (hi - lo) / 2;
	}
}

struct y_item *y_store_find(const struct y_store *s, struct y_id id)
{
	const struct y_client_structs *cs = y_store_client(s, id.client);
	size_t i = y_store_find_index(cs, id.clock);

	if (!cs || i >= cs->n)
		return NULL;
	return cs->items[i];
}

static int cs_reserve(struct y_client_structs *cs, size_t extra)
{
	struct y_item **p;
	size_t cap;

	if (cs->n + extra <= cs->cap)
		return 0;
	cap = cs->cap ? cs->cap * 2 : 8;
	while (cap < cs->n + extra)
		cap *= 2;
	p = realloc(cs->items, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	cs->items = p;
	cs->cap = cap;
	return 0;
}

void y_store_trim(struct y_client_structs *cs)
{
	struct y_item **p;
	size_t cap;

	if (cs->cap - cs->n <= cs->n / 4 + 64)
		return;
	cap = cs->n + cs->n / 64 + 8;
	p = realloc(cs->items, cap * sizeof(*p));
	if (p) {
		cs->items = p;
		cs->cap = cap;
	}
}

int y_store_reserve(struct y_store *s, uint64_t client, size_t extra)
{
	struct y_client_structs *cs = y_store_client(s, client);
	int rc;

	if (!cs) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 4;

			cs = realloc(s->clients, cap * sizeof(*cs));
			if (!cs)
				return -ENOMEM;
			s->clients = cs;
			s->cap = cap;
		}
		rc = y_u64map_put(&s->idx, client, s->n);
		if (rc)
			return rc;
		cs = &s->clients[s->n++];
		memset(cs, 0, sizeof(*cs));
		cs->client = client;
	}
	return cs_reserve(cs, extra);
}

int y_store_add(struct y_store *s, struct y_item *item)
{
	struct y_client_structs *cs;
	int rc;

	if (y_store_state(s, item->id.client) != item->id.clock)
		return -EINVAL;
	rc = y_store_reserve(s, item->id.client, 1);
	if (rc)
		return rc;
	cs = y_store_client(s, item->id.client);
	cs->items[cs->n++] = item;
	return 0;
}

int y_store_insert_at(struct y_client_structs *cs, size_t index,
		      struct y_item *item)
{
	int rc = cs_reserve(cs, 1);

	if (rc)
		return rc;
	memmove(&cs->items[index + 1], &cs->items[index],
		(cs->n - index) * sizeof(*cs->items));
	cs->items[index] = item;
	cs->n++;
	return 0;
}

void y_store_replace(struct y_store *s, struct y_item *old, struct y_item *repl)
{
	struct y_client_structs *cs = y_store_client(s, old->id.client);
	size_t i = y_store_find_index(cs, old->id.clock);

	if (cs && i < cs->n)
		cs->items[i] = repl;
}

/* Splits cs->items[i] at diff and inserts the right half after it. */
static struct y_item *split_at(struct y_txn *txn, struct y_client_structs *cs,
			       size_t i, uint64_t diff)
{
	struct y_item *r;

	if (cs_reserve(cs, 1)) {
		txn->err = -ENOMEM;
		return NULL;
	}
	r = y_item_split(txn, cs->items[i], diff);
	if (r)
		y_store_insert_at(cs, i + 1, r); /* reserved: cannot fail */
	return r;
}

struct y_item *y_store_clean_start(struct y_txn *txn, struct y_id id)
{
	struct y_client_structs *cs =
		y_store_client(&txn->doc->store, id.client);
	size_t i = y_store_find_index(cs, id.clock);
	struct y_item *it;

	if (!cs || i >= cs->n)
		return NULL;
	it = cs->items[i];
	if (it->kind == Y_STRUCT_ITEM && id.clock > it->id.clock)
		return split_at(txn, cs, i, id.clock - it->id.clock);
	return it;
}

struct y_item *y_store_clean_end(struct y_txn *txn, struct y_id id)
{
	struct y_client_structs *cs =
		y_store_client(&txn->doc->store, id.client);
	size_t i = y_store_find_index(cs, id.clock);
	struct y_item *it;

	if (!cs || i >= cs->n)
		return NULL;
	it = cs->items[i];
	if (it->kind == Y_STRUCT_ITEM &&
	    id.clock != it->id.clock + it->len - 1) {
		if (!split_at(txn, cs, i, id.clock - it->id.clock + 1))
			return NULL;
	}
	return it;
}
