/* SPDX-License-Identifier: MIT */
/*
 * srv.c - the room server object (server.h) and its libwebsockets event
 * loop: the listening vhost, admission of WebSocket upgrades on
 * /rooms/<room> (token checks answered with HTTP 403/404 before the
 * upgrade, spec §2), the plain HTTP endpoints (GET / and the storage
 * download URL), rooms, toolkit registration, srv_defer and shutdown.
 *
 * One lws protocol handles both HTTP and WebSocket traffic; lws calls it
 * in the event-loop thread only.  Other threads reach the loop through
 * srv_defer (a mutex-protected queue + lws_cancel_service, which makes lws
 * call LWS_CALLBACK_EVENT_WAIT_CANCELLED in the loop thread).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "srvcore.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* Folder under the data dir for private per-room state (not a room:
 * room names cannot start with '.'). */
#define SRV_STATE_DIR ".meshroomd"

const char *srv_version(void)
{
	return PACKAGE_VERSION;
}

void srv_config_init(struct srv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->host = SRV_DEFAULT_HOST;
	cfg->port = SRV_DEFAULT_PORT;
	cfg->max_message = SRV_DEFAULT_MAX_MESSAGE;
	cfg->max_streams = SRV_DEFAULT_MAX_STREAMS;
	cfg->max_conns = SRV_DEFAULT_MAX_CONNS;
	cfg->log_level = -1;
}

const struct srv_config *srv_config(const struct srv *srv)
{
	return &srv->cfg;
}

/* ---------------------------------------------------------------------
 * Toolkits and hooks
 * --------------------------------------------------------------------- */

int srv_register_toolkit(struct srv *srv, const struct srv_toolkit *tk)
{
	if (!tk || !tk->name)
		return -EINVAL;
	if (srv_toolkit_find(srv, tk->name))
		return -EEXIST;
	if (srv->ntoolkits == SRV_MAX_TOOLKITS)
		return -ENOSPC;
	srv->toolkits[srv->ntoolkits++] = tk;
	return 0;
}

const struct srv_toolkit *srv_toolkit_find(struct srv *srv, const char *name)
{
	unsigned i;

	for (i = 0; i < srv->ntoolkits; i++)
		if (!strcmp(srv->toolkits[i]->name, name))
			return srv->toolkits[i];
	return NULL;
}

int srv_hook_storage_delete(struct srv_room *room, const char *path,
			    bool is_folder)
{
	struct srv *srv = room->srv;
	unsigned i;
	int r;

	for (i = 0; i < srv->ntoolkits; i++) {
		if (!srv->toolkits[i]->storage_delete)
			continue;
		r = srv->toolkits[i]->storage_delete(room, path, is_folder);
		if (r < 0)
			return r;
	}
	return 0;
}

int srv_hook_storage_move(struct srv_room *room, const char *src,
			  const char *dst, bool is_folder)
{
	struct srv *srv = room->srv;
	unsigned i;
	int r;

	for (i = 0; i < srv->ntoolkits; i++) {
		if (!srv->toolkits[i]->storage_move)
			continue;
		r = srv->toolkits[i]->storage_move(room, src, dst, is_folder);
		if (r < 0)
			return r;
	}
	return 0;
}

int srv_hook_storage_write(struct srv_room *room, const char *path)
{
	struct srv *srv = room->srv;
	unsigned i;
	int r;

	for (i = 0; i < srv->ntoolkits; i++) {
		if (!srv->toolkits[i]->storage_write)
			continue;
		r = srv->toolkits[i]->storage_write(room, path);
		if (r < 0)
			return r;
	}
	return 0;
}

int srv_hook_storage_read(struct srv_room *room, const char *path)
{
	struct srv *srv = room->srv;
	unsigned i;
	int r;

	for (i = 0; i < srv->ntoolkits; i++) {
		if (!srv->toolkits[i]->storage_read)
			continue;
		r = srv->toolkits[i]->storage_read(room, path);
		if (r < 0)
			util_log_warn("room %s: %s: refreshing %s: %s",
				      room->name, srv->toolkits[i]->name, path,
				      strerror(-r));
	}
	return 0;
}

static void hooks_flush(struct srv *srv)
{
	unsigned i;

	for (i = 0; i < srv->ntoolkits; i++)
		if (srv->toolkits[i]->flush)
			srv->toolkits[i]->flush(srv);
}

/* ---------------------------------------------------------------------
 * Deferred calls
 * --------------------------------------------------------------------- */

