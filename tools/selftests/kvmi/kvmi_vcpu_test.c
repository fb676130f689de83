// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_vcpu_test: jobs in vCPU threads, the PAUSE_VCPU and HYPERCALL
 * events and their replies, vCPU commands, and vCPUs released when a
 * session ends.
 *
 * vCPUs run in their own threads (runner_*), as under a VMM; the test
 * is the device manager and the tool.  A hang (a vCPU never released)
 * fails through the runner's timeout: there is no timing assertion.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define MAX_VCPUS 4

static vm_vaddr_t flag_gva;		/* the guests wait for it */
static uint64_t hc_count;		/* hypercalls per vCPU (guest_hc) */

/* The hypercall that raises KVMI_EVENT_HYPERCALL (RAX 34, RDI 24, RSI 0). */
static uint64_t event_hypercall(void)
{
	uint64_t ret;

	asm volatile("vmmcall" : "=a"(ret) : "a"(34ul), "D"(24ul), "S"(0ul)
		     : "memory");
	return ret;
}

/* Every guest says hello first, so that the test knows it runs. */
static void guest_spin(void)
{
	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	GUEST_DONE();
}

static void guest_halt(void)
{
	GUEST_SYNC(0);
	for (;;)
		asm volatile("cli; hlt");
}

/* hc_count event hypercalls; reports how many did not return 0. */
static void guest_hc(void)
{
	uint64_t i, bad = 0, last = 0;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	for (i = 0; i < hc_count; i++) {
		last = event_hypercall();
		if (last)
			bad++;
	}
	GUEST_SYNC_ARGS(1, bad, last, 0, 0);
	GUEST_DONE();
}

struct runner {
	pthread_t thread;
	struct kvm_vcpu *vcpu;
	uint64_t bad, last;	/* from guest_hc */
	uint32_t exit_reason;
	bool started;
	bool done;
};

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpus[MAX_VCPUS];
static struct runner runners[MAX_VCPUS];
static void *flag_hva;

static void *runner_fn(void *arg)
{
	struct runner *r = arg;
	struct ucall uc;

	for (;;) {
		vcpu_run(r->vcpu);
		r->exit_reason = r->vcpu->run->exit_reason;
		if (r->exit_reason != KVM_EXIT_IO)
			break;
		switch (get_ucall(r->vcpu, &uc)) {
		case UCALL_SYNC:
			if (uc.args[1] == 0) {
				WRITE_ONCE(r->started, true);
				continue;
			}
			r->bad = uc.args[2];
			r->last = uc.args[3];
			continue;
		case UCALL_DONE:
			r->done = true;
			return NULL;
		default:
			return NULL;
		}
	}
	return NULL;
}

static void setup(int n, void *guest_code, struct kvmi_tool *tool)
{
	memset(runners, 0, sizeof(runners));
	vm = vm_create_with_vcpus(n, guest_code, vcpus);
	flag_gva = vm_vaddr_alloc_page(vm);
	flag_hva = addr_gva2hva(vm, flag_gva);
	sync_global_to_guest(vm, flag_gva);
	sync_global_to_guest(vm, hc_count);
	kvmi_hook(vm, tool);
	kvmi_allow_all(vm);
}

static void start_one(int i)
{
	runners[i].vcpu = vcpus[i];
	pthread_create(&runners[i].thread, NULL, runner_fn, &runners[i]);
	while (!READ_ONCE(runners[i].started))
		usleep(1000);
}

/* Start @n vCPU threads; return once every guest said hello. */
static void start(int n)
{
	int i;

	for (i = 0; i < n; i++)
		start_one(i);
}

/* Let the guests go on (past their wait for the flag). */
static void go(void)
{
	uint64_t one = 1;

	memcpy(flag_hva, &one, sizeof(one));
}

static void release_and_join(int n)
{
	int i;

	go();
	for (i = 0; i < n; i++)
		pthread_join(runners[i].thread, NULL);
}

static int xsave_cmd(struct kvmi_tool *tool, const struct kvm_xsave *xs)
{
	static struct {
		struct kvmi_vcpu_hdr vh;
		struct kvm_xsave xs;
	} msg;

	msg.xs = *xs;
	return kvmi_cmd(tool, KVMI_VCPU_SET_XSAVE, &msg, sizeof(msg), NULL, 0);
}

