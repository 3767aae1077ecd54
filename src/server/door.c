/* SPDX-License-Identifier: MIT */
/*
 * door.c - meshroomd's own listening socket, so that browsers can send
 * their token as the `meshagent-room.<jwt>` WebSocket subprotocol (spec
 * §2.2), over ws and wss alike.
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
 * With --tls-cert the door terminates TLS itself (OpenSSL), since lws
 * could not read an encrypted head: the door thread does the handshake
 * and reads the decrypted head, and lws gets one end of a socketpair
 * instead of the TCP socket.  The pump thread then copies bytes between
 * the TLS connection and the other end, for every TLS connection at once
 * (epoll, so its cost follows the active connections, not all of them).
 * lws's vhost never does TLS.  Each SSL is used by one thread at a time:
 * the door thread until the handoff, the pump thread after.
 *
 * Only the first request of a connection passes the door (later requests
 * on a kept-alive connection go to lws unchanged): those get srv.c's clear
 * 400 for a subprotocol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
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
/* A pump's buffer, each way: one TLS record's worth of plaintext. */
#define PUMP_BUF 16384
/* Once lws has closed its end: how long the TLS client has to take the
 * rest and close its own. */
#define PUMP_LINGER_MS 10000
/* How long srv_door_stop waits for the pumps to deliver what lws wrote
 * (the close frames of a shutdown). */
#define PUMP_DRAIN_MS 2000

struct door_conn {
	int fd;
	SSL *ssl; /* --tls-cert: the handshake, then the decrypted head */
	short events; /* what to poll for (SSL may want to write) */
	int64_t deadline;
	size_t len;
	char buf[DOOR_HEAD_MAX];
};

/*
 * A TLS connection after its head: the client's TCP socket and SSL, and
 * our end (sp) of the socketpair whose other end lws has.  Owned by the
 * pump thread (the queue hands it over).
 */
struct door_pump {
	int fd, sp;
	SSL *ssl;
	uint32_t fd_ev, sp_ev; /* what epoll watches (0: not registered) */
	bool client_eof; /* the client ended its side (or TCP did) */
	bool sp_shut; /* ... and lws was told (shutdown SHUT_WR) */
	bool lws_eof; /* lws ended its side */
	bool tls_shut; /* ... and the client was told (close_notify, FIN) */
	bool quiet; /* nothing from lws waits to go to the client */
	bool dead;
	int64_t linger_until; /* lws_eof: the client's deadline */
	/* client -> lws and lws -> client, malloc'ed while they hold data
	 * (an idle connection costs no buffers) */
	unsigned char *in, *out;
	size_t in_off, in_len, out_off, out_len;
	struct door_pump *prev, *next; /* the pump's list, or the queue */
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

	pthread_mutex_t lock; /* the handoff queue, the pump queue */
	struct door_handoff *head, *tail;

	/* --tls-cert: TLS is ours, and so is the pump thread */
	SSL_CTX *tls;
	int ep; /* the pump's epoll */
	int pwake[2]; /* pipe: new pumps queued, or stop */
	pthread_t pthread;
	bool pstarted;
	bool pstop; /* under lock */
	struct door_pump *pqueue; /* under lock: new pumps */
	struct door_pump *pumps; /* the pump thread's */
};

