/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for pnvm's C tests: each check prints "ok N - what" or
 * "not ok N - what"; scripts/run-tests counts those lines. Header-only so
 * unit, lab and kernel tests share it without a library.
 */
#ifndef PNVM_TAP_H
#define PNVM_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline int tap_check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* Diagnostics go behind '#', which the runner shows but does not count. */
#define tap_diag(...) do { printf("# " __VA_ARGS__); putchar('\n'); } while (0)
#define ok(cond, ...) tap_check(!!(cond), __VA_ARGS__)
#define tap_done() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif
