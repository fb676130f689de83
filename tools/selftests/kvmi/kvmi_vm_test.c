// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_vm_test: the control plane and the VM-scope protocol.
 *
 * Each case creates a VM with one vCPU, acts as its device manager
 * (KVM_INTROSPECTION_* ioctls, /dev/kvmi) and as the introspection tool
 * (the other end of a socket pair), and checks the exact answers
 * documented in Documentation/kvmi.rst: every ioctl error, every VM
 * command with good and bad input, the replies-off mode, framing errors,
 * and each way a session ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define MAGIC 0x6b766d69ull		/* "kvmi" */

static vm_vaddr_t test_gva;		/* a page the guest reads */

static void guest_code(void)
{
	uint64_t *p = (uint64_t *)test_gva;

	GUEST_SYNC(1);
	while (READ_ONCE(*p) != MAGIC)
		;
	GUEST_DONE();
}

static struct kvm_vm *new_vm(struct kvm_vcpu **vcpu, vm_paddr_t *gpa,
			     void **hva)
{
	struct kvm_vcpu *v;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&v, guest_code);

	test_gva = vm_vaddr_alloc_page(vm);
	sync_global_to_guest(vm, test_gva);
	if (gpa)
		*gpa = addr_gva2gpa(vm, test_gva);
	if (hva)
		*hva = addr_gva2hva(vm, test_gva);
	if (vcpu)
		*vcpu = v;
	return vm;
}

/* Run the guest until it reports @want (UCALL_SYNC or UCALL_DONE). */
static void run_until(struct kvm_vcpu *vcpu, uint64_t want)
{
	struct ucall uc;

	vcpu_run(vcpu);
	CHECK_EQ(get_ucall(vcpu, &uc), want);
}

/* ---- device-manager ioctls ---- */

static void test_capability(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	int kvm_fd = open_kvm_dev_path_or_exit();

	CHECK_EQ(ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_INTROSPECTION),
		 KVMI_VERSION);
	CHECK_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_INTROSPECTION),
		 KVMI_VERSION);
	close(kvm_fd);
}

static void test_efault_before_hook(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);

	CHECK_EQ(kvmi_feature(vm, false, 1, KVMI_GET_GUEST_INFO), -EFAULT);
	CHECK_EQ(kvmi_feature(vm, true, 1, KVMI_EVENT_UNHOOK), -EFAULT);
	CHECK_EQ(kvmi_preunhook(vm), -EFAULT);
}

static void test_hook_bad_fd(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	int file = open("/proc/self/stat", O_RDONLY);
	int dgram = socket(AF_UNIX, SOCK_DGRAM, 0);

	CHECK_EQ(kvmi_hook_fd(vm, -1, 0), -EINVAL);
	CHECK_EQ(kvmi_hook_fd(vm, 1000, 0), -EINVAL);
	CHECK_EQ(kvmi_hook_fd(vm, file, 0), -EINVAL);
	CHECK_EQ(kvmi_hook_fd(vm, dgram, 0), -EINVAL);
	CHECK_EQ(kvmi_debugfs_count("hooked"), 0);
}

static void test_hook_padding(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	int sv[2];

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	CHECK_EQ(kvmi_hook_fd(vm, sv[1], 1), -EINVAL);
}

static void test_hook_twice(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	struct kvmi_tool tool;
	int sv[2];

	kvmi_hook(vm, &tool);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	CHECK_EQ(kvmi_hook_fd(vm, sv[1], 0), -EEXIST);
	CHECK_EQ(kvmi_unhook(vm), 0);
}

static void test_deny_always_allowed(void)
{
	struct kvmi_get_version_reply ver;
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	struct kvmi_tool tool;

	kvmi_hook(vm, &tool);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_GET_VERSION), -EPERM);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_CHECK_COMMAND), -EPERM);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_CHECK_EVENT), -EPERM);
	CHECK_EQ(kvmi_feature(vm, false, 0, -1), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver,
			  sizeof(ver)), 0);
}

