// SPDX-License-Identifier: GPL-2.0-only
/*
 * Redirecting KVM functions to kvmi.
 *
 * Each function of hook_list.h gets an ftrace_ops with IPMODIFY whose
 * callback points the saved instruction pointer at our wrapper: the
 * wrapper then runs in place of the function, in the caller's context,
 * and calls the original through a stub that enters it past its fentry
 * call (so ftrace does not see the call again and no recursion guard is
 * needed).
 *
 * Load-time rules: every hooked symbol must resolve, start with an ftrace
 * call site, register, and be armed afterwards (the call site patched to
 * a CALL); otherwise loading fails and the log names the symbol.
 */
#include <linux/atomic.h>
#include <linux/ftrace.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include "hooks.h"
#include "stubs.h"
#include "symbols.h"

/**
 * struct kvmi_hook - one redirected function
 * @module: module that defines it
 * @symbol: its name
 * @wrapper: our replacement, with the same prototype
 * @orig: target of the stub that calls the original (its fentry + 5)
 * @addr: the function's address
 * @fentry: the ftrace call site at its entry
 * @ops: our ftrace_ops on @fentry
 * @resolved: @addr, @fentry and @orig are known, @ops filters on @fentry
 * @armed: registered and verified
 *
 * Calls that went through @wrapper are counted per CPU in hook_hits.
 */
struct kvmi_hook {
	const char *module;
	const char *symbol;
	unsigned long wrapper;
	unsigned long *orig;
	unsigned long addr;
	unsigned long fentry;
	struct ftrace_ops ops;
	bool resolved;
	bool armed;
};

#define KVMI_HOOK(id, mod, sym, ret, args) static ret kvmi_wrap_##id args;
#include "hook_list.h"

static struct kvmi_hook hooks[KVMI_NR_HOOKS] = {
#define KVMI_HOOK(id, mod, sym, ret, args)				\
	[KVMI_HOOK_##id] = {						\
		.module = mod,						\
		.symbol = #sym,						\
		.wrapper = (unsigned long)kvmi_wrap_##id,		\
		.orig = &KVMI_STUB_TARGET(sym),				\
	},
#include "hook_list.h"
};

/*
 * Wrappers that are running, counted so that unloading can wait for them
 * (see hooks_remove()), and the calls of each hook.  Both are per CPU:
 * the exit hooks run on every VM exit of every vCPU, where a shared
 * counter would bounce one cache line between all CPUs.  A wrapper may
 * leave on another CPU than it entered (it can sleep in the original),
 * so one CPU's count can be negative; only the sum means something.
 */
static DEFINE_PER_CPU(long, inflight);
static DEFINE_PER_CPU(u64, hook_hits[KVMI_NR_HOOKS]);
static bool unloading;
static int leave_key;		/* hook_leave() wakes waiters on this */

static void hook_enter(enum kvmi_hook_id id)
{
	this_cpu_inc(inflight);
	this_cpu_inc(hook_hits[id]);
}

static void hook_leave(void)
{
	this_cpu_dec(inflight);
	if (unlikely(READ_ONCE(unloading)))
		wake_up_var(&leave_key);
}

/*
 * Once no wrapper can be entered any more, the sum can only fall, and it
 * is never below the number of wrappers still running when it was read:
 * every increment happened before the summing started, and a decrement it
 * sees belongs to an increment it sees too.  So 0 means none is left.
 */
static long inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(inflight, cpu));
	return sum;
}

static kvmi_vm_ioctl_ret_t kvmi_wrap_vm_ioctl(struct file *filp,
					      unsigned int ioctl,
					      unsigned long arg)
{
	kvmi_vm_ioctl_ret_t ret;
	long handled;

	hook_enter(KVMI_HOOK_vm_ioctl);
	if (kvmi_on_vm_ioctl(filp->private_data, ioctl, arg, &handled))
		ret = handled;
	else
		ret = kvmi_stub_kvm_arch_vm_ioctl(filp, ioctl, arg);
	hook_leave();
	return ret;
}

static int kvmi_wrap_hypercall(struct kvm_vcpu *vcpu)
{
	int ret;

	hook_enter(KVMI_HOOK_hypercall);
	if (!kvmi_on_hypercall(vcpu, &ret))
		ret = kvmi_stub_kvm_emulate_hypercall(vcpu);
	hook_leave();
	return ret;
}

static int kvmi_wrap_vm_release(struct inode *inode, struct file *filp)
{
	int ret;

	hook_enter(KVMI_HOOK_vm_release);
	kvmi_on_vm_release(filp->private_data);
	ret = kvmi_stub_kvm_vm_release(inode, filp);
	hook_leave();
	return ret;
}

