#!/usr/bin/env bats
# twomounts.bats - two meshfs mounts of one room edit the same document at
# the same time (each a read-modify-write loop through its own handles, on
# a different element) and converge: both mounts and the room end with
# both writers' last values (issue 6 §3).

bats_require_minimum_version 1.5.0
load lib

setup() {
	export FS_STATE=$BATS_TEST_TMPDIR/state
	fs_require python3
}

teardown() {
	fs_cleanup "$FS_STATE"
}

@test "two mounts of one room edit the same document and converge" {
	srv_start
	M1=$BATS_TEST_TMPDIR/m1
	M2=$BATS_TEST_TMPDIR/m2
	mnt_remote "$M1" two "$(tok two mount-1)"
	mnt_remote "$M2" two "$(tok two mount-2)"
	doc3 H x y >"$M1/c.document"
	fs_wait_for 10 test -e "$M2/c.document"
	cat >"$BATS_TEST_TMPDIR/loop.py" <<'EOF'
import json, sys, time
path, idx, prefix, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for i in range(n):
    with open(path, "r+") as f:
        j = json.loads(f.read())
        j["document"]["content"][idx]["body"]["text"] = f"{prefix}{i}"
        f.seek(0)
        f.truncate()
        f.write(json.dumps(j, indent=2) + "\n")
    time.sleep(0.01)
EOF
	t python3 "$BATS_TEST_TMPDIR/loop.py" "$M1/c.document" 1 one- 25 &
	p1=$!
	t python3 "$BATS_TEST_TMPDIR/loop.py" "$M2/c.document" 2 two- 25 &
	p2=$!
	wait $p1
	wait $p2
	want=$(doc3 H one-24 two-24 | canon)
	fs_wait_for 15 eval "[ \"\$(canon '$M1/c.document')\" = '$want' ]"
	fs_wait_for 15 eval "[ \"\$(canon '$M2/c.document')\" = '$want' ]"
	peer_start two
	run -0 peer_q .json '{"op":"describe","path":"c.document"}'
	[ "$output" = "$want" ]
	# and a document created on one mount is an editable document on the other
	doc3 N 1 2 >"$M2/n.document"
	fs_wait_for 10 test -e "$M1/n.document"
	t sed -i 's/"1"/"1-m1"/' "$M1/n.document"
	fs_wait_for 10 grep -q 1-m1 "$M2/n.document"
}
