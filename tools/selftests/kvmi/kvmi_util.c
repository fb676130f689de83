// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for kvmi's tests; see kvmi_util.h. */
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvmi_util.h"
#include "ucall_common.h"

void kvmi_fail(const char *file, int line, const char *cond,
	       const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: check failed: %s\n# ", file, line, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static int ioctl_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

int kvmi_hook_fd(struct kvm_vm *vm, int fd, uint32_t padding)
{
	struct kvm_introspection_hook hook = { .fd = fd, .padding = padding };

	return ioctl_ret(ioctl(vm->fd, KVM_INTROSPECTION_HOOK, &hook));
}

int kvmi_unhook(struct kvm_vm *vm)
{
	return ioctl_ret(ioctl(vm->fd, KVM_INTROSPECTION_UNHOOK));
}

int kvmi_preunhook(struct kvm_vm *vm)
{
	return ioctl_ret(ioctl(vm->fd, KVM_INTROSPECTION_PREUNHOOK));
}

int kvmi_feature(struct kvm_vm *vm, bool event, uint32_t allow, int32_t id)
{
	struct kvm_introspection_feature feat = { .allow = allow, .id = id };

	return ioctl_ret(ioctl(vm->fd, event ? KVM_INTROSPECTION_EVENT :
				       KVM_INTROSPECTION_COMMAND, &feat));
}

void kvmi_hook(struct kvm_vm *vm, struct kvmi_tool *tool)
{
	int sv[2];

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair: %s",
	      strerror(errno));
	CHECK_EQ(kvmi_hook_fd(vm, sv[1], 0), 0);
	close(sv[1]);		/* kvmi holds its own reference */
	memset(tool, 0, sizeof(*tool));
	tool->fd = sv[0];
	tool->seq = 100;
}

void kvmi_allow_all(struct kvm_vm *vm)
{
	CHECK_EQ(kvmi_feature(vm, false, 1, -1), 0);
	CHECK_EQ(kvmi_feature(vm, true, 1, -1), 0);
}

void kvmi_send(struct kvmi_tool *tool, uint16_t id, uint32_t seq,
	       const void *body, size_t len)
{
	struct kvmi_msg_hdr hdr = { .id = id, .size = len, .seq = seq };
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n = sendmsg(tool->fd, &msg, MSG_NOSIGNAL);

	CHECK(n == (ssize_t)(sizeof(hdr) + len), "sendmsg: %zd (%s)", n,
	      strerror(errno));
}

static bool read_all(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;

	while (len) {
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) != 1)
			return false;
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

int kvmi_recv(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr, void *body,
	      size_t max, int timeout_ms)
{
	static char sink[KVMI_MSG_SIZE];

	if (!read_all(tool->fd, hdr, sizeof(*hdr), timeout_ms))
		return -1;
	CHECK(hdr->size <= KVMI_MSG_SIZE, "reply size %u", hdr->size);
	if (hdr->size <= max)
		return read_all(tool->fd, body, hdr->size, timeout_ms) ? 0 : -1;
	if (!read_all(tool->fd, body, max, timeout_ms))
		return -1;
	return read_all(tool->fd, sink, hdr->size - max, timeout_ms) ? 0 : -1;
}

/* The library's view of @tool: the same socket and sequence numbers. */
static struct kvmic *lib(struct kvmi_tool *tool)
{
	tool->c.fd = tool->fd;
	tool->c.seq = tool->seq;
	if (!tool->c.timeout_ms)
		tool->c.timeout_ms = 10000;
	return &tool->c;
}

/*
 * A command and its reply (kvmic_request(): the reply must have the
 * command's id and seq, zero padding, data only on success and exactly
 * @rpl_len bytes of it).  Return: 0 or the command's -KVM_E* error.
 */
int kvmi_cmd(struct kvmi_tool *tool, uint16_t id, const void *req,
	     size_t req_len, void *rpl, size_t rpl_len)
{
	int ret = kvmic_request(lib(tool), id, req, req_len, rpl, rpl_len,
				NULL);

	tool->seq = tool->c.seq;
	CHECK(ret >= 0, "command %u: %s", id, strerror(-ret));
	return -ret;
}

