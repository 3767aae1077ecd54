/* SPDX-License-Identifier: MIT */
/*
 * door.c - meshroomd's own listening socket for plain ws/http, so that
 * browsers can send their token as the `meshagent-room.<jwt>` WebSocket
 * subprotocol (spec §2.2).
 *
 * Why: libwebsockets 4.1 copies the Sec-WebSocket-Protocol request header
 * into a 128-byte buffer while it picks a subprotocol and drops the
 * connection when it is longer (a JWT always is), and it can only answer
 * with the name of a protocol it has registered (cut at 128 bytes too).
 * So the door reads each new connection's first request head itself (in
 * its own thread, so a slow client stalls nobody), moves a
 * `meshagent-room.*` offer out of Sec-WebSocket-Protocol into the private
 * header X-Meshroomd-Subprotocol, and hands the socket and the bytes read
 * to lws (lws_adopt_socket_vhost_readbuf, in the loop thread).  srv.c then
 * takes the token from that header and answers the exact subprotocol
 * through LWS_CALLBACK_ADD_HEADERS.
 *
 * Only the first request of a connection passes the door (later requests
 * on a kept-alive connection go to lws directly), and with --tls-cert lws
 * keeps its own listener: the bytes are encrypted, nothing can be
 * rewritten.  Both cases get srv.c's clear 400 for a subprotocol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "srvcore.h"

/* Longest request head read (lws refuses longer headers anyway). */
#define DOOR_HEAD_MAX (SRV_MAX_HEADER_DATA + 4096)
/* Connections whose head is being read, at most; more wait in the
 * kernel's backlog. */
#define DOOR_MAX_PENDING 512
/* A client has this long to send its request head. */
#define DOOR_HEAD_TIMEOUT_MS 10000

struct door_conn {
	int fd;
	int64_t deadline;
	size_t len;
	char buf[DOOR_HEAD_MAX];
};

/* A socket and its first bytes, on their way to the loop thread. */
struct door_handoff {
	int fd;
	char *buf;
	size_t len;
	struct door_handoff *next;
};

struct srv_door {
	struct srv *srv;
	int lfd; /* listening socket */
	int wake[2]; /* pipe: wakes the thread to stop */
	pthread_t thread;
	bool started;
	struct door_conn *pending[DOOR_MAX_PENDING];
	unsigned npending;
	/* out of fds: accept nothing until then (else poll spins) */
	int64_t accept_pause_until;

	pthread_mutex_t lock; /* the handoff queue */
	struct door_handoff *head, *tail;
};

int srv_door_new(struct srv_door **out, int *port, struct srv *srv,
		 const char *host, int want_port)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	struct srv_door *d;
	char service[16];
	int one = 1, r;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->srv = srv;
	d->lfd = d->wake[0] = d->wake[1] = -1;
	pthread_mutex_init(&d->lock, NULL);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", want_port);
	r = getaddrinfo(host, service, &hints, &ai);
	if (r) {
		util_log_error("cannot listen on %s: %s", host,
			       gai_strerror(r));
		r = -EINVAL;
		goto err;
	}
	d->lfd = socket(ai->ai_family,
			ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lfd < 0 ||
	    setsockopt(d->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(d->lfd, ai->ai_addr, ai->ai_addrlen) ||
	    listen(d->lfd, SOMAXCONN) ||
	    getsockname(d->lfd, (struct sockaddr *)&sa, &salen)) {
		r = -errno;
		util_log_error("cannot listen on %s:%d: %s", host, want_port,
			       strerror(errno));
		goto err;
	}
	*port = ntohs(sa.ss_family == AF_INET6 ?
			      ((struct sockaddr_in6 *)&sa)->sin6_port :
			      ((struct sockaddr_in *)&sa)->sin_port);
	if (pipe2(d->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = -errno;
		goto err;
	}
	freeaddrinfo(ai);
	*out = d;
	return 0;
err:
	if (ai)
		freeaddrinfo(ai);
	srv_door_free(d);
	return r;
}

/* ---------------------------------------------------------------------
 * The request head
 * --------------------------------------------------------------------- */

#define SUBPROTO_PREFIX "meshagent-room."

/* The end of the head ("\r\n\r\n" included), or NULL. */
static const char *head_end(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "\r\n\r\n", 4);

	return p ? p + 4 : NULL;
}

/* Whether the head is complete (bare "\n\n" line ends too: lws decides). */
static bool head_complete(const char *buf, size_t len)
{
	return head_end(buf, len) || memmem(buf, len, "\n\n", 2);
}

