// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_bench: the cost of HYPERCALL and PF event round trips, as ratios
 * to a plain KVM_EXIT_IO round trip measured in the same run (absolute
 * times under emulation mean nothing; the ratio says what the event path
 * adds), and the cost of restricting 262,144 gfns.
 *
 * IO: the guest writes to an I/O port N times; the VMM thread measures
 * each KVM_RUN round trip.  Events: the guest issues N event hypercalls
 * (or N writes to a write-restricted page, N writes of CR4 or of the
 * LSTAR MSR with their own values); a null tool blocks on the
 * socket, one event in flight, and answers CONTINUE; the time between two
 * events seen by the tool is one round trip (guest -> kvmi -> tool ->
 * kvmi -> guest -> next hypercall or write).  Restricting: SET_PAGE_ACCESS
 * batches of 511 entries (the most a message holds) over a 1 GiB memory
 * slot, timed, with the kernel's slab and vmalloc use read from
 * /proc/meminfo before and after (after a first restriction that made KVM
 * allocate its write-tracking arrays, a fixed cost per memory slot).
 * Then the HYPERCALL round trip with direct_reply off (relayed by the
 * receive thread), and its breakdown from the kvmi_event_reply
 * tracepoint.
 *
 * Prints "BENCH <name> <value> <unit> target <op> <target>" lines.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define N 5000
#define BENCH_PORT 0x4b56

#define PA_SLOT		1
#define PA_GPA		BIT_ULL(32)
#define PA_GFNS		262144		/* 1 GiB */
#define PA_BATCH	511

static uint64_t io_ns[N], ev_ns[N], pf_ns[N], cr_ns[N], msr_ns[N];
static uint64_t *tool_ns;	/* if set: the null tool's own time per event */
static vm_vaddr_t flag_gva, data_gva;

static void guest_io(void)
{
	int i;

	for (i = 0; i < N + 1; i++)
		asm volatile("outb %%al, %%dx" : : "a"(0), "d"(BENCH_PORT));
	GUEST_DONE();
}

static void guest_hc(void)
{
	uint64_t ret;
	int i;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	for (i = 0; i < N + 1; i++)
		asm volatile("vmmcall" : "=a"(ret) : "a"(34ul), "D"(24ul),
			     "S"(0ul) : "memory");
	GUEST_DONE();
}

static void guest_pf(void)
{
	int i;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	for (i = 0; i < N + 1; i++)
		WRITE_ONCE(*(uint64_t *)data_gva, i);
	GUEST_DONE();
}

static void guest_cr(void)
{
	unsigned long cr4;
	int i;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	for (i = 0; i < N + 1; i++) {
		asm volatile("mov %%cr4, %0" : "=r"(cr4));
		asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	}
	GUEST_DONE();
}

#define LSTAR 0xc0000082u

static void guest_msr(void)
{
	uint64_t v = rdmsr(LSTAR);
	int i;

	GUEST_SYNC(0);
	while (!READ_ONCE(*(uint64_t *)flag_gva))
		;
	for (i = 0; i < N + 1; i++)
		wrmsr(LSTAR, v);
	GUEST_DONE();
}

static void bench_io(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_io);
	uint64_t t0, t1;
	int i;

	vcpu_run(vcpu);		/* the first exit includes startup */
	t0 = kvmi_now_ns();
	for (i = 0; i < N; i++) {
		vcpu_run(vcpu);
		t1 = kvmi_now_ns();
		io_ns[i] = t1 - t0;
		t0 = t1;
	}
	kvm_vm_free(vm);
}

static bool first_run_done;

/* A vCPU command the null tool sends before it turns the event on. */
static const void *null_tool_prepare;
static uint16_t null_tool_prepare_id;
static size_t null_tool_prepare_len;

/* Every run in one thread: vCPU work goes to the thread that last ran it. */
static void *run_vcpu(void *arg)
{
	struct ucall uc;

	vcpu_run(arg);
	CHECK_EQ(get_ucall(arg, &uc), UCALL_SYNC);
	WRITE_ONCE(first_run_done, true);
	vcpu_run(arg);
	CHECK_EQ(get_ucall(arg, &uc), UCALL_DONE);
	return NULL;
}

