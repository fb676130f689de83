/* SPDX-License-Identifier: GPL-2.0-only */
/* A compact map from gfn to a few bits (gfn_map.c). */
#ifndef KVMI_GFN_MAP_H
#define KVMI_GFN_MAP_H

#include <linux/types.h>
#include <linux/xarray.h>

/**
 * struct kvmi_gfn_map - gfn -> 4 bits, 0 for gfns never set
 * @chunks: chunk index (gfn / 64) -> struct kvmi_gfn_chunk
 *
 * Readers run under RCU (or the writers' lock); writers are serialised
 * by their caller.
 */
struct kvmi_gfn_map {
	struct xarray chunks;
};

void kvmi_gfn_map_init(struct kvmi_gfn_map *m);
u8 kvmi_gfn_map_get(struct kvmi_gfn_map *m, u64 gfn);
int kvmi_gfn_map_set(struct kvmi_gfn_map *m, u64 gfn, u8 bits);
void kvmi_gfn_map_clear_range(struct kvmi_gfn_map *m, u64 gfn, u64 n);
void kvmi_gfn_map_drain(struct kvmi_gfn_map *m,
			void (*fn)(void *ctx, u64 gfn, u8 bits), void *ctx);

#endif /* KVMI_GFN_MAP_H */
