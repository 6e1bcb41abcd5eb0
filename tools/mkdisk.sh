#!/usr/bin/env bash
# Test disk images, made without root: random contents, then a partition
# table written by the real tools (sfdisk for MBR, sgdisk for GPT); or an
# ext2 file system made by mke2fs -d from a folder, on partition 1 of an MBR
# disk (ext2-mbr) or on the whole disk (ext2); FS=ext3 makes it ext3 (a
# journal in inode 8) instead.
# The 4k kinds are tables for a disk of 4096-byte sectors (an NVMe namespace
# with 4 KiB LBAs), written by fdisk -b 4096: every LBA in them counts 4 KiB.
#   tools/mkdisk.sh raw|mbr|gpt|mbr4k|gpt4k OUT [MIB]
#   tools/mkdisk.sh ext2|ext2-mbr OUT MIB FOLDER
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
kind=$1 out=$2 mib=${3:-16} tree=${4:-}
fs=${FS:-ext2}
case $fs in ext2|ext3) ;; *) echo "mkdisk: FS=$fs: ext2 or ext3" >&2; exit 2 ;; esac
mkdir -p "$(dirname "$out")"
case $kind in
ext2|ext2-mbr)
	[ -d "$tree" ] || { echo "mkdisk: $kind needs a folder to copy, not '$tree'" >&2; exit 2; }
	rm -f "$out.tmp"
	truncate -s $((mib * 1024 * 1024)) "$out.tmp"
	if [ "$kind" = ext2 ]; then
		mke2fs -q -F -t "$fs" -b 1024 -d "$tree" "$out.tmp" >/dev/null
	else
		# the file system starts at sector 2048, where partition 1 will be
		mke2fs -q -F -t "$fs" -b 1024 -E offset=1048576 -d "$tree" "$out.tmp" $((mib - 1))M >/dev/null
		# (sfdisk tells on stderr that it sees the file system: keep that for failures)
		if ! msg=$(printf 'label: dos\nstart=2048, size=%d, type=83\n' $(((mib - 1) * 2048)) \
		           | sfdisk -q --wipe never "$out.tmp" 2>&1); then
			echo "$msg" >&2
			exit 1
		fi
	fi
	mv "$out.tmp" "$out"
	exit 0
	;;
esac
head -c $((mib * 1024 * 1024)) /dev/urandom > "$out.tmp"
case $kind in
raw) ;;
mbr)
	# two primaries, an extended partition with two logical ones (5, 6)
	sfdisk -q "$out.tmp" >/dev/null <<-EOS
	label: dos
	start=2048, size=4096, type=83
	start=6144, size=2048, type=83
	start=8192, size=20480, type=5
	start=10240, size=4096, type=83
	start=16384, size=8192, type=83
	EOS
	;;
gpt)
	sgdisk -o -n 1:2048:+2M -c 1:boot -n 2:0:+3M -c 2:root -n 3:0:+4M -c 3:data "$out.tmp" >/dev/null
	;;
mbr4k)
	# in 4 KiB sectors: 1 (256+512), 2 (768+256), extended 3 (1024+2560)
	# holding 5 (1280+512) and 6 (2048+1024)
	printf 'o\nn\np\n1\n256\n767\nn\np\n2\n768\n1023\nn\ne\n3\n1024\n3583\nn\nl\n1280\n1791\nn\nl\n2048\n3071\nw\n' \
		| fdisk -b 4096 "$out.tmp" >/dev/null
	;;
gpt4k)
	# in 4 KiB sectors: 1 (256+512), 2 (768+768), 3 (1536+1024)
	printf 'g\nn\n1\n256\n767\nn\n2\n768\n1535\nn\n3\n1536\n2559\nw\n' | fdisk -b 4096 "$out.tmp" >/dev/null
	;;
*)
	echo "mkdisk: unknown kind '$kind' (raw, mbr, gpt, mbr4k, gpt4k)" >&2
	exit 2
	;;
esac
mv "$out.tmp" "$out"