static void test_feature_bad_args(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	struct kvmi_tool tool;

	kvmi_hook(vm, &tool);
	CHECK_EQ(kvmi_feature(vm, false, 2, KVMI_GET_GUEST_INFO), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, false, 1, -2), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, false, 1, KVMI_NUM_MESSAGES), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, false, 1, 40), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, false, 1, KVMI_EVENT_REPLY), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, false, 1, KVMI_EVENT), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 2, KVMI_EVENT_UNHOOK), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 1, -2), -EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 1, KVMI_NUM_EVENTS), -EINVAL);
	/* Defined but not implemented: allowed and denied like the rest. */
	CHECK_EQ(kvmi_feature(vm, false, 1, KVMI_GET_MAP_TOKEN), 0);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_GET_MAP_TOKEN), 0);
	CHECK_EQ(kvmi_feature(vm, true, 1, KVMI_EVENT_CR), 0);
}

static void test_default_permissions(void)
{
	struct kvmi_get_guest_info_reply info;
	struct kvmi_check_command cc = { .id = KVMI_GET_GUEST_INFO };
	struct kvmi_check_event ce = { .id = KVMI_EVENT_UNHOOK };
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	struct kvmi_tool tool;

	kvmi_hook(vm, &tool);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_GUEST_INFO, NULL, 0, &info,
			  sizeof(info)), -KVM_EPERM);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CHECK_COMMAND, &cc, sizeof(cc), NULL, 0),
		 -KVM_EPERM);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CHECK_EVENT, &ce, sizeof(ce), NULL, 0),
		 -KVM_EPERM);
	cc.id = KVMI_CHECK_EVENT;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CHECK_COMMAND, &cc, sizeof(cc), NULL, 0),
		 0);
}

static void test_unhook_not_hooked(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);

	CHECK_EQ(kvmi_unhook(vm), 0);
}

static void test_preunhook_not_enabled(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	struct kvmi_tool tool;

	kvmi_hook(vm, &tool);
	CHECK_EQ(kvmi_preunhook(vm), -ENOENT);
	kvmi_allow_all(vm);
	CHECK_EQ(kvmi_preunhook(vm), -ENOENT);	/* allowed, not enabled */
}

static void set_param(const char *val)
{
	int fd = open("/sys/module/kvmi/parameters/introspection", O_WRONLY);

	CHECK(fd >= 0, "cannot open the module parameter");
	CHECK(write(fd, val, 1) == 1, "cannot write the module parameter");
	close(fd);
}

static void test_param_disabled(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	int sv[2], hook, unhook, cmd, cap;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	set_param("N");
	hook = kvmi_hook_fd(vm, sv[1], 0);
	unhook = kvmi_unhook(vm);
	cmd = kvmi_feature(vm, false, 1, -1);
	cap = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_INTROSPECTION);
	set_param("Y");
	CHECK_EQ(hook, -EPERM);
	CHECK_EQ(unhook, -EPERM);
	CHECK_EQ(cmd, -EPERM);
	CHECK_EQ(cap, 0);
	CHECK_EQ(kvmi_hook_fd(vm, sv[1], 0), 0);
}

static int ctl(unsigned long req, void *arg)
{
	int fd = open("/dev/kvmi", O_RDWR);
	int ret;

	CHECK(fd >= 0, "cannot open /dev/kvmi: %s", strerror(errno));
	ret = ioctl(fd, req, arg);
	ret = ret < 0 ? -errno : ret;
	close(fd);
	return ret;
}

static void test_control_device(void)
{
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	struct kvmi_ctl_hook hook = { .vm_fd = vm->fd };
	struct kvmi_ctl_feature feat = { .vm_fd = vm->fd };
	struct kvmi_ctl_vm cvm = { .vm_fd = vm->fd };
	struct kvmi_get_guest_info_reply info;
	struct kvmi_tool tool = { .seq = 1 };
	int sv[2];

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	hook.hook.fd = sv[1];
	tool.fd = sv[0];

	hook.vm_fd = open("/dev/null", O_RDONLY);	/* not a VM */
	CHECK_EQ(ctl(KVMI_CTL_HOOK, &hook), -EINVAL);
	hook.vm_fd = 1000;
	CHECK_EQ(ctl(KVMI_CTL_HOOK, &hook), -EBADF);
	hook.vm_fd = vm->fd;
	hook.padding = 1;
	CHECK_EQ(ctl(KVMI_CTL_HOOK, &hook), -EINVAL);
	hook.padding = 0;
	CHECK_EQ(ctl(KVMI_CTL_COMMAND, &feat), -EFAULT);
	CHECK_EQ(ctl(KVMI_CTL_HOOK, &hook), 0);
	CHECK_EQ(ctl(KVMI_CTL_HOOK, &hook), -EEXIST);
	feat.feature.allow = 1;
	feat.feature.id = KVMI_GET_GUEST_INFO;
	CHECK_EQ(ctl(KVMI_CTL_COMMAND, &feat), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_GUEST_INFO, NULL, 0, &info,
			  sizeof(info)), 0);
	CHECK_EQ(ctl(KVMI_CTL_PREUNHOOK, &cvm), -ENOENT);
	CHECK_EQ(ctl(KVMI_CTL_UNHOOK, &cvm), 0);
	CHECK(kvmi_wait_eof(&tool, 20000), "socket still open after unhook");
	CHECK_EQ(ctl(_IO(KVMI_CTL_IOC, 0x7f), &cvm), -ENOTTY);
}

