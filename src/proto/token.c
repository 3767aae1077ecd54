/* SPDX-License-Identifier: MIT */
/*
 * token.c - participant tokens (spec §2.5): HS256 JWTs as the MeshAgent
 * SDKs mint them (jose SignJWT in TS 0.39.9), their grants, and `ma-` API
 * keys.
 *
 * Minting reproduces the TS payload key order (ParticipantToken.toJson
 * then toJwt), so a token minted here with the same claims is the same
 * string the SDK produces.  Verification checks structure first, then the
 * signature (constant-time), and only then the claims, so that each
 * failure has its own errno: malformed, bad signature, expired, wrong room.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto.h"

/* base64url of {"alg":"HS256","typ":"JWT"}, the only header we mint. */
static const char jwt_header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/* ---- building -------------------------------------------------------- */

void proto_token_free(struct proto_token *t)
{
	if (!t)
		return;
	free(t->name);
	cJSON_Delete(t->grants);
	free(t->sub);
	free(t->kid);
	free(t->version);
	cJSON_Delete(t->extra);
	memset(t, 0, sizeof(*t));
}

int proto_token_init(struct proto_token *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	if (!name)
		return -EINVAL;
	t->name = strdup(name);
	t->grants = cJSON_CreateArray();
	t->version = strdup(PROTO_TOKEN_VERSION);
	if (!t->name || !t->grants || !t->version) {
		proto_token_free(t);
		return -ENOMEM;
	}
	return 0;
}

static int add_grant_item(struct proto_token *t, const char *name, cJSON *scope)
{
	cJSON *g;

	if (!scope)
		return -ENOMEM;
	if (!t->grants) {
		t->grants = cJSON_CreateArray();
		if (!t->grants)
			goto nomem;
	}
	g = cJSON_CreateObject();
	if (!g || !cJSON_AddStringToObject(g, "name", name) ||
	    !cJSON_AddItemToObject(g, "scope", scope)) {
		cJSON_Delete(g);
		goto nomem;
	}
	if (!cJSON_AddItemToArray(t->grants, g)) {
		cJSON_Delete(g);
		return -ENOMEM;
	}
	return 0;
nomem:
	cJSON_Delete(scope);
	return -ENOMEM;
}

int proto_token_add_grant(struct proto_token *t, const char *name,
			  const char *scope)
{
	if (!name || !scope)
		return -EINVAL;
	return add_grant_item(t, name, cJSON_CreateString(scope));
}

const cJSON *proto_token_api_scope(const struct proto_token *t)
{
	const cJSON *g, *n;

	cJSON_ArrayForEach(g, t->grants)
	{
		n = cJSON_GetObjectItemCaseSensitive(g, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, "api")) {
			n = cJSON_GetObjectItemCaseSensitive(g, "scope");
			return cJSON_IsObject(n) ? n : NULL;
		}
	}
	return NULL;
}

int proto_token_add_api_grant(struct proto_token *t, cJSON *scope)
{
	const cJSON *g, *n;

	if (!scope)
		return -EINVAL;
	cJSON_ArrayForEach(g, t->grants)
	{
		n = cJSON_GetObjectItemCaseSensitive(g, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, "api")) {
			cJSON_Delete(scope);
			return -EEXIST;
		}
	}
	return add_grant_item(t, "api", scope);
}

cJSON *proto_api_scope_agent_default(void)
{
	static const char *const keys[] = {
		"livekit", "queues",  "messaging",  "dataset",	 "memory",
		"sync",	   "storage", "containers", "developer", "agents",
		"llm",	   "secrets", "services",
	};
	cJSON *o = cJSON_CreateObject();
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!cJSON_AddObjectToObject(o, keys[i])) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

/* Sets o[key] = item, keeping the key's position if it exists (as a JS
 * property assignment does).  item is taken. */
