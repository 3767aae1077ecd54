#!/usr/bin/env bats
# random.bats - a bounded, seeded random sequence of plain-file operations
# (randomops.py) applied to a folder on the mount and to a local folder;
# after every step both trees must be identical.  The seed is printed;
# rerun one with FS_RANDOM_SEED=<seed> (FS_RANDOM_STEPS: length, 150).

bats_require_minimum_version 1.5.0
load lib

setup() {
	export FS_STATE=$BATS_TEST_TMPDIR/state
	fs_require python3
}

teardown() {
	fs_cleanup "$FS_STATE"
}

@test "random plain-file operations: the mount behaves as a local folder" {
	srv_start
	MNT=$BATS_TEST_TMPDIR/mnt
	mnt_remote "$MNT" random
	mkdir "$BATS_TEST_TMPDIR/local"
	t mkdir "$MNT/r"
	run timeout -k 5 600 python3 "$fs_top/tests/fs/randomops.py" "$MNT/r" \
		"$BATS_TEST_TMPDIR/local" "${FS_RANDOM_STEPS:-150}" ${FS_RANDOM_SEED:-}
	echo "$output" | sed 's/^#*/#/' >&3
	[ "$status" -eq 0 ]
	# the room holds the same files (a second mount reads them back;
	# empty folders live only in the mount that made them)
	M2=$BATS_TEST_TMPDIR/m2
	mnt_remote "$M2" random
	files=$(cd "$BATS_TEST_TMPDIR/local" && find . -type f | sort)
	run -0 t sh -c "cd '$M2/r' && find . -type f | sort"
	[ "$output" = "$files" ]
	for f in $files; do
		t cmp "$BATS_TEST_TMPDIR/local/$f" "$M2/r/$f"
	done
}
