# lib.bash - shared helpers of the meshfs bats tests (tests/fs/*.bats):
# where the build is, a real meshroomd on a free loopback port with a temp
# data dir, participant tokens minted by the SDK, meshfs mounts (remote or
# embedded room), the SDK peer (peer.mjs) and cleanup that always unmounts
# and kills what was started, even when a test failed or a mount hung.
#
# Every process a helper starts is recorded in $FS_STATE/procs (the caller
# sets FS_STATE: a per-file dir in setup_file, a per-test dir in setup) and
# fs_cleanup "$FS_STATE" undoes them in reverse order.  Background
# processes never keep bats' fd 3 open (bats would wait for them).
#
# Environment: abs_top_srcdir, abs_top_builddir (make check), NODE,
# MESHFS (default $abs_top_builddir/src/fs/meshfs), MESHROOMD,
# FS_TIMEOUT (seconds any single command on the mount may take, 30).

fs_top=${abs_top_srcdir:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
fs_build=${abs_top_builddir:-$fs_top}
MESHFS=${MESHFS:-$fs_build/src/fs/meshfs}
MESHROOMD=${MESHROOMD:-$fs_build/src/server/meshroomd}
NODE=${NODE:-node}
FS_TIMEOUT=${FS_TIMEOUT:-30}
fs_peer_js=$fs_top/tests/fs/peer.mjs
# meshfs's request timeout in the tests (seconds): short, so that calls
# that need a missing server fail quickly.
FS_MNT_TIMEOUT=${FS_MNT_TIMEOUT:-5}

# t CMD...: runs CMD with the per-command timeout (a hung mount fails the
# test instead of hanging it).
t() {
	timeout -k 5 "$FS_TIMEOUT" "$@"
}

# fs_missing [TOOL...]: prints why meshfs cannot be tested here (and
# succeeds), or fails when everything needed is there.
fs_missing() {
	local x
	[ -x "$MESHFS" ] || { echo "meshfs not built ($MESHFS)"; return 0; }
	[ -x "$MESHROOMD" ] || { echo "meshroomd not built"; return 0; }
	[ -c /dev/fuse ] || { echo "no /dev/fuse"; return 0; }
	[ -d "$fs_top/tests/node/node_modules/@meshagent/meshagent" ] || {
		echo "tests/node not installed (tests/node/ensure.sh)"
		return 0
	}
	for x in fusermount3 "$NODE" jq curl "$@"; do
		command -v "$x" >/dev/null || { echo "$x not installed"; return 0; }
	done
	return 1
}

# fs_require [TOOL...]: skips the test when meshfs cannot be tested here.
# (bats 1.8 cannot skip from setup_file: there, use
#  `FS_SKIP=$(fs_missing ...) && return 0` and fs_require in setup.)
fs_require() {
	local why
	[ -z "${FS_SKIP:-}" ] || skip "$FS_SKIP"
	why=$(fs_missing "$@") && skip "$why"
	return 0
}

# fs_need TOOL...: skips when a tool is missing.
fs_need() {
	local x
	for x in "$@"; do
		command -v "$x" >/dev/null || skip "$x not installed"
	done
}

fs_record() {
	mkdir -p "$FS_STATE"
	echo "$*" >>"$FS_STATE/procs"
}

# fs_wait_for SECONDS CMD...: retries CMD every 50 ms until it succeeds;
# fails after SECONDS.
fs_wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "# gave up after waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

fs_kill() { # PID: TERM, wait up to 10 s, KILL
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# ---- meshroomd ------------------------------------------------------------
# srv_start [PORT [DATA [SECRET]]]: starts meshroomd; sets and exports
# SRV_PORT, SRV_PID, SRV_DATA, SRV_SECRET.  With the same DATA, SECRET and
# PORT it restarts the same server.
srv_start() {
	local port=${1:-0}
	SRV_DATA=${2:-$(mktemp -d "$FS_STATE.srv.XXXXXX")}
	SRV_SECRET=${3:-$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')}
	local out=$SRV_DATA.out
	: >"$out"
	MESHAGENT_SECRET=$SRV_SECRET "$MESHROOMD" --listen "127.0.0.1:$port" \
		--print-port --data "$SRV_DATA" --schemas "$fs_top/schemas" \
		>"$out" 2>"$SRV_DATA.log" 3>&- </dev/null &
	SRV_PID=$!
	fs_record srv "$SRV_PID"
	if ! fs_wait_for 15 grep -q . "$out"; then
		cat "$SRV_DATA.log" >&2
		return 1
	fi
	SRV_PORT=$(head -n 1 "$out")
	export SRV_PORT SRV_PID SRV_DATA SRV_SECRET
}

# srv_kill [SIGNAL]: stops the server (default KILL) and waits for it.
srv_kill() {
	kill "-${1:-KILL}" "$SRV_PID" 2>/dev/null || true
	fs_wait_for 10 eval "! kill -0 $SRV_PID"
}

srv_url() { # ROOM
	echo "ws://127.0.0.1:$SRV_PORT/rooms/$1"
}

# tok ROOM [NAME [ro]]: a participant JWT for ROOM signed with SRV_SECRET.
tok() {
	t "$NODE" "$fs_peer_js" token "$SRV_SECRET" "$1" "${2:-tester}" "${3:-}"
}

# ---- mounts ---------------------------------------------------------------
fs_mounted() { # MNT
	grep -q " $(realpath "$1") fuse" /proc/self/mounts
}

# mnt_remote MNT ROOM [TOKEN [OPTS]]: mounts ROOM of the running server on
# MNT (meshfs -f in the background, log in MNT.log); waits for the mount.
# OPTS is a comma-separated -o list added to token_file and timeout.
mnt_remote() {
	local mnt=$1 room=$2 token=${3:-} opts=${4:-}
	[ -n "$token" ] || token=$(tok "$room" meshfs)
	mkdir -p "$mnt"
	printf '%s\n' "$token" >"$mnt.token"
	opts="token_file=$mnt.token,timeout=$FS_MNT_TIMEOUT${opts:+,$opts}"
	mnt_run "$mnt" -o "$opts" "$(srv_url "$room")" "$mnt"
}

# mnt_embedded MNT DATA [OPTS]: meshfs with its embedded room, data in DATA.
mnt_embedded() {
	local mnt=$1 data=$2 opts=${3:-}
	mkdir -p "$mnt" "$data"
	opts="data=$data,timeout=$FS_MNT_TIMEOUT${opts:+,$opts}"
	MESHFS_SCHEMAS_DIR=$fs_top/schemas mnt_run "$mnt" -o "$opts" "$mnt"
}

# mnt_run MNT ARGS...: meshfs -f ARGS in the background; waits until MNT
# is a FUSE mount (or meshfs exited).  MNT_PID is its pid.
mnt_run() {
	local mnt=$1
	shift
	"$MESHFS" -f "$@" >"$mnt.log" 2>&1 3>&- </dev/null &
	MNT_PID=$!
	fs_record mnt "$MNT_PID" "$mnt"
	local end=$((SECONDS + 20))
	while ! fs_mounted "$mnt"; do
		if ! kill -0 "$MNT_PID" 2>/dev/null || [ "$SECONDS" -ge "$end" ]; then
			echo "# meshfs did not mount $mnt:" >&2
			sed 's/^/#   /' "$mnt.log" >&2
			return 1
		fi
		sleep 0.05
	done
}

# fs_abort MNT: aborts the FUSE connection of MNT (unblocks every caller).
fs_abort() {
	local dev
	dev=$(mountpoint -d "$1" 2>/dev/null) || return 0
	[ -w "/sys/fs/fuse/connections/${dev#*:}/abort" ] &&
		echo 1 >"/sys/fs/fuse/connections/${dev#*:}/abort"
	return 0
}

# umnt MNT [PID]: unmounts (lazy and abort as fallbacks) and waits for
# meshfs to exit (KILL after 10 s).
umnt() {
	local mnt=$1 pid=${2:-}
	if fs_mounted "$mnt"; then
		timeout 10 fusermount3 -u "$mnt" 2>/dev/null ||
			{
				fs_abort "$mnt"
				timeout 10 fusermount3 -uz "$mnt" 2>/dev/null
			} || timeout 10 umount -l "$mnt" 2>/dev/null || true
	fi
	[ -n "$pid" ] && fs_kill "$pid"
	# under --enable-sanitizers: an ASan or UBSan report from meshfs
	# fails the test (leak reports are shown, not failed)
	if [ -f "$mnt.log" ] && grep -q 'Sanitizer' "$mnt.log"; then
		sed 's/^/# meshfs: /' "$mnt.log" | head -60 >&2
		grep -Eq 'ERROR: AddressSanitizer|runtime error:' "$mnt.log" && return 1
	fi
	return 0
}

# ---- the SDK peer ---------------------------------------------------------
# peer_start ROOM [NAME [TOKEN]]: starts peer.mjs connected to ROOM; sets
# PEER_PORT (the port later `peer` calls use) and PEER_PID.
peer_start() {
	local room=$1 name=${2:-peer} token=${3:-}
	[ -n "$token" ] || token=$(tok "$room" "$name")
	peer_start_url "$(srv_url "$room")" "$token"
}

# peer_start_url URL TOKEN: the same for any room URL.
peer_start_url() {
	local url=$1 token=$2 out
	out=$(mktemp "$FS_STATE.peer.XXXXXX")
	"$NODE" "$fs_peer_js" serve "$url" "$token" \
		>"$out" 2>"$out.err" 3>&- </dev/null &
	PEER_PID=$!
	fs_record peer "$PEER_PID"
	if ! fs_wait_for 30 grep -q . "$out"; then
		cat "$out.err" >&2
		return 1
	fi
	PEER_PORT=$(head -n 1 "$out")
	export PEER_PORT PEER_PID
}

# peer JSON: sends one command to the peer on PEER_PORT; prints the answer
# and fails when it is not ok.  peer_q JQ JSON: prints jq -c JQ of it.
peer() {
	local ans
	ans=$(curl -s --max-time "$FS_TIMEOUT" -X POST --data-binary "$1" \
		"http://127.0.0.1:$PEER_PORT/") || {
		echo "# peer: no answer to $1" >&2
		return 1
	}
	printf '%s\n' "$ans"
	jq -e '.ok' >/dev/null <<<"$ans" || {
		echo "# peer: $1 -> $ans" >&2
		return 1
	}
}
peer_q() {
	local ans
	ans=$(peer "$2") || return 1
	jq -c "$1" <<<"$ans"
}

# ---- cleanup --------------------------------------------------------------
# fs_cleanup DIR: undoes everything recorded in DIR/procs, newest first:
# unmounts mounts (then kills meshfs), kills peers and servers.
fs_cleanup() {
	local state=${1:-$FS_STATE} kind pid arg
	[ -f "$state/procs" ] || return 0
	tac "$state/procs" | while read -r kind pid arg; do
		case $kind in
		mnt) umnt "$arg" "$pid" || echo fail >>"$state/failed" ;;
		tmux) tmux -S "$pid" kill-server 2>/dev/null ;;
		*) fs_kill "$pid" ;;
		esac
	done
	rm -f "$state/procs"
	if [ -f "$state/failed" ]; then
		rm -f "$state/failed"
		return 1
	fi
	return 0
}

