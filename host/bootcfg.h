/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `pnvm host boot-config`: a GRUB drop-in that puts private_node=N on the
 * kernel command line, for nodes whose memory is online from boot (they
 * cannot be designated at runtime) and for kernels without private_nodes.
 */
#ifndef PNVM_HOST_BOOTCFG_H
#define PNVM_HOST_BOOTCFG_H

#include "host/host.h"

#define BOOTCFG_GRUB_DIR	"/etc/default/grub.d"
#define BOOTCFG_FILE		"pnvm.cfg"

/* The drop-in for @node: a comment and one GRUB_CMDLINE_LINUX line. */
void bootcfg_text(int node, char *buf, size_t len);

/*
 * Refuse a node the host does not have (-ENODEV) or one with CPUs
 * (-EINVAL), both bad input; then write the drop-in to @output ("-":
 * print it on @out; NULL: e->grub_dir/pnvm.cfg), unchanged when it is
 * already there, and say what to run next. 0, or -errno + errf().
 */
int host_boot_config(const struct host_env *e, int node, const char *output, FILE *out);

#endif
