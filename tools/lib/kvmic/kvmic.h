/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvmic: a small client library for the KVMI protocol of kvmi.ko.
 *
 * Two sides use it:
 *  - an introspection tool listens (unix or vsock socket), accepts the
 *    connection of a device manager, answers its handshake, then sends
 *    commands and answers events;
 *  - a device manager (kvmi-hook) connects to the tool and sends the
 *    handshake, before it hands the socket to kvmi.ko.
 *
 * The handshake is QEMU's (struct kvmic_vm_info, then struct
 * kvmic_cookie back), so tools written for QEMU's introspection object
 * accept kvmi-hook, and tools on this library accept QEMU.
 *
 * Errors: functions return 0 or a positive count on success and -errno
 * on transport or protocol failures (-EPROTO for a malformed message,
 * -ETIMEDOUT, -EPIPE when the peer went away).  kvmic_request() also
 * returns a positive KVM_E* code when the command itself failed.
 */
#ifndef KVMIC_H
#define KVMIC_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvmi.h>

/* What the VMM side sends first (QEMU's struct qemu_vmi_to_introspector). */
struct kvmic_vm_info {
	uint32_t struct_size;	/* sizeof of the sender's structure */
	uint8_t uuid[16];
	uint32_t padding;
	int64_t start_time;	/* seconds since the epoch */
	char name[64];		/* NUL-terminated when shorter */
	uint64_t max_gpa;	/* 0 if the sender does not know */
};

/* The tool's answer (QEMU's struct qemu_vmi_from_introspector). */
struct kvmic_cookie {
	uint32_t struct_size;
	uint8_t cookie_hash[20];	/* SHA-1 of the shared secret, or 0 */
};

/* The smallest VM info a tool accepts, and the largest either side reads. */
#define KVMIC_INFO_MIN		offsetof(struct kvmic_vm_info, name)
#define KVMIC_HANDSHAKE_MAX	(64 * 1024)

/* One event: its header, the common part and its own payload. */
struct kvmic_event {
	struct kvmi_msg_hdr hdr;
	struct kvmi_event ev;
	uint8_t payload[KVMI_MSG_SIZE];
	size_t payload_len;
};

struct kvmic_queued;

/* A tool's connection to one VM. */
struct kvmic {
	int fd;
	uint32_t seq;
	struct kvmic_vm_info info;	/* from the handshake */
	struct kvmic_queued *queue;	/* events read while a reply was due */
	int timeout_ms;			/* for command replies; default 10 s */
};

/* Addresses: "unix:PATH", "PATH" (with a '/'), "vsock:CID:PORT". */
int kvmic_listen(const char *addr);
int kvmic_connect(const char *addr);

/* Tool side: accept one connection and answer its handshake. */
int kvmic_accept(int lfd, struct kvmic *c, const uint8_t *cookie_hash,
		 int timeout_ms);
int kvmic_handshake_tool(int fd, struct kvmic_vm_info *info,
			 const uint8_t *cookie_hash, int timeout_ms);
/* VMM side: send @info, read the cookie hash into @hash (20 bytes). */
int kvmic_handshake_vmm(int fd, const struct kvmic_vm_info *info,
			uint8_t *hash, int timeout_ms);

void kvmic_init(struct kvmic *c, int fd);
void kvmic_close(struct kvmic *c);

int kvmic_request(struct kvmic *c, uint16_t id, const void *req, size_t len,
		  void *reply, size_t reply_max, size_t *reply_len);
int kvmic_vcpu_request(struct kvmic *c, uint16_t id, uint16_t vcpu,
		       const void *req, size_t len, void *reply,
		       size_t reply_max, size_t *reply_len);
int kvmic_next_event(struct kvmic *c, struct kvmic_event *e, int timeout_ms);
int kvmic_reply(struct kvmic *c, const struct kvmic_event *e, uint8_t action,
		const void *data, size_t len);

/* Names for messages. */
const char *kvmic_kvm_error(int err);
const char *kvmic_command_name(uint16_t id);
const char *kvmic_event_name(uint8_t id);

/* SHA-1 of @len bytes (the cookie of QEMU's key=), into @out[20]. */
void kvmic_sha1(const void *data, size_t len, uint8_t *out);

#endif /* KVMIC_H */
