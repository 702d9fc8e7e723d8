// SPDX-License-Identifier: GPL-2.0
/* vCPUs: CPUID model, boot state, the KVM_RUN loop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/bus.h"
#include "vmm/cpu.h"
#include "vmm/guest.h"
#include "vmm/kvm.h"
#include "vmm/seccomp.h"
#include "vmm/stop.h"

#define CPUID_MAX_ENTRIES	256

int cpuid_supported(struct kvm *kvm, struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return errf(-ENOMEM, "out of memory");
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm->sys_fd, KVM_GET_SUPPORTED_CPUID, c)) {
		int ret = errf(-errno, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));

		free(c);
		return ret;
	}
	*out = c;
	return 0;
}

#define BIT(n)		(1U << (n))

/* Leaf 1 ECX features the guest must not see. */
#define L1_ECX_DROP	(BIT(3) /* MONITOR */ | BIT(5) /* VMX */ | BIT(6) /* SMX */ | \
			 BIT(7) /* EST */ | BIT(8) /* TM2 */ | BIT(12) /* FMA */ | \
			 BIT(15) /* PDCM */ | BIT(26) /* XSAVE */ | BIT(27) /* OSXSAVE */ | \
			 BIT(28) /* AVX */ | BIT(29) /* F16C */)
#define L1_ECX_HYPERVISOR	BIT(31)
#define L1_EDX_HTT	BIT(28)
/* Leaf 7.0 features kept: plain integer/system ones, no vector state. */
#define L7_EBX_KEEP	(BIT(0) /* FSGSBASE */ | BIT(3) /* BMI1 */ | BIT(7) /* SMEP */ | \
			 BIT(8) /* BMI2 */ | BIT(9) /* ERMS */ | BIT(10) /* INVPCID */ | \
			 BIT(18) /* RDSEED */ | BIT(19) /* ADX */ | BIT(20) /* SMAP */ | \
			 BIT(23) /* CLFLUSHOPT */ | BIT(24) /* CLWB */)
#define L7_EDX_KEEP	(BIT(10) /* MD_CLEAR */ | BIT(26) /* IBRS */ | BIT(27) /* STIBP */ | \
			 BIT(31) /* SSBD */)
/* 0x80000001 ECX: SVM, XOP, FMA4, TBM, TOPOEXT, PERFCTR_CORE, CMP_LEGACY. */
#define LX1_ECX_DROP	(BIT(1) | BIT(2) | BIT(11) | BIT(16) | BIT(21) | BIT(22) | BIT(23))

/*
 * KVM paravirt features kept: kvmclock (both MSR sets, stable bit) and
 * no-delay port I/O. The rest (PV EOI, async PF, steal time, PV IPIs,
 * unhalt...) share state with the host through guest memory and timing;
 * nested under TCG, L2 guests with them intermittently lost their timer
 * interrupt and hung at boot. The TSC-deadline timer stays: without it
 * the LAPIC timer fails the guest's calibration check when nested and
 * the PIT fallback hangs the same way.
 */
#define KVM_FEATURES_KEEP	(BIT(0) /* CLOCKSOURCE */ | BIT(1) /* NOP_IO_DELAY */ | \
				 BIT(3) /* CLOCKSOURCE2 */ | BIT(24) /* CLOCKSOURCE_STABLE_BIT */)

#define VENDOR_AMD_EBX	0x68747541	/* "Auth" */
#define VENDOR_HYGON_EBX 0x6f677948	/* "Hygo" */

static unsigned int order_of(unsigned int n)
{
	unsigned int o = 0;

	while ((1U << o) < n)
		o++;
	return o;
}

static bool leaf_dropped(u32 fn)
{
	switch (fn) {
	case 0xa:		/* PMU */
	case 0xb:		/* rebuilt below */
	case 0xd:		/* XSAVE state */
	case 0x12:		/* SGX */
	case 0x14:		/* PT */
	case 0x19: case 0x1d: case 0x1e: /* KeyLocker, AMX */
	case 0x1f:		/* V2 topology: 0xb is enough */
	case 0x24:		/* AVX10 */
	case 0x8000001d:	/* AMD cache topology (TOPOEXT) */
	case 0x8000001e:	/* AMD topology (TOPOEXT) */
	case 0x80000022:	/* AMD PerfMonV2 */
	case 0x80000026:	/* AMD extended topology */
		return true;
	}
	return false;
}

