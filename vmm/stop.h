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

/*
 * The hold: vm.pause parks every vCPU thread between two KVM_RUNs until
 * vm.resume. The pauser sets it and kicks the vCPUs out of KVM_RUN (the
 * kick that stop uses); each vCPU, seeing it held, parks on the
 * condition variable; hold_pause() returns once all of them are parked.
 * Nothing here knows KVM: the unit test runs plain threads as vCPUs.
 */
struct hold {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int held;
	bool ended;		/* the VM is going away: park no more */
	unsigned int nr;	/* vCPU threads that can still park */
	unsigned int parked;
};

/* @nr vCPU threads, each calling hold_leave() when it stops running. */
void hold_init(struct hold *h, unsigned int nr);
void hold_destroy(struct hold *h);

/* vCPU side: check before each KVM_RUN; park while held. */
static inline bool hold_held(struct hold *h)
{
	return __atomic_load_n(&h->held, __ATOMIC_SEQ_CST);
}
void hold_park(struct hold *h);
/* One more vCPU thread (before it starts); one less (it stopped running). */
void hold_enter(struct hold *h);
void hold_leave(struct hold *h);

/*
 * Controller side. hold_pause() holds, calls kick(opaque) to get every
 * vCPU out of KVM_RUN (again every 50 ms: a thread that had only just
 * started may have missed it), and returns 0 once all are parked, -ESRCH if the
 * VM ended meanwhile. hold_resume() lets them go; hold_end() too, for
 * good (teardown).
 */
int hold_pause(struct hold *h, void (*kick)(void *opaque), void *opaque);
void hold_resume(struct hold *h);
void hold_end(struct hold *h);

#endif
