// SPDX-License-Identifier: GPL-2.0
/* pnvm: a VMM whose guest RAM is guest_memfd memory on a private node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"
#include "vmm/libvirt.h"
#include "vmm/vm.h"

/*
 * `pnvm run --libvirt DOMAIN.xml [--lenient] [options]`: the domain's
 * translation comes first, the user's own options after it, so that
 * e.g. --report or a different --kernel can be added or override.
 * Returns the argv to parse (the caller frees it with libvirt_argv_free)
 * or NULL with *status set to the exit status.
 */
static char **libvirt_argv(int argc, char **argv, int *ac_out, int *status)
{
	const char *xml = NULL;
	char **av = NULL, **out;
	int lenient = 0, ac = 0, n = 0, i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--libvirt")) {
			if (i + 1 == argc) {
				fprintf(stderr, "pnvm: option --libvirt needs an argument\n");
				*status = EXIT_BAD_INPUT;
				return NULL;
			}
			xml = argv[++i];
		} else if (!strncmp(argv[i], "--libvirt=", 10)) {
			xml = argv[i] + 10;
		} else if (!strcmp(argv[i], "--lenient")) {
			lenient = 1;
		}
	}
	ret = libvirt_xml_to_argv(xml, lenient, &av, &ac, stderr);
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "pnvm: --libvirt %s: %s\n", xml, strerror(-ret));
		*status = EXIT_BAD_INPUT;
		return NULL;
	}
	out = calloc(ac + argc + 1, sizeof(*out));
	if (!out) {
		libvirt_argv_free(av);
		*status = 1;
		return NULL;
	}
	/* Take the strings over from av; libvirt_argv_free frees them later. */
	for (i = 0; i < ac; i++)
		out[n++] = av[i];
	free(av);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "run") && i == 1)
			continue;
		if (!strcmp(argv[i], "--libvirt")) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--libvirt=", 10) || !strcmp(argv[i], "--lenient"))
			continue;
		out[n++] = strdup(argv[i]);
		if (!out[n - 1]) {
			libvirt_argv_free(out);
			*status = 1;
			return NULL;
		}
	}
	*ac_out = n;
	return out;
}

static bool wants_libvirt(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--libvirt") || !strncmp(argv[i], "--libvirt=", 10))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct pnvm_opts opts;
	char **own = NULL;
	int status;

	if (argc > 1 && !strcmp(argv[1], "xml-to-argv"))
		return libvirt_main(argc - 1, argv + 1);

	if (wants_libvirt(argc, argv)) {
		own = libvirt_argv(argc, argv, &argc, &status);
		if (!own)
			return status;
		argv = own;
	}

	switch (cli_parse(&opts, argc, argv)) {
	case CLI_HELP:
		cli_usage(stdout);
		fputs("\nlibvirt domains:\n"
		      "  pnvm run --libvirt DOMAIN.xml [--lenient] [options]\n"
		      "                           run a domain; options given here come after\n"
		      "                           the domain's own and can override them\n"
		      "  pnvm xml-to-argv [--lenient] DOMAIN.xml\n"
		      "                           print the domain as a pnvm command line\n",
		      stdout);
		status = 0;
		break;
	case CLI_VERSION:
		printf("pnvm %s\n", PNVM_VERSION);
		status = 0;
		break;
	case CLI_RUN:
		status = vm_run(&opts);
		break;
	default:
		fprintf(stderr, "pnvm: %s\n", opts.err);
		status = EXIT_BAD_INPUT;
		break;
	}
	/* opts points into argv: free it only when the VM is gone. */
	if (own)
		libvirt_argv_free(own);
	return status;
}
