// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt domain XML -> `pnvm run` argv.
 *
 * libvirt parses and validates: the domain is defined on libvirt's
 * in-process test driver (test:///default) with VIR_DOMAIN_DEFINE_VALIDATE,
 * which runs the RNG schema and libvirt's semantic checks, and the
 * normalised XML (units in KiB, defaults filled in) is read back. pnvm then
 * walks that document against an allow-list: every element is either
 * mapped, accepted because it has no effect on a pnvm guest, a harmless
 * omission (a warning with --lenient) or refused. Anything unknown is
 * refused: a silent drop could, for instance, put guest memory on the
 * wrong node. configs/libvirt/README.md has the table.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "libvirt/domain.h"

#define MAX_XML_BYTES	(16 << 20)
#define MAX_NODES	1024	/* host NUMA node ids we can name */
#define MAX_DEVS	64
/* pnvm run's own limits (vmm/cli.h, vmm/machine.h): refuse here, with an XPath, rather
 * than hand over a command line that pnvm run rejects. */
#define MIN_MEMORY_KIB	(32 * 1024)
#define MAX_CPUS	64

enum sev {
	ACCEPT,		/* no effect on a pnvm guest: take it silently */
	SOFT,		/* harmless omission: refused, or a warning with --lenient */
	HARD,		/* pnvm cannot honour it: always refused */
};

struct lv {
	FILE *errs;
	int lenient;
	struct libvirt_verdict *v;
	xmlDocPtr doc;		/* libvirt's normalised XML */
	xmlDocPtr orig;		/* the input as written */
	xmlXPathContextPtr xp;
	xmlXPathContextPtr oxp;	/* on orig */
	xmlChar **pool;		/* strings handed out by attr()/text() */
	int npool, cap;

	/* What the argv is built from once the walk found no problem. */
	const char *name, *kernel, *initrd, *cmdline;
	unsigned long long mem_kib;
	int cpus;
	int node;
	int prealloc;		/* 1 immediate, -1 ondemand, 0 pnvm's default */
	int require_private, rng;
	unsigned long long window_bytes;
	int window_node;
	const char *disk[MAX_DEVS];
	int disk_ro[MAX_DEVS], ndisk;
	const char *tap[MAX_DEVS];
	int ntap;
	int serial_seen, nif;
};

struct rule {
	const char *name;
	void (*fn)(struct lv *l, xmlNodePtr n);
	enum sev sev;
	const char *why;
};

/* ---- reporting ---- */

static void vreport(struct lv *l, xmlNodePtr n, const char *attr, enum sev s,
		    const char *fmt, va_list ap)
{
	xmlChar *path = n ? xmlGetNodePath(n) : NULL;
	int warn = s == SOFT && l->lenient;

	fprintf(l->errs, "%s%s%s: %s", path ? (char *)path : "/domain",
		attr ? "/@" : "", attr ? attr : "", warn ? "warning: " : "");
	vfprintf(l->errs, fmt, ap);
	if (s == SOFT)
		fputs(warn ? " (ignored: --lenient)" :
			     " (harmless: --lenient ignores it)", l->errs);
	fputc('\n', l->errs);
	xmlFree(path);
	if (warn)
		l->v->warnings++;
	else
		l->v->problems++;
	if (s == SOFT && !warn)
		l->v->harmless++;
}

static void __attribute__((format(printf, 5, 6)))
report(struct lv *l, xmlNodePtr n, const char *attr, enum sev s, const char *fmt, ...)
{
	va_list ap;

	if (s == ACCEPT)
		return;
	va_start(ap, fmt);
	vreport(l, n, attr, s, fmt, ap);
	va_end(ap);
}

/* ---- small XML helpers; strings live until the translation ends ---- */

static const char *keep(struct lv *l, xmlChar *s)
{
	if (!s)
		return NULL;
	if (l->npool == l->cap) {
		int cap = l->cap ? 2 * l->cap : 256;
		xmlChar **p = realloc(l->pool, cap * sizeof(*p));

		if (!p) {
			/* Out of memory: the value is read as absent. */
			xmlFree(s);
			return NULL;
		}
		l->pool = p;
		l->cap = cap;
	}
	l->pool[l->npool++] = s;
	return (const char *)s;
}

static const char *attr(struct lv *l, xmlNodePtr n, const char *name)
{
	return n ? keep(l, xmlGetNoNsProp(n, (const xmlChar *)name)) : NULL;
}

static const char *text(struct lv *l, xmlNodePtr n)
{
	return n ? keep(l, xmlNodeGetContent(n)) : NULL;
}

static int is(xmlNodePtr n, const char *name)
{
	return n && !n->ns && !strcmp((const char *)n->name, name);
}

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n ? xmlFirstElementChild(n) : NULL; c; c = xmlNextElementSibling(c))
		if (is(c, name))
			return c;
	return NULL;
}

static xmlXPathObjectPtr xp_eval(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);

	if (o && o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

static int xp_count(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xp_eval(xp, expr);
	int n = o ? xmlXPathNodeSetGetLength(o->nodesetval) : 0;

	xmlXPathFreeObject(o);
	return n;
}

static xmlNodePtr xp_first(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xp_eval(xp, expr);
	xmlNodePtr n = NULL;

	if (o && xmlXPathNodeSetGetLength(o->nodesetval))
		n = xmlXPathNodeSetItem(o->nodesetval, 0);
	xmlXPathFreeObject(o);
	return n;
}

/* In the input as written: what libvirt fills in is no promise. */
static xmlNodePtr orig_first(struct lv *l, const char *expr)
{
	return l->oxp ? xp_first(l->oxp, expr) : NULL;
}

/* Each element child of n against rules; unknown elements are refused. */
static void walk(struct lv *l, xmlNodePtr n, const struct rule *rules)
{
	const struct rule *r;
	xmlNodePtr c;

	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		for (r = rules; r->name; r++)
			if (is(c, r->name))
				break;
		if (!r->name)
			report(l, c, NULL, HARD, "pnvm does not know <%s>; refusing rather than dropping it",
			       (const char *)c->name);
		else if (r->fn)
			r->fn(l, c);
		else
			report(l, c, NULL, r->sev, "%s", r->why);
	}
}

