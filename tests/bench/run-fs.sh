#!/bin/sh
# run-fs.sh - the meshfs benchmark (issue 6 §4): the same files on tmpfs,
# on a trivial passthrough FUSE filesystem over that tmpfs (the FUSE floor,
# tests/bench/fs/passthrough.c) and on meshfs (a meshroomd room on
# loopback), side by side in one run, with the ratio meshfs/floor and the
# target next to each figure.  No assertions: it prints figures.
#
#   hot open-read-close of a 2 KB document   (µs per cycle, 20000 cycles)
#   ls -l of a folder of 10k files           (ms, median of 5, warm)
#   grep -r across 1k documents              (ms, median of 5, warm)
#   save cycle: write temp, rename over, fsync until acknowledged (p50/p99)
#   sustained saves/s with a concurrent reader that parses every read as
#     JSON (must never see a torn or invalid document)
#   remote-change visibility: an SDK edit until cat shows it (p50/p99)
#
# Usage: tests/bench/run-fs.sh [BUILD_DIR]  (default $abs_top_builddir or
# the source tree).  Needs root or fusermount3, libfuse3, cJSON, node with
# tests/node installed.  Wall-clock figures: run it on an idle machine.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-${abs_top_builddir:-$top}}
build=$(cd "$build" && pwd)
meshfs=$build/src/fs/meshfs
meshroomd=$build/src/server/meshroomd
node=${NODE:-node}
cc=${CC:-cc}
for x in "$meshfs" "$meshroomd"; do
	[ -x "$x" ] || { echo "run-fs.sh: $x not built" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fs-bench.XXXXXX")
# tmpfs for the plain side (and the floor's source)
shm=/dev/shm
[ "$(stat -f -c %T "$shm" 2>/dev/null)" = tmpfs ] || shm=$work
plain=$(mktemp -d "$shm/fs-bench-tmpfs.XXXXXX")
pt=$work/floor
mnt=$work/meshfs
srv_pid=
mnt_pid=
pt_pid=

cleanup() {
	for m in "$mnt" "$pt"; do
		if grep -q " $m fuse" /proc/self/mounts 2>/dev/null; then
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || true
		fi
	done
	for p in $mnt_pid $pt_pid $srv_pid; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work" "$plain"
}
trap cleanup EXIT INT TERM

"$top/tests/node/ensure.sh" >/dev/null
$cc -std=gnu11 -O2 -Wall $(pkg-config --cflags fuse3) "$here/fs/passthrough.c" \
	$(pkg-config --libs fuse3) -o "$work/passthrough"
$cc -std=gnu11 -O2 -Wall "$here/fs/fsbench.c" -lcjson -o "$work/fsbench"

wait_mount() { # MNT PID
	i=0
	until grep -q " $1 fuse" /proc/self/mounts; do
		kill -0 "$2" 2>/dev/null || { echo "run-fs.sh: mount of $1 failed" >&2; cat "$1.log" >&2; exit 1; }
		i=$((i + 1))
		[ $i -lt 400 ] || { echo "run-fs.sh: $1 never mounted" >&2; exit 1; }
		sleep 0.05
	done
}

# the room server and meshfs
secret=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
mkdir -p "$work/data" "$mnt" "$pt"
# --max-streams: meshroomd allows 64 streams per connection by default;
# meshfs then keeps fewer idle documents open (-o max_docs, default 32) and
# recycles sessions, which grep -r across 1k documents would measure
# instead of reads.  With the room's limit raised, meshfs is told to keep
# every document of the run open (-o max_docs=1500), as a user with such
# a room would configure it.
MESHAGENT_SECRET=$secret "$meshroomd" --listen 127.0.0.1:0 --print-port \
	--max-streams 2048 --data "$work/data" --schemas "$top/schemas" \
	>"$work/port" 2>"$work/srv.log" &
srv_pid=$!
i=0
until [ -s "$work/port" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "run-fs.sh: meshroomd did not start" >&2; cat "$work/srv.log" >&2; exit 1; }
	sleep 0.05
done
url=ws://127.0.0.1:$(head -n 1 "$work/port")/rooms/bench
token=$("$node" "$top/tests/fs/peer.mjs" token "$secret" bench bench)
printf '%s\n' "$token" >"$work/token"
echo "populating the room (10k files, 1k documents)..." >&2
"$node" "$here/fs/fs-bench.mjs" populate "$url" "$token" "$plain" >/dev/null
"$meshfs" -f -o "token_file=$work/token,max_docs=1500" "$url" "$mnt" >"$mnt.log" 2>&1 &
mnt_pid=$!
wait_mount "$mnt" "$mnt_pid"

# the same files on tmpfs (written by populate), and the floor over them
cmp "$plain/hot.document" "$mnt/hot.document" ||
	echo "run-fs.sh: warning: meshfs renders hot.document differently" >&2
rm -f "$plain/vis.document"
"$work/passthrough" "$plain" "$pt" -f >"$pt.log" 2>&1 &
pt_pid=$!
wait_mount "$pt" "$pt_pid"

# median_ms CMD...: median wall time of 5 runs (after one warm-up), in ms
median_ms() {
	"$@" >/dev/null 2>&1 || true
	for _ in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | sed -n 3p | awk '{ printf "%.2f", $1 / 1000 }'
}

get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

for side in tmpfs floor meshfs; do
	case $side in
	tmpfs) root=$plain ;;
	floor) root=$pt ;;
	meshfs) root=$mnt ;;
	esac
	echo "measuring $side..." >&2
	f=$work/$side.txt
	"$work/fsbench" orc "$root/hot.document" 20000 >"$f"
	"$work/fsbench" save "$root/save.document" 200 >>"$f"
	"$work/fsbench" sustain "$root/sustain.document" 5 >>"$f"
	echo "ls_ms $(median_ms ls -l "$root/ls10k")" >>"$f"
	echo "grep_ms $(median_ms grep -r needle "$root/grep1k")" >>"$f"
	# the figure means something only if grep found every match
	echo "grep_matches $(grep -rl needle "$root/grep1k" 2>/dev/null | wc -l)" >>"$f"
	if [ "$side" = meshfs ]; then
		echo "measuring meshfs: visibility..." >&2
		"$node" "$here/fs/fs-bench.mjs" visibility "$url" "$token" "$mnt" 200 >>"$f"
	fi
