// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the libvirt front end on arbitrary XML. The input is
 * a domain file (a memfd, read through /proc/self/fd like any path);
 * libvirt's in-process test driver parses it, libvirt/ maps it. Aborts
 * unless the result is 0 with a well-formed argv that pnvm's own CLI
 * accepts, or 2 (refused) with no argv.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvirt/domain.h"
#include "vmm/cli.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pnvm_opts opts;
	char path[64], **argv = NULL;
	int fd, ret, argc = 0;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	fd = memfd_create("fuzz-domain", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ret = libvirt_xml_to_argv(path, size & 1, &argv, &argc, devnull);
	close(fd);
	if (ret == 2 || ret == -EFBIG) {
		if (argv)
			abort();
		return 0;
	}
	if (ret || !argv || argc < 2 || argv[argc] || strcmp(argv[0], "pnvm") ||
	    strcmp(argv[1], "run"))
		abort();
	for (int i = 0; i < argc; i++) {
		char *q = libvirt_shell_quote(argv[i]);

		if (!argv[i] || !q)
			abort();
		free(q);
	}
	/* What the translator emits, pnvm's CLI must take. */
	if (cli_parse(&opts, argc, argv) != CLI_RUN)
		abort();
	libvirt_argv_free(argv);
	return 0;
}
