/* SPDX-License-Identifier: MIT */
/*
 * content.c - content values (spec §5): the typed values carried by
 * requests, responses and stream chunks, as a JSON content header plus a
 * binary payload.
 *
 * Parsing mirrors the TS SDK's unpack functions (lenient where they are:
 * binary headers, numeric strings for codes) but refuses values TS would
 * turn into undefined fields.  Emission rebuilds the header with TS's key
 * order so that packed bytes equal the SDK's.
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static const char *const type_names[] = {
	[PROTO_CONTENT_EMPTY] = "empty", [PROTO_CONTENT_JSON] = "json",
	[PROTO_CONTENT_TEXT] = "text",	 [PROTO_CONTENT_BINARY] = "binary",
	[PROTO_CONTENT_FILE] = "file",	 [PROTO_CONTENT_LINK] = "link",
	[PROTO_CONTENT_ERROR] = "error", [PROTO_CONTENT_CONTROL] = "control",
	[PROTO_CONTENT_RAW] = "raw",
};

#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *proto_content_type_name(enum proto_content_type type)
{
	if ((unsigned)type >= N_TYPES)
		return NULL;
	return type_names[type];
}

void proto_content_free(struct proto_content *c)
{
	if (!c)
		return;
	cJSON_Delete(c->json);
	cJSON_Delete(c->headers);
	cJSON_Delete(c->outputs);
	free(c->text);
	free(c->name);
	free(c->mime_type);
	free(c->url);
	free(c->message);
	memset(c, 0, sizeof(*c));
}

/* ---- constructors ---------------------------------------------------- */

static int dup_str(char **out, const char *s)
{
	*out = strdup(s ? s : "");
	return *out ? 0 : -ENOMEM;
}

void proto_content_empty(struct proto_content *c)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_EMPTY;
}

int proto_content_json(struct proto_content *c, cJSON *json)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_JSON;
	c->json = json ? json : cJSON_CreateNull();
	return c->json ? 0 : -ENOMEM;
}

int proto_content_text(struct proto_content *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_TEXT;
	return dup_str(&c->text, text);
}

int proto_content_binary(struct proto_content *c, cJSON *headers,
			 const void *payload, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_BINARY;
	c->headers = headers;
	c->payload = payload;
	c->payload_len = len;
	return 0;
}

int proto_content_file(struct proto_content *c, const char *name,
		       const char *mime_type, const void *payload, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_FILE;
	c->payload = payload;
	c->payload_len = len;
	if (dup_str(&c->name, name) < 0 ||
	    dup_str(&c->mime_type, mime_type) < 0) {
		proto_content_free(c);
		return -ENOMEM;
	}
	return 0;
}

int proto_content_link(struct proto_content *c, const char *name,
		       const char *url)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_LINK;
	if (dup_str(&c->name, name) < 0 || dup_str(&c->url, url) < 0) {
		proto_content_free(c);
		return -ENOMEM;
	}
	return 0;
}

int proto_content_error(struct proto_content *c, long long code,
			const char *fmt, ...)
{
	va_list ap;
	int r;

	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_ERROR;
	c->has_code = code >= 0;
	c->code = code >= 0 ? code : 0;
	va_start(ap, fmt);
	r = vasprintf(&c->text, fmt, ap);
	va_end(ap);
	if (r < 0) {
		c->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

void proto_content_control_open(struct proto_content *c)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_CONTROL;
	c->method = PROTO_CONTROL_OPEN;
}

int proto_content_control_close(struct proto_content *c, int status,
				const char *message)
{
	memset(c, 0, sizeof(*c));
	c->type = PROTO_CONTENT_CONTROL;
	c->method = PROTO_CONTROL_CLOSE;
	c->has_status_code = true;
	c->status_code = status > 0 ? status : PROTO_CLOSE_NORMAL;
	if (message)
		return dup_str(&c->message, message);
	return 0;
}

/* ---- parse ----------------------------------------------------------- */

/* Copies the string member `key` into *out; it must be a string. */
static int take_string(char **out, const cJSON *h, const char *key,
		       const char *type, struct util_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, key);

	if (!cJSON_IsString(v)) {
		util_error_set(err, -1, "%s content: '%s' %s", type, key,
			       v ? "must be a string" : "is missing");
		return -EBADMSG;
	}
	return dup_str(out, v->valuestring);
}

/*
 * An integer as TS reads codes: an integral number, or a string that
 * parseInt(s, 10) reads (leading space, sign, digits; junk after them is
 * ignored).  Returns false for anything else (no code).
 */
