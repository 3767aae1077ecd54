/* SPDX-License-Identifier: MIT */
/*
 * codec.h - libyjs internal: lib0 byte coding, UTF-8/UTF-16 helpers, the
 * lib0 Any codec and JS-compatible JSON text (spec/yjs.md sections 1, 9.8,
 * 11).  Leaf module: includes nothing of libyjs but yjs.h.
 *
 * Implemented by buf.c (writer/reader and numbers), utf.c, any.c (y_any_*
 * of yjs.h plus the Any codec) and json.c (JSON parse and stringify).
 */
#ifndef YJS_CODEC_H
#define YJS_CODEC_H

#include <stdarg.h>
#include <string.h>

#include "yjs.h"

/* ---- growable output buffer ----------------------------------------- */

/*
 * Writers never fail one call at a time: an allocation failure sets
 * `oom` and later writes are dropped.  Check y_buf_error() once at the end.
 */
struct y_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool oom;
};

void y_buf_init(struct y_buf *b);
void y_buf_release(struct y_buf *b); /* frees data, re-inits */
/* 0 or -ENOMEM if any earlier write failed. */
int y_buf_error(const struct y_buf *b);
/* Hands the bytes to the caller (malloc'd, NUL-terminated for text use);
 * the buffer is re-initialised.  -ENOMEM if a write failed. */
int y_buf_steal(uint8_t **out, size_t *out_len, struct y_buf *b);
void y_buf_reserve(struct y_buf *b, size_t extra);

void y_buf_put_u8(struct y_buf *b, uint8_t v);
void y_buf_put_bytes(struct y_buf *b, const void *p, size_t n);
void y_buf_put_str(struct y_buf *b, const char *s); /* strlen(s) bytes */
void y_buf_printf(struct y_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void y_buf_put_var_uint(struct y_buf *b, uint64_t v);
/* lib0 writeVarInt of an integral double with |v| <= 2^53 - 1; -0 is 0x40. */
void y_buf_put_var_int(struct y_buf *b, double v);
void y_buf_put_var_string(struct y_buf *b, const char *s, size_t len);
void y_buf_put_var_bytes(struct y_buf *b, const uint8_t *p, size_t len);
void y_buf_put_f32(struct y_buf *b, float v); /* big-endian */
void y_buf_put_f64(struct y_buf *b, double v); /* big-endian, NaN canonical */
void y_buf_put_i64(struct y_buf *b, int64_t v); /* big-endian */

/* ---- bounds-checked reader ------------------------------------------ */

struct y_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
	struct y_error *err; /* may be NULL */
};

void y_reader_init(struct y_reader *r, const uint8_t *data, size_t len,
		   struct y_error *err);
static inline size_t y_reader_left(const struct y_reader *r)
{
	return r->len - r->pos;
}
/* Records "msg at offset pos" in r->err (first error wins) and returns
 * -EBADMSG, so callers can `return y_reader_fail(r, "...")`. */
