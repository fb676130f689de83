// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_page_test: KVMI_SET_PAGE_ACCESS, KVMI_GET_PAGE_ACCESS and the PF
 * event for read, write and execute restrictions.
 *
 * Each guest says hello (SYNC 0), waits for the flag, writes LOOPS
 * values to its word of a data page (reading each back) and reports the
 * last value it read and how many read-backs differed.  Other modes call
 * a function on its own page (code_gva) or only read a word (read_gva).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define MAX_VCPUS	4
#define LOOPS		8
#define RWX		(KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W | \
			 KVMI_PAGE_ACCESS_X)
#define RX		(KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_X)
#define WX		(KVMI_PAGE_ACCESS_W | KVMI_PAGE_ACCESS_X)
#define READ_VALUE	7
#define MANY_LOOPS	1000		/* when faults are counted */
#define EXTRA_SLOT	10
#define EXTRA_GPA	0x40000000ul
#define THP_SLOT	11
#define THP_GPA		0x80000000ul	/* also its gva */
#define THP_PAGES	512		/* 2 MiB */

static vm_vaddr_t flag_gva, data_gva;
static vm_vaddr_t prefault_gva;		/* written before the hello */
static vm_vaddr_t code_gva;		/* if set, called instead */
static vm_vaddr_t read_gva;		/* if set, read LOOPS times instead */
static uint64_t loops = LOOPS;		/* writes or calls (MANY_LOOPS) */
static bool read_popcnt;		/* ... with POPCNT, not emulated by KVM */

/* The function at code_gva: "mov $0x1234, %eax; ret" (5 + 1 bytes). */
static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0x00, 0x00, 0xc3 };
#define CODE_RET	5		/* offset of the RET */

static void guest_code(uint64_t id)
{
	uint64_t *word = (uint64_t *)data_gva + id;
	uint64_t i, bad = 0;

	if (prefault_gva)
		WRITE_ONCE(*(uint64_t *)prefault_gva, 1);
	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	if (code_gva) {
		for (i = 0; i < loops; i++)
			if (((uint32_t (*)(void))code_gva)() != 0x1234)
				bad++;
		GUEST_SYNC_ARGS(1, loops, bad, 0, 0);
		GUEST_DONE();
	}
	if (read_gva) {
		uint64_t sum = 0;

		for (i = 0; i < LOOPS; i++) {
			uint64_t v;

			if (read_popcnt)
				asm volatile("popcnt (%1), %0"
					     : "=r"(v) : "r"(read_gva) : "memory");
			else
				v = READ_ONCE(*(uint64_t *)read_gva);
			sum += v;
		}
		GUEST_SYNC_ARGS(1, sum, 0, 0, 0);
		GUEST_DONE();
	}
	for (i = 1; i <= loops; i++) {
		WRITE_ONCE(*word, i);
		if (READ_ONCE(*word) != i)
			bad++;
	}
	GUEST_SYNC_ARGS(1, READ_ONCE(*word), bad, 0, 0);
	GUEST_DONE();
}

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpus[MAX_VCPUS];
static struct kvmi_runner threads[MAX_VCPUS];
static uint64_t data_gpa;

/*
 * A hooked VM of @n vCPUs; each said hello and waits for the flag.  With
 * @thp the data page is page 5 of a 2 MiB region backed by transparent
 * huge pages, which the guest wrote (page 0) before its hello, so that
 * KVM can map the region with one huge page.
 */
static void start_with(int n, struct kvmi_tool *tool, bool thp)
{
	int i;

	vm = vm_create_with_vcpus(n, guest_code, vcpus);
	flag_gva = vm_vaddr_alloc_page(vm);
	if (thp) {
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS_THP,
					    THP_GPA, THP_SLOT, THP_PAGES, 0);
		virt_map(vm, THP_GPA, THP_GPA, THP_PAGES);
		prefault_gva = THP_GPA;
		data_gva = THP_GPA + 5 * vm->page_size;
	} else {
		data_gva = vm_vaddr_alloc_page(vm);
	}
	data_gpa = addr_gva2gpa(vm, data_gva);
	sync_global_to_guest(vm, flag_gva);
	sync_global_to_guest(vm, data_gva);
	sync_global_to_guest(vm, prefault_gva);
	kvmi_hook(vm, tool);
	kvmi_allow_all(vm);
	for (i = 0; i < n; i++) {
		vcpu_args_set(vcpus[i], 1, i);
		kvmi_runner_start(&threads[i], vcpus[i]);
	}
}

