/* SPDX-License-Identifier: MIT */
/*
 * names.c - the names editors and tools use for temp, swap, backup and
 * lock files (DESIGN.md decision 5).  They never reach the room: ops.c
 * keeps them in a local "shadow" folder tree that mirrors the mount, so
 * that vim's swap file, emacs's lock symlink or sed's temp file behave as
 * on a local disk and only the final rename over the real name commits.
 *
 * The rules (on the last path segment):
 *   .*.swp .*.swx .*.sw?   vim swap files (and nano's .x.swp lock)
 *   *~                     backups (vim, emacs, nano)
 *   4913, 5036, ...        vim's "can I create a file here" probe
 *   .#*                    emacs lock symlinks
 *   #*#                    emacs auto-save files
 *   sed??????              sed -i temp files
 *   .goutputstream-*       GLib/GIO safe-save temp files
 *   *.tmp                  generic temp files (Python/atomic-write idioms)
 *   .~lock.*#              LibreOffice locks
 *   .*.XXXXXX              rsync's temp names (6 alphanumerics, not all
 *                          lowercase)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* vim's probe file: 4913, then +123 while the name exists. */
static bool is_vim_probe(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n < 4 || n > 6)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 4913 && (v - 4913) % 123 == 0;
}

bool mfs_name_is_local(const char *path)
{
	const char *s = mfs_basename(path);
	size_t n = strlen(s), i;

	if (!n)
		return false;
	if (s[n - 1] == '~')
		return true;
	if (s[0] == '.' && n >= 6 && s[n - 4] == '.' && s[n - 3] == 's' &&
	    s[n - 2] == 'w' && s[n - 1] >= 'a' && s[n - 1] <= 'z')
		return true;
	if (is_vim_probe(s, n))
		return true;
	if (n >= 2 && s[0] == '.' && s[1] == '#')
		return true;
	if (n >= 2 && s[0] == '#' && s[n - 1] == '#')
		return true;
	if (n == 9 && !memcmp(s, "sed", 3)) {
		for (i = 3; i < 9 && is_alnum(s[i]); i++)
			;
		if (i == 9)
			return true;
	}
	if (!strncmp(s, ".goutputstream-", 15))
		return true;
	if (!strncmp(s, ".~lock.", 7) && s[n - 1] == '#')
		return true;
	if (ends_with(s, n, ".tmp") && n > 4)
		return true;
	/* rsync: .<name>.XXXXXX (mkstemp: mixed case and digits; an all
	 * lowercase suffix is more likely a real name like .env.sample) */
	if (s[0] == '.' && n >= 9 && s[n - 7] == '.') {
		bool mixed = false;

		for (i = n - 6; i < n && is_alnum(s[i]); i++)
			mixed |= !(s[i] >= 'a' && s[i] <= 'z');
		if (i == n && mixed)
			return true;
	}
	return false;
}

int mfs_shadow_mkparents(struct mfs *m, const char *rel)
{
	char *p = strdup(rel), *s;

	if (!p)
		return -ENOMEM;
	for (s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(m->shadowfd, p, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			free(p);
			return -e;
		}
		*s = '/';
	}
	free(p);
	return 0;
}
