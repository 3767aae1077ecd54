// SPDX-License-Identifier: MIT
/*
 * cmd-sync.c - the document commands of meshctl that read or create:
 * get (sync.describe, or a live replica rendered with "$id"s), create
 * (sync.create, the JSON checked locally first when the schema is known)
 * and watch (a live replica; every remote change printed as the new JSON
 * or as a one-line summary of what changed).  patch and edit, which write
 * through the merge of src/mesh, are in cmd-edit.c.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "mesh.h"

#include "cli.h"

enum {
	OPT_IDS = 0x100,
	OPT_COMPACT,
	OPT_JSON,
	OPT_SCHEMA,
	OPT_SUMMARY,
	OPT_COUNT,
};

/* ---- get ------------------------------------------------------------ */

static int get_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "ids", no_argument, NULL, OPT_IDS },
		{ "compact", no_argument, NULL, OPT_COMPACT },
		{ NULL, 0, NULL, 0 },
	};
	struct room_client *c = NULL;
	struct cli_room_opts ro = { 0 };
	struct util_error err;
	bool ids = false, compact = false;
	char *text = NULL;
	size_t len = 0;
	int ch, r, rc;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c", longopts, NULL)) != -1) {
		r = cli_room_option(&ro, cmd, ch, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (ch == OPT_IDS)
			ids = true;
		else if (ch == OPT_COMPACT || ch == 'c')
			compact = true;
		else
			return cli_bad_option(cmd, ch, argv);
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd, "wants one PATH");
	if (cli_room_connect(&c, cmd, &ro))
		return CLI_EXIT_DATA;
	util_error_clear(&err);
	if (ids)
		rc = cli_doc_render_live(&text, &len, c, cmd, argv[optind],
					 MESH_DOC_IDS);
	else
		rc = cli_doc_describe(&text, &len, c, cmd, argv[optind]);
	if (!rc && compact)
		rc = cli_json_compact(&text, &len, cmd, argv[optind]);
	if (!rc)
		rc = cli_write_text(text, len);
	free(text);
	room_client_close(c);
	return cli_exit(rc);
}

/* ---- create --------------------------------------------------------- */

/* The text of --schema: a file, or the name of a built-in schema. */
static int load_schema_text(char **out, size_t *len, const struct cli_cmd *cmd,
			    const char *arg)
{
	struct mesh_schema *s = NULL;
	int rc;

	/* parsed first: a broken schema is reported with its pointer */
	rc = cli_load_schema(&s, arg);
	if (rc)
		return rc;
	rc = mesh_schema_to_json(out, s);
	mesh_schema_free(s);
	if (rc) {
		cli_cmd_err(cmd, arg, "%s", strerror(-rc));
		return rc;
	}
	*len = strlen(*out);
	return 0;
}

static int create_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "json", required_argument, NULL, OPT_JSON },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ NULL, 0, NULL, 0 },
	};
	const char *json_file = NULL, *schema_arg = NULL, *path;
	struct room_client *c = NULL;
	struct cli_room_opts ro = { 0 };
	struct mesh_schema *schema = NULL;
	struct mesh_error jerr;
	struct mesh_diag diag;
	struct util_error err;
	char *json = NULL, *schema_json = NULL;
	size_t json_len = 0, schema_len = 0;
	cJSON *tree = NULL;
	int ch, r, rc = -EINVAL;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		r = cli_room_option(&ro, cmd, ch, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		if (ch == OPT_JSON)
			json_file = optarg;
		else if (ch == OPT_SCHEMA)
			schema_arg = optarg;
		else
			return cli_bad_option(cmd, ch, argv);
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd, "wants one PATH");
	if (json_file && schema_arg && !strcmp(json_file, "-") &&
	    !strcmp(schema_arg, "-"))
		return cli_usage_error(cmd, "stdin ('-') given more than once");
	path = argv[optind];
	mesh_diag_init(&diag);
	if (json_file) {
		if (cli_load(&json, &json_len, json_file))
			goto out;
		mesh_error_clear(&jerr);
		if (mesh_json_parse(&tree, json, json_len, &jerr)) {
			cli_cmd_err(cmd, cli_file_name(json_file), "%s",
				    jerr.msg);
			goto out;
		}
	}
	if (schema_arg) {
		if (load_schema_text(&schema_json, &schema_len, cmd,
				     schema_arg))
			goto out;
		/* the server would refuse it too, with less to go on */
		if (tree) {
			rc = mesh_schema_parse(&schema, schema_json, schema_len,
					       NULL);
			if (!rc && mesh_validate_json(&diag, schema, tree, 0)) {
				cli_print_diag(cli_file_name(json_file), &diag);
				rc = -EINVAL;
				goto out;
			}
		}
	}
	if (cli_room_connect(&c, cmd, &ro)) {
		rc = -EIO;
		goto out;
	}
	util_error_clear(&err);
	rc = room_sync_create(c, path, json, schema_json, &err);
	if (rc == -EEXIST && !err.msg[0])
		util_error_set(&err, -1, "the document exists");
	if (rc)
		cli_room_err(cmd, path, rc, &err);
