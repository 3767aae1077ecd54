/* SPDX-License-Identifier: MIT */
/*
 * encode.c - writing updates (spec/yjs.md section 8): one struct with an
 * offset (8.2, 8.3), state vectors (8.1), encodeStateAsUpdate with the
 * pending structs and pending delete set merged in (8.2, 8.5), the
 * update of a committed transaction (8.4) and mergeUpdates of parsed
 * updates (the same per-client run merge).
 *
 * The encoder never squashes Items: it writes the store as it is (the
 * commit merges).  When the document holds pending state, yjs passes its
 * result through mergeUpdates; the per-client "run" merge below reproduces
 * what that does (Skips fill gaps, GCs merge where two runs meet, covered
 * structs are dropped, straddling ones are written with an offset).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- one struct ------------------------------------------------------------ */

static void put_id(struct y_buf *b, struct y_id id)
{
	y_buf_put_var_uint(b, id.client);
	y_buf_put_var_uint(b, id.clock);
}

static void put_json(struct y_buf *b, const struct y_any *v)
{
	struct y_buf t;

	y_buf_init(&t);
	y_json_put(&t, v);
	if (t.oom)
		b->oom = true;
	y_buf_put_var_string(b, (const char *)t.data, t.len);
	y_buf_release(&t);
}

static void put_string_from(struct y_buf *b, const struct y_content *c,
			    uint64_t offset)
{
	const char *s = y_content_str(c);
	bool mid = false;
	size_t at;

	if (!offset) {
		y_buf_put_var_string(b, s, c->str.len);
		return;
	}
	at = y_utf8_offset(s, c->str.len, offset, &mid);
	if (!mid) {
		y_buf_put_var_string(b, s + at, c->str.len - at);
		return;
	}
	/* JS slices between the surrogates; TextEncoder turns the orphaned
	 * low surrogate into U+FFFD (vector V10b) */
	y_buf_put_var_uint(b, 3 + (c->str.len - at - 4));
	y_buf_put_bytes(b, "\xef\xbf\xbd", 3);
	y_buf_put_bytes(b, s + at + 4, c->str.len - at - 4);
}

static void put_content(struct y_buf *b, const struct y_item *it,
			uint64_t offset)
{
	const struct y_content *c = &it->content;

	switch (c->kind) {
	case Y_CONTENT_DELETED:
		y_buf_put_var_uint(b, it->len - offset);
		break;
	case Y_CONTENT_JSON:
		y_buf_put_var_uint(b, c->list.n - offset);
		for (size_t i = offset; i < c->list.n; i++) {
			if (c->list.vals[i].kind == Y_ANY_UNDEFINED)
				y_buf_put_var_string(b, "undefined", 9);
			else
				put_json(b, &c->list.vals[i]);
		}
		break;
	case Y_CONTENT_ANY:
		y_buf_put_var_uint(b, c->list.n - offset);
		for (size_t i = offset; i < c->list.n; i++)
			y_buf_put_any(b, &c->list.vals[i]);
		break;
	case Y_CONTENT_BINARY:
		y_buf_put_var_bytes(b, c->val->bytes.ptr, c->val->bytes.len);
		break;
	case Y_CONTENT_STRING:
		put_string_from(b, c, offset);
		break;
	case Y_CONTENT_EMBED:
		put_json(b, c->val);
		break;
	case Y_CONTENT_FORMAT:
		y_buf_put_var_string(b, c->format->key.ptr, c->format->key.len);
		put_json(b, c->format->val);
		break;
	case Y_CONTENT_TYPE:
		y_buf_put_var_uint(b, (uint64_t)c->type->kind);
		if (c->type->kind == Y_XML_ELEMENT ||
		    c->type->kind == Y_XML_HOOK) {
			const char *name = c->type->name ? c->type->name : "";

			y_buf_put_var_string(b, name, strlen(name));
		}
		break;
	case Y_CONTENT_DOC:
		y_buf_put_var_string(b, c->doc->guid.ptr, c->doc->guid.len);
		y_buf_put_any(b, c->doc->opts);
		break;
	default:
		b->oom = true; /* cannot happen: no such content */
		break;
	}
}

