// SPDX-License-Identifier: GPL-2.0
/* The machine description: what the CLI's options make of a VM, as JSON. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/cli.h"
#include "vmm/machine.h"

#define ARGV(...)	((char *[]){ "pnvm", __VA_ARGS__, NULL })

static struct pnvm_opts o;
static struct machine m;

static int describe(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	if (cli_parse(&o, argc, argv) != CLI_RUN)
		return -1;
	return machine_from_opts(&m, &o);
}

/* The description as JSON, parsed back. */
static json_object *as_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *j = NULL;

	if (f && !machine_print_json(&m, f) && !fclose(f))
		j = json_tokener_parse(buf);
	free(buf);
	return j;
}

static json_object *at(json_object *j, const char *path)
{
	char key[64];

	while (j && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (json_object_is_type(j, json_type_array))
			j = json_object_array_get_idx(j, atoi(key));
		else if (!json_object_object_get_ex(j, key, &j))
			return NULL;
		path += n + (path[n] == '.');
	}
	return j;
}

static int64_t num(json_object *j, const char *path)
{
	return json_object_get_int64(at(j, path));
}

static const char *str(json_object *j, const char *path)
{
	json_object *v = at(j, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static void window_mode(void)
{
	json_object *j;

	ok(!describe(ARGV("--kernel", "/k", "--private-node", "1", "--memory", "4G", "--cpus", "2",
			  "--disk", "/a.img", "--disk", "/b.img,ro", "--net", "tap=tap0", "--rng",
			  "--console", "--shared-window", "32M", "--name", "vm-1")),
	   "a VM with every kind of device is described");
	ok(m.ndevs == 5 && m.window == WINDOW_ON && m.tables == TABLES_DT && m.ram.nr == 2,
	   "5 devices, window on, a device tree, two RAM regions");
	for (unsigned int i = 0; i < m.ndevs; i++)
		if (m.devs[i].base != GUEST_VIRTIO_BASE + i * GUEST_VIRTIO_STRIDE ||
		    m.devs[i].gsi != GUEST_VIRTIO_GSI + i)
			ok(0, "device %u at its slot's base and GSI", i);
	ok(m.window_gpa == GUEST_4G + (1ULL << 30) && m.window_size == 32ULL << 20,
	   "the window after the RAM above 4G");

	j = as_json();
	if (!ok(j != NULL, "the JSON parses back"))
		return;
	ok(!strcmp(str(j, "name"), "vm-1") && num(j, "cpus") == 2, "name and cpus");
	ok(num(j, "memory.size") == 4LL << 30 && num(j, "memory.node") == 1 &&
	   json_object_get_boolean(at(j, "memory.prealloc")), "memory: size, node, prealloc");
	ok(json_object_array_length(at(j, "memory.regions")) == 3 &&
	   !strcmp(str(j, "memory.regions.0.type"), "ram") && num(j, "memory.regions.0.slot") == 0 &&
	   num(j, "memory.regions.1.gpa") == (int64_t)GUEST_4G &&
	   !strcmp(str(j, "memory.regions.2.type"), "shared") && num(j, "memory.regions.2.slot") == 2,
	   "regions: RAM in slots 0 and 1, the window in slot 2");
	ok(!strcmp(str(j, "window.mode"), "on") && num(j, "window.size") == 32LL << 20 &&
	   num(j, "window.gpa") == (int64_t)(GUEST_4G + (1ULL << 30)) && num(j, "window.node") == 0,
	   "window: on, 32M after RAM, node 0");
	ok(!strcmp(str(j, "boot.tables"), "device-tree") &&
	   !strcmp(str(j, "boot.cmdline"), BOOT_BASE_CMDLINE " acpi=off") && !at(j, "boot.initrd"),
	   "boot: a device tree, the base command line and acpi=off, no initrd");
	ok(json_object_array_length(at(j, "devices")) == 5 &&
	   !strcmp(str(j, "devices.1.name"), "blk1") &&
	   json_object_get_boolean(at(j, "devices.1.readonly")) &&
	   !strcmp(str(j, "devices.2.tap"), "tap0") && !strcmp(str(j, "devices.4.kind"), "console") &&
	   num(j, "devices.4.base") == (int64_t)(GUEST_VIRTIO_BASE + 4 * GUEST_VIRTIO_STRIDE) &&
	   num(j, "devices.4.gsi") == GUEST_VIRTIO_GSI + 4,
	   "devices in slot order with names, base, GSI, path and tap");
	json_object_put(j);
}

static void other_modes(void)
{
	json_object *j;

	ok(!describe(ARGV("--kernel", "/k", "--private-node", "0", "--rng", "--window=off",
			  "--cmdline", "quiet")) && m.window == WINDOW_OFF && m.tables == TABLES_ACPI,
	   "--window=off: no window, ACPI tables");
	ok(!strcmp(m.cmdline, "quiet"),
	   "--window=off: nothing of pnvm's on the command line (%s)", m.cmdline);
	j = as_json();
	ok(j && !strcmp(str(j, "window.mode"), "off") && !at(j, "window.gpa") &&
	   json_object_array_length(at(j, "memory.regions")) == 1 &&
	   !strcmp(str(j, "boot.tables"), "acpi") &&
	   !strcmp(str(j, "boot.cmdline"), BOOT_BASE_CMDLINE " quiet"),
	   "--window=off JSON: mode off, no window region, ACPI, the whole command line");
	json_object_put(j);

	ok(!describe(ARGV("--kernel", "/k", "--private-node", "1", "--rng", "--window=hidden")) &&
	   m.window == WINDOW_HIDDEN && m.tables == TABLES_DT && machine_has_window(&m),
	   "--window=hidden: a window (and a DT) the guest is not told of");
	ok(!describe(ARGV("--kernel", "/k", "--private-node", "1", "--window=hidden")) &&
	   m.tables == TABLES_MPTABLE && !*m.cmdline &&
	   !machine_has_window(&m) && !m.window_size,
	   "no devices: no window and the MP-table boot, whatever the mode");
}

/* --dry-run, end to end: bad input still exits 2 with one line. */
static void dry_run(void)
{
	const char *bin = !access("build/pnvm", X_OK) ? "build/pnvm" :
			  !access("build-san/pnvm", X_OK) ? "build-san/pnvm" : NULL;
	char cmd[256], line[256] = "";
	int status;
	FILE *p;

	ok(describe(ARGV("--kernel", "/k", "--private-node", "1", "--dry-run")) == 0 && o.dry_run,
	   "--dry-run is an option");
	if (!bin) {
		tap_diag("build/pnvm not found; --dry-run end to end skipped");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s run --dry-run --kernel /proc/self/exe --private-node 0 2>&1", bin);
	p = popen(cmd, "r");
	if (p && !fgets(line, sizeof(line), p))
		line[0] = '\0';
	status = p ? pclose(p) : -1;
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 2 && !strncmp(line, "pnvm: --kernel", 14),
	   "--dry-run with a bad kernel: exit 2, \"%.*s\"", (int)strcspn(line, "\n"), line);
}

int main(void)
{
	window_mode();
	other_modes();
	dry_run();
	return tap_done();
}
