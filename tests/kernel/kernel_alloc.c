// SPDX-License-Identifier: GPL-2.0
/*
 * Gate: a task bound to node 1 (set_mempolicy MPOL_BIND) gets its user
 * folios there, but the kernel memory it causes (page tables, slab objects,
 * kernel stacks) must stay on public nodes. Stock follows the task policy
 * for all of them. Evidence: node 1 meminfo PageTables, Slab, KernelStack
 * deltas while the bound child maps 1 GiB sparsely, creates 20000 tmpfs
 * files and 64 threads. Also checks the user pages did land on node 1.
 */
#include "pnode.h"
#include <pthread.h>
#include <sys/mount.h>

static void *idle(void *arg)
{
	pause();
	return arg;
}

int main(void)
{
	int target = pn_target_node(), pfd[2], cfd[2], status;
	long pt0, sl0, ks0, pt1, sl1, ks1;
	unsigned long user_on = 0, user_tot = 0;
	char dir[] = "/tmp/pnode-kalloc.XXXXXX";
	pid_t pid;
	char c;

	if (target < 0)
		NA("no memory-only node to test");
	if (!mkdtemp(dir) || mount("none", dir, "tmpfs", 0, NULL))
		SETUP_FAIL("tmpfs");
	if (pipe(pfd) || pipe(cfd))
		SETUP_FAIL("pipe");
	pt0 = pn_node_meminfo(target, "PageTables");
	sl0 = pn_node_meminfo(target, "Slab");
	ks0 = pn_node_meminfo(target, "KernelStack");
	pid = fork();
	if (pid == 0) {
		unsigned long len = 1UL << 30, cnt[PN_MAXNODE], i, r[2];
		pthread_t t;
		char *p, name[300];

		close(cfd[1]);
		close(pfd[0]);
		if (pn_set_mempolicy(MPOL_BIND, 1UL << target))
			_exit(2);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += 2UL << 20)
			p[i] = 1;		/* one page table per 2 MiB */
		r[0] = r[1] = 0;
		for (i = 0; i < len; i += 2UL << 20) {
			pn_count_nodes(0, p + i, 1, cnt, PN_MAXNODE);
			r[0] += cnt[target];
			r[1]++;
		}
		for (i = 0; i < 20000; i++) {
			int fd;

			snprintf(name, sizeof(name), "%s/f%lu", dir, i);
			fd = open(name, O_CREAT | O_WRONLY, 0600);
			if (fd >= 0)
				close(fd);
		}
		for (i = 0; i < 64; i++)
			pthread_create(&t, NULL, idle, NULL);
		if (write(pfd[1], r, sizeof(r)) < 0)
			_exit(4);
		if (read(cfd[0], &c, 1) < 0)	/* hold until measured */
			_exit(5);
		_exit(0);
	}
	close(pfd[1]);
	close(cfd[0]);
	{
		unsigned long r[2];

		if (read(pfd[0], r, sizeof(r)) == sizeof(r)) {
			user_on = r[0];
			user_tot = r[1];
		}
	}
	pt1 = pn_node_meminfo(target, "PageTables");
	sl1 = pn_node_meminfo(target, "Slab");
	ks1 = pn_node_meminfo(target, "KernelStack");
	close(cfd[1]);
	waitpid(pid, &status, 0);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	if (!user_tot)
		NA("bound child failed (status %d)", status);
	printf("bound child: %lu/%lu user pages on node %d\n", user_on,
	       user_tot, target);
	printf("node %d deltas: PageTables %+ld kB, Slab %+ld kB, KernelStack %+ld kB\n",
	       target, pt1 - pt0, sl1 - sl0, ks1 - ks0);
	if (pt1 - pt0 > 256 || sl1 - sl0 > 2048 || ks1 - ks0 > 128)
		LEAK();
	if (user_on != user_tot) {
		printf("violated: user pages did not follow the binding\n");
		LEAK();
	}
	HELD();
}