static bool set_member(cJSON *o, const char *key, cJSON *item)
{
	if (!item)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, key, item);
	if (!cJSON_AddItemToObject(o, key, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

static bool set_string(cJSON *o, const char *key, const char *s)
{
	return set_member(o, key, cJSON_CreateString(s));
}

/* The TS payload: {...extra, name, grants}, then sub, kid, version; then
 * toJwt's api key kid/sub and exp. */
static cJSON *build_payload(const struct proto_token *t, const char *kid,
			    const char *sub)
{
	cJSON *o;
	bool ok;

	o = t->extra ? cJSON_Duplicate(t->extra, true) : cJSON_CreateObject();
	if (!o)
		return NULL;
	ok = set_string(o, "name", t->name) &&
	     set_member(o, "grants",
			t->grants ? cJSON_Duplicate(t->grants, true) :
				    cJSON_CreateArray());
	if (ok && t->sub)
		ok = set_string(o, "sub", t->sub);
	if (ok && t->kid)
		ok = set_string(o, "kid", t->kid);
	if (ok && t->version)
		ok = set_string(o, "version", t->version);
	if (ok && kid)
		ok = set_string(o, "kid", kid);
	if (ok && sub)
		ok = set_string(o, "sub", sub);
	if (ok && t->has_exp)
		ok = set_member(o, "exp", cJSON_CreateNumber((double)t->exp));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int hmac_sha256(uint8_t md[32], const char *secret, const void *data,
		       size_t len)
{
	unsigned int md_len = 0;

	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), data, len, md,
		  &md_len) ||
	    md_len != 32)
		return -EIO;
	return 0;
}

static int sign_payload(char **out, const cJSON *payload, const char *secret)
{
	size_t json_len, hlen = sizeof(jwt_header_b64) - 1, plen, n;
	uint8_t md[32];
	char *json, *s;
	int r;

	json = proto_json_print(payload, &json_len);
	if (!json)
		return -ENOMEM;
	plen = util_base64_encoded_len(UTIL_BASE64_URL, json_len);
	n = hlen + 1 + plen + 1 + util_base64_encoded_len(UTIL_BASE64_URL, 32);
	s = malloc(n + 1);
	if (!s) {
		free(json);
		return -ENOMEM;
	}
	memcpy(s, jwt_header_b64, hlen);
	s[hlen] = '.';
	util_base64_encode_to(s + hlen + 1, UTIL_BASE64_URL, json, json_len);
	free(json);
	r = hmac_sha256(md, secret, s, hlen + 1 + plen);
	if (r < 0) {
		free(s);
		return r;
	}
	s[hlen + 1 + plen] = '.';
	util_base64_encode_to(s + hlen + 1 + plen + 1, UTIL_BASE64_URL, md,
			      sizeof(md));
	*out = s;
	return 0;
}

int proto_token_mint(char **out, const struct proto_token *t,
		     const char *secret)
{
	cJSON *payload;
	int r;

	if (!t->name || !secret)
		return -EINVAL;
	payload = build_payload(t, NULL, NULL);
	if (!payload)
		return -ENOMEM;
	r = sign_payload(out, payload, secret);
	cJSON_Delete(payload);
	return r;
}

int proto_token_mint_api_key(char **out, const struct proto_token *t,
			     const char *api_key, struct util_error *err)
{
	struct proto_api_key key;
	cJSON *payload;
	int r;

	if (!t->name)
		return -EINVAL;
	r = proto_api_key_parse(&key, api_key, err);
	if (r < 0)
		return r;
	payload = build_payload(t, key.id, key.project_id);
	if (!payload) {
		proto_api_key_free(&key);
		return -ENOMEM;
	}
	r = sign_payload(out, payload, key.secret);
	cJSON_Delete(payload);
	proto_api_key_free(&key);
	return r;
}

/* ---- grants ---------------------------------------------------------- */

static bool is_truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0 && !isnan(v->valuedouble);
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	return true;
}

static const char *grant_scope_string(const struct proto_token *t,
				      const char *name)
{
	const cJSON *g, *n, *s;

	cJSON_ArrayForEach(g, t->grants)
	{
		n = cJSON_GetObjectItemCaseSensitive(g, "name");
		if (!cJSON_IsString(n) || strcmp(n->valuestring, name))
			continue;
		s = cJSON_GetObjectItemCaseSensitive(g, "scope");
		return cJSON_IsString(s) ? s->valuestring : NULL;
	}
	return NULL;
}

const char *proto_token_room(const struct proto_token *t)
{
	return grant_scope_string(t, "room");
}

const char *proto_token_role(const struct proto_token *t)
{
	const char *r = grant_scope_string(t, "role");

	return r ? r : "user";
}

/* The api scope's member for key (with TS's dataset aliases), or NULL if
 * it is absent or falsy (ApiScope.fromJSON drops falsy members). */
