/* SPDX-License-Identifier: GPL-2.0-only */
/* Ids of the hooks of hook_list.h, and the types their prototypes use. */
#ifndef KVMI_HOOKS_HOOK_IDS_H
#define KVMI_HOOKS_HOOK_IDS_H

#include <linux/kvm_host.h>
#include "compat.h"

enum kvmi_hook_id {
#define KVMI_HOOK(id, mod, sym, ret, args) KVMI_HOOK_##id,
#include "hook_list.h"
	KVMI_NR_HOOKS
};

#endif /* KVMI_HOOKS_HOOK_IDS_H */
