// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intercepts: the registers and instructions behind the CR, MSR and
 * XSETBV events, and turning exits on that KVM leaves off.
 *
 * CR0 and CR4 writes reach kvm_set_cr0/4() on both vendors without help
 * (SVM: the selective CR0 intercept, so a write that changes only CR0.TS
 * or CR0.MP is not seen; VMX: bits the guest owns, CR0.TS and CR0.WP with
 * EPT and several CR4 bits, are not seen).  CR3 writes do not exit with
 * nested paging: on SVM we set the CR3 write intercept in the VMCB
 * ourselves; on VMX this is not implemented (-EOPNOTSUPP).
 *
 * Descriptor-table instructions (LIDT/SIDT, LGDT/SGDT, LLDT/SLDT, LTR/STR)
 * exit on SVM when kvmi sets their intercepts; KVM has no handler for
 * these exits, so kvmi completes them with KVM's instruction emulator.
 * On VMX this is not implemented (-EOPNOTSUPP).
 *
 * MSR writes the guest may do without an exit are made to exit through
 * kvm_msr_allowed() (hooks.c), which both vendors ask when they build
 * their MSR bitmaps; KVM_REQ_MSR_FILTER_CHANGED makes them ask again.
 */
#include <linux/kvm_host.h>
#include <asm/svm.h>
#include <linux/kvmi.h>

#include "hooks.h"
#include "stubs.h"
#include "symbols.h"

/**
 * kvmi_vcpu_read_cr() - a control register, as KVM_GET_SREGS reads it
 * @vcpu: the vCPU, loaded by the current thread
 * @cr: 0, 3 or 4
 */
unsigned long kvmi_vcpu_read_cr(struct kvm_vcpu *vcpu, unsigned int cr)
{
	struct kvm_sregs sregs;

	kvmi_stub___get_sregs(vcpu, &sregs);
	switch (cr) {
	case 0:
		return sregs.cr0;
	case 3:
		return sregs.cr3;
	default:
		return sregs.cr4;
	}
}

/* Write a control register through KVM (the original kvm_set_cr*()). */
int kvmi_vcpu_set_cr(struct kvm_vcpu *vcpu, unsigned int cr,
		     unsigned long val)
{
	switch (cr) {
	case 0:
		return kvmi_stub_kvm_set_cr0(vcpu, val);
	case 3:
		return kvmi_stub_kvm_set_cr3(vcpu, val);
	default:
		return kvmi_stub_kvm_set_cr4(vcpu, val);
	}
}

/* The operands of the WRMSR being emulated: ECX and EDX:EAX. */
void kvmi_vcpu_wrmsr_args(struct kvm_vcpu *vcpu, u32 *msr, u64 *val)
{
	*msr = (u32)vcpu->arch.regs[VCPU_REGS_RCX];
	*val = (u32)vcpu->arch.regs[VCPU_REGS_RAX] |
	       (u64)(u32)vcpu->arch.regs[VCPU_REGS_RDX] << 32;
}

/**
 * kvmi_vcpu_emulate_wrmsr() - complete the WRMSR with another value
 * @vcpu: the vCPU, loaded, in its WRMSR exit
 * @val: the value to write instead of EDX:EAX
 *
 * KVM's own handler runs with EDX:EAX set to @val; the guest's RAX and
 * RDX are put back afterwards (WRMSR does not change them).
 *
 * Return: the exit handler's result.
 */
int kvmi_vcpu_emulate_wrmsr(struct kvm_vcpu *vcpu, u64 val)
{
	unsigned long rax = vcpu->arch.regs[VCPU_REGS_RAX];
	unsigned long rdx = vcpu->arch.regs[VCPU_REGS_RDX];
	int ret;

	vcpu->arch.regs[VCPU_REGS_RAX] = (u32)val;
	vcpu->arch.regs[VCPU_REGS_RDX] = val >> 32;
	ret = kvmi_stub_kvm_emulate_wrmsr(vcpu);
	vcpu->arch.regs[VCPU_REGS_RAX] = rax;
	vcpu->arch.regs[VCPU_REGS_RDX] = rdx;
	return ret;
}

/* Make the vendor module rebuild the vCPU's MSR bitmap before entry. */
void kvmi_vcpu_msr_intercepts_changed(struct kvm_vcpu *vcpu)
{
	kvm_make_request(KVM_REQ_MSR_FILTER_CHANGED, vcpu);
	kvm_vcpu_kick(vcpu);
}

/*
 * struct vcpu_svm (svm/svm.h, not in linux-headers) starts with the
 * struct kvm_vcpu, followed by the current VMCB and vmcb01 (pointer,
 * physical address).  Only these fields are used; the physical address
 * checks that the layout is the one expected.
 */
struct kvmi_svm_head {
	struct vmcb *vmcb;
	struct vmcb *vmcb01;
	unsigned long vmcb01_pa;
};

/* VMCB clean bit of the intercept vectors (svm.h's VMCB_INTERCEPTS). */
#define KVMI_VMCB_CLEAN_INTERCEPTS	0

/*
 * Nested paging on kvm_amd (a read-only parameter, read once at load):
 * KVM then never intercepts CR3 writes itself, so the intercept is ours.
 */
static bool svm_npt;
static bool svm_npt_known;

