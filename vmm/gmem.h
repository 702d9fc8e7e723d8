/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_GMEM_H
#define PNVM_GMEM_H

#include "lib/util.h"

struct kvm;
struct region;
struct memmap;

#define GMEM_MAX_NODES	64

/*
 * Back a RAM region with a fresh guest_memfd (MMAP|INIT_SHARED), map it,
 * and bind the mapping to node with MPOL_BIND|MPOL_MF_STRICT before
 * anything touches it. Fills r->fd and r->hva.
 */
int gmem_create(struct kvm *kvm, struct region *r, int node);

/*
 * Allocate every page of every RAM region now, in parallel threads, so a
 * node that is too small fails here and not inside the guest. A progress
 * bar goes to stderr when it is a terminal.
 */
int gmem_prefault(struct memmap *g, int node, bool progress);

struct gmem_placement {
	u64 pages[GMEM_MAX_NODES];	/* present pages per node */
	u64 absent;			/* not allocated yet */
	u64 total;
};

/* Where the kernel says the pages are (move_pages query), all RAM regions. */
int gmem_placement(const struct memmap *g, struct gmem_placement *p);

void gmem_destroy(struct region *r);

#endif
