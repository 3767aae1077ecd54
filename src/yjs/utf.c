/* SPDX-License-Identifier: MIT */
/*
 * utf.c - UTF-8 validation and UTF-16 index arithmetic (spec/yjs.md
 * sections 1.4 and 11).  libyjs stores text as UTF-8 while yjs counts in
 * UTF-16 code units; every text length, clock and index conversion goes
 * through these helpers.
 */
#include "codec.h"

/*
 * Length of the valid sequence starting at s[i], or 0 if the bytes there do
 * not form one (overlong, surrogate, above U+10FFFF, truncated).
 */
static size_t utf8_seq_len(const uint8_t *s, size_t len, size_t i)
{
	uint8_t c = s[i];
	size_t left = len - i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0; /* continuation byte or overlong 2-byte lead */
	if (c < 0xe0) {
		if (left < 2 || (s[i + 1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xf0) {
		if (left < 3 || (s[i + 1] & 0xc0) != 0x80 ||
		    (s[i + 2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[i + 1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[i + 1] >= 0xa0)
			return 0; /* surrogate D800-DFFF */
		return 3;
	}
	if (c < 0xf5) {
		if (left < 4 || (s[i + 1] & 0xc0) != 0x80 ||
		    (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[i + 1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[i + 1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

size_t y_utf8_invalid_at(const char *str, size_t len)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(s, len, i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

bool y_utf8_valid(const char *s, size_t len)
{
	return y_utf8_invalid_at(s, len) == len;
}

uint64_t y_utf16_len(const char *str, size_t len)
{
	const uint8_t *s = (const uint8_t *)str;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			n += s[i] >= 0xf0 ? 2 : 1;
	}
	return n;
}

size_t y_utf8_offset(const char *str, size_t len, uint64_t k, bool *mid)
{
	const uint8_t *s = (const uint8_t *)str;
	uint64_t acc = 0;
	size_t i = 0;

	if (mid)
		*mid = false;
	while (i < len && acc < k) {
		if (s[i] >= 0xf0) {
			if (k - acc == 1) {
				if (mid)
					*mid = true;
				return i;
			}
			acc += 2;
			i += 4;
		} else {
			acc += 1;
			i += s[i] >= 0xe0 ? 3 : s[i] >= 0xc0 ? 2 : 1;
		}
	}
	return i < len ? i : len;
}
