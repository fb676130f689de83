// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi: VM introspection for the unmodified KVM of distribution kernels.
 *
 * This file only sequences the subsystems' init and exit.
 */
#include <linux/module.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "rmap.h"
#include "vcpu.h"

static int __init kvmi_init(void)
{
	int ret;

	ret = kvmi_vms_init();
	if (ret)
		return ret;

	ret = kvmi_rmap_init();
	if (ret)
		goto out_vms;

	ret = kvmi_hooks_init();
	if (ret)
		goto out_rmap;

	ret = kvmi_vcpu_services_init();
	if (ret)
		goto out_hooks;

	ret = kvmi_control_init();
	if (ret)
		goto out_vcpu;

	ret = kvmi_debugfs_init();
	if (ret)
		goto out_control;

	pr_info("kvmi: loaded, KVM hooks armed\n");
	return 0;

out_control:
	kvmi_control_exit();
out_vcpu:
	kvmi_vcpu_services_exit();
out_hooks:
	kvmi_hooks_exit();
out_rmap:
	kvmi_rmap_exit();
out_vms:
	kvmi_vms_exit();
	return ret;
}

/*
 * Unload ends every introspection session; the VMs keep running:
 * 1. the control device goes, then every VM is unhooked and no new hook
 *    is accepted; vCPUs waiting in events are woken and continue;
 * 2. the hooks are removed and drained (no vCPU waits inside one now);
 * 3. the KVM_RUN probe goes, and the vCPU work still running finishes;
 * 4. the introspector marks go and the last remote-mapping pins are
 *    released (every mapping ended with its session in step 1).
 */
static void __exit kvmi_exit(void)
{
	kvmi_debugfs_exit();
	kvmi_control_exit();
	kvmi_vms_shutdown();
	kvmi_hooks_exit();
	kvmi_vcpu_services_exit();
	kvmi_vcpus_exit();
	kvmi_rmap_exit();
	kvmi_vms_exit();
	pr_info("kvmi: unloaded, KVM hooks removed\n");
}

module_init(kvmi_init);
module_exit(kvmi_exit);

MODULE_DESCRIPTION("VM introspection (KVMI) for stock KVM");
MODULE_LICENSE("GPL");
