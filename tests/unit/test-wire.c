/* SPDX-License-Identifier: MIT */
/*
 * test-wire.c - focused tests of the wire layer of libyjs: delete sets and
 * state vectors (ds.c), update parsing and dumping (decode.c), applying
 * updates (apply.c) and encoding state (encode.c).  Expected bytes and dump
 * lines come from spec/yjs-vectors/vectors.txt (real yjs 13.6.33 output).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "tap.h"

/* ---- helpers ---------------------------------------------------------- */

static size_t unhex(uint8_t *out, const char *hex)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;

		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void is_hex(const uint8_t *got, size_t glen, const char *want_hex,
		   const char *name)
{
	uint8_t want[1024];
	size_t wlen = unhex(want, want_hex);

	is_mem(got, glen, want, wlen, name);
}

/* ---- delete sets and state vectors ----------------------------------- */

static void test_ds(void)
{
	struct y_ds ds, rd, u;
	struct y_buf b;
	struct y_reader r;
	struct y_error err;
	uint8_t in[64];
	size_t n;
	int ret;

	y_ds_init(&ds);
	ok(y_ds_empty(&ds), "new ds is empty");
	y_ds_add(&ds, 1, 5, 2);
	y_ds_add(&ds, 1, 0, 1);
	y_ds_add(&ds, 7, 3, 1);
	y_ds_add(&ds, 1, 1, 1);
	y_ds_add(&ds, 1, 6, 3); /* overlaps [5,7) */
	y_ds_add(&ds, 1, 9, 1); /* adjacent to [6,9) */
	y_ds_add(&ds, 1, 20, 1);
	y_ds_add(&ds, 1, 20, 1); /* duplicate */
	ok(!y_ds_empty(&ds), "ds not empty after add");
	y_ds_sort_merge(&ds);
	y_buf_init(&b);
	y_ds_write(&b, &ds);
	/* client 7 first: [3,+1); client 1: [0,+2) [5,+5) [20,+1) */
	is_hex(b.data, b.len, "02070103010103000205051401",
	       "sort_merge + write");
	ok(y_ds_contains(&ds, (struct y_id){ 1, 0 }), "contains (1,0)");
	ok(y_ds_contains(&ds, (struct y_id){ 1, 1 }), "contains (1,1)");
	ok(!y_ds_contains(&ds, (struct y_id){ 1, 2 }), "not (1,2)");
	ok(y_ds_contains(&ds, (struct y_id){ 1, 9 }), "contains (1,9)");
	ok(!y_ds_contains(&ds, (struct y_id){ 1, 10 }), "not (1,10)");
	ok(y_ds_contains(&ds, (struct y_id){ 1, 20 }), "contains (1,20)");
	ok(!y_ds_contains(&ds, (struct y_id){ 2, 0 }), "not client 2");
	ok(y_ds_contains(&ds, (struct y_id){ 7, 3 }), "contains (7,3)");

	/* read back */
	y_reader_init(&r, b.data, b.len, &err);
	ret = y_ds_read(&rd, &r);
	is_int(ret, 0, "ds read ok");
	is_int(r.pos, b.len, "ds read consumed everything");
	is_int(rd.n, 2, "two clients");
	if (rd.n == 2) {
		is_int(rd.clients[0].client, 7, "first wire client 7");
		is_int(rd.clients[1].n, 3, "client 1 has 3 ranges");
	}

	/* union */
	y_ds_init(&u);
	y_ds_add(&u, 1, 2, 3);
	y_ds_add(&u, 3, 0, 1);
	y_ds_union(&u, &ds);
	y_buf_release(&b);
	y_ds_write(&b, &u);
	is_hex(b.data, b.len, "0307010301030100010102000a1401",
	       "union sorted and merged");
	y_ds_release(&u);
	y_ds_release(&rd);
	y_ds_release(&ds);
	y_buf_release(&b);

	/* empty ds writes 00; clients with no ranges are skipped */
	y_ds_init(&ds);
	y_buf_init(&b);
	y_ds_write(&b, &ds);
	is_hex(b.data, b.len, "00", "empty ds");
	y_buf_release(&b);

	/* read: zero-range client skipped, wire order kept */
	n = unhex(in, "0305000301020101010502");
	y_reader_init(&r, in, n, &err);
	ret = y_ds_read(&rd, &r);
	is_int(ret, 0, "ds read with empty client");
	is_int(rd.n, 2, "empty client skipped");
	if (rd.n == 2) {
		is_int(rd.clients[0].client, 3, "first 3");
		is_int(rd.clients[0].n, 1, "one range");
		is_int(rd.clients[1].client, 1, "then 1");
		is_int(rd.clients[1].ranges[0].clock, 5, "range clock");
		is_int(rd.clients[1].ranges[0].len, 2, "range len");
	}
	y_ds_release(&rd);

	/* hostile counts */
	n = unhex(in, "01018fffffff0f00");
	y_reader_init(&r, in, n, &err);
	ret = y_ds_read(&rd, &r);
	is_int(ret, -EBADMSG, "huge range count rejected");
	y_ds_release(&rd);
	n = unhex(in, "ffffffff0f");
	y_reader_init(&r, in, n, &err);
	is_int(y_ds_read(&rd, &r), -EBADMSG, "huge client count rejected");
	y_ds_release(&rd);
	n = unhex(in, "0101010100");
	y_reader_init(&r, in, n, &err);
	is_int(y_ds_read(&rd, &r), -EBADMSG, "zero-length range rejected");
	y_ds_release(&rd);
	n = unhex(in, "01010201");
	y_reader_init(&r, in, n, &err);
	is_int(y_ds_read(&rd, &r), -EBADMSG, "truncated ds rejected");
	y_ds_release(&rd);
}

static void test_sv(void)
{
	struct y_u64map sv;
	struct y_buf b;
	struct y_reader r;
	struct y_error err;
	uint8_t in[64];
	uint64_t v = 0;
	size_t n;

	y_u64map_init(&sv);
	y_u64map_put(&sv, 1, 3);
	y_u64map_put(&sv, 7, 2);
	y_u64map_put(&sv, 300, 0);
	y_buf_init(&b);
	y_sv_write(&b, &sv);
	is_hex(b.data, b.len, "03ac020007020103", "sv written descending");
	y_u64map_release(&sv);
	y_buf_release(&b);

	y_u64map_init(&sv);
	y_sv_write(&b, &sv);
	is_hex(b.data, b.len, "00", "empty sv");
	y_buf_release(&b);

	n = unhex(in, "0301030105020a");
	y_reader_init(&r, in, n, &err);
	is_int(y_sv_read(&sv, &r), 0, "sv read");
	is_int(sv.n, 2, "duplicates collapse");
	ok(y_u64map_get(&sv, 1, &v) && v == 5, "last duplicate wins");
	ok(y_u64map_get(&sv, 2, &v) && v == 10, "client 2 clock 10");
	y_u64map_release(&sv);

	n = unhex(in, "05010301");
	y_reader_init(&r, in, n, &err);
	is_int(y_sv_read(&sv, &r), -EBADMSG, "sv count beyond input");
	y_u64map_release(&sv);
	n = unhex(in, "020103");
	y_reader_init(&r, in, n, &err);
	is_int(y_sv_read(&sv, &r), -EBADMSG, "truncated sv");
	y_u64map_release(&sv);
}

int main(void)
{
	plan_no_plan();
	test_ds();
	test_sv();
	return done_testing();
}
