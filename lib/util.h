/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_LIB_UTIL_H
#define PNVM_LIB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* A virtio-mmio device as the guest's boot tables (DT, ACPI) describe it. */
struct mmio_dev {
	u64 base;
	u32 size;
	u32 gsi;	/* IOAPIC pin (= KVM GSI with default routing) */
};

#define SZ_4K		0x1000ULL
#define SZ_1M		0x100000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define PAGE_SIZE	SZ_4K

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((u64)(a) - 1))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))

/*
 * Deep code does not print: it records one message and returns -errno, and
 * the top level prints "pnvm: <message>". Like the kernel's extack.
 */
int errf(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_msg(void);
void err_clear(void);

/* "256M", "1G", "4096", "2g": bytes, or -EINVAL. */
int parse_size(const char *s, u64 *out);
/* Unsigned decimal that fits in an int, or -EINVAL. */
int parse_uint(const char *s, unsigned int *out);

/* Whole file into a malloc'ed buffer. */
int load_file(const char *path, void **buf, size_t *len);

void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void infof(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line that redraws itself; only call when stderr is a terminal. */
void progress_bar(const char *what, u64 done, u64 total);

#endif
