#!/usr/bin/env python3
"""The boot loader and /boot of a self-contained disk (tools/mkimage.sh --boot).

  bootdisk.py stage FOLDER BUILD   put /boot/gnumach-1.8-486.gz, the servers
                                   under /hurd/ and /boot/grub/grub.cfg in FOLDER
  bootdisk.py install IMAGE        write GRUB for BIOS into IMAGE's MBR and the
                                   gap before partition 1
  bootdisk.py carries-grub IMAGE   status 0 when IMAGE's MBR holds this GRUB

grub.cfg has one menu entry for each chain in boot/*.cfg that mounts a root
disk (a `# disk: KIND` line), boot/default.cfg first.  Each entry is its
configuration with /bin/SERVER read from /hurd/SERVER, as upstream places the
servers, and the root named on the kernel line (`root=part:1:device:vd0`): the
kernel turns every NAME=VALUE word of its command line into a boot-script
variable, and the file system server's line takes '${root}'; editing the
kernel line in GRUB's menu (`e`) picks another root.  Each entry must pass
`bootchain check` (BUILD/host/bootchain, when built), which reads the entries
of a grub.cfg one by one.

GRUB is installed without root privileges or loop devices, the way
grub-bios-setup installs it on a disk with an MBR gap: core.img (Debian's
grub-mkimage, with the modules to read an ext2 file system on an MBR partition
built in, so it needs no /boot/grub/i386-pc/) goes to sector 1; grub-mkimage
already points diskboot's blocklist at sectors 2.. (start 2, the length of the
rest, segment 0x820).  The MBR's boot code (its first 440 bytes, before the
disk signature and the partition table) comes from boot.img, whose
kernel-sector field (offset 0x5c, 8 bytes) is already 1 and whose boot-drive
field (0x64) is already 0xff (the drive the BIOS booted); like grub-bios-setup
for a hard disk we replace the 2-byte jump at 0x66 by two NOPs, so that a BIOS
passing a wrong drive number is corrected to 0x80.  (GRUB 2.06
include/grub/i386/pc/boot.h, util/setup.c.)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402  (parse_cfg: the files a configuration names)

GRUB_DIR = "/usr/lib/grub/i386-pc"
PREFIX = "(hd0,msdos1)/boot/grub"
CORE_MODULES = ["biosdisk", "part_msdos", "ext2", "normal", "multiboot", "gzio",
                "serial", "terminal", "configfile", "echo"]
KERNEL = "/boot/gnumach-1.8-486.gz"
BOOT_CODE = 440              # the MBR's boot code, before the disk signature
DRIVE_CHECK = 0x66           # GRUB_BOOT_MACHINE_DRIVE_CHECK
# the device ext2fs mounts, as a configuration names it: vd0s1, wd0s1, hd0, part:1:device:nd0
DEVICE = re.compile(r"^'?(?:([a-z]+\d+)(?:s(\d+))?|part:(\d+):device:([a-z]+\d+))'?$")
HEADER = """\
set timeout=3
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
"""


def chains(root):
    """(name, path, disk kind) of each boot/*.cfg that mounts a root disk, default first."""
    out = []
    for name in sorted(os.listdir(os.path.join(root, "boot"))):
        if not name.endswith(".cfg"):
            continue
        path = os.path.join(root, "boot", name)
        with open(path) as f:
            m = re.search(r"^#\s*disk:\s*(\w+)\s*$", f.read(), re.M)
        if m:
            out.append((name[:-4], path, m.group(1)))
    out.sort(key=lambda c: c[0] != "default")
    return out


def entry(name, cfg, kind, build):
    """The menu entry of CFG and the files it needs: [(path on disk, host file)]."""
    body, files = boottest.parse_cfg(cfg, build)
    lines, moved, root = [], {}, None
    for path, host in files:
        moved[path] = "/hurd/" + path[5:] if path.startswith("/bin/") else path
    for line in body:
        words = line.split(" ")
        for old, new in moved.items():
            words = [new if w == old else w for w in words]
        if words[1].endswith("/ext2fs"):
            devs = [(i, DEVICE.match(w)) for i, w in enumerate(words) if DEVICE.match(w)]
            if len(devs) != 1:
                raise boottest.Error(f"{boottest.rel(cfg)}: ext2fs line without one device argument")
            i, m = devs[0]
            disk, part = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            root = f"part:{part}:device:{disk}" if part else disk
            words[i] = "'${root}'"
        lines.append(" ".join(words))
    if root is None:
        raise boottest.Error(f"{boottest.rel(cfg)}: no ext2fs line: it mounts no root")
    # the kernel line (the first: parse_cfg wants it before the modules) names the root
    kernel = lines[0].split(" ")
    lines[0] = " ".join(kernel[:2] + [f"root={root}"] + kernel[2:])
    title = f"{name}: the {kind} chain, root {root}"
    text = f'menuentry "{title}" {{\n' + "".join(f" {l}\n" for l in lines) + "}\n"
    return text, [(moved[p], h) for p, h in files]


def stage(folder, build):
    root = boottest.ROOT
    entries, files = [], {}
    for name, cfg, kind in chains(root):
        text, need = entry(name, cfg, kind, build)
        entries.append(text)
        files.update(need)
    os.makedirs(os.path.join(folder, "boot", "grub"), exist_ok=True)
    for path, host in files.items():
        dest = os.path.join(folder, path[1:])
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(host, dest)
        os.chmod(dest, 0o755 if path.startswith("/hurd/") else 0o644)
    cfg = os.path.join(folder, "boot", "grub", "grub.cfg")
    with open(cfg, "w") as f:
        f.write("# made by tools/bootdisk.py from boot/*.cfg\n" + HEADER + "".join(entries))
    # every entry must pass bootchain check, as every boot of the project does
    tool = os.path.join(build, "host", "bootchain")
    if os.path.isfile(tool):
        r = subprocess.run([tool, "check", f"--bin={os.path.join(build, 'bin')}",
                            f"--kernel-dir={os.path.join(build, 'kernel')}", cfg],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise boottest.Error("bootchain check rejects the grub.cfg made:\n" + r.stdout)


def boot_code():
    with open(os.path.join(GRUB_DIR, "boot.img"), "rb") as f:
        code = bytearray(f.read(BOOT_CODE))
    code[DRIVE_CHECK:DRIVE_CHECK + 2] = b"\x90\x90"
    return bytes(code)


def install(image):
    with open(image, "rb") as f:
        mbr = f.read(512)
    if len(mbr) != 512 or mbr[510:512] != b"\x55\xaa":
        sys.exit(f"bootdisk: {image} has no MBR partition table")
    first = int.from_bytes(mbr[0x1be + 8:0x1be + 12], "little")
    with tempfile.TemporaryDirectory() as tmp:
        core = os.path.join(tmp, "core.img")
        subprocess.run(["grub-mkimage", "-O", "i386-pc", "-d", GRUB_DIR, "-p", PREFIX,
                        "-o", core] + CORE_MODULES, check=True)
        with open(core, "rb") as f:
            data = f.read()
    if 1 + (len(data) + 511) // 512 > first:
        sys.exit(f"bootdisk: core.img ({len(data)} bytes) does not fit before sector {first}")
    with open(image, "r+b") as f:
        f.seek(0)
        f.write(boot_code())
        f.seek(512)
        f.write(data)


def carries_grub(image):
    """GRUB's boot code in the MBR, an MBR partition table (a GPT header
    would sit where core.img is: a disk converted to GPT does not boot by
    itself) and diskboot at sector 1."""
    try:
        with open(image, "rb") as f:
            head = f.read(1024)
        with open(os.path.join(GRUB_DIR, "diskboot.img"), "rb") as f:
            diskboot = f.read(0x100)
    except OSError:
        return False
    types = [head[0x1be + 16 * i + 4] for i in range(4)] if len(head) == 1024 else [0xee]
    return head[:BOOT_CODE] == boot_code() and head[510:512] == b"\x55\xaa" \
        and 0xee not in types and head[512:512 + 0x100] == diskboot


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "stage":
        try:
            stage(sys.argv[2], sys.argv[3])
        except boottest.Error as e:
            sys.exit(f"bootdisk: {e}")
    elif len(sys.argv) == 3 and sys.argv[1] == "install":
        install(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "carries-grub":
        sys.exit(0 if carries_grub(sys.argv[2]) else 1)
    else:
        sys.exit(__doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
