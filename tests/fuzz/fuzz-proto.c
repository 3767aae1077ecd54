/* SPDX-License-Identifier: MIT */
/*
 * fuzz-proto.c - libFuzzer target for src/proto (and util's base64): the
 * receive path of a room connection, end to end.
 *
 * Input: a sequence of packets, each as a 2-byte big-endian length and
 * that many bytes (a short tail is one last packet).  They are fed to a
 * struct proto_reader with small limits; every delivered message goes
 * through proto_unpack, content/invoke/chunk/handshake/event parsing and
 * token verification, and the invariants below are checked (abort on
 * failure):
 *   - a delivered message re-encodes into packets that reassemble to the
 *     same message;
 *   - JSON printing is stable: print(parse(print(h))) == print(h);
 *   - a parsed content re-emits and parses back to the same header text;
 *   - strict base64: decode(x) succeeds only if encode(decode(x)) == x.
 *
 * Build and run by hand (from the top of the tree):
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Isrc/util -Isrc/proto src/util/[a-z]*.c src/proto/[a-z]*.c \
 *     tests/fuzz/fuzz-proto.c -lcjson -lcrypto -lm -o /tmp/fuzz-proto
 *   /tmp/fuzz-proto -max_total_time=60 -max_len=8192
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "invariant failed: %s (line %d)\n", \
				#cond, __LINE__);                           \
			abort();                                            \
		}                                                           \
	} while (0)

static void check_print_stable(const cJSON *v)
{
	char *a, *b;
	size_t la, lb;
	cJSON *w;

	a = proto_json_print(v, &la);
	if (!a)
		return;
	w = proto_json_parse(a, la, 0, NULL);
	/* Printing a parsed tree must give parseable text (nesting could
	 * only fail if the tree came from elsewhere). */
	CHECK(w != NULL);
	b = proto_json_print(w, &lb);
	CHECK(b && la == lb && !memcmp(a, b, la));
	free(a);
	free(b);
	cJSON_Delete(w);
}

static void check_content(const cJSON *h, const uint8_t *p, size_t n)
{
	struct proto_content c, d;
	cJSON *e, *f;
	char *a, *b;

	if (proto_content_parse(&c, h, p, n, NULL) < 0)
		return;
	e = proto_content_to_json(&c);
	CHECK(e != NULL);
	CHECK(proto_content_parse(&d, e, p, n, NULL) == 0);
	f = proto_content_to_json(&d);
	a = proto_json_print(e, NULL);
	b = proto_json_print(f, NULL);
	CHECK(a && b && !strcmp(a, b));
	free(a);
	free(b);
	cJSON_Delete(e);
	cJSON_Delete(f);
	proto_content_free(&d);
	proto_content_free(&c);
}

static void check_base64(const uint8_t *data, size_t len)
{
	enum util_base64_variant v;
	uint8_t *d;
	size_t n;
	char *s;

	for (v = UTIL_BASE64_STD; v <= UTIL_BASE64_URL; v++) {
		if (util_base64_decode(&d, &n, v, (const char *)data, len,
				       NULL) < 0)
			continue;
		CHECK(util_base64_encode(&s, NULL, v, d, n) == 0);
		CHECK(strlen(s) == len && !memcmp(s, data, len));
		free(s);
		free(d);
	}
}

static void check_message(const struct proto_message *m)
{
	struct proto_reader rd;
	struct proto_message back;
	struct proto_packets pk;
	struct proto_packed pp;
	struct proto_invoke inv;
	struct proto_chunk ch;
	struct proto_room_ready rr;
	struct proto_connected cn;
	struct proto_storage_event ev;
	struct proto_token tok;
	char *text;
	size_t k;
	int r = 0;

	/* re-encode and reassemble */
	CHECK(proto_packets_encode(&pk, m->id, m->type, m->data, m->len, 3) ==
	      0);
	proto_reader_init(&rd, NULL);
	for (k = 0; k < pk.n; k++) {
		r = proto_reader_feed(&rd, &back, pk.v[k].data, pk.v[k].len,
				      NULL);
		CHECK(r == (k + 1 == pk.n ? 1 : 0));
	}
	CHECK(back.id == m->id && !strcmp(back.type, m->type) &&
	      back.len == m->len && !memcmp(back.data, m->data, m->len));
	proto_message_free(&back);
	proto_reader_free(&rd);
	proto_packets_free(&pk);

	check_base64(m->data, m->len);

	/* tokens: the data as a JWT text */
	text = strndup((const char *)m->data, m->len);
	if (text) {
		if (proto_token_verify(&tok, text, "secret", "room", 0, NULL) ==
		    0)
			proto_token_free(&tok);
		if (proto_token_decode(&tok, text, NULL) == 0) {
			(void)proto_token_sync_access(&tok, m->type);
			(void)proto_token_storage_access(&tok, m->type);
			(void)proto_token_api_allows(&tok, "dataset");
			proto_token_free(&tok);
		}
		free(text);
	}

	if (proto_unpack(&pp, m->data, m->len, NULL, NULL) < 0)
		return;
	CHECK(cJSON_IsObject(pp.header));
	check_print_stable(pp.header);
	check_content(pp.header, pp.tail, pp.tail_len);
	if (proto_invoke_parse(&inv, pp.header, pp.tail, pp.tail_len, NULL) ==
	    0) {
		cJSON *h = proto_invoke_to_json(&inv);

		CHECK(h != NULL);
		cJSON_Delete(h);
		proto_invoke_free(&inv);
	}
	if (proto_chunk_parse(&ch, pp.header, pp.tail, pp.tail_len, NULL) ==
	    0) {
		cJSON *h = proto_chunk_to_json(&ch);

		CHECK(h != NULL);
		cJSON_Delete(h);
		proto_chunk_free(&ch);
	}
	if (proto_room_ready_parse(&rr, pp.header, NULL) == 0)
		proto_room_ready_free(&rr);
	if (proto_connected_parse(&cn, pp.header, NULL) == 0)
		proto_connected_free(&cn);
	if (proto_storage_event_parse(&ev, m->type, pp.header, NULL) == 0)
		proto_storage_event_free(&ev);
	proto_packed_free(&pp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_limits lim;
	struct proto_reader rd;
	struct proto_message m;
	size_t pos = 0, n;
	int r;

	proto_limits_default(&lim);
	lim.max_message = 1 << 16;
	lim.max_packets = 256;
	lim.max_depth = 16;
	proto_reader_init(&rd, &lim);
	while (pos < size) {
		if (size - pos >= 2) {
			n = (size_t)data[pos] << 8 | data[pos + 1];
			pos += 2;
			if (n > size - pos)
				n = size - pos;
		} else {
			n = size - pos;
		}
		r = proto_reader_feed(&rd, &m, data + pos, n, NULL);
		pos += n;
		if (r == 1) {
			check_message(&m);
			proto_message_free(&m);
		}
	}
	proto_reader_free(&rd);
	return 0;
}
