// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (5.1) on a tap device opened with IFF_VNET_HDR: tap reads
 * and writes virtio_net_hdr + frame, so frames move between the tap and
 * the window with readv/writev and no copy. No offloads are offered, so
 * the header is always "no checksum, no GSO"; one rx buffer per frame
 * (no MRG_RXBUF). receiveq 0, transmitq 1, no control queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "virtio/devices.h"
#include "lib/util.h"

#define RXQ	0
#define TXQ	1
#define HDR_LEN	((uint32_t)sizeof(struct virtio_net_hdr_v1))	/* 12 in virtio 1.x */

struct net {
	struct virtio_dev vdev;
	int fd;
	struct ioloop *loop;
	bool polling;
	bool rx_held;		/* rx chain popped, tap had nothing after all */
	uint8_t mac[6];
	struct virtq_elem rx, tx;
};

int virtio_net_tx_check(const struct virtq_elem *e)
{
	/* Header plus at least an Ethernet header, and nothing writable. */
	if (e->in_num || e->out_len < HDR_LEN + 14 || e->out_len > HDR_LEN + 65535)
		return -EINVAL;
	return e->out_len - HDR_LEN;
}

static void net_poll(struct net *n, bool on)
{
	if (n->loop && n->polling != on && !ioloop_mod(n->loop, n->fd, on ? EPOLLIN : 0))
		n->polling = on;
}

static void net_tx(struct net *n)
{
	struct virtio_dev *vdev = &n->vdev;
	struct virtq *vq = &vdev->q[TXQ].vq;
	ssize_t w;
	int ret, len;

	while ((ret = virtq_pop(vq, &n->tx)) > 0) {
		len = virtio_net_tx_check(&n->tx);
		if (len < 0) {
			virtio_stat_add(&vdev->stats.errors, 1);
		} else {
			do
				w = writev(n->fd, n->tx.iov, n->tx.out_num);
			while (w < 0 && errno == EINTR);
			/* A full tap queue drops the frame, as a NIC would. */
			if (w < 0)
				virtio_stat_add(&vdev->stats.errors, 1);
			else
				virtio_stat_add(&vdev->stats.bytes, len);
		}
		virtq_push(vq, n->tx.head, 0);
	}
	if (ret < 0)
		virtio_dev_needs_reset(vdev);
	virtio_dev_signal(vdev, TXQ);
}

/* Move frames from the tap into rx buffers until either runs out. */
static void net_rx(struct net *n)
{
	struct virtio_dev *vdev = &n->vdev;
	struct virtq *vq = &vdev->q[RXQ].vq;
	uint16_t one = htole16(1);
	bool pushed = false;
	ssize_t r;
	int ret;

	if (!virtio_dev_running(vdev) || !vq->ready || vq->broken) {
		net_poll(n, false);
		return;
	}
	for (;;) {
		if (!n->rx_held) {
			ret = virtq_pop(vq, &n->rx);
			if (ret <= 0) {
				if (ret < 0)
					virtio_dev_needs_reset(vdev);
				net_poll(n, false);	/* until the next rx kick */
				break;
			}
			n->rx_held = true;
		}
		if (n->rx.out_num || n->rx.in_len < HDR_LEN) {
			/* Unusable rx buffer: give it back empty, count it. */
			virtio_stat_add(&vdev->stats.errors, 1);
			virtq_push(vq, n->rx.head, 0);
			n->rx_held = false;
			pushed = true;
			continue;
		}
		r = readv(n->fd, n->rx.iov, n->rx.in_num);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			net_poll(n, true);
			break;
		}
		if (r == 0) {		/* the backend went away */
			net_poll(n, false);
			break;
		}
		if ((uint32_t)r < HDR_LEN)
			continue;	/* not a tap frame; keep the buffer */
		/* num_buffers is 1 without MRG_RXBUF; tap leaves it alone. */
		iov_from_buf(n->rx.iov, n->rx.in_num, 10, &one, 2);
		virtio_stat_add(&vdev->stats.bytes, r - HDR_LEN);
		virtq_push(vq, n->rx.head, r);
		n->rx_held = false;
		pushed = true;
	}
	if (pushed)
		virtio_dev_signal(vdev, RXQ);
}

static void net_readable(void *arg, uint32_t events)
{
	struct net *n = arg;

	pthread_mutex_lock(&n->vdev.lock);
	net_rx(n);
	pthread_mutex_unlock(&n->vdev.lock);
}

static void net_notify(struct virtio_dev *vdev, unsigned int q)
{
	struct net *n = vdev->priv;

	if (q == TXQ)
		net_tx(n);
	else
		net_rx(n);
}

static uint64_t net_features(struct virtio_dev *vdev)
{
	return 1ULL << VIRTIO_NET_F_MAC;
}

