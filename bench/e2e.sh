#!/usr/bin/env bash
# Speed as a user at the serial console feels it (issue 14): one ext2-on-MBR
# image of about 170 MiB holding a 64 MiB file of random data, booted as the
# seed chain (boot/default.cfg, virtio), the fallback chain (boot/ide.cfg,
# the kernel's IDE disk) and Debian 12's Linux 6.1 i386 with busybox (virtio,
# the partition mounted read-write as ext2, and again as ext3, whose sync
# flushes the disk as the seed's does), one after the other, -m 256,
# TCG.  bench/e2e.py types the same commands at each console, times each
# from the host and checks its output (checksums against the host's cksum,
# e2fsck -fn clean after each run).  Prints the table with the ratios to the
# first column; fails only when a result is wrong, never on speed.
#   bash bench/e2e.sh [BUILD...]     (default: build)
# Each BUILD gives a seed and an ide column (its own image: its programs,
# the same data), so an older tree built elsewhere can run beside this one.
# The Linux parts (apt-get download, build/linux/) are fetched here only,
# never by make check.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin:/sbin
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(build)
# the chain and the user programs (not the host tests: make all builds those)
progs=$( (ls user/*.c | sed 's|^user/||; s|\.c$||'; ls -d user/*/ | sed 's|^user/||; s|/$||') | sort -u)
make -s build/host/bootchain $(printf 'build/bin/%s ' pci-arbiter diskdrv ext2fs exec $progs)
for b in "${builds[@]}"; do
	[ -x "$b/bin/ext2fs" ] || { echo "e2e: $b/bin/ext2fs is missing (build that tree first)" >&2; exit 1; }
done

# Linux: the newest 686 kernel of Debian 12 and busybox, unpacked under build/linux
lx=build/linux
if [ ! -f $lx/vmlinuz ]; then
	rm -rf $lx/root
	mkdir -p $lx/root
	pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686$' | awk '{print $1}' |
	      sort -t- -k5,5n | tail -1)
	[ -n "$pkg" ] || { echo "e2e: apt-cache knows no linux-image-6.1.0-N-686 (Debian 12, i386 enabled?)" >&2; exit 1; }
	(cd $lx && rm -f ./*.deb && apt-get download "$pkg:i386" busybox-static:i386)
	for d in $lx/*.deb; do dpkg-deb -x "$d" $lx/root; done
	cp $lx/root/boot/vmlinuz-* $lx/vmlinuz
fi
gcc -m32 -static -O2 -march=i686 -mno-sse -fno-builtin -Iinclude -o $lx/cksum \
	bench/linux/cksum.c lib/c/cksum.c
python3 bench/linux/initrd.py $lx/root $lx/cksum bench/linux/init $lx/initrd.cpio

# the image: the system's files and /big, 64 MiB of random data
mkdir -p build/images build/logs
data=build/images/e2e.data
head -c $((64 << 20)) /dev/urandom > $data
crc=$(cksum < $data | cut -d' ' -f1)
cols=()
i=0
for b in "${builds[@]}"; do
	extra=$(mktemp -d)
	ln $data "$extra/big" 2>/dev/null || cp $data "$extra/big"
	bash tools/mkimage.sh build/images/e2e-$i.img "$b/bin" "$extra" >&2
	rm -rf "$extra"
	n=$([ $i = 0 ] && echo "" || echo "$i")
	cols+=("seed$n=seed:build/images/e2e-$i.img:$b" "ide$n=ide:build/images/e2e-$i.img:$b")
	i=$((i + 1))
done
cols+=("linux=linux:build/images/e2e-0.img:$lx" "linux3=linux3:build/images/e2e-0.img:$lx")
rm -f $data
python3 bench/e2e.py --crc "$crc" --size $((64 << 20)) "${cols[@]}"