static int kvmi_wrap_check_extension(struct kvm *kvm, long ext)
{
	int ret;

	hook_enter(KVMI_HOOK_check_extension);
	if (!kvmi_on_check_extension(kvm, ext, &ret))
		ret = kvmi_stub_kvm_vm_ioctl_check_extension(kvm, ext);
	hook_leave();
	return ret;
}

static void kvmi_wrap_vcpu_postcreate(struct kvm_vcpu *vcpu)
{
	hook_enter(KVMI_HOOK_vcpu_postcreate);
	kvmi_stub_kvm_arch_vcpu_postcreate(vcpu);
	kvmi_on_vcpu_create(vcpu);
	hook_leave();
}

static int set_cr(enum kvmi_hook_id id, struct kvm_vcpu *vcpu,
		  unsigned int cr, unsigned long val)
{
	int ret;

	hook_enter(id);
	if (!kvmi_on_set_cr(vcpu, cr, val, &ret))
		ret = kvmi_vcpu_set_cr(vcpu, cr, val);
	hook_leave();
	return ret;
}

static int kvmi_wrap_set_cr0(struct kvm_vcpu *vcpu, unsigned long cr0)
{
	return set_cr(KVMI_HOOK_set_cr0, vcpu, 0, cr0);
}

static int kvmi_wrap_set_cr3(struct kvm_vcpu *vcpu, unsigned long cr3)
{
	return set_cr(KVMI_HOOK_set_cr3, vcpu, 3, cr3);
}

static int kvmi_wrap_set_cr4(struct kvm_vcpu *vcpu, unsigned long cr4)
{
	return set_cr(KVMI_HOOK_set_cr4, vcpu, 4, cr4);
}

static void kvmi_wrap_vcpu_reset(struct kvm_vcpu *vcpu, bool init_event)
{
	hook_enter(KVMI_HOOK_vcpu_reset);
	kvmi_stub_kvm_vcpu_reset(vcpu, init_event);
	kvmi_on_vcpu_reset(vcpu);
	hook_leave();
}

static int kvmi_wrap_wrmsr(struct kvm_vcpu *vcpu)
{
	int ret;

	hook_enter(KVMI_HOOK_wrmsr);
	if (!kvmi_on_wrmsr(vcpu, &ret))
		ret = kvmi_stub_kvm_emulate_wrmsr(vcpu);
	hook_leave();
	return ret;
}

/*
 * The vendor module asks whether it may let the guest access an MSR
 * without an exit.  For a write the tool monitors the answer is no, so
 * the write exits and reaches kvm_emulate_wrmsr(); KVM's own checks of
 * guest accesses (callers inside kvm.ko) get the real answer.
 */
static bool kvmi_wrap_msr_allowed(struct kvm_vcpu *vcpu, u32 index, u32 type)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	bool ret;

	hook_enter(KVMI_HOOK_msr_allowed);
	if ((type & KVM_MSR_FILTER_WRITE) && kvmi_vendor_owns(caller) &&
	    kvmi_msr_write_monitored(vcpu, index))
		ret = false;
	else
		ret = kvmi_stub_kvm_msr_allowed(vcpu, index, type);
	hook_leave();
	return ret;
}

static int kvmi_wrap_xsetbv(struct kvm_vcpu *vcpu)
{
	int ret;

	hook_enter(KVMI_HOOK_xsetbv);
	if (!kvmi_on_xsetbv(vcpu, &ret))
		ret = kvmi_stub_kvm_emulate_xsetbv(vcpu);
	hook_leave();
	return ret;
}

/*
 * KVM builds a leaf entry of its (nested/extended) page tables: one for
 * a gfn the tool made non-executable loses its execute permission.
 */
static bool kvmi_wrap_make_spte(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp,
				const struct kvm_memory_slot *slot,
				unsigned int pte_access, gfn_t gfn,
				kvm_pfn_t pfn, u64 old_spte, bool prefetch,
				bool can_unsync, bool host_writable,
				u64 *new_spte)
{
	bool ret;

	hook_enter(KVMI_HOOK_make_spte);
	if (vcpu && (pte_access & KVMI_ACC_EXEC) &&
	    kvmi_gfn_exec_restricted(vcpu, gfn))
		pte_access &= ~KVMI_ACC_EXEC;
	ret = kvmi_stub_make_spte(vcpu, sp, slot, pte_access, gfn, pfn,
				  old_spte, prefetch, can_unsync, host_writable,
				  new_spte);
	hook_leave();
	return ret;
}

