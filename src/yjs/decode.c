/* SPDX-License-Identifier: MIT */
/*
 * decode.c - strict parser of Yjs v1 updates (spec/yjs.md 3, 3.2, 12) into
 * struct y_update, plus the debugging dump in the line format of
 * spec/yjs-vectors (yjs decodeUpdate) and the public state vector decoder.
 *
 * The whole update, delete set included, is parsed before apply.c touches
 * the document, so a malformed update never leaves a document half
 * applied.  Beyond what yjs checks, the parser rejects what yjs would only
 * trip over later (same-client references to the future, zero-length
 * structs, repeated client blocks) and trailing bytes, which is what lets
 * a v2 update fed to the v1 API be recognised (-EPROTONOSUPPORT).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

/* ---- y_update ----------------------------------------------------------- */

void y_update_release(struct y_update *u)
{
	for (size_t c = 0; c < u->n; c++) {
		struct y_client_structs *cs = &u->clients[c];

		for (size_t i = 0; i < cs->n; i++)
			if (cs->items[i])
				y_item_free(cs->items[i]);
		free(cs->items);
	}
	free(u->clients);
	u->clients = NULL;
	u->n = 0;
	u->cap = 0;
	y_ds_release(&u->ds);
}

/* ---- struct parsing ------------------------------------------------------ */

struct parser {
	struct y_reader r;
	uint64_t client;
	uint64_t clock; /* clock of the struct being parsed */
};

static int read_id(struct parser *p, struct y_id *id, const char *what)
{
	int ret = y_read_var_uint(&p->r, &id->client);

	if (!ret)
		ret = y_read_var_uint(&p->r, &id->clock);
	if (ret)
		return ret;
	/* yjs integrates a client's structs in clock order, so a reference
	 * to the same client's present or future can never be satisfied */
	if (id->client == p->client && id->clock >= p->clock)
		return y_reader_fail(&p->r,
				     "%s (%llu,%llu) is not before its item "
				     "(%llu,%llu)",
				     what, (unsigned long long)id->client,
				     (unsigned long long)id->clock,
				     (unsigned long long)p->client,
				     (unsigned long long)p->clock);
	return 0;
}

static int read_str(struct parser *p, struct y_str *out)
{
	const char *s;
	size_t len;
	int ret = y_read_var_string(&p->r, &s, &len);

	if (ret)
		return ret;
	return y_str_set(out, s, len);
}

static int read_key(struct parser *p, struct y_key **out)
{
	const char *s;
	size_t len;
	int ret = y_read_var_string(&p->r, &s, &len);

	if (ret)
		return ret;
	if (len > UINT32_MAX)
		return y_reader_fail(&p->r, "key of %zu bytes", len);
	*out = y_key_new(s, len);
	return *out ? 0 : -ENOMEM;
}

static struct y_any *any_new(void)
{
	struct y_any *v = malloc(sizeof(*v));

	if (v)
		y_any_init_undefined(v);
	return v;
}

/*
 * JSON text of a JSON content (allow_undefined: the exact text
 * "undefined" is JS undefined), an Embed or a Format value: JSON.parse.
 */
static int read_json(struct parser *p, struct y_any *out, bool allow_undefined)
{
	struct y_error jerr;
	const char *s;
	size_t len, start = p->r.pos;
	int ret = y_read_var_string(&p->r, &s, &len);

	if (ret)
		return ret;
	if (allow_undefined && len == 9 && !memcmp(s, "undefined", 9)) {
		y_any_init_undefined(out);
		return 0;
	}
	ret = y_any_from_json(out, s, len, &jerr);
	if (ret == -ENOMEM)
		return ret;
	if (ret || out->kind == Y_ANY_UNDEFINED) {
		y_any_clear(out);
		p->r.pos = start;
		return y_reader_fail(&p->r, "invalid JSON text: %s",
				     ret ? jerr.msg : "undefined");
	}
	return 0;
}

