/* SPDX-License-Identifier: MIT */
/*
 * integrate.c - bringing one struct into the document: getMissing (spec
 * 4.3) checks that everything an Item refers to is known and resolves its
 * neighbours and parent; integrate (5.1) places it in its parent's list or
 * key chain with the YATA conflict scan of yjs, then adds it to the store.
 * Local edits (item.c) and update application (apply.c) both end here.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

static void set_err(struct y_txn *txn, int err)
{
	if (!txn->err)
		txn->err = err;
}

static void drop_parent(struct y_item *item)
{
	y_item_drop_parent(item);
}

static int copy_parent(struct y_item *item, const struct y_item *from)
{
	drop_parent(item);
	if (from->parent_kind == Y_PARENT_TYPE) {
		item->parent_kind = Y_PARENT_TYPE;
		item->parent.type = from->parent.type;
	}
	free(item->parent_sub);
	item->parent_sub = NULL;
	if (from->parent_sub) {
		item->parent_sub =
			y_key_new(from->parent_sub->ptr, from->parent_sub->len);
		if (!item->parent_sub)
			return -ENOMEM;
	}
	return 0;
}

static bool dep_missing(const struct y_store *s, const struct y_item *item,
			struct y_id dep, uint64_t *client)
{
	if (dep.client == item->id.client ||
	    dep.clock < y_store_state(s, dep.client))
		return false;
	*client = dep.client;
	return true;
}

bool y_item_get_missing(struct y_txn *txn, struct y_item *item,
			uint64_t *client)
{
	struct y_doc *doc = txn->doc;
	struct y_store *s = &doc->store;
	struct y_item *left = NULL, *right = NULL;

	if (item->kind != Y_STRUCT_ITEM)
		return false;
	if ((item->info & Y_ITEM_HAS_ORIGIN) &&
	    dep_missing(s, item, item->origin, client))
		return true;
	if ((item->info & Y_ITEM_HAS_RIGHT_ORIGIN) &&
	    dep_missing(s, item, item->right_origin, client))
		return true;
	if (item->parent_kind == Y_PARENT_ID &&
	    dep_missing(s, item, item->right_origin, client))
		return true;

	if (item->info & Y_ITEM_HAS_ORIGIN) {
		left = y_store_clean_end(txn, item->origin);
		if (!left) {
			set_err(txn, -EINVAL);
			return false;
		}
		item->origin = y_item_last_id(left);
	}
	item->left = left;
	if (item->info & Y_ITEM_HAS_RIGHT_ORIGIN) {
		right = y_store_clean_start(txn, item->right_origin);
		if (!right) {
			set_err(txn, -EINVAL);
			return false;
		}
		item->right_origin = right->id;
	}
	item->right = right;

	if ((left && left->kind == Y_STRUCT_GC) ||
	    (right && right->kind == Y_STRUCT_GC)) {
		drop_parent(item);
	} else if (item->parent_kind == Y_PARENT_NONE) {
		const struct y_item *from = NULL;

		if (left && left->kind == Y_STRUCT_ITEM)
			from = left;
		else if (right && right->kind == Y_STRUCT_ITEM)
			from = right;
		if (from && copy_parent(item, from))
			set_err(txn, -ENOMEM);
	} else if (item->parent_kind == Y_PARENT_ID) {
		struct y_item *p = y_store_find(s, item->right_origin);

		drop_parent(item);
		if (p && p->kind == Y_STRUCT_ITEM &&
		    p->content.kind == Y_CONTENT_TYPE && p->content.type) {
			item->parent_kind = Y_PARENT_TYPE;
			item->parent.type = p->content.type;
		}
	} else if (item->parent_kind == Y_PARENT_ROOT_NAME) {
		struct y_type *t = y_doc_get_root(doc, item->parent.root->ptr,
						  item->parent.root->len);

		drop_parent(item);
		if (t) {
			item->parent_kind = Y_PARENT_TYPE;
			item->parent.type = t;
		} else {
			set_err(txn, -ENOMEM);
		}
	}
	return false;
}

static bool opt_id_eq(bool ha, struct y_id a, bool hb, struct y_id b)
{
	if (ha != hb)
		return false;
	return !ha || y_id_eq(a, b);
}

/* First item of the key chain (the oldest), or NULL. */
static struct y_item *chain_start(struct y_type *parent,
				  const struct y_key *key)
{
	void **slot = y_keymap_find(&parent->map, key->ptr, key->len);
	struct y_item *o = slot ? *slot : NULL;

	while (o && o->left)
		o = o->left;
	return o;
}

