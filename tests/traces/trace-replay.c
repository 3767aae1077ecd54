// SPDX-License-Identifier: MIT
/*
 * trace-replay.c - replays an editing trace (josephg/editing-traces format)
 * into a libyjs Y.Text, one transaction per patch (delete, then insert),
 * with a fixed client id, and checks the final text against endContent.
 * Writes the final v1 full state to -o FILE so that traces.test can
 * compare it byte for byte with yjs (trace-yjs.mjs does the same there).
 *
 * usage: trace-replay [-c CLIENT] [-o STATEFILE] TRACE.json[.gz]
 *
 * Trace positions count Unicode code points; libyjs counts UTF-16 units,
 * so the driver keeps a code point shadow of the text to convert them
 * whenever non-BMP characters are present.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-load.h"
#include "yjs.h"

struct shadow {
	uint32_t *cp; /* code points */
	size_t len, cap;
	size_t astral; /* code points >= U+10000 */
};

/* Decodes UTF-8 (valid: it came out of the JSON parser). */
static size_t utf8_decode(uint32_t *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;

	while (i < len) {
		uint32_t c = p[i];
		int k = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;

		c &= k == 0 ? 0x7f : k == 1 ? 0x1f : k == 2 ? 0x0f : 0x07;
		for (i++; k > 0; k--, i++)
			c = c << 6 | (p[i] & 0x3f);
		out[n++] = c;
	}
	return n;
}

/* UTF-16 units of the first `cps` code points from `from`. */
static uint64_t units(const struct shadow *sh, size_t from, size_t cps)
{
	uint64_t u = cps;
	size_t i;

	if (!sh->astral)
		return u;
	for (i = from; i < from + cps; i++)
		u += sh->cp[i] >= 0x10000;
	return u;
}

static int edit(struct shadow *sh, struct y_type *text, size_t pos, size_t ndel,
		const char *ins, size_t ins_len)
{
	uint32_t *cps = NULL;
	size_t n = 0, i;
	uint64_t upos;
	int rc;

	if (pos > sh->len || ndel > sh->len - pos)
		return -ERANGE;
	upos = units(sh, 0, pos);
	if (ndel) {
		rc = y_text_delete(text, upos, units(sh, pos, ndel));
		if (rc)
			return rc;
		for (i = pos; i < pos + ndel; i++)
			sh->astral -= sh->cp[i] >= 0x10000;
		memmove(sh->cp + pos, sh->cp + pos + ndel,
			(sh->len - pos - ndel) * sizeof(*sh->cp));
		sh->len -= ndel;
	}
	if (ins_len) {
		rc = y_text_insert(text, upos, ins, ins_len, NULL);
		if (rc)
			return rc;
		cps = malloc(ins_len * sizeof(*cps));
		if (!cps)
			return -ENOMEM;
		n = utf8_decode(cps, ins, ins_len);
		if (sh->len + n > sh->cap) {
			sh->cap = (sh->len + n) * 2;
			sh->cp = realloc(sh->cp, sh->cap * sizeof(*sh->cp));
			if (!sh->cp)
				return -ENOMEM;
		}
		memmove(sh->cp + pos + n, sh->cp + pos,
			(sh->len - pos) * sizeof(*sh->cp));
		memcpy(sh->cp + pos, cps, n * sizeof(*cps));
		for (i = 0; i < n; i++)
			sh->astral += cps[i] >= 0x10000;
		sh->len += n;
		free(cps);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *path = NULL;
	struct y_doc_options o = { .client_id = 1 };
	struct shadow sh = { 0 };
	struct y_type *text;
	struct y_doc *doc;
	struct trace tr;
	size_t i, j, npatch = 0, slen;
	uint8_t *state;
	char *s;
	int k, rc;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-c") && k + 1 < argc)
			o.client_id = strtoull(argv[++k], NULL, 10);
		else if (!strcmp(argv[k], "-o") && k + 1 < argc)
			out_path = argv[++k];
		else
			path = argv[k];
	}
	if (!path) {
		fprintf(stderr,
			"usage: trace-replay [-c CLIENT] [-o STATEFILE] "
			"TRACE.json[.gz]\n");
		return 2;
	}
	if (trace_load(&tr, "trace-replay", path))
		return 2;
	if (y_doc_new(&doc, &o) || y_doc_root(&text, doc, "text", Y_TEXT))
		return 2;
	for (i = 0; i < tr.txns->arr.len; i++) {
		const struct y_any *p =
			y_any_object_get(&tr.txns->arr.items[i], "patches", 7);

		for (j = 0; p && j < p->arr.len; j++) {
			const struct y_any *pt = p->arr.items[j].arr.items;

			y_doc_transact_begin(doc, NULL);
			rc = edit(&sh, text, (size_t)pt[0].num,
				  (size_t)pt[1].num, pt[2].str.ptr,
				  pt[2].str.len);
			y_doc_transact_end(doc);
			if (rc) {
				fprintf(stderr,
					"trace-replay: txn %zu patch %zu: %s\n",
					i, j, y_strerror(rc));
				return 1;
			}
			npatch++;
		}
	}
	rc = y_text_string(&s, &slen, text);
	if (rc || slen != tr.end->str.len || memcmp(s, tr.end->str.ptr, slen)) {
		fprintf(stderr,
			"trace-replay: %s: final text differs from endContent "
			"(%zu vs %zu bytes)\n",
			path, rc ? 0 : slen, tr.end->str.len);
		return 1;
	}
	free(s);
	if (out_path) {
		FILE *f = fopen(out_path, "wb");

		if (!f || y_doc_encode_state_as_update(&state, &slen, doc, NULL,
						       0, NULL))
			return 2;
		fwrite(state, 1, slen, f);
		fclose(f);
		free(state);
	}
	printf("%zu patches, %zu code points\n", npatch, sh.len);
	y_any_clear(&tr.root);
	y_doc_free(doc);
	free(sh.cp);
	return 0;
}
