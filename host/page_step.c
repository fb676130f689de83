// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stepping over a restricted access.
 *
 * A PF event answered CONTINUE normally has KVM's emulator perform the
 * access while the restriction stays.  The guest runs the instruction
 * itself instead, single-stepped, when the tool asks for it (the reply's
 * singlestep byte, libkvmi's field) or when KVM's emulator cannot decode
 * the instruction (many SSE/AVX forms, for instance):
 *
 *  1. the gfn is "opened" for the bits the instruction needs: they count
 *     as allowed for the whole VM (KVM's MMU may map the gfn with them:
 *     the write tracking is dropped, the execute and read vetoes let the
 *     mapping through);
 *  2. the vCPU goes back to the guest with single-stepping on; the
 *     instruction faults once more, KVM maps the page, the instruction
 *     completes and the single-step trap exits;
 *  3. at that exit (or at a reset, or when the session ends) the gfn is
 *     closed again: write tracking back, mappings zapped, as far as the
 *     restriction still stands.  A SINGLESTEP event follows only when the
 *     tool single-steps the vCPU itself.
 *
 * While a gfn is open, the other vCPUs may access it without an event:
 * a tool that cannot accept that pauses them first.  At most
 * KVMI_MAX_OPEN gfns of a VM are open at once and one per vCPU; beyond
 * that, and when the VMM debugs the vCPU itself, the instruction goes to
 * the emulator as usual.
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "page_access.h"
#include "vcpu.h"

/**
 * kvmi_pages_open_bits() - the access bits of @gfn that are open
 * @p: the VM's restrictions
 * @gfn: the gfn
 *
 * Context: any, including KVM's MMU under mmu_lock.
 */
u8 kvmi_pages_open_bits(struct kvmi_pages *p, u64 gfn)
{
	u8 bits = 0;
	int i;

	if (!READ_ONCE(p->nr_open))
		return 0;
	spin_lock(&p->open_lock);
	for (i = 0; i < KVMI_MAX_OPEN; i++)
		if (p->open[i].bits && p->open[i].gfn == gfn)
			bits |= p->open[i].bits;
	spin_unlock(&p->open_lock);
	return bits;
}

/* Context: p->lock held. */
static int open_slot(struct kvmi_pages *p, struct kvmi_vcpu *kv, u64 gfn,
		     u8 bits)
{
	int i, ret = -1;

	if (p->stopped)
		return -1;
	spin_lock(&p->open_lock);
	for (i = 0; i < KVMI_MAX_OPEN && ret < 0; i++) {
		if (!p->open[i].bits) {
			p->open[i].gfn = gfn;
			p->open[i].bits = bits;
			p->open[i].owner = kv;
			WRITE_ONCE(p->nr_open, p->nr_open + 1);
			ret = i;
		}
	}
	spin_unlock(&p->open_lock);
	return ret;
}

/*
 * Close slot @i: whatever of its bits the map still denies is enforced
 * again.  Context: p->lock held.
 */
static void close_slot(struct kvmi_vm *vm, int i)
{
	struct kvmi_pages *p = &vm->pages;
	u64 gfn = p->open[i].gfn;
	u8 bits = p->open[i].bits;
	u8 still;

	spin_lock(&p->open_lock);
	p->open[i].bits = 0;
	p->open[i].owner = NULL;
	WRITE_ONCE(p->nr_open, p->nr_open - 1);
	spin_unlock(&p->open_lock);

	still = kvmi_gfn_map_get(&p->denied, gfn) & bits;
	if (still & KVMI_PAGE_ACCESS_W)
		kvmi_track_write(p->track, gfn, true);
	if (still & (KVMI_PAGE_ACCESS_R | KVMI_PAGE_ACCESS_X))
		kvmi_mmu_protect(vm->kvm, gfn, 0, true);
}

/**
 * kvmi_step_over() - let the vCPU run its faulting instruction natively
 * @kv: the vCPU's context, in its exit handler
 * @gfn: the restricted gfn
 * @bits: the denied bits the instruction needs
 *
 * Context: the vCPU thread; may sleep.
 * Return: true if the vCPU now steps over the instruction (the exit
 * handler resumes the guest), false if the caller must emulate it.
 */
bool kvmi_step_over(struct kvmi_vcpu *kv, u64 gfn, u8 bits)
{
	struct kvmi_pages *p = &kv->vm->pages;
	int i;

	if (kv->step.slot >= 0 || !bits)
		return false;
	mutex_lock(&p->lock);
	i = open_slot(p, kv, gfn, bits);
	if (i >= 0 && (bits & KVMI_PAGE_ACCESS_W))
		kvmi_track_write(p->track, gfn, false);
	mutex_unlock(&p->lock);
	if (i < 0)
		return false;
	if (kvmi_vcpu_guest_debug(kv->vcpu, kv->bp_on, true)) {
		mutex_lock(&p->lock);
		close_slot(kv->vm, i);
		mutex_unlock(&p->lock);
		return false;
	}
	kv->step.slot = i;
	return true;
}

/* End the vCPU's step over; its single-stepping goes back to the tool's. */
static void step_end(struct kvmi_vcpu *kv)
{
	struct kvmi_pages *p = &kv->vm->pages;

	mutex_lock(&p->lock);
	/* the session's end may have closed it already */
	if (p->open[kv->step.slot].owner == kv)
		close_slot(kv->vm, kv->step.slot);
	mutex_unlock(&p->lock);
	kv->step.slot = -1;
	kvmi_vcpu_guest_debug(kv->vcpu, kv->bp_on, kv->ss_on);
}

/**
 * kvmi_step_over_done() - a single-step trap of the vCPU
 * @kv: the vCPU's context
 *
 * Return: true if it ended a step over (the gfn is closed again).
 */
bool kvmi_step_over_done(struct kvmi_vcpu *kv)
{
	if (kv->step.slot < 0)
		return false;
	step_end(kv);
	return true;
}

/* A reset cleared the trap flag: the step over will not finish. */
void kvmi_step_over_reset(struct kvmi_vcpu *kv)
{
	if (kv->step.slot >= 0)
		step_end(kv);
}

/**
 * kvmi_pages_close_all() - the session ends: close every open gfn
 * @vm: the VM
 *
 * Context: p->lock held, before the restrictions are lifted.  Nothing
 * opens afterwards.
 */
void kvmi_pages_close_all(struct kvmi_vm *vm)
{
	int i;

	vm->pages.stopped = true;
	for (i = 0; i < KVMI_MAX_OPEN; i++)
		if (vm->pages.open[i].bits)
			close_slot(vm, i);
}
