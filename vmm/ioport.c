// SPDX-License-Identifier: GPL-2.0
/* Port I/O dispatch and the two legacy devices a PC guest pokes at boot. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "vmm/ioport.h"
#include "vmm/serial.h"
#include "vmm/vm.h"

void ioport_io(struct vm *vm, u16 port, bool out, u8 *data, u32 size)
{
	if (port >= SERIAL_PORT && port < SERIAL_PORT + 8 && size == 1)
		serial_io(&vm->serial, port - SERIAL_PORT, out, data);
	else if ((port == I8042_DATA || port == I8042_CMD) && size == 1)
		i8042_io(vm, port, out, data);
	else if ((port == CMOS_INDEX || port == CMOS_DATA) && size == 1)
		cmos_io(vm, port, out, data);
	else if (!out)
		memset(data, 0xff, size);
}

#define I8042_CMD_RESET		0xfe
#define I8042_STR_OBF		0x01	/* output buffer full */

/*
 * Only the CPU reset line: "reboot=k" guests write 0xfe to the command
 * port, which ends the VM. The status register always says "output full,
 * input empty": Linux's probe drains 16 bytes, decides the controller is
 * stuck and gives up at once (instead of a 1.5 s timeout per boot), and
 * the reset path never waits for the input buffer.
 */
void i8042_io(struct vm *vm, u16 port, bool out, u8 *data)
{
	if (!out) {
		*data = port == I8042_CMD ? I8042_STR_OBF : 0;
		return;
	}
	if (port == I8042_CMD && *data == I8042_CMD_RESET)
		vm_stop(vm, 0, "guest reset (i8042)");
}

static u8 bcd(int v)
{
	return (v / 10) << 4 | (v % 10);
}

/* MC146818 registers, BCD and 24-hour mode; the time is the host's UTC. */
void cmos_io(struct vm *vm, u16 port, bool out, u8 *data)
{
	time_t now = time(NULL);
	struct tm tm;
	u8 index;

	if (port == CMOS_INDEX) {
		if (out)
			__atomic_store_n(&vm->cmos_index, *data & 0x7f, __ATOMIC_RELAXED);
		else
			*data = 0xff;
		return;
	}
	if (out)
		return;		/* the clock cannot be set */
	index = __atomic_load_n(&vm->cmos_index, __ATOMIC_RELAXED);
	gmtime_r(&now, &tm);
	switch (index) {
	case 0x00: *data = bcd(tm.tm_sec); break;
	case 0x02: *data = bcd(tm.tm_min); break;
	case 0x04: *data = bcd(tm.tm_hour); break;
	case 0x06: *data = bcd(tm.tm_wday + 1); break;
	case 0x07: *data = bcd(tm.tm_mday); break;
	case 0x08: *data = bcd(tm.tm_mon + 1); break;
	case 0x09: *data = bcd(tm.tm_year % 100); break;
	case 0x0a: *data = 0x26; break;		/* 32.768 kHz, no update in progress */
	case 0x0b: *data = 0x02; break;		/* 24-hour, BCD */
	case 0x0d: *data = 0x80; break;		/* battery good */
	case 0x32: *data = bcd(19 + tm.tm_year / 100); break;	/* century */
	default:   *data = 0; break;
	}
}
