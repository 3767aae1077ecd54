// SPDX-License-Identifier: MIT
/*
 * cmd-storage.c - the room storage commands of meshctl: ls, stat, cat,
 * put, rm, mv and url, each one call of libclient's storage toolkit
 * (spec/protocol.md §11) in a short session (cmd-room.c).  Transfers are
 * streamed (room_storage_download_fd / upload_fd), so a large file is never
 * whole in memory; on a terminal, large ones show their progress on
 * stderr.  Documents are files in room storage too (spec §9.9): ls, rm and
 * mv work on them as on any file.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#include "cli.h"

/* Transfers at least this large show progress on a terminal. */
#define PROGRESS_MIN (4u << 20)

/*
 * Parses the room options and the command's flags (shortopts letters map
 * to bools in flags[], in the same order).  *first = first operand.
 * Returns -1 to go on, or an exit code.
 */
static int storage_getopt(struct cli_room_opts *ro, bool *flags, int *first,
			  const struct cli_cmd *cmd, int argc, char **argv,
			  const char *letters)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "long", no_argument, NULL, 'l' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-clobber", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	char shortopts[16];
	const char *p;
	int c, r;

	memset(ro, 0, sizeof(*ro));
	snprintf(shortopts, sizeof(shortopts), ":%s", letters);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		r = cli_room_option(ro, cmd, c, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		p = c > 0 && c < 0x100 ? strchr(letters, c) : NULL;
		if (!p)
			return cli_bad_option(cmd, c, argv);
		flags[p - letters] = true;
	}
	*first = optind;
	return -1;
}

/* ---- progress ------------------------------------------------------- */

struct progress {
	const struct cli_cmd *cmd;
	const char *path;
	bool shown;
	time_t last;
};

static void progress_init(struct progress *p, const struct cli_cmd *cmd,
			  const char *path)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->path = path;
}

static void progress_fn(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	time_t now;

	if (total < PROGRESS_MIN || !isatty(STDERR_FILENO))
		return;
	now = time(NULL);
	if (p->shown && now == p->last && done < total)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "\r" CLI_PROG ": %s: %s: %.1f of %.1f MiB (%d%%)",
		p->cmd->path, p->path, (double)done / 1048576.0,
		(double)total / 1048576.0, (int)(done * 100 / total));
	if (done >= total)
		fputc('\n', stderr);
}

/* Ends an unfinished progress line so that an error starts on its own. */
static void progress_end(struct progress *p)
{
	if (p->shown)
		fputc('\n', stderr);
	p->shown = false;
}

/* ---- ls / stat ------------------------------------------------------ */

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct room_entry *)a)->name,
		      ((const struct room_entry *)b)->name);
}

/* "2026-11-26 08:45:43" (UTC), or "-" when unknown. */
static void format_time(char *buf, size_t len, int64_t ms)
{
	time_t t;
	struct tm tm;

	if (ms < 0) {
		snprintf(buf, len, "-");
		return;
	}
	t = (time_t)(ms / 1000);
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

static void print_entry(const struct room_entry *e, const char *name, bool lng)
{
	char when[32], size[24];

	if (!lng) {
		printf("%s%s\n", name, e->is_folder ? "/" : "");
		return;
	}
	format_time(when, sizeof(when), e->updated_ms);
	if (e->has_size)
		snprintf(size, sizeof(size), "%llu",
			 (unsigned long long)e->size);
	else
		snprintf(size, sizeof(size), "-");
	printf("%c %12s  %s  %s%s\n", e->is_folder ? 'd' : '-', size, when,
	       name, e->is_folder ? "/" : "");
}

static int ls_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_entry *v = NULL, st = { 0 };
	struct room_client *c = NULL;
	struct cli_room_opts ro;
	struct util_error err;
	bool flags[1] = { false };
	const char *path;
	size_t n = 0, i;
	int first, rc, status;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "l");
	if (status >= 0)
		return status;
	if (argc - first > 1)
		return cli_usage_error(cmd, "one PATH at most");
	path = first < argc ? argv[first] : "";
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	util_error_clear(&err);
	rc = room_storage_list(&v, &n, c, path, &err);
	if (rc && path[0]) {
		/* ls FILE lists the file itself, as ls(1) does */
		struct util_error err2;

		util_error_clear(&err2);
		if (!room_storage_stat(&st, c, path, &err2) && !st.is_folder) {
			print_entry(&st, path, flags[0]);
			rc = 0;
		}
		room_entry_clear(&st);
	} else if (!rc) {
		qsort(v, n, sizeof(*v), cmp_entry);
		for (i = 0; i < n; i++)
			print_entry(&v[i], v[i].name, flags[0]);
	}
	if (rc)
		cli_room_err(cmd, path[0] ? path : "/", rc, &err);
	room_entries_free(v, n);
	room_client_close(c);
	if (!rc && (fflush(stdout) || ferror(stdout))) {
		cli_err("stdout: %s", strerror(errno));
		rc = -EIO;
	}
	return cli_exit(rc);
}

