/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of kvmi.ko (trace system "kvmi"):
 *
 *   kvmi_hook         a VM was hooked
 *   kvmi_unhook       its session ended, and why
 *   kvmi_command      a command was answered (or its answer dropped)
 *   kvmi_event        an event is being sent
 *   kvmi_event_reply  the tool replied to a vCPU event
 *
 * A VM is named by "vm", the id kvmi gives it at hook time (never reused
 * while the module is loaded, also in debugfs kvmi/stats), and "pid",
 * the process that created it.  Disabled tracepoints cost a patched-out
 * jump; the reply's latency is measured only while kvmi_event_reply is
 * enabled.
 *
 * trace.c is the one file that defines CREATE_TRACE_POINTS; define_trace.h
 * then includes this file again as "./kvmi_trace.h", found through the
 * -I of trace.o in Kbuild.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvmi

#if !defined(KVMI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KVMI_TRACE_H

#include <linux/tracepoint.h>
#include <linux/kvmi.h>

#include "kvmi_int.h"

/* Enum constants in the formats: user-space tools need their values. */
TRACE_DEFINE_ENUM(KVMI_EVENT_UNHOOK);
TRACE_DEFINE_ENUM(KVMI_EVENT_CR);
TRACE_DEFINE_ENUM(KVMI_EVENT_MSR);
TRACE_DEFINE_ENUM(KVMI_EVENT_XSETBV);
TRACE_DEFINE_ENUM(KVMI_EVENT_BREAKPOINT);
TRACE_DEFINE_ENUM(KVMI_EVENT_HYPERCALL);
TRACE_DEFINE_ENUM(KVMI_EVENT_PF);
TRACE_DEFINE_ENUM(KVMI_EVENT_TRAP);
TRACE_DEFINE_ENUM(KVMI_EVENT_DESCRIPTOR);
TRACE_DEFINE_ENUM(KVMI_EVENT_CREATE_VCPU);
TRACE_DEFINE_ENUM(KVMI_EVENT_PAUSE_VCPU);
TRACE_DEFINE_ENUM(KVMI_EVENT_SINGLESTEP);
TRACE_DEFINE_ENUM(KVMI_EVENT_CMD_ERROR);
TRACE_DEFINE_ENUM(KVMI_EVENT_CPUID);
TRACE_DEFINE_ENUM(KVMI_UNHOOK_REQUEST);
TRACE_DEFINE_ENUM(KVMI_UNHOOK_RELEASE);
TRACE_DEFINE_ENUM(KVMI_UNHOOK_SOCKET);
TRACE_DEFINE_ENUM(KVMI_UNHOOK_UNLOAD);

#define kvmi_trace_event_name(id)					\
	__print_symbolic(id,						\
			 { KVMI_EVENT_UNHOOK, "unhook" },		\
			 { KVMI_EVENT_CR, "cr" },			\
			 { KVMI_EVENT_MSR, "msr" },			\
			 { KVMI_EVENT_XSETBV, "xsetbv" },		\
			 { KVMI_EVENT_BREAKPOINT, "breakpoint" },	\
			 { KVMI_EVENT_HYPERCALL, "hypercall" },		\
			 { KVMI_EVENT_PF, "pf" },			\
			 { KVMI_EVENT_TRAP, "trap" },			\
			 { KVMI_EVENT_DESCRIPTOR, "descriptor" },	\
			 { KVMI_EVENT_CREATE_VCPU, "create_vcpu" },	\
			 { KVMI_EVENT_PAUSE_VCPU, "pause_vcpu" },	\
			 { KVMI_EVENT_SINGLESTEP, "singlestep" },	\
			 { KVMI_EVENT_CMD_ERROR, "cmd_error" },		\
			 { KVMI_EVENT_CPUID, "cpuid" })