static const cJSON *api_member(const struct proto_token *t, const char *key)
{
	const cJSON *api = proto_token_api_scope(t), *v;

	if (!api)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(api, key);
	if (!strcmp(key, "dataset") && !is_truthy(v)) {
		/* obj.dataset ?? obj.database ?? obj.datasets */
		if (!v || cJSON_IsNull(v))
			v = cJSON_GetObjectItemCaseSensitive(api, "database");
		if (!v || cJSON_IsNull(v))
			v = cJSON_GetObjectItemCaseSensitive(api, "datasets");
	}
	return is_truthy(v) ? v : NULL;
}

bool proto_token_api_allows(const struct proto_token *t, const char *key)
{
	return api_member(t, key) != NULL;
}

static bool path_read_only(const cJSON *pg)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(pg, "read_only");

	if (!v || cJSON_IsNull(v))
		v = cJSON_GetObjectItemCaseSensitive(pg, "readOnly");
	return is_truthy(v);
}

static enum proto_access path_access(const struct proto_token *t,
				     const char *scope, const char *path,
				     bool star)
{
	const cJSON *s = api_member(t, scope), *paths, *pg, *p;
	const char *g;
	size_t n;
	bool match;

	if (!s)
		return PROTO_ACCESS_NONE;
	paths = cJSON_IsObject(s) ?
			cJSON_GetObjectItemCaseSensitive(s, "paths") :
			NULL;
	if (!cJSON_IsArray(paths))
		return PROTO_ACCESS_WRITE;
	cJSON_ArrayForEach(pg, paths)
	{
		p = cJSON_GetObjectItemCaseSensitive(pg, "path");
		if (!cJSON_IsString(p))
			continue; /* refused by decode; be safe anyway */
		g = p->valuestring;
		n = strlen(g);
		if (star)
			match = !strcmp(g, path) || (n > 0 && g[n - 1] == '*' &&
						     !strncmp(path, g, n - 1));
		else
			match = !strncmp(path, g, n);
		if (match)
			return path_read_only(pg) ? PROTO_ACCESS_READ :
						    PROTO_ACCESS_WRITE;
	}
	return PROTO_ACCESS_NONE;
}

enum proto_access proto_token_sync_access(const struct proto_token *t,
					  const char *path)
{
	return path_access(t, "sync", path, true);
}

enum proto_access proto_token_storage_access(const struct proto_token *t,
					     const char *path)
{
	return path_access(t, "storage", path, false);
}

/* ---- decoding -------------------------------------------------------- */

static int check_path_grants(const cJSON *api, const char *key,
			     struct util_error *err)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(api, key), *paths,
		    *pg, *v;
	int i = 0;

	if (!cJSON_IsObject(s))
		return 0;
	paths = cJSON_GetObjectItemCaseSensitive(s, "paths");
	if (!paths || cJSON_IsNull(paths))
		return 0;
	if (!cJSON_IsArray(paths)) {
		util_error_set(err, -1,
			       "token: api grant: %s.paths must be an array",
			       key);
		return -EBADMSG;
	}
	cJSON_ArrayForEach(pg, paths)
	{
		if (!cJSON_IsObject(pg) ||
		    !cJSON_IsString(
			    cJSON_GetObjectItemCaseSensitive(pg, "path"))) {
			util_error_set(err, -1,
				       "token: api grant: %s.paths[%d] needs "
				       "a string 'path'",
				       key, i);
			return -EBADMSG;
		}
		v = cJSON_GetObjectItemCaseSensitive(pg, "read_only");
		if (!v || cJSON_IsNull(v))
			v = cJSON_GetObjectItemCaseSensitive(pg, "readOnly");
		if (v && !cJSON_IsNull(v) && !cJSON_IsBool(v)) {
			util_error_set(err, -1,
				       "token: api grant: %s.paths[%d]."
				       "read_only must be a boolean",
				       key, i);
			return -EBADMSG;
		}
		i++;
	}
	return 0;
}

