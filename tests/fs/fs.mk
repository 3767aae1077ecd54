# tests/fs/fs.mk - the meshfs integration tests (bats against real mounts
# of a real meshroomd, with the TypeScript SDK as the other participant)
# and the meshfs benchmark's files.  Included from src/fs/local.mk.
#
# Helpers: lib.bash (servers, tokens, mounts, cleanup), peer.mjs (the SDK
# participant), randomops.py (the randomized test's driver).
EXTRA_DIST += tests/fs/lib.bash tests/fs/peer.mjs tests/fs/randomops.py
# The benchmark (not part of make check): tests/bench/run-fs.sh.
EXTRA_DIST += tests/bench/run-fs.sh tests/bench/fs/passthrough.c \
	tests/bench/fs/fsbench.c tests/bench/fs/fs-bench.mjs
# Tests (only those that pass against the meshfs in the tree).
script_tests += tests/fs/tools.bats
script_tests += tests/fs/editors.bats
script_tests += tests/fs/invalid.bats
script_tests += tests/fs/remote.bats
script_tests += tests/fs/outage.bats
script_tests += tests/fs/twomounts.bats
script_tests += tests/fs/readonly.bats
script_tests += tests/fs/random.bats
script_tests += tests/fs/embedded.bats
