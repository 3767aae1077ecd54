/* SPDX-License-Identifier: MIT */
/*
 * content.c - the content half of an Item (spec 2.3): freeing, splitting
 * (splitItem and integrate-with-offset cut a content in two, 6.2) and
 * merging (adjacent items squash at commit, 6.3).  Lengths live in the
 * Item, not here: a Deleted content is only its item's length.
 *
 * Memory: a document holds one content per struct, so strings of up to 8
 * bytes live inside the content, longer ones in an exact-size block (a
 * decoded or split string) or a power-of-two block (one grown by merges,
 * so that typing appends in amortised O(1)); a split that leaves the left
 * half with less than half its block gives the rest back.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

static void free_any(struct y_any *v)
{
	if (!v)
		return;
	y_any_clear(v);
	free(v);
}

/* Heap room of a STRING (bytes) or JSON/ANY (values) content. */
static size_t heap_cap(const struct y_content *c, size_t len)
{
	unsigned lg = c->flags & Y_CONTENT_CAP_LOG2;

	return lg ? (size_t)1 << lg : len;
}

/* Smallest power of two >= need and >= 1 << lg, as a log2. */
static unsigned cap_log2(size_t need, unsigned lg)
{
	while (((size_t)1 << lg) < need)
		lg++;
	return lg;
}

void y_content_release(struct y_content *c)
{
	uint8_t kind = c->kind;
	size_t i;

	switch (kind) {
	case Y_CONTENT_STRING:
		if (!(c->flags & Y_CONTENT_INLINE))
			free(c->str.ptr);
		break;
	case Y_CONTENT_JSON:
	case Y_CONTENT_ANY:
		for (i = 0; i < c->list.n; i++)
			y_any_clear(&c->list.vals[i]);
		free(c->list.vals);
		break;
	case Y_CONTENT_BINARY:
	case Y_CONTENT_EMBED:
		free_any(c->val);
		break;
	case Y_CONTENT_FORMAT:
		if (c->format) {
			y_str_release(&c->format->key);
			free_any(c->format->val);
			free(c->format);
		}
		break;
	case Y_CONTENT_TYPE:
		if (c->type)
			y_type_free(c->type);
		break;
	case Y_CONTENT_DOC:
		if (c->doc) {
			y_str_release(&c->doc->guid);
			free_any(c->doc->opts);
			free(c->doc);
		}
		break;
	default:
		break;
	}
	memset(c, 0, sizeof(*c));
	c->kind = kind;
}

int y_content_set_string(struct y_content *c, const char *s, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->kind = Y_CONTENT_STRING;
	if (len > UINT32_MAX)
		return -ERANGE;
	if (len <= Y_CONTENT_INLINE_MAX) {
		c->flags = Y_CONTENT_INLINE;
		if (len)
			memcpy(c->str.inl, s, len);
	} else {
		char *p = malloc(len);

		if (!p)
			return -ENOMEM;
		memcpy(p, s, len);
		c->str.ptr = p;
	}
	c->str.len = (uint32_t)len;
	return 0;
}

int y_content_set_format(struct y_content *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = Y_CONTENT_FORMAT;
	c->format = calloc(1, sizeof(*c->format));
	return c->format ? 0 : -ENOMEM;
}

int y_content_set_doc(struct y_content *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = Y_CONTENT_DOC;
	c->doc = calloc(1, sizeof(*c->doc));
	return c->doc ? 0 : -ENOMEM;
}

#define FFFD "\xef\xbf\xbd"

/* Shortens a STRING to len bytes; a heap string short enough moves
 * inline (splits are frequent while editing: the left half gives its
 * heap block back). */
static void truncate_string(struct y_content *c, size_t len)
{
	if (c->flags & Y_CONTENT_INLINE) {
		c->str.len = (uint32_t)len;
		return;
	}
	if (len <= Y_CONTENT_INLINE_MAX) {
		char *p = c->str.ptr;

		memcpy(c->str.inl, p, len);
		free(p);
		c->flags = Y_CONTENT_INLINE;
	} else if (len <= heap_cap(c, c->str.len) / 2) {
		/* the left half of a split keeps little of a long run:
		 * shrinking in place is cheap, the rest goes back */
		char *p = realloc(c->str.ptr, len);

		if (p) {
			c->str.ptr = p;
			c->flags = 0;
		}
	}
	c->str.len = (uint32_t)len;
}

