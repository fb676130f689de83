/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal interfaces between the files of kvmi.ko's core. */
#ifndef KVMI_INT_H
#define KVMI_INT_H

#include <linux/bitmap.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/kvmi.h>

#include "page_access.h"
#include "stats.h"

struct kvm;
struct socket;
struct task_struct;
struct kvec;
struct seq_file;

/**
 * struct kvmi_vm - introspection state of one hooked VM
 * @kvm: the VM; the context holds a reference on it
 * @sock: the connected socket handed over by the device manager
 * @recv: the receive thread
 * @node: in the table of hooked VMs (vm.c), under its lock
 * @ref: references: the table's, the receive thread's pending unhook work,
 *	 and short-lived ones taken by lookups
 * @unhook_work: unhook requested by the receive thread
 * @free_work: frees the context after the last reference
 * @send_lock: serialises whole messages on @sock
 * @rx_lock: held by whoever reads a message from @sock: the receive
 *	     thread (and its dispatch), or a vCPU taking its own event reply
 * @rx_wq: the receive thread waits here for @sock to be readable
 * @rx_wait: kvmi's entry on @sock's wait queue (sock.c)
 * @rx_wqh: that queue, NULL when not attached
 * @rx_waiter: the wait queue of the vCPU that took the reader role for
 *	       its event reply, NULL if the receive thread reads (sock.c)
 * @cmd_allowed: commands the device manager allows (atomic bit ops)
 * @event_allowed: events the device manager allows (atomic bit ops)
 * @vm_events: VM-scope events the tool enabled (atomic bit ops)
 * @event_seq: sequence number of the last event sent
 * @replies_off: command replies disabled (KVMI_CONTROL_CMD_RESPONSE);
 *		 receive thread only
 * @errors_as_events: while replies are off, report errors as
 *		      KVMI_EVENT_CMD_ERROR events; receive thread only
 * @uuid: the VM's uuid given at hook time, for log messages
 * @id: kvmi's number for the session, from 1, not reused while the module
 *	is loaded (tracepoints, debugfs kvmi/stats)
 * @pid: the process that created the VM (the VMM), as KVM recorded it
 * @end_err: the receive thread's error when it ended the session
 * @stats: counters for debugfs kvmi/stats
 * @dying: the session is ending: no new job, waiting vCPUs continue
 * @vcpus: struct kvmi_vcpu by vCPU index, created on first use
 * @rmaps: remote mappings of this VM's pages (rmap.c, under its lock)
 * @rmaps_closed: the session ended for remote mapping (same lock)
 * @rcu: the context is freed after a grace period (the KVM_RUN probe
 *	 reads it under RCU)
 * @buf: receive buffer, receive thread only
 */
struct kvmi_vm {
	struct kvm *kvm;
	struct socket *sock;
	struct task_struct *recv;
	struct hlist_node node;
	struct kref ref;
	struct work_struct unhook_work;
	struct work_struct free_work;
	struct mutex send_lock;	/* serialises whole messages on @sock */
	struct mutex rx_lock;	/* one reader of @sock at a time */
	wait_queue_head_t rx_wq;
	struct wait_queue_entry rx_wait;
	wait_queue_head_t *rx_wqh;
	wait_queue_head_t *rx_waiter;
	DECLARE_BITMAP(cmd_allowed, KVMI_NUM_MESSAGES);
	DECLARE_BITMAP(event_allowed, KVMI_NUM_EVENTS);
	DECLARE_BITMAP(vm_events, KVMI_NUM_EVENTS);
	atomic_t event_seq;
	bool replies_off;
	bool errors_as_events;
	u8 uuid[16];
	u32 id;
	pid_t pid;
	int end_err;
	struct kvmi_stats stats;
	bool dying;
	struct xarray vcpus;
	struct list_head rmaps;
	bool rmaps_closed;
	struct kvmi_pages pages;
	struct rcu_head rcu;
	u8 buf[KVMI_MSG_SIZE];
};

/* Why a session ended (tracepoint kvmi_unhook). */
enum kvmi_unhook_reason {
	KVMI_UNHOOK_REQUEST,	/* the device manager's UNHOOK */
	KVMI_UNHOOK_RELEASE,	/* the VM's file was released */
	KVMI_UNHOOK_SOCKET,	/* socket closed or failed, protocol error */
	KVMI_UNHOOK_UNLOAD,	/* rmmod kvmi */
};

/* vm.c: lifetime of hooked VMs */
int kvmi_vms_init(void);
void kvmi_vms_shutdown(void);
void kvmi_vms_exit(void);
int kvmi_vm_hook(struct kvm *kvm, const struct kvm_introspection_hook *hook);
int kvmi_vm_unhook(struct kvm *kvm, enum kvmi_unhook_reason why);
void kvmi_vm_unhook_async(struct kvmi_vm *vm, int err);
void kvmi_vm_disconnect(struct kvmi_vm *vm);
struct kvmi_vm *kvmi_vm_get(struct kvm *kvm);
void kvmi_vm_put(struct kvmi_vm *vm);
void kvmi_vms_show(struct seq_file *m);
void kvmi_vms_stats_show(struct seq_file *m);

/* control.c: the device manager's ioctls and /dev/kvmi */
extern bool kvmi_introspection_enabled;
int kvmi_control_init(void);
void kvmi_control_exit(void);
bool kvmi_cmd_is_always_allowed(unsigned int id);

/* sock.c: the receive thread, sending, and a vCPU reading its reply */
void kvmi_sock_attach(struct kvmi_vm *vm);
void kvmi_sock_detach(struct kvmi_vm *vm);
int kvmi_recv_thread(void *arg);
int kvmi_sock_send(struct kvmi_vm *vm, struct kvec *vec, size_t n,
		   size_t len);
bool kvmi_sock_rx_claim(struct kvmi_vm *vm, wait_queue_head_t *wq);
void kvmi_sock_rx_release(struct kvmi_vm *vm);
bool kvmi_sock_rx_pending(struct kvmi_vm *vm);
int kvmi_sock_take_reply(struct kvmi_vm *vm, unsigned int vcpu, void *buf,
			 size_t size);

/* msg.c: dispatch, replies, VM events */
int kvmi_msg_dispatch(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr);
int kvmi_msg_reply(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
		   int err, const void *data, size_t len);
bool kvmi_cmd_is_implemented(unsigned int id);
bool kvmi_event_is_implemented(unsigned int id);
int kvmi_send_unhook_event(struct kvmi_vm *vm);

/* stats.c: debugfs kvmi/stats */
void kvmi_stats_show_total(struct seq_file *m);
void kvmi_stats_show_vm(struct seq_file *m, const struct kvmi_vm *vm);

/* debugfs.c */
int kvmi_debugfs_init(void);
void kvmi_debugfs_exit(void);

#endif /* KVMI_INT_H */
