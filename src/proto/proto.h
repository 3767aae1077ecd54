/* SPDX-License-Identifier: MIT */
/*
 * proto.h - public API of the proto layer: the MeshAgent room wire protocol
 * (spec/protocol.md) as data, without any networking.
 *
 *   1. limits and constants (message types, error codes)
 *   2. packets (§3): encode a message into 1024-byte-slice packets in one
 *      allocation with optional per-packet headroom (LWS_PRE), and a
 *      reassembly state machine
 *   3. packed payloads (§4) and JSON text (bounded parse, compact print)
 *   4. content values (§5)
 *   5. messages: room.invoke_tool, tool call chunks, handshake, storage
 *      events (§6-§8, §11.9), whole-message encoders, tool_call_ids
 *   6. participant tokens (§2.5): HS256 JWT mint/verify, grants, API keys
 *
 * Both meshroomd (src/server) and the room client (src/client) use it.  This
 * layer includes util.h only; JSON values are cJSON trees, HMAC is OpenSSL.
 *
 * Conventions: functions return 0 or a negative errno, out parameters
 * first.  Parsers take an optional `struct util_error *err` (may be NULL)
 * that says what was wrong and at which byte offset; they never trust a
 * length or count from the wire for an allocation and never crash on
 * malformed input.  Errors: -EBADMSG malformed input, -EMSGSIZE a limit was
 * exceeded, -EPROTO a packet sequence violation, -EINVAL a bad argument
 * from the caller, -ENOMEM.  "Owned" fields are freed by the matching
 * *_free function; "view" fields point into a buffer the caller keeps.
 *
 * JSON emitted by this layer is compact and keeps the key order of the TS
 * SDK 0.39.9 (JSON.stringify of the objects it builds), so that our bytes
 * equal the SDK's.
 */
#ifndef MESHFS_PROTO_H
#define MESHFS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * 1. Limits and constants
 * ====================================================================== */

/* Data bytes per data packet (§3.3). */
#define PROTO_SLICE 1024
/* Fixed header bytes of a header packet (id, index, count) and of a data
 * packet (id, index). */
#define PROTO_HEADER_PACKET_FIXED 16
#define PROTO_DATA_PACKET_FIXED 12
/* Message ids stay below 2^53 (JS clients hold them in doubles). */
#define PROTO_ID_MAX ((UINT64_C(1) << 53) - 1)

/*
 * Bounds for everything read from the wire.  proto_limits_default() fills
 * the defaults; a NULL `const struct proto_limits *` means the defaults.
 */
struct proto_limits {
	size_t max_message; /* bytes of a message's data; 64 MiB */
	uint32_t max_packets; /* data packets of one message; 65536 */
	size_t max_type; /* bytes of a message type string; 256 */
	int max_depth; /* JSON nesting depth (arrays + objects); 64 */
};

#define PROTO_DEFAULT_MAX_MESSAGE ((size_t)64 << 20)
#define PROTO_DEFAULT_MAX_PACKETS 65536u
#define PROTO_DEFAULT_MAX_TYPE 256
#define PROTO_DEFAULT_MAX_DEPTH 64

void proto_limits_default(struct proto_limits *limits);

/* Message types (§6). */
#define PROTO_TYPE_RESPONSE "__response__"
#define PROTO_TYPE_INVOKE "room.invoke_tool"
#define PROTO_TYPE_REQUEST_CHUNK "room.tool_call_request_chunk"
#define PROTO_TYPE_RESPONSE_CHUNK "room.tool_call_response_chunk"
#define PROTO_TYPE_ROOM_READY "room_ready"
#define PROTO_TYPE_CONNECTED "connected"
#define PROTO_TYPE_SET_ATTRIBUTES "set_attributes"
#define PROTO_TYPE_ROOM_STATUS "room.status"
#define PROTO_TYPE_FILE_UPDATED "storage.file.updated"
#define PROTO_TYPE_FILE_DELETED "storage.file.deleted"
#define PROTO_TYPE_FILE_MOVED "storage.file.moved"

