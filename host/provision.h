/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `pnvm host provision`: make a dax device private memory on its target
 * node (designate the node, hot-add the memory with daxctl, verify), or
 * designate an empty node. The plan is a pure function of the probed
 * state, so tests check every refusal and "nothing to do" on made-up hosts.
 */
#ifndef PNVM_HOST_PROVISION_H
#define PNVM_HOST_PROVISION_H

#include "host/sysfs.h"

enum host_action {
	ACT_DESIGNATE,		/* write the node into private_nodes */
	ACT_RECONFIGURE,	/* daxctl reconfigure-device --mode=system-ram --no-movable */
	ACT_ONLINE,		/* daxctl online-memory --no-movable (already system-ram) */
};

#define HOST_MAX_STEPS	3

struct host_plan {
	int node;
	char device[32];	/* "" for --node */
	bool refused;		/* cannot: reason and fix say why and what to do */
	char reason[256];
	char fix[256];
	enum host_action steps[HOST_MAX_STEPS];
	unsigned int nr;	/* 0 and !refused: nothing to do */
	char private_nodes[HOST_LIST_LEN];	/* what ACT_DESIGNATE writes */
};

/*
 * What provisioning dax device @dev (or, @dev NULL, node @node) takes,
 * from @s alone. 0 with @p filled; -ENODEV + errf() when there is no
 * such device or node (bad input).
 */
int host_plan(const struct host_state *s, const char *dev, int node, struct host_plan *p);

/* The step as a command line, for people and the JSON. */
void host_step_text(const struct host_env *e, const struct host_plan *p, enum host_action a,
		    char *buf, size_t len);

/*
 * Probe, plan, carry out (not with @dry_run), verify, report (one JSON
 * object with @json). 0 done or nothing to do, 1 refused or failed;
 * -ENODEV/-EINVAL + errf() for a bad device or node (exit 2), another
 * -errno + errf() when the host cannot be read.
 */
int host_provision(const struct host_env *e, const char *dev, int node, bool dry_run, bool json,
		   FILE *out);

#endif
