#!/bin/sh
# run-client.sh - the room client benchmark (issue 5 §4): open-describe-
# close round trips per second and 1 MB upload and download throughput
# through our client (libclient, driven by tests/client/client-driver)
# against the TypeScript SDK 0.39.9 doing the same against the same
# meshroomd in one run (tests/bench/client/bench.mjs).  Prints the figures
# side by side with the ratio ours/SDK (target >= 3).  Not part of make
# check.  Timings are wall-clock: run it on an otherwise idle machine.
#
# Usage: tests/bench/run-client.sh [BUILD_DIR]
# BUILD_DIR: a configured build tree (default: one configured at -O2 in
# $TMPDIR/meshfs-client-bench, kept between runs); meshroomd and
# client-driver are (re)built in it.
# Environment: NODE, REPS (batches, default 5), ODC (round trips per batch,
# default 200), XFER (1 MB transfers per batch, default 5).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
node=${NODE:-node}
build=${1:-${TMPDIR:-/tmp}/meshfs-client-bench}

if [ ! -f "$build/Makefile" ]; then
	mkdir -p "$build"
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	(cd "$build" && "$top/configure" CFLAGS=-O2 >configure.log 2>&1) || {
		echo "run-client.sh: configure failed, see $build/configure.log" >&2
		exit 1
	}
fi
build=$(cd "$build" && pwd)
make -C "$build" -j2 src/server/meshroomd tests/client/client-driver \
	>"$build/bench-make.log" 2>&1 || {
	echo "run-client.sh: build failed, see $build/bench-make.log" >&2
	exit 1
}
"$top/tests/node/ensure.sh"

res=$(abs_top_srcdir=$top abs_top_builddir=$build "$node" "$here/client/bench.mjs")
echo "Room client benchmark: our client (C, libclient) vs TypeScript SDK 0.39.9,"
echo "same meshroomd, one after the other; medians of ${REPS:-5} batches"
echo "(${ODC:-200} round trips, ${XFER:-5} x 1 MB transfers per batch)"
echo
printf '  %-34s %12s %12s %8s  %s\n' "figure" "ours" "SDK" "ratio" "target"
echo "$res" | awk '{
	name = $1
	if (name == "odc") name = "open-describe-close (/s)"
	else if (name == "upload") name = "1 MB upload (MB/s)"
	else if (name == "download") name = "1 MB download (MB/s)"
	r = ($3 > 0) ? $2 / $3 : 0
	printf "  %-34s %12s %12s %8.2f  %s\n", name, $2, $3, r, "ours/SDK >= 3"
}'
