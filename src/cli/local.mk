# src/cli/local.mk - meshctl, the meshfs command-line tool.
#
# Included from the top Makefile.am: paths are relative to the top directory.
# meshctl.c has main() and the command table; each command group has its own
# cmd-<group>.c; cli.h/cli.c are the helpers they share.  meshctl includes
# only the public headers of the layers below (mesh.h, yjs.h).

bin_PROGRAMS += src/cli/meshctl
src_cli_meshctl_SOURCES = \
	src/cli/meshctl.c \
	src/cli/cli.c \
	src/cli/cmd-schema.c \
	src/cli/cmd-doc.c \
	src/cli/cli.h
# --schema NAME looks for $(meshschemasdir)/NAME.json (src/mesh/local.mk).
src_cli_meshctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mesh \
	$(CJSON_CFLAGS) -DMESHCTL_SCHEMADIR='"$(meshschemasdir)"'
src_cli_meshctl_LDADD = src/mesh/libmesh.la src/yjs/libyjs.la \
	$(CJSON_LIBS) $(LIBM)
# Installed: not -no-install (AM_LDFLAGS in Makefile.am).
src_cli_meshctl_LDFLAGS =

dist_man1_MANS += contrib/man/meshctl.1
