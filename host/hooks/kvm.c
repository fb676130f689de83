// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM services for kvmi's core: VM references, guest memory, VM facts.
 *
 * These use KVM's public API, but they live here so that the core never
 * touches struct kvm itself (see hooks.h).
 */
#include <linux/kthread.h>
#include <linux/kvm_host.h>
#include <linux/sched/mm.h>

#include "hooks.h"
#include "symbols.h"

static const struct file_operations *kvm_vm_fops;

/**
 * kvmi_kvm_init() - resolve what the services below need
 *
 * Return: 0, or -ENOENT naming the missing symbol in the log.
 */
int kvmi_kvm_init(void)
{
	kvm_vm_fops = (void *)kvmi_lookup("kvm", "kvm_vm_fops");
	if (!kvm_vm_fops) {
		pr_err("kvmi: cannot resolve kvm:kvm_vm_fops\n");
		return -ENOENT;
	}
	return 0;
}

/**
 * kvmi_kvm_from_file() - the VM behind a file, if it is a KVM VM file
 * @file: any file
 *
 * Return: the VM (no reference taken), or NULL.
 */
struct kvm *kvmi_kvm_from_file(struct file *file)
{
	return file->f_op == kvm_vm_fops ? file->private_data : NULL;
}

void kvmi_kvm_get(struct kvm *kvm)
{
	kvm_get_kvm(kvm);
}

void kvmi_kvm_put(struct kvm *kvm)
{
	kvm_put_kvm(kvm);
}

/**
 * kvmi_kvm_pid() - the process that created the VM (the VMM)
 * @kvm: the VM
 *
 * KVM records it when it announces the new VM; 0 if it could not.
 */
pid_t kvmi_kvm_pid(struct kvm *kvm)
{
	return kvm->userspace_pid;
}

unsigned int kvmi_vcpu_count(struct kvm *kvm)
{
	return atomic_read(&kvm->online_vcpus);
}

/**
 * kvmi_max_gfn() - the first gfn past the highest memory slot
 * @kvm: the VM
 *
 * Only the normal address space (0) is considered, not SMM's.
 */
u64 kvmi_max_gfn(struct kvm *kvm)
{
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	u64 max = 0;
	int idx, bkt;

	idx = srcu_read_lock(&kvm->srcu);
	slots = kvm_memslots(kvm);
	kvm_for_each_memslot(slot, bkt, slots)
		max = max(max, (u64)(slot->base_gfn + slot->npages));
	srcu_read_unlock(&kvm->srcu, idx);
	return max;
}

/*
 * Guest memory is the VMM's memory: a kernel thread reaches it by
 * borrowing the VMM's mm for the access.
 */
int kvmi_kvm_use_mm(struct kvm *kvm)
{
	if (WARN_ON_ONCE(!(current->flags & PF_KTHREAD)))
		return -EINVAL;
	if (!mmget_not_zero(kvm->mm))
		return -ESRCH;
	kthread_use_mm(kvm->mm);
	return 0;
}

void kvmi_kvm_unuse_mm(struct kvm *kvm)
{
	kthread_unuse_mm(kvm->mm);
	mmput(kvm->mm);
}

/**
 * kvmi_guest_read() - copy guest-physical memory out
 * @kvm: the VM
 * @gpa: guest-physical address
 * @buf: destination
 * @len: bytes, not crossing a page
 *
 * Context: a kernel thread (the VM's receive thread); may sleep.
 * Return: 0; -ENOENT if @gpa is in no memory slot; -EFAULT if the VMM's
 * memory behind it cannot be read; -ESRCH if the VMM is gone.
 */
int kvmi_guest_read(struct kvm *kvm, u64 gpa, void *buf, size_t len)
{
	int idx, ret;

	ret = kvmi_kvm_use_mm(kvm);
	if (ret)
		return ret;
	idx = srcu_read_lock(&kvm->srcu);
	if (!gfn_to_memslot(kvm, gpa_to_gfn(gpa)))
		ret = -ENOENT;
	else
		ret = kvm_read_guest(kvm, gpa, buf, len);
	srcu_read_unlock(&kvm->srcu, idx);
	kvmi_kvm_unuse_mm(kvm);
	return ret;
}

/**
 * kvmi_guest_write() - copy into guest-physical memory
 * @kvm: the VM
 * @gpa: guest-physical address
 * @buf: source
 * @len: bytes, not crossing a page
 *
 * KVM's own write helpers expect a running vCPU to account the dirty page
 * to (they warn without one), so the copy goes through the memory slot's
 * host address and the page is set in the slot's dirty bitmap here, as
 * KVM does for dirty logging.  A VM that uses a dirty ring needs the page
 * pushed to a vCPU's ring, which a write from outside any vCPU cannot do:
 * those VMs get -EOPNOTSUPP.
 *
 * Context: a kernel thread (the VM's receive thread); may sleep.
 * Return: as kvmi_guest_read(), plus -EOPNOTSUPP, and -EACCES for a
 * read-only slot.
 */
int kvmi_guest_write(struct kvm *kvm, u64 gpa, const void *buf, size_t len)
{
	gfn_t gfn = gpa_to_gfn(gpa);
	struct kvm_memory_slot *slot;
	unsigned long hva;
	int idx, ret;

	if (READ_ONCE(kvm->dirty_ring_size))
		return -EOPNOTSUPP;
	ret = kvmi_kvm_use_mm(kvm);
	if (ret)
		return ret;
	idx = srcu_read_lock(&kvm->srcu);

	slot = gfn_to_memslot(kvm, gfn);
	if (!slot || (slot->flags & KVM_MEMSLOT_INVALID)) {
		ret = -ENOENT;
		goto out;
	}
	if (slot->flags & KVM_MEM_READONLY) {
		ret = -EACCES;
		goto out;
	}
	hva = __gfn_to_hva_memslot(slot, gfn) + offset_in_page(gpa);
	if (copy_to_user((void __user *)hva, buf, len)) {
		ret = -EFAULT;
		goto out;
	}
	if (kvm_slot_dirty_track_enabled(slot) && slot->dirty_bitmap)
		set_bit_le(gfn - slot->base_gfn, slot->dirty_bitmap);
out:
	srcu_read_unlock(&kvm->srcu, idx);
	kvmi_kvm_unuse_mm(kvm);
	return ret;
}
