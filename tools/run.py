#!/usr/bin/env python3
"""`make run`: boot a configuration with the serial console on this terminal.

  run.py [--build BUILD] [--disk IMAGE] [--root DEVICE] CFG

A configuration says where it wants the root disk with a comment line
`# disk: virtio`, `# disk: ide`, `# disk: nvme` (namespace 1 of an NVMe
controller whose QEMU id is nvme0) or `# disk: sata` (port 0 of an AHCI
controller whose QEMU id is ahci0, so that QEMU_ARGS can add disks on its
other ports: `-device ide-hd,drive=X,bus=ahci0.2`); --disk attaches IMAGE
there.  --root
replaces the device that ext2fs mounts (vd0s1 in boot/default.cfg) with
DEVICE, for instance vd0 for a disk that holds a file system without a
partition table.  QEMU_ARGS adds QEMU arguments.

A disk that boots by itself (GRUB in its MBR: `make image`, tools/bootdisk.py)
boots from its own GRUB, kernel and servers with the default configuration
and no --root: QEMU gets that disk only (-drive, no ISO).  Any other disk,
CONFIG or ROOT boots from an ISO of the build, as the first line printed says.

On a terminal, QEMU gets the terminal, and Ctrl-C is a character for the
guest (its terminal interrupts the foreground program) instead of a signal
that ends QEMU: the serial port is QEMU's stdio character device with
signals off, multiplexed with QEMU's monitor, so Ctrl-A X still leaves QEMU
by force (without the guest's write-back; `halt` is the clean way out).  With standard input from a pipe or a
file, each input line is typed once the shell's prompt (`# ` at the start of
a line) is on the console, so `printf 'ls /\\nhalt\\n' | make run` is a
complete session; when the input ends and the guest does not end by itself
(`halt`), QEMU is stopped after the prompt has been idle a while.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402  (the ISO maker and the configuration checks)
import bootdisk  # noqa: E402  (whether a disk carries GRUB)
import console  # noqa: E402  (typing at the console once the prompt is there)

FIRST_PROMPT_WAIT = 900.0   # seconds: a whole boot under TCG on a busy machine
PROMPT_WAIT = 600.0         # seconds for one command to finish
IDLE_AFTER_INPUT = 15.0     # seconds at the prompt once the input has ended


def disk_hint(cfg):
    with open(cfg) as f:
        for line in f:
            m = re.match(r"#\s*disk:\s*(virtio|ide|sata|nvme)\s*$", line)
            if m:
                return m.group(1)
    return None


def disk_args(hint, image):
    """QEMU arguments that attach IMAGE where a `# disk:` line says."""
    if hint == "sata":
        return ["-device", "ahci,id=ahci0",
                "-drive", f"file={image},if=none,id=rootdisk,format=raw",
                "-device", "ide-hd,drive=rootdisk,bus=ahci0.0"]
    if hint == "nvme":
        return ["-drive", f"file={image},if=none,id=rootdisk,format=raw",
                "-device", "nvme,id=nvme0,serial=seed0,drive=rootdisk"]
    return ["-drive", f"file={image},if={hint},format=raw"]


def with_root(cfg, root, build):
    """A copy of CFG in which ext2fs mounts ROOT."""
    device = re.compile(r"^(?:(?:vd|hd|wd|nd)\d+(?:s\d+)?|part:\d+:device:\w+)$")
    out, changed = [], 0
    with open(cfg) as f:
        for line in f:
            words = line.split(" ")
            if line.startswith("module ") and "ext2fs" in words[1]:
                for i, w in enumerate(words):
                    if device.match(w.strip()):
                        words[i] = root + ("\n" if w.endswith("\n") else "")
                        changed += 1
            out.append(" ".join(words))
    if changed != 1:
        sys.exit(f"run: ROOT={root}: {boottest.rel(cfg)} has no ext2fs device argument to replace")
    path = os.path.join(build, "run", os.path.basename(cfg))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("".join(out))
    return path


def terminal_console(base):
    """BASE with the serial console on this terminal, Ctrl-C passed to the guest
    (signal=off) and QEMU's monitor behind Ctrl-A (mux=on) to leave by force."""
    out, i = [], 0
    while i < len(base):
        if base[i] in ("-serial", "-monitor") and i + 1 < len(base):
            i += 2
            continue
        out.append(base[i])
        i += 1
    return out + ["-chardev", "stdio,id=con,mux=on,signal=off",
                  "-serial", "chardev:con", "-mon", "chardev=con,mode=readline"]


