#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot one Debian kernel under QEMU (TCG, emulated AMD SVM with nested
# paging), run the in-VM tests (scripts/vm/tests.sh), and report:
#
#   run-vm.sh KVER
#
# Prints every KTAP result line of the VM prefixed with the kernel
# version, then "vm KVER: N passed, M failed, K skipped"; writes the same
# counts to build/KVER/vm.counts.  Exit status 0 only if nothing failed.
#
# A run fails if: a test fails; a required test did not report; the VM's
# log shows a kernel WARNING, BUG, Oops, KASAN, lockdep or soft-lockup
# report; or the VM did not finish within VM_TIMEOUT seconds.
#
# Infrastructure failures are retried once, and the retry is reported:
# the kernel died before our init started, or died from a stray int3 while
# patching its own text (a QEMU TCG cross-vCPU code-patching problem seen
# with -smp 2 on 6.12, platform.md pitfall 4).
#
# Environment: VM_SMP (default 1: the tests need one CPU, and one CPU
# avoids the pitfall above), VM_MEM (MiB, default 2048), VM_TIMEOUT
# (seconds, default 1500), VM_ONLY (a developer's run of one selftest
# binary or one case: VM_ONLY=kvmi_page_test or
# VM_ONLY=kvmi_page_test:pf_read_retry; no required tests then).
# For another kernel than an installed Debian one (make check-debug):
# VM_KERNEL (its image; default /boot/vmlinuz-KVER), VM_MODROOT (its
# modules_install root, see mkinitramfs.sh), VM_APPEND (more kernel
# command line) and VM_REQUIRED (more required tests).
set -uo pipefail

KVER=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/build/$KVER
SMP=${VM_SMP:-1}
MEM=${VM_MEM:-2048}
TIMEOUT=${VM_TIMEOUT:-1500}
KIMAGE=${VM_KERNEL:-/boot/vmlinuz-$KVER}
APPEND=${VM_APPEND:-}
if [ "${VM_MODE:-test}" = bench ]; then
	APPEND="$APPEND kvmi_bench"
elif [ -n "${VM_ONLY:-}" ]; then
	APPEND="$APPEND kvmi_only=$VM_ONLY"
fi
REQUIRED="load_requires_kvm load_requires_vendor kvmmem_refuses_without_pv
load_unload_cycles vendor_module_pinned stock_selftests_with_kvmi rmmod_kvmi
hypercall_passthrough vm_ioctl_passthrough vendor_module_released
kernel_log_clean no_leaked_contexts rmmod_with_hooked_vm
rmmod_with_vcpu_in_event rmmod_with_mapped_page guest_boots demo tools_errors kvmictl_commands tools_no_module
kvmi_vm_test.capability kvmi_vm_test.hook_unhook_cycles kvmi_rmap_test.map_read_unmap
kvmi_fault_test.permission_table kvmi_fuzz_test.random_frames
kvmmem_unmarked kvmmem_map kvmmem_session_ends kvmmem_token_expires
kvmmem_source_dies kvmmem_introspector_dies
${VM_REQUIRED:-}"
[ -n "${VM_ONLY:-}" ] && REQUIRED=
# Kernel reports start right after the timestamp ("] WARNING: CPU: ...");
# boot notices such as "...Overflow: WARNING: See ..." do not.
BAD_LOG='\] (WARNING:|BUG:|Oops|Kernel panic|INFO: task .* blocked)|KASAN|UBSAN|\] watchdog: BUG: soft lockup'

mkdir -p "$OUT"
"$TOP/scripts/mkinitramfs.sh" "$KVER" "$OUT/initramfs.cpio.gz" || exit 1

boot() {
	local log=$1
	timeout --foreground "$TIMEOUT" qemu-system-x86_64 \
		-accel tcg,thread=multi -smp "$SMP" -m "$MEM" \
		-cpu EPYC,+svm,+npt -nodefaults -display none -no-reboot \
		-serial "file:$log" -monitor none \
		-kernel "$KIMAGE" -initrd "$OUT/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init $APPEND" \
		> "$log.qemu" 2>&1
}

infra_failure() {
	local log=$1
	grep -q "kvmi-vm: init started" "$log" || return 0
	grep -q "kvmi-vm: results" "$log" && return 1
	grep -qE "Oops: int3|int3: 0000" "$log"
}

attempt=1
while :; do
	log=$OUT/vm.log
	[ $attempt -gt 1 ] && log=$OUT/vm.retry$attempt.log
	start=$(date +%s)
	boot "$log"
	qrc=$?
	echo "[vm $KVER] boot $attempt: qemu exit $qrc after $(($(date +%s) - start)) s, log $log"
	if [ $attempt -lt 2 ] && infra_failure "$log"; then
		echo "[vm $KVER] RETRY: infrastructure failure (kernel died before or outside the tests):"
		grep -E "$BAD_LOG|int3" "$log" | head -5 | sed 's/^/[vm]   /'
		attempt=$((attempt + 1))
		continue
	fi
	break
done
[ $qrc -eq 124 ] && echo "[vm $KVER] TIMEOUT after $TIMEOUT s"

tr -d '\r' < "$log" > "$log.txt"

if [ "${VM_MODE:-test}" = bench ]; then
	grep "^BENCH" "$log.txt" | sed "s/^/$KVER: /"
	grep -q "^BENCH hc_event_roundtrip_p50_ratio" "$log.txt" &&
		! grep -qE "$BAD_LOG|^BENCH error" "$log.txt"
	exit
fi
# Each failed result with the diagnostics just before it, for the end of
# make check's output (a CI log is often read from its tail).
awk 'after { print; after = 0 }
     /check failed/ { print; after = 1 }
     /^#/ { d[n++ % 4] = $0; next }
     /^not ok [0-9]+ / { for (i = (n > 4 ? n - 4 : 0); i < n; i++) print d[i % 4];
			  print }
     { n = 0 }' "$log.txt" | sed "s/^/$KVER: /" > "$OUT/vm.failures"

pass=0
fail=0
skip=0
while read -r line; do
	echo "$KVER: $line"
	case $line in
	"not ok "*) fail=$((fail + 1)) ;;
	*"# SKIP"*) skip=$((skip + 1)) ;;
	"ok "*) pass=$((pass + 1)) ;;
	esac
done < <(grep -E '^(not )?ok [0-9]+ ' "$log.txt")

for t in $REQUIRED; do
	if ! grep -qE "^(not )?ok [0-9]+ $t( |$)" "$log.txt"; then
		echo "$KVER: not ok - $t # did not report" | tee -a "$OUT/vm.failures"
		fail=$((fail + 1))
	fi
done

if grep -qE "$BAD_LOG" "$log.txt"; then
	{
		echo "$KVER: not ok - kernel log # kernel reported a problem:"
		grep -nE "$BAD_LOG" "$log.txt" | head -20 | sed 's/^/#   /'
	} | tee -a "$OUT/vm.failures"
	fail=$((fail + 1))
fi
if ! grep -q "kvmi-vm: powering off" "$log.txt"; then
	{
		echo "$KVER: not ok - vm finished # the VM did not reach the end of its tests"
		tail -20 "$log.txt" | sed 's/^/#   /'
	} | tee -a "$OUT/vm.failures"
	fail=$((fail + 1))
fi

echo "$pass $fail $skip" > "$OUT/vm.counts"
echo "[vm $KVER] $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
