// SPDX-License-Identifier: MIT
/*
 * cmd-edit.c - the document commands of meshctl that write: patch (an
 * RFC 6902 JSON Patch, jsonpatch.c) and edit ($EDITOR on the JSON).  Both
 * do what a write through meshfs does (DESIGN.md decision 3): the new
 * JSON is merged into a live replica by libmesh's 3-way merge, with base
 * = the JSON that was shown (or patched), so only what changed becomes
 * CRDT edits and whatever others changed meanwhile survives; then the
 * edits are flushed (acknowledged by the server once durable).
 */
#define _GNU_SOURCE /* asprintf, mkstemps */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "mesh.h"

#include "cli.h"
#include "jsonpatch.h"

enum {
	OPT_PATCH = 0x100,
	OPT_DRY_RUN,
	OPT_IDS,
};

/* Prints "meshctl: <cmd>: <path>: <pointer>: <msg>" per error. */
static void print_diag(const struct cli_cmd *cmd, const char *path,
		       const struct mesh_diag *d)
{
	const struct mesh_error *e;
	size_t i;

	for (i = 0; i < d->n; i++) {
		e = &d->errors[i];
		if (e->path[0])
			cli_cmd_err(cmd, path, "%s: %s", e->path, e->msg);
		else
			cli_cmd_err(cmd, path, "%s", e->msg);
	}
	if (d->total > d->n)
		cli_cmd_err(cmd, path, "... and %zu more errors",
			    d->total - d->n);
}

/* Opens path live; errors printed. */
static int open_doc(struct room_doc **out, struct room_client *c,
		    const struct cli_cmd *cmd, const char *path)
{
	struct util_error err;
	int rc;

	util_error_clear(&err);
	rc = room_doc_open(out, c, path, false, &err);
	if (rc) {
		if (rc == -ENOENT && !err.msg[0])
			util_error_set(&err, -1, "no such document");
		cli_room_err(cmd, path, rc, &err);
	}
	return rc;
}

/* Waits for the server to take the edits; errors printed. */
static int flush_doc(struct room_doc *d, const struct cli_cmd *cmd,
		     const char *path)
{
	struct util_error err;
	int rc;

	util_error_clear(&err);
	rc = room_doc_flush(d, &err);
	if (rc == -EINVAL)
		cli_cmd_err(cmd, path, "the room refused the change: %s",
			    err.msg[0] ? err.msg : strerror(EINVAL));
	else if (rc)
		cli_room_err(cmd, path, rc, &err);
	return rc;
}

/* ---- patch ---------------------------------------------------------- */

static int patch_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "patch", required_argument, NULL, OPT_PATCH },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 },
	};
	char msg[CLI_JSONPATCH_MSG_MAX], *ptext = NULL, *base_text = NULL;
	char *out = NULL;
	const char *patch_file = NULL, *path;
	struct room_client *c = NULL;
	struct room_doc *d = NULL;
	struct cli_room_opts ro = { 0 };
	struct mesh_error jerr;
	struct mesh_diag diag;
	cJSON *patch = NULL, *base = NULL, *newj = NULL;
	size_t plen = 0, base_len = 0;
	bool dry_run = false;
	int ch, r, rc = -EINVAL;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":p:", longopts, NULL)) != -1) {
		r = cli_room_option(&ro, cmd, ch, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (ch == OPT_PATCH || ch == 'p')
			patch_file = optarg;
		else if (ch == OPT_DRY_RUN)
			dry_run = true;
		else
			return cli_bad_option(cmd, ch, argv);
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd, "wants one PATH");
	if (!patch_file)
		return cli_usage_error(cmd, "--patch FILE is required");
	path = argv[optind];
	mesh_diag_init(&diag);

	/* the patch is checked before anything is sent */
	if (cli_load(&ptext, &plen, patch_file))
		goto out;
	mesh_error_clear(&jerr);
	if (mesh_json_parse(&patch, ptext, plen, &jerr)) {
		cli_cmd_err(cmd, cli_file_name(patch_file), "%s", jerr.msg);
		goto out;
	}
	if (!cJSON_IsArray(patch)) {
		cli_cmd_err(cmd, cli_file_name(patch_file),
			    "a JSON Patch must be an array of operations");
		goto out;
	}

	rc = cli_room_connect(&c, cmd, &ro);
	if (rc)
		goto out;
	rc = open_doc(&d, c, cmd, path);
	if (rc)
		goto out;
	rc = mesh_doc_render(&base_text, &base_len, room_doc_lock(d),
			     room_doc_schema(d), MESH_DOC_IDS);
	room_doc_unlock(d);
	if (rc) {
		cli_cmd_err(cmd, path, "cannot render the document: %s",
			    strerror(-rc));
		goto out;
	}
	rc = mesh_json_parse(&base, base_text, base_len, NULL);
	if (!rc) {
		newj = cJSON_Duplicate(base, true);
		if (!newj)
			rc = -ENOMEM;
	}
	if (rc) {
		cli_cmd_err(cmd, path, "%s", strerror(-rc));
		goto out;
	}
	msg[0] = '\0';
	rc = cli_jsonpatch_apply(&newj, patch, msg, sizeof(msg));
	if (rc) {
		cli_cmd_err(cmd, path, "%s", msg[0] ? msg : strerror(-rc));
		goto out;
	}
	if (dry_run) {
		/* show the result, checked as the merge would */
		rc = mesh_validate_json(&diag, room_doc_schema(d), newj,
					MESH_DOC_IDS);
		if (rc) {
			print_diag(cmd, path, &diag);
			goto out;
		}
		rc = mesh_json_print(&out, newj);
		if (!rc)
			rc = cli_write_text(out, strlen(out));
		goto out;
	}
	rc = mesh_doc_merge(NULL, room_doc_lock(d), room_doc_schema(d), base,
			    newj, &diag);
	room_doc_unlock(d);
	if (rc == -EINVAL) {
		print_diag(cmd, path, &diag);
		if (!diag.total)
			cli_cmd_err(cmd, path, "the patched JSON is invalid");
		goto out;
	}
	if (rc) {
		cli_cmd_err(cmd, path, "%s", strerror(-rc));
		goto out;
	}
	rc = flush_doc(d, cmd, path);
out:
	room_doc_close(d);
	room_client_close(c);
	mesh_diag_free(&diag);
	cJSON_Delete(patch);
	cJSON_Delete(base);
	cJSON_Delete(newj);
	free(ptext);
	free(base_text);
	free(out);
	return cli_exit(rc);
}

