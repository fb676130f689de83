// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmi-hook: the device manager for VMs run by a VMM that knows nothing
 * of introspection (stock QEMU, for one).
 *
 * Given the VMM's pid, it takes a copy of the VM's file descriptor
 * (pidfd_getfd(2): root or CAP_SYS_PTRACE over the VMM), connects to the
 * introspection tool, does QEMU's side of the handshake, and hooks the
 * VM through /dev/kvmi with the socket.  It then waits: when the tool
 * closes the connection the VM is unhooked (and, with --reconnect, the
 * next connection is tried); on SIGINT or SIGTERM the tool is asked to
 * leave (PREUNHOOK: it gets KVMI_EVENT_UNHOOK), gets --unhook-timeout
 * seconds to close, and the VM is unhooked; when the VMM exits, so does
 * kvmi-hook.
 *
 * With --introspector instead of --connect, it marks the VM as an
 * introspector VM (KVMI_CTL_INTROSPECTOR), whose kernel may then map
 * pages of introspected VMs (Documentation/kvmmem.rst), or with
 * "--introspector off" takes the mark away, and exits.  The mark stays
 * with the VM, not with kvmi-hook.  See Documentation/tools.rst.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvmi_ctl.h>

#include "kvmic.h"
#include "tools_util.h"

#define EXIT_USAGE	2
#define EXIT_SETUP	3

static const char *prog = "kvmi-hook";
static bool quiet;

struct options {
	pid_t pid;
	const char *addr;
	const char *key_file;
	const char *name;
	const char *commands;
	const char *events;
	int reconnect;		/* seconds between attempts, 0: exit */
	int unhook_timeout;	/* seconds */
	int connect_timeout;	/* seconds to wait for the tool */
	int introspector;	/* 1 mark, 0 take the mark away, -1 hook */
};

static void __printf(1, 2) say(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	printf("%s: ", prog);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

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

static const char help_text[] =
	"Hook the KVM VM of a running VMM (e.g. stock QEMU) for introspection.\n"
	"\n"
	"  -p, --pid PID            the VMM process that owns the VM\n"
	"  -c, --connect ADDR       the introspection tool's socket: unix:PATH,\n"
	"                           PATH or vsock:CID:PORT (the tool listens)\n"
	"  -k, --key FILE           shared secret: the tool must send its SHA-1\n"
	"  -n, --name NAME          VM name in the handshake (default: QEMU's\n"
	"                           -name, else pid-PID)\n"
	"      --commands LIST      command ids to allow: all (default), none, or\n"
	"                           a comma-separated list of numbers\n"
	"      --events LIST        event ids to allow, the same way\n"
	"  -r, --reconnect SEC      after the tool leaves, wait SEC seconds and\n"
	"                           connect again (default: exit)\n"
	"      --wait SEC           wait up to SEC seconds for the tool to listen\n"
	"                           (default 0: fail at once)\n"
	"  -t, --unhook-timeout SEC how long the tool gets to leave on SIGINT or\n"
	"                           SIGTERM (default 10)\n"
	"      --introspector [on|off]\n"
	"                           instead of hooking: mark the VM as an\n"
	"                           introspector VM, which may map pages of\n"
	"                           introspected VMs, or take the mark away\n"
	"                           (off), and exit\n"
	"  -q, --quiet              print errors only\n"
	"  -h, --help               this text\n"
	"\n"
	"Needs root (CAP_SYS_ADMIN for /dev/kvmi, ptrace rights over the VMM).\n"
	"Exit status: 0 done, 1 error while hooked, 2 usage, 3 could not hook.\n";

static void print_help(FILE *f)
{
	fprintf(f, "Usage: %s --pid PID --connect ADDR [options]\n", prog);
	fprintf(f, "       %s --pid PID --introspector [on|off]\n", prog);
	fputs(help_text, f);
}

/* The VM's file descriptor number in @pid, or -1. */
static int find_vm_fd(pid_t pid)
{
	char dir[64], path[PATH_MAX], link[64];
	struct dirent *d;
	int found = -1;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp) {
		if (errno == ENOENT)
			die(EXIT_SETUP, "no such process: %d", pid);
		die(EXIT_SETUP, "cannot read %s: %s (root needed)", dir,
		    strerror(errno));
	}
	while ((d = readdir(dp)) && found < 0) {
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = 0;
		if (!strcmp(link, "anon_inode:kvm-vm"))
			found = atoi(d->d_name);
	}
	closedir(dp);
	return found;
}

