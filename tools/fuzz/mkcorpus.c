// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkcorpus: the fuzzer's seed corpus, one file per command id and per
 * vCPU event reply, written from the rule table of host/proto.c.
 *
 *   mkcorpus DIR
 *
 * Each file is what a tool writes to the socket: struct kvmi_msg_hdr and
 * its payload.  A command gets its fixed part with every padding byte 0
 * and plausible values in its fields (the vCPU header names vCPU 0), then
 * its variable part where it has one.  A reply gets the vCPU header,
 * struct kvmi_event_reply (CONTINUE) and the event's own reply data.
 * Every message is checked with proto.c before it is written, and an id
 * of the table without a filler below is an error, so that a new command
 * cannot be left out of the corpus.  Two more files chain messages:
 * every command in id order, and replies turned off followed by a
 * command whose reply carries data.
 *
 * The output depends only on the sources: "make -C tools/fuzz
 * corpus-check" regenerates it and compares it with the checked-in copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "tools_util.h"

static const char *outdir;

/* Lower-case names of the command ids, for the file names. */
static const char * const cmd_names[KVMI_NUM_MESSAGES] = {
	[KVMI_GET_VERSION] = "get_version",
	[KVMI_CHECK_COMMAND] = "check_command",
	[KVMI_CHECK_EVENT] = "check_event",
	[KVMI_GET_GUEST_INFO] = "get_guest_info",
	[KVMI_GET_VCPU_INFO] = "get_vcpu_info",
	[KVMI_PAUSE_VCPU] = "pause_vcpu",
	[KVMI_CONTROL_VM_EVENTS] = "control_vm_events",
	[KVMI_CONTROL_EVENTS] = "control_events",
	[KVMI_CONTROL_CR] = "control_cr",
	[KVMI_CONTROL_MSR] = "control_msr",
	[KVMI_CONTROL_VE] = "control_ve",
	[KVMI_GET_REGISTERS] = "get_registers",
	[KVMI_SET_REGISTERS] = "set_registers",
	[KVMI_GET_CPUID] = "get_cpuid",
	[KVMI_GET_XSAVE] = "get_xsave",
	[KVMI_READ_PHYSICAL] = "read_physical",
	[KVMI_WRITE_PHYSICAL] = "write_physical",
	[KVMI_INJECT_EXCEPTION] = "inject_exception",
	[KVMI_GET_PAGE_ACCESS] = "get_page_access",
	[KVMI_SET_PAGE_ACCESS] = "set_page_access",
	[KVMI_GET_MAP_TOKEN] = "get_map_token",
	[KVMI_GET_MTRR_TYPE] = "get_mtrr_type",
	[KVMI_CONTROL_SPP] = "control_spp",
	[KVMI_GET_PAGE_WRITE_BITMAP] = "get_page_write_bitmap",
	[KVMI_SET_PAGE_WRITE_BITMAP] = "set_page_write_bitmap",
	[KVMI_CONTROL_CMD_RESPONSE] = "control_cmd_response",
	[KVMI_SET_VE_INFO_PAGE] = "set_ve_info_page",
	[KVMI_GET_MAX_GFN] = "get_max_gfn",
	[KVMI_SET_EPT_PAGE_CONV] = "set_ept_page_conv",
	[KVMI_GET_NEXT_AVAILABLE_GFN] = "get_next_available_gfn",
	[KVMI_SWITCH_EPT_VIEW] = "switch_ept_view",
	[KVMI_DISABLE_VE] = "disable_ve",
	[KVMI_GET_EPT_VIEW] = "get_ept_view",
	[KVMI_VCPU_TRANSLATE_GVA] = "vcpu_translate_gva",
	[KVMI_CONTROL_EPT_VIEW] = "control_ept_view",
	[KVMI_VCPU_GET_XCR] = "vcpu_get_xcr",
	[KVMI_VCPU_SET_XSAVE] = "vcpu_set_xsave",
	[KVMI_QUERY_PHYSICAL] = "query_physical",
	[KVMI_VCPU_ALLOC_GFN] = "vcpu_alloc_gfn",
	[KVMI_VCPU_FREE_GFN] = "vcpu_free_gfn",
	[KVMI_CREATE_EPT_VIEW] = "create_ept_view",
	[KVMI_DESTROY_EPT_VIEW] = "destroy_ept_view",
	[KVMI_VCPU_CHANGE_GFN] = "vcpu_change_gfn",
	[KVMI_VCPU_CONTROL_SINGLESTEP] = "vcpu_control_singlestep",
};

