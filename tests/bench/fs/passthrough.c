/* SPDX-License-Identifier: MIT */
/*
 * passthrough.c - the FUSE floor of the meshfs benchmark (run-fs.sh).
 *
 * A deliberately trivial libfuse3 filesystem that mirrors a source folder:
 * every operation is the matching system call on the source path, with no
 * caching or state of its own.  Whatever it costs over tmpfs is what any
 * FUSE filesystem pays on this machine (kernel round trips, context
 * switches), so meshfs is measured against it.  Kernel cache settings are
 * libfuse's defaults (1 s entry and attribute timeouts, page cache dropped
 * on open), as for a filesystem that sets nothing.
 *
 * Usage: passthrough SOURCE MOUNTPOINT [FUSE options]  (e.g. -f)
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

static int pt_src; /* the source folder, opened once; paths are relative */

/* FUSE paths start with '/': make them relative to pt_src. */
static const char *pt_rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static void *pt_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;
	return NULL;
}

static int pt_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	int r;

	if (fi)
		r = fstat(fi->fh, st);
	else
		r = fstatat(pt_src, pt_rel(path), st, AT_SYMLINK_NOFOLLOW);
	return r < 0 ? -errno : 0;
}

static int pt_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct dirent *de;
	DIR *d;
	int fd;

	(void)off;
	(void)fi;
	(void)flags;
	fd = openat(pt_src, pt_rel(path), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		struct stat st = { 0 };

		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)de->d_type << 12;
		if (fill(buf, de->d_name, &st, 0, 0))
			break;
	}
	closedir(d);
	return 0;
}

static int pt_open(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(pt_src, pt_rel(path), fi->flags & ~O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	fi->fh = fd;
	return 0;
}

static int pt_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd = openat(pt_src, pt_rel(path), fi->flags | O_CREAT, mode);

	if (fd < 0)
		return -errno;
	fi->fh = fd;
	return 0;
}

static int pt_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	ssize_t n = pread(fi->fh, buf, size, off);

	(void)path;
	return n < 0 ? -errno : (int)n;
}

static int pt_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t n = pwrite(fi->fh, buf, size, off);

	(void)path;
	return n < 0 ? -errno : (int)n;
}

static int pt_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close(fi->fh);
	return 0;
}

static int pt_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	int r = datasync ? fdatasync(fi->fh) : fsync(fi->fh);

	(void)path;
	return r < 0 ? -errno : 0;
}

static int pt_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	int r, fd;

	if (fi)
		return ftruncate(fi->fh, size) < 0 ? -errno : 0;
	fd = openat(pt_src, pt_rel(path), O_WRONLY);
	if (fd < 0)
		return -errno;
	r = ftruncate(fd, size) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int pt_unlink(const char *path)
{
	return unlinkat(pt_src, pt_rel(path), 0) < 0 ? -errno : 0;
}

static int pt_mkdir(const char *path, mode_t mode)
{
	return mkdirat(pt_src, pt_rel(path), mode) < 0 ? -errno : 0;
}

static int pt_rmdir(const char *path)
{
	return unlinkat(pt_src, pt_rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int pt_rename(const char *from, const char *to, unsigned int flags)
{
	int r = renameat2(pt_src, pt_rel(from), pt_src, pt_rel(to), flags);

	return r < 0 ? -errno : 0;
}

static int pt_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int r;

	if (fi)
		r = fchmod(fi->fh, mode);
	else
		r = fchmodat(pt_src, pt_rel(path), mode, 0);
	return r < 0 ? -errno : 0;
}

static int pt_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	int r;

	if (fi)
		r = fchown(fi->fh, uid, gid);
	else
		r = fchownat(pt_src, pt_rel(path), uid, gid,
			     AT_SYMLINK_NOFOLLOW);
	return r < 0 ? -errno : 0;
}

static int pt_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	int r;

	if (fi)
		r = futimens(fi->fh, tv);
	else
		r = utimensat(pt_src, pt_rel(path), tv, AT_SYMLINK_NOFOLLOW);
	return r < 0 ? -errno : 0;
}

static int pt_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return fstatvfs(pt_src, sv) < 0 ? -errno : 0;
}

static const struct fuse_operations pt_ops = {
	.init = pt_init,
	.getattr = pt_getattr,
	.readdir = pt_readdir,
	.open = pt_open,
	.create = pt_create,
	.read = pt_read,
	.write = pt_write,
	.release = pt_release,
	.fsync = pt_fsync,
	.truncate = pt_truncate,
	.unlink = pt_unlink,
	.mkdir = pt_mkdir,
	.rmdir = pt_rmdir,
	.rename = pt_rename,
	.chmod = pt_chmod,
	.chown = pt_chown,
	.utimens = pt_utimens,
	.statfs = pt_statfs,
};

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SOURCE MOUNTPOINT [FUSE options]\n",
			argv[0]);
		return 2;
	}
	pt_src = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (pt_src < 0) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1],
			strerror(errno));
		return 1;
	}
	/* fuse_main sees argv without SOURCE. */
	argv[1] = argv[0];
	return fuse_main(argc - 1, argv + 1, &pt_ops, NULL);
}