/* The argument after @opt in the process's command line, or NULL. */
static char *cmdline_arg(pid_t pid, const char *opt, char *buf, size_t len)
{
	char path[64], *p, *end, *ret = NULL;
	static char cmd[65536];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	cmd[n] = 0;
	end = cmd + n;
	for (p = cmd; p < end; p += strlen(p) + 1) {
		if (strcmp(p, opt))
			continue;
		p += strlen(p) + 1;
		if (p < end) {
			snprintf(buf, len, "%s", p);
			ret = buf;
		}
		break;
	}
	return ret;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* QEMU's -uuid, or random bytes (RFC 4122 version 4). */
static void vm_uuid(pid_t pid, uint8_t uuid[16])
{
	char buf[64], *p;
	int i = 0, fd;

	if (cmdline_arg(pid, "-uuid", buf, sizeof(buf))) {
		for (p = buf; *p && i < 16; p++) {
			if (*p == '-')
				continue;
			if (hexval(p[0]) < 0 || hexval(p[1]) < 0)
				break;
			uuid[i++] = hexval(p[0]) << 4 | hexval(p[1]);
			p++;
		}
		if (i == 16)
			return;
	}
	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, uuid, 16) != 16)
		memset(uuid, 0, 16);
	if (fd >= 0)
		close(fd);
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

/* The process's start, in seconds since the epoch. */
static int64_t start_time(pid_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long start = 0, btime = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	for (i = 2; p && i < 22; i++)	/* field 22: starttime */
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	f = fopen("/proc/stat", "r");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	if (f)
		fclose(f);
	return btime + start / sysconf(_SC_CLK_TCK);
}

static void vm_info(const struct options *o, struct kvmic_vm_info *info)
{
	char buf[256], *p;

	memset(info, 0, sizeof(*info));
	info->struct_size = sizeof(*info);
	vm_uuid(o->pid, info->uuid);
	info->start_time = start_time(o->pid);
	if (o->name) {
		snprintf(info->name, sizeof(info->name), "%s", o->name);
	} else if (cmdline_arg(o->pid, "-name", buf, sizeof(buf))) {
		/* "-name guest=NAME,opt=..." or "-name NAME" */
		p = strncmp(buf, "guest=", 6) ? buf : buf + 6;
		p[strcspn(p, ",")] = 0;
		p[sizeof(info->name) - 1] = 0;
		memcpy(info->name, p, strlen(p) + 1);
	} else {
		snprintf(info->name, sizeof(info->name), "pid-%d", o->pid);
	}
}

static int ctl_fd = -1;

static int ctl(unsigned long req, void *arg)
{
	return ioctl(ctl_fd, req, arg) ? -errno : 0;
}

/* Allow the ids of @list ("all", "none", "1,2,3") as commands or events. */
static void allow_ids(int vm_fd, bool event, const char *list)
{
	struct kvmi_ctl_feature f = { .vm_fd = vm_fd };
	unsigned long req = event ? KVMI_CTL_EVENT : KVMI_CTL_COMMAND;
	const char *what = event ? "event" : "command";
	char *copy, *tok, *save, *end;
	int err;

	if (!strcmp(list, "none"))
		return;
	if (!strcmp(list, "all")) {
		f.feature.allow = 1;
		f.feature.id = -1;
		err = ctl(req, &f);
		if (err)
			die(1, "cannot allow all %ss: %s", what, strerror(-err));
		return;
	}
	copy = strdup(list);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		long id = strtol(tok, &end, 0);

		if (*end || id < 0 || id > 0xffff)
			die(EXIT_USAGE, "bad %s id: %s", what, tok);
		f.feature.allow = 1;
		f.feature.id = id;
		err = ctl(req, &f);
		if (err)
			die(1, "cannot allow %s %ld: %s", what, id,
			    strerror(-err));
	}
	free(copy);
}

/* Connect and handshake; -errno if the tool is not there. */
static int connect_tool(const struct options *o, const uint8_t *want_hash)
{
	struct kvmic_vm_info info;
	uint8_t hash[20];
	int fd, err;

	fd = kvmic_connect(o->addr);
	if (fd < 0)
		return fd;
	vm_info(o, &info);
	err = kvmic_handshake_vmm(fd, &info, hash, 10000);
	if (err) {
		close(fd);
		if (err == -ETIMEDOUT)
			fprintf(stderr, "%s: the tool did not answer the handshake\n",
				prog);
		else
			fprintf(stderr, "%s: handshake failed: %s\n", prog,
				strerror(-err));
		return -EPROTO;
	}
	if (want_hash && memcmp(hash, want_hash, sizeof(hash))) {
		close(fd);
		fprintf(stderr, "%s: the tool's cookie does not match the key\n",
			prog);
		return -EACCES;
	}
	return fd;
}

