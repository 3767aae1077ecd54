/* SPDX-License-Identifier: MIT */
/*
 * item.c - life of an Item once it is in the store: splitting (spec 6.1),
 * local creation (10.1), deletion (10.1), squashing with its left
 * neighbour (6.3, 6.4) and garbage collection (6.5).  Integration of new
 * items lives in integrate.c, the per-client arrays in store.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

#if UINTPTR_MAX == UINT64_MAX
/* a document holds one per struct: keep the 112-byte malloc chunk */
_Static_assert(sizeof(struct y_item) == 104, "struct y_item grew");
#endif

struct y_item *y_item_new(uint8_t kind)
{
	struct y_item *i = calloc(1, sizeof(*i));

	if (i)
		i->kind = kind;
	return i;
}

struct y_key *y_key_new(const char *p, size_t len)
{
	struct y_key *k;

	if (len > UINT32_MAX)
		return NULL;
	k = malloc(sizeof(*k) + len + 1);
	if (!k)
		return NULL;
	k->len = (uint32_t)len;
	if (len)
		memcpy(k->ptr, p, len);
	k->ptr[len] = 0;
	return k;
}

void y_item_drop_parent(struct y_item *i)
{
	if (i->parent_kind == Y_PARENT_ROOT_NAME && i->parent.root) {
		y_str_release(i->parent.root);
		free(i->parent.root);
	}
	memset(&i->parent, 0, sizeof(i->parent));
	i->parent_kind = Y_PARENT_NONE;
}

void y_item_free(struct y_item *i)
{
	if (!i)
		return;
	if (i->kind == Y_STRUCT_ITEM) {
		y_content_release(&i->content);
		free(i->parent_sub);
		y_item_drop_parent(i);
	}
	free(i);
}

static uint64_t before_clock(struct y_txn *txn, uint64_t client)
{
	uint64_t v = 0;

	y_u64map_get(&txn->before_state, client, &v);
	return v;
}

static struct y_type *item_parent(const struct y_item *i)
{
	return i->parent_kind == Y_PARENT_TYPE ? i->parent.type : NULL;
}

struct y_item *y_item_split(struct y_txn *txn, struct y_item *left,
			    uint64_t diff)
{
	struct y_item *r;
	struct y_type *parent;

	/* only integrated items are split: their parent is a type (or
	 * NONE/ID; an ID is copied, it is owned) */
	if (left->kind != Y_STRUCT_ITEM || diff == 0 || diff >= left->len ||
	    left->parent_kind == Y_PARENT_ROOT_NAME) {
		txn->err = txn->err ? txn->err : -EINVAL;
		return NULL;
	}
	r = y_item_new(Y_STRUCT_ITEM);
	if (!r)
		goto err;
	if (left->parent_sub) {
		r->parent_sub =
			y_key_new(left->parent_sub->ptr, left->parent_sub->len);
		if (!r->parent_sub)
			goto err_free;
	}
	if (left->parent_kind == Y_PARENT_ID)
		r->right_origin = left->right_origin; /* the parent's id */
	else
		r->parent = left->parent;
	r->parent_kind = left->parent_kind;
	r->id.client = left->id.client;
	r->id.clock = left->id.clock + diff;
	if (y_txn_add_merge(txn, r->id))
		goto err_free;
	if (y_content_splice(&r->content, &left->content, diff, left->len)) {
		txn->n_merge--;
		goto err_free;
	}
	r->len = left->len - diff;
	r->left = left;
	r->right = left->right;
	r->origin.client = left->id.client;
	r->origin.clock = r->id.clock - 1;
	r->info = Y_ITEM_HAS_ORIGIN;
	if (left->info & Y_ITEM_HAS_RIGHT_ORIGIN) {
		r->right_origin = left->right_origin;
		r->info |= Y_ITEM_HAS_RIGHT_ORIGIN;
	}
	r->info |= left->info & (Y_ITEM_DELETED | Y_ITEM_KEEP);
	if (y_content_countable(r->content.kind))
		r->info |= Y_ITEM_COUNTABLE;
	left->right = r;
	if (r->right)
		r->right->left = r;
	parent = item_parent(r);
	if (parent && !r->parent_sub && parent->tail == left)
		parent->tail = r;
	if (parent && r->parent_sub && !r->right) {
		/* the key exists already: an in-place update, cannot fail */
		y_keymap_put(&parent->map, r->parent_sub->ptr,
			     r->parent_sub->len, r);
	}
	left->len = diff;
	return r;
err_free:
	y_item_free(r);
err:
	txn->err = -ENOMEM;
	return NULL;
}

