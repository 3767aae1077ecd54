#!/bin/sh
# run.sh - builds the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined, the library sources compiled in) and
# runs each for a bounded time on a copy of its seed corpus.  Prints TAP, one
# result per target:
#   fuzz-update  libyjs: apply/dump/state vectors/JSON   corpus/
#   fuzz-proto   src/proto: packets -> messages -> tokens  proto-corpus/
#   fuzz-schema  src/mesh: schema parse/emit, validation  schemas/*.json
#   fuzz-ws      src/client/ws.c: handshake response, frames  ws-corpus/
#
# Environment: FUZZ_SECONDS (per target, default 40), CC (default clang),
# FUZZ_JOBS (parallel fuzzing jobs, default 1), FUZZ_TARGETS (default all
# four), FUZZ_KEEP=1 keeps the work directory (grown corpus, crash files).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
seconds=${FUZZ_SECONDS:-40}
targets=${FUZZ_TARGETS:-fuzz-update fuzz-proto fuzz-schema fuzz-ws}
cjson_cflags=$(pkg-config --cflags libcjson 2>/dev/null)
cjson_libs=$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)

n=0
for t in $targets; do
	n=$((n + 1))
done
echo "1..$n"
if ! command -v "$cc" >/dev/null 2>&1; then
	i=0
	for t in $targets; do
		i=$((i + 1))
		echo "ok $i - $t # SKIP $cc is not available"
	done
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
	trap 'echo "# work directory kept: $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi

# build TARGET: compile one target with the sources it fuzzes
build() {
	case $1 in
	fuzz-update)
		srcs=$(ls "$top"/src/yjs/*.c | grep -v '/yjs-tool\.c$')
		inc="-I$top/src/yjs" libs="-lm"
		;;
	fuzz-proto)
		srcs="$(ls "$top"/src/util/*.c) $(ls "$top"/src/proto/*.c)"
		inc="-I$top/src/util -I$top/src/proto $cjson_cflags"
		libs="$cjson_libs -lcrypto -lm"
		;;
	fuzz-schema)
		srcs="$top/src/mesh/json.c $top/src/mesh/schema.c $top/src/mesh/validate.c"
		inc="-I$top/src/mesh -I$top/src/yjs $cjson_cflags" libs="$cjson_libs -lm"
		;;
	fuzz-ws)
		srcs="$(ls "$top"/src/util/*.c) $top/src/client/ws.c"
		inc="-I$top/src/util -I$top/src/client $cjson_cflags"
		libs="$cjson_libs -lcrypto -lm"
		;;
	esac
	# shellcheck disable=SC2086
	"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $inc $srcs "$here/$1.c" \
		$libs -o "$work/$1/$1" 2>"$work/$1/build.log"
}

# seed TARGET: fill $work/TARGET/corpus
seed() {
	case $1 in
	fuzz-update) cp "$here"/corpus/* "$work/$1/corpus/" ;;
	fuzz-proto) cp "$here"/proto-corpus/* "$work/$1/corpus/" ;;
	fuzz-schema) cp "$top"/schemas/*.json "$work/$1/corpus/" ;;
	fuzz-ws) cp "$here"/ws-corpus/* "$work/$1/corpus/" ;;
	esac
}

failed=0
i=0
for t in $targets; do
	i=$((i + 1))
	mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
	if ! build "$t"; then
		sed 's/^/# /' "$work/$t/build.log"
		echo "not ok $i - $t builds"
		failed=1
		continue
	fi
	seed "$t"
	jobs=
	[ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
	# (from the target's directory: libFuzzer writes fuzz-N.log files
	# into the current directory)
	# shellcheck disable=SC2086
	(cd "$work/$t" && MESH_SCHEMAS_DIR="$top/schemas" ./"$t" \
		-max_total_time="$seconds" -max_len=8192 -timeout=10 \
		-rss_limit_mb=2048 $jobs -print_final_stats=1 \
		-artifact_prefix="$work/$t/artifacts/" corpus >fuzz.log 2>&1)
	rc=$?
	[ -n "$jobs" ] && cat "$work/$t"/fuzz-*.log >>"$work/$t/fuzz.log" 2>/dev/null
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/fuzz.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok $i - $t ${runs:-?} runs in ${seconds}s"
	else
		grep -v '^#\|^INFO\|NEW \|REDUCE \|pulse \|RELOAD ' "$work/$t/fuzz.log" | tail -n 60 | sed 's/^/# /'
		for f in "$work/$t"/artifacts/*; do
			[ -f "$f" ] && echo "# crash input ($f): $(od -An -v -tx1 "$f" | tr -d ' \n' | cut -c1-400)"
		done
		echo "not ok $i - $t ${runs:-?} runs (exit $rc)"
		failed=1
	fi
done
exit $failed
