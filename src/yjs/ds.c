/* SPDX-License-Identifier: MIT */
/*
 * ds.c - delete sets and state vectors (spec/yjs.md 3, 3.4, 7.4 step 1, 8.2
 * step 3).
 *
 * A delete set maps client -> list of [clock, clock+len) ranges.  While a
 * transaction runs its ranges are unsorted (y_ds_add appends, as yjs
 * addToDeleteSet does); y_ds_sort_merge brings it into the canonical form
 * that y_ds_contains, the GC pass and the encoders rely on.  Wire readers
 * never trust counts: every count is checked against the bytes left.
 *
 * Functions with an `out` parameter (y_ds_from_store, y_ds_read,
 * y_sv_read) initialise it themselves; on error it is left empty (still
 * safe to release).
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

void y_ds_init(struct y_ds *ds)
{
	ds->clients = NULL;
	ds->n = 0;
	ds->cap = 0;
	y_u64map_init(&ds->idx);
}

void y_ds_release(struct y_ds *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->clients[i].ranges);
	free(ds->clients);
	y_u64map_release(&ds->idx);
	y_ds_init(ds);
}

bool y_ds_empty(const struct y_ds *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->clients[i].n)
			return false;
	return true;
}

static struct y_ds_client *ds_find(const struct y_ds *ds, uint64_t client)
{
	uint64_t i;

	if (!y_u64map_get(&ds->idx, client, &i))
		return NULL;
	return &ds->clients[i];
}

static struct y_ds_client *ds_get(struct y_ds *ds, uint64_t client)
{
	struct y_ds_client *dc = ds_find(ds, client);

	if (dc)
		return dc;
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 4;
		struct y_ds_client *p;

		if (cap > SIZE_MAX / sizeof(*p))
			return NULL;
		p = realloc(ds->clients, cap * sizeof(*p));
		if (!p)
			return NULL;
		ds->clients = p;
		ds->cap = cap;
	}
	if (y_u64map_put(&ds->idx, client, ds->n))
		return NULL;
	dc = &ds->clients[ds->n++];
	dc->client = client;
	dc->ranges = NULL;
	dc->n = 0;
	dc->cap = 0;
	return dc;
}

static int dc_push(struct y_ds_client *dc, uint64_t clock, uint64_t len)
{
	if (dc->n == dc->cap) {
		size_t cap = dc->cap ? dc->cap * 2 : 4;
		struct y_range *p;

		if (cap > SIZE_MAX / sizeof(*p))
			return -ENOMEM;
		p = realloc(dc->ranges, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		dc->ranges = p;
		dc->cap = cap;
	}
	dc->ranges[dc->n].clock = clock;
	dc->ranges[dc->n].len = len;
	dc->n++;
	return 0;
}

int y_ds_add(struct y_ds *ds, uint64_t client, uint64_t clock, uint64_t len)
{
	struct y_ds_client *dc = ds_get(ds, client);
	struct y_range *last;

	if (!dc)
		return -ENOMEM;
	/* Extending an adjacent last range gives the same result after
	 * sort_merge and keeps long runs of single deletions small. */
	last = dc->n ? &dc->ranges[dc->n - 1] : NULL;
	if (last && last->clock + last->len == clock) {
		last->len += len;
		return 0;
	}
	return dc_push(dc, clock, len);
}

static int range_cmp(const void *a, const void *b)
{
	const struct y_range *x = a, *y = b;

	return x->clock < y->clock ? -1 : x->clock > y->clock;
}

static void dc_sort_merge(struct y_ds_client *dc)
{
	size_t i, j;

	if (dc->n < 2)
		return;
	qsort(dc->ranges, dc->n, sizeof(*dc->ranges), range_cmp);
	for (i = 1, j = 1; i < dc->n; i++) {
		struct y_range *left = &dc->ranges[j - 1];
		struct y_range *right = &dc->ranges[i];

		if (left->clock + left->len >= right->clock) {
			uint64_t end = right->clock + right->len;

			if (end - left->clock > left->len)
				left->len = end - left->clock;
		} else {
			dc->ranges[j++] = *right;
		}
	}
	dc->n = j;
}

void y_ds_sort_merge(struct y_ds *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		dc_sort_merge(&ds->clients[i]);
}

bool y_ds_contains(const struct y_ds *ds, struct y_id id)
{
	const struct y_ds_client *dc = ds_find(ds, id.client);
	size_t lo = 0, hi;

	if (!dc)
		return false;
	hi = dc->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct y_range *r = &dc->ranges[mid];

		if (id.clock < r->clock)
			hi = mid;
		else if (id.clock >= r->clock + r->len)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int y_ds_from_store(struct y_ds *out, const struct y_store *s)
{
	y_ds_init(out);
	for (size_t c = 0; c < s->n; c++) {
		const struct y_client_structs *cs = &s->clients[c];
		struct y_ds_client *dc = NULL;

		for (size_t i = 0; i < cs->n; i++) {
			uint64_t clock, len;

			if (!y_item_deleted(cs->items[i]))
				continue;
			clock = cs->items[i]->id.clock;
			len = cs->items[i]->len;
			while (i + 1 < cs->n &&
			       y_item_deleted(cs->items[i + 1]))
				len += cs->items[++i]->len;
			if (!dc)
				dc = ds_get(out, cs->client);
			if (!dc || dc_push(dc, clock, len))
				goto err;
		}
	}
	return 0;
err:
	y_ds_release(out);
	return -ENOMEM;
}

int y_ds_union(struct y_ds *dst, const struct y_ds *src)
{
	for (size_t c = 0; c < src->n; c++) {
		const struct y_ds_client *sc = &src->clients[c];
		struct y_ds_client *dc;

		if (!sc->n)
			continue;
		dc = ds_get(dst, sc->client);
		if (!dc)
			return -ENOMEM;
		for (size_t i = 0; i < sc->n; i++)
			if (dc_push(dc, sc->ranges[i].clock, sc->ranges[i].len))
				return -ENOMEM;
	}
	y_ds_sort_merge(dst);
	return 0;
}

static int u64_desc_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x > y ? -1 : x < y;
}

