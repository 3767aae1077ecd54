#!/usr/bin/env bats
# outage.bats - the server goes away under a meshfs mount (issue 6 §2/§3,
# DESIGN.md decision 7): meshroomd is killed (-9) while documents are open
# and edited through the mount.  Reads of open documents keep working,
# edits to them queue, calls that need the server fail within the
# timeout (-o timeout=) instead of hanging; after the restart the queued
# edits arrive in the room and the mount recovers by itself.

bats_require_minimum_version 1.5.0
load lib

setup() {
	export FS_STATE=$BATS_TEST_TMPDIR/state
	fs_require python3
	MNT=$BATS_TEST_TMPDIR/mnt
}

teardown() {
	exec 7<&- 8<&- 2>/dev/null || true
	fs_cleanup "$FS_STATE"
}

# bounded CMD...: runs CMD with its status; 124 (and "hung" on stderr) if
# it did not finish within the mount's timeout plus a margin.
bounded() {
	local rc=0
	timeout -k 2 $((FS_MNT_TIMEOUT + 10)) "$@" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "# hung: $*" >&2
		return 124
	fi
	return "$rc"
}

# no_hang CMD...: CMD may fail or succeed, but must not hang.
no_hang() {
	local rc=0
	bounded "$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -ne 124 ] || {
		echo "# hung: $*" >&2
		return 1
	}
}

@test "server killed while documents are open and edited: queued edits arrive after the restart" {
	srv_start
	mnt_remote "$MNT" outage
	doc3 H a1 a2 >"$MNT/a.document"
	doc3 H b1 b2 >"$MNT/b.document"
	echo plain >"$MNT/p.txt"
	# documents held open by the test shell (the mount keeps their
	# sessions and replicas)
	exec 7<"$MNT/a.document" 8<"$MNT/b.document"
	t cat "$MNT/a.document" "$MNT/b.document" >/dev/null

	srv_kill KILL
	# reads of open documents are served from the replicas
	run -0 bounded cat "$MNT/a.document"
	[ "$(canon <<<"$output")" = "$(doc3 H a1 a2 | canon)" ]
	# edits of open documents queue (an in-place rewrite, then a
	# temp-and-rename save)
	run bounded sh -c "$(declare -f doc3); doc3 H a1-offline a2 >'$MNT/a.document'"
	[ "$status" -eq 0 ]
	run bounded python3 -c '
import json, os, sys
p = sys.argv[1]
j = json.load(open(p))
j["document"]["content"][2]["body"]["text"] = "b2-offline"
with open(p + ".tmp", "w") as f:
    json.dump(j, f)
os.replace(p + ".tmp", p)' "$MNT/b.document"
	[ "$status" -eq 0 ]
	run -0 bounded cat "$MNT/a.document"
	[ "$(canon <<<"$output")" = "$(doc3 H a1-offline a2 | canon)" ]
	# calls that need the server fail (or succeed from cache) but never
	# hang: a folder never listed, a new document, a plain file, fsync
	run bounded ls "$MNT/never-listed"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	no_hang sh -c "echo x >'$MNT/new-offline.txt'"
	no_hang python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, b"{}")
try:
    os.fsync(fd)
except OSError as e:
    print(e.strerror)
os.close(fd)' "$MNT/p.txt"
	no_hang stat "$MNT/p.txt"
	no_hang ls -l "$MNT"
	# the mount is alive
	fs_mounted "$MNT"

	# restart on the same port with the same data
	srv_start "$SRV_PORT" "$SRV_DATA" "$SRV_SECRET"
	peer_start outage
	peer '{"op":"open","path":"a.document"}'
	run -0 peer_q .equal "{\"op\":\"wait\",\"path\":\"a.document\",\"ms\":30000,\"json\":$(doc3 H a1-offline a2)}"
	[ "$output" = true ]
	peer '{"op":"open","path":"b.document"}'
	run -0 peer_q .equal "{\"op\":\"wait\",\"path\":\"b.document\",\"ms\":30000,\"json\":$(doc3 H b1 b2-offline)}"
	[ "$output" = true ]
	# the mount recovered: new edits and new files go through again
	doc3 H a1-online a2 >"$MNT/a.document"
	run -0 peer_q .equal "{\"op\":\"wait\",\"path\":\"a.document\",\"ms\":20000,\"json\":$(doc3 H a1-online a2)}"
	[ "$output" = true ]
	echo after >"$BATS_TEST_TMPDIR/after.txt"
	fs_wait_for 30 t cp "$BATS_TEST_TMPDIR/after.txt" "$MNT/after.txt"
	run -0 peer_q .text '{"op":"download","path":"after.txt"}'
	[ "$output" = '"after\n"' ]
	peer '{"op":"set","path":"b.document","at":[1],"attr":"text","value":"b1-sdk"}'
	fs_wait_for 10 grep -q b1-sdk "$MNT/b.document"
	exec 7<&- 8<&-
}

@test "no server at all: every call fails within the timeout, then the mount recovers" {
	srv_start
	mnt_remote "$MNT" outage2
	echo x >"$MNT/x.txt"
	srv_kill KILL
	no_hang ls -l "$MNT"
	no_hang cat "$MNT/x.txt"
	no_hang sh -c "echo y >'$MNT/y.txt'"
	no_hang mkdir "$MNT/d"
	no_hang rm -f "$MNT/x.txt"
	no_hang df "$MNT"
	fs_mounted "$MNT"
	srv_start "$SRV_PORT" "$SRV_DATA" "$SRV_SECRET"
	echo z >"$BATS_TEST_TMPDIR/z.txt"
	fs_wait_for 30 t cp "$BATS_TEST_TMPDIR/z.txt" "$MNT/z.txt"
	peer_start outage2
	run -0 peer_q .text '{"op":"download","path":"z.txt"}'
	[ "$output" = '"z\n"' ]
}
