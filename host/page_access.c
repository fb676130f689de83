// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page access restrictions: KVMI_SET_PAGE_ACCESS, KVMI_GET_PAGE_ACCESS
 * and the PF event.
 *
 * The restrictions of a VM live in a compact map from gfn to the access
 * bits denied (gfn_map.c).  Write restrictions are enforced through KVM's write
 * tracking (hooks/pagetrack.c): the guest's write faults, and kvmi sends
 * the PF event before KVM emulates the write.  Read and execute
 * restrictions are not implemented yet: an entry that asks for one fails
 * with -KVM_EOPNOTSUPP and changes nothing.
 *
 * A batch is applied entry by entry, in order: every valid entry takes
 * effect, an invalid one is skipped, and the reply carries the first
 * error (the ABI's Family A semantics; the tool undoes what it must).
 *
 * A memory slot that goes away drops the restrictions of its gfns, and
 * memory added later starts unrestricted.  Unhook and the tool's death
 * lift every restriction.
 */
#include <linux/slab.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "page_access.h"
#include "vcpu.h"

#define KVMI_ACCESS_RWX (KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W | \
			 KVMI_PAGE_ACCESS_X)

void kvmi_pages_init(struct kvmi_pages *p)
{
	mutex_init(&p->lock);
	kvmi_gfn_map_init(&p->denied);
}

/* Context: RCU read side or p->lock. */
static u8 gfn_access(struct kvmi_pages *p, u64 gfn)
{
	return KVMI_ACCESS_RWX & ~kvmi_gfn_map_get(&p->denied, gfn);
}

/*
 * Change one gfn to @access.  The write tracking follows the W bit.
 * Context: the receive thread, p->lock held.
 */
static int store(struct kvmi_pages *p, u64 gfn, u8 access)
{
	return kvmi_gfn_map_set(&p->denied, gfn, KVMI_ACCESS_RWX & ~access);
}

/*
 * Every vCPU needs its context before a gfn loses X: KVM's MMU finds
 * the restrictions through the vCPU that maps the gfn (vCPUs created
 * later get one in kvmi_on_vcpu_create()).
 */
static int get_all_vcpus(struct kvmi_vm *vm)
{
	unsigned int i, n = kvmi_vcpu_count(vm->kvm);

	for (i = 0; i < n; i++)
		if (!kvmi_vcpu_get(vm, i))
			return -ENOMEM;
	return 0;
}

/*
 * The map changes first when a restriction is added (KVM's MMU reads it
 * when it maps the gfn again) and last when one is lifted.
 */
static int set_access(struct kvmi_vm *vm, u64 gfn, u8 access)
{
	struct kvmi_pages *p = &vm->pages;
	u8 old = gfn_access(p, gfn);
	bool was_w = old & KVMI_PAGE_ACCESS_W;
	bool is_w = access & KVMI_PAGE_ACCESS_W;
	bool was_x = old & KVMI_PAGE_ACCESS_X;
	bool is_x = access & KVMI_PAGE_ACCESS_X;
	int ret;

	if (!p->track) {
		struct kvmi_track *t = kvmi_track_start(vm->kvm, vm);

		if (IS_ERR(t))
			return PTR_ERR(t);
		p->track = t;
	}
	if (was_x && !is_x) {
		ret = get_all_vcpus(vm);
		if (ret)
			return ret;
	}
	ret = store(p, gfn, access & old);
	if (ret)
		return ret;
	if (was_w != is_w) {
		ret = kvmi_track_write(p->track, gfn, !is_w);
		if (ret)
			goto undo;
	}
	if (was_x != is_x) {
		ret = kvmi_exec_protect(vm->kvm, gfn, !is_x);
		if (ret) {
			if (was_w != is_w)
				kvmi_track_write(p->track, gfn, is_w);
			goto undo;
		}
	}
	return store(p, gfn, access);
undo:
	store(p, gfn, old);
	return ret;
}

static int entry_error(struct kvmi_vm *vm, const struct kvmi_page_access_entry *e)
{
	u64 gfn = e->gpa >> PAGE_SHIFT;

	if (e->padding1 || e->padding2 || e->padding3 ||
	    (e->access & ~KVMI_ACCESS_RWX))
		return -KVM_EINVAL;
	if (!kvmi_gfn_visible(vm->kvm, gfn))
		return -KVM_EINVAL;
	if (!(e->access & KVMI_PAGE_ACCESS_R))
		return -KVM_EOPNOTSUPP;
	return 0;
}

