// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmictl: a command-line introspection tool on kvmic.
 *
 * Each run is one session: kvmictl listens on the socket address, accepts
 * the device manager's connection (kvmi-hook, or QEMU's introspection
 * object), answers the handshake, runs one subcommand and closes the
 * connection, which ends the session (kvmi lifts whatever the session
 * set up).  Run kvmi-hook with --reconnect to use kvmictl repeatedly.
 * See Documentation/tools.rst.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvmic.h"
#include "tools_util.h"

#define EXIT_KVMI	1	/* a command failed */
#define EXIT_USAGE	2
#define EXIT_SESSION	3	/* no connection, handshake or transport */

#define PAGE		4096ull

static const char *prog = "kvmictl";
static struct kvmic vm;
static volatile sig_atomic_t stop;

struct opts {
	const char *addr;
	int accept_timeout;	/* seconds */
	int duration;		/* seconds, 0: until SIGINT */
	bool json;
	bool plain;
	uint64_t from, to;
	unsigned int max_hits;
	uint32_t msrs[16];
	int nmsrs;
};

static struct opts o = { .accept_timeout = 60, .max_hits = 1 };

static void __noreturn __printf(2, 3) die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(code);
}

/* Fail on a transport error or a KVM error of command @id. */
static void check(int err, uint16_t id)
{
	if (err < 0)
		die(EXIT_SESSION, "%s: %s", kvmic_command_name(id),
		    err == -EPIPE ? "the connection was closed" :
		    strerror(-err));
	if (err > 0)
		die(EXIT_KVMI, "%s: %s", kvmic_command_name(id),
		    kvmic_kvm_error(err));
}

static int request(uint16_t id, const void *req, size_t len, void *rpl,
		   size_t rpl_len)
{
	return kvmic_request(&vm, id, req, len, rpl, rpl_len, NULL);
}

static void vm_cmd(uint16_t id, const void *req, size_t len, void *rpl,
		   size_t rpl_len)
{
	check(request(id, req, len, rpl, rpl_len), id);
}

static void vcpu_cmd(uint16_t id, uint16_t vcpu, const void *req, size_t len,
		     void *rpl, size_t rpl_len)
{
	check(kvmic_vcpu_request(&vm, id, vcpu, req, len, rpl, rpl_len, NULL),
	      id);
}

static unsigned int vcpu_count(void)
{
	struct kvmi_get_guest_info_reply gi;

	vm_cmd(KVMI_GET_GUEST_INFO, NULL, 0, &gi, sizeof(gi));
	return gi.vcpu_count;
}

static uint64_t max_gfn(void)
{
	struct kvmi_get_max_gfn_reply r;

	vm_cmd(KVMI_GET_MAX_GFN, NULL, 0, &r, sizeof(r));
	return r.gfn;
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s)
		die(EXIT_USAGE, "bad %s: %s", what, s);
	return v;
}