/* Is line (no CRLF) the header `name`?  Sets *value past the colon. */
static bool header_is(const char *line, size_t len, const char *name,
		      const char **value)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n))
		return false;
	*value = line + n + 1;
	return true;
}

/*
 * The first meshagent-room.* token of a Sec-WebSocket-Protocol value
 * [v, end): its start in *tok and length in *tlen.
 */
static bool find_subproto(const char *v, const char *end, const char **tok,
			  size_t *tlen)
{
	while (v < end) {
		const char *s, *e;

		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		s = v;
		while (v < end && *v != ',')
			v++;
		e = v;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) > sizeof(SUBPROTO_PREFIX) - 1 &&
		    !strncmp(s, SUBPROTO_PREFIX, sizeof(SUBPROTO_PREFIX) - 1)) {
			*tok = s;
			*tlen = (size_t)(e - s);
			return true;
		}
	}
	return false;
}

/*
 * Rewrites the head in buf[0, len) for lws: every Sec-WebSocket-Protocol
 * line goes when one offers meshagent-room.<jwt>, which comes back as
 * X-Meshroomd-Subprotocol; a client's own X-Meshroomd-Subprotocol is
 * dropped.  Returns a new buffer (*out, *outlen) or 0 with *out NULL when
 * nothing changes.
 */
static int rewrite_head(char **out, size_t *outlen, const char *buf, size_t len)
{
	const char *end = head_end(buf, len), *line, *tok = NULL, *v;
	size_t tlen = 0, o = 0;
	bool change = false;
	char *nb;

	*out = NULL;
	if (!end)
		return 0;
	/* pass 1: is there anything to do? */
	line = memchr(buf, '\n', (size_t)(end - buf));
	for (line = line ? line + 1 : end; line < end - 2;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t ll = (size_t)(eol - line);

		if (ll && line[ll - 1] == '\r')
			ll--;
		if (header_is(line, ll, "sec-websocket-protocol", &v) && !tok &&
		    find_subproto(v, line + ll, &tok, &tlen))
			change = true;
		if (header_is(line, ll, "x-meshroomd-subprotocol", &v))
			change = true;
		line = eol + 1;
	}
	if (!change)
		return 0;
	nb = malloc(len + 64 + tlen);
	if (!nb)
		return -ENOMEM;
	line = memchr(buf, '\n', (size_t)(end - buf)) + 1;
	memcpy(nb, buf, (size_t)(line - buf)); /* the request line */
	o = (size_t)(line - buf);
	while (line < end - 2) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t ll = (size_t)(eol - line);
		size_t ll2 = ll && line[ll - 1] == '\r' ? ll - 1 : ll;

		if (!(tok &&
		      header_is(line, ll2, "sec-websocket-protocol", &v)) &&
		    !header_is(line, ll2, "x-meshroomd-subprotocol", &v)) {
			memcpy(nb + o, line, ll + 1);
			o += ll + 1;
		}
		line = eol + 1;
	}
	if (tok) {
		o += (size_t)sprintf(nb + o, "X-Meshroomd-Subprotocol: ");
		memcpy(nb + o, tok, tlen);
		o += tlen;
		memcpy(nb + o, "\r\n", 2);
		o += 2;
	}
	/* the empty line, and whatever followed the head */
	memcpy(nb + o, end - 2, len - (size_t)(end - 2 - buf));
	o += len - (size_t)(end - 2 - buf);
	*out = nb;
	*outlen = o;
	return 0;
}

/* ---------------------------------------------------------------------
 * The thread
 * --------------------------------------------------------------------- */

static void pending_drop(struct srv_door *d, unsigned i)
{
	struct door_conn *c = d->pending[i];

	if (c->fd >= 0)
		close(c->fd);
	free(c);
	d->pending[i] = d->pending[--d->npending];
}

/* Queues the connection for the loop thread (and forgets it here). */
static void pending_handoff(struct srv_door *d, unsigned i)
{
	struct door_conn *c = d->pending[i];
	struct door_handoff *h = calloc(1, sizeof(*h));
	char *nb = NULL;
	size_t nlen = 0;

	if (!h || rewrite_head(&nb, &nlen, c->buf, c->len) < 0) {
		free(h);
		pending_drop(d, i);
		return;
	}
	if (!nb) {
		nb = malloc(c->len ? c->len : 1);
		if (!nb) {
			free(h);
			pending_drop(d, i);
			return;
		}
		memcpy(nb, c->buf, c->len);
		nlen = c->len;
	}
	h->fd = c->fd;
	h->buf = nb;
	h->len = nlen;
	c->fd = -1;
	pending_drop(d, i);
	pthread_mutex_lock(&d->lock);
	if (d->tail)
		d->tail->next = h;
	else
		d->head = h;
	d->tail = h;
	pthread_mutex_unlock(&d->lock);
	srv_wake(d->srv);
}

