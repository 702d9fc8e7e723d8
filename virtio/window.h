/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared window: the only guest-physical memory the device model may
 * touch. Guest RAM is private (guest_memfd on the private node); virtio
 * rings and buffers are bounced by the guest through this window, a memfd
 * on normal memory mapped into guest-physical space outside RAM.
 *
 * window_ptr() is THE accessor for device code: it translates a
 * guest-physical range to a host pointer only when the whole range lies
 * inside one window region, and returns NULL otherwise.
 */
#ifndef PNVM_VIRTIO_WINDOW_H
#define PNVM_VIRTIO_WINDOW_H

#include "lib/memmap.h"

#define WINDOW_DEFAULT_SIZE	(64ULL << 20)
/*
 * restricted-dma-pool sizes are handed to swiotlb, which works in 2 KiB
 * slabs grouped in segments; keep the window a multiple of 2 MiB so the
 * pool, the memslot and a huge page agree.
 */
#define WINDOW_ALIGN		(2ULL << 20)

/*
 * The device view of the VM's memory map: the SHARED region (the memfd
 * this window owns), or in window-off mode the RAM regions.
 */
struct window {
	const struct memmap *map;	/* NULL: nothing mapped yet */
	unsigned int types;		/* REGION_MASK()s devices may reach */
	struct region *shared;		/* the memfd's region, NULL if off */
	int fd;			/* the shared memfd, -1 in window-off mode */
	int node;		/* NUMA node the memfd is bound to, -1 if none */
};

/*
 * Create the shared window: a memfd of @size bytes bound to NUMA node
 * @node (-1: no binding), added to @map as a SHARED region at
 * guest-physical @gpa. @private_node (-1: none) is the node guest RAM
 * lives on; the window must not be there.
 * Returns 0, or -EINVAL (bad size/alignment, or @map refuses the
 * region), -EXDEV (@node is the private node), or another -errno from
 * memfd_create/ftruncate/mmap/mbind.
 */
int window_create(struct window *win, struct memmap *map, uint64_t gpa,
		  uint64_t size, int node, int private_node);

/*
 * Window-off mode (stock guest kernels without the DT pool): device code
 * may reach every RAM region of @map, i.e. all of guest RAM.
 */
void window_init_off(struct window *win, const struct memmap *map);

void window_destroy(struct window *win);

/* Host pointer for [gpa, gpa + len), or NULL if not fully inside. */
static inline void *window_ptr(const struct window *win, uint64_t gpa,
			       uint64_t len)
{
	return win->map ? memmap_ptr(win->map, win->types, gpa, len) : NULL;
}

/* --window=off: the devices' view is guest RAM itself. */
static inline bool window_is_off(const struct window *win)
{
	return win->types == REGION_MASK(REGION_RAM);
}

/* The window as the guest sees it (the memfd region); 0 size if off. */
static inline uint64_t window_gpa(const struct window *win)
{
	return win->shared ? win->shared->gpa : 0;
}

static inline uint64_t window_size(const struct window *win)
{
	return win->shared ? win->shared->size : 0;
}

/* Host address of the memfd mapping, for the VMM's memslot. */
static inline void *window_hva(const struct window *win)
{
	return win->shared ? win->shared->hva : NULL;
}

#endif
