/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * KVM introspection (KVMI): the wire protocol between kvmi.ko and an
 * introspection tool, and the VM ioctls of the device manager.
 *
 * A device manager (normally QEMU) connects a socket to the tool and hands
 * it to KVM with KVM_INTROSPECTION_HOOK; from then on the tool talks to
 * the kernel over that socket.  Every message is a struct kvmi_msg_hdr
 * followed by hdr.size bytes (at most KVMI_MSG_SIZE), sent in one go.
 *
 * The tool sends commands.  Those aimed at a vCPU start with struct
 * kvmi_vcpu_hdr.  Each command is answered, under the same id and seq,
 * with struct kvmi_error_code and, when err is 0, the command's reply
 * data.  Errors are negated KVM_E* codes (see below).
 *
 * The kernel sends events with the id KVMI_EVENT: struct kvmi_event (its
 * size field tells where the event's payload starts), then the payload.
 * vCPU events are answered with KVMI_EVENT_REPLY, under the event's seq:
 * struct kvmi_vcpu_hdr, struct kvmi_event_reply, then the event's own
 * reply data, if any.
 *
 * This is the ABI spoken by libkvmi 1.x (the KVM-VMI "kvmi-v7" kernels),
 * with libkvmi's names, so that code written against libkvmi's copy of
 * this header builds against this one.  Documentation/kvmi.rst describes
 * every command and event, its rules and its errors.
 *
 * All integers are in the host's byte order.  Every field named padding*
 * must be sent as zero.  The x86 parts are in <asm/kvmi.h>.
 */
#ifndef _UAPI__LINUX_KVMI_H
#define _UAPI__LINUX_KVMI_H

#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/ioctl.h>
#include <linux/errno.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <asm/kvmi.h>

/* Protocol version, in the reply to KVMI_GET_VERSION. */
#define KVMI_VERSION 0x00000001

/*
 * Message ids (struct kvmi_msg_hdr.id).  Ids not listed are unknown and
 * answered with -KVM_ENOSYS.  Some listed ones are kept only so that their
 * number is not reused (see the comments).
 */
enum {
	KVMI_EVENT_REPLY             = 0,	/* tool -> kernel */
	KVMI_EVENT                   = 1,	/* kernel -> tool */

	KVMI_GET_VERSION             = 2,
	KVMI_CHECK_COMMAND           = 3,
	KVMI_CHECK_EVENT             = 4,
	KVMI_GET_GUEST_INFO          = 5,
	KVMI_GET_VCPU_INFO           = 6,
	KVMI_PAUSE_VCPU              = 7,
	KVMI_CONTROL_VM_EVENTS       = 8,
	KVMI_CONTROL_EVENTS          = 9,
	KVMI_CONTROL_CR              = 10,
	KVMI_CONTROL_MSR             = 11,
	KVMI_CONTROL_VE              = 12,	/* reserved, no such command */
	KVMI_GET_REGISTERS           = 13,
	KVMI_SET_REGISTERS           = 14,
	KVMI_GET_CPUID               = 15,
	KVMI_GET_XSAVE               = 16,
	KVMI_READ_PHYSICAL           = 17,
	KVMI_WRITE_PHYSICAL          = 18,
	KVMI_INJECT_EXCEPTION        = 19,
	KVMI_GET_PAGE_ACCESS         = 20,	/* withdrawn */
	KVMI_SET_PAGE_ACCESS         = 21,
	KVMI_GET_MAP_TOKEN           = 22,
	KVMI_GET_MTRR_TYPE           = 23,
	KVMI_CONTROL_SPP             = 24,
	KVMI_GET_PAGE_WRITE_BITMAP   = 25,	/* withdrawn */
	KVMI_SET_PAGE_WRITE_BITMAP   = 26,
	KVMI_CONTROL_CMD_RESPONSE    = 27,
	KVMI_SET_VE_INFO_PAGE        = 28,
	KVMI_GET_MAX_GFN             = 29,
	KVMI_SET_EPT_PAGE_CONV       = 30,
	KVMI_GET_NEXT_AVAILABLE_GFN  = 31,
	KVMI_SWITCH_EPT_VIEW         = 32,
	KVMI_DISABLE_VE              = 33,
	KVMI_GET_EPT_VIEW            = 34,
	KVMI_VCPU_TRANSLATE_GVA      = 35,
	KVMI_CONTROL_EPT_VIEW        = 36,
	KVMI_VCPU_GET_XCR            = 37,
	KVMI_VCPU_SET_XSAVE          = 38,
	KVMI_QUERY_PHYSICAL          = 39,
	KVMI_VCPU_ALLOC_GFN          = 41,
	KVMI_VCPU_FREE_GFN           = 42,
	KVMI_CREATE_EPT_VIEW         = 43,
	KVMI_DESTROY_EPT_VIEW        = 44,
	KVMI_VCPU_CHANGE_GFN         = 60,
	KVMI_VCPU_CONTROL_SINGLESTEP = 63,

	KVMI_NUM_MESSAGES            = 64,	/* ids are below this */
	/* libkvmi's name for it */
	KVM_NUM_MESSAGES             = KVMI_NUM_MESSAGES,
};

/* Event ids (struct kvmi_event.event). */
enum {
	KVMI_EVENT_UNHOOK      = 0,	/* VM: the tool should disconnect */
	KVMI_EVENT_CR          = 1,	/* control register write */
	KVMI_EVENT_MSR         = 2,	/* MSR write */
	KVMI_EVENT_XSETBV      = 3,	/* XSETBV */
	KVMI_EVENT_BREAKPOINT  = 4,	/* #BP (INT3) */
	KVMI_EVENT_HYPERCALL   = 5,	/* VMCALL/VMMCALL */
	KVMI_EVENT_PF          = 6,	/* access to a restricted page */
	KVMI_EVENT_TRAP        = 7,	/* injected exception delivered */
	KVMI_EVENT_DESCRIPTOR  = 8,	/* descriptor table register access */
	KVMI_EVENT_CREATE_VCPU = 9,	/* a new vCPU runs for the first time */
	KVMI_EVENT_PAUSE_VCPU  = 10,	/* vCPU stopped by KVMI_PAUSE_VCPU */
	KVMI_EVENT_SINGLESTEP  = 11,	/* one instruction was single-stepped */
	KVMI_EVENT_CMD_ERROR   = 12,	/* VM: a command failed, replies off */
	KVMI_EVENT_CPUID       = 13,	/* CPUID */

	KVMI_NUM_EVENTS			/* event ids are below this */
};

/* What a vCPU does after an event (struct kvmi_event_reply.action). */
#define KVMI_EVENT_ACTION_CONTINUE	0	/* carry on, with the reply */
#define KVMI_EVENT_ACTION_RETRY		1	/* re-enter the guest as is */
#define KVMI_EVENT_ACTION_CRASH		2	/* shut the guest down */

/* Access bits of struct kvmi_page_access_entry.access. */
#define KVMI_PAGE_ACCESS_R	(1 << 0)	/* read allowed */
#define KVMI_PAGE_ACCESS_W	(1 << 1)	/* write allowed */
#define KVMI_PAGE_ACCESS_X	(1 << 2)	/* execution allowed */
#define KVMI_PAGE_ACCESS_SVE	(1 << 3)	/* suppress #VE */

/*
 * Error codes, negated in struct kvmi_error_code.err.  The KVM_E* names
 * are KVM's hypercall error codes; their values are part of the wire
 * protocol.  Stock <linux/kvm_para.h> defines only the first six.
 */
#ifndef KVM_ENOSYS
#define KVM_ENOSYS	1000		/* unknown message id */
#endif
#ifndef KVM_EFAULT
#define KVM_EFAULT	EFAULT		/* 14 */
#endif
#ifndef KVM_EINVAL
#define KVM_EINVAL	EINVAL		/* 22, invalid argument or padding */
#endif
#ifndef KVM_E2BIG
#define KVM_E2BIG	E2BIG		/* 7 */
#endif
#ifndef KVM_EPERM
#define KVM_EPERM	EPERM		/* 1, denied by the device manager */
#endif
#ifndef KVM_EOPNOTSUPP
#define KVM_EOPNOTSUPP	95		/* not supported here */
#endif
#ifndef KVM_EAGAIN
#define KVM_EAGAIN	11		/* try again (vCPU not ready, ...) */
#endif
#ifndef KVM_ENOENT
#define KVM_ENOENT	ENOENT		/* 2, no such page, leaf, ... */
#endif
#ifndef KVM_ENOMEM
#define KVM_ENOMEM	ENOMEM		/* 12 */
#endif
#ifndef KVM_EBUSY
#define KVM_EBUSY	EBUSY		/* 16 */
#endif

/* Header of every message. */
struct kvmi_msg_hdr {
	__u16 id;		/* KVMI_* message id */
	__u16 size;		/* bytes that follow this header */
	__u32 seq;		/* matches a reply to its command or event */
};

/* Largest hdr.size accepted: a message fits in two 4 KiB pages. */
#define KVMI_MSG_SIZE (4096 * 2 - sizeof(struct kvmi_msg_hdr))

/* First part of every command reply. */
struct kvmi_error_code {
	__s32 err;		/* 0 or a negated KVM_E* code */
	__u32 padding;
};

/* First part of vCPU commands and of event replies. */
struct kvmi_vcpu_hdr {
	__u16 vcpu;		/* vCPU index */
	__u16 padding1;
	__u32 padding2;
};

/* KVMI_GET_VERSION reply (the command has no parameters). */
struct kvmi_get_version_reply {
	__u32 version;		/* KVMI_VERSION */
	__u32 padding;
	struct kvmi_features features;	/* optional features available */
};

/* KVMI_CHECK_COMMAND request: is this command allowed and supported? */
struct kvmi_check_command {
	__u16 id;		/* message id to check */
	__u16 padding1;
	__u32 padding2;
};

/* KVMI_CHECK_EVENT request: is this event allowed and supported? */
struct kvmi_check_event {
	__u16 id;		/* event id to check */
	__u16 padding1;
	__u32 padding2;
};

/* KVMI_GET_GUEST_INFO reply. */
struct kvmi_get_guest_info_reply {
	__u32 vcpu_count;	/* number of vCPUs created so far */
	__u32 padding[3];
};

/* KVMI_GET_VCPU_INFO reply (the request is a bare struct kvmi_vcpu_hdr). */
struct kvmi_get_vcpu_info_reply {
	__u64 tsc_speed;	/* TSC frequency in Hz, 0 if unknown */
};

/*
 * KVMI_PAUSE_VCPU request, after struct kvmi_vcpu_hdr: the vCPU sends one
 * KVMI_EVENT_PAUSE_VCPU per accepted request.
 */
struct kvmi_pause_vcpu {
	__u8 wait;		/* 1: reply once the vCPU left guest mode */
	__u8 padding1;
	__u16 padding2;
	__u32 padding3;
};

/* KVMI_CONTROL_VM_EVENTS request: enables or disables a VM event. */
struct kvmi_control_vm_events {
	__u16 event_id;		/* KVMI_EVENT_UNHOOK or _CREATE_VCPU */
	__u8 enable;		/* 1 to enable, 0 to disable */
	__u8 padding1;
	__u32 padding2;
};

/*
 * KVMI_CONTROL_EVENTS request, after struct kvmi_vcpu_hdr: enables or
 * disables a vCPU event.
 */
struct kvmi_control_events {
	__u16 event_id;		/* KVMI_EVENT_* */
	__u8 enable;		/* 1 to enable, 0 to disable */
	__u8 padding1;
	__u32 padding2;
};

/*
 * KVMI_READ_PHYSICAL request.  The range must not cross a page boundary;
 * the reply data are the size bytes read.
 */
struct kvmi_read_physical {
	__u64 gpa;		/* guest physical address */
	__u64 size;		/* bytes to read */
};

/* KVMI_WRITE_PHYSICAL request: the same range rule as for reading. */
struct kvmi_write_physical {
	__u64 gpa;		/* guest physical address */
	__u64 size;		/* bytes to write */
	__u8 data[];		/* the size bytes to write */
};

/* KVMI_INJECT_EXCEPTION request, after struct kvmi_vcpu_hdr. */
struct kvmi_inject_exception {
	__u8 nr;		/* exception vector */
	__u8 padding1;
	__u16 padding2;
	__u32 error_code;	/* error code, for vectors that have one */
	__u64 address;		/* CR2 value, for #PF */
};

/*
 * KVMI_GET_PAGE_ACCESS request (withdrawn; the id is answered as an
 * unsupported command).
 */
struct kvmi_get_page_access {
	__u16 view;		/* EPT view */
	__u16 count;		/* number of entries in gpa */
	__u32 padding;
	__u64 gpa[];		/* guest physical addresses */
};

/* KVMI_GET_PAGE_ACCESS reply (withdrawn). */
struct kvmi_get_page_access_reply {
	__DECLARE_FLEX_ARRAY(__u8, access);	/* KVMI_PAGE_ACCESS_* per gpa */
};

/* One page of a KVMI_SET_PAGE_ACCESS request. */
struct kvmi_page_access_entry {
	__u64 gpa;		/* guest physical address of the page */
	__u8 access;		/* KVMI_PAGE_ACCESS_* bits still allowed */
	__u8 padding1;
	__u16 padding2;
	__u32 padding3;
};

/*
 * KVMI_SET_PAGE_ACCESS request: restricts guest accesses to pages; an
 * access that is not allowed produces KVMI_EVENT_PF.
 */
struct kvmi_set_page_access {
	__u16 view;		/* EPT view (0 = default) */
	__u16 count;		/* number of entries */
	__u32 padding;
	struct kvmi_page_access_entry entries[];	/* the pages */
};

/* KVMI_GET_MAP_TOKEN reply: a token for the introspector VM's MEM_MAP. */
struct kvmi_mem_token {
	__u64 token[4];		/* 32 random bytes, valid for a short time */
};

/* KVMI_CONTROL_SPP request: turns sub-page write protection on. */
struct kvmi_control_spp {
	__u8 enable;		/* must be 1 */
	__u8 padding1;
	__u16 padding2;
	__u32 padding3;
};

/* KVMI_GET_PAGE_WRITE_BITMAP request (withdrawn). */
struct kvmi_get_page_write_bitmap {
	__u16 view;		/* EPT view */
	__u16 count;		/* number of entries in gpa */
	__u32 padding;
	__u64 gpa[];		/* guest physical addresses */
};

/* KVMI_GET_PAGE_WRITE_BITMAP reply (withdrawn). */
struct kvmi_get_page_write_bitmap_reply {
	__DECLARE_FLEX_ARRAY(__u32, bitmap);	/* one bitmap per gpa */
};

/* One page of a KVMI_SET_PAGE_WRITE_BITMAP request. */
struct kvmi_page_write_bitmap_entry {
	__u64 gpa;		/* guest physical address of the page */
	__u32 bitmap;		/* bit n set: bytes n*128..n*128+127 writable */
	__u32 padding;
};

/* KVMI_SET_PAGE_WRITE_BITMAP request: SPP write permissions. */
struct kvmi_set_page_write_bitmap {
	__u16 view;		/* EPT view */
	__u16 count;		/* number of entries */
	__u32 padding;
	struct kvmi_page_write_bitmap_entry entries[];	/* the pages */
};

/* struct kvmi_control_cmd_response.flags */
#define KVMI_CMD_RESPONSE_ERROR_EVENTS	(1 << 0)	/* see below */

/*
 * KVMI_CONTROL_CMD_RESPONSE request: turns command replies off or on.
 * While they are off, a failing command is reported with
 * KVMI_EVENT_CMD_ERROR if KVMI_CMD_RESPONSE_ERROR_EVENTS was set when
 * replies were turned off, and silently dropped otherwise.
 */
struct kvmi_control_cmd_response {
	__u8 enable;		/* 1: replies on, 0: replies off */
	__u8 now;		/* 1: this command obeys it, 0: from the next */
	__u8 flags;		/* KVMI_CMD_RESPONSE_*; libkvmi sends 0 */
	__u8 padding1;
	__u32 padding2;
};

/* KVMI_SET_VE_INFO_PAGE request, after struct kvmi_vcpu_hdr. */
struct kvmi_set_ve_info_page {
	__u64 gpa;		/* guest physical address of the info page */
	__u8 trigger_vmexit;	/* 1: EPT violations still cause exits */
	__u8 padding[7];
};

/*
 * KVMI_SET_EPT_PAGE_CONV request: controls whether EPT violations on a page
 * become #VE in the guest.
 */
struct kvmi_set_ept_page_conv_req {
	__u16 view;		/* EPT view */
	__u8 sve;		/* 1: suppress #VE for this page */
	__u8 padding[5];
	__u64 gpa;		/* guest physical address of the page */
};

/* KVMI_SWITCH_EPT_VIEW request, after struct kvmi_vcpu_hdr. */
struct kvmi_switch_ept_view_req {
	__u16 view;		/* EPT view the vCPU should run in */
	__u16 padding[3];
};

/* KVMI_GET_EPT_VIEW reply (the request is a bare struct kvmi_vcpu_hdr). */
struct kvmi_get_ept_view_reply {
	__u16 view;		/* EPT view the vCPU runs in */
	__u8 padding[6];
};

/* KVMI_CONTROL_EPT_VIEW request, after struct kvmi_vcpu_hdr. */
struct kvmi_control_ept_view_req {
	__u16 view;		/* EPT view */
	__u8 visible;		/* 1: the guest may switch to it (VMFUNC) */
	__u8 padding1;
	__u32 padding2;
};

/* KVMI_CREATE_EPT_VIEW reply (the command has no parameters). */
struct kvmi_create_ept_view_reply {
	__u16 view;		/* index of the new EPT view */
	__u16 padding[3];
};

/* KVMI_DESTROY_EPT_VIEW request. */
struct kvmi_destroy_ept_view {
	__u16 view;		/* EPT view to destroy */
	__u16 padding[3];
};

/* KVMI_GET_MAX_GFN reply (the command has no parameters). */
struct kvmi_get_max_gfn_reply {
	__u64 gfn;		/* first gfn above every memory slot */
};

/* KVMI_GET_NEXT_AVAILABLE_GFN reply (the command has no parameters). */
struct kvmi_get_next_available_gfn_reply {
	__u64 gfn;		/* a gfn the tool may use for a new page */
};

/* KVMI_VCPU_TRANSLATE_GVA request, after struct kvmi_vcpu_hdr. */
struct kvmi_vcpu_translate_gva {
	__u64 gva;		/* guest virtual address */
};

/* KVMI_VCPU_TRANSLATE_GVA reply. */
struct kvmi_vcpu_translate_gva_reply {
	__u64 gpa;		/* its guest physical address, ~0 if unmapped */
};

/* KVMI_QUERY_PHYSICAL request: which memory slot holds a gfn? */
struct kvmi_query_physical {
	__u64 gfn;		/* guest frame number */
};

/* KVMI_QUERY_PHYSICAL reply. */
struct kvmi_query_physical_reply {
	__u64 gfn;		/* first gfn of the slot */
	__u64 size;		/* length of the slot, in pages */
};

/* KVMI_VCPU_ALLOC_GFN request, after struct kvmi_vcpu_hdr. */
struct kvmi_vcpu_alloc_gfn {
	__u64 gfn;		/* guest frame to back with a new page */
};

/* KVMI_VCPU_FREE_GFN request, after struct kvmi_vcpu_hdr. */
struct kvmi_vcpu_free_gfn {
	__u64 gfn;		/* guest frame given to KVMI_VCPU_ALLOC_GFN */
};

/*
 * KVMI_VCPU_CHANGE_GFN request, after struct kvmi_vcpu_hdr: in an EPT view,
 * back old_gfn with the page of new_gfn (old_gfn == new_gfn restores it).
 */
struct kvmi_vcpu_change_gfn {
	__u16 view;		/* EPT view */
	__u16 padding1;
	__u32 padding2;
	__u64 old_gfn;		/* guest frame whose mapping changes */
	__u64 new_gfn;		/* guest frame whose page it gets */
};

/* KVMI_VCPU_CONTROL_SINGLESTEP request, after struct kvmi_vcpu_hdr. */
struct kvmi_vcpu_control_singlestep {
	__u8 enable;		/* 1: step and report KVMI_EVENT_SINGLESTEP */
	__u8 padding[7];
};

/*
 * Common part of every event (message id KVMI_EVENT).  The event's payload
 * starts size bytes after the start of this structure.
 */
struct kvmi_event {
	__u16 size;		/* sizeof(struct kvmi_event) of the sender */
	__u16 vcpu;		/* vCPU index; 0 for VM events */
	__u8 event;		/* KVMI_EVENT_* */
	__u8 padding[3];
	struct kvmi_event_arch arch;	/* the vCPU's state */
};

/*
 * Reply to a vCPU event (message id KVMI_EVENT_REPLY), after struct
 * kvmi_vcpu_hdr and before the event's own reply data.
 */
struct kvmi_event_reply {
	__u8 action;		/* KVMI_EVENT_ACTION_* */
	__u8 event;		/* the event's id, echoed */
	__u16 padding1;
	__u32 padding2;
};

/* KVMI_EVENT_PF payload: an access denied by KVMI_SET_PAGE_ACCESS. */
struct kvmi_event_pf {
	__u64 gva;		/* guest virtual address, ~0 if not known */
	__u64 gpa;		/* guest physical address */
	__u8 access;		/* the KVMI_PAGE_ACCESS_* bit that was denied */
	__u8 padding1;
	__u16 view;		/* EPT view of the access */
	__u32 padding2;
};

/* Reply data of KVMI_EVENT_PF, required with every reply to it. */
struct kvmi_event_pf_reply {
	__u64 ctx_addr;		/* gva where ctx_data stands in for memory */
	__u32 ctx_size;		/* bytes of ctx_data used, 0 for none */
	__u8 singlestep;	/* 1: the guest runs the access, stepped */
	__u8 rep_complete;	/* 1: emulate one iteration of a REP insn */
	__u16 padding;
	__u8 ctx_data[256];	/* what the emulator reads at ctx_addr */
};

/* KVMI_EVENT_BREAKPOINT payload. */
struct kvmi_event_breakpoint {
	__u64 gpa;		/* guest physical address of the INT3 */
	__u8 insn_len;		/* length of the instruction */
	__u8 padding[7];
};

/* KVMI_EVENT_SINGLESTEP payload. */
struct kvmi_event_singlestep {
	__u8 failed;		/* 1: the instruction could not be stepped */
	__u8 padding[7];
};

/*
 * KVMI_EVENT_CMD_ERROR payload (a VM event, not replied to): a command
 * sent while replies were off failed.
 */
struct kvmi_event_cmd_error {
	__s32 err;		/* its negated KVM_E* error code */
	__u32 msg_seq;		/* its struct kvmi_msg_hdr.seq */
	__u16 msg_id;		/* its struct kvmi_msg_hdr.id */
	__u16 padding[3];
};

/*
 * /dev/kvmmem in an introspector VM (remote mapping, second version):
 * maps a whole range of an introspected VM's memory, which the tool then
 * mmap()s from the device at offset gpa.
 */
struct kvmi_guest_mem_map {
	struct kvmi_mem_token token;	/* from KVMI_GET_MAP_TOKEN */
	__u64 gpa;		/* in: gpa wanted; out: start of the range */
	__u64 length;		/* out: length of the range in bytes */
};

/* Opens a session; the argument points to the 16-byte uuid of the VM. */
#define KVM_GUEST_MEM_OPEN	_IOW('i', 0x01, unsigned char *)
/* Maps the range holding a gpa; EALREADY if it is mapped already. */
#define KVM_GUEST_MEM_MAP	_IOWR('i', 0x02, struct kvmi_guest_mem_map)
/* Unmaps the range starting at the gpa given as the argument. */
#define KVM_GUEST_MEM_UNMAP	_IOW('i', 0x03, unsigned long)

/* KVM_INTROSPECTION_HOOK argument. */
struct kvm_introspection_hook {
	__s32 fd;		/* connected socket; KVM takes a reference */
	__u32 padding;
	__u8 uuid[16];		/* the VM's uuid, for log messages */
};

/* KVM_INTROSPECTION_COMMAND and KVM_INTROSPECTION_EVENT argument. */
struct kvm_introspection_feature {
	__u32 allow;		/* 1 to allow, 0 to deny */
	__s32 id;		/* message or event id, -1 for all */
};

/*
 * VM ioctls of the device manager (KVMIO is 0xAE): start introspection
 * on a socket, stop it, allow or deny commands and events, and ask the
 * tool to disconnect (it gets KVMI_EVENT_UNHOOK).
 */
#define KVM_INTROSPECTION_HOOK \
	_IOW(KVMIO, 0xc8, struct kvm_introspection_hook)
#define KVM_INTROSPECTION_UNHOOK	_IO(KVMIO, 0xc9)
#define KVM_INTROSPECTION_COMMAND \
	_IOW(KVMIO, 0xca, struct kvm_introspection_feature)
#define KVM_INTROSPECTION_EVENT \
	_IOW(KVMIO, 0xcb, struct kvm_introspection_feature)
#define KVM_INTROSPECTION_PREUNHOOK	_IO(KVMIO, 0xcc)

#endif /* _UAPI__LINUX_KVMI_H */
