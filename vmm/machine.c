// SPDX-License-Identifier: GPL-2.0
/* The machine description: from the CLI's options, checks, as JSON. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/mmio.h"
#include "vmm/cli.h"
#include "vmm/machine.h"

static void add_dev(struct machine *m, enum dev_kind kind, unsigned int index)
{
	unsigned int slot = m->ndevs++;

	m->devs[slot] = (struct machine_dev){
		.kind = kind, .index = index,
		.base = GUEST_VIRTIO_BASE + slot * GUEST_VIRTIO_STRIDE,
		.gsi = GUEST_VIRTIO_GSI + slot,
	};
}

int machine_from_opts(struct machine *m, const struct pnvm_opts *o)
{
	unsigned int k;

	memset(m, 0, sizeof(*m));
	m->name = o->name;
	m->cpus = o->cpus;
	m->memory = o->memory;
	m->node = o->node;
	m->prealloc = o->prealloc;
	m->require_private = o->require_private;
	m->report = o->report;
	m->kernel = o->kernel;
	m->initrd = o->initrd;
	m->window = o->window_off ? WINDOW_OFF : o->window_hidden ? WINDOW_HIDDEN : WINDOW_ON;
	m->shared_node = o->shared_node;
	m->seccomp = o->seccomp;
	/* An unknown --user is bad input: resolved now, before KVM. */
	if (priv_resolve(o->user, o->group, &m->priv))
		return -EINVAL;

	/* Slot order is what the guest sees: disks, nets, rng, console. */
	for (k = 0; k < o->ndisks; k++) {
		add_dev(m, DEV_BLK, k);
		m->devs[m->ndevs - 1].path = o->disks[k].path;
		m->devs[m->ndevs - 1].ro = o->disks[k].ro;
	}
	for (k = 0; k < o->nnets; k++) {
		struct machine_dev *d = &m->devs[m->ndevs];

		add_dev(m, DEV_NET, k);
		d->tap = o->nets[k].tap;
		d->tap_fd = o->nets[k].fd;
		/* pnvm's own: locally administered, "pnvm", index. */
		memcpy(d->mac, o->nets[k].mac_set ? o->nets[k].mac :
		       (const u8[]){ 0x02, 'p', 'n', 'v', 'm', (u8)k }, 6);
	}
	if (o->rng)
		add_dev(m, DEV_RNG, 0);
	if (o->console)
		add_dev(m, DEV_CONSOLE, 0);

	/*
	 * Window mode: the guest learns about its devices, the window and
	 * its interrupt controllers from a device tree (virtio/README.md),
	 * and nothing else may describe them. Only when there are devices:
	 * a VM without any keeps the plain MP-table boot any guest takes.
	 */
	m->tables = machine_has_window(m) ? TABLES_DT : m->ndevs ? TABLES_ACPI : TABLES_MPTABLE;
	if (machine_has_window(m)) {
		m->window_size = o->window_size;
		m->window_gpa = guest_window_gpa(m->memory, m->window_size);
	}
	snprintf(m->cmdline, sizeof(m->cmdline), "%s", o->cmdline ? o->cmdline : "");
	/* The memory map: RAM first (slots 0, 1), the window after it. */
	return guest_layout(&m->ram, m->memory);
}

const char *machine_dev_kind(enum dev_kind kind)
{
	static const char *const names[] = {
		[DEV_BLK] = "blk", [DEV_NET] = "net", [DEV_RNG] = "rng", [DEV_CONSOLE] = "console",
	};

	return names[kind];
}

static int check_file(const char *opt, const char *path)
{
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st) || access(path, R_OK))
		return errf(-EINVAL, "%s %s: %s", opt, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errf(-EINVAL, "%s %s: not a regular file", opt, path);
	return 0;
}

