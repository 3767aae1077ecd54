# tests/bench/bench.mk - benchmark programs that are built only on demand
# (`make tests/bench/server/meshbench`), never by `make` or `make check`:
# the scripts in tests/bench (run-*.sh) build what they drive.
#
# Included from the top Makefile.am after the layers: paths are relative to
# the top directory.

# meshbench: the "mesh C" client of tests/bench/run-server.sh, many
# libclient connections in one process (client.h, yjs.h, util.h only).
EXTRA_PROGRAMS = tests/bench/server/meshbench
tests_bench_server_meshbench_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/client -I$(top_srcdir)/src/util
tests_bench_server_meshbench_LDADD = src/client/libclient.la \
	src/mesh/libmesh.la src/util/libutil.la src/yjs/libyjs.la \
	-lpthread $(LIBM)
# automake's clean rules leave EXTRA_PROGRAMS out; its source is
# distributed all the same.
CLEANFILES += $(EXTRA_PROGRAMS)
