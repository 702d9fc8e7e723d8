// SPDX-License-Identifier: GPL-2.0
/* pnvm: a VMM whose guest RAM is guest_memfd memory on a private node. */
#include <stdio.h>

#include "vmm/cli.h"
#include "vmm/vm.h"

int main(int argc, char **argv)
{
	struct pnvm_opts opts;

	switch (cli_parse(&opts, argc, argv)) {
	case CLI_HELP:
		cli_usage(stdout);
		return 0;
	case CLI_VERSION:
		printf("pnvm %s\n", PNVM_VERSION);
		return 0;
	case CLI_RUN:
		return vm_run(&opts);
	default:
		fprintf(stderr, "pnvm: %s\n", opts.err);
		return EXIT_BAD_INPUT;
	}
}
