/* SPDX-License-Identifier: GPL-2.0 */
/* `pnvm host check`: is this host ready to run pnvm on a private node? */
#ifndef PNVM_HOST_CHECK_H
#define PNVM_HOST_CHECK_H

#include "host/probe.h"
#include "host/report.h"

/*
 * The node check and provision look at: @opt (--node) if >= 0, else
 * private_node in the host's config (e->conf, $PNVM_CONF or
 * /etc/pnvm/pnvm.conf), else the first private node; -1 when none.
 * @from says which. 0, or the config's -EINVAL + errf() (then *node is
 * still the first private node, if any).
 */
int host_target(const struct host_env *e, const struct host_state *s, int opt, int *node,
		char *from, size_t len);

/*
 * The verdict on probed facts, items in report order. Pure but for
 * e->probe, the placement probe, run only when KVM and the node allow it.
 */
void host_judge(const struct host_env *e, const struct host_state *s, const struct host_kvm *k,
		const struct host_tap *t, int node, const char *from, struct host_items *l);

/*
 * The placement probe (e->probe) on @node as the item "probe"; @skip
 * says why it cannot run (NULL: it can).
 */
void item_probe(const struct host_env *e, int node, const char *skip, struct host_items *l);

/*
 * Probe, judge, report (one JSON object with @json). 0 ready, 1 not
 * ready; -ENODEV + errf() when --node @opt names no node (bad input),
 * another -errno + errf() when the host cannot be read.
 */
int host_check(const struct host_env *e, int opt, bool json, FILE *out);

#endif