static int pause_vcpu(struct kvmi_tool *tool, uint16_t vcpu, uint8_t wait)
{
	struct kvmi_pause_vcpu req = { .wait = wait };

	return kvmi_vcpu_cmd(tool, KVMI_PAUSE_VCPU, vcpu, &req, sizeof(req), NULL, 0);
}

static void pause_many(struct kvmi_tool *tool, const uint16_t *vcpu, int n,
		       unsigned int *events);

static void test_get_vcpu_info(void)
{
	struct kvmi_get_vcpu_info_reply info;
	struct kvmi_vcpu_hdr bad = { .vcpu = 0, .padding1 = 1 };
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_VCPU_INFO, 0, NULL, 0, &info,
			       sizeof(info)), -KVM_EAGAIN);	/* never ran */
	start(1);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_VCPU_INFO, 0, NULL, 0, &info,
			       sizeof(info)), 0);
	CHECK(info.tsc_speed > 0, "tsc_speed 0");
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_VCPU_INFO, 1, NULL, 0, &info,
			       sizeof(info)), -KVM_EINVAL);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_VCPU_INFO, 99, NULL, 0, &info,
			       sizeof(info)), -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VCPU_INFO, &bad, sizeof(bad), &info,
			  sizeof(info)), -KVM_EINVAL);
	release_and_join(1);
	CHECK(runners[0].done, "guest did not finish");
}

static void test_pause(void)
{
	static const uint16_t twice[] = { 0, 0 };
	unsigned int events[MAX_VCPUS] = { 0 };
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(pause_vcpu(&tool, 0, 1), 0);
	kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &hdr, &ev, NULL, 0);
	CHECK_EQ(ev.vcpu, 0);
	CHECK_EQ(ev.arch.mode, 8);
	CHECK(ev.arch.regs.rip, "rip 0");
	CHECK(ev.arch.sregs.cr0 & 1, "cr0.PE clear: %llx",
	      (unsigned long long)ev.arch.sregs.cr0);
	CHECK(ev.arch.msrs.efer & (1 << 10), "efer.LMA clear");
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	/* Two requests, two events (no merging). */
	pause_many(&tool, twice, 2, events);
	CHECK_EQ(events[0], 2);
	release_and_join(1);
	CHECK(runners[0].done, "guest did not finish");
}

/* RETRY resumes a paused vCPU like CONTINUE; CRASH stops the VM. */
static void test_pause_actions(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(pause_vcpu(&tool, 0, 1), 0);
	kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &hdr, &ev, NULL, 0);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_RETRY, NULL, 0);
	CHECK_EQ(pause_vcpu(&tool, 0, 1), 0);
	kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &hdr, &ev, NULL, 0);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CRASH, NULL, 0);
	pthread_join(runners[0].thread, NULL);
	CHECK(!runners[0].done, "guest finished after CRASH");
	CHECK_EQ(runners[0].exit_reason, KVM_EXIT_SHUTDOWN);
}

static void test_pause_bad_input(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_pause_vcpu p;
	} padded = { .p = { .padding3 = 1 } };
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(pause_vcpu(&tool, 0, 2), -KVM_EINVAL);
	CHECK_EQ(pause_vcpu(&tool, 3, 0), -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_PAUSE_VCPU, &padded, sizeof(padded),
			  NULL, 0), -KVM_EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_PAUSE_VCPU), 0);
	CHECK_EQ(pause_vcpu(&tool, 0, 0), -KVM_EPERM);
	release_and_join(1);
}

static void test_pause_halted(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	setup(1, guest_halt, &tool);
	start(1);
	usleep(200000);		/* let it reach HLT */
	CHECK_EQ(pause_vcpu(&tool, 0, 1), 0);
	kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &hdr, &ev, NULL, 0);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	/* It halts again; the process exit ends it. */
}

/*
 * Replies and events interleave: send the requests at once and take the
 * messages in whatever order they come, as a tool does.  Every request
 * must be answered 0 and produce one event; each event gets CONTINUE.
 * Returns the events seen per vCPU.
 */
