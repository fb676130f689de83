// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_intercept_test: KVMI_CONTROL_CR, KVMI_CONTROL_MSR and the CR, MSR
 * and XSETBV events, from guest code that writes the registers to the
 * guest's state after the tool's reply.
 *
 * Each guest says hello (SYNC 0), waits for the flag, runs its scenario
 * and reports what it read back (SYNC 1 with up to four values).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define MAX_VCPUS	4
#define CR0_WP		BIT(16)
#define CR4_TSD		BIT(2)
#define CR4_DE		BIT(3)
#define CR4_OSXSAVE	BIT(18)
#define LSTAR		0xc0000082u
#define SYSENTER_EIP	0x176u
#define LOOPS		50

enum scenario { S_CR4, S_CR3, S_CR0, S_MSR, S_XSETBV, S_LOOP, S_DESC, S_INIT };

struct table_reg {
	uint16_t limit;
	uint64_t base;
} __packed;

static vm_vaddr_t flag_gva;
static uint64_t scenario;
static uint64_t alt_cr3;	/* S_CR3: a copy of the top page table */

static inline uint64_t rd_cr(int n)
{
	uint64_t v;

	if (n == 0)
		asm volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		asm volatile("mov %%cr3, %0" : "=r"(v));
	else
		asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void wr_cr(int n, uint64_t v)
{
	if (n == 0)
		asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
	else if (n == 3)
		asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
	else
		asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t rd_msr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void wr_msr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rd_xcr0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo | (uint64_t)hi << 32;
}

static inline void wr_xcr0(uint64_t v)
{
	asm volatile("xsetbv" : : "c"(0), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)));
}

/* SIDT, LIDT, SGDT, STR: base and limit of IDTR before and after. */
static void guest_desc(uint64_t *a, uint64_t *b, uint64_t *c)
{
	struct table_reg idt, idt2, gdt;
	uint16_t tr;

	asm volatile("sidt %0" : "=m"(idt));
	asm volatile("lidt %0" : : "m"(idt) : "memory");
	asm volatile("sidt %0" : "=m"(idt2));
	asm volatile("sgdt %0" : "=m"(gdt));
	asm volatile("str %0" : "=r"(tr));
	*a = idt.base ^ idt2.base;
	*b = idt.limit ^ idt2.limit;
	*c = gdt.base;
}

static void guest_code(void)
{
	uint64_t a = 0, b = 0, c = 0, old;
	int i, n;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	switch (scenario) {
	case S_CR4:
	case S_CR3:
		n = scenario == S_CR4 ? 4 : 3;
		old = rd_cr(n);
		wr_cr(n, n == 4 ? old | CR4_TSD : alt_cr3);
		a = rd_cr(n);
		wr_cr(n, old);
		b = rd_cr(n);
		c = old;
		break;
	case S_CR0:
		old = rd_cr(0);
		wr_cr(0, old ^ CR0_WP);
		a = rd_cr(0);
		c = old;
		break;
	case S_MSR:
		old = rd_msr(LSTAR);
		wr_msr(SYSENTER_EIP, 0x4000);	/* not monitored */
		wr_msr(LSTAR, 0x1234000);
		a = rd_msr(LSTAR);
		wr_msr(LSTAR, 0x5678000);
		b = rd_msr(LSTAR);
		wr_msr(LSTAR, old);
		c = old;
		break;
	case S_XSETBV:
		if (!(rd_cr(4) & CR4_OSXSAVE))
			wr_cr(4, rd_cr(4) | CR4_OSXSAVE);
		a = rd_xcr0();
		wr_xcr0(a);
		b = rd_xcr0();
		break;
	case S_DESC:
		guest_desc(&a, &b, &c);
		break;
	case S_INIT:
		GUEST_SYNC(2);	/* the VMM INITs the vCPU here */
		guest_desc(&a, &b, &c);
		wr_cr(3, rd_cr(3));
		break;
	case S_LOOP:
		old = rd_cr(3);
		for (i = 0; i < LOOPS; i++) {
			wr_cr(4, rd_cr(4) ^ CR4_TSD);
			wr_msr(LSTAR, 0x1000 * (i + 1));
			wr_cr(3, old);
		}
		break;
	}
	GUEST_SYNC_ARGS(1, a, b, c, 0);
	GUEST_DONE();
}