/* The OpenSSL error queue as one line (and empties it). */
static const char *tls_error(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();

	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

/* The server's TLS: TLS 1.2 or newer, the PEM files given. */
static int door_tls_new(struct srv_door *d, const char *cert, const char *key)
{
	char err[256];

	d->tls = SSL_CTX_new(TLS_server_method());
	if (!d->tls)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(d->tls, TLS1_2_VERSION);
	/* a client's TCP FIN without close_notify is a plain end (a
	 * half-close), as it was when lws terminated TLS */
	SSL_CTX_set_options(d->tls, SSL_OP_NO_RENEGOTIATION |
					    SSL_OP_IGNORE_UNEXPECTED_EOF |
					    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(d->tls, SSL_MODE_ENABLE_PARTIAL_WRITE |
					 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
					 SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(d->tls, cert) != 1) {
		util_log_error("--tls-cert %s: %s", cert,
			       tls_error(err, sizeof(err)));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(d->tls, key, SSL_FILETYPE_PEM) != 1) {
		util_log_error("--tls-key %s: %s", key,
			       tls_error(err, sizeof(err)));
		return -EINVAL;
	}
	if (SSL_CTX_check_private_key(d->tls) != 1) {
		util_log_error("--tls-key %s does not match --tls-cert %s: %s",
			       key, cert, tls_error(err, sizeof(err)));
		return -EINVAL;
	}
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	if (d->ep < 0 || pipe2(d->pwake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, d->pwake[0],
		      &(struct epoll_event){ .events = EPOLLIN,
					     .data.ptr = NULL }) < 0)
		return -errno;
	return 0;
}

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
	d->ep = d->pwake[0] = d->pwake[1] = -1;
	pthread_mutex_init(&d->lock, NULL);
	if (srv->cfg.tls_cert) {
		r = door_tls_new(d, srv->cfg.tls_cert, srv->cfg.tls_key);
		if (r < 0)
			goto err;
	}
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

	SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	d->pending[i] = d->pending[--d->npending];
}

static void pump_queue(struct srv_door *d, struct door_pump *p);

/*
 * A TLS connection: lws gets one end of a socketpair (*lws_fd), the pump
 * thread the SSL, the TCP socket and the other end.
 */
static int pending_pump(struct srv_door *d, struct door_conn *c, int *lws_fd)
{
	struct door_pump *p = calloc(1, sizeof(*p));
	int sp[2];

	if (!p)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sp) < 0) {
		free(p);
		return -errno;
	}
	p->fd = c->fd;
	p->ssl = c->ssl;
	p->sp = sp[0];
	c->fd = -1;
	c->ssl = NULL;
	*lws_fd = sp[1];
	pump_queue(d, p);
	return 0;
}

/* Queues the connection for the loop thread (and forgets it here). */
static void pending_handoff(struct srv_door *d, unsigned i)
{
	struct door_conn *c = d->pending[i];
	struct door_handoff *h = calloc(1, sizeof(*h));
	char *nb = NULL;
	size_t nlen = 0;
	int fd = c->fd;

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
	if (c->ssl && pending_pump(d, c, &fd) < 0) {
		free(nb);
		free(h);
		pending_drop(d, i);
		return;
	}
	h->fd = fd;
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
		c->ssl = NULL;
		c->events = POLLIN;
		c->len = 0;
		if (d->tls) {
			c->ssl = SSL_new(d->tls);
			if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
				SSL_free(c->ssl);
				free(c);
				close(fd);
				return;
			}
			SSL_set_accept_state(c->ssl);
		}
		c->deadline = util_monotonic_ms() + DOOR_HEAD_TIMEOUT_MS;
		d->pending[d->npending++] = c;
	}
}

/*
 * Reads what the client sent (over TLS: decrypted, the handshake first):
 * the count, 0 at the end or on an error, -EAGAIN with c->events set.
 */