static void pause_many(struct kvmi_tool *tool, const uint16_t *vcpu, int n,
		       unsigned int *events)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_pause_vcpu p;
	} req = { .p = { .wait = 1 } };
	union {
		struct kvmi_error_code ec;
		struct kvmi_event ev;
	} msg;
	struct kvmi_msg_hdr hdr;
	int i, replies = 0;

	for (i = 0; i < n; i++) {
		req.vh.vcpu = vcpu[i];
		kvmi_send(tool, KVMI_PAUSE_VCPU, 1000 + i, &req, sizeof(req));
	}
	for (i = 0; i < 2 * n; i++) {
		CHECK(!kvmi_recv(tool, &hdr, &msg, sizeof(msg), 20000),
		      "message %d missing", i);
		if (hdr.id == KVMI_PAUSE_VCPU) {
			CHECK_EQ(hdr.size, sizeof(msg.ec));
			CHECK_EQ(msg.ec.err, 0);
			replies++;
			continue;
		}
		CHECK_EQ(hdr.id, KVMI_EVENT);
		CHECK_EQ(msg.ev.event, KVMI_EVENT_PAUSE_VCPU);
		CHECK(msg.ev.vcpu < MAX_VCPUS, "vcpu %u", msg.ev.vcpu);
		events[msg.ev.vcpu]++;
		kvmi_reply_event(tool, &hdr, &msg.ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	}
	CHECK_EQ(replies, n);
}

static void test_pause_four(void)
{
	static const uint16_t all[] = { 0, 1, 2, 3 };
	unsigned int events[MAX_VCPUS] = { 0 };
	struct kvmi_tool tool;
	int i;

	setup(4, guest_spin, &tool);
	start(4);
	pause_many(&tool, all, 4, events);
	for (i = 0; i < 4; i++)
		CHECK_EQ(events[i], 1);
	release_and_join(4);
	for (i = 0; i < 4; i++)
		CHECK(runners[i].done, "vCPU %d did not finish", i);
}

static void test_control_events(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_control_events c;
	} padded = { .c = { .event_id = KVMI_EVENT_HYPERCALL, .enable = 1,
			    .padding2 = 1 } };
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 0), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 2),
		 -KVM_EINVAL);
	CHECK_EQ(kvmi_control_events(&tool, 0, 0xffff, 1), -KVM_EINVAL);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_UNHOOK, 1), -KVM_EINVAL);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_PAUSE_VCPU, 1),
		 -KVM_EINVAL);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_CPUID, 1),
		 -KVM_EOPNOTSUPP);
	CHECK_EQ(kvmi_control_events(&tool, 7, KVMI_EVENT_HYPERCALL, 1),
		 -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_EVENTS, &padded, sizeof(padded),
			  NULL, 0), -KVM_EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_HYPERCALL), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 1),
		 -KVM_EPERM);
	release_and_join(1);
}

/* One hypercall; the tool answers @actions in turn. */
static void hypercall_with(const uint8_t *actions, int n, bool enable)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	hc_count = 1;
	setup(1, guest_hc, &tool);
	start(1);
	if (enable)
		CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 1), 0);
	go();
	for (i = 0; i < n; i++) {
		kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
		kvmi_reply_event(&tool, &hdr, &ev, actions[i], NULL, 0);
	}
	pthread_join(runners[0].thread, NULL);
}

static void test_hypercall_event(void)
{
	static const uint8_t cont[] = { KVMI_EVENT_ACTION_CONTINUE };

	hypercall_with(cont, 1, true);
	CHECK(runners[0].done, "guest did not finish");
	CHECK_EQ(runners[0].last, 0);
}

static void test_hypercall_not_enabled(void)
{
	hypercall_with(NULL, 0, false);
	CHECK(runners[0].done, "guest did not finish");
	CHECK_EQ((int64_t)runners[0].last, -KVM_ENOSYS);
}

static void test_hypercall_retry(void)
{
	static const uint8_t acts[] = { KVMI_EVENT_ACTION_RETRY,
					KVMI_EVENT_ACTION_CONTINUE };

	hypercall_with(acts, 2, true);
	CHECK(runners[0].done, "guest did not finish");
	CHECK_EQ(runners[0].last, 0);
}

static void test_hypercall_crash(void)
{
	static const uint8_t crash[] = { KVMI_EVENT_ACTION_CRASH };

	hypercall_with(crash, 1, true);
	CHECK(!runners[0].done, "guest finished after CRASH");
	CHECK_EQ(runners[0].exit_reason, KVM_EXIT_SHUTDOWN);
}

/*
 * @n vCPUs that make @count event hypercalls each, the event enabled on
 * the first @enabled of them; running once this returns.
 */
static void hypercall_vcpus(uint64_t count, int n, int enabled,
			    struct kvmi_tool *tool)
{
	int i;

	hc_count = count;
	setup(n, guest_hc, tool);
	start(n);
	for (i = 0; i < enabled; i++)
		CHECK_EQ(kvmi_control_events(tool, i, KVMI_EVENT_HYPERCALL, 1), 0);
	go();
}

