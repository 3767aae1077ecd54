#!/bin/sh
# node-test.sh - the common start of the tests/client/*.test scripts: checks
# that node, meshroomd and client-driver are there and that the pinned SDK
# is installed, then runs tests/client/$1 (a node script printing TAP).
#
# Environment: MESHROOMD (default $abs_top_builddir/src/server/meshroomd),
# CLIENT_DRIVER (default $abs_top_builddir/tests/client/client-driver).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_src=${abs_top_srcdir:-$(cd "$here/../.." && pwd)}
top_build=${abs_top_builddir:-$top_src}
MESHROOMD=${MESHROOMD:-$top_build/src/server/meshroomd}
CLIENT_DRIVER=${CLIENT_DRIVER:-$top_build/tests/client/client-driver}
export MESHROOMD CLIENT_DRIVER
node=${NODE:-node}

if ! command -v "$node" >/dev/null 2>&1; then
	echo "1..0 # SKIP node is not available"
	exit 0
fi
for prog in "$MESHROOMD" "$CLIENT_DRIVER"; do
	if [ ! -x "$prog" ]; then
		echo "Bail out! $prog not built"
		exit 1
	fi
done
if ! "$top_src/tests/node/ensure.sh"; then
	echo "Bail out! cannot install the pinned SDK (tests/node/ensure.sh)"
	exit 1
fi
# A bound on the whole script (the steps inside have their own timeouts).
limit=
if command -v timeout >/dev/null 2>&1; then
	limit="timeout -k 10 ${CLIENT_TEST_TIMEOUT:-900}"
fi
abs_top_srcdir=$top_src abs_top_builddir=$top_build \
	exec $limit "$node" "$top_src/tests/client/$1"