int srv_defer(struct srv *srv, void (*fn)(void *arg), void *arg)
{
	struct srv_deferred *d = malloc(sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->arg = arg;
	d->next = NULL;
	/* ctx is read under the lock: srv_run clears it under the lock
	 * before destroying the context. */
	pthread_mutex_lock(&srv->defer_lock);
	if (srv->defer_tail)
		srv->defer_tail->next = d;
	else
		srv->defer_head = d;
	srv->defer_tail = d;
	if (srv->ctx)
		lws_cancel_service(srv->ctx);
	pthread_mutex_unlock(&srv->defer_lock);
	return 0;
}

void srv_wake(struct srv *srv)
{
	pthread_mutex_lock(&srv->defer_lock);
	if (srv->ctx)
		lws_cancel_service(srv->ctx);
	pthread_mutex_unlock(&srv->defer_lock);
}

void srv_run_deferred(struct srv *srv)
{
	struct srv_deferred *d, *next;

	for (;;) {
		pthread_mutex_lock(&srv->defer_lock);
		d = srv->defer_head;
		srv->defer_head = srv->defer_tail = NULL;
		pthread_mutex_unlock(&srv->defer_lock);
		if (!d)
			return;
		for (; d; d = next) {
			next = d->next;
			d->fn(d->arg);
			free(d);
		}
	}
}

/* ---------------------------------------------------------------------
 * Rooms
 * --------------------------------------------------------------------- */

bool srv_room_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > SRV_ROOM_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == '~' || c == '@' || c == '+'))
			return false;
	}
	return true;
}

struct srv_room *srv_rooms(struct srv *srv)
{
	return srv->rooms;
}

struct srv_room *srv_room_find(struct srv *srv, const char *name)
{
	struct srv_room *room;

	for (room = srv->rooms; room; room = room->next)
		if (!strcmp(room->name, name))
			return room;
	return NULL;
}