/* Four vCPUs raise hypercall events at once: none lost or misrouted. */
static void test_hypercall_concurrent(void)
{
	unsigned int count[MAX_VCPUS] = { 0 };
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	hypercall_vcpus(1000, 4, 4, &tool);
	for (i = 0; i < 4 * 1000; i++) {
		kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
		CHECK(ev.vcpu < 4, "vcpu %u", ev.vcpu);
		count[ev.vcpu]++;
		kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(runners[i].thread, NULL);
		CHECK(runners[i].done, "vCPU %d did not finish", i);
		CHECK_EQ(runners[i].bad, 0);
		CHECK_EQ(count[i], 1000);
	}
}

/* The tool goes away while three of four vCPUs wait in events. */
static void test_close_while_waiting(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	hypercall_vcpus(1, 4, 3, &tool);
	for (i = 0; i < 3; i++)
		kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
	close(tool.fd);
	for (i = 0; i < 4; i++) {
		pthread_join(runners[i].thread, NULL);
		CHECK(runners[i].done, "vCPU %d did not finish", i);
	}
	CHECK(kvmi_wait_hooked(0, 20000), "VM still hooked");
}

/*
 * One vCPU that makes @count event hypercalls with the HYPERCALL event
 * enabled; returns once the first event arrived (in @hdr, @ev).
 */
static void first_hypercall_event(uint64_t count, struct kvmi_tool *tool,
				  struct kvmi_msg_hdr *hdr,
				  struct kvmi_event *ev)
{
	hypercall_vcpus(count, 1, 1, tool);
	kvmi_recv_event(tool, KVMI_EVENT_HYPERCALL, hdr, ev, NULL, 0);
}

/* UNHOOK while two vCPUs wait in events: both resume. */
static void test_unhook_while_waiting(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	hypercall_vcpus(1, 2, 2, &tool);
	for (i = 0; i < 2; i++)
		kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
	CHECK_EQ(kvmi_unhook(vm), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(runners[i].thread, NULL);
		CHECK(runners[i].done, "vCPU %d did not finish", i);
		CHECK_EQ(runners[i].last, 0);	/* as with CONTINUE */
	}
}

/* Disabling the event while it is pending: the pending one completes. */
static void test_disable_while_pending(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	first_hypercall_event(2, &tool, &hdr, &ev);
	/* Runs in the waiting vCPU, before the reply. */
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 0), 0);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	pthread_join(runners[0].thread, NULL);
	CHECK(runners[0].done, "guest did not finish");
	/* The second hypercall raised no event: KVM answered it. */
	CHECK_EQ(runners[0].bad, 1);
	CHECK_EQ((int64_t)runners[0].last, -KVM_ENOSYS);
}

/* A reply with the wrong seq ends the session; the vCPU runs on. */
static void test_bad_reply(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	first_hypercall_event(1, &tool, &hdr, &ev);
	hdr.seq++;
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	CHECK(kvmi_wait_eof(&tool, 20000), "socket still open");
	pthread_join(runners[0].thread, NULL);
	CHECK(runners[0].done, "guest did not finish");
}

/* A total from debugfs kvmi/stats ("total KEY VALUE"). */
static long long stats_total(const char *key)
{
	FILE *f = fopen("/sys/kernel/debug/kvmi/stats", "r");
	char scope[32], name[64];
	long long val, ret = -1;

	CHECK(f, "cannot open kvmi/stats");
	while (fscanf(f, "%31s %63s %lld", scope, name, &val) == 3)
		if (!strcmp(scope, "total") && !strcmp(name, key))
			ret = val;
	fclose(f);
	CHECK(ret >= 0, "no total %s in kvmi/stats", key);
	return ret;
}

static void direct_reply_back_on(void)
{
	kvmi_set_param("direct_reply", "Y");
}

/*
 * 100 events on one vCPU, with the module parameter direct_reply off,
 * then on: every reply goes through the receive thread, then every one
 * is read by the waiting vCPU itself (debugfs kvmi/stats counts both).
 */