/* ---- numbers, sizes, node sets ---- */

static int parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_int(const char *s, int *out)
{
	unsigned long long v;

	if (parse_ull(s, &v) || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* libvirt's scaled integers (virScaleInteger): unit -> bytes. */
static int unit_scale(const char *unit, unsigned long long dflt, unsigned long long *out)
{
	static const struct { const char *u; unsigned long long m; } t[] = {
		{ "b", 1 }, { "bytes", 1 },
		{ "KB", 1000ULL }, { "k", 1ULL << 10 }, { "KiB", 1ULL << 10 },
		{ "MB", 1000000ULL }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
		{ "GB", 1000000000ULL }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
		{ "TB", 1000000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
	};
	size_t i;

	if (!unit) {
		*out = dflt;
		return 0;
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(unit, t[i].u) || (t[i].u[1] == 0 && strlen(unit) == 1 &&
					     tolower((unsigned char)*unit) == tolower((unsigned char)*t[i].u))) {
			*out = t[i].m;
			return 0;
		}
	return -1;
}

/* value in unit -> bytes; -1 on overflow or a bad number/unit. */
static int scaled_bytes(const char *val, const char *unit, unsigned long long dflt,
			unsigned long long *bytes)
{
	unsigned long long v, m;

	if (parse_ull(val, &v) || unit_scale(unit, dflt, &m))
		return -1;
	if (m && v > ULLONG_MAX / m)
		return -1;
	*bytes = v * m;
	return 0;
}

/* pnvm's SIZE: the largest K/M/G suffix that is exact. */
static void fmt_size(char *buf, size_t len, unsigned long long bytes)
{
	if (bytes && !(bytes % (1ULL << 30)))
		snprintf(buf, len, "%lluG", bytes >> 30);
	else if (bytes && !(bytes % (1ULL << 20)))
		snprintf(buf, len, "%lluM", bytes >> 20);
	else
		snprintf(buf, len, "%lluK", bytes >> 10);
}

/*
 * libvirt node set syntax ("0-3,^2,5") into a bitmap. Returns the number
 * of nodes and the lowest in *first, or -1 when it does not parse.
 */
static int nodeset(const char *s, int *first, unsigned char set[MAX_NODES])
{
	int n = 0, i;

	memset(set, 0, MAX_NODES);
	if (!s || !*s)
		return -1;
	while (*s) {
		int neg = 0, a, b;
		char *end;

		if (*s == '^') {
			neg = 1;
			s++;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		a = b = (int)strtol(s, &end, 10);
		if (*end == '-') {
			if (neg || !isdigit((unsigned char)end[1]))
				return -1;
			b = (int)strtol(end + 1, &end, 10);
		}
		if (a < 0 || b < a || b >= MAX_NODES)
			return -1;
		for (i = a; i <= b; i++)
			set[i] = !neg;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	*first = -1;
	for (i = 0; i < MAX_NODES; i++)
		if (set[i]) {
			if (*first < 0)
				*first = i;
			n++;
		}
	return n;
}

static int nodeset_has(const char *s, int node)
{
	unsigned char set[MAX_NODES];
	int first;

	return nodeset(s, &first, set) > 0 && node < MAX_NODES && set[node];
}

/* ---- <domain> top-level handlers ---- */

static void do_name(struct lv *l, xmlNodePtr n)
{
	l->name = text(l, n);
}

static void do_memory(struct lv *l, xmlNodePtr n)
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

static void do_current_memory(struct lv *l, xmlNodePtr n)
{
	unsigned long long b;

	if (scaled_bytes(text(l, n), attr(l, n, "unit"), 1024, &b))
		return;
	if (l->mem_kib && (b >> 10) < l->mem_kib)
		report(l, n, NULL, SOFT, "currentMemory (%llu KiB) below memory (%llu KiB) asks for a "
		       "balloon; pnvm has none and the guest keeps all of <memory>",
		       b >> 10, l->mem_kib);
}

static void do_vcpu(struct lv *l, xmlNodePtr n)
{
	const char *cur = attr(l, n, "current"), *pl = attr(l, n, "placement");
	int c;

	if (parse_int(text(l, n), &l->cpus) || l->cpus < 1) {
		report(l, n, NULL, HARD, "vCPU count '%s' is not usable", text(l, n));
		return;
	}
	if (l->cpus > MAX_CPUS)
		report(l, n, NULL, HARD, "%d vCPUs: pnvm runs at most %d", l->cpus, MAX_CPUS);
	if (cur && (parse_int(cur, &c) || c != l->cpus))
		report(l, n, "current", HARD, "%s of %d vCPUs online asks for vCPU hotplug, "
		       "which pnvm does not have", cur, l->cpus);
	if (attr(l, n, "cpuset"))
		report(l, n, "cpuset", SOFT, "pnvm does not pin vCPU threads to host CPUs");
	if (streq(pl, "auto"))
		report(l, n, "placement", SOFT, "pnvm does not ask numad to place vCPU threads");
}

static void do_numa_cell(struct lv *l, xmlNodePtr n);

static void do_cpu(struct lv *l, xmlNodePtr n)
{
	const char *mode = attr(l, n, "mode");
	xmlNodePtr c, top;

	/* host-model and maximum are host-passthrough for a local guest. */
	if (mode && !streq(mode, "custom") && !streq(mode, "host-passthrough") &&
	    !streq(mode, "host-model") && !streq(mode, "maximum"))
		report(l, n, "mode", HARD, "unknown CPU mode '%s'", mode);
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		if (is(c, "model"))
			report(l, c, NULL, streq(mode, "host-passthrough") || streq(mode, "maximum") ?
			       ACCEPT : SOFT, "pnvm exposes KVM's supported CPUID, not CPU model '%s'",
			       text(l, c));
		else if (is(c, "vendor") || is(c, "feature") || is(c, "cache") ||
			 is(c, "maxphysaddr"))
			report(l, c, NULL, SOFT, "pnvm exposes KVM's supported CPUID as is; "
			       "<%s> is not applied", (const char *)c->name);
		else if (is(c, "topology"))
			;	/* below */
		else if (is(c, "numa"))
			do_numa_cell(l, c);
		else
			report(l, c, NULL, HARD, "pnvm does not know <cpu><%s>", (const char *)c->name);
	}
	top = child(n, "topology");
	if (top) {
		const char *k[] = { "dies", "cores", "threads", "clusters" };
		size_t i;

		for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
			if (attr(l, top, k[i]) && !streq(attr(l, top, k[i]), "1"))
				report(l, top, k[i], SOFT, "pnvm presents each vCPU as its own socket; "
				       "%s='%s' is not modelled", k[i], attr(l, top, k[i]));
	}
}

/* <cpu><numa>: pnvm shows the guest a single NUMA node. */
static void do_numa_cell(struct lv *l, xmlNodePtr n)
{
	int cells = xp_count(l->xp, "/domain/cpu/numa/cell");
	xmlNodePtr c;

	if (cells > 1)
		report(l, n, NULL, HARD, "%d guest NUMA cells; pnvm presents the guest one NUMA "
		       "node backed by one private host node", cells);
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		if (is(c, "cell")) {
			/* memAccess/discard: as for <memoryBacking> below. */
			if (child(c, "distances"))
				report(l, child(c, "distances"), NULL, cells > 1 ? ACCEPT : SOFT,
				       "NUMA distances of a single cell have no effect");
		} else if (!is(c, "interconnects")) {
			report(l, c, NULL, HARD, "pnvm does not know <numa><%s>", (const char *)c->name);
		} else if (cells <= 1) {
			report(l, c, NULL, SOFT, "NUMA interconnects are not modelled");
		}
	}
}

/* ---- <numatune>: the one place where a wrong guess is not harmless ---- */

/* One <memory>/<memnode> policy: its node, or -1 after saying why not. */
static int numa_policy(struct lv *l, xmlNodePtr p)
{
	const char *mode = attr(l, p, "mode") ?: "strict";
	const char *ns = attr(l, p, "nodeset");
	unsigned char set[MAX_NODES];
	int first, n;

	if (streq(attr(l, p, "placement"), "auto")) {
		report(l, p, "placement", HARD, "placement='auto' lets numad choose the node when the "
		       "guest starts; pnvm needs the private node fixed in the XML");
		return -1;
	}
	if (streq(mode, "interleave")) {
		report(l, p, "mode", HARD, "mode='interleave' spreads guest RAM over nodes; pnvm puts "
		       "all of it on one private node");
		return -1;
	}
	if (streq(mode, "preferred")) {
		report(l, p, "mode", HARD, "mode='preferred' lets guest RAM fall back to other nodes; "
		       "pnvm binds it to the private node (use mode='strict')");
		return -1;
	}
	if (streq(mode, "restrictive")) {
		report(l, p, "mode", HARD, "mode='restrictive' leaves guest RAM to cgroup cpuset.mems "
		       "with no memory policy; pnvm binds it (use mode='strict')");
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

static void do_numatune(struct lv *l, xmlNodePtr n)
{
	xmlXPathObjectPtr cells = xp_eval(l->xp, "/domain/cpu/numa/cell");
	int ncells = cells ? xmlXPathNodeSetGetLength(cells->nodesetval) : 0;
	xmlNodePtr mem = child(n, "memory"), c;
	int mem_node = -2, mem_used = 0, node = -1, bad = 0, i;

	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c))
		if (!is(c, "memory") && !is(c, "memnode"))
			report(l, c, NULL, HARD, "pnvm does not know <numatune><%s>",
			       (const char *)c->name);

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

static void do_memory_backing(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		const char *t = attr(l, c, "type"), *m = attr(l, c, "mode");

		if (is(c, "hugepages")) {
			do_hugepages(l, c);
		} else if (is(c, "source")) {
			/* guest_memfd is an anonymous, memfd-like file. */
			if (streq(t, "memfd"))
				l->v->memfd = 1;
			else if (streq(t, "file")) {
				l->v->file_backed = 1;
				report(l, c, "type", HARD, "guest RAM in a host file cannot be honoured: "
				       "pnvm's guest RAM is guest_memfd");
			} else if (t && !streq(t, "anonymous"))
				report(l, c, "type", HARD, "unknown memory source '%s'", t);
		} else if (is(c, "access")) {
			/* Shared RAM is for vhost-user backends, which pnvm refuses;
			 * pnvm's devices use the shared window instead. */
			if (m && !streq(m, "shared") && !streq(m, "private"))
				report(l, c, "mode", HARD, "unknown access mode '%s'", m);
		} else if (is(c, "allocation")) {
			/* Without <allocation>, pnvm's own default applies. */
			if (streq(m, "immediate"))
				l->v->prealloc = l->prealloc = 1;
			else if (streq(m, "ondemand"))
				l->prealloc = -1;
			else if (m)
				report(l, c, "mode", HARD, "unknown allocation mode '%s'", m);
		} else if (is(c, "nosharepages") || is(c, "locked") || is(c, "discard")) {
			/* guest_memfd is never KSM-merged nor swapped, and is freed
			 * when pnvm exits: these hold by construction. */
		} else {
			report(l, c, NULL, HARD, "pnvm does not know <memoryBacking><%s>",
			       (const char *)c->name);
		}
	}
}

static void do_os(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr c, type = child(n, "type");
	const char *arch = attr(l, type, "arch");

	if (!streq(text(l, type), "hvm"))
		report(l, type ? type : n, NULL, HARD, "OS type '%s': pnvm runs hardware-virtualised "
		       "guests (hvm) only", type ? text(l, type) : "");
	if (arch && !streq(arch, "x86_64"))
		report(l, type, "arch", HARD, "pnvm runs x86_64 guests only, not %s", arch);
	if (attr(l, n, "firmware"))
		report(l, n, "firmware", HARD, "pnvm boots a Linux kernel directly, without firmware");
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		if (is(c, "type") || is(c, "boot"))
			;	/* machine and boot order do not apply to direct boot */
		else if (is(c, "kernel"))
			l->kernel = text(l, c);
		else if (is(c, "initrd"))
			l->initrd = text(l, c);
		else if (is(c, "cmdline"))
			l->cmdline = text(l, c);
		else if (is(c, "loader") || is(c, "nvram"))
			report(l, c, NULL, HARD, "pnvm boots a Linux kernel directly, without firmware");
		else if (is(c, "bootmenu") || is(c, "bios") || is(c, "smbios") || is(c, "acpi"))
			report(l, c, NULL, SOFT, "pnvm has no firmware; <os><%s> does not apply",
			       (const char *)c->name);
		else
			report(l, c, NULL, HARD, "pnvm cannot honour <os><%s>", (const char *)c->name);
	}
	if (!l->kernel || !*l->kernel)
		report(l, n, NULL, HARD, "no <kernel>: pnvm boots a Linux kernel directly; firmware "
		       "and booting from a disk are not supported");
}

static void do_features(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c))
		if (!is(c, "acpi") && !is(c, "apic") && !is(c, "pae"))
			report(l, c, NULL, SOFT, "pnvm's fixed x86 machine has no <%s> feature switch",
			       (const char *)c->name);
}