TRACE_EVENT(kvmi_hook,
	    TP_PROTO(const struct kvmi_vm *vm),
	    TP_ARGS(vm),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(int, pid)
			     __array(char, uuid, 40)),
	    TP_fast_assign(__entry->vm = vm->id;
			   __entry->pid = vm->pid;
			   snprintf(__entry->uuid, sizeof(__entry->uuid),
				    "%pUb", vm->uuid);),
	    TP_printk("vm=%u pid=%d uuid=%s", __entry->vm, __entry->pid,
		      __entry->uuid)
);

TRACE_EVENT(kvmi_unhook,
	    TP_PROTO(const struct kvmi_vm *vm, int reason, int err),
	    TP_ARGS(vm, reason, err),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(int, pid)
			     __field(int, reason)
			     __field(int, err)),
	    TP_fast_assign(__entry->vm = vm->id;
			   __entry->pid = vm->pid;
			   __entry->reason = reason;
			   __entry->err = err;),
	    TP_printk("vm=%u pid=%d reason=%s err=%d", __entry->vm,
		      __entry->pid,
		      __print_symbolic(__entry->reason,
				       { KVMI_UNHOOK_REQUEST, "request" },
				       { KVMI_UNHOOK_RELEASE, "release" },
				       { KVMI_UNHOOK_SOCKET, "socket" },
				       { KVMI_UNHOOK_UNLOAD, "unload" }),
		      __entry->err)
);

TRACE_EVENT(kvmi_command,
	    TP_PROTO(const struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
		     int vcpu, int err),
	    TP_ARGS(vm, hdr, vcpu, err),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(int, vcpu)
			     __field(u16, id)
			     __field(u16, size)
			     __field(u32, seq)
			     __field(int, err)),
	    TP_fast_assign(__entry->vm = vm->id;
			   __entry->vcpu = vcpu;
			   __entry->id = hdr->id;
			   __entry->size = hdr->size;
			   __entry->seq = hdr->seq;
			   __entry->err = err;),
	    TP_printk("vm=%u vcpu=%d id=%u seq=%u size=%u err=%d",
		      __entry->vm, __entry->vcpu, __entry->id, __entry->seq,
		      __entry->size, __entry->err)
);

TRACE_EVENT(kvmi_event,
	    TP_PROTO(const struct kvmi_vm *vm, int vcpu, u8 event, u32 seq),
	    TP_ARGS(vm, vcpu, event, seq),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(int, vcpu)
			     __field(u8, event)
			     __field(u32, seq)),
	    TP_fast_assign(__entry->vm = vm->id;
			   __entry->vcpu = vcpu;
			   __entry->event = event;
			   __entry->seq = seq;),
	    TP_printk("vm=%u vcpu=%d event=%s seq=%u", __entry->vm,
		      __entry->vcpu, kvmi_trace_event_name(__entry->event),
		      __entry->seq)
);

TRACE_EVENT(kvmi_event_reply,
	    TP_PROTO(const struct kvmi_vm *vm, int vcpu, u8 event, u32 seq,
		     u8 action, u64 latency_ns),
	    TP_ARGS(vm, vcpu, event, seq, action, latency_ns),
	    TP_STRUCT__entry(__field(u32, vm)
			     __field(int, vcpu)
			     __field(u8, event)
			     __field(u8, action)
			     __field(u32, seq)
			     __field(u64, latency_ns)),
	    TP_fast_assign(__entry->vm = vm->id;
			   __entry->vcpu = vcpu;
			   __entry->event = event;
			   __entry->action = action;
			   __entry->seq = seq;
			   __entry->latency_ns = latency_ns;),
	    TP_printk("vm=%u vcpu=%d event=%s seq=%u action=%s latency_ns=%llu",
		      __entry->vm, __entry->vcpu,
		      kvmi_trace_event_name(__entry->event), __entry->seq,
		      __print_symbolic(__entry->action,
				       { KVMI_EVENT_ACTION_CONTINUE, "continue" },
				       { KVMI_EVENT_ACTION_RETRY, "retry" },
				       { KVMI_EVENT_ACTION_CRASH, "crash" }),
		      __entry->latency_ns)
);

#endif /* KVMI_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kvmi_trace
#include <trace/define_trace.h>
