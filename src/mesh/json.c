/* SPDX-License-Identifier: MIT */
/*
 * json.c - JSON text in and out for the mesh layer, on top of cJSON, plus
 * the error and diagnostic helpers every other file of src/mesh uses.
 *
 * cJSON parses more than JSON.parse accepts (leading zeros, "1.", raw
 * control characters, invalid UTF-8) and keeps duplicate keys, while the
 * SDKs (and the LLMs that write documents) live by JSON.parse.  So parsing
 * is cJSON plus a strict lexical pass plus duplicate resolution; printing
 * is our own, because cJSON indents with tabs and prints integral doubles
 * inconsistently with JavaScript.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docint.h"

/* ---------------------------------------------------------------- errors */

static void copy_cut(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n < cap) {
		memcpy(dst, src, n + 1);
		return;
	}
	/* Keep the head and the tail, which name the top and the fault. */
	size_t head = (cap - 4) / 3;
	size_t tail = cap - 4 - head;

	memcpy(dst, src, head);
	memcpy(dst + head, "...", 3);
	memcpy(dst + head + 3, src + n - tail, tail);
	dst[cap - 1] = '\0';
}

void mesh_error_clear(struct mesh_error *err)
{
	if (!err)
		return;
	err->path[0] = '\0';
	err->msg[0] = '\0';
}