/* ---- commands ---- */

static void hooked_vm(struct kvm_vm **vm, struct kvmi_tool *tool)
{
	*vm = new_vm(NULL, NULL, NULL);
	kvmi_hook(*vm, tool);
	kvmi_allow_all(*vm);
}

static void test_get_version(void)
{
	struct kvmi_get_version_reply ver;
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	memset(&ver, 0xff, sizeof(ver));
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver, sizeof(ver)),
		 0);
	CHECK_EQ(ver.version, KVMI_VERSION);
	CHECK_EQ(ver.padding, 0);
	/* single-stepping only (kvmi_debug_test checks it works) */
	CHECK_EQ(ver.features.singlestep, 1);
	ver.features.singlestep = 0;
	CHECK(!memcmp(&ver.features, "\0\0\0\0\0\0\0\0", 8),
	      "features other than singlestep not zero");
}

static void test_unknown_id(void)
{
	struct kvmi_get_version_reply ver;
	char junk[32] = { 1, 2, 3 };
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(kvmi_cmd(&tool, 40, junk, sizeof(junk), NULL, 0),
		 -KVM_ENOSYS);
	CHECK_EQ(kvmi_cmd(&tool, 0xffff, junk, sizeof(junk), NULL, 0),
		 -KVM_ENOSYS);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_EVENT, NULL, 0, NULL, 0), -KVM_ENOSYS);
	/* The payloads were consumed: the stream is still in sync. */
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver, sizeof(ver)),
		 0);
}

static void test_not_implemented(void)
{
	struct kvmi_vcpu_hdr vh = { .vcpu = 0 };
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_DISABLE_VE, &vh, sizeof(vh), NULL, 0),
		 -KVM_EOPNOTSUPP);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_NEXT_AVAILABLE_GFN, NULL, 0, NULL,
			  0), -KVM_EOPNOTSUPP);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_SPP, NULL, 0, NULL, 0),
		 -KVM_EOPNOTSUPP);
	/* Not allowed comes before not implemented. */
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_GET_NEXT_AVAILABLE_GFN), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_NEXT_AVAILABLE_GFN, NULL, 0, NULL,
			  0), -KVM_EPERM);
	/* A disallowed GET_MAP_TOKEN makes no token. */
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_GET_MAP_TOKEN), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_MAP_TOKEN, NULL, 0, NULL, 0),
		 -KVM_EPERM);
}

/* CHECK_COMMAND and CHECK_EVENT share one request layout. */
static int check_id(struct kvmi_tool *tool, uint16_t msg, uint16_t id,
		    uint16_t pad1, uint32_t pad2)
{
	struct kvmi_check_command req = {
		.id = id, .padding1 = pad1, .padding2 = pad2,
	};

	return kvmi_cmd(tool, msg, &req, sizeof(req), NULL, 0);
}

static int check_cmd(struct kvmi_tool *tool, uint16_t id, uint16_t pad1,
		     uint32_t pad2)
{
	return check_id(tool, KVMI_CHECK_COMMAND, id, pad1, pad2);
}

static void test_check_command(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(check_cmd(&tool, KVMI_READ_PHYSICAL, 0, 0), 0);
	CHECK_EQ(check_cmd(&tool, KVMI_DISABLE_VE, 0, 0), -KVM_EOPNOTSUPP);
	CHECK_EQ(check_cmd(&tool, 40, 0, 0), -KVM_EINVAL);
	CHECK_EQ(check_cmd(&tool, 0xffff, 0, 0), -KVM_EINVAL);
	CHECK_EQ(check_cmd(&tool, KVMI_EVENT_REPLY, 0, 0), -KVM_EINVAL);
	CHECK_EQ(check_cmd(&tool, KVMI_READ_PHYSICAL, 1, 0), -KVM_EINVAL);
	CHECK_EQ(check_cmd(&tool, KVMI_READ_PHYSICAL, 0, 1), -KVM_EINVAL);
	CHECK_EQ(kvmi_feature(vm, false, 0, KVMI_READ_PHYSICAL), 0);
	CHECK_EQ(check_cmd(&tool, KVMI_READ_PHYSICAL, 0, 0), -KVM_EPERM);
}

