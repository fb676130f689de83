/* SPDX-License-Identifier: GPL-2.0-only */
/* Symbol resolution and unexported helpers, private to the hooks layer. */
#ifndef KVMI_HOOKS_SYMBOLS_H
#define KVMI_HOOKS_SYMBOLS_H

#include <linux/types.h>

struct module;

int kvmi_symbols_init(void);
unsigned long kvmi_lookup(const char *module, const char *symbol);
unsigned long kvmi_fentry(unsigned long addr);
struct module *kvmi_module_of(unsigned long addr);

int kvmi_vendor_pin(void);
void kvmi_vendor_unpin(void);
const char *kvmi_vendor_name(void);
bool kvmi_vendor_owns(unsigned long addr);
bool kvmi_vendor_is_amd(void);

#endif /* KVMI_HOOKS_SYMBOLS_H */
