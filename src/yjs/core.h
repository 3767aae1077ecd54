/* SPDX-License-Identifier: MIT */
/*
 * core.h - libyjs internal: the data model shared by the engine (store,
 * items, integration, transactions), the wire code (delete sets, update
 * decoding and encoding) and the shared types (lists, maps, text, XML,
 * views).  Spec: spec/yjs.md sections 2 and 4-8.
 *
 * Ownership: the document owns its store; the store's per-client arrays
 * own every integrated struct (Items and GCs); an Item owns its content and
 * its parent_sub string; a Type content owns its branch (struct y_type).
 * Roots are owned by the document.  Nothing is freed inside a transaction:
 * structs merged away or replaced, and dead branches, go on the document's
 * deferred list and are freed after the transaction's cleanup.
 */
#ifndef YJS_CORE_H
#define YJS_CORE_H

#include <string.h>

#include "codec.h"

/* ---- small containers (util.c) --------------------------------------- */

/* Open-addressing map uint64 -> uint64.  Keys are client ids (< 2^53), so
 * UINT64_MAX marks an empty slot. */
#define Y_U64MAP_EMPTY UINT64_MAX
struct y_u64map {
	uint64_t *keys;
	uint64_t *vals;
	size_t cap; /* 0 or a power of two */
	size_t n;
};
void y_u64map_init(struct y_u64map *m);
void y_u64map_release(struct y_u64map *m);
int y_u64map_put(struct y_u64map *m, uint64_t key, uint64_t val);
bool y_u64map_get(const struct y_u64map *m, uint64_t key, uint64_t *val);
int y_u64map_copy(struct y_u64map *dst, const struct y_u64map *src);
void y_u64map_clear(struct y_u64map *m);

/*
 * Insertion-ordered map from byte-string keys to pointers (branch map:
 * key -> newest Item; document roots: name -> struct y_type).  Entries are
 * never removed one by one (yjs never removes a key from a branch map), only
 * all at once.  Keys are copied: a short one (most are) into the entry
 * itself, which saves an allocation per key of every element.
 */
#define Y_KEYMAP_KEY_INLINE 15 /* longest key kept in the entry */
struct y_keymap_entry {
	union {
		char *ptr; /* key_len > Y_KEYMAP_KEY_INLINE */
		char inl[Y_KEYMAP_KEY_INLINE + 1];
	} key; /* NUL-terminated copy: read it with y_keymap_key() */
	size_t key_len;
	void *val;
};
/* The entry's key; borrowed until the map gets a new key (entries move). */
static inline const char *y_keymap_key(const struct y_keymap_entry *e)
{
	return e->key_len <= Y_KEYMAP_KEY_INLINE ? e->key.inl : e->key.ptr;
}
struct y_keymap {
	struct y_keymap_entry *entries; /* insertion order */
	size_t n;
	size_t cap;
	uint32_t *slots; /* hash index into entries (+1, 0 = empty); NULL
			  * while the map is small (searched linearly) */
	size_t nslots;
};
void y_keymap_init(struct y_keymap *m);
void y_keymap_release(struct y_keymap *m);
/* Pointer to the value slot, or NULL. */
void **y_keymap_find(const struct y_keymap *m, const char *key, size_t len);
/* Insert, or update in place (the key keeps its first position). */
int y_keymap_put(struct y_keymap *m, const char *key, size_t len, void *val);

/* Owned byte string (ptr NULL = absent). */
struct y_str {
	char *ptr; /* NUL-terminated */
	size_t len;
};
int y_str_set(struct y_str *s, const char *p, size_t len);
void y_str_release(struct y_str *s);
static inline bool y_str_eq(const struct y_str *a, const struct y_str *b)
{
	if (!a->ptr || !b->ptr)
		return a->ptr == b->ptr;
	return a->len == b->len && !memcmp(a->ptr, b->ptr, a->len);
}

static inline bool y_id_eq(struct y_id a, struct y_id b)
{
	return a.client == b.client && a.clock == b.clock;
}

/* ---- contents (content.c) -------------------------------------------- */

