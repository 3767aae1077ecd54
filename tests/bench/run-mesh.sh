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
c_ids=$(get c.txt render_ids_ms)
c_edit=$(get c.txt edit_ms)
js=$(get js.txt stringify_ms)
echo "MeshDocument benchmark: presentation, $(get c.txt elements) elements"
printf '  %-44s %10s ms\n' "C build from JSON (one transaction)" "$(get c.txt build_ms)"
printf '  %-44s %10s ms  (%s bytes)\n' "C render (libyjs walk + JSON text)" "$c_render" "$(get c.txt render_bytes)"
printf '  %-44s %10s ms\n' "C render with \$ids" "$c_ids"
printf '  %-44s %10s ms  (%s bytes)\n' "node JSON.stringify(tree, null, 2)" "$js" "$(get js.txt stringify_bytes)"
printf '  %-44s %10s ms  (%s attribute, %s-byte update)\n' "C one-attribute edit (diff+apply+update)" "$c_edit" "$(get c.txt edit_attrs_set)" "$(get c.txt edit_update_bytes)"
awk -v r="$c_render" -v j="$js" -v e="$c_edit" 'BEGIN {
	printf "  ratios: C render / node stringify = %.2f;  edit / C render = %.2f\n", r / j, e / r }'
