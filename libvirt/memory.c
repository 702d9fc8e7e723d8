// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM and vCPUs: <memory>, <currentMemory>, <memoryBacking>,
 * <vcpu>, <cpu> and <numatune>. <numatune> decides the private node, the
 * one place where a wrong guess would not be harmless.
 */
#include <string.h>
#include <unistd.h>

#include "libvirt/internal.h"

void do_memory(struct lv *l, xmlNodePtr n)
{
	unsigned long long b;

	if (scaled_bytes(text(l, n), attr(l, n, "unit"), 1024, &b) || b < 4096) {
		report(l, n, NULL, HARD, "memory size '%s' %s is not usable",
		       text(l, n), attr(l, n, "unit") ?: "");
		return;
	}
	l->mem_kib = b >> 10;
	if (l->mem_kib < MIN_MEMORY_KIB)
		report(l, n, NULL, HARD, "%llu KiB of RAM is below pnvm's minimum of %d MiB",
		       l->mem_kib, MIN_MEMORY_KIB / 1024);
	else if (b % 4096)
		report(l, n, NULL, HARD, "%llu KiB of RAM is not a whole number of 4 KiB pages",
		       l->mem_kib);
}

void do_current_memory(struct lv *l, xmlNodePtr n)
{
	unsigned long long b;

	if (scaled_bytes(text(l, n), attr(l, n, "unit"), 1024, &b))
		return;
	if (l->mem_kib && (b >> 10) < l->mem_kib)
		report(l, n, NULL, SOFT, "currentMemory (%llu KiB) below memory (%llu KiB) asks for a "
		       "balloon; pnvm has none and the guest keeps all of <memory>",
		       b >> 10, l->mem_kib);
}

void do_vcpu(struct lv *l, xmlNodePtr n)
{
	const char *cur = attr(l, n, "current"), *pl = attr(l, n, "placement");
	int c;

	if (parse_int(text(l, n), &l->cpus) || l->cpus < 1) {
		report(l, n, NULL, HARD, "vCPU count '%s' is not usable", text(l, n));
		return;
	}
	if (l->cpus > PNVM_MAX_CPUS)
		report(l, n, NULL, HARD, "%d vCPUs: pnvm runs at most %d", l->cpus, PNVM_MAX_CPUS);
	if (cur && (parse_int(cur, &c) || c != l->cpus))
		report(l, n, "current", HARD, "%s of %d vCPUs online asks for vCPU hotplug, "
		       "which pnvm does not have", cur, l->cpus);
	if (attr(l, n, "cpuset"))
		report(l, n, "cpuset", SOFT, "pnvm does not pin vCPU threads to host CPUs");
	if (streq(pl, "auto"))
		report(l, n, "placement", SOFT, "pnvm does not ask numad to place vCPU threads");
}

/* <cpu><model>: host-model and maximum are host-passthrough for a local guest. */
static void do_cpu_model(struct lv *l, xmlNodePtr n)
{
	const char *mode = attr(l, n->parent, "mode");

	report(l, n, NULL, streq(mode, "host-passthrough") || streq(mode, "maximum") ?
	       ACCEPT : SOFT, "pnvm exposes KVM's supported CPUID, not CPU model '%s'",
	       text(l, n));
}

/* <cpu><numa><cell>: memAccess/discard as for <memoryBacking>. */
static void do_numa_cell(struct lv *l, xmlNodePtr n)
{
	int cells = xp_count(l->xp, "/domain/cpu/numa/cell");

	if (child(n, "distances"))
		report(l, child(n, "distances"), NULL, cells > 1 ? ACCEPT : SOFT,
		       "NUMA distances of a single cell have no effect");
}

static void do_numa_interconnects(struct lv *l, xmlNodePtr n)
{
	if (xp_count(l->xp, "/domain/cpu/numa/cell") <= 1)
		report(l, n, NULL, SOFT, "NUMA interconnects are not modelled");
}

static const struct rule numa_rules[] = {
	{ "cell", do_numa_cell, 0, NULL },
	{ "interconnects", do_numa_interconnects, 0, NULL },
	{ NULL, NULL, HARD, "pnvm does not know <numa><%s>" },
};

/* <cpu><numa>: pnvm shows the guest a single NUMA node. */
static void do_numa(struct lv *l, xmlNodePtr n)
{
	int cells = xp_count(l->xp, "/domain/cpu/numa/cell");

	if (cells > 1)
		report(l, n, NULL, HARD, "%d guest NUMA cells; pnvm presents the guest one NUMA "
		       "node backed by one private host node", cells);
	walk(l, n, numa_rules);
}