struct kvm_cpuid2 *cpuid_filter(const struct kvm_cpuid2 *sup, unsigned int id,
				unsigned int ncpus)
{
	unsigned int order = order_of(ncpus), n = 0;
	struct kvm_cpuid2 *c;
	bool amd = false;

	c = calloc(1, sizeof(*c) + (sup->nent + 3) * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	for (u32 i = 0; i < sup->nent; i++)
		if (sup->entries[i].function == 0)
			amd = sup->entries[i].ebx == VENDOR_AMD_EBX ||
			      sup->entries[i].ebx == VENDOR_HYGON_EBX;

	for (u32 i = 0; i < sup->nent; i++) {
		struct kvm_cpuid_entry2 e = sup->entries[i];

		if (leaf_dropped(e.function))
			continue;
		switch (e.function) {
		case 0:
			e.eax = MAX(e.eax, 0xbU);	/* leaf 0xb is always there */
			break;
		case 1:
			e.ecx &= ~L1_ECX_DROP;
			e.ecx |= L1_ECX_HYPERVISOR;
			e.ebx &= 0x0000ffff;
			e.ebx |= id << 24;				/* initial APIC ID */
			if (ncpus > 1) {
				e.ebx |= (1U << order) << 16;		/* logical CPUs */
				e.edx |= L1_EDX_HTT;
			} else {
				e.edx &= ~L1_EDX_HTT;
			}
			break;
		case 4:
			/* Cores per package - 1; each core its own caches. */
			e.eax &= ~(0x3fU << 26 | 0xfffU << 14);
			e.eax |= ((1U << order) - 1) << 26;
			break;
		case 7:
			if (e.index == 0) {
				e.eax = 0;	/* no subleaves */
				e.ebx &= L7_EBX_KEEP;
				e.ecx = 0;
				e.edx &= L7_EDX_KEEP;
			} else {
				e.eax = e.ebx = e.ecx = e.edx = 0;
			}
			break;
		case 0x40000000:
			e.eax = MAX(e.eax, 0x40000001U);	/* KVM features leaf */
			break;
		case 0x40000001:
			e.eax &= KVM_FEATURES_KEEP;
			e.edx = 0;				/* no realtime hint */
			break;
		case 0x80000001:
			e.ecx &= ~LX1_ECX_DROP;
			break;
		case 0x80000008:
			if (amd) {
				e.ecx &= ~0xf0ffU;
				e.ecx |= (order << 12) | (ncpus - 1);
			}
			break;
		}
		c->entries[n++] = e;
	}

	/* Leaf 0xb: one thread per core, ncpus cores in one package. */
	for (u32 sub = 0; sub < 3; sub++) {
		struct kvm_cpuid_entry2 *e = &c->entries[n++];

		memset(e, 0, sizeof(*e));
		e->function = 0xb;
		e->index = sub;
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->edx = id;
		if (sub == 0) {
			e->eax = 0;
			e->ebx = 1;
			e->ecx = 1 << 8 | sub;		/* SMT level */
		} else if (sub == 1) {
			e->eax = order;
			e->ebx = ncpus;
			e->ecx = 2 << 8 | sub;		/* core level */
		} else {
			e->ecx = sub;			/* invalid: end */
		}
	}
	c->nent = n;
	return c;
}

/* GDT: __BOOT_CS 0x10 and __BOOT_DS 0x18 as boot.rst asks, a TSS at 0x20. */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define GDT_TSS		0x00008b0000000067ULL
#define BOOT_CS		0x10
#define BOOT_DS		0x18
#define BOOT_TSS	0x20
#define GDT_ENTRIES	5

#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_PS		0x80ULL

int cpu_write_boot_tables(struct memmap *mem)
{
	u64 *gdt = guest_ptr(mem, GUEST_GDT, GDT_ENTRIES * 8);
	u64 *pml4 = guest_ptr(mem, GUEST_PML4, PAGE_SIZE);
	u64 *pdpt = guest_ptr(mem, GUEST_PDPT, PAGE_SIZE);
	u64 *pd = guest_ptr(mem, GUEST_PD, 4 * PAGE_SIZE);

	if (!gdt || !pml4 || !pdpt || !pd)
		return errf(-ENOMEM, "guest RAM too small for boot page tables");
	memset(gdt, 0, GDT_ENTRIES * 8);
	gdt[BOOT_CS / 8] = GDT_CODE64;
	gdt[BOOT_DS / 8] = GDT_DATA;
	gdt[BOOT_TSS / 8] = GDT_TSS;

	/* Identity map the low 4 GiB with 2M pages: all the kernel needs. */
	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	pml4[0] = GUEST_PDPT | PTE_P | PTE_RW;
	for (u64 i = 0; i < 4; i++)
		pdpt[i] = (GUEST_PD + i * PAGE_SIZE) | PTE_P | PTE_RW;
	for (u64 i = 0; i < 4 * 512; i++)
		pd[i] = (i * SZ_2M) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

#define MSR_IA32_TSC		0x10
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

static int vcpu_set_msrs(struct vcpu *vcpu)
{
	static const struct { u32 index; u64 data; } msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },
		{ MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 },
		{ MSR_STAR, 0 },
		{ MSR_LSTAR, 0 },
		{ MSR_CSTAR, 0 },
		{ MSR_SYSCALL_MASK, 0 },
		{ MSR_KERNEL_GS_BASE, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, 1 },			/* fast strings */
		{ MSR_MTRR_DEF_TYPE, (1 << 11) | 6 },		/* MTRRs on, WB */
	};
	/* struct kvm_msrs ends in a flexible array: room for ours after it. */
	union {
		struct kvm_msrs hdr;
		u8 bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry) * ARRAY_SIZE(msrs)];
	} m = { .hdr.nmsrs = ARRAY_SIZE(msrs) };
	int ret;

	for (unsigned int i = 0; i < ARRAY_SIZE(msrs); i++) {
		m.hdr.entries[i].index = msrs[i].index;
		m.hdr.entries[i].data = msrs[i].data;
	}
	ret = ioctl(vcpu->fd, KVM_SET_MSRS, &m);
	if (ret < 0)
		return errf(-errno, "vcpu %u: KVM_SET_MSRS: %s", vcpu->id, strerror(errno));
	if ((unsigned int)ret != ARRAY_SIZE(msrs))
		return errf(-EINVAL, "vcpu %u: KVM refused MSR 0x%x", vcpu->id, msrs[ret].index);
	return 0;
}

