/* SPDX-License-Identifier: GPL-2.0-only */
/* A few lines of TAP for the user-space unit tests. */
#ifndef KVMI_UNIT_TAP_H
#define KVMI_UNIT_TAP_H

#include <stdarg.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif

static int tap_n, tap_failed;

static void __printf(2, 3) tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		tap_failed++;
}

/* Compare two numbers; on failure say what was expected. */
#define TAP_EQ(actual, expected, ...)					\
	do {								\
		long long __a = (long long)(actual);			\
		long long __e = (long long)(expected);			\
		tap(__a == __e, __VA_ARGS__);				\
		if (__a != __e)						\
			printf("# expected %lld, got %lld\n", __e, __a);	\
	} while (0)

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* KVMI_UNIT_TAP_H */
