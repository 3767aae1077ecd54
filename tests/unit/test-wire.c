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
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------- */

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

/* ---- parse and dump ---------------------------------------------------- */

/* Updates from spec/yjs-vectors/vectors.txt with yjs's decoded lines. */
static const struct {
	const char *name;
	const char *hex;
	const char *dump;
} dump_vectors[] = {
	{ "V1: update event", "01010100040101740361626300",
	  "Item (1,0) len=3 origin=null rightOrigin=null parent=\"t\" String \"abc\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V1: second transaction update", "0101010384010202646500",
	  "Item (1,3) len=2 origin=(1,2) rightOrigin=null String \"de\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V1: full state after both", "010101000401017405616263646500",
	  "Item (1,0) len=5 origin=null rightOrigin=null parent=\"t\" String \"abcde\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V1: encodeStateAsUpdate(doc, sv{1:1})", "01010101840100046263646500",
	  "Item (1,1) len=4 origin=(1,0) rightOrigin=null String \"bcde\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V2: update event",
	  "01040100070103786d6c03017007000100060400010102686928000100026964017702613100",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"xml\" Type YXmlElement nodeName=\"p\"\n"
	  "Item (1,1) len=1 origin=null rightOrigin=null parent=(1,0) Type YXmlText\n"
	  "Item (1,2) len=2 origin=null rightOrigin=null parent=(1,1) String \"hi\"\n"
	  "Item (1,4) len=1 origin=null rightOrigin=null parent=(1,0) parentSub=\"id\" Any [\"a1\"]\n"
	  "DeleteSet: (empty)\n" },
	{ "V2b: update event",
	  "01070700070103786d6c030474657874070007000628000700032469640177026e31040007010568656c6c6f8407070620776f726c6446070304626f6c640474727565c60707070804626f6c64046e756c6c00",
	  "Item (7,0) len=1 origin=null rightOrigin=null parent=\"xml\" Type YXmlElement nodeName=\"text\"\n"
	  "Item (7,1) len=1 origin=null rightOrigin=null parent=(7,0) Type YXmlText\n"
	  "Item (7,2) len=1 origin=null rightOrigin=null parent=(7,0) parentSub=\"$id\" Any [\"n1\"]\n"
	  "Item (7,3) len=5 origin=null rightOrigin=null parent=(7,1) String \"hello\"\n"
	  "Item (7,8) len=6 origin=(7,7) rightOrigin=null String \" world\"\n"
	  "Item (7,14) len=1 origin=null rightOrigin=(7,3) Format bold=true\n"
	  "Item (7,15) len=1 origin=(7,7) rightOrigin=(7,8) Format bold=null\n"
	  "DeleteSet: (empty)\n" },
	{ "V2c: encodeStateAsUpdate",
	  "01070500070103786d6c0304626f647907000500030170280005010324696401770270312800050105636c617373017707636f6e74656e74870501030170280005040324696401770270322800050003246964017702623100",
	  "Item (5,0) len=1 origin=null rightOrigin=null parent=\"xml\" Type YXmlElement nodeName=\"body\"\n"
	  "Item (5,1) len=1 origin=null rightOrigin=null parent=(5,0) Type YXmlElement nodeName=\"p\"\n"
	  "Item (5,2) len=1 origin=null rightOrigin=null parent=(5,1) parentSub=\"$id\" Any [\"p1\"]\n"
	  "Item (5,3) len=1 origin=null rightOrigin=null parent=(5,1) parentSub=\"class\" Any [\"content\"]\n"
	  "Item (5,4) len=1 origin=(5,1) rightOrigin=null Type YXmlElement nodeName=\"p\"\n"
	  "Item (5,5) len=1 origin=null rightOrigin=null parent=(5,4) parentSub=\"$id\" Any [\"p2\"]\n"
	  "Item (5,6) len=1 origin=null rightOrigin=null parent=(5,0) parentSub=\"$id\" Any [\"b1\"]\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: client 1 update", "0101010004010174016100",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"a\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: client 2 update", "0101020004010174016200",
	  "Item (2,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"b\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: merged full state", "0201020004010174016201010004010174016100",
	  "Item (2,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"b\"\n"
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"a\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: base \"xz\" by client 1", "010101000401017402787a00",
	  "Item (1,0) len=2 origin=null rightOrigin=null parent=\"t\" String \"xz\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: client 2 inserts \"B\" at 1", "01010200c401000101014200",
	  "Item (2,0) len=1 origin=(1,0) rightOrigin=(1,1) String \"B\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: client 3 inserts \"C\" at 1", "01010300c401000101014300",
	  "Item (3,0) len=1 origin=(1,0) rightOrigin=(1,1) String \"C\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V3: merged full state",
	  "03010300c4010001010143010200c4010001010142020100040101740178840100017a00",
	  "Item (3,0) len=1 origin=(1,0) rightOrigin=(1,1) String \"C\"\n"
	  "Item (2,0) len=1 origin=(1,0) rightOrigin=(1,1) String \"B\"\n"
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"x\"\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null String \"z\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V4: delete transaction update", "000101010101",
	  "DeleteSet: client 1: [1,+1)\n" },
	{ "V4: full state", "010301000401017401618101000184010101630101010101",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"a\"\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null Deleted len=1\n"
	  "Item (1,2) len=1 origin=(1,1) rightOrigin=null String \"c\"\n"
	  "DeleteSet: client 1: [1,+1)\n" },
	{ "V4: full state with gc:false",
	  "01030100040101740161840100016284010101630101010101",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"a\"\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null String \"b\"\n"
	  "Item (1,2) len=1 origin=(1,1) rightOrigin=null String \"c\"\n"
	  "DeleteSet: client 1: [1,+1)\n" },
	{ "V5: update event",
	  "010e01002801016d046e756c6c017e2801016d05756e646566017f2801016d017401782801016d016601792801016d03696e74017d2a2801016d036e6567017d6a2801016d03626967017c4f0000002801016d03663332017c3fc000002801016d03663634017b3fb999999999999a2801016d06626967696e74017a00000b3a73ce2ff22801016d0373747201770768c3a9f09f98802801016d036f626a01760201617d0101627502787e2801016d036172720175037d0177017876002301016d0362696e0301020300",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"null\" Any [null]\n"
	  "Item (1,1) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"undef\" Any [\"<undefined>\"]\n"
	  "Item (1,2) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"t\" Any [true]\n"
	  "Item (1,3) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"f\" Any [false]\n"
	  "Item (1,4) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"int\" Any [42]\n"
	  "Item (1,5) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"neg\" Any [-42]\n"
	  "Item (1,6) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"big\" Any [2147483648]\n"
	  "Item (1,7) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"f32\" Any [1.5]\n"
	  "Item (1,8) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"f64\" Any [0.1]\n"
	  "Item (1,9) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"bigint\" Any [\"12345678901234n\"]\n"
	  "Item (1,10) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"str\" Any [\"hé😀\"]\n"
	  "Item (1,11) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"obj\" Any [{\"a\":1,\"b\":[true,null]}]\n"
	  "Item (1,12) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"arr\" Any [[1,\"x\",{}]]\n"
	  "Item (1,13) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"bin\" Binary [1,2,3]\n"
	  "DeleteSet: (empty)\n" },
	{ "V5b: second set", "01010101a80100017d020101010001",
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null Any [2]\n"
	  "DeleteSet: client 1: [0,+1)\n" },
	{ "V5b: full state", "010201002101016d016b01a80100017d020101010001",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"k\" Deleted len=1\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null Any [2]\n"
	  "DeleteSet: client 1: [0,+1)\n" },
	{ "V5b: merged full state",
	  "020106002801016d016b01770566726f6d360105002101016d016b010105010001",
	  "Item (6,0) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"k\" Any [\"from6\"]\n"
	  "Item (5,0) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"k\" Deleted len=1\n"
	  "DeleteSet: client 5: [0,+1)\n" },
	{ "V6: update event",
	  "0107030008010161037d01770374776f76010574687265657d0383030201098703030128000304016b01770176870304020400030603747874880306017e00",
	  "Item (3,0) len=3 origin=null rightOrigin=null parent=\"a\" Any [1,\"two\",{\"three\":3}]\n"
	  "Item (3,3) len=1 origin=(3,2) rightOrigin=null Binary [9]\n"
	  "Item (3,4) len=1 origin=(3,3) rightOrigin=null Type YMap\n"
	  "Item (3,5) len=1 origin=null rightOrigin=null parent=(3,4) parentSub=\"k\" Any [\"v\"]\n"
	  "Item (3,6) len=1 origin=(3,4) rightOrigin=null Type YText\n"
	  "Item (3,7) len=3 origin=null rightOrigin=null parent=(3,6) String \"txt\"\n"
	  "Item (3,10) len=1 origin=(3,6) rightOrigin=null Any [null]\n"
	  "DeleteSet: (empty)\n" },
	{ "V6: full state after deleting the nested Y.Map and Y.Text",
	  "0107030008010161037d01770374776f76010574687265657d038303020109810303010001810304010003880306017e0103010406",
	  "Item (3,0) len=3 origin=null rightOrigin=null parent=\"a\" Any [1,\"two\",{\"three\":3}]\n"
	  "Item (3,3) len=1 origin=(3,2) rightOrigin=null Binary [9]\n"
	  "Item (3,4) len=1 origin=(3,3) rightOrigin=null Deleted len=1\n"
	  "GC (3,5) len=1\n"
	  "Item (3,6) len=1 origin=(3,4) rightOrigin=null Deleted len=1\n"
	  "GC (3,7) len=3\n"
	  "Item (3,10) len=1 origin=(3,6) rightOrigin=null Any [null]\n"
	  "DeleteSet: client 3: [4,+6)\n" },
	{ "V7: update 0", "01010100040101740b68656c6c6f20776f726c6400",
	  "Item (1,0) len=11 origin=null rightOrigin=null parent=\"t\" String \"hello world\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V7: update 1",
	  "0102010b46010004626f6c640474727565c60104010504626f6c64046e756c6c00",
	  "Item (1,11) len=1 origin=null rightOrigin=(1,0) Format bold=true\n"
	  "Item (1,12) len=1 origin=(1,4) rightOrigin=(1,5) Format bold=null\n"
	  "DeleteSet: (empty)\n" },
	{ "V7: update 2",
	  "0103010d86010a066974616c6963047472756584010d012186010e066974616c6963046e756c6c00",
	  "Item (1,13) len=1 origin=(1,10) rightOrigin=null Format italic=true\n"
	  "Item (1,14) len=1 origin=(1,13) rightOrigin=null String \"!\"\n"
	  "Item (1,15) len=1 origin=(1,14) rightOrigin=null Format italic=null\n"
	  "DeleteSet: (empty)\n" },
	{ "V7: update 3",
	  "01010110c5010c0105117b22696d616765223a22782e706e67227d00",
	  "Item (1,16) len=1 origin=(1,12) rightOrigin=(1,5) Embed {\"image\":\"x.png\"}\n"
	  "DeleteSet: (empty)\n" },
	{ "V7: full state",
	  "01080100040101740568656c6c6f8401040620776f726c6446010004626f6c640474727565c60104010504626f6c64046e756c6c86010a066974616c6963047472756584010d012186010e066974616c6963046e756c6cc5010c0105117b22696d616765223a22782e706e67227d00",
	  "Item (1,0) len=5 origin=null rightOrigin=null parent=\"t\" String \"hello\"\n"
	  "Item (1,5) len=6 origin=(1,4) rightOrigin=null String \" world\"\n"
	  "Item (1,11) len=1 origin=null rightOrigin=(1,0) Format bold=true\n"
	  "Item (1,12) len=1 origin=(1,4) rightOrigin=(1,5) Format bold=null\n"
	  "Item (1,13) len=1 origin=(1,10) rightOrigin=null Format italic=true\n"
	  "Item (1,14) len=1 origin=(1,13) rightOrigin=null String \"!\"\n"
	  "Item (1,15) len=1 origin=(1,14) rightOrigin=null Format italic=null\n"
	  "Item (1,16) len=1 origin=(1,12) rightOrigin=(1,5) Embed {\"image\":\"x.png\"}\n"
	  "DeleteSet: (empty)\n" },
	{ "V8: update event",
	  "010101002901016d03737562087375622d67756964760000",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"m\" parentSub=\"sub\" Doc guid=sub-guid opts={}\n"
	  "DeleteSet: (empty)\n" },
	{ "V9: update #2 applied first", "01010101840100016200",
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null String \"b\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V9: encodeStateAsUpdate(c) includes pending ds", "000101010001",
	  "DeleteSet: client 1: [0,+1)\n" },
	{ "V9b: encodeStateAsUpdate(receiver)",
	  "0103010001010174010a0184010101630101010001",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" Deleted len=1\n"
	  "Skip (1,1) len=1\n"
	  "Item (1,2) len=1 origin=(1,1) rightOrigin=null String \"c\"\n"
	  "DeleteSet: client 1: [0,+1)\n" },
	{ "V9b: after the receiver",
	  "02010200840100015a01010284010101630101010001",
	  "Item (2,0) len=1 origin=(1,0) rightOrigin=null String \"Z\"\n"
	  "Item (1,2) len=1 origin=(1,1) rightOrigin=null String \"c\"\n"
	  "DeleteSet: client 1: [0,+1)\n" },
	{ "V10: insert at 1 update", "01010102c401000101017800",
	  "Item (1,2) len=1 origin=(1,0) rightOrigin=(1,1) String \"x\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V10: full state",
	  "010301000401017403efbfbd84010003efbfbdc401000101017800",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"�\"\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null String \"�\"\n"
	  "Item (1,2) len=1 origin=(1,0) rightOrigin=(1,1) String \"x\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V10b: encodeStateAsUpdate(doc, sv{1:1})",
	  "0101010184010007f09f98806c6c6f00",
	  "Item (1,1) len=5 origin=(1,0) rightOrigin=null String \"😀llo\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V10b: encodeStateAsUpdate(doc, sv{1:2})",
	  "0101010284010106efbfbd6c6c6f00",
	  "Item (1,2) len=4 origin=(1,1) rightOrigin=null String \"�llo\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V10c: before delete",
	  "01040400070103786d6c030170070004000604000401026869280004000269640177017800",
	  "Item (4,0) len=1 origin=null rightOrigin=null parent=\"xml\" Type YXmlElement nodeName=\"p\"\n"
	  "Item (4,1) len=1 origin=null rightOrigin=null parent=(4,0) Type YXmlText\n"
	  "Item (4,2) len=2 origin=null rightOrigin=null parent=(4,1) String \"hi\"\n"
	  "Item (4,4) len=1 origin=null rightOrigin=null parent=(4,0) parentSub=\"id\" Any [\"x\"]\n"
	  "DeleteSet: (empty)\n" },
	{ "V10c: after f.delete(0,1): element item -> ContentDeleted, whole subtree -> one merged GC",
	  "01020400010103786d6c0100040104010005",
	  "Item (4,0) len=1 origin=null rightOrigin=null parent=\"xml\" Deleted len=1\n"
	  "GC (4,1) len=4\n"
	  "DeleteSet: client 4: [0,+5)\n" },
	{ "V10d: client 2 update", "0101020028000100016b0177017600",
	  "Item (2,0) len=1 origin=null rightOrigin=null parent=(1,0) parentSub=\"k\" Any [\"v\"]\n"
	  "DeleteSet: (empty)\n" },
	{ "V10d: client 1 full state after applying it",
	  "0201020000010101000101016101020201000101010001",
	  "GC (2,0) len=1\n"
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"a\" Deleted len=1\n"
	  "DeleteSet: client 2: [0,+1); client 1: [0,+1)\n" },
	{ "V11: Y.mergeUpdates([u0, u2])",
	  "010301000401017401610a01840101016300",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"a\"\n"
	  "Skip (1,1) len=1\n"
	  "Item (1,2) len=1 origin=(1,1) rightOrigin=null String \"c\"\n"
	  "DeleteSet: (empty)\n" },
	{ "V12: crafted",
	  "010201000201016102077b2278223a317d09756e646566696e65648501010a7b2265223a747275657d00",
	  "Item (1,0) len=2 origin=null rightOrigin=null parent=\"a\" JSON [{\"x\":1},null]\n"
	  "Item (1,2) len=1 origin=(1,1) rightOrigin=null Embed {\"e\":true}\n"
	  "DeleteSet: (empty)\n" },
	{ "V12b: crafted",
	  "01020100040101740178860100016b257b20226222203a20312e35302c202261223a205b3165325d2c202232223a206e756c6c207d00",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"x\"\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null Format k={\"2\":null,\"b\":1.5,\"a\":[100]}\n"
	  "DeleteSet: (empty)\n" },
	{ "V12b: re-encoded by yjs",
	  "01020100040101740178860100016b1c7b2232223a6e756c6c2c2262223a312e352c2261223a5b3130305d7d00",
	  "Item (1,0) len=1 origin=null rightOrigin=null parent=\"t\" String \"x\"\n"
	  "Item (1,1) len=1 origin=(1,0) rightOrigin=null Format k={\"2\":null,\"b\":1.5,\"a\":[100]}\n"
	  "DeleteSet: (empty)\n" },
	{ "V15: client 2 diff",
	  "0102020046010004626f6c64047472756586010404626f6c64046e756c6c00",
	  "Item (2,0) len=1 origin=null rightOrigin=(1,0) Format bold=true\n"
	  "Item (2,1) len=1 origin=(1,4) rightOrigin=null Format bold=null\n"
	  "DeleteSet: (empty)\n" },
	{ "V15: client 1 update event #1", "000101010501",
	  "DeleteSet: client 1: [5,+1)\n" },
	{ "V15: client 1 full state",
	  "0202020046010004626f6c64047472756586010404626f6c64046e756c6c030100040101740568656c6c6f4101000186010404626f6c64046e756c6c0101010501",
	  "Item (2,0) len=1 origin=null rightOrigin=(1,0) Format bold=true\n"
	  "Item (2,1) len=1 origin=(1,4) rightOrigin=null Format bold=null\n"
	  "Item (1,0) len=5 origin=null rightOrigin=null parent=\"t\" String \"hello\"\n"
	  "Item (1,5) len=1 origin=null rightOrigin=(1,0) Deleted len=1\n"
	  "Item (1,6) len=1 origin=(1,4) rightOrigin=null Format bold=null\n"
	  "DeleteSet: client 1: [5,+1)\n" },

};

