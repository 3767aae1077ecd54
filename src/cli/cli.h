/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the meshctl command files share: the command table types,
 * exit codes, input/output helpers and error printing.
 *
 * meshctl.c holds main(), the global options and the top-level command
 * table; each command group lives in its own file (cmd-schema.c, cmd-doc.c;
 * the room commands in cmd-token.c, cmd-storage.c, cmd-sync.c, cmd-edit.c
 * and cmd-grep.c) and exports its struct cli_cmds.  What the room commands
 * share is in cmd-room.c (options, connecting, errors), roomdoc.c
 * (documents as text) and jsondiff.c.  Helpers return 0 or a negative
 * errno like the libraries; only the run() functions of the commands
 * return exit codes (CLI_EXIT_*), so the edge is in one place.
 */
#ifndef MESHFS_CLI_H
#define MESHFS_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mesh_schema;
struct mesh_diag;
struct cJSON;

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
/* The room commands: cmd-token.c, cmd-storage.c, cmd-sync.c, cmd-grep.c. */
extern const struct cli_cmd cli_token_cmd;
extern const struct cli_cmd cli_ls_cmd;
extern const struct cli_cmd cli_stat_cmd;
extern const struct cli_cmd cli_cat_cmd;
extern const struct cli_cmd cli_put_cmd;
extern const struct cli_cmd cli_rm_cmd;
extern const struct cli_cmd cli_mv_cmd;
extern const struct cli_cmd cli_url_cmd;
extern const struct cli_cmd cli_get_cmd;
extern const struct cli_cmd cli_create_cmd;
extern const struct cli_cmd cli_patch_cmd;
extern const struct cli_cmd cli_edit_cmd;
extern const struct cli_cmd cli_watch_cmd;
extern const struct cli_cmd cli_grep_cmd;

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

/* ---- room commands (cmd-room.c) -------------------------------------- */

struct room_client;
struct util_error;
struct option;

/*
 * The options every room command takes: where the room is and how to get
 * in (resolved by room_target_resolve, which falls back to the
 * environment), and the timeout of each call.
 */
struct cli_room_opts {
	const char *url; /* --url */
	const char *room; /* --room */
	const char *token; /* --token */
	const char *token_file; /* --token-file */
	const char *ca_file; /* --ca-file */
	int timeout_ms; /* --timeout; 0 = the library's default */
};

/* getopt_long codes of the room options (above any short option). */
enum {
	CLI_OPT_URL = 0x200,
	CLI_OPT_ROOM,
	CLI_OPT_TOKEN,
	CLI_OPT_TOKEN_FILE,
	CLI_OPT_CA_FILE,
	CLI_OPT_TIMEOUT,
};

/* The struct option lines of the room options, for a longopts array. */
/* clang-format off */
#define CLI_ROOM_LONGOPTS						\
	{ "url", required_argument, NULL, CLI_OPT_URL },		\
	{ "room", required_argument, NULL, CLI_OPT_ROOM },		\
	{ "token", required_argument, NULL, CLI_OPT_TOKEN },		\
	{ "token-file", required_argument, NULL, CLI_OPT_TOKEN_FILE },	\
	{ "ca-file", required_argument, NULL, CLI_OPT_CA_FILE },	\
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT }
/* clang-format on */

/* The --help lines of the room options. */
#define CLI_ROOM_HELP                                                          \
	"Room options (default: the environment, see meshctl(1)):\n"           \
	"  --url URL          the room, ws[s]://HOST[:PORT]/rooms/ROOM\n"      \
	"                     ($MESHAGENT_ROOM_URL, $MESHAGENT_API_URL)\n"     \
	"  --room ROOM        the room name when URL has none "                \
	"($MESHAGENT_ROOM)\n"                                                  \
	"  --token JWT        participant token ($MESHAGENT_TOKEN, else one\n" \
	"                     minted from $MESHAGENT_API_KEY or "              \
	"$MESHAGENT_SECRET)\n"                                                 \
	"  --token-file FILE  read the token from FILE\n"                      \
	"  --ca-file FILE     trust these CAs for wss:// (PEM)\n"              \
	"  --timeout SECS     give up on each call after SECS (default "       \
	"10; also\n"                                                           \
	"                     with a unit: 500ms, 2m)\n"

