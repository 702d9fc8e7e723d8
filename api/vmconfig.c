// SPDX-License-Identifier: GPL-2.0
/* cloud-hypervisor VmConfig JSON <-> struct machine, through the CLI's rules. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/vmconfig.h"

static int add_arg(struct vmconfig *vc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_arg(struct vmconfig *vc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (vc->argc >= VMCONFIG_MAX_ARGS)
		return errf(-EINVAL, "too many devices (at most %d)", PNVM_MAX_VIRTIO);
	va_start(ap, fmt);
	n = vasprintf(&vc->argv[vc->argc], fmt, ap);
	va_end(ap);
	if (n < 0) {
		vc->argv[vc->argc] = NULL;
		return errf(-ENOMEM, "out of memory");
	}
	vc->argc++;
	return 0;
}

static const char *const type_names[] = {
	[json_type_null] = "null", [json_type_boolean] = "a boolean",
	[json_type_double] = "a number", [json_type_int] = "an integer",
	[json_type_object] = "an object", [json_type_array] = "an array",
	[json_type_string] = "a string",
};

/*
 * @key of @parent (@where names it in messages) if present and not null:
 * 1 and *out; 0 when absent; -EINVAL when it is not of @type.
 */
static int get(json_object *parent, const char *where, const char *key,
	       json_type type, json_object **out)
{
	json_object *v;

	if (!parent || !json_object_object_get_ex(parent, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, type))
		return errf(-EINVAL, "%s%s: expected %s, not %s", where, key, type_names[type],
			    type_names[json_object_get_type(v)]);
	*out = v;
	return 1;
}

static int get_u64(json_object *parent, const char *where, const char *key, u64 *out)
{
	json_object *v = NULL;
	int ret = get(parent, where, key, json_type_int, &v);

	if (ret <= 0)
		return ret;
	if (json_object_get_int64(v) < 0)
		return errf(-EINVAL, "%s%s: must not be negative", where, key);
	*out = json_object_get_uint64(v);
	return 1;
}

static int get_str(json_object *parent, const char *where, const char *key, const char **out)
{
	json_object *v = NULL;
	int ret = get(parent, where, key, json_type_string, &v);

	if (ret > 0)
		*out = json_object_get_string(v);
	return ret;
}

static int get_bool(json_object *parent, const char *where, const char *key, bool *out)
{
	json_object *v = NULL;
	int ret = get(parent, where, key, json_type_boolean, &v);

	if (ret > 0)
		*out = json_object_get_boolean(v);
	return ret;
}

static int cpus(struct vmconfig *vc, json_object *root)
{
	json_object *c = NULL;
	u64 boot = 1, max = 0;
	int ret, have_max;

	ret = get(root, "", "cpus", json_type_object, &c);
	if (ret <= 0)
		return ret;
	ret = get_u64(c, "cpus.", "boot_vcpus", &boot);
	if (ret < 0)
		return ret;
	have_max = get_u64(c, "cpus.", "max_vcpus", &max);
	if (have_max < 0)
		return have_max;
	/* pnvm has no CPU hotplug: more CPUs later would be a promise we break. */
	if (have_max && max != boot)
		return errf(-EINVAL, "cpus.max_vcpus %llu: must equal boot_vcpus %llu (no CPU hotplug)",
			    (unsigned long long)max, (unsigned long long)boot);
	if (boot > UINT32_MAX)
		return errf(-EINVAL, "cpus.boot_vcpus: %llu is too many", (unsigned long long)boot);
	return add_arg(vc, "--cpus") ?: add_arg(vc, "%llu", (unsigned long long)boot);
}

/*
 * memory.size, or memory.zones[] whose sizes add up (cloud-hypervisor's
 * rule: size 0 then). Every zone must be on the one private node.
 */
