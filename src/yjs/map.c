/* SPDX-License-Identifier: MIT */
/*
 * map.c - the map side of shared types: Y.Map, XmlElement/XmlHook
 * attributes and Text attributes (spec/yjs.md 5.2, 9.3, 10.4).  Every
 * branch has a key map (y_type.map: key -> newest item for that key); a key
 * has a value when that item is not deleted, and the value is the last
 * value of its content.  Setting a key integrates a new item to the right
 * of the current one, which the engine then deletes.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

/* list.c */
int y_types_item_value(struct y_value *out, struct y_item *item, uint64_t off);
int y_types_value_content(struct y_content *c, const struct y_any *val);
int y_types_new_type_content(struct y_content *c, struct y_type **out,
			     struct y_doc *doc, enum y_kind kind,
			     const char *name);
bool y_types_kind_valid(int kind);

static struct y_item *map_item(const struct y_type *map, const char *key,
			       size_t key_len)
{
	void **slot = y_keymap_find(&map->map, key, key_len);

	return slot ? *slot : NULL;
}

/* Value of a map item: the last value of its content (typeMapGet). */
static int item_value(struct y_value *out, struct y_item *item)
{
	if (!item || y_item_deleted(item) || item->len == 0)
		return -ENOENT;
	return y_types_item_value(out, item, item->len - 1);
}

static bool map_ok(const struct y_type *map)
{
	return map && map->kind != Y_KIND_UNKNOWN && !map->dead;
}

int y_map_get(struct y_value *out, struct y_type *map, const char *key,
	      size_t key_len)
{
	if (!out || !map || (!key && key_len))
		return -EINVAL;
	if (map->dead)
		return -ENOENT;
	return item_value(out, map_item(map, key, key_len));
}

/* Integrates content as the new value of key (typeMapSet). */
static int map_set_content(struct y_item **out, struct y_type *map,
			   const char *key, size_t key_len, struct y_content *c)
{
	struct y_txn *txn;
	int r;

	r = y_txn_begin(&txn, map->doc, true, NULL);
	if (r < 0) {
		y_content_release(c);
		return r;
	}
	r = y_item_insert_local(out, txn, map, map_item(map, key, key_len),
				NULL, key, key_len, c, 1);
	return r < 0 ? (y_txn_end(map->doc), r) : y_txn_end(map->doc);
}

int y_map_set(struct y_type *map, const char *key, size_t key_len,
	      const struct y_any *val)
{
	struct y_content c;
	struct y_item *item;
	int r;

	if (!map_ok(map) || !key || !val)
		return -EINVAL;
	r = y_types_value_content(&c, val);
	if (r < 0)
		return r;
	return map_set_content(&item, map, key, key_len, &c);
}

int y_map_set_type(struct y_type **out, struct y_type *map, const char *key,
		   size_t key_len, enum y_kind kind, const char *name)
{
	struct y_content c;
	struct y_type *t;
	struct y_item *item;
	int r;

	if (!map_ok(map) || !key || !y_types_kind_valid(kind))
		return -EINVAL;
	r = y_types_new_type_content(&c, &t, map->doc, kind, name);
	if (r < 0)
		return r;
	r = map_set_content(&item, map, key, key_len, &c);
	if (r == 0 && out)
		*out = t;
	return r;
}

int y_map_delete(struct y_type *map, const char *key, size_t key_len)
{
	struct y_item *item;
	struct y_txn *txn;
	int r;

	if (!map_ok(map) || !key)
		return -EINVAL;
	item = map_item(map, key, key_len);
	if (!item || y_item_deleted(item))
		return -ENOENT;
	r = y_txn_begin(&txn, map->doc, true, NULL);
	if (r < 0)
		return r;
	y_item_delete(txn, item);
	return y_txn_end(map->doc);
}

/* Keys with a visible value (yjs Map.size). */
uint64_t y_map_size(const struct y_type *map)
{
	uint64_t n = 0;
	size_t i;

	if (!map || map->dead)
		return 0;
	for (i = 0; i < map->map.n; i++) {
		const struct y_item *it = map->map.entries[i].val;

		if (it && !y_item_deleted(it))
			n++;
	}
	return n;
}

void y_map_iter_init(struct y_map_iter *it, struct y_type *map)
{
	it->map = map;
	it->pos = 0;
}

/*
 * Keys whose newest item holds content without a borrowable value (a
 * String or Format item in a map, which only a foreign writer produces)
 * are skipped.
 */
int y_map_iter_next(struct y_map_iter *it, const char **key, size_t *key_len,
		    struct y_value *out)
{
	struct y_type *map = it->map;

	if (!map || map->dead)
		return 0;
	while (it->pos < map->map.n) {
		struct y_keymap_entry *e = &map->map.entries[it->pos++];

		if (item_value(out, e->val) < 0)
			continue;
		if (key)
			*key = y_keymap_key(e);
		if (key_len)
			*key_len = e->key_len;
		return 1;
	}
	return 0;
}
