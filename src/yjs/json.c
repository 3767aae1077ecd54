/* SPDX-License-Identifier: MIT */
/*
 * json.c - JSON text with JavaScript semantics (spec/yjs.md 9.8): a strict
 * JSON.parse into y_any, and JSON.stringify / String() output that matches
 * V8 byte for byte (shortest round-trip numbers laid out as
 * Number::toString does, JS string escaping).  yjs itself stores JSON
 * content as JSON.stringify text and renders views through it, so parity
 * here is what makes C and JS views compare equal.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* ---- numbers ------------------------------------------------------------ */

/*
 * Shortest decimal digits that read back as v (v finite, > 0): digits in
 * dig (NUL-terminated, no trailing zeros), decimal exponent of the first
 * digit in *exp.  Tries precisions 1..17 with printf's correctly rounded
 * %e; when the nearest p-digit decimal lies below v and does not round
 * trip, the next one up may (the rounding interval is wider above a power
 * of two), and ECMAScript takes any shortest one that round-trips.
 */
static void shortest_digits(double v, char dig[32], int *exp)
{
	char buf[48], cand[48];
	int p, e, i, k;
	char *m;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
		if (strtod(buf, NULL) == v)
			break;
		if (strtod(buf, NULL) < v && p < 17) {
			/* digit string + 1 ulp at this precision */
			char d[24];
			int n = 0;

			for (m = buf; *m && *m != 'e'; m++)
				if (*m >= '0' && *m <= '9')
					d[n++] = *m;
			e = atoi(m + 1);
			for (i = n - 1; i >= 0; i--) {
				if (d[i] == '9') {
					d[i] = '0';
				} else {
					d[i]++;
					break;
				}
			}
			if (i < 0) {
				/* 99..9 + 1: becomes 10..0, one exponent up */
				memmove(d + 1, d, (size_t)n);
				d[0] = '1';
				e++;
			}
			d[p] = 0;
			snprintf(cand, sizeof(cand), "%c.%se%d", d[0], d + 1,
				 e);
			if (strtod(cand, NULL) == v) {
				snprintf(buf, sizeof(buf), "%s", cand);
				break;
			}
		}
	}
	k = 0;
	for (m = buf; *m && *m != 'e'; m++)
		if (*m >= '0' && *m <= '9')
			dig[k++] = *m;
	*exp = *m == 'e' ? atoi(m + 1) : 0;
	while (k > 1 && dig[k - 1] == '0')
		k--;
	dig[k] = 0;
}

