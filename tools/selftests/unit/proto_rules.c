// SPDX-License-Identifier: GPL-2.0-only
/*
 * proto_rules: host/proto.c (the message rules and checks the module
 * applies before any handler) on hand-made frames, in user space.
 *
 * Checks: header sizes around KVMI_MSG_SIZE; which ids are commands and
 * their scope; for every command with a fixed part, that an exact, a
 * shorter (zero-extended) and a longer (extra ignored) body pass, that
 * each padding byte alone makes it fail with -KVM_EINVAL, and that
 * non-padding bytes do not; the length of the variable part after the
 * fixed part; the event-id helpers; the event-reply rules.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "proto.h"
#include "tap.h"

static void test_hdr(void)
{
	static const struct {
		unsigned int size;
		int verdict;
	} cases[] = {
		{ 0, 0 }, { 1, 0 }, { 8184, 0 }, { 8185, -E2BIG },
		{ 0xffff, -E2BIG },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kvmi_msg_hdr hdr = { .id = KVMI_GET_VERSION,
					    .size = cases[i].size };

		TAP_EQ(kvmi_proto_check_hdr(&hdr), cases[i].verdict,
		       "hdr size %u", cases[i].size);
	}
}

/* Command ids of the ABI (named in kvmi.h) and their scope. */
static const struct {
	unsigned int id;
	int scope;
} commands[] = {
	{ KVMI_GET_VERSION, KVMI_PROTO_VM },
	{ KVMI_CHECK_COMMAND, KVMI_PROTO_VM },
	{ KVMI_CHECK_EVENT, KVMI_PROTO_VM },
	{ KVMI_GET_GUEST_INFO, KVMI_PROTO_VM },
	{ KVMI_GET_VCPU_INFO, KVMI_PROTO_VCPU },
	{ KVMI_PAUSE_VCPU, KVMI_PROTO_VCPU },
	{ KVMI_CONTROL_VM_EVENTS, KVMI_PROTO_VM },
	{ KVMI_CONTROL_EVENTS, KVMI_PROTO_VCPU },
	{ KVMI_CONTROL_CR, KVMI_PROTO_VCPU },
	{ KVMI_CONTROL_MSR, KVMI_PROTO_VCPU },
	{ KVMI_CONTROL_VE, KVMI_PROTO_VCPU },
	{ KVMI_GET_REGISTERS, KVMI_PROTO_VCPU },
	{ KVMI_SET_REGISTERS, KVMI_PROTO_VCPU },
	{ KVMI_GET_CPUID, KVMI_PROTO_VCPU },
	{ KVMI_GET_XSAVE, KVMI_PROTO_VCPU },
	{ KVMI_READ_PHYSICAL, KVMI_PROTO_VM },
	{ KVMI_WRITE_PHYSICAL, KVMI_PROTO_VM },
	{ KVMI_INJECT_EXCEPTION, KVMI_PROTO_VCPU },
	{ KVMI_GET_PAGE_ACCESS, KVMI_PROTO_VM },
	{ KVMI_SET_PAGE_ACCESS, KVMI_PROTO_VM },
	{ KVMI_GET_MAP_TOKEN, KVMI_PROTO_VM },
	{ KVMI_GET_MTRR_TYPE, KVMI_PROTO_VCPU },
	{ KVMI_CONTROL_SPP, KVMI_PROTO_VM },
	{ KVMI_GET_PAGE_WRITE_BITMAP, KVMI_PROTO_VM },
	{ KVMI_SET_PAGE_WRITE_BITMAP, KVMI_PROTO_VM },
	{ KVMI_CONTROL_CMD_RESPONSE, KVMI_PROTO_VM },
	{ KVMI_SET_VE_INFO_PAGE, KVMI_PROTO_VCPU },
	{ KVMI_GET_MAX_GFN, KVMI_PROTO_VM },
	{ KVMI_SET_EPT_PAGE_CONV, KVMI_PROTO_VCPU },
	{ KVMI_GET_NEXT_AVAILABLE_GFN, KVMI_PROTO_VM },
	{ KVMI_SWITCH_EPT_VIEW, KVMI_PROTO_VCPU },
	{ KVMI_DISABLE_VE, KVMI_PROTO_VCPU },
	{ KVMI_GET_EPT_VIEW, KVMI_PROTO_VCPU },
	{ KVMI_VCPU_TRANSLATE_GVA, KVMI_PROTO_VCPU },
	{ KVMI_CONTROL_EPT_VIEW, KVMI_PROTO_VCPU },
	{ KVMI_VCPU_GET_XCR, KVMI_PROTO_VCPU },
	{ KVMI_VCPU_SET_XSAVE, KVMI_PROTO_VCPU },
	{ KVMI_QUERY_PHYSICAL, KVMI_PROTO_VM },
	{ KVMI_VCPU_ALLOC_GFN, KVMI_PROTO_VCPU },
	{ KVMI_VCPU_FREE_GFN, KVMI_PROTO_VCPU },
	{ KVMI_CREATE_EPT_VIEW, KVMI_PROTO_VM },
	{ KVMI_DESTROY_EPT_VIEW, KVMI_PROTO_VM },
	{ KVMI_VCPU_CHANGE_GFN, KVMI_PROTO_VCPU },
	{ KVMI_VCPU_CONTROL_SINGLESTEP, KVMI_PROTO_VCPU },
};

