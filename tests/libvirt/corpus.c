// SPDX-License-Identifier: GPL-2.0
/*
 * Run pnvm's libvirt translator over libvirt's own domain-XML test inputs
 * (tests/qemuxml2argvdata or tests/qemuxmlconfdata, fetched at test time by
 * fetch-corpus) and check three things:
 *  - every input is translated or refused with at least one reason line
 *    starting with an XPath; none crashes (each runs in its own process);
 *  - for inputs with <numatune>/<memoryBacking>, the guest-RAM placement
 *    pnvm decides (one node, strict) is the one libvirt's QEMU driver
 *    produces: host-nodes/policy of the guest-RAM memory-backend objects
 *    in libvirt's expected .args for the same input;
 *  - hugepages/memfd/file backing and preallocation agree the same way.
 * usage: corpus DIR   (prints TAP)
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tests/tap.h"
#include "libvirt/domain.h"

#define JOBS		2
#define MAX_FILES	8192
#define LINE		240

struct result {
	int ret[2];			/* strict, lenient */
	struct libvirt_verdict v;	/* strict */
	int lines, bad_lines;		/* error lines; those without an XPath */
	int argv_ok;			/* translated argv is pnvm run ... --private-node */
	char first[LINE];		/* first reason line (strict) */
	int augmented;			/* a <kernel>/<numatune> had to be added */
	int aug_ret[2], aug_lines, aug_bad_lines;
};

struct input {
	char *name;			/* without .xml */
	struct result r;
	int crashed, signo;
};

static const char *dir;

/* ---- translating, one process per input ---- */

/*
 * libvirt's schema validation dominates the run time, so each input is
 * translated once, strictly: --lenient only turns the problems counted in
 * verdict.harmless into warnings (tests/unit/test_libvirt.c checks that on
 * every fixture), so its outcome follows from the strict verdict.
 */
static void translate(const char *path, struct result *r)
{
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);
	char **argv = NULL;
	int argc = 0, i, priv = 0;

	r->ret[0] = libvirt_translate(path, 0, &argv, &argc, &r->v, errs);
	fclose(errs);
	r->ret[1] = r->ret[0] == 2 && r->v.libvirt_ok && r->v.problems == r->v.harmless ?
		    0 : r->ret[0];
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!r->lines++)
			snprintf(r->first, sizeof(r->first), "%s", line);
		if (line[0] != '/')
			r->bad_lines++;
	}
	for (i = 0; argv && i + 1 < argc; i++)
		priv |= !strcmp(argv[i], "--private-node");
	r->argv_ok = argv && argc > 2 && !strcmp(argv[0], "pnvm") && !strcmp(argv[1], "run") &&
		     priv;
	libvirt_argv_free(argv);
	free(buf);
}

/*
 * Most of libvirt's inputs boot from a disk and say nothing about NUMA, so
 * pnvm refuses them for that alone. To exercise the rest of the mapping on
 * them, add what pnvm requires when it is missing: a <kernel> and
 * <numatune><memory mode='strict' nodeset='0'/>. Returns a temp file path,
 * or NULL when nothing had to be added (or the XML does not parse).
 */
static char *augment(const char *path)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, c, os = NULL;
	int kernel = 0, numatune = 0, fd;
	char *tmp = NULL;

	for (c = root ? root->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)c->name, "os"))
			os = c;
		if (!strcmp((const char *)c->name, "numatune"))
			numatune = 1;
	}
	for (c = os ? os->children : NULL; c; c = c->next)
		kernel |= c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "kernel");
	if (!os || (kernel && numatune))
		goto out;
	if (!kernel)
		xmlNewTextChild(os, NULL, (const xmlChar *)"kernel", (const xmlChar *)"/boot/vmlinuz");
	if (!numatune) {
		c = xmlNewChild(root, NULL, (const xmlChar *)"numatune", NULL);
		c = xmlNewChild(c, NULL, (const xmlChar *)"memory", NULL);
		xmlNewProp(c, (const xmlChar *)"mode", (const xmlChar *)"strict");
		xmlNewProp(c, (const xmlChar *)"nodeset", (const xmlChar *)"0");
	}
	tmp = strdup("/tmp/pnvm-corpus-XXXXXX");
	fd = tmp ? mkstemp(tmp) : -1;
	if (fd < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	close(fd);
	if (xmlSaveFile(tmp, doc) < 0) {
		unlink(tmp);
		free(tmp);
		tmp = NULL;
	}
out:
	xmlFreeDoc(doc);
	return tmp;
}

