/* SPDX-License-Identifier: MIT */
/*
 * any.c - lib0 "Any" values: the y_any_* API of yjs.h (construction, deep
 * copy, equality, objects in JS property order) and the lib0 binary codec
 * readAny/writeAny (spec/yjs.md section 1.7).  yjs re-encodes every value
 * from its decoded JS form, so decoding normalises objects exactly as a JS
 * engine would store them and encoding re-derives number tags from the
 * double; both are needed for byte parity.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* ---- constructors ----------------------------------------------------- */

void y_any_init_undefined(struct y_any *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = Y_ANY_UNDEFINED;
}

void y_any_init_null(struct y_any *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = Y_ANY_NULL;
}

void y_any_init_bool(struct y_any *out, bool b)
{
	memset(out, 0, sizeof(*out));
	out->kind = Y_ANY_BOOL;
	out->b = b;
}

void y_any_init_number(struct y_any *out, double num)
{
	memset(out, 0, sizeof(*out));
	out->kind = Y_ANY_NUMBER;
	out->num = num;
}

void y_any_init_bigint(struct y_any *out, int64_t big)
{
	memset(out, 0, sizeof(*out));
	out->kind = Y_ANY_BIGINT;
	out->big = big;
}

static char *dup_mem(const void *p, size_t len)
{
	char *s;

	if (len == SIZE_MAX)
		return NULL;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	if (len)
		memcpy(s, p, len);
	s[len] = 0;
	return s;
}

int y_any_init_string(struct y_any *out, const char *s, size_t len)
{
	char *p = dup_mem(s, len);

	y_any_init_undefined(out);
	if (!p)
		return -ENOMEM;
	out->kind = Y_ANY_STRING;
	out->str.ptr = p;
	out->str.len = len;
	return 0;
}

int y_any_init_bytes(struct y_any *out, const uint8_t *p, size_t len)
{
	char *d = dup_mem(p, len);

	y_any_init_undefined(out);
	if (!d)
		return -ENOMEM;
	out->kind = Y_ANY_BYTES;
	out->bytes.ptr = (uint8_t *)d;
	out->bytes.len = len;
	return 0;
}

void y_any_init_array(struct y_any *out)
{
	y_any_init_undefined(out);
	out->kind = Y_ANY_ARRAY;
}

void y_any_init_object(struct y_any *out)
{
	y_any_init_undefined(out);
	out->kind = Y_ANY_OBJECT;
}

void y_any_clear(struct y_any *v)
{
	size_t i;

	switch (v->kind) {
	case Y_ANY_STRING:
		free(v->str.ptr);
		break;
	case Y_ANY_BYTES:
		free(v->bytes.ptr);
		break;
	case Y_ANY_ARRAY:
		for (i = 0; i < v->arr.len; i++)
			y_any_clear(&v->arr.items[i]);
		free(v->arr.items);
		break;
	case Y_ANY_OBJECT:
		for (i = 0; i < v->obj.len; i++) {
			free(v->obj.entries[i].key);
			y_any_clear(&v->obj.entries[i].val);
		}
		free(v->obj.entries);
		break;
	default:
		break;
	}
	y_any_init_undefined(v);
}

