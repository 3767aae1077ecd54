/* SPDX-License-Identifier: MIT */
/*
 * meshroomd.c - the room server daemon: a thin main() over server.h.
 *
 * Parses the command line, reads the secret, sets up logging, and runs the
 * server's event loop in the main thread.  SIGTERM/SIGINT are blocked in
 * every thread and taken by a small thread with sigwait(), which calls the
 * (not async-signal-safe) srv_stop: the loop then flushes, closes every
 * connection with 1000 and returns, and the process exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"

static const char usage_text[] =
	"Usage: meshroomd [OPTION]...\n"
	"MeshAgent-compatible room server: rooms are folders under --data.\n"
	"\n"
	"  -l, --listen HOST:PORT   address to listen on (default 127.0.0.1:8078;\n"
	"                           port 0 picks a free port)\n"
	"  -d, --data DIR           data directory (required; created if missing)\n"
	"      --schemas DIR        built-in schemas copied into new rooms'\n"
	"                           .schemas/ (default " MESHFS_SCHEMAS_DIR
	";\n"
	"                           '' for none)\n"
	"      --secret-file FILE   read the token secret from FILE (default: the\n"
	"                           MESHAGENT_SECRET environment variable)\n"
	"      --tls-cert FILE      serve wss/https with this PEM certificate...\n"
	"      --tls-key FILE       ...and this PEM private key\n"
	"      --public-url URL     base URL clients use (room_url, download URLs)\n"
	"      --max-message BYTES  largest incoming message (default 16777216)\n"
	"      --max-streams N      open streams per connection (default 64)\n"
	"      --max-conns N        connections per room (default 256)\n"
	"      --print-port         print the listening port on stdout when ready\n"
	"      --syslog             log to syslog instead of stderr\n"
	"      --log-level LEVEL    error, warn, info or debug (default warn)\n"
	"  -v, --verbose            more logging (-v info, -vv debug)\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"Exit status: 0 after a clean shutdown (SIGTERM, SIGINT), 1 on a runtime\n"
	"error, 2 on a usage error.\n";

enum {
	OPT_SECRET_FILE = 256,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_PUBLIC_URL,
	OPT_MAX_MESSAGE,
	OPT_MAX_STREAMS,
	OPT_MAX_CONNS,
	OPT_PRINT_PORT,
	OPT_SYSLOG,
	OPT_LOG_LEVEL,
	OPT_SCHEMAS,
};

static const struct option long_options[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "data", required_argument, NULL, 'd' },
	{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "public-url", required_argument, NULL, OPT_PUBLIC_URL },
	{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
	{ "max-streams", required_argument, NULL, OPT_MAX_STREAMS },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "print-port", no_argument, NULL, OPT_PRINT_PORT },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "schemas", required_argument, NULL, OPT_SCHEMAS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "meshroomd: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'meshroomd --help' for more information.\n");
	return 2;
}

static int parse_ulong(unsigned long long *out, const char *s)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return -EINVAL;
	return 0;
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT"; host points into a copy of s. */
static int parse_listen(char **host, int *port, const char *s)
{
	const char *colon = strrchr(s, ':');
	unsigned long long p;
	size_t hl;

	if (!colon || parse_ulong(&p, colon + 1) < 0 || p > 65535)
		return -EINVAL;
	*port = (int)p;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	*host = hl ? strndup(s, hl) : strdup(SRV_DEFAULT_HOST);
	return *host ? 0 : -ENOMEM;
}

/* The whole file without trailing newlines. */
static char *read_secret(const char *file)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(file, "r");

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return strdup(buf);
}

