// SPDX-License-Identifier: GPL-2.0
/* The i8042 reset line and the CMOS clock. */
#include <time.h>

#include "vmm/bus.h"
#include "vmm/legacy.h"

#define I8042_CMD_RESET		0xfe
#define I8042_STR_OBF		0x01	/* output buffer full */

/*
 * Only the CPU reset line: "reboot=k" guests write 0xfe to the command
 * port, which ends the VM. The status register always says "output full,
 * input empty": Linux's probe drains 16 bytes, decides the controller is
 * stuck and gives up at once (instead of a 1.5 s timeout per boot), and
 * the reset path never waits for the input buffer.
 */
void i8042_io(struct i8042 *k, u16 port, bool out, u8 *data)
{
	if (!out) {
		*data = port == I8042_CMD ? I8042_STR_OBF : 0;
		return;
	}
	if (port == I8042_CMD && *data == I8042_CMD_RESET)
		k->reset(k->opaque);
}

static u8 bcd(int v)
{
	return (v / 10) << 4 | (v % 10);
}

/* MC146818 registers, BCD and 24-hour mode; the time is the host's UTC. */
void cmos_io(struct cmos *c, u16 port, bool out, u8 *data)
{
	time_t now = time(NULL);
	struct tm tm;
	u8 index;

	if (port == CMOS_INDEX) {
		if (out)
			__atomic_store_n(&c->index, *data & 0x7f, __ATOMIC_RELAXED);
		else
			*data = 0xff;
		return;
	}
	if (out)
		return;		/* the clock cannot be set */
	index = __atomic_load_n(&c->index, __ATOMIC_RELAXED);
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

static void i8042_data_bus(void *opaque, u64 off, u8 *data, u32 len, bool write)
{
	i8042_io(opaque, I8042_DATA, write, data);
}

static void i8042_cmd_bus(void *opaque, u64 off, u8 *data, u32 len, bool write)
{
	i8042_io(opaque, I8042_CMD, write, data);
}

static void cmos_bus(void *opaque, u64 off, u8 *data, u32 len, bool write)
{
	cmos_io(opaque, CMOS_INDEX + off, write, data);
}

int i8042_register(struct i8042 *k, struct bus *pio)
{
	int ret = bus_register(pio, I8042_DATA, 1, 1, i8042_data_bus, k);

	return ret ? ret : bus_register(pio, I8042_CMD, 1, 1, i8042_cmd_bus, k);
}

int cmos_register(struct cmos *c, struct bus *pio)
{
	/*
	 * glibc's gmtime_r() reads /etc/localtime on its first call; do that
	 * now, before the vCPU threads' seccomp filters forbid openat.
	 */
	tzset();
	return bus_register(pio, CMOS_INDEX, 2, 1, cmos_bus, c);
}
