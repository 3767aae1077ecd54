/* SPDX-License-Identifier: MIT */
/*
 * fsbench.c - the timed loops of the meshfs benchmark (run-fs.sh), run
 * the same way on tmpfs, on the passthrough FUSE floor and on meshfs.
 *
 *   fsbench orc FILE N
 *	hot open-read-close of FILE, N times: "orc_us <µs per cycle>"
 *   fsbench save FILE N
 *	vim-style save cycles: write FILE.tmp, rename it over FILE, then
 *	open FILE and fsync it (on meshfs: returns once the server has
 *	acknowledged the revision); each save changes one body's text.
 *	"save_p50_ms", "save_p99_ms"
 *   fsbench sustain FILE SECONDS
 *	saves (write FILE.tmp, rename over FILE) as fast as they go while a
 *	second process reads FILE and parses it as JSON; every read must be
 *	a whole, valid document.  "saves_per_s", "reads", "bad_reads"
 *
 * The document written is {"document": {"content": [...]}} with twenty
 * bodies of about 90 bytes (a 2 KB file, like the benchmark's others).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fsbench: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The document of save number i, in buf (at least 4096 bytes). */
static size_t doc_text(char *buf, size_t cap, long i)
{
	size_t n = 0;
	int k;

	n += snprintf(buf + n, cap - n,
		      "{\n  \"document\": {\n    \"content\": [\n");
	for (k = 0; k < 20; k++)
		n += snprintf(
			buf + n, cap - n,
			"      {\n        \"body\": {\n          \"text\": "
			"\"%s %ld body %02d lorem ipsum dolor sit\"\n"
			"        }\n      }%s\n",
			k == 0 ? "save" : "kept", k == 0 ? i : 0L, k,
			k < 19 ? "," : "");
	n += snprintf(buf + n, cap - n, "    ]\n  }\n}\n");
	return n;
}

static void write_all(int fd, const char *buf, size_t len, const char *path)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0)
			die("write", path);
		buf += w;
		len -= (size_t)w;
	}
}

/* One save: FILE.tmp written and renamed over FILE; fsync of FILE when
 * wait is set. */
static void save_once(const char *file, const char *tmp, long i, bool wait)
{
	char buf[8192];
	size_t len = doc_text(buf, sizeof(buf), i);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("open", tmp);
	write_all(fd, buf, len, tmp);
	if (close(fd) < 0)
		die("close", tmp);
	if (rename(tmp, file) < 0)
		die("rename over", file);
	if (wait) {
		fd = open(file, O_RDONLY);
		if (fd < 0)
			die("open", file);
		if (fsync(fd) < 0)
			die("fsync", file);
		close(fd);
	}
}

static int cmd_orc(const char *file, long n)
{
	char buf[65536];
	double t0 = 0;
	long i;

	for (i = -n / 10; i < n; i++) { /* warm up first */
		int fd;

		if (i == 0)
			t0 = now_s();
		fd = open(file, O_RDONLY);
		if (fd < 0)
			die("open", file);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	printf("orc_us %.2f\n", (now_s() - t0) / n * 1e6);
	return 0;
}

static int cmd_save(const char *file, long n)
{
	double *t = calloc(n, sizeof(*t));
	char tmp[4096];
	long i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	save_once(file, tmp, -1, true);
	for (i = 0; i < n; i++) {
		double t0 = now_s();

		save_once(file, tmp, i, true);
		t[i] = (now_s() - t0) * 1e3;
	}
	qsort(t, n, sizeof(*t), cmp_double);
	printf("save_p50_ms %.3f\nsave_p99_ms %.3f\n", t[n / 2],
	       t[(n * 99) / 100]);
	free(t);
	return 0;
}

/* The reader: parse FILE until killed; counts in *reads / *bad through
 * a pipe at the end. */
static void reader(const char *file, int out)
{
	long reads = 0, bad = 0;
	char buf[65536];
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		struct timespec zero = { 0 };
		size_t len = 0;
		ssize_t r;
		int fd = open(file, O_RDONLY);

		if (fd >= 0) {
			while ((r = read(fd, buf + len,
					 sizeof(buf) - 1 - len)) > 0)
				len += (size_t)r;
			close(fd);
			buf[len] = '\0';
			cJSON *j = cJSON_ParseWithLength(buf, len);

			reads++;
			if (!j || !cJSON_GetObjectItem(j, "document")) {
				if (bad < 3)
					fprintf(stderr,
						"fsbench: bad read (%zu bytes): %.80s\n",
						len, buf);
				bad++;
			}
			cJSON_Delete(j);
		}
		sig = sigtimedwait(&set, NULL, &zero);
		if (sig == SIGUSR1)
			break;
	}
	dprintf(out, "%ld %ld\n", reads, bad);
	_exit(0);
}

static int cmd_sustain(const char *file, double secs)
{
	char tmp[4096], res[64] = "";
	long i = 0, reads = 0, bad = 0;
	int p[2];
	pid_t pid;
	double t0 = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	save_once(file, tmp, -1, true);
	if (pipe(p) < 0)
		die("pipe", "");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		reader(file, p[1]);
	}
	close(p[1]);
	t0 = now_s();
	while (now_s() - t0 < secs)
		save_once(file, tmp, i++, false);
	t0 = now_s() - t0;
	kill(pid, SIGUSR1);
	if (read(p[0], res, sizeof(res) - 1) < 0)
		die("read", "pipe");
	waitpid(pid, NULL, 0);
	sscanf(res, "%ld %ld", &reads, &bad);
	printf("saves_per_s %.1f\nreads %ld\nbad_reads %ld\n", i / t0, reads,
	       bad);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "orc"))
		return cmd_orc(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "save"))
		return cmd_save(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "sustain"))
		return cmd_sustain(argv[2], atof(argv[3]));
	fprintf(stderr, "usage: fsbench orc FILE N | save FILE N | "
			"sustain FILE SECONDS\n");
	return 2;
}
