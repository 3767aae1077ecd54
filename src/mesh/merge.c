/* SPDX-License-Identifier: MIT */
/*
 * merge.c - edit to operations: the 3-way merge of a rewritten document
 * file into the live document (DESIGN.md decision 3, spec/document.md
 * §7.4).
 *
 * A writer read `base` (a render, normally with "$id"s kept aside by the
 * file system layer) and wrote `new`; meanwhile the live document may have
 * moved on.  We diff base against new, which both are plain JSON, and turn
 * the difference into CRDT operations on the live document addressed by
 * "$id" (elements) and by position carried over through a second diff
 * (text).  Whatever the writer did not change is not touched, so remote
 * changes to it survive; the CRDT itself orders concurrent inserts.
 *
 * Steps:
 *  1. parse base and new into small trees of nodes (elements, text nodes);
 *  2. match new to base per parent: explicit "$id"s first, then an LCS over
 *     the children weighted by similarity (exactly equal subtrees are
 *     trimmed off both ends first, so a small edit in a long list costs
 *     O(n)); matched new nodes inherit the base id;
 *  3. walk the matched trees and apply: attribute writes/deletes, subtree
 *     deletes, subtree inserts (mesh_build_entry, as the TS runtime builds
 *     them), and text diffs (per code point, UTF-16 positions), all in one
 *     transaction.
 * The conflict rules are listed with mesh_doc_merge in mesh.h.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docint.h"

/* Largest LCS table (cells) before falling back to a cheaper matching. */
#define LCS_MAX_CELLS (1u << 22)
/* Symbols >= this are embeds (EMBED_BASE + interned id), not code points. */
#define EMBED_BASE 0x110000u
/* A live unit we cannot describe (a nested type inside a text). */
#define OPAQUE_SYM (EMBED_BASE - 1)

enum nkind { N_ELEM, N_TEXT };

struct units {
	uint32_t *sym; /* code point, or EMBED_BASE + embed id */
	uint32_t *attr; /* interned canonical attributes object */
	size_t n;
};

struct mnode {
	enum nkind kind;
	const char *tag; /* N_ELEM */
	const struct mesh_element *et;
	const cJSON *entry; /* the child array entry ({"tag": {...}} / text) */
	const cJSON *val; /* N_ELEM: the value object */
	const char *id; /* "$id": from the JSON or inherited */
	bool explicit_id; /* the JSON gave it (new tree) */
	struct mnode **kids;
	size_t n_kids;
	struct mnode *match;
	size_t text_ord; /* N_TEXT: index among the parent's text nodes */
	uint64_t hash; /* structure and values, ids left out */
	struct units u; /* N_TEXT */
	bool has_units;
};

/* Interned canonical JSON texts (attribute objects and embeds). */
struct intern {
	char **str;
	cJSON **val; /* owned copies */
	size_t n, cap;
};

struct mctx {
	const struct mesh_schema *s;
	struct y_doc *doc;
	struct mesh_merge_stats *st;
	struct mesh_idset *live; /* id -> live element */
	struct mesh_idset *used; /* ids given to new elements so far */
	bool learning; /* matching live -> base to learn the base's ids */
	struct intern in;
	struct mnode **all; /* every node, for freeing */
	size_t n_all, cap_all;
	int err;
};

/* ---------------------------------------------------------------------- */
/* Canonical JSON (sorted keys) for hashing and interning                  */
/* ---------------------------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
		    *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static void canon(struct mesh_sbuf *b, const cJSON *v)
{
	const cJSON **keys, *m;
	char num[40];
	size_t n = 0, i;
	char *s;

	if (!v || cJSON_IsNull(v)) {
		mesh_sbuf_put(b, "null", 4);
	} else if (cJSON_IsBool(v)) {
		mesh_sbuf_put(b, cJSON_IsTrue(v) ? "true" : "false",
			      cJSON_IsTrue(v) ? 4 : 5);
	} else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.17g",
			 v->valuedouble == 0 ? 0.0 : v->valuedouble);
		mesh_sbuf_put(b, num, strlen(num));
	} else if (cJSON_IsString(v)) {
		/* unambiguous enough: strings are quoted and escaped by cJSON */
		s = cJSON_PrintUnformatted(v);
		if (!s) {
			b->oom = true;
			return;
		}
		mesh_sbuf_put(b, s, strlen(s));
		cJSON_free(s);
	} else if (cJSON_IsArray(v)) {
		mesh_sbuf_put(b, "[", 1);
		for (m = v->child; m; m = m->next) {
			canon(b, m);
			if (m->next)
				mesh_sbuf_put(b, ",", 1);
		}
		mesh_sbuf_put(b, "]", 1);
	} else if (cJSON_IsObject(v)) {
		n = mesh_json_count(v);
		keys = n ? malloc(n * sizeof(*keys)) : NULL;
		if (n && !keys) {
			b->oom = true;
			return;
		}
		for (m = v->child, i = 0; m; m = m->next)
			keys[i++] = m;
		qsort(keys, n, sizeof(*keys), key_cmp);
		mesh_sbuf_put(b, "{", 1);
		for (i = 0; i < n; i++) {
			s = cJSON_PrintUnformatted(
				&(cJSON){ .type = cJSON_String,
					  .valuestring = keys[i]->string });
			if (!s) {
				b->oom = true;
				break;
			}
			mesh_sbuf_put(b, s, strlen(s));
			cJSON_free(s);
			mesh_sbuf_put(b, ":", 1);
			canon(b, keys[i]);
			if (i + 1 < n)
				mesh_sbuf_put(b, ",", 1);
		}
		mesh_sbuf_put(b, "}", 1);
		free(keys);
	} else {
		mesh_sbuf_put(b, "?", 1);
	}
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* A hash of a JSON value, object member order left out. */
static uint64_t hash_json(const cJSON *v)
{
	const cJSON *m;
	uint64_t h, sum = 0;
	double d;

	if (!v || cJSON_IsNull(v))
		return 0x6e756c6c;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? 0x74727565 : 0x66616c73;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble == 0 ? 0.0 : v->valuedouble;
		memcpy(&h, &d, sizeof(h));
		return mix(0x6e756d, h);
	}
	if (cJSON_IsString(v))
		return mix(0x737472, hash_str(v->valuestring));
	if (cJSON_IsArray(v)) {
		h = 0x617272;
		for (m = v->child; m; m = m->next)
			h = mix(h, hash_json(m));
		return h;
	}
	for (m = v->child; m; m = m->next)
		sum += mix(hash_str(m->string), hash_json(m));
	return mix(0x6f626a, sum);
}

