#!/usr/bin/env bats
# meshctl-room.bats - meshctl's room commands against a real meshroomd
# from the build tree: token (minted tokens admitted or refused by the
# server), ls/stat/cat/put/rm/mv/url on room storage, get/create/patch/edit
# on documents (checked through sync.describe), watch with a concurrent
# change from a second client, grep across documents and files; each with
# its failure cases (bad URL, bad token, missing path, invalid patch,
# schema violation) and the one-line errors and exit codes (0 ok, 1
# failed, 2 usage).
#
# One server per file (setup_file), each test in its own room; the server
# is killed in teardown_file, and by setup_file itself when it fails.
# Every meshctl call runs under `timeout`.

bats_require_minimum_version 1.5.0

top=${abs_top_srcdir:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
build=${abs_top_builddir:-$top}
mc=$build/src/cli/meshctl
MESHROOMD=${MESHROOMD:-$build/src/server/meshroomd}
# seconds any one command may take
T=${MESHCTL_TEST_TIMEOUT:-30}

# t CMD...: CMD under the timeout (a hang fails the test).
t() {
	timeout -k 5 "$T" "$@"
}

# m ARGS...: meshctl under the timeout, calls limited to 10 s each.
m() {
	timeout -k 5 "$T" "$mc" "$@"
}

srv_stop() {
	local pid i
	[ -f "$BATS_FILE_TMPDIR/srv.pid" ] || return 0
	pid=$(cat "$BATS_FILE_TMPDIR/srv.pid")
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$BATS_FILE_TMPDIR/srv.pid"
}

setup_file() {
	[ -x "$mc" ] || skip "meshctl not built"
	[ -x "$MESHROOMD" ] || skip "meshroomd not built"
	local data=$BATS_FILE_TMPDIR/data out=$BATS_FILE_TMPDIR/srv.out i
	SRV_SECRET=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
	mkdir -p "$data"
	: >"$out"
	MESHAGENT_SECRET=$SRV_SECRET "$MESHROOMD" --listen 127.0.0.1:0 \
		--print-port --data "$data" --schemas "$top/schemas" \
		>"$out" 2>"$BATS_FILE_TMPDIR/srv.log" 3>&- </dev/null &
	echo $! >"$BATS_FILE_TMPDIR/srv.pid"
	for i in $(seq 150); do
		grep -q . "$out" && break
		sleep 0.1
	done
	if ! grep -q . "$out"; then
		cat "$BATS_FILE_TMPDIR/srv.log" >&2
		srv_stop
		return 1
	fi
	SRV_PORT=$(head -n 1 "$out")
	export SRV_PORT SRV_SECRET
}

teardown_file() {
	srv_stop
}

setup() {
	[ -x "$mc" ] || skip "meshctl not built"
	room=r$BATS_TEST_NUMBER
	url=ws://127.0.0.1:$SRV_PORT/rooms/$room
	# the default target: meshctl mints its own token from the secret
	export MESHAGENT_ROOM_URL=$url MESHAGENT_SECRET=$SRV_SECRET
	unset MESHAGENT_TOKEN MESHAGENT_API_KEY MESHAGENT_API_URL MESHAGENT_ROOM
	export MESHCTL_SCHEMA_DIR=$top/schemas
	d=$BATS_TEST_TMPDIR
	cd "$d"
	pids=()
}

teardown() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# payload JWT: the decoded payload of a token
payload() {
	local p
	p=$(printf '%s' "$1" | cut -d. -f2 | tr '_-' '/+')
	while [ $((${#p} % 4)) -ne 0 ]; do p=$p=; done
	printf '%s' "$p" | base64 -d
}

# The document of the tests (document.json: heading, body, file).
doc_json() {
	cat <<'EOF'
{
  "document": {
    "content": [
      {
        "heading": {
          "text": "Hello"
        }
      },
      {
        "body": {
          "text": "first paragraph"
        }
      }
    ]
  }
}
EOF
}

# wait_for SECONDS CMD...: retries CMD every 50 ms.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# ---- token -------------------------------------------------------------

@test "token: mints the grants asked for" {
	run -0 m token --secret s3cret --room myroom --name alice --role agent \
		--sync-read-only 'ro/*' --sync-path 'docs/*' \
		--storage-read-only shared/ --ttl 1h
	[ "$(printf '%s' "$output" | tr -cd . | wc -c)" -eq 2 ]
	p=$(payload "$output")
	echo "$p"
	[[ $p == '{"name":"alice","grants":[{"name":"room","scope":"myroom"},{"name":"role","scope":"agent"},{"name":"api","scope":{"livekit":{},'* ]]
	[[ $p == *'"sync":{"paths":[{"path":"ro/*","read_only":true},{"path":"docs/*"}]}'* ]]
	[[ $p == *'"storage":{"paths":[{"path":"shared/","read_only":true}]}'* ]]
	[[ $p == *'"version":"0.36.3","exp":'* ]]
	exp=$(printf '%s' "$p" | sed 's/.*"exp":\([0-9]*\).*/\1/')
	now=$(date +%s)
	[ "$exp" -ge $((now + 3590)) ] && [ "$exp" -le $((now + 3610)) ]
}

@test "token: API key sets kid and sub; --api limits the scopes" {
	key='ma-.j.DnM2qR6WWEq4.mYmfuQ-_B55PLVWSWu_B4GCuETgWA-test-secret-secure-secret-sample2560binarykey'
	run -0 m token --api-key "$key" --name n --api sync,storage
	p=$(payload "$output")
	[ "$p" = '{"name":"n","grants":[{"name":"role","scope":"user"},{"name":"api","scope":{"sync":{},"storage":{}}}],"version":"0.36.3","kid":"fa3f839c-cdaa-47a5-9612-ae3e99899fb9","sub":"fc1e793c-b556-496b-bf07-8182b844e058"}' ]
	MESHAGENT_API_KEY=$key run -0 m token --name n --api none
	p=$(payload "$output")
	[[ $p == *'"kid":"fa3f839c-cdaa-47a5-9612-ae3e99899fb9"'* ]]
}

@test "token: secret from a file or the environment; the room admits it" {
	printf '%s\n' "$SRV_SECRET" >secret
	run -0 m token --secret-file secret --room "$room" --name filer
	tok=$output
	MESHAGENT_SECRET=$SRV_SECRET MESHAGENT_ROOM=$room run -0 m token
	[[ $(payload "$output") == *'"scope":"'$room'"'* ]]
	unset MESHAGENT_SECRET
	run -0 m ls --url "$url" --token "$tok"
	printf '%s\n' "$tok" >tokfile
	run -0 m ls --url "$url" --token-file tokfile
}

@test "token: usage errors and bad keys" {
	unset MESHAGENT_SECRET
	run -2 m token
	[[ $output == *"meshctl token: no key to sign with"* ]]
	run -2 m token --secret a --api-key b
	[[ $output == *"give only one of"* ]]
	run -2 m token --secret a --ttl 0
	[[ $output == *"--ttl wants a duration"* ]]
	run -2 m token --secret a --api sync,nope
	[[ $output == *"unknown scope 'nope'"* ]]
	run -2 m token --secret a extra
	run -2 m token --secret a --bogus
	[[ $output == *"unknown option '--bogus'"* ]]
	run -1 m token --api-key not-a-key
	[[ $output == "meshctl: token: invalid API key: "* ]]
	run -1 m token --secret-file missing
	[[ $output == *"missing: No such file or directory"* ]]
}

# ---- connection errors ---------------------------------------------------

@test "bad URL, bad token, no token: exit 1 with one clear line" {
	run -1 m ls --url ws://127.0.0.1:1/rooms/x
	[[ ${lines[0]} == "meshctl: ls: ws://127.0.0.1:1/rooms/x: "* ]]
	[ "${#lines[@]}" -eq 1 ]
	bad=$(m token --secret wrong-secret --room "$room")
	run -1 m ls --token "$bad"
	[[ ${lines[0]} == "meshctl: ls: $url: "* ]]
	run -1 m get --token not.a.jwt doc.document
	[[ ${lines[0]} == "meshctl: get: "* ]]
	unset MESHAGENT_SECRET
	run -1 m ls
	[[ ${lines[0]} == "meshctl: ls: "* ]]
	unset MESHAGENT_ROOM_URL
	run -1 m ls --token "$bad"
	[[ ${lines[0]} == "meshctl: ls: "* ]]
	run -2 m ls --timeout 0
	[[ $output == *"--timeout wants a duration"* ]]
}

@test "--help of every command; unknown options are usage errors" {
	for c in token ls stat cat put rm mv url get create patch edit watch grep; do
		run -0 m "$c" --help
		[[ ${lines[0]} == "usage: meshctl $c "* ]]
		if [ "$c" != token ]; then
			[[ $output == *"--url URL"* ]]
		fi
		run -2 m "$c" --no-such-option
		[[ $output == *"meshctl $c: unknown option '--no-such-option'"* ]]
	done
	run -0 m --help
	[[ $output == *"  grep "* ]]
}

# ---- storage ---------------------------------------------------------------

@test "put, cat, ls, stat: round trips and errors" {
	printf 'hello\nworld\n' >a.txt
	run -0 m put notes/a.txt a.txt
	printf 'from stdin' | m put notes/b.txt
	run -0 m put notes/c.txt - <a.txt
	run -0 m put notes/sub/ a.txt
	run -0 m cat notes/sub/a.txt
	[ "$output" = $'hello\nworld' ]
	run -0 m rm -r notes/sub
	run -0 m cat notes/a.txt
	[ "$output" = $'hello\nworld' ]
	run -0 m cat notes/b.txt
	[ "$output" = "from stdin" ]
	run -0 m ls
	[[ $output == *"notes/"* ]]
	run -0 m ls notes
	[ "$output" = $'a.txt\nb.txt\nc.txt' ]
	run -0 m ls -l notes
	[[ ${lines[0]} =~ ^-\ +12\ \ [0-9-]+\ [0-9:]+\ \ a.txt$ ]]
	run -0 m ls notes/a.txt
	[ "$output" = "notes/a.txt" ]
	run -0 m stat notes/a.txt
	[[ $output == *"type: file"* && $output == *"size: 12"* ]]
	run -0 m stat notes
	[[ $output == *"type: folder"* ]]
	# errors
	run -1 m put -n notes/a.txt a.txt
	[[ ${lines[0]} == "meshctl: put: notes/a.txt: "* ]]
	run -1 m put x.txt no-such-file
	[[ ${lines[0]} == "meshctl: put: no-such-file: No such file or directory" ]]
	run -1 m cat notes/missing.txt
	[[ ${lines[0]} == "meshctl: cat: notes/missing.txt: "* ]]
	run -1 m stat notes/missing.txt
	[[ ${lines[0]} == "meshctl: stat: notes/missing.txt: "* ]]
	run -1 m ls nowhere
	[[ ${lines[0]} == "meshctl: ls: nowhere: "* ]]
	run -2 m cat
	run -2 m put a b c
	# url: a link that serves the file
	run -0 m url notes/a.txt
	[[ $output == http://127.0.0.1:$SRV_PORT/* ]]
	if command -v curl >/dev/null; then
		[ "$(t curl -sf "$output")" = $'hello\nworld' ]
	fi
	run -1 m url notes/missing.txt
	[[ ${lines[0]} == "meshctl: url: notes/missing.txt: "* ]]
}

@test "put/cat stream a 5 MB file unchanged" {
	head -c $((5 * 1024 * 1024 + 17)) /dev/urandom >big
	run -0 m put big.bin big
	m cat big.bin >back
	cmp big back
	run -0 m ls -l
	[[ $output == *" 5242897 "*"big.bin"* ]]
}

@test "rm and mv" {
	printf 1 | m put d/one.txt
	printf 2 | m put d/two.txt
	run -0 m mv d/one.txt d/three.txt
	run -0 m ls d
	[ "$output" = $'three.txt\ntwo.txt' ]
	run -1 m mv d/three.txt d/two.txt
	[[ ${lines[0]} == "meshctl: mv: d/three.txt: "* ]]
	run -0 m mv -f d/three.txt d/two.txt
	run -0 m cat d/two.txt
	[ "$output" = 1 ]
	run -1 m mv d/missing d/x
	[[ ${lines[0]} == "meshctl: mv: d/missing: "* ]]
	run -1 m rm d/missing
	[[ ${lines[0]} == "meshctl: rm: d/missing: "* ]]
	run -0 m rm -f d/missing
	run -1 m rm d
	[[ ${lines[0]} == "meshctl: rm: d: "* ]]
	run -0 m rm -r d
	run -1 m ls d
	run -2 m mv onlyone
}

# ---- documents ---------------------------------------------------------

@test "create and get: JSON in, the same JSON out; --ids; --compact" {
	doc_json >doc.json
	run -0 m create notes.document --json doc.json
	run -0 m get notes.document
	[ "$output" = "$(doc_json)" ]
	run -0 m get -c notes.document
	[ "$output" = '{"document":{"content":[{"heading":{"text":"Hello"}},{"body":{"text":"first paragraph"}}]}}' ]
	run -0 m get --ids notes.document
	[[ ${lines[5]} =~ ^\ +\"\$id\":\ \"[0-9a-f-]{36}\",$ ]]
	# an empty document, the schema named explicitly
	run -0 m create --schema document empty.x
	run -0 m get empty.x
	[ "$output" = $'{\n  "document": {\n    "content": []\n  }\n}' ]
	# the document is a file in storage
	run -0 m ls
	[[ $output == *"notes.document"* ]]
}

@test "create and get: failures" {
	doc_json >doc.json
	run -0 m create notes.document --json doc.json
	run -1 m create notes.document --json doc.json
	[[ ${lines[0]} == "meshctl: create: notes.document: "* ]]
	# a schema violation found before sending (with --schema)
	printf '{"document":{"content":[{"para":{}}]}}' >bad.json
	run -1 m create other.document --schema document --json bad.json
	[[ $output == *'bad.json: /document/content/0/para: unknown element "para"'* ]]
	# ... and by the server (schema from the extension)
	run -1 m create other.document --json bad.json
	[[ ${lines[0]} == "meshctl: create: other.document: "* ]]
	run -1 m get other.document
	printf '{"document":' >broken.json
	run -1 m create other.document --json broken.json
	[[ ${lines[0]} == "meshctl: create: broken.json: invalid JSON"* ]]
	run -1 m create x.nosuchext
	[[ ${lines[0]} == "meshctl: create: x.nosuchext: "* ]]
	run -1 m get missing.document
	[[ ${lines[0]} == "meshctl: get: missing.document: "* ]]
	run -1 m get --ids missing.document
	[[ ${lines[0]} == "meshctl: get: missing.document: "* ]]
	run -2 m get
	run -2 m create a b
}

@test "patch: RFC 6902 operations become edits" {
	doc_json | m create p.document --json -
	cat >p1.json <<'EOF'
[
  {"op": "test", "path": "/document/content/0/heading/text", "value": "Hello"},
  {"op": "replace", "path": "/document/content/0/heading/text", "value": "Title"},
  {"op": "add", "path": "/document/content/-", "value": {"file": {"name": "pic.png"}}},
  {"op": "copy", "from": "/document/content/1", "path": "/document/content/1"},
  {"op": "remove", "path": "/document/content/2"}
]
EOF
	run -0 m patch p.document --patch p1.json
	run -0 m get -c p.document
	[ "$output" = '{"document":{"content":[{"heading":{"text":"Title"}},{"body":{"text":"first paragraph"}},{"file":{"name":"pic.png"}}]}}' ]
	# move keeps the element (its $id) and the order changes
	id=$(m get --ids p.document | sed -n 's/.*"\$id": "\(.*\)".*/\1/p' | sed -n 3p)
	printf '[{"op":"move","from":"/document/content/2","path":"/document/content/0"}]' |
		m patch p.document --patch -
	run -0 m get -c p.document
	[ "$output" = '{"document":{"content":[{"file":{"name":"pic.png"}},{"heading":{"text":"Title"}},{"body":{"text":"first paragraph"}}]}}' ]
	# --dry-run prints and commits nothing
	printf '[{"op":"remove","path":"/document/content/0"}]' >rm.json
	run -0 m patch --dry-run p.document --patch rm.json
	[[ $output == *'"heading": {'* && $output != *'pic.png'* ]]
	run -0 m get -c p.document
	[[ $output == *pic.png* ]]
}

@test "patch: failing test, bad pointer, schema violation, bad patch" {
	doc_json | m create p.document --json -
	before=$(m get -c p.document)
	printf '[{"op":"replace","path":"/document/content/0/heading/text","value":"X"},{"op":"test","path":"/document/content/1/body/text","value":"nope"}]' >t.json
	run -1 m patch p.document --patch t.json
	[ "$output" = 'meshctl: patch: p.document: patch[1] (test /document/content/1/body/text): test failed: the value is "first paragraph", not "nope"' ]
	printf '[{"op":"remove","path":"/document/content/7"}]' >ptr.json
	run -1 m patch p.document --patch ptr.json
	[ "$output" = 'meshctl: patch: p.document: patch[0] (remove /document/content/7): no element 7 in /document/content (array has 2)' ]
	printf '[{"op":"add","path":"/document/content/0","value":{"para":{}}}]' >schema.json
	run -1 m patch p.document --patch schema.json
	[[ ${lines[0]} == 'meshctl: patch: p.document: /document/content/0/para: unknown element "para"'* ]]
	printf '[{"op":"replace","path":"/document/content/0/heading/text","value":5}]' >type.json
	run -1 m patch p.document --patch type.json
	[[ ${lines[0]} == 'meshctl: patch: p.document: /document/content/0/heading/text: '* ]]
	printf '{"op":"remove"}' >notarray.json
	run -1 m patch p.document --patch notarray.json
	[[ ${lines[0]} == "meshctl: patch: notarray.json: a JSON Patch must be an array of operations" ]]
	printf '[{"op":' >broken.json
	run -1 m patch p.document --patch broken.json
	[[ ${lines[0]} == "meshctl: patch: broken.json: invalid JSON"* ]]
	run -1 m patch missing.document --patch t.json
	[[ ${lines[0]} == "meshctl: patch: missing.document: "* ]]
	run -2 m patch p.document
	[[ $output == *"--patch FILE is required"* ]]
	[ "$(m get -c p.document)" = "$before" ]
}

# ---- edit --------------------------------------------------------------

@test "edit: the editor's change is committed; no change; editor failure" {
	doc_json | m create e.document --json -
	cat >ed.sh <<'EOF'
#!/bin/sh
# the "editor": rewrites the heading and checks what it was shown
grep -q '"text": "Hello"' "$1" || exit 9
sed -i 's/"text": "Hello"/"text": "Edited"/' "$1"
EOF
	chmod +x ed.sh
	EDITOR=$d/ed.sh run -0 m edit e.document
	run -0 m get -c e.document
	[ "$output" = '{"document":{"content":[{"heading":{"text":"Edited"}},{"body":{"text":"first paragraph"}}]}}' ]
	# VISUAL wins over EDITOR; arguments in the variable work
	VISUAL="sed -i s/first/second/" EDITOR=false run -0 m edit e.document
	run -0 m get -c e.document
	[[ $output == *'"second paragraph"'* ]]
	EDITOR=true run -0 m edit e.document
	[[ $output == *"no changes"* ]]
	EDITOR="sh -c 'exit 3' sh" run -1 m edit e.document
	[[ $output == *"the editor 'sh -c 'exit 3' sh' exited with status 3"* ]]
	[[ $output == *"your edit is kept in "* ]]
	run -1 m edit missing.document
	[[ ${lines[0]} == "meshctl: edit: missing.document: "* ]]
}

@test "edit: invalid JSON and schema errors keep the file and exit 1" {
	doc_json | m create e.document --json -
	before=$(m get -c e.document)
	TMPDIR=$d EDITOR="sed -i s/heading/headline/" run -1 m edit e.document
	[[ ${lines[0]} == 'meshctl: edit: e.document: /document/content/0/headline: unknown element "headline"'* ]]
	kept=$(printf '%s\n' "$output" | sed -n 's/.*your edit is kept in //p')
	[ -f "$kept" ]
	[[ $kept == "$d"/meshctl-edit-*.json ]]
	grep -q headline "$kept"
	TMPDIR=$d EDITOR="sed -i '\$d'" run -1 m edit e.document
	[[ $output == *"invalid JSON"* ]]
	[[ $output == *"your edit is kept in "* ]]
	[ "$(m get -c e.document)" = "$before" ]
}

# ---- watch ----------------------------------------------------------------

@test "watch --count: prints the JSON after each change by another client" {
	doc_json | m create w.document --json -
	t "$mc" watch --count 2 w.document >watch.out 2>watch.err 3>&- &
	pid=$!
	pids+=("$pid")
	# the first render is printed once the watch is live
	wait_for 20 grep -q '"Hello"' watch.out
	printf '[{"op":"replace","path":"/document/content/0/heading/text","value":"One"}]' |
		m patch w.document --patch -
	wait_for 20 grep -q '"One"' watch.out
	printf '[{"op":"remove","path":"/document/content/1"}]' |
		m patch w.document --patch -
	wait "$pid"
	cat watch.out watch.err
	[ "$(grep -c '^{' watch.out)" -eq 3 ]
	run ! grep -q '\$id' watch.out
	# the last JSON printed is the document after both changes
	last=$(awk '/^\{/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' watch.out)
	[ "$last" = $'{\n  "document": {\n    "content": [\n      {\n        "heading": {\n          "text": "One"\n        }\n      }\n    ]\n  }\n}' ]
}

@test "watch --summary: one line per change; SIGTERM ends it with 0" {
	doc_json | m create w.document --json -
	# no timeout wrapper: the signal must reach meshctl (teardown kills it)
	"$mc" watch --summary w.document >watch.out 2>watch.err 3>&- &
	pid=$!
	pids+=("$pid")
	wait_for 20 grep -q 'watching' watch.out
	printf '[{"op":"replace","path":"/document/content/0/heading/text","value":"One"}]' |
		m patch w.document --patch -
	wait_for 20 grep -q 'heading/text changed' watch.out
	printf '[{"op":"add","path":"/document/content/0","value":{"file":{"name":"f"}}}]' |
		m patch w.document --patch -
	wait_for 20 grep -q '/document/content/0 added' watch.out
	kill -TERM "$pid"
	wait_for 20 eval "! kill -0 $pid"
	wait "$pid"
	cat watch.out
	[ "$(wc -l <watch.out)" -eq 3 ]
	[[ $(sed -n 2p watch.out) =~ ^[0-9:]{8}\ w.document:\ /document/content/0/heading/text\ changed$ ]]
	[[ $(sed -n 3p watch.out) =~ ^[0-9:]{8}\ w.document:\ /document/content/0\ added$ ]]
}

@test "watch: missing document and usage errors" {
	run -1 m watch missing.document
	[[ ${lines[0]} == "meshctl: watch: missing.document: "* ]]
	run -2 m watch --count 0 x
	[[ $output == *"--count wants a number"* ]]
	run -2 m watch
}

# ---- grep -----------------------------------------------------------------

@test "grep: documents as JSON, plain files as text" {
	doc_json | m create a/one.document --json -
	printf '{"document":{"content":[{"body":{"text":"Second Paragraph here"}}]}}' |
		m create b.document --json -
	printf 'a paragraph in a file\nnothing\n' | m put a/notes.txt
	head -c 100 /dev/zero | m put bin.dat
	run -0 m grep paragraph
	[ "$(printf '%s\n' "$output" | sort)" = "$(printf '%s\n' \
		'a/notes.txt:a paragraph in a file' \
		'a/one.document:          "text": "first paragraph"' | sort)" ]
	run -0 m grep -i -l paragraph
	[ "$(printf '%s\n' "$output" | sort)" = $'a/notes.txt\na/one.document\nb.document' ]
	run -0 m grep -n -F '"Hello"' a
	[ "$output" = 'a/one.document:6:          "text": "Hello"' ]
	run -0 m grep 'Sec.nd' b.document
	[ "$output" = 'b.document:          "text": "Second Paragraph here"' ]
	run -1 m grep no-such-words
	[ "$output" = "" ]
	run -1 m grep x missing/path
	[[ ${lines[0]} == "meshctl: grep: missing/path: "* ]]
	run -2 m grep '('
	[[ $output == *"invalid pattern"* ]]
	run -2 m grep
}

# ---- grants and stalls ---------------------------------------------------

@test "read-only grants: the room refuses writes, reads work" {
	doc_json | m create ro/doc.document --json -
	printf 'x' | m put shared/f.txt
	tok=$(m token --room "$room" --name reader --sync-read-only 'ro/*' \
		--storage-read-only shared/)
	unset MESHAGENT_SECRET
	run -0 m get --token "$tok" ro/doc.document
	run -0 m cat --token "$tok" shared/f.txt
	printf '[{"op":"replace","path":"/document/content/0/heading/text","value":"X"}]' >p.json
	run -1 m patch --token "$tok" ro/doc.document --patch p.json
	[[ ${lines[0]} == "meshctl: patch: ro/doc.document: "* ]]
	run -1 m put --token "$tok" shared/g.txt p.json
	[[ ${lines[0]} == "meshctl: put: shared/g.txt: "* ]]
	export MESHAGENT_SECRET=$SRV_SECRET
	run -0 m get -c ro/doc.document
	[[ $output == *'"Hello"'* ]]
	run -1 m cat shared/g.txt
}

@test "a stalled server: calls fail after --timeout" {
	local data=$d/stall out=$d/stall.out
	mkdir -p "$data"
	# --schemas: the listing of an empty room trips UBSan in meshroomd
	# (qsort(NULL, 0) in storage.c), reported
	MESHAGENT_SECRET=$SRV_SECRET "$MESHROOMD" --listen 127.0.0.1:0 \
		--print-port --data "$data" --schemas "$top/schemas" \
		>"$out" 2>"$d/stall.log" 3>&- </dev/null &
	pids+=($!)
	wait_for 15 grep -q . "$out"
	url2=ws://127.0.0.1:$(head -n 1 "$out")/rooms/stall
	run -0 m ls --url "$url2"
	kill -STOP "${pids[0]}"
	# exit 1 (not timeout(1)'s 124): meshctl gave up by itself
	run -1 m ls --url "$url2" --timeout 2
	[[ ${lines[0]} == "meshctl: ls: $url2: "* ]]
	kill -CONT "${pids[0]}"
	run -0 m ls --url "$url2"
}

# ---- on a terminal (script(1) gives meshctl a pty) -------------------------

@test "edit on a terminal: after an error, 'y' opens the editor again" {
	command -v script >/dev/null || skip "script(1) not installed"
	doc_json | m create e.document --json -
	cat >ed.sh <<'EOF2'
#!/bin/sh
# first run: an unknown element; second run: a valid change
if [ ! -f "$0.ran" ]; then
	: >"$0.ran"
	sed -i 's/"heading"/"headline"/' "$1"
else
	sed -i 's/"headline"/"heading"/; s/Hello/Again/' "$1"
fi
EOF2
	chmod +x ed.sh
	printf 'y\n' | EDITOR=$d/ed.sh t script -qec "'$mc' edit e.document" /dev/null >tty.out || {
		cat tty.out
		false
	}
	cat tty.out
	grep -q 'unknown element "headline"' tty.out
	grep -q 'Edit again?' tty.out
	run -0 m get -c e.document
	[[ $output == *'"Again"'* ]]
}

@test "put and cat show progress for large files on a terminal only" {
	command -v script >/dev/null || skip "script(1) not installed"
	head -c $((6 * 1024 * 1024)) /dev/urandom >big
	t script -qec "'$mc' put big.bin big" /dev/null >tty.out
	grep -q 'meshctl: put: big.bin: 6.0 of 6.0 MiB (100%)' tty.out
	m put big2.bin big 2>err
	[ ! -s err ]
	t script -qec "'$mc' cat big.bin >/dev/null" /dev/null >tty.out
	grep -q 'meshctl: cat: big.bin: 6.0 of 6.0 MiB (100%)' tty.out
}

@test "watch: the server going away ends it with 1 and a message" {
	local data=$d/gone out=$d/gone.out
	mkdir -p "$data"
	MESHAGENT_SECRET=$SRV_SECRET "$MESHROOMD" --listen 127.0.0.1:0 \
		--print-port --data "$data" --schemas "$top/schemas" \
		>"$out" 2>"$d/gone.log" 3>&- </dev/null &
	pids+=($!)
	wait_for 15 grep -q . "$out"
	export MESHAGENT_ROOM_URL=ws://127.0.0.1:$(head -n 1 "$out")/rooms/gone
	doc_json | m create w.document --json -
	"$mc" watch --summary w.document >watch.out 2>watch.err 3>&- &
	pid=$!
	pids+=("$pid")
	wait_for 20 grep -q 'watching' watch.out
	kill -KILL "${pids[0]}"
	wait_for 20 eval "! kill -0 $pid"
	run -1 wait "$pid"
	cat watch.err
	[ "$(cat watch.err)" = "meshctl: watch: w.document: the connection to the room was lost" ]
}

@test "edit: a change made by someone else while the editor is open is kept" {
	doc_json | m create e.document --json -
	cat >ed.sh <<EOF2
#!/bin/sh
# another participant changes the body while "the user" edits the heading
printf '[{"op":"replace","path":"/document/content/1/body/text","value":"theirs"}]' |
	"$mc" patch e.document --patch - || exit 7
sed -i 's/"Hello"/"mine"/' "\$1"
EOF2
	chmod +x ed.sh
	EDITOR=$d/ed.sh run -0 m edit e.document
	run -0 m get -c e.document
	[ "$output" = '{"document":{"content":[{"heading":{"text":"mine"}},{"body":{"text":"theirs"}}]}}' ]
}
