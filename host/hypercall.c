// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercalls.
 *
 * The HYPERCALL event: a guest asks its introspection tool for attention
 * with the Xen-style hypercall KVMI uses, RAX = 34 (KVM_HC_XEN_HVM_OP),
 * RDI = 24 (HVMOP_guest_request_vm_event), RSI = 0.  When the tool
 * enabled the event on that vCPU, the vCPU waits for the reply; then
 * CONTINUE completes the hypercall with RAX = 0, RETRY re-executes it,
 * CRASH stops the VM (KVM_EXIT_SHUTDOWN).  Any other hypercall, and this
 * one when the event is off, goes to KVM unchanged.
 *
 * KVM_HC_MEM_MAP / KVM_HC_MEM_UNMAP of introspector VMs are remote
 * mapping's (rmap.c).
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "rmap.h"
#include "vcpu.h"

#define KVMI_HC_XEN_HVM_OP		34
#define KVMI_HVMOP_GUEST_REQUEST_VM_EVENT 24

bool kvmi_on_hypercall(struct kvm_vcpu *vcpu, int *ret)
{
	struct kvmi_vcpu *kv;
	u64 rax, rdi, rsi, nr, args[3];
	u8 action;

	kvmi_vcpu_hypercall_args(vcpu, &nr, args);
	if (kvmi_rmap_hypercall(vcpu, nr, args, ret))
		return true;

	kvmi_vcpu_hypercall_regs(vcpu, &rax, &rdi, &rsi);
	if (rax != KVMI_HC_XEN_HVM_OP ||
	    rdi != KVMI_HVMOP_GUEST_REQUEST_VM_EVENT || rsi)
		return false;

	kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_HYPERCALL);
	if (!kv)
		return false;
	action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_HYPERCALL, NULL, 0, NULL, 0);
	if (!kvmi_vcpu_retry_or_crash(vcpu, action, ret))
		*ret = kvmi_vcpu_hypercall_done(vcpu, 0);
	return true;
}
