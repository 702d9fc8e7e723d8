// SPDX-License-Identifier: GPL-2.0
/*
 * Migration firewall, THP collapse (khugepaged / MADV_COLLAPSE): a 2 MiB
 * range with 212 pages on the private node and 300 on node 0 is collapsed
 * into one huge page on the majority node, copying the private data off
 * its node. Patched refuses to collapse ranges holding private folios.
 */
#include "pnode.h"

#define HP (2UL << 20)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

int main(void)
{
	int target = pn_target_node();
	unsigned long cnt[PN_MAXNODE], n = HP / PAGE;
	char *raw, *p;
	int r, e;

	if (target < 0)
		NA("no memory-only node to test");
	raw = mmap(NULL, 2 * HP, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = (char *)(((unsigned long)raw + HP - 1) & ~(HP - 1));
	madvise(p, HP, MADV_NOHUGEPAGE);
	if (pn_mbind(p, HP, MPOL_BIND, 1UL << target, 0))
		SETUP_FAIL("mbind");
	pn_touch(p, 212 * PAGE);
	if (pn_mbind(p, HP, MPOL_BIND, 1UL << 0, 0))
		SETUP_FAIL("mbind 0");
	pn_touch(p + 212 * PAGE, HP - 212 * PAGE);
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	printf("before: %lu pages on node %d, %lu on node 0\n", cnt[target],
	       target, cnt[0]);
	if (cnt[target] != 212)
		SETUP_FAIL("placement");
	madvise(p, HP, MADV_HUGEPAGE);
	r = madvise(p, HP, MADV_COLLAPSE);
	e = errno;
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	printf("MADV_COLLAPSE: %s; after: %lu pages on node %d, %lu on node 0\n",
	       r ? strerror(e) : "collapsed", cnt[target], target, cnt[0]);
	if (cnt[target] != 212)
		LEAK();
	HELD();
}
