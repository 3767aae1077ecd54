#!/usr/bin/env bats
# tools.bats - everyday tools on a meshfs mount of a real meshroomd room
# (issue 6 §3): cat, grep -r, jq, wc, diff on documents and plain files;
# cp, mv, rm, mkdir, rmdir, rsync -a into and out of the mount; shell > and
# >>; Python os.replace.  An SDK participant (peer.mjs) checks what reached
# the room.  One server, mount and peer per file; each test works in its
# own folder t<N>.

bats_require_minimum_version 1.5.0
load lib

setup_file() {
	export FS_STATE=$BATS_FILE_TMPDIR/state
	FS_SKIP=$(fs_missing) && export FS_SKIP && return 0
	srv_start
	export MNT=$BATS_FILE_TMPDIR/mnt
	mnt_remote "$MNT" tools
	export MNT_PID
	peer_start tools
}

teardown_file() {
	fs_cleanup "$BATS_FILE_TMPDIR/state"
}

setup() {
	fs_require
	export FS_STATE=$BATS_TEST_TMPDIR/state
	D=t$BATS_TEST_NUMBER
	L=$BATS_TEST_TMPDIR/local
	mkdir -p "$L"
}

teardown() {
	fs_cleanup "$BATS_TEST_TMPDIR/state"
}

# room_json PATH: the room's document (sync.describe), keys sorted.
room_json() {
	peer_q .json "{\"op\":\"describe\",\"path\":\"$1\"}"
}

@test "cat, wc, jq, diff and grep -r on a document the SDK created" {
	local j
	j=$(doc3 "Report" "needle-4711 here" "second")
	peer "{\"op\":\"create\",\"path\":\"$D/a.document\",\"json\":$j}"
	fs_wait_for 10 test -f "$MNT/$D/a.document"
	# st_size is right before the first read
	size=$(t stat -c %s "$MNT/$D/a.document")
	run -0 t cat "$MNT/$D/a.document"
	[ "$(canon <<<"$output")" = "$(canon <<<"$j")" ]
	[ "${output: -1}" != "" ]
	[ "$(t wc -c <"$MNT/$D/a.document")" -eq "$size" ]
	# pretty-printed, 2-space indent, newline at the end (DESIGN.md 1)
	jq --indent 2 . <<<"$j" >"$L/expected"
	run -0 t diff <(jq --indent 2 -S . "$MNT/$D/a.document") <(jq --indent 2 -S . "$L/expected")
	run -0 t jq -r '.document.content[1].body.text' "$MNT/$D/a.document"
	[ "$output" = "needle-4711 here" ]
	run -0 t grep -r -l needle-4711 "$MNT/$D"
	[ "$output" = "$MNT/$D/a.document" ]
	run -0 t wc -l "$MNT/$D/a.document"
	[ "${output%% *}" -gt 5 ]
	tail -c 1 "$MNT/$D/a.document" | od -An -c | grep -q '\\n'
}

@test "cat, wc, grep -r and diff on plain files (uploaded by the SDK, written by the shell)" {
	peer "{\"op\":\"upload\",\"path\":\"$D/sub/p.txt\",\"text\":\"line one\\nneedle-99 two\\n\"}"
	fs_wait_for 10 test -f "$MNT/$D/sub/p.txt"
	run -0 t cat "$MNT/$D/sub/p.txt"
	[ "$output" = $'line one\nneedle-99 two' ]
	[ "$(t stat -c %s "$MNT/$D/sub/p.txt")" -eq 23 ]
	[ "$(t wc -l <"$MNT/$D/sub/p.txt")" -eq 2 ]
	run -0 t grep -rn needle-99 "$MNT/$D"
	[ "$output" = "$MNT/$D/sub/p.txt:2:needle-99 two" ]
	printf 'line one\nneedle-99 two\n' >"$L/p.txt"
	run -0 t diff "$L/p.txt" "$MNT/$D/sub/p.txt"
	head -c 100000 /dev/urandom >"$L/big.bin"
	t cp "$L/big.bin" "$MNT/$D/big.bin"
	run -0 t cmp "$L/big.bin" "$MNT/$D/big.bin"
	[ "$(t wc -c <"$MNT/$D/big.bin")" -eq 100000 ]
}

