/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The functions of KVM that kvmi redirects, one line each:
 *
 *   KVMI_HOOK(id, module, symbol, return type, (parameter list))
 *
 * Like KVM's kvm-x86-ops.h, this file has no include guard: includers
 * define KVMI_HOOK to what they need (the hook table, the stubs that call
 * the originals, their prototypes, the enum of ids) and include it; it
 * undefines KVMI_HOOK at the end.  Every hook of kvm.ko and of the loaded
 * vendor module is required: kvmi refuses to load if one of them cannot
 * be resolved or armed.  Hooks of the other vendor stay off.
 */
KVMI_HOOK(vm_ioctl, "kvm", kvm_arch_vm_ioctl, kvmi_vm_ioctl_ret_t,
	  (struct file *filp, unsigned int ioctl, unsigned long arg))
KVMI_HOOK(hypercall, "kvm", kvm_emulate_hypercall, int,
	  (struct kvm_vcpu *vcpu))
KVMI_HOOK(vm_release, "kvm", kvm_vm_release, int,
	  (struct inode *inode, struct file *filp))
KVMI_HOOK(check_extension, "kvm", kvm_vm_ioctl_check_extension, int,
	  (struct kvm *kvm, long ext))
KVMI_HOOK(vcpu_postcreate, "kvm", kvm_arch_vcpu_postcreate, void,
	  (struct kvm_vcpu *vcpu))
KVMI_HOOK(set_cr0, "kvm", kvm_set_cr0, int,
	  (struct kvm_vcpu *vcpu, unsigned long cr0))
KVMI_HOOK(set_cr3, "kvm", kvm_set_cr3, int,
	  (struct kvm_vcpu *vcpu, unsigned long cr3))
KVMI_HOOK(set_cr4, "kvm", kvm_set_cr4, int,
	  (struct kvm_vcpu *vcpu, unsigned long cr4))
KVMI_HOOK(vcpu_reset, "kvm", kvm_vcpu_reset, void,
	  (struct kvm_vcpu *vcpu, bool init_event))
KVMI_HOOK(wrmsr, "kvm", kvm_emulate_wrmsr, int, (struct kvm_vcpu *vcpu))
KVMI_HOOK(msr_allowed, "kvm", kvm_msr_allowed, bool,
	  (struct kvm_vcpu *vcpu, u32 index, u32 type))
KVMI_HOOK(xsetbv, "kvm", kvm_emulate_xsetbv, int, (struct kvm_vcpu *vcpu))
KVMI_HOOK(svm_exit, "kvm_amd", svm_invoke_exit_handler, int,
	  (struct kvm_vcpu *vcpu, u64 exit_code))
KVMI_HOOK(make_spte, "kvm", make_spte, bool,
	  (struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp,
	   const struct kvm_memory_slot *slot, unsigned int pte_access,
	   gfn_t gfn, kvm_pfn_t pfn, u64 old_spte, bool prefetch,
	   bool can_unsync, bool host_writable, u64 *new_spte))
KVMI_HOOK(page_fault, "kvm", kvm_mmu_page_fault, int,
	  (struct kvm_vcpu *vcpu, gpa_t cr2_or_gpa, u64 error_code,
	   void *insn, int insn_len))
KVMI_HOOK(tdp_map, "kvm", kvm_tdp_mmu_map, int,
	  (struct kvm_vcpu *vcpu, struct kvm_page_fault *fault))
KVMI_HOOK(gfn_to_pfn, "kvm", __gfn_to_pfn_memslot, kvm_pfn_t,
	  KVMI_GFN_TO_PFN_PARAMS)
KVMI_HOOK(vmx_exit, "kvm_intel", vmx_handle_exit, int,
	  (struct kvm_vcpu *vcpu, fastpath_t exit_fastpath))

#undef KVMI_HOOK