static void go(void)
{
	*(uint64_t *)addr_gva2hva(vm, flag_gva) = 1;
}

static void start(int n, struct kvmi_tool *tool)
{
	start_with(n, tool, false);
}

/* Join vCPU @i; it finished with its word at loops, read back right. */
static void join_ok(int i)
{
	kvmi_runner_join(&threads[i]);
	CHECK_EQ(threads[i].report[0], loops);
	CHECK_EQ(threads[i].report[1], 0);
	CHECK_EQ(((uint64_t *)addr_gva2hva(vm, data_gva))[i], loops);
}

/* SET_PAGE_ACCESS with @n entries: (gpa[i], access[i]). */
static int set_access(struct kvmi_tool *tool, uint16_t view, int n,
		      const uint64_t *gpa, const uint8_t *access)
{
	struct {
		struct kvmi_set_page_access c;
		struct kvmi_page_access_entry e[8];
	} req = { .c = { .view = view, .count = n } };
	int i;

	for (i = 0; i < n; i++) {
		req.e[i].gpa = gpa[i];
		req.e[i].access = access[i];
	}
	return kvmi_cmd(tool, KVMI_SET_PAGE_ACCESS, &req,
			sizeof(req.c) + n * sizeof(req.e[0]), NULL, 0);
}

static int set_one(struct kvmi_tool *tool, uint64_t gpa, uint8_t access)
{
	return set_access(tool, 0, 1, &gpa, &access);
}

/* GET_PAGE_ACCESS of one gpa: the access bits, or the error. */
static int get_one(struct kvmi_tool *tool, uint64_t gpa)
{
	struct {
		struct kvmi_get_page_access c;
		uint64_t gpa;
	} req = { .c = { .count = 1 }, .gpa = gpa };
	uint8_t access = 0xff;
	int err;

	err = kvmi_cmd(tool, KVMI_GET_PAGE_ACCESS, &req, sizeof(req), &access,
		       sizeof(access));
	return err ?: access;
}

static void pf_event(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr,
		     struct kvmi_event *ev, struct kvmi_event_pf *pf)
{
	kvmi_recv_event(tool, KVMI_EVENT_PF, hdr, ev, pf, sizeof(*pf));
	CHECK_EQ(pf->gva, ~0ull);
	CHECK_EQ(pf->access, KVMI_PAGE_ACCESS_W);
	CHECK_EQ(pf->padding1 | pf->padding2 | pf->view, 0);
}

/* Answer with the whole 272-byte libkvmi reply; @step: its singlestep. */
static void pf_reply_step(struct kvmi_tool *tool,
			  const struct kvmi_msg_hdr *hdr,
			  const struct kvmi_event *ev, uint8_t action, bool step)
{
	struct kvmi_event_pf_reply rpl = { .singlestep = step };

	kvmi_reply_event(tool, hdr, ev, action, &rpl, sizeof(rpl));
}

static void pf_reply(struct kvmi_tool *tool, const struct kvmi_msg_hdr *hdr,
		     const struct kvmi_event *ev, uint8_t action)
{
	pf_reply_step(tool, hdr, ev, action, false);
}

/* No event is waiting for the tool. */
static void no_event(struct kvmi_tool *tool)
{
	struct pollfd pfd = { .fd = tool->fd, .events = POLLIN };

	CHECK_EQ(poll(&pfd, 1, 0), 0);
}

