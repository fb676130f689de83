# SPDX-License-Identifier: GPL-2.0-only
#
# A developer's run of one selftest binary, or one case of it, with the
# modules loaded as tests.sh leaves them (run-vm.sh with VM_ONLY set):
#
#   kvmi_only=BINARY[:CASE] on the kernel command line
#   kvmi_only=kvmmem        the remote-mapping tests (kvmmem.sh)
#   kvmi_only=guest_loop:N  N boots of a Linux guest (guest.sh), one
#                           result each; guest_loop_nokvmi:N the same
#                           with kvmi.ko not loaded (the rare guest-boot
#                           crash in Documentation/testing.rst)
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
if [ "$bin" = guest_loop ] || [ "$bin" = guest_loop_nokvmi ]; then
	[ "$bin" = guest_loop ] || rmmod kvmi
	i=0
	while [ $i -lt "${KVMI_CASE:-10}" ]; do
		i=$((i + 1))
		t0=$(cut -d' ' -f1 /proc/uptime)
		rc=1
		if guest_start "l$i" && guest_wait "l$i" "^GUEST-READY$" 180; then
			diag "l$i: ready after $(awk -v t="$t0" '{ print $1 - t }' /proc/uptime) s"
			rc=0
		fi
		guest_stop "l$i"
		rm -f "/tmp/l$i.console" "/tmp/l$i.qemu"
		result "l$i" $rc
	done
	[ "$bin" = guest_loop ] || load kvmi
elif [ "$bin" = kvmmem ]; then
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
