/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_KVM_H
#define PNVM_KVM_H

#include "lib/util.h"

struct region;

struct kvm {
	int sys_fd;		/* /dev/kvm */
	int vm_fd;
	int run_size;		/* mmap size of struct kvm_run */
	int max_vcpus;
};

/*
 * What pnvm needs of KVM besides API version 12, one row per capability:
 * KVM_CHECK_EXTENSION on /dev/kvm must say at least @min. kvm_open()
 * refuses a host without them; `pnvm host check` lists them one by one.
 */
struct kvm_need {
	int cap;		/* KVM_CAP_* */
	const char *name;
	const char *why;
	int min;		/* 1 for a feature, a count for a limit */
};
extern const struct kvm_need kvm_needs[];
extern const unsigned int kvm_nr_needs;

/*
 * guest_memfd flags, as KVM_CAP_GUEST_MEMFD_FLAGS on a VM reports them
 * (they depend on the VM type): 0 if MMAP and INIT_SHARED are there,
 * else -ENOTSUP + errf() naming the missing ones.
 */
int kvm_gmem_flags_check(int flags);

/*
 * Open /dev/kvm, check the API version and every capability pnvm needs,
 * create the VM. On failure errf() names the missing piece.
 */
int kvm_open(struct kvm *kvm);

/* In-kernel LAPIC/IOAPIC/PIC and PIT, KVM's TSS pages; before vCPUs. */
int kvm_setup_irqchip(struct kvm *kvm);

/* Register a region as a memslot (guest_memfd-backed for RAM). */
int kvm_set_region(struct kvm *kvm, const struct region *r);

int kvm_irq_line(struct kvm *kvm, u32 irq, int level);

/* Signalling eventfd @fd raises (an edge on) interrupt @gsi. */
int kvm_irqfd(struct kvm *kvm, u32 gsi, int fd);

/*
 * A guest write of the @len-byte value @val to MMIO @addr signals @fd
 * inside KVM, without an exit to pnvm.
 */
int kvm_ioeventfd(struct kvm *kvm, u64 addr, u32 len, u64 val, int fd);

void kvm_close(struct kvm *kvm);

#endif
