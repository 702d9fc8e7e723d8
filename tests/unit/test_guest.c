// SPDX-License-Identifier: GPL-2.0
/* Memory layout, e820 map, the guest_ptr accessor and the MP table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "vmm/guest.h"
#include "vmm/mptable.h"
#include "virtio/window.h"

static bool e820_has(struct e820_entry *t, int n, u64 addr, u64 size, u32 type)
{
	for (int i = 0; i < n; i++)
		if (t[i].addr == addr && t[i].size == size && t[i].type == type)
			return true;
	return false;
}

static u64 e820_ram(struct e820_entry *t, int n)
{
	u64 sum = 0;

	for (int i = 0; i < n; i++)
		if (t[i].type == E820_TYPE_RAM)
			sum += t[i].size;
	return sum;
}

static bool e820_sorted_disjoint(struct e820_entry *t, int n)
{
	for (int i = 1; i < n; i++)
		if (t[i].addr < t[i - 1].addr + t[i - 1].size)
			return false;
	return true;
}

static void layouts(void)
{
	struct e820_entry t[16];
	struct memmap g = { .nr = 0 };
	int n;

	ok(!guest_layout(&g, 256ULL << 20) && g.nr == 1 && g.regions[0].gpa == 0 &&
	   g.regions[0].size == 256ULL << 20 && g.regions[0].type == REGION_RAM,
	   "256M: one RAM region at 0");
	n = guest_e820(&g, t, 16);
	ok(n == 4 && e820_has(t, n, 0, GUEST_EBDA, E820_TYPE_RAM) &&
	   e820_has(t, n, GUEST_EBDA, GUEST_LOW_END - GUEST_EBDA, E820_TYPE_RESERVED) &&
	   e820_has(t, n, GUEST_BIOS, GUEST_HIGH - GUEST_BIOS, E820_TYPE_RESERVED) &&
	   e820_has(t, n, GUEST_HIGH, (256ULL << 20) - GUEST_HIGH, E820_TYPE_RAM),
	   "256M e820: base memory, EBDA, BIOS area, RAM from 1M (%d entries)", n);
	ok(e820_sorted_disjoint(t, n), "e820 entries sorted and disjoint");
	ok(e820_ram(t, n) == (256ULL << 20) - (GUEST_HIGH - GUEST_EBDA),
	   "e820 RAM = memory minus the 640K-1M hole");

	memset(&g, 0, sizeof(g));
	ok(!guest_layout(&g, 4ULL << 30) && g.nr == 2 &&
	   g.regions[0].size == GUEST_HOLE_START && g.regions[1].gpa == GUEST_4G &&
	   g.regions[1].size == (4ULL << 30) - GUEST_HOLE_START,
	   "4G: 3G below the hole, 1G from 4G in a second region");
	ok(guest_ram_size(&g) == 4ULL << 30 && guest_low_ram_end(&g) == GUEST_HOLE_START,
	   "RAM size and end of low RAM");
	n = guest_e820(&g, t, 16);
	ok(n == 5 && e820_has(t, n, GUEST_4G, 1ULL << 30, E820_TYPE_RAM) &&
	   e820_sorted_disjoint(t, n), "4G e820 has RAM above 4G, nothing in the hole");
	for (int i = 0; i < n; i++)
		if (t[i].addr < GUEST_4G && t[i].addr + t[i].size > GUEST_HOLE_START)
			ok(0, "e820 entry %d overlaps the PCI hole", i);
	ok(guest_e820(&g, t, 3) == -ENOSPC, "e820 table too small is an error");

	/* The shared window: after the top of RAM, RAM in e820 (pool in the linear map). */
	ok(guest_window_gpa(256ULL << 20, 64ULL << 20) == 256ULL << 20,
	   "window for 256M: right after RAM at 256M");
	ok(guest_window_gpa((256ULL << 20) + 4096, 64ULL << 20) == 258ULL << 20,
	   "RAM ending off a 2M boundary: window at the next one");
	ok(guest_window_gpa(GUEST_HOLE_START - (32ULL << 20), 64ULL << 20) == GUEST_4G,
	   "a window that would reach into the hole goes to 4G");
	ok(guest_window_gpa(4ULL << 30, 64ULL << 20) == GUEST_4G + (1ULL << 30),
	   "4G of RAM: window after the RAM above 4G");
	memset(&g, 0, sizeof(g));
	guest_layout(&g, 256ULL << 20);
	memmap_add(&g, REGION_SHARED, guest_window_gpa(256ULL << 20, 64ULL << 20), 64ULL << 20);
	n = guest_e820(&g, t, 16);
	ok(n == 5 && e820_has(t, n, 256ULL << 20, 64ULL << 20, E820_TYPE_RAM) &&
	   e820_sorted_disjoint(t, n), "the window is an e820 RAM entry after guest RAM");
	ok(guest_ram_size(&g) == 256ULL << 20 && guest_low_ram_end(&g) == 256ULL << 20,
	   "the window is not counted as guest RAM");
	g.regions[g.nr - 1].hidden = true;
	n = guest_e820(&g, t, 16);
	ok(n == 4 && !e820_has(t, n, 256ULL << 20, 64ULL << 20, E820_TYPE_RAM),
	   "a hidden window (--window=hidden) is left out of e820 (%d entries)", n);

	memset(&g, 0, sizeof(g));
	ok(!guest_layout(&g, GUEST_HOLE_START) && g.nr == 1, "exactly 3G: one region");
	memset(&g, 0, sizeof(g));
	ok(guest_layout(&g, 1ULL << 20) < 0, "1M of RAM is refused");

	memset(&g, 0, sizeof(g));
	memmap_add(&g, REGION_RAM, 0, 1 << 20);
	ok(!memmap_add(&g, REGION_SHARED, 0x80000, 1 << 20),
	   "overlapping region refused: %s", err_msg());
	ok(memmap_add(&g, REGION_SHARED, 2 << 20, 1 << 20) != NULL,
	   "a disjoint shared region is added");
	ok(!memmap_add(&g, REGION_SHARED, 0x1234, 4096), "unaligned region refused");
}

