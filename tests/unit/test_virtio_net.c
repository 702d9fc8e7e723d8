// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net against a SOCK_SEQPACKET pair standing in for the tap
 * (same framing: vnet header + frame per message).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "tests/tap.h"
#include "tests/unit/test_virtio_driver.h"

#define FEATS	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM) | \
		 (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_NET_F_MAC))

static bool tap_exists(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	return !stat(path, &st);
}

/*
 * A tap pnvm creates is gone when pnvm is, even after kill -9, so the
 * next start can take the name again. Needs CAP_NET_ADMIN and /dev/net/tun.
 */
static void tap_cleanup(struct window *win)
{
	struct virtio_slot slot = { win, 0xd0003000, 19, 1 };
	struct virtio_dev *vdev;
	int status, p[2];
	pid_t pid;
	char c;

	if (tap_exists("pnvmtest0") || virtio_net_create(&slot, "pnvmtest0", -1, NULL, &vdev)) {
		tap_diag("no tap here (%s): tap clean-up not tested", err_msg());
		return;
	}
	ok(tap_exists("pnvmtest0"),
	   "tap pnvmtest0 created");
	virtio_dev_free(vdev);
	ok(!tap_exists("pnvmtest0"), "tap gone when the device is freed");
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		if (virtio_net_create(&slot, "pnvmtest0", -1, NULL, &vdev))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1 && tap_exists("pnvmtest0"), "child holds tap pnvmtest0");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	ok(!tap_exists("pnvmtest0"), "tap gone after kill -9");
	ok(virtio_net_create(&slot, "pnvmtest0", -1, NULL, &vdev) == 0, "the same name works again");
	virtio_dev_free(vdev);
}

int main(void)
{
	static struct memmap map;
	struct window win;
	struct ioloop loop;
	struct virtio_slot slot = { &win, 0xd0002000, 18, 0 };
	struct virtio_dev *vdev;
	struct tdrv d;
	uint8_t frame[12 + 60], got[2048], mac[6];
	uint64_t rx1, rx2, tx;
	uint32_t id, len;
	uint16_t nb;
	int sv[2];

	if (!ok(window_create(&win, &map, TW, TWSZ, -1, -1) == 0 && ioloop_init(&loop) == 0,
		"window and I/O loop") ||
	    !ok(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) == 0, "fake tap"))
		return tap_done();
	{
		struct virtio_dev *v = NULL;
		int p[2], ret;

		if (!pipe(p)) {
			ret = virtio_net_create(&slot, NULL, p[0], NULL, &v);
			ok(ret < 0 && !v && strstr(err_msg(), "--net fd=") && strstr(err_msg(), "not a tap") &&
			   fcntl(p[0], F_GETFD) == 0,
			   "--net fd= that is no tap: refused, the caller's fd left open (%s)", err_msg());
			close(p[0]);
			close(p[1]);
		}
		/* The MAC asked for is what the device's config space offers. */
		if (!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, p) &&
		    !virtio_net_create_fd(&slot, p[0], (const uint8_t *)"\x52\x54\x00\x6b\x3c\x01", &v)) {
			virtio_mmio_read(v, VIRTIO_MMIO_CONFIG, mac, 4);
			virtio_mmio_read(v, VIRTIO_MMIO_CONFIG + 4, mac + 4, 2);
			ok(!memcmp(mac, "\x52\x54\x00\x6b\x3c\x01", 6), "config mac 52:54:00:6b:3c:01, as asked");
			virtio_dev_free(v);
			close(p[1]);
		}
	}
	if (!ok(virtio_net_create_fd(&slot, sv[0], NULL, &vdev) == 0 &&
		virtio_dev_attach(vdev, NULL, &loop) == 0, "net: create + attach"))
		return tap_done();
	d = (struct tdrv){ .vdev = vdev, .win = &win, .loop = &loop };
	ok(tdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET, "device id net");
	virtio_mmio_read(vdev, VIRTIO_MMIO_CONFIG, mac, 4);
	virtio_mmio_read(vdev, VIRTIO_MMIO_CONFIG + 4, mac + 4, 2);
	ok(!memcmp(mac, "\x02pnvm\x00", 6), "config mac 02:70:6e:76:6d:00 (pnvm's own)");
	ok(tdrv_negotiate(&d, FEATS) & VIRTIO_CONFIG_S_FEATURES_OK, "net: features");
	ok(tdrv_queue(&d, 0, 32) == 0 && tdrv_queue(&d, 1, 32) == 0, "net: rx+tx queues");
	tdrv_driver_ok(&d);

	/* A frame arriving before rx buffers waits in the "tap". */
	memset(frame, 0, sizeof(frame));
	memset(frame + 12, 0xab, 60);
	ok(write(sv[1], frame, sizeof(frame)) == sizeof(frame), "host sends a frame");
	tdrv_run(&d, 20);
	rx1 = tdrv_alloc(&d, 1526);
	rx2 = tdrv_alloc(&d, 1526);
	memset(tdrv_p(&d, rx1, 1526), 0xff, 1526);
	tdrv_post(&d, 0, &(struct tbuf){ rx1, 1526, true }, 1);
	tdrv_post(&d, 0, &(struct tbuf){ rx2, 1526, true }, 1);
	tdrv_kick(&d, 0);
	memcpy(&nb, tdrv_p(&d, rx1 + 10, 2), 2);
	ok(tdrv_used(&d, 0, &id, &len) == 1 && len == sizeof(frame) &&
	   !memcmp(tdrv_p(&d, rx1 + 12, 60), frame + 12, 60) && le16toh(nb) == 1,
	   "rx: frame delivered with header, num_buffers = 1");
	ok(write(sv[1], frame, sizeof(frame)) == sizeof(frame), "second frame");
	tdrv_run(&d, 20);
	ok(tdrv_used(&d, 0, &id, &len) == 1 && id == 1, "rx: delivered as soon as it arrives");

	tx = tdrv_alloc(&d, 128);
	memset(tdrv_p(&d, tx, 12), 0, 12);
	memcpy(tdrv_p(&d, tx + 12, 14), "\xff\xff\xff\xff\xff\xff\x02pnvm\x00\x08\x06", 14);
	tdrv_post(&d, 1, (struct tbuf[]){ { tx, 12, false }, { tx + 12, 50, false } }, 2);
	tdrv_kick(&d, 1);
	ok(tdrv_used(&d, 1, &id, &len) == 1 && read(sv[1], got, sizeof(got)) == 62 &&
	   !memcmp(got + 12, "\xff\xff\xff\xff\xff\xff", 6), "tx: header + 50-byte frame sent");
	tdrv_post(&d, 1, &(struct tbuf){ tx, 8, false }, 1);
	tdrv_kick(&d, 1);
	ok(tdrv_used(&d, 1, &id, &len) == 1 && read(sv[1], got, sizeof(got)) < 0 &&
	   vdev->stats.errors == 1, "tx: runt chain dropped and counted");
	ok(vdev->stats.bytes == 60 + 60 + 50 && vdev->stats.violations == 0, "net: counters");

	/* tx buffer in guest RAM. */
	tdrv_post(&d, 1, &(struct tbuf){ 0x1000, 64, false }, 1);
	tdrv_kick(&d, 1);
	ok(read(sv[1], got, sizeof(got)) < 0 && vdev->stats.violations == 1 &&
	   (tdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET),
	   "tx from guest RAM: nothing sent, violation, needs reset");
	virtio_dev_free(vdev);
	close(sv[1]);
	tap_cleanup(&win);
	ioloop_destroy(&loop);
	window_destroy(&win);
	return tap_done();
}
