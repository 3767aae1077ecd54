// SPDX-License-Identifier: MIT
/*
 * yjs-tool.c - command-line access to libyjs: merge v1 updates, print the
 * yjs toJSON() views of roots, compute state vectors and diffs, and dump
 * updates struct by struct.  It is a thin shell over yjs.h, used by the
 * CLI tests and for debugging documents by hand.
 *
 * Binary output (merge, vector, diff) is refused when stdout is a terminal;
 * redirect it or pass --hex to get lowercase hex and a newline instead.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yjs.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

#define EXIT_DATA 1
#define EXIT_USAGE 2
#define MAX_ROOTS 64

struct root_arg {
	const char *name;
	enum y_kind kind;
};

struct tool {
	bool hex;
	bool no_gc;
	uint64_t client_id;
	struct root_arg roots[MAX_ROOTS];
	size_t nroots;
};

static const char usage_text[] =
	"usage: yjs-tool [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Commands (FILE is a Yjs v1 update, '-' reads stdin):\n"
	"  merge FILE...                  apply the updates in order, write the\n"
	"                                 full state (encodeStateAsUpdate)\n"
	"  json --root NAME:KIND... FILE...\n"
	"                                 print {NAME: toJSON(), ...} of the\n"
	"                                 roots after applying the updates;\n"
	"                                 KIND is map, array, text, xmlfragment,\n"
	"                                 xmlelement or xmltext\n"
	"  vector FILE...                 write the state vector\n"
	"  diff VECTORFILE FILE...        write the update that the holder of\n"
	"                                 the state vector in VECTORFILE lacks\n"
	"  dump FILE                      describe an update struct by struct\n"
	"\n"
	"Options:\n"
	"  --hex          write binary results as hex text (binary output is\n"
	"                 refused when stdout is a terminal)\n"
	"  --no-gc        keep deleted content (yjs gc: false)\n"
	"  --client ID    client id of the document (default: random)\n"
	"  --help         show this help\n"
	"  --version      show the version\n"
	"\n"
	"Exit status: 0 success, 1 malformed or unreadable input, 2 usage.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("yjs-tool: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'yjs-tool --help'.\n", stderr);
	return EXIT_USAGE;
}

static int data_error(const char *file, const char *msg)
{
	fprintf(stderr, "yjs-tool: %s: %s\n", file, msg);
	return EXIT_DATA;
}

static int parse_error(const char *file, int rc, const struct y_error *err)
{
	const char *msg = err->msg[0] ? err->msg : y_strerror(rc);

	/* libyjs messages may already end with the position */
	if (strstr(msg, " at byte "))
		fprintf(stderr, "yjs-tool: %s: %s\n", file, msg);
	else
		fprintf(stderr, "yjs-tool: %s: %s at byte %zu\n", file, msg,
			err->offset);
	return EXIT_DATA;
}

/* Reads a whole file ("-" = stdin) into a malloc'd buffer. */
static int read_file(uint8_t **out, size_t *out_len, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *data = NULL, *p;
	size_t len = 0, cap = 0, n;
	int rc = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			p = realloc(data, cap);
			if (!p) {
				rc = -ENOMEM;
				goto out;
			}
			data = p;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				rc = -EIO;
			break;
		}
	}
out:
	if (f != stdin)
		fclose(f);
	else
		clearerr(f);
	if (rc) {
		free(data);
		return rc;
	}
	*out = data;
	*out_len = len;
	return 0;
}

static int write_binary(const struct tool *t, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (t->hex) {
		for (i = 0; i < len; i++) {
			putchar(digits[p[i] >> 4]);
			putchar(digits[p[i] & 15]);
		}
		putchar('\n');
	} else if (fwrite(p, 1, len, stdout) != len) {
		return data_error("stdout", strerror(errno));
	}
	if (fflush(stdout))
		return data_error("stdout", strerror(errno));
	return 0;
}

static int new_doc(struct y_doc **out, const struct tool *t)
{
	struct y_doc_options opts = {
		.client_id = t->client_id,
		.no_gc = t->no_gc,
	};
	int rc = y_doc_new(out, &opts);

	if (rc)
		return data_error("yjs-tool", y_strerror(rc));
	return 0;
}

