// SPDX-License-Identifier: GPL-2.0
/* The shared window and its bounds-checked accessor. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "virtio/window.h"

#define GPA	0x100000000ULL
#define SZ	(4ULL << 20)

int main(void)
{
	static struct memmap map, ram;
	struct window w, off;
	static uint8_t ram_a[8192], ram_b[4096];
	struct region *r;
	uint8_t *p;
	int ret;

	ok(window_create(&w, &map, GPA, SZ, 0, 0) == -EXDEV,
	   "refuses the private node");
	ok(window_create(&w, &map, GPA, 12345, -1, -1) == -EINVAL,
	   "refuses a size that is not a multiple of 2 MiB");
	ok(window_create(&w, &map, GPA + 4096, SZ, -1, -1) == -EINVAL,
	   "refuses a misaligned base");
	ok(window_create(&w, &map, UINT64_MAX - (2ULL << 20) + 1, SZ, -1, -1) == -EINVAL,
	   "refuses a window that wraps the address space");

	ret = window_create(&w, &map, GPA, SZ, 0, 1);
	if (ret)	/* a host without libnuma support: still test unbound */
		ret = window_create(&w, &map, GPA, SZ, -1, 1);
	if (!ok(ret == 0, "creates a 4 MiB window (%d)", ret))
		return tap_done();
	tap_diag("window bound to node %d", w.node);
	ok(fcntl(w.fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) &&
	   ftruncate(w.fd, SZ / 2) < 0, "window memfd sealed: it cannot shrink");

	p = window_ptr(&w, GPA, SZ);
	ok(p == window_hva(&w), "whole window translates to its base");
	ok(window_ptr(&w, GPA + SZ - 1, 1) == p + SZ - 1, "last byte inside");
	ok(!window_ptr(&w, GPA + SZ - 1, 2), "range crossing the end: NULL");
	ok(!window_ptr(&w, GPA + SZ, 0), "empty range just past the end: NULL");
	ok(window_ptr(&w, GPA + 16, 0) == p + 16, "empty range inside: ok");
	ok(!window_ptr(&w, GPA - 1, 1), "byte below the window: NULL");
	ok(!window_ptr(&w, GPA - 1, 2), "range straddling the base: NULL");
	ok(!window_ptr(&w, 0, 4096), "guest RAM at 0: NULL");
	ok(!window_ptr(&w, GPA + 8, UINT64_MAX), "huge length: NULL (no wrap)");
	ok(!window_ptr(&w, UINT64_MAX, 2), "address wrapping 2^64: NULL");
	ok(!window_ptr(&w, GPA + 4096, UINT64_MAX - 4095),
	   "gpa + len wrapping to inside the window: NULL");
	memset(p, 0xa5, SZ);
	ok(p[SZ - 1] == 0xa5, "window memory is writable");
	ok(window_gpa(&w) == GPA && window_size(&w) == SZ, "gpa/size getters");
	window_destroy(&w);
	ok(!window_hva(&w) && !window_ptr(&w, GPA, 1) && !memmap_ptr(&map, REGION_ANY, GPA, 1),
	   "destroyed window maps nothing");

	/* Window-off: the devices' view is the map's RAM regions. */
	window_init_off(&off, &ram);
	ok((r = memmap_add(&ram, REGION_RAM, 0, sizeof(ram_a))) != NULL, "off: add RAM a");
	r->hva = ram_a;
	ok((r = memmap_add(&ram, REGION_RAM, 0x10000, sizeof(ram_b))) != NULL, "off: add RAM b");
	r->hva = ram_b;
	ok(!memmap_add(&ram, REGION_RAM, 0x1000, 4096) && strstr(err_msg(), "overlaps"),
	   "off: overlap refused");
	ok(window_ptr(&off, 0x100, 16) == ram_a + 0x100, "off: RAM a translates");
	ok(window_ptr(&off, 0x10010, 16) == ram_b + 0x10, "off: RAM b translates");
	ok(!window_ptr(&off, 0x1ff0, 32), "off: crossing out of RAM a: NULL");
	ok(!window_ptr(&off, 0x8000, 1), "off: hole between regions: NULL");
	ok(window_size(&off) == 0, "off: no window to describe to the guest");
	window_destroy(&off);
	return tap_done();
}