int kvmi_cmd_set_page_access(struct kvmi_vm *vm,
			     const struct kvmi_msg_hdr *hdr, const void *req)
{
	const struct kvmi_set_page_access *cmd = req;
	const struct kvmi_page_access_entry *e =
		(const void *)(vm->buf + sizeof(*cmd));
	int first = 0, err, i;

	if (hdr->size != sizeof(*cmd) + (size_t)cmd->count * sizeof(*e))
		return kvmi_msg_reply(vm, hdr, -KVM_EINVAL, NULL, 0);
	if (cmd->view)
		return kvmi_msg_reply(vm, hdr, -KVM_EOPNOTSUPP, NULL, 0);

	mutex_lock(&vm->pages.lock);
	for (i = 0; i < cmd->count; i++) {
		err = entry_error(vm, &e[i]);
		if (!err) {
			switch (set_access(vm, e[i].gpa >> PAGE_SHIFT,
					   e[i].access)) {
			case 0:
				break;
			case -ENOMEM:
				err = -KVM_ENOMEM;
				break;
			default:
				err = -KVM_EINVAL;
			}
		}
		if (err && !first)
			first = err;
	}
	mutex_unlock(&vm->pages.lock);
	return kvmi_msg_reply(vm, hdr, first, NULL, 0);
}

int kvmi_cmd_get_page_access(struct kvmi_vm *vm,
			     const struct kvmi_msg_hdr *hdr, const void *req)
{
	const struct kvmi_get_page_access *cmd = req;
	const u64 *gpa = (const void *)(vm->buf + sizeof(*cmd));
	u8 *access;
	int err = 0, ret, i;

	if (hdr->size != sizeof(*cmd) + (size_t)cmd->count * sizeof(*gpa))
		return kvmi_msg_reply(vm, hdr, -KVM_EINVAL, NULL, 0);
	if (cmd->view)
		return kvmi_msg_reply(vm, hdr, -KVM_EOPNOTSUPP, NULL, 0);

	access = kmalloc(cmd->count ?: 1, GFP_KERNEL);
	if (!access)
		return kvmi_msg_reply(vm, hdr, -KVM_ENOMEM, NULL, 0);
	for (i = 0; i < cmd->count && !err; i++) {
		if (!kvmi_gfn_visible(vm->kvm, gpa[i] >> PAGE_SHIFT))
			err = -KVM_EINVAL;
		else
			access[i] = gfn_access(&vm->pages, gpa[i] >> PAGE_SHIFT);
	}
	ret = kvmi_msg_reply(vm, hdr, err, access, err ? 0 : cmd->count);
	kfree(access);
	return ret;
}

/* Give KVM back one gfn of an ending session. */
static void lift(void *ctx, u64 gfn, u8 denied)
{
	struct kvmi_vm *vm = ctx;

	if (denied & KVMI_PAGE_ACCESS_W)
		kvmi_track_write(vm->pages.track, gfn, false);
	if (denied & KVMI_PAGE_ACCESS_X)
		kvmi_exec_protect(vm->kvm, gfn, false);
}

/*
 * The session ends: lift every restriction, then stop hearing about
 * memory slots.  Context: process, the receive thread stopped.
 */
void kvmi_pages_stop(struct kvmi_vm *vm)
{
	struct kvmi_pages *p = &vm->pages;

	mutex_lock(&p->lock);
	kvmi_gfn_map_drain(&p->denied, lift, vm);
	mutex_unlock(&p->lock);
	if (p->track)
		kvmi_track_stop(p->track);
	p->track = NULL;
}

void kvmi_on_slot_removed(void *owner, u64 gfn, unsigned long npages)
{
	struct kvmi_vm *vm = owner;

	/* KVM dropped the slot's tracking with it: forget the gfns too. */
	mutex_lock(&vm->pages.lock);
	kvmi_gfn_map_clear_range(&vm->pages.denied, gfn, npages);
	mutex_unlock(&vm->pages.lock);
}

/* The write a PF event allowed has landed: the next one is reported. */
void kvmi_on_tracked_write(struct kvm_vcpu *vcpu, u64 gpa)
{
	struct kvmi_vcpu *kv;

	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	if (kv && kv->pf_allowed && gpa >> PAGE_SHIFT == kv->pf_gpa >> PAGE_SHIFT)
		kv->pf_allowed = false;
	rcu_read_unlock();
}

