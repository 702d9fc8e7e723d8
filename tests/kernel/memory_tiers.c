// SPDX-License-Identifier: GPL-2.0
/*
 * Migration firewall, demotion and memory tiers: a private node is in no
 * memory tier, so it is never a demotion target nor a demotion/promotion
 * source. Stock puts node 1 in a tier; it becomes a demotion target as soon
 * as firmware (HMAT) or a driver (dax/kmem) rates it slower. Without such a
 * rating (the lab) node 1 shares node 0's tier and has no demotion target
 * to show: stock is then n/a, with the tier membership as evidence.
 */
#include "pnode.h"
#include <dirent.h>

int main(void)
{
	int target = pn_target_node(), in_tier = 0, target_of = 0;
	char path[512], buf[256], *log, *p;
	struct dirent *d;
	DIR *dir;

	if (target < 0)
		NA("no memory-only node to test");
	dir = opendir("/sys/devices/virtual/memory_tiering");
	if (!dir)
		NA("no memory tiering sysfs");
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "memory_tier", 11))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/virtual/memory_tiering/%s/nodelist",
			 d->d_name);
		if (pn_read_file(path, buf, sizeof(buf)))
			continue;
		printf("  %s: nodes %s", d->d_name, buf);
		if (pn_parse_nodelist(buf) & (1UL << target))
			in_tier = 1;
	}
	closedir(dir);
	log = pn_kmsg();
	for (p = log; p && (p = strstr(p, "Demotion targets for Node ")); p++) {
		char *eol = strchr(p, '\n'), *pref;

		if (eol)
			*eol = 0;
		printf("  %s\n", p);
		pref = strstr(p, "preferred: ");
		if (pref && (pn_parse_nodelist(pref + 11) & (1UL << target)))
			target_of = 1;
		if (eol)
			*eol = '\n';
	}
	printf("node %d: %s a memory tier, %s a demotion target\n", target,
	       in_tier ? "in" : "not in", target_of ? "is" : "not");
	if (target_of)
		LEAK();
	if (in_tier) {
		if (!pn_is_private(target))
			NA("node %d is in a tier but has no slower rating here, no demotion target to show",
			   target);
		LEAK();
	}
	HELD();
}
