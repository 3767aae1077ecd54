// SPDX-License-Identifier: MIT
/*
 * cmd-doc.c - the "meshctl doc" commands: offline work on MeshAgent
 * documents, the same steps meshfs takes on a read or a write, run on
 * files (spec/document.md §3, §4, §7.4):
 *   validate  document JSON against a schema, level R (what a write is
 *             held to) or level S (--strict, the JSON Schema); or a Yjs
 *             state (--state), as the room server checks a replica;
 *   render    Yjs v1 state -> document JSON (what a read returns);
 *   build     document JSON -> Yjs v1 state (sync.create's json);
 *   apply     the edit-to-operations merge of a write: the v1 update that
 *             turns BASE into NEW on top of STATE.
 * The work is libmesh's and libyjs's; this file reads the inputs, reports
 * errors as "FILE: <pointer>: <message>" and writes the outputs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh.h"
#include "yjs.h"

#include "cli.h"

/* The options every doc command may take; each accepts a subset. */
struct doc_opts {
	const char *schema;
	const char *output;
	uint64_t client_id; /* 0 = random */
	bool ids;
	bool strict;
	bool state;
	bool force;
	bool full;
	bool stats;
	bool quiet;
};

enum {
	OPT_SCHEMA = 's',
	OPT_OUTPUT = 'o',
	OPT_QUIET = 'q',
	OPT_IDS = 0x100,
	OPT_STRICT,
	OPT_STATE,
	OPT_CLIENT,
	OPT_FORCE,
	OPT_FULL,
	OPT_STATS,
};

static int parse_client(uint64_t *out, const char *s)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > Y_MAX_SAFE_INTEGER)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * Parses the options of cmd (shortopts/longopts list what it accepts) into
 * o; on return *first is the index of the first operand.  Returns 0 or an
 * exit code (usage error already printed).  --schema is required.
 */
static int doc_getopt(struct doc_opts *o, int *first, const struct cli_cmd *cmd,
		      int argc, char **argv, const char *shortopts,
		      const struct option *longopts)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SCHEMA:
			o->schema = optarg;
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_IDS:
			o->ids = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_STATE:
			o->state = true;
			break;
		case OPT_CLIENT:
			if (parse_client(&o->client_id, optarg))
				return cli_usage_error(
					cmd,
					"--client wants a number from 1 "
					"to %llu, got '%s'",
					(unsigned long long)Y_MAX_SAFE_INTEGER,
					optarg);
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_FULL:
			o->full = true;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		default:
			return cli_bad_option(cmd, c, argv);
		}
	}
	if (!o->schema)
		return cli_usage_error(cmd, "--schema SCHEMA is required");
	if (cli_count_stdin(argv + optind, argc - optind) +
		    !strcmp(o->schema, "-") >
	    1)
		return cli_usage_error(cmd, "stdin ('-') given more than once");
	*first = optind;
	return 0;
}

/* Exit code for a failed helper: usage problems are printed already. */
static int data_status(int rc)
{
	return rc ? CLI_EXIT_DATA : CLI_EXIT_OK;
}

static int new_doc(struct y_doc **out, const struct doc_opts *o)
{
	struct y_doc_options opts = { .client_id = o->client_id };
	int rc = y_doc_new(out, &opts);

	if (rc)
		cli_err("%s", y_strerror(rc));
	return rc;
}

/* Applies the Yjs v1 update in path to doc; errors are printed. */
static int apply_file(struct y_doc *doc, const char *path)
{
	struct y_error err = { 0 };
	const char *msg;
	char *data;
	size_t len;
	int rc;

	rc = cli_load(&data, &len, path);
	if (rc)
		return rc;
	rc = y_doc_apply_update(doc, (const uint8_t *)data, len, &err);
	free(data);
	if (!rc)
		return 0;
	if (rc != -EBADMSG || !err.msg[0]) {
		fprintf(stderr, "%s: %s\n", cli_file_name(path),
			y_strerror(rc));
		return rc;
	}
	/* libyjs messages may already end with the position */
	msg = err.msg;
	if (strstr(msg, " at byte "))
		fprintf(stderr, "%s: invalid Yjs v1 update: %s\n",
			cli_file_name(path), msg);
	else
		fprintf(stderr, "%s: invalid Yjs v1 update: %s at byte %zu\n",
			cli_file_name(path), msg, err.offset);
	return rc;
}

