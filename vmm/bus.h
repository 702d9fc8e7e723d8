/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit bus: a vCPU's MMIO and port-I/O exits go to whoever
 * registered the address range (as kvmtool's kvm__register_mmio and
 * ioport__register), so the vCPU loop knows no device.
 */
#ifndef PNVM_BUS_H
#define PNVM_BUS_H

#include "lib/util.h"

#define BUS_MAX_RANGES	16

/* An access at @off bytes into the range; @data holds @len bytes. */
typedef void (*bus_fn)(void *opaque, u64 off, u8 *data, u32 len, bool write);

struct bus_range {
	u64 base;
	u64 size;
	u32 width;		/* the only access size taken; 0: any */
	bus_fn fn;
	void *opaque;
};

/* One for MMIO, one for ports; filled before the vCPUs run, then read-only. */
struct bus {
	struct bus_range r[BUS_MAX_RANGES];
	unsigned int nr;
};

/* Claim [base, base + size); refuses overlaps. 0 or -errno + errf(). */
int bus_register(struct bus *bus, u64 base, u64 size, u32 width, bus_fn fn,
		 void *opaque);

/*
 * Dispatch one access wholly inside a range (and of its width). Nothing
 * claims it: reads float high (0xff), writes vanish.
 */
void bus_access(const struct bus *bus, u64 addr, u8 *data, u32 len, bool write);

#endif
