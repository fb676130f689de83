/* SPDX-License-Identifier: GPL-2.0-only */
/* Handlers of the vCPU-scope commands (vcpu_cmd.c). */
#ifndef KVMI_VCPU_CMD_H
#define KVMI_VCPU_CMD_H

#include "vcpu.h"

/*
 * A vCPU handler gets the command's fixed part (starting with struct
 * kvmi_vcpu_hdr), checked and zero-extended, and the whole payload
 * (hdr->size bytes), and answers with kvmi_msg_reply().
 */
typedef int (*kvmi_vcpu_cmd_fn)(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body);

int kvmi_vcpu_cmd_get_info(struct kvmi_vcpu *kv, const struct kvmi_msg_hdr *hdr,
			   const void *req, const void *body);
int kvmi_vcpu_cmd_control_events(struct kvmi_vcpu *kv,
				 const struct kvmi_msg_hdr *hdr, const void *req, const void *body);
int kvmi_vcpu_cmd_pause(struct kvmi_vcpu *kv, const struct kvmi_msg_hdr *hdr,
			const void *req, const void *body);
int kvmi_vcpu_cmd_get_registers(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr, const void *req, const void *body);
int kvmi_vcpu_cmd_set_registers(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr, const void *req, const void *body);
int kvmi_vcpu_cmd_get_xcr(struct kvmi_vcpu *kv, const struct kvmi_msg_hdr *hdr,
			  const void *req, const void *body);
int kvmi_vcpu_cmd_get_cpuid(struct kvmi_vcpu *kv,
			    const struct kvmi_msg_hdr *hdr, const void *req,
			    const void *body);
int kvmi_vcpu_cmd_translate_gva(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body);
int kvmi_vcpu_cmd_get_xsave(struct kvmi_vcpu *kv,
			    const struct kvmi_msg_hdr *hdr, const void *req,
			    const void *body);
int kvmi_vcpu_cmd_set_xsave(struct kvmi_vcpu *kv,
			    const struct kvmi_msg_hdr *hdr, const void *req,
			    const void *body);
int kvmi_vcpu_cmd_get_mtrr_type(struct kvmi_vcpu *kv,
				const struct kvmi_msg_hdr *hdr,
				const void *req, const void *body);
int kvmi_vcpu_cmd_control_cr(struct kvmi_vcpu *kv,
			     const struct kvmi_msg_hdr *hdr,
			     const void *req, const void *body);
int kvmi_vcpu_cmd_control_msr(struct kvmi_vcpu *kv,
			      const struct kvmi_msg_hdr *hdr,
			      const void *req, const void *body);
int kvmi_vcpu_cmd_control_singlestep(struct kvmi_vcpu *kv,
				     const struct kvmi_msg_hdr *hdr,
				     const void *req, const void *body);
int kvmi_vcpu_cmd_inject_exception(struct kvmi_vcpu *kv,
				   const struct kvmi_msg_hdr *hdr,
				   const void *req, const void *body);

#endif /* KVMI_VCPU_CMD_H */
