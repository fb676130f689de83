// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KVM vendor module (kvm_amd or kvm_intel).
 *
 * kvmi needs one to be loaded, and keeps a reference on it while kvmi is
 * loaded: if the vendor module went away, ftrace would keep stale
 * addresses in our filters and a reload would leave our vendor hooks
 * unarmed.  Pinning it makes "rmmod kvm_amd" fail with EBUSY instead;
 * unload kvmi first.
 */
#include <linux/module.h>
#include <linux/preempt.h>

#include "symbols.h"

/* A long-lived (non-init) symbol of each vendor module, to find it by. */
static const struct {
	const char *module;
	const char *symbol;
} vendors[] = {
	{ "kvm_amd", "svm_exit_handlers" },
	{ "kvm_intel", "kvm_vmx_exit_handlers" },
};

static struct module *vendor;
static bool vendor_amd;

/**
 * kvmi_vendor_pin() - find the loaded vendor module and take a reference
 *
 * Context: module init.
 * Return: 0, or -ENODEV if no vendor module is loaded.
 */
int kvmi_vendor_pin(void)
{
	unsigned long addr;
	struct module *mod;
	int i;

	for (i = 0; i < ARRAY_SIZE(vendors); i++) {
		addr = kvmi_lookup(vendors[i].module, vendors[i].symbol);
		if (!addr)
			continue;

		preempt_disable();
		mod = kvmi_module_of(addr);
		if (mod && !try_module_get(mod))
			mod = NULL;
		preempt_enable();

		if (mod) {
			vendor = mod;
			vendor_amd = !strcmp(vendors[i].module, "kvm_amd");
			return 0;
		}
	}
	pr_err("kvmi: no KVM vendor module is loaded: load kvm_amd or kvm_intel first\n");
	return -ENODEV;
}

/**
 * kvmi_vendor_unpin() - drop the reference taken by kvmi_vendor_pin()
 */
void kvmi_vendor_unpin(void)
{
	if (vendor)
		module_put(vendor);
	vendor = NULL;
	vendor_amd = false;
}

/**
 * kvmi_vendor_name() - name of the pinned vendor module
 *
 * Return: "kvm_amd", "kvm_intel" or "none".
 */
const char *kvmi_vendor_name(void)
{
	return vendor ? module_name(vendor) : "none";
}

/* Is @addr code of the vendor module (for the MSR intercept hook)? */
bool kvmi_vendor_owns(unsigned long addr)
{
	return vendor && within_module(addr, vendor);
}

bool kvmi_vendor_is_amd(void)
{
	return vendor_amd;
}
