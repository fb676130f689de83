// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hooked VMs: creation, lookup and the one teardown path.
 *
 * A hooked VM has a struct kvmi_vm in a table keyed by its struct kvm.
 * Every way introspection ends goes through unhook(): the UNHOOK ioctl,
 * the socket failing or closing (the receive thread asks for it through
 * a work item), the VM's file being released (kvmi_on_vm_release()), and
 * module unload (kvmi_vms_exit()).
 */
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "kvmi_trace.h"
#include "rmap.h"
#include "vcpu.h"

/*
 * A tool that stops reading must not block kvmi (nor a device manager
 * asking for PREUNHOOK) forever: sends time out, which ends the session.
 */
static unsigned int send_timeout = 15;
module_param(send_timeout, uint, 0644);
MODULE_PARM_DESC(send_timeout,
		 "Seconds a send to the tool may block before the session ends (default 15; applies to new sessions)");

static DEFINE_MUTEX(vms_lock);
static DEFINE_HASHTABLE(vms, 6);	/* protected by vms_lock */
static unsigned int nr_vms;		/* protected by vms_lock */
static bool unloading;			/* protected by vms_lock */
static u32 last_id;			/* protected by vms_lock */
static atomic_t nr_contexts;		/* allocated, hooked or not */
static struct workqueue_struct *kvmi_wq;

static struct kvmi_vm *find(struct kvm *kvm)
{
	struct kvmi_vm *vm;