/* Loads the updates in paths[0..n) into a new document. */
static int load_doc(struct y_doc **out, const struct doc_opts *o,
		    char *const *paths, int n)
{
	struct y_doc *doc;
	int i, rc;

	rc = new_doc(&doc, o);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		rc = apply_file(doc, paths[i]);
		if (rc) {
			y_doc_free(doc);
			return rc;
		}
	}
	if (y_doc_has_pending(doc))
		cli_err("warning: %s: some updates wait for missing ones; "
			"using what could be integrated",
			cli_file_name(paths[n - 1]));
	*out = doc;
	return 0;
}

/* Parses path as JSON; syntax errors are printed. */
static int load_json(cJSON **out, const char *path)
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
	rc = mesh_json_parse(out, text, len, &err);
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

/* Prints the errors of a failed check (rc -EINVAL) or the failure. */
static int report(const char *path, int rc, const struct mesh_diag *d)
{
	if (rc == -EINVAL && d->total)
		cli_print_diag(cli_file_name(path), d);
	else if (rc == -EINVAL)
		cli_err("%s: invalid document", cli_file_name(path));
	else if (rc)
		cli_err("%s: %s", cli_file_name(path), strerror(-rc));
	return rc;
}

static int ok_line(const struct doc_opts *o, const char *path)
{
	if (!o->quiet)
		printf("%s: ok\n", cli_file_name(path));
	return 0;
}

/* ---- validate ----------------------------------------------------- */

static int validate_json_file(const struct doc_opts *o,
			      const struct mesh_schema *s, const char *path)
{
	struct mesh_diag d;
	cJSON *json;
	int rc;

	rc = load_json(&json, path);
	if (rc)
		return rc;
	mesh_diag_init(&d);
	if (o->strict)
		rc = mesh_validate_strict(&d, s, json);
	else
		rc = mesh_validate_json(&d, s, json, o->ids ? MESH_DOC_IDS : 0);
	cJSON_Delete(json);
	if (!rc)
		ok_line(o, path);
	report(path, rc, &d);
	mesh_diag_free(&d);
	return rc;
}

static int validate_state_file(const struct doc_opts *o,
			       const struct mesh_schema *s, const char *path)
{
	struct mesh_diag d;
	struct y_doc *doc;
	int rc;

	rc = load_doc(&doc, o, (char *const *)&path, 1);
	if (rc)
		return rc;
	mesh_diag_init(&d);
	rc = mesh_doc_validate(&d, doc, s);
	y_doc_free(doc);
	if (!rc)
		ok_line(o, path);
	report(path, rc, &d);
	mesh_diag_free(&d);
	return rc;
}

static int doc_validate(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "ids", no_argument, NULL, OPT_IDS },
		{ "state", no_argument, NULL, OPT_STATE },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ NULL, 0, NULL, 0 },
	};
	struct mesh_schema *s;
	struct doc_opts o;
	int first, i, rc, status = CLI_EXIT_OK;

	rc = doc_getopt(&o, &first, cmd, argc, argv, ":s:q", longopts);
	if (rc)
		return rc;
	if (first >= argc)
		return cli_usage_error(cmd, "no JSON file given");
	if (o.strict && (o.ids || o.state))
		return cli_usage_error(cmd, "--strict checks document JSON "
					    "without \"$id\"s: it does not go "
					    "with --ids or --state");
	if (o.ids && o.state)
		return cli_usage_error(cmd, "--ids does not apply to --state");
	if (cli_load_schema(&s, o.schema))
		return CLI_EXIT_DATA;
	for (i = first; i < argc; i++) {
		if (o.state)
			rc = validate_state_file(&o, s, argv[i]);
		else
			rc = validate_json_file(&o, s, argv[i]);
		if (rc)
			status = CLI_EXIT_DATA;
	}
	mesh_schema_free(s);
	if (fflush(stdout)) {
		cli_err("stdout: %m");
		return CLI_EXIT_DATA;
	}
	return status;
}

/* ---- render ------------------------------------------------------- */

