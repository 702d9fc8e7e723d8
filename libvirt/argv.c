// SPDX-License-Identifier: GPL-2.0
/*
 * The `pnvm run` argv a translated domain stands for, and the command
 * `pnvm xml-to-argv` that prints it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt/internal.h"

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

int build_argv(struct lv *l, char ***argv_out, int *argc_out)
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
		push2(&s, "--net", "tap=%s%s%s", l->tap[i], l->mac[i] ? ",mac=" : "", l->mac[i] ?: "");
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
