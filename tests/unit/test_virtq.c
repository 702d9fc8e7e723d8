// SPDX-License-Identifier: GPL-2.0
/*
 * The split virtqueue walker against a hostile driver: each rejection
 * the walker promises, plus the normal paths (direct, indirect, event
 * index, index wrap). The "driver" below writes rings into a real window.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "tests/tap.h"
#include "virtio/virtq.h"

#define W	0x40000000ULL		/* window base (guest-physical) */
#define WSZ	(2ULL << 20)
#define DESC	(W + 0x0000)
#define AVAIL	(W + 0x1000)
#define USED	(W + 0x2000)
#define DATA	(W + 0x10000)
#define IND	(W + 0x8000)

static struct memmap map;
static struct window win;
static struct virtio_stats st;
static struct virtq vq;
static struct virtq_elem el;
static uint16_t drv_avail;
static const uint64_t FEAT = (1ULL << VIRTQ_F_INDIRECT_DESC) | (1ULL << VIRTQ_F_EVENT_IDX);

static uint8_t *gp(uint64_t gpa) { return window_ptr(&win, gpa, 1); }

static void set_desc(uint64_t table, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = gp(table + 16 * i);
	uint64_t a = htole64(addr);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

static void put16(uint64_t gpa, uint16_t v) { v = htole16(v); memcpy(gp(gpa), &v, 2); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, gp(gpa), 2); return le16toh(v); }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, gp(gpa), 4); return le32toh(v); }

static void kick(uint16_t head)
{
	put16(AVAIL + 4 + 2 * (drv_avail % vq.num), head);
	put16(AVAIL + 2, ++drv_avail);
}

/* A fresh queue of @num entries with @feat negotiated. */
static int fresh(uint16_t num, uint64_t feat)
{
	memset(gp(W), 0, 0x10000);
	drv_avail = 0;
	memset(&st, 0, sizeof(st));
	return virtq_setup(&vq, &win, &st, num, DESC, AVAIL, USED, feat);
}

/* Run one hostile case: the pop must fail with @want, count exactly one
 * violation, break the queue, and keep failing without recounting. */
static void expect_reject(int want, const char *what)
{
	int ret = virtq_pop(&vq, &el);
	int again = virtq_pop(&vq, &el);

	ok(ret == want && st.violations == 1 && vq.broken && again == -EIO &&
	   st.violations == 1 && st.requests == 0,
	   "%s: rejected with %s (got %d, violations %llu)", what,
	   strerror(-want), ret, (unsigned long long)st.violations);
}

