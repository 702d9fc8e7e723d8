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

bool nodelist_read(const char *path, char *list, size_t len)
{
	FILE *f = fopen(path, "r");

	list[0] = '\0';
	if (!f)
		return false;
	if (!fgets(list, len, f))
		list[0] = '\0';
	fclose(f);
	list[strcspn(list, "\n")] = '\0';
	return true;
}

static enum node_private private_state(int node, char *list, size_t len)
{
	if (!nodelist_read(NODE_PRIVATE_LIST, list, len))
		return NODE_PRIVATE_UNKNOWN;
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

/* "yes"/"no" (also true/false, 1/0): 1, 0, or -1. */
static int conf_bool(const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		return 0;
	return -1;
}

int node_conf_read(const char *path, struct node_conf *c)
{
	char line[256], *key, *val, *end;
	unsigned int n = 0;
	FILE *f;
	long v;

	*c = (struct node_conf){ .private_node = -1 };
	if (!path)
		path = getenv("PNVM_CONF") ?: NODE_CONF_PATH;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "#\n")] = '\0';
		key = line + strspn(line, " \t");
		if (!*key)
			continue;
		val = strchr(key, '=');
		if (!val) {
			fclose(f);
			return errf(-EINVAL, "%s:%u: expected 'key = value'", path, n);
		}
		for (end = val; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		val += 1 + strspn(val + 1, " \t");
		val[strcspn(val, " \t")] = '\0';
		if (!strcmp(key, "private_node")) {
			v = strtol(val, &end, 10);
			if (end == val || *end || v < 0 || v > 4095) {
				fclose(f);
				return errf(-EINVAL, "%s:%u: private_node '%s' is not a node number", path, n, val);
			}
			c->private_node = v;
		} else if (!strcmp(key, "require_private")) {
			if (conf_bool(val) < 0) {
				fclose(f);
				return errf(-EINVAL, "%s:%u: require_private '%s': yes or no", path, n, val);
			}
			c->require_private = conf_bool(val);
		} else {
			/* A typo must not silently leave a host without its rule. */
			fclose(f);
			return errf(-EINVAL, "%s:%u: unknown key '%s'", path, n, key);
		}
	}
	fclose(f);
	return 0;
}

int node_host_default(const char *conf, const char *list, struct node_conf *c)
{
	char nodes[64];
	char *end;
	long v;
	int ret = node_conf_read(conf, c);

	if (ret || c->private_node >= 0)
		return ret;
	/* Exactly one private node: there is nothing to choose. */
	if (!nodelist_read(list ?: NODE_PRIVATE_LIST, nodes, sizeof(nodes)))
		return 0;
	v = strtol(nodes, &end, 10);
	if (end != nodes && !*end && v >= 0)
		c->private_node = v;
	return 0;
}

int node_require_private(int node, const char *list)
{
	char nodes[64];

	if (!nodelist_read(list ?: NODE_PRIVATE_LIST, nodes, sizeof(nodes)))
		return errf(-EPERM, "the host requires private memory (require_private), and this kernel "
			    "has no private-node support (no %s)", list ?: NODE_PRIVATE_LIST);
	if (!nodelist_has(nodes, node))
		return errf(-EPERM, "the host requires private memory (require_private): node %d is not "
			    "private (private nodes: %s)", node, nodes[0] ? nodes : "none");
	return 0;
}
