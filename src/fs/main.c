/* SPDX-License-Identifier: MIT */
/*
 * main.c - meshfs: mount a MeshAgent room as a folder.
 *
 *	meshfs [options] [ROOM_URL] MOUNTPOINT
 *
 * With a room URL (or $MESHAGENT_ROOM_URL) it connects to that room with
 * the client's usual configuration (room_target_resolve: token from the
 * environment or -o token_file=).  Without one it runs an embedded room
 * (server.h) in-process on 127.0.0.1, with its data under
 * $XDG_DATA_HOME/meshfs/rooms, and writes the room's URL and a token next
 * to it so that other clients can join.
 *
 * Start-up happens in the child when meshfs goes to the background: the
 * parent waits on a pipe until the mount is up (or failed), so that
 * `meshfs ...; ls MOUNTPOINT` works and errors reach the terminal and the
 * exit status.  No thread exists before the fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"

#include <fuse_lowlevel.h>
#include "server.h"

#ifndef MESHFS_SCHEMAS_DIR
#define MESHFS_SCHEMAS_DIR "/usr/local/share/meshfs/schemas"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static const char usage_text[] =
	"Usage: meshfs [OPTIONS] [ROOM_URL] MOUNTPOINT\n"
	"Mount a MeshAgent room as a folder.  Documents (files whose extension\n"
	"has a schema in .schemas/) read as JSON and take JSON back.\n"
	"\n"
	"Without ROOM_URL (and without MESHAGENT_ROOM_URL) an embedded local\n"
	"room is served on 127.0.0.1 and mounted.\n"
	"\n"
	"meshfs options (-o NAME[=VALUE]):\n"
	"    -o timeout=SECONDS   timeout of every request (default 10)\n"
	"    -o ids               show each element's \"$id\" in documents\n"
	"    -o ro                read-only mount\n"
	"    -o token_file=FILE   participant token (else MESHAGENT_TOKEN, ...)\n"
	"    -o room=NAME         embedded room: its name (default: the\n"
	"                         mount point's name)\n"
	"    -o data=DIR          embedded room: data folder (default\n"
	"                         $XDG_DATA_HOME/meshfs/rooms)\n"
	"    -o port=PORT         embedded room: TCP port (default: any free)\n"
	"    -o schemas=DIR       embedded room: built-in schemas (default\n"
	"                         " MESHFS_SCHEMAS_DIR ")\n"
	"    -o rejected=DIR      where rejected writes are kept (default\n"
	"                         $XDG_STATE_HOME/meshfs/rejected/ROOM)\n"
	"    -o max_docs=N        documents kept open after their last close\n"
	"                         (default 32; rooms cap a connection's\n"
	"                         streams, meshroomd at 64)\n"
	"    -h, --help           show this help and exit\n"
	"    -V, --version        show the version and exit\n"
	"\n";

enum { KEY_HELP, KEY_VERSION, KEY_RO };

#define MFS_OPT(t, p, v)                           \
	{                                          \
		t, offsetof(struct mfs_opts, p), v \
	}
static const struct fuse_opt mfs_opt_spec[] = {
	MFS_OPT("room=%s", room, 0),
	MFS_OPT("data=%s", data, 0),
	MFS_OPT("token_file=%s", token_file, 0),
	MFS_OPT("schemas=%s", schemas, 0),
	MFS_OPT("rejected=%s", rejected, 0),
	MFS_OPT("port=%d", port, 0),
	MFS_OPT("timeout=%d", timeout_s, 0),
	MFS_OPT("max_docs=%d", max_docs, 0),
	MFS_OPT("ids", ids, 1),
	FUSE_OPT_KEY("ro", KEY_RO),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END,
};

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct mfs_opts *o = data;

	(void)outargs;
	switch (key) {
	case KEY_HELP:
		o->show_help = 1;
		return 0;
	case KEY_VERSION:
		o->show_version = 1;
		return 0;
	case KEY_RO:
		o->ro = 1;
		return 1; /* the kernel enforces it too (EROFS) */
	case FUSE_OPT_KEY_NONOPT:
		if (o->npos == 2) {
			o->too_many = true;
			return 0;
		}
		o->pos[o->npos++] = strdup(arg);
		return 0;
	default:
		return 1;
	}
}

