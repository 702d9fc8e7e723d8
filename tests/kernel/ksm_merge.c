// SPDX-License-Identifier: GPL-2.0
/*
 * Migration firewall, KSM: identical pages on the private node (A) and on
 * node 0 (B), all MADV_MERGEABLE. Merging A with B leaves one copy, on
 * either node: private data moves to node 0 or public data onto node 1.
 * Patched never merges A; B pages still merge among themselves (shows KSM
 * ran).
 */
#include "pnode.h"
#include <time.h>

#define NPG 128UL
#define LEN (NPG * PAGE)
#define KSM "/sys/kernel/mm/ksm/"

static void fill(char *p)
{
	unsigned long i;

	for (i = 0; i < LEN; i += PAGE)
		memset(p + i, 0x5a, PAGE);
}

int main(void)
{
	int target = pn_target_node(), secs;
	unsigned long ca[PN_MAXNODE], cb[PN_MAXNODE];
	char buf[64], *a, *b;
	long sharing = 0, scans0;

	if (target < 0)
		NA("no memory-only node to test");
	if (pn_write_file(KSM "run", "2"))	/* unmerge all first */
		NA("no KSM");
	a = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(a, LEN, MADV_NOHUGEPAGE);
	madvise(b, LEN, MADV_NOHUGEPAGE);
	if (pn_mbind(a, LEN, MPOL_BIND, 1UL << target, 0) ||
	    pn_mbind(b, LEN, MPOL_BIND, 1UL << 0, 0))
		SETUP_FAIL("mbind");
	fill(a);
	fill(b);
	pn_count_nodes(0, a, NPG, ca, PN_MAXNODE);
	pn_count_nodes(0, b, NPG, cb, PN_MAXNODE);
	printf("before: A %lu/%lu on node %d, B %lu/%lu on node 0\n",
	       ca[target], NPG, target, cb[0], NPG);
	if (madvise(a, LEN, MADV_MERGEABLE) || madvise(b, LEN, MADV_MERGEABLE))
		NA("MADV_MERGEABLE: %s", strerror(errno));
	pn_write_file(KSM "pages_to_scan", "5000");
	pn_write_file(KSM "sleep_millisecs", "10");
	pn_write_file(KSM "merge_across_nodes", "1");
	pn_write_file(KSM "max_page_sharing", "1024");
	pn_read_file(KSM "full_scans", buf, sizeof(buf));
	scans0 = atol(buf);
	pn_write_file(KSM "run", "1");
	for (secs = 0; secs < 40; secs++) {
		sleep(1);
		pn_read_file(KSM "full_scans", buf, sizeof(buf));
		if (atol(buf) - scans0 >= 4)
			break;
	}
	pn_read_file(KSM "pages_sharing", buf, sizeof(buf));
	sharing = atol(buf);
	pn_count_nodes(0, a, NPG, ca, PN_MAXNODE);
	pn_count_nodes(0, b, NPG, cb, PN_MAXNODE);
	pn_write_file(KSM "run", "2");
	printf("after %ds: pages_sharing %ld; A %lu on node %d, %lu on node 0; B %lu on node %d\n",
	       secs, sharing, ca[target], target, ca[0], cb[target], target);
	if (ca[target] != NPG || cb[target])
		LEAK();
	if (sharing <= 0)
		NA("KSM merged nothing in %ds", secs);
	HELD();
}
