/* SPDX-License-Identifier: GPL-2.0-only */
/* Declarations of every call stub defined in stubs.c (see stub.h). */
#ifndef KVMI_HOOKS_STUBS_H
#define KVMI_HOOKS_STUBS_H

#include "stub.h"
#include "hook_ids.h"

struct module;

KVMI_DECLARE_STUB(kallsyms_lookup_name);
KVMI_DECLARE_STUB(ftrace_location);
KVMI_DECLARE_STUB(__module_address);
unsigned long kvmi_stub_kallsyms_lookup_name(const char *name);
unsigned long kvmi_stub_ftrace_location(unsigned long ip);
struct module *kvmi_stub___module_address(unsigned long addr);

/* kvmi_stub_<symbol>() calls the original <symbol>, past its fentry. */
#define KVMI_HOOK(id, mod, sym, ret, args)				\
	KVMI_DECLARE_STUB(sym);						\
	ret kvmi_stub_##sym args;
#include "hook_list.h"

#endif /* KVMI_HOOKS_STUBS_H */
