// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device manager's requests: the KVM_INTROSPECTION_* VM ioctls, the
 * same requests through the control device /dev/kvmi, and the
 * introspection capability.
 *
 * Errors follow the KVMI documentation (Documentation/kvmi.rst):
 * EPERM when introspection is disabled by the module parameter, EFAULT
 * for COMMAND/EVENT/PREUNHOOK on a VM that is not hooked, EINVAL for bad
 * arguments, EEXIST for a second HOOK.
 *
 * Only the control device marks introspector VMs (KVMI_CTL_INTROSPECTOR):
 * a VMM cannot give its own VM the right to map other VMs' memory.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/kvmi_ctl.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "proto.h"
#include "rmap.h"

bool kvmi_introspection_enabled = true;
module_param_named(introspection, kvmi_introspection_enabled, bool, 0644);
MODULE_PARM_DESC(introspection,
		 "Accept KVM_INTROSPECTION_* requests (default: Y; N makes them fail with EPERM)");

bool kvmi_cmd_is_always_allowed(unsigned int id)
{
	return id == KVMI_GET_VERSION || id == KVMI_CHECK_COMMAND ||
	       id == KVMI_CHECK_EVENT;
}

static int do_hook(struct kvm *kvm, struct kvm_introspection_hook *hook)
{
	if (!READ_ONCE(kvmi_introspection_enabled))
		return -EPERM;
	if (hook->padding)
		return -EINVAL;
	return kvmi_vm_hook(kvm, hook);
}

static int do_unhook(struct kvm *kvm)
{
	if (!READ_ONCE(kvmi_introspection_enabled))
		return -EPERM;
	kvmi_vm_unhook(kvm, KVMI_UNHOOK_REQUEST);
	return 0;
}

/*
 * Allow or deny one command or event, or all of them (id -1).  Denying
 * all leaves the always-allowed commands allowed; denying one of them by
 * its id is refused.
 */
static int set_feature(struct kvmi_vm *vm,
		       const struct kvm_introspection_feature *feat,
		       bool is_event)
{
	unsigned long *bitmap = is_event ? vm->event_allowed : vm->cmd_allowed;
	unsigned int nbits = is_event ? KVMI_NUM_EVENTS : KVMI_NUM_MESSAGES;
	unsigned int id;

	if (feat->allow > 1 || feat->id < -1)
		return -EINVAL;

	if (feat->id == -1) {
		for (id = 0; id < nbits; id++) {
			if (is_event ? !kvmi_event_is_defined(id) :
				       !kvmi_cmd_is_defined(id))
				continue;
			if (feat->allow)
				set_bit(id, bitmap);
			else if (is_event || !kvmi_cmd_is_always_allowed(id))
				clear_bit(id, bitmap);
		}
		return 0;
	}

	id = feat->id;
	if (is_event ? !kvmi_event_is_defined(id) : !kvmi_cmd_is_defined(id))
		return -EINVAL;
	if (!feat->allow && !is_event && kvmi_cmd_is_always_allowed(id))
		return -EPERM;
	if (feat->allow)
		set_bit(id, bitmap);
	else
		clear_bit(id, bitmap);
	return 0;
}

static int do_feature(struct kvm *kvm,
		      const struct kvm_introspection_feature *feat,
		      bool is_event)
{
	struct kvmi_vm *vm;
	int ret;

	if (!READ_ONCE(kvmi_introspection_enabled))
		return -EPERM;
	vm = kvmi_vm_get(kvm);
	if (!vm)
		return -EFAULT;
	ret = set_feature(vm, feat, is_event);
	kvmi_vm_put(vm);
	return ret;
}

static int do_preunhook(struct kvm *kvm)
{
	struct kvmi_vm *vm;
	int ret;

	if (!READ_ONCE(kvmi_introspection_enabled))
		return -EPERM;
	vm = kvmi_vm_get(kvm);
	if (!vm)
		return -EFAULT;
	ret = kvmi_send_unhook_event(vm);
	kvmi_vm_put(vm);
	return ret;
}

