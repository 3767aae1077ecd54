/* SPDX-License-Identifier: MIT */
/*
 * yjs.h - public API of libyjs, a Yjs-compatible CRDT in C.
 *
 * libyjs reads and writes Yjs update format v1 byte for byte as yjs 13.6
 * does (spec/yjs.md), integrates concurrent edits with the same YATA rules,
 * and offers the shared types Map, Array, Text, XmlFragment, XmlElement and
 * XmlText with read views and local editing.  It knows nothing about
 * MeshAgent: the layers above (src/mesh) build documents on top of it.
 *
 * Conventions
 *  - Every function that can fail returns 0 or a negative errno code:
 *      -EINVAL          bad argument (NULL where not allowed, wrong type kind)
 *      -ENOMEM          out of memory (the document is unchanged)
 *      -EBADMSG         malformed update / state vector / JSON text
 *      -EPROTONOSUPPORT the bytes are a Yjs update v2, which is not supported
 *      -ERANGE          index or length outside the type ("Length exceeded")
 *      -ENOENT          no such key / root / type
 *      -EEXIST          root already typed as another kind
 *    Functions that take a `struct y_error *err` fill it (when non-NULL) with
 *    the byte offset and a one-line message on failure.
 *  - Out parameters come first.
 *  - Buffers and strings returned through `uint8_t **` / `char **` out
 *    parameters are allocated with malloc() and owned by the caller: free()
 *    them.  Strings are NUL-terminated in addition to their explicit length
 *    (text may itself contain NUL bytes).
 *  - Text is UTF-8 in and out; every text index and length is in UTF-16 code
 *    units, as in yjs (spec/yjs.md section 11).
 *  - A document is single-threaded: callers serialise access to one y_doc.
 *  - `struct y_type *` handles are borrowed from the document.  A handle stays
 *    valid until the transaction that deletes its type commits (local delete
 *    or a remote update).  To hold on to a type across transactions keep its
 *    id (y_type_id) and look it up again with y_doc_type_by_id().
 *  - `struct y_value` results are borrowed views into the document, valid
 *    until the document is next modified.
 *  - Edits made outside an explicit transaction run in a transaction of
 *    their own (one yjs call = one transaction = one update event).
 */
#ifndef YJS_H
#define YJS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest client id or clock: yjs numbers are doubles (2^53 - 1). */
#define Y_MAX_SAFE_INTEGER 9007199254740991ULL

struct y_id {
	uint64_t client;
	uint64_t clock;
};

struct y_error {
	size_t offset; /* byte offset in the input where the fault was found */
	char msg[200]; /* one line, no trailing newline */
};

/* ------------------------------------------------------------------ */
/* Any values (lib0 "Any", spec/yjs.md section 1.7)                     */
/* ------------------------------------------------------------------ */

enum y_any_kind {
	Y_ANY_UNDEFINED = 0,
	Y_ANY_NULL,
	Y_ANY_BOOL,
	Y_ANY_NUMBER, /* a double, as in JS */
	Y_ANY_BIGINT, /* int64 */
	Y_ANY_STRING,
	Y_ANY_BYTES, /* Uint8Array */
	Y_ANY_ARRAY,
	Y_ANY_OBJECT,
};

struct y_any_entry;

/*
 * A JSON-like value.  A y_any owns everything it points to; y_any_clear()
 * frees the contents (not the struct itself).  Strings are UTF-8, carry
 * their byte length and are also NUL-terminated.  Object entries are kept in
 * JS property order (canonical array-index keys first in ascending order,
 * then the others in insertion order; spec/yjs.md 1.7).
 */
struct y_any {
	enum y_any_kind kind;
	union {
		bool b;
		double num;
		int64_t big;
		struct {
			char *ptr;
			size_t len;
		} str;
		struct {
			uint8_t *ptr;
			size_t len;
		} bytes;
		struct {
			struct y_any *items;
			size_t len;
		} arr;
		struct {
			struct y_any_entry *entries;
			size_t len;
		} obj;
	};
};