static bool any_truthy(const struct y_any *v)
{
	switch (v->kind) {
	case Y_ANY_UNDEFINED:
	case Y_ANY_NULL:
		return false;
	case Y_ANY_BOOL:
		return v->b;
	case Y_ANY_NUMBER:
		return v->num == v->num && v->num != 0;
	case Y_ANY_BIGINT:
		return v->big != 0;
	case Y_ANY_STRING:
		return v->str.len != 0;
	default:
		return true;
	}
}

/*
 * yjs rebuilds a subdocument's options from the Doc it creates
 * (createDocFromOpts + the ContentDoc constructor): only gc:false,
 * autoLoad:true and a non-null meta survive, in that order, and an
 * options key "guid" overrides the guid.  Normalise the same way so that
 * dumps and re-encodings match.
 */
static int normalise_doc_opts(struct parser *p, struct y_content *c,
			      struct y_any *wire)
{
	const struct y_any *gc = NULL, *auto_load = NULL, *meta = NULL;
	struct y_any f, t;
	int ret = 0;

	if (wire->kind == Y_ANY_OBJECT) {
		const struct y_any *guid = y_any_object_get(wire, "guid", 4);

		if (guid && guid->kind != Y_ANY_UNDEFINED) {
			if (guid->kind != Y_ANY_STRING)
				return y_reader_fail(&p->r,
						     "subdocument guid is not "
						     "a string");
			y_str_release(&c->doc->guid);
			ret = y_str_set(&c->doc->guid, guid->str.ptr,
					guid->str.len);
			if (ret)
				return ret;
		}
		gc = y_any_object_get(wire, "gc", 2);
		auto_load = y_any_object_get(wire, "autoLoad", 8);
		meta = y_any_object_get(wire, "meta", 4);
	}
	y_any_init_object(c->doc->opts);
	y_any_init_bool(&f, false);
	y_any_init_bool(&t, true);
	if (gc && gc->kind != Y_ANY_UNDEFINED && !any_truthy(gc))
		ret = y_any_object_set(c->doc->opts, "gc", 2, &f);
	if (!ret && auto_load && any_truthy(auto_load))
		ret = y_any_object_set(c->doc->opts, "autoLoad", 8, &t);
	if (!ret && meta && meta->kind != Y_ANY_UNDEFINED &&
	    meta->kind != Y_ANY_NULL)
		ret = y_any_object_set(c->doc->opts, "meta", 4, meta);
	return ret;
}

static int read_any_list(struct parser *p, struct y_content *c, bool json,
			 uint64_t *len)
{
	uint64_t n;
	int ret = y_read_var_uint(&p->r, &n);

	if (ret)
		return ret;
	if (!n)
		return y_reader_fail(&p->r, "empty %s content",
				     json ? "JSON" : "Any");
	/* every value takes at least one byte */
	if (n > y_reader_left(&p->r) || n > UINT32_MAX)
		return y_reader_fail(&p->r, "%llu values exceed the input",
				     (unsigned long long)n);
	c->list.vals = calloc(n, sizeof(*c->list.vals));
	if (!c->list.vals)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		ret = json ? read_json(p, &c->list.vals[i], true) :
			     y_read_any(&p->r, &c->list.vals[i]);
		if (ret)
			return ret;
		c->list.n = (uint32_t)(i + 1);
	}
	*len = n;
	return 0;
}

