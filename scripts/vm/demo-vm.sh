# SPDX-License-Identifier: GPL-2.0-only
#
# The demo boot (kvmi_demo=SECONDS on the kernel command line): load the
# modules, then run demo.sh.
. ./lib.sh

echo "loading kvm, kvm-amd and kvmi.ko"
load irqbypass
load kvm
load ccp
load kvm-amd
if ! load kvmi; then
	echo "DEMO-RESULT: kvmi.ko did not load"
	exit 1
fi
sh ./demo.sh "$1"
