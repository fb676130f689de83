// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_scale_bench: how kvmi scales, side by side in one run.
 *
 * - pause: KVMI_PAUSE_VCPU for all 8 vCPUs of a VM (each busy in its
 *   guest), until the 8 PAUSE_VCPU events arrived; the p50 of ROUNDS
 *   rounds divided by the p50 of one HYPERCALL event round trip measured
 *   here too.  The requests go as libkvmi's kvmi_pause_all_vcpus() sends
 *   them: one write holding CONTROL_CMD_RESPONSE (off, now), the 8
 *   PAUSE_VCPU and CONTROL_CMD_RESPONSE (on, now), so one reply.  Again
 *   with the 8 vCPUs halted (an idle guest), in a child process, since
 *   halted vCPUs never finish.
 * - scaling: events per second with 1, 2, 4 and 8 vCPUs raising HYPERCALL
 *   events at once, one null tool answering them all.
 * - many VMs: 16 VMs of one vCPU each, hooked by 16 sessions of one tool
 *   thread, all raising events: aggregate events per second, and the
 *   kernel memory (slab + vmalloc) each hooked VM costs.
 *
 * Under TCG with one CPU, the scaling figures show kvmi's overhead per
 * added vCPU or VM, not parallel speed-up.  Prints "BENCH ..." lines.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define MAX_VCPUS	8
#define NR_VMS		16
#define ROUNDS		50
#define HC_ROUNDS	2000
#define SECONDS		2

static vm_vaddr_t flag_gva;

/*
 * The flag says: 0 spin, 1 hypercall events, 2 stop, 3 halt for good
 * (KVM keeps a halted vCPU halted after a PAUSE_VCPU event).
 */
static void guest_code(void)
{
	uint64_t ret, *flag = (uint64_t *)flag_gva;

	GUEST_SYNC(0);
	for (;;) {
		uint64_t f = READ_ONCE(*flag);

		if (f == 2)
			break;
		if (f == 3)
			asm volatile("cli; hlt");
		if (f == 1)
			asm volatile("vmmcall" : "=a"(ret) : "a"(34ul),
				     "D"(24ul), "S"(0ul) : "memory");
	}
	GUEST_DONE();
}

struct bvm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	struct kvmi_runner runners[MAX_VCPUS];
	struct kvmi_tool tool;
	vm_vaddr_t flag;
	int n;
};

static void bvm_start(struct bvm *b, int n)
{
	int i;

	b->n = n;
	b->vm = vm_create_with_vcpus(n, guest_code, b->vcpus);
	b->flag = vm_vaddr_alloc_page(b->vm);
	flag_gva = b->flag;
	sync_global_to_guest(b->vm, flag_gva);
	kvmi_hook(b->vm, &b->tool);
	kvmi_allow_all(b->vm);
	for (i = 0; i < n; i++)
		kvmi_runner_start(&b->runners[i], b->vcpus[i]);
}

static void set_flag(struct bvm *b, uint64_t v)
{
	*(uint64_t *)addr_gva2hva(b->vm, b->flag) = v;
}

static void reply(struct kvmi_tool *tool, const struct kvmi_msg_hdr *hdr,
		  const struct kvmi_event *ev)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
	} rpl = {
		.vh = { .vcpu = ev->vcpu },
		.r = { .action = KVMI_EVENT_ACTION_CONTINUE,
		       .event = ev->event },
	};

	kvmi_send(tool, KVMI_EVENT_REPLY, hdr->seq, &rpl, sizeof(rpl));
}

/*
 * Receive one event (those read while a command's reply was due come
 * first); answer it.
 */
static void answer_one(struct kvmi_tool *tool)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;

	CHECK(kvmi_next_event(tool, &hdr, &ev, 20000) >= 0, "no event");
	reply(tool, &hdr, &ev);
}

static void bvm_stop(struct bvm *b)
{
	int i;

	CHECK_EQ(kvmi_unhook(b->vm), 0);
	set_flag(b, 2);
	for (i = 0; i < b->n; i++)
		kvmi_runner_join(&b->runners[i]);
	close(b->tool.fd);
	kvm_vm_free(b->vm);
}

static void enable_hc(struct bvm *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		CHECK_EQ(kvmi_control_events(&b->tool, i, KVMI_EVENT_HYPERCALL,
					     1), 0);
}

