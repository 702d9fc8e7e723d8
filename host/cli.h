/* SPDX-License-Identifier: GPL-2.0 */
/* `pnvm host` options: argv into struct host_opts, no side effects (tests call it). */
#ifndef PNVM_HOST_CLI_H
#define PNVM_HOST_CLI_H

#include "host/host.h"

enum host_cmd {
	HOST_HELP,
	HOST_CHECK,
	HOST_PROVISION,
	HOST_BOOT_CONFIG,
};

struct host_opts {
	enum host_cmd cmd;
	const char *name;	/* the subcommand as given, for messages */
	bool json;
	bool dry_run;
	int node;		/* --node; -1 none */
	const char *dax;	/* --dax, without /dev/ */
	const char *output;	/* --output FILE or "-" */
	const char *grub_dir;	/* --grub-dir */
};

/*
 * argv = { "host", SUBCOMMAND, options... }. 0, or -EINVAL + errf() for
 * bad input: unknown subcommand or option, an option the subcommand does
 * not take, a bad node number or dax name, a missing required option.
 */
int host_parse(struct host_opts *o, int argc, char **argv);

void host_usage(FILE *f);

#endif
