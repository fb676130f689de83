/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal interfaces between the files of kvmi.ko's core. */
#ifndef KVMI_INT_H
#define KVMI_INT_H

int kvmi_debugfs_init(void);
void kvmi_debugfs_exit(void);

#endif /* KVMI_INT_H */
