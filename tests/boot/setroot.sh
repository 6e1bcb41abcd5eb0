#!/usr/bin/env bash
# Names another root on every kernel line of a self-booting disk's grub.cfg
# (what a user does with `e` in GRUB's menu), with debugfs on partition 1:
#   setroot.sh IMAGE ROOT          e.g. setroot.sh disk.img part:3:device:vd0
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
img=$1 root=$2
fs="$img?offset=1048576"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
debugfs -R "cat /boot/grub/grub.cfg" "$fs" 2>/dev/null | sed "s/ root=[^ ]*/ root=$root/" > "$tmp"
grep -q " root=$root " "$tmp" || { echo "setroot: no kernel line with root= in $img"; exit 1; }
debugfs -w -R "rm /boot/grub/grub.cfg" "$fs" >/dev/null 2>&1
debugfs -w -R "write $tmp /boot/grub/grub.cfg" "$fs" >/dev/null 2>&1
debugfs -R "cat /boot/grub/grub.cfg" "$fs" 2>/dev/null | grep -c " root=$root "