/* Error content codes (§8.4, meshagent/api/error_codes.py). */
enum proto_error_code {
	PROTO_ERR_PERMISSION_DENIED = 1001,
	PROTO_ERR_INVALID_REQUEST = 1002,
	PROTO_ERR_NOT_FOUND = 1003,
	PROTO_ERR_ALREADY_EXISTS = 1004,
	PROTO_ERR_CONFLICT = 1005,
	PROTO_ERR_INVALID_STATE = 1006,
	PROTO_ERR_DEPENDENCY_MISSING = 1007,
	PROTO_ERR_OPERATION_FAILED = 1008,
	PROTO_ERR_TIMEOUT = 1009,
	PROTO_ERR_UNEXPECTED_RESPONSE_TYPE = 1100,
	PROTO_ERR_STORAGE_NOT_FOUND = 3001,
	PROTO_ERR_STORAGE_RECURSIVE_REQUIRED = 3002,
	PROTO_ERR_STORAGE_INVALID_HANDLE = 3003,
	PROTO_ERR_STORAGE_INVALID_PATH = 3004,
	PROTO_ERR_STORAGE_ALREADY_EXISTS = 3005,
	PROTO_ERR_SYNC_NOT_CONNECTED = 4001,
	PROTO_ERR_SYNC_ALREADY_CONNECTED = 4002,
};

/* Control close status codes (§5). */
#define PROTO_CLOSE_NORMAL 1000
#define PROTO_CLOSE_INVALID_DATA 1007

/* ======================================================================
 * 2. Packets (§3)
 * ====================================================================== */

/* One packet = one WebSocket binary message. */
struct proto_packet {
	uint8_t *data; /* the packet bytes; `headroom` writable bytes precede */
	size_t len;
};

/*
 * The packets of one message, all in ONE allocation (`mem`), ready to be
 * sent in order v[0], v[1], ..., v[n-1] without further copies.  Each
 * packet is preceded by `headroom` bytes the sender may overwrite (pass
 * LWS_PRE for lws_write(), which writes the frame header there).  The
 * struct may be moved (e.g. into a send queue); free with
 * proto_packets_free().
 */
struct proto_packets {
	struct proto_packet *v; /* points into mem */
	size_t n; /* 1 + number of data packets */
	size_t headroom;
	void *mem; /* owned */
};

/* One piece of a message's data, for gather-encoding. */
struct proto_iov {
	const void *base;
	size_t len;
};

/* Number of data packets for len bytes of data: ceil(len / 1024). */
size_t proto_packet_count(size_t len);

/*
 * Encodes message (id, type, data) into packets: a header packet
 * (id, 0, count, type) and count data packets (id, k, next <= 1024 bytes).
 * The data is the concatenation of iov[0..niov) (copied once).
 * -EINVAL if id > PROTO_ID_MAX, type is empty or the data needs more than
 * 2^32-1 packets; -ENOMEM.  *out is left empty on error.
 */
int proto_packets_encodev(struct proto_packets *out, uint64_t id,
			  const char *type, const struct proto_iov *iov,
			  size_t niov, size_t headroom);
/* The same for one contiguous data buffer (data may be NULL if len 0). */
int proto_packets_encode(struct proto_packets *out, uint64_t id,
			 const char *type, const void *data, size_t len,
			 size_t headroom);
/* Frees mem and empties p.  NULL-safe; safe on an emptied struct. */
void proto_packets_free(struct proto_packets *p);

/* A reassembled message.  Free with proto_message_free(). */
struct proto_message {
	uint64_t id;
	char *type; /* owned, NUL-terminated */
	uint8_t *data; /* owned, never NULL, NUL-terminated (not counted) */
	size_t len;
};

void proto_message_free(struct proto_message *m);

/*
 * The receive state machine of one connection (§3.4): fed one packet at a
 * time, it delivers complete messages.  Embed it (no allocation needed to
 * init); proto_reader_free() releases a message in progress.
 *
 * Rules: a header packet (index 0) starts a message; count 0 delivers it at
 * once.  Data packets must carry the same id and the next index; the last
 * one delivers the message.  Violations are reported as errors (the
 * message in progress is dropped) and the reader waits for the next header
 * packet, dropping the data packets that arrive meanwhile without further
 * errors (as the SDKs do).  A header packet arriving while a message is in
 * progress is an error too (senders MUST NOT interleave): both messages are
 * dropped.  The fields are private.
 */
