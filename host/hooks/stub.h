/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call stubs into kernel code that is not exported or not address-taken.
 *
 * Kernels built with X86_KERNEL_IBT (Debian 6.12) seal functions whose
 * address is never taken: their ENDBR is overwritten at boot, and an
 * indirect CALL/JMP to them raises #CP on an IBT-enforcing CPU.  A RET is
 * not checked, so each stub pushes the target address and "returns" to it.
 * Arguments in registers and on the stack and the return value pass
 * through untouched, so C code calls the stub with the target's prototype
 * as an ordinary direct call.
 *
 * The target is set once during module init (kvmi_hooks_init()), before
 * any caller can reach the stub, and is read-only afterwards.
 *
 * objtool rejects this control flow ("return with modified stack frame"),
 * so stubs are defined in stubs.c only, each marked as non-standard there.
 */
#ifndef KVMI_HOOKS_STUB_H
#define KVMI_HOOKS_STUB_H

#include <linux/cache.h>
#include <linux/stringify.h>

#define KVMI_STUB_TARGET(name) kvmi_stub_target_##name

#define KVMI_DEFINE_STUB(name)						\
	unsigned long KVMI_STUB_TARGET(name) __ro_after_init;		\
	asm(".pushsection .text\n"					\
	    ".globl kvmi_stub_" #name "\n"				\
	    ".type kvmi_stub_" #name ", @function\n"			\
	    "kvmi_stub_" #name ":\n"					\
	    "\tpushq kvmi_stub_target_" #name "(%rip)\n"		\
	    "\tjmp __x86_return_thunk\n"				\
	    "\tint3\n"							\
	    ".size kvmi_stub_" #name ", .-kvmi_stub_" #name "\n"	\
	    ".popsection\n")

#define KVMI_DECLARE_STUB(name)						\
	extern unsigned long KVMI_STUB_TARGET(name)

#endif /* KVMI_HOOKS_STUB_H */
