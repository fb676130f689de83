// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPUs of a hooked VM: jobs that run in the vCPU thread, and events that
 * hold the vCPU until the tool replies.
 *
 * Jobs.  A job is queued on a vCPU's list and the vCPU thread is asked to
 * run the list through task_work (hooks/vcpu.c): KVM's run loop handles
 * it before the next guest entry, with the vCPU loaded, including for a
 * halted vCPU.  If the work runs elsewhere (the thread left KVM_RUN
 * first), the jobs are deferred and the work is queued again when the
 * thread next enters KVM_RUN (kvmi_on_vcpu_run()).  So a command for a
 * vCPU that is outside KVM_RUN waits until it enters it; one for a vCPU
 * that never ran gets -KVM_EAGAIN.
 *
 * Events.  The vCPU thread sends the event and sleeps until the reply, a
 * job (it runs jobs while it waits: the tool may send commands before it
 * answers), the end of the session, or a fatal signal.  Without a reply
 * the vCPU continues as if the tool had answered CONTINUE.
 */
#include <linux/hashtable.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait_bit.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "kvmi_trace.h"
#include "proto.h"
#include "vcpu.h"

/*
 * @raises_event: the job sends an event itself, so it must not run while
 * the vCPU waits in another event (events do not nest: their replies
 * would cross); it waits until that event is over.
 */
struct kvmi_job {
	struct list_head link;
	kvmi_job_fn fn;
	bool raises_event;
	u8 ctx[];
};

/*
 * A vCPU waiting in an event reads its own reply from the socket (sock.c,
 * "The reader role"); off, the receive thread reads every message.  For
 * make bench's side-by-side figure and as a way back.
 */
static bool direct_reply = true;
module_param(direct_reply, bool, 0644);
MODULE_PARM_DESC(direct_reply,
		 "a vCPU waiting in an event reads its own reply (default: on)");

/* Every kvmi_vcpu by struct kvm_vcpu, for the KVM_RUN probe. */
static DEFINE_HASHTABLE(table, 8);
static DEFINE_SPINLOCK(table_lock);	/* writers; readers use RCU */

/* task_works queued or running: module unload waits for them. */
static atomic_t works = ATOMIC_INIT(0);

static void work_done(void)
{
	if (atomic_dec_and_test(&works))
		wake_up_var(&works);
}

int kvmi_vcpus_init(void)
{
	return 0;
}

/*
 * Module unload: every session has ended, so no work is queued any more;
 * wait for works still running, then for their last instructions.
 */
void kvmi_vcpus_exit(void)
{
	wait_var_event(&works, !atomic_read(&works));
	synchronize_rcu_tasks();
}

/**
 * kvmi_vcpu_find() - a vCPU's context, if it has one
 * @vm: the VM's context
 * @idx: the vCPU index
 */
struct kvmi_vcpu *kvmi_vcpu_find(struct kvmi_vm *vm, unsigned int idx)
{
	return xa_load(&vm->vcpus, idx);
}

/**
 * kvmi_vcpu_lookup_rcu() - the context of a KVM vCPU, if it has one
 * @vcpu: the KVM vCPU
 *
 * Context: rcu_read_lock() held; the context may belong to a session
 * that is ending (check ->vm->dying).
 */
struct kvmi_vcpu *kvmi_vcpu_lookup_rcu(struct kvm_vcpu *vcpu)
{
	struct kvmi_vcpu *kv;

	hash_for_each_possible_rcu(table, kv, node, (unsigned long)vcpu)
		if (kv->vcpu == vcpu)
			return kv;
	return NULL;
}

/**
 * kvmi_vcpu_hold() - the context of a KVM vCPU in a live session
 * @vcpu: the KVM vCPU
 *
 * Return: the context, with a reference on its VM (kvmi_vm_put(kv->vm)),
 * or NULL if @vcpu has none or its session is ending.
 */
struct kvmi_vcpu *kvmi_vcpu_hold(struct kvm_vcpu *vcpu)
{
	struct kvmi_vcpu *kv;