static int doc_render(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "ids", no_argument, NULL, OPT_IDS },
		{ NULL, 0, NULL, 0 },
	};
	struct mesh_schema *s = NULL;
	struct y_doc *doc = NULL;
	struct doc_opts o;
	char *text = NULL;
	size_t len;
	int first, rc;

	rc = doc_getopt(&o, &first, cmd, argc, argv, ":s:", longopts);
	if (rc)
		return rc;
	if (first >= argc)
		return cli_usage_error(cmd, "no STATE file given");
	rc = cli_load_schema(&s, o.schema);
	if (rc)
		goto out;
	rc = load_doc(&doc, &o, argv + first, argc - first);
	if (rc)
		goto out;
	rc = mesh_doc_render(&text, &len, doc, s, o.ids ? MESH_DOC_IDS : 0);
	if (rc) {
		cli_err("%s: cannot render: %s", cli_file_name(argv[first]),
			rc == -EINVAL ? "the root \"" MESH_DOC_ROOT
					"\" is not an XML element" :
					strerror(-rc));
		goto out;
	}
	rc = cli_write_text(text, len);
out:
	free(text);
	y_doc_free(doc);
	mesh_schema_free(s);
	return data_status(rc);
}

/* ---- build -------------------------------------------------------- */

static int write_state(const struct doc_opts *o, struct y_doc *doc,
		       const uint8_t *sv, size_t sv_len)
{
	struct y_error err = { 0 };
	uint8_t *out;
	size_t len;
	int rc;

	rc = y_doc_encode_state_as_update(&out, &len, doc, sv, sv_len, &err);
	if (rc) {
		cli_err("cannot encode the document: %s", y_strerror(rc));
		return rc;
	}
	rc = cli_write_binary(o->output, out, len);
	free(out);
	return rc;
}

static int doc_build(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "ids", no_argument, NULL, OPT_IDS },
		{ "client", required_argument, NULL, OPT_CLIENT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ NULL, 0, NULL, 0 },
	};
	struct mesh_schema *s = NULL;
	struct y_doc *doc = NULL;
	struct mesh_diag d;
	struct doc_opts o;
	char *text = NULL;
	size_t len;
	int first, rc;

	rc = doc_getopt(&o, &first, cmd, argc, argv, ":s:o:", longopts);
	if (rc)
		return rc;
	if (argc - first != 1)
		return cli_usage_error(cmd, "wants exactly one JSON file");
	if (!o.force && cli_binary_to_tty(o.output))
		return cli_usage_error(cmd, "refusing to write a binary Yjs "
					    "state to a terminal (redirect "
					    "it, use -o FILE or --force)");
	mesh_diag_init(&d);
	rc = cli_load_schema(&s, o.schema);
	if (rc)
		goto out;
	rc = cli_load(&text, &len, argv[first]);
	if (rc)
		goto out;
	rc = new_doc(&doc, &o);
	if (rc)
		goto out;
	rc = mesh_doc_build_text(doc, s, text, len, o.ids ? MESH_DOC_IDS : 0,
				 &d);
	if (rc) {
		report(argv[first], rc, &d);
		goto out;
	}
	rc = write_state(&o, doc, NULL, 0);
out:
	mesh_diag_free(&d);
	free(text);
	y_doc_free(doc);
	mesh_schema_free(s);
	return data_status(rc);
}

/* ---- apply -------------------------------------------------------- */

/* The update events of the merge transaction (normally exactly one). */
struct capture {
	uint8_t *buf;
	size_t len;
	unsigned count;
	int err;
};

static void capture_update(void *ctx, const uint8_t *update, size_t len,
			   bool local, void *origin)
{
	struct capture *c = ctx;

	(void)local;
	(void)origin;
	if (c->count++ || c->err)
		return;
	c->buf = malloc(len ? len : 1);
	if (!c->buf) {
		c->err = -ENOMEM;
		return;
	}
	memcpy(c->buf, update, len);
	c->len = len;
}

static void print_stats(const struct mesh_merge_stats *st)
{
	fprintf(stderr,
		"attributes: %zu set, %zu deleted\n"
		"elements: %zu inserted, %zu deleted\n"
		"text: %zu inserted, %zu deleted, %zu formatted\n"
		"dropped: %zu\n",
		st->attrs_set, st->attrs_deleted, st->elements_inserted,
		st->elements_deleted, st->text_inserted, st->text_deleted,
		st->text_formatted, st->dropped);
}

