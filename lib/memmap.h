/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory map: one table of guest-physical regions for the whole VM.
 * The VMM reaches guest memory through memmap_ptr() over every region;
 * device code through window_ptr() (virtio/window.h), which is the same
 * lookup restricted to the kind of region devices may touch. Both use
 * range_within(), so they agree at every edge.
 */
#ifndef PNVM_LIB_MEMMAP_H
#define PNVM_LIB_MEMMAP_H

#include "lib/util.h"

#define MEMMAP_MAX_REGIONS	8

/*
 * RAM is private guest_memfd memory on the node; the VMM touches it only
 * to load the kernel and boot structures. SHARED is the virtio window, a
 * memfd on normal memory, the only kind devices reach in window mode.
 */
enum region_type {
	REGION_RAM,
	REGION_SHARED,
};

#define REGION_MASK(t)		(1U << (t))
#define REGION_ANY		(REGION_MASK(REGION_RAM) | REGION_MASK(REGION_SHARED))

struct region {
	enum region_type type;
	u32 slot;
	u64 gpa;
	u64 size;
	void *hva;		/* host mapping, NULL until mapped */
	int fd;			/* guest_memfd (RAM) or memfd (SHARED) */
	u64 fd_offset;
	bool hidden;		/* mapped but left out of e820 */
};

struct memmap {
	struct region regions[MEMMAP_MAX_REGIONS];
	unsigned int nr;
};

/*
 * Is [gpa, gpa + len) inside [base, base + size)? The start must lie in
 * the region (an empty range just past the end is outside). Written so
 * that no sum can wrap.
 */
static inline bool range_within(u64 base, u64 size, u64 gpa, u64 len)
{
	return gpa >= base && gpa - base < size && len <= size - (gpa - base);
}

/* Add a region; rejects overlaps. The new region, or NULL + errf(). */
struct region *memmap_add(struct memmap *m, enum region_type type, u64 gpa, u64 size);

/*
 * Host address of [gpa, gpa + len) if it lies inside one mapped region
 * whose type is in @types (REGION_MASK bits), else NULL.
 */
static inline void *memmap_ptr(const struct memmap *m, unsigned int types,
			       u64 gpa, u64 len)
{
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct region *r = &m->regions[i];

		if ((types & REGION_MASK(r->type)) && r->hva &&
		    range_within(r->gpa, r->size, gpa, len))
			return (char *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

#endif
