#!/usr/bin/env bash
# Leaves the journal of an ext3 image needing recovery, by e2fsprogs'
# debugfs (jo, jw, jc): one committed transaction that rewrites the first
# block of file PATH with TEXT and a newline (as long as what it holds, so
# that only the journal changes what the file reads).
#   journal.sh IMAGE PATH TEXT
# IMAGE is an MBR disk with the file system at sector 2048, or a bare one.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
img=$1 path=$2 text=$3
if [ "$(od -An -tx1 -j510 -N2 "$img" | tr -d ' ')" = 55aa ]; then fs="$img?offset=1048576"; else fs=$img; fi
blk=$(debugfs -R "bmap $path 0" "$fs" 2>/dev/null)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$text" > "$tmp"
truncate -s "$(dumpe2fs -h "$fs" 2>/dev/null | sed -n 's/^Block size: *//p')" "$tmp"
printf 'jo\njw -b %s %s\njc\n' "$blk" "$tmp" | debugfs -w -f - "$fs" >/dev/null 2>&1
dumpe2fs -h "$fs" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery' \
	|| { echo "journal.sh: the journal does not need recovery"; exit 1; }
echo "journal.sh: block $blk of $path logged in the journal, needing recovery"
