#!/usr/bin/env bash
# File system speed: fsbench as the stage after ext2fs (bench/fs.cfg) reads
# three files of random data through fs_read at 4 KiB, 64 KiB and 1 MiB a
# call (each file cold, then warm), as many bytes raw from the partition
# through the disk server ext2fs uses (copied out as fs_read does, and left
# untouched as bench/disk.sh does), writes a new file at 1 MiB a call and
# syncs, and creates and looks up small files; all in one boot.  Prints a
# table; fails only when the run did not finish or a checksum (against cksum
# and debugfs on the host) or e2fsck disagrees, never on speed.
#   bash bench/fs.sh [MIB] [WRITE_MIB] [FILES]      (MIB up to about 256)
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin:/sbin
mib=${1:-64} wmib=${2:-32} files=${3:-500}
make -s build/bin/pci-arbiter build/bin/diskdrv build/bin/ext2fs build/bin/fsbench build/host/bootchain
tree=build/images/bench-fs.tree img=build/images/bench-fs.img log=build/logs/bench-fs.log
rm -rf "$tree"
mkdir -p "$tree" build/logs
# real data, not sparse files: a hole is read as zeros without the disk
declare -A want
for f in read-4k read-64k read-1m; do
	head -c $((mib << 20)) /dev/urandom > "$tree/$f"
	want[$f]=$(cksum < "$tree/$f" | cut -d' ' -f1)
done
# room for the three files, the written one, metadata and the reserved 5%
tools/mkdisk.sh ext2-mbr "$img" $(( (3 * mib + wmib) * 115 / 100 + 16 )) "$tree"
rm -rf "$tree"
# the raw reads read MIB MiB from 1 MiB into the partition (which starts at
# 1 MiB), past the superblock that the mount changes
want[raw]=$(dd if="$img" bs=1M skip=2 count="$mib" status=none | cksum | cut -d' ' -f1)
cfg=build/bench-fs.cfg
sed "s/fsbench --fs-task/fsbench --write-mib=$wmib --files=$files --fs-task/" bench/fs.cfg > "$cfg"
# fsbench reads each file into one buffer of its size, and touches as much
# fresh memory for its CPU reference rows
QEMU_ARGS="-m $(( 2 * mib + 128 > 256 ? 2 * mib + 128 : 256 )) -drive file=$img,if=virtio,format=raw" \
	timeout 1800 python3 tools/run.py --build build "$cfg" </dev/null >"$log" 2>&1 || true

bad=0
printf '%-6s %-4s %6s %-6s %9s %8s %10s %-6s %s\n' op via chunk pass amount s rate unit cksum
while read -r _ _ op via kib pass count unit secs _ rate runit _ crc; do
	case $kib in 0) chunk=- ;; 1024) chunk=1M ;; *) chunk=${kib}K ;; esac
	case $unit in bytes) amount="$((count >> 20)) MiB" ;; *) amount="$count" ;; esac
	case $op/$via/$kib in
	read/fs/4) exp=${want[read-4k]} ;;
	read/fs/64) exp=${want[read-64k]} ;;
	read/fs/1024) exp=${want[read-1m]} ;;
	read/raw/*) exp=${crc:+${want[raw]}} ;;
	write/*) exp=${crc:+$(debugfs -R 'cat /write-test' "$img?offset=1048576" 2>/dev/null | cksum | cut -d' ' -f1 || true)} ;;
	*) exp= ;;
	esac
	check=-
	if [ -n "$exp" ]; then
		if [ "$crc" = "$exp" ]; then check=ok; else check="WRONG ($crc, host $exp)"; bad=1; fi
	fi
	printf '%-6s %-4s %6s %-6s %9s %8s %10s %-6s %s\n' "$op" "$via" "$chunk" "$pass" "$amount" "$secs" "$rate" \
		"$runit" "$check"
done < <(grep -a 'fsbench: result' "$log" | tr -d '\r')
grep -a 'fsbench: clock step' "$log" | tr -d '\r' | sed 's/^fsbench: /(/; s/$/: each time is good to that)/'
if ! grep -aq 'fsbench: done, 0 failures' "$log"; then
	grep -a 'fsbench: ' "$log" | grep -av 'result' | tail -5 >&2 || true
	echo "bench: the run did not finish cleanly; see $log" >&2
	exit 1
fi
# what the guest wrote, as the host's tools see it
n=$(debugfs -R 'ls -p /small' "$img?offset=1048576" 2>/dev/null | grep -c '/f[0-9]\{4\}/' || true)
last=$(printf 'file %04u' $((files - 1)))
if [ "$n" != "$files" ] || [ "$(debugfs -R "cat /small/f$(printf %04u $((files - 1)))" "$img?offset=1048576" 2>/dev/null)" != "$last" ]; then
	echo "bench: debugfs finds $n files in /small, not $files with the right contents" >&2
	bad=1
fi
if ! e2fsck -fn "$img?offset=1048576" >"$log.e2fsck" 2>&1; then
	echo "bench: e2fsck finds errors after the run; see $log.e2fsck" >&2
	bad=1
fi
[ $bad = 0 ] || { echo "bench: a result is wrong; see $log" >&2; exit 1; }
