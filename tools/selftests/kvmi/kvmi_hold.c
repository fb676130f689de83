// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_hold: keep a VM hooked until kvmi goes away, then show that the
 * VM still runs.  Used by the in-VM test script for "rmmod kvmi while a
 * VM is hooked": it prints "ready" once hooked, and exits 0 only if the
 * session ended (socket closed by kvmi) within 60 s and the guest then
 * ran to completion.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

static vm_vaddr_t flag_gva;

static void guest_code(void)
{
	uint64_t *p = (uint64_t *)flag_gva;

	GUEST_SYNC(1);
	while (READ_ONCE(*p) != 1)
		;
	GUEST_DONE();
}

int main(void)
{
	struct kvmi_get_version_reply ver;
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t one = 1;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	flag_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, flag_gva);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver, sizeof(ver)),
		 0);
	printf("ready\n");
	fflush(stdout);

	CHECK(kvmi_wait_eof(&tool, 60000), "the session did not end");
	printf("session ended\n");

	vcpu_run(vcpu);
	CHECK_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
	memcpy(addr_gva2hva(vm, flag_gva), &one, sizeof(one));
	vcpu_run(vcpu);
	CHECK_EQ(get_ucall(vcpu, &uc), UCALL_DONE);
	printf("guest done\n");
	kvm_vm_free(vm);
	return 0;
}