static int check_grants(const cJSON *grants, struct util_error *err)
{
	const cJSON *g, *n, *s;
	int i = 0, apis = 0, r;

	cJSON_ArrayForEach(g, grants)
	{
		n = cJSON_GetObjectItemCaseSensitive(g, "name");
		if (!cJSON_IsObject(g) || !cJSON_IsString(n)) {
			util_error_set(err, -1,
				       "token: grants[%d] must be an object "
				       "with a string 'name'",
				       i);
			return -EBADMSG;
		}
		s = cJSON_GetObjectItemCaseSensitive(g, "scope");
		if ((!strcmp(n->valuestring, "room") ||
		     !strcmp(n->valuestring, "role")) &&
		    !cJSON_IsString(s)) {
			util_error_set(err, -1,
				       "token: grants[%d] (%s) needs a string "
				       "scope",
				       i, n->valuestring);
			return -EBADMSG;
		}
		if (!strcmp(n->valuestring, "api")) {
			if (!cJSON_IsObject(s)) {
				util_error_set(err, -1,
					       "token: grants[%d] (api) needs "
					       "an object scope",
					       i);
				return -EBADMSG;
			}
			if (++apis > 1) {
				util_error_set(
					err, -1,
					"token: more than one api grant");
				return -EBADMSG;
			}
			r = check_path_grants(s, "sync", err);
			if (r == 0)
				r = check_path_grants(s, "storage", err);
			if (r < 0)
				return r;
		}
		i++;
	}
	return 0;
}

/* The three segments of a compact JWS. */
struct jws {
	const char *seg[3];
	size_t len[3];
	size_t off[3];
};

static int split_jws(struct jws *j, const char *jwt, struct util_error *err)
{
	const char *p = jwt, *dot;
	int i;

	for (i = 0; i < 3; i++) {
		dot = strchr(p, '.');
		if (i < 2 && !dot) {
			util_error_set(err, (long long)strlen(jwt),
				       "token: %d segment%s instead of 3",
				       i + 1, i ? "s" : "");
			return -EBADMSG;
		}
		if (i == 2 && dot) {
			util_error_set(err, dot - jwt,
				       "token: more than 3 segments");
			return -EBADMSG;
		}
		j->seg[i] = p;
		j->off[i] = (size_t)(p - jwt);
		j->len[i] = dot ? (size_t)(dot - p) : strlen(p);
		if (dot)
			p = dot + 1;
	}
	return 0;
}

static cJSON *decode_segment(const struct jws *j, int i, const char *what,
			     struct util_error *err)
{
	size_t len;
	uint8_t *raw;
	cJSON *v;
	int r;

	r = util_base64_decode(&raw, &len, UTIL_BASE64_URL, j->seg[i],
			       j->len[i], err);
	if (r < 0) {
		if (err && err->offset >= 0)
			err->offset += (long long)j->off[i];
		util_error_prefix(err, "token %s", what);
		return NULL;
	}
	v = proto_json_parse((const char *)raw, len, PROTO_DEFAULT_MAX_DEPTH,
			     err);
	free(raw);
	if (!v) {
		/* The offset is into the decoded JSON: point at the
		 * segment instead. */
		if (err)
			err->offset = (long long)j->off[i];
		util_error_prefix(err, "token %s", what);
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		util_error_set(err, (long long)j->off[i],
			       "token %s is not a JSON object", what);
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static int check_header(const struct jws *j, struct util_error *err)
{
	cJSON *h = decode_segment(j, 0, "header", err);
	const cJSON *v;
	int r = -EBADMSG;

	if (!h)
		return -EBADMSG;
	v = cJSON_GetObjectItemCaseSensitive(h, "alg");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "HS256")) {
		util_error_set(err, 0,
			       "token header: alg must be \"HS256\" (got "
			       "%.32s)",
			       cJSON_IsString(v) ? v->valuestring :
						   "no string");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(h, "typ");
	if (v && (!cJSON_IsString(v) || strcmp(v->valuestring, "JWT"))) {
		util_error_set(err, 0, "token header: typ must be \"JWT\"");
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(h, "crit")) {
		util_error_set(err, 0,
			       "token header: unsupported 'crit' parameter");
		goto out;
	}
	r = 0;
out:
	cJSON_Delete(h);
	return r;
}

static int opt_string(char **out, const cJSON *p, const char *key,
		      struct util_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v)) {
		util_error_set(err, -1, "token: '%s' must be a string", key);
		return -EBADMSG;
	}
	*out = strdup(v->valuestring);
	return *out ? 0 : -ENOMEM;
}

static int claims_from_payload(struct proto_token *t, const cJSON *p,
			       struct util_error *err)
{
	static const char *const known[] = { "name", "grants",	"sub",
					     "kid",  "version", "exp" };
	const cJSON *v;
	size_t i;
	int r;

