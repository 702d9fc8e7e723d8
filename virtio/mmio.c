// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio version 2 (virtio 1.x, 4.2.2) and the device core. Register
 * writes come from vCPU threads; queue processing runs on the I/O thread;
 * the device lock orders the two. Kicks and interrupts are eventfds so
 * neither side blocks the other.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "virtio/devices.h"

#define MMIO_MAGIC	0x74726976	/* "virt" */
#define MMIO_VERSION	2

static void efd_signal(int fd)
{
	uint64_t one = 1;

	/* Can only fail if the counter would overflow: already pending. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void efd_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
}

int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, struct window *win, uint64_t base,
		    unsigned int gsi, unsigned int index)
{
	unsigned int i;

	if (!ops->num_queues || ops->num_queues > VIRTIO_MAX_QUEUES)
		return -EINVAL;
	memset(vdev, 0, sizeof(*vdev));
	vdev->ops = ops;
	vdev->priv = priv;
	vdev->win = win;
	vdev->base = base;
	vdev->gsi = gsi;
	snprintf(vdev->name, sizeof(vdev->name), "%s%u", ops->name, index);
	pthread_mutex_init(&vdev->lock, NULL);
	vdev->host_features = (1ULL << VIRTIO_F_VERSION_1) |
			      (1ULL << VIRTQ_F_INDIRECT_DESC) |
			      (1ULL << VIRTQ_F_EVENT_IDX);
	/* The guest DMA API (and so the restricted pool) only with this. */
	if (!window_is_off(win))
		vdev->host_features |= 1ULL << VIRTIO_F_ACCESS_PLATFORM;
	if (ops->get_features)
		vdev->host_features |= ops->get_features(vdev);

	vdev->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vdev->irq_fd < 0)
		return -errno;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vdev->q[i].kick_fd = -1;
	for (i = 0; i < ops->num_queues; i++) {
		vdev->q[i].dev = vdev;
		vdev->q[i].index = i;
		vdev->q[i].vq.win = win;
		vdev->q[i].vq.stats = &vdev->stats;
		vdev->q[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vdev->q[i].kick_fd < 0) {
			int err = -errno;

			virtio_dev_destroy(vdev);
			return err;
		}
	}
	return 0;
}

void virtio_dev_destroy(struct virtio_dev *vdev)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (vdev->q[i].kick_fd >= 0)
			close(vdev->q[i].kick_fd);
		vdev->q[i].kick_fd = -1;
	}
	if (vdev->irq_fd >= 0)
		close(vdev->irq_fd);
	vdev->irq_fd = -1;
}

void virtio_dev_free(struct virtio_dev *vdev)
{
	if (!vdev)
		return;
	virtio_dev_destroy(vdev);
	if (vdev->ops->destroy)
		vdev->ops->destroy(vdev);
	pthread_mutex_destroy(&vdev->lock);
	/* Every device embeds its virtio_dev in the private struct it owns. */
	free(vdev->priv);
}

bool virtio_dev_running(struct virtio_dev *vdev)
{
	return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vdev->status & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED));
}

void virtio_dev_kick(struct virtio_dev *vdev, unsigned int q)
{
	pthread_mutex_lock(&vdev->lock);
	if (q < vdev->ops->num_queues && virtio_dev_running(vdev) &&
	    vdev->q[q].vq.ready && !vdev->q[q].vq.broken && vdev->ops->notify)
		vdev->ops->notify(vdev, q);
	pthread_mutex_unlock(&vdev->lock);
}

static void kick_event(void *arg, uint32_t events)
{
	struct virtio_queue *q = arg;

	efd_drain(q->kick_fd);
	virtio_dev_kick(q->dev, q->index);
}

int virtio_dev_attach(struct virtio_dev *vdev, const struct virtio_host *host,
		      struct ioloop *loop)
{
	unsigned int i;
	int ret;

	if (host && host->irqfd) {
		ret = host->irqfd(host->opaque, vdev->gsi, vdev->irq_fd);
		if (ret)
			return ret;
	}
	for (i = 0; i < vdev->ops->num_queues; i++) {
		if (host && host->ioeventfd) {
			ret = host->ioeventfd(host->opaque,
					      vdev->base + VIRTIO_MMIO_QUEUE_NOTIFY,
					      i, vdev->q[i].kick_fd);
			if (ret)
				return ret;
		}
		if (!loop)
			continue;
		ret = ioloop_add(loop, vdev->q[i].kick_fd, EPOLLIN, kick_event,
				 &vdev->q[i]);
		if (ret)
			return ret;
	}
	if (loop && vdev->ops->attach)
		return vdev->ops->attach(vdev, loop);
	return 0;
}

