# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the in-VM test script: KTAP result lines, kernel log marks,
# module loading; Linux guests (guest.sh).  Sourced by tests.sh (busybox
# sh), from /tests.
. ./guest.sh

MOD=/lib/kvmi
HOOKS_FILE=/sys/kernel/debug/kvmi/hooks
ENABLED=/sys/kernel/tracing/enabled_functions
# Kernel reports (see run-vm.sh, which scans the whole console log too).
BAD_LOG='\] (WARNING:|BUG:|Oops|Kernel panic|INFO: task .* blocked)|KASAN|UBSAN|\] watchdog: BUG: soft lockup'
HOOKED_FUNCS="kvm_arch_vm_ioctl kvm_emulate_hypercall kvm_vm_release kvm_vm_ioctl_check_extension kvm_arch_vcpu_postcreate"

# make check-debug puts kvmi_no_nested on the command line: the tests that
# need a Linux guest to boot inside this VM are skipped (run_nested).
NO_NESTED=
grep -q kvmi_no_nested /proc/cmdline && NO_NESTED=1
KMEMLEAK=/sys/kernel/debug/kmemleak

T_NUM=0
T_PASS=0
T_FAIL=0
T_SKIP=0

diag() {
	echo "# $*"
}

# result NAME STATUS: print one KTAP line (0 pass, 4 skip, else fail).
result() {
	T_NUM=$((T_NUM + 1))
	case $2 in
	0) echo "ok $T_NUM $1"; T_PASS=$((T_PASS + 1)) ;;
	4) echo "ok $T_NUM $1 # SKIP"; T_SKIP=$((T_SKIP + 1)) ;;
	*) echo "not ok $T_NUM $1"; T_FAIL=$((T_FAIL + 1)) ;;
	esac
}

# run_test NAME FUNCTION: run a shell test function and report it.
run_test() {
	"$2"
	result "$1" $?
}

# run_nested NAME FUNCTION: run_test for a test that boots a Linux guest
# in this VM; skipped, with the reason, under kvmi_no_nested.
run_nested() {
	if [ -n "$NO_NESTED" ]; then
		diag "$1 skipped: kvmi_no_nested (make check-debug: its nested guest would boot the debug kernel under TCG)"
		result "$1" 4
		return
	fi
	run_test "$@"
}

# show CMD...: run a command, print its output as diagnostics, keep status.
show() {
	"$@" > /tmp/show.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/show.out
	return $rc
}

# kmark: write a unique mark to the kernel log and print it.
KMARK=0
kmark() {
	KMARK=$((KMARK + 1))
	echo "kvmi-test: mark $KMARK" > /dev/kmsg
	echo "kvmi-test: mark $KMARK"
}

# since MARK: the kernel log after MARK.
since() {
	dmesg | sed -n "/$1\$/,\$p"
}

load() {
	insmod "$MOD/$1.ko"
}

loaded() {
	grep -q "^$1 " /proc/modules
}

# hooks_listed: 0 if every hooked function is in enabled_functions.
hooks_listed() {
	for f in $HOOKED_FUNCS; do
		grep -q "^$f " "$ENABLED" || { diag "$f not in enabled_functions"; return 1; }
	done
}

# hooks_absent: 0 if none of them is.
hooks_absent() {
	for f in $HOOKED_FUNCS; do
		if grep -q "^$f " "$ENABLED"; then
			diag "$f still in enabled_functions"
			return 1
		fi
	done
}

# hooks_armed: 0 if debugfs reports every hook armed.
hooks_armed() {
	for f in $HOOKED_FUNCS; do
		grep -q "^$f kvm armed " "$HOOKS_FILE" || { diag "$f not armed"; return 1; }
	done
}

# run_tap PREFIX CMD...: run a TAP/KTAP-printing test program and lift
# each of its top-level results into one of ours, named PREFIX.NAME.
# The program's output is shown as diagnostics.  If it fails without
# reporting a failed case (a crash, a missing binary), PREFIX itself is
# reported as failed.
run_tap() {
	prefix=$1
	shift
	"$@" > /tmp/tap.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/tap.out
	failed_cases=0
	while read -r line; do
		case $line in
		"ok "*|"not ok "*) ;;
		*) continue ;;
		esac
		# "ok N name", "ok N name # SKIP why" or kselftest's "ok N # SKIP name"
		name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ (- )?//; s/^# SKIP //; s/ *#.*$//; s/ /_/g')
		case $line in
		*"# SKIP"*) result "$prefix.$name" 4 ;;
		"ok "*) result "$prefix.$name" 0 ;;
		*) result "$prefix.$name" 1; failed_cases=$((failed_cases + 1)) ;;
		esac
	done < /tmp/tap.out
	if [ $rc -ne 0 ] && [ $failed_cases -eq 0 ]; then
		diag "$prefix exited with $rc"
		result "$prefix" 1
	fi
}
