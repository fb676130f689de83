// SPDX-License-Identifier: GPL-2.0-only
/*
 * Layout of the KVMI wire ABI (include/uapi/linux/kvmi.h, asm/kvmi.h).
 *
 * Every expected number below is written out by hand from the ABI
 * reference (sizes, field offsets, ids, ioctl command words), not derived
 * from the headers, so that a change of the headers that moves a byte on
 * the wire fails here.  Runs in user space, needs no KVM.  Output is TAP.
 */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/kvmi.h>

/* The sizes everything else depends on, checked at build time too. */
static_assert(sizeof(struct kvmi_msg_hdr) == 8, "kvmi_msg_hdr");
static_assert(sizeof(struct kvmi_error_code) == 8, "kvmi_error_code");
static_assert(sizeof(struct kvmi_vcpu_hdr) == 8, "kvmi_vcpu_hdr");
static_assert(sizeof(struct kvmi_event) == 544, "kvmi_event");
static_assert(sizeof(struct kvmi_event_arch) == 536, "kvmi_event_arch");
static_assert(sizeof(struct kvmi_event_reply) == 8, "kvmi_event_reply");
static_assert(sizeof(struct kvmi_event_pf_reply) == 272, "pf reply");
static_assert(sizeof(struct kvmi_get_registers_reply) == 472, "regs");
static_assert(sizeof(struct kvm_introspection_hook) == 24, "hook");
static_assert(sizeof(struct kvm_introspection_feature) == 8, "feature");

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct check {
	const char *name;
	unsigned long long expected;
	unsigned long long actual;
};

#define ROW(name, expected, actual) \
	{ (name), (expected), (unsigned long long)(actual) }
