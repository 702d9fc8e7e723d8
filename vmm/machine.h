/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine description: everything that decides what a VM is. A
 * front end (the CLI today; an API request tomorrow) produces it once;
 * KVM setup, boot tables, devices and reports read only it.
 */
#ifndef PNVM_MACHINE_H
#define PNVM_MACHINE_H

#include <stdio.h>
#include "vmm/boot.h"
#include "vmm/guest.h"
#include "vmm/node.h"
#include "vmm/priv.h"
#include "vmm/seccomp.h"

struct pnvm_opts;

/* Exit status for every bad input: usage, missing files, impossible nodes. */
#define EXIT_BAD_INPUT		2

/*
 * virtio-mmio devices in all: each takes one IOAPIC pin of 16-23 (pins
 * only the IOAPIC has, no ISA/8259 overlap; see virtio/README.md).
 */
#define PNVM_MAX_VIRTIO		8

/* Limits every front end (CLI, libvirt XML) checks against. */
#define PNVM_MIN_MEMORY		(32 * SZ_1M)
#define PNVM_MAX_CPUS		64	/* MP table and xAPIC IDs stay simple */

enum window_mode {
	WINDOW_ON,		/* devices reach only the shared window (DT) */
	WINDOW_OFF,		/* devices reach all guest RAM (stock guests) */
	WINDOW_HIDDEN,		/* a window the guest is not told of */
};

/*
 * How the guest learns its CPUs, interrupt routing and devices: a device
 * tree in window mode (the window is a DT restricted-dma-pool), ACPI for
 * devices without a window (what stock kernels read), and the MP table
 * for a VM without devices (any kernel, ACPI or not).
 */
enum guest_tables {
	TABLES_MPTABLE,
	TABLES_DT,
	TABLES_ACPI,
};

enum dev_kind {
	DEV_BLK,
	DEV_NET,
	DEV_RNG,
	DEV_CONSOLE,
};

/* A virtio-mmio device: slot i at GUEST_VIRTIO_BASE + i pages, GSI 16 + i. */
struct machine_dev {
	enum dev_kind kind;
	unsigned int index;	/* blk0, blk1, ... within its kind */
	u64 base;
	unsigned int gsi;
	const char *path;	/* blk: image or block device */
	bool ro;		/* blk */
	const char *tap;	/* net: interface name; NULL: tap_fd */
	int tap_fd;		/* net: an open tap the VM dups (it may boot again) */
	u8 mac[6];		/* net: the guest's address */
};

struct machine {
	const char *name;	/* NULL: none */
	unsigned int cpus;

	/* Guest RAM: the regions (RAM only; hva not mapped) and their node. */
	u64 memory;
	int node;
	bool prealloc;
	bool require_private;
	struct memmap ram;

	/* Boot payload; cmdline is the part after BOOT_BASE_CMDLINE. */
	const char *kernel;
	const char *initrd;	/* NULL: none */
	char cmdline[GUEST_CMDLINE_MAX];
	enum guest_tables tables;

	/* The shared window (only with devices and not off). */
	enum window_mode window;
	u64 window_gpa;
	u64 window_size;
	int shared_node;

	/* Devices in slot order: disks, nets, rng, console. */
	struct machine_dev devs[PNVM_MAX_VIRTIO];
	unsigned int ndevs;

	bool report;

	/* Hardening: per-thread seccomp, and whom to become after set-up. */
	enum sc_mode seccomp;
	struct priv_ids priv;
};

/* The CLI's options as a description. 0, or -errno + errf(). */
int machine_from_opts(struct machine *m, const struct pnvm_opts *o);

/* A window the devices are confined to (and so a memfd to create)? */
static inline bool machine_has_window(const struct machine *m)
{
	return m->ndevs && m->window != WINDOW_OFF;
}

/* "blk", "net", "rng", "console" */
const char *machine_dev_kind(enum dev_kind kind);

/* Files the description names: readable kernel, initrd and disks. */
int machine_check_files(const struct machine *m);

/* What validation loaded, so bad input leaves nothing behind. */
struct payload {
	void *kernel;
	size_t kernel_len;
	void *initrd;
	size_t initrd_len;
	struct bzimage bz;
	char cmdline[GUEST_CMDLINE_MAX];	/* the whole guest command line */
	struct node_info ni;	/* the private node, for warnings */
};

/*
 * Everything that can be decided without KVM (files, nodes, the kernel,
 * the command line, where the initrd goes): the exit-2 checks, once.
 * Fills @p; free it with payload_free() whatever the result.
 */
int machine_validate(const struct machine *m, struct payload *p);
void payload_free(struct payload *p);

/* Warnings only once no input can fail any more: bad input gets one line. */
void machine_warnings(const struct machine *m, const struct payload *p);

/* The description as JSON (pnvm run --dry-run). 0 or -errno + errf(). */
int machine_print_json(const struct machine *m, FILE *f);

#endif