/* Number::toString(10) for finite v. */
static void put_finite(struct y_buf *b, double v)
{
	char dig[32];
	int e, n, k, i;

	if (v == 0) {
		y_buf_put_u8(b, '0'); /* -0 too */
		return;
	}
	if (v < 0) {
		y_buf_put_u8(b, '-');
		v = -v;
	}
	shortest_digits(v, dig, &e);
	k = (int)strlen(dig);
	n = e + 1;
	if (k <= n && n <= 21) {
		y_buf_put_bytes(b, dig, (size_t)k);
		for (i = k; i < n; i++)
			y_buf_put_u8(b, '0');
	} else if (0 < n && n <= 21) {
		y_buf_put_bytes(b, dig, (size_t)n);
		y_buf_put_u8(b, '.');
		y_buf_put_bytes(b, dig + n, (size_t)(k - n));
	} else if (-6 < n && n <= 0) {
		y_buf_put_str(b, "0.");
		for (i = 0; i < -n; i++)
			y_buf_put_u8(b, '0');
		y_buf_put_bytes(b, dig, (size_t)k);
	} else {
		y_buf_put_u8(b, dig[0]);
		if (k > 1) {
			y_buf_put_u8(b, '.');
			y_buf_put_bytes(b, dig + 1, (size_t)(k - 1));
		}
		y_buf_printf(b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
}

void y_json_put_number(struct y_buf *b, double v)
{
	if (!isfinite(v))
		y_buf_put_str(b, "null");
	else
		put_finite(b, v);
}

void y_js_put_number_string(struct y_buf *b, double v)
{
	if (isnan(v))
		y_buf_put_str(b, "NaN");
	else if (isinf(v))
		y_buf_put_str(b, v < 0 ? "-Infinity" : "Infinity");
	else
		put_finite(b, v);
}

/* ---- stringify ---------------------------------------------------------- */

void y_json_put_string(struct y_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	y_buf_reserve(b, len + 2);
	y_buf_put_u8(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (c == 0xed && i + 2 < len &&
		    ((unsigned char)s[i + 1] & 0xe0) == 0xa0) {
			/* WTF-8 lone surrogate from a view: JS escapes it */
			unsigned u = 0xd000 |
				     (((unsigned char)s[i + 1] & 0x3fu) << 6) |
				     ((unsigned char)s[i + 2] & 0x3fu);

			y_buf_put_bytes(b, s + run, i - run);
			y_buf_printf(b, "\\u%04x", u);
			i += 2;
			run = i + 1;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		y_buf_put_bytes(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = 0;
			esc = u;
			break;
		}
		y_buf_put_str(b, esc);
	}
	y_buf_put_bytes(b, s + run, len - run);
	y_buf_put_u8(b, '"');
}

void y_json_put(struct y_buf *b, const struct y_any *v)
{
	size_t i;
	bool first;

	switch (v->kind) {
	case Y_ANY_UNDEFINED:
		y_buf_put_str(b, "undefined");
		break;
	case Y_ANY_NULL:
		y_buf_put_str(b, "null");
		break;
	case Y_ANY_BOOL:
		y_buf_put_str(b, v->b ? "true" : "false");
		break;
	case Y_ANY_NUMBER:
		y_json_put_number(b, v->num);
		break;
	case Y_ANY_BIGINT:
		y_buf_printf(b, "%" PRId64, v->big);
		break;
	case Y_ANY_STRING:
		y_json_put_string(b, v->str.ptr, v->str.len);
		break;
	case Y_ANY_BYTES:
		y_buf_put_u8(b, '{');
		for (i = 0; i < v->bytes.len; i++)
			y_buf_printf(b, "%s\"%zu\":%u", i ? "," : "", i,
				     (unsigned)v->bytes.ptr[i]);
		y_buf_put_u8(b, '}');
		break;
	case Y_ANY_ARRAY:
		y_buf_put_u8(b, '[');
		for (i = 0; i < v->arr.len; i++) {
			if (i)
				y_buf_put_u8(b, ',');
			if (v->arr.items[i].kind == Y_ANY_UNDEFINED)
				y_buf_put_str(b, "null");
			else
				y_json_put(b, &v->arr.items[i]);
		}
		y_buf_put_u8(b, ']');
		break;
	case Y_ANY_OBJECT:
		y_buf_put_u8(b, '{');
		first = true;
		for (i = 0; i < v->obj.len; i++) {
			const struct y_any_entry *e = &v->obj.entries[i];

			if (e->val.kind == Y_ANY_UNDEFINED)
				continue;
			if (!first)
				y_buf_put_u8(b, ',');
			first = false;
			y_json_put_string(b, e->key, e->key_len);
			y_buf_put_u8(b, ':');
			y_json_put(b, &e->val);
		}
		y_buf_put_u8(b, '}');
		break;
	}
}

int y_any_to_json(char **out, size_t *out_len, const struct y_any *v)
{
	struct y_buf b;

	y_buf_init(&b);
	y_json_put(&b, v);
	return y_buf_steal((uint8_t **)out, out_len, &b);
}

void y_js_put_to_string(struct y_buf *b, const struct y_any *v)
{
	size_t i;

	switch (v->kind) {
	case Y_ANY_UNDEFINED:
		y_buf_put_str(b, "undefined");
		break;
	case Y_ANY_NULL:
		y_buf_put_str(b, "null");
		break;
	case Y_ANY_BOOL:
		y_buf_put_str(b, v->b ? "true" : "false");
		break;
	case Y_ANY_NUMBER:
		y_js_put_number_string(b, v->num);
		break;
	case Y_ANY_BIGINT:
		y_buf_printf(b, "%" PRId64, v->big);
		break;
	case Y_ANY_STRING:
		y_buf_put_bytes(b, v->str.ptr, v->str.len);
		break;
	case Y_ANY_BYTES:
		for (i = 0; i < v->bytes.len; i++)
			y_buf_printf(b, "%s%u", i ? "," : "",
				     (unsigned)v->bytes.ptr[i]);
		break;
	case Y_ANY_ARRAY:
		/* Array.prototype.join: null and undefined become "" */
		for (i = 0; i < v->arr.len; i++) {
			const struct y_any *e = &v->arr.items[i];

			if (i)
				y_buf_put_u8(b, ',');
			if (e->kind != Y_ANY_UNDEFINED && e->kind != Y_ANY_NULL)
				y_js_put_to_string(b, e);
		}
		break;
	case Y_ANY_OBJECT:
		y_buf_put_str(b, "[object Object]");
		break;
	}
}

/* ---- parse -------------------------------------------------------------- */

struct jparser {
	const char *s;
	size_t len;
	size_t pos;
	struct y_error *err;
};

static void skip_ws(struct jparser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int jfail(struct jparser *p, const char *msg)
{
	if (p->pos >= p->len)
		return y_error_set(p->err, p->pos,
				   "Unexpected end of JSON input");
	return y_error_set(p->err, p->pos, "%s", msg);
}

static int junexpected(struct jparser *p)
{
	unsigned char c;

	if (p->pos >= p->len)
		return jfail(p, "");
	c = (unsigned char)p->s[p->pos];
	if (c >= 0x20 && c < 0x7f)
		return y_error_set(p->err, p->pos,
				   "Unexpected token '%c' in JSON", c);
	return y_error_set(p->err, p->pos, "Unexpected byte 0x%02x in JSON", c);
}

static int parse_value(struct jparser *p, struct y_any *out, unsigned depth);

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct y_buf *b, unsigned cp)
{
	uint8_t t[4];

	if (cp < 0x80) {
		y_buf_put_u8(b, (uint8_t)cp);
	} else if (cp < 0x800) {
		t[0] = (uint8_t)(0xc0 | (cp >> 6));
		t[1] = (uint8_t)(0x80 | (cp & 0x3f));
		y_buf_put_bytes(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (uint8_t)(0xe0 | (cp >> 12));
		t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (uint8_t)(0x80 | (cp & 0x3f));
		y_buf_put_bytes(b, t, 3);
	} else {
		t[0] = (uint8_t)(0xf0 | (cp >> 18));
		t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (uint8_t)(0x80 | (cp & 0x3f));
		y_buf_put_bytes(b, t, 4);
	}
}

/* Parses a string literal at p->pos (a '"') into b (UTF-8; the input was
 * validated as a whole, lone surrogate escapes become U+FFFD). */
static int parse_string(struct jparser *p, struct y_buf *b)
{
	size_t run;

	p->pos++; /* '"' */
	run = p->pos;
	for (;;) {
		unsigned char c;
		unsigned cp, lo;

		if (p->pos >= p->len)
			return y_error_set(p->err, p->pos,
					   "Unterminated string in JSON");
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			y_buf_put_bytes(b, p->s + run, p->pos - run);
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return y_error_set(
				p->err, p->pos,
				"Bad control character in string literal in JSON");
		if (c != '\\') {
			p->pos++;
			continue;
		}
		y_buf_put_bytes(b, p->s + run, p->pos - run);
		p->pos++;
		if (p->pos >= p->len)
			return jfail(p, "");
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			y_buf_put_u8(b, c);
			break;
		case 'b':
			y_buf_put_u8(b, '\b');
			break;
		case 'f':
			y_buf_put_u8(b, '\f');
			break;
		case 'n':
			y_buf_put_u8(b, '\n');
			break;
		case 'r':
			y_buf_put_u8(b, '\r');
			break;
		case 't':
			y_buf_put_u8(b, '\t');
			break;
		case 'u':
			if (p->len - p->pos < 4 || hex4(p->s + p->pos, &cp)) {
				p->pos -= 2;
				return y_error_set(
					p->err, p->pos,
					"Bad Unicode escape in JSON");
			}
			p->pos += 4;
			if (cp >= 0xd800 && cp <= 0xdbff &&
			    p->len - p->pos >= 6 && p->s[p->pos] == '\\' &&
			    p->s[p->pos + 1] == 'u' &&
			    !hex4(p->s + p->pos + 2, &lo) && lo >= 0xdc00 &&
			    lo <= 0xdfff) {
				p->pos += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd; /* what TextEncoder makes of it */
			}
			put_utf8(b, cp);
			break;
		default:
			p->pos -= 2;
			return y_error_set(p->err, p->pos,
					   "Bad escaped character in JSON");
		}
		run = p->pos;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct jparser *p, struct y_any *out)
{
	size_t start = p->pos;
	char small[64], *tmp = small;
	size_t n;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || !is_digit(p->s[p->pos]))
		return p->pos >= p->len ?
			       jfail(p, "") :
			       y_error_set(
				       p->err, p->pos,
				       "No number after minus sign in JSON");
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos]))
			return p->pos >= p->len ?
				       jfail(p, "") :
				       y_error_set(
					       p->err, p->pos,
					       "Unterminated fractional number in JSON");
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len &&
		    (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || !is_digit(p->s[p->pos]))
			return p->pos >= p->len ?
				       jfail(p, "") :
				       y_error_set(
					       p->err, p->pos,
					       "Exponent part is missing a number in JSON");
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	n = p->pos - start;
	if (n >= sizeof(small)) {
		tmp = malloc(n + 1);
		if (!tmp)
			return -ENOMEM;
	}
	memcpy(tmp, p->s + start, n);
	tmp[n] = 0;
	/* correctly rounded; overflow gives inf and underflow 0, as in JS */
	y_any_init_number(out, strtod(tmp, NULL));
	if (tmp != small)
		free(tmp);
	return 0;
}