#define NCOMMANDS ARRAY_SIZE(commands)

static int expected_scope(unsigned int id)
{
	unsigned int i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].id == id)
			return commands[i].scope;
	return 0;
}

static void test_ids(void)
{
	static const unsigned int beyond[] = { 64, 65, 1000, 0xffff };
	unsigned int id, i;

	for (id = 0; id < KVMI_NUM_MESSAGES; id++) {
		const struct kvmi_proto_rule *r = kvmi_proto_cmd_rule(id);

		TAP_EQ(r ? r->scope : 0, expected_scope(id), "id %u: scope",
		       id);
		TAP_EQ(kvmi_cmd_is_defined(id), expected_scope(id) != 0,
		       "id %u: defined", id);
	}
	for (i = 0; i < ARRAY_SIZE(beyond); i++)
		tap(!kvmi_proto_cmd_rule(beyond[i]), "id %u: no rule",
		    beyond[i]);
}

/*
 * The fixed part and padding of each command, typed in from the ABI notes
 * (not taken from proto.c): padding as (offset, length) ranges.  Commands
 * that are not implemented yet only have their vCPU header checked.
 */
static const struct {
	unsigned int id;
	unsigned int fixed;
	unsigned char pad[4][2];
} expect[] = {
	{ KVMI_GET_VERSION, 0, { } },
	{ KVMI_CHECK_COMMAND, 8, { { 2, 6 } } },
	{ KVMI_CHECK_EVENT, 8, { { 2, 6 } } },
	{ KVMI_GET_GUEST_INFO, 0, { } },
	{ KVMI_GET_VCPU_INFO, 8, { { 2, 6 } } },
	{ KVMI_PAUSE_VCPU, 16, { { 2, 6 }, { 9, 7 } } },
	{ KVMI_CONTROL_VM_EVENTS, 8, { { 3, 5 } } },
	{ KVMI_CONTROL_EVENTS, 16, { { 2, 6 }, { 11, 5 } } },
	{ KVMI_GET_REGISTERS, 16, { { 2, 6 }, { 10, 6 } } },
	{ KVMI_SET_REGISTERS, 8, { { 2, 6 } } },
	{ KVMI_VCPU_GET_XCR, 16, { { 2, 6 }, { 9, 7 } } },
	{ KVMI_GET_CPUID, 16, { { 2, 6 } } },
	{ KVMI_VCPU_TRANSLATE_GVA, 16, { { 2, 6 } } },
	{ KVMI_GET_MTRR_TYPE, 16, { { 2, 6 } } },
	{ KVMI_READ_PHYSICAL, 16, { } },
	{ KVMI_WRITE_PHYSICAL, 16, { } },
	{ KVMI_CONTROL_CMD_RESPONSE, 8, { { 3, 5 } } },
	{ KVMI_GET_MAX_GFN, 0, { } },
};