/* Values are the wire content refs (spec 2.3). */
enum y_content_kind {
	Y_CONTENT_DELETED = 1,
	Y_CONTENT_JSON = 2,
	Y_CONTENT_BINARY = 3,
	Y_CONTENT_STRING = 4,
	Y_CONTENT_EMBED = 5,
	Y_CONTENT_FORMAT = 6,
	Y_CONTENT_TYPE = 7,
	Y_CONTENT_ANY = 8,
	Y_CONTENT_DOC = 9,
};

/* FORMAT payload (rare: behind a pointer so that every content stays
 * small). */
struct y_format {
	struct y_str key;
	struct y_any *val; /* JSON null removes the attribute */
	/* JS identity of an object/array/bytes val, for `===` (spec 10.6):
	 * Format items whose values are the same JS object in yjs (made by
	 * one call from one attributes object, or inherited from another
	 * Format item's value) share a nonzero ident; 0 = an object of its
	 * own (e.g. decoded).  Fresh idents come from y_doc.next_ident. */
	uint64_t ident;
};

/* DOC payload (rare, behind a pointer like FORMAT). */
struct y_content_doc {
	struct y_str guid;
	struct y_any *opts; /* object */
};

/* y_content.flags */
#define Y_CONTENT_INLINE 0x80 /* STRING: the bytes are in str.inl */
/* STRING, JSON, ANY on the heap: room for 1 << n bytes / values, or
 * 0 = exactly len bytes / n values */
#define Y_CONTENT_CAP_LOG2 0x3f
#define Y_CONTENT_INLINE_MAX 8 /* sizeof(str.inl) */

/*
 * The content of an Item: 14 bytes, packed (with the item's own flag
 * bytes it fills two 8-byte words), because a document holds one per
 * struct.  Lengths are 32-bit: a string or value list comes from one
 * message (or one API call) and yjs itself cannot hold more than 2^29
 * UTF-16 units in one string; merging past UINT32_MAX fails (the items
 * stay apart).  The item's clock length stays 64-bit (Deleted runs).
 */
struct __attribute__((packed)) y_content {
	union __attribute__((packed)) {
		/* STRING: UTF-8 bytes (not NUL-terminated), in inl when
		 * flags & Y_CONTENT_INLINE (len <= 8), else at ptr; read
		 * them with y_content_str().  The item's len is the UTF-16
		 * length.  Heap room (flags & Y_CONTENT_CAP_LOG2) lets
		 * typing append without a realloc each time. */
		struct __attribute__((packed)) {
			union {
				char *ptr;
				char inl[Y_CONTENT_INLINE_MAX];
			};
			uint32_t len;
		} str;
		/* ANY and JSON: one value per clock unit (JSON "undefined"
		 * is Y_ANY_UNDEFINED). */
		struct __attribute__((packed)) {
			struct y_any *vals;
			uint32_t n;
		} list;
		/* BINARY (Y_ANY_BYTES) and EMBED. */
		struct y_any *val;
		struct y_format *format;
		struct y_type *type;
		struct y_content_doc *doc;
	};
	uint8_t kind;
	uint8_t flags;
};

static inline const char *y_content_str(const struct y_content *c)
{
	return (c->flags & Y_CONTENT_INLINE) ? c->str.inl : c->str.ptr;
}
/* Makes c a STRING content holding a copy of s (inline when short).
 * -ENOMEM, or -ERANGE past UINT32_MAX bytes. */
int y_content_set_string(struct y_content *c, const char *s, size_t len);
/* Makes c a FORMAT / DOC content with a zeroed payload.  -ENOMEM. */
int y_content_set_format(struct y_content *c);
int y_content_set_doc(struct y_content *c);

static inline bool y_content_countable(uint8_t kind)
{
	return kind != Y_CONTENT_DELETED && kind != Y_CONTENT_FORMAT;
}
static inline bool y_content_mergeable(uint8_t kind)
{
	return kind == Y_CONTENT_DELETED || kind == Y_CONTENT_JSON ||
	       kind == Y_CONTENT_STRING || kind == Y_CONTENT_ANY;
}
void y_content_release(struct y_content *c);
/* Splits c at offset (clock units, 0 < offset < item len): c keeps
 * [0, offset), *right gets the rest.  STRING splits inside a surrogate pair
 * put U+FFFD on both sides (spec 6.2, 11).  -ENOMEM leaves c unchanged. */
int y_content_splice(struct y_content *right, struct y_content *c,
		     uint64_t offset, uint64_t item_len);
