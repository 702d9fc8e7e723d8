// SPDX-License-Identifier: GPL-2.0
/* pnvm: a VMM whose guest RAM is guest_memfd memory on a private node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/server.h"
#include "host/host.h"
#include "vmm/cli.h"
#include "libvirt/domain.h"
#include "vmm/vm.h"

/*
 * `pnvm run --libvirt DOMAIN.xml [--lenient] [options]`: the domain's
 * translation comes first, the user's own options after it, so that
 * e.g. --report or a different --kernel can be added or override.
 * Returns 0 with *av_out the argv to parse (NULL when there is no
 * --libvirt; free it with libvirt_argv_free), or the exit status.
 */
static int libvirt_argv(int argc, char **argv, char ***av_out, int *ac_out)
{
	const char *xml = NULL;
	char **own, **av = NULL, **grown;
	int lenient = 0, ac = 0, n = 0, i, ret;

	*av_out = NULL;
	own = calloc(argc, sizeof(*own));	/* the user's other options */
	if (!own)
		return 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--libvirt") && i + 1 == argc) {
			fprintf(stderr, "pnvm: option --libvirt needs an argument\n");
			free(own);
			return EXIT_BAD_INPUT;
		} else if (!strcmp(argv[i], "--libvirt"))
			xml = argv[++i];
		else if (!strncmp(argv[i], "--libvirt=", 10))
			xml = argv[i] + 10;
		else if (!strcmp(argv[i], "--lenient"))
			lenient = 1;
		else if (i > 1 || strcmp(argv[i], "run"))
			own[n++] = argv[i];
	}
	if (!xml) {
		free(own);
		return 0;
	}
	ret = libvirt_xml_to_argv(xml, lenient, &av, &ac, stderr);
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "pnvm: --libvirt %s: %s\n", xml, strerror(-ret));
		free(own);
		return EXIT_BAD_INPUT;
	}
	/* av = { "pnvm", "run", the domain's options..., NULL }, then ours. */
	grown = realloc(av, (ac + n + 1) * sizeof(*av));
	if (grown) {
		av = grown;
		for (i = 0; i < n; i++)
			if (!(av[ac++] = strdup(own[i])))
				break;
		av[ac] = NULL;	/* libvirt_argv_free stops at the first NULL */
	}
	free(own);
	if (!grown || i < n) {
		libvirt_argv_free(av);
		return 1;
	}
	*av_out = av;
	*ac_out = ac;
	return 0;
}

/* The CLI front end's description, checked once; then run or print it. */
static int run(const struct pnvm_opts *o)
{
	struct machine *m = calloc(1, sizeof(*m));
	struct payload *p = calloc(1, sizeof(*p));
	int status;

	if (!m || !p) {
		fprintf(stderr, "pnvm: out of memory\n");
		status = 1;
	} else if (machine_from_opts(m, o) || machine_validate(m, p)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = EXIT_BAD_INPUT;
	} else if (o->dry_run) {
		/* With --api-socket too: the VM is checked, the socket left alone. */
		status = machine_print_json(m, stdout) ? 1 : 0;
		if (status)
			fprintf(stderr, "pnvm: %s\n", err_msg());
	} else if (o->api_socket) {
		/* The server loads the payload again when it boots the VM. */
		payload_free(p);
		status = api_run_main(m, o->api_socket, o->event_monitor);
	} else {
		status = vm_run(m, p);
	}
	if (p)
		payload_free(p);
	free(p);
	free(m);
	return status;
}

/*
 * Installed or linked as cloud-hypervisor, pnvm answers the version
 * probe of managers that drive cloud-hypervisor (api/README.md).
 */
static bool as_cloud_hypervisor(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return !strcmp(base ? base + 1 : argv0, "cloud-hypervisor");
}

static int print_version(const char *argv0)
{
	if (as_cloud_hypervisor(argv0))
		printf("cloud-hypervisor v%s\n", PNVM_CH_VERSION);
	else
		printf("pnvm v%s\n", PNVM_VERSION);
	return 0;
}

/*
 * `pnvm --api-socket ...`: a VMM serving the API, with no VM yet. After
 * `run`, --api-socket serves the VM the command line describes (cli_parse).
 */
static bool api_mode(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "run"))
		return false;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--api-socket") || !strncmp(argv[i], "--api-socket=", 13))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct pnvm_opts opts;
	char **own;
	int status;

	if (argc > 1 && !strcmp(argv[1], "xml-to-argv"))
		return libvirt_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "remote"))
		return api_remote_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "host"))
		return host_main(argc - 1, argv + 1);
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")))
		return print_version(argv[0]);
	if (api_mode(argc, argv))
		return api_main(argc, argv);

	status = libvirt_argv(argc, argv, &own, &argc);
	if (status)
		return status;
	if (own)
		argv = own;

	switch (cli_parse(&opts, argc, argv)) {
	case CLI_HELP:
		cli_usage(stdout);
		fputs("\nlibvirt domains:\n"
		      "  pnvm run --libvirt DOMAIN.xml [--lenient] [options]\n"
		      "                           run a domain; options given here come after\n"
		      "                           the domain's own and can override them\n"
		      "  pnvm xml-to-argv [--lenient] DOMAIN.xml\n"
		      "                           print the domain as a pnvm command line\n"
		      "\ncloud-hypervisor's API (api/README.md):\n"
		      "  pnvm --api-socket path=PATH|fd=N [--event-monitor path=PATH|fd=N]\n"
		      "       [--private-node N]  serve it, with no VM until vm.create\n"
		      "  pnvm remote --api-socket PATH COMMAND\n"
		      "                           ping, info, counters, create FILE, boot, pause,\n"
		      "                           resume, reboot, shutdown, delete, shutdown-vmm\n"
		      "\nthe host (host/README.md):\n"
		      "  pnvm host check [--json] [--node N]\n"
		      "                           is it ready: KVM, the kernel series, the node\n"
		      "  pnvm host provision --dax DEVICE|--node N [--json] [--dry-run]\n"
		      "                           make a dax device private memory on its node\n"
		      "  pnvm host boot-config --node N [--output FILE|-] [--grub-dir DIR]\n"
		      "                           private_node=N from boot (a GRUB drop-in)\n",
		      stdout);
		status = 0;
		break;
	case CLI_VERSION:
		status = print_version(argv[0]);
		break;
	case CLI_RUN:
		status = run(&opts);
		break;
	default:
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = EXIT_BAD_INPUT;
		break;
	}
	/* opts points into argv: free it only when the VM is gone. */
	if (own)
		libvirt_argv_free(own);
	return status;
}
