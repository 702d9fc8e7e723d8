// SPDX-License-Identifier: GPL-2.0
/*
 * The shared window: a memfd on normal memory that the guest uses as its
 * restricted DMA pool. See window.h and README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtio/window.h"

static int window_bind(void *p, uint64_t size, int node)
{
	unsigned long mask[16] = { 0 };
	unsigned long bits = sizeof(mask) * 8;

	if (node < 0 || (unsigned long)node >= bits)
		return -EINVAL;
	mask[node / (8 * sizeof(long))] |= 1UL << (node % (8 * sizeof(long)));
	/*
	 * maxnode is one past the highest bit the kernel reads; pass the
	 * whole mask. MPOL_MF_STRICT: nothing is faulted in yet, so this
	 * only checks; the policy applies to every page touched later.
	 */
	if (mbind(p, size, MPOL_BIND, mask, bits, MPOL_MF_STRICT) < 0)
		return -errno;
	return 0;
}

static void window_clear(struct window *win)
{
	memset(win, 0, sizeof(*win));
	win->fd = -1;
	win->node = -1;
}

int window_create(struct window *win, struct memmap *map, uint64_t gpa,
		  uint64_t size, int node, int private_node)
{
	struct region *r;
	void *p;
	int fd, ret;

	window_clear(win);
	if (!size || size % WINDOW_ALIGN || gpa % WINDOW_ALIGN ||
	    gpa + size < gpa)
		return errf(-EINVAL, "--shared-window: size and address must be "
			    "non-zero multiples of 2 MiB");
	if (node >= 0 && node == private_node)
		return errf(-EXDEV, "--shared-node %d is the private node guest RAM "
			    "is bound to; the shared window must be on normal memory",
			    node);

	fd = memfd_create("pnvm-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return errf(-errno, "shared window: memfd_create: %s", strerror(errno));
	if (ftruncate(fd, size) < 0) {
		ret = errf(-errno, "shared window: ftruncate: %s", strerror(errno));
		goto out_close;
	}
	/* The window must stay the size the guest was told; if not, no window. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		ret = errf(-errno, "shared window: memfd seals: %s", strerror(errno));
		goto out_close;
	}

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = errf(-errno, "shared window: mmap: %s", strerror(errno));
		goto out_close;
	}
	if (node >= 0) {
		ret = window_bind(p, size, node);
		if (ret) {
			errf(ret, "--shared-node %d: mbind: %s", node, strerror(-ret));
			goto out_unmap;
		}
	}
	r = memmap_add(map, REGION_SHARED, gpa, size);
	if (!r) {
		ret = -EINVAL;
		goto out_unmap;
	}
	r->hva = p;
	r->fd = fd;
	win->map = map;
	win->types = REGION_MASK(REGION_SHARED);
	win->shared = r;
	win->fd = fd;
	win->node = node;
	return 0;

out_unmap:
	munmap(p, size);
out_close:
	close(fd);
	return ret;
}

void window_init_off(struct window *win, const struct memmap *map)
{
	window_clear(win);
	win->map = map;
	win->types = REGION_MASK(REGION_RAM);
}

/* The region stays in the map, unmapped: nothing reaches it any more. */
void window_destroy(struct window *win)
{
	if (win->shared) {
		munmap(win->shared->hva, win->shared->size);
		win->shared->hva = NULL;
		win->shared->fd = -1;
	}
	if (win->fd >= 0)
		close(win->fd);
	window_clear(win);
}