static void test_page_access_errors(void)
{
	struct {
		struct kvmi_set_page_access c;
		struct kvmi_page_access_entry e;
	} req = { .c = { .count = 1 }, .e = { .gpa = 0, .access = RX } };
	uint64_t gpa[3], bad_gpa;
	uint8_t access[3] = { RX, RX, RX };
	struct kvmi_tool tool;

	start(1, &tool);
	bad_gpa = (vm->max_gfn + 1) << vm->page_shift;
	CHECK_EQ(get_one(&tool, data_gpa), RWX);
	CHECK_EQ(set_one(&tool, bad_gpa, RX), -KVM_EINVAL);
	CHECK_EQ(set_one(&tool, data_gpa, RWX | KVMI_PAGE_ACCESS_SVE),
		 -KVM_EINVAL);
	CHECK_EQ(set_one(&tool, data_gpa, WX), 0);
	CHECK_EQ(get_one(&tool, data_gpa), WX);
	CHECK_EQ(set_one(&tool, data_gpa, KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W),
		 0);
	CHECK_EQ(get_one(&tool, data_gpa),
		 KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W);
	CHECK_EQ(set_one(&tool, data_gpa, RWX), 0);
	CHECK_EQ(set_access(&tool, 1, 1, &data_gpa, access), -KVM_EOPNOTSUPP);
	CHECK_EQ(get_one(&tool, bad_gpa), -KVM_EINVAL);
	CHECK_EQ(get_one(&tool, data_gpa), RWX);

	/* sizes and padding */
	req.e.gpa = data_gpa;
	req.e.padding2 = 1;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_SET_PAGE_ACCESS, &req, sizeof(req), NULL,
			  0), -KVM_EINVAL);
	req.e.padding2 = 0;
	req.c.padding = 1;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_SET_PAGE_ACCESS, &req, sizeof(req), NULL,
			  0), -KVM_EINVAL);
	req.c.padding = 0;
	req.c.count = 2;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_SET_PAGE_ACCESS, &req, sizeof(req), NULL,
			  0), -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_SET_PAGE_ACCESS, &req, sizeof(req) - 1,
			  NULL, 0), -KVM_EINVAL);
	CHECK_EQ(get_one(&tool, data_gpa), RWX);

	/* a batch with a bad entry in the middle: the others take effect */
	gpa[0] = data_gpa;
	gpa[1] = bad_gpa;
	gpa[2] = addr_gva2gpa(vm, flag_gva);
	CHECK_EQ(set_access(&tool, 0, 3, gpa, access), -KVM_EINVAL);
	CHECK_EQ(get_one(&tool, gpa[0]), RX);
	CHECK_EQ(get_one(&tool, gpa[2]), RX);
	access[0] = RWX;
	access[2] = RWX;
	CHECK_EQ(set_access(&tool, 0, 3, gpa, access), -KVM_EINVAL);
	CHECK_EQ(get_one(&tool, gpa[0]), RWX);
	CHECK_EQ(get_one(&tool, gpa[2]), RWX);

	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_SET_PAGE_ACCESS), 0);
	CHECK_EQ(set_one(&tool, data_gpa, RX), -KVM_EPERM);
	go();
	join_ok(0);
}

/* Restrict the data page and turn PF events on for @n vCPUs. */
static void restrict_data(struct kvmi_tool *tool, int n)
{
	int i;

	CHECK_EQ(set_one(tool, data_gpa, RX), 0);
	CHECK_EQ(get_one(tool, data_gpa), RX);
	for (i = 0; i < n; i++)
		CHECK_EQ(kvmi_control_events(tool, i, KVMI_EVENT_PF, 1), 0);
}

/* One vCPU, the data page write-restricted: its first write's event. */
static void start_restricted(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr,
			     struct kvmi_event *ev, struct kvmi_event_pf *pf)
{
	start(1, tool);
	restrict_data(tool, 1);
	go();
	pf_event(tool, hdr, ev, pf);
}

/*
 * RETRY after lifting the restriction: the write lands without KVM
 * emulating it, and the next writes raise nothing.
 */
static void test_pf_write_retry(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	start_restricted(&tool, &hdr, &ev, &pf);
	CHECK_EQ(pf.gpa, data_gpa);
	CHECK_EQ(*(uint64_t *)addr_gva2hva(vm, data_gva), 0);	/* not yet */
	CHECK_EQ(set_one(&tool, data_gpa, RWX), 0);
	pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_RETRY);
	join_ok(0);
}

/*
 * CONTINUE lets each write land and keeps the restriction: one event per
 * write, the value not in memory before the reply.
 */
