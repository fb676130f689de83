/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only place that tests kernel versions.  Everything that differs
 * between the supported series (Debian 6.1 and 6.12) is named here as a
 * type or a helper, so that the rest of the hooks layer reads the same on
 * both.
 */
#ifndef KVMI_HOOKS_COMPAT_H
#define KVMI_HOOKS_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
/* kvm_arch_vm_ioctl() returns int since 6.11. */
typedef int kvmi_vm_ioctl_ret_t;
/* Write tracking per gfn (kvm_write_track_add_gfn()) since 6.7. */
#define KVMI_PAGE_TRACK_PER_GFN 1
#define kvmi_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
typedef long kvmi_vm_ioctl_ret_t;
#define KVMI_PAGE_TRACK_PER_GFN 0
#define kvmi_ftrace_set_ip(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#else
#error "kvmi supports the Debian 6.1 and 6.12 kernel series only"
#endif

#endif /* KVMI_HOOKS_COMPAT_H */
