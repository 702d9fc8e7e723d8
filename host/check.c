// SPDX-License-Identifier: GPL-2.0
/* pnvm host check: KVM, the kernel series, nodes, the target node, THP, taps, dax. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/check.h"
#include "vmm/kvm.h"
#include "vmm/node.h"

#define FIX_KVM_VERSION	"a Linux 7.0 or later kernel with KVM (guest_memfd MMAP|INIT_SHARED)"

int host_target(const struct host_env *e, const struct host_state *s, int opt, int *node,
		char *from, size_t len)
{
	const char *path = e->conf ?: getenv("PNVM_CONF") ?: NODE_CONF_PATH;
	struct node_conf c;
	int ret = 0;

	*node = opt;
	snprintf(from, len, "--node");
	if (opt >= 0)
		return 0;
	ret = node_conf_read(path, &c);
	if (!ret && c.private_node >= 0) {
		*node = c.private_node;
		snprintf(from, len, "private_node in %s", path);
		return 0;
	}
	snprintf(from, len, "no --node, no private_node in %s, no private node", path);
	for (unsigned int i = 0; i < s->nr_nodes; i++) {
		if (s->nodes[i].private) {
			*node = s->nodes[i].id;
			snprintf(from, len, "the first private node");
			break;
		}
	}
	return ret;
}

/* /dev/kvm, its API version and each capability pnvm needs; true if all are there. */
static bool judge_kvm(const struct host_env *e, const struct host_kvm *k, struct host_items *l)
{
	bool all = !k->open_err && k->api == 12;

	if (k->open_err)
		item_add(l, "kvm", true, false,
			 k->open_err == EACCES || k->open_err == EPERM ?
			 "run as root, or as a member of the kvm group" :
			 "load kvm_intel or kvm_amd on a CPU with VMX/SVM enabled in firmware "
			 "(without KVM: the lab, scripts/lab)",
			 "%s: %s", e->kvm, strerror(k->open_err));
	else
		item_add(l, "kvm", true, k->api == 12, FIX_KVM_VERSION, "%s: API version %d%s", e->kvm,
			 k->api, k->api == 12 ? "" : ", pnvm needs 12");
	for (unsigned int i = 0; i < kvm_nr_needs && i < HOST_MAX_CAPS; i++) {
		const struct kvm_need *n = &kvm_needs[i];
		bool have = !k->open_err && k->caps[i] >= n->min;

		all &= have;
		if (k->open_err)
			item_add(l, n->name, true, false, "see kvm", "not checked: no %s", e->kvm);
		else if (n->min > 1)
			item_add(l, n->name, true, have, FIX_KVM_VERSION, "%d (pnvm needs %d: %s)",
				 k->caps[i], n->min, n->why);
		else
			item_add(l, n->name, true, have, FIX_KVM_VERSION, "%s (%s)",
				 have ? "yes" : "no", n->why);
	}
	if (k->open_err) {
		item_add(l, "KVM_CAP_GUEST_MEMFD_FLAGS", true, false, "see kvm", "not checked: no %s",
			 e->kvm);
	} else if (k->vm_err) {
		item_add(l, "KVM_CAP_GUEST_MEMFD_FLAGS", true, false, "see kvm",
			 "KVM_CREATE_VM: %s", strerror(k->vm_err));
		all = false;
	} else if (kvm_gmem_flags_check(k->gmem_flags)) {
		item_add(l, "KVM_CAP_GUEST_MEMFD_FLAGS", true, false, FIX_KVM_VERSION, "%s", err_msg());
		all = false;
	} else {
		item_add(l, "KVM_CAP_GUEST_MEMFD_FLAGS", true, true, NULL,
			 "0x%x: MMAP|INIT_SHARED (pnvm maps guest_memfd)", k->gmem_flags);
	}
	return all;
}

/* One of the series' files under /sys/devices/system/node: there (with its list) or not. */
static void series_file(struct host_items *l, const char *item, bool required, bool there,
			const char *file, const char *list, const char *means, const char *fix,
			const char *lacks)
{
	item_add(l, item, required, there, fix, there ? "%s: %s (%s)" : "no %s: %s%s", file,
		 there ? list[0] ? list : "none" : lacks, there ? means : "");
}

static void judge_series(const struct host_state *s, struct host_items *l)
{
	series_file(l, "private-memory", true, s->has_private, "has_private_memory", s->private_list,
		    "private nodes with memory", "boot a kernel with pnvm's series (kernel-patches/series)",
		    "this kernel lacks the private-node series");
	/* Not required: a node designated at boot needs no runtime designation. */
	series_file(l, "runtime-designation", false, s->has_designate, "private_nodes", s->designated_list,
		    "designated nodes; memory added there is private",
		    "designate at boot: pnvm host boot-config --node N, update-grub, reboot",
		    "this kernel cannot designate private nodes at runtime");
}

