// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_fault_test: the permission model under attack and the fault
 * matrix of Documentation/testing.rst: every command and event id
 * allowed and denied through both doors, who may use the doors at all,
 * races to hook, hooking while vCPUs are created, four VMs at once, an
 * unhook with work queued, and 1,000 hook/unhook cycles at flat kernel
 * memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define NR_VMS		4
#define NEW_VCPUS	7
#define CYCLES		1000

static vm_vaddr_t page_gva;

/*
 * Writes its tag to its page, says hello, waits for the test's go (the
 * page's second word), then raises one HYPERCALL event with the tag in
 * RBX, and ends.
 */
static void guest_code(uint64_t tag)
{
	uint64_t *page = (uint64_t *)page_gva;
	uint64_t ret;

	WRITE_ONCE(page[0], tag);
	GUEST_SYNC(0);
	while (!READ_ONCE(page[1]))
		;
	asm volatile("vmmcall" : "=a"(ret)
		     : "a"(34ul), "D"(24ul), "S"(0ul), "b"(tag) : "memory");
	GUEST_DONE();
}

static struct kvm_vm *new_vm(struct kvm_vcpu **vcpu, uint64_t tag)
{
	struct kvm_vcpu *v;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&v, guest_code);

	page_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, page_gva);
	vcpu_args_set(v, 1, tag);
	if (vcpu)
		*vcpu = v;
	return vm;
}

static void go(struct kvm_vm *vm)
{
	((uint64_t *)addr_gva2hva(vm, page_gva))[1] = 1;
}

static int ctl(unsigned long req, void *arg)
{
	int fd = open("/dev/kvmi", O_RDWR);
	int ret;

	CHECK(fd >= 0, "open /dev/kvmi: %s", strerror(errno));
	ret = ioctl(fd, req, arg) ? -errno : 0;
	close(fd);
	return ret;
}

/* Allow or deny through the VM ioctl (@door 0) or /dev/kvmi (1). */
static int feature(struct kvm_vm *vm, int door, bool event, uint32_t allow,
		   int32_t id)
{
	struct kvmi_ctl_feature f = {
		.vm_fd = vm->fd,
		.feature = { .allow = allow, .id = id },
	};

	if (!door)
		return kvmi_feature(vm, event, allow, id);
	return ctl(event ? KVMI_CTL_EVENT : KVMI_CTL_COMMAND, &f);
}

static int check(struct kvmi_tool *tool, uint16_t msg, uint16_t id)
{
	struct kvmi_check_command c = { .id = id };

	/* CHECK_EVENT's request has the same layout */
	return kvmi_cmd(tool, msg, &c, sizeof(c), NULL, 0);
}

/*
 * Every id, denied and then allowed, once through each door: denied, the
 * command itself and CHECK_* answer -KVM_EPERM (before any size check:
 * the command is sent without a payload), and so does enabling a denied
 * event; allowed, CHECK_* answers 0 or -KVM_EOPNOTSUPP.  Ids outside the
 * ABI are refused by both doors.  The vCPU runs (vCPU commands are jobs
 * of its thread).
 */