/* Appends right's values to c (both mergeable, same kind); right is left
 * empty (released). */
int y_content_merge(struct y_content *c, struct y_content *right);

/* ---- structs (item.c) ------------------------------------------------- */

enum y_struct_kind {
	Y_STRUCT_ITEM = 0,
	Y_STRUCT_GC = 1,
	Y_STRUCT_SKIP = 2, /* wire only, never in the store */
};

/* Item info flags (spec 2.2) plus presence bits for the optional IDs. */
#define Y_ITEM_KEEP 0x01
#define Y_ITEM_COUNTABLE 0x02
#define Y_ITEM_DELETED 0x04
#define Y_ITEM_MARKER 0x08
#define Y_ITEM_HAS_ORIGIN 0x10
#define Y_ITEM_HAS_RIGHT_ORIGIN 0x20

enum y_parent_kind {
	Y_PARENT_NONE = 0, /* not on the wire: copy from a neighbour; after
			     * getMissing: "no parent" -> becomes a GC */
	Y_PARENT_TYPE, /* integrated: parent.type */
	Y_PARENT_ROOT_NAME, /* parsed: parent.root (owned) */
	Y_PARENT_ID, /* parsed: the Item holding the type, id in right_origin */
};

/* An owned byte string in one allocation (an item's map key). */
struct y_key {
	uint32_t len;
	char ptr[]; /* len bytes and a NUL */
};
/* NULL on ENOMEM (or len > UINT32_MAX). */
struct y_key *y_key_new(const char *p, size_t len);
static inline bool y_key_eq(const struct y_key *a, const struct y_key *b)
{
	if (!a || !b)
		return a == b;
	return a->len == b->len && !memcmp(a->ptr, b->ptr, a->len);
}

/*
 * One struct of the store: an Item, a GC (kind GC: only id/len are used) or
 * a Skip (parsed updates and pending only).  The same layout serves parsed
 * (not yet integrated) structs: then parent_kind is ROOT_NAME/ID/NONE and
 * left/right are unset.  A document holds one per struct, so the layout is
 * tight (104 bytes, a 112-byte malloc chunk): the parsed-only parent forms
 * live behind the parent pointer, rare content payloads behind the content.
 */
struct y_item {
	struct y_id id;
	uint64_t len; /* clock units */
	struct y_item *left;
	struct y_item *right;
	struct y_id origin; /* valid if info & Y_ITEM_HAS_ORIGIN */
	/*
	 * Valid if info & Y_ITEM_HAS_RIGHT_ORIGIN.  A parsed Item with
	 * parent_kind Y_PARENT_ID keeps its parent's id here instead: the
	 * encoding has a parent only when it has neither origin (and a
	 * split's right half inherits the left's right origin), so the two
	 * never meet, and a parsed update needs no allocation per parent.
	 */
	struct y_id right_origin;
	union {
		struct y_type *type;
		struct y_str *root;
	} parent;
	struct y_key *parent_sub; /* map key; NULL for list items */
	struct y_content content;
	uint8_t kind : 2; /* enum y_struct_kind */
	uint8_t parent_kind : 2; /* enum y_parent_kind */
	uint8_t info;
};

static inline bool y_item_deleted(const struct y_item *i)
{
	return i->kind == Y_STRUCT_GC || (i->info & Y_ITEM_DELETED);
}
static inline bool y_item_countable(const struct y_item *i)
{
	return i->kind == Y_STRUCT_ITEM && (i->info & Y_ITEM_COUNTABLE);
}
static inline struct y_id y_item_last_id(const struct y_item *i)
{
	struct y_id id = { i->id.client, i->id.clock + i->len - 1 };
	return id;
}

struct y_item *y_item_new(uint8_t kind); /* zeroed; NULL on ENOMEM */
void y_item_free(struct y_item *i); /* frees content and strings */
/* Frees a parsed parent form; parent_kind becomes NONE. */
void y_item_drop_parent(struct y_item *i);

struct y_txn;
struct y_doc;
struct y_client_structs;

/*
 * Creates a local Item with id (doc client, current state), origin =
 * left's last id, right_origin = right's id, the given parent and key
 * (copied), takes ownership of *content (len clock units) and integrates it
 * (spec 10.1).  On -ENOMEM the content is released and nothing changes.
 */
