// SPDX-License-Identifier: MIT
/*
 * jsondiff.c - a one-line account of what changed between two JSON
 * values, for `meshctl watch --summary`: the JSON pointers of what was
 * added, removed or changed.  Child lists of documents rendered with
 * "$id"s are matched by id, so that an element inserted at the top is
 * one change rather than a change to every element after it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

struct diff {
	char *buf; /* the line so far */
	size_t len, cap;
	size_t shown, total, max;
	int err;
	char ptr[1024]; /* the current pointer */
};

static void note(struct diff *d, const char *what)
{
	size_t need;
	char *p;

	d->total++;
	if (d->shown >= d->max || d->err)
		return;
	need = d->len + strlen(d->ptr) + strlen(what) + 8;
	if (need > d->cap) {
		p = realloc(d->buf, need * 2);
		if (!p) {
			d->err = -ENOMEM;
			return;
		}
		d->buf = p;
		d->cap = need * 2;
	}
	d->len += (size_t)sprintf(d->buf + d->len, "%s%s %s",
				  d->shown ? ", " : "",
				  d->ptr[0] ? d->ptr : "/", what);
	d->shown++;
}

/* Appends "/" + the escaped token to the pointer; returns the old length. */
static size_t push(struct diff *d, const char *tok)
{
	size_t old = strlen(d->ptr), k = old;
	const char *c;

	if (k + 1 < sizeof(d->ptr))
		d->ptr[k++] = '/';
	for (c = tok; *c && k + 3 < sizeof(d->ptr); c++) {
		if (*c == '~' || *c == '/') {
			d->ptr[k++] = '~';
			d->ptr[k++] = *c == '~' ? '0' : '1';
		} else {
			d->ptr[k++] = *c;
		}
	}
	d->ptr[k] = '\0';
	return old;
}

static size_t push_index(struct diff *d, int i)
{
	char tok[16];

	snprintf(tok, sizeof(tok), "%d", i);
	return push(d, tok);
}

/* The "$id" of an element item {"tag": {"$id": ...}}, or NULL. */
static const char *element_id(const cJSON *item)
{
	const cJSON *body, *id;

	if (!cJSON_IsObject(item) || !item->child || item->child->next)
		return NULL;
	body = item->child;
	if (!cJSON_IsObject(body))
		return NULL;
	id = cJSON_GetObjectItemCaseSensitive(body, "$id");
	return cJSON_IsString(id) ? id->valuestring : NULL;
}

static bool all_have_ids(const cJSON *a)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, a) if (!element_id(it)) return false;
	return true;
}

static const cJSON *find_id(const cJSON *a, const char *id, int *index)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, a)
	{
		const char *x = element_id(it);

		if (x && !strcmp(x, id)) {
			*index = i;
			return it;
		}
		i++;
	}
	return NULL;
}

static void diff(struct diff *d, const cJSON *a, const cJSON *b);

static void diff_arrays(struct diff *d, const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	size_t old;
	int i, j, na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);

	if (!all_have_ids(a) || !all_have_ids(b)) {
		for (i = 0; i < na || i < nb; i++) {
			old = push_index(d, i);
			if (i >= nb)
				note(d, "removed");
			else if (i >= na)
				note(d, "added");
			else
				diff(d, cJSON_GetArrayItem(a, i),
				     cJSON_GetArrayItem(b, i));
			d->ptr[old] = '\0';
		}
		return;
	}
	i = 0;
	cJSON_ArrayForEach(x, a)
	{
		if (!find_id(b, element_id(x), &j)) {
			old = push_index(d, i);
			note(d, "removed");
			d->ptr[old] = '\0';
		}
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(y, b)
	{
		old = push_index(d, i);
		x = find_id(a, element_id(y), &j);
		if (!x)
			note(d, "added");
		else
			diff(d, x, y);
		d->ptr[old] = '\0';
		i++;
	}
}

static void diff(struct diff *d, const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	size_t old;

	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		cJSON_ArrayForEach(x, a)
		{
			old = push(d, x->string);
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y)
				note(d, "removed");
			else
				diff(d, x, y);
			d->ptr[old] = '\0';
		}
		cJSON_ArrayForEach(y, b)
		{
			if (cJSON_GetObjectItemCaseSensitive(a, y->string))
				continue;
			old = push(d, y->string);
			note(d, "added");
			d->ptr[old] = '\0';
		}
		return;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		diff_arrays(d, a, b);
		return;
	}
	if (!cJSON_Compare(a, b, true))
		note(d, "changed");
}

int cli_json_diff_summary(char **out, const cJSON *a, const cJSON *b,
			  size_t max)
{
	struct diff d = { .max = max ? max : 1 };
	char tail[64];
	char *p;

	*out = NULL;
	diff(&d, a, b);
	if (d.err) {
		free(d.buf);
		return d.err;
	}
	if (!d.total) {
		free(d.buf);
		*out = strdup("no visible change");
		return *out ? 0 : -ENOMEM;
	}
	if (d.total > d.shown) {
		snprintf(tail, sizeof(tail), " and %zu more",
			 d.total - d.shown);
		p = realloc(d.buf, d.len + strlen(tail) + 1);
		if (!p) {
			free(d.buf);
			return -ENOMEM;
		}
		d.buf = p;
		strcpy(d.buf + d.len, tail);
	}
	*out = d.buf;
	return 0;
}
