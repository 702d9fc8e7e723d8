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
} cmds[] = {
	{ "check", HOST_CHECK }, { "provision", HOST_PROVISION }, { "boot-config", HOST_BOOT_CONFIG },
};

enum { OPT_JSON, OPT_NODE, OPT_DAX, OPT_DRY_RUN, OPT_OUTPUT, OPT_GRUB_DIR, OPT_HELP, NR_OPTS };

/* getopt_long's value for option i: clear of every character. */
#define OPT_VAL(i)	(256 + (i))
#define TAKES(cmd)	(1U << (cmd))

/* Each option once: its name, whether it has a value, the subcommands that take it. */
static const struct {
	const char *name;
	bool arg;
	unsigned int cmds;
} opt_defs[NR_OPTS] = {
	[OPT_JSON]	= { "json", false, TAKES(HOST_CHECK) | TAKES(HOST_PROVISION) },
	[OPT_NODE]	= { "node", true, TAKES(HOST_CHECK) | TAKES(HOST_PROVISION) | TAKES(HOST_BOOT_CONFIG) },
	[OPT_DAX]	= { "dax", true, TAKES(HOST_PROVISION) },
	[OPT_DRY_RUN]	= { "dry-run", false, TAKES(HOST_PROVISION) },
	[OPT_OUTPUT]	= { "output", true, TAKES(HOST_BOOT_CONFIG) },
	[OPT_GRUB_DIR]	= { "grub-dir", true, TAKES(HOST_BOOT_CONFIG) },
	[OPT_HELP]	= { "help", false, ~0U },
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
	struct option opts[NR_OPTS + 1] = { };
	unsigned int k;
	int c, i, ret;

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
	for (i = 0; i < NR_OPTS; i++)
		opts[i] = (struct option){ opt_defs[i].name, opt_defs[i].arg ? required_argument : no_argument,
					   NULL, OPT_VAL(i) };
	/* From the subcommand on; optind 0 also resets getopt between calls. */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == ':')
			return errf(-EINVAL, "option %s needs an argument", argv[optind - 1]);
		if (c == '?')
			return errf(-EINVAL, "unknown option '%s' (see pnvm host --help)", argv[optind - 1]);
		i = c == 'h' ? OPT_HELP : c - OPT_VAL(0);
		if (!(opt_defs[i].cmds & TAKES(o->cmd)))
			return errf(-EINVAL, "--%s is not an option of %s (see pnvm host --help)",
				    opt_defs[i].name, o->name);
		switch (i) {
		case OPT_HELP:
			o->cmd = HOST_HELP;
			return 0;
		case OPT_JSON:
		case OPT_DRY_RUN:
			*(i == OPT_JSON ? &o->json : &o->dry_run) = true;
			break;
		case OPT_OUTPUT:
		case OPT_GRUB_DIR:
			*(i == OPT_OUTPUT ? &o->output : &o->grub_dir) = optarg;
			break;
		case OPT_NODE:
			ret = parse_node(optarg, &o->node);
			if (ret)
				return ret;
			break;
		case OPT_DAX:
			o->dax = dax_name(optarg);
			if (!o->dax)
				return errf(-EINVAL, "--dax '%s' is not a dax device name (daxX.Y)", optarg);
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
