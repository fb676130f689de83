#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: build what is needed and run the benchmarks in a QEMU VM of
# each kernel (VM_MODE=bench of scripts/run-vm.sh).  Prints BENCH lines:
# ratios measured side by side in one run, not absolute times (TCG).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
mkdir -p build
rc=0
# the test VM's initramfs packs the tools and the guests' programs
make -s -C tools > build/make-tools.log 2>&1
for k in $(scripts/kernels.sh); do
	s=$(scripts/kernels.sh --series "$k")
	make --no-print-directory KVER="$k" modules > "build/make-$k.log" 2>&1
	scripts/build-selftests.sh "$s" "build/selftests/$s"
	VM_MODE=bench scripts/run-vm.sh "$k" || rc=1
done
exit $rc