static int splice_string(struct y_content *right, struct y_content *c,
			 uint64_t offset)
{
	char *s = (c->flags & Y_CONTENT_INLINE) ? c->str.inl : c->str.ptr;
	bool mid = false;
	size_t at = y_utf8_offset(s, c->str.len, offset, &mid);
	size_t tail = at + (mid ? 4 : 0);
	size_t tlen = c->str.len - tail;
	int r;

	if (!mid) {
		r = y_content_set_string(right, s + at, tlen);
		if (r)
			return r;
		truncate_string(c, at);
		return 0;
	}
	/* the right half starts with the orphaned low surrogate, the left
	 * half ends in the dangling high one: U+FFFD on both sides, which
	 * fits in the 4 bytes the code point used */
	{
		char buf[3 + Y_CONTENT_INLINE_MAX];
		char *p = tlen + 3 <= sizeof(buf) ? buf : malloc(tlen + 3);

		if (!p)
			return -ENOMEM;
		memcpy(p, FFFD, 3);
		memcpy(p + 3, s + tail, tlen);
		r = y_content_set_string(right, p, tlen + 3);
		if (p != buf)
			free(p);
		if (r)
			return r;
	}
	memcpy(s + at, FFFD, 3);
	truncate_string(c, at + 3);
	return 0;
}

int y_content_splice(struct y_content *right, struct y_content *c,
		     uint64_t offset, uint64_t item_len)
{
	struct y_any *vals;
	size_t n;

	memset(right, 0, sizeof(*right));
	if (offset == 0 || offset >= item_len)
		return -EINVAL;
	switch (c->kind) {
	case Y_CONTENT_DELETED:
		right->kind = Y_CONTENT_DELETED;
		return 0;
	case Y_CONTENT_STRING:
		return splice_string(right, c, offset);
	case Y_CONTENT_JSON:
	case Y_CONTENT_ANY:
		if (offset >= c->list.n)
			return -EINVAL;
		n = c->list.n - offset;
		vals = malloc(n * sizeof(*vals));
		if (!vals)
			return -ENOMEM;
		/* y_any values are plain structs owning their children:
		 * moving them bytewise moves the ownership */
		memcpy(vals, c->list.vals + offset, n * sizeof(*vals));
		if (offset <= heap_cap(c, c->list.n) / 2) {
			struct y_any *v =
				realloc(c->list.vals, offset * sizeof(*v));

			if (v) {
				c->list.vals = v;
				c->flags = 0;
			}
		}
		c->list.n = (uint32_t)offset;
		right->kind = c->kind;
		right->list.vals = vals;
		right->list.n = (uint32_t)n;
		return 0;
	default:
		return -EINVAL;
	}
}

static int merge_string(struct y_content *c, const struct y_content *right)
{
	size_t len = c->str.len, need = len + right->str.len;
	const char *rs = y_content_str(right);
	char *p;

	if (need > UINT32_MAX)
		return -ERANGE;
	if (c->flags & Y_CONTENT_INLINE) {
		if (need <= Y_CONTENT_INLINE_MAX) {
			memcpy(c->str.inl + len, rs, right->str.len);
			c->str.len = (uint32_t)need;
			return 0;
		}
		p = malloc((size_t)1 << cap_log2(need, 4));
		if (!p)
			return -ENOMEM;
		memcpy(p, c->str.inl, len);
		c->str.ptr = p;
		c->flags = (uint8_t)cap_log2(need, 4);
	} else if (heap_cap(c, len) < need) {
		p = realloc(c->str.ptr, (size_t)1 << cap_log2(need, 4));
		if (!p)
			return -ENOMEM;
		c->str.ptr = p;
		c->flags = (uint8_t)cap_log2(need, 4);
	}
	memcpy(c->str.ptr + len, rs, right->str.len);
	c->str.len = (uint32_t)need;
	return 0;
}

int y_content_merge(struct y_content *c, struct y_content *right)
{
	size_t need;
	int r;

	if (c->kind != right->kind)
		return -EINVAL;
	switch (c->kind) {
	case Y_CONTENT_DELETED:
		break;
	case Y_CONTENT_STRING:
		r = merge_string(c, right);
		if (r)
			return r;
		break;
	case Y_CONTENT_JSON:
	case Y_CONTENT_ANY:
		need = (size_t)c->list.n + right->list.n;
		if (need > UINT32_MAX)
			return -ERANGE;
		if (heap_cap(c, c->list.n) < need) {
			unsigned lg = cap_log2(need, 1);
			struct y_any *v;

			v = realloc(c->list.vals,
				    ((size_t)1 << lg) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			c->list.vals = v;
			c->flags = (uint8_t)lg;
		}
		memcpy(c->list.vals + c->list.n, right->list.vals,
		       right->list.n * sizeof(*right->list.vals));
		c->list.n = (uint32_t)need;
		/* the values moved: only the array itself is left to free */
		right->list.n = 0;
		break;
	default:
		return -EINVAL;
	}
	y_content_release(right);
	return 0;
}