static bool expected_pad(unsigned int e, unsigned int byte)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (byte >= expect[e].pad[i][0] &&
		    byte < expect[e].pad[i][0] + expect[e].pad[i][1])
			return true;
	return false;
}

static void test_body(unsigned int e)
{
	unsigned int id = expect[e].id, fixed_len = expect[e].fixed;
	const struct kvmi_proto_rule *r = kvmi_proto_cmd_rule(id);
	unsigned char body[KVMI_PROTO_MAX_FIXED + 32];
	unsigned char fixed[KVMI_PROTO_MAX_FIXED];
	unsigned int i, bad = 0;

	TAP_EQ(r ? r->fixed : 0, fixed_len, "id %u: fixed part", id);
	if (!r || r->fixed != fixed_len)
		return;

	/* Exact size, every non-padding byte set. */
	for (i = 0; i < fixed_len; i++)
		body[i] = expected_pad(e, i) ? 0 : 0xa5;
	memset(fixed, 0x5a, sizeof(fixed));
	TAP_EQ(kvmi_proto_check_body(r, body, fixed_len, fixed), 0,
	       "id %u: exact size, non-padding bytes set", id);
	tap(!memcmp(fixed, body, fixed_len), "id %u: fixed part copied", id);

	/* Longer: the extra bytes are ignored, whatever they are. */
	memset(body + fixed_len, 0xff, 32);
	TAP_EQ(kvmi_proto_check_body(r, body, fixed_len + 32, fixed), 0,
	       "id %u: longer body", id);

	/* Shorter: zero-extended. */
	if (fixed_len) {
		memset(fixed, 0x5a, sizeof(fixed));
		TAP_EQ(kvmi_proto_check_body(r, body, fixed_len / 2, fixed), 0,
		       "id %u: shorter body", id);
		for (i = fixed_len / 2; i < fixed_len; i++)
			bad |= fixed[i];
		TAP_EQ(bad, 0, "id %u: shorter body zero-extended", id);
	}
	TAP_EQ(kvmi_proto_check_body(r, body, 0, fixed), 0,
	       "id %u: empty body", id);

	/* Each byte alone: rejected exactly when it is padding. */
	for (i = 0; i < fixed_len; i++) {
		memset(body, 0, fixed_len);
		body[i] = 1;
		TAP_EQ(kvmi_proto_check_body(r, body, fixed_len, fixed),
		       expected_pad(e, i) ? -KVM_EINVAL : 0,
		       "id %u: byte %u set", id, i);
	}
}

/* vCPU commands not implemented yet: their vCPU header is checked. */
static void test_vcpu_hdr(unsigned int id)
{
	const struct kvmi_proto_rule *r = kvmi_proto_cmd_rule(id);
	unsigned char body[8], fixed[KVMI_PROTO_MAX_FIXED];
	unsigned int i;

	for (i = 2; i < 8; i++) {
		memset(body, 0, sizeof(body));
		body[i] = 1;
		TAP_EQ(kvmi_proto_check_body(r, body, sizeof(body), fixed),
		       -KVM_EINVAL, "id %u: vcpu_hdr byte %u set", id, i);
	}
	body[i - 1] = 0;
	body[0] = 3;
	TAP_EQ(kvmi_proto_check_body(r, body, sizeof(body), fixed), 0,
	       "id %u: vcpu index accepted", id);
}

static void test_bodies(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(expect); i++)
		test_body(i);
	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].scope == KVMI_PROTO_VCPU)
			test_vcpu_hdr(commands[i].id);
}

/*
 * The variable part starts after the fixed part; a payload no longer
 * than the fixed part has none.  Reproducer of a bug found while writing
 * the fuzzer: SET_REGISTERS and VCPU_SET_XSAVE took it as hdr.size - 8,
 * which for a payload shorter than the vCPU header wrapped around, and
 * the handlers then copied 144 (kvm_regs) or 4096 (kvm_xsave) bytes from
 * past the end of the copied message into the vCPU's state.
 */