static int parse_literal(struct jparser *p, const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, p->pos++) {
		if (p->pos >= p->len || p->s[p->pos] != word[i])
			return junexpected(p);
	}
	return 0;
}

static int parse_array(struct jparser *p, struct y_any *out, unsigned depth)
{
	struct y_any arr;
	size_t cap = 0;
	int ret;

	y_any_init_array(&arr);
	p->pos++; /* '[' */
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		*out = arr;
		return 0;
	}
	for (;;) {
		if (arr.arr.len == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct y_any *items = realloc(
				arr.arr.items, ncap * sizeof(struct y_any));

			if (!items) {
				ret = -ENOMEM;
				goto err;
			}
			arr.arr.items = items;
			cap = ncap;
		}
		ret = parse_value(p, &arr.arr.items[arr.arr.len], depth + 1);
		if (ret)
			goto err;
		arr.arr.len++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == ']') {
			p->pos++;
			break;
		}
		ret = junexpected(p);
		goto err;
	}
	*out = arr;
	return 0;
err:
	y_any_clear(&arr);
	return ret;
}

static int parse_object(struct jparser *p, struct y_any *out, unsigned depth)
{
	struct y_any obj;
	struct y_buf kb;
	size_t cap = 0;
	int ret;

	y_any_init_object(&obj);
	y_buf_init(&kb);
	p->pos++; /* '{' */
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		*out = obj;
		return 0;
	}
	for (;;) {
		struct y_any_entry *e;
		uint8_t *key;
		size_t klen;

		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '"') {
			ret = junexpected(p);
			goto err;
		}
		ret = parse_string(p, &kb);
		if (ret)
			goto err;
		ret = y_buf_steal(&key, &klen, &kb);
		if (ret)
			goto err;
		if (obj.obj.len == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct y_any_entry *n =
				realloc(obj.obj.entries, ncap * sizeof(*n));

			if (!n) {
				free(key);
				ret = -ENOMEM;
				goto err;
			}
			obj.obj.entries = n;
			cap = ncap;
		}
		e = &obj.obj.entries[obj.obj.len++];
		e->key = (char *)key;
		e->key_len = klen;
		y_any_init_undefined(&e->val);
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':') {
			ret = junexpected(p);
			goto err;
		}
		p->pos++;
		ret = parse_value(p, &e->val, depth + 1);
		if (ret)
			goto err;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			break;
		}
		ret = junexpected(p);
		goto err;
	}
	/* JSON.parse defines properties: duplicates keep the first position
	 * and the last value; "__proto__" is an ordinary own key */
	ret = y_any_entries_normalise(obj.obj.entries, &obj.obj.len, false);
	if (ret)
		goto err;
	*out = obj;
	return 0;
