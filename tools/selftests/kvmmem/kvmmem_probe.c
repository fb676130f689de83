// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmmem_probe: the introspector guest's side of the remote-mapping test
 * (scripts/vm/kvmmem.sh), run as root by scripts/guest/init with
 * kvmi_role=introspector, after it loaded kvmmem.ko.
 *
 * It opens /dev/kvmmem twice (files 0 and 1), keeps four pages of its
 * own (slots 0 to 3, private anonymous, each filled with a content that
 * names it), and runs the commands it reads on stdin, one per line, each
 * led by an id that its answer repeats: "PROBE ID ...|" on stdout (the
 * '|' tells the reader of a slow console that the line is complete).
 *
 *   ID map FILE SLOT GPA TOKEN  KVM_INTRO_MEM_MAP (TOKEN: 64 hex digits
 *                               or "zero")         -> rc=0 | rc=-EXXX
 *   ID unmap FILE SLOT          KVM_INTRO_MEM_UNMAP -> rc=...
 *   ID close FILE               close the file and open it again
 *   ID read SLOT                what the slot shows: "source counter=N"
 *                               (the source's page, intact), "own" (its
 *                               own content) or "other at=OFFSET"
 *   ID write SLOT               write 64 bytes into the slot, then read
 *   ID hc                       VMMCALL (VMCALL on Intel) from user mode
 *                               with RAX=32 (KVM_HC_MEM_MAP) -> rax=N
 *   ID checks                   every argument check of /dev/kvmmem that
 *                               needs no host -> "ok" or "failed: ..."
 *   ID stats                    debugfs kvmmem/stats and the guest's pin
 *                               counters of /proc/vmstat, on one line
 *   ID exit
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvmmem.h>

#include "kvmmem_page.h"
#include "tools_util.h"

#define SLOTS		4
#define OWN_MAGIC	"kvmmem test: the probe's page %d"

static int files[2];
static uint8_t *slot[SLOTS];
static char id[32];