static void do_clock(struct lv *l, xmlNodePtr n)
{
	const char *off = attr(l, n, "offset");
	xmlNodePtr c;

	if (off && !streq(off, "utc"))
		report(l, n, "offset", SOFT, "pnvm's RTC runs on UTC, not offset '%s'", off);
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c))
		report(l, c, NULL, SOFT, "pnvm's timers are fixed; <clock><%s> is not applied",
		       (const char *)c->name);
}

/* pnvm exits when the guest powers off, resets or crashes. */
static void do_lifecycle(struct lv *l, xmlNodePtr n)
{
	const char *a = text(l, n);

	if (streq(a, "destroy") || (is(n, "on_reboot") && streq(a, "restart")))
		return;
	report(l, n, NULL, SOFT, "pnvm exits on this event; '%s' is up to its supervisor", a);
}

static void do_seclabel(struct lv *l, xmlNodePtr n)
{
	if (!streq(attr(l, n, "type"), "none"))
		report(l, n, NULL, HARD, "pnvm applies no security label (%s); confine it yourself",
		       attr(l, n, "model") ?: "default model");
}

/* ---- <metadata>: pnvm's own settings, everyone else's left alone ---- */

static void do_pnvm_meta(struct lv *l, xmlNodePtr top)
{
	xmlNodePtr c;
	xmlAttrPtr a;

	if (strcmp((const char *)top->name, "domain"))
		report(l, top, NULL, HARD, "pnvm's metadata element is <domain>, not <%s>",
		       (const char *)top->name);
	for (c = xmlFirstElementChild(top); c; c = xmlNextElementSibling(c)) {
		const char *nm = (const char *)c->name;

		if (!c->ns || strcmp((const char *)c->ns->href, PNVM_XMLNS)) {
			report(l, c, NULL, HARD, "element outside pnvm's namespace");
		} else if (!strcmp(nm, "require-private")) {
			l->require_private = 1;
		} else if (!strcmp(nm, "shared-window")) {
			for (a = c->properties; a; a = a->next)
				if (strcmp((const char *)a->name, "size") &&
				    strcmp((const char *)a->name, "unit") &&
				    strcmp((const char *)a->name, "node"))
					report(l, c, (const char *)a->name, HARD, "unknown attribute");
			if (scaled_bytes(attr(l, c, "size"), attr(l, c, "unit"), 1024,
					 &l->window_bytes) || !l->window_bytes ||
			    l->window_bytes % 1024)
				report(l, c, "size", HARD, "shared-window size '%s' %s is not a whole "
				       "number of KiB", attr(l, c, "size") ?: "",
				       attr(l, c, "unit") ?: "KiB");
			if (attr(l, c, "node") &&
			    (parse_int(attr(l, c, "node"), &l->window_node) ||
			     l->window_node >= MAX_NODES))
				report(l, c, "node", HARD, "not a host node number");
		} else {
			report(l, c, NULL, HARD, "unknown pnvm setting <%s>", nm);
		}
	}
}