static void test_tail(void)
{
	static const unsigned int short_ids[] = {
		KVMI_SET_REGISTERS, KVMI_VCPU_SET_XSAVE,
	};
	unsigned int id, i, len;

	for (i = 0; i < ARRAY_SIZE(short_ids); i++) {
		const struct kvmi_proto_rule *r = kvmi_proto_cmd_rule(short_ids[i]);

		for (len = 0; len <= 8; len++)
			TAP_EQ(kvmi_proto_tail_len(r, len), 0,
			       "id %u: %u-byte payload, no variable part",
			       short_ids[i], len);
		TAP_EQ(kvmi_proto_tail_len(r, 9), 1, "id %u: 9-byte payload",
		       short_ids[i]);
	}
	for (id = 0; id < KVMI_NUM_MESSAGES; id++) {
		const struct kvmi_proto_rule *r = kvmi_proto_cmd_rule(id);
		bool ok = true;

		if (!r)
			continue;
		for (len = 0; len <= KVMI_MSG_SIZE; len++)
			if (kvmi_proto_tail_len(r, len) !=
			    (len > r->fixed ? len - r->fixed : 0))
				ok = false;
		tap(ok, "id %u: variable part for every payload length", id);
	}
}

static void test_events(void)
{
	unsigned int id;

	for (id = 0; id < 16; id++) {
		TAP_EQ(kvmi_event_is_defined(id), id < KVMI_NUM_EVENTS,
		       "event %u defined", id);
		TAP_EQ(kvmi_event_is_vm_scope(id),
		       id == KVMI_EVENT_UNHOOK || id == KVMI_EVENT_CREATE_VCPU,
		       "event %u VM scope", id);
	}
	tap(!kvmi_event_is_defined(0xffff), "event 0xffff not defined");
}

/*
 * KVMI_EVENT_REPLY: vCPU header (padding at 2..7), struct
 * kvmi_event_reply (action at 8, event at 9, padding at 10..15), then
 * the event's own reply data, whose length is returned.
 */
static void test_reply(void)
{
	static const unsigned int lens[] = { 16, 17, 24, 16 + 272, 8184 };
	static unsigned char body[8192];
	unsigned int i;

	for (i = 0; i < 16; i++)
		TAP_EQ(kvmi_proto_check_reply(body, i), -EPROTO,
		       "reply of %u bytes: too short", i);
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		TAP_EQ(kvmi_proto_check_reply(body, lens[i]), lens[i] - 16,
		       "reply of %u bytes: %u bytes of data", lens[i],
		       lens[i] - 16);
	TAP_EQ(kvmi_proto_check_reply(body, 8185), -EPROTO,
	       "reply over KVMI_MSG_SIZE");

	for (i = 0; i < 16; i++) {
		bool pad = (i >= 2 && i < 8) || i >= 10;

		memset(body, 0, 16);
		body[i] = i == 8 ? KVMI_EVENT_ACTION_CRASH : 0x80;
		TAP_EQ(kvmi_proto_check_reply(body, 16), pad ? -EPROTO : 0,
		       "reply byte %u set: %s", i,
		       pad ? "padding" : "vcpu, event or action");
	}
	memset(body, 0, 16);
	for (i = 0; i < 256; i++) {
		int want = i <= KVMI_EVENT_ACTION_CRASH ? 0 : -EPROTO;

		body[8] = i;
		if (i < 4 || i == 255)
			TAP_EQ(kvmi_proto_check_reply(body, 16), want,
			       "reply action %u", i);
	}

	/* The data after the two structures is the event's: anything goes. */
	memset(body, 0, sizeof(body));
	memset(body + 16, 0xff, 272);
	TAP_EQ(kvmi_proto_check_reply(body, 16 + 272), 272,
	       "reply data not checked");
}

int main(void)
{
	printf("TAP version 13\n");
	test_hdr();
	test_ids();
	test_bodies();
	test_tail();
	test_events();
	test_reply();
	return tap_done();
}
