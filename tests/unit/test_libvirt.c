// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt domain XML -> pnvm argv (libvirt/).
 *
 * Table-driven over tests/libvirt/fixtures: NAME.xml is a domain, NAME.expect
 * says what must come out, strict and with --lenient:
 *   exit N / lenient-exit N        return value
 *   argv LINE / lenient-argv LINE  the shell-quoted command line
 *   error LINE / lenient-error     one line on errs, in order; a LINE
 *                                  ending in "..." is a prefix (libvirt's
 *                                  own messages vary between versions)
 * Every errs line must be expected: nothing refused or warned silently.
 * Then direct checks on argv words, the placement verdict, shell quoting,
 * the command and the examples in configs/libvirt.
 * Run from the top of the tree (scripts/run-tests does).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "tests/tap.h"
#include "libvirt/domain.h"
#include "libvirt/internal.h"
#include "lib/util.h"

#define FIX "tests/libvirt/fixtures"
#define MAXL 64

struct run {
	int ret;
	char *line;		/* shell-quoted argv, or NULL */
	char *errs[MAXL];
	int nerr;
	char **argv;
	int argc;
};

static char *join(char **argv, int argc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	for (i = 0; i < argc; i++) {
		char *q = libvirt_shell_quote(argv[i]);

		fprintf(f, "%s%s", i ? " " : "", q);
		free(q);
	}
	fclose(f);
	return buf;
}

static void run(const char *path, int lenient, struct run *r, struct libvirt_verdict *v)
{
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);

	memset(r, 0, sizeof(*r));
	r->ret = libvirt_translate(path, lenient, &r->argv, &r->argc, v, errs);
	fclose(errs);
	for (line = strtok_r(buf, "\n", &save); line && r->nerr < MAXL;
	     line = strtok_r(NULL, "\n", &save))
		r->errs[r->nerr++] = strdup(line);
	free(buf);
	if (r->argv)
		r->line = join(r->argv, r->argc);
}

static void run_free(struct run *r)
{
	int i;

	for (i = 0; i < r->nerr; i++)
		free(r->errs[i]);
	free(r->line);
	libvirt_argv_free(r->argv);
}

static int line_matches(const char *want, const char *got)
{
	size_t n = strlen(want);

	if (n > 3 && !strcmp(want + n - 3, "..."))
		return !strncmp(want, got, n - 3);
	return !strcmp(want, got);
}

/* Check one run against the .expect lines with the given prefix. */
static void check(const char *name, const char *pfx, struct run *r, char **exp, int nexp)
{
	char key[32];
	int i, e = 0, exit_want = -1, argv_seen = 0;
	size_t pl = strlen(pfx);

	for (i = 0; i < nexp; i++) {
		const char *l = exp[i];

		if (strncmp(l, pfx, pl) || (!pl && !strncmp(l, "lenient-", 8)))
			continue;
		l += pl;
		if (sscanf(l, "exit %d", &exit_want) == 1) {
			ok(r->ret == exit_want, "%s%s: exit %d (got %d)", pfx, name, exit_want, r->ret);
		} else if (!strncmp(l, "argv ", 5)) {
			argv_seen = 1;
			ok(r->line && !strcmp(r->line, l + 5), "%s%s: argv %s", pfx, name, l + 5);
			if (r->line && strcmp(r->line, l + 5))
				tap_diag("got: %s", r->line);
		} else if (!strncmp(l, "error ", 6)) {
			ok(e < r->nerr && line_matches(l + 6, r->errs[e]), "%s%s: says %s", pfx, name,
			   l + 6);
			if (e < r->nerr && !line_matches(l + 6, r->errs[e]))
				tap_diag("got: %s", r->errs[e]);
			e++;
		}
	}
	snprintf(key, sizeof(key), "%s", pfx);
	ok(e == r->nerr, "%s%s: no unexpected errs lines (%d expected, %d written)", key, name,
	   e, r->nerr);
	for (i = e; i < r->nerr; i++)
		tap_diag("unexpected: %s", r->errs[i]);
	if (!argv_seen)
		ok(!r->argv, "%s%s: no argv when refused", pfx, name);
	ok(exit_want >= 0, "%s%s: .expect has an exit line", pfx, name);
}