static ssize_t conn_read(struct door_conn *c)
{
	size_t room = sizeof(c->buf) - c->len;
	ssize_t n;
	int e;

	if (!c->ssl) {
		do
			n = read(c->fd, c->buf + c->len, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return errno == EAGAIN ? -EAGAIN : 0;
		return n;
	}
	ERR_clear_error();
	n = SSL_read(c->ssl, c->buf + c->len, (int)room);
	if (n > 0)
		return n;
	e = SSL_get_error(c->ssl, (int)n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return -EAGAIN;
	}
	/* not TLS, a failed handshake (no trust in our certificate), ... */
	util_log_debug("door: TLS: %s",
		       e == SSL_ERROR_SSL ?
			       ERR_reason_error_string(ERR_peek_error()) :
			       "connection closed");
	return 0;
}

/* Reads what the client sent; hands the connection on once its head is in. */
static void door_read(struct srv_door *d, unsigned i)
{
	struct door_conn *c = d->pending[i];
	ssize_t n;

	/* until the socket is empty: SSL may hold decrypted bytes that
	 * poll() cannot know about */
	for (;;) {
		n = conn_read(c);
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			pending_drop(d, i);
			return;
		}
		c->len += (size_t)n;
		/* a whole head, or too long a head for lws to accept: lws
		 * answers */
		if (head_complete(c->buf, c->len) || c->len == sizeof(c->buf)) {
			pending_handoff(d, i);
			return;
		}
	}
}

/* A TLS client that went away makes writes fail with EPIPE, not kill us
 * (OpenSSL writes with write(2); meshroomd ignores SIGPIPE, embedders may
 * not). */
static void block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *door_main(void *arg)
{
	struct srv_door *d = arg;
	struct pollfd pfd[DOOR_MAX_PENDING + 2];

	block_sigpipe();
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
			pfd[n++] = (struct pollfd){
				.fd = d->pending[i]->fd,
				.events = d->pending[i]->events,
			};
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

/* ---------------------------------------------------------------------
 * The pump (TLS connections, after the head)
 *
 * One thread for all of them: an idle connection costs it nothing (epoll),
 * a busy one a copy each way besides the TLS work lws did before.  Each
 * pump is run until nothing moves, then waits for what blocked it.
 * --------------------------------------------------------------------- */

/* Door thread: gives p to the pump thread. */
static void pump_queue(struct srv_door *d, struct door_pump *p)
{
	pthread_mutex_lock(&d->lock);
	p->next = d->pqueue;
	d->pqueue = p;
	pthread_mutex_unlock(&d->lock);
	if (write(d->pwake[1], "p", 1) < 0 && errno != EAGAIN)
		util_log_warn("door: waking the pump: %s", strerror(errno));
}

static void pump_free(struct door_pump *p)
{
	SSL_free(p->ssl);
	if (p->fd >= 0)
		close(p->fd);
	if (p->sp >= 0)
		close(p->sp);
	free(p->in);
	free(p->out);
	free(p);
}

/* Watches fd for ev (0: not at all: no EPOLLHUP wake-ups either). */
static int pump_watch(struct srv_door *d, struct door_pump *p, int fd,
		      uint32_t *cur, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = p };
	int op;

	if (ev == *cur)
		return 0;
	op = !*cur ? EPOLL_CTL_ADD : ev ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
	if (epoll_ctl(d->ep, op, fd, &e) < 0)
		return -errno;
	*cur = ev;
	return 0;
}

/* After SSL_read/SSL_write/SSL_shutdown returned n: what to wait for
 * (EPOLLIN/EPOLLOUT), or 0 when the TLS connection failed. */
static uint32_t tls_wait(SSL *ssl, int n)
{
	switch (SSL_get_error(ssl, n)) {
	case SSL_ERROR_WANT_READ:
		return EPOLLIN;
	case SSL_ERROR_WANT_WRITE:
		return EPOLLOUT;
	default:
		return 0;
	}
}

/* Adds what the SSL waits for to *ev; false if the connection failed
 * (whatever *ev already holds). */
static bool tls_wait_add(uint32_t *ev, SSL *ssl, int n)
{
	uint32_t w = tls_wait(ssl, n);

	*ev |= w;
	return w != 0;
}

