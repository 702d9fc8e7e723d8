/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Made-up hosts for test_host: a sysfs/proc tree in a temp dir that
 * fake_host() lays out from a struct fake, a fake daxctl that changes
 * the tree as the kernel would, a fake placement probe, and host_run()
 * with its output captured and its JSON parsed back.
 */
#ifndef PNVM_TEST_HOST_FAKE_H
#define PNVM_TEST_HOST_FAKE_H

#include <errno.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"
#include "tests/tap.h"

#define ARGV(...)	((char *[]){ "host", __VA_ARGS__, NULL })

static char root[] = "/tmp/pnvm-host-XXXXXX";
static char sys_dir[128], proc_dir[128], daxctl[128], grub[128], conf[128];
static struct host_env env;
static int probes;		/* fake probe calls */
static int probe_fails;		/* make the fake probe fail */

static int fake_probe(int node, char *detail, size_t len)
{
	probes++;
	snprintf(detail, len, "fake: %s on node %d", probe_fails ? "2 of 512 pages" : "512 of 512 pages",
		 node);
	return probe_fails ? -EFAULT : 0;
}

static void put(const char *rel, const char *text)
{
	char path[256], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *get(const char *rel)
{
	static char buf[4096];
	char path[256];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void sym(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (symlink(target, path))
		perror(path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return ftw->level ? remove(path) : 0;
}

enum { NO_DAX, DEVDAX, KMEM };

/* One host: node 0 with CPUs and memory, node 1 as the spec says, node 2 possible but offline. */
struct fake {
	const char *private;	/* has_private_memory; NULL: absent (stock kernel) */
	const char *designated;	/* private_nodes; NULL: absent (older series) */
	const char *node1_cpus;
	unsigned int node1_mib;	/* memory online on node 1 */
	int dax;		/* dax0.0 on node 1: none, devdax, kmem */
	const char *blocks;	/* kmem: "online" or "offline" */
	const char *zone;	/* kmem online: "Normal" or "Movable" */
	int user;		/* a pid with /dev/dax0.0 open */
	const char *cmdline;
};

static void fake_daxctl(void);

static void fake_host(const struct fake *f)
{
	char buf[256];

	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	put("sys/devices/system/node/possible", "0-2\n");
	put("sys/devices/system/node/has_memory", f->node1_mib ? "0-1\n" : "0\n");
	put("sys/devices/system/node/node0/cpulist", "0-1\n");
	put("sys/devices/system/node/node0/meminfo",
	    "Node 0 MemTotal:        1048576 kB\nNode 0 MemFree:          524288 kB\n");
	put("sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "4\n");
	put("sys/devices/system/node/node1/cpulist", f->node1_cpus ? f->node1_cpus : "\n");
	snprintf(buf, sizeof(buf), "Node 1 MemTotal: %u kB\nNode 1 MemFree: %u kB\n",
		 f->node1_mib << 10, f->node1_mib << 9);
	put("sys/devices/system/node/node1/meminfo", buf);
	if (f->private)
		put("sys/devices/system/node/has_private_memory", f->private);
	if (f->designated)
		put("sys/devices/system/node/private_nodes", f->designated);
	put("sys/devices/system/memory/block_size_bytes", "8000000\n");
	put("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
	put("proc/cmdline", f->cmdline ? f->cmdline : "root=/dev/vda quiet\n");
	put("proc/1/fd/.keep", "");
	fake_daxctl();
	if (f->user) {
		snprintf(buf, sizeof(buf), "proc/%d/fd/.keep", f->user);
		put(buf, "");
		snprintf(buf, sizeof(buf), "proc/%d/fd/4", f->user);
		sym("/dev/dax0.0", buf);
	}
	if (f->dax == NO_DAX)
		return;
	/* 256 MiB at 4 GiB: memory blocks 32 and 33 of 128 MiB. */
	put("sys/bus/dax/devices/dax0.0/target_node", "1\n");
	put("sys/bus/dax/devices/dax0.0/size", "268435456\n");
	put("sys/bus/dax/devices/dax0.0/resource", "0x100000000\n");
	sym(f->dax == KMEM ? "../../../../bus/dax/drivers/kmem" : "../../../../bus/dax/drivers/device_dax",
	    "sys/bus/dax/devices/dax0.0/driver");
	for (int b = 32; f->dax == KMEM && b < 34; b++) {
		snprintf(buf, sizeof(buf), "sys/devices/system/memory/memory%d/state", b);
		put(buf, f->blocks);
		snprintf(buf, sizeof(buf), "sys/devices/system/memory/memory%d/valid_zones", b);
		put(buf, !strcmp(f->blocks, "online") ? f->zone : "Normal Movable");
	}
}

/*
 * What the kernel does when dax0.0 goes to kmem: two blocks online, in
 * ZONE_NORMAL and private when node 1 was designated first, else public
 * (Movable). It prints JSON on stdout, as daxctl does.
 */
static void fake_daxctl(void)
{
	FILE *f = fopen(daxctl, "w");

	fprintf(f, "#!/bin/sh\nS=%s\necho \"$*\" >> %s/daxctl.log\n", sys_dir, root);
	fputs("[ -e $S/../daxctl.fail ] && { echo '{\"chardev\":\"dax0.0\"}'; "
	      "echo 'libdaxctl: daxctl_dev_online_memory: dax0.0: failed: Device or resource busy' >&2; exit 1; }\n"
	      "ln -sfn ../../../../bus/dax/drivers/kmem $S/bus/dax/devices/dax0.0/driver\n"
	      "zone=Movable\n"
	      "grep -qx 1 $S/devices/system/node/private_nodes 2>/dev/null && "
	      "{ echo 1 > $S/devices/system/node/has_private_memory; zone=Normal; }\n"
	      "for b in 32 33; do mkdir -p $S/devices/system/memory/memory$b; "
	      "echo online > $S/devices/system/memory/memory$b/state; "
	      "echo $zone > $S/devices/system/memory/memory$b/valid_zones; done\n"
	      "echo 0-1 > $S/devices/system/node/has_memory\n"
	      "printf 'Node 1 MemTotal: 262144 kB\\nNode 1 MemFree: 262144 kB\\n' > $S/devices/system/node/node1/meminfo\n"
	      "echo '[{\"chardev\":\"dax0.0\",\"mode\":\"system-ram\"}]'\n", f);
	fclose(f);
	chmod(daxctl, 0755);
}

/* host_run with argv; *out and *err are what it printed. */
static int run(char **argv, char **out, char **err)
{
	static char *o, *e;
	size_t ol, el;
	FILE *fo, *fe;
	int argc = 0, st;

	free(o);
	free(e);
	fo = open_memstream(&o, &ol);
	fe = open_memstream(&e, &el);
	while (argv[argc])
		argc++;
	st = host_run(&env, argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	*out = o;
	*err = e;
	return st;
}

/* The JSON a run printed, parsed back; NULL if it is not one object. */
static json_object *run_json(char **argv, int *st)
{
	static json_object *last;
	char *out, *err;

	json_object_put(last);
	*st = run(argv, &out, &err);
	last = json_tokener_parse(out);
	if (!last || !json_object_is_type(last, json_type_object)) {
		tap_diag("not a JSON object: %s%s", out, err);
		return NULL;
	}
	return last;
}

static json_object *key(json_object *o, const char *k)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static bool jbool(json_object *o, const char *k)
{
	return json_object_get_boolean(key(o, k));
}

/* The item @name of a JSON items array. */
static json_object *jitem(json_object *items, const char *name)
{
	for (size_t i = 0; items && i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);

		if (!strcmp(json_object_get_string(key(it, "name")), name))
			return it;
	}
	return NULL;
}

static const char *jstr(json_object *o, const char *k)
{
	return key(o, k) ? json_object_get_string(key(o, k)) : "";
}

/* The temp dir and an env that points into it; 0, or -1. */
static int fake_setup(void)
{
	if (!mkdtemp(root))
		return -1;
	snprintf(sys_dir, sizeof(sys_dir), "%s/sys", root);
	snprintf(proc_dir, sizeof(proc_dir), "%s/proc", root);
	snprintf(daxctl, sizeof(daxctl), "%s/daxctl", root);
	snprintf(grub, sizeof(grub), "%s/grub.d", root);
	snprintf(conf, sizeof(conf), "%s/pnvm.conf", root);
	env = (struct host_env){ .sysfs = sys_dir, .proc = proc_dir, .conf = conf,
				 .kvm = "/nonexistent/kvm", .tun = "/nonexistent/tun",
				 .daxctl = daxctl, .grub_dir = grub, .probe = fake_probe };
	return 0;
}

static void fake_cleanup(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(root);
}

#endif