static void test_permission_table(void)
{
	int door, id, commands = 0, events = 0, ret;
	struct kvmi_pause_vcpu pause = { .wait = 0 };
	struct kvmi_runner runner;
	struct kvmi_tool tool;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = new_vm(&vcpu, 0);

	kvmi_hook(vm, &tool);
	kvmi_runner_start(&runner, vcpu);
	for (door = 0; door < 2; door++) {
		for (id = 0; id < KVMI_NUM_MESSAGES; id++) {
			ret = feature(vm, door, false, 0, id);
			if (ret == -EINVAL)
				continue;	/* not a command */
			if (id == KVMI_GET_VERSION ||
			    id == KVMI_CHECK_COMMAND || id == KVMI_CHECK_EVENT) {
				CHECK_EQ(ret, -EPERM);	/* always allowed */
				continue;
			}
			CHECK_EQ(ret, 0);
			commands++;
			CHECK_EQ(check(&tool, KVMI_CHECK_COMMAND, id),
				 -KVM_EPERM);
			CHECK_EQ(kvmi_cmd(&tool, id, NULL, 0, NULL, 0),
				 -KVM_EPERM);
			CHECK_EQ(feature(vm, !door, false, 1, id), 0);
			ret = check(&tool, KVMI_CHECK_COMMAND, id);
			CHECK(ret == 0 || ret == -KVM_EOPNOTSUPP,
			      "command %d allowed: %d", id, ret);
		}
		for (id = 0; id < KVMI_NUM_EVENTS; id++) {
			struct {
				struct kvmi_vcpu_hdr vh;
				struct kvmi_control_events c;
			} ce = { .c = { .event_id = id, .enable = 1 } };
			struct kvmi_control_vm_events ve = {
				.event_id = id, .enable = 1,
			};

			ret = feature(vm, door, true, 0, id);
			if (ret == -EINVAL)
				continue;	/* not an event */
			CHECK_EQ(ret, 0);
			events++;
			CHECK_EQ(check(&tool, KVMI_CHECK_EVENT, id), -KVM_EPERM);
			/* VM-scope events are enabled by CONTROL_VM_EVENTS */
			ret = kvmi_cmd(&tool, KVMI_CONTROL_VM_EVENTS, &ve,
				       sizeof(ve), NULL, 0);
			if (ret == -KVM_EINVAL)
				ret = kvmi_cmd(&tool, KVMI_CONTROL_EVENTS, &ce,
					       sizeof(ce), NULL, 0);
			/* PAUSE_VCPU events come from PAUSE_VCPU requests */
			if (id == KVMI_EVENT_PAUSE_VCPU)
				ret = kvmi_vcpu_cmd(&tool, KVMI_PAUSE_VCPU, 0,
						    &pause, sizeof(pause),
						    NULL, 0);
			/*
			 * TRAP and CMD_ERROR have no switch of their own
			 * (they follow INJECT_EXCEPTION and the replies-off
			 * mode): both requests answer EINVAL.
			 */
			CHECK(ret == -KVM_EPERM ||
			      (ret == -KVM_EINVAL && (id == KVMI_EVENT_TRAP ||
						      id == KVMI_EVENT_CMD_ERROR)),
			      "event %d denied: enabling it gave %d", id, ret);
			CHECK_EQ(feature(vm, !door, true, 1, id), 0);
			ret = check(&tool, KVMI_CHECK_EVENT, id);
			CHECK(ret == 0 || ret == -KVM_EOPNOTSUPP,
			      "event %d allowed: %d", id, ret);
		}
	}
	CHECK(commands >= 2 * 40, "only %d commands", commands);
	CHECK(events >= 2 * 10, "only %d events", events);
	CHECK_EQ(feature(vm, 0, false, 1, KVMI_NUM_MESSAGES), -EINVAL);
	CHECK_EQ(feature(vm, 1, false, 1, KVMI_NUM_MESSAGES), -EINVAL);
	CHECK_EQ(feature(vm, 0, true, 1, KVMI_NUM_EVENTS), -EINVAL);
	CHECK_EQ(feature(vm, 1, true, 1, KVMI_NUM_EVENTS), -EINVAL);
	go(vm);
	kvmi_runner_join(&runner);
}

/* Run @fn in a child process; return its exit status. */
static int in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void open_as_nobody(void *unused)
{
	int fd;

	if (setgid(65534) || setuid(65534))
		_exit(2);
	fd = open("/dev/kvmi", O_RDWR);
	_exit(fd < 0 && errno == EACCES ? 0 : 1);
}

static void hook_from_child(void *vm)
{
	struct kvm_introspection_hook hook = { .fd = -1 };
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		_exit(2);
	hook.fd = sv[1];
	/* KVM takes VM ioctls only from the VM's creator (its mm). */
	if (!ioctl(((struct kvm_vm *)vm)->fd, KVM_INTROSPECTION_HOOK, &hook))
		_exit(1);
	_exit(errno == EIO ? 0 : 3);
}

/* Only root opens /dev/kvmi; only the VMM hooks through the VM fd. */
static void test_who_may_hook(void)
{
	struct kvm_vm *vm = new_vm(NULL, 0);

	CHECK_EQ(in_child(open_as_nobody, NULL), 0);
	CHECK_EQ(in_child(hook_from_child, vm), 0);
	CHECK_EQ(kvmi_debugfs_count("hooked"), 0);
}

struct racer {
	struct kvm_vm *vm;
	int door;
	int ret;
	int fd;			/* the tool's end when it won */
	pthread_barrier_t *go;
};

