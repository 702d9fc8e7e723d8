// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (5.2) on a raw image file. Reads, writes and flushes go to
 * io_uring (completions come back through an eventfd on the I/O loop);
 * when io_uring is unavailable the same requests run synchronously.
 * Request parsing is a pure function (virtio_blk_parse) so the fuzzer
 * can drive it without a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "virtio/devices.h"
#include "lib/util.h"

#define SECTOR		512ULL
#define BLK_QUEUES	1

struct blk_req {
	struct blk *b;
	unsigned int gen;
	bool busy;
	uint16_t head;
	struct blk_parsed p;
};

struct blk {
	struct virtio_dev vdev;
	int fd;
	bool ro;
	uint64_t sectors;
	char serial[VIRTIO_BLK_ID_BYTES];
	bool uring;
	struct io_uring ring;
	int ring_efd;
	unsigned int inflight;
	struct virtq_elem el;
	struct blk_req req[VIRTQ_NUM_MAX];
};

int virtio_blk_parse(const struct virtq_elem *ce, uint64_t sectors, bool ro,
		     struct blk_parsed *p)
{
	struct virtq_elem *e = (struct virtq_elem *)ce;
	struct iovec *in = virtq_elem_in(e);
	struct virtio_blk_outhdr hdr;
	uint64_t len, sector;
	int n;

	memset(p, 0, offsetof(struct blk_parsed, data));
	/* The status byte is the last byte the driver lets us write. */
	if (!e->in_num || !e->in_len)
		return -EINVAL;
	p->status = (uint8_t *)in[e->in_num - 1].iov_base +
		    in[e->in_num - 1].iov_len - 1;
	p->used_len = 1;
	if (iov_to_buf(e->iov, e->out_num, 0, &hdr, sizeof(hdr)) != sizeof(hdr)) {
		p->result = VIRTIO_BLK_S_IOERR;
		return -EINVAL;
	}
	p->type = le32toh(hdr.type);
	sector = le64toh(hdr.sector);
	p->result = VIRTIO_BLK_S_OK;

	switch (p->type) {
	case VIRTIO_BLK_T_IN:
		len = e->in_len - 1;
		n = iov_slice(p->data, VIRTQ_NUM_MAX, in, e->in_num, 0, len);
		break;
	case VIRTIO_BLK_T_OUT:
		len = e->out_len - sizeof(hdr);
		n = iov_slice(p->data, VIRTQ_NUM_MAX, e->iov, e->out_num,
			      sizeof(hdr), len);
		if (ro) {
			p->result = VIRTIO_BLK_S_IOERR;
			return 0;
		}
		break;
	case VIRTIO_BLK_T_FLUSH:
		return 0;
	case VIRTIO_BLK_T_GET_ID:
		len = e->in_len - 1;
		n = iov_slice(p->data, VIRTQ_NUM_MAX, in, e->in_num, 0,
			      len < VIRTIO_BLK_ID_BYTES ? len : VIRTIO_BLK_ID_BYTES);
		p->ndata = n < 0 ? 0 : n;
		return 0;
	default:
		p->result = VIRTIO_BLK_S_UNSUPP;
		return 0;
	}
	/* 5.2.6: whole sectors, inside the disk; no wrap on sector * 512. */
	if (n < 0 || len % SECTOR || sector > sectors ||
	    len / SECTOR > sectors - sector) {
		p->result = VIRTIO_BLK_S_IOERR;
		p->ndata = 0;
		return 0;
	}
	p->ndata = n;
	p->len = len;
	p->offset = sector * SECTOR;
	return 0;
}

static void blk_complete(struct blk *b, struct blk_req *r, uint8_t status)
{
	struct virtio_dev *vdev = &b->vdev;

	if (r->gen == vdev->gen) {	/* not from before a reset */
		*r->p.status = status;
		if (status == VIRTIO_BLK_S_OK && r->p.type == VIRTIO_BLK_T_IN)
			r->p.used_len = r->p.len + 1;
		if (status != VIRTIO_BLK_S_OK)
			virtio_stat_add(&vdev->stats.errors, 1);
		else
			virtio_stat_add(&vdev->stats.bytes, r->p.len);
		virtq_push(&vdev->q[0].vq, r->head, r->p.used_len);
	}
	r->busy = false;
	b->inflight--;
}

