// SPDX-License-Identifier: GPL-2.0
/* The memory map's one table. */
#include <errno.h>
#include <string.h>

#include "lib/memmap.h"

struct region *memmap_add(struct memmap *m, enum region_type type, u64 gpa, u64 size)
{
	struct region *r;

	if (m->nr >= MEMMAP_MAX_REGIONS) {
		errf(-ENOSPC, "too many guest memory regions");
		return NULL;
	}
	if (!size || gpa + size < gpa || gpa % PAGE_SIZE || size % PAGE_SIZE) {
		errf(-EINVAL, "bad region 0x%llx+0x%llx",
		     (unsigned long long)gpa, (unsigned long long)size);
		return NULL;
	}
	for (unsigned int i = 0; i < m->nr; i++) {
		r = &m->regions[i];
		if (gpa < r->gpa + r->size && r->gpa < gpa + size) {
			errf(-EEXIST, "region 0x%llx+0x%llx overlaps region %u",
			     (unsigned long long)gpa, (unsigned long long)size, i);
			return NULL;
		}
	}
	r = &m->regions[m->nr];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->slot = m->nr;
	r->gpa = gpa;
	r->size = size;
	r->fd = -1;
	m->nr++;
	return r;
}
