// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_replay: the fuzzer's target (tools/fuzz/proto_fuzz.c, with its
 * checks of host/proto.c's results) run once on each file of the seed
 * corpus and of fuzz-repro/, built with gcc's ASan and UBSan: no clang
 * and no libFuzzer needed.
 *
 *   fuzz_replay [DIR...]     default: tools/fuzz/corpus and
 *                            tools/selftests/unit/fuzz-repro
 *
 * fuzz-repro/ keeps the input of every bug found in proto.c, by the
 * fuzzer or otherwise, named after it; each file is replayed here for
 * good.  One TAP line per file; a file that trips a check aborts the
 * program, which then fails without its plan line.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_fuzz.h"
#include "tap.h"

#ifndef REPLAY_DIRS
#error "REPLAY_DIRS: the default folders, separated by spaces"
#endif

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static int replay_file(const char *path)
{
	unsigned char *buf;
	FILE *f = fopen(path, "rb");
	long len;

	if (!f)
		return -1;
	len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	/* An exact-size copy, as libFuzzer hands its inputs over. */
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static void replay_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0, i;
	struct dirent *e;
	DIR *d = opendir(dir);

	tap(!!d, "open %s", dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		tap(!replay_file(path), "replay %s", path);
		free(names[i]);
	}
	free(names);
	tap(n > 0, "%s: %zu inputs", dir, n);
}

int main(int argc, char **argv)
{
	char dirs[] = REPLAY_DIRS, *dir, *save;
	int i;

	printf("TAP version 13\n");
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_dir(argv[i]);
	} else {
		for (dir = strtok_r(dirs, " ", &save); dir;
		     dir = strtok_r(NULL, " ", &save))
			replay_dir(dir);
	}
	return tap_done();
}
