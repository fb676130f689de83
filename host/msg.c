// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commands: checks in the documented order, dispatch, replies; and the
 * VM-scope events.
 *
 * A command is answered, in this order: -KVM_ENOSYS for an id the ABI
 * does not define (its payload is consumed), -KVM_EPERM if the device
 * manager does not allow it, -KVM_EOPNOTSUPP if kvmi does not implement
 * it, -KVM_EINVAL if its fixed part breaks the size or padding rules
 * (proto.c), then whatever its handler answers.
 */
#include <linux/slab.h>
#include <linux/uio.h>

#include "kvmi_int.h"
#include "kvmi_trace.h"
#include "proto.h"
#include "vcpu.h"
#include "vcpu_cmd.h"
#include "vm_cmd.h"

/* The handlers, by message id; ids without one are not implemented. */
static const kvmi_cmd_fn handlers[KVMI_NUM_MESSAGES] = {
	[KVMI_GET_VERSION] = kvmi_cmd_get_version,
	[KVMI_CHECK_COMMAND] = kvmi_cmd_check_command,
	[KVMI_CHECK_EVENT] = kvmi_cmd_check_event,
	[KVMI_GET_GUEST_INFO] = kvmi_cmd_get_guest_info,
	[KVMI_CONTROL_VM_EVENTS] = kvmi_cmd_control_vm_events,
	[KVMI_READ_PHYSICAL] = kvmi_cmd_read_physical,
	[KVMI_WRITE_PHYSICAL] = kvmi_cmd_write_physical,
	[KVMI_CONTROL_CMD_RESPONSE] = kvmi_cmd_control_cmd_response,
	[KVMI_GET_MAX_GFN] = kvmi_cmd_get_max_gfn,
	[KVMI_SET_PAGE_ACCESS] = kvmi_cmd_set_page_access,
	[KVMI_GET_PAGE_ACCESS] = kvmi_cmd_get_page_access,
	[KVMI_GET_MAP_TOKEN] = kvmi_cmd_get_map_token,
};

/* vCPU commands; all but PAUSE_VCPU run as jobs in the vCPU thread. */
static const kvmi_vcpu_cmd_fn vcpu_handlers[KVMI_NUM_MESSAGES] = {
	[KVMI_GET_VCPU_INFO] = kvmi_vcpu_cmd_get_info,
	[KVMI_PAUSE_VCPU] = kvmi_vcpu_cmd_pause,
	[KVMI_CONTROL_EVENTS] = kvmi_vcpu_cmd_control_events,
	[KVMI_GET_REGISTERS] = kvmi_vcpu_cmd_get_registers,
	[KVMI_SET_REGISTERS] = kvmi_vcpu_cmd_set_registers,
	[KVMI_VCPU_GET_XCR] = kvmi_vcpu_cmd_get_xcr,
	[KVMI_GET_CPUID] = kvmi_vcpu_cmd_get_cpuid,
	[KVMI_VCPU_TRANSLATE_GVA] = kvmi_vcpu_cmd_translate_gva,
	[KVMI_GET_XSAVE] = kvmi_vcpu_cmd_get_xsave,
	[KVMI_GET_MTRR_TYPE] = kvmi_vcpu_cmd_get_mtrr_type,
	[KVMI_VCPU_SET_XSAVE] = kvmi_vcpu_cmd_set_xsave,
	[KVMI_CONTROL_CR] = kvmi_vcpu_cmd_control_cr,
	[KVMI_CONTROL_MSR] = kvmi_vcpu_cmd_control_msr,
	[KVMI_INJECT_EXCEPTION] = kvmi_vcpu_cmd_inject_exception,
	[KVMI_VCPU_CONTROL_SINGLESTEP] = kvmi_vcpu_cmd_control_singlestep,
};

/* Events that kvmi can send. */
static const bool events[KVMI_NUM_EVENTS] = {
	[KVMI_EVENT_UNHOOK] = true,
	[KVMI_EVENT_CMD_ERROR] = true,
	[KVMI_EVENT_PAUSE_VCPU] = true,
	[KVMI_EVENT_HYPERCALL] = true,
	[KVMI_EVENT_CREATE_VCPU] = true,
	[KVMI_EVENT_CR] = true,
	[KVMI_EVENT_MSR] = true,
	[KVMI_EVENT_XSETBV] = true,
	[KVMI_EVENT_DESCRIPTOR] = true,
	[KVMI_EVENT_BREAKPOINT] = true,
	[KVMI_EVENT_TRAP] = true,
	[KVMI_EVENT_SINGLESTEP] = true,
	[KVMI_EVENT_PF] = true,
};