/*
 * The items the YATA scan has passed, with the value of the "conflicting"
 * generation when each was passed: itemsBeforeOrigin is every item in the
 * set, conflictingItems those of the current generation (clearing it
 * starts a new one).  An open-addressing pointer set, on the stack for the
 * usual short scans; the items themselves carry no scan marks (a document
 * holds many items and scans are rare and short).
 */
#define SCAN_INLINE 64
struct scan_set {
	struct y_item **keys;
	uint32_t *gens;
	size_t cap; /* power of two */
	size_t n;
	struct y_item *ikeys[SCAN_INLINE];
	uint32_t igens[SCAN_INLINE];
};

static size_t scan_hash(const struct y_item *it, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)it * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

static int scan_grow(struct scan_set *set)
{
	size_t cap = set->cap * 2, i, j;
	struct y_item **keys = calloc(cap, sizeof(*keys));
	uint32_t *gens = malloc(cap * sizeof(*gens));

	if (!keys || !gens) {
		free(keys);
		free(gens);
		return -ENOMEM;
	}
	for (i = 0; i < set->cap; i++) {
		if (!set->keys[i])
			continue;
		for (j = scan_hash(set->keys[i], cap); keys[j];
		     j = (j + 1) & (cap - 1))
			;
		keys[j] = set->keys[i];
		gens[j] = set->gens[i];
	}
	if (set->keys != set->ikeys) {
		free(set->keys);
		free(set->gens);
	}
	set->keys = keys;
	set->gens = gens;
	set->cap = cap;
	return 0;
}

/* Each item is added once (the scan moves right). */
static int scan_add(struct scan_set *set, struct y_item *it, uint32_t gen)
{
	size_t i;

	if ((set->n + 1) * 4 > set->cap * 3 && scan_grow(set))
		return -ENOMEM;
	for (i = scan_hash(it, set->cap); set->keys[i];
	     i = (i + 1) & (set->cap - 1))
		;
	set->keys[i] = it;
	set->gens[i] = gen;
	set->n++;
	return 0;
}

static bool scan_find(const struct scan_set *set, const struct y_item *it,
		      uint32_t *gen)
{
	size_t i;

	for (i = scan_hash(it, set->cap); set->keys[i];
	     i = (i + 1) & (set->cap - 1)) {
		if (set->keys[i] == it) {
			*gen = set->gens[i];
			return true;
		}
	}
	return false;
}

/* The YATA conflict scan (spec 5.1 step 3).  -ENOMEM leaves item->left
 * as it was. */
static int scan(struct y_doc *doc, struct y_item *item, struct y_type *parent)
{
	struct y_store *s = &doc->store;
	struct y_item *left = item->left, *o;
	bool ho = item->info & Y_ITEM_HAS_ORIGIN;
	bool hro = item->info & Y_ITEM_HAS_RIGHT_ORIGIN;
	uint32_t conflicting = 0, gen;
	struct scan_set set;
	int rc = 0;

	set.keys = set.ikeys;
	set.gens = set.igens;
	set.cap = SCAN_INLINE;
	set.n = 0;
	memset(set.ikeys, 0, sizeof(set.ikeys));
	if (left)
		o = left->right;
	else if (item->parent_sub)
		o = chain_start(parent, item->parent_sub);
	else
		o = parent->start;
	while (o && o != item->right) {
		bool oho = o->info & Y_ITEM_HAS_ORIGIN;

		rc = scan_add(&set, o, conflicting);
		if (rc)
			goto out;
		if (opt_id_eq(ho, item->origin, oho, o->origin)) {
			/* case 1: same origin, the lower client goes left */
			if (o->id.client < item->id.client) {
				left = o;
				conflicting++;
			} else if (opt_id_eq(hro, item->right_origin,
					     o->info & Y_ITEM_HAS_RIGHT_ORIGIN,
					     o->right_origin)) {
				break;
			}
		} else {
			struct y_item *oo = oho ? y_store_find(s, o->origin) :
						  NULL;

			if (!oo || !scan_find(&set, oo, &gen))
				break;
			/* case 2: o's origin lies between our origin and o */
			if (gen != conflicting) {
				left = o;
				conflicting++;
			}
		}
		o = o->right;
	}
	item->left = left;
out:
	if (set.keys != set.ikeys) {
		free(set.keys);
		free(set.gens);
	}
	return rc;
}

static void to_gc(struct y_item *item)
{
	y_content_release(&item->content);
	free(item->parent_sub);
	item->parent_sub = NULL;
	drop_parent(item);
	item->left = NULL;
	item->right = NULL;
	item->info = 0;
	item->kind = Y_STRUCT_GC;
}

