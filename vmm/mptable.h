/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_MPTABLE_H
#define PNVM_MPTABLE_H

#include "lib/util.h"

struct memmap;

/*
 * Intel MP 1.4 table at GUEST_MPTABLE: one processor per vCPU (APIC ID =
 * vCPU index, 0 boots), an ISA bus, the IOAPIC with ISA IRQ n on pin n
 * (KVM's default routing), ExtINT/NMI on LINT0/LINT1. For a guest with
 * no virtio devices: a guest with devices finds them, its CPUs and its
 * interrupts in a device tree (window mode) or ACPI (--window=off).
 */
int mptable_write(struct memmap *mem, unsigned int ncpus);

/* Bytes the table takes, for placement checks and tests. */
size_t mptable_size(unsigned int ncpus);

#endif
