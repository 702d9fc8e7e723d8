/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_GUEST_H
#define PNVM_GUEST_H

#include "lib/memmap.h"

/*
 * Guest physical layout (x86_64, no firmware):
 *
 *   0x000500  GDT                       0x09fc00  EBDA (reserved)
 *   0x007000  boot_params (zero page)   0x0f0000  MP table (reserved)
 *   0x009000  PML4, PDPT, 4 PDs         0x100000  kernel (protected mode)
 *   0x020000  kernel command line       top of low RAM: initrd
 *   0x030000  setup_data: the DTB (window mode)
 *
 * RAM fills [0, 3G); the rest goes above 4G, past the 32-bit hole that
 * holds the virtio-mmio devices, the IOAPIC, LAPIC and KVM's TSS pages.
 * The shared window follows the top of RAM (guest_window_gpa()).
 */
#define GUEST_GDT		0x500ULL
#define GUEST_BOOT_PARAMS	0x7000ULL
#define GUEST_PML4		0x9000ULL
#define GUEST_PDPT		0xa000ULL
#define GUEST_PD		0xb000ULL	/* 4 pages: 4 GiB of 2M pages */
#define GUEST_CMDLINE		0x20000ULL
#define GUEST_CMDLINE_MAX	0x10000ULL
/* Below 1M, which x86 Linux reserves whole: setup_data is never reused. */
#define GUEST_SETUP_DATA	0x30000ULL
#define GUEST_SETUP_DATA_MAX	0x10000ULL
#define GUEST_EBDA		0x9fc00ULL
#define GUEST_LOW_END		0xa0000ULL	/* VGA hole and BIOS area above */
#define GUEST_BIOS		0xf0000ULL
#define GUEST_MPTABLE		GUEST_BIOS
#define GUEST_HIGH		0x100000ULL
#define GUEST_KERNEL		GUEST_HIGH
#define GUEST_HOLE_START	0xc0000000ULL
#define GUEST_4G		0x100000000ULL
#define GUEST_IOAPIC		0xfec00000ULL
#define GUEST_LAPIC		0xfee00000ULL
#define GUEST_TSS		0xfffbd000ULL	/* KVM_SET_TSS_ADDR, 3 pages */
#define GUEST_IDMAP		0xfffbc000ULL
/*
 * virtio-mmio transports, one page apart, in the 32-bit hole; device i
 * interrupts on IOAPIC pin (= KVM GSI) 16 + i, pins no ISA device uses.
 */
#define GUEST_VIRTIO_BASE	0xd0000000ULL
#define GUEST_VIRTIO_STRIDE	0x1000ULL
#define GUEST_VIRTIO_GSI	16

/* Split memory bytes of RAM around the 32-bit hole: one or two regions. */
int guest_layout(struct memmap *g, u64 memory);

/*
 * The only way the VMM reaches guest memory: the host address of
 * [gpa, gpa + len) if it lies inside one mapped region, else NULL.
 */
static inline void *guest_ptr(const struct memmap *g, u64 gpa, u64 len)
{
	return memmap_ptr(g, REGION_ANY, gpa, len);
}

/* Guest RAM bytes in all RAM regions. */
u64 guest_ram_size(const struct memmap *g);

/* Highest RAM gpa + 1 below the hole. */
u64 guest_low_ram_end(const struct memmap *g);

/*
 * Where a shared window of @size bytes goes for @memory bytes of RAM:
 * the first 2 MiB boundary after the top of RAM, or 4G when that would
 * reach into the 32-bit hole.
 */
u64 guest_window_gpa(u64 memory, u64 size);

/* BIOS e820 types. */
#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

/*
 * The e820 map for g; returns the number of entries or -ENOSPC. The
 * shared window is RAM too: a restricted-dma-pool must be in the linear
 * map, and the DT's /reserved-memory keeps the guest's allocator off it.
 */
int guest_e820(const struct memmap *g, struct e820_entry *tab, int max);

#endif
