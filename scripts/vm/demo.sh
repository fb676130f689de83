# SPDX-License-Identifier: GPL-2.0-only
#
# The live introspection demo, inside the test VM (busybox sh, /tests):
# a Linux guest run by stock QEMU, hooked by kvmi-hook, looked at with
# kvmictl, then unhooked while it keeps running.
#
#   sh demo.sh [WATCH_SECONDS]
#
# Ends with one line "DEMO-RESULT: version=match|MISMATCH cr3=N
# unhook=ok|FAILED alive=yes|no" and exits 0 only if all four hold (the
# demo test of tests.sh and scripts/demo.sh check it).
. ./lib.sh

WATCH=${1:-10}
SOCK=/run/kvmi.sock
export KVMICTL_SOCKET=$SOCK

step() {
	echo
	echo "=== $*"
}

# run CMD...: show the command, then run it.
run() {
	echo "\$ $*" | sed 's|^\$ \./|$ |'
	"$@"
}

result() {
	echo "DEMO-RESULT: version=$v_ok cr3=$cr3 unhook=$u_ok alive=$alive"
	[ "$v_ok" = match ] && [ "$cr3" -ge 2 ] && [ "$u_ok" = ok ] &&
		[ "$alive" = yes ]
}

v_ok=MISMATCH
cr3=0
u_ok=FAILED
alive=no

step "1. Start a Linux guest with stock QEMU (microvm, KVM inside this VM)"
guest_start demo || { result; exit 1; }
gpid=$(guest_pid demo)
echo "QEMU pid $gpid; waiting for the guest's /init (TCG: about a minute)"
guest_wait demo GUEST-READY 300 || { result; exit 1; }
guest_line=$(grep -a "^GUEST-VERSION: " /tmp/demo.console | head -n 1 |
	tr -d '\r' | sed 's/^GUEST-VERSION: //')
echo "the guest says (its /proc/version): $guest_line"

step "2. Hook it: kvmi-hook takes the VM's fd from QEMU and connects to the tool"
./kvmi-hook --pid "$gpid" --connect "$SOCK" --reconnect 1 --wait 60 \
	> /tmp/kvmi-hook.log 2>&1 &
hook_pid=$!
echo "\$ kvmi-hook --pid $gpid --connect $SOCK --reconnect 1 &   (pid $hook_pid)"

step "3. Protocol version and guest info"
run ./kvmictl info

step "4. Registers of vCPU 0"
run ./kvmictl regs 0

step "5. The kernel's version string, found by reading guest memory"
echo "\$ kvmictl find 'Linux version ' --from 0x1000000"
./kvmictl find "Linux version " --from 0x1000000 > /tmp/find.out
cat /tmp/find.out
mem_line=$(sed -n 's/^0x[0-9a-f]*: //p' /tmp/find.out | head -n 1)
gpa=$(sed -n 's/^\(0x[0-9a-f]*\): .*/\1/p' /tmp/find.out | head -n 1)
echo "read from guest memory at gpa $gpa: $mem_line"
echo "the guest's own /proc/version:      $guest_line"
# The copy found may be followed by other text (the kernel's log buffer
# holds one too): it must start with the guest's whole line.
case "$mem_line" in
"$guest_line"*) [ -n "$guest_line" ] && v_ok=match ;;
esac
if [ "$v_ok" = match ]; then
	echo "=> they match"
else
	echo "=> they DIFFER"
fi

step "6. CR3 switches and MSR writes, live for $WATCH s (first lines, then the summary)"
echo "\$ kvmictl watch cr3 msr --duration $WATCH --plain"
./kvmictl watch cr3 msr --duration "$WATCH" --plain > /tmp/watch.out 2>&1
awk 'NR <= 12 || /^(summary|distinct)/' /tmp/watch.out
cr3=$(sed -n 's/^distinct CR3 values: \([0-9]*\).*/\1/p' /tmp/watch.out)
cr3=${cr3:-0}

step "7. Unhook while a tool watches: SIGTERM to kvmi-hook"
echo "(kvmi-hook sends PREUNHOOK: the tool gets KVMI_EVENT_UNHOOK and leaves; then UNHOOK)"
hooks=$(grep -c "hooked the VM" /tmp/kvmi-hook.log)
./kvmictl watch cr3 --plain > /tmp/watch2.out 2>&1 &
tool_pid=$!
i=0
while [ "$(grep -c "hooked the VM" /tmp/kvmi-hook.log)" -le "$hooks" ] &&
	[ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
before=$(grep -ac "^GUEST-ALIVE" /tmp/demo.console)
kill -TERM "$hook_pid"
wait "$hook_pid"
hook_rc=$?
wait "$tool_pid"
tail -n 3 /tmp/watch2.out | sed 's/^/  kvmictl: /'
sed 's/^/  /' /tmp/kvmi-hook.log
if [ $hook_rc -eq 0 ] && grep -q "asks us to leave" /tmp/watch2.out &&
	tail -n 1 /tmp/kvmi-hook.log | grep -q "^kvmi-hook: unhooked"; then
	u_ok=ok
fi

step "8. The guest keeps running"
# a heartbeat a second: wait for two more (up to 30 s on a busy machine)
i=0
while [ "$(grep -ac "^GUEST-ALIVE" /tmp/demo.console)" -lt $((before + 2)) ] &&
	[ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
after=$(grep -ac "^GUEST-ALIVE" /tmp/demo.console)
echo "guest heartbeats: $before before the unhook, $after now"
[ "$after" -gt "$before" ] && alive=yes
guest_stop demo

echo
result