static void do_metadata(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr c;

	/* Nova's, KubeVirt's etc. belong to them: not pnvm's to judge. */
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c))
		if (c->ns && streq((const char *)c->ns->href, PNVM_XMLNS))
			do_pnvm_meta(l, c);
}

/* ---- <devices> ---- */

static void do_disk(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr c, src = child(n, "source"), tgt = child(n, "target");
	xmlNodePtr drv = child(n, "driver");
	const char *type = attr(l, n, "type"), *dev = attr(l, n, "device") ?: "disk";
	const char *bus = attr(l, tgt, "bus"), *fmt = attr(l, drv, "type");
	const char *file = attr(l, src, "file");
	int bad = l->v->problems;
	xmlAttrPtr a;

	if (!streq(type, "file"))
		report(l, n, "type", HARD, "disk type '%s': pnvm's disks are host files", type ?: "");
	if (!streq(dev, "disk"))
		report(l, n, "device", HARD, "device '%s': pnvm has virtio block disks only", dev);
	if (!streq(bus, "virtio"))
		report(l, tgt ? tgt : n, "bus", HARD, "bus '%s': pnvm has virtio block disks only",
		       bus ?: "");
	if (fmt && !streq(fmt, "raw"))
		report(l, drv, "type", HARD, "image format '%s': pnvm reads raw images only", fmt);
	for (a = drv ? drv->properties : NULL; a; a = a->next) {
		const char *an = (const char *)a->name;

		/* Caching and I/O mode change speed, not what the guest sees. */
		if (strcmp(an, "name") && strcmp(an, "type") && strcmp(an, "cache") &&
		    strcmp(an, "io") && strcmp(an, "discard") && strcmp(an, "detect_zeroes"))
			report(l, drv, an, SOFT, "disk driver option not applied by pnvm");
	}
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		if (is(c, "driver") || is(c, "target") || is(c, "readonly") ||
		    is(c, "shareable") || is(c, "address") || is(c, "alias") || is(c, "boot"))
			;
		else if (is(c, "source")) {
			if (xmlFirstElementChild(c))
				report(l, xmlFirstElementChild(c), NULL, HARD,
				       "pnvm cannot honour <source><%s>",
				       (const char *)xmlFirstElementChild(c)->name);
		} else if (is(c, "backingStore") && !xmlFirstElementChild(c))
			;	/* an empty one says "no backing chain" */
		else if (is(c, "serial") || is(c, "wwn") || is(c, "vendor") || is(c, "product") ||
			 is(c, "geometry") || is(c, "blockio") || is(c, "iotune"))
			report(l, c, NULL, SOFT, "pnvm's virtio disk has no <%s> setting",
			       (const char *)c->name);
		else
			report(l, c, NULL, HARD, "pnvm cannot honour <disk><%s>", (const char *)c->name);
	}
	if (streq(type, "file") && (!file || !*file))
		report(l, src ? src : n, NULL, HARD, "a disk without a source file (empty drive)");
	if (l->v->problems != bad || !file)
		return;
	if (l->ndisk == MAX_DEVS) {
		report(l, n, NULL, HARD, "more than %d disks", MAX_DEVS);
		l->ndisk++;	/* say it once */
	}
	if (l->ndisk > MAX_DEVS)
		return;
	l->disk_ro[l->ndisk] = !!child(n, "readonly");
	l->disk[l->ndisk++] = file;
}