static int hook(int vm_fd, int sock, const struct options *o)
{
	struct kvmi_ctl_hook h = { .vm_fd = vm_fd, .hook = { .fd = sock } };
	struct kvmic_vm_info info;
	int err;

	vm_info(o, &info);
	memcpy(h.hook.uuid, info.uuid, sizeof(h.hook.uuid));
	err = ctl(KVMI_CTL_HOOK, &h);
	if (err == -EEXIST || err == -EBUSY)
		die(EXIT_SETUP, "the VM is already hooked");
	if (err)
		die(EXIT_SETUP, "KVMI_CTL_HOOK: %s", strerror(-err));
	allow_ids(vm_fd, false, o->commands);
	allow_ids(vm_fd, true, o->events);
	return 0;
}

static void unhook(int vm_fd)
{
	struct kvmi_ctl_vm v = { .vm_fd = vm_fd };
	int err = ctl(KVMI_CTL_UNHOOK, &v);

	if (err && err != -ENOENT)
		fprintf(stderr, "%s: KVMI_CTL_UNHOOK: %s\n", prog,
			strerror(-err));
}

/* KVMI_CTL_INTROSPECTOR: mark the VM or take the mark away, then exit. */
static void __noreturn set_introspector(int vm_fd, const struct options *o)
{
	struct kvmi_ctl_introspector m = {
		.vm_fd = vm_fd, .enable = o->introspector,
	};
	int err = ctl(KVMI_CTL_INTROSPECTOR, &m);

	if (err == -ENOTTY)
		die(EXIT_SETUP,
		    "this kvmi.ko has no KVMI_CTL_INTROSPECTOR (too old?)");
	if (err)
		die(EXIT_SETUP, "KVMI_CTL_INTROSPECTOR: %s", strerror(-err));
	say("the VM of pid %d is %s an introspector VM", o->pid,
	    o->introspector ? "now" : "no longer");
	exit(0);
}

enum wake { WAKE_TOOL_LEFT, WAKE_SIGNAL, WAKE_VMM_EXIT, WAKE_TIMEOUT };

/* Wait for the tool to leave, a signal or the VMM's exit. */
static enum wake wait_for(int sock, int sfd, int pidfd, int timeout_ms)
{
	struct pollfd pfd[3] = {
		{ .fd = sock, .events = POLLRDHUP },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	int n;

	for (;;) {
		n = poll(pfd, 3, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return WAKE_TIMEOUT;
		if (pfd[2].revents)
			return WAKE_VMM_EXIT;
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) < 0)
				return WAKE_SIGNAL;
			return WAKE_SIGNAL;
		}
		if (pfd[0].revents & (POLLRDHUP | POLLHUP | POLLERR))
			return WAKE_TOOL_LEFT;
	}
}

