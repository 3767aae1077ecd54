#!/bin/sh
# run-server.sh - meshroomd vs Hocuspocus 4.x vs the y-websocket server
# (issue 4 §4), side by side in one run: 50 clients on one document, 100
# small edits each, (a) burst: time until every client has every edit, (b)
# paced at 500 edits/s in total: p50/p99 delivery latency, (c) server RSS
# per open idle document (N documents, one client each).  Each server is
# driven through its own protocol by its own client library.  Columns:
#   mesh SDK   meshroomd, the MeshAgent TypeScript SDK (tests/node; its
#              own CPU weighs on its figures: every client echoes every
#              update it receives)
#   mesh raw   meshroomd, a lean node client speaking our protocol itself
#   mesh C     meshroomd, our C client library libclient (src/client), as
#              meshfs and meshctl use it: tests/bench/server/meshbench,
#              all clients in one process, one room_client each (one
#              WebSocket, one libclient network thread per connection),
#              the edits made by one thread
#   y-websock  the y-websocket server, y-websocket's provider
#   Hocuspoc   Hocuspocus, @hocuspocus/provider
# The node clients (SDK, raw, providers) all run in one node process
# (tests/bench/server/bench.mjs); meshbench does the same workload with the
# same Yjs edits and prints the same keys.  Every server is started fresh
# for each figure.  Prints the figures, the ratios to Hocuspocus and the
# targets; no assertions.  Not part of make check.
#
# Usage: tests/bench/run-server.sh [BUILD_DIR]
#   BUILD_DIR: a configured build tree in which src/server/meshroomd and
#   tests/bench/server/meshbench are (re)built (default: a fresh -O2 build
#   of the tree in a temp dir).  The comparison servers are installed from
#   tests/bench/server/package-lock.json with `npm ci` into
#   tests/bench/server/node_modules on the first run.
# Environment: NODE, CLIENTS (50), EDITS (100), RATE (500), DOCS (300),
#   DATA_DIR (where meshroomd keeps its rooms; default a temp dir under
#   TMPDIR: a real disk, so every acknowledged update pays its fsync).
# Timings are wall-clock and include the clients' CPU (the client process
# shares the machine with the server; see the client CPU lines): run it on
# an otherwise idle machine.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
node=${NODE:-node}
clients=${CLIENTS:-50}
edits=${EDITS:-100}
rate=${RATE:-500}
docs=${DOCS:-300}
work=$(mktemp -d "${TMPDIR:-/tmp}/server-bench.XXXXXX")
srv_pid=
cleanup() {
	if [ -n "$srv_pid" ]; then
		kill "$srv_pid" 2>/dev/null || :
		wait "$srv_pid" 2>/dev/null || :
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ $# -ge 1 ]; then
	build=$(cd "$1" && pwd)
else
	build=$work/build
	mkdir -p "$build"
	echo "configuring an -O2 build in $build ..."
	(cd "$build" && "$top/configure" >/dev/null)
fi
make -C "$build" -j2 src/server/meshroomd tests/bench/server/meshbench \
	>"$work/make.log" 2>&1 || {
	tail -n 20 "$work/make.log" >&2
	echo "run-server.sh: building meshroomd and meshbench in $build failed" >&2
	exit 1
}
meshroomd=$build/src/server/meshroomd
meshbench=$build/tests/bench/server/meshbench
"$top/tests/node/ensure.sh"
bdir=$here/server
# npm ci when node_modules does not match the lockfile (as tests/node/ensure.sh)
fresh() {
	[ -f "$bdir/node_modules/.package-lock.json" ] || return 1
	"$node" -e '
const fs = require("fs");
const want = JSON.parse(fs.readFileSync(process.argv[1])).packages || {};
const have = JSON.parse(fs.readFileSync(process.argv[2])).packages || {};
for (const [k, v] of Object.entries(want)) {
  if (k === "" || v.optional) continue;
  if (!have[k] || have[k].version !== v.version) process.exit(1);
}
' "$bdir/package-lock.json" "$bdir/node_modules/.package-lock.json"
}
if ! fresh; then
	echo "installing Hocuspocus and y-websocket (npm ci in $bdir) ..."
	(cd "$bdir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

secret=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')

# start SERVER: runs it, waits for its port in $port, pid in $srv_pid
start() {
	: >"$work/port"
	case $1 in
	meshroomd)
		rm -rf "$work/data"
		data=${DATA_DIR:-$work/data}
		mkdir -p "$data"
		MESHAGENT_SECRET=$secret "$meshroomd" --listen 127.0.0.1:0 \
			--data "$data" --schemas "$top/schemas" \
			--max-conns $((docs + clients + 10)) --print-port \
			>"$work/port" 2>"$work/server.err" &
		;;
	hocuspocus)
		"$node" --expose-gc "$bdir/hocuspocus-server.mjs" \
			>"$work/port" 2>"$work/server.err" &
		;;
	ywebsocket)
		"$node" --expose-gc "$bdir/ywebsocket-server.mjs" \
			>"$work/port" 2>"$work/server.err" &
		;;
	esac
	srv_pid=$!
	i=0
	while [ ! -s "$work/port" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$srv_pid" 2>/dev/null; then
			echo "run-server.sh: $1 did not start:" >&2
			cat "$work/server.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	port=$(head -n1 "$work/port")
	# meshroomd is a libtool wrapper script until installed: the real
	# process is its child (memory is read from /proc/<pid>)
	real_pid=$srv_pid
	if [ "$1" = meshroomd ]; then
		c=$(pgrep -P "$srv_pid" | head -n1 || :)
		if [ -n "$c" ]; then
			real_pid=$c
		fi
	fi
}