# ---- content helpers ------------------------------------------------------
# canon FILE|-: the JSON with sorted keys on one line (fails on bad JSON).
canon() {
	jq -S -c . "$@"
}

# doc3 A B C: a .document JSON with a heading and two bodies.
doc3() {
	printf '{"document": {"content": [{"heading": {"text": "%s"}}, {"body": {"text": "%s"}}, {"body": {"text": "%s"}}]}}\n' "$1" "$2" "$3"
}

# xattr_error FILE: the user.meshfs.error of FILE ('' when none).
xattr_error() {
	getfattr --only-values -n user.meshfs.error "$1" 2>/dev/null || true
}

# ---- documents seen by the peer -------------------------------------------
# peer_ids PATH: the $ids of the elements of the peer's replica, in order.
peer_ids() {
	peer_q '[.. | objects | ."$id"? // empty]' \
		"{\"op\":\"json\",\"path\":\"$1\",\"ids\":true}"
}

# same_doc PATH JSON IDS: the peer's replica of PATH (open since before
# the save) became JSON as an edit of the same document: its stream is
# still live and was never closed, the elements kept their $ids (IDS, from
# peer_ids before the save), and the room sent no deletion of PATH.
same_doc() {
	local p=$1 want=$2 ids=$3 ans
	ans=$(peer "{\"op\":\"wait\",\"path\":\"$p\",\"json\":$want}") || return 1
	if [ "$(jq .equal <<<"$ans")" != true ]; then
		echo "# $p: the SDK replica is $(jq -c .json <<<"$ans")" >&2
		echo "# expected $(canon <<<"$want")" >&2
		return 1
	fi
	ans=$(peer "{\"op\":\"state\",\"path\":\"$p\"}") || return 1
	if [ "$(jq -c '[.live, .closed]' <<<"$ans")" != '[true,0]' ]; then
		echo "# $p: the SDK's document stream ended: $ans" >&2
		return 1
	fi
	if [ "$(peer_ids "$p")" != "$ids" ]; then
		echo "# $p: element ids changed: $ids -> $(peer_ids "$p")" >&2
		return 1
	fi
	ans=$(peer_q "[.events[] | select(.kind != \"updated\" and (.path == \"$p\" or .to == \"$p\"))]" '{"op":"events"}') || return 1
	if [ "$ans" != "[]" ]; then
		echo "# $p: storage events other than updates: $ans" >&2
		return 1
	fi
}

