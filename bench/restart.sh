#!/usr/bin/env bash
# Restarting the disk server (issue 13), measured: a 64 MiB copy from the
# shell and the sync after it, timed from the host, in one boot
# configuration with its disk server faulting once in the middle of the
# copy (tests/boot/restart-copy*.cfg: the first write after 16 MiB
# written) and in the same configuration without the fault; and, from the
# crash runs' consoles, the time from the fault to the new start's first
# requests served (ext2fs's reopen of its partition).  Each run's copy is
# checked with cksum against the host's and its image with e2fsck -fn.
# Fails only when a run does, never on speed.
#   bash bench/restart.sh [virtio|sata|nvme] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin:/sbin
disk=${1:-virtio} rounds=${2:-1}
case $disk in
virtio) cfg=tests/boot/restart-copy.cfg ;;
sata | nvme) cfg=tests/boot/restart-copy-$disk.cfg ;;
*) echo "usage: bash bench/restart.sh [virtio|sata|nvme] [ROUNDS]" >&2; exit 2 ;;
esac
make -s all
tree=build/images/bench-restart.tree img=build/images/bench-restart.img
rm -rf "$tree"
mkdir -p "$tree"
head -c 67108864 /dev/urandom > "$tree/big"
crc=$(cksum < "$tree/big" | cut -d' ' -f1)
tools/mkimage.sh "$img" build/bin "$tree"
rm -rf "$tree"
python3 bench/restart.py --cfg "$cfg" --image "$img" --crc "$crc" --size 67108864 --rounds "$rounds"
