// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM vCPU services for kvmi's core: finding vCPUs and their threads,
 * making a vCPU thread run our work, reading a vCPU's state, and the
 * "a vCPU thread enters KVM_RUN" callback.
 *
 * Work reaches a vCPU thread as task_work (TWA_RESUME): a vCPU in guest
 * mode is kicked out, a halted one is unblocked (KVM_REQ_UNBLOCK), and
 * KVM's run loop handles pending "resume" work before re-entering the
 * guest, with the vCPU loaded and no SRCU held.  Work that runs anywhere
 * else (the thread returned to user space first) is postponed by the
 * core until the thread next enters KVM_RUN, which a kprobe reports.
 */
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/sched/task.h>
#include <linux/task_work.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>

#include "hooks.h"
#include "stubs.h"

static int run_pre(struct kprobe *p, struct pt_regs *regs)
{
	kvmi_on_vcpu_run((struct kvm_vcpu *)regs->di);
	return 0;
}

static struct kprobe run_probe = {
	.symbol_name = "kvm:kvm_arch_vcpu_ioctl_run",
	.pre_handler = run_pre,
};

/**
 * kvmi_vcpu_services_init() - arm the KVM_RUN entry probe
 *
 * Return: 0, or the error of register_kprobe() (logged with the symbol).
 */
int kvmi_vcpu_services_init(void)
{
	int ret = register_kprobe(&run_probe);

	if (ret)
		pr_err("kvmi: cannot probe kvm:kvm_arch_vcpu_ioctl_run: %d\n",
		       ret);
	return ret;
}

void kvmi_vcpu_services_exit(void)
{
	unregister_kprobe(&run_probe);
}

/**
 * kvmi_vcpu_by_index() - a VM's vCPU by its index
 * @kvm: the VM
 * @idx: index (struct kvm_vcpu.vcpu_idx, the KVMI vCPU number)
 *
 * Return: the vCPU, or NULL if there is none (yet) with that index.
 */
struct kvm_vcpu *kvmi_vcpu_by_index(struct kvm *kvm, unsigned int idx)
{
	if (idx >= atomic_read(&kvm->online_vcpus))
		return NULL;
	return kvm_get_vcpu(kvm, idx);
}

unsigned int kvmi_vcpu_index(struct kvm_vcpu *vcpu)
{
	return vcpu->vcpu_idx;
}

struct kvm *kvmi_vcpu_kvm(struct kvm_vcpu *vcpu)
{
	return vcpu->kvm;
}

/**
 * kvmi_vcpu_task() - the vCPU's thread
 * @vcpu: the vCPU
 *
 * Return: the thread, referenced, or NULL if the vCPU never ran (no
 * thread yet) or its thread is gone.
 */
struct task_struct *kvmi_vcpu_task(struct kvm_vcpu *vcpu)
{
	struct task_struct *task;

	rcu_read_lock();
	task = get_pid_task(rcu_dereference(vcpu->pid), PIDTYPE_PID);
	rcu_read_unlock();
	return task;
}

/**
 * kvmi_vcpu_queue_work() - make a vCPU thread run @work soon
 * @vcpu: the vCPU
 * @task: its thread (or the current thread, entering KVM_RUN)
 * @work: an unqueued callback_head
 * @func: what to run
 *
 * Return: 0, or an error if the thread is exiting.
 */
int kvmi_vcpu_queue_work(struct kvm_vcpu *vcpu, struct task_struct *task,
			 struct callback_head *work,
			 void (*func)(struct callback_head *))
{
	int ret;

	init_task_work(work, func);
	ret = task_work_add(task, work, TWA_RESUME);
	if (!ret)
		kvmi_vcpu_kick(vcpu);
	return ret;
}

/* Has the vCPU run at least once (so that it has a thread)? */
bool kvmi_vcpu_has_thread(struct kvm_vcpu *vcpu)
{
	return rcu_access_pointer(vcpu->pid);
}

/**
 * kvmi_vcpu_cancel_work() - take back work that has not run yet
 * @task: the thread returned by kvmi_vcpu_queue_work()
 * @work: the work
 *
 * Return: true if it was still queued (it will not run).
 */
bool kvmi_vcpu_cancel_work(struct task_struct *task, struct callback_head *work)
{
	return kvmi_stub_task_work_cancel(task, work);
}