/* ---- edit ----------------------------------------------------------- */

/*
 * Runs editor on file.  The variable is shell code, as git and most tools
 * take it ("code --wait", "emacs -nw"): sh -c '<editor> "$@"' <editor>
 * <file>.  0, or -1 with a message printed.
 */
static int run_editor(const struct cli_cmd *cmd, const char *editor,
		      const char *file)
{
	struct sigaction ign, old_int, old_quit;
	char *script;
	int status;
	pid_t pid;

	if (asprintf(&script, "%s \"$@\"", editor) < 0) {
		cli_cmd_err(cmd, NULL, "%s", strerror(ENOMEM));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	/* as system(3): ^C belongs to the editor while it runs */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execl("/bin/sh", "sh", "-c", script, editor, file,
		      (char *)NULL);
		_exit(127);
	}
	free(script);
	status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (pid < 0) {
		cli_cmd_err(cmd, NULL, "cannot start the editor: %s",
			    strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		cli_cmd_err(cmd, NULL, "the editor '%s' exited with status %d",
			    editor, WEXITSTATUS(status));
	else
		cli_cmd_err(cmd, NULL,
			    "the editor '%s' was killed by signal "
			    "%d",
			    editor, WTERMSIG(status));
	return -1;
}

/* Asks on the terminal whether to edit again (default yes). */
static bool ask_again(void)
{
	char line[32];
	FILE *tty;
	bool yes = false;

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return false;
	tty = fopen("/dev/tty", "r");
	if (!tty)
		return false;
	fputs("Edit again? [Y/n] ", stderr);
	fflush(stderr);
	if (fgets(line, sizeof(line), tty))
		yes = line[0] == '\n' || line[0] == 'y' || line[0] == 'Y';
	fclose(tty);
	return yes;
}

static int edit_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "ids", no_argument, NULL, OPT_IDS },
		{ NULL, 0, NULL, 0 },
	};
	struct mesh_render_index *index = NULL;
	struct room_client *c = NULL;
	struct room_doc *d = NULL;
	struct cli_room_opts ro = { 0 };
	struct mesh_merge_stats stats;
	struct mesh_diag diag;
	const char *path, *tmpdir, *editor;
	char *base = NULL, *text = NULL, *file = NULL;
	size_t base_len = 0, len = 0;
	bool ids = false, keep = false;
	int ch, r, rc = -EINVAL, fd;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		r = cli_room_option(&ro, cmd, ch, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (ch == OPT_IDS)
			ids = true;
		else
			return cli_bad_option(cmd, ch, argv);
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd, "wants one PATH");
	path = argv[optind];
	mesh_diag_init(&diag);

	editor = getenv("VISUAL");
	if (!editor || !editor[0])
		editor = getenv("EDITOR");
	if (!editor || !editor[0])
		editor = "vi";

	rc = cli_room_connect(&c, cmd, &ro);
	if (rc)
		goto out;
	rc = open_doc(&d, c, cmd, path);
	if (rc)
		goto out;
	/* the index lets the merge handle a small edit without re-parsing
	 * the whole document (meshfs keeps the same per open file) */
	rc = mesh_doc_render_indexed(&base, &base_len, &index, room_doc_lock(d),
				     room_doc_schema(d),
				     ids ? MESH_DOC_IDS : 0);
	room_doc_unlock(d);
	if (rc) {
		cli_cmd_err(cmd, path, "cannot render the document: %s",
			    strerror(-rc));
		goto out;
	}

	tmpdir = getenv("TMPDIR");
	if (!tmpdir || !tmpdir[0])
		tmpdir = "/tmp";
	if (asprintf(&file, "%s/meshctl-edit-XXXXXX.json", tmpdir) < 0) {
		file = NULL;
		rc = -ENOMEM;
		goto out;
	}
	fd = mkstemps(file, 5);
	if (fd < 0) {
		rc = -errno;
		cli_cmd_err(cmd, file, "%s", strerror(errno));
		free(file);
		file = NULL;
		goto out;
	}
	rc = cli_write_all(fd, base, base_len);
	if (close(fd) && !rc)
		rc = -errno;
	if (rc) {
		cli_cmd_err(cmd, file, "%s", strerror(-rc));
		goto out;
	}

	for (;;) {
		if (run_editor(cmd, editor, file)) {
			rc = -ECANCELED;
			keep = true;
			goto out;
		}
		free(text);
		rc = cli_read_file(&text, &len, file, CLI_INPUT_MAX);
		if (rc) {
			cli_cmd_err(cmd, file, "%s", strerror(-rc));
			keep = true;
			goto out;
		}
		if (len == base_len && !memcmp(text, base, len)) {
			fprintf(stderr, CLI_PROG ": %s: %s: no changes\n",
				cmd->path, path);
			rc = 0;
			goto out;
		}
		mesh_diag_free(&diag);
		rc = mesh_doc_merge_indexed(&stats, room_doc_lock(d),
					    room_doc_schema(d), base, base_len,
					    index, text, len, 0, &diag);
		room_doc_unlock(d);
		if (rc != -EINVAL)
			break;
		print_diag(cmd, path, &diag);
		if (!diag.total)
			cli_cmd_err(cmd, path, "the edited JSON is invalid");
		if (!ask_again()) {
			keep = true;
			goto out;
		}
	}
	if (rc) {
		cli_cmd_err(cmd, path, "%s", strerror(-rc));
		keep = true;
		goto out;
	}
	rc = flush_doc(d, cmd, path);
	if (rc)
		keep = true;
