// SPDX-License-Identifier: GPL-2.0
/*
 * pnvm host over made-up hosts: fake sysfs/proc trees in a temp dir, a
 * fake daxctl that changes the tree as the kernel would, a fake
 * placement probe. Verdicts, plans, provisioning runs and boot-config,
 * through the same host_run() `pnvm host` uses, JSON parsed back.
 */
#include "host/bootcfg.h"
#include "host/check.h"
#include "host/cli.h"
#include "host/provision.h"
#include "tests/unit/test_host_fake.h"
#include "vmm/kvm.h"

static int parse(struct host_opts *o, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return host_parse(o, argc, argv);
}

static void parsing(void)
{
	const struct { char **argv; const char *err; } bad[] = {
		{ ARGV("frob"), "unknown subcommand 'frob'" },
		{ ARGV("check", "--node", "x"), "--node 'x' is not a node number" },
		{ ARGV("check", "--node", "-1"), "is not a node number" },
		{ ARGV("check", "--node", "64"), "nodes 0-63" },
		{ ARGV("check", "--node"), "option --node needs an argument" },
		{ ARGV("check", "--dax", "dax0.0"), "--dax is not an option of check" },
		{ ARGV("check", "--frob"), "unknown option '--frob'" },
		{ ARGV("check", "extra"), "unexpected argument 'extra'" },
		{ ARGV("provision"), "--dax DEVICE or --node N" },
		{ ARGV("provision", "--dax", "dax0.0", "--node", "1"), "one or the other" },
		{ ARGV("provision", "--dax", "pmem0"), "'pmem0' is not a dax device name" },
		{ ARGV("provision", "--dax", "dax0.0x"), "not a dax device name" },
		{ ARGV("provision", "--dax", "daxa.0"), "not a dax device name" },
		{ ARGV("boot-config"), "missing --node N" },
		{ ARGV("boot-config", "--node", "1", "--json"), "--json is not an option of boot-config" },
		{ ARGV("boot-config", "--node", "1", "--output", "-", "--grub-dir", "/x"), "one or the other" },
	};
	struct host_opts o;
	char *out, *err;

	ok(!parse(&o, ARGV("provision", "--dax", "/dev/dax1.2", "--json")) &&
	   o.cmd == HOST_PROVISION && !strcmp(o.dax, "dax1.2") && o.json && o.node == -1,
	   "provision --dax /dev/dax1.2 --json");
	ok(!parse(&o, ARGV("check", "--json", "--node", "1")) && o.cmd == HOST_CHECK &&
	   o.node == 1 && o.json, "check --json --node 1");
	ok(!parse(&o, ARGV("boot-config", "--node=3", "--grub-dir", "/g", "--node", "2")) &&
	   o.node == 2 && !strcmp(o.grub_dir, "/g"), "boot-config: the last --node wins, --grub-dir");
	ok(!parse(&o, ARGV("check", "--help")) && o.cmd == HOST_HELP, "check --help is help");
	ok(run(ARGV("--help"), &out, &err) == 0 && strstr(out, "pnvm host provision --dax DEVICE") &&
	   !*err, "pnvm host --help: usage on stdout, exit 0");
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		int st = run(bad[i].argv, &out, &err);

		ok(st == 2 && !strncmp(err, "pnvm: host", 10) && strstr(err, bad[i].err) &&
		   strchr(err, '\n') == err + strlen(err) - 1 && !*out,
		   "exit 2, one line: %.*s", (int)strcspn(err, "\n"), err);
	}
	ok(run((char *[]){ "host", NULL }, &out, &err) == 2 && strstr(err, "check, provision or boot-config"),
	   "no subcommand: exit 2");
}

static void lists(void)
{
	bool set[8] = { false, true, true, false, false, true, false, false };
	char buf[32];

	nodelist_format(set, 8, buf, sizeof(buf));
	ok(!strcmp(buf, "1-2,5"), "nodelist of {1,2,5}: \"%s\"", buf);
	memset(set, 0, sizeof(set));
	nodelist_format(set, 8, buf, sizeof(buf));
	ok(!strcmp(buf, ""), "nodelist of {}: empty");
	set[7] = true;
	nodelist_format(set, 8, buf, sizeof(buf));
	ok(!strcmp(buf, "7"), "nodelist of {7}: \"%s\"", buf);
}

