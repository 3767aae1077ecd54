/* SPDX-License-Identifier: MIT */
/*
 * server.h - public API of the room server library (libserver).
 *
 * libserver is a MeshAgent-compatible room server (spec/protocol.md): it
 * accepts WebSocket connections on /rooms/<room>, verifies HS256 participant
 * tokens, and serves the `storage` and `sync` toolkits on rooms that are
 * folders under a data directory.  `meshroomd` is a thin main() over this
 * header; `meshfs` embeds a room server in-process through it.
 *
 * Use:
 *	struct srv_config cfg;
 *	struct srv *srv;
 *	srv_config_init(&cfg);
 *	cfg.data_dir = "/var/lib/meshroomd";
 *	cfg.secret = secret;
 *	if (srv_new(&srv, &cfg) == 0) {
 *		srv_run(srv);        (blocks until srv_stop)
 *	   or	srv_start(srv); ...; srv_stop(srv);   (own thread)
 *		srv_free(srv);
 *	}
 *
 * Conventions: functions return 0 or a negative errno, out parameters first.
 */
#ifndef MESHFS_SERVER_H
#define MESHFS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct srv;

/* Defaults of struct srv_config (srv_config_init). */
#define SRV_DEFAULT_HOST "127.0.0.1"
#define SRV_DEFAULT_PORT 8078
#define SRV_DEFAULT_MAX_MESSAGE \
	(16u << 20) /* bytes of one reassembled message */
#define SRV_DEFAULT_MAX_STREAMS 64 /* open tool-call streams per connection */
#define SRV_DEFAULT_MAX_CONNS 256 /* connections per room */

/*
 * Configuration.  srv_new copies every string: the caller may free them
 * afterwards.
 */
struct srv_config {
	const char *host; /* listen address, default "127.0.0.1" */
	int port; /* default 8078; 0 = any free port (see srv_port) */
	const char *data_dir; /* required: rooms are folders below it */
	const char *secret; /* required: HS256 key (the UTF-8 bytes) */
	const char *tls_cert; /* PEM files: both set = wss/https, */
	const char *tls_key; /* both NULL = plain ws/http */
	/*
	 * Base URL clients reach this server at, used for room_url and
	 * download_url ("http://host:port" when NULL, from the Host header
	 * of each request when available).
	 */
	const char *public_url;
	size_t max_message; /* largest incoming message, bytes */
	unsigned max_streams; /* open streams per connection */
	unsigned max_conns; /* connections per room */
	/*
	 * Level of util's logger (enum util_log_level, UTIL_LOG_ERROR..
	 * UTIL_LOG_DEBUG); -1 (default) = leave the logger as the embedding
	 * program set it up.
	 */
	int log_level;
	/*
	 * Folder of built-in MeshSchemas (<ext>.json files).  When a room's
	 * folder is created, they are copied into its .schemas/ so that the
	 * standard document kinds work in a new room without deploying
	 * anything.  NULL, or a folder that does not exist, seeds nothing.
	 */
	const char *schemas_dir;
};

/* Fills cfg with the defaults above (data_dir and secret NULL). */
void srv_config_init(struct srv_config *cfg);

/*
 * Creates a server: checks the configuration, creates data_dir if missing,
 * binds the listening socket (so that srv_port is known and a port clash is
 * reported here), registers the built-in toolkits.  Does not serve yet.
 * Errors: -EINVAL (bad config; logged), -EADDRINUSE, -ENOMEM, -errno of the
 * data directory.  *out is owned by the caller: srv_free.
 */
int srv_new(struct srv **out, const struct srv_config *cfg);

/* The TCP port the server listens on (useful with port 0). */
int srv_port(const struct srv *srv);

/*
 * Runs the event loop in the calling thread until srv_stop (or a fatal
 * error).  On stop: stops accepting, flushes every document to disk, closes
 * every connection with 1000 and returns 0.  Call once.
 */
int srv_run(struct srv *srv);

/* Runs srv_run in a new thread.  Returns once the thread started. */
int srv_start(struct srv *srv);

/*
 * Asks the loop to stop (see srv_run).  Thread-safe, but not
 * async-signal-safe (it takes a mutex): from a signal, wake a thread that
 * calls it (meshroomd uses sigwait).  When the loop runs in srv_start's
 * thread, srv_free joins it.
 */
void srv_stop(struct srv *srv);

/*
 * Frees the server.  Stops and joins the loop thread of srv_start if it is
 * still running.  Must not be called from the loop thread.  NULL is a no-op.
 */
void srv_free(struct srv *srv);

/* A short version string, e.g. "0.1.0". */
const char *srv_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_SERVER_H */
