# src/server/local.mk - libserver (the room server library: network core,
# storage toolkit, and the docstore + sync toolkit) and meshroomd.
#
# Included from the top Makefile.am after src/proto: paths are relative to
# the top directory.  server.h is the public header (meshfs embeds a room
# server through it); srv.h is the interface toolkits plug into; srvcore.h
# is private to srv.c/conn.c.  Networking is libwebsockets (LWS_*), JSON is
# cJSON; the layer includes only the public headers of the layers below.

noinst_LTLIBRARIES += src/server/libserver.la
src_server_libserver_la_SOURCES = \
	src/server/server.h \
	src/server/srv.h \
	src/server/srvcore.h \
	src/server/srv.c \
	src/server/conn.c \
	src/server/door.c \
	src/server/paths.c \
	src/server/storage.c
# The sync toolkit (sync.c) over the room documents (docstore.c).
src_server_libserver_la_SOURCES += src/server/sync.c
src_server_libserver_la_SOURCES += src/server/docstore.c src/server/docstore.h
src_server_libserver_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/server -I$(top_srcdir)/src/proto \
	-I$(top_srcdir)/src/util -I$(top_srcdir)/src/mesh \
	$(LWS_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
src_server_libserver_la_LIBADD = src/mesh/libmesh.la src/proto/libproto.la \
	src/util/libutil.la src/yjs/libyjs.la \
	$(LWS_LIBS) $(CJSON_LIBS) $(OPENSSL_LIBS) -lpthread $(LIBM)

sbin_PROGRAMS += src/server/meshroomd
src_server_meshroomd_SOURCES = src/server/meshroomd.c
src_server_meshroomd_CPPFLAGS = $(src_server_libserver_la_CPPFLAGS) \
	-DMESHFS_SCHEMAS_DIR='"$(meshschemasdir)"'
src_server_meshroomd_LDADD = src/server/libserver.la
# Installed: not -no-install (AM_LDFLAGS in Makefile.am).
src_server_meshroomd_LDFLAGS =

dist_man8_MANS += contrib/man/meshroomd.8
EXTRA_DIST += contrib/systemd/meshroomd.service

# tests/unit/test-docstore: the docstore alone (no network), with its
# own copy of docstore.c.
tests_unit_test_docstore_SOURCES = tests/unit/test-docstore.c src/server/docstore.c
tests_unit_test_docstore_CPPFLAGS = $(src_server_libserver_la_CPPFLAGS)
tests_unit_test_docstore_LDADD = src/mesh/libmesh.la src/util/libutil.la \
	src/yjs/libyjs.la $(CJSON_LIBS) -lpthread $(LIBM)