static int stat_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_client *c = NULL;
	struct room_entry e = { 0 };
	struct cli_room_opts ro;
	struct util_error err;
	char created[32], updated[32];
	bool flags[1];
	int first, rc = 0, status, i;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "");
	if (status >= 0)
		return status;
	if (first >= argc)
		return cli_usage_error(cmd, "PATH is missing");
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	for (i = first; i < argc; i++) {
		util_error_clear(&err);
		status = room_storage_stat(&e, c, argv[i], &err);
		if (status) {
			cli_room_err(cmd, argv[i], status, &err);
			rc = status;
			continue;
		}
		format_time(created, sizeof(created), e.created_ms);
		format_time(updated, sizeof(updated), e.updated_ms);
		printf("path: %s\ntype: %s\n", argv[i],
		       e.is_folder ? "folder" : "file");
		if (e.has_size)
			printf("size: %llu\n", (unsigned long long)e.size);
		printf("created: %s\nupdated: %s\n", created, updated);
		if (i + 1 < argc)
			putchar('\n');
		room_entry_clear(&e);
	}
	room_client_close(c);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("stdout: %s", strerror(errno));
		rc = -EIO;
	}
	return cli_exit(rc);
}

/* ---- cat / put ------------------------------------------------------ */

static int cat_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_client *c = NULL;
	struct cli_room_opts ro;
	struct util_error err;
	struct progress p;
	bool flags[1];
	int first, rc = 0, r, status, i;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "");
	if (status >= 0)
		return status;
	if (first >= argc)
		return cli_usage_error(cmd, "PATH is missing");
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	fflush(stdout);
	for (i = first; i < argc; i++) {
		util_error_clear(&err);
		progress_init(&p, cmd, argv[i]);
		r = room_storage_download_fd(NULL, c, argv[i], STDOUT_FILENO,
					     progress_fn, &p, &err);
		progress_end(&p);
		if (r) {
			cli_room_err(cmd, argv[i], r, &err);
			rc = r;
		}
	}
	room_client_close(c);
	return cli_exit(rc);
}

static int put_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_client *c = NULL;
	struct cli_room_opts ro;
	struct util_error err;
	struct progress p;
	const char *path, *file, *slash;
	char *joined = NULL;
	bool flags[1] = { false };
	int first, rc, status, fd = STDIN_FILENO;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "n");
	if (status >= 0)
		return status;
	if (first >= argc)
		return cli_usage_error(cmd, "PATH is missing");
	if (argc - first > 2)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[first + 2]);
	path = argv[first];
	file = first + 1 < argc ? argv[first + 1] : "-";
	/* put DIR/ FILE puts DIR/<name of FILE>, as cp does */
	if (strcmp(file, "-") && path[0] && path[strlen(path) - 1] == '/') {
		slash = strrchr(file, '/');
		if (asprintf(&joined, "%s%s", path, slash ? slash + 1 : file) <
		    0) {
			cli_err("%s", strerror(ENOMEM));
			return CLI_EXIT_DATA;
		}
		path = joined;
	}
	if (strcmp(file, "-")) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			cli_cmd_err(cmd, file, "%s", strerror(errno));
			free(joined);
			return CLI_EXIT_DATA;
		}
	}
	if (cli_room_connect(&c, cmd, &ro)) {
		if (fd != STDIN_FILENO)
			close(fd);
		free(joined);
		return CLI_EXIT_DATA;
	}
	util_error_clear(&err);
	progress_init(&p, cmd, path);
	rc = room_storage_upload_fd(c, path, !flags[0], fd, progress_fn, &p,
				    &err);
	progress_end(&p);
	if (rc)
		cli_room_err(cmd, path, rc, &err);
	room_client_close(c);
	if (fd != STDIN_FILENO)
		close(fd);
	free(joined);
	return cli_exit(rc);
}

/* ---- rm / mv / url -------------------------------------------------- */

static int rm_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_client *c = NULL;
	struct cli_room_opts ro;
	struct util_error err;
	bool flags[2] = { false, false }; /* -r, -f */
	int first, rc = 0, r, status, i;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "rf");
	if (status >= 0)
		return status;
	if (first >= argc)
		return cli_usage_error(cmd, "PATH is missing");
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	for (i = first; i < argc; i++) {
		util_error_clear(&err);
		r = room_storage_delete(c, argv[i], flags[0], &err);
		if (r == -ENOENT && flags[1])
			r = 0;
		if (r == -ENOTEMPTY && !err.msg[0])
			util_error_set(&err, -1,
				       "folder not empty (use -r to remove it "
				       "with its contents)");
		if (r) {
			cli_room_err(cmd, argv[i], r, &err);
			rc = r;
		}
	}
	room_client_close(c);
	return cli_exit(rc);
}