struct y_any_entry {
	char *key; /* UTF-8, NUL-terminated */
	size_t key_len;
	struct y_any val;
};

/* Constructors: never fail except for -ENOMEM. */
void y_any_init_undefined(struct y_any *out);
void y_any_init_null(struct y_any *out);
void y_any_init_bool(struct y_any *out, bool b);
void y_any_init_number(struct y_any *out, double num);
void y_any_init_bigint(struct y_any *out, int64_t big);
int y_any_init_string(struct y_any *out, const char *s, size_t len);
int y_any_init_bytes(struct y_any *out, const uint8_t *p, size_t len);
void y_any_init_array(struct y_any *out); /* empty */
void y_any_init_object(struct y_any *out); /* empty */

/* Appends a copy of val; on success *arr owns the copy. */
int y_any_array_push(struct y_any *arr, const struct y_any *val);
/* Sets obj[key] = copy of val, in JS property order; "__proto__" is dropped
 * silently (as JS does when assigning it). */
int y_any_object_set(struct y_any *obj, const char *key, size_t key_len,
		     const struct y_any *val);
/* Borrowed lookup, NULL when absent. */
const struct y_any *y_any_object_get(const struct y_any *obj, const char *key,
				     size_t key_len);

int y_any_copy(struct y_any *out, const struct y_any *src);
void y_any_clear(struct y_any *v); /* frees contents, leaves UNDEFINED */
/* Deep structural equality (NaN equals NaN here; object key order matters
 * only through content, not position). */
bool y_any_equal(const struct y_any *a, const struct y_any *b);

/*
 * JSON text <-> Any, with JavaScript semantics: parsing is JSON.parse (plus
 * the literal "undefined" when allow_undefined), stringifying is
 * JSON.stringify (shortest round-trip numbers, JS escaping, undefined object
 * members omitted, undefined/NaN/Infinity array items as null).  Bytes
 * stringify as JS does ({"0":1,...}); bigint stringifies as a plain integer
 * (JS would throw).  Malformed text gives -EBADMSG with err filled.
 */
int y_any_from_json(struct y_any *out, const char *text, size_t len,
		    struct y_error *err);
int y_any_to_json(char **out, size_t *out_len, const struct y_any *v);

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

struct y_doc;
struct y_type;

struct y_doc_options {
	uint64_t client_id; /* 0 = random uint32, as yjs does */
	bool no_gc; /* true = keep deleted content (yjs gc: false) */
};

/* opts may be NULL for the defaults. */
int y_doc_new(struct y_doc **out, const struct y_doc_options *opts);
void y_doc_free(struct y_doc *doc);

uint64_t y_doc_client_id(const struct y_doc *doc);

/*
 * Applies a v1 update (yjs applyUpdate).  The whole update is parsed before
 * anything is touched: on error the document is unchanged.  Structs whose
 * dependencies are missing are kept as pending and integrated when the
 * missing updates arrive.  Errors: -EBADMSG, -EPROTONOSUPPORT (v2 bytes),
 * -ENOMEM.
 */
int y_doc_apply_update(struct y_doc *doc, const uint8_t *update, size_t len,
		       struct y_error *err);

/* encodeStateVector: pending structs do not count. */
int y_doc_state_vector(uint8_t **out, size_t *out_len, struct y_doc *doc);
/*
 * mergeUpdates: one v1 update holding everything in updates[0..n) (lens
 * their sizes), as Y.mergeUpdates: each client's structs in clock order,
 * a Skip where none covers a range, what two updates both hold written
 * once; the delete sets united.  No document is needed.  -EBADMSG (err:
 * which update, what and where) for a malformed one; *out is malloc'd.
 */
int y_merge_updates(uint8_t **out, size_t *out_len,
		    const uint8_t *const *updates, const size_t *lens, size_t n,
		    struct y_error *err);
