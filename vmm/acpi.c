// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables (ACPI 6.5: 5.2.5 RSDP, 5.2.8 XSDT, 5.2.9 FADT, 5.2.12
 * MADT, 5.2.11.1 DSDT, 20 AML, 6.4 resource descriptors). Little-endian
 * host assumed, as everywhere in an x86 VMM.
 */
#include <errno.h>
#include <string.h>

#include "vmm/acpi.h"

#define HDR_LEN			36
#define RSDP_LEN		36
#define FADT_LEN		276
#define MADT_LAPIC_LEN		8
#define MADT_IOAPIC_LEN		12
#define MADT_NMI_LEN		6

#define FADT_F_HW_REDUCED	(1U << 20)
#define FADT_BOOT_NO_VGA	(1U << 2)
#define FADT_BOOT_NO_MSI	(1U << 3)
#define FADT_BOOT_NO_ASPM	(1U << 4)

/* AML opcodes and resource descriptor tags used here. */
#define AML_NAME		0x08
#define AML_BYTE		0x0a
#define AML_DWORD		0x0c
#define AML_STRING		0x0d
#define AML_SCOPE		0x10
#define AML_BUFFER		0x11
#define AML_EXT			0x5b
#define AML_DEVICE		0x82	/* after AML_EXT */
#define AML_ROOT		0x5c
#define RES_MEM32_FIXED		0x86
#define RES_EXT_IRQ		0x89
#define RES_END			0x79
#define RES_IRQ_NOFLAGS		0x22	/* small IRQ, 2 bytes: ISA edge high */
#define RES_IO			0x47	/* small I/O port range, 7 bytes */
#define EISA_PNP0501		0x0105d041	/* EisaId("PNP0501"): a 16550 */
/* Extended interrupt flags: consumer, edge; active high, exclusive. */
#define RES_IRQ_CONSUMER_EDGE	0x03

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

static u8 checksum(const u8 *p, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

static void header(u8 *t, const char *sig, u32 len, u8 rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "PNVM  ", 6);
	memcpy(t + 16, "PNVMVM  ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "PNVM", 4);
	put32(t + 32, 1);
}

static void finish(u8 *t)
{
	u32 len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = checksum(t, len);
}

/* ------------------------------------------------------------------ AML */

/* An AML byte stream with one overflow flag instead of a check per byte. */
struct aml {
	u8 *p;
	size_t len, cap;
	bool full;
};

static void aml_bytes(struct aml *a, const void *b, size_t n)
{
	if (a->full || n > a->cap - a->len) {
		a->full = true;
		return;
	}
	memcpy(a->p + a->len, b, n);
	a->len += n;
}

static void aml_byte(struct aml *a, u8 b)
{
	aml_bytes(a, &b, 1);
}

/* 20.2.4 PkgLength for @body bytes that follow it: 1 to 3 bytes. */
static void aml_pkglen(struct aml *a, size_t body)
{
	size_t t;

	if (body + 1 < 0x40) {
		aml_byte(a, body + 1);
	} else if (body + 2 < 0x1000) {
		t = body + 2;
		aml_byte(a, 0x40 | (t & 0xf));
		aml_byte(a, t >> 4);
	} else {
		t = body + 3;
		aml_byte(a, 0x80 | (t & 0xf));
		aml_byte(a, (t >> 4) & 0xff);
		aml_byte(a, t >> 12);
	}
}

/* Name(NAME, "str") */
static void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_byte(a, AML_NAME);
	aml_bytes(a, name, 4);
	aml_byte(a, AML_STRING);
	aml_bytes(a, s, strlen(s) + 1);
}

/* Name(NAME, byte) */
static void aml_name_byte(struct aml *a, const char *name, u8 v)
{
	aml_byte(a, AML_NAME);
	aml_bytes(a, name, 4);
	aml_byte(a, AML_BYTE);
	aml_byte(a, v);
}

