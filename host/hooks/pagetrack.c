// SPDX-License-Identifier: GPL-2.0-only
/*
 * Write restrictions on KVM's write-tracking API, and the page faults
 * they cause.
 *
 * A write-tracked gfn is mapped read-only (and never as part of a huge
 * page) by KVM: a guest write to it faults, and KVM then emulates the
 * write.  kvmi sees the fault first (the kvm_mmu_page_fault() hook), so
 * the tool hears about the write before it lands.
 *
 * The API differs between the series: 6.1 adds and removes tracking per
 * memory slot under mmu_lock, 6.12 per gfn with the locking done by KVM,
 * and 6.12 enables external write tracking for a VM only when the first
 * notifier is registered (adding a gfn before that kills the VM) and from
 * the VMM's mm.  Both tell a registered notifier when a memory slot goes
 * away, with its tracking.
 */
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <asm/kvm_page_track.h>
#include <linux/kvmi.h>

#include "compat.h"
#include "hooks.h"
#include "stubs.h"
#include "symbols.h"

/**
 * struct kvmi_track - kvmi's write-tracking notifier on one VM
 * @node: KVM's notifier node
 * @kvm: the VM
 * @owner: the core's context, passed back in kvmi_on_slot_removed()
 */
struct kvmi_track {
	struct kvm_page_track_notifier_node node;
	struct kvm *kvm;
	void *owner;
};

static void slot_removed(struct kvmi_track *t, gfn_t gfn, unsigned long n)
{
	kvmi_on_slot_removed(t->owner, gfn, n);
}

#if KVMI_PAGE_TRACK_PER_GFN
/* KVM emulated a write to a tracked gfn, for the vCPU it runs. */
static void track_write(gpa_t gpa, const u8 *new, int bytes,
			struct kvm_page_track_notifier_node *node)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();

	if (vcpu)
		kvmi_on_tracked_write(vcpu, gpa);
}

static void track_remove_region(gfn_t gfn, unsigned long nr_pages,
				struct kvm_page_track_notifier_node *node)
{
	slot_removed(container_of(node, struct kvmi_track, node), gfn,
		     nr_pages);
}
#else
static void track_write(struct kvm_vcpu *vcpu, gpa_t gpa, const u8 *new,
			int bytes, struct kvm_page_track_notifier_node *node)
{
	if (vcpu)
		kvmi_on_tracked_write(vcpu, gpa);
}

static void track_flush_slot(struct kvm *kvm, struct kvm_memory_slot *slot,
			     struct kvm_page_track_notifier_node *node)
{
	slot_removed(container_of(node, struct kvmi_track, node),
		     slot->base_gfn, slot->npages);
}
#endif

/* @gfn's usable memory slot, or NULL.  Context: kvm->srcu read-held. */
static struct kvm_memory_slot *usable_slot(struct kvm *kvm, u64 gfn)
{
	struct kvm_memory_slot *slot = gfn_to_memslot(kvm, gfn);

	return slot && !(slot->flags & KVM_MEMSLOT_INVALID) ? slot : NULL;
}

/**
 * kvmi_track_start() - register kvmi's write-tracking notifier on a VM
 * @kvm: the VM
 * @owner: passed back to kvmi_on_slot_removed()
 *
 * Context: a kernel thread (the VM's receive thread), which borrows the
 * VMM's mm for it: 6.12 refuses to register from any other mm.  May
 * sleep.
 * Return: the notifier, or an ERR_PTR.
 */