/* ---- files and folders --------------------------------------------------- */

static int mkdir_p(const char *path, mode_t mode)
{
	char *p = strdup(path), *s;
	int r = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			r = -errno;
		*s = '/';
		if (r)
			break;
	}
	if (!r && mkdir(p, mode) < 0 && errno != EEXIST)
		r = -errno;
	free(p);
	return r;
}

/* $XDG_<kind>_HOME or ~/<fallback>, plus a suffix. */
static char *xdg_path(const char *env, const char *fallback, const char *suffix)
{
	const char *base = getenv(env), *home = getenv("HOME");
	char *out;

	if (base && *base) {
		if (asprintf(&out, "%s/%s", base, suffix) < 0)
			return NULL;
	} else {
		if (asprintf(&out, "%s/%s/%s", home && *home ? home : "/tmp",
			     fallback, suffix) < 0)
			return NULL;
	}
	return out;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text), done = 0;

	if (fd < 0)
		return -errno;
	fchmod(fd, mode);
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		done += (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[512];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return n ? strdup(buf) : NULL;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* ---- the embedded room ------------------------------------------------- */

/* A room name from the mount point's name: [A-Za-z0-9._~@+-], no leading
 * dot. */
static char *room_from_mountpoint(const char *mp)
{
	const char *b = strrchr(mp, '/');
	char *r, *s;

	b = b && b[1] ? b + 1 : mp;
	while (*b == '.')
		b++;
	r = strdup(*b ? b : "meshfs");
	if (!r)
		return NULL;
	for (s = r; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.~@+", *s)))
			*s = '-';
	if (strlen(r) > 128)
		r[128] = '\0';
	return r;
}

/* The data folder's secret, made (0600) on first use and then reused. */
static char *room_secret(const char *data)
{
	char *file, *secret = NULL;
	uint8_t raw[32];

	if (asprintf(&file, "%s/.meshfs-secret", data) < 0)
		return NULL;
	secret = read_text(file);
	if (!secret && util_random(raw, sizeof(raw)) == 0 &&
	    util_base64_encode(&secret, NULL, UTIL_BASE64_URL, raw,
			       sizeof(raw)) == 0) {
		int r = write_file(file, secret, 0600);

		if (r < 0) {
			util_log_error("%s: %s", file, strerror(-r));
			free(secret);
			secret = NULL;
		}
	}
	free(file);
	return secret;
}

static char *mint_token(const char *room, const char *secret)
{
	struct proto_token t;
	char *jwt = NULL;
	cJSON *scope;

	if (proto_token_init(&t, "meshfs"))
		return NULL;
	scope = proto_api_scope_agent_default();
	if (!proto_token_add_grant(&t, "room", room) &&
	    !proto_token_add_grant(&t, "role", "user") && scope &&
	    !proto_token_add_api_grant(&t, scope))
		proto_token_mint(&jwt, &t, secret);
	proto_token_free(&t);
	return jwt;
}

/* Starts the embedded room; fills m->room, m->url and *token. */
static int start_room(struct mfs *m, char **token)
{
	struct srv_config cfg;
	char *data = m->o.data ? strdup(m->o.data) :
				 xdg_path("XDG_DATA_HOME", ".local/share",
					  "meshfs/rooms");
	char *secret = NULL, *dir = NULL, *file = NULL;
	const char *schemas;
	int r;

	if (!data)
		return -ENOMEM;
	r = mkdir_p(data, 0700);
	if (r < 0) {
		util_log_error("%s: %s", data, strerror(-r));
		goto out;
	}
	m->room = m->o.room ? strdup(m->o.room) :
			      room_from_mountpoint(m->o.mountpoint);
	secret = room_secret(data);
	r = -ENOMEM;
	if (!m->room || !secret)
		goto out;

	schemas = m->o.schemas ? m->o.schemas : getenv("MESHFS_SCHEMAS_DIR");
	srv_config_init(&cfg);
	cfg.host = "127.0.0.1";
	cfg.port = m->o.port;
	cfg.data_dir = data;
	cfg.secret = secret;
	cfg.schemas_dir = schemas && *schemas ? schemas : MESHFS_SCHEMAS_DIR;
	r = srv_new(&m->srv, &cfg);
	if (r < 0) {
		util_log_error("embedded room: cannot start the server in %s: "
			       "%s",
			       data, strerror(-r));
		goto out;
	}
	r = srv_start(m->srv);
	if (r < 0) {
		util_log_error("embedded room: %s", strerror(-r));
		goto out;
	}
	r = -ENOMEM;
	if (asprintf(&m->url, "ws://127.0.0.1:%d/rooms/%s", srv_port(m->srv),
		     m->room) < 0) {
		m->url = NULL;
		goto out;
	}
	*token = mint_token(m->room, secret);
	if (!*token)
		goto out;
	/* Let other clients join: the URL and a token next to the data. */
	if (asprintf(&dir, "%s/.meshfs", data) < 0) {
		dir = NULL;
		goto out;
	}
	mkdir(dir, 0700);
	if (asprintf(&file, "%s/%s.url", dir, m->room) >= 0) {
		char *line;

		if (asprintf(&line, "%s\n", m->url) >= 0) {
			write_file(file, line, 0600);
			free(line);
		}
		free(file);
	}
	if (asprintf(&file, "%s/%s.token", dir, m->room) < 0) {
		file = NULL;
		goto out;
	}
	write_file(file, *token, 0600);
	util_log_info("embedded room %s at %s (data %s/%s; token in %s)",
		      m->room, m->url, data, m->room, file);
	if (!m->o.rejected)
		m->o.rejected = NULL;
	r = 0;
out:
	free(file);
	free(dir);
	free(secret);
	free(data);
	return r;
}

/* ---- the client ---------------------------------------------------------- */

static void on_file_event(void *ctx, const struct room_file_event *ev)
{
	mfs_queue_event(ctx, ev);
}

static void on_state(void *ctx, enum room_conn_state state, int err)
{
	static int was_lost;
	struct mfs *m = ctx;

	if (state == ROOM_RECONNECTING && !was_lost) {
		was_lost = 1;
		util_log_warn("connection to room %s lost (%s); reconnecting",
			      m->room ? m->room : "?",
			      err ? strerror(-err) : "closed");
	} else if (state == ROOM_CONNECTED && was_lost) {
		was_lost = 0;
		util_log_warn("reconnected to room %s",
			      m->room ? m->room : "?");
		mfs_queue_reset(m);
	}
}

static int connect_room(struct mfs *m, const char *token)
{
	struct room_config cfg;
	struct util_error err;
	int r;

	room_config_init(&cfg);
	cfg.url = m->url;
	cfg.token = token;
	if (m->o.timeout_s > 0)
		cfg.timeout_ms = m->o.timeout_s * 1000;
	cfg.on_file_event = on_file_event;
	cfg.file_event_ctx = m;
	cfg.on_state = on_state;
	cfg.state_ctx = m;
	/* A mount outlives server restarts (meshroomd closes with 1000 when
	 * it stops): come back when the server does (DESIGN.md decision 7). */
	cfg.reconnect_after_close = true;
	util_error_clear(&err);
	r = room_client_connect(&m->client, &cfg, &err);
	if (r < 0) {
		util_log_error("cannot connect to %s: %s", m->url,
			       err.msg[0] ? err.msg : strerror(-r));
		return r;
	}
	if (!m->room && room_client_room(m->client))
		m->room = strdup(room_client_room(m->client));
	if (proto_token_decode(&m->claims, token, NULL) == 0)
		m->have_claims = true;
	return 0;
}

/* ---- local folders ------------------------------------------------------- */

static int make_rundir(struct mfs *m)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char *tmpl, *p;
	struct stat st;

	if (!base || !*base || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(base, W_OK) < 0)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&tmpl, "%s/meshfs-XXXXXX", base) < 0)
		return -ENOMEM;
	if (!mkdtemp(tmpl)) {
		int e = errno;

		util_log_error("%s: %s", tmpl, strerror(e));
		free(tmpl);
		return -e;
	}
	m->rundir = tmpl;
	if (asprintf(&p, "%s/local", tmpl) < 0)
		return -ENOMEM;
	mkdir(p, 0700);
	m->shadowfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	if (asprintf(&p, "%s/stage", tmpl) < 0)
		return -ENOMEM;
	mkdir(p, 0700);
	m->stagefd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	if (m->shadowfd < 0 || m->stagefd < 0)
		return -errno;
	return 0;
}