static void test_dump(void)
{
	for (size_t i = 0; i < sizeof(dump_vectors) / sizeof(dump_vectors[0]);
	     i++) {
		static uint8_t in[1024];
		struct y_error err = { 0, "" };
		size_t n = unhex(in, dump_vectors[i].hex);
		char *text = NULL;
		size_t len = 0;
		int ret = y_update_dump(&text, &len, in, n, &err);

		if (ret)
			diag("%s: error %d at %zu: %s", dump_vectors[i].name,
			     ret, err.offset, err.msg);
		is_str(text, dump_vectors[i].dump, dump_vectors[i].name);
		ok(!text || strlen(text) == len, "%s: length",
		   dump_vectors[i].name);
		free(text);
	}
}

/* Appendix A.2: rejected inputs, with the error each must produce. */
static const struct {
	const char *hex;
	int ret;
	const char *what;
} bad_vectors[] = {
	{ "0101010004010174", -EBADMSG, "truncated after the root name" },
	{ "010101000401017402eda000", -EBADMSG, "invalid UTF-8 string" },
	{ "010101002801016d016b017300", -EBADMSG, "unknown Any tag 0x73" },
	{ "010101000b01017400", -EBADMSG, "content ref 11" },
	{ "010101001f01017400", -EBADMSG, "content ref 31" },
	{ "01010100070101740700", -EBADMSG, "typeRef 7" },
	{ "01010100840105016100", -EBADMSG, "same-client future origin" },
	{ "01010105440105016100", -EBADMSG, "same-client future rightOrigin" },
	{ "0101010304000105016100", -EBADMSG, "same-client future parent" },
	{ "01010100000000", -EBADMSG, "GC of length 0" },
	{ "010101000a0000", -EBADMSG, "Skip of length 0" },
	{ "0101010001010174000000", -EBADMSG, "Deleted of length 0" },
	{ "01010100040101740000", -EBADMSG, "String of length 0" },
	{ "0101010008010174000000", -EBADMSG, "Any with 0 values" },
	{ "0101010002010174000000", -EBADMSG, "JSON with 0 values" },
	{ "01010100080101740a7d0100", -EBADMSG, "Any count beyond input" },
	{ "01010100040101740361626300ff", -EBADMSG, "trailing byte" },
	{ "01ff01010004010174016100", -EBADMSG, "struct count beyond input" },
	{ "ffffffff0f", -EBADMSG, "client block count beyond input" },
	{ "ffffff7a", -EBADMSG, "y-octo's 4-byte allocation bomb" },
	{ "0101010005010174097b2278223a317d00", -EBADMSG,
	  "Embed: truncated JSON" },
	{ "01010100050101740975 6e646566696e656400", -EBADMSG,
	  "Embed: undefined" },
	{ "0201010004010174016101010004010174016200", -EBADMSG,
	  "client block repeated" },
	{ "000001010000010407047461626301030101000001010000", -EPROTONOSUPPORT,
	  "v2 update of V1" },
	{ "00000000000001000000000000", -EPROTONOSUPPORT, "empty v2 update" },
	{ "0101", -EBADMSG, "truncated struct section" },
	{ "00", -EBADMSG, "missing delete set" },
	{ "", -EBADMSG, "empty input" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_vectors) / sizeof(bad_vectors[0]);
	     i++) {
		uint8_t in[256];
		struct y_error err = { 0, "" };
		struct y_update u;
		char *text = NULL;
		size_t n = 0, len, k;
		const char *h = bad_vectors[i].hex;
		char compact[600];
		int ret;

		for (k = 0; *h && k < sizeof(compact) - 1; h++)
			if (*h != ' ')
				compact[k++] = *h;
		compact[k] = 0;
		n = unhex(in, compact);
		ret = y_update_parse(&u, in, n, &err);
		is_int(ret, bad_vectors[i].ret, bad_vectors[i].what);
		ok(err.msg[0] != 0 && err.offset <= n,
		   "%s: message \"%s\" at %zu", bad_vectors[i].what, err.msg,
		   err.offset);
		if (!ret)
			y_update_release(&u);
		ret = y_update_dump(&text, &len, in, n, &err);
		is_int(ret, bad_vectors[i].ret, "dump refuses it too");
		free(text);
	}
}