int y_item_insert_local(struct y_item **out, struct y_txn *txn,
			struct y_type *parent, struct y_item *left,
			struct y_item *right, const char *parent_sub,
			size_t parent_sub_len, struct y_content *content,
			uint64_t len)
{
	struct y_doc *doc = txn->doc;
	struct y_item *item = y_item_new(Y_STRUCT_ITEM);
	int rc;

	if (out)
		*out = NULL;
	if (!item) {
		y_content_release(content);
		return -ENOMEM;
	}
	item->content = *content;
	memset(content, 0, sizeof(*content));
	content->kind = Y_CONTENT_DELETED;
	if (parent_sub) {
		item->parent_sub = y_key_new(parent_sub, parent_sub_len);
		if (!item->parent_sub) {
			y_item_free(item);
			return parent_sub_len > UINT32_MAX ? -EINVAL : -ENOMEM;
		}
	}
	item->id.client = doc->client_id;
	item->id.clock = y_store_state(&doc->store, doc->client_id);
	item->len = len;
	item->left = left;
	item->right = right;
	if (left) {
		item->origin = y_item_last_id(left);
		item->info |= Y_ITEM_HAS_ORIGIN;
	}
	if (right) {
		item->right_origin = right->id;
		item->info |= Y_ITEM_HAS_RIGHT_ORIGIN;
	}
	if (y_content_countable(item->content.kind))
		item->info |= Y_ITEM_COUNTABLE;
	item->parent_kind = Y_PARENT_TYPE;
	item->parent.type = parent;
	rc = y_item_integrate(txn, item, 0);
	if (rc) {
		y_item_free(item);
		return rc;
	}
	if (out)
		*out = item;
	return 0;
}

/*
 * Deleting or collecting a type walks its subtree.  Nesting depth comes
 * from the wire, so the walks keep their own stack instead of recursing;
 * they visit items in exactly the order of yjs's recursion (list left to
 * right, then every key), which decides the merge list.
 */
struct walk_frame {
	struct y_item *item; /* the Type item whose branch is walked */
	struct y_type *t;
	struct y_item *next; /* list cursor, then key chain cursor (gc) */
	size_t key; /* next map entry */
	bool in_map;
};

struct walk {
	struct walk_frame *f;
	size_t n;
	size_t cap;
};

static int walk_push(struct walk *w, struct y_item *item)
{
	struct walk_frame *f;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;

		f = realloc(w->f, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		w->f = f;
		w->cap = cap;
	}
	f = &w->f[w->n++];
	f->item = item;
	f->t = item->content.type;
	f->next = f->t->start;
	f->key = 0;
	f->in_map = false;
	return 0;
}

/* Next child of the top frame: list items, then each key's newest item
 * (delete) or every item of each key chain (gc, chains = true). */
static struct y_item *walk_next(struct walk_frame *f, bool chains)
{
	struct y_item *it;

	for (;;) {
		if (!f->in_map) {
			it = f->next;
			if (it) {
				f->next = it->right;
				return it;
			}
			f->in_map = true;
		}
		if (chains && f->next) {
			it = f->next;
			f->next = it->left;
			return it;
		}
		if (f->key >= f->t->map.n)
			return NULL;
		it = f->t->map.entries[f->key++].val;
		if (!it)
			continue;
		if (!chains)
			return it;
		f->next = it->left;
		return it;
	}
}

static bool has_type(const struct y_item *it)
{
	return it->kind == Y_STRUCT_ITEM &&
	       it->content.kind == Y_CONTENT_TYPE && it->content.type;
}

/* Item.delete without the content hook; false if already deleted. */
static bool mark_deleted(struct y_txn *txn, struct y_item *item)
{
	struct y_type *parent;

	if (item->kind != Y_STRUCT_ITEM || (item->info & Y_ITEM_DELETED))
		return false;
	parent = item_parent(item);
	if (parent) {
		if ((item->info & Y_ITEM_COUNTABLE) && !item->parent_sub)
			parent->length -= item->len;
		if (!txn->local)
			parent->pos_item = NULL;
	}
	item->info |= Y_ITEM_DELETED;
	if (y_ds_add(&txn->ds, item->id.client, item->id.clock, item->len))
		txn->err = -ENOMEM;
	if (parent)
		y_txn_mark_changed(txn, parent);
	return true;
}

void y_item_delete(struct y_txn *txn, struct y_item *item)
{
	struct walk w = { NULL, 0, 0 };
	struct y_item *it;

	if (!mark_deleted(txn, item) || !has_type(item))
		return;
	/* ContentType.delete: the children go with their type */
	if (walk_push(&w, item)) {
		txn->err = -ENOMEM;
		return;
	}
	w.f[0].t->pos_item = NULL;
	while (w.n) {
		struct walk_frame *f = &w.f[w.n - 1];

		it = walk_next(f, false);
		if (!it) {
			/* yjs: transaction.changed.delete(type) */
			if (f->t->changed_epoch == txn->epoch)
				f->t->changed_epoch = 0;
			w.n--;
			continue;
		}
		if (!y_item_deleted(it)) {
			if (mark_deleted(txn, it) && has_type(it)) {
				if (walk_push(&w, it))
					txn->err = -ENOMEM;
				else
					it->content.type->pos_item = NULL;
			}
		} else if (it->id.clock < before_clock(txn, it->id.client) &&
			   y_txn_add_merge(txn, it->id)) {
			txn->err = -ENOMEM;
		}
	}
	free(w.f);
}

