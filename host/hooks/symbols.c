// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding KVM's private symbols.
 *
 * kallsyms_lookup_name() is not exported.  A kprobe on it tells its
 * address; from then on it, and every other unexported helper, is called
 * through a stub (stub.h), never through a function pointer: on 6.12 these
 * functions are sealed against indirect calls.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <asm/ibt.h>

#include "stubs.h"
#include "symbols.h"

/* A function's start: a kprobe sits past the ENDBR (or its poison). */
static unsigned long kprobe_to_symbol(unsigned long addr)
{
	u32 insn;

	if (ENDBR_INSN_SIZE &&
	    !get_kernel_nofault(insn, (u32 *)(addr - ENDBR_INSN_SIZE)) &&
	    is_endbr(insn))
		addr -= ENDBR_INSN_SIZE;
	return addr;
}

static unsigned long resolve_by_kprobe(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0) {
		pr_err("kvmi: cannot locate %s (register_kprobe: %d)\n",
		       name, ret);
		return 0;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return kprobe_to_symbol(addr);
}

/**
 * kvmi_symbols_init() - locate the helpers the hooks layer calls
 *
 * Context: module init.
 * Return: 0, or -ENOENT naming the missing symbol in the log.
 */
int kvmi_symbols_init(void)
{
	static const struct {
		const char *name;
		unsigned long *target;
	} helpers[] = {
		{ "ftrace_location", &KVMI_STUB_TARGET(ftrace_location) },
		{ "__module_address", &KVMI_STUB_TARGET(__module_address) },
		{ "task_work_cancel", &KVMI_STUB_TARGET(task_work_cancel) },
		{ "kvm:__get_regs", &KVMI_STUB_TARGET(__get_regs) },
		{ "kvm:__get_sregs", &KVMI_STUB_TARGET(__get_sregs) },
		{ "kvm:__set_regs", &KVMI_STUB_TARGET(__set_regs) },
		{ "kvm:kvm_mmu_gfn_disallow_lpage",
		  &KVMI_STUB_TARGET(kvm_mmu_gfn_disallow_lpage) },
		{ "kvm:kvm_mmu_gfn_allow_lpage",
		  &KVMI_STUB_TARGET(kvm_mmu_gfn_allow_lpage) },
		{ "kvm:kvm_zap_gfn_range", &KVMI_STUB_TARGET(kvm_zap_gfn_range) },
	};
	unsigned long addr;
	int i;

	addr = resolve_by_kprobe("kallsyms_lookup_name");
	if (!addr)
		return -ENOENT;
	KVMI_STUB_TARGET(kallsyms_lookup_name) = addr;

	for (i = 0; i < ARRAY_SIZE(helpers); i++) {
		addr = kvmi_stub_kallsyms_lookup_name(helpers[i].name);
		if (!addr) {
			pr_err("kvmi: cannot resolve %s\n", helpers[i].name);
			return -ENOENT;
		}
		*helpers[i].target = addr;
	}
	return 0;
}

/**
 * kvmi_lookup() - address of a symbol of a loaded module
 * @module: module name, e.g. "kvm"
 * @symbol: symbol name, static symbols included
 *
 * Return: the address, or 0 if the module or the symbol is not loaded.
 */
unsigned long kvmi_lookup(const char *module, const char *symbol)
{
	char name[MODULE_NAME_LEN + KSYM_NAME_LEN + 2];

	if (snprintf(name, sizeof(name), "%s:%s", module, symbol) >=
	    sizeof(name))
		return 0;
	return kvmi_stub_kallsyms_lookup_name(name);
}

/**
 * kvmi_fentry() - the ftrace call site at a function's entry
 * @addr: the function's address (its symbol value)
 *
 * The call site follows the ENDBR on IBT kernels.  Passing the symbol
 * start to ftrace instead can silently pick another record in the same
 * kallsyms range (an orphaned weak body), so the exact site is computed
 * and checked.
 *
 * Return: the call site, or 0 if @addr does not start with one.
 */
unsigned long kvmi_fentry(unsigned long addr)
{
	unsigned long ip = addr;
	u32 insn;

	if (ENDBR_INSN_SIZE && !get_kernel_nofault(insn, (u32 *)addr) &&
	    is_endbr(insn))
		ip += ENDBR_INSN_SIZE;
	return kvmi_stub_ftrace_location(ip) == ip ? ip : 0;
}

/**
 * kvmi_module_of() - the module whose memory holds @addr
 * @addr: an address
 *
 * Context: preemption disabled (the module cannot go away meanwhile).
 * Return: the module, or NULL.
 */
struct module *kvmi_module_of(unsigned long addr)
{
	return kvmi_stub___module_address(addr);
}
