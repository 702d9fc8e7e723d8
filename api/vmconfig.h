/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cloud-hypervisor's VmConfig (the body of PUT vm.create) as a pnvm
 * machine, and the machine back as a VmConfig (GET vm.info). The JSON
 * becomes the command line the CLI would take and goes through
 * cli_parse() and machine_from_opts(), so an API request obeys exactly
 * the CLI's rules. Fields pnvm has no use for are ignored, as managers
 * send many; fields it cannot honour are refused, never dropped.
 */
#ifndef PNVM_API_VMCONFIG_H
#define PNVM_API_VMCONFIG_H

#include <json-c/json.h>
#include "vmm/cli.h"
#include "vmm/machine.h"

/* "pnvm run" and two words per option: cpus, memory, node, payload, devices. */
#define VMCONFIG_MAX_ARGS	(2 + 2 * (8 + 2 * PNVM_MAX_VIRTIO))
/* cloud-hypervisor's default guest RAM when a VmConfig has no memory. */
#define VMCONFIG_DEFAULT_MEMORY	(512 * SZ_1M)

struct vmconfig {
	struct machine m;
	struct pnvm_opts opts;		/* m points into opts, opts into argv */
	int argc;
	char *argv[VMCONFIG_MAX_ARGS + 1];
	int fds[PNVM_MAX_VIRTIO];	/* vm.add-net's taps, "--net fd=N" in argv */
	unsigned int nfds;
};

/*
 * Parse @len bytes of VmConfig JSON into @vc. @default_node is the
 * private node for a config without memory.zones[].host_numa_node (-1:
 * none; such a config is refused). 0, or -EINVAL with errf() naming the
 * field; -ENOMEM. Free @vc with vmconfig_free() whatever the result.
 */
int vmconfig_parse(struct vmconfig *vc, const char *json, size_t len, int default_node);
/*
 * vm.add-net: one NetConfig (tap, mac, num_queues) more, before boot.
 * @fd an open tap (from the request's SCM_RIGHTS), taken on success,
 * or -1 for a tap by name. 0, or -errno + errf() and @vc unchanged.
 */
int vmconfig_add_net(struct vmconfig *vc, const char *json, size_t len, int fd);
/* Also closes the add-net fds. */
void vmconfig_free(struct vmconfig *vc);

/* @m as a VmConfig; NULL when out of memory. */
json_object *vmconfig_to_json(const struct machine *m);


#endif