static int doc_apply(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "client", required_argument, NULL, OPT_CLIENT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ NULL, 0, NULL, 0 },
	};
	/* a v1 update with no structs and no deletions */
	static const uint8_t empty_update[] = { 0, 0 };
	struct mesh_merge_stats stats = { 0 };
	struct capture cap = { 0 };
	struct mesh_schema *s = NULL;
	struct y_doc *doc = NULL;
	const char *state, *base_path, *new_path;
	uint8_t *sv = NULL;
	size_t sv_len = 0, len;
	struct mesh_diag d;
	cJSON *base = NULL;
	char *text = NULL;
	struct doc_opts o;
	int first, sub = 0, rc;

	rc = doc_getopt(&o, &first, cmd, argc, argv, ":s:o:", longopts);
	if (rc)
		return rc;
	if (argc - first != 3)
		return cli_usage_error(cmd, "wants STATE, BASE.json and "
					    "NEW.json");
	state = argv[first];
	base_path = argv[first + 1];
	new_path = argv[first + 2];
	if (!o.force && cli_binary_to_tty(o.output))
		return cli_usage_error(cmd, "refusing to write a binary Yjs "
					    "update to a terminal (redirect "
					    "it, use -o FILE or --force)");
	mesh_diag_init(&d);
	rc = cli_load_schema(&s, o.schema);
	if (rc)
		goto out;
	rc = load_doc(&doc, &o, argv + first, 1);
	if (rc)
		goto out;
	rc = load_json(&base, base_path);
	if (rc)
		goto out;
	/* A base that is not a document of the schema cannot be diffed:
	 * say where it is wrong rather than a bare "malformed". */
	rc = mesh_validate_json(&d, s, base, MESH_DOC_IDS);
	if (rc) {
		report(base_path, rc, &d);
		goto out;
	}
	rc = cli_load(&text, &len, new_path);
	if (rc)
		goto out;
	rc = y_doc_state_vector(&sv, &sv_len, doc);
	if (rc) {
		cli_err("%s", y_strerror(rc));
		goto out;
	}
	sub = y_doc_on_update(doc, capture_update, &cap);
	if (sub < 0) {
		rc = sub;
		sub = 0;
		cli_err("%s", y_strerror(rc));
		goto out;
	}
	rc = mesh_doc_merge_text(&stats, doc, s, base, text, len, &d);
	if (rc) {
		report(new_path, rc, &d);
		goto out;
	}
	if (cap.err) {
		rc = cap.err;
		cli_err("%s", strerror(-rc));
		goto out;
	}
	if (o.stats)
		print_stats(&stats);
	if (stats.dropped)
		cli_err("warning: %zu edit%s dropped: %s deleted in %s",
			stats.dropped, stats.dropped == 1 ? "" : "s",
			stats.dropped == 1 ? "its target was" :
					     "their targets were",
			cli_file_name(state));
	if (o.full)
		rc = write_state(&o, doc, NULL, 0);
	else if (cap.count == 0)
		rc = cli_write_binary(o.output, empty_update,
				      sizeof(empty_update));
	else if (cap.count == 1)
		rc = cli_write_binary(o.output, cap.buf, cap.len);
	else /* several transactions: what they added together */
		rc = write_state(&o, doc, sv, sv_len);
out:
	if (sub > 0)
		y_doc_off_update(doc, sub);
	free(cap.buf);
	free(sv);
	mesh_diag_free(&d);
	free(text);
	cJSON_Delete(base);
	y_doc_free(doc);
	mesh_schema_free(s);
	return data_status(rc);
}

/* ---- the group ---------------------------------------------------- */

#define SCHEMA_HELP                                                            \
	"  -s, --schema SCHEMA  the MeshSchema: a file ('-' = stdin), or the " \
	"name of a\n"                                                          \
	"                       built-in schema (document, thread, ...)\n"