bool kvmi_on_vm_ioctl(struct kvm *kvm, unsigned int ioctl, unsigned long arg,
		      long *ret)
{
	void __user *argp = (void __user *)arg;
	struct kvm_introspection_feature feat;
	struct kvm_introspection_hook hook;

	switch (ioctl) {
	case KVM_INTROSPECTION_HOOK:
		if (copy_from_user(&hook, argp, sizeof(hook)))
			*ret = -EFAULT;
		else
			*ret = do_hook(kvm, &hook);
		return true;
	case KVM_INTROSPECTION_UNHOOK:
		*ret = do_unhook(kvm);
		return true;
	case KVM_INTROSPECTION_COMMAND:
	case KVM_INTROSPECTION_EVENT:
		if (copy_from_user(&feat, argp, sizeof(feat)))
			*ret = -EFAULT;
		else
			*ret = do_feature(kvm, &feat,
					  ioctl == KVM_INTROSPECTION_EVENT);
		return true;
	case KVM_INTROSPECTION_PREUNHOOK:
		*ret = do_preunhook(kvm);
		return true;
	}
	return false;
}

bool kvmi_on_check_extension(struct kvm *kvm, long ext, int *ret)
{
	if (ext != KVM_CAP_INTROSPECTION)
		return false;
	*ret = READ_ONCE(kvmi_introspection_enabled) ? KVMI_VERSION : 0;
	return true;
}

static int do_mark(struct kvm *kvm, const struct kvmi_ctl_introspector *req)
{
	if (!READ_ONCE(kvmi_introspection_enabled))
		return -EPERM;
	if (req->enable > 1)
		return -EINVAL;
	return kvmi_rmap_mark(kvm, req->enable);
}

/*
 * /dev/kvmi.  The caller names the VM by a file descriptor of its own;
 * the file's reference is held for the duration of the request only.
 */
static long ctl_with_vm(int vm_fd, u32 padding, unsigned int ioctl,
			void *req)
{
	struct file *file;
	struct kvm *kvm;
	long ret;

	if (padding)
		return -EINVAL;
	file = fget(vm_fd);
	if (!file)
		return -EBADF;
	kvm = kvmi_kvm_from_file(file);
	if (!kvm) {
		ret = -EINVAL;
		goto out;
	}

	switch (ioctl) {
	case KVMI_CTL_HOOK:
		ret = do_hook(kvm, req);
		break;
	case KVMI_CTL_UNHOOK:
		ret = do_unhook(kvm);
		break;
	case KVMI_CTL_COMMAND:
	case KVMI_CTL_EVENT:
		ret = do_feature(kvm, req, ioctl == KVMI_CTL_EVENT);
		break;
	case KVMI_CTL_INTROSPECTOR:
		ret = do_mark(kvm, req);
		break;
	default:
		ret = do_preunhook(kvm);
		break;
	}
out:
	fput(file);
	return ret;
}

static long ctl_ioctl(struct file *file, unsigned int ioctl, unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	union {
		struct kvmi_ctl_vm vm;
		struct kvmi_ctl_hook hook;
		struct kvmi_ctl_feature feature;
		struct kvmi_ctl_introspector mark;
	} u;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (_IOC_SIZE(ioctl) > sizeof(u))
		return -ENOTTY;

	switch (ioctl) {
	case KVMI_CTL_HOOK:
		if (copy_from_user(&u.hook, argp, sizeof(u.hook)))
			return -EFAULT;
		return ctl_with_vm(u.hook.vm_fd, u.hook.padding, ioctl,
				   &u.hook.hook);
	case KVMI_CTL_COMMAND:
	case KVMI_CTL_EVENT:
		if (copy_from_user(&u.feature, argp, sizeof(u.feature)))
			return -EFAULT;
		return ctl_with_vm(u.feature.vm_fd, u.feature.padding, ioctl,
				   &u.feature.feature);
	case KVMI_CTL_INTROSPECTOR:
		if (copy_from_user(&u.mark, argp, sizeof(u.mark)))
			return -EFAULT;
		return ctl_with_vm(u.mark.vm_fd, 0, ioctl, &u.mark);
	case KVMI_CTL_UNHOOK:
	case KVMI_CTL_PREUNHOOK:
		if (copy_from_user(&u.vm, argp, sizeof(u.vm)))
			return -EFAULT;
		return ctl_with_vm(u.vm.vm_fd, u.vm.padding, ioctl, NULL);
	}
	return -ENOTTY;
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi",
	.fops = &ctl_fops,
	.mode = 0600,
};

int kvmi_control_init(void)
{
	return misc_register(&ctl_dev);
}

void kvmi_control_exit(void)
{
	misc_deregister(&ctl_dev);
}