static void translate_augmented(const char *path, struct result *r)
{
	struct result a = { 0 };
	char *aug = augment(path);

	if (!aug) {
		r->aug_ret[0] = r->ret[0];
		r->aug_ret[1] = r->ret[1];
		r->aug_lines = r->lines;
		r->aug_bad_lines = r->bad_lines;
		return;
	}
	translate(aug, &a);
	unlink(aug);
	free(aug);
	r->augmented = 1;
	r->aug_ret[0] = a.ret[0];
	r->aug_ret[1] = a.ret[1];
	r->aug_lines = a.lines;
	r->aug_bad_lines = a.bad_lines;
	if (a.ret[0] == 0 && !a.argv_ok)
		r->aug_bad_lines++;
}

static pid_t spawn(struct input *in, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct result r = { 0 };
		char *path;

		close(p[0]);
		alarm(30);
		if (asprintf(&path, "%s/%s.xml", dir, in->name) < 0)
			_exit(3);
		translate(path, &r);
		translate_augmented(path, &r);
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static void run_all(struct input *in, int n)
{
	struct { pid_t pid; int fd; int idx; } job[JOBS];
	int next = 0, busy = 0, i, st;

	while (next < n || busy) {
		while (busy < JOBS && next < n) {
			job[busy].idx = next;
			job[busy].pid = spawn(&in[next], &job[busy].fd);
			if (job[busy].pid < 0) {
				in[next].crashed = 1;
				next++;
				continue;
			}
			next++;
			busy++;
		}
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0)
			break;
		for (i = 0; i < busy && job[i].pid != pid; i++)
			;
		if (i == busy)
			continue;
		struct input *it = &in[job[i].idx];

		if (!WIFEXITED(st) || WEXITSTATUS(st) ||
		    read(job[i].fd, &it->r, sizeof(it->r)) != sizeof(it->r)) {
			it->crashed = 1;
			it->signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		}
		close(job[i].fd);
		job[i] = job[--busy];
	}
}

/* ---- the QEMU driver's view, from libvirt's expected .args ---- */

enum oplace { O_UNKNOWN, O_UNBOUND, O_NODE, O_OTHER };

struct oracle {
	int found;		/* an .args file exists */
	int backends;		/* guest-RAM memory-backend objects */
	enum oplace place;
	int node;
	int hugepages, memfd, file, prealloc;
	char src[64];
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	int c;
	FILE *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* Host nodes of one backend: "host-nodes":[1,2] or host-nodes=1-2,... */
static int host_nodes(const char *obj, int *first)
{
	const char *p;
	int n = 0, a, b;

	*first = -1;
	if ((p = strstr(obj, "\"host-nodes\":["))) {
		p += 14;
		while (*p && *p != ']') {
			a = atoi(p);
			if (*first < 0)
				*first = a;
			n++;
			p += strspn(p, "0123456789");
			if (*p == ',')
				p++;
		}
		return n;
	}
	for (p = obj; (p = strstr(p, "host-nodes=")); ) {
		p += 11;
		a = b = atoi(p);
		p += strspn(p, "0123456789");
		if (*p == '-')
			b = atoi(++p);
		if (*first < 0)
			*first = a;
		n += b - a + 1;
	}
	return n;
}

static int has(const char *obj, const char *json, const char *kv)
{
	return strstr(obj, json) || strstr(obj, kv);
}

static void one_backend(struct oracle *o, const char *obj)
{
	int first, n = host_nodes(obj, &first);
	int bind = has(obj, "\"policy\":\"bind\"", "policy=bind");
	enum oplace p = !n ? O_UNBOUND : (n == 1 && bind) ? O_NODE : O_OTHER;

	if (has(obj, "\"hugetlb\":true", "hugetlb=on") || strstr(obj, "/dev/hugepages"))
		o->hugepages = 1;
	else if (strstr(obj, "memory-backend-file"))
		o->file = 1;
	if (strstr(obj, "memory-backend-memfd"))
		o->memfd = 1;
	if (has(obj, "\"prealloc\":true", "prealloc=on"))
		o->prealloc = 1;
	if (p == O_NODE && o->backends && o->place == O_NODE && first != o->node)
		p = O_OTHER;
	if (!o->backends++)
		o->place = p, o->node = first;
	else if (o->place != p)
		o->place = O_OTHER;
}

static int ram_backend(const char *obj)
{
	return strstr(obj, "memory-backend-") &&
	       (strstr(obj, "\"id\":\"pc.ram\"") || strstr(obj, "id=pc.ram") ||
		strstr(obj, "\"id\":\"ram-node") || strstr(obj, "id=ram-node"));
}

static void oracle_read(const char *name, int numatune, struct oracle *o)
{
	static const char *suffix[] = { ".x86_64-latest.args", ".args" };
	char *path, *args = NULL, *tok, *save, *prev = NULL;
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < 2 && !args; i++) {
		if (asprintf(&path, "%s/%s%s", dir, name, suffix[i]) < 0)
			return;
		args = slurp(path);
		free(path);
		if (args)
			snprintf(o->src, sizeof(o->src), "%s", suffix[i] + 1);
	}
	if (!args)
		return;
	o->found = 1;
	for (tok = strtok_r(args, " \\\n", &save); tok; tok = strtok_r(NULL, " \\\n", &save)) {
		if (prev && !strcmp(prev, "-object") && ram_backend(tok))
			one_backend(o, tok);
		if (prev && !strcmp(prev, "-mem-path")) {
			/* no backend objects: hugetlbfs or a RAM file */
			if (strstr(tok, "hugepages"))
				o->hugepages = 1;
			else
				o->file = 1;
		}
		if (!strcmp(tok, "-mem-prealloc"))
			o->prealloc = 1;
		prev = tok;
	}
	/* No backend object: plain -m, and any numatune went to cgroups,
	 * which the argv does not show. */
	if (!o->backends)
		o->place = numatune ? O_UNKNOWN : O_UNBOUND;
	free(args);
}