static bool integer_value(long long *out, const cJSON *v)
{
	const char *s;
	long long x = 0;
	bool neg = false, any = false;

	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble) ||
		    v->valuedouble != floor(v->valuedouble) ||
		    fabs(v->valuedouble) > 9007199254740991.0)
			return false;
		*out = (long long)v->valuedouble;
		return true;
	}
	if (!cJSON_IsString(v))
		return false;
	s = v->valuestring;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
	       *s == '\f' || *s == '\v')
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > 900719925474099LL)
			return false;
		x = x * 10 + (*s - '0');
		any = true;
	}
	if (!any)
		return false;
	*out = neg ? -x : x;
	return true;
}

static int parse_type(enum proto_content_type *out, const cJSON *h,
		      struct util_error *err)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(h, "type");
	size_t i;

	if (!cJSON_IsString(t)) {
		util_error_set(err, -1, "content: 'type' %s",
			       t ? "must be a string" : "is missing");
		return -EBADMSG;
	}
	for (i = 0; i < N_TYPES; i++) {
		if (!strcmp(t->valuestring, type_names[i])) {
			*out = (enum proto_content_type)i;
			return 0;
		}
	}
	util_error_set(err, -1, "content: unknown type \"%.64s\"",
		       t->valuestring);
	return -EBADMSG;
}

int proto_content_parse(struct proto_content *out, const cJSON *header,
			const uint8_t *payload, size_t payload_len,
			struct util_error *err)
{
	struct proto_content c;
	const cJSON *v;
	const char *tn;
	long long x;
	int r;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(header)) {
		util_error_set(err, -1, "content: header is not an object");
		return -EBADMSG;
	}
	r = parse_type(&c.type, header, err);
	if (r < 0)
		return r;
	tn = type_names[c.type];
	c.payload = payload;
	c.payload_len = payload ? payload_len : 0;
	r = -ENOMEM;
	switch (c.type) {
	case PROTO_CONTENT_EMPTY:
		break;
	case PROTO_CONTENT_JSON:
		v = cJSON_GetObjectItemCaseSensitive(header, "json");
		if (!v) {
			util_error_set(err, -1,
				       "json content: 'json' is "
				       "missing");
			r = -EBADMSG;
			goto fail;
		}
		c.json = cJSON_Duplicate(v, true);
		if (!c.json)
			goto nomem;
		break;
	case PROTO_CONTENT_TEXT:
		r = take_string(&c.text, header, "text", tn, err);
		if (r < 0)
			goto fail;
		break;
	case PROTO_CONTENT_BINARY:
		v = cJSON_GetObjectItemCaseSensitive(header, "headers");
		c.headers = cJSON_IsObject(v) ? cJSON_Duplicate(v, true) :
						cJSON_CreateObject();
		if (!c.headers)
			goto nomem;
		break;
	case PROTO_CONTENT_FILE:
		r = take_string(&c.name, header, "name", tn, err);
		if (r == 0)
			r = take_string(&c.mime_type, header, "mime_type", tn,
					err);
		if (r < 0)
			goto fail;
		break;
	case PROTO_CONTENT_LINK:
		r = take_string(&c.name, header, "name", tn, err);
		if (r == 0)
			r = take_string(&c.url, header, "url", tn, err);
		if (r < 0)
			goto fail;
		break;
	case PROTO_CONTENT_ERROR:
		r = take_string(&c.text, header, "text", tn, err);
		if (r < 0)
			goto fail;
		v = cJSON_GetObjectItemCaseSensitive(header, "code");
		if (integer_value(&x, v)) {
			c.has_code = true;
			c.code = x;
		}
		break;
	case PROTO_CONTENT_CONTROL:
		v = cJSON_GetObjectItemCaseSensitive(header, "method");
		if (cJSON_IsString(v) && !strcmp(v->valuestring, "open")) {
			c.method = PROTO_CONTROL_OPEN;
		} else if (cJSON_IsString(v) &&
			   !strcmp(v->valuestring, "close")) {
			c.method = PROTO_CONTROL_CLOSE;
		} else {
			util_error_set(err, -1,
				       "control content: 'method' must be "
				       "\"open\" or \"close\"");
			r = -EBADMSG;
			goto fail;
		}
		v = cJSON_GetObjectItemCaseSensitive(header, "status_code");
		if (integer_value(&x, v) && x >= INT32_MIN && x <= INT32_MAX) {
			c.has_status_code = true;
			c.status_code = (int)x;
		}
		v = cJSON_GetObjectItemCaseSensitive(header, "message");
		if (cJSON_IsString(v) && dup_str(&c.message, v->valuestring))
			goto nomem;
		break;
	case PROTO_CONTENT_RAW:
		v = cJSON_GetObjectItemCaseSensitive(header, "outputs");
		if (!cJSON_IsArray(v)) {
			util_error_set(err, -1,
				       "raw content: 'outputs' must be an "
				       "array");
			r = -EBADMSG;
			goto fail;
		}
		c.outputs = cJSON_Duplicate(v, true);
		if (!c.outputs)
			goto nomem;
		break;
	}
	*out = c;
	return 0;
