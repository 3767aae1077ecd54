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

#endif /* MESHFS_MESH_DOCINT_H */
