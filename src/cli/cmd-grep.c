// SPDX-License-Identifier: MIT
/*
 * cmd-grep.c - `meshctl grep`: searches the room's documents as the JSON
 * a reader sees (sync.describe, pretty-printed as a document file reads,
 * so one attribute or text run per line), and plain files as their text.
 * Folders are walked recursively (entries starting with "." only when
 * named), so `meshctl grep WORD` searches the whole room.  A path that
 * describes as a document is one; anything else is downloaded (binary
 * files, with a NUL byte, are skipped).
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "mesh.h"

#include "cli.h"

/* Files larger than this are not searched. */
#define GREP_FILE_MAX (64u << 20)

struct grep {
	const struct cli_cmd *cmd;
	struct room_client *c;
	regex_t re;
	bool fixed, icase, list, number, quiet_missing;
	const char *pattern;
	size_t pattern_len;
	long long matches; /* files with a match */
	int rc; /* first error */
};

static bool line_matches(struct grep *g, const char *line, size_t len)
{
	char *tmp;
	bool hit;
	size_t i;

	if (g->fixed) {
		if (g->pattern_len > len)
			return false;
		for (i = 0; i + g->pattern_len <= len; i++) {
			if (g->icase ? !strncasecmp(line + i, g->pattern,
						    g->pattern_len) :
				       !memcmp(line + i, g->pattern,
					       g->pattern_len))
				return true;
		}
		return false;
	}
	tmp = strndup(line, len);
	if (!tmp)
		return false;
	hit = !regexec(&g->re, tmp, 0, NULL, 0);
	free(tmp);
	return hit;
}

/* Prints the matching lines of text (or just path with -l). */
static void grep_text(struct grep *g, const char *path, const char *text,
		      size_t len)
{
	const char *p = text, *end = text + len, *nl;
	bool any = false;
	size_t lineno = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		lineno++;
		if (line_matches(g, p, (size_t)(nl - p))) {
			any = true;
			if (g->list)
				break;
			if (g->number)
				printf("%s:%zu:%.*s\n", path, lineno,
				       (int)(nl - p), p);
			else
				printf("%s:%.*s\n", path, (int)(nl - p), p);
		}
		p = nl + 1;
	}
	if (any) {
		g->matches++;
		if (g->list)
			printf("%s\n", path);
	}
}

static void grep_error(struct grep *g, const char *path, int rc,
		       const struct util_error *err)
{
	cli_room_err(g->cmd, path, rc, err);
	if (!g->rc)
		g->rc = rc;
}

static void grep_file(struct grep *g, const char *path, uint64_t size,
		      bool has_size)
{
	struct util_error err;
	char *text = NULL;
	void *data = NULL;
	cJSON *v = NULL;
	size_t len = 0;
	int rc;

	/* a document: its JSON; the describe is refused for other files */
	util_error_clear(&err);
	rc = room_sync_describe(&text, &len, g->c, path, &err);
	if (!rc) {
		/* pretty-printed: one value per line, as in a mounted file */
		rc = mesh_json_parse(&v, text, len, NULL);
		free(text);
		text = NULL;
		if (!rc)
			rc = mesh_json_print(&text, v);
		cJSON_Delete(v);
		if (rc) {
			cli_cmd_err(g->cmd, path,
				    "cannot print the document: "
				    "%s",
				    strerror(-rc));
			if (!g->rc)
				g->rc = rc;
			return;
		}
		grep_text(g, path, text, strlen(text));
		free(text);
		return;
	}
	if (rc == -ETIMEDOUT || rc == -ENOTCONN) {
		grep_error(g, path, rc, &err);
		return;
	}
	if (has_size && size > GREP_FILE_MAX)
		return;
	util_error_clear(&err);
	rc = room_storage_download_buf(&data, &len, g->c, path, &err);
	if (rc) {
		grep_error(g, path, rc, &err);
		return;
	}
	if (!memchr(data, '\0', len))
		grep_text(g, path, data, len);
	free(data);
}

