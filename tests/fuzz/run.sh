#!/bin/sh
# run.sh - builds tests/fuzz/fuzz-update.c with clang and libFuzzer
# (-fsanitize=fuzzer,address,undefined, the libyjs sources compiled in) and
# runs it for a bounded time on a copy of tests/fuzz/corpus.  Prints TAP.
#
# Environment: FUZZ_SECONDS (default 60), CC (default clang),
# FUZZ_JOBS (parallel fuzzing jobs, default 1), FUZZ_KEEP=1 keeps the
# work directory (grown corpus, crash files).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
seconds=${FUZZ_SECONDS:-60}

echo "1..1"
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "ok 1 # SKIP $cc is not available"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
	trap 'echo "# work directory kept: $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi

srcs=$(ls "$top"/src/yjs/*.c | grep -v '/yjs-tool\.c$')
# shellcheck disable=SC2086
if ! "$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$top/src/yjs" \
	$srcs "$here/fuzz-update.c" -lm -o "$work/fuzz-update" 2>"$work/build.log"; then
	sed 's/^/# /' "$work/build.log"
	echo "not ok 1 - fuzz-update builds"
	exit 1
fi
mkdir "$work/corpus" "$work/artifacts"
cp "$here"/corpus/* "$work/corpus/"
jobs=
[ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
# (from $work: libFuzzer writes fuzz-N.log files into the current directory)
# shellcheck disable=SC2086
(cd "$work" && ./fuzz-update -max_total_time="$seconds" -max_len=4096 \
	-timeout=10 -rss_limit_mb=2048 $jobs -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" corpus >fuzz.log 2>&1)
rc=$?
[ -n "$jobs" ] && cat "$work"/fuzz-*.log >>"$work/fuzz.log" 2>/dev/null
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - fuzz-update ${runs:-?} runs in ${seconds}s"
else
	grep -v '^#\|^INFO\|NEW \|REDUCE \|pulse \|RELOAD ' "$work/fuzz.log" | tail -n 60 | sed 's/^/# /'
	for f in "$work"/artifacts/*; do
		[ -f "$f" ] && echo "# crash input ($f): $(od -An -v -tx1 "$f" | tr -d ' \n' | cut -c1-400)"
	done
	echo "not ok 1 - fuzz-update ${runs:-?} runs (exit $rc)"
	exit 1
fi