/* The judgement with a KVM and tap that work: only the node decides. */
static bool judge_ready(int node, struct host_items *l)
{
	struct host_kvm k = { .api = 12, .gmem_flags = 3 };
	struct host_tap t = { .net_admin = true };
	struct host_state s;

	for (unsigned int i = 0; i < kvm_nr_needs; i++)
		k.caps[i] = kvm_needs[i].min;
	memset(l, 0, sizeof(*l));
	if (host_probe(&env, &s))
		return false;
	host_judge(&env, &s, &k, &t, node, "--node", l);
	return items_ready(l);
}

static const struct host_item *item_find(const struct host_items *l, const char *name)
{
	const struct host_item *it = l->v;

	while (it < l->v + l->nr && strcmp(it->name, name))
		it++;
	return it < l->v + l->nr ? it : NULL;
}

static bool item_is(const struct host_items *l, const char *name, bool ok_, const char *detail)
{
	const struct host_item *it = item_find(l, name);

	if (!it)
		tap_diag("no item %s", name);
	else if (it->ok != ok_ || !strstr(it->detail, detail) || (!it->ok && it->required && !it->fix[0]))
		tap_diag("%s: ok %d, \"%s\", fix \"%s\"", name, it->ok, it->detail, it->fix);
	return it && it->ok == ok_ && strstr(it->detail, detail) && (it->ok || it->fix[0]);
}

