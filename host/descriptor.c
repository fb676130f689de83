// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DESCRIPTOR event: the guest loads or stores IDTR, GDTR, LDTR or TR.
 *
 * Turning the event on with KVMI_CONTROL_EVENTS sets the vCPU's
 * descriptor-table intercepts (SVM only: hooks/intercept.c); turning it
 * off clears them.  On each such exit the vCPU waits for the reply:
 * CONTINUE executes the instruction (KVM's emulator), RETRY resumes the
 * guest without executing it (it runs again, unless the tool moved RIP),
 * CRASH stops the VM.  An exit that meets no session (it ended while the
 * intercepts were on) clears them and executes the instruction.
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "vcpu.h"

/**
 * kvmi_descriptor_control() - KVMI_CONTROL_EVENTS for DESCRIPTOR
 * @kv: the vCPU's context
 * @enable: the new state
 *
 * Context: the vCPU's thread (a job).
 * Return: 0, or -KVM_EOPNOTSUPP where the intercepts cannot be set.
 */
int kvmi_descriptor_control(struct kvmi_vcpu *kv, bool enable)
{
	if (kvmi_vcpu_desc_intercept(kv->vcpu, enable))
		return enable ? -KVM_EOPNOTSUPP : 0;
	kv->desc_intercept = enable;
	return 0;
}

bool kvmi_on_desc_exit(struct kvm_vcpu *vcpu, u64 exit_code, int *ret)
{
	struct kvmi_event_descriptor ev = { };
	struct kvmi_vcpu *kv;
	u8 action;

	if (!kvmi_vcpu_desc_exit(exit_code, &ev.descriptor, &ev.write))
		return false;
	kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_DESCRIPTOR);
	if (!kv) {
		kvmi_vcpu_desc_intercept(vcpu, false);
		*ret = kvmi_vcpu_emulate_insn(vcpu);
		return true;
	}

	action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_DESCRIPTOR, &ev,
				      sizeof(ev), NULL, 0);
	if (!kvmi_vcpu_retry_or_crash(vcpu, action, ret))
		*ret = kvmi_vcpu_emulate_insn(vcpu);
	return true;
}
