// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue walker, device side. Everything the driver wrote is
 * hostile: each descriptor is copied once into a local before it is
 * checked and used (the guest may rewrite it meanwhile), and every
 * address goes through window_ptr().
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "virtio/virtq.h"

#define barrier()	__asm__ __volatile__("" ::: "memory")

/* Ring layout (2.7.5 - 2.7.8), byte offsets. */
#define DESC_SIZE		16
#define AVAIL_IDX		2
#define AVAIL_RING(i)		(4 + 2 * (i))
#define USED_IDX		2
#define USED_RING(i)		(4 + 8 * (i))

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static inline uint16_t ld16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static inline uint16_t ld16_acquire(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE));
}

static inline void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

static inline void st16_release(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELEASE);
}

static inline void st32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

/* One copy of a descriptor, never re-read: the guest may change it. */
static void desc_read(const uint8_t *p, struct desc *d)
{
	uint8_t raw[DESC_SIZE];

	memcpy(raw, p, sizeof(raw));
	barrier();
	memcpy(&d->addr, raw, 8);
	memcpy(&d->len, raw + 8, 4);
	memcpy(&d->flags, raw + 12, 2);
	memcpy(&d->next, raw + 14, 2);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

static int virtq_fail(struct virtq *vq, int err)
{
	if (!vq->broken) {
		vq->broken = true;
		vq->err = err;
		if (vq->stats)
			virtio_stat_add(&vq->stats->violations, 1);
	}
	return err;
}

void virtq_reset(struct virtq *vq)
{
	struct window *win = vq->win;
	struct virtio_stats *st = vq->stats;

	memset(vq, 0, sizeof(*vq));
	vq->win = win;
	vq->stats = st;
}

int virtq_setup(struct virtq *vq, struct window *win,
		struct virtio_stats *stats, uint32_t num, uint64_t desc,
		uint64_t avail, uint64_t used, uint64_t features)
{
	bool event_idx = features & (1ULL << VIRTQ_F_EVENT_IDX);

	vq->win = win;
	vq->stats = stats;
	virtq_reset(vq);
	vq->event_idx = event_idx;
	vq->indirect = features & (1ULL << VIRTQ_F_INDIRECT_DESC);

	/* All 32 bits of QueueNum: 0x10010 must not pass as 16. */
	if (!num || num > VIRTQ_NUM_MAX || (num & (num - 1)))
		return virtq_fail(vq, -EINVAL);
	vq->num = num;
	/* 2.7: descriptor table 16, avail ring 2, used ring 4 aligned. */
	if (desc % 16 || avail % 2 || used % 4)
		return virtq_fail(vq, -EINVAL);
	vq->desc = window_ptr(win, desc, (uint64_t)DESC_SIZE * num);
	vq->avail = window_ptr(win, avail, AVAIL_RING(num) + (event_idx ? 2 : 0));
	vq->used = window_ptr(win, used, USED_RING(num) + (event_idx ? 2 : 0));
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = vq->avail = vq->used = NULL;
		return virtq_fail(vq, -EFAULT);
	}
	/* 2.7: both indexes start at 0 when the queue is enabled. */
	vq->ready = true;
	return 0;
}

/*
 * Append one buffer descriptor to @e. Device-writable buffers must come
 * after all device-readable ones (2.7.4.2).
 */
static int elem_add(struct virtq *vq, struct virtq_elem *e,
		    const struct desc *d, uint64_t *total)
{
	void *p;
	unsigned int n = e->out_num + e->in_num;

	if (n >= vq->num || n >= VIRTQ_NUM_MAX)
		return -E2BIG;
	*total += d->len;
	if (*total > UINT32_MAX)
		return -EOVERFLOW;
	if (!(d->flags & VRING_DESC_F_WRITE) && e->in_num)
		return -EINVAL;
	if (!d->len)
		return 0;	/* nothing to reach; no address to check */
	p = window_ptr(vq->win, d->addr, d->len);
	if (!p)
		return -EFAULT;
	e->iov[n].iov_base = p;
	e->iov[n].iov_len = d->len;
	if (d->flags & VRING_DESC_F_WRITE) {
		e->in_num++;
		e->in_len += d->len;
	} else {
		e->out_num++;
		e->out_len += d->len;
	}
	return 0;
}

/* Walk an indirect table (2.7.5.3): one level, its own loop bound. */
static int walk_indirect(struct virtq *vq, struct virtq_elem *e,
			 const struct desc *ind, uint64_t *total)
{
	const uint8_t *tbl;
	unsigned int n, hops = 0;
	struct desc d;
	uint16_t i = 0;
	int ret;

	if (!vq->indirect || ind->flags & VRING_DESC_F_NEXT)
		return -EINVAL;
	if (!ind->len || ind->len % DESC_SIZE)
		return -EINVAL;
	n = ind->len / DESC_SIZE;
	if (n > vq->num)
		return -E2BIG;
	tbl = window_ptr(vq->win, ind->addr, ind->len);
	if (!tbl)
		return -EFAULT;
	for (;;) {
		if (++hops > n)
			return -ELOOP;
		desc_read(tbl + (size_t)i * DESC_SIZE, &d);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return -EINVAL;
		ret = elem_add(vq, e, &d, total);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return -ERANGE;
		i = d.next;
	}
}

