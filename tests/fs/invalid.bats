#!/usr/bin/env bats
# invalid.bats - bad input written to a document through each path (issue
# 6 §2/§3, DESIGN.md decision 4): invalid JSON and schema violations
# written with the shell (> builtin and an external command), cp, mv, rsync,
# Python (write + close, os.replace), sed -i, vim, nano and emacs.  Every
# time: the tool sees an error where it checks for one (close, fsync,
# rename), the room's document is unchanged (sync.describe and a connected
# SDK replica), the error is in the xattr user.meshfs.error, and the
# rejected bytes are kept under -o rejected=DIR (DIR/<room path>, the
# place the message names).  A valid save afterwards clears the error.

bats_require_minimum_version 1.5.0
load lib

setup_file() {
	export FS_STATE=$BATS_FILE_TMPDIR/state
	FS_SKIP=$(fs_missing getfattr) && export FS_SKIP && return 0
	srv_start
	export MNT=$BATS_FILE_TMPDIR/mnt
	export REJ=$BATS_FILE_TMPDIR/rejected
	mnt_remote "$MNT" invalid "" "rejected=$REJ"
	peer_start invalid
}

teardown_file() {
	fs_cleanup "$BATS_FILE_TMPDIR/state"
}

setup() {
	fs_require
	export FS_STATE=$BATS_TEST_TMPDIR/state
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	D=t$BATS_TEST_NUMBER
	L=$BATS_TEST_TMPDIR/local
	mkdir -p "$L"
	t mkdir "$MNT/$D"
}

teardown() {
	fs_cleanup "$BATS_TEST_TMPDIR/state"
}

# fresh NAME: a new document $D/NAME (doc3 H one two), opened by the peer;
# sets F (its mount path) and P (its room path).
fresh() {
	P=$D/$1
	F=$MNT/$P
	doc3 H one two >"$F"
	run -0 peer_q .json "{\"op\":\"describe\",\"path\":\"$P\"}"
	[ "$output" = "$(doc3 H one two | canon)" ]
	peer "{\"op\":\"open\",\"path\":\"$P\"}" >/dev/null
}

# bad KIND MARK: bad content marked with MARK: `json` (a syntax error) or
# `schema` (valid JSON, an attribute the schema does not have).
bad() {
	case $1 in
	json) printf '{"document": {"content": [{"heading": {"text": "%s"}}, }\n' "$2" ;;
	schema) printf '{"document": {"content": [{"heading": {"text": "H", "%s": 1}}]}}\n' "$2" ;;
	esac
}

# rejected KIND MARK: the room and the SDK replica still hold doc3 H one
# two, the xattr names the error (for a schema fault, the attribute), and
# the rejected bytes are under $REJ/$P.
rejected() {
	local kind=$1 mark=$2 err
	run -0 peer_q .json "{\"op\":\"describe\",\"path\":\"$P\"}"
	[ "$output" = "$(doc3 H one two | canon)" ]
	run -0 peer_q .json "{\"op\":\"json\",\"path\":\"$P\"}"
	[ "$output" = "$(doc3 H one two | canon)" ]
	err=$(xattr_error "$F")
	echo "# user.meshfs.error: $err" >&3
	[ -n "$err" ]
	if [ "$kind" = schema ]; then
		[[ $err == *"$mark"* ]]
	fi
	[ -f "$REJ/$P" ]
	grep -qF -- "$mark" "$REJ/$P"
	[[ $err == *"$REJ/$P"* ]]
}

# fixed: a valid write afterwards goes through and clears the error.
fixed() {
	doc3 H one-fixed two >"$L/ok.document"
	run -0 t cp "$L/ok.document" "$F"
	run -0 peer_q .json "{\"op\":\"describe\",\"path\":\"$P\"}"
	[ "$output" = "$(doc3 H one-fixed two | canon)" ]
	[ -z "$(xattr_error "$F")" ]
}