static void node_words(const struct host_node *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", n->private ? "private" : n->has_memory ? "public" : "no memory",
		 n->designated ? ", designated" : "", n->boot_designated ? ", private_node= at boot" : "",
		 n->online ? "" : ", offline",
		 n->cpus ? "" : ", memory-only");
}

static void judge_nodes(const struct host_state *s, struct host_items *l)
{
	char name[16], words[128];

	for (unsigned int i = 0; i < s->nr_nodes; i++) {
		const struct host_node *n = &s->nodes[i];

		snprintf(name, sizeof(name), "node%d", n->id);
		node_words(n, words, sizeof(words));
		item_add(l, name, false, true, NULL, "%u CPUs, %llu MiB (%llu free), %s", n->cpus,
			 (unsigned long long)(n->total >> 20), (unsigned long long)(n->free >> 20), words);
	}
}

/* The placement probe as one item; @skip says why it cannot run (NULL: it can). */
void item_probe(const struct host_env *e, int node, const char *skip, struct host_items *l)
{
	char detail[256];
	int ret;

	if (skip) {
		item_add(l, "probe", true, false, "fix the items above", "not run: %s", skip);
		return;
	}
	ret = e->probe(node, detail, sizeof(detail));
	item_add(l, "probe", true, !ret,
		 "pnvm's RAM would not land on the node: see numactl -H, dmesg, and the series",
		 "%s", detail);
}

static void judge_target(const struct host_env *e, const struct host_state *s, int node,
			 const char *from, bool kvm_ok, struct host_items *l)
{
	const struct host_node *n = host_node(s, node);
	char fix[192];

	if (node < 0) {
		item_add(l, "target-node", true, false,
			 "name one: --node N, or private_node = N in the config; or make one (pnvm host provision)",
			 "no target node: %s", from);
		item_probe(e, node, "no target node", l);
		return;
	}
	item_add(l, "target-node", true, n, "name a node this host has (numactl -H)",
		 "node %d (%s)%s", node, from, n ? "" : ": no such node");
	if (!n) {
		item_probe(e, node, "no such node", l);
		return;
	}
	snprintf(fix, sizeof(fix), "hot-add memory there: pnvm host provision --dax DEV (a dax device on node %d)",
		 node);
	item_add(l, "target-memory", true, n->has_memory && n->total, fix,
		 "%llu MiB, %llu free", (unsigned long long)(n->total >> 20),
		 (unsigned long long)(n->free >> 20));
	item_add(l, "target-cpus", true, !n->cpus, "pick a memory-only node: a private node has no CPUs",
		 "%u CPUs", n->cpus);
	if (!s->has_private)
		snprintf(fix, sizeof(fix), "boot a kernel with pnvm's series and private_node=%d "
			 "(pnvm host boot-config --node %d)", node, node);
	else if (s->has_designate && !n->has_memory)
		snprintf(fix, sizeof(fix), "pnvm host provision --node %d, then add memory (--dax DEV)", node);
	else if (s->has_designate)
		snprintf(fix, sizeof(fix), "its memory came online public: pnvm host boot-config --node %d, "
			 "update-grub, reboot (or offline it and provision the dax device)", node);
	else
		snprintf(fix, sizeof(fix), "pnvm host boot-config --node %d, update-grub, reboot", node);
	item_add(l, "target-private", true, n->private, fix, "%s (has_private_memory: %s)",
		 n->private ? "private" : n->designated ? "designated, no memory yet" : "not private",
		 !s->has_private ? "absent" : s->private_list[0] ? s->private_list : "none");
	item_probe(e, node, !kvm_ok ? "KVM is not usable" : !n->has_memory ? "the node has no memory" :
		   NULL, l);
	item_add(l, "hugepages", false, true, NULL, "node %d: 2M %llu (%llu free), 1G %llu (%llu free)",
		 node, (unsigned long long)n->huge_2m, (unsigned long long)n->huge_2m_free,
		 (unsigned long long)n->huge_1g, (unsigned long long)n->huge_1g_free);
}

static void judge_tap(const struct host_env *e, const struct host_tap *t, struct host_items *l)
{
	if (t->tun_err)
		item_add(l, "tun", true, false, "modprobe tun (pnvm creates taps for --net tap=NAME)",
			 "%s: %s", e->tun, strerror(t->tun_err));
	else
		item_add(l, "tun", true, true, NULL, "%s opens", e->tun);
	item_add(l, "net-admin", true, t->net_admin,
		 "run pnvm as root (CAP_NET_ADMIN), or hand it an open tap: --net fd=N",
		 "CAP_NET_ADMIN %s (creating a tap for --net tap=NAME needs it)",
		 t->net_admin ? "held" : "missing");
}

