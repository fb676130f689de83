/* SPDX-License-Identifier: GPL-2.0-only */
/* The guest's MTRR memory type of an address (mtrr.c). */
#ifndef KVMI_MTRR_H
#define KVMI_MTRR_H

#include <linux/types.h>

struct kvm_vcpu;

u8 kvmi_mtrr_type(struct kvm_vcpu *vcpu, u64 gpa);

#endif /* KVMI_MTRR_H */
