#!/usr/bin/env python3
"""The console half of bench/e2e.sh: boots each column's system under QEMU,
types the steps at its serial console, times each from the host (from the
line typed to the next prompt), checks each step's output, and prints the
table with each column's ratio to the first.

  e2e.py --crc CRC --size BYTES COLUMN...

A COLUMN is NAME=KIND:IMAGE[:ARG], KIND one of seed (boot/default.cfg
from build ARG, the image on virtio), ide (boot/ide.cfg from build ARG, the
image on IDE), linux (ARG is the folder holding vmlinuz and initrd; the
image on virtio, mounted as ext2) and linux3 (the same, mounted as ext3:
with the journal, a sync flushes the disk as the seed's does).  Each column boots its own copy of IMAGE; after the run
e2fsck -fn must find that copy clean.  Exit status 1 when a step's output
or e2fsck is wrong or a system did not answer; never on speed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import boottest  # noqa: E402  (the ISO maker)
import console  # noqa: E402  (typing at the console, waiting for the prompt)

# busybox's line editor asks the terminal where the cursor is (ESC [6n)
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BOOT_WAIT = 600.0
STEP_WAIT = 600.0
PART_OFFSET = 1048576       # partition 1 of the images tools/mkdisk.sh makes

# (row, command, timed); the untimed ones check what the timed ones did
STEPS = [
    ("cksum 64 MiB, cold", "cksum big", True),
    ("cksum 64 MiB, warm", "cksum big", True),
    ("cp of the 64 MiB file", "cp big big2", True),
    ("sync after it", "sync", True),
    (None, "cksum big2", False),
    ("cp -r of /bin", "cp -r bin bincopy", True),
    (None, "cksum bin/cksum bincopy/cksum bin/sh bincopy/sh", False),
    ("rm -rf of that and the copy", "rm -rf bincopy big2", True),
    (None, "ls", False),
]
ROWS = ["boot to the first prompt"] + [r for r, _, t in STEPS if t]


def qemu_command(kind, image, arg):
    base = [boottest.QEMU, "-m", "256", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot"]
    if kind.startswith("linux"):
        return base + ["-kernel", os.path.join(arg, "vmlinuz"),
                       "-initrd", os.path.join(arg, "initrd.cpio"),
                       "-append", "console=ttyS0 quiet" + (" e2efs=ext3" if kind == "linux3" else ""),
                       "-drive", f"file={image},if=virtio,format=raw"]
    cfg = os.path.join(HERE, "..", "boot", "default.cfg" if kind == "seed" else "ide.cfg")
    iso = boottest.make_iso(cfg, arg, quiet=True)
    return base + ["-boot", "order=d", "-cdrom", iso,
                   "-drive", f"file={image},if={'virtio' if kind == 'seed' else 'ide'},format=raw"]


def expected(cmd, crc, size, out):
    """None when OUT is what CMD must print, else what is wrong."""
    lines = [l for l in out.splitlines() if l.strip() and l.strip() != cmd]
    if cmd.startswith("cksum big"):
        want = [f"{crc} {size} {cmd.split()[1]}"]
        return None if lines == want else f"printed {lines!r}, want {want!r}"
    if cmd.startswith("cksum bin/"):
        sums = [l.split()[:2] for l in lines]
        ok = len(sums) == 4 and sums[0] == sums[1] and sums[2] == sums[3]
        return None if ok else f"copies differ: {lines!r}"
    if cmd == "ls":
        return None if "big" in lines and not {"big2", "bincopy"} & set(lines) \
            else f"ls after rm -rf shows {lines!r}"
    return None if not lines else f"printed {lines!r}"


def run_column(name, kind, image, arg, crc, size, logdir):
    """{row: seconds} for one system, and a list of what went wrong."""
    times, bad = {}, []
    with open(os.path.join(logdir, f"e2e-{name}.log"), "wb") as log:
        start = time.monotonic()
        con = console.boot(qemu_command(kind, image, arg), log, escapes=ESCAPE)
        got = con.until_prompt(BOOT_WAIT)
        if got is None:
            con.end(0)
            return times, [f"{name}: no prompt after {BOOT_WAIT:.0f} s"]
        times[ROWS[0]] = got[1] - start
        for row, cmd, timed in STEPS:
            typed = con.type(cmd)
            got = con.until_prompt(STEP_WAIT)
            if got is None:
                bad.append(f"{name}: `{cmd}` did not come back to the prompt")
                break
            if timed:
                times[row] = got[1] - typed
            why = expected(cmd, crc, size, got[0])
            if why:
                bad.append(f"{name}: `{cmd}` {why}")
        con.type("cd /; umount /mnt; reboot -f" if kind.startswith("linux") else "halt")
        if not con.end():
            bad.append(f"{name}: did not halt within 60 s")
    fsck = subprocess.run(["e2fsck", "-fn", f"{image}?offset={PART_OFFSET}"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if fsck.returncode != 0:
        bad.append(f"{name}: e2fsck -fn finds errors:\n" + fsck.stdout.decode(errors="replace"))
    return times, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--crc", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--logdir", default="build/logs")
    ap.add_argument("columns", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.logdir, exist_ok=True)
    cols, bad = [], []
    for spec in a.columns:
        name, rest = spec.split("=", 1)
        kind, image, arg = (rest.split(":") + [""])[:3]
        copy = os.path.join(os.path.dirname(image), f"e2e-{name}.img")
        shutil.copyfile(image, copy)
        # the host writes its dirty pages (this copy, the images just
        # made) back now, not in the middle of some column's steps
        os.sync()
        print(f"e2e: {name}: booting {kind}", file=sys.stderr, flush=True)
        times, wrong = run_column(name, kind, copy, arg, a.crc, a.size, a.logdir)
        cols.append((name, times))
        bad += wrong
    width = max(len(r) for r in ROWS)
    head = f"{'step':<{width}}" + "".join(f" {n:>10}" for n, _ in cols)
    head += "".join(f" {n + '/' + cols[0][0]:>14}" for n, _ in cols[1:])
    print(head)
    for row in ROWS:
        line = f"{row:<{width}}"
        for _, t in cols:
            line += f" {t[row]:>9.2f}s" if row in t else f" {'-':>10}"
        for _, t in cols[1:]:
            base = cols[0][1].get(row)
            line += f" {t[row] / base:>13.2f}x" if row in t and base else f" {'-':>14}"
        print(line)
    for b in bad:
        print(f"e2e: {b}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