/*
 * Is @bit denied for @gfn in @vcpu's VM?  With @live, only while the
 * session is not ending.
 */
static bool restricted(struct kvm_vcpu *vcpu, u64 gfn, u8 bit, bool live)
{
	struct kvmi_vcpu *kv;
	bool ret;

	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	ret = kv && !(live && READ_ONCE(kv->vm->dying)) &&
	      !(gfn_access(&kv->vm->pages, gfn) & bit);
	rcu_read_unlock();
	return ret;
}

/*
 * Until kvmi_pages_stop() has erased a gfn, it stays non-executable even
 * while the session ends: its mapping must not come back executable.
 */
bool kvmi_gfn_exec_restricted(struct kvm_vcpu *vcpu, u64 gfn)
{
	return restricted(vcpu, gfn, KVMI_PAGE_ACCESS_X, false);
}

/*
 * A fetch from a non-executable gfn.  CONTINUE (and a vCPU without the
 * event on, or whose session is ending) runs the instruction in KVM's
 * emulator, which fetches it from memory; the gfn stays non-executable.
 */
static bool fetch_fault(struct kvm_vcpu *vcpu, u64 gpa, int *ret)
{
	struct kvmi_event_pf ev = {
		.gpa = gpa, .access = KVMI_PAGE_ACCESS_X,
	};
	struct kvmi_event_pf_reply rpl = { };
	struct kvmi_vcpu *kv;
	u8 action;

	kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_PF);
	if (kv) {
		ev.gva = kvmi_vcpu_linear_rip(vcpu);
		action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_PF, &ev,
					      sizeof(ev), &rpl, sizeof(rpl));
		if (kvmi_vcpu_retry_or_crash(vcpu, action, ret))
			return true;
	}
	*ret = kvmi_vcpu_emulate_insn(vcpu);
	return true;
}

bool kvmi_on_page_fault(struct kvm_vcpu *vcpu, u64 gpa, u64 error_code,
			int *ret)
{
	struct kvmi_event_pf ev = {
		.gva = ~0ull, .gpa = gpa, .access = KVMI_PAGE_ACCESS_W,
	};
	struct kvmi_event_pf_reply rpl = { };
	struct kvmi_vcpu *kv;
	u64 rip;
	u8 action;

	if (kvmi_vcpu_tdp_fetch_fault(vcpu, error_code) &&
	    restricted(vcpu, gpa >> PAGE_SHIFT, KVMI_PAGE_ACCESS_X, false))
		return fetch_fault(vcpu, gpa, ret);
	if (!kvmi_vcpu_tdp_write_fault(vcpu, error_code) ||
	    !restricted(vcpu, gpa >> PAGE_SHIFT, KVMI_PAGE_ACCESS_W, true))
		return false;
	if (kvmi_pf_in_walk(error_code)) {
		/*
		 * The CPU's page walker met a restricted page table (AMD
		 * walks nested page tables with write intent, to set
		 * accessed/dirty bits).  Not the guest's write: no event.
		 * KVM would resume the guest (6.1) and the walk would fault
		 * again forever, so the emulator runs the instruction; its
		 * own walk sets the bits.
		 */
		*ret = kvmi_vcpu_emulate_insn(vcpu);
		return true;
	}
	kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_PF);
	if (!kv)
		return false;

	/*
	 * KVM may let a write fault twice before it emulates it (it can
	 * retry the instruction first): one event per write, so until the
	 * write the tool allowed has landed, a fault at its RIP and address
	 * goes to KVM without a second event.
	 */
	rip = kvmi_vcpu_linear_rip(vcpu);
	if (kv->pf_allowed && kv->pf_rip == rip && kv->pf_gpa == gpa) {
		kvmi_vm_put(kv->vm);
		return false;
	}
	kv->pf_allowed = false;

	kvmi_vcpu_srcu_unlock(vcpu);
	action = kvmi_vcpu_send_event(kv, KVMI_EVENT_PF, &ev, sizeof(ev), &rpl,
				      sizeof(rpl));
	kvmi_vcpu_srcu_lock(vcpu);
	if (kvmi_vcpu_retry_or_crash(vcpu, action, ret)) {
		kvmi_vm_put(kv->vm);
		return true;
	}
	/* CONTINUE: KVM emulates this write; the restriction stays */
	kv->pf_allowed = true;
	kv->pf_rip = rip;
	kv->pf_gpa = gpa;
	kvmi_vm_put(kv->vm);
	return false;
}