/* One entry of the state vector (yjs getState): the next clock expected
 * from client, 0 when nothing of it is known.  No allocation. */
uint64_t y_doc_client_state(const struct y_doc *doc, uint64_t client);

/*
 * encodeStateAsUpdate(doc, sv): everything the holder of state vector `sv`
 * lacks, including pending structs and the pending delete set.  sv may be
 * NULL (or sv_len 0) for the whole state.  -EBADMSG for a malformed sv.
 */
int y_doc_encode_state_as_update(uint8_t **out, size_t *out_len,
				 struct y_doc *doc, const uint8_t *sv,
				 size_t sv_len, struct y_error *err);

/* True when structs or deletions are waiting for missing updates. */
bool y_doc_has_pending(const struct y_doc *doc);

/*
 * Update events: after every transaction that changed something, each
 * subscriber receives the v1 update of that transaction (doc.on('update')).
 * `local` is true for edits made through this API, false for applied
 * updates; `origin` is what was passed to y_doc_transact_begin (NULL for
 * implicit transactions).  The update bytes are only valid during the call.
 * The callback must not modify the document.
 */
typedef void (*y_update_fn)(void *ctx, const uint8_t *update, size_t len,
			    bool local, void *origin);
/* Returns a subscription id > 0, or a negative errno. */
int y_doc_on_update(struct y_doc *doc, y_update_fn fn, void *ctx);
/*
 * Y_UPDATE_REMOTE_BARE: after an applied (not local) transaction the
 * callback gets update NULL and len 0: it learns that the document
 * changed, and the transaction is not encoded for it.  For a replica
 * that sends its own edits on and only needs to know of the others'.
 */
#define Y_UPDATE_REMOTE_BARE 1u
int y_doc_on_update_flags(struct y_doc *doc, y_update_fn fn, void *ctx,
			  unsigned flags);
void y_doc_off_update(struct y_doc *doc, int subscription);

/*
 * Explicit transactions group several edits into one update.  They nest:
 * only the outermost end commits.  Returns -EINVAL for an unmatched end.
 */
int y_doc_transact_begin(struct y_doc *doc, void *origin);
int y_doc_transact_end(struct y_doc *doc);

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

/* Values are the yjs typeRef numbers. */
enum y_kind {
	Y_KIND_UNKNOWN = -1, /* a root no one has asked for by kind yet */
	Y_ARRAY = 0,
	Y_MAP = 1,
	Y_TEXT = 2,
	Y_XML_ELEMENT = 3,
	Y_XML_FRAGMENT = 4,
	Y_XML_HOOK = 5,
	Y_XML_TEXT = 6,
};

/*
 * doc.get(name, Kind): returns the root of that name, creating it, or typing
 * an untyped root created by an update.  -EEXIST if it is already typed as
 * another kind.  Root handles live as long as the document.
 */
int y_doc_root(struct y_type **out, struct y_doc *doc, const char *name,
	       enum y_kind kind);

enum y_kind y_type_kind(const struct y_type *t);
/* XmlElement node name / XmlHook hook name (NULL otherwise).  A root
 * XmlElement reports "UNDEFINED", as yjs does. */
const char *y_type_name(const struct y_type *t);
/* Root name for roots, NULL for nested types. */
const char *y_type_root_name(const struct y_type *t);
/* The type that contains t (NULL for roots). */
struct y_type *y_type_parent(const struct y_type *t);
/* Id of the item that holds a nested type; -ENOENT for roots. */
int y_type_id(struct y_id *out, const struct y_type *t);
/* Map key under which t is stored in its parent (borrowed), or NULL when t
 * is a list element or a root. */
const char *y_type_key(const struct y_type *t);
/* True when t's item is deleted (t is gone from its parent's views). */
bool y_type_deleted(const struct y_type *t);
/* Index of t in the list views of its parent (y_list_iter, y_list_get);
 * linear in the number of structs before it.  -ENOENT for roots, map
 * entries and deleted types. */
