#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: everything, from a fresh Debian 12 machine to one verdict.
#
#   1. install missing Debian packages          (scripts/deps.sh)
#   2. build both modules for each kernel       (make KVER=...)
#   3. style gates: checkpatch --strict; W=1 and sparse per kernel
#   4. dkms build for each kernel               (scripts/dkms-build.sh)
#   5. user-space unit tests                    (tools/selftests/unit/)
#      a short fuzz of host/proto.c             (scripts/fuzz.sh)
#      and the tools: kvmi-hook, kvmictl        (tools/)
#   6. KVM selftests library + our tests        (scripts/build-selftests.sh)
#   7. one QEMU run per kernel                  (scripts/run-vm.sh)
#
# Every stage prints its time.  Host-side stages count as one test each;
# the VM runs contribute their own results.  Ends with one line
# "N passed, M failed, K skipped" and exits non-zero if anything failed.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
mkdir -p build

. scripts/stages.sh

if ! stage deps scripts/deps.sh; then
	echo "0 passed, 1 failed"
	exit 1
fi

KVERS=$(scripts/kernels.sh)
echo "kernels: $(echo $KVERS)"

build_one() {
	make --no-print-directory KVER="$1" modules > "build/make-$1.log" 2>&1 ||
		{ tail -30 "build/make-$1.log"; return 1; }
}

for k in $KVERS; do
	stage "build $k" build_one "$k"
done
stage "checkpatch --strict" scripts/style.sh
for k in $KVERS; do
	stage "W=1 + sparse $k" scripts/sparse.sh "$k"
done
stage dkms_build scripts/dkms-build.sh
# The unit programs print one TAP line per check (hundreds): keep them in
# a log, show the failures and a count.
unit_tests() {
	make -s -C tools/selftests/unit O="$TOP/build/unit" run > build/unit.log 2>&1
	local rc=$?
	grep -E "^not ok|rror" build/unit.log
	echo "[unit] $(grep -c '^ok' build/unit.log) checks ok, $(grep -c '^not ok' build/unit.log) not ok (build/unit.log)"
	return $rc
}
stage "unit tests (user space)" unit_tests
# make fuzz runs 10 million; this is a smoke run with the same checks
# (corpus, crashes, line coverage of host/proto.c >= 90 %).
stage "fuzz host/proto.c (200,000 executions)" \
	scripts/fuzz.sh --runs 200000 --time 120
stage "tools build (kvmi-hook, kvmictl)" make -s -C tools

for k in $KVERS; do
	s=$(scripts/kernels.sh --series "$k")
	stage "selftests build $s" scripts/build-selftests.sh "$s" "build/selftests/$s"
done

for k in $KVERS; do
	start=$(date +%s)
	echo "==> QEMU run $k"
	rm -f "build/$k/vm.counts" "build/$k/vm.failures"
	scripts/run-vm.sh "$k"
	add_vm_counts "$k"
	echo "QEMU run $k: $p passed, $f failed, $s skipped ($(($(date +%s) - start)) s)"
done

summary
