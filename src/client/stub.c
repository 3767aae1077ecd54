/* SPDX-License-Identifier: MIT */
/*
 * stub.c - placeholder bodies of every client.h function so that meshctl
 * and meshfs can link against libclient while the real implementation
 * (conn.c, storage.c, sync.c, doc.c, target.c) is written; each returns
 * -ENOSYS.  Removed piece by piece as the real files land.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Placeholders: the parameters are unused until the real bodies land. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

void room_config_init(struct room_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = ROOM_DEFAULT_TIMEOUT_MS;
	cfg->backoff_min_ms = ROOM_DEFAULT_BACKOFF_MIN_MS;
	cfg->backoff_max_ms = ROOM_DEFAULT_BACKOFF_MAX_MS;
}

int room_target_resolve(struct room_target *out, const char *url,
			const char *room, const char *token,
			const char *token_file, struct util_error *err)
{
	return -ENOSYS;
}

void room_target_free(struct room_target *t)
{
}

int room_client_connect(struct room_client **out, const struct room_config *cfg,
			struct util_error *err)
{
	return -ENOSYS;
}

void room_client_close(struct room_client *c)
{
}

enum room_conn_state room_client_state(const struct room_client *c)
{
	return 0;
}

const char *room_client_participant_id(const struct room_client *c)
{
	return NULL;
}

const char *room_client_room(const struct room_client *c)
{
	return NULL;
}

int room_client_timeout(const struct room_client *c)
{
	return -ENOSYS;
}

void room_entry_clear(struct room_entry *e)
{
}

void room_entries_free(struct room_entry *v, size_t n)
{
}

int room_storage_list(struct room_entry **out, size_t *n, struct room_client *c,
		      const char *path, struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_stat(struct room_entry *out, struct room_client *c,
		      const char *path, struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_exists(bool *out, struct room_client *c, const char *path,
			struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_delete(struct room_client *c, const char *path, bool recursive,
			struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_move(struct room_client *c, const char *from, const char *to,
		      bool overwrite, struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_download_url(char **out, struct room_client *c,
			      const char *path, struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_upload(struct room_client *c, const char *path, bool overwrite,
			uint64_t size, const struct room_transfer *t,
			struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_download(uint64_t *size_out, struct room_client *c,
			  const char *path, const struct room_transfer *t,
			  struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_upload_buf(struct room_client *c, const char *path,
			    bool overwrite, const void *data, size_t len,
			    struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_download_buf(void **out, size_t *len, struct room_client *c,
			      const char *path, struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_upload_fd(struct room_client *c, const char *path,
			   bool overwrite, int fd, room_progress_fn progress,
			   void *ctx, struct util_error *err)
{
	return -ENOSYS;
}

int room_storage_download_fd(uint64_t *size_out, struct room_client *c,
			     const char *path, int fd,
			     room_progress_fn progress, void *ctx,
			     struct util_error *err)
{
	return -ENOSYS;
}

int room_sync_create(struct room_client *c, const char *path, const char *json,
		     const char *schema_json, struct util_error *err)
{
	return -ENOSYS;
}

int room_sync_describe(char **out, size_t *len, struct room_client *c,
		       const char *path, struct util_error *err)
{
	return -ENOSYS;
}

int room_sync_push(struct room_client *c, const char *path,
		   const uint8_t *update, size_t len, struct util_error *err)
{
	return -ENOSYS;
}

int room_doc_open(struct room_doc **out, struct room_client *c,
		  const char *path, bool create, struct util_error *err)
{
	return -ENOSYS;
}

void room_doc_close(struct room_doc *d)
{
}

const char *room_doc_path(const struct room_doc *d)
{
	return NULL;
}

const struct mesh_schema *room_doc_schema(const struct room_doc *d)
{
	return NULL;
}

const char *room_doc_schema_json(const struct room_doc *d)
{
	return NULL;
}

struct y_doc *room_doc_lock(struct room_doc *d)
{
	return NULL;
}

void room_doc_unlock(struct room_doc *d)
{
}

uint64_t room_doc_revision(const struct room_doc *d)
{
	return 0;
}

int64_t room_doc_mtime_ms(const struct room_doc *d)
{
	return 0;
}

int room_doc_flush(struct room_doc *d, struct util_error *err)
{
	return -ENOSYS;
}

bool room_doc_pending(const struct room_doc *d)
{
	return false;
}

int room_doc_listen(struct room_doc *d, room_doc_change_fn fn, void *ctx)
{
	return -ENOSYS;
}

void room_doc_unlisten(struct room_doc *d, int id)
{
}