#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

static int vcpu_set_lint(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	u32 *lvt0 = (u32 *)&lapic.regs[APIC_LVT0];
	u32 *lvt1 = (u32 *)&lapic.regs[APIC_LVT1];

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic))
		return errf(-errno, "vcpu %u: KVM_GET_LAPIC: %s", vcpu->id, strerror(errno));
	/* As the MP table says: PIC on LINT0, NMI on LINT1. */
	*lvt0 = (*lvt0 & ~0x700U) | APIC_MODE_EXTINT << 8;
	*lvt1 = (*lvt1 & ~0x700U) | APIC_MODE_NMI << 8;
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic))
		return errf(-errno, "vcpu %u: KVM_SET_LAPIC: %s", vcpu->id, strerror(errno));
	return 0;
}

int vcpu_create(struct vcpu *vcpu, struct kvm *kvm, unsigned int id, unsigned int ncpus,
		const struct kvm_cpuid2 *supported)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_cpuid2 *cpuid;
	int ret;

	vcpu->id = id;
	vcpu->fd = ioctl(kvm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return errf(-errno, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
	vcpu->run = mmap(NULL, kvm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return errf(-errno, "vcpu %u: mmap kvm_run: %s", id, strerror(errno));
	}
	cpuid = cpuid_filter(supported, id, ncpus);
	if (!cpuid)
		return errf(-ENOMEM, "out of memory");
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	if (ret)
		return errf(-errno, "vcpu %u: KVM_SET_CPUID2: %s", id, strerror(errno));
	ret = vcpu_set_msrs(vcpu);
	if (ret)
		return ret;
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu))
		return errf(-errno, "vcpu %u: KVM_SET_FPU: %s", id, strerror(errno));
	return vcpu_set_lint(vcpu);
}

