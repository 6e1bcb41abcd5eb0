#!/usr/bin/env bash
# Fuzzes the image parsers with libFuzzer (clang, from Debian), starting from
# images the real tools made: ext2 by mke2fs -d, tables by sfdisk and sgdisk.
#   tests/fuzz/run.sh [SECONDS]   each target runs that long (default: a short
#                                 bounded run, as make check does)
# A crash, a sanitizer report or a time-out fails the run; the input that did
# it is left in build/fuzz/.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-}
out=build/fuzz
mkdir -p "$out"
PATH=$PATH:/usr/sbin:/sbin
cc="clang -std=gnu11 -g -O1 -Iinclude -DRT_HOST -include tests/unit/rename.h -fsanitize=fuzzer,address,undefined"
rt="lib/c/malloc.c lib/c/lock.c lib/c/fmt.c lib/c/number.c lib/c/memcmp.c tests/unit/host_rt.c"
pass=0 fail=0
build() { $cc -o "$out/$1" "tests/fuzz/$1.c" $2 $rt 2>"$out/$1.build.log" || { echo "FAIL build $1"; cat "$out/$1.build.log"; return 1; }; }

# seeds: small real images
seeds=$out/seeds
rm -rf "$seeds" && mkdir -p "$seeds/ext2" "$seeds/part" "$seeds/elf"
tree=$(mktemp -d)
mkdir -p "$tree/d/e" && echo hello > "$tree/a" && ln -s a "$tree/l" && head -c 3000 /dev/zero > "$tree/d/e/z"
ln -s "$(printf 'x%.0s' $(seq 80))" "$tree/long"
for b in 1024 2048; do
	truncate -s 128K "$seeds/ext2/b$b.img"
	mke2fs -q -F -t ext2 -b $b -N 32 -d "$tree" "$seeds/ext2/b$b.img" >/dev/null 2>&1
done
rm -rf "$tree"
truncate -s 128K "$seeds/ext2/journal.img"
mke2fs -q -F -t ext2 -b 1024 -N 32 "$seeds/ext2/journal.img" >/dev/null 2>&1
python3 tests/fuzz/mkjournal.py 100 > "$out/journal.bin"
printf 'write %s jnl\nssv journal_inum 12\nfeature has_journal needs_recovery\n' "$out/journal.bin" |
	debugfs -w -f - "$seeds/ext2/journal.img" >/dev/null 2>&1
truncate -s 64K "$seeds/part/mbr.img"
printf 'label: dos\nstart=8, size=16, type=83\nstart=24, size=80, type=5\nstart=32, size=8, type=83\n' | sfdisk -q "$seeds/part/mbr.img" >/dev/null 2>&1
truncate -s 64K "$seeds/part/gpt.img"
sgdisk -o -n 1:40:+8K -n 2:0:+8K "$seeds/part/gpt.img" >/dev/null 2>&1
# a GPT for a disk of 4096-byte sectors (fdisk -b 4096): header at byte 4096
truncate -s 256K "$seeds/part/gpt4k.img"
printf 'g\nn\n1\n\n+16K\nw\n' | fdisk -b 4096 "$seeds/part/gpt4k.img" >/dev/null 2>&1
for p in hello true exechild; do
	[ -f "build/bin/$p" ] && cp "build/bin/$p" "$seeds/elf/"
done

for t in ext2 part elf; do
	case $t in ext2) src="$(echo lib/ext2/*.c)" ;; part) src=lib/disk/part.c ;; elf) src=lib/elf/elf.c ;; esac
	if ! build fuzz_$t "$src"; then fail=$((fail + 1)); continue; fi
	mkdir -p "$out/corpus_$t"
	if [ -n "$secs" ]; then limit="-max_total_time=$secs"; else limit="-runs=20000 -seed=1"; fi
	if (cd "$out" && ./fuzz_$t $limit -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
	        "corpus_$t" "seeds/$t" > fuzz_$t.log 2>&1); then
		pass=$((pass + 1))
		echo "ok   fuzz_$t: $(grep -a -E '^(#[0-9]+|Done)' "$out/fuzz_$t.log" | tail -1)"
	else
		fail=$((fail + 1))
		echo "FAIL fuzz_$t (build/fuzz/fuzz_$t.log):"
		grep -a -E 'ERROR|SUMMARY|Test unit written|timeout' "$out/fuzz_$t.log" | head -8 | sed 's/^/    /'
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
