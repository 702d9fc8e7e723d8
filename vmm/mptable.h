/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_MPTABLE_H
#define PNVM_MPTABLE_H

#include "lib/util.h"

struct memmap;

/*
 * Intel MP 1.4 table at GUEST_MPTABLE: one processor per vCPU (APIC ID =
 * vCPU index, 0 boots), an ISA bus, the IOAPIC with ISA IRQ n on pin n
 * (KVM's default routing), ExtINT/NMI on LINT0/LINT1, and nvirtio
 * edge-triggered entries for pins GUEST_VIRTIO_GSI + i, so that Linux
 * maps IRQ 16 + i for the virtio_mmio.device= devices of --window=off.
 * Without ACPI this is how the guest finds its CPUs and interrupt
 * routing; window mode uses a device tree instead.
 */
int mptable_write(struct memmap *mem, unsigned int ncpus, unsigned int nvirtio);

/* Bytes the table takes, for placement checks and tests. */
size_t mptable_size(unsigned int ncpus, unsigned int nvirtio);

#endif
