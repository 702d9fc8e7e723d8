// SPDX-License-Identifier: GPL-2.0
/* Intel MultiProcessor Specification 1.4 tables (structures per the spec). */
#include <errno.h>
#include <string.h>

#include "vmm/guest.h"
#include "vmm/mptable.h"

#define MP_IRQS			16
#define MP_APIC_VERSION		0x14
#define MP_IOAPIC_VERSION	0x11
/* irqflag: polarity bits 1:0 = 01 active high, trigger bits 3:2 = 01 edge */

struct mpf {			/* floating pointer */
	char signature[4];	/* "_MP_" */
	u32 physptr;
	u8 length;		/* 16-byte units */
	u8 specrev;
	u8 checksum;
	u8 feature[5];
} __attribute__((packed));

struct mpc_header {
	char signature[4];	/* "PCMP" */
	u16 length;
	u8 specrev;
	u8 checksum;
	char oem[8];
	char product[12];
	u32 oemptr;
	u16 oemsize;
	u16 count;
	u32 lapic;
	u16 extlen;
	u8 extchecksum;
	u8 reserved;
} __attribute__((packed));

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };

struct mpc_cpu {
	u8 type;
	u8 apicid;
	u8 apicver;
	u8 flags;		/* 1: enabled, 2: boot processor */
	u32 signature;
	u32 features;
	u32 reserved[2];
} __attribute__((packed));

struct mpc_bus {
	u8 type;
	u8 busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	u8 type;
	u8 apicid;
	u8 apicver;
	u8 flags;
	u32 addr;
} __attribute__((packed));

struct mpc_intsrc {		/* also the local interrupt entry */
	u8 type;
	u8 irqtype;
	u16 irqflag;
	u8 srcbus;
	u8 srcbusirq;
	u8 dstapic;
	u8 dstirq;
} __attribute__((packed));

size_t mptable_size(unsigned int ncpus)
{
	return sizeof(struct mpf) + sizeof(struct mpc_header) +
	       ncpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
	       sizeof(struct mpc_ioapic) +
	       (MP_IRQS + 2) * sizeof(struct mpc_intsrc);
}

static u8 checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return -sum;
}

int mptable_write(struct memmap *mem, unsigned int ncpus)
{
	size_t size = mptable_size(ncpus);
	u8 ioapic_id = ncpus;
	struct mpc_header *mpc;
	struct mpf *mpf;
	u8 *base, *p;
	u16 count = 0;

	if (ncpus == 0 || ncpus > 254)
		return errf(-EINVAL, "MP table: %u CPUs", ncpus);
	base = guest_ptr(mem, GUEST_MPTABLE, size);
	if (!base || GUEST_MPTABLE + size > GUEST_HIGH)
		return errf(-ENOMEM, "MP table does not fit below 1M");
	memset(base, 0, size);
	mpf = (struct mpf *)base;
	mpc = (struct mpc_header *)(mpf + 1);
	p = (u8 *)(mpc + 1);

	for (unsigned int i = 0; i < ncpus; i++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;

		c->type = MP_PROCESSOR;
		c->apicid = i;
		c->apicver = MP_APIC_VERSION;
		c->flags = 1 | (i == 0 ? 2 : 0);
		c->signature = 0x600;		/* family 6 */
		c->features = 0x201;		/* FPU, APIC */
		p += sizeof(*c);
		count++;
	}

	struct mpc_bus *bus = (struct mpc_bus *)p;
	bus->type = MP_BUS;
	bus->busid = 0;
	memcpy(bus->bustype, "ISA   ", 6);
	p += sizeof(*bus);
	count++;

	struct mpc_ioapic *io = (struct mpc_ioapic *)p;
	io->type = MP_IOAPIC;
	io->apicid = ioapic_id;
	io->apicver = MP_IOAPIC_VERSION;
	io->flags = 1;
	io->addr = GUEST_IOAPIC;
	p += sizeof(*io);
	count++;

	for (unsigned int irq = 0; irq < MP_IRQS; irq++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		/* irqflag 0: polarity and trigger conform to the ISA bus. */
		s->type = MP_INTSRC;
		s->irqtype = MP_INT;
		s->srcbus = 0;
		s->srcbusirq = irq;
		s->dstapic = ioapic_id;
		s->dstirq = irq;
		p += sizeof(*s);
		count++;
	}
	for (unsigned int lint = 0; lint < 2; lint++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		s->type = MP_LINTSRC;
		s->irqtype = lint ? MP_NMI : MP_EXTINT;
		s->srcbus = 0;
		s->dstapic = 0xff;		/* every local APIC */
		s->dstirq = lint;
		p += sizeof(*s);
		count++;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = p - (u8 *)mpc;
	mpc->specrev = 4;
	memcpy(mpc->oem, "PNVM    ", 8);
	memcpy(mpc->product, "PNVM VM     ", 12);
	mpc->count = count;
	mpc->lapic = GUEST_LAPIC;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = GUEST_MPTABLE + sizeof(*mpf);
	mpf->length = 1;
	mpf->specrev = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return 0;
}
