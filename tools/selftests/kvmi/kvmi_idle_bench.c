// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_idle_bench: guest exits per second of a tight exit loop (CPUID,
 * which KVM handles in the kernel), best of PASSES runs.  With --hook the
 * VM is hooked with everything allowed and no event enabled; without it
 * the program does not touch kvmi, so it also runs with kvmi.ko not
 * loaded.  scripts/vm/bench.sh interleaves the cases and prints the
 * ratio.  Prints "IDLE <mode> <exits/s>".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define EXITS	50000
#define PASSES	2

static void guest_code(void)
{
	uint32_t a, b, c, d;
	int i;

	for (;;) {
		for (i = 0; i < EXITS; i++) {
			a = 0;
			c = 0;
			asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		}
		GUEST_SYNC(1);
	}
}

int main(int argc, char *argv[])
{
	bool hook = argc > 1 && !strcmp(argv[1], "--hook");
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	struct kvmi_tool tool;
	uint64_t best = ~0ull, t;
	struct ucall uc;
	int i;

	if (hook) {
		kvmi_hook(vm, &tool);
		kvmi_allow_all(vm);
	}
	vcpu_run(vcpu);		/* warm-up */
	for (i = 0; i < PASSES; i++) {
		t = kvmi_now_ns();
		vcpu_run(vcpu);
		t = kvmi_now_ns() - t;
		CHECK_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
		best = t < best ? t : best;
	}
	printf("IDLE %s %.0f\n", hook ? "hooked" : "plain",
	       EXITS / (best / 1e9));
	return 0;
}
