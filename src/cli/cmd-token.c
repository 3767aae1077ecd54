// SPDX-License-Identifier: MIT
/*
 * cmd-token.c - `meshctl token`: mints a participant token (HS256 JWT,
 * spec/protocol.md §2.5) the way the TypeScript SDK's ParticipantToken
 * does, signed with a room secret or an API key (ma- format), with a room
 * grant, a role grant and an api grant (ApiScope.agentDefault(), or the
 * scopes given), whose sync and storage scopes may carry path grants,
 * read-only ones included.  The token is printed on stdout, for
 * --token / $MESHAGENT_TOKEN of the other commands and for other clients.
 * The work is libproto's (proto_token_*); no connection is made.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "proto.h"

#include "cli.h"

enum {
	OPT_SECRET = 0x100,
	OPT_SECRET_FILE,
	OPT_API_KEY,
	OPT_ROOM,
	OPT_NAME,
	OPT_ROLE,
	OPT_TTL,
	OPT_API,
	OPT_SYNC_PATH,
	OPT_SYNC_RO,
	OPT_STORAGE_PATH,
	OPT_STORAGE_RO,
};

static const struct option token_longopts[] = {
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
	{ "api-key", required_argument, NULL, OPT_API_KEY },
	{ "room", required_argument, NULL, OPT_ROOM },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "api", required_argument, NULL, OPT_API },
	{ "sync-path", required_argument, NULL, OPT_SYNC_PATH },
	{ "sync-read-only", required_argument, NULL, OPT_SYNC_RO },
	{ "storage-path", required_argument, NULL, OPT_STORAGE_PATH },
	{ "storage-read-only", required_argument, NULL, OPT_STORAGE_RO },
	{ NULL, 0, NULL, 0 },
};

/* The ApiScope keys of spec §2.5, for --api. */
static const char *const api_keys[] = {
	"livekit", "queues",  "messaging",  "dataset",	 "sqlite", "memory",
	"sync",	   "storage", "containers", "developer", "agents", "llm",
	"admin",   "secrets", "tunnels",    "services",	 NULL,
};

static bool is_api_key(const char *s, size_t n)
{
	const char *const *k;

	for (k = api_keys; *k; k++)
		if (strlen(*k) == n && !memcmp(*k, s, n))
			return true;
	return false;
}

/* The participant name when --name is not given. */
static const char *default_name(void)
{
	const char *s = getenv("MESHAGENT_PARTICIPANT_NAME");
	struct passwd *pw;

	if (s && s[0])
		return s;
	s = getenv("USER");
	if (s && s[0])
		return s;
	pw = getpwuid(getuid());
	if (pw && pw->pw_name && pw->pw_name[0])
		return pw->pw_name;
	return CLI_PROG;
}

/*
 * Appends {"path": path[, "read_only": true]} to scope[key].paths (the
 * scope object is created when missing: a path grant implies the scope).
 */
static int add_path_grant(cJSON *api, const char *key, const char *path,
			  bool read_only)
{
	cJSON *scope = cJSON_GetObjectItemCaseSensitive(api, key);
	cJSON *paths, *g;

	if (!scope) {
		scope = cJSON_AddObjectToObject(api, key);
		if (!scope)
			return -ENOMEM;
	}
	paths = cJSON_GetObjectItemCaseSensitive(scope, "paths");
	if (!paths) {
		paths = cJSON_AddArrayToObject(scope, "paths");
		if (!paths)
			return -ENOMEM;
	}
	g = cJSON_CreateObject();
	if (!g)
		return -ENOMEM;
	cJSON_AddItemToArray(paths, g);
	if (!cJSON_AddStringToObject(g, "path", path))
		return -ENOMEM;
	if (read_only && !cJSON_AddTrueToObject(g, "read_only"))
		return -ENOMEM;
	return 0;
}

