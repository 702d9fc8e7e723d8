// SPDX-License-Identifier: GPL-2.0
/*
 * Migration firewall, memory offlining: offlining a memory block of the
 * private node that holds a process's pages would migrate them to a public
 * node. Patched refuses cleanly (EBUSY) and the pages stay; stock migrates
 * them and offlines the block (then the test onlines it again).
 */
#include "pnode.h"

#define LEN (128UL << 20)

static long pfn_of(int pm, void *addr)
{
	uint64_t e;

	if (pread(pm, &e, 8, ((unsigned long)addr / PAGE) * 8) != 8)
		return -1;
	if (!(e & (1ULL << 63)))
		return -1;
	return e & ((1ULL << 55) - 1);
}

int main(void)
{
	int target = pn_target_node(), pm, tried = 0, moved = 0, refused = 0;
	unsigned long blk, cnt[PN_MAXNODE], i, n = LEN / PAGE, last = -1UL;
	char buf[64], path[128];
	char *p;

	if (target < 0)
		NA("no memory-only node to test");
	if (pn_read_file("/sys/devices/system/memory/block_size_bytes", buf,
			 sizeof(buf)))
		NA("no memory hotplug sysfs");
	blk = strtoul(buf, NULL, 16) / PAGE;
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		SETUP_FAIL("pagemap");
	p = pn_map_on(LEN, target);
	if (!p)
		SETUP_FAIL("mbind");
	pn_mbind(p, LEN, MPOL_DEFAULT, 0, 0);	/* let migration choose */
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	printf("%lu/%lu pages on node %d; block size %lu pages\n", cnt[target],
	       n, target, blk);

	for (i = 0; i < n && tried < 4; i += 4096) {
		long pfn = pfn_of(pm, p + i * PAGE);
		unsigned long b;
		int err;

		if (pfn < 0)
			continue;
		b = pfn / blk;
		if (b == last)
			continue;
		last = b;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/memory/memory%lu/state", b);
		tried++;
		err = pn_write_file(path, "offline");
		printf("  offline memory%lu (pfn %#lx): %s\n", b, pfn,
		       err ? strerror(-err) : "done");
		if (!err) {
			moved++;
			pn_write_file(path, "online");
			break;
		}
		if (err == -EBUSY)
			refused++;
	}
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	printf("after: %lu/%lu pages on node %d, %lu on node 0\n", cnt[target],
	       n, target, cnt[0]);
	if (moved || cnt[target] != n)
		LEAK();
	if (!tried)
		NA("no memory block found");
	if (!pn_is_private(target))
		NA("stock could not offline any block (%d tried)", tried);
	HELD();
}
