# src/client/local.mk - libclient, the room client library (client.h).
#
# Included from the top Makefile.am after src/server and before the
# programs that use it (src/cli, src/fs): paths are relative to the top
# directory.  The layer includes only the public headers of the layers
# below (proto.h, mesh.h, yjs.h, util.h), never server.h.