int y_any_copy(struct y_any *out, const struct y_any *src)
{
	struct y_any tmp;
	size_t i;
	int ret;

	switch (src->kind) {
	case Y_ANY_STRING:
		return y_any_init_string(out, src->str.ptr, src->str.len);
	case Y_ANY_BYTES:
		return y_any_init_bytes(out, src->bytes.ptr, src->bytes.len);
	case Y_ANY_ARRAY:
		y_any_init_array(&tmp);
		if (src->arr.len) {
			tmp.arr.items =
				calloc(src->arr.len, sizeof(struct y_any));
			if (!tmp.arr.items)
				goto err_nomem;
		}
		for (i = 0; i < src->arr.len; i++) {
			ret = y_any_copy(&tmp.arr.items[i], &src->arr.items[i]);
			tmp.arr.len = i + 1; /* the failed slot is UNDEFINED */
			if (ret)
				goto err_clear;
		}
		*out = tmp;
		return 0;
	case Y_ANY_OBJECT:
		y_any_init_object(&tmp);
		if (src->obj.len) {
			tmp.obj.entries = calloc(src->obj.len,
						 sizeof(struct y_any_entry));
			if (!tmp.obj.entries)
				goto err_nomem;
		}
		for (i = 0; i < src->obj.len; i++) {
			struct y_any_entry *d = &tmp.obj.entries[i];
			const struct y_any_entry *s = &src->obj.entries[i];

			tmp.obj.len = i + 1;
			d->key = dup_mem(s->key, s->key_len);
			if (!d->key) {
				ret = -ENOMEM;
				goto err_clear;
			}
			d->key_len = s->key_len;
			ret = y_any_copy(&d->val, &s->val);
			if (ret)
				goto err_clear;
		}
		*out = tmp;
		return 0;
	default:
		*out = *src;
		return 0;
	}
err_nomem:
	y_any_init_undefined(out);
	return -ENOMEM;
err_clear:
	y_any_clear(&tmp);
	y_any_init_undefined(out);
	return ret;
}

int y_any_array_push(struct y_any *arr, const struct y_any *val)
{
	struct y_any *items;
	int ret;

	if (arr->kind != Y_ANY_ARRAY)
		return -EINVAL;
	items = realloc(arr->arr.items,
			(arr->arr.len + 1) * sizeof(struct y_any));
	if (!items)
		return -ENOMEM;
	arr->arr.items = items;
	ret = y_any_copy(&items[arr->arr.len], val);
	if (ret)
		return ret;
	arr->arr.len++;
	return 0;
}

/* ---- objects in JS property order ------------------------------------ */

static struct y_any_entry *obj_find(const struct y_any *obj, const char *key,
				    size_t key_len)
{
	size_t i;

	for (i = 0; i < obj->obj.len; i++) {
		struct y_any_entry *e = &obj->obj.entries[i];

		if (e->key_len == key_len && !memcmp(e->key, key, key_len))
			return e;
	}
	return NULL;
}

const struct y_any *y_any_object_get(const struct y_any *obj, const char *key,
				     size_t key_len)
{
	const struct y_any_entry *e;

	if (!obj || obj->kind != Y_ANY_OBJECT)
		return NULL;
	e = obj_find(obj, key, key_len);
	return e ? &e->val : NULL;
}

int y_any_object_set(struct y_any *obj, const char *key, size_t key_len,
		     const struct y_any *val)
{
	struct y_any_entry *e, *entries;
	struct y_any copy;
	uint32_t idx, other;
	size_t pos;
	char *k;
	int ret;

	if (obj->kind != Y_ANY_OBJECT)
		return -EINVAL;
	if (y_js_is_proto(key, key_len))
		return 0;
	ret = y_any_copy(&copy, val);
	if (ret)
		return ret;
	e = obj_find(obj, key, key_len);
	if (e) {
		y_any_clear(&e->val);
		e->val = copy;
		return 0;
	}
	k = dup_mem(key, key_len);
	if (!k)
		goto err_nomem;
	entries = realloc(obj->obj.entries,
			  (obj->obj.len + 1) * sizeof(struct y_any_entry));
	if (!entries) {
		free(k);
		goto err_nomem;
	}
	obj->obj.entries = entries;
	pos = obj->obj.len;
	if (y_js_index_key(key, key_len, &idx)) {
		/* index keys sit at the front, ascending */
		for (pos = 0; pos < obj->obj.len; pos++) {
			if (!y_js_index_key(entries[pos].key,
					    entries[pos].key_len, &other) ||
			    other > idx)
				break;
		}
		memmove(&entries[pos + 1], &entries[pos],
			(obj->obj.len - pos) * sizeof(*entries));
	}
	entries[pos].key = k;
	entries[pos].key_len = key_len;
	entries[pos].val = copy;
	obj->obj.len++;
	return 0;
err_nomem:
	y_any_clear(&copy);
	return -ENOMEM;
}