@test "shell > and >> on plain files reach the room" {
	t mkdir "$MNT/$D"
	echo one >"$MNT/$D/s.txt"
	echo two >>"$MNT/$D/s.txt"
	run -0 t cat "$MNT/$D/s.txt"
	[ "$output" = $'one\ntwo' ]
	run -0 peer_q .text "{\"op\":\"download\",\"path\":\"$D/s.txt\"}"
	[ "$output" = '"one\ntwo\n"' ]
	echo three >"$MNT/$D/s.txt"
	run -0 peer_q .text "{\"op\":\"download\",\"path\":\"$D/s.txt\"}"
	[ "$output" = '"three\n"' ]
	run -0 t cat "$MNT/$D/s.txt"
	[ "$output" = three ]
	: >"$MNT/$D/s.txt"
	[ "$(t stat -c %s "$MNT/$D/s.txt")" -eq 0 ]
	run -0 peer_q .text "{\"op\":\"download\",\"path\":\"$D/s.txt\"}"
	[ "$output" = '""' ]
}

@test "shell > creates a document and rewrites it as an edit the SDK sees" {
	t mkdir "$MNT/$D"
	doc3 H B1 B2 >"$MNT/$D/n.document"
	run -0 room_json "$D/n.document"
	[ "$output" = "$(doc3 H B1 B2 | canon)" ]
	run -0 t cat "$MNT/$D/n.document"
	[ "$(canon <<<"$output")" = "$(doc3 H B1 B2 | canon)" ]
	peer "{\"op\":\"open\",\"path\":\"$D/n.document\"}"
	ids=$(peer_q '[.json.document.content[]|.[]."$id"]' "{\"op\":\"json\",\"path\":\"$D/n.document\",\"ids\":true}")
	doc3 H B1x B2 >"$MNT/$D/n.document"
	run -0 peer_q .equal "{\"op\":\"wait\",\"path\":\"$D/n.document\",\"json\":$(doc3 H B1x B2)}"
	[ "$output" = true ]
	# the same elements, edited in place
	ids2=$(peer_q '[.json.document.content[]|.[]."$id"]' "{\"op\":\"json\",\"path\":\"$D/n.document\",\"ids\":true}")
	[ "$ids" = "$ids2" ]
	run -0 peer_q .live "{\"op\":\"state\",\"path\":\"$D/n.document\"}"
	[ "$output" = true ]
	peer "{\"op\":\"close\",\"path\":\"$D/n.document\"}"
}

@test "size and mtime of a document change with every revision" {
	t mkdir "$MNT/$D"
	doc3 H B1 B2 >"$MNT/$D/m.document"
	s1=$(t stat -c %s "$MNT/$D/m.document")
	m1=$(t stat -c %Y.%y "$MNT/$D/m.document")
	[ "$s1" -eq "$(t cat "$MNT/$D/m.document" | wc -c)" ]
	sleep 1.1
	peer "{\"op\":\"open\",\"path\":\"$D/m.document\"}"
	peer "{\"op\":\"set\",\"path\":\"$D/m.document\",\"at\":[1],\"attr\":\"text\",\"value\":\"a much longer body text than before\"}"
	fs_wait_for 10 grep -q 'a much longer body' "$MNT/$D/m.document"
	s2=$(t stat -c %s "$MNT/$D/m.document")
	m2=$(t stat -c %Y.%y "$MNT/$D/m.document")
	[ "$s2" -eq "$(t cat "$MNT/$D/m.document" | wc -c)" ]
	[ "$s2" -gt "$s1" ]
	[ "$m2" != "$m1" ]
	peer "{\"op\":\"close\",\"path\":\"$D/m.document\"}"
}

@test "cp into and out of the mount (plain files and documents)" {
	doc3 T X Y >"$L/c.document"
	printf 'plain\n' >"$L/c.txt"
	t mkdir "$MNT/$D"
	run -0 t cp "$L/c.document" "$L/c.txt" "$MNT/$D/"
	run -0 room_json "$D/c.document"
	[ "$output" = "$(canon "$L/c.document")" ]
	run -0 peer_q .text "{\"op\":\"download\",\"path\":\"$D/c.txt\"}"
	[ "$output" = '"plain\n"' ]
	mkdir "$L/out"
	run -0 t cp "$MNT/$D/c.document" "$MNT/$D/c.txt" "$L/out/"
	[ "$(canon "$L/out/c.document")" = "$(canon "$L/c.document")" ]
	cmp "$L/out/c.txt" "$L/c.txt"
	# cp over an existing document: an edit of it
	doc3 T X2 Y >"$L/c2.document"
	run -0 t cp "$L/c2.document" "$MNT/$D/c.document"
	run -0 room_json "$D/c.document"
	[ "$output" = "$(canon "$L/c2.document")" ]
	# cp -r of a folder inside the mount
	run -0 t cp -r "$MNT/$D" "$MNT/$D.copy"
	run -0 t diff -r "$MNT/$D" "$MNT/$D.copy"
}