out:
	room_client_close(c);
	mesh_diag_free(&diag);
	mesh_schema_free(schema);
	cJSON_Delete(tree);
	free(json);
	free(schema_json);
	return cli_exit(rc);
}

/* ---- watch ---------------------------------------------------------- */

/*
 * The change listener runs on the network thread: it renders the replica
 * there (allowed: room_doc_lock) so that every remote change is printed
 * exactly once, and queues the text for the main thread, which prints it
 * and waits for signals.
 */
struct watch_item {
	struct watch_item *next;
	char *text;
	size_t len;
	int64_t when_ms;
};

struct watch {
	struct room_doc *doc;
	pthread_mutex_t lock;
	struct watch_item *head, **tail;
	int wake[2]; /* the listener and the signal handlers write here */
	int failed; /* render error in the listener (under lock) */
	bool closed; /* the connection is gone (under lock) */
};

static int watch_signal_fd = -1;
static volatile sig_atomic_t watch_stop;

static void watch_on_signal(int sig)
{
	int saved = errno;
	char b = 's';

	(void)sig;
	watch_stop = 1;
	if (watch_signal_fd >= 0 && write(watch_signal_fd, &b, 1) < 0) {
		/* the pipe is full: the main thread is awake anyway */
	}
	errno = saved;
}

static void watch_poke(struct watch *w)
{
	char b = 'c';

	if (write(w->wake[1], &b, 1) < 0) {
		/* full: a wake-up is pending already */
	}
}

/* Ends the watch from the network thread with rc (a render error). */
static void watch_fail(struct watch *w, int rc)
{
	pthread_mutex_lock(&w->lock);
	if (!w->failed)
		w->failed = rc;
	pthread_mutex_unlock(&w->lock);
	watch_poke(w);
}

