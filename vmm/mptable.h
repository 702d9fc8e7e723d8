/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_MPTABLE_H
#define PNVM_MPTABLE_H

#include "vmm/util.h"

struct vm;

/*
 * Intel MP 1.4 table at GUEST_MPTABLE: one processor per vCPU (APIC ID =
 * vCPU index, 0 boots), an ISA bus, the IOAPIC with ISA IRQ n on pin n
 * (KVM's default routing), ExtINT/NMI on LINT0/LINT1. Without ACPI this
 * is how the guest finds its CPUs and interrupt routing.
 */
int mptable_write(struct vm *vm, unsigned int ncpus);

/* Bytes the table takes for ncpus, for placement checks and tests. */
size_t mptable_size(unsigned int ncpus);

#endif