/*
 * A vCPU thread: runs to the end, keeps what the guest reported.  At the
 * guest's SYNC 2 it acts as a VMM that INITs the vCPU (see test_init).
 */
struct vcpu_thread {
	pthread_t thread;
	struct kvm_vcpu *vcpu;
	uint64_t report[3];
	uint32_t exit_reason;
	bool hello;
	bool done;
	bool init_latched;	/* INIT is pending, the state saved */
	bool init_go;		/* the tool lets the INIT happen */
	bool init_done;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpus[MAX_VCPUS];
static struct vcpu_thread threads[MAX_VCPUS];

/*
 * Save the vCPU's state and latch an INIT (as an INIT IPI would), which
 * KVM takes at the next KVM_RUN, once the tool says so.
 */
static void latch_init(struct vcpu_thread *t)
{
	struct kvm_vcpu_events events;

	vcpu_regs_get(t->vcpu, &t->regs);
	vcpu_sregs_get(t->vcpu, &t->sregs);
	vcpu_events_get(t->vcpu, &events);
	events.flags = KVM_VCPUEVENT_VALID_SMM;
	events.smi.latched_init = 1;
	vcpu_events_set(t->vcpu, &events);
	WRITE_ONCE(t->init_latched, true);
	while (!READ_ONCE(t->init_go))
		usleep(1000);
}

static void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *t = arg;
	struct ucall uc;
	uint64_t cmd;

	do {
		vcpu_run(t->vcpu);
		t->exit_reason = t->vcpu->run->exit_reason;
		if (t->exit_reason == KVM_EXIT_SHUTDOWN && t->init_latched &&
		    !t->init_done) {
			/* the tool stopped the vCPU after the INIT: go back */
			t->init_done = true;
			vcpu_sregs_set(t->vcpu, &t->sregs);
			vcpu_regs_set(t->vcpu, &t->regs);
			cmd = UCALL_SYNC;
			continue;
		}
		if (t->exit_reason != KVM_EXIT_IO)
			return NULL;
		cmd = get_ucall(t->vcpu, &uc);
		if (cmd == UCALL_SYNC && uc.args[1] == 0)
			WRITE_ONCE(t->hello, true);
		else if (cmd == UCALL_SYNC && uc.args[1] == 2 &&
			 !t->init_latched)
			latch_init(t);
		else if (cmd == UCALL_SYNC && uc.args[1] == 1)
			memcpy(t->report, &uc.args[2], sizeof(t->report));
	} while (cmd == UCALL_SYNC);
	t->done = cmd == UCALL_DONE;
	return NULL;
}

/* A hooked VM of @n vCPUs running @s; every guest said hello. */
static void start(int n, enum scenario s, struct kvmi_tool *tool)
{
	int i;

	memset(threads, 0, sizeof(threads));
	vm = vm_create_with_vcpus(n, guest_code, vcpus);
	flag_gva = vm_vaddr_alloc_page(vm);
	scenario = s;
	sync_global_to_guest(vm, flag_gva);
	sync_global_to_guest(vm, scenario);
	kvmi_hook(vm, tool);
	kvmi_allow_all(vm);
	for (i = 0; i < n; i++) {
		threads[i].vcpu = vcpus[i];
		pthread_create(&threads[i].thread, NULL, vcpu_thread_fn,
			       &threads[i]);
		while (!READ_ONCE(threads[i].hello))
			usleep(1000);
	}
}

static void go_and_join(int n)
{
	int i;

	*(uint64_t *)addr_gva2hva(vm, flag_gva) = 1;
	for (i = 0; i < n; i++)
		pthread_join(threads[i].thread, NULL);
}

static int control_cr(struct kvmi_tool *tool, uint16_t vcpu, uint32_t cr,
		      uint8_t enable)
{
	struct kvmi_control_cr req = { .enable = enable, .cr = cr };

	return kvmi_vcpu_cmd(tool, KVMI_CONTROL_CR, vcpu, &req, sizeof(req),
			     NULL, 0);
}

