// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU-scope commands.  They run as jobs in the vCPU thread (vcpu.c),
 * except KVMI_PAUSE_VCPU, which the receive thread handles: it only
 * queues the PAUSE_VCPU event's job.
 */
#include <linux/slab.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "mtrr.h"
#include "proto.h"
#include "vcpu.h"
#include "vcpu_cmd.h"

/* At most this many pause requests wait for their event, per vCPU. */
#define KVMI_MAX_PAUSES 1001

int kvmi_vcpu_cmd_get_info(struct kvmi_vcpu *kv,
			   const struct kvmi_msg_hdr *hdr, const void *req,
			   const void *body)
{
	struct kvmi_get_vcpu_info_reply rpl = {
		.tsc_speed = kvmi_vcpu_tsc_hz(kv->vcpu),
	};

	return kvmi_msg_reply(kv->vm, hdr, 0, &rpl, sizeof(rpl));
}

/* Events a tool turns on per vCPU with KVMI_CONTROL_EVENTS. */
static bool controllable(unsigned int id)
{
	switch (id) {
	case KVMI_EVENT_CR:
	case KVMI_EVENT_MSR:
	case KVMI_EVENT_XSETBV:
	case KVMI_EVENT_BREAKPOINT:
	case KVMI_EVENT_HYPERCALL:
	case KVMI_EVENT_PF:
	case KVMI_EVENT_DESCRIPTOR:
	case KVMI_EVENT_SINGLESTEP:
	case KVMI_EVENT_CPUID:
		return true;
	}
	return false;
}

int kvmi_vcpu_cmd_control_events(struct kvmi_vcpu *kv,
				 const struct kvmi_msg_hdr *hdr,
				 const void *req, const void *body)
{
	const struct kvmi_control_events *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	int err = 0;

	if (cmd->enable > 1 || !controllable(cmd->event_id))
		err = -KVM_EINVAL;
	else if (!test_bit(cmd->event_id, kv->vm->event_allowed))
		err = -KVM_EPERM;
	else if (!kvmi_event_is_implemented(cmd->event_id))
		err = -KVM_EOPNOTSUPP;
	else if (cmd->event_id == KVMI_EVENT_DESCRIPTOR)
		err = kvmi_descriptor_control(kv, cmd->enable);
	else if (cmd->event_id == KVMI_EVENT_BREAKPOINT)
		err = kvmi_breakpoint_control(kv, cmd->enable);
	if (!err && cmd->enable)
		set_bit(cmd->event_id, kv->events);
	else if (!err)
		clear_bit(cmd->event_id, kv->events);
	return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);
}

static void pause_job(struct kvmi_vcpu *kv, void *ctx)
{
	atomic_dec(&kv->pauses);
	if (kvmi_vcpu_send_event(kv, KVMI_EVENT_PAUSE_VCPU, NULL, 0, NULL, 0) ==
	    KVMI_EVENT_ACTION_CRASH)
		kvmi_vcpu_crash(kv->vcpu);
}

static void create_job(struct kvmi_vcpu *kv, void *ctx)
{
	if (kvmi_vcpu_send_event(kv, KVMI_EVENT_CREATE_VCPU, NULL, 0, NULL,
				 0) == KVMI_EVENT_ACTION_CRASH)
		kvmi_vcpu_crash(kv->vcpu);
}

/*
 * A vCPU created while its VM is hooked and the tool enabled the
 * CREATE_VCPU event announces itself with that event when it first
 * enters KVM_RUN, before it runs guest code.
 */
void kvmi_on_vcpu_create(struct kvm_vcpu *vcpu)
{
	struct kvmi_vm *vm = kvmi_vm_get(kvmi_vcpu_kvm(vcpu));
	struct kvmi_vcpu *kv;

	if (!vm)
		return;
	/* every vCPU of a hooked VM has a context (page_access.c) */
	kv = kvmi_vcpu_get(vm, kvmi_vcpu_index(vcpu));
	if (!kv)
		pr_warn_ratelimited("kvmi: VM %pUb: vCPU %u: no memory for its context\n",
				    vm->uuid, kvmi_vcpu_index(vcpu));
	if (test_bit(KVMI_EVENT_CREATE_VCPU, vm->vm_events) &&
	    test_bit(KVMI_EVENT_CREATE_VCPU, vm->event_allowed)) {
		if (!kv || kvmi_vcpu_queue_first_job(kv, create_job))
			pr_warn_ratelimited("kvmi: VM %pUb: CREATE_VCPU event lost (no memory)\n",
					    vm->uuid);
	}
	kvmi_vm_put(vm);
}

