/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boundary between kvmi's core and KVM's internals.
 *
 * The hooks layer (host/hooks/) is the only code that knows private KVM
 * functions, their signatures per kernel series and how to redirect them.
 * It turns each redirected function into a plain callback into the core,
 * declared at the end of this file.
 */
#ifndef KVMI_HOOKS_H
#define KVMI_HOOKS_H

#include <linux/types.h>

struct file;
struct kvm;
struct kvm_vcpu;
struct seq_file;

int kvmi_hooks_init(void);
void kvmi_hooks_exit(void);
int kvmi_hooks_arm_exit(void);
void kvmi_hooks_show(struct seq_file *m);

/* KVM services (kvm.c) */
int kvmi_kvm_init(void);
struct kvm *kvmi_kvm_from_file(struct file *file);
void kvmi_kvm_get(struct kvm *kvm);
void kvmi_kvm_put(struct kvm *kvm);
pid_t kvmi_kvm_pid(struct kvm *kvm);
unsigned int kvmi_vcpu_count(struct kvm *kvm);
u64 kvmi_max_gfn(struct kvm *kvm);
int kvmi_guest_read(struct kvm *kvm, u64 gpa, void *buf, size_t len);
int kvmi_guest_write(struct kvm *kvm, u64 gpa, const void *buf, size_t len);

/* KVM vCPU services (vcpu.c) */
struct callback_head;
struct kvm_regs;
struct kvm_sregs;
struct task_struct;
int kvmi_vcpu_services_init(void);
void kvmi_vcpu_services_exit(void);
struct kvm_vcpu *kvmi_vcpu_by_index(struct kvm *kvm, unsigned int idx);
unsigned int kvmi_vcpu_index(struct kvm_vcpu *vcpu);
struct kvm *kvmi_vcpu_kvm(struct kvm_vcpu *vcpu);
struct task_struct *kvmi_vcpu_task(struct kvm_vcpu *vcpu);
int kvmi_vcpu_queue_work(struct kvm_vcpu *vcpu, struct task_struct *task,
			 struct callback_head *work,
			 void (*func)(struct callback_head *));
bool kvmi_vcpu_has_thread(struct kvm_vcpu *vcpu);
bool kvmi_vcpu_cancel_work(struct task_struct *task,
			   struct callback_head *work);
void kvmi_vcpu_kick(struct kvm_vcpu *vcpu);
bool kvmi_vcpu_is_current(struct kvm_vcpu *vcpu);
u64 kvmi_vcpu_tsc_hz(struct kvm_vcpu *vcpu);
void kvmi_vcpu_crash(struct kvm_vcpu *vcpu);
void kvmi_vcpu_srcu_unlock(struct kvm_vcpu *vcpu);
void kvmi_vcpu_srcu_lock(struct kvm_vcpu *vcpu);
void kvmi_vcpu_get_state(struct kvm_vcpu *vcpu, u8 *mode,
			 struct kvm_regs *regs, struct kvm_sregs *sregs,
			 u64 *msrs);
int kvmi_vcpu_get_msr(struct kvm_vcpu *vcpu, u32 index, u64 *data);
void kvmi_vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
u64 kvmi_vcpu_xcr0(struct kvm_vcpu *vcpu);
u64 kvmi_vcpu_translate_gva(struct kvm_vcpu *vcpu, u64 gva);
int kvmi_vcpu_get_xsave(struct kvm_vcpu *vcpu, void *buf, unsigned int size);
int kvmi_vcpu_set_xsave(struct kvm_vcpu *vcpu, const void *buf);
int kvmi_vcpu_get_cpuid(struct kvm_vcpu *vcpu, u32 function, u32 index,
			u32 *regs);
void kvmi_vcpu_hypercall_regs(struct kvm_vcpu *vcpu, u64 *rax, u64 *rdi,
			      u64 *rsi);
int kvmi_vcpu_hypercall_done(struct kvm_vcpu *vcpu, u64 result);

/* Intercepts (intercept.c). */
void kvmi_intercept_init(void);
unsigned long kvmi_vcpu_read_cr(struct kvm_vcpu *vcpu, unsigned int cr);
int kvmi_vcpu_set_cr(struct kvm_vcpu *vcpu, unsigned int cr,
		     unsigned long val);
