/* SPDX-License-Identifier: MIT */
/*
 * message.c - the message bodies built on content values: room.invoke_tool
 * (§8.1), tool call chunks (§8.3), the room_ready/connected handshake (§7),
 * storage events (§11.9), plus whole-message encoders and TS-style
 * tool_call_ids.
 *
 * Builders add keys in the order the TS SDK 0.39.9 does, so that packed
 * headers are byte-identical to what it sends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static int dup_str(char **out, const char *s)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int nomem(struct util_error *err)
{
	util_error_set(err, -1, "out of memory");
	return -ENOMEM;
}

/*
 * Copies the string member `key` of h.  required: absent/null is an error;
 * else it gives NULL.  non_empty: "" is an error.
 */
static int get_string(char **out, const cJSON *h, const char *what,
		      const char *key, bool required, bool non_empty,
		      struct util_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		util_error_set(err, -1, "%s: '%s' is missing", what, key);
		return -EBADMSG;
	}
	if (!cJSON_IsString(v)) {
		util_error_set(err, -1, "%s: '%s' must be a string", what, key);
		return -EBADMSG;
	}
	if (non_empty && !*v->valuestring) {
		util_error_set(err, -1, "%s: '%s' must not be empty", what,
			       key);
		return -EBADMSG;
	}
	return dup_str(out, v->valuestring) < 0 ? nomem(err) : 0;
}

static bool add_string(cJSON *o, const char *key, const char *s)
{
	return cJSON_AddStringToObject(o, key, s ? s : "") != NULL;
}

/* ---- room.invoke_tool ------------------------------------------------ */

void proto_invoke_free(struct proto_invoke *inv)
{
	if (!inv)
		return;
	free(inv->toolkit);
	free(inv->tool);
	free(inv->tool_call_id);
	proto_content_free(&inv->arguments);
	free(inv->participant_id);
	free(inv->on_behalf_of_id);
	cJSON_Delete(inv->caller_context);
	memset(inv, 0, sizeof(*inv));
}

int proto_invoke_parse(struct proto_invoke *out, const cJSON *header,
		       const uint8_t *tail, size_t tail_len,
		       struct util_error *err)
{
	static const char what[] = "room.invoke_tool";
	struct proto_invoke inv;
	const cJSON *v;
	int r;

