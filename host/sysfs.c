// SPDX-License-Identifier: GPL-2.0
/* Nodes, the private-node lists, dax devices and memory blocks from sysfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sysfs.h"
#include "vmm/node.h"

static void path_of(const struct host_env *e, const char *rel, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", e->sysfs, rel);
}

bool host_read(const struct host_env *e, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];

	path_of(e, rel, path, sizeof(path));
	return nodelist_read(path, buf, len);
}

int host_write(const struct host_env *e, const char *rel, const char *text)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	path_of(e, rel, path, sizeof(path));
	/* O_TRUNC as a shell's '>': sysfs ignores it, a test tree's file needs it. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs takes a store in one write; a short one would be a different list. */
	n = write(fd, text, strlen(text));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(text))
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static bool read_u64(const struct host_env *e, const char *rel, int base, u64 *v)
{
	char buf[64], *end;

	if (!host_read(e, rel, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*v = strtoull(buf, &end, base);
	return !errno && end != buf;
}

static unsigned int list_count(const char *list, int max)
{
	unsigned int n = 0;

	for (int i = 0; i < max; i++)
		n += nodelist_has(list, i);
	return n;
}

void nodelist_format(const bool *set, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int j = i;

		if (!set[i])
			continue;
		while (j + 1 < n && set[j + 1])
			j++;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%d", used ? "," : "", i);
		if (j > i)
			used += snprintf(buf + used, used < len ? len - used : 0, "-%d", j);
		i = j;
	}
}

/* @n bytes of @src, cut to fit @len. */
static void copy_str(char *dst, size_t len, const char *src, size_t n)
{
	n = MIN(n, len - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "Node 1 MemTotal:  1048576 kB" */
static void node_meminfo(const struct host_env *e, struct host_node *n)
{
	char path[PATH_MAX], line[256], key[32];
	unsigned long long kb;
	int id;
	FILE *f;

	snprintf(path, sizeof(path), "%s/devices/system/node/node%d/meminfo", e->sysfs, n->id);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d %31[^:]: %llu", &id, key, &kb) != 3)
			continue;
		if (!strcmp(key, "MemTotal"))
			n->total = kb << 10;
		else if (!strcmp(key, "MemFree"))
			n->free = kb << 10;
	}
	fclose(f);
}

static void node_hugepages(const struct host_env *e, struct host_node *n)
{
	static const struct { const char *dir; size_t total, free; } sizes[] = {
		{ "hugepages-2048kB", offsetof(struct host_node, huge_2m),
		  offsetof(struct host_node, huge_2m_free) },
		{ "hugepages-1048576kB", offsetof(struct host_node, huge_1g),
		  offsetof(struct host_node, huge_1g_free) },
	};
	char rel[128];

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(rel, sizeof(rel), "devices/system/node/node%d/hugepages/%s/nr_hugepages",
			 n->id, sizes[i].dir);
		read_u64(e, rel, 10, (u64 *)((char *)n + sizes[i].total));
		snprintf(rel, sizeof(rel), "devices/system/node/node%d/hugepages/%s/free_hugepages",
			 n->id, sizes[i].dir);
		read_u64(e, rel, 10, (u64 *)((char *)n + sizes[i].free));
	}
}

/* "always [madvise] never" -> "madvise" */
static void thp_mode(const struct host_env *e, const char *rel, char *out, size_t len)
{
	char buf[256], *l, *r;

	out[0] = '\0';
	if (!host_read(e, rel, buf, sizeof(buf)))
		return;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r)
		copy_str(out, len, l + 1, r - l - 1);
	else
		copy_str(out, len, buf, strlen(buf));
}

static void probe_nodes(const struct host_env *e, struct host_state *s)
{
	char possible[HOST_LIST_LEN], memory[HOST_LIST_LEN], rel[128], cpus[HOST_LIST_LEN];
	bool have_possible = host_read(e, "devices/system/node/possible", possible, sizeof(possible));

	host_read(e, "devices/system/node/has_memory", memory, sizeof(memory));
	for (int id = 0; id < HOST_MAX_NODES; id++) {
		struct host_node *n = &s->nodes[s->nr_nodes];

		snprintf(rel, sizeof(rel), "devices/system/node/node%d/cpulist", id);
		memset(n, 0, sizeof(*n));
		n->id = id;
		n->online = host_read(e, rel, cpus, sizeof(cpus));
		/* A possible node may be offline: memory-only, nothing added yet. */
		if (!n->online && !(have_possible && nodelist_has(possible, id)))
			continue;
		n->cpus = n->online ? list_count(cpus, 4096) : 0;
		n->has_memory = nodelist_has(memory, id);
		n->private = nodelist_has(s->private_list, id);
		n->designated = nodelist_has(s->designated_list, id);
		n->boot_designated = nodelist_has(s->boot_list, id);
		node_meminfo(e, n);
		node_hugepages(e, n);
		s->nr_nodes++;
	}
}

static void count_block(const struct host_env *e, struct host_dax *d, unsigned long long idx)
{
	char rel[128], state[32], zones[64];

	snprintf(rel, sizeof(rel), "devices/system/memory/memory%llu/state", idx);
	if (!host_read(e, rel, state, sizeof(state)))
		return;
	d->blocks++;
	if (strcmp(state, "online"))
		return;
	d->online++;
	/* An online block's valid_zones is the zone it is in. */
	snprintf(rel, sizeof(rel), "devices/system/memory/memory%llu/valid_zones", idx);
	if (host_read(e, rel, zones, sizeof(zones)) && !strcmp(zones, "Normal"))
		d->normal++;
}