static int control_msr(struct kvmi_tool *tool, uint16_t vcpu, uint32_t msr,
		       uint8_t enable)
{
	struct kvmi_control_msr req = { .enable = enable, .msr = msr };

	return kvmi_vcpu_cmd(tool, KVMI_CONTROL_MSR, vcpu, &req, sizeof(req),
			     NULL, 0);
}

/* Receive a CR event for @cr and answer CONTINUE with @new_val. */
static void cr_event(struct kvmi_tool *tool, uint16_t cr,
		     struct kvmi_event_cr *e, uint64_t (*decide)(uint64_t old,
								 uint64_t new))
{
	struct kvmi_event_cr_reply rpl;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;

	kvmi_recv_event(tool, KVMI_EVENT_CR, &hdr, &ev, e, sizeof(*e));
	CHECK_EQ(e->cr, cr);
	CHECK_EQ(e->padding[0] | e->padding[1] | e->padding[2], 0);
	rpl.new_val = decide ? decide(e->old_value, e->new_value) :
			       e->new_value;
	kvmi_reply_event(tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, &rpl,
			 sizeof(rpl));
}

static void msr_event(struct kvmi_tool *tool, struct kvmi_event_msr *e,
		      uint64_t new_val, bool keep_old)
{
	struct kvmi_event_msr_reply rpl;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;

	kvmi_recv_event(tool, KVMI_EVENT_MSR, &hdr, &ev, e, sizeof(*e));
	CHECK_EQ(e->padding, 0);
	rpl.new_val = keep_old ? e->old_value : new_val;
	kvmi_reply_event(tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, &rpl,
			 sizeof(rpl));
}

static void test_control_cr(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_control_cr c;
	} padded = { .c = { .enable = 1, .cr = 4, .padding2 = 1 } };
	struct kvmi_tool tool;
	int i;

	start(1, S_CR4, &tool);
	for (i = 0; i <= 4; i++) {
		int want = (i == 0 || i == 3 || i == 4) ? 0 : -KVM_EINVAL;

		CHECK_EQ(control_cr(&tool, 0, i, 1), want);
		CHECK_EQ(control_cr(&tool, 0, i, 0), want);
	}
	CHECK_EQ(control_cr(&tool, 0, 8, 1), -KVM_EINVAL);
	CHECK_EQ(control_cr(&tool, 0, 0x80000000u, 1), -KVM_EINVAL);
	CHECK_EQ(control_cr(&tool, 0, 4, 2), -KVM_EINVAL);
	CHECK_EQ(control_cr(&tool, 1, 4, 1), -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_CR, &padded, sizeof(padded),
			  NULL, 0), -KVM_EINVAL);
	padded.c.padding2 = 0;
	padded.c.padding1 = 1;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_CR, &padded, sizeof(padded),
			  NULL, 0), -KVM_EINVAL);
	/* A short request is zero-extended: "disable CR0" */
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_CR, &padded, sizeof(padded.vh),
			  NULL, 0), 0);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_CR), 0);
	CHECK_EQ(control_cr(&tool, 0, 4, 1), -KVM_EPERM);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_CR, 1), -KVM_EPERM);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_CONTROL_CR), 0);
	CHECK_EQ(control_cr(&tool, 0, 4, 1), -KVM_EPERM);
	go_and_join(1);		/* nothing monitored: no event */
	CHECK(threads[0].done, "guest did not finish");
}

static void test_control_msr(void)
{
	static const uint32_t good[] = { 0, 0x174, 0x1fff, 0xc0000000,
					 LSTAR, 0xc0001fff };
	static const uint32_t bad[] = { 0x2000, 0xbfffffff, 0xc0002000,
					0x40000000, 0xffffffff };
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_control_msr c;
	} padded = { .c = { .enable = 1, .msr = LSTAR, .padding1 = 1 } };
	struct kvmi_tool tool;
	int i;

	start(1, S_CR4, &tool);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		CHECK_EQ(control_msr(&tool, 0, good[i], 1), 0);
		CHECK_EQ(control_msr(&tool, 0, good[i], 0), 0);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(control_msr(&tool, 0, bad[i], 1), -KVM_EINVAL);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 2), -KVM_EINVAL);
	CHECK_EQ(control_msr(&tool, 3, LSTAR, 1), -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_MSR, &padded, sizeof(padded),
			  NULL, 0), -KVM_EINVAL);
	padded.c.padding1 = 0;
	padded.c.padding2 = 1;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_MSR, &padded, sizeof(padded),
			  NULL, 0), -KVM_EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_MSR), 0);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 1), -KVM_EPERM);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_CONTROL_MSR), 0);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 1), -KVM_EPERM);
	go_and_join(1);
	CHECK(threads[0].done, "guest did not finish");
}

