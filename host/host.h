/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `pnvm host`: is this machine ready for pnvm (check), make a dax
 * device private memory (provision), or make a node private from boot
 * (boot-config). A front end beside api/ and libvirt/; nothing in vmm/
 * includes it.
 */
#ifndef PNVM_HOST_HOST_H
#define PNVM_HOST_HOST_H

#include <stdio.h>

#include "lib/util.h"

/*
 * Where the host is read and changed. Everything under @sysfs and @proc
 * is plain files, so tests run the judgement and the provision plan over
 * a made-up tree in a temp dir; the rest are the live seams.
 */
struct host_env {
	const char *sysfs;	/* "/sys" */
	const char *proc;	/* "/proc": who holds a dax device open */
	const char *conf;	/* NULL: $PNVM_CONF, else NODE_CONF_PATH */
	const char *kvm;	/* "/dev/kvm" */
	const char *tun;	/* "/dev/net/tun" */
	const char *daxctl;	/* "daxctl", looked up in PATH */
	const char *grub_dir;	/* "/etc/default/grub.d" */
	/*
	 * The placement probe: a guest_memfd bound to @node, touched, and
	 * its pages found there. 0, or -errno; @detail says what was seen
	 * either way. NULL: host_gmem_probe() (needs KVM).
	 */
	int (*probe)(int node, char *detail, size_t len);
};

/* The real host's paths. */
void host_env_default(struct host_env *e);

/*
 * `pnvm host SUBCOMMAND ...` with argv[0] = "host": reports to @out,
 * the one line of a bad input (exit 2) to @err. 0 ready/done, 1 not
 * ready/failed, 2 bad input.
 */
int host_run(const struct host_env *e, int argc, char **argv, FILE *out, FILE *err);

/* host_run() on the real host, stdout and stderr. */
int host_main(int argc, char **argv);

#endif