/* Applies every file in order; prints the error and returns 1 on failure. */
static int apply_files(struct y_doc *doc, char **files, int n)
{
	struct y_error err;
	uint8_t *data;
	size_t len;
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = read_file(&data, &len, files[i]);
		if (rc)
			return data_error(files[i], strerror(-rc));
		memset(&err, 0, sizeof(err));
		rc = y_doc_apply_update(doc, data, len, &err);
		free(data);
		if (rc)
			return parse_error(files[i], rc, &err);
	}
	return 0;
}

/* merge and diff: apply, then write what a holder of sv lacks. */
static int cmd_state(const struct tool *t, const uint8_t *sv, size_t sv_len,
		     const char *sv_name, char **files, int n)
{
	struct y_doc *doc;
	struct y_error err = { 0 };
	uint8_t *out;
	size_t out_len;
	int rc;

	rc = new_doc(&doc, t);
	if (rc)
		return rc;
	rc = apply_files(doc, files, n);
	if (rc)
		goto out;
	rc = y_doc_encode_state_as_update(&out, &out_len, doc, sv, sv_len,
					  &err);
	if (rc) {
		rc = parse_error(sv_name ? sv_name : "state", rc, &err);
		goto out;
	}
	rc = write_binary(t, out, out_len);
	free(out);
out:
	y_doc_free(doc);
	return rc;
}

static int cmd_diff(const struct tool *t, char **args, int n)
{
	struct y_error err = { 0 };
	struct y_id *ids;
	uint8_t *sv;
	size_t sv_len, nids;
	int rc;

	rc = read_file(&sv, &sv_len, args[0]);
	if (rc)
		return data_error(args[0], strerror(-rc));
	/* Validate up front so a bad vector is reported as such. */
	rc = y_state_vector_decode(&ids, &nids, sv, sv_len, &err);
	if (rc) {
		rc = parse_error(args[0], rc, &err);
		goto out;
	}
	free(ids);
	rc = cmd_state(t, sv, sv_len, args[0], args + 1, n - 1);
out:
	free(sv);
	return rc;
}

static int cmd_vector(const struct tool *t, char **files, int n)
{
	struct y_doc *doc;
	uint8_t *out;
	size_t out_len;
	int rc;

	rc = new_doc(&doc, t);
	if (rc)
		return rc;
	rc = apply_files(doc, files, n);
	if (rc)
		goto out;
	rc = y_doc_state_vector(&out, &out_len, doc);
	if (rc) {
		rc = data_error("yjs-tool", y_strerror(rc));
		goto out;
	}
	rc = write_binary(t, out, out_len);
	free(out);
out:
	y_doc_free(doc);
	return rc;
}

static int put_json_string(const char *s)
{
	struct y_any v;
	char *json;
	size_t len;
	int rc;

	rc = y_any_init_string(&v, s, strlen(s));
	if (rc)
		return rc;
	rc = y_any_to_json(&json, &len, &v);
	y_any_clear(&v);
	if (rc)
		return rc;
	fwrite(json, 1, len, stdout);
	free(json);
	return 0;
}

/*
 * The roots are typed before the updates are applied, as an application
 * that opens its document with doc.get(name, Kind) first would.
 */
static int cmd_json(const struct tool *t, char **files, int n)
{
	struct y_type *roots[MAX_ROOTS];
	struct y_doc *doc;
	char *json;
	size_t i, len;
	int rc;

	rc = new_doc(&doc, t);
	if (rc)
		return rc;
	for (i = 0; i < t->nroots; i++) {
		rc = y_doc_root(&roots[i], doc, t->roots[i].name,
				t->roots[i].kind);
		if (rc) {
			rc = usage_error("root '%s' given twice with different "
					 "kinds",
					 t->roots[i].name);
			goto out;
		}
	}
	rc = apply_files(doc, files, n);
	if (rc)
		goto out;
	putchar('{');
	for (i = 0; i < t->nroots; i++) {
		rc = y_type_to_json(&json, &len, roots[i]);
		if (!rc) {
			if (i)
				putchar(',');
			rc = put_json_string(t->roots[i].name);
		}
		if (rc) {
			rc = data_error(t->roots[i].name, y_strerror(rc));
			goto out;
		}
		putchar(':');
		fwrite(json, 1, len, stdout);
		free(json);
	}
	puts("}");
	rc = fflush(stdout) ? data_error("stdout", strerror(errno)) : 0;
out:
	y_doc_free(doc);
	return rc;
}

