# SPDX-License-Identifier: GPL-2.0-only
#
# Tests of kvmi-hook and kvmictl (Documentation/tools.rst), sourced by
# tests.sh after lib.sh and guest.sh.  The guests are Linux VMs run by
# stock QEMU (guest.sh).

# expect_fail STATUS PATTERN CMD...: CMD exits with STATUS and says PATTERN.
expect_fail() {
	want=$1
	pattern=$2
	shift 2
	"$@" > /tmp/expect.out 2>&1
	rc=$?
	if [ $rc -ne "$want" ] || ! grep -q "$pattern" /tmp/expect.out; then
		diag "$*: exit $rc, wanted $want and '$pattern'; said:"
		sed 's/^/#   /' /tmp/expect.out
		return 1
	fi
}

# The demo end to end, its watch shortened: version string read from
# memory equal to the guest's /proc/version, at least two distinct CR3
# values, the unhook completed, the guest still running.
t_demo() {
	sh ./demo.sh 5 > /tmp/demo.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/demo.out
	[ $rc -eq 0 ] &&
		grep -q "^DEMO-RESULT: version=match cr3=[0-9]* unhook=ok alive=yes" /tmp/demo.out
}

# wait_hooked N: kvmi-hook's log shows N hooks.
wait_hooked() {
	i=0
	while [ "$(grep -c "hooked the VM" /tmp/hook1.log)" -lt "$1" ]; do
		[ $i -ge 300 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# kvmi-hook's refusals, each with its message and exit status 3 (2 for
# usage), and kvmictl's.
t_tools_errors() {
	ok=0
	expect_fail 2 "Usage" ./kvmi-hook || ok=1
	expect_fail 3 "no such process" \
		./kvmi-hook --pid 999999 --connect /run/none.sock || ok=1
	expect_fail 3 "has no KVM VM" \
		./kvmi-hook --pid 1 --connect /run/none.sock || ok=1
	expect_fail 2 "unknown command" ./kvmictl frobnicate || ok=1
	expect_fail 3 "no VM connected" \
		./kvmictl -s /run/t1.sock --accept 1 info || ok=1
	./kvmictl --help > /dev/null || ok=1

	guest_start t1 -name t1 || return 1
	gpid=$(guest_pid t1)
	expect_fail 3 "not listening" \
		./kvmi-hook --pid "$gpid" --connect /run/none.sock || ok=1
	# kvmictl sends no cookie: a key makes the handshake fail
	echo secret > /tmp/key
	./kvmictl -s /run/t1.sock --accept 20 info > /tmp/k.out 2>&1 &
	kpid=$!
	expect_fail 3 "cookie does not match" ./kvmi-hook --pid "$gpid" \
		--connect /run/t1.sock --wait 20 --key /tmp/key || ok=1
	wait $kpid

	# a second device manager finds the VM hooked
	./kvmictl -s /run/t1.sock --accept 20 watch cr3 --duration 30 \
		> /tmp/w1.out 2>&1 &
	kpid=$!
	# empty it first: the redirection runs in the child, maybe after
	# wait_hooked's first look
	: > /tmp/hook1.log
	./kvmi-hook --pid "$gpid" --connect /run/t1.sock --wait 20 \
		> /tmp/hook1.log 2>&1 &
	hpid=$!
	wait_hooked 1 || { diag "kvmi-hook did not hook"; ok=1; }
	./kvmictl -s /run/t2.sock --accept 20 info > /dev/null 2>&1 &
	k2=$!
	expect_fail 3 "already hooked" ./kvmi-hook --pid "$gpid" \
		--connect /run/t2.sock --wait 20 || ok=1
	kill $k2 2> /dev/null
	wait $k2
	# SIGTERM: PREUNHOOK, the tool leaves, UNHOOK, exit 0
	kill -TERM $hpid
	wait $hpid || { diag "kvmi-hook exit $?"; ok=1; }
	wait $kpid
	grep -q "asks us to leave" /tmp/w1.out ||
		{ diag "kvmictl did not get the UNHOOK event"; ok=1; }
	tail -n 1 /tmp/hook1.log | grep -q "unhooked" ||
		{ diag "no unhook:"; sed 's/^/#   /' /tmp/hook1.log; ok=1; }
	guest_stop t1
	return $ok
}

# After rmmod kvmi: kvmi-hook says the module is missing.
t_tools_no_module() {
	expect_fail 3 "is kvmi.ko loaded" \
		./kvmi-hook --pid 1 --connect /run/none.sock &&
		expect_fail 3 "is kvmi.ko loaded" \
			./kvmi-hook --pid 1 --introspector
}

# kvmictl's other commands against a hooked guest: read, write, pause,
# protect, watch --json.
t_kvmictl_commands() {
	ok=0
	guest_start t3 || return 1
	guest_wait t3 GUEST-READY 300 || { guest_stop t3; return 1; }
	./kvmi-hook --pid "$(guest_pid t3)" --connect /run/t3.sock \
		--reconnect 1 --wait 30 > /tmp/hook3.log 2>&1 &
	hpid=$!
	k() {
		./kvmictl -s /run/t3.sock --accept 30 "$@"
	}
	# k_says PATTERN ARGS...: kvmictl ARGS succeeds and prints PATTERN
	# (its output stays in /tmp/k.out); if not, its output as diagnostics
	k_says() {
		pattern=$1
		shift
		k "$@" > /tmp/k.out 2>&1
		rc=$?
		[ $rc -eq 0 ] && grep -q -- "$pattern" /tmp/k.out && return 0
		diag "kvmictl $*: exit $rc, wanted '$pattern'; said:"
		head -5 /tmp/k.out | sed 's/^/#   /'
		return 1
	}
	# the version string's address, to read and rewrite in place
	gpa=$(k find "Linux version " --from 0x1000000 |
		sed -n 's/^\(0x[0-9a-f]*\): .*/\1/p')
	[ -n "$gpa" ] || { diag "find: nothing"; ok=1; }
	k_says "|Linux version 6." read "$gpa" 16 || ok=1
	# "Linux" in hex, written over itself: the guest sees no change
	k_says "wrote 5 bytes" write "$gpa" 4c696e7578 || ok=1
	k_says "|Linux|" read "$gpa" 5 || ok=1
	if k_says "1 vCPU(s) paused" pause --for 1; then
		grep -q "^resumed" /tmp/k.out ||
			{ diag "pause: no 'resumed'"; ok=1; }
	else
		ok=1
	fi
	k_says "restricted to 'rx'" protect "$gpa" rx --duration 1 || ok=1
	k_says '^{"time":[0-9.]*,"vcpu":0,"event":"cr","rip":"0x[0-9a-f]*","cr":3,' \
		watch cr3 --json --duration 2 || ok=1
	expect_fail 1 "KVM_EINVAL" k regs 7 || ok=1
	kill -TERM $hpid
	wait $hpid
	guest_stop t3
	return $ok
}