static void put_parent(struct y_buf *b, const struct y_item *it)
{
	switch (it->parent_kind) {
	case Y_PARENT_TYPE: {
		const struct y_type *t = it->parent.type;

		if (t->item) {
			y_buf_put_var_uint(b, 0);
			put_id(b, t->item->id);
		} else {
			const char *name = t->root_name ? t->root_name : "";

			y_buf_put_var_uint(b, 1);
			y_buf_put_var_string(b, name, strlen(name));
		}
		break;
	}
	case Y_PARENT_ROOT_NAME:
		y_buf_put_var_uint(b, 1);
		y_buf_put_var_string(b, it->parent.root->ptr,
				     it->parent.root->len);
		break;
	case Y_PARENT_ID:
		y_buf_put_var_uint(b, 0);
		put_id(b, it->right_origin);
		break;
	default:
		/* an Item without origins always has a parent (parsed) or
		 * is a GC (integrated): yjs would throw here too */
		b->oom = true;
		break;
	}
}

/*
 * reparsed: write the struct as yjs does after mergeUpdates re-read it:
 * an Item read with an origin has no parentSub, so its info byte loses
 * BIT6 (yjs encodeStateAsUpdate merges whenever anything is pending).
 */
static void item_write(struct y_buf *b, const struct y_item *it,
		       uint64_t offset, bool reparsed)
{
	bool has_origin, has_right;
	struct y_id origin;
	uint8_t info;

	if (it->kind != Y_STRUCT_ITEM) {
		y_buf_put_u8(b, it->kind == Y_STRUCT_GC ? 0 : 10);
		y_buf_put_var_uint(b, it->len - offset);
		return;
	}
	has_origin = offset > 0 || (it->info & Y_ITEM_HAS_ORIGIN);
	has_right = it->info & Y_ITEM_HAS_RIGHT_ORIGIN;
	if (offset > 0) {
		origin.client = it->id.client;
		origin.clock = it->id.clock + offset - 1;
	} else {
		origin = it->origin;
	}
	info = it->content.kind & 0x1f;
	if (has_origin)
		info |= 0x80;
	if (has_right)
		info |= 0x40;
	if (it->parent_sub && !(reparsed && (has_origin || has_right)))
		info |= 0x20;
	y_buf_put_u8(b, info);
	if (has_origin)
		put_id(b, origin);
	if (has_right)
		put_id(b, it->right_origin);
	if (!has_origin && !has_right) {
		put_parent(b, it);
		if (it->parent_sub)
			y_buf_put_var_string(b, it->parent_sub->ptr,
					     it->parent_sub->len);
	}
	put_content(b, it, offset);
}

void y_item_write(struct y_buf *b, const struct y_item *it, uint64_t offset)
{
	item_write(b, it, offset, false);
}

/* ---- per-client runs of structs ------------------------------------------- */

/* A struct to write: item from start (offset start - item clock), or a GC
 * or Skip covering [start, end) (GCs may have been merged). */
struct wop {
	const struct y_item *item; /* NULL for a synthetic Skip */
	uint8_t kind;
	uint64_t start;
	uint64_t end;
};

struct wops {
	struct wop *v;
	size_t n;
	size_t cap;
};

static int wops_push(struct wops *w, struct wop op)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct wop *p = realloc(w->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->v = p;
		w->cap = cap;
	}
	w->v[w->n++] = op;
	return 0;
}

/* One source of structs of a client (the store, or the pending structs),
 * as consecutive ops starting at `from`. */
struct src {
	struct y_item *const *items;
	size_t n;
	size_t i;
	uint64_t from; /* first clock to write */
};

