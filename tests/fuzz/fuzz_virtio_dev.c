// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: each device's request parser behind the virtqueue
 * walker, against arbitrary ring memory in a real window. Byte 0 picks
 * the device (blk, blk read-only, net tx); the rest is as fuzz_virtq.c.
 * Aborts if a parsed request reaches outside the window or the disk.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_blk.h>

#include "tests/fuzz/fuzz_window.h"
#include "virtio/devices.h"

#define SECTORS	2048ULL

static struct virtq_elem el;
static struct blk_parsed bp;

static void in_window(const void *p, size_t len)
{
	const uint8_t *lo = window_hva(&win), *b = p;

	if (b < lo || b > lo + WSZ || len > (size_t)(lo + WSZ - b))
		abort();
}

static void check_blk(bool ro)
{
	uint64_t total = 0;
	int i;

	if (virtio_blk_parse(&el, SECTORS, ro, &bp)) {
		if (bp.status)
			in_window(bp.status, 1);
		return;
	}
	in_window(bp.status, 1);
	*bp.status = bp.result;
	for (i = 0; i < bp.ndata; i++) {
		in_window(bp.data[i].iov_base, bp.data[i].iov_len);
		total += bp.data[i].iov_len;
	}
	if (bp.result != VIRTIO_BLK_S_OK)
		return;
	switch (bp.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (ro && bp.type == VIRTIO_BLK_T_OUT)
			abort();
		if (total != bp.len || bp.len % 512 || bp.offset % 512 ||
		    bp.offset > SECTORS * 512 || bp.len > SECTORS * 512 - bp.offset)
			abort();
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (total > VIRTIO_BLK_ID_BYTES)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_stats st = { 0 };
	struct virtq vq = { 0 };
	uint16_t num, d, a, u;
	unsigned int i, dev;
	int ret;

	fuzz_window();
	if (size < 8)
		return 0;
	dev = data[0] % 3;
	num = 1u << ((data[0] >> 2) % 9);
	fuzz_load(data, size, &d, &a, &u);
	if (virtq_setup(&vq, &win, &st, num, W + (uint64_t)d * 16, W + (uint64_t)a * 2,
			W + (uint64_t)u * 4, 1ULL << VIRTQ_F_INDIRECT_DESC))
		return 0;
	for (i = 0; i < 2u * num + 2; i++) {
		ret = virtq_pop(&vq, &el);
		if (ret <= 0)
			break;
		if (dev == 2) {
			ret = virtio_net_tx_check(&el);
			if (ret >= 0 && (uint32_t)ret + 12 != el.out_len)
				abort();
		} else {
			check_blk(dev == 1);
		}
		virtq_push(&vq, el.head, 1);
	}
	return 0;
}
