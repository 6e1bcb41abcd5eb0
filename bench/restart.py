#!/usr/bin/env python3
"""The console half of bench/restart.sh: boots one configuration with and
without its disk server's fault injection, on copies of one image, types
a 64 MiB copy and a sync at the serial console, and times them from the
host (from the line typed to the next prompt).

  restart.py --cfg CFG --image IMG --crc CRC --size BYTES [--rounds N]

CFG is a restart scenario's configuration (tests/boot/restart-copy*.cfg);
its diskdrv line's --crash-* options are dropped for the run without a
crash, nothing else changes.  Each run checks the copy's cksum against
CRC, halts, and has e2fsck -fn check its image.  From the crash runs'
consoles: pci-arbiter's and ext2fs's own figures (guest clock, 10 ms
ticks), and the host's time from the fault line to the line saying the
partition was reopened through the new start (its first requests served).
Exit status 1 when a run went wrong; never on speed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import boottest  # noqa: E402  (the ISO maker)
import console  # noqa: E402  (typing at the console, waiting for the prompt)
import run  # noqa: E402  (disk_hint, disk_args)

PART_OFFSET = 1048576
WAIT = 600.0
CRASH_OPTION = re.compile(r" --crash-[a-z-]+(=\d+)?")


def one_run(name, cfg, image, crc, size, logdir, build):
    """{figure: value} of one boot, and what went wrong."""
    got, bad = {}, []
    iso = boottest.make_iso(cfg, build, quiet=True)
    cmd = [boottest.QEMU, "-m", "256", "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-no-reboot", "-boot", "order=d", "-cdrom", iso] + run.disk_args(run.disk_hint(cfg), image)
    with open(os.path.join(logdir, f"bench-restart-{name}.log"), "wb") as log:
        con = console.boot(cmd, log, lines=True)
        if con.until_prompt(WAIT) is None:
            con.end(0)
            return got, [f"{name}: no prompt after {WAIT:.0f} s"]
        for step, line in (("cp", "cp /big /tmp/big"), ("sync", "sync"), (None, "cksum /tmp/big")):
            typed = con.type(line)
            out = con.until_prompt(WAIT)
            if out is None:
                bad.append(f"{name}: `{line}` did not come back to the prompt within {WAIT:.0f} s")
                break
            if step:
                got[step] = out[1] - typed
            text = [l for l in out[0].splitlines() if l.strip() and l.strip() != line
                    and not re.match(r"(diskdrv|ext2fs|pci-arbiter|irq handler)", l)]
            want = [f"{crc} {size} /tmp/big"] if step is None else []
            if text != want:
                bad.append(f"{name}: `{line}` printed {text!r}, want {want!r}")
        con.type("halt")
        if not con.end():
            bad.append(f"{name}: did not halt within 60 s")
        fault = con.first(r"diskdrv: --crash-after: faulting now")
        reopened = con.first(r"reopened through the new disk server after (\d+) ms")
        ready = con.first(r"service was interrupted for (\d+) ms")
        if fault and reopened:
            got["fault->reopened, host"] = (reopened[0] - fault[0]) * 1000
        if reopened:
            got["death->reopened, ext2fs"] = int(reopened[1].group(1))
        if ready:
            got["death->ready, arbiter"] = int(ready[1].group(1))
        if con.first(r"died: ") and not reopened:
            bad.append(f"{name}: the disk server died and the partition was not reopened")
    fsck = subprocess.run(["e2fsck", "-fn", f"{image}?offset={PART_OFFSET}"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if fsck.returncode != 0:
        bad.append(f"{name}: e2fsck -fn finds errors:\n" + fsck.stdout.decode(errors="replace"))
    return got, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cfg", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--crc", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    logdir = os.path.join(a.build, "logs")
    os.makedirs(logdir, exist_ok=True)
    base = os.path.splitext(os.path.basename(a.cfg))[0]
    plain = os.path.join(a.build, f"bench-{base}-nocrash.cfg")
    with open(a.cfg) as f, open(plain, "w") as out:
        out.write("".join(CRASH_OPTION.sub("", l) if l.startswith("module /bin/diskdrv") else l for l in f))
    runs, bad = [], []
    for r in range(a.rounds):
        order = ((False, plain), (True, a.cfg))
        for crash, cfg in order if r % 2 == 0 else order[::-1]:   # neither always first
            name = f"{base}-{'crash' if crash else 'nocrash'}-{r + 1}"
            image = os.path.join(os.path.dirname(a.image), f"bench-restart-{name}.img")
            shutil.copyfile(a.image, image)
            print(f"restart: {name}: booting", file=sys.stderr, flush=True)
            got, wrong = one_run(name, cfg, image, a.crc, a.size, logdir, a.build)
            os.unlink(image)
            runs.append((crash, got))
            bad += wrong
    mib = int(a.size) / 1048576
    print(f"{'run':<10} {'cp s':>7} {'sync s':>7} {'MiB/s':>7} {'ready ms':>9} {'reopen ms':>10} {'host ms':>8}")
    for crash, g in runs:
        cp, sync = g.get("cp"), g.get("sync")
        rate = f"{mib / (cp + sync):7.2f}" if cp and sync else f"{'-':>7}"

        def f(k, w, fmt):
            return format(g[k], fmt).rjust(w) if k in g else "-".rjust(w)
        print(f"{'crash' if crash else 'no crash':<10} {f('cp', 7, '.2f')} {f('sync', 7, '.2f')} {rate} "
              f"{f('death->ready, arbiter', 9, 'd')} {f('death->reopened, ext2fs', 10, 'd')} "
              f"{f('fault->reopened, host', 8, '.0f')}")
    for b in bad:
        print(f"restart: {b}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
