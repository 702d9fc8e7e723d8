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
 *
 * Each element's children are judged by a table (struct rule): this
 * file has <domain>'s, memory.c and devices.c the rest; libvirt/internal.h
 * says which file holds what.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>

#include "libvirt/internal.h"
#include "vmm/cli.h"

#define MAX_XML_BYTES	(16 << 20)

/* ---- <domain> and its plain top-level elements ---- */

static void do_name(struct lv *l, xmlNodePtr n)
{
	l->name = text(l, n);
}

static void do_kernel(struct lv *l, xmlNodePtr n)
{
	l->kernel = text(l, n);
}

static void do_initrd(struct lv *l, xmlNodePtr n)
{
	l->initrd = text(l, n);
}

static void do_cmdline(struct lv *l, xmlNodePtr n)
{
	l->cmdline = text(l, n);
}

static const struct rule os_rules[] = {
	/* Machine and boot order do not apply to direct boot. */
	{ "type boot", NULL, ACCEPT, NULL },
	{ "kernel", do_kernel, 0, NULL },
	{ "initrd", do_initrd, 0, NULL },
	{ "cmdline", do_cmdline, 0, NULL },
	{ "loader nvram", NULL, HARD, "pnvm boots a Linux kernel directly, without firmware" },
	{ "bootmenu bios smbios acpi", NULL, SOFT,
	  "pnvm has no firmware; <os><%s> does not apply" },
	{ NULL, NULL, HARD, "pnvm cannot honour <os><%s>" },
};

static void do_os(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr type = child(n, "type");
	const char *arch = attr(l, type, "arch");

	if (!streq(text(l, type), "hvm"))
		report(l, type ? type : n, NULL, HARD, "OS type '%s': pnvm runs hardware-virtualised "
		       "guests (hvm) only", type ? text(l, type) : "");
	if (arch && !streq(arch, "x86_64"))
		report(l, type, "arch", HARD, "pnvm runs x86_64 guests only, not %s", arch);
	if (attr(l, n, "firmware"))
		report(l, n, "firmware", HARD, "pnvm boots a Linux kernel directly, without firmware");
	walk(l, n, os_rules);
	if (!l->kernel || !*l->kernel)
		report(l, n, NULL, HARD, "no <kernel>: pnvm boots a Linux kernel directly; firmware "
		       "and booting from a disk are not supported");
}

static const struct rule feature_rules[] = {
	{ "acpi apic pae", NULL, ACCEPT, NULL },
	{ NULL, NULL, SOFT, "pnvm's fixed x86 machine has no <%s> feature switch" },
};

static void do_features(struct lv *l, xmlNodePtr n)
{
	walk(l, n, feature_rules);
}

static const struct rule clock_rules[] = {
	{ NULL, NULL, SOFT, "pnvm's timers are fixed; <clock><%s> is not applied" },
};

