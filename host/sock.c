// SPDX-License-Identifier: GPL-2.0-only
/*
 * The socket of a hooked VM: one receive thread per VM reads whole
 * messages and dispatches them; replies and events are sent as one
 * sendmsg() each, serialised by the VM's send lock.
 *
 * Anything wrong with the framing (a size over KVMI_MSG_SIZE, a short
 * read, a reply nobody waits for) ends the session: the thread asks for
 * an unhook and waits to be stopped.  The VM keeps running.
 *
 * The reader role.  A vCPU waiting in an event may read its own reply,
 * which saves the hop through the receive thread (one wake-up and one
 * thread switch per event).  At most one vCPU holds the role
 * (@vm->rx_waiter); while it does, the receive thread does not read.
 * kvmi is on the socket's wait queue (@vm->rx_wait) and wakes the reader
 * of the moment when data arrives.  Reads, by either, are whole messages
 * under @vm->rx_lock, and the receive thread also dispatches under it,
 * so messages are handled in the order the tool sent them.  The vCPU
 * takes only a whole, valid reply to its own event; on anything else it
 * gives the role back and the receive thread reads as before.
 */
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "kvmi_int.h"
#include "proto.h"
#include "vcpu.h"

/* What makes a reader look at the socket: data, or its end. */
#define RX_EVENTS (EPOLLIN | EPOLLRDNORM | EPOLLHUP | EPOLLRDHUP | EPOLLERR)

static bool rx_ready(struct kvmi_vm *vm)
{
	return vfs_poll(vm->sock->file, NULL) & RX_EVENTS;
}

/*
 * Called by the socket's wake-ups, under its wait queue's lock.  The
 * barrier orders the data queued before this call against the read of
 * @rx_waiter; kvmi_sock_rx_release() has the other half.
 */
static int rx_wake(struct wait_queue_entry *wait, unsigned int mode,
		   int sync, void *key)
{
	struct kvmi_vm *vm = container_of(wait, struct kvmi_vm, rx_wait);
	wait_queue_head_t *waiter;

	if (key && !(key_to_poll(key) & RX_EVENTS))
		return 0;
	smp_mb();	/* queued data before @rx_waiter: see the comment above */
	waiter = READ_ONCE(vm->rx_waiter);
	wake_up(waiter ?: &vm->rx_wq);
	return 0;
}

struct rx_poll {
	poll_table pt;
	struct kvmi_vm *vm;
};

static void rx_queue_proc(struct file *file, wait_queue_head_t *wqh,
			  poll_table *pt)
{
	struct kvmi_vm *vm = container_of(pt, struct rx_poll, pt)->vm;

	if (vm->rx_wqh)
		return;
	vm->rx_wqh = wqh;
	add_wait_queue(wqh, &vm->rx_wait);
}

/**
 * kvmi_sock_attach() - put kvmi on the socket's wait queue
 * @vm: the VM's context, before its receive thread starts
 */
void kvmi_sock_attach(struct kvmi_vm *vm)
{
	struct rx_poll p = { .vm = vm };

	mutex_init(&vm->rx_lock);
	init_waitqueue_head(&vm->rx_wq);
	init_waitqueue_func_entry(&vm->rx_wait, rx_wake);
	init_poll_funcptr(&p.pt, rx_queue_proc);
	vfs_poll(vm->sock->file, &p.pt);
}

/**
 * kvmi_sock_detach() - take kvmi off the socket's wait queue
 * @vm: the VM's context; no thread uses the socket any more
 */
void kvmi_sock_detach(struct kvmi_vm *vm)
{
	if (vm->rx_wqh)
		remove_wait_queue(vm->rx_wqh, &vm->rx_wait);
	vm->rx_wqh = NULL;
}

static int recv_all(struct socket *sock, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { };
	int ret;

	if (!len)
		return 0;
	ret = kernel_recvmsg(sock, &msg, &vec, 1, len, MSG_WAITALL);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EPIPE;
}

/**
 * kvmi_sock_send() - send one message
 * @vm: the VM's context
 * @vec: the message's pieces
 * @n: number of pieces
 * @len: total length
 *
 * Context: process context; sleeps while the socket buffer is full.
 * Return: 0, or a negative error (the socket is then unusable).
 */
int kvmi_sock_send(struct kvmi_vm *vm, struct kvec *vec, size_t n,
		   size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int ret;

	mutex_lock(&vm->send_lock);
	ret = kernel_sendmsg(vm->sock, &msg, vec, n, len);
	mutex_unlock(&vm->send_lock);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EPIPE;
}

static int recv_one(struct kvmi_vm *vm)
{
	struct kvmi_msg_hdr hdr;
	int ret;

	ret = recv_all(vm->sock, &hdr, sizeof(hdr));
	if (ret)
		return ret;
	ret = kvmi_proto_check_hdr(&hdr);
	if (ret)
		return ret;
	ret = recv_all(vm->sock, vm->buf, hdr.size);
	if (ret)
		return ret;
	return kvmi_msg_dispatch(vm, &hdr);
}