static int read_lines(const char *path, char **lines, int max)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		if (buf[0])
			lines[n++] = strdup(buf);
	}
	fclose(f);
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fixtures(void)
{
	DIR *d = opendir(FIX);
	struct dirent *de;
	char *names[256];
	int n = 0, i, j, maps = 0, refusals = 0;

	if (!ok(d != NULL, "fixture directory %s", FIX))
		return;
	while ((de = readdir(d)) && n < 256) {
		size_t l = strlen(de->d_name);

		if (l > 4 && !strcmp(de->d_name + l - 4, ".xml"))
			names[n++] = strndup(de->d_name, l - 4);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		char xml[512], expf[512], *exp[MAXL * 2 + 8];
		int nexp;
		struct run r;
		struct libvirt_verdict v;

		snprintf(xml, sizeof(xml), FIX "/%s.xml", names[i]);
		snprintf(expf, sizeof(expf), FIX "/%s.expect", names[i]);
		nexp = read_lines(expf, exp, MAXL * 2 + 8);
		if (!ok(nexp > 0, "%s: has %s", names[i], expf))
			continue;
		maps += !strncmp(names[i], "map-", 4);
		refusals += !strncmp(names[i], "refuse-", 7);
		run(xml, 0, &r, &v);
		check(names[i], "", &r, exp, nexp);
		run_free(&r);
		run(xml, 1, &r, NULL);
		check(names[i], "lenient-", &r, exp, nexp);
		/* The corpus test relies on this to skip lenient runs. */
		ok((r.ret == 0) == (v.libvirt_ok && v.problems == v.harmless),
		   "%s: --lenient succeeds iff every strict problem is harmless (%d of %d)",
		   names[i], v.harmless, v.problems);
		run_free(&r);
		for (j = 0; j < nexp; j++)
			free(exp[j]);
		free(names[i]);
	}
	ok(maps >= 15 && refusals >= 30, "fixtures: %d mapping, %d refusal", maps, refusals);
}

/* ---- direct checks ---- */

static const char *opt(struct run *r, const char *name)
{
	int i;

	for (i = 0; r->argv && i + 1 < r->argc; i++)
		if (!strcmp(r->argv[i], name))
			return r->argv[i + 1];
	return NULL;
}

static int count_opt(struct run *r, const char *name)
{
	int i, n = 0;

	for (i = 0; r->argv && i < r->argc; i++)
		n += !strcmp(r->argv[i], name);
	return n;
}

static void argv_words(void)
{
	struct run r;
	struct libvirt_verdict v;

	run(FIX "/map-kernel-initrd-cmdline.xml", 0, &r, &v);
	ok(r.argc > 2 && !strcmp(r.argv[0], "pnvm") && !strcmp(r.argv[1], "run"),
	   "argv starts with pnvm run");
	ok(!r.argv[r.argc], "argv is NULL-terminated");
	ok(opt(&r, "--cmdline") && !strcmp(opt(&r, "--cmdline"),
					   "console=ttyS0 root=/dev/vda init=/bin/sh -c 'echo hi'"),
	   "cmdline is one word, unchanged");
	ok(opt(&r, "--initrd") && !strcmp(opt(&r, "--initrd"), "/boot/initrd.img-7.3"), "initrd");
	ok(v.libvirt_ok && v.place == LIBVIRT_PLACE_NODE && v.node == 1 && !v.problems,
	   "verdict: node 1, no problems");
	run_free(&r);

	run(FIX "/map-disk.xml", 0, &r, NULL);
	ok(count_opt(&r, "--disk") == 2, "two --disk");
	ok(r.argc > 4 && !strcmp(r.argv[r.argc - 1], "/img/b image.raw,ro") &&
	   !strcmp(r.argv[r.argc - 3], "/img/a.raw"), "disks in order, second read-only");
	run_free(&r);

	run(FIX "/map-memnode.xml", 0, &r, &v);
	ok(opt(&r, "--private-node") && !strcmp(opt(&r, "--private-node"), "3") && v.node == 3,
	   "memnode of the only cell gives --private-node 3");
	run_free(&r);

	run(FIX "/map-memorybacking.xml", 0, &r, &v);
	ok(count_opt(&r, "--prealloc") == 1 && v.memfd && v.prealloc && !v.hugepages,
	   "memfd + immediate allocation: --prealloc, memfd verdict");
	run_free(&r);

	run(FIX "/map-metadata.xml", 0, &r, NULL);
	ok(opt(&r, "--shared-window") && !strcmp(opt(&r, "--shared-window"), "2M") &&
	   opt(&r, "--shared-node") && !strcmp(opt(&r, "--shared-node"), "0") &&
	   count_opt(&r, "--require-private") == 1, "pnvm metadata: window 2M on node 0, strict");
	run_free(&r);

	run(FIX "/refuse-interleave.xml", 0, &r, &v);
	ok(r.ret == 2 && !r.argv && v.place == LIBVIRT_PLACE_REFUSED && v.problems == 1,
	   "interleave: refused placement, one problem");
	run_free(&r);

	run(FIX "/refuse-no-numatune.xml", 0, &r, &v);
	ok(v.place == LIBVIRT_PLACE_NONE, "no numatune: placement none");
	run_free(&r);

	run(FIX "/refuse-hugepages.xml", 0, &r, &v);
	ok(v.hugepages && v.place == LIBVIRT_PLACE_NODE, "hugepages refused, node still decided");
	run_free(&r);

	run(FIX "/refuse-libvirt-invalid.xml", 0, &r, &v);
	ok(!v.libvirt_ok && v.place == LIBVIRT_PLACE_UNKNOWN, "libvirt rejects: no decision");
	run_free(&r);

	run(FIX "/lenient-devices.xml", 1, &r, &v);
	ok(r.ret == 0 && v.warnings == r.nerr && v.warnings > 5 && !v.problems,
	   "lenient: %d warnings, no problems", v.warnings);
	run_free(&r);

	run(FIX "/does-not-exist.xml", 0, &r, NULL);
	ok(r.ret == -ENOENT && !r.nerr && !r.argv, "missing file: -ENOENT, nothing on errs");
	run_free(&r);
}