static void *race_hook(void *arg)
{
	struct racer *r = arg;
	struct kvmi_ctl_hook h = { .vm_fd = r->vm->fd };
	int sv[2];

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	pthread_barrier_wait(r->go);
	if (r->door) {
		h.hook.fd = sv[1];
		r->ret = ctl(KVMI_CTL_HOOK, &h);
	} else {
		r->ret = kvmi_hook_fd(r->vm, sv[1], 0);
	}
	close(sv[1]);
	r->fd = sv[0];
	return NULL;
}

/* Two device managers hook one VM at once: one wins, 100 times. */
static void test_hook_race(void)
{
	struct kvm_vm *vm = new_vm(NULL, 0);
	struct racer r[2];
	pthread_barrier_t go;
	pthread_t t[2];
	int i, j;

	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 100; i++) {
		for (j = 0; j < 2; j++) {
			r[j] = (struct racer){ .vm = vm, .door = j, .go = &go };
			pthread_create(&t[j], NULL, race_hook, &r[j]);
		}
		for (j = 0; j < 2; j++)
			pthread_join(t[j], NULL);
		CHECK((r[0].ret == 0 && r[1].ret == -EEXIST) ||
		      (r[1].ret == 0 && r[0].ret == -EEXIST),
		      "round %d: %d and %d", i, r[0].ret, r[1].ret);
		CHECK_EQ(kvmi_debugfs_count("hooked"), 1);
		CHECK_EQ(kvmi_unhook(vm), 0);
		for (j = 0; j < 2; j++)
			close(r[j].fd);
	}
	CHECK(kvmi_wait_count("contexts", 0, 20000), "contexts left");
}

struct hooker {
	struct kvm_vm *vm;
	bool started;
	bool stop;
	int hooks;
};

static void *hook_loop(void *arg)
{
	struct hooker *h = arg;
	struct kvmi_get_guest_info_reply info;
	struct kvmi_tool tool;

	WRITE_ONCE(h->started, true);
	while (!READ_ONCE(h->stop)) {
		kvmi_hook(h->vm, &tool);
		CHECK_EQ(kvmi_feature(h->vm, false, 1, -1), 0);
		CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_GUEST_INFO, NULL, 0, &info,
				  sizeof(info)), 0);
		CHECK_EQ(kvmi_unhook(h->vm), 0);
		close(tool.fd);
		h->hooks++;
	}
	return NULL;
}

/*
 * vCPUs are created while another thread hooks and unhooks: each new
 * vCPU is then known to a fresh session.  None of them ran, so a vCPU
 * command for them answers "not ready" (-KVM_EAGAIN), not "no such
 * vCPU" (-KVM_EINVAL), which the next index gets.
 */
static void test_hook_while_creating_vcpus(void)
{
	struct kvm_vm *vm = new_vm(NULL, 0);
	struct kvmi_get_guest_info_reply info;
	struct kvmi_get_vcpu_info_reply vi;
	struct hooker h = { .vm = vm };
	struct kvmi_tool tool;
	pthread_t t;
	int i;

	pthread_create(&t, NULL, hook_loop, &h);
	/* a busy machine may not run the thread at once */
	while (!READ_ONCE(h.started))
		usleep(1000);
	for (i = 1; i <= NEW_VCPUS; i++) {
		vm_vcpu_add(vm, i, guest_code);
		usleep(20000);
	}
	WRITE_ONCE(h.stop, true);
	pthread_join(t, NULL);
	CHECK(h.hooks > 0, "no hook while vCPUs were created");

	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_GUEST_INFO, NULL, 0, &info,
			  sizeof(info)), 0);
	CHECK_EQ(info.vcpu_count, NEW_VCPUS + 1);
	for (i = 0; i <= NEW_VCPUS; i++)
		CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_VCPU_INFO, i, NULL, 0,
				       &vi, sizeof(vi)), -KVM_EAGAIN);
	CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_GET_VCPU_INFO, NEW_VCPUS + 1,
			       NULL, 0, &vi, sizeof(vi)), -KVM_EINVAL);
}

/*
 * Four VMs hooked by four tools at once: each tool reads its own VM's
 * tag from memory and gets exactly one event, its own VM's (RBX).
 */
