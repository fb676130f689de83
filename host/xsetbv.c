// SPDX-License-Identifier: GPL-2.0-only
/*
 * The XSETBV event.  XSETBV always exits (both vendors); with the event
 * on, the vCPU waits before KVM executes it.  The event has no payload
 * (libkvmi's ABI): the tool reads ECX and EDX:EAX from the registers the
 * event carries.  CRASH stops the VM; any other action lets the
 * instruction run.
 */
#include "hooks/hooks.h"
#include "kvmi_int.h"
#include "vcpu.h"

bool kvmi_on_xsetbv(struct kvm_vcpu *vcpu, int *ret)
{
	struct kvmi_vcpu *kv = kvmi_vcpu_hold_event(vcpu, KVMI_EVENT_XSETBV);

	if (!kv ||
	    kvmi_vcpu_exit_event(kv, KVMI_EVENT_XSETBV, NULL, 0, NULL, 0) !=
	    KVMI_EVENT_ACTION_CRASH)
		return false;
	kvmi_vcpu_crash(vcpu);
	*ret = 1;
	return true;
}
