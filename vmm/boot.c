// SPDX-License-Identifier: GPL-2.0
/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst): parse the
 * bzImage setup header, fill the zero page and load everything in place
 * for the 64-bit entry point.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <asm/bootparam.h>

#include "vmm/boot.h"
#include "vmm/guest.h"

#define HDR_OFF		0x1f1	/* struct setup_header in the image */
#define HDR_MAGIC	0x53726448	/* "HdrS" */

static u32 get_le(const u8 *p, int n)
{
	u32 v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define HDR(field)	(HDR_OFF + offsetof(struct setup_header, field))
#define HDR_GET(img, field) \
	get_le((img) + HDR(field), sizeof(((struct setup_header *)0)->field))

int bzimage_parse(const void *buf, size_t len, struct bzimage *bz)
{
	const u8 *img = buf;
	size_t setup_len;

	memset(bz, 0, sizeof(*bz));
	if (len < 0x1000)
		return errf(-ENOEXEC, "kernel image too small for a bzImage (%zu bytes)", len);
	if (HDR_GET(img, boot_flag) != 0xaa55 || HDR_GET(img, header) != HDR_MAGIC)
		return errf(-ENOEXEC, "not a bzImage (no boot signature or HdrS magic)");
	bz->version = HDR_GET(img, version);
	if (bz->version < BOOT_MIN_PROTOCOL)
		return errf(-ENOEXEC, "boot protocol %u.%02u is too old (need 2.12)",
			    bz->version >> 8, bz->version & 0xff);
	bz->setup_sects = HDR_GET(img, setup_sects);
	if (!bz->setup_sects)
		bz->setup_sects = 4;	/* boot.rst: 0 means 4 */
	bz->xloadflags = HDR_GET(img, xloadflags);
	if (!(bz->xloadflags & XLF_KERNEL_64))
		return errf(-ENOEXEC, "bzImage has no 64-bit entry point (XLF_KERNEL_64)");
	bz->loadflags = HDR_GET(img, loadflags);
	if (!(bz->loadflags & LOADED_HIGH))
		return errf(-ENOEXEC, "bzImage does not load high (zImage?)");
	bz->relocatable = HDR_GET(img, relocatable_kernel);
	bz->kernel_alignment = HDR_GET(img, kernel_alignment);
	bz->initrd_addr_max = HDR_GET(img, initrd_addr_max);
	bz->cmdline_size = HDR_GET(img, cmdline_size);
	bz->init_size = HDR_GET(img, init_size);
	bz->pref_address = (u64)HDR_GET(img, pref_address) |
			   (u64)get_le(img + HDR(pref_address) + 4, 4) << 32;
	/* The header's length is in the jump at 0x200: 0x202 + its offset. */
	bz->hdr_end = 0x202 + img[0x201];
	if (bz->hdr_end > HDR_OFF + sizeof(struct setup_header))
		bz->hdr_end = HDR_OFF + sizeof(struct setup_header);
	setup_len = (size_t)(bz->setup_sects + 1) * 512;
	if (setup_len >= len)
		return errf(-ENOEXEC, "bzImage truncated (setup %zu bytes, file %zu)", setup_len, len);
	bz->image = img;
	bz->image_len = len;
	bz->kernel = img + setup_len;
	bz->kernel_len = len - setup_len;
	if (bz->init_size < bz->kernel_len)
		bz->init_size = bz->kernel_len;
	return 0;
}

int boot_cmdline(char *buf, size_t size, bool acpi, const char *user)
{
	int n = snprintf(buf, size, "%s%s%s%s", BOOT_BASE_CMDLINE, acpi ? "" : " acpi=off",
			 user && *user ? " " : "", user ? user : "");

	if (n < 0 || (size_t)n >= size)
		return errf(-E2BIG, "--cmdline too long (%d bytes, the kernel takes %zu)",
			    n, size - 1);
	return 0;
}

int boot_initrd_addr(const struct bzimage *bz, u64 low_ram_end, size_t initrd_len,
		     u64 *addr)
{
	/* The decompressed kernel runs from pref_address up to init_size. */
	u64 kernel_end = MAX(GUEST_KERNEL, bz->pref_address) + bz->init_size;
	u64 top = MIN(low_ram_end, (u64)bz->initrd_addr_max + 1);
	u64 a;

	if (initrd_len > top)
		return errf(-ENOMEM, "initrd (%.1f MiB) does not fit in guest memory",
			    initrd_len / 1048576.0);
	a = ALIGN_DOWN(top - initrd_len, PAGE_SIZE);
	if (a < kernel_end)
		return errf(-ENOMEM, "guest memory too small for kernel (%.1f MiB from %llu MiB) and initrd (%.1f MiB)",
			    bz->init_size / 1048576.0,
			    (unsigned long long)(MAX(GUEST_KERNEL, bz->pref_address) >> 20),
			    initrd_len / 1048576.0);
	*addr = a;
	return 0;
}

int boot_load(struct memmap *mem, const struct bzimage *bz, const char *cmdline,
	      const void *initrd, size_t initrd_len)
{
	struct e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	size_t cmd_len = strlen(cmdline) + 1;
	struct boot_params *bp;
	void *kernel, *cmd;
	int n, ret;

	if (cmd_len > (size_t)bz->cmdline_size + 1 || cmd_len > GUEST_CMDLINE_MAX)
		return errf(-E2BIG, "kernel command line is %zu bytes, the kernel takes %u",
			    cmd_len - 1, bz->cmdline_size);
	kernel = guest_ptr(mem, GUEST_KERNEL, bz->kernel_len);
	bp = guest_ptr(mem, GUEST_BOOT_PARAMS, sizeof(*bp));
	cmd = guest_ptr(mem, GUEST_CMDLINE, cmd_len);
	if (!kernel || !bp || !cmd)
		return errf(-ENOMEM, "guest memory too small for the kernel");
	memcpy(kernel, bz->kernel, bz->kernel_len);
	memcpy(cmd, cmdline, cmd_len);

	/* Zero page: the image's own setup header, then what a loader sets. */
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, bz->image + HDR_OFF, bz->hdr_end - HDR_OFF);
	bp->hdr.type_of_loader = 0xff;		/* undefined loader */
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.loadflags &= ~QUIET_FLAG;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.cmd_line_ptr = GUEST_CMDLINE;
	bp->hdr.vid_mode = 0xffff;		/* "normal" */
	bp->hdr.code32_start = GUEST_KERNEL;

	if (initrd && initrd_len) {
		u64 addr;
		void *dst;

		ret = boot_initrd_addr(bz, guest_low_ram_end(mem), initrd_len, &addr);
		if (ret)
			return ret;
		dst = guest_ptr(mem, addr, initrd_len);
		if (!dst)
			return errf(-ENOMEM, "initrd does not fit in guest RAM");
		memcpy(dst, initrd, initrd_len);
		bp->hdr.ramdisk_image = addr;
		bp->hdr.ramdisk_size = initrd_len;
	}

	n = guest_e820(mem, e820, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0)
		return errf(n, "e820 map too large");
	for (int i = 0; i < n; i++) {
		bp->e820_table[i].addr = e820[i].addr;
		bp->e820_table[i].size = e820[i].size;
		bp->e820_table[i].type = e820[i].type;
	}
	bp->e820_entries = n;
	return 0;
}
