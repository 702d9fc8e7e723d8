// SPDX-License-Identifier: GPL-2.0
/* cloud-hypervisor VmConfig JSON as a pnvm machine, and back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/vmconfig.h"
#include "tests/tap.h"

static struct vmconfig vc;

/* Parse @json with @node as the default private node; 0 or -errno. */
static int parse(const char *json, int node)
{
	vmconfig_free(&vc);
	return vmconfig_parse(&vc, json, strlen(json), node);
}

/* Refused, with a message that contains @what. */
static void refused(const char *json, const char *what, const char *why)
{
	int ret = parse(json, 1);

	ok(ret == -EINVAL && strstr(err_msg(), what), "%s: refused (%s)", why, ret ? err_msg() : "accepted");
}

/* What libvirt's ch driver sends (v28+ payload, a disk). */
static const char libvirt_json[] =
	"{\"console\":{\"mode\":\"Tty\"},\"cpus\":{\"boot_vcpus\":2,\"max_vcpus\":2},"
	"\"memory\":{\"size\":1073741824},\"payload\":{\"kernel\":\"/var/lib/k/bzImage\","
	"\"cmdline\":\"root=/dev/vda rw\",\"initramfs\":\"/var/lib/k/initrd\"},"
	"\"disks\":[{\"path\":\"/var/lib/disk.img\",\"readonly\":true},{\"path\":\"/var/lib/d2.img\"}]}";

/* What Kata's client sends: many fields pnvm has no use for. */
static const char kata_json[] =
	"{\"cpus\":{\"boot_vcpus\":1,\"max_vcpus\":1,\"topology\":{\"threads_per_core\":1},"
	"\"kvm_hyperv\":false,\"max_phys_bits\":46},\"memory\":{\"size\":0,\"shared\":true,"
	"\"hugepages\":false,\"mergeable\":false,\"hotplug_method\":\"Acpi\",\"zones\":[{\"id\":\"z0\","
	"\"size\":268435456,\"host_numa_node\":1,\"shared\":true}]},\"payload\":{\"kernel\":\"/k\","
	"\"cmdline\":\"console=hvc0\"},\"rng\":{\"src\":\"/dev/urandom\",\"iommu\":false},"
	"\"serial\":{\"mode\":\"Tty\"},\"console\":{\"mode\":\"Off\",\"iommu\":false},\"iommu\":false,"
	"\"watchdog\":false,\"pvpanic\":false,\"platform\":{\"num_pci_segments\":1,\"iommu_segments\":null},"
	"\"net\":[{\"tap\":\"tap0\",\"mac\":\"52:54:00:12:34:56\",\"ip\":\"10.0.0.2\",\"mask\":\"255.255.255.0\","
	"\"num_queues\":2,\"queue_size\":256,\"id\":\"net0\"}],\"balloon\":null}";

