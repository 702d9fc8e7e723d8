// SPDX-License-Identifier: GPL-2.0
/*
 * blkbench: the guest side of scripts/blkbench. Runs inside a guest on
 * its virtio-blk disk, with O_DIRECT so every byte crosses the device
 * (and, in pnvm's window mode, the shared window):
 *   seq_write  S MiB in 1 MiB writes, then fdatasync     (MB/s)
 *   seq_read   the same S MiB back in 1 MiB reads       (MB/s)
 *   rand_read  4 KiB reads at random 4 KiB offsets inside those S MiB,
 *              one at a time, for T seconds              (IOPS)
 *   rand_write the same with writes, then fdatasync      (IOPS)
 * The read-back is compared with what was written: a benchmark of I/O
 * that lost data measures nothing, so a mismatch exits 1.
 *
 * Output: "BLK <name> <value> <unit>" per figure. Static, so it runs from
 * the test initramfs (busybox only).
 *
 *   blkbench [-s MIB] [-t SECONDS] DEVICE
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	(1 << 20)
#define SMALL	4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(unsigned char *p, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = rnd(&seed);

		memcpy(p + i, &v, 8);
	}
}

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* 4 KiB I/Os at random offsets for secs seconds: IOPS. */
static double random_io(int fd, unsigned char *buf, long mib, double secs, int write)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, blocks = (uint64_t)mib * (BLOCK / SMALL);
	double t0 = now(), t;
	long n = 0;

	do {
		off_t off = (off_t)(rnd(&s) % blocks) * SMALL;
		ssize_t r = write ? pwrite(fd, buf, SMALL, off) : pread(fd, buf, SMALL, off);

		if (r != SMALL)
			return -1;
		n++;
		t = now() - t0;
	} while (t < secs);
	if (write && fdatasync(fd))
		return -1;
	return n / (now() - t0);
}

int main(int argc, char **argv)
{
	long mib = 32;
	double secs = 5, t;
	unsigned char *buf, *back;
	int fd, c;

	while ((c = getopt(argc, argv, "s:t:")) != -1) {
		switch (c) {
		case 's': mib = atol(optarg); break;
		case 't': secs = atof(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || mib <= 0 || secs <= 0) {
usage:
		fprintf(stderr, "usage: blkbench [-s MIB] [-t SECONDS] DEVICE\n");
		return 2;
	}
	fd = open(argv[optind], O_RDWR | O_DIRECT);
	if (fd < 0)
		return fail(argv[optind]);
	if (posix_memalign((void **)&buf, 4096, BLOCK) || posix_memalign((void **)&back, 4096, BLOCK))
		return fail("posix_memalign");

	t = now();
	for (long i = 0; i < mib; i++) {
		fill(buf, BLOCK, i + 1);
		if (pwrite(fd, buf, BLOCK, (off_t)i * BLOCK) != BLOCK)
			return fail("seq write");
	}
	if (fdatasync(fd))
		return fail("fdatasync");
	printf("BLK seq_write %.1f MB/s\n", mib * (BLOCK / 1e6) / (now() - t));

	t = 0;	/* only the reads are timed, not the check */
	for (long i = 0; i < mib; i++) {
		double t0 = now();

		if (pread(fd, back, BLOCK, (off_t)i * BLOCK) != BLOCK)
			return fail("seq read");
		t += now() - t0;
		fill(buf, BLOCK, i + 1);
		if (memcmp(buf, back, BLOCK)) {
			fprintf(stderr, "blkbench: MiB %ld read back differs from what was written\n", i);
			return 1;
		}
	}
	printf("BLK seq_read %.1f MB/s\n", mib * (BLOCK / 1e6) / t);
	fflush(stdout);

	t = random_io(fd, back, mib, secs, 0);
	if (t < 0)
		return fail("random read");
	printf("BLK rand_read %.0f IOPS\n", t);
	t = random_io(fd, back, mib, secs, 1);
	if (t < 0)
		return fail("random write");
	printf("BLK rand_write %.0f IOPS\n", t);
	return 0;
}