int y_item_insert_local(struct y_item **out, struct y_txn *txn,
			struct y_type *parent, struct y_item *left,
			struct y_item *right, const char *parent_sub,
			size_t parent_sub_len, struct y_content *content,
			uint64_t len);
/* Item.delete (spec 10.1); no-op if already deleted. */
void y_item_delete(struct y_txn *txn, struct y_item *item);
/* Item.gc (spec 6.5): Deleted content, or a GC struct when parent_gcd. */
void y_item_gc(struct y_doc *doc, struct y_item *item, bool parent_gcd);
/* tryToMergeWithLefts (spec 6.4); returns how many structs merged away. */
size_t y_store_merge_with_lefts(struct y_doc *doc, struct y_client_structs *cs,
				size_t pos);
/* splitItem (spec 6.1): returns the right half, NOT yet inserted into the
 * store array (callers insert it right after the left half); NULL on
 * ENOMEM. */
struct y_item *y_item_split(struct y_txn *txn, struct y_item *left,
			    uint64_t diff);

/* integrate.c: getMissing (spec 4.3); returns true and *client when a
 * dependency of another client is missing; otherwise resolves left/right/
 * parent and returns false.  An allocation failure while splitting sets
 * txn->err = -ENOMEM (check it after the call) and returns false. */
bool y_item_get_missing(struct y_txn *txn, struct y_item *item,
			uint64_t *client);
/* Item.integrate / GC integrate (spec 5.1, 5.6).  On success the store
 * owns the item (a parsed Item without parent is turned into a GC struct in
 * place).  On error (-ENOMEM) nothing is linked and the caller still owns
 * it. */
int y_item_integrate(struct y_txn *txn, struct y_item *item, uint64_t offset);

/* ---- store (store.c) --------------------------------------------------- */

struct y_client_structs {
	uint64_t client;
	struct y_item **items; /* sorted by clock, contiguous from 0 */
	size_t n;
	size_t cap;
};

struct y_store {
	struct y_client_structs *clients;
	size_t n;
	size_t cap;
	struct y_u64map idx; /* client -> index into clients */
};

void y_store_init(struct y_store *s);
void y_store_release(struct y_store *s); /* frees every struct */
struct y_client_structs *y_store_client(const struct y_store *s,
					uint64_t client);
uint64_t y_store_state(const struct y_store *s, uint64_t client);
/* State vector of the store (pending structs do not count). */
int y_store_state_vector(struct y_u64map *out, const struct y_store *s);
/* Index of the struct holding clock (clock < state: caller's duty). */
size_t y_store_find_index(const struct y_client_structs *cs, uint64_t clock);
/* getItem: the struct containing id, or NULL when not in the store. */
struct y_item *y_store_find(const struct y_store *s, struct y_id id);
/* getItemCleanStart / getItemCleanEnd (spec 2.5).  NULL on ENOMEM. */
struct y_item *y_store_clean_start(struct y_txn *txn, struct y_id id);
struct y_item *y_store_clean_end(struct y_txn *txn, struct y_id id);
/* addStruct: must continue its client's clocks (else -EINVAL).
 * Adding the first struct of a new client may move store->clients: do not
 * keep struct y_client_structs pointers across it. */
int y_store_add(struct y_store *s, struct y_item *item);
int y_store_insert_at(struct y_client_structs *cs, size_t index,
		      struct y_item *item);
/* Makes room for `extra` more structs of client (creating its entry), so
 * that the next y_store_add / y_store_insert_at of it cannot fail. */
int y_store_reserve(struct y_store *s, uint64_t client, size_t extra);
/* Gives back most of the slack of a client's array once it exceeds a
 * quarter (the commit calls it for the clients it grew: doubling arrays
 * would otherwise hold up to twice the pointers a document needs).
 * Shrinking in place cannot fail; a failed realloc keeps the array. */
void y_store_trim(struct y_client_structs *cs);
/* replaceStruct: puts repl at old's index (same id and length). */
void y_store_replace(struct y_store *s, struct y_item *old,
		     struct y_item *repl);

/* ---- delete sets (ds.c) ------------------------------------------------ */