void mesh_error_vset(struct mesh_error *err, const char *path, const char *fmt,
		     va_list ap)
{
	char *c;
	int n;

	if (!err)
		return;
	copy_cut(err->path, sizeof(err->path), path ? path : "");
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n >= (int)sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	/* A message is one line of text even when it quotes a key that
	 * holds control characters. */
	for (c = err->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

void mesh_error_set(struct mesh_error *err, const char *path, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	mesh_error_vset(err, path, fmt, ap);
	va_end(ap);
}

int mesh_error_format(char *buf, size_t len, const struct mesh_error *err)
{
	if (!err->path[0])
		return snprintf(buf, len, "%s", err->msg);
	return snprintf(buf, len, "%s: %s", err->path, err->msg);
}

void mesh_diag_init(struct mesh_diag *d)
{
	d->errors = NULL;
	d->n = 0;
	d->total = 0;
}

void mesh_diag_free(struct mesh_diag *d)
{
	if (!d)
		return;
	free(d->errors);
	mesh_diag_init(d);
}

int mesh_diag_add(struct mesh_diag *d, const char *path, const char *fmt, ...)
{
	va_list ap;

	d->total++;
	if (d->n >= MESH_DIAG_MAX)
		return 0;
	/* Capacity 4, 8, 16, 32, 64, then MESH_DIAG_MAX: grow when full. */
	if (d->n == 0 || (d->n >= 4 && (d->n & (d->n - 1)) == 0)) {
		size_t cap = d->n ? d->n * 2 : 4;
		struct mesh_error *e;

		if (cap > MESH_DIAG_MAX)
			cap = MESH_DIAG_MAX;
		e = realloc(d->errors, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		d->errors = e;
	}
	va_start(ap, fmt);
	mesh_error_vset(&d->errors[d->n], path, fmt, ap);
	va_end(ap);
	d->n++;
	return 0;
}

int mesh_diag_format(char **out, const struct mesh_diag *d)
{
	size_t cap = 64, len = 0, i;
	char *buf;

	*out = NULL;
	for (i = 0; i < d->n; i++)
		cap += strlen(d->errors[i].path) + strlen(d->errors[i].msg) + 3;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	for (i = 0; i < d->n; i++) {
		len += mesh_error_format(buf + len, cap - len, &d->errors[i]);
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	if (d->total > d->n)
		snprintf(buf + len, cap - len, "... and %zu more errors\n",
			 d->total - d->n);
	*out = buf;
	return 0;
}

/* --------------------------------------------------------- JSON pointers */

static void ptr_reserve(struct mesh_ptr *p, size_t extra)
{
	size_t cap;
	char *b;

	if (p->len + extra + 1 <= p->cap)
		return;
	cap = p->cap ? p->cap : 64;
	while (cap < p->len + extra + 1)
		cap *= 2;
	b = realloc(p->buf, cap);
	if (!b) {
		p->oom = true;
		return;
	}
	p->buf = b;
	p->cap = cap;
}

void mesh_ptr_push(struct mesh_ptr *p, const char *key)
{
	size_t extra = 1, i;
	const char *k;

	for (k = key; *k; k++)
		extra += (*k == '~' || *k == '/') ? 2 : 1;
	ptr_reserve(p, extra);
	if (p->len + extra + 1 > p->cap)
		return;
	i = p->len;
	p->buf[i++] = '/';
	for (k = key; *k; k++) {
		if (*k == '~' || *k == '/') {
			p->buf[i++] = '~';
			p->buf[i++] = *k == '~' ? '0' : '1';
		} else {
			p->buf[i++] = *k;
		}
	}
	p->buf[i] = '\0';
	p->len = i;
}

void mesh_ptr_push_index(struct mesh_ptr *p, size_t idx)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%zu", idx);
	mesh_ptr_push(p, tmp);
}

void mesh_ptr_pop(struct mesh_ptr *p, size_t len)
{
	if (len < p->len) {
		p->len = len;
		p->buf[len] = '\0';
	}
}

const char *mesh_ptr_str(const struct mesh_ptr *p)
{
	return p->len ? p->buf : "";
}

void mesh_ptr_free(struct mesh_ptr *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
}

/* --------------------------------------------------------- small helpers */

const char *mesh_json_type_name(const cJSON *v)
{
	if (!v)
		return "undefined";
	switch (v->type & 0xff) {
	case cJSON_False:
	case cJSON_True:
		return "boolean";
	case cJSON_NULL:
		return "null";
	case cJSON_Number:
		return "number";
	case cJSON_String:
		return "string";
	case cJSON_Array:
		return "array";
	case cJSON_Object:
		return "object";
	case cJSON_Raw:
		return "raw JSON";
	}
	return "invalid";
}

void mesh_json_snippet(char *buf, size_t len, const cJSON *v)
{
	char *text;

	if (!len)
		return;
	text = v ? cJSON_PrintUnformatted(v) : NULL;
	if (!text) {
		snprintf(buf, len, "%s", mesh_json_type_name(v));
		return;
	}
	if (strlen(text) >= len && len > 4) {
		memcpy(buf, text, len - 4);
		memcpy(buf + len - 4, "...", 4);
	} else {
		snprintf(buf, len, "%s", text);
	}
	cJSON_free(text);
}

const cJSON *mesh_json_get(const cJSON *obj, const char *key)
{
	const cJSON *c, *found = NULL;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (c = obj->child; c; c = c->next)
		if (c->string && strcmp(c->string, key) == 0)
			found = c;
	return found;
}

size_t mesh_json_count(const cJSON *v)
{
	const cJSON *c;
	size_t n = 0;

	if (!v || !(cJSON_IsArray(v) || cJSON_IsObject(v)))
		return 0;
	for (c = v->child; c; c = c->next)
		n++;
	return n;
}

/* ------------------------------------------------------ duplicate keys */

struct member {
	cJSON *item;
	size_t idx;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int r = strcmp(x->item->string, y->item->string);

	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Moves b's value into a (a keeps its key and position). */
static void swap_values(cJSON *a, cJSON *b)
{
	cJSON tmp = *a;

	a->child = b->child;
	a->type = b->type;
	a->valuestring = b->valuestring;
	a->valueint = b->valueint;
	a->valuedouble = b->valuedouble;
	b->child = tmp.child;
	b->type = tmp.type;
	b->valuestring = tmp.valuestring;
	b->valueint = tmp.valueint;
	b->valuedouble = tmp.valuedouble;
}

static int dedupe_object(cJSON *obj)
{
	size_t n = mesh_json_count(obj), i, j, k;
	struct member *m;
	cJSON *c;

	if (n < 2)
		return 0;
	m = malloc(n * sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (c = obj->child, i = 0; c; c = c->next, i++) {
		m[i].item = c;
		m[i].idx = i;
		if (!c->string) {
			/* Not a parsed object; leave it alone. */
			free(m);
			return 0;
		}
	}
	qsort(m, n, sizeof(*m), member_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n; j++)
			if (strcmp(m[i].item->string, m[j].item->string))
				break;
		if (j - i < 2)
			continue;
		swap_values(m[i].item, m[j - 1].item);
		for (k = i + 1; k < j; k++)
			cJSON_Delete(
				cJSON_DetachItemViaPointer(obj, m[k].item));
	}
	free(m);
	return 0;
}

int mesh_json_dedupe(cJSON *v)
{
	cJSON *c;
	int ret;

	if (!v || !(cJSON_IsArray(v) || cJSON_IsObject(v)))
		return 0;
	for (c = v->child; c; c = c->next) {
		ret = mesh_json_dedupe(c);
		if (ret)
			return ret;
	}
	return cJSON_IsObject(v) ? dedupe_object(v) : 0;
}

/* --------------------------------------------------------------- parsing */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if bad. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* Overlongs, surrogates and > U+10FFFF restrict the 2nd byte. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a strict JSON number at s, or 0 when it is not one. */
static size_t scan_number(const unsigned char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit(s[i]))
			i++;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	/* cJSON would happily read on: "01", "1.", "1e5.3" */
	if (i < n && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' ||
		      s[i] == 'E' || s[i] == '+' || s[i] == '-'))
		return 0;
	return i;
}

/*
 * The lexical rules cJSON does not enforce.  Runs on text that cJSON
 * accepted, so the structure is known to be sound.  Returns 0, or -1 with
 * *at and *why set.
 */
static int check_lexical(const unsigned char *s, size_t n, size_t *at,
			 const char **why)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '"') {
			for (i++;;) {
				if (i >= n) {
					*at = i;
					*why = "unterminated string";
					return -1;
				}
				c = s[i];
				if (c == '"') {
					i++;
					break;
				}
				if (c < 0x20) {
					*at = i;
					*why = "control character in string";
					return -1;
				}
				if (c == '\\') {
					if (i + 5 < n && s[i + 1] == 'u' &&
					    memcmp(s + i + 2, "0000", 4) == 0) {
						*at = i;
						*why = "\\u0000 in a string is not supported";
						return -1;
					}
					i += 2;
					continue;
				}
				k = utf8_seq(s + i, n - i);
				if (!k) {
					*at = i;
					*why = "invalid UTF-8";
					return -1;
				}
				i += k;
			}
			continue;
		}
		if (c == '-' || is_digit(c)) {
			k = scan_number(s + i, n - i);
			if (!k) {
				*at = i;
				*why = "invalid number";
				return -1;
			}
			i += k;
			continue;
		}
		i++;
	}
	return 0;
}

