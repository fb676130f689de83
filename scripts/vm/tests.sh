# SPDX-License-Identifier: GPL-2.0-only
#
# The tests of one VM run (busybox sh, as root, in /tests).  Each prints
# one KTAP line; diagnostics start with '#'.  Order matters: the first
# tests need kvm and the vendor module to be absent.
. ./lib.sh

STOCK="set_sregs_test sync_regs_test userspace_msr_exit_test svm_vmcall_test cpuid_test"

echo "KTAP version 1"

# expect_refusal MODULE MESSAGE: insmod fails and the log says why.
expect_refusal() {
	m=$(kmark)
	if load "$1" 2>/dev/null; then
		diag "$1 loaded"
		rmmod "$1"
		return 1
	fi
	since "$m" | grep -q "$2" || { diag "no message \"$2\""; return 1; }
}

t_load_requires_kvm() {
	expect_refusal kvmi "kvmi: Unknown symbol"
}

t_load_requires_vendor() {
	expect_refusal kvmi "kvmi: no KVM vendor module is loaded"
}

t_kvmmem_refuses_without_pv() {
	expect_refusal kvmmem "kvmmem: KVM paravirtual interface not available" &&
		{ [ ! -e /dev/kvmmem ] || { diag "/dev/kvmmem exists"; false; }; }
}

t_kvm_amd_loads() {
	load ccp && load kvm-amd && [ -c /dev/kvm ]
}

# stock_run DIR: run the stock KVM selftests, one signature file each:
# the exit status and every TAP result line.
stock_run() {
	mkdir -p "$1"
	for t in $STOCK; do
		[ -x ./stock/$t ] || { diag "missing stock/$t"; return 1; }
		./stock/$t > "$1/$t.out" 2>&1
		echo "exit=$?" > "$1/$t.sig"
		grep -E '^(not )?ok [0-9]+' "$1/$t.out" >> "$1/$t.sig" || true
	done
	return 0
}

t_load_unload_cycles() {
	i=0
	while [ $i -lt 20 ]; do
		load kvmi || { diag "cycle $i: insmod failed"; return 1; }
		hooks_listed && hooks_armed && exit_hook_is off ||
			{ diag "cycle $i"; rmmod kvmi; return 1; }
		rmmod kvmi || { diag "cycle $i: rmmod failed"; return 1; }
		hooks_absent || { diag "cycle $i"; return 1; }
		[ ! -e /sys/kernel/debug/kvmi ] ||
			{ diag "cycle $i: debugfs dir left behind"; return 1; }
		i=$((i + 1))
	done
}

# exit_hook_is off|armed: the state of kvm_amd's exit hook in kvmi/hooks
# (armed the first time a session needs it, then until rmmod).
exit_hook_is() {
	grep -q "^svm_invoke_exit_handler kvm_amd $1 " "$HOOKS_FILE" && return 0
	diag "svm_invoke_exit_handler is not $1:"
	grep "^svm_invoke_exit_handler " "$HOOKS_FILE" | sed 's/^/#   /'
	return 1
}

# After the selftests (injections, single-steps, descriptor events), the
# exit hook is armed and has seen exits.
t_exit_hook_armed_on_use() {
	exit_hook_is armed || return 1
	[ "$(awk '$1 == "svm_invoke_exit_handler" { print $4 }' "$HOOKS_FILE")" -gt 0 ]
}

t_vendor_module_pinned() {
	if rmmod kvm_amd 2>/dev/null; then
		diag "kvm_amd unloaded while kvmi is loaded"
		load kvm-amd
		return 1
	fi
	loaded kvm_amd && loaded kvmi
}

t_stock_selftests_with_kvmi() {
	[ -d /tmp/stock-base ] || { diag "no baseline run"; return 1; }
	stock_run /tmp/stock-kvmi || return 1
	rc=0
	for t in $STOCK; do
		diag "$t: $(tr '\n' ' ' < /tmp/stock-kvmi/$t.sig)"
		if ! cmp -s /tmp/stock-base/$t.sig /tmp/stock-kvmi/$t.sig; then
			diag "$t differs from the run without kvmi:"
			show diff /tmp/stock-base/$t.sig /tmp/stock-kvmi/$t.sig
			rc=1
		fi
	done
	return $rc
}

