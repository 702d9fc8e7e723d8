// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure, watermarks: min_free_kbytes is the emergency reserve for
 * kernel (__GFP_HIGH, PF_MEMALLOC) allocations, which can never use a
 * private node. Stock spreads it over all nodes by size, so node 0 keeps
 * only its share and atomic allocations drain it sooner. Patched keeps the
 * whole reserve on public zones. Evidence: sum of "min" of the public
 * nodes' zones versus min_free_kbytes.
 */
#include "pnode.h"

int main(void)
{
	int target = pn_target_node(), cur = -1;
	long min_kb, pub = 0, priv = 0, v;
	char buf[64], line[256];
	FILE *f;

	if (target < 0)
		NA("no memory-only node to test");
	if (pn_read_file("/proc/sys/vm/min_free_kbytes", buf, sizeof(buf)))
		SETUP_FAIL("min_free_kbytes");
	min_kb = atol(buf);
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		SETUP_FAIL("/proc/zoneinfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d,", &cur) == 1)
			continue;
		if (sscanf(line, " min %ld", &v) == 1) {
			if (cur == target)
				priv += v;
			else
				pub += v;
		}
	}
	fclose(f);
	printf("min_free_kbytes %ld; min watermarks: public nodes %ld kB, node %d %ld kB\n",
	       min_kb, pub * 4, target, priv * 4);
	printf("public share of the reserve: %ld%%\n",
	       min_kb ? pub * 4 * 100 / min_kb : 0);
	if (pub * 4 * 100 < min_kb * 90)
		LEAK();
	HELD();
}
