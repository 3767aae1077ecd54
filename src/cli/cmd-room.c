// SPDX-License-Identifier: MIT
/*
 * cmd-room.c - what the room commands (ls, get, patch, ...) share: the
 * room options (--url, --room, --token, --token-file, --ca-file,
 * --timeout), connecting through libclient, and their error lines.
 *
 * Every room command is one short session: resolve the target the way the
 * MeshAgent SDKs do (room_target_resolve: arguments, then environment),
 * connect without reconnection, do the work, close.  Errors are printed
 * as "meshctl: <cmd>: <path>: <why>" so that scripts can tell what failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#include "cli.h"

int cli_parse_duration_ms(long long *out, const char *s)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "", 1000 },	{ "ms", 1 },	  { "s", 1000 },
		{ "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	double v;
	char *end;
	size_t i;

	if (!s[0] || (s[0] < '0' || s[0] > '9'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || v < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].ms;
		if (v > 9e15)
			return -EINVAL;
		*out = (long long)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

int cli_room_option(struct cli_room_opts *o, const struct cli_cmd *cmd, int c,
		    const char *arg)
{
	long long ms;

	switch (c) {
	case CLI_OPT_URL:
		o->url = arg;
		return 1;
	case CLI_OPT_ROOM:
		o->room = arg;
		return 1;
	case CLI_OPT_TOKEN:
		o->token = arg;
		return 1;
	case CLI_OPT_TOKEN_FILE:
		o->token_file = arg;
		return 1;
	case CLI_OPT_CA_FILE:
		o->ca_file = arg;
		return 1;
	case CLI_OPT_TIMEOUT:
		if (cli_parse_duration_ms(&ms, arg) || ms <= 0 ||
		    ms > 24LL * 3600 * 1000) {
			cli_usage_error(cmd,
					"--timeout wants a duration from 1ms "
					"to 24h (e.g. 10, 500ms, 2m), got '%s'",
					arg);
			return -1;
		}
		o->timeout_ms = (int)ms;
		return 1;
	default:
		return 0;
	}
}

void cli_cmd_err(const struct cli_cmd *cmd, const char *path, const char *fmt,
		 ...)
{
	va_list ap;

	fprintf(stderr, CLI_PROG ": %s: ", cmd->path);
	if (path && path[0])
		fprintf(stderr, "%s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_room_err(const struct cli_cmd *cmd, const char *path, int rc,
		  const struct util_error *err)
{
	if (err && err->msg[0])
		cli_cmd_err(cmd, path, "%s", err->msg);
	else
		cli_cmd_err(cmd, path, "%s", strerror(rc < 0 ? -rc : rc));
}

int cli_room_connect_cfg(struct room_client **out, const struct cli_cmd *cmd,
			 const struct cli_room_opts *o, struct room_config *cfg)
{
	struct room_target t = { 0 };
	struct util_error err;
	int rc;

	*out = NULL;
	util_error_clear(&err);
	rc = room_target_resolve(&t, o->url, o->room, o->token, o->token_file,
				 &err);
	if (rc) {
		cli_room_err(cmd, o->url, rc, &err);
		return rc;
	}
	cfg->url = t.url;
	cfg->token = t.token;
	cfg->ca_file = o->ca_file;
	cfg->no_reconnect = true;
	if (o->timeout_ms > 0)
		cfg->timeout_ms = o->timeout_ms;
	util_error_clear(&err);
	rc = room_client_connect(out, cfg, &err);
	if (rc)
		cli_room_err(cmd, t.url, rc, &err);
	cfg->url = NULL;
	cfg->token = NULL;
	room_target_free(&t);
	return rc;
}

int cli_room_connect(struct room_client **out, const struct cli_cmd *cmd,
		     const struct cli_room_opts *o)
{
	struct room_config cfg;

	room_config_init(&cfg);
	return cli_room_connect_cfg(out, cmd, o, &cfg);
}