/*
 * Runs on the receive thread.  Each successful request produces exactly
 * one PAUSE_VCPU event, sent after the reply (the reply is sent first,
 * so that a tool never sees the event before it).  The vCPU is kicked out
 * of guest mode (or out of a halt) right after; "wait" is checked but
 * does not change that.
 */
int kvmi_vcpu_cmd_pause(struct kvmi_vcpu *kv, const struct kvmi_msg_hdr *hdr,
			const void *req, const void *body)
{
	const struct kvmi_pause_vcpu *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	int err;

	if (cmd->wait > 1)
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EINVAL, NULL, 0);
	if (!test_bit(KVMI_EVENT_PAUSE_VCPU, kv->vm->event_allowed))
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EPERM, NULL, 0);
	if (!kvmi_vcpu_has_thread(kv->vcpu))
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EAGAIN, NULL, 0);
	if (atomic_inc_return(&kv->pauses) > KVMI_MAX_PAUSES) {
		atomic_dec(&kv->pauses);
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EBUSY, NULL, 0);
	}

	err = kvmi_msg_reply(kv->vm, hdr, 0, NULL, 0);
	if (err)
		return err;
	if (kvmi_vcpu_queue_job(kv, pause_job, true, NULL, 0)) {
		atomic_dec(&kv->pauses);
		pr_warn_ratelimited("kvmi: VM %pUb: vCPU %u: PAUSE_VCPU event lost (no memory)\n",
				    kv->vm->uuid, kv->idx);
	}
	return 0;
}

/* The most MSRs one reply can carry. */
#define KVMI_MAX_REG_MSRS \
	((KVMI_MSG_SIZE - sizeof(struct kvmi_error_code) - \
	  sizeof(struct kvmi_get_registers_reply)) / sizeof(struct kvm_msr_entry))

/*
 * Registers, special registers and the MSRs asked for.  An MSR that KVM
 * does not know, more MSRs than one reply can carry, or an index list
 * shorter than nmsrs: -KVM_EINVAL.
 */
int kvmi_vcpu_cmd_get_registers(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body)
{
	const struct kvmi_get_registers *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	const size_t head = sizeof(struct kvmi_vcpu_hdr) + sizeof(*cmd);
	struct kvmi_get_registers_reply *rpl;
	const u32 *idx = body + head;
	size_t len;
	u64 msrs[9];
	u8 mode;
	int i, ret;

	if (cmd->nmsrs > KVMI_MAX_REG_MSRS ||
	    hdr->size < head + cmd->nmsrs * sizeof(u32))
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EINVAL, NULL, 0);

	len = sizeof(*rpl) + cmd->nmsrs * sizeof(struct kvm_msr_entry);
	rpl = kzalloc(len, GFP_KERNEL);
	if (!rpl)
		return kvmi_msg_reply(kv->vm, hdr, -KVM_ENOMEM, NULL, 0);

	kvmi_vcpu_get_state(kv->vcpu, &mode, &rpl->regs, &rpl->sregs, msrs);
	rpl->mode = mode;
	rpl->msrs.nmsrs = cmd->nmsrs;
	for (i = 0; i < cmd->nmsrs; i++) {
		rpl->msrs.entries[i].index = idx[i];
		if (kvmi_vcpu_get_msr(kv->vcpu, idx[i],
				      &rpl->msrs.entries[i].data)) {
			kfree(rpl);
			return kvmi_msg_reply(kv->vm, hdr, -KVM_EINVAL, NULL, 0);
		}
	}
	ret = kvmi_msg_reply(kv->vm, hdr, 0, rpl, len);
	kfree(rpl);
	return ret;
}

/*
 * Only while the vCPU waits in an event: the registers are written at
 * once and take effect when the vCPU resumes (so a tool can move RIP and
 * answer RETRY).  Elsewhere -KVM_EOPNOTSUPP.
 */
int kvmi_vcpu_cmd_set_registers(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body)
{
	const struct kvmi_proto_rule *rule = kvmi_proto_cmd_rule(hdr->id);
	size_t have = kvmi_proto_tail_len(rule, hdr->size);
	struct kvm_regs regs;

	if (!kvmi_vcpu_in_event(kv))
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EOPNOTSUPP, NULL, 0);

	/* Like any command, a shorter kvm_regs is zero-extended. */
	memset(&regs, 0, sizeof(regs));
	memcpy(&regs, body + rule->fixed, min(have, sizeof(regs)));
	kvmi_vcpu_set_regs(kv->vcpu, &regs);
	return kvmi_msg_reply(kv->vm, hdr, 0, NULL, 0);
}