int kvmi_vcpu_cmd(struct kvmi_tool *tool, uint16_t id, uint16_t vcpu,
		  const void *req, size_t len, void *rpl, size_t rpl_len)
{
	struct {
		struct kvmi_vcpu_hdr vh;
		char req[256];
	} msg = { .vh = { .vcpu = vcpu } };

	CHECK(len <= sizeof(msg.req), "request too long");
	memcpy(msg.req, req, len);
	return kvmi_cmd(tool, id, &msg, sizeof(msg.vh) + len, rpl, rpl_len);
}

int kvmi_control_events(struct kvmi_tool *tool, uint16_t vcpu,
			uint16_t event, uint8_t enable)
{
	struct kvmi_control_events req = { .event_id = event,
					   .enable = enable };

	return kvmi_vcpu_cmd(tool, KVMI_CONTROL_EVENTS, vcpu, &req,
			     sizeof(req), NULL, 0);
}

void kvmi_recv_event(struct kvmi_tool *tool, uint8_t event,
		     struct kvmi_msg_hdr *hdr, struct kvmi_event *ev,
		     void *payload, size_t len)
{
	static struct kvmic_event e;
	int ret = kvmic_next_event(lib(tool), &e, 20000);

	CHECK(ret == 1, "no event (%s)", ret ? strerror(-ret) : "timeout");
	*hdr = e.hdr;
	CHECK_EQ(hdr->size, sizeof(*ev) + len);
	*ev = e.ev;
	CHECK_EQ(ev->size, sizeof(*ev));
	CHECK_EQ(ev->event, event);
	CHECK_EQ(e.payload_len, len);
	if (len)
		memcpy(payload, e.payload, len);
}

int kvmi_next_event(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr,
		    struct kvmi_event *ev, int timeout_ms)
{
	static struct kvmic_event e;
	int ret = kvmic_next_event(lib(tool), &e, timeout_ms);

	CHECK(ret >= 0, "event: %s", strerror(-ret));
	if (ret != 1)
		return -1;
	*hdr = e.hdr;
	*ev = e.ev;
	return ev->event;
}

void kvmi_reply_event(struct kvmi_tool *tool, const struct kvmi_msg_hdr *ehdr,
		      const struct kvmi_event *ev, uint8_t action,
		      const void *data, size_t len)
{
	static struct kvmic_event e;
	int ret;

	e.hdr = *ehdr;
	e.ev = *ev;
	ret = kvmic_reply(lib(tool), &e, action, data, len);
	CHECK(!ret, "event reply: %s", strerror(-ret));
}

static void *runner_fn(void *arg)
{
	struct kvmi_runner *r = arg;
	uint64_t cmd = UCALL_NONE;
	struct ucall uc;

	do {
		vcpu_run(r->vcpu);
		r->exit_reason = r->vcpu->run->exit_reason;
		if (r->exit_reason != KVM_EXIT_IO)
			break;
		cmd = get_ucall(r->vcpu, &uc);
		if (cmd == UCALL_SYNC && uc.args[1] == 0)
			WRITE_ONCE(r->hello, true);
		else if (cmd == UCALL_SYNC)
			memcpy(r->report, &uc.args[2], sizeof(r->report));
	} while (cmd == UCALL_SYNC);
	r->done = cmd == UCALL_DONE;
	WRITE_ONCE(r->exited, true);
	return NULL;
}

void kvmi_runner_start(struct kvmi_runner *r, struct kvm_vcpu *vcpu)
{
	memset(r, 0, sizeof(*r));
	r->vcpu = vcpu;
	pthread_create(&r->thread, NULL, runner_fn, r);
	while (!READ_ONCE(r->hello) && !READ_ONCE(r->exited))
		usleep(1000);
	CHECK(r->hello, "no hello from the guest (exit reason %u)",
	      r->exit_reason);
}

void kvmi_runner_join(struct kvmi_runner *r)
{
	pthread_join(r->thread, NULL);
	CHECK(r->done, "guest did not finish (exit reason %u)",
	      r->exit_reason);
}

void kvmi_runner_crashed(struct kvmi_runner *r)
{
	pthread_join(r->thread, NULL);
	CHECK(!r->done, "guest finished after CRASH");
	CHECK_EQ(r->exit_reason, KVM_EXIT_SHUTDOWN);
}

