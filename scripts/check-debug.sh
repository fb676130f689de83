#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug: the in-VM test suite of make check, on a debug build
# of Debian's 6.12 kernel (KASAN, lockdep, kmemleak, UBSAN, DEBUG_LIST,
# DEBUG_ATOMIC_SLEEP; booted with panic_on_warn=1).  Not part of make
# check.  Stages:
#
#   1. Debian packages (scripts/deps.sh, and libssl-dev for the kernel's
#      certificate tools)
#   2. the debug kernel (scripts/debug-kernel.sh): built once, cached
#      outside the tree under a key of (source version, config)
#   3. kvmi.ko and kvmmem.ko built against that kernel's tree
#   4. the tools and the 6.12 selftests (as make check builds them)
#   5. one QEMU run (scripts/run-vm.sh with the debug kernel's image and
#      modules), ending with a kmemleak scan
#
# Any failed test, any KASAN/lockdep/UBSAN/WARN/BUG report in the kernel
# log and any kmemleak report fails the run.  The tests that boot a Linux
# guest inside the test VM are skipped (the nested guest runs the KASAN
# kernel too, far too slowly under TCG); DEBUG_NESTED=1 runs them anyway.
#
# Ends with "N passed, M failed, K skipped" and writes a summary (date,
# times, counts, reports) to build/check-debug.result.
#
# Environment: KVMI_DEBUG_CACHE (cache folder, debug-kernel.sh),
# DEBUG_NESTED, VM_MEM (default 3072), VM_TIMEOUT (default 7200) and the
# other variables of run-vm.sh.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
mkdir -p build

. scripts/stages.sh

finish() {
	summary
	exit
}

debug_deps() {
	scripts/deps.sh || return 1
	dpkg-query -W -f='${Status}' libssl-dev 2>/dev/null | grep -q "ok installed" &&
		return 0
	echo "[deps] installing: libssl-dev"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q &&
		apt-get install -y -q --no-install-recommends \
			-o DPkg::Lock::Timeout=600 libssl-dev
}
stage deps debug_deps || finish

# The kernel: built (and timed) now, or found in the cache.
DIR=
debug_kernel() {
	DIR=$(scripts/debug-kernel.sh) && [ -e "$DIR/.done" ]
}
kstart=$(date +%s)
stage "debug kernel" debug_kernel || finish
KVER=$(cat "$DIR/kver")
if [ $(($(date +%s) - kstart)) -gt 60 ]; then
	kbuild="built in $(cat "$DIR/build.time") s"
else
	kbuild="cached (built in $(cat "$DIR/build.time") s)"
fi
echo "debug kernel $KVER: $kbuild, $DIR"

# Our modules, against the debug kernel's tree (as "make modules" does
# against Debian's headers).
debug_modules() {
	mkdir -p "build/$KVER"
	cp -a -u Kbuild host guest include "build/$KVER/"
	nice -n 19 make -C "$DIR/src" M="$TOP/build/$KVER" -j2 modules \
		> "build/make-$KVER.log" 2>&1 ||
		{ tail -30 "build/make-$KVER.log"; return 1; }
}
stage "build $KVER" debug_modules || finish
stage "tools build (kvmi-hook, kvmictl)" nice -n 19 make -s -C tools || finish
stage "selftests build 6.12" nice -n 19 scripts/build-selftests.sh 6.12 \
	build/selftests/6.12 || finish

append="panic_on_warn=1 oops=panic loglevel=5"
[ "${DEBUG_NESTED:-0}" = 1 ] || append="$append kvmi_no_nested"
echo "==> QEMU run $KVER ($append)"
vstart=$(date +%s)
rm -f "build/$KVER/vm.counts" "build/$KVER/vm.failures"
VM_KERNEL=$DIR/vmlinuz VM_MODROOT=$DIR/root VM_APPEND="$append" \
	VM_REQUIRED=kmemleak_clean VM_MEM=${VM_MEM:-3072} \
	VM_TIMEOUT=${VM_TIMEOUT:-7200} scripts/run-vm.sh "$KVER"
vtime=$(($(date +%s) - vstart))
add_vm_counts "$KVER"
echo "QEMU run $KVER: $p passed, $f failed, $s skipped ($vtime s)"

# What the checkers said, for the summary.
LOG=build/$KVER/vm.log.txt
[ -e "build/$KVER/vm.retry2.log.txt" ] && LOG=build/$KVER/vm.retry2.log.txt
reports=$(grep -cE '\] (WARNING:|BUG:|Oops|Kernel panic)|KASAN|UBSAN|soft lockup|^not ok [0-9]+ kmemleak_clean' "$LOG" 2>/dev/null)
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)"
	echo "kernel: $KVER ($(basename "$DIR")), $kbuild"
	echo "qemu run: $vtime s"
	echo "total: $(($(date +%s) - T0)) s"
	echo "vm tests: $p passed, $f failed, $s skipped"
	echo "kernel reports (KASAN/lockdep/UBSAN/WARN/BUG/kmemleak lines): ${reports:-0}"
} > build/check-debug.result
sed 's/^/[check-debug] /' build/check-debug.result
finish