struct proto_reader {
	struct proto_limits limits;
	int state; /* private */
	uint64_t id;
	char *type;
	uint32_t count;
	uint32_t next;
	struct util_buf data;
	uint64_t packets; /* packets fed so far (for error messages) */
};

/* limits NULL: the defaults.  The limits are copied. */
void proto_reader_init(struct proto_reader *r,
		       const struct proto_limits *limits);
void proto_reader_free(struct proto_reader *r);

/*
 * Feeds one packet.  Returns 1 when it completed a message (*out filled;
 * the caller owns it), 0 when more packets are needed (*out untouched), or
 * a negative errno: -EBADMSG (packet too short, bad type string),
 * -EMSGSIZE (limit exceeded), -EPROTO (wrong id or index, data without a
 * header), -ENOMEM.  err's offset is the byte offset in this packet; msg
 * names the packet ("packet 3 of message 8: ...").
 */
int proto_reader_feed(struct proto_reader *r, struct proto_message *out,
		      const void *packet, size_t len, struct util_error *err);

/* ======================================================================
 * 3. Packed payloads (§4) and JSON text
 * ====================================================================== */

/*
 * Parses UTF-8 JSON text (either SDK style, compact or with ", "/": "
 * separators and \u escapes) with a nesting limit (max_depth <= 0: the
 * default).  Trailing non-space bytes are an error.  Returns a new tree
 * (cJSON_Delete it) or NULL with err set (offset into text).  ENOMEM is
 * reported as NULL with msg "out of memory".
 */
cJSON *proto_json_parse(const char *text, size_t len, int max_depth,
			struct util_error *err);
/*
 * Compact JSON text like JSON.stringify: no spaces, keys in tree order,
 * strings with raw UTF-8 and JSON.stringify's escapes, integral numbers
 * without exponent below 1e21, other numbers in the shortest round-trip
 * form.  Returns malloc'd text (free(3)) or NULL on ENOMEM; *len may be
 * NULL.
 */
char *proto_json_print(const cJSON *value, size_t *len);

/*
 * Packs header + tail: u64 big-endian header length, the JSON text, the
 * tail.  *out is malloc'd (free(3)).
 */
int proto_pack(uint8_t **out, size_t *out_len, const char *json,
	       size_t json_len, const void *tail, size_t tail_len);
/* The same with the header given as a cJSON object (printed compact). */
int proto_pack_json(uint8_t **out, size_t *out_len, const cJSON *header,
		    const void *tail, size_t tail_len);

/* An unpacked payload.  Free with proto_packed_free(). */
struct proto_packed {
	cJSON *header; /* owned; always an object */
	const uint8_t *tail; /* view into the unpacked data (never NULL) */
	size_t tail_len;
};

/*
 * Unpacks data: the header length must fit in the data, the header must be
 * a JSON object within limits->max_depth; the top-level key
 * "__meshagent__" (Python's OpenTelemetry key) is removed.  Errors name the
 * byte offset in data.  -EBADMSG / -ENOMEM.
 */
int proto_unpack(struct proto_packed *out, const void *data, size_t len,
		 const struct proto_limits *limits, struct util_error *err);
void proto_packed_free(struct proto_packed *p);

/* ======================================================================
 * 4. Content values (§5)
 * ====================================================================== */

enum proto_content_type {
	PROTO_CONTENT_EMPTY = 0,
	PROTO_CONTENT_JSON,
	PROTO_CONTENT_TEXT,
	PROTO_CONTENT_BINARY,
	PROTO_CONTENT_FILE,
	PROTO_CONTENT_LINK,
	PROTO_CONTENT_ERROR,
	PROTO_CONTENT_CONTROL,
	PROTO_CONTENT_RAW, /* Python only: never send to TS 0.39.9 */
};

enum proto_control_method {
	PROTO_CONTROL_OPEN = 0,
	PROTO_CONTROL_CLOSE = 1,
};

