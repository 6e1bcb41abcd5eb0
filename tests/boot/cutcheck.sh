#!/usr/bin/env bash
# After a power cut and the replaying boot: every file that the workload
# (tests/boot/cutload.sh) reported synced before the cut reads back, by
# e2fsprogs' debugfs, exactly as the program it copied from BINDIR.
#   cutcheck.sh IMAGE CONSOLE_LOG BINDIR
# The log's whole lines "cutload: synced cN (A B ...)" claim /tmp/cN/A...;
# "cutload: removing cN" (printed before the rm) gives the claim up.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
img=$1 log=$2 bindir=$3
if [ "$(od -An -tx1 -j510 -N2 "$img" | tr -d ' ')" = 55aa ]; then fs="$img?offset=1048576"; else fs=$img; fi
declare -A claim=()
while IFS= read -r line; do
	if [[ $line =~ ^cutload:\ synced\ (c[0-9]+)\ \(([a-z0-9 ]+)\)$ ]]; then
		claim[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	elif [[ $line =~ ^cutload:\ removing\ (c[0-9]+)$ ]]; then
		unset "claim[${BASH_REMATCH[1]}]"
	fi
done < <(sed -n '/^# --- power cut/q;p' "$log" | head -n -1)  # not the last line: it may be cut
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmds= n=0
for d in "${!claim[@]}"; do
	for f in ${claim[$d]}; do
		cmds+="dump /tmp/$d/$f $tmp/$d.$f"$'\n'
		n=$((n + 1))
	done
done
[ -z "$cmds" ] || printf '%s' "$cmds" | debugfs -f - "$fs" >/dev/null 2>&1 || true
bad=0
for d in "${!claim[@]}"; do
	for f in ${claim[$d]}; do
		if ! cmp -s "$tmp/$d.$f" "$bindir/$f"; then
			echo "cutcheck: /tmp/$d/$f was synced before the cut but does not read back as $bindir/$f"
			bad=$((bad + 1))
		fi
	done
done
echo "cutcheck: $n files synced before the cut, $((n - bad)) intact"
[ $bad -eq 0 ]