static int memory(struct vmconfig *vc, json_object *root, int default_node)
{
	json_object *mem = NULL, *zones = NULL;
	u64 size = VMCONFIG_DEFAULT_MEMORY, total = 0, node = ~0ULL;
	char where[48];
	int ret, have_size;

	ret = get(root, "", "memory", json_type_object, &mem);
	if (ret < 0)
		return ret;
	have_size = ret = get_u64(mem, "memory.", "size", &size);
	if (ret < 0)
		return ret;
	ret = get(mem, "memory.", "zones", json_type_array, &zones);
	if (ret < 0)
		return ret;
	for (size_t i = 0; zones && i < json_object_array_length(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		u64 zsize = 0, znode;

		snprintf(where, sizeof(where), "memory.zones[%zu]", i);
		if (!json_object_is_type(z, json_type_object))
			return errf(-EINVAL, "%s: expected an object", where);
		strcat(where, ".");
		ret = get_u64(z, where, "size", &zsize);
		if (ret <= 0)
			return ret ?: errf(-EINVAL, "%ssize: required", where);
		ret = get_u64(z, where, "host_numa_node", &znode);
		if (ret < 0)
			return ret;
		if (!ret && default_node < 0)
			return errf(-EINVAL, "%shost_numa_node: required (the private node)", where);
		if (!ret)
			znode = default_node;
		if (node != ~0ULL && znode != node)
			return errf(-EINVAL, "%shost_numa_node %llu: all guest RAM is on one private node (%llu)",
				    where, (unsigned long long)znode, (unsigned long long)node);
		node = znode;
		if (total + zsize < total)
			return errf(-EINVAL, "%ssize: total overflows", where);
		total += zsize;
	}
	if (node != ~0ULL) {
		if (have_size && size)
			return errf(-EINVAL, "memory.size must be 0 when memory.zones are given");
		size = total;
	} else if (default_node >= 0) {
		node = default_node;
	} else {
		return errf(-EINVAL, "no private node: give memory.zones[].host_numa_node");
	}
	if (node > INT32_MAX)
		return errf(-EINVAL, "host_numa_node %llu: not a node number", (unsigned long long)node);
	return add_arg(vc, "--memory") ?: add_arg(vc, "%llu", (unsigned long long)size) ?:
	       add_arg(vc, "--private-node") ?: add_arg(vc, "%llu", (unsigned long long)node);
}

/* Before cloud-hypervisor v28: {"kernel":{"path"}}, {"cmdline":{"args"}}, ... */
static int legacy(json_object *root, const char *obj, const char *key, const char *name,
		  const char **val)
{
	json_object *o = NULL;
	const char *s = NULL;
	char where[24];
	int ret = get(root, "", obj, json_type_object, &o);

	if (ret <= 0)
		return ret;
	snprintf(where, sizeof(where), "%s.", obj);
	ret = get_str(o, where, key, &s);
	if (ret <= 0)
		return ret;
	if (*val)
		return errf(-EINVAL, "%s.%s and payload.%s: give one", obj, key, name);
	*val = s;
	return 0;
}

/* payload{kernel,cmdline,initramfs}, or the older kernel/cmdline/initramfs objects. */
static int payload(struct vmconfig *vc, json_object *root)
{
	json_object *p = NULL;
	const char *kernel = NULL, *cmdline = NULL, *initrd = NULL, *s;
	int ret;

	ret = get(root, "", "payload", json_type_object, &p);
	if (ret < 0)
		return ret;
	if ((ret = get_str(p, "payload.", "kernel", &kernel)) < 0 ||
	    (ret = get_str(p, "payload.", "cmdline", &cmdline)) < 0 ||
	    (ret = get_str(p, "payload.", "initramfs", &initrd)) < 0)
		return ret;
	if (get_str(p, "payload.", "firmware", &s) || get_str(p, "payload.", "igvm", &s))
		return errf(-EINVAL, "payload: firmware and igvm are not supported (pnvm boots a bzImage)");
	ret = legacy(root, "kernel", "path", "kernel", &kernel) ?:
	      legacy(root, "cmdline", "args", "cmdline", &cmdline) ?:
	      legacy(root, "initramfs", "path", "initramfs", &initrd);
	if (ret)
		return ret;

	if (!kernel)
		return errf(-EINVAL, "payload.kernel: required");
	ret = add_arg(vc, "--kernel") ?: add_arg(vc, "%s", kernel);
	if (!ret && initrd)
		ret = add_arg(vc, "--initrd") ?: add_arg(vc, "%s", initrd);
	if (!ret && cmdline && *cmdline)
		ret = add_arg(vc, "--cmdline") ?: add_arg(vc, "%s", cmdline);
	return ret;
}

static int array_of_objects(json_object *root, const char *key, json_object **arr)
{
	int ret = get(root, "", key, json_type_array, arr);

	for (size_t i = 0; ret > 0 && i < json_object_array_length(*arr); i++)
		if (!json_object_is_type(json_object_array_get_idx(*arr, i), json_type_object))
			return errf(-EINVAL, "%s[%zu]: expected an object", key, i);
	return ret;
}

static int disks(struct vmconfig *vc, json_object *root)
{
	json_object *arr;
	char where[32];
	int ret = array_of_objects(root, "disks", &arr);

	for (size_t i = 0; ret > 0 && i < json_object_array_length(arr); i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		const char *path = NULL;
		bool ro = false;

		snprintf(where, sizeof(where), "disks[%zu].", i);
		ret = get_str(d, where, "path", &path);
		if (!ret)
			return errf(-EINVAL, "%spath: required (pnvm has no vhost-user disks)", where);
		if (ret > 0)
			ret = get_bool(d, where, "readonly", &ro);
		if (ret >= 0)
			ret = add_arg(vc, "--disk") ?: add_arg(vc, "%s%s", path, ro ? ",ro" : "") ?: 1;
	}
	return ret < 0 ? ret : 0;
}

/*
 * One NetConfig: "--net tap=NAME[,mac=MAC]", or with @fd (>= 0, from
 * vm.add-net's SCM_RIGHTS) "--net fd=N[,mac=MAC]". The MAC is the
 * guest's; cli_parse_mac() is the one that judges it.
 */
static int net_args(struct vmconfig *vc, json_object *n, const char *where, int fd)
{
	const char *tap = NULL, *mac = NULL;
	char macarg[24] = "";
	u64 queues = 2;
	u8 bin[6];
	int ret;

	ret = get_str(n, where, "mac", &mac);
	if (ret > 0 && cli_parse_mac(mac, bin))
		return errf(-EINVAL, "%smac: %s", where, err_msg());
	if (ret > 0)
		snprintf(macarg, sizeof(macarg), ",mac=%s", mac);
	if (ret >= 0)
		ret = get_u64(n, where, "num_queues", &queues);
	if (ret >= 0 && queues > 2)
		return errf(-EINVAL, "%snum_queues %llu: pnvm's virtio-net has one queue pair", where,
			    (unsigned long long)queues);
	if (ret >= 0)
		ret = get_str(n, where, "tap", &tap);
	if (ret < 0)
		return ret;
	/* With fds, "tap" names the device the fds are of: the fds win. */
	if (fd >= 0)
		return add_arg(vc, "--net") ?: add_arg(vc, "fd=%d%s", fd, macarg);
	if (!tap)
		return errf(-EINVAL, "%stap: required (pnvm attaches to a tap by name)", where);
	return add_arg(vc, "--net") ?: add_arg(vc, "tap=%s%s", tap, macarg);
}

/*
 * vm.create's nets are taps by name: fds only come with vm.add-net,
 * whose request carries them (SCM_RIGHTS).
 */
static int nets(struct vmconfig *vc, json_object *root)
{
	json_object *arr, *fds;
	char where[32];
	int ret = array_of_objects(root, "net", &arr);

	for (size_t i = 0; ret > 0 && i < json_object_array_length(arr); i++) {
		json_object *n = json_object_array_get_idx(arr, i);

		snprintf(where, sizeof(where), "net[%zu].", i);
		if (json_object_object_get_ex(n, "fds", &fds) && fds)
			return errf(-EINVAL, "%sfds: vm.create cannot carry tap fds; give net[].tap, "
				    "or send the fds with vm.add-net", where);
		ret = net_args(vc, n, where, -1) ?: 1;
	}
	return ret < 0 ? ret : 0;
}

/* rng, console and serial: what pnvm's devices can be. */
static int misc(struct vmconfig *vc, json_object *root)
{
	json_object *o;
	const char *s;
	int ret;

	ret = get(root, "", "rng", json_type_object, &o);
	if (ret > 0) {
		s = "/dev/urandom";
		ret = get_str(o, "rng.", "src", &s);
		if (ret >= 0 && strcmp(s, "/dev/urandom") && strcmp(s, "/dev/random"))
			return errf(-EINVAL, "rng.src %s: pnvm's rng reads getrandom(2) (/dev/urandom)", s);
		if (ret >= 0)
			ret = add_arg(vc, "--rng");
	}
	if (ret < 0)
		return ret;
	ret = get(root, "", "console", json_type_object, &o);
	if (ret > 0) {
		s = "Tty";
		ret = get_str(o, "console.", "mode", &s);
		if (ret >= 0 && !strcmp(s, "Tty"))
			ret = add_arg(vc, "--console");
		else if (ret >= 0 && strcmp(s, "Off") && strcmp(s, "Null"))
			return errf(-EINVAL, "console.mode %s: pnvm's console is Tty (the VMM's stdout) or Off", s);
	}
	if (ret < 0)
		return ret;
	ret = get(root, "", "serial", json_type_object, &o);
	if (ret > 0) {
		s = "Tty";
		ret = get_str(o, "serial.", "mode", &s);
		if (ret >= 0 && strcmp(s, "Tty"))
			return errf(-EINVAL, "serial.mode %s: pnvm's serial port is always the VMM's stdin/stdout (Tty)", s);
	}
	return ret < 0 ? ret : 0;
}

/*
 * Devices and features pnvm does not have. Ignoring them would leave a
 * manager believing the guest has a virtio-fs, a vsock or a passed-through
 * device: refuse, naming the field.
 */
static int unsupported(json_object *root)
{
	static const char *const devices[] = {
		"fs", "pmem", "devices", "user_devices", "vdpa", "vsock", "balloon", "numa",
		"sgx_epc", "tpm",
	};
	static const char *const flags[] = { "iommu", "watchdog", "pvpanic" };
	static const char *const nested[][2] = {
		{ "memory", "hugepages" }, { "disks", "vhost_user" }, { "net", "vhost_user" },
	};
	json_object *v, *o;
	u64 hotplug = 0;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(devices); i++)
		if (json_object_object_get_ex(root, devices[i], &v) && v &&
		    !(json_object_is_type(v, json_type_array) && !json_object_array_length(v)))
			return errf(-EINVAL, "%s: not supported by pnvm", devices[i]);
	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (json_object_object_get_ex(root, flags[i], &v) && json_object_get_boolean(v))
			return errf(-EINVAL, "%s: not supported by pnvm", flags[i]);
	for (i = 0; i < ARRAY_SIZE(nested); i++) {
		if (!json_object_object_get_ex(root, nested[i][0], &o) || !o)
			continue;
		if (!json_object_is_type(o, json_type_array)) {
			if (json_object_object_get_ex(o, nested[i][1], &v) && json_object_get_boolean(v))
				return errf(-EINVAL, "%s.%s: not supported by pnvm", nested[i][0], nested[i][1]);
			continue;
		}
		for (k = 0; k < json_object_array_length(o); k++)
			if (json_object_object_get_ex(json_object_array_get_idx(o, k), nested[i][1], &v) &&
			    json_object_get_boolean(v))
				return errf(-EINVAL, "%s[%zu].%s: not supported by pnvm", nested[i][0], k,
					    nested[i][1]);
	}
	if (json_object_object_get_ex(root, "memory", &o) &&
	    get_u64(o, "memory.", "hotplug_size", &hotplug) > 0 && hotplug)
		return errf(-EINVAL, "memory.hotplug_size: pnvm has no memory hotplug");
	return 0;
}

