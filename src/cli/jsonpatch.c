// SPDX-License-Identifier: MIT
/*
 * jsonpatch.c - RFC 6902 JSON Patch over cJSON trees (see jsonpatch.h).
 *
 * `meshctl patch` renders a document (with "$id"s), applies the patch here
 * and hands base and result to mesh_doc_merge, which turns the difference
 * into CRDT edits.  The patch runs on a copy so that a failing operation
 * (a "test" that does not hold, a pointer that does not resolve) leaves
 * the document as it was: RFC 6902 §5 wants patches atomic.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpatch.h"

/* An RFC 6901 pointer split into its decoded reference tokens. */
struct pointer {
	char **tok;
	size_t n;
};

static void pointer_free(struct pointer *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->tok[i]);
	free(p->tok);
	p->tok = NULL;
	p->n = 0;
}

static void set_msg(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

/* Splits and decodes ptr ("~1" -> "/", "~0" -> "~"). */
static int pointer_parse(struct pointer *out, const char *ptr, char *msg,
			 size_t len)
{
	const char *s, *end;
	char *t, **v;
	size_t i, k;

	out->tok = NULL;
	out->n = 0;
	if (!ptr[0])
		return 0;
	if (ptr[0] != '/') {
		set_msg(msg, len,
			"invalid JSON pointer \"%s\": must be empty or start "
			"with '/'",
			ptr);
		return -EINVAL;
	}
	for (s = ptr; *s == '/'; s = end) {
		end = strchr(s + 1, '/');
		if (!end)
			end = s + strlen(s);
		t = malloc((size_t)(end - s));
		v = realloc(out->tok, (out->n + 1) * sizeof(*v));
		if (!t || !v) {
			free(t);
			if (v)
				out->tok = v;
			pointer_free(out);
			return -ENOMEM;
		}
		out->tok = v;
		for (i = 1, k = 0; s + i < end; i++) {
			if (s[i] != '~') {
				t[k++] = s[i];
				continue;
			}
			if (s + i + 1 < end &&
			    (s[i + 1] == '0' || s[i + 1] == '1')) {
				t[k++] = s[i + 1] == '0' ? '~' : '/';
				i++;
				continue;
			}
			free(t);
			pointer_free(out);
			set_msg(msg, len,
				"invalid JSON pointer \"%s\": '~' must be "
				"followed by 0 or 1",
				ptr);
			return -EINVAL;
		}
		t[k] = '\0';
		out->tok[out->n++] = t;
	}
	return 0;
}

/*
 * An array index token: decimal digits without leading zeros.  *idx is set
 * and 0 returned, or -EINVAL.  "-" is handled by the callers that allow it.
 */
static int parse_index(size_t *idx, const char *tok)
{
	size_t v = 0;
	const char *p;

	if (!tok[0] || (tok[0] == '0' && tok[1]))
		return -EINVAL;
	for (p = tok; *p; p++) {
		if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (size_t)(*p - '0');
	}
	*idx = v;
	return 0;
}

/* The prefix of the pointer made of its first n tokens, for messages. */
static void pointer_prefix(char *buf, size_t len, const struct pointer *p,
			   size_t n)
{
	size_t i, k = 0;
	const char *c;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && k + 1 < len; i++) {
		buf[k++] = '/';
		for (c = p->tok[i]; *c && k + 2 < len; c++) {
			if (*c == '~' || *c == '/') {
				buf[k++] = '~';
				buf[k++] = *c == '~' ? '0' : '1';
			} else {
				buf[k++] = *c;
			}
		}
	}
	buf[k < len ? k : len - 1] = '\0';
}

