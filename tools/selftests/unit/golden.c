// SPDX-License-Identifier: GPL-2.0-only
/*
 * golden: messages written byte by byte from the ABI notes (little
 * endian), decoded with our UAPI structs, encoded again from field values
 * and compared byte for byte; commands also go through host/proto.c.
 * A layout or id mistake shared by the module, the clients and the tests
 * would show here.
 */
#include <stdint.h>
#include <string.h>

#include "proto.h"
#include "tap.h"

#define SAME(a, b, what) tap(!memcmp((a), (b), sizeof(b)), "%s", what)

static void check_cmd(const uint8_t *frame, size_t len, int verdict,
		      const char *what)
{
	struct kvmi_msg_hdr hdr;
	const struct kvmi_proto_rule *r;
	uint8_t fixed[KVMI_PROTO_MAX_FIXED];

	memcpy(&hdr, frame, sizeof(hdr));
	TAP_EQ(hdr.size, len - sizeof(hdr), "%s: size field", what);
	TAP_EQ(kvmi_proto_check_hdr(&hdr), 0, "%s: header accepted", what);
	r = kvmi_proto_cmd_rule(hdr.id);
	tap(!!r, "%s: is a command", what);
	if (r)
		TAP_EQ(kvmi_proto_check_body(r, frame + sizeof(hdr), hdr.size,
					     fixed), verdict,
		       "%s: body verdict", what);
}

static void get_version(void)
{
	static const uint8_t cmd[] = {
		0x02, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11,
	};
	static const uint8_t rpl[] = {
		0x02, 0x00, 0x18, 0x00, 0x44, 0x33, 0x22, 0x11,	/* hdr */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* err 0 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* v1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* features */
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_error_code ec;
		struct kvmi_get_version_reply v;
	} __packed d, e;
	struct kvmi_msg_hdr h;

	memcpy(&h, cmd, sizeof(h));
	TAP_EQ(h.id, KVMI_GET_VERSION, "GET_VERSION: id");
	TAP_EQ(h.seq, 0x11223344, "GET_VERSION: seq");
	check_cmd(cmd, sizeof(cmd), 0, "GET_VERSION");

	TAP_EQ(sizeof(d), sizeof(rpl), "GET_VERSION reply: length");
	memcpy(&d, rpl, sizeof(d));
	TAP_EQ(d.hdr.size, sizeof(d.ec) + sizeof(d.v), "GET_VERSION reply: size");
	TAP_EQ(d.ec.err, 0, "GET_VERSION reply: err");
	TAP_EQ(d.v.version, KVMI_VERSION, "GET_VERSION reply: version");
	memset(&e, 0, sizeof(e));
	e.hdr.id = KVMI_GET_VERSION;
	e.hdr.size = sizeof(e.ec) + sizeof(e.v);
	e.hdr.seq = 0x11223344;
	e.v.version = KVMI_VERSION;
	SAME(&e, rpl, "GET_VERSION reply: encoded");
}

static void check_command(void)
{
	static const uint8_t cmd[] = {
		0x03, 0x00, 0x08, 0x00, 0x07, 0x00, 0x00, 0x00,
		0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_check_command c;
	} d, e = { { KVMI_CHECK_COMMAND, 8, 7 }, { .id = KVMI_READ_PHYSICAL } };

	memcpy(&d, cmd, sizeof(d));
	TAP_EQ(d.hdr.id, KVMI_CHECK_COMMAND, "CHECK_COMMAND: id");
	TAP_EQ(d.c.id, KVMI_READ_PHYSICAL, "CHECK_COMMAND: checked id");
	SAME(&e, cmd, "CHECK_COMMAND: encoded");
	check_cmd(cmd, sizeof(cmd), 0, "CHECK_COMMAND");
}

static void read_write_physical(void)
{
	static const uint8_t rd[] = {
		0x11, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* gpa */
		0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* size */
	};
	static const uint8_t wr[] = {
		0x12, 0x00, 0x14, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* gpa */
		0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* size */
		0xde, 0xad, 0xbe, 0xef,				/* data */
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_read_physical r;
	} d, e = { { KVMI_READ_PHYSICAL, 16, 1 }, { 0x1000, 16 } };
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_write_physical w;
		uint8_t data[4];
	} __packed wd, we = { { KVMI_WRITE_PHYSICAL, 20, 2 }, { 0x2000, 4 },
		     { 0xde, 0xad, 0xbe, 0xef } };

	memcpy(&d, rd, sizeof(d));
	TAP_EQ(d.r.gpa, 0x1000, "READ_PHYSICAL: gpa");
	TAP_EQ(d.r.size, 16, "READ_PHYSICAL: size");
	SAME(&e, rd, "READ_PHYSICAL: encoded");
	check_cmd(rd, sizeof(rd), 0, "READ_PHYSICAL");

	TAP_EQ(sizeof(wd), sizeof(wr), "WRITE_PHYSICAL: length");
	memcpy(&wd, wr, sizeof(wd));
	TAP_EQ(wd.w.gpa, 0x2000, "WRITE_PHYSICAL: gpa");
	TAP_EQ(wd.w.size, 4, "WRITE_PHYSICAL: size");
	TAP_EQ(wd.data[3], 0xef, "WRITE_PHYSICAL: data");
	SAME(&we, wr, "WRITE_PHYSICAL: encoded");
	check_cmd(wr, sizeof(wr), 0, "WRITE_PHYSICAL");
}