static void seg_flat(struct kvm_segment *s, u16 sel, u8 type, bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

#define CR0_PE		0x1ULL
#define CR0_ET		0x10ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

int vcpu_setup_boot(struct vcpu *vcpu, u64 entry, u64 boot_params)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return errf(-errno, "KVM_GET_SREGS: %s", strerror(errno));
	seg_flat(&sregs.cs, BOOT_CS, 0xb, true);
	seg_flat(&sregs.ds, BOOT_DS, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = BOOT_TSS;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xb;		/* 64-bit TSS, busy */
	sregs.tr.present = 1;
	sregs.gdt.base = GUEST_GDT;
	sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_PG;
	sregs.cr3 = GUEST_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return errf(-errno, "KVM_SET_SREGS: %s", strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;		/* reserved bit; interrupts off */
	regs.rip = entry;
	regs.rsi = boot_params;
	regs.rsp = regs.rbp = GUEST_BOOT_PARAMS - 16;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		return errf(-errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

static const char *exit_name(u32 reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
		[KVM_EXIT_IO] = "KVM_EXIT_IO",
		[KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
		[KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
		[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
		[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
		[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
		[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
		[KVM_EXIT_MEMORY_FAULT] = "KVM_EXIT_MEMORY_FAULT",
	};

	return reason < ARRAY_SIZE(names) && names[reason] ? names[reason] : "unknown exit";
}

static void vcpu_fail(struct vcpu *vcpu, const char *what)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs = { 0 };
	char extra[96] = "";

	ioctl(vcpu->fd, KVM_GET_REGS, &regs);
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		snprintf(extra, sizeof(extra), ", hardware reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		snprintf(extra, sizeof(extra), ", suberror %u", run->internal.suberror);
	else if (run->exit_reason == KVM_EXIT_MEMORY_FAULT)
		snprintf(extra, sizeof(extra), ", gpa 0x%llx",
			 (unsigned long long)run->memory_fault.gpa);
	stop_request(vcpu->stop, 1, "vcpu %u: %s (exit reason %u%s) at rip 0x%llx",
		vcpu->id, what, run->exit_reason, extra, (unsigned long long)regs.rip);
}

int vcpu_run(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct stop *stop = vcpu->stop;

	while (!stop_requested(stop)) {
		if (vcpu->hold && hold_held(vcpu->hold)) {
			hold_park(vcpu->hold);
			/* The pause's kick left it set; a stop is seen at the loop's test. */
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			continue;
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			stop_request(stop, 1, "vcpu %u: KVM_RUN: %s", vcpu->id, strerror(errno));
			return -errno;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			u8 *data = (u8 *)run + run->io.data_offset;

			for (u32 i = 0; i < run->io.count; i++, data += run->io.size)
				bus_access(vcpu->pio, run->io.port, data, run->io.size,
					   run->io.direction == KVM_EXIT_IO_OUT);
			break;
		}
		case KVM_EXIT_MMIO:
			/* Registers only: queue kicks are ioeventfds and never exit. */
			bus_access(vcpu->mmio, run->mmio.phys_addr, run->mmio.data,
				   MIN(run->mmio.len, (u32)sizeof(run->mmio.data)), run->mmio.is_write);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			/* Triple fault: how a PC resets when all else fails. */
			stop_request(stop, 0, "guest reset (triple fault)");
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			stop_request(stop, 0, "guest system event %u", run->system_event.type);
			break;
		case KVM_EXIT_HLT:
			stop_request(stop, 0, "guest halted");
			break;
		default:
			vcpu_fail(vcpu, exit_name(run->exit_reason));
			return -EIO;
		}
	}
	return 0;
}

int vcpu_describe(struct vcpu *vcpu, char *buf, size_t size)
{
	static const char *const states[] = {
		[KVM_MP_STATE_RUNNABLE] = "runnable",
		[KVM_MP_STATE_UNINITIALIZED] = "waiting for INIT/SIPI",
		[KVM_MP_STATE_INIT_RECEIVED] = "INIT received",
		[KVM_MP_STATE_HALTED] = "halted",
		[KVM_MP_STATE_SIPI_RECEIVED] = "SIPI received",
	};
	struct kvm_mp_state mp = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) < 0)
		return -errno;
	snprintf(buf, size, "rip 0x%llx rsp 0x%llx rflags 0x%llx cr3 0x%llx, %s",
		 (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
		 (unsigned long long)regs.rflags, (unsigned long long)sregs.cr3,
		 mp.mp_state < ARRAY_SIZE(states) && states[mp.mp_state] ?
		 states[mp.mp_state] : "other state");
	return 0;
}

static void kick_handler(int sig)
{
}

void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set;
	char name[16];

	/* No SA_RESTART: the kick must interrupt KVM_RUN. */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* Filtered before the guest's first instruction on this vCPU. */
	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	if (sc_install(SC_VCPU, sc_default_mode, name)) {
		stop_request(vcpu->stop, 1, "vcpu %u: %s", vcpu->id, err_msg());
		return NULL;
	}
	vcpu_run(vcpu);
	if (vcpu->hold)
		hold_leave(vcpu->hold);
	return NULL;
}

void vcpu_kick(struct vcpu *vcpu)
{
	/* Also from the API's thread (vm.pause): started is published last. */
	if (!__atomic_load_n(&vcpu->started, __ATOMIC_ACQUIRE))
		return;
	/* Covers the window before the thread enters KVM_RUN. */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, SIGUSR1);
}

void vcpu_destroy(struct vcpu *vcpu, int run_size)
{
	if (vcpu->run)
		munmap(vcpu->run, run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