struct entry_ref {
	struct y_any_entry *e;
	size_t pos;
	uint32_t idx;
	bool is_index;
};

static int ref_cmp_key(const void *a, const void *b)
{
	const struct entry_ref *x = a, *y = b;
	size_t n = x->e->key_len < y->e->key_len ? x->e->key_len :
						   y->e->key_len;
	int c = memcmp(x->e->key, y->e->key, n);

	if (c)
		return c;
	if (x->e->key_len != y->e->key_len)
		return x->e->key_len < y->e->key_len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int ref_cmp_order(const void *a, const void *b)
{
	const struct entry_ref *x = a, *y = b;

	return y_js_key_order(x->is_index, x->idx, x->pos, y->is_index, y->idx,
			      y->pos);
}

static void entry_free(struct y_any_entry *e)
{
	free(e->key);
	e->key = NULL;
	y_any_clear(&e->val);
}

/*
 * Turns entries in creation order (duplicates allowed) into JS property
 * order: a duplicate key keeps its first position and takes the last
 * value, "__proto__" is dropped when drop_proto (object literal assignment,
 * as lib0's readAny does) and kept otherwise (JSON.parse defines it as an
 * own property).  O(n log n) so hostile inputs with many keys stay cheap.
 * On -ENOMEM the entries are unchanged.
 */
int y_any_entries_normalise(struct y_any_entry *entries, size_t *n,
			    bool drop_proto)
{
	struct entry_ref *refs;
	struct y_any_entry *tmp;
	size_t i, j, m, count = *n;

	if (count == 0)
		return 0;
	refs = calloc(count, sizeof(*refs));
	tmp = calloc(count, sizeof(*tmp));
	if (!refs || !tmp) {
		free(refs);
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		refs[i].e = &entries[i];
		refs[i].pos = i;
		refs[i].is_index = y_js_index_key(
			entries[i].key, entries[i].key_len, &refs[i].idx);
	}
	qsort(refs, count, sizeof(*refs), ref_cmp_key);
	m = 0;
	for (i = 0; i < count; i = j) {
		struct y_any_entry *first = refs[i].e;

		for (j = i + 1;
		     j < count && refs[j].e->key_len == first->key_len &&
		     !memcmp(refs[j].e->key, first->key, first->key_len);
		     j++)
			;
		if (drop_proto && y_js_is_proto(first->key, first->key_len)) {
			size_t t;

			for (t = i; t < j; t++)
				entry_free(refs[t].e);
			continue;
		}
		if (j - i > 1) {
			size_t t;

			y_any_clear(&first->val);
			first->val = refs[j - 1].e->val;
			y_any_init_undefined(&refs[j - 1].e->val);
			for (t = i + 1; t < j; t++)
				entry_free(refs[t].e);
		}
		refs[m++] = refs[i];
	}
	qsort(refs, m, sizeof(*refs), ref_cmp_order);
	for (i = 0; i < m; i++)
		tmp[i] = *refs[i].e;
	memcpy(entries, tmp, m * sizeof(*tmp));
	*n = m;
	free(refs);
	free(tmp);
	return 0;
}

/* ---- equality ----------------------------------------------------------- */

bool y_any_equal(const struct y_any *a, const struct y_any *b)
{
	size_t i;

	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case Y_ANY_UNDEFINED:
	case Y_ANY_NULL:
		return true;
	case Y_ANY_BOOL:
		return a->b == b->b;
	case Y_ANY_NUMBER:
		return a->num == b->num || (isnan(a->num) && isnan(b->num));
	case Y_ANY_BIGINT:
		return a->big == b->big;
	case Y_ANY_STRING:
		return a->str.len == b->str.len &&
		       (!a->str.len ||
			!memcmp(a->str.ptr, b->str.ptr, a->str.len));
	case Y_ANY_BYTES:
		return a->bytes.len == b->bytes.len &&
		       (!a->bytes.len ||
			!memcmp(a->bytes.ptr, b->bytes.ptr, a->bytes.len));
	case Y_ANY_ARRAY:
		if (a->arr.len != b->arr.len)
			return false;
		for (i = 0; i < a->arr.len; i++)
			if (!y_any_equal(&a->arr.items[i], &b->arr.items[i]))
				return false;
		return true;
	case Y_ANY_OBJECT:
		if (a->obj.len != b->obj.len)
			return false;
		for (i = 0; i < a->obj.len; i++) {
			const struct y_any_entry *e = &a->obj.entries[i];
			const struct y_any *o;

			/* same position first: the common case */
			if (b->obj.entries[i].key_len == e->key_len &&
			    !memcmp(b->obj.entries[i].key, e->key, e->key_len))
				o = &b->obj.entries[i].val;
			else
				o = y_any_object_get(b, e->key, e->key_len);
			if (!o || !y_any_equal(&e->val, o))
				return false;
		}
		return true;
	}
	return false;
}