static int check_ev(struct kvmi_tool *tool, uint16_t id, uint16_t pad1,
		    uint32_t pad2)
{
	return check_id(tool, KVMI_CHECK_EVENT, id, pad1, pad2);
}

static void test_check_event(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(check_ev(&tool, KVMI_EVENT_UNHOOK, 0, 0), 0);
	CHECK_EQ(check_ev(&tool, KVMI_EVENT_CMD_ERROR, 0, 0), 0);
	CHECK_EQ(check_ev(&tool, KVMI_EVENT_CPUID, 0, 0), -KVM_EOPNOTSUPP);
	CHECK_EQ(check_ev(&tool, KVMI_NUM_EVENTS, 0, 0), -KVM_EINVAL);
	CHECK_EQ(check_ev(&tool, 0xffff, 0, 0), -KVM_EINVAL);
	CHECK_EQ(check_ev(&tool, KVMI_EVENT_UNHOOK, 1, 0), -KVM_EINVAL);
	CHECK_EQ(check_ev(&tool, KVMI_EVENT_UNHOOK, 0, 1), -KVM_EINVAL);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_UNHOOK), 0);
	CHECK_EQ(check_ev(&tool, KVMI_EVENT_UNHOOK, 0, 0), -KVM_EPERM);
}

static void test_get_guest_info(void)
{
	struct kvmi_get_guest_info_reply info;
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	memset(&info, 0xff, sizeof(info));
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_GUEST_INFO, NULL, 0, &info,
			  sizeof(info)), 0);
	CHECK_EQ(info.vcpu_count, 1);
	vm_vcpu_add(vm, 1, guest_code);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_GUEST_INFO, NULL, 0, &info,
			  sizeof(info)), 0);
	CHECK_EQ(info.vcpu_count, 2);
}

static int control_vm_events(struct kvmi_tool *tool, uint16_t id,
			     uint8_t enable, uint8_t pad1, uint32_t pad2)
{
	struct kvmi_control_vm_events req = {
		.event_id = id, .enable = enable,
		.padding1 = pad1, .padding2 = pad2,
	};

	return kvmi_cmd(tool, KVMI_CONTROL_VM_EVENTS, &req, sizeof(req),
			NULL, 0);
}

static void test_control_vm_events(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 1, 0, 0), 0);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 0, 0, 0), 0);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 2, 0, 0),
		 -KVM_EINVAL);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_CR, 1, 0, 0),
		 -KVM_EINVAL);
	CHECK_EQ(control_vm_events(&tool, 0xffff, 1, 0, 0), -KVM_EINVAL);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 1, 1, 0),
		 -KVM_EINVAL);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 1, 0, 1),
		 -KVM_EINVAL);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_CREATE_VCPU, 1, 0, 0), 0);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_UNHOOK), 0);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 1, 0, 0),
		 -KVM_EPERM);
}

static int read_phys(struct kvmi_tool *tool, uint64_t gpa, uint64_t size,
		     void *buf)
{
	struct kvmi_read_physical req = { .gpa = gpa, .size = size };

	return kvmi_cmd(tool, KVMI_READ_PHYSICAL, &req, sizeof(req), buf,
			size);
}

static int write_phys(struct kvmi_tool *tool, uint64_t gpa, uint64_t size,
		      const void *data)
{
	struct {
		struct kvmi_write_physical req;
		char data[4096];
	} msg = { .req = { .gpa = gpa, .size = size } };

	memcpy(msg.data, data, size > 4096 ? 4096 : size);
	return kvmi_cmd(tool, KVMI_WRITE_PHYSICAL, &msg,
			sizeof(msg.req) + (size > 4096 ? 4096 : size),
			NULL, 0);
}

