/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the meshctl command files share: the command table types,
 * exit codes, input/output helpers and error printing.
 *
 * meshctl.c holds main(), the global options and the top-level command
 * table; each command group lives in its own file (cmd-schema.c, cmd-doc.c,
 * later the room commands) and exports one struct cli_cmd.  Helpers return
 * 0 or a negative errno like the libraries; only the run() functions of the
 * commands return exit codes (CLI_EXIT_*), so the edge is in one place.
 */
#ifndef MESHFS_CLI_H
#define MESHFS_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mesh_schema;
struct mesh_diag;

#define CLI_PROG "meshctl"

/* Exit status: success, invalid or unreadable input (or any other failure
 * that is not the caller's syntax), usage error. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_DATA 1
#define CLI_EXIT_USAGE 2

/* Largest input file (or stdin) accepted, in bytes. */
#define CLI_INPUT_MAX (64u << 20)

/*
 * One command or command group.  A group lists its subcommands (a
 * NULL-terminated array) and has no run(); a command has run().  run()
 * gets argv with argv[0] = the command's name, is not called for --help
 * (the dispatcher prints the help), and returns an exit code.
 */
struct cli_cmd {
	const char *name;
	const char *path; /* full name for messages: "doc render" */
	const char *synopsis; /* arguments, e.g. "--schema SCHEMA JSON..." */
	const char *summary; /* one line for the command list */
	const char *help; /* the text after the usage line of --help */
	int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
	const struct cli_cmd *const *subcmds;
};

/* The command groups (one file each). */
extern const struct cli_cmd cli_schema_cmd;
extern const struct cli_cmd cli_doc_cmd;

/* ---- messages ---------------------------------------------------- */

/* "meshctl: <text>\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "meshctl <cmd path>: <text>\nTry 'meshctl <cmd path> --help'.\n" on
 * stderr; returns CLI_EXIT_USAGE.
 */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the --help text of cmd (usage line, help, subcommand list) to
 * stdout; returns CLI_EXIT_OK (or CLI_EXIT_DATA if stdout fails). */
int cli_print_help(const struct cli_cmd *cmd);

/*
 * The usage error for what getopt_long (called with opterr = 0 and an
 * optstring starting with ':') returned in c: an unknown option or a
 * missing option argument.  Returns CLI_EXIT_USAGE.
 */
int cli_bad_option(const struct cli_cmd *cmd, int c, char **argv);

/* How a file argument is named in messages: "<stdin>" for "-". */
const char *cli_file_name(const char *path);

/*
 * Prints "<file>: <path>: <msg>" (or "<file>: <msg>" for the empty path)
 * for every error of d on stderr, and "<file>: ... and N more errors" when
 * some were only counted.
 */
void cli_print_diag(const char *file, const struct mesh_diag *d);

/* ---- input --------------------------------------------------------- */

/*
 * Reads the whole of path ("-" = stdin) into *out, malloc'd and
 * NUL-terminated (the terminator is not counted in *out_len).  Returns 0,
 * -EFBIG when the input is longer than max bytes, -ENOMEM, or the errno of
 * open/read.  On error *out is NULL.
 */
int cli_read_file(char **out, size_t *out_len, const char *path, size_t max);

/*
 * cli_read_file with CLI_INPUT_MAX that prints "meshctl: <file>: <why>" on
 * failure.  Returns 0 or the negative errno.
 */
int cli_load(char **out, size_t *out_len, const char *path);

/*
 * Reads path ("-" = stdin) and parses it as a MeshSchema.  Errors are
 * printed as "<file>: <pointer>: <message>" (just "<file>: <message>"
 * when the pointer is empty).  0, -EINVAL (invalid schema) or -errno.
 */
int cli_parse_schema(struct mesh_schema **out, const char *path);

/*
 * Resolves and parses a MeshSchema for --schema.  arg is a file path ("-"
 * = stdin); an argument without "/" that names no existing file is looked
 * up as a built-in schema, <dir>/<arg>.json (and <dir>/<arg> when it
 * already ends in ".json"), where <dir> is $MESHCTL_SCHEMA_DIR or the
 * installed schema folder.  Errors are printed ("<file>: <pointer>:
 * <message>").  Returns 0, -ENOENT, -EINVAL (invalid schema) or -errno.
 */
int cli_load_schema(struct mesh_schema **out, const char *arg);

/* The folder of the built-in schemas ($MESHCTL_SCHEMA_DIR or the
 * compiled-in default). */
const char *cli_schema_dir(void);

/* How many of the n paths are "-" (stdin can be read only once). */
int cli_count_stdin(char *const *paths, int n);

/* ---- output -------------------------------------------------------- */

/* Writes all len bytes to fd, retrying after EINTR and short writes.
 * 0 or -errno. */
int cli_write_all(int fd, const void *buf, size_t len);

/*
 * true when binary output for `output` (NULL or "-" = stdout) would go to
 * a terminal: commands then refuse with a usage error unless --force.
 */
bool cli_binary_to_tty(const char *output);

/*
 * Writes binary output (a Yjs update) to the file `output` (created or
 * truncated, 0666 & ~umask), or to stdout when output is NULL or "-".
 * Errors are printed.  0 or -errno.
 */
int cli_write_binary(const char *output, const uint8_t *buf, size_t len);

/* Writes text to stdout and flushes it; errors are printed.  0 or -errno. */
int cli_write_text(const char *text, size_t len);

#endif /* MESHFS_CLI_H */
