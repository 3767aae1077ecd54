// SPDX-License-Identifier: MIT
/*
 * meshctl.c - main() of meshctl, the meshfs command-line tool: global
 * options and dispatch through the command table.
 *
 * Commands come in groups ("schema", "doc"; the room commands "ls", "get",
 * ... are single words), one file per group, each exporting struct
 * cli_cmds (cli.h).  A new group is
 * one line in `commands` below.  Dispatch walks the words of the command
 * line down the table, answers --help at every level, and hands the rest
 * of argv to the command's run(), which owns its options.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "cli.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

static const struct cli_cmd *const commands[] = {
	&cli_schema_cmd,
	&cli_doc_cmd,
	/* the room commands */
	&cli_token_cmd,
	&cli_ls_cmd,
	&cli_stat_cmd,
	&cli_cat_cmd,
	&cli_put_cmd,
	&cli_rm_cmd,
	&cli_mv_cmd,
	&cli_url_cmd,
	&cli_get_cmd,
	&cli_create_cmd,
	&cli_patch_cmd,
	&cli_edit_cmd,
	&cli_watch_cmd,
	&cli_grep_cmd,
	NULL,
};

static const struct cli_cmd top = {
	.name = CLI_PROG,
	.path = "",
	.synopsis = "[--help] [--version] COMMAND [ARGS...]",
	.summary = "Check MeshSchemas, convert, validate and edit MeshAgent "
		   "documents, and\nwork with a room's documents and files.",
	.help = "Global options:\n"
		"  -h, --help     show this help (also: meshctl COMMAND --help)\n"
		"  -V, --version  show the version\n"
		"\n"
		"FILE arguments may be '-' for stdin.  Binary output (Yjs "
		"updates) is\n"
		"refused when stdout is a terminal unless --force is given.\n"
		"\n"
		"Room commands find the room in --url or the environment\n"
		"($MESHAGENT_ROOM_URL, $MESHAGENT_TOKEN, ...; see "
		"'meshctl ls --help').\n"
		"\n"
		"Exit status: 0 success, 1 failure (invalid input, an error "
		"from the room),\n"
		"2 usage error.\n"
		"See meshctl(1) for details and examples.\n",
	.subcmds = commands,
};

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* true when --help or -h comes before "--" among the arguments */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (is_help(argv[i]))
			return true;
	}
	return false;
}

static const struct cli_cmd *find(const struct cli_cmd *group, const char *name)
{
	const struct cli_cmd *const *c;

	for (c = group->subcmds; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

/* argv[0] is the group's word; argv[1] names the subcommand. */
static int dispatch(const struct cli_cmd *group, int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		if (group == &top)
			return cli_usage_error(NULL, "no command given");
		return cli_usage_error(group, "no command given");
	}
	if (is_help(argv[1]))
		return cli_print_help(group);
	if (argv[1][0] == '-' && argv[1][1])
		return cli_usage_error(group == &top ? NULL : group,
				       "unknown option '%s'", argv[1]);
	cmd = find(group, argv[1]);
	if (!cmd)
		return cli_usage_error(group == &top ? NULL : group,
				       "unknown command '%s'", argv[1]);
	if (cmd->subcmds)
		return dispatch(cmd, argc - 1, argv + 1);
	if (wants_help(argc - 1, argv + 1))
		return cli_print_help(cmd);
	return cmd->run(cmd, argc - 1, argv + 1);
}

/*
 * The room client library logs what it recovers from (a lost connection
 * at close, a retry) as warnings: noise for a command whose errors are
 * its own one-line messages.  $MESHCTL_LOG (error, warn, info, debug)
 * shows them when debugging.
 */
static void setup_logging(void)
{
	enum util_log_level level = UTIL_LOG_ERROR;
	const char *env = getenv("MESHCTL_LOG");

	if (env && env[0] && util_log_level_parse(&level, env))
		level = UTIL_LOG_ERROR;
	util_log_set_prog(CLI_PROG);
	util_log_set_level(level);
}

int main(int argc, char **argv)
{
	int i = 1;

	setup_logging();

	/* global options come before the command */
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (is_help(argv[i]))
			return cli_print_help(&top);
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf(CLI_PROG " (meshfs) %s\n", PACKAGE_VERSION);
			return fflush(stdout) ? CLI_EXIT_DATA : CLI_EXIT_OK;
		}
		return cli_usage_error(NULL, "unknown option '%s'", argv[i]);
	}
	/* dispatch() wants the word before the command at argv[0] */
	return dispatch(&top, argc - i + 1, argv + i - 1);
}