TRACING=/sys/kernel/tracing
STATS=/sys/kernel/debug/kvmi/stats

# kstat SCOPE KEY: a value from debugfs kvmi/stats ("SCOPE KEY VALUE").
kstat() {
	awk -v s="$1" -v k="$2" '$1 == s && $2 == k { print $3 }' "$STATS"
}

# expect_num WHAT VALUE OP LIMIT: a numeric check, with a diagnostic if false.
expect_num() {
	[ -n "$2" ] && [ "$2" "$3" "$4" ] && return 0
	diag "$1 is \"$2\", expected $3 $4"
	return 1
}

# One selftest case (a hook, commands, a HYPERCALL event answered), then
# kvmi_hold, whose VM stays hooked with its vCPU in an event while its
# debugfs counters are read, until its VMM is killed.  Sets $hold_pid and
# $hold_vm (the VM's scope in kvmi/stats, "vm<ID>").
tp_run() {
	local hc0 rpl0 cmd0 i v rc=0

	hc0=$(kstat total events.hypercall)
	rpl0=$(kstat total replies)
	cmd0=$(kstat total commands)
	(export KVMI_CASE=hypercall_event; ./kvmi/kvmi_vcpu_test) \
		> /tmp/tp.out 2>&1 || { show cat /tmp/tp.out; return 1; }

	: > /tmp/hold.out	# see hold_and_rmmod()
	./kvmi/kvmi_hold --event > /tmp/hold.out 2>&1 &
	hold_pid=$!
	i=0
	while ! grep -q ready /tmp/hold.out && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	show cat "$STATS"
	hold_vm=$(awk -v p=$hold_pid '$2 == "pid" && $3 == p { print $1 }' "$STATS")
	if [ -z "$hold_vm" ]; then
		diag "no VM of pid $hold_pid in $STATS"
		rc=1
	else
		v=$hold_vm
		expect_num "$v commands" "$(kstat $v commands)" -ge 2 || rc=1
		expect_num "$v command_errors" "$(kstat $v command_errors)" -eq 0 || rc=1
		expect_num "$v events" "$(kstat $v events)" -eq 1 || rc=1
		expect_num "$v events.hypercall" "$(kstat $v events.hypercall)" -eq 1 || rc=1
		expect_num "$v replies" "$(kstat $v replies)" -eq 0 || rc=1
	fi
	kill $hold_pid
	wait $hold_pid 2>/dev/null	# no "Terminated" from the shell
	i=0
	while [ -n "$hold_vm" ] && grep -q "^$hold_vm " "$STATS" && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -n "$hold_vm" ] && grep -q "^$hold_vm " "$STATS"; then
		diag "$hold_vm still listed after its VMM was killed"
		rc=1
	fi

	expect_num "total events.hypercall" "$(kstat total events.hypercall)" -ge $((hc0 + 2)) || rc=1
	expect_num "total replies" "$(kstat total replies)" -ge $((rpl0 + 1)) || rc=1
	expect_num "total commands" "$(kstat total commands)" -ge $((cmd0 + 3)) || rc=1
	return $rc
}