static void test_direct_reply(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	long long replies, direct;
	int on, i;

	atexit(direct_reply_back_on);
	for (on = 0; on <= 1; on++) {
		CHECK(kvmi_set_param("direct_reply", on ? "Y" : "N"),
		      "cannot set direct_reply");
		replies = stats_total("replies");
		direct = stats_total("direct_replies");
		hypercall_vcpus(100, 1, 1, &tool);
		for (i = 0; i < 100; i++) {
			kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev,
					NULL, 0);
			kvmi_reply_event(&tool, &hdr, &ev,
					 KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
		}
		pthread_join(runners[0].thread, NULL);
		CHECK(runners[0].done, "guest did not finish (direct %d)", on);
		CHECK_EQ(runners[0].bad, 0);
		CHECK_EQ(stats_total("replies") - replies, 100);
		CHECK_EQ(stats_total("direct_replies") - direct, on ? 100 : 0);
		kvm_vm_free(vm);
		close(tool.fd);
	}
}

/*
 * The reply written in three pieces, 50 ms apart: the waiting vCPU never
 * sees it whole, so the receive thread reads it (not a direct reply), and
 * the session goes on.
 */
static void test_reply_in_pieces(void)
{
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
	} msg = { };
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	long long direct;
	const char *p = (const char *)&msg;

	first_hypercall_event(2, &tool, &hdr, &ev);
	direct = stats_total("direct_replies");
	msg.hdr.id = KVMI_EVENT_REPLY;
	msg.hdr.size = sizeof(msg) - sizeof(msg.hdr);
	msg.hdr.seq = hdr.seq;
	msg.r.action = KVMI_EVENT_ACTION_CONTINUE;
	msg.r.event = KVMI_EVENT_HYPERCALL;
	CHECK_EQ(write(tool.fd, p, 10), 10);
	usleep(50000);
	CHECK_EQ(write(tool.fd, p + 10, 10), 10);
	usleep(50000);
	CHECK_EQ(write(tool.fd, p + 20, sizeof(msg) - 20), sizeof(msg) - 20);
	/* the second hypercall's event comes: the first one was answered */
	kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
	CHECK_EQ(stats_total("direct_replies"), direct);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	pthread_join(runners[0].thread, NULL);
	CHECK(runners[0].done, "guest did not finish");
	CHECK_EQ(runners[0].bad, 0);
}

struct regs_reply {
	struct kvmi_get_registers_reply r;
	struct kvm_msr_entry e;
};

static int get_registers(struct kvmi_tool *tool, uint16_t vcpu,
			 const uint32_t *idx, uint16_t n, uint16_t claimed,
			 void *rpl, size_t rpl_len)
{
	struct {
		struct kvmi_get_registers g;
		uint32_t idx[4];
	} req = { .g = { .nmsrs = claimed } };

	memcpy(req.idx, idx, n * sizeof(*idx));
	return kvmi_vcpu_cmd(tool, KVMI_GET_REGISTERS, vcpu, &req,
			sizeof(req.g) + n * sizeof(*idx), rpl, rpl_len);
}

static void test_get_registers(void)
{
	static const uint32_t efer = 0xc0000080, bad = 0xffffffff;
	struct kvmi_get_registers_reply plain;
	struct regs_reply rr;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(sizeof(plain), 472);
	CHECK_EQ(get_registers(&tool, 0, NULL, 0, 0, &plain, sizeof(plain)),
		 0);
	CHECK_EQ(plain.mode, 8);
	CHECK(plain.regs.rip, "rip 0");
	CHECK_EQ(plain.msrs.nmsrs, 0);
	CHECK_EQ(get_registers(&tool, 0, &efer, 1, 1, &rr, sizeof(rr)), 0);
	CHECK_EQ(rr.r.msrs.nmsrs, 1);
	CHECK_EQ(rr.e.index, efer);
	CHECK(rr.e.data & (1 << 10), "EFER.LMA clear: %llx",
	      (unsigned long long)rr.e.data);
	CHECK_EQ(rr.e.data, rr.r.sregs.efer);
	CHECK_EQ(get_registers(&tool, 0, &bad, 1, 1, &rr, sizeof(rr)),
		 -KVM_EINVAL);
	CHECK_EQ(get_registers(&tool, 0, &efer, 1, 2, &rr, sizeof(rr)),
		 -KVM_EINVAL);			/* fewer indices than nmsrs */
	CHECK_EQ(get_registers(&tool, 0, NULL, 0, 1000, &rr, sizeof(rr)),
		 -KVM_EINVAL);			/* reply would not fit */
	CHECK_EQ(get_registers(&tool, 5, NULL, 0, 0, &plain, sizeof(plain)),
		 -KVM_EINVAL);
	release_and_join(1);
}

