// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remote mapping: a page of an introspected VM shown, read-only, at a
 * gfn of an introspector VM (Documentation/kvmmem.rst).
 *
 * The device manager marks a VM as an introspector (KVMI_CTL_INTROSPECTOR).
 * Its kernel then issues KVM_HC_MEM_MAP(token, req_gpa, map_gpa): the
 * token (token.c) names the introspected VM's session, kvmi pins that
 * VM's page at req_gpa and records it for the introspector's gfn of
 * map_gpa; KVM's next fault on that gfn resolves to the pinned page
 * (kvmi_remote_page(), from the hooks layer).  KVM_HC_MEM_UNMAP(map_gpa)
 * undoes it.  Hypercalls of VMs that are not marked go to KVM, which
 * answers -KVM_ENOSYS as it does without kvmi.
 *
 * A mapping ends, its gfn is zapped (the introspector faults back to its
 * own page) and its pin is released when:
 * - the introspector unmaps it, or its vCPU 0 is reset, or it loses its
 *   mark, or its VM file is released;
 * - the introspected VM's session ends (unhook, socket closed, the VM's
 *   file released, rmmod), or the memory slot of req_gpa is removed.
 *
 * Locking:
 * - rmap_lock (a mutex) serialises every change: marks, mappings, the
 *   per-session lists.  MAP and UNMAP take it from the vCPU thread; it is
 *   never held across anything that waits for a vCPU.  Pinning happens
 *   before it is taken; zapping (KVM's mmu_lock) under it.
 * - KVM's fault path reads under RCU only: the list of introspectors and
 *   each one's xarray of mappings.  A mapping's pin is released one RCU
 *   grace period after it left the xarray (queue_rcu_work()), so a
 *   reader that found it can still take a page reference; the zap made
 *   any such fault stale, and KVM retries it.
 */
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/kvmi_para.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "rmap.h"

/* Mappings one introspector VM may hold at once (256 MiB). */
#define KVMI_MAX_RMAPS	65536

/**
 * struct kvmi_introspector - a VM marked as an introspector VM
 * @node: in the list of introspectors (RCU readers)
 * @kvm: the VM; no reference: the mark goes when its file is released
 * @maps: struct kvmi_rmap by the introspector's gfn (RCU readers)
 * @nr: entries in @maps
 * @rcu: freed after a grace period
 */
struct kvmi_introspector {
	struct list_head node;
	struct kvm *kvm;
	struct xarray maps;
	unsigned int nr;
	struct rcu_head rcu;
};

/**
 * struct kvmi_rmap - one mapping
 * @intro: the introspector VM
 * @src: the introspected VM's session; the mapping ends before it does
 * @src_node: in @src->rmaps
 * @gfn: the introspector's gfn
 * @src_gfn: the introspected VM's gfn
 * @src_hva: the introspected VM's host address of @src_gfn when pinned
 * @hva: the introspector's host address for @gfn when it was mapped: a
 *	 memory slot moved since then does not show the page
 * @page: the introspected VM's page, pinned
 * @free_work: releases the pin after a grace period
 */
struct kvmi_rmap {
	struct kvmi_introspector *intro;
	struct kvmi_vm *src;
	struct list_head src_node;
	u64 gfn;
	u64 src_gfn;
	unsigned long src_hva;
	unsigned long hva;
	struct page *page;
	struct rcu_work free_work;
};

static DEFINE_MUTEX(rmap_lock);
static LIST_HEAD(introspectors);	/* rmap_lock; RCU readers */
static atomic_t nr_rmaps;		/* fast path: anything mapped? */
static atomic_t nr_pins;		/* pins not released yet */
static struct workqueue_struct *rmap_wq;

static struct kvmi_introspector *find_rcu(struct kvm *kvm)
{
	struct kvmi_introspector *in;

	list_for_each_entry_rcu(in, &introspectors, node,
				lockdep_is_held(&rmap_lock))
		if (in->kvm == kvm)
			return in;
	return NULL;
}

bool kvmi_remote_page(struct kvm *kvm, u64 gfn, unsigned long hva,
		      bool write, struct page **page)
{
	struct kvmi_introspector *in;
	struct kvmi_rmap *m;
	bool ret = false;

	if (!atomic_read(&nr_rmaps))
		return false;
	rcu_read_lock();
	in = find_rcu(kvm);
	m = in ? xa_load(&in->maps, gfn) : NULL;
	if (m && m->hva == hva) {
		*page = write ? NULL : m->page;
		if (*page)
			get_page(*page);
		ret = true;
	}
	rcu_read_unlock();
	return ret;
}

bool kvmi_remote_in_range(struct kvm *kvm, u64 first, u64 last)
{
	struct kvmi_introspector *in;
	unsigned long idx = first;
	bool ret = false;

	if (!atomic_read(&nr_rmaps))
		return false;
	rcu_read_lock();
	in = find_rcu(kvm);
	if (in)
		ret = xa_find(&in->maps, &idx, last, XA_PRESENT);
	rcu_read_unlock();
	return ret;
}

static void free_rmap(struct work_struct *work)
{
	struct kvmi_rmap *m = container_of(to_rcu_work(work), struct kvmi_rmap,
					   free_work);

	unpin_user_page(m->page);
	atomic_dec(&nr_pins);
	kfree(m);
}

/* End a mapping: the introspector sees its own page again. */
static void drop(struct kvmi_rmap *m)
{
	struct kvmi_introspector *in = m->intro;

	lockdep_assert_held(&rmap_lock);
	xa_erase(&in->maps, m->gfn);
	in->nr--;
	atomic_dec(&nr_rmaps);
	list_del(&m->src_node);
	kvmi_kvm_zap_gfn(in->kvm, m->gfn);
	INIT_RCU_WORK(&m->free_work, free_rmap);
	queue_rcu_work(rmap_wq, &m->free_work);
}

static void drop_all(struct kvmi_introspector *in)
{
	struct kvmi_rmap *m;
	unsigned long gfn;

	xa_for_each(&in->maps, gfn, m)
		drop(m);
}

static void unmark(struct kvmi_introspector *in)
{
	lockdep_assert_held(&rmap_lock);
	drop_all(in);
	list_del_rcu(&in->node);
	kfree_rcu(in, rcu);
}

/**
 * kvmi_rmap_mark() - mark a VM as an introspector VM, or not
 * @kvm: the VM
 * @enable: mark (marking twice is not an error), or take the mark away
 *	    with every mapping of the VM
 *
 * Context: process; the caller holds a reference on the VM's file.
 * Return: 0 or -ENOMEM.
 */
int kvmi_rmap_mark(struct kvm *kvm, bool enable)
{
	struct kvmi_introspector *in, *fresh = NULL;

	if (enable) {
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
		if (!fresh)
			return -ENOMEM;
		fresh->kvm = kvm;
		xa_init(&fresh->maps);
	}

	mutex_lock(&rmap_lock);
	in = find_rcu(kvm);
	if (enable && !in) {
		list_add_rcu(&fresh->node, &introspectors);
		fresh = NULL;
	} else if (!enable && in) {
		unmark(in);
	}
	mutex_unlock(&rmap_lock);

	kfree(fresh);
	return 0;
}

static bool is_marked(struct kvm *kvm)
{
	bool ret;

	rcu_read_lock();
	ret = find_rcu(kvm);
	rcu_read_unlock();
	return ret;
}

/* The checks that need no token; the answer when one fails. */
static int check_map(struct kvm *kvm, u64 req_gpa, u64 map_gpa,
		     unsigned long *hva)
{
	struct kvmi_introspector *in;
	bool busy;

	if (offset_in_page(req_gpa) || offset_in_page(map_gpa))
		return -KVM_EINVAL;
	if (!kvmi_remote_supported() || !kvmi_tdp_mmu_on(kvm))
		return -KVM_EOPNOTSUPP;
	if (kvmi_kvm_ram_hva(kvm, map_gpa >> PAGE_SHIFT, hva))
		return -KVM_EINVAL;
	rcu_read_lock();
	in = find_rcu(kvm);
	busy = in && xa_load(&in->maps, map_gpa >> PAGE_SHIFT);
	rcu_read_unlock();
	return busy ? -KVM_EBUSY : 0;
}

/* Publish a mapping.  Return: 0 or a -KVM_E* code. */
static int add(struct kvm *kvm, struct kvmi_rmap *m)
{
	struct kvmi_introspector *in;
	unsigned long src_hva;
	int err;

	mutex_lock(&rmap_lock);
	/*
	 * A memory slot of the source that went away after the pin was
	 * taken (its removal is reported under this lock) must not be
	 * mapped: it is invalid or gone by now.
	 */
	if (kvmi_kvm_ram_hva(m->src->kvm, m->src_gfn, &src_hva) ||
	    src_hva != m->src_hva) {
		err = -KVM_EINVAL;
		goto out;
	}
	in = find_rcu(kvm);
	if (!in) {
		err = -KVM_EPERM;	/* the mark went meanwhile */
		goto out;
	}
	if (m->src->rmaps_closed) {
		err = -KVM_ENOENT;	/* the session ended meanwhile */
		goto out;
	}
	if (in->nr >= KVMI_MAX_RMAPS) {
		err = -KVM_ENOMEM;
		goto out;
	}
	err = xa_insert(&in->maps, m->gfn, m, GFP_KERNEL_ACCOUNT);
	if (err) {
		err = err == -EBUSY ? -KVM_EBUSY : -KVM_ENOMEM;
		goto out;
	}
	m->intro = in;
	in->nr++;
	atomic_inc(&nr_rmaps);
	list_add(&m->src_node, &m->src->rmaps);
	/* Away with the introspector's own page, or a huge page over it. */
	kvmi_kvm_zap_gfn(kvm, m->gfn);
out:
	mutex_unlock(&rmap_lock);
	return err;
}

/* KVM_HC_MEM_MAP.  Return: 0 or a -KVM_E* code for the guest's RAX. */
static int map(struct kvm_vcpu *vcpu, u64 token_gva, u64 req_gpa,
	       u64 map_gpa)
{
	struct kvm *kvm = kvmi_vcpu_kvm(vcpu);
	struct kvmi_mem_token token;
	struct kvmi_rmap *m;
	struct kvmi_vm *src;
	unsigned long hva;
	int err;

	err = check_map(kvm, req_gpa, map_gpa, &hva);
	if (err)
		return err;
	if (kvmi_vcpu_read_gva(vcpu, token_gva, &token, sizeof(token)))
		return -KVM_EFAULT;
	src = kvmi_token_take(&token);
	memzero_explicit(&token, sizeof(token));
	if (!src)
		return -KVM_ENOENT;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m) {
		err = -KVM_ENOMEM;
		goto out;
	}
	m->src = src;
	m->gfn = map_gpa >> PAGE_SHIFT;
	m->src_gfn = req_gpa >> PAGE_SHIFT;
	m->hva = hva;
	if (src->kvm == kvm) {
		err = -KVM_EINVAL;	/* a VM does not map its own pages */
		goto out_free;
	}
	err = kvmi_kvm_pin_gfn(src->kvm, m->src_gfn, &m->page, &m->src_hva);
	if (err) {
		err = err == -EINVAL ? -KVM_EINVAL : -KVM_EFAULT;
		goto out_free;
	}
	atomic_inc(&nr_pins);
	err = add(kvm, m);
	if (!err)
		goto out;
	unpin_user_page(m->page);
	atomic_dec(&nr_pins);
out_free:
	kfree(m);
out:
	kvmi_vm_put(src);
	return err;
}

