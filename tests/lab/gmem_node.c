// SPDX-License-Identifier: GPL-2.0
/*
 * Lab test: guest_memfd memory bound to a node really lives there.
 *
 * Creates a VM and a guest_memfd (MMAP|INIT_SHARED), mbinds the mapping to
 * --bind (default 1) before touching it, runs a few real-mode instructions
 * to HLT from that memory, and asserts from /proc/self/numa_maps that every
 * page is on --expect (default 1). A second guest_memfd bound to node 0 is
 * run through the same checker as a control, which must say "not on 1":
 * the check can fail, and `--bind 0` makes the main assertion fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <numaif.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tests/tap.h"

#define GMEM_SIZE	(16UL << 20)
#define PAGE		4096UL
#define CODE_GPA	0x1000UL
#define TEST_PORT	0x10

struct placement {
	long bind;		/* node in "bind:N", -1 if none */
	long pages[64];		/* N<node>=count */
	int found;
};

/* One line of /proc/self/numa_maps, for the VMA starting at addr. */
static int numa_maps_of(void *addr, struct placement *p)
{
	char line[4096], key[32];
	FILE *f = fopen("/proc/self/numa_maps", "r");

	memset(p, 0, sizeof(*p));
	p->bind = -1;
	if (!f)
		return -errno;
	snprintf(key, sizeof(key), "%lx ", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (strncmp(line, key, strlen(key)))
			continue;
		p->found = 1;
		tap_diag("numa_maps: %.*s", (int)strcspn(line, "\n"), line);
		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			long n, c;

			if (sscanf(tok, "bind:%ld", &n) == 1)
				p->bind = n;
			else if (sscanf(tok, "N%ld=%ld", &n, &c) == 2 &&
				 n >= 0 && n < 64)
				p->pages[n] = c;
		}
	}
	fclose(f);
	return p->found ? 0 : -ENOENT;
}

/* All npages on node, bound to node, none elsewhere. */
static int all_on_node(const struct placement *p, long node, long npages)
{
	long other = 0;

	for (int n = 0; n < 64; n++)
		if (n != node)
			other += p->pages[n];
	return p->found && p->bind == node && p->pages[node] == npages &&
	       other == 0;
}

/* Cross-check with the kernel's page-by-page answer (move_pages query). */
static long pages_on_node(void *addr, long npages, int node)
{
	void **pages = calloc(npages, sizeof(*pages));
	int *status = calloc(npages, sizeof(*status));
	long n = 0;

	for (long i = 0; i < npages; i++)
		pages[i] = (char *)addr + i * PAGE;
	if (move_pages(0, npages, pages, NULL, status, 0) == 0)
		for (long i = 0; i < npages; i++)
			n += status[i] == node;
	else
		n = -errno;
	free(pages);
	free(status);
	return n;
}

static void *gmem_map(int vm, int node, int *fdp)
{
	struct kvm_create_guest_memfd gm = {
		.size = GMEM_SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	unsigned long mask = 1UL << node;
	void *p;
	int fd;

	fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gm);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, GMEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Before the first touch: the shared policy decides allocation. */
	if (mbind(p, GMEM_SIZE, MPOL_BIND, &mask, sizeof(mask) * 8 + 1,
		  MPOL_MF_STRICT))
		return NULL;
	memset(p, 0, GMEM_SIZE);
	*fdp = fd;
	return p;
}

/* mov $0x2a,%al; out %al,$0x10; hlt */
static const uint8_t guest_code[] = { 0xb0, 0x2a, 0xe6, TEST_PORT, 0xf4 };

static int run_to_hlt(int kvm, int vm, int gmem, void *mem)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 0,
		.memory_size = GMEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
		.guest_memfd = gmem,
		.guest_memfd_offset = 0,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct kvm_run *run;
	int vcpu, size, saw_io = 0;

	memcpy((char *)mem + CODE_GPA, guest_code, sizeof(guest_code));
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r))
		return -errno;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0)
		return -errno;
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		return -errno;
	for (int i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0))
			return -errno;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == TEST_PORT &&
		    *((uint8_t *)run + run->io.data_offset) == 0x2a)
			saw_io = 1;
		else if (run->exit_reason == KVM_EXIT_HLT)
			return saw_io ? 0 : -EPROTO;
		else
			return -EPROTO;
	}
	return -ETIMEDOUT;
}

int main(int argc, char **argv)
{
	long npages = GMEM_SIZE / PAGE, bind = 1, expect = 1;
	struct placement pl, ctl;
	int kvm, vm, gfd, cfd, c;
	void *mem, *cmem;

	while ((c = getopt(argc, argv, "b:e:")) != -1) {
		if (c == 'b')
			bind = atol(optarg);
		else if (c == 'e')
			expect = atol(optarg);
		else
			return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (!ok(kvm >= 0, "/dev/kvm opens (%s)", kvm < 0 ? strerror(errno) : "ok"))
		return tap_done();
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	c = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	if (!ok(vm >= 0 && (c & 3) == 3, "KVM_CAP_GUEST_MEMFD_FLAGS has MMAP|INIT_SHARED (%d)", c))
		return tap_done();

	mem = gmem_map(vm, bind, &gfd);
	if (!ok(mem, "guest_memfd created, mapped and mbind'ed to node %ld (%s)", bind,
		mem ? "ok" : strerror(errno)))
		return tap_done();
	c = run_to_hlt(kvm, vm, gfd, mem);
	ok(c == 0, "real-mode guest ran from guest_memfd to HLT (%s)", c ? strerror(-c) : "ok");

	numa_maps_of(mem, &pl);
	ok(all_on_node(&pl, expect, npages),
	   "numa_maps: bind:%ld and all %ld pages on node %ld (bind:%ld N0=%ld N1=%ld)",
	   expect, npages, expect, pl.bind, pl.pages[0], pl.pages[1]);
	ok(pages_on_node(mem, npages, expect) == npages,
	   "move_pages query: all %ld pages on node %ld", npages, expect);

	/* Control: the checker must reject memory that is elsewhere. */
	cmem = gmem_map(vm, 0, &cfd);
	numa_maps_of(cmem, &ctl);
	ok(cmem && ctl.found && ctl.pages[0] == npages && !all_on_node(&ctl, 1, npages),
	   "control: a guest_memfd bound to node 0 is reported as not on node 1 (N0=%ld)",
	   ctl.pages[0]);
	return tap_done();
}