bool kvmi_cmd_is_implemented(unsigned int id)
{
	return id < KVMI_NUM_MESSAGES && (handlers[id] || vcpu_handlers[id]);
}

bool kvmi_event_is_implemented(unsigned int id)
{
	return id < KVMI_NUM_EVENTS && events[id];
}

static int send_vm_event(struct kvmi_vm *vm, u8 event, const void *data,
			 size_t len)
{
	struct kvmi_msg_hdr hdr = { };
	struct kvmi_event common = { };
	struct kvec vec[] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = &common, .iov_len = sizeof(common) },
		{ .iov_base = (void *)data, .iov_len = len },
	};

	hdr.id = KVMI_EVENT;
	hdr.size = sizeof(common) + len;
	hdr.seq = atomic_inc_return(&vm->event_seq);
	common.size = sizeof(common);
	common.vcpu = 0;
	common.event = event;
	trace_kvmi_event(vm, -1, event, hdr.seq);
	kvmi_stats_event(&vm->stats, event);
	return kvmi_sock_send(vm, vec, len ? 3 : 2, sizeof(hdr) + hdr.size);
}

/**
 * kvmi_send_unhook_event() - ask the tool to let go (PREUNHOOK)
 * @vm: the VM's context
 *
 * Context: process context (the device manager's ioctl).
 * Return: 0; -ENOENT if the tool did not enable the UNHOOK event or the
 * socket is gone.
 */
int kvmi_send_unhook_event(struct kvmi_vm *vm)
{
	if (!test_bit(KVMI_EVENT_UNHOOK, vm->vm_events) ||
	    !test_bit(KVMI_EVENT_UNHOOK, vm->event_allowed))
		return -ENOENT;
	return send_vm_event(vm, KVMI_EVENT_UNHOOK, NULL, 0) ? -ENOENT : 0;
}

static int send_cmd_error(struct kvmi_vm *vm, const struct kvmi_msg_hdr *cmd,
			  int err)
{
	struct kvmi_event_cmd_error e = {
		.err = err,
		.msg_seq = cmd->seq,
		.msg_id = cmd->id,
	};

	return send_vm_event(vm, KVMI_EVENT_CMD_ERROR, &e, sizeof(e));
}

/* A vCPU command, copied for its job: header, fixed part, whole body. */
struct vcpu_cmd {
	struct kvmi_msg_hdr hdr;
	u8 req[KVMI_PROTO_MAX_FIXED];
	u8 body[];
};

/*
 * The vCPU a command is for, -1 for a VM command (tracepoint kvmi_command).
 * On the receive thread the payload is in vm->buf, zero-extended like the
 * fixed part; any other thread is a vCPU thread running the command's job,
 * whose header is the one in struct vcpu_cmd.
 */
static int cmd_vcpu(const struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr)
{
	const struct kvmi_proto_rule *rule = kvmi_proto_cmd_rule(hdr->id);
	struct kvmi_vcpu_hdr vh = { };
	const struct vcpu_cmd *cmd;

	if (!rule || rule->scope != KVMI_PROTO_VCPU)
		return -1;
	if (current == vm->recv) {
		memcpy(&vh, vm->buf, min_t(size_t, hdr->size, sizeof(vh)));
		return vh.vcpu;
	}
	cmd = container_of(hdr, struct vcpu_cmd, hdr);
	memcpy(&vh, cmd->req, sizeof(vh));
	return vh.vcpu;
}

/**
 * kvmi_msg_reply() - answer a command
 * @vm: the VM's context
 * @hdr: the command's header
 * @err: 0 or a negative KVM_E* error code
 * @data: the reply's data, sent only when @err is 0
 * @len: its length
 *
 * While replies are off, nothing is sent, except errors as
 * KVMI_EVENT_CMD_ERROR events when the tool asked for them.  Every call
 * counts as one command handled (debugfs kvmi/stats, kvmi_command).
 *
 * Context: the receive thread, or the vCPU thread for a vCPU command.
 * Return: 0, or a socket error (the session then ends).
 */