static void checks(void)
{
	static struct host_items l;
	json_object *o, *items;
	struct host_kvm k;
	int st;

	/* Stock kernel, the real no-KVM path (env.kvm does not exist). */
	fake_host(&(struct fake){ .node1_mib = 1024 });
	o = run_json(ARGV("check", "--json", "--node", "1"), &st);
	items = key(o, "items");
	ok(o && st == 1 && !jbool(o, "ready") && json_object_get_int(key(o, "target_node")) == 1,
	   "stock kernel: not ready, exit 1, target node 1");
	ok(!jbool(jitem(items, "kvm"), "ok") && strstr(jstr(jitem(items, "kvm"), "detail"), "No such file") &&
	   *jstr(jitem(items, "kvm"), "fix"), "no /dev/kvm: kvm fails with a fix");
	ok(!jbool(jitem(items, "KVM_CAP_GUEST_MEMFD"), "ok") && !jbool(jitem(items, "probe"), "ok") &&
	   strstr(jstr(jitem(items, "probe"), "detail"), "not run") && probes == 0,
	   "no KVM: capabilities not checked, the probe not run");
	ok(!jbool(jitem(items, "private-memory"), "ok") && strstr(jstr(jitem(items, "private-memory"), "fix"),
	   "kernel-patches"), "stock kernel: private-memory fails, fix names the series");
	ok(!jbool(jitem(items, "runtime-designation"), "ok") &&
	   !jbool(jitem(items, "runtime-designation"), "required"), "runtime designation: informational");
	ok(!key(key(o, "kernel"), "has_private_memory") && json_object_array_length(key(o, "nodes")) == 3 &&
	   json_object_get_int64(key(json_object_array_get_idx(key(o, "nodes"), 1), "total_bytes")) == 1LL << 30 &&
	   !jbool(json_object_array_get_idx(key(o, "nodes"), 2), "online"),
	   "kernel.has_private_memory null; 3 nodes, node 1 1 GiB, node 2 offline");
	ok(!strcmp(jstr(jitem(items, "thp"), "detail"), "enabled: madvise, shmem_enabled: absent (informational)") &&
	   jbool(jitem(items, "thp"), "ok"), "THP: informational, the selected mode");
	ok(!jbool(jitem(items, "tun"), "ok") && jbool(jitem(items, "dax"), "ok"),
	   "no tun device: fails; no dax devices: informational");
	host_kvm_probe(env.kvm, &k);
	ok(k.open_err == ENOENT, "host_kvm_probe of a missing device: ENOENT");

	/* Older series: node 1 private from boot, no private_nodes. */
	fake_host(&(struct fake){ .private = "1\n", .node1_mib = 1024, .cmdline = "private_node=1\n" });
	ok(judge_ready(1, &l) && item_is(&l, "target-private", true, "private") &&
	   item_is(&l, "probe", true, "512 of 512") && item_is(&l, "runtime-designation", false, "no private_nodes"),
	   "older series, node 1 private: ready, probe run, runtime designation a warning");
	probe_fails = 1;
	ok(!judge_ready(1, &l) && item_is(&l, "probe", false, "2 of 512"), "a probe that finds pages elsewhere: not ready");
	probe_fails = 0;
	ok(!judge_ready(0, &l) && item_is(&l, "target-cpus", false, "2 CPUs") &&
	   item_is(&l, "target-private", false, "not private"), "node 0: CPUs, not private");
	ok(!judge_ready(-1, &l) && item_is(&l, "target-node", false, "no target node"), "no target node: not ready");

	/* New series, node 1 designated but empty. */
	fake_host(&(struct fake){ .private = "\n", .designated = "1\n" });
	ok(!judge_ready(1, &l) && item_is(&l, "target-memory", false, "0 MiB") &&
	   strstr(item_find(&l, "target-memory")->fix, "provision --dax") &&
	   item_is(&l, "target-private", false, "designated, no memory yet") &&
	   item_is(&l, "probe", false, "not run") && item_is(&l, "runtime-designation", true, "private_nodes: 1"),
	   "designated empty node: no memory (fix: provision --dax), not private yet, no probe");
	/* The target from the config, else the first private node. */
	put("pnvm.conf", "private_node = 1\n");
	o = run_json(ARGV("check", "--json"), &st);
	ok(o && json_object_get_int(key(o, "target_node")) == 1 && strstr(jstr(o, "target_from"), "pnvm.conf"),
	   "target from pnvm.conf: %s", jstr(o, "target_from"));
	put("pnvm.conf", "private_node = one\n");
	o = run_json(ARGV("check", "--json"), &st);
	ok(o && st == 1 && strstr(jstr(jitem(key(o, "items"), "config"), "detail"), "private_node 'one'"),
	   "a bad pnvm.conf is a failed item");
	unlink(conf);
	fake_host(&(struct fake){ .private = "1\n", .designated = "1\n", .node1_mib = 512 });
	o = run_json(ARGV("check", "--json"), &st);
	ok(o && json_object_get_int(key(o, "target_node")) == 1 &&
	   !strcmp(jstr(o, "target_from"), "the first private node"), "no config: the first private node");

	/* A node with CPUs marked private is still not a target. */
	fake_host(&(struct fake){ .private = "1\n", .designated = "1\n", .node1_cpus = "2-3\n", .node1_mib = 512 });
	ok(!judge_ready(1, &l) && item_is(&l, "target-cpus", false, "2 CPUs"), "node 1 with CPUs: not ready");

	/* dax devices, as check lists them. */
	fake_host(&(struct fake){ .private = "1\n", .designated = "1\n", .node1_mib = 256, .dax = KMEM,
				  .blocks = "online", .zone = "Normal" });
	ok(judge_ready(1, &l) && item_is(&l, "dax0.0", true, "system-ram: 2 of 2 blocks online, 2 in ZONE_NORMAL"),
	   "kmem dax0.0: blocks from its resource");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX });
	o = run_json(ARGV("check", "--json", "--node", "1"), &st);
	ok(o && !strcmp(jstr(json_object_array_get_idx(key(o, "dax"), 0), "mode"), "devdax") &&
	   json_object_get_int(key(json_object_array_get_idx(key(o, "dax"), 0), "target_node")) == 1,
	   "devdax dax0.0 in the JSON: mode devdax, node 1");
}

/* The plan alone, from a probed fake host. */
static int plan(const char *dev, int node, struct host_plan *p)
{
	struct host_state s;

	return host_probe(&env, &s) ?: host_plan(&s, dev, node, p);
}

