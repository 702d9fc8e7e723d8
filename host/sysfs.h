/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What sysfs says about NUMA nodes, the private-node series and dax
 * devices, read under struct host_env's root. Probing only: the verdicts
 * are in check.c and provision.c, which tests feed made-up trees.
 */
#ifndef PNVM_HOST_SYSFS_H
#define PNVM_HOST_SYSFS_H

#include "host/host.h"

#define HOST_MAX_NODES	64
#define HOST_MAX_DAX	32
#define HOST_LIST_LEN	256

/* The series' files under /sys/devices/system/node. */
#define HOST_PRIVATE_LIST	"devices/system/node/has_private_memory"
#define HOST_DESIGNATE_LIST	"devices/system/node/private_nodes"

enum dax_mode {
	DAX_UNBOUND,		/* no driver */
	DAX_DEVDAX,		/* device_dax: /dev/daxX.Y, memory not in the page allocator */
	DAX_KMEM,		/* kmem: system-ram, its memory blocks hot-added */
	DAX_OTHER,
};

struct host_dax {
	char name[32];		/* "dax0.0" */
	int node;		/* target_node; -1 none */
	u64 size;
	u64 start;		/* physical, from resource; 0 unknown */
	enum dax_mode mode;
	char driver[32];
	/* Its memory blocks (kmem): present, online, online in ZONE_NORMAL. */
	unsigned int blocks, online, normal;
	int user;		/* a pid with /dev/daxX.Y open (host_dax_user), 0 none */
};

struct host_node {
	int id;
	bool online;		/* nodeN in sysfs */
	unsigned int cpus;
	u64 total, free;	/* bytes, from nodeN/meminfo */
	bool has_memory;	/* in has_memory */
	bool private;		/* in has_private_memory */
	bool designated;	/* in private_nodes */
	bool boot_designated;	/* in private_node= on the kernel command line */
	u64 huge_2m, huge_2m_free, huge_1g, huge_1g_free;	/* pages */
};

struct host_state {
	bool has_private;	/* has_private_memory exists: a kernel with the series */
	bool has_designate;	/* private_nodes exists: runtime designation */
	char private_list[HOST_LIST_LEN];
	char designated_list[HOST_LIST_LEN];
	char boot_list[HOST_LIST_LEN];	/* private_node= from /proc/cmdline; "" none */
	struct host_node nodes[HOST_MAX_NODES];
	unsigned int nr_nodes;
	struct host_dax dax[HOST_MAX_DAX];
	unsigned int nr_dax;
	char thp[32], thp_shmem[32];	/* the selected [mode]; "" when absent */
};

/*
 * Nodes, lists, dax devices and THP under e->sysfs, private_node= from
 * e->proc/cmdline. 0 or -errno + errf().
 */
int host_probe(const struct host_env *e, struct host_state *s);

/* NULL when the host has no such node (not possible, no nodeN). */
const struct host_node *host_node(const struct host_state *s, int id);
const struct host_dax *host_dax(const struct host_state *s, const char *name);

/* A process (pid) that has /dev/@name open, from e->proc; 0 none. */
int host_dax_user(const struct host_env *e, const char *name);

/* One line of e->sysfs/@rel without '\n'; false if there is no such file. */
bool host_read(const struct host_env *e, const char *rel, char *buf, size_t len);

/* Write @text to e->sysfs/@rel in one write(2). 0 or -errno. */
int host_write(const struct host_env *e, const char *rel, const char *text);

/* The nodes set in @set[0..n) as a nodelist ("1-2,5"). */
void nodelist_format(const bool *set, int n, char *buf, size_t len);

#endif
