# src/fs/local.mk - meshfs, the FUSE driver.
#
# Included from the top Makefile.am last: paths are relative to the top
# directory.  meshfs uses client.h (remote rooms), server.h (the embedded
# local room), mesh.h and yjs.h.