static void test_parse_fields(void)
{
	uint8_t in[256];
	struct y_update u;
	struct y_error err;
	size_t n;
	int ret;

	/* V5b second set: info a8 has the parentSub bit but an origin, so no
	 * parent info and no parentSub are on the wire */
	n = unhex(in, "01010101a80100017d020101010001");
	ret = y_update_parse(&u, in, n, &err);
	is_int(ret, 0, "parse V5b");
	if (!ret) {
		struct y_item *it = u.clients[0].items[0];

		is_int(it->parent_kind, Y_PARENT_NONE, "no parent");
		ok(it->parent_sub == NULL, "no parentSub");
		ok(it->info & Y_ITEM_HAS_ORIGIN, "origin");
		ok(it->info & Y_ITEM_COUNTABLE, "countable");
		is_int(u.ds.n, 1, "one ds client");
		y_update_release(&u);
	}
	/* delete-only and empty updates are valid */
	n = unhex(in, "000101010101");
	ret = y_update_parse(&u, in, n, &err);
	is_int(ret, 0, "delete-only update");
	if (!ret) {
		is_int(u.n, 0, "no structs");
		ok(y_ds_contains(&u.ds, (struct y_id){ 1, 1 }), "ds (1,1)");
		y_update_release(&u);
	}
	n = unhex(in, "0000");
	ret = y_update_parse(&u, in, n, &err);
	is_int(ret, 0, "empty update");
	if (!ret)
		y_update_release(&u);
	/* String length in UTF-16 units: "h😀" = 3 */
	n = unhex(in, "01010100040101740568f09f988000");
	ret = y_update_parse(&u, in, n, &err);
	is_int(ret, 0, "parse emoji string");
	if (!ret) {
		is_int(u.clients[0].items[0]->len, 3, "UTF-16 length 3");
		y_update_release(&u);
	}
}

