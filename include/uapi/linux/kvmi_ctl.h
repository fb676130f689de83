/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/kvmi: the control device of kvmi.ko, for device managers.
 *
 * KVM accepts VM ioctls only from the process that created the VM.  A
 * device manager that is not the VMM (for example one that hooks a VM run
 * by an unmodified QEMU) obtains the VM's file descriptor itself (e.g.
 * with pidfd_getfd(2)) and passes it with each request to /dev/kvmi,
 * which is root-only (mode 0600, CAP_SYS_ADMIN).  Each ioctl has the
 * meaning and the errors of the VM ioctl of the same name in
 * <linux/kvmi.h> (see Documentation/kvmi.rst); in addition a vm_fd that
 * is not open gives EBADF and one that is not a KVM VM gives EINVAL.
 */
#ifndef _UAPI_LINUX_KVMI_CTL_H
#define _UAPI_LINUX_KVMI_CTL_H

#include <linux/ioctl.h>
#include <linux/kvmi.h>
#include <linux/types.h>

/*
 * KVM_CHECK_EXTENSION(KVM_CAP_INTROSPECTION), on /dev/kvm or a VM, answers
 * KVMI_VERSION while kvmi.ko is loaded and introspection is enabled, 0
 * otherwise.  The number is kvmi's own, far above mainline's capabilities
 * (238 in 6.12): the KVM-VMI fork's 206 is taken by mainline.
 */
#define KVM_CAP_INTROSPECTION	4302

/* The VM alone: for UNHOOK and PREUNHOOK. */
struct kvmi_ctl_vm {
	__s32 vm_fd;		/* a file descriptor of the VM */
	__u32 padding;		/* must be zero */
};

struct kvmi_ctl_hook {
	__s32 vm_fd;
	__u32 padding;		/* must be zero */
	struct kvm_introspection_hook hook;
};

struct kvmi_ctl_feature {
	__s32 vm_fd;
	__u32 padding;		/* must be zero */
	struct kvm_introspection_feature feature;
};

/*
 * KVMI_CTL_INTROSPECTOR argument: mark a VM as an introspector VM, whose
 * kernel may then issue KVM_HC_MEM_MAP and KVM_HC_MEM_UNMAP
 * (<linux/kvmi_para.h>), or take the mark away (which also undoes every
 * mapping of the VM).  The mark lasts until then or until the VM's file
 * is released.  Unmarked VMs see those hypercalls as KVM does: -KVM_ENOSYS.
 */
struct kvmi_ctl_introspector {
	__s32 vm_fd;		/* a file descriptor of the VM */
	__u32 enable;		/* 1 marks, 0 takes the mark away */
};

#define KVMI_CTL_IOC		0xc1
#define KVMI_CTL_HOOK		_IOW(KVMI_CTL_IOC, 0x01, struct kvmi_ctl_hook)
#define KVMI_CTL_UNHOOK		_IOW(KVMI_CTL_IOC, 0x02, struct kvmi_ctl_vm)
#define KVMI_CTL_COMMAND	_IOW(KVMI_CTL_IOC, 0x03, struct kvmi_ctl_feature)
#define KVMI_CTL_EVENT		_IOW(KVMI_CTL_IOC, 0x04, struct kvmi_ctl_feature)
#define KVMI_CTL_PREUNHOOK	_IOW(KVMI_CTL_IOC, 0x05, struct kvmi_ctl_vm)
#define KVMI_CTL_INTROSPECTOR	_IOW(KVMI_CTL_IOC, 0x06, \
				     struct kvmi_ctl_introspector)

#endif /* _UAPI_LINUX_KVMI_CTL_H */
