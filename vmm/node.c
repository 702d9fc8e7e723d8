// SPDX-License-Identifier: GPL-2.0
/* Is the requested node there, big enough, and private? */
#include <errno.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/node.h"

/*
 * Not numa_parse_nodestring_all(): it checks against this host's possible
 * nodes and prints to stderr; this only answers "is node in the list".
 */
bool nodelist_has(const char *list, int node)
{
	const char *p = list;

	if (!list || node < 0)
		return false;
	while (*p && *p != '\n') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0)
			return false;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return false;
			p = end;
		}
		if (node >= lo && node <= hi)
			return true;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return false;
	}
	return false;
}

static enum node_private private_state(int node, char *list, size_t len)
{
	FILE *f = fopen(NODE_PRIVATE_LIST, "r");

	list[0] = '\0';
	if (!f)
		return NODE_PRIVATE_UNKNOWN;
	if (!fgets(list, len, f))
		list[0] = '\0';
	fclose(f);
	list[strcspn(list, "\n")] = '\0';
	return nodelist_has(list, node) ? NODE_PRIVATE_YES : NODE_PRIVATE_NO;
}

int node_probe(int node, struct node_info *ni)
{
	char path[64];
	long long total, free_b;

	memset(ni, 0, sizeof(*ni));
	ni->node = node;
	if (numa_available() < 0) {
		/* No NUMA in the kernel: only node 0 exists. */
		ni->max_node = 0;
	} else {
		ni->max_node = numa_max_node();
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", node);
	ni->exists = node >= 0 && !access(path, F_OK);
	if (!ni->exists)
		return 0;
	total = numa_node_size64(node, &free_b);
	if (total >= 0) {
		ni->total = total;
		ni->free = free_b;
	}
	ni->private = private_state(node, ni->private_list, sizeof(ni->private_list));
	return 0;
}

int node_check(const struct node_info *ni, u64 memory, bool require_private)
{
	if (!ni->exists && ni->max_node == 0)
		return errf(-ENODEV, "--private-node %d: no such NUMA node (this host has only node 0)",
			    ni->node);
	if (!ni->exists)
		return errf(-ENODEV, "--private-node %d: no such NUMA node (this host has nodes 0-%d)",
			    ni->node, ni->max_node);
	if (memory > ni->free)
		return errf(-ENOMEM, "--memory %llu MiB is more than node %d has free (%llu of %llu MiB)",
			    (unsigned long long)(memory >> 20), ni->node,
			    (unsigned long long)(ni->free >> 20),
			    (unsigned long long)(ni->total >> 20));
	if (require_private && ni->private == NODE_PRIVATE_UNKNOWN)
		return errf(-EPERM, "--require-private: this kernel has no private-node support (no %s)",
			    NODE_PRIVATE_LIST);
	if (require_private && ni->private == NODE_PRIVATE_NO)
		return errf(-EPERM, "--require-private: node %d is not private (private nodes: %s)",
			    ni->node, ni->private_list[0] ? ni->private_list : "none");
	return 0;
}
