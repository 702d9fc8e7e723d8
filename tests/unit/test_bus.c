// SPDX-License-Identifier: GPL-2.0
/*
 * The exit bus: how a vCPU's MMIO exit reaches the virtio-mmio transports.
 * Device i answers at GUEST_VIRTIO_BASE + i pages, registers and config
 * only; everything else in the hole reads 0xff and swallows writes. And
 * the port bus: byte-wide devices see only byte accesses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_mmio.h>

#include "tests/tap.h"
#include "virtio/devices.h"
#include "vmm/bus.h"
#include "vmm/guest.h"
#include "vmm/legacy.h"
#include "vmm/virtio.h"

struct fake_vm {
	struct memmap mem;
	struct window win;
	struct bus mmio;
	struct virtio_dev *vdevs[2];
	unsigned int nr_vdevs;
};

static void vm_mmio(struct fake_vm *vm, u64 addr, uint8_t *data, u32 len, bool write)
{
	bus_access(&vm->mmio, addr, data, len, write);
}

static uint32_t rd32(struct fake_vm *vm, u64 addr)
{
	uint8_t data[8];
	uint32_t v;

	memset(data, 0x5a, sizeof(data));
	vm_mmio(vm, addr, data, 4, false);
	memcpy(&v, data, 4);
	return v;
}

static void reset(void *opaque)
{
	(*(int *)opaque)++;
}

/* The PC devices on the port bus: byte accesses only, 0xff elsewhere. */
static void ports(void)
{
	struct bus pio = { .nr = 0 };
	int resets = 0;
	struct i8042 k = { .reset = reset, .opaque = &resets };
	struct cmos c = { 0 };
	uint8_t b, w[2] = { 0x12, 0x34 };

	ok(!i8042_register(&k, &pio) && !cmos_register(&c, &pio), "i8042 and CMOS on the port bus");
	ok(cmos_register(&c, &pio) == -EEXIST, "a port range cannot be claimed twice");
	b = 0xfe;
	bus_access(&pio, I8042_CMD, &b, 1, true);
	ok(resets == 1, "0xfe to port 0x64 resets");
	bus_access(&pio, I8042_CMD, w, 2, false);
	ok(w[0] == 0xff && w[1] == 0xff, "a word read of a byte port floats high");
	b = 0x0b;
	bus_access(&pio, CMOS_INDEX, &b, 1, true);
	bus_access(&pio, CMOS_DATA, &b, 1, false);
	ok(b == 0x02, "CMOS register 0x0b through the bus: 24-hour BCD");
	bus_access(&pio, 0x80, &b, 1, false);
	ok(b == 0xff, "an unclaimed port reads 0xff");
}

int main(void)
{
	struct fake_vm *vm = calloc(1, sizeof(*vm));
	struct virtio_dev *vdev;
	uint32_t two = 2, zero = 0, v;
	uint64_t kicks;
	int i, ret;

	ports();
	ret = window_create(&vm->win, &vm->mem, 256ULL << 20, 2ULL << 20, -1, -1);
	if (!ok(ret == 0, "window (%s)", ret ? err_msg() : "ok"))
		return tap_done();
	for (i = 0; i < 2; i++) {
		struct virtio_slot s = {
			.win = &vm->win, .base = GUEST_VIRTIO_BASE + i * GUEST_VIRTIO_STRIDE,
			.gsi = GUEST_VIRTIO_GSI + i, .index = i,
		};

		ret = virtio_rng_create(&s, &vm->vdevs[i]);
		if (!ret)
			ret = virtio_bus_register(&vm->mmio, vm->vdevs[i]);
		ok(ret == 0, "rng%d at 0x%llx", i, (unsigned long long)s.base);
		vm->nr_vdevs = i + 1;
	}

	ok(rd32(vm, GUEST_VIRTIO_BASE) == 0x74726976, "device 0 magic at the base");
	ok(rd32(vm, GUEST_VIRTIO_BASE + GUEST_VIRTIO_STRIDE + VIRTIO_MMIO_VERSION) == 2,
	   "device 1 version at base + 1 page");
	ok(rd32(vm, GUEST_VIRTIO_BASE + 2 * GUEST_VIRTIO_STRIDE) == 0xffffffff,
	   "no device 2: reads float high");
	ok(rd32(vm, GUEST_VIRTIO_BASE + VIRTIO_MMIO_REGION) == 0xffffffff,
	   "past a device's registers in its page: 0xff");
	ok(rd32(vm, GUEST_VIRTIO_BASE + VIRTIO_MMIO_REGION - 2) == 0xffffffff,
	   "an access straddling the register window's end: 0xff");
	ok(rd32(vm, GUEST_VIRTIO_BASE - 4) == 0xffffffff, "below the base: 0xff");
	ok(rd32(vm, GUEST_IOAPIC) == 0xffffffff, "elsewhere in the hole: 0xff");

	/* A trapped QueueNotify (no ioeventfd here) reaches device 1's queue. */
	vdev = vm->vdevs[1];
	vm_mmio(vm, GUEST_VIRTIO_BASE + GUEST_VIRTIO_STRIDE + VIRTIO_MMIO_QUEUE_NOTIFY,
		(uint8_t *)&zero, 4, true);
	ok(read(vdev->q[0].kick_fd, &kicks, sizeof(kicks)) == sizeof(kicks) && kicks == 1,
	   "QueueNotify(0) on device 1 signals its queue 0 kick eventfd");
	ok(read(vm->vdevs[0]->q[0].kick_fd, &kicks, sizeof(kicks)) < 0,
	   "and not device 0's");
	vm_mmio(vm, GUEST_VIRTIO_BASE + VIRTIO_MMIO_STATUS, (uint8_t *)&two, 4, true);
	v = rd32(vm, GUEST_VIRTIO_BASE + VIRTIO_MMIO_STATUS);
	ok(v == 2, "status written through vm_mmio reads back (%u)", v);
	vm_mmio(vm, GUEST_VIRTIO_BASE + 2 * GUEST_VIRTIO_STRIDE, (uint8_t *)&two, 4, true);
	ok(rd32(vm, GUEST_VIRTIO_BASE + VIRTIO_MMIO_STATUS) == 2 &&
	   rd32(vm, GUEST_VIRTIO_BASE + GUEST_VIRTIO_STRIDE + VIRTIO_MMIO_STATUS) == 0,
	   "a write where no device is changes nothing");

	for (i = 0; i < (int)vm->nr_vdevs; i++)
		virtio_dev_free(vm->vdevs[i]);
	window_destroy(&vm->win);
	free(vm);
	return tap_done();
}