static void remove_rundir(struct mfs *m)
{
	if (m->shadowfd >= 0)
		close(m->shadowfd);
	if (m->stagefd >= 0)
		close(m->stagefd);
	if (m->rundir)
		nftw(m->rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(m->rundir);
	m->rundir = NULL;
}

static int make_rejected_dir(struct mfs *m)
{
	char *sub;
	int r;

	if (m->o.rejected) {
		m->rejected_dir = strdup(m->o.rejected);
	} else {
		if (asprintf(&sub, "meshfs/rejected/%s",
			     m->room ? m->room : "room") < 0)
			return -ENOMEM;
		m->rejected_dir =
			xdg_path("XDG_STATE_HOME", ".local/state", sub);
		free(sub);
	}
	if (!m->rejected_dir)
		return -ENOMEM;
	r = mkdir_p(m->rejected_dir, 0700);
	if (r < 0)
		util_log_warn("%s: %s (rejected writes will not be kept)",
			      m->rejected_dir, strerror(-r));
	return 0;
}

/* ---- background ---------------------------------------------------------- */

/* Forks; the parent exits with the status the child reports on the pipe
 * (0 once mounted), 1 if the child dies first. */
static int go_background(int *notify_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1) {
			int st;

			waitpid(pid, &st, 0);
			_exit(1);
		}
		_exit(c);
	}
	close(p[0]);
	setsid();
	*notify_fd = p[1];
	return 0;
}

