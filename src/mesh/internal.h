/* SPDX-License-Identifier: MIT */
/*
 * internal.h - helpers shared by the files of src/mesh (not installed, not
 * for the layers above): JSON pointer building, error/diag recording, small
 * JSON utilities.  Implemented in json.c.
 */
#ifndef MESHFS_MESH_INTERNAL_H
#define MESHFS_MESH_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "mesh.h"

#define MESH_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * A JSON pointer under construction.  push appends one escaped segment,
 * and truncating back to a saved len pops it.  An allocation failure sets
 * oom and leaves the pointer unchanged; callers check oom once at the end.
 */
struct mesh_ptr {
	char *buf; /* NUL-terminated when len > 0 or after a push */
	size_t len;
	size_t cap;
	bool oom;
};

void mesh_ptr_push(struct mesh_ptr *p, const char *key);
void mesh_ptr_push_index(struct mesh_ptr *p, size_t i);
/* Pops back to a length saved before a push. */
void mesh_ptr_pop(struct mesh_ptr *p, size_t len);
/* The pointer text ("" when empty). */
const char *mesh_ptr_str(const struct mesh_ptr *p);
void mesh_ptr_free(struct mesh_ptr *p);

/* Copies path (cut keeping head and tail) into err->path and formats msg.
 * err may be NULL (then nothing happens). */
void mesh_error_set(struct mesh_error *err, const char *path, const char *fmt,
		    ...) MESH_PRINTF(3, 4);
void mesh_error_vset(struct mesh_error *err, const char *path, const char *fmt,
		     va_list ap) MESH_PRINTF(3, 0);

/* Appends one error to d (counted in total; kept while n < MESH_DIAG_MAX).
 * 0 or -ENOMEM. */
int mesh_diag_add(struct mesh_diag *d, const char *path, const char *fmt, ...)
	MESH_PRINTF(3, 4);

/* "string", "number", "boolean", "null", "object", "array" (JSON names);
 * "undefined" for NULL. */
const char *mesh_json_type_name(const cJSON *v);

/* Compact JSON text of v, cut to len with "..." (for messages). */
void mesh_json_snippet(char *buf, size_t len, const cJSON *v);

/* The last member of object obj called key (JSON.parse: last wins), or
 * NULL. */
const cJSON *mesh_json_get(const cJSON *obj, const char *key);

/* Number of members of an array or object. */
size_t mesh_json_count(const cJSON *v);

/*
 * Resolves duplicate keys in every object of the tree in place, as
 * JSON.parse does: the first occurrence keeps its position and takes the
 * value of the last one; the others are removed.  0 or -ENOMEM (then the
 * tree may be partly resolved but is still a valid tree).
 */
int mesh_json_dedupe(cJSON *v);

#endif /* MESHFS_MESH_INTERNAL_H */
