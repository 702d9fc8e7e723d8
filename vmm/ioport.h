/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_IOPORT_H
#define PNVM_IOPORT_H

#include "lib/util.h"

struct vm;

#define SERIAL_PORT	0x3f8
#define SERIAL_IRQ	4
#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

/* One port access of size bytes from a vCPU; unclaimed reads see 0xff. */
void ioport_io(struct vm *vm, u16 port, bool out, u8 *data, u32 size);

/* i8042 (only the reset line) and the CMOS clock, called by ioport_io. */
void i8042_io(struct vm *vm, u16 port, bool out, u8 *data);
void cmos_io(struct vm *vm, u16 port, bool out, u8 *data);

#endif
