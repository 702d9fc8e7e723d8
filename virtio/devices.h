/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio devices, one file each. Every creator returns 0 or -errno
 * with a message recorded through errf() (lib/util.h); none prints.
 */
#ifndef PNVM_VIRTIO_DEVICES_H
#define PNVM_VIRTIO_DEVICES_H

#include <stdbool.h>

#include "virtio/mmio.h"

/* Where a device sits: its window, MMIO base, interrupt and index. */
struct virtio_slot {
	struct window *win;
	uint64_t base;
	unsigned int gsi;
	unsigned int index;	/* blk0, blk1, ... */
};

/* Entropy from getrandom(2). */
int virtio_rng_create(const struct virtio_slot *s, struct virtio_dev **out);

/* hvc0: guest output to @out_fd, @in_fd (-1: none) to the guest. */
int virtio_console_create(const struct virtio_slot *s, int in_fd, int out_fd,
			  struct virtio_dev **out);

/* A raw image; async I/O through io_uring; flush honoured. */
int virtio_blk_create(const struct virtio_slot *s, const char *path, bool ro,
		      struct virtio_dev **out);

/* Parsed virtio-blk request (exposed for tests and the fuzzer). */
struct blk_parsed {
	uint32_t type;		/* VIRTIO_BLK_T_* */
	uint8_t result;		/* VIRTIO_BLK_S_OK, or the status to fail with */
	uint8_t *status;	/* the status byte, in the window */
	uint64_t offset;	/* byte offset in the image */
	uint32_t len;		/* data bytes */
	uint32_t used_len;	/* bytes written to the driver on success */
	int ndata;
	struct iovec data[VIRTQ_NUM_MAX];
};

/*
 * Parse one popped chain against a disk of @sectors. Returns 0 (request
 * in @p; result says whether to run or fail it) or -EINVAL when there
 * is no header or no status byte (status NULL if not even that).
 */
int virtio_blk_parse(const struct virtq_elem *e, uint64_t sectors, bool ro,
		     struct blk_parsed *p);
bool virtio_blk_uses_uring(struct virtio_dev *vdev);
/* Requests submitted to io_uring and not yet completed (tests). */
unsigned int virtio_blk_inflight(struct virtio_dev *vdev);

/*
 * An existing (or new, if we may) tap device, with a vnet header; with
 * @tap NULL, a dup of @fd, a tap already open (the caller keeps its own:
 * a VM may boot again). @mac the guest's address; NULL: pnvm's own.
 */
int virtio_net_create(const struct virtio_slot *s, const char *tap, int fd,
		      const uint8_t *mac, struct virtio_dev **out);
/* Also for tests: an fd (taken) speaking tap's framing (vnet hdr + frame). */
int virtio_net_create_fd(const struct virtio_slot *s, int fd, const uint8_t *mac,
			 struct virtio_dev **out);

/* A tx chain: frame length after the 12-byte header, or -EINVAL. */
int virtio_net_tx_check(const struct virtq_elem *e);

void virtio_dev_free(struct virtio_dev *vdev);

#endif
