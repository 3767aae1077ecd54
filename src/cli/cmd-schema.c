// SPDX-License-Identifier: MIT
/*
 * cmd-schema.c - the "meshctl schema" commands: check MeshSchema files
 * (spec/document.md §2) before they are deployed to a room's .schemas/.
 *
 * The parse and every rule are libmesh's (mesh_schema_parse); this file
 * only reports, one line per file, in the "FILE: <pointer>: <message>"
 * form that the other commands use too.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mesh.h"

#include "cli.h"

static int schema_check(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct mesh_schema *s;
	bool quiet = false;
	size_t n;
	int c, i, status = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":q", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		default:
			return cli_bad_option(cmd, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "no FILE given");
	if (cli_count_stdin(argv + optind, argc - optind) > 1)
		return cli_usage_error(cmd, "stdin ('-') given more than once");
	for (i = optind; i < argc; i++) {
		if (cli_parse_schema(&s, argv[i])) {
			status = CLI_EXIT_DATA;
			continue;
		}
		n = mesh_schema_element_count(s);
		if (!quiet)
			printf("%s: ok (root %s, %zu element%s)\n",
			       cli_file_name(argv[i]), mesh_schema_root_tag(s),
			       n, n == 1 ? "" : "s");
		mesh_schema_free(s);
	}
	if (fflush(stdout)) {
		cli_err("stdout: %m");
		return CLI_EXIT_DATA;
	}
	return status;
}

static const struct cli_cmd schema_check_cmd = {
	.name = "check",
	.path = "schema check",
	.synopsis = "[-q] FILE...",
	.summary = "Check that each FILE is a valid MeshSchema.",
	.help = "Parses each FILE ('-' = stdin) as MeshSchema JSON and checks "
		"the schema rules\n"
		"(unique tags, the root tag defined, one child property per "
		"element, child\n"
		"tags defined, value types string/number/boolean/null).  "
		"Prints\n"
		"  FILE: ok (root TAG, N elements)\n"
		"on stdout for a valid one, and\n"
		"  FILE: JSON-POINTER: MESSAGE\n"
		"on stderr for an invalid one, the pointer locating the fault "
		"in FILE.\n"
		"\n"
		"Options:\n"
		"  -q, --quiet  print nothing for valid files\n"
		"\n"
		"Exit status: 0 all valid, 1 some invalid or unreadable, 2 "
		"usage error.\n",
	.run = schema_check,
};

static const struct cli_cmd *const schema_cmds[] = {
	&schema_check_cmd,
	NULL,
};

const struct cli_cmd cli_schema_cmd = {
	.name = "schema",
	.path = "schema",
	.synopsis = "COMMAND [ARGS...]",
	.summary = "Work with MeshSchema files.",
	.subcmds = schema_cmds,
};