static int mv_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_client *c = NULL;
	struct cli_room_opts ro;
	struct util_error err;
	bool flags[1] = { false };
	int first, rc, status;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "f");
	if (status >= 0)
		return status;
	if (argc - first != 2)
		return cli_usage_error(cmd, "wants SRC and DST");
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	util_error_clear(&err);
	rc = room_storage_move(c, argv[first], argv[first + 1], flags[0], &err);
	if (rc == -EEXIST && !err.msg[0])
		util_error_set(&err, -1, "%s exists (use -f to overwrite it)",
			       argv[first + 1]);
	if (rc)
		cli_room_err(cmd, argv[first], rc, &err);
	room_client_close(c);
	return cli_exit(rc);
}

static int url_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct room_client *c = NULL;
	struct cli_room_opts ro;
	struct util_error err;
	bool flags[1];
	char *url = NULL;
	int first, rc, status;

	status = storage_getopt(&ro, flags, &first, cmd, argc, argv, "");
	if (status >= 0)
		return status;
	if (argc - first != 1)
		return cli_usage_error(cmd, "wants one PATH");
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	util_error_clear(&err);
	rc = room_storage_download_url(&url, c, argv[first], &err);
	if (rc)
		cli_room_err(cmd, argv[first], rc, &err);
	else
		printf("%s\n", url);
	free(url);
	room_client_close(c);
	if (!rc && (fflush(stdout) || ferror(stdout))) {
		cli_err("stdout: %s", strerror(errno));
		rc = -EIO;
	}
	return cli_exit(rc);
}

const struct cli_cmd cli_ls_cmd = {
	.name = "ls",
	.path = "ls",
	.synopsis = "[-l] [ROOM OPTIONS] [PATH]",
	.summary = "List a folder of the room's storage.",
	.help = "Lists PATH (default: the storage root), sorted by name; "
		"folders end in '/'.\n"
		"A file PATH lists that file.\n"
		"\n"
		"  -l, --long  type (d or -), size, last change (UTC) and name\n"
		"\n" CLI_ROOM_HELP,
	.run = ls_run,
};

const struct cli_cmd cli_stat_cmd = {
	.name = "stat",
	.path = "stat",
	.synopsis = "[ROOM OPTIONS] PATH...",
	.summary = "Show a file's or folder's type, size and times.",
	.help = "Prints path, type (file or folder), size, created and "
		"updated (UTC)\n"
		"for each PATH, separated by empty lines.\n"
		"\n" CLI_ROOM_HELP,
	.run = stat_run,
};

const struct cli_cmd cli_cat_cmd = {
	.name = "cat",
	.path = "cat",
	.synopsis = "[ROOM OPTIONS] PATH...",
	.summary = "Write files of the room's storage to stdout.",
	.help = "Streams each PATH to stdout (documents give their Yjs "
		"state; see 'get').\n"
		"Large files show their progress on stderr when it is a "
		"terminal.\n"
		"\n" CLI_ROOM_HELP,
	.run = cat_run,
};

const struct cli_cmd cli_put_cmd = {
	.name = "put",
	.path = "put",
	.synopsis = "[-n] [ROOM OPTIONS] PATH [FILE|-]",
	.summary = "Upload a file (or stdin) to the room's storage.",
	.help = "Streams FILE (default: stdin) to PATH, replacing what is "
		"there; folders\n"
		"are implicit; a PATH ending in '/' gets FILE's name.  Large "
		"files show\n"
		"their progress on stderr when it is a terminal.\n"
		"\n"
		"  -n, --no-clobber  fail if PATH exists\n"
		"\n" CLI_ROOM_HELP,
	.run = put_run,
};

const struct cli_cmd cli_rm_cmd = {
	.name = "rm",
	.path = "rm",
	.synopsis = "[-r] [-f] [ROOM OPTIONS] PATH...",
	.summary = "Delete files or folders of the room's storage.",
	.help = "  -r, --recursive  delete folders with their contents\n"
		"  -f, --force      a missing PATH is not an error\n"
		"\n" CLI_ROOM_HELP,
	.run = rm_run,
};

const struct cli_cmd cli_mv_cmd = {
	.name = "mv",
	.path = "mv",
	.synopsis = "[-f] [ROOM OPTIONS] SRC DST",
	.summary = "Move or rename a file or folder of the room's storage.",
	.help = "  -f, --force  replace an existing DST\n"
		"\n" CLI_ROOM_HELP,
	.run = mv_run,
};

const struct cli_cmd cli_url_cmd = {
	.name = "url",
	.path = "url",
	.synopsis = "[ROOM OPTIONS] PATH",
	.summary = "Print a download URL for a file of the room's storage.",
	.help = CLI_ROOM_HELP,
	.run = url_run,
};
