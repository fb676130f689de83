/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading kvmi's hook state from user space, for the pass-through tests:
 * /sys/kernel/debug/kvmi/hooks ("symbol module state hits" lines) and
 * /sys/kernel/tracing/enabled_functions (one line per armed function).
 */
#ifndef KVMI_PASSTHROUGH_HOOKS_H
#define KVMI_PASSTHROUGH_HOOKS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"

#define KVMI_HOOKS_FILE "/sys/kernel/debug/kvmi/hooks"
#define ENABLED_FUNCTIONS "/sys/kernel/tracing/enabled_functions"

/* Hit count of @symbol's hook, or -1 if not listed as armed. */
static inline long long hook_hits(const char *symbol)
{
	char line[256], sym[128], mod[64], state[16];
	long long hits, ret = -1;
	FILE *f = fopen(KVMI_HOOKS_FILE, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%127s %63s %15s %lld", sym, mod, state,
			   &hits) == 4 && !strcmp(sym, symbol) &&
		    !strcmp(state, "armed"))
			ret = hits;
	}
	fclose(f);
	return ret;
}

/* Is @symbol listed in enabled_functions? */
static inline bool function_enabled(const char *symbol)
{
	size_t len = strlen(symbol);
	char line[512];
	bool found = false;
	FILE *f = fopen(ENABLED_FUNCTIONS, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, symbol, len) &&
		    (line[len] == ' ' || line[len] == '\t'))
			found = true;
	fclose(f);
	return found;
}

static inline bool kvmi_debugfs_present(void)
{
	return !access("/sys/kernel/debug/kvmi", F_OK);
}

/*
 * The two results that depend on kvmi being loaded or not: with kvmi,
 * @symbol's hook counted exactly one call between @before and @after and
 * ftrace lists it; without kvmi, neither kvmi's debugfs directory nor
 * the ftrace entry exists.
 */
static inline void check_hook_state(bool hooked, const char *symbol,
				    long long before, long long after)
{
	if (hooked) {
		ksft_test_result(before >= 0 && after == before + 1,
				 "hook_hits # before %lld after %lld, expected +1\n",
				 before, after);
		ksft_test_result(function_enabled(symbol),
				 "enabled_functions_lists_hook\n");
	} else {
		ksft_test_result(!kvmi_debugfs_present(),
				 "no_kvmi_debugfs\n");
		ksft_test_result(!function_enabled(symbol),
				 "enabled_functions_empty\n");
	}
}

#endif /* KVMI_PASSTHROUGH_HOOKS_H */