/* p50 of one HYPERCALL event round trip (one vCPU). */
static uint64_t hc_roundtrip(void)
{
	static uint64_t ns[HC_ROUNDS];
	struct bvm b;
	uint64_t t0, t1;
	int i;

	bvm_start(&b, 1);
	enable_hc(&b);
	set_flag(&b, 1);
	answer_one(&b.tool);
	t0 = kvmi_now_ns();
	for (i = 0; i < HC_ROUNDS; i++) {
		answer_one(&b.tool);
		t1 = kvmi_now_ns();
		ns[i] = t1 - t0;
		t0 = t1;
	}
	bvm_stop(&b);
	return kvmi_percentile(ns, HC_ROUNDS, 50);
}

/* Append one message to @buf at @off; return the new end. */
static size_t put_msg(uint8_t *buf, size_t off, uint16_t id, uint32_t seq,
		      const void *body, uint16_t len)
{
	struct kvmi_msg_hdr hdr = { .id = id, .size = len, .seq = seq };

	memcpy(buf + off, &hdr, sizeof(hdr));
	memcpy(buf + off + sizeof(hdr), body, len);
	return off + sizeof(hdr) + len;
}

/* Replies off, PAUSE_VCPU for every vCPU, replies on: one write. */
static void pause_batch(struct kvmi_tool *tool, uint32_t seq)
{
	struct kvmi_control_cmd_response off = { .enable = 0, .now = 1 };
	struct kvmi_control_cmd_response on = { .enable = 1, .now = 1 };
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_pause_vcpu p;
	} pause = { };
	static uint8_t buf[1024];
	size_t len;
	int i;

	len = put_msg(buf, 0, KVMI_CONTROL_CMD_RESPONSE, seq++, &off,
		      sizeof(off));
	for (i = 0; i < MAX_VCPUS; i++) {
		pause.vh.vcpu = i;
		len = put_msg(buf, len, KVMI_PAUSE_VCPU, seq++, &pause,
			      sizeof(pause));
	}
	len = put_msg(buf, len, KVMI_CONTROL_CMD_RESPONSE, seq, &on,
		      sizeof(on));
	CHECK(write(tool->fd, buf, len) == (ssize_t)len, "batch write");
}

/*
 * p50 of pausing all 8 vCPUs: the batch written until its one reply and
 * the 8 events were received.  @halted: the guests halt first.
 */
static uint64_t pause_rounds(bool halted)
{
	static uint64_t ns[ROUNDS];
	static char body[KVMI_MSG_SIZE];
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct bvm b;
	int r, events, replies;

	bvm_start(&b, MAX_VCPUS);
	if (halted) {
		set_flag(&b, 3);
		usleep(200000);
	}
	for (r = 0; r < ROUNDS; r++) {
		uint64_t t0 = kvmi_now_ns();

		ns[r] = 0;
		pause_batch(&b.tool, 0x20000 + r * 16);
		for (events = replies = 0; events < MAX_VCPUS || !replies;) {
			CHECK(!kvmi_recv(&b.tool, &hdr, body, sizeof(body),
					 20000), "round %d: %d events", r, events);
			if (hdr.id == KVMI_CONTROL_CMD_RESPONSE) {
				CHECK_EQ(*(int32_t *)body, 0);
				replies++;
				continue;
			}
			CHECK_EQ(hdr.id, KVMI_EVENT);
			memcpy(&ev, body, sizeof(ev));
			CHECK_EQ(ev.event, KVMI_EVENT_PAUSE_VCPU);
			if (++events == MAX_VCPUS && replies)
				ns[r] = kvmi_now_ns() - t0;
			reply(&b.tool, &hdr, &ev);
		}
		if (!ns[r])
			ns[r] = kvmi_now_ns() - t0;
		CHECK_EQ(replies, 1);
	}
	if (!halted)
		bvm_stop(&b);
	return kvmi_percentile(ns, ROUNDS, 50);
}

