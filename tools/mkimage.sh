#!/usr/bin/env bash
# A bootable root disk: the repo's root tree (rootfs/), the user programs
# (init and the terminal server term in /sbin, the others in /bin), an empty
# /tmp, and the contents of an extra folder copied under /, as ext3 (FS=ext2:
# plain ext2) on partition 1 of an MBR disk (or on the whole disk with
# --whole, for ROOT=vd0).  With --boot BUILD the disk boots by itself: the
# kernel, the servers and grub.cfg of BUILD under /boot and /hurd, and GRUB in
# the MBR (tools/bootdisk.py).
#   [FS=ext2|ext3] [MIB=N] tools/mkimage.sh [--whole | --boot BUILD] OUT BINDIR [EXTRA]
# MIB=N makes the disk N MiB whatever its contents (tests that name sizes).
# The programs are those of user/ (user/NAME.c and user/NAME/) and term, built in BINDIR.
set -euo pipefail
kind=ext2-mbr
if [ "${1:-}" = --whole ]; then kind=ext2; shift; fi
boot=
if [ "${1:-}" = --boot ]; then boot=$2; shift 2; fi
out=$1 bindir=$2 extra=${3:-}
cd "$(dirname "$0")/.."
progs=$( (ls user/*.c | sed 's|^user/||; s|\.c$||'; ls -d user/*/ | sed 's|^user/||; s|/$||'; echo term) | sort -u)
if [ -n "$extra" ] && [ ! -d "$extra" ]; then
	echo "mkimage: EXTRA=$extra is not a folder" >&2
	exit 2
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -a rootfs/. "$stage/"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/tmp"
chmod 1777 "$stage/tmp"
for p in $progs; do
	[ -f "$bindir/$p" ] || { echo "mkimage: $bindir/$p is missing (make all)" >&2; exit 1; }
	if [ "$p" = init ] || [ "$p" = term ]; then cp "$bindir/$p" "$stage/sbin/$p"; else cp "$bindir/$p" "$stage/bin/$p"; fi
done
[ -z "$extra" ] || cp -a "$extra/." "$stage/"
# room to work in: twice the contents and 32 MiB more, at least 64 MiB
used=$(du -sm "$stage" | cut -f1)
mib=$((2 * used + 32))
[ $mib -ge 64 ] || mib=64
# /boot and /hurd are read, not written: they add only their size
if [ -n "$boot" ]; then
	python3 tools/bootdisk.py stage "$stage" "$boot"
	mib=$((mib + $(du -sm "$stage/boot" "$stage/hurd" | awk '{n += $1} END {print n}')))
fi
mib=${MIB:-$mib}
FS=${FS:-ext3} bash tools/mkdisk.sh $kind "$out" $mib "$stage"
[ -z "$boot" ] || python3 tools/bootdisk.py install "$out"
echo "mkimage: $out: ${FS:-ext3}, ${mib} MiB, $(find "$stage" -type f | wc -l) files"
