#!/usr/bin/env bash
# Sequential disk speed: vd0 (virtio-blk), wd0 (AHCI) and nd0 (NVMe)
# through diskdrv against hd0 through GNU Mach's own IDE driver, the same
# image attached to all four, measured in one boot (the kernel line has
# noahci only, so the kernel keeps its IDE disk and leaves the AHCI
# controller to diskdrv; it has no NVMe driver at all).
# Prints a table; never passes or fails on speed.
#   bash bench/disk.sh [MIB] [CHUNK_KIB]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-64} chunk=${2:-1024}
make -s build/bin/pci-arbiter build/bin/diskdrv build/bin/diskbench build/host/bootchain
img=build/images/bench.img
mkdir -p build/images build/logs
# real data, not a sparse file: holes make the host side unrealistically fast
head -c $(( (mib + 1) * 1024 * 1024 )) /dev/urandom > "$img"
cfg=build/bench-disk.cfg
sed "s/diskbench --device-master-port/diskbench --mib=$mib --chunk-kib=$chunk --disks=${BENCH_DISKS:-vd0,wd0,nd0} --device-master-port/" bench/disk.cfg > "$cfg"
log=build/logs/bench-disk.log
# four drives on one image: snapshot=on keeps each writer's view apart
QEMU_ARGS="-drive file=$img,if=virtio,format=raw,snapshot=on -drive file=$img,if=ide,index=0,format=raw,snapshot=on \
	-device ahci,id=ahci0 -drive file=$img,if=none,id=w0,format=raw,snapshot=on -device ide-hd,drive=w0,bus=ahci0.0 \
	-drive file=$img,if=none,id=nb,format=raw,snapshot=on -device nvme,serial=bench,drive=nb" \
	timeout 1200 python3 tools/run.py --build build "$cfg" </dev/null >"$log" 2>&1 || true
printf '%-5s %-6s %8s %10s %8s\n' disk op MiB chunk MB/s
grep -a 'diskbench: result' "$log" | tr -d '\r' | awk '{ printf "%-5s %-6s %8s %10s %8s\n", $3, $4, $5, $7, $11 }'
grep -aq 'diskbench: done' "$log" || { echo "bench: the run did not finish; see $log" >&2; exit 1; }