/* A disk image must be a file or a block device we can open as asked. */
static int check_disk(const struct machine_dev *d)
{
	struct stat st;

	if (stat(d->path, &st) || access(d->path, d->ro ? R_OK : R_OK | W_OK))
		return errf(-EINVAL, "--disk %s%s: %s", d->path, d->ro ? ",ro" : "", strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return errf(-EINVAL, "--disk %s: not a regular file or block device", d->path);
	if (S_ISREG(st.st_mode) && st.st_size < 512)
		return errf(-EINVAL, "--disk %s: smaller than one 512-byte sector", d->path);
	return 0;
}

int machine_check_files(const struct machine *m)
{
	int ret = check_file("--kernel", m->kernel);

	if (!ret)
		ret = check_file("--initrd", m->initrd);
	for (unsigned int i = 0; !ret && i < m->ndevs; i++)
		if (m->devs[i].kind == DEV_BLK)
			ret = check_disk(&m->devs[i]);
		else if (m->devs[i].kind == DEV_NET && !m->devs[i].tap &&
			 fcntl(m->devs[i].tap_fd, F_GETFD) < 0)
			ret = errf(-EBADF, "--net fd=%d: not an open file descriptor", m->devs[i].tap_fd);
	return ret;
}

int machine_validate(const struct machine *m, struct payload *in)
{
	struct node_info *ni = &in->ni, wi;
	u64 initrd_addr;
	int ret;

	ret = machine_check_files(m);
	if (ret)
		return ret;
	ret = node_probe(m->node, ni);
	if (!ret)
		ret = node_check(ni, m->memory, m->require_private);
	if (ret)
		return ret;
	if (machine_has_window(m)) {
		ret = node_probe(m->shared_node, &wi);
		if (!ret && !wi.exists && !wi.max_node)
			return errf(-ENODEV, "--shared-node %d: no such NUMA node (this host has only node 0)",
				    m->shared_node);
		if (!ret && !wi.exists)
			return errf(-ENODEV, "--shared-node %d: no such NUMA node (this host has nodes 0-%d)",
				    m->shared_node, wi.max_node);
		if (!ret && m->window_size > wi.free)
			return errf(-ENOMEM, "--shared-window %llu MiB is more than node %d has free (%llu MiB)",
				    (unsigned long long)(m->window_size >> 20), m->shared_node,
				    (unsigned long long)(wi.free >> 20));
		if (ret)
			return ret;
	}
	ret = load_file(m->kernel, &in->kernel, &in->kernel_len);
	if (ret)
		return errf(ret, "--kernel %s", err_msg());
	ret = bzimage_parse(in->kernel, in->kernel_len, &in->bz);
	if (ret)
		return errf(ret, "--kernel %s: %s", m->kernel, err_msg());
	if (m->initrd) {
		ret = load_file(m->initrd, &in->initrd, &in->initrd_len);
		if (ret)
			return errf(ret, "--initrd %s", err_msg());
	}
	ret = boot_cmdline(in->cmdline, MIN(sizeof(in->cmdline), (size_t)in->bz.cmdline_size + 1),
			   m->tables == TABLES_ACPI,
			   m->cmdline);
	if (ret)
		return ret;
	if (in->initrd_len) {
		ret = boot_initrd_addr(&in->bz, guest_low_ram_end(&m->ram), in->initrd_len,
				       &initrd_addr);
		if (ret)
			return errf(ret, "--memory %llu MiB: %s",
				    (unsigned long long)(m->memory >> 20), err_msg());
	}
	return 0;
}

void payload_free(struct payload *p)
{
	free(p->kernel);
	free(p->initrd);
	p->kernel = p->initrd = NULL;
}

void machine_warnings(const struct machine *m, const struct payload *p)
{
	const struct node_info *ni = &p->ni;

	if (ni->private == NODE_PRIVATE_UNKNOWN)
		warnf("this kernel has no private-node state (%s); isolation of node %d is not enforced by the kernel (--require-private refuses to start)",
		      NODE_PRIVATE_LIST, m->node);
	else if (ni->private == NODE_PRIVATE_NO)
		warnf("node %d is not a private node (private: %s); its memory is shared with the host",
		      m->node, ni->private_list[0] ? ni->private_list : "none");
	else if (m->report)
		infof("node %d is private", m->node);
	if (m->window == WINDOW_OFF && m->ndevs)
		warnf("--window=off: virtio devices may read and write all of guest RAM on node %d",
		      m->node);
	if (m->window == WINDOW_HIDDEN && m->ndevs)
		warnf("--window=hidden: the guest is not told of the window; its devices will find every ring and buffer outside it and refuse them");
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;	/* NULL is JSON null */
}

static json_object *jint(u64 v)
{
	return json_object_new_int64((int64_t)v);
}

static json_object *jregion(const struct region *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", jstr(r->type == REGION_RAM ? "ram" : "shared"));
	json_object_object_add(o, "slot", jint(r->slot));
	json_object_object_add(o, "gpa", jint(r->gpa));
	json_object_object_add(o, "size", jint(r->size));
	return o;
}

static json_object *jdev(const struct machine_dev *d, unsigned int slot)
{
	json_object *o = json_object_new_object();
	char name[24];

	snprintf(name, sizeof(name), "%s%u", machine_dev_kind(d->kind), d->index);
	json_object_object_add(o, "name", jstr(name));
	json_object_object_add(o, "kind", jstr(machine_dev_kind(d->kind)));
	json_object_object_add(o, "slot", jint(slot));
	json_object_object_add(o, "base", jint(d->base));
	json_object_object_add(o, "size", jint(VIRTIO_MMIO_REGION));
	json_object_object_add(o, "gsi", jint(d->gsi));
	if (d->kind == DEV_BLK) {
		json_object_object_add(o, "path", jstr(d->path));
		json_object_object_add(o, "readonly", json_object_new_boolean(d->ro));
	}
	if (d->kind == DEV_NET) {
		char mac[18];

		cli_format_mac(d->mac, mac);
		if (d->tap)
			json_object_object_add(o, "tap", jstr(d->tap));
		else
			json_object_object_add(o, "fd", jint(d->tap_fd));
		json_object_object_add(o, "mac", jstr(mac));
	}
	return o;
}

static json_object *machine_json(const struct machine *m, char *line)
{
	static const char *const modes[] = {
		[WINDOW_ON] = "on", [WINDOW_OFF] = "off", [WINDOW_HIDDEN] = "hidden",
	};
	static const char *const tables[] = {
		[TABLES_MPTABLE] = "mptable", [TABLES_DT] = "device-tree", [TABLES_ACPI] = "acpi",
	};
	json_object *root = json_object_new_object(), *mem = json_object_new_object();
	json_object *boot = json_object_new_object(), *win = json_object_new_object();
	json_object *regions = json_object_new_array(), *devs = json_object_new_array();
	struct region shared = {
		.type = REGION_SHARED, .slot = m->ram.nr, .gpa = m->window_gpa, .size = m->window_size,
	};

	json_object_object_add(root, "name", jstr(m->name));
	json_object_object_add(root, "cpus", jint(m->cpus));
	json_object_object_add(mem, "size", jint(m->memory));
	json_object_object_add(mem, "node", jint(m->node));
	json_object_object_add(mem, "prealloc", json_object_new_boolean(m->prealloc));
	json_object_object_add(mem, "require_private", json_object_new_boolean(m->require_private));
	for (unsigned int i = 0; i < m->ram.nr; i++)
		json_object_array_add(regions, jregion(&m->ram.regions[i]));
	if (machine_has_window(m))
		json_object_array_add(regions, jregion(&shared));
	json_object_object_add(mem, "regions", regions);
	json_object_object_add(root, "memory", mem);

	json_object_object_add(boot, "kernel", jstr(m->kernel));
	json_object_object_add(boot, "initrd", jstr(m->initrd));
	/* The whole line the guest gets (validation checked its length). */
	if (!boot_cmdline(line, GUEST_CMDLINE_MAX, m->tables == TABLES_ACPI, m->cmdline))
		json_object_object_add(boot, "cmdline", jstr(line));
	json_object_object_add(boot, "tables", jstr(tables[m->tables]));
	json_object_object_add(root, "boot", boot);

	json_object_object_add(win, "mode", jstr(modes[m->window]));
	if (machine_has_window(m)) {
		json_object_object_add(win, "gpa", jint(m->window_gpa));
		json_object_object_add(win, "size", jint(m->window_size));
		json_object_object_add(win, "node", jint(m->shared_node));
	}
	json_object_object_add(root, "window", win);

	for (unsigned int i = 0; i < m->ndevs; i++)
		json_object_array_add(devs, jdev(&m->devs[i], i));
	json_object_object_add(root, "devices", devs);
	json_object_object_add(root, "report", json_object_new_boolean(m->report));
	return root;
}

int machine_print_json(const struct machine *m, FILE *f)
{
	char *line = malloc(GUEST_CMDLINE_MAX);
	json_object *root = line ? machine_json(m, line) : NULL;
	int ret = 0;

	free(line);
	if (!root)
		return errf(-ENOMEM, "out of memory");
	if (fprintf(f, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ||
	    fflush(f))
		ret = errf(-EIO, "cannot write the description: %s", strerror(errno));
	json_object_put(root);
	return ret;
}
