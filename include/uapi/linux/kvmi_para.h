/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Hypercalls between an introspector VM and the host (kvmi.ko).
 *
 * An introspector VM's kernel (guest/kvmmem.ko) asks the host to back one
 * of its guest-physical pages with a page of an introspected VM, naming
 * the page with a token that the introspection tool received from
 * KVMI_GET_MAP_TOKEN.  Calling convention as for KVM's own hypercalls:
 * number in RAX, arguments in RBX, RCX, RDX, result in RAX.
 *
 * Not served yet: until remote mapping lands, KVM answers -KVM_ENOSYS.
 * See Documentation/status.rst.
 */
#ifndef _UAPI_LINUX_KVMI_PARA_H
#define _UAPI_LINUX_KVMI_PARA_H

/*
 * KVM_HC_MEM_MAP: a0 = guest-virtual address of the 32-byte token in the
 * calling kernel, a1 = gpa in the introspected VM, a2 = gpa in the calling
 * VM whose backing is replaced.
 */
#define KVM_HC_MEM_MAP		32
/* KVM_HC_MEM_UNMAP: a0 = the calling VM's gpa given as a2 to MAP. */
#define KVM_HC_MEM_UNMAP	33

#endif /* _UAPI_LINUX_KVMI_PARA_H */