static void do_interface(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr c, tgt = child(n, "target"), model = child(n, "model"), mac;
	const char *type = attr(l, n, "type"), *dev = attr(l, tgt, "dev");
	const char *mt = attr(l, model, "type"), *odev;
	char path[64];
	int bad = l->v->problems;

	l->nif++;
	if (!streq(type, "ethernet"))
		report(l, n, "type", HARD, "interface type '%s': pnvm attaches to an existing tap "
		       "device only (<interface type='ethernet'>)", type ?: "");
	if (!model)
		report(l, n, NULL, HARD, "no <model type='virtio'/>: libvirt's default NIC is an "
		       "emulated one pnvm does not have");
	else if (!streq(mt, "virtio"))
		report(l, model, "type", HARD, "NIC model '%s': pnvm has virtio-net only", mt ?: "");
	/* libvirt makes up a MAC and a tap name ("testnet0" here, "vnetN" in
	 * the QEMU driver) when the XML has none: judge what the author wrote. */
	snprintf(path, sizeof(path), "/domain/devices/interface[%d]/mac", l->nif);
	mac = child(n, "mac");
	if (mac && orig_first(l, path))
		report(l, mac, NULL, HARD, "pnvm cannot set the guest MAC %s (its --net has no "
		       "mac=); the guest would get another address", attr(l, mac, "address"));
	snprintf(path, sizeof(path), "/domain/devices/interface[%d]/target", l->nif);
	odev = attr(l, orig_first(l, path), "dev");
	if (!odev || !*odev)
		report(l, tgt ? tgt : n, NULL, HARD, "no <target dev='TAP'/>: pnvm attaches to an "
		       "existing tap device and needs its name");
	else if (!streq(odev, dev))
		report(l, tgt ? tgt : n, "dev", HARD, "libvirt discards the tap name '%s' (it reserves "
		       "such names for taps it creates); name the tap otherwise", odev);
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		if (is(c, "target") || is(c, "model") || is(c, "mac") || is(c, "address") ||
		    is(c, "alias") || is(c, "boot") || is(c, "guest"))
			;
		else if (is(c, "driver") || is(c, "mtu") || is(c, "bandwidth") || is(c, "link") ||
			 is(c, "rom") || is(c, "coalesce"))
			report(l, c, NULL, SOFT, "pnvm's virtio-net has no <%s> setting",
			       (const char *)c->name);
		else
			report(l, c, NULL, HARD, "pnvm cannot honour <interface><%s> (it does not "
			       "configure the host side of the tap)", (const char *)c->name);
	}
	if (l->v->problems != bad)
		return;
	if (l->ntap == MAX_DEVS) {
		report(l, n, NULL, HARD, "more than %d interfaces", MAX_DEVS);
		l->ntap++;	/* say it once */
	}
	if (l->ntap > MAX_DEVS)
		return;
	l->tap[l->ntap++] = dev;
}

/* The guest's console is always one 8250 (ttyS0) on pnvm's stdio. */
static void do_chardev(struct lv *l, xmlNodePtr n)
{
	const char *type = attr(l, n, "type");
	xmlNodePtr tgt = child(n, "target"), c;
	const char *tt = attr(l, tgt, "type"), *port = attr(l, tgt, "port");
	int serial = is(n, "serial");

	if (!streq(type, "pty") && !streq(type, "stdio")) {
		report(l, n, "type", SOFT, "pnvm's serial console is on its stdio, not a '%s'",
		       type ?: "");
		return;
	}
	if (serial && port && !streq(port, "0")) {
		report(l, n, NULL, SOFT, "pnvm has one serial port (ttyS0), not port %s", port);
		return;
	}
	if (tt && !streq(tt, serial ? "isa-serial" : "serial")) {
		report(l, tgt, "type", SOFT, "pnvm's console is the 8250 serial port (ttyS0), not %s",
		       tt);
		return;
	}
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c))
		if (!is(c, "target") && !is(c, "source") && !is(c, "alias") && !is(c, "address"))
			report(l, c, NULL, SOFT, "pnvm's console has no <%s>", (const char *)c->name);
	l->serial_seen = 1;
}