/* Context: module init, after the vendor module is pinned. */
void kvmi_intercept_init(void)
{
	bool *npt;

	if (!kvmi_vendor_is_amd())
		return;
	npt = (bool *)kvmi_lookup("kvm_amd", "npt_enabled");
	if (!npt) {
		pr_warn("kvmi: cannot resolve kvm_amd:npt_enabled: CR3 events off\n");
		return;
	}
	svm_npt = READ_ONCE(*npt);
	svm_npt_known = true;
}

/* The vCPU's vmcb01, or NULL where kvmi cannot change its intercepts. */
static struct vmcb *svm_vmcb01(struct kvm_vcpu *vcpu)
{
	struct kvmi_svm_head *head = (void *)vcpu + sizeof(*vcpu);

	if (!kvmi_vendor_is_amd() || vcpu->arch.guest_state_protected)
		return NULL;
	if (!virt_addr_valid(head->vmcb01) ||
	    __pa(head->vmcb01) != head->vmcb01_pa) {
		pr_warn_once("kvmi: struct vcpu_svm is not laid out as expected\n");
		return NULL;
	}
	return head->vmcb01;
}

/* Set or clear intercept bits @first..@last; reload them if changed. */
static void set_intercepts(struct vmcb *vmcb, int first, int last, bool on)
{
	unsigned long *bits = (unsigned long *)vmcb->control.intercepts;
	bool changed = false;
	int i;

	for (i = first; i <= last; i++) {
		if (test_bit(i, bits) == on)
			continue;
		if (on)
			__set_bit(i, bits);
		else
			__clear_bit(i, bits);
		changed = true;
	}
	if (changed)
		vmcb->control.clean &= ~BIT(KVMI_VMCB_CLEAN_INTERCEPTS);
}

/**
 * kvmi_vcpu_cr3_intercept() - make CR3 writes exit, or stop
 * @vcpu: the vCPU, loaded by the current thread
 * @on: the new state
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 * Return: 0, or -EOPNOTSUPP where kvmi cannot change this intercept
 * (VMX; SVM without nested paging needs no change: KVM intercepts CR3
 * writes itself and @on is then accepted without effect).
 */
int kvmi_vcpu_cr3_intercept(struct kvm_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb;

	if (svm_npt_known && !svm_npt)
		return 0;
	vmcb = svm_npt ? svm_vmcb01(vcpu) : NULL;
	if (!vmcb)
		return -EOPNOTSUPP;
	set_intercepts(vmcb, INTERCEPT_CR3_WRITE, INTERCEPT_CR3_WRITE, on);
	return 0;
}

/**
 * kvmi_vcpu_desc_intercept() - make descriptor-table instructions exit
 * @vcpu: the vCPU, loaded by the current thread
 * @on: the new state
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 * Return: 0, or -EOPNOTSUPP (VMX, protected guest state, unknown layout).
 */
int kvmi_vcpu_desc_intercept(struct kvm_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = svm_vmcb01(vcpu);

	if (!vmcb)
		return -EOPNOTSUPP;
	/* KVM does not handle these exits: the exit hook does */
	if (on && kvmi_hooks_arm_exit())
		return -EOPNOTSUPP;
	set_intercepts(vmcb, INTERCEPT_STORE_IDTR, INTERCEPT_LOAD_TR, on);
	return 0;
}

/**
 * kvmi_vcpu_desc_exit() - decode a descriptor-table exit
 * @exit_code: an SVM exit code
 * @desc: out, KVMI_DESC_*
 * @write: out, 1 for a load (LxDT, LTR), 0 for a store
 *
 * Return: true if @exit_code is one.
 */
bool kvmi_vcpu_desc_exit(u64 exit_code, u8 *desc, u8 *write)
{
	if (exit_code < SVM_EXIT_IDTR_READ || exit_code > SVM_EXIT_TR_WRITE)
		return false;
	/* IDTR, GDTR, LDTR, TR reads, then the same four writes */
	*desc = KVMI_DESC_IDTR + (exit_code - SVM_EXIT_IDTR_READ) % 4;
	*write = exit_code >= SVM_EXIT_IDTR_WRITE;
	return true;
}

/* Execute the instruction that exited with KVM's emulator. */
int kvmi_vcpu_emulate_insn(struct kvm_vcpu *vcpu)
{
	return kvm_emulate_instruction(vcpu, 0);
}

/* Exported by kvm.ko, declared in its private x86.h. */
int x86_decode_emulated_instruction(struct kvm_vcpu *vcpu, int emulation_type,
				    void *insn, int insn_len);

/*
 * Can KVM's emulator decode the vCPU's next instruction?  (Decoding is
 * where it refuses what it does not implement; EMULATION_OK is 0.)
 */
bool kvmi_vcpu_can_emulate(struct kvm_vcpu *vcpu)
{
	return x86_decode_emulated_instruction(vcpu, 0, NULL, 0) == 0;
}

/*
 * A CR3 write exited but nobody monitors it: the intercept is a leftover
 * of a session that ended, so turn it off (with nested paging KVM never
 * wants it).
 */
void kvmi_vcpu_cr3_intercept_drop(struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb;

	if (!svm_npt || (vcpu->arch.hflags & HF_GUEST_MASK))
		return;
	vmcb = svm_vmcb01(vcpu);
	if (vmcb)
		set_intercepts(vmcb, INTERCEPT_CR3_WRITE, INTERCEPT_CR3_WRITE,
			       false);
}
