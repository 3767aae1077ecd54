/* SPDX-License-Identifier: MIT */
/*
 * content.c - the content half of an Item (spec 2.3): freeing, splitting
 * (splitItem and integrate-with-offset cut a content in two, 6.2) and
 * merging (adjacent items squash at commit, 6.3).  Lengths live in the
 * Item, not here: a Deleted content is only its item's length.
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

void y_content_release(struct y_content *c)
{
	size_t i;

	switch (c->kind) {
	case Y_CONTENT_STRING:
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
		y_str_release(&c->format.key);
		free_any(c->format.val);
		break;
	case Y_CONTENT_TYPE:
		if (c->type)
			y_type_free(c->type);
		break;
	case Y_CONTENT_DOC:
		y_str_release(&c->doc.guid);
		free_any(c->doc.opts);
		break;
	default:
		break;
	}
	memset(&c->str, 0, sizeof(*c) - offsetof(struct y_content, str));
}

#define FFFD "\xef\xbf\xbd"

static int splice_string(struct y_content *right, struct y_content *c,
			 uint64_t offset)
{
	bool mid = false;
	size_t at = y_utf8_offset(c->str.ptr, c->str.len, offset, &mid);
	size_t tail = at + (mid ? 4 : 0);
	size_t rlen = c->str.len - tail + (mid ? 3 : 0);
	char *p = malloc(rlen + 1);

	if (!p)
		return -ENOMEM;
	if (mid) {
		memcpy(p, FFFD, 3);
		memcpy(p + 3, c->str.ptr + tail, c->str.len - tail);
		/* the left half ends in the dangling high surrogate: its
		 * U+FFFD fits in the 4 bytes the code point used */
		memcpy(c->str.ptr + at, FFFD, 3);
		c->str.len = at + 3;
	} else {
		memcpy(p, c->str.ptr + at, c->str.len - at);
		c->str.len = at;
	}
	p[rlen] = 0;
	c->str.ptr[c->str.len] = 0;
	right->kind = Y_CONTENT_STRING;
	right->str.ptr = p;
	right->str.len = rlen;
	right->str.cap = rlen + 1;
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
		c->list.n = offset;
		right->kind = c->kind;
		right->list.vals = vals;
		right->list.n = n;
		right->list.cap = n;
		return 0;
	default:
		return -EINVAL;
	}
}

int y_content_merge(struct y_content *c, struct y_content *right)
{
	size_t need, cap;

	if (c->kind != right->kind)
		return -EINVAL;
	switch (c->kind) {
	case Y_CONTENT_DELETED:
		break;
	case Y_CONTENT_STRING:
		need = c->str.len + right->str.len + 1;
		cap = c->str.cap;
		if (cap < need) {
			char *p;

			cap = cap * 2 > need ? cap * 2 : need;
			p = realloc(c->str.ptr, cap);
			if (!p)
				return -ENOMEM;
			c->str.ptr = p;
			c->str.cap = cap;
		}
		memcpy(c->str.ptr + c->str.len, right->str.ptr, right->str.len);
		c->str.len += right->str.len;
		c->str.ptr[c->str.len] = 0;
		break;
	case Y_CONTENT_JSON:
	case Y_CONTENT_ANY:
		need = c->list.n + right->list.n;
		cap = c->list.cap < c->list.n ? c->list.n : c->list.cap;
		if (cap < need) {
			struct y_any *v;

			cap = cap * 2 > need ? cap * 2 : need;
			v = realloc(c->list.vals, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			c->list.vals = v;
			c->list.cap = cap;
		}
		memcpy(c->list.vals + c->list.n, right->list.vals,
		       right->list.n * sizeof(*right->list.vals));
		c->list.n = need;
		/* the values moved: only the array itself is left to free */
		right->list.n = 0;
		break;
	default:
		return -EINVAL;
	}
	y_content_release(right);
	return 0;
}
