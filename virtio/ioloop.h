/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio I/O thread: one epoll loop that serves every device's kick
 * eventfds and backend fds (tap, console input, io_uring completions),
 * so vCPU threads never carry device I/O.
 */
#ifndef PNVM_VIRTIO_IOLOOP_H
#define PNVM_VIRTIO_IOLOOP_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

typedef void (*ioloop_fn)(void *arg, uint32_t events);

struct ioloop_src {
	int fd;
	ioloop_fn fn;
	void *arg;
};

#define IOLOOP_MAX_SRC	64

struct ioloop {
	int epfd;
	int stop_fd;
	pthread_t thread;
	bool running;
	sem_t started;			/* the thread has its seccomp filter */
	int start_err;
	unsigned int nr;
	struct ioloop_src src[IOLOOP_MAX_SRC];
};

int ioloop_init(struct ioloop *loop);
/* Watch @fd for @events (EPOLLIN...); @fn runs on the I/O thread. */
int ioloop_add(struct ioloop *loop, int fd, uint32_t events, ioloop_fn fn,
	       void *arg);
/* Change what @fd is watched for (0: pause it). */
int ioloop_mod(struct ioloop *loop, int fd, uint32_t events);
/* Stop watching @fd for good. */
int ioloop_del(struct ioloop *loop, int fd);
/* One round: wait up to @timeout_ms and dispatch. Returns events served. */
int ioloop_poll(struct ioloop *loop, int timeout_ms);
int ioloop_start(struct ioloop *loop);
void ioloop_stop(struct ioloop *loop);
void ioloop_destroy(struct ioloop *loop);

#endif