	rcu_read_lock();
	kv = kvmi_vcpu_lookup_rcu(vcpu);
	if (kv && (READ_ONCE(kv->vm->dying) ||
		   !kref_get_unless_zero(&kv->vm->ref)))
		kv = NULL;
	rcu_read_unlock();
	return kv;
}

/**
 * kvmi_vcpu_get() - a vCPU's context, created on first use
 * @vm: the VM's context
 * @idx: the vCPU index
 *
 * Context: process context.
 * Return: the context (owned by @vm), or NULL if there is no such vCPU
 * or no memory.
 */
struct kvmi_vcpu *kvmi_vcpu_get(struct kvmi_vm *vm, unsigned int idx)
{
	struct kvm_vcpu *vcpu = kvmi_vcpu_by_index(vm->kvm, idx);
	struct kvmi_vcpu *kv;
	int err;

	if (!vcpu)
		return NULL;
	kv = xa_load(&vm->vcpus, idx);
	if (kv)
		return kv;

	kv = kzalloc(sizeof(*kv), GFP_KERNEL_ACCOUNT);
	if (!kv)
		return NULL;
	kv->vm = vm;
	kv->vcpu = vcpu;
	kv->idx = idx;
	kv->step.slot = -1;
	spin_lock_init(&kv->lock);
	INIT_LIST_HEAD(&kv->jobs);
	init_waitqueue_head(&kv->wq);

	err = xa_insert(&vm->vcpus, idx, kv, GFP_KERNEL_ACCOUNT);
	if (err) {
		kfree(kv);
		return err == -EBUSY ? xa_load(&vm->vcpus, idx) : NULL;
	}
	spin_lock(&table_lock);
	hash_add_rcu(table, &kv->node, (unsigned long)vcpu);
	spin_unlock(&table_lock);
	return kv;
}

static void run_work(struct callback_head *work);

/*
 * Queue the work on @task (the current thread) or on the vCPU's thread.
 * Called with @kv->work_busy set by the caller, which owns the queueing.
 *
 * @kv->work_task is recorded before the work is queued, so that the work
 * (which may run at once) and teardown always find it.  If the session
 * started ending meanwhile, teardown may have looked before: the work is
 * then taken back here.
 */
static bool arm_work(struct kvmi_vcpu *kv, struct task_struct *task)
{
	bool queued, cancelled = false;

	if (!kref_get_unless_zero(&kv->vm->ref))
		goto out_deferred;
	if (task)
		get_task_struct(task);
	else
		task = kvmi_vcpu_task(kv->vcpu);
	if (!task) {
		kvmi_vm_put(kv->vm);
		goto out_deferred;
	}
	atomic_inc(&works);

	spin_lock(&kv->lock);
	kv->work_task = task;
	spin_unlock(&kv->lock);

	queued = !kvmi_vcpu_queue_work(kv->vcpu, task, &kv->work, run_work);

	spin_lock(&kv->lock);
	if (kv->work_task == task &&
	    (!queued || (READ_ONCE(kv->vm->dying) &&
			 kvmi_vcpu_cancel_work(task, &kv->work)))) {
		kv->work_task = NULL;
		kv->work_busy = false;
		kv->deferred = !queued;
		cancelled = true;
	}
	spin_unlock(&kv->lock);

	if (cancelled) {
		put_task_struct(task);
		kvmi_vm_put(kv->vm);
		work_done();
	}
	return !cancelled;

out_deferred:
	spin_lock(&kv->lock);
	kv->work_busy = false;
	kv->deferred = true;
	spin_unlock(&kv->lock);
	return false;
}

static void free_jobs(struct list_head *jobs)
{
	struct kvmi_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, jobs, link)
		kfree(job);
}

/*
 * Run the queued jobs, in the vCPU thread, in order; while the vCPU waits
 * in an event (@in_event) only those that do not raise events.
 */
static void run_jobs(struct kvmi_vcpu *kv, bool in_event)
{
	struct kvmi_job *job, *next;

	for (;;) {
		spin_lock(&kv->lock);
		job = NULL;
		list_for_each_entry(next, &kv->jobs, link) {
			if (!in_event || !next->raises_event) {
				job = next;
				break;
			}
		}
		if (job)
			list_del(&job->link);
		spin_unlock(&kv->lock);
		if (!job)
			break;
		if (!READ_ONCE(kv->vm->dying))
			job->fn(kv, job->ctx);
		kfree(job);
	}
}