/*
 * A content value: the fields of its type are set, the others are NULL/0.
 * Zero-initialisation is an `empty` content.  Free with
 * proto_content_free() (which frees the owned fields, never the payload).
 */
struct proto_content {
	enum proto_content_type type;
	cJSON *json; /* JSON: the value (any JSON), owned */
	cJSON *headers; /* BINARY: an object, owned (NULL is emitted as {}) */
	cJSON *outputs; /* RAW: an array, owned */
	char *text; /* TEXT, ERROR: owned */
	char *name; /* FILE, LINK: owned */
	char *mime_type; /* FILE: owned */
	char *url; /* LINK: owned */
	bool has_code; /* ERROR: code present */
	long long code; /* ERROR */
	enum proto_control_method method; /* CONTROL */
	bool has_status_code; /* CONTROL: status_code present */
	int status_code; /* CONTROL (close: emitted as 1000 when absent) */
	char *message; /* CONTROL close: optional, owned */
	const uint8_t *payload; /* BINARY, FILE: view, not owned */
	size_t payload_len;
};

/* "json", "text", ...; NULL for an invalid value. */
const char *proto_content_type_name(enum proto_content_type type);
void proto_content_free(struct proto_content *c);

/*
 * Constructors: each (re)initialises *c (which must not hold owned fields:
 * free it first) and returns 0 or -ENOMEM (then *c is empty and anything
 * passed with ownership has been freed).  Strings are copied; cJSON
 * arguments are TAKEN (owned by c from the call on, even on error);
 * payloads are views (keep them alive until the content is encoded).
 */
void proto_content_empty(struct proto_content *c);
int proto_content_json(struct proto_content *c, cJSON *json);
int proto_content_text(struct proto_content *c, const char *text);
int proto_content_binary(struct proto_content *c, cJSON *headers,
			 const void *payload, size_t len);
int proto_content_file(struct proto_content *c, const char *name,
		       const char *mime_type, const void *payload, size_t len);
int proto_content_link(struct proto_content *c, const char *name,
		       const char *url);
/* code < 0: no code. */
int proto_content_error(struct proto_content *c, long long code,
			const char *fmt, ...) UTIL_PRINTF(3, 4);
void proto_content_control_open(struct proto_content *c);
/* status <= 0: 1000; message may be NULL. */
int proto_content_control_close(struct proto_content *c, int status,
				const char *message);

/*
 * Parses a content header object plus its payload (view, kept as is).
 * Strict where TS would produce undefined fields: text/name/url/mime_type
 * must be strings, control method "open"/"close"; lenient where the SDKs
 * are: binary headers missing or not an object -> {}, error code and
 * control status_code as integer or numeric string (a non-numeric string
 * or null is "no code"), a non-string control message is ignored.
 * *out is independent of header (subtrees are duplicated).  -EBADMSG with
 * a message naming the field ("content: 'text' must be a string").
 */
int proto_content_parse(struct proto_content *out, const cJSON *header,
			const uint8_t *payload, size_t payload_len,
			struct util_error *err);
/* Unpacks a standalone packed content (a __response__ body) and parses
 * it; payload is a view into data. */
int proto_content_unpack(struct proto_content *out, const void *data,
			 size_t len, const struct proto_limits *limits,
			 struct util_error *err);
/*
 * The content header in TS key order (binary: type, headers; control:
 * type, method[, status_code[, message]]; error: type, text[, code]; file:
 * type, name, mime_type; json: type, json; link: type, name, url; text:
 * type, text; empty: type; raw: type, outputs).  New tree or NULL
 * (ENOMEM).  To avoid copying large values the tree REFERENCES c->json,
 * c->headers and c->outputs (cJSON item references): cJSON_Delete it before
 * freeing c, and do not modify it.  Adding it into another tree is fine.
 */
cJSON *proto_content_to_json(const struct proto_content *c);
/* packMessage(header, payload) of the content.  *out malloc'd. */
int proto_content_pack(uint8_t **out, size_t *out_len,
		       const struct proto_content *c);

/* ======================================================================
 * 5. Messages
 * ====================================================================== */

