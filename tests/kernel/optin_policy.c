// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in: folios allocated under an MPOL_BIND policy that names only the
 * private node land there: mbind() on anonymous memory, mbind() on shared
 * memory (memfd), set_mempolicy() for the task. Without a policy nothing
 * lands there. Stock places them too, but node 1 is not private there, so
 * the property (opt-in to a private node) cannot be shown: n/a.
 */
#include "pnode.h"

#define LEN (64UL << 20)

static int check(const char *what, char *p, int want, int target)
{
	unsigned long cnt[PN_MAXNODE], n = LEN / PAGE;

	pn_touch(p, LEN);
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	printf("  %-28s %6lu/%lu pages on node %d, %lu on node 0\n", what,
	       cnt[target], n, target, cnt[0]);
	return want ? cnt[target] == n : cnt[target] == 0;
}

int main(void)
{
	int target = pn_target_node(), ok = 1, fd;
	unsigned long mask;
	char *p;

	if (target < 0)
		NA("no memory-only node to test");
	mask = 1UL << target;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || pn_mbind(p, LEN, MPOL_BIND, mask, 0))
		SETUP_FAIL("mbind anon");
	ok &= check("anon, mbind BIND", p, 1, target);
	munmap(p, LEN);

	fd = memfd_create("pnode", 0);
	if (fd < 0 || ftruncate(fd, LEN))
		SETUP_FAIL("memfd");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || pn_mbind(p, LEN, MPOL_BIND, mask, 0))
		SETUP_FAIL("mbind memfd");
	ok &= check("memfd (shmem), mbind BIND", p, 1, target);
	munmap(p, LEN);
	close(fd);

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok &= check("anon, default policy", p, 0, target);
	munmap(p, LEN);

	if (pn_set_mempolicy(MPOL_BIND, mask))
		SETUP_FAIL("set_mempolicy");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok &= check("anon, set_mempolicy BIND", p, 1, target);
	pn_set_mempolicy(MPOL_DEFAULT, 0);

	if (!ok)
		LEAK();
	if (!pn_is_private(target))
		NA("node %d is not private on this kernel (placement works)",
		   target);
	HELD();
}