/* Start @s with writes to @cr reported, and let the guest go. */
static void start_cr(enum scenario s, uint32_t cr, struct kvmi_tool *tool)
{
	start(1, s, tool);
	CHECK_EQ(control_cr(tool, 0, cr, 1), 0);
	CHECK_EQ(kvmi_control_events(tool, 0, KVMI_EVENT_CR, 1), 0);
	go_and_join(0);
}

static uint64_t add_de(uint64_t old, uint64_t new)
{
	return old | CR4_DE;
}

/* The tool changes a CR4 write: TSD asked, DE written instead. */
static void test_cr4_event(void)
{
	struct kvmi_event_cr e;
	struct kvmi_tool tool;

	start_cr(S_CR4, 4, &tool);
	cr_event(&tool, 4, &e, add_de);
	CHECK_EQ(e.new_value, e.old_value | CR4_TSD);
	CHECK(!(e.old_value & (CR4_TSD | CR4_DE)), "cr4 %llx",
	      (unsigned long long)e.old_value);
	cr_event(&tool, 4, &e, NULL);	/* the guest restores it */
	CHECK_EQ(e.old_value, e.new_value | CR4_DE);
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], threads[0].report[2] | CR4_DE);
	CHECK_EQ(threads[0].report[1], threads[0].report[2]);
}

static uint64_t keep_old(uint64_t old, uint64_t new)
{
	return old;
}

/* The tool keeps CR0.WP as it was against the guest's write. */
static void test_cr0_event(void)
{
	struct kvmi_event_cr e;
	struct kvmi_tool tool;

	start_cr(S_CR0, 0, &tool);
	cr_event(&tool, 0, &e, keep_old);
	CHECK_EQ(e.new_value, e.old_value ^ CR0_WP);
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], threads[0].report[2]);
}

/* CR3 writes (which do not exit with nested paging unless asked). */
static void test_cr3_event(void)
{
	struct kvmi_event_cr e;
	struct kvmi_tool tool;
	vm_vaddr_t page;

	start(1, S_CR3, &tool);
	page = vm_vaddr_alloc_page(vm);
	alt_cr3 = addr_gva2gpa(vm, page);
	memcpy(addr_gpa2hva(vm, alt_cr3), addr_gpa2hva(vm, vm->pgd),
	       vm->page_size);
	sync_global_to_guest(vm, alt_cr3);
	CHECK_EQ(control_cr(&tool, 0, 3, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_CR, 1), 0);
	go_and_join(0);
	cr_event(&tool, 3, &e, NULL);
	CHECK_EQ(e.old_value, vm->pgd);
	CHECK_EQ(e.new_value, alt_cr3);
	cr_event(&tool, 3, &e, NULL);
	CHECK_EQ(e.old_value, alt_cr3);
	CHECK_EQ(e.new_value, vm->pgd);
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], alt_cr3);
	CHECK_EQ(threads[0].report[1], vm->pgd);
}

/* Answer the next event, @event with @len bytes, with CRASH: the VM stops. */
static void expect_crash(struct kvmi_tool *tool, uint8_t event, size_t len)
{
	static char payload[64];
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;

	kvmi_recv_event(tool, event, &hdr, &ev, payload, len);
	kvmi_reply_event(tool, &hdr, &ev, KVMI_EVENT_ACTION_CRASH, NULL, 0);
	pthread_join(threads[0].thread, NULL);
	CHECK(!threads[0].done, "guest finished after CRASH");
	CHECK_EQ(threads[0].exit_reason, KVM_EXIT_SHUTDOWN);
}

