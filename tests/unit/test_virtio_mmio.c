// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio v2 register semantics, interrupts and kicks, with the rng
 * and console devices end to end through a fake driver and a real window.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_ids.h>

#include "tests/tap.h"
#include "tests/unit/test_virtio_driver.h"

#define FEATS	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
		 (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

static int fake_irqfd(void *o, unsigned int gsi, int fd) { *(unsigned int *)o = gsi; return 0; }

static void test_rng(struct window *win, struct ioloop *loop)
{
	struct virtio_slot slot = { win, 0xd0000000, 16, 0 };
	unsigned int gsi = 0;
	struct virtio_host host = { .opaque = &gsi, .irqfd = fake_irqfd };
	struct virtio_dev *vdev;
	struct tdrv d = { .win = win, .loop = loop };
	uint64_t buf, bad, f;
	uint32_t id, len, v;
	uint8_t *p, zero[64] = { 0 };
	char line[160];

	if (!ok(virtio_rng_create(&slot, &vdev) == 0, "rng: create"))
		return;
	ok(virtio_dev_attach(vdev, &host, loop) == 0 && gsi == 16,
	   "rng: attach registers irqfd on gsi 16");
	d.vdev = vdev;
	ok(tdrv_rd(&d, VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976, "magic 'virt'");
	ok(tdrv_rd(&d, VIRTIO_MMIO_VERSION) == 2, "version 2 (virtio 1.x)");
	ok(tdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_RNG, "device id rng");
	ok(tdrv_rd(&d, VIRTIO_MMIO_VENDOR_ID) == VIRTIO_MMIO_VENDOR, "vendor id");
	tdrv_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)tdrv_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	tdrv_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f |= tdrv_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES);
	ok((f & FEATS) == FEATS, "offers VERSION_1, ACCESS_PLATFORM, EVENT_IDX, INDIRECT");
	tdrv_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ok(tdrv_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES) == 0, "feature word 2 is 0");
	virtio_mmio_read(vdev, VIRTIO_MMIO_MAGIC_VALUE, &v, 2);
	ok(v == 0 || (v & 0xffff) == 0, "16-bit register read returns 0");
	ok(tdrv_rd(&d, VIRTIO_MMIO_SHM_LEN_LOW) == 0xffffffff, "no shared memory regions");
	ok(!vdev->found, "reading registers is not finding: not found yet");

	ok(!(tdrv_negotiate(&d, FEATS & ~(1ULL << VIRTIO_F_ACCESS_PLATFORM)) &
	     VIRTIO_CONFIG_S_FEATURES_OK),
	   "window mode: FEATURES_OK refused without ACCESS_PLATFORM");
	ok(vdev->found, "a driver that set a status bit found the device");
	ok(!(tdrv_negotiate(&d, FEATS & ~(1ULL << VIRTIO_F_VERSION_1)) &
	     VIRTIO_CONFIG_S_FEATURES_OK), "FEATURES_OK refused without VERSION_1");
	ok(tdrv_negotiate(&d, FEATS) & VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK accepted");
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_SEL, 1);
	ok(tdrv_rd(&d, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "queue 1 does not exist");
	ok(tdrv_queue(&d, 0, 64) == 0, "queue 0 ready (64 entries)");
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	ok(tdrv_rd(&d, VIRTIO_MMIO_QUEUE_DESC_LOW) == (uint32_t)TQ(0),
	   "ring address frozen while the queue is ready");
	tdrv_driver_ok(&d);
	tdrv_run(&d, 10);	/* the DRIVER_OK look-around finds nothing */
	tdrv_irqs(&d);

	buf = tdrv_alloc(&d, 64);
	p = tdrv_p(&d, buf, 64);
	memset(p, 0, 64);
	tdrv_post(&d, 0, &(struct tbuf){ buf, 64, true }, 1);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &id, &len) == 1 && id == 0 && len == 64,
	   "rng: used {0, 64}");
	ok(memcmp(p, zero, 64) != 0, "rng: buffer filled with entropy");
	ok(tdrv_irqs(&d) >= 1 && (tdrv_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS) & 1),
	   "rng: used-buffer interrupt (irqfd + InterruptStatus bit 0)");
	tdrv_wr(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	ok(tdrv_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "InterruptACK clears it");
	ok(vdev->stats.requests == 1 && vdev->stats.bytes == 64 &&
	   vdev->stats.violations == 0, "rng: counters 1 request, 64 bytes");

	/* A buffer in guest RAM (a stock guest without the pool). */
	bad = 0x200000;
	tdrv_post(&d, 0, &(struct tbuf){ bad, 64, true }, 1);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &id, &len) == 0, "rng: buffer in guest RAM not completed");
	ok(tdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET,
	   "rng: DEVICE_NEEDS_RESET set");
	ok(tdrv_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS) & 2, "rng: config interrupt raised");
	ok(vdev->stats.violations == 1, "rng: one violation counted");
	tdrv_post(&d, 0, &(struct tbuf){ buf, 64, true }, 1);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &id, &len) == 0 && vdev->stats.violations == 1,
	   "rng: refuses further I/O until reset, no recount");
	virtio_dev_stats(vdev, line, sizeof(line));
	tap_diag("%s", line);
	ok(strstr(line, "rng0: requests=1 bytes=64 violations=1") != NULL, "stats line");

	ok(tdrv_negotiate(&d, FEATS) & VIRTIO_CONFIG_S_FEATURES_OK &&
	   !(tdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET),
	   "reset clears NEEDS_RESET");
	ok(tdrv_queue(&d, 0, 64) == 0, "queue usable again after reset");
	tdrv_driver_ok(&d);
	tdrv_post(&d, 0, &(struct tbuf){ buf, 32, true }, 1);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &id, &len) == 1 && len == 32, "rng works after reset");

	/* Queue setup with rings outside the window: needs reset, counted. */
	tdrv_negotiate(&d, FEATS);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_NUM, 64);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ok(tdrv_rd(&d, VIRTIO_MMIO_QUEUE_READY) == 0 &&
	   (tdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	   vdev->stats.violations == 2, "ring in guest RAM: queue not ready, needs reset");

	/* QueueNum 0x10010: refused, not served as a 16-entry queue. */
	tdrv_negotiate(&d, FEATS);
	tdrv_queue(&d, 0, 16);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_READY, 0);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_NUM, 0x10010);
	tdrv_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ok(tdrv_rd(&d, VIRTIO_MMIO_QUEUE_READY) == 0 &&
	   (tdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	   vdev->stats.violations == 3, "QueueNum 0x10010: queue not ready, needs reset");
	virtio_dev_free(vdev);
}

