// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM services for remote mapping (the core is host/rmap.c): the map
 * hypercalls' arguments, the caller's privilege level, reading the token
 * from the caller's memory, pinning the introspected VM's page and the
 * introspector's side of the mapping.
 *
 * How a mapping is made visible: the introspector's gfn keeps its memory
 * slot and host address; only KVM's resolution of that gfn to a host
 * page (__gfn_to_pfn_memslot(), redirected in hooks.c) answers with the
 * introspected VM's page, read-only.  Zapping the gfn makes the next
 * guest access fault and resolve again.  Everything that reaches guest
 * memory by host address (KVM's emulator, the VMM) still sees the
 * introspector's own page.
 */
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "hooks.h"
#include "stubs.h"
#include "symbols.h"

static struct kvm_x86_ops *x86_ops;

/* Context: module init. */
void kvmi_remote_init(void)
{
	x86_ops = (void *)kvmi_lookup("kvm", "kvm_x86_ops");
	if (!x86_ops || !x86_ops->get_cpl || !x86_ops->get_cs_db_l_bits)
		pr_warn("kvmi: cannot find get_cpl: the map hypercalls are off\n");
}

/* Can kvmi serve the map hypercalls (the vendor's helpers are known)? */
bool kvmi_remote_supported(void)
{
	return x86_ops && x86_ops->get_cpl && x86_ops->get_cs_db_l_bits;
}

/**
 * kvmi_vcpu_cpl() - the vCPU's current privilege level
 * @vcpu: the vCPU, loaded by the current thread
 */
int kvmi_vcpu_cpl(struct kvm_vcpu *vcpu)
{
	return x86_ops->get_cpl(vcpu);
}

/**
 * kvmi_vcpu_hypercall_args() - a hypercall's number and arguments
 * @vcpu: the vCPU, in its hypercall exit
 * @nr: RAX
 * @args: RBX, RCX, RDX
 *
 * As KVM does, a caller outside 64-bit mode passes 32-bit values.
 */
void kvmi_vcpu_hypercall_args(struct kvm_vcpu *vcpu, u64 *nr, u64 args[3])
{
	int db = 0, l = 0;

	*nr = vcpu->arch.regs[VCPU_REGS_RAX];
	args[0] = vcpu->arch.regs[VCPU_REGS_RBX];
	args[1] = vcpu->arch.regs[VCPU_REGS_RCX];
	args[2] = vcpu->arch.regs[VCPU_REGS_RDX];
	if (vcpu->arch.efer & EFER_LMA)
		x86_ops->get_cs_db_l_bits(vcpu, &db, &l);
	if (!l) {
		*nr = (u32)*nr;
		args[0] = (u32)args[0];
		args[1] = (u32)args[1];
		args[2] = (u32)args[2];
	}
}

/**
 * kvmi_vcpu_read_gva() - read the vCPU's memory at a virtual address
 * @vcpu: the vCPU, loaded by the current thread (the VMM's mm is current)
 * @gva: guest-virtual address, translated as a supervisor read
 * @buf: destination
 * @len: bytes; the range may cross pages
 *
 * Context: the vCPU thread; may sleep.
 * Return: 0, or -EFAULT if a page does not translate or is not in a
 * memory slot (MMIO), or cannot be read.
 */
int kvmi_vcpu_read_gva(struct kvm_vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gva));
		u64 gpa = kvmi_vcpu_translate_gva(vcpu, gva);
		int idx, ret = -EFAULT;

		if (gpa == ~0ULL)
			return -EFAULT;
		idx = srcu_read_lock(&vcpu->kvm->srcu);
		if (gfn_to_memslot(vcpu->kvm, gpa_to_gfn(gpa)))
			ret = kvm_vcpu_read_guest(vcpu, gpa, buf, n);
		srcu_read_unlock(&vcpu->kvm->srcu, idx);
		if (ret)
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* @gfn's slot if it is ordinary guest RAM.  Context: kvm->srcu held. */
static struct kvm_memory_slot *ram_slot(struct kvm *kvm, u64 gfn)
{
	struct kvm_memory_slot *slot = gfn_to_memslot(kvm, gfn);

