/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_CLI_H
#define PNVM_CLI_H

#include <stdio.h>
#include "lib/util.h"
#include "vmm/machine.h"
#include "vmm/seccomp.h"

#define PNVM_VERSION		"0.1.0"

#define PNVM_DEFAULT_WINDOW	(64 * SZ_1M)
#define PNVM_NAME_MAX		64

struct pnvm_disk {
	const char *path;		/* points into argv, or into disk_buf */
	bool ro;
};

/* --net: a tap by name, or one already open (fd=N); the guest's MAC. */
struct pnvm_net {
	const char *tap;		/* NULL: fd */
	int fd;				/* -1: open the tap by name */
	u8 mac[6];
	bool mac_set;			/* else pnvm's own per device */
	char tap_buf[16];
};

struct pnvm_opts {
	const char *name;		/* --name, for messages and thread names */
	const char *kernel;
	const char *initrd;
	const char *cmdline;		/* appended to the defaults */
	u64 memory;			/* bytes */
	unsigned int cpus;
	int node;			/* the private node guest RAM binds to */
	bool prealloc;
	bool require_private;
	bool report;
	bool dry_run;			/* print the description, run nothing */
	enum sc_mode seccomp;		/* --seccomp, default on */
	const char *user, *group;	/* --user/--group: drop to them after set-up */
	/*
	 * --api-socket, --event-monitor: serve this VM on cloud-hypervisor's
	 * API while it runs (api/README.md); not part of the machine.
	 */
	const char *api_socket, *event_monitor;

	/* virtio devices, in the order the guest sees them (blk, net, rng, console) */
	struct pnvm_disk disks[PNVM_MAX_VIRTIO];
	unsigned int ndisks;
	struct pnvm_net nets[PNVM_MAX_VIRTIO];
	unsigned int nnets;
	bool rng;
	bool console;			/* hvc0 on virtio-console, output to stdout */

	/* The shared window the devices are confined to. */
	u64 window_size;		/* bytes, multiple of 2M */
	int shared_node;		/* NUMA node of the window's memory */
	bool window_off;		/* --window=off: devices reach all guest RAM */
	bool window_hidden;		/* --window=hidden: mapped, not told to the guest */

	char disk_buf[PNVM_MAX_VIRTIO][4096];	/* "PATH" of "PATH,ro" */
};

enum {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
};

/*
 * Parse argv into opts without side effects (no files opened, nothing
 * printed), so tests can call it. Returns CLI_RUN/CLI_HELP/CLI_VERSION,
 * or -EINVAL with errf() set (the caller prints err_msg() and exits 2).
 */
int cli_parse(struct pnvm_opts *opts, int argc, char **argv);

/*
 * "xx:xx:xx:xx:xx:xx" (either case) into @mac: 0, or -EINVAL with errf()
 * (not that form, a multicast address, all zeros). The one MAC parser:
 * --net's, the API's net[].mac and add-net's, libvirt's <mac address=>.
 */
int cli_parse_mac(const char *s, u8 mac[6]);
void cli_format_mac(const u8 mac[6], char buf[18]);

/* How many virtio devices the options ask for. */
unsigned int cli_nr_virtio(const struct pnvm_opts *opts);

void cli_usage(FILE *f);

#endif
