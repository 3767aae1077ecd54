# src/cli/local.mk - meshctl, the meshfs command-line tool.
#
# Included from the top Makefile.am: paths are relative to the top directory.
# meshctl.c has main() and the command table; each command group has its own
# cmd-<group>.c; cli.h/cli.c are the helpers they share, cmd-room.c what the
# room commands share.  meshctl includes only the public headers of the
# layers below (client.h, proto.h, util.h, mesh.h, yjs.h).

bin_PROGRAMS += src/cli/meshctl
src_cli_meshctl_SOURCES = \
	src/cli/meshctl.c \
	src/cli/cli.c \
	src/cli/cmd-schema.c \
	src/cli/cmd-doc.c \
	src/cli/cmd-room.c \
	src/cli/cmd-token.c \
	src/cli/cmd-storage.c \
	src/cli/cmd-sync.c \
	src/cli/cmd-edit.c \
	src/cli/cmd-grep.c \
	src/cli/roomdoc.c \
	src/cli/jsondiff.c \
	src/cli/jsonpatch.c \
	src/cli/jsonpatch.h \
	src/cli/cli.h
# --schema NAME looks for $(meshschemasdir)/NAME.json (src/mesh/local.mk).
src_cli_meshctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mesh \
	-I$(top_srcdir)/src/client -I$(top_srcdir)/src/proto \
	-I$(top_srcdir)/src/util \
	$(CJSON_CFLAGS) -DMESHCTL_SCHEMADIR='"$(meshschemasdir)"'
src_cli_meshctl_LDADD = src/client/libclient.la src/proto/libproto.la \
	src/mesh/libmesh.la src/util/libutil.la src/yjs/libyjs.la \
	$(LWS_LIBS) $(CJSON_LIBS) $(OPENSSL_LIBS) -lpthread $(LIBM)
# Installed: not -no-install (AM_LDFLAGS in Makefile.am).
src_cli_meshctl_LDFLAGS =

dist_man1_MANS += contrib/man/meshctl.1

# The room commands against a real meshroomd.
script_tests += tests/cli/meshctl-room.bats

# tests/unit/test-jsonpatch: the RFC 6902 JSON Patch of `meshctl patch`.
unit_tests += tests/unit/test-jsonpatch
tests_unit_test_jsonpatch_SOURCES = tests/unit/test-jsonpatch.c \
	src/cli/jsonpatch.c
tests_unit_test_jsonpatch_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli \
	$(CJSON_CFLAGS)
tests_unit_test_jsonpatch_LDADD = $(CJSON_LIBS)
