// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every call stub of the hooks layer (see stub.h).  Each is exempt from
 * objtool's stack validation: the push-and-return sequence is deliberate.
 */
#include <linux/objtool.h>

#include "stubs.h"

#define KVMI_STUB(name)							\
	KVMI_DEFINE_STUB(name);						\
	STACK_FRAME_NON_STANDARD(kvmi_stub_##name)

KVMI_STUB(kallsyms_lookup_name);
KVMI_STUB(ftrace_location);
KVMI_STUB(__module_address);
KVMI_STUB(__get_regs);
KVMI_STUB(__get_sregs);
KVMI_STUB(__set_regs);
KVMI_STUB(task_work_cancel);
KVMI_STUB(update_exception_bitmap);
KVMI_STUB(kvm_mmu_gfn_disallow_lpage);
KVMI_STUB(kvm_mmu_gfn_allow_lpage);
KVMI_STUB(kvm_zap_gfn_range);

#define KVMI_HOOK(id, mod, sym, ret, args) KVMI_STUB(sym);
#include "hook_list.h"