/* ---- lib0 readAny ------------------------------------------------------- */

static int read_any(struct y_reader *r, struct y_any *out, unsigned depth);

static int read_array(struct y_reader *r, struct y_any *out, unsigned depth)
{
	struct y_any arr;
	uint64_t n, i;
	size_t cap;
	int ret;

	ret = y_read_var_uint(r, &n);
	if (ret)
		return ret;
	y_any_init_array(&arr);
	/* each element takes at least one byte: never trust n further */
	cap = n < y_reader_left(r) ? (size_t)n : y_reader_left(r);
	if (cap) {
		arr.arr.items = calloc(cap, sizeof(struct y_any));
		if (!arr.arr.items)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (arr.arr.len == cap) {
			/* only reachable if n > left, which must fail later */
			ret = y_reader_fail(r, "Unexpected end of array");
			goto err;
		}
		ret = read_any(r, &arr.arr.items[arr.arr.len], depth + 1);
		if (ret)
			goto err;
		arr.arr.len++;
	}
	*out = arr;
	return 0;
err:
	y_any_clear(&arr);
	return ret;
}

static int read_object(struct y_reader *r, struct y_any *out, unsigned depth)
{
	struct y_any obj;
	uint64_t n, i;
	size_t cap;
	int ret;

	ret = y_read_var_uint(r, &n);
	if (ret)
		return ret;
	y_any_init_object(&obj);
	/* a key length byte and a tag byte per entry at least */
	cap = n < y_reader_left(r) / 2 ? (size_t)n : y_reader_left(r) / 2;
	if (cap) {
		obj.obj.entries = calloc(cap, sizeof(struct y_any_entry));
		if (!obj.obj.entries)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct y_any_entry *e;
		const char *k;
		size_t klen;

		if (obj.obj.len == cap) {
			ret = y_reader_fail(r, "Unexpected end of array");
			goto err;
		}
		ret = y_read_var_string(r, &k, &klen);
		if (ret)
			goto err;
		e = &obj.obj.entries[obj.obj.len];
		e->key = dup_mem(k, klen);
		if (!e->key) {
			ret = -ENOMEM;
			goto err;
		}
		e->key_len = klen;
		obj.obj.len++;
		ret = read_any(r, &e->val, depth + 1);
		if (ret)
			goto err;
	}
	ret = y_any_entries_normalise(obj.obj.entries, &obj.obj.len, true);
	if (ret)
		goto err;
	*out = obj;
	return 0;
err:
	y_any_clear(&obj);
	return ret;
}