static int read_content(struct parser *p, struct y_item *it, uint8_t ref)
{
	struct y_content *c = &it->content;
	const uint8_t *bytes;
	const char *s;
	size_t slen;
	uint64_t v;
	int ret;

	c->kind = ref;
	it->len = 1;
	switch (ref) {
	case Y_CONTENT_DELETED:
		ret = y_read_var_uint(&p->r, &it->len);
		if (!ret && !it->len)
			ret = y_reader_fail(&p->r, "empty Deleted content");
		return ret;
	case Y_CONTENT_JSON:
		return read_any_list(p, c, true, &it->len);
	case Y_CONTENT_ANY:
		return read_any_list(p, c, false, &it->len);
	case Y_CONTENT_BINARY:
		ret = y_read_var_bytes(&p->r, &bytes, &slen);
		if (ret)
			return ret;
		c->val = any_new();
		if (!c->val)
			return -ENOMEM;
		return y_any_init_bytes(c->val, bytes, slen);
	case Y_CONTENT_STRING:
		ret = y_read_var_string(&p->r, &s, &slen);
		if (ret)
			return ret;
		if (!slen)
			return y_reader_fail(&p->r, "empty String content");
		if (slen > UINT32_MAX)
			return y_reader_fail(&p->r, "string of %zu bytes",
					     slen);
		ret = y_content_set_string(c, s, slen);
		if (ret)
			return ret;
		it->len = y_utf16_len(s, slen);
		return 0;
	case Y_CONTENT_EMBED:
		c->val = any_new();
		if (!c->val)
			return -ENOMEM;
		return read_json(p, c->val, false);
	case Y_CONTENT_FORMAT:
		ret = y_content_set_format(c);
		if (!ret)
			ret = read_str(p, &c->format->key);
		if (ret)
			return ret;
		c->format->val = any_new();
		if (!c->format->val)
			return -ENOMEM;
		return read_json(p, c->format->val, false);
	case Y_CONTENT_TYPE: {
		const char *name = NULL;
		size_t nlen = 0;

		ret = y_read_var_uint(&p->r, &v);
		if (ret)
			return ret;
		if (v > Y_XML_TEXT)
			return y_reader_fail(&p->r, "unknown type ref %llu",
					     (unsigned long long)v);
		if (v == Y_XML_ELEMENT || v == Y_XML_HOOK) {
			ret = y_read_var_string(&p->r, &name, &nlen);
			if (ret)
				return ret;
			/* a C string: the name ends at a NUL byte */
			nlen = strnlen(name, nlen);
		}
		c->type = y_type_new_n(NULL, (int)v, name, nlen);
		return c->type ? 0 : -ENOMEM;
	}
	case Y_CONTENT_DOC: {
		struct y_any wire;

		ret = y_content_set_doc(c);
		if (!ret)
			ret = read_str(p, &c->doc->guid);
		if (ret)
			return ret;
		c->doc->opts = any_new();
		if (!c->doc->opts)
			return -ENOMEM;
		ret = y_read_any(&p->r, &wire);
		if (ret)
			return ret;
		ret = normalise_doc_opts(p, c, &wire);
		y_any_clear(&wire);
		return ret;
	}
	}
	return y_reader_fail(&p->r, "unknown content ref %u", ref);
}

