/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * KVM introspection (KVMI) wire ABI: the x86 part.
 *
 * Included by <linux/kvmi.h>; see there and Documentation/kvmi.rst.  These
 * are the structures whose contents depend on the architecture: the vCPU
 * state sent with every event, register and CPUID access, XSAVE and XCR
 * access, MTRR types, and the payloads of the control register, MSR,
 * exception and descriptor-table events.  Register sets reuse KVM's own
 * struct kvm_regs, kvm_sregs and kvm_msrs from <linux/kvm.h>, so their
 * layout is the one of the running kernel's KVM_GET_REGS & co.
 *
 * All integers are in the host's byte order.  Every field named padding*
 * must be sent as zero.
 */
#ifndef _UAPI_ASM_X86_KVMI_H
#define _UAPI_ASM_X86_KVMI_H

#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/kvm.h>

/*
 * Optional hardware-assisted features, in the reply to KVMI_GET_VERSION.
 * A non-zero byte means the feature can be used.
 */
struct kvmi_features {
	__u8 spp;		/* sub-page write protection (SPP) */
	__u8 vmfunc;		/* VMFUNC in the guest (EPTP switching) */
	__u8 eptp;		/* several EPT views per VM */
	__u8 ve;		/* virtualization exceptions (#VE) */
	__u8 singlestep;	/* KVMI_VCPU_CONTROL_SINGLESTEP */
	__u8 padding[3];
};

/*
 * The state of the vCPU that sent an event, part of every struct kvmi_event.
 */
struct kvmi_event_arch {
	__u8 mode;		/* operand size in bytes: 2, 4 or 8 */
	__u8 padding1;
	__u16 view;		/* EPT view the vCPU runs in (0 = default) */
	__u8 padding2[4];
	struct kvm_regs regs;	/* general purpose registers, rip, rflags */
	struct kvm_sregs sregs;	/* segments, descriptor tables, cr*, efer */
	struct {
		__u64 sysenter_cs;	/* MSR_IA32_SYSENTER_CS */
		__u64 sysenter_esp;	/* MSR_IA32_SYSENTER_ESP */
		__u64 sysenter_eip;	/* MSR_IA32_SYSENTER_EIP */
		__u64 efer;		/* MSR_EFER */
		__u64 star;		/* MSR_STAR */
		__u64 lstar;		/* MSR_LSTAR */
		__u64 cstar;		/* MSR_CSTAR */
		__u64 pat;		/* MSR_IA32_CR_PAT */
		__u64 shadow_gs;	/* MSR_KERNEL_GS_BASE */
	} msrs;			/* MSRs a tool usually needs at every event */
};

/*
 * KVMI_GET_REGISTERS request, after struct kvmi_vcpu_hdr: the indices of
 * the MSRs to read besides the general and special registers.
 */
struct kvmi_get_registers {
	__u16 nmsrs;		/* number of entries in msrs_idx */
	__u16 padding1;
	__u32 padding2;
	__u32 msrs_idx[];	/* MSR indices */
};

/*
 * KVMI_GET_REGISTERS reply.  msrs.entries holds one struct kvm_msr_entry
 * per requested index, in the order of the request, so the reply data is
 * sizeof(struct kvmi_get_registers_reply) + nmsrs * sizeof(entry) bytes.
 * KVMI_SET_REGISTERS takes a bare struct kvm_regs after the vCPU header.
 */
struct kvmi_get_registers_reply {
	__u32 mode;		/* operand size in bytes: 2, 4 or 8 */
	__u32 padding;
	struct kvm_regs regs;	/* general purpose registers */
	struct kvm_sregs sregs;	/* special registers */
	struct kvm_msrs msrs;	/* nmsrs, then the requested MSRs */
};

/* KVMI_GET_CPUID request, after struct kvmi_vcpu_hdr. */
struct kvmi_get_cpuid {
	__u32 function;		/* leaf (EAX input) */
	__u32 index;		/* sub-leaf (ECX input) */
};

/* KVMI_GET_CPUID reply: the leaf as the vCPU sees it. */
struct kvmi_get_cpuid_reply {
	__u32 eax;		/* EAX output */
	__u32 ebx;		/* EBX output */
	__u32 ecx;		/* ECX output */
	__u32 edx;		/* EDX output */
};

/*
 * KVMI_GET_XSAVE reply: the vCPU's XSAVE area in the format of struct
 * kvm_xsave; its length is given by the message size.
 */
struct kvmi_get_xsave_reply {
	__DECLARE_FLEX_ARRAY(__u32, region);	/* the XSAVE area */
};