static int ds_client_desc_cmp(const void *a, const void *b)
{
	const struct y_ds_client *const *x = a, *const *y = b;

	return u64_desc_cmp(&(*x)->client, &(*y)->client);
}

void y_ds_write(struct y_buf *b, const struct y_ds *ds)
{
	const struct y_ds_client **order;
	size_t n = 0;

	for (size_t i = 0; i < ds->n; i++)
		n += ds->clients[i].n != 0;
	if (!n) {
		y_buf_put_var_uint(b, 0);
		return;
	}
	order = malloc(n * sizeof(*order));
	if (!order) {
		b->oom = true;
		return;
	}
	n = 0;
	for (size_t i = 0; i < ds->n; i++)
		if (ds->clients[i].n)
			order[n++] = &ds->clients[i];
	qsort(order, n, sizeof(*order), ds_client_desc_cmp);
	y_buf_put_var_uint(b, n);
	for (size_t i = 0; i < n; i++) {
		y_buf_put_var_uint(b, order[i]->client);
		y_buf_put_var_uint(b, order[i]->n);
		for (size_t j = 0; j < order[i]->n; j++) {
			y_buf_put_var_uint(b, order[i]->ranges[j].clock);
			y_buf_put_var_uint(b, order[i]->ranges[j].len);
		}
	}
	free(order);
}

/*
 * Clients keep their first wire position, ranges their wire order (not
 * sorted: y_update_dump shows them as sent); a client repeated on the wire
 * gets the later ranges appended; clients with 0 ranges are skipped, as in
 * yjs readDeleteSet.  Zero-length ranges are rejected.
 */
int y_ds_read(struct y_ds *out, struct y_reader *r)
{
	uint64_t nclients, client, nranges, clock, len;
	int ret;

	y_ds_init(out);
	ret = y_read_var_uint(r, &nclients);
	if (ret)
		goto err;
	/* each client entry takes at least 2 bytes */
	if (nclients > y_reader_left(r) / 2) {
		ret = y_reader_fail(r, "delete set: %llu clients exceed input",
				    (unsigned long long)nclients);
		goto err;
	}
	for (uint64_t c = 0; c < nclients; c++) {
		struct y_ds_client *dc = NULL;

		ret = y_read_var_uint(r, &client);
		if (!ret)
			ret = y_read_var_uint(r, &nranges);
		if (ret)
			goto err;
		if (nranges > y_reader_left(r) / 2) {
			ret = y_reader_fail(
				r, "delete set: %llu ranges exceed input",
				(unsigned long long)nranges);
			goto err;
		}
		if (nranges) {
			dc = ds_get(out, client);
			if (!dc) {
				ret = -ENOMEM;
				goto err;
			}
		}
		for (uint64_t i = 0; i < nranges; i++) {
			ret = y_read_var_uint(r, &clock);
			if (!ret)
				ret = y_read_var_uint(r, &len);
			if (ret)
				goto err;
			if (!len) {
				ret = y_reader_fail(r,
						    "delete set: empty range");
				goto err;
			}
			if (len > Y_MAX_SAFE_INTEGER - clock) {
				ret = y_reader_fail(
					r, "delete set: range overflow");
				goto err;
			}
			ret = dc_push(dc, clock, len);
			if (ret)
				goto err;
		}
	}
	return 0;
err:
	y_ds_release(out);
	return ret;
}

void y_sv_write(struct y_buf *b, const struct y_u64map *sv)
{
	uint64_t *keys;
	size_t n = 0;

	if (!sv->n) {
		y_buf_put_var_uint(b, 0);
		return;
	}
	keys = malloc(sv->n * sizeof(*keys));
	if (!keys) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < sv->cap && n < sv->n; i++)
		if (sv->keys[i] != Y_U64MAP_EMPTY)
			keys[n++] = sv->keys[i];
	qsort(keys, n, sizeof(*keys), u64_desc_cmp);
	y_buf_put_var_uint(b, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t clock = 0;

		y_u64map_get(sv, keys[i], &clock);
		y_buf_put_var_uint(b, keys[i]);
		y_buf_put_var_uint(b, clock);
	}
	free(keys);
}

int y_sv_read(struct y_u64map *out, struct y_reader *r)
{
	uint64_t n, client, clock;
	int ret;

	y_u64map_init(out);
	ret = y_read_var_uint(r, &n);
	if (ret)
		goto err;
	if (n > y_reader_left(r) / 2) {
		ret = y_reader_fail(r,
				    "state vector: %llu entries exceed input",
				    (unsigned long long)n);
		goto err;
	}
	for (uint64_t i = 0; i < n; i++) {
		ret = y_read_var_uint(r, &client);
		if (!ret)
			ret = y_read_var_uint(r, &clock);
		if (ret)
			goto err;
		/* duplicates: the last one wins, as with a JS Map */
		ret = y_u64map_put(out, client, clock);
		if (ret)
			goto err;
	}
	return 0;
err:
	y_u64map_release(out);
	y_u64map_init(out);
	return ret;
}