/* Name(_CRS, ResourceTemplate() { Memory32Fixed; Interrupt }) */
static void aml_crs(struct aml *a, const struct mmio_dev *d)
{
	u8 res[12 + 9 + 2];

	res[0] = RES_MEM32_FIXED;
	put16(res + 1, 9);
	res[3] = 1;			/* read-write */
	put32(res + 4, d->base);
	put32(res + 8, d->size);
	res[12] = RES_EXT_IRQ;
	put16(res + 13, 6);
	res[15] = RES_IRQ_CONSUMER_EDGE;
	res[16] = 1;			/* one interrupt */
	put32(res + 17, d->gsi);
	res[21] = RES_END;
	res[22] = 0;			/* "checksum 0": treated as valid */

	aml_byte(a, AML_NAME);
	aml_bytes(a, "_CRS", 4);
	aml_byte(a, AML_BUFFER);
	aml_pkglen(a, 2 + sizeof(res));
	aml_byte(a, AML_BYTE);
	aml_byte(a, sizeof(res));
	aml_bytes(a, res, sizeof(res));
}

/* Device(...) { @b: its NameSeg, then its objects }; an overflow carries over. */
static void aml_device(struct aml *a, const struct aml *b)
{
	if (b->full) {
		a->full = true;
		return;
	}
	aml_byte(a, AML_EXT);
	aml_byte(a, AML_DEVICE);
	aml_pkglen(a, b->len);
	aml_bytes(a, b->p, b->len);
}

/*
 * Device(COM1) { _HID EisaId("PNP0501"), _UID 1, _CRS { IO 0x3f8/8, IRQ 4 } }.
 * Without it a hardware-reduced guest has no legacy PIC and so no ISA
 * IRQ mappings: ttyS0's IRQ 4 never arrives and user space's console
 * output waits forever. Described, 8250_pnp routes it through the IOAPIC.
 */
static void aml_com1(struct aml *a)
{
	static const u8 crs[] = {
		AML_NAME, '_', 'C', 'R', 'S', AML_BUFFER, 1 + 2 + 13, AML_BYTE, 13,
		RES_IO, 1, 0xf8, 0x03, 0xf8, 0x03, 1, 8,	/* Decode16, 0x3f8, 8 ports */
		RES_IRQ_NOFLAGS, 1 << 4, 0,			/* IRQ 4 */
		RES_END, 0,
	};
	u8 body[64];
	struct aml b = { body, 0, sizeof(body), false };
	u32 hid = EISA_PNP0501;

	aml_bytes(&b, "COM1", 4);
	aml_byte(&b, AML_NAME);
	aml_bytes(&b, "_HID", 4);
	aml_byte(&b, AML_DWORD);
	aml_bytes(&b, &hid, 4);
	aml_name_byte(&b, "_UID", 1);
	aml_bytes(&b, crs, sizeof(crs));
	aml_device(a, &b);
}

/* Device(VIOn) { _HID "LNRO0005", _UID n, _CRS } */
static void aml_virtio(struct aml *a, unsigned int i, const struct mmio_dev *d)
{
	u8 body[64];
	struct aml b = { body, 0, sizeof(body), false };
	char name[4] = { 'V', 'I', 'O', "0123456789ABCDEF"[i & 0xf] };

	aml_bytes(&b, name, 4);
	aml_name_string(&b, "_HID", "LNRO0005");
	aml_name_byte(&b, "_UID", i);
	aml_crs(&b, d);
	aml_device(a, &b);
}

/* The DSDT's AML: Scope(\_SB) { the devices }. */
static size_t dsdt_aml(const struct acpi_config *c, u8 *out, size_t cap, bool *full)
{
	u8 devs[64 * 17];
	struct aml d = { devs, 0, sizeof(devs), false };
	struct aml a = { out, 0, cap, false };

	aml_com1(&d);
	for (unsigned int i = 0; i < c->ndevs; i++)
		aml_virtio(&d, i, &c->devs[i]);
	aml_byte(&a, AML_SCOPE);
	aml_pkglen(&a, 5 + d.len);
	aml_byte(&a, AML_ROOT);
	aml_bytes(&a, "_SB_", 4);
	aml_bytes(&a, devs, d.len);
	*full = a.full || d.full;
	return a.len;
}

/* --------------------------------------------------------------- tables */

static size_t madt_len(unsigned int cpus)
{
	return HDR_LEN + 8 + cpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + MADT_NMI_LEN;
}