void kvmi_vcpu_wrmsr_args(struct kvm_vcpu *vcpu, u32 *msr, u64 *val);
int kvmi_vcpu_emulate_wrmsr(struct kvm_vcpu *vcpu, u64 val);
void kvmi_vcpu_msr_intercepts_changed(struct kvm_vcpu *vcpu);
int kvmi_vcpu_cr3_intercept(struct kvm_vcpu *vcpu, bool on);
void kvmi_vcpu_cr3_intercept_drop(struct kvm_vcpu *vcpu);
int kvmi_vcpu_desc_intercept(struct kvm_vcpu *vcpu, bool on);
bool kvmi_vcpu_desc_exit(u64 exit_code, u8 *desc, u8 *write);
int kvmi_vcpu_emulate_insn(struct kvm_vcpu *vcpu);
bool kvmi_vcpu_can_emulate(struct kvm_vcpu *vcpu);

/* Write tracking and page faults (pagetrack.c). */
struct kvmi_track;
struct kvmi_track *kvmi_track_start(struct kvm *kvm, void *owner);
void kvmi_track_stop(struct kvmi_track *t);
int kvmi_track_write(struct kvmi_track *t, u64 gfn, bool on);
bool kvmi_gfn_visible(struct kvm *kvm, u64 gfn);
u64 kvmi_vcpu_linear_rip(struct kvm_vcpu *vcpu);
bool kvmi_pf_in_walk(u64 error_code);
u8 kvmi_vcpu_tdp_fault_access(struct kvm_vcpu *vcpu, u64 error_code);
int kvmi_mmu_protect(struct kvm *kvm, u64 gfn, int lpage, bool zap);
bool kvmi_tdp_mmu_on(struct kvm *kvm);
void kvmi_pagetrack_init(void);
struct kvm_page_fault;
bool kvmi_fault_gfn(const struct kvm_page_fault *fault, u64 *gfn);

/* KVM's execute permission in make_spte()'s pte_access (mmu.h). */
#define KVMI_ACC_EXEC	1
/* "Emulate the instruction" from KVM's page-fault handlers (RET_PF_*). */
#define KVMI_RET_PF_EMULATE	2
int kvmi_kvm_use_mm(struct kvm *kvm);
void kvmi_kvm_unuse_mm(struct kvm *kvm);

/* Remote mapping (remote.c). */
struct page;
void kvmi_remote_init(void);
bool kvmi_remote_supported(void);
int kvmi_vcpu_cpl(struct kvm_vcpu *vcpu);
void kvmi_vcpu_hypercall_args(struct kvm_vcpu *vcpu, u64 *nr, u64 args[3]);
int kvmi_vcpu_read_gva(struct kvm_vcpu *vcpu, u64 gva, void *buf, size_t len);
int kvmi_kvm_ram_hva(struct kvm *kvm, u64 gfn, unsigned long *hva);
int kvmi_kvm_pin_gfn(struct kvm *kvm, u64 gfn, struct page **page,
		     unsigned long *hva);
void kvmi_kvm_zap_gfn(struct kvm *kvm, u64 gfn);
void kvmi_fault_cap_level(struct kvm_page_fault *fault, u8 level);

/* Guest debugging and exception injection (debug.c). */
void kvmi_debug_init(void);
bool kvmi_debug_supported(void);
int kvmi_vcpu_guest_debug(struct kvm_vcpu *vcpu, bool bp, bool ss);
bool kvmi_vcpu_debug_owned(struct kvm_vcpu *vcpu);
bool kvmi_vcpu_debug_exit(struct kvm_vcpu *vcpu, u8 *vector, u64 *pc,
			  u8 *insn_len);
void kvmi_vcpu_reinject_bp(struct kvm_vcpu *vcpu);
void kvmi_vcpu_debug_reset(struct kvm_vcpu *vcpu);
bool kvmi_vcpu_exception_valid(u8 vector);
int kvmi_vcpu_inject(struct kvm_vcpu *vcpu, u8 vector, u32 error_code,
		     u64 address);
bool kvmi_vcpu_exception_state(struct kvm_vcpu *vcpu, u8 *vector,
			       u32 *error_code, u64 *cr2);
