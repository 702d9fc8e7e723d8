// SPDX-License-Identifier: GPL-2.0
/* The guest device tree; see fdt.h and README.md. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>

#include "virtio/fdt.h"

#define PH_IOAPIC	1
#define PH_WINDOW	2

/* reg = <addr-hi addr-lo size-hi size-lo> with 2/2 cells. */
static int prop_reg(void *fdt, uint64_t addr, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(addr), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int node_cells(void *fdt, uint32_t addr, uint32_t size)
{
	int ret = fdt_property_u32(fdt, "#address-cells", addr);

	return ret ? ret : fdt_property_u32(fdt, "#size-cells", size);
}

static int build(const struct fdt_config *cfg, void *fdt)
{
	char name[64];
	unsigned int i;
	int ret = 0;

#define T(x) do { if ((ret = (x))) return ret; } while (0)
	T(fdt_finish_reservemap(fdt));
	T(fdt_begin_node(fdt, ""));
	T(node_cells(fdt, 2, 2));
	T(fdt_property_string(fdt, "compatible", "pnvm,virt"));
	T(fdt_property_string(fdt, "model", "pnvm"));
	T(fdt_property_u32(fdt, "interrupt-parent", PH_IOAPIC));

	/* x86_dtb_parse_smp_config() registers CPUs by APIC ID from here. */
	T(fdt_begin_node(fdt, "cpus"));
	T(node_cells(fdt, 1, 0));
	for (i = 0; i < cfg->cpus; i++) {
		snprintf(name, sizeof(name), "cpu@%x", i);
		T(fdt_begin_node(fdt, name));
		T(fdt_property_string(fdt, "device_type", "cpu"));
		T(fdt_property_u32(fdt, "reg", i));
		T(fdt_end_node(fdt));
	}
	T(fdt_end_node(fdt));

	/*
	 * Virtual-wire mode: KVM has no IMCR (ports 0x22/0x23), which PIC
	 * mode would poke when switching to the APIC.
	 */
	snprintf(name, sizeof(name), "interrupt-controller@%llx",
		 (unsigned long long)FDT_LAPIC_BASE);
	T(fdt_begin_node(fdt, name));
	T(fdt_property_string(fdt, "compatible", "intel,ce4100-lapic"));
	T(prop_reg(fdt, FDT_LAPIC_BASE, 0x1000));
	T(fdt_property(fdt, "intel,virtual-wire-mode", NULL, 0));
	T(fdt_end_node(fdt));

	/* The one IOAPIC x86's DT code understands: pins are GSIs 0-23. */
	snprintf(name, sizeof(name), "interrupt-controller@%llx",
		 (unsigned long long)FDT_IOAPIC_BASE);
	T(fdt_begin_node(fdt, name));
	T(fdt_property_string(fdt, "compatible", "intel,ce4100-ioapic"));
	T(prop_reg(fdt, FDT_IOAPIC_BASE, 0x1000));
	T(fdt_property(fdt, "interrupt-controller", NULL, 0));
	T(fdt_property_u32(fdt, "#interrupt-cells", 2));
	T(fdt_property_u32(fdt, "phandle", PH_IOAPIC));
	T(fdt_end_node(fdt));

	if (cfg->window_size) {
		T(fdt_begin_node(fdt, "reserved-memory"));
		T(node_cells(fdt, 2, 2));
		T(fdt_property(fdt, "ranges", NULL, 0));
		snprintf(name, sizeof(name), "restricted-dma@%llx",
			 (unsigned long long)cfg->window_gpa);
		T(fdt_begin_node(fdt, name));
		/* No "no-map": swiotlb needs the pool in the linear map. */
		T(fdt_property_string(fdt, "compatible", "restricted-dma-pool"));
		T(prop_reg(fdt, cfg->window_gpa, cfg->window_size));
		T(fdt_property_u32(fdt, "phandle", PH_WINDOW));
		T(fdt_end_node(fdt));
		T(fdt_end_node(fdt));
	}

	for (i = 0; i < cfg->ndevs; i++) {
		const struct mmio_dev *d = &cfg->devs[i];
		fdt32_t irq[2] = { cpu_to_fdt32(d->gsi),
				   cpu_to_fdt32(FDT_IRQ_EDGE_RISING) };

		snprintf(name, sizeof(name), "virtio_mmio@%llx",
			 (unsigned long long)d->base);
		T(fdt_begin_node(fdt, name));
		T(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		T(prop_reg(fdt, d->base, d->size));
		/* irqfd injects edges; virtio-mmio's ISR is read-to-learn, write-to-ack. */
		T(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
		T(fdt_property(fdt, "dma-coherent", NULL, 0));
		if (cfg->window_size)
			T(fdt_property_u32(fdt, "memory-region", PH_WINDOW));
		T(fdt_end_node(fdt));
	}
	T(fdt_end_node(fdt));
	T(fdt_finish(fdt));
#undef T
	return 0;
}

int fdt_build(const struct fdt_config *cfg, void *buf, size_t size)
{
	unsigned int i;
	int ret;

	if (!cfg->cpus || cfg->cpus > 255 || (cfg->ndevs && !cfg->devs))
		return -EINVAL;
	if (cfg->window_gpa + cfg->window_size < cfg->window_gpa)
		return -EINVAL;
	for (i = 0; i < cfg->ndevs; i++)
		if (cfg->devs[i].gsi > 23)
			return -EINVAL;
	if (size > INT32_MAX)
		size = INT32_MAX;
	ret = fdt_create(buf, size);
	if (!ret)
		ret = build(cfg, buf);
	if (ret)
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	return fdt_totalsize(buf);
}