struct kvmi_track *kvmi_track_start(struct kvm *kvm, void *owner)
{
	struct kvmi_track *t = kzalloc(sizeof(*t), GFP_KERNEL);
	int ret;

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->kvm = kvm;
	t->owner = owner;
#if KVMI_PAGE_TRACK_PER_GFN
	t->node.track_write = track_write;
	t->node.track_remove_region = track_remove_region;
	ret = kvmi_kvm_use_mm(kvm);
	if (!ret) {
		/*
		 * The first registration walks the memory slots under
		 * slots_arch_lock only; lockdep wants kvm->srcu too.  KVM
		 * itself takes slots_arch_lock inside an SRCU read section.
		 */
		int idx = srcu_read_lock(&kvm->srcu);

		ret = kvm_page_track_register_notifier(kvm, &t->node);
		srcu_read_unlock(&kvm->srcu, idx);
		kvmi_kvm_unuse_mm(kvm);
	}
#else
	t->node.track_write = track_write;
	t->node.track_flush_slot = track_flush_slot;
	kvm_page_track_register_notifier(kvm, &t->node);
	ret = 0;
#endif
	if (ret) {
		kfree(t);
		return ERR_PTR(ret);
	}
	return t;
}

/**
 * kvmi_track_stop() - unregister and free the notifier
 * @t: from kvmi_track_start()
 *
 * Waits until no callback runs.  Context: process; may sleep.
 */
void kvmi_track_stop(struct kvmi_track *t)
{
	kvm_page_track_unregister_notifier(t->kvm, &t->node);
	kfree(t);
}

/**
 * kvmi_track_write() - start or stop write-tracking one gfn
 * @t: the VM's notifier (tracking is enabled for the VM)
 * @gfn: the gfn
 * @on: add (true) or remove one tracking reference
 *
 * Context: process; may sleep.
 * Return: 0, or -EINVAL if @gfn is in no memory slot.
 */