static void watch_on_change(void *ctx, struct room_doc *d)
{
	struct watch *w = ctx;
	struct watch_item *it;
	struct timespec ts;
	int rc;

	it = calloc(1, sizeof(*it));
	if (!it) {
		watch_fail(w, -ENOMEM);
		return;
	}
	rc = mesh_doc_render(&it->text, &it->len, room_doc_lock(d),
			     room_doc_schema(d), MESH_DOC_IDS);
	room_doc_unlock(d);
	if (rc) {
		free(it);
		watch_fail(w, rc);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	it->when_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	pthread_mutex_lock(&w->lock);
	*w->tail = it;
	w->tail = &it->next;
	pthread_mutex_unlock(&w->lock);
	watch_poke(w);
}

static void watch_on_state(void *ctx, enum room_conn_state state, int err)
{
	struct watch *w = ctx;

	(void)err;
	if (state == ROOM_CLOSED || state == ROOM_RECONNECTING) {
		pthread_mutex_lock(&w->lock);
		w->closed = true;
		pthread_mutex_unlock(&w->lock);
		watch_poke(w);
	}
}

/* Parses a render with ids; NULL on failure (it came from our renderer). */
static cJSON *parse_render(const char *text, size_t len)
{
	cJSON *v = NULL;

	if (mesh_json_parse(&v, text, len, NULL))
		return NULL;
	return v;
}

/* "HH:MM:SS PATH: <what changed>" */
static void print_summary(const char *path, const char *before, size_t blen,
			  const struct watch_item *it)
{
	cJSON *a = parse_render(before, blen),
	      *b = parse_render(it->text, it->len);
	char when[16], *sum = NULL;
	time_t t = (time_t)(it->when_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "?");
	if (a && b && !cli_json_diff_summary(&sum, a, b, 4))
		printf("%s %s: %s\n", when, path, sum);
	else
		printf("%s %s: changed (%zu -> %zu bytes)\n", when, path, blen,
		       it->len);
	free(sum);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static int watch_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_ROOM_LONGOPTS,
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "ids", no_argument, NULL, OPT_IDS },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { .wake = { -1, -1 } };
	struct room_config cfg;
	struct room_client *c = NULL;
	struct cli_room_opts ro = { 0 };
	struct sigaction sa, old_int, old_term;
	struct watch_item *it, *next;
	struct util_error err;
	struct pollfd pfd;
	bool summary = false, ids = false, signals = false;
	char *last = NULL, *shown = NULL, buf[64], *end;
	size_t last_len = 0, shown_len = 0;
	long long count = -1, seen = 0;
	const char *path;
	int ch, r, rc = 0, listener = 0, failed;
	bool closed;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":sn:", longopts, NULL)) != -1) {
		r = cli_room_option(&ro, cmd, ch, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r)
			continue;
		switch (ch) {
		case 's':
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_IDS:
			ids = true;
			break;
		case 'n':
		case OPT_COUNT:
			errno = 0;
			count = strtoll(optarg, &end, 10);
			if (errno || *end || count < 1 || optarg[0] < '0' ||
			    optarg[0] > '9')
				return cli_usage_error(
					cmd,
					"--count wants a number > 0, got "
					"'%s'",
					optarg);
			break;
		default:
			return cli_bad_option(cmd, ch, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd, "wants one PATH");
	path = argv[optind];

	pthread_mutex_init(&w.lock, NULL);
	w.tail = &w.head;
	if (pipe(w.wake)) {
		rc = -errno;
		cli_cmd_err(cmd, NULL, "pipe: %s", strerror(errno));
		goto out;
	}
	/* signals first: ^C during the connect must not kill us mid-way */
	watch_signal_fd = w.wake[1];
	watch_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signals = true;

	room_config_init(&cfg);
	cfg.on_state = watch_on_state;
	cfg.state_ctx = &w;
	rc = cli_room_connect_cfg(&c, cmd, &ro, &cfg);
	if (rc)
		goto out;
	util_error_clear(&err);
	rc = room_doc_open(&w.doc, c, path, false, &err);
	if (rc) {
		if (rc == -ENOENT && !err.msg[0])
			util_error_set(&err, -1, "no such document");
		cli_room_err(cmd, path, rc, &err);
		goto out;
	}
	/* the first render is taken under the lock that also orders the
	 * listener's renders after it */
	rc = mesh_doc_render(&last, &last_len, room_doc_lock(w.doc),
			     room_doc_schema(w.doc), MESH_DOC_IDS);
	if (!rc) {
		listener = room_doc_listen(w.doc, watch_on_change, &w);
		if (listener < 0)
			rc = listener;
	}
	room_doc_unlock(w.doc);
	if (rc) {
		cli_cmd_err(cmd, path, "%s", strerror(-rc));
		goto out;
	}
	if (summary) {
		printf("%s: watching (%zu bytes)\n", path, last_len);
	} else if (ids) {
		fwrite(last, 1, last_len, stdout);
	} else {
		rc = cli_doc_strip_ids(&shown, &shown_len, last, last_len);
		if (rc)
			goto out;
		fwrite(shown, 1, shown_len, stdout);
		free(shown);
		shown = NULL;
	}
	fflush(stdout);

	while (!watch_stop && (count < 0 || seen < count)) {
		pthread_mutex_lock(&w.lock);
		it = w.head;
		if (it) {
			w.head = it->next;
			if (!w.head)
				w.tail = &w.head;
		}
		failed = w.failed;
		closed = w.closed;
		pthread_mutex_unlock(&w.lock);
		if (it) {
			if (summary) {
				print_summary(path, last, last_len, it);
			} else if (ids) {
				fwrite(it->text, 1, it->len, stdout);
			} else if (!cli_doc_strip_ids(&shown, &shown_len,
						      it->text, it->len)) {
				fwrite(shown, 1, shown_len, stdout);
				free(shown);
				shown = NULL;
			}
			if (fflush(stdout) || ferror(stdout)) {
				rc = -EIO;
				/* a closed pipe (| head) is a normal end */
				goto out;
			}
			free(last);
			last = it->text;
			last_len = it->len;
			free(it);
			seen++;
			continue;
		}
		if (failed) {
			rc = failed;
			cli_cmd_err(cmd, path, "%s", strerror(-rc));
			goto out;
		}
		if (closed) {
			rc = -ENOTCONN;
			cli_cmd_err(cmd, path,
				    "the connection to the room "
				    "was lost");
			goto out;
		}
		pfd.fd = w.wake[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) > 0) {
			if (read(w.wake[0], buf, sizeof(buf)) < 0) {
				/* EINTR: loop */
			}
		}
	}
out:
	if (w.doc) {
		if (listener > 0)
			room_doc_unlisten(w.doc, listener);
		room_doc_close(w.doc);
	}
	room_client_close(c);
	for (it = w.head; it; it = next) {
		next = it->next;
		free(it->text);
		free(it);
	}
	free(last);
	free(shown);
	if (signals) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		watch_signal_fd = -1;
	}
	if (w.wake[0] >= 0) {
		close(w.wake[0]);
		close(w.wake[1]);
	}
	pthread_mutex_destroy(&w.lock);
	return cli_exit(rc);
}