int y_reader_fail(struct y_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same as y_reader_fail for an explicit offset and error (err may be NULL;
 * an err whose msg is already set is kept).  y_reader_init clears err. */
int y_error_set(struct y_error *err, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int y_read_u8(struct y_reader *r, uint8_t *out);
/* varUint; values above 2^53 - 1 are an error, as in lib0. */
int y_read_var_uint(struct y_reader *r, uint64_t *out);
int y_read_var_int(struct y_reader *r, double *out); /* keeps -0 */
/* Borrowed pointer into the input; strictly validated UTF-8. */
int y_read_var_string(struct y_reader *r, const char **ptr, size_t *len);
int y_read_var_bytes(struct y_reader *r, const uint8_t **ptr, size_t *len);
int y_read_f32(struct y_reader *r, float *out);
int y_read_f64(struct y_reader *r, double *out);
int y_read_i64(struct y_reader *r, int64_t *out);

/* ---- UTF-8 / UTF-16 ------------------------------------------------- */

/* Strict: no overlongs, no surrogates, nothing above U+10FFFF. */
bool y_utf8_valid(const char *s, size_t len);
/* Offset of the first byte that does not start a valid sequence, or len. */
size_t y_utf8_invalid_at(const char *s, size_t len);
/* Length in UTF-16 code units of valid UTF-8. */
uint64_t y_utf16_len(const char *s, size_t len);
/*
 * Byte offset of UTF-16 unit offset k in valid UTF-8 s (k <= utf16 length).
 * If k falls between the two halves of a 4-byte code point, *mid is set to
 * true and the offset of that code point's first byte is returned.
 */
size_t y_utf8_offset(const char *s, size_t len, uint64_t k, bool *mid);

/* ---- Any codec (lib0 writeAny / readAny) ----------------------------- */

/* Max nesting of arrays/objects accepted from the wire or JSON text. */
#define Y_ANY_MAX_DEPTH 256

/* Decodes one Any; objects are normalised to JS property order. */
int y_read_any(struct y_reader *r, struct y_any *out);
/* Writes one Any with lib0's tag choice for numbers (spec 1.7). */
void y_buf_put_any(struct y_buf *b, const struct y_any *v);
/*
 * Reorders object entries given in creation order (duplicates allowed) into
 * JS property order: a duplicate key keeps its first position and takes the
 * last value (the others are freed), "__proto__" entries are freed and
 * dropped when drop_proto.  *n is updated.  -ENOMEM leaves them unchanged.
 */
int y_any_entries_normalise(struct y_any_entry *entries, size_t *n,
			    bool drop_proto);

/* ---- JS property order ------------------------------------------------ */

/*
 * A JS object lists its canonical array index keys ("0", "1", ...
 * "4294967294", no leading zero) first, in ascending order, then the
 * other keys in creation order.  Used wherever libyjs builds what a JS
 * object would hold (Any objects, text attributes, views of maps).
 */
static inline bool y_js_index_key(const char *k, size_t len, uint32_t *idx)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || (len > 1 && k[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (k[i] < '0' || k[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(k[i] - '0');
	}
	if (v > 4294967294ull)
		return false;
	*idx = (uint32_t)v;
	return true;
}

/* qsort-style order of two keys in a JS object: is_index/idx from
 * y_js_index_key, pos the creation position. */
static inline int y_js_key_order(bool a_is_index, uint32_t a_idx, size_t a_pos,
				 bool b_is_index, uint32_t b_idx, size_t b_pos)
{
	if (a_is_index != b_is_index)
		return a_is_index ? -1 : 1;
	if (a_is_index)
		return a_idx < b_idx ? -1 : a_idx > b_idx;
	return a_pos < b_pos ? -1 : a_pos > b_pos;
}

/* "__proto__" never becomes an own property by assignment. */
static inline bool y_js_is_proto(const char *k, size_t len)
{
	return len == 9 && !memcmp(k, "__proto__", 9);
}

/* ---- JSON text ------------------------------------------------------- */

/* JSON.stringify of v appended to b (see y_any_to_json).  A top-level
 * Y_ANY_UNDEFINED is written as the bare word `undefined` (what yjs stores
 * in JSON content and what y_any_from_json reads back); inside objects the
 * member is omitted, inside arrays it is `null`. */
void y_json_put(struct y_buf *b, const struct y_any *v);
/* A JSON string literal with JS escaping.  Lone surrogates encoded as
 * WTF-8 (ED A0..BF xx, never present in valid UTF-8; views produce them
 * where JS strings hold lone surrogates) are escaped as \udxxx, as
 * JSON.stringify does. */
void y_json_put_string(struct y_buf *b, const char *s, size_t len);
/* JS Number::toString of a finite double; NaN/Infinity as "null". */
void y_json_put_number(struct y_buf *b, double v);
/* JS String(v) of a number ("NaN", "Infinity", "-Infinity" included). */
void y_js_put_number_string(struct y_buf *b, double v);
/* JS String(v) of any value: arrays joined with "," (null/undefined items
 * empty), objects "[object Object]", bytes as joined numbers, bigint in
 * decimal (spec 9.5 attribute values). */
void y_js_put_to_string(struct y_buf *b, const struct y_any *v);

#endif /* YJS_CODEC_H */