nomem:
	util_error_set(err, -1, "out of memory");
	r = -ENOMEM;
fail:
	proto_content_free(&c);
	return r;
}

int proto_content_unpack(struct proto_content *out, const void *data,
			 size_t len, const struct proto_limits *limits,
			 struct util_error *err)
{
	struct proto_packed p;
	int r;

	memset(out, 0, sizeof(*out));
	r = proto_unpack(&p, data, len, limits, err);
	if (r < 0)
		return r;
	r = proto_content_parse(out, p.header, p.tail, p.tail_len, err);
	proto_packed_free(&p);
	return r;
}

/* ---- emit ------------------------------------------------------------ */

static bool add_string(cJSON *o, const char *key, const char *s)
{
	return cJSON_AddStringToObject(o, key, s ? s : "") != NULL;
}

/*
 * Adds v by reference (no copy of a possibly large tree: the returned
 * header borrows it, and cJSON_Delete of the header leaves it alone), or a
 * fresh default value when v is NULL.
 */
static bool add_ref(cJSON *o, const char *key, const cJSON *v,
		    cJSON *(*make_default)(void))
{
	cJSON *d;

	if (v)
		return cJSON_AddItemReferenceToObject(o, key, (cJSON *)v);
	d = make_default();
	return d && cJSON_AddItemToObject(o, key, d);
}

cJSON *proto_content_to_json(const struct proto_content *c)
{
	const char *tn = proto_content_type_name(c->type);
	cJSON *o;
	bool ok = true;

	if (!tn)
		return NULL;
	o = cJSON_CreateObject();
	if (!o || !add_string(o, "type", tn))
		goto nomem;
	switch (c->type) {
	case PROTO_CONTENT_EMPTY:
		break;
	case PROTO_CONTENT_JSON:
		ok = add_ref(o, "json", c->json, cJSON_CreateNull);
		break;
	case PROTO_CONTENT_TEXT:
		ok = add_string(o, "text", c->text);
		break;
	case PROTO_CONTENT_BINARY:
		ok = add_ref(o, "headers", c->headers, cJSON_CreateObject);
		break;
	case PROTO_CONTENT_FILE:
		ok = add_string(o, "name", c->name) &&
		     add_string(o, "mime_type", c->mime_type);
		break;
	case PROTO_CONTENT_LINK:
		ok = add_string(o, "name", c->name) &&
		     add_string(o, "url", c->url);
		break;
	case PROTO_CONTENT_ERROR:
		ok = add_string(o, "text", c->text);
		if (ok && c->has_code)
			ok = cJSON_AddNumberToObject(o, "code",
						     (double)c->code) != NULL;
		break;
	case PROTO_CONTENT_CONTROL:
		ok = add_string(o, "method",
				c->method == PROTO_CONTROL_CLOSE ? "close" :
								   "open");
		if (!ok || c->method != PROTO_CONTROL_CLOSE)
			break;
		/* TS adds status_code 1000 to every close it sends. */
		ok = cJSON_AddNumberToObject(
			     o, "status_code",
			     c->has_status_code ? c->status_code :
						  PROTO_CLOSE_NORMAL) != NULL;
		if (ok && c->message)
			ok = add_string(o, "message", c->message);
		break;
	case PROTO_CONTENT_RAW:
		ok = add_ref(o, "outputs", c->outputs, cJSON_CreateArray);
		break;
	}
	if (ok)
		return o;
nomem:
	cJSON_Delete(o);
	return NULL;
}

int proto_content_pack(uint8_t **out, size_t *out_len,
		       const struct proto_content *c)
{
	cJSON *h = proto_content_to_json(c);
	int r;

	if (!h)
		return -ENOMEM;
	r = proto_pack_json(out, out_len, h, c->payload, c->payload_len);
	cJSON_Delete(h);
	return r;
}
