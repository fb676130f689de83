#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: the live introspection demo, from a fresh Debian 12 machine.
#
#   demo.sh [WATCH_SECONDS]
#
# Installs what is missing, builds the modules and the tools for the
# primary kernel (Debian's 6.12 series, else 6.1), boots it under QEMU
# (TCG, emulated AMD SVM), and inside runs scripts/vm/demo.sh: a Linux
# guest under stock QEMU, hooked with kvmi-hook and shown with kvmictl.
# The VM's console is shown as it goes (kernel messages left out; the
# whole log is kept in build/KVER/demo.log).  Exits 0 if the demo's
# checks held.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
WATCH=${1:-10}

say() {
	echo "[demo] $*"
}

say "1/4 installing missing Debian packages (scripts/deps.sh)"
scripts/deps.sh || exit 1
KVER=$(scripts/kernels.sh | head -n 1)
[ -n "$KVER" ] || { say "no supported kernel found"; exit 1; }

say "2/4 building kvmi.ko and kvmmem.ko for $KVER, and the tools"
make -s KVER="$KVER" modules > build/demo-build.log 2>&1 &&
	make -s -C tools >> build/demo-build.log 2>&1 || {
	tail -n 30 build/demo-build.log
	say "build failed (build/demo-build.log)"
	exit 1
}

say "3/4 packing the test VM's initramfs (QEMU and a guest kernel inside)"
OUT=build/$KVER
scripts/mkinitramfs.sh "$KVER" "$OUT/initramfs.cpio.gz" || exit 1

say "4/4 booting $KVER under QEMU; the demo runs inside (a few minutes)"
log=$OUT/demo.log
timeout --foreground 1200 qemu-system-x86_64 \
	-accel tcg,thread=multi -smp 1 -m 2048 \
	-cpu EPYC,+svm,+npt -nodefaults -display none -no-reboot \
	-serial stdio -monitor none \
	-kernel "/boot/vmlinuz-$KVER" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 loglevel=1 rdinit=/init kvmi_demo=$WATCH" \
	< /dev/null 2> "$log.qemu" | tr -d '\r' | tee "$log" |
	grep --line-buffered -vE '^\[ *[0-9]+\.[0-9]+\]|^kvmi-vm: (init|powering)'

if grep -q "^DEMO-RESULT: version=match cr3=[0-9]* unhook=ok alive=yes" "$log" &&
	! grep -q "^DEMO-RESULT: .*cr3=[01] " "$log"; then
	say "done: every check held"
	exit 0
fi
say "the demo did not complete as expected (log: $log)"
exit 1
