#!/usr/bin/env bats
# remote.bats - a meshfs mount and an SDK participant (peer.mjs) working
# on the same room (issue 6 §3, DESIGN.md decisions 3 and 6): a 3-way merge
# keeps the SDK's change to one attribute and the file writer's change to
# another; an SDK edit shows up in cat (also through a handle opened
# before it); SDK creates, deletes and moves show up in ls.

bats_require_minimum_version 1.5.0
load lib

setup_file() {
	export FS_STATE=$BATS_FILE_TMPDIR/state
	FS_SKIP=$(fs_missing python3) && export FS_SKIP && return 0
	srv_start
	export MNT=$BATS_FILE_TMPDIR/mnt
	mnt_remote "$MNT" remote
	peer_start remote
}

teardown_file() {
	fs_cleanup "$BATS_FILE_TMPDIR/state"
}

setup() {
	fs_require
	export FS_STATE=$BATS_TEST_TMPDIR/state
	D=t$BATS_TEST_NUMBER
}

teardown() {
	fs_cleanup "$BATS_TEST_TMPDIR/state"
}

room_json() {
	peer_q .json "{\"op\":\"describe\",\"path\":\"$1\"}"
}

@test "merge: the SDK changes one attribute while a file writer changes another; both survive" {
	t mkdir "$MNT/$D"
	doc3 Head A B >"$MNT/$D/m.document"
	peer "{\"op\":\"open\",\"path\":\"$D/m.document\"}"
	# The writer reads the file (its base), the SDK edits the heading and
	# the writer, unaware, writes its change to the first body through
	# the same handle.
	run -0 t python3 - "$MNT/$D/m.document" "$PEER_PORT" "$D/m.document" <<'EOF'
import json, sys, time, urllib.request
path, port, rpath = sys.argv[1], sys.argv[2], sys.argv[3]
def peer(cmd):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", json.dumps(cmd).encode())
    ans = json.load(urllib.request.urlopen(req, timeout=30))
    assert ans["ok"], ans
    return ans
with open(path, "r+") as f:
    base = json.loads(f.read())
    peer({"op": "set", "path": rpath, "at": [0], "attr": "text", "value": "Head-sdk"})
    # wait until the SDK's edit is in the room
    for _ in range(200):
        if peer({"op": "describe", "path": rpath})["json"]["document"]["content"][0]["heading"]["text"] == "Head-sdk":
            break
        time.sleep(0.05)
    else:
        sys.exit("the SDK edit never reached the room")
    time.sleep(0.3)  # and the mount's replica
    base["document"]["content"][1]["body"]["text"] = "A-file"
    f.seek(0)
    f.truncate()
    f.write(json.dumps(base, indent=2) + "\n")
EOF
	want=$(doc3 Head-sdk A-file B | canon)
	run -0 room_json "$D/m.document"
	[ "$output" = "$want" ]
	run -0 peer_q .equal "{\"op\":\"wait\",\"path\":\"$D/m.document\",\"json\":$want}"
	[ "$output" = true ]
	fs_wait_for 10 eval "[ \"\$(canon '$MNT/$D/m.document')\" = '$want' ]"
	peer "{\"op\":\"close\",\"path\":\"$D/m.document\"}"
}

@test "merge: a handle that read before the SDK edit keeps the SDK's concurrent edit of another element" {
	t mkdir "$MNT/$D"
	doc3 Head A B >"$MNT/$D/s.document"
	peer "{\"op\":\"open\",\"path\":\"$D/s.document\"}"
	# open (and read) before the SDK's edit, write after it, one handle
	exec 7<>"$MNT/$D/s.document"
	cat <&7 >/dev/null
	peer "{\"op\":\"set\",\"path\":\"$D/s.document\",\"at\":[2],\"attr\":\"text\",\"value\":\"B-sdk\"}"
	fs_wait_for 10 eval "[ \"\$(jq -r '.document.content[2].body.text' '$MNT/$D/s.document')\" = B-sdk ]"
	# through the same handle (fd 7 is inherited), committed on its close
	t python3 -c 'import os,sys; os.ftruncate(7,0); os.pwrite(7, sys.argv[1].encode(), 0)' "$(doc3 Head A-shell B)"
	exec 7>&-
	want=$(doc3 Head A-shell B-sdk | canon)
	run -0 room_json "$D/s.document"
	[ "$output" = "$want" ]
	peer "{\"op\":\"close\",\"path\":\"$D/s.document\"}"
}

