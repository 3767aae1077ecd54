/* SPDX-License-Identifier: MIT */
/*
 * internal.h - helpers shared by the files of src/mesh (not installed, not
 * for the layers above): JSON pointer building, error/diag recording, small
 * JSON utilities (implemented in json.c), and the document JSON walk shared
 * by the two validation levels (validate.c).
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

/*
 * The walk over a document JSON {"<root>": {...}} shared by level S
 * (validate.c, mesh_validate_strict) and level R (docvalidate.c,
 * mesh_validate_json) validation; implemented in validate.c.  The walk
 * reports the faults both levels agree on (shapes of element objects, value
 * objects and child arrays, unknown properties, value types and enums) with
 * the JSON pointer of the fault; the hooks add what differs.  Every hook
 * is called with w->ptr at the node it is given.
 */
struct mesh_walk;

struct mesh_walk_ops {
	/* Entry idx of parent's child property p, before it is taken as an
	 * element object: true when the hook dealt with it (level R: text
	 * nodes; level S: entries past an ordered property's end). */
	bool (*entry)(struct mesh_walk *w, const struct mesh_element *parent,
		      const struct mesh_property *p, size_t idx,
		      const cJSON *entry);
	/* The tag of an element object at entry idx of parent's child
	 * property p: the element type whose value object to walk, or NULL
	 * to skip it.  Reports what is wrong with the tag. */
	const struct mesh_element *(*tag)(struct mesh_walk *w,
					  const struct mesh_element *parent,
					  const struct mesh_property *p,
					  size_t idx, const char *tag);
	/* A "$id" member where the element has no property of that name;
	 * root: of the root element. */
	void (*id)(struct mesh_walk *w, const cJSON *v, bool root);
	/* After the members of the value object v of an element (may be
	 * NULL): level S reports missing properties here. */
	void (*done)(struct mesh_walk *w, const struct mesh_element *et,
		     const cJSON *v);
};

struct mesh_walk {
	const struct mesh_schema *s;
	struct mesh_diag *d;
	const struct mesh_walk_ops *ops; /* NULL when not walking JSON */
	struct mesh_ptr ptr; /* where in the document we are */
	unsigned flags; /* MESH_DOC_*, for the hooks */
	int err; /* -ENOMEM once recording failed */
};

/* Records one fault at w->ptr (sets w->err when that fails). */
void mesh_walk_report(struct mesh_walk *w, const char *fmt, ...)
	MESH_PRINTF(2, 3);

/* Walks doc with w->ops, frees w->ptr and returns as mesh_walk_end. */
int mesh_walk_json(struct mesh_walk *w, const cJSON *doc);

/* Frees w->ptr; -ENOMEM when recording failed, -EINVAL when faults were
 * recorded since w->d->total was start, else 0. */
int mesh_walk_end(struct mesh_walk *w, size_t start);

/* "a, b, c" (the tags p allows; "none" when p is NULL or allows none), cut
 * to len with "...". */
void mesh_tag_list(char *buf, size_t len, const struct mesh_property *p);

#endif /* MESHFS_MESH_INTERNAL_H */
