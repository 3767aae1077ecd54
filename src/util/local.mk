# src/util/local.mk - libutil: errors with offsets, logging, byte buffers,
# base64, random bytes, UUIDs, clocks.  The bottom layer: libc only.
#
# Included from the top Makefile.am: paths are relative to the top directory.

noinst_LTLIBRARIES += src/util/libutil.la
src_util_libutil_la_SOURCES = \
	src/util/util.h \
	src/util/error.c \
	src/util/log.c \
	src/util/buf.c \
	src/util/base64.c \
	src/util/random.c

# tests/unit/test-util (registered in Makefile.am's unit_tests list).
tests_unit_test_util_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/util
tests_unit_test_util_LDADD = src/util/libutil.la
