# src/fs/local.mk - meshfs, the FUSE driver.
#
# Included from the top Makefile.am last: paths are relative to the top
# directory.  meshfs uses client.h (remote rooms), server.h (the embedded
# local room), mesh.h and yjs.h.

bin_PROGRAMS += src/fs/meshfs
src_fs_meshfs_SOURCES = \
	src/fs/fs.h \
	src/fs/main.c \
	src/fs/ops.c \
	src/fs/cache.c \
	src/fs/doc.c \
	src/fs/plain.c \
	src/fs/names.c
# The embedded room seeds new rooms with the installed schemas
# ($(meshschemasdir), src/mesh/local.mk), as meshroomd does.
src_fs_meshfs_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/fs -I$(top_srcdir)/src/client \
	-I$(top_srcdir)/src/server -I$(top_srcdir)/src/mesh \
	-I$(top_srcdir)/src/proto -I$(top_srcdir)/src/util \
	$(FUSE_CFLAGS) $(CJSON_CFLAGS) \
	-DMESHFS_SCHEMAS_DIR='"$(meshschemasdir)"'
src_fs_meshfs_LDADD = src/client/libclient.la src/server/libserver.la \
	src/mesh/libmesh.la src/proto/libproto.la src/util/libutil.la \
	src/yjs/libyjs.la $(FUSE_LIBS) $(LWS_LIBS) $(CJSON_LIBS) \
	$(OPENSSL_LIBS) -lpthread $(LIBM)
# Installed: not -no-install (AM_LDFLAGS in Makefile.am).
src_fs_meshfs_LDFLAGS =

# mount.meshfs: /etc/fstab entries and `mount -t fuse.meshfs`.
sbin_SCRIPTS = contrib/mount.meshfs
EXTRA_DIST += contrib/mount.meshfs contrib/systemd/meshfs@.service
dist_man1_MANS += contrib/man/meshfs.1

# A first smoke test: an embedded room mounted, a document written, read.
script_tests += tests/fs/smoke.bats

# The integration suite and the benchmark's files (tests/fs/fs.mk).
include tests/fs/fs.mk