static int read_any(struct y_reader *r, struct y_any *out, unsigned depth)
{
	size_t start = r->pos;
	const uint8_t *p;
	const char *s;
	size_t len;
	uint8_t tag;
	double d;
	float f;
	int64_t big;
	int ret;

	y_any_init_undefined(out);
	if (depth > Y_ANY_MAX_DEPTH)
		return y_reader_fail(r, "Any nested too deeply");
	ret = y_read_u8(r, &tag);
	if (ret)
		return ret;
	switch (tag) {
	case 127:
		return 0;
	case 126:
		y_any_init_null(out);
		return 0;
	case 125:
		ret = y_read_var_int(r, &d);
		if (!ret)
			y_any_init_number(out, d);
		return ret;
	case 124:
		ret = y_read_f32(r, &f);
		if (!ret)
			y_any_init_number(out, (double)f);
		return ret;
	case 123:
		ret = y_read_f64(r, &d);
		if (!ret)
			y_any_init_number(out, d);
		return ret;
	case 122:
		ret = y_read_i64(r, &big);
		if (!ret)
			y_any_init_bigint(out, big);
		return ret;
	case 121:
		y_any_init_bool(out, false);
		return 0;
	case 120:
		y_any_init_bool(out, true);
		return 0;
	case 119:
		ret = y_read_var_string(r, &s, &len);
		if (ret)
			return ret;
		return y_any_init_string(out, s, len);
	case 118:
		return read_object(r, out, depth);
	case 117:
		return read_array(r, out, depth);
	case 116:
		ret = y_read_var_bytes(r, &p, &len);
		if (ret)
			return ret;
		return y_any_init_bytes(out, p, len);
	default:
		return y_error_set(r->err, start, "Unknown Any tag %u",
				   (unsigned)tag);
	}
}

int y_read_any(struct y_reader *r, struct y_any *out)
{
	return read_any(r, out, 0);
}

/* ---- lib0 writeAny ------------------------------------------------------ */

/* lib0 isFloat32: does a float32 round trip give the same number back?
 * Guarded so the double -> float conversion is always defined. */
static bool is_float32(double x)
{
	volatile float f;

	if (isnan(x))
		return false;
	if (isinf(x))
		return true;
	if (!(fabs(x) <= FLT_MAX))
		return false;
	f = (float)x;
	return (double)f == x;
}

static void put_number(struct y_buf *b, double x)
{
	if (isfinite(x) && trunc(x) == x && fabs(x) <= 2147483647.0) {
		y_buf_put_u8(b, 125);
		y_buf_put_var_int(b, x);
	} else if (is_float32(x)) {
		y_buf_put_u8(b, 124);
		y_buf_put_f32(b, (float)x);
	} else {
		y_buf_put_u8(b, 123);
		y_buf_put_f64(b, x);
	}
}

void y_buf_put_any(struct y_buf *b, const struct y_any *v)
{
	size_t i;

	switch (v->kind) {
	case Y_ANY_UNDEFINED:
		y_buf_put_u8(b, 127);
		break;
	case Y_ANY_NULL:
		y_buf_put_u8(b, 126);
		break;
	case Y_ANY_BOOL:
		y_buf_put_u8(b, v->b ? 120 : 121);
		break;
	case Y_ANY_NUMBER:
		put_number(b, v->num);
		break;
	case Y_ANY_BIGINT:
		y_buf_put_u8(b, 122);
		y_buf_put_i64(b, v->big);
		break;
	case Y_ANY_STRING:
		y_buf_put_u8(b, 119);
		y_buf_put_var_string(b, v->str.ptr, v->str.len);
		break;
	case Y_ANY_BYTES:
		y_buf_put_u8(b, 116);
		y_buf_put_var_bytes(b, v->bytes.ptr, v->bytes.len);
		break;
	case Y_ANY_ARRAY:
		y_buf_put_u8(b, 117);
		y_buf_put_var_uint(b, v->arr.len);
		for (i = 0; i < v->arr.len; i++)
			y_buf_put_any(b, &v->arr.items[i]);
		break;
	case Y_ANY_OBJECT:
		y_buf_put_u8(b, 118);
		y_buf_put_var_uint(b, v->obj.len);
		for (i = 0; i < v->obj.len; i++) {
			const struct y_any_entry *e = &v->obj.entries[i];

			y_buf_put_var_string(b, e->key, e->key_len);
			y_buf_put_any(b, &e->val);
		}
		break;
	}
}