/*
 * KVMI_VCPU_SET_XSAVE request, after struct kvmi_vcpu_hdr: a new XSAVE
 * area in the format of struct kvm_xsave, up to the end of the message.
 */
struct kvmi_vcpu_set_xsave {
	__DECLARE_FLEX_ARRAY(__u32, region);	/* the XSAVE area */
};

/* KVMI_VCPU_GET_XCR request, after struct kvmi_vcpu_hdr. */
struct kvmi_vcpu_get_xcr {
	__u8 xcr;		/* extended control register; only 0 (XCR0) */
	__u8 padding[7];
};

/* KVMI_VCPU_GET_XCR reply. */
struct kvmi_vcpu_get_xcr_reply {
	__u64 value;		/* the register's value */
};

/* KVMI_GET_MTRR_TYPE request, after struct kvmi_vcpu_hdr. */
struct kvmi_get_mtrr_type {
	__u64 gpa;		/* guest physical address to look up */
};

/* KVMI_GET_MTRR_TYPE reply. */
struct kvmi_get_mtrr_type_reply {
	__u8 type;		/* memory type (MTRR_TYPE_* encoding) */
	__u8 padding[7];
};

/*
 * KVMI_CONTROL_CR request, after struct kvmi_vcpu_hdr: enables or disables
 * KVMI_EVENT_CR for writes to one control register.
 */
struct kvmi_control_cr {
	__u8 enable;		/* 1 to report writes, 0 to stop */
	__u8 padding1;
	__u16 padding2;
	__u32 cr;		/* 0, 3 or 4 */
};

/* KVMI_EVENT_CR payload: a write to a monitored control register. */
struct kvmi_event_cr {
	__u16 cr;		/* register number */
	__u16 padding[3];
	__u64 old_value;	/* value before the write */
	__u64 new_value;	/* value the guest tries to write */
};

/* Reply data of KVMI_EVENT_CR, with KVMI_EVENT_ACTION_CONTINUE. */
struct kvmi_event_cr_reply {
	__u64 new_val;		/* value actually written */
};

/*
 * KVMI_CONTROL_MSR request, after struct kvmi_vcpu_hdr: enables or disables
 * KVMI_EVENT_MSR for writes to one MSR.
 */
struct kvmi_control_msr {
	__u8 enable;		/* 1 to report writes, 0 to stop */
	__u8 padding1;
	__u16 padding2;
	__u32 msr;		/* 0..0x1fff or 0xc0000000..0xc0001fff */
};

/* KVMI_EVENT_MSR payload: a write to a monitored MSR. */
struct kvmi_event_msr {
	__u32 msr;		/* MSR index */
	__u32 padding;
	__u64 old_value;	/* value before the write */
	__u64 new_value;	/* value the guest tries to write */
};

/* Reply data of KVMI_EVENT_MSR, with KVMI_EVENT_ACTION_CONTINUE. */
struct kvmi_event_msr_reply {
	__u64 new_val;		/* value actually written */
};

/*
 * KVMI_EVENT_TRAP payload: the outcome of KVMI_INJECT_EXCEPTION, the
 * exception the guest received (or KVMI_TRAP_NOT_DELIVERED).
 */
struct kvmi_event_trap {
	__u8 vector;		/* exception vector */
	__u8 padding1;
	__u16 padding2;
	__u32 error_code;	/* error code, if the vector has one */
	__u64 cr2;		/* faulting address for #PF */
};

/*
 * kvmi's own value of kvmi_event_trap.vector: the vCPU was reset before
 * the injected exception reached the guest.
 */
#define KVMI_TRAP_NOT_DELIVERED	0xff

/* Descriptor table registers, in struct kvmi_event_descriptor. */
#define KVMI_DESC_IDTR	1
#define KVMI_DESC_GDTR	2
#define KVMI_DESC_LDTR	3
#define KVMI_DESC_TR	4

/*
 * KVMI_EVENT_DESCRIPTOR payload: the guest loads or stores a descriptor
 * table register (LIDT/SIDT, LGDT/SGDT, LLDT/SLDT, LTR/STR).
 */
struct kvmi_event_descriptor {
	__u8 descriptor;	/* KVMI_DESC_* */
	__u8 write;		/* 1: register loaded (LxDT, LTR), 0: stored */
	__u8 padding[6];
};

/* KVMI_EVENT_CPUID payload: the guest executes CPUID. */
struct kvmi_event_cpuid {
	__u32 function;		/* EAX input */
	__u32 index;		/* ECX input */
	__u8 insn_length;	/* length of the CPUID instruction */
	__u8 padding1[3];
	__u32 padding2;
};

#endif /* _UAPI_ASM_X86_KVMI_H */