/*
 * vCPU events and the length of their own reply data (what the module's
 * event senders accept after struct kvmi_event_reply).  UNHOOK and
 * CMD_ERROR are VM events, which are not replied to.
 */
static const struct {
	unsigned int id;
	const char *name;
	size_t data;
} replies[] = {
	{ KVMI_EVENT_CR, "cr", sizeof(struct kvmi_event_cr_reply) },
	{ KVMI_EVENT_MSR, "msr", sizeof(struct kvmi_event_msr_reply) },
	{ KVMI_EVENT_XSETBV, "xsetbv", 0 },
	{ KVMI_EVENT_BREAKPOINT, "breakpoint", 0 },
	{ KVMI_EVENT_HYPERCALL, "hypercall", 0 },
	{ KVMI_EVENT_PF, "pf", sizeof(struct kvmi_event_pf_reply) },
	{ KVMI_EVENT_TRAP, "trap", 0 },
	{ KVMI_EVENT_DESCRIPTOR, "descriptor", 0 },
	{ KVMI_EVENT_CREATE_VCPU, "create_vcpu", 0 },
	{ KVMI_EVENT_PAUSE_VCPU, "pause_vcpu", 0 },
	{ KVMI_EVENT_SINGLESTEP, "singlestep", 0 },
	{ KVMI_EVENT_CPUID, "cpuid", 0 },
};

/* One message: header and payload, built in place. */
struct msg {
	struct kvmi_msg_hdr hdr;
	unsigned char body[KVMI_MSG_SIZE];
};

static void __noreturn die(const char *what, unsigned int id)
{
	fprintf(stderr, "mkcorpus: %s (id %u)\n", what, id);
	exit(1);
}

static void put(unsigned char *p, const void *v, size_t len)
{
	memcpy(p, v, len);
}

/*
 * The payload of a command after its vCPU header, if it has one; returns
 * its length, or -1 for an id it does not know.
 */
