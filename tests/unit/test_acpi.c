// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables: pointers, checksums and entries read back by hand, then
 * each table disassembled by ACPICA's iasl (acpica-tools), the
 * maintained reference, which must find every device pnvm described.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/acpi.h"

#define GPA	0xf0000ULL
#define SIZE	0x10000

static u8 buf[SIZE];

static u32 get32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 get64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

static int sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The table at guest address @gpa, if it is inside what was built. */
static const u8 *table(u64 gpa, int len, const char *sig)
{
	if (gpa < GPA || gpa - GPA + 36 > (u64)len)
		return NULL;
	if (memcmp(buf + (gpa - GPA), sig, 4) || gpa - GPA + get32(buf + gpa - GPA + 4) > (u64)len)
		return NULL;
	return buf + (gpa - GPA);
}

/* Disassemble one table with iasl; its .dsl text, or NULL. */
static char *iasl(const u8 *t, const char *name)
{
	char dir[] = "/tmp/pnvm-acpi-XXXXXX", path[128], cmd[512];
	char *text = NULL;
	FILE *f;
	long n;

	if (!mkdtemp(dir))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fwrite(t, 1, get32(t + 4), f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat > iasl.log 2>&1", dir, name);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/iasl.log", dir);
		if (system(cmd)) {}
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	f = fopen(path, "r");
	if (!f)
		goto out;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, n + 1);
	if (text && fread(text, 1, n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {}
	return text;
}

/* How many times @needle occurs in @hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int main(void)
{
	struct mmio_dev devs[8];
	struct acpi_config c = { .cpus = 3, .lapic = 0xfee00000, .ioapic = 0xfec00000,
				 .devs = devs, .ndevs = 8 };
	const u8 *rsdp = buf, *xsdt, *fadt, *madt, *dsdt;
	char *dsl;
	int len;

	for (int i = 0; i < 8; i++)
		devs[i] = (struct mmio_dev){ 0xd0000000 + i * 0x1000, 0x200, 16 + i };

	len = acpi_build(&c, buf, SIZE, GPA);
	ok(len > 0 && len < 4096, "8 devices, 3 CPUs: %d bytes of tables", len);

	/* RSDP: found by signature, both checksums, revision 2, the XSDT. */
	ok(!memcmp(rsdp, "RSD PTR ", 8) && sum(rsdp, 20) == 0 && sum(rsdp, 36) == 0 &&
	   rsdp[15] == 2 && get32(rsdp + 20) == 36, "RSDP: signature, checksums, revision 2");
	xsdt = table(get64(rsdp + 24), len, "XSDT");
	ok(xsdt && sum(xsdt, get32(xsdt + 4)) == 0 && get32(xsdt + 4) == 36 + 16,
	   "XSDT: two entries, checksum");
	fadt = xsdt ? table(get64(xsdt + 36), len, "FACP") : NULL;
	madt = xsdt ? table(get64(xsdt + 44), len, "APIC") : NULL;
	ok(fadt && get32(fadt + 4) == 276 && fadt[8] == 6 && sum(fadt, 276) == 0,
	   "FADT: revision 6, 276 bytes, checksum");
	ok(fadt && (get32(fadt + 112) & (1U << 20)), "FADT: HW_REDUCED_ACPI");
	dsdt = fadt ? table(get64(fadt + 140), len, "DSDT") : NULL;
	ok(dsdt && get32(fadt + 40) == get64(fadt + 140) && sum(dsdt, get32(dsdt + 4)) == 0,
	   "DSDT: from DSDT and X_DSDT, checksum");
	ok(madt && sum(madt, get32(madt + 4)) == 0 && get32(madt + 36) == 0xfee00000,
	   "MADT: checksum, local APIC address");
	if (madt) {
		const u8 *p = madt + 44, *end = madt + get32(madt + 4);
		int cpus = 0, ioapics = 0, nmis = 0, bad = 0;

		for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
			if (p[0] == 0)
				bad += p[3] != cpus || get32(p + 4) != 1, cpus++;
			else if (p[0] == 1)
				bad += p[2] != 3 || get32(p + 4) != 0xfec00000 || get32(p + 8), ioapics++;
			else if (p[0] == 4)
				nmis += p[5] == 1;
		}
		ok(p == end && cpus == 3 && ioapics == 1 && nmis == 1 && !bad,
		   "MADT: APIC IDs 0-2 enabled, IOAPIC ID 3 at GSI 0, NMI on LINT1");
	}

	/* Bad configurations. */
	c.cpus = 0;
	ok(acpi_build(&c, buf, SIZE, GPA) == -EINVAL, "0 CPUs: -EINVAL");
	c.cpus = 255;
	ok(acpi_build(&c, buf, SIZE, GPA) == -EINVAL, "255 CPUs (no APIC ID left): -EINVAL");
	c.cpus = 3;
	ok(acpi_build(&c, buf, 600, GPA) == -ENOSPC, "600-byte buffer: -ENOSPC");
	ok(acpi_build(&c, buf, SIZE, 0xffff8000) == -EINVAL, "tables above 4G: -EINVAL");
	ok(acpi_build(&c, buf, len, GPA) == len && acpi_build(&c, buf, len - 1, GPA) == -ENOSPC,
	   "exactly %d bytes fit, one less does not", len);
	c.cpus = 254;
	c.ndevs = 0;
	ok(acpi_build(&c, buf, SIZE, GPA) > 0, "254 CPUs, no devices: built");
	c.cpus = 3;
	c.ndevs = 8;
	len = acpi_build(&c, buf, SIZE, GPA);

	/* iasl reads back what Linux will. */
	dsl = dsdt ? iasl(dsdt, "dsdt") : NULL;
	ok(dsl != NULL, "iasl disassembles the DSDT");
	if (dsl) {
		char want[160];
		int found = 0;

		ok(count(dsl, "Name (_HID, \"LNRO0005\")") == 8, "DSDT: 8 LNRO0005 devices");
		for (int i = 0; i < 8; i++) {
			snprintf(want, sizeof(want),
				 "Memory32Fixed (ReadWrite,\n                    0x%08X,         // Address Base\n"
				 "                    0x00000200,         // Address Length",
				 0xd0000000 + i * 0x1000);
			found += strstr(dsl, want) != NULL;
		}
		ok(found == 8, "DSDT: each device's MMIO window (%d of 8)", found);
		found = 0;
		for (int i = 0; i < 8; i++) {
			snprintf(want, sizeof(want),
				 "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )\n"
				 "                {\n                    0x%08X,\n", 16 + i);
			found += strstr(dsl, want) != NULL;
		}
		ok(found == 8, "DSDT: each device's GSI 16-23, edge, active high (%d of 8)", found);
		ok(strstr(dsl, "Name (_HID, EisaId (\"PNP0501\")") &&
		   strstr(dsl, "IO (Decode16,\n                    0x03F8,") &&
		   strstr(dsl, "IRQNoFlags ()\n                    {4}"),
		   "DSDT: COM1, a 16550 at 0x3f8 on IRQ 4");
		ok(count(dsl, "Scope (\\_SB)") == 1 && !strstr(dsl, "Error") && !strstr(dsl, "Unknown"),
		   "DSDT: one \\_SB scope, no errors");
		if (!strstr(dsl, "LNRO0005"))
			fputs(dsl, stdout);
		free(dsl);
	}
	dsl = madt ? iasl(madt, "apic") : NULL;
	ok(dsl && count(dsl, "Processor Local APIC") == 3 && count(dsl, "I/O APIC") == 1 &&
	   !strstr(dsl, "Invalid") && !strstr(dsl, "Error"), "iasl: MADT with 3 local APICs, 1 IOAPIC");
	free(dsl);
	dsl = fadt ? iasl(fadt, "facp") : NULL;
	ok(dsl && strstr(dsl, "Hardware Reduced (V5) : 1") && !strstr(dsl, "Error"),
	   "iasl: FADT hardware-reduced");
	free(dsl);
	return tap_done();
}
