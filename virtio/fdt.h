/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flattened device tree pnvm hands an x86 guest in a SETUP_DTB
 * setup_data entry: the shared window as a restricted-dma-pool under
 * /reserved-memory, and each virtio-mmio device pointing at it through
 * memory-region, with its interrupt on the IOAPIC as the x86 DT code
 * knows it (intel,ce4100-ioapic). See virtio/README.md for why.
 *
 * With a DT, x86 takes its CPUs, local APIC and IOAPIC from the tree
 * whenever ACPI is absent (x86_dtb_parse_smp_config), so the tree also
 * lists the CPUs by APIC ID.
 */
#ifndef PNVM_VIRTIO_FDT_H
#define PNVM_VIRTIO_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

#define FDT_IOAPIC_BASE		0xfec00000ULL
#define FDT_LAPIC_BASE		0xfee00000ULL
/* of_ioapic_type[] index in arch/x86/kernel/devicetree.c */
#define FDT_IRQ_EDGE_RISING	3
#define FDT_IRQ_LEVEL_HIGH	1

struct fdt_config {
	unsigned int cpus;		/* vCPUs, APIC IDs 0..cpus-1 */
	uint64_t window_gpa;		/* the restricted DMA pool */
	uint64_t window_size;		/* 0: window off, no pool */
	const struct mmio_dev *devs;
	unsigned int ndevs;
};

/*
 * Build the DTB into @buf (@size bytes). Returns its total size, or
 * -ENOSPC if @buf is too small, -EINVAL on a bad config.
 */
int fdt_build(const struct fdt_config *cfg, void *buf, size_t size);

#endif