@test "shell > (builtin echo, no check) and an external command (checks close): EINVAL" {
	for kind in json schema; do
		fresh "builtin-$kind.document"
		bad "$kind" "mark_builtin_$kind" >"$L/bad"
		# the builtin does not check close(): nothing to see for the shell
		read -r line <"$L/bad"
		echo "$line" >"$F" || true
		rejected "$kind" "mark_builtin_$kind"
		fixed
		fresh "external-$kind.document"
		bad "$kind" "mark_external_$kind" >"$L/bad"
		run t sh -c "cat '$L/bad' >'$F'"
		[ "$status" -ne 0 ]
		[[ $output == *"Invalid argument"* ]]
		rejected "$kind" "mark_external_$kind"
		fixed
	done
}

@test "cp from another filesystem (EINVAL on close), mv of a file over the document (EINVAL)" {
	for kind in json schema; do
		fresh "cp-$kind.document"
		bad "$kind" "mark_cp_$kind" >"$L/bad.document"
		run t cp "$L/bad.document" "$F"
		[ "$status" -ne 0 ]
		[[ $output == *"Invalid argument"* ]]
		rejected "$kind" "mark_cp_$kind"
		fixed
		# mv of a plain file of the room over the document
		fresh "mv-$kind.document"
		bad "$kind" "mark_mv_$kind" >"$MNT/$D/incoming-$kind.txt"
		run t mv "$MNT/$D/incoming-$kind.txt" "$F"
		[ "$status" -ne 0 ]
		# (mv words EINVAL from rename as "a subdirectory of itself")
		[[ $output == *"Invalid argument"* || $output == *"subdirectory of itself"* ]]
		rejected "$kind" "mark_mv_$kind"
		fixed
	done
}

@test "Python: write + close and os.replace raise OSError(EINVAL)" {
	for kind in json schema; do
		fresh "py-$kind.document"
		bad "$kind" "mark_py_$kind" >"$L/bad"
		run t python3 -c '
import errno, sys
data = open(sys.argv[2]).read()
try:
    with open(sys.argv[1], "w") as f:
        f.write(data)
except OSError as e:
    print("error", errno.errorcode[e.errno])
    sys.exit(1)' "$F" "$L/bad"
		[ "$status" -eq 1 ]
		[ "$output" = "error EINVAL" ]
		rejected "$kind" "mark_py_$kind"
		fixed
		fresh "replace-$kind.document"
		bad "$kind" "mark_replace_$kind" >"$L/bad"
		run t python3 -c '
import errno, os, sys
data = open(sys.argv[2]).read()
tmp = sys.argv[1] + ".tmp"
try:
    with open(tmp, "w") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, sys.argv[1])
except OSError as e:
    print("error", errno.errorcode[e.errno])
    sys.exit(1)' "$F" "$L/bad"
		[ "$status" -eq 1 ]
		[ "$output" = "error EINVAL" ]
		rejected "$kind" "mark_replace_$kind"
		fixed
	done
}

@test "sed -i: the rename over the document fails with EINVAL" {
	fresh "sed-json.document"
	run t sed -i 's/"one"/"mark_sed_json", }/' "$F"
	[ "$status" -ne 0 ]
	[[ $output == *"Invalid argument"* ]]
	rejected json mark_sed_json
	fixed
	fresh "sed-schema.document"
	run t sed -i 's/"text": "one"/"mark_sed_schema": 1/' "$F"
	[ "$status" -ne 0 ]
	[[ $output == *"Invalid argument"* ]]
	rejected schema mark_sed_schema
	fixed
}

@test "rsync: the update fails and says so" {
	fs_need rsync
	for kind in json schema; do
		fresh "rsync-$kind.document"
		mkdir -p "$L/src"
		bad "$kind" "mark_rsync_$kind" >"$L/src/rsync-$kind.document"
		run t rsync -a "$L/src/rsync-$kind.document" "$MNT/$D/"
		[ "$status" -ne 0 ]
		[[ $output == *"Invalid argument"* ]]
		rejected "$kind" "mark_rsync_$kind"
		fixed
	done
}

