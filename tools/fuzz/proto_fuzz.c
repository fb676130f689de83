// SPDX-License-Identifier: GPL-2.0-only
/*
 * proto_fuzz: a libFuzzer target over host/proto.c, the checks kvmi.ko
 * applies to every message before a handler sees it, built from the same
 * source file as the module.
 *
 * An input is what a tool writes to the socket: messages one after the
 * other.  Each goes the way host/sock.c and host/msg.c take it:
 *
 *   - fewer than 8 bytes left: a short read, the session ends;
 *   - the header: kvmi_proto_check_hdr(); an error ends the session;
 *   - fewer than hdr.size bytes left: a short read, the session ends;
 *   - KVMI_EVENT_REPLY: kvmi_proto_check_reply(); an error ends the
 *     session, else the event's reply data is read (a vCPU copies it);
 *   - not a command (kvmi_proto_cmd_rule() is NULL): -KVM_ENOSYS, next;
 *   - replies off and a reply with data: the session ends;
 *   - kvmi_proto_check_body(); an error is -KVM_EINVAL, next;
 *   - the variable part, kvmi_proto_tail_len() bytes after the fixed
 *     part, is read as a handler would; a vCPU command's vCPU index is
 *     taken from the fixed part;
 *   - the commands whose own checks use proto.c's helpers call them as
 *     their handlers do (CHECK_COMMAND, CHECK_EVENT, CONTROL_VM_EVENTS,
 *     CONTROL_EVENTS), and CONTROL_CMD_RESPONSE turns replies on and off.
 *
 * Permissions (all allowed here) and what kvmi implements are the
 * module's state, not proto.c's, and are not modelled.
 *
 * Besides ASan and UBSan, the results are checked against what the ABI
 * notes say, computed here independently of proto.c; a difference aborts
 * with a message.  Every payload is copied into a heap block of exactly
 * its length, and every fixed part is written into one of exactly
 * rule->fixed bytes, so that ASan sees any access past either.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "proto_fuzz.h"
#include "tools_util.h"

#define VCPU_HDR	sizeof(struct kvmi_vcpu_hdr)
#define REPLY_HDR	(VCPU_HDR + sizeof(struct kvmi_event_reply))

static void __noreturn fail(const char *what, unsigned int id)
{
	fprintf(stderr, "proto_fuzz: %s (message id %u)\n", what, id);
	abort();
}

#define EXPECT(cond, id)					\
	do {							\
		if (!(cond))					\
			fail("expected: " #cond, (id));		\
	} while (0)

/* Is byte @off of @rule's fixed part padding? */
static bool is_pad(const struct kvmi_proto_rule *rule, unsigned int off)
{
	unsigned int i;

	for (i = 0; i < KVMI_PROTO_MAX_PADS; i++)
		if (off >= rule->pad[i][0] &&
		    off < (unsigned int)rule->pad[i][0] + rule->pad[i][1])
			return true;
	return false;
}