/* Canonical text of an attributes object: null / missing / {} are "{}". */
static int intern(struct mctx *c, const cJSON *v, bool attrs, uint32_t *out)
{
	struct mesh_sbuf b = { 0 };
	size_t i;
	void *p;

	if (attrs &&
	    (!v || cJSON_IsNull(v) || (cJSON_IsObject(v) && !v->child)))
		mesh_sbuf_put(&b, "{}", 2);
	else
		canon(&b, v);
	if (b.oom)
		goto oom;
	for (i = 0; i < c->in.n; i++) {
		if (!strcmp(c->in.str[i], b.p)) {
			free(b.p);
			*out = (uint32_t)i;
			return 0;
		}
	}
	if (c->in.n == c->in.cap) {
		c->in.cap = c->in.cap ? 2 * c->in.cap : 16;
		p = realloc(c->in.str, c->in.cap * sizeof(*c->in.str));
		if (!p)
			goto oom;
		c->in.str = p;
		p = realloc(c->in.val, c->in.cap * sizeof(*c->in.val));
		if (!p)
			goto oom;
		c->in.val = p;
	}
	c->in.val[c->in.n] = v ? cJSON_Duplicate(v, true) :
				 cJSON_CreateObject();
	if (!c->in.val[c->in.n])
		goto oom;
	c->in.str[c->in.n] = b.p;
	*out = (uint32_t)c->in.n++;
	return 0;
oom:
	free(b.p);
	return -ENOMEM;
}

/* ---------------------------------------------------------------------- */
/* Text units                                                              */
/* ---------------------------------------------------------------------- */

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (!len || len > n) {
		*cp = 0xfffd;
		return 1;
	}
	c &= 0x3fu >> (len - 1);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

static size_t utf8_encode(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static unsigned sym_width(uint32_t sym)
{
	return sym >= 0x10000 && sym < EMBED_BASE ? 2 : 1;
}

static int units_push(struct units *u, size_t *cap, uint32_t sym, uint32_t attr)
{
	void *p;

	if (u->n == *cap) {
		*cap = *cap ? 2 * *cap : 32;
		p = realloc(u->sym, *cap * sizeof(*u->sym));
		if (!p)
			return -ENOMEM;
		u->sym = p;
		p = realloc(u->attr, *cap * sizeof(*u->attr));
		if (!p)
			return -ENOMEM;
		u->attr = p;
	}
	u->sym[u->n] = sym;
	u->attr[u->n] = attr;
	u->n++;
	return 0;
}

static int units_add_string(struct units *u, size_t *cap, const char *s,
			    uint32_t attr)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;
	int ret;

	while (i < len) {
		i += utf8_decode((const unsigned char *)s + i, len - i, &cp);
		ret = units_push(u, cap, cp, attr);
		if (ret)
			return ret;
	}
	return 0;
}