const struct cli_cmd cli_get_cmd = {
	.name = "get",
	.path = "get",
	.synopsis = "[--ids] [-c] [ROOM OPTIONS] PATH",
	.summary = "Print a document of the room as JSON.",
	.help = "Prints the document JSON (sync.describe), pretty-printed.\n"
		"\n"
		"  --ids          render from a live replica, with each "
		"element's \"$id\"\n"
		"  -c, --compact  one line, as the server sends it\n"
		"\n" CLI_ROOM_HELP,
	.run = get_run,
};

const struct cli_cmd cli_create_cmd = {
	.name = "create",
	.path = "create",
	.synopsis = "[--json FILE] [--schema SCHEMA] [ROOM OPTIONS] PATH",
	.summary = "Create a document in the room.",
	.help = "Creates the document PATH (sync.create), empty or from "
		"--json.  Without\n"
		"--schema the room picks the schema from PATH's extension "
		"(.schemas/EXT.json).\n"
		"\n"
		"  --json FILE      the document JSON ('-' = stdin)\n"
		"  --schema SCHEMA  a MeshSchema file, or the name of a "
		"built-in one\n"
		"                   (thread, document, ...); the JSON is "
		"checked against it\n"
		"                   before anything is sent\n"
		"\n" CLI_ROOM_HELP,
	.run = create_run,
};

const struct cli_cmd cli_watch_cmd = {
	.name = "watch",
	.path = "watch",
	.synopsis = "[--summary] [--count N] [--ids] [ROOM OPTIONS] PATH",
	.summary = "Print a document on every change made by others.",
	.help = "Opens PATH live and prints its JSON, then again after every "
		"remote change,\n"
		"until interrupted (SIGINT, SIGTERM).\n"
		"\n"
		"  -s, --summary    one line per change instead: the time and "
		"the JSON\n"
		"                   pointers of what was added, removed or "
		"changed\n"
		"  -n, --count N    stop after N changes\n"
		"  --ids            keep each element's \"$id\" in the JSON\n"
		"\n" CLI_ROOM_HELP,
	.run = watch_run,
};