static void __printf(1, 2) answer(const char *fmt, ...)
{
	va_list ap;

	printf("PROBE %s ", id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("|\n");
}

static const char *err_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EINVAL, "EINVAL" }, { ENOTTY, "ENOTTY" },
		{ EALREADY, "EALREADY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	};
	static char buf[16];
	size_t i;

	if (!err)
		return "0";
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

/* 0 or the errno of an ioctl, as a name ("0", "EINVAL"...). */
static const char *io(int fd, unsigned long req, unsigned long arg)
{
	return err_name(ioctl(fd, req, arg) ? errno : 0);
}

static void fill_own(int i)
{
	memset(slot[i], 0xa5, KVMMEM_PAGE);
	snprintf((char *)slot[i], 64, OWN_MAGIC, i);
}

static bool is_own(int i)
{
	char magic[64];

	snprintf(magic, sizeof(magic), OWN_MAGIC, i);
	return !strcmp((const char *)slot[i], magic);
}

static const char *describe(int i)
{
	static char buf[64];
	size_t at;

	at = kvmmem_page_check(slot[i]);
	if (at == KVMMEM_PAGE)
		snprintf(buf, sizeof(buf), "source counter=%llu",
			 (unsigned long long)kvmmem_page_counter(slot[i]));
	else if (is_own(i))
		snprintf(buf, sizeof(buf), "own");
	else
		snprintf(buf, sizeof(buf), "other at=%zu", at);
	return buf;
}

/*
 * Plain 8-byte stores: a write to a mapped page is emulated by the host's
 * KVM, and these are instructions its emulator surely knows, whatever
 * memset() would pick on this CPU.
 */
static void write_slot(int i)
{
	uint64_t *p = (uint64_t *)(slot[i] + KVMMEM_BODY_OFF);
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;
	int j;

	for (j = 0; j < 8; j++)
		asm volatile("movq %1, %0" : "=m"(p[j]) : "r"(v));
}

static int parse_token(const char *s, struct kvmi_mem_token *t)
{
	uint8_t *b = (uint8_t *)t;
	unsigned int v;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (!strcmp(s, "zero"))
		return 0;
	if (strlen(s) != 2 * sizeof(*t))
		return -1;
	for (i = 0; i < sizeof(*t); i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		b[i] = v;
	}
	return 0;
}

static const char *map(int fd, uint64_t gva, uint64_t gpa,
		       const struct kvmi_mem_token *t)
{
	struct kvmi_mem_map m = { .token = *t, .gpa = gpa, .gva = gva };

	return io(fd, KVM_INTRO_MEM_MAP, (unsigned long)&m);
}

/* A user-mode hypercall: KVM refuses those with -KVM_EPERM. */
static long user_hypercall(unsigned long nr)
{
	unsigned int a, b, c, d;
	long ret;

	if (__get_cpuid(0, &a, &b, &c, &d) &&
	    (b == 0x68747541 || b == 0x6f677948))	/* "Auth", "Hygo" */
		asm volatile("vmmcall" : "=a"(ret)
			     : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
	else
		asm volatile("vmcall" : "=a"(ret)
			     : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
	return ret;
}

static int failures;

static void expect(const char *what, const char *got, const char *want)
{
	bool ok = !strcmp(got, want);

	printf("PROBE-CHECK %s: %s (want %s)%s\n", what, got, want,
	       ok ? "" : " FAILED");
	failures += !ok;
}

/* Every refusal of /dev/kvmmem that is decided in the guest. */
static void checks(void)
{
	const struct kvmi_mem_token zero = { };
	uint8_t *shared, *ro, *file, *gone;
	int fd = files[0], fdf, status;
	pid_t child;

	failures = 0;
	shared = mmap(NULL, KVMMEM_PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ro = mmap(NULL, KVMMEM_PAGE, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	gone = mmap(NULL, KVMMEM_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fdf = open("/init", O_RDONLY);
	file = mmap(NULL, KVMMEM_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    fdf, 0);
	if (shared == MAP_FAILED || ro == MAP_FAILED || gone == MAP_FAILED ||
	    file == MAP_FAILED) {
		printf("PROBE-CHECK setup: mmap failed: %s\n", strerror(errno));
		failures++;
		return;
	}
	munmap(gone, KVMMEM_PAGE);

	expect("map, gva not page-aligned",
	       map(fd, (uintptr_t)slot[0] + 8, 0, &zero), "EINVAL");
	expect("map, shared anonymous memory",
	       map(fd, (uintptr_t)shared, 0, &zero), "EINVAL");
	expect("map, read-only memory", map(fd, (uintptr_t)ro, 0, &zero),
	       "EINVAL");
	expect("map, private file mapping",
	       map(fd, (uintptr_t)file, 0, &zero), "EINVAL");
	expect("map, no memory at gva", map(fd, (uintptr_t)gone, 0, &zero),
	       "EINVAL");
	expect("map, kernel address as gva",
	       map(fd, 0xffffffff81000000ull, 0, &zero), "EINVAL");
	expect("map, bad argument pointer",
	       io(fd, KVM_INTRO_MEM_MAP, 8), "EFAULT");
	expect("unmap, nothing mapped",
	       io(fd, KVM_INTRO_MEM_UNMAP, (uintptr_t)slot[0]), "ENOENT");
	expect("unmap, gva not page-aligned",
	       io(fd, KVM_INTRO_MEM_UNMAP, (uintptr_t)slot[0] + 1), "EINVAL");
	expect("libkvmi's v2 probe KVM_GUEST_MEM_UNMAP(0)",
	       io(fd, KVM_GUEST_MEM_UNMAP, 0), "ENOTTY");
	expect("KVM_GUEST_MEM_OPEN", io(fd, KVM_GUEST_MEM_OPEN, 0), "ENOTTY");
	expect("KVM_GUEST_MEM_MAP", io(fd, KVM_GUEST_MEM_MAP, 0), "ENOTTY");
	expect("unknown ioctl", io(fd, _IO('i', 0x7f), 0), "ENOTTY");

	/* another process, with the file inherited */
	child = fork();
	if (!child) {
		bool ok = !strcmp(map(fd, (uintptr_t)slot[1], 0, &zero),
				  "EPERM") &&
			  !strcmp(io(fd, KVM_INTRO_MEM_UNMAP,
				     (uintptr_t)slot[1]), "EPERM");

		_exit(ok ? 0 : 1);
	}
	waitpid(child, &status, 0);
	expect("map and unmap from a child process",
	       WIFEXITED(status) && !WEXITSTATUS(status) ? "EPERM" : "other",
	       "EPERM");

	munmap(shared, KVMMEM_PAGE);
	munmap(ro, KVMMEM_PAGE);
	munmap(file, KVMMEM_PAGE);
	close(fdf);
}

/* "key value" lines of @path whose key is in @keys, appended to @out. */
static void grab(const char *path, const char *const *keys, char *out,
		 size_t len)
{
	char line[128], key[64];
	unsigned long long v;
	const char *const *k;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(out + strlen(out), len - strlen(out), " %s=missing",
			 path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", key, &v) != 2)
			continue;
		for (k = keys; *k; k++)
			if (!strcmp(*k, key))
				snprintf(out + strlen(out), len - strlen(out),
					 " %s=%llu", key, v);
	}
	fclose(f);
}

static void print_stats(void)
{
	static const char *const mine[] = {
		"mappings", "pinned", "maps", "unmaps", "revoked", "kept", NULL
	};
	static const char *const vm[] = {
		"nr_foll_pin_acquired", "nr_foll_pin_released", NULL
	};
	char out[512] = "stats";

	grab("/sys/kernel/debug/kvmmem/stats", mine, out, sizeof(out));
	grab("/proc/vmstat", vm, out, sizeof(out));
	answer("%s", out);
}

static int open_file(void)
{
	int fd = open("/dev/kvmmem", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		printf("PROBE-ERROR open /dev/kvmmem: %s\n", strerror(errno));
	return fd;
}

static int get_index(const char *s, int n)
{
	char *end;
	long v = s ? strtol(s, &end, 10) : -1;

	return s && !*end && v >= 0 && v < n ? v : -1;
}

static void run(char *cmd)
{
	char *argv[8], *save;
	struct kvmi_mem_token t;
	int argc = 0, f, s;

	for (cmd = strtok_r(cmd, " \t\r\n", &save); cmd && argc < 8;
	     cmd = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = cmd;
	if (argc < 2)
		return;
	snprintf(id, sizeof(id), "%s", argv[0]);
	if (!strcmp(argv[1], "map") && argc == 6) {
		f = get_index(argv[2], 2);
		s = get_index(argv[3], SLOTS);
		if (f < 0 || s < 0 || parse_token(argv[5], &t)) {
			answer("map bad arguments");
			return;
		}
		answer("map rc=%s", map(files[f], (uintptr_t)slot[s],
					strtoull(argv[4], NULL, 0), &t));
	} else if (!strcmp(argv[1], "unmap") && argc == 4) {
		f = get_index(argv[2], 2);
		s = get_index(argv[3], SLOTS);
		if (f < 0 || s < 0) {
			answer("unmap bad arguments");
			return;
		}
		answer("unmap rc=%s", io(files[f], KVM_INTRO_MEM_UNMAP,
					 (uintptr_t)slot[s]));
	} else if (!strcmp(argv[1], "close") && argc == 3) {
		f = get_index(argv[2], 2);
		if (f < 0) {
			answer("close bad arguments");
			return;
		}
		close(files[f]);
		files[f] = open_file();
		answer("close rc=%s", files[f] < 0 ? err_name(errno) : "0");
	} else if (!strcmp(argv[1], "read") && argc == 3) {
		s = get_index(argv[2], SLOTS);
		answer("read %s", s < 0 ? "bad arguments" : describe(s));
	} else if (!strcmp(argv[1], "write") && argc == 3) {
		s = get_index(argv[2], SLOTS);
		if (s < 0) {
			answer("write bad arguments");
			return;
		}
		write_slot(s);
		answer("write then %s", describe(s));
	} else if (!strcmp(argv[1], "hc")) {
		answer("hc rax=%ld", user_hypercall(32));
	} else if (!strcmp(argv[1], "checks")) {
		checks();
		answer("checks %s", failures ? "failed" : "ok");
	} else if (!strcmp(argv[1], "stats")) {
		print_stats();
	} else if (!strcmp(argv[1], "exit")) {
		answer("exit");
		exit(0);
	} else {
		answer("unknown command %s", argv[1]);
	}
}

int main(void)
{
	char line[512];
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	files[0] = open_file();
	files[1] = open_file();
	if (files[0] < 0 || files[1] < 0)
		return 1;
	for (i = 0; i < SLOTS; i++) {
		slot[i] = mmap(NULL, KVMMEM_PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			       -1, 0);
		if (slot[i] == MAP_FAILED) {
			printf("PROBE-ERROR mmap: %s\n", strerror(errno));
			return 1;
		}
		fill_own(i);
	}
	printf("PROBE-READY\n");
	while (fgets(line, sizeof(line), stdin))
		run(line);
	printf("PROBE-EOF\n");
	return 0;
}