/* --- info, regs ------------------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
	struct kvmi_get_version_reply v;
	const uint8_t *u = vm.info.uuid;
	time_t t = vm.info.start_time;
	char when[64] = "unknown";

	if (argc)
		die(EXIT_USAGE, "info takes no arguments");
	vm_cmd(KVMI_GET_VERSION, NULL, 0, &v, sizeof(v));
	if (t)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
			 gmtime(&t));
	printf("VM name:        %s\n", vm.info.name);
	printf("VM uuid:        %02x%02x%02x%02x-%02x%02x-%02x%02x-",
	       u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7]);
	printf("%02x%02x-%02x%02x%02x%02x%02x%02x\n", u[8], u[9], u[10], u[11],
	       u[12], u[13], u[14], u[15]);
	printf("VM started:     %s\n", when);
	printf("KVMI version:   %u\n", v.version);
	printf("features:       singlestep=%u vmfunc=%u eptp=%u ve=%u spp=%u\n",
	       v.features.singlestep, v.features.vmfunc, v.features.eptp,
	       v.features.ve, v.features.spp);
	printf("vCPUs:          %u\n", vcpu_count());
	printf("max gfn:        0x%llx (%llu MiB of guest-physical space)\n",
	       (unsigned long long)max_gfn(),
	       (unsigned long long)(max_gfn() * PAGE >> 20));
	return 0;
}

static int cmd_regs(int argc, char **argv)
{
	struct kvmi_get_registers req = { };
	struct kvmi_get_registers_reply r;
	struct kvm_regs *g = &r.regs;
	struct kvm_sregs *s = &r.sregs;
	uint16_t vcpu;

	if (argc != 1)
		die(EXIT_USAGE, "usage: regs VCPU");
	vcpu = parse_u64(argv[0], "vCPU");
	vcpu_cmd(KVMI_GET_REGISTERS, vcpu, &req, sizeof(req), &r, sizeof(r));
	printf("vCPU %u, %u-bit mode\n", vcpu, r.mode * 8);
	printf("rip %016llx  rsp %016llx  rflags %08llx\n", g->rip, g->rsp,
	       g->rflags);
	printf("rax %016llx  rbx %016llx  rcx %016llx\n", g->rax, g->rbx,
	       g->rcx);
	printf("rdx %016llx  rsi %016llx  rdi %016llx\n", g->rdx, g->rsi,
	       g->rdi);
	printf("rbp %016llx  r8  %016llx  r9  %016llx\n", g->rbp, g->r8,
	       g->r9);
	printf("r10 %016llx  r11 %016llx  r12 %016llx\n", g->r10, g->r11,
	       g->r12);
	printf("r13 %016llx  r14 %016llx  r15 %016llx\n", g->r13, g->r14,
	       g->r15);
	printf("cr0 %016llx  cr3 %016llx  cr4 %016llx\n", s->cr0, s->cr3,
	       s->cr4);
	printf("efer %llx  cs %04x  ss %04x  cpl %u\n", s->efer,
	       s->cs.selector, s->ss.selector, s->cs.selector & 3);
	return 0;
}

/* --- memory ----------------------------------------------------------- */