static int read_struct(struct parser *p, struct y_item **out)
{
	struct y_item *it;
	uint8_t info, ref;
	size_t start = p->r.pos;
	int ret = y_read_u8(&p->r, &info);

	if (ret)
		return ret;
	ref = info & 0x1f;
	if (ref == 0 || ref == 10) {
		it = y_item_new(ref ? Y_STRUCT_SKIP : Y_STRUCT_GC);
		if (!it)
			return -ENOMEM;
		ret = y_read_var_uint(&p->r, &it->len);
		if (!ret && !it->len)
			ret = y_reader_fail(&p->r, "empty %s struct",
					    ref ? "Skip" : "GC");
		goto out;
	}
	if (ref > 9) {
		p->r.pos = start;
		return y_reader_fail(&p->r, "unknown struct kind %u", ref);
	}
	it = y_item_new(Y_STRUCT_ITEM);
	if (!it)
		return -ENOMEM;
	if (info & 0x80) {
		ret = read_id(p, &it->origin, "origin");
		if (ret)
			goto out;
		it->info |= Y_ITEM_HAS_ORIGIN;
	}
	if (info & 0x40) {
		ret = read_id(p, &it->right_origin, "rightOrigin");
		if (ret)
			goto out;
		it->info |= Y_ITEM_HAS_RIGHT_ORIGIN;
	}
	if (!(info & 0xc0)) {
		uint64_t parent_info;

		ret = y_read_var_uint(&p->r, &parent_info);
		if (ret)
			goto out;
		if (parent_info == 1) {
			it->parent.root = calloc(1, sizeof(*it->parent.root));
			if (!it->parent.root) {
				ret = -ENOMEM;
				goto out;
			}
			it->parent_kind = Y_PARENT_ROOT_NAME;
			ret = read_str(p, it->parent.root);
		} else {
			it->parent_kind = Y_PARENT_ID;
			ret = read_id(p, &it->right_origin, "parent");
		}
		if (!ret && (info & 0x20))
			ret = read_key(p, &it->parent_sub);
		if (ret)
			goto out;
	}
	ret = read_content(p, it, ref);
	if (!ret && y_content_countable(ref))
		it->info |= Y_ITEM_COUNTABLE;
out:
	if (!ret && it->len > Y_MAX_SAFE_INTEGER - p->clock)
		ret = y_reader_fail(&p->r, "clock overflow");
	if (ret) {
		y_item_free(it);
		return ret;
	}
	it->id.client = p->client;
	it->id.clock = p->clock;
	*out = it;
	return 0;
}

static int parse_v1(struct y_update *u, struct parser *p)
{
	struct y_u64map seen;
	uint64_t nblocks;
	int ret;

	y_u64map_init(&seen);
	ret = y_read_var_uint(&p->r, &nblocks);
	if (ret)
		goto out;
	/* a client block takes at least 3 bytes */
	if (nblocks > y_reader_left(&p->r) / 3) {
		ret = y_reader_fail(&p->r,
				    "%llu client blocks exceed the input",
				    (unsigned long long)nblocks);
		goto out;
	}
	for (uint64_t b = 0; b < nblocks; b++) {
		struct y_client_structs *cs;
		uint64_t nstructs;

		ret = y_read_var_uint(&p->r, &nstructs);
		if (!ret)
			ret = y_read_var_uint(&p->r, &p->client);
		if (!ret)
			ret = y_read_var_uint(&p->r, &p->clock);
		if (ret)
			goto out;
		/* a struct takes at least 2 bytes */
		if (nstructs > y_reader_left(&p->r) / 2) {
			ret = y_reader_fail(&p->r,
					    "%llu structs exceed the input",
					    (unsigned long long)nstructs);
			goto out;
		}
		if (!nstructs)
			continue;
		/* yjs would silently replace the earlier block */
		if (y_u64map_get(&seen, p->client, NULL)) {
			ret = y_reader_fail(&p->r, "client %llu repeated",
					    (unsigned long long)p->client);
			goto out;
		}
		ret = y_u64map_put(&seen, p->client, 1);
		if (ret)
			goto out;
		if (u->n == u->cap) {
			size_t cap = u->cap ? u->cap * 2 : 4;
			void *np = realloc(u->clients, cap * sizeof(*cs));

			if (!np) {
				ret = -ENOMEM;
				goto out;
			}
			u->clients = np;
			u->cap = cap;
		}
		cs = &u->clients[u->n++];
		cs->client = p->client;
		cs->n = 0;
		cs->cap = nstructs;
		cs->items = calloc(nstructs, sizeof(*cs->items));
		if (!cs->items) {
			ret = -ENOMEM;
			goto out;
		}
		for (uint64_t i = 0; i < nstructs; i++) {
			struct y_item *it = NULL;

			ret = read_struct(p, &it);
			if (ret)
				goto out;
			cs->items[cs->n++] = it;
			p->clock += it->len;
		}
	}
	ret = y_ds_read(&u->ds, &p->r);
	if (!ret && y_reader_left(&p->r))
		ret = y_reader_fail(&p->r, "%zu trailing bytes",
				    y_reader_left(&p->r));
out:
	y_u64map_release(&seen);
	return ret;
}

