// SPDX-License-Identifier: GPL-2.0
/*
 * Gate: hugetlb pool pages are kernel-managed memory allocated with
 * __GFP_THISNODE per node; growing the pool of the private node must not
 * take its memory. Evidence: write 8 to node1 nr_hugepages, read back.
 */
#include "pnode.h"

int main(void)
{
	int target = pn_target_node();
	char path[256], buf[64];
	long got;
	int err;

	if (target < 0)
		NA("no memory-only node to test");
	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages",
		 target);
	if (pn_read_file(path, buf, sizeof(buf)))
		NA("no 2 MiB hugetlb pool for node %d", target);
	printf("node %d nr_hugepages before: %s", target, buf);
	err = pn_write_file(path, "8");
	printf("write 8: %s\n", err ? strerror(-err) : "ok");
	pn_read_file(path, buf, sizeof(buf));
	got = atol(buf);
	printf("node %d nr_hugepages after: %ld\n", target, got);
	pn_write_file(path, "0");
	if (got > 0)
		LEAK();
	HELD();
}
