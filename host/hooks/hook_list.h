/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The functions of KVM that kvmi redirects, one line each:
 *
 *   KVMI_HOOK(id, module, symbol, return type, (parameter list))
 *
 * From this list hooks.c builds the hook table, the stubs that call the
 * originals and the prototypes of both; the debugfs listing follows the
 * table.  Every hook is required: kvmi refuses to load if one of them
 * cannot be resolved or armed.
 */
#ifndef KVMI_HOOKS_HOOK_LIST_H
#define KVMI_HOOKS_HOOK_LIST_H

#include <linux/kvm_host.h>
#include "compat.h"

#define KVMI_HOOK_LIST							\
	KVMI_HOOK(vm_ioctl, "kvm", kvm_arch_vm_ioctl, kvmi_vm_ioctl_ret_t, \
		  (struct file *filp, unsigned int ioctl, unsigned long arg)) \
	KVMI_HOOK(hypercall, "kvm", kvm_emulate_hypercall, int,	\
		  (struct kvm_vcpu *vcpu))

enum kvmi_hook_id {
#define KVMI_HOOK(id, mod, sym, ret, args) KVMI_HOOK_##id,
	KVMI_HOOK_LIST
#undef KVMI_HOOK
	KVMI_NR_HOOKS
};

#endif /* KVMI_HOOKS_HOOK_LIST_H */
