#!/bin/sh
# ensure.sh - make tests/node/node_modules match package-lock.json.
#
# The differential, trace and bench tests use the pinned yjs in tests/node as
# their oracle.  Runs `npm ci` (quietly) when node_modules is missing or was
# installed from a different lockfile (npm records what it installed in
# node_modules/.package-lock.json).  Exit status 0 when ready.
set -eu

dir=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "ensure.sh: node and npm are required (tests/node pins yjs)" >&2
	exit 1
fi

fresh() {
	[ -f "$dir/node_modules/.package-lock.json" ] || return 1
	node -e '
const fs = require("fs");
const want = JSON.parse(fs.readFileSync(process.argv[1])).packages || {};
const have = JSON.parse(fs.readFileSync(process.argv[2])).packages || {};
for (const [k, v] of Object.entries(want)) {
  if (k === "" || v.optional) continue;
  if (!have[k] || have[k].version !== v.version) process.exit(1);
}
' "$dir/package-lock.json" "$dir/node_modules/.package-lock.json"
}

if fresh; then
	exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1); then
	echo "ensure.sh: npm ci failed in $dir:" >&2
	cat "$log" >&2
	exit 1
fi
fresh || {
	echo "ensure.sh: node_modules still does not match package-lock.json" >&2
	exit 1
}