/* Get a vCPU out of guest mode or out of a halt, to handle its work. */
void kvmi_vcpu_kick(struct kvm_vcpu *vcpu)
{
	kvm_make_request(KVM_REQ_UNBLOCK, vcpu);
	kvm_vcpu_kick(vcpu);
}

/* Is the current thread running @vcpu (loaded, inside KVM_RUN)? */
bool kvmi_vcpu_is_current(struct kvm_vcpu *vcpu)
{
	return kvm_get_running_vcpu() == vcpu;
}

u64 kvmi_vcpu_tsc_hz(struct kvm_vcpu *vcpu)
{
	return (u64)vcpu->arch.virtual_tsc_khz * 1000;
}

void kvmi_vcpu_crash(struct kvm_vcpu *vcpu)
{
	kvm_make_request(KVM_REQ_TRIPLE_FAULT, vcpu);
}

/* The vCPU thread waits for the tool: KVM's SRCU must not be held. */
void kvmi_vcpu_srcu_unlock(struct kvm_vcpu *vcpu)
	__releases(&vcpu->kvm->srcu)
{
	kvm_vcpu_srcu_read_unlock(vcpu);
}

void kvmi_vcpu_srcu_lock(struct kvm_vcpu *vcpu)
	__acquires(&vcpu->kvm->srcu)
{
	kvm_vcpu_srcu_read_lock(vcpu);
}

static u8 operand_mode(const struct kvm_sregs *sregs)
{
	if ((sregs->efer & EFER_LMA) && sregs->cs.l)
		return 8;
	if (sregs->cs.db)
		return 4;
	return 2;
}

/**
 * kvmi_vcpu_get_state() - the state every vCPU event carries
 * @vcpu: the vCPU, loaded by the current thread
 * @mode: out, operand size in bytes
 * @regs: out, general registers
 * @sregs: out, segments, descriptor tables, control registers
 * @msrs: out, MSRs in the order of struct kvmi_event_arch's msrs
 *	  (9 values); one KVM cannot read is reported as 0
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 */
void kvmi_vcpu_get_state(struct kvm_vcpu *vcpu, u8 *mode,
			 struct kvm_regs *regs, struct kvm_sregs *sregs,
			 u64 *msrs)
{
	static const u32 index[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP, MSR_EFER, MSR_STAR, MSR_LSTAR,
		MSR_CSTAR, MSR_IA32_CR_PAT, MSR_KERNEL_GS_BASE,
	};
	int i;

	kvmi_stub___get_regs(vcpu, regs);
	kvmi_stub___get_sregs(vcpu, sregs);
	*mode = operand_mode(sregs);
	for (i = 0; i < ARRAY_SIZE(index); i++)
		if (kvm_get_msr(vcpu, index[i], &msrs[i]))
			msrs[i] = 0;
}

/**
 * kvmi_vcpu_get_msr() - read one MSR as the guest would see it
 * @vcpu: the vCPU, loaded by the current thread
 * @index: the MSR
 * @data: out, its value
 *
 * Return: 0, or non-zero if KVM does not know the MSR.
 */
int kvmi_vcpu_get_msr(struct kvm_vcpu *vcpu, u32 index, u64 *data)
{
	return kvm_get_msr(vcpu, index, data);
}

/* Set the general registers, as KVM_SET_REGS would. */
void kvmi_vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	kvmi_stub___set_regs(vcpu, regs);
}

u64 kvmi_vcpu_xcr0(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.xcr0;
}

/* Exported by kvm.ko; declared only in its internal cpuid.h. */
struct kvm_cpuid_entry2 *kvm_find_cpuid_entry_index(struct kvm_vcpu *vcpu,
						    u32 function, u32 index);

/**
 * kvmi_vcpu_get_cpuid() - a CPUID leaf as the vCPU sees it
 * @vcpu: the vCPU
 * @function: leaf
 * @index: sub-leaf (ignored for leaves that have none)
 * @regs: out, EAX, EBX, ECX, EDX
 *
 * Context: the vCPU's thread.
 * Return: 0, or -ENOENT if the VMM did not give the vCPU that leaf.
 */
