// SPDX-License-Identifier: GPL-2.0
/*
 * Migration firewall, explicit syscalls:
 *  - move_pages() of a page onto the private node (even by the owner:
 *    memory enters it only through the owner's mempolicy);
 *  - move_pages() by another process of the owner's node-1 pages to 0;
 *  - migrate_pages() by another process from node 1 to node 0.
 * Stock moves them all.
 */
#include "pnode.h"

#define NPG 256UL
#define LEN (NPG * PAGE)

int main(void)
{
	int target = pn_target_node(), cfd[2], pfd[2], bad = 0, st[NPG];
	int nodes[NPG];
	unsigned long cnt[PN_MAXNODE], i;
	void *pages[NPG];
	char *p, *q;
	pid_t pid;
	char c;
	long r;

	if (target < 0)
		NA("no memory-only node to test");

	/* 1. the owner moves a node-0 page onto the private node */
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pn_touch(p, LEN);
	for (i = 0; i < NPG; i++) {
		pages[i] = p + i * PAGE;
		nodes[i] = target;
	}
	r = pn_move_pages(0, NPG, pages, nodes, st, 0);
	pn_count_nodes(0, p, NPG, cnt, PN_MAXNODE);
	printf("move_pages(self) 0 -> %d: ret %ld (%s), %lu/%lu now on node %d\n",
	       target, r, r < 0 ? strerror(errno) : "ok", cnt[target], NPG,
	       target);
	bad += cnt[target] != 0;

	/* the owner: pages bound to the private node, waits */
	if (pipe(cfd) || pipe(pfd))
		SETUP_FAIL("pipe");
	q = mmap(NULL, 2 * LEN, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);	/* addresses known to both */
	munmap(q, 2 * LEN);
	pid = fork();
	if (pid == 0) {
		char *m = mmap(q, 2 * LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (m == MAP_FAILED ||
		    pn_mbind(m, 2 * LEN, MPOL_BIND, 1UL << target, 0))
			_exit(2);
		pn_touch(m, 2 * LEN);
		pn_mbind(m, 2 * LEN, MPOL_DEFAULT, 0, 0);	/* no MOVE */
		if (write(pfd[1], "r", 1) < 0 || read(cfd[0], &c, 1) < 0)
			_exit(3);
		_exit(0);
	}
	if (read(pfd[0], &c, 1) != 1)
		SETUP_FAIL("owner");
	pn_count_nodes(pid, q, 2 * NPG, cnt, PN_MAXNODE);
	printf("owner pid %d: %lu/%lu pages on node %d\n", pid, cnt[target],
	       2 * NPG, target);
	if (cnt[target] != 2 * NPG)
		SETUP_FAIL("owner binding");

	/* 2. another process moves the owner's first half to node 0 */
	for (i = 0; i < NPG; i++) {
		pages[i] = q + i * PAGE;
		nodes[i] = 0;
	}
	r = pn_move_pages(pid, NPG, pages, nodes, st, MPOL_MF_MOVE_ALL);
	pn_count_nodes(pid, q, NPG, cnt, PN_MAXNODE);
	printf("move_pages(other) %d -> 0: ret %ld, status[0] %d, %lu/%lu left on node %d\n",
	       target, r, st[0], cnt[target], NPG, target);
	bad += cnt[target] != NPG;

	/* 3. another process migrate_pages() node 1 -> node 0 */
	r = pn_migrate_pages(pid, 1UL << target, 1UL << 0);
	pn_count_nodes(pid, q + LEN, NPG, cnt, PN_MAXNODE);
	printf("migrate_pages(other) %d -> 0: ret %ld (%s), %lu/%lu left on node %d\n",
	       target, r, r < 0 ? strerror(errno) : "ok", cnt[target], NPG,
	       target);
	bad += cnt[target] != NPG;

	if (write(cfd[1], "x", 1) < 0)
		perror("write");
	waitpid(pid, NULL, 0);
	printf("%d of 3 migrations crossed the private node boundary\n", bad);
	if (bad)
		LEAK();
	HELD();
}