static bool same_list(const struct y_item *item, const struct y_item *n)
{
	if (!n)
		return true;
	return n->kind == Y_STRUCT_ITEM && n->parent_kind == Y_PARENT_TYPE &&
	       n->parent.type == item->parent.type &&
	       y_key_eq(n->parent_sub, item->parent_sub);
}

static void append(struct y_store *s, struct y_item *item)
{
	struct y_client_structs *cs = y_store_client(s, item->id.client);

	cs->items[cs->n++] = item; /* reserved by the caller */
}

int y_item_integrate(struct y_txn *txn, struct y_item *item, uint64_t offset)
{
	struct y_doc *doc = txn->doc;
	struct y_store *s = &doc->store;
	struct y_type *parent;
	const struct y_key *key;
	int rc;

	if (item->kind == Y_STRUCT_SKIP || offset >= item->len)
		return -EINVAL;
	if (y_store_state(s, item->id.client) != item->id.clock + offset)
		return -EINVAL;
	rc = y_store_reserve(s, item->id.client, 1);
	if (rc)
		return rc;
	if (item->kind == Y_STRUCT_GC) {
		item->id.clock += offset;
		item->len -= offset;
		append(s, item);
		return 0;
	}
	if (offset > 0) {
		struct y_content right;
		struct y_id prev = { item->id.client,
				     item->id.clock + offset - 1 };
		struct y_item *left = y_store_clean_end(txn, prev);

		if (!left)
			return txn->err ? txn->err : -EINVAL;
		/* the clean-end split may have grown the array */
		rc = y_store_reserve(s, item->id.client, 1);
		if (rc)
			return rc;
		rc = y_content_splice(&right, &item->content, offset,
				      item->len);
		if (rc)
			return rc;
		y_content_release(&item->content);
		item->content = right;
		item->id.clock += offset;
		item->len -= offset;
		item->left = left;
		item->origin = y_item_last_id(left);
		item->info |= Y_ITEM_HAS_ORIGIN;
	}
	/*
	 * Neighbours always share the item's parent and key in valid input.
	 * A GC neighbour, or one of another list, is only reachable with
	 * crafted input or two documents that used the same client id
	 * (through the offset path: the known prefix is someone else's);
	 * yjs would throw or corrupt its lists.  Never link such an item:
	 * it becomes a GC.
	 */
	if (item->parent_kind != Y_PARENT_TYPE || !item->parent.type ||
	    !same_list(item, item->left) || !same_list(item, item->right)) {
		to_gc(item);
		append(s, item);
		return 0;
	}
	parent = item->parent.type;
	key = item->parent_sub;

	if ((!item->left && (!item->right || item->right->left)) ||
	    (item->left && item->left->right != item->right)) {
		rc = scan(doc, item, parent);
		if (rc)
			return rc;
	}

	if (item->left) {
		item->right = item->left->right;
		item->left->right = item;
	} else if (key) {
		item->right = chain_start(parent, key);
	} else {
		item->right = parent->start;
		parent->start = item;
	}
	if (item->right) {
		item->right->left = item;
	} else if (!key) {
		parent->tail = item;
	} else {
		rc = y_keymap_put(&parent->map, key->ptr, key->len, item);
		if (rc) {
			if (item->left)
				item->left->right = NULL;
			return rc;
		}
		if (item->left)
			y_item_delete(txn, item->left);
	}
	if (!key && (item->info & Y_ITEM_COUNTABLE) &&
	    !(item->info & Y_ITEM_DELETED))
		parent->length += item->len;
	append(s, item);
	/*
	 * A remote item changes no list index before it when it is added at
	 * the end of the list or is a map entry, so the index cache stays
	 * right; appends are the usual remote edit, and dropping the cache
	 * made the next local insert walk the whole list.
	 */
	if (!txn->local && !key && item->right)
		parent->pos_item = NULL;

	switch (item->content.kind) {
	case Y_CONTENT_DELETED:
		item->info |= Y_ITEM_DELETED;
		if (y_ds_add(&txn->ds, item->id.client, item->id.clock,
			     item->len))
			set_err(txn, -ENOMEM);
		break;
	case Y_CONTENT_FORMAT:
		parent->has_formatting = true;
		parent->pos_item = NULL;
		break;
	case Y_CONTENT_TYPE:
		if (item->content.type) {
			item->content.type->item = item;
			item->content.type->doc = doc;
		}
		break;
	default:
		break;
	}
	y_txn_mark_changed(txn, parent);
	if ((parent->item && y_item_deleted(parent->item)) ||
	    (key && item->right))
		y_item_delete(txn, item);
	return 0;
}