int y_type_index(uint64_t *out, const struct y_type *t);
/* The live (not deleted) nested type with that id, or NULL. */
struct y_type *y_doc_type_by_id(struct y_doc *doc, struct y_id id);

enum y_value_kind {
	Y_VALUE_ANY, /* any: Any/JSON/Embed content, or Y_ANY_BYTES for Binary */
	Y_VALUE_TYPE, /* type: a nested shared type */
	Y_VALUE_DOC, /* any: subdocument, {"guid": ..., options...} */
};

struct y_value {
	enum y_value_kind kind;
	const struct y_any *any;
	struct y_type *type;
};

/* Visible length: number of elements, or UTF-16 units for texts. */
uint64_t y_type_len(const struct y_type *t);

/* ---- Lists: Array, XmlFragment, XmlElement children ---------------- */

/* Borrowed element at index; -ERANGE past the end. */
int y_list_get(struct y_value *out, struct y_type *list, uint64_t index);

/*
 * Iteration over the visible elements of a list (any kind with a list,
 * including texts, where strings come one UTF-16 unit at a time is NOT
 * provided: for texts use y_text_delta).  The iterator is invalidated by any
 * modification of the document.
 */
struct y_list_iter {
	struct y_type *list;
	void *item; /* internal */
	uint64_t offset; /* internal */
};
void y_list_iter_init(struct y_list_iter *it, struct y_type *list);
/* Returns 1 and fills out, or 0 at the end. */
int y_list_iter_next(struct y_list_iter *it, struct y_value *out);

/* Inserts copies of n values at index: consecutive non-bytes values are
 * packed into one item, each Y_ANY_BYTES value becomes a Binary item, as
 * yjs does.  Y_ANY_UNDEFINED is rejected (-EINVAL) as yjs rejects it. */
int y_list_insert(struct y_type *list, uint64_t index, const struct y_any *vals,
		  size_t n);
/* Y.Array.push: after the last item, deleted ones included. */
int y_array_push(struct y_type *array, const struct y_any *vals, size_t n);
/* Inserts a new empty nested type (name: node name for Y_XML_ELEMENT, hook
 * name for Y_XML_HOOK, else NULL).  Filling it afterwards in the same
 * transaction gives the same update bytes as yjs's prelim types. */
int y_list_insert_type(struct y_type **out, struct y_type *list, uint64_t index,
		       enum y_kind kind, const char *name);
/* XmlFragment.insertAfter(ref, [new type]); ref NULL = at the start. */
int y_list_insert_type_after(struct y_type **out, struct y_type *list,
			     struct y_type *ref, enum y_kind kind,
			     const char *name);
int y_list_delete(struct y_type *list, uint64_t index, uint64_t len);

/* ---- Maps: Map, XmlElement/XmlHook attributes, Text attributes ------ */

/* Borrowed value of key; -ENOENT if absent (or deleted). */
int y_map_get(struct y_value *out, struct y_type *map, const char *key,
	      size_t key_len);
/* Sets key to a copy of val (Y_ANY_BYTES becomes Binary content). */
int y_map_set(struct y_type *map, const char *key, size_t key_len,
	      const struct y_any *val);
int y_map_set_type(struct y_type **out, struct y_type *map, const char *key,
		   size_t key_len, enum y_kind kind, const char *name);
/* -ENOENT if the key is not set. */
int y_map_delete(struct y_type *map, const char *key, size_t key_len);
/* Number of keys with a visible value. */
uint64_t y_map_size(const struct y_type *map);

/* Iterates keys with a visible value in this replica's key insertion
 * order.  Invalidated by any modification of the document. */