static const struct cli_cmd doc_validate_cmd = {
	.name = "validate",
	.path = "doc validate",
	.synopsis = "--schema SCHEMA [--strict | --ids | --state] [-q] FILE...",
	.summary = "Check document JSON (or Yjs states) against a schema.",
	.help = "Validates each FILE ('-' = stdin).  By default FILE is "
		"document JSON and\n"
		"is checked at level R, what a write to a document is held "
		"to: known tags,\n"
		"tags allowed under their parent, known attributes, value "
		"types and enums.\n"
		"Prints \"FILE: ok\" on stdout when valid, otherwise every "
		"error as\n"
		"  FILE: JSON-POINTER: MESSAGE\n"
		"on stderr.\n"
		"\n"
		"Options:\n" SCHEMA_HELP
		"      --strict         level S instead: the JSON Schema of "
		"the schema (every\n"
		"                       property present, ordered children, "
		"no \"$id\")\n"
		"      --ids            accept \"$id\" keys (JSON rendered "
		"with --ids)\n"
		"      --state          FILE is a Yjs v1 state; check the "
		"live document as\n"
		"                       the room server does\n"
		"  -q, --quiet          print nothing for valid files\n"
		"\n"
		"Exit status: 0 all valid, 1 some invalid or unreadable, 2 "
		"usage error.\n",
	.run = doc_validate,
};

static const struct cli_cmd doc_render_cmd = {
	.name = "render",
	.path = "doc render",
	.synopsis = "--schema SCHEMA [--ids] STATE [UPDATE...]",
	.summary = "Print the document JSON of a Yjs v1 state.",
	.help = "Applies STATE and then each UPDATE (Yjs v1, '-' = stdin) to "
		"an empty\n"
		"document and prints its JSON form, as a read of the document "
		"in meshfs\n"
		"returns it: 2-space indent, attributes in schema order, the "
		"child property\n"
		"last, a final newline.  What the schema does not describe is "
		"left out\n"
		"(see 'meshctl doc validate --state').\n"
		"\n"
		"Options:\n" SCHEMA_HELP
		"      --ids            include each element's \"$id\"\n",
	.run = doc_render,
};

static const struct cli_cmd doc_build_cmd = {
	.name = "build",
	.path = "doc build",
	.synopsis = "--schema SCHEMA [--ids] [--client ID] [-o FILE] [--force] "
		    "JSON",
	.summary = "Build a Yjs v1 state from document JSON.",
	.help = "Validates JSON ('-' = stdin) at level R and creates the "
		"document in a new\n"
		"Yjs document, as sync.create does; writes its state (a Yjs "
		"v1 update) to\n"
		"stdout or FILE.\n"
		"\n"
		"Options:\n" SCHEMA_HELP
		"      --ids            keep the \"$id\"s given in JSON "
		"(fresh UUIDs otherwise)\n"
		"      --client ID      Yjs client id (default: random)\n"
		"  -o, --output FILE    write to FILE instead of stdout\n"
		"      --force          write binary output to a terminal\n",
	.run = doc_build,
};

static const struct cli_cmd doc_apply_cmd = {
	.name = "apply",
	.path = "doc apply",
	.synopsis =
		"--schema SCHEMA [--client ID] [--full] [--stats] [-o FILE] "
		"[--force] STATE BASE.json NEW.json",
	.summary = "Turn a JSON edit into a Yjs v1 update.",
	.help = "The write step of meshfs: loads STATE (Yjs v1), computes the "
		"edit from\n"
		"BASE.json (the JSON that was read, ideally with --ids) to "
		"NEW.json (the\n"
		"JSON written), applies it to the document as the smallest "
		"set of CRDT\n"
		"operations (a 3-way merge: changes in STATE since BASE are "
		"kept), and\n"
		"writes the v1 update it produced.  An unchanged document "
		"gives an empty\n"
		"update.  NEW.json is validated at level R first.\n"
		"\n"
		"Options:\n" SCHEMA_HELP
		"      --client ID      Yjs client id of the edit (default: "
		"random)\n"
		"      --full           write the whole new state instead of "
		"the update\n"
		"      --stats          print what the merge did on stderr\n"
		"  -o, --output FILE    write to FILE instead of stdout\n"
		"      --force          write binary output to a terminal\n",
	.run = doc_apply,
};

static const struct cli_cmd *const doc_cmds[] = {
	&doc_validate_cmd,
	&doc_render_cmd,
	&doc_build_cmd,
	&doc_apply_cmd,
	NULL,
};

const struct cli_cmd cli_doc_cmd = {
	.name = "doc",
	.path = "doc",
	.synopsis = "COMMAND [ARGS...]",
	.summary = "Validate, render, build and edit documents offline.",
	.subcmds = doc_cmds,
};
