/* SPDX-License-Identifier: GPL-2.0-only */
/* Handlers of the VM-scope commands (vm_cmd.c). */
#ifndef KVMI_VM_CMD_H
#define KVMI_VM_CMD_H

#include "kvmi_int.h"

/*
 * A handler gets the command's fixed part, checked and zero-extended, in
 * @req, the whole payload in vm->buf, and answers with kvmi_msg_reply().
 * It returns what kvmi_msg_reply() returns, or a negative error that
 * ends the session.
 */
typedef int (*kvmi_cmd_fn)(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req);

int kvmi_cmd_get_version(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req);
int kvmi_cmd_check_command(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req);
int kvmi_cmd_check_event(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req);
int kvmi_cmd_get_guest_info(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			    const void *req);
int kvmi_cmd_control_vm_events(struct kvmi_vm *vm,
			       const struct kvmi_msg_hdr *hdr, const void *req);
int kvmi_cmd_read_physical(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req);
int kvmi_cmd_write_physical(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			    const void *req);
int kvmi_cmd_control_cmd_response(struct kvmi_vm *vm,
				  const struct kvmi_msg_hdr *hdr,
				  const void *req);
int kvmi_cmd_get_map_token(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			   const void *req);
int kvmi_cmd_get_max_gfn(struct kvmi_vm *vm, const struct kvmi_msg_hdr *hdr,
			 const void *req);

#endif /* KVMI_VM_CMD_H */