static int fill(unsigned int id, unsigned char *p)
{
	switch (id) {
	case KVMI_GET_VERSION:
	case KVMI_GET_GUEST_INFO:
	case KVMI_GET_VCPU_INFO:
	case KVMI_CONTROL_VE:
	case KVMI_GET_XSAVE:
	case KVMI_GET_MAP_TOKEN:
	case KVMI_GET_MAX_GFN:
	case KVMI_GET_NEXT_AVAILABLE_GFN:
	case KVMI_DISABLE_VE:
	case KVMI_GET_EPT_VIEW:
	case KVMI_CREATE_EPT_VIEW:
		return 0;
	case KVMI_CHECK_COMMAND: {
		struct kvmi_check_command c = { .id = KVMI_READ_PHYSICAL };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CHECK_EVENT: {
		struct kvmi_check_event c = { .id = KVMI_EVENT_HYPERCALL };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_PAUSE_VCPU: {
		struct kvmi_pause_vcpu c = { .wait = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CONTROL_VM_EVENTS: {
		struct kvmi_control_vm_events c = {
			.event_id = KVMI_EVENT_UNHOOK, .enable = 1,
		};

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CONTROL_EVENTS: {
		struct kvmi_control_events c = {
			.event_id = KVMI_EVENT_HYPERCALL, .enable = 1,
		};

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CONTROL_CR: {
		struct kvmi_control_cr c = { .enable = 1, .cr = 4 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CONTROL_MSR: {
		struct kvmi_control_msr c = { .enable = 1, .msr = 0xc0000082 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_GET_REGISTERS: {
		/* EFER and LSTAR. */
		struct kvmi_get_registers c = { .nmsrs = 2 };
		__u32 idx[2] = { 0xc0000080, 0xc0000082 };

		put(p, &c, sizeof(c));
		put(p + sizeof(c), idx, sizeof(idx));
		return sizeof(c) + sizeof(idx);
	}
	case KVMI_SET_REGISTERS: {
		struct kvm_regs r = { .rip = 0x1000, .rsp = 0x8000,
				      .rflags = 2 };

		put(p, &r, sizeof(r));
		return sizeof(r);
	}
	case KVMI_GET_CPUID: {
		struct kvmi_get_cpuid c = { .function = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_READ_PHYSICAL: {
		struct kvmi_read_physical c = { .gpa = 0x1000, .size = 16 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_WRITE_PHYSICAL: {
		struct kvmi_write_physical c = { .gpa = 0x1000, .size = 4 };
		static const unsigned char data[4] = { 0xde, 0xad, 0xbe, 0xef };

		put(p, &c, sizeof(c));
		put(p + sizeof(c), data, sizeof(data));
		return sizeof(c) + sizeof(data);
	}
	case KVMI_INJECT_EXCEPTION: {
		struct kvmi_inject_exception c = { .nr = 14, .error_code = 2,
						   .address = 0x1000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_GET_PAGE_ACCESS: {
		struct kvmi_get_page_access c = { .count = 1 };
		__u64 gpa = 0x1000;

		put(p, &c, sizeof(c));
		put(p + sizeof(c), &gpa, sizeof(gpa));
		return sizeof(c) + sizeof(gpa);
	}
	case KVMI_SET_PAGE_ACCESS: {
		struct kvmi_set_page_access c = { .count = 2 };
		struct kvmi_page_access_entry e[2] = {
			{ .gpa = 0x1000, .access = KVMI_PAGE_ACCESS_R |
						   KVMI_PAGE_ACCESS_X },
			{ .gpa = 0x2000, .access = KVMI_PAGE_ACCESS_R |
						   KVMI_PAGE_ACCESS_W |
						   KVMI_PAGE_ACCESS_X },
		};

		put(p, &c, sizeof(c));
		put(p + sizeof(c), e, sizeof(e));
		return sizeof(c) + sizeof(e);
	}
	case KVMI_GET_MTRR_TYPE: {
		struct kvmi_get_mtrr_type c = { .gpa = 0xfee00000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CONTROL_SPP: {
		struct kvmi_control_spp c = { .enable = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_GET_PAGE_WRITE_BITMAP: {
		struct kvmi_get_page_write_bitmap c = { .count = 1 };
		__u64 gpa = 0x1000;

		put(p, &c, sizeof(c));
		put(p + sizeof(c), &gpa, sizeof(gpa));
		return sizeof(c) + sizeof(gpa);
	}
	case KVMI_SET_PAGE_WRITE_BITMAP: {
		struct kvmi_set_page_write_bitmap c = { .count = 1 };
		struct kvmi_page_write_bitmap_entry e = {
			.gpa = 0x1000, .bitmap = 0xffff0000,
		};

		put(p, &c, sizeof(c));
		put(p + sizeof(c), &e, sizeof(e));
		return sizeof(c) + sizeof(e);
	}
	case KVMI_CONTROL_CMD_RESPONSE: {
		struct kvmi_control_cmd_response c = { .enable = 1, .now = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_SET_VE_INFO_PAGE: {
		struct kvmi_set_ve_info_page c = { .gpa = 0x3000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_SET_EPT_PAGE_CONV: {
		struct kvmi_set_ept_page_conv_req c = { .view = 1, .sve = 1,
							.gpa = 0x1000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_SWITCH_EPT_VIEW: {
		struct kvmi_switch_ept_view_req c = { .view = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_TRANSLATE_GVA: {
		struct kvmi_vcpu_translate_gva c = { .gva = 0xffffffff81000000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_CONTROL_EPT_VIEW: {
		struct kvmi_control_ept_view_req c = { .view = 1, .visible = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_GET_XCR: {
		struct kvmi_vcpu_get_xcr c = { .xcr = 0 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_SET_XSAVE: {
		/*
		 * struct kvm_xsave: the legacy area with MXCSR at its reset
		 * value (offset 24), the XSAVE header saying x87 and SSE
		 * state are present (XSTATE_BV at offset 512).
		 */
		struct kvm_xsave x = { };
		__u32 mxcsr = 0x1f80;
		__u64 xstate_bv = 3;

		memcpy((unsigned char *)x.region + 24, &mxcsr, sizeof(mxcsr));
		memcpy((unsigned char *)x.region + 512, &xstate_bv,
		       sizeof(xstate_bv));
		put(p, &x, sizeof(x));
		return sizeof(x);
	}
	case KVMI_QUERY_PHYSICAL: {
		struct kvmi_query_physical c = { .gfn = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_ALLOC_GFN: {
		struct kvmi_vcpu_alloc_gfn c = { .gfn = 0x100000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_FREE_GFN: {
		struct kvmi_vcpu_free_gfn c = { .gfn = 0x100000 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_DESTROY_EPT_VIEW: {
		struct kvmi_destroy_ept_view c = { .view = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_CHANGE_GFN: {
		struct kvmi_vcpu_change_gfn c = { .view = 1, .old_gfn = 1,
						  .new_gfn = 2 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	case KVMI_VCPU_CONTROL_SINGLESTEP: {
		struct kvmi_vcpu_control_singlestep c = { .enable = 1 };

		put(p, &c, sizeof(c));
		return sizeof(c);
	}
	}
	return -1;
}

/* Builds the command @id with sequence number @seq into @m. */
static void build_cmd(unsigned int id, unsigned int seq, struct msg *m)
{
	const struct kvmi_proto_rule *rule = kvmi_proto_cmd_rule(id);
	unsigned char fixed[KVMI_PROTO_MAX_FIXED];
	size_t off = 0;
	int len;

	memset(m, 0, sizeof(*m));
	if (rule->scope == KVMI_PROTO_VCPU)
		off = sizeof(struct kvmi_vcpu_hdr);
	len = fill(id, m->body + off);
	if (len < 0)
		die("a command of the rule table without a filler", id);
	if (!cmd_names[id])
		die("a command of the rule table without a name", id);

	m->hdr.id = id;
	m->hdr.size = off + len;
	m->hdr.seq = seq;
	if (m->hdr.size < rule->fixed)
		die("the fixed part is longer than the filler's payload", id);
	if (kvmi_proto_check_hdr(&m->hdr) ||
	    kvmi_proto_check_body(rule, m->body, m->hdr.size, fixed))
		die("proto.c rejects the message", id);
}

static void build_reply(unsigned int i, unsigned int seq, struct msg *m)
{
	struct kvmi_event_reply r = {
		.action = KVMI_EVENT_ACTION_CONTINUE,
		.event = replies[i].id,
	};
	size_t len = sizeof(struct kvmi_vcpu_hdr) + sizeof(r) +
		     replies[i].data;
	unsigned char *data = m->body + sizeof(struct kvmi_vcpu_hdr) +
			      sizeof(r);
	__u64 val;

	memset(m, 0, sizeof(*m));
	m->hdr.id = KVMI_EVENT_REPLY;
	m->hdr.size = len;
	m->hdr.seq = seq;
	put(m->body + sizeof(struct kvmi_vcpu_hdr), &r, sizeof(r));
	switch (replies[i].id) {
	case KVMI_EVENT_CR:
		val = 0x3506f0;	/* a CR4 value */
		put(data, &val, sizeof(val));
		break;
	case KVMI_EVENT_MSR:
		val = 0xffffffff81a00080;	/* an LSTAR value */
		put(data, &val, sizeof(val));
		break;
	}
	if (kvmi_proto_check_reply(m->body, len) != (int)replies[i].data)
		die("proto.c rejects the event reply", replies[i].id);
}

static FILE *create(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void append(FILE *f, const struct msg *m)
{
	if (fwrite(m, sizeof(m->hdr) + m->hdr.size, 1, f) != 1) {
		perror("write");
		exit(1);
	}
}

static void done(FILE *f)
{
	if (fclose(f)) {
		perror("close");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static struct msg m;
	unsigned int id, i, n = 0, seq = 1;
	char name[128];
	FILE *all, *f;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 2;
	}
	outdir = argv[1];

	/* One command per file, and all of them in one session. */
	all = create("session-every-command");
	for (id = 0; id < KVMI_NUM_MESSAGES; id++) {
		if (!kvmi_proto_cmd_rule(id))
			continue;
		build_cmd(id, seq++, &m);
		snprintf(name, sizeof(name), "cmd-%02u-%s", id, cmd_names[id]);
		f = create(name);
		append(f, &m);
		done(f);
		append(all, &m);
		n++;
	}
	done(all);

	for (i = 0; i < ARRAY_SIZE(replies); i++) {
		build_reply(i, seq++, &m);
		snprintf(name, sizeof(name), "reply-%02u-%s", replies[i].id,
			 replies[i].name);
		f = create(name);
		append(f, &m);
		done(f);
		n++;
	}

	/*
	 * Replies off (now), a command without reply data, then one with
	 * reply data: the module ends such a session.
	 */
	f = create("session-replies-off");
	build_cmd(KVMI_CONTROL_CMD_RESPONSE, seq++, &m);
	m.body[0] = 0;	/* enable */
	append(f, &m);
	build_cmd(KVMI_WRITE_PHYSICAL, seq++, &m);
	append(f, &m);
	build_cmd(KVMI_GET_VERSION, seq++, &m);
	append(f, &m);
	done(f);

	printf("mkcorpus: %u messages, 2 sessions in %s\n", n, outdir);
	return 0;
}