/**
 * kvmi_recv_thread() - the receive loop of one hooked VM
 * @arg: the VM's context
 *
 * Return: 0, when stopped by the unhook path.
 */
int kvmi_recv_thread(void *arg)
{
	struct kvmi_vm *vm = arg;
	wait_queue_head_t *waiter;
	int ret = 0;

	for (;;) {
		wait_event_interruptible(vm->rx_wq, kthread_should_stop() ||
					 (!READ_ONCE(vm->rx_waiter) &&
					  rx_ready(vm)));
		if (kthread_should_stop())
			break;
		mutex_lock(&vm->rx_lock);
		ret = recv_one(vm);
		mutex_unlock(&vm->rx_lock);
		/* a vCPU that took the role meanwhile may read now */
		waiter = READ_ONCE(vm->rx_waiter);
		if (waiter)
			wake_up(waiter);
		if (ret)
			break;
	}

	if (!kthread_should_stop()) {
		if (ret != -EPIPE)
			pr_info_ratelimited("kvmi: VM %pUb: closing the introspection socket (%d)\n",
					    vm->uuid, ret);
		kernel_sock_shutdown(vm->sock, SHUT_RDWR);
		kvmi_vm_unhook_async(vm, ret);
	}

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * kvmi_sock_rx_claim() - take the reader role for one event reply
 * @vm: the VM's context
 * @wq: the waiting vCPU's wait queue, woken when data arrives
 *
 * Return: true if the caller has the role (give it back with
 * kvmi_sock_rx_release()); false if another vCPU has it.
 */
bool kvmi_sock_rx_claim(struct kvmi_vm *vm, wait_queue_head_t *wq)
{
	return !cmpxchg(&vm->rx_waiter, NULL, wq);
}

/**
 * kvmi_sock_rx_release() - give the reader role back to the receive thread
 * @vm: the VM's context
 *
 * Data that arrived while the role was being given back is seen either
 * by rx_wake(), or here.
 */
void kvmi_sock_rx_release(struct kvmi_vm *vm)
{
	WRITE_ONCE(vm->rx_waiter, NULL);
	smp_mb();	/* @rx_waiter cleared before the queue is looked at */
	if (rx_ready(vm))
		wake_up(&vm->rx_wq);
}

/**
 * kvmi_sock_rx_pending() - worth trying kvmi_sock_take_reply()
 * @vm: the VM's context
 *
 * Return: the socket has something to read and nobody is reading it.
 * The receive thread wakes the reader after each of its messages.
 */
bool kvmi_sock_rx_pending(struct kvmi_vm *vm)
{
	return !mutex_is_locked(&vm->rx_lock) && rx_ready(vm);
}

/**
 * kvmi_sock_take_reply() - a waiting vCPU reads its own event reply
 * @vm: the VM's context
 * @vcpu: the vCPU's index; it holds the reader role
 * @buf: room for one reply message, header included
 * @size: its size
 *
 * The next message is taken only if it is whole in the socket's queue, is
 * a KVMI_EVENT_REPLY for @vcpu and kvmi_vcpu_reply() accepts it.  Anything
 * else stays in the queue for the receive thread, which handles it as it
 * always does (a bad reply still ends the session there).
 *
 * Context: the vCPU thread, waiting in an event; does not block.
 * Return: 1, the reply was taken; 0, nothing to read or the receive thread
 * is reading (wait and try again); -EAGAIN, the next message is not for
 * this vCPU: give the role back.
 */
int kvmi_sock_take_reply(struct kvmi_vm *vm, unsigned int vcpu, void *buf,
			 size_t size)
{
	const struct kvmi_msg_hdr *hdr = buf;
	const struct kvmi_vcpu_hdr *vh = buf + sizeof(*hdr);
	struct kvec vec = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { };
	size_t len;
	int n, ret = -EAGAIN;

	if (!mutex_trylock(&vm->rx_lock))
		return 0;
	/* SO_PEEK_OFF would move what a peek sees: leave it to the thread */
	if (READ_ONCE(vm->sock->sk->sk_peek_off) >= 0)
		goto out;
	n = kernel_recvmsg(vm->sock, &msg, &vec, 1, size,
			   MSG_PEEK | MSG_DONTWAIT);
	if (n == -EAGAIN) {
		ret = 0;
		goto out;
	}
	if (n < (int)(sizeof(*hdr) + sizeof(*vh)))
		goto out;
	len = sizeof(*hdr) + hdr->size;
	if (hdr->id != KVMI_EVENT_REPLY || kvmi_proto_check_hdr(hdr) ||
	    len > n || hdr->size < sizeof(*vh) || vh->vcpu != vcpu ||
	    kvmi_vcpu_reply(vm, hdr, vh, true))
		goto out;

	/* All of it is queued and nobody else reads: this cannot be short. */
	vec = (struct kvec){ .iov_base = buf, .iov_len = len };
	memset(&msg, 0, sizeof(msg));
	if (kernel_recvmsg(vm->sock, &msg, &vec, 1, len, MSG_DONTWAIT) != len)
		kvmi_vm_disconnect(vm);
	ret = 1;
out:
	mutex_unlock(&vm->rx_lock);
	return ret;
}
