#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Pack the initramfs of one test VM:
#   mkinitramfs.sh KVER OUT.cpio.gz
#
# Contents: busybox (static), the kernel's own irqbypass/ccp/kvm/kvm-amd
# modules (decompressed), our modules for KVER (build/KVER/), the test
# binaries of KVER's series (build/selftests/SERIES/bin/) with the shared
# libraries they need, the in-VM scripts (scripts/vm/), and under /guest/
# what the tests need to start a Linux guest with nested KVM: QEMU with
# its libraries and microvm firmware, KVER's own vmlinuz, and the guest's
# initramfs (scripts/guest/mkguest.sh).
#
# Another kernel than an installed Debian one (make check-debug):
# VM_KERNEL names its image (default /boot/vmlinuz-KVER) and VM_MODROOT
# the root of its modules_install tree (VM_MODROOT/lib/modules/KVER;
# default: the machine's /lib/modules).
set -euo pipefail

KVER=$1
OUT=$2
TOP=$(cd "$(dirname "$0")/.." && pwd)
SERIES=$("$TOP/scripts/kernels.sh" --series "$KVER")
KIMAGE=${VM_KERNEL:-/boot/vmlinuz-$KVER}
MODINFO=(modinfo -k "$KVER")
[ -n "${VM_MODROOT:-}" ] && MODINFO+=(-b "$VM_MODROOT")
ROOT=$TOP/build/$KVER/initramfs

rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,run,lib/kvmi,tests}

cp /bin/busybox "$ROOT/bin/busybox"
for app in sh mount; do ln -s busybox "$ROOT/bin/$app"; done

# Kernel modules, flat in /lib/kvmi/, loaded by name from the init script.
for m in irqbypass ccp kvm kvm-amd; do
	f=$("${MODINFO[@]}" -F filename "$m")
	case "$f" in
	*.xz) xz -dc "$f" > "$ROOT/lib/kvmi/$m.ko" ;;
	*) cp "$f" "$ROOT/lib/kvmi/$m.ko" ;;
	esac
done
for m in host/kvmi.ko guest/kvmmem.ko; do
	[ -e "$TOP/build/$KVER/$m" ] || { echo "missing $TOP/build/$KVER/$m: run make" >&2; exit 1; }
	cp "$TOP/build/$KVER/$m" "$ROOT/lib/kvmi/"
done

# Test binaries.
BIN=$TOP/build/selftests/$SERIES/bin
if [ -d "$BIN" ]; then
	cp -a "$BIN/." "$ROOT/tests/"
fi

# The tools (kvmi-hook, kvmictl: make tools).
for t in kvmi-hook kvmictl; do
	[ -e "$TOP/build/user/$t" ] || { echo "missing $TOP/build/user/$t: run make tools" >&2; exit 1; }
	cp "$TOP/build/user/$t" "$ROOT/tests/"
done

# The guest (scripts/vm/guest.sh).  QEMU finds its firmware relative to
# its binary (BINDIR/../share/qemu/); microvm loads bios-microvm.bin (a
# link to qboot.rom in Debian) and, for -kernel, linuxboot_dma.bin.
QEMU=/usr/bin/qemu-system-x86_64
mkdir -p "$ROOT"/guest/{bin,share/qemu}
cp "$QEMU" "$ROOT/guest/bin/"
for f in bios-microvm.bin linuxboot_dma.bin; do
	cp -L "/usr/share/qemu/$f" "$ROOT/guest/share/qemu/$f"
done
cp "$KIMAGE" "$ROOT/guest/vmlinuz"
"$TOP/scripts/guest/mkguest.sh" "$TOP/build/$KVER/guest-initramfs.cpio.gz" \
	"$TOP/build/$KVER/guest/kvmmem.ko"
cp "$TOP/build/$KVER/guest-initramfs.cpio.gz" "$ROOT/guest/initramfs.cpio.gz"

# The libraries the test binaries (if any are dynamic) and QEMU link.
find "$ROOT/tests" "$ROOT/guest/bin" -type f -perm -u+x | while read -r exe; do
	ldd "$exe" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
if [ -d "$ROOT/lib/x86_64-linux-gnu" ] && [ ! -e "$ROOT/lib64" ]; then
	mkdir -p "$ROOT/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$ROOT/lib64/"
fi

cp "$TOP/scripts/vm/init" "$ROOT/init"
for f in lib.sh guest.sh tests.sh bench.sh only.sh tools.sh kvmmem.sh \
	demo.sh demo-vm.sh; do
	cp "$TOP/scripts/vm/$f" "$ROOT/tests/"
done
chmod +x "$ROOT/init"
echo "$KVER" > "$ROOT/kver"

(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$OUT"
