// SPDX-License-Identifier: GPL-2.0
/* The stop latch and the hold. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmm/stop.h"

void stop_init(struct stop *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->waiter = pthread_self();
}

void stop_request(struct stop *s, int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->lock);
	if (!s->stopping) {
		s->status = status;
		va_start(ap, fmt);
		vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
		va_end(ap);
		__atomic_store_n(&s->stopping, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->lock);
	/* Wake the waiting thread out of sigwaitinfo(). */
	pthread_kill(s->waiter, SIGUSR2);
}

void hold_init(struct hold *h, unsigned int nr)
{
	pthread_condattr_t attr;

	memset(h, 0, sizeof(*h));
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, &attr);
	pthread_condattr_destroy(&attr);
	h->nr = nr;
}

void hold_destroy(struct hold *h)
{
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
}

/* One condition variable for both sides: pauses are rare, wakeups cheap. */
void hold_park(struct hold *h)
{
	pthread_mutex_lock(&h->lock);
	h->parked++;
	pthread_cond_broadcast(&h->cond);
	while (h->held && !h->ended)
		pthread_cond_wait(&h->cond, &h->lock);
	h->parked--;
	pthread_mutex_unlock(&h->lock);
}

void hold_enter(struct hold *h)
{
	pthread_mutex_lock(&h->lock);
	h->nr++;
	pthread_mutex_unlock(&h->lock);
}

void hold_leave(struct hold *h)
{
	pthread_mutex_lock(&h->lock);
	if (h->nr)
		h->nr--;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

int hold_pause(struct hold *h, void (*kick)(void *opaque), void *opaque)
{
	int ret = 0;

	/* Held before the kick: a vCPU the kick misses sees it at its next check. */
	pthread_mutex_lock(&h->lock);
	__atomic_store_n(&h->held, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_lock(&h->lock);
	while (h->parked < h->nr && !h->ended) {
		struct timespec ts;

		pthread_mutex_unlock(&h->lock);
		kick(opaque);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 50 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&h->lock);
		if (h->parked < h->nr && !h->ended)
			pthread_cond_timedwait(&h->cond, &h->lock, &ts);
	}
	if (h->ended)
		ret = -ESRCH;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void hold_resume(struct hold *h)
{
	pthread_mutex_lock(&h->lock);
	__atomic_store_n(&h->held, 0, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

void hold_end(struct hold *h)
{
	pthread_mutex_lock(&h->lock);
	h->ended = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}
