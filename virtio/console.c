// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (5.3), one port, no multiport: the guest's hvc0.
 * receiveq (0) carries input to the guest, transmitq (1) its output.
 * Input is read only when the guest has a buffer for it, so a slow
 * guest applies back-pressure instead of the VMM buffering without bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "virtio/devices.h"
#include "lib/util.h"

#define RXQ	0
#define TXQ	1

struct console {
	struct virtio_dev vdev;
	int in_fd, out_fd;
	struct ioloop *loop;
	bool polling, in_eof;
	uint8_t pend[4096];	/* input read but not yet delivered */
	size_t pend_off, pend_len;
	struct virtq_elem el;
};

static void console_poll(struct console *c, bool on)
{
	if (!c->loop || c->in_eof || c->polling == on)
		return;
	if (!ioloop_mod(c->loop, c->in_fd, on ? EPOLLIN : 0))
		c->polling = on;
}

/* Hand pending input to the guest; lock held. */
static void console_deliver(struct console *c)
{
	struct virtio_dev *vdev = &c->vdev;
	struct virtq *vq = &vdev->q[RXQ].vq;
	bool pushed = false;
	size_t n;
	int ret;

	while (c->pend_off < c->pend_len) {
		ret = virtq_pop(vq, &c->el);
		if (ret <= 0) {
			if (ret < 0)
				virtio_dev_needs_reset(vdev);
			console_poll(c, false);	/* until the next rx kick */
			goto out;
		}
		n = iov_from_buf(virtq_elem_in(&c->el), c->el.in_num, 0,
				 c->pend + c->pend_off, c->pend_len - c->pend_off);
		c->pend_off += n;
		virtio_stat_add(&vdev->stats.bytes, n);
		virtq_push(vq, c->el.head, n);
		pushed = true;
	}
	console_poll(c, true);
out:
	if (pushed)
		virtio_dev_signal(vdev, RXQ);
}

static void console_input(void *arg, uint32_t events)
{
	struct console *c = arg;
	struct virtio_dev *vdev = &c->vdev;
	ssize_t n;

	pthread_mutex_lock(&vdev->lock);
	if (c->pend_off < c->pend_len || !virtio_dev_running(vdev) ||
	    !virtq_has_avail(&vdev->q[RXQ].vq)) {
		console_poll(c, false);
		if (!(events & EPOLLIN) && (events & (EPOLLHUP | EPOLLERR)))
			goto eof;
		goto out;
	}
	n = read(c->in_fd, c->pend, sizeof(c->pend));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		goto out;
	if (n <= 0)
		goto eof;
	c->pend_off = 0;
	c->pend_len = n;
	console_deliver(c);
	goto out;
eof:
	c->in_eof = true;
	ioloop_del(c->loop, c->in_fd);
out:
	pthread_mutex_unlock(&vdev->lock);
}

static void console_tx(struct console *c)
{
	struct virtio_dev *vdev = &c->vdev;
	struct virtq *vq = &vdev->q[TXQ].vq;
	int ret;

	while ((ret = virtq_pop(vq, &c->el)) > 0) {
		struct iovec *iov = virtq_elem_out(&c->el);
		unsigned int n = c->el.out_num;

		/* Guest output is best effort: a closed stdout drops it. */
		while (n) {
			ssize_t w = writev(c->out_fd, iov, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			virtio_stat_add(&vdev->stats.bytes, w);
			while (n && (size_t)w >= iov->iov_len) {
				w -= iov->iov_len;
				iov++;
				n--;
			}
			if (n) {
				iov->iov_base = (char *)iov->iov_base + w;
				iov->iov_len -= w;
			}
		}
		virtq_push(vq, c->el.head, 0);
	}
	if (ret < 0)
		virtio_dev_needs_reset(vdev);
	virtio_dev_signal(vdev, TXQ);
}

static void console_notify(struct virtio_dev *vdev, unsigned int q)
{
	struct console *c = vdev->priv;

	if (q == TXQ)
		console_tx(c);
	else
		console_deliver(c);	/* new rx buffers: resume input */
}

static void console_get_config(struct virtio_dev *vdev, uint32_t off,
			       void *buf, uint32_t len)
{
	struct virtio_console_config cfg = { 0 };

	virtio_config_read(&cfg, sizeof(cfg), off, buf, len);
}

static void console_reset(struct virtio_dev *vdev)
{
	struct console *c = vdev->priv;

	c->pend_off = c->pend_len = 0;
	console_poll(c, false);
}

static int console_attach(struct virtio_dev *vdev, struct ioloop *loop)
{
	struct console *c = vdev->priv;
	int ret;

	if (c->in_fd < 0)
		return 0;
	/* Registered paused: input is read once the guest has buffers. */
	ret = ioloop_add(loop, c->in_fd, 0, console_input, c);
	if (ret)
		return errf(ret, "virtio-console: cannot poll input: %s", strerror(-ret));
	c->loop = loop;
	return 0;
}

static const struct virtio_dev_ops console_ops = {
	.name		= "console",
	.device_id	= VIRTIO_ID_CONSOLE,
	.num_queues	= 2,
	.get_config	= console_get_config,
	.notify		= console_notify,
	.reset		= console_reset,
	.attach		= console_attach,
};

int virtio_console_create(const struct virtio_slot *s, int in_fd, int out_fd,
			  struct virtio_dev **out)
{
	struct console *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return errf(-ENOMEM, "virtio-console: out of memory");
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->in_eof = in_fd < 0;
	ret = virtio_dev_init(&c->vdev, &console_ops, c, s->win, s->base,
			      s->gsi, s->index);
	if (ret) {
		free(c);
		return errf(ret, "virtio-console: %s", strerror(-ret));
	}
	*out = &c->vdev;
	return 0;
}
