# src/mesh/local.mk - libmesh: MeshSchema (parse, emit, strict validation)
# and, later, MeshDocument.
#
# Included from the top Makefile.am: paths are relative to the top directory.
# mesh.h is the layer's public header; internal.h is private to src/mesh.
# JSON values are cJSON trees (CJSON_CFLAGS/CJSON_LIBS from configure.ac).

noinst_LTLIBRARIES += src/mesh/libmesh.la
src_mesh_libmesh_la_SOURCES = \
	src/mesh/json.c \
	src/mesh/schema.c \
	src/mesh/validate.c \
	src/mesh/mesh.h \
	src/mesh/internal.h
src_mesh_libmesh_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
src_mesh_libmesh_la_LIBADD = $(CJSON_LIBS) $(LIBM)

# The built-in MeshSchemas (spec/document-schemas), seeded into new rooms'
# .schemas/ and read by tests/unit/test-schema from $abs_top_srcdir/schemas.
meshschemasdir = $(pkgdatadir)/schemas
dist_meshschemas_DATA = \
	schemas/document.json \
	schemas/gallery.json \
	schemas/html.json \
	schemas/presentation.json \
	schemas/schema_schema.json \
	schemas/superdoc.json \
	schemas/thread.json \
	schemas/thread_list.json \
	schemas/transcript.json

# tests/unit/test-schema (registered in Makefile.am's unit_tests list).
tests_unit_test_schema_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mesh \
	$(CJSON_CFLAGS)
tests_unit_test_schema_LDADD = src/mesh/libmesh.la $(CJSON_LIBS) $(LIBM)

# tests/fuzz/fuzz-schema.c is a libFuzzer target (built by hand or by
# tests/fuzz/run.sh with clang -fsanitize=fuzzer), not by automake.
EXTRA_DIST += tests/fuzz/fuzz-schema.c

# MeshDocument (render/build, level R validation, 3-way merge) and its test.
src_mesh_libmesh_la_SOURCES += src/mesh/document.c src/mesh/docvalidate.c src/mesh/merge.c src/mesh/docint.h
src_mesh_libmesh_la_LIBADD += src/yjs/libyjs.la
tests_unit_test_document_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mesh $(CJSON_CFLAGS)
tests_unit_test_document_LDADD = src/mesh/libmesh.la src/yjs/libyjs.la $(CJSON_LIBS) $(LIBM)

# tests/mesh/sdk-interop.test drives MeshDocument through mesh-driver (built
# by make check, registered in Makefile.am's test_programs) against the TS SDK.
tests_mesh_mesh_driver_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mesh $(CJSON_CFLAGS)
tests_mesh_mesh_driver_LDADD = src/mesh/libmesh.la src/yjs/libyjs.la $(CJSON_LIBS) $(LIBM)
EXTRA_DIST += tests/mesh/sdk-interop.mjs

# Incremental level R validation (mesh_doc_validate_txn) against the full
# walk, on random edits and out-of-order updates.
unit_tests += tests/unit/test-incremental
tests_unit_test_incremental_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mesh $(CJSON_CFLAGS)
tests_unit_test_incremental_LDADD = src/mesh/libmesh.la src/yjs/libyjs.la $(CJSON_LIBS) $(LIBM)