static bool src_peek(const struct src *s, struct wop *op)
{
	const struct y_item *it;

	if (s->i >= s->n)
		return false;
	it = s->items[s->i];
	op->item = it;
	op->kind = it->kind;
	op->start = it->id.clock < s->from ? s->from : it->id.clock;
	op->end = it->id.clock + it->len;
	return true;
}

/*
 * Merges the sources of one client like yjs mergeUpdates: runs of adjacent
 * structs of one source are copied; where the next struct comes after a
 * gap a Skip is written; where two runs meet or overlap, covered structs
 * are dropped, a straddling one is cut, and two GCs merge.
 */
static int merge_sources(struct wops *out, struct src *srcs, size_t nsrc)
{
	struct wop cur = { 0 }, x = { 0 };
	bool have = false;
	int ret;

	for (;;) {
		struct src *s = NULL;
		bool iterated = false;

		for (size_t k = 0; k < nsrc; k++) {
			struct wop o;

			if (!src_peek(&srcs[k], &o))
				continue;
			if (!s || o.start < x.start) {
				s = &srcs[k];
				x = o;
			}
		}
		if (!s)
			break;
		if (!have) {
			cur = x;
			have = true;
			s->i++;
		} else {
			while (x.end <= cur.end) {
				s->i++;
				iterated = true;
				if (!src_peek(s, &x))
					break;
			}
			if (x.end <= cur.end || (iterated && x.start > cur.end))
				continue;
			if (cur.end < x.start) {
				struct wop skip = { NULL, Y_STRUCT_SKIP,
						    cur.end, x.start };

				ret = wops_push(out, cur);
				if (ret)
					return ret;
				cur = skip;
			} else {
				if (cur.end > x.start)
					x.start = cur.end;
				if (cur.kind == Y_STRUCT_GC &&
				    x.kind == Y_STRUCT_GC) {
					cur.end = x.end;
				} else {
					ret = wops_push(out, cur);
					if (ret)
						return ret;
					cur = x;
					s->i++;
				}
			}
		}
		/* copy the run of adjacent structs of this source */
		while (src_peek(s, &x) && x.start == cur.end &&
		       x.kind != Y_STRUCT_SKIP) {
			ret = wops_push(out, cur);
			if (ret)
				return ret;
			cur = x;
			s->i++;
		}
	}
	if (have)
		return wops_push(out, cur);
	return 0;
}

static void write_ops(struct y_buf *b, uint64_t client, const struct wops *w,
		      bool merged)
{
	y_buf_put_var_uint(b, w->n);
	y_buf_put_var_uint(b, client);
	y_buf_put_var_uint(b, w->v[0].start);
	for (size_t i = 0; i < w->n; i++) {
		const struct wop *op = &w->v[i];

		if (op->kind == Y_STRUCT_ITEM) {
			item_write(b, op->item, op->start - op->item->id.clock,
				   merged);
		} else {
			y_buf_put_u8(b, op->kind == Y_STRUCT_GC ? 0 : 10);
			y_buf_put_var_uint(b, op->end - op->start);
		}
	}
}

static int u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x > y ? -1 : x < y;
}

static const struct y_client_structs *pending_client(const struct y_pending *p,
						     uint64_t client)
{
	if (!p)
		return NULL;
	for (size_t c = 0; c < p->n; c++)
		if (p->clients[c].client == client)
			return &p->clients[c];
	return NULL;
}

/*
 * writeClientsStructs(store, sv) (spec 8.2 step 2), with the pending
 * structs merged in when pending is non-NULL (8.5).
 */