static void test_read_write_physical(void)
{
	unsigned char buf[4096], pattern[4096];
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	vm_paddr_t gpa;
	void *hva;
	int i;

	vm = new_vm(&vcpu, &gpa, &hva);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);

	for (i = 0; i < 4096; i++)
		pattern[i] = i * 7 + 3;
	memcpy(hva, pattern, 4096);
	CHECK_EQ(read_phys(&tool, gpa, 4096, buf), 0);
	CHECK(!memcmp(buf, pattern, 4096), "READ_PHYSICAL differs");
	CHECK_EQ(read_phys(&tool, gpa + 100, 10, buf), 0);
	CHECK(!memcmp(buf, pattern + 100, 10), "partial read differs");

	for (i = 0; i < 4096; i++)
		pattern[i] = 255 - i;
	CHECK_EQ(write_phys(&tool, gpa, 4096, pattern), 0);
	CHECK(!memcmp(hva, pattern, 4096), "WRITE_PHYSICAL not in memory");
	memset(buf, 'k', 96);
	CHECK_EQ(write_phys(&tool, gpa + 4000, 96, buf), 0);
	CHECK(!memcmp((char *)hva + 4000, buf, 96),
	      "partial write not in memory");
}

/* A write from the tool shows up in the VMM's dirty log. */
static void test_write_physical_dirty_log(void)
{
	static unsigned long bitmap[8192];
	uint64_t val = 0x1234;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	vm_paddr_t gpa;
	uint64_t gfn;

	vm = new_vm(NULL, &gpa, NULL);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	gfn = gpa >> 12;
	CHECK(gfn < sizeof(bitmap) * 8, "test gfn %llu too high",
	      (unsigned long long)gfn);

	vm_mem_region_set_flags(vm, 0, KVM_MEM_LOG_DIRTY_PAGES);
	kvm_vm_get_dirty_log(vm, 0, bitmap);	/* start from a clean log */
	CHECK_EQ(write_phys(&tool, gpa, sizeof(val), &val), 0);
	memset(bitmap, 0, sizeof(bitmap));
	kvm_vm_get_dirty_log(vm, 0, bitmap);
	CHECK(bitmap[gfn / 64] & (1ul << (gfn % 64)),
	      "gfn %llu not in the dirty log", (unsigned long long)gfn);
}

static void test_physical_bad_input(void)
{
	struct kvmi_get_max_gfn_reply max;
	unsigned char buf[4096] = { 0 };
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	vm_paddr_t gpa;

	vm = new_vm(NULL, &gpa, NULL);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);

	CHECK_EQ(read_phys(&tool, gpa, 0, buf), -KVM_EINVAL);
	CHECK_EQ(write_phys(&tool, gpa, 0, buf), -KVM_EINVAL);
	CHECK_EQ(read_phys(&tool, gpa + 1, 4096, buf), -KVM_EINVAL);
	CHECK_EQ(write_phys(&tool, gpa + 4095, 2, buf), -KVM_EINVAL);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_MAX_GFN, NULL, 0, &max, sizeof(max)),
		 0);
	CHECK_EQ(read_phys(&tool, max.gfn << 12, 8, buf), -KVM_ENOENT);
	CHECK_EQ(write_phys(&tool, max.gfn << 12, 8, buf), -KVM_ENOENT);
	CHECK_EQ(read_phys(&tool, (max.gfn - 1) << 12, 8, buf), 0);
	/* A body of size 0: gpa 0, size 0. */
	CHECK_EQ(kvmi_cmd(&tool, KVMI_READ_PHYSICAL, NULL, 0, buf, 0),
		 -KVM_EINVAL);
}

static void test_get_max_gfn(void)
{
	struct kvmi_get_max_gfn_reply max;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	vm_paddr_t gpa;

	vm = new_vm(NULL, &gpa, NULL);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_MAX_GFN, NULL, 0, &max, sizeof(max)),
		 0);
	CHECK(max.gfn > (gpa >> 12), "max gfn %llu <= test gfn %llu",
	      (unsigned long long)max.gfn, (unsigned long long)(gpa >> 12));
}

static void *vcpu_thread(void *arg)
{
	run_until(arg, UCALL_DONE);
	return NULL;
}

static void test_write_while_running(void)
{
	uint64_t magic = MAGIC;
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	pthread_t thread;
	vm_paddr_t gpa;

	vm = new_vm(&vcpu, &gpa, NULL);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	run_until(vcpu, UCALL_SYNC);	/* the guest is about to spin */
	pthread_create(&thread, NULL, vcpu_thread, vcpu);
	usleep(100000);
	CHECK_EQ(write_phys(&tool, gpa, sizeof(magic), &magic), 0);
	pthread_join(thread, NULL);	/* returns once the guest saw it */
}