static int open_subdir(int *fd, int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	*fd = openat(dirfd, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

/*
 * Copies the built-in schemas into a new room's .schemas/.  Best effort:
 * a room works without them (documents then need a deployed schema), so
 * failures are logged, not returned.  Files already there are kept.
 */
static void seed_schemas(struct srv *srv, struct srv_room *room)
{
	const char *dir = srv->cfg.schemas_dir;
	struct dirent *de;
	DIR *d;
	int sfd = -1;

	if (!dir || !*dir)
		return;
	d = opendir(dir);
	if (!d) {
		util_log(UTIL_LOG_DEBUG,
			 "room %s: no built-in schemas (%s: %s)", room->name,
			 dir, strerror(errno));
		return;
	}
	if (open_subdir(&sfd, room->dirfd, ".schemas") < 0) {
		util_log(UTIL_LOG_WARN, "room %s: cannot create .schemas: %s",
			 room->name, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char buf[65536];
		ssize_t n = 0;
		int in, outfd;

		if (len < 6 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		in = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			continue;
		outfd = openat(sfd, de->d_name,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC,
			       0644);
		while (outfd >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(outfd, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
		if (outfd >= 0 && (n < 0 || close(outfd) < 0))
			util_log(UTIL_LOG_WARN, "room %s: seeding %s failed",
				 room->name, de->d_name);
		close(in);
	}
out:
	if (sfd >= 0)
		close(sfd);
	closedir(d);
}

static void room_free(struct srv_room *room)
{
	if (!room)
		return;
	if (room->dirfd >= 0)
		close(room->dirfd);
	if (room->state_dirfd >= 0)
		close(room->state_dirfd);
	free(room->name);
	free(room);
}

int srv_room_get(struct srv_room **out, struct srv *srv, const char *name)
{
	struct srv_room *room;
	struct stat st;
	bool fresh;
	unsigned i;
	int r;

	*out = srv_room_find(srv, name);
	if (*out)
		return 0;
	if (!srv_room_name_valid(name))
		return -EINVAL;
	room = calloc(1, sizeof(*room));
	if (!room)
		return -ENOMEM;
	room->srv = srv;
	room->dirfd = room->state_dirfd = -1;
	room->name = strdup(name);
	if (!room->name) {
		r = -ENOMEM;
		goto err;
	}
	r = util_uuid_v4(room->session_id);
	if (r < 0)
		goto err;
	fresh = fstatat(srv->datafd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		errno == ENOENT;
	r = open_subdir(&room->dirfd, srv->datafd, name);
	if (r < 0)
		goto err;
	if (fresh)
		seed_schemas(srv, room);
	r = open_subdir(&room->state_dirfd, srv->statefd, name);
	if (r < 0)
		goto err;
	for (i = 0; i < srv->ntoolkits; i++) {
		if (!srv->toolkits[i]->room_open)
			continue;
		r = srv->toolkits[i]->room_open(room);
		if (r < 0) {
			while (i-- > 0)
				if (srv->toolkits[i]->room_close)
					srv->toolkits[i]->room_close(room);
			goto err;
		}
	}
	room->next = srv->rooms;
	srv->rooms = room;
	util_log_info("room %s opened", name);
	*out = room;
	return 0;
err:
	util_log_error("room %s: cannot open: %s", name, strerror(-r));
	room_free(room);
	return r;
}

/* ---------------------------------------------------------------------
 * URLs and tokens of incoming requests
 * --------------------------------------------------------------------- */

/* Percent-encodes a storage path for a URL (keeps '/'). */
static int url_escape(char **out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0;
	char *buf = malloc(n * 3 + 1);

	if (!buf)
		return -ENOMEM;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c)) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

int srv_download_url(char **out, const struct srv_conn *conn, const char *path)
{
	const char *base = conn->base_url;
	char *esc = NULL;
	int r, skip = 0;

	*out = NULL;
	/* ws://h -> http://h, wss://h -> https://h */
	if (!strncmp(base, "ws", 2))
		skip = 2;
	r = url_escape(&esc, path);
	if (r < 0)
		return r;
	if (asprintf(out, "%s%s/rooms/%s/storage/%s?token=%s",
		     skip ? "http" : "", base + skip, conn->room->name, esc,
		     conn->jwt) < 0) {
		*out = NULL;
		r = -ENOMEM;
	}
	free(esc);
	return r;
}

/* The client-facing base URL: public_url, or scheme://Host. */
static char *base_url(struct srv *srv, struct lws *wsi)
{
	char host[256];
	char *url;

	if (srv->cfg.public_url)
		return strdup(srv->cfg.public_url);
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0 ||
	    strpbrk(host, "/ \"<>\\"))
		snprintf(host, sizeof(host), "%s:%d", srv->cfg.host, srv->port);
	if (asprintf(&url, "%s://%s", srv->cfg.tls_cert ? "wss" : "ws", host) <
	    0)
		return NULL;
	return url;
}

/* Where door.c puts a meshagent-room.<jwt> subprotocol offer. */
#define SUBPROTO_HEADER "x-meshroomd-subprotocol:"
#define SUBPROTO_PREFIX "meshagent-room."

/* The meshagent-room.<jwt> subprotocol the client offered (malloc'ed), or
 * NULL. */
static char *request_subproto(struct lws *wsi)
{
	int n = lws_hdr_custom_length(wsi, SUBPROTO_HEADER,
				      (int)strlen(SUBPROTO_HEADER));
	char *v;

	if (n <= (int)strlen(SUBPROTO_PREFIX) || n > SRV_MAX_HEADER_DATA)
		return NULL;
	v = malloc((size_t)n + 1);
	if (v && lws_hdr_custom_copy(wsi, v, n + 1, SUBPROTO_HEADER,
				     (int)strlen(SUBPROTO_HEADER)) != n) {
		free(v);
		v = NULL;
	}
	return v;
}

/*
 * The token of a request: ?token=, else "Authorization: Bearer", else the
 * meshagent-room.<jwt> subprotocol.  Returns a malloc'ed string or NULL
 * (none, or ENOMEM).
 */
static char *request_token(struct lws *wsi)
{
	char buf[8192], *sub, *jwt;
	const char *v;
	int n;

	v = lws_get_urlarg_by_name(wsi, "token=", buf, sizeof(buf));
	if (v && *v)
		return strdup(v);
	n = lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 7 && !strncasecmp(buf, "Bearer ", 7)) {
		v = buf + 7;
		while (*v == ' ')
			v++;
		return *v ? strdup(v) : NULL;
	}
	sub = request_subproto(wsi);
	if (!sub)
		return NULL;
	jwt = strdup(sub + strlen(SUBPROTO_PREFIX));
	free(sub);
	return jwt;
}

/*
 * Splits "/rooms/<room>[/rest]" (lws already percent-decoded the path):
 * room into room[], rest (without its leading '/') into *rest.  -ENOENT
 * if the path is not under /rooms/, -EINVAL for an invalid room name.
 */
static int split_room_path(char room[SRV_ROOM_NAME_MAX + 1], const char **rest,
			   const char *uri)
{
	const char *p, *slash;
	size_t n;

	*rest = NULL;
	if (strncmp(uri, "/rooms/", 7))
		return -ENOENT;
	p = uri + 7;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n > SRV_ROOM_NAME_MAX)
		return -EINVAL;
	memcpy(room, p, n);
	room[n] = '\0';
	if (!srv_room_name_valid(room))
		return -EINVAL;
	*rest = slash ? slash + 1 : "";
	return 0;
}

/*
 * Checks token against room: 0, or the HTTP status to answer (403).
 * On success *tok holds the claims (caller frees).
 */
static int check_token(struct proto_token *tok, struct srv *srv,
		       const char *jwt, const char *room)
{
	struct util_error err;
	int r;

	memset(tok, 0, sizeof(*tok));
	if (!jwt) {
		util_log_info("room %s: connection without a token refused",
			      room);
		return HTTP_STATUS_FORBIDDEN;
	}
	r = proto_token_verify(tok, jwt, srv->cfg.secret, room, 0, &err);
	if (r < 0) {
		util_log_info("room %s: token refused: %s", room,
			      r == -EKEYEXPIRED	 ? "expired" :
			      r == -EKEYREJECTED ? "bad signature" :
			      r == -EPERM	 ? "granted another room" :
						   err.msg);
		return HTTP_STATUS_FORBIDDEN;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * HTTP
 * --------------------------------------------------------------------- */

static int http_status(struct lws *wsi, unsigned status, const char *body)
{
	unsigned char buf[LWS_PRE + 1024];
	unsigned char *start = buf + LWS_PRE, *p = start,
		      *end = buf + sizeof(buf);
	size_t len = strlen(body);

	if (len > 256)
		len = 256;
	if (lws_add_http_common_headers(wsi, status, "text/plain", len, &p,
					end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	memcpy(start, body, len);
	if (lws_write(wsi, start, len, LWS_WRITE_HTTP_FINAL) != (int)len)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int http_storage_get(struct srv *srv, struct lws *wsi,
			    struct srv_pss *pss, const char *room_name,
			    const char *rest)
{
	unsigned char buf[LWS_PRE + 1024];
	unsigned char *start = buf + LWS_PRE, *p = start,
		      *end = buf + sizeof(buf);
	struct proto_token tok;
	struct srv_room *room;
	struct srv_conn fake;
	struct stat st;
	char *jwt, *path = NULL;
	int r, fd = -1, status;

	jwt = request_token(wsi);
	status = check_token(&tok, srv, jwt, room_name);
	free(jwt);
	if (status)
		return http_status(wsi, status, "forbidden\n");
	r = srv_path_norm(&path, rest);
	if (r < 0 || !*path) {
		status = HTTP_STATUS_BAD_REQUEST;
		goto out;
	}
	memset(&fake, 0, sizeof(fake));
	fake.token = tok;
	if (!srv_conn_can(&fake, SRV_STORAGE, path, false)) {
		status = HTTP_STATUS_FORBIDDEN;
		goto out;
	}
	room = srv_room_find(srv, room_name);
	if (!room) {
		struct stat rst;

		/* Only rooms that exist on disk: a GET creates nothing. */
		if (fstatat(srv->datafd, room_name, &rst,
			    AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(rst.st_mode) ||
		    srv_room_get(&room, srv, room_name)) {
			status = HTTP_STATUS_NOT_FOUND;
			goto out;
		}
	}
	srv_hook_storage_read(room, path);
	r = srv_room_open(&fd, room, path, O_RDONLY, 0);
	if (r < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		status = r == -ELOOP ? HTTP_STATUS_BAD_REQUEST :
				       HTTP_STATUS_NOT_FOUND;
		goto out;
	}
	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
					proto_mime_type(srv_path_base(path)),
					(lws_filepos_t)st.st_size, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end)) {
		status = -1;
		goto out;
	}
	pss->fd = fd;
	pss->left = (uint64_t)st.st_size;
	fd = -1;
	lws_callback_on_writable(wsi);
	status = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	proto_token_free(&tok);
	if (status > 0)
		return http_status(
			wsi, (unsigned)status,
			status == HTTP_STATUS_NOT_FOUND ? "not found\n" :
			status == HTTP_STATUS_FORBIDDEN ? "forbidden\n" :
							  "bad request\n");
	return status;
}

static int http_writeable(struct lws *wsi, struct srv_pss *pss)
{
	unsigned char buf[LWS_PRE + 16384];
	size_t want;
	ssize_t n;

	if (pss->fd < 0)
		return 0;
	want = pss->left < 16384 ? (size_t)pss->left : 16384;
	n = want ? read(pss->fd, buf + LWS_PRE, want) : 0;
	if (n < 0 || (want && n == 0))
		return -1; /* file shrank or I/O error: cut the response */
	pss->left -= (uint64_t)n;
	if (lws_write(wsi, buf + LWS_PRE, (size_t)n,
		      pss->left ? LWS_WRITE_HTTP : LWS_WRITE_HTTP_FINAL) != n)
		return -1;
	if (pss->left) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	close(pss->fd);
	pss->fd = -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int on_http(struct srv *srv, struct lws *wsi, struct srv_pss *pss,
		   const char *uri)
{
	char room[SRV_ROOM_NAME_MAX + 1];
	const char *rest;
	int r;

	pss->fd = -1;
	if (!lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
		return http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
				   "method not allowed\n");
	if (srv->stopping)
		return http_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
				   "shutting down\n");
	if (!strcmp(uri, "/"))
		return http_status(wsi, HTTP_STATUS_OK, "meshroomd\n");
	r = split_room_path(room, &rest, uri);
	if (r < 0 || strncmp(rest, "storage/", 8))
		return http_status(wsi, HTTP_STATUS_NOT_FOUND, "not found\n");
	return http_storage_get(srv, wsi, pss, room, rest + 8);
}

/* ---------------------------------------------------------------------
 * WebSocket admission
 * --------------------------------------------------------------------- */

/* HTTP_CONFIRM_UPGRADE: 0 to go on, 1 after answering an error status. */
static int confirm_upgrade(struct srv *srv, struct lws *wsi)
{
	char uri[1024], room[SRV_ROOM_NAME_MAX + 1];
	struct proto_token tok;
	struct srv_room *r_room;
	const char *rest;
	char *jwt;
	int status;

	if (srv->stopping) {
		lws_return_http_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
				       NULL);
		return 1;
	}
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    split_room_path(room, &rest, uri) < 0 || *rest) {
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return 1;
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL)) {
		/*
		 * A subprotocol lws sees itself: not a meshagent-room.<jwt>
		 * offer on a connection's first request (door.c moves those
		 * aside).  lws 4.1 would drop a long one silently and can
		 * only answer a name it has registered: refuse clearly
		 * instead (see meshroomd(8)).
		 */
		util_log_info(
			"room %s: WebSocket subprotocol refused (only "
			"meshagent-room.<jwt>, and only on a connection's "
			"first request: send the token as ?token= or "
			"Authorization: Bearer)",
			room);
		lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST, NULL);
		return 1;
	}
	jwt = request_token(wsi);
	status = check_token(&tok, srv, jwt, room);
	free(jwt);
	proto_token_free(&tok);
	if (status) {
		lws_return_http_status(wsi, (unsigned)status, NULL);
		return 1;
	}
	r_room = srv_room_find(srv, room);
	if (r_room && r_room->nconns >= srv->cfg.max_conns) {
		util_log_warn("room %s: connection limit (%u) reached", room,
			      srv->cfg.max_conns);
		lws_return_http_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
				       NULL);
		return 1;
	}
	return 0;
}

/* FILTER_PROTOCOL_CONNECTION: the checks again, keeping the results in
 * pss (the HTTP-phase pss is gone once the protocol is bound). */
static int filter_connection(struct srv *srv, struct lws *wsi,
			     struct srv_pss *pss)
{
	char uri[1024], room[SRV_ROOM_NAME_MAX + 1];
	const char *rest;
	int r;

	memset(pss, 0, sizeof(*pss));
	pss->fd = -1;
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    split_room_path(room, &rest, uri) < 0 || *rest)
		return -1;
	pss->jwt = request_token(wsi);
	if (check_token(&pss->token, srv, pss->jwt, room))
		return -1;
	pss->subproto = request_subproto(wsi);
	pss->have_token = true;
	pss->base_url = base_url(srv, wsi);
	if (!pss->base_url)
		return -1;
	r = srv_room_get(&pss->room, srv, room);
	if (r < 0)
		return -1;
	if (pss->room->nconns >= srv->cfg.max_conns)
		return -1;
	return 0;
}

static void pss_release(struct srv_pss *pss)
{
	if (pss->have_token)
		proto_token_free(&pss->token);
	pss->have_token = false;
	free(pss->jwt);
	pss->jwt = NULL;
	free(pss->subproto);
	pss->subproto = NULL;
	free(pss->base_url);
	pss->base_url = NULL;
}

/*
 * ADD_HEADERS of the 101 answer: echo the meshagent-room.<jwt> subprotocol
 * exactly (browsers fail the connection otherwise, spec §2.2).  lws wrote
 * no Sec-WebSocket-Protocol itself: it never saw the offer.
 */
static int add_headers(struct srv_pss *pss, struct lws_process_html_args *a)
{
	static const char name[] = "Sec-WebSocket-Protocol: ";
	size_t n;

	if (!pss || !pss->subproto)
		return 0;
	n = strlen(pss->subproto);
	if (a->max_len < 0 || sizeof(name) - 1 + n + 2 > (size_t)a->max_len) {
		util_log_warn("subprotocol of %zu bytes does not fit the "
			      "handshake answer",
			      n);
		return -1;
	}
	memcpy(a->p, name, sizeof(name) - 1);
	memcpy(a->p + sizeof(name) - 1, pss->subproto, n);
	memcpy(a->p + sizeof(name) - 1 + n, "\r\n", 2);
	a->p += sizeof(name) - 1 + n + 2;
	a->max_len -= (int)(sizeof(name) - 1 + n + 2);
	return 0;
}

/* ---------------------------------------------------------------------
 * The lws protocol callback
 * --------------------------------------------------------------------- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
		    void *user, void *in, size_t len)
{
	struct srv *srv = lws_context_user(lws_get_context(wsi));
	struct srv_pss *pss = user;
	int r;

	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (srv)
			srv_run_deferred(srv);
		return 0;
	case LWS_CALLBACK_HTTP:
		return on_http(srv, wsi, pss, in ? (const char *)in : "");
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_writeable(wsi, pss);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss && pss->fd > 0) {
			close(pss->fd);
			pss->fd = -1;
		}
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		if (!in || strcasecmp((const char *)in, "websocket")) {
			lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST,
					       NULL);
			return 1;
		}
		return confirm_upgrade(srv, wsi);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (filter_connection(srv, wsi, pss) < 0) {
			pss_release(pss);
			return -1;
		}
		return 0;
	case LWS_CALLBACK_ADD_HEADERS:
		return add_headers(pss, in);
	case LWS_CALLBACK_ESTABLISHED:
		r = srv_conn_new(&pss->conn, srv, wsi, pss);
		pss_release(pss);
		if (r < 0 && !pss->conn)
			return -1;
		if (r < 0)
			srv_conn_close(pss->conn,
				       LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
				       "out of memory");
		if (srv->stopping)
			srv_conn_close(pss->conn, LWS_CLOSE_STATUS_NORMAL,
				       "server shutting down");
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (!pss->conn)
			return -1;
		return srv_conn_receive(pss->conn, in, len,
					lws_is_first_fragment(wsi),
					lws_is_final_fragment(wsi),
					lws_frame_is_binary(wsi));
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		return pss->conn ? srv_conn_peer_closed(pss->conn) : 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!pss->conn)
			return -1;
		return srv_conn_writeable(pss->conn);
	case LWS_CALLBACK_CLOSED:
		if (pss->conn) {
			srv_conn_closed(pss->conn);
			pss->conn = NULL;
		}
		pss_release(pss);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{
		.name = "meshroomd",
		.callback = callback,
		.per_session_data_size = sizeof(struct srv_pss),
		/*
		 * Packets are at most 1024 bytes of data plus a header, so
		 * 4 KiB takes any well-formed frame whole; larger frames
		 * arrive in pieces that srv_conn_receive reassembles.  lws
		 * allocates this per connection: 64 KiB was most of an idle
		 * connection's memory.
		 */
		.rx_buffer_size = 4096,
		/*
		 * Without it lws cuts every send to rx_buffer_size and
		 * sends the rest 4 KiB per POLLOUT: a batch of frames
		 * (conn.c) must go out in one send.  Not an allocation.
		 */
		.tx_packet_size = SRV_TX_BATCH + LWS_PRE,
	},
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* lws log lines go to util's logger (errors and warnings only). */
static void lws_log_emit(int level, const char *line)
{
	char buf[512];
	size_t n;

	snprintf(buf, sizeof(buf), "lws: %s", line);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	/* lws 4.1 logs every socket adopted with its first bytes (door.c)
	 * at error level: that is no error. */
	if (strstr(buf, "adopt_socket_readbuf"))
		level = LLL_DEBUG;
	util_log(level == LLL_ERR ? UTIL_LOG_WARN : UTIL_LOG_DEBUG, "%s", buf);
}

