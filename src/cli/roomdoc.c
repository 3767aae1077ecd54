// SPDX-License-Identifier: MIT
/*
 * roomdoc.c - a room document as text, for get, grep, patch and edit:
 * sync.describe pretty-printed the way a document file reads, a render
 * of a live replica (with "$id"s when asked), and the small JSON text
 * conversions around them.  The formats are libmesh's (mesh_json_print,
 * mesh_doc_render), so what meshctl shows is what meshfs shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "mesh.h"

#include "cli.h"

/* Parses text with JSON.parse semantics; errors printed. */
static int parse(cJSON **out, const char *text, size_t len,
		 const struct cli_cmd *cmd, const char *path)
{
	struct mesh_error err;
	int rc;

	mesh_error_clear(&err);
	rc = mesh_json_parse(out, text, len, &err);
	if (rc == -EINVAL)
		cli_cmd_err(cmd, path, "the room sent invalid JSON: %s",
			    err.msg);
	else if (rc)
		cli_cmd_err(cmd, path, "%s", strerror(-rc));
	return rc;
}

int cli_doc_describe(char **out, size_t *len, struct room_client *c,
		     const struct cli_cmd *cmd, const char *path)
{
	struct util_error err;
	char *text = NULL;
	size_t tlen = 0;
	cJSON *v = NULL;
	int rc;

	*out = NULL;
	util_error_clear(&err);
	rc = room_sync_describe(&text, &tlen, c, path, &err);
	if (rc) {
		if (rc == -ENOENT && !err.msg[0])
			util_error_set(&err, -1, "no such document");
		cli_room_err(cmd, path, rc, &err);
		return rc;
	}
	rc = parse(&v, text, tlen, cmd, path);
	free(text);
	if (rc)
		return rc;
	rc = mesh_json_print(out, v);
	cJSON_Delete(v);
	if (rc) {
		cli_cmd_err(cmd, path, "%s", strerror(-rc));
		return rc;
	}
	*len = strlen(*out);
	return 0;
}

int cli_doc_render_live(char **out, size_t *len, struct room_client *c,
			const struct cli_cmd *cmd, const char *path,
			unsigned flags)
{
	struct room_doc *d = NULL;
	struct util_error err;
	int rc;

	*out = NULL;
	util_error_clear(&err);
	rc = room_doc_open(&d, c, path, false, &err);
	if (rc) {
		if (rc == -ENOENT && !err.msg[0])
			util_error_set(&err, -1, "no such document");
		cli_room_err(cmd, path, rc, &err);
		return rc;
	}
	rc = mesh_doc_render(out, len, room_doc_lock(d), room_doc_schema(d),
			     flags);
	room_doc_unlock(d);
	room_doc_close(d);
	if (rc)
		cli_cmd_err(cmd, path, "cannot render the document: %s",
			    strerror(-rc));
	return rc;
}

int cli_json_compact(char **text, size_t *len, const struct cli_cmd *cmd,
		     const char *path)
{
	cJSON *v = NULL;
	char *s;
	size_t n;
	int rc;

	rc = parse(&v, *text, *len, cmd, path);
	if (rc)
		return rc;
	s = cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	if (!s) {
		cli_cmd_err(cmd, path, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	n = strlen(s);
	free(*text);
	*text = malloc(n + 2);
	if (!*text) {
		cJSON_free(s);
		return -ENOMEM;
	}
	memcpy(*text, s, n);
	(*text)[n] = '\n';
	(*text)[n + 1] = '\0';
	*len = n + 1;
	cJSON_free(s);
	return 0;
}

static void strip_ids(cJSON *v)
{
	cJSON *it;

	if (cJSON_IsObject(v))
		cJSON_DeleteItemFromObjectCaseSensitive(v, "$id");
	cJSON_ArrayForEach(it, v) strip_ids(it);
}

int cli_doc_strip_ids(char **out, size_t *out_len, const char *text, size_t len)
{
	cJSON *v = NULL;
	int rc;

	*out = NULL;
	rc = mesh_json_parse(&v, text, len, NULL);
	if (rc)
		return rc;
	strip_ids(v);
	rc = mesh_json_print(out, v);
	cJSON_Delete(v);
	if (!rc)
		*out_len = strlen(*out);
	return rc;
}