/* ---- apply and re-encode ---------------------------------------------- */

static struct y_doc *new_doc(bool no_gc)
{
	struct y_doc_options opts = { .client_id = 1000, .no_gc = no_gc };
	struct y_doc *doc = NULL;

	if (y_doc_new(&doc, &opts))
		return NULL;
	return doc;
}

static int apply_hex(struct y_doc *doc, const char *hex)
{
	static uint8_t in[4096];
	struct y_error err = { 0, "" };
	size_t n = unhex(in, hex);
	int ret = y_doc_apply_update(doc, in, n, &err);

	if (ret)
		diag("apply failed: %d at %zu: %s", ret, err.offset, err.msg);
	return ret;
}

/* encodeStateAsUpdate(doc, sv) == want */
static void is_state(struct y_doc *doc, const char *sv_hex, const char *want,
		     const char *name)
{
	uint8_t sv[256] = { 0 };
	size_t svn = sv_hex ? unhex(sv, sv_hex) : 0;
	uint8_t *out = NULL;
	size_t len = 0;
	struct y_error err = { 0, "" };
	int ret = y_doc_encode_state_as_update(&out, &len, doc, sv, svn, &err);

	if (ret)
		diag("encode failed: %d: %s", ret, err.msg);
	is_hex(out, len, want, name);
	free(out);
}

