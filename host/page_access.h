/* SPDX-License-Identifier: GPL-2.0-only */
/* Page access restrictions of a hooked VM (page_access.c). */
#ifndef KVMI_PAGE_ACCESS_H
#define KVMI_PAGE_ACCESS_H

#include <linux/mutex.h>

#include "gfn_map.h"

struct kvmi_msg_hdr;
struct kvmi_track;
struct kvmi_vm;

/**
 * struct kvmi_pages - a VM's page access restrictions
 * @lock: serialises changes (commands, memory slots going away, teardown)
 * @denied: gfn -> the KVMI_PAGE_ACCESS_* bits denied (0: unrestricted)
 * @track: kvmi's write-tracking notifier, from the first restriction on
 */
struct kvmi_pages {
	struct mutex lock;	/* see above */
	struct kvmi_gfn_map denied;
	struct kvmi_track *track;
};

void kvmi_pages_init(struct kvmi_pages *p);
void kvmi_pages_stop(struct kvmi_vm *vm);
int kvmi_cmd_set_page_access(struct kvmi_vm *vm,
			     const struct kvmi_msg_hdr *hdr, const void *req);
int kvmi_cmd_get_page_access(struct kvmi_vm *vm,
			     const struct kvmi_msg_hdr *hdr, const void *req);

#endif /* KVMI_PAGE_ACCESS_H */
