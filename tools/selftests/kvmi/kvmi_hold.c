// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_hold: keep a VM hooked until kvmi goes away, then show that the
 * VM still runs.  Used by the in-VM test script for "rmmod kvmi while a
 * VM is hooked": it prints "ready" once hooked, and exits 0 only if the
 * session ended (socket closed by kvmi) within 60 s and the guest then
 * ran to completion.  With --event, the vCPU is then waiting in a
 * HYPERCALL event that is never answered: unload must release it.  With
 * --rmap, a second VM (an introspector) has a page of the hooked VM
 * mapped: after the unload it must see its own page again, and every pin
 * must be released.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define A_PATTERN	0xa5a5a5a5a5a5a5a5ull
#define B_PATTERN	0xb6b6b6b6b6b6b6b6ull

static vm_vaddr_t flag_gva;
static bool with_event;

/* The introspector's guest: map once, then report what it reads. */
static vm_vaddr_t token_gva, map_gva;
static uint64_t src_gpa, map_gpa;

static void guest_map(void)
{
	uint64_t ret;

	asm volatile("vmmcall" : "=a"(ret)
		     : "a"(32ul), "b"(token_gva), "c"(src_gpa), "d"(map_gpa)
		     : "memory");
	for (;;)
		GUEST_SYNC_ARGS(1, ret, READ_ONCE(*(uint64_t *)map_gva), 0, 0);
}

static struct kvm_vm *bvm;
static struct kvm_vcpu *bvcpu;

/* Run the introspector once: the word it reads; *ret = the MAP's RAX. */
static uint64_t run_b(uint64_t *ret)
{
	struct ucall uc;

	vcpu_run(bvcpu);
	CHECK_EQ(get_ucall(bvcpu, &uc), UCALL_SYNC);
	if (ret)
		*ret = uc.args[2];
	return uc.args[3];
}

/* A second VM, marked as introspector, maps a page of the hooked @vm. */
static void map_into_introspector(struct kvm_vm *vm, struct kvmi_tool *tool)
{
	struct kvmi_ctl_introspector m = { .enable = 1 };
	vm_vaddr_t src = vm_vaddr_alloc_page(vm);
	uint64_t ret;
	int fd;

	*(uint64_t *)addr_gva2hva(vm, src) = A_PATTERN;
	src_gpa = addr_gva2gpa(vm, src);
	bvm = vm_create_with_one_vcpu(&bvcpu, guest_map);
	token_gva = vm_vaddr_alloc_page(bvm);
	map_gva = vm_vaddr_alloc_page(bvm);
	map_gpa = addr_gva2gpa(bvm, map_gva);
	*(uint64_t *)addr_gva2hva(bvm, map_gva) = B_PATTERN;
	sync_global_to_guest(bvm, token_gva);
	sync_global_to_guest(bvm, map_gva);
	sync_global_to_guest(bvm, src_gpa);
	sync_global_to_guest(bvm, map_gpa);
	fd = open("/dev/kvmi", O_RDWR);
	CHECK(fd >= 0, "open /dev/kvmi");
	m.vm_fd = bvm->fd;
	CHECK_EQ(ioctl(fd, KVMI_CTL_INTROSPECTOR, &m), 0);
	close(fd);
	CHECK_EQ(kvmi_cmd(tool, KVMI_GET_MAP_TOKEN, NULL, 0,
			  addr_gva2hva(bvm, token_gva),
			  sizeof(struct kvmi_mem_token)), 0);
	CHECK_EQ(run_b(&ret), A_PATTERN);
	CHECK_EQ(ret, 0);
}

/* After the unload: the introspector sees its own page, no pin is left. */
static void check_unmapped(long pins_before)
{
	int i;

	for (i = 0; i < 200 && run_b(NULL) != B_PATTERN; i++)
		usleep(100000);
	CHECK_EQ(run_b(NULL), B_PATTERN);
	for (i = 0; i < 200 && kvmi_pins_outstanding() != pins_before; i++)
		usleep(100000);
	CHECK_EQ(kvmi_pins_outstanding(), pins_before);
	printf("introspector sees its own page, pins released\n");
	kvm_vm_free(bvm);
}

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
	bool with_rmap;
	long pins = 0;

	with_event = argc > 1 && !strcmp(argv[1], "--event");
	with_rmap = argc > 1 && !strcmp(argv[1], "--rmap");
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
		if (with_rmap) {
			pins = kvmi_pins_outstanding();
			map_into_introspector(vm, &tool);
		}
		printf("ready\n");
		fflush(stdout);
		CHECK(kvmi_wait_eof(&tool, 60000), "the session did not end");
		vcpu_run(vcpu);
		CHECK_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
		if (with_rmap)
			check_unmapped(pins);
	}
	printf("session ended\n");

	memcpy(addr_gva2hva(vm, flag_gva), &one, sizeof(one));
	vcpu_run(vcpu);
	CHECK_EQ(get_ucall(vcpu, &uc), UCALL_DONE);
	printf("guest done\n");
	kvm_vm_free(vm);
	return 0;
}
