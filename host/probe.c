// SPDX-License-Identifier: GPL-2.0
/* /dev/kvm, /dev/net/tun and a guest_memfd placement probe, as pnvm uses them. */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/kvm.h>

#include "host/probe.h"
#include "lib/memmap.h"
#include "vmm/gmem.h"
#include "vmm/kvm.h"

void host_kvm_probe(const char *dev, struct host_kvm *k)
{
	int fd, vm;

	memset(k, 0, sizeof(*k));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		k->open_err = errno;
		return;
	}
	k->api = ioctl(fd, KVM_GET_API_VERSION, 0);
	for (unsigned int i = 0; i < kvm_nr_needs && i < HOST_MAX_CAPS; i++)
		k->caps[i] = MAX(ioctl(fd, KVM_CHECK_EXTENSION, kvm_needs[i].cap), 0);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		k->vm_err = errno;
	} else {
		k->gmem_flags = MAX(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS), 0);
		close(vm);
	}
	close(fd);
}

void host_tap_probe(const char *dev, struct host_tap *t)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	t->tun_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	/* TUNSETIFF creates a tap only with CAP_NET_ADMIN. */
	capng_get_caps_process();
	t->net_admin = capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN);
}

int host_gmem_probe(int node, char *detail, size_t len)
{
	struct memmap g = { .nr = 0 };
	struct gmem_placement p;
	struct kvm kvm;
	struct region *r;
	int ret;

	ret = kvm_open(&kvm);
	r = ret ? NULL : memmap_add(&g, REGION_RAM, 0, HOST_PROBE_SIZE);
	if (!ret && !r)
		ret = -EINVAL;
	if (!ret) {
		r->fd = -1;
		ret = gmem_create(&kvm, r, node);
	}
	if (!ret)
		ret = gmem_prefault(&g, node, false);
	if (!ret)
		ret = gmem_placement(&g, &p);
	if (ret) {
		snprintf(detail, len, "%s", err_msg());
	} else {
		snprintf(detail, len, "%llu of %llu pages of a %llu MiB guest_memfd on node %d",
			 (unsigned long long)(node < GMEM_MAX_NODES ? p.pages[node] : 0),
			 (unsigned long long)p.total, (unsigned long long)(HOST_PROBE_SIZE >> 20), node);
		if (node >= GMEM_MAX_NODES || p.pages[node] != p.total)
			ret = -EFAULT;
	}
	if (r)
		gmem_destroy(r);
	kvm_close(&kvm);
	return ret;
}