/* @len bytes that must be one JSON object: 0 and *out, or -EINVAL. */
static int parse_object(const char *json, size_t len, const char *what, json_object **out)
{
	json_tokener *tok = json_tokener_new();
	json_object *root;
	size_t end;
	int ret = 0;

	if (!tok)
		return errf(-ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, json, len);
	end = json_tokener_get_parse_end(tok);
	while (root && end < len && strchr(" \t\r\n", json[end]) && json[end])
		end++;
	if (!root)
		ret = errf(-EINVAL, "not JSON: %s",
			   json_tokener_error_desc(json_tokener_get_error(tok) == json_tokener_continue ?
						   json_tokener_error_parse_eof :
						   json_tokener_get_error(tok)));
	else if (end != len)
		ret = errf(-EINVAL, "not JSON: data after the object");
	else if (!json_object_is_type(root, json_type_object))
		ret = errf(-EINVAL, "expected a %s object", what);
	json_tokener_free(tok);
	if (ret)
		json_object_put(root);
	else
		*out = root;
	return ret;
}

/* The CLI's rules, once: the same messages as `pnvm run` gives. */
static int from_argv(struct vmconfig *vc)
{
	int ret = cli_parse(&vc->opts, vc->argc, vc->argv);

	if (ret != CLI_RUN)
		return ret < 0 ? ret : errf(-EINVAL, "not a VM configuration");
	return machine_from_opts(&vc->m, &vc->opts);
}

