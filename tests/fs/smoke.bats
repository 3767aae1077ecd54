#!/usr/bin/env bats
# smoke.bats - the first meshfs check: mount an embedded room, create a
# document, write JSON to it, read it back as the pretty-printed render,
# unmount.  The full suite is the other tests/fs/*.bats.

load lib

setup() {
	FS_STATE=$(mktemp -d "${TMPDIR:-/tmp}/meshfs-smoke.XXXXXX")
	[ -x "$MESHFS" ] || skip "meshfs not built ($MESHFS)"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	command -v fusermount3 >/dev/null || skip "no fusermount3"
	MNT=$FS_STATE/mnt
	mnt_embedded "$MNT" "$FS_STATE/data" "room=smoke"
}

teardown() {
	fs_cleanup "$FS_STATE"
	rm -rf "$FS_STATE"
}

@test "embedded room: create a document, write JSON, cat it" {
	t touch "$MNT/hello.document"
	run t cat "$MNT/hello.document"
	[ "$status" -eq 0 ]
	[ "$output" = '{
  "document": {
    "content": []
  }
}' ]
	printf '%s' '{"document":{"content":[{"heading":{"text":"Hi"}}]}}' >"$FS_STATE/new.json"
	t cp "$FS_STATE/new.json" "$MNT/hello.document"
	run t cat "$MNT/hello.document"
	[ "$status" -eq 0 ]
	[ "$output" = '{
  "document": {
    "content": [
      {
        "heading": {
          "text": "Hi"
        }
      }
    ]
  }
}' ]
	# st_size is the render's
	[ "$(stat -c %s "$MNT/hello.document")" -eq "$(t cat "$MNT/hello.document" | wc -c)" ]
	# the room has it (the embedded room's data folder)
	[ -f "$FS_STATE/data/smoke/hello.document" ]
	# a plain file round-trips as bytes
	printf 'abc' >"$MNT/p.txt"
	printf 'def' >>"$MNT/p.txt"
	[ "$(t cat "$MNT/p.txt")" = abcdef ]
	run t ls "$MNT"
	[ "$output" = 'hello.document
p.txt' ]
	umnt "$MNT"
	! fs_mounted "$MNT"
}