int kvmi_vcpu_cmd_get_xcr(struct kvmi_vcpu *kv,
			  const struct kvmi_msg_hdr *hdr, const void *req,
			  const void *body)
{
	const struct kvmi_vcpu_get_xcr *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	struct kvmi_vcpu_get_xcr_reply rpl;

	if (cmd->xcr != 0)
		return kvmi_msg_reply(kv->vm, hdr, -KVM_EINVAL, NULL, 0);
	rpl.value = kvmi_vcpu_xcr0(kv->vcpu);
	return kvmi_msg_reply(kv->vm, hdr, 0, &rpl, sizeof(rpl));
}

int kvmi_vcpu_cmd_get_cpuid(struct kvmi_vcpu *kv,
			    const struct kvmi_msg_hdr *hdr, const void *req,
			    const void *body)
{
	const struct kvmi_get_cpuid *cmd = req + sizeof(struct kvmi_vcpu_hdr);
	struct kvmi_get_cpuid_reply rpl;
	u32 regs[4];

	if (kvmi_vcpu_get_cpuid(kv->vcpu, cmd->function, cmd->index, regs))
		return kvmi_msg_reply(kv->vm, hdr, -KVM_ENOENT, NULL, 0);
	rpl.eax = regs[0];
	rpl.ebx = regs[1];
	rpl.ecx = regs[2];
	rpl.edx = regs[3];
	return kvmi_msg_reply(kv->vm, hdr, 0, &rpl, sizeof(rpl));
}

/* Never fails for an existing vCPU: ~0 for an address that does not map. */
int kvmi_vcpu_cmd_translate_gva(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body)
{
	const struct kvmi_vcpu_translate_gva *cmd =
		req + sizeof(struct kvmi_vcpu_hdr);
	struct kvmi_vcpu_translate_gva_reply rpl = {
		.gpa = kvmi_vcpu_translate_gva(kv->vcpu, cmd->gva),
	};

	return kvmi_msg_reply(kv->vm, hdr, 0, &rpl, sizeof(rpl));
}

/* The reply is a struct kvm_xsave region (4096 bytes). */
int kvmi_vcpu_cmd_get_xsave(struct kvmi_vcpu *kv,
			    const struct kvmi_msg_hdr *hdr, const void *req,
			    const void *body)
{
	struct kvm_xsave *xsave;
	int err, ret;

	xsave = kzalloc(sizeof(*xsave), GFP_KERNEL);
	if (!xsave)
		return kvmi_msg_reply(kv->vm, hdr, -KVM_ENOMEM, NULL, 0);
	err = kvmi_vcpu_get_xsave(kv->vcpu, xsave, sizeof(*xsave));
	ret = kvmi_msg_reply(kv->vm, hdr, err ? -KVM_EOPNOTSUPP : 0, xsave,
			     sizeof(*xsave));
	kfree(xsave);
	return ret;
}

/*
 * The request carries a struct kvm_xsave region after the vCPU header;
 * a shorter one is zero-extended, like any command.
 */
int kvmi_vcpu_cmd_set_xsave(struct kvmi_vcpu *kv,
			    const struct kvmi_msg_hdr *hdr, const void *req,
			    const void *body)
{
	const struct kvmi_proto_rule *rule = kvmi_proto_cmd_rule(hdr->id);
	size_t have = kvmi_proto_tail_len(rule, hdr->size);
	struct kvm_xsave *xsave;
	int err;

	xsave = kzalloc(sizeof(*xsave), GFP_KERNEL);
	if (!xsave)
		return kvmi_msg_reply(kv->vm, hdr, -KVM_ENOMEM, NULL, 0);
	memcpy(xsave, body + rule->fixed, min(have, sizeof(*xsave)));
	err = kvmi_vcpu_set_xsave(kv->vcpu, xsave);
	kfree(xsave);
	if (err)
		err = err == -EOPNOTSUPP ? -KVM_EOPNOTSUPP : -KVM_EINVAL;
	return kvmi_msg_reply(kv->vm, hdr, err, NULL, 0);
}

int kvmi_vcpu_cmd_get_mtrr_type(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body)
{
	const struct kvmi_get_mtrr_type *cmd =
		req + sizeof(struct kvmi_vcpu_hdr);
	struct kvmi_get_mtrr_type_reply rpl = {
		.type = kvmi_mtrr_type(kv->vcpu, cmd->gpa),
	};

	return kvmi_msg_reply(kv->vm, hdr, 0, &rpl, sizeof(rpl));
}
