# src/client/local.mk - libclient, the room client library (client.h).
#
# Included from the top Makefile.am after src/server and before the
# programs that use it (src/cli, src/fs): paths are relative to the top
# directory.  The layer includes only the public headers of the layers
# below (proto.h, mesh.h, yjs.h, util.h), never server.h.

noinst_LTLIBRARIES += src/client/libclient.la
src_client_libclient_la_SOURCES = \
	src/client/client.h \
	src/client/internal.h \
	src/client/ws.h \
	src/client/ws.c \
	src/client/conn.c \
	src/client/storage.c \
	src/client/sync.c \
	src/client/doc.c \
	src/client/target.c
src_client_libclient_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/client -I$(top_srcdir)/src/proto \
	-I$(top_srcdir)/src/util -I$(top_srcdir)/src/mesh \
	$(LWS_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
src_client_libclient_la_LIBADD = src/proto/libproto.la src/mesh/libmesh.la \
	src/util/libutil.la src/yjs/libyjs.la \
	$(LWS_LIBS) $(CJSON_LIBS) $(OPENSSL_LIBS) -lpthread $(LIBM)

# tests/client/test-client: the library against an embedded room server
# (server.h), every client.h function.
unit_tests += tests/client/test-client
tests_client_test_client_CPPFLAGS = $(src_client_libclient_la_CPPFLAGS) \
	-I$(top_srcdir)/src/server
tests_client_test_client_LDADD = src/client/libclient.la \
	src/server/libserver.la src/mesh/libmesh.la src/proto/libproto.la \
	src/util/libutil.la src/yjs/libyjs.la \
	$(LWS_LIBS) $(CJSON_LIBS) $(OPENSSL_LIBS) -lpthread $(LIBM)

# tests/client/test-ws: the WebSocket layer (ws.c) on its own.
unit_tests += tests/client/test-ws
tests_client_test_ws_SOURCES = tests/client/test-ws.c src/client/ws.c \
	src/client/ws.h
tests_client_test_ws_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/client \
	-I$(top_srcdir)/src/util $(OPENSSL_CFLAGS)
tests_client_test_ws_LDADD = src/util/libutil.la $(OPENSSL_LIBS)

include tests/client/interop.mk

# tests/fuzz/fuzz-ws.c is a libFuzzer target (built by hand or by
# tests/fuzz/run.sh with clang -fsanitize=fuzzer), not by automake.
EXTRA_DIST += tests/fuzz/fuzz-ws.c tests/fuzz/ws-corpus
