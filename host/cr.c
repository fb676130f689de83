// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control register writes: KVMI_CONTROL_CR and the CR event.
 *
 * The tool picks CR0, CR3 or CR4 per vCPU with KVMI_CONTROL_CR and turns
 * the event on with KVMI_CONTROL_EVENTS.  The vCPU then waits before the
 * write; the reply's new_val is written instead (the tool keeps the old
 * value by answering it), CRASH stops the VM.  Other actions are taken
 * as CONTINUE.  Which writes exit at all depends on the vendor:
 * hooks/intercept.c.
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "rmap.h"
#include "page_access.h"
#include "vcpu.h"
#include "vcpu_cmd.h"

#define CR_MASK		(BIT(0) | BIT(3) | BIT(4))

int kvmi_vcpu_cmd_control_cr(struct kvmi_vcpu *kv,
			     const struct kvmi_msg_hdr *hdr,
			     const void *req, const void *body)
{
	const struct kvmi_control_cr *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	int err = 0;

	if (cmd->enable > 1 || cmd->cr > 4 || !(BIT(cmd->cr) & CR_MASK))
		err = -KVM_EINVAL;
	else if (!test_bit(KVMI_EVENT_CR, kv->vm->event_allowed))
		err = -KVM_EPERM;
	if (err)
		return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);

	if (cmd->enable) {
		set_bit(cmd->cr, &kv->cr_mask);
		if (cmd->cr == 3 && !kv->cr3_intercept) {
			err = kvmi_vcpu_cr3_intercept(kv->vcpu, true);
			if (err) {
				clear_bit(3, &kv->cr_mask);
				err = -KVM_EOPNOTSUPP;
			} else {
				kv->cr3_intercept = true;
			}
		}
	} else {
		if (cmd->cr == 3 && kv->cr3_intercept) {
			kvmi_vcpu_cr3_intercept(kv->vcpu, false);
			kv->cr3_intercept = false;
		}
		clear_bit(cmd->cr, &kv->cr_mask);
	}
	return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);
}

/*
 * A reset rebuilt the intercepts (SVM's init_vmcb()): set kvmi's again
 * (the CR3 write and the descriptor-table ones).  It also cleared RFLAGS
 * and the exceptions KVM had queued (debug.c, trap.c).
 */
void kvmi_on_vcpu_reset(struct kvm_vcpu *vcpu)
{
	struct kvmi_vcpu *kv;

	kvmi_rmap_vcpu_reset(vcpu);
	if (!kvmi_vcpu_is_current(vcpu))
		return;
	kv = kvmi_vcpu_hold(vcpu);
	if (!kv)
		return;
	if (kv->cr3_intercept)
		kvmi_vcpu_cr3_intercept(vcpu, true);
	if (kv->desc_intercept)
		kvmi_vcpu_desc_intercept(vcpu, true);
	kvmi_step_over_reset(kv);
	kvmi_debug_reset(kv);
	kvmi_trap_reset(kv);
	kvmi_vm_put(kv->vm);
}

static bool cr_monitored(struct kvm_vcpu *vcpu, unsigned int cr)
{
	struct kvmi_vcpu *kv;
	bool ret;

	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	ret = kv && !READ_ONCE(kv->vm->dying) && test_bit(cr, &kv->cr_mask);
	rcu_read_unlock();
	return ret;
}

bool kvmi_on_set_cr(struct kvm_vcpu *vcpu, unsigned int cr, unsigned long val,
		    int *ret)
{
	struct kvmi_event_cr ev = { .cr = cr, .new_value = val };
	struct kvmi_event_cr_reply rpl = { .new_val = val };
	struct kvmi_vcpu *kv;
	u8 action;

	if (!cr_monitored(vcpu, cr)) {
		if (cr == 3 && kvmi_vcpu_is_current(vcpu))
			kvmi_vcpu_cr3_intercept_drop(vcpu);
		return false;
	}
	if (!kvmi_vcpu_is_current(vcpu))
		return false;
	kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_CR);
	if (!kv)
		return false;

	ev.old_value = kvmi_vcpu_read_cr(vcpu, cr);
	action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_CR, &ev, sizeof(ev), &rpl,
				      sizeof(rpl));
	if (action == KVMI_EVENT_ACTION_CRASH) {
		kvmi_vcpu_crash(vcpu);
		*ret = 0;	/* the write is dropped */
	} else {
		*ret = kvmi_vcpu_set_cr(vcpu, cr, rpl.new_val);
	}
	return true;
}
