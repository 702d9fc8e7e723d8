// SPDX-License-Identifier: GPL-2.0
/*
 * Fallback: no node's fallback zonelist may contain the private node.
 * Evidence: the "Fallback order for Node N:" lines the kernel prints when
 * it builds the zonelists. Stock lists node 1 after node 0 ("0 1"), so
 * allocations spill into it; patched lists only public nodes.
 */
#include "pnode.h"

int main(void)
{
	int target = pn_target_node(), lines = 0, bad = 0;
	char *log = pn_kmsg(), *p;

	if (target < 0)
		NA("no memory-only node to test");
	if (!log)
		SETUP_FAIL("syslog");
	printf("target node %d, private nodes: %ld\n", target,
	       pn_private_nodes());

	for (p = log; (p = strstr(p, "Fallback order for Node ")); p++) {
		char *eol = strchr(p, '\n'), *q;
		int nid = atoi(p + strlen("Fallback order for Node "));

		if (eol)
			*eol = 0;
		printf("  %s\n", p);
		lines++;
		q = strchr(p, ':');
		for (q = q ? q + 1 : p; *q;) {
			char *end;
			long n = strtol(q, &end, 10);

			if (end == q)
				break;
			if (n == target) {
				printf("  -> node %d falls back to node %d\n",
				       nid, target);
				bad++;
			}
			q = end;
		}
		if (eol)
			*eol = '\n';
	}
	if (!lines)
		NA("no Fallback order lines in the kernel log");
	printf("%d fallback lists, %d include node %d\n", lines, bad, target);
	if (bad)
		LEAK();
	HELD();
}
