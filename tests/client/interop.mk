# tests/client/interop.mk - the tests of libclient against meshroomd with
# the TypeScript SDK as the other participant (issue 5, sections 1, 3, 4):
# client-driver, a line-driven front end to client.h that the node scripts
# (and tests/bench/run-client.sh) drive side by side with an SDK client.
#
# Included at the end of src/client/local.mk: paths are relative to the top
# directory.  tests/client/test-client.c (the library's unit test) is
# registered in src/client/local.mk, not here.

test_programs += tests/client/client-driver
tests_client_client_driver_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/src/client -I$(top_srcdir)/src/util \
	-I$(top_srcdir)/src/mesh $(CJSON_CFLAGS)
tests_client_client_driver_LDADD = src/client/libclient.la \
	src/mesh/libmesh.la src/util/libutil.la src/yjs/libyjs.la \
	$(CJSON_LIBS) -lpthread $(LIBM)
EXTRA_DIST += tests/client/driver.mjs tests/client/node-test.sh \
	tests/client/common.mjs tests/client/proxy.mjs

# The scripts (each runs tests/client/<name>.mjs through node-test.sh).
script_tests += tests/client/bytecompat.test
EXTRA_DIST += tests/client/bytecompat.mjs
script_tests += tests/client/stall.test
EXTRA_DIST += tests/client/stall.mjs
script_tests += tests/client/interop.test
EXTRA_DIST += tests/client/interop.mjs
script_tests += tests/client/reconnect.test
EXTRA_DIST += tests/client/reconnect.mjs
# The benchmark (not part of make check): tests/bench/run-client.sh.
EXTRA_DIST += tests/bench/run-client.sh tests/bench/client/bench.mjs