static void test_accepted(void)
{
	ok(!parse(libvirt_json, 1), "libvirt's VmConfig with a default node (%s)", err_msg());
	ok(vc.m.cpus == 2 && vc.m.memory == SZ_1G && vc.m.node == 1, "cpus 2, 1 GiB on node 1");
	ok(!strcmp(vc.m.kernel, "/var/lib/k/bzImage") && !strcmp(vc.m.initrd, "/var/lib/k/initrd") &&
	   !strcmp(vc.m.cmdline, "root=/dev/vda rw"), "payload: kernel, initramfs, cmdline");
	ok(vc.m.ndevs == 3 && vc.m.devs[0].kind == DEV_BLK && vc.m.devs[0].ro &&
	   !strcmp(vc.m.devs[0].path, "/var/lib/disk.img") && !vc.m.devs[1].ro &&
	   vc.m.devs[2].kind == DEV_CONSOLE, "disks in order, readonly; console Tty is virtio-console");
	ok(vc.m.tables == TABLES_DT && vc.m.window_size == PNVM_DEFAULT_WINDOW, "devices: the CLI's default window, DT boot");

	ok(!parse(kata_json, -1), "Kata's VmConfig, unknown fields ignored (%s)", err_msg());
	ok(vc.m.memory == 256 * SZ_1M && vc.m.node == 1 && vc.m.ndevs == 2 &&
	   vc.m.devs[0].kind == DEV_NET && !strcmp(vc.m.devs[0].tap, "tap0") &&
	   vc.m.devs[1].kind == DEV_RNG, "zone on node 1; net tap0 and rng; console Off");

	ok(!parse("{\"memory\":{\"zones\":[{\"size\":268435456,\"host_numa_node\":2},"
		  "{\"size\":268435456,\"host_numa_node\":2}]},\"payload\":{\"kernel\":\"/k\"}}", -1) &&
	   vc.m.memory == 512 * SZ_1M && vc.m.node == 2, "two zones on one node add up");
	ok(!parse("{\"memory\":{\"zones\":[{\"size\":268435456}]},\"payload\":{\"kernel\":\"/k\"}}", 3) &&
	   vc.m.node == 3, "a zone without host_numa_node takes the default node");
	ok(!parse("{\"kernel\":{\"path\":\"/old\"},\"cmdline\":{\"args\":\"quiet\"},"
		  "\"initramfs\":{\"path\":\"/i\"}}", 1) &&
	   !strcmp(vc.m.kernel, "/old") && !strcmp(vc.m.cmdline, "quiet") && !strcmp(vc.m.initrd, "/i"),
	   "the pre-v28 kernel/cmdline/initramfs objects");
	ok(!parse("{\"payload\":{\"kernel\":\"/k\",\"initramfs\":null,\"cmdline\":null},\"cpus\":null}", 1) &&
	   !vc.m.initrd && vc.m.cpus == 1 && vc.m.memory == VMCONFIG_DEFAULT_MEMORY,
	   "null is absent; cloud-hypervisor's defaults: 1 vCPU, 512 MiB");
	ok(!parse(" {\"payload\":{\"kernel\":\"/k\"}}\r\n", 1), "whitespace around the object");
	ok(!parse("{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"Tty\"},\"console\":{}}", 1) &&
	   vc.m.ndevs == 1 && vc.m.devs[0].kind == DEV_CONSOLE, "serial Tty; console without mode is Tty");
}