/* ---- the checks ---- */

static int is_input(const char *f)
{
	size_t n = strlen(f);
	const char *dot;

	if (n < 5 || strcmp(f + n - 4, ".xml"))
		return 0;
	/* 11.x keeps expected outputs next to inputs: NAME.ARCH-VER.xml */
	dot = memchr(f, '.', n - 4);
	return !dot || !strstr(dot, "-");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_inputs(struct input **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[MAX_FILES];
	int n = 0, i;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < MAX_FILES)
		if (is_input(e->d_name))
			names[n++] = strndup(e->d_name, strlen(e->d_name) - 4);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	*out = calloc(n, sizeof(**out));
	for (i = 0; i < n; i++)
		(*out)[i].name = names[i];
	return n;
}

static const char *pname(const struct libvirt_verdict *v)
{
	static char buf[32];

	switch (v->place) {
	case LIBVIRT_PLACE_NODE:
		snprintf(buf, sizeof(buf), "node %d", v->node);
		return buf;
	case LIBVIRT_PLACE_NONE: return "no numatune";
	case LIBVIRT_PLACE_REFUSED: return "refused";
	default: return "libvirt rejects";
	}
}

static const char *oname(const struct oracle *o)
{
	static char buf[32];

	switch (o->place) {
	case O_NODE:
		snprintf(buf, sizeof(buf), "bind node %d", o->node);
		return buf;
	case O_UNBOUND: return "no host-nodes";
	case O_OTHER: return "not one node bound";
	default: return "cgroups only";
	}
}

static int placement_agrees(const struct libvirt_verdict *v, const struct oracle *o)
{
	switch (v->place) {
	case LIBVIRT_PLACE_NODE: return o->place == O_NODE && o->node == v->node;
	case LIBVIRT_PLACE_NONE: return o->place == O_UNBOUND;
	case LIBVIRT_PLACE_REFUSED: return o->place == O_OTHER || o->place == O_UNBOUND;
	default: return 0;
	}
}

static int backing_agrees(const struct libvirt_verdict *v, const struct oracle *o)
{
	return v->hugepages == o->hugepages && v->memfd == o->memfd &&
	       v->file_backed == o->file && (o->hugepages || v->prealloc == o->prealloc);
}

