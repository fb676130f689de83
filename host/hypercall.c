// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercalls of introspector VMs (KVM_HC_MEM_MAP / KVM_HC_MEM_UNMAP).
 *
 * Not implemented yet: every hypercall goes on to KVM, which answers
 * -KVM_ENOSYS for numbers it does not know.  Remote mapping lands with
 * issue 8 (docs: Documentation/status.rst).
 */
#include "hooks/hooks.h"

bool kvmi_on_hypercall(struct kvm_vcpu *vcpu, int *ret)
{
	return false;
}
