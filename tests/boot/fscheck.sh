#!/usr/bin/env bash
# What a guest left on an ext2 image, judged by e2fsprogs (after a scenario):
#   fscheck.sh IMAGE clean              e2fsck -fn finds nothing to fix
#   fscheck.sh IMAGE replayed-clean     the same on a copy whose journal
#                                       e2fsprogs replayed (e2fsck -E journal_only)
#   fscheck.sh IMAGE cat PATH TEXT      the file holds exactly TEXT and a newline
#   fscheck.sh IMAGE absent PATH        there is no such file
# IMAGE is an MBR disk with the file system on partition 1 at sector 2048, or
# a bare file system (no partition table).  cat and absent read the file
# system as the next mount would find it: a journal that needs recovery
# (the guest was stopped without halt; its commits may still be in the
# log only) is replayed by e2fsprogs first, on a copy.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
img=$1 what=$2
if [ "$(od -An -tx1 -j510 -N2 "$img" | tr -d ' ')" = 55aa ]; then fs="$img?offset=1048576"; else fs=$img; fi
# A copy of the file system alone (after replaying, e2fsck reopens the
# device without the ?offset= of an MBR disk), its journal replayed.
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
replayed_copy() {
	if [ "$fs" = "$img" ]; then cp "$img" "$copy"; else dd if="$img" of="$copy" bs=1M skip=1 status=none; fi
	e2fsck -E journal_only -y "$copy" >/dev/null 2>&1 || true
	echo "$copy"
}
# The file system as the next mount finds it.
view() {
	if dumpe2fs -h "$fs" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
		replayed_copy
	else
		echo "$fs"
	fi
}
case $what in
clean)
	out=$(e2fsck -fn "$fs" 2>&1) || { echo "$out"; echo "fscheck: e2fsck -fn finds problems"; exit 1; }
	echo "$out" | tail -1
	;;
replayed-clean)
	cfs=$(replayed_copy)
	if dumpe2fs -h "$cfs" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
		echo "fscheck: e2fsck -E journal_only left the journal needing recovery"
		exit 1
	fi
	out=$(e2fsck -fn "$cfs" 2>&1) || { echo "$out"; echo "fscheck: after e2fsprogs' replay, e2fsck -fn finds problems"; exit 1; }
	echo "after e2fsprogs' replay: $(echo "$out" | tail -1 | sed "s|$copy|$img|")"
	;;
cat)
	v=$(view)
	got=$(debugfs -R "cat $3" "$v" 2>/dev/null; echo x)
	if [ "$got" != "$4"$'\n'x ]; then
		echo "fscheck: $3 holds '${got%x}', not '$4'"
		exit 1
	fi
	echo "fscheck: $3: $4"
	;;
absent)
	v=$(view)
	if debugfs -R "stat $3" "$v" 2>&1 | grep -q "File not found"; then
		echo "fscheck: $3 is absent"
	else
		echo "fscheck: $3 exists"
		exit 1
	fi
	;;
*)
	echo "fscheck: unknown check '$what'" >&2
	exit 2
	;;
esac