/* Turns an Item into a GC struct in place.  Nothing live points at it:
 * only items of its own (dead) branch did. */
static void item_to_gc(struct y_item *item)
{
	y_content_release(&item->content);
	free(item->parent_sub);
	item->parent_sub = NULL;
	y_item_drop_parent(item);
	item->left = NULL;
	item->right = NULL;
	item->info = 0;
	item->kind = Y_STRUCT_GC;
}

/* ContentType.gc: the branch is dead once its children are collected. */
static void kill_type(struct y_doc *doc, struct y_item *item)
{
	struct y_type *t = item->content.type;

	t->start = NULL;
	y_keymap_release(&t->map);
	t->dead = true;
	t->pos_item = NULL;
	t->tail = NULL;
	/* the branch outlives its item until the commit is over: handles
	 * and the changed list may still name it */
	item->content.type = NULL;
	if (y_doc_defer_free_type(doc, t))
		t->item = NULL; /* leaked rather than freed too early */
}

static void gc_self(struct y_item *item, bool parent_gcd)
{
	if (parent_gcd) {
		item_to_gc(item);
	} else {
		y_content_release(&item->content);
		item->content.kind = Y_CONTENT_DELETED;
	}
}

void y_item_gc(struct y_doc *doc, struct y_item *item, bool parent_gcd)
{
	struct walk w = { NULL, 0, 0 };
	struct y_item *it;

	if (item->kind != Y_STRUCT_ITEM)
		return;
	if (!has_type(item) || walk_push(&w, item)) {
		/* without memory for the walk the subtree stays as it is */
		if (!has_type(item))
			gc_self(item, parent_gcd);
		return;
	}
	while (w.n) {
		struct walk_frame *f = &w.f[w.n - 1];

		it = walk_next(f, true);
		if (!it) {
			struct y_item *done = f->item;

			w.n--;
			kill_type(doc, done);
			gc_self(done, w.n ? true : parent_gcd);
			continue;
		}
		if (it->kind != Y_STRUCT_ITEM)
			continue;
		if (has_type(it)) {
			if (walk_push(&w, it))
				y_item_gc(doc, it,
					  true); /* no memory: recurse */
			continue; /* else collected when its frame is done */
		}
		item_to_gc(it);
	}
	free(w.f);
}

/* mergeWith (spec 6.3) for two Items. */
static bool item_merge_with(struct y_item *left, struct y_item *right)
{
	struct y_type *parent;
	struct y_id last = y_item_last_id(left);

	if (!(right->info & Y_ITEM_HAS_ORIGIN) || !y_id_eq(right->origin, last))
		return false;
	if (left->right != right)
		return false;
	if ((left->info & Y_ITEM_HAS_RIGHT_ORIGIN) !=
	    (right->info & Y_ITEM_HAS_RIGHT_ORIGIN))
		return false;
	if ((left->info & Y_ITEM_HAS_RIGHT_ORIGIN) &&
	    !y_id_eq(left->right_origin, right->right_origin))
		return false;
	if (left->id.client != right->id.client ||
	    left->id.clock + left->len != right->id.clock)
		return false;
	if ((left->info & Y_ITEM_DELETED) != (right->info & Y_ITEM_DELETED))
		return false;
	if (left->content.kind != right->content.kind ||
	    !y_content_mergeable(left->content.kind))
		return false;
	if (y_content_merge(&left->content, &right->content))
		return false;
	parent = item_parent(left);
	if (parent && parent->tail == right)
		parent->tail = left;
	if (parent && parent->pos_item == right) {
		parent->pos_item = left;
		if ((left->info & Y_ITEM_COUNTABLE) &&
		    !(left->info & Y_ITEM_DELETED))
			parent->pos_index -= left->len;
	}
	left->info |= right->info & Y_ITEM_KEEP;
	left->right = right->right;
	if (left->right)
		left->right->left = left;
	left->len += right->len;
	return true;
}

size_t y_store_merge_with_lefts(struct y_doc *doc, struct y_client_structs *cs,
				size_t pos)
{
	size_t i = pos, merged;

	while (i > 0) {
		struct y_item *left = cs->items[i - 1];
		struct y_item *right = cs->items[i];

		if (y_item_deleted(left) != y_item_deleted(right) ||
		    left->kind != right->kind)
			break;
		if (left->kind == Y_STRUCT_GC) {
			left->len += right->len;
		} else {
			struct y_type *parent;

			if (!item_merge_with(left, right))
				break;
			parent = item_parent(right);
			if (parent && right->parent_sub) {
				void **slot = y_keymap_find(
					&parent->map, right->parent_sub->ptr,
					right->parent_sub->len);

				if (slot && *slot == right)
					*slot = left;
			}
		}
		/* on failure the struct leaks instead of dangling */
		y_doc_defer_free_item(doc, right);
		i--;
	}
	merged = pos - i;
	if (merged) {
		memmove(&cs->items[pos + 1 - merged], &cs->items[pos + 1],
			(cs->n - pos - 1) * sizeof(*cs->items));
		cs->n -= merged;
	}
	return merged;
}