/* Walks tokens [0, n) from root.  -EINVAL with msg when it does not. */
static int walk(cJSON **out, cJSON *root, const struct pointer *p, size_t n,
		char *msg, size_t len)
{
	char where[256];
	cJSON *cur = root;
	size_t i, idx;
	int size;

	for (i = 0; i < n; i++) {
		pointer_prefix(where, sizeof(where), p, i);
		if (cJSON_IsObject(cur)) {
			cJSON *next = cJSON_GetObjectItemCaseSensitive(
				cur, p->tok[i]);

			if (!next) {
				set_msg(msg, len, "no member \"%s\" in %s",
					p->tok[i], where[0] ? where : "/");
				return -EINVAL;
			}
			cur = next;
		} else if (cJSON_IsArray(cur)) {
			size = cJSON_GetArraySize(cur);
			if (parse_index(&idx, p->tok[i])) {
				set_msg(msg, len,
					"\"%s\" is not an array index (in %s)",
					p->tok[i], where[0] ? where : "/");
				return -EINVAL;
			}
			if (idx >= (size_t)size) {
				set_msg(msg, len,
					"no element %zu in %s (array has %d)",
					idx, where[0] ? where : "/", size);
				return -EINVAL;
			}
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else {
			set_msg(msg, len, "%s is not an object or array",
				where[0] ? where : "/");
			return -EINVAL;
		}
	}
	*out = cur;
	return 0;
}

int cli_json_pointer_get(const cJSON **out, const cJSON *root, const char *ptr,
			 char *msg, size_t len)
{
	struct pointer p;
	cJSON *v = NULL;
	int rc;

	*out = NULL;
	rc = pointer_parse(&p, ptr, msg, len);
	if (rc)
		return rc;
	rc = walk(&v, (cJSON *)root, &p, p.n, msg, len);
	pointer_free(&p);
	if (!rc)
		*out = v;
	return rc;
}

/*
 * Inserts v before element idx (< size) of array a.  cJSON_InsertItemInArray
 * of cJSON 1.7.15 (Debian 12) refuses to insert into parsed arrays, so the
 * tail is detached and appended again: O(size), which a patch can afford.
 */
static void array_insert(cJSON *a, size_t idx, cJSON *v)
{
	cJSON *tail = NULL, *last = NULL, *it, *next;

	while ((size_t)cJSON_GetArraySize(a) > idx) {
		it = cJSON_DetachItemFromArray(a, (int)idx);
		it->prev = last;
		it->next = NULL;
		if (last)
			last->next = it;
		else
			tail = it;
		last = it;
	}
	cJSON_AddItemToArray(a, v);
	for (it = tail; it; it = next) {
		next = it->next;
		it->next = it->prev = NULL;
		cJSON_AddItemToArray(a, it);
	}
}

/* Adds value (taken, also on error) at p in *root. */
static int op_add(cJSON **root, const struct pointer *p, cJSON *value,
		  char *msg, size_t len)
{
	const char *last;
	cJSON *parent;
	size_t idx;
	int rc, size;

	if (!p->n) {
		cJSON_Delete(*root);
		*root = value;
		return 0;
	}
	rc = walk(&parent, *root, p, p->n - 1, msg, len);
	if (rc)
		goto fail;
	last = p->tok[p->n - 1];
	if (cJSON_IsObject(parent)) {
		if (cJSON_GetObjectItemCaseSensitive(parent, last)) {
			if (!cJSON_ReplaceItemInObjectCaseSensitive(
				    parent, last, value))
				goto nomem;
			return 0;
		}
		if (!cJSON_AddItemToObject(parent, last, value))
			goto nomem;
		return 0;
	}
	if (cJSON_IsArray(parent)) {
		size = cJSON_GetArraySize(parent);
		if (!strcmp(last, "-")) {
			idx = (size_t)size;
		} else if (parse_index(&idx, last)) {
			set_msg(msg, len, "\"%s\" is not an array index", last);
			rc = -EINVAL;
			goto fail;
		} else if (idx > (size_t)size) {
			set_msg(msg, len,
				"index %zu is past the end of the array "
				"(size %d)",
				idx, size);
			rc = -EINVAL;
			goto fail;
		}
		if (idx == (size_t)size) {
			if (!cJSON_AddItemToArray(parent, value))
				goto nomem;
			return 0;
		}
		array_insert(parent, idx, value);
		return 0;
	}
	set_msg(msg, len, "the parent is not an object or array");
	rc = -EINVAL;
	goto fail;
nomem:
	rc = -ENOMEM;
fail:
	cJSON_Delete(value);
	return rc;
}

/* Detaches the value at p (not the root) into *out. */
static int op_detach(cJSON **out, cJSON *root, const struct pointer *p,
		     char *msg, size_t len)
{
	cJSON *parent, *v;
	int rc;

	*out = NULL;
	if (!p->n) {
		set_msg(msg, len, "cannot remove the whole document");
		return -EINVAL;
	}
	/* walk the full path first: its message names what is missing */
	rc = walk(&v, root, p, p->n, msg, len);
	if (rc)
		return rc;
	rc = walk(&parent, root, p, p->n - 1, msg, len);
	if (rc)
		return rc;
	*out = cJSON_DetachItemViaPointer(parent, v);
	return 0;
}

/* Replaces the value at p (which must exist) by value (taken). */
static int op_replace(cJSON **root, const struct pointer *p, cJSON *value,
		      char *msg, size_t len)
{
	cJSON *parent, *old;
	int rc;

	if (!p->n) {
		cJSON_Delete(*root);
		*root = value;
		return 0;
	}
	rc = walk(&old, *root, p, p->n, msg, len);
	if (!rc)
		rc = walk(&parent, *root, p, p->n - 1, msg, len);
	if (rc) {
		cJSON_Delete(value);
		return rc;
	}
	/* by key for objects: replacing via pointer would drop the key */
	if (cJSON_IsObject(parent) ?
		    !cJSON_ReplaceItemInObjectCaseSensitive(
			    parent, p->tok[p->n - 1], value) :
		    !cJSON_ReplaceItemViaPointer(parent, old, value)) {
		cJSON_Delete(value);
		return -ENOMEM;
	}
	return 0;
}

static bool pointer_is_proper_prefix(const char *from, const char *path)
{
	size_t n = strlen(from);

	return !strncmp(from, path, n) && path[n] == '/';
}

/* A short compact rendering of v for messages. */
static void brief_json(char *buf, size_t len, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	if (!s) {
		snprintf(buf, len, "(?)");
		return;
	}
	if (strlen(s) >= len && len > 4)
		snprintf(buf, len, "%.*s...", (int)(len - 4), s);
	else
		snprintf(buf, len, "%s", s);
	cJSON_free(s);
}

/* One operation on *root; msg without the "patch[i]" prefix. */
static int apply_op(cJSON **root, const cJSON *op, char *msg, size_t len)
{
	const cJSON *jop = cJSON_GetObjectItemCaseSensitive(op, "op");
	const cJSON *jpath = cJSON_GetObjectItemCaseSensitive(op, "path");
	const cJSON *jfrom = cJSON_GetObjectItemCaseSensitive(op, "from");
	const cJSON *jval = cJSON_GetObjectItemCaseSensitive(op, "value");
	struct pointer path = { 0 }, from = { 0 };
	char got[128], want[128];
	const char *name;
	cJSON *v = NULL, *target;
	bool needs_value, needs_from;
	int rc;

	if (!cJSON_IsString(jop)) {
		set_msg(msg, len, "missing \"op\" string");
		return -EINVAL;
	}
	name = jop->valuestring;
	if (!cJSON_IsString(jpath)) {
		set_msg(msg, len, "missing \"path\" string");
		return -EINVAL;
	}
	needs_value = !strcmp(name, "add") || !strcmp(name, "replace") ||
		      !strcmp(name, "test");
	needs_from = !strcmp(name, "move") || !strcmp(name, "copy");
	if (!needs_value && !needs_from && strcmp(name, "remove")) {
		set_msg(msg, len,
			"unknown op \"%s\" (add, remove, replace, move, copy, "
			"test)",
			name);
		return -EINVAL;
	}
	if (needs_value && !jval) {
		set_msg(msg, len, "missing \"value\"");
		return -EINVAL;
	}
	if (needs_from && !cJSON_IsString(jfrom)) {
		set_msg(msg, len, "missing \"from\" string");
		return -EINVAL;
	}
	rc = pointer_parse(&path, jpath->valuestring, msg, len);
	if (rc)
		return rc;
	if (needs_from) {
		rc = pointer_parse(&from, jfrom->valuestring, msg, len);
		if (rc)
			goto out;
	}
	if (!strcmp(name, "add") || !strcmp(name, "replace")) {
		v = cJSON_Duplicate(jval, true);
		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		if (name[0] == 'a')
			rc = op_add(root, &path, v, msg, len);
		else
			rc = op_replace(root, &path, v, msg, len);
	} else if (!strcmp(name, "remove")) {
		rc = op_detach(&v, *root, &path, msg, len);
		cJSON_Delete(v);
	} else if (!strcmp(name, "test")) {
		rc = walk(&target, *root, &path, path.n, msg, len);
		if (!rc && !cJSON_Compare(target, jval, true)) {
			brief_json(got, sizeof(got), target);
			brief_json(want, sizeof(want), jval);
			set_msg(msg, len,
				"test failed: the value is %s, not %s", got,
				want);
			rc = -ECANCELED;
		}
	} else if (!strcmp(name, "copy")) {
		rc = walk(&target, *root, &from, from.n, msg, len);
		if (rc)
			goto out;
		v = cJSON_Duplicate(target, true);
		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		rc = op_add(root, &path, v, msg, len);
	} else { /* move */
		if (!strcmp(jfrom->valuestring, jpath->valuestring)) {
			rc = walk(&target, *root, &from, from.n, msg, len);
			goto out;
		}
		if (pointer_is_proper_prefix(jfrom->valuestring,
					     jpath->valuestring) ||
		    !from.n) {
			set_msg(msg, len, "cannot move a value into itself");
			rc = -EINVAL;
			goto out;
		}
		rc = op_detach(&v, *root, &from, msg, len);
		if (!rc)
			rc = op_add(root, &path, v, msg, len);
	}
out:
	pointer_free(&path);
	pointer_free(&from);
	return rc;
}

int cli_jsonpatch_apply(cJSON **doc, const cJSON *patch, char *msg, size_t len)
{
	char why[CLI_JSONPATCH_MSG_MAX], ptr[160];
	const cJSON *op, *jop, *jpath;
	cJSON *work;
	size_t i = 0;
	int rc = 0;

	if (!cJSON_IsArray(patch)) {
		set_msg(msg, len,
			"a JSON Patch must be an array of operations");
		return -EINVAL;
	}
	work = cJSON_Duplicate(*doc, true);
	if (!work)
		return -ENOMEM;
	cJSON_ArrayForEach(op, patch)
	{
		why[0] = '\0';
		if (!cJSON_IsObject(op)) {
			set_msg(msg, len, "patch[%zu]: not an object", i);
			rc = -EINVAL;
			break;
		}
		rc = apply_op(&work, op, why, sizeof(why));
		if (rc) {
			jop = cJSON_GetObjectItemCaseSensitive(op, "op");
			jpath = cJSON_GetObjectItemCaseSensitive(op, "path");
			if (cJSON_IsString(jop) && cJSON_IsString(jpath)) {
				snprintf(ptr, sizeof(ptr), "%s",
					 jpath->valuestring);
				set_msg(msg, len, "patch[%zu] (%s %s): %s", i,
					jop->valuestring, ptr[0] ? ptr : "\"\"",
					why);
			} else {
				set_msg(msg, len, "patch[%zu]: %s", i, why);
			}
			break;
		}
		i++;
	}
	if (rc) {
		cJSON_Delete(work);
		return rc;
	}
	cJSON_Delete(*doc);
	*doc = work;
	return 0;
}
