// SPDX-License-Identifier: GPL-2.0
/*
 * Migration firewall, NUMA balancing: pages placed on node 1 by a binding
 * that was then dropped (mbind MPOL_DEFAULT, no MOVE) are accessed from a
 * CPU of node 0 with automatic NUMA balancing on. Stock migrates them to
 * node 0 (numa_pages_migrated grows); patched leaves them on node 1.
 */
#include "pnode.h"
#include <sched.h>
#include <time.h>

#define LEN (32UL << 20)
#define SECS 40

static const char *knobs[][2] = {
	{ "/proc/sys/kernel/numa_balancing", "1" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_delay_ms", "0" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "100" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_period_max_ms", "400" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_size_mb", "256" },
};

int main(void)
{
	int target = pn_target_node();
	unsigned long cnt[PN_MAXNODE], n = LEN / PAGE, i, before, left;
	long mig0, mig1, pte0, pte1;
	struct timespec t0, t;
	cpu_set_t cpus;
	char *p;

	if (target < 0)
		NA("no memory-only node to test");
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int err = pn_write_file(knobs[i][0], knobs[i][1]);

		if (err && i == 0)
			NA("cannot enable NUMA balancing: %s", strerror(-err));
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	p = pn_map_on(LEN, target);
	if (!p)
		SETUP_FAIL("mbind");
	if (pn_mbind(p, LEN, MPOL_DEFAULT, 0, 0))
		SETUP_FAIL("mbind default");
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	before = cnt[target];
	printf("%lu/%lu pages on node %d before\n", before, n, target);
	if (before != n)
		SETUP_FAIL("binding");
	mig0 = pn_vmstat(-1, "numa_pages_migrated");
	pte0 = pn_vmstat(-1, "numa_pte_updates");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < LEN; i += PAGE)
			p[i]++;
		pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (cnt[target] > n / 2 && t.tv_sec - t0.tv_sec < SECS);
	left = cnt[target];
	mig1 = pn_vmstat(-1, "numa_pages_migrated");
	pte1 = pn_vmstat(-1, "numa_pte_updates");
	printf("after %lds: %lu/%lu pages on node %d, %lu on node 0\n",
	       (long)(t.tv_sec - t0.tv_sec), left, n, target, cnt[0]);
	printf("numa_pages_migrated %+ld, numa_pte_updates %+ld\n",
	       mig1 - mig0, pte1 - pte0);
	pn_write_file(knobs[0][0], "0");
	if (left != n)
		LEAK();
	HELD();
}