static void test_four_vms(void)
{
	struct kvmi_runner runners[NR_VMS];
	struct kvmi_tool tools[NR_VMS];
	struct kvm_vcpu *vcpus[NR_VMS];
	struct kvm_vm *vms[NR_VMS];
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	int i;

	for (i = 0; i < NR_VMS; i++) {
		vms[i] = new_vm(&vcpus[i], 0x7a600 + i);
		kvmi_hook(vms[i], &tools[i]);
		kvmi_allow_all(vms[i]);
		kvmi_runner_start(&runners[i], vcpus[i]);
	}
	for (i = 0; i < NR_VMS; i++)
		CHECK_EQ(kvmi_control_events(&tools[i], 0,
					     KVMI_EVENT_HYPERCALL, 1), 0);
	for (i = 0; i < NR_VMS; i++) {
		struct kvmi_read_physical rp = {
			.gpa = addr_gva2gpa(vms[i], page_gva), .size = 8,
		};
		uint64_t tag;

		CHECK_EQ(kvmi_cmd(&tools[i], KVMI_READ_PHYSICAL, &rp,
				  sizeof(rp), &tag, sizeof(tag)), 0);
		CHECK_EQ(tag, 0x7a600 + i);
	}
	for (i = 0; i < NR_VMS; i++)
		go(vms[i]);
	for (i = 0; i < NR_VMS; i++) {
		kvmi_recv_event(&tools[i], KVMI_EVENT_HYPERCALL, &hdr, &ev,
				NULL, 0);
		CHECK_EQ(ev.arch.regs.rbx, 0x7a600 + i);
		kvmi_reply_event(&tools[i], &hdr, &ev,
				 KVMI_EVENT_ACTION_CONTINUE, NULL, 0);
	}
	for (i = 0; i < NR_VMS; i++) {
		kvmi_runner_join(&runners[i]);
		CHECK(kvmi_next_event(&tools[i], &hdr, &ev, 200) < 0,
		      "VM %d: a second event", i);
	}
}

/*
 * PREUNHOOK and UNHOOK while the vCPU waits in an event and PAUSE_VCPU
 * requests are queued behind it: the unhook completes, the vCPU runs to
 * the end, nothing is left.
 */
static void test_unhook_with_work_queued(void)
{
	struct kvmi_control_vm_events unhook = {
		.event_id = KVMI_EVENT_UNHOOK, .enable = 1,
	};
	struct kvmi_pause_vcpu pause = { .wait = 0 };
	struct kvmi_runner runner;
	struct kvm_vcpu *vcpu;
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	struct kvm_vm *vm = new_vm(&vcpu, 1);
	int i;

	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	kvmi_runner_start(&runner, vcpu);
	CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 1), 0);
	go(vm);
	kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_PAUSE_VCPU, 0, &pause,
				       sizeof(pause), NULL, 0), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_VM_EVENTS, &unhook,
			  sizeof(unhook), NULL, 0), 0);
	CHECK_EQ(kvmi_preunhook(vm), 0);
	/* PAUSE_VCPU events of the queued requests may come first */
	for (i = 0; i < 4; i++)
		if (kvmi_next_event(&tool, &hdr, &ev, 20000) != KVMI_EVENT_PAUSE_VCPU)
			break;
	CHECK_EQ(ev.event, KVMI_EVENT_UNHOOK);
	CHECK_EQ(kvmi_unhook(vm), 0);
	kvmi_runner_join(&runner);
	CHECK(kvmi_wait_hooked(0, 20000), "still hooked");
	CHECK(kvmi_wait_count("contexts", 0, 20000), "contexts left");
}

/*
 * The VMM (a child process) is killed while its vCPU waits in an event
 * (@pause false: HYPERCALL; true: PAUSE_VCPU) that the tool never
 * answers: the wait is killable, the VMM dies and is reaped, the session
 * ends, nothing is left.
 */
