/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_CLI_H
#define PNVM_CLI_H

#include <stdio.h>
#include "vmm/util.h"

#define PNVM_VERSION		"0.1"
#define PNVM_MIN_MEMORY		(32 * SZ_1M)
#define PNVM_MAX_CPUS		64	/* MP table and xAPIC IDs stay simple */

/* Exit status for every bad input: usage, missing files, impossible nodes. */
#define EXIT_BAD_INPUT		2

struct pnvm_opts {
	const char *kernel;
	const char *initrd;
	const char *cmdline;		/* appended to the defaults */
	u64 memory;			/* bytes */
	unsigned int cpus;
	int node;			/* the private node guest RAM binds to */
	bool prealloc;
	bool require_private;
	bool report;
	char err[256];			/* why parsing failed */
};

enum {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
};

/*
 * Parse argv into opts without side effects (no files opened, nothing
 * printed), so tests can call it. Returns CLI_RUN/CLI_HELP/CLI_VERSION,
 * or -EINVAL with opts->err set (the caller prints it and exits 2).
 */
int cli_parse(struct pnvm_opts *opts, int argc, char **argv);

/* Inputs that need the file system: readable kernel and initrd. */
int cli_check_files(struct pnvm_opts *opts);

void cli_usage(FILE *f);

#endif
