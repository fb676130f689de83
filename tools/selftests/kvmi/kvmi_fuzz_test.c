// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_fuzz_test: random and mutated frames at a hooked VM, for a bounded
 * time (KVMI_FUZZ_SECONDS, default 30), while its vCPU runs and raises
 * HYPERCALL events.  Frames: commands of every id with their own fixed
 * size or a wrong one, random bytes, wrong padding, bad vCPU numbers;
 * random headers (ids, sizes past KVMI_MSG_SIZE, seq); messages split
 * over several writes; messages cut short by closing the socket; event
 * replies for no pending event, duplicated, with bad actions or sizes.
 * When kvmi ends a session (as it must for framing errors), the VM is
 * hooked again.  Afterwards the VM still runs to its end, a fresh hook
 * works, and no context is left; the test VM's log is checked for kernel
 * reports by the runner.
 *
 * Commands that would legitimately break the guest (writing its memory
 * or registers, injecting exceptions) are denied, and no reply says
 * CRASH: the guest must survive anything else.  The random stream is
 * seeded from KVMI_FUZZ_SEED (printed) to replay a run.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"
#include "proto.h"

static vm_vaddr_t flag_gva;

static void guest_code(void)
{
	uint64_t ret, n = 0;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva)) {
		asm volatile("vmmcall" : "=a"(ret)
			     : "a"(34ul), "D"(24ul), "S"(0ul) : "memory");
		n++;
	}
	GUEST_SYNC_ARGS(1, n, 0, 0, 0);
	GUEST_DONE();
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint32_t pick(uint32_t n)
{
	return rnd() % n;
}

static const uint16_t denied[] = {
	KVMI_WRITE_PHYSICAL, KVMI_SET_REGISTERS, KVMI_VCPU_SET_XSAVE,
	KVMI_INJECT_EXCEPTION,
};

static struct {
	unsigned long frames, sessions, events, replies, bytes;
} st;

static struct kvm_vm *vm;

static void hook(struct kvmi_tool *tool)
{
	unsigned int i;

	kvmi_hook(vm, tool);
	kvmi_allow_all(vm);
	for (i = 0; i < ARRAY_SIZE(denied); i++)
		CHECK_EQ(kvmi_feature(vm, false, 0, denied[i]), 0);
	st.sessions++;
}

static bool send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	st.bytes += p - (const uint8_t *)buf;
	return true;
}

/* A frame: header, then a body of @len bytes. */
static uint8_t frame[sizeof(struct kvmi_msg_hdr) + 2 * KVMI_MSG_SIZE];

static size_t make_command(void)
{
	struct kvmi_msg_hdr *hdr = (void *)frame;
	uint8_t *body = frame + sizeof(*hdr);
	const struct kvmi_proto_rule *rule;
	size_t len, i;
	uint16_t id;

	do
		id = pick(KVMI_NUM_MESSAGES);
	while (!kvmi_cmd_is_defined(id));
	rule = kvmi_proto_cmd_rule(id);
	len = rule ? rule->fixed : 0;
	switch (pick(4)) {
	case 0:
		len = pick(len + 32);		/* short or long */
		break;
	case 1:
		len += pick(64) * 8;		/* a variable tail */
		break;
	}
	for (i = 0; i < len; i++)
		body[i] = pick(3) ? 0 : rnd();	/* mostly zero: paddings */
	if (rule && rule->scope == KVMI_PROTO_VCPU && len >= 2) {
		static const uint16_t vcpus[] = { 0, 0, 0, 1, 0xffff };

		memcpy(body, &vcpus[pick(ARRAY_SIZE(vcpus))], 2);
	}
	hdr->id = id;
	hdr->size = len;
	hdr->seq = rnd();
	return sizeof(*hdr) + len;
}

static size_t make_random_header(void)
{
	struct kvmi_msg_hdr *hdr = (void *)frame;
	size_t len, i;

	hdr->id = pick(4) ? pick(KVMI_NUM_MESSAGES + 8) : rnd();
	len = pick(8) ? pick(300) : pick(2 * KVMI_MSG_SIZE);
	hdr->size = len;
	hdr->seq = rnd();
	for (i = 0; i < len; i++)
		frame[sizeof(*hdr) + i] = rnd();
	return sizeof(*hdr) + len;
}

/* The last event seen, to reply to (rightly, twice, or wrongly). */
static struct {
	bool valid;
	uint32_t seq;
	uint16_t vcpu;
	uint8_t event;
} last_ev;

