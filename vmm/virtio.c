// SPDX-License-Identifier: GPL-2.0
/* Wiring virtio/ into the VM: the devices' MMIO ranges on the exit bus. */
#include "virtio/mmio.h"
#include "vmm/bus.h"
#include "vmm/virtio.h"

/* Registers only: queue kicks are ioeventfds and never exit. */
static void virtio_bus(void *opaque, u64 off, u8 *data, u32 len, bool write)
{
	if (write)
		virtio_mmio_write(opaque, off, data, len);
	else
		virtio_mmio_read(opaque, off, data, len);
}

int virtio_bus_register(struct bus *mmio, struct virtio_dev *vdev)
{
	return bus_register(mmio, vdev->base, VIRTIO_MMIO_REGION, 0, virtio_bus, vdev);
}