static void plans(void)
{
	struct host_plan p;

	fake_host(&(struct fake){ .private = "\n", .designated = "2\n", .dax = DEVDAX });
	ok(!plan("dax0.0", -1, &p) && !p.refused && p.nr == 2 && p.steps[0] == ACT_DESIGNATE &&
	   p.steps[1] == ACT_RECONFIGURE && !strcmp(p.private_nodes, "1-2"),
	   "devdax on an empty node: designate (keeping node 2: \"%s\"), reconfigure", p.private_nodes);
	ok(plan("dax9.0", -1, &p) == -ENODEV && strstr(err_msg(), "no such dax device"), "no such device: -ENODEV");

	fake_host(&(struct fake){ .private = "\n", .designated = "1\n", .dax = KMEM, .blocks = "offline" });
	ok(!plan("dax0.0", -1, &p) && !p.refused && p.nr == 1 && p.steps[0] == ACT_ONLINE,
	   "system-ram with offline blocks on a designated node: online only");
	fake_host(&(struct fake){ .private = "1\n", .designated = "1\n", .node1_mib = 256, .dax = KMEM,
				  .blocks = "online", .zone = "Normal" });
	ok(!plan("dax0.0", -1, &p) && !p.refused && p.nr == 0, "done already: nothing to do");

	fake_host(&(struct fake){ .private = "\n", .dax = DEVDAX });
	ok(!plan("dax0.0", -1, &p) && p.refused && strstr(p.reason, "cannot designate private memory at runtime") &&
	   strstr(p.fix, "boot-config --node 1"), "older series: refused, use boot-config");
	fake_host(&(struct fake){ .dax = DEVDAX });
	ok(!plan("dax0.0", -1, &p) && p.refused && strstr(p.fix, "kernel with pnvm's series"),
	   "stock kernel: refused, boot the series");
	fake_host(&(struct fake){ .private = "1\n", .dax = DEVDAX, .node1_mib = 256,
				  .cmdline = "quiet private_node=1\n" });
	ok(!plan("dax0.0", -1, &p) && !p.refused && p.nr == 1 && p.steps[0] == ACT_RECONFIGURE,
	   "older series, node private from boot: reconfigure without designating");
	fake_host(&(struct fake){ .dax = DEVDAX, .cmdline = "private_node=1\n" });
	ok(!plan("dax0.0", -1, &p) && p.refused && strstr(p.fix, "kernel with pnvm's series"),
	   "stock kernel with private_node=1 (ignored there): still refused");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX, .cmdline = "private_node=1\n" });
	ok(!plan("dax0.0", -1, &p) && !p.refused && p.nr == 2 && p.steps[0] == ACT_DESIGNATE,
	   "new series: private_nodes, not the command line, says what is designated");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX, .node1_cpus = "2\n" });
	ok(!plan("dax0.0", -1, &p) && p.refused && strstr(p.reason, "node 1 has 1 CPUs"), "target node with CPUs: refused");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX, .node1_mib = 1024 });
	ok(!plan("dax0.0", -1, &p) && p.refused && strstr(p.reason, "already has public memory online") &&
	   strstr(p.fix, "boot-config"), "target node with public memory: refused");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = KMEM, .node1_mib = 256,
				  .blocks = "online", .zone = "Movable" });
	ok(!plan("dax0.0", -1, &p) && p.refused && strstr(p.fix, "daxctl offline-memory dax0.0"),
	   "device online as public memory: refused, offline it first");

	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .node1_mib = 1024 });
	ok(!plan(NULL, 1, &p) && p.refused && strstr(p.reason, "memory online") &&
	   strstr(p.fix, "pnvm host boot-config --node 1"), "--node with boot memory: refused, boot-config");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n" });
	ok(!plan(NULL, 1, &p) && !p.refused && p.nr == 1 && !strcmp(p.private_nodes, "1"),
	   "--node, empty node: designate");
	ok(plan(NULL, 5, &p) == -ENODEV, "--node 5: no such node");
}