/*
 * KVM's TDP MMU is about to map a gfn: the gfn of a guest fault that kvmi
 * passed on, of an async page fault that completed, or of 6.12's
 * KVM_PRE_FAULT_MEMORY.  A gfn the tool made unreadable stays unmapped
 * (nested page tables cannot say "present but not readable"); KVM is
 * told to emulate instead, which the vCPU does for a guest fault and the
 * other two turn into "nothing mapped" (-ENOENT for the pre-fault
 * ioctl, as for MMIO).
 */
/*
 * A gfn that shows another VM's page is mapped alone: no huge page of
 * the introspector may cover it (KVM would map the introspector's own
 * memory around and in place of it).
 */
static void remote_cap_level(struct kvm *kvm, struct kvm_page_fault *fault,
			     u64 gfn)
{
	u64 base2m = gfn & ~(u64)(KVM_PAGES_PER_HPAGE(PG_LEVEL_2M) - 1);
	u64 base1g = gfn & ~(u64)(KVM_PAGES_PER_HPAGE(PG_LEVEL_1G) - 1);

	if (kvmi_remote_in_range(kvm, base2m,
				 base2m + KVM_PAGES_PER_HPAGE(PG_LEVEL_2M) - 1))
		kvmi_fault_cap_level(fault, PG_LEVEL_4K);
	else if (kvmi_remote_in_range(kvm, base1g, base1g +
				      KVM_PAGES_PER_HPAGE(PG_LEVEL_1G) - 1))
		kvmi_fault_cap_level(fault, PG_LEVEL_2M);
}

static int kvmi_wrap_tdp_map(struct kvm_vcpu *vcpu,
			     struct kvm_page_fault *fault)
{
	u64 gfn;
	int ret;

	hook_enter(KVMI_HOOK_tdp_map);
	if (!kvmi_fault_gfn(fault, &gfn)) {
		ret = kvmi_stub_kvm_tdp_mmu_map(vcpu, fault);
	} else if (kvmi_gfn_read_restricted(vcpu, gfn)) {
		ret = KVMI_RET_PF_EMULATE;
	} else {
		remote_cap_level(vcpu->kvm, fault, gfn);
		ret = kvmi_stub_kvm_tdp_mmu_map(vcpu, fault);
	}
	hook_leave();
	return ret;
}

/*
 * KVM resolves a gfn to a host page, on its MMU's fault path.  A gfn of
 * an introspector VM that shows another VM's page resolves to that page,
 * read-only; a write gets KVM's answer for a read-only memory slot, and
 * KVM's emulator then completes it in the introspector's own page.
 */
static kvm_pfn_t kvmi_wrap_gfn_to_pfn KVMI_GFN_TO_PFN_PARAMS
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct page *page = NULL;
	bool redirected = false;
	unsigned long own = 0;
	kvm_pfn_t pfn;

	hook_enter(KVMI_HOOK_gfn_to_pfn);
	if (vcpu && slot && !(slot->flags & KVM_MEMSLOT_INVALID)) {
		own = __gfn_to_hva_memslot(slot, gfn);
		redirected = kvmi_remote_page(vcpu->kvm, gfn, own, write_fault,
					      &page);
	}
	if (redirected) {
		if (hva)
			*hva = own;
		if (writable)
			*writable = false;
		pfn = page ? page_to_pfn(page) : KVM_PFN_ERR_RO_FAULT;
	} else {
		pfn = kvmi_stub___gfn_to_pfn_memslot KVMI_GFN_TO_PFN_ARGS;
	}
	hook_leave();
	return pfn;
}

/* A guest page fault KVM handles (NPF/EPT violation with TDP). */
static int kvmi_wrap_page_fault(struct kvm_vcpu *vcpu, gpa_t cr2_or_gpa,
				u64 error_code, void *insn, int insn_len)
{
	int ret;

	hook_enter(KVMI_HOOK_page_fault);
	if (!kvmi_on_page_fault(vcpu, cr2_or_gpa, error_code, &ret))
		ret = kvmi_stub_kvm_mmu_page_fault(vcpu, cr2_or_gpa, error_code,
						   insn, insn_len);
	hook_leave();
	return ret;
}

/*
 * Around every exit handler of the vendor module: kvmi reports a delivered
 * injection (TRAP) before anything else of the exit, and takes the
 * KVM_EXIT_DEBUG stops of its breakpoints and single-steps before they
 * reach the VMM.
 */
