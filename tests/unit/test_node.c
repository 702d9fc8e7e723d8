// SPDX-License-Identifier: GPL-2.0
/* Node checks: made-up hosts through node_check, the real one through node_probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/node.h"

static char dir[] = "/tmp/pnvm-node-XXXXXX", conf[64], list[64];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The host default node: pnvm.conf, else the only private node; require_private. */
static void host_defaults(void)
{
	struct node_conf c;
	int ret;

	if (!mkdtemp(dir))
		return;
	snprintf(conf, sizeof(conf), "%s/pnvm.conf", dir);
	snprintf(list, sizeof(list), "%s/has_private_memory", dir);

	ok(!node_host_default(conf, list, &c) && c.private_node == -1 && !c.require_private,
	   "no config, no private-node list: no default, nothing required");
	put(list, "2\n");
	ok(!node_host_default(conf, list, &c) && c.private_node == 2,
	   "no config, one private node (2): that one");
	put(list, "1-2\n");
	ok(!node_host_default(conf, list, &c) && c.private_node == -1,
	   "two private nodes: no default (pnvm does not choose)");
	put(conf, "# the lab host\nprivate_node = 1\n  require_private=yes  # RAM never on a shared node\n");
	ok(!node_host_default(conf, list, &c) && c.private_node == 1 && c.require_private,
	   "private_node = 1, require_private=yes (spaces, comments)");
	put(list, "3\n");
	ok(!node_host_default(conf, list, &c) && c.private_node == 1, "the config wins over sysfs");
	put(conf, "require_private = no\n");
	ok(!node_host_default(conf, list, &c) && c.private_node == 3 && !c.require_private,
	   "config without private_node: the only private node (3)");
	put(conf, "private_node = x\n");
	ret = node_host_default(conf, list, &c);
	ok(ret == -EINVAL && strstr(err_msg(), "pnvm.conf:1: private_node 'x'"), "bad node: %s", err_msg());
	put(conf, "\nrequire_private = maybe\n");
	ret = node_conf_read(conf, &c);
	ok(ret == -EINVAL && strstr(err_msg(), ":2: require_private 'maybe'"), "bad bool: %s", err_msg());
	put(conf, "private-node = 1\n");
	ret = node_conf_read(conf, &c);
	ok(ret == -EINVAL && strstr(err_msg(), "unknown key 'private-node'"), "a typo is an error: %s",
	   err_msg());
	put(conf, "private_node\n");
	ok(node_conf_read(conf, &c) == -EINVAL && strstr(err_msg(), "key = value"), "no '=': refused");
	setenv("PNVM_CONF", conf, 1);
	put(conf, "private_node = 5\n");
	ok(!node_conf_read(NULL, &c) && c.private_node == 5, "PNVM_CONF names the file");
	unsetenv("PNVM_CONF");

	put(list, "1,3\n");
	ok(!node_require_private(3, list), "require_private: node 3 is private");
	ret = node_require_private(0, list);
	ok(ret == -EPERM && strstr(err_msg(), "node 0 is not private (private nodes: 1,3)"),
	   "require_private: node 0 refused: %s", err_msg());
	unlink(list);
	ret = node_require_private(1, list);
	ok(ret == -EPERM && strstr(err_msg(), "no private-node support"), "require_private, stock kernel: %s",
	   err_msg());
	unlink(conf);
	rmdir(dir);
}

int main(void)
{
	struct node_info ni = {
		.node = 1, .exists = true, .max_node = 1,
		.total = 1ULL << 30, .free = 900ULL << 20,
		.private = NODE_PRIVATE_UNKNOWN,
	};
	int ret;

	ok(node_check(&ni, 256ULL << 20, false) == 0, "256M on a node with 900M free");
	ret = node_check(&ni, 1ULL << 30, false);
	ok(ret == -ENOMEM && strstr(err_msg(), "more than node 1 has free (900 of 1024 MiB)"),
	   "1G on a node with 900M free: %s", err_msg());
	ret = node_check(&ni, 256ULL << 20, true);
	ok(ret == -EPERM && strstr(err_msg(), "no private-node support"),
	   "--require-private on a stock kernel: %s", err_msg());
	ni.private = NODE_PRIVATE_NO;
	strcpy(ni.private_list, "2");
	ret = node_check(&ni, 256ULL << 20, true);
	ok(ret == -EPERM && strstr(err_msg(), "node 1 is not private (private nodes: 2)"),
	   "--require-private, node not in the list: %s", err_msg());
	ni.private = NODE_PRIVATE_YES;
	ok(node_check(&ni, 256ULL << 20, true) == 0, "--require-private on a private node");
	ni.exists = false;
	ni.node = 7;
	ret = node_check(&ni, 256ULL << 20, false);
	ok(ret == -ENODEV && strstr(err_msg(), "--private-node 7: no such NUMA node"),
	   "missing node: %s", err_msg());

	ok(nodelist_has("1", 1) && !nodelist_has("1", 0), "nodelist \"1\"");
	ok(nodelist_has("0-2,5", 2) && nodelist_has("0-2,5", 5) && !nodelist_has("0-2,5", 4),
	   "nodelist \"0-2,5\"");
	ok(!nodelist_has("", 0) && !nodelist_has("\n", 0), "empty nodelist has nothing");

	/* The host: node 0 exists (NUMA or not), a huge number does not. */
	ok(!node_probe(0, &ni) && ni.exists && ni.total > 0 && ni.free > 0 && ni.free <= ni.total,
	   "host node 0: %llu MiB, %llu free", (unsigned long long)(ni.total >> 20),
	   (unsigned long long)(ni.free >> 20));
	ok(!node_probe(4000, &ni) && !ni.exists && node_check(&ni, 1, false) == -ENODEV,
	   "host node 4000 does not exist: %s", err_msg());
	host_defaults();
	return tap_done();
}
