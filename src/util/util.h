/* SPDX-License-Identifier: MIT */
/*
 * util.h - the bottom layer of meshfs: errors with a byte offset, logging,
 * growable byte buffers, base64 (standard and URL-safe), random bytes, UUIDs
 * and clocks.
 *
 * Every other layer above src/yjs may include this header; it includes
 * nothing of ours and needs only libc (getrandom(2), syslog(3)).
 *
 * Conventions: functions return 0 or a negative errno (-EINVAL for invalid
 * input, -ENOMEM), out parameters first.  An optional `struct util_error *`
 * (may be NULL) receives what went wrong and where.
 */
#ifndef MESHFS_UTIL_H
#define MESHFS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UTIL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ======================================================================
 * 1. Errors
 * ====================================================================== */

#define UTIL_ERROR_MSG_MAX 256

/*
 * What went wrong and where, for parsers of untrusted input.
 *
 * offset is the byte offset into the input the parser was given (the
 * packet, the message data, the token text, ...), or -1 when the error is
 * not about one place (e.g. "message exceeds 64 MiB").  msg is one line of
 * English; it may name more context itself ("packet 3: ...").  A plain
 * value type: copy it freely.
 */
struct util_error {
	long long offset;
	char msg[UTIL_ERROR_MSG_MAX];
};

/* Empties err (offset -1, msg ""). NULL-safe. */
void util_error_clear(struct util_error *err);
/* Sets err (NULL-safe) and returns nothing; msg is cut to fit. */
void util_error_set(struct util_error *err, long long offset, const char *fmt,
		    ...) UTIL_PRINTF(3, 4);
/*
 * Prepends "<prefix>: " to err->msg (keeps the offset), e.g. to say which
 * field of a larger structure a nested parser failed on.  NULL-safe.
 */
void util_error_prefix(struct util_error *err, const char *fmt, ...)
	UTIL_PRINTF(2, 3);
/* "msg (at byte N)" or "msg", NUL-terminated in buf; snprintf return value. */
int util_error_format(char *buf, size_t len, const struct util_error *err);

/* ======================================================================
 * 2. Logging
 * ====================================================================== */

enum util_log_level {
	UTIL_LOG_ERROR = 0,
	UTIL_LOG_WARN = 1,
	UTIL_LOG_INFO = 2,
	UTIL_LOG_DEBUG = 3,
};

/*
 * Process-wide settings, meant to be set once at start-up (from main);
 * util_log itself is thread-safe (one write(2)/syslog(3) per line).
 * Default: level WARN, stderr.
 */
void util_log_set_level(enum util_log_level level);
enum util_log_level util_log_get_level(void);
/* "error", "warn"/"warning", "info", "debug" (case-insensitive) -> 0 or
 * -EINVAL. */
int util_log_level_parse(enum util_log_level *out, const char *name);
const char *util_log_level_name(enum util_log_level level);
/*
 * ident != NULL: log through syslog(3) with that identity (the string must
 * stay valid: openlog keeps the pointer) and facility LOG_DAEMON.
 * ident == NULL: back to stderr ("<prog>: <level>: <msg>\n" where <prog>
 * is set by util_log_set_prog, default none).
 */
void util_log_use_syslog(const char *ident);
/* Program name prefix on stderr lines; pointer kept, NULL for none. */
void util_log_set_prog(const char *prog);
/* True if a message of this level would be written (to skip costly
 * formatting). */
bool util_log_enabled(enum util_log_level level);
/* Writes one line (a trailing '\n' in fmt is not needed). */
void util_log(enum util_log_level level, const char *fmt, ...)
	UTIL_PRINTF(2, 3);
void util_vlog(enum util_log_level level, const char *fmt, va_list ap)
	UTIL_PRINTF(2, 0);

#define util_log_error(...) util_log(UTIL_LOG_ERROR, __VA_ARGS__)
#define util_log_warn(...) util_log(UTIL_LOG_WARN, __VA_ARGS__)
#define util_log_info(...) util_log(UTIL_LOG_INFO, __VA_ARGS__)
#define util_log_debug(...)                                    \
	do {                                                   \
		if (util_log_enabled(UTIL_LOG_DEBUG))          \
			util_log(UTIL_LOG_DEBUG, __VA_ARGS__); \
	} while (0)

/* ======================================================================
 * 3. Growable byte buffer
 * ====================================================================== */

/*
 * Writes never fail one call at a time: an allocation failure sets `oom`
 * and later writes are dropped; check util_buf_error() (or the return of
 * util_buf_steal) once at the end.  data is always NUL-terminated after a
 * successful write (the NUL is not counted in len), so text built here can
 * be used as a C string.  Zero-initialisation is a valid empty buffer.
 */
struct util_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool oom;
};

