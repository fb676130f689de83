/* SPDX-License-Identifier: GPL-2.0-only */
/* Declarations of every call stub defined in stubs.c (see stub.h). */
#ifndef KVMI_HOOKS_STUBS_H
#define KVMI_HOOKS_STUBS_H

#include <linux/kvm_host.h>

#include "stub.h"
#include "hook_ids.h"

struct module;
struct kvm_mmu_page;
struct kvm_page_fault;

KVMI_DECLARE_STUB(kallsyms_lookup_name);
KVMI_DECLARE_STUB(ftrace_location);
KVMI_DECLARE_STUB(__module_address);
KVMI_DECLARE_STUB(__get_regs);
KVMI_DECLARE_STUB(__get_sregs);
KVMI_DECLARE_STUB(__set_regs);
KVMI_DECLARE_STUB(task_work_cancel);
KVMI_DECLARE_STUB(update_exception_bitmap);
KVMI_DECLARE_STUB(kvm_mmu_gfn_disallow_lpage);
KVMI_DECLARE_STUB(kvm_mmu_gfn_allow_lpage);
KVMI_DECLARE_STUB(kvm_zap_gfn_range);
unsigned long kvmi_stub_kallsyms_lookup_name(const char *name);
unsigned long kvmi_stub_ftrace_location(unsigned long ip);
struct module *kvmi_stub___module_address(unsigned long addr);
void kvmi_stub___get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void kvmi_stub___get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
void kvmi_stub___set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
bool kvmi_stub_task_work_cancel(struct task_struct *task,
				struct callback_head *cb);
void kvmi_stub_update_exception_bitmap(struct kvm_vcpu *vcpu);
void kvmi_stub_kvm_mmu_gfn_disallow_lpage(const struct kvm_memory_slot *slot,
					  gfn_t gfn);
void kvmi_stub_kvm_mmu_gfn_allow_lpage(const struct kvm_memory_slot *slot,
				       gfn_t gfn);
void kvmi_stub_kvm_zap_gfn_range(struct kvm *kvm, gfn_t gfn_start,
				 gfn_t gfn_end);

/* kvmi_stub_<symbol>() calls the original <symbol>, past its fentry. */
#define KVMI_HOOK(id, mod, sym, ret, args)				\
	KVMI_DECLARE_STUB(sym);						\
	ret kvmi_stub_##sym args;
#include "hook_list.h"

#endif /* KVMI_HOOKS_STUBS_H */
