// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm_ioctl_passthrough: a VM ioctl that no one knows reaches KVM
 * unchanged, with kvmi loaded (--hooked) and without it (--unhooked).
 *
 * _IO(KVMIO, 0xfe) fails with ENOTTY.  With kvmi loaded, the hit counter
 * of the kvm_arch_vm_ioctl hook moves by exactly one across that single
 * ioctl and the function is listed in enabled_functions; without it,
 * neither exists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "hooks.h"

#define SYMBOL "kvm_arch_vm_ioctl"

int main(int argc, char *argv[])
{
	bool hooked = argc == 2 && !strcmp(argv[1], "--hooked");
	long long before, after;
	struct kvm_vm *vm;
	int ret, err;

	if (argc != 2 || (!hooked && strcmp(argv[1], "--unhooked")))
		ksft_exit_fail_msg("usage: %s --hooked|--unhooked\n", argv[0]);

	ksft_print_header();
	ksft_set_plan(3);

	vm = vm_create_barebones();
	before = hook_hits(SYMBOL);
	ret = ioctl(vm->fd, _IO(KVMIO, 0xfe), 0);
	err = errno;
	after = hook_hits(SYMBOL);
	ksft_test_result(ret == -1 && err == ENOTTY,
			 "ioctl_answer # ret %d errno %d, expected -1 and ENOTTY (%d)\n",
			 ret, err, ENOTTY);

	check_hook_state(hooked, SYMBOL, before, after);
	kvm_vm_free(vm);
	return ksft_get_fail_cnt() ? KSFT_FAIL : KSFT_PASS;
}