static void test_pf_write_continue(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t *word;
	int i;

	start(1, &tool);
	word = addr_gva2hva(vm, data_gva);
	restrict_data(&tool, 1);
	go();
	for (i = 1; i <= LOOPS; i++) {
		pf_event(&tool, &hdr, &ev, &pf);
		CHECK_EQ(pf.gpa, data_gpa);
		CHECK_EQ(*word, i - 1);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	join_ok(0);
	CHECK_EQ(get_one(&tool, data_gpa), RX);
}

/*
 * A page inside a 2 MiB region that KVM may have mapped with one huge
 * page: restricting it splits the mapping; each write to it is reported,
 * writes to the rest of the region are not.
 */
static void test_pf_huge_page(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	start_with(1, &tool, true);
	restrict_data(&tool, 1);
	go();
	for (i = 1; i <= LOOPS; i++) {
		pf_event(&tool, &hdr, &ev, &pf);
		CHECK_EQ(pf.gpa, data_gpa);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	join_ok(0);
	CHECK_EQ(*(uint64_t *)addr_gva2hva(vm, THP_GPA), 1);
}

/* The guest's function is on a page the tool made non-executable. */
static uint64_t start_exec(struct kvmi_tool *tool)
{
	vm_vaddr_t gva;
	uint64_t gpa;

	start(1, tool);
	gva = vm_vaddr_alloc_page(vm);
	memcpy(addr_gva2hva(vm, gva), code, sizeof(code));
	code_gva = gva;
	sync_global_to_guest(vm, code_gva);
	gpa = addr_gva2gpa(vm, gva);
	CHECK_EQ(set_one(tool, gpa, KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W),
		 0);
	CHECK_EQ(kvmi_control_events(tool, 0, KVMI_EVENT_PF, 1), 0);
	return gpa;
}

static void exec_event(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr,
		       struct kvmi_event *ev, uint64_t gpa, unsigned int off)
{
	struct kvmi_event_pf pf;

	kvmi_recv_event(tool, KVMI_EVENT_PF, hdr, ev, &pf, sizeof(pf));
	CHECK_EQ(pf.access, KVMI_PAGE_ACCESS_X);
	CHECK_EQ(pf.gpa, gpa + off);
	CHECK_EQ(pf.gva, code_gva + off);
	CHECK_EQ(ev->arch.regs.rip, code_gva + off);
}

#ifdef KVM_PRE_FAULT_MEMORY
/* KVM_PRE_FAULT_MEMORY of one page on vCPU 0: 0 or -errno. */
static int pre_fault(uint64_t gpa)
{
	struct kvm_pre_fault_memory r = { .gpa = gpa, .size = 4096 };

	return ioctl(vcpus[0]->fd, KVM_PRE_FAULT_MEMORY, &r) ? -errno : 0;
}
#endif

/* The guest ran every call of its function, and each returned right. */
static void join_exec(void)
{
	kvmi_runner_join(&threads[0]);
	CHECK_EQ(threads[0].report[0], loops);
	CHECK_EQ(threads[0].report[1], 0);
}

/*
 * The guest runs its loop MANY_LOOPS times: fault counts then tell a
 * restriction still in place (a fault or two per iteration) from the
 * few faults of KVM mapping pages again, whatever else the host's memory
 * management makes fault meanwhile.
 */
static void many_loops(void)
{
	loops = MANY_LOOPS;
	sync_global_to_guest(vm, loops);
}

/* The hook counted fewer page faults than a quarter of the loops. */
static void few_faults(long long before)
{
	long long n = kvmi_hook_hits("kvm_mmu_page_fault") - before;

	CHECK(n < MANY_LOOPS / 4, "the guest still faults: %lld faults for %d loops",
	      n, MANY_LOOPS);
}

/*
 * CONTINUE runs each instruction of the non-executable page in KVM's
 * emulator: one event per instruction, every call.
 */
static void test_pf_exec_continue(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t gpa;
	int i;

	gpa = start_exec(&tool);
	go();
	for (i = 0; i < LOOPS; i++) {
		exec_event(&tool, &hdr, &ev, gpa, 0);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
		exec_event(&tool, &hdr, &ev, gpa, CODE_RET);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	join_exec();
}

/* RETRY after lifting the restriction: the code then runs natively. */
static void test_pf_exec_retry(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t gpa;

	gpa = start_exec(&tool);
	go();
	exec_event(&tool, &hdr, &ev, gpa, 0);
	CHECK_EQ(set_one(&tool, gpa, RWX), 0);
	pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_RETRY);
	join_exec();
}

/* CRASH on a fetch event stops the VM before the instruction runs. */
static void test_pf_exec_crash(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t gpa;

	gpa = start_exec(&tool);
	go();
	exec_event(&tool, &hdr, &ev, gpa, 0);
	pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CRASH);
	kvmi_runner_crashed(&threads[0]);
}

/*
 * The tool dies with the function's page non-executable: the guest's
 * calls then run natively (a few faults while KVM maps the page again,
 * not two per call).
 */
static void test_exec_tool_death(void)
{
	struct kvmi_tool tool;
	long long faults;

	start_exec(&tool);
	many_loops();
	close(tool.fd);
	CHECK(kvmi_wait_count("contexts", 0, 20000),
	      "the session did not end");
	faults = kvmi_hook_hits("kvm_mmu_page_fault");
	go();
	join_exec();
	few_faults(faults);
}

/* CRASH on a PF event stops the VM; the write did not land. */
static void test_pf_crash(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	start_restricted(&tool, &hdr, &ev, &pf);
	pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CRASH);
	kvmi_runner_crashed(&threads[0]);
	CHECK_EQ(*(uint64_t *)addr_gva2hva(vm, data_gva), 0);
}

