/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's helper macros, for the user-space tools. */
#ifndef KVMI_TOOLS_UTIL_H
#define KVMI_TOOLS_UTIL_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __noreturn
#define __noreturn __attribute__((__noreturn__))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#endif

#endif /* KVMI_TOOLS_UTIL_H */
