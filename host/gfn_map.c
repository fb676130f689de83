// SPDX-License-Identifier: GPL-2.0-only
/*
 * A compact gfn -> 4-bit map for page access restrictions.
 *
 * gfns are grouped by 64: a chunk holds their 64 nibbles (32 bytes) and
 * exists once one of them was set (it is kept, even back at zero, until
 * the map is drained).  An xarray indexes the chunks.  For the dense
 * batches tools send, this costs about 1.1 bytes per gfn (48-byte chunks
 * from kmalloc-64, plus the xarray's nodes); a sparse map costs up to one
 * chunk per gfn.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "gfn_map.h"

#define KVMI_CHUNK_SHIFT	6
#define KVMI_CHUNK_GFNS		BIT(KVMI_CHUNK_SHIFT)

struct kvmi_gfn_chunk {
	u8 nib[KVMI_CHUNK_GFNS / 2];
	struct rcu_head rcu;
};

void kvmi_gfn_map_init(struct kvmi_gfn_map *m)
{
	xa_init(&m->chunks);
}

static u8 nibble(const struct kvmi_gfn_chunk *c, unsigned int i)
{
	u8 b = READ_ONCE(c->nib[i / 2]);

	return i & 1 ? b >> 4 : b & 0xf;
}

/**
 * kvmi_gfn_map_get() - the bits of @gfn
 * @m: the map
 * @gfn: the gfn
 *
 * Context: RCU read side, or the writers' lock.
 */
u8 kvmi_gfn_map_get(struct kvmi_gfn_map *m, u64 gfn)
{
	struct kvmi_gfn_chunk *c = xa_load(&m->chunks, gfn >> KVMI_CHUNK_SHIFT);

	return c ? nibble(c, gfn & (KVMI_CHUNK_GFNS - 1)) : 0;
}

static void set_nibble(struct kvmi_gfn_chunk *c, unsigned int i, u8 bits)
{
	u8 b = c->nib[i / 2];

	b = i & 1 ? (b & 0x0f) | bits << 4 : (b & 0xf0) | bits;
	WRITE_ONCE(c->nib[i / 2], b);
}

/**
 * kvmi_gfn_map_set() - set the bits of @gfn
 * @m: the map
 * @gfn: the gfn
 * @bits: 0..15
 *
 * Context: the writers' lock; may sleep (allocates).
 * Return: 0 or -ENOMEM.
 */
int kvmi_gfn_map_set(struct kvmi_gfn_map *m, u64 gfn, u8 bits)
{
	unsigned long idx = gfn >> KVMI_CHUNK_SHIFT;
	struct kvmi_gfn_chunk *c = xa_load(&m->chunks, idx);
	int ret;

	if (!c) {
		if (!bits)
			return 0;
		c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
		if (!c)
			return -ENOMEM;
		ret = xa_err(xa_store(&m->chunks, idx, c, GFP_KERNEL_ACCOUNT));
		if (ret) {
			kfree(c);
			return ret;
		}
	}
	set_nibble(c, gfn & (KVMI_CHUNK_GFNS - 1), bits);
	return 0;
}

/**
 * kvmi_gfn_map_clear_range() - zero the bits of [@gfn, @gfn + @n)
 * @m: the map
 * @gfn: first gfn
 * @n: number of gfns
 *
 * Context: the writers' lock.
 */
void kvmi_gfn_map_clear_range(struct kvmi_gfn_map *m, u64 gfn, u64 n)
{
	struct kvmi_gfn_chunk *c;
	unsigned long idx;
	u64 g;

	if (!n)
		return;
	xa_for_each_range(&m->chunks, idx, c, gfn >> KVMI_CHUNK_SHIFT,
			  (gfn + n - 1) >> KVMI_CHUNK_SHIFT)
		for (g = max_t(u64, gfn, (u64)idx << KVMI_CHUNK_SHIFT);
		     g < gfn + n && g >> KVMI_CHUNK_SHIFT == idx; g++)
			set_nibble(c, g & (KVMI_CHUNK_GFNS - 1), 0);
}

/**
 * kvmi_gfn_map_drain() - empty the map
 * @m: the map
 * @fn: called for each gfn with non-zero bits, after they were zeroed
 * @ctx: for @fn
 *
 * Context: the writers' lock; may sleep.
 */
void kvmi_gfn_map_drain(struct kvmi_gfn_map *m,
			void (*fn)(void *ctx, u64 gfn, u8 bits), void *ctx)
{
	struct kvmi_gfn_chunk *c;
	unsigned long idx;
	unsigned int i;
	u8 bits;

	xa_for_each(&m->chunks, idx, c) {
		for (i = 0; i < KVMI_CHUNK_GFNS; i++) {
			bits = nibble(c, i);
			if (!bits)
				continue;
			set_nibble(c, i, 0);
			fn(ctx, ((u64)idx << KVMI_CHUNK_SHIFT) + i, bits);
		}
		xa_erase(&m->chunks, idx);
		kfree_rcu(c, rcu);
	}
	xa_destroy(&m->chunks);
}