static void raise_irq(struct virtio_dev *vdev, uint32_t why)
{
	__atomic_fetch_or(&vdev->isr, why, __ATOMIC_SEQ_CST);
	efd_signal(vdev->irq_fd);
}

void virtio_dev_signal(struct virtio_dev *vdev, unsigned int q)
{
	if (q < vdev->ops->num_queues && virtq_should_notify(&vdev->q[q].vq))
		raise_irq(vdev, VIRTIO_MMIO_INT_VRING);
}

void virtio_dev_needs_reset(struct virtio_dev *vdev)
{
	if (vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_irq(vdev, VIRTIO_MMIO_INT_CONFIG);
}

/* Lock held. */
static void dev_reset(struct virtio_dev *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->ops->num_queues; i++) {
		struct virtio_queue *q = &vdev->q[i];

		virtq_reset(&q->vq);
		q->num = 0;
		q->desc = q->avail = q->used = 0;
	}
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
	vdev->status = 0;
	vdev->drv_features = 0;
	vdev->dev_sel = vdev->drv_sel = vdev->queue_sel = 0;
	__atomic_store_n(&vdev->isr, 0, __ATOMIC_SEQ_CST);
	vdev->gen++;
}

static bool features_ok(struct virtio_dev *vdev)
{
	uint64_t f = vdev->drv_features;

	if (f & ~vdev->host_features)
		return false;
	if (!(f & (1ULL << VIRTIO_F_VERSION_1)))
		return false;
	/*
	 * Window mode: a driver that will not use the DMA API would hand
	 * us guest RAM addresses; refuse rather than count violations.
	 */
	if ((vdev->host_features & (1ULL << VIRTIO_F_ACCESS_PLATFORM)) &&
	    !(f & (1ULL << VIRTIO_F_ACCESS_PLATFORM)))
		return false;
	return true;
}

static void write_status(struct virtio_dev *vdev, uint32_t val)
{
	uint32_t old = vdev->status;
	unsigned int i;

	if (!val) {
		dev_reset(vdev);
		return;
	}
	vdev->found = true;
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK) && !features_ok(vdev))
		val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	/* The driver cannot clear NEEDS_RESET except by a reset. */
	vdev->status = val | (old & VIRTIO_CONFIG_S_NEEDS_RESET);

	/* Kicks that came before DRIVER_OK were dropped: look now. */
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK))
		for (i = 0; i < vdev->ops->num_queues; i++)
			efd_signal(vdev->q[i].kick_fd);
}

static void write_queue_ready(struct virtio_dev *vdev, struct virtio_queue *q,
			      uint32_t val)
{
	if (!val) {
		virtq_reset(&q->vq);
		return;
	}
	if (q->vq.ready || !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	if (virtq_setup(&q->vq, vdev->win, &vdev->stats, q->num, q->desc,
			q->avail, q->used, vdev->drv_features))
		virtio_dev_needs_reset(vdev);
}

static void set_half(uint64_t *v, bool high, uint32_t val)
{
	if (high)
		*v = (*v & 0xffffffffULL) | ((uint64_t)val << 32);
	else
		*v = (*v & ~0xffffffffULL) | val;
}

static void config_access(struct virtio_dev *vdev, uint64_t off, void *data,
			  unsigned int len, bool write)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return;
	pthread_mutex_lock(&vdev->lock);
	if (write) {
		if (vdev->ops->set_config)
			vdev->ops->set_config(vdev, off, data, len);
	} else if (vdev->ops->get_config) {
		vdev->ops->get_config(vdev, off, data, len);
	}
	pthread_mutex_unlock(&vdev->lock);
}