/* Synchronous I/O for [done, len) of a request: the fallback and the rest of a short one. */
static int blk_sync(struct blk *b, struct blk_req *r, size_t done)
{
	struct iovec iov[VIRTQ_NUM_MAX];
	ssize_t n;
	int k;

	if (r->p.type == VIRTIO_BLK_T_FLUSH)
		return fdatasync(b->fd) ? -errno : 0;
	while (done < r->p.len) {
		k = iov_slice(iov, VIRTQ_NUM_MAX, r->p.data, r->p.ndata, done,
			      r->p.len - done);
		if (r->p.type == VIRTIO_BLK_T_IN)
			n = preadv(b->fd, iov, k, r->p.offset + done);
		else
			n = pwritev(b->fd, iov, k, r->p.offset + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		done += n;
	}
	return 0;
}

static bool blk_submit(struct blk *b, struct blk_req *r)
{
	struct io_uring_sqe *sqe;

	if (!b->uring || !(sqe = io_uring_get_sqe(&b->ring)))
		return false;
	/*
	 * FLUSH: fdatasync through io_uring, completed to the driver only
	 * from its CQE, i.e. once the data is on stable storage. IO_DRAIN:
	 * io_uring does not order requests, so it starts only after every
	 * write submitted before it has completed.
	 */
	if (r->p.type == VIRTIO_BLK_T_FLUSH) {
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		io_uring_sqe_set_flags(sqe, IOSQE_IO_DRAIN);
	}
	else if (r->p.type == VIRTIO_BLK_T_IN)
		io_uring_prep_readv(sqe, b->fd, r->p.data, r->p.ndata, r->p.offset);
	else
		io_uring_prep_writev(sqe, b->fd, r->p.data, r->p.ndata, r->p.offset);
	io_uring_sqe_set_data(sqe, r);
	return true;
}

static struct blk_req *blk_req_get(struct blk *b)
{
	unsigned int i;

	for (i = 0; i < VIRTQ_NUM_MAX; i++)
		if (!b->req[i].busy)
			return &b->req[i];
	return NULL;
}

static void blk_notify(struct virtio_dev *vdev, unsigned int q)
{
	struct blk *b = vdev->priv;
	struct virtq *vq = &vdev->q[q].vq;
	struct blk_req *r;
	bool queued = false;
	int ret = 0;

	/* One request slot per queue entry: never more in flight than that. */
	while ((r = blk_req_get(b)) && (ret = virtq_pop(vq, &b->el)) > 0) {
		r->b = b;
		r->gen = vdev->gen;
		r->head = b->el.head;
		r->busy = true;
		b->inflight++;
		if (virtio_blk_parse(&b->el, b->sectors, b->ro, &r->p)) {
			/* No header or no status byte: fail it, count it. */
			virtio_stat_add(&vdev->stats.errors, 1);
			if (r->p.status)
				*r->p.status = VIRTIO_BLK_S_IOERR;
			virtq_push(vq, r->head, r->p.status ? 1 : 0);
			r->busy = false;
			b->inflight--;
			continue;
		}
		if (r->p.result != VIRTIO_BLK_S_OK) {
			blk_complete(b, r, r->p.result);
			continue;
		}
		if (r->p.type == VIRTIO_BLK_T_GET_ID) {
			iov_from_buf(r->p.data, r->p.ndata, 0, b->serial,
				     sizeof(b->serial));
			blk_complete(b, r, VIRTIO_BLK_S_OK);
			continue;
		}
		if (blk_submit(b, r)) {
			queued = true;
			continue;
		}
		blk_complete(b, r, blk_sync(b, r, 0) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
	}
	if (r && ret < 0)
		virtio_dev_needs_reset(vdev);
	if (queued)
		io_uring_submit(&b->ring);
	virtio_dev_signal(vdev, q);
}

static void blk_reap(void *arg, uint32_t events)
{
	struct blk *b = arg;
	struct virtio_dev *vdev = &b->vdev;
	struct io_uring_cqe *cqe;
	uint64_t v;
	bool done = false;

	if (read(b->ring_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&vdev->lock);
	while (io_uring_peek_cqe(&b->ring, &cqe) == 0) {
		struct blk_req *r = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		uint8_t st = VIRTIO_BLK_S_OK;

		io_uring_cqe_seen(&b->ring, cqe);
		if (res < 0)
			st = VIRTIO_BLK_S_IOERR;
		else if (r->p.type != VIRTIO_BLK_T_FLUSH && (uint32_t)res < r->p.len &&
			 blk_sync(b, r, res))	/* short: finish it here */
			st = VIRTIO_BLK_S_IOERR;
		blk_complete(b, r, st);
		done = true;
	}
	if (done) {
		virtio_dev_signal(vdev, 0);
		/* Requests left waiting for a free slot. */
		if (virtio_dev_running(vdev) && vdev->q[0].vq.ready)
			blk_notify(vdev, 0);
	}
	pthread_mutex_unlock(&vdev->lock);
}

/*
 * Wait until io_uring holds none of our requests: until then it may still
 * write read data into window buffers the driver owns again after a reset
 * (or that are unmapped at exit). Completions are dropped, not pushed: the
 * queue they belonged to is gone. Runs with the device lock held, so
 * blk_reap (the ring's other consumer) is excluded.
 */
static void blk_drain(struct blk *b)
{
	struct io_uring_cqe *cqe;

	while (b->uring && b->inflight) {
		int ret = io_uring_wait_cqe(&b->ring, &cqe);

		if (ret == -EINTR)
			continue;
		if (ret)	/* the ring itself failed: nothing more will come */
			break;
		((struct blk_req *)io_uring_cqe_get_data(cqe))->busy = false;
		io_uring_cqe_seen(&b->ring, cqe);
		b->inflight--;
	}
}

static void blk_reset(struct virtio_dev *vdev)
{
	blk_drain(vdev->priv);
}

static uint64_t blk_features(struct virtio_dev *vdev)
{
	struct blk *b = vdev->priv;

	return (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
	       (1ULL << VIRTIO_BLK_F_FLUSH) | (b->ro ? 1ULL << VIRTIO_BLK_F_RO : 0);
}

static void blk_get_config(struct virtio_dev *vdev, uint32_t off, void *buf,
			   uint32_t len)
{
	struct blk *b = vdev->priv;
	struct virtio_blk_config cfg = {
		.capacity = htole64(b->sectors),
		/* A chain is header + data + status, at most a queue long. */
		.seg_max = htole32(VIRTQ_NUM_MAX - 2),
		.blk_size = htole32(SECTOR),
	};

	virtio_config_read(&cfg, sizeof(cfg), off, buf, len);
}

static int blk_attach(struct virtio_dev *vdev, struct ioloop *loop)
{
	struct blk *b = vdev->priv;

	if (!b->uring)
		return 0;
	return ioloop_add(loop, b->ring_efd, EPOLLIN, blk_reap, b);
}

static void blk_destroy(struct virtio_dev *vdev)
{
	struct blk *b = vdev->priv;

	if (b->uring) {
		blk_drain(b);
		io_uring_queue_exit(&b->ring);
		close(b->ring_efd);
	}
	close(b->fd);
}

static const struct virtio_dev_ops blk_ops = {
	.name		= "blk",
	.device_id	= VIRTIO_ID_BLOCK,
	.num_queues	= BLK_QUEUES,
	.get_features	= blk_features,
	.get_config	= blk_get_config,
	.notify		= blk_notify,
	.reset		= blk_reset,
	.attach		= blk_attach,
	.destroy	= blk_destroy,
};

static void blk_uring_init(struct blk *b)
{
	b->ring_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->ring_efd < 0)
		return;
	if (io_uring_queue_init(VIRTQ_NUM_MAX, &b->ring, 0)) {
		close(b->ring_efd);
		return;
	}
	if (io_uring_register_eventfd(&b->ring, b->ring_efd)) {
		io_uring_queue_exit(&b->ring);
		close(b->ring_efd);
		return;
	}
	b->uring = true;
}

int virtio_blk_create(const struct virtio_slot *s, const char *path, bool ro,
		      struct virtio_dev **out)
{
	struct blk *b = calloc(1, sizeof(*b));
	struct stat st;
	int ret;

	if (!b)
		return errf(-ENOMEM, "virtio-blk: out of memory");
	b->ro = ro;
	b->fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		ret = errf(-errno, "--disk %s: %s", path, strerror(errno));
		goto out_free;
	}
	if (fstat(b->fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		ret = errf(-EINVAL, "--disk %s: not a file or block device", path);
		goto out_close;
	}
	/* Two writers on one image corrupt it; readers may share. */
	if (flock(b->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		ret = errf(-errno, "--disk %s: in use by another process", path);
		goto out_close;
	}
	if (S_ISBLK(st.st_mode))
		st.st_size = lseek(b->fd, 0, SEEK_END);
	b->sectors = st.st_size / SECTOR;
	snprintf(b->serial, sizeof(b->serial), "pnvm-blk%u", s->index);
	blk_uring_init(b);

	ret = virtio_dev_init(&b->vdev, &blk_ops, b, s->win, s->base, s->gsi,
			      s->index);
	if (ret) {
		blk_destroy(&b->vdev);
		free(b);
		return errf(ret, "virtio-blk: %s", strerror(-ret));
	}
	*out = &b->vdev;
	return 0;

out_close:
	close(b->fd);
out_free:
	free(b);
	return ret;
}

bool virtio_blk_uses_uring(struct virtio_dev *vdev)
{
	return ((struct blk *)vdev->priv)->uring;
}

unsigned int virtio_blk_inflight(struct virtio_dev *vdev)
{
	return ((struct blk *)vdev->priv)->inflight;
}
