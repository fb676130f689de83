// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi_rmap_test: remote mapping.  KVMI_GET_MAP_TOKEN, the introspector
 * mark of /dev/kvmi, the KVM_HC_MEM_MAP / KVM_HC_MEM_UNMAP hypercalls
 * with their bad inputs, and every way a mapping ends.
 *
 * Two VMs run the same guest: VM A is hooked (the tool asks for tokens),
 * VM B is the introspector.  Each KVM_RUN of a guest performs the request
 * the test left in its request page (one hypercall, or a run of random
 * tokens) and reports RAX and the first two words of its map page, as
 * the guest reads them after the call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvmi_para.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "kvmi_util.h"

#define HC_NONE		0xffffu	/* no such hypercall: KVM says ENOSYS */
#define A_PATTERN	0xa5a5a5a5a5a5a5a5ull
#define B_PATTERN	0xb6b6b6b6b6b6b6b6ull
#define NO_RAM		0xc0000000ull	/* a gpa without memory (MMIO) */
#define ROM_GPA		0xd0000000ull
#define ROM_SLOT	12
#define EXTRA_GPA	0xe0000000ull
#define EXTRA_SLOT	13
#define THP_GPA		0x100000000ull	/* also its gva */
#define THP_SLOT	14
#define THP_PAGES	512
#define RANDOM_TOKENS	10000

/* What the guest does on its next run; in its request page. */
struct hc_req {
	uint64_t nr;
	uint64_t args[3];
	uint64_t write;		/* non-zero: written to the map page first */
	uint64_t tries;		/* non-zero: MAP with this many random tokens */
	uint64_t seed;		/* ... made from this seed */
	struct kvmi_mem_token token;
};

static vm_vaddr_t req_gva, map_gva;

static uint64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret;

	asm volatile("vmmcall"
		     : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
		     : "memory");
	return ret;
}

static void guest_code(void)
{
	struct hc_req *r = (struct hc_req *)req_gva;

	for (;;) {
		uint64_t *page = (uint64_t *)READ_ONCE(map_gva);
		uint64_t ret = 0, hits = 0, seed, i, w;

		if (r->write)
			WRITE_ONCE(page[0], r->write);
		if (r->tries) {
			seed = r->seed | 1;
			for (i = 0; i < r->tries; i++) {
				for (w = 0; w < 4; w++) {
					seed ^= seed << 13;
					seed ^= seed >> 7;
					seed ^= seed << 17;
					r->token.token[w] = seed;
				}
				ret = hypercall(KVM_HC_MEM_MAP,
						(uint64_t)&r->token, r->args[1],
						r->args[2]);
				hits += !ret;
			}
		} else {
			ret = hypercall(r->nr, r->args[0], r->args[1],
					r->args[2]);
		}
		GUEST_SYNC_ARGS(1, ret, READ_ONCE(page[0]), READ_ONCE(page[1]),
				hits);
	}
}

/* One VM, its request page and its map page. */
struct side {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	vm_vaddr_t req;
	vm_vaddr_t map;
	uint64_t map_gpa;
};

static struct side a, b;
static struct kvmi_tool tool;

static void side_create(struct side *s, uint64_t pattern)
{
	s->vm = vm_create_with_one_vcpu(&s->vcpu, guest_code);
#ifdef KVMI_LIB_NEEDS_DESC_TABLES
	vm_init_descriptor_tables(s->vm);
	vcpu_init_descriptor_tables(s->vcpu);
#endif
	s->req = vm_vaddr_alloc_page(s->vm);
	s->map = vm_vaddr_alloc_page(s->vm);
	s->map_gpa = addr_gva2gpa(s->vm, s->map);
	req_gva = s->req;
	map_gva = s->map;
	sync_global_to_guest(s->vm, req_gva);
	sync_global_to_guest(s->vm, map_gva);
	((uint64_t *)addr_gva2hva(s->vm, s->map))[0] = pattern;
	((uint64_t *)addr_gva2hva(s->vm, s->map))[1] = pattern + 1;
}

static struct hc_req *req(struct side *s)
{
	return addr_gva2hva(s->vm, s->req);
}

