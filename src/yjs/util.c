/* SPDX-License-Identifier: MIT */
/*
 * util.c - small containers of the libyjs engine: the client-id map
 * (uint64 -> uint64, open addressing), the insertion-ordered string-keyed
 * map used for branch maps and document roots, and owned byte strings.
 * Nothing here knows about CRDTs; see core.h for the contracts.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

/* ---- y_u64map ---------------------------------------------------------- */

static inline size_t u64_hash(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & mask;
}

void y_u64map_init(struct y_u64map *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->cap = 0;
	m->n = 0;
}

void y_u64map_release(struct y_u64map *m)
{
	free(m->keys);
	free(m->vals);
	y_u64map_init(m);
}

void y_u64map_clear(struct y_u64map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		m->keys[i] = Y_U64MAP_EMPTY;
	m->n = 0;
}

static int u64map_grow(struct y_u64map *m, size_t cap)
{
	uint64_t *keys, *vals;
	size_t i, j, mask = cap - 1;

	keys = malloc(cap * sizeof(*keys));
	vals = malloc(cap * sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		keys[i] = Y_U64MAP_EMPTY;
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] == Y_U64MAP_EMPTY)
			continue;
		j = u64_hash(m->keys[i], mask);
		while (keys[j] != Y_U64MAP_EMPTY)
			j = (j + 1) & mask;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int y_u64map_put(struct y_u64map *m, uint64_t key, uint64_t val)
{
	size_t j, mask;

	if (key == Y_U64MAP_EMPTY)
		return -EINVAL;
	if ((m->n + 1) * 2 > m->cap) {
		int rc = u64map_grow(m, m->cap ? m->cap * 2 : 8);

		if (rc)
			return rc;
	}
	mask = m->cap - 1;
	j = u64_hash(key, mask);
	while (m->keys[j] != Y_U64MAP_EMPTY) {
		if (m->keys[j] == key) {
			m->vals[j] = val;
			return 0;
		}
		j = (j + 1) & mask;
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
	return 0;
}

bool y_u64map_get(const struct y_u64map *m, uint64_t key, uint64_t *val)
{
	size_t j, mask;

	if (!m->n || key == Y_U64MAP_EMPTY)
		return false;
	mask = m->cap - 1;
	j = u64_hash(key, mask);
	while (m->keys[j] != Y_U64MAP_EMPTY) {
		if (m->keys[j] == key) {
			if (val)
				*val = m->vals[j];
			return true;
		}
		j = (j + 1) & mask;
	}
	return false;
}

/* Reuses dst's slots when they are large enough (transactions copy state
 * vectors on every begin). */
int y_u64map_copy(struct y_u64map *dst, const struct y_u64map *src)
{
	if (dst == src)
		return 0;
	if (dst->cap != src->cap) {
		uint64_t *keys = NULL, *vals = NULL;

		if (src->cap) {
			keys = malloc(src->cap * sizeof(*keys));
			vals = malloc(src->cap * sizeof(*vals));
			if (!keys || !vals) {
				free(keys);
				free(vals);
				return -ENOMEM;
			}
		}
		free(dst->keys);
		free(dst->vals);
		dst->keys = keys;
		dst->vals = vals;
		dst->cap = src->cap;
	}
	if (src->cap) {
		memcpy(dst->keys, src->keys, src->cap * sizeof(*dst->keys));
		memcpy(dst->vals, src->vals, src->cap * sizeof(*dst->vals));
	}
	dst->n = src->n;
	return 0;
}

/* ---- y_keymap ---------------------------------------------------------- */

/*
 * Up to this many keys a map is searched linearly and has no hash index:
 * most maps (an element's attributes, an object's few fields) are that
 * small, and a document holds one per element.
 */
#define KEYMAP_LINEAR_MAX 8

static inline uint32_t key_hash(const char *key, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)key[i];
		h *= 16777619u;
	}
	return h;
}

void y_keymap_init(struct y_keymap *m)
{
	memset(m, 0, sizeof(*m));
}

void y_keymap_release(struct y_keymap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->entries[i].key_len > Y_KEYMAP_KEY_INLINE)
			free(m->entries[i].key.ptr);
	free(m->entries);
	free(m->slots);
	y_keymap_init(m);
}

static int keymap_rehash(struct y_keymap *m, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t i, j, mask = nslots - 1;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < m->n; i++) {
		const struct y_keymap_entry *e = &m->entries[i];

		j = key_hash(y_keymap_key(e), e->key_len) & mask;
		while (slots[j])
			j = (j + 1) & mask;
		slots[j] = (uint32_t)(i + 1);
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
	return 0;
}

void **y_keymap_find(const struct y_keymap *m, const char *key, size_t len)
{
	size_t j, mask;

	if (!m->nslots) {
		for (j = 0; j < m->n; j++) {
			struct y_keymap_entry *e = &m->entries[j];

			if (e->key_len == len &&
			    !memcmp(y_keymap_key(e), key, len))
				return &e->val;
		}
		return NULL;
	}
	mask = m->nslots - 1;
	j = key_hash(key, len) & mask;
	while (m->slots[j]) {
		struct y_keymap_entry *e = &m->entries[m->slots[j] - 1];

		if (e->key_len == len && !memcmp(y_keymap_key(e), key, len))
			return &e->val;
		j = (j + 1) & mask;
	}
	return NULL;
}

int y_keymap_put(struct y_keymap *m, const char *key, size_t len, void *val)
{
	void **slot = y_keymap_find(m, key, len);
	struct y_keymap_entry *e;
	char *copy = NULL;
	size_t j, mask;

	if (slot) {
		*slot = val;
		return 0;
	}
	if (m->n >= UINT32_MAX - 1)
		return -ENOMEM;
	if (m->n + 1 > KEYMAP_LINEAR_MAX && (m->n + 1) * 2 > m->nslots) {
		int rc = keymap_rehash(m, m->nslots ? m->nslots * 2 : 32);

		if (rc)
			return rc;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 2;

		e = realloc(m->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		m->entries = e;
		m->cap = cap;
	}
	if (len > Y_KEYMAP_KEY_INLINE) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
	}
	e = &m->entries[m->n];
	if (copy)
		e->key.ptr = copy;
	else
		copy = e->key.inl;
	if (len)
		memcpy(copy, key, len);
	copy[len] = 0;
	e->key_len = len;
	e->val = val;
	if (m->nslots) {
		mask = m->nslots - 1;
		j = key_hash(key, len) & mask;
		while (m->slots[j])
			j = (j + 1) & mask;
		m->slots[j] = (uint32_t)(m->n + 1);
	}
	m->n++;
	return 0;
}

/* ---- y_str ------------------------------------------------------------- */

int y_str_set(struct y_str *s, const char *p, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, p, len);
	copy[len] = 0;
	free(s->ptr);
	s->ptr = copy;
	s->len = len;
	return 0;
}

void y_str_release(struct y_str *s)
{
	free(s->ptr);
	s->ptr = NULL;
	s->len = 0;
}