	lockdep_assert_held(&vms_lock);
	hash_for_each_possible(vms, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

static void free_vm(struct work_struct *work)
{
	struct kvmi_vm *vm = container_of(work, struct kvmi_vm, free_work);

	kvmi_sock_detach(vm);
	kvmi_vcpus_free(vm);
	sockfd_put(vm->sock);
	kvmi_kvm_put(vm->kvm);
	kvfree_rcu(vm, rcu);
	atomic_dec(&nr_contexts);
}

/*
 * The last reference may be dropped in atomic context (the KVM_RUN
 * probe), and dropping the VM's reference may destroy it: free from the
 * workqueue.
 */
static void release(struct kref *ref)
{
	struct kvmi_vm *vm = container_of(ref, struct kvmi_vm, ref);

	INIT_WORK(&vm->free_work, free_vm);
	queue_work(kvmi_wq, &vm->free_work);
}

/**
 * kvmi_vm_get() - the hooked VM's context, with a reference
 * @kvm: the VM
 *
 * Return: the context, or NULL if @kvm is not hooked.
 */
struct kvmi_vm *kvmi_vm_get(struct kvm *kvm)
{
	struct kvmi_vm *vm;

	mutex_lock(&vms_lock);
	vm = find(kvm);
	if (vm)
		kref_get(&vm->ref);
	mutex_unlock(&vms_lock);
	return vm;
}

void kvmi_vm_put(struct kvmi_vm *vm)
{
	kref_put(&vm->ref, release);
}

static void allow_defaults(struct kvmi_vm *vm)
{
	unsigned int id;

	for (id = 0; id < KVMI_NUM_MESSAGES; id++)
		if (kvmi_cmd_is_always_allowed(id))
			set_bit(id, vm->cmd_allowed);
}

/**
 * kvmi_vm_hook() - start introspecting a VM
 * @kvm: the VM
 * @hook: the device manager's request (fd of a connected stream socket)
 *
 * Context: process context.
 * Return: 0; -EINVAL if the fd is not a stream socket; -EEXIST if the
 * VM is already hooked; -ENOMEM; or the error of creating the thread.
 */
int kvmi_vm_hook(struct kvm *kvm, const struct kvm_introspection_hook *hook)
{
	struct socket *sock;
	struct kvmi_vm *vm;
	int err;

	sock = sockfd_lookup(hook->fd, &err);
	if (!sock)
		return -EINVAL;
	if (sock->type != SOCK_STREAM) {
		err = -EINVAL;
		goto out_sock;
	}
	sock_set_sndtimeo(sock->sk, max(1u, READ_ONCE(send_timeout)));

	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		err = -ENOMEM;
		goto out_sock;
	}
	atomic_inc(&nr_contexts);
	vm->kvm = kvm;
	vm->sock = sock;
	kref_init(&vm->ref);
	mutex_init(&vm->send_lock);
	xa_init(&vm->vcpus);
	INIT_LIST_HEAD(&vm->rmaps);
	kvmi_pages_init(&vm->pages);
	memcpy(vm->uuid, hook->uuid, sizeof(vm->uuid));
	vm->pid = kvmi_kvm_pid(kvm);
	allow_defaults(vm);
	kvmi_sock_attach(vm);

	mutex_lock(&vms_lock);
	if (unloading) {
		err = -EPERM;
		goto out_unlock;
	}
	if (find(kvm)) {
		err = -EEXIST;
		goto out_unlock;
	}
	vm->recv = kthread_create(kvmi_recv_thread, vm, "kvmi-recv/%d",
				  task_pid_nr(current));
	if (IS_ERR(vm->recv)) {
		err = PTR_ERR(vm->recv);
		goto out_unlock;
	}
	get_task_struct(vm->recv);
	kvmi_kvm_get(kvm);
	vm->id = ++last_id;
	hash_add(vms, &vm->node, (unsigned long)kvm);
	nr_vms++;
	trace_kvmi_hook(vm);	/* before the thread traces commands */
	wake_up_process(vm->recv);
	mutex_unlock(&vms_lock);

	pr_info("kvmi: hooked VM %pUb\n", vm->uuid);
	return 0;

out_unlock:
	mutex_unlock(&vms_lock);
	kvmi_sock_detach(vm);
	kvfree(vm);
	atomic_dec(&nr_contexts);
out_sock:
	sockfd_put(sock);
	return err;
}

/*
 * The context is out of the table: nobody can find it any more.  Stop the
 * receive thread (shutting the socket down wakes it from any read or
 * write) and drop the table's reference.
 */
static void stop(struct kvmi_vm *vm, enum kvmi_unhook_reason why)
{
	WRITE_ONCE(vm->dying, true);
	kernel_sock_shutdown(vm->sock, SHUT_RDWR);
	kthread_stop(vm->recv);
	put_task_struct(vm->recv);
	kvmi_vcpus_stop(vm);
	kvmi_pages_stop(vm);
	kvmi_rmap_session_end(vm);
	pr_info("kvmi: unhooked VM %pUb\n", vm->uuid);
	trace_kvmi_unhook(vm, why, why == KVMI_UNHOOK_SOCKET ? vm->end_err : 0);
	kvmi_vm_put(vm);
}

static struct kvmi_vm *unpublish(struct kvm *kvm)
{
	struct kvmi_vm *vm;