static int exit_done(struct kvm_vcpu *vcpu, int ret)
{
	if (!ret)
		kvmi_on_exit_to_user(vcpu, &ret);
	return ret;
}

/* Every exit of an SVM vCPU; descriptor-table exits are kvmi's. */
static int kvmi_wrap_svm_exit(struct kvm_vcpu *vcpu, u64 exit_code)
{
	int ret;

	hook_enter(KVMI_HOOK_svm_exit);
	kvmi_on_vcpu_exit(vcpu);
	if (!kvmi_on_desc_exit(vcpu, exit_code, &ret))
		ret = kvmi_stub_svm_invoke_exit_handler(vcpu, exit_code);
	ret = exit_done(vcpu, ret);
	hook_leave();
	return ret;
}

/* Every exit of a VMX vCPU (not run on this project's machines). */
static int kvmi_wrap_vmx_exit(struct kvm_vcpu *vcpu, fastpath_t exit_fastpath)
{
	int ret;

	hook_enter(KVMI_HOOK_vmx_exit);
	kvmi_on_vcpu_exit(vcpu);
	ret = kvmi_stub_vmx_handle_exit(vcpu, exit_fastpath);
	ret = exit_done(vcpu, ret);
	hook_leave();
	return ret;
}

static void notrace kvmi_ftrace_thunk(unsigned long ip,
				      unsigned long parent_ip,
				      struct ftrace_ops *ops,
				      struct ftrace_regs *fregs)
{
	struct kvmi_hook *hook = container_of(ops, struct kvmi_hook, ops);

	kvmi_ftrace_set_ip(fregs, hook->wrapper);
}

/* Armed means ftrace patched the call site's NOP into a CALL. */
static bool hook_is_armed(const struct kvmi_hook *hook)
{
	u8 opcode;

	return !get_kernel_nofault(opcode, (u8 *)hook->fentry) &&
	       opcode == 0xe8;
}

static int hook_resolve(struct kvmi_hook *hook)
{
	int ret;

	hook->addr = kvmi_lookup(hook->module, hook->symbol);
	if (!hook->addr) {
		pr_err("kvmi: cannot resolve %s:%s\n", hook->module,
		       hook->symbol);
		return -ENOENT;
	}
	hook->fentry = kvmi_fentry(hook->addr);
	if (!hook->fentry) {
		pr_err("kvmi: %s:%s does not start with an ftrace call site\n",
		       hook->module, hook->symbol);
		return -EINVAL;
	}
	*hook->orig = hook->fentry + MCOUNT_INSN_SIZE;

	hook->ops.func = kvmi_ftrace_thunk;
	hook->ops.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_RECURSION;
	ret = ftrace_set_filter_ip(&hook->ops, hook->fentry, 0, 0);
	if (ret) {
		pr_err("kvmi: cannot filter on %s:%s: %d\n", hook->module,
		       hook->symbol, ret);
		return ret;
	}
	hook->resolved = true;
	return 0;
}

static int hook_arm(struct kvmi_hook *hook)
{
	int ret;

	ret = register_ftrace_function(&hook->ops);
	if (ret) {
		pr_err("kvmi: cannot hook %s:%s: %d\n", hook->module,
		       hook->symbol, ret);
		return ret;
	}
	if (!hook_is_armed(hook)) {
		pr_err("kvmi: hook on %s:%s registered but not armed\n",
		       hook->module, hook->symbol);
		unregister_ftrace_function(&hook->ops);
		return -EINVAL;
	}
	WRITE_ONCE(hook->armed, true);
	return 0;
}

/*
 * The vendor's exit hook runs on every VM exit, so it is not armed at
 * load: a session that needs it (an injection, breakpoint or single-step
 * events, a step over a restricted access, descriptor events) arms it,
 * and it stays armed until kvmi is unloaded.  Until then, being loaded or
 * hooked costs a VM exit nothing.
 */
static bool is_exit_hook(enum kvmi_hook_id id)
{
	return id == KVMI_HOOK_svm_exit || id == KVMI_HOOK_vmx_exit;
}

static DEFINE_MUTEX(arm_lock);		/* arming the exit hook */
static bool exit_armed;			/* written under arm_lock */

/**
 * kvmi_hooks_arm_exit() - make sure the vendor's exit hook is armed
 *
 * Context: process context (a vCPU thread); may sleep the first time.
 * Return: 0, or a negative error (the hook could not be armed).
 */