/* KVM_HC_MEM_UNMAP.  Return: 0 or a -KVM_E* code for the guest's RAX. */
static int unmap(struct kvm *kvm, u64 map_gpa)
{
	struct kvmi_introspector *in;
	struct kvmi_rmap *m = NULL;

	if (offset_in_page(map_gpa))
		return -KVM_EINVAL;
	mutex_lock(&rmap_lock);
	in = find_rcu(kvm);
	if (in)
		m = xa_load(&in->maps, map_gpa >> PAGE_SHIFT);
	if (m)
		drop(m);
	mutex_unlock(&rmap_lock);
	return m ? 0 : -KVM_ENOENT;
}

/**
 * kvmi_rmap_hypercall() - KVM_HC_MEM_MAP and KVM_HC_MEM_UNMAP
 * @vcpu: the calling vCPU, in its hypercall exit
 * @nr: the hypercall number
 * @args: its arguments (RBX, RCX, RDX)
 * @ret: the exit handler's result when handled
 *
 * Context: the vCPU thread; may sleep.
 * Return: true if handled (a map hypercall of a marked VM); otherwise
 * KVM handles it.
 */
bool kvmi_rmap_hypercall(struct kvm_vcpu *vcpu, u64 nr, const u64 args[3],
			 int *ret)
{
	struct kvm *kvm = kvmi_vcpu_kvm(vcpu);
	long err;

	if ((nr != KVM_HC_MEM_MAP && nr != KVM_HC_MEM_UNMAP) ||
	    !is_marked(kvm))
		return false;

	if (!kvmi_remote_supported() || kvmi_vcpu_cpl(vcpu))
		err = -KVM_EPERM;
	else if (nr == KVM_HC_MEM_MAP)
		err = map(vcpu, args[0], args[1], args[2]);
	else
		err = unmap(kvm, args[0]);
	*ret = kvmi_vcpu_hypercall_done(vcpu, err);
	return true;
}