/* --api LIST: a scope of the listed keys, each {} ("all" = the default). */
static int api_from_list(cJSON **out, const struct cli_cmd *cmd,
			 const char *list)
{
	const char *s = list, *end;
	cJSON *api;
	char key[32];
	size_t n;

	*out = NULL;
	if (!strcmp(list, "default"))
		return (*out = proto_api_scope_agent_default()) ? 0 : -ENOMEM;
	api = cJSON_CreateObject();
	if (!api)
		return -ENOMEM;
	if (!strcmp(list, "none")) {
		*out = api;
		return 0;
	}
	for (; *s; s = *end ? end + 1 : end) {
		end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		n = (size_t)(end - s);
		if (!is_api_key(s, n) || n >= sizeof(key)) {
			cJSON_Delete(api);
			cli_usage_error(cmd,
					"--api: unknown scope '%.*s' (one of "
					"livekit, queues, messaging, dataset, "
					"sqlite, memory, sync, storage, "
					"containers, developer, agents, llm, "
					"admin, secrets, tunnels, services; or "
					"'default', 'none')",
					(int)n, s);
			return -EINVAL;
		}
		memcpy(key, s, n);
		key[n] = '\0';
		if (!cJSON_GetObjectItemCaseSensitive(api, key) &&
		    !cJSON_AddObjectToObject(api, key)) {
			cJSON_Delete(api);
			return -ENOMEM;
		}
	}
	*out = api;
	return 0;
}

/* A path grant given on the command line, in order. */
struct path_grant {
	const char *key; /* "sync" or "storage" */
	const char *path;
	bool read_only;
};

static int token_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	const char *secret = NULL, *secret_file = NULL, *api_key = NULL;
	const char *room = NULL, *name = NULL, *role = "user", *api = NULL;
	struct path_grant *grants = NULL;
	struct proto_token t = { 0 };
	struct util_error err;
	cJSON *scope = NULL;
	char *file_secret = NULL, *jwt = NULL;
	long long ttl_ms = 0;
	size_t n_grants = 0, i, len;
	int c, rc, status = CLI_EXIT_DATA, sources;

	grants = calloc((size_t)argc, sizeof(*grants));
	if (!grants) {
		cli_err("%s", strerror(ENOMEM));
		return CLI_EXIT_DATA;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", token_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SECRET:
			secret = optarg;
			break;
		case OPT_SECRET_FILE:
			secret_file = optarg;
			break;
		case OPT_API_KEY:
			api_key = optarg;
			break;
		case OPT_ROOM:
			room = optarg;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_ROLE:
			role = optarg;
			break;
		case OPT_API:
			api = optarg;
			break;
		case OPT_TTL:
			if (cli_parse_duration_ms(&ttl_ms, optarg) ||
			    ttl_ms < 1000) {
				status = cli_usage_error(
					cmd,
					"--ttl wants a duration of at least "
					"1s (e.g. 3600, 90m, 1d), got '%s'",
					optarg);
				goto out;
			}
			break;
		case OPT_SYNC_PATH:
		case OPT_SYNC_RO:
		case OPT_STORAGE_PATH:
		case OPT_STORAGE_RO:
			grants[n_grants].key =
				c == OPT_SYNC_PATH || c == OPT_SYNC_RO ?
					"sync" :
					"storage";
			grants[n_grants].read_only = c == OPT_SYNC_RO ||
						     c == OPT_STORAGE_RO;
			grants[n_grants++].path = optarg;
			break;
		default:
			status = cli_bad_option(cmd, c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		status = cli_usage_error(cmd, "unexpected argument '%s'",
					 argv[optind]);
		goto out;
	}
	sources = !!secret + !!secret_file + !!api_key;
	if (sources > 1) {
		status = cli_usage_error(
			cmd, "give only one of --secret, --secret-file and "
			     "--api-key");
		goto out;
	}
	if (!sources) {
		api_key = getenv("MESHAGENT_API_KEY");
		if (!api_key || !api_key[0]) {
			api_key = NULL;
			secret = getenv("MESHAGENT_SECRET");
		}
		if (!api_key && (!secret || !secret[0])) {
			status = cli_usage_error(
				cmd, "no key to sign with: give --secret, "
				     "--secret-file or --api-key, or set "
				     "MESHAGENT_SECRET or MESHAGENT_API_KEY");
			goto out;
		}
	}
	if (secret_file) {
		rc = cli_load(&file_secret, &len, secret_file);
		if (rc)
			goto out;
		/* a file written by echo ends in a newline that is no part of
		 * the secret */
		while (len && (file_secret[len - 1] == '\n' ||
			       file_secret[len - 1] == '\r'))
			file_secret[--len] = '\0';
		if (!len || strlen(file_secret) != len) {
			cli_cmd_err(cmd, secret_file,
				    "the secret must be one line of text");
			goto out;
		}
		secret = file_secret;
	}
	if (!room) {
		room = getenv("MESHAGENT_ROOM");
		if (room && !room[0])
			room = NULL;
	}
	if (!name)
		name = default_name();
	if (!name[0]) {
		status = cli_usage_error(cmd, "--name must not be empty");
		goto out;
	}

	if (api) {
		if (api_from_list(&scope, cmd, api)) {
			status = CLI_EXIT_USAGE;
			goto out;
		}
	} else {
		scope = proto_api_scope_agent_default();
		if (!scope)
			goto nomem;
	}
	for (i = 0; i < n_grants; i++)
		if (add_path_grant(scope, grants[i].key, grants[i].path,
				   grants[i].read_only))
			goto nomem;

	if (proto_token_init(&t, name))
		goto nomem;
	if (room && proto_token_add_grant(&t, "room", room))
		goto nomem;
	if (role[0] && proto_token_add_grant(&t, "role", role))
		goto nomem;
	rc = proto_token_add_api_grant(&t, scope);
	scope = NULL;
	if (rc)
		goto nomem;
	if (ttl_ms) {
		t.has_exp = true;
		t.exp = (long long)time(NULL) + (ttl_ms + 999) / 1000;
	}
	util_error_clear(&err);
	if (api_key)
		rc = proto_token_mint_api_key(&jwt, &t, api_key, &err);
	else
		rc = proto_token_mint(&jwt, &t, secret);
	if (rc) {
		if (api_key)
			cli_cmd_err(cmd, NULL, "invalid API key: %s",
				    err.msg[0] ? err.msg : strerror(-rc));
		else
			cli_cmd_err(cmd, NULL, "%s", strerror(-rc));
		goto out;
	}
	printf("%s\n", jwt);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("stdout: %s", strerror(errno));
		goto out;
	}
	status = CLI_EXIT_OK;
	goto out;
