// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/kvmi/: read-only state for tests and for people.
 *
 *   hooks   one line per hooked KVM function: symbol, module, state, hits
 *   vms     hooked VMs and allocated introspection contexts
 *   stats   commands, events and replies, since load and per hooked VM
 *	     (format in stats.c)
 *   rmap    introspector VMs, mappings, pinned pages, live map tokens
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "rmap.h"

static struct dentry *kvmi_dir;

static int hooks_show(struct seq_file *m, void *unused)
{
	kvmi_hooks_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hooks);

static int vms_show(struct seq_file *m, void *unused)
{
	kvmi_vms_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vms);

static int stats_show(struct seq_file *m, void *unused)
{
	kvmi_vms_stats_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int rmap_show(struct seq_file *m, void *unused)
{
	kvmi_rmap_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rmap);

/**
 * kvmi_debugfs_init() - create /sys/kernel/debug/kvmi/
 *
 * A kernel without debugfs is not an error: the files are for
 * inspection only.
 *
 * Return: 0.
 */
int kvmi_debugfs_init(void)
{
	kvmi_dir = debugfs_create_dir("kvmi", NULL);
	debugfs_create_file("hooks", 0444, kvmi_dir, NULL, &hooks_fops);
	debugfs_create_file("vms", 0444, kvmi_dir, NULL, &vms_fops);
	debugfs_create_file("stats", 0444, kvmi_dir, NULL, &stats_fops);
	debugfs_create_file("rmap", 0444, kvmi_dir, NULL, &rmap_fops);
	return 0;
}

/**
 * kvmi_debugfs_exit() - remove /sys/kernel/debug/kvmi/
 */
void kvmi_debugfs_exit(void)
{
	debugfs_remove_recursive(kvmi_dir);
	kvmi_dir = NULL;
}
