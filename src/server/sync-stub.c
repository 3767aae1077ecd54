/* SPDX-License-Identifier: MIT */
/*
 * sync-stub.c - stands in for sync.c (the `sync` toolkit over docstore.c)
 * until it is in the build: no sync toolkit, so sync.* calls are answered
 * "tool not found".  local.mk lists either this file or sync.c, never both.
 */
#include "srv.h"

int srv_sync_init(struct srv *srv)
{
	(void)srv;
	return 0;
}

void srv_sync_fini(struct srv *srv)
{
	(void)srv;
}