@test "mv within the mount (across folders, over a file), into and out of it" {
	t mkdir -p "$MNT/$D/x" "$MNT/$D/y"
	echo a >"$MNT/$D/x/a.txt"
	echo b >"$MNT/$D/y/b.txt"
	run -0 t mv "$MNT/$D/x/a.txt" "$MNT/$D/y/a.txt"
	[ ! -e "$MNT/$D/x/a.txt" ]
	[ "$(t cat "$MNT/$D/y/a.txt")" = a ]
	run -0 peer_q .exists "{\"op\":\"exists\",\"path\":\"$D/x/a.txt\"}"
	[ "$output" = false ]
	run -0 peer_q .text "{\"op\":\"download\",\"path\":\"$D/y/a.txt\"}"
	[ "$output" = '"a\n"' ]
	# over an existing file
	run -0 t mv "$MNT/$D/y/a.txt" "$MNT/$D/y/b.txt"
	[ "$(t cat "$MNT/$D/y/b.txt")" = a ]
	run -0 t ls "$MNT/$D/y"
	[ "$output" = b.txt ]
	# a document moved to another folder keeps its content
	doc3 H M1 M2 >"$MNT/$D/x/m.document"
	run -0 t mv "$MNT/$D/x/m.document" "$MNT/$D/y/m.document"
	run -0 room_json "$D/y/m.document"
	[ "$output" = "$(doc3 H M1 M2 | canon)" ]
	# into the mount from another filesystem, and out of it
	echo local >"$L/in.txt"
	run -0 t mv "$L/in.txt" "$MNT/$D/in.txt"
	[ ! -e "$L/in.txt" ]
	[ "$(t cat "$MNT/$D/in.txt")" = local ]
	run -0 t mv "$MNT/$D/in.txt" "$L/back.txt"
	[ "$(cat "$L/back.txt")" = local ]
	[ ! -e "$MNT/$D/in.txt" ]
	run -0 peer_q .exists "{\"op\":\"exists\",\"path\":\"$D/in.txt\"}"
	[ "$output" = false ]
	# a folder
	run -0 t mv "$MNT/$D/y" "$MNT/$D/z"
	[ "$(t cat "$MNT/$D/z/b.txt")" = a ]
	run -0 room_json "$D/z/m.document"
	[ "$output" = "$(doc3 H M1 M2 | canon)" ]
}

@test "rm, mkdir, rmdir" {
	run -0 t mkdir "$MNT/$D"
	run -0 t mkdir -p "$MNT/$D/a/b/c"
	[ -d "$MNT/$D/a/b/c" ]
	run -1 t mkdir "$MNT/$D/a"
	# an empty folder stays in the mount
	run -0 t ls "$MNT/$D/a/b"
	[ "$output" = c ]
	run -0 t rmdir "$MNT/$D/a/b/c"
	[ ! -e "$MNT/$D/a/b/c" ]
	echo x >"$MNT/$D/a/f.txt"
	doc3 H 1 2 >"$MNT/$D/a/g.document"
	run -1 t rmdir "$MNT/$D/a"
	[[ $output == *"not empty"* ]]
	run -0 t rm "$MNT/$D/a/f.txt" "$MNT/$D/a/g.document"
	[ ! -e "$MNT/$D/a/f.txt" ]
	run -0 peer_q .exists "{\"op\":\"exists\",\"path\":\"$D/a/g.document\"}"
	[ "$output" = false ]
	run -0 peer_q .exists "{\"op\":\"exists\",\"path\":\"$D/a/f.txt\"}"
	[ "$output" = false ]
	run -1 t rm "$MNT/$D/a/f.txt"
	echo y >"$MNT/$D/a/b/h.txt"
	run -0 t rm -r "$MNT/$D/a"
	[ ! -e "$MNT/$D/a" ]
	run -0 peer_q .exists "{\"op\":\"exists\",\"path\":\"$D/a/b/h.txt\"}"
	[ "$output" = false ]
}

@test "rsync -a into and out of the mount" {
	fs_need rsync
	mkdir -p "$L/src/deep/er" "$L/src/e"
	for i in 1 2 3; do
		doc3p "H$i" "B$i" "C$i" >"$L/src/d$i.document"
		head -c $((i * 5000)) /dev/urandom >"$L/src/deep/r$i.bin"
	done
	echo text >"$L/src/deep/er/t.txt"
	run -0 t rsync -a "$L/src/" "$MNT/$D/"
	run -0 t diff -r "$L/src" "$MNT/$D"
	run -0 room_json "$D/d2.document"
	[ "$output" = "$(canon "$L/src/d2.document")" ]
	# an rsync update: rsync writes a temp name and renames it over
	doc3p H2 B2-new C2 >"$L/src/d2.document"
	echo changed >"$L/src/deep/er/t.txt"
	touch -d '2001-01-01' "$L/src/deep/er/t.txt"
	run -0 t rsync -a "$L/src/" "$MNT/$D/"
	run -0 room_json "$D/d2.document"
	[ "$output" = "$(canon "$L/src/d2.document")" ]
	run -0 peer_q .text "{\"op\":\"download\",\"path\":\"$D/deep/er/t.txt\"}"
	[ "$output" = '"changed\n"' ]
	# nothing of rsync's temp files is left in the room
	run -0 peer_q '.entries|join(" ")' "{\"op\":\"list\",\"path\":\"$D\"}"
	[ "$output" = '"d1.document d2.document d3.document deep/ e/"' ] ||
		[ "$output" = '"d1.document d2.document d3.document deep/"' ]
	run -0 t rsync -a "$MNT/$D/" "$L/back/"
	run -0 diff -r "$L/src" "$L/back"
}

