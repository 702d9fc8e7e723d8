// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk end to end on a temporary image: write, read back, flush,
 * read-only, out-of-range and malformed requests, and buffers outside
 * the window.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "tests/tap.h"
#include "tests/unit/test_virtio_driver.h"

#define FEATS	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
		 (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
		 (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_SEG_MAX) | \
		 (1ULL << VIRTIO_BLK_F_BLK_SIZE) | (1ULL << VIRTIO_BLK_F_RO))
#define IMG_SECTORS	2048

static struct tdrv d;
static uint64_t hdr, data, st;

/* One request: header, data (in or out), status. Returns status or -1. */
static int req(uint32_t type, uint64_t sector, uint32_t len, uint32_t *used)
{
	struct virtio_blk_outhdr h = { .type = htole32(type), .sector = htole64(sector) };
	struct tbuf b[3];
	unsigned int n = 0;
	uint32_t id;

	memcpy(tdrv_p(&d, hdr, sizeof(h)), &h, sizeof(h));
	*(uint8_t *)tdrv_p(&d, st, 1) = 0xee;
	b[n++] = (struct tbuf){ hdr, sizeof(h), false };
	if (len)
		b[n++] = (struct tbuf){ data, len, type != VIRTIO_BLK_T_OUT };
	b[n++] = (struct tbuf){ st, 1, true };
	tdrv_post(&d, 0, b, n);
	tdrv_kick(&d, 0);
	/* io_uring completions arrive on the loop's eventfd. */
	for (int i = 0; i < 100 && !tdrv_used(&d, 0, &id, used); i++)
		tdrv_run(&d, 10);
	return *(uint8_t *)tdrv_p(&d, st, 1);
}

static struct virtio_dev *open_blk(struct window *win, struct ioloop *loop,
				   const char *path, bool ro, unsigned int idx)
{
	struct virtio_slot slot = { win, 0xd0000000 + idx * 0x1000, 16 + idx, idx };
	struct virtio_dev *vdev;

	if (virtio_blk_create(&slot, path, ro, &vdev) || virtio_dev_attach(vdev, NULL, loop))
		return NULL;
	d = (struct tdrv){ .vdev = vdev, .win = win, .loop = loop };
	if (!(tdrv_negotiate(&d, FEATS) & VIRTIO_CONFIG_S_FEATURES_OK) ||
	    tdrv_queue(&d, 0, 128))
		return NULL;
	tdrv_driver_ok(&d);
	tdrv_run(&d, 5);
	hdr = tdrv_alloc(&d, 16);
	data = tdrv_alloc(&d, 65536);
	st = tdrv_alloc(&d, 1);
	return vdev;
}