@test "a remote SDK edit is visible to cat, also through a handle opened before it" {
	t mkdir "$MNT/$D"
	doc3 H r1 r2 >"$MNT/$D/v.document"
	peer "{\"op\":\"open\",\"path\":\"$D/v.document\"}"
	exec 7<"$MNT/$D/v.document"
	peer "{\"op\":\"set\",\"path\":\"$D/v.document\",\"at\":[1],\"attr\":\"text\",\"value\":\"r1-remote-edit-is-longer\"}"
	fs_wait_for 10 grep -q r1-remote-edit-is-longer "$MNT/$D/v.document"
	run -0 t cat "$MNT/$D/v.document"
	[ "$(canon <<<"$output")" = "$(doc3 H r1-remote-edit-is-longer r2 | canon)" ]
	# the handle opened before the edit reads the new revision from 0
	run -0 t python3 -c '
import os, sys, time
for _ in range(200):
    b = os.pread(7, 1 << 20, 0)
    if b"r1-remote-edit-is-longer" in b:
        sys.stdout.write(b.decode())
        sys.exit(0)
    time.sleep(0.05)
sys.exit("old revision: " + b.decode())'
	[ "$(canon <<<"$output")" = "$(doc3 H r1-remote-edit-is-longer r2 | canon)" ]
	exec 7<&-
	# an element added and one removed by the SDK
	peer "{\"op\":\"append\",\"path\":\"$D/v.document\",\"at\":[],\"tag\":\"body\",\"attrs\":{\"text\":\"r3\"}}"
	peer "{\"op\":\"remove\",\"path\":\"$D/v.document\",\"at\":[0]}"
	want='{"document":{"content":[{"body":{"text":"r1-remote-edit-is-longer"}},{"body":{"text":"r2"}},{"body":{"text":"r3"}}]}}'
	fs_wait_for 10 eval "[ \"\$(canon '$MNT/$D/v.document')\" = '$want' ]"
	[ "$(t stat -c %s "$MNT/$D/v.document")" -eq "$(t cat "$MNT/$D/v.document" | wc -c)" ]
	peer "{\"op\":\"close\",\"path\":\"$D/v.document\"}"
}

@test "remote create, delete and move by the SDK are visible to ls" {
	t mkdir -p "$MNT/$D/sub"
	run -0 t ls "$MNT/$D"
	[ "$output" = sub ]
	peer "{\"op\":\"upload\",\"path\":\"$D/new.txt\",\"text\":\"remote\\n\"}"
	peer "{\"op\":\"create\",\"path\":\"$D/new.document\",\"json\":$(doc3 N 1 2)}"
	fs_wait_for 10 eval "[ \"\$(ls '$MNT/$D' | tr '\n' ' ')\" = 'new.document new.txt sub ' ]"
	[ "$(t cat "$MNT/$D/new.txt")" = remote ]
	[ "$(t jq -S -c . "$MNT/$D/new.document")" = "$(doc3 N 1 2 | canon)" ]
	peer "{\"op\":\"move\",\"from\":\"$D/new.txt\",\"to\":\"$D/sub/moved.txt\"}"
	fs_wait_for 10 eval "[ \"\$(ls '$MNT/$D' | tr '\n' ' ')\" = 'new.document sub ' ]"
	fs_wait_for 10 eval "[ \"\$(ls '$MNT/$D/sub')\" = moved.txt ]"
	[ "$(t cat "$MNT/$D/sub/moved.txt")" = remote ]
	[ ! -e "$MNT/$D/new.txt" ]
	peer "{\"op\":\"delete\",\"path\":\"$D/new.document\"}"
	fs_wait_for 10 eval "[ \"\$(ls '$MNT/$D' | tr '\n' ' ')\" = 'sub ' ]"
	[ ! -e "$MNT/$D/new.document" ]
	run -1 t cat "$MNT/$D/new.document"
	# a remote delete of a document the mount has open (and cached)
	peer "{\"op\":\"create\",\"path\":\"$D/gone.document\",\"json\":$(doc3 G 1 2)}"
	fs_wait_for 10 test -e "$MNT/$D/gone.document"
	t cat "$MNT/$D/gone.document" >/dev/null
	peer "{\"op\":\"delete\",\"path\":\"$D/gone.document\"}"
	fs_wait_for 10 eval "! ls '$MNT/$D' | grep -q gone"
	[ ! -e "$MNT/$D/gone.document" ]
	# a remote change to a plain file the mount has read
	peer "{\"op\":\"upload\",\"path\":\"$D/sub/moved.txt\",\"text\":\"changed remotely\\n\"}"
	fs_wait_for 10 grep -q 'changed remotely' "$MNT/$D/sub/moved.txt"
}