	memset(&inv, 0, sizeof(inv));
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(header)) {
		util_error_set(err, -1, "%s: header is not an object", what);
		return -EBADMSG;
	}
	r = get_string(&inv.toolkit, header, what, "toolkit", true, true, err);
	if (r == 0)
		r = get_string(&inv.tool, header, what, "tool", true, true,
			       err);
	if (r == 0)
		r = get_string(&inv.tool_call_id, header, what, "tool_call_id",
			       false, true, err);
	if (r == 0)
		r = get_string(&inv.participant_id, header, what,
			       "participant_id", false, false, err);
	if (r == 0)
		r = get_string(&inv.on_behalf_of_id, header, what,
			       "on_behalf_of_id", false, false, err);
	if (r < 0)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(header, "caller_context");
	if (v && !cJSON_IsNull(v)) {
		inv.caller_context = cJSON_Duplicate(v, true);
		if (!inv.caller_context) {
			r = nomem(err);
			goto fail;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(header, "arguments");
	if (!v || cJSON_IsNull(v)) {
		proto_content_empty(&inv.arguments);
	} else {
		r = proto_content_parse(&inv.arguments, v, tail, tail_len, err);
		if (r < 0) {
			util_error_prefix(err, "%s: arguments", what);
			goto fail;
		}
	}
	*out = inv;
	return 0;
fail:
	proto_invoke_free(&inv);
	return r;
}

cJSON *proto_invoke_to_json(const struct proto_invoke *inv)
{
	cJSON *o, *args = NULL;
	bool ok;

	o = cJSON_CreateObject();
	if (!o)
		return NULL;
	ok = add_string(o, "toolkit", inv->toolkit) &&
	     add_string(o, "tool", inv->tool);
	if (ok && inv->tool_call_id)
		ok = add_string(o, "tool_call_id", inv->tool_call_id);
	if (ok) {
		args = proto_content_to_json(&inv->arguments);
		ok = args && cJSON_AddItemToObject(o, "arguments", args);
		if (!ok)
			cJSON_Delete(args);
	}
	if (ok && inv->participant_id)
		ok = add_string(o, "participant_id", inv->participant_id);
	if (ok && inv->on_behalf_of_id)
		ok = add_string(o, "on_behalf_of_id", inv->on_behalf_of_id);
	if (ok && inv->caller_context)
		ok = cJSON_AddItemReferenceToObject(o, "caller_context",
						    inv->caller_context);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- chunks ---------------------------------------------------------- */

void proto_chunk_free(struct proto_chunk *chunk)
{
	if (!chunk)
		return;
	free(chunk->tool_call_id);
	free(chunk->toolkit);
	free(chunk->tool);
	proto_content_free(&chunk->content);
	memset(chunk, 0, sizeof(*chunk));
}

int proto_chunk_parse(struct proto_chunk *out, const cJSON *header,
		      const uint8_t *tail, size_t tail_len,
		      struct util_error *err)
{
	static const char what[] = "tool call chunk";
	struct proto_chunk ch;
	const cJSON *v, *t;
	cJSON *wrap;
	int r;

	memset(&ch, 0, sizeof(ch));
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(header)) {
		util_error_set(err, -1, "%s: header is not an object", what);
		return -EBADMSG;
	}
	r = get_string(&ch.tool_call_id, header, what, "tool_call_id", true,
		       true, err);
	if (r == 0)
		r = get_string(&ch.toolkit, header, what, "toolkit", false,
			       false, err);
	if (r == 0)
		r = get_string(&ch.tool, header, what, "tool", false, false,
			       err);
	if (r < 0)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(header, "chunk");
	t = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "type") :
				NULL;
	if (cJSON_IsString(t)) {
		r = proto_content_parse(&ch.content, v, tail, tail_len, err);
		if (r < 0) {
			util_error_prefix(err, "%s: chunk", what);
			goto fail;
		}
	} else if (cJSON_IsObject(v)) {
		r = proto_content_json(&ch.content, cJSON_Duplicate(v, true));
		if (r == 0 && !ch.content.json)
			r = -ENOMEM;
	} else {
		/* TS: a non-object chunk v becomes json {"chunk": v}
		 * (an absent one: {}). */
		wrap = cJSON_CreateObject();
		if (wrap && v &&
		    !cJSON_AddItemToObject(wrap, "chunk",
					   cJSON_Duplicate(v, true))) {
			cJSON_Delete(wrap);
			wrap = NULL;
		}
		r = wrap ? proto_content_json(&ch.content, wrap) : -ENOMEM;
	}
	if (r < 0) {
		if (r == -ENOMEM)
			nomem(err);
		goto fail;
	}
	*out = ch;
	return 0;
fail:
	proto_chunk_free(&ch);
	return r;
}

