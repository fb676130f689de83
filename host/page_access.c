// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page access restrictions: KVMI_SET_PAGE_ACCESS, KVMI_GET_PAGE_ACCESS
 * and the PF event.
 *
 * The restrictions of a VM live in a compact map from gfn to the access
 * bits denied (gfn_map.c).  Write restrictions are enforced through KVM's write
 * tracking (hooks/pagetrack.c): the guest's write faults, and kvmi sends
 * the PF event before KVM emulates the write.  An execute restriction
 * makes KVM map the gfn non-executable; a read restriction keeps it
 * unmapped (nested page tables have no "present but unreadable"), so
 * every access to it faults: the denied ones raise the event, the
 * allowed ones and CONTINUE run in KVM's emulator, which reaches guest
 * memory without the nested page tables.
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
#include "rmap.h"
#include "page_access.h"
#include "vcpu.h"

#define KVMI_ACCESS_RWX (KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W | \
			 KVMI_PAGE_ACCESS_X)
/* The restrictions that KVM's MMU enforces through kvmi's hooks. */
#define KVMI_ACCESS_RX (KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_X)

void kvmi_pages_init(struct kvmi_pages *p)
{
	mutex_init(&p->lock);
	kvmi_gfn_map_init(&p->denied);
	spin_lock_init(&p->open_lock);
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
 * Every vCPU needs its context before a gfn loses R or X: KVM's MMU finds
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
 * KVM's write tracking, which also reports removed memory slots, starts
 * with the first restriction or map token of the session.  Context: the
 * receive thread (6.12 registers from the VMM's mm), p->lock held.
 */
static int track_start(struct kvmi_vm *vm)
{
	struct kvmi_track *t;

	if (vm->pages.track)
		return 0;
	t = kvmi_track_start(vm->kvm, vm);
	if (IS_ERR(t))
		return PTR_ERR(t);
	vm->pages.track = t;
	return 0;
}

/**
 * kvmi_pages_track_slots() - be told when a memory slot goes away
 * @vm: the session
 *
 * Remote mappings of the VM's pages end with their memory slot.
 * Context: the receive thread.
 * Return: 0 or the error of kvmi_track_start().
 */
int kvmi_pages_track_slots(struct kvmi_vm *vm)
{
	int ret;

	mutex_lock(&vm->pages.lock);
	ret = track_start(vm);
	mutex_unlock(&vm->pages.lock);
	return ret;
}

/*
 * The map changes first when a restriction is added (KVM's MMU reads it
 * when it maps the gfn again) and last when one is lifted.
 */
static int set_access(struct kvmi_vm *vm, u64 gfn, u8 access)
{
	struct kvmi_pages *p = &vm->pages;
	u8 old = gfn_access(p, gfn);
	u8 added = old & ~access;
	/* a gfn open for a step over gets its write tracking back later */
	u8 open = kvmi_pages_open_bits(p, gfn) & KVMI_PAGE_ACCESS_W;
	bool was_w = (old | open) & KVMI_PAGE_ACCESS_W;
	bool is_w = (access | open) & KVMI_PAGE_ACCESS_W;
	int lpage = !!(~access & KVMI_ACCESS_RX) - !!(~old & KVMI_ACCESS_RX);
	int ret;

	ret = track_start(vm);
	if (ret)
		return ret;
	if (added & KVMI_ACCESS_RX) {
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
	if (lpage || (added & KVMI_ACCESS_RX)) {
		ret = kvmi_mmu_protect(vm->kvm, gfn, lpage,
				       added & KVMI_ACCESS_RX);
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
	if (!(e->access & KVMI_PAGE_ACCESS_R) && !kvmi_tdp_mmu_on(vm->kvm))
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
	if (denied & KVMI_ACCESS_RX)
		kvmi_mmu_protect(vm->kvm, gfn, -1, false);
}

/*
 * The session ends: lift every restriction, then stop hearing about
 * memory slots.  Context: process, the receive thread stopped.
 */
void kvmi_pages_stop(struct kvmi_vm *vm)
{
	struct kvmi_pages *p = &vm->pages;

	mutex_lock(&p->lock);
	kvmi_pages_close_all(vm);
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
	kvmi_rmap_slot_removed(vm, gfn, npages);
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
 * The access bits denied for @gfn in @vcpu's VM, less those open for a
 * step over; with @live, none once the session is ending.
 */
static u8 denied_access(struct kvm_vcpu *vcpu, u64 gfn, bool live)
{
	struct kvmi_vcpu *kv;
	u8 ret = 0;

	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	if (kv && !(live && READ_ONCE(kv->vm->dying))) {
		ret = ~gfn_access(&kv->vm->pages, gfn) & KVMI_ACCESS_RWX;
		if (ret)
			ret &= ~kvmi_pages_open_bits(&kv->vm->pages, gfn);
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Until kvmi_pages_stop() has erased a gfn, it stays non-executable or
 * unmapped even while the session ends: its mapping must not come back
 * with the access the tool denied.
 */
bool kvmi_gfn_exec_restricted(struct kvm_vcpu *vcpu, u64 gfn)
{
	return denied_access(vcpu, gfn, false) & KVMI_PAGE_ACCESS_X;
}

bool kvmi_gfn_read_restricted(struct kvm_vcpu *vcpu, u64 gfn)
{
	return denied_access(vcpu, gfn, false) & KVMI_PAGE_ACCESS_R;
}

/*
 * Complete a restricted access without lifting the restriction: in KVM's
 * emulator, or natively with the gfn open for one single-step (the tool
 * asked for it with @step, or the emulator cannot decode the
 * instruction).  @bits: the denied bits the instruction needs.  Return:
 * true if the caller must still run the emulator (*ret is then unset).
 */
static bool step_or_emulate(struct kvm_vcpu *vcpu, u64 gpa, u8 bits,
			    bool step, int *ret)
{
	struct kvmi_vcpu *kv;
	bool stepping = false;

	if (!step && kvmi_vcpu_can_emulate(vcpu))
		return true;
	kv = kvmi_vcpu_hold(vcpu);
	if (kv) {
		stepping = kvmi_step_over(kv, gpa >> PAGE_SHIFT, bits);
		kvmi_vm_put(kv->vm);
	}
	if (stepping)
		*ret = 1;
	return !stepping;
}

/*
 * A fault that KVM's MMU cannot resolve while the restriction stands:
 * an unreadable gfn (never mapped) or a fetch from a non-executable one.
 * A denied access raises the event.  CONTINUE, an allowed access, a
 * vCPU without the event on (or whose session is ending) complete the
 * instruction in KVM's emulator, which fetches it and reaches its
 * operands through the host's mapping of guest memory (or by stepping
 * over it); the restriction stays.  Faults of the CPU's own page walker
 * on an unreadable page table raise no event (the guest's instructions
 * did not ask for that read).
 */
static bool emulated_fault(struct kvm_vcpu *vcpu, u64 gpa, u8 kind,
			   u8 denied, u64 error_code, int *ret)
{
	struct kvmi_event_pf ev = {
		.gva = ~0ull, .gpa = gpa, .access = kind & denied,
	};
	struct kvmi_event_pf_reply rpl = { };
	bool walk = kvmi_pf_in_walk(error_code);
	struct kvmi_vcpu *kv = NULL;
	u8 action, bits;

	if (ev.access && !walk)
		kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_PF);
	if (kv) {
		if (kind == KVMI_PAGE_ACCESS_X)
			ev.gva = kvmi_vcpu_linear_rip(vcpu);
		action = kvmi_vcpu_exit_event(kv, KVMI_EVENT_PF, &ev,
					      sizeof(ev), &rpl, sizeof(rpl));
		if (kvmi_vcpu_retry_or_crash(vcpu, action, ret))
			return true;
	}
	/* a page walk reads and may set accessed/dirty bits */
	bits = denied & (walk ? KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_W :
				KVMI_PAGE_ACCESS_R | kind);
	if (step_or_emulate(vcpu, gpa, bits, rpl.singlestep, ret))
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
	u8 kind = kvmi_vcpu_tdp_fault_access(vcpu, error_code);
	struct kvmi_vcpu *kv;
	u8 denied;
	u64 rip;
	u8 action;

	if (!kind)
		return false;
	denied = denied_access(vcpu, gpa >> PAGE_SHIFT, false);
	if ((denied & KVMI_PAGE_ACCESS_R) ||
	    (kind & denied & KVMI_PAGE_ACCESS_X))
		return emulated_fault(vcpu, gpa, kind, denied, error_code, ret);
	if (kind != KVMI_PAGE_ACCESS_W ||
	    !(denied_access(vcpu, gpa >> PAGE_SHIFT, true) &
	      KVMI_PAGE_ACCESS_W))
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
		if (step_or_emulate(vcpu, gpa, KVMI_PAGE_ACCESS_W, false, ret))
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
	if (!step_or_emulate(vcpu, gpa, KVMI_PAGE_ACCESS_W, rpl.singlestep,
			     ret)) {
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
