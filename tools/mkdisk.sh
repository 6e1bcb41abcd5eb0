#!/usr/bin/env bash
# Test disk images, made without root: random contents, then a partition
# table written by the real tools (sfdisk for MBR, sgdisk for GPT).
#   tools/mkdisk.sh raw|mbr|gpt OUT [MIB]
set -euo pipefail
kind=$1 out=$2 mib=${3:-16}
mkdir -p "$(dirname "$out")"
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
*)
	echo "mkdisk: unknown kind '$kind' (raw, mbr, gpt)" >&2
	exit 2
	;;
esac
mv "$out.tmp" "$out"