/*
 * A null tool: turn the event on, let the guest go, answer CONTINUE to N
 * + 1 events of id @event (with @rpl_len bytes of reply data), timing
 * each round trip into @ns.  CR and MSR replies carry the value the
 * guest writes (new_value of the event, at offset 16 of its payload).
 */
static void null_tool(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
		      struct kvmi_tool *tool, uint16_t event, size_t rpl_len,
		      uint64_t *ns)
{
	static char body[KVMI_MSG_SIZE];
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
		union {
			struct kvmi_event_pf_reply pf;
			uint64_t new_val;
		} data;
	} rpl = { .r = { .action = KVMI_EVENT_ACTION_CONTINUE,
			 .event = event } };
	bool echo = event == KVMI_EVENT_CR || event == KVMI_EVENT_MSR;
	struct kvmi_msg_hdr hdr;
	pthread_t thread;
	uint64_t t0 = 0, t1, one = 1;
	int i;

	/* The vCPU must have run once before it takes commands. */
	first_run_done = false;
	pthread_create(&thread, NULL, run_vcpu, vcpu);
	while (!READ_ONCE(first_run_done))
		usleep(1000);
	if (null_tool_prepare) {
		CHECK_EQ(kvmi_cmd(tool, null_tool_prepare_id, null_tool_prepare,
				  null_tool_prepare_len, NULL, 0), 0);
		null_tool_prepare = NULL;
	}
	CHECK_EQ(kvmi_control_events(tool, 0, event, 1), 0);
	memcpy(addr_gva2hva(vm, flag_gva), &one, sizeof(one));

	for (i = -1; i < N; i++) {
		CHECK(!kvmi_recv(tool, &hdr, body, sizeof(body), 20000),
		      "event %d missing", i);
		t1 = kvmi_now_ns();
		if (i >= 0)
			ns[i] = t1 - t0;
		t0 = t1;
		if (echo)
			memcpy(&rpl.data.new_val,
			       body + sizeof(struct kvmi_event) + 16, 8);
		kvmi_send(tool, KVMI_EVENT_REPLY, hdr.seq, &rpl,
			  offsetof(typeof(rpl), data) + rpl_len);
		if (tool_ns && i >= 0)
			tool_ns[i] = kvmi_now_ns() - t1;
	}
	pthread_join(thread, NULL);
}

/* A hooked VM running @guest, with the flag and a data page. */
static struct kvm_vm *hooked_vm(void *guest, struct kvm_vcpu **vcpu,
				struct kvmi_tool *tool)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest);

	flag_gva = vm_vaddr_alloc_page(vm);
	data_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, flag_gva);
	sync_global_to_guest(vm, data_gva);
	kvmi_hook(vm, tool);
	kvmi_allow_all(vm);
	return vm;
}

static void bench_event(uint64_t *ns)
{
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm = hooked_vm(guest_hc, &vcpu, &tool);

	null_tool(vm, vcpu, &tool, KVMI_EVENT_HYPERCALL, 0, ns);
	kvm_vm_free(vm);
	close(tool.fd);
}

#define TRACING "/sys/kernel/tracing/"

/*
 * Where a HYPERCALL round trip goes, from the kvmi_event_reply tracepoint
 * (its latency_ns: from kvmi sending the event to kvmi accepting the
 * reply) and the null tool's own time (from its read of the event to the
 * end of its write of the reply), one run of N events with the
 * tracepoint on.  The rest of the round trip is the vCPU going back to
 * the guest and the guest's next hypercall up to kvmi sending its event.
 */
