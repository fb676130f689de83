// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory type the guest's MTRRs give a guest-physical address
 * (KVMI_GET_MTRR_TYPE), computed from the vCPU's MTRR MSRs as the
 * architecture defines it: disabled MTRRs mean uncacheable; below 1 MiB
 * the fixed ranges (when enabled); else the variable ranges that match,
 * combined (UC wins; WT with WB is WT; other mixtures are undefined and
 * reported as UC); else the default type.
 *
 * KVM 6.12 no longer uses guest MTRRs itself, so this is the guest's
 * view, not necessarily the type the host maps the page with.
 */
#include "hooks/hooks.h"
#include "mtrr.h"

#define MSR_MTRRCAP		0x0fe
#define MSR_MTRR_PHYSBASE(n)	(0x200 + 2 * (n))
#define MSR_MTRR_PHYSMASK(n)	(0x201 + 2 * (n))
#define MSR_MTRRFIX64K_00000	0x250
#define MSR_MTRRFIX16K_80000	0x258
#define MSR_MTRRFIX16K_A0000	0x259
#define MSR_MTRRFIX4K_C0000	0x268
#define MSR_MTRR_DEF_TYPE	0x2ff

#define MTRR_UC	0
#define MTRR_WT	4
#define MTRR_WB	6

static u64 msr(struct kvm_vcpu *vcpu, u32 index)
{
	u64 v;

	return kvmi_vcpu_get_msr(vcpu, index, &v) ? 0 : v;
}

static u8 fixed_type(struct kvm_vcpu *vcpu, u64 gpa)
{
	u32 index;
	unsigned int shift;

	if (gpa < 0x80000) {
		index = MSR_MTRRFIX64K_00000;
		shift = gpa >> 16;
	} else if (gpa < 0xc0000) {
		index = MSR_MTRRFIX16K_80000 + ((gpa - 0x80000) >> 17);
		shift = ((gpa - 0x80000) >> 14) & 7;
	} else {
		index = MSR_MTRRFIX4K_C0000 + ((gpa - 0xc0000) >> 15);
		shift = ((gpa - 0xc0000) >> 12) & 7;
	}
	return msr(vcpu, index) >> (8 * shift);
}

/**
 * kvmi_mtrr_type() - the guest's MTRR memory type of @gpa
 * @vcpu: a vCPU of the guest, loaded by the current thread
 * @gpa: guest-physical address
 *
 * Return: an MTRR type (0 UC, 1 WC, 4 WT, 5 WP, 6 WB).
 */
u8 kvmi_mtrr_type(struct kvm_vcpu *vcpu, u64 gpa)
{
	u64 def = msr(vcpu, MSR_MTRR_DEF_TYPE);
	unsigned int n, vcnt = msr(vcpu, MSR_MTRRCAP) & 0xff;
	int type = -1;

	if (!(def & (1 << 11)))
		return MTRR_UC;
	if ((def & (1 << 10)) && gpa < 0x100000)
		return fixed_type(vcpu, gpa);

	for (n = 0; n < vcnt; n++) {
		u64 mask = msr(vcpu, MSR_MTRR_PHYSMASK(n));
		u64 base = msr(vcpu, MSR_MTRR_PHYSBASE(n));
		u8 t = base & 0xff;

		if (!(mask & (1 << 11)))
			continue;
		mask &= ~0xfffull;
		if ((gpa & mask) != (base & mask))
			continue;
		if (type < 0 || type == t)
			type = t;
		else if (t == MTRR_UC || type == MTRR_UC)
			type = MTRR_UC;
		else if ((t == MTRR_WT && type == MTRR_WB) ||
			 (t == MTRR_WB && type == MTRR_WT))
			type = MTRR_WT;
		else
			type = MTRR_UC;
	}
	return type < 0 ? def & 0xff : type;
}