/* Read [gpa, gpa + len) page by page into @buf. */
static int read_phys(uint64_t gpa, void *buf, size_t len)
{
	while (len) {
		size_t n = PAGE - (gpa & (PAGE - 1));
		struct kvmi_read_physical req = { .gpa = gpa };
		int err;

		if (n > len)
			n = len;
		req.size = n;
		err = request(KVMI_READ_PHYSICAL, &req, sizeof(req), buf, n);
		if (err)
			return err;
		gpa += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

static void hexdump(uint64_t gpa, const uint8_t *p, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i += 16) {
		printf("%016llx  ", (unsigned long long)(gpa + i));
		for (j = 0; j < 16; j++) {
			if (i + j < len)
				printf("%02x ", p[i + j]);
			else
				printf("   ");
			if (j == 7)
				printf(" ");
		}
		printf(" |");
		for (j = 0; j < 16 && i + j < len; j++)
			putchar(isprint(p[i + j]) ? p[i + j] : '.');
		printf("|\n");
	}
}

static int cmd_read(int argc, char **argv)
{
	uint64_t gpa, len;
	uint8_t *buf;

	if (argc != 2)
		die(EXIT_USAGE, "usage: read GPA LEN");
	gpa = parse_u64(argv[0], "address");
	len = parse_u64(argv[1], "length");
	if (!len || len > (1 << 20))
		die(EXIT_USAGE, "length must be 1..1048576");
	buf = malloc(len);
	if (!buf)
		die(EXIT_KVMI, "out of memory");
	check(read_phys(gpa, buf, len), KVMI_READ_PHYSICAL);
	hexdump(gpa, buf, len);
	free(buf);
	return 0;
}

static int cmd_write(int argc, char **argv)
{
	struct {
		struct kvmi_write_physical w;
		uint8_t data[PAGE];
	} req;
	const char *hex;
	size_t n = 0;

	if (argc != 2)
		die(EXIT_USAGE, "usage: write GPA HEXBYTES");
	req.w.gpa = parse_u64(argv[0], "address");
	for (hex = argv[1]; hex[0] && hex[1] && n < PAGE; hex += 2) {
		unsigned int b;

		if (sscanf(hex, "%2x", &b) != 1 || !isxdigit(hex[1]))
			die(EXIT_USAGE, "bad hex bytes: %s", argv[1]);
		req.data[n++] = b;
	}
	if (*hex || !n)
		die(EXIT_USAGE,
		    "HEXBYTES: an even number of hex digits, up to a page");
	if ((req.w.gpa & (PAGE - 1)) + n > PAGE)
		die(EXIT_USAGE, "the bytes must not cross a page boundary");
	req.w.size = n;
	vm_cmd(KVMI_WRITE_PHYSICAL, &req, sizeof(req.w) + n, NULL, 0);
	printf("wrote %zu bytes at 0x%llx\n", n, (unsigned long long)req.w.gpa);
	return 0;
}

/*
 * Print the text at @gpa, up to the first control character (a NUL, a
 * newline, or the next record of the kernel's log buffer) or 512
 * characters.
 */
static void print_text(uint64_t gpa)
{
	uint8_t text[512];
	size_t i, n = sizeof(text);

	/* near the end of guest memory, read less */
	while (n > 1 && read_phys(gpa, text, n))
		n /= 2;
	printf("0x%llx: ", (unsigned long long)gpa);
	for (i = 0; i < n && isprint(text[i]); i++)
		putchar(text[i]);
	printf("\n");
}

/*
 * Search guest memory for a byte string; print each hit's address and
 * the text that starts there (up to a NUL or newline, 200 characters).
 */
static int cmd_find(int argc, char **argv)
{
	static uint8_t buf[2 * PAGE];
	uint64_t gpa, end, hits = 0;
	size_t len, have = 0;

	if (argc != 1)
		die(EXIT_USAGE,
		    "usage: find STRING [--from GPA] [--to GPA] [--max N]");
	len = strlen(argv[0]);
	if (!len || len > PAGE)
		die(EXIT_USAGE, "STRING must be 1..4096 bytes");
	end = o.to ? o.to : max_gfn() * PAGE;
	for (gpa = o.from & ~(PAGE - 1); gpa < end && !stop; gpa += PAGE) {
		uint8_t *p;
		int err;

		/* keep the previous page: a hit may cross into this one */
		memmove(buf, buf + PAGE, PAGE);
		err = read_phys(gpa, buf + PAGE, PAGE);
		if (err == KVM_ENOENT || err == KVM_EINVAL) {
			have = 0;	/* a hole in guest memory */
			continue;
		}
		check(err, KVMI_READ_PHYSICAL);
		/* hits that start in the previous page's tail, then this one */
		for (p = have ? buf + PAGE - len + 1 : buf + PAGE;
		     p + len <= buf + 2 * PAGE; p++) {
			uint64_t at = gpa - PAGE + (p - buf);

			if (memcmp(p, argv[0], len))
				continue;
			print_text(at);
			if (++hits >= o.max_hits)
				return 0;
		}
		have = 1;
	}
	if (!hits) {
		fprintf(stderr, "%s: not found below 0x%llx\n", prog,
			(unsigned long long)end);
		return EXIT_KVMI;
	}
	return 0;
}

/* --- events ----------------------------------------------------------- */

static void on_signal(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Answer @e with CONTINUE and what the event's reply must carry. */
static void reply_continue(const struct kvmic_event *e)
{
	uint64_t val = 0;
	size_t len = 0;

	if (e->ev.event == KVMI_EVENT_CR) {
		const struct kvmi_event_cr *cr = (const void *)e->payload;

		val = cr->new_value;
		len = sizeof(val);
	} else if (e->ev.event == KVMI_EVENT_MSR) {
		const struct kvmi_event_msr *m = (const void *)e->payload;

		val = m->new_value;
		len = sizeof(val);
	} else if (e->ev.event == KVMI_EVENT_PF) {
		static const struct kvmi_event_pf_reply pf;

		check(kvmic_reply(&vm, e, KVMI_EVENT_ACTION_CONTINUE, &pf,
				  sizeof(pf)), KVMI_EVENT_REPLY);
		return;
	}
	check(kvmic_reply(&vm, e, KVMI_EVENT_ACTION_CONTINUE, &val, len),
	      KVMI_EVENT_REPLY);
}

#define MAX_VCPUS	64
#define MAX_CR3		4096

struct stats {
	unsigned long long count[MAX_VCPUS][KVMI_NUM_EVENTS];
	unsigned long long last[MAX_VCPUS][KVMI_NUM_EVENTS];
	uint64_t cr3[MAX_CR3];
	unsigned int ncr3;
	bool cr3_full;
};

static struct stats st;

static void note_cr3(uint64_t v)
{
	unsigned int i;

	for (i = 0; i < st.ncr3; i++)
		if (st.cr3[i] == v)
			return;
	if (st.ncr3 < MAX_CR3)
		st.cr3[st.ncr3++] = v;
	else
		st.cr3_full = true;
}

static void print_event(const struct kvmic_event *e, double t)
{
	const char *name = kvmic_event_name(e->ev.event);
	uint64_t rip = e->ev.arch.regs.rip;

	if (o.json)
		printf("{\"time\":%.6f,\"vcpu\":%u,\"event\":\"%s\",",
		       t, e->ev.vcpu, name);
	if (o.json)
		printf("\"rip\":\"0x%llx\"", (unsigned long long)rip);
	else
		printf("%10.6f vcpu %u %-10s rip 0x%llx", t, e->ev.vcpu, name,
		       (unsigned long long)rip);
	switch (e->ev.event) {
	case KVMI_EVENT_CR: {
		const struct kvmi_event_cr *cr = (const void *)e->payload;

		printf(o.json ? ",\"cr\":%u,\"old\":\"0x%llx\",\"new\":\"0x%llx\"" :
			" cr%u 0x%llx -> 0x%llx", cr->cr,
		       (unsigned long long)cr->old_value,
		       (unsigned long long)cr->new_value);
		break;
	}
	case KVMI_EVENT_MSR: {
		const struct kvmi_event_msr *m = (const void *)e->payload;

		printf(o.json ? ",\"msr\":\"0x%x\",\"old\":\"0x%llx\",\"new\":\"0x%llx\"" :
			" msr 0x%x 0x%llx -> 0x%llx", m->msr,
		       (unsigned long long)m->old_value,
		       (unsigned long long)m->new_value);
		break;
	}
	case KVMI_EVENT_PF: {
		const struct kvmi_event_pf *pf = (const void *)e->payload;

		printf(o.json ? ",\"gpa\":\"0x%llx\",\"access\":%u" :
			" gpa 0x%llx access %u", (unsigned long long)pf->gpa,
		       pf->access);
		break;
	}
	default:
		break;
	}
	printf(o.json ? "}\n" : "\n");
}

/* The refreshing view: events per vCPU and kind, with rates. */
static void print_table(double elapsed, double dt, unsigned int nvcpus)
{
	unsigned int v, k;

	printf("\033[H\033[J%s watch: %s, %.0f s (Ctrl-C to stop)\n\n", prog,
	       vm.info.name, elapsed);
	printf("%-6s %-12s %12s %10s\n", "vCPU", "event", "total", "per s");
	for (v = 0; v < nvcpus && v < MAX_VCPUS; v++)
		for (k = 0; k < KVMI_NUM_EVENTS; k++) {
			if (!st.count[v][k])
				continue;
			printf("%-6u %-12s %12llu %10.0f\n", v,
			       kvmic_event_name(k), st.count[v][k],
			       (st.count[v][k] - st.last[v][k]) / dt);
			st.last[v][k] = st.count[v][k];
		}
	printf("\ndistinct CR3 values: %u%s\n", st.ncr3,
	       st.cr3_full ? "+" : "");
	fflush(stdout);
}

static void print_summary(unsigned int nvcpus)
{
	unsigned long long total[KVMI_NUM_EVENTS] = { 0 };
	unsigned int v, k, i;

	for (v = 0; v < nvcpus && v < MAX_VCPUS; v++)
		for (k = 0; k < KVMI_NUM_EVENTS; k++)
			total[k] += st.count[v][k];
	if (o.json)
		return;
	printf("summary:");
	for (k = 0; k < KVMI_NUM_EVENTS; k++)
		if (total[k])
			printf(" %s %llu", kvmic_event_name(k), total[k]);
	printf("\n");
	if (st.ncr3) {
		printf("distinct CR3 values: %u%s:", st.ncr3,
		       st.cr3_full ? "+" : "");
		for (i = 0; i < st.ncr3 && i < 16; i++)
			printf(" 0x%llx", (unsigned long long)st.cr3[i]);
		printf("%s\n", st.ncr3 > 16 ? " ..." : "");
	}
}

/* Run the event loop for --duration seconds (or until SIGINT). */
static void event_loop(unsigned int nvcpus)
{
	bool table = !o.json && !o.plain && isatty(STDOUT_FILENO);
	double t0 = now(), tick = t0;
	struct kvmic_event *e = malloc(sizeof(*e));

	struct kvmi_control_vm_events unhook = {
		.event_id = KVMI_EVENT_UNHOOK, .enable = 1,
	};

	if (!e)
		die(EXIT_KVMI, "out of memory");
	/* hear the device manager's request to leave (PREUNHOOK) */
	vm_cmd(KVMI_CONTROL_VM_EVENTS, &unhook, sizeof(unhook), NULL, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && (!o.duration || now() - t0 < o.duration)) {
		int n = kvmic_next_event(&vm, e, 200);

		if (n < 0)
			die(EXIT_SESSION, "events: %s", n == -EPIPE ?
			    "the connection was closed" : strerror(-n));
		if (table && now() - tick >= 1) {
			print_table(now() - t0, now() - tick, nvcpus);
			tick = now();
		}
		if (!n)
			continue;
		if (e->ev.event == KVMI_EVENT_UNHOOK) {
			printf("the device manager asks us to leave\n");
			break;
		}
		if (e->ev.vcpu < MAX_VCPUS && e->ev.event < KVMI_NUM_EVENTS)
			st.count[e->ev.vcpu][e->ev.event]++;
		if (e->ev.event == KVMI_EVENT_CR) {
			const struct kvmi_event_cr *cr = (const void *)e->payload;

			if (cr->cr == 3)
				note_cr3(cr->new_value);
		}
		if (!table)
			print_event(e, now() - t0);
		reply_continue(e);
	}
	free(e);
	print_summary(nvcpus);
}

static void control_event(unsigned int vcpu, uint16_t id, bool on)
{
	struct kvmi_control_events req = { .event_id = id, .enable = on };

	vcpu_cmd(KVMI_CONTROL_EVENTS, vcpu, &req, sizeof(req), NULL, 0);
}

#define WATCHABLE "cr0 cr3 cr4 msr hypercall descriptor xsetbv"

static const uint32_t default_msrs[] = {
	0xc0000100,	/* MSR_FS_BASE: context switches */
	0xc0000102,	/* MSR_KERNEL_GS_BASE */
	0x6e0,		/* MSR_IA32_TSC_DEADLINE: timers */
};

static void watch_msrs(unsigned int vcpu)
{
	const uint32_t *list = o.nmsrs ? o.msrs : default_msrs;
	int i, n = o.nmsrs ? o.nmsrs : 3;

	control_event(vcpu, KVMI_EVENT_MSR, true);
	for (i = 0; i < n; i++) {
		struct kvmi_control_msr req = { .enable = 1, .msr = list[i] };

		vcpu_cmd(KVMI_CONTROL_MSR, vcpu, &req, sizeof(req), NULL, 0);
	}
}

static int cmd_watch(int argc, char **argv)
{
	unsigned int n = vcpu_count(), v;
	int i;

	if (!argc)
		die(EXIT_USAGE, "usage: watch EVENT... (%s)", WATCHABLE);
	for (v = 0; v < n; v++) {
		for (i = 0; i < argc; i++) {
			const char *w = argv[i];

			if (!strcmp(w, "cr0") || !strcmp(w, "cr3") ||
			    !strcmp(w, "cr4")) {
				struct kvmi_control_cr req = {
					.enable = 1, .cr = w[2] - '0',
				};

				control_event(v, KVMI_EVENT_CR, true);
				vcpu_cmd(KVMI_CONTROL_CR, v, &req, sizeof(req),
					 NULL, 0);
			} else if (!strcmp(w, "msr")) {
				watch_msrs(v);
			} else if (!strcmp(w, "hypercall")) {
				control_event(v, KVMI_EVENT_HYPERCALL, true);
			} else if (!strcmp(w, "descriptor")) {
				control_event(v, KVMI_EVENT_DESCRIPTOR, true);
			} else if (!strcmp(w, "xsetbv")) {
				control_event(v, KVMI_EVENT_XSETBV, true);
			} else {
				die(EXIT_USAGE, "unknown event: %s", w);
			}
		}
	}
	if (!o.json && !o.plain && !isatty(STDOUT_FILENO))
		o.plain = true;
	if (!o.json)
		printf("watching %d event kind(s) on %u vCPU(s) of %s%s\n",
		       argc, n, vm.info.name, o.duration ? "" :
		       " (Ctrl-C to stop)");
	event_loop(n);
	return 0;
}

static int cmd_pause(int argc, char **argv)
{
	struct kvmi_pause_vcpu req = { .wait = 1 };
	struct kvmic_event *e = malloc(sizeof(*e)), *held;
	unsigned int n = vcpu_count(), v, got = 0;

	if (argc || !e)
		die(EXIT_USAGE, "usage: pause [--for SEC]");
	held = calloc(n, sizeof(*held));
	if (!held)
		die(EXIT_KVMI, "out of memory");
	for (v = 0; v < n; v++)
		vcpu_cmd(KVMI_PAUSE_VCPU, v, &req, sizeof(req), NULL, 0);
	while (got < n) {
		int r = kvmic_next_event(&vm, e, 10000);

		if (r <= 0)
			die(EXIT_SESSION, "no PAUSE_VCPU event came");
		if (e->ev.event != KVMI_EVENT_PAUSE_VCPU) {
			reply_continue(e);
			continue;
		}
		held[got++] = *e;
		printf("vCPU %u paused at rip 0x%llx\n", e->ev.vcpu,
		       (unsigned long long)e->ev.arch.regs.rip);
	}
	printf("%u vCPU(s) paused; resuming %s\n", n, o.duration ?
	       "after --for seconds" : "on Ctrl-C");
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	{
		double t0 = now();

		while (!stop && (!o.duration || now() - t0 < o.duration))
			usleep(100000);
	}
	for (v = 0; v < got; v++)
		check(kvmic_reply(&vm, &held[v], KVMI_EVENT_ACTION_CONTINUE,
				  NULL, 0), KVMI_EVENT_REPLY);
	printf("resumed\n");
	free(held);
	free(e);
	return 0;
}

static int cmd_protect(int argc, char **argv)
{
	struct {
		struct kvmi_set_page_access c;
		struct kvmi_page_access_entry e;
	} req = { .c = { .count = 1 } };
	unsigned int n, v;
	const char *a;

	if (argc != 2)
		die(EXIT_USAGE,
		    "usage: protect GPA ACCESS (what stays allowed: rx, r, x, -)");
	req.e.gpa = parse_u64(argv[0], "address");
	for (a = argv[1]; *a; a++) {
		if (*a == 'r')
			req.e.access |= KVMI_PAGE_ACCESS_R;
		else if (*a == 'w')
			req.e.access |= KVMI_PAGE_ACCESS_W;
		else if (*a == 'x')
			req.e.access |= KVMI_PAGE_ACCESS_X;
		else if (*a != '-')
			die(EXIT_USAGE, "bad access: %s", argv[1]);
	}
	vm_cmd(KVMI_SET_PAGE_ACCESS, &req, sizeof(req), NULL, 0);
	n = vcpu_count();
	for (v = 0; v < n; v++)
		control_event(v, KVMI_EVENT_PF, true);
	if (!o.json && !o.plain && !isatty(STDOUT_FILENO))
		o.plain = true;
	printf("gpa 0x%llx restricted to '%s' until kvmictl exits\n",
	       (unsigned long long)req.e.gpa, argv[1]);
	event_loop(n);
	return 0;
}

/* --- remote mapping ---------------------------------------------------- */

/*
 * Print fresh map tokens (KVMI_GET_MAP_TOKEN), one per line as 64 hex
 * digits, for a tool in an introspector VM (Documentation/kvmmem.rst).
 * A token is only good while the session that got it lasts, and so are
 * the mappings made with it: keep the session until --duration seconds
 * passed, SIGINT or SIGTERM came, or the device manager asks us to leave.
 */
static int cmd_token(int argc, char **argv)
{
	struct kvmi_control_vm_events unhook = {
		.event_id = KVMI_EVENT_UNHOOK, .enable = 1,
	};
	struct kvmic_event *e = malloc(sizeof(*e));
	struct kvmi_mem_token t;
	uint64_t i, count = 1;
	const char *why = "stopped";
	const uint8_t *b;
	double t0;
	size_t j;

	if (argc > 1 || !e)
		die(EXIT_USAGE, "usage: token [COUNT] [--duration SEC]");
	if (argc)
		count = parse_u64(argv[0], "count");
	if (!count || count > 8)
		die(EXIT_USAGE, "COUNT must be 1..8 (the most a session holds)");
	vm_cmd(KVMI_CONTROL_VM_EVENTS, &unhook, sizeof(unhook), NULL, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (i = 0; i < count; i++) {
		vm_cmd(KVMI_GET_MAP_TOKEN, NULL, 0, &t, sizeof(t));
		for (b = (const uint8_t *)&t, j = 0; j < sizeof(t); j++)
			printf("%02x", b[j]);
		printf("\n");
	}
	fflush(stdout);
	fprintf(stderr,
		"%s: %llu token(s) of %s; holding the session, which they and the mappings made with them need, %s\n",
		prog, (unsigned long long)count, vm.info.name,
		o.duration ? "for --duration seconds" : "until Ctrl-C");
	t0 = now();
	while (!stop && (!o.duration || now() - t0 < o.duration)) {
		int n = kvmic_next_event(&vm, e, 200);

		if (n == -EPIPE) {
			why = "the VM's side closed the session";
			break;
		}
		if (n < 0)
			die(EXIT_SESSION, "events: %s", strerror(-n));
		if (n && e->ev.event == KVMI_EVENT_UNHOOK) {
			why = "the device manager asks us to leave";
			break;
		}
		if (n)
			reply_continue(e);
	}
	fprintf(stderr, "%s: %s; the tokens and their mappings end\n", prog,
		why);
	free(e);
	return 0;
}

/* --- main ------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
	uint16_t needs;		/* the command it cannot do without */
} cmds[] = {
	{ "info", cmd_info, "", "protocol version, features, vCPUs, memory",
	  KVMI_GET_GUEST_INFO },
	{ "regs", cmd_regs, "VCPU", "registers of a vCPU", KVMI_GET_REGISTERS },
	{ "read", cmd_read, "GPA LEN", "hexdump of guest-physical memory",
	  KVMI_READ_PHYSICAL },
	{ "write", cmd_write, "GPA HEXBYTES", "write bytes (within a page)",
	  KVMI_WRITE_PHYSICAL },
	{ "find", cmd_find, "STRING", "search guest memory (--from, --to, --max)",
	  KVMI_READ_PHYSICAL },
	{ "pause", cmd_pause, "", "pause every vCPU (--for SEC), then resume",
	  KVMI_PAUSE_VCPU },
	{ "watch", cmd_watch, "EVENT...", "events live: " WATCHABLE,
	  KVMI_CONTROL_EVENTS },
	{ "protect", cmd_protect, "GPA ACCESS", "restrict a page, show its PF events",
	  KVMI_SET_PAGE_ACCESS },
	{ "token", cmd_token, "[COUNT]", "map tokens for an introspector VM; holds the session",
	  KVMI_GET_MAP_TOKEN },
};

/*
 * A device manager allows commands right after it hooked the VM (as
 * QEMU does), which may be just after our first command: wait until the
 * command we need is allowed (KVMI_CHECK_COMMAND is always allowed), up
 * to 3 s; a command still denied then fails with -KVM_EPERM as usual.
 */
static void wait_allowed(uint16_t id)
{
	struct kvmi_check_command req = { .id = id };
	int i, err = 0;

	for (i = 0; i < 300; i++) {
		err = request(KVMI_CHECK_COMMAND, &req, sizeof(req), NULL, 0);
		if (err != KVM_EPERM)
			break;
		usleep(10000);
	}
	if (err < 0)
		check(err, KVMI_CHECK_COMMAND);
}

static const char options_text[] =
	"\nOptions:\n"
	"  -s, --socket ADDR   where to listen: unix:PATH, PATH or vsock:CID:PORT\n"
	"                      (default: $KVMICTL_SOCKET, else /run/kvmi.sock)\n"
	"      --accept SEC    wait up to SEC seconds for the VM (default 60)\n"
	"  -d, --duration SEC  watch/protect/pause/token: stop after SEC seconds\n"
	"      --for SEC       the same, for pause\n"
	"      --plain         one line per event (the default when not a tty)\n"
	"      --json          one JSON object per event\n"
	"      --msr IDX       watch msr: this MSR (repeatable; default FS_BASE,\n"
	"                      KERNEL_GS_BASE, TSC_DEADLINE)\n"
	"      --from GPA, --to GPA, --max N   find: range and number of hits\n"
	"  -h, --help          this text\n"
	"\nExit status: 0 ok, 1 a command failed, 2 usage, 3 no session.\n";

static void print_help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [options] COMMAND [ARGS]\n", prog);
	fputs("Introspect a VM hooked by kvmi-hook (or QEMU): each run listens on the\n"
	      "socket, accepts the VM's connection, runs COMMAND and leaves.\n"
	      "\nCommands:\n", f);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %-13s %s\n", cmds[i].name, cmds[i].args,
			cmds[i].help);
	fputs(options_text, f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "accept", required_argument, NULL, 'a' },
		{ "duration", required_argument, NULL, 'd' },
		{ "for", required_argument, NULL, 'd' },
		{ "plain", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'J' },
		{ "msr", required_argument, NULL, 'M' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "max", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, lfd, err;
	size_t i;

	o.addr = getenv("KVMICTL_SOCKET") ?: "/run/kvmi.sock";
	/* options go anywhere: GNU getopt moves the words after them */
	while ((c = getopt_long(argc, argv, "s:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.addr = optarg;
			break;
		case 'a':
			o.accept_timeout = parse_u64(optarg, "seconds");
			break;
		case 'd':
			o.duration = parse_u64(optarg, "seconds");
			break;
		case 'P':
			o.plain = true;
			break;
		case 'J':
			o.json = true;
			break;
		case 'M':
			if (o.nmsrs == 16)
				die(EXIT_USAGE, "at most 16 --msr");
			o.msrs[o.nmsrs++] = parse_u64(optarg, "MSR");
			break;
		case 'F':
			o.from = parse_u64(optarg, "address");
			break;
		case 'T':
			o.to = parse_u64(optarg, "address");
			break;
		case 'X':
			o.max_hits = parse_u64(optarg, "count");
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[optind], cmds[i].name))
			break;
	if (i == ARRAY_SIZE(cmds))
		die(EXIT_USAGE, "unknown command: %s (see --help)", argv[optind]);

	lfd = kvmic_listen(o.addr);
	if (lfd < 0)
		die(EXIT_SESSION, "cannot listen on %s: %s", o.addr,
		    strerror(-lfd));
	err = kvmic_accept(lfd, &vm, NULL, o.accept_timeout * 1000);
	close(lfd);
	if (err == -ETIMEDOUT)
		die(EXIT_SESSION,
		    "no VM connected to %s within %d s (is kvmi-hook running?)",
		    o.addr, o.accept_timeout);
	if (err)
		die(EXIT_SESSION, "handshake with the VM failed: %s",
		    strerror(-err));
	wait_allowed(cmds[i].needs);
	err = cmds[i].fn(argc - optind - 1, argv + optind + 1);
	kvmic_close(&vm);
	return err;
}
