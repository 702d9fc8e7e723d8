/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both fuzzers share: a 2 MiB window at W, created once, and how an
 * input becomes ring offsets (bytes 2-7) and window contents (the rest).
 */
#ifndef PNVM_FUZZ_WINDOW_H
#define PNVM_FUZZ_WINDOW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/window.h"

#define W	0x80000000ULL
#define WSZ	(2ULL << 20)
#define IMG	0x10000

static struct memmap map;
static struct window win;

static void fuzz_window(void)
{
	if (!window_hva(&win) && window_create(&win, &map, W, WSZ, -1, -1))
		abort();
}

/* @size >= 8: desc, avail and used offsets, then the first IMG bytes. */
static void fuzz_load(const uint8_t *data, size_t size, uint16_t *d, uint16_t *a, uint16_t *u)
{
	memcpy(d, data + 2, 2);
	memcpy(a, data + 4, 2);
	memcpy(u, data + 6, 2);
	data += 8;
	size -= 8;
	memset(window_hva(&win), 0, IMG);
	memcpy(window_hva(&win), data, size < IMG ? size : IMG);
}

#endif