/* Without the PF event on, a restricted write just lands. */
static void test_pf_not_enabled(void)
{
	struct kvmi_tool tool;

	start(1, &tool);
	CHECK_EQ(set_one(&tool, data_gpa, RX), 0);
	go();
	join_ok(0);
}

/* Four vCPUs write the same restricted page: every write is reported. */
static void test_pf_four_vcpus(void)
{
	unsigned int count[MAX_VCPUS] = { 0 };
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	start(MAX_VCPUS, &tool);
	restrict_data(&tool, MAX_VCPUS);
	go();
	for (i = 0; i < MAX_VCPUS * LOOPS; i++) {
		pf_event(&tool, &hdr, &ev, &pf);
		CHECK(ev.vcpu < MAX_VCPUS, "vcpu %u", ev.vcpu);
		CHECK_EQ(pf.gpa, data_gpa + 8 * ev.vcpu);	/* its word */
		count[ev.vcpu]++;
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	for (i = 0; i < MAX_VCPUS; i++) {
		join_ok(i);
		CHECK_EQ(count[i], LOOPS);
	}
}

/*
 * Four vCPUs write and read back their words of one unreadable page: the
 * writes are emulated without events, every read raises one (LOOPS
 * read-backs and the read for the report, per vCPU).
 */
static void test_pf_four_vcpus_unreadable(void)
{
	unsigned int count[MAX_VCPUS] = { 0 };
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_event_pf pf;
	struct kvmi_tool tool;
	int i;

	start(MAX_VCPUS, &tool);
	CHECK_EQ(set_one(&tool, data_gpa, WX), 0);
	for (i = 0; i < MAX_VCPUS; i++)
		CHECK_EQ(kvmi_control_events(&tool, i, KVMI_EVENT_PF, 1), 0);
	go();
	for (i = 0; i < MAX_VCPUS * (LOOPS + 1); i++) {
		kvmi_recv_event(&tool, KVMI_EVENT_PF, &hdr, &ev, &pf, sizeof(pf));
		CHECK(ev.vcpu < MAX_VCPUS, "vcpu %u", ev.vcpu);
		CHECK_EQ(pf.access, KVMI_PAGE_ACCESS_R);
		CHECK_EQ(pf.gpa, data_gpa + 8 * ev.vcpu);
		count[ev.vcpu]++;
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	for (i = 0; i < MAX_VCPUS; i++) {
		join_ok(i);
		CHECK_EQ(count[i], LOOPS + 1);
	}
	no_event(&tool);
}

/*
 * The session ends (@unhook: the device manager unhooks; else the tool
 * dies) with the page restricted to @access: the restriction is lifted.
 * The MANY_LOOPS writes then fault once (KVM maps the page writable
 * again), plus a fault for the flag page, which the host's write
 * replaced under the guest, and whatever the host's memory management
 * causes; with the restriction left in place each write would fault.
 */
static void session_end(bool unhook, uint8_t access)
{
	struct kvmi_tool tool;
	long long faults;

	start(1, &tool);
	many_loops();
	restrict_data(&tool, 1);
	CHECK_EQ(set_one(&tool, data_gpa, access), 0);
	if (unhook)
		CHECK_EQ(kvmi_unhook(vm), 0);
	else
		close(tool.fd);
	/* the context is freed once the session's teardown is over */
	CHECK(kvmi_wait_count("contexts", 0, 20000),
	      "the session did not end");
	faults = kvmi_hook_hits("kvm_mmu_page_fault");
	go();
	join_ok(0);
	few_faults(faults);
}

static void test_unhook_lifts(void)
{
	session_end(true, RX);
}

static void test_tool_death_lifts(void)
{
	session_end(false, RX);
}

static void test_read_unhook_lifts(void)
{
	session_end(true, KVMI_PAGE_ACCESS_X);
}

/*
 * A memory slot deleted while restricted drops its restrictions: the
 * same gpa in a new slot starts unrestricted.
 */
static void test_slot_deleted(void)
{
	struct kvmi_tool tool;

	start(1, &tool);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, EXTRA_GPA,
				    EXTRA_SLOT, 1, 0);
	CHECK_EQ(set_one(&tool, EXTRA_GPA, RX), 0);
	CHECK_EQ(get_one(&tool, EXTRA_GPA), RX);
	vm_mem_region_delete(vm, EXTRA_SLOT);
	CHECK_EQ(get_one(&tool, EXTRA_GPA), -KVM_EINVAL);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, EXTRA_GPA,
				    EXTRA_SLOT, 1, 0);
	CHECK_EQ(get_one(&tool, EXTRA_GPA), RWX);
	go();
	join_ok(0);
}

