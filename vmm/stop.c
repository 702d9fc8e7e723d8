// SPDX-License-Identifier: GPL-2.0
/* The stop latch. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