/*
 * Handles getopt_long's c when it is a room option: fills o and returns 1;
 * 0 when c is not one; -1 after printing a usage error for a bad value
 * (the command then exits with CLI_EXIT_USAGE).
 */
int cli_room_option(struct cli_room_opts *o, const struct cli_cmd *cmd, int c,
		    const char *arg);

/*
 * A duration: a number with an optional unit ms, s (default), m, h, d.
 * *out in ms.  0 or -EINVAL.
 */
int cli_parse_duration_ms(long long *out, const char *s);

/*
 * Resolves the target and connects (no reconnection: a command is one
 * session).  On failure prints "meshctl: <cmd>: <url>: <why>" and returns
 * the negative errno.
 */
int cli_room_connect(struct room_client **out, const struct cli_cmd *cmd,
		     const struct cli_room_opts *o);

/*
 * "meshctl: <cmd>: <path>: <why>" on stderr, where why is err's message
 * when it has one, else strerror(-rc).  path NULL or "" leaves it out.
 */
void cli_room_err(const struct cli_cmd *cmd, const char *path, int rc,
		  const struct util_error *err);

/*
 * cli_room_connect with the callbacks (and other settings) of cfg, which
 * the caller initialised with room_config_init; url, token, ca_file,
 * timeout and no_reconnect are set from o here.
 */
struct room_config;
int cli_room_connect_cfg(struct room_client **out, const struct cli_cmd *cmd,
			 const struct cli_room_opts *o,
			 struct room_config *cfg);

/* "meshctl: <cmd>: <path>: <fmt...>" on stderr (path may be NULL). */
void cli_cmd_err(const struct cli_cmd *cmd, const char *path, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

/* ---- room documents as text (roomdoc.c) ------------------------------ */

/*
 * The document JSON of path from sync.describe, pretty-printed as a
 * document file reads (mesh_json_print).  Errors are printed
 * ("meshctl: <cmd>: <path>: <why>").  0 or -errno.
 */
int cli_doc_describe(char **out, size_t *len, struct room_client *c,
		     const struct cli_cmd *cmd, const char *path);

/* The same rendered from a live replica (opened and closed here) with
 * flags (MESH_DOC_IDS). */
int cli_doc_render_live(char **out, size_t *len, struct room_client *c,
			const struct cli_cmd *cmd, const char *path,
			unsigned flags);

/* Replaces the JSON text *text by its one-line form.  Errors printed. */
int cli_json_compact(char **text, size_t *len, const struct cli_cmd *cmd,
		     const char *path);

/* *out = the render text without its "$id" members (pretty-printed). */
int cli_doc_strip_ids(char **out, size_t *out_len, const char *text,
		      size_t len);

/* ---- what changed between two JSON values (jsondiff.c) ---------------- */

/*
 * *out = one line naming what changed from a to b by JSON pointer:
 * "/thread/children/2 added, /thread/title changed" (at most max items,
 * then "and N more"), "no visible change" when equal.  Arrays whose
 * items are elements with "$id"s are matched by id (an insertion is one
 * change), other arrays by index.  Pointers are into b (into a for
 * removals).  0 or -ENOMEM.
 */
int cli_json_diff_summary(char **out, const struct cJSON *a,
			  const struct cJSON *b, size_t max);

/* The exit code for a negative errno: 0 -> OK, else DATA. */
static inline int cli_exit(int rc)
{
	return rc ? CLI_EXIT_DATA : CLI_EXIT_OK;
}

#endif /* MESHFS_CLI_H */
