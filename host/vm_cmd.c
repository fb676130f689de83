// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM-scope commands.  They run on the VM's receive thread, while the
 * vCPUs keep running.  Size and padding of the fixed part were checked
 * before (proto.c); what is left here are each command's own rules.
 */
#include <linux/mm.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "proto.h"
#include "rmap.h"
#include "vm_cmd.h"

int kvmi_cmd_get_version(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req)
{
	/*
	 * Single-stepping is offered; SPP, VMFUNC, EPTP switching and #VE
	 * are not.
	 */
	struct kvmi_get_version_reply rpl = {
		.version = KVMI_VERSION,
		.features.singlestep = kvmi_debug_supported(),
	};

	return kvmi_msg_reply(vm, hdr, 0, &rpl, sizeof(rpl));
}

int kvmi_cmd_check_command(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req)
{
	const struct kvmi_check_command *cmd = req;
	int err = 0;

	if (!kvmi_cmd_is_defined(cmd->id))
		err = -KVM_EINVAL;
	else if (!test_bit(cmd->id, vm->cmd_allowed))
		err = -KVM_EPERM;
	else if (!kvmi_cmd_is_implemented(cmd->id))
		err = -KVM_EOPNOTSUPP;
	return kvmi_msg_reply(vm, hdr, err, NULL, 0);
}

int kvmi_cmd_check_event(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req)
{
	const struct kvmi_check_event *cmd = req;
	int err = 0;

	if (!kvmi_event_is_defined(cmd->id))
		err = -KVM_EINVAL;
	else if (!test_bit(cmd->id, vm->event_allowed))
		err = -KVM_EPERM;
	else if (!kvmi_event_is_implemented(cmd->id))
		err = -KVM_EOPNOTSUPP;
	return kvmi_msg_reply(vm, hdr, err, NULL, 0);
}

int kvmi_cmd_get_guest_info(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			    const void *req)
{
	struct kvmi_get_guest_info_reply rpl = {
		.vcpu_count = kvmi_vcpu_count(vm->kvm),
	};

	return kvmi_msg_reply(vm, hdr, 0, &rpl, sizeof(rpl));
}

int kvmi_cmd_control_vm_events(struct kvmi_vm *vm,
			       const struct kvmi_msg_hdr *hdr, const void *req)
{
	const struct kvmi_control_vm_events *cmd = req;
	int err = 0;

	if (cmd->enable > 1 || !kvmi_event_is_vm_scope(cmd->event_id))
		err = -KVM_EINVAL;
	else if (!test_bit(cmd->event_id, vm->event_allowed))
		err = -KVM_EPERM;
	else if (!kvmi_event_is_implemented(cmd->event_id))
		err = -KVM_EOPNOTSUPP;
	else if (cmd->enable)
		set_bit(cmd->event_id, vm->vm_events);
	else
		clear_bit(cmd->event_id, vm->vm_events);
	return kvmi_msg_reply(vm, hdr, err, NULL, 0);
}

/* Guest-memory errors on the wire. */
static int mem_error(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -ENOENT:
		return -KVM_ENOENT;
	case -EOPNOTSUPP:
		return -KVM_EOPNOTSUPP;
	default:
		return -KVM_EFAULT;
	}
}

/* One access stays within one page, and reads or writes something. */
static bool range_ok(u64 gpa, u64 size)
{
	return size && size <= PAGE_SIZE - offset_in_page(gpa);
}

int kvmi_cmd_read_physical(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req)
{
	const struct kvmi_read_physical *cmd = req;
	int err;

	if (!range_ok(cmd->gpa, cmd->size))
		return kvmi_msg_reply(vm, hdr, -KVM_EINVAL, NULL, 0);

	/*
	 * The request was copied out of the receive buffer (@req), which is
	 * free until the next message: the data goes there, no allocation.
	 */
	BUILD_BUG_ON(sizeof(vm->buf) < PAGE_SIZE);
	err = mem_error(kvmi_guest_read(vm->kvm, cmd->gpa, vm->buf, cmd->size));
	return kvmi_msg_reply(vm, hdr, err, vm->buf, cmd->size);
}

int kvmi_cmd_write_physical(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			    const void *req)
{
	const struct kvmi_write_physical *cmd = req;
	int err;

	/* The data must be in the message: a shorter one is a framing error. */
	if (cmd->size > hdr->size - min_t(size_t, hdr->size, sizeof(*cmd)))
		return -EPROTO;
	if (!range_ok(cmd->gpa, cmd->size))
		return kvmi_msg_reply(vm, hdr, -KVM_EINVAL, NULL, 0);

	err = kvmi_guest_write(vm->kvm, cmd->gpa, vm->buf + sizeof(*cmd),
			       cmd->size);
	return kvmi_msg_reply(vm, hdr, mem_error(err), NULL, 0);
}

int kvmi_cmd_get_max_gfn(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req)
{
	struct kvmi_get_max_gfn_reply rpl = { .gfn = kvmi_max_gfn(vm->kvm) };

	return kvmi_msg_reply(vm, hdr, 0, &rpl, sizeof(rpl));
}

/*
 * Replies on or off.  "now" makes the change apply to this command's own
 * reply; otherwise it applies from the next command.  With flags bit 0,
 * errors are reported as KVMI_EVENT_CMD_ERROR events while replies are
 * off (that event must then be allowed).
 */
int kvmi_cmd_control_cmd_response(struct kvmi_vm *vm,
				  const struct kvmi_msg_hdr *hdr,
				  const void *req)
{
	const struct kvmi_control_cmd_response *cmd = req;
	bool errors_as_events = cmd->flags & KVMI_CMD_RESPONSE_ERROR_EVENTS;
	int ret;

	if (cmd->enable > 1 || cmd->now > 1 ||
	    (cmd->flags & ~KVMI_CMD_RESPONSE_ERROR_EVENTS))
		return kvmi_msg_reply(vm, hdr, -KVM_EINVAL, NULL, 0);
	if (errors_as_events &&
	    !test_bit(KVMI_EVENT_CMD_ERROR, vm->event_allowed))
		return kvmi_msg_reply(vm, hdr, -KVM_EPERM, NULL, 0);

	if (cmd->now) {
		vm->replies_off = !cmd->enable;
		vm->errors_as_events = errors_as_events;
		return kvmi_msg_reply(vm, hdr, 0, NULL, 0);
	}
	ret = kvmi_msg_reply(vm, hdr, 0, NULL, 0);
	vm->replies_off = !cmd->enable;
	vm->errors_as_events = errors_as_events;
	return ret;
}

/* KVMI_GET_MAP_TOKEN: a token for an introspector VM's KVM_HC_MEM_MAP. */
int kvmi_cmd_get_map_token(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req)
{
	struct kvmi_mem_token rpl;
	int err;

	err = kvmi_pages_track_slots(vm);
	if (!err)
		err = kvmi_token_new(vm, &rpl);
	if (err)
		return kvmi_msg_reply(vm, hdr, err == -EAGAIN ? -KVM_EAGAIN :
					       -KVM_ENOMEM, NULL, 0);
	err = kvmi_msg_reply(vm, hdr, 0, &rpl, sizeof(rpl));
	memzero_explicit(&rpl, sizeof(rpl));
	return err;
}
