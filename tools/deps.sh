#!/usr/bin/env bash
# Installs what the build and the tests need, once: Debian packages and the
# i386 GNU Mach kernel (unpacked into the build tree, never into /boot).
# Quick when everything is already there.
set -euo pipefail

out=${1:-build}
pkgs=(gcc gcc-multilib make qemu-system-x86 grub-pc-bin grub-common xorriso
      mtools e2fsprogs fdisk gdisk dpkg-dev gnumach-dev python3
      clang libclang-rt-14-dev)
kernel="$out/kernel/boot/gnumach-1.8-486.gz"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "deps: need root to run: $*" >&2; echo "deps: install these yourself: ${missing[*]:-}" >&2; exit 1; fi; }

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo_ apt-get update -qq || echo "deps: apt-get update reported errors; trying anyway" >&2
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f "$kernel" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        echo "deps: adding the i386 architecture to apt (for the kernel package only)"
        sudo_ dpkg --add-architecture i386
        sudo_ apt-get update -qq || echo "deps: apt-get update reported errors; trying anyway" >&2
    fi
    tmp=$(mktemp -d)
    echo "deps: downloading gnumach-image-1.8-486:i386"
    (cd "$tmp" && apt-get download -q gnumach-image-1.8-486:i386 >/dev/null 2>&1) || {
        sudo_ apt-get update -qq || echo "deps: apt-get update reported errors; trying anyway" >&2
        (cd "$tmp" && apt-get download -q gnumach-image-1.8-486:i386 >/dev/null)
    } || { echo "deps: cannot download gnumach-image-1.8-486:i386" >&2; exit 1; }
    mkdir -p "$out/kernel"
    dpkg-deb -x "$tmp"/gnumach-image-1.8-486_*_i386.deb "$out/kernel"
    rm -rf "$tmp"
    [ -f "$kernel" ] || { echo "deps: package did not hold $kernel" >&2; exit 1; }
    echo "deps: kernel at $kernel"
fi