/* The halted vCPUs stay in KVM_RUN: the child's exit ends them. */
static uint64_t pause_all_halted(void)
{
	uint64_t v = 0;
	int fd[2], status;
	pid_t pid;

	CHECK(!pipe(fd), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		v = pause_rounds(true);
		_exit(write(fd[1], &v, sizeof(v)) != sizeof(v));
	}
	close(fd[1]);
	CHECK(read(fd[0], &v, sizeof(v)) == sizeof(v), "halted pause failed");
	close(fd[0]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "halted pause child");
	return v;
}

/* Events per second with @n vCPUs raising them. */
static double events_per_s(int n)
{
	struct bvm b;
	uint64_t end, t0;
	long events = 0;

	bvm_start(&b, n);
	enable_hc(&b);
	set_flag(&b, 1);
	t0 = kvmi_now_ns();
	end = t0 + SECONDS * 1000000000ull;
	while (kvmi_now_ns() < end) {
		answer_one(&b.tool);
		events++;
	}
	t0 = kvmi_now_ns() - t0;
	/* the vCPUs waiting now are released by the unhook */
	bvm_stop(&b);
	return events / (t0 / 1e9);
}

/* 16 hooked VMs, one tool thread polling their sessions. */
static void many_vms(double *rate, double *kb_per_vm)
{
	static struct bvm b[NR_VMS];
	struct pollfd pfd[NR_VMS];
	uint64_t t0, end;
	long events = 0, kb0, kb1;
	int i;

	for (i = 0; i < NR_VMS; i++) {
		b[i].n = 1;
		b[i].vm = vm_create_with_vcpus(1, guest_code, b[i].vcpus);
		b[i].flag = vm_vaddr_alloc_page(b[i].vm);
		flag_gva = b[i].flag;
		sync_global_to_guest(b[i].vm, flag_gva);
	}
	kb0 = kvmi_kernel_kb();
	for (i = 0; i < NR_VMS; i++) {
		kvmi_hook(b[i].vm, &b[i].tool);
		kvmi_allow_all(b[i].vm);
	}
	kb1 = kvmi_kernel_kb();
	*kb_per_vm = (double)(kb1 - kb0) / NR_VMS;
	for (i = 0; i < NR_VMS; i++) {
		kvmi_runner_start(&b[i].runners[0], b[i].vcpus[0]);
		enable_hc(&b[i]);
		set_flag(&b[i], 1);
		pfd[i] = (struct pollfd){ .fd = b[i].tool.fd, .events = POLLIN };
	}
	t0 = kvmi_now_ns();
	end = t0 + SECONDS * 1000000000ull;
	while (kvmi_now_ns() < end) {
		CHECK(poll(pfd, NR_VMS, 20000) > 0, "no event from any VM");
		for (i = 0; i < NR_VMS; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			answer_one(&b[i].tool);
			events++;
		}
	}
	*rate = events / ((kvmi_now_ns() - t0) / 1e9);
	for (i = 0; i < NR_VMS; i++)
		bvm_stop(&b[i]);
}

/* The two BENCH lines of one pause figure (@kind: "" or "halted_"). */
static void print_pause(const char *kind, uint64_t ns, uint64_t hc,
			const char *target)
{
	printf("BENCH pause_8_%svcpus_p50_ns %llu ns target none\n", kind,
	       (unsigned long long)ns);
	printf("BENCH pause_8_%svcpus_vs_hc_roundtrip_ratio %.2f x target %s\n",
	       kind, (double)ns / hc, target);
	fflush(stdout);
}

int main(void)
{
	static const int counts[] = { 1, 2, 4, 8 };
	double rate[4], vms_rate, kb;
	uint64_t hc;
	unsigned int i;

	hc = hc_roundtrip();
	print_pause("", pause_rounds(false), hc, "<= 4");
	print_pause("halted_", pause_all_halted(), hc, "none");
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		rate[i] = events_per_s(counts[i]);
		printf("BENCH events_per_s_%d_vcpus %.0f events/s target none\n",
		       counts[i], rate[i]);
		fflush(stdout);
	}
	printf("BENCH events_8_vs_1_vcpus_ratio %.2f x target none\n",
	       rate[3] / rate[0]);
	many_vms(&vms_rate, &kb);
	printf("BENCH events_per_s_16_vms %.0f events/s target none\n",
	       vms_rate);
	printf("BENCH kernel_kb_per_hooked_vm %.1f kB target none\n", kb);
	return 0;
}