static void parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "connect", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "commands", required_argument, NULL, 'C' },
		{ "events", required_argument, NULL, 'E' },
		{ "reconnect", required_argument, NULL, 'r' },
		{ "wait", required_argument, NULL, 'w' },
		{ "unhook-timeout", required_argument, NULL, 't' },
		{ "introspector", optional_argument, NULL, 'I' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool hooking;
	char *end;
	int c;

	*o = (struct options){ .commands = "all", .events = "all",
			       .unhook_timeout = 10, .introspector = -1 };
	while ((c = getopt_long(argc, argv, "p:c:k:n:r:t:qh", opts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pid = strtol(optarg, &end, 10);
			if (*end || o->pid <= 0)
				die(EXIT_USAGE, "bad pid: %s", optarg);
			break;
		case 'c':
			o->addr = optarg;
			break;
		case 'k':
			o->key_file = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'C':
			o->commands = optarg;
			break;
		case 'E':
			o->events = optarg;
			break;
		case 'r':
		case 'w':
		case 't': {
			long v = strtol(optarg, &end, 10);

			if (*end || v < 0 || v > 3600)
				die(EXIT_USAGE, "bad number of seconds: %s",
				    optarg);
			if (c == 'r')
				o->reconnect = v;
			else if (c == 'w')
				o->connect_timeout = v;
			else
				o->unhook_timeout = v;
			break;
		}
		case 'I':
			/* "--introspector off" as well as "--introspector=off" */
			if (!optarg && optind < argc &&
			    (!strcmp(argv[optind], "on") ||
			     !strcmp(argv[optind], "off")))
				optarg = argv[optind++];
			if (!optarg || !strcmp(optarg, "on"))
				o->introspector = 1;
			else if (!strcmp(optarg, "off"))
				o->introspector = 0;
			else
				die(EXIT_USAGE, "--introspector takes on or off, not %s",
				    optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			print_help(stdout);
			exit(0);
		default:
			print_help(stderr);
			exit(EXIT_USAGE);
		}
	}
	/* either hook (--connect) or mark (--introspector) */
	hooking = o->introspector < 0;
	if (optind != argc || !o->pid || hooking != !!o->addr) {
		print_help(stderr);
		exit(EXIT_USAGE);
	}
}

static bool key_hash(const char *file, uint8_t hash[20])
{
	static char buf[65536];
	ssize_t n;
	int fd;

	if (!file)
		return false;
	fd = open(file, O_RDONLY);
	if (fd < 0)
		die(EXIT_USAGE, "cannot read the key %s: %s", file,
		    strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		die(EXIT_USAGE, "cannot read the key %s", file);
	kvmic_sha1(buf, n, hash);
	return true;
}

int main(int argc, char **argv)
{
	uint8_t want[20];
	bool keyed;
	struct options o;
	int pidfd, vm_fd, remote_fd, sock, sfd;
	long long waited = 0;
	sigset_t mask;

	parse(argc, argv, &o);
	keyed = key_hash(o.key_file, want);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ctl_fd = open("/dev/kvmi", O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0) {
		if (errno == ENOENT)
			die(EXIT_SETUP, "/dev/kvmi not found: is kvmi.ko loaded?");
		die(EXIT_SETUP, "cannot open /dev/kvmi: %s (root needed)",
		    strerror(errno));
	}
	pidfd = syscall(SYS_pidfd_open, o.pid, 0);
	if (pidfd < 0)
		die(EXIT_SETUP, errno == ESRCH ? "no such process: %d" :
		    "pidfd_open(%d) failed", o.pid);
	remote_fd = find_vm_fd(o.pid);
	if (remote_fd < 0)
		die(EXIT_SETUP, "process %d has no KVM VM (not a KVM VMM?)",
		    o.pid);
	vm_fd = syscall(SYS_pidfd_getfd, pidfd, remote_fd, 0);
	if (vm_fd < 0)
		die(EXIT_SETUP, "cannot take the VM's fd from %d: %s%s", o.pid,
		    strerror(errno), errno == EPERM ?
		    " (needs root or CAP_SYS_PTRACE over the VMM)" : "");
	say("VM of pid %d found (its fd %d)", o.pid, remote_fd);
	if (o.introspector >= 0)
		set_introspector(vm_fd, &o);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);

	for (;;) {
		enum wake w;

		sock = connect_tool(&o, keyed ? want : NULL);
		if (sock < 0) {
			bool retry = o.reconnect ||
				     waited < o.connect_timeout * 1000LL;

			if (!retry) {
				if (sock == -ECONNREFUSED || sock == -ENOENT)
					die(EXIT_SETUP, "the tool is not listening at %s",
					    o.addr);
				die(EXIT_SETUP, "cannot reach the tool at %s: %s",
				    o.addr, strerror(-sock));
			}
			w = wait_for(-1, sfd, pidfd, 200);
			waited += 200;
			if (w == WAKE_SIGNAL || w == WAKE_VMM_EXIT)
				break;
			continue;
		}
		hook(vm_fd, sock, &o);
		say("hooked the VM, connected to %s", o.addr);

		w = wait_for(sock, sfd, pidfd, -1);
		if (w == WAKE_SIGNAL) {
			struct kvmi_ctl_vm v = { .vm_fd = vm_fd };

			say("asking the tool to leave (up to %d s)",
			    o.unhook_timeout);
			if (!ctl(KVMI_CTL_PREUNHOOK, &v))
				wait_for(sock, -1, pidfd,
					 o.unhook_timeout * 1000);
			unhook(vm_fd);
			close(sock);
			say("unhooked");
			break;
		}
		if (w == WAKE_VMM_EXIT) {
			close(sock);
			say("the VMM exited");
			break;
		}
		unhook(vm_fd);
		close(sock);
		say("the tool left; unhooked");
		if (!o.reconnect)
			break;
		w = wait_for(-1, sfd, pidfd, o.reconnect * 1000);
		if (w != WAKE_TIMEOUT)
			break;
	}
	return 0;
}