static uint64_t *page(struct side *s)
{
	return addr_gva2hva(s->vm, s->map);
}

/* What the guest reported on its last run. */
static uint64_t last_word, last_hits;

/* Run @s once: return RAX. */
static long run(struct side *s)
{
	struct ucall uc;

	vcpu_run(s->vcpu);
	CHECK_EQ(get_ucall(s->vcpu, &uc), UCALL_SYNC);
	last_word = uc.args[3];
	last_hits = uc.args[5];
	return (long)uc.args[2];
}

static long hc(struct side *s, uint64_t nr, uint64_t a0, uint64_t a1,
	       uint64_t a2)
{
	struct hc_req *r = req(s);

	memset(r, 0, offsetof(struct hc_req, token));
	r->nr = nr;
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	return run(s);
}

/* The word the guest of @s reads at the start of its map page. */
static uint64_t guest_reads(struct side *s)
{
	hc(s, HC_NONE, 0, 0, 0);
	return last_word;
}

static long map_with(struct side *s, const struct kvmi_mem_token *t,
		     uint64_t req_gpa, uint64_t map_gpa)
{
	req(s)->token = *t;
	return hc(s, KVM_HC_MEM_MAP, s->req + offsetof(struct hc_req, token),
		  req_gpa, map_gpa);
}

static long unmap(struct side *s, uint64_t map_gpa)
{
	return hc(s, KVM_HC_MEM_UNMAP, map_gpa, 0, 0);
}

static void get_token(struct kvmi_mem_token *t)
{
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_MAP_TOKEN, NULL, 0, t, sizeof(*t)),
		 0);
}

/* Map A's map page over B's, with a fresh token. */
static long map_a_into_b(void)
{
	struct kvmi_mem_token t;

	get_token(&t);
	return map_with(&b, &t, a.map_gpa, b.map_gpa);
}

static int mark(struct kvm_vm *vm, uint32_t enable)
{
	struct kvmi_ctl_introspector m = { .vm_fd = vm->fd, .enable = enable };
	int fd = open("/dev/kvmi", O_RDWR);
	int ret;

	CHECK(fd >= 0, "open /dev/kvmi: %s", strerror(errno));
	ret = ioctl(fd, KVMI_CTL_INTROSPECTOR, &m) ? -errno : 0;
	close(fd);
	return ret;
}

/* A figure of /sys/kernel/debug/kvmi/rmap. */
static long rmap_count(const char *what)
{
	FILE *f = fopen("/sys/kernel/debug/kvmi/rmap", "r");
	char key[32];
	long val, ret = -1;

	CHECK(f, "cannot open /sys/kernel/debug/kvmi/rmap");
	while (fscanf(f, "%31s %ld", key, &val) == 2)
		if (!strcmp(key, what))
			ret = val;
	fclose(f);
	return ret;
}

static long pins_before;

/* A hooked, B marked; both guests ran once. */
static void setup(void)
{
	pins_before = kvmi_pins_outstanding();
	side_create(&a, A_PATTERN);
	side_create(&b, B_PATTERN);
	kvmi_hook(a.vm, &tool);
	kvmi_allow_all(a.vm);
	CHECK_EQ(mark(b.vm, 1), 0);
	CHECK_EQ(guest_reads(&b), B_PATTERN);
	CHECK_EQ(guest_reads(&a), A_PATTERN);
}

/* Nothing mapped, nothing pinned (pins go after an RCU grace period). */
static void check_released(void)
{
	int i;

	CHECK_EQ(rmap_count("mappings"), 0);
	for (i = 0; i < 500 && rmap_count("pinned"); i++)
		usleep(10000);
	CHECK_EQ(rmap_count("pinned"), 0);
	CHECK_EQ(kvmi_pins_outstanding(), pins_before);
}

/*
 * B reads A's page, then A's later writes; B's own write does not reach
 * A (it lands in B's hidden page); after UNMAP B sees its own page.
 */
