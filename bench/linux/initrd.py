#!/usr/bin/env python3
"""bench/e2e.sh's Linux initramfs, an uncompressed cpio (newc) archive:
busybox, the program that checksums (as /usr/local/bin/cksum), /init, and
the modules for virtio-blk and ext4 with those they depend on, in the order
insmod needs them (the `depends=` of each module's .modinfo, as
`modinfo -F depends` prints it; no modules.dep needed).

  initrd.py UNPACKED CKSUM INIT OUT
"""
import glob
import os
import re
import sys

WANTED = ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"]


def depends(path):
    m = re.search(rb"(?:^|\0)depends=([^\0]*)", open(path, "rb").read())
    return [d for d in (m.group(1).decode().split(",") if m else []) if d]


def load_order(moddir):
    files = {os.path.basename(p)[:-3].replace("-", "_"): p
             for p in glob.glob(os.path.join(moddir, "**", "*.ko"), recursive=True)}
    order = []

    def visit(name):
        if name in order:
            return
        if name not in files:
            sys.exit(f"initrd: no module {name}.ko under {moddir}")
        for d in depends(files[name]):
            visit(d)
        order.append(name)
    for w in WANTED:
        visit(w)
    return [(n, files[n]) for n in order]


class Cpio:
    def __init__(self, out):
        self.f, self.ino = open(out, "wb"), 1

    def add(self, name, mode, data=b"", rdev=(0, 0)):
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0))
        self.ino += 1
        self.f.write(hdr.encode() + name.encode() + b"\0")
        self.f.write(b"\0" * (-(110 + len(name) + 1) % 4))
        self.f.write(data + b"\0" * (-len(data) % 4))

    def close(self):
        self.add("TRAILER!!!", 0)
        self.f.close()


def main():
    root, cksum, init, out = sys.argv[1:5]
    moddir = glob.glob(os.path.join(root, "lib", "modules", "*"))[0]
    mods = load_order(moddir)
    c = Cpio(out)
    for d in ("bin", "dev", "proc", "sys", "mnt", "etc", "usr", "usr/local", "usr/local/bin",
              "lib", "lib/modules"):
        c.add(d, 0o40755)
    c.add("dev/console", 0o20600, rdev=(5, 1))   # the kernel opens it before devtmpfs is mounted
    c.add("bin/busybox", 0o100755, open(os.path.join(root, "bin", "busybox"), "rb").read())
    c.add("usr/local/bin/cksum", 0o100755, open(cksum, "rb").read())
    c.add("init", 0o100755, open(init, "rb").read())
    # the same one-name-a-line `ls` as the seed's on a terminal
    c.add("etc/profile", 0o100644, b"alias ls='ls -1'\n")
    c.add("modules", 0o100644, " ".join(n for n, _ in mods).encode() + b"\n")
    for n, p in mods:
        c.add(f"lib/modules/{n}.ko", 0o100644, open(p, "rb").read())
    c.close()


if __name__ == "__main__":
    main()
