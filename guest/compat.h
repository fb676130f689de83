/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only place in kvmmem that tests kernel versions (Debian's 6.1 and
 * 6.12 series).
 */
#ifndef KVMMEM_COMPAT_H
#define KVMMEM_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/* pin_user_pages() lost its vmas argument in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define kvmmem_pin_one(addr, flags, page) \
	pin_user_pages(addr, 1, flags, page)
#else
#define kvmmem_pin_one(addr, flags, page) \
	pin_user_pages(addr, 1, flags, page, NULL)
#endif

#endif /* KVMMEM_COMPAT_H */