static void net_get_config(struct virtio_dev *vdev, uint32_t off, void *buf,
			   uint32_t len)
{
	struct net *n = vdev->priv;
	struct virtio_net_config cfg = { 0 };

	memcpy(cfg.mac, n->mac, 6);
	virtio_config_read(&cfg, sizeof(cfg), off, buf, len);
}

static void net_reset(struct virtio_dev *vdev)
{
	struct net *n = vdev->priv;

	n->rx_held = false;
	net_poll(n, false);
}

static int net_attach(struct virtio_dev *vdev, struct ioloop *loop)
{
	struct net *n = vdev->priv;
	int ret = ioloop_add(loop, n->fd, 0, net_readable, n);

	if (ret)
		return errf(ret, "virtio-net: cannot poll the tap: %s", strerror(-ret));
	n->loop = loop;
	return 0;
}

static void net_destroy(struct virtio_dev *vdev)
{
	close(((struct net *)vdev->priv)->fd);
}

static const struct virtio_dev_ops net_ops = {
	.name		= "net",
	.device_id	= VIRTIO_ID_NET,
	.num_queues	= 2,
	.get_features	= net_features,
	.get_config	= net_get_config,
	.notify		= net_notify,
	.reset		= net_reset,
	.attach		= net_attach,
	.destroy	= net_destroy,
};

int virtio_net_create_fd(const struct virtio_slot *s, int fd, const uint8_t *mac,
			 struct virtio_dev **out)
{
	struct net *n = calloc(1, sizeof(*n));
	int ret, fl;

	if (!n)
		return errf(-ENOMEM, "virtio-net: out of memory");
	n->fd = fd;
	/* A blocking tap would stall the one I/O thread every device shares. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		ret = -errno;
		free(n);
		return errf(ret, "virtio-net: O_NONBLOCK: %s", strerror(-ret));
	}
	/* Default: locally administered, "pnvm", index. */
	memcpy(n->mac, mac ? mac : (const uint8_t[]){ 0x02, 'p', 'n', 'v', 'm', (uint8_t)s->index }, 6);
	ret = virtio_dev_init(&n->vdev, &net_ops, n, s->win, s->base, s->gsi,
			      s->index);
	if (ret) {
		free(n);
		return errf(ret, "virtio-net: %s", strerror(-ret));
	}
	*out = &n->vdev;
	return 0;
}

/* A tap someone else opened (libvirt): set it up as ours would be. */
static int net_from_fd(const struct virtio_slot *s, int tapfd, const uint8_t *mac,
		       struct virtio_dev **out)
{
	int hdr = HDR_LEN, ret, fd = fcntl(tapfd, F_DUPFD_CLOEXEC, 3);
	struct ifreq ifr = { 0 };

	if (fd < 0)
		return errf(-errno, "--net fd=%d: %s", tapfd, strerror(errno));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		ret = errf(-errno, "--net fd=%d: not a tap: %s", tapfd, strerror(errno));
		goto err;
	}
	/* Frames would be misread by 12 bytes without the header. */
	if (!(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_VNET_HDR)) {
		ret = errf(-EINVAL, "--net fd=%d: %s is not a tap opened with IFF_VNET_HDR", tapfd,
			   ifr.ifr_name);
		goto err;
	}
	/* No offloads: the guest sends and gets plain frames. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		ret = errf(-errno, "--net fd=%d: vnet header: %s", tapfd, strerror(errno));
		goto err;
	}
	ret = virtio_net_create_fd(s, fd, mac, out);
	if (!ret)
		return 0;
err:
	close(fd);
	return ret;
}

/*
 * The tap is never made persistent (no TUNSETPERSIST): one pnvm created
 * disappears with its fd, at any exit including kill -9, so the name is
 * free for the next start; a tap that existed before (persistent, made
 * by the administrator) is attached and left as it was.
 */
int virtio_net_create(const struct virtio_slot *s, const char *tap, int tapfd,
		      const uint8_t *mac, struct virtio_dev **out)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int fd, hdr = HDR_LEN, ret;

	if (!tap)
		return net_from_fd(s, tapfd, mac, out);
	if (strlen(tap) >= IFNAMSIZ)
		return errf(-EINVAL, "--net tap=%s: name too long", tap);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errf(-errno, "--net tap=%s: /dev/net/tun: %s", tap, strerror(errno));
	strcpy(ifr.ifr_name, tap);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = errf(-errno, "--net tap=%s: %s", tap, strerror(errno));
		goto err;
	}
	/* No offloads: the guest sends and gets plain frames. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		ret = errf(-errno, "--net tap=%s: vnet header: %s", tap, strerror(errno));
		goto err;
	}
	ret = virtio_net_create_fd(s, fd, mac, out);
	if (ret)
		goto err;
	return 0;
err:
	close(fd);
	return ret;
}
