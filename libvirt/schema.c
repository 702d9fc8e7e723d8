// SPDX-License-Identifier: GPL-2.0
/*
 * What pnvm checks before libvirt parses a domain: libvirt's own schema,
 * compiled once per process, and the inputs that hang libvirt's parser.
 *
 * VIR_DOMAIN_DEFINE_VALIDATE makes libvirt read and compile domain.rng
 * (dozens of included files) on every define: ~1 ms of the ~1.1 ms a
 * translation costs, which is what held the libvirt fuzzer to a few
 * hundred inputs a second. The same file, checked with the same libxml2
 * validator, compiled once, gives the same verdict.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xpath.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "libvirt/internal.h"

#ifndef LIBVIRT_SCHEMA_DIR
#define LIBVIRT_SCHEMA_DIR	"/usr/share/libvirt/schemas"
#endif

struct first_error {
	char msg[256];
};

static void keep_first(void *data, xmlErrorPtr e)
{
	struct first_error *f = data;

	if (f->msg[0] || !e || !e->message)
		return;
	snprintf(f->msg, sizeof(f->msg), "%s", e->message);
	f->msg[strcspn(f->msg, "\n")] = '\0';
}

static void drop(void *data, xmlErrorPtr e)
{
}

static xmlRelaxNGPtr domain_schema(void)
{
	static xmlRelaxNGPtr rng;
	static int tried;
	xmlRelaxNGParserCtxtPtr p;

	if (tried)
		return rng;
	tried = 1;
	p = xmlRelaxNGNewParserCtxt(LIBVIRT_SCHEMA_DIR "/domain.rng");
	if (!p)
		return NULL;
	xmlRelaxNGSetParserStructuredErrors(p, drop, NULL);
	rng = xmlRelaxNGParse(p);
	xmlRelaxNGFreeParserCtxt(p);
	return rng;
}

/*
 * libvirt turns a disk's target name into a drive index (base 26 after
 * the bus prefix, as virDiskNameParse does) and adds a controller for
 * every few drives up to it: <target dev='fdvirtio'/> is drive 308
 * million, and libvirt 9.0's define reallocs until memory runs out. pnvm
 * takes at most PNVM_MAX_VIRTIO disks; an index past MAX_DRIVE is refused
 * before libvirt sees it.
 */
#define MAX_DRIVE	4096

static long drive_index(const char *name)
{
	static const char *const prefix[] = { "xvd", "ubd", "fd", "hd", "sd", "vd" };
	long idx = 0;
	size_t i;

	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncmp(name, prefix[i], strlen(prefix[i])))
			break;
	if (i == sizeof(prefix) / sizeof(prefix[0]))
		return -1;
	name += strlen(prefix[i]);
	for (i = 0; name[i] >= 'a' && name[i] <= 'z' && idx <= MAX_DRIVE; i++)
		idx = (idx + (i ? 1 : 0)) * 26 + (name[i] - 'a');
	return i ? idx : -1;
}

static int hangs_libvirt(xmlDocPtr doc, char *why, size_t len)
{
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xp ? xmlXPathEvalExpression(
		BAD_CAST "/domain/devices/disk/target/@dev", xp) : NULL;
	int i, n = o && o->nodesetval ? o->nodesetval->nodeNr : 0, bad = 0;

	for (i = 0; i < n && !bad; i++) {
		xmlChar *dev = xmlNodeGetContent(o->nodesetval->nodeTab[i]);

		if (dev && drive_index((const char *)dev) > MAX_DRIVE) {
			snprintf(why, len, "disk %d: <target dev='%s'/> names a drive "
				 "beyond %d; pnvm takes %d disks at most", i + 1, dev, MAX_DRIVE,
				 PNVM_MAX_VIRTIO);
			bad = 1;
		}
		xmlFree(dev);
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xp);
	return bad;
}

int libvirt_schema_check(const char *xml, char *why, size_t len)
{
	struct first_error f = { "" };
	xmlRelaxNGValidCtxtPtr v;
	xmlRelaxNGPtr rng = domain_schema();
	xmlDocPtr doc;
	xmlNodePtr root;
	int ret = SCHEMA_UNCHECKED;

	/* What libvirt would refuse before its schema, libvirt refuses. */
	doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !xmlStrEqual(root->name, BAD_CAST "domain"))
		goto out;
	if (hangs_libvirt(doc, why, len)) {
		ret = SCHEMA_REFUSED;
		goto out;
	}
	if (!rng)
		goto out;
	v = xmlRelaxNGNewValidCtxt(rng);
	if (!v)
		goto out;
	xmlRelaxNGSetValidStructuredErrors(v, keep_first, &f);
	ret = xmlRelaxNGValidateDoc(v, doc) ? SCHEMA_INVALID : SCHEMA_VALID;
	xmlRelaxNGFreeValidCtxt(v);
	if (ret == SCHEMA_INVALID)
		snprintf(why, len, "%s", f.msg[0] ? f.msg : "no reason given");
out:
	xmlFreeDoc(doc);
	return ret;
}