/* CRASH on a CR write stops the VM. */
static void test_cr_crash(void)
{
	struct kvmi_tool tool;

	start_cr(S_CR4, 4, &tool);
	expect_crash(&tool, KVMI_EVENT_CR, sizeof(struct kvmi_event_cr));
}

/* CRASH on an MSR write stops the VM. */
static void test_msr_crash(void)
{
	struct kvmi_tool tool;

	start(1, S_MSR, &tool);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_MSR, 1), 0);
	go_and_join(0);
	expect_crash(&tool, KVMI_EVENT_MSR, sizeof(struct kvmi_event_msr));
}

/*
 * LSTAR, which KVM lets the guest write directly on SVM: the first write
 * is blocked by the reply, the second goes through; SYSENTER_EIP, not
 * monitored, raises no event.
 */
static void test_msr_event(void)
{
	struct kvmi_event_msr e;
	struct kvmi_tool tool;
	uint64_t old;

	start(1, S_MSR, &tool);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_MSR, 1), 0);
	go_and_join(0);
	msr_event(&tool, &e, 0, true);
	CHECK_EQ(e.msr, LSTAR);
	CHECK_EQ(e.new_value, 0x1234000);
	old = e.old_value;
	msr_event(&tool, &e, 0x5678000, false);
	CHECK_EQ(e.msr, LSTAR);
	CHECK_EQ(e.old_value, old);
	CHECK_EQ(e.new_value, 0x5678000);
	msr_event(&tool, &e, old, false);	/* the guest restores it */
	CHECK_EQ(e.old_value, 0x5678000);
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], old);
	CHECK_EQ(threads[0].report[1], 0x5678000);
	CHECK_EQ(threads[0].report[2], old);
}

/* CONTROL_MSR on, the event off: no event, the writes land. */
static void test_msr_not_enabled(void)
{
	struct kvmi_tool tool;

	start(1, S_MSR, &tool);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 1), 0);
	go_and_join(1);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], 0x1234000);
	CHECK_EQ(threads[0].report[1], 0x5678000);
}

/*
 * XSETBV exits on real AMD and Intel CPUs; QEMU's emulated SVM does not
 * intercept it, so first look whether the guest's XSETBV reaches KVM.
 */
static void test_xsetbv_event(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	long long hits = kvmi_hook_hits("kvm_emulate_xsetbv");

	start(1, S_XSETBV, &tool);
	go_and_join(1);
	CHECK(threads[0].done, "guest did not finish");
	kvm_vm_free(vm);
	close(tool.fd);
	if (kvmi_hook_hits("kvm_emulate_xsetbv") == hits) {
		printf("# XSETBV does not exit on this CPU (QEMU's SVM does not intercept it)\n");
		exit(KSFT_SKIP);
	}

	start(1, S_XSETBV, &tool);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_XSETBV, 1), 0);
	go_and_join(0);
	kvmi_recv_event(&tool, KVMI_EVENT_XSETBV, &hdr, &ev, NULL, 0);
	CHECK_EQ(ev.arch.regs.rcx, 0);
	CHECK(ev.arch.regs.rax & 1, "XCR0.x87 clear");
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0] & 0xffffffff,
		 ev.arch.regs.rax & 0xffffffff);
	CHECK_EQ(threads[0].report[1], threads[0].report[0]);
}

/* The descriptor events of S_DESC, in order: register, write. */
static const uint8_t desc_seq[][2] = {
	{ KVMI_DESC_IDTR, 0 }, { KVMI_DESC_IDTR, 1 }, { KVMI_DESC_IDTR, 0 },
	{ KVMI_DESC_GDTR, 0 }, { KVMI_DESC_TR, 0 },
};

/*
 * SIDT, LIDT, SIDT, SGDT, STR each raise a DESCRIPTOR event; the tool
 * answers RETRY once (the instruction runs again: a second event), then
 * CONTINUE; the guest sees its own values.
 */
