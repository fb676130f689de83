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
#include <linux/kvm_types.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
/* kvm_arch_vm_ioctl() returns int since 6.11. */
typedef int kvmi_vm_ioctl_ret_t;
/* Write tracking per gfn (kvm_write_track_add_gfn()) since 6.7. */
#define KVMI_PAGE_TRACK_PER_GFN 1
#define kvmi_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
/* The error code of struct kvm_page_fault is 64 bits wide since 6.10. */
typedef u64 kvmi_pf_error_t;
#define KVMI_PF_HAS_PRIVATE 1
/* __gfn_to_pfn_memslot() may be interrupted by signals since 6.4. */
#define KVMI_GFN_TO_PFN_PARAMS						\
	(const struct kvm_memory_slot *slot, gfn_t gfn, bool atomic,	\
	 bool interruptible, bool *async, bool write_fault,		\
	 bool *writable, hva_t *hva)
#define KVMI_GFN_TO_PFN_ARGS \
	(slot, gfn, atomic, interruptible, async, write_fault, writable, hva)
/* GUP lost its vmas argument in 6.5. */
#define kvmi_pin_user_pages_remote(mm, start, n, flags, pages) \
	pin_user_pages_remote(mm, start, n, flags, pages, NULL)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
typedef long kvmi_vm_ioctl_ret_t;
#define KVMI_PAGE_TRACK_PER_GFN 0
#define kvmi_ftrace_set_ip(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
typedef u32 kvmi_pf_error_t;
#define KVMI_PF_HAS_PRIVATE 0
#define KVMI_GFN_TO_PFN_PARAMS						\
	(const struct kvm_memory_slot *slot, gfn_t gfn, bool atomic,	\
	 bool *async, bool write_fault, bool *writable, hva_t *hva)
#define KVMI_GFN_TO_PFN_ARGS \
	(slot, gfn, atomic, async, write_fault, writable, hva)
#define kvmi_pin_user_pages_remote(mm, start, n, flags, pages) \
	pin_user_pages_remote(mm, start, n, flags, pages, NULL, NULL)
#else
#error "kvmi supports the Debian 6.1 and 6.12 kernel series only"
#endif

/**
 * struct kvmi_pf_head - the leading fields of KVM's struct kvm_page_fault
 * @addr: the faulting guest-physical address
 * @error_code: the fault's error code
 * @prefetch: not a fault of the guest (async page fault, pre-fault)
 * @flags: exec, write, present, rsvd, user, is_tdp (, is_private),
 *	nx_huge_page_workaround_enabled, huge_page_disallowed
 * @levels: max_level, req_level, goal_level
 * @gfn: the gfn kvm_tdp_mmu_map() maps
 *
 * The structure is private to KVM (arch/x86/kvm/mmu/mmu_internal.h, not
 * in the headers package); this copy of its start, taken from the
 * Debian linux-source of each series, is checked at run time: @gfn must
 * be @addr's page (see kvmi_fault_gfn()).
 */
struct kvmi_pf_head {
	u64 addr;
	kvmi_pf_error_t error_code;
	bool prefetch;
	bool flags[8 + KVMI_PF_HAS_PRIVATE];
	u8 levels[3];
	u64 gfn;
};

#endif /* KVMI_HOOKS_COMPAT_H */
