// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a PUT vm.create body, arbitrary bytes, through
 * VmConfig parsing and the CLI's rules. Aborts if an accepted config
 * breaks the machine's invariants or, printed back as vm.info does,
 * does not parse again into the same machine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/vmconfig.h"

static struct vmconfig vc, back;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *j;
	const char *s;

	if (vmconfig_parse(&vc, (const char *)data, size, 1)) {
		vmconfig_free(&vc);
		return 0;
	}
	if (!vc.m.kernel || vc.m.cpus < 1 || vc.m.cpus > PNVM_MAX_CPUS ||
	    vc.m.memory < PNVM_MIN_MEMORY || vc.m.ndevs > PNVM_MAX_VIRTIO || vc.m.node < 0)
		abort();
	j = vmconfig_to_json(&vc.m);
	if (!j)
		abort();
	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	if (vmconfig_parse(&back, s, strlen(s), -1) || back.m.cpus != vc.m.cpus ||
	    back.m.memory != vc.m.memory || back.m.node != vc.m.node ||
	    back.m.ndevs != vc.m.ndevs || strcmp(back.m.kernel, vc.m.kernel) ||
	    strcmp(back.m.cmdline, vc.m.cmdline))
		abort();
	json_object_put(j);
	vmconfig_free(&back);
	vmconfig_free(&vc);
	return 0;
}