struct y_map_iter {
	struct y_type *map;
	size_t pos; /* internal */
};
void y_map_iter_init(struct y_map_iter *it, struct y_type *map);
/* Returns 1 and fills key (borrowed, NUL-terminated) and out, or 0. */
int y_map_iter_next(struct y_map_iter *it, const char **key, size_t *key_len,
		    struct y_value *out);

/* ---- Text and XmlText ---------------------------------------------- */

/*
 * Inserts UTF-8 text at a UTF-16 index.  attrs: an object of formatting
 * attributes, or NULL to inherit the formatting at that position (yjs
 * insert(index, text) without attributes).  Invalid UTF-8 gives -EINVAL.
 */
int y_text_insert(struct y_type *text, uint64_t index, const char *utf8,
		  size_t len, const struct y_any *attrs);
/* Embeds a JSON value (one unit); attrs NULL = none. */
int y_text_insert_embed(struct y_type *text, uint64_t index,
			const struct y_any *embed, const struct y_any *attrs);
/* Deletes len units from index (clamped at the end, as yjs does). */
int y_text_delete(struct y_type *text, uint64_t index, uint64_t len);
/* Applies formatting attributes (object; a null value removes one). */
int y_text_format(struct y_type *text, uint64_t index, uint64_t len,
		  const struct y_any *attrs);

/* The plain string (formats, embeds and types left out): toString(). */
int y_text_string(char **out, size_t *out_len, struct y_type *text);

enum y_delta_kind {
	Y_DELTA_INSERT,
	Y_DELTA_RETAIN,
	Y_DELTA_DELETE,
};

/*
 * One operation of a Quill delta.  In deltas read from a text (y_text_delta)
 * every op is an INSERT whose `insert` is a string (Y_ANY_STRING), an embed
 * (any other kind) or, when `type` is non-NULL, a nested type; attrs is an
 * object or Y_ANY_UNDEFINED when there is no formatting.
 */
struct y_delta_op {
	enum y_delta_kind kind;
	struct y_any insert;
	struct y_type *type;
	uint64_t len; /* RETAIN / DELETE */
	struct y_any attrs;
};

/* toDelta(): *out is an array of n ops; free with y_delta_free. */
int y_text_delta(struct y_delta_op **out, size_t *n, struct y_type *text);
void y_delta_free(struct y_delta_op *ops, size_t n);
/* applyDelta(ops), as MeshAgent fills new XmlTexts.  type must be NULL in
 * the given ops. */
int y_text_apply_delta(struct y_type *text, const struct y_delta_op *ops,
		       size_t n);

/* ---- Views ---------------------------------------------------------- */

/*
 * yjs toJSON() of a type, serialised as JSON.stringify would (XML types
 * render as their toString() string, Text as its string).
 */
int y_type_to_json(char **out, size_t *out_len, struct y_type *t);
/* doc.toJSON() of the typed roots, in root creation order; untyped roots
 * are left out, as JSON.stringify leaves out undefined. */
int y_doc_to_json(char **out, size_t *out_len, struct y_doc *doc);
/* toString() of XmlElement / XmlFragment / XmlText / Text. */
int y_type_to_string(char **out, size_t *out_len, struct y_type *t);

/* ------------------------------------------------------------------ */
/* What a transaction changed (yjs afterTransaction / transaction.changed) */
/* ------------------------------------------------------------------ */

/*
 * A transaction being committed, seen from a transaction observer.  Like
 * yjs's Transaction it records the state vector at its start (beforeState)
 * and the types it changed; on top of that it lets an observer enumerate
 * the structs it integrated (the "inserted items"), which yjs leaves to
 * observers walking their events' deltas.
 */
struct y_txn;

/*
 * Transaction observers: fn runs once per committed transaction that
 * changed the document (local or remote; y_doc_apply_update commits one
 * transaction, plus one per formatting cleanup it triggers), after the
 * transaction's structs are integrated and its deletions applied, and
 * before deleted content is garbage collected or structs are merged, as
 * yjs calls its type observers.  The txn handle and every type reached
 * through it are only valid during the call.  The callback may read the
 * document (views, iterators, y_type_* and the y_txn_* functions below)
 * but must not modify it.  Returns a subscription id > 0 or a negative
 * errno.
 */