static void test_set_registers_outside_event(void)
{
	struct kvm_regs regs = { 0 };
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_SET_REGISTERS, 0, &regs, 64, NULL, 0),
		 -KVM_EOPNOTSUPP);
	release_and_join(1);
}

/*
 * Skip the hypercall: move RIP past VMMCALL (3 bytes) while the vCPU
 * waits in the event, then RETRY.  The guest sees RAX as it left it.
 */
static void test_retry_after_set_registers(void)
{
	struct kvmi_get_registers_reply regs;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	first_hypercall_event(1, &tool, &hdr, &ev);
	CHECK_EQ(get_registers(&tool, 0, NULL, 0, 0, &regs, sizeof(regs)), 0);
	CHECK_EQ(regs.regs.rip, ev.arch.regs.rip);
	CHECK_EQ(regs.regs.rax, 34);
	regs.regs.rip += 3;
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_SET_REGISTERS, 0, &regs.regs,
			       sizeof(regs.regs), NULL, 0), 0);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_RETRY, NULL, 0);
	pthread_join(runners[0].thread, NULL);
	CHECK(runners[0].done, "guest did not finish");
	CHECK_EQ(runners[0].last, 34);
}

/*
 * Pipelined: SET_REGISTERS (RIP past VMMCALL) and the RETRY reply written
 * back to back, before the command's answer.  The command must run
 * before the vCPU resumes, whoever reads the reply: the guest returns
 * from the hypercall with RAX as it left it, and no second event comes.
 */
static void test_command_then_reply(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvm_regs regs;
	} set = { };
	struct {
		struct kvmi_error_code ec;
	} rpl;
	struct kvmi_get_registers_reply regs;
	struct kvmi_msg_hdr hdr, rhdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	first_hypercall_event(1, &tool, &hdr, &ev);
	CHECK_EQ(get_registers(&tool, 0, NULL, 0, 0, &regs, sizeof(regs)), 0);
	set.regs = regs.regs;
	set.regs.rip += 3;
	kvmi_send(&tool, KVMI_SET_REGISTERS, 0x5e7, &set, sizeof(set));
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_RETRY, NULL, 0);
	CHECK(!kvmi_recv(&tool, &rhdr, &rpl, sizeof(rpl), 10000),
	      "no answer to SET_REGISTERS");
	CHECK_EQ(rhdr.id, KVMI_SET_REGISTERS);
	CHECK_EQ(rhdr.seq, 0x5e7);
	CHECK_EQ(rpl.ec.err, 0);
	pthread_join(runners[0].thread, NULL);
	CHECK(runners[0].done, "guest did not finish");
	CHECK_EQ(runners[0].last, 34);
}

static void test_get_xcr(void)
{
	struct kvmi_vcpu_get_xcr req = { .xcr = 0 };
	struct kvmi_vcpu_get_xcr_reply rpl;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_VCPU_GET_XCR, 0, &req, sizeof(req), &rpl,
			       sizeof(rpl)), 0);
	CHECK(rpl.value & 1, "XCR0.x87 clear: %llx",
	      (unsigned long long)rpl.value);
	req.xcr = 1;
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_VCPU_GET_XCR, 0, &req, sizeof(req), &rpl,
			       sizeof(rpl)), -KVM_EINVAL);
	req.xcr = 0;
	req.padding[6] = 1;
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_VCPU_GET_XCR, 0, &req, sizeof(req), &rpl,
			       sizeof(rpl)), -KVM_EINVAL);
	release_and_join(1);
}

static void test_translate_gva(void)
{
	struct kvmi_vcpu_translate_gva req = { .gva = flag_gva };
	struct kvmi_vcpu_translate_gva_reply rpl;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	req.gva = flag_gva;
	start(1);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_VCPU_TRANSLATE_GVA, 0, &req, sizeof(req),
			       &rpl, sizeof(rpl)), 0);
	CHECK_EQ(rpl.gpa, addr_gva2gpa(vm, flag_gva));
	req.gva = 0xfffffffffffff000ull;	/* not mapped */
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_VCPU_TRANSLATE_GVA, 0, &req, sizeof(req),
			       &rpl, sizeof(rpl)), 0);
	CHECK_EQ(rpl.gpa, ~0ull);
	release_and_join(1);
}

/*
 * A vCPU added while hooked sends CREATE_VCPU when it first runs, before
 * guest code: the guest says hello only after the reply.
 */
