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

/* The nodelist at @path, one line without '\n'; false if there is no such file. */
bool nodelist_read(const char *path, char *list, size_t len);

/*
 * The host's defaults, for VMs whose manager names no node (libvirt's ch
 * driver sends no memory zones): a small config file, PNVM_CONF or
 * NODE_CONF_PATH, lines "private_node = N" and "require_private = yes|no"
 * ('#' comments). A missing file is no defaults.
 */
#define NODE_CONF_PATH		"/etc/pnvm/pnvm.conf"

struct node_conf {
	int private_node;	/* -1: none */
	bool require_private;	/* refuse a VM whose RAM is on a node not private */
};

/* @path NULL: $PNVM_CONF, else NODE_CONF_PATH. 0, or -EINVAL + errf() (path:line). */
int node_conf_read(const char *path, struct node_conf *c);

/*
 * The host default node: the config's private_node, else the host's only
 * private node from the nodelist at @list (NULL: NODE_PRIVATE_LIST;
 * tests give a file), else -1. The config is read as node_conf_read().
 */
int node_host_default(const char *conf, const char *list, struct node_conf *c);

/*
 * Is @node private per the nodelist at @list (NULL: NODE_PRIVATE_LIST)?
 * 0, or -EPERM + errf() saying why not (not in it, or no such list).
 */
int node_require_private(int node, const char *list);

#endif
