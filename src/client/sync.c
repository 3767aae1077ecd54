/* SPDX-License-Identifier: MIT */
/*
 * sync.c - the stateless calls of the sync toolkit (client.h §3, spec
 * §9.4, §9.7): sync.create and sync.describe.  The live documents and
 * room_sync_push are in doc.c.
 */
#define _GNU_SOURCE /* asprintf, strptime, timegm */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Parses JSON text argument `what` into *out (NULL text: JSON null). */
static int json_arg(cJSON **out, const char *text, const char *what,
		    struct util_error *err)
{
	struct util_error perr;

	*out = NULL;
	if (!text)
		return 0;
	util_error_clear(&perr);
	*out = proto_json_parse(text, strlen(text), 0, &perr);
	if (!*out) {
		util_error_set(err, perr.offset, "sync.create: %s: %s", what,
			       perr.msg);
		return -EINVAL;
	}
	return 0;
}

int room_sync_create(struct room_client *c, const char *path, const char *json,
		     const char *schema_json, struct util_error *err)
{
	struct room_req r;
	cJSON *a = NULL, *j = NULL, *s = NULL;
	int e;

	if (!c || !path) {
		util_error_set(err, -1, "sync.create: no path");
		return -EINVAL;
	}
	e = json_arg(&j, json, "document JSON", err);
	if (e == 0)
		e = json_arg(&s, schema_json, "schema JSON", err);
	if (e < 0)
		goto fail;
	if ((j && !cJSON_IsObject(j)) || (s && !cJSON_IsObject(s))) {
		util_error_set(err, -1, "sync.create: %s must be a JSON object",
			       j && !cJSON_IsObject(j) ? "the document" :
							 "the schema");
		e = -EINVAL;
		goto fail;
	}
	/* {path, json, schema, schema_path} in TS order */
	a = cJSON_CreateObject();
	if (!a || !cJSON_AddStringToObject(a, "path",
					   proto_sync_path_normalize(path)))
		goto nomem;
	if (j)
		cJSON_AddItemToObject(a, "json", j);
	else if (!cJSON_AddNullToObject(a, "json"))
		goto nomem;
	j = NULL;
	if (s)
		cJSON_AddItemToObject(a, "schema", s);
	else if (!cJSON_AddNullToObject(a, "schema"))
		goto nomem;
	s = NULL;
	if (!cJSON_AddNullToObject(a, "schema_path"))
		goto nomem;
	e = room_invoke_json(&r, c, "sync", "create", a, err);
	if (e == 0)
		room_req_clear(&r);
	return e;
nomem:
	e = -ENOMEM;
fail:
	cJSON_Delete(a);
	cJSON_Delete(j);
	cJSON_Delete(s);
	return e;
}

int room_sync_describe(char **out, size_t *len, struct room_client *c,
		       const char *path, struct util_error *err)
{
	struct room_req r;
	cJSON *a;
	int e;

	*out = NULL;
	if (len)
		*len = 0;
	if (!c || !path) {
		util_error_set(err, -1, "sync.describe: no path");
		return -EINVAL;
	}
	/* the Python helper's input: {path, schema_path: null} */
	a = cJSON_CreateObject();
	if (!a ||
	    !cJSON_AddStringToObject(a, "path",
				     proto_sync_path_normalize(path)) ||
	    !cJSON_AddNullToObject(a, "schema_path")) {
		cJSON_Delete(a);
		return -ENOMEM;
	}
	e = room_invoke_json(&r, c, "sync", "describe", a, err);
	if (e < 0)
		return e;
	if (r.resp.type != PROTO_CONTENT_JSON || !cJSON_IsObject(r.resp.json)) {
		util_error_set(err, -1,
			       "unexpected return type from sync.describe");
		e = -EPROTO;
	} else {
		*out = proto_json_print(r.resp.json, len);
		if (!*out)
			e = -ENOMEM;
	}
	room_req_clear(&r);
	return e;
}