static void door_accept(struct srv_door *d)
{
	static const int one = 1;

	while (d->npending < DOOR_MAX_PENDING) {
		struct door_conn *c;
		int fd = accept4(d->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				util_log_warn("accept: %s (pausing 100 ms)",
					      strerror(errno));
				d->accept_pause_until =
					util_monotonic_ms() + 100;
			}
			return;
		}
		/* as lws does for the sockets it accepts: small messages
		 * (acks, one update at a time) must not wait for Nagle */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->len = 0;
		c->deadline = util_monotonic_ms() + DOOR_HEAD_TIMEOUT_MS;
		d->pending[d->npending++] = c;
	}
}

/* Reads what the client sent; hands the connection on once its head is in. */
static void door_read(struct srv_door *d, unsigned i)
{
	struct door_conn *c = d->pending[i];
	ssize_t n;

	do
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		pending_drop(d, i);
		return;
	}
	if (n < 0)
		return;
	c->len += (size_t)n;
	/* a whole head, or too long a head for lws to accept: lws answers */
	if (head_complete(c->buf, c->len) || c->len == sizeof(c->buf))
		pending_handoff(d, i);
}

static void *door_main(void *arg)
{
	struct srv_door *d = arg;
	struct pollfd pfd[DOOR_MAX_PENDING + 2];

	for (;;) {
		int64_t now = util_monotonic_ms(), next = now + 1000;
		unsigned i, n = 0;
		int r;

		pfd[n++] =
			(struct pollfd){ .fd = d->wake[0], .events = POLLIN };
		pfd[n++] = (struct pollfd){
			.fd = d->npending < DOOR_MAX_PENDING &&
					      now >= d->accept_pause_until ?
				      d->lfd :
				      -1,
			.events = POLLIN,
		};
		if (now < d->accept_pause_until && d->accept_pause_until < next)
			next = d->accept_pause_until;
		for (i = 0; i < d->npending;) {
			if (d->pending[i]->deadline <= now) {
				pending_drop(d, i);
				continue;
			}
			if (d->pending[i]->deadline < next)
				next = d->pending[i]->deadline;
			pfd[n++] = (struct pollfd){ .fd = d->pending[i]->fd,
						    .events = POLLIN };
			i++;
		}
		r = poll(pfd, n, (int)(next - now));
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (pfd[0].revents)
			break;
		/* from the end: handoffs and drops reorder the array */
		for (i = n; i-- > 2;)
			if (pfd[i].revents)
				door_read(d, i - 2);
		if (pfd[1].revents)
			door_accept(d);
	}
	return NULL;
}

int srv_door_start(struct srv_door *d)
{
	int r = pthread_create(&d->thread, NULL, door_main, d);

	if (r)
		return -r;
	d->started = true;
	return 0;
}

void srv_door_service(struct srv_door *d, struct lws_vhost *vh)
{
	struct door_handoff *h, *next;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	h = d->head;
	d->head = d->tail = NULL;
	pthread_mutex_unlock(&d->lock);
	for (; h; h = next) {
		next = h->next;
		/* lws owns the fd from here (it closes it on failure) */
		if (!vh ||
		    !lws_adopt_socket_vhost_readbuf(vh, h->fd, h->buf, h->len))
			util_log_debug("a connection could not be adopted");
		if (!vh)
			close(h->fd);
		free(h->buf);
		free(h);
	}
}

void srv_door_stop(struct srv_door *d)
{
	if (!d || !d->started)
		return;
	if (write(d->wake[1], "x", 1) < 0)
		util_log_warn("door: waking the thread: %s", strerror(errno));
	pthread_join(d->thread, NULL);
	d->started = false;
	while (d->npending)
		pending_drop(d, d->npending - 1);
	if (d->lfd >= 0)
		close(d->lfd);
	d->lfd = -1;
}

void srv_door_free(struct srv_door *d)
{
	if (!d)
		return;
	srv_door_stop(d);
	srv_door_service(d, NULL);
	if (d->lfd >= 0)
		close(d->lfd);
	if (d->wake[0] >= 0)
		close(d->wake[0]);
	if (d->wake[1] >= 0)
		close(d->wake[1]);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