static void bench_breakdown(void)
{
	static uint64_t rtt[N], tool[N], lat[N];
	char line[512], *p;
	uint64_t rtt50, tool50, lat50;
	FILE *f;
	int n = 0;

	if (!kvmi_write_file(TRACING "trace", "") ||
	    !kvmi_write_file(TRACING "events/kvmi/kvmi_event_reply/enable", "1")) {
		printf("# no tracing: no breakdown\n");
		return;
	}
	tool_ns = tool;
	bench_event(rtt);
	tool_ns = NULL;
	kvmi_write_file(TRACING "events/kvmi/kvmi_event_reply/enable", "0");
	f = fopen(TRACING "trace", "r");
	CHECK(f, "cannot read the trace");
	while (n < N && fgets(line, sizeof(line), f)) {
		p = strstr(line, " latency_ns=");
		if (p && strstr(line, "kvmi_event_reply:"))
			lat[n++] = strtoull(p + 12, NULL, 10);
	}
	fclose(f);
	kvmi_write_file(TRACING "trace", "");
	if (n < N / 2) {
		printf("# %d kvmi_event_reply lines traced: no breakdown\n", n);
		return;
	}
	rtt50 = kvmi_percentile(rtt, N, 50);
	tool50 = kvmi_percentile(tool, N, 50);
	lat50 = kvmi_percentile(lat, n, 50);
	printf("BENCH hc_event_traced_roundtrip_p50_ns %llu ns target none\n",
	       (unsigned long long)rtt50);
	printf("BENCH hc_event_part_sent_to_reply_p50_ns %llu ns target none\n",
	       (unsigned long long)lat50);
	printf("BENCH hc_event_part_tool_p50_ns %llu ns target none\n",
	       (unsigned long long)tool50);
	printf("BENCH hc_event_part_reply_to_next_send_p50_ns %lld ns target none\n",
	       (long long)rtt50 - (long long)lat50);
}

/*
 * The same hypercall events with the module parameter direct_reply off:
 * every reply goes through the receive thread, as before kvmi let the
 * waiting vCPU read its own.  Two rounds of each, interleaved.
 */
static void bench_event_relay(uint64_t io50)
{
	static uint64_t on[2 * N], off[2 * N];
	uint64_t on50, off50;
	int r;

	for (r = 0; r < 2; r++) {
		bench_event(on + r * N);
		CHECK(kvmi_set_param("direct_reply", "N"), "direct_reply");
		bench_event(off + r * N);
		CHECK(kvmi_set_param("direct_reply", "Y"), "direct_reply");
	}
	on50 = kvmi_percentile(on, 2 * N, 50);
	off50 = kvmi_percentile(off, 2 * N, 50);
	printf("BENCH hc_event_roundtrip_relay_p50_ratio %.2f x target none\n",
	       (double)off50 / io50);
	printf("BENCH hc_event_direct_over_relay_p50 %.2f x target < 1.0\n",
	       (double)on50 / off50);
}

/* SET_PAGE_ACCESS of gfns [@first, @first + @n) to @access. */
static void set_range(struct kvmi_tool *tool, uint64_t first, int n,
		      uint8_t access)
{
	static struct {
		struct kvmi_set_page_access c;
		struct kvmi_page_access_entry e[PA_BATCH];
	} req;
	int i;

	CHECK(n <= PA_BATCH, "batch of %d", n);
	memset(&req, 0, sizeof(req));
	req.c.count = n;
	for (i = 0; i < n; i++) {
		req.e[i].gpa = (first + i) << 12;
		req.e[i].access = access;
	}
	CHECK_EQ(kvmi_cmd(tool, KVMI_SET_PAGE_ACCESS, &req,
			  sizeof(req.c) + n * sizeof(req.e[0]), NULL, 0), 0);
}

static void bench_pf(void)
{
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm = hooked_vm(guest_pf, &vcpu, &tool);

	set_range(&tool, addr_gva2gpa(vm, data_gva) >> 12, 1,
		  KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_X);
	null_tool(vm, vcpu, &tool, KVMI_EVENT_PF,
		  sizeof(struct kvmi_event_pf_reply), pf_ns);
	kvm_vm_free(vm);
}

static void bench_cr(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_control_cr c;
	} req = { .c = { .enable = 1, .cr = 4 } };
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm = hooked_vm(guest_cr, &vcpu, &tool);

	null_tool_prepare = &req;
	null_tool_prepare_id = KVMI_CONTROL_CR;
	null_tool_prepare_len = sizeof(req);
	null_tool(vm, vcpu, &tool, KVMI_EVENT_CR, 8, cr_ns);
	kvm_vm_free(vm);
}

static void bench_msr(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_control_msr c;
	} req = { .c = { .enable = 1, .msr = LSTAR } };
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm = hooked_vm(guest_msr, &vcpu, &tool);

	null_tool_prepare = &req;
	null_tool_prepare_id = KVMI_CONTROL_MSR;
	null_tool_prepare_len = sizeof(req);
	null_tool(vm, vcpu, &tool, KVMI_EVENT_MSR, 8, msr_ns);
	kvm_vm_free(vm);
}

