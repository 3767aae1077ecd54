#!/usr/bin/env bats
# editors.bats - real editors saving a document on a meshfs mount (issue 6
# §3, DESIGN.md decision 5): vim with its default settings (driven through
# tmux), nano (tmux), emacs (batch) and sed -i.  An SDK participant that
# opened the document before the save and stayed connected must see each
# save as an edit of the same document (its stream live, element $ids
# kept, no deletion in the room), and none of the editor's temp, swap,
# backup or lock files may reach the room.

bats_require_minimum_version 1.5.0
load lib

setup_file() {
	export FS_STATE=$BATS_FILE_TMPDIR/state
	FS_SKIP=$(fs_missing) && export FS_SKIP && return 0
	srv_start
	export MNT=$BATS_FILE_TMPDIR/mnt
	mnt_remote "$MNT" editors
	peer_start editors
}

teardown_file() {
	fs_cleanup "$BATS_FILE_TMPDIR/state"
}

setup() {
	fs_require
	export FS_STATE=$BATS_TEST_TMPDIR/state
	D=t$BATS_TEST_NUMBER
	# the editors' default settings, without root's own rc files
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	unset VIMINIT EXINIT
	t mkdir "$MNT/$D"
	F=$MNT/$D/e.document
	doc3 Title one two >"$F"
	peer "{\"op\":\"open\",\"path\":\"$D/e.document\"}"
	IDS=$(peer_ids "$D/e.document")
	[ "$(jq length <<<"$IDS")" -eq 3 ]
}

teardown() {
	peer "{\"op\":\"close\",\"path\":\"$D/e.document\"}" >/dev/null || true
	fs_cleanup "$BATS_TEST_TMPDIR/state"
}

# room_names: the names in the test's folder in the room.
room_names() {
	peer_q '.entries|join(" ")' "{\"op\":\"list\",\"path\":\"$D\"}"
}

# after_save TEXT2: the save turned body one into TEXT2, everywhere.
after_save() {
	same_doc "$D/e.document" "$(doc3 Title "$1" two)" "$IDS"
	run -0 t cat "$F"
	[ "$(canon <<<"$output")" = "$(doc3 Title "$1" two | canon)" ]
	run -0 room_names
	[ "$output" = '"e.document"' ]
	# the SDK keeps editing the same document and the mount sees it
	peer "{\"op\":\"set\",\"path\":\"$D/e.document\",\"at\":[2],\"attr\":\"text\",\"value\":\"two-sdk\"}"
	fs_wait_for 10 grep -q two-sdk "$F"
}

@test "vim (default settings, through tmux) saves a document as an edit" {
	fs_need vim tmux
	cd "$MNT/$D"
	tmux_start vim e.document
	tmux_wait_text '"one"'
	tmux_keys ':%s/"one"/"one-vim"/' Enter
	tmux_keys ':wq' Enter
	tmux_wait_exit
	after_save one-vim
	# a second save in the same session: vim's backup (e.document~) and
	# the re-created name again
	tmux_start vim e.document
	tmux_wait_text 'one-vim'
	tmux_keys ':%s/"one-vim"/"one-vim2"/' Enter ':w' Enter
	tmux_keys ':%s/"one-vim2"/"one-vim3"/' Enter ':wq' Enter
	tmux_wait_exit
	same_doc "$D/e.document" "$(doc3 Title one-vim3 two-sdk)" "$IDS"
	run -0 room_names
	[ "$output" = '"e.document"' ]
}

@test "vim -es (ex mode, default settings) saves a document as an edit" {
	fs_need vim
	run -0 t vim -es -c '%s/"one"/"one-ex"/' -c 'wq' "$F"
	after_save one-ex
}

@test "nano (through tmux) saves a document as an edit" {
	fs_need nano tmux
	cd "$MNT/$D"
	tmux_start nano e.document
	tmux_wait_text '"one"'
	tmux_keys C-w 'one"' Enter
	tmux_keys 'nano-'
	tmux_keys C-o
	tmux_wait_text 'File Name to Write'
	tmux_keys Enter
	tmux_wait_text 'Wrote'
	tmux_keys C-x
	tmux_wait_exit
	after_save nano-one
}

@test "emacs (batch, default settings: backup file, lock) saves a document as an edit" {
	fs_need emacs
	run -0 t emacs -Q --batch "$F" --eval '(progn
		(goto-char (point-min))
		(search-forward "\"one\"")
		(replace-match "\"one-emacs\"")
		(save-buffer))'
	after_save one-emacs
}

@test "emacs (through tmux, interactive defaults) saves a document as an edit" {
	fs_need emacs tmux
	cd "$MNT/$D"
	tmux_start emacs -nw -Q e.document
	tmux_wait_text '"one"'
	tmux_keys 'M-<' C-s '"one' Enter
	tmux_keys -- '-emacs2'
	tmux_keys C-x C-s
	tmux_wait_text 'Wrote'
	tmux_keys C-x C-c
	tmux_wait_exit
	after_save one-emacs2
}

@test "sed -i saves a document as an edit" {
	run -0 t sed -i 's/"one"/"one-sed"/' "$F"
	after_save one-sed
	run -0 t sed -i 's/"one-sed"/"one-sed2"/' "$F"
	same_doc "$D/e.document" "$(doc3 Title one-sed2 two-sdk)" "$IDS"
}
