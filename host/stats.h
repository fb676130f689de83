/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counters of commands, events and replies (stats.c), bumped next to the
 * tracepoints: per VM, in its context, and since load, per CPU.
 */
#ifndef KVMI_STATS_H
#define KVMI_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/kvmi.h>

/**
 * struct kvmi_stats - the counters of one session
 * @commands: commands answered, or whose answer was dropped (replies off)
 * @command_errors: those of them answered with an error
 * @replies: vCPU event replies accepted
 * @direct_replies: those of them the waiting vCPU read from the socket
 *		    itself (sock.c)
 * @events: events sent, by id
 */
struct kvmi_stats {
	atomic64_t commands;
	atomic64_t command_errors;
	atomic64_t replies;
	atomic64_t direct_replies;
	atomic64_t events[KVMI_NUM_EVENTS];
};

/* The same counters as plain numbers: per CPU since load, or a snapshot. */
struct kvmi_stats_sum {
	u64 commands;
	u64 command_errors;
	u64 replies;
	u64 direct_replies;
	u64 events[KVMI_NUM_EVENTS];
};

DECLARE_PER_CPU(struct kvmi_stats_sum, kvmi_stats_total);

static inline void kvmi_stats_command(struct kvmi_stats *s, int err)
{
	atomic64_inc(&s->commands);
	this_cpu_inc(kvmi_stats_total.commands);
	if (err) {
		atomic64_inc(&s->command_errors);
		this_cpu_inc(kvmi_stats_total.command_errors);
	}
}

/* @event is a KVMI_EVENT_* the caller sends: below KVMI_NUM_EVENTS. */
static inline void kvmi_stats_event(struct kvmi_stats *s, u8 event)
{
	atomic64_inc(&s->events[event]);
	this_cpu_inc(kvmi_stats_total.events[event]);
}

static inline void kvmi_stats_reply(struct kvmi_stats *s, bool direct)
{
	atomic64_inc(&s->replies);
	this_cpu_inc(kvmi_stats_total.replies);
	if (direct) {
		atomic64_inc(&s->direct_replies);
		this_cpu_inc(kvmi_stats_total.direct_replies);
	}
}

#endif /* KVMI_STATS_H */