static void *signal_thread(void *arg)
{
	struct srv *srv = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	for (;;) {
		if (sigwait(&set, &sig) == 0) {
			util_log_info("signal %d: stopping", sig);
			srv_stop(srv);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct srv_config cfg;
	const char *secret_file = NULL;
	char *host = NULL, *secret = NULL;
	bool print_port = false, use_syslog = false;
	int verbose = 0, level = -1, opt, r, status = 1;
	unsigned long long v;
	struct srv *srv = NULL;
	pthread_t sigthread;
	sigset_t set;

	util_log_set_prog("meshroomd");
	srv_config_init(&cfg);
	cfg.schemas_dir = MESHFS_SCHEMAS_DIR;
	while ((opt = getopt_long(argc, argv, "l:d:vhV", long_options, NULL)) !=
	       -1) {
		switch (opt) {
		case 'l':
			free(host);
			host = NULL;
			if (parse_listen(&host, &cfg.port, optarg) < 0)
				return usage_error("invalid --listen '%s' "
						   "(expected HOST:PORT)",
						   optarg);
			cfg.host = host;
			break;
		case 'd':
			cfg.data_dir = optarg;
			break;
		case OPT_SCHEMAS:
			cfg.schemas_dir = optarg;
			break;
		case OPT_SECRET_FILE:
			secret_file = optarg;
			break;
		case OPT_TLS_CERT:
			cfg.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			cfg.tls_key = optarg;
			break;
		case OPT_PUBLIC_URL:
			cfg.public_url = optarg;
			break;
		case OPT_MAX_MESSAGE:
			if (parse_ulong(&v, optarg) < 0 || v < 1024 ||
			    v > ((size_t)1 << 30))
				return usage_error("invalid --max-message '%s' "
						   "(1024..1073741824)",
						   optarg);
			cfg.max_message = (size_t)v;
			break;
		case OPT_MAX_STREAMS:
			if (parse_ulong(&v, optarg) < 0 || v < 1 || v > 100000)
				return usage_error("invalid --max-streams '%s'",
						   optarg);
			cfg.max_streams = (unsigned)v;
			break;
		case OPT_MAX_CONNS:
			if (parse_ulong(&v, optarg) < 0 || v < 1 || v > 1000000)
				return usage_error("invalid --max-conns '%s'",
						   optarg);
			cfg.max_conns = (unsigned)v;
			break;
		case OPT_PRINT_PORT:
			print_port = true;
			break;
		case OPT_SYSLOG:
			use_syslog = true;
			break;
		case OPT_LOG_LEVEL: {
			enum util_log_level l;

			if (util_log_level_parse(&l, optarg) < 0)
				return usage_error("invalid --log-level '%s'",
						   optarg);
			level = (int)l;
			break;
		}
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("meshroomd %s\n", srv_version());
			return 0;
		default:
			fprintf(stderr, "Try 'meshroomd --help' for more "
					"information.\n");
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!cfg.data_dir)
		return usage_error("%s", "--data DIR is required");

	if (level < 0)
		level = verbose >= 2 ? UTIL_LOG_DEBUG :
			verbose == 1 ? UTIL_LOG_INFO :
				       UTIL_LOG_WARN;
	util_log_set_level((enum util_log_level)level);
	if (use_syslog)
		util_log_use_syslog("meshroomd");

	if (secret_file) {
		secret = read_secret(secret_file);
		if (!secret) {
			util_log_error("%s: %s", secret_file, strerror(errno));
			goto out;
		}
	} else if (getenv("MESHAGENT_SECRET")) {
		secret = strdup(getenv("MESHAGENT_SECRET"));
	}
	if (!secret || !*secret) {
		util_log_error("no secret: set MESHAGENT_SECRET or use "
			       "--secret-file");
		status = 2;
		goto out;
	}
	cfg.secret = secret;

	/* Block the stop signals everywhere (lws's threads included) before
	 * any thread exists; the signal thread takes them with sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	r = srv_new(&srv, &cfg);
	if (r < 0)
		goto out;
	if (print_port) {
		printf("%d\n", srv_port(srv));
		fflush(stdout);
	}
	r = pthread_create(&sigthread, NULL, signal_thread, srv);
	if (r) {
		util_log_error("cannot start the signal thread: %s",
			       strerror(r));
		goto out;
	}
	pthread_detach(sigthread);
	r = srv_run(srv);
	status = r < 0 ? 1 : 0;
out:
	srv_free(srv);
	free(host);
	free(secret);
	return status;
}
