// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map tokens: KVMI_GET_MAP_TOKEN gives the tool 32 random bytes, which an
 * introspector VM presents with KVM_HC_MEM_MAP to name the introspected
 * VM (see rmap.c).
 *
 * Rules (Documentation/kvmmem.rst):
 * - a token belongs to the session that asked for it, and through it to
 *   the introspected VM; it dies with the session;
 * - it is spent by the first MAP that looks it up (after the checks of
 *   the gpas and of the token's address, which leave it good), whether
 *   that MAP then succeeds or not, so a token is never good twice;
 * - it expires map_token_ttl seconds after it was made;
 * - a session has at most KVMI_MAX_TOKENS live tokens; more is
 *   -KVM_EAGAIN until one is spent or expires.
 *
 * All tokens of all sessions are on one list, short by construction
 * (KVMI_MAX_TOKENS per hooked VM).  A presented token is compared with
 * every live token in constant time (crypto_memneq()): the time taken
 * does not depend on how many leading bytes match.
 */
#include <crypto/algapi.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kvmi_int.h"
#include "rmap.h"

#define KVMI_MAX_TOKENS	8

static unsigned int map_token_ttl = 30;
module_param(map_token_ttl, uint, 0644);
MODULE_PARM_DESC(map_token_ttl,
		 "Seconds a KVMI_GET_MAP_TOKEN token stays valid (default 30)");

/**
 * struct kvmi_token - one live token
 * @node: in the list of tokens
 * @vm: the session that asked for it; the session drops its tokens
 *	(kvmi_tokens_drop()) before it goes away
 * @expires: jiffies after which it is no longer accepted
 * @bytes: the token
 */
struct kvmi_token {
	struct list_head node;
	struct kvmi_vm *vm;
	unsigned long expires;
	struct kvmi_mem_token bytes;
};

static DEFINE_SPINLOCK(tokens_lock);
static LIST_HEAD(tokens);		/* protected by tokens_lock */
static unsigned int nr_tokens;		/* protected by tokens_lock */

static void unlink_token(struct kvmi_token *t)
{
	lockdep_assert_held(&tokens_lock);
	list_del(&t->node);
	nr_tokens--;
}

/**
 * kvmi_token_new() - make a token for a session
 * @vm: the session
 * @out: the token, for the reply
 *
 * Context: the session's receive thread.
 * Return: 0; -EAGAIN with KVMI_MAX_TOKENS live tokens; -ENOMEM.
 */
int kvmi_token_new(struct kvmi_vm *vm, struct kvmi_mem_token *out)
{
	struct kvmi_token *t, *tmp, *fresh;
	unsigned int mine = 0;

	fresh = kmalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return -ENOMEM;
	fresh->vm = vm;
	fresh->expires = jiffies + READ_ONCE(map_token_ttl) * HZ;
	get_random_bytes(&fresh->bytes, sizeof(fresh->bytes));

	spin_lock(&tokens_lock);
	list_for_each_entry_safe(t, tmp, &tokens, node) {
		if (t->vm != vm)
			continue;
		if (time_after(jiffies, t->expires)) {
			unlink_token(t);
			kfree(t);
		} else {
			mine++;
		}
	}
	if (mine < KVMI_MAX_TOKENS) {
		list_add_tail(&fresh->node, &tokens);
		nr_tokens++;
		*out = fresh->bytes;
		fresh = NULL;
	}
	spin_unlock(&tokens_lock);

	if (fresh) {
		kfree_sensitive(fresh);
		return -EAGAIN;
	}
	return 0;
}

/**
 * kvmi_token_take() - spend a token
 * @bytes: the token a MAP presented
 *
 * Context: any process context.
 * Return: the session the token belongs to, with a reference
 * (kvmi_vm_put()); NULL if no live token matches.
 */
struct kvmi_vm *kvmi_token_take(const struct kvmi_mem_token *bytes)
{
	struct kvmi_token *t, *tmp, *found = NULL;
	struct kvmi_vm *vm = NULL;

	spin_lock(&tokens_lock);
	list_for_each_entry_safe(t, tmp, &tokens, node) {
		if (!found &&
		    !crypto_memneq(&t->bytes, bytes, sizeof(t->bytes))) {
			unlink_token(t);
			found = t;
		}
	}
	/*
	 * A session drops its tokens under tokens_lock before it drops the
	 * reference its table holds: the context is alive here.
	 */
	if (found && time_before_eq(jiffies, found->expires)) {
		vm = found->vm;
		kref_get(&vm->ref);
	}
	spin_unlock(&tokens_lock);
	kfree_sensitive(found);
	return vm;
}

/**
 * kvmi_tokens_drop() - forget every token of a session
 * @vm: the session, which is ending
 */
void kvmi_tokens_drop(struct kvmi_vm *vm)
{
	struct kvmi_token *t, *tmp;
	LIST_HEAD(dead);

	spin_lock(&tokens_lock);
	list_for_each_entry_safe(t, tmp, &tokens, node) {
		if (t->vm == vm) {
			unlink_token(t);
			list_add(&t->node, &dead);
		}
	}
	spin_unlock(&tokens_lock);

	list_for_each_entry_safe(t, tmp, &dead, node)
		kfree_sensitive(t);
}

/* Live tokens (expired ones included until they are noticed). */
unsigned int kvmi_tokens_count(void)
{
	unsigned int n;

	spin_lock(&tokens_lock);
	n = nr_tokens;
	spin_unlock(&tokens_lock);
	return n;
}
