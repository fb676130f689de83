// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSR writes: KVMI_CONTROL_MSR and the MSR event.
 *
 * The tool picks MSRs per vCPU (0..0x1fff and 0xc0000000..0xc0001fff)
 * and turns the event on with KVMI_CONTROL_EVENTS.  A picked MSR's
 * writes exit even where KVM lets the guest write it directly (the
 * vendor's MSR bitmap is rebuilt: hooks/intercept.c), and the vCPU waits
 * before the write; the reply's new_val is written instead (the tool
 * keeps the old value by answering it), CRASH stops the VM.  Other
 * actions are taken as CONTINUE.  Writes KVM handles without
 * kvm_emulate_wrmsr() (its fast path for the x2APIC ICR and the TSC
 * deadline, and WRMSR met by its instruction emulator) are not reported.
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "vcpu.h"
#include "vcpu_cmd.h"

#define MSR_HIGH_BASE	0xc0000000U

/* Bit of @msr in struct kvmi_vcpu.msr_mask, or -1 outside the ranges. */
static int msr_bit(u32 msr)
{
	if (msr < KVMI_MSR_RANGE)
		return msr;
	if (msr >= MSR_HIGH_BASE && msr - MSR_HIGH_BASE < KVMI_MSR_RANGE)
		return KVMI_MSR_RANGE + (msr - MSR_HIGH_BASE);
	return -1;
}

int kvmi_vcpu_cmd_control_msr(struct kvmi_vcpu *kv,
			      const struct kvmi_msg_hdr *hdr,
			      const void *req, const void *body)
{
	const struct kvmi_control_msr *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	int bit = msr_bit(cmd->msr);
	int err = 0;

	if (cmd->enable > 1 || bit < 0)
		err = -KVM_EINVAL;
	else if (!test_bit(KVMI_EVENT_MSR, kv->vm->event_allowed))
		err = -KVM_EPERM;
	if (err || cmd->enable == test_bit(bit, kv->msr_mask))
		return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);

	if (cmd->enable)
		set_bit(bit, kv->msr_mask);
	else
		clear_bit(bit, kv->msr_mask);
	kvmi_vcpu_msr_intercepts_changed(kv->vcpu);
	return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);
}

bool kvmi_msr_write_monitored(struct kvm_vcpu *vcpu, u32 msr)
{
	int bit = msr_bit(msr);
	struct kvmi_vcpu *kv;
	bool ret;

	if (bit < 0)
		return false;
	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	ret = kv && !READ_ONCE(kv->vm->dying) && test_bit(bit, kv->msr_mask);
	rcu_read_unlock();
	return ret;
}

/* The session ends: give the vCPU its direct MSR writes back. */
void kvmi_msr_release(struct kvmi_vcpu *kv)
{
	if (!bitmap_empty(kv->msr_mask, 2 * KVMI_MSR_RANGE))
		kvmi_vcpu_msr_intercepts_changed(kv->vcpu);
}

bool kvmi_on_wrmsr(struct kvm_vcpu *vcpu, int *ret)
{
	struct kvmi_event_msr ev = { };
	struct kvmi_event_msr_reply rpl;
	struct kvmi_vcpu *kv;
	u64 val;
	u8 action;

	kvmi_vcpu_wrmsr_args(vcpu, &ev.msr, &val);
	if (!kvmi_msr_write_monitored(vcpu, ev.msr))
		return false;
	kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_MSR);
	if (!kv)
		return false;

	if (kvmi_vcpu_get_msr(vcpu, ev.msr, &ev.old_value))
		ev.old_value = 0;
	ev.new_value = val;
	rpl.new_val = val;
	action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_MSR, &ev, sizeof(ev), &rpl,
				      sizeof(rpl));

	if (action == KVMI_EVENT_ACTION_CRASH) {
		kvmi_vcpu_crash(vcpu);
		*ret = 1;	/* the write is dropped */
	} else {
		*ret = kvmi_vcpu_emulate_wrmsr(vcpu, rpl.new_val);
	}
	return true;
}