int kvmi_hooks_arm_exit(void)
{
	int ret = 0, i;

	/* armed once for good: pairs with the release below */
	if (smp_load_acquire(&exit_armed))
		return 0;
	mutex_lock(&arm_lock);
	for (i = 0; i < KVMI_NR_HOOKS && !ret; i++)
		if (is_exit_hook(i) && hooks[i].resolved && !hooks[i].armed)
			ret = hook_arm(&hooks[i]);
	if (!ret)	/* the hook armed before the flag is seen */
		smp_store_release(&exit_armed, true);
	mutex_unlock(&arm_lock);
	return ret;
}

static void hooks_remove(void)
{
	bool removed = false;
	int i;

	for (i = KVMI_NR_HOOKS - 1; i >= 0; i--) {
		if (hooks[i].armed) {
			unregister_ftrace_function(&hooks[i].ops);
			WRITE_ONCE(hooks[i].armed, false);
			removed = true;
		}
		if (hooks[i].resolved)
			ftrace_free_filter(&hooks[i].ops);
		hooks[i].resolved = false;
	}
	exit_armed = false;
	if (!removed)
		return;

	/*
	 * Our code may still be running after the last ops is gone:
	 * 1. A task redirected just before unregistering may not have
	 *    reached hook_enter() yet.  It cannot sleep before it does, so
	 *    an RCU-tasks grace period (a voluntary switch of every task)
	 *    ends that window.
	 * 2. Tasks inside a wrapper, possibly sleeping in the original, are
	 *    counted in @inflight: wait for them to leave.
	 * 3. A task between hook_leave() and its return is again only
	 *    preemptible, not sleeping: a second grace period ends it.
	 */
	synchronize_rcu_tasks();
	WRITE_ONCE(unloading, true);
	/*
	 * hook_leave() has no barrier between its decrement and its look at
	 * @unloading (it runs on every exit), so its wake-up may be missed:
	 * look again every 100 ms.
	 */
	while (inflight_sum())
		wait_var_event_timeout(&leave_key, !inflight_sum(),
				       msecs_to_jiffies(100));
	synchronize_rcu_tasks();
}

/**
 * kvmi_hooks_init() - resolve, install and verify every hook
 *
 * Context: module init.
 * Return: 0, or a negative error after undoing everything.
 */
int kvmi_hooks_init(void)
{
	int ret, i;

	ret = kvmi_symbols_init();
	if (ret)
		return ret;
	/*
	 * Check the lookup against an exported function (this reference
	 * also makes kvmi depend on kvm for the module loader).
	 */
	if (kvmi_lookup("kvm", "kvm_emulate_hypercall") !=
	    (unsigned long)kvm_emulate_hypercall) {
		pr_err("kvmi: kallsyms disagrees with the loader on kvm:kvm_emulate_hypercall\n");
		return -EINVAL;
	}
	ret = kvmi_kvm_init();
	if (ret)
		return ret;
	ret = kvmi_vendor_pin();
	if (ret)
		return ret;
	kvmi_intercept_init();
	kvmi_debug_init();
	kvmi_pagetrack_init();
	kvmi_remote_init();
	for (i = 0; i < KVMI_NR_HOOKS; i++) {
		if (strcmp(hooks[i].module, "kvm") &&
		    strcmp(hooks[i].module, kvmi_vendor_name()))
			continue;	/* the other vendor's */
		ret = hook_resolve(&hooks[i]);
		if (!ret && !is_exit_hook(i))
			ret = hook_arm(&hooks[i]);
		if (ret)
			goto out_remove;
	}
	return 0;

out_remove:
	hooks_remove();
	kvmi_vendor_unpin();
	return ret;
}

/**
 * kvmi_hooks_exit() - remove every hook and wait until none is running
 *
 * Context: module exit; may sleep.
 */
void kvmi_hooks_exit(void)
{
	hooks_remove();
	kvmi_vendor_unpin();
}

/**
 * kvmi_hooks_show() - list the hooks for debugfs
 * @m: the seq_file to print to
 *
 * One line per hook: symbol, module, state (armed/off) and hit count.
 */
void kvmi_hooks_show(struct seq_file *m)
{
	int i;

	seq_printf(m, "# symbol module state hits (vendor %s)\n",
		   kvmi_vendor_name());
	for (i = 0; i < KVMI_NR_HOOKS; i++) {
		u64 hits = 0;
		int cpu;

		for_each_possible_cpu(cpu)
			hits += READ_ONCE(per_cpu(hook_hits[i], cpu));
		seq_printf(m, "%s %s %s %llu\n", hooks[i].symbol,
			   hooks[i].module, hooks[i].armed ? "armed" : "off",
			   hits);
	}
}