static void run_work(struct callback_head *work)
{
	struct kvmi_vcpu *kv = container_of(work, struct kvmi_vcpu, work);
	struct kvmi_vm *vm = kv->vm;
	struct task_struct *task;
	bool here = kvmi_vcpu_is_current(kv->vcpu);

	spin_lock(&kv->lock);
	task = kv->work_task;
	kv->work_task = NULL;
	kv->work_busy = false;
	if (!here && !list_empty(&kv->jobs) && !READ_ONCE(vm->dying))
		kv->deferred = true;
	spin_unlock(&kv->lock);
	if (task)
		put_task_struct(task);

	if (here)
		run_jobs(kv, false);

	kvmi_vm_put(vm);
	work_done();
}

static int queue_job(struct kvmi_vcpu *kv, kvmi_job_fn fn, bool raises_event,
		     const void *ctx, size_t len);

/**
 * kvmi_vcpu_queue_job() - have the vCPU thread run @fn
 * @kv: the vCPU's context
 * @fn: the job
 * @raises_event: @fn sends an event (it then waits until the vCPU is not
 *		  in another event)
 * @ctx: bytes copied for the job
 * @len: their length
 *
 * Context: process context.
 * Return: 0; -KVM_EAGAIN if the vCPU never ran (it has no thread yet);
 * -KVM_ENOMEM.  A job for a vCPU whose thread is outside KVM_RUN waits
 * until the thread enters it.
 */
int kvmi_vcpu_queue_job(struct kvmi_vcpu *kv, kvmi_job_fn fn,
			bool raises_event, const void *ctx, size_t len)
{
	if (!kvmi_vcpu_has_thread(kv->vcpu))
		return -KVM_EAGAIN;
	return queue_job(kv, fn, raises_event, ctx, len);
}

/**
 * kvmi_vcpu_queue_first_job() - a job for a vCPU that never ran
 * @kv: the vCPU's context
 * @fn: the job, which raises an event
 *
 * It runs when the vCPU first enters KVM_RUN.
 *
 * Return: 0, or -KVM_ENOMEM.
 */
int kvmi_vcpu_queue_first_job(struct kvmi_vcpu *kv, kvmi_job_fn fn)
{
	return queue_job(kv, fn, true, NULL, 0);
}

static int queue_job(struct kvmi_vcpu *kv, kvmi_job_fn fn, bool raises_event,
		     const void *ctx, size_t len)
{
	struct kvmi_job *job;
	bool arm = false;

	job = kmalloc(sizeof(*job) + len, GFP_KERNEL_ACCOUNT);
	if (!job)
		return -KVM_ENOMEM;
	job->fn = fn;
	job->raises_event = raises_event;
	memcpy(job->ctx, ctx, len);

	spin_lock(&kv->lock);
	list_add_tail(&job->link, &kv->jobs);
	if (!kv->work_busy && !kv->deferred) {
		kv->work_busy = true;
		arm = true;
	}
	spin_unlock(&kv->lock);

	wake_up(&kv->wq);	/* a vCPU waiting in an event runs jobs */
	if (arm)
		arm_work(kv, NULL);	/* on failure: deferred */
	kvmi_vcpu_kick(kv->vcpu);
	return 0;
}

/*
 * The KVM_RUN probe: queue deferred jobs on the entering thread.  Work
 * queued on another thread (the one that ran the vCPU before: the VMM
 * moved the vCPU to a new thread) would run only when that thread returns
 * to user space, so it is taken back and queued here.
 */