static void do_clock(struct lv *l, xmlNodePtr n)
{
	const char *off = attr(l, n, "offset");

	if (off && !streq(off, "utc"))
		report(l, n, "offset", SOFT, "pnvm's RTC runs on UTC, not offset '%s'", off);
	walk(l, n, clock_rules);
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

static void do_require_private(struct lv *l, xmlNodePtr n)
{
	l->require_private = 1;
}

static void do_shared_window(struct lv *l, xmlNodePtr n)
{
	xmlAttrPtr a;

	for (a = n->properties; a; a = a->next)
		if (!in((const char *)a->name, "size unit node"))
			report(l, n, (const char *)a->name, HARD, "unknown attribute");
	if (scaled_bytes(attr(l, n, "size"), attr(l, n, "unit"), 1024, &l->window_bytes) ||
	    !l->window_bytes || l->window_bytes % 1024)
		report(l, n, "size", HARD, "shared-window size '%s' %s is not a whole number of KiB",
		       attr(l, n, "size") ?: "", attr(l, n, "unit") ?: "KiB");
	if (attr(l, n, "node") &&
	    (parse_int(attr(l, n, "node"), &l->window_node) || l->window_node >= MAX_NODES))
		report(l, n, "node", HARD, "not a host node number");
}

/* In pnvm's namespace (PNVM_XMLNS), so matched by local name. */
static const struct rule pnvm_meta_rules[] = {
	{ "require-private", do_require_private, 0, NULL },
	{ "shared-window", do_shared_window, 0, NULL },
	{ NULL, NULL, HARD, "unknown pnvm setting <%s>" },
};

static void do_pnvm_meta(struct lv *l, xmlNodePtr top)
{
	const struct rule *r;
	xmlNodePtr c;

	if (strcmp((const char *)top->name, "domain"))
		report(l, top, NULL, HARD, "pnvm's metadata element is <domain>, not <%s>",
		       (const char *)top->name);
	for (c = xmlFirstElementChild(top); c; c = xmlNextElementSibling(c)) {
		if (!c->ns || strcmp((const char *)c->ns->href, PNVM_XMLNS)) {
			report(l, c, NULL, HARD, "element outside pnvm's namespace");
			continue;
		}
		for (r = pnvm_meta_rules; r->name; r++)
			if (in((const char *)c->name, r->name))
				break;
		if (r->fn)
			r->fn(l, c);
		else
			report(l, c, NULL, r->sev, r->why, (const char *)c->name);
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

static const struct rule domain_rules[] = {
	{ "name", do_name, 0, NULL },
	{ "uuid title description", NULL, ACCEPT, NULL },
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
	{ "on_poweroff on_reboot on_crash", do_lifecycle, 0, NULL },
	{ "seclabel", do_seclabel, 0, NULL },
	{ "devices", do_devices, 0, NULL },
	{ "genid", NULL, SOFT, "pnvm has no VM generation ID device" },
	{ "maxMemory", NULL, SOFT, "pnvm has no memory hotplug" },
	{ "memtune", NULL, SOFT, "memory cgroup limits are up to pnvm's supervisor" },
	{ "blkiotune", NULL, SOFT, "I/O cgroup limits are up to pnvm's supervisor" },
	{ "cputune", NULL, SOFT, "pnvm does not pin or tune vCPU threads" },
	{ "iothreads iothreadids defaultiothread", NULL, SOFT, "pnvm runs its own I/O threads" },
	{ "resource", NULL, SOFT, "the cgroup partition is up to pnvm's supervisor" },
	{ "sysinfo", NULL, SOFT, "pnvm provides no SMBIOS tables" },
	{ "on_lockfailure", NULL, SOFT, "pnvm takes no disk leases" },
	{ "pm", NULL, SOFT, "pnvm has no guest suspend" },
	{ "perf", NULL, SOFT, "pnvm collects no perf events" },
	{ "bootloader bootloader_args", NULL, HARD, "pnvm boots a Linux kernel directly, not "
	  "through a bootloader" },
	{ "idmap", NULL, HARD, "user namespace id maps are for containers" },
	{ "keywrap", NULL, HARD, "pnvm has no s390 key wrapping" },
	{ "launchSecurity", NULL, HARD, "pnvm runs no confidential-computing (SEV/TDX/PV) guest" },
	{ NULL, NULL, HARD, "pnvm does not know <%s>; refusing rather than dropping it" },
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
	/*
	 * One connection per process: opening the test driver builds its
	 * whole default host each time (~30 ms), which made the fuzzer crawl.
	 * Every call undefines what is there first, so reuse is clean.
	 */
	static virConnectPtr conn;
	unsigned int flags = VIR_DOMAIN_DEFINE_VALIDATE;
	virDomainPtr dom, *doms = NULL;
	char *out = NULL, *msg, why[256];
	int i, n;

	virSetErrorFunc(NULL, quiet);
	if (!conn)
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
	switch (libvirt_schema_check(xml, why, sizeof(why))) {
	case SCHEMA_INVALID:
		report(l, NULL, NULL, HARD, "libvirt rejects the domain: XML document failed "
		       "to validate against schema: %s", why);
		return NULL;
	case SCHEMA_REFUSED:
		report(l, NULL, NULL, HARD, "%s", why);
		return NULL;
	case SCHEMA_VALID:
		flags = 0;	/* checked already, with the same schema */
		break;
	}
	dom = virDomainDefineXMLFlags(conn, xml, flags);
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
	return out;
}

/*
 * What the translation gives, pnvm run must take: the CLI's own parser
 * judges it (a tap name it refuses, a window on the private node), so a
 * domain is refused here with the CLI's reason rather than later.
 */
static int check_argv(struct lv *l, char ***argv, int argc)
{
	char **copy = calloc(argc + 1, sizeof(*copy));
	struct pnvm_opts opts;
	int ret;

	if (!copy)
		return -ENOMEM;
	/* getopt permutes what it is given. */
	memcpy(copy, *argv, argc * sizeof(*copy));
	ret = cli_parse(&opts, argc, copy);
	free(copy);
	if (ret == CLI_RUN)
		return 0;
	report(l, NULL, NULL, HARD, "pnvm run refuses what the domain asks for: %s", err_msg());
	libvirt_argv_free(*argv);
	*argv = NULL;
	return 2;
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
	if (!ret && argv_out)
		ret = check_argv(&l, argv_out, *argc_out);
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