static void quoting(void)
{
	static const char *c[][2] = {
		{ "plain/path-1.2_x", "plain/path-1.2_x" },
		{ "tap=tap0", "tap=tap0" },
		{ "a b", "'a b'" },
		{ "", "''" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME;rm", "'$HOME;rm'" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *q = libvirt_shell_quote(c[i][0]);

		ok(q && !strcmp(q, c[i][1]), "shell quote [%s] -> %s", c[i][0], c[i][1]);
		free(q);
	}
}

/* libvirt_main with stdout/stderr in files; returns the exit status. */
static int main_run(char **av, int ac, char *out, size_t outlen)
{
	char tmpl[] = "/tmp/pnvm-lvt-XXXXXX";
	int fd = mkstemp(tmpl), so, se, rc;
	ssize_t n;

	if (fd < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	rc = libvirt_main(ac, av);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(tmpl);
	return rc;
}

static void command(void)
{
	char out[8192];
	char *help[] = { "xml-to-argv", "--help" };
	char *none[] = { "xml-to-argv" };
	char *bad[] = { "xml-to-argv", "--frobnicate", "x.xml" };
	char *good[] = { "xml-to-argv", "configs/libvirt/minimal.xml" };
	char *refused[] = { "xml-to-argv", FIX "/lenient-devices.xml" };
	char *lenient[] = { "xml-to-argv", "--lenient", FIX "/lenient-devices.xml" };
	char *missing[] = { "xml-to-argv", FIX "/does-not-exist.xml" };

	ok(main_run(help, 2, out, sizeof(out)) == 0 && strstr(out, "usage: pnvm xml-to-argv"),
	   "xml-to-argv --help: usage, exit 0");
	ok(main_run(none, 1, out, sizeof(out)) == 2, "xml-to-argv without a file: exit 2");
	ok(main_run(bad, 3, out, sizeof(out)) == 2 && strstr(out, "--frobnicate"),
	   "unknown option: exit 2, named");
	ok(main_run(good, 2, out, sizeof(out)) == 0 &&
	   !strcmp(out, "pnvm run --name minimal --kernel /var/lib/pnvm/bzImage --cmdline "
		   "'console=ttyS0 panic=-1' --memory 256M --cpus 1 --private-node 1\n"),
	   "xml-to-argv minimal.xml: one quoted line, exit 0");
	ok(main_run(refused, 2, out, sizeof(out)) == 2 && out[0] == '/' && !strstr(out, "pnvm run"),
	   "refused: exit 2, XPath lines, no command line");
	ok(main_run(lenient, 3, out, sizeof(out)) == 0 && strstr(out, "warning: ") &&
	   strstr(out, "\npnvm run --name lenient-devices "), "--lenient: warnings and the line");
	ok(main_run(missing, 2, out, sizeof(out)) == 2 && strstr(out, "No such file"),
	   "unreadable file: exit 2 with errno text");
}

static void examples(void)
{
	static const struct { const char *file, *want; } ex[] = {
		{ "configs/libvirt/minimal.xml", "--private-node 1" },
		{ "configs/libvirt/nova.xml", "--private-node 1 --disk " },
		{ "configs/libvirt/pnvm-metadata.xml",
		  "--private-node 2 --prealloc --require-private --disk /var/lib/pnvm/db.img --net "
		  "tap=pnvm0 --rng --shared-window 4M --shared-node 0" },
	};
	int have = access("/usr/bin/virt-xml-validate", X_OK) == 0 &&
		   access("/usr/bin/xmllint", X_OK) == 0;
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		struct run r;
		char cmd[512];

		run(ex[i].file, 0, &r, NULL);
		ok(r.ret == 0 && !r.nerr && r.line && strstr(r.line, ex[i].want),
		   "example %s translates strictly (%s)", ex[i].file, ex[i].want);
		run_free(&r);
		snprintf(cmd, sizeof(cmd), "virt-xml-validate %s domain >/dev/null 2>&1", ex[i].file);
		ok(have && system(cmd) == 0, "example %s passes virt-xml-validate%s", ex[i].file,
		   have ? "" : " (virt-xml-validate/xmllint missing: install libvirt-clients "
		   "libxml2-utils)");
	}
}

/* ---- libvirt/schema.c: the verdict libvirt's own validation gives ---- */

static void quiet(void *data, virErrorPtr e)
{
}

/* 1: libvirt's VIR_DOMAIN_DEFINE_VALIDATE refuses xml for its schema. */
static int libvirt_schema_refuses(virConnectPtr c, const char *xml)
{
	virDomainPtr dom = virDomainDefineXMLFlags(c, xml, VIR_DOMAIN_DEFINE_VALIDATE);
	virErrorPtr e;

	if (dom) {
		virDomainUndefine(dom);
		virDomainFree(dom);
		return 0;
	}
	e = virGetLastError();
	return e && e->code == VIR_ERR_XML_INVALID_SCHEMA;
}

static int agree(virConnectPtr c, const char *xml, int *verdict)
{
	char why[256] = "";

	*verdict = libvirt_schema_check(xml, why, sizeof(why));
	/* REFUSED: handing it to libvirt is what would hang. */
	if (*verdict == SCHEMA_UNCHECKED || *verdict == SCHEMA_REFUSED)
		return 1;
	return (*verdict == SCHEMA_INVALID) == libvirt_schema_refuses(c, xml) &&
	       (*verdict == SCHEMA_VALID || why[0]);
}

static void schema_dir(virConnectPtr c, const char *dir, int *n, int *same, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	int verdict;

	for (; d && (de = readdir(d));) {
		void *buf;
		char *xml;
		size_t len, l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".xml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (load_file(path, &buf, &len))
			continue;
		xml = strndup(buf, len);	/* load_file does not terminate */
		free(buf);
		if (!xml)
			continue;
		(*n)++;
		*same += agree(c, xml, &verdict);
		count[verdict]++;
		free(xml);
	}
	if (d)
		closedir(d);
}

static void schema(void)
{
	static const char *good = "<domain type='kvm'><name>s</name><memory>262144</memory>"
		"<os><type>hvm</type></os></domain>";
	static const char *bad = "<domain type='kvm'><name>s</name><memory>262144</memory>"
		"<os><type>hvm</type></os><bogus/></domain>";
	static const char *fd = "<domain type='kvm'><name>s</name><memory>262144</memory>"
		"<os><type>hvm</type></os><devices><disk type='file'><source file='/d'/>"
		"<target dev='fdvirtio'/></disk></devices></domain>";
	static const char *vdz = "<domain type='kvm'><name>s</name><memory>262144</memory>"
		"<os><type>hvm</type></os><devices><disk type='file'><source file='/d'/>"
		"<target dev='vdzz'/></disk></devices></domain>";
	virConnectPtr c;
	int n = 0, same = 0, count[4] = { 0 }, v;
	char why[256] = "";

	virSetErrorFunc(NULL, quiet);
	c = virConnectOpen("test:///default");
	if (!ok(c != NULL, "libvirt's test driver opens"))
		return;
	ok(agree(c, good, &v) && v == SCHEMA_VALID, "schema: a minimal domain is valid, as for libvirt");
	ok(agree(c, bad, &v) && v == SCHEMA_INVALID, "schema: an unknown element is invalid, as for libvirt");
	libvirt_schema_check(bad, why, sizeof(why));
	ok(strstr(why, "bogus") != NULL, "schema: the reason names the element (%s)", why);
	ok(libvirt_schema_check(fd, why, sizeof(why)) == SCHEMA_REFUSED && strstr(why, "fdvirtio") &&
	   libvirt_schema_check(vdz, why, sizeof(why)) == SCHEMA_VALID,
	   "a disk target libvirt would hang on (fdvirtio) is refused first, vdzz is not");
	ok(libvirt_schema_check("<network/>", why, sizeof(why)) == SCHEMA_UNCHECKED &&
	   libvirt_schema_check("<domain", why, sizeof(why)) == SCHEMA_UNCHECKED,
	   "schema: not a <domain> document: left to libvirt");
	schema_dir(c, FIX, &n, &same, count);
	schema_dir(c, "tests/fuzz/corpus/fuzz_libvirt", &n, &same, count);
	ok(n > 60 && same == n && count[SCHEMA_VALID] > 50 && count[SCHEMA_INVALID] > 0,
	   "schema: same verdict as libvirt's own validation on %d/%d inputs (%d valid, %d invalid, "
	   "%d left to libvirt, %d refused first)", same, n, count[SCHEMA_VALID],
	   count[SCHEMA_INVALID], count[SCHEMA_UNCHECKED], count[SCHEMA_REFUSED]);
	virConnectClose(c);
}

int main(void)
{
	fixtures();
	schema();
	argv_words();
	quoting();
	command();
	examples();
	return tap_done();
}
