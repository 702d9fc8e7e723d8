// SPDX-License-Identifier: GPL-2.0
/* virtio-rng (5.4): fill every device-writable buffer from getrandom(2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <linux/virtio_ids.h>

#include "virtio/devices.h"
#include "lib/util.h"

struct rng {
	struct virtio_dev vdev;
	struct virtq_elem el;
};

static uint32_t rng_fill(struct virtq_elem *e)
{
	struct iovec *in = virtq_elem_in(e);
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < e->in_num; i++) {
		size_t off = 0;

		while (off < in[i].iov_len) {
			ssize_t n = getrandom((char *)in[i].iov_base + off,
					      in[i].iov_len - off, 0);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return done;
			}
			off += n;
			done += n;
		}
	}
	return done;
}

static void rng_notify(struct virtio_dev *vdev, unsigned int q)
{
	struct rng *r = vdev->priv;
	struct virtq *vq = &vdev->q[q].vq;
	uint32_t n;
	int ret;

	while ((ret = virtq_pop(vq, &r->el)) > 0) {
		n = rng_fill(&r->el);
		virtio_stat_add(&vdev->stats.bytes, n);
		virtq_push(vq, r->el.head, n);
	}
	if (ret < 0)
		virtio_dev_needs_reset(vdev);
	virtio_dev_signal(vdev, q);
}

static const struct virtio_dev_ops rng_ops = {
	.name		= "rng",
	.device_id	= VIRTIO_ID_RNG,
	.num_queues	= 1,
	.notify		= rng_notify,
};

int virtio_rng_create(const struct virtio_slot *s, struct virtio_dev **out)
{
	struct rng *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return errf(-ENOMEM, "virtio-rng: out of memory");
	ret = virtio_dev_init(&r->vdev, &rng_ops, r, s->win, s->base, s->gsi,
			      s->index);
	if (ret) {
		free(r);
		return errf(ret, "virtio-rng: %s", strerror(-ret));
	}
	*out = &r->vdev;
	return 0;
}