struct y_range {
	uint64_t clock;
	uint64_t len;
};
struct y_ds_client {
	uint64_t client;
	struct y_range *ranges;
	size_t n;
	size_t cap;
};
struct y_ds {
	struct y_ds_client *clients;
	size_t n;
	size_t cap;
	struct y_u64map idx; /* client -> index into clients */
};

void y_ds_init(struct y_ds *ds);
void y_ds_release(struct y_ds *ds);
bool y_ds_empty(const struct y_ds *ds);
int y_ds_add(struct y_ds *ds, uint64_t client, uint64_t clock, uint64_t len);
/* Per client: sort by clock and merge overlapping/adjacent ranges. */
void y_ds_sort_merge(struct y_ds *ds);
bool y_ds_contains(const struct y_ds *ds, struct y_id id); /* sorted ds */
/* createDeleteSetFromStructStore */
int y_ds_from_store(struct y_ds *out, const struct y_store *s);
int y_ds_union(struct y_ds *dst, const struct y_ds *src); /* then sorted */
/* Wire form (spec 3): clients in descending order. */
void y_ds_write(struct y_buf *b, const struct y_ds *ds);
int y_ds_read(struct y_ds *out, struct y_reader *r);

/* State vectors (ds.c): u64map client -> clock. */
void y_sv_write(struct y_buf *b, const struct y_u64map *sv);
int y_sv_read(struct y_u64map *out, struct y_reader *r);

/* ---- types (branches) ------------------------------------------------- */

/*
 * A shared type (yjs AbstractType).  Public as the opaque struct y_type.
 */
struct y_type {
	int kind; /* enum y_kind */
	struct y_doc *doc;
	struct y_item *item; /* holding Item, NULL for roots */
	struct y_item *start; /* first list item (deleted ones included) */
	struct y_keymap map; /* key -> newest Item for that key */
	uint64_t length; /* visible countable length (UTF-16 for text) */
	char *root_name; /* roots only */
	char *name; /* XmlElement nodeName / XmlHook hookName (in this block) */
	bool has_formatting;
	bool dead; /* GC'd: start and map cleared */
	uint32_t changed_epoch; /* txn "changed" bookkeeping (txn.c) */
	/*
	 * Index cache (types code): pos_item is a list item of this type and
	 * pos_index the visible index where it starts.  The engine keeps it
	 * right across merges (if pos_item is merged into its left
	 * neighbour, it moves there) and clears it (pos_item = NULL) on every
	 * remote integration or deletion in this type and on GC.
	 */
	struct y_item *pos_item;
	uint64_t pos_index;
	/*
	 * The last list item (tombstones included), so that an append need
	 * not walk the list: set when an item is integrated with nothing to
	 * its right, moved by splits and merges, cleared on GC.
	 */
	struct y_item *tail;
};

/* Allocates an empty branch of a kind (name copied, may be NULL). */
struct y_type *y_type_new(struct y_doc *doc, int kind, const char *name);
/* The same with a name of len bytes (no NUL among them). */
struct y_type *y_type_new_n(struct y_doc *doc, int kind, const char *name,
			    size_t len);
void y_type_free(struct y_type *t);

/* ---- transactions (txn.c) ---------------------------------------------- */

struct y_txn {
	struct y_doc *doc;
	struct y_u64map before_state;
	struct y_u64map after_state;
	struct y_ds ds; /* deleted in this transaction */
	struct y_id *merge_structs;
	size_t n_merge;
	size_t cap_merge;
	struct y_type **changed; /* distinct, via y_type.changed_epoch */
	size_t n_changed;
	size_t cap_changed;
	bool local;
	void *origin;
	uint32_t epoch; /* marks y_type.changed_epoch for this txn */
	int err; /* sticky -ENOMEM from void paths (splits in getMissing) */
};

/* Begins a transaction, or joins the running one (then `local`/`origin`
 * of the outer one stay). */
int y_txn_begin(struct y_txn **out, struct y_doc *doc, bool local,
		void *origin);
/* Ends it; the outermost end runs the commit (spec 7.4) and emits. */
int y_txn_end(struct y_doc *doc);
/* Frees a transaction that is not running (pooled or queued) and what it
 * holds; NULL is a no-op. */