static void test_map_read_unmap(void)
{
	setup();
	CHECK_EQ(map_a_into_b(), 0);
	CHECK_EQ(rmap_count("mappings"), 1);
	CHECK_EQ(rmap_count("pinned"), 1);
	CHECK_EQ(kvmi_pins_outstanding(), pins_before + 1);
	CHECK_EQ(guest_reads(&b), A_PATTERN);

	page(&a)[0] = 0x1234;
	CHECK_EQ(guest_reads(&b), 0x1234);

	req(&b)->nr = HC_NONE;
	req(&b)->write = 0x5678;
	run(&b);
	CHECK_EQ(last_word, 0x1234);		/* still A's page */
	CHECK_EQ(page(&a)[0], 0x1234);		/* A unchanged */
	req(&b)->write = 0;

	CHECK_EQ(unmap(&b, b.map_gpa), 0);
	CHECK_EQ(guest_reads(&b), 0x5678);	/* B's own page, B's write */
	CHECK_EQ(unmap(&b, b.map_gpa), -KVM_ENOENT);
	check_released();
}

/* Forged, spent, expired, foreign and unreadable tokens. */
static void test_bad_tokens(void)
{
	struct kvmi_mem_token t = { .token = { 1, 2, 3, 4 } };
	FILE *ttl;

	setup();
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_ENOENT);

	/* spent: by a successful MAP, and by a failed one */
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), 0);
	CHECK_EQ(unmap(&b, b.map_gpa), 0);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_ENOENT);
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, 1ull << 40, b.map_gpa), -KVM_EINVAL);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_ENOENT);

	/* the token's address does not translate, or is not RAM */
	get_token(&t);
	CHECK_EQ(hc(&b, KVM_HC_MEM_MAP, 0xdead0000, a.map_gpa, b.map_gpa),
		 -KVM_EFAULT);
	virt_pg_map(b.vm, NO_RAM, NO_RAM);
	CHECK_EQ(hc(&b, KVM_HC_MEM_MAP, NO_RAM, a.map_gpa, b.map_gpa),
		 -KVM_EFAULT);
	/* ... and the token that was not presented is still good */
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), 0);
	CHECK_EQ(unmap(&b, b.map_gpa), 0);

	/* expired */
	ttl = fopen("/sys/module/kvmi/parameters/map_token_ttl", "w");
	CHECK(ttl, "map_token_ttl: %s", strerror(errno));
	fprintf(ttl, "1\n");
	fclose(ttl);
	get_token(&t);
	usleep(2500 * 1000);
	ttl = fopen("/sys/module/kvmi/parameters/map_token_ttl", "w");
	fprintf(ttl, "30\n");
	fclose(ttl);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_ENOENT);

	/* a VM does not map its own pages */
	CHECK_EQ(mark(a.vm, 1), 0);
	get_token(&t);
	CHECK_EQ(map_with(&a, &t, a.map_gpa, b.map_gpa), -KVM_EINVAL);

	/* foreign: the session that made it ended */
	get_token(&t);
	CHECK_EQ(kvmi_unhook(a.vm), 0);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_ENOENT);
	CHECK_EQ(rmap_count("tokens"), 0);
	check_released();
}

/* Random tokens from the guest itself: not one maps anything. */
static void test_random_tokens(void)
{
	struct kvmi_mem_token t;
	struct hc_req *r;

	setup();
	get_token(&t);		/* a live token that they must not hit */
	r = req(&b);
	memset(r, 0, sizeof(*r));
	r->tries = RANDOM_TOKENS;
	r->seed = ((uint64_t)random() << 32) ^ random() ^ getpid();
	r->args[1] = a.map_gpa;
	r->args[2] = b.map_gpa;
	CHECK_EQ(run(&b), -KVM_ENOENT);
	CHECK_EQ(last_hits, 0);
	CHECK_EQ(last_word, B_PATTERN);
	CHECK_EQ(rmap_count("mappings"), 0);
	r->tries = 0;
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), 0);
	CHECK_EQ(guest_reads(&b), A_PATTERN);
	CHECK_EQ(unmap(&b, b.map_gpa), 0);
	check_released();
}