static void vmm_killed(bool pause_it)
{
	struct kvmi_pause_vcpu req = { .wait = 0 };
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	struct kvmi_tool tool;
	int sv[2], ready[2], go_pipe[2], status, i;
	char c = 0;
	pid_t pid;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	CHECK(!pipe(ready) && !pipe(go_pipe), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct kvmi_runner runner;
		struct kvm_vcpu *vcpu;
		struct kvm_vm *vm = new_vm(&vcpu, 1);

		close(sv[0]);
		if (kvmi_hook_fd(vm, sv[1], 0) || kvmi_feature(vm, false, 1, -1) ||
		    kvmi_feature(vm, true, 1, -1))
			_exit(2);
		kvmi_runner_start(&runner, vcpu);
		if (write(ready[1], &c, 1) != 1 || read(go_pipe[0], &c, 1) != 1)
			_exit(3);
		go(vm);
		for (;;)
			pause();
	}
	close(sv[1]);
	memset(&tool, 0, sizeof(tool));
	tool.fd = sv[0];
	tool.seq = 100;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	if (pause_it) {
		CHECK_EQ(kvmi_vcpu_cmd(&tool, KVMI_PAUSE_VCPU, 0, &req,
				       sizeof(req), NULL, 0), 0);
		kvmi_recv_event(&tool, KVMI_EVENT_PAUSE_VCPU, &hdr, &ev, NULL, 0);
	} else {
		CHECK_EQ(kvmi_control_events(&tool, 0, KVMI_EVENT_HYPERCALL, 1),
			 0);
		CHECK_EQ(write(go_pipe[1], &c, 1), 1);
		kvmi_recv_event(&tool, KVMI_EVENT_HYPERCALL, &hdr, &ev, NULL, 0);
	}
	kill(pid, SIGKILL);
	for (i = 0; i < 200 && waitpid(pid, &status, WNOHANG) != pid; i++)
		usleep(100000);
	CHECK(i < 200, "the killed VMM was not reaped in 20 s");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "VMM status %#x", status);
	CHECK(kvmi_wait_eof(&tool, 20000), "the session did not end");
	CHECK(kvmi_wait_hooked(0, 20000), "still hooked");
	CHECK(kvmi_wait_count("contexts", 0, 20000), "contexts left");
}

static void test_vmm_killed_in_event(void)
{
	vmm_killed(false);
}

static void test_vmm_killed_while_paused(void)
{
	vmm_killed(true);
}

/*
 * Let freed memory show: contexts are freed by a work item and then
 * after an RCU grace period with kvfree_rcu(), which batches for up to
 * 5 s; then the empty slabs of every cache are given back.
 */
static long settled_kernel_kb(void)
{
	FILE *f;
	char path[300];
	FILE *ls;

	CHECK(kvmi_wait_count("contexts", 0, 20000), "contexts left");
	sleep(6);
	ls = popen("ls /sys/kernel/slab", "r");
	CHECK(ls, "cannot list /sys/kernel/slab");
	while (fscanf(ls, "%200s", path + 200) == 1) {
		snprintf(path, 200, "/sys/kernel/slab/%s/shrink", path + 200);
		f = fopen(path, "w");
		if (f) {
			fputs("1\n", f);
			fclose(f);
		}
	}
	pclose(ls);
	return kvmi_kernel_kb();
}

static void hook_cycles(struct kvm_vm *vm, int n)
{
	struct kvmi_get_version_reply ver;
	struct kvmi_tool tool;
	int i;

	for (i = 0; i < n; i++) {
		kvmi_hook(vm, &tool);
		CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver,
				  sizeof(ver)), 0);
		CHECK_EQ(kvmi_unhook(vm), 0);
		close(tool.fd);
	}
}

/*
 * 1,000 cycles after 200 that warm the caches up: a context leaked per
 * cycle would be 8 KiB or more each, 8 MiB in all; the kernel's own
 * caches may move by a few hundred KiB.
 */
static void test_hook_cycles_flat_memory(void)
{
	struct kvm_vm *vm = new_vm(NULL, 0);
	long before, after;

	hook_cycles(vm, 200);
	before = settled_kernel_kb();
	hook_cycles(vm, CYCLES);
	after = settled_kernel_kb();
	printf("# %d cycles: slab+vmalloc %ld kB -> %ld kB\n", CYCLES, before,
	       after);
	CHECK(after - before < 1024, "kernel memory grew by %ld kB",
	      after - before);
}

#define T(name) { #name, test_##name }

static const struct kvmi_test tests[] = {
	T(permission_table),
	T(who_may_hook),
	T(hook_race),
	T(hook_while_creating_vcpus),
	T(four_vms),
	T(unhook_with_work_queued),
	T(vmm_killed_in_event),
	T(vmm_killed_while_paused),
	T(hook_cycles_flat_memory),
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