# The kvmi trace events during tp_run, and the debugfs counters.
t_tracepoints() {
	local on rc e id

	[ -d $TRACING/events/kvmi ] || { diag "no $TRACING/events/kvmi"; return 1; }
	[ -r "$STATS" ] || { diag "no $STATS"; return 1; }
	if show grep -l KVMI_ $TRACING/events/kvmi/*/format; then
		diag "enum names left in those formats"
		return 1
	fi
	on=$(cat $TRACING/tracing_on)
	echo 0 > $TRACING/tracing_on
	echo > $TRACING/trace
	echo 1 > $TRACING/events/kvmi/enable
	echo 1 > $TRACING/tracing_on
	tp_run
	rc=$?
	echo 0 > $TRACING/tracing_on
	echo 0 > $TRACING/events/kvmi/enable
	grep " kvmi_" $TRACING/trace > /tmp/tp.trace
	echo > $TRACING/trace
	echo "$on" > $TRACING/tracing_on
	show head -n 30 /tmp/tp.trace
	for e in kvmi_hook kvmi_command kvmi_event kvmi_event_reply kvmi_unhook; do
		grep -q " $e: " /tmp/tp.trace || { diag "no $e line"; rc=1; }
	done
	grep -q " kvmi_event_reply: .* event=hypercall .* action=continue latency_ns=[1-9]" /tmp/tp.trace ||
		{ diag "no HYPERCALL reply with a latency"; rc=1; }
	id=${hold_vm#vm}
	grep -q " kvmi_hook: vm=$id pid=$hold_pid " /tmp/tp.trace ||
		{ diag "no kvmi_hook of kvmi_hold's VM"; rc=1; }
	grep -q " kvmi_event: vm=$id vcpu=0 event=hypercall " /tmp/tp.trace ||
		{ diag "no kvmi_event of kvmi_hold's VM"; rc=1; }
	grep -q " kvmi_unhook: vm=$id pid=$hold_pid " /tmp/tp.trace ||
		{ diag "no kvmi_unhook of kvmi_hold's VM"; rc=1; }
	return $rc
}

# After every session ended, no context is left (debugfs counters).
# Contexts are freed by a work item: wait up to 30 s for it.
t_no_leaked_contexts() {
	local vms=/sys/kernel/debug/kvmi/vms i=0

	until grep -q "^hooked 0$" $vms && grep -q "^contexts 0$" $vms; do
		if [ $i -ge 300 ]; then
			show cat $vms
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	diag "no context left after $((i / 10)).$((i % 10)) s"
	show cat $vms
}

# rmmod kvmi while a VM is hooked (with --event: while its vCPU waits in
# an event): unload ends the session, the VM runs on; kvmi is loaded again
# afterwards.
hold_and_rmmod() {
	# empty it first: the shell's redirection runs in the child, after
	# the checks below may already have read an earlier test's file
	: > /tmp/hold.out
	./kvmi/kvmi_hold "$@" > /tmp/hold.out 2>&1 &
	pid=$!
	i=0
	while ! grep -q ready /tmp/hold.out && [ $i -lt 1200 ] &&
		[ -d /proc/$pid ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q ready /tmp/hold.out; then
		# say where it is stuck before killing it
		diag "kvmi_hold not ready after $((i / 10)) s"
		for t in /proc/$pid/task/*; do
			diag "$t: $(cat "$t/comm" 2>/dev/null) $(cat "$t/wchan" 2>/dev/null)"
			sed 's/^/#     /' "$t/stack" 2>/dev/null
		done
		kill $pid
		wait $pid
		diag "exit status $?"
		show cat /tmp/hold.out
		return 1
	fi
	show rmmod kvmi
	rc=$?
	wait $pid
	hold=$?
	show cat /tmp/hold.out
	load kvmi || return 1
	[ $rc -eq 0 ] && [ $hold -eq 0 ]
}

t_rmmod_with_hooked_vm() {
	hold_and_rmmod
}

t_rmmod_with_vcpu_in_event() {
	hold_and_rmmod --event
}

# ... while a page of the hooked VM is mapped in an introspector VM
t_rmmod_with_mapped_page() {
	hold_and_rmmod --rmap
}

t_rmmod_kvmi() {
	show rmmod kvmi && ! loaded kvmi && hooks_absent
}

t_vendor_module_released() {
	show rmmod kvm_amd && load kvm-amd
}

# A Linux guest under unmodified QEMU (microvm, nested KVM) with kvmi
# loaded: it boots this VM's own kernel, reaches its init and runs on.
t_guest_boots() {
	local t0 t1 want got rc=1

	t0=$(cut -d' ' -f1 /proc/uptime)
	guest_start g1 || return 1
	if guest_wait g1 "^GUEST-READY$" 300; then
		t1=$(cut -d' ' -f1 /proc/uptime)
		diag "g1: GUEST-READY $(echo "$t0 $t1" | awk '{ print $2 - $1 }') s after start"
		want="GUEST-VERSION: $(cat /proc/version)"
		got=$(guest_console g1 | grep "^GUEST-VERSION: ")
		if [ "$got" != "$want" ]; then
			diag "g1: expected \"$want\""
			diag "g1: got \"$got\""
		elif guest_wait g1 "^GUEST-ALIVE 1$" 60 &&
		     guest_wait g1 "^GUEST-ALIVE 2$" 60; then
			rc=0
		fi
	fi
	guest_stop g1
	return $rc
}

# Kernels with kmemleak (make check-debug): what leaked since the start of
# the tests.  Boot-time suspects are cleared first (kmemleak_start); an
# object is reported once it is 5 s old and unreferenced in a scan.
kmemleak_start() {
	echo scan > $KMEMLEAK
	echo clear > $KMEMLEAK
}

t_kmemleak_clean() {
	sleep 6
	echo scan > $KMEMLEAK
	sleep 6
	echo scan > $KMEMLEAK
	cat $KMEMLEAK > /tmp/kmemleak.out
	[ -s /tmp/kmemleak.out ] || return 0
	diag "kmemleak: $(grep -c '^unreferenced object' /tmp/kmemleak.out) suspected leaks:"
	sed 's/^/#   /' /tmp/kmemleak.out
	return 1
}

t_kernel_log_clean() {
	if dmesg | grep -E "$BAD_LOG"; then
		return 1
	fi
}

[ -e $KMEMLEAK ] && kmemleak_start
run_test load_requires_kvm t_load_requires_kvm
load irqbypass
load kvm
run_test load_requires_vendor t_load_requires_vendor
run_test kvmmem_refuses_without_pv t_kvmmem_refuses_without_pv
run_test kvm_amd_loads t_kvm_amd_loads

diag "stock KVM selftests without kvmi"
stock_run /tmp/stock-base || rm -rf /tmp/stock-base

run_test load_unload_cycles t_load_unload_cycles

load kvmi || diag "insmod kvmi failed"
run_test vendor_module_pinned t_vendor_module_pinned

show ./hypercall_passthrough --hooked
hc_hooked=$?
show ./vm_ioctl_passthrough --hooked
io_hooked=$?

run_test stock_selftests_with_kvmi t_stock_selftests_with_kvmi

# The control plane and the VM-scope protocol: one result per case.
run_tap kvmi_vm_test ./kvmi/kvmi_vm_test
run_tap kvmi_vcpu_test ./kvmi/kvmi_vcpu_test
run_tap kvmi_intercept_test ./kvmi/kvmi_intercept_test
run_tap kvmi_debug_test ./kvmi/kvmi_debug_test
run_tap kvmi_page_test ./kvmi/kvmi_page_test
run_tap kvmi_rmap_test ./kvmi/kvmi_rmap_test
run_tap kvmi_fault_test ./kvmi/kvmi_fault_test
run_tap kvmi_fuzz_test ./kvmi/kvmi_fuzz_test
run_test exit_hook_armed_on_use t_exit_hook_armed_on_use
run_test tracepoints t_tracepoints
run_nested guest_boots t_guest_boots
. ./tools.sh
run_nested demo t_demo
run_test tools_errors t_tools_errors
run_nested kvmictl_commands t_kvmictl_commands
. ./kvmmem.sh
kvmmem_tests
run_test no_leaked_contexts t_no_leaked_contexts
run_test rmmod_with_hooked_vm t_rmmod_with_hooked_vm
run_test rmmod_with_vcpu_in_event t_rmmod_with_vcpu_in_event
run_test rmmod_with_mapped_page t_rmmod_with_mapped_page

run_test rmmod_kvmi t_rmmod_kvmi
run_test tools_no_module t_tools_no_module

show ./hypercall_passthrough --unhooked
hc_unhooked=$?
show ./vm_ioctl_passthrough --unhooked
io_unhooked=$?
[ $hc_hooked -eq 0 ] && [ $hc_unhooked -eq 0 ]
result hypercall_passthrough $?
[ $io_hooked -eq 0 ] && [ $io_unhooked -eq 0 ]
result vm_ioctl_passthrough $?

run_test vendor_module_released t_vendor_module_released
[ -e $KMEMLEAK ] && run_test kmemleak_clean t_kmemleak_clean
run_test kernel_log_clean t_kernel_log_clean

echo "1..$T_NUM"
echo "kvmi-vm: results $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