static size_t make_reply(void)
{
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply er;
		uint8_t tail[64];
	} *m = (void *)frame;
	static const uint8_t actions[] = {
		KVMI_EVENT_ACTION_CONTINUE, KVMI_EVENT_ACTION_CONTINUE,
		KVMI_EVENT_ACTION_RETRY, 3, 0x7f, 0xff,
	};
	size_t len = sizeof(m->vh) + sizeof(m->er);

	memset(m, 0, sizeof(*m));
	m->hdr.id = KVMI_EVENT_REPLY;
	m->hdr.seq = last_ev.valid && pick(4) ? last_ev.seq : rnd();
	m->vh.vcpu = last_ev.valid && pick(4) ? last_ev.vcpu : pick(3);
	m->er.event = last_ev.valid && pick(4) ? last_ev.event : pick(16);
	m->er.action = actions[pick(ARRAY_SIZE(actions))];
	if (!pick(4))
		len = pick(len + sizeof(m->tail));
	if (!pick(8))
		m->er.padding1 = 1;
	m->hdr.size = len;
	st.replies++;
	return sizeof(m->hdr) + len;
}

/* Read what kvmi sent; remember an event.  False once the peer closed. */
static bool drain(int fd)
{
	static uint8_t buf[1 << 16];
	static size_t have;
	struct kvmi_msg_hdr hdr;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf + have, sizeof(buf) - have, MSG_DONTWAIT);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		have += n;
		while (have >= sizeof(hdr)) {
			size_t whole;

			memcpy(&hdr, buf, sizeof(hdr));
			whole = sizeof(hdr) + hdr.size;
			if (whole > sizeof(buf))
				return false;	/* not kvmi's */
			if (have < whole)
				break;
			if (hdr.id == KVMI_EVENT &&
			    hdr.size >= sizeof(struct kvmi_event)) {
				const struct kvmi_event *ev =
					(const void *)(buf + sizeof(hdr));

				last_ev.valid = true;
				last_ev.seq = hdr.seq;
				last_ev.vcpu = ev->vcpu;
				last_ev.event = ev->event;
				st.events++;
			}
			memmove(buf, buf + whole, have - whole);
			have -= whole;
		}
	}
}

static void fuzz_once(struct kvmi_tool *tool)
{
	size_t len, cut;

	switch (pick(8)) {
	case 0:
		len = make_random_header();
		break;
	case 1:
	case 2:
		len = make_reply();
		break;
	default:
		len = make_command();
		break;
	}
	st.frames++;
	if (!pick(64)) {
		/* cut short: the tool goes away mid-message */
		send_all(tool->fd, frame, pick(len));
		close(tool->fd);
		tool->fd = -1;
		return;
	}
	if (!pick(16)) {
		/* split over two writes */
		cut = pick(len);
		if (send_all(tool->fd, frame, cut)) {
			usleep(pick(2000));
			send_all(tool->fd, frame + cut, len - cut);
		}
	} else {
		send_all(tool->fd, frame, len);
	}
	if (!drain(tool->fd)) {
		close(tool->fd);
		tool->fd = -1;
	}
}

static void test_random_frames(void)
{
	const char *secs = getenv("KVMI_FUZZ_SECONDS");
	const char *seed = getenv("KVMI_FUZZ_SEED");
	struct kvmi_get_version_reply ver;
	struct kvmi_runner runner;
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	time_t end;

	rnd_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL);
	rnd_state |= 1;
	printf("# seed %#llx (KVMI_FUZZ_SEED to replay)\n",
	       (unsigned long long)rnd_state);
	end = time(NULL) + (secs ? atoi(secs) : 30);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	flag_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, flag_gva);
	kvmi_runner_start(&runner, vcpu);
	hook(&tool);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 1), 0);

	while (time(NULL) < end) {
		if (tool.fd < 0) {
			CHECK(kvmi_wait_hooked(0, 10000),
			      "a closed session stays hooked");
			hook(&tool);
			if (pick(2))
				kvmi_control_events(&tool, 0,
						    KVMI_EVENT_HYPERCALL, 1);
		}
		fuzz_once(&tool);
	}
	printf("# %lu frames (%lu bytes), %lu sessions, %lu events seen, %lu replies sent\n",
	       st.frames, st.bytes, st.sessions, st.events, st.replies);

	/* the VM runs to its end once introspection stops */
	CHECK_EQ(kvmi_unhook(vm), 0);
	if (tool.fd >= 0)
		close(tool.fd);
	*(uint64_t *)addr_gva2hva(vm, flag_gva) = 1;
	kvmi_runner_join(&runner);
	CHECK(runner.report[0] > 0, "the guest made no hypercall");

	/* a fresh hook works */
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver, sizeof(ver)),
		 0);
	CHECK_EQ(kvmi_unhook(vm), 0);
	CHECK(kvmi_wait_count("contexts", 0, 10000), "contexts left");
	CHECK(st.sessions > 1, "kvmi never ended a session");
}

static const struct kvmi_test tests[] = {
	{ "random_frames", test_random_frames },
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