/* The v2 envelope (spec 12): varUint 0, then nine varUint8Arrays. */
static bool looks_like_v2(const uint8_t *data, size_t len)
{
	struct y_reader r;
	uint64_t flag;
	const uint8_t *p;
	size_t n;

	y_reader_init(&r, data, len, NULL);
	if (y_read_var_uint(&r, &flag) || flag != 0)
		return false;
	for (int i = 0; i < 9; i++)
		if (y_read_var_bytes(&r, &p, &n))
			return false;
	return true;
}

int y_update_parse(struct y_update *out, const uint8_t *data, size_t len,
		   struct y_error *err)
{
	struct y_error perr = { 0, "" };
	struct parser p;
	int ret;

	memset(out, 0, sizeof(*out));
	y_ds_init(&out->ds);
	memset(&p, 0, sizeof(p));
	y_reader_init(&p.r, data, len, &perr);
	ret = parse_v1(out, &p);
	if (!ret)
		return 0;
	y_update_release(out);
	y_ds_init(&out->ds);
	if (ret == -EBADMSG && looks_like_v2(data, len)) {
		ret = -EPROTONOSUPPORT;
		perr.offset = 0;
		snprintf(perr.msg, sizeof(perr.msg),
			 "update format v2 is not supported");
	}
	if (err)
		*err = perr;
	return ret;
}

/* ---- dump --------------------------------------------------------------- */

/* JSON.stringify with dump.js's replacer: bigint -> "<n>n", Uint8Array ->
 * "Uint8Array[..]", undefined -> "<undefined>". */
static void dump_any(struct y_buf *b, const struct y_any *v)
{
	switch (v->kind) {
	case Y_ANY_UNDEFINED:
		y_buf_put_str(b, "\"<undefined>\"");
		break;
	case Y_ANY_BIGINT:
		y_buf_printf(b, "\"%lldn\"", (long long)v->big);
		break;
	case Y_ANY_BYTES:
		y_buf_put_str(b, "\"Uint8Array[");
		for (size_t i = 0; i < v->bytes.len; i++)
			y_buf_printf(b, "%s%u", i ? "," : "", v->bytes.ptr[i]);
		y_buf_put_str(b, "]\"");
		break;
	case Y_ANY_ARRAY:
		y_buf_put_u8(b, '[');
		for (size_t i = 0; i < v->arr.len; i++) {
			if (i)
				y_buf_put_u8(b, ',');
			dump_any(b, &v->arr.items[i]);
		}
		y_buf_put_u8(b, ']');
		break;
	case Y_ANY_OBJECT:
		y_buf_put_u8(b, '{');
		for (size_t i = 0; i < v->obj.len; i++) {
			if (i)
				y_buf_put_u8(b, ',');
			y_json_put_string(b, v->obj.entries[i].key,
					  v->obj.entries[i].key_len);
			y_buf_put_u8(b, ':');
			dump_any(b, &v->obj.entries[i].val);
		}
		y_buf_put_u8(b, '}');
		break;
	default:
		y_json_put(b, v);
		break;
	}
}

static const char *const type_names[] = {
	"YArray",	"YMap",	    "YText",	"YXmlElement",
	"YXmlFragment", "YXmlHook", "YXmlText",
};

