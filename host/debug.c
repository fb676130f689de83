// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BREAKPOINT and SINGLESTEP events.
 *
 * KVMI_CONTROL_EVENTS for BREAKPOINT makes #BP exit (hooks/debug.c): each
 * INT3 the guest executes then waits for the tool.  CONTINUE gives the
 * guest its #BP (the breakpoint was the guest's own), RETRY resumes the
 * guest without it (the breakpoint was the tool's, which moved RIP or put
 * the original byte back), CRASH stops the VM.
 *
 * KVMI_VCPU_CONTROL_SINGLESTEP makes the vCPU stop after each instruction
 * with a SINGLESTEP event (CONTINUE or CRASH), until the tool turns it
 * off.  Only the command turns the events on; KVMI_CONTROL_EVENTS for
 * SINGLESTEP is accepted and changes nothing.
 *
 * A PF event's step over (page_step.c) single-steps too: its trap ends the
 * step over, with a SINGLESTEP event only if the tool steps the vCPU.
 *
 * Both ride on KVM's guest debugging (KVM_GUESTDBG_USE_SW_BP and
 * KVM_GUESTDBG_SINGLESTEP), which a VMM that debugs the vCPU itself
 * already owns: kvmi then answers -KVM_EBUSY.  The guest-visible side of
 * single-stepping is KVM's: RFLAGS.TF is set while stepping but hidden
 * from reads through KVM (not from PUSHF in the guest), and an interrupt
 * or exception handler runs with TF clear, so its instructions are not
 * stepped.
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "page_access.h"
#include "vcpu.h"
#include "vcpu_cmd.h"

static int apply(struct kvmi_vcpu *kv, bool bp, bool ss)
{
	switch (kvmi_vcpu_guest_debug(kv->vcpu, bp, ss)) {
	case 0:
		kv->bp_on = bp;
		kv->ss_on = ss;
		return 0;
	case -EBUSY:
		return -KVM_EBUSY;
	default:
		return -KVM_EOPNOTSUPP;
	}
}

/**
 * kvmi_breakpoint_control() - KVMI_CONTROL_EVENTS for BREAKPOINT
 * @kv: the vCPU's context
 * @enable: the new state
 *
 * Context: the vCPU's thread (a job).
 * Return: 0, -KVM_EBUSY if the VMM debugs the vCPU, -KVM_EOPNOTSUPP
 * where #BP cannot be intercepted.
 */
int kvmi_breakpoint_control(struct kvmi_vcpu *kv, bool enable)
{
	return apply(kv, enable, kv->ss_on);
}

int kvmi_vcpu_cmd_control_singlestep(struct kvmi_vcpu *kv,
				     const struct kvmi_msg_hdr *hdr,
				     const void *req, const void *body)
{
	const struct kvmi_vcpu_control_singlestep *cmd =
		req + sizeof(struct kvmi_vcpu_hdr);
	int err;

	if (cmd->enable > 1)
		err = -KVM_EINVAL;
	else if (!test_bit(KVMI_EVENT_SINGLESTEP, kv->vm->event_allowed))
		err = -KVM_EPERM;
	else if (cmd->enable && kv->trap.armed)
		err = -KVM_EBUSY;
	else
		err = apply(kv, kv->bp_on, cmd->enable);
	return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);
}

/* A reset or INIT cleared RFLAGS.TF: single-stepping starts over. */
void kvmi_debug_reset(struct kvmi_vcpu *kv)
{
	if (kv->ss_on)
		kvmi_vcpu_debug_reset(kv->vcpu);
}

static void singlestep_event(struct kvmi_vcpu *kv, int *ret)
{
	struct kvmi_event_singlestep ev = { };
	struct kvm_vcpu *vcpu = kv->vcpu;

	if (kvmi_vcpu_exit_event(kv, KVMI_EVENT_SINGLESTEP, &ev, sizeof(ev),
				 NULL, 0) == KVMI_EVENT_ACTION_CRASH)
		kvmi_vcpu_crash(vcpu);
	*ret = 1;
}

static void breakpoint_event(struct kvmi_vcpu *kv, u64 pc, u8 len, int *ret)
{
	struct kvmi_event_breakpoint ev = { .insn_len = len };
	struct kvm_vcpu *vcpu = kv->vcpu;
	u8 action;

	ev.gpa = kvmi_vcpu_translate_gva(vcpu, pc);
	action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_BREAKPOINT, &ev,
				      sizeof(ev), NULL, 0);
	if (!kvmi_vcpu_retry_or_crash(vcpu, action, ret)) {
		kvmi_vcpu_reinject_bp(vcpu);
		*ret = 1;
	}
}

/*
 * An exit handler stopped for kvmi's guest debugging.  Without a session
 * that wants it (the tool went away, or turned it off while the stop was
 * on its way), kvmi gives guest_debug back and the guest goes on as if
 * nothing had been intercepted: its #BP is delivered, a step is dropped.
 */
bool kvmi_on_exit_to_user(struct kvm_vcpu *vcpu, int *ret)
{
	struct kvmi_vcpu *kv;
	u8 vector, len;
	u64 pc;

	if (!kvmi_vcpu_debug_exit(vcpu, &vector, &pc, &len))
		return false;
	kv = kvmi_vcpu_hold(vcpu);
	if (kv && vector == DB_VECTOR && kvmi_step_over_done(kv) &&
	    !kv->ss_on) {
		kvmi_vm_put(kv->vm);
		*ret = 1;
		return true;
	}
	if (kv && vector == DB_VECTOR && kv->ss_on) {
		singlestep_event(kv, ret);
		return true;
	}
	if (kv && vector == BP_VECTOR && kv->bp_on) {
		breakpoint_event(kv, pc, len, ret);
		return true;
	}
	kvmi_vcpu_guest_debug(vcpu, kv && kv->bp_on, kv && kv->ss_on);
	if (kv)
		kvmi_vm_put(kv->vm);
	if (vector == BP_VECTOR)
		kvmi_vcpu_reinject_bp(vcpu);
	*ret = 1;
	return true;
}
