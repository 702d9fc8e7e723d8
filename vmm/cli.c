// SPDX-License-Identifier: GPL-2.0
/* Command line: argv into struct pnvm_opts, nothing else. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/boot.h"
#include "vmm/cli.h"

enum {
	OPT_PREALLOC = 0x100,
	OPT_NO_PREALLOC,
	OPT_REQUIRE_PRIVATE,
	OPT_REPORT,
};

static const struct option long_opts[] = {
	{ "kernel",		required_argument, NULL, 'k' },
	{ "initrd",		required_argument, NULL, 'i' },
	{ "cmdline",		required_argument, NULL, 'c' },
	{ "memory",		required_argument, NULL, 'm' },
	{ "cpus",		required_argument, NULL, 'p' },
	{ "private-node",	required_argument, NULL, 'n' },
	{ "prealloc",		no_argument,	   NULL, OPT_PREALLOC },
	{ "no-prealloc",	no_argument,	   NULL, OPT_NO_PREALLOC },
	{ "require-private",	no_argument,	   NULL, OPT_REQUIRE_PRIVATE },
	{ "report",		no_argument,	   NULL, OPT_REPORT },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ }
};

void cli_usage(FILE *f)
{
	fprintf(f,
"usage: pnvm [run] --kernel BZIMAGE --private-node N [options]\n"
"Boot a Linux guest whose RAM is guest_memfd memory bound to NUMA node N.\n"
"\n"
"  -k, --kernel PATH        bzImage to boot (x86_64, 64-bit boot protocol)\n"
"  -i, --initrd PATH        initramfs\n"
"  -c, --cmdline STR        appended to \"" BOOT_BASE_CMDLINE "\"\n"
"  -m, --memory SIZE        guest RAM, K/M/G suffix (default 256M, min 32M)\n"
"  -p, --cpus N             vCPUs (default 1, max %d)\n"
"  -n, --private-node N     NUMA node for all guest RAM (required)\n"
"      --prealloc           allocate all guest RAM at start (default)\n"
"      --no-prealloc        allocate guest RAM on first touch\n"
"      --require-private    refuse to start unless the kernel marks N private\n"
"      --report             print guest RAM pages per node, at start and exit\n"
"  -h, --help               this text\n"
"  -V, --version            print the version\n"
"\n"
"The guest ends pnvm with status 0 by rebooting (reboot -f); Ctrl-A x quits\n"
"from a terminal. Bad input exits 2, a VM failure 1, a signal 128+N.\n",
		PNVM_MAX_CPUS);
}

static int bad(struct pnvm_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cli_parse(struct pnvm_opts *o, int argc, char **argv)
{
	bool have_node = false;
	unsigned int v;
	int c;

	memset(o, 0, sizeof(*o));
	o->memory = 256 * SZ_1M;
	o->cpus = 1;
	o->node = -1;
	o->prealloc = true;

	/* "pnvm run ..." and "pnvm ..." are the same. */
	if (argc > 1 && !strcmp(argv[1], "run")) {
		argv++;
		argc--;
	}
	/* glibc: optind = 0 re-initialises getopt, so tests can call us often. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:c:m:p:n:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->kernel = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'c':
			o->cmdline = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &o->memory))
				return bad(o, "--memory: cannot parse size '%s' (use e.g. 512M or 2G)", optarg);
			if (o->memory < PNVM_MIN_MEMORY)
				return bad(o, "--memory: %s is too small (at least 32M)", optarg);
			if (o->memory % PAGE_SIZE)
				return bad(o, "--memory: %s is not a multiple of 4K", optarg);
			break;
		case 'p':
			if (parse_uint(optarg, &v))
				return bad(o, "--cpus: '%s' is not a number", optarg);
			if (v == 0)
				return bad(o, "--cpus: need at least one CPU");
			if (v > PNVM_MAX_CPUS)
				return bad(o, "--cpus: %u is more than %d", v, PNVM_MAX_CPUS);
			o->cpus = v;
			break;
		case 'n':
			if (parse_uint(optarg, &v))
				return bad(o, "--private-node: '%s' is not a node number", optarg);
			o->node = v;
			have_node = true;
			break;
		case OPT_PREALLOC:
			o->prealloc = true;
			break;
		case OPT_NO_PREALLOC:
			o->prealloc = false;
			break;
		case OPT_REQUIRE_PRIVATE:
			o->require_private = true;
			break;
		case OPT_REPORT:
			o->report = true;
			break;
		case 'h':
			return CLI_HELP;
		case 'V':
			return CLI_VERSION;
		case ':':
			return bad(o, "option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return bad(o, "unknown option '-%c' (see --help)", optopt);
			return bad(o, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad(o, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->kernel)
		return bad(o, "missing --kernel (see --help)");
	if (!have_node)
		return bad(o, "missing --private-node (see --help)");
	return CLI_RUN;
}

static int check_file(struct pnvm_opts *o, const char *opt, const char *path)
{
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st) || access(path, R_OK))
		return bad(o, "%s %s: %s", opt, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bad(o, "%s %s: not a regular file", opt, path);
	return 0;
}

int cli_check_files(struct pnvm_opts *o)
{
	int ret = check_file(o, "--kernel", o->kernel);

	return ret ? ret : check_file(o, "--initrd", o->initrd);
}