static void dump_content(struct y_buf *b, const struct y_item *it)
{
	const struct y_content *c = &it->content;

	switch (c->kind) {
	case Y_CONTENT_DELETED:
		y_buf_printf(b, "Deleted len=%llu",
			     (unsigned long long)it->len);
		break;
	case Y_CONTENT_JSON:
		/* plain JSON.stringify: undefined array items print null */
		y_buf_put_str(b, "JSON [");
		for (size_t i = 0; i < c->list.n; i++) {
			if (i)
				y_buf_put_u8(b, ',');
			if (c->list.vals[i].kind == Y_ANY_UNDEFINED)
				y_buf_put_str(b, "null");
			else
				y_json_put(b, &c->list.vals[i]);
		}
		y_buf_put_u8(b, ']');
		break;
	case Y_CONTENT_ANY:
		y_buf_put_str(b, "Any [");
		for (size_t i = 0; i < c->list.n; i++) {
			if (i)
				y_buf_put_u8(b, ',');
			dump_any(b, &c->list.vals[i]);
		}
		y_buf_put_u8(b, ']');
		break;
	case Y_CONTENT_BINARY:
		y_buf_put_str(b, "Binary [");
		for (size_t i = 0; i < c->val->bytes.len; i++)
			y_buf_printf(b, "%s%u", i ? "," : "",
				     c->val->bytes.ptr[i]);
		y_buf_put_u8(b, ']');
		break;
	case Y_CONTENT_STRING:
		y_buf_put_str(b, "String ");
		y_json_put_string(b, y_content_str(c), c->str.len);
		break;
	case Y_CONTENT_EMBED:
		y_buf_put_str(b, "Embed ");
		y_json_put(b, c->val);
		break;
	case Y_CONTENT_FORMAT:
		y_buf_put_str(b, "Format ");
		y_buf_put_bytes(b, c->format->key.ptr, c->format->key.len);
		y_buf_put_u8(b, '=');
		y_json_put(b, c->format->val);
		break;
	case Y_CONTENT_TYPE:
		y_buf_put_str(b, "Type ");
		if (c->type->kind >= 0 && c->type->kind <= Y_XML_TEXT)
			y_buf_put_str(b, type_names[c->type->kind]);
		if (c->type->kind == Y_XML_ELEMENT && c->type->name &&
		    c->type->name[0]) {
			y_buf_put_str(b, " nodeName=");
			y_json_put_string(b, c->type->name,
					  strlen(c->type->name));
		}
		if (c->type->kind == Y_XML_HOOK && c->type->name &&
		    c->type->name[0]) {
			y_buf_put_str(b, " hook=");
			y_buf_put_str(b, c->type->name);
		}
		break;
	case Y_CONTENT_DOC:
		y_buf_put_str(b, "Doc guid=");
		y_buf_put_bytes(b, c->doc->guid.ptr, c->doc->guid.len);
		y_buf_put_str(b, " opts=");
		y_json_put(b, c->doc->opts);
		break;
	}
}

static void dump_id(struct y_buf *b, struct y_id id)
{
	y_buf_printf(b, "(%llu,%llu)", (unsigned long long)id.client,
		     (unsigned long long)id.clock);
}

static void dump_struct(struct y_buf *b, const struct y_item *it)
{
	if (it->kind != Y_STRUCT_ITEM) {
		y_buf_put_str(b, it->kind == Y_STRUCT_GC ? "GC " : "Skip ");
		dump_id(b, it->id);
		y_buf_printf(b, " len=%llu\n", (unsigned long long)it->len);
		return;
	}
	y_buf_put_str(b, "Item ");
	dump_id(b, it->id);
	y_buf_printf(b, " len=%llu origin=", (unsigned long long)it->len);
	if (it->info & Y_ITEM_HAS_ORIGIN)
		dump_id(b, it->origin);
	else
		y_buf_put_str(b, "null");
	y_buf_put_str(b, " rightOrigin=");
	if (it->info & Y_ITEM_HAS_RIGHT_ORIGIN)
		dump_id(b, it->right_origin);
	else
		y_buf_put_str(b, "null");
	if (it->parent_kind == Y_PARENT_ROOT_NAME) {
		y_buf_put_str(b, " parent=\"");
		y_buf_put_bytes(b, it->parent.root->ptr, it->parent.root->len);
		y_buf_put_u8(b, '"');
	} else if (it->parent_kind == Y_PARENT_ID) {
		y_buf_put_str(b, " parent=");
		dump_id(b, it->right_origin);
	}
	if (it->parent_sub) {
		y_buf_put_str(b, " parentSub=");
		y_json_put_string(b, it->parent_sub->ptr, it->parent_sub->len);
	}
	y_buf_put_u8(b, ' ');
	dump_content(b, it);
	y_buf_put_u8(b, '\n');
}