	mutex_lock(&vms_lock);
	vm = find(kvm);
	if (vm) {
		hash_del(&vm->node);
		nr_vms--;
	}
	mutex_unlock(&vms_lock);
	return vm;
}

/**
 * kvmi_vm_unhook() - end introspection of a VM
 * @kvm: the VM
 * @why: KVMI_UNHOOK_REQUEST or KVMI_UNHOOK_RELEASE, for the tracepoint
 *
 * Context: process context, not the VM's receive thread; sleeps until
 * the receive thread has stopped.
 * Return: 0, or -ENOENT if the VM was not hooked.
 */
int kvmi_vm_unhook(struct kvm *kvm, enum kvmi_unhook_reason why)
{
	struct kvmi_vm *vm = unpublish(kvm);

	if (!vm)
		return -ENOENT;
	stop(vm, why);
	return 0;
}

static void unhook_work(struct work_struct *work)
{
	struct kvmi_vm *vm = container_of(work, struct kvmi_vm, unhook_work);
	struct kvmi_vm *hooked;

	mutex_lock(&vms_lock);
	hooked = find(vm->kvm);
	if (hooked == vm) {
		hash_del(&vm->node);
		nr_vms--;
	} else {
		hooked = NULL;	/* someone else unhooked it already */
	}
	mutex_unlock(&vms_lock);

	if (hooked)
		stop(vm, KVMI_UNHOOK_SOCKET);
	kvmi_vm_put(vm);	/* the work's reference */
}

/**
 * kvmi_vm_unhook_async() - end introspection from the receive thread
 * @vm: the VM's context
 * @err: why the thread stopped reading (the tracepoint shows it)
 *
 * The receive thread cannot stop itself: a work item does the unhook,
 * while the thread waits to be stopped.
 */
void kvmi_vm_unhook_async(struct kvmi_vm *vm, int err)
{
	vm->end_err = err;
	kref_get(&vm->ref);
	INIT_WORK(&vm->unhook_work, unhook_work);
	queue_work(kvmi_wq, &vm->unhook_work);
}

/**
 * kvmi_vm_disconnect() - end the session from any thread
 * @vm: the VM's context
 *
 * Shutting the socket down ends the receive thread, which unhooks.
 */
void kvmi_vm_disconnect(struct kvmi_vm *vm)
{
	kernel_sock_shutdown(vm->sock, SHUT_RDWR);
}

/**
 * kvmi_vms_show() - counters for debugfs
 * @m: the seq_file to print to
 *
 * "hooked" counts VMs in the table, "contexts" every context still
 * allocated: after all teardowns both must be 0.
 */
void kvmi_vms_show(struct seq_file *m)
{
	mutex_lock(&vms_lock);
	seq_printf(m, "hooked %u\n", nr_vms);
	mutex_unlock(&vms_lock);
	seq_printf(m, "contexts %d\n", atomic_read(&nr_contexts));
}

/**
 * kvmi_vms_stats_show() - debugfs kvmi/stats
 * @m: the seq_file to print to
 *
 * The totals, then each hooked VM's counters.  The table's lock keeps
 * every listed context alive while it is printed, and an unhooked VM
 * leaves the table under the same lock: a reader sees it whole or not
 * at all.
 */
void kvmi_vms_stats_show(struct seq_file *m)
{
	struct kvmi_vm *vm;
	int bkt;

	kvmi_stats_show_total(m);
	mutex_lock(&vms_lock);
	hash_for_each(vms, bkt, vm, node)
		kvmi_stats_show_vm(m, vm);
	mutex_unlock(&vms_lock);
}

/* A VM's file is being released (its VMM closed it or exited). */
void kvmi_on_vm_release(struct kvm *kvm)
{
	kvmi_vm_unhook(kvm, KVMI_UNHOOK_RELEASE);
	kvmi_rmap_vm_release(kvm);
}

int kvmi_vms_init(void)
{
	kvmi_wq = alloc_workqueue("kvmi", 0, 0);
	return kvmi_wq ? 0 : -ENOMEM;
}

/**
 * kvmi_vms_shutdown() - unhook every VM and refuse new ones (unload)
 *
 * vCPUs waiting in events are woken and continue, so that the hooks can
 * then be drained.
 */
void kvmi_vms_shutdown(void)
{
	struct kvmi_vm *vm;
	struct hlist_node *tmp;
	HLIST_HEAD(list);
	int bkt;

	mutex_lock(&vms_lock);
	unloading = true;
	hash_for_each_safe(vms, bkt, tmp, vm, node) {
		hash_del(&vm->node);
		hlist_add_head(&vm->node, &list);
		nr_vms--;
	}
	mutex_unlock(&vms_lock);

	hlist_for_each_entry_safe(vm, tmp, &list, node)
		stop(vm, KVMI_UNHOOK_UNLOAD);
}

/* Pending unhook work items hold references: let them drop them. */
void kvmi_vms_exit(void)
{
	destroy_workqueue(kvmi_wq);
}