/* Moves bytes until nothing moves.  false: the connection is over. */
static bool pump_run(struct door_pump *p, uint32_t *fd_ev, uint32_t *sp_ev)
{
	bool moved;
	ssize_t n;
	int r;

	do {
		moved = false;
		*fd_ev = *sp_ev = 0;
		/* client -> lws */
		if (!p->in_len && !p->client_eof) {
			if (!p->in && !(p->in = malloc(PUMP_BUF)))
				return false;
			ERR_clear_error();
			r = SSL_read(p->ssl, p->in, PUMP_BUF);
			if (r > 0) {
				p->in_off = 0;
				p->in_len = (size_t)r;
				moved = true;
			} else if (SSL_get_error(p->ssl, r) ==
				   SSL_ERROR_ZERO_RETURN) {
				p->client_eof = moved = true;
			} else if (!tls_wait_add(fd_ev, p->ssl, r)) {
				return false;
			}
		}
		if (p->in_len) {
			n = send(p->sp, p->in + p->in_off, p->in_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				p->in_off += (size_t)n;
				p->in_len -= (size_t)n;
				moved = true;
			} else if (errno == EAGAIN) {
				*sp_ev |= EPOLLOUT;
			} else if (errno != EINTR) {
				return false; /* lws closed its end */
			}
		}
		if (!p->in_len && p->in) {
			free(p->in);
			p->in = NULL;
		}
		if (p->client_eof && !p->in_len && !p->sp_shut) {
			shutdown(p->sp, SHUT_WR);
			p->sp_shut = true;
		}
		/* lws -> client */
		if (!p->out_len && !p->lws_eof) {
			if (!p->out && !(p->out = malloc(PUMP_BUF)))
				return false;
			n = recv(p->sp, p->out, PUMP_BUF, MSG_DONTWAIT);
			if (n > 0) {
				p->out_off = 0;
				p->out_len = (size_t)n;
				moved = true;
			} else if (n == 0) {
				p->lws_eof = moved = true;
				p->linger_until =
					util_monotonic_ms() + PUMP_LINGER_MS;
			} else if (errno == EAGAIN) {
				*sp_ev |= EPOLLIN;
			} else if (errno != EINTR) {
				return false;
			}
		}
		if (p->out_len) {
			ERR_clear_error();
			r = SSL_write(p->ssl, p->out + p->out_off,
				      (int)p->out_len);
			if (r > 0) {
				p->out_off += (size_t)r;
				p->out_len -= (size_t)r;
				moved = true;
			} else if (!tls_wait_add(fd_ev, p->ssl, r)) {
				return false;
			}
		}
		if (!p->out_len && p->out) {
			free(p->out);
			p->out = NULL;
		}
		if (p->lws_eof && !p->out_len && !p->tls_shut) {
			ERR_clear_error();
			r = SSL_shutdown(p->ssl);
			if (r >= 0) {
				/* close_notify sent: the client may go on
				 * sending, as after a TCP half-close */
				shutdown(p->fd, SHUT_WR);
				p->tls_shut = moved = true;
			} else if (!tls_wait_add(fd_ev, p->ssl, r)) {
				return false;
			}
		}
	} while (moved && !(p->sp_shut && p->tls_shut));
	p->quiet = !p->out_len && (p->lws_eof ? p->tls_shut : true);
	return !(p->sp_shut && p->tls_shut);
}

/* Runs p; frees it (the pump's list too) when it is over. */
static void pump_service(struct srv_door *d, struct door_pump *p)
{
	uint32_t fd_ev, sp_ev;

	if (p->dead)
		return;
	if (pump_run(p, &fd_ev, &sp_ev) &&
	    !pump_watch(d, p, p->fd, &p->fd_ev, fd_ev) &&
	    !pump_watch(d, p, p->sp, &p->sp_ev, sp_ev))
		return;
	/* freed after the batch of events: p may be in it again */
	p->dead = true;
}