/* Addresses that cannot be mapped, and UNMAP of what is not mapped. */
static void test_bad_gpas(void)
{
	struct kvmi_mem_token t;

	setup();
	vm_userspace_mem_region_add(b.vm, VM_MEM_SRC_ANONYMOUS, ROM_GPA,
				    ROM_SLOT, 1, KVM_MEM_READONLY);
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, a.map_gpa + 8, b.map_gpa), -KVM_EINVAL);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa + 8), -KVM_EINVAL);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, NO_RAM), -KVM_EINVAL);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, ROM_GPA), -KVM_EINVAL);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, 1ull << 40), -KVM_EINVAL);
	/* these fail after the token was taken */
	CHECK_EQ(map_with(&b, &t, NO_RAM, b.map_gpa), -KVM_EINVAL);
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, 1ull << 40, b.map_gpa), -KVM_EINVAL);

	CHECK_EQ(map_a_into_b(), 0);
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_EBUSY);
	CHECK_EQ(unmap(&b, b.map_gpa + 8), -KVM_EINVAL);
	CHECK_EQ(unmap(&b, b.req), -KVM_ENOENT);
	CHECK_EQ(unmap(&b, NO_RAM), -KVM_ENOENT);
	CHECK_EQ(unmap(&b, b.map_gpa), 0);
	check_released();
}

/* Only a marked VM is served; losing the mark ends its mappings. */
static void test_mark(void)
{
	struct kvmi_mem_token t;

	setup();
	CHECK_EQ(mark(b.vm, 2), -EINVAL);
	CHECK_EQ(mark(b.vm, 1), 0);		/* twice is fine */
	CHECK_EQ(map_a_into_b(), 0);
	CHECK_EQ(guest_reads(&b), A_PATTERN);
	CHECK_EQ(mark(b.vm, 0), 0);
	CHECK_EQ(guest_reads(&b), B_PATTERN);
	CHECK_EQ(rmap_count("introspectors"), 0);
	check_released();

	/* unmarked: KVM's own answer, and nothing happens */
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), -KVM_ENOSYS);
	CHECK_EQ(unmap(&b, b.map_gpa), -KVM_ENOSYS);
	CHECK_EQ(mark(b.vm, 0), 0);		/* not marked: no error */
	/* the token was not spent */
	CHECK_EQ(mark(b.vm, 1), 0);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), 0);
	CHECK_EQ(unmap(&b, b.map_gpa), 0);
	check_released();
}

/* Eight live tokens per session; GET_MAP_TOKEN takes no parameters. */
static void test_token_limit(void)
{
	struct kvmi_mem_token t;
	uint32_t junk = 0;
	int i;

	setup();
	for (i = 0; i < 8; i++)
		get_token(&t);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_MAP_TOKEN, NULL, 0, &t, sizeof(t)),
		 -KVM_EAGAIN);
	CHECK_EQ(rmap_count("tokens"), 8);
	/* spending one frees its place (extra bytes are ignored: kvmi.rst) */
	CHECK_EQ(map_with(&b, &t, a.map_gpa, b.map_gpa), 0);
	CHECK_EQ(kvmi_cmd(&tool, KVMI_GET_MAP_TOKEN, &junk, sizeof(junk), &t,
			  sizeof(t)), 0);
	CHECK_EQ(unmap(&b, b.map_gpa), 0);
	CHECK_EQ(kvmi_unhook(a.vm), 0);
	CHECK_EQ(rmap_count("tokens"), 0);
	check_released();
}

/* The introspected VM's session ends: its pages are taken back. */
static void test_unhook_revokes(void)
{
	setup();
	CHECK_EQ(map_a_into_b(), 0);
	CHECK_EQ(guest_reads(&b), A_PATTERN);
	CHECK_EQ(kvmi_unhook(a.vm), 0);
	CHECK_EQ(guest_reads(&b), B_PATTERN);
	CHECK_EQ(unmap(&b, b.map_gpa), -KVM_ENOENT);
	check_released();
}