static const struct rule cpu_rules[] = {
	{ "model", do_cpu_model, 0, NULL },
	{ "vendor feature cache maxphysaddr", NULL, SOFT, "pnvm exposes KVM's supported CPUID "
	  "as is; <%s> is not applied" },
	{ "topology", NULL, ACCEPT, NULL },	/* do_cpu, after the walk */
	{ "numa", do_numa, 0, NULL },
	{ NULL, NULL, HARD, "pnvm does not know <cpu><%s>" },
};

void do_cpu(struct lv *l, xmlNodePtr n)
{
	static const char *const topo[] = { "dies", "cores", "threads", "clusters", NULL };
	const char *mode = attr(l, n, "mode");
	const char *const *k;
	xmlNodePtr top;

	if (mode && !in(mode, "custom host-passthrough host-model maximum"))
		report(l, n, "mode", HARD, "unknown CPU mode '%s'", mode);
	walk(l, n, cpu_rules);
	top = child(n, "topology");
	for (k = topo; top && *k; k++)
		if (attr(l, top, *k) && !streq(attr(l, top, *k), "1"))
			report(l, top, *k, SOFT, "pnvm presents each vCPU as its own socket; "
			       "%s='%s' is not modelled", *k, attr(l, top, *k));
}

/* ---- <numatune>: the one place where a wrong guess is not harmless ---- */

/* One <memory>/<memnode> policy: its node, or -1 after saying why not. */
static int numa_policy(struct lv *l, xmlNodePtr p)
{
	static const struct { const char *mode, *why; } refused[] = {
		{ "interleave", "mode='interleave' spreads guest RAM over nodes; pnvm puts all "
		  "of it on one private node" },
		{ "preferred", "mode='preferred' lets guest RAM fall back to other nodes; pnvm "
		  "binds it to the private node (use mode='strict')" },
		{ "restrictive", "mode='restrictive' leaves guest RAM to cgroup cpuset.mems with "
		  "no memory policy; pnvm binds it (use mode='strict')" },
		{ NULL, NULL },
	}, *r;
	const char *mode = attr(l, p, "mode") ?: "strict";
	const char *ns = attr(l, p, "nodeset");
	unsigned char set[MAX_NODES];
	int first, n;

	if (streq(attr(l, p, "placement"), "auto")) {
		report(l, p, "placement", HARD, "placement='auto' lets numad choose the node when the "
		       "guest starts; pnvm needs the private node fixed in the XML");
		return -1;
	}
	for (r = refused; r->mode; r++)
		if (streq(mode, r->mode)) {
			report(l, p, "mode", HARD, "%s", r->why);
			return -1;
		}
	if (!streq(mode, "strict")) {
		report(l, p, "mode", HARD, "unknown numatune mode '%s'", mode);
		return -1;
	}
	n = nodeset(ns, &first, set);
	if (n < 0) {
		report(l, p, "nodeset", HARD, "no usable nodeset ('%s')", ns ?: "");
		return -1;
	}
	if (n > 1) {
		report(l, p, "nodeset", HARD, "nodeset '%s' names %d host nodes; pnvm puts all guest "
		       "RAM on one private node", ns, n);
		return -1;
	}
	return first;
}

/* The policies are read in do_numatune, per guest cell. */
static const struct rule numatune_rules[] = {
	{ "memory memnode", NULL, ACCEPT, NULL },
	{ NULL, NULL, HARD, "pnvm does not know <numatune><%s>" },
};

