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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WINDOW_DEFAULT_SIZE	(64ULL << 20)
/*
 * restricted-dma-pool sizes are handed to swiotlb, which works in 2 KiB
 * slabs grouped in segments; keep the window a multiple of 2 MiB so the
 * pool, the memslot and a huge page agree.
 */
#define WINDOW_ALIGN		(2ULL << 20)
/* Window-off mode maps guest RAM regions; a VM has few of them. */
#define WINDOW_MAX_REGIONS	8

struct window_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct window {
	struct window_region r[WINDOW_MAX_REGIONS];
	unsigned int nr;
	int fd;			/* the shared memfd, -1 in window-off mode */
	int node;		/* NUMA node the memfd is bound to, -1 if none */
	bool off;		/* --window=off: regions are guest RAM */
};

/*
 * Create the shared window: a memfd of @size bytes bound to NUMA node
 * @node (-1: no binding), to appear at guest-physical @gpa.
 * @private_node (-1: none) is the node guest RAM lives on; the window
 * must not be there.
 * Returns 0, or -EINVAL (bad size/alignment), -EXDEV (@node is the
 * private node), or another -errno from memfd_create/ftruncate/mmap/mbind.
 */
int window_create(struct window *win, uint64_t gpa, uint64_t size,
		  int node, int private_node);

/*
 * Window-off mode (stock guest kernels without the DT pool): device code
 * may reach every region added here, i.e. all of guest RAM.
 */
void window_init_off(struct window *win);
int window_add_region(struct window *win, uint64_t gpa, uint64_t size,
		      void *hva);

void window_destroy(struct window *win);

/* Host pointer for [gpa, gpa + len), or NULL if not fully inside. */
static inline void *window_ptr(const struct window *win, uint64_t gpa,
			       uint64_t len)
{
	unsigned int i;

	for (i = 0; i < win->nr; i++) {
		const struct window_region *r = &win->r[i];
		uint64_t off = gpa - r->gpa;

		/* Unsigned: gpa below the base wraps to a huge offset. */
		if (gpa < r->gpa || off >= r->size || len > r->size - off)
			continue;
		return r->hva + off;
	}
	return NULL;
}

/* The window as the guest sees it (the memfd region); 0 size if off. */
static inline uint64_t window_gpa(const struct window *win)
{
	return win->off || !win->nr ? 0 : win->r[0].gpa;
}

static inline uint64_t window_size(const struct window *win)
{
	return win->off || !win->nr ? 0 : win->r[0].size;
}

/* Host address of the memfd mapping, for the VMM's memslot. */
static inline void *window_hva(const struct window *win)
{
	return win->off || !win->nr ? NULL : win->r[0].hva;
}

#endif