static void provisioning(void)
{
	json_object *o, *steps;
	char *out, *err;
	int st;

	/* devdax on an empty node, new series: designate, reconfigure, verify. */
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX });
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json", "--dry-run"), &st);
	ok(o && st == 0 && !jbool(o, "changed") && jbool(o, "dry_run") &&
	   !strcmp(jstr(json_object_array_get_idx(key(o, "steps"), 0), "status"), "planned") &&
	   !strcmp(get("sys/devices/system/node/private_nodes"), "\n") && !*get("daxctl.log"),
	   "--dry-run: steps planned, nothing written, daxctl not run");
	probes = 0;
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	steps = key(o, "steps");
	ok(o && st == 0 && jbool(o, "ok") && jbool(o, "changed") && !strcmp(jstr(o, "device"), "dax0.0") &&
	   json_object_get_int(key(o, "node")) == 1, "provision dax0.0: ok, changed, node 1");
	ok(json_object_array_length(steps) == 2 &&
	   !strcmp(jstr(json_object_array_get_idx(steps, 0), "action"), "designate") &&
	   !strcmp(jstr(json_object_array_get_idx(steps, 1), "status"), "done") &&
	   !strcmp(get("sys/devices/system/node/private_nodes"), "1") &&
	   !strcmp(get("daxctl.log"), "reconfigure-device --mode=system-ram --no-movable dax0.0\n"),
	   "designated first (private_nodes = 1), then daxctl reconfigure-device --no-movable");
	ok(!jbool(key(o, "before"), "private") &&
	   !strcmp(jstr(key(key(o, "before"), "device"), "mode"), "devdax") &&
	   jbool(key(o, "after"), "private") && jbool(key(o, "after"), "designated") &&
	   !strcmp(jstr(key(key(o, "after"), "device"), "mode"), "system-ram") &&
	   json_object_get_int(key(key(key(o, "after"), "device"), "blocks_normal")) == 2,
	   "before: devdax, not private; after: system-ram, private, 2 blocks in ZONE_NORMAL");
	ok(jbool(jitem(key(o, "verify"), "node-private"), "ok") && jbool(jitem(key(o, "verify"), "zone-normal"), "ok") &&
	   jbool(jitem(key(o, "verify"), "probe"), "ok") && probes == 1, "verified, the probe ran once");
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	ok(o && st == 0 && jbool(o, "ok") && !jbool(o, "changed") && !json_object_array_length(key(o, "steps")) &&
	   !strcmp(get("daxctl.log"), "reconfigure-device --mode=system-ram --no-movable dax0.0\n"),
	   "second run: nothing to do, changed false, exit 0, daxctl not run again");
	st = run(ARGV("provision", "--dax", "dax0.0"), &out, &err);
	ok(st == 0 && strstr(out, "nothing to do: dax0.0 on node 1 is private memory") && !strstr(out, "chardev"),
	   "people's report: nothing to do");

	/* Its blocks went offline: online them again, no reconfigure. */
	put("sys/devices/system/memory/memory33/state", "offline\n");
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	ok(o && st == 0 && jbool(o, "changed") &&
	   strstr(get("daxctl.log"), "\nonline-memory --no-movable dax0.0\n"), "offline block: daxctl online-memory");

	/* Refusals: exit 1, nothing run. */
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX, .user = 4242 });
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	ok(o && st == 1 && !jbool(o, "ok") && strstr(jstr(o, "refused"), "open by process 4242") &&
	   *jstr(o, "fix") && !key(o, "after") && !*get("daxctl.log"), "device in use: refused, exit 1");
	fake_host(&(struct fake){ .private = "\n", .dax = DEVDAX });
	st = run(ARGV("provision", "--dax", "dax0.0"), &out, &err);
	ok(st == 1 && strstr(out, "refused: this kernel cannot designate private memory at runtime") &&
	   strstr(out, "fix: pnvm host boot-config --node 1"), "older series: refused in the report");
	ok(run(ARGV("provision", "--dax", "dax7.0"), &out, &err) == 2 && strstr(err, "no such dax device"),
	   "missing device: exit 2");

	/* daxctl missing, daxctl failing: the step fails and says why. */
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = DEVDAX });
	env.daxctl = "/nonexistent/daxctl";
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	env.daxctl = daxctl;
	ok(o && st == 1 && strstr(jstr(o, "error"), "install daxctl") &&
	   !strcmp(jstr(json_object_array_get_idx(key(o, "steps"), 1), "status"), "failed"),
	   "no daxctl: %s", jstr(o, "error"));
	put("daxctl.fail", "");
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	ok(o && st == 1 && strstr(jstr(o, "error"), "failed (exit 1): libdaxctl") &&
	   strstr(jstr(o, "error"), "Device or resource busy"), "daxctl fails: its last line, %s", jstr(o, "error"));

	/* Provisioned, but the probe finds the pages elsewhere. */
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .dax = KMEM, .blocks = "offline" });
	put("sys/devices/system/node/private_nodes", "1\n");
	put("sys/devices/system/node/has_private_memory", "\n");
	probe_fails = 1;
	o = run_json(ARGV("provision", "--dax", "dax0.0", "--json"), &st);
	probe_fails = 0;
	ok(o && st == 1 && !jbool(o, "ok") && jbool(o, "changed") && !jbool(jitem(key(o, "verify"), "probe"), "ok"),
	   "a probe that fails after provisioning: exit 1, changed, not ok");

	/* --node: an empty node, then again; a node with boot memory. */
	fake_host(&(struct fake){ .private = "\n", .designated = "\n" });
	o = run_json(ARGV("provision", "--node", "1", "--json"), &st);
	ok(o && st == 0 && jbool(o, "changed") && key(o, "device") == NULL &&
	   !strcmp(get("sys/devices/system/node/private_nodes"), "1") &&
	   jbool(jitem(key(o, "verify"), "designated"), "ok"), "--node 1: designated, changed");
	o = run_json(ARGV("provision", "--node", "1", "--json"), &st);
	ok(o && st == 0 && !jbool(o, "changed"), "--node 1 again: nothing to do");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .node1_mib = 1024 });
	st = run(ARGV("provision", "--node", "1"), &out, &err);
	ok(st == 1 && strstr(out, "fix: memory online from boot becomes private only at boot: pnvm host boot-config --node 1"),
	   "--node with boot memory: exit 1, explains boot-config");
	ok(run(ARGV("provision", "--node", "9"), &out, &err) == 2 && strstr(err, "--node 9: no such node"),
	   "--node 9: exit 2");
}