static void bench_page_access(void)
{
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm = hooked_vm(guest_pf, &vcpu, &tool);
	uint64_t gfn = PA_GPA >> 12, t0, t1;
	long kb0, kb1;
	int done, n;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, PA_GPA, PA_SLOT,
				    PA_GFNS, 0);
	/* KVM's write tracking arrays, per memory slot, come first */
	set_range(&tool, gfn, 1, KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_X);
	set_range(&tool, gfn, 1, KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W |
		  KVMI_PAGE_ACCESS_X);
	kb0 = kvmi_kernel_kb();
	t0 = kvmi_now_ns();
	for (done = 0; done < PA_GFNS; done += n) {
		n = PA_GFNS - done < PA_BATCH ? PA_GFNS - done : PA_BATCH;
		set_range(&tool, gfn + done, n,
			  KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_X);
	}
	t1 = kvmi_now_ns();
	kb1 = kvmi_kernel_kb();
	printf("BENCH page_access_set_262144_gfns_ms %.1f ms target none\n",
	       (t1 - t0) / 1e6);
	printf("BENCH page_access_set_ns_per_gfn %.0f ns target none\n",
	       (double)(t1 - t0) / PA_GFNS);
	printf("BENCH page_access_bytes_per_gfn %.2f bytes target <= 2\n",
	       (double)(kb1 - kb0) * 1024 / PA_GFNS);
	kvm_vm_free(vm);
}

static void print_event(const char *name, uint64_t *ns, uint64_t io50,
			uint64_t io99)
{
	uint64_t p50 = kvmi_percentile(ns, N, 50);
	uint64_t p99 = kvmi_percentile(ns, N, 99);

	printf("BENCH %s_event_roundtrip_p50_ns %llu\n", name,
	       (unsigned long long)p50);
	printf("BENCH %s_event_roundtrip_p50_ratio %.2f x target <= 2.0\n",
	       name, (double)p50 / io50);
	printf("BENCH %s_event_roundtrip_p99_ratio %.2f x target <= 2.0\n",
	       name, (double)p99 / io99);
}

int main(void)
{
	uint64_t io50, io99, ev50, ev99, pf50, pf99;

	bench_io();
	bench_event(ev_ns);
	bench_pf();
	io50 = kvmi_percentile(io_ns, N, 50);
	io99 = kvmi_percentile(io_ns, N, 99);
	ev50 = kvmi_percentile(ev_ns, N, 50);
	ev99 = kvmi_percentile(ev_ns, N, 99);
	printf("BENCH io_roundtrip_p50_ns %llu\n", (unsigned long long)io50);
	printf("BENCH io_roundtrip_p99_ns %llu\n", (unsigned long long)io99);
	printf("BENCH hc_event_roundtrip_p50_ns %llu\n",
	       (unsigned long long)ev50);
	printf("BENCH hc_event_roundtrip_p99_ns %llu\n",
	       (unsigned long long)ev99);
	printf("BENCH hc_event_roundtrip_p50_ratio %.2f x target <= 2.0\n",
	       (double)ev50 / io50);
	printf("BENCH hc_event_roundtrip_p99_ratio %.2f x target <= 2.0\n",
	       (double)ev99 / io99);
	pf50 = kvmi_percentile(pf_ns, N, 50);
	pf99 = kvmi_percentile(pf_ns, N, 99);
	printf("BENCH pf_event_roundtrip_p50_ns %llu\n",
	       (unsigned long long)pf50);
	printf("BENCH pf_event_roundtrip_p50_ratio %.2f x target <= 2.0\n",
	       (double)pf50 / io50);
	printf("BENCH pf_event_roundtrip_p99_ratio %.2f x target <= 2.0\n",
	       (double)pf99 / io99);
	bench_cr();
	bench_msr();
	print_event("cr", cr_ns, io50, io99);
	print_event("msr", msr_ns, io50, io99);
	bench_event_relay(io50);
	fflush(stdout);
	bench_breakdown();
	fflush(stdout);
	bench_page_access();
	return 0;
}