	if (!slot || (slot->flags & (KVM_MEMSLOT_INVALID | KVM_MEM_READONLY)))
		return NULL;
	if (slot->id >= KVM_USER_MEM_SLOTS)	/* KVM's own: APIC page, TSS */
		return NULL;
#if KVMI_PF_HAS_PRIVATE
	if (kvm_slot_can_be_private(slot))
		return NULL;
#endif
	return slot;
}

/**
 * kvmi_kvm_ram_hva() - the host address of a gfn that may be redirected
 * @kvm: the introspector VM
 * @gfn: its gfn
 * @hva: set to the gfn's host address
 *
 * Return: 0, or -EINVAL unless @gfn is writable guest RAM of a slot the
 * VMM created (not ROM, not MMIO, not private memory).
 */
int kvmi_kvm_ram_hva(struct kvm *kvm, u64 gfn, unsigned long *hva)
{
	struct kvm_memory_slot *slot;
	int idx, ret = -EINVAL;

	idx = srcu_read_lock(&kvm->srcu);
	slot = ram_slot(kvm, gfn);
	if (slot) {
		*hva = __gfn_to_hva_memslot(slot, gfn);
		ret = 0;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return ret;
}

/**
 * kvmi_kvm_pin_gfn() - pin the host page behind a VM's gfn
 * @kvm: the introspected VM (a reference is held by the caller)
 * @gfn: its gfn
 * @page: set to the page, pinned long-term (unpin_user_page())
 * @hva: set to the host address it was pinned at
 *
 * A long-term pin keeps the page where it is: the host does not migrate,
 * merge (KSM) or split it while it is pinned.  The page is faulted in for
 * writing, so that the VM's copy-on-write or zero page is never what gets
 * pinned.
 *
 * Context: process; may sleep; any mm may be current.
 * Return: 0; -EINVAL if @gfn is not RAM of the VM (see
 * kvmi_kvm_ram_hva()); -ESRCH if the VMM is gone; -EFAULT if the page
 * cannot be pinned.
 */
int kvmi_kvm_pin_gfn(struct kvm *kvm, u64 gfn, struct page **page,
		     unsigned long *hva)
{
	long n;
	int ret;

	ret = kvmi_kvm_ram_hva(kvm, gfn, hva);
	if (ret)
		return ret;
	if (!mmget_not_zero(kvm->mm))
		return -ESRCH;
	mmap_read_lock(kvm->mm);
	n = kvmi_pin_user_pages_remote(kvm->mm, *hva, 1,
				       FOLL_WRITE | FOLL_LONGTERM, page);
	mmap_read_unlock(kvm->mm);
	mmput(kvm->mm);
	return n == 1 ? 0 : -EFAULT;
}

/**
 * kvmi_kvm_zap_gfn() - drop a VM's mappings of a gfn
 * @kvm: the VM
 * @gfn: the gfn; a huge page that covers it goes too
 *
 * The next access faults and resolves the gfn again.  A fault already
 * resolving it concurrently is discarded by KVM (the zap is an MMU
 * invalidation) and retried.
 *
 * Context: process; may sleep.
 */
void kvmi_kvm_zap_gfn(struct kvm *kvm, u64 gfn)
{
	int idx;

	idx = srcu_read_lock(&kvm->srcu);
	kvmi_stub_kvm_zap_gfn_range(kvm, gfn, gfn + 1);
	srcu_read_unlock(&kvm->srcu, idx);
}

/**
 * kvmi_fault_cap_level() - lower the largest page a fault may map
 * @fault: KVM's struct kvm_page_fault, before kvm_tdp_mmu_map() sized it
 * @level: KVM's page level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB)
 */
void kvmi_fault_cap_level(struct kvm_page_fault *fault, u8 level)
{
	struct kvmi_pf_head *h = (void *)fault;

	if (h->levels[0] > level)
		h->levels[0] = level;
}
