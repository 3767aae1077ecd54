/* SPDX-License-Identifier: MIT */
/*
 * random.c - random bytes from getrandom(2), version 4 UUIDs, and the two
 * clocks (wall time in ms for ids and timestamps, monotonic for timeouts).
 */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

int util_random(void *buf, size_t n)
{
	uint8_t *p = buf;
	ssize_t r;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

void util_uuid_format(char out[UTIL_UUID_STR_LEN], const uint8_t bytes[16])
{
	static const char hex[] = "0123456789abcdef";
	char *d = out;
	int i;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*d++ = '-';
		*d++ = hex[bytes[i] >> 4];
		*d++ = hex[bytes[i] & 15];
	}
	*d = '\0';
}

int util_uuid_v4(char out[UTIL_UUID_STR_LEN])
{
	uint8_t b[16];
	int r;

	r = util_random(b, sizeof(b));
	if (r < 0)
		return r;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	util_uuid_format(out, b);
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int util_uuid_parse(uint8_t bytes[16], const char *str)
{
	int i, hi, lo;
	const char *s = str;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (*s++ != '-')
				return -EINVAL;
		}
		hi = hex_value(s[0]);
		if (hi < 0)
			return -EINVAL;
		lo = hex_value(s[1]);
		if (lo < 0)
			return -EINVAL;
		bytes[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return *s ? -EINVAL : 0;
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_time_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t util_monotonic_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