static void do_rng(struct lv *l, xmlNodePtr n)
{
	const char *m = attr(l, n, "model");
	xmlNodePtr c;

	if (!m || strncmp(m, "virtio", 6)) {
		report(l, n, "model", HARD, "rng model '%s': pnvm has virtio-rng only", m ?: "");
		return;
	}
	if (l->rng) {
		report(l, n, NULL, SOFT, "pnvm has one virtio-rng device");
		return;
	}
	/* pnvm feeds it from getrandom(2): any local random source is that. */
	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		if (is(c, "backend") && streq(attr(l, c, "model"), "egd"))
			report(l, c, NULL, SOFT, "pnvm's rng reads the host kernel's RNG, not an EGD "
			       "source");
		else if (is(c, "rate") || is(c, "driver"))
			report(l, c, NULL, SOFT, "pnvm's virtio-rng has no <%s> setting",
			       (const char *)c->name);
		else if (!is(c, "backend") && !is(c, "address") && !is(c, "alias"))
			report(l, c, NULL, HARD, "pnvm cannot honour <rng><%s>",
			       (const char *)c->name);
	}
	l->rng = 1;
}

static void do_controller(struct lv *l, xmlNodePtr n)
{
	const char *t = attr(l, n, "type"), *m = attr(l, n, "model");

	if (streq(t, "pci") && (streq(m, "pci-root") || streq(m, "pcie-root")))
		return;
	if (streq(t, "usb") && streq(m, "none"))
		return;
	report(l, n, NULL, SOFT, "pnvm has no %s controller%s%s", t ?: "?", m ? " " : "", m ?: "");
}

static void do_memballoon(struct lv *l, xmlNodePtr n)
{
	if (!streq(attr(l, n, "model"), "none"))
		report(l, n, NULL, SOFT, "pnvm has no memory balloon; the guest keeps all of "
		       "<memory>");
}

static void do_video(struct lv *l, xmlNodePtr n)
{
	if (!streq(attr(l, child(n, "model"), "type"), "none"))
		report(l, n, NULL, SOFT, "pnvm has no display adapter; the console is the serial "
		       "port");
}

static const struct rule device_rules[] = {
	{ "emulator", NULL, ACCEPT, NULL },	/* pnvm is the emulator */
	{ "disk", do_disk, 0, NULL },
	{ "interface", do_interface, 0, NULL },
	{ "serial", do_chardev, 0, NULL },
	{ "console", do_chardev, 0, NULL },
	{ "rng", do_rng, 0, NULL },
	{ "controller", do_controller, 0, NULL },
	{ "memballoon", do_memballoon, 0, NULL },
	{ "video", do_video, 0, NULL },
	{ "graphics", NULL, SOFT, "pnvm has no graphical display; the console is the serial port" },
	{ "input", NULL, SOFT, "pnvm has no input devices" },
	{ "sound", NULL, SOFT, "pnvm has no sound device" },
	{ "audio", NULL, SOFT, "pnvm has no audio backend" },
	{ "parallel", NULL, SOFT, "pnvm has no parallel port" },
	{ "channel", NULL, SOFT, "pnvm has no virtio-serial channels (guest agent)" },
	{ "smartcard", NULL, SOFT, "pnvm has no smartcard reader" },
	{ "redirdev", NULL, SOFT, "pnvm has no USB redirection" },
	{ "redirfilter", NULL, SOFT, "pnvm has no USB redirection" },
	{ "hub", NULL, SOFT, "pnvm has no USB hub" },
	{ "panic", NULL, SOFT, "pnvm has no panic notifier device" },
	{ "nvram", NULL, SOFT, "pnvm has no NVRAM device" },
	{ "hostdev", NULL, HARD, "device passthrough (hostdev) is not supported: a passed-through "
	  "device would DMA outside pnvm's shared window" },
	{ "filesystem", NULL, HARD, "pnvm has no shared filesystem (virtiofs/9p)" },
	{ "shmem", NULL, HARD, "pnvm has no shared-memory device; guest RAM is private" },
	{ "memory", NULL, HARD, "pnvm has no memory hotplug; all guest RAM is <memory> on the "
	  "private node" },
	{ "watchdog", NULL, HARD, "pnvm has no watchdog; a guest that relies on one would not be "
	  "reset" },
	{ "tpm", NULL, HARD, "pnvm has no TPM" },
	{ "vsock", NULL, HARD, "pnvm has no vsock device" },
	{ "iommu", NULL, HARD, "pnvm has no IOMMU" },
	{ "crypto", NULL, HARD, "pnvm has no crypto device" },
	{ "lease", NULL, HARD, "pnvm takes no disk leases (lock manager)" },
	{ NULL, NULL, 0, NULL },
};

static void do_devices(struct lv *l, xmlNodePtr n)
{
	walk(l, n, device_rules);
}

