// SPDX-License-Identifier: GPL-2.0
/* Command line: argv into struct pnvm_opts, nothing else. */
#include <errno.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot.h"
#include "vmm/cli.h"

enum {
	OPT_PREALLOC = 0x100,
	OPT_NO_PREALLOC,
	OPT_REQUIRE_PRIVATE,
	OPT_REPORT,
	OPT_NAME,
	OPT_DISK,
	OPT_NET,
	OPT_RNG,
	OPT_CONSOLE,
	OPT_SHARED_WINDOW,
	OPT_SHARED_NODE,
	OPT_WINDOW,
	OPT_DRY_RUN,
	OPT_SECCOMP,
	OPT_USER,
	OPT_GROUP,
	OPT_API_SOCKET,
	OPT_EVENT_MONITOR,
};

/* The window holds only in-flight I/O; more than this is a typo. */
#define PNVM_MAX_WINDOW		SZ_1G

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
	{ "name",		required_argument, NULL, OPT_NAME },
	{ "disk",		required_argument, NULL, OPT_DISK },
	{ "net",		required_argument, NULL, OPT_NET },
	{ "rng",		no_argument,	   NULL, OPT_RNG },
	{ "console",		no_argument,	   NULL, OPT_CONSOLE },
	{ "shared-window",	required_argument, NULL, OPT_SHARED_WINDOW },
	{ "shared-node",	required_argument, NULL, OPT_SHARED_NODE },
	{ "window",		required_argument, NULL, OPT_WINDOW },
	{ "dry-run",		no_argument,	   NULL, OPT_DRY_RUN },
	{ "seccomp",		required_argument, NULL, OPT_SECCOMP },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "group",		required_argument, NULL, OPT_GROUP },
	{ "api-socket",		required_argument, NULL, OPT_API_SOCKET },
	{ "event-monitor",	required_argument, NULL, OPT_EVENT_MONITOR },
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
"      --report             print guest RAM pages per node, at start and exit,\n"
"                           each virtio device's counters at exit, and where\n"
"                           each vCPU was if the VM had to be stopped\n"
"      --name NAME          the VM's name, in messages\n"
"      --dry-run            check the inputs, print the machine description\n"
"                           as JSON and exit (KVM is not opened)\n"
"      --seccomp=on|log|off each thread's system calls limited to what it\n"
"                           does (default on; log: only audit-log the rest)\n"
"      --user USER          after opening KVM, disks, taps and memory, run as\n"
"                           USER with no capabilities (--group GROUP)\n"
"      --api-socket path=PATH|fd=N  serve this VM on cloud-hypervisor's REST\n"
"                           API while it runs (pnvm remote; api/README.md);\n"
"                           pnvm still ends when the VM stops\n"
"      --event-monitor path=PATH|fd=N  the API's events, one JSON line each\n"
"  -h, --help               this text\n"
"  -V, --version            print the version\n"
"\n"
"virtio devices (virtio-mmio, in this order: disks, nets, rng, console; at most %d):\n"
"      --disk PATH[,ro]     raw image or block device as /dev/vdX (repeatable)\n"
"      --net tap=NAME[,mac=MAC]  network on tap device NAME, created if\n"
"                           missing; MAC the guest's address (default\n"
"                           02:70:6e:76:6d:INDEX) (repeatable)\n"
"      --net fd=N[,mac=MAC] network on the tap already open as fd N\n"
"      --rng                entropy device (/dev/hwrng)\n"
"      --console            hvc0 on virtio-console, output to stdout (the\n"
"                           serial console stays)\n"
"      --shared-window SIZE the only guest memory devices may touch: a memfd\n"
"                           the guest bounces all virtio I/O through\n"
"                           (restricted DMA pool; default 64M, multiple of 2M)\n"
"      --shared-node N      NUMA node of the window (default 0; never the\n"
"                           private node)\n"
"      --window=off         no window: devices reach all of guest RAM and are\n"
"                           described in ACPI tables (stock guest kernels)\n"
"      --window=hidden      the window exists but the guest is not told of it:\n"
"                           every device access is refused (confinement test)\n"
"Which guest kernel works where:\n"
"  window (default)  device tree; needs CONFIG_OF, CONFIG_DMA_RESTRICTED_POOL\n"
"                    and kernel-patches/guest (pnvm's guest and patched kernels)\n"
"  --window=off      ACPI (\"LNRO0005\" devices): any kernel with CONFIG_ACPI and\n"
"                    virtio_mmio, e.g. Debian's stock kernels\n"
"  no devices        MP table: any x86-64 kernel\n"
"A guest that finds none of its devices gets a warning naming the cause.\n"
"\n"
"The guest ends pnvm with status 0 by rebooting (reboot -f); Ctrl-A x quits\n"
"from a terminal. Bad input exits 2, a VM failure 1, a signal 128+N.\n",
		PNVM_MAX_CPUS, PNVM_MAX_VIRTIO);
}

