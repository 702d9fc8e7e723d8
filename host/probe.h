/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live probes of `pnvm host check`: /dev/kvm and what it offers,
 * /dev/net/tun and CAP_NET_ADMIN, and guest_memfd pages on a node. They
 * only record what they saw; check.c judges it, so tests judge made-up
 * results too.
 */
#ifndef PNVM_HOST_PROBE_H
#define PNVM_HOST_PROBE_H

#include "lib/util.h"

#define HOST_MAX_CAPS	16

struct host_kvm {
	int open_err;		/* errno opening /dev/kvm; 0: opened */
	int api;		/* KVM_GET_API_VERSION */
	int caps[HOST_MAX_CAPS];	/* KVM_CHECK_EXTENSION, in kvm_needs[] order */
	int vm_err;		/* errno of KVM_CREATE_VM; 0: made */
	int gmem_flags;		/* KVM_CAP_GUEST_MEMFD_FLAGS on that VM */
};

void host_kvm_probe(const char *dev, struct host_kvm *k);

struct host_tap {
	int tun_err;		/* errno opening /dev/net/tun; 0: opened */
	bool net_admin;		/* CAP_NET_ADMIN in the effective set */
};

void host_tap_probe(const char *dev, struct host_tap *t);

/* The probe size: one 2 MiB guest_memfd. */
#define HOST_PROBE_SIZE	SZ_2M

/*
 * As pnvm places guest RAM (kvm_open, gmem_create, gmem_prefault), then
 * move_pages asks where each page is: 0 when all are on @node, else
 * -errno. @detail says what was found either way.
 */
int host_gmem_probe(int node, char *detail, size_t len);

#endif