/**
 * kvmi_rmap_session_end() - an introspected VM's session ends
 * @vm: the session
 *
 * Its tokens and every mapping of its pages go; no new mapping can be
 * made from it (a MAP that took one of its tokens before fails).
 */
void kvmi_rmap_session_end(struct kvmi_vm *vm)
{
	struct kvmi_rmap *m, *tmp;

	kvmi_tokens_drop(vm);
	mutex_lock(&rmap_lock);
	vm->rmaps_closed = true;
	list_for_each_entry_safe(m, tmp, &vm->rmaps, src_node)
		drop(m);
	mutex_unlock(&rmap_lock);
}

/**
 * kvmi_rmap_slot_removed() - a memory slot of an introspected VM went
 * @vm: the VM's session
 * @gfn: the slot's first gfn
 * @n: its size
 *
 * The VM's pages in it are no longer its memory: their mappings end.
 */
void kvmi_rmap_slot_removed(struct kvmi_vm *vm, u64 gfn, unsigned long n)
{
	struct kvmi_rmap *m, *tmp;

	mutex_lock(&rmap_lock);
	list_for_each_entry_safe(m, tmp, &vm->rmaps, src_node)
		if (m->src_gfn >= gfn && m->src_gfn - gfn < n)
			drop(m);
	mutex_unlock(&rmap_lock);
}

