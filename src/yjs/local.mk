# src/yjs/local.mk - libyjs, the Yjs-compatible CRDT library, and yjs-tool.
#
# Included from the top Makefile.am: paths are relative to the top directory.
# libyjs needs only libc and libm.  yjs.h is its one public (installed)
# header; codec.h and core.h are internal (tests may use them).

lib_LTLIBRARIES += src/yjs/libyjs.la
src_yjs_libyjs_la_SOURCES = \
	src/yjs/util.c \
	src/yjs/content.c \
	src/yjs/item.c \
	src/yjs/store.c \
	src/yjs/integrate.c \
	src/yjs/txn.c \
	src/yjs/doc.c \
	src/yjs/buf.c \
	src/yjs/utf.c \
	src/yjs/any.c \
	src/yjs/json.c \
	src/yjs/ds.c \
	src/yjs/decode.c \
	src/yjs/apply.c \
	src/yjs/encode.c \
	src/yjs/list.c \
	src/yjs/map.c \
	src/yjs/text.c \
	src/yjs/view.c \
	src/yjs/codec.h \
	src/yjs/core.h
src_yjs_libyjs_la_LIBADD = $(LIBM)
# libtool version current:revision:age; bump on every ABI change once
# released (see the libtool manual, "Updating version info").
src_yjs_libyjs_la_LDFLAGS = -version-info 0:0:0
include_HEADERS += src/yjs/yjs.h
pkgconfig_DATA += src/yjs/yjs.pc
DISTCLEANFILES += src/yjs/yjs.pc
EXTRA_DIST += src/yjs/yjs.pc.in

# yjs-tool: command-line front end to libyjs used by the tests (decode,
# dump, apply, diff updates).  Built by `make`, not installed.
noinst_PROGRAMS += src/yjs/yjs-tool
src_yjs_yjs_tool_SOURCES = src/yjs/yjs-tool.c

# tests/testutil.h: header-only helpers (on top of tests/tap.h) shared by
# the C unit tests of libyjs and libmesh.
noinst_HEADERS += tests/testutil.h
# tests/traces/trace-load.h: the editing-trace loader shared by
# tests/traces/trace-replay.c and tests/bench/crdt-bench.c.
noinst_HEADERS += tests/traces/trace-load.h