static void test_refused(void)
{
	ok(parse("{\"payload\":{\"kernel\":\"/k\"}}", -1) == -EINVAL && strstr(err_msg(), "no private node") &&
	   strstr(err_msg(), "host_numa_node"), "no zones and no default node: refused, naming host_numa_node");
	refused("{\"memory\":{\"zones\":[{\"size\":268435456,\"host_numa_node\":1},"
		"{\"size\":268435456,\"host_numa_node\":2}]},\"payload\":{\"kernel\":\"/k\"}}",
		"one private node", "zones on two nodes");
	refused("{\"memory\":{\"size\":268435456,\"zones\":[{\"size\":268435456,\"host_numa_node\":1}]},"
		"\"payload\":{\"kernel\":\"/k\"}}", "must be 0", "memory.size with zones");
	refused("{\"memory\":{\"zones\":[{\"host_numa_node\":1}]},\"payload\":{\"kernel\":\"/k\"}}",
		"memory.zones[0].size: required", "a zone without size");
	refused("{\"memory\":{\"zones\":[{\"size\":9223372036854775807,\"host_numa_node\":1},"
		"{\"size\":9223372036854775807,\"host_numa_node\":1},{\"size\":9223372036854775807,"
		"\"host_numa_node\":1}]},\"payload\":{\"kernel\":\"/k\"}}", "overflows", "zone sizes overflow");
	refused("{\"memory\":{\"zones\":[1]},\"payload\":{\"kernel\":\"/k\"}}",
		"memory.zones[0]: expected an object", "a zone that is not an object");
	refused("{\"cpus\":{\"boot_vcpus\":\"2\"},\"payload\":{\"kernel\":\"/k\"}}",
		"cpus.boot_vcpus: expected an integer, not a string", "boot_vcpus as a string");
	refused("{\"cpus\":{\"boot_vcpus\":2,\"max_vcpus\":4},\"payload\":{\"kernel\":\"/k\"}}",
		"no CPU hotplug", "max_vcpus above boot_vcpus");
	refused("{\"cpus\":{\"boot_vcpus\":65},\"payload\":{\"kernel\":\"/k\"}}",
		"--cpus: 65 is more than 64", "65 vCPUs (the CLI's rule)");
	refused("{\"cpus\":{\"boot_vcpus\":0},\"payload\":{\"kernel\":\"/k\"}}",
		"at least one CPU", "0 vCPUs (the CLI's rule)");
	refused("{\"memory\":{\"size\":1048576},\"payload\":{\"kernel\":\"/k\"}}",
		"too small", "1 MiB of RAM (the CLI's rule)");
	refused("{\"memory\":{\"size\":33554433},\"payload\":{\"kernel\":\"/k\"}}",
		"multiple of 4K", "RAM not in pages (the CLI's rule)");
	refused("{\"memory\":{\"size\":-1},\"payload\":{\"kernel\":\"/k\"}}",
		"memory.size: must not be negative", "negative memory");
	refused("{\"memory\":[],\"payload\":{\"kernel\":\"/k\"}}",
		"memory: expected an object, not an array", "memory as an array");
	refused("{\"payload\":{}}", "payload.kernel: required", "no kernel");
	refused("{\"payload\":{\"kernel\":7}}", "payload.kernel: expected a string", "kernel as a number");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"kernel\":{\"path\":\"/k2\"}}", "give one",
		"payload.kernel and kernel.path");
	refused("{\"payload\":{\"firmware\":\"/fw\"}}", "firmware", "firmware boot");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":{}}", "disks: expected an array", "disks as an object");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":[\"/d\"]}", "disks[0]: expected an object",
		"a disk as a string");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"readonly\":true}]}", "disks[0].path: required",
		"a disk without path");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/d\",\"readonly\":\"yes\"}]}",
		"disks[0].readonly: expected a boolean", "readonly as a string");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/a,b\"}]}", "--disk /a,b",
		"a disk path with a comma (the CLI's rule)");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/1\"},{\"path\":\"/2\"},{\"path\":\"/3\"},"
		"{\"path\":\"/4\"},{\"path\":\"/5\"},{\"path\":\"/6\"},{\"path\":\"/7\"},{\"path\":\"/8\"},"
		"{\"path\":\"/9\"}]}", "more than 8", "nine disks");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"mac\":\"52:54:00:00:00:01\"}]}",
		"net[0].tap: required", "a net without tap");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"t0\",\"mac\":\"52:54:00:00:00\"}]}",
		"not a MAC address", "a short MAC");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"t0\",\"fds\":[3]}]}",
		"vm.create cannot carry tap fds", "tap fds in vm.create");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"t0\",\"mac\":\"ff:ff:ff:ff:ff:ff\"}]}",
		"multicast", "a broadcast MAC");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"a/b\"}]}", "not allowed",
		"a tap name with a slash (the CLI's rule)");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"rng\":{\"src\":\"/dev/hwrng\"}}", "getrandom", "rng from hwrng");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":\"Pty\"}}", "console.mode Pty",
		"console on a pty");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"Pty\"}}", "serial.mode Pty",
		"serial on a pty");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":1}}", "serial.mode: expected a string",
		"serial mode as a number");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"fs\":[{\"tag\":\"kata\",\"socket\":\"/s\"}]}",
		"fs: not supported", "virtio-fs");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"vsock\":{\"cid\":3,\"socket\":\"/v\"}}",
		"vsock: not supported", "vsock");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"devices\":[{\"path\":\"/sys/bus/pci/devices/0000:01:00.0/\"}]}",
		"devices: not supported", "VFIO devices");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"balloon\":{\"size\":0}}", "balloon: not supported",
		"a balloon");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"iommu\":true}", "iommu: not supported", "a vIOMMU");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":268435456,\"hugepages\":true}}",
		"memory.hugepages: not supported", "hugepages");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":268435456,\"hotplug_size\":1073741824}}",
		"no memory hotplug", "memory hotplug");
	refused("{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/d\"},{\"path\":\"/s\",\"vhost_user\":true}]}",
		"disks[1].vhost_user", "a vhost-user disk");
	ok(!parse("{\"payload\":{\"kernel\":\"/k\"},\"fs\":[],\"pmem\":null,\"iommu\":false,"
		  "\"watchdog\":false,\"memory\":{\"size\":268435456,\"hugepages\":false,\"hotplug_size\":0}}", 1),
	   "empty device lists and false flags are accepted (%s)", err_msg());
	refused("not json", "not JSON", "not JSON");
	refused("{\"payload\":{\"kernel\":\"/k\"}", "not JSON", "a truncated object");
	refused("{\"payload\":{\"kernel\":\"/k\"}} {}", "data after", "two objects");
	refused("[]", "VmConfig object", "an array");
	refused("", "not JSON", "an empty body");
}

