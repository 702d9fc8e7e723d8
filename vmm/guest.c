// SPDX-License-Identifier: GPL-2.0
/* Guest physical memory: the region table, its one accessor, the e820 map. */
#include <errno.h>
#include <string.h>

#include "vmm/guest.h"
#include "vmm/vm.h"

struct region *guest_add_region(struct guest *g, enum region_type type,
				u64 gpa, u64 size)
{
	struct region *r;

	if (g->nr >= GUEST_MAX_REGIONS) {
		errf(-ENOSPC, "too many guest memory regions");
		return NULL;
	}
	if (!size || gpa + size < gpa || gpa % PAGE_SIZE || size % PAGE_SIZE) {
		errf(-EINVAL, "bad region 0x%llx+0x%llx",
		     (unsigned long long)gpa, (unsigned long long)size);
		return NULL;
	}
	for (unsigned int i = 0; i < g->nr; i++) {
		r = &g->regions[i];
		if (gpa < r->gpa + r->size && r->gpa < gpa + size) {
			errf(-EEXIST, "region 0x%llx+0x%llx overlaps region %u",
			     (unsigned long long)gpa, (unsigned long long)size, i);
			return NULL;
		}
	}
	r = &g->regions[g->nr];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->slot = g->nr;
	r->gpa = gpa;
	r->size = size;
	r->fd = -1;
	g->nr++;
	return r;
}

int guest_layout(struct guest *g, u64 memory)
{
	u64 low = MIN(memory, GUEST_HOLE_START);

	if (memory < GUEST_HIGH * 2 || memory % PAGE_SIZE)
		return errf(-EINVAL, "guest memory size %llu is not usable",
			    (unsigned long long)memory);
	if (!guest_add_region(g, REGION_RAM, 0, low))
		return -EINVAL;
	if (memory > low && !guest_add_region(g, REGION_RAM, GUEST_4G, memory - low))
		return -EINVAL;
	return 0;
}

void *guest_ptr_type(struct guest *g, enum region_type type, u64 gpa, u64 len)
{
	for (unsigned int i = 0; i < g->nr; i++) {
		struct region *r = &g->regions[i];

		if (r->type != type || !r->hva)
			continue;
		/* Written so that no sum can wrap. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return (char *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

void *guest_ptr(struct vm *vm, u64 gpa, u64 len)
{
	void *p = guest_ptr_type(&vm->mem, REGION_RAM, gpa, len);

	return p ? p : guest_ptr_type(&vm->mem, REGION_SHARED, gpa, len);
}

u64 guest_ram_size(const struct guest *g)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < g->nr; i++)
		if (g->regions[i].type == REGION_RAM)
			sum += g->regions[i].size;
	return sum;
}

u64 guest_low_ram_end(const struct guest *g)
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

int guest_e820(const struct guest *g, struct e820_entry *tab, int max)
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