# rsync's temp names look like .<name>.XXXXXX; one whose suffix is all
# lowercase is taken for a real name (a room file, not a local temp), so
# the rename is room to room: it must still make a document, not move
# the JSON bytes to a document's path.
@test "a plain file renamed to a document's name becomes that document" {
	t mkdir "$MNT/$D"
	doc3p H P1 P2 >"$L/n.json"
	t cp "$L/n.json" "$MNT/$D/.n.document.abcdef"
	run -0 t mv "$MNT/$D/.n.document.abcdef" "$MNT/$D/n.document"
	run -0 room_json "$D/n.document"
	[ "$output" = "$(canon "$L/n.json")" ]
	run -0 t jq -S -c . "$MNT/$D/n.document"
	[ "$output" = "$(canon "$L/n.json")" ]
	[ ! -e "$MNT/$D/.n.document.abcdef" ]
	# invalid JSON: the rename fails and nothing is lost
	printf '{"document": [\n' >"$MNT/$D/bad.txt"
	run t mv "$MNT/$D/bad.txt" "$MNT/$D/bad.document"
	[ "$status" -ne 0 ]
	run -0 t cat "$MNT/$D/bad.txt"
	[ "$output" = '{"document": [' ]
	[ ! -e "$MNT/$D/bad.document" ]
}

@test "Python os.replace over a document is an edit of the same document" {
	t mkdir "$MNT/$D"
	doc3 H P1 P2 >"$MNT/$D/r.document"
	peer "{\"op\":\"open\",\"path\":\"$D/r.document\"}"
	ids=$(peer_q '[.json.document.content[]|.[]."$id"]' "{\"op\":\"json\",\"path\":\"$D/r.document\",\"ids\":true}")
	run -0 t python3 - "$MNT/$D" <<'EOF'
import json, os, sys
d = sys.argv[1]
with open(os.path.join(d, "r.document")) as f:
    j = json.load(f)
j["document"]["content"][1]["body"]["text"] = "P1-replaced"
tmp = os.path.join(d, ".r.document.tmp")
with open(tmp, "w") as f:
    json.dump(j, f, indent=2)
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, os.path.join(d, "r.document"))
EOF
	run -0 peer_q .equal "{\"op\":\"wait\",\"path\":\"$D/r.document\",\"json\":$(doc3 H P1-replaced P2)}"
	[ "$output" = true ]
	ids2=$(peer_q '[.json.document.content[]|.[]."$id"]' "{\"op\":\"json\",\"path\":\"$D/r.document\",\"ids\":true}")
	[ "$ids" = "$ids2" ]
	run -0 peer_q .live "{\"op\":\"state\",\"path\":\"$D/r.document\"}"
	[ "$output" = true ]
	run -0 peer_q "[.events[]|select(.kind==\"deleted\" and .path==\"$D/r.document\")]|length" '{"op":"events"}'
	[ "$output" = 0 ]
	[ ! -e "$MNT/$D/.r.document.tmp" ]
	# the SDK keeps editing, the mount sees it
	peer "{\"op\":\"set\",\"path\":\"$D/r.document\",\"at\":[2],\"attr\":\"text\",\"value\":\"P2-sdk\"}"
	fs_wait_for 10 grep -q P2-sdk "$MNT/$D/r.document"
	peer "{\"op\":\"close\",\"path\":\"$D/r.document\"}"
}

@test "grep -r across 100 documents (more than the server's 64 streams per connection)" {
	t mkdir "$MNT/$D"
	for i in $(seq 0 99); do
		peer "{\"op\":\"create\",\"path\":\"$D/d$i.document\",\"json\":$(doc3 H "body $i" "needle-$i")}" >/dev/null
	done
	run -0 t grep -rl needle- "$MNT/$D"
	[ "$(wc -l <<<"$output")" -eq 100 ]
	run -0 t grep -rh -o 'needle-[0-9]*' "$MNT/$D"
	[ "$(sort -u <<<"$output" | wc -l)" -eq 100 ]
}