/* ---------------------------------------------------------------------
 * Life cycle
 * --------------------------------------------------------------------- */

static char *dup_opt(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static void config_free(struct srv_config *c)
{
	free((char *)c->host);
	free((char *)c->data_dir);
	free((char *)c->secret);
	free((char *)c->tls_cert);
	free((char *)c->tls_key);
	free((char *)c->public_url);
}

int srv_new(struct srv **out, const struct srv_config *cfg)
{
	struct lws_context_creation_info info;
	struct srv *srv;
	bool oom = false;
	int r;

	*out = NULL;
	if (!cfg->data_dir || !cfg->secret || !*cfg->secret) {
		util_log_error("a data directory and a secret are required");
		return -EINVAL;
	}
	if (!cfg->tls_cert != !cfg->tls_key) {
		util_log_error("--tls-cert and --tls-key go together");
		return -EINVAL;
	}
	if (cfg->port < 0 || cfg->port > 65535) {
		util_log_error("invalid port %d", cfg->port);
		return -EINVAL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->datafd = srv->statefd = -1;
	pthread_mutex_init(&srv->defer_lock, NULL);
	atomic_init(&srv->stop_requested, false);
	srv->cfg = *cfg;
	srv->cfg.host = dup_opt(cfg->host ? cfg->host : SRV_DEFAULT_HOST, &oom);
	srv->cfg.data_dir = dup_opt(cfg->data_dir, &oom);
	srv->cfg.secret = dup_opt(cfg->secret, &oom);
	srv->cfg.tls_cert = dup_opt(cfg->tls_cert, &oom);
	srv->cfg.tls_key = dup_opt(cfg->tls_key, &oom);
	srv->cfg.public_url = dup_opt(cfg->public_url, &oom);
	if (oom) {
		r = -ENOMEM;
		goto err;
	}
	if (!srv->cfg.max_message)
		srv->cfg.max_message = SRV_DEFAULT_MAX_MESSAGE;
	if (!srv->cfg.max_streams)
		srv->cfg.max_streams = SRV_DEFAULT_MAX_STREAMS;
	if (!srv->cfg.max_conns)
		srv->cfg.max_conns = SRV_DEFAULT_MAX_CONNS;
	if (cfg->log_level >= 0)
		util_log_set_level((enum util_log_level)cfg->log_level);
	proto_limits_default(&srv->limits);
	srv->limits.max_message = srv->cfg.max_message;
	if (srv->limits.max_packets < proto_packet_count(srv->cfg.max_message))
		srv->limits.max_packets =
			(uint32_t)proto_packet_count(srv->cfg.max_message);

	if (mkdir(srv->cfg.data_dir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		util_log_error("%s: %s", srv->cfg.data_dir, strerror(errno));
		goto err;
	}
	srv->datafd =
		open(srv->cfg.data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (srv->datafd < 0) {
		r = -errno;
		util_log_error("%s: %s", srv->cfg.data_dir, strerror(errno));
		goto err;
	}
	if (mkdirat(srv->datafd, SRV_STATE_DIR, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		goto err;
	}
	srv->statefd = openat(srv->datafd, SRV_STATE_DIR,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (srv->statefd < 0) {
		r = -errno;
		util_log_error("%s/%s: %s", srv->cfg.data_dir, SRV_STATE_DIR,
			       strerror(errno));
		goto err;
	}

	r = srv_storage_init(srv);
	if (r < 0)
		goto err;
	r = srv_sync_init(srv);
	if (r < 0)
		goto err;

	/*
	 * Our own listener (door.c), for subprotocols; with --tls-cert it
	 * terminates TLS too and lws's vhost stays plain.
	 */
	r = srv_door_new(&srv->door, &srv->port, srv, srv->cfg.host,
			 srv->cfg.port);
	if (r < 0)
		goto err;
	lws_set_log_level(
		LLL_ERR | (util_log_enabled(UTIL_LOG_DEBUG) ? LLL_WARN : 0),
		lws_log_emit);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.iface = srv->cfg.host;
	/* room for a long subprotocol in the 101 answer (add_headers) */
	info.pt_serv_buf_size = 2 * SRV_MAX_HEADER_DATA;
	info.protocols = protocols;
	info.user = srv;
	info.gid = -1;
	info.uid = -1;
	info.max_http_header_data = SRV_MAX_HEADER_DATA;
	info.timeout_secs = 30;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 * 0;
	srv->ctx = lws_create_context(&info);
	if (!srv->ctx) {
		util_log_error("cannot create the libwebsockets context");
		r = -ENOMEM;
		goto err;
	}
	srv->vhost = lws_get_vhost_by_name(srv->ctx, "default");
	util_log_info("listening on %s://%s:%d, data in %s",
		      srv->cfg.tls_cert ? "https" : "http", srv->cfg.host,
		      srv->port, srv->cfg.data_dir);
	*out = srv;
	return 0;
err:
	srv_free(srv);
	return r;
}

int srv_port(const struct srv *srv)
{
	return srv->port;
}

/*
 * lws 4.1 ignores lws_service's timeout: poll waits for the next lws timer,
 * which can be ~30 s away.  While stopping, this tick makes the loop come
 * round often enough to keep the shutdown's deadline.
 */
static void stop_tick_cb(lws_sorted_usec_list_t *sul)
{
	struct srv *srv = lws_container_of(sul, struct srv, stop_tick);

	lws_sul_schedule(srv->ctx, 0, &srv->stop_tick, stop_tick_cb,
			 100 * LWS_US_PER_MS);
}

/* Stop: no new work, everything durable, every connection closed 1000. */
static void begin_shutdown(struct srv *srv)
{
	struct srv_room *room;
	struct srv_conn *conn;

	srv->stopping = true;
	lws_sul_schedule(srv->ctx, 0, &srv->stop_tick, stop_tick_cb,
			 100 * LWS_US_PER_MS);
	util_log_info("shutting down: flushing");
	hooks_flush(srv);
	/* answers the flush made possible (durable sync chunks) */
	srv_run_deferred(srv);
	for (room = srv->rooms; room; room = room->next)
		for (conn = room->conns; conn; conn = conn->room_next)
			srv_conn_close(conn, LWS_CLOSE_STATUS_NORMAL,
				       "server shutting down");
}

static unsigned count_conns(struct srv *srv)
{
	struct srv_room *room;
	unsigned n = 0;

	for (room = srv->rooms; room; room = room->next)
		n += room->nconns;
	return n;
}

int srv_run(struct srv *srv)
{
	struct lws_context *ctx;
	int64_t deadline = 0;

	if (srv->ran || !srv->ctx)
		return -EINVAL;
	srv->ran = true;
	if (srv_door_start(srv->door) < 0) {
		util_log_error("cannot start the listener thread");
		return -EAGAIN;
	}
	for (;;) {
		if (lws_service(srv->ctx, 250) < 0)
			break;
		srv_run_deferred(srv);
		/* outside any lws callback: adoption services the socket */
		srv_door_service(srv->door, srv->vhost);
		if (atomic_load(&srv->stop_requested) && !srv->stopping) {
			begin_shutdown(srv);
			/* lws's close handshake has its own timeouts; this
			 * bounds the whole shutdown anyway. */
			deadline = util_monotonic_ms() + 5000;
		}
		if (srv->stopping &&
		    (!count_conns(srv) || util_monotonic_ms() > deadline))
			break;
	}
	srv->loop_done = true;
	lws_sul_cancel(&srv->stop_tick);
	srv_door_stop(srv->door);
	srv_door_service(srv->door, NULL);
	pthread_mutex_lock(&srv->defer_lock);
	ctx = srv->ctx;
	srv->ctx = NULL;
	pthread_mutex_unlock(&srv->defer_lock);
	lws_context_destroy(ctx);
	srv_run_deferred(srv);
	util_log_info("stopped");
	return 0;
}

static void *thread_main(void *arg)
{
	srv_run(arg);
	return NULL;
}

int srv_start(struct srv *srv)
{
	int r = pthread_create(&srv->thread, NULL, thread_main, srv);

	if (r)
		return -r;
	srv->thread_started = true;
	return 0;
}

void srv_stop(struct srv *srv)
{
	if (!srv)
		return;
	atomic_store(&srv->stop_requested, true);
	pthread_mutex_lock(&srv->defer_lock);
	if (srv->ctx)
		lws_cancel_service(srv->ctx);
	pthread_mutex_unlock(&srv->defer_lock);
}

void srv_free(struct srv *srv)
{
	struct srv_room *room, *next;
	unsigned i;

	if (!srv)
		return;
	if (srv->thread_started) {
		srv_stop(srv);
		pthread_join(srv->thread, NULL);
		srv->thread_started = false;
	}
	srv_door_free(srv->door);
	srv->door = NULL;
	if (srv->ctx) {
		if (!srv->ran)
			hooks_flush(srv);
		lws_context_destroy(srv->ctx);
		srv->ctx = NULL;
	}
	srv_run_deferred(srv);
	/* storage jobs still queued finish now; their answers (no-ops on the
	 * dead connections, events aside) need the rooms */
	srv_storage_stop(srv);
	srv_run_deferred(srv);
	for (room = srv->rooms; room; room = next) {
		next = room->next;
		for (i = srv->ntoolkits; i-- > 0;)
			if (srv->toolkits[i]->room_close)
				srv->toolkits[i]->room_close(room);
		room_free(room);
	}
	srv->rooms = NULL;
	srv_run_deferred(srv);
	srv_sync_fini(srv);
	srv_storage_fini(srv);
	/* what the toolkits' threads deferred while they stopped */
	srv_run_deferred(srv);
	if (srv->datafd >= 0)
		close(srv->datafd);
	if (srv->statefd >= 0)
		close(srv->statefd);
	pthread_mutex_destroy(&srv->defer_lock);
	config_free(&srv->cfg);
	free(srv->txbuf);
	free(srv);
}