static void test_descriptor_event(void)
{
	struct kvmi_event_descriptor e;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t rip = 0;
	int i;

	start(1, S_DESC, &tool);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_DESCRIPTOR, 1), 0);
	go_and_join(0);
	for (i = 0; i < ARRAY_SIZE(desc_seq); i++) {
		kvmi_recv_event(&tool, KVMI_EVENT_DESCRIPTOR, &hdr, &ev, &e,
				sizeof(e));
		CHECK_EQ(e.descriptor, desc_seq[i][0]);
		CHECK_EQ(e.write, desc_seq[i][1]);
		CHECK(!memcmp(e.padding, "\0\0\0\0\0\0", 6), "padding");
		if (i == 3) {	/* SGDT: RETRY, the same instruction again */
			rip = ev.arch.regs.rip;
			kvmi_reply_event(&tool, &hdr, &ev,
					 KVMI_EVENT_ACTION_RETRY, NULL, 0);
			kvmi_recv_event(&tool, KVMI_EVENT_DESCRIPTOR, &hdr, &ev,
					&e, sizeof(e));
			CHECK_EQ(e.descriptor, KVMI_DESC_GDTR);
			CHECK_EQ(ev.arch.regs.rip, rip);
		}
		kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE,
				 NULL, 0);
	}
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], 0);
	CHECK_EQ(threads[0].report[1], 0);
	CHECK_EQ(threads[0].report[2], ev.arch.sregs.gdt.base);
}

/*
 * The event is turned off, or the tool dies, with the intercepts on:
 * no event, and the instructions still work.
 */
static void test_descriptor_off(void)
{
	struct kvmi_tool tool;

	start(1, S_DESC, &tool);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_DESCRIPTOR, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_DESCRIPTOR, 0), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_DESCRIPTOR, 1), 0);
	close(tool.fd);
	CHECK(kvmi_wait_hooked(0, 20000), "the session did not end");
	go_and_join(1);
	CHECK(threads[0].done, "guest did not finish");
	CHECK_EQ(threads[0].report[0], 0);
	CHECK_EQ(threads[0].report[1], 0);
}

/* CRASH on a descriptor-table instruction stops the VM. */
static void test_descriptor_crash(void)
{
	struct kvmi_tool tool;

	start(1, S_DESC, &tool);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_DESCRIPTOR, 1), 0);
	go_and_join(0);
	expect_crash(&tool, KVMI_EVENT_DESCRIPTOR,
		     sizeof(struct kvmi_event_descriptor));
}

/*
 * The intercepts survive an INIT: with CR3 picked and the DESCRIPTOR
 * event on, the VMM INITs the vCPU (KVM rebuilds the VMCB's intercepts),
 * the tool sees the reset state in a PAUSE_VCPU event and answers CRASH
 * so that the VMM gets the vCPU back and restores its state; the guest
 * then goes on, and its descriptor-table instructions and CR3 write
 * still raise events.
 */
static void test_init(void)
{
	struct kvmi_pause_vcpu pause = { .wait = 1 };
	struct kvmi_event_descriptor e;
	struct kvmi_event_cr cr;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	start(1, S_INIT, &tool);
	CHECK_EQ(control_cr(&tool, 0, 3, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_CR, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_DESCRIPTOR, 1), 0);
	go_and_join(0);
	while (!READ_ONCE(threads[0].init_latched))
		usleep(1000);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_PAUSE_VCPU, 0, &pause,
			       sizeof(pause), NULL, 0), 0);
	WRITE_ONCE(threads[0].init_go, true);
	kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &hdr, &ev, NULL, 0);
	CHECK_EQ(ev.arch.regs.rip, 0xfff0);
	CHECK_EQ(ev.arch.sregs.cs.base, 0xffff0000);
	kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CRASH, NULL, 0);

	for (i = 0; i < ARRAY_SIZE(desc_seq); i++) {
		kvmi_recv_event(&tool, KVMI_EVENT_DESCRIPTOR, &hdr, &ev, &e,
				sizeof(e));
		CHECK_EQ(e.descriptor, desc_seq[i][0]);
		kvmi_reply_event(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE,
				 NULL, 0);
	}
	cr_event(&tool, 3, &cr, NULL);
	CHECK_EQ(cr.new_value, cr.old_value);
	pthread_join(threads[0].thread, NULL);
	CHECK(threads[0].done, "guest did not finish (exit reason %u)",
	      threads[0].exit_reason);
}

/*
 * The tool dies with CR3, CR4 and LSTAR monitored: the guest runs on
 * without events, and the exits kvmi turned on stop (the CR3 intercept
 * after the first write that meets it, LSTAR at the next entry).
 */