void kvmi_on_vcpu_run(struct kvm_vcpu *vcpu)
{
	struct kvmi_vcpu *found;
	struct task_struct *task, *moved = NULL;
	bool arm = false;

	rcu_read_lock();
	found = kvmi_vcpu_lookup_rcu(vcpu);
	if (!found || READ_ONCE(found->vm->dying))
		goto out;
	task = READ_ONCE(found->work_task);
	if (!READ_ONCE(found->deferred) && (!task || task == current))
		goto out;

	spin_lock(&found->lock);
	if (found->deferred && !found->work_busy) {
		found->deferred = false;
		found->work_busy = true;
		arm = true;
	} else if (found->work_task && found->work_task != current &&
		   kvmi_vcpu_cancel_work(found->work_task, &found->work)) {
		/* work_busy stays set: the queueing is still ours */
		moved = found->work_task;
		found->work_task = NULL;
		arm = true;
	}
	spin_unlock(&found->lock);

	if (moved) {
		put_task_struct(moved);
		kvmi_vm_put(found->vm);
		work_done();
	}
	if (arm)
		arm_work(found, current);
out:
	rcu_read_unlock();
}

/**
 * kvmi_vcpus_stop() - end the jobs and events of a VM (unhook)
 * @vm: the VM's context, already marked dying
 *
 * Queued work is taken back; waiting vCPUs are woken and continue.
 */
void kvmi_vcpus_stop(struct kvmi_vm *vm)
{
	struct kvmi_vcpu *kv;
	unsigned long idx;

	xa_for_each(&vm->vcpus, idx, kv) {
		struct task_struct *task;
		bool cancelled = false;
		LIST_HEAD(jobs);

		spin_lock(&kv->lock);
		list_splice_init(&kv->jobs, &jobs);
		kv->deferred = false;
		task = kv->work_task;
		if (task && kvmi_vcpu_cancel_work(task, &kv->work)) {
			kv->work_task = NULL;
			kv->work_busy = false;
			cancelled = true;
		}
		spin_unlock(&kv->lock);

		if (cancelled) {
			put_task_struct(task);
			kvmi_vm_put(vm);
			work_done();
		}
		free_jobs(&jobs);
		wake_up_all(&kv->wq);
		kvmi_msr_release(kv);
	}
}

/**
 * kvmi_vcpus_free() - free the vCPU contexts (last reference of the VM)
 * @vm: the VM's context
 */
void kvmi_vcpus_free(struct kvmi_vm *vm)
{
	struct kvmi_vcpu *kv;
	unsigned long idx;

	xa_for_each(&vm->vcpus, idx, kv) {
		spin_lock(&table_lock);
		hash_del_rcu(&kv->node);
		spin_unlock(&table_lock);
		free_jobs(&kv->jobs);
		kfree_rcu(kv, rcu);
	}
	xa_destroy(&vm->vcpus);
}

/* A reply, or a job that may run during an event. */
static bool wake_cond(struct kvmi_vcpu *kv)
{
	struct kvmi_job *job;
	bool ret;

	spin_lock(&kv->lock);
	ret = kv->replied;
	list_for_each_entry(job, &kv->jobs, link)
		if (!job->raises_event)
			ret = true;
	spin_unlock(&kv->lock);
	return ret || READ_ONCE(kv->vm->dying);
}

/**
 * kvmi_vcpu_send_event() - send a vCPU event and wait for the reply
 * @kv: the vCPU's context
 * @event: KVMI_EVENT_*
 * @data: the event's payload
 * @len: its length
 * @reply: in, the defaults; out, the event-specific reply data (bytes
 *	   the tool did not send keep their defaults)
 * @reply_len: its length, the most the tool may send
 *
 * Context: the vCPU thread, vCPU loaded, KVM's SRCU not held; sleeps.
 * Return: the tool's action; KVMI_EVENT_ACTION_CONTINUE if the session
 * ended, or the thread got a fatal signal, before the reply.
 */