err:
	y_buf_release(&kb);
	y_any_clear(&obj);
	return ret;
}

static int parse_value(struct jparser *p, struct y_any *out, unsigned depth)
{
	struct y_buf sb;
	uint8_t *s;
	size_t slen;
	int ret;

	y_any_init_undefined(out);
	skip_ws(p);
	if (p->pos >= p->len)
		return jfail(p, "");
	if (depth > Y_ANY_MAX_DEPTH)
		return y_error_set(p->err, p->pos, "JSON nested too deeply");
	switch (p->s[p->pos]) {
	case '{':
		return parse_object(p, out, depth);
	case '[':
		return parse_array(p, out, depth);
	case '"':
		y_buf_init(&sb);
		ret = parse_string(p, &sb);
		if (ret) {
			y_buf_release(&sb);
			return ret;
		}
		ret = y_buf_steal(&s, &slen, &sb);
		if (ret)
			return ret;
		out->kind = Y_ANY_STRING;
		out->str.ptr = (char *)s;
		out->str.len = slen;
		return 0;
	case 't':
		ret = parse_literal(p, "true", 4);
		if (!ret)
			y_any_init_bool(out, true);
		return ret;
	case 'f':
		ret = parse_literal(p, "false", 5);
		if (!ret)
			y_any_init_bool(out, false);
		return ret;
	case 'n':
		ret = parse_literal(p, "null", 4);
		if (!ret)
			y_any_init_null(out);
		return ret;
	default:
		if (p->s[p->pos] == '-' || is_digit(p->s[p->pos]))
			return parse_number(p, out);
		return junexpected(p);
	}
}

int y_any_from_json(struct y_any *out, const char *text, size_t len,
		    struct y_error *err)
{
	struct jparser p = { .s = text, .len = text ? len : 0, .err = err };
	size_t bad;
	int ret;

	y_any_init_undefined(out);
	if (err) {
		err->offset = 0;
		err->msg[0] = 0;
	}
	bad = y_utf8_invalid_at(p.s, p.len);
	if (bad < p.len)
		return y_error_set(err, bad, "Invalid UTF-8 in JSON text");
	skip_ws(&p);
	/* yjs's JSON content writes undefined as the bare word */
	if (p.len - p.pos >= 9 && !memcmp(p.s + p.pos, "undefined", 9)) {
		size_t save = p.pos;

		p.pos += 9;
		skip_ws(&p);
		if (p.pos == p.len)
			return 0;
		p.pos = save;
	}
	ret = parse_value(&p, out, 0);
	if (ret)
		return ret;
	skip_ws(&p);
	if (p.pos < p.len) {
		y_any_clear(out);
		return junexpected(&p);
	}
	return 0;
}