static void boot_config(void)
{
	char text[512], *out, *err, path[192];

	bootcfg_text(1, text, sizeof(text));
	ok(strstr(text, "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX private_node=1\"\n") &&
	   strstr(text, "# Written by pnvm") && strstr(text, "update-grub"), "drop-in: the line, who wrote it, update-grub");
	fake_host(&(struct fake){ .private = "\n", .designated = "\n", .node1_mib = 1024 });
	ok(run(ARGV("boot-config", "--node", "1", "--output", "-"), &out, &err) == 0 && !strcmp(out, text),
	   "--output -: the drop-in on stdout");
	ok(run(ARGV("boot-config", "--node", "1"), &out, &err) == 0 && strstr(out, "wrote ") &&
	   strstr(out, "next: update-grub, then reboot") && !strcmp(get("grub.d/pnvm.cfg"), text),
	   "written to the grub dir (made when missing); says what to run next");
	ok(run(ARGV("boot-config", "--node", "1"), &out, &err) == 0 && strstr(out, "unchanged "),
	   "again: unchanged, exit 0");
	bootcfg_text(2, text, sizeof(text));
	ok(run(ARGV("boot-config", "--node", "2"), &out, &err) == 0 && strstr(out, "wrote ") &&
	   !strcmp(get("grub.d/pnvm.cfg"), text), "another node: rewritten");
	snprintf(path, sizeof(path), "%s/other.cfg", root);
	ok(run(ARGV("boot-config", "--node", "1", "--output", path), &out, &err) == 0 &&
	   strstr(get("other.cfg"), "private_node=1"), "--output FILE");
	ok(run(ARGV("boot-config", "--node", "0"), &out, &err) == 2 && strstr(err, "--node 0 has 2 CPUs"),
	   "a node with CPUs: exit 2");
	ok(run(ARGV("boot-config", "--node", "7"), &out, &err) == 2 && strstr(err, "no such node"),
	   "a node the host lacks: exit 2");
}

int main(void)
{
	struct host_state s;
	struct host_env real;

	if (fake_setup())
		return 1;
	parsing();
	lists();
	checks();
	plans();
	provisioning();
	boot_config();

	/* The real host's sysfs reads: node 0 is there. */
	host_env_default(&real);
	ok(!host_probe(&real, &s) && host_node(&s, 0) && host_node(&s, 0)->total,
	   "this host: node 0 with %llu MiB", s.nr_nodes ? (unsigned long long)(s.nodes[0].total >> 20) : 0ULL);
	fake_cleanup();
	return tap_done();
}