int kvmi_vcpu_get_cpuid(struct kvm_vcpu *vcpu, u32 function, u32 index,
			u32 *regs)
{
	struct kvm_cpuid_entry2 *e;

	e = kvm_find_cpuid_entry_index(vcpu, function, index);
	if (!e)
		return -ENOENT;
	regs[0] = e->eax;
	regs[1] = e->ebx;
	regs[2] = e->ecx;
	regs[3] = e->edx;
	return 0;
}

/**
 * kvmi_vcpu_translate_gva() - walk the vCPU's page tables
 * @vcpu: the vCPU, loaded by the current thread
 * @gva: guest virtual address
 *
 * A supervisor read, as the vCPU's current paging mode sees it.
 *
 * Return: the guest-physical address, or ~0 if @gva does not translate.
 */
u64 kvmi_vcpu_translate_gva(struct kvm_vcpu *vcpu, u64 gva)
{
	/*
	 * struct x86_exception is private to KVM (32 bytes in both series);
	 * the walker fills it on failure, and we do not look at it.
	 */
	u64 exception[8] = { };
	struct kvm_mmu *mmu = vcpu->arch.walk_mmu;
	u64 gpa;
	int idx;

	idx = srcu_read_lock(&vcpu->kvm->srcu);
	gpa = mmu->gva_to_gpa(vcpu, mmu, gva, 0,
			      (struct x86_exception *)exception);
	srcu_read_unlock(&vcpu->kvm->srcu, idx);
	return gpa;
}

/*
 * Inside KVM_RUN the guest's FPU state may be live in the registers.
 * kernel_fpu_begin() saves it into the guest's fpstate (the task's
 * current one during KVM_RUN) and marks it to be loaded again before the
 * next guest entry; after that the fpstate in memory is the truth.
 */
static void guest_fpu_to_memory(void)
{
	kernel_fpu_begin();
	kernel_fpu_end();
}

/**
 * kvmi_vcpu_get_xsave() - the vCPU's XSAVE area, as KVM_GET_XSAVE
 * @vcpu: the vCPU, loaded by the current thread
 * @buf: out, @size bytes
 * @size: size of the area (sizeof(struct kvm_xsave))
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 * Return: 0, or -EOPNOTSUPP for a VM whose FPU state is confidential.
 */
int kvmi_vcpu_get_xsave(struct kvm_vcpu *vcpu, void *buf, unsigned int size)
{
	struct fpu_guest *gfpu = &vcpu->arch.guest_fpu;

	if (fpstate_is_confidential(gfpu))
		return -EOPNOTSUPP;
	guest_fpu_to_memory();
	fpu_copy_guest_fpstate_to_uabi(gfpu, buf, size,
				       gfpu->fpstate->user_xfeatures,
				       vcpu->arch.pkru);
	return 0;
}

/**
 * kvmi_vcpu_set_xsave() - load the vCPU's XSAVE area, as KVM_SET_XSAVE
 * @vcpu: the vCPU, loaded by the current thread
 * @buf: a struct kvm_xsave region
 *
 * Context: the vCPU's thread, inside KVM_RUN.
 * Return: 0, -EINVAL for features the guest may not use, -EOPNOTSUPP
 * for a VM whose FPU state is confidential.
 */
int kvmi_vcpu_set_xsave(struct kvm_vcpu *vcpu, const void *buf)
{
	struct fpu_guest *gfpu = &vcpu->arch.guest_fpu;

	if (fpstate_is_confidential(gfpu))
		return -EOPNOTSUPP;
	guest_fpu_to_memory();
	return fpu_copy_uabi_to_guest_fpstate(gfpu, buf,
					      gfpu->fpstate->user_xfeatures,
					      &vcpu->arch.pkru);
}

/* Hypercall registers (a KVM hypercall: number in RAX, args in RBX...). */
void kvmi_vcpu_hypercall_regs(struct kvm_vcpu *vcpu, u64 *rax, u64 *rdi,
			      u64 *rsi)
{
	*rax = vcpu->arch.regs[VCPU_REGS_RAX];
	*rdi = vcpu->arch.regs[VCPU_REGS_RDI];
	*rsi = vcpu->arch.regs[VCPU_REGS_RSI];
}

/* Finish a hypercall that kvmi handled: result in RAX, skip the insn. */
int kvmi_vcpu_hypercall_done(struct kvm_vcpu *vcpu, u64 result)
{
	vcpu->arch.regs[VCPU_REGS_RAX] = result;
	return kvm_skip_emulated_instruction(vcpu);
}
