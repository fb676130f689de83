/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The content of the introspected guest's page in the remote-mapping
 * test, known to both sides: a magic string, a counter that the source
 * keeps changing, and a fixed byte pattern over the rest of the page.
 */
#ifndef KVMMEM_PAGE_H
#define KVMMEM_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KVMMEM_PAGE		4096
#define KVMMEM_MAGIC		"kvmmem test: the source's page"
#define KVMMEM_COUNTER_OFF	32	/* a uint64_t */
#define KVMMEM_BODY_OFF		64	/* the pattern, to the page's end */

static inline uint8_t kvmmem_body_byte(size_t i)
{
	return (uint8_t)(i * 131 + 7);
}

static inline void kvmmem_page_fill(uint8_t *page)
{
	size_t i;

	memset(page, 0, KVMMEM_BODY_OFF);
	memcpy(page, KVMMEM_MAGIC, sizeof(KVMMEM_MAGIC));
	for (i = KVMMEM_BODY_OFF; i < KVMMEM_PAGE; i++)
		page[i] = kvmmem_body_byte(i);
}

static inline uint64_t kvmmem_page_counter(const uint8_t *page)
{
	uint64_t v;

	memcpy(&v, page + KVMMEM_COUNTER_OFF, sizeof(v));
	return v;
}

static inline void kvmmem_page_set_counter(uint8_t *page, uint64_t v)
{
	memcpy(page + KVMMEM_COUNTER_OFF, &v, sizeof(v));
}

/* The offset of the first byte that differs, KVMMEM_PAGE if none. */
static inline size_t kvmmem_page_check(const uint8_t *page)
{
	size_t i;

	for (i = 0; i < KVMMEM_COUNTER_OFF; i++)
		if (page[i] != (i < sizeof(KVMMEM_MAGIC) ? KVMMEM_MAGIC[i] : 0))
			return i;
	for (i = KVMMEM_COUNTER_OFF + 8; i < KVMMEM_BODY_OFF; i++)
		if (page[i])
			return i;
	for (i = KVMMEM_BODY_OFF; i < KVMMEM_PAGE; i++)
		if (page[i] != kvmmem_body_byte(i))
			return i;
	return KVMMEM_PAGE;
}

#endif /* KVMMEM_PAGE_H */