typedef void (*y_txn_fn)(void *ctx, struct y_txn *txn);
int y_doc_on_txn(struct y_doc *doc, y_txn_fn fn, void *ctx);
void y_doc_off_txn(struct y_doc *doc, int subscription);

bool y_txn_local(const struct y_txn *txn);
void *y_txn_origin(const struct y_txn *txn);

/*
 * transaction.changed: the types with an integrated or deleted struct in
 * this transaction, each once, except types created by the transaction
 * itself (their whole content is new: see y_txn_created).  A type whose
 * own item was deleted by the transaction is left out.  *pos starts at 0;
 * returns the next type (borrowed) or NULL at the end.
 */
struct y_type *y_txn_changed_next(const struct y_txn *txn, size_t *pos);

/* True when t's item was integrated by this transaction (clock at or after
 * the transaction's beforeState); false for roots. */
bool y_txn_created(const struct y_txn *txn, const struct y_type *t);

/*
 * One struct integrated by the transaction ("inserted"): a list element
 * run, a map entry, a text run or a formatting mark.  Structs that were
 * pending (waiting for missing dependencies) are reported by the
 * transaction that finally integrates them, never before.
 */
struct y_insert {
	struct y_type *parent; /* the type it was inserted into */
	const char *key; /* map key (NUL-terminated), NULL for list content */
	size_t key_len;
	/* The value (for a map entry: its value, the last one when a run
	 * holds several), else the first value: a nested type (Y_VALUE_TYPE), a plain value
	 * (Y_VALUE_ANY / Y_VALUE_DOC), or kind Y_VALUE_ANY with any NULL for
	 * content that has no value of its own (text characters, formatting
	 * marks, deleted runs). */
	struct y_value value;
	/* Number of values (list elements) it holds: 0 for content with no
	 * value of its own, which list views leave out. */
	uint64_t n_values;
	/* Deleted already: by this transaction, or at integration (a map
	 * entry that a concurrent newer one shadows, an element of a deleted
	 * type).  A deleted insert is not visible. */
	bool deleted;
	void *item; /* internal */
};

/*
 * Iterates the inserts of a transaction, client by client, in clock order
 * within a client.  Borrowed, valid during the observer call only.
 */
struct y_insert_iter {
	struct y_txn *txn;
	size_t slot; /* internal */
	size_t idx; /* internal */
	uint64_t end; /* internal */
};
void y_insert_iter_init(struct y_insert_iter *it, struct y_txn *txn);
/* Returns 1 and fills out, or 0 at the end. */
int y_insert_iter_next(struct y_insert_iter *it, struct y_insert *out);

/*
 * Index, in the list views of ins->parent (y_list_iter), of its first
 * value.  Linear in the number of structs before it: meant for reporting,
 * not for walks.  -ENOENT for map entries, deleted inserts and content
 * with no value.
 */
int y_insert_index(uint64_t *out, const struct y_insert *ins);

/* ---- Debugging ------------------------------------------------------ */

/*
 * Decodes a v1 update without a document and describes it one struct a
 * line, in the format of spec/yjs-vectors (yjs's decodeUpdate):
 *   Item (1,0) len=3 origin=null rightOrigin=null parent="t" String "abc"
 *   DeleteSet: client 1: [5,+1)
 */
int y_update_dump(char **out, size_t *out_len, const uint8_t *update,
		  size_t len, struct y_error *err);

/* Decodes a state vector into pairs; *out is malloc'd (n entries). */
int y_state_vector_decode(struct y_id **out, size_t *n, const uint8_t *sv,
			  size_t len, struct y_error *err);

const char *y_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* YJS_H */