#define SIZE(type, expected) \
	ROW("sizeof(struct " #type ")", expected, sizeof(struct type))
#define OFF(type, field, expected) \
	ROW("offsetof(struct " #type ", " #field ")", expected, \
	    offsetof(struct type, field))
#define VAL(name, expected) \
	ROW(#name, expected, name)

/* Size of a KVMI_GET_REGISTERS reply carrying n MSRs. */
#define REGS_REPLY(n) \
	(sizeof(struct kvmi_get_registers_reply) + \
	 (n) * sizeof(struct kvm_msr_entry))

static const struct check checks[] = {
	/* KVM structures embedded in the ABI */
	SIZE(kvm_regs, 144),
	SIZE(kvm_sregs, 312),
	SIZE(kvm_msrs, 8),
	SIZE(kvm_msr_entry, 16),

	/* common framing */
	SIZE(kvmi_msg_hdr, 8),
	OFF(kvmi_msg_hdr, id, 0),
	OFF(kvmi_msg_hdr, size, 2),
	OFF(kvmi_msg_hdr, seq, 4),
	SIZE(kvmi_error_code, 8),
	OFF(kvmi_error_code, err, 0),
	OFF(kvmi_error_code, padding, 4),
	SIZE(kvmi_vcpu_hdr, 8),
	OFF(kvmi_vcpu_hdr, vcpu, 0),
	OFF(kvmi_vcpu_hdr, padding1, 2),
	OFF(kvmi_vcpu_hdr, padding2, 4),
	VAL(KVMI_MSG_SIZE, 8184),
	VAL(KVMI_VERSION, 1),

	/* VM and vCPU commands */
	SIZE(kvmi_features, 8),
	OFF(kvmi_features, spp, 0),
	OFF(kvmi_features, vmfunc, 1),
	OFF(kvmi_features, eptp, 2),
	OFF(kvmi_features, ve, 3),
	OFF(kvmi_features, singlestep, 4),
	SIZE(kvmi_get_version_reply, 16),
	OFF(kvmi_get_version_reply, version, 0),
	OFF(kvmi_get_version_reply, padding, 4),
	OFF(kvmi_get_version_reply, features, 8),
	SIZE(kvmi_check_command, 8),
	OFF(kvmi_check_command, id, 0),
	OFF(kvmi_check_command, padding1, 2),
	OFF(kvmi_check_command, padding2, 4),
	SIZE(kvmi_check_event, 8),
	OFF(kvmi_check_event, id, 0),
	OFF(kvmi_check_event, padding2, 4),
	SIZE(kvmi_get_guest_info_reply, 16),
	OFF(kvmi_get_guest_info_reply, vcpu_count, 0),
	OFF(kvmi_get_guest_info_reply, padding, 4),
	SIZE(kvmi_get_vcpu_info_reply, 8),
	OFF(kvmi_get_vcpu_info_reply, tsc_speed, 0),
	SIZE(kvmi_pause_vcpu, 8),
	OFF(kvmi_pause_vcpu, wait, 0),
	OFF(kvmi_pause_vcpu, padding1, 1),
	OFF(kvmi_pause_vcpu, padding2, 2),
	OFF(kvmi_pause_vcpu, padding3, 4),
	SIZE(kvmi_control_vm_events, 8),
	OFF(kvmi_control_vm_events, event_id, 0),
	OFF(kvmi_control_vm_events, enable, 2),
	OFF(kvmi_control_vm_events, padding1, 3),
	OFF(kvmi_control_vm_events, padding2, 4),
	SIZE(kvmi_control_events, 8),
	OFF(kvmi_control_events, event_id, 0),
	OFF(kvmi_control_events, enable, 2),
	OFF(kvmi_control_events, padding2, 4),
	SIZE(kvmi_control_cr, 8),
	OFF(kvmi_control_cr, enable, 0),
	OFF(kvmi_control_cr, padding1, 1),
	OFF(kvmi_control_cr, padding2, 2),
	OFF(kvmi_control_cr, cr, 4),
	SIZE(kvmi_control_msr, 8),
	OFF(kvmi_control_msr, enable, 0),
	OFF(kvmi_control_msr, msr, 4),
	SIZE(kvmi_get_registers, 8),
	OFF(kvmi_get_registers, nmsrs, 0),
	OFF(kvmi_get_registers, padding1, 2),
	OFF(kvmi_get_registers, padding2, 4),
	OFF(kvmi_get_registers, msrs_idx, 8),
	SIZE(kvmi_get_registers_reply, 472),
	OFF(kvmi_get_registers_reply, mode, 0),
	OFF(kvmi_get_registers_reply, padding, 4),
	OFF(kvmi_get_registers_reply, regs, 8),
	OFF(kvmi_get_registers_reply, sregs, 152),
	OFF(kvmi_get_registers_reply, msrs, 464),
	OFF(kvmi_get_registers_reply, msrs.nmsrs, 464),
	OFF(kvmi_get_registers_reply, msrs.entries, 472),
	/* 472 + 16 * n: 4 + 4 + 144 + 312 + 8 fixed, one kvm_msr_entry per MSR */
	ROW("KVMI_GET_REGISTERS reply, 0 MSRs", 472, REGS_REPLY(0)),
	ROW("KVMI_GET_REGISTERS reply, 1 MSR", 488, REGS_REPLY(1)),
	ROW("KVMI_GET_REGISTERS reply, 5 MSRs", 552, REGS_REPLY(5)),
	SIZE(kvmi_get_cpuid, 8),
	OFF(kvmi_get_cpuid, function, 0),
	OFF(kvmi_get_cpuid, index, 4),
	SIZE(kvmi_get_cpuid_reply, 16),
	OFF(kvmi_get_cpuid_reply, eax, 0),
	OFF(kvmi_get_cpuid_reply, ebx, 4),
	OFF(kvmi_get_cpuid_reply, ecx, 8),
	OFF(kvmi_get_cpuid_reply, edx, 12),
	SIZE(kvmi_get_xsave_reply, 0),
	OFF(kvmi_get_xsave_reply, region, 0),
	SIZE(kvmi_vcpu_set_xsave, 0),
	OFF(kvmi_vcpu_set_xsave, region, 0),
	SIZE(kvmi_read_physical, 16),
	OFF(kvmi_read_physical, gpa, 0),
	OFF(kvmi_read_physical, size, 8),
	SIZE(kvmi_write_physical, 16),
	OFF(kvmi_write_physical, gpa, 0),
	OFF(kvmi_write_physical, size, 8),
	OFF(kvmi_write_physical, data, 16),
	SIZE(kvmi_inject_exception, 16),
	OFF(kvmi_inject_exception, nr, 0),
	OFF(kvmi_inject_exception, padding1, 1),
	OFF(kvmi_inject_exception, padding2, 2),
	OFF(kvmi_inject_exception, error_code, 4),
	OFF(kvmi_inject_exception, address, 8),
	SIZE(kvmi_get_page_access, 8),
	OFF(kvmi_get_page_access, view, 0),
	OFF(kvmi_get_page_access, count, 2),
	OFF(kvmi_get_page_access, gpa, 8),
	SIZE(kvmi_get_page_access_reply, 0),
	SIZE(kvmi_page_access_entry, 16),
	OFF(kvmi_page_access_entry, gpa, 0),
	OFF(kvmi_page_access_entry, access, 8),
	OFF(kvmi_page_access_entry, padding1, 9),
	OFF(kvmi_page_access_entry, padding2, 10),
	OFF(kvmi_page_access_entry, padding3, 12),
	SIZE(kvmi_set_page_access, 8),
	OFF(kvmi_set_page_access, view, 0),
	OFF(kvmi_set_page_access, count, 2),
	OFF(kvmi_set_page_access, padding, 4),
	OFF(kvmi_set_page_access, entries, 8),
	SIZE(kvmi_mem_token, 32),
	SIZE(kvmi_get_mtrr_type, 8),
	OFF(kvmi_get_mtrr_type, gpa, 0),
	SIZE(kvmi_get_mtrr_type_reply, 8),
	OFF(kvmi_get_mtrr_type_reply, type, 0),
	SIZE(kvmi_control_spp, 8),
	OFF(kvmi_control_spp, enable, 0),
	SIZE(kvmi_get_page_write_bitmap, 8),
	OFF(kvmi_get_page_write_bitmap, gpa, 8),
	SIZE(kvmi_page_write_bitmap_entry, 16),
	OFF(kvmi_page_write_bitmap_entry, gpa, 0),
	OFF(kvmi_page_write_bitmap_entry, bitmap, 8),
	OFF(kvmi_page_write_bitmap_entry, padding, 12),
	SIZE(kvmi_set_page_write_bitmap, 8),
	OFF(kvmi_set_page_write_bitmap, view, 0),
	OFF(kvmi_set_page_write_bitmap, count, 2),
	OFF(kvmi_set_page_write_bitmap, entries, 8),
	SIZE(kvmi_control_cmd_response, 8),
	OFF(kvmi_control_cmd_response, enable, 0),
	OFF(kvmi_control_cmd_response, now, 1),
	OFF(kvmi_control_cmd_response, flags, 2),
	OFF(kvmi_control_cmd_response, padding1, 3),
	OFF(kvmi_control_cmd_response, padding2, 4),
	SIZE(kvmi_set_ve_info_page, 16),
	OFF(kvmi_set_ve_info_page, gpa, 0),
	OFF(kvmi_set_ve_info_page, trigger_vmexit, 8),
	SIZE(kvmi_set_ept_page_conv_req, 16),
	OFF(kvmi_set_ept_page_conv_req, view, 0),
	OFF(kvmi_set_ept_page_conv_req, sve, 2),
	OFF(kvmi_set_ept_page_conv_req, gpa, 8),
	SIZE(kvmi_get_max_gfn_reply, 8),
	SIZE(kvmi_get_next_available_gfn_reply, 8),
	SIZE(kvmi_switch_ept_view_req, 8),
	OFF(kvmi_switch_ept_view_req, view, 0),
	SIZE(kvmi_get_ept_view_reply, 8),
	OFF(kvmi_get_ept_view_reply, view, 0),
	SIZE(kvmi_control_ept_view_req, 8),
	OFF(kvmi_control_ept_view_req, view, 0),
	OFF(kvmi_control_ept_view_req, visible, 2),
	OFF(kvmi_control_ept_view_req, padding2, 4),
	SIZE(kvmi_create_ept_view_reply, 8),
	SIZE(kvmi_destroy_ept_view, 8),
	SIZE(kvmi_vcpu_translate_gva, 8),
	SIZE(kvmi_vcpu_translate_gva_reply, 8),
	SIZE(kvmi_vcpu_get_xcr, 8),
	OFF(kvmi_vcpu_get_xcr, xcr, 0),
	SIZE(kvmi_vcpu_get_xcr_reply, 8),
	SIZE(kvmi_query_physical, 8),
	SIZE(kvmi_query_physical_reply, 16),
	OFF(kvmi_query_physical_reply, gfn, 0),
	OFF(kvmi_query_physical_reply, size, 8),
	SIZE(kvmi_vcpu_alloc_gfn, 8),
	SIZE(kvmi_vcpu_free_gfn, 8),
	SIZE(kvmi_vcpu_change_gfn, 24),
	OFF(kvmi_vcpu_change_gfn, view, 0),
	OFF(kvmi_vcpu_change_gfn, old_gfn, 8),
	OFF(kvmi_vcpu_change_gfn, new_gfn, 16),
	SIZE(kvmi_vcpu_control_singlestep, 8),
	OFF(kvmi_vcpu_control_singlestep, enable, 0),

	/* events */
	SIZE(kvmi_event, 544),
	OFF(kvmi_event, size, 0),
	OFF(kvmi_event, vcpu, 2),
	OFF(kvmi_event, event, 4),
	OFF(kvmi_event, padding, 5),
	OFF(kvmi_event, arch, 8),
	OFF(kvmi_event, arch.regs, 16),
	SIZE(kvmi_event_arch, 536),
	OFF(kvmi_event_arch, mode, 0),
	OFF(kvmi_event_arch, padding1, 1),
	OFF(kvmi_event_arch, view, 2),
	OFF(kvmi_event_arch, padding2, 4),
	OFF(kvmi_event_arch, regs, 8),
	OFF(kvmi_event_arch, sregs, 152),
	OFF(kvmi_event_arch, msrs, 464),
	OFF(kvmi_event_arch, msrs.sysenter_cs, 464),
	OFF(kvmi_event_arch, msrs.sysenter_esp, 472),
	OFF(kvmi_event_arch, msrs.sysenter_eip, 480),
	OFF(kvmi_event_arch, msrs.efer, 488),
	OFF(kvmi_event_arch, msrs.star, 496),
	OFF(kvmi_event_arch, msrs.lstar, 504),
	OFF(kvmi_event_arch, msrs.cstar, 512),
	OFF(kvmi_event_arch, msrs.pat, 520),
	OFF(kvmi_event_arch, msrs.shadow_gs, 528),
	SIZE(kvmi_event_reply, 8),
	OFF(kvmi_event_reply, action, 0),
	OFF(kvmi_event_reply, event, 1),
	OFF(kvmi_event_reply, padding1, 2),
	OFF(kvmi_event_reply, padding2, 4),
	SIZE(kvmi_event_cr, 24),
	OFF(kvmi_event_cr, cr, 0),
	OFF(kvmi_event_cr, old_value, 8),
	OFF(kvmi_event_cr, new_value, 16),
	SIZE(kvmi_event_cr_reply, 8),
	SIZE(kvmi_event_msr, 24),
	OFF(kvmi_event_msr, msr, 0),
	OFF(kvmi_event_msr, old_value, 8),
	OFF(kvmi_event_msr, new_value, 16),
	SIZE(kvmi_event_msr_reply, 8),
	SIZE(kvmi_event_breakpoint, 16),
	OFF(kvmi_event_breakpoint, gpa, 0),
	OFF(kvmi_event_breakpoint, insn_len, 8),
	SIZE(kvmi_event_pf, 24),
	OFF(kvmi_event_pf, gva, 0),
	OFF(kvmi_event_pf, gpa, 8),
	OFF(kvmi_event_pf, access, 16),
	OFF(kvmi_event_pf, padding1, 17),
	OFF(kvmi_event_pf, view, 18),
	OFF(kvmi_event_pf, padding2, 20),
	SIZE(kvmi_event_pf_reply, 272),
	OFF(kvmi_event_pf_reply, ctx_addr, 0),
	OFF(kvmi_event_pf_reply, ctx_size, 8),
	OFF(kvmi_event_pf_reply, singlestep, 12),
	OFF(kvmi_event_pf_reply, rep_complete, 13),
	OFF(kvmi_event_pf_reply, padding, 14),
	OFF(kvmi_event_pf_reply, ctx_data, 16),
	SIZE(kvmi_event_trap, 16),
	OFF(kvmi_event_trap, vector, 0),
	OFF(kvmi_event_trap, error_code, 4),
	OFF(kvmi_event_trap, cr2, 8),
	SIZE(kvmi_event_descriptor, 8),
	OFF(kvmi_event_descriptor, descriptor, 0),
	OFF(kvmi_event_descriptor, write, 1),
	SIZE(kvmi_event_singlestep, 8),
	OFF(kvmi_event_singlestep, failed, 0),
	SIZE(kvmi_event_cmd_error, 16),
	OFF(kvmi_event_cmd_error, err, 0),
	OFF(kvmi_event_cmd_error, msg_seq, 4),
	OFF(kvmi_event_cmd_error, msg_id, 8),
	OFF(kvmi_event_cmd_error, padding, 10),
	SIZE(kvmi_event_cpuid, 16),
	OFF(kvmi_event_cpuid, function, 0),
	OFF(kvmi_event_cpuid, index, 4),
	OFF(kvmi_event_cpuid, insn_length, 8),
	OFF(kvmi_event_cpuid, padding2, 12),
	/* hdr + vcpu_hdr + event reply + pf reply, as libkvmi sends it */
	ROW("KVMI_EVENT_PF reply message", 296,
	    sizeof(struct kvmi_msg_hdr) + sizeof(struct kvmi_vcpu_hdr) +
	    sizeof(struct kvmi_event_reply) +
	    sizeof(struct kvmi_event_pf_reply)),

	/* /dev/kvmmem and the device manager's VM ioctls */
	SIZE(kvmi_guest_mem_map, 48),
	OFF(kvmi_guest_mem_map, token, 0),
	OFF(kvmi_guest_mem_map, gpa, 32),
	OFF(kvmi_guest_mem_map, length, 40),
	VAL(KVM_GUEST_MEM_OPEN, 0x40086901),
	VAL(KVM_GUEST_MEM_MAP, 0xc0306902),
	VAL(KVM_GUEST_MEM_UNMAP, 0x40086903),
	SIZE(kvm_introspection_hook, 24),
	OFF(kvm_introspection_hook, fd, 0),
	OFF(kvm_introspection_hook, padding, 4),
	OFF(kvm_introspection_hook, uuid, 8),
	SIZE(kvm_introspection_feature, 8),
	OFF(kvm_introspection_feature, allow, 0),
	OFF(kvm_introspection_feature, id, 4),
	VAL(KVM_INTROSPECTION_HOOK, 0x4018aec8),
	VAL(KVM_INTROSPECTION_UNHOOK, 0xaec9),
	VAL(KVM_INTROSPECTION_COMMAND, 0x4008aeca),
	VAL(KVM_INTROSPECTION_EVENT, 0x4008aecb),
	VAL(KVM_INTROSPECTION_PREUNHOOK, 0xaecc),

	/* message ids */
	VAL(KVMI_EVENT_REPLY, 0),
	VAL(KVMI_EVENT, 1),
	VAL(KVMI_GET_VERSION, 2),
	VAL(KVMI_CHECK_COMMAND, 3),
	VAL(KVMI_CHECK_EVENT, 4),
	VAL(KVMI_GET_GUEST_INFO, 5),
	VAL(KVMI_GET_VCPU_INFO, 6),
	VAL(KVMI_PAUSE_VCPU, 7),
	VAL(KVMI_CONTROL_VM_EVENTS, 8),
	VAL(KVMI_CONTROL_EVENTS, 9),
	VAL(KVMI_CONTROL_CR, 10),
	VAL(KVMI_CONTROL_MSR, 11),
	VAL(KVMI_CONTROL_VE, 12),
	VAL(KVMI_GET_REGISTERS, 13),
	VAL(KVMI_SET_REGISTERS, 14),
	VAL(KVMI_GET_CPUID, 15),
	VAL(KVMI_GET_XSAVE, 16),
	VAL(KVMI_READ_PHYSICAL, 17),
	VAL(KVMI_WRITE_PHYSICAL, 18),
	VAL(KVMI_INJECT_EXCEPTION, 19),
	VAL(KVMI_GET_PAGE_ACCESS, 20),
	VAL(KVMI_SET_PAGE_ACCESS, 21),
	VAL(KVMI_GET_MAP_TOKEN, 22),
	VAL(KVMI_GET_MTRR_TYPE, 23),
	VAL(KVMI_CONTROL_SPP, 24),
	VAL(KVMI_GET_PAGE_WRITE_BITMAP, 25),
	VAL(KVMI_SET_PAGE_WRITE_BITMAP, 26),
	VAL(KVMI_CONTROL_CMD_RESPONSE, 27),
	VAL(KVMI_SET_VE_INFO_PAGE, 28),
	VAL(KVMI_GET_MAX_GFN, 29),
	VAL(KVMI_SET_EPT_PAGE_CONV, 30),
	VAL(KVMI_GET_NEXT_AVAILABLE_GFN, 31),
	VAL(KVMI_SWITCH_EPT_VIEW, 32),
	VAL(KVMI_DISABLE_VE, 33),
	VAL(KVMI_GET_EPT_VIEW, 34),
	VAL(KVMI_VCPU_TRANSLATE_GVA, 35),
	VAL(KVMI_CONTROL_EPT_VIEW, 36),
	VAL(KVMI_VCPU_GET_XCR, 37),
	VAL(KVMI_VCPU_SET_XSAVE, 38),
	VAL(KVMI_QUERY_PHYSICAL, 39),
	VAL(KVMI_VCPU_ALLOC_GFN, 41),
	VAL(KVMI_VCPU_FREE_GFN, 42),
	VAL(KVMI_CREATE_EPT_VIEW, 43),
	VAL(KVMI_DESTROY_EPT_VIEW, 44),
	VAL(KVMI_VCPU_CHANGE_GFN, 60),
	VAL(KVMI_VCPU_CONTROL_SINGLESTEP, 63),
	VAL(KVMI_NUM_MESSAGES, 64),
	VAL(KVM_NUM_MESSAGES, 64),

	/* event ids */
	VAL(KVMI_EVENT_UNHOOK, 0),
	VAL(KVMI_EVENT_CR, 1),
	VAL(KVMI_EVENT_MSR, 2),
	VAL(KVMI_EVENT_XSETBV, 3),
	VAL(KVMI_EVENT_BREAKPOINT, 4),
	VAL(KVMI_EVENT_HYPERCALL, 5),
	VAL(KVMI_EVENT_PF, 6),
	VAL(KVMI_EVENT_TRAP, 7),
	VAL(KVMI_EVENT_DESCRIPTOR, 8),
	VAL(KVMI_EVENT_CREATE_VCPU, 9),
	VAL(KVMI_EVENT_PAUSE_VCPU, 10),
	VAL(KVMI_EVENT_SINGLESTEP, 11),
	VAL(KVMI_EVENT_CMD_ERROR, 12),
	VAL(KVMI_EVENT_CPUID, 13),
	VAL(KVMI_NUM_EVENTS, 14),

	/* other constants */
	VAL(KVMI_EVENT_ACTION_CONTINUE, 0),
	VAL(KVMI_EVENT_ACTION_RETRY, 1),
	VAL(KVMI_EVENT_ACTION_CRASH, 2),
	VAL(KVMI_PAGE_ACCESS_R, 1),
	VAL(KVMI_PAGE_ACCESS_W, 2),
	VAL(KVMI_PAGE_ACCESS_X, 4),
	VAL(KVMI_PAGE_ACCESS_SVE, 8),
	VAL(KVMI_DESC_IDTR, 1),
	VAL(KVMI_DESC_GDTR, 2),
	VAL(KVMI_DESC_LDTR, 3),
	VAL(KVMI_DESC_TR, 4),
	VAL(KVMI_CMD_RESPONSE_ERROR_EVENTS, 1),
	VAL(KVM_ENOSYS, 1000),
	VAL(KVM_EFAULT, 14),
	VAL(KVM_EINVAL, 22),
	VAL(KVM_E2BIG, 7),
	VAL(KVM_EPERM, 1),
	VAL(KVM_EOPNOTSUPP, 95),
	VAL(KVM_EAGAIN, 11),
	VAL(KVM_ENOENT, 2),
	VAL(KVM_ENOMEM, 12),
	VAL(KVM_EBUSY, 16),
};

int main(void)
{
	size_t n = ARRAY_SIZE(checks);
	unsigned int failed = 0;
	size_t i;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		const struct check *c = &checks[i];

		if (c->actual == c->expected) {
			printf("ok %zu - %s\n", i + 1, c->name);
			continue;
		}
		failed++;
		printf("not ok %zu - %s # expected %llu (0x%llx) got %llu (0x%llx)\n",
		       i + 1, c->name, c->expected, c->expected,
		       c->actual, c->actual);
	}
	if (failed)
		printf("# %u of %zu checks failed\n", failed, n);
	return failed ? 1 : 0;
}
