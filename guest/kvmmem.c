// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmmem: /dev/kvmmem, remote mapping for a tool in an introspector VM.
 *
 * Usage contract (Documentation/kvmmem.rst): a root process opens
 * /dev/kvmmem and asks, by ioctl, for one of its own pages to show a page
 * of the introspected VM, naming it with a token that the tool got from
 * KVMI_GET_MAP_TOKEN.  The module pins the tool's page, so that its
 * guest-physical address stays the same, and asks the host with the
 * KVM_HC_MEM_MAP hypercall to back that address with the introspected
 * VM's page.  KVM_INTRO_MEM_UNMAP, or closing the file, undoes it with
 * KVM_HC_MEM_UNMAP and unpins the page.
 *
 * Only the process that opened the file may use it.  The module only
 * makes sense in a KVM guest, and refuses to load anywhere else.
 *
 * Locking.  Each open file has one mutex, kvmmem_file.lock.  It protects
 * the file's table of mappings, and a request holds it from the lookup of
 * its gva to the update of the table: the pin, the hypercall and the
 * table update are one step, so a second MAP of the same gva cannot slip
 * in between the check and the insertion, and an UNMAP never sees a
 * mapping whose hypercall has not returned.  The hypercalls therefore run
 * under the mutex.  That is allowed (a hypercall holds the vCPU in the
 * host until it answers; nothing in the guest waits on it but requests
 * on the same file) and costs little: requests on other files, and the
 * rest of the guest, do not take it.  The mutex nests outside the
 * process's mmap lock, which the pin takes; nothing takes them the other
 * way round.  The table's own spinlock (an xarray) is internal to it.
 * release() runs once no other reference to the file is left, so no
 * request can run beside it and it takes no lock.  The module's counters
 * are atomics, outside any lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/kvm_para.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <linux/kvmi_para.h>
#include <linux/kvmmem.h>

#include "compat.h"

/*
 * The host answers with 0 or a negated KVM_E* code.  Those it may give
 * have the values of the errno of the same name, except KVM_ENOSYS.
 */
static_assert(KVM_EPERM == EPERM && KVM_EINVAL == EINVAL &&
	      KVM_EFAULT == EFAULT && KVM_ENOENT == ENOENT &&
	      KVM_EBUSY == EBUSY && KVM_ENOMEM == ENOMEM &&
	      KVM_EOPNOTSUPP == EOPNOTSUPP);

/**
 * struct kvmmem_file - one open /dev/kvmmem
 * @owner: the thread group that opened the file; no other may use it
 * @lock: serialises the file's requests, the hypercalls included (see the
 *	comment at the top)
 * @maps: the file's mappings: the pinned struct page of each mapped user
 *	page, indexed by the page's number (gva >> PAGE_SHIFT)
 */
struct kvmmem_file {
	struct pid *owner;
	struct mutex lock;	/* see above */
	struct xarray maps;
};

/**
 * struct kvmmem_stats - the module's counters (debugfs kvmmem/stats)
 * @mappings: mappings in place now
 * @pinned: pages pinned now: one per mapping, one per MAP on its way,
 *	and those kept pinned after a failed UNMAP (@kept)
 * @maps: MAP requests that succeeded
 * @unmaps: mappings that ended (UNMAP or close)
 * @revoked: of those, the ones the host had ended already
 * @kept: pages kept pinned for good because the host refused to unmap
 *	them at close: they might still show the introspected VM's page
 */
struct kvmmem_stats {
	atomic_long_t mappings;
	atomic_long_t pinned;
	atomic_long_t maps;
	atomic_long_t unmaps;
	atomic_long_t revoked;
	atomic_long_t kept;
};

static struct kvmmem_stats stats;
static struct dentry *debugfs_dir;