	memset(t, 0, sizeof(*t));
	v = cJSON_GetObjectItemCaseSensitive(p, "name");
	if (!cJSON_IsString(v)) {
		util_error_set(err, -1, "token: 'name' %s",
			       v ? "must be a string" : "is missing");
		return -EBADMSG;
	}
	t->name = strdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(p, "grants");
	if (!cJSON_IsArray(v)) {
		util_error_set(err, -1, "token: 'grants' %s",
			       v ? "must be an array" : "is missing");
		r = -EBADMSG;
		goto fail;
	}
	r = check_grants(v, err);
	if (r < 0)
		goto fail;
	t->grants = cJSON_Duplicate(v, true);
	r = opt_string(&t->sub, p, "sub", err);
	if (r == 0)
		r = opt_string(&t->kid, p, "kid", err);
	if (r == 0)
		r = opt_string(&t->version, p, "version", err);
	if (r < 0)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(p, "exp");
	if (v) {
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
			util_error_set(err, -1,
				       "token: 'exp' must be a "
				       "number");
			r = -EBADMSG;
			goto fail;
		}
		t->has_exp = true;
		/* Fractions are kept by comparing with floor in verify. */
		t->exp = v->valuedouble > 9e18 ?
				 (long long)9e18 :
			 v->valuedouble < -9e18 ?
				 (long long)-9e18 :
				 (long long)floor(v->valuedouble);
	}
	t->extra = cJSON_CreateObject();
	if (!t->name || !t->grants || !t->extra)
		goto nomem;
	for (v = p->child; v; v = v->next) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(v->string, known[i]))
				break;
		if (i < sizeof(known) / sizeof(known[0]))
			continue;
		if (!cJSON_AddItemToObject(t->extra, v->string,
					   cJSON_Duplicate(v, true)))
			goto nomem;
	}
	if (!t->extra->child) {
		cJSON_Delete(t->extra);
		t->extra = NULL;
	}
	return 0;
nomem:
	util_error_set(err, -1, "out of memory");
	r = -ENOMEM;
fail:
	proto_token_free(t);
	return r;
}

int proto_token_decode(struct proto_token *out, const char *jwt,
		       struct util_error *err)
{
	struct jws j;
	cJSON *p;
	int r;

	memset(out, 0, sizeof(*out));
	if (!jwt) {
		util_error_set(err, -1, "token: none given");
		return -EBADMSG;
	}
	r = split_jws(&j, jwt, err);
	if (r == 0)
		r = check_header(&j, err);
	if (r < 0)
		return r;
	p = decode_segment(&j, 1, "payload", err);
	if (!p)
		return -EBADMSG;
	r = claims_from_payload(out, p, err);
	cJSON_Delete(p);
	return r;
}

int proto_token_verify(struct proto_token *out, const char *jwt,
		       const char *secret, const char *room, long long now,
		       struct util_error *err)
{
	struct proto_token t;
	uint8_t md[32], sig[33];
	const cJSON *nbf;
	struct jws j;
	size_t sig_len = 0;
	cJSON *p;
	int r;

	memset(out, 0, sizeof(*out));
	if (!jwt) {
		util_error_set(err, -1, "token: none given");
		return -EBADMSG;
	}
	if (!secret)
		return -EINVAL;
	r = split_jws(&j, jwt, err);
	if (r == 0)
		r = check_header(&j, err);
	if (r < 0)
		return r;
	if (j.len[2] <= 43 &&
	    util_base64_decode_to(sig, &sig_len, UTIL_BASE64_URL, j.seg[2],
				  j.len[2], err) < 0) {
		if (err && err->offset >= 0)
			err->offset += (long long)j.off[2];
		util_error_prefix(err, "token signature");
		return -EBADMSG;
	}
	if (j.len[2] > 43 || sig_len != 32) {
		util_error_set(err, (long long)j.off[2],
			       "token signature is not 32 bytes of base64url");
		return -EBADMSG;
	}
	r = hmac_sha256(md, secret, jwt, j.off[2] - 1);
	if (r < 0)
		return r;
	if (CRYPTO_memcmp(md, sig, 32) != 0) {
		util_error_set(err, (long long)j.off[2],
			       "token signature does not match (wrong secret "
			       "or tampered token)");
		return -EKEYREJECTED;
	}
	p = decode_segment(&j, 1, "payload", err);
	if (!p)
		return -EBADMSG;
	r = claims_from_payload(&t, p, err);
	if (r < 0) {
		cJSON_Delete(p);
		return r;
	}
	if (now <= 0)
		now = (long long)time(NULL);
	if (t.has_exp && t.exp <= now) {
		util_error_set(err, -1, "token expired at %lld (now %lld)",
			       t.exp, now);
		r = -EKEYEXPIRED;
		goto fail;
	}
	nbf = cJSON_GetObjectItemCaseSensitive(p, "nbf");
	if (nbf && (!cJSON_IsNumber(nbf) || nbf->valuedouble > (double)now)) {
		util_error_set(err, -1, "token not valid before 'nbf'");
		r = cJSON_IsNumber(nbf) ? -EKEYEXPIRED : -EBADMSG;
		goto fail;
	}
	if (room) {
		const cJSON *g, *n, *s;
		bool any = false, match = false;

		cJSON_ArrayForEach(g, t.grants)
		{
			n = cJSON_GetObjectItemCaseSensitive(g, "name");
			if (strcmp(n->valuestring, "room"))
				continue;
			any = true;
			s = cJSON_GetObjectItemCaseSensitive(g, "scope");
			match |= !strcmp(s->valuestring, room);
		}
		if (any && !match) {
			util_error_set(err, -1,
				       "token grants room \"%.64s\", not "
				       "\"%.64s\"",
				       proto_token_room(&t), room);
			r = -EPERM;
			goto fail;
		}
	}
	cJSON_Delete(p);
	*out = t;
	return 0;
fail:
	cJSON_Delete(p);
	proto_token_free(&t);
	return r;
}