unsigned int cli_nr_virtio(const struct pnvm_opts *o)
{
	return o->ndisks + o->nnets + o->rng + o->console;
}

/* "PATH" or "PATH,ro" (",rw" too); a path may not contain a comma. */
static int parse_disk(struct pnvm_opts *o, const char *arg)
{
	struct pnvm_disk *d = &o->disks[o->ndisks];
	const char *comma = strrchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);

	if (o->ndisks == PNVM_MAX_VIRTIO)
		return errf(-EINVAL, "--disk: more than %d disks", PNVM_MAX_VIRTIO);
	if (comma && strcmp(comma + 1, "ro") && strcmp(comma + 1, "rw"))
		return errf(-EINVAL, "--disk %s: unknown disk option '%s' (PATH or PATH,ro)", arg, comma + 1);
	if (!len)
		return errf(-EINVAL, "--disk '%s': no path (PATH or PATH,ro)", arg);
	if (len >= sizeof(o->disk_buf[0]))
		return errf(-EINVAL, "--disk: path too long (%zu bytes)", len);
	if (memchr(arg, ',', len))
		return errf(-EINVAL, "--disk %s: a path with a comma is not supported", arg);
	memcpy(o->disk_buf[o->ndisks], arg, len);
	o->disk_buf[o->ndisks][len] = '\0';
	d->path = o->disk_buf[o->ndisks];
	d->ro = comma && !strcmp(comma + 1, "ro");
	o->ndisks++;
	return 0;
}