/* The host's answer as an errno: unknown codes become -EIO. */
static int kvmmem_errno(long hc)
{
	switch (hc) {
	case 0:
	case -KVM_EPERM:
	case -KVM_EINVAL:
	case -KVM_EFAULT:
	case -KVM_ENOENT:
	case -KVM_EBUSY:
	case -KVM_ENOMEM:
	case -KVM_EOPNOTSUPP:
		return hc;
	case -KVM_ENOSYS:
		/* not an introspector VM, or kvmi not loaded in the host */
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* Private anonymous writable memory (not shared, not a file, no I/O). */
static bool kvmmem_vma_ok(struct vm_area_struct *vma)
{
	return vma && vma_is_anonymous(vma) &&
	       (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
}

/*
 * Pin the caller's page at @gva.  FOLL_WRITE gives the process a page of
 * its own (a copy-on-write page is copied first) and FOLL_LONGTERM moves
 * it out of movable memory: the page keeps its guest-physical address
 * until it is unpinned.
 */
static int kvmmem_pin(unsigned long gva, struct page **page)
{
	struct mm_struct *mm = current->mm;
	long pinned;

	mmap_read_lock(mm);
	if (kvmmem_vma_ok(vma_lookup(mm, gva)))
		pinned = kvmmem_pin_one(gva, FOLL_WRITE | FOLL_LONGTERM, page);
	else
		pinned = -EINVAL;
	mmap_read_unlock(mm);
	if (pinned < 0)
		return pinned;
	if (pinned != 1)
		return -EFAULT;
	atomic_long_inc(&stats.pinned);
	return 0;
}

static void kvmmem_unpin(struct page *page)
{
	unpin_user_page(page);
	atomic_long_dec(&stats.pinned);
}

/*
 * Ask the host to stop showing the introspected VM's page at @page.  0
 * when it did, and when there was nothing to undo: -KVM_ENOENT, the host
 * revoked the mapping already (the introspected VM or its session
 * ended), and -KVM_ENOSYS, the VM is no longer an introspector VM (taking
 * the mark away undoes every mapping) or kvmi left the host.
 */
static int kvmmem_hc_unmap(struct page *page)
{
	long hc = kvm_hypercall1(KVM_HC_MEM_UNMAP, page_to_phys(page));

	if (hc == -KVM_ENOENT || hc == -KVM_ENOSYS) {
		atomic_long_inc(&stats.revoked);
		hc = 0;
	}
	return kvmmem_errno(hc);
}

/* A mapping ended: @page shows the VM's own memory again. */
static void kvmmem_ended(struct page *page)
{
	kvmmem_unpin(page);
	atomic_long_dec(&stats.mappings);
	atomic_long_inc(&stats.unmaps);
}

static int kvmmem_map_page(struct kvmmem_file *kf,
			   const struct kvmi_mem_token *token, u64 gpa,
			   unsigned long gva)
{
	unsigned long index = gva >> PAGE_SHIFT;
	struct page *page;
	int ret;

	mutex_lock(&kf->lock);
	if (xa_load(&kf->maps, index)) {
		ret = -EALREADY;
		goto unlock;
	}
	ret = kvmmem_pin(gva, &page);
	if (ret)
		goto unlock;
	/* in the table before the host maps: nothing can fail after it */
	ret = xa_insert(&kf->maps, index, page, GFP_KERNEL);
	if (ret)
		goto unpin;
	ret = kvmmem_errno(kvm_hypercall3(KVM_HC_MEM_MAP,
					  (unsigned long)token, gpa,
					  page_to_phys(page)));
	if (!ret) {
		atomic_long_inc(&stats.mappings);
		atomic_long_inc(&stats.maps);
		goto unlock;
	}
	xa_erase(&kf->maps, index);
unpin:
	kvmmem_unpin(page);
unlock:
	mutex_unlock(&kf->lock);
	return ret;
}

static int kvmmem_map(struct kvmmem_file *kf, struct kvmi_mem_map __user *arg)
{
	struct kvmi_mem_token *token;
	u64 gpa, gva;
	int ret;

	/*
	 * The host reads the token at a guest-virtual address: a kmalloc'd
	 * copy never crosses a page (kmalloc aligns power-of-two sizes to
	 * their size), where a copy on the stack could.
	 */
	token = kmalloc(sizeof(*token), GFP_KERNEL);
	if (!token)
		return -ENOMEM;
	if (copy_from_user(token, &arg->token, sizeof(*token)) ||
	    get_user(gpa, &arg->gpa) || get_user(gva, &arg->gva))
		ret = -EFAULT;
	else if (!PAGE_ALIGNED(gva))
		ret = -EINVAL;
	else
		ret = kvmmem_map_page(kf, token, gpa, gva);
	kfree_sensitive(token);
	return ret;
}

static int kvmmem_unmap(struct kvmmem_file *kf, unsigned long gva)
{
	unsigned long index = gva >> PAGE_SHIFT;
	struct page *page;
	int ret;

	if (!PAGE_ALIGNED(gva))
		return -EINVAL;
	mutex_lock(&kf->lock);
	page = xa_load(&kf->maps, index);
	if (!page) {
		ret = -ENOENT;
		goto unlock;
	}
	/* on an error the mapping stays, and so does the pin */
	ret = kvmmem_hc_unmap(page);
	if (!ret) {
		xa_erase(&kf->maps, index);
		kvmmem_ended(page);
	}
unlock:
	mutex_unlock(&kf->lock);
	return ret;
}

static long kvmmem_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct kvmmem_file *kf = file->private_data;

	if (cmd != KVM_INTRO_MEM_MAP && cmd != KVM_INTRO_MEM_UNMAP)
		return -ENOTTY;
	if (task_tgid(current) != kf->owner)
		return -EPERM;
	if (cmd == KVM_INTRO_MEM_MAP)
		return kvmmem_map(kf, (struct kvmi_mem_map __user *)arg);
	return kvmmem_unmap(kf, arg);
}

static int kvmmem_open(struct inode *inode, struct file *file)
{
	struct kvmmem_file *kf;

	kf = kmalloc(sizeof(*kf), GFP_KERNEL);
	if (!kf)
		return -ENOMEM;
	kf->owner = get_pid(task_tgid(current));
	mutex_init(&kf->lock);
	xa_init(&kf->maps);
	file->private_data = kf;
	return 0;
}

/*
 * Undo every mapping of the file.  A page the host refuses to unmap is
 * kept pinned for good: given back to the allocator, it could still
 * show the introspected VM's page to whoever gets it next.
 */
static int kvmmem_release(struct inode *inode, struct file *file)
{
	struct kvmmem_file *kf = file->private_data;
	unsigned long index;
	struct page *page;
	int ret;

	xa_for_each(&kf->maps, index, page) {
		ret = kvmmem_hc_unmap(page);
		if (!ret) {
			kvmmem_ended(page);
			continue;
		}
		pr_warn_ratelimited("the host did not unmap gpa 0x%llx (%d): the page stays pinned\n",
				    (unsigned long long)page_to_phys(page),
				    ret);
		atomic_long_dec(&stats.mappings);
		atomic_long_inc(&stats.kept);
	}
	xa_destroy(&kf->maps);
	mutex_destroy(&kf->lock);
	put_pid(kf->owner);
	kfree(kf);
	return 0;
}

/*
 * 32-bit processes are not served: their KVM_INTRO_MEM_UNMAP has another
 * number, and without .compat_ioctl every request of theirs gets ENOTTY.
 */
static const struct file_operations kvmmem_fops = {
	.owner = THIS_MODULE,
	.open = kvmmem_open,
	.release = kvmmem_release,
	.unlocked_ioctl = kvmmem_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice kvmmem_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmmem",
	.fops = &kvmmem_fops,
	.mode = 0600,
};

static int kvmmem_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "mappings %ld\n", atomic_long_read(&stats.mappings));
	seq_printf(m, "pinned %ld\n", atomic_long_read(&stats.pinned));
	seq_printf(m, "maps %ld\n", atomic_long_read(&stats.maps));
	seq_printf(m, "unmaps %ld\n", atomic_long_read(&stats.unmaps));
	seq_printf(m, "revoked %ld\n", atomic_long_read(&stats.revoked));
	seq_printf(m, "kept %ld\n", atomic_long_read(&stats.kept));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmmem_stats);

static int __init kvmmem_init(void)
{
	int ret;

	if (!kvm_para_available()) {
		pr_err("KVM paravirtual interface not available: load kvmmem inside a KVM guest\n");
		return -ENODEV;
	}

	ret = misc_register(&kvmmem_dev);
	if (ret) {
		pr_err("cannot register /dev/kvmmem: %d\n", ret);
		return ret;
	}
	/* debugfs is optional: its failures are ignored */
	debugfs_dir = debugfs_create_dir("kvmmem", NULL);
	debugfs_create_file("stats", 0400, debugfs_dir, NULL,
			    &kvmmem_stats_fops);
	return 0;
}

static void __exit kvmmem_exit(void)
{
	debugfs_remove(debugfs_dir);
	misc_deregister(&kvmmem_dev);
}

module_init(kvmmem_init);
module_exit(kvmmem_exit);

MODULE_DESCRIPTION("Map pages of an introspected VM into an introspector VM");
MODULE_LICENSE("GPL");
