// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM ioctls of the device manager (KVM_INTROSPECTION_*).
 *
 * Not implemented yet: every ioctl that generic KVM did not handle goes on
 * to KVM's own x86 handler, which answers ENOTTY for numbers it does not
 * know.  The control plane lands with issue 3 (docs: Documentation/status.rst).
 */
#include "hooks/hooks.h"

bool kvmi_on_vm_ioctl(struct kvm *kvm, unsigned int ioctl, unsigned long arg,
		      long *ret)
{
	return false;
}
