// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvmic: sockets, the handshake, commands and events (see kvmic.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "kvmic.h"

struct kvmic_queued {
	struct kvmic_queued *next;
	struct kvmic_event e;
};

static int parse_addr(const char *addr, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (!strncmp(addr, "vsock:", 6)) {
		struct sockaddr_vm *vm = (struct sockaddr_vm *)ss;
		unsigned int cid, port;
		char end;

		if (sscanf(addr + 6, "%u:%u%c", &cid, &port, &end) != 2)
			return -EINVAL;
		vm->svm_family = AF_VSOCK;
		vm->svm_cid = cid;
		vm->svm_port = port;
		*len = sizeof(*vm);
		return AF_VSOCK;
	}
	if (!strncmp(addr, "unix:", 5))
		addr += 5;
	else if (!strchr(addr, '/'))
		return -EINVAL;
	{
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		if (!*addr || strlen(addr) >= sizeof(un->sun_path))
			return -EINVAL;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, addr, strlen(addr) + 1);
		*len = sizeof(*un);
		return AF_UNIX;
	}
}

/* A stream socket on @addr: listening (@server) or connected. */
static int open_socket(const char *addr, bool server)
{
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *)&ss;
	socklen_t len;
	int family, fd, err;

	family = parse_addr(addr, &ss, &len);
	if (family < 0)
		return family;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (server && family == AF_UNIX)
		unlink(((struct sockaddr_un *)&ss)->sun_path);
	if (server ? bind(fd, sa, len) || listen(fd, 1) : connect(fd, sa, len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int kvmic_listen(const char *addr)
{
	return open_socket(addr, true);
}

int kvmic_connect(const char *addr)
{
	return open_socket(addr, false);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read exactly @len bytes within @timeout_ms (< 0: no limit). */
static int read_all(int fd, void *buf, size_t len, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = timeout_ms < 0 ? -1 : (int)(end - now_ms());
		ssize_t n;

		if (timeout_ms >= 0 && left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -ETIMEDOUT;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (!n)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* Discard @len bytes. */
static int skip(int fd, size_t len, int timeout_ms)
{
	char buf[256];
	int err;

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		err = read_all(fd, buf, n, timeout_ms);
		if (err)
			return err;
		len -= n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Read a structure that starts with its own u32 size: at least @min
 * bytes, at most KVMIC_HANDSHAKE_MAX; what is beyond @len is skipped,
 * what the sender's older structure lacks is zero.
 */
static int read_sized(int fd, void *buf, size_t len, size_t min,
		      int timeout_ms)
{
	uint32_t size;
	size_t take;
	int err;

	err = read_all(fd, &size, sizeof(size), timeout_ms);
	if (err)
		return err;
	if (size < min || size > KVMIC_HANDSHAKE_MAX)
		return -EPROTO;
	memset(buf, 0, len);
	memcpy(buf, &size, sizeof(size));
	take = size < len ? size : len;
	err = read_all(fd, (char *)buf + sizeof(size), take - sizeof(size),
		       timeout_ms);
	if (err)
		return err;
	return skip(fd, size - take, timeout_ms);
}

int kvmic_handshake_tool(int fd, struct kvmic_vm_info *info,
			 const uint8_t *cookie_hash, int timeout_ms)
{
	struct kvmic_cookie cookie = { .struct_size = sizeof(cookie) };
	int err;

	err = read_sized(fd, info, sizeof(*info), KVMIC_INFO_MIN, timeout_ms);
	if (err)
		return err;
	info->name[sizeof(info->name) - 1] = 0;
	if (cookie_hash)
		memcpy(cookie.cookie_hash, cookie_hash,
		       sizeof(cookie.cookie_hash));
	return write_all(fd, &cookie, sizeof(cookie));
}

int kvmic_handshake_vmm(int fd, const struct kvmic_vm_info *info,
			uint8_t *hash, int timeout_ms)
{
	struct kvmic_cookie cookie;
	int err;

	err = write_all(fd, info, sizeof(*info));
	if (err)
		return err;
	err = read_sized(fd, &cookie, sizeof(cookie), sizeof(cookie),
			 timeout_ms);
	if (err)
		return err;
	memcpy(hash, cookie.cookie_hash, sizeof(cookie.cookie_hash));
	return 0;
}

void kvmic_init(struct kvmic *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = 10000;
}

int kvmic_accept(int lfd, struct kvmic *c, const uint8_t *cookie_hash,
		 int timeout_ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int fd, err;

	do {
		err = poll(&pfd, 1, timeout_ms);
	} while (err < 0 && errno == EINTR);
	if (err < 0)
		return -errno;
	if (!err)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	kvmic_init(c, fd);
	err = kvmic_handshake_tool(fd, &c->info, cookie_hash, 10000);
	if (err) {
		close(fd);
		c->fd = -1;
	}
	return err;
}

void kvmic_close(struct kvmic *c)
{
	while (c->queue) {
		struct kvmic_queued *q = c->queue;

		c->queue = q->next;
		free(q);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Send one message: header and body with a single sendmsg(). */
static int send_msg(struct kvmic *c, uint16_t id, uint32_t seq,
		    const void *a, size_t alen, const void *b, size_t blen)
{
	struct kvmi_msg_hdr hdr = { .id = id, .size = alen + blen, .seq = seq };
	struct iovec iov[3] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)a, .iov_len = alen },
		{ .iov_base = (void *)b, .iov_len = blen },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
	ssize_t n;

	if (alen + blen > KVMI_MSG_SIZE)
		return -E2BIG;
	do {
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	return n == (ssize_t)(sizeof(hdr) + alen + blen) ? 0 : -EIO;
}

/* Read an event's body (after its header) into @e. */
static int read_event(struct kvmic *c, struct kvmic_event *e, int timeout_ms)
{
	size_t size = e->hdr.size, common;
	int err;

	if (size < sizeof(uint16_t) || size > KVMI_MSG_SIZE)
		return -EPROTO;
	err = read_all(c->fd, e->payload, size, timeout_ms);
	if (err)
		return err;
	memcpy(&e->ev.size, e->payload, sizeof(e->ev.size));
	common = e->ev.size;
	if (common < offsetof(struct kvmi_event, arch) || common > size)
		return -EPROTO;
	memset(&e->ev, 0, sizeof(e->ev));
	memcpy(&e->ev, e->payload,
	       common < sizeof(e->ev) ? common : sizeof(e->ev));
	e->payload_len = size - common;
	memmove(e->payload, e->payload + common, e->payload_len);
	return 0;
}

static int queue_event(struct kvmic *c, const struct kvmic_event *e)
{
	struct kvmic_queued *q = malloc(sizeof(*q)), **tail = &c->queue;

	if (!q)
		return -ENOMEM;
	q->next = NULL;
	q->e = *e;
	while (*tail)
		tail = &(*tail)->next;
	*tail = q;
	return 0;
}

int kvmic_request(struct kvmic *c, uint16_t id, const void *req, size_t len,
		  void *reply, size_t reply_max, size_t *reply_len)
{
	struct kvmic_event e;	/* the reply's header, or events on the way */
	uint32_t seq = ++c->seq;
	struct kvmi_error_code ec;
	int err;

	err = send_msg(c, id, seq, req, len, NULL, 0);
	if (err)
		return err;
	for (;;) {
		err = read_all(c->fd, &e.hdr, sizeof(e.hdr), c->timeout_ms);
		if (err)
			return err;
		/* (a command sent with the event's id gets its reply as such) */
		if (e.hdr.id == KVMI_EVENT &&
		    !(id == KVMI_EVENT && e.hdr.seq == seq)) {
			err = read_event(c, &e, c->timeout_ms);
			if (!err)
				err = queue_event(c, &e);
			if (err)
				return err;
			continue;
		}
		if (e.hdr.id != id || e.hdr.seq != seq || e.hdr.size < sizeof(ec))
			return -EPROTO;
		break;
	}
	err = read_all(c->fd, &ec, sizeof(ec), c->timeout_ms);
	if (err)
		return err;
	len = e.hdr.size - sizeof(ec);
	/* the kernel sends data only with success, and zero padding */
	if (ec.padding || ec.err > 0 || (ec.err && len))
		return -EPROTO;
	if (ec.err)
		return -ec.err;
	if (len > reply_max)
		return -EPROTO;
	err = read_all(c->fd, reply, len, c->timeout_ms);
	if (err)
		return err;
	if (reply_len)
		*reply_len = len;
	else if (len != reply_max)
		return -EPROTO;
	return 0;
}

int kvmic_vcpu_request(struct kvmic *c, uint16_t id, uint16_t vcpu,
		       const void *req, size_t len, void *reply,
		       size_t reply_max, size_t *reply_len)
{
	char buf[KVMI_MSG_SIZE];
	struct kvmi_vcpu_hdr vh = { .vcpu = vcpu };

	if (sizeof(vh) + len > sizeof(buf))
		return -E2BIG;
	memcpy(buf, &vh, sizeof(vh));
	if (len)
		memcpy(buf + sizeof(vh), req, len);
	return kvmic_request(c, id, buf, sizeof(vh) + len, reply, reply_max,
			     reply_len);
}

int kvmic_next_event(struct kvmic *c, struct kvmic_event *e, int timeout_ms)
{
	int err;

	if (c->queue) {
		struct kvmic_queued *q = c->queue;

		c->queue = q->next;
		*e = q->e;
		free(q);
		return 1;
	}
	err = read_all(c->fd, &e->hdr, sizeof(e->hdr), timeout_ms);
	if (err == -ETIMEDOUT)
		return 0;
	if (err)
		return err;
	if (e->hdr.id != KVMI_EVENT)
		return -EPROTO;
	/* the header came: the rest follows at once */
	err = read_event(c, e, 10000);
	return err ?: 1;
}

int kvmic_reply(struct kvmic *c, const struct kvmic_event *e, uint8_t action,
		const void *data, size_t len)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
	} rpl = {
		.vh = { .vcpu = e->ev.vcpu },
		.r = { .action = action, .event = e->ev.event },
	};

	return send_msg(c, KVMI_EVENT_REPLY, e->hdr.seq, &rpl, sizeof(rpl),
			data, len);
}

const char *kvmic_kvm_error(int err)
{
	switch (err) {
	case KVM_ENOSYS: return "KVM_ENOSYS (unknown command)";
	case KVM_EFAULT: return "KVM_EFAULT (bad address)";
	case KVM_EINVAL: return "KVM_EINVAL (invalid argument)";
	case KVM_E2BIG: return "KVM_E2BIG (too big)";
	case KVM_EPERM: return "KVM_EPERM (not allowed by the device manager)";
	case KVM_EOPNOTSUPP: return "KVM_EOPNOTSUPP (not supported)";
	case KVM_EAGAIN: return "KVM_EAGAIN (try again)";
	case KVM_ENOENT: return "KVM_ENOENT (no such entry)";
	case KVM_ENOMEM: return "KVM_ENOMEM (out of memory)";
	case KVM_EBUSY: return "KVM_EBUSY (busy)";
	default: return "unknown KVM error";
	}
}

const char *kvmic_command_name(uint16_t id)
{
	static const char * const names[KVMI_NUM_MESSAGES] = {
		[KVMI_GET_VERSION] = "GET_VERSION",
		[KVMI_CHECK_COMMAND] = "CHECK_COMMAND",
		[KVMI_CHECK_EVENT] = "CHECK_EVENT",
		[KVMI_GET_GUEST_INFO] = "GET_GUEST_INFO",
		[KVMI_GET_VCPU_INFO] = "GET_VCPU_INFO",
		[KVMI_PAUSE_VCPU] = "PAUSE_VCPU",
		[KVMI_CONTROL_VM_EVENTS] = "CONTROL_VM_EVENTS",
		[KVMI_CONTROL_EVENTS] = "CONTROL_EVENTS",
		[KVMI_CONTROL_CR] = "CONTROL_CR",
		[KVMI_CONTROL_MSR] = "CONTROL_MSR",
		[KVMI_GET_REGISTERS] = "GET_REGISTERS",
		[KVMI_SET_REGISTERS] = "SET_REGISTERS",
		[KVMI_GET_CPUID] = "GET_CPUID",
		[KVMI_GET_XSAVE] = "GET_XSAVE",
		[KVMI_READ_PHYSICAL] = "READ_PHYSICAL",
		[KVMI_WRITE_PHYSICAL] = "WRITE_PHYSICAL",
		[KVMI_INJECT_EXCEPTION] = "INJECT_EXCEPTION",
		[KVMI_GET_PAGE_ACCESS] = "GET_PAGE_ACCESS",
		[KVMI_SET_PAGE_ACCESS] = "SET_PAGE_ACCESS",
		[KVMI_GET_MAP_TOKEN] = "GET_MAP_TOKEN",
		[KVMI_GET_MTRR_TYPE] = "GET_MTRR_TYPE",
		[KVMI_CONTROL_CMD_RESPONSE] = "CONTROL_CMD_RESPONSE",
		[KVMI_GET_MAX_GFN] = "GET_MAX_GFN",
		[KVMI_VCPU_TRANSLATE_GVA] = "VCPU_TRANSLATE_GVA",
		[KVMI_VCPU_GET_XCR] = "VCPU_GET_XCR",
		[KVMI_VCPU_SET_XSAVE] = "VCPU_SET_XSAVE",
		[KVMI_VCPU_CONTROL_SINGLESTEP] = "VCPU_CONTROL_SINGLESTEP",
	};

	return id < KVMI_NUM_MESSAGES && names[id] ? names[id] : "command";
}

const char *kvmic_event_name(uint8_t id)
{
	static const char * const names[KVMI_NUM_EVENTS] = {
		[KVMI_EVENT_UNHOOK] = "unhook",
		[KVMI_EVENT_CR] = "cr",
		[KVMI_EVENT_MSR] = "msr",
		[KVMI_EVENT_XSETBV] = "xsetbv",
		[KVMI_EVENT_BREAKPOINT] = "breakpoint",
		[KVMI_EVENT_HYPERCALL] = "hypercall",
		[KVMI_EVENT_PF] = "pf",
		[KVMI_EVENT_TRAP] = "trap",
		[KVMI_EVENT_DESCRIPTOR] = "descriptor",
		[KVMI_EVENT_CREATE_VCPU] = "create_vcpu",
		[KVMI_EVENT_PAUSE_VCPU] = "pause_vcpu",
		[KVMI_EVENT_SINGLESTEP] = "singlestep",
		[KVMI_EVENT_CMD_ERROR] = "cmd_error",
		[KVMI_EVENT_CPUID] = "cpuid",
	};

	return id < KVMI_NUM_EVENTS && names[id] ? names[id] : "event";
}
