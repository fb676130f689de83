// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi: VM introspection for the unmodified KVM of distribution kernels.
 *
 * This file only sequences the subsystems' init and exit.
 */
#include <linux/module.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"

static int __init kvmi_init(void)
{
	int ret;

	ret = kvmi_vms_init();
	if (ret)
		return ret;

	ret = kvmi_hooks_init();
	if (ret)
		goto out_vms;

	ret = kvmi_control_init();
	if (ret)
		goto out_hooks;

	ret = kvmi_debugfs_init();
	if (ret)
		goto out_control;

	pr_info("kvmi: loaded, KVM hooks armed\n");
	return 0;

out_control:
	kvmi_control_exit();
out_hooks:
	kvmi_hooks_exit();
out_vms:
	kvmi_vms_exit();
	return ret;
}

/*
 * Unload ends every introspection session: first no new request can
 * arrive (control device gone, hooks removed and drained), then every
 * hooked VM is unhooked; the VMs keep running.
 */
static void __exit kvmi_exit(void)
{
	kvmi_debugfs_exit();
	kvmi_control_exit();
	kvmi_hooks_exit();
	kvmi_vms_exit();
	pr_info("kvmi: unloaded, KVM hooks removed\n");
}

module_init(kvmi_init);
module_exit(kvmi_exit);

MODULE_DESCRIPTION("VM introspection (KVMI) for stock KVM");
MODULE_LICENSE("GPL");
