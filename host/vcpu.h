/* SPDX-License-Identifier: GPL-2.0-only */
/* vCPUs of a hooked VM: jobs and events (vcpu.c). */
#ifndef KVMI_VCPU_H
#define KVMI_VCPU_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "kvmi_int.h"

struct kvm_vcpu;
struct kvmi_vcpu;

/* MSRs in each of the two ranges KVMI_CONTROL_MSR accepts. */
#define KVMI_MSR_RANGE		0x2000

/* Largest reply data that follows struct kvmi_event_reply. */
#define KVMI_MAX_EVENT_REPLY	sizeof(struct kvmi_event_pf_reply)

typedef void (*kvmi_job_fn)(struct kvmi_vcpu *kv, void *ctx);

/**
 * struct kvmi_vcpu - introspection state of one vCPU
 * @vm: its VM's context (no reference: @vm owns this)
 * @vcpu: the KVM vCPU
 * @idx: its index
 * @node: in the global table of vCPUs, for the KVM_RUN probe (RCU)
 * @lock: protects @jobs, @work_task, @work_busy, @deferred and the event
 *	  fields marked (L)
 * @jobs: work for the vCPU thread
 * @work: the task_work that runs @jobs
 * @work_task: the thread @work is queued on, referenced
 * @work_busy: @work is queued or being queued
 * @deferred: @jobs wait for the thread's next KVM_RUN
 * @wq: the vCPU thread waits here for a reply or a job
 * @events: vCPU events the tool enabled (atomic bit ops)
 * @pauses: PAUSE_VCPU requests not yet turned into events
 * @waiting: (L) an event waits for its reply
 * @ev_seq: (L) its seq
 * @ev_id: (L) its id
 * @ev_sent_ns: (L) when it was sent, only while tracepoint
 *		kvmi_event_reply is enabled (else 0)
 * @reply_max: (L) reply data it accepts after struct kvmi_event_reply
 * @replied: (L) the reply arrived
 * @reply: (L) the reply: struct kvmi_event_reply and its data
 * @reply_size: (L) the length of that data
 * @cr_mask: control registers whose writes the tool monitors (bit = CR
 *	     number; changed by the vCPU thread only)
 * @cr3_intercept: the CR3 write intercept is on because of the tool
 * @desc_intercept: so are the descriptor-table intercepts
 * @bp_on: #BP exits with a BREAKPOINT event (vCPU thread only)
 * @ss_on: the vCPU single-steps with SINGLESTEP events (vCPU thread only)
 * @trap: an injected exception whose TRAP event is due (vCPU thread only;
 *	  @trap.armed is also read under RCU): the event's payload so far,
 *	  the vCPU's exit count when it was queued, and whether a reset
 *	  dropped it
 * @pf_allowed: the tool let the write at @pf_rip to @pf_gpa through (a
 *	        PF event answered CONTINUE); its repeated fault gets no event
 *	        (vCPU thread only)
 * @pf_rip: linear RIP of that write
 * @pf_gpa: its guest-physical address
 * @step: the vCPU steps over a restricted access: @step.slot is its entry
 *	  in the VM's open gfns (page_step.c), -1 if none (vCPU thread only)
 * @msr_mask: MSRs whose writes the tool monitors: bits 0..0x1fff for
 *	      MSRs 0..0x1fff, then 0xc0000000..0xc0001fff (atomic bit ops)
 * @ev: the event being sent, so that sending allocates nothing (vCPU
 *	thread only: a vCPU sends one event at a time)
 * @rcu: for freeing
 */
struct kvmi_vcpu {
	struct kvmi_vm *vm;
	struct kvm_vcpu *vcpu;
	unsigned int idx;
	struct hlist_node node;
	spinlock_t lock;	/* see above */
	struct list_head jobs;
	struct callback_head work;
	struct task_struct *work_task;
	bool work_busy;
	bool deferred;
	wait_queue_head_t wq;
	DECLARE_BITMAP(events, KVMI_NUM_EVENTS);
	atomic_t pauses;
	bool waiting;
	u32 ev_seq;
	u8 ev_id;
	u64 ev_sent_ns;
	size_t reply_max;
	bool replied;
	u8 reply[sizeof(struct kvmi_event_reply) + KVMI_MAX_EVENT_REPLY];
	size_t reply_size;
	unsigned long cr_mask;
	bool cr3_intercept;
	bool desc_intercept;
	bool bp_on;
	bool ss_on;
	struct {
		bool armed;
		bool dropped;
		u64 exits;
		struct kvmi_event_trap ev;
	} trap;
	bool pf_allowed;
	u64 pf_rip;
	u64 pf_gpa;
	struct {
		int slot;
	} step;
	DECLARE_BITMAP(msr_mask, 2 * KVMI_MSR_RANGE);
	struct kvmi_event ev;
	struct rcu_head rcu;
};

int kvmi_vcpus_init(void);
void kvmi_vcpus_exit(void);
struct kvmi_vcpu *kvmi_vcpu_get(struct kvmi_vm *vm, unsigned int idx);
struct kvmi_vcpu *kvmi_vcpu_find(struct kvmi_vm *vm, unsigned int idx);
struct kvmi_vcpu *kvmi_vcpu_lookup_rcu(struct kvm_vcpu *vcpu);
struct kvmi_vcpu *kvmi_vcpu_hold(struct kvm_vcpu *vcpu);
struct kvmi_vcpu *kvmi_vcpu_hold_event(struct kvm_vcpu *vcpu, u8 event);
void kvmi_vcpus_stop(struct kvmi_vm *vm);
void kvmi_vcpus_free(struct kvmi_vm *vm);
int kvmi_vcpu_queue_job(struct kvmi_vcpu *kv, kvmi_job_fn fn,
			bool raises_event, const void *ctx, size_t len);
u8 kvmi_vcpu_send_event(struct kvmi_vcpu *kv, u8 event, const void *data,
			size_t len, void *reply, size_t reply_len);
u8 kvmi_vcpu_exit_event(struct kvmi_vcpu *kv, u8 event, const void *data,
			size_t len, void *reply, size_t reply_len);
bool kvmi_vcpu_retry_or_crash(struct kvm_vcpu *vcpu, u8 action, int *ret);
int kvmi_vcpu_queue_first_job(struct kvmi_vcpu *kv, kvmi_job_fn fn);
bool kvmi_vcpu_in_event(struct kvmi_vcpu *kv);
void kvmi_msr_release(struct kvmi_vcpu *kv);
int kvmi_descriptor_control(struct kvmi_vcpu *kv, bool enable);
int kvmi_breakpoint_control(struct kvmi_vcpu *kv, bool enable);
void kvmi_debug_reset(struct kvmi_vcpu *kv);
void kvmi_trap_reset(struct kvmi_vcpu *kv);
int kvmi_vcpu_reply(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
		    const void *body, bool direct);

#endif /* KVMI_VCPU_H */