static void test_short_and_long_bodies(void)
{
	struct {
		struct kvmi_check_command req;
		char extra[24];
	} longer = { .req = { .id = KVMI_READ_PHYSICAL } };
	uint16_t shorter = KVMI_DISABLE_VE;
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	memset(longer.extra, 0x5a, sizeof(longer.extra));
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CHECK_COMMAND, &shorter, sizeof(shorter),
			  NULL, 0), -KVM_EOPNOTSUPP);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CHECK_COMMAND, &longer, sizeof(longer),
			  NULL, 0), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CHECK_COMMAND, NULL, 0, NULL, 0),
		 -KVM_EINVAL);	/* id 0 is not a command */
}

static int cmd_response(struct kvmi_tool *tool, uint8_t enable, uint8_t now,
			uint8_t flags)
{
	struct kvmi_control_cmd_response req = {
		.enable = enable, .now = now, .flags = flags,
	};

	return kvmi_cmd(tool, KVMI_CONTROL_CMD_RESPONSE, &req, sizeof(req),
			NULL, 0);
}

static void test_replies_off(void)
{
	struct kvmi_control_cmd_response off = { .enable = 0, .now = 1 };
	struct kvmi_control_cmd_response on = { .enable = 1, .now = 1 };
	struct kvmi_check_command cc = { .id = KVMI_READ_PHYSICAL };
	struct kvmi_check_command bad = { .id = 40 };
	struct {
		struct kvmi_error_code ec;
	} r;
	struct kvmi_msg_hdr hdr;
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(cmd_response(&tool, 2, 1, 0), -KVM_EINVAL);
	CHECK_EQ(cmd_response(&tool, 1, 2, 0), -KVM_EINVAL);
	CHECK_EQ(cmd_response(&tool, 1, 1, 2), -KVM_EINVAL);

	/* Off now: neither this command nor the next ones are answered. */
	kvmi_send(&tool, KVMI_CONTROL_CMD_RESPONSE, 1, &off, sizeof(off));
	kvmi_send(&tool, KVMI_CHECK_COMMAND, 2, &cc, sizeof(cc));
	kvmi_send(&tool, KVMI_CHECK_COMMAND, 3, &bad, sizeof(bad));
	/* On now: this one is answered, and it is the first reply. */
	kvmi_send(&tool, KVMI_CONTROL_CMD_RESPONSE, 4, &on, sizeof(on));
	CHECK(!kvmi_recv(&tool, &hdr, &r, sizeof(r), 20000), "no reply");
	CHECK_EQ(hdr.seq, 4);
	CHECK_EQ(r.ec.err, 0);

	/* Off from the next command: this one is still answered. */
	off.now = 0;
	CHECK_EQ(kvmi_cmd(&tool, KVMI_CONTROL_CMD_RESPONSE, &off, sizeof(off),
			  NULL, 0), 0);
	/* ...and on again, not answered (replies were off for it). */
	on.now = 0;
	kvmi_send(&tool, KVMI_CONTROL_CMD_RESPONSE, 5, &on, sizeof(on));
	CHECK_EQ(check_cmd(&tool, KVMI_READ_PHYSICAL, 0, 0), 0);
}

static void test_replies_off_error_events(void)
{
	struct kvmi_control_cmd_response off = {
		.enable = 0, .now = 1, .flags = KVMI_CMD_RESPONSE_ERROR_EVENTS,
	};
	struct kvmi_check_command bad = { .id = 40 };
	struct {
		struct kvmi_event ev;
		struct kvmi_event_cmd_error err;
	} e;
	struct kvmi_msg_hdr hdr;
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(kvmi_feature(vm, true, 0, KVMI_EVENT_CMD_ERROR), 0);
	CHECK_EQ(cmd_response(&tool, 0, 1, KVMI_CMD_RESPONSE_ERROR_EVENTS),
		 -KVM_EPERM);
	CHECK_EQ(kvmi_feature(vm, true, 1, KVMI_EVENT_CMD_ERROR), 0);

	kvmi_send(&tool, KVMI_CONTROL_CMD_RESPONSE, 1, &off, sizeof(off));
	kvmi_send(&tool, KVMI_CHECK_COMMAND, 77, &bad, sizeof(bad));
	CHECK(!kvmi_recv(&tool, &hdr, &e, sizeof(e), 20000), "no event");
	CHECK_EQ(hdr.id, KVMI_EVENT);
	CHECK_EQ(hdr.size, sizeof(e));
	CHECK_EQ(e.ev.size, sizeof(e.ev));
	CHECK_EQ(e.ev.event, KVMI_EVENT_CMD_ERROR);
	CHECK_EQ(e.err.err, -KVM_EINVAL);
	CHECK_EQ(e.err.msg_seq, 77);
	CHECK_EQ(e.err.msg_id, KVMI_CHECK_COMMAND);

	/* A command whose reply carries data cannot be answered: closed. */
	kvmi_send(&tool, KVMI_GET_VERSION, 78, NULL, 0);
	CHECK(kvmi_wait_eof(&tool, 20000), "socket not closed");
}