static int write_structs(struct y_buf *b, const struct y_store *s,
			 const struct y_pending *pending, bool pending_mode,
			 const struct y_u64map *sv)
{
	uint64_t *clients = NULL;
	size_t n = 0, cap = s->n + (pending ? pending->n : 0);
	struct wops w = { NULL, 0, 0 };
	int ret = 0;

	clients = malloc((cap ? cap : 1) * sizeof(*clients));
	if (!clients)
		return -ENOMEM;
	for (size_t c = 0; c < s->n; c++) {
		uint64_t clock = 0;

		y_u64map_get(sv, s->clients[c].client, &clock);
		if (y_store_state(s, s->clients[c].client) > clock)
			clients[n++] = s->clients[c].client;
	}
	for (size_t c = 0; pending && c < pending->n; c++) {
		const struct y_client_structs *pc = &pending->clients[c];
		uint64_t clock = 0, st;
		const struct y_item *last;

		if (!pc->n)
			continue;
		y_u64map_get(sv, pc->client, &clock);
		st = y_store_state(s, pc->client);
		last = pc->items[pc->n - 1];
		if (last->id.clock + last->len > clock && st <= clock)
			clients[n++] = pc->client;
	}
	qsort(clients, n, sizeof(*clients), u64_desc);
	y_buf_put_var_uint(b, n);
	for (size_t k = 0; k < n; k++) {
		uint64_t client = clients[k], clock = 0;
		const struct y_client_structs *cs = y_store_client(s, client);
		const struct y_client_structs *pc =
			pending_client(pending, client);
		struct src srcs[2];
		size_t nsrc = 0;

		y_u64map_get(sv, client, &clock);
		if (cs && y_store_state(s, client) > clock) {
			srcs[nsrc].items = cs->items;
			srcs[nsrc].n = cs->n;
			srcs[nsrc].i = y_store_find_index(cs, clock);
			srcs[nsrc].from = clock;
			nsrc++;
		}
		if (pc) {
			size_t i = 0;

			/* diffUpdate: from the first struct that reaches
			 * beyond the state vector */
			while (i < pc->n &&
			       pc->items[i]->id.clock + pc->items[i]->len <=
				       clock)
				i++;
			srcs[nsrc].items = pc->items;
			srcs[nsrc].n = pc->n;
			srcs[nsrc].i = i;
			srcs[nsrc].from = clock;
			nsrc++;
		}
		w.n = 0;
		ret = merge_sources(&w, srcs, nsrc);
		if (ret)
			goto out;
		write_ops(b, client, &w, pending_mode);
	}
out:
	free(w.v);
	free(clients);
	return ret;
}

/* ---- public encoders ------------------------------------------------------ */

uint64_t y_doc_client_state(const struct y_doc *doc, uint64_t client)
{
	return doc ? y_store_state(&doc->store, client) : 0;
}

int y_doc_state_vector(uint8_t **out, size_t *out_len, struct y_doc *doc)
{
	struct y_u64map sv;
	struct y_buf b;
	int ret;

	if (!out || !out_len || !doc)
		return -EINVAL;
	y_u64map_init(&sv);
	y_buf_init(&b);
	ret = y_store_state_vector(&sv, &doc->store);
	if (!ret) {
		y_sv_write(&b, &sv);
		ret = y_buf_steal(out, out_len, &b);
	}
	y_buf_release(&b);
	y_u64map_release(&sv);
	return ret;
}

int y_doc_encode_state_as_update(uint8_t **out, size_t *out_len,
				 struct y_doc *doc, const uint8_t *svb,
				 size_t sv_len, struct y_error *err)
{
	bool merge = doc && (doc->pending || !y_ds_empty(&doc->pending_ds));
	struct y_u64map sv;
	struct y_ds ds;
	struct y_buf b;
	int ret;

	if (!out || !out_len || !doc || (!svb && sv_len))
		return -EINVAL;
	if (err) {
		err->offset = 0;
		err->msg[0] = 0;
	}
	y_buf_init(&b);
	if (sv_len) {
		struct y_reader r;

		y_reader_init(&r, svb, sv_len, err);
		ret = y_sv_read(&sv, &r);
		if (!ret && y_reader_left(&r))
			ret = y_reader_fail(&r, "%zu trailing bytes",
					    y_reader_left(&r));
		if (ret) {
			y_u64map_release(&sv);
			return ret;
		}
	} else {
		y_u64map_init(&sv);
	}
	ret = write_structs(&b, &doc->store, merge ? doc->pending : NULL, merge,
			    &sv);
	if (ret)
		goto out;
	ret = y_ds_from_store(&ds, &doc->store);
	if (ret)
		goto out;
	if (merge)
		ret = y_ds_union(&ds, &doc->pending_ds);
	if (!ret)
		y_ds_write(&b, &ds);
	y_ds_release(&ds);
	if (!ret)
		ret = y_buf_steal(out, out_len, &b);
out:
	y_buf_release(&b);
	y_u64map_release(&sv);
	return ret;
}

