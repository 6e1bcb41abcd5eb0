#!/usr/bin/env bash
# Restarting the disk server: boots tests/boot/restart-copy.scenario (a
# 64 MiB copy from the shell during which the disk server faults once) and
# the same copy without the fault (boot/default.cfg), and prints
#   - the time from the death to the new start's ready report (pci-arbiter)
#     and to the first requests the new start served for ext2fs (its reopen
#     of vd0s1), from the console lines, 10 ms clock ticks;
#   - each boot's wall time (boot, copy, cksum of the copy, halt) and the
#     difference, which is what the crash cost the copy.
# Fails only when a run fails, never on speed.
#   bash bench/restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
nocrash=build/images/restart-nocrash.scenario
sed -e 's|^config tests/boot/restart-copy.cfg|config boot/default.cfg|' \
    -e '/^expect diskdrv: --crash-after/d; /^expect ext2fs: vd0s1: the disk server died/d' \
    -e '/^expect pci-arbiter: diskdrv/d; /^expect diskdrv: ready again/d; /^expect ext2fs: vd0s1: reopened/d' \
    tests/boot/restart-copy.scenario > "$nocrash"
run() { python3 tools/boottest.py --build build "$1" | grep -E '^(PASS|FAIL)' ; }
with=$(run tests/boot/restart-copy.scenario)
without=$(run "$nocrash")
echo "$with"; echo "$without"
secs() { sed -n 's/.*(\([0-9.]*\) s).*/\1/p' <<<"$1"; }
log=build/logs/restart-copy.log
printf '%-44s %s\n' "death -> new start ready (pci-arbiter)" \
	"$(grep -ao 'service was interrupted for [0-9]* ms' "$log" | grep -o '[0-9]* ms')"
printf '%-44s %s\n' "death seen -> vd0s1 reopened (ext2fs)" \
	"$(grep -ao 'reopened through the new disk server after [0-9]* ms' "$log" | grep -o '[0-9]* ms')"
printf '%-44s %s s\n' "boot + 64 MiB copy + cksum + halt, one crash" "$(secs "$with")"
printf '%-44s %s s\n' "the same without the crash" "$(secs "$without")"
