// SPDX-License-Identifier: GPL-2.0
/* Guest physical layout: RAM around the 32-bit hole, the window, e820. */
#include <errno.h>
#include <string.h>

#include "vmm/guest.h"

int guest_layout(struct memmap *g, u64 memory)
{
	u64 low = MIN(memory, GUEST_HOLE_START);

	if (memory < GUEST_HIGH * 2 || memory % PAGE_SIZE)
		return errf(-EINVAL, "guest memory size %llu is not usable",
			    (unsigned long long)memory);
	if (!memmap_add(g, REGION_RAM, 0, low))
		return -EINVAL;
	if (memory > low && !memmap_add(g, REGION_RAM, GUEST_4G, memory - low))
		return -EINVAL;
	return 0;
}

u64 guest_ram_size(const struct memmap *g)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < g->nr; i++)
		if (g->regions[i].type == REGION_RAM)
			sum += g->regions[i].size;
	return sum;
}

u64 guest_low_ram_end(const struct memmap *g)
{
	u64 end = 0;

	for (unsigned int i = 0; i < g->nr; i++) {
		const struct region *r = &g->regions[i];

		if (r->type == REGION_RAM && r->gpa < GUEST_4G)
			end = MAX(end, r->gpa + r->size);
	}
	return end;
}

static int e820_add(struct e820_entry *tab, int n, int max, u64 addr, u64 size, u32 type)
{
	if (!size)
		return n;
	if (n >= max)
		return -ENOSPC;
	tab[n].addr = addr;
	tab[n].size = size;
	tab[n].type = type;
	return n + 1;
}

u64 guest_window_gpa(u64 memory, u64 size)
{
	u64 top = memory > GUEST_HOLE_START ? GUEST_4G + (memory - GUEST_HOLE_START) : memory;
	u64 gpa = ALIGN_UP(top, SZ_2M);

	if (gpa < GUEST_4G && gpa + size > GUEST_HOLE_START)
		gpa = GUEST_4G;
	return gpa;
}

int guest_e820(const struct memmap *g, struct e820_entry *tab, int max)
{
	int n = 0;

	for (unsigned int i = 0; i < g->nr && n >= 0; i++) {
		const struct region *r = &g->regions[i];
		u64 end = r->gpa + r->size;

		if (r->hidden)
			continue;
		if (r->gpa != 0) {
			n = e820_add(tab, n, max, r->gpa, r->size, E820_TYPE_RAM);
			continue;
		}
		/*
		 * Below 1M the PC layout applies: base memory up to the EBDA,
		 * the VGA hole, and the BIOS area holding our MP table.
		 */
		n = e820_add(tab, n, max, 0, GUEST_EBDA, E820_TYPE_RAM);
		if (n >= 0)
			n = e820_add(tab, n, max, GUEST_EBDA, GUEST_LOW_END - GUEST_EBDA,
				     E820_TYPE_RESERVED);
		if (n >= 0)
			n = e820_add(tab, n, max, GUEST_BIOS, GUEST_HIGH - GUEST_BIOS,
				     E820_TYPE_RESERVED);
		if (n >= 0 && end > GUEST_HIGH)
			n = e820_add(tab, n, max, GUEST_HIGH, end - GUEST_HIGH, E820_TYPE_RAM);
	}
	return n;
}