void y_txn_free(struct y_txn *txn);
/* Records (type, key) as changed (spec 7.3). */
void y_txn_mark_changed(struct y_txn *txn, struct y_type *type);
int y_txn_add_merge(struct y_txn *txn, struct y_id id);
/* Defers freeing of a struct / branch until after cleanup. */
int y_doc_defer_free_item(struct y_doc *doc, struct y_item *item);
int y_doc_defer_free_type(struct y_doc *doc, struct y_type *type);

/* Implemented by text.c: formatting cleanup after a remote transaction
 * (spec 10.6), called by the commit (7.4 step 4). */
int y_text_cleanup_after_remote(struct y_txn *remote);

/* ---- documents (doc.c) ------------------------------------------------- */

struct y_pending {
	/* parsed structs not yet integrable, per client sorted by clock */
	struct y_client_structs *clients;
	size_t n;
	size_t cap;
	struct y_u64map missing; /* client -> lowest missing clock */
};

/* A subscriber of update events (y_doc_on_update) or of transactions
 * (y_doc_on_txn): one list of each per document, ids shared. */
struct y_subscriber {
	int id;
	unsigned flags; /* update subscribers: Y_UPDATE_* */
	union {
		y_update_fn update;
		y_txn_fn txn;
	} fn;
	void *ctx;
};

struct y_subscribers {
	struct y_subscriber *v;
	size_t n;
	size_t cap;
};

struct y_doc {
	uint64_t client_id;
	bool gc;
	struct y_keymap roots; /* name -> struct y_type *, creation order */
	struct y_store store;
	struct y_pending *pending; /* NULL when none */
	struct y_ds pending_ds; /* empty when none */
	struct y_txn *txn; /* running transaction or NULL */
	int txn_depth;
	struct y_subscribers subs; /* y_doc_on_update */
	struct y_subscribers txn_subs; /* y_doc_on_txn (txn.c) */
	int next_sub_id;
	struct y_item **deferred_items;
	size_t n_deferred_items;
	size_t cap_deferred_items;
	struct y_type **deferred_types;
	size_t n_deferred_types;
	size_t cap_deferred_types;
	uint32_t epoch; /* for changed_epoch */
	uint64_t rng; /* xorshift state for client ids */
	/* transactions started while committing (formatting cleanup, spec
	 * 7.2) wait here and commit after the current one */
	struct y_txn **queue;
	size_t n_queue;
	size_t cap_queue;
	bool committing;
	struct y_txn **txn_pool; /* finished transactions kept for reuse */
	size_t n_txn_pool;
	size_t cap_txn_pool;
	struct y_buf update_buf; /* reused for update events */
	uint64_t next_ident; /* Format value identities (content.format) */
};

/* Adds a subscriber with a fresh id to l (fn and ctx for the caller to
 * set); NULL without memory.  Removal by id is a no-op when absent. */
struct y_subscriber *y_subs_add(struct y_doc *doc, struct y_subscribers *l);
void y_subs_remove(struct y_subscribers *l, int id);

/*
 * Debug invariant checker (spec 16.4): store contiguity, list links,
 * branch lengths, map chains, type back-pointers.  Returns 0, or -EFAULT
 * after printing the first violation to stderr.
 */
int y_doc_check_invariants(struct y_doc *doc);

/* Root by name, created UNKNOWN if missing (an update referenced it). */
struct y_type *y_doc_get_root(struct y_doc *doc, const char *name, size_t len);
/* A fresh random uint32 client id (yjs generateNewClientId). */
uint64_t y_doc_random_client_id(struct y_doc *doc);

/* ---- wire (decode.c, apply.c, encode.c) --------------------------------- */

/* A parsed update: per-client struct lists (sorted by clock) + its DS. */
struct y_update {
	struct y_client_structs *clients;
	size_t n;
	size_t cap;
	struct y_ds ds;
};
void y_update_release(struct y_update *u); /* frees unconsumed structs */
/* Strict v1 parse of the whole buffer (spec 3, 3.2 rejections, 12). */
int y_update_parse(struct y_update *out, const uint8_t *data, size_t len,
		   struct y_error *err);

/* Writes one struct with an offset (spec 8.2). */
void y_item_write(struct y_buf *b, const struct y_item *item, uint64_t offset);
/* The update of a committed transaction (spec 8.4). */
int y_encode_txn_update(struct y_buf *b, struct y_txn *txn);

#endif /* YJS_CORE_H */
