#!/bin/sh
# run-crdt.sh - libyjs vs yjs on the editing traces: replay (one
# transaction per patch), replay with per-transaction updates, decode and
# encode of the final state (median of 7 runs each), memory held by the
# document (C: mallinfo2 in-use bytes; yjs: V8 heapUsed after gc).  Prints a
# table per trace: figure, C, yjs, ratio C/yjs.  Not part of make check.
# Timings are wall-clock: run it on an otherwise idle machine.
#
# Traces: sveltecomponent and seph-blog1 from tests/data; automerge-paper
# is read from $TRACES_DIR (default ../shared/traces beside the clone) and
# never copied into the repository (no licence).
# Environment: CC (default gcc), CFLAGS (default -O2), TRACES_DIR, NODE.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
traces_dir=${TRACES_DIR:-$top/../shared/traces}
node=${NODE:-node}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

srcs=$(ls "$top"/src/yjs/*.c | grep -v '/yjs-tool\.c$')
# shellcheck disable=SC2086
${CC:-gcc} -std=gnu11 ${CFLAGS:--O2} -DNDEBUG -I"$top/src/yjs" $srcs \
	"$here/crdt-bench.c" -lm -o "$work/crdt-bench"
"$top/tests/node/ensure.sh"

for t in "$top/tests/data/sveltecomponent.json.gz" \
	"$top/tests/data/seph-blog1.json.gz" \
	"$traces_dir/automerge-paper.json.gz"; do
	name=$(basename "$t" .json.gz)
	if [ ! -f "$t" ]; then
		echo "($name: $t not found, skipped)"
		continue
	fi
	"$work/crdt-bench" "$t" >"$work/c.txt"
	"$node" --expose-gc "$here/crdt-bench.mjs" "$t" >"$work/js.txt"
	echo "== $name"
	awk 'NR == FNR { c[$1] = $2; u[$1] = $3; order[++n] = $1; next }
	     { j[$1] = $2 }
	     END {
		printf "%-14s %12s %12s %8s\n", "figure", "C", "yjs", "C/yjs"
		for (i = 1; i <= n; i++) {
			f = order[i]
			r = (j[f] > 0) ? sprintf("%.2f", c[f] / j[f]) : "-"
			printf "%-14s %9s %-2s %9s %-2s %8s\n", f, c[f], u[f], j[f], u[f], r
		}
	     }' "$work/c.txt" "$work/js.txt"
done