int vmconfig_parse(struct vmconfig *vc, const char *json, size_t len, int default_node)
{
	json_object *root = NULL;
	int ret;

	memset(vc, 0, sizeof(*vc));
	ret = parse_object(json, len, "VmConfig", &root);
	if (!ret)
		ret = unsupported(root) ?: add_arg(vc, "pnvm") ?: add_arg(vc, "run") ?: cpus(vc, root) ?:
		      memory(vc, root, default_node) ?: payload(vc, root) ?: disks(vc, root) ?:
		      nets(vc, root) ?: misc(vc, root);
	json_object_put(root);
	return ret ?: from_argv(vc);
}

int vmconfig_add_net(struct vmconfig *vc, const char *json, size_t len, int fd)
{
	json_object *root = NULL, *v;
	int argc = vc->argc, ret;

	if (vc->nfds == PNVM_MAX_VIRTIO)
		return errf(-EINVAL, "too many devices (at most %d)", PNVM_MAX_VIRTIO);
	ret = parse_object(json, len, "NetConfig", &root);
	if (!ret && json_object_object_get_ex(root, "vhost_user", &v) && json_object_get_boolean(v))
		ret = errf(-EINVAL, "vhost_user: not supported by pnvm");
	if (!ret)
		ret = net_args(vc, root, "", fd) ?: from_argv(vc);
	json_object_put(root);
	if (ret) {
		/* Back to the config as it was; it parsed before. */
		while (vc->argc > argc)
			free(vc->argv[--vc->argc]);
		vc->argv[vc->argc] = NULL;
		from_argv(vc);
		return ret;
	}
	if (fd >= 0)
		vc->fds[vc->nfds++] = fd;
	return 0;
}