static void set_syntax_error(struct mesh_error *err, const char *text,
			     size_t at, const char *why)
{
	size_t line = 1, col = 1, i;

	for (i = 0; i < at; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	mesh_error_set(err, "",
		       "invalid JSON at byte %zu (line %zu, column %zu): %s",
		       at, line, col, why);
}

int mesh_json_parse(cJSON **out, const char *text, size_t len,
		    struct mesh_error *err)
{
	const char *end = NULL, *why;
	cJSON *v = NULL;
	char *copy;
	size_t at, i;
	int ret;

	*out = NULL;
	/* A NUL-terminated copy: cJSON's length checks are not to be
	 * trusted on every path of 1.7.x. */
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';

	if (memchr(copy, '\0', len)) {
		at = strlen(copy);
		set_syntax_error(err, copy, at, "NUL byte");
		ret = -EINVAL;
		goto out;
	}
	v = cJSON_ParseWithOpts(copy, &end, 0);
	if (!v) {
		/* cJSON also fails on allocation errors; it cannot tell us,
		 * so that case reads as a syntax error. */
		at = end && end >= copy && end <= copy + len ?
			     (size_t)(end - copy) :
			     0;
		set_syntax_error(err, copy, at,
				 at >= len ? "unexpected end of input" :
					     "syntax error");
		ret = -EINVAL;
		goto out;
	}
	for (i = (size_t)(end - copy); i < len; i++) {
		if (copy[i] != ' ' && copy[i] != '\t' && copy[i] != '\n' &&
		    copy[i] != '\r') {
			set_syntax_error(
				err, copy, i,
				"unexpected text after the JSON value");
			ret = -EINVAL;
			goto out;
		}
	}
	/* cJSON skips a UTF-8 byte order mark; JSON.parse does not. */
	if (len >= 3 && memcmp(copy, "\xef\xbb\xbf", 3) == 0) {
		set_syntax_error(err, copy, 0, "byte order mark");
		ret = -EINVAL;
		goto out;
	}
	if (check_lexical((const unsigned char *)copy, len, &at, &why)) {
		set_syntax_error(err, copy, at, why);
		ret = -EINVAL;
		goto out;
	}
	ret = mesh_json_dedupe(v);
	if (ret)
		goto out;
	*out = v;
	v = NULL;
out:
	cJSON_Delete(v);
	free(copy);
	return ret;
}

/* -------------------------------------------------------------- printing */

bool mesh_sbuf_grow(struct mesh_sbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->oom)
		return false;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

#define sbuf mesh_sbuf
#define sb_put mesh_sbuf_put

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void mesh_sbuf_indent(struct mesh_sbuf *b, int depth)
{
	static const char spaces[] =
		"                                                                "
		"                                                                ";
	size_t n = (size_t)(depth > 0 ? depth : 0) * 2;

	while (n > sizeof(spaces) - 1) {
		sb_put(b, spaces, sizeof(spaces) - 1);
		n -= sizeof(spaces) - 1;
	}
	sb_put(b, spaces, n);
}

#define sb_indent mesh_sbuf_indent

/* Bytes JSON.stringify escapes (and NUL, where a cJSON string ends). */
static const unsigned char json_special[256] = {
	[0 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
};

/* JSON.stringify's escaping: the mandatory ones only, UTF-8 as is. */
void mesh_sbuf_put_string(struct mesh_sbuf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	char esc[8];

	/* the common case in one copy: worst case 6 bytes per input byte */
	if (b->len + len + 3 > b->cap && !mesh_sbuf_grow(b, len + 2))
		return;
	b->p[b->len++] = '"';
	for (;;) {
		while (i < len && !json_special[u[i]])
			i++;
		sb_put(b, s + run, i - run);
		if (i >= len || !u[i])
			break;
		switch (u[i]) {
		case '"':
			sb_put(b, "\\\"", 2);
			break;
		case '\\':
			sb_put(b, "\\\\", 2);
			break;
		case '\b':
			sb_put(b, "\\b", 2);
			break;
		case '\f':
			sb_put(b, "\\f", 2);
			break;
		case '\n':
			sb_put(b, "\\n", 2);
			break;
		case '\r':
			sb_put(b, "\\r", 2);
			break;
		case '\t':
			sb_put(b, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			sb_puts(b, esc);
		}
		run = ++i;
	}
	sb_put(b, "\"", 1);
}

static void put_string(struct sbuf *b, const char *s)
{
	mesh_sbuf_put_string(b, s, strlen(s));
}

/* Like JavaScript's Number#toString for the common cases: integers in
 * full, otherwise the shortest of %.15g..%.17g that reads back exactly,
 * with the exponent written as JavaScript does (1e-7, 1.5e+21). */
void mesh_sbuf_put_number(struct mesh_sbuf *b, double d)
{
	char tmp[64], out[64];
	char *e;
	int prec;
	size_t i, o = 0;

	if (isnan(d) || isinf(d)) {
		sb_puts(b, "null");
		return;
	}
	if (d == 0) {
		sb_puts(b, "0");
		return;
	}
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		/* exact in an int64: digits by hand, no printf */
		int64_t v = (int64_t)d;
		uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;

		o = sizeof(tmp);
		while (u) {
			tmp[--o] = (char)('0' + u % 10);
			u /= 10;
		}
		if (v < 0)
			tmp[--o] = '-';
		sb_put(b, tmp + o, sizeof(tmp) - o);
		return;
	}
	if (d == floor(d) && fabs(d) < 1e21) {
		snprintf(tmp, sizeof(tmp), "%.0f", d);
		sb_puts(b, tmp);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	if (!e) {
		sb_puts(b, tmp);
		return;
	}
	for (i = 0; tmp + i < e; i++)
		out[o++] = tmp[i];
	out[o++] = 'e';
	i++;
	out[o++] = tmp[i] == '-' ? '-' : '+';
	if (tmp[i] == '-' || tmp[i] == '+')
		i++;
	while (tmp[i] == '0' && tmp[i + 1])
		i++;
	while (tmp[i])
		out[o++] = tmp[i++];
	out[o] = '\0';
	sb_puts(b, out);
}

#define put_number mesh_sbuf_put_number

static int put_value(struct sbuf *b, const cJSON *v, int depth)
{
	const cJSON *c;
	int ret;

	switch (v->type & 0xff) {
	case cJSON_False:
		sb_puts(b, "false");
		return 0;
	case cJSON_True:
		sb_puts(b, "true");
		return 0;
	case cJSON_NULL:
		sb_puts(b, "null");
		return 0;
	case cJSON_Number:
		put_number(b, v->valuedouble);
		return 0;
	case cJSON_String:
		put_string(b, v->valuestring ? v->valuestring : "");
		return 0;
	case cJSON_Array:
	case cJSON_Object:
		break;
	default:
		return -EINVAL;
	}
	if (!v->child) {
		sb_puts(b, cJSON_IsArray(v) ? "[]" : "{}");
		return 0;
	}
	sb_puts(b, cJSON_IsArray(v) ? "[\n" : "{\n");
	for (c = v->child; c; c = c->next) {
		sb_indent(b, depth + 1);
		if (cJSON_IsObject(v)) {
			put_string(b, c->string ? c->string : "");
			sb_puts(b, ": ");
		}
		ret = put_value(b, c, depth + 1);
		if (ret)
			return ret;
		sb_puts(b, c->next ? ",\n" : "\n");
	}
	sb_indent(b, depth);
	sb_puts(b, cJSON_IsArray(v) ? "]" : "}");
	return 0;
}

int mesh_json_print(char **out, const cJSON *v)
{
	struct sbuf b = { 0 };
	int ret;

	*out = NULL;
	if (!v)
		return -EINVAL;
	ret = put_value(&b, v, 0);
	sb_puts(&b, "\n");
	if (!ret && b.oom)
		ret = -ENOMEM;
	if (ret) {
		free(b.p);
		return ret;
	}
	*out = b.p;
	return 0;
}