/* ---- API keys -------------------------------------------------------- */

void proto_api_key_free(struct proto_api_key *k)
{
	if (!k)
		return;
	free(k->secret);
	memset(k, 0, sizeof(*k));
}

/* A compressed UUID: base64url of 16 bytes with '-' written as '.'. */
static int decompress_uuid(char out[UTIL_UUID_STR_LEN], const char *s,
			   size_t len, size_t off, const char *what,
			   struct util_error *err)
{
	char tmp[32];
	uint8_t bytes[24];
	size_t i, n;

	if (len != 22) {
		util_error_set(err, (long long)off,
			       "api key: %s has %zu characters, not 22", what,
			       len);
		return -EINVAL;
	}
	for (i = 0; i < len; i++)
		tmp[i] = s[i] == '.' ? '-' : s[i];
	if (util_base64_decode_to(bytes, &n, UTIL_BASE64_URL, tmp, len, err) <
	    0) {
		if (err && err->offset >= 0)
			err->offset += (long long)off;
		util_error_prefix(err, "api key: %s", what);
		return -EINVAL;
	}
	util_uuid_format(out, bytes);
	return 0;
}

int proto_api_key_parse(struct proto_api_key *out, const char *key,
			struct util_error *err)
{
	const char *rest, *d1, *d2;
	int r;

	memset(out, 0, sizeof(*out));
	if (!key || strncmp(key, "ma-", 3)) {
		util_error_set(err, 0, "api key: does not start with \"ma-\"");
		return -EINVAL;
	}
	rest = key + 3;
	d1 = strchr(rest, '-');
	d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	if (!d2) {
		util_error_set(err, (long long)strlen(key),
			       "api key: expected ma-<id>-<project>-<secret>");
		return -EINVAL;
	}
	r = decompress_uuid(out->id, rest, (size_t)(d1 - rest),
			    (size_t)(rest - key), "key id", err);
	if (r == 0)
		r = decompress_uuid(out->project_id, d1 + 1,
				    (size_t)(d2 - d1 - 1),
				    (size_t)(d1 + 1 - key), "project id", err);
	if (r < 0)
		return r;
	if (!d2[1]) {
		util_error_set(err, d2 + 1 - key, "api key: empty secret");
		return -EINVAL;
	}
	out->secret = strdup(d2 + 1);
	if (!out->secret)
		return -ENOMEM;
	return 0;
}

int proto_api_key_format(char **out, const char *id, const char *project_id,
			 const char *secret)
{
	uint8_t a[16], b[16];
	char ea[32], eb[32];
	size_t i;

	if (!secret || util_uuid_parse(a, id) < 0 ||
	    util_uuid_parse(b, project_id) < 0)
		return -EINVAL;
	util_base64_encode_to(ea, UTIL_BASE64_URL, a, 16);
	util_base64_encode_to(eb, UTIL_BASE64_URL, b, 16);
	for (i = 0; ea[i]; i++)
		if (ea[i] == '-')
			ea[i] = '.';
	for (i = 0; eb[i]; i++)
		if (eb[i] == '-')
			eb[i] = '.';
	if (asprintf(out, "ma-%s-%s-%s", ea, eb, secret) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
