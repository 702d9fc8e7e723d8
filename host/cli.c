// SPDX-License-Identifier: GPL-2.0
/* pnvm host check|provision|boot-config: options, dispatch, exit status. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "host/bootcfg.h"
#include "host/check.h"
#include "host/cli.h"
#include "host/probe.h"
#include "host/provision.h"
#include "vmm/machine.h"
#include "vmm/node.h"

static const struct {
	const char *name;
	enum host_cmd cmd;
	const char *opts;	/* the option letters it takes */
} cmds[] = {
	{ "check",	 HOST_CHECK,	   "jn" },
	{ "provision",	 HOST_PROVISION,   "jndr" },
	{ "boot-config", HOST_BOOT_CONFIG, "nog" },
};

void host_usage(FILE *f)
{
	fputs("usage: pnvm host check [--json] [--node N]\n"
	      "       pnvm host provision --dax DEVICE [--json] [--dry-run]\n"
	      "       pnvm host provision --node N [--json] [--dry-run]\n"
	      "       pnvm host boot-config --node N [--output FILE|-] [--grub-dir DIR]\n"
	      "Is this host ready for pnvm, and make it so (host/README.md).\n"
	      "  check        KVM and the capabilities pnvm needs, the private-node kernel\n"
	      "               series, nodes, the target node (--node, else private_node in\n"
	      "               " NODE_CONF_PATH " or $PNVM_CONF, else the first private node)\n"
	      "               with a guest_memfd placement probe, THP, taps, dax devices\n"
	      "  provision    make dax device DEVICE (daxX.Y) private memory on its target\n"
	      "               node: designate the node, hot-add it with daxctl, verify;\n"
	      "               --node N: designate an empty node (a node with memory from\n"
	      "               boot needs boot-config); --dry-run changes nothing\n"
	      "  boot-config  write a GRUB drop-in with private_node=N (DIR/" BOOTCFG_FILE ",\n"
	      "               default " BOOTCFG_GRUB_DIR "; --output - prints it); then\n"
	      "               update-grub and reboot\n"
	      "  --json       one JSON object on stdout\n"
	      "Exit status: 0 ready or done, 1 not ready or failed, 2 bad input.\n", f);
}

static int parse_node(const char *arg, int *node)
{
	unsigned int n;

	if (parse_uint(arg, &n))
		return errf(-EINVAL, "--node '%s' is not a node number", arg);
	if (n >= HOST_MAX_NODES)
		return errf(-EINVAL, "--node %u: pnvm host handles nodes 0-%d", n, HOST_MAX_NODES - 1);
	*node = n;
	return 0;
}

/* "dax0.0" or "/dev/dax0.0": the name, or NULL. */
static const char *dax_name(const char *arg)
{
	const char *name = !strncmp(arg, "/dev/", 5) ? arg + 5 : arg;
	unsigned int region, id;
	int end = 0;

	if (sscanf(name, "dax%u.%u%n", &region, &id, &end) != 2 || name[end] ||
	    strlen(name) >= 32 || name[3] < '0' || name[3] > '9')
		return NULL;
	return name;
}

int host_parse(struct host_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	   NULL, 'j' },
		{ "node",	required_argument, NULL, 'n' },
		{ "dax",	required_argument, NULL, 'd' },
		{ "dry-run",	no_argument,	   NULL, 'r' },
		{ "output",	required_argument, NULL, 'o' },
		{ "grub-dir",	required_argument, NULL, 'g' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ }
	};
	unsigned int k;
	int c, idx, ret;

	*o = (struct host_opts){ .cmd = HOST_HELP, .name = "", .node = -1 };
	if (argc < 2)
		return errf(-EINVAL, "which one: check, provision or boot-config (see pnvm host --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return 0;
	for (k = 0; k < ARRAY_SIZE(cmds) && strcmp(argv[1], cmds[k].name); k++)
		;
	if (k == ARRAY_SIZE(cmds))
		return errf(-EINVAL, "unknown subcommand '%s' (check, provision, boot-config)", argv[1]);
	o->cmd = cmds[k].cmd;
	o->name = cmds[k].name;
	/* From the subcommand on; optind 0 also resets getopt between calls. */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((idx = -1, c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
		if (c == 'h') {
			o->cmd = HOST_HELP;
			return 0;
		}
		if (c == ':')
			return errf(-EINVAL, "option %s needs an argument", argv[optind - 1]);
		if (c == '?')
			return errf(-EINVAL, "unknown option '%s' (see pnvm host --help)", argv[optind - 1]);
		if (!strchr(cmds[k].opts, c))
			return errf(-EINVAL, "--%s is not an option of %s (see pnvm host --help)",
				    opts[idx].name, o->name);
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'r':
			o->dry_run = true;
			break;
		case 'n':
			ret = parse_node(optarg, &o->node);
			if (ret)
				return ret;
			break;
		case 'd':
			o->dax = dax_name(optarg);
			if (!o->dax)
				return errf(-EINVAL, "--dax '%s' is not a dax device name (daxX.Y)", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'g':
			o->grub_dir = optarg;
			break;
		}
	}
	if (optind < argc)
		return errf(-EINVAL, "unexpected argument '%s'", argv[optind]);
	if (o->cmd == HOST_PROVISION && !o->dax == (o->node < 0))
		return errf(-EINVAL, "%s", o->dax ? "--dax and --node: one or the other" :
			    "which one: --dax DEVICE or --node N");
	if (o->cmd == HOST_BOOT_CONFIG && o->node < 0)
		return errf(-EINVAL, "missing --node N");
	if (o->output && o->grub_dir)
		return errf(-EINVAL, "--output and --grub-dir: one or the other");
	return 0;
}

void host_env_default(struct host_env *e)
{
	*e = (struct host_env){
		.sysfs = "/sys", .proc = "/proc", .kvm = "/dev/kvm", .tun = "/dev/net/tun",
		.daxctl = "daxctl", .grub_dir = BOOTCFG_GRUB_DIR, .probe = host_gmem_probe,
	};
}

int host_run(const struct host_env *env, int argc, char **argv, FILE *out, FILE *err)
{
	struct host_env e = *env;
	struct host_opts o;
	int ret = host_parse(&o, argc, argv);

	if (ret) {
		fprintf(err, "pnvm: host%s%s: %s\n", o.name[0] ? " " : "", o.name, err_msg());
		return EXIT_BAD_INPUT;
	}
	if (!e.probe)
		e.probe = host_gmem_probe;
	if (o.grub_dir)
		e.grub_dir = o.grub_dir;
	switch (o.cmd) {
	case HOST_HELP:
		host_usage(out);
		return 0;
	case HOST_CHECK:
		ret = host_check(&e, o.node, o.json, out);
		break;
	case HOST_PROVISION:
		ret = host_provision(&e, o.dax, o.node, o.dry_run, o.json, out);
		break;
	case HOST_BOOT_CONFIG:
		ret = host_boot_config(&e, o.node, o.output, out);
		break;
	}
	if (ret >= 0)
		return ret;
	fprintf(err, "pnvm: host %s: %s\n", o.name, err_msg());
	/* A node or device the host does not have, or a node that cannot be private, is bad input. */
	return ret == -ENODEV || ret == -EINVAL ? EXIT_BAD_INPUT : 1;
}

int host_main(int argc, char **argv)
{
	struct host_env e;

	host_env_default(&e);
	return host_run(&e, argc, argv, stdout, stderr);
}
