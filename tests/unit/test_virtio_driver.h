/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny virtio "guest driver" for device tests: it speaks virtio-mmio
 * registers to a struct virtio_dev and builds split rings in the window,
 * the way Linux's virtio_mmio + virtio_ring do, minus everything else.
 */
#ifndef PNVM_TEST_VIRTIO_DRIVER_H
#define PNVM_TEST_VIRTIO_DRIVER_H

#include <endian.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio/devices.h"

#define TW	0x40000000ULL		/* test window base */
#define TWSZ	(4ULL << 20)
#define TQ(q)	(TW + (q) * 0x4000ULL)	/* desc; avail +0x1000; used +0x2000 */
#define TDATA	(TW + 0x100000ULL)

struct tdrv {
	struct virtio_dev *vdev;
	struct window *win;
	struct ioloop *loop;
	uint16_t num[4], next_desc[4], avail_idx[4], used_seen[4];
	uint64_t data_next;
};

struct tbuf { uint64_t gpa; uint32_t len; bool write; };

static inline uint32_t tdrv_rd(struct tdrv *d, uint64_t off)
{
	uint32_t v;

	virtio_mmio_read(d->vdev, off, &v, 4);
	return le32toh(v);
}

static inline void tdrv_wr(struct tdrv *d, uint64_t off, uint32_t v)
{
	v = htole32(v);
	virtio_mmio_write(d->vdev, off, &v, 4);
}

static inline void *tdrv_p(struct tdrv *d, uint64_t gpa, uint64_t len)
{
	return window_ptr(d->win, gpa, len);
}

/* Bump-allocate a buffer in the window. */
static inline uint64_t tdrv_alloc(struct tdrv *d, uint32_t len)
{
	uint64_t g;

	if (!d->data_next)
		d->data_next = TDATA;
	g = d->data_next;
	d->data_next += (len + 63) & ~63ULL;
	return g;
}

/* Reset + feature negotiation; returns the status read back. */
static inline uint32_t tdrv_negotiate(struct tdrv *d, uint64_t want)
{
	uint64_t host;

	tdrv_wr(d, VIRTIO_MMIO_STATUS, 0);
	tdrv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	tdrv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	tdrv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	host = tdrv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	tdrv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	host |= (uint64_t)tdrv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	want &= host;
	tdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	tdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	tdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	tdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, want >> 32);
	tdrv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	return tdrv_rd(d, VIRTIO_MMIO_STATUS);
}

static inline int tdrv_queue(struct tdrv *d, unsigned int q, uint16_t num)
{
	uint64_t b = TQ(q);

	memset(tdrv_p(d, b, 0x4000), 0, 0x4000);
	d->num[q] = num;
	d->next_desc[q] = d->avail_idx[q] = d->used_seen[q] = 0;
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
	if (tdrv_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < num)
		return -1;
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)b);
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, b >> 32);
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(b + 0x1000));
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (b + 0x1000) >> 32);
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(b + 0x2000));
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_USED_HIGH, (b + 0x2000) >> 32);
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return tdrv_rd(d, VIRTIO_MMIO_QUEUE_READY) == 1 ? 0 : -1;
}

static inline void tdrv_driver_ok(struct tdrv *d)
{
	tdrv_wr(d, VIRTIO_MMIO_STATUS, tdrv_rd(d, VIRTIO_MMIO_STATUS) |
		VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Post a chain of @n buffers on queue @q (no kick). Returns the head. */
static inline uint16_t tdrv_post(struct tdrv *d, unsigned int q,
				 const struct tbuf *b, unsigned int n)
{
	uint16_t num = d->num[q], head = d->next_desc[q] % num, i;
	uint8_t *desc = tdrv_p(d, TQ(q), 16ULL * num);
	uint8_t *avail = tdrv_p(d, TQ(q) + 0x1000, 6 + 2ULL * num);
	uint16_t v16;

	for (i = 0; i < n; i++) {
		uint16_t slot = (head + i) % num;
		uint64_t a = htole64(b[i].gpa);
		uint32_t l = htole32(b[i].len);
		uint16_t f = (b[i].write ? VRING_DESC_F_WRITE : 0) |
			     (i + 1u < n ? VRING_DESC_F_NEXT : 0);
		uint16_t nx = (slot + 1) % num;

		f = htole16(f);
		nx = htole16(nx);
		memcpy(desc + 16 * slot, &a, 8);
		memcpy(desc + 16 * slot + 8, &l, 4);
		memcpy(desc + 16 * slot + 12, &f, 2);
		memcpy(desc + 16 * slot + 14, &nx, 2);
	}
	d->next_desc[q] += n;
	v16 = htole16(head);
	memcpy(avail + 4 + 2 * (d->avail_idx[q] % num), &v16, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	v16 = htole16(++d->avail_idx[q]);
	memcpy(avail + 2, &v16, 2);
	return head;
}

/* Kick queue @q and let the I/O loop run until it goes quiet. */
static inline void tdrv_kick(struct tdrv *d, unsigned int q)
{
	tdrv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	while (ioloop_poll(d->loop, 50) > 0)
		;
}

static inline void tdrv_run(struct tdrv *d, int ms)
{
	while (ioloop_poll(d->loop, ms) > 0)
		;
}

/* Next used element of queue @q: 1 and its id/len, or 0 if none. */
static inline int tdrv_used(struct tdrv *d, unsigned int q, uint32_t *id,
			    uint32_t *len)
{
	uint8_t *used = tdrv_p(d, TQ(q) + 0x2000, 6 + 8ULL * d->num[q]);
	uint16_t idx;
	uint32_t v;

	memcpy(&idx, used + 2, 2);
	if (le16toh(idx) == d->used_seen[q])
		return 0;
	memcpy(&v, used + 4 + 8 * (d->used_seen[q] % d->num[q]), 4);
	*id = le32toh(v);
	memcpy(&v, used + 8 + 8 * (d->used_seen[q] % d->num[q]), 4);
	*len = le32toh(v);
	d->used_seen[q]++;
	return 1;
}

/* Interrupts raised since the last call (the irqfd counter). */
static inline uint64_t tdrv_irqs(struct tdrv *d)
{
	uint64_t v = 0;

	if (read(d->vdev->irq_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

#endif