/* What every row of the table must hold; checked once, at start-up. */
static void check_table(void)
{
	unsigned int id, i, n = 0;

	for (id = 0; id < 0x10000; id++) {
		const struct kvmi_proto_rule *rule = kvmi_proto_cmd_rule(id);

		EXPECT(!!rule == kvmi_cmd_is_defined(id), id);
		if (!rule)
			continue;
		n++;
		EXPECT(id < KVMI_NUM_MESSAGES, id);
		EXPECT(id != KVMI_EVENT_REPLY && id != KVMI_EVENT, id);
		EXPECT(rule->scope == KVMI_PROTO_VM ||
		       rule->scope == KVMI_PROTO_VCPU, id);
		EXPECT(rule->fixed <= KVMI_PROTO_MAX_FIXED, id);
		for (i = 0; i < KVMI_PROTO_MAX_PADS; i++)
			EXPECT(rule->pad[i][0] + rule->pad[i][1] <= rule->fixed,
			       id);
		/* A vCPU command starts with the vCPU header and its padding. */
		if (rule->scope == KVMI_PROTO_VCPU) {
			EXPECT(rule->fixed >= VCPU_HDR, id);
			for (i = 0; i < VCPU_HDR; i++)
				EXPECT(is_pad(rule, i) == (i >= 2), id);
		}
	}
	/* The ids named in the ABI notes, KVMI_EVENT_REPLY and KVMI_EVENT
	 * excepted.
	 */
	EXPECT(n == 44, n);
	for (id = 0; id < 0x10000; id++) {
		EXPECT(kvmi_event_is_defined(id) == (id < KVMI_NUM_EVENTS), id);
		EXPECT(kvmi_event_is_vm_scope(id) ==
		       (id == KVMI_EVENT_UNHOOK || id == KVMI_EVENT_CREATE_VCPU),
		       id);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	check_table();
	return 0;
}

/*
 * Reads every byte, so that ASan checks the range.  The sum goes to a
 * global that nothing reads, but the compiler cannot know it.
 */
unsigned long proto_fuzz_sum;

static void touch(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		proto_fuzz_sum += p[i];
}

/* The ABI notes' reply rules, for comparison with proto.c's. */
static int expected_reply(const unsigned char *b, size_t len)
{
	unsigned int i;

	if (len < REPLY_HDR)
		return -EPROTO;
	for (i = 2; i < VCPU_HDR; i++)
		if (b[i])
			return -EPROTO;
	for (i = VCPU_HDR + 2; i < REPLY_HDR; i++)
		if (b[i])
			return -EPROTO;
	if (b[VCPU_HDR] > KVMI_EVENT_ACTION_CRASH)
		return -EPROTO;
	return len - REPLY_HDR;
}

/* Returns false when the module would end the session. */
static bool event_reply(const struct kvmi_msg_hdr *hdr,
			const unsigned char *body)
{
	int ret = kvmi_proto_check_reply(body, hdr->size);

	EXPECT(ret == expected_reply(body, hdr->size), hdr->id);
	if (ret < 0)
		return false;
	/* A waiting vCPU copies struct kvmi_event_reply and the data. */
	touch(body + VCPU_HDR, sizeof(struct kvmi_event_reply) + ret);
	return true;
}

struct session {
	bool replies_off;
};

/* The parts of the handlers' own checks that are proto.c's helpers. */
static void handler_checks(struct session *s, unsigned int id,
			   const unsigned char *fixed)
{
	switch (id) {
	case KVMI_CHECK_COMMAND: {
		struct kvmi_check_command c;

		memcpy(&c, fixed, sizeof(c));
		EXPECT(kvmi_cmd_is_defined(c.id) == !!kvmi_proto_cmd_rule(c.id),
		       id);
		break;
	}
	case KVMI_CHECK_EVENT: {
		struct kvmi_check_event c;

		memcpy(&c, fixed, sizeof(c));
		EXPECT(kvmi_event_is_defined(c.id) == (c.id < KVMI_NUM_EVENTS),
		       id);
		break;
	}
	case KVMI_CONTROL_VM_EVENTS: {
		struct kvmi_control_vm_events c;

		memcpy(&c, fixed, sizeof(c));
		if (kvmi_event_is_vm_scope(c.event_id))
			EXPECT(kvmi_event_is_defined(c.event_id), id);
		break;
	}
	case KVMI_CONTROL_EVENTS: {
		struct kvmi_control_events c;

		memcpy(&c, fixed + VCPU_HDR, sizeof(c));
		if (kvmi_event_is_defined(c.event_id))
			EXPECT(c.event_id < KVMI_NUM_EVENTS, id);
		break;
	}
	case KVMI_CONTROL_CMD_RESPONSE: {
		struct kvmi_control_cmd_response c;

		memcpy(&c, fixed, sizeof(c));
		if (c.enable <= 1 && c.now <= 1 &&
		    !(c.flags & ~KVMI_CMD_RESPONSE_ERROR_EVENTS))
			s->replies_off = !c.enable;
		break;
	}
	}
}

/* Returns false when the module would end the session. */
static bool command(struct session *s, const struct kvmi_msg_hdr *hdr,
		    const unsigned char *body)
{
	const struct kvmi_proto_rule *rule = kvmi_proto_cmd_rule(hdr->id);
	size_t n, tail;
	unsigned char *fixed;
	unsigned int i;
	bool pad_set = false;
	int ret;

	if (!rule)
		return true;		/* -KVM_ENOSYS */
	if (s->replies_off && rule->data_reply)
		return false;		/* -EPROTO */

	fixed = malloc(rule->fixed ? rule->fixed : 1);
	if (!fixed)
		abort();
	memset(fixed, 0xa5, rule->fixed);
	ret = kvmi_proto_check_body(rule, body, hdr->size, fixed);

	/* The fixed part: the payload's first bytes, then zeros. */
	n = hdr->size < rule->fixed ? hdr->size : rule->fixed;
	EXPECT(!memcmp(fixed, body, n), hdr->id);
	for (i = n; i < rule->fixed; i++)
		EXPECT(!fixed[i], hdr->id);
	for (i = 0; i < rule->fixed; i++)
		if (is_pad(rule, i) && fixed[i])
			pad_set = true;
	EXPECT(ret == (pad_set ? -KVM_EINVAL : 0), hdr->id);
	if (ret) {
		free(fixed);
		return true;		/* -KVM_EINVAL */
	}

	/* The variable part, as a handler reads it. */
	tail = kvmi_proto_tail_len(rule, hdr->size);
	n = hdr->size > rule->fixed ? hdr->size - rule->fixed : 0;
	EXPECT(tail == n, hdr->id);
	touch(body + rule->fixed, tail);

	if (rule->scope == KVMI_PROTO_VCPU) {
		struct kvmi_vcpu_hdr vh;

		memcpy(&vh, fixed, sizeof(vh));
		EXPECT(!vh.padding1 && !vh.padding2, hdr->id);
	}
	handler_checks(s, hdr->id, fixed);
	free(fixed);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session s = { };
	bool go_on = true;

	while (go_on) {
		struct kvmi_msg_hdr hdr;
		unsigned char *body;
		int ret;

		if (size < sizeof(hdr))
			break;
		memcpy(&hdr, data, sizeof(hdr));
		data += sizeof(hdr);
		size -= sizeof(hdr);

		ret = kvmi_proto_check_hdr(&hdr);
		EXPECT(ret == (hdr.size > KVMI_MSG_SIZE ? -E2BIG : 0), hdr.id);
		if (ret || size < hdr.size)
			break;

		body = malloc(hdr.size ? hdr.size : 1);
		if (!body)
			abort();
		memcpy(body, data, hdr.size);
		data += hdr.size;
		size -= hdr.size;

		if (hdr.id == KVMI_EVENT_REPLY)
			go_on = event_reply(&hdr, body);
		else
			go_on = command(&s, &hdr, body);
		free(body);
	}
	return 0;
}
