/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Hypercalls between an introspector VM and the host (kvmi.ko).
 *
 * An introspector VM's kernel (guest/kvmmem.ko) asks the host to back one
 * of its guest-physical pages with a page of an introspected VM, naming
 * the page with a token that the introspection tool received from
 * KVMI_GET_MAP_TOKEN.  Calling convention as for KVM's own hypercalls:
 * number in RAX, arguments in RBX, RCX, RDX, result in RAX (0 or a
 * negative KVM_E* code of <linux/kvmi.h>).  Only kernel mode (CPL 0) of
 * a VM that the device manager marked as an introspector VM
 * (KVMI_CTL_INTROSPECTOR) is served; other VMs get KVM's -KVM_ENOSYS.
 * Documentation/kvmmem.rst lists every error.
 */
#ifndef _UAPI_LINUX_KVMI_PARA_H
#define _UAPI_LINUX_KVMI_PARA_H

/*
 * KVM_HC_MEM_MAP: a0 = guest-virtual address of the 32-byte token in the
 * calling kernel, a1 = page-aligned gpa in the introspected VM, a2 =
 * page-aligned gpa in the calling VM whose backing is replaced.
 */
#define KVM_HC_MEM_MAP		32
/* KVM_HC_MEM_UNMAP: a0 = the calling VM's gpa given as a2 to MAP. */
#define KVM_HC_MEM_UNMAP	33

#endif /* _UAPI_LINUX_KVMI_PARA_H */
