/* SPDX-License-Identifier: MIT */
/*
 * base64.c - RFC 4648 base64: the standard alphabet with padding (sync
 * chunk payloads) and the URL-safe alphabet without padding (JWT segments,
 * API keys).
 *
 * Decoding is strict so that one byte string has exactly one accepted text:
 * wrong characters, wrong padding, impossible lengths and non-zero unused
 * bits are errors with the offset of the offending character.
 */
#include <errno.h>
#include <stdlib.h>

#include "util.h"

static const char std_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t util_base64_encoded_len(enum util_base64_variant v, size_t n)
{
	if (v == UTIL_BASE64_URL)
		return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
	return (n + 2) / 3 * 4;
}

size_t util_base64_decoded_max(size_t n)
{
	return n / 4 * 3 + (n % 4 ? 2 : 0);
}

size_t util_base64_encode_to(char *dst, enum util_base64_variant v,
			     const void *src, size_t n)
{
	const char *a = v == UTIL_BASE64_URL ? url_alphabet : std_alphabet;
	const uint8_t *s = src;
	char *d = dst;
	size_t i = 0;
	uint32_t w;

	for (; i + 3 <= n; i += 3) {
		w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*d++ = a[w >> 18];
		*d++ = a[(w >> 12) & 63];
		*d++ = a[(w >> 6) & 63];
		*d++ = a[w & 63];
	}
	if (n - i == 1) {
		w = (uint32_t)s[i] << 16;
		*d++ = a[w >> 18];
		*d++ = a[(w >> 12) & 63];
		if (v == UTIL_BASE64_STD) {
			*d++ = '=';
			*d++ = '=';
		}
	} else if (n - i == 2) {
		w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		*d++ = a[w >> 18];
		*d++ = a[(w >> 12) & 63];
		*d++ = a[(w >> 6) & 63];
		if (v == UTIL_BASE64_STD)
			*d++ = '=';
	}
	*d = '\0';
	return (size_t)(d - dst);
}

int util_base64_encode(char **out, size_t *out_len, enum util_base64_variant v,
		       const void *src, size_t n)
{
	size_t len;
	char *s;

	if (n > (SIZE_MAX - 4) / 4 * 3)
		return -ENOMEM;
	s = malloc(util_base64_encoded_len(v, n) + 1);
	if (!s)
		return -ENOMEM;
	len = util_base64_encode_to(s, v, src, n);
	*out = s;
	if (out_len)
		*out_len = len;
	return 0;
}

static int char_value(enum util_base64_variant v, unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (v == UTIL_BASE64_STD) {
		if (c == '+')
			return 62;
		if (c == '/')
			return 63;
	} else {
		if (c == '-')
			return 62;
		if (c == '_')
			return 63;
	}
	return -1;
}

static const char *variant_name(enum util_base64_variant v)
{
	return v == UTIL_BASE64_URL ? "base64url" : "base64";
}

int util_base64_decode_to(uint8_t *dst, size_t *out_len,
			  enum util_base64_variant v, const char *text,
			  size_t len, struct util_error *err)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t data_len = len, i, o = 0, rem;
	uint32_t w = 0;
	int x;

	if (v == UTIL_BASE64_STD) {
		if (len % 4) {
			util_error_set(err, (long long)len,
				       "base64: length %zu is not a multiple "
				       "of 4",
				       len);
			return -EINVAL;
		}
		/* At most two '=' and only at the very end. */
		if (data_len && s[data_len - 1] == '=')
			data_len--;
		if (data_len && s[data_len - 1] == '=')
			data_len--;
	} else if (len % 4 == 1) {
		util_error_set(err, (long long)len - 1,
			       "base64url: length %zu leaves a single "
			       "character",
			       len);
		return -EINVAL;
	}
	for (i = 0; i < data_len; i++) {
		x = char_value(v, s[i]);
		if (x < 0) {
			if (s[i] >= 0x21 && s[i] < 0x7f)
				util_error_set(err, (long long)i,
					       "%s: invalid character '%c'",
					       variant_name(v), s[i]);
			else
				util_error_set(err, (long long)i,
					       "%s: invalid byte 0x%02x",
					       variant_name(v), s[i]);
			return -EINVAL;
		}
		w = w << 6 | (uint32_t)x;
		if (i % 4 == 3) {
			dst[o++] = (uint8_t)(w >> 16);
			dst[o++] = (uint8_t)(w >> 8);
			dst[o++] = (uint8_t)w;
			w = 0;
		}
	}
	rem = data_len % 4;
	if (v == UTIL_BASE64_STD && rem == 1) {
		/* "x===" style: three '=' cannot happen after the strip,
		 * so this is a '=' in the wrong place. */
		util_error_set(err, (long long)data_len,
			       "base64: misplaced padding");
		return -EINVAL;
	}
	if (rem == 2) {
		if (w & 0xf) {
			util_error_set(err, (long long)data_len - 1,
				       "%s: non-zero unused bits in the last "
				       "character",
				       variant_name(v));
			return -EINVAL;
		}
		dst[o++] = (uint8_t)(w >> 4);
	} else if (rem == 3) {
		if (w & 0x3) {
			util_error_set(err, (long long)data_len - 1,
				       "%s: non-zero unused bits in the last "
				       "character",
				       variant_name(v));
			return -EINVAL;
		}
		dst[o++] = (uint8_t)(w >> 10);
		dst[o++] = (uint8_t)(w >> 2);
	}
	if (v == UTIL_BASE64_STD && rem && len - data_len != 4 - rem) {
		util_error_set(err, (long long)data_len,
			       "base64: misplaced padding");
		return -EINVAL;
	}
	*out_len = o;
	return 0;
}

int util_base64_decode(uint8_t **out, size_t *out_len,
		       enum util_base64_variant v, const char *text, size_t len,
		       struct util_error *err)
{
	uint8_t *d;
	int r;

	d = malloc(util_base64_decoded_max(len) + 1);
	if (!d) {
		util_error_set(err, -1, "out of memory");
		return -ENOMEM;
	}
	r = util_base64_decode_to(d, out_len, v, text, len, err);
	if (r < 0) {
		free(d);
		return r;
	}
	d[*out_len] = 0;
	*out = d;
	return 0;
}