static void test_create_vcpu(void)
{
	struct kvmi_control_vm_events ce = {
		.event_id = KVMI_EVENT_CREATE_VCPU, .enable = 1,
	};
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_VM_EVENTS, &ce, sizeof(ce), NULL,
			  0), 0);
	vcpus[1] = vm_vcpu_add(vm, 1, guest_spin);
	runners[1].vcpu = vcpus[1];
	pthread_create(&runners[1].thread, NULL, runner_fn, &runners[1]);
	kvmi_recv_event(&tool, KVMI_EVENT_CREATE_VCPU, &hdr, &ev, NULL, 0);
	CHECK_EQ(ev.vcpu, 1);
	usleep(100000);
	CHECK(!READ_ONCE(runners[1].started), "guest code ran before the reply");
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	while (!READ_ONCE(runners[1].started))
		usleep(1000);
	release_and_join(2);
	CHECK(runners[1].done, "new vCPU did not finish");
}

static uint8_t mtrr_type(struct kvmi_tool *tool, uint64_t gpa)
{
	struct kvmi_get_mtrr_type req = { .gpa = gpa };
	struct kvmi_get_mtrr_type_reply rpl;

	CHECK_EQ(kvmi_vcpu_cmd(tool, KVMI_GET_MTRR_TYPE, 0, &req, sizeof(req), &rpl,
			       sizeof(rpl)), 0);
	return rpl.type;
}

/*
 * MTRRs on with WB by default, and one variable range making the flag's
 * page UC: the command reports UC there, WB next to it; with MTRRs off,
 * UC everywhere.
 */
static void test_get_mtrr_type(void)
{
	struct kvmi_tool tool;
	uint64_t gpa, mask;

	setup(1, guest_spin, &tool);
	gpa = addr_gva2gpa(vm, flag_gva);
	mask = (((1ull << vm->pa_bits) - 1) & ~0xfffull) | 0x800;
	vcpu_set_msr(vcpus[0], 0x200, gpa & ~0xfffull);	/* base, UC */
	vcpu_set_msr(vcpus[0], 0x201, mask);
	vcpu_set_msr(vcpus[0], 0x2ff, 0x806);		/* on, WB */
	start(1);
	CHECK_EQ(mtrr_type(&tool, gpa), 0);
	CHECK_EQ(mtrr_type(&tool, gpa + 0x1000), 6);
	release_and_join(1);

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(mtrr_type(&tool, 0x200000), 0);	/* MTRRs off */
	release_and_join(1);
}

/* GET_XSAVE, then SET_XSAVE of the same area, and of a forbidden one. */
static void test_xsave(void)
{
	static struct kvm_xsave xs, again;
	struct kvmi_tool tool;
	uint32_t mxcsr;
	uint64_t xstate_bv;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_XSAVE, 0, NULL, 0, &xs, sizeof(xs)),
		 0);
	memcpy(&mxcsr, (char *)&xs + 24, sizeof(mxcsr));
	CHECK_EQ(mxcsr & 0xffff, 0x1f80);	/* MXCSR after reset */
	CHECK_EQ(xsave_cmd(&tool, &xs), 0);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_XSAVE, 0, NULL, 0, &again,
			       sizeof(again)), 0);
	CHECK(!memcmp(&xs, &again, 576), "XSAVE legacy area and header differ");
	memcpy(&xstate_bv, (char *)&xs + 512, sizeof(xstate_bv));
	xstate_bv |= 1ull << 62;	/* a feature no guest may have */
	memcpy((char *)&xs + 512, &xstate_bv, sizeof(xstate_bv));
	CHECK_EQ(xsave_cmd(&tool, &xs), -KVM_EINVAL);
	release_and_join(1);
}

/*
 * VCPU_SET_XSAVE with a payload shorter than the vCPU header: vCPU 0 and
 * an XSAVE area of zeros (zero-extended, like any command), which KVM
 * accepts as every component in its initial state: XMM0, set to a
 * pattern first, reads back as zeros.  The module used to copy 4 KiB
 * from past the end of such a message instead (see proto_rules' tail
 * tests).  Without KASAN that read shows only when the bytes there are
 * not zeros, so 64 messages with 0xff bytes first leave such bytes in
 * the kernel's freed copies of messages (their own result does not
 * matter).
 */