/* A VM's file is being released: it loses its mark and its mappings. */
void kvmi_rmap_vm_release(struct kvm *kvm)
{
	kvmi_rmap_mark(kvm, false);
}

/*
 * A reset of vCPU 0 starts the introspector VM over (reboot, triple
 * fault): its new kernel must find its own memory, not pages mapped by
 * the old one.
 */
void kvmi_rmap_vcpu_reset(struct kvm_vcpu *vcpu)
{
	struct kvmi_introspector *in;

	if (!atomic_read(&nr_rmaps) || kvmi_vcpu_index(vcpu))
		return;
	mutex_lock(&rmap_lock);
	in = find_rcu(kvmi_vcpu_kvm(vcpu));
	if (in)
		drop_all(in);
	mutex_unlock(&rmap_lock);
}

/* debugfs kvmi/rmap: after every teardown, all figures are 0. */
void kvmi_rmap_show(struct seq_file *m)
{
	struct kvmi_introspector *in;
	unsigned int n = 0;

	mutex_lock(&rmap_lock);
	list_for_each_entry(in, &introspectors, node)
		n++;
	mutex_unlock(&rmap_lock);
	seq_printf(m, "introspectors %u\n", n);
	seq_printf(m, "mappings %d\n", atomic_read(&nr_rmaps));
	seq_printf(m, "pinned %d\n", atomic_read(&nr_pins));
	seq_printf(m, "tokens %u\n", kvmi_tokens_count());
}

int kvmi_rmap_init(void)
{
	rmap_wq = alloc_workqueue("kvmi-rmap", 0, 0);
	return rmap_wq ? 0 : -ENOMEM;
}

/*
 * Unload, after every session ended (which ended every mapping) and the
 * hooks are gone: drop the marks, then wait for the pins to be released.
 */
void kvmi_rmap_exit(void)
{
	struct kvmi_introspector *in, *tmp;

	mutex_lock(&rmap_lock);
	list_for_each_entry_safe(in, tmp, &introspectors, node)
		unmark(in);
	mutex_unlock(&rmap_lock);
	rcu_barrier();		/* queue_rcu_work() items are queued now */
	destroy_workqueue(rmap_wq);
	WARN_ON(atomic_read(&nr_pins));
}
