/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_ACPI_H
#define PNVM_ACPI_H

#include <stddef.h>
#include "lib/util.h"

/* A virtio-mmio transport as the DSDT describes it ("LNRO0005"). */
struct acpi_config {
	unsigned int cpus;	/* APIC IDs 0..cpus-1; the IOAPIC's ID is cpus */
	u32 lapic;
	u32 ioapic;
	const struct mmio_dev *devs;
	unsigned int ndevs;
};

/*
 * ACPI tables for a hardware-reduced x86 machine, the way stock kernels
 * find virtio-mmio devices: RSDP, XSDT, FADT (HW_REDUCED_ACPI), MADT
 * (local APICs, the IOAPIC, NMI on LINT1) and a DSDT with the UART
 * (COM1: 0x3f8, IRQ 4) and one "LNRO0005" device per transport (its
 * MMIO window and edge-triggered GSI). Written into @buf, which the guest sees at @gpa; the RSDP comes
 * first (16-byte aligned when @gpa is). Returns the bytes used, or
 * -EINVAL (bad config) / -ENOSPC (@size too small).
 */
int acpi_build(const struct acpi_config *c, void *buf, size_t size, u64 gpa);

/* Offsets of the tables in a buffer acpi_build() filled, for tests. */
struct acpi_layout {
	size_t rsdp, xsdt, fadt, madt, dsdt;
};
void acpi_layout(const struct acpi_config *c, struct acpi_layout *l);

#endif
