/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for kvmi's tests on the KVM selftests library: the device
 * manager's ioctls, a tool end of the introspection socket, and a tiny
 * runner that forks one child per test case and prints one TAP line each.
 */
#ifndef KVMI_TEST_UTIL_H
#define KVMI_TEST_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvmi.h>
#include <linux/kvmi_ctl.h>

#include "kvm_util.h"
#include "kvmic.h"

/*
 * The tool's end of the introspection socket.  Commands, events and
 * replies go through the kvmic client library (@c); @fd and @seq stay the
 * truth, so that a test can set them, close the socket or send raw bytes.
 */
struct kvmi_tool {
	int fd;
	uint32_t seq;
	struct kvmic c;
};

/* A failed check: print where and why, and fail the test case. */
#define CHECK(cond, fmt, ...)						\
	do {								\
		if (!(cond))						\
			kvmi_fail(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__); \
	} while (0)

#define CHECK_EQ(actual, expected)					\
	do {								\
		long long __a = (long long)(actual);			\
		long long __e = (long long)(expected);			\
		CHECK(__a == __e, "%s: expected %lld, got %lld",	\
		      #actual, __e, __a);				\
	} while (0)

void kvmi_fail(const char *file, int line, const char *cond,
	       const char *fmt, ...) __attribute__((noreturn,
						    format(printf, 4, 5)));

/* Device-manager side: each returns 0 or -errno. */
int kvmi_hook_fd(struct kvm_vm *vm, int fd, uint32_t padding);
int kvmi_unhook(struct kvm_vm *vm);
int kvmi_preunhook(struct kvm_vm *vm);
int kvmi_feature(struct kvm_vm *vm, bool event, uint32_t allow, int32_t id);

/* Hook @vm with a new socket pair; the tool keeps one end. */
void kvmi_hook(struct kvm_vm *vm, struct kvmi_tool *tool);
void kvmi_allow_all(struct kvm_vm *vm);

/* Tool side. */
void kvmi_send(struct kvmi_tool *tool, uint16_t id, uint32_t seq,
	       const void *body, size_t len);
int kvmi_cmd(struct kvmi_tool *tool, uint16_t id, const void *req,
	     size_t req_len, void *rpl, size_t rpl_len);
/* Receive one message (header + body up to @max); -1 on EOF/timeout. */
int kvmi_recv(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr, void *body,
	      size_t max, int timeout_ms);
/* A vCPU command: struct kvmi_vcpu_hdr for @vcpu, then @req. */
int kvmi_vcpu_cmd(struct kvmi_tool *tool, uint16_t id, uint16_t vcpu,
		  const void *req, size_t len, void *rpl, size_t rpl_len);
int kvmi_control_events(struct kvmi_tool *tool, uint16_t vcpu,
			uint16_t event, uint8_t enable);
/* Receive event @event with exactly @len bytes of payload. */
void kvmi_recv_event(struct kvmi_tool *tool, uint8_t event,
		     struct kvmi_msg_hdr *hdr, struct kvmi_event *ev,
		     void *payload, size_t len);
/*
 * The next event, whatever its id, the ones read while a reply was due
 * first: its id, or -1 on timeout.  Its payload is not returned.
 */
int kvmi_next_event(struct kvmi_tool *tool, struct kvmi_msg_hdr *hdr,
		    struct kvmi_event *ev, int timeout_ms);
/* Answer the event @ev (header @ehdr) with @action and reply data. */
void kvmi_reply_event(struct kvmi_tool *tool, const struct kvmi_msg_hdr *ehdr,
		      const struct kvmi_event *ev, uint8_t action,
		      const void *data, size_t len);
/* True once the peer closed the socket, within @timeout_ms. */
bool kvmi_wait_eof(struct kvmi_tool *tool, int timeout_ms);

/*
 * A vCPU thread that runs its guest to the end.  The guest says hello
 * with SYNC 0, may report up to four values with SYNC 1, and ends with
 * GUEST_DONE; any exit other than a ucall ends the thread too.
 */
struct kvmi_runner {
	pthread_t thread;
	struct kvm_vcpu *vcpu;
	uint64_t report[4];	/* the values of the last SYNC 1 */
	uint32_t exit_reason;	/* of the last KVM_RUN */
	bool hello;		/* SYNC 0 seen */
	bool done;		/* the guest reached GUEST_DONE */
	bool exited;		/* the thread ended */
};

/* Start @r on @vcpu and wait for the guest's hello. */
void kvmi_runner_start(struct kvmi_runner *r, struct kvm_vcpu *vcpu);
/* Join @r: the guest must have finished. */
void kvmi_runner_join(struct kvmi_runner *r);
/* Join @r: a CRASH reply must have stopped the guest (KVM_EXIT_SHUTDOWN). */
void kvmi_runner_crashed(struct kvmi_runner *r);

/* Hits of one hook, from /sys/kernel/debug/kvmi/hooks. */
long long kvmi_hook_hits(const char *symbol);

/* /sys/kernel/debug/kvmi/vms */
int kvmi_debugfs_count(const char *what);
/* Wait until a counter reaches @n; true on success. */
bool kvmi_wait_count(const char *what, int n, int timeout_ms);
bool kvmi_wait_hooked(int n, int timeout_ms);

/* Write @val to the file @path (sysfs, tracefs); true on success. */
bool kvmi_write_file(const char *path, const char *val);
/* The same to /sys/module/kvmi/parameters/@name. */
bool kvmi_set_param(const char *name, const char *val);

/* Measuring and accounting, for the benchmarks and the leak checks. */
uint64_t kvmi_now_ns(void);			/* CLOCK_MONOTONIC */
/* The @p-th percentile of @v (sorted in place). */
uint64_t kvmi_percentile(uint64_t *v, int n, int p);
/* Slab + vmalloc in use, in KiB (/proc/meminfo). */
long kvmi_kernel_kb(void);
/* FOLL_PIN pins taken and not yet released, system-wide (/proc/vmstat). */
long kvmi_pins_outstanding(void);

/*
 * Runner: one child per case; a case still running after this many
 * seconds is killed and fails.
 */
#define KVMI_TEST_TIMEOUT 180

struct kvmi_test {
	const char *name;
	void (*fn)(void);
};

int kvmi_run_tests(const struct kvmi_test *tests, size_t n);

#endif /* KVMI_TEST_UTIL_H */
