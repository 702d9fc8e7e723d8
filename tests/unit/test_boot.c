// SPDX-License-Identifier: GPL-2.0
/* bzImage setup-header parser, command line and initrd placement. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "vmm/boot.h"
#include "vmm/guest.h"

#define IMG_SIZE	(64 * 1024)

static void put(u8 *img, size_t off, u64 v, int n)
{
	for (int i = 0; i < n; i++)
		img[off + i] = v >> (8 * i);
}

/* A header like a 7.x x86_64 bzImage's, built by hand from boot.rst. */
static u8 *fake_bzimage(void)
{
	u8 *img = calloc(1, IMG_SIZE);

	img[0x1f1] = 27;			/* setup_sects */
	put(img, 0x1fe, 0xaa55, 2);		/* boot_flag */
	img[0x200] = 0xeb;			/* jmp */
	img[0x201] = 0x6a;			/* header ends at 0x26c */
	put(img, 0x202, 0x53726448, 4);		/* "HdrS" */
	put(img, 0x206, 0x020f, 2);		/* protocol 2.15 */
	img[0x211] = 0x01;			/* loadflags: LOADED_HIGH */
	put(img, 0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	put(img, 0x230, 0x200000, 4);		/* kernel_alignment */
	img[0x234] = 1;				/* relocatable */
	put(img, 0x236, 0x3, 2);		/* xloadflags: KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	put(img, 0x238, 2047, 4);		/* cmdline_size */
	put(img, 0x258, 0x1000000, 8);		/* pref_address */
	put(img, 0x260, 0x2036000, 4);		/* init_size */
	memset(img + 28 * 512, 0x90, IMG_SIZE - 28 * 512);
	return img;
}

int main(void)
{
	struct bzimage bz;
	char cmd[64];
	u64 addr;
	u8 *img = fake_bzimage();
	int ret;

	ret = bzimage_parse(img, IMG_SIZE, &bz);
	ok(ret == 0, "a well-formed header parses (%s)", ret ? err_msg() : "ok");
	ok(bz.version == 0x020f, "protocol version 2.15 (0x%x)", bz.version);
	ok(bz.setup_sects == 27 && bz.kernel == img + 28 * 512 &&
	   bz.kernel_len == IMG_SIZE - 28 * 512,
	   "protected-mode kernel starts after (setup_sects + 1) * 512 bytes");
	ok(bz.pref_address == 0x1000000 && bz.init_size == 0x2036000 &&
	   bz.cmdline_size == 2047 && bz.initrd_addr_max == 0x7fffffff &&
	   bz.kernel_alignment == 0x200000 && bz.relocatable,
	   "pref_address, init_size, cmdline_size, initrd_addr_max, alignment");
	ok(bz.hdr_end == 0x26c, "setup header length from the jump at 0x200 (0x%x)", bz.hdr_end);

	img[0x1f1] = 0;
	ok(!bzimage_parse(img, IMG_SIZE, &bz) && bz.setup_sects == 4 &&
	   bz.kernel == img + 5 * 512, "setup_sects 0 means 4");
	img[0x1f1] = 27;

	put(img, 0x202, 0x53726449, 4);
	ok(bzimage_parse(img, IMG_SIZE, &bz) == -ENOEXEC && strstr(err_msg(), "not a bzImage"),
	   "bad HdrS magic: %s", err_msg());
	put(img, 0x202, 0x53726448, 4);

	put(img, 0x1fe, 0x0000, 2);
	ok(bzimage_parse(img, IMG_SIZE, &bz) == -ENOEXEC, "no 0xAA55 boot flag");
	put(img, 0x1fe, 0xaa55, 2);

	put(img, 0x206, 0x0206, 2);
	ok(bzimage_parse(img, IMG_SIZE, &bz) == -ENOEXEC && strstr(err_msg(), "too old"),
	   "protocol 2.06 is too old: %s", err_msg());
	put(img, 0x206, 0x020f, 2);

	put(img, 0x236, 0x0, 2);
	ok(bzimage_parse(img, IMG_SIZE, &bz) == -ENOEXEC && strstr(err_msg(), "64-bit"),
	   "no XLF_KERNEL_64: %s", err_msg());
	put(img, 0x236, 0x3, 2);

	img[0x1f1] = 200;
	ok(bzimage_parse(img, IMG_SIZE, &bz) == -ENOEXEC && strstr(err_msg(), "truncated"),
	   "setup larger than the file: %s", err_msg());
	img[0x1f1] = 27;

	ok(bzimage_parse(img, 0x300, &bz) == -ENOEXEC, "a 768-byte file is not a bzImage");
	ok(!bzimage_parse(img, IMG_SIZE, &bz), "header restored parses again");

	/* Command line. */
	ok(!boot_cmdline(cmd, sizeof(cmd), true, NULL) && !strcmp(cmd, BOOT_BASE_CMDLINE),
	   "no --cmdline, ACPI: the defaults (\"%s\")", cmd);
	ok(!boot_cmdline(cmd, sizeof(cmd), false, NULL) && !strcmp(cmd, BOOT_BASE_CMDLINE " acpi=off"),
	   "no ACPI tables: acpi=off (\"%s\")", cmd);
	ok(!boot_cmdline(cmd, sizeof(cmd), true, "quiet") && !strcmp(cmd, BOOT_BASE_CMDLINE " quiet"),
	   "--cmdline is appended (\"%s\")", cmd);
	ok(boot_cmdline(cmd, 40, true, "a very long command line indeed") == -E2BIG,
	   "too long for the kernel: %s", err_msg());

	/* initrd: top of low RAM, page aligned, above the decompressed kernel. */
	ret = boot_initrd_addr(&bz, 256ULL << 20, 1000000, &addr);
	ok(!ret && addr == ALIGN_DOWN((256ULL << 20) - 1000000, 4096),
	   "initrd at the top of 256M (0x%llx)", (unsigned long long)addr);
	ret = boot_initrd_addr(&bz, GUEST_HOLE_START, 1 << 20, &addr);
	ok(!ret && addr + (1 << 20) <= GUEST_HOLE_START && addr >= 0x7f000000ULL - (1 << 20),
	   "3G of low RAM: initrd stays under initrd_addr_max (0x%llx)", (unsigned long long)addr);
	ok(boot_initrd_addr(&bz, 48ULL << 20, 16 << 20, &addr) == -ENOMEM,
	   "48M cannot hold the kernel and a 16M initrd: %s", err_msg());
	free(img);
	return tap_done();
}
