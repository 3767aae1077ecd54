#!/usr/bin/env bats
# readonly.bats - read-only mounts and unmounting (issue 6 §2/§3): a token
# with a read-only grant shows read-only modes and fails writes with
# EACCES; -o ro fails them with EROFS; either way reads work and the room
# is unchanged.  Unmounting while files are open: fusermount3 -u refuses
# (busy), a lazy unmount detaches at once, a write still staged in an open
# handle is committed on its close, and meshfs then exits cleanly.

bats_require_minimum_version 1.5.0
load lib

setup() {
	export FS_STATE=$BATS_TEST_TMPDIR/state
	fs_require python3
	MNT=$BATS_TEST_TMPDIR/mnt
	srv_start
	peer_start ro
	peer "{\"op\":\"create\",\"path\":\"d/r.document\",\"json\":$(doc3 H r1 r2)}"
	peer '{"op":"upload","path":"d/p.txt","text":"plain\n"}'
}

teardown() {
	fs_cleanup "$FS_STATE"
}

# room_unchanged: the room still holds exactly what setup put there.
room_unchanged() {
	run -0 peer_q .json '{"op":"describe","path":"d/r.document"}'
	[ "$output" = "$(doc3 H r1 r2 | canon)" ]
	run -0 peer_q .text '{"op":"download","path":"d/p.txt"}'
	[ "$output" = '"plain\n"' ]
	run -0 peer_q '.entries|join(" ")' '{"op":"list","path":"d"}'
	[ "$output" = '"p.txt r.document"' ]
}

# fails_with MESSAGE CMD...: CMD fails and says MESSAGE.
fails_with() {
	local msg=$1
	shift
	run t "$@"
	if [ "$status" -eq 0 ] || [[ $output != *"$msg"* ]]; then
		echo "# $* -> $status: $output (expected: $msg)" >&2
		return 1
	fi
}

# writes_fail MESSAGE: every kind of write fails with MESSAGE.
writes_fail() {
	local msg=$1
	fails_with "$msg" sh -c "echo x >'$MNT/d/p.txt'"
	fails_with "$msg" sh -c "echo x >>'$MNT/d/p.txt'"
	fails_with "$msg" sh -c "echo x >'$MNT/d/new.txt'"
	fails_with "$msg" sh -c "$(declare -f doc3); doc3 H w1 w2 >'$MNT/d/r.document'"
	fails_with "$msg" sh -c "$(declare -f doc3); doc3 H w1 w2 >'$MNT/d/new.document'"
	fails_with "$msg" sed -i s/r1/r1x/ "$MNT/d/r.document"
	fails_with "$msg" python3 -c 'import sys; open(sys.argv[1], "r+").write("{}")' "$MNT/d/r.document"
	fails_with "$msg" truncate -s 0 "$MNT/d/p.txt"
	fails_with "$msg" rm "$MNT/d/p.txt"
	fails_with "$msg" mv "$MNT/d/p.txt" "$MNT/d/q.txt"
	fails_with "$msg" mkdir "$MNT/d/sub"
	fails_with "$msg" rm -r "$MNT/d"
	# reads work
	run -0 t cat "$MNT/d/r.document"
	[ "$(canon <<<"$output")" = "$(doc3 H r1 r2 | canon)" ]
	run -0 t cat "$MNT/d/p.txt"
	[ "$output" = plain ]
	run -0 t grep -rl r2 "$MNT/d"
	[ "$output" = "$MNT/d/r.document" ]
	room_unchanged
}

@test "a read-only grant: read-only modes, writes fail with EACCES, the room is unchanged" {
	mnt_remote "$MNT" ro "$(tok ro reader ro)"
	run -0 t stat -c %A "$MNT/d/r.document" "$MNT/d/p.txt"
	[[ $output != *w* ]]
	writes_fail "Permission denied"
}

@test "-o ro: writes fail with EROFS, the room is unchanged" {
	mnt_remote "$MNT" ro "" ro
	writes_fail "Read-only file system"
	grep " $(realpath "$MNT") " /proc/self/mounts | grep -q ' ro[ ,]'
}

@test "unmount while files are open: a lazy unmount, staged writes still commit, meshfs exits cleanly" {
	mnt_remote "$MNT" ro
	local pid=$MNT_PID
	# a reader and a writer hold files open
	exec 7<"$MNT/d/p.txt"
	t python3 - "$MNT/d/r.document" "$BATS_TEST_TMPDIR/go" <<'EOF' &
import json, os, sys, time
f = open(sys.argv[1], "r+")
j = json.loads(f.read())
j["document"]["content"][1]["body"]["text"] = "r1-late"
f.seek(0)
f.truncate()
f.write(json.dumps(j))
f.flush()
open(sys.argv[2] + ".ready", "w").close()
# hold the staged write until told to close
for _ in range(600):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
f.close()
EOF
	local writer=$!
	fs_wait_for 20 test -e "$BATS_TEST_TMPDIR/go.ready"
	run fusermount3 -u "$MNT"
	[ "$status" -ne 0 ]
	[[ $output == *busy* ]]
	fs_mounted "$MNT"
	run -0 t fusermount3 -uz "$MNT"
	! fs_mounted "$MNT"
	# the open files still work
	run -0 t cat <&7
	[ "$output" = plain ]
	exec 7<&-
	touch "$BATS_TEST_TMPDIR/go"
	wait "$writer"
	# meshfs exits by itself once the last file is closed
	fs_wait_for 20 eval "! kill -0 $pid"
	wait "$pid"
	run -0 peer_q .json '{"op":"describe","path":"d/r.document"}'
	[ "$output" = "$(doc3 H r1-late r2 | canon)" ]
}

@test "unmount with fusermount3 -u when nothing is open: meshfs exits with status 0" {
	mnt_remote "$MNT" ro
	local pid=$MNT_PID
	t cat "$MNT/d/r.document" >/dev/null
	run -0 t fusermount3 -u "$MNT"
	fs_wait_for 20 eval "! kill -0 $pid"
	run wait "$pid"
	[ "$status" -eq 0 ]
	room_unchanged
}