void acpi_layout(const struct acpi_config *c, struct acpi_layout *l)
{
	l->rsdp = 0;
	l->xsdt = ALIGN_UP(RSDP_LEN, 16);
	l->fadt = ALIGN_UP(l->xsdt + HDR_LEN + 2 * 8, 16);
	l->madt = ALIGN_UP(l->fadt + FADT_LEN, 16);
	l->dsdt = ALIGN_UP(l->madt + madt_len(c->cpus), 16);
}

static void fadt(u8 *t, u64 dsdt)
{
	header(t, "FACP", FADT_LEN, 6);
	put32(t + 40, dsdt);
	put16(t + 109, FADT_BOOT_NO_VGA | FADT_BOOT_NO_MSI | FADT_BOOT_NO_ASPM);
	put32(t + 112, FADT_F_HW_REDUCED);
	t[131] = 5;			/* FADT minor version: 6.5 */
	put64(t + 140, dsdt);		/* X_DSDT */
	memcpy(t + 268, "PNVMVMM", 8);	/* hypervisor vendor identity */
	finish(t);
}

static void madt(u8 *t, const struct acpi_config *c)
{
	u8 *p = t + HDR_LEN + 8;

	header(t, "APIC", madt_len(c->cpus), 5);
	put32(t + HDR_LEN, c->lapic);
	put32(t + HDR_LEN + 4, 0);	/* no PCAT_COMPAT: no 8259s to use */
	for (unsigned int i = 0; i < c->cpus; i++, p += MADT_LAPIC_LEN) {
		p[0] = 0;		/* processor local APIC */
		p[1] = MADT_LAPIC_LEN;
		p[2] = i;		/* ACPI processor UID */
		p[3] = i;		/* APIC ID */
		put32(p + 4, 1);	/* enabled */
	}
	p[0] = 1;			/* I/O APIC */
	p[1] = MADT_IOAPIC_LEN;
	p[2] = c->cpus;			/* its ID, after the CPUs' */
	put32(p + 4, c->ioapic);
	put32(p + 8, 0);		/* GSI base: ISA IRQ n on pin n */
	p += MADT_IOAPIC_LEN;
	p[0] = 4;			/* local APIC NMI */
	p[1] = MADT_NMI_LEN;
	p[2] = 0xff;			/* every processor */
	put16(p + 3, 0);		/* conforming polarity and trigger */
	p[5] = 1;			/* LINT1 */
	finish(t);
}

int acpi_build(const struct acpi_config *c, void *buf, size_t size, u64 gpa)
{
	struct acpi_layout l;
	u8 *b = buf, *r;
	size_t aml;
	bool full;

	/* APIC IDs are 8 bits here (xAPIC entries) and the IOAPIC takes one. */
	if (!c->cpus || c->cpus > 254 || c->ndevs > 16 || gpa + size > (1ULL << 32))
		return -EINVAL;
	acpi_layout(c, &l);
	if (size < l.dsdt + HDR_LEN)
		return -ENOSPC;
	memset(b, 0, l.dsdt + HDR_LEN);

	aml = dsdt_aml(c, b + l.dsdt + HDR_LEN, size - l.dsdt - HDR_LEN, &full);
	if (full)
		return -ENOSPC;
	header(b + l.dsdt, "DSDT", HDR_LEN + aml, 2);
	finish(b + l.dsdt);

	madt(b + l.madt, c);
	fadt(b + l.fadt, gpa + l.dsdt);

	header(b + l.xsdt, "XSDT", HDR_LEN + 2 * 8, 1);
	put64(b + l.xsdt + HDR_LEN, gpa + l.fadt);
	put64(b + l.xsdt + HDR_LEN + 8, gpa + l.madt);
	finish(b + l.xsdt);

	r = b + l.rsdp;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "PNVM  ", 6);
	r[15] = 2;			/* ACPI 2.0+: use the XSDT */
	put32(r + 20, RSDP_LEN);
	put64(r + 24, gpa + l.xsdt);
	r[8] = checksum(r, 20);
	r[32] = checksum(r, RSDP_LEN);
	return l.dsdt + HDR_LEN + aml;
}
