#!/bin/sh
# run-mesh.sh - the MeshDocument benchmark (issue §6): render of a
# 10k-element document in C (libyjs + libmesh, -O2) vs node's
# JSON.stringify of the same tree as plain JS objects, and a one-attribute
# edit (diff + CRDT operations + update) vs a full render.  Not part of
# make check.  Usage: tests/bench/run-mesh.sh (from anywhere).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mesh-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

srcs=$(ls "$top"/src/yjs/*.c "$top"/src/mesh/*.c | grep -v yjs-tool.c)
${CC:-cc} -std=gnu11 -O2 -DNDEBUG -I"$top/src/yjs" -I"$top/src/mesh" \
	$srcs "$top/tests/bench/mesh-bench.c" -lcjson -lm -o "$work/mesh-bench"
"$work/mesh-bench" "$top/schemas/presentation.json" >"$work/c.txt"
${NODE:-node} "$top/tests/bench/mesh-bench.mjs" >"$work/js.txt"

get() { awk -v k="$2" '$1 == k { print $2 }' "$work/$1"; }
c_render=$(get c.txt render_ms)
c_edit=$(get c.txt edit_ms)
c_full=$(get c.txt edit_full_ms)
js=$(get js.txt stringify_ms)
echo "MeshDocument benchmark: presentation, $(get c.txt elements) elements (medians of 21 runs, both sides)"
printf '  %-46s %10s ms\n' "C build from JSON (one transaction)" "$(get c.txt build_ms)"
printf '  %-46s %10s ms\n' "C render with \$ids" "$(get c.txt render_ids_ms)"
printf '  %-46s %10s ms\n' "C render + index (what the FS layer keeps)" "$(get c.txt render_indexed_ms)"
printf '  %-46s %10s ms  (%s attribute, %s-byte update)\n' "C edit, full path (parse both texts)" "$c_full" "$(get c.txt edit_full_attrs_set)" "$(get c.txt edit_update_bytes)"
echo
printf '  %-34s %10s %10s %10s  %s\n' "figure" "C ms" "node ms" "ratio" "target"
awk -v r="$c_render" -v j="$js" -v e="$c_edit" -v f="$c_full" 'BEGIN {
	printf "  %-34s %10.3f %10.3f %10.2f  %s\n", "render (1.38 MB JSON)", r, j, r / j, "C/node <= 2"
	printf "  %-34s %10.3f %10.3f %10.3f  %s\n", "one-attribute edit (fast path)", e, r, e / r, "edit/C render <= 0.1"
	printf "  %-34s %10.3f %10.3f %10.3f  %s\n", "one-attribute edit (full path)", f, r, f / r, "(for comparison)"
}'