# ---- terminal programs (tmux) ---------------------------------------------
# tmux_start CMD...: runs CMD in a detached 120x40 tmux session on a
# private server (cleaned up by fs_cleanup).
tmux_start() {
	FS_TMUX=$FS_STATE.tmux
	fs_record tmux "$FS_TMUX"
	tmux -S "$FS_TMUX" -f /dev/null new-session -d -x 120 -y 40 -s ed "$@" 3>&-
}
tmux_keys() { # KEYS... (tmux send-keys syntax)
	tmux -S "$FS_TMUX" send-keys -t ed "$@"
}
tmux_screen() {
	tmux -S "$FS_TMUX" capture-pane -p -t ed 2>/dev/null
}
# tmux_wait_text TEXT: waits (10 s) until the screen shows TEXT.
tmux_wait_text() {
	fs_wait_for 10 eval "tmux_screen | grep -qF -- $(printf %q "$1")" || {
		echo "# screen:" >&2
		tmux_screen | sed 's/^/#   /' >&2
		return 1
	}
}
# tmux_wait_exit: waits (FS_TIMEOUT) until the program in the session exited.
tmux_wait_exit() {
	fs_wait_for "$FS_TIMEOUT" eval "! tmux -S $(printf %q "$FS_TMUX") has-session -t ed" || {
		echo "# still running; screen:" >&2
		tmux_screen | sed 's/^/#   /' >&2
		return 1
	}
}

# doc3p A B C: doc3 as meshfs renders it (2-space indent, newline at the end).
doc3p() {
	doc3 "$@" | jq --indent 2 .
}
