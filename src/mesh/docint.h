/* SPDX-License-Identifier: MIT */
/*
 * docint.h - helpers shared by the MeshDocument files of src/mesh
 * (document.c, docvalidate.c, merge.c); not for the layers above.
 *
 * MeshDocument keeps its tree in libyjs (root type "xml", XmlElements with a
 * "$id" attribute, XmlText children of "text" elements; spec/document.md
 * §6) and exchanges it with the outside world as cJSON trees in the
 * "single-key object" form (§3).  These helpers convert values between the
 * two worlds and recognise the special JSON shapes (text nodes).
 */
#ifndef MESHFS_MESH_DOCINT_H
#define MESHFS_MESH_DOCINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "yjs.h"

/* The tag that every SDK runtime special-cases: it gets an XmlText child. */
#define MESH_TEXT_TAG "text"

/* The live root: doc.get("xml", YXmlElement), as the TS runtime opens it. */
int mesh_doc_root(struct y_type **out, struct y_doc *doc);

/* A copy of a libyjs Any value as a new cJSON tree (NULL on -ENOMEM).
 * undefined becomes null, bigint a number, bytes an array of numbers. */
cJSON *mesh_any_to_cjson(const struct y_any *v);
/* The reverse: *out is a new Any (y_any_clear it).  0 or -ENOMEM. */
int mesh_cjson_to_any(struct y_any *out, const cJSON *v);

/* The element's "$id" when it is a string (borrowed, valid until the
 * document changes), else NULL. */
const char *mesh_yel_id(struct y_type *el);

/*
 * True when entry (a member of a child array) is a text node
 * {"text": {"delta": [...]}} rather than an element tagged "text": the
 * object has the single key "text" whose value is an object with the single
 * key "delta", and the schema's "text" element (if any) has no property
 * called "delta" (which would make it an ordinary element).
 */
bool mesh_json_is_text_node(const struct mesh_schema *s, const cJSON *entry);

/* True when the element tag may hold text nodes: only "text" elements do. */
static inline bool mesh_tag_has_text(const char *tag)
{
	return tag && strcmp(tag, MESH_TEXT_TAG) == 0;
}

/*
 * Builds the node described by entry (a member of a child array, already
 * validated: an element with its whole subtree, or a text node) into the
 * live element parent, right after ref (NULL = at the start).  An element's
 * id is its JSON "$id" when keep_ids and the id is neither in taken (may be
 * NULL) nor in used (may be NULL), else a fresh UUID v4; every id given is
 * added to used.  *made is the node inserted; *n_el (may be NULL) counts
 * the elements inserted.
 */
struct mesh_idset;
int mesh_build_entry(struct y_type **made, struct y_type *parent,
		     struct y_type *ref, const struct mesh_schema *s,
		     const cJSON *entry, bool keep_ids,
		     const struct mesh_idset *taken, struct mesh_idset *used,
		     size_t *n_el);

/* A set of strings (ids), for "is this id taken" questions. */
struct mesh_idset *mesh_idset_new(void);
void mesh_idset_free(struct mesh_idset *set);
/* 1 when added, 0 when already there, -ENOMEM. */
int mesh_idset_add(struct mesh_idset *set, const char *id);
bool mesh_idset_has(const struct mesh_idset *set, const char *id);
/* Value stored with an id (NULL when absent or none); put replaces it. */
int mesh_idset_put(struct mesh_idset *set, const char *id, void *val);
void *mesh_idset_get(const struct mesh_idset *set, const char *id);

/* Fills set with id -> live XmlElement for every element under the root,
 * depth first; the first element with a given id wins (SDK findNode). */
int mesh_doc_index_ids(struct mesh_idset *set, struct y_type *root);

/*
 * A growable byte buffer for JSON text (render, print).  Writes after an
 * allocation failure are dropped and oom is set; p is always
 * NUL-terminated once something was written.
 */
struct mesh_sbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

/* Makes room for n more bytes (+ NUL); false after an allocation failure. */
bool mesh_sbuf_grow(struct mesh_sbuf *b, size_t n);

static inline void mesh_sbuf_put(struct mesh_sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap && !mesh_sbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* depth levels of 2-space indentation */
void mesh_sbuf_indent(struct mesh_sbuf *b, int depth);
/* A JSON string as JSON.stringify writes it, from s up to len bytes or the
 * first NUL (cJSON strings end there: the render must read the same). */
void mesh_sbuf_put_string(struct mesh_sbuf *b, const char *s, size_t len);
/* A number as JavaScript's Number#toString (non-finite: null). */
void mesh_sbuf_put_number(struct mesh_sbuf *b, double d);

/*
 * The render index (mesh.h: mesh_doc_render_indexed): one record per
 * rendered non-root element, in text order (depth first, as a parse of the
 * text meets them).  [start, end) is the element's entry object
 * {"<tag>": {...}} in the text; id its "$id" at render time (offset into
 * ids, NO_ID when it had none), parent the record index of the parent
 * element (MESH_RENDER_ROOT for the root), pos its index in the parent's
 * child array.
 */
#define MESH_RENDER_ROOT ((size_t)-1)
#define MESH_RENDER_NO_ID ((size_t)-1)

struct mesh_render_el {
	size_t start, end;
	size_t id;
	size_t parent;
	size_t pos;
	const struct mesh_element *et;
};

struct mesh_render_index {
	struct mesh_render_el *el;
	size_t n, cap;
	struct mesh_sbuf ids; /* NUL-separated */
	unsigned flags; /* of the render */
};

struct mesh_render_index *mesh_render_index_new(unsigned flags);
static inline const char *
mesh_render_index_id(const struct mesh_render_index *x, size_t i)
{
	return x->el[i].id == MESH_RENDER_NO_ID ? NULL : x->ids.p + x->el[i].id;
}
static inline void mesh_render_index_end(struct mesh_render_index *x, size_t i,
					 size_t end)
{
	x->el[i].end = end;
}

#endif /* MESHFS_MESH_DOCINT_H */
