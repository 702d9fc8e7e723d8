// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure, background work: decided policy is no kswapd and no kcompactd
 * for a private node (it is reclaimed and compacted only on behalf of the
 * allocations that may use it). Stock starts kswapdN and kcompactdN for
 * every node with memory.
 */
#include "pnode.h"
#include <dirent.h>

int main(void)
{
	int target = pn_target_node(), found = 0;
	char want1[32], want2[32], path[300], comm[64];
	struct dirent *d;
	DIR *dir;

	if (target < 0)
		NA("no memory-only node to test");
	snprintf(want1, sizeof(want1), "kswapd%d", target);
	snprintf(want2, sizeof(want2), "kcompactd%d", target);
	dir = opendir("/proc");
	if (!dir)
		SETUP_FAIL("/proc");
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (pn_read_file(path, comm, sizeof(comm)))
			continue;
		comm[strcspn(comm, "\n")] = 0;
		if (!strncmp(comm, "kswapd", 6) || !strncmp(comm, "kcompactd", 9))
			printf("  pid %s: %s\n", d->d_name, comm);
		if (!strcmp(comm, want1) || !strcmp(comm, want2))
			found++;
	}
	closedir(dir);
	printf("%d background threads for node %d\n", found, target);
	if (found)
		LEAK();
	HELD();
}