u64 kvmi_vcpu_exits(struct kvm_vcpu *vcpu);

/*
 * Callbacks into the core.  Each returns true when the core handled the
 * event itself (and then sets *ret); false passes it on to KVM.
 */

/**
 * kvmi_on_vm_ioctl() - a VM ioctl that generic KVM code did not handle
 * @kvm: the VM whose file received the ioctl
 * @ioctl: the ioctl command word
 * @arg: its argument, a user pointer for most commands
 * @ret: the ioctl's result when handled
 *
 * Context: process context of the VM's owner (kvm->mm == current->mm).
 * Return: true if the ioctl was handled.
 */
bool kvmi_on_vm_ioctl(struct kvm *kvm, unsigned int ioctl, unsigned long arg,
		      long *ret);

/**
 * kvmi_on_hypercall() - a vCPU issued VMCALL/VMMCALL
 * @vcpu: the vCPU, loaded
 * @ret: the exit handler's result when handled (1: resume the guest)
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 * Return: true if the hypercall was handled.
 */
bool kvmi_on_hypercall(struct kvm_vcpu *vcpu, int *ret);

/**
 * kvmi_on_vm_release() - the VM's file is being released
 * @kvm: the VM
 *
 * Called before KVM drops the file's reference on the VM.
 * Context: process context; may sleep.
 */
void kvmi_on_vm_release(struct kvm *kvm);

/**
 * kvmi_on_check_extension() - KVM_CHECK_EXTENSION on /dev/kvm or a VM
 * @kvm: the VM, or NULL for /dev/kvm
 * @ext: the capability asked about
 * @ret: the answer when handled
 *
 * Return: true if the capability is kvmi's.
 */
bool kvmi_on_check_extension(struct kvm *kvm, long ext, int *ret);

/**
 * kvmi_on_vcpu_create() - a vCPU was created and is online
 * @vcpu: the new vCPU (it has not run yet)
 *
 * Context: the VMM's KVM_CREATE_VCPU ioctl; may sleep.
 */
void kvmi_on_vcpu_create(struct kvm_vcpu *vcpu);

/**
 * kvmi_on_vcpu_run() - a vCPU thread enters KVM_RUN
 * @vcpu: the vCPU
 *
 * Context: the vCPU thread, from a kprobe: preemption disabled, must not
 * sleep.
 */
void kvmi_on_vcpu_run(struct kvm_vcpu *vcpu);

/**
 * kvmi_on_set_cr() - the guest writes CR0, CR3 or CR4
 * @vcpu: the vCPU, loaded
 * @cr: 0, 3 or 4
 * @val: the value it writes
 * @ret: kvm_set_cr*()'s result when handled
 *
 * Context: vCPU thread, kvm->srcu read-held, may sleep.
 * Return: true if handled (the write was done, changed or dropped).
 */
bool kvmi_on_set_cr(struct kvm_vcpu *vcpu, unsigned int cr, unsigned long val,
		    int *ret);

/**
 * kvmi_on_vcpu_reset() - a vCPU was reset (RESET or INIT)
 * @vcpu: the vCPU, loaded
 *
 * Context: vCPU thread or the VMM's vCPU ioctl; may sleep.
 */
void kvmi_on_vcpu_reset(struct kvm_vcpu *vcpu);

/**
 * kvmi_on_wrmsr() - the guest executes WRMSR (an intercepted one)
 * @vcpu: the vCPU, loaded
 * @ret: the exit handler's result when handled
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 * Return: true if handled.
 */
bool kvmi_on_wrmsr(struct kvm_vcpu *vcpu, int *ret);

/**
 * kvmi_msr_write_monitored() - must writes of an MSR exit?
 * @vcpu: the vCPU
 * @msr: the MSR
 *
 * Context: any; must not sleep.
 */
bool kvmi_msr_write_monitored(struct kvm_vcpu *vcpu, u32 msr);

/**
 * kvmi_on_xsetbv() - the guest executes XSETBV
 * @vcpu: the vCPU, loaded
 * @ret: the exit handler's result when handled
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 * Return: true if handled.
 */
bool kvmi_on_xsetbv(struct kvm_vcpu *vcpu, int *ret);

