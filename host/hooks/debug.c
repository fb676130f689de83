// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest debugging and exception injection: the KVM side of the
 * BREAKPOINT and SINGLESTEP events, KVMI_INJECT_EXCEPTION and the TRAP
 * event.
 *
 * Breakpoints and single-stepping use KVM's own guest-debug machinery,
 * the one behind KVM_SET_GUEST_DEBUG, on both vendors: with
 * KVM_GUESTDBG_USE_SW_BP the vendor module intercepts #BP, with
 * KVM_GUESTDBG_SINGLESTEP KVM sets RFLAGS.TF, hides it from the guest's
 * and the VMM's reads of RFLAGS and reports every step, including the
 * steps of instructions that KVM emulates.  Both end the exit handler
 * with KVM_EXIT_DEBUG, which kvmi takes (hooks.c) before it reaches the
 * VMM.
 *
 * vcpu->guest_debug has one owner.  kvmi sets it only when the VMM has
 * not (it is 0), and marks its own value with KVMI_GUESTDBG_OWNED, a bit
 * that KVM neither defines nor tests.  A VMM that calls
 * KVM_SET_GUEST_DEBUG later overwrites the mark and so takes the vCPU
 * back; kvmi then answers -EBUSY.  A mark left behind by a session that
 * ended is cleared at the next debug exit it causes (kvmi's core).
 */
#include <linux/kvm_host.h>
#include <asm/trapnr.h>

#include "hooks.h"
#include "stubs.h"
#include "symbols.h"

/* Marks a guest_debug value that kvmi wrote (not a KVM_GUESTDBG_* bit). */
#define KVMI_GUESTDBG_OWNED	BIT(31)

#define KVMI_GUESTDBG_OURS	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
				 KVM_GUESTDBG_USE_SW_BP | KVMI_GUESTDBG_OWNED)

/**
 * kvmi_debug_init() - find the vendor's update_exception_bitmap()
 *
 * It is reached through kvm_x86_ops, which KVM filled from the vendor
 * module that kvmi pinned.
 *
 * Context: module init, after the vendor module is pinned.
 */
void kvmi_debug_init(void)
{
	struct kvm_x86_ops *ops = (void *)kvmi_lookup("kvm", "kvm_x86_ops");

	if (ops && ops->update_exception_bitmap)
		KVMI_STUB_TARGET(update_exception_bitmap) =
			(unsigned long)ops->update_exception_bitmap;
	else
		pr_warn("kvmi: cannot find update_exception_bitmap: BREAKPOINT and SINGLESTEP off\n");
}

/* Can kvmi intercept #BP and single-step (the vendor's helper is known)? */
bool kvmi_debug_supported(void)
{
	return KVMI_STUB_TARGET(update_exception_bitmap);
}

/**
 * kvmi_vcpu_guest_debug() - turn #BP interception and single-step on/off
 * @vcpu: the vCPU, loaded by the current thread
 * @bp: intercept #BP (KVM_GUESTDBG_USE_SW_BP)
 * @ss: single-step (KVM_GUESTDBG_SINGLESTEP)
 *
 * Does what KVM_SET_GUEST_DEBUG does for these two flags, from inside
 * KVM_RUN: RFLAGS is read while KVM still hides the trap flag it set and
 * written back under the new flags, so that KVM sets or clears TF.
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 * Return: 0; -EBUSY if the VMM debugs the vCPU itself; -EOPNOTSUPP for a
 * vCPU with protected state or without update_exception_bitmap().
 */
int kvmi_vcpu_guest_debug(struct kvm_vcpu *vcpu, bool bp, bool ss)
{
	u32 cur = vcpu->guest_debug, want = 0;
	unsigned long rflags;

	if (cur && !(cur & KVMI_GUESTDBG_OWNED))
		return -EBUSY;
	if (bp)
		want |= KVM_GUESTDBG_USE_SW_BP;
	if (ss)
		want |= KVM_GUESTDBG_SINGLESTEP;
	if (want)
		want |= KVM_GUESTDBG_ENABLE | KVMI_GUESTDBG_OWNED;
	if (want == cur)
		return 0;
	if (vcpu->arch.guest_state_protected || !kvmi_debug_supported())
		return -EOPNOTSUPP;
	/* the debug exits must reach kvmi's exit hook, not the VMM */
	if (want && kvmi_hooks_arm_exit())
		return -EOPNOTSUPP;

	rflags = kvm_get_rflags(vcpu);
	vcpu->guest_debug = want;
	if ((want & ~cur) & KVM_GUESTDBG_SINGLESTEP)
		vcpu->arch.singlestep_rip = kvm_get_linear_rip(vcpu);
	kvm_set_rflags(vcpu, rflags);
	kvmi_stub_update_exception_bitmap(vcpu);
	return 0;
}

/* Does kvmi own the vCPU's guest_debug (a session's or a leftover)? */
bool kvmi_vcpu_debug_owned(struct kvm_vcpu *vcpu)
{
	u32 cur = vcpu->guest_debug;

	return (cur & KVMI_GUESTDBG_OWNED) && !(cur & ~KVMI_GUESTDBG_OURS);
}

/**
 * kvmi_vcpu_debug_exit() - did the exit handler stop for kvmi's debugging?
 * @vcpu: the vCPU, loaded, its exit handler returned 0 (to user space)
 * @vector: out, DB_VECTOR (a step) or BP_VECTOR (an INT3)
 * @pc: out, linear address of the instruction (for #BP: the INT3)
 * @insn_len: out, length of that instruction (#BP only)
 *
 * Return: true for a KVM_EXIT_DEBUG while kvmi owns guest_debug.
 */
