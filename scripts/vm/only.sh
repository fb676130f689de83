# SPDX-License-Identifier: GPL-2.0-only
#
# A developer's run of one selftest binary, or one case of it, with the
# modules loaded as tests.sh leaves them (run-vm.sh with VM_ONLY set):
#
#   kvmi_only=BINARY[:CASE] on the kernel command line
#   kvmi_only=kvmmem        the remote-mapping tests (kvmmem.sh)
. ./lib.sh

spec=$(sed -n 's/.*kvmi_only=\([^ ]*\).*/\1/p' /proc/cmdline)
bin=${spec%%:*}
case $spec in
*:*) export KVMI_CASE=${spec#*:} ;;
esac

echo "KTAP version 1"
load irqbypass
load kvm
load ccp
load kvm-amd
load kvmi || diag "insmod kvmi failed"
if [ "$bin" = kvmmem ]; then
	# the remote-mapping tests (kvmmem.sh)
	. ./tools.sh
	. ./kvmmem.sh
	kvmmem_tests
else
	run_tap "$bin" "./kvmi/$bin"
fi
rmmod kvmi || result rmmod_kvmi 1
echo "1..$T_NUM"
echo "kvmi-vm: results $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
