/* SPDX-License-Identifier: MIT */
/*
 * json.c - JSON text for the wire and packed payloads (spec §4).
 *
 * Parsing goes through cJSON, guarded by a pre-scan that bounds nesting
 * depth and checks UTF-8 (cJSON passes invalid bytes through), and by a
 * duplicate-key check afterwards (cJSON keeps both, JS the last: refusing
 * them removes the ambiguity, e.g. two "alg" keys in a token header).
 * Printing is our own so that the text equals JSON.stringify's byte for
 * byte, numbers included (cJSON prints 1e+15 where JS prints
 * 1000000000000000).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* ---- parse ----------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

static int prescan(const char *text, size_t len, int max_depth,
		   struct util_error *err)
{
	const uint8_t *p = (const uint8_t *)text;
	bool in_string = false;
	int depth = 0;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] >= 0x80) {
			n = utf8_seq(p + i, len - i);
			if (!n) {
				util_error_set(
					err, (long long)i,
					"JSON: invalid UTF-8 byte 0x%02x",
					p[i]);
				return -EBADMSG;
			}
			i += n;
			continue;
		}
		if (in_string) {
			if (p[i] < 0x20) {
				util_error_set(err, (long long)i,
					       "JSON: control character 0x%02x "
					       "in a string",
					       p[i]);
				return -EBADMSG;
			}
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_string = false;
		} else if (p[i] == '"') {
			in_string = true;
		} else if (p[i] == '[' || p[i] == '{') {
			if (++depth > max_depth) {
				util_error_set(err, (long long)i,
					       "JSON: nesting deeper than %d",
					       max_depth);
				return -EBADMSG;
			}
		} else if (p[i] == ']' || p[i] == '}') {
			depth--;
		} else if (p[i] == 0) {
			util_error_set(err, (long long)i,
				       "JSON: NUL byte outside a string");
			return -EBADMSG;
		}
		i++;
	}
	return 0;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Refuses objects with a repeated key (depth is bounded by the prescan). */
static int check_duplicates(const cJSON *v, struct util_error *err)
{
	const cJSON *c, *d;
	const char **keys;
	size_t n = 0, i;
	int r = 0;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	for (c = v->child; c; c = c->next) {
		n++;
		r = check_duplicates(c, err);
		if (r < 0)
			return r;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return 0;
	if (n <= 16) {
		for (c = v->child; c; c = c->next)
			for (d = c->next; d; d = d->next)
				if (!strcmp(c->string, d->string))
					goto dup_found;
		return 0;
	}
	keys = malloc(n * sizeof(*keys));
	if (!keys) {
		util_error_set(err, -1, "out of memory");
		return -ENOMEM;
	}
	for (i = 0, c = v->child; c; c = c->next)
		keys[i++] = c->string;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 1; i < n; i++) {
		if (!strcmp(keys[i - 1], keys[i])) {
			util_error_set(err, -1, "JSON: duplicate key \"%.64s\"",
				       keys[i]);
			r = -EBADMSG;
			break;
		}
	}
	free(keys);
	return r;
dup_found:
	util_error_set(err, -1, "JSON: duplicate key \"%.64s\"", c->string);
	return -EBADMSG;
}

cJSON *proto_json_parse(const char *text, size_t len, int max_depth,
			struct util_error *err)
{
	const char *end = NULL;
	cJSON *v;
	size_t i;

	if (max_depth <= 0)
		max_depth = PROTO_DEFAULT_MAX_DEPTH;
	if (prescan(text, len, max_depth, err) < 0)
		return NULL;
	v = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!v) {
		i = end && end >= text && end <= text + len ?
			    (size_t)(end - text) :
			    0;
		if (i >= len)
			util_error_set(err, (long long)len,
				       len ? "JSON: unexpected end of text" :
					     "JSON: empty text");
		else
			util_error_set(err, (long long)i,
				       "JSON: syntax error near '%c'",
				       text[i] > 0x20 && text[i] < 0x7f ?
					       text[i] :
					       '?');
		return NULL;
	}
	for (i = (size_t)(end - text); i < len; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		    text[i] != '\r') {
			util_error_set(err, (long long)i,
				       "JSON: unexpected text after the value");
			cJSON_Delete(v);
			return NULL;
		}
	}
	if (check_duplicates(v, err) < 0) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

/* ---- print ----------------------------------------------------------- */

/*
 * Number.prototype.toString for finite doubles: the shortest digit string
 * that reads back as v, laid out as ECMA-262 Number::toString says.
 */
