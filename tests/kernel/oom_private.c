// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure, OOM: a process bound to node 1 exhausts it. Stock treats this
 * as a mempolicy-constrained OOM in which any task without a task binding
 * is eligible, so it kills the bystander with the highest badness (here a
 * node-0 hog with oom_score_adj 1000). Patched kills only the allocating
 * task. Evidence: who got SIGKILL.
 */
#include "pnode.h"
#include <signal.h>

int main(void)
{
	int target = pn_target_node(), st_hog = 0, st_bind = 0, oom_killed;
	long n1_kb = pn_node_meminfo(pn_target_node(), "MemTotal");
	pid_t hog, binder;
	int hp[2];
	char c;

	if (target < 0 || n1_kb <= 0)
		NA("no memory-only node to test");
	if (pipe(hp))
		SETUP_FAIL("pipe");
	hog = fork();
	if (hog == 0) {
		unsigned long len = 64UL << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		pn_write_file("/proc/self/oom_score_adj", "1000");
		pn_mbind(p, len, MPOL_BIND, 1UL << 0, 0);
		pn_touch(p, len);
		if (write(hp[1], "r", 1) < 0)
			_exit(2);
		for (;;)
			pause();
	}
	if (read(hp[0], &c, 1) != 1)
		SETUP_FAIL("hog");
	printf("bystander pid %d: 64 MiB on node 0, oom_score_adj 1000\n", hog);
	binder = fork();
	if (binder == 0) {
		unsigned long len = (n1_kb << 10) + (128UL << 20);
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);

		if (pn_mbind(p, len, MPOL_BIND, 1UL << target, 0))
			_exit(2);
		pn_touch(p, len);
		_exit(0);
	}
	printf("binder pid %d: allocating %ld MiB bound to node %d\n", binder,
	       (n1_kb >> 10) + 128, target);
	waitpid(binder, &st_bind, 0);
	/*
	 * An OOM victim may still be exiting when the binder's death wakes us,
	 * so do not poll: end the bystander with SIGTERM and read its status.
	 * A SIGKILL sent earlier by the OOM killer wins over our SIGTERM.
	 */
	kill(hog, SIGTERM);
	waitpid(hog, &st_hog, 0);
	oom_killed = WIFSIGNALED(st_hog) && WTERMSIG(st_hog) == SIGKILL;
	printf("bystander %s (%s %d)\n", oom_killed ? "OOM-killed" : "alive",
	       WIFSIGNALED(st_hog) ? "signal" : "exit",
	       WIFSIGNALED(st_hog) ? WTERMSIG(st_hog) : WEXITSTATUS(st_hog));
	printf("binder: %s %d\n", WIFSIGNALED(st_bind) ? "signal" : "exit",
	       WIFSIGNALED(st_bind) ? WTERMSIG(st_bind) : WEXITSTATUS(st_bind));
	if (oom_killed)
		LEAK();
	if (!WIFSIGNALED(st_bind))
		NA("binder was not OOM-killed (exit %d)", WEXITSTATUS(st_bind));
	HELD();
}
