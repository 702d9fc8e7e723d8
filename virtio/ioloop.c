// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "virtio/ioloop.h"
#include "vmm/seccomp.h"

int ioloop_init(struct ioloop *loop)
{
	memset(loop, 0, sizeof(*loop));
	loop->stop_fd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return -errno;
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->stop_fd < 0) {
		int err = -errno;

		close(loop->epfd);
		return err;
	}
	return ioloop_add(loop, loop->stop_fd, EPOLLIN, NULL, NULL);
}

int ioloop_add(struct ioloop *loop, int fd, uint32_t events, ioloop_fn fn,
	       void *arg)
{
	struct epoll_event ev = { .events = events };
	struct ioloop_src *s;

	if (loop->nr == IOLOOP_MAX_SRC)
		return -ENOSPC;
	s = &loop->src[loop->nr];
	*s = (struct ioloop_src){ .fd = fd, .fn = fn, .arg = arg };
	ev.data.ptr = s;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->nr++;
	return 0;
}

int ioloop_mod(struct ioloop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	unsigned int i;

	for (i = 0; i < loop->nr; i++) {
		if (loop->src[i].fd != fd)
			continue;
		ev.data.ptr = &loop->src[i];
		return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
	}
	return -ENOENT;
}

int ioloop_del(struct ioloop *loop, int fd)
{
	unsigned int i;

	for (i = 0; i < loop->nr; i++) {
		if (loop->src[i].fd != fd)
			continue;
		loop->src[i].fd = -1;
		return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
	}
	return -ENOENT;
}

int ioloop_poll(struct ioloop *loop, int timeout_ms)
{
	struct epoll_event ev[16];
	int n, i;

	n = epoll_wait(loop->epfd, ev, 16, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct ioloop_src *s = ev[i].data.ptr;

		if (!s->fn)	/* the stop eventfd */
			return -ECANCELED;
		s->fn(s->arg, ev[i].events);
	}
	return n;
}

static void *ioloop_thread(void *arg)
{
	struct ioloop *loop = arg;

	/* Filtered before it serves any queue; ioloop_start waits for this. */
	loop->start_err = sc_install(SC_IO, sc_default_mode, "virtio-io");
	sem_post(&loop->started);
	if (loop->start_err)
		return NULL;
	while (ioloop_poll(loop, -1) >= 0)
		;
	return NULL;
}

int ioloop_start(struct ioloop *loop)
{
	int ret;

	sem_init(&loop->started, 0, 0);
	ret = pthread_create(&loop->thread, NULL, ioloop_thread, loop);
	if (ret)
		return -ret;
	pthread_setname_np(loop->thread, "virtio-io");
	while (sem_wait(&loop->started) && errno == EINTR)
		;
	if (loop->start_err) {
		pthread_join(loop->thread, NULL);
		return loop->start_err;
	}
	loop->running = true;
	return 0;
}

void ioloop_stop(struct ioloop *loop)
{
	uint64_t one = 1;

	if (!loop->running)
		return;
	if (write(loop->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(loop->thread, NULL);
	loop->running = false;
}

void ioloop_destroy(struct ioloop *loop)
{
	ioloop_stop(loop);
	if (loop->stop_fd >= 0)
		close(loop->stop_fd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->stop_fd = loop->epfd = -1;
}