/* ---- room.invoke_tool (§8.1) ---------------------------------------- */

struct proto_invoke {
	char *toolkit; /* owned */
	char *tool; /* owned */
	char *tool_call_id; /* owned; NULL = absent (TS non-stream invoke) */
	struct proto_content arguments; /* payload = the message tail (view) */
	char *participant_id; /* owned; NULL = absent or null */
	char *on_behalf_of_id; /* owned; NULL = absent or null */
	cJSON *caller_context; /* owned; NULL = absent or null */
};

/*
 * Parses an invoke header (+ the message tail as the arguments' payload).
 * toolkit and tool must be non-empty strings, tool_call_id a string when
 * present (non-null); arguments absent/null -> empty content, else a
 * content header.
 */
int proto_invoke_parse(struct proto_invoke *out, const cJSON *header,
		       const uint8_t *tail, size_t tail_len,
		       struct util_error *err);
/* TS key order: toolkit, tool, [tool_call_id,] arguments, [participant_id,
 * on_behalf_of_id, caller_context].  NULL on ENOMEM. */
cJSON *proto_invoke_to_json(const struct proto_invoke *inv);
void proto_invoke_free(struct proto_invoke *inv);

/* ---- tool call chunks (§8.3) ---------------------------------------- */

/* room.tool_call_request_chunk / room.tool_call_response_chunk header. */
struct proto_chunk {
	char *tool_call_id; /* owned, non-empty */
	char *toolkit; /* owned, optional (response chunks) */
	char *tool; /* owned, optional */
	struct proto_content content; /* payload = the message tail (view) */
};

/*
 * Parses a chunk header.  tool_call_id must be a non-empty string.  The
 * chunk follows TS _decodeToolCallContent: an object with a string "type"
 * is a content header; an object without one is json content of that
 * object; any other value v is json content {"chunk": v}.
 */
int proto_chunk_parse(struct proto_chunk *out, const cJSON *header,
		      const uint8_t *tail, size_t tail_len,
		      struct util_error *err);
/* {"tool_call_id", "chunk"[, "toolkit", "tool"]}.  NULL on ENOMEM. */
cJSON *proto_chunk_to_json(const struct proto_chunk *chunk);
/* The same without a struct proto_chunk. */
cJSON *proto_chunk_header(const char *tool_call_id,
			  const struct proto_content *content);
void proto_chunk_free(struct proto_chunk *chunk);

/*
 * A TS-style tool_call_id "<Date.now()>-<13 lowercase hex digits>", e.g.
 * "1795668087741-3943c497adfc5".
 */
#define PROTO_TOOL_CALL_ID_MAX 48
int proto_tool_call_id(char out[PROTO_TOOL_CALL_ID_MAX]);

/* ---- handshake (§7) ------------------------------------------------- */

struct proto_room_ready {
	char *room_name; /* owned */
	char *room_url; /* owned */
	char *session_id; /* owned */
};

/* {"room_name", "room_url", "session_id"}: all three strings required. */
int proto_room_ready_parse(struct proto_room_ready *out, const cJSON *header,
			   struct util_error *err);
cJSON *proto_room_ready_to_json(const struct proto_room_ready *rr);
void proto_room_ready_free(struct proto_room_ready *rr);

struct proto_connected {
	char *participant_id; /* owned ("participantId" on the wire) */
	cJSON *attributes; /* owned object (NULL is emitted as {}) */
};

/* {"type": "init", "participantId": str, "attributes": {...}}; type must
 * be "init"; attributes missing -> {} (a non-object is an error). */
int proto_connected_parse(struct proto_connected *out, const cJSON *header,
			  struct util_error *err);
cJSON *proto_connected_to_json(const struct proto_connected *c);
void proto_connected_free(struct proto_connected *c);

/* ---- storage events (§11.9) ----------------------------------------- */

enum proto_storage_event_kind {
	PROTO_FILE_UPDATED = 0,
	PROTO_FILE_DELETED,
	PROTO_FILE_MOVED,
};

struct proto_storage_event {
	enum proto_storage_event_kind kind;
	char *path; /* owned; UPDATED, DELETED */
	char *source_path; /* owned; MOVED */
	char *destination_path; /* owned; MOVED */
	char *participant_id; /* owned; must be a string on the wire */
};

