/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_BOOT_H
#define PNVM_BOOT_H

#include "lib/util.h"

struct memmap;

/*
 * Always on the guest command line. reboot=k: the guest's "reboot -f"
 * resets through the i8042, which ends pnvm with status 0 (the ACPI
 * tables have no sleep registers, so "poweroff -f" would only halt).
 * panic=-1: a panicking guest reboots too instead of hanging. The
 * machine description adds acpi=off when it gives no ACPI tables.
 */
#define BOOT_BASE_CMDLINE	"console=ttyS0 reboot=k panic=-1"

/* Oldest boot protocol with xloadflags (64-bit entry) and init_size. */
#define BOOT_MIN_PROTOCOL	0x020c

/* What pnvm needs from a bzImage's setup header (boot.rst). */
struct bzimage {
	u16 version;		/* boot protocol */
	u8 setup_sects;
	u16 xloadflags;
	u8 loadflags;
	bool relocatable;
	u32 kernel_alignment;
	u32 initrd_addr_max;
	u32 cmdline_size;
	u32 init_size;
	u64 pref_address;
	u32 hdr_end;		/* offset just past the setup header */
	const u8 *image;
	size_t image_len;
	const u8 *kernel;	/* protected-mode part */
	size_t kernel_len;
};

/* Check and decode a bzImage in memory. -ENOEXEC + errf() if it is not one. */
int bzimage_parse(const void *buf, size_t len, struct bzimage *bz);

/*
 * BOOT_BASE_CMDLINE, acpi=off unless the guest gets ACPI tables (a kernel
 * with ACPI would otherwise search the BIOS area and, with a DT, ignore
 * the DT's CPUs and IOAPIC), then the user's part, into buf.
 */
int boot_cmdline(char *buf, size_t size, bool acpi, const char *user);

/* Guest address where the initrd goes: top of low RAM, under the limits. */
int boot_initrd_addr(const struct bzimage *bz, u64 low_ram_end, size_t initrd_len,
		     u64 *addr);

/*
 * Load kernel, command line, initrd and boot_params (with the e820 map)
 * into guest memory. The 64-bit entry point is GUEST_KERNEL + 0x200 with
 * %rsi = GUEST_BOOT_PARAMS.
 */
int boot_load(struct memmap *mem, const struct bzimage *bz, const char *cmdline,
	      const void *initrd, size_t initrd_len);

#define BOOT_ENTRY_64		0x200

#endif
