/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-mmio (virtio 1.x, register layout version 2) and the device core
 * shared by every device. A device is an ops table plus private state;
 * the transport owns feature negotiation, queue setup (through the
 * window), interrupts and kicks.
 *
 * KVM is reached only through struct virtio_host (irqfd and ioeventfd
 * registration), so all of this runs in unit tests without /dev/kvm.
 */
#ifndef PNVM_VIRTIO_MMIO_H
#define PNVM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/ioloop.h"
#include "virtio/virtq.h"
#include "virtio/window.h"

#define VIRTIO_MMIO_REGION	0x200	/* registers + config space */
#define VIRTIO_MMIO_VENDOR	0x4d564e50	/* "PNVM" */
#define VIRTIO_MAX_QUEUES	4

struct virtio_dev;

struct virtio_dev_ops {
	const char *name;		/* "blk", "net", "console", "rng" */
	uint32_t device_id;		/* VIRTIO_ID_* */
	unsigned int num_queues;
	/* Device-specific feature bits (the transport adds its own). */
	uint64_t (*get_features)(struct virtio_dev *vdev);
	/* Config space: device-specific bytes [off, off + len). */
	void (*get_config)(struct virtio_dev *vdev, uint32_t off, void *buf,
			   uint32_t len);
	void (*set_config)(struct virtio_dev *vdev, uint32_t off,
			   const void *buf, uint32_t len);
	/* Queue @q was kicked; runs on the I/O thread, device lock held. */
	void (*notify)(struct virtio_dev *vdev, unsigned int q);
	/* The driver reset the device; drop in-flight work. Lock held. */
	void (*reset)(struct virtio_dev *vdev);
	/* Hook the backend's fds into the I/O loop (once, at attach). */
	int (*attach)(struct virtio_dev *vdev, struct ioloop *loop);
	/* Close the backend (I/O thread stopped). */
	void (*destroy)(struct virtio_dev *vdev);
};

/* The VMM side: tiny so tests can provide a fake. */
struct virtio_host {
	void *opaque;
	/* Route eventfd @fd to guest interrupt @gsi (KVM_IRQFD). */
	int (*irqfd)(void *opaque, unsigned int gsi, int fd);
	/*
	 * Make a 4-byte guest write of @val to @addr signal @fd
	 * (KVM_IOEVENTFD with datamatch). Optional: without it, kicks
	 * trap to the VMM and virtio_mmio_write() signals @fd itself.
	 */
	int (*ioeventfd)(void *opaque, uint64_t addr, uint32_t val, int fd);
};

struct virtio_queue {
	struct virtq vq;
	struct virtio_dev *dev;
	unsigned int index;
	uint32_t num;
	uint64_t desc, avail, used;	/* guest-physical, as written */
	int kick_fd;
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	void *priv;
	char name[16];			/* "blk0" */
	struct window *win;
	uint64_t base;			/* guest-physical MMIO base */
	unsigned int gsi;

	pthread_mutex_t lock;
	uint64_t host_features;
	uint64_t drv_features;
	uint32_t status;
	uint32_t dev_sel, drv_sel, queue_sel;
	uint32_t isr;			/* atomic: I/O thread sets, vCPU acks */
	uint32_t config_gen;
	int irq_fd;
	unsigned int gen;		/* bumped at every reset */
	bool found;			/* a driver ever acknowledged it */
	struct virtio_queue q[VIRTIO_MAX_QUEUES];
	struct virtio_stats stats;
};

/*
 * Initialise @vdev at MMIO @base with interrupt @gsi. Offers
 * VERSION_1, INDIRECT_DESC, EVENT_IDX and, unless the window is off,
 * ACCESS_PLATFORM (so the guest DMA API bounces through the pool).
 */
int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, struct window *win, uint64_t base,
		    unsigned int gsi, unsigned int index);
/* Register irqfd/ioeventfds with the host and kick fds with the loop. */
int virtio_dev_attach(struct virtio_dev *vdev, const struct virtio_host *host,
		      struct ioloop *loop);
void virtio_dev_destroy(struct virtio_dev *vdev);

/* MMIO access at offset @off within the device's region (vCPU thread). */
void virtio_mmio_read(struct virtio_dev *vdev, uint64_t off, void *data,
		      unsigned int len);
void virtio_mmio_write(struct virtio_dev *vdev, uint64_t off,
		       const void *data, unsigned int len);

/* Used buffers were pushed on queue @q: interrupt if the driver wants. */
void virtio_dev_signal(struct virtio_dev *vdev, unsigned int q);
/*
 * The driver broke a rule (virtq_pop failed, already counted): stop the
 * device (DEVICE_NEEDS_RESET) and tell the driver (config interrupt).
 */
void virtio_dev_needs_reset(struct virtio_dev *vdev);
/* Is the device live (DRIVER_OK, not needing reset)? */
bool virtio_dev_running(struct virtio_dev *vdev);
/* Run ops->notify for @q under the lock, as a kick would. */
void virtio_dev_kick(struct virtio_dev *vdev, unsigned int q);

/* Helper for get_config: bytes of @cfg, zeros past its end. */
void virtio_config_read(const void *cfg, size_t size, uint32_t off, void *buf,
			uint32_t len);

/* "blk0: requests=N bytes=N violations=N errors=N" */
int virtio_dev_stats(struct virtio_dev *vdev, char *buf, size_t size);

#endif