/**
 * kvmi_on_desc_exit() - an SVM exit, before KVM handles it
 * @vcpu: the vCPU, loaded
 * @exit_code: the SVM exit code
 * @ret: the exit handler's result when handled
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 * Return: true for a descriptor-table exit, which kvmi handles (KVM has
 * no handler for them).
 */
bool kvmi_on_desc_exit(struct kvm_vcpu *vcpu, u64 exit_code, int *ret);

/**
 * kvmi_on_vcpu_exit() - a VM exit, before the vendor module handles it
 * @vcpu: the vCPU, loaded
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 */
void kvmi_on_vcpu_exit(struct kvm_vcpu *vcpu);

/**
 * kvmi_on_exit_to_user() - an exit handler asks to return to user space
 * @vcpu: the vCPU, loaded
 * @ret: in, 0; out, the exit handler's result when handled
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 * Return: true if kvmi handled the reason (a KVM_EXIT_DEBUG of its own).
 */
bool kvmi_on_exit_to_user(struct kvm_vcpu *vcpu, int *ret);

/**
 * kvmi_on_page_fault() - a guest-physical page fault, before KVM's MMU
 * @vcpu: the vCPU, loaded
 * @gpa: the faulting guest-physical address (with TDP)
 * @error_code: KVM's page-fault error code
 * @ret: the result of kvm_mmu_page_fault() when handled
 *
 * Context: vCPU thread, exit handler, kvm->srcu read-held, may sleep.
 * Return: true if kvmi handled the fault (RETRY or CRASH of a PF event).
 */
bool kvmi_on_page_fault(struct kvm_vcpu *vcpu, u64 gpa, u64 error_code,
			int *ret);

/**
 * kvmi_on_tracked_write() - KVM emulated a guest write to a tracked gfn
 * @vcpu: the vCPU whose instruction wrote
 * @gpa: where
 *
 * Context: vCPU thread, inside KVM's emulator; must not sleep.
 */
void kvmi_on_tracked_write(struct kvm_vcpu *vcpu, u64 gpa);

/**
 * kvmi_gfn_exec_restricted() - must KVM map @gfn non-executable?
 * @vcpu: the vCPU whose fault builds the mapping
 * @gfn: the gfn
 *
 * Context: KVM's MMU, mmu_lock held: must not sleep.
 */
bool kvmi_gfn_exec_restricted(struct kvm_vcpu *vcpu, u64 gfn);

/**
 * kvmi_gfn_read_restricted() - must KVM leave @gfn unmapped?
 * @vcpu: the vCPU whose fault would map it
 * @gfn: the gfn
 *
 * Context: KVM's MMU, mmu_lock held: must not sleep.
 */
bool kvmi_gfn_read_restricted(struct kvm_vcpu *vcpu, u64 gfn);

/**
 * kvmi_on_slot_removed() - a memory slot and its write tracking are gone
 * @owner: the owner given to kvmi_track_start()
 * @gfn: its first gfn
 * @npages: its size
 *
 * Context: the VMM's memslot ioctl or VM teardown; may sleep; must not
 * wait for kvmi_track_stop().
 */
void kvmi_on_slot_removed(void *owner, u64 gfn, unsigned long npages);

/**
 * kvmi_remote_page() - does a gfn show another VM's page?
 * @kvm: the VM whose gfn KVM resolves
 * @gfn: the gfn
 * @hva: its host address in @kvm's memory slot
 * @write: KVM resolves it for a write
 * @page: set to the page to map, with a reference for KVM to drop; NULL
 *	  for a write (the mapping is read-only)
 *
 * Context: KVM's fault path (the vCPU thread); must not sleep.
 * Return: true if @gfn of @kvm is redirected.
 */
bool kvmi_remote_page(struct kvm *kvm, u64 gfn, unsigned long hva,
		      bool write, struct page **page);

/**
 * kvmi_remote_in_range() - is a gfn of @first..@last redirected?
 * @kvm: the VM
 * @first: first gfn
 * @last: last gfn, inclusive
 *
 * KVM must not map a redirected gfn as part of a huge page.
 * Context: KVM's fault path; must not sleep.
 */
bool kvmi_remote_in_range(struct kvm *kvm, u64 first, u64 last);

#endif /* KVMI_HOOKS_H */