void do_numatune(struct lv *l, xmlNodePtr n)
{
	xmlXPathObjectPtr cells = xp_eval(l->xp, "/domain/cpu/numa/cell");
	int ncells = cells ? xmlXPathNodeSetGetLength(cells->nodesetval) : 0;
	xmlNodePtr mem = child(n, "memory"), c;
	int mem_node = -2, mem_used = 0, node = -1, bad = 0, i;

	walk(l, n, numatune_rules);

	/* Each guest cell's RAM (or the whole RAM without cells) and the
	 * element that governs it: its <memnode>, else <memory>. */
	for (i = 0; i < (ncells ? ncells : 1); i++) {
		xmlNodePtr cell = ncells ? xmlXPathNodeSetItem(cells->nodesetval, i) : NULL;
		const char *id = cell ? attr(l, cell, "id") : NULL;
		xmlNodePtr g = NULL;
		int got;

		for (c = xmlFirstElementChild(n); id && c; c = xmlNextElementSibling(c))
			if (is(c, "memnode") && streq(attr(l, c, "cellid"), id))
				g = c;
		if (!g && !mem) {
			report(l, cell, NULL, HARD, "no <numatune> policy for guest cell %s: its RAM "
			       "would be on no particular node", id ?: "?");
			bad = 1;
			continue;
		}
		if (!g) {
			if (mem_node == -2)
				mem_node = numa_policy(l, mem);
			mem_used = 1;
			got = mem_node;
		} else {
			got = numa_policy(l, g);
		}
		if (got < 0)
			bad = 1;
		else if (node >= 0 && got != node)
			bad = 1;	/* the multi-cell refusal says why */
		else
			node = got;
	}
	xmlXPathFreeObject(cells);

	/* Every cell has a <memnode>: QEMU still applies <memory> to the
	 * process through cgroups. pnvm has no process-wide policy, so only
	 * a strict one that includes the guest's node is consistent. */
	if (mem && !mem_used && !bad && node >= 0) {
		const char *mode = attr(l, mem, "mode") ?: "strict";

		if (!streq(mode, "strict") || streq(attr(l, mem, "placement"), "auto") ||
		    !nodeset_has(attr(l, mem, "nodeset"), node)) {
			report(l, mem, NULL, HARD, "process-wide <memory mode='%s'> does not include "
			       "node %d of the guest cell; pnvm has no separate process policy",
			       mode, node);
			bad = 1;
		}
	}
	if (bad || node < 0) {
		l->v->place = LIBVIRT_PLACE_REFUSED;
		return;
	}
	l->v->place = LIBVIRT_PLACE_NODE;
	l->v->node = l->node = node;
}

/*
 * libvirt and QEMU take a "huge" page of the system page size to mean
 * ordinary memory, which is what guest_memfd gives; any larger page, or
 * the default huge page size (no <page>), pnvm cannot honour yet.
 */
static void do_hugepages(struct lv *l, xmlNodePtr n)
{
	unsigned long long b, base = (unsigned long long)sysconf(_SC_PAGESIZE);
	xmlNodePtr p;
	int huge = !xmlFirstElementChild(n);

	for (p = xmlFirstElementChild(n); p; p = xmlNextElementSibling(p))
		if (!is(p, "page") ||
		    scaled_bytes(attr(l, p, "size"), attr(l, p, "unit"), 1024, &b) || b != base)
			huge = 1;
	if (!huge)
		return;
	l->v->hugepages = 1;
	report(l, n, NULL, HARD, "pnvm does not support hugepages yet: guest RAM is guest_memfd "
	       "in base pages");
}

static void do_backing_source(struct lv *l, xmlNodePtr n)
{
	const char *t = attr(l, n, "type");

	/* guest_memfd is an anonymous, memfd-like file. */
	if (streq(t, "memfd"))
		l->v->memfd = 1;
	else if (streq(t, "file")) {
		l->v->file_backed = 1;
		report(l, n, "type", HARD, "guest RAM in a host file cannot be honoured: "
		       "pnvm's guest RAM is guest_memfd");
	} else if (t && !streq(t, "anonymous"))
		report(l, n, "type", HARD, "unknown memory source '%s'", t);
}

/* Shared RAM is for vhost-user backends, which pnvm refuses; pnvm's
 * devices use the shared window instead. */
static void do_backing_access(struct lv *l, xmlNodePtr n)
{
	const char *m = attr(l, n, "mode");

	if (m && !streq(m, "shared") && !streq(m, "private"))
		report(l, n, "mode", HARD, "unknown access mode '%s'", m);
}

/* Without <allocation>, pnvm's own default applies. */
static void do_backing_allocation(struct lv *l, xmlNodePtr n)
{
	const char *m = attr(l, n, "mode");

	if (streq(m, "immediate"))
		l->v->prealloc = l->prealloc = 1;
	else if (streq(m, "ondemand"))
		l->prealloc = -1;
	else if (m)
		report(l, n, "mode", HARD, "unknown allocation mode '%s'", m);
}

static const struct rule backing_rules[] = {
	{ "hugepages", do_hugepages, 0, NULL },
	{ "source", do_backing_source, 0, NULL },
	{ "access", do_backing_access, 0, NULL },
	{ "allocation", do_backing_allocation, 0, NULL },
	/* guest_memfd is never KSM-merged nor swapped, and is freed when
	 * pnvm exits: these hold by construction. */
	{ "nosharepages locked discard", NULL, ACCEPT, NULL },
	{ NULL, NULL, HARD, "pnvm does not know <memoryBacking><%s>" },
};

void do_memory_backing(struct lv *l, xmlNodePtr n)
{
	walk(l, n, backing_rules);
}