static void accessor(void)
{
	struct memmap *mem = calloc(1, sizeof(*mem));
	struct window view;
	struct region *ram, *hi, *win;
	u8 *lo_buf = calloc(1, 1 << 20), *hi_buf = calloc(1, 1 << 20);
	u8 *win_buf = calloc(1, 1 << 16);

	ram = memmap_add(mem, REGION_RAM, 0, 1 << 20);
	hi = memmap_add(mem, REGION_RAM, GUEST_4G, 1 << 20);
	win = memmap_add(mem, REGION_SHARED, 0xd0000000ULL, 1 << 16);

	ok(!guest_ptr(mem, 0, 16), "unmapped regions give NULL");
	ram->hva = lo_buf;
	hi->hva = hi_buf;
	win->hva = win_buf;
	ok(guest_ptr(mem, 0, 1 << 20) == lo_buf, "whole region");
	ok(guest_ptr(mem, 0x1000, 8) == lo_buf + 0x1000, "inside a region");
	ok(guest_ptr(mem, (1 << 20) - 8, 8) == lo_buf + (1 << 20) - 8, "last 8 bytes");
	ok(!guest_ptr(mem, (1 << 20) - 8, 9), "one byte past the end is NULL");
	ok(!guest_ptr(mem, 1 << 20, 1), "just after the region is NULL");
	ok(!guest_ptr(mem, 1 << 20, 0), "empty range just past the end is NULL (as for devices)");
	ok(guest_ptr(mem, 16, 0) == lo_buf + 16, "empty range inside is fine");
	ok(!guest_ptr(mem, 0x10, ~0ULL), "huge length does not wrap");
	ok(!guest_ptr(mem, ~0ULL - 4, 16), "gpa near 2^64 does not wrap");
	ok(guest_ptr(mem, GUEST_4G + 16, 16) == hi_buf + 16, "second RAM region");
	ok(!guest_ptr(mem, GUEST_4G - 8, 16), "a range across two regions is NULL");
	ok(guest_ptr(mem, 0xd0000000ULL, 64) == win_buf, "the VMM reaches the window too");

	/* The device view is derived from the same table. */
	view = (struct window){ .map = mem, .types = REGION_MASK(REGION_SHARED), .shared = win };
	ok(window_ptr(&view, 0xd0000000ULL, 64) == win_buf, "device view: the shared window");
	ok(!window_ptr(&view, 0x1000, 64), "device accessor cannot reach private RAM");
	window_init_off(&view, mem);
	ok(window_ptr(&view, 0x1000, 64) == lo_buf + 0x1000 && !window_ptr(&view, 0xd0000000ULL, 64),
	   "window-off view: RAM, and not the window");

	/* MP table into fake low memory: signatures and checksums. */
	ok(!mptable_write(mem, 4), "MP table for 4 CPUs written (%s)", err_msg());
	{
		u8 *mpf = lo_buf + GUEST_MPTABLE, *mpc, sum = 0;
		u32 phys;
		u16 len;

		ok(!memcmp(mpf, "_MP_", 4), "floating pointer signature");
		for (int i = 0; i < 16; i++)
			sum += mpf[i];
		ok(sum == 0, "floating pointer checksum");
		memcpy(&phys, mpf + 4, 4);
		mpc = lo_buf + phys;
		memcpy(&len, mpc + 4, 2);
		sum = 0;
		for (int i = 0; i < len; i++)
			sum += mpc[i];
		ok(!memcmp(mpc, "PCMP", 4) && sum == 0, "config table signature and checksum");
		ok(mpc[44] == 0 && mpc[44 + 1] == 0 && mpc[44 + 3] == 3 &&
		   mpc[64] == 0 && mpc[64 + 1] == 1 && mpc[64 + 3] == 1,
		   "CPU 0 is the enabled BSP, CPU 1 enabled AP");
		ok(phys + len <= GUEST_HIGH && len + 16 == (int)mptable_size(4),
		   "table fits below 1M and matches mptable_size");
		{
			/* After 4 CPUs, the bus, the IOAPIC and 16 ISA entries. */
			u8 *e = mpc + 44 + 4 * 20 + 8 + 8 + 16 * 8;

			ok(e[0] == 4 && e[1] == 3, "then the local interrupt entries (ExtINT first)");
			ok(e + 2 * 8 == mpc + len, "and nothing after them");
		}
	}
	ok(mptable_write(mem, 0) < 0, "zero CPUs refused");
	ok(mptable_write(mem, 255) < 0, "more CPUs than APIC IDs refused");
	free(lo_buf);
	free(hi_buf);
	free(win_buf);
	free(mem);
}

int main(void)
{
	layouts();
	accessor();
	return tap_done();
}