static void pump_unlink(struct srv_door *d, struct door_pump *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		d->pumps = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

/* Frees the dead pumps and those whose client did not close in time.
 * Returns whether every pump left is quiet. */
static bool pump_sweep(struct srv_door *d, int64_t now, bool timeouts)
{
	struct door_pump *p, *next;
	bool quiet = true;

	for (p = d->pumps; p; p = next) {
		next = p->next;
		if (timeouts && p->linger_until && now > p->linger_until)
			p->dead = true;
		if (p->dead) {
			pump_unlink(d, p);
			pump_free(p);
			continue;
		}
		quiet = quiet && p->quiet;
	}
	return quiet;
}

/* Takes the queued pumps; returns whether to stop. */
static bool pump_take(struct srv_door *d)
{
	struct door_pump *q, *p;
	char drain[64];
	bool stop;

	while (read(d->pwake[0], drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&d->lock);
	q = d->pqueue;
	d->pqueue = NULL;
	stop = d->pstop;
	pthread_mutex_unlock(&d->lock);
	for (; q; q = p) {
		p = q->next;
		q->prev = NULL;
		q->next = d->pumps;
		if (d->pumps)
			d->pumps->prev = q;
		d->pumps = q;
		/* SSL may hold decrypted bytes already: epoll cannot say */
		pump_service(d, q);
	}
	return stop;
}

static void *pump_main(void *arg)
{
	struct srv_door *d = arg;
	struct epoll_event ev[64];
	int64_t next_sweep = util_monotonic_ms() + 1000, drain_until = 0;
	struct door_pump *p;

	block_sigpipe();
	for (;;) {
		int64_t now = util_monotonic_ms();
		int i, n;

		n = epoll_wait(d->ep, ev, 64, drain_until ? 50 : 1000);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr) {
				pump_service(d, ev[i].data.ptr);
			} else if (pump_take(d) && !drain_until) {
				/* the loop thread is done: deliver what lws
				 * wrote (close frames), then stop */
				drain_until = now + PUMP_DRAIN_MS;
				for (p = d->pumps; p; p = p->next)
					pump_service(d, p);
			}
		}
		now = util_monotonic_ms();
		if (pump_sweep(d, now, now >= next_sweep) && drain_until)
			break;
		if (now >= next_sweep)
			next_sweep = now + 1000;
		if (drain_until && now >= drain_until)
			break;
	}
	return NULL;
}

int srv_door_start(struct srv_door *d)
{
	int r;

	if (d->tls) {
		r = pthread_create(&d->pthread, NULL, pump_main, d);
		if (r)
			return -r;
		d->pstarted = true;
	}
	r = pthread_create(&d->thread, NULL, door_main, d);
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

/* Stops the pump thread once the pumps are quiet, frees every pump. */
static void pump_stop(struct srv_door *d)
{
	struct door_pump *p;

	if (d->pstarted) {
		pthread_mutex_lock(&d->lock);
		d->pstop = true;
		pthread_mutex_unlock(&d->lock);
		if (write(d->pwake[1], "x", 1) < 0)
			util_log_warn("door: waking the pump: %s",
				      strerror(errno));
		pthread_join(d->pthread, NULL);
		d->pstarted = false;
	}
	while ((p = d->pumps)) {
		pump_unlink(d, p);
		pump_free(p);
	}
	while ((p = d->pqueue)) {
		d->pqueue = p->next;
		pump_free(p);
	}
}

void srv_door_stop(struct srv_door *d)
{
	if (!d)
		return;
	if (d->started) {
		if (write(d->wake[1], "x", 1) < 0)
			util_log_warn("door: waking the thread: %s",
				      strerror(errno));
		pthread_join(d->thread, NULL);
		d->started = false;
	}
	while (d->npending)
		pending_drop(d, d->npending - 1);
	if (d->lfd >= 0)
		close(d->lfd);
	d->lfd = -1;
	pump_stop(d);
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
	if (d->ep >= 0)
		close(d->ep);
	if (d->pwake[0] >= 0)
		close(d->pwake[0]);
	if (d->pwake[1] >= 0)
		close(d->pwake[1]);
	SSL_CTX_free(d->tls);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
