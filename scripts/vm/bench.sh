# SPDX-License-Identifier: GPL-2.0-only
#
# The benchmark run of a test VM (make bench): load the modules, run the
# benchmark programs, print their BENCH lines.
. ./lib.sh

load irqbypass
load kvm
load ccp
load kvm-amd
load kvmi || echo "BENCH error: kvmi did not load"
./kvmi/kvmi_bench || echo "BENCH error: kvmi_bench failed ($?)"
./kvmi/kvmi_rmap_bench || echo "BENCH error: kvmi_rmap_bench failed ($?)"
rmmod kvmi
echo "kvmi-vm: results 0 passed, 0 failed, 0 skipped"
