// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KVMI (libkvmi, "family A") command rules and the checks every
 * message goes through before a handler sees it.  Pure: no locks, no
 * allocation, no kernel calls.
 */
#include "proto.h"

#define VCPU_HDR	sizeof(struct kvmi_vcpu_hdr)
/* The vCPU header's own padding, at the start of every vCPU command. */
#define VCPU_PADS	{ 2, 2 }, { 4, 4 }

#define VM_CMD(id_, size_, ...)						\
	[id_] = { .scope = KVMI_PROTO_VM, .fixed = (size_),		\
		  .pad = { __VA_ARGS__ } }
#define VM_CMD_DATA(id_, size_, ...)					\
	[id_] = { .scope = KVMI_PROTO_VM, .data_reply = 1,		\
		  .fixed = (size_), .pad = { __VA_ARGS__ } }
#define VCPU_CMD(id_, size_, ...)					\
	[id_] = { .scope = KVMI_PROTO_VCPU, .fixed = VCPU_HDR + (size_),	\
		  .pad = { VCPU_PADS, ##__VA_ARGS__ } }
#define VCPU_CMD_DATA(id_, size_, ...)					\
	[id_] = { .scope = KVMI_PROTO_VCPU, .data_reply = 1,		\
		  .fixed = VCPU_HDR + (size_),				\
		  .pad = { VCPU_PADS, ##__VA_ARGS__ } }

/*
 * One row per command the ABI defines.  Rows of commands that kvmi does
 * not implement yet only record that the id exists and its scope; their
 * sizes and padding arrive with their handlers.
 */
static const struct kvmi_proto_rule rules[KVMI_NUM_MESSAGES] = {
	VM_CMD_DATA(KVMI_GET_VERSION, 0),
	VM_CMD(KVMI_CHECK_COMMAND, sizeof(struct kvmi_check_command),
	       { 2, 2 }, { 4, 4 }),
	VM_CMD(KVMI_CHECK_EVENT, sizeof(struct kvmi_check_event),
	       { 2, 2 }, { 4, 4 }),
	VM_CMD_DATA(KVMI_GET_GUEST_INFO, 0),
	VCPU_CMD_DATA(KVMI_GET_VCPU_INFO, 0),
	VCPU_CMD(KVMI_PAUSE_VCPU, sizeof(struct kvmi_pause_vcpu),
		 { 9, 1 }, { 10, 2 }, { 12, 4 }),
	VM_CMD(KVMI_CONTROL_VM_EVENTS, sizeof(struct kvmi_control_vm_events),
	       { 3, 1 }, { 4, 4 }),
	VCPU_CMD(KVMI_CONTROL_EVENTS, sizeof(struct kvmi_control_events),
		 { 11, 1 }, { 12, 4 }),
	VCPU_CMD(KVMI_CONTROL_CR, sizeof(struct kvmi_control_cr),
		 { 9, 1 }, { 10, 2 }),
	VCPU_CMD(KVMI_CONTROL_MSR, sizeof(struct kvmi_control_msr),
		 { 9, 1 }, { 10, 2 }),
	VCPU_CMD(KVMI_CONTROL_VE, 0),
	VCPU_CMD_DATA(KVMI_GET_REGISTERS, sizeof(struct kvmi_get_registers),
		      { 10, 2 }, { 12, 4 }),
	VCPU_CMD(KVMI_SET_REGISTERS, 0),
	VCPU_CMD_DATA(KVMI_GET_CPUID, sizeof(struct kvmi_get_cpuid)),
	VCPU_CMD_DATA(KVMI_GET_XSAVE, 0),
	VM_CMD_DATA(KVMI_READ_PHYSICAL, sizeof(struct kvmi_read_physical)),
	VM_CMD(KVMI_WRITE_PHYSICAL, sizeof(struct kvmi_write_physical)),
	VCPU_CMD(KVMI_INJECT_EXCEPTION, sizeof(struct kvmi_inject_exception),
		 { 9, 1 }, { 10, 2 }),
	VM_CMD_DATA(KVMI_GET_PAGE_ACCESS, sizeof(struct kvmi_get_page_access),
		    { 4, 4 }),
	VM_CMD(KVMI_SET_PAGE_ACCESS, sizeof(struct kvmi_set_page_access),
	       { 4, 4 }),
	VM_CMD_DATA(KVMI_GET_MAP_TOKEN, 0),
	VCPU_CMD_DATA(KVMI_GET_MTRR_TYPE, sizeof(struct kvmi_get_mtrr_type)),
	VM_CMD(KVMI_CONTROL_SPP, 0),
	VM_CMD_DATA(KVMI_GET_PAGE_WRITE_BITMAP, 0),
	VM_CMD(KVMI_SET_PAGE_WRITE_BITMAP, 0),
	VM_CMD(KVMI_CONTROL_CMD_RESPONSE,
	       sizeof(struct kvmi_control_cmd_response), { 3, 1 }, { 4, 4 }),
	VCPU_CMD(KVMI_SET_VE_INFO_PAGE, 0),
	VM_CMD_DATA(KVMI_GET_MAX_GFN, 0),
	VCPU_CMD(KVMI_SET_EPT_PAGE_CONV, 0),
	VM_CMD_DATA(KVMI_GET_NEXT_AVAILABLE_GFN, 0),
	VCPU_CMD(KVMI_SWITCH_EPT_VIEW, 0),
	VCPU_CMD(KVMI_DISABLE_VE, 0),
	VCPU_CMD_DATA(KVMI_GET_EPT_VIEW, 0),
	VCPU_CMD_DATA(KVMI_VCPU_TRANSLATE_GVA,
		      sizeof(struct kvmi_vcpu_translate_gva)),
	VCPU_CMD(KVMI_CONTROL_EPT_VIEW, 0),
	VCPU_CMD_DATA(KVMI_VCPU_GET_XCR, sizeof(struct kvmi_vcpu_get_xcr),
		      { 9, 7 }),
	VCPU_CMD(KVMI_VCPU_SET_XSAVE, 0),
	VM_CMD_DATA(KVMI_QUERY_PHYSICAL, 0),
	VCPU_CMD(KVMI_VCPU_ALLOC_GFN, 0),
	VCPU_CMD(KVMI_VCPU_FREE_GFN, 0),
	VM_CMD_DATA(KVMI_CREATE_EPT_VIEW, 0),
	VM_CMD(KVMI_DESTROY_EPT_VIEW, 0),
	VCPU_CMD(KVMI_VCPU_CHANGE_GFN, 0),
	VCPU_CMD(KVMI_VCPU_CONTROL_SINGLESTEP,
		 sizeof(struct kvmi_vcpu_control_singlestep), { 9, 7 }),
};

/**
 * kvmi_proto_cmd_rule() - the rule of a command id
 * @id: message id
 *
 * Return: the rule, or NULL for ids that are not commands of the ABI
 * (including KVMI_EVENT_REPLY and KVMI_EVENT).
 */
const struct kvmi_proto_rule *kvmi_proto_cmd_rule(unsigned int id)
{
	if (id >= KVMI_NUM_MESSAGES || !rules[id].scope)
		return NULL;
	return &rules[id];
}

bool kvmi_cmd_is_defined(unsigned int id)
{
	return !!kvmi_proto_cmd_rule(id);
}

bool kvmi_event_is_defined(unsigned int id)
{
	return id < KVMI_NUM_EVENTS;
}

/* Events enabled per VM with KVMI_CONTROL_VM_EVENTS. */
bool kvmi_event_is_vm_scope(unsigned int id)
{
	return id == KVMI_EVENT_UNHOOK || id == KVMI_EVENT_CREATE_VCPU;
}

/**
 * kvmi_proto_check_hdr() - may this message be read at all?
 * @hdr: the message header
 *
 * Return: 0, or -E2BIG when the payload exceeds KVMI_MSG_SIZE: a framing
 * error that ends the session.
 */
int kvmi_proto_check_hdr(const struct kvmi_msg_hdr *hdr)
{
	return hdr->size > KVMI_MSG_SIZE ? -E2BIG : 0;
}

/**
 * kvmi_proto_check_body() - apply a command's size and padding rules
 * @rule: the command's rule
 * @body: the payload
 * @len: its length
 * @fixed: out, @rule->fixed bytes: the fixed part, zero-extended
 *
 * Return: 0, or -KVM_EINVAL if a padding byte is not zero.
 */
int kvmi_proto_check_body(const struct kvmi_proto_rule *rule,
			  const void *body, size_t len, void *fixed)
{
	const unsigned char *p = fixed;
	size_t n = len < rule->fixed ? len : rule->fixed;
	unsigned int i, j;

	memset(fixed, 0, rule->fixed);
	memcpy(fixed, body, n);

	for (i = 0; i < KVMI_PROTO_MAX_PADS; i++)
		for (j = 0; j < rule->pad[i][1]; j++)
			if (p[rule->pad[i][0] + j])
				return -KVM_EINVAL;
	return 0;
}

/**
 * kvmi_proto_tail_len() - the length of a command's variable part
 * @rule: the command's rule
 * @len: the payload's length
 *
 * The variable part (a handler's data: kvm_regs, an XSAVE area, ...)
 * starts right after the fixed part, @rule->fixed bytes into the payload.
 *
 * Return: its length; 0 when the payload is no longer than the fixed
 * part.
 */
size_t kvmi_proto_tail_len(const struct kvmi_proto_rule *rule, size_t len)
{
	return len > rule->fixed ? len - rule->fixed : 0;
}

/**
 * kvmi_proto_check_reply() - apply the rules of an event reply
 * @body: the payload of a KVMI_EVENT_REPLY message: struct kvmi_vcpu_hdr,
 *	  struct kvmi_event_reply, then the event's own reply data
 * @len: its length
 *
 * Whether a vCPU waits for this reply is for the caller to say.
 *
 * Return: the length of the event's own reply data, or -EPROTO for a
 * reply shorter than the two structures or longer than KVMI_MSG_SIZE,
 * with a non-zero padding byte or with an unknown action (the session
 * then ends).
 */
int kvmi_proto_check_reply(const void *body, size_t len)
{
	struct kvmi_vcpu_hdr vh;
	struct kvmi_event_reply r;

	if (len < sizeof(vh) + sizeof(r) || len > KVMI_MSG_SIZE)
		return -EPROTO;
	memcpy(&vh, body, sizeof(vh));
	memcpy(&r, (const unsigned char *)body + sizeof(vh), sizeof(r));
	if (vh.padding1 || vh.padding2 || r.padding1 || r.padding2 ||
	    r.action > KVMI_EVENT_ACTION_CRASH)
		return -EPROTO;
	return len - sizeof(vh) - sizeof(r);
}
