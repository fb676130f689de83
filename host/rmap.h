/* SPDX-License-Identifier: GPL-2.0-only */
/* Remote mapping: map tokens (token.c) and mappings (rmap.c). */
#ifndef KVMI_RMAP_H
#define KVMI_RMAP_H

#include <linux/types.h>

struct kvm;
struct kvm_vcpu;
struct kvmi_mem_token;
struct kvmi_vm;
struct seq_file;

int kvmi_token_new(struct kvmi_vm *vm, struct kvmi_mem_token *out);
struct kvmi_vm *kvmi_token_take(const struct kvmi_mem_token *bytes);
void kvmi_tokens_drop(struct kvmi_vm *vm);
unsigned int kvmi_tokens_count(void);

int kvmi_rmap_init(void);
void kvmi_rmap_exit(void);
int kvmi_rmap_mark(struct kvm *kvm, bool enable);
bool kvmi_rmap_hypercall(struct kvm_vcpu *vcpu, u64 nr, const u64 args[3],
			 int *ret);
void kvmi_rmap_session_end(struct kvmi_vm *vm);
void kvmi_rmap_slot_removed(struct kvmi_vm *vm, u64 gfn, unsigned long n);
void kvmi_rmap_vm_release(struct kvm *kvm);
void kvmi_rmap_vcpu_reset(struct kvm_vcpu *vcpu);
void kvmi_rmap_show(struct seq_file *m);

#endif /* KVMI_RMAP_H */
