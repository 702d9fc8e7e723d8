// SPDX-License-Identifier: GPL-2.0
/* The exit bus: registered MMIO and port ranges. */
#include <errno.h>
#include <string.h>

#include "lib/memmap.h"
#include "vmm/bus.h"

int bus_register(struct bus *bus, u64 base, u64 size, u32 width, bus_fn fn,
		 void *opaque)
{
	if (bus->nr == BUS_MAX_RANGES)
		return errf(-ENOSPC, "too many I/O ranges");
	if (!size || base + size < base)
		return errf(-EINVAL, "bad I/O range 0x%llx+0x%llx",
			    (unsigned long long)base, (unsigned long long)size);
	for (unsigned int i = 0; i < bus->nr; i++) {
		const struct bus_range *r = &bus->r[i];

		if (base < r->base + r->size && r->base < base + size)
			return errf(-EEXIST, "I/O range 0x%llx+0x%llx is taken",
				    (unsigned long long)base, (unsigned long long)size);
	}
	bus->r[bus->nr++] = (struct bus_range){
		.base = base, .size = size, .width = width, .fn = fn, .opaque = opaque,
	};
	return 0;
}

void bus_access(const struct bus *bus, u64 addr, u8 *data, u32 len, bool write)
{
	for (unsigned int i = 0; i < bus->nr; i++) {
		const struct bus_range *r = &bus->r[i];

		if (range_within(r->base, r->size, addr, len) &&
		    (!r->width || len == r->width)) {
			r->fn(r->opaque, addr - r->base, data, len, write);
			return;
		}
	}
	if (!write)
		memset(data, 0xff, len);
}