cJSON *proto_chunk_header(const char *tool_call_id,
			  const struct proto_content *content)
{
	cJSON *o, *c;

	o = cJSON_CreateObject();
	if (!o || !add_string(o, "tool_call_id", tool_call_id))
		goto fail;
	c = proto_content_to_json(content);
	if (!c)
		goto fail;
	if (!cJSON_AddItemToObject(o, "chunk", c)) {
		cJSON_Delete(c);
		goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *proto_chunk_to_json(const struct proto_chunk *chunk)
{
	cJSON *o = proto_chunk_header(chunk->tool_call_id, &chunk->content);

	if (!o)
		return NULL;
	if ((chunk->toolkit && !add_string(o, "toolkit", chunk->toolkit)) ||
	    (chunk->tool && !add_string(o, "tool", chunk->tool))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int proto_tool_call_id(char out[PROTO_TOOL_CALL_ID_MAX])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t rnd[7];
	int r, i, n;

	r = util_random(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	/* Math.random().toString(16).slice(2) is usually 13 hex digits; ours
	 * always are, and never end in 0 (toString drops trailing zeros). */
	n = snprintf(out, PROTO_TOOL_CALL_ID_MAX, "%lld-",
		     (long long)util_time_ms());
	for (i = 0; i < 13; i++)
		out[n + i] = hex[(rnd[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	if (out[n + 12] == '0')
		out[n + 12] = '1';
	out[n + 13] = '\0';
	return 0;
}

/* ---- handshake ------------------------------------------------------- */

void proto_room_ready_free(struct proto_room_ready *rr)
{
	if (!rr)
		return;
	free(rr->room_name);
	free(rr->room_url);
	free(rr->session_id);
	memset(rr, 0, sizeof(*rr));
}

int proto_room_ready_parse(struct proto_room_ready *out, const cJSON *header,
			   struct util_error *err)
{
	static const char what[] = "room_ready";
	struct proto_room_ready rr = { 0 };
	int r;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(header)) {
		util_error_set(err, -1, "%s: header is not an object", what);
		return -EBADMSG;
	}
	r = get_string(&rr.room_name, header, what, "room_name", true, false,
		       err);
	if (r == 0)
		r = get_string(&rr.room_url, header, what, "room_url", true,
			       false, err);
	if (r == 0)
		r = get_string(&rr.session_id, header, what, "session_id", true,
			       false, err);
	if (r < 0) {
		proto_room_ready_free(&rr);
		return r;
	}
	*out = rr;
	return 0;
}

cJSON *proto_room_ready_to_json(const struct proto_room_ready *rr)
{
	cJSON *o = cJSON_CreateObject();

	if (o && add_string(o, "room_name", rr->room_name) &&
	    add_string(o, "room_url", rr->room_url) &&
	    add_string(o, "session_id", rr->session_id))
		return o;
	cJSON_Delete(o);
	return NULL;
}

void proto_connected_free(struct proto_connected *c)
{
	if (!c)
		return;
	free(c->participant_id);
	cJSON_Delete(c->attributes);
	memset(c, 0, sizeof(*c));
}

int proto_connected_parse(struct proto_connected *out, const cJSON *header,
			  struct util_error *err)
{
	static const char what[] = "connected";
	struct proto_connected c = { 0 };
	const cJSON *v;
	int r;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(header)) {
		util_error_set(err, -1, "%s: header is not an object", what);
		return -EBADMSG;
	}
	v = cJSON_GetObjectItemCaseSensitive(header, "type");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "init")) {
		util_error_set(err, -1, "%s: 'type' must be \"init\"", what);
		return -EBADMSG;
	}
	r = get_string(&c.participant_id, header, what, "participantId", true,
		       false, err);
	if (r < 0)
		return r;
	v = cJSON_GetObjectItemCaseSensitive(header, "attributes");
	if (v && !cJSON_IsNull(v) && !cJSON_IsObject(v)) {
		util_error_set(err, -1, "%s: 'attributes' must be an object",
			       what);
		proto_connected_free(&c);
		return -EBADMSG;
	}
	c.attributes = cJSON_IsObject(v) ? cJSON_Duplicate(v, true) :
					   cJSON_CreateObject();
	if (!c.attributes) {
		proto_connected_free(&c);
		return nomem(err);
	}
	*out = c;
	return 0;
}

cJSON *proto_connected_to_json(const struct proto_connected *c)
{
	cJSON *o = cJSON_CreateObject();
	bool ok;

	ok = o && add_string(o, "type", "init") &&
	     add_string(o, "participantId", c->participant_id);
	if (ok)
		ok = c->attributes ?
			     cJSON_AddItemReferenceToObject(o, "attributes",
							    c->attributes) :
			     cJSON_AddObjectToObject(o, "attributes") != NULL;
	if (ok)
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* ---- storage events -------------------------------------------------- */

static const char *const event_types[] = {
	[PROTO_FILE_UPDATED] = PROTO_TYPE_FILE_UPDATED,
	[PROTO_FILE_DELETED] = PROTO_TYPE_FILE_DELETED,
	[PROTO_FILE_MOVED] = PROTO_TYPE_FILE_MOVED,
};

const char *proto_storage_event_type(enum proto_storage_event_kind kind)
{
	if ((unsigned)kind > PROTO_FILE_MOVED)
		return NULL;
	return event_types[kind];
}

void proto_storage_event_free(struct proto_storage_event *ev)
{
	if (!ev)
		return;
	free(ev->path);
	free(ev->source_path);
	free(ev->destination_path);
	free(ev->participant_id);
	memset(ev, 0, sizeof(*ev));
}

int proto_storage_event_parse(struct proto_storage_event *out, const char *type,
			      const cJSON *header, struct util_error *err)
{
	struct proto_storage_event ev = { 0 };
	unsigned k;
	int r;

	memset(out, 0, sizeof(*out));
	for (k = 0; k <= PROTO_FILE_MOVED; k++)
		if (type && !strcmp(type, event_types[k]))
			break;
	if (k > PROTO_FILE_MOVED) {
		util_error_set(err, -1, "not a storage event type: %.64s",
			       type ? type : "(null)");
		return -EINVAL;
	}
	if (!cJSON_IsObject(header)) {
		util_error_set(err, -1, "%s: header is not an object", type);
		return -EBADMSG;
	}
	ev.kind = (enum proto_storage_event_kind)k;
	if (ev.kind == PROTO_FILE_MOVED) {
		r = get_string(&ev.source_path, header, type, "source_path",
			       true, false, err);
		if (r == 0)
			r = get_string(&ev.destination_path, header, type,
				       "destination_path", true, false, err);
	} else {
		r = get_string(&ev.path, header, type, "path", true, false,
			       err);
	}
	if (r == 0)
		r = get_string(&ev.participant_id, header, type,
			       "participant_id", false, false, err);
	if (r < 0) {
		proto_storage_event_free(&ev);
		return r;
	}
	*out = ev;
	return 0;
}

cJSON *proto_storage_event_to_json(const struct proto_storage_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	if (ok && ev->kind == PROTO_FILE_MOVED)
		ok = add_string(o, "source_path", ev->source_path) &&
		     add_string(o, "destination_path", ev->destination_path);
	else if (ok)
		ok = add_string(o, "path", ev->path);
	if (ok)
		ok = add_string(o, "participant_id", ev->participant_id);
	if (ok)
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* ---- sync paths ------------------------------------------------------ */

const char *proto_sync_path_normalize(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (path[0] == '/')
		path++;
	if (!strcmp(path, "."))
		return path + 1;
	return path;
}

/* ---- whole messages -------------------------------------------------- */

int proto_encode(struct proto_packets *out, uint64_t id, const char *type,
		 const cJSON *header, const void *tail, size_t tail_len,
		 size_t headroom)
{
	struct proto_iov iov[3];
	uint8_t lenbuf[8];
	size_t json_len = 0;
	char *json = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!header)
		return proto_packets_encode(out, id, type, tail, tail_len,
					    headroom);
	json = proto_json_print(header, &json_len);
	if (!json)
		return -ENOMEM;
	util_store_be64(lenbuf, json_len);
	iov[0].base = lenbuf;
	iov[0].len = 8;
	iov[1].base = json;
	iov[1].len = json_len;
	iov[2].base = tail;
	iov[2].len = tail ? tail_len : 0;
	r = proto_packets_encodev(out, id, type, iov, 3, headroom);
	free(json);
	return r;
}

int proto_encode_content(struct proto_packets *out, uint64_t id,
			 const char *type, const struct proto_content *c,
			 size_t headroom)
{
	cJSON *h = proto_content_to_json(c);
	int r;

	memset(out, 0, sizeof(*out));
	if (!h)
		return -ENOMEM;
	r = proto_encode(out, id, type, h, c->payload, c->payload_len,
			 headroom);
	cJSON_Delete(h);
	return r;
}

int proto_encode_chunk(struct proto_packets *out, uint64_t id, const char *type,
		       const char *tool_call_id, const struct proto_content *c,
		       size_t headroom)
{
	cJSON *h;
	int r;

	memset(out, 0, sizeof(*out));
	if (!tool_call_id || !*tool_call_id)
		return -EINVAL;
	h = proto_chunk_header(tool_call_id, c);
	if (!h)
		return -ENOMEM;
	r = proto_encode(out, id, type, h, c->payload, c->payload_len,
			 headroom);
	cJSON_Delete(h);
	return r;
}

int proto_encode_invoke(struct proto_packets *out, uint64_t id,
			const struct proto_invoke *inv, size_t headroom)
{
	cJSON *h;
	int r;

	memset(out, 0, sizeof(*out));
	if (!inv->toolkit || !inv->tool)
		return -EINVAL;
	h = proto_invoke_to_json(inv);
	if (!h)
		return -ENOMEM;
	r = proto_encode(out, id, PROTO_TYPE_INVOKE, h, inv->arguments.payload,
			 inv->arguments.payload_len, headroom);
	cJSON_Delete(h);
	return r;
}
