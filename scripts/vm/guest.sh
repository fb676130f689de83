# SPDX-License-Identifier: GPL-2.0-only
# Linux guests inside the test VM: unmodified QEMU (microvm, nested KVM)
# boots the test VM's own kernel with the initramfs of
# scripts/guest/mkguest.sh.  Sourced by lib.sh (busybox sh); needs kvm and
# kvm-amd loaded.  A guest NAME keeps its files in /tmp: NAME.pid,
# NAME.console (its serial console), NAME.qemu (QEMU's own output).
#
#   guest_start NAME [QEMU ARGS...]   start it in the background
#   guest_wait NAME PATTERN SECONDS   wait for a console line (grep -E)
#   guest_console NAME                its console so far, without CRs
#   guest_pid NAME                    QEMU's PID
#   guest_stop NAME                   SIGTERM, SIGKILL after 10 s

GUEST_DIR=/guest
GUEST_QEMU=$GUEST_DIR/bin/qemu-system-x86_64

# guest_alive PID: 0 while the process exists and is not a zombie.
guest_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	[ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# guest_diag NAME: QEMU's output and the last console lines, as
# diagnostics.  The guest kernel's "[ time]" stamps become "<time>", so
# that its reports are not taken for the test VM's own (run-vm.sh).
guest_diag() {
	[ -s "/tmp/$1.qemu" ] && sed "s/^/#   $1 qemu: /" "/tmp/$1.qemu"
	[ -e "/tmp/$1.console" ] &&
		guest_console "$1" | tail -20 |
		sed "s/^\[ *\([0-9.]*\)\]/<\1>/; s/^/#   $1 console: /"
	return 0
}

guest_pid() {
	cat "/tmp/$1.pid"
}

guest_console() {
	tr -d '\r' < "/tmp/$1.console"
}

# guest_start NAME [QEMU ARGS...]: start QEMU in the background; return 0
# once its vCPU thread runs (the VM exists and the kernel is loaded), 1 if
# QEMU exited or did not get there within 60 s.
guest_start() {
	local name="$1" pid i

	shift
	rm -f "/tmp/$name.pid" "/tmp/$name.console" "/tmp/$name.qemu"
	"$GUEST_QEMU" -name "$name,debug-threads=on" \
		-M microvm -enable-kvm -cpu host -m 256 -smp 1 \
		-nodefaults -no-user-config -display none -monitor none \
		-serial "file:/tmp/$name.console" -L "$GUEST_DIR/share/qemu" \
		-kernel "$GUEST_DIR/vmlinuz" -initrd "$GUEST_DIR/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet" -no-reboot \
		"$@" > "/tmp/$name.qemu" 2>&1 &
	pid=$!
	echo "$pid" > "/tmp/$name.pid"
	# With debug-threads=on, the vCPU thread is named "CPU 0/KVM".
	i=0
	while [ $i -lt 600 ]; do
		if ! guest_alive "$pid"; then
			wait "$pid"
			diag "$name: QEMU exited with $? while starting"
			guest_diag "$name"
			return 1
		fi
		grep -qs "^CPU 0/KVM" /proc/"$pid"/task/*/comm && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "$name: no vCPU thread after 60 s"
	guest_diag "$name"
	return 1
}

# guest_wait NAME PATTERN SECONDS: 0 once a console line matches PATTERN;
# 1 on timeout or if QEMU exited (with diagnostics).
guest_wait() {
	local end=$(($(date +%s) + $3))

	while :; do
		guest_console "$1" 2>/dev/null | grep -qE "$2" && return 0
		if ! guest_alive "$(guest_pid "$1")"; then
			# One more look: the line may have come just before the end.
			guest_console "$1" 2>/dev/null | grep -qE "$2" && return 0
			diag "$1: QEMU exited before \"$2\""
			guest_diag "$1"
			return 1
		fi
		if [ "$(date +%s)" -ge $end ]; then
			diag "$1: no \"$2\" after $3 s"
			guest_diag "$1"
			return 1
		fi
		sleep 0.2
	done
}

# guest_stop NAME: end QEMU (SIGTERM, then SIGKILL after 10 s) and reap it.
guest_stop() {
	local pid i

	pid=$(guest_pid "$1") || return 1
	i=0
	kill -TERM "$pid" 2>/dev/null
	while guest_alive "$pid" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if guest_alive "$pid"; then
		diag "$1: QEMU ignored SIGTERM for 10 s, killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}