static void test_xsave_short(void)
{
	static const uint8_t vcpu0[4];
	static struct {
		struct kvmi_vcpu_hdr vh;
		uint8_t junk[192];
	} spray;
	static struct kvm_xsave xs;
	uint8_t *area = (uint8_t *)&xs, *xmm0 = area + 160;
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	uint64_t xstate_bv = 3;		/* x87 and SSE */
	struct kvmi_tool tool;
	unsigned int i, nonzero;

	setup(1, guest_spin, &tool);
	start(1);
	memset(spray.junk, 0xff, sizeof(spray.junk));
	for (i = 0; i < 64; i++)
		kvmi_cmd(&tool, KVMI_VCPU_SET_XSAVE, &spray, sizeof(spray),
			 NULL, 0);

	/* Reset values, XMM0 = 0x5a... */
	memset(&xs, 0, sizeof(xs));
	memcpy(area, &fcw, sizeof(fcw));
	memcpy(area + 24, &mxcsr, sizeof(mxcsr));
	memcpy(area + 512, &xstate_bv, sizeof(xstate_bv));
	memset(xmm0, 0x5a, 16);
	CHECK_EQ(xsave_cmd(&tool, &xs), 0);
	memset(&xs, 0, sizeof(xs));
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_XSAVE, 0, NULL, 0, &xs, sizeof(xs)),
		 0);
	CHECK_EQ(xmm0[0] == 0x5a && xmm0[15] == 0x5a, 1);

	CHECK_EQ(kvmi_cmd(&tool, KVMI_VCPU_SET_XSAVE, vcpu0, sizeof(vcpu0),
			  NULL, 0), 0);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_XSAVE, 0, NULL, 0, &xs, sizeof(xs)),
		 0);
	for (i = 0, nonzero = 0; i < 16; i++)
		nonzero += xmm0[i] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_VCPU_SET_XSAVE, NULL, 0, NULL, 0), 0);
	release_and_join(1);
}

/* A pause requested during an event comes after that event, not inside. */
static void test_pause_during_event(void)
{
	struct kvmi_msg_hdr hdr, phdr;
	struct kvmi_event ev, pev;
	struct kvmi_tool tool;

	first_hypercall_event(1, &tool, &hdr, &ev);
	CHECK_EQ(pause_vcpu(&tool, 0, 1), 0);
	CHECK(kvmi_recv(&tool, &phdr, &pev, sizeof(pev), 300) < 0,
	      "an event arrived while the vCPU waits in another");
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &phdr, &pev, NULL, 0);
	kvmi_reply_event(&tool, &phdr, &pev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	pthread_join(runners[0].thread, NULL);
	CHECK(runners[0].done, "guest did not finish");
}

static void test_get_cpuid(void)
{
	struct kvmi_get_cpuid req = { .function = 0 };
	struct kvmi_get_cpuid_reply rpl;
	const struct kvm_cpuid_entry2 *e;
	struct kvmi_tool tool;

	setup(1, guest_spin, &tool);
	start(1);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_CPUID, 0, &req, sizeof(req), &rpl,
			       sizeof(rpl)), 0);
	e = get_cpuid_entry(vcpus[0]->cpuid, 0, 0);
	CHECK(e, "leaf 0 not in the vCPU's CPUID");
	CHECK_EQ(rpl.eax, e->eax);
	CHECK_EQ(rpl.ebx, e->ebx);
	CHECK_EQ(rpl.ecx, e->ecx);
	CHECK_EQ(rpl.edx, e->edx);
	req.function = 0x4fffffff;
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_CPUID, 0, &req, sizeof(req), &rpl,
			       sizeof(rpl)), -KVM_ENOENT);
	release_and_join(1);
}

#define T(name) { #name, test_##name }

static const struct kvmi_test tests[] = {
	T(get_vcpu_info),
	T(pause),
	T(pause_actions),
	T(pause_bad_input),
	T(pause_halted),
	T(pause_four),
	T(control_events),
	T(hypercall_event),
	T(hypercall_not_enabled),
	T(hypercall_retry),
	T(hypercall_crash),
	T(hypercall_concurrent),
	T(close_while_waiting),
	T(unhook_while_waiting),
	T(disable_while_pending),
	T(bad_reply),
	T(direct_reply),
	T(reply_in_pieces),
	T(get_registers),
	T(set_registers_outside_event),
	T(retry_after_set_registers),
	T(command_then_reply),
	T(get_xcr),
	T(get_cpuid),
	T(pause_during_event),
	T(translate_gva),
	T(xsave),
	T(xsave_short),
	T(create_vcpu),
	T(get_mtrr_type),
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