void vmconfig_free(struct vmconfig *vc)
{
	for (int i = 0; i < vc->argc; i++)
		free(vc->argv[i]);
	vc->argc = 0;
	for (unsigned int i = 0; i < vc->nfds; i++)
		close(vc->fds[i]);
	vc->nfds = 0;
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *jobj(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
	return o;
}

json_object *vmconfig_to_json(const struct machine *m)
{
	json_object *root = json_object_new_object(), *o, *zone, *arr, *disks, *nets;
	bool console = false;
	char name[24], mac[18];

	if (!root)
		return NULL;
	o = json_object_new_object();
	jobj(o, "boot_vcpus", json_object_new_int64(m->cpus));
	jobj(root, "cpus", jobj(o, "max_vcpus", json_object_new_int64(m->cpus)));

	/* All of it one zone, so the private node is in the config. */
	zone = json_object_new_object();
	jobj(zone, "id", jstr("private"));
	jobj(zone, "size", json_object_new_int64(m->memory));
	jobj(zone, "host_numa_node", json_object_new_int64(m->node));
	arr = json_object_new_array();
	json_object_array_add(arr, zone);
	o = json_object_new_object();
	jobj(o, "size", json_object_new_int64(0));
	jobj(o, "prefault", json_object_new_boolean(m->prealloc));
	jobj(root, "memory", jobj(o, "zones", arr));

	o = json_object_new_object();
	jobj(o, "kernel", jstr(m->kernel));
	if (m->initrd)
		jobj(o, "initramfs", jstr(m->initrd));
	jobj(root, "payload", jobj(o, "cmdline", jstr(m->cmdline)));

	disks = json_object_new_array();
	nets = json_object_new_array();
	for (unsigned int i = 0; i < m->ndevs; i++) {
		const struct machine_dev *d = &m->devs[i];

		snprintf(name, sizeof(name), "%s%u", machine_dev_kind(d->kind), d->index);
		o = json_object_new_object();
		jobj(o, "id", jstr(name));
		if (d->kind == DEV_BLK) {
			jobj(o, "path", jstr(d->path));
			json_object_array_add(disks, jobj(o, "readonly", json_object_new_boolean(d->ro)));
		} else if (d->kind == DEV_NET) {
			cli_format_mac(d->mac, mac);
			if (d->tap)
				jobj(o, "tap", jstr(d->tap));
			json_object_array_add(nets, jobj(o, "mac", jstr(mac)));
		} else if (d->kind == DEV_RNG) {
			jobj(root, "rng", jobj(o, "src", jstr("/dev/urandom")));
		} else {
			console = true;
			json_object_put(o);
		}
	}
	jobj(root, "disks", disks);
	jobj(root, "net", nets);
	jobj(root, "console", jobj(json_object_new_object(), "mode", jstr(console ? "Tty" : "Off")));
	jobj(root, "serial", jobj(json_object_new_object(), "mode", jstr("Tty")));
	return root;
}
