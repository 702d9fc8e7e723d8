/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_NODE_H
#define PNVM_NODE_H

#include "lib/util.h"

/*
 * The private-node kernel series exports the private nodes as a read-only
 * nodelist here; stock kernels have no such file.
 */
#define NODE_PRIVATE_LIST	"/sys/devices/system/node/has_private_memory"

enum node_private {
	NODE_PRIVATE_UNKNOWN,	/* the kernel has no private-node state */
	NODE_PRIVATE_NO,
	NODE_PRIVATE_YES,
};

struct node_info {
	int node;
	bool exists;
	int max_node;		/* highest node on the host */
	u64 total;		/* bytes */
	u64 free;
	enum node_private private;
	char private_list[64];	/* contents of NODE_PRIVATE_LIST */
};

/* What the host says about node: libnuma for sizes, sysfs for the rest. */
int node_probe(int node, struct node_info *ni);

/*
 * Decide from ni whether pnvm may start on it with that much memory.
 * Pure, so tests can feed it made-up hosts. Returns 0 or -errno + errf().
 */
int node_check(const struct node_info *ni, u64 memory, bool require_private);

/* Parse a sysfs nodelist ("0-2,5"); true if node is in it. */
bool nodelist_has(const char *list, int node);

#endif
