/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entry points of the fuzz target (proto_fuzz.c), under the names
 * libFuzzer calls them by; tools/selftests/unit/fuzz_replay.c calls them
 * too, without libFuzzer.
 */
#ifndef KVMI_PROTO_FUZZ_H
#define KVMI_PROTO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* KVMI_PROTO_FUZZ_H */