def scripted(cmd):
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    con = console.Console(proc, sys.stdout.buffer, keep=4096)
    first = True
    for line in sys.stdin:
        if con.until_prompt(FIRST_PROMPT_WAIT if first else PROMPT_WAIT) is None:
            break
        first = False
        con.type(line.rstrip("\n"))
    else:
        # input done: wait for the guest to end, or for an idle prompt
        while proc.poll() is None:
            if con.until_prompt(PROMPT_WAIT) is not None and not con.busy(IDLE_AFTER_INPUT):
                print("\nrun: the input ended and the guest still runs (end it with `halt`); "
                      "stopping QEMU", file=sys.stderr)
                proc.kill()
                break
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    if proc.poll() is not None and code not in (0, -9):
        print(f"run: QEMU ended with status {code}", file=sys.stderr)
    return 0 if code in (0, -9) else 1


def qemu_args(build):
    b = os.path.abspath(build)
    return [x.replace("${BUILD}", b).replace("$BUILD", b)
            for x in shlex.split(os.environ.get("QEMU_ARGS", ""))]


def self_boot(a):
    """The QEMU command that boots A.disk by itself, or None."""
    if not a.disk or a.root or os.path.basename(a.cfg) != "default.cfg" \
            or not bootdisk.carries_grub(a.disk):
        return None
    print(f"run: booting {a.disk} by itself: its GRUB, /boot and /hurd (no ISO); "
          "QEMU ends when the guest halts", file=sys.stderr)
    return [boottest.QEMU] + boottest.DISK_BOOT_BASE + \
        ["-drive", f"file={a.disk},if=virtio,format=raw"]


def main():
    ap = argparse.ArgumentParser(description="Boot a configuration (see the top of this file).")
    ap.add_argument("--build", default="build")
    ap.add_argument("--disk", help="the disk image to attach where the configuration wants it")
    ap.add_argument("--root", help="the device ext2fs mounts instead of the configuration's")
    ap.add_argument("cfg")
    a = ap.parse_args()
    cfg = a.cfg
    if a.disk and not os.path.isfile(a.disk):
        sys.exit(f"run: no disk image {a.disk}")
    cmd = self_boot(a)
    if cmd:
        cmd += qemu_args(a.build)
        sys.stderr.flush()
        if sys.stdin.isatty():
            os.execvp(cmd[0], cmd)
        return scripted(cmd)
    hint = disk_hint(cfg)
    if a.root:
        cfg = with_root(cfg, a.root, a.build)
    extra = []
    if a.disk:
        if hint is None:
            print(f"run: {boottest.rel(a.cfg)} takes no disk (no `# disk:` line); "
                  f"{a.disk} is not attached", file=sys.stderr)
        else:
            extra = disk_args(hint, a.disk)
    try:
        boottest.parse_cfg(cfg, a.build)
        note = boottest.bootchain_check(cfg, a.build, hint="to boot it all the same, "
                                        "set BOOTCHAIN=none")
        if note:
            print(f"run: {note}", file=sys.stderr)
        iso = boottest.make_iso(cfg, a.build)
    except boottest.Error as e:
        sys.exit(f"run: {e}")
    extra += qemu_args(a.build)
    cmd = [boottest.QEMU, "-cdrom", iso] + boottest.QEMU_BASE + extra
    print(f"run: booting {boottest.rel(a.cfg)} from an ISO of {a.build} (GRUB, kernel, servers)"
          + (f" with {a.disk} on {hint}" if a.disk and hint else "")
          + "; QEMU ends when the guest halts", file=sys.stderr)
    sys.stderr.flush()
    if sys.stdin.isatty():
        print("run: Ctrl-C goes to the guest; to leave QEMU by force press Ctrl-A then X "
              "(that skips the file system's write-back: `halt` first keeps your changes)",
              file=sys.stderr)
        sys.stderr.flush()
        cmd = [boottest.QEMU, "-cdrom", iso] + terminal_console(boottest.QEMU_BASE) + extra
        os.execvp(cmd[0], cmd)
    return scripted(cmd)


if __name__ == "__main__":
    sys.exit(main())