/*
 * The guest reads a word of the data page, which the tool made
 * unreadable (writes and fetches stay allowed).
 */
static void start_read(struct kvmi_tool *tool)
{
	start(1, tool);
	read_gva = data_gva;
	sync_global_to_guest(vm, read_gva);
	*(uint64_t *)addr_gva2hva(vm, data_gva) = READ_VALUE;
	CHECK_EQ(set_one(tool, data_gpa, WX), 0);
	CHECK_EQ(kvmi_control_events(tool, 0, KVMI_EVENT_PF, 1), 0);
}

static void read_event(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr,
		       struct kvmi_event *ev)
{
	struct kvmi_event_pf pf;

	kvmi_recv_event(tool, KVMI_EVENT_PF, hdr, ev, &pf, sizeof(pf));
	CHECK_EQ(pf.access, KVMI_PAGE_ACCESS_R);
	CHECK_EQ(pf.gpa, data_gpa);
	CHECK_EQ(pf.gva, ~0ull);
	CHECK_EQ(pf.padding1 | pf.padding2 | pf.view, 0);
}

/* The guest read the right value every time. */
static void join_read(void)
{
	kvmi_runner_join(&threads[0]);
	CHECK_EQ(threads[0].report[0], LOOPS * READ_VALUE);
}

/* CONTINUE: each read runs in KVM's emulator, one event per read. */
static void test_pf_read_continue(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	start_read(&tool);
	go();
	for (i = 0; i < LOOPS; i++) {
		read_event(&tool, &hdr, &ev);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	join_read();
	no_event(&tool);
	CHECK_EQ(get_one(&tool, data_gpa), WX);
}

/* RETRY after lifting the restriction: the reads then run natively. */
static void test_pf_read_retry(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	start_read(&tool);
	go();
	read_event(&tool, &hdr, &ev);
	CHECK_EQ(set_one(&tool, data_gpa, RWX), 0);
	pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_RETRY);
	join_read();
	no_event(&tool);
}

/* CRASH on a read event stops the VM before the read completes. */
static void test_pf_read_crash(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;

	start_read(&tool);
	go();
	read_event(&tool, &hdr, &ev);
	pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CRASH);
	kvmi_runner_crashed(&threads[0]);
}

/*
 * Unreadable but writable: the guest's writes land with no event (KVM's
 * emulator runs them: the page is not mapped), each read-back raises
 * one, after its write landed (and so does the read for the report).
 */
static void test_pf_read_not_write(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t *word;
	int i;

	start(1, &tool);
	word = addr_gva2hva(vm, data_gva);
	CHECK_EQ(set_one(&tool, data_gpa, WX), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_PF, 1), 0);
	go();
	for (i = 1; i <= LOOPS + 1; i++) {	/* and the read for the report */
		read_event(&tool, &hdr, &ev);
		CHECK_EQ(*word, i <= LOOPS ? i : LOOPS);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	join_ok(0);
	no_event(&tool);
}

/*
 * Execute-only code (neither readable nor writable): every fetch from
 * the page faults and KVM's emulator runs the instruction; fetches are
 * allowed, so no event.
 */
