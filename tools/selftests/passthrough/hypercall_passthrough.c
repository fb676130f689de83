// SPDX-License-Identifier: GPL-2.0-only
/*
 * hypercall_passthrough: a hypercall that no one knows reaches KVM
 * unchanged, with kvmi loaded (--hooked) and without it (--unhooked).
 *
 * The guest issues hypercall 0x4b560001 once and reports RAX.  KVM
 * answers -KVM_ENOSYS.  With kvmi loaded, the hit counter of the
 * kvm_emulate_hypercall hook moves by exactly one and the function is
 * listed in enabled_functions; without it, neither debugfs directory nor
 * the ftrace entry exists.  (The selftests' ucalls use port I/O, not
 * hypercalls, so the guest makes exactly one.)
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include <linux/kvm_para.h>

#include "hooks.h"

#define CUSTOM_HC 0x4b560001ul
#define SYMBOL "kvm_emulate_hypercall"

static void guest_code(void)
{
	uint64_t ret = kvm_hypercall(CUSTOM_HC, 0, 0, 0, 0);

	GUEST_SYNC_ARGS(1, ret, 0, 0, 0);
	GUEST_DONE();
}

int main(int argc, char *argv[])
{
	bool hooked = argc == 2 && !strcmp(argv[1], "--hooked");
	struct kvm_vcpu *vcpu;
	long long before, after;
	struct kvm_vm *vm;
	struct ucall uc;
	int64_t rax;

	if (argc != 2 || (!hooked && strcmp(argv[1], "--unhooked")))
		ksft_exit_fail_msg("usage: %s --hooked|--unhooked\n", argv[0]);

	ksft_print_header();
	ksft_set_plan(3);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	before = hook_hits(SYMBOL);
	vcpu_run(vcpu);
	after = hook_hits(SYMBOL);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "no UCALL_SYNC");
	rax = uc.args[2];
	ksft_test_result(rax == -KVM_ENOSYS, "hypercall_answer # rax %lld, expected %d\n",
			 (long long)rax, -KVM_ENOSYS);

	check_hook_state(hooked, SYMBOL, before, after);
	kvm_vm_free(vm);
	return ksft_get_fail_cnt() ? KSFT_FAIL : KSFT_PASS;
}