/* Units of a text entry of the JSON (text node or plain string). */
static int units_from_json(struct mctx *c, struct units *u, const cJSON *e)
{
	const cJSON *op, *ins;
	uint32_t attr, emb;
	size_t cap = 0;
	int ret;

	if (cJSON_IsString(e)) {
		ret = intern(c, NULL, true, &attr);
		return ret ? ret :
			     units_add_string(u, &cap, e->valuestring, attr);
	}
	for (op = e->child->child->child; op; op = op->next) {
		ins = mesh_json_get(op, "insert");
		if (!ins)
			continue;
		ret = intern(c, mesh_json_get(op, "attributes"), true, &attr);
		if (ret)
			return ret;
		if (cJSON_IsString(ins)) {
			ret = units_add_string(u, &cap, ins->valuestring, attr);
		} else {
			ret = intern(c, ins, false, &emb);
			if (!ret)
				ret = units_push(u, &cap, EMBED_BASE + emb,
						 attr);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int units_from_live(struct mctx *c, struct units *u, struct y_type *t)
{
	struct y_delta_op *ops = NULL;
	size_t n = 0, i, cap = 0;
	uint32_t attr, emb;
	cJSON *a = NULL, *e = NULL;
	int ret;

	ret = y_text_delta(&ops, &n, t);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++) {
		ret = -ENOMEM;
		a = ops[i].attrs.kind == Y_ANY_OBJECT ?
			    mesh_any_to_cjson(&ops[i].attrs) :
			    NULL;
		if (ops[i].attrs.kind == Y_ANY_OBJECT && !a)
			break;
		ret = intern(c, a, true, &attr);
		if (ret)
			break;
		if (ops[i].type) {
			ret = units_push(u, &cap, OPAQUE_SYM, attr);
		} else if (ops[i].insert.kind == Y_ANY_STRING) {
			ret = units_add_string(u, &cap, ops[i].insert.str.ptr,
					       attr);
		} else {
			e = mesh_any_to_cjson(&ops[i].insert);
			ret = e ? intern(c, e, false, &emb) : -ENOMEM;
			if (!ret)
				ret = units_push(u, &cap, EMBED_BASE + emb,
						 attr);
			cJSON_Delete(e);
			e = NULL;
		}
		cJSON_Delete(a);
		a = NULL;
	}
	cJSON_Delete(a);
	y_delta_free(ops, n);
	return ret;
}

static void units_free(struct units *u)
{
	free(u->sym);
	free(u->attr);
	memset(u, 0, sizeof(*u));
}

/*
 * LCS alignment of two symbol arrays: map[i] = index in b of a[i], or -1.
 * Common prefix and suffix first; the middle by dynamic programming, or
 * left unmatched when it is too big (then the edit is a plain replace).
 */
static int align_syms(long *map, const uint32_t *a, size_t na,
		      const uint32_t *b, size_t nb)
{
	size_t pre = 0, suf = 0, ma, mb, i, j;
	uint32_t *dp;

	for (i = 0; i < na; i++)
		map[i] = -1;
	while (pre < na && pre < nb && a[pre] == b[pre]) {
		map[pre] = (long)pre;
		pre++;
	}
	while (suf < na - pre && suf < nb - pre &&
	       a[na - 1 - suf] == b[nb - 1 - suf]) {
		map[na - 1 - suf] = (long)(nb - 1 - suf);
		suf++;
	}
	ma = na - pre - suf;
	mb = nb - pre - suf;
	if (!ma || !mb || (ma + 1) * (mb + 1) > LCS_MAX_CELLS)
		return 0;
	dp = calloc((ma + 1) * (mb + 1), sizeof(*dp));
	if (!dp)
		return -ENOMEM;
#define DP(x, y) dp[(x) * (mb + 1) + (y)]
	for (i = ma; i-- > 0;)
		for (j = mb; j-- > 0;)
			DP(i, j) = a[pre + i] == b[pre + j] ?
					   DP(i + 1, j + 1) + 1 :
				   DP(i + 1, j) >= DP(i, j + 1) ? DP(i + 1, j) :
								  DP(i, j + 1);
	for (i = 0, j = 0; i < ma && j < mb;) {
		if (a[pre + i] == b[pre + j]) {
			map[pre + i] = (long)(pre + j);
			i++;
			j++;
		} else if (DP(i + 1, j) >= DP(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef DP
	free(dp);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Trees                                                                   */
/* ---------------------------------------------------------------------- */

static struct mnode *node_new(struct mctx *c, enum nkind kind)
{
	struct mnode *n;
	void *p;

	if (c->n_all == c->cap_all) {
		c->cap_all = c->cap_all ? 2 * c->cap_all : 64;
		p = realloc(c->all, c->cap_all * sizeof(*c->all));
		if (!p)
			return NULL;
		c->all = p;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	c->all[c->n_all++] = n;
	return n;
}

static bool is_attr_key(const struct mesh_element *et, const char *key)
{
	return strcmp(key, "$id") &&
	       !(et->child && !strcmp(key, et->child->name));
}

/*
 * Node tree of an element value object.  Lenient: entries that are not
 * elements of the schema or text nodes are skipped (new is validated
 * beforehand; base is our own render).
 */
static int tree_build(struct mctx *c, struct mnode **out, const cJSON *entry,
		      const char *tag, const cJSON *val, bool explicit_ok)
{
	const struct mesh_element *et = mesh_schema_element(c->s, tag);
	const cJSON *m, *kids = NULL, *jid;
	struct mnode *n, *k;
	size_t cnt, n_text = 0;
	uint64_t ah = 0;
	int ret;

	*out = NULL;
	if (!et || !cJSON_IsObject(val))
		return 0;
	n = node_new(c, N_ELEM);
	if (!n)
		return -ENOMEM;
	n->tag = tag;
	n->et = et;
	n->entry = entry;
	n->val = val;
	jid = mesh_json_get(val, "$id");
	if (cJSON_IsString(jid) && jid->valuestring[0]) {
		n->id = jid->valuestring;
		n->explicit_id = explicit_ok;
	}
	for (m = val->child; m; m = m->next)
		if (is_attr_key(et, m->string))
			ah += mix(hash_str(m->string), hash_json(m));
	n->hash = mix(hash_str(tag), ah);
	if (et->child)
		kids = mesh_json_get(val, et->child->name);
	cnt = cJSON_IsArray(kids) ? mesh_json_count(kids) : 0;
	if (cnt) {
		n->kids = calloc(cnt, sizeof(*n->kids));
		if (!n->kids)
			return -ENOMEM;
	}
	for (m = cnt ? kids->child : NULL; m; m = m->next) {
		k = NULL;
		if (cJSON_IsString(m) || mesh_json_is_text_node(c->s, m)) {
			if (!mesh_tag_has_text(tag))
				continue;
			k = node_new(c, N_TEXT);
			if (!k)
				return -ENOMEM;
			k->entry = m;
			k->text_ord = n_text++;
			ret = units_from_json(c, &k->u, m);
			if (ret)
				return ret;
			k->has_units = true;
			k->hash = 0x7e47;
			for (size_t i = 0; i < k->u.n; i++)
				k->hash = mix(k->hash,
					      ((uint64_t)k->u.sym[i] << 32) |
						      k->u.attr[i]);
		} else if (cJSON_IsObject(m) && m->child && !m->child->next) {
			if (!mesh_property_allows_tag(et->child,
						      m->child->string))
				continue;
			ret = tree_build(c, &k, m, m->child->string, m->child,
					 explicit_ok);
			if (ret)
				return ret;
		}
		if (!k)
			continue;
		n->kids[n->n_kids++] = k;
		n->hash = mix(n->hash, k->hash);
	}
	*out = n;
	return 0;
}

static int tree_from_doc(struct mctx *c, struct mnode **out, const cJSON *doc,
			 bool explicit_ok)
{
	const struct mesh_element *root = mesh_schema_root(c->s);
	const cJSON *val = mesh_json_get(doc, root->tag);

	*out = NULL;
	if (!cJSON_IsObject(val))
		return -EINVAL;
	return tree_build(c, out, doc, root->tag, val, explicit_ok);
}

/* Deep equality of two subtrees, ids left out. */
static bool node_equal(const struct mnode *a, const struct mnode *b)
{
	const cJSON *m, *o;
	size_t i;

	if (a->kind != b->kind || a->hash != b->hash)
		return false;
	if (a->kind == N_TEXT)
		return a->u.n == b->u.n &&
		       (!a->u.n || (!memcmp(a->u.sym, b->u.sym,
					    a->u.n * sizeof(*a->u.sym)) &&
				    !memcmp(a->u.attr, b->u.attr,
					    a->u.n * sizeof(*a->u.attr))));
	if (strcmp(a->tag, b->tag) || a->n_kids != b->n_kids)
		return false;
	for (m = a->val->child; m; m = m->next) {
		if (!is_attr_key(a->et, m->string))
			continue;
		o = mesh_json_get(b->val, m->string);
		if (!o || !cJSON_Compare(m, o, true))
			return false;
	}
	for (m = b->val->child; m; m = m->next)
		if (is_attr_key(b->et, m->string) &&
		    !mesh_json_get(a->val, m->string))
			return false;
	for (i = 0; i < a->n_kids; i++)
		if (!node_equal(a->kids[i], b->kids[i]))
			return false;
	return true;
}

/* 0 .. 1: how much of a is still in b (same tag assumed). */
static double node_similarity(const struct mnode *a, const struct mnode *b)
{
	size_t total = 1, same = 0, i, pre = 0;
	const cJSON *m, *o;

	if (a->kind == N_TEXT) {
		size_t n = a->u.n > b->u.n ? a->u.n : b->u.n;

		if (!n)
			return 1;
		while (pre < a->u.n && pre < b->u.n &&
		       a->u.sym[pre] == b->u.sym[pre])
			pre++;
		for (i = 0;
		     i < a->u.n - pre && i < b->u.n - pre &&
		     a->u.sym[a->u.n - 1 - i] == b->u.sym[b->u.n - 1 - i];
		     i++)
			;
		return (double)(pre + i) / (double)n;
	}
	for (m = a->val->child; m; m = m->next) {
		if (!is_attr_key(a->et, m->string))
			continue;
		total++;
		o = mesh_json_get(b->val, m->string);
		if (o && cJSON_Compare(m, o, true))
			same++;
	}
	for (m = b->val->child; m; m = m->next)
		if (is_attr_key(b->et, m->string) &&
		    !mesh_json_get(a->val, m->string))
			total++;
	if (a->n_kids == b->n_kids) {
		same++;
		for (i = 0; i < a->n_kids; i++)
			if (a->kids[i]->hash != b->kids[i]->hash)
				same--, i = a->n_kids;
	}
	return (double)same / (double)total;
}

/* ---------------------------------------------------------------------- */
/* Matching                                                                */
/* ---------------------------------------------------------------------- */

static void pair(struct mnode *b, struct mnode *n)
{
	b->match = n;
	n->match = b;
	if (n->kind == N_ELEM && !n->explicit_id)
		n->id = b->id;
}

/*
 * How well base kid b fits new kid n: 0 = not at all; >= W_CERTAIN = the
 * same element for sure (same explicit id, or equal subtrees).  An exact
 * match outweighs several partial ones, so that an element the writer
 * left alone keeps its identity (and concurrent edits to it) rather than
 * its neighbours being re-purposed around it.
 */
#define W_ID 5.0
#define W_EQUAL 4.0
#define W_CERTAIN 4.0
static double weight(const struct mnode *b, const struct mnode *n,
		     const char *claimed)
{
	if (n->kind == N_ELEM && n->explicit_id)
		return b->id && !strcmp(b->id, n->id) &&
				       !strcmp(b->tag, n->tag) ?
			       W_ID :
			       0;
	if (claimed && *claimed)
		return 0;
	if (b->kind != n->kind)
		return 0;
	if (b->kind == N_ELEM && strcmp(b->tag, n->tag))
		return 0;
	if (node_equal(b, n))
		return W_EQUAL;
	return 1 + 0.9 * node_similarity(b, n);
}

static int match_tree(struct mctx *c, struct mnode *b, struct mnode *n);

static int match_kids(struct mctx *c, struct mnode *b, struct mnode *n)
{
	size_t nb = b->n_kids, nn = n->n_kids, pre = 0, suf = 0, mb, mn, i, j;
	struct mesh_idset *bids = NULL;
	char *claimed = NULL; /* base kids that some explicit new id names */
	float *dp = NULL;
	double w;
	int ret = 0;
	bool any_explicit = false;

	for (j = 0; j < nn; j++)
		if (n->kids[j]->kind == N_ELEM && n->kids[j]->explicit_id)
			any_explicit = true;
	if (nb)
		claimed = calloc(nb, 1);
	if (nb && !claimed)
		return -ENOMEM;
	if (any_explicit && nb) {
		bids = mesh_idset_new();
		if (!bids)
			goto oom;
		for (i = 0; i < nb; i++)
			if (b->kids[i]->id &&
			    mesh_idset_put(bids, b->kids[i]->id,
					   (void *)(uintptr_t)(i + 1)))
				goto oom;
		for (j = 0; j < nn; j++) {
			uintptr_t k;

			if (n->kids[j]->kind != N_ELEM ||
			    !n->kids[j]->explicit_id)
				continue;
			k = (uintptr_t)mesh_idset_get(bids, n->kids[j]->id);
			if (k)
				claimed[k - 1] = 1;
		}
	}
#define W(i, j) weight(b->kids[i], n->kids[j], claimed ? &claimed[i] : NULL)
	while (pre < nb && pre < nn && W(pre, pre) >= W_CERTAIN) {
		pair(b->kids[pre], n->kids[pre]);
		pre++;
	}
	while (suf < nb - pre && suf < nn - pre &&
	       W(nb - 1 - suf, nn - 1 - suf) >= W_CERTAIN) {
		pair(b->kids[nb - 1 - suf], n->kids[nn - 1 - suf]);
		suf++;
	}
	mb = nb - pre - suf;
	mn = nn - pre - suf;
	if (mb && mn && (mb + 1) * (mn + 1) <= LCS_MAX_CELLS / 4) {
		dp = calloc((mb + 1) * (mn + 1), sizeof(*dp));
		if (!dp)
			goto oom;
#define DP(x, y) dp[(x) * (mn + 1) + (y)]
		for (i = mb; i-- > 0;) {
			for (j = mn; j-- > 0;) {
				float best = DP(i + 1, j) > DP(i, j + 1) ?
						     DP(i + 1, j) :
						     DP(i, j + 1);

				w = W(pre + i, pre + j);
				if (w > 0 && DP(i + 1, j + 1) + w > best)
					best = DP(i + 1, j + 1) + (float)w;
				DP(i, j) = best;
			}
		}
		for (i = 0, j = 0; i < mb && j < mn;) {
			w = W(pre + i, pre + j);
			if (w > 0 && DP(i, j) == DP(i + 1, j + 1) + (float)w) {
				pair(b->kids[pre + i], n->kids[pre + j]);
				i++;
				j++;
			} else if (DP(i + 1, j) >= DP(i, j + 1)) {
				i++;
			} else {
				j++;
			}
		}
#undef DP
	} else if (mb && mn) {
		/* Too big to align: same tag at the same index (spec §7.4). */
		for (i = 0; i < mb && i < mn; i++)
			if (W(pre + i, pre + i) > 0)
				pair(b->kids[pre + i], n->kids[pre + i]);
	}
#undef W
	/* equal subtrees need no matching inside: nothing will be done there */
	for (j = 0; j < nn && !ret; j++)
		if (n->kids[j]->match && n->kids[j]->kind == N_ELEM &&
		    (c->learning || !node_equal(n->kids[j]->match, n->kids[j])))
			ret = match_tree(c, n->kids[j]->match, n->kids[j]);
	goto out;
oom:
	ret = -ENOMEM;
out:
	free(dp);
	free(claimed);
	mesh_idset_free(bids);
	return ret;
}

static int match_tree(struct mctx *c, struct mnode *b, struct mnode *n)
{
	return match_kids(c, b, n);
}

/* ---------------------------------------------------------------------- */
/* Applying                                                                */
/* ---------------------------------------------------------------------- */

static int set_attr(struct y_type *el, const char *key, const cJSON *v)
{
	struct y_any a;
	int ret;

	ret = mesh_cjson_to_any(&a, v);
	if (!ret)
		ret = y_map_set(el, key, strlen(key), &a);
	y_any_clear(&a);
	return ret;
}

static int apply_attrs(struct mctx *c, const struct mnode *b,
		       const struct mnode *n, struct y_type *live)
{
	struct y_value v;
	const cJSON *m, *o;
	int ret;

	for (m = n->val->child; m; m = m->next) {
		if (!is_attr_key(n->et, m->string))
			continue;
		o = mesh_json_get(b->val, m->string);
		if (o && cJSON_Compare(m, o, true))
			continue;
		ret = set_attr(live, m->string, m);
		if (ret)
			return ret;
		c->st->attrs_set++;
	}
	for (m = b->val->child; m; m = m->next) {
		if (!is_attr_key(b->et, m->string) ||
		    mesh_json_get(n->val, m->string))
			continue;
		if (y_map_get(&v, live, m->string, strlen(m->string)))
			continue;
		ret = y_map_delete(live, m->string, strlen(m->string));
		if (ret && ret != -ENOENT)
			return ret;
		c->st->attrs_deleted++;
	}
	return 0;
}

/* ---- text ---- */

enum top_kind { T_DELETE, T_FORMAT, T_INSERT };

struct top {
	enum top_kind kind;
	size_t pos; /* live unit index */
	size_t len; /* live units (delete/format) */
	size_t from, to; /* new units [from, to) (insert) */
	uint32_t old_attr, new_attr; /* format */
	size_t seq; /* tie-break: order in new */
};

/*
 * Order of the text operations: formats first (they move no position, and
 * a format run may span the gap where an insert goes), then deletes and
 * inserts from the end backwards, so that each position is still the one
 * computed on the live text; at one position the delete goes first and
 * inserts go last-in-new first, so that they end up in order.
 */
static int top_cmp(const void *a, const void *b)
{
	const struct top *x = a, *y = b;

	if ((x->kind == T_FORMAT) != (y->kind == T_FORMAT))
		return x->kind == T_FORMAT ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos > y->pos ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind == T_INSERT ? 1 : -1;
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return 0;
}

/* Attributes to pass to format: the new values, null for removed keys. */
static int format_attrs(struct mctx *c, struct y_any *out, uint32_t old_attr,
			uint32_t new_attr)
{
	const cJSON *nv = c->in.val[new_attr], *ov = c->in.val[old_attr], *m;
	cJSON *obj = cJSON_Duplicate(nv, true), *nul;
	int ret = -ENOMEM;

	if (!obj || !cJSON_IsObject(obj))
		goto out;
	for (m = cJSON_IsObject(ov) ? ov->child : NULL; m; m = m->next) {
		if (mesh_json_get(nv, m->string))
			continue;
		nul = cJSON_CreateNull();
		if (!nul || !cJSON_AddItemToObject(obj, m->string, nul)) {
			cJSON_Delete(nul);
			goto out;
		}
	}
	ret = mesh_cjson_to_any(out, obj);
out:
	cJSON_Delete(obj);
	return ret;
}

static int text_insert(struct mctx *c, struct y_type *t, uint64_t pos16,
		       const struct units *nu, size_t from, size_t to)
{
	struct y_any attrs;
	size_t i, j, o;
	char *buf;
	int ret = 0;

	while (from < to && !ret) {
		j = from;
		while (j < to && nu->attr[j] == nu->attr[from] &&
		       nu->sym[j] < EMBED_BASE)
			j++;
		ret = mesh_cjson_to_any(&attrs, c->in.val[nu->attr[from]]);
		if (ret)
			return ret;
		if (j == from) { /* an embed */
			struct y_any e;

			ret = mesh_cjson_to_any(
				&e, c->in.val[nu->sym[from] - EMBED_BASE]);
			if (!ret)
				ret = y_text_insert_embed(t, pos16, &e, &attrs);
			y_any_clear(&e);
			pos16 += 1;
			c->st->text_inserted += 1;
			j = from + 1;
		} else {
			uint64_t w = 0;

			buf = malloc((j - from) * 4 + 1);
			if (!buf) {
				y_any_clear(&attrs);
				return -ENOMEM;
			}
			for (i = from, o = 0; i < j; i++) {
				o += utf8_encode(buf + o, nu->sym[i]);
				w += sym_width(nu->sym[i]);
			}
			ret = y_text_insert(t, pos16, buf, o, &attrs);
			free(buf);
			pos16 += w;
			c->st->text_inserted += w;
		}
		y_any_clear(&attrs);
		from = j;
	}
	return ret;
}

static int merge_text(struct mctx *c, struct mnode *b, struct mnode *n,
		      struct y_type *t)
{
	struct units lu = { 0 };
	long *bn = NULL, *bl = NULL;
	size_t *pre16 = NULL, nt = 0, cap = 0, i, j, k, gap;
	struct top *ops = NULL, *op;
	struct y_any a;
	int ret;

	if (node_equal(b, n))
		return 0;
	ret = units_from_live(c, &lu, t);
	if (ret)
		goto out;
	ret = -ENOMEM;
	bn = malloc((b->u.n + 1) * sizeof(*bn));
	bl = malloc((b->u.n + 1) * sizeof(*bl));
	pre16 = malloc((lu.n + 1) * sizeof(*pre16));
	cap = 2 * (b->u.n + n->u.n) + 2;
	ops = calloc(cap, sizeof(*ops));
	if (!bn || !bl || !pre16 || !ops)
		goto out;
	ret = align_syms(bn, b->u.sym, b->u.n, n->u.sym, n->u.n);
	if (!ret)
		ret = align_syms(bl, b->u.sym, b->u.n, lu.sym, lu.n);
	if (ret)
		goto out;
	pre16[0] = 0;
	for (i = 0; i < lu.n; i++)
		pre16[i + 1] = pre16[i] + sym_width(lu.sym[i]);

	/* deletes and formats, per base unit still in the live text */
	for (i = 0; i < b->u.n; i++) {
		if (bl[i] < 0)
			continue;
		if (bn[i] < 0) {
			op = nt ? &ops[nt - 1] : NULL;
			if (op && op->kind == T_DELETE &&
			    op->pos + op->len == (size_t)bl[i]) {
				op->len++;
				continue;
			}
			ops[nt++] = (struct top){ .kind = T_DELETE,
						  .pos = (size_t)bl[i],
						  .len = 1 };
			continue;
		}
		if (b->u.attr[i] == n->u.attr[bn[i]])
			continue;
		op = nt ? &ops[nt - 1] : NULL;
		if (op && op->kind == T_FORMAT &&
		    op->pos + op->len == (size_t)bl[i] &&
		    op->old_attr == b->u.attr[i] &&
		    op->new_attr == n->u.attr[bn[i]]) {
			op->len++;
			continue;
		}
		ops[nt++] = (struct top){ .kind = T_FORMAT,
					  .pos = (size_t)bl[i],
					  .len = 1,
					  .old_attr = b->u.attr[i],
					  .new_attr = n->u.attr[bn[i]] };
	}
	/* inserts: runs of new units that no base unit maps to */
	for (i = 0, j = 0; j <= n->u.n;) {
		/* i: next base unit that is kept; j: next new unit */
		while (i < b->u.n && bn[i] < 0)
			i++;
		k = i < b->u.n ? (size_t)bn[i] : n->u.n;
		if (j < k) {
			gap = i;
			if (gap < b->u.n && bl[gap] >= 0) {
				ops[nt].pos = (size_t)bl[gap];
			} else {
				long g = -1;

				for (size_t x = gap; x-- > 0;)
					if (bl[x] >= 0) {
						g = bl[x];
						break;
					}
				ops[nt].pos = (size_t)(g + 1);
			}
			ops[nt].kind = T_INSERT;
			ops[nt].from = j;
			ops[nt].to = k;
			ops[nt].seq = j;
			nt++;
		}
		if (i >= b->u.n)
			break;
		j = k + 1;
		i++;
	}
	qsort(ops, nt, sizeof(*ops), top_cmp);
	for (k = 0; k < nt; k++) {
		op = &ops[k];
		switch (op->kind) {
		case T_DELETE:
			ret = y_text_delete(t, pre16[op->pos],
					    pre16[op->pos + op->len] -
						    pre16[op->pos]);
			c->st->text_deleted +=
				pre16[op->pos + op->len] - pre16[op->pos];
			break;
		case T_FORMAT:
			ret = format_attrs(c, &a, op->old_attr, op->new_attr);
			if (!ret)
				ret = y_text_format(t, pre16[op->pos],
						    pre16[op->pos + op->len] -
							    pre16[op->pos],
						    &a);
			y_any_clear(&a);
			c->st->text_formatted++;
			break;
		case T_INSERT:
			ret = text_insert(c, t, pre16[op->pos], &n->u, op->from,
					  op->to);
			break;
		}
		if (ret)
			goto out;
	}
	ret = 0;
out:
	units_free(&lu);
	free(bn);
	free(bl);
	free(pre16);
	free(ops);
	return ret;
}

/* ---- elements ---- */

/* Live XmlText children of el, in order (*out malloc'd). */
static int live_texts(struct y_type ***out, size_t *n, struct y_type *el)
{
	struct y_list_iter it;
	struct y_value v;
	struct y_type **a = NULL;
	size_t cap = 0;
	void *p;

	*out = NULL;
	*n = 0;
	y_list_iter_init(&it, el);
	while (y_list_iter_next(&it, &v)) {
		if (v.kind != Y_VALUE_TYPE || y_type_kind(v.type) != Y_XML_TEXT)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 4;
			p = realloc(a, cap * sizeof(*a));
			if (!p) {
				free(a);
				return -ENOMEM;
			}
			a = p;
		}
		a[(*n)++] = v.type;
	}
	*out = a;
	return 0;
}

static struct y_type *live_of(struct mctx *c, const struct mnode *b,
			      struct y_type *parent, struct y_type **texts,
			      size_t n_texts)
{
	struct y_type *t;

	if (b->kind == N_TEXT)
		return b->text_ord < n_texts ? texts[b->text_ord] : NULL;
	t = b->id ? mesh_idset_get(c->live, b->id) : NULL;
	return t && y_type_parent(t) == parent ? t : NULL;
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int delete_kids(struct y_type *el, struct y_type **del, size_t n_del)
{
	struct y_list_iter it;
	struct y_value v;
	uint64_t *idx, i = 0;
	size_t k, found = 0;
	int ret = 0;

	if (!n_del)
		return 0;
	idx = malloc(n_del * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	y_list_iter_init(&it, el);
	while (found < n_del && y_list_iter_next(&it, &v)) {
		for (k = 0; k < n_del; k++)
			if (v.kind == Y_VALUE_TYPE && v.type == del[k]) {
				idx[found++] = i;
				break;
			}
		i++;
	}
	qsort(idx, found, sizeof(*idx), cmp_desc);
	for (k = 0; k < found && !ret; k++)
		ret = y_list_delete(el, idx[k], 1);
	free(idx);
	return ret;
}

static int apply_element(struct mctx *c, struct mnode *b, struct mnode *n,
			 struct y_type *live)
{
	struct y_type **texts = NULL, **del = NULL, *prev = NULL, *t;
	size_t n_texts = 0, n_del = 0, i, made;
	int ret;

	ret = apply_attrs(c, b, n, live);
	if (ret)
		return ret;
	ret = live_texts(&texts, &n_texts, live);
	if (ret)
		return ret;
	if (b->n_kids) {
		del = calloc(b->n_kids, sizeof(*del));
		if (!del) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < b->n_kids; i++) {
		if (b->kids[i]->match)
			continue;
		t = live_of(c, b->kids[i], live, texts, n_texts);
		if (!t)
			continue; /* already deleted remotely */
		del[n_del++] = t;
		if (b->kids[i]->kind == N_ELEM)
			c->st->elements_deleted++;
	}
	for (i = 0; i < n->n_kids; i++) {
		struct mnode *k = n->kids[i];

		if (!k->match)
			continue;
		t = live_of(c, k->match, live, texts, n_texts);
		if (!t && !node_equal(k->match, k))
			c->st->dropped++;
	}
	ret = delete_kids(live, del, n_del);
	if (ret)
		goto out;
	for (i = 0; i < n->n_kids; i++) {
		struct mnode *k = n->kids[i];

		if (k->match) {
			t = live_of(c, k->match, live, texts, n_texts);
			if (!t)
				continue;
			prev = t;
			if (node_equal(k->match, k))
				continue; /* untouched by the writer */
			if (k->kind == N_TEXT)
				ret = merge_text(c, k->match, k, t);
			else
				ret = apply_element(c, k->match, k, t);
		} else {
			made = 0;
			ret = mesh_build_entry(&t, live, prev, c->s, k->entry,
					       true, c->live, c->used, &made);
			c->st->elements_inserted += made;
			prev = t;
		}
		if (ret)
			goto out;
	}
out:
	free(texts);
	free(del);
	return ret;
}

static bool tree_has_missing_ids(const struct mnode *n, bool root)
{
	size_t i;

	if (n->kind == N_ELEM && !root && !n->id)
		return true;
	for (i = 0; i < n->n_kids; i++)
		if (tree_has_missing_ids(n->kids[i], false))
			return true;
	return false;
}

static void clear_matches(struct mnode *n)
{
	size_t i;

	n->match = NULL;
	for (i = 0; i < n->n_kids; i++)
		clear_matches(n->kids[i]);
}

/*
 * The end both merge paths share: matches n (the new tree) to b (the base
 * tree), then turns the difference into operations on the live element
 * live under one transaction.  live_id (may be NULL) is live's own id,
 * which the index of the elements under it leaves out.
 */
static int merge_apply(struct mctx *c, struct mnode *b, struct mnode *n,
		       struct y_type *live, const char *live_id)
{
	int ret, ret2;

	ret = match_tree(c, b, n);
	if (ret)
		return ret;
	c->live = mesh_idset_new();
	c->used = mesh_idset_new();
	if (!c->live || !c->used ||
	    (live_id && mesh_idset_put(c->live, live_id, live)))
		return -ENOMEM;
	/* A new element may keep its file "$id" only if no live element
	 * has it (a moved element gets a new one: it is deleted here but
	 * still live) and no other new element took it first. */
	ret = mesh_doc_index_ids(c->live, live);
	if (ret)
		return ret;
	ret = y_doc_transact_begin(c->doc, NULL);
	if (ret)
		return ret;
	ret = apply_element(c, b, n, live);
	ret2 = y_doc_transact_end(c->doc);
	return ret ? ret : ret2;
}

/* Frees what a merge context holds (not the context itself). */
static void mctx_free(struct mctx *c)
{
	size_t i;

	for (i = 0; i < c->n_all; i++) {
		free(c->all[i]->kids);
		units_free(&c->all[i]->u);
		free(c->all[i]);
	}
	free(c->all);
	for (i = 0; i < c->in.n; i++) {
		free(c->in.str[i]);
		cJSON_Delete(c->in.val[i]);
	}
	free(c->in.str);
	free(c->in.val);
	mesh_idset_free(c->live);
	mesh_idset_free(c->used);
}

int mesh_doc_merge(struct mesh_merge_stats *stats, struct y_doc *doc,
		   const struct mesh_schema *s, const cJSON *base,
		   const cJSON *newj, struct mesh_diag *diag)
{
	struct mesh_merge_stats local_st = { 0 };
	struct mesh_diag local = { 0 };
	struct mctx c = { .s = s, .doc = doc };
	struct mnode *bt = NULL, *nt = NULL, *lt = NULL;
	cJSON *live_json = NULL, *own_base = NULL;
	struct y_type *root;
	int ret;

	if (!stats)
		stats = &local_st;
	memset(stats, 0, sizeof(*stats));
	c.st = stats;
	if (!doc || !s || !newj)
		return -EINVAL;
	if (!diag)
		diag = &local;
	ret = mesh_validate_json(diag, s, newj, MESH_DOC_IDS);
	if (ret)
		goto out;
	ret = mesh_doc_root(&root, doc);
	if (ret)
		goto out;
	if (!base) {
		ret = mesh_doc_to_cjson(&own_base, doc, s, MESH_DOC_IDS);
		if (ret)
			goto out;
		base = own_base;
	}
	ret = tree_from_doc(&c, &bt, base, false);
	if (ret) {
		if (ret == -EINVAL)
			mesh_diag_add(
				diag, "",
				"the base document has no root element \"%s\"",
				mesh_schema_root_tag(s));
		goto out;
	}
	ret = tree_from_doc(&c, &nt, newj, true);
	if (ret)
		goto out;

	/* A base without ids learns them from the live document. */
	if (tree_has_missing_ids(bt, true)) {
		if (!own_base) {
			ret = mesh_doc_to_cjson(&live_json, doc, s,
						MESH_DOC_IDS);
			if (ret)
				goto out;
		}
		ret = tree_from_doc(&c, &lt, live_json ? live_json : base,
				    false);
		if (ret)
			goto out;
		c.learning = true;
		ret = match_tree(&c, lt, bt);
		c.learning = false;
		if (ret)
			goto out;
		clear_matches(bt);
	}

	ret = merge_apply(&c, bt, nt, root, NULL);
out:
	mctx_free(&c);
	cJSON_Delete(live_json);
	cJSON_Delete(own_base);
	mesh_diag_free(&local);
	return ret;
}

int mesh_doc_merge_text(struct mesh_merge_stats *stats, struct y_doc *doc,
			const struct mesh_schema *s, const cJSON *base,
			const char *text, size_t len, struct mesh_diag *diag)
{
	struct mesh_error err;
	cJSON *json;
	int ret;

	ret = mesh_json_parse(&json, text, len, &err);
	if (ret) {
		if (stats)
			memset(stats, 0, sizeof(*stats));
		if (diag && mesh_diag_add(diag, err.path, "%s", err.msg))
			return -ENOMEM;
		return ret;
	}
	ret = mesh_doc_merge(stats, doc, s, base, json, diag);
	cJSON_Delete(json);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Fast path: a local edit of an indexed render                            */
/* ---------------------------------------------------------------------- */

/* Length of the common prefix of a and b (n bytes each), word at a time. */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	uint64_t x, y;

	while (i + 8 <= n) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const char *a, size_t na, const char *b, size_t nb,
			    size_t max)
{
	size_t i = 0;
	uint64_t x, y;

	while (i + 8 <= max) {
		memcpy(&x, a + na - i - 8, 8);
		memcpy(&y, b + nb - i - 8, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < max && a[na - 1 - i] == b[nb - 1 - i])
		i++;
	return i;
}

/* Adds the index's ids (preorder from *k) to the element value objects of
 * entry's subtree, as the render walked them, when the text has none. */
static int attach_ids(const struct mesh_schema *s,
		      const struct mesh_render_index *x, size_t *k,
		      cJSON *entry)
{
	const struct mesh_element *et;
	cJSON *val = entry->child, *kids, *e;
	const char *id;

	if (*k >= x->n)
		return -EINVAL;
	id = mesh_render_index_id(x, *k);
	(*k)++;
	if (!cJSON_IsObject(val))
		return -EINVAL;
	if (id && !mesh_json_get(val, "$id") &&
	    !cJSON_AddStringToObject(val, "$id", id))
		return -ENOMEM;
	et = mesh_schema_element(s, val->string);
	if (!et || !et->child)
		return 0;
	kids = (cJSON *)mesh_json_get(val, et->child->name);
	for (e = cJSON_IsArray(kids) ? kids->child : NULL; e; e = e->next) {
		int ret;

		if (cJSON_IsString(e) || mesh_json_is_text_node(s, e))
			continue;
		ret = attach_ids(s, x, k, e);
		if (ret)
			return ret;
	}
	return 0;
}

/* Every "$id" under v is also one of base's (collected in set). */
static int collect_ids(struct mesh_idset *set, const cJSON *v, bool check,
		       bool *ok)
{
	const cJSON *m;
	int ret;

	for (m = v ? v->child : NULL; m; m = m->next) {
		if (m->string && !strcmp(m->string, "$id")) {
			if (!cJSON_IsString(m)) {
				*ok = false;
				continue;
			}
			if (check) {
				if (!mesh_idset_has(set, m->valuestring))
					*ok = false;
			} else if (mesh_idset_add(set, m->valuestring) < 0) {
				return -ENOMEM;
			}
		}
		ret = collect_ids(set, m, check, ok);
		if (ret)
			return ret;
	}
	return 0;
}

/* The live child of parent whose "$id" is id (first one), or NULL. */
static struct y_type *live_child(struct y_type *parent, const char *id)
{
	struct y_list_iter it;
	struct y_value v;
	const char *cid;

	y_list_iter_init(&it, parent);
	while (y_list_iter_next(&it, &v)) {
		if (v.kind != Y_VALUE_TYPE ||
		    y_type_kind(v.type) != Y_XML_ELEMENT)
			continue;
		cid = mesh_yel_id(v.type);
		if (cid && !strcmp(cid, id))
			return v.type;
	}
	return NULL;
}

/*
 * Validates the new entry where it stands: inside a skeleton made of its
 * ancestors (tags only).  Level R checks are local to each element, and the
 * rest of the text is the base render, valid by construction.  0 when
 * valid; 1 when not (the caller takes the full path, whose errors carry
 * the real pointers); -ENOMEM.
 */
static int validate_entry(const struct mesh_schema *s,
			  const struct mesh_render_index *x, size_t e,
			  cJSON *entry)
{
	const struct mesh_element *root = mesh_schema_root(s);
	size_t chain[64], n = 0, i, a;
	struct mesh_diag local = { 0 };
	cJSON *top = NULL, *arr, *obj, *el;
	int ret = -ENOMEM;

	for (a = x->el[e].parent; a != MESH_RENDER_ROOT; a = x->el[a].parent) {
		if (n == 64)
			return 1;
		chain[n++] = a;
	}
	top = cJSON_CreateObject();
	obj = top ? cJSON_AddObjectToObject(top, root->tag) : NULL;
	arr = obj && root->child ?
		      cJSON_AddArrayToObject(obj, root->child->name) :
		      NULL;
	for (i = n; arr && i-- > 0;) {
		const struct mesh_element *et = x->el[chain[i]].et;

		el = cJSON_CreateObject();
		if (!el || !cJSON_AddItemToArray(arr, el)) {
			cJSON_Delete(el);
			arr = NULL;
			break;
		}
		obj = cJSON_AddObjectToObject(el, et->tag);
		arr = obj && et->child ?
			      cJSON_AddArrayToObject(obj, et->child->name) :
			      NULL;
	}
	if (!arr)
		goto out;
	arr->child = entry; /* borrowed for the check */
	ret = mesh_validate_json(&local, s, top, MESH_DOC_IDS);
	arr->child = NULL;
	if (ret == -EINVAL || local.total)
		ret = 1;
out:
	cJSON_Delete(top);
	mesh_diag_free(&local);
	return ret;
}

/* base_text parsed, with the index's ids added where the text has none. */
static int base_with_ids(cJSON **out, const struct mesh_schema *s,
			 const char *base_text, size_t base_len,
			 const struct mesh_render_index *x)
{
	const struct mesh_element *root = mesh_schema_root(s);
	struct mesh_error err;
	cJSON *b, *kids, *e;
	size_t k = 0;
	int ret;

	ret = mesh_json_parse(&b, base_text, base_len, &err);
	if (ret)
		return ret;
	kids = root->child ? (cJSON *)mesh_json_get(mesh_json_get(b, root->tag),
						    root->child->name) :
			     NULL;
	for (e = cJSON_IsArray(kids) ? kids->child : NULL; e && !ret;
	     e = e->next)
		if (!cJSON_IsString(e) && !mesh_json_is_text_node(s, e))
			ret = attach_ids(s, x, &k, e);
	if (!ret && k != x->n)
		ret = -EINVAL; /* not the index of this text */
	if (ret) {
		cJSON_Delete(b);
		return ret;
	}
	*out = b;
	return 0;
}

/*
 * The fast path; 1 when it does not apply (nothing done), else the
 * merge's result.
 */
static int merge_local(struct mesh_merge_stats *stats, struct y_doc *doc,
		       const struct mesh_schema *s, const char *bt, size_t bl,
		       const struct mesh_render_index *x, const char *nt,
		       size_t nl)
{
	struct mctx c = { .s = s, .doc = doc, .st = stats };
	struct mesh_idset *bids = NULL;
	struct mnode *bn = NULL, *nn = NULL;
	cJSON *bj = NULL, *nj = NULL;
	struct y_type *live, *root;
	size_t pre, suf, bend, lo, hi, e, k, chain[64], n = 0, a;
	struct mesh_error err;
	bool ok = true;
	int ret = 1;

	memset(stats, 0, sizeof(*stats));
	if (!x || !x->n)
		return 1;
	pre = common_prefix(bt, nt, bl < nl ? bl : nl);
	if (pre == bl && bl == nl)
		return 0; /* nothing written differs */
	suf = common_suffix(bt, bl, nt, nl, (bl < nl ? bl : nl) - pre);
	bend = bl - suf; /* changed base bytes: [pre, bend) */
	/* innermost element whose braces are both outside the change */
	lo = 0;
	hi = x->n;
	while (lo < hi) { /* last element starting before pre */
		size_t mid = (lo + hi) / 2;

		if (x->el[mid].start < pre)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 1;
	for (e = lo - 1; e != MESH_RENDER_ROOT; e = x->el[e].parent)
		if (x->el[e].end - 1 >= bend && x->el[e].end - 1 >= pre)
			break;
	if (e == MESH_RENDER_ROOT || !mesh_render_index_id(x, e))
		return 1;
	if (x->el[e].end + nl < x->el[e].start + bl)
		return 1;
	/* both versions of the entry: the new one must be one whole value */
	if (mesh_json_parse(&nj, nt + x->el[e].start,
			    x->el[e].end + nl - bl - x->el[e].start, &err))
		goto out;
	if (mesh_json_parse(&bj, bt + x->el[e].start,
			    x->el[e].end - x->el[e].start, &err))
		goto out;
	if (!cJSON_IsObject(nj) || !nj->child || nj->child->next ||
	    strcmp(nj->child->string, x->el[e].et->tag))
		goto out; /* a different element: delete + insert */
	k = e;
	ret = attach_ids(s, x, &k, bj);
	if (ret) {
		ret = ret == -ENOMEM ? ret : 1;
		goto out;
	}
	/* ids in the new entry: only its own (an id from elsewhere would
	 * need the whole document's matching) */
	ret = -ENOMEM;
	bids = mesh_idset_new();
	if (!bids || collect_ids(bids, bj, false, &ok) ||
	    collect_ids(bids, nj, true, &ok))
		goto out;
	ret = 1;
	if (!ok)
		goto out;
	ret = validate_entry(s, x, e, nj);
	if (ret)
		goto out;
	/* the live element, reached from the root through its ancestors as
	 * the full path's live_of would */
	ret = mesh_doc_root(&root, doc);
	if (ret)
		goto out;
	ret = 1;
	for (a = e; a != MESH_RENDER_ROOT; a = x->el[a].parent) {
		if (n == 64 || !mesh_render_index_id(x, a))
			goto out;
		chain[n++] = a;
	}
	live = root;
	while (n-- > 0) {
		live = live_child(live, mesh_render_index_id(x, chain[n]));
		if (!live)
			goto out; /* gone remotely: the full path drops it */
	}
	ret = tree_build(&c, &bn, bj, bj->child->string, bj->child, false);
	if (!ret)
		ret = tree_build(&c, &nn, nj, nj->child->string, nj->child,
				 true);
	if (ret)
		goto out;
	if (!bn || !nn) {
		ret = 1;
		goto out;
	}
	pair(bn, nn);
	ret = 0;
	if (node_equal(bn, nn))
		goto out; /* e.g. only white space changed */
	ret = merge_apply(&c, bn, nn, live, bn->id);
out:
	mctx_free(&c);
	mesh_idset_free(bids);
	cJSON_Delete(bj);
	cJSON_Delete(nj);
	return ret;
}

int mesh_doc_merge_indexed(struct mesh_merge_stats *stats, struct y_doc *doc,
			   const struct mesh_schema *s, const char *base_text,
			   size_t base_len,
			   const struct mesh_render_index *index,
			   const char *text, size_t len, unsigned flags,
			   struct mesh_diag *diag)
{
	struct mesh_merge_stats local_st;
	cJSON *base = NULL;
	int ret;

	if (!stats)
		stats = &local_st;
	if (!doc || !s || !base_text || !index || !text)
		return -EINVAL;
	if (!(flags & MESH_MERGE_FULL)) {
		ret = merge_local(stats, doc, s, base_text, base_len, index,
				  text, len);
		if (ret <= 0)
			return ret;
	}
	ret = base_with_ids(&base, s, base_text, base_len, index);
	if (ret) {
		memset(stats, 0, sizeof(*stats));
		if (diag &&
		    mesh_diag_add(diag, "",
				  "the base text does not match its index"))
			return -ENOMEM;
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	ret = mesh_doc_merge_text(stats, doc, s, base, text, len, diag);
	cJSON_Delete(base);
	return ret;
}
