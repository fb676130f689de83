/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Protocol rules as data, and the pure checks that apply them.
 *
 * proto.c depends on nothing but the UAPI header and this file: the
 * module builds it, and so do the user-space unit tests
 * (tools/selftests/unit/), which feed it hand-made frames, and the
 * fuzzer (tools/fuzz/).
 */
#ifndef KVMI_PROTO_H
#define KVMI_PROTO_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#endif
#include <linux/kvmi.h>

/* The largest fixed part of any command (SET_REGISTERS: 8 + 144). */
#define KVMI_PROTO_MAX_FIXED	256
#define KVMI_PROTO_MAX_PADS	6

enum kvmi_proto_scope {
	KVMI_PROTO_VM = 1,	/* runs on the receive thread */
	KVMI_PROTO_VCPU,	/* starts with struct kvmi_vcpu_hdr */
};

/**
 * struct kvmi_proto_rule - what the ABI says of one command
 * @scope: enum kvmi_proto_scope
 * @data_reply: a successful reply carries data
 * @fixed: bytes of the fixed part that follows the header.  A shorter
 *	   message is zero-extended to it, a longer one's extra bytes are
 *	   left to the handler (a variable tail) or ignored.
 * @pad: (offset, length) of byte ranges in the fixed part that must be 0;
 *	 unused entries have length 0
 */
struct kvmi_proto_rule {
	__u8 scope;
	__u8 data_reply;
	__u16 fixed;
	__u8 pad[KVMI_PROTO_MAX_PADS][2];
};

const struct kvmi_proto_rule *kvmi_proto_cmd_rule(unsigned int id);
bool kvmi_cmd_is_defined(unsigned int id);
bool kvmi_event_is_defined(unsigned int id);
bool kvmi_event_is_vm_scope(unsigned int id);
int kvmi_proto_check_hdr(const struct kvmi_msg_hdr *hdr);
int kvmi_proto_check_body(const struct kvmi_proto_rule *rule,
			  const void *body, size_t len, void *fixed);
size_t kvmi_proto_tail_len(const struct kvmi_proto_rule *rule, size_t len);
int kvmi_proto_check_reply(const void *body, size_t len);

#endif /* KVMI_PROTO_H */