static void test_console(struct window *win, struct ioloop *loop)
{
	struct virtio_slot slot = { win, 0xd0001000, 17, 0 };
	struct virtio_dev *vdev;
	struct tdrv d = { .win = win, .loop = loop, .data_next = TDATA + 0x10000 };
	int in[2], out[2];
	uint64_t tx, rx;
	uint32_t id, len;
	char got[64] = { 0 };

	if (pipe2(in, O_NONBLOCK) || pipe2(out, O_NONBLOCK))
		return;
	if (!ok(virtio_console_create(&slot, in[0], out[1], &vdev) == 0, "console: create"))
		return;
	ok(virtio_dev_attach(vdev, NULL, loop) == 0, "console: attach");
	d.vdev = vdev;
	ok(tdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_CONSOLE, "device id console");
	ok(tdrv_negotiate(&d, FEATS) & VIRTIO_CONFIG_S_FEATURES_OK, "console: features");
	ok(tdrv_queue(&d, 0, 16) == 0 && tdrv_queue(&d, 1, 16) == 0, "console: rx+tx queues");
	tdrv_driver_ok(&d);

	/* Input typed before the guest has buffers waits in the pipe. */
	ok(write(in[1], "typed", 5) == 5, "host input before rx buffers");
	tdrv_run(&d, 20);
	rx = tdrv_alloc(&d, 64);
	tdrv_post(&d, 0, &(struct tbuf){ rx, 64, true }, 1);
	tdrv_kick(&d, 0);
	ok(tdrv_used(&d, 0, &id, &len) == 1 && len == 5 &&
	   !memcmp(tdrv_p(&d, rx, 5), "typed", 5), "console: input delivered to hvc0");

	tx = tdrv_alloc(&d, 64);
	memcpy(tdrv_p(&d, tx, 12), "hello world\n", 12);
	tdrv_post(&d, 1, (struct tbuf[]){ { tx, 6, false }, { tx + 6, 6, false } }, 2);
	tdrv_kick(&d, 1);
	ok(tdrv_used(&d, 1, &id, &len) == 1 && read(out[0], got, sizeof(got)) == 12 &&
	   !strcmp(got, "hello world\n"), "console: 2-segment output written");
	ok(vdev->stats.requests == 2 && vdev->stats.bytes == 17 && vdev->stats.violations == 0,
	   "console: counters");
	virtio_dev_free(vdev);
	close(in[0]); close(in[1]); close(out[0]); close(out[1]);
}

int main(void)
{
	static struct memmap map;
	struct window win;
	struct ioloop loop;

	if (!ok(window_create(&win, &map, TW, TWSZ, -1, -1) == 0, "window") ||
	    !ok(ioloop_init(&loop) == 0, "I/O loop"))
		return tap_done();
	test_rng(&win, &loop);
	test_console(&win, &loop);
	ioloop_destroy(&loop);
	window_destroy(&win);
	return tap_done();
}
