/* SPDX-License-Identifier: MIT */
/*
 * target.c - room_target_resolve: where to connect and with which token,
 * from arguments and the environment the MeshAgent SDKs read
 * (MESHAGENT_ROOM_URL, MESHAGENT_API_URL, MESHAGENT_ROOM, MESHAGENT_TOKEN,
 * MESHAGENT_API_KEY, MESHAGENT_SECRET, MESHAGENT_PARTICIPANT_NAME).  A
 * minted token is what the TS helpers' participantToken + toJwt make:
 * name, a room grant and ApiScope.agentDefault(), HS256 (spec §2.5).
 */
#define _GNU_SOURCE /* asprintf, strptime, timegm */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? v : NULL;
}

/* https: -> wss:, http: -> ws: (websocketRoomUrl of the TS helpers). */
static char *ws_url(const char *u)
{
	char *out;

	if (!strncmp(u, "https:", 6))
		return asprintf(&out, "wss:%s", u + 6) < 0 ? NULL : out;
	if (!strncmp(u, "http:", 5))
		return asprintf(&out, "ws:%s", u + 5) < 0 ? NULL : out;
	return strdup(u);
}

/* The room of ws://host/.../rooms/<room>[?...], or NULL. */
static char *url_room(const char *u)
{
	const char *p = strstr(u, "://"), *r, *end;

	if (!p)
		return NULL;
	r = strstr(p + 3, "/rooms/");
	if (!r)
		return NULL;
	r += 7;
	end = r + strcspn(r, "/?#");
	return end > r ? strndup(r, (size_t)(end - r)) : NULL;
}

static char *read_token_file(const char *path, struct util_error *err)
{
	char buf[16384];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		util_error_set(err, -1, "token file %s: %s", path,
			       strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
		     buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = 0;
	if (!n) {
		util_error_set(err, -1, "token file %s is empty", path);
		return NULL;
	}
	return strdup(buf);
}

static int mint(char **out, const char *room, struct util_error *err)
{
	const char *key = env("MESHAGENT_API_KEY");
	const char *secret = env("MESHAGENT_SECRET");
	const char *name = env("MESHAGENT_PARTICIPANT_NAME");
	struct proto_token t;
	struct passwd *pw;
	cJSON *scope;
	int e;

	if (!key && !secret) {
		util_error_set(err, -1,
			       "no token: give one, or set MESHAGENT_TOKEN, "
			       "MESHAGENT_API_KEY or MESHAGENT_SECRET");
		return -EINVAL;
	}
	if (!name)
		name = env("USER");
	if (!name) {
		pw = getpwuid(getuid());
		name = pw && pw->pw_name ? pw->pw_name : "meshfs";
	}
	e = proto_token_init(&t, name);
	if (e < 0)
		return e;
	e = proto_token_add_grant(&t, "room", room);
	if (e == 0) {
		scope = proto_api_scope_agent_default();
		e = scope ? proto_token_add_api_grant(&t, scope) : -ENOMEM;
	}
	if (e == 0) {
		if (key)
			e = proto_token_mint_api_key(out, &t, key, err);
		else
			e = proto_token_mint(out, &t, secret);
		if (e == -EINVAL && key)
			util_error_prefix(err, "MESHAGENT_API_KEY: ");
	}
	proto_token_free(&t);
	return e;
}

int room_target_resolve(struct room_target *out, const char *url,
			const char *room, const char *token,
			const char *token_file, struct util_error *err)
{
	char *tok = NULL, *u = NULL, *r = NULL, *full = NULL;
	struct proto_token pt;
	const char *src;
	int e = -ENOMEM;

	memset(out, 0, sizeof(*out));
	/* the token, when given one way or another */
	if (token && token[0])
		tok = strdup(token);
	else if (token_file) {
		tok = read_token_file(token_file, err);
		if (!tok) {
			e = -EINVAL;
			goto fail;
		}
	} else if (env("MESHAGENT_TOKEN"))
		tok = strdup(env("MESHAGENT_TOKEN"));

	/* the URL */
	src = url && url[0] ? url : env("MESHAGENT_ROOM_URL");
	if (!src)
		src = env("MESHAGENT_API_URL");
	if (!src) {
		util_error_set(err, -1,
			       "no room URL: give one, or set "
			       "MESHAGENT_ROOM_URL or MESHAGENT_API_URL");
		e = -EINVAL;
		goto fail;
	}
	u = ws_url(src);
	if (!u)
		goto fail;
	if (strncmp(u, "ws://", 5) && strncmp(u, "wss://", 6)) {
		util_error_set(err, -1,
			       "room URL %s: expected ws://, wss://, http:// "
			       "or https://",
			       src);
		e = -EINVAL;
		goto fail;
	}

	/* the room: from the URL, the argument, the environment, the token */
	r = url_room(u);
	if (!r && room && room[0])
		r = strdup(room);
	else if (!r && env("MESHAGENT_ROOM"))
		r = strdup(env("MESHAGENT_ROOM"));
	else if (!r && tok && proto_token_decode(&pt, tok, NULL) == 0) {
		if (proto_token_room(&pt))
			r = strdup(proto_token_room(&pt));
		proto_token_free(&pt);
	}
	if (!r) {
		util_error_set(err, -1,
			       "no room: give one, put it in the URL "
			       "(/rooms/<room>) or set MESHAGENT_ROOM");
		e = -EINVAL;
		goto fail;
	}
	if (!strstr(strstr(u, "://") + 3, "/rooms/")) {
		size_t n = strlen(u);

		while (n && u[n - 1] == '/')
			u[--n] = 0;
		if (asprintf(&full, "%s/rooms/%s", u, r) < 0) {
			full = NULL;
			goto fail;
		}
		free(u);
		u = full;
	}
	if (!tok) {
		e = mint(&tok, r, err);
		if (e < 0)
			goto fail;
	}
	out->url = u;
	out->room = r;
	out->token = tok;
	return 0;
fail:
	free(tok);
	free(u);
	free(r);
	return e;
}

void room_target_free(struct room_target *t)
{
	if (!t)
		return;
	free(t->url);
	free(t->room);
	free(t->token);
	memset(t, 0, sizeof(*t));
}