static void cmd_response(void)
{
	static const uint8_t cmd[] = {
		0x1b, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t bad[] = {	/* padding2 not zero */
		0x1b, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_control_cmd_response c;
	} d, e = { { KVMI_CONTROL_CMD_RESPONSE, 8, 3 },
		   { .enable = 0, .now = 1 } };

	memcpy(&d, cmd, sizeof(d));
	TAP_EQ(d.c.enable, 0, "CMD_RESPONSE: enable");
	TAP_EQ(d.c.now, 1, "CMD_RESPONSE: now");
	SAME(&e, cmd, "CMD_RESPONSE: encoded");
	check_cmd(cmd, sizeof(cmd), 0, "CMD_RESPONSE");
	check_cmd(bad, sizeof(bad), -KVM_EINVAL, "CMD_RESPONSE with padding");
}

static void error_reply(void)
{
	static const uint8_t rpl[] = {
		0x28, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00,
		0x18, 0xfc, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_error_code ec;
	} d, e = { { 40, 8, 5 }, { -KVM_ENOSYS, 0 } };

	memcpy(&d, rpl, sizeof(d));
	TAP_EQ(d.ec.err, -1000, "error reply: -KVM_ENOSYS");
	SAME(&e, rpl, "error reply: encoded");
	tap(!kvmi_proto_cmd_rule(40), "id 40 is unknown");
}

static void unhook_event(void)
{
	uint8_t ev[8 + 544] = {
		0x01, 0x00, 0x20, 0x02, 0x01, 0x00, 0x00, 0x00,	/* hdr */
		0x20, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* size 544 */
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_event e;
	} d, e;

	TAP_EQ(sizeof(d), sizeof(ev), "UNHOOK event: length");
	memcpy(&d, ev, sizeof(d));
	TAP_EQ(d.hdr.id, KVMI_EVENT, "UNHOOK event: id");
	TAP_EQ(d.hdr.size, 544, "UNHOOK event: size");
	TAP_EQ(d.e.size, sizeof(struct kvmi_event), "UNHOOK event: common size");
	TAP_EQ(d.e.event, KVMI_EVENT_UNHOOK, "UNHOOK event: event");
	memset(&e, 0, sizeof(e));
	e.hdr.id = KVMI_EVENT;
	e.hdr.size = sizeof(e.e);
	e.hdr.seq = 1;
	e.e.size = sizeof(e.e);
	SAME(&e, ev, "UNHOOK event: encoded");
}

static void pause_and_reply(void)
{
	static const uint8_t pause[] = {
		0x07, 0x00, 0x10, 0x00, 0x09, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* vcpu 2 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* wait */
	};
	static const uint8_t reply[] = {
		0x00, 0x00, 0x10, 0x00, 0x42, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* vcpu 1 */
		0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* RETRY */
	};
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_vcpu_hdr vh;
		struct kvmi_pause_vcpu p;
	} pe = { { KVMI_PAUSE_VCPU, 16, 9 }, { .vcpu = 2 }, { .wait = 1 } };
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
	} re = { { KVMI_EVENT_REPLY, 16, 0x42 }, { .vcpu = 1 },
		 { .action = KVMI_EVENT_ACTION_RETRY,
		   .event = KVMI_EVENT_HYPERCALL } };

	SAME(&pe, pause, "PAUSE_VCPU: encoded");
	check_cmd(pause, sizeof(pause), 0, "PAUSE_VCPU");
	SAME(&re, reply, "EVENT_REPLY: encoded");
	TAP_EQ(kvmi_proto_check_reply(reply + 8, sizeof(reply) - 8), 0,
	       "EVENT_REPLY: accepted, no reply data");
	tap(!kvmi_proto_cmd_rule(KVMI_EVENT_REPLY),
	    "EVENT_REPLY is not a command");
}

static void ioctl_structs(void)
{
	static const uint8_t hook[] = {
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	static const uint8_t feat[] = {
		0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	};
	struct kvm_introspection_hook h = { .fd = 3 };
	struct kvm_introspection_feature f = { .allow = 1, .id = -1 };
	int i;

	for (i = 0; i < 16; i++)
		h.uuid[i] = i;
	SAME(&h, hook, "kvm_introspection_hook: encoded");
	SAME(&f, feat, "kvm_introspection_feature: encoded");
	TAP_EQ(KVM_INTROSPECTION_HOOK, 0x4018aec8, "KVM_INTROSPECTION_HOOK");
}

int main(void)
{
	printf("TAP version 13\n");
	get_version();
	check_command();
	read_write_physical();
	cmd_response();
	error_reply();
	unhook_event();
	pause_and_reply();
	ioctl_structs();
	return tap_done();
}