/* ... and so does the memory slot of the mapped page. */
static void test_slot_removal_revokes(void)
{
	struct kvmi_mem_token t;

	setup();
	vm_userspace_mem_region_add(a.vm, VM_MEM_SRC_ANONYMOUS, EXTRA_GPA,
				    EXTRA_SLOT, 1, 0);
	*(uint64_t *)addr_gpa2hva(a.vm, EXTRA_GPA) = 0x4242;
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, EXTRA_GPA, b.map_gpa), 0);
	CHECK_EQ(guest_reads(&b), 0x4242);
	vm_mem_region_delete(a.vm, EXTRA_SLOT);
	CHECK_EQ(guest_reads(&b), B_PATTERN);
	check_released();
}

/* The introspected VM goes away while mapped. */
static void test_source_dies(void)
{
	setup();
	CHECK_EQ(map_a_into_b(), 0);
	CHECK_EQ(guest_reads(&b), A_PATTERN);
	kvm_vm_free(a.vm);
	CHECK_EQ(guest_reads(&b), B_PATTERN);
	CHECK(kvmi_wait_hooked(0, 20000), "A still hooked");
	check_released();
}

/* The introspector VM goes away while mapped: every pin is released. */
static void test_introspector_dies(void)
{
	struct kvmi_mem_token t;

	setup();
	CHECK_EQ(map_a_into_b(), 0);
	vm_userspace_mem_region_add(a.vm, VM_MEM_SRC_ANONYMOUS, EXTRA_GPA,
				    EXTRA_SLOT, 1, 0);
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, EXTRA_GPA, b.req), 0);
	CHECK_EQ(rmap_count("pinned"), 2);
	kvm_vm_free(b.vm);
	CHECK_EQ(rmap_count("introspectors"), 0);
	check_released();
	/* A is still hooked and fine */
	CHECK_EQ(guest_reads(&a), A_PATTERN);
}

/*
 * A page inside a region that KVM maps with a 2 MiB page in B: only the
 * mapped page shows A's; its neighbours stay B's.
 */
static void test_huge_page_split(void)
{
	struct kvmi_mem_token t;
	uint64_t *thp;
	int i;

	setup();
	vm_userspace_mem_region_add(b.vm, VM_MEM_SRC_ANONYMOUS_THP, THP_GPA,
				    THP_SLOT, THP_PAGES, 0);
	virt_map(b.vm, THP_GPA, THP_GPA, THP_PAGES);
	thp = addr_gpa2hva(b.vm, THP_GPA);
	for (i = 0; i < THP_PAGES; i++)
		thp[i * 512] = B_PATTERN + i;
	/* B touches the region through its map page's gva: page 5 */
	map_gva = THP_GPA + 5 * 4096;
	sync_global_to_guest(b.vm, map_gva);
	CHECK_EQ(guest_reads(&b), B_PATTERN + 5);
	get_token(&t);
	CHECK_EQ(map_with(&b, &t, a.map_gpa, THP_GPA + 5 * 4096), 0);
	CHECK_EQ(guest_reads(&b), A_PATTERN);
	map_gva = THP_GPA + 6 * 4096;
	sync_global_to_guest(b.vm, map_gva);
	CHECK_EQ(guest_reads(&b), B_PATTERN + 6);
	map_gva = THP_GPA + 4 * 4096;
	sync_global_to_guest(b.vm, map_gva);
	CHECK_EQ(guest_reads(&b), B_PATTERN + 4);
	CHECK_EQ(unmap(&b, THP_GPA + 5 * 4096), 0);
	map_gva = THP_GPA + 5 * 4096;
	sync_global_to_guest(b.vm, map_gva);
	CHECK_EQ(guest_reads(&b), B_PATTERN + 5);
	check_released();
}

static const struct kvmi_test tests[] = {
	{ "map_read_unmap", test_map_read_unmap },
	{ "bad_tokens", test_bad_tokens },
	{ "random_tokens", test_random_tokens },
	{ "bad_gpas", test_bad_gpas },
	{ "mark", test_mark },
	{ "token_limit", test_token_limit },
	{ "unhook_revokes", test_unhook_revokes },
	{ "slot_removal_revokes", test_slot_removal_revokes },
	{ "source_dies", test_source_dies },
	{ "introspector_dies", test_introspector_dies },
	{ "huge_page_split", test_huge_page_split },
};

int main(void)
{
	return kvmi_run_tests(tests, ARRAY_SIZE(tests));
}
