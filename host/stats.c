// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs kvmi/stats: what kvmi did, since load and per hooked VM.
 *
 * One "SCOPE KEY VALUE" per line.  SCOPE is "total" (every session since
 * the module was loaded, the ended ones included) or "vm<ID>" (a VM hooked
 * now, ID as in the tracepoints).  A VM's lines go when it is unhooked.
 * Keys: commands, command_errors, events, events.<name> (one per event
 * kvmi implements), replies; a VM also has pid and uuid.
 *
 * The counters are bumped next to the tracepoints (msg.c, vcpu.c).  A
 * reader sees each counter as it was at some moment while it read, not
 * one snapshot of all of them.
 */
#include <linux/percpu.h>
#include <linux/seq_file.h>

#include "kvmi_int.h"

DEFINE_PER_CPU(struct kvmi_stats_sum, kvmi_stats_total);

static const char *const event_names[KVMI_NUM_EVENTS] = {
	[KVMI_EVENT_UNHOOK] = "unhook",
	[KVMI_EVENT_CR] = "cr",
	[KVMI_EVENT_MSR] = "msr",
	[KVMI_EVENT_XSETBV] = "xsetbv",
	[KVMI_EVENT_BREAKPOINT] = "breakpoint",
	[KVMI_EVENT_HYPERCALL] = "hypercall",
	[KVMI_EVENT_PF] = "pf",
	[KVMI_EVENT_TRAP] = "trap",
	[KVMI_EVENT_DESCRIPTOR] = "descriptor",
	[KVMI_EVENT_CREATE_VCPU] = "create_vcpu",
	[KVMI_EVENT_PAUSE_VCPU] = "pause_vcpu",
	[KVMI_EVENT_SINGLESTEP] = "singlestep",
	[KVMI_EVENT_CMD_ERROR] = "cmd_error",
	[KVMI_EVENT_CPUID] = "cpuid",
};

static void show(struct seq_file *m, const char *scope,
		 const struct kvmi_stats_sum *s)
{
	unsigned int id;
	u64 events = 0;

	for (id = 0; id < KVMI_NUM_EVENTS; id++)
		events += s->events[id];

	seq_printf(m, "%s commands %llu\n", scope, s->commands);
	seq_printf(m, "%s command_errors %llu\n", scope, s->command_errors);
	seq_printf(m, "%s events %llu\n", scope, events);
	for (id = 0; id < KVMI_NUM_EVENTS; id++)
		if (kvmi_event_is_implemented(id) && event_names[id])
			seq_printf(m, "%s events.%s %llu\n", scope,
				   event_names[id], s->events[id]);
	seq_printf(m, "%s replies %llu\n", scope, s->replies);
	seq_printf(m, "%s direct_replies %llu\n", scope, s->direct_replies);
}

/**
 * kvmi_stats_show_total() - print the counters since load
 * @m: the seq_file
 */
void kvmi_stats_show_total(struct seq_file *m)
{
	struct kvmi_stats_sum sum = { };
	unsigned int id;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct kvmi_stats_sum *c = per_cpu_ptr(&kvmi_stats_total,
							     cpu);

		sum.commands += READ_ONCE(c->commands);
		sum.command_errors += READ_ONCE(c->command_errors);
		sum.replies += READ_ONCE(c->replies);
		sum.direct_replies += READ_ONCE(c->direct_replies);
		for (id = 0; id < KVMI_NUM_EVENTS; id++)
			sum.events[id] += READ_ONCE(c->events[id]);
	}
	show(m, "total", &sum);
}

/**
 * kvmi_stats_show_vm() - print the counters of a hooked VM
 * @m: the seq_file
 * @vm: the VM's context
 *
 * Context: the caller keeps @vm in the table of hooked VMs (vm.c's lock).
 */
void kvmi_stats_show_vm(struct seq_file *m, const struct kvmi_vm *vm)
{
	struct kvmi_stats_sum snap;
	unsigned int id;
	char scope[16];

	snap.commands = atomic64_read(&vm->stats.commands);
	snap.command_errors = atomic64_read(&vm->stats.command_errors);
	snap.replies = atomic64_read(&vm->stats.replies);
	snap.direct_replies = atomic64_read(&vm->stats.direct_replies);
	for (id = 0; id < KVMI_NUM_EVENTS; id++)
		snap.events[id] = atomic64_read(&vm->stats.events[id]);

	snprintf(scope, sizeof(scope), "vm%u", vm->id);
	seq_printf(m, "%s pid %d\n", scope, vm->pid);
	seq_printf(m, "%s uuid %pUb\n", scope, vm->uuid);
	show(m, scope, &snap);
}