bool kvmi_vcpu_debug_exit(struct kvm_vcpu *vcpu, u8 *vector, u64 *pc,
			  u8 *insn_len)
{
	struct kvm_run *run = vcpu->run;

	if (run->exit_reason != KVM_EXIT_DEBUG || !kvmi_vcpu_debug_owned(vcpu))
		return false;
	*vector = run->debug.arch.exception;
	*pc = run->debug.arch.pc;
	/*
	 * VMX reports the length of the INT3 (or INT3 with prefixes); SVM
	 * does not, and its #BP comes from the one-byte INT3 (0xcc).
	 */
	*insn_len = vcpu->arch.event_exit_inst_len ?: 1;
	return true;
}

/* Give the guest the #BP that kvmi intercepted (its own INT3). */
void kvmi_vcpu_reinject_bp(struct kvm_vcpu *vcpu)
{
	kvm_queue_exception(vcpu, BP_VECTOR);
}

/*
 * A reset or INIT set RFLAGS and RIP: KVM sets TF again only at the
 * instruction where single-stepping started, so start over here.
 */
void kvmi_vcpu_debug_reset(struct kvm_vcpu *vcpu)
{
	if (!kvmi_vcpu_debug_owned(vcpu) ||
	    !(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP))
		return;
	vcpu->arch.singlestep_rip = kvm_get_linear_rip(vcpu);
	kvm_set_rflags(vcpu, kvm_get_rflags(vcpu));
}

/* Exceptions with an error code (Intel SDM vol. 3, table 6-1). */
static bool has_error_code(u8 vector)
{
	switch (vector) {
	case DF_VECTOR:
	case TS_VECTOR:
	case NP_VECTOR:
	case SS_VECTOR:
	case GP_VECTOR:
	case PF_VECTOR:
	case AC_VECTOR:
	case X86_TRAP_CP:
		return true;
	}
	return false;
}

/* An exception or event that KVM has yet to deliver or re-deliver. */
static bool events_pending(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.exception.pending || vcpu->arch.exception.injected ||
	       vcpu->arch.interrupt.injected || vcpu->arch.nmi_injected;
}

/**
 * kvmi_vcpu_inject() - queue an exception for the next guest entry
 * @vcpu: the vCPU, loaded by the current thread, not in guest mode
 * @vector: an exception vector that kvmi_vcpu_exception_valid() accepts
 * @error_code: its error code, if it has one
 * @address: for #PF, the faulting address (CR2 at delivery)
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 * Return: 0, -EBUSY if KVM already has an event to deliver (queueing on
 * top of it would turn it into a double fault), -EOPNOTSUPP for a vCPU
 * running a nested guest or with protected state.
 */
int kvmi_vcpu_inject(struct kvm_vcpu *vcpu, u8 vector, u32 error_code,
		     u64 address)
{
	/* the TRAP event is sent from the exit hook */
	if (kvmi_hooks_arm_exit())
		return -EOPNOTSUPP;
	if ((vcpu->arch.hflags & HF_GUEST_MASK) ||
	    vcpu->arch.guest_state_protected)
		return -EOPNOTSUPP;
	if (events_pending(vcpu))
		return -EBUSY;
	if (!has_error_code(vector)) {
		kvm_queue_exception(vcpu, vector);
		return 0;
	}
	kvm_queue_exception_e(vcpu, vector, error_code);
	if (vector == PF_VECTOR) {
		/* as KVM's own #PF: CR2 is written when it is delivered */
		vcpu->arch.exception.has_payload = true;
		vcpu->arch.exception.payload = address;
	}
	return 0;
}

/**
 * kvmi_vcpu_exception_valid() - may a tool inject this vector?
 * @vector: the vector
 *
 * Architectural exceptions, except NMI (not an exception), #BP and #OF
 * (software exceptions: KVM would step over an INT3/INTO that is not
 * there) and the reserved vectors.
 */
bool kvmi_vcpu_exception_valid(u8 vector)
{
	switch (vector) {
	case DE_VECTOR:
	case DB_VECTOR:
	case BR_VECTOR:
	case UD_VECTOR:
	case NM_VECTOR:
	case MF_VECTOR:
	case MC_VECTOR:
	case XM_VECTOR:
	case VE_VECTOR:
		return true;
	}
	return has_error_code(vector);
}

/**
 * kvmi_vcpu_exception_state() - the exception KVM is delivering, if any
 * @vcpu: the vCPU
 * @vector: out, its vector
 * @error_code: out, its error code (0 if none)
 * @cr2: out, for #PF the faulting address
 *
 * Return: true while an exception is queued or its delivery was cut
 * short by a VM exit (KVM then delivers it again); false once the guest
 * took it or nothing was queued.
 */
bool kvmi_vcpu_exception_state(struct kvm_vcpu *vcpu, u8 *vector,
			       u32 *error_code, u64 *cr2)
{
	struct kvm_queued_exception *ex = &vcpu->arch.exception;

	if (!ex->pending && !ex->injected)
		return false;
	*vector = ex->vector;
	*error_code = ex->has_error_code ? ex->error_code : 0;
	if (ex->vector != PF_VECTOR)
		*cr2 = 0;
	else
		*cr2 = ex->has_payload ? ex->payload : vcpu->arch.cr2;
	return true;
}

/* The vCPU's count of VM exits: it moves once the guest has run. */
u64 kvmi_vcpu_exits(struct kvm_vcpu *vcpu)
{
	return vcpu->stat.exits;
}
