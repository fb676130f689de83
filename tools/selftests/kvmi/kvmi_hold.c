// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_hold: keep a VM hooked until kvmi goes away, then show that the
 * VM still runs.  Used by the in-VM test script for "rmmod kvmi while a
 * VM is hooked": it prints "ready" once hooked, and exits 0 only if the
 * session ended (socket closed by kvmi) within 60 s and the guest then
 * ran to completion.  With --event, the vCPU is then waiting in a
 * HYPERCALL event that is never answered: unload must release it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

static vm_vaddr_t flag_gva;
static bool with_event;

static void guest_code(void)
{
	uint64_t *p = (uint64_t *)flag_gva;
	uint64_t ret;

	GUEST_SYNC(0);
	if (READ_ONCE(with_event)) {
		while (READ_ONCE(*p) != 2)
			;
		asm volatile("vmmcall" : "=a"(ret) : "a"(34ul), "D"(24ul),
			     "S"(0ul) : "memory");
	}
	GUEST_SYNC(1);
	while (READ_ONCE(*p) != 1)
		;
	GUEST_DONE();
}

static bool first_run_done;

/*
 * All runs of the vCPU happen in this thread, as under a VMM: work for a
 * vCPU goes to the thread that last ran it.
 */
static void *run_twice(void *arg)
{
	struct ucall uc;

	vcpu_run(arg);
	CHECK_EQ(get_ucall(arg, &uc), UCALL_SYNC);
	WRITE_ONCE(first_run_done, true);
	vcpu_run(arg);
	CHECK_EQ(get_ucall(arg, &uc), UCALL_SYNC);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct kvmi_get_version_reply ver;
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t one = 1;

	with_event = argc > 1 && !strcmp(argv[1], "--event");
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	flag_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, flag_gva);
	sync_global_to_guest(vm, with_event);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver, sizeof(ver)),
		 0);
	if (with_event) {
		struct {
			struct kvmi_vcpu_hdr vh;
			struct kvmi_control_events c;
		} ctl = { .c = { .event_id = KVMI_EVENT_HYPERCALL,
				 .enable = 1 } };
		uint64_t two = 2;
		struct kvmi_msg_hdr hdr;
		struct kvmi_event ev;
		pthread_t thread;

		pthread_create(&thread, NULL, run_twice, vcpu);
		while (!READ_ONCE(first_run_done))
			usleep(1000);
		CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_EVENTS, &ctl, sizeof(ctl),
				  NULL, 0), 0);
		memcpy(addr_gva2hva(vm, flag_gva), &two, sizeof(two));
		CHECK(!kvmi_recv(&tool, &hdr, &ev, sizeof(ev), 20000),
		      "no event");
		CHECK_EQ(ev.event, KVMI_EVENT_HYPERCALL);
		printf("ready\n");
		fflush(stdout);
		CHECK(kvmi_wait_eof(&tool, 60000), "the session did not end");
		pthread_join(thread, NULL);	/* released by the unload */
	} else {
		vcpu_run(vcpu);
		CHECK_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
		printf("ready\n");
		fflush(stdout);
		CHECK(kvmi_wait_eof(&tool, 60000), "the session did not end");
		vcpu_run(vcpu);
		CHECK_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
	}
	printf("session ended\n");

	memcpy(addr_gva2hva(vm, flag_gva), &one, sizeof(one));
	vcpu_run(vcpu);
	CHECK_EQ(get_ucall(vcpu, &uc), UCALL_DONE);
	printf("guest done\n");
	kvm_vm_free(vm);
	return 0;
}