int y_encode_txn_update(struct y_buf *b, struct y_txn *txn)
{
	int ret = write_structs(b, &txn->doc->store, NULL, false,
				&txn->before_state);

	if (ret)
		return ret;
	y_ds_write(b, &txn->ds);
	return y_buf_error(b);
}

/* ---- mergeUpdates ---------------------------------------------------------- */

int y_merge_updates(uint8_t **out, size_t *out_len,
		    const uint8_t *const *updates, const size_t *lens, size_t n,
		    struct y_error *err)
{
	struct y_update *u = NULL;
	uint64_t *clients = NULL;
	struct src *srcs = NULL;
	struct wops w = { NULL, 0, 0 };
	struct y_ds ds;
	struct y_buf b;
	size_t nclients = 0, total = 0, i, c, k;
	int ret = -ENOMEM;

	if (!out || !out_len || (n && (!updates || !lens)))
		return -EINVAL;
	*out = NULL;
	*out_len = 0;
	y_ds_init(&ds);
	y_buf_init(&b);
	u = calloc(n ? n : 1, sizeof(*u));
	srcs = calloc(n ? n : 1, sizeof(*srcs));
	if (!u || !srcs)
		goto out;
	for (i = 0; i < n; i++) {
		ret = y_update_parse(&u[i], updates[i], lens[i], err);
		if (ret) {
			if (err) {
				char msg[sizeof(err->msg)];

				snprintf(msg, sizeof(msg), "update %zu: %.170s",
					 i, err->msg);
				memcpy(err->msg, msg, sizeof(msg));
			}
			goto out;
		}
		total += u[i].n;
		ret = y_ds_union(&ds, &u[i].ds);
		if (ret)
			goto out;
	}
	ret = -ENOMEM;
	clients = malloc((total ? total : 1) * sizeof(*clients));
	if (!clients)
		goto out;
	for (i = 0; i < n; i++)
		for (c = 0; c < u[i].n; c++) {
			for (k = 0; k < nclients; k++)
				if (clients[k] == u[i].clients[c].client)
					break;
			if (k == nclients && u[i].clients[c].n)
				clients[nclients++] = u[i].clients[c].client;
		}
	/* as yjs: the clients in descending order */
	qsort(clients, nclients, sizeof(*clients), u64_desc);
	y_buf_put_var_uint(&b, nclients);
	for (k = 0; k < nclients; k++) {
		size_t nsrc = 0;

		for (i = 0; i < n; i++)
			for (c = 0; c < u[i].n; c++) {
				const struct y_client_structs *cs =
					&u[i].clients[c];

				if (cs->client != clients[k] || !cs->n)
					continue;
				srcs[nsrc].items = cs->items;
				srcs[nsrc].n = cs->n;
				srcs[nsrc].i = 0;
				srcs[nsrc].from = cs->items[0]->id.clock;
				nsrc++;
			}
		w.n = 0;
		ret = merge_sources(&w, srcs, nsrc);
		if (ret)
			goto out;
		write_ops(&b, clients[k], &w, true);
	}
	y_ds_write(&b, &ds);
	ret = y_buf_error(&b);
	if (!ret)
		ret = y_buf_steal(out, out_len, &b);
out:
	for (i = 0; u && i < n; i++)
		y_update_release(&u[i]);
	y_buf_release(&b);
	y_ds_release(&ds);
	free(w.v);
	free(clients);
	free(srcs);
	free(u);
	return ret;
}