int cli_parse_mac(const char *s, u8 mac[6])
{
	unsigned int v[6];
	int n = -1;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
				      &v[4], &v[5], &n) != 6 || n != 17)
		return errf(-EINVAL, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return errf(-EINVAL, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
	for (int i = 0; i < 6; i++)
		mac[i] = v[i];
	/* A NIC's own address is unicast and not zero; the guest would drop frames. */
	if (mac[0] & 1)
		return errf(-EINVAL, "%s is a multicast address, not a NIC's", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return errf(-EINVAL, "%s: the all-zero address is no NIC's", s);
	return 0;
}

void cli_format_mac(const u8 mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

/*
 * "tap=NAME[,mac=MAC]" or "fd=N[,mac=MAC]" (a tap already open, as the
 * API's vm.add-net gets one); NAME must fit an interface name (15).
 */
static int parse_net(struct pnvm_opts *o, const char *arg)
{
	const char *comma = strchr(arg, ','), *name = arg + 4;
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	struct pnvm_net *n = &o->nets[o->nnets];
	char *end;
	long fd;

	if (o->nnets == PNVM_MAX_VIRTIO)
		return errf(-EINVAL, "--net: more than %d networks", PNVM_MAX_VIRTIO);
	*n = (struct pnvm_net){ .fd = -1 };
	if (comma && strncmp(comma + 1, "mac=", 4))
		return errf(-EINVAL, "--net %s: '%s': only mac=MAC may follow", arg, comma + 1);
	if (comma && cli_parse_mac(comma + 5, n->mac))
		return errf(-EINVAL, "--net %s: %s", arg, err_msg());
	n->mac_set = comma;
	if (!strncmp(arg, "fd=", 3)) {
		errno = 0;
		fd = strtol(arg + 3, &end, 10);
		if (end == arg + 3 || end != arg + len || errno || fd < 0 || fd > INT_MAX)
			return errf(-EINVAL, "--net %s: fd= takes a file descriptor number", arg);
		n->fd = fd;
	} else if (!strncmp(arg, "tap=", 4)) {
		if (len == 4 || len - 4 > 15)
			return errf(-EINVAL, "--net %s: tap name must be 1-15 characters", arg);
		for (const char *p = name; p < arg + len; p++)
			if (*p == '/' || *p == ':' || *p <= ' ' || *p > '~')
				return errf(-EINVAL, "--net %s: '%c' is not allowed in an interface name",
					    arg, *p);
		memcpy(n->tap_buf, name, len - 4);
		n->tap_buf[len - 4] = '\0';
		n->tap = n->tap_buf;
	} else {
		return errf(-EINVAL, "--net '%s': only tap=NAME or fd=N, each with an optional ,mac=MAC",
			    arg);
	}
	o->nnets++;
	return 0;
}

static int parse_name(struct pnvm_opts *o, const char *arg)
{
	if (!*arg || strlen(arg) >= PNVM_NAME_MAX)
		return errf(-EINVAL, "--name: must be 1-%d characters", PNVM_NAME_MAX - 1);
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return errf(-EINVAL, "--name: control characters are not allowed");
	o->name = arg;
	return 0;
}

int cli_parse(struct pnvm_opts *o, int argc, char **argv)
{
	bool have_node = false, have_window = false, have_shared_node = false;
	unsigned int v;
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->memory = 256 * SZ_1M;
	o->cpus = 1;
	o->node = -1;
	o->prealloc = true;
	o->window_size = PNVM_DEFAULT_WINDOW;
	o->shared_node = 0;
	o->seccomp = SC_ON;

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
				return errf(-EINVAL, "--memory: cannot parse size '%s' (use e.g. 512M or 2G)", optarg);
			if (o->memory < PNVM_MIN_MEMORY)
				return errf(-EINVAL, "--memory: %s is too small (at least 32M)", optarg);
			if (o->memory % PAGE_SIZE)
				return errf(-EINVAL, "--memory: %s is not a multiple of 4K", optarg);
			break;
		case 'p':
			if (parse_uint(optarg, &v))
				return errf(-EINVAL, "--cpus: '%s' is not a number", optarg);
			if (v == 0)
				return errf(-EINVAL, "--cpus: need at least one CPU");
			if (v > PNVM_MAX_CPUS)
				return errf(-EINVAL, "--cpus: %u is more than %d", v, PNVM_MAX_CPUS);
			o->cpus = v;
			break;
		case 'n':
			if (parse_uint(optarg, &v))
				return errf(-EINVAL, "--private-node: '%s' is not a node number", optarg);
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
		case OPT_NAME:
			ret = parse_name(o, optarg);
			if (ret)
				return ret;
			break;
		case OPT_DISK:
			ret = parse_disk(o, optarg);
			if (ret)
				return ret;
			break;
		case OPT_NET:
			ret = parse_net(o, optarg);
			if (ret)
				return ret;
			break;
		case OPT_RNG:
			o->rng = true;
			break;
		case OPT_CONSOLE:
			o->console = true;
			break;
		case OPT_SHARED_WINDOW:
			if (parse_size(optarg, &o->window_size))
				return errf(-EINVAL, "--shared-window: cannot parse size '%s' (use e.g. 64M)", optarg);
			if (!o->window_size || o->window_size % SZ_2M)
				return errf(-EINVAL, "--shared-window: %s is not a non-zero multiple of 2M", optarg);
			if (o->window_size > PNVM_MAX_WINDOW)
				return errf(-EINVAL, "--shared-window: %s is more than 1G", optarg);
			have_window = true;
			break;
		case OPT_SHARED_NODE:
			if (parse_uint(optarg, &v))
				return errf(-EINVAL, "--shared-node: '%s' is not a node number", optarg);
			o->shared_node = v;
			have_shared_node = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_SECCOMP:
			if (sc_parse_mode(optarg, &o->seccomp))
				return errf(-EINVAL, "--seccomp: '%s' is not on, log or off", optarg);
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_GROUP:
			o->group = optarg;
			break;
		case OPT_API_SOCKET:
			o->api_socket = optarg;
			break;
		case OPT_EVENT_MONITOR:
			o->event_monitor = optarg;
			break;
		case OPT_WINDOW:
			o->window_off = !strcmp(optarg, "off");
			o->window_hidden = !strcmp(optarg, "hidden");
			if (!o->window_off && !o->window_hidden && strcmp(optarg, "on"))
				return errf(-EINVAL, "--window: '%s' is not on, off or hidden", optarg);
			break;
		case 'h':
			return CLI_HELP;
		case 'V':
			return CLI_VERSION;
		case ':':
			return errf(-EINVAL, "option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return errf(-EINVAL, "unknown option '-%c' (see --help)", optopt);
			return errf(-EINVAL, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return errf(-EINVAL, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->kernel)
		return errf(-EINVAL, "missing --kernel (see --help)");
	if (!have_node)
		return errf(-EINVAL, "missing --private-node (see --help)");
	if (o->event_monitor && !o->api_socket)
		return errf(-EINVAL, "--event-monitor: the API's events need --api-socket");
	if (cli_nr_virtio(o) > PNVM_MAX_VIRTIO)
		return errf(-EINVAL, "%u virtio devices; at most %d (--disk, --net, --rng and --console together)",
			    cli_nr_virtio(o), PNVM_MAX_VIRTIO);
	if (o->window_off && (have_window || have_shared_node))
		return errf(-EINVAL, "--window=off: there is no shared window to size or place (drop %s)",
			   have_window ? "--shared-window" : "--shared-node");
	/* Only devices need the window; a VM without them has none. */
	if (!o->window_off && cli_nr_virtio(o) && o->shared_node == o->node)
		return errf(-EINVAL, "--shared-node %d is the private node (--private-node %d); the shared window must be on normal memory",
			   o->shared_node, o->node);
	return CLI_RUN;
}
