# src/proto/local.mk - libproto: the MeshAgent room wire protocol as data
# (packets, packed payloads, content values, tool calls, participant
# tokens), shared by meshroomd (src/server) and the room client.
#
# Included from the top Makefile.am: paths are relative to the top directory.
# proto.h is the layer's public header; it includes util.h (src/util).
# JSON values are cJSON trees; HMAC-SHA256 comes from OpenSSL's libcrypto.

noinst_LTLIBRARIES += src/proto/libproto.la
src_proto_libproto_la_SOURCES = \
	src/proto/proto.h \
	src/proto/packet.c \
	src/proto/json.c \
	src/proto/content.c \
	src/proto/message.c \
	src/proto/token.c \
	src/proto/mime.c
src_proto_libproto_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/util \
	$(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
src_proto_libproto_la_LIBADD = src/util/libutil.la $(CJSON_LIBS) \
	$(OPENSSL_LIBS) $(LIBM)

# tests/unit/test-proto (registered in Makefile.am's unit_tests list).
tests_unit_test_proto_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/proto \
	-I$(top_srcdir)/src/util $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_proto_LDADD = src/proto/libproto.la src/util/libutil.la \
	$(CJSON_LIBS) $(OPENSSL_LIBS) $(LIBM)

# tests/fuzz/fuzz-proto.c is a libFuzzer target (built by hand or by
# tests/fuzz/run.sh with clang -fsanitize=fuzzer), not by automake.
EXTRA_DIST += tests/fuzz/fuzz-proto.c
