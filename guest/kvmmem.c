// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmmem: /dev/kvmmem, remote mapping for a tool in an introspector VM.
 *
 * Usage contract (Documentation/kvmmem.rst): a root process opens
 * /dev/kvmmem and asks, by ioctl, for one of its own pages to be backed by
 * a page of the introspected VM, naming it with a token that the tool got
 * from KVMI_GET_MAP_TOKEN.  The module pins the local page and issues the
 * KVM_HC_MEM_MAP / KVM_HC_MEM_UNMAP hypercalls to the host.
 *
 * So far only the device exists: it accepts no ioctl (ENOTTY).  The
 * mapping ioctls land with issue 8.  The module only makes sense in a KVM
 * guest, and refuses to load anywhere else.
 */
#include <linux/fs.h>
#include <linux/kvm_para.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static long kvmmem_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations kvmmem_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kvmmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kvmmem_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmmem",
	.fops = &kvmmem_fops,
	.mode = 0600,
};

static int __init kvmmem_init(void)
{
	int ret;

	if (!kvm_para_available()) {
		pr_err("kvmmem: KVM paravirtual interface not available: load kvmmem inside a KVM guest\n");
		return -ENODEV;
	}

	ret = misc_register(&kvmmem_dev);
	if (ret) {
		pr_err("kvmmem: cannot register /dev/kvmmem: %d\n", ret);
		return ret;
	}
	return 0;
}

static void __exit kvmmem_exit(void)
{
	misc_deregister(&kvmmem_dev);
}

module_init(kvmmem_init);
module_exit(kvmmem_exit);

MODULE_DESCRIPTION("Map pages of an introspected VM into an introspector VM");
MODULE_LICENSE("GPL");
