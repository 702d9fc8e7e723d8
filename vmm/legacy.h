/* SPDX-License-Identifier: GPL-2.0 */
/* The two legacy devices a PC guest pokes at boot, on the port bus. */
#ifndef PNVM_LEGACY_H
#define PNVM_LEGACY_H

#include "lib/util.h"

struct bus;

#define SERIAL_PORT	0x3f8
#define SERIAL_IRQ	4
#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

/* i8042: only the CPU reset line, which calls @reset. */
struct i8042 {
	void (*reset)(void *opaque);
	void *opaque;
};

/* MC146818 clock: the host's UTC, read-only. */
struct cmos {
	u8 index;		/* atomic: any vCPU may select */
};

void i8042_io(struct i8042 *k, u16 port, bool out, u8 *data);
void cmos_io(struct cmos *c, u16 port, bool out, u8 *data);

/* Claim the devices' ports (byte accesses only). */
int i8042_register(struct i8042 *k, struct bus *pio);
int cmos_register(struct cmos *c, struct bus *pio);

#endif
