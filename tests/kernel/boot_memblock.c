// SPDX-License-Identifier: GPL-2.0
/*
 * Designation, early boot: boot-time (memblock) allocations must not put
 * permanent kernel data on the private node. The node's own memory map
 * (struct pages) and node data may live there; everything else must not.
 * Evidence: per zone, present - managed pages of the node (memory the
 * buddy allocator never got), compared with the size of the node's memory
 * map (64 bytes per page). Stock allocates top-down, so boot data lands on
 * node 1, the highest node.
 */
#include "pnode.h"

#define SLACK_PAGES 64	/* 256 KiB: node data, section usemaps */

int main(void)
{
	int target = pn_target_node(), cur = -1;
	long present = 0, managed = 0, spanned = 0, memmap, extra;
	char *buf = malloc(1 << 20), *line, *save;
	FILE *f = fopen("/proc/zoneinfo", "r");
	size_t n;

	if (target < 0)
		NA("no memory-only node to test");
	if (!f || !buf)
		SETUP_FAIL("/proc/zoneinfo");
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long v;

		if (sscanf(line, "Node %d,", &cur) == 1)
			continue;
		if (cur != target)
			continue;
		if (sscanf(line, " present %ld", &v) == 1)
			present += v;
		else if (sscanf(line, " managed %ld", &v) == 1)
			managed += v;
		else if (sscanf(line, " spanned %ld", &v) == 1)
			spanned += v;
	}
	if (!present)
		NA("node %d has no present pages", target);
	memmap = spanned * 64 / PAGE;
	extra = present - managed - memmap;
	printf("node %d: spanned %ld present %ld managed %ld pages\n", target,
	       spanned, present, managed);
	printf("reserved %ld pages, memory map ~%ld, other boot data %ld pages (%ld KiB)\n",
	       present - managed, memmap, extra, extra * 4);
	printf("private nodes: %ld\n", pn_private_nodes());
	if (extra > SLACK_PAGES)
		LEAK();
	HELD();
}
