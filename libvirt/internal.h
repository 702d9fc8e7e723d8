/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the libvirt front end only (like the kernel's mm/internal.h):
 * the translation state, the element tables and the helpers the parts
 * share. Callers outside libvirt/ use libvirt/domain.h.
 *
 *   domain.c   libvirt parses and normalises; <domain> and its plain
 *              top-level elements; the translation from start to end
 *   memory.c   <memory>, <memoryBacking>, <vcpu>, <cpu>, <numatune>
 *   devices.c  <devices>
 *   xml.c      reporting, XML and number helpers, the table walk
 *   argv.c     the `pnvm run` argv and `pnvm xml-to-argv`
 *   schema.c   libvirt's domain schema, compiled once
 */
#ifndef PNVM_LIBVIRT_INTERNAL_H
#define PNVM_LIBVIRT_INTERNAL_H

#include <stdio.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "libvirt/domain.h"
#include "vmm/machine.h"

#define MAX_NODES	1024	/* host NUMA node ids we can name */
/* pnvm run's own limits (vmm/machine.h): refuse here, with an XPath,
 * rather than hand over a command line that pnvm run rejects. */
#define MIN_MEMORY_KIB	((int)(PNVM_MIN_MEMORY >> 10))

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
	/* Disks, taps and the rng share pnvm run's PNVM_MAX_VIRTIO slots. */
	const char *disk[PNVM_MAX_VIRTIO];
	int disk_ro[PNVM_MAX_VIRTIO], ndisk;
	const char *tap[PNVM_MAX_VIRTIO];
	const char *mac[PNVM_MAX_VIRTIO];	/* the author's; NULL: pnvm's own */
	int ntap;
	int virtio_full;	/* the device limit was reported */
	int serial_seen, nif;
};

/*
 * Elements an element may contain: names is one or more element names,
 * space-separated. With fn, fn judges each; without, each is reported
 * with sev and why, a printf format whose %s (if any) is the element's
 * name. A table ends with a NULL names: that entry says how an element
 * not in the table is reported.
 */
struct rule {
	const char *name;	/* names */
	void (*fn)(struct lv *l, xmlNodePtr n);
	enum sev sev;
	const char *why;
};

/* xml.c */
void report(struct lv *l, xmlNodePtr n, const char *attr, enum sev s, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
const char *attr(struct lv *l, xmlNodePtr n, const char *name);
const char *text(struct lv *l, xmlNodePtr n);
int is(xmlNodePtr n, const char *name);
int streq(const char *a, const char *b);
int in(const char *name, const char *words);
xmlNodePtr child(xmlNodePtr n, const char *name);
xmlXPathObjectPtr xp_eval(xmlXPathContextPtr xp, const char *expr);
int xp_count(xmlXPathContextPtr xp, const char *expr);
xmlNodePtr xp_first(xmlXPathContextPtr xp, const char *expr);
xmlNodePtr orig_first(struct lv *l, const char *expr);
void walk(struct lv *l, xmlNodePtr n, const struct rule *rules);
int parse_int(const char *s, int *out);
int scaled_bytes(const char *val, const char *unit, unsigned long long dflt,
		 unsigned long long *bytes);
int nodeset(const char *s, int *first, unsigned char set[MAX_NODES]);
int nodeset_has(const char *s, int node);

/* Element tables of memory.c and devices.c that domain.c's table names. */
void do_memory(struct lv *l, xmlNodePtr n);
void do_current_memory(struct lv *l, xmlNodePtr n);
void do_memory_backing(struct lv *l, xmlNodePtr n);
void do_vcpu(struct lv *l, xmlNodePtr n);
void do_cpu(struct lv *l, xmlNodePtr n);
void do_numatune(struct lv *l, xmlNodePtr n);
void do_devices(struct lv *l, xmlNodePtr n);

/* argv.c: argv from a domain with no problem. 0 or -ENOMEM. */
int build_argv(struct lv *l, char ***argv_out, int *argc_out);

/* schema.c: before libvirt parses a document. REFUSED: it would hang
 * libvirt's parser; otherwise libvirt's domain.rng on it. UNCHECKED when
 * the schema cannot be loaded or the input is not a <domain> document:
 * libvirt then judges it itself. INVALID and REFUSED fill why. */
enum { SCHEMA_VALID, SCHEMA_INVALID, SCHEMA_UNCHECKED, SCHEMA_REFUSED };
int libvirt_schema_check(const char *xml, char *why, size_t len);

#endif