/* ---- framing errors end the session; the VM runs on ---- */

static void framing_error(const void *raw, size_t len)
{
	uint64_t magic = MAGIC;
	struct kvm_vcpu *vcpu;
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	void *hva;

	vm = new_vm(&vcpu, NULL, &hva);
	kvmi_hook(vm, &tool);
	kvmi_allow_all(vm);
	CHECK(write(tool.fd, raw, len) == (ssize_t)len, "write");
	CHECK(kvmi_wait_eof(&tool, 20000), "socket not closed");
	CHECK(kvmi_wait_hooked(0, 20000), "VM still hooked");
	run_until(vcpu, UCALL_SYNC);
	memcpy(hva, &magic, sizeof(magic));
	run_until(vcpu, UCALL_DONE);
}

static void test_oversized_message(void)
{
	struct kvmi_msg_hdr hdr = { .id = KVMI_GET_VERSION,
				    .size = KVMI_MSG_SIZE + 1 };

	framing_error(&hdr, sizeof(hdr));
}

static void test_stray_event_reply(void)
{
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_vcpu_hdr vh;
		struct kvmi_event_reply r;
	} msg = { .hdr = { .id = KVMI_EVENT_REPLY, .size = 16, .seq = 9 } };

	framing_error(&msg, sizeof(msg));
}

static void test_write_physical_short_data(void)
{
	struct {
		struct kvmi_msg_hdr hdr;
		struct kvmi_write_physical req;
		char data[10];
	} msg = {
		.hdr = { .id = KVMI_WRITE_PHYSICAL, .size = 26, .seq = 9 },
		.req = { .gpa = 0, .size = 100 },
	};

	framing_error(&msg, sizeof(msg));
}

/* ---- how sessions end ---- */

static void test_unhook_ioctl(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(kvmi_unhook(vm), 0);
	CHECK(kvmi_wait_eof(&tool, 20000), "socket still open");
	CHECK_EQ(kvmi_debugfs_count("hooked"), 0);
	kvmi_hook(vm, &tool);		/* a new session is possible */
}

static void test_tool_closes(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	close(tool.fd);
	CHECK(kvmi_wait_hooked(0, 20000), "VM still hooked");
	kvmi_hook(vm, &tool);
}