int kvmi_msg_reply(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
		   int err, const void *data, size_t len)
{
	struct kvmi_msg_hdr rhdr = { .id = hdr->id, .seq = hdr->seq };
	struct kvmi_error_code ec = { .err = err };
	struct kvec vec[] = {
		{ .iov_base = &rhdr, .iov_len = sizeof(rhdr) },
		{ .iov_base = &ec, .iov_len = sizeof(ec) },
		{ .iov_base = (void *)data, .iov_len = len },
	};

	if (trace_kvmi_command_enabled())
		trace_kvmi_command(vm, hdr, cmd_vcpu(vm, hdr), err);
	kvmi_stats_command(&vm->stats, err);

	if (vm->replies_off) {
		if (err && vm->errors_as_events)
			return send_cmd_error(vm, hdr, err);
		return 0;
	}
	if (err)
		len = 0;
	rhdr.size = sizeof(ec) + len;
	return kvmi_sock_send(vm, vec, len ? 3 : 2, sizeof(rhdr) + rhdr.size);
}

static void vcpu_cmd_job(struct kvmi_vcpu *kv, void *ctx)
{
	struct vcpu_cmd *cmd = ctx;

	if (vcpu_handlers[cmd->hdr.id](kv, &cmd->hdr, cmd->req, cmd->body))
		kvmi_vm_disconnect(kv->vm);
}

static int dispatch_vcpu(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req)
{
	const struct kvmi_vcpu_hdr *vh = req;
	struct kvmi_vcpu *kv = kvmi_vcpu_get(vm, vh->vcpu);
	struct vcpu_cmd *cmd;
	int err;

	if (!kv)
		return kvmi_msg_reply(vm, hdr, -KVM_EINVAL, NULL, 0);
	if (hdr->id == KVMI_PAUSE_VCPU)
		return vcpu_handlers[hdr->id](kv, hdr, req, vm->buf);

	cmd = kmalloc(sizeof(*cmd) + hdr->size, GFP_KERNEL);
	if (!cmd)
		return kvmi_msg_reply(vm, hdr, -KVM_ENOMEM, NULL, 0);
	cmd->hdr = *hdr;
	memcpy(cmd->req, req, sizeof(cmd->req));
	memcpy(cmd->body, vm->buf, hdr->size);
	err = kvmi_vcpu_queue_job(kv, vcpu_cmd_job, false, cmd,
				  sizeof(*cmd) + hdr->size);
	kfree(cmd);
	return err ? kvmi_msg_reply(vm, hdr, err, NULL, 0) : 0;
}

/**
 * kvmi_msg_dispatch() - handle one received message
 * @vm: the VM's context
 * @hdr: its header; the payload is in @vm->buf
 *
 * Context: the receive thread.
 * Return: 0, or a negative error that ends the session.
 */
int kvmi_msg_dispatch(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr)
{
	const struct kvmi_proto_rule *rule;
	u8 req[KVMI_PROTO_MAX_FIXED];
	int err;

	/* Event replies are routed to their vCPU; a stray one is an error. */
	if (hdr->id == KVMI_EVENT_REPLY)
		return kvmi_vcpu_reply(vm, hdr, vm->buf, false);

	rule = kvmi_proto_cmd_rule(hdr->id);
	if (!rule)
		return kvmi_msg_reply(vm, hdr, -KVM_ENOSYS, NULL, 0);
	if (!test_bit(hdr->id, vm->cmd_allowed))
		return kvmi_msg_reply(vm, hdr, -KVM_EPERM, NULL, 0);
	if (!kvmi_cmd_is_implemented(hdr->id))
		return kvmi_msg_reply(vm, hdr, -KVM_EOPNOTSUPP, NULL, 0);

	/* A reply with data cannot be dropped silently. */
	if (vm->replies_off && rule->data_reply)
		return -EPROTO;

	err = kvmi_proto_check_body(rule, vm->buf, hdr->size, req);
	if (err)
		return kvmi_msg_reply(vm, hdr, err, NULL, 0);

	if (rule->scope == KVMI_PROTO_VCPU)
		return dispatch_vcpu(vm, hdr, req);
	return handlers[hdr->id](vm, hdr, req);
}