/* PROTO_TYPE_FILE_UPDATED, ...; NULL for an invalid kind. */
const char *proto_storage_event_type(enum proto_storage_event_kind kind);
/*
 * Parses the header of a message of type `type` (one of the three); -EINVAL
 * for another type.  participant_id: a string, or null/absent (Python)
 * which gives NULL.
 */
int proto_storage_event_parse(struct proto_storage_event *out, const char *type,
			      const cJSON *header, struct util_error *err);
/* {"path", "participant_id"} or {"source_path", "destination_path",
 * "participant_id"}; a NULL participant_id is emitted as "". */
cJSON *proto_storage_event_to_json(const struct proto_storage_event *ev);
void proto_storage_event_free(struct proto_storage_event *ev);

/* ---- sync paths (§9.1) ---------------------------------------------- */

/* Strips leading "./" repeatedly, then leading "/" repeatedly; "." -> "".
 * Returns a pointer into path (no allocation). */
const char *proto_sync_path_normalize(const char *path);

/* ---- whole messages ------------------------------------------------- */

/*
 * Encoders from a value straight to packets (one copy of header and tail
 * into the packet allocation, see proto_packets_encodev).  id <=
 * PROTO_ID_MAX.  *out must be freed with proto_packets_free().
 */
/* Any message: packMessage(header, tail) (header NULL: only the tail, for
 * the rare unpacked message). */
int proto_encode(struct proto_packets *out, uint64_t id, const char *type,
		 const cJSON *header, const void *tail, size_t tail_len,
		 size_t headroom);
/* A content as the whole body (type: usually PROTO_TYPE_RESPONSE). */
int proto_encode_content(struct proto_packets *out, uint64_t id,
			 const char *type, const struct proto_content *c,
			 size_t headroom);
/* A chunk message (type: PROTO_TYPE_REQUEST_CHUNK or _RESPONSE_CHUNK). */
int proto_encode_chunk(struct proto_packets *out, uint64_t id, const char *type,
		       const char *tool_call_id, const struct proto_content *c,
		       size_t headroom);
/* room.invoke_tool with the arguments' payload as the tail. */
int proto_encode_invoke(struct proto_packets *out, uint64_t id,
			const struct proto_invoke *inv, size_t headroom);

/* ======================================================================
 * 6. Participant tokens (§2.5)
 * ====================================================================== */

/* The version claim TS 0.39.9 writes (its stale __version__). */
#define PROTO_TOKEN_VERSION "0.36.3"

/*
 * The claims of a participant token.  Owned fields; free with
 * proto_token_free().  grants keeps the array as found/built, validated on
 * decode: every grant an object with a string "name"; a "room"/"role"
 * scope a string; the "api" scope an object whose sync/storage "paths",
 * when an array, hold objects with a string "path" and an optional
 * boolean/null "read_only" (or "readOnly").
 */
struct proto_token {
	char *name; /* required */
	cJSON *grants; /* array, required (NULL is emitted as []) */
	char *sub; /* project id; NULL = absent */
	char *kid; /* API key id; NULL = absent */
	char *version; /* NULL = absent */
	bool has_exp;
	long long exp; /* seconds since the epoch */
	cJSON *extra; /* object of any other claims, or NULL */
};

/*
 * Starts a token for minting: name copied, grants [], version
 * PROTO_TOKEN_VERSION (as the TS SDK), no sub/kid/exp/extra.
 */
int proto_token_init(struct proto_token *t, const char *name);
void proto_token_free(struct proto_token *t);
/* Appends {"name": name, "scope": scope}. */
int proto_token_add_grant(struct proto_token *t, const char *name,
			  const char *scope);
/* Appends {"name": "api", "scope": scope} (scope TAKEN, freed on error);
 * -EEXIST if there is already an api grant. */
int proto_token_add_api_grant(struct proto_token *t, cJSON *scope);
/* ApiScope.agentDefault() of TS 0.39.9: livekit, queues, messaging,
 * dataset, memory, sync, storage, containers, developer, agents, llm,
 * secrets, services, each {}.  NULL on ENOMEM. */
