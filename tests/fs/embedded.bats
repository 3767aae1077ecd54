#!/usr/bin/env bats
# embedded.bats - meshfs without a room URL (issue 6 §1): it serves an
# embedded room on 127.0.0.1, writes the room's URL and a token under the
# data folder (DATA/.meshfs/ROOM.url, .token) so that other clients can
# join, and keeps the room's data across mounts.  Rejected writes go to
# $XDG_STATE_HOME/meshfs/rejected/ROOM/PATH by default (meshfs(1)).

bats_require_minimum_version 1.5.0
load lib

setup() {
	fs_require python3
	export FS_STATE=$BATS_TEST_TMPDIR/state
	MNT=$BATS_TEST_TMPDIR/mnt
	DATA=$BATS_TEST_TMPDIR/data
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/xdg-state
}

teardown() {
	fs_cleanup "$FS_STATE"
}

@test "an embedded room: other clients join with the stored URL and token; the data stays" {
	mnt_embedded "$MNT" "$DATA" room=emb
	local pid=$MNT_PID
	[ -s "$DATA/.meshfs/emb.url" ]
	[ -s "$DATA/.meshfs/emb.token" ]
	url=$(cat "$DATA/.meshfs/emb.url")
	[[ $url == ws://127.0.0.1:*/rooms/emb ]]
	# the built-in schemas are there
	[ -f "$MNT/.schemas/document.json" ]
	doc3 H e1 e2 >"$MNT/e.document"
	echo plain >"$MNT/p.txt"
	peer_start_url "$url" "$(cat "$DATA/.meshfs/emb.token")"
	run -0 peer_q .json '{"op":"describe","path":"e.document"}'
	[ "$output" = "$(doc3 H e1 e2 | canon)" ]
	run -0 peer_q .text '{"op":"download","path":"p.txt"}'
	[ "$output" = '"plain\n"' ]
	peer '{"op":"open","path":"e.document"}'
	peer '{"op":"set","path":"e.document","at":[1],"attr":"text","value":"e1-sdk"}'
	fs_wait_for 10 grep -q e1-sdk "$MNT/e.document"
	peer '{"op":"upload","path":"sdk.txt","text":"from the sdk\n"}'
	fs_wait_for 10 test -e "$MNT/sdk.txt"
	peer '{"op":"quit"}' || true
	# unmount, mount again: the room's content is still there
	umnt "$MNT" "$pid"
	mnt_embedded "$MNT" "$DATA" room=emb
	run -0 t cat "$MNT/e.document"
	[ "$(canon <<<"$output")" = "$(doc3 H e1-sdk e2 | canon)" ]
	[ "$(t cat "$MNT/sdk.txt")" = "from the sdk" ]
	[ "$(t cat "$MNT/p.txt")" = plain ]
}

@test "an embedded room: rejected bytes go to \$XDG_STATE_HOME/meshfs/rejected/ROOM/PATH" {
	mnt_embedded "$MNT" "$DATA" room=rej
	t mkdir "$MNT/sub"
	doc3 H r1 r2 >"$MNT/sub/r.document"
	printf '{"document": {"content": [ mark_default_place\n' >"$BATS_TEST_TMPDIR/bad"
	run t cp "$BATS_TEST_TMPDIR/bad" "$MNT/sub/r.document"
	[ "$status" -ne 0 ]
	f=$XDG_STATE_HOME/meshfs/rejected/rej/sub/r.document
	[ -f "$f" ]
	cmp "$BATS_TEST_TMPDIR/bad" "$f"
	[[ $(xattr_error "$MNT/sub/r.document") == *"$f"* ]]
	run -0 t cat "$MNT/sub/r.document"
	[ "$(canon <<<"$output")" = "$(doc3 H r1 r2 | canon)" ]
}