/*
 * Output: one line per struct in wire order, then "DeleteSet: ..." (clients
 * in wire order, ranges as sent, "(empty)" when none); every line ends in
 * "\n" and has no indentation (vectors.txt indents them by two spaces).
 */
int y_update_dump(char **out, size_t *out_len, const uint8_t *update,
		  size_t len, struct y_error *err)
{
	struct y_update u;
	struct y_buf b;
	bool any = false;
	int ret;

	if (!out || !out_len || (!update && len))
		return -EINVAL;
	ret = y_update_parse(&u, update, len, err);
	if (ret)
		return ret;
	y_buf_init(&b);
	for (size_t c = 0; c < u.n; c++)
		for (size_t i = 0; i < u.clients[c].n; i++)
			dump_struct(&b, u.clients[c].items[i]);
	y_buf_put_str(&b, "DeleteSet: ");
	for (size_t c = 0; c < u.ds.n; c++) {
		const struct y_ds_client *dc = &u.ds.clients[c];

		if (!dc->n)
			continue;
		y_buf_printf(&b, "%sclient %llu:", any ? "; " : "",
			     (unsigned long long)dc->client);
		for (size_t i = 0; i < dc->n; i++)
			y_buf_printf(&b, " [%llu,+%llu)",
				     (unsigned long long)dc->ranges[i].clock,
				     (unsigned long long)dc->ranges[i].len);
		any = true;
	}
	if (!any)
		y_buf_put_str(&b, "(empty)");
	y_buf_put_u8(&b, '\n');
	y_update_release(&u);
	return y_buf_steal((uint8_t **)out, out_len, &b);
}

/* ---- state vectors -------------------------------------------------------- */

/* Pairs in wire order; a repeated client keeps its first position and takes
 * the last clock (JS Map semantics, as yjs decodeStateVector). */
int y_state_vector_decode(struct y_id **out, size_t *n, const uint8_t *sv,
			  size_t len, struct y_error *err)
{
	struct y_u64map pos;
	struct y_reader r;
	struct y_id *ids = NULL;
	uint64_t count, client, clock, at;
	size_t used = 0;
	int ret;

	if (!out || !n || (!sv && len))
		return -EINVAL;
	if (err) {
		err->offset = 0;
		err->msg[0] = 0;
	}
	y_u64map_init(&pos);
	y_reader_init(&r, sv, len, err);
	ret = y_read_var_uint(&r, &count);
	if (ret)
		goto err;
	if (count > y_reader_left(&r) / 2) {
		ret = y_reader_fail(&r, "%llu entries exceed the input",
				    (unsigned long long)count);
		goto err;
	}
	ids = malloc((count ? count : 1) * sizeof(*ids));
	if (!ids) {
		ret = -ENOMEM;
		goto err;
	}
	for (uint64_t i = 0; i < count; i++) {
		ret = y_read_var_uint(&r, &client);
		if (!ret)
			ret = y_read_var_uint(&r, &clock);
		if (ret)
			goto err;
		if (y_u64map_get(&pos, client, &at)) {
			ids[at].clock = clock;
			continue;
		}
		ret = y_u64map_put(&pos, client, used);
		if (ret)
			goto err;
		ids[used].client = client;
		ids[used].clock = clock;
		used++;
	}
	if (y_reader_left(&r)) {
		ret = y_reader_fail(&r, "%zu trailing bytes",
				    y_reader_left(&r));
		goto err;
	}
	y_u64map_release(&pos);
	*out = ids;
	*n = used;
	return 0;
err:
	free(ids);
	y_u64map_release(&pos);
	return ret;
}