static void is_sv(struct y_doc *doc, const char *want, const char *name)
{
	uint8_t *out = NULL;
	size_t len = 0;

	is_int(y_doc_state_vector(&out, &len, doc), 0, "state vector");
	is_hex(out, len, want, name);
	free(out);
}

/* Applies each update in turn to a fresh doc and compares the full state
 * with yjs's. */
static void roundtrip(const char *name, const char *const *updates,
		      const char *want_full, bool no_gc)
{
	struct y_doc *doc = new_doc(no_gc);
	int ret = 0;

	if (!doc) {
		ok(0, "%s: new doc", name);
		return;
	}
	for (size_t i = 0; updates[i] && !ret; i++)
		ret = apply_hex(doc, updates[i]);
	is_int(ret, 0, name);
	is_state(doc, NULL, want_full, name);
	ok(y_doc_check_invariants(doc) == 0, "%s: invariants", name);
	y_doc_free(doc);
}

#define UPDATES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_roundtrips(void)
{
	/* vectors whose full state is the update itself */
	static const char *const same[] = {
		"01010100040101740361626300",
		"01040100070103786d6c03017007000100060400010102686928000100026964"
		"017702613100",
		"01070700070103786d6c030474657874070007000628000700032469640177"
		"026e31040007010568656c6c6f8407070620776f726c6446070304626f6c64"
		"0474727565c60707070804626f6c64046e756c6c00",
		"01070500070103786d6c0304626f647907000500030170280005010324696401"
		"770270312800050105636c617373017707636f6e74656e7487050103017028"
		"0005040324696401770270322800050003246964017702623100",
		"010e01002801016d046e756c6c017e2801016d05756e646566017f2801016d01"
		"7401782801016d016601792801016d03696e74017d2a2801016d036e656701"
		"7d6a2801016d03626967017c4f0000002801016d03663332017c3fc0000028"
		"01016d03663634017b3fb999999999999a2801016d06626967696e74017a00"
		"000b3a73ce2ff22801016d0373747201770768c3a9f09f98802801016d036f"
		"626a01760201617d0101627502787e2801016d036172720175037d01770178"
		"76002301016d0362696e0301020300",
		"010201002101016d016b01a80100017d020101010001",
		"020106002801016d016b01770566726f6d360105002101016d016b010105010001",
		"0107030008010161037d01770374776f76010574687265657d0383030201098703"
		"030128000304016b01770176870304020400030603747874880306017e00",
		"01080100040101740568656c6c6f8401040620776f726c6446010004626f6c64"
		"0474727565c60104010504626f6c64046e756c6c86010a066974616c696304"
		"7472756584010d012186010e066974616c6963046e756c6cc5010c0105117b"
		"22696d616765223a22782e706e67227d00",
		"010101002901016d03737562087375622d67756964760000",
		"010201000201016102077b2278223a317d09756e646566696e6564850101"
		"0a7b2265223a747275657d00",
		"03010300c4010001010143010200c4010001010142020100040101740178840100"
		"017a00",
		"010301000401017403efbfbd84010003efbfbdc401000101017800",
		"0202020046010004626f6c64047472756586010404626f6c64046e756c6c0301"
		"00040101740568656c6c6f4101000186010404626f6c64046e756c6c01010105"
		"01",
		"000101010101",
		"0000",
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "re-encode full state #%zu", i);
		roundtrip(name, UPDATES(same[i]), same[i], false);
	}
	/* "0000" re-encodes as the empty update */
	roundtrip("V1 two transactions merge",
		  UPDATES("01010100040101740361626300",
			  "0101010384010202646500"),
		  "010101000401017405616263646500", false);
	roundtrip("V3 concurrent",
		  UPDATES("0101010004010174016100", "0101020004010174016200"),
		  "0201020004010174016201010004010174016100", false);
	roundtrip("V3 concurrent, other order",
		  UPDATES("0101020004010174016200", "0101010004010174016100"),
		  "0201020004010174016201010004010174016100", false);
	roundtrip("V3 xBCz",
		  UPDATES("010101000401017402787a00",
			  "01010300c401000101014300",
			  "01010200c401000101014200"),
		  "03010300c4010001010143010200c4010001010142020100040101740178"
		  "840100017a00",
		  false);
	roundtrip("V4 delete (gc)",
		  UPDATES("01010100040101740361626300", "000101010101"),
		  "010301000401017401618101000184010101630101010101", false);
	roundtrip("V4 delete (no gc)",
		  UPDATES("01010100040101740361626300", "000101010101"),
		  "01030100040101740161840100016284010101630101010101", true);
	roundtrip("V6 delete nested types",
		  UPDATES("0107030008010161037d01770374776f76010574687265657d03"
			  "83030201098703030128000304016b0177017687030402040003"
			  "0603747874880306017e00",
			  "000103010406"),
		  "0107030008010161037d01770374776f76010574687265657d038303"
		  "020109810303010001810304010003880306017e0103010406",
		  false);
	roundtrip("V10 emoji split",
		  UPDATES("01010100040101740"
			  "4f09f988000",
			  "01010102c401000101017800"),
		  "010301000401017403efbfbd84010003efbfbdc401000101017800",
		  false);
	roundtrip(
		"V10c delete XmlElement subtree",
		UPDATES("01040400070103786d6c0301700700040006040004010268692800"
			"04000269640177017800",
			"000104010005"),
		"01020400010103786d6c0100040104010005", false);
	roundtrip("V10d insert into a deleted parent",
		  UPDATES("01010100070101610100", "000101010001",
			  "0101020028000100016b0177017600"),
		  "0201020000010101000101016101020201000101010001", false);
	roundtrip("V12b JSON normalisation",
		  UPDATES("01020100040101740178860100016b257b20226222203a20312e"
			  "35302c202261223a205b3165325d2c202232223a206e756c6c20"
			  "7d00"),
		  "01020100040101740178860100016b1c7b2232223a6e756c6c2c2262"
		  "223a312e352c2261223a5b3130305d7d00",
		  false);
	roundtrip("same update twice",
		  UPDATES("01010100040101740361626300",
			  "01010100040101740361626300"),
		  "01010100040101740361626300", false);
	roundtrip("overlapping update",
		  UPDATES("01010100040101740361626300",
			  "010101000401017405616263646500"),
		  "010101000401017405616263646500", false);
}

