/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, 2.7), device side, confined to the shared
 * window: every ring and buffer address goes through window_ptr().
 *
 * A driver that breaks a ring rule (address outside the window, loop,
 * chain longer than the queue, length overflow, index out of range,
 * malformed indirect table) breaks the queue: virtq_pop() returns the
 * error once, counts one violation, and the queue stays broken (every
 * later pop fails) until the device is reset. The device model never
 * touches memory outside the window and never loops without bound.
 */
#ifndef PNVM_VIRTIO_VIRTQ_H
#define PNVM_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio/window.h"

/* QueueNumMax for every queue; also bounds one chain's segments. */
#define VIRTQ_NUM_MAX	256

/* Per-device counters; updated with relaxed atomics from any thread. */
struct virtio_stats {
	uint64_t requests;	/* chains completed (pushed to the used ring) */
	uint64_t bytes;		/* payload bytes moved through the window */
	uint64_t violations;	/* ring/window rules broken by the driver */
	uint64_t errors;	/* well-formed chains with a bad request, failed */
};

static inline void virtio_stat_add(uint64_t *ctr, uint64_t n)
{
	__atomic_fetch_add(ctr, n, __ATOMIC_RELAXED);
}

static inline uint64_t virtio_stat_get(const uint64_t *ctr)
{
	return __atomic_load_n(ctr, __ATOMIC_RELAXED);
}

struct virtq {
	struct window *win;
	struct virtio_stats *stats;

	/* Set up by the transport from the driver's registers. */
	uint16_t num;
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool ready;
	bool broken;		/* a rule was broken; pop fails until reset */
	int err;		/* the -errno that broke it */

	uint8_t *desc;		/* host pointers, checked once at setup */
	uint8_t *avail;
	uint8_t *used;

	uint16_t last_avail;	/* next avail ring slot to consume */
	uint16_t used_idx;	/* our copy of used->idx */
	uint16_t signalled_used;
	bool signalled_valid;
};

/* One descriptor chain, translated: out (device-readable) then in. */
struct virtq_elem {
	uint16_t head;
	uint16_t out_num;
	uint16_t in_num;
	uint32_t out_len;
	uint32_t in_len;
	struct iovec iov[VIRTQ_NUM_MAX];
};

static inline struct iovec *virtq_elem_out(struct virtq_elem *e)
{
	return e->iov;
}

static inline struct iovec *virtq_elem_in(struct virtq_elem *e)
{
	return e->iov + e->out_num;
}

/* Feature bits that change ring layout/behaviour (bit numbers). */
#define VIRTQ_F_INDIRECT_DESC	28
#define VIRTQ_F_EVENT_IDX	29

/*
 * Map the three rings of a queue of @num entries (QueueNum as the driver
 * wrote it: a power of two up to VIRTQ_NUM_MAX) into the window. Returns 0, or -EINVAL (bad size or
 * alignment) or -EFAULT (a ring not fully inside the window); a failure
 * counts one violation and leaves the queue broken.
 */
int virtq_setup(struct virtq *vq, struct window *win,
		struct virtio_stats *stats, uint32_t num, uint64_t desc,
		uint64_t avail, uint64_t used, uint64_t features);

/* Forget everything (device reset or queue disable). */
void virtq_reset(struct virtq *vq);

/*
 * Take the next available chain. Returns 1 with @e filled, 0 if the ring
 * is empty, or a negative errno if the driver broke a rule:
 *   -EFAULT     a ring or buffer address outside the window
 *   -ERANGE     avail index more than num ahead, head or next >= num
 *   -ELOOP      a descriptor loop (more hops than descriptors)
 *   -E2BIG      a chain longer than the queue
 *   -EOVERFLOW  total chain length over 4 GiB - 1
 *   -EINVAL     malformed indirect table, nested indirect, INDIRECT|NEXT,
 *               INDIRECT not negotiated, readable after writable
 *   -EIO        the queue is already broken
 */
int virtq_pop(struct virtq *vq, struct virtq_elem *e);

/* Give a chain back with @len bytes written into its in buffers. */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/*
 * After pushing: must the driver be interrupted? Honours
 * VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX.
 */
bool virtq_should_notify(struct virtq *vq);

/* Chains waiting in the avail ring (0 if broken or not ready). */
bool virtq_has_avail(struct virtq *vq);

/* Copy between an iovec array and a flat buffer; return bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t off,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t off,
		    const void *buf, size_t len);
size_t iov_length(const struct iovec *iov, unsigned int n);
/*
 * Make @dst (room for @max entries) the [off, off + len) slice of @src.
 * Returns the number of entries, or -1 if @dst is too small.
 */
int iov_slice(struct iovec *dst, unsigned int max, const struct iovec *src,
	      unsigned int n, size_t off, size_t len);

#endif
