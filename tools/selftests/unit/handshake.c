// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvmic library without KVM: QEMU's handshake between a device
 * manager and a tool over a socket pair (good, short, oversized, too
 * large, silent peer, cookie), SHA-1 against FIPS 180 test vectors, and
 * the framing of commands, replies and events against a fake kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmic.h"
#include "tap.h"

static int pair[2];

static void new_pair(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) {
		perror("socketpair");
		exit(1);
	}
}

static void close_pair(void)
{
	close(pair[0]);
	close(pair[1]);
}

static const char *hex(const uint8_t *p, size_t n)
{
	static char buf[128];
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	return buf;
}

static void test_sha1(void)
{
	static const struct {
		const char *in;
		const char *out;
	} v[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	uint8_t h[20];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		kvmic_sha1(v[i].in, strlen(v[i].in), h);
		tap(!strcmp(hex(h, 20), v[i].out), "sha1 vector %zu", i);
	}
}

/* The device manager's side sends @info; the tool answers with @hash. */
static void test_good(void)
{
	struct kvmic_vm_info info = { .struct_size = sizeof(info),
				      .start_time = 1234 }, got;
	uint8_t hash[20], back[20];
	pid_t pid;
	int status;

	snprintf(info.name, sizeof(info.name), "guest-1");
	memset(hash, 0xab, sizeof(hash));
	new_pair();
	pid = fork();
	if (!pid)
		_exit(kvmic_handshake_vmm(pair[0], &info, back, 2000) ||
		      memcmp(back, hash, 20));
	TAP_EQ(kvmic_handshake_tool(pair[1], &got, hash, 2000), 0,
	       "good handshake accepted");
	waitpid(pid, &status, 0);
	TAP_EQ(WEXITSTATUS(status), 0, "the VMM side got the cookie hash");
	tap(!strcmp(got.name, "guest-1") && got.start_time == 1234,
	    "name and start time carried");
	close_pair();
}

/* Send @size (with @len bytes in all) and see what the tool says. */
static int tool_gets(uint32_t size, size_t len, int timeout_ms)
{
	char buf[256 + KVMIC_HANDSHAKE_MAX];
	struct kvmic_vm_info got;
	int err;

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, &size, sizeof(size));
	new_pair();
	if (len && write(pair[0], buf, len) != (ssize_t)len)
		return -EIO;
	err = kvmic_handshake_tool(pair[1], &got, NULL, timeout_ms);
	close_pair();
	return err;
}

static void test_bad(void)
{
	TAP_EQ(tool_gets(KVMIC_INFO_MIN - 1, KVMIC_INFO_MIN - 1, 500), -EPROTO,
	       "a structure shorter than the name is refused");
	TAP_EQ(tool_gets(KVMIC_INFO_MIN, KVMIC_INFO_MIN, 500), 0,
	       "an old structure without name is accepted");
	TAP_EQ(tool_gets(sizeof(struct kvmic_vm_info) + 100,
			 sizeof(struct kvmic_vm_info) + 100, 500), 0,
	       "a newer, longer structure is accepted, the rest skipped");
	TAP_EQ(tool_gets(KVMIC_HANDSHAKE_MAX + 1, 4, 500), -EPROTO,
	       "a structure over 64 KiB is refused");
	TAP_EQ(tool_gets(sizeof(struct kvmic_vm_info), 20, 300), -ETIMEDOUT,
	       "a truncated structure times out");
	TAP_EQ(tool_gets(0, 0, 300), -ETIMEDOUT, "a silent peer times out");
}

/* A fake kernel: reads one command, sends an event, then the reply. */
static void test_framing(void)
{
	struct kvmic c;
	struct kvmic_event e;
	struct kvmi_get_version_reply v;
	pid_t pid;
	int status;

	new_pair();
	pid = fork();
	if (!pid) {
		struct kvmi_msg_hdr h;
		struct {
			struct kvmi_msg_hdr h;
			struct kvmi_event ev;
		} evm = { .h = { .id = KVMI_EVENT, .size = sizeof(evm.ev),
				 .seq = 7 },
			  .ev = { .size = sizeof(evm.ev), .vcpu = 1,
				  .event = KVMI_EVENT_PAUSE_VCPU } };
		struct {
			struct kvmi_msg_hdr h;
			struct kvmi_error_code ec;
			struct kvmi_get_version_reply v;
		} rpl = { .h = { .id = KVMI_GET_VERSION,
				 .size = sizeof(rpl) - sizeof(rpl.h) },
			  .v = { .version = KVMI_VERSION } };

		if (read(pair[0], &h, sizeof(h)) != sizeof(h) ||
		    h.id != KVMI_GET_VERSION || h.size)
			_exit(1);
		rpl.h.seq = h.seq;
		if (write(pair[0], &evm, sizeof(evm)) != sizeof(evm) ||
		    write(pair[0], &rpl, sizeof(rpl)) != sizeof(rpl))
			_exit(2);
		/* the event's reply */
		if (read(pair[0], &h, sizeof(h)) != sizeof(h) ||
		    h.id != KVMI_EVENT_REPLY || h.seq != 7)
			_exit(3);
		_exit(0);
	}
	close(pair[0]);		/* the child's end only */
	kvmic_init(&c, pair[1]);
	TAP_EQ(kvmic_request(&c, KVMI_GET_VERSION, NULL, 0, &v, sizeof(v),
			     NULL), 0, "a command's reply found past an event");
	TAP_EQ(v.version, KVMI_VERSION, "the reply's data");
	TAP_EQ(kvmic_next_event(&c, &e, 1000), 1, "the event was kept");
	tap(e.ev.vcpu == 1 && e.ev.event == KVMI_EVENT_PAUSE_VCPU &&
	    e.hdr.seq == 7 && !e.payload_len, "the event's fields");
	TAP_EQ(kvmic_reply(&c, &e, KVMI_EVENT_ACTION_CONTINUE, NULL, 0), 0,
	       "event reply sent");
	waitpid(pid, &status, 0);
	TAP_EQ(WEXITSTATUS(status), 0, "the fake kernel saw what it expected");
	TAP_EQ(kvmic_next_event(&c, &e, 100), -EPIPE,
	       "the peer's close is reported");
	kvmic_close(&c);
}

/* QEMU's layouts (include/sysemu/vmi-handshake.h of the KVM-VMI QEMU). */
static void test_layout(void)
{
	TAP_EQ(offsetof(struct kvmic_vm_info, uuid), 4, "vm_info.uuid at 4");
	TAP_EQ(offsetof(struct kvmic_vm_info, start_time), 24,
	       "vm_info.start_time at 24");
	TAP_EQ(offsetof(struct kvmic_vm_info, name), 32, "vm_info.name at 32");
	TAP_EQ(offsetof(struct kvmic_vm_info, max_gpa), 96,
	       "vm_info.max_gpa at 96");
	TAP_EQ(sizeof(struct kvmic_vm_info), 104, "vm_info is 104 bytes");
	TAP_EQ(sizeof(struct kvmic_cookie), 24, "cookie is 24 bytes");
}

int main(void)
{
	test_layout();
	test_sha1();
	test_good();
	test_bad();
	test_framing();
	return tap_done();
}
