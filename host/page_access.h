/* SPDX-License-Identifier: GPL-2.0-only */
/* Page access restrictions of a hooked VM (page_access.c). */
#ifndef KVMI_PAGE_ACCESS_H
#define KVMI_PAGE_ACCESS_H

#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "gfn_map.h"

struct kvmi_msg_hdr;
struct kvmi_track;
struct kvmi_vcpu;
struct kvmi_vm;

/* gfns of a VM open at once for vCPUs that step over an access. */
#define KVMI_MAX_OPEN	8

/**
 * struct kvmi_pages - a VM's page access restrictions
 * @lock: serialises changes (commands, memory slots going away, teardown)
 * @denied: gfn -> the KVMI_PAGE_ACCESS_* bits denied (0: unrestricted)
 * @track: kvmi's write-tracking notifier, from the first restriction on
 * @stopped: the session ended: nothing opens any more (under @lock)
 * @open_lock: protects @open and @nr_open, which @lock also serialises
 *	       the changes of (KVM's MMU reads them without sleeping)
 * @nr_open: used entries of @open (read locklessly to skip the search)
 * @open: gfns open for vCPUs stepping over an access (page_step.c): the
 *	  access bits allowed although denied, 0 for a free entry
 */
struct kvmi_pages {
	struct mutex lock;	/* see above */
	struct kvmi_gfn_map denied;
	struct kvmi_track *track;
	bool stopped;
	spinlock_t open_lock;	/* see above */
	unsigned int nr_open;
	struct {
		u64 gfn;
		u8 bits;
		struct kvmi_vcpu *owner;
	} open[KVMI_MAX_OPEN];
};

void kvmi_pages_init(struct kvmi_pages *p);
void kvmi_pages_stop(struct kvmi_vm *vm);
int kvmi_pages_track_slots(struct kvmi_vm *vm);
int kvmi_cmd_set_page_access(struct kvmi_vm *vm,
			     const struct kvmi_msg_hdr *hdr, const void *req);
int kvmi_cmd_get_page_access(struct kvmi_vm *vm,
			     const struct kvmi_msg_hdr *hdr, const void *req);

/* Stepping over a restricted access (page_step.c). */
u8 kvmi_pages_open_bits(struct kvmi_pages *p, u64 gfn);
bool kvmi_step_over(struct kvmi_vcpu *kv, u64 gfn, u8 bits);
bool kvmi_step_over_done(struct kvmi_vcpu *kv);
void kvmi_step_over_reset(struct kvmi_vcpu *kv);
void kvmi_pages_close_all(struct kvmi_vm *vm);

#endif /* KVMI_PAGE_ACCESS_H */
