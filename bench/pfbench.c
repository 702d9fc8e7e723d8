// SPDX-License-Identifier: GPL-2.0
/*
 * pfbench: page-fault and kernel-allocation microbenchmark, to compare
 * the stock and the patched (private-node) kernels on the paths the
 * series touches: the page allocator's zone walk (every allocation), the
 * mempolicy folio entry (anonymous and shmem faults) and the allocations
 * the kernel makes for itself (page tables, stacks, slab, pipe pages).
 *
 * Workloads, all with the default memory policy, run round-robin so a
 * slow phase of the host hits each of them alike:
 *   anon   mmap N MiB anonymous (no THP), write every page, munmap
 *   shmem  write N MiB to a memfd (shmem folios via folio_alloc_mpol), close
 *   fork   fork + _exit + waitpid (mm, page tables, task, stack, slab)
 *   pipe   push N MiB through a pipe in 64 KiB writes/reads (page per buffer)
 *
 * The process (and so every child) is pinned to one CPU (-c, default 0):
 * fork's parent and child then hand over on one CPU instead of waking each
 * other across CPUs, whose idle periods would be timed too (and under
 * QEMU's instruction clock, skipped by whole timer ticks).
 *
 * Output: per repetition "SAMPLE <workload> <value>" and at the end
 * "BENCH <workload> <unit> median <m> min <a> max <b> n <reps>"; values
 * are throughputs (higher is better). Exit 1 when it could not measure.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096UL
#define MAXREPS 101

static unsigned long mib = 64, forks = 200;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each workload returns its throughput, or a negative value on failure. */
static double w_anon(void)
{
	size_t len = mib << 20, i;
	double t0 = now(), t;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += PAGE)
		p[i] = 1;
	munmap(p, len);
	t = now() - t0;
	return (len / PAGE) / t;		/* faults/s */
}

static double w_shmem(void)
{
	static char buf[1 << 16];
	size_t len = mib << 20, i;
	double t0 = now(), t;
	int fd = memfd_create("pfbench", 0);

	if (fd < 0)
		return -1;
	memset(buf, 1, sizeof(buf));
	for (i = 0; i < len; i += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -1;
		}
	close(fd);
	t = now() - t0;
	return (len >> 20) / t;			/* MiB/s */
}

static double w_fork(void)
{
	double t0 = now(), t;
	unsigned long i;
	int st;

	for (i = 0; i < forks; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			return -1;
	}
	t = now() - t0;
	return forks / t;			/* forks/s */
}

static double w_pipe(void)
{
	static char buf[1 << 16];
	size_t len = mib << 20, i;
	double t0, t;
	int fd[2];

	if (pipe(fd))
		return -1;
	t0 = now();
	for (i = 0; i < len; i += sizeof(buf)) {
		/* a pipe holds 64 KiB: fill it (16 page allocations), drain it */
		if (write(fd[1], buf, sizeof(buf)) != sizeof(buf) ||
		    read(fd[0], buf, sizeof(buf)) != sizeof(buf)) {
			close(fd[0]);
			close(fd[1]);
			return -1;
		}
	}
	t = now() - t0;
	close(fd[0]);
	close(fd[1]);
	return (len >> 20) / t;			/* MiB/s */
}

static const struct workload {
	const char *name, *unit;
	double (*run)(void);
} wl[] = {
	{ "anon", "faults/s", w_anon },
	{ "shmem", "MiB/s", w_shmem },
	{ "fork", "forks/s", w_fork },
	{ "pipe", "MiB/s", w_pipe },
};
#define NWL (sizeof(wl) / sizeof(wl[0]))

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pfbench [-r REPS] [-m MIB] [-f FORKS] [-w WORKLOAD] [-c CPU]\n"
		"  -r REPS   timed repetitions of each workload (default 9, max %d)\n"
		"  -m MIB    MiB per anon/shmem/pipe repetition (default 64)\n"
		"  -f FORKS  forks per fork repetition (default 200)\n"
		"  -w NAME   only this workload (anon, shmem, fork, pipe)\n"
		"  -c CPU    run on this CPU (default 0; -1: wherever the scheduler likes)\n", MAXREPS);
}

int main(int argc, char **argv)
{
	static double v[NWL][MAXREPS];
	const char *only = NULL;
	int reps = 9, cpu = 0, opt, r, failed = 0;
	size_t w;

	while ((opt = getopt(argc, argv, "r:m:f:w:c:h")) != -1) {
		switch (opt) {
		case 'r': reps = atoi(optarg); break;
		case 'm': mib = strtoul(optarg, NULL, 0); break;
		case 'f': forks = strtoul(optarg, NULL, 0); break;
		case 'w': only = optarg; break;
		case 'c': cpu = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (reps < 1 || reps > MAXREPS || !mib || !forks || optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "pfbench: cannot run on CPU %d: %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	/* One untimed round: fault in the program, warm slab caches and pcp lists. */
	for (w = 0; w < NWL; w++)
		if (!only || !strcmp(only, wl[w].name))
			wl[w].run();
	for (r = 0; r < reps; r++) {
		for (w = 0; w < NWL; w++) {
			if (only && strcmp(only, wl[w].name))
				continue;
			v[w][r] = wl[w].run();
			if (v[w][r] <= 0) {
				fprintf(stderr, "pfbench: %s failed: %s\n", wl[w].name, strerror(errno));
				failed = 1;
			}
			printf("SAMPLE %s %.1f\n", wl[w].name, v[w][r]);
		}
	}
	for (w = 0; w < NWL; w++) {
		if (only && strcmp(only, wl[w].name))
			continue;
		qsort(v[w], reps, sizeof(double), cmp);
		printf("BENCH %s %s median %.1f min %.1f max %.1f n %d\n", wl[w].name, wl[w].unit,
		       reps % 2 ? v[w][reps / 2] : (v[w][reps / 2 - 1] + v[w][reps / 2]) / 2,
		       v[w][0], v[w][reps - 1], reps);
	}
	return failed;
}