static void notify_parent(int *fd, char status)
{
	if (*fd < 0)
		return;
	if (write(*fd, &status, 1) < 0) {
		/* the parent is gone: nothing to tell */
	}
	close(*fd);
	*fd = -1;
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts copts;
	struct mfs m;
	struct room_target target;
	struct util_error err;
	struct fuse_session *se;
	char *token = NULL, *mp = NULL, *fsname = NULL;
	const char *url;
	int notify_fd = -1, r, status = 1;

	memset(&m, 0, sizeof(m));
	memset(&copts, 0, sizeof(copts));
	memset(&target, 0, sizeof(target));
	m.shadowfd = -1;
	m.stagefd = -1;
	m.o.max_docs = 32;
	util_log_set_prog("meshfs");

	if (fuse_opt_parse(&args, &m.o, mfs_opt_spec, opt_proc) < 0)
		return 2;
	if (m.o.show_version) {
		printf("meshfs %s\n", PACKAGE_VERSION);
		printf("FUSE library version %s\n", fuse_pkgversion());
		return 0;
	}
	if (m.o.show_help) {
		fputs(usage_text, stdout);
		printf("FUSE options:\n");
		fuse_cmdline_help();
		fuse_lib_help(&args);
		return 0;
	}
	if (m.o.too_many || m.o.npos == 0) {
		fprintf(stderr,
			"meshfs: %s\nUsage: meshfs [OPTIONS] [ROOM_URL] "
			"MOUNTPOINT (meshfs --help)\n",
			m.o.too_many ? "too many arguments" :
				       "no mount point given");
		return 2;
	}
	url = m.o.npos == 2 ? m.o.pos[0] : getenv("MESHAGENT_ROOM_URL");
	if (url && !*url)
		url = NULL;
	fuse_opt_add_arg(&args, m.o.pos[m.o.npos - 1]);
	if (fuse_parse_cmdline(&args, &copts) < 0 || !copts.mountpoint) {
		fprintf(stderr, "meshfs: no mount point given\n");
		return 2;
	}
	mp = realpath(copts.mountpoint, NULL);
	if (!mp) {
		fprintf(stderr, "meshfs: %s: %s\n", copts.mountpoint,
			strerror(errno));
		return 1;
	}
	m.o.mountpoint = mp;
	m.render_flags = m.o.ids ? MESH_DOC_IDS : 0;
	m.uid = getuid();
	m.gid = getgid();
	if (copts.debug)
		util_log_set_level(UTIL_LOG_DEBUG);
	else if (copts.foreground)
		util_log_set_level(UTIL_LOG_INFO);
	if (m.o.timeout_s < 0) {
		fprintf(stderr, "meshfs: -o timeout= must be positive\n");
		return 2;
	}

	if (!copts.foreground && go_background(&notify_fd) < 0) {
		fprintf(stderr, "meshfs: fork: %s\n", strerror(errno));
		return 1;
	}

	if (mfs_cache_init(&m) < 0)
		goto out;
	r = make_rundir(&m);
	if (r < 0)
		goto out_cache;
	if (url) {
		util_error_clear(&err);
		r = room_target_resolve(&target, url, m.o.room, NULL,
					m.o.token_file, &err);
		if (r < 0) {
			util_log_error("%s",
				       err.msg[0] ? err.msg : strerror(-r));
			goto out_rundir;
		}
		m.url = strdup(target.url);
		m.room = target.room ? strdup(target.room) : NULL;
		token = strdup(target.token);
		if (!m.url || !token)
			goto out_rundir;
	} else if (start_room(&m, &token) < 0) {
		goto out_rundir;
	}
	if (make_rejected_dir(&m) < 0)
		goto out_rundir;
	if (connect_room(&m, token) < 0)
		goto out_rundir;

	if (asprintf(&fsname, "fsname=%s", m.url) >= 0) {
		char *esc = NULL;

		/* fuse_opt_add_opt_escaped: commas in the URL stay. */
		if (fuse_opt_add_opt_escaped(&esc, fsname) == 0) {
			char *o;

			if (asprintf(&o, "-o%s", esc) >= 0) {
				fuse_opt_add_arg(&args, o);
				free(o);
			}
		}
		free(esc);
	}
	m.fuse = fuse_new(&args, &mfs_ops, sizeof(mfs_ops), &m);
	if (!m.fuse)
		goto out_client;
	if (fuse_mount(m.fuse, mp) != 0)
		goto out_fuse;
	se = fuse_get_session(m.fuse);
	if (fuse_set_signal_handlers(se) != 0)
		goto out_unmount;
	if (mfs_worker_start(&m) < 0)
		goto out_signals;

	if (m.srv)
		fprintf(stderr,
			"meshfs: room %s mounted on %s; other clients join at "
			"%s with the token in %s/.meshfs/%s.token\n",
			m.room, mp, m.url,
			m.o.data ? m.o.data : "$XDG_DATA_HOME/meshfs/rooms",
			m.room);
	notify_parent(&notify_fd, 0);
	if (!copts.foreground) {
		if (chdir("/") < 0) {
			/* stay where we are */
		}
		util_log_use_syslog("meshfs");
		detach_stdio();
	}

	if (copts.singlethread) {
		r = fuse_loop(m.fuse);
	} else {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();

		if (!lc) {
			r = -ENOMEM;
		} else {
			fuse_loop_cfg_set_clone_fd(lc,
						   (unsigned)copts.clone_fd);
			fuse_loop_cfg_set_idle_threads(lc,
						       copts.max_idle_threads);
			if (copts.max_threads && copts.max_threads <= 100000)
				fuse_loop_cfg_set_max_threads(
					lc, copts.max_threads);
			r = fuse_loop_mt(m.fuse, lc);
			fuse_loop_cfg_destroy(lc);
		}
	}
	status = r == 0 ? 0 : 1;

	/* Unmounted: upload what is dirty, close the documents. */
	mfs_release_all(&m);
	mfs_plains_trim(&m, false);
	mfs_plains_free(&m);
	mfs_docs_trim(&m, true);
	mfs_worker_stop(&m);
out_signals:
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_unmount(m.fuse);
out_fuse:
	mfs_worker_stop(&m);
	fuse_destroy(m.fuse);
	m.fuse = NULL;
out_client:
	room_client_close(m.client);
out_rundir:
	if (m.srv) {
		srv_stop(m.srv);
		srv_free(m.srv);
	}
	remove_rundir(&m);
out_cache:
	mfs_cache_free(&m);
out:
	notify_parent(&notify_fd, 1);
	if (m.have_claims)
		proto_token_free(&m.claims);
	room_target_free(&target);
	free(fsname);
	free(token);
	free(m.url);
	free(m.room);
	free(m.rejected_dir);
	free(mp);
	free(copts.mountpoint);
	free(m.o.pos[0]);
	free(m.o.pos[1]);
	free(m.o.room);
	free(m.o.data);
	free(m.o.token_file);
	free(m.o.schemas);
	free(m.o.rejected);
	fuse_opt_free_args(&args);
	return status;
}
