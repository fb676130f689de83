// SPDX-License-Identifier: GPL-2.0-only
/*
 * The socket of a hooked VM: one receive thread per VM reads whole
 * messages and dispatches them; replies and events are sent as one
 * sendmsg() each, serialised by the VM's send lock.
 *
 * Anything wrong with the framing (a size over KVMI_MSG_SIZE, a short
 * read, a reply nobody waits for) ends the session: the thread asks for
 * an unhook and waits to be stopped.  The VM keeps running.
 */
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "kvmi_int.h"
#include "proto.h"

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
	int ret;

	do {
		ret = recv_one(vm);
	} while (!ret && !kthread_should_stop());

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