static const struct rule domain_rules[] = {
	{ "name", do_name, 0, NULL },
	{ "uuid", NULL, ACCEPT, NULL },
	{ "title", NULL, ACCEPT, NULL },
	{ "description", NULL, ACCEPT, NULL },
	{ "metadata", do_metadata, 0, NULL },
	{ "memory", do_memory, 0, NULL },
	{ "currentMemory", do_current_memory, 0, NULL },
	{ "memoryBacking", do_memory_backing, 0, NULL },
	{ "vcpu", do_vcpu, 0, NULL },
	{ "vcpus", NULL, ACCEPT, NULL },	/* <vcpu current> covers it */
	{ "numatune", do_numatune, 0, NULL },
	{ "os", do_os, 0, NULL },
	{ "features", do_features, 0, NULL },
	{ "clock", do_clock, 0, NULL },
	{ "cpu", do_cpu, 0, NULL },
	{ "on_poweroff", do_lifecycle, 0, NULL },
	{ "on_reboot", do_lifecycle, 0, NULL },
	{ "on_crash", do_lifecycle, 0, NULL },
	{ "seclabel", do_seclabel, 0, NULL },
	{ "devices", do_devices, 0, NULL },
	{ "genid", NULL, SOFT, "pnvm has no VM generation ID device" },
	{ "maxMemory", NULL, SOFT, "pnvm has no memory hotplug" },
	{ "memtune", NULL, SOFT, "memory cgroup limits are up to pnvm's supervisor" },
	{ "blkiotune", NULL, SOFT, "I/O cgroup limits are up to pnvm's supervisor" },
	{ "cputune", NULL, SOFT, "pnvm does not pin or tune vCPU threads" },
	{ "iothreads", NULL, SOFT, "pnvm runs its own I/O threads" },
	{ "iothreadids", NULL, SOFT, "pnvm runs its own I/O threads" },
	{ "defaultiothread", NULL, SOFT, "pnvm runs its own I/O threads" },
	{ "resource", NULL, SOFT, "the cgroup partition is up to pnvm's supervisor" },
	{ "sysinfo", NULL, SOFT, "pnvm provides no SMBIOS tables" },
	{ "on_lockfailure", NULL, SOFT, "pnvm takes no disk leases" },
	{ "pm", NULL, SOFT, "pnvm has no guest suspend" },
	{ "perf", NULL, SOFT, "pnvm collects no perf events" },
	{ "bootloader", NULL, HARD, "pnvm boots a Linux kernel directly, not through a bootloader" },
	{ "bootloader_args", NULL, HARD, "pnvm boots a Linux kernel directly, not through a "
	  "bootloader" },
	{ "idmap", NULL, HARD, "user namespace id maps are for containers" },
	{ "keywrap", NULL, HARD, "pnvm has no s390 key wrapping" },
	{ "launchSecurity", NULL, HARD, "pnvm runs no confidential-computing (SEV/TDX/PV) guest" },
	{ NULL, NULL, 0, NULL },
};

static void check_domain(struct lv *l)
{
	xmlNodePtr root = xmlDocGetRootElement(l->doc);
	const char *type = attr(l, root, "type");

	if (streq(type, "qemu"))
		report(l, root, "type", SOFT, "type='qemu' asks for TCG emulation; pnvm always runs "
		       "the guest on KVM");
	else if (!streq(type, "kvm"))
		report(l, root, "type", HARD, "domain type '%s': pnvm is a KVM VMM", type ?: "");
	walk(l, root, domain_rules);
	if (!child(root, "os"))
		report(l, root, NULL, HARD, "no <os>");
	if (!child(root, "numatune")) {
		l->v->place = LIBVIRT_PLACE_NONE;
		report(l, root, NULL, HARD, "no <numatune>: pnvm must be told the private host node "
		       "for guest RAM; add <numatune><memory mode='strict' nodeset='N'/></numatune>");
	}
	if (l->window_node >= 0 && !l->window_bytes)
		report(l, xp_first(l->xp, "/domain/metadata/*/*[local-name()='shared-window']"),
		       NULL, HARD, "shared-window node without a size");
}

/* ---- libvirt: parse, validate, normalise ---- */

static void quiet(void *opaque, virErrorPtr err)
{
	/* errors are read with virGetLastErrorMessage() and reported once */
}

static int read_file(const char *path, char **out)
{
	struct stat st;
	char *buf;
	ssize_t n, got = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_XML_BYTES) {
		err = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		close(fd);
		return err;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	err = got == st.st_size ? 0 : -EIO;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[got] = 0;
	*out = buf;
	return 0;
}

/* libvirt's messages may span lines; a problem is one line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

/*
 * Define on a private in-process test driver and read the canonical XML
 * back. test:///default starts with a running domain "test", which would
 * clash with a guest of that name or uuid: remove it first.
 */
static char *normalise(struct lv *l, const char *xml)
{
	virConnectPtr conn;
	virDomainPtr dom, *doms = NULL;
	char *out = NULL, *msg;
	int i, n;

	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("test:///default");
	if (!conn) {
		report(l, NULL, NULL, HARD, "cannot open libvirt's test driver: %s",
		       virGetLastErrorMessage());
		return NULL;
	}
	n = virConnectListAllDomains(conn, &doms, 0);
	for (i = 0; i < n; i++) {
		if (virDomainIsActive(doms[i]) == 1)
			virDomainDestroy(doms[i]);
		virDomainUndefine(doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	dom = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
	if (!dom) {
		msg = strdup(virGetLastErrorMessage());
		if (msg)
			one_line(msg);
		report(l, NULL, NULL, HARD, "libvirt rejects the domain: %s", msg ?: "?");
		free(msg);
	} else {
		out = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
		if (!out)
			report(l, NULL, NULL, HARD, "libvirt cannot format the domain: %s",
			       virGetLastErrorMessage());
		virDomainUndefine(dom);
		virDomainFree(dom);
	}
	virConnectClose(conn);
	return out;
}

/* ---- argv ---- */

struct strv {
	char **v;
	int n, cap;
	int oom;
};

static void __attribute__((format(printf, 2, 3))) push(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	char *a;

	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		int cap = s->cap ? 2 * s->cap : 32;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->oom = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&a, fmt, ap) < 0) {
		s->oom = 1;
		a = NULL;
	}
	va_end(ap);
	if (a) {
		s->v[s->n++] = a;
		s->v[s->n] = NULL;
	}
}

/* An option and its value as two words, as pnvm's usage spells them. */
#define push2(s, opt, fmt, ...) do { push(s, "%s", opt); push(s, fmt, __VA_ARGS__); } while (0)