static void test_tool_death(void)
{
	long long cr3, msr;
	struct kvmi_tool tool;

	start(1, S_LOOP, &tool);
	CHECK_EQ(control_cr(&tool, 0, 3, 1), 0);
	CHECK_EQ(control_cr(&tool, 0, 4, 1), 0);
	CHECK_EQ(control_msr(&tool, 0, LSTAR, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_CR, 1), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_MSR, 1), 0);
	close(tool.fd);
	CHECK(kvmi_wait_hooked(0, 20000), "the session did not end");
	cr3 = kvmi_hook_hits("kvm_set_cr3");
	msr = kvmi_hook_hits("kvm_emulate_wrmsr");
	go_and_join(1);
	CHECK(threads[0].done, "guest did not finish");
	CHECK(kvmi_hook_hits("kvm_set_cr3") - cr3 <= 1, "CR3 writes still exit: %lld",
	      kvmi_hook_hits("kvm_set_cr3") - cr3);
	CHECK_EQ(kvmi_hook_hits("kvm_emulate_wrmsr") - msr, 0);
}

/* Four vCPUs with CR4 and LSTAR events: none lost or misrouted. */
static void test_four_vcpus(void)
{
	unsigned int cr[MAX_VCPUS] = { 0 }, msr[MAX_VCPUS] = { 0 };
	static char body[KVMI_MSG_SIZE];
	struct kvmi_tool tool;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event *ev = (void *)body;
	uint64_t new_val;
	int i;

	start(MAX_VCPUS, S_LOOP, &tool);
	for (i = 0; i < MAX_VCPUS; i++) {
		CHECK_EQ(control_cr(&tool, i, 4, 1), 0);
		CHECK_EQ(control_msr(&tool, i, LSTAR, 1), 0);
		CHECK_EQ(kvmi_control_events(&tool, i, KVMI_EVENT_CR, 1), 0);
		CHECK_EQ(kvmi_control_events(&tool, i, KVMI_EVENT_MSR, 1), 0);
	}
	*(uint64_t *)addr_gva2hva(vm, flag_gva) = 1;
	for (i = 0; i < 2 * LOOPS * MAX_VCPUS; i++) {
		CHECK(!kvmi_recv(&tool, &hdr, body, sizeof(body), 20000),
		      "event %d did not arrive", i);
		CHECK_EQ(hdr.id, KVMI_EVENT);
		CHECK(ev->vcpu < MAX_VCPUS, "vcpu %u", ev->vcpu);
		if (ev->event == KVMI_EVENT_CR) {
			struct kvmi_event_cr *e = (void *)(ev + 1);

			CHECK_EQ(e->cr, 4);
			new_val = e->new_value;
			cr[ev->vcpu]++;
		} else {
			struct kvmi_event_msr *e = (void *)(ev + 1);

			CHECK_EQ(ev->event, KVMI_EVENT_MSR);
			CHECK_EQ(e->msr, LSTAR);
			CHECK_EQ(e->new_value, 0x1000 * (msr[ev->vcpu] + 1));
			new_val = e->new_value;
			msr[ev->vcpu]++;
		}
		kvmi_reply_event(&tool, &hdr, ev, KVMI_EVENT_ACTION_CONTINUE,
				 &new_val, sizeof(new_val));
	}
	for (i = 0; i < MAX_VCPUS; i++) {
		pthread_join(threads[i].thread, NULL);
		CHECK(threads[i].done, "vCPU %d did not finish", i);
		CHECK_EQ(cr[i], LOOPS);
		CHECK_EQ(msr[i], LOOPS);
	}
}

#define T(name) { #name, test_##name }

static const struct kvmi_test tests[] = {
	T(control_cr),
	T(control_msr),
	T(cr4_event),
	T(cr0_event),
	T(cr3_event),
	T(cr_crash),
	T(msr_event),
	T(msr_crash),
	T(msr_not_enabled),
	T(xsetbv_event),
	T(tool_death),
	T(four_vcpus),
	T(descriptor_event),
	T(descriptor_off),
	T(descriptor_crash),
	T(init),
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
