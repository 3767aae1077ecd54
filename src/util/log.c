/* SPDX-License-Identifier: MIT */
/*
 * log.c - levelled logging to stderr or syslog.
 *
 * Settings are process-wide and meant to be set once from main(); each
 * line is formatted into a local buffer and written with a single write(2)
 * (or syslog(3) call), so lines from several threads do not interleave.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "util.h"

static volatile int log_level = UTIL_LOG_WARN;
static volatile int log_syslog;
static const char *volatile log_prog;

static const char *const level_names[] = {
	[UTIL_LOG_ERROR] = "error",
	[UTIL_LOG_WARN] = "warning",
	[UTIL_LOG_INFO] = "info",
	[UTIL_LOG_DEBUG] = "debug",
};

void util_log_set_level(enum util_log_level level)
{
	if ((int)level < UTIL_LOG_ERROR)
		level = UTIL_LOG_ERROR;
	if (level > UTIL_LOG_DEBUG)
		level = UTIL_LOG_DEBUG;
	log_level = level;
}

enum util_log_level util_log_get_level(void)
{
	return (enum util_log_level)log_level;
}

int util_log_level_parse(enum util_log_level *out, const char *name)
{
	static const struct {
		const char *name;
		enum util_log_level level;
	} names[] = {
		{ "error", UTIL_LOG_ERROR }, { "err", UTIL_LOG_ERROR },
		{ "warn", UTIL_LOG_WARN },   { "warning", UTIL_LOG_WARN },
		{ "info", UTIL_LOG_INFO },   { "debug", UTIL_LOG_DEBUG },
	};
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(name, names[i].name)) {
			*out = names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

const char *util_log_level_name(enum util_log_level level)
{
	if ((int)level < UTIL_LOG_ERROR || level > UTIL_LOG_DEBUG)
		return "?";
	return level_names[level];
}

void util_log_use_syslog(const char *ident)
{
	if (ident) {
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog = 1;
	} else {
		if (log_syslog)
			closelog();
		log_syslog = 0;
	}
}

void util_log_set_prog(const char *prog)
{
	log_prog = prog;
}

bool util_log_enabled(enum util_log_level level)
{
	return (int)level <= log_level;
}

void util_vlog(enum util_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[2048];
	size_t n = 0;
	const char *prog = log_prog;
	int r;

	if (!util_log_enabled(level))
		return;
	if ((int)level < UTIL_LOG_ERROR)
		level = UTIL_LOG_ERROR;
	if (level > UTIL_LOG_DEBUG)
		level = UTIL_LOG_DEBUG;
	if (log_syslog) {
		vsnprintf(line, sizeof(line), fmt, ap);
		syslog(prio[level], "%s", line);
		return;
	}
	if (prog) {
		r = snprintf(line, sizeof(line), "%s: ", prog);
		n = r > 0 ? (size_t)r : 0;
	}
	r = snprintf(line + n, sizeof(line) - n, "%s: ", level_names[level]);
	n += r > 0 ? (size_t)r : 0;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n += r > 0 ? (size_t)r : 0;
	}
	/* Long lines are cut, but always end in a newline. */
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (n > 0 && line[n - 1] == '\n')
		n--;
	line[n++] = '\n';
	while (write(STDERR_FILENO, line, n) < 0 && errno == EINTR)
		;
}

void util_log(enum util_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vlog(level, fmt, ap);
	va_end(ap);
}