void util_buf_init(struct util_buf *b);
/* Frees data and re-initialises. */
void util_buf_free(struct util_buf *b);
/* len = 0, keeps the allocation (and clears oom). */
void util_buf_reset(struct util_buf *b);
/* 0 or -ENOMEM if any earlier write failed. */
int util_buf_error(const struct util_buf *b);
/* Makes room for `extra` more bytes; 0 or -ENOMEM (also sets oom). */
int util_buf_reserve(struct util_buf *b, size_t extra);
/*
 * Hands the bytes to the caller: *out is malloc'd (free(3) it),
 * NUL-terminated, never NULL on success (even when empty); the buffer is
 * re-initialised.  -ENOMEM if a write failed (buffer freed).
 */
int util_buf_steal(uint8_t **out, size_t *out_len, struct util_buf *b);

void util_buf_put(struct util_buf *b, const void *p, size_t n);
void util_buf_put_u8(struct util_buf *b, uint8_t v);
void util_buf_put_be32(struct util_buf *b, uint32_t v);
void util_buf_put_be64(struct util_buf *b, uint64_t v);
void util_buf_put_str(struct util_buf *b, const char *s);
void util_buf_printf(struct util_buf *b, const char *fmt, ...)
	UTIL_PRINTF(2, 3);

/* Big-endian load/store helpers for wire formats. */
static inline uint32_t util_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t util_load_be64(const uint8_t *p)
{
	return (uint64_t)util_load_be32(p) << 32 | util_load_be32(p + 4);
}

static inline void util_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void util_store_be64(uint8_t *p, uint64_t v)
{
	util_store_be32(p, (uint32_t)(v >> 32));
	util_store_be32(p + 4, (uint32_t)v);
}

/* ======================================================================
 * 4. Base64
 * ====================================================================== */

/*
 * Two variants:
 *   UTIL_BASE64_STD  RFC 4648 §4 alphabet (+/), always padded with '='
 *                    (what the SDKs send in sync chunks; Python needs '=').
 *   UTIL_BASE64_URL  RFC 4648 §5 alphabet (-_), never padded (JWT
 *                    segments, API key parts).
 * Decoding is strict: every character must belong to the variant's
 * alphabet (no whitespace), STD needs a length that is a multiple of 4 with
 * correct padding, URL rejects '=' and a length of 4n+1, and the unused
 * low bits of the last character must be zero (one text per byte string).
 * Errors say what and at which character offset.
 */
enum util_base64_variant {
	UTIL_BASE64_STD = 0,
	UTIL_BASE64_URL = 1,
};

/* Length of the encoding of n bytes (without NUL). */
size_t util_base64_encoded_len(enum util_base64_variant v, size_t n);
/* Upper bound of the decoded length of a text of n characters. */
size_t util_base64_decoded_max(size_t n);
/*
 * Encodes into dst, which must hold util_base64_encoded_len(v, n) + 1
 * bytes (NUL-terminated).  Returns the text length.
 */
size_t util_base64_encode_to(char *dst, enum util_base64_variant v,
			     const void *src, size_t n);
/* Same into a malloc'd string (*out; free(3) it); *out_len may be NULL. */
int util_base64_encode(char **out, size_t *out_len, enum util_base64_variant v,
		       const void *src, size_t n);
/*
 * Decodes into dst (at least util_base64_decoded_max(len) bytes; may be
 * the same buffer as text: decoding never overtakes its input).  *out_len
 * gets the decoded length.  -EINVAL on malformed text (err says where).
 */
int util_base64_decode_to(uint8_t *dst, size_t *out_len,
			  enum util_base64_variant v, const char *text,
			  size_t len, struct util_error *err);
/* Same into a malloc'd buffer (*out; free(3) it; never NULL on success). */
int util_base64_decode(uint8_t **out, size_t *out_len,
		       enum util_base64_variant v, const char *text, size_t len,
		       struct util_error *err);

/* ======================================================================
 * 5. Random bytes, UUIDs, clocks
 * ====================================================================== */

/* Fills buf with n bytes from getrandom(2) (retries on EINTR).  0/-errno. */
int util_random(void *buf, size_t n);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */
#define UTIL_UUID_STR_LEN 37

/* A random (version 4, RFC 4122 variant) UUID as a lowercase string. */
int util_uuid_v4(char out[UTIL_UUID_STR_LEN]);
/* 16 bytes -> lowercase 8-4-4-4-12 string. */
void util_uuid_format(char out[UTIL_UUID_STR_LEN], const uint8_t bytes[16]);
/* 8-4-4-4-12 hex string (either case) -> 16 bytes; -EINVAL otherwise. */
int util_uuid_parse(uint8_t bytes[16], const char *str);

/* Wall clock in milliseconds since the epoch (CLOCK_REALTIME). */
int64_t util_time_ms(void);
/* Monotonic clock in milliseconds (CLOCK_MONOTONIC), for timeouts. */
int64_t util_monotonic_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_UTIL_H */