stop() {
	kill "$srv_pid" 2>/dev/null || :
	wait "$srv_pid" 2>/dev/null || :
	srv_pid=
}

# run NAME SERVER CLIENT MODE: one figure set into $work/NAME.MODE
# (CLIENT c: meshbench, else a client of bench.mjs)
run() {
	start "$2"
	if [ "$3" = c ]; then
		set -- "$1" "$2" "$3" "$4" "$meshbench" "$4"
	else
		set -- "$1" "$2" "$3" "$4" "$node" "$bdir/bench.mjs" "$2" "$3" "$4"
	fi
	rname=$1
	rmode=$4
	shift 4
	if ! "$@" --port "$port" \
		--pid "$real_pid" --secret "$secret" --clients "$clients" \
		--edits "$edits" --rate "$rate" --docs "$docs" \
		>"$work/$rname.$rmode" 2>"$work/$rname.$rmode.err"; then
		echo "($rname $rmode failed: $(tail -n1 "$work/$rname.$rmode.err"))"
	fi
	stop
}

for mode in burst paced memory; do
	run mesh-sdk meshroomd sdk $mode
	run mesh-raw meshroomd raw $mode
	run mesh-c meshroomd c $mode
	run hocus hocuspocus provider $mode
	run yws ywebsocket provider $mode
done

get() { awk -v k="$2" '$1 == k { print $2 }' "$work/$1" 2>/dev/null; }
row() { # label key mode target
	h=$(get hocus."$3" "$2")
	printf '  %-30s' "$1"
	for n in mesh-sdk mesh-raw mesh-c yws hocus; do
		v=$(get "$n.$3" "$2")
		printf ' %10s' "${v:--}"
	done
	for n in mesh-sdk mesh-raw mesh-c; do
		v=$(get "$n.$3" "$2")
		if [ -n "$v" ] && [ -n "$h" ]; then
			printf ' %8s' "$(awk -v a="$v" -v b="$h" 'BEGIN { printf "%.2f", a / b }')"
		else
			printf ' %8s' -
		fi
	done
	printf '  %s\n' "$4"
}

echo "meshroomd vs Hocuspocus vs y-websocket: $clients clients x $edits edits on one document; memory: $docs documents"
echo "  meshroomd: $("$meshroomd" --version 2>/dev/null | head -n1); node $("$node" --version)"
printf '  %-30s %10s %10s %10s %10s %10s %8s %8s %8s  %s\n' figure "mesh SDK" \
	"mesh raw" "mesh C" y-websock Hocuspoc "SDK/Hp" "raw/Hp" "C/Hp" \
	"target (meshroomd/Hp)"
row "burst: all edits everywhere ms" burst_ms burst "<= 0.33"
row "paced: p50 latency ms" p50_ms paced ""
row "paced: p99 latency ms" p99_ms paced "<= 0.33"
row "paced: max latency ms" max_ms paced ""
row "paced: achieved edits/s" paced_rate paced ""
row "idle doc: server RSS KiB/doc" per_doc_kib memory "<= 0.25"
row "client CPU ms (burst)" client_cpu_ms burst ""
row "client CPU ms (paced)" client_cpu_ms paced ""
