#!/usr/bin/env bash
# Power cuts, as a user would try them: N runs on one ext3 disk whose free
# blocks hold old data (USED=1) and whose writes are slowed so that a sync
# takes 0.4-0.6 s (QEMU's throttling.bps-write and iops-write: a sync is
# some 30 requests, the file data in long runs, the metadata in short
# ones).  Each run boots, starts the workload (tests/boot/cutload.sh:
# remove a folder, copy programs into it, sync, twelve rounds), kills QEMU
# (SIGKILL) at a random moment of it, boots again (ext2fs replays the
# journal) and halts; then, before any repair, e2fsck -fn judges the disk
# and every file the guest had reported synced is compared with the
# program it was copied from (tests/boot/cutcheck.sh).  On ext3 a copy of
# the disk as the cut left it is replayed by e2fsprogs instead (e2fsck -E
# journal_only) and judged by e2fsck -fn too.  A disk found unclean is
# repaired (e2fsck -fy) so that the next run starts sound (on ext2 that
# runs every time, as a boot-time check would).  Prints one line a run and
# the totals; fails when a run is not clean, lost a synced file, or the
# next boot failed or found damage.
#   bash bench/powercut.sh [N]            (20; CUT_SEED=S repeats the cuts)
#   FS=ext2: the same on plain ext2 (no journal: the next boot says e2fsck
#   is due, and e2fsck -fn judges what the write order alone left)
#   BPS=bytes/s of writes (2500000), IOPS=write requests/s (60),
#   CUT_MAX=the latest cut, in seconds after round 1 began (8)
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin:/sbin
fs=${FS:-ext3} n=${1:-20} bps=${BPS:-2500000} iops=${IOPS:-60} cutmax=${CUT_MAX:-8}
make -s all
img=build/images/bench-powercut.img tree=build/images/bench-powercut.tree
sc=build/images/bench-powercut.scenario out=build/logs/bench-powercut.txt
rm -rf "$tree"
mkdir -p "$tree/etc" build/logs
cp tests/boot/cutload.sh "$tree/etc/cutload"
FS=$fs USED=1 tools/mkimage.sh "$img" build/bin "$tree" >/dev/null
cat > "$sc" <<-EOS
	config boot/default.cfg
	qemu -drive file=$PWD/$img,if=virtio,format=raw,throttling.bps-write=$bps,throttling.iops-write=$iops
	timeout 120
	expect exec: started /sbin/init (pid 1)
	expect "\\n# "
	send sh /etc/cutload
	expect cutload: round 1
	cut 0-$cutmax
	check cp $PWD/$img $PWD/$img.cut
	boot
	expect $([ "$fs" = ext3 ] && echo committed transactions of the journal || echo was not unmounted cleanly)
	expect "\\n# "
	send halt
	expect ext2fs: vd0s1 unmounted:
	exit 60
EOS
part="$img?offset=1048576"
runs=0 clean=0 synced=0 kept=0 replays=0 bootfail=0 damage=0 e2clean=0
: > "$out"
for k in $(seq 1 "$n"); do
	rm -f "$img.cut"
	r=$(python3 tools/boottest.py --build build "$sc" 2>&1 || true)
	runs=$((runs + 1))
	cutlog=build/logs/bench-powercut.log bootlog=build/logs/bench-powercut.boot2.log
	when=$(echo "$r" | sed -n 's/^  power cut \([0-9.]*\) s after .*/\1 s/p')
	round=$(grep -a '^cutload: round' "$cutlog" | tail -1 | sed 's/.* //')
	phase=$(grep -a '^cutload: ' "$cutlog" | tail -1 | sed 's/^cutload: \([a-z]*\).*/\1/')
	replayed=$(grep -a 'committed transactions of the journal' "$bootlog" | sed 's/.*replayed \([0-9]*\).*/\1/' || true)
	[ "$fs" = ext3 ] || replayed=-
	if ! echo "$r" | grep -q '^PASS'; then
		bootfail=$((bootfail + 1))
		echo "$r" | grep -v '^  ' | head -3 >> "$out"
	fi
	[ "${replayed:-0}" -gt 0 ] 2>/dev/null && replays=$((replays + 1))
	if grep -a 'damage found' "$bootlog" >> "$out"; then damage=$((damage + 1)); fi
	if e2fsck -fn "$part" > build/logs/bench-powercut.e2fsck.$k 2>&1; then
		fsck=clean
		clean=$((clean + 1))
		rm -f build/logs/bench-powercut.e2fsck.$k
	else
		fsck="NOT CLEAN (build/logs/bench-powercut.e2fsck.$k)"
		cp "$img" "build/images/bench-powercut.unclean.$k.img"
	fi
	e2=-
	if [ "$fs" = ext3 ]; then
		if tests/boot/fscheck.sh "$img.cut" replayed-clean > build/logs/bench-powercut.e2replay.$k 2>&1; then
			e2="clean" e2clean=$((e2clean + 1))
			rm -f build/logs/bench-powercut.e2replay.$k
		else
			e2="NOT CLEAN (build/logs/bench-powercut.e2replay.$k)"
		fi
		rm -f "$img.cut"
	fi
	c=$(tests/boot/cutcheck.sh "$img" "$cutlog" build/bin 2>&1 || true)
	echo "$c" | grep -v '^cutcheck: [0-9]* files synced' >> "$out" || true
	s=$(echo "$c" | sed -n 's/^cutcheck: \([0-9]*\) files synced before the cut, \([0-9]*\) intact/\1 \2/p')
	synced=$((synced + ${s% *})) kept=$((kept + ${s#* }))
	line="run $k: cut ${when:-?} into the workload (round ${round:-0}, ${phase:-before it}); replayed ${replayed:-?}; e2fsck -fn $fsck (after e2fsprogs' replay instead: $e2); ${s#* }/${s% *} synced files intact"
	echo "$line" | tee -a "$out"
	# (ext2 stays marked not clean: e2fsck marks it, as a boot-time check would)
	[ "$fsck" = clean ] && [ "$fs" = ext3 ] || e2fsck -fy "$part" > /dev/null 2>&1 || true
	cp build/logs/bench-powercut.log "build/logs/bench-powercut.$k.log"
	cp build/logs/bench-powercut.boot2.log "build/logs/bench-powercut.$k.boot2.log"
done
echo "powercut ($fs): $runs runs, $clean clean before any repair, $replays replayed a transaction, $kept of $synced synced files intact, $bootfail boots failed, $damage found damage, $e2clean clean after e2fsprogs' replay" | tee -a "$out"
[ "$clean" = "$runs" ] && [ "$kept" = "$synced" ] && [ "$bootfail" = 0 ] && [ "$damage" = 0 ]