/* The memory blocks of a kmem device: its resource's range, else its node's. */
static void dax_blocks(const struct host_env *e, struct host_dax *d, u64 bs)
{
	unsigned long long idx;
	struct dirent **ents;
	char path[PATH_MAX];
	int n;

	if (d->start && d->size && bs) {
		for (idx = d->start / bs; idx <= (d->start + d->size - 1) / bs; idx++)
			count_block(e, d, idx);
		return;
	}
	if (d->node < 0)
		return;
	snprintf(path, sizeof(path), "%s/devices/system/node/node%d", e->sysfs, d->node);
	n = scandir(path, &ents, NULL, versionsort);
	for (int i = 0; i < n; i++) {
		if (sscanf(ents[i]->d_name, "memory%llu", &idx) == 1)
			count_block(e, d, idx);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static void probe_dax(const struct host_env *e, struct host_state *s)
{
	char path[PATH_MAX], rel[160], link[PATH_MAX], buf[64], *base;
	struct dirent **ents;
	u64 bs = 0, v;
	int n;
	ssize_t l;

	read_u64(e, "devices/system/memory/block_size_bytes", 16, &bs);
	snprintf(path, sizeof(path), "%s/bus/dax/devices", e->sysfs);
	n = scandir(path, &ents, NULL, versionsort);
	for (int i = 0; i < n; i++) {
		struct host_dax *d = &s->dax[s->nr_dax];
		const char *name = ents[i]->d_name;

		if (strncmp(name, "dax", 3) || strlen(name) >= sizeof(d->name) ||
		    s->nr_dax == HOST_MAX_DAX)
			continue;
		memset(d, 0, sizeof(*d));
		strcpy(d->name, name);
		d->node = -1;
		snprintf(rel, sizeof(rel), "bus/dax/devices/%s/target_node", name);
		if (host_read(e, rel, buf, sizeof(buf)))
			d->node = atoi(buf);
		snprintf(rel, sizeof(rel), "bus/dax/devices/%s/size", name);
		read_u64(e, rel, 10, &d->size);
		snprintf(rel, sizeof(rel), "bus/dax/devices/%s/resource", name);
		if (read_u64(e, rel, 16, &v))
			d->start = v;
		snprintf(path, sizeof(path), "%s/bus/dax/devices/%s/driver", e->sysfs, name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l > 0) {
			link[l] = '\0';
			base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
			copy_str(d->driver, sizeof(d->driver), base, strlen(base));
			d->mode = !strcmp(d->driver, "device_dax") ? DAX_DEVDAX :
				  !strcmp(d->driver, "kmem") ? DAX_KMEM : DAX_OTHER;
		}
		if (d->mode == DAX_KMEM)
			dax_blocks(e, d, bs);
		s->nr_dax++;
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	if (n >= 0)
		free(ents);
}

/* The last private_node= on the kernel command line wins, as with any parameter. */
static void boot_nodes(const struct host_env *e, char *list, size_t len)
{
	char path[PATH_MAX], line[4096], *p, *tok, *save;

	list[0] = '\0';
	snprintf(path, sizeof(path), "%s/cmdline", e->proc);
	if (!nodelist_read(path, line, sizeof(line)))
		return;
	for (p = line; (tok = strtok_r(p, " ", &save)); p = NULL)
		if (!strncmp(tok, "private_node=", 13))
			copy_str(list, len, tok + 13, strlen(tok + 13));
}

int host_probe(const struct host_env *e, struct host_state *s)
{
	memset(s, 0, sizeof(*s));
	boot_nodes(e, s->boot_list, sizeof(s->boot_list));
	s->has_private = host_read(e, HOST_PRIVATE_LIST, s->private_list, sizeof(s->private_list));
	s->has_designate = host_read(e, HOST_DESIGNATE_LIST, s->designated_list,
				     sizeof(s->designated_list));
	probe_nodes(e, s);
	if (!s->nr_nodes)
		return errf(-ENOENT, "%s/devices/system/node: no NUMA nodes", e->sysfs);
	probe_dax(e, s);
	thp_mode(e, "kernel/mm/transparent_hugepage/enabled", s->thp, sizeof(s->thp));
	thp_mode(e, "kernel/mm/transparent_hugepage/shmem_enabled", s->thp_shmem,
		 sizeof(s->thp_shmem));
	return 0;
}

const struct host_node *host_node(const struct host_state *s, int id)
{
	for (unsigned int i = 0; i < s->nr_nodes; i++)
		if (s->nodes[i].id == id)
			return &s->nodes[i];
	return NULL;
}

const struct host_dax *host_dax(const struct host_state *s, const char *name)
{
	for (unsigned int i = 0; i < s->nr_dax; i++)
		if (!strcmp(s->dax[i].name, name))
			return &s->dax[i];
	return NULL;
}

int host_dax_user(const struct host_env *e, const char *name)
{
	char want[64], path[PATH_MAX], link[PATH_MAX];
	struct dirent *p, *f;
	DIR *procs, *fds;
	int pid = 0;
	ssize_t l;

	snprintf(want, sizeof(want), "/dev/%s", name);
	procs = opendir(e->proc);
	while (procs && !pid && (p = readdir(procs))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd", e->proc, p->d_name);
		fds = opendir(path);
		while (fds && !pid && (f = readdir(fds))) {
			snprintf(path, sizeof(path), "%s/%s/fd/%s", e->proc, p->d_name, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l > 0 && (link[l] = '\0', !strcmp(link, want)))
				pid = atoi(p->d_name);
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
	return pid;
}
