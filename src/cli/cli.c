// SPDX-License-Identifier: MIT
/*
 * cli.c - the helpers every meshctl command uses (see cli.h): reading
 * whole files or stdin with a size limit, finding and parsing --schema,
 * writing text and binary output, and printing errors and help in one
 * format, so that all commands look alike to users and scripts.
 */
#define _GNU_SOURCE /* asprintf */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mesh.h"

#include "cli.h"

#ifndef MESHCTL_SCHEMADIR
#define MESHCTL_SCHEMADIR "/usr/local/share/meshfs/schemas"
#endif

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs(CLI_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	const char *path = cmd && cmd->path ? cmd->path : NULL;
	va_list ap;

	if (path)
		fprintf(stderr, CLI_PROG " %s: ", path);
	else
		fputs(CLI_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (path)
		fprintf(stderr, "\nTry '" CLI_PROG " %s --help'.\n", path);
	else
		fputs("\nTry '" CLI_PROG " --help'.\n", stderr);
	return CLI_EXIT_USAGE;
}

int cli_print_help(const struct cli_cmd *cmd)
{
	const struct cli_cmd *const *c;
	size_t w = 0, len;

	if (cmd->path && cmd->path[0])
		printf("usage: " CLI_PROG " %s %s\n", cmd->path, cmd->synopsis);
	else
		printf("usage: " CLI_PROG " %s\n", cmd->synopsis);
	if (cmd->summary)
		printf("\n%s\n", cmd->summary);
	if (cmd->subcmds) {
		for (c = cmd->subcmds; *c; c++) {
			len = strlen((*c)->name);
			if (len > w)
				w = len;
		}
		fputs("\nCommands:\n", stdout);
		for (c = cmd->subcmds; *c; c++)
			printf("  %-*s  %s\n", (int)w, (*c)->name,
			       (*c)->summary);
	}
	if (cmd->help)
		printf("\n%s", cmd->help);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("stdout: %s", strerror(errno));
		return CLI_EXIT_DATA;
	}
	return CLI_EXIT_OK;
}

int cli_bad_option(const struct cli_cmd *cmd, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return cli_usage_error(cmd, "option '%s' needs an argument",
				       opt);
	return cli_usage_error(cmd, "unknown option '%s'", opt);
}

const char *cli_file_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

void cli_print_diag(const char *file, const struct mesh_diag *d)
{
	const struct mesh_error *e;
	size_t i;

	for (i = 0; i < d->n; i++) {
		e = &d->errors[i];
		if (e->path[0])
			fprintf(stderr, "%s: %s: %s\n", file, e->path, e->msg);
		else
			fprintf(stderr, "%s: %s\n", file, e->msg);
	}
	if (d->total > d->n)
		fprintf(stderr, "%s: ... and %zu more errors\n", file,
			d->total - d->n);
}

int cli_read_file(char **out, size_t *out_len, const char *path, size_t max)
{
	size_t len = 0, cap = 0, ncap;
	char *buf = NULL, *p;
	ssize_t n;
	int fd, rc = 0;

	*out = NULL;
	*out_len = 0;
	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	for (;;) {
		/* max + 1 bytes of room tell "exactly max" from "more" */
		if (len + 1 >= cap) {
			ncap = cap ? cap * 2 : 65536;
			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= cap) {
				rc = -EFBIG;
				goto out;
			}
			p = realloc(buf, ncap);
			if (!p) {
				rc = -ENOMEM;
				goto out;
			}
			buf = p;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			rc = -EFBIG;
			goto out;
		}
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf) {
			rc = -ENOMEM;
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int cli_load(char **out, size_t *out_len, const char *path)
{
	int rc = cli_read_file(out, out_len, path, CLI_INPUT_MAX);

	if (rc == -EFBIG)
		cli_err("%s: input larger than %u bytes", cli_file_name(path),
			CLI_INPUT_MAX);
	else if (rc)
		cli_err("%s: %s", cli_file_name(path), strerror(-rc));
	return rc;
}

const char *cli_schema_dir(void)
{
	const char *dir = getenv("MESHCTL_SCHEMA_DIR");

	return dir && dir[0] ? dir : MESHCTL_SCHEMADIR;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

int cli_parse_schema(struct mesh_schema **out, const char *path)
{
	struct mesh_error err;
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	rc = cli_load(&text, &len, path);
	if (rc)
		return rc;
	mesh_error_clear(&err);
	rc = mesh_schema_parse(out, text, len, &err);
	free(text);
	if (rc == -EINVAL) {
		if (err.path[0])
			fprintf(stderr, "%s: %s: %s\n", cli_file_name(path),
				err.path, err.msg);
		else
			fprintf(stderr, "%s: %s\n", cli_file_name(path),
				err.msg);
	} else if (rc) {
		cli_err("%s: %s", cli_file_name(path), strerror(-rc));
	}
	return rc;
}

int cli_load_schema(struct mesh_schema **out, const char *arg)
{
	const char *dir;
	char *builtin;
	int rc;

	*out = NULL;
	if (!strcmp(arg, "-") || strchr(arg, '/') || !arg[0] ||
	    !access(arg, F_OK))
		return cli_parse_schema(out, arg);
	dir = cli_schema_dir();
	if (asprintf(&builtin, "%s/%s%s", dir, arg,
		     ends_with(arg, ".json") ? "" : ".json") < 0)
		return -ENOMEM;
	if (access(builtin, F_OK)) {
		cli_err("%s: no such file, and no built-in schema of that "
			"name in %s",
			arg, dir);
		rc = -ENOENT;
	} else {
		rc = cli_parse_schema(out, builtin);
	}
	free(builtin);
	return rc;
}

int cli_count_stdin(char *const *paths, int n)
{
	int i, seen = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(paths[i], "-"))
			seen++;
	return seen;
}

int cli_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

bool cli_binary_to_tty(const char *output)
{
	return (!output || !strcmp(output, "-")) && isatty(STDOUT_FILENO);
}

int cli_write_binary(const char *output, const uint8_t *buf, size_t len)
{
	const char *name = "stdout";
	int fd = STDOUT_FILENO, rc;

	fflush(stdout);
	if (output && strcmp(output, "-")) {
		name = output;
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0666);
		if (fd < 0) {
			rc = -errno;
			goto err;
		}
	}
	rc = cli_write_all(fd, buf, len);
	if (fd != STDOUT_FILENO && close(fd) && !rc)
		rc = -errno;
	if (!rc)
		return 0;
err:
	cli_err("%s: %s", name, strerror(-rc));
	return rc;
}

int cli_write_text(const char *text, size_t len)
{
	int rc;

	if (fflush(stdout))
		return -errno;
	rc = cli_write_all(STDOUT_FILENO, text, len);
	if (rc)
		cli_err("stdout: %s", strerror(-rc));
	return rc;
}