static void test_diffs(void)
{
	struct y_doc *doc = new_doc(false);

	if (!doc)
		return;
	is_sv(doc, "00", "empty doc state vector");
	is_state(doc, NULL, "0000", "empty doc full state");
	apply_hex(doc, "01010100040101740361626300");
	is_sv(doc, "010103", "V1 state vector");
	apply_hex(doc, "0101010384010202646500");
	is_state(doc, "010103", "0101010384010202646500", "V1 diff sv{1:3}");
	is_state(doc, "010101", "01010101840100046263646500",
		 "V1 diff sv{1:1}");
	is_state(doc, "010105", "0000", "V1 diff sv{1:5}");
	is_state(doc, "010109", "0000", "V1 diff beyond state");
	is_state(doc, "010205", "010101000401017405616263646500",
		 "sv of another client");
	y_doc_free(doc);

	doc = new_doc(false);
	if (!doc)
		return;
	apply_hex(doc, "01010100040101740868f09f98806c6c6f00");
	is_state(doc, "010101", "0101010184010007f09f98806c6c6f00",
		 "V10b sv{1:1}");
	is_state(doc, "010102", "0101010284010106efbfbd6c6c6f00",
		 "V10b sv{1:2} mid-surrogate");
	y_doc_free(doc);
}

static void test_pending(void)
{
	struct y_doc *doc = new_doc(false);

	if (!doc)
		return;
	/* V9: update #2 first */
	apply_hex(doc, "01010101840100016200");
	is_sv(doc, "00", "V9 pending does not count in the sv");
	ok(y_doc_has_pending(doc), "V9 has pending");
	is_state(doc, NULL, "01010101840100016200", "V9 pending re-emitted");
	apply_hex(doc, "0101010004010174016100");
	ok(!y_doc_has_pending(doc), "V9 pending resolved");
	is_state(doc, NULL, "010101000401017402616200", "V9 ab");
	y_doc_free(doc);

	/* V9b: #0, #2, #3 of four */
	doc = new_doc(false);
	if (!doc)
		return;
	apply_hex(doc, "0101010004010174016100");
	apply_hex(doc, "01010102840101016300");
	apply_hex(doc, "000101010001");
	is_sv(doc, "010101", "V9b sv");
	is_state(doc, NULL, "0103010001010174010a0184010101630101010001",
		 "V9b Skip for the gap");
	apply_hex(doc, "01010200840100015a00");
	is_state(doc, "010101", "02010200840100015a01010284010101630101010001",
		 "V9b diff sv{1:1} with pending");
	/* the missing #1 arrives: everything integrates */
	apply_hex(doc, "01010101840100016200");
	ok(!y_doc_has_pending(doc), "V9b resolved");
	is_sv(doc, "0202010103", "V9b sv after");
	ok(y_doc_check_invariants(doc) == 0, "V9b invariants");
	y_doc_free(doc);

	/* A.2: delete set for unknown items */
	doc = new_doc(false);
	if (!doc)
		return;
	apply_hex(doc, "000101010101");
	ok(y_doc_has_pending(doc), "pending ds");
	is_sv(doc, "00", "pending ds: sv");
	is_state(doc, NULL, "000101010101", "pending ds re-emitted");
	apply_hex(doc, "01010100040101740361626300");
	ok(!y_doc_has_pending(doc), "pending ds applied");
	is_state(doc, NULL, "010301000401017401618101000184010101630101010101",
		 "pending ds applied like V4");
	y_doc_free(doc);

	/* cross-client dependency inside one update, higher client first:
	 * client 2's item depends on client 1's, which comes later */
	doc = new_doc(false);
	if (!doc)
		return;
	apply_hex(doc, "0201020084010001620101000401017401610"
		       "0");
	is_state(doc, NULL,
		 "0201020084010001620101000401017401610"
		 "0",
		 "depth-first dependency");
	ok(!y_doc_has_pending(doc), "nothing pending");
	y_doc_free(doc);

	/* dependency on a client that never arrives, plus a gap */
	doc = new_doc(false);
	if (!doc)
		return;
	apply_hex(doc, "010102008409000162"
		       "00");
	ok(y_doc_has_pending(doc), "missing client 9");
	is_state(doc, NULL,
		 "010102008409000162"
		 "00",
		 "pending kept as is");
	apply_hex(doc, "0101090004010174017a00");
	ok(!y_doc_has_pending(doc), "client 9 arrived");
	is_state(doc, NULL, "0201090004010174017a010200840900016200",
		 "integrated after retry");
	y_doc_free(doc);
}

