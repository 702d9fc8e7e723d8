// SPDX-License-Identifier: GPL-2.0
/*
 * The guest DTB: parsed back with libfdt and checked for what the x86
 * kernel needs (restricted-dma-pool, memory-region, IOAPIC interrupts,
 * CPUs). With an argument, also writes the blob there (for QEMU -dtb
 * experiments; see virtio/README.md).
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "virtio/fdt.h"

static uint64_t reg64(const void *fdt, int node, int i)
{
	int len;
	const char *p = fdt_getprop(fdt, node, "reg", &len);
	fdt64_t v;

	/* Properties are only 4-byte aligned. */
	if (!p || len < (i + 1) * 8)
		return ~0ULL;
	memcpy(&v, p + 8 * i, 8);
	return fdt64_to_cpu(v);
}

int main(int argc, char **argv)
{
	static char buf[16384];
	struct mmio_dev devs[3] = {
		{ 0xd0000000, 0x200, 16 }, { 0xd0001000, 0x200, 17 }, { 0xd0002000, 0x200, 18 },
	};
	struct fdt_config cfg = {
		.cpus = 2, .window_gpa = 0x100000000ULL, .window_size = 64ULL << 20,
		.devs = devs, .ndevs = 3,
	};
	const fdt32_t *p;
	int n, node, win, ioapic, len, i, cpus = 0;

	n = fdt_build(&cfg, buf, sizeof(buf));
	if (!ok(n > 0 && fdt_check_header(buf) == 0, "DTB built (%d bytes)", n))
		return tap_done();
	ok(fdt_build(&cfg, buf + 8192, 128) == -ENOSPC, "too small a buffer: -ENOSPC");
	devs[2].gsi = 24;
	ok(fdt_build(&cfg, buf + 8192, 8192) == -EINVAL, "IOAPIC pin 24: -EINVAL");
	devs[2].gsi = 18;

	win = fdt_path_offset(buf, "/reserved-memory/restricted-dma@100000000");
	ok(win >= 0 && !strcmp(fdt_getprop(buf, win, "compatible", NULL), "restricted-dma-pool"),
	   "/reserved-memory/restricted-dma@100000000 is a restricted-dma-pool");
	ok(reg64(buf, win, 0) == 0x100000000ULL && reg64(buf, win, 1) == 64ULL << 20,
	   "pool reg = window (4 GiB, 64 MiB)");
	ok(!fdt_getprop(buf, win, "no-map", NULL), "pool is mapped (no no-map)");
	node = fdt_path_offset(buf, "/reserved-memory");
	ok(fdt_getprop(buf, node, "ranges", &len) && len == 0, "/reserved-memory has empty ranges");
	ioapic = fdt_node_offset_by_compatible(buf, -1, "intel,ce4100-ioapic");
	ok(ioapic >= 0 && fdt_getprop(buf, ioapic, "interrupt-controller", NULL) &&
	   reg64(buf, ioapic, 0) == 0xfec00000, "IOAPIC at 0xfec00000 (intel,ce4100-ioapic)");
	p = fdt_getprop(buf, ioapic, "#interrupt-cells", NULL);
	ok(p && fdt32_to_cpu(*p) == 2, "#interrupt-cells = 2");
	node = fdt_node_offset_by_compatible(buf, -1, "intel,ce4100-lapic");
	ok(node >= 0 && fdt_getprop(buf, node, "intel,virtual-wire-mode", NULL),
	   "LAPIC in virtual-wire mode");
	p = fdt_getprop(buf, 0, "interrupt-parent", NULL);
	ok(p && fdt_node_offset_by_phandle(buf, fdt32_to_cpu(*p)) == ioapic,
	   "root interrupt-parent is the IOAPIC");

	for (i = 0; i < 3; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/virtio_mmio@%llx", (unsigned long long)devs[i].base);
		node = fdt_path_offset(buf, path);
		p = fdt_getprop(buf, node, "memory-region", NULL);
		ok(node >= 0 && p && fdt_node_offset_by_phandle(buf, fdt32_to_cpu(*p)) == win,
		   "%s: memory-region -> the pool", path);
		p = fdt_getprop(buf, node, "interrupts", &len);
		ok(p && len == 8 && fdt32_to_cpu(p[0]) == devs[i].gsi &&
		   fdt32_to_cpu(p[1]) == FDT_IRQ_EDGE_RISING, "%s: interrupts <%u edge>",
		   path, devs[i].gsi);
		ok(reg64(buf, node, 0) == devs[i].base && reg64(buf, node, 1) == 0x200,
		   "%s: reg", path);
	}
	fdt_for_each_subnode(node, buf, fdt_path_offset(buf, "/cpus"))
		cpus++;
	ok(cpus == 2, "two CPU nodes");

	/* Window off: no pool, no memory-region. */
	cfg.window_size = 0;
	ok(fdt_build(&cfg, buf + 8192, 8192) > 0 &&
	   fdt_path_offset(buf + 8192, "/reserved-memory") < 0 &&
	   !fdt_getprop(buf + 8192, fdt_path_offset(buf + 8192, "/virtio_mmio@d0000000"),
			"memory-region", NULL), "window off: no pool, no memory-region");

	if (argc > 1) {	/* qemu-microvm layout, for the README experiment */
		FILE *f = fopen(argv[1], "w");
		struct mmio_dev q[8];

		for (i = 0; i < 8; i++)
			q[i] = (struct mmio_dev){ 0xfeb00000 + 0x200 * i, 0x200, 5 + i };
		cfg = (struct fdt_config){ .cpus = 1, .window_gpa = 0x10000000,
					   .window_size = 64ULL << 20, .devs = q, .ndevs = 8 };
		n = fdt_build(&cfg, buf, sizeof(buf));
		ok(f && n > 0 && fwrite(buf, 1, n, f) == (size_t)n, "wrote %s", argv[1]);
		if (f)
			fclose(f);
	}
	return tap_done();
}