/* vm.info's config, parsed again, is the same machine. */
static void test_round_trip(void)
{
	struct vmconfig back;
	json_object *j;
	const char *s;
	bool same;

	ok(!parse(kata_json, -1), "Kata's config again");
	j = vmconfig_to_json(&vc.m);
	s = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "";
	ok(j && strstr(s, "\"host_numa_node\":1") && strstr(s, "\"mac\":\"52:54:00:12:34:56\"") &&
	   strstr(s, "\"console\":{\"mode\":\"Off\"}"), "the config names the node and the MAC asked for");
	ok(!memcmp(vc.m.devs[0].mac, "\x52\x54\x00\x12\x34\x56", 6),
	   "net[].mac is the device's MAC (what its config space offers)");
	same = !vmconfig_parse(&back, s, strlen(s), -1) && back.m.cpus == vc.m.cpus &&
	       back.m.memory == vc.m.memory && back.m.node == vc.m.node &&
	       !strcmp(back.m.kernel, vc.m.kernel) && !strcmp(back.m.cmdline, vc.m.cmdline) &&
	       back.m.ndevs == vc.m.ndevs && back.m.devs[0].kind == DEV_NET &&
	       !strcmp(back.m.devs[0].tap, "tap0") && back.m.devs[1].kind == DEV_RNG;
	ok(same, "parsed back: the same machine (%s)", same ? "" : err_msg());
	vmconfig_free(&back);
	json_object_put(j);

	ok(!parse(libvirt_json, 1), "libvirt's config again");
	j = vmconfig_to_json(&vc.m);
	s = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "";
	same = !vmconfig_parse(&back, s, strlen(s), -1) && back.m.ndevs == 3 &&
	       back.m.devs[0].ro && !back.m.devs[1].ro && back.m.devs[2].kind == DEV_CONSOLE &&
	       !strcmp(back.m.initrd, "/var/lib/k/initrd");
	ok(same, "disks, readonly, console and initramfs survive the round trip");
	vmconfig_free(&back);
	json_object_put(j);
}

static int addn(const char *json, int fd)
{
	return vmconfig_add_net(&vc, json, strlen(json), fd);
}

/* vm.add-net: a NetConfig more, with a tap fd (a pipe stands in) or a name. */
static void add_net(void)
{
	static const char net[] = "{\"mac\":\"52:54:00:aa:bb:cc\",\"num_queues\":2,\"tap\":\"vnet0\"}";
	int p[2], ret;
	unsigned int nd;

	ok(!parse(libvirt_json, 1), "libvirt's config, before add-net");
	nd = vc.m.ndevs;
	if (pipe(p))
		return;
	ret = addn(net, p[0]);
	ok(!ret && vc.m.ndevs == nd + 1 && vc.m.devs[2].kind == DEV_NET && !vc.m.devs[2].tap &&
	   vc.m.devs[2].tap_fd == p[0] && !memcmp(vc.m.devs[2].mac, "\x52\x54\x00\xaa\xbb\xcc", 6),
	   "add-net with an fd: a net after the disks, on the fd, with its MAC (%s)", ret ? err_msg() : "");
	ok(vc.nfds == 1 && vc.fds[0] == p[0], "the config owns the fd");
	ret = addn("{\"mac\":\"01:00:00:00:00:01\"}", p[1]);
	ok(ret == -EINVAL && strstr(err_msg(), "multicast") && vc.m.ndevs == nd + 1 && vc.nfds == 1,
	   "a bad MAC: refused, the config as it was (%s)", err_msg());
	ret = addn("{\"num_queues\":4}", p[1]);
	ok(ret == -EINVAL && strstr(err_msg(), "one queue pair"), "num_queues 4: refused (%s)", err_msg());
	ret = addn("{\"vhost_user\":true}", p[1]);
	ok(ret == -EINVAL && strstr(err_msg(), "vhost_user"), "vhost_user: refused");
	ret = addn("{\"mac\":\"52:54:00:00:00:09\"}", -1);
	ok(ret == -EINVAL && strstr(err_msg(), "tap: required"), "no fd and no tap: refused");
	ret = addn("[1]", p[1]);
	ok(ret == -EINVAL && strstr(err_msg(), "NetConfig"), "not an object: refused");
	ok(!addn("{\"tap\":\"t1\"}", -1) && vc.m.ndevs == nd + 2 &&
	   !strcmp(vc.m.devs[3].tap, "t1") && !memcmp(vc.m.devs[3].mac, "\x02pnvm\x01", 6),
	   "add-net by tap name, pnvm's MAC for net1");
	vmconfig_free(&vc);
	ok(fcntl(p[0], F_GETFD) < 0 && fcntl(p[1], F_GETFD) == 0,
	   "vmconfig_free closes the fds it took, no other");
	close(p[1]);
}

int main(void)
{
	test_accepted();
	test_refused();
	test_round_trip();
	add_net();
	vmconfig_free(&vc);
	return tap_done();
}