/* With anything pending yjs passes encodeStateAsUpdate through
 * mergeUpdates, which re-reads the store's structs: items written with an
 * origin lose their parentSub bit (a8 -> 88).  Oracle: yjs 13.6.33. */
static void test_pending_reparse(void)
{
	roundtrip(
		"pending: parentSub bit dropped like mergeUpdates",
		UPDATES("020103002801016d0178017d070101002801016d0178017d0000",
			"02010301880300017d040102032801016d0178017d070103010001"),
		"030203002101016d017801880300017d040102032801016d0178017d07"
		"0101002101016d017801020301000101010001",
		false);
}

static void test_sv_decode(void)
{
	uint8_t in[32];
	size_t n = unhex(in, "03010302050101"), cnt = 0;
	struct y_id *ids = NULL;
	struct y_error err;

	is_int(y_state_vector_decode(&ids, &cnt, in, n, &err), 0, "sv decode");
	is_int(cnt, 2, "duplicate client folded");
	if (cnt == 2) {
		ok(ids[0].client == 1 && ids[0].clock == 1,
		   "client 1 keeps its place, last clock wins");
		ok(ids[1].client == 2 && ids[1].clock == 5, "client 2");
	}
	free(ids);
	n = unhex(in, "01010300");
	ids = NULL;
	is_int(y_state_vector_decode(&ids, &cnt, in, n, &err), -EBADMSG,
	       "sv trailing byte");
	n = unhex(in, "0201");
	is_int(y_state_vector_decode(&ids, &cnt, in, n, &err), -EBADMSG,
	       "sv truncated");
	n = unhex(in, "00");
	is_int(y_state_vector_decode(&ids, &cnt, in, n, &err), 0, "empty sv");
	is_int(cnt, 0, "no entries");
	free(ids);
}

