// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmmem_source: the introspected guest's side of the remote-mapping test
 * (scripts/vm/kvmmem.sh), run as root by scripts/guest/init with
 * kvmi_role=source.
 *
 * It fills one locked page with a known content (kvmmem_page.h), prints
 * the page's guest-physical address, found in /proc/self/pagemap, as
 * "SOURCE-GPA 0x... (pagemap)", then forever: every 0.5 s it increments the page's
 * counter and checks the rest of the page, printing "SOURCE-CORRUPTED"
 * if anything else changed (the introspector VM's writes must not reach
 * it), and "SOURCE-TICK N" every 10th time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvmmem_page.h"

/* /proc/PID/pagemap entries: bit 63 present, bits 0-54 the frame */
#define PM_PRESENT	0x8000000000000000ull
#define PM_PFN_MASK	0x007fffffffffffffull

static void fail(const char *what)
{
	printf("SOURCE-ERROR %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The guest-physical address of the page at @p. */
static uint64_t gpa_of(void *p)
{
	uint64_t entry;
	off_t off = (uintptr_t)p / KVMMEM_PAGE * sizeof(entry);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		fail("open /proc/self/pagemap");
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		fail("read /proc/self/pagemap");
	close(fd);
	if (!(entry & PM_PRESENT) || !(entry & PM_PFN_MASK)) {
		errno = ENOENT;
		fail("the page is not present (or not root)");
	}
	return (entry & PM_PFN_MASK) * KVMMEM_PAGE;
}

int main(void)
{
	struct timespec half = { .tv_nsec = 500 * 1000 * 1000 };
	unsigned long long ticks = 0;
	uint8_t *page;
	size_t bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = mmap(NULL, KVMMEM_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (page == MAP_FAILED)
		fail("mmap");
	/* keep the page in place: the test maps it by its address */
	if (mlock(page, KVMMEM_PAGE))
		fail("mlock");
	kvmmem_page_fill(page);
	printf("SOURCE-GPA 0x%llx (pagemap)\n",
	       (unsigned long long)gpa_of(page));
	for (;;) {
		nanosleep(&half, NULL);
		kvmmem_page_set_counter(page, ++ticks);
		bad = kvmmem_page_check(page);
		if (bad != KVMMEM_PAGE) {
			printf("SOURCE-CORRUPTED at offset %zu\n", bad);
			kvmmem_page_fill(page);
		}
		if (ticks % 10 == 0)
			printf("SOURCE-TICK %llu\n", ticks / 10);
	}
}
