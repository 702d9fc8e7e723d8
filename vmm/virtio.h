/* SPDX-License-Identifier: GPL-2.0 */
/* Wiring virtio/ into the VM. */
#ifndef PNVM_VMM_VIRTIO_H
#define PNVM_VMM_VIRTIO_H

struct bus;
struct virtio_dev;

/* The device's registers and config space at its base on the MMIO bus. */
int virtio_bus_register(struct bus *mmio, struct virtio_dev *vdev);

#endif
