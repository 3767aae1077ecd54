#!/usr/bin/env python3
# randomops.py - the randomized plain-file test of meshfs (random.bats):
# one bounded, seeded random sequence of file operations (create, write at
# an offset, append, truncate, O_TRUNC rewrite, rename - over existing files
# and across folders -, unlink, mkdir, rmdir) applied to a folder on the
# mount and to a local folder alike.  After every step the outcome (success
# or errno) must match and the two trees must be identical (names, kinds,
# sizes, bytes).  Prints the seed first; on a mismatch prints the failing
# step, the operations so far and both trees, and exits 1.
#
# Usage: randomops.py MOUNT_DIR LOCAL_DIR [STEPS [SEED]]
import errno
import os
import random
import sys

NAMES = ["a.txt", "b.bin", "c.txt", "data.dat", "n"]
DIRS = ["", "d1", "d2", "d1/e"]


def tree(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel
        for d in dirnames:
            out[os.path.join(rel, d)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                data = fh.read()
            size = os.stat(p).st_size
            out[os.path.join(rel, f)] = (size, data)
    return out


def show(t):
    lines = []
    for k in sorted(t):
        v = t[k]
        if v == "dir":
            lines.append(f"  {k}/")
        else:
            lines.append(f"  {k} size={v[0]} bytes={v[1][:40]!r}{'...' if len(v[1]) > 40 else ''} len={len(v[1])}")
    return "\n".join(lines) or "  (empty)"


def apply(root, op):
    """Runs op under root; returns 'ok', 'ok:<value>' or the errno name."""
    kind = op[0]
    p = lambda rel: os.path.join(root, rel)
    try:
        if kind == "create":
            with open(p(op[1]), "wb") as f:
                f.write(op[2])
        elif kind == "write":  # at offset, in place
            fd = os.open(p(op[1]), os.O_WRONLY)
            try:
                os.pwrite(fd, op[3], op[2])
            finally:
                os.close(fd)
        elif kind == "append":
            with open(p(op[1]), "ab") as f:
                f.write(op[2])
        elif kind == "truncate":
            os.truncate(p(op[1]), op[2])
        elif kind == "ftruncate":  # truncate through an open handle, then write
            fd = os.open(p(op[1]), os.O_RDWR)
            try:
                os.ftruncate(fd, op[2])
                os.pwrite(fd, op[3], op[2])
            finally:
                os.close(fd)
        elif kind == "rewrite":  # O_TRUNC
            fd = os.open(p(op[1]), os.O_WRONLY | os.O_TRUNC)
            try:
                os.write(fd, op[2])
            finally:
                os.close(fd)
        elif kind == "read":  # read a range through an open handle
            fd = os.open(p(op[1]), os.O_RDONLY)
            try:
                return "ok:" + os.pread(fd, op[3], op[2]).hex()
            finally:
                os.close(fd)
        elif kind == "rename":
            os.rename(p(op[1]), p(op[2]))
        elif kind == "unlink":
            os.unlink(p(op[1]))
        elif kind == "mkdir":
            os.mkdir(p(op[1]))
        elif kind == "rmdir":
            os.rmdir(p(op[1]))
        else:
            raise ValueError(kind)
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def random_op(rng, local):
    """A random operation, chosen against the current local tree so that
    most operations act on things that exist."""
    t = tree(local)
    files = [k for k, v in t.items() if v != "dir"]
    dirs = [k for k, v in t.items() if v == "dir"]
    anyfile = lambda: rng.choice(files) if files and rng.random() < 0.85 else os.path.join(rng.choice(DIRS), rng.choice(NAMES))
    data = lambda: bytes(rng.choice(b"abcdefghij\n{}\"xyz0123456789") for _ in range(rng.choice([0, 1, 7, 100, 3000, 70000])))
    r = rng.random()
    if r < 0.16:
        return ("create", os.path.join(rng.choice(DIRS), rng.choice(NAMES)), data())
    if r < 0.30:
        return ("write", anyfile(), rng.randrange(0, 5000), data())
    if r < 0.42:
        return ("append", anyfile(), data())
    if r < 0.50:
        return ("truncate", anyfile(), rng.choice([0, 1, 10, 4096, 9000]))
    if r < 0.56:
        return ("ftruncate", anyfile(), rng.choice([0, 5, 5000]), data())
    if r < 0.62:
        return ("rewrite", anyfile(), data())
    if r < 0.68:
        return ("read", anyfile(), rng.randrange(0, 4000), rng.choice([1, 100, 8192]))
    if r < 0.82:
        dst = os.path.join(rng.choice(DIRS), rng.choice(NAMES))
        return ("rename", anyfile(), dst)
    if r < 0.90:
        return ("unlink", anyfile())
    if r < 0.95:
        return ("mkdir", rng.choice(DIRS[1:]))
    d = rng.choice(dirs) if dirs else rng.choice(DIRS[1:])
    return ("rmdir", d)


def brief(op):
    return tuple(f"<{len(x)} bytes>" if isinstance(x, bytes) else x for x in op)


def main():
    mnt, local = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else random.randrange(1 << 30)
    print(f"# seed {seed} ({steps} steps): rerun with FS_RANDOM_SEED={seed}", flush=True)
    rng = random.Random(seed)
    done = []
    for i in range(1, steps + 1):
        op = random_op(rng, local)
        a = apply(local, op)
        b = apply(mnt, op)
        done.append(op)
        ta = tree(local)
        tb = tree(mnt)
        if a != b or ta != tb:
            print(f"# seed {seed}: step {i} {brief(op)}: local {a[:60]}, mount {b[:60]}")
            print("# operations:")
            for j, o in enumerate(done, 1):
                print(f"#   {j}: {brief(o)}")
            print("# local tree:")
            for line in show(ta).split("\n"):
                print("#" + line)
            print("# mount tree:")
            for line in show(tb).split("\n"):
                print("#" + line)
            return 1
    print(f"# {steps} steps, trees identical after each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
