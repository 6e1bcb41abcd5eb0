#!/usr/bin/env bash
# `make run` as the README shows it, with standard input from a pipe: the
# lines are typed once the prompt is there, the results print, and the
# command returns when the guest halts.  Then ROOT=: a bare file system made
# with `make image ... ROOT=vd0` boots with the device replaced; and
# CONFIG=sata with a second disk from QEMU_ARGS, and CONFIG=nvme (tools/run.py
# attaches the image as an NVMe namespace).
# Then a disk that boots by itself (`make image`, --boot) boots from its own
# GRUB, no ISO, and the same disk converted to GPT boots from the ISO.
# Last, `make run` on a terminal (tests/run/ctrlc.py, in a pseudo-terminal):
# Ctrl-C ends the running program, not QEMU.
# (tools/run.py is what `make run` calls; BUILD is the build directory.)
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
pass=0 fail=0
check() {   # NAME OUTPUT WANTED-LINE...
	local name=$1 out=$2
	shift 2
	for want in "$@"; do
		if grep -qxF -- "$want" <<<"$out"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL $name: no line '$want' in:"
			tail -25 <<<"$out" | sed 's/^/    /'
		fi
	done
}
img=$build/images/run-mbr.img whole=$build/images/run-whole.img
bash tools/mkimage.sh "$img" "$build/bin" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
bash tools/mkimage.sh --whole "$whole" "$build/bin" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
motd=$(cksum < rootfs/etc/motd)

out=$(printf 'ls /\ncksum /etc/motd\nhalt\n' | timeout 600 python3 tools/run.py --build "$build" \
      --disk "$img" boot/default.cfg 2>&1 | tr -d '\r'); rc=$?
check "piped make run" "$out" "lost+found" "$motd /etc/motd" "pci-arbiter: halting the machine"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL piped make run: status $rc"; }

out=$(printf 'cat /etc/hostname\nhalt\n' | timeout 600 python3 tools/run.py --build "$build" \
      --disk "$whole" --root vd0 boot/default.cfg 2>&1 | tr -d '\r'); rc=$?
check "ROOT=vd0" "$out" "seed" "ext2fs: vd0 unmounted: written back, marked clean, flushed"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL ROOT=vd0: status $rc"; }

# CONFIG=sata: the same image as port 0 of an AHCI controller, a second disk
# added on port 2 through QEMU_ARGS as the README says
out=$(printf 'cksum /etc/motd\nhalt\n' | QEMU_ARGS="-drive file=$whole,if=none,id=extra,format=raw \
      -device ide-hd,drive=extra,bus=ahci0.2" timeout 600 python3 tools/run.py --build "$build" \
      --disk "$img" boot/sata.cfg 2>&1 | tr -d '\r'); rc=$?
check "CONFIG=sata" "$out" "$motd /etc/motd" "ext2fs: wd0s1 unmounted: written back, marked clean, flushed" \
      "diskdrv: wd1: flushed before the halt: KERN_SUCCESS"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL CONFIG=sata: status $rc"; }

out=$(printf 'cat /etc/hostname\nhalt\n' | timeout 600 python3 tools/run.py --build "$build" \
      --disk "$img" boot/nvme.cfg 2>&1 | tr -d '\r'); rc=$?
check "CONFIG=nvme" "$out" "seed" "diskdrv: nvme 00:04.0: shut down (CC.SHN, CSTS.SHST complete)"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL CONFIG=nvme: status $rc"; }

boot=$build/images/run-boot.img
bash tools/mkimage.sh --boot "$build" "$boot" "$build/bin" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
out=$(printf 'cat /etc/hostname\nhalt\n' | timeout 600 python3 tools/run.py --build "$build" \
      --disk "$boot" boot/default.cfg 2>&1 | tr -d '\r'); rc=$?
check "self-booting disk" "$out" "run: booting $boot by itself: its GRUB, /boot and /hurd (no ISO); QEMU ends when the guest halts" \
      "seed" "ext2fs: vd0s1 unmounted: written back, marked clean, flushed"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL self-booting disk: status $rc"; }

# the same disk converted to GPT (1 MiB more for the backup table): the GPT header overwrites GRUB's core.img,
# so it boots as before, from an ISO of the build
gpt=$build/images/run-boot-gpt.img
cp "$boot" "$gpt" && truncate -s +1M "$gpt" && PATH=$PATH:/usr/sbin:/sbin sgdisk -g "$gpt" >/dev/null || { echo "FAIL: sgdisk -g"; fail=$((fail + 1)); }
# partition 1 as sfdisk reads it from the converted table (the image's size follows its contents)
part1=$(PATH=$PATH:/usr/sbin:/sbin sfdisk -d "$gpt" | sed -n 's/.*1 : start= *\([0-9]*\), size= *\([0-9]*\),.*/\1+\2/p')
out=$(printf 'cat /etc/hostname\nhalt\n' | timeout 600 python3 tools/run.py --build "$build" \
      --disk "$gpt" boot/default.cfg 2>&1 | tr -d '\r'); rc=$?
check "self-booting disk made GPT" "$out" \
      "run: booting boot/default.cfg from an ISO of $build (GRUB, kernel, servers) with $gpt on virtio; QEMU ends when the guest halts" \
      "diskdrv: vd0: GPT, vd0s1 ($part1)" "seed"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL self-booting disk made GPT: status $rc"; }

out=$(timeout 900 python3 tests/run/ctrlc.py "$build" "$img" 2>&1 | tr -d '\r'); rc=$?
check "make run on a terminal" "$out" "PASS QEMU still runs after Ctrl-C" "PASS \$? is 130 after the interrupted sleep"
[ $rc -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL make run on a terminal: status $rc"; tail -30 <<<"$out"; }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