done

echo "meshfs benchmark: tmpfs, the FUSE floor (passthrough over tmpfs) and meshfs (meshroomd on loopback, --max-streams 2048; meshfs -o max_docs=1500)"
printf '%-30s %10s %10s %10s %8s  %s\n' figure tmpfs floor meshfs ratio target
row() { # LABEL KEY TARGET [noratio]
	t=$(get "$work/tmpfs.txt" "$2")
	p=$(get "$work/floor.txt" "$2")
	m=$(get "$work/meshfs.txt" "$2")
	awk -v l="$1" -v t="${t:--}" -v p="${p:--}" -v m="${m:--}" -v g="$3" -v nr="${4:-}" 'BEGIN {
		r = (nr == "" && p + 0 > 0) ? sprintf("%.2fx", m / p) : "-"
		printf "%-30s %10s %10s %10s %8s  %s\n", l, t, p, m, r, g
	}'
}
row "open-read-close 2 KB (us)" orc_us "<= 1.5x floor"
row "ls -l 10k files (ms)" ls_ms "<= 2x floor"
row "grep -r 1k documents (ms)" grep_ms "<= 2x floor"
row "  files matched" grep_matches "10 (else the time is void)" noratio
row "save cycle p50 (ms)" save_p50_ms "<= 10 ms" noratio
row "save cycle p99 (ms)" save_p99_ms "" noratio
row "sustained saves/s" saves_per_s "" noratio
row "  concurrent reads" reads "" noratio
row "  torn/invalid reads" bad_reads "must be 0" noratio
row "visibility p50 (ms)" vis_p50_ms "" noratio
row "visibility p99 (ms)" vis_p99_ms "<= 100 ms" noratio