void libvirt_argv_free(char **argv)
{
	char **p;

	for (p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

static int build_argv(struct lv *l, char ***argv_out, int *argc_out)
{
	struct strv s = { 0 };
	char size[32];
	int i;

	push(&s, "pnvm");
	push(&s, "run");
	if (l->name)
		push2(&s, "--name", "%s", l->name);
	push2(&s, "--kernel", "%s", l->kernel);
	if (l->initrd)
		push2(&s, "--initrd", "%s", l->initrd);
	if (l->cmdline)
		push2(&s, "--cmdline", "%s", l->cmdline);
	fmt_size(size, sizeof(size), l->mem_kib << 10);
	push2(&s, "--memory", "%s", size);
	push2(&s, "--cpus", "%d", l->cpus);
	push2(&s, "--private-node", "%d", l->node);
	if (l->prealloc)
		push(&s, l->prealloc > 0 ? "--prealloc" : "--no-prealloc");
	if (l->require_private)
		push(&s, "--require-private");
	for (i = 0; i < l->ndisk; i++)
		push2(&s, "--disk", "%s%s", l->disk[i], l->disk_ro[i] ? ",ro" : "");
	for (i = 0; i < l->ntap; i++)
		push2(&s, "--net", "tap=%s", l->tap[i]);
	if (l->rng)
		push(&s, "--rng");
	if (l->window_bytes) {
		fmt_size(size, sizeof(size), l->window_bytes);
		push2(&s, "--shared-window", "%s", size);
	}
	if (l->window_node >= 0)
		push2(&s, "--shared-node", "%d", l->window_node);
	if (s.oom) {
		libvirt_argv_free(s.v);
		return -ENOMEM;
	}
	*argv_out = s.v;
	if (argc_out)
		*argc_out = s.n;
	return 0;
}

int libvirt_translate(const char *xml_path, int lenient, char ***argv_out,
		      int *argc_out, struct libvirt_verdict *v, FILE *errs)
{
	struct libvirt_verdict dummy;
	struct lv l = { .errs = errs ? errs : stderr, .lenient = lenient, .node = -1,
			.window_node = -1 };
	char *xml = NULL, *norm;
	int ret, i;

	l.v = v ? v : &dummy;
	memset(l.v, 0, sizeof(*l.v));
	l.v->node = -1;
	if (argv_out)
		*argv_out = NULL;
	ret = read_file(xml_path, &xml);
	if (ret)
		return ret;
	norm = normalise(&l, xml);
	if (norm) {
		l.v->libvirt_ok = 1;
		l.doc = xmlReadMemory(norm, strlen(norm), "domain.xml", NULL, XML_PARSE_NONET);
		l.orig = xmlReadMemory(xml, strlen(xml), xml_path, NULL,
				       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		l.xp = l.doc ? xmlXPathNewContext(l.doc) : NULL;
		l.oxp = l.orig ? xmlXPathNewContext(l.orig) : NULL;
		if (l.xp)
			check_domain(&l);
		else
			report(&l, NULL, NULL, HARD, "cannot read libvirt's normalised XML back");
		free(norm);
	}
	ret = l.v->problems ? 2 : 0;
	if (!ret && argv_out)
		ret = build_argv(&l, argv_out, argc_out);
	for (i = 0; i < l.npool; i++)
		xmlFree(l.pool[i]);
	free(l.pool);
	xmlXPathFreeContext(l.xp);
	xmlXPathFreeContext(l.oxp);
	xmlFreeDoc(l.doc);
	xmlFreeDoc(l.orig);
	free(xml);
	return ret;
}

int libvirt_xml_to_argv(const char *xml_path, int lenient, char ***argv_out,
			int *argc_out, FILE *errs)
{
	return libvirt_translate(xml_path, lenient, argv_out, argc_out, NULL, errs);
}

/* ---- the command ---- */

char *libvirt_shell_quote(const char *arg)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	const char *p;
	char *out, *o;

	if (*arg && strspn(arg, safe) == strlen(arg))
		return strdup(arg);
	out = malloc(4 * strlen(arg) + 3);
	if (!out)
		return NULL;
	o = out;
	*o++ = '\'';
	for (p = arg; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = 0;
	return out;
}

static void usage(FILE *f)
{
	fputs("usage: pnvm xml-to-argv [--lenient] DOMAIN.xml\n"
	      "Print the `pnvm run` command line for a libvirt domain, as one shell-quoted line.\n"
	      "libvirt validates the XML (in-process test driver, no daemon); the mapping and\n"
	      "what is refused are in configs/libvirt/README.md.\n"
	      "  --lenient  harmless omissions (display, sound, input, USB, balloon, ...) are\n"
	      "             warnings instead of refusals\n"
	      "Exit status: 0 translated; 2 refused (one line per problem on stderr, starting\n"
	      "with its XPath), DOMAIN.xml unreadable, or a usage error.\n", f);
}

int libvirt_main(int argc, char **argv)
{
	const char *path = NULL;
	char **av = NULL;
	int lenient = 0, ac = 0, i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--lenient")) {
			lenient = 1;
		} else if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") ) {
			fprintf(stderr, "pnvm xml-to-argv: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (!strcmp(argv[i], "--") && i + 1 < argc && !path) {
			path = argv[++i];
		} else if (!path) {
			path = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	ret = libvirt_xml_to_argv(path, lenient, &av, &ac, stderr);
	if (ret < 0) {
		fprintf(stderr, "pnvm xml-to-argv: %s: %s\n", path, strerror(-ret));
		return 2;
	}
	if (ret)
		return 2;
	for (i = 0; i < ac; i++) {
		char *q = libvirt_shell_quote(av[i]);

		printf("%s%s", i ? " " : "", q ? q : "''");
		free(q);
	}
	putchar('\n');
	libvirt_argv_free(av);
	return fflush(stdout) ? 1 : 0;
}
