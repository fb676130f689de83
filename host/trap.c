// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVMI_INJECT_EXCEPTION and the TRAP event.
 *
 * The command queues an exception for the vCPU's next guest entry, as
 * KVM queues its own.  Once the vCPU has entered the guest with it and
 * exited again, kvmi knows the outcome and sends one TRAP event, before
 * any other event of that exit:
 *
 * - delivered: the payload is the exception the guest received (the
 *   tool's, or the one KVM turned it into, such as a double fault);
 * - not delivered, because the vCPU was reset or INIT'ed first: vector
 *   KVMI_TRAP_NOT_DELIVERED.
 *
 * A delivery cut short by a VM exit (a nested page fault while the CPU
 * pushes the frame, say) is retried by KVM and reported when it is done.
 * The next injection is accepted after the TRAP event.  A vCPU that
 * never exits again never sends it (it is sent from an exit).
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "vcpu.h"
#include "vcpu_cmd.h"

int kvmi_vcpu_cmd_inject_exception(struct kvmi_vcpu *kv,
				   const struct kvmi_msg_hdr *hdr,
				   const void *req, const void *body)
{
	const struct kvmi_inject_exception *cmd =
		req + sizeof(struct kvmi_vcpu_hdr);
	struct kvmi_event_trap *ev = &kv->trap.ev;
	struct kvm_vcpu *vcpu = kv->vcpu;
	int err;

	if (!kvmi_vcpu_exception_valid(cmd->nr))
		err = -KVM_EINVAL;
	else if (!test_bit(KVMI_EVENT_TRAP, kv->vm->event_allowed))
		err = -KVM_EPERM;
	else if (kv->trap.armed || kv->ss_on)
		err = -KVM_EBUSY;
	else
		err = kvmi_vcpu_inject(vcpu, cmd->nr, cmd->error_code,
				       cmd->address);
	if (err == -EBUSY)
		err = -KVM_EBUSY;
	else if (err == -EOPNOTSUPP)
		err = -KVM_EOPNOTSUPP;

	if (!err) {
		memset(ev, 0, sizeof(*ev));
		kvmi_vcpu_exception_state(vcpu, &ev->vector, &ev->error_code,
					  &ev->cr2);
		kv->trap.exits = kvmi_vcpu_exits(vcpu);
		kv->trap.dropped = false;
		WRITE_ONCE(kv->trap.armed, true);
	}
	return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);
}

/* The vCPU was reset: KVM dropped every queued exception. */
void kvmi_trap_reset(struct kvmi_vcpu *kv)
{
	if (kv->trap.armed)
		kv->trap.dropped = true;
}

static bool trap_armed(struct kvm_vcpu *vcpu)
{
	struct kvmi_vcpu *kv;
	bool ret;

	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	ret = kv && READ_ONCE(kv->trap.armed);
	rcu_read_unlock();
	return ret;
}

/*
 * Every VM exit: is the injection done?  Only the vCPU thread changes
 * kv->trap (jobs and exits run there).
 */
void kvmi_on_vcpu_exit(struct kvm_vcpu *vcpu)
{
	struct kvmi_event_trap ev;
	struct kvmi_vcpu *kv;
	u64 cr2;
	u32 ec;
	u8 vec;

	if (!trap_armed(vcpu))
		return;
	kv = kvmi_vcpu_hold(vcpu);
	if (!kv)
		return;
	if (kv->trap.dropped) {
		memset(&kv->trap.ev, 0, sizeof(kv->trap.ev));
		kv->trap.ev.vector = KVMI_TRAP_NOT_DELIVERED;
	} else if (kvmi_vcpu_exits(vcpu) == kv->trap.exits) {
		goto put;		/* the guest has not run since */
	} else if (kvmi_vcpu_exception_state(vcpu, &vec, &ec, &cr2)) {
		/* being delivered again after an exit cut it short */
		kv->trap.ev.vector = vec;
		kv->trap.ev.error_code = ec;
		kv->trap.ev.cr2 = cr2;
		goto put;
	}
	ev = kv->trap.ev;
	WRITE_ONCE(kv->trap.armed, false);
	if (kvmi_vcpu_exit_event(kv, KVMI_EVENT_TRAP, &ev, sizeof(ev), NULL,
				 0) == KVMI_EVENT_ACTION_CRASH)
		kvmi_vcpu_crash(vcpu);
	return;
put:
	kvmi_vm_put(kv->vm);
}
