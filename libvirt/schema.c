// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's domain schema, compiled once per process.
 *
 * VIR_DOMAIN_DEFINE_VALIDATE makes libvirt read and compile domain.rng
 * (dozens of included files) on every define: ~1 ms of the ~1.1 ms a
 * translation costs, which is what held the libvirt fuzzer to a few
 * hundred inputs a second. The same file, checked with the same libxml2
 * validator, compiled once, gives the same verdict.
 */
#include <stdio.h>
#include <string.h>

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

int libvirt_schema_check(const char *xml, char *why, size_t len)
{
	struct first_error f = { "" };
	xmlRelaxNGValidCtxtPtr v;
	xmlRelaxNGPtr rng = domain_schema();
	xmlDocPtr doc;
	xmlNodePtr root;
	int ret = SCHEMA_UNCHECKED;

	if (!rng)
		return SCHEMA_UNCHECKED;
	/* What libvirt would refuse before its schema, libvirt refuses. */
	doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !xmlStrEqual(root->name, BAD_CAST "domain"))
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