long long kvmi_hook_hits(const char *symbol)
{
	char name[64], mod[32], state[16];
	long long hits, ret = -1;
	FILE *f = fopen("/sys/kernel/debug/kvmi/hooks", "r");

	CHECK(f, "no kvmi/hooks in debugfs");
	CHECK(fscanf(f, "%*[^\n]\n") == 0, "kvmi/hooks: no header");
	while (fscanf(f, "%63s %31s %15s %lld", name, mod, state, &hits) == 4)
		if (!strcmp(name, symbol))
			ret = hits;
	fclose(f);
	CHECK(ret >= 0, "no hook %s", symbol);
	return ret;
}

bool kvmi_wait_eof(struct kvmi_tool *tool, int timeout_ms)
{
	struct pollfd pfd = { .fd = tool->fd, .events = POLLIN };
	char c;

	while (poll(&pfd, 1, timeout_ms) == 1) {
		ssize_t n = recv(tool->fd, &c, 1, 0);

		if (n <= 0)
			return true;
	}
	return false;
}

int kvmi_debugfs_count(const char *what)
{
	FILE *f = fopen("/sys/kernel/debug/kvmi/vms", "r");
	char key[32];
	int val, ret = -1;

	CHECK(f, "cannot open /sys/kernel/debug/kvmi/vms");
	while (fscanf(f, "%31s %d", key, &val) == 2)
		if (!strcmp(key, what))
			ret = val;
	fclose(f);
	return ret;
}

bool kvmi_wait_count(const char *what, int n, int timeout_ms)
{
	for (; timeout_ms > 0; timeout_ms -= 10) {
		if (kvmi_debugfs_count(what) == n)
			return true;
		usleep(10000);
	}
	return kvmi_debugfs_count(what) == n;
}

bool kvmi_wait_hooked(int n, int timeout_ms)
{
	return kvmi_wait_count("hooked", n, timeout_ms);
}

int kvmi_run_tests(const struct kvmi_test *tests, size_t n)
{
	const char *only = getenv("KVMI_CASE");	/* a developer's filter */
	size_t i, planned = 0;

	ksft_print_header();
	for (i = 0; i < n; i++)
		planned += !only || !strcmp(only, tests[i].name);
	ksft_set_plan(planned);
	for (i = 0; i < n; i++) {
		int status;
		pid_t pid;

		if (only && strcmp(only, tests[i].name))
			continue;
		fflush(stdout);
		pid = fork();
		if (!pid) {
			/* a case that hangs fails alone, not the whole run */
			alarm(KVMI_TEST_TIMEOUT);
			tests[i].fn();
			exit(0);
		}
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			printf("# %s: no end after %d s\n", tests[i].name,
			       KVMI_TEST_TIMEOUT);
		if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP)
			ksft_test_result_skip("%s\n", tests[i].name);
		else if (WIFEXITED(status) && !WEXITSTATUS(status))
			ksft_test_result_pass("%s\n", tests[i].name);
		else
			ksft_test_result_fail("%s\n", tests[i].name);
	}
	return ksft_get_fail_cnt() ? KSFT_FAIL : KSFT_PASS;
}

bool kvmi_write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs(val, f);
	return !fclose(f);
}

bool kvmi_set_param(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/kvmi/parameters/%s", name);
	return kvmi_write_file(path, val);
}

uint64_t kvmi_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t kvmi_percentile(uint64_t *v, int n, int p)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(long)n * p / 100];
}

long kvmi_kernel_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long total = 0, val;
	char key[64];

	CHECK(f, "cannot open /proc/meminfo");
	while (fscanf(f, "%63s %ld kB", key, &val) == 2)
		if (!strcmp(key, "Slab:") || !strcmp(key, "VmallocUsed:"))
			total += val;
	fclose(f);
	return total;
}

long kvmi_pins_outstanding(void)
{
	FILE *refresh = fopen("/proc/sys/vm/stat_refresh", "w");
	long acquired = -1, released = -1, val;
	char key[64];
	FILE *f;

	/* fold the per-CPU deltas into the global figures first */
	CHECK(refresh, "cannot open /proc/sys/vm/stat_refresh");
	fputs("1\n", refresh);
	fclose(refresh);
	f = fopen("/proc/vmstat", "r");
	CHECK(f, "cannot open /proc/vmstat");
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, "nr_foll_pin_acquired"))
			acquired = val;
		else if (!strcmp(key, "nr_foll_pin_released"))
			released = val;
	}
	fclose(f);
	return acquired - released;
}
