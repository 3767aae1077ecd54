/* SPDX-License-Identifier: MIT */
/*
 * jsonpatch.h - RFC 6902 JSON Patch (with RFC 6901 JSON pointers) on cJSON
 * trees, for `meshctl patch`: the patch is applied to the rendered
 * document JSON and the result is committed through the merge of
 * src/mesh, so the patch becomes CRDT edits.
 */
#ifndef MESHFS_CLI_JSONPATCH_H
#define MESHFS_CLI_JSONPATCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Size of the message buffer of cli_jsonpatch_apply. */
#define CLI_JSONPATCH_MSG_MAX 512

/*
 * Applies patch (a JSON array of operations: add, remove, replace, move,
 * copy, test) to *doc, all or nothing: on success *doc is the patched tree
 * (it may be a new root: an operation on the pointer "" replaces the whole
 * document; the old root is then freed); on failure *doc is untouched.
 * Returns 0, -EINVAL for a malformed patch or a pointer that does not
 * resolve, -ECANCELED when a "test" operation fails, -ENOMEM.  On error
 * msg (cut to len) says which operation and why, e.g.
 *   operation 2 (replace /html/children/5): no element 5 (array has 2)
 */
int cli_jsonpatch_apply(cJSON **doc, const cJSON *patch, char *msg, size_t len);

/*
 * Resolves the RFC 6901 pointer ptr in root: *out is the value (owned by
 * root), or NULL.  0, or -EINVAL (malformed pointer or not found; msg
 * says why).
 */
int cli_json_pointer_get(const cJSON **out, const cJSON *root, const char *ptr,
			 char *msg, size_t len);

#endif /* MESHFS_CLI_JSONPATCH_H */
