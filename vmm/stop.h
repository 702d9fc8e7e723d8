/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stop latch: any thread (a vCPU, the console, a signal) asks the VM
 * to stop; the first request decides the exit status and the reason, and
 * wakes the thread that waits for it.
 */
#ifndef PNVM_STOP_H
#define PNVM_STOP_H

#include <pthread.h>
#include "lib/util.h"

struct stop {
	pthread_mutex_t lock;
	pthread_t waiter;	/* woken with SIGUSR2 */
	int stopping;
	int status;
	char reason[256];
};

/* The calling thread is the one stop_request() wakes. */
void stop_init(struct stop *s);

/* Callable from any thread; the first request wins. */
void stop_request(struct stop *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bool stop_requested(struct stop *s)
{
	return __atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE);
}

#endif
