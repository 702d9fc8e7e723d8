// SPDX-License-Identifier: GPL-2.0
/*
 * Designation: /sys/devices/system/node/has_private_memory lists the
 * private nodes (read-only), and a private node stays an ordinary memory
 * node otherwise: listed in has_memory, allowed in Mems_allowed, with its
 * own meminfo. Stock has no such file: n/a.
 */
#include "pnode.h"
#include <sys/stat.h>

int main(void)
{
	long priv = pn_private_nodes(), mem = pn_nodelist("has_memory");
	int target = pn_target_node(), ok = 1;
	struct stat st;
	char buf[4096], *p;

	if (priv < 0)
		NA("kernel has no has_private_memory file");
	printf("has_private_memory = %#lx, has_memory = %#lx\n", priv, mem);
	if (stat("/sys/devices/system/node/has_private_memory", &st) == 0)
		printf("mode %o\n", st.st_mode & 0777);
	if (st.st_mode & 0222) {
		printf("file is writable\n");
		ok = 0;
	}
	if (target < 0 || !(priv & (1UL << target))) {
		printf("no private node (boot without private_node=?)\n");
		ok = 0;
	} else {
		if (!(mem & (1UL << target))) {
			printf("node %d missing from has_memory\n", target);
			ok = 0;
		}
		printf("node %d MemTotal %ld kB\n", target,
		       pn_node_meminfo(target, "MemTotal"));
		if (pn_node_meminfo(target, "MemTotal") <= 0)
			ok = 0;
		if (!pn_read_file("/proc/self/status", buf, sizeof(buf)) &&
		    (p = strstr(buf, "Mems_allowed_list:"))) {
			unsigned long m = pn_parse_nodelist(p + 19);

			printf("Mems_allowed_list %#lx\n", m);
			if (!(m & (1UL << target)))
				ok = 0;
		}
	}
	if (!ok)
		LEAK();
	HELD();
}