int main(void)
{
	int ret, i;

	if (!ok(window_create(&win, &map, W, WSZ, -1, -1) == 0, "window"))
		return tap_done();

	/* --- normal paths --- */
	ok(fresh(8, FEAT) == 0, "setup 8-entry queue");
	ok(virtq_pop(&vq, &el) == 0, "empty ring pops nothing");
	ok(get16(USED + 4 + 8 * 8) == 0, "empty pop publishes avail_event 0");
	set_desc(DESC, 0, DATA, 16, VRING_DESC_F_NEXT, 3);
	set_desc(DESC, 3, DATA + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 5);
	set_desc(DESC, 5, DATA + 0x400, 1, VRING_DESC_F_WRITE, 0);
	kick(0);
	ret = virtq_pop(&vq, &el);
	ok(ret == 1 && el.head == 0 && el.out_num == 1 && el.in_num == 2,
	   "direct chain 0->3->5: 1 out + 2 in");
	ok(el.iov[0].iov_base == gp(DATA) && el.iov[0].iov_len == 16 &&
	   el.iov[1].iov_base == gp(DATA + 0x100) && el.iov[2].iov_len == 1,
	   "iovecs point into the window");
	ok(el.out_len == 16 && el.in_len == 513, "chain lengths");
	ok(get16(USED + 4 + 8 * 8) == 1, "event idx: avail_event = 1 after pop");
	ok(virtq_push(&vq, el.head, 513) == 0 && get16(USED + 2) == 1 &&
	   get32(USED + 4) == 0 && get32(USED + 8) == 513,
	   "push writes used elem {0, 513} and used idx 1");
	put16(AVAIL + 4 + 2 * 8, 0);	/* used_event: interrupt after entry 0 */
	ok(virtq_should_notify(&vq), "event idx: notify when used passes used_event");
	ok(virtq_push(&vq, el.head, 1) == 0 && !virtq_should_notify(&vq),
	   "event idx: no notify when used_event was already passed");
	put16(AVAIL + 4 + 2 * 8, 2);
	ok(virtq_push(&vq, el.head, 1) == 0 && virtq_should_notify(&vq),
	   "event idx: notify once used_event moved");
	ok(st.requests == 3 && st.violations == 0, "counters: 3 requests, 0 violations");

	ok(fresh(8, 0) == 0, "setup without event idx");
	set_desc(DESC, 1, DATA, 64, VRING_DESC_F_WRITE, 0);
	kick(1);
	ok(virtq_pop(&vq, &el) == 1 && virtq_push(&vq, 1, 64) == 0 &&
	   virtq_should_notify(&vq), "no event idx: notify by default");
	put16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	ok(!virtq_should_notify(&vq), "no event idx: NO_INTERRUPT honoured");

	ok(fresh(8, FEAT) == 0, "setup for indirect");
	set_desc(IND, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(IND, 1, DATA + 0x1000, 4096, VRING_DESC_F_NEXT, 2);
	set_desc(IND, 2, DATA + 0x3000, 1, VRING_DESC_F_WRITE, 0);
	set_desc(DESC, 2, IND, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	kick(2);
	ret = virtq_pop(&vq, &el);
	ok(ret == 1 && el.head == 2 && el.out_num == 2 && el.in_num == 1 &&
	   el.out_len == 16 + 4096 && el.iov[2].iov_base == gp(DATA + 0x3000),
	   "indirect chain of 3 (got %d)", ret);

	ok(fresh(4, FEAT) == 0, "setup 4-entry queue for index wrap");
	set_desc(DESC, 0, DATA, 8, VRING_DESC_F_WRITE, 0);
	for (i = 0; i < 70000; i++) {
		kick(0);
		if (virtq_pop(&vq, &el) != 1 || virtq_push(&vq, 0, 8))
			break;
	}
	ok(i == 70000 && vq.used_idx == (uint16_t)70000 && st.violations == 0,
	   "70000 requests across the 16-bit index wrap");

	/* --- ring setup --- */
	memset(&st, 0, sizeof(st));
	ok(virtq_setup(&vq, &win, &st, 8, 0x1000, AVAIL, USED, FEAT) == -EFAULT &&
	   st.violations == 1 && vq.broken, "desc table in guest RAM: -EFAULT, counted");
	ok(virtq_pop(&vq, &el) == -EIO, "queue with a bad ring stays broken");
	ok(virtq_setup(&vq, &win, &st, 8, DESC, AVAIL, W + WSZ - 8, FEAT) == -EFAULT,
	   "used ring crossing the window end: -EFAULT");
	ok(virtq_setup(&vq, &win, &st, 8, DESC + 8, AVAIL, USED, FEAT) == -EINVAL,
	   "misaligned desc table: -EINVAL");
	ok(virtq_setup(&vq, &win, &st, 6, DESC, AVAIL, USED, FEAT) == -EINVAL,
	   "queue size not a power of 2: -EINVAL");
	ok(virtq_setup(&vq, &win, &st, 512, DESC, AVAIL, USED, FEAT) == -EINVAL,
	   "queue size above QueueNumMax: -EINVAL");
	ok(virtq_setup(&vq, &win, &st, 0x10010, DESC, AVAIL, USED, FEAT) == -EINVAL,
	   "queue size 0x10010 (16 in the low 16 bits): -EINVAL");
	ok(virtq_setup(&vq, &win, &st, 0x10000, DESC, AVAIL, USED, FEAT) == -EINVAL,
	   "queue size 65536: -EINVAL");
	ok(virtq_setup(&vq, &win, &st, 8, DESC, AVAIL, UINT64_MAX - 3, FEAT) == -EFAULT,
	   "used ring wrapping 2^64: -EFAULT");

	/* --- hostile chains --- */
	fresh(8, FEAT);
	set_desc(DESC, 0, 0x100000, 4096, 0, 0);	/* guest RAM */
	kick(0);
	expect_reject(-EFAULT, "buffer in private guest RAM");

	fresh(8, FEAT);
	set_desc(DESC, 0, W + WSZ - 16, 32, VRING_DESC_F_WRITE, 0);
	kick(0);
	expect_reject(-EFAULT, "buffer crossing the window end");

	fresh(8, FEAT);
	set_desc(DESC, 0, W - 16, 32, 0, 0);
	kick(0);
	expect_reject(-EFAULT, "buffer straddling the window base");

	fresh(8, FEAT);
	set_desc(DESC, 0, UINT64_MAX - 15, 32, 0, 0);
	kick(0);
	expect_reject(-EFAULT, "buffer address + length wrapping 2^64");

	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 16, VRING_DESC_F_NEXT, 0);
	kick(0);
	expect_reject(-ELOOP, "descriptor loop 0->1->0");

	fresh(8, FEAT);
	set_desc(DESC, 4, DATA, 0, VRING_DESC_F_NEXT, 4);
	kick(4);
	expect_reject(-ELOOP, "zero-length self loop 4->4");

	fresh(8, FEAT);
	kick(8);
	expect_reject(-ERANGE, "head index 8 in an 8-entry queue");

	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, VRING_DESC_F_NEXT, 0xffff);
	kick(0);
	expect_reject(-ERANGE, "next index 65535");

	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, 0, 0);
	put16(AVAIL + 2, 9);
	expect_reject(-ERANGE, "avail idx 9 ahead in an 8-entry queue");

	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 0xffffffff, 0, 0);
	kick(0);
	expect_reject(-EOVERFLOW, "chain length over 4 GiB");

	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 16, 0, 0);
	kick(0);
	expect_reject(-EINVAL, "readable buffer after a writable one");

	fresh(8, 0);
	set_desc(IND, 0, DATA, 16, 0, 0);
	set_desc(DESC, 0, IND, 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EINVAL, "indirect without VIRTIO_F_INDIRECT_DESC");

	fresh(8, FEAT);
	set_desc(DESC, 0, IND, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	kick(0);
	expect_reject(-EINVAL, "INDIRECT together with NEXT");

	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, IND, 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EINVAL, "indirect descriptor in the middle of a chain");

	fresh(8, FEAT);
	set_desc(IND, 0, IND, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc(DESC, 0, IND, 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EINVAL, "nested indirect table");

	fresh(8, FEAT);
	set_desc(DESC, 0, IND, 24, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EINVAL, "indirect table length not a multiple of 16");

	fresh(8, FEAT);
	set_desc(DESC, 0, IND, 0, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EINVAL, "empty indirect table");

	fresh(8, FEAT);
	set_desc(DESC, 0, IND, 9 * 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-E2BIG, "indirect table of 9 in an 8-entry queue");

	fresh(8, FEAT);
	set_desc(DESC, 0, 0x2000, 32, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EFAULT, "indirect table in guest RAM");

	fresh(8, FEAT);
	set_desc(IND, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(IND, 1, DATA, 16, VRING_DESC_F_NEXT, 0);
	set_desc(DESC, 0, IND, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-ELOOP, "loop inside an indirect table");

	fresh(8, FEAT);
	set_desc(IND, 0, DATA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(DESC, 0, IND, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-ERANGE, "indirect next beyond the table");

	fresh(8, FEAT);
	set_desc(IND, 0, 0x3000, 16, 0, 0);
	set_desc(DESC, 0, IND, 16, VRING_DESC_F_INDIRECT, 0);
	kick(0);
	expect_reject(-EFAULT, "indirect entry pointing at guest RAM");

	/* A good request before a bad one completes; the bad one stops the queue. */
	fresh(8, FEAT);
	set_desc(DESC, 0, DATA, 16, 0, 0);
	set_desc(DESC, 1, 0x5000, 16, 0, 0);
	set_desc(DESC, 2, DATA, 16, 0, 0);
	kick(0); kick(1); kick(2);
	ok(virtq_pop(&vq, &el) == 1 && virtq_push(&vq, el.head, 0) == 0 &&
	   virtq_pop(&vq, &el) == -EFAULT && virtq_pop(&vq, &el) == -EIO &&
	   st.requests == 1 && st.violations == 1,
	   "good, bad, good: 1 request, then broken with 1 violation");
	virtq_reset(&vq);
	ok(!vq.broken && !vq.ready && virtq_pop(&vq, &el) == 0,
	   "reset clears the broken state");
	ok(virtq_push(&vq, 0, 0) == -EINVAL, "push on a disabled queue fails");

	window_destroy(&win);
	return tap_done();
}