static int walk_chain(struct virtq *vq, struct virtq_elem *e, uint16_t head)
{
	unsigned int hops = 0;
	uint64_t total = 0;
	struct desc d;
	uint16_t i = head;
	int ret;

	for (;;) {
		if (++hops > vq->num)
			return -ELOOP;
		desc_read(vq->desc + (size_t)i * DESC_SIZE, &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* An indirect descriptor is the whole chain. */
			if (e->out_num + e->in_num || hops > 1)
				return -EINVAL;
			return walk_indirect(vq, e, &d, &total);
		}
		ret = elem_add(vq, e, &d, &total);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->num)
			return -ERANGE;
		i = d.next;
	}
}

static uint16_t avail_idx(struct virtq *vq)
{
	return ld16_acquire(vq->avail + AVAIL_IDX);
}

bool virtq_has_avail(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	return avail_idx(vq) != vq->last_avail;
}

int virtq_pop(struct virtq *vq, struct virtq_elem *e)
{
	uint16_t idx, head;
	int ret;

	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return 0;

	idx = avail_idx(vq);
	if (idx == vq->last_avail) {
		if (!vq->event_idx)
			return 0;
		/*
		 * Ask for a kick at the next entry, then look again: the
		 * driver may have added one before it saw avail_event.
		 */
		st16(vq->used + USED_RING(vq->num), vq->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		idx = avail_idx(vq);
		if (idx == vq->last_avail)
			return 0;
	}
	if ((uint16_t)(idx - vq->last_avail) > vq->num)
		return virtq_fail(vq, -ERANGE);

	head = ld16(vq->avail + AVAIL_RING(vq->last_avail % vq->num));
	if (head >= vq->num)
		return virtq_fail(vq, -ERANGE);

	e->head = head;
	e->out_num = e->in_num = 0;
	e->out_len = e->in_len = 0;
	ret = walk_chain(vq, e, head);
	if (ret)
		return virtq_fail(vq, ret);

	vq->last_avail++;
	if (vq->event_idx)
		st16(vq->used + USED_RING(vq->num), vq->last_avail);
	return 1;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint8_t *elem;

	if (!vq->ready || head >= vq->num)
		return -EINVAL;
	elem = vq->used + USED_RING(vq->used_idx % vq->num);
	st32(elem, head);
	st32(elem + 4, len);
	/* The element must be visible before the index that publishes it. */
	st16_release(vq->used + USED_IDX, ++vq->used_idx);
	if (vq->stats)
		virtio_stat_add(&vq->stats->requests, 1);
	return 0;
}

/* 2.7.7.2: interrupt if used_idx moved past used_event since last time. */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old, event;

	if (!vq->ready)
		return false;
	/* Our used->idx store against the driver's flag/event load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(ld16(vq->avail) & VRING_AVAIL_F_NO_INTERRUPT);

	old = vq->signalled_used;
	vq->signalled_used = vq->used_idx;
	if (!vq->signalled_valid) {
		vq->signalled_valid = true;
		return true;
	}
	event = ld16(vq->avail + AVAIL_RING(vq->num));
	return need_event(event, vq->used_idx, old);
}

size_t iov_length(const struct iovec *iov, unsigned int n)
{
	size_t len = 0;

	while (n--)
		len += iov[n].iov_len;
	return len;
}

static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t off,
		       void *buf, size_t len, bool to_buf)
{
	size_t done = 0, c;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		c = iov[i].iov_len - off;
		if (c > len - done)
			c = len - done;
		if (to_buf)
			memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, c);
		else
			memcpy((uint8_t *)iov[i].iov_base + off, (uint8_t *)buf + done, c);
		done += c;
		off = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t off,
		  void *buf, size_t len)
{
	return iov_copy(iov, n, off, buf, len, true);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t off,
		    const void *buf, size_t len)
{
	return iov_copy(iov, n, off, (void *)buf, len, false);
}

int iov_slice(struct iovec *dst, unsigned int max, const struct iovec *src,
	      unsigned int n, size_t off, size_t len)
{
	unsigned int i, k = 0;
	size_t c;

	for (i = 0; i < n && len; i++) {
		if (off >= src[i].iov_len) {
			off -= src[i].iov_len;
			continue;
		}
		if (k == max)
			return -1;
		c = src[i].iov_len - off;
		if (c > len)
			c = len;
		dst[k].iov_base = (uint8_t *)src[i].iov_base + off;
		dst[k].iov_len = c;
		k++;
		len -= c;
		off = 0;
	}
	return k;
}