static void judge_dax(const struct host_state *s, struct host_items *l)
{
	if (!s->nr_dax)
		item_add(l, "dax", false, true, NULL, "no dax devices");
	for (unsigned int i = 0; i < s->nr_dax; i++) {
		const struct host_dax *d = &s->dax[i];

		if (d->mode == DAX_KMEM)
			item_add(l, d->name, false, true, NULL,
				 "node %d, %llu MiB, system-ram: %u of %u blocks online, %u in ZONE_NORMAL",
				 d->node, (unsigned long long)(d->size >> 20), d->online, d->blocks, d->normal);
		else
			item_add(l, d->name, false, true, NULL, "node %d, %llu MiB, %s", d->node,
				 (unsigned long long)(d->size >> 20), dax_mode_name(d->mode));
	}
}

void host_judge(const struct host_env *e, const struct host_state *s, const struct host_kvm *k,
		const struct host_tap *t, int node, const char *from, struct host_items *l)
{
	bool kvm_ok = judge_kvm(e, k, l);

	judge_series(s, l);
	judge_nodes(s, l);
	judge_target(e, s, node, from, kvm_ok, l);
	if (s->thp[0])
		item_add(l, "thp", false, true, NULL, "enabled: %s, shmem_enabled: %s (informational)",
			 s->thp, s->thp_shmem[0] ? s->thp_shmem : "absent");
	else
		item_add(l, "thp", false, true, NULL, "no transparent_hugepage in sysfs");
	judge_tap(e, t, l);
	judge_dax(s, l);
}

static json_object *check_json(const struct host_state *s, const struct host_items *l, int node,
			       const char *from)
{
	json_object *o = json_object_new_object(), *k = json_object_new_object(), *a;

	json_object_object_add(o, "ready", json_object_new_boolean(items_ready(l)));
	json_object_object_add(o, "target_node", node >= 0 ? json_object_new_int(node) : NULL);
	json_object_object_add(o, "target_from", json_object_new_string(from));
	json_object_object_add(k, "has_private_memory",
			       s->has_private ? json_object_new_string(s->private_list) : NULL);
	json_object_object_add(k, "private_nodes",
			       s->has_designate ? json_object_new_string(s->designated_list) : NULL);
	json_object_object_add(o, "kernel", k);
	json_object_object_add(o, "items", items_json(l));
	a = json_object_new_array();
	for (unsigned int i = 0; i < s->nr_nodes; i++)
		json_object_array_add(a, node_json(&s->nodes[i]));
	json_object_object_add(o, "nodes", a);
	a = json_object_new_array();
	for (unsigned int i = 0; i < s->nr_dax; i++)
		json_object_array_add(a, dax_json(&s->dax[i]));
	json_object_object_add(o, "dax", a);
	return o;
}

int host_check(const struct host_env *e, int opt, bool json, FILE *out)
{
	struct host_state *s = calloc(1, sizeof(*s));
	struct host_items *l = calloc(1, sizeof(*l));
	char from[160], conf_err[256] = "";
	struct host_kvm k;
	struct host_tap t;
	int node, ret;

	if (!s || !l) {
		ret = errf(-ENOMEM, "out of memory");
		goto out;
	}
	ret = host_probe(e, s);
	if (!ret && opt >= 0 && !host_node(s, opt))
		ret = errf(-ENODEV, "--node %d: no such node", opt);
	if (ret)
		goto out;
	if (host_target(e, s, opt, &node, from, sizeof(from)))
		snprintf(conf_err, sizeof(conf_err), "%s", err_msg());
	host_kvm_probe(e->kvm, &k);
	host_tap_probe(e->tun, &t);
	if (conf_err[0])
		item_add(l, "config", true, false, "fix the file (lines: private_node = N, require_private = yes|no)",
			 "%s", conf_err);
	host_judge(e, s, &k, &t, node, from, l);
	if (json) {
		ret = json_print(check_json(s, l, node, from), out);
	} else {
		items_print(l, out);
		ret = fprintf(out, "%s\n", items_ready(l) ? "ready" : "not ready") < 0 ? -EIO : 0;
	}
	ret = ret ? errf(ret, "writing the report: %s", strerror(-ret)) : items_ready(l) ? 0 : 1;
out:
	free(s);
	free(l);
	return ret;
}
