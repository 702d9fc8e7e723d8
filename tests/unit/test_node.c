// SPDX-License-Identifier: GPL-2.0
/* Node checks: made-up hosts through node_check, the real one through node_probe. */
#include <errno.h>
#include <string.h>

#include "tests/tap.h"
#include "vmm/node.h"

int main(void)
{
	struct node_info ni = {
		.node = 1, .exists = true, .max_node = 1,
		.total = 1ULL << 30, .free = 900ULL << 20,
		.private = NODE_PRIVATE_UNKNOWN,
	};
	int ret;

	ok(node_check(&ni, 256ULL << 20, false) == 0, "256M on a node with 900M free");
	ret = node_check(&ni, 1ULL << 30, false);
	ok(ret == -ENOMEM && strstr(err_msg(), "more than node 1 has free (900 of 1024 MiB)"),
	   "1G on a node with 900M free: %s", err_msg());
	ret = node_check(&ni, 256ULL << 20, true);
	ok(ret == -EPERM && strstr(err_msg(), "no private-node support"),
	   "--require-private on a stock kernel: %s", err_msg());
	ni.private = NODE_PRIVATE_NO;
	strcpy(ni.private_list, "2");
	ret = node_check(&ni, 256ULL << 20, true);
	ok(ret == -EPERM && strstr(err_msg(), "node 1 is not private (private nodes: 2)"),
	   "--require-private, node not in the list: %s", err_msg());
	ni.private = NODE_PRIVATE_YES;
	ok(node_check(&ni, 256ULL << 20, true) == 0, "--require-private on a private node");
	ni.exists = false;
	ni.node = 7;
	ret = node_check(&ni, 256ULL << 20, false);
	ok(ret == -ENODEV && strstr(err_msg(), "--private-node 7: no such NUMA node"),
	   "missing node: %s", err_msg());

	ok(nodelist_has("1", 1) && !nodelist_has("1", 0), "nodelist \"1\"");
	ok(nodelist_has("0-2,5", 2) && nodelist_has("0-2,5", 5) && !nodelist_has("0-2,5", 4),
	   "nodelist \"0-2,5\"");
	ok(!nodelist_has("", 0) && !nodelist_has("\n", 0), "empty nodelist has nothing");

	/* The host: node 0 exists (NUMA or not), a huge number does not. */
	ok(!node_probe(0, &ni) && ni.exists && ni.total > 0 && ni.free > 0 && ni.free <= ni.total,
	   "host node 0: %llu MiB, %llu free", (unsigned long long)(ni.total >> 20),
	   (unsigned long long)(ni.free >> 20));
	ok(!node_probe(4000, &ni) && !ni.exists && node_check(&ni, 1, false) == -ENODEV,
	   "host node 4000 does not exist: %s", err_msg());
	return tap_done();
}
