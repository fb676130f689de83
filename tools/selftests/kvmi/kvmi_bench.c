// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_bench: the cost of a HYPERCALL event round trip, as a ratio to a
 * plain KVM_EXIT_IO round trip measured in the same run (absolute times
 * under emulation mean nothing; the ratio says what the event path adds).
 *
 * IO: the guest writes to an I/O port N times; the VMM thread measures
 * each KVM_RUN round trip.  Event: the guest issues N event hypercalls;
 * a null tool blocks on the socket, one event in flight, and answers
 * CONTINUE; the time between two events seen by the tool is one round
 * trip (guest -> kvmi -> tool -> kvmi -> guest -> next hypercall).
 *
 * Prints "BENCH <name> <value> ..." lines.
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

static uint64_t io_ns[N], ev_ns[N];
static vm_vaddr_t flag_gva;

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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *v, int n, int p)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(long)n * p / 100];
}

static void bench_io(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_io);
	uint64_t t0, t1;
	int i;

	vcpu_run(vcpu);		/* the first exit includes startup */
	t0 = now_ns();
	for (i = 0; i < N; i++) {
		vcpu_run(vcpu);
		t1 = now_ns();
		io_ns[i] = t1 - t0;
		t0 = t1;
	}
	kvm_vm_free(vm);
}

static bool first_run_done;

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

static void bench_event(void)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_control_events c;
	} ctl = { .c = { .event_id = KVMI_EVENT_HYPERCALL, .enable = 1 } };
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
	} rpl = { .r = { .action = KVMI_EVENT_ACTION_CONTINUE,
			 .event = KVMI_EVENT_HYPERCALL } };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_hc);
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	pthread_t thread;
	uint64_t t0 = 0, t1;
	int i;

	uint64_t one = 1;

	flag_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, flag_gva);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	/* The vCPU must have run once before it takes commands. */
	pthread_create(&thread, NULL, run_vcpu, vcpu);
	while (!READ_ONCE(first_run_done))
		usleep(1000);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_EVENTS, &ctl, sizeof(ctl), NULL,
			  0), 0);
	memcpy(addr_gva2hva(vm, flag_gva), &one, sizeof(one));

	for (i = -1; i < N; i++) {
		CHECK(!kvmi_recv(&tool, &hdr, &ev, sizeof(ev), 20000),
		      "event %d missing", i);
		t1 = now_ns();
		if (i >= 0)
			ev_ns[i] = t1 - t0;
		t0 = t1;
		kvmi_send(&tool, KVMI_EVENT_REPLY, hdr.seq, &rpl, sizeof(rpl));
	}
	pthread_join(thread, NULL);
	kvm_vm_free(vm);
}

int main(void)
{
	uint64_t io50, io99, ev50, ev99;

	bench_io();
	bench_event();
	io50 = pct(io_ns, N, 50);
	io99 = pct(io_ns, N, 99);
	ev50 = pct(ev_ns, N, 50);
	ev99 = pct(ev_ns, N, 99);
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
	return 0;
}
