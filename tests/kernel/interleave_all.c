// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in must be explicit: a policy that merely names all nodes
 * (numactl --interleave=all, weighted interleave over all nodes, a
 * preferred node) does not opt in, nor does a BIND that also names public
 * nodes. Stock interleaves half of the pages onto node 1.
 */
#include "pnode.h"

#define LEN (32UL << 20)

static unsigned long run(const char *what, int mode, unsigned long mask,
			 int target)
{
	unsigned long cnt[PN_MAXNODE];
	char *p;

	if (pn_set_mempolicy(mode, mask)) {
		printf("  %-26s set_mempolicy: %s\n", what, strerror(errno));
		return 0;
	}
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pn_touch(p, LEN);
	pn_set_mempolicy(MPOL_DEFAULT, 0);
	pn_count_nodes(0, p, LEN / PAGE, cnt, PN_MAXNODE);
	printf("  %-26s %6lu/%lu pages on node %d\n", what, cnt[target],
	       LEN / PAGE, target);
	munmap(p, LEN);
	return cnt[target];
}

int main(void)
{
	int target = pn_target_node();
	unsigned long all = pn_nodelist("has_memory"), bad = 0;

	if (target < 0 || (long)all < 0)
		NA("no memory-only node to test");
	printf("all memory nodes: %#lx\n", all);
	bad += run("MPOL_INTERLEAVE all", MPOL_INTERLEAVE, all, target);
	bad += run("MPOL_WEIGHTED_INTERLEAVE all", MPOL_WEIGHTED_INTERLEAVE,
		   all, target);
	bad += run("MPOL_PREFERRED node", MPOL_PREFERRED, 1UL << target,
		   target);
	bad += run("MPOL_PREFERRED_MANY node", MPOL_PREFERRED_MANY,
		   1UL << target, target);
	printf("pages placed on node %d without an explicit binding: %lu\n",
	       target, bad);
	if (bad)
		LEAK();
	HELD();
}
