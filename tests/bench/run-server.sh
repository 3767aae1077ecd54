#!/bin/sh
# run-server.sh - meshroomd vs Hocuspocus 4.x vs the y-websocket server
# (issue 4 §4), side by side in one run: 50 clients on one document, 100
# small edits each, (a) burst: time until every client has every edit, (b)
# paced at 500 edits/s in total: p50/p99 delivery latency, (c) server RSS
# per open idle document (N documents, one client each).  Each server is
# driven through its own protocol by its own client library: meshroomd by
# the MeshAgent TypeScript SDK (tests/node) and by a lean raw client of our
# protocol (the SDK's own CPU weighs on its figures: every client echoes
# every update it receives); the others by @hocuspocus/provider and
# y-websocket.  Every server is started fresh for each figure.  Prints the
# figures, the ratios to Hocuspocus and the targets; no assertions.  Not
# part of make check.
#
# Usage: tests/bench/run-server.sh [BUILD_DIR]
#   BUILD_DIR holds src/server/meshroomd (default: a fresh -O2 build of the
#   tree in a temp dir).  The comparison servers are installed from
#   tests/bench/server/package-lock.json with `npm ci` into
#   tests/bench/server/node_modules on the first run.
# Environment: NODE, CLIENTS (50), EDITS (100), RATE (500), DOCS (300),
#   DATA_DIR (where meshroomd keeps its rooms; default a temp dir under
#   TMPDIR: a real disk, so every acknowledged update pays its fsync).
# Timings are wall-clock and include the clients' CPU (one node process):
# run it on an otherwise idle machine.
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
	echo "building meshroomd in $build ..."
	(cd "$build" && "$top/configure" >/dev/null &&
		make -j2 src/server/meshroomd >/dev/null)
fi
meshroomd=$build/src/server/meshroomd
[ -x "$meshroomd" ] || {
	echo "run-server.sh: $meshroomd not found" >&2
	exit 1
}
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
run() {
	start "$2"
	if ! "$node" "$bdir/bench.mjs" "$2" "$3" "$4" --port "$port" \
		--pid "$real_pid" --secret "$secret" --clients "$clients" \
		--edits "$edits" --rate "$rate" --docs "$docs" \
		>"$work/$1.$4" 2>"$work/$1.$4.err"; then
		echo "($1 $4 failed: $(tail -n1 "$work/$1.$4.err"))"
	fi
	stop
}

for mode in burst paced memory; do
	run mesh-sdk meshroomd sdk $mode
	run mesh-raw meshroomd raw $mode
	run hocus hocuspocus provider $mode
	run yws ywebsocket provider $mode
done

get() { awk -v k="$2" '$1 == k { print $2 }' "$work/$1" 2>/dev/null; }
row() { # label key mode target
	h=$(get hocus."$3" "$2")
	printf '  %-30s' "$1"
	for n in mesh-sdk mesh-raw yws hocus; do
		v=$(get "$n.$3" "$2")
		printf ' %10s' "${v:--}"
	done
	for n in mesh-sdk mesh-raw; do
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
printf '  %-30s %10s %10s %10s %10s %8s %8s  %s\n' figure "mesh SDK" "mesh raw" \
	y-websock Hocuspoc "SDK/Hp" "raw/Hp" "target (meshroomd/Hp)"
row "burst: all edits everywhere ms" burst_ms burst "<= 0.33"
row "paced: p50 latency ms" p50_ms paced ""
row "paced: p99 latency ms" p99_ms paced "<= 0.33"
row "paced: max latency ms" max_ms paced ""
row "paced: achieved edits/s" paced_rate paced ""
row "idle doc: server RSS KiB/doc" per_doc_kib memory "<= 0.25"
row "client CPU ms (burst)" client_cpu_ms burst ""
row "client CPU ms (paced)" client_cpu_ms paced ""