@test "vim (tmux): the save fails with an error on the screen, :q! leaves the room unchanged" {
	fs_need vim tmux
	cd "$MNT/$D"
	for kind in json schema; do
		fresh "vim-$kind.document"
		tmux_start vim "vim-$kind.document"
		tmux_wait_text '"one"'
		if [ "$kind" = json ]; then
			tmux_keys ':%s/"one"/"mark_vim_json", }/' Enter
		else
			tmux_keys ':%s/"text": "one"/"mark_vim_schema": 1/' Enter
		fi
		tmux_keys ':w' Enter
		# E667 (fsync failed) or E512 (close failed) or similar
		fs_wait_for 10 eval 'tmux_screen | grep -Eq "E[0-9]+:|Invalid argument"' || {
			tmux_screen | sed 's/^/#   /' >&3
			false
		}
		tmux_screen | grep -E 'E[0-9]+:|Invalid' | sed 's/^/# vim: /' >&3
		tmux_keys Escape ':q!' Enter
		tmux_wait_exit
		rejected "$kind" "mark_vim_$kind"
		fixed
	done
}

@test "nano (tmux): the save fails with an error on the screen" {
	fs_need nano tmux
	cd "$MNT/$D"
	for kind in json schema; do
		fresh "nano-$kind.document"
		tmux_start nano "nano-$kind.document"
		tmux_wait_text '"one"'
		tmux_keys C-w '"text": "one"' Enter
		if [ "$kind" = json ]; then
			tmux_keys 'mark_nano_json { '
		else
			tmux_keys '"mark_nano_schema": 1, '
		fi
		tmux_keys C-o
		tmux_wait_text 'File Name to Write'
		tmux_keys Enter
		tmux_wait_text 'Invalid argument'
		tmux_keys C-x
		tmux_wait_text 'Save modified buffer'
		tmux_keys n
		tmux_wait_exit
		rejected "$kind" "mark_nano_$kind"
		fixed
	done
}

@test "emacs (batch): save-buffer fails, emacs exits with an error" {
	fs_need emacs
	for kind in json schema; do
		fresh "emacs-$kind.document"
		if [ "$kind" = json ]; then
			repl='"mark_emacs_json", }'
		else
			repl='"mark_emacs_schema": 1'
		fi
		run t emacs -Q --batch "$F" --eval "(progn
			(goto-char (point-min))
			(search-forward \"\\\"text\\\": \\\"one\\\"\")
			(replace-match \"$(sed 's/"/\\"/g' <<<"$repl")\" t t)
			(save-buffer))"
		[ "$status" -ne 0 ]
		[[ $output == *"nvalid argument"* ]]
		rejected "$kind" "mark_emacs_$kind"
		fixed
	done
}

@test ".schemas/<ext>.json is checked as a MeshSchema; a valid one makes <ext> a document type" {
	run t python3 -c '
import errno, sys
try:
    with open(sys.argv[1], "w") as f:
        f.write("{\"not\": \"a schema\"}\n")
except OSError as e:
    print(errno.errorcode[e.errno]); sys.exit(1)' "$MNT/.schemas/broken.json"
	[ "$status" -eq 1 ]
	[ "$output" = EINVAL ]
	run -0 peer_q .exists '{"op":"exists","path":".schemas/broken.json"}'
	[ "$output" = false ]
	# a valid schema: files ending in .note become documents
	run -0 t cp "$fs_top/schemas/document.json" "$MNT/.schemas/note.json"
	doc3 N 1 2 >"$MNT/$D/a.note"
	run -0 peer_q .json "{\"op\":\"describe\",\"path\":\"$D/a.note\"}"
	[ "$output" = "$(doc3 N 1 2 | canon)" ]
	run -0 getfattr --only-values -n user.meshfs.schema "$MNT/$D/a.note"
	[ -n "$output" ]
	bad schema mark_note >"$L/bad.note"
	run t cp "$L/bad.note" "$MNT/$D/a.note"
	[ "$status" -ne 0 ]
}