static int cmd_dump(const char *file)
{
	struct y_error err = { 0 };
	uint8_t *data;
	char *text;
	size_t len, text_len;
	int rc;

	rc = read_file(&data, &len, file);
	if (rc)
		return data_error(file, strerror(-rc));
	rc = y_update_dump(&text, &text_len, data, len, &err);
	free(data);
	if (rc)
		return parse_error(file, rc, &err);
	fwrite(text, 1, text_len, stdout);
	if (text_len && text[text_len - 1] != '\n')
		putchar('\n');
	free(text);
	return 0;
}

static int parse_kind(enum y_kind *out, const char *s)
{
	static const struct {
		const char *name;
		enum y_kind kind;
	} kinds[] = {
		{ "map", Y_MAP },
		{ "array", Y_ARRAY },
		{ "text", Y_TEXT },
		{ "xmlfragment", Y_XML_FRAGMENT },
		{ "xmlelement", Y_XML_ELEMENT },
		{ "xmltext", Y_XML_TEXT },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, kinds[i].name)) {
			*out = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

/* NAME:KIND; the last colon separates, so names may contain colons. */
static int parse_root(struct tool *t, char *arg)
{
	char *colon = strrchr(arg, ':');
	struct root_arg *r;

	if (t->nroots == MAX_ROOTS)
		return usage_error("too many --root options%s", "");
	if (!colon || colon == arg)
		return usage_error("--root wants NAME:KIND, got '%s'", arg);
	r = &t->roots[t->nroots];
	if (parse_kind(&r->kind, colon + 1))
		return usage_error("unknown kind in --root '%s'", arg);
	*colon = '\0';
	r->name = arg;
	t->nroots++;
	return 0;
}

static int parse_u64(uint64_t *out, const char *s)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > Y_MAX_SAFE_INTEGER)
		return -EINVAL;
	*out = v;
	return 0;
}

static int run(struct tool *t, const char *cmd, char **args, int n)
{
	bool binary = !strcmp(cmd, "merge") || !strcmp(cmd, "vector") ||
		      !strcmp(cmd, "diff");

	if (t->nroots && strcmp(cmd, "json"))
		return usage_error("--root only applies to json%s", "");
	if (binary && !t->hex && isatty(STDOUT_FILENO))
		return usage_error("refusing to write binary %s output to a "
				   "terminal (redirect it or use --hex)",
				   cmd);
	if (!strcmp(cmd, "merge") || !strcmp(cmd, "vector") ||
	    !strcmp(cmd, "json")) {
		if (n < 1)
			return usage_error("%s needs at least one FILE", cmd);
		if (!strcmp(cmd, "json") && !t->nroots)
			return usage_error("json needs --root NAME:KIND%s", "");
		if (!strcmp(cmd, "merge"))
			return cmd_state(t, NULL, 0, NULL, args, n);
		if (!strcmp(cmd, "vector"))
			return cmd_vector(t, args, n);
		return cmd_json(t, args, n);
	}
	if (!strcmp(cmd, "diff")) {
		if (n < 2)
			return usage_error("diff needs VECTORFILE and at least "
					   "one FILE%s",
					   "");
		return cmd_diff(t, args, n);
	}
	if (!strcmp(cmd, "dump")) {
		if (n != 1)
			return usage_error("dump takes exactly one FILE%s", "");
		return cmd_dump(args[0]);
	}
	return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hex", no_argument, NULL, 'x' },
		{ "no-gc", no_argument, NULL, 'g' },
		{ "client", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tool t = { 0 };
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			t.hex = true;
			break;
		case 'g':
			t.no_gc = true;
			break;
		case 'c':
			if (parse_u64(&t.client_id, optarg))
				return usage_error("bad client id '%s'",
						   optarg);
			break;
		case 'r':
			rc = parse_root(&t, optarg);
			if (rc)
				return rc;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("yjs-tool (libyjs) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return usage_error("bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given%s", "");
	return run(&t, argv[optind], argv + optind + 1, argc - optind - 1);
}