void virtio_mmio_read(struct virtio_dev *vdev, uint64_t off, void *data,
		      unsigned int len)
{
	struct virtio_queue *q = NULL;
	uint32_t val = 0;

	memset(data, 0, len);
	if (off >= VIRTIO_MMIO_CONFIG) {
		config_access(vdev, off - VIRTIO_MMIO_CONFIG, data, len, false);
		return;
	}
	/* 4.2.2.2: registers are read with 32-bit aligned accesses only. */
	if (len != 4 || off % 4)
		return;
	if (off == VIRTIO_MMIO_INTERRUPT_STATUS) {
		val = __atomic_load_n(&vdev->isr, __ATOMIC_SEQ_CST);
		goto out;
	}
	pthread_mutex_lock(&vdev->lock);
	if (vdev->queue_sel < vdev->ops->num_queues)
		q = &vdev->q[vdev->queue_sel];
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		val = MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		val = MMIO_VERSION;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		val = vdev->ops->device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		val = VIRTIO_MMIO_VENDOR;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vdev->dev_sel < 2)
			val = vdev->host_features >> (32 * vdev->dev_sel);
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		val = q ? VIRTQ_NUM_MAX : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		val = q ? q->vq.ready : 0;
		break;
	case VIRTIO_MMIO_STATUS:
		val = vdev->status;
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		val = vdev->config_gen;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		val = q ? q->desc : 0;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		val = q ? q->desc >> 32 : 0;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		val = q ? q->avail : 0;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		val = q ? q->avail >> 32 : 0;
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		val = q ? q->used : 0;
		break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		val = q ? q->used >> 32 : 0;
		break;
	/* No shared memory regions: length ~0 means "absent". */
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		val = 0xffffffff;
		break;
	}
	pthread_mutex_unlock(&vdev->lock);
out:
	val = htole32(val);
	memcpy(data, &val, 4);
}

void virtio_mmio_write(struct virtio_dev *vdev, uint64_t off,
		       const void *data, unsigned int len)
{
	struct virtio_queue *q = NULL, *qcfg;
	uint32_t val;

	if (off >= VIRTIO_MMIO_CONFIG) {
		config_access(vdev, off - VIRTIO_MMIO_CONFIG, (void *)data, len, true);
		return;
	}
	if (len != 4 || off % 4)
		return;
	memcpy(&val, data, 4);
	val = le32toh(val);

	/* Without an ioeventfd the kick traps here: hand it to the I/O thread. */
	if (off == VIRTIO_MMIO_QUEUE_NOTIFY) {
		if (val < vdev->ops->num_queues)
			efd_signal(vdev->q[val].kick_fd);
		return;
	}
	if (off == VIRTIO_MMIO_INTERRUPT_ACK) {
		__atomic_fetch_and(&vdev->isr, ~val, __ATOMIC_SEQ_CST);
		return;
	}

	pthread_mutex_lock(&vdev->lock);
	if (vdev->queue_sel < vdev->ops->num_queues)
		q = &vdev->q[vdev->queue_sel];
	/* Size and addresses only change while the queue is disabled. */
	qcfg = q && !q->vq.ready ? q : NULL;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vdev->dev_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vdev->drv_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (vdev->drv_sel < 2 && !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_half(&vdev->drv_features, vdev->drv_sel, val);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vdev->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (qcfg)
			qcfg->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			write_queue_ready(vdev, q, val);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(vdev, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (qcfg)
			set_half(&qcfg->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (qcfg)
			set_half(&qcfg->avail, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (qcfg)
			set_half(&qcfg->used, off == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	}
	pthread_mutex_unlock(&vdev->lock);
}

int virtio_dev_stats(struct virtio_dev *vdev, char *buf, size_t size)
{
	struct virtio_stats *s = &vdev->stats;

	return snprintf(buf, size,
			"%s: requests=%" PRIu64 " bytes=%" PRIu64
			" violations=%" PRIu64 " errors=%" PRIu64,
			vdev->name, virtio_stat_get(&s->requests),
			virtio_stat_get(&s->bytes), virtio_stat_get(&s->violations),
			virtio_stat_get(&s->errors));
}

/* Copy device config bytes [off, off + len) from @cfg, zero beyond it. */
void virtio_config_read(const void *cfg, size_t size, uint32_t off, void *buf,
			uint32_t len)
{
	memset(buf, 0, len);
	if (off >= size)
		return;
	if (len > size - off)
		len = size - off;
	memcpy(buf, (const uint8_t *)cfg + off, len);
}