cJSON *proto_api_scope_agent_default(void);

/*
 * Mints "<header>.<payload>.<signature>" (base64url, no padding) with
 * header {"alg":"HS256","typ":"JWT"} and the payload in TS order: extra
 * keys, name, grants, sub, kid, version, exp.  HMAC-SHA256 keyed with the
 * bytes of secret.  *out malloc'd.  -EINVAL without name or secret.
 */
int proto_token_mint(char **out, const struct proto_token *t,
		     const char *secret);
/*
 * Mints as TS toJwt({apiKey}): kid := key id and sub := project id (kept
 * in place if t already has them, else appended kid then sub), signed with
 * the key's secret.  -EINVAL (err set) on a malformed key.
 */
int proto_token_mint_api_key(char **out, const struct proto_token *t,
			     const char *api_key, struct util_error *err);

/*
 * Decodes a token WITHOUT verifying it (to read kid and pick a secret, or
 * on the client side).  -EBADMSG: not three base64url segments, header not
 * {"alg":"HS256"[,"typ":"JWT"]}, payload not an object with string name
 * and array grants, malformed grants, non-string sub/kid/version,
 * non-numeric exp.  err's offset is into jwt.
 */
int proto_token_decode(struct proto_token *out, const char *jwt,
		       struct util_error *err);
/*
 * Decodes and verifies: -EBADMSG malformed (as above, incl. alg other than
 * HS256), -EKEYREJECTED bad signature (constant-time compare),
 * -EKEYEXPIRED exp <= now (now <= 0: time(NULL)), -EPERM a room grant
 * exists and differs from room (room NULL: not checked).  On success *out
 * holds the claims; on error it is empty.
 */
int proto_token_verify(struct proto_token *out, const char *jwt,
		       const char *secret, const char *room, long long now,
		       struct util_error *err);

/* The first "room" grant's scope, or NULL. */
const char *proto_token_room(const struct proto_token *t);
/* The first "role" grant's scope, or "user". */
const char *proto_token_role(const struct proto_token *t);
/* The "api" grant's scope object, or NULL. */
const cJSON *proto_token_api_scope(const struct proto_token *t);
/* True if the api scope has the key (e.g. "storage"); "dataset" also
 * accepts the aliases "database"/"datasets". */
bool proto_token_api_allows(const struct proto_token *t, const char *key);

enum proto_access {
	PROTO_ACCESS_NONE = 0,
	PROTO_ACCESS_READ = 1,
	PROTO_ACCESS_WRITE = 2, /* implies read */
};

/*
 * Path grants (§2.5): no api scope or no "sync"/"storage" key -> NONE; no
 * "paths" array -> WRITE; else the first matching grant decides (WRITE, or
 * READ if read_only), no match -> NONE.  sync: a grant matches if equal to
 * path, or ends with '*' and path starts with what precedes it; storage: a
 * grant matches if path starts with it.
 */
enum proto_access proto_token_sync_access(const struct proto_token *t,
					  const char *path);
enum proto_access proto_token_storage_access(const struct proto_token *t,
					     const char *path);

/* ---- API keys ------------------------------------------------------- */

/* ma-<id>-<project>-<secret> (§2.5). */
struct proto_api_key {
	char id[UTIL_UUID_STR_LEN]; /* key id, lowercase UUID */
	char project_id[UTIL_UUID_STR_LEN]; /* lowercase UUID */
	char *secret; /* owned */
};

int proto_api_key_parse(struct proto_api_key *out, const char *key,
			struct util_error *err);
/* The inverse (encodeApiKey); *out malloc'd. -EINVAL on a malformed
 * UUID. */
int proto_api_key_format(char **out, const char *id, const char *project_id,
			 const char *secret);
void proto_api_key_free(struct proto_api_key *k);

/* The MIME type the TS SDK 0.39.9 guesses from a file name (upload start
 * chunk, download answer): "application/octet-stream" when unknown.  The
 * result is a static string. */
const char *proto_mime_type(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* MESHFS_PROTO_H */
