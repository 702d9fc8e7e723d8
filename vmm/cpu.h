/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_CPU_H
#define PNVM_CPU_H

#include <pthread.h>
#include "lib/util.h"

struct bus;
struct kvm;
struct memmap;
struct kvm_run;
struct kvm_cpuid2;
struct stop;
struct hold;

/* A vCPU knows only the exit buses and the stop latch. */
struct vcpu {
	const struct bus *mmio;
	const struct bus *pio;
	struct stop *stop;
	struct hold *hold;	/* vm.pause parks the thread here; NULL: none */
	unsigned int id;	/* also the APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

/* KVM_GET_SUPPORTED_CPUID, malloc'ed. */
int cpuid_supported(struct kvm *kvm, struct kvm_cpuid2 **out);

/*
 * Turn the host's supported CPUID into the model vCPU id of ncpus sees:
 * no XSAVE/AVX family (nested setups report XSAVE state they cannot keep
 * consistent, which crashes the guest's FPU setup), no PMU, no nested
 * virtualisation, the hypervisor bit and KVM leaves limited to kvmclock,
 * and
 * topology leaves (1, 4, 0xb, 0x80000008) that agree with ncpus. Returns
 * a new malloc'ed table.
 */
struct kvm_cpuid2 *cpuid_filter(const struct kvm_cpuid2 *supported,
				unsigned int id, unsigned int ncpus);

/* GDT and identity page tables for the 64-bit entry, into guest RAM. */
int cpu_write_boot_tables(struct memmap *mem);

/* Create vCPU id of ncpus with its CPUID, MSRs, FPU and LAPIC LINTs. */
int vcpu_create(struct vcpu *vcpu, struct kvm *kvm, unsigned int id, unsigned int ncpus,
		const struct kvm_cpuid2 *supported);

/* Registers of the boot vCPU: long mode at the kernel's 64-bit entry. */
int vcpu_setup_boot(struct vcpu *vcpu, u64 entry, u64 boot_params);

/* Run until the VM stops; one thread per vCPU. */
int vcpu_run(struct vcpu *vcpu);
void *vcpu_thread(void *arg);

/* Make a running vCPU leave KVM_RUN (it then sees the stop latch). */
void vcpu_kick(struct vcpu *vcpu);

/*
 * Where a stopped vCPU is (rip, rsp, rflags, cr3, run state), for a
 * guest that had to be killed; only once its thread has been joined.
 */
int vcpu_describe(struct vcpu *vcpu, char *buf, size_t size);

void vcpu_destroy(struct vcpu *vcpu, int run_size);

#endif
