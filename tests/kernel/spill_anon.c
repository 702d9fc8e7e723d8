// SPDX-License-Identifier: GPL-2.0
/*
 * Fallback in practice: a process with the default policy allocates more
 * anonymous memory than node 0 holds. Stock falls back to node 1; patched
 * must not (the process is reclaimed from or OOM-killed instead; it runs
 * with oom_score_adj 1000 so it is the victim). Evidence: pages of the
 * process found on node 1 (move_pages query after each 16 MiB chunk).
 */
#include "pnode.h"
#include <poll.h>
#include <signal.h>

#define CHUNK (16UL << 20)
/* A chunk taking longer than this is reclaim thrashing, not spilling. */
#ifndef STALL_MS
#define STALL_MS 60000
#endif

int main(void)
{
	int target = pn_target_node(), pfd[2], status;
	long node0_kb = pn_node_meminfo(0, "MemTotal");
	unsigned long limit, max_n1 = 0, done = 0, rec[2];
	struct pollfd pf;
	pid_t pid;

	if (target < 0)
		NA("no memory-only node to test");
	if (node0_kb <= 0)
		SETUP_FAIL("node0 meminfo");
	limit = (node0_kb << 10) + (256UL << 20);
	printf("node 0 MemTotal %ld kB; allocating up to %lu MiB anon, default policy\n",
	       node0_kb, limit >> 20);
	if (pipe(pfd))
		SETUP_FAIL("pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned long cnt[PN_MAXNODE], total1 = 0, i;

		close(pfd[0]);
		pn_write_file("/proc/self/oom_score_adj", "1000");
		for (i = 0; i < limit; i += CHUNK) {
			char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				break;
			pn_touch(p, CHUNK);
			pn_count_nodes(0, p, CHUNK / PAGE, cnt, PN_MAXNODE);
			total1 += cnt[target];
			rec[0] = i + CHUNK;
			rec[1] = total1;
			if (write(pfd[1], rec, sizeof(rec)) != sizeof(rec))
				break;
			if (total1 > 4096)	/* 16 MiB spilled: shown */
				break;
		}
		_exit(0);
	}
	close(pfd[1]);
	/*
	 * With node 0 full and no swap, the child may sit in reclaim for
	 * minutes before the OOM killer picks it (seen under TCG). What is
	 * measured is where its pages went, so a stall ends the run.
	 */
	pf.fd = pfd[0];
	pf.events = POLLIN;
	for (;;) {
		if (poll(&pf, 1, STALL_MS) == 0) {
			printf("no new chunk for %d s (reclaim): stopping the child\n",
			       STALL_MS / 1000);
			kill(pid, SIGKILL);
			break;
		}
		if (read(pfd[0], rec, sizeof(rec)) != sizeof(rec))
			break;
		done = rec[0];
		max_n1 = rec[1];
	}
	waitpid(pid, &status, 0);
	printf("allocated %lu MiB; pages on node %d: %lu; child %s %d\n",
	       done >> 20, target, max_n1,
	       WIFSIGNALED(status) ? "killed by signal" : "exited",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (max_n1)
		LEAK();
	if (done < (unsigned long)(node0_kb << 10) / 2)
		NA("allocated only %lu MiB, node 0 never filled", done >> 20);
	HELD();
}