int kvmi_track_write(struct kvmi_track *t, u64 gfn, bool on)
{
	struct kvm *kvm = t->kvm;
#if KVMI_PAGE_TRACK_PER_GFN
	return on ? kvm_write_track_add_gfn(kvm, gfn) :
		    kvm_write_track_remove_gfn(kvm, gfn);
#else
	struct kvm_memory_slot *slot;
	int idx, ret = 0;

	idx = srcu_read_lock(&kvm->srcu);
	slot = usable_slot(kvm, gfn);
	if (!slot) {
		ret = -EINVAL;
	} else {
		write_lock(&kvm->mmu_lock);
		if (on)
			kvm_slot_page_track_add_page(kvm, slot, gfn,
						     KVM_PAGE_TRACK_WRITE);
		else
			kvm_slot_page_track_remove_page(kvm, slot, gfn,
							KVM_PAGE_TRACK_WRITE);
		write_unlock(&kvm->mmu_lock);
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return ret;
#endif
}

/**
 * kvmi_gfn_visible() - is @gfn guest memory (in a usable memory slot)?
 * @kvm: the VM
 * @gfn: the gfn
 */
bool kvmi_gfn_visible(struct kvm *kvm, u64 gfn)
{
	bool ret;
	int idx;

	idx = srcu_read_lock(&kvm->srcu);
	ret = kvm_is_visible_gfn(kvm, gfn);
	srcu_read_unlock(&kvm->srcu, idx);
	return ret;
}

/* Did the CPU's page walker fault, writing accessed/dirty bits? */
bool kvmi_pf_in_walk(u64 error_code)
{
	return error_code & PFERR_GUEST_PAGE_MASK;
}

/**
 * kvmi_mmu_protect() - prepare KVM's MMU for a read or execute restriction
 * @kvm: the VM
 * @gfn: the gfn, which the core already marked (or unmarked)
 * @lpage: +1 when the gfn gets its first read/execute restriction, -1
 *	when it loses its last one, 0 otherwise
 * @zap: drop the gfn's current mappings
 *
 * A gfn restricted this way is never mapped by a huge page, and a zap
 * makes its next mapping come through kvmi: make_spte() drops the execute
 * permission, kvm_tdp_mmu_map() refuses an unreadable gfn.  A mapping
 * left behind when a restriction is lifted only faults once more and is
 * rebuilt with full access.
 *
 * Context: process; may sleep.
 * Return: 0, or -EINVAL if @gfn is in no memory slot.
 */
int kvmi_mmu_protect(struct kvm *kvm, u64 gfn, int lpage, bool zap)
{
	struct kvm_memory_slot *slot;
	int idx, ret = 0;

	idx = srcu_read_lock(&kvm->srcu);
	slot = usable_slot(kvm, gfn);
	if (!slot) {
		ret = -EINVAL;
		goto out;
	}
	if (lpage) {
		write_lock(&kvm->mmu_lock);
		if (lpage > 0)
			kvmi_stub_kvm_mmu_gfn_disallow_lpage(slot, gfn);
		else
			kvmi_stub_kvm_mmu_gfn_allow_lpage(slot, gfn);
		write_unlock(&kvm->mmu_lock);
	}
	if (zap)
		kvmi_stub_kvm_zap_gfn_range(kvm, gfn, gfn + 1);
out:
	srcu_read_unlock(&kvm->srcu, idx);
	return ret;
}

static bool *tdp_mmu_param;

/* Context: module init. */
void kvmi_pagetrack_init(void)
{
	if (KVMI_PF_HAS_PRIVATE)
		tdp_mmu_param = (bool *)kvmi_lookup("kvm", "tdp_mmu_enabled");
}

/**
 * kvmi_tdp_mmu_on() - does @kvm map guest memory with the TDP MMU?
 * @kvm: the VM
 *
 * Only the TDP MMU maps through kvm_tdp_mmu_map(), which read
 * restrictions need (kvm.tdp_mmu=0 or 32-bit hosts use the shadow MMU).
 */
bool kvmi_tdp_mmu_on(struct kvm *kvm)
{
#if KVMI_PF_HAS_PRIVATE
	return tdp_mmu_param && READ_ONCE(*tdp_mmu_param);
#else
	return kvm->arch.tdp_mmu_enabled;
#endif
}

/**
 * kvmi_fault_gfn() - the gfn of a fault kvm_tdp_mmu_map() is given
 * @fault: KVM's struct kvm_page_fault
 * @gfn: set to the gfn
 *
 * Return: false if the fields do not agree with each other (a KVM whose
 * structure differs from struct kvmi_pf_head): kvmi then leaves the
 * fault alone and says so once.
 */
bool kvmi_fault_gfn(const struct kvm_page_fault *fault, u64 *gfn)
{
	const struct kvmi_pf_head *h = (const void *)fault;

	BUILD_BUG_ON(offsetof(struct kvmi_pf_head, gfn) !=
		     (KVMI_PF_HAS_PRIVATE ? 32 : 24));
	if (h->gfn != h->addr >> PAGE_SHIFT) {
		pr_err_once("kvmi: unexpected struct kvm_page_fault: read restrictions are not enforced\n");
		return false;
	}
	*gfn = h->gfn;
	return true;
}

/**
 * kvmi_vcpu_tdp_fault_access() - what a guest-physical fault tried to do
 * @vcpu: the vCPU, in its exit handler
 * @error_code: KVM's page-fault error code
 *
 * Return: KVMI_PAGE_ACCESS_X, _W or _R for a fault of the vCPU's own
 * guest-physical address space (two-dimensional paging, not a nested
 * guest), the only faults kvmi's restrictions cause; 0 for any other.
 */
u8 kvmi_vcpu_tdp_fault_access(struct kvm_vcpu *vcpu, u64 error_code)
{
	if (!vcpu->arch.mmu->root_role.direct ||
	    (vcpu->arch.hflags & HF_GUEST_MASK))
		return 0;
	if (error_code & PFERR_FETCH_MASK)
		return KVMI_PAGE_ACCESS_X;
	if (error_code & PFERR_WRITE_MASK)
		return KVMI_PAGE_ACCESS_W;
	return KVMI_PAGE_ACCESS_R;
}

/* The linear address of the vCPU's next instruction. */
u64 kvmi_vcpu_linear_rip(struct kvm_vcpu *vcpu)
{
	return kvm_get_linear_rip(vcpu);
}
