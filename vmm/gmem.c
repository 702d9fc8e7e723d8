// SPDX-License-Identifier: GPL-2.0
/* Guest RAM: guest_memfd, node binding, preallocation, placement. */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/gmem.h"
#include "vmm/guest.h"
#include "vmm/kvm.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PREFAULT_CHUNK		(16 * SZ_1M)
#define PREFAULT_MAX_THREADS	8

int gmem_create(struct kvm *kvm, struct region *r, int node)
{
	struct kvm_create_guest_memfd gm = {
		.size = r->size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct bitmask *nodes;
	void *p;
	int fd, ret;

	fd = ioctl(kvm->vm_fd, KVM_CREATE_GUEST_MEMFD, &gm);
	if (fd < 0)
		return errf(-errno, "KVM_CREATE_GUEST_MEMFD (%llu MiB): %s",
			    (unsigned long long)(r->size >> 20), strerror(errno));
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = errf(-errno, "mmap of guest_memfd: %s", strerror(errno));
		close(fd);
		return ret;
	}
	/*
	 * guest_memfd keeps a shared policy: binding the mapping before the
	 * first touch decides where every page of the file is allocated.
	 * STRICT makes it fail rather than silently use another node.
	 */
	nodes = numa_allocate_nodemask();
	numa_bitmask_setbit(nodes, node);
	if (mbind(p, r->size, MPOL_BIND, nodes->maskp, nodes->size + 1,
		  MPOL_MF_STRICT)) {
		ret = errf(-errno, "mbind guest RAM to node %d: %s", node, strerror(errno));
		numa_bitmask_free(nodes);
		munmap(p, r->size);
		close(fd);
		return ret;
	}
	numa_bitmask_free(nodes);
	r->fd = fd;
	r->fd_offset = 0;
	r->hva = p;
	return 0;
}

void gmem_destroy(struct region *r)
{
	if (r->hva)
		munmap(r->hva, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->hva = NULL;
	r->fd = -1;
}

/* Work list: chunks of all RAM regions, handed out by one counter. */
struct prefault {
	struct memmap *g;
	u64 nr_chunks;
	atomic_ullong next;
	atomic_ullong done_bytes;
	atomic_int err;
	u64 err_gpa;
};

static bool chunk_of(struct memmap *g, u64 idx, char **addr, u64 *len, u64 *gpa)
{
	for (unsigned int i = 0; i < g->nr; i++) {
		struct region *r = &g->regions[i];
		u64 n;

		if (r->type != REGION_RAM)
			continue;
		n = (r->size + PREFAULT_CHUNK - 1) / PREFAULT_CHUNK;
		if (idx < n) {
			*addr = (char *)r->hva + idx * PREFAULT_CHUNK;
			*len = MIN(PREFAULT_CHUNK, r->size - idx * PREFAULT_CHUNK);
			*gpa = r->gpa + idx * PREFAULT_CHUNK;
			return true;
		}
		idx -= n;
	}
	return false;
}

static void *prefault_thread(void *arg)
{
	struct prefault *pf = arg;
	u64 idx, len, gpa;
	char *addr;

	while (!atomic_load(&pf->err)) {
		idx = atomic_fetch_add(&pf->next, 1);
		if (!chunk_of(pf->g, idx, &addr, &len, &gpa))
			break;
		/*
		 * POPULATE_WRITE allocates like a write fault but reports
		 * failure as an error instead of SIGBUS or the OOM killer.
		 */
		if (madvise(addr, len, MADV_POPULATE_WRITE)) {
			int zero = 0;

			if (atomic_compare_exchange_strong(&pf->err, &zero, errno))
				pf->err_gpa = gpa;
			break;
		}
		atomic_fetch_add(&pf->done_bytes, len);
	}
	return NULL;
}

int gmem_prefault(struct memmap *g, int node, bool progress)
{
	struct prefault pf = { .g = g };
	pthread_t threads[PREFAULT_MAX_THREADS];
	u64 total = guest_ram_size(g), idx = 0, len, gpa;
	int nthreads = 0, want;
	char *addr;

	while (chunk_of(g, idx, &addr, &len, &gpa))
		idx++;
	pf.nr_chunks = idx;
	want = MIN(MAX(numa_num_configured_cpus(), 1), PREFAULT_MAX_THREADS);
	want = MIN((u64)want, pf.nr_chunks);
	for (int i = 0; i < want; i++)
		if (!pthread_create(&threads[nthreads], NULL, prefault_thread, &pf))
			nthreads++;
	if (!nthreads)
		prefault_thread(&pf);
	if (progress) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		while (atomic_load(&pf.next) < pf.nr_chunks + nthreads &&
		       !atomic_load(&pf.err)) {
			progress_bar("pnvm: allocating guest RAM", atomic_load(&pf.done_bytes), total);
			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (progress && !pf.err)
		progress_bar("pnvm: allocating guest RAM", total, total);
	else if (progress)
		fputc('\n', stderr);
	if (pf.err)
		return errf(-pf.err,
			    "cannot allocate guest RAM on node %d (failed at gpa 0x%llx after %llu of %llu MiB): %s",
			    node, (unsigned long long)pf.err_gpa,
			    (unsigned long long)(atomic_load(&pf.done_bytes) >> 20),
			    (unsigned long long)(total >> 20), strerror(pf.err));
	return 0;
}

#define PLACEMENT_BATCH	4096

int gmem_placement(const struct memmap *g, struct gmem_placement *p)
{
	void *pages[PLACEMENT_BATCH];
	int status[PLACEMENT_BATCH];

	memset(p, 0, sizeof(*p));
	for (unsigned int i = 0; i < g->nr; i++) {
		const struct region *r = &g->regions[i];
		u64 npages = r->size / PAGE_SIZE;

		if (r->type != REGION_RAM || !r->hva)
			continue;
		for (u64 off = 0; off < npages; off += PLACEMENT_BATCH) {
			unsigned long n = MIN((u64)PLACEMENT_BATCH, npages - off);

			for (unsigned long j = 0; j < n; j++)
				pages[j] = (char *)r->hva + (off + j) * PAGE_SIZE;
			/* nodes == NULL: only ask where each page is. */
			if (move_pages(0, n, pages, NULL, status, 0))
				return errf(-errno, "move_pages query: %s", strerror(errno));
			for (unsigned long j = 0; j < n; j++) {
				if (status[j] >= 0 && status[j] < GMEM_MAX_NODES)
					p->pages[status[j]]++;
				else
					p->absent++;
			}
			p->total += n;
		}
	}
	return 0;
}