u8 kvmi_vcpu_send_event(struct kvmi_vcpu *kv, u8 event, const void *data,
			size_t len, void *reply, size_t reply_len)
{
	struct kvmi_vm *vm = kv->vm;
	struct kvmi_msg_hdr hdr = { .id = KVMI_EVENT };
	struct kvmi_event *common = &kv->ev;
	struct kvec vec[3];
	u8 action = KVMI_EVENT_ACTION_CONTINUE;
	u64 msrs[9], sent_ns;
	u8 rx[sizeof(struct kvmi_msg_hdr) + sizeof(struct kvmi_vcpu_hdr) +
	      sizeof(kv->reply)] __aligned(8);
	bool reader;

	memset(common, 0, sizeof(*common));
	common->size = sizeof(*common);
	common->vcpu = kv->idx;
	common->event = event;
	kvmi_vcpu_get_state(kv->vcpu, &common->arch.mode, &common->arch.regs,
			    &common->arch.sregs, msrs);
	BUILD_BUG_ON(sizeof(common->arch.msrs) != sizeof(msrs));
	memcpy(&common->arch.msrs, msrs, sizeof(msrs));

	hdr.size = sizeof(*common) + len;
	hdr.seq = atomic_inc_return(&vm->event_seq);
	vec[0] = (struct kvec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
	vec[1] = (struct kvec){ .iov_base = common, .iov_len = sizeof(*common) };
	vec[2] = (struct kvec){ .iov_base = (void *)data, .iov_len = len };

	/* The clock is read only for the reply's tracepoint. */
	sent_ns = trace_kvmi_event_reply_enabled() ? ktime_get_ns() : 0;
	trace_kvmi_event(vm, kv->idx, event, hdr.seq);
	kvmi_stats_event(&vm->stats, event);

	spin_lock(&kv->lock);
	kv->waiting = true;
	kv->replied = false;
	kv->ev_seq = hdr.seq;
	kv->ev_id = event;
	kv->ev_sent_ns = sent_ns;
	kv->reply_max = reply_len;
	spin_unlock(&kv->lock);

	/* the role is taken first, so that a quick reply is not missed */
	reader = READ_ONCE(direct_reply) && kvmi_sock_rx_claim(vm, &kv->wq);
	if (kvmi_sock_send(vm, vec, len ? 3 : 2, sizeof(hdr) + hdr.size)) {
		kvmi_vm_disconnect(vm);
		goto done;
	}

	for (;;) {
		if (wait_event_killable(kv->wq, wake_cond(kv) ||
					(reader && kvmi_sock_rx_pending(vm))))
			break;
		run_jobs(kv, true);
		if (reader &&
		    kvmi_sock_take_reply(vm, kv->idx, rx, sizeof(rx)) < 0) {
			kvmi_sock_rx_release(vm);
			reader = false;
		}
		spin_lock(&kv->lock);
		if (kv->replied) {
			const struct kvmi_event_reply *r = (void *)kv->reply;

			action = r->action;
			memcpy(reply, kv->reply + sizeof(*r),
			       min(reply_len, kv->reply_size));
			spin_unlock(&kv->lock);
			break;
		}
		spin_unlock(&kv->lock);
		if (READ_ONCE(vm->dying))
			break;
	}
done:
	if (reader)
		kvmi_sock_rx_release(vm);
	spin_lock(&kv->lock);
	kv->waiting = false;
	spin_unlock(&kv->lock);
	return action;
}

/**
 * kvmi_vcpu_hold_event() - the vCPU's context if it has @event on
 * @vcpu: the KVM vCPU
 * @event: a vCPU event turned on with KVMI_CONTROL_EVENTS
 *
 * Return: as kvmi_vcpu_hold(), NULL also if the event is off.
 */
struct kvmi_vcpu *kvmi_vcpu_hold_event(struct kvm_vcpu *vcpu, u8 event)
{
	struct kvmi_vcpu *kv = kvmi_vcpu_hold(vcpu);

	if (kv && !test_bit(event, kv->events)) {
		kvmi_vm_put(kv->vm);
		kv = NULL;
	}
	return kv;
}

/**
 * kvmi_vcpu_exit_event() - send an event from an exit handler
 * @kv: the vCPU's context, from kvmi_vcpu_hold_event()
 * @event: KVMI_EVENT_*
 * @data: the event's payload
 * @len: its length
 * @reply: in, the defaults; out, the reply data
 * @reply_len: its length
 *
 * As kvmi_vcpu_send_event(), for a caller that holds KVM's SRCU (exit
 * handlers do): it is released while the vCPU waits.  Drops the VM
 * reference of kvmi_vcpu_hold_event(): do not use @kv afterwards.
 */
u8 kvmi_vcpu_exit_event(struct kvmi_vcpu *kv, u8 event, const void *data,
			size_t len, void *reply, size_t reply_len)
{
	struct kvm_vcpu *vcpu = kv->vcpu;
	u8 action;

	kvmi_vcpu_srcu_unlock(vcpu);
	action = kvmi_vcpu_send_event(kv, event, data, len, reply, reply_len);
	kvmi_vcpu_srcu_lock(vcpu);
	kvmi_vm_put(kv->vm);
	return action;
}

/**
 * kvmi_vcpu_retry_or_crash() - apply RETRY or CRASH in an exit handler
 * @vcpu: the vCPU
 * @action: the tool's action
 * @ret: out, the exit handler's result (1: back to the guest) for those
 *
 * RETRY resumes the guest without completing the instruction, which then
 * runs again (unless the tool moved RIP); CRASH also requests a triple
 * fault, so KVM_RUN returns KVM_EXIT_SHUTDOWN first.
 *
 * Return: true for RETRY and CRASH; false for CONTINUE, which the caller
 * completes.
 */
bool kvmi_vcpu_retry_or_crash(struct kvm_vcpu *vcpu, u8 action, int *ret)
{
	if (action != KVMI_EVENT_ACTION_RETRY &&
	    action != KVMI_EVENT_ACTION_CRASH)
		return false;
	if (action == KVMI_EVENT_ACTION_CRASH)
		kvmi_vcpu_crash(vcpu);
	*ret = 1;
	return true;
}

/**
 * kvmi_vcpu_in_event() - is the vCPU thread waiting for an event reply?
 * @kv: the vCPU's context
 *
 * Context: the vCPU thread (then the answer cannot change under it).
 */
bool kvmi_vcpu_in_event(struct kvmi_vcpu *kv)
{
	bool ret;

	spin_lock(&kv->lock);
	ret = kv->waiting;
	spin_unlock(&kv->lock);
	return ret;
}

/**
 * kvmi_vcpu_reply() - an event reply arrived (KVMI_EVENT_REPLY)
 * @vm: the VM's context
 * @hdr: its header
 * @body: its payload
 * @direct: the waiting vCPU read it itself (kvmi_sock_take_reply())
 *
 * Context: the receive thread, or the vCPU the reply is for, which then
 * holds @vm->rx_lock.
 * Return: 0, or -EPROTO for a reply that nothing waits for or that
 * breaks the rules (the session then ends).
 */
int kvmi_vcpu_reply(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
		    const void *body, bool direct)
{
	const struct kvmi_vcpu_hdr *vh = body;
	const struct kvmi_event_reply *r = body + sizeof(*vh);
	size_t extra;
	struct kvmi_vcpu *kv;
	u64 sent_ns = 0;
	int ret;

	ret = kvmi_proto_check_reply(body, hdr->size);
	if (ret < 0)
		return ret;
	extra = ret;
	ret = -EPROTO;
	kv = kvmi_vcpu_find(vm, vh->vcpu);
	if (!kv)
		return -EPROTO;

	spin_lock(&kv->lock);
	if (kv->waiting && !kv->replied && kv->ev_seq == hdr->seq &&
	    kv->ev_id == r->event && extra <= kv->reply_max) {
		memset(kv->reply, 0, sizeof(kv->reply));
		memcpy(kv->reply, r, sizeof(*r) + extra);
		kv->reply_size = extra;
		kv->replied = true;
		sent_ns = kv->ev_sent_ns;
		ret = 0;
	}
	spin_unlock(&kv->lock);
	if (ret)
		return ret;
	kvmi_stats_reply(&vm->stats, direct);
	if (trace_kvmi_event_reply_enabled())
		trace_kvmi_event_reply(vm, kv->idx, r->event, hdr->seq,
				       r->action,
				       sent_ns ? ktime_get_ns() - sent_ns : 0);
	wake_up(&kv->wq);
	return 0;
}