int main(int argc, char **argv)
{
	struct input *in;
	int n, i, translated = 0, refused = 0, crashed = 0, silent = 0, lenient_ok = 0;
	int argv_bad = 0, nomsg = 0;
	int pl_n = 0, pl_ok = 0, bk_n = 0, bk_ok = 0, no_oracle = 0, lv_rej = 0;
	int nodes = 0, aug = 0, aug_tr = 0, aug_ref = 0, aug_len = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	n = list_inputs(&in);
	if (!ok(n > 100, "corpus: %d libvirt domain-XML inputs in %s", n, dir))
		return tap_done();
	run_all(in, n);

	for (i = 0; i < n; i++) {
		struct result *r = &in[i].r;

		if (in[i].crashed) {
			crashed++;
			tap_diag("crashed: %s (signal %d)", in[i].name, in[i].signo);
			continue;
		}
		if (r->ret[0] == 0) {
			translated++;
			argv_bad += !r->argv_ok;
		} else if (r->ret[0] == 2 && r->lines && !r->bad_lines) {
			refused++;
		} else {
			silent++;
			tap_diag("no reason: %s (exit %d, %d lines, %d without XPath: %s)",
				 in[i].name, r->ret[0], r->lines, r->bad_lines, r->first);
		}
		nomsg += r->ret[0] == 2 && !r->lines;
		lenient_ok += r->ret[1] == 0;
		aug += r->augmented;
		aug_tr += r->aug_ret[0] == 0;
		aug_ref += r->aug_ret[0] == 2 && r->aug_lines && !r->aug_bad_lines;
		aug_len += r->aug_ret[1] == 0;
		if (r->aug_ret[0] != 0 && !(r->aug_ret[0] == 2 && r->aug_lines && !r->aug_bad_lines))
			tap_diag("augmented, no reason: %s (exit %d)", in[i].name, r->aug_ret[0]);
	}
	ok(!crashed && !silent && translated + refused == n,
	   "corpus: %d translated, %d refused with reason, %d crashed, %d without reason",
	   translated, refused, crashed, silent);
	ok(lenient_ok >= translated, "corpus --lenient: %d translated (harmless omissions as "
	   "warnings)", lenient_ok);
	ok(aug_tr + aug_ref == n - crashed, "corpus with <kernel>/<numatune> added to %d inputs "
	   "lacking them: %d translated, %d refused with reason; --lenient: %d translated",
	   aug, aug_tr, aug_ref, aug_len);
	ok(!argv_bad, "every translated input gives pnvm run ... --private-node N (%d do not)",
	   argv_bad);

	/* Placement and backing against the QEMU driver's argv. */
	for (i = 0; i < n; i++) {
		struct result *r = &in[i].r;
		struct oracle o;
		char *path, *xml;
		int numatune, backing;

		if (in[i].crashed || asprintf(&path, "%s/%s.xml", dir, in[i].name) < 0)
			continue;
		xml = slurp(path);
		free(path);
		numatune = xml && strstr(xml, "<numatune");
		backing = xml && strstr(xml, "<memoryBacking");
		free(xml);
		if (!numatune && !backing)
			continue;
		if (!r->v.libvirt_ok) {
			lv_rej++;
			tap_diag("libvirt rejects %s: %.150s", in[i].name, r->first);
			continue;
		}
		oracle_read(in[i].name, numatune, &o);
		if (!o.found) {
			no_oracle++;
			continue;
		}
		if (o.place != O_UNKNOWN) {
			pl_n++;
			if (placement_agrees(&r->v, &o)) {
				pl_ok++;
				nodes += r->v.place == LIBVIRT_PLACE_NODE;
			}
			else
				tap_diag("placement differs: %s: pnvm %s, QEMU %s (%s)", in[i].name,
					 pname(&r->v), oname(&o), o.src);
		}
		if (backing) {
			bk_n++;
			if (backing_agrees(&r->v, &o))
				bk_ok++;
			else
				tap_diag("backing differs: %s: pnvm huge=%d memfd=%d file=%d prealloc=%d,"
					 " QEMU huge=%d memfd=%d file=%d prealloc=%d (%s)", in[i].name,
					 r->v.hugepages, r->v.memfd, r->v.file_backed, r->v.prealloc,
					 o.hugepages, o.memfd, o.file, o.prealloc, o.src);
		}
	}
	tap_diag("numatune/memoryBacking inputs: %d rejected by libvirt itself, %d without an "
		 ".args oracle", lv_rej, no_oracle);
	ok(pl_n > 10 && pl_ok == pl_n, "numatune agreement with libvirt's QEMU driver: %d/%d "
	   "(%d bound to one node by both)", pl_ok, pl_n, nodes);
	ok(bk_n > 10 && bk_ok == bk_n, "memoryBacking agreement with libvirt's QEMU driver: %d/%d",
	   bk_ok, bk_n);
	return tap_done();
}