static void test_exec_only(void)
{
	struct kvmi_tool tool;
	long long faults;
	uint64_t gpa;

	gpa = start_exec(&tool);
	CHECK_EQ(set_one(&tool, gpa, KVMI_PAGE_ACCESS_X), 0);
	faults = kvmi_hook_hits("kvm_mmu_page_fault");
	go();
	join_exec();
	CHECK(kvmi_hook_hits("kvm_mmu_page_fault") - faults >= 2 * LOOPS,
	      "only %lld faults", kvmi_hook_hits("kvm_mmu_page_fault") - faults);
	no_event(&tool);
}

/*
 * 6.12's KVM_PRE_FAULT_MEMORY maps memory without a guest fault: it must
 * not map an unreadable gfn (it gets -ENOENT, as for MMIO), while the
 * gfn's neighbours and the gfn once lifted map fine.
 */
static void test_pre_fault(void)
{
#ifdef KVM_PRE_FAULT_MEMORY
	struct kvmi_tool tool;

	start(1, &tool);
	go();
	join_ok(0);		/* the vCPU is out of KVM_RUN */
	CHECK_EQ(set_one(&tool, data_gpa, WX), 0);
	CHECK_EQ(pre_fault(data_gpa), -ENOENT);
	CHECK_EQ(pre_fault(addr_gva2gpa(vm, flag_gva)), 0);
	CHECK_EQ(set_one(&tool, data_gpa, RWX), 0);
	CHECK_EQ(pre_fault(data_gpa), 0);
#else
	printf("# no KVM_PRE_FAULT_MEMORY before 6.10\n");
	exit(KSFT_SKIP);
#endif
}

/*
 * Dirty logging on the data page's memory slot: KVM write-protects the
 * slot and makes pages writable again on their first write, but never a
 * write-restricted one.  Every write is still reported, and logged.
 */
