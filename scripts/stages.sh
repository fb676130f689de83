# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by check.sh and check-debug.sh: stages counted as tests, the VM
# runs' results added in, and the closing "N passed, M failed, K skipped"
# line.

pass=0
fail=0
skip=0
failed=()
vm_failures=()
T0=$(date +%s)

# stage NAME CMD...: run one host-side check, time it, count it.
stage() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	echo "==> $name"
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $name ($(($(date +%s) - start)) s)"
	else
		fail=$((fail + 1))
		failed+=("$name")
		echo "not ok - $name ($(($(date +%s) - start)) s)"
	fi
	return $rc
}

# add_vm_counts KVER: add run-vm.sh's counts of that kernel's run (a run
# that left none counts as one failure); sets p, f, s to them.
add_vm_counts() {
	if [ -s "build/$1/vm.counts" ]; then
		read -r p f s < "build/$1/vm.counts"
	else
		p=0 f=1 s=0
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	[ "$f" -eq 0 ] || failed+=("QEMU run $1")
	[ ! -s "build/$1/vm.failures" ] || vm_failures+=("build/$1/vm.failures")
}

# summary: the total time, what failed, the closing line; status 0 if
# nothing failed.
summary() {
	echo "total time $(($(date +%s) - T0)) s"
	if [ ${#vm_failures[@]} -gt 0 ]; then
		echo "failed in the VMs (with the lines before each):"
		cat "${vm_failures[@]}" | head -40
	fi
	[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}