/* Hostile: two clients waiting on each other must end as pending, not
 * loop, and be re-emitted as they came. */
static void test_cycle(void)
{
	roundtrip("cyclic cross-client dependencies stay pending",
		  UPDATES("02010200840100016201010084020001610"
			  "0"),
		  "02010200840100016201010084020001610"
		  "0",
		  false);
	roundtrip("self-contained dependency chain across three clients",
		  UPDATES("0301030084020001630102008401000162010100040101740161"
			  "00"),
		  "0301030084020001630102008401000162010100040101740161"
		  "00",
		  false);
}

static const char *const bad_apply[] = {
	"0101010004010174",
	"010101000401017402eda000",
	"010101002801016d016b017300",
	"010101000b01017400",
	"01010100070101740700",
	"01010100840105016100",
	"01010100000000",
	"01010100040101740000",
	"01010100040101740361626300ff",
	"000001010000010407047461626301030101000001010000",
	"0101010384010202646500ff",
};

static void test_bad_apply(void)
{
	struct y_doc *doc = new_doc(false);

	if (!doc)
		return;
	apply_hex(doc, "01010100040101740361626300");
	for (size_t i = 0; i < sizeof(bad_apply) / sizeof(bad_apply[0]); i++) {
		static uint8_t in[256];
		struct y_error err = { 0, "" };
		size_t n = unhex(in, bad_apply[i]);
		int ret = y_doc_apply_update(doc, in, n, &err);

		ok(ret == -EBADMSG || ret == -EPROTONOSUPPORT,
		   "bad update %zu rejected (%d: %s)", i, ret, err.msg);
		is_state(doc, NULL, "01010100040101740361626300",
			 "doc unchanged");
	}
	ok(!y_doc_has_pending(doc), "no pending after bad updates");
	y_doc_free(doc);
}

/* ---- update events (spec 8.4) ------------------------------------------ */

struct events {
	char hex[8][512];
	bool local[8];
	int n;
};

static void on_update(void *ctx, const uint8_t *update, size_t len, bool local,
		      void *origin)
{
	struct events *ev = ctx;
	char *p;

	(void)origin;
	if (ev->n >= 8)
		return;
	p = ev->hex[ev->n];
	for (size_t i = 0; i < len && i < 250; i++)
		p += sprintf(p, "%02x", update[i]);
	ev->local[ev->n++] = local;
}

static void test_events(void)
{
	struct events ev;
	struct y_doc *doc = new_doc(false);

	if (!doc)
		return;
	memset(&ev, 0, sizeof(ev));
	ok(y_doc_on_update(doc, on_update, &ev) > 0, "subscribe");
	apply_hex(doc, "01010100040101740361626300");
	apply_hex(doc, "01010100040101740361626300"); /* no-op: no event */
	apply_hex(doc, "0101010384010202646500");
	apply_hex(doc, "000101010101");
	is_int(ev.n, 3, "three update events");
	is_str(ev.hex[0], "01010100040101740361626300", "event of V1");
	is_str(ev.hex[1], "0101010384010202646500", "event of V1 second");
	is_str(ev.hex[2], "000101010101", "event of the delete");
	ok(!ev.local[0] && !ev.local[2], "remote events");
	y_doc_free(doc);

	/* V15: the remote bold triggers the formatting cleanup (of a root
	 * typed as Text, as in yjs), which emits a second, local update */
	doc = new_doc(false);
	if (!doc)
		return;
	{
		struct y_type *t;

		is_int(y_doc_root(&t, doc, "t", Y_TEXT), 0, "root t as Text");
	}
	apply_hex(doc, "010301000401017405"
		       "68656c6c6f46010004626f6c6404747275"
		       "6586010404626f6c64046e756c6c00");
	memset(&ev, 0, sizeof(ev));
	y_doc_on_update(doc, on_update, &ev);
	apply_hex(doc, "0102020046010004626f6c64047472756586010404626f6c6404"
		       "6e756c6c00");
	is_int(ev.n, 2, "V15: two events");
	is_str(ev.hex[0],
	       "0102020046010004626f6c64047472756586010404626f6c64046e756c6c00",
	       "V15 remote event");
	is_str(ev.hex[1], "000101010501", "V15 cleanup event");
	ok(!ev.local[0] && ev.local[1], "V15 remote then local");
	is_state(doc, NULL,
		 "0202020046010004626f6c64047472756586010404626f6c64046e756c6c"
		 "030100040101740568656c6c6f4101000186010404626f6c64046e756c6c"
		 "0101010501",
		 "V15 full state");
	y_doc_free(doc);
}

int main(void)
{
	plan_no_plan();
	test_ds();
	test_sv();
	test_dump();
	test_bad();
	test_parse_fields();
	test_roundtrips();
	test_diffs();
	test_pending();
	test_pending_reparse();
	test_sv_decode();
	test_cycle();
	test_bad_apply();
	test_events();
	return done_testing();
}