static void test_dirty_log(void)
{
	struct userspace_mem_region *r;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t *bitmap, gfn;
	int i;

	start(1, &tool);
	restrict_data(&tool, 1);
	vm_mem_region_set_flags(vm, 0, KVM_MEM_LOG_DIRTY_PAGES);
	go();
	for (i = 1; i <= LOOPS; i++) {
		pf_event(&tool, &hdr, &ev, &pf);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	join_ok(0);
	r = memslot2region(vm, 0);
	bitmap = calloc(r->region.memory_size / vm->page_size / 64 + 1, 8);
	CHECK(bitmap, "no memory");
	kvm_vm_get_dirty_log(vm, 0, bitmap);
	gfn = (data_gpa - r->region.guest_phys_addr) >> vm->page_shift;
	CHECK(bitmap[gfn / 64] & (1ull << (gfn % 64)),
	      "the data page is not in the dirty log");
	CHECK_EQ(get_one(&tool, data_gpa), RX);
	free(bitmap);
}

/*
 * CONTINUE with singlestep: the guest runs each read itself, single-
 * stepped with the page mapped (KVM's TDP MMU maps it each time), and the
 * restriction is back after every step: one event per read.
 */
static void test_pf_read_singlestep(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	long long maps;
	int i;

	start_read(&tool);
	maps = kvmi_hook_hits("kvm_tdp_mmu_map");
	go();
	for (i = 0; i < LOOPS; i++) {
		read_event(&tool, &hdr, &ev);
		pf_reply_step(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE,
			      true);
	}
	join_read();
	no_event(&tool);
	CHECK(kvmi_hook_hits("kvm_tdp_mmu_map") - maps >= LOOPS,
	      "the page was mapped %lld times",
	      kvmi_hook_hits("kvm_tdp_mmu_map") - maps);
	CHECK_EQ(get_one(&tool, data_gpa), WX);
}

/*
 * POPCNT, which KVM's emulator does not implement, reads the unreadable
 * page: CONTINUE falls back to stepping over it.
 */
static void test_pf_read_unemulatable(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int i;

	start_read(&tool);
	read_popcnt = true;
	sync_global_to_guest(vm, read_popcnt);
	go();
	for (i = 0; i < LOOPS; i++) {
		read_event(&tool, &hdr, &ev);
		pf_reply(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE);
	}
	kvmi_runner_join(&threads[0]);
	CHECK_EQ(threads[0].report[0], LOOPS * 3);	/* popcount(7) */
	no_event(&tool);
	CHECK_EQ(get_one(&tool, data_gpa), WX);
}

/* The same for writes: the write tracking is back after every step. */
static void test_pf_write_singlestep(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event_pf pf;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t *word;
	int i;

	start(1, &tool);
	word = addr_gva2hva(vm, data_gva);
	restrict_data(&tool, 1);
	go();
	for (i = 1; i <= LOOPS; i++) {
		pf_event(&tool, &hdr, &ev, &pf);
		CHECK_EQ(*word, i - 1);
		pf_reply_step(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE,
			      true);
	}
	join_ok(0);
	no_event(&tool);
	CHECK_EQ(get_one(&tool, data_gpa), RX);
}

/* And for fetches: two events per call, as with the emulator. */
static void test_pf_exec_singlestep(void)
{
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	uint64_t gpa;
	int i;

	gpa = start_exec(&tool);
	go();
	for (i = 0; i < LOOPS; i++) {
		exec_event(&tool, &hdr, &ev, gpa, 0);
		pf_reply_step(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE,
			      true);
		exec_event(&tool, &hdr, &ev, gpa, CODE_RET);
		pf_reply_step(&tool, &hdr, &ev, KVMI_EVENT_ACTION_CONTINUE,
			      true);
	}
	join_exec();
	no_event(&tool);
}

#define PTE_ACCESSED	BIT(5)
#define PTE_DIRTY	BIT(6)
#define PTE_ADDR	0x000ffffffffff000ull

/* The guest page table (4-level paging) that maps @gva: its gpa. */
static uint64_t page_table_of(uint64_t gva)
{
	uint64_t table = vm->pgd;
	int level;

	for (level = 3; level > 0; level--) {
		uint64_t *t = addr_gpa2hva(vm, table);

		table = t[(gva >> (12 + 9 * level)) & 511] & PTE_ADDR;
	}
	return table;
}

/*
 * The page table that maps the data page is write-restricted: the CPU's
 * page walks through it fault (setting the accessed and dirty bits of
 * the data page's entry, or just walking: AMD walks with write intent).
 * They raise no PF event, KVM's emulator runs the instructions, and the
 * guest goes on with the bits set.
 */
static void page_table_walk(uint8_t access)
{
	struct kvmi_tool tool;
	long long faults;
	uint64_t pt, *pte;

	start(1, &tool);
	pt = page_table_of(data_gva);
	pte = (uint64_t *)addr_gpa2hva(vm, pt) + ((data_gva >> 12) & 511);
	CHECK(!(*pte & PTE_ACCESSED), "the data page's PTE was used: %llx",
	      (unsigned long long)*pte);
	CHECK_EQ(set_one(&tool, pt, access), 0);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_PF, 1), 0);
	faults = kvmi_hook_hits("kvm_mmu_page_fault");
	go();
	join_ok(0);
	CHECK(kvmi_hook_hits("kvm_mmu_page_fault") > faults,
	      "the page walks did not fault");
	no_event(&tool);
	CHECK((*pte & (PTE_ACCESSED | PTE_DIRTY)) == (PTE_ACCESSED | PTE_DIRTY),
	      "PTE %llx", (unsigned long long)*pte);
	CHECK_EQ(get_one(&tool, pt), access);
}

static void test_page_table_walk(void)
{
	page_table_walk(RX);
}

/*
 * The same with the page table unreadable: every walk through it faults
 * (the table is not mapped at all); still no event.
 */
static void test_page_table_unreadable(void)
{
	page_table_walk(KVMI_PAGE_ACCESS_X);
}

#define T(name) { #name, test_##name }

static const struct kvmi_test tests[] = {
	T(page_access_errors),
	T(pf_write_retry),
	T(pf_write_continue),
	T(pf_crash),
	T(pf_not_enabled),
	T(pf_four_vcpus),
	T(pf_four_vcpus_unreadable),
	T(pf_huge_page),
	T(pf_exec_continue),
	T(pf_exec_retry),
	T(pf_exec_crash),
	T(exec_tool_death),
	T(unhook_lifts),
	T(tool_death_lifts),
	T(slot_deleted),
	T(page_table_walk),
	T(pf_read_continue),
	T(pf_read_retry),
	T(pf_read_crash),
	T(pf_read_not_write),
	T(exec_only),
	T(read_unhook_lifts),
	T(page_table_unreadable),
	T(pre_fault),
	T(dirty_log),
	T(pf_read_singlestep),
	T(pf_read_unemulatable),
	T(pf_write_singlestep),
	T(pf_exec_singlestep),
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
