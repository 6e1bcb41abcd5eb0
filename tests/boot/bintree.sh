#!/usr/bin/env bash
# The extra tree of bin.scenario, copied under / of its image:
#   bintree.sh DIR
set -euo pipefail
t=$1
rm -rf "$t"
mkdir -p "$t/data/sub"
printf 'hello from the disk\n' > "$t/data/hello.txt"
head -c 300000 /dev/urandom > "$t/data/random.bin"
ln -s hello.txt "$t/data/link"
echo sub > "$t/data/sub/file"
chmod 4755 "$t/data/sub/file"
chmod 644 "$t/data/hello.txt" "$t/data/random.bin"
chmod 755 "$t/data" "$t/data/sub"
touch -d '2001-02-03 04:05:06 UTC' "$t/data/hello.txt"
