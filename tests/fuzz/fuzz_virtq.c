// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the split virtqueue walker against arbitrary ring
 * memory. The input picks the queue size, features and ring offsets and
 * is the first 64 KiB of the window; the target pops and pushes until
 * the ring is empty or broken and aborts if any iovec leaves the window,
 * a chain exceeds the queue or the walker does not terminate.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_window.h"
#include "virtio/virtq.h"

static struct virtq_elem el;

static void check_elem(const struct virtq *vq, const struct virtq_elem *e)
{
	const uint8_t *lo = window_hva(&win), *hi = lo + WSZ;
	uint64_t out = 0, in = 0;
	unsigned int i, n = e->out_num + e->in_num;

	if (n > vq->num || e->head >= vq->num)
		abort();
	for (i = 0; i < n; i++) {
		const uint8_t *b = e->iov[i].iov_base;

		if (b < lo || b > hi || e->iov[i].iov_len > (size_t)(hi - b))
			abort();
		if (i < e->out_num)
			out += e->iov[i].iov_len;
		else
			in += e->iov[i].iov_len;
	}
	if (out != e->out_len || in != e->in_len || out + in > UINT32_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_stats st = { 0 };
	struct virtq vq = { 0 };
	uint64_t feat = 0;
	uint16_t num, d, a, u;
	unsigned int i;
	int ret = 0;

	fuzz_window();
	if (size < 8)
		return 0;
	num = 1u << (data[0] % 9);
	if (data[1] & 1)
		feat |= 1ULL << VIRTQ_F_INDIRECT_DESC;
	if (data[1] & 2)
		feat |= 1ULL << VIRTQ_F_EVENT_IDX;
	fuzz_load(data, size, &d, &a, &u);

	/* Offsets scaled to the ring alignment; may still fall outside. */
	if (virtq_setup(&vq, &win, &st, num, W + (uint64_t)d * 16,
			W + (uint64_t)a * 2, W + (uint64_t)u * 4, feat))
		return 0;
	/* A well-behaved walker consumes at most num chains per avail idx. */
	for (i = 0; i < 2u * num + 2; i++) {
		ret = virtq_pop(&vq, &el);
		if (ret <= 0)
			break;
		check_elem(&vq, &el);
		if (el.in_num)	/* the device writes what it was given */
			memset(el.iov[el.out_num].iov_base, 0x5a,
			       el.iov[el.out_num].iov_len);
		virtq_push(&vq, el.head, el.in_len);
		virtq_should_notify(&vq);
	}
	if (ret < 0 && (st.violations != 1 || virtq_pop(&vq, &el) != -EIO))
		abort();
	return 0;
}
