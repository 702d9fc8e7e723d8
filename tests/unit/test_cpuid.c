// SPDX-License-Identifier: GPL-2.0
/* The CPUID model the guest sees, from a made-up "supported" table. */
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>

#include "tests/tap.h"
#include "vmm/cpu.h"

static struct kvm_cpuid2 *sup;

static void add(u32 fn, u32 idx, u32 a, u32 b, u32 c, u32 d)
{
	struct kvm_cpuid_entry2 *e = &sup->entries[sup->nent++];

	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, u32 fn, u32 idx)
{
	for (u32 i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

int main(void)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;

	sup = calloc(1, sizeof(*sup) + 64 * sizeof(sup->entries[0]));
	add(0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);	/* AuthenticAMD */
	add(1, 0, 0x00a00f11, 0x00020800, 0xfed83203 | 1U << 26 | 1U << 28 | 1U << 21 | 1U << 24,
	    0x178bfbff);
	add(7, 0, 1, 0xffffffff, 0xffffffff, 0xffffffff);
	add(7, 1, 0, 0xffffffff, 0, 0);
	add(0xd, 0, 0x207, 0x340, 0x988, 0);
	add(0xd, 1, 0xf, 0, 0, 0);
	add(0xa, 0, 0x07300402, 0, 0, 0);
	add(0x1f, 0, 0, 1, 0x100, 0);
	add(0x40000000, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d);
	add(0x40000001, 0, 0x01007afb, 0, 0, 0);
	add(0x80000000, 0, 0x80000022, 0, 0, 0);
	add(0x80000001, 0, 0, 0, 0x75c237ff, 0x2fd3fbff);
	add(0x80000008, 0, 0x3030, 0, 0x7007, 0);
	add(0x8000001e, 0, 0, 0x100, 0, 0);

	c = cpuid_filter(sup, 2, 3);
	ok(c != NULL, "filter returns a table");
	e = find(c, 1, 0);
	ok(e && (e->ecx & 1U << 31), "hypervisor bit set");
	ok(e && !(e->ecx & (1U << 26 | 1U << 27 | 1U << 28)), "no XSAVE, OSXSAVE, AVX");
	ok(e && (e->ecx & 1U << 21), "x2APIC kept");
	ok(e && (e->ecx & 1U << 24), "TSC-deadline timer kept (the LAPIC timer needs it when nested)");
	ok(e && !(e->ecx & 1U << 5), "no VMX");
	ok(e && e->ebx >> 24 == 2, "leaf 1 initial APIC ID is the vCPU index (%u)", e ? e->ebx >> 24 : 0);
	ok(e && ((e->ebx >> 16) & 0xff) == 4 && (e->edx & 1U << 28),
	   "leaf 1: 4 logical IDs for 3 CPUs, HTT set");
	ok(e && (e->ebx & 0xffff) == 0x0800, "CLFLUSH size and brand kept");
	ok(!find(c, 0xd, 0) && !find(c, 0xd, 1), "no XSAVE leaf 0xd");
	ok(!find(c, 0xa, 0), "no PMU leaf 0xa");
	ok(!find(c, 0x1f, 0) && !find(c, 0x8000001e, 0), "no V2/AMD extended topology leaves");
	e = find(c, 7, 0);
	ok(e && !(e->ebx & 1U << 5) && !(e->ebx & 1U << 16) && (e->ebx & 1U << 0) &&
	   e->ecx == 0 && e->eax == 0, "leaf 7: no AVX2/AVX-512, FSGSBASE kept, no subleaves");
	e = find(c, 7, 1);
	ok(e && !e->eax && !e->ebx && !e->ecx && !e->edx, "leaf 7.1 empty");
	e = find(c, 0xb, 0);
	ok(e && e->ebx == 1 && ((e->ecx >> 8) & 0xff) == 1 && e->edx == 2,
	   "leaf 0xb.0: SMT level, 1 thread, x2APIC ID 2");
	e = find(c, 0xb, 1);
	ok(e && e->ebx == 3 && e->eax == 2 && ((e->ecx >> 8) & 0xff) == 2,
	   "leaf 0xb.1: core level, 3 CPUs, shift 2");
	e = find(c, 0xb, 2);
	ok(e && ((e->ecx >> 8) & 0xff) == 0, "leaf 0xb.2 ends the list");
	e = find(c, 0, 0);
	ok(e && e->eax >= 0xb, "max basic leaf covers 0xb");
	e = find(c, 0x40000000, 0);
	ok(e && e->ebx == 0x4b4d564b && e->eax >= 0x40000001, "KVM signature leaf kept");
	e = find(c, 0x40000001, 0);
	ok(e && e->eax == (1U << 0 | 1U << 1 | 1U << 3 | 1U << 24),
	   "KVM features: kvmclock, clocksource2, stable bit, nopiodelay only (0x%x)", e ? e->eax : 0);
	e = find(c, 0x80000001, 0);
	ok(e && !(e->ecx & (1U << 2 | 1U << 22)), "no SVM, no TOPOEXT");
	e = find(c, 0x80000008, 0);
	ok(e && (e->ecx & 0xff) == 2 && ((e->ecx >> 12) & 0xf) == 2,
	   "AMD 0x80000008: NC = 2, ApicIdSize = 2");
	free(c);

	c = cpuid_filter(sup, 0, 1);
	e = find(c, 1, 0);
	ok(e && !(e->edx & 1U << 28) && e->ebx >> 24 == 0, "one CPU: no HTT, APIC ID 0");
	free(c);
	free(sup);
	return tap_done();
}
