/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/kvmmem: remote mapping for a tool that runs inside an introspector
 * VM (guest/kvmmem.ko, Documentation/kvmmem.rst).
 *
 * The tool asks that one page of its own address space show a page of an
 * introspected VM.  It names that page by the introspected VM's gpa and a
 * token its KVMI session got from KVMI_GET_MAP_TOKEN; the kernel module
 * pins the tool's page and issues the KVM_HC_MEM_MAP hypercall
 * (<linux/kvmi_para.h>) with the page's guest-physical address.
 *
 * The page must be page-aligned, writable, private anonymous memory that
 * the tool touched (mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE)).
 * The mapping is read-only: what the tool writes to the page does not
 * reach the introspected VM.
 */
#ifndef _UAPI_LINUX_KVMMEM_H
#define _UAPI_LINUX_KVMMEM_H

#include <linux/ioctl.h>
#include <linux/kvmi.h>
#include <linux/types.h>

/* KVM_INTRO_MEM_MAP argument: 48 bytes. */
struct kvmi_mem_map {
	struct kvmi_mem_token token;	/* from KVMI_GET_MAP_TOKEN */
	__u64 gpa;		/* page of the introspected VM */
	__u64 gva;		/* page of the caller that shows it */
};

/* Map one page; the argument points to struct kvmi_mem_map. */
#define KVM_INTRO_MEM_MAP	_IOW('i', 0x01, struct kvmi_mem_map)
/* Unmap one page; the argument is the gva itself, not a pointer. */
#define KVM_INTRO_MEM_UNMAP	_IOW('i', 0x02, unsigned long)

#endif /* _UAPI_LINUX_KVMMEM_H */