out:
	if (file) {
		if (keep)
			fprintf(stderr,
				CLI_PROG ": %s: %s: your edit is kept in %s\n",
				cmd->path, path, file);
		else
			unlink(file);
	}
	room_doc_close(d);
	room_client_close(c);
	mesh_render_index_free(index);
	mesh_diag_free(&diag);
	free(base);
	free(text);
	free(file);
	return cli_exit(rc);
}

const struct cli_cmd cli_patch_cmd = {
	.name = "patch",
	.path = "patch",
	.synopsis = "--patch FILE [--dry-run] [ROOM OPTIONS] PATH",
	.summary = "Apply a JSON Patch (RFC 6902) to a document.",
	.help = "Applies the operations in FILE ('-' = stdin: add, remove, "
		"replace, move,\n"
		"copy, test; JSON pointers into the document JSON as 'get "
		"--ids' prints it)\n"
		"and commits the result as CRDT edits through the merge, "
		"which keeps what\n"
		"others changed meanwhile.  All or nothing: a failing 'test' "
		"or a pointer\n"
		"that does not resolve changes nothing.\n"
		"\n"
		"  -p, --patch FILE  the patch, a JSON array of operations\n"
		"  --dry-run         print the patched JSON instead of "
		"committing it\n"
		"\n" CLI_ROOM_HELP,
	.run = patch_run,
};

const struct cli_cmd cli_edit_cmd = {
	.name = "edit",
	.path = "edit",
	.synopsis = "[--ids] [ROOM OPTIONS] PATH",
	.summary = "Edit a document's JSON in $EDITOR.",
	.help = "Opens $VISUAL, else $EDITOR, else vi on the document JSON in "
		"a temporary\n"
		"file; when the editor exits, commits the changes through the "
		"merge, which\n"
		"keeps what others changed meanwhile.  Invalid JSON or a "
		"schema error is\n"
		"reported with its JSON pointer; on a terminal you may edit "
		"again,\n"
		"otherwise meshctl exits with status 1 and keeps the file.\n"
		"\n"
		"  --ids  show each element's \"$id\" (moves keep their "
		"identity)\n"
		"\n" CLI_ROOM_HELP,
	.run = edit_run,
};