static void grep_folder(struct grep *g, const char *path)
{
	struct room_entry *v = NULL;
	struct util_error err;
	size_t n = 0, i;
	char *child;
	int rc;

	util_error_clear(&err);
	rc = room_storage_list(&v, &n, g->c, path, &err);
	if (rc) {
		grep_error(g, path[0] ? path : "/", rc, &err);
		return;
	}
	for (i = 0; i < n; i++) {
		if (v[i].name[0] == '.')
			continue;
		if (asprintf(&child, "%s%s%s", path,
			     path[0] && path[strlen(path) - 1] != '/' ? "/" :
									"",
			     v[i].name) < 0) {
			g->rc = -ENOMEM;
			break;
		}
		if (v[i].is_folder)
			grep_folder(g, child);
		else
			grep_file(g, child, v[i].size, v[i].has_size);
		free(child);
	}
	room_entries_free(v, n);
}

static bool is_root(const char *path)
{
	return !path[0] || !strcmp(path, "/") || !strcmp(path, ".") ||
	       !strcmp(path, "./");
}

static void grep_path(struct grep *g, const char *path)
{
	struct room_entry e = { 0 };
	struct util_error err;
	int rc;

	if (is_root(path)) {
		grep_folder(g, "");
		return;
	}
	util_error_clear(&err);
	rc = room_storage_stat(&e, g->c, path, &err);
	if (rc) {
		grep_error(g, path, rc, &err);
		return;
	}
	if (e.is_folder)
		grep_folder(g, path);
	else
		grep_file(g, path, e.size, e.has_size);
	room_entry_clear(&e);
}

static int grep_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "files-with-matches", no_argument, NULL, 'l' },
		{ "line-number", no_argument, NULL, 'n' },
		{ "fixed-strings", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_room_opts ro = { 0 };
	struct grep g = { .cmd = cmd };
	char msg[256];
	int ch, r, i, flags;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":ilnF", longopts, NULL)) != -1) {
		r = cli_room_option(&ro, cmd, ch, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		switch (ch) {
		case 'i':
			g.icase = true;
			break;
		case 'l':
			g.list = true;
			break;
		case 'n':
			g.number = true;
			break;
		case 'F':
			g.fixed = true;
			break;
		default:
			return cli_bad_option(cmd, ch, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "PATTERN is missing");
	g.pattern = argv[optind++];
	g.pattern_len = strlen(g.pattern);
	if (!g.fixed) {
		flags = REG_EXTENDED | REG_NOSUB | (g.icase ? REG_ICASE : 0);
		r = regcomp(&g.re, g.pattern, flags);
		if (r) {
			regerror(r, &g.re, msg, sizeof(msg));
			regfree(&g.re);
			return cli_usage_error(cmd, "invalid pattern '%s': %s",
					       g.pattern, msg);
		}
	}
	if (cli_room_connect(&g.c, cmd, &ro)) {
		if (!g.fixed)
			regfree(&g.re);
		return CLI_EXIT_DATA;
	}
	if (optind >= argc)
		grep_path(&g, "");
	for (i = optind; i < argc; i++)
		grep_path(&g, argv[i]);
	room_client_close(g.c);
	if (!g.fixed)
		regfree(&g.re);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("stdout: %s", strerror(errno));
		return CLI_EXIT_DATA;
	}
	return g.matches && !g.rc ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

const struct cli_cmd cli_grep_cmd = {
	.name = "grep",
	.path = "grep",
	.synopsis = "[-i] [-l] [-n] [-F] [ROOM OPTIONS] PATTERN [PATH...]",
	.summary = "Search the room's documents (as JSON) and files.",
	.help = "Prints PATH:LINE for every line that matches PATTERN (an "
		"extended regular\n"
		"expression, as grep -E) in the JSON of each document (as "
		"'get' prints it)\n"
		"and in the text of each plain file.  Folders are searched "
		"recursively,\n"
		"without their entries starting with '.'; the default PATH is "
		"the whole room.\n"
		"\n"
		"  -i, --ignore-case         case-insensitive\n"
		"  -l, --files-with-matches  print only the paths that match\n"
		"  -n, --line-number         PATH:N:LINE\n"
		"  -F, --fixed-strings       PATTERN is a plain string\n"
		"\n"
		"Exit status: 0 when something matched (and nothing failed), "
		"1 otherwise.\n"
		"\n" CLI_ROOM_HELP,
	.run = grep_run,
};