/* The tool process dies: its socket closes with it. */
static void test_tool_killed(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	pid_t pid;
	int status;

	hooked_vm(&vm, &tool);
	pid = fork();
	if (!pid) {
		for (;;)
			pause();	/* holds the tool's end, like a tool */
	}
	close(tool.fd);			/* the child has the only copy now */
	usleep(100000);
	CHECK_EQ(kvmi_debugfs_count("hooked"), 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(kvmi_wait_hooked(0, 20000), "VM still hooked");
	kvmi_hook(vm, &tool);
}

static void test_preunhook(void)
{
	struct kvmi_event ev;
	struct kvmi_msg_hdr hdr;
	struct kvmi_tool tool;
	struct kvm_vm *vm;

	hooked_vm(&vm, &tool);
	CHECK_EQ(control_vm_events(&tool, KVMI_EVENT_UNHOOK, 1, 0, 0), 0);
	CHECK_EQ(kvmi_preunhook(vm), 0);
	CHECK(!kvmi_recv(&tool, &hdr, &ev, sizeof(ev), 20000), "no event");
	CHECK_EQ(hdr.id, KVMI_EVENT);
	CHECK_EQ(hdr.size, sizeof(ev));
	CHECK(hdr.seq != 0, "event seq 0");
	CHECK_EQ(ev.size, sizeof(ev));
	CHECK_EQ(ev.event, KVMI_EVENT_UNHOOK);
	CHECK_EQ(ev.vcpu, 0);
	close(tool.fd);
	CHECK(kvmi_wait_hooked(0, 20000), "VM still hooked");
	CHECK_EQ(kvmi_unhook(vm), 0);
}

static void test_vm_destroyed(void)
{
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	/* Earlier cases' contexts are freed by a work item: let them go. */
	CHECK(kvmi_wait_count("contexts", 0, 20000), "contexts left: %d",
	      kvmi_debugfs_count("contexts"));

	hooked_vm(&vm, &tool);
	kvm_vm_free(vm);
	CHECK(kvmi_wait_eof(&tool, 20000), "socket still open");
	CHECK(kvmi_wait_hooked(0, 20000), "VM still hooked");
	CHECK(kvmi_wait_count("contexts", 0, 20000), "contexts left: %d",
	      kvmi_debugfs_count("contexts"));
}

static void set_send_timeout(const char *secs)
{
	int fd = open("/sys/module/kvmi/parameters/send_timeout", O_WRONLY);

	CHECK(fd >= 0, "cannot open send_timeout");
	CHECK(write(fd, secs, strlen(secs)) == (ssize_t)strlen(secs),
	      "cannot write send_timeout");
	close(fd);
}

/* A tool that stops reading: kvmi's sends time out and the session ends. */
static void test_tool_stops_reading(void)
{
	struct kvmi_msg_hdr hdr = { .id = KVMI_GET_VERSION };
	struct kvmi_tool tool;
	struct kvm_vm *vm;
	int i;

	vm = new_vm(NULL, NULL, NULL);
	set_send_timeout("1");
	kvmi_hook(vm, &tool);
	set_send_timeout("15");
	fcntl(tool.fd, F_SETFL, O_NONBLOCK);
	/*
	 * Keep both directions full (never read a reply) until kvmi gives
	 * up on its blocked send, for at most 10 s.
	 */
	for (i = 0; i < 1000; i++) {
		while (send(tool.fd, &hdr, sizeof(hdr), MSG_NOSIGNAL) > 0)
			hdr.seq++;
		CHECK(errno == EAGAIN || errno == EPIPE || errno == ECONNRESET,
		      "send: %s", strerror(errno));
		if (kvmi_debugfs_count("hooked") == 0)
			break;
		usleep(10000);
	}
	CHECK_EQ(kvmi_debugfs_count("hooked"), 0);
}

static void test_hook_unhook_cycles(void)
{
	struct kvmi_get_version_reply ver;
	struct kvmi_tool tool;
	struct kvm_vm *vm = new_vm(NULL, NULL, NULL);
	int i;

	for (i = 0; i < 100; i++) {
		kvmi_hook(vm, &tool);
		CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_VERSION, NULL, 0, &ver,
				  sizeof(ver)), 0);
		CHECK_EQ(kvmi_unhook(vm), 0);
		CHECK(kvmi_wait_eof(&tool, 20000), "cycle %d: still open", i);
		close(tool.fd);
	}
	CHECK_EQ(kvmi_debugfs_count("hooked"), 0);
}

#define T(name) { #name, test_##name }

static const struct kvmi_test tests[] = {
	T(capability),
	T(efault_before_hook),
	T(hook_bad_fd),
	T(hook_padding),
	T(hook_twice),
	T(deny_always_allowed),
	T(feature_bad_args),
	T(default_permissions),
	T(unhook_not_hooked),
	T(preunhook_not_enabled),
	T(param_disabled),
	T(control_device),
	T(get_version),
	T(unknown_id),
	T(not_implemented),
	T(check_command),
	T(check_event),
	T(get_guest_info),
	T(control_vm_events),
	T(read_write_physical),
	T(write_physical_dirty_log),
	T(physical_bad_input),
	T(get_max_gfn),
	T(write_while_running),
	T(short_and_long_bodies),
	T(replies_off),
	T(replies_off_error_events),
	T(oversized_message),
	T(stray_event_reply),
	T(write_physical_short_data),
	T(unhook_ioctl),
	T(tool_closes),
	T(tool_killed),
	T(preunhook),
	T(vm_destroyed),
	T(tool_stops_reading),
	T(hook_unhook_cycles),
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