nomem:
	cli_err("%s", strerror(ENOMEM));
out:
	cJSON_Delete(scope);
	proto_token_free(&t);
	free(jwt);
	if (file_secret) {
		memset(file_secret, 0, strlen(file_secret));
		free(file_secret);
	}
	free(grants);
	return status;
}

const struct cli_cmd cli_token_cmd = {
	.name = "token",
	.path = "token",
	.synopsis = "[--secret S | --secret-file F | --api-key KEY] [--room "
		    "ROOM] [--name NAME] [--role ROLE] [--ttl DURATION] "
		    "[GRANTS...]",
	.summary = "Mint a participant token (JWT) for a room.",
	.help = "Prints a participant token signed with the room secret "
		"(HS256) or an API key,\n"
		"as the MeshAgent SDKs mint them.\n"
		"\n"
		"Options:\n"
		"  --secret S            sign with the secret S\n"
		"  --secret-file F       sign with the secret in F (one "
		"line)\n"
		"  --api-key KEY         sign with an API key "
		"(ma-ID-PROJECT-SECRET); kid and sub\n"
		"                        name the key and its project\n"
		"                        (default: $MESHAGENT_API_KEY, else "
		"$MESHAGENT_SECRET)\n"
		"  --room ROOM           the room it admits to (default "
		"$MESHAGENT_ROOM; none:\n"
		"                        any room)\n"
		"  --name NAME           participant name (default "
		"$MESHAGENT_PARTICIPANT_NAME,\n"
		"                        else the user name)\n"
		"  --role ROLE           role grant: user (default), agent, "
		"tool, ...\n"
		"  --ttl DURATION        expire after DURATION (3600, 90m, "
		"12h, 7d; default never)\n"
		"\n"
		"Grants (the api grant is ApiScope.agentDefault() unless "
		"--api is given):\n"
		"  --api LIST            only these API scopes, comma-separated "
		"(sync,storage),\n"
		"                        or 'default' or 'none'\n"
		"  --sync-path P         documents at P (exact, or a prefix "
		"ending in '*')\n"
		"  --sync-read-only P    read-only documents at P\n"
		"  --storage-path P      files under the prefix P\n"
		"  --storage-read-only P read-only files under the prefix P\n"
		"  Path grants are checked in the order given; the first "
		"match decides.\n"
		"  Without any, all paths are writable.\n",
	.run = token_run,
};
