// SPDX-License-Identifier: GPL-2.0
/*
 * The hold behind vm.pause/vm.resume, with plain threads as vCPUs: each
 * "runs" (counts) until held, parks, and goes on after resume. The kick
 * here is nothing: a thread checks the hold at every loop, as a vCPU
 * does after each KVM_RUN.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/stop.h"

#define NR 4

static struct hold hold;
static unsigned long progress[NR];
static int quit, kicks;

static void *fake_vcpu(void *arg)
{
	unsigned long *p = arg;

	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE)) {
		if (hold_held(&hold)) {
			hold_park(&hold);
			continue;
		}
		__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
		usleep(100);
	}
	hold_leave(&hold);
	return NULL;
}

static void kick(void *opaque)
{
	kicks++;
}

static unsigned long total(void)
{
	unsigned long t = 0;

	for (int i = 0; i < NR; i++)
		t += __atomic_load_n(&progress[i], __ATOMIC_RELAXED);
	return t;
}

static bool all_ran_since(const unsigned long *before)
{
	for (int i = 0; i < NR; i++)
		if (__atomic_load_n(&progress[i], __ATOMIC_RELAXED) == before[i])
			return false;
	return true;
}

/* Up to 5 s for every thread to make progress (a loaded machine). */
static bool all_progress(void)
{
	unsigned long before[NR];

	for (int i = 0; i < NR; i++)
		before[i] = __atomic_load_n(&progress[i], __ATOMIC_RELAXED);
	for (int t = 0; t < 5000; t++) {
		if (all_ran_since(before))
			return true;
		usleep(1000);
	}
	return false;
}

int main(void)
{
	pthread_t th[NR];
	unsigned long t;

	hold_init(&hold, NR);
	for (int i = 0; i < NR; i++)
		pthread_create(&th[i], NULL, fake_vcpu, &progress[i]);
	ok(all_progress(), "unheld: every vCPU runs");

	ok(hold_pause(&hold, kick, NULL) == 0 && kicks >= 1, "pause kicks and returns 0");
	ok(hold.parked == NR, "pause returns only with all %d parked (%u)", NR, hold.parked);
	t = total();
	usleep(20000);
	ok(total() == t, "paused: no vCPU runs for 20 ms");

	hold_resume(&hold);
	ok(all_progress(), "resumed: every vCPU runs again");

	ok(hold_pause(&hold, kick, NULL) == 0 && hold.parked == NR, "a second pause parks all again");
	hold_resume(&hold);
	ok(all_progress(), "and a second resume releases all");

	/* Teardown while paused: hold_end() lets the parked threads out. */
	ok(hold_pause(&hold, kick, NULL) == 0, "paused before teardown");
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
	hold_end(&hold);
	for (int i = 0; i < NR; i++)
		pthread_join(th[i], NULL);
	ok(hold.nr == 0 && hold.parked == 0, "ended: parked vCPUs leave (nr %u)", hold.nr);
	ok(hold_pause(&hold, kick, NULL) == -ESRCH, "pause after the end: -ESRCH");

	/* A vCPU that already stopped does not keep a pause waiting. */
	hold_destroy(&hold);
	hold_init(&hold, 1);
	hold_enter(&hold);
	hold_leave(&hold);
	hold_leave(&hold);
	kicks = 0;
	ok(hold_pause(&hold, kick, NULL) == 0 && hold.nr == 0 && kicks == 0,
	   "no vCPU left running: pause returns at once");
	hold_destroy(&hold);
	return tap_done();
}