static void put_number(struct util_buf *b, double v)
{
	char tmp[40], digits[24];
	int prec, e, k = 0, n, i;
	char *p;

	if (!isfinite(v)) {
		util_buf_put_str(b, "null");
		return;
	}
	if (v == 0) {
		util_buf_put_str(b, "0");
		return;
	}
	if (v < 0) {
		util_buf_put_u8(b, '-');
		v = -v;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp is d[.ddd]e[+-]xx */
	for (p = tmp; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	e = atoi(p + 1);
	n = e + 1; /* v = 0.d1d2..dk x 10^n */
	if (k <= n && n <= 21) {
		util_buf_put(b, digits, (size_t)k);
		for (i = k; i < n; i++)
			util_buf_put_u8(b, '0');
	} else if (0 < n && n <= 21) {
		util_buf_put(b, digits, (size_t)n);
		util_buf_put_u8(b, '.');
		util_buf_put(b, digits + n, (size_t)(k - n));
	} else if (-6 < n && n <= 0) {
		util_buf_put_str(b, "0.");
		for (i = 0; i < -n; i++)
			util_buf_put_u8(b, '0');
		util_buf_put(b, digits, (size_t)k);
	} else {
		util_buf_put_u8(b, (uint8_t)digits[0]);
		if (k > 1) {
			util_buf_put_u8(b, '.');
			util_buf_put(b, digits + 1, (size_t)(k - 1));
		}
		util_buf_printf(b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
}

static void put_string(struct util_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run;

	util_buf_put_u8(b, '"');
	while (*p) {
		run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		util_buf_put(b, run, (size_t)(p - run));
		if (!*p)
			break;
		util_buf_put_u8(b, '\\');
		switch (*p) {
		case '"':
			util_buf_put_u8(b, '"');
			break;
		case '\\':
			util_buf_put_u8(b, '\\');
			break;
		case '\b':
			util_buf_put_u8(b, 'b');
			break;
		case '\f':
			util_buf_put_u8(b, 'f');
			break;
		case '\n':
			util_buf_put_u8(b, 'n');
			break;
		case '\r':
			util_buf_put_u8(b, 'r');
			break;
		case '\t':
			util_buf_put_u8(b, 't');
			break;
		default:
			util_buf_put_str(b, "u00");
			util_buf_put_u8(b, (uint8_t)hex[*p >> 4]);
			util_buf_put_u8(b, (uint8_t)hex[*p & 15]);
		}
		p++;
	}
	util_buf_put_u8(b, '"');
}

static void put_value(struct util_buf *b, const cJSON *v)
{
	const cJSON *c;

	switch (v->type & 0xff) {
	case cJSON_False:
		util_buf_put_str(b, "false");
		break;
	case cJSON_True:
		util_buf_put_str(b, "true");
		break;
	case cJSON_NULL:
		util_buf_put_str(b, "null");
		break;
	case cJSON_Number:
		put_number(b, v->valuedouble);
		break;
	case cJSON_String:
		put_string(b, v->valuestring ? v->valuestring : "");
		break;
	case cJSON_Raw:
		util_buf_put_str(b, v->valuestring ? v->valuestring : "null");
		break;
	case cJSON_Array:
		util_buf_put_u8(b, '[');
		for (c = v->child; c; c = c->next) {
			put_value(b, c);
			if (c->next)
				util_buf_put_u8(b, ',');
		}
		util_buf_put_u8(b, ']');
		break;
	case cJSON_Object:
		util_buf_put_u8(b, '{');
		for (c = v->child; c; c = c->next) {
			put_string(b, c->string ? c->string : "");
			util_buf_put_u8(b, ':');
			put_value(b, c);
			if (c->next)
				util_buf_put_u8(b, ',');
		}
		util_buf_put_u8(b, '}');
		break;
	default:
		util_buf_put_str(b, "null");
	}
}

char *proto_json_print(const cJSON *value, size_t *len)
{
	struct util_buf b;
	uint8_t *out;

	util_buf_init(&b);
	put_value(&b, value);
	if (util_buf_steal(&out, len, &b) < 0)
		return NULL;
	return (char *)out;
}

/* ---- packed payloads ------------------------------------------------- */

int proto_pack(uint8_t **out, size_t *out_len, const char *json,
	       size_t json_len, const void *tail, size_t tail_len)
{
	size_t n;
	uint8_t *p;

	if (json_len > SIZE_MAX / 2 || tail_len > SIZE_MAX / 2 - json_len - 8)
		return -ENOMEM;
	n = 8 + json_len + tail_len;
	p = malloc(n + 1);
	if (!p)
		return -ENOMEM;
	util_store_be64(p, json_len);
	memcpy(p + 8, json, json_len);
	if (tail_len)
		memcpy(p + 8 + json_len, tail, tail_len);
	p[n] = 0;
	*out = p;
	*out_len = n;
	return 0;
}

int proto_pack_json(uint8_t **out, size_t *out_len, const cJSON *header,
		    const void *tail, size_t tail_len)
{
	size_t len;
	char *json;
	int r;

	json = proto_json_print(header, &len);
	if (!json)
		return -ENOMEM;
	r = proto_pack(out, out_len, json, len, tail, tail_len);
	free(json);
	return r;
}

int proto_unpack(struct proto_packed *out, const void *data, size_t len,
		 const struct proto_limits *limits, struct util_error *err)
{
	const uint8_t *p = data;
	uint64_t hlen;
	cJSON *h;

	memset(out, 0, sizeof(*out));
	if (len < 8) {
		util_error_set(err, (long long)len,
			       "packed payload of %zu bytes is shorter than "
			       "its 8-byte header length",
			       len);
		return -EBADMSG;
	}
	hlen = util_load_be64(p);
	if (hlen > len - 8) {
		util_error_set(err, 0,
			       "packed payload: header length %llu exceeds "
			       "the %zu bytes that follow",
			       (unsigned long long)hlen, len - 8);
		return -EBADMSG;
	}
	h = proto_json_parse((const char *)p + 8, (size_t)hlen,
			     limits ? limits->max_depth : 0, err);
	if (!h) {
		if (err && err->offset >= 0)
			err->offset += 8;
		util_error_prefix(err, "packed header");
		return err && strstr(err->msg, "out of memory") ? -ENOMEM :
								  -EBADMSG;
	}
	if (!cJSON_IsObject(h)) {
		util_error_set(err, 8, "packed header: JSON is not an object");
		cJSON_Delete(h);
		return -EBADMSG;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(h, "__meshagent__");
	out->header = h;
	out->tail = p + 8 + hlen;
	out->tail_len = len - 8 - (size_t)hlen;
	return 0;
}

void proto_packed_free(struct proto_packed *p)
{
	if (!p)
		return;
	cJSON_Delete(p->header);
	memset(p, 0, sizeof(*p));
}