int main(void)
{
	char path[] = "/tmp/pnvm-blk-XXXXXX";
	static struct memmap map;
	struct window win;
	struct ioloop loop;
	struct virtio_dev *vdev;
	uint8_t *buf = malloc(65536), *back = malloc(65536);
	uint64_t cap = 0;
	uint32_t used = 0, f;
	int fd, i;

	fd = mkstemp(path);
	if (!ok(fd >= 0 && ftruncate(fd, IMG_SECTORS * 512) == 0, "image of 1 MiB") ||
	    !ok(window_create(&win, &map, TW, TWSZ, -1, -1) == 0 && ioloop_init(&loop) == 0,
		"window and I/O loop"))
		return tap_done();
	vdev = open_blk(&win, &loop, path, false, 0);
	if (!ok(vdev, "blk: create, negotiate, queue 128"))
		return tap_done();
	tap_diag("blk backend: %s", virtio_blk_uses_uring(vdev) ? "io_uring" : "synchronous");
	ok(tdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK, "device id block");
	virtio_mmio_read(vdev, VIRTIO_MMIO_CONFIG, &cap, 8);
	ok(le64toh(cap) == IMG_SECTORS, "config capacity = 2048 sectors");
	virtio_mmio_read(vdev, VIRTIO_MMIO_CONFIG + 12, &f, 4);
	ok(le32toh(f) == VIRTQ_NUM_MAX - 2, "config seg_max");
	tdrv_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = tdrv_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES);
	ok((f & (1u << VIRTIO_BLK_F_FLUSH)) && !(f & (1u << VIRTIO_BLK_F_RO)),
	   "offers FLUSH, not RO");

	for (i = 0; i < 8192; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memcpy(tdrv_p(&d, data, 8192), buf, 8192);
	ok(req(VIRTIO_BLK_T_OUT, 8, 8192, &used) == VIRTIO_BLK_S_OK && used == 1,
	   "write 8 KiB at sector 8: OK, used len 1");
	ok(pread(fd, back, 8192, 8 * 512) == 8192 && !memcmp(back, buf, 8192),
	   "image holds the written data");
	memset(tdrv_p(&d, data, 8192), 0, 8192);
	ok(req(VIRTIO_BLK_T_IN, 8, 8192, &used) == VIRTIO_BLK_S_OK && used == 8193,
	   "read 8 KiB back: OK, used len 8193");
	ok(!memcmp(tdrv_p(&d, data, 8192), buf, 8192), "read-back matches");
	ok(req(VIRTIO_BLK_T_FLUSH, 0, 0, &used) == VIRTIO_BLK_S_OK, "flush: OK");
	ok(req(VIRTIO_BLK_T_GET_ID, 0, 20, &used) == VIRTIO_BLK_S_OK &&
	   !strncmp(tdrv_p(&d, data, 20), "pnvm-blk0", 20), "get id: pnvm-blk0");
	ok(req(VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 1024, &used) == VIRTIO_BLK_S_IOERR,
	   "read crossing the end of the disk: IOERR");
	ok(req(VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, &used) == VIRTIO_BLK_S_IOERR,
	   "sector whose byte offset wraps: IOERR");
	ok(req(VIRTIO_BLK_T_OUT, 0, 100, &used) == VIRTIO_BLK_S_IOERR,
	   "write of a partial sector: IOERR");
	ok(req(VIRTIO_BLK_T_DISCARD, 0, 16, &used) == VIRTIO_BLK_S_UNSUPP,
	   "discard (not offered): UNSUPP");
	ok(vdev->stats.errors == 4 && vdev->stats.violations == 0 &&
	   vdev->stats.bytes == 16384, "counters: 4 failed requests, 16 KiB moved");

	/* Header too short: no request, counted, status IOERR. */
	tdrv_post(&d, 0, (struct tbuf[]){ { hdr, 8, false }, { st, 1, true } }, 2);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &f, &used) == 1 && *(uint8_t *)tdrv_p(&d, st, 1) == VIRTIO_BLK_S_IOERR &&
	   vdev->stats.errors == 5, "8-byte header: failed, counted");

	/* Many requests at once: all complete. */
	for (i = 0; i < 32; i++) {
		struct virtio_blk_outhdr h = { .type = htole32(VIRTIO_BLK_T_IN), .sector = htole64(i) };
		uint64_t hh = tdrv_alloc(&d, 16), dd = tdrv_alloc(&d, 512), ss = tdrv_alloc(&d, 1);

		memcpy(tdrv_p(&d, hh, 16), &h, 16);
		tdrv_post(&d, 0, (struct tbuf[]){ { hh, 16, false }, { dd, 512, true }, { ss, 1, true } }, 3);
	}
	tdrv_kick(&d, 0);
	for (i = 0; i < 100; i++)
		tdrv_run(&d, 10);
	for (i = 0; tdrv_used(&d, 0, &f, &used); i++)
		;
	ok(i == 32, "32 reads in flight all complete (%d)", i);

	/* Data buffer in guest RAM: the device stops, the image is untouched. */
	pread(fd, back, 512, 0);
	tdrv_post(&d, 0, (struct tbuf[]){ { hdr, 16, false }, { 0x100000, 512, false },
					  { st, 1, true } }, 3);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &f, &used) == 0 && vdev->stats.violations == 1 &&
	   (tdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET),
	   "buffer in guest RAM: refused, violation, needs reset");
	virtio_dev_free(vdev);

	vdev = open_blk(&win, &loop, path, true, 1);
	if (ok(vdev, "read-only blk")) {
		tdrv_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
		ok(tdrv_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO), "offers RO");
		memset(tdrv_p(&d, data, 512), 0x55, 512);
		ok(req(VIRTIO_BLK_T_OUT, 0, 512, &used) == VIRTIO_BLK_S_IOERR,
		   "write to a read-only disk: IOERR");
		ok(pread(fd, back, 512, 8 * 512) == 512 && !memcmp(back, buf, 512) &&
		   req(VIRTIO_BLK_T_IN, 8, 512, &used) == VIRTIO_BLK_S_OK &&
		   !memcmp(tdrv_p(&d, data, 512), buf, 512), "read from a read-only disk");
		virtio_dev_free(vdev);
	}
	/*
	 * Reads in flight when the driver resets: the reset must not return
	 * while io_uring may still write into their buffers, which the driver
	 * owns again afterwards. Uncached data, so the reads are still running.
	 */
	vdev = open_blk(&win, &loop, path, false, 3);
	if (ok(vdev, "blk for the reset test")) {
		uint64_t bufs[16];

		fsync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		for (i = 0; i < 16; i++) {
			struct virtio_blk_outhdr h = { .type = htole32(VIRTIO_BLK_T_IN),
						       .sector = htole64(8 + i * 64) };
			uint64_t hh = tdrv_alloc(&d, 16), ss = tdrv_alloc(&d, 1);

			bufs[i] = tdrv_alloc(&d, 32768);
			memcpy(tdrv_p(&d, hh, 16), &h, 16);
			tdrv_post(&d, 0, (struct tbuf[]){ { hh, 16, false }, { bufs[i], 32768, true },
							  { ss, 1, true } }, 3);
		}
		/* Submitted, not reaped: the kick without the loop's completions. */
		virtio_dev_kick(vdev, 0);
		tap_diag("in flight before the reset: %u", virtio_blk_inflight(vdev));
		tdrv_wr(&d, VIRTIO_MMIO_STATUS, 0);
		ok(virtio_blk_inflight(vdev) == 0, "reset: no request left in flight (%u)",
		   virtio_blk_inflight(vdev));
		/* The driver reuses its buffers; nothing may land in them now. */
		for (i = 0; i < 16; i++)
			memset(tdrv_p(&d, bufs[i], 32768), 0, 32768);
		usleep(50000);
		tdrv_run(&d, 20);
		for (f = 0, i = 0; i < 16; i++)
			for (int k = 0; k < 32768; k++)
				f |= ((uint8_t *)tdrv_p(&d, bufs[i], 32768))[k];
		ok(f == 0, "reset: no read lands in the buffers afterwards");
		virtio_dev_free(vdev);
		ok(1, "device freed after the reset");
	}
	ok(virtio_blk_create(&(struct virtio_slot){ &win, 0, 0, 2 }, "/nonexistent/img", false,
			     &vdev) == -ENOENT, "missing image: -ENOENT");
	unlink(path);
	free(buf);
	free(back);
	ioloop_destroy(&loop);
	window_destroy(&win);
	return tap_done();
}
