// SPDX-License-Identifier: GPL-2.0
/* /dev/kvm: version, capabilities, the VM, irqchip and PIT, memslots. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "lib/memmap.h"
#include "vmm/guest.h"
#include "vmm/kvm.h"

const struct kvm_need kvm_needs[] = {
	{ KVM_CAP_IRQCHIP,	"KVM_CAP_IRQCHIP",	"in-kernel interrupt controller", 1 },
	{ KVM_CAP_PIT2,		"KVM_CAP_PIT2",		"in-kernel PIT", 1 },
	{ KVM_CAP_USER_MEMORY2,	"KVM_CAP_USER_MEMORY2",	"guest_memfd memslots", 1 },
	{ KVM_CAP_GUEST_MEMFD,	"KVM_CAP_GUEST_MEMFD",	"guest RAM from guest_memfd", 1 },
	{ KVM_CAP_EXT_CPUID,	"KVM_CAP_EXT_CPUID",	"KVM_GET_SUPPORTED_CPUID", 1 },
	{ KVM_CAP_SET_TSS_ADDR,	"KVM_CAP_SET_TSS_ADDR",	"x86 TSS placement", 1 },
	{ KVM_CAP_IRQFD,	"KVM_CAP_IRQFD",	"virtio interrupts from the I/O thread", 1 },
	{ KVM_CAP_IOEVENTFD,	"KVM_CAP_IOEVENTFD",	"virtio notifications without an exit", 1 },
	/* One slot per region of the memory map, at most. */
	{ KVM_CAP_NR_MEMSLOTS,	"KVM_CAP_NR_MEMSLOTS",	"memslots for RAM and the window",
	  MEMMAP_MAX_REGIONS },
};
const unsigned int kvm_nr_needs = ARRAY_SIZE(kvm_needs);

int kvm_gmem_flags_check(int flags)
{
	bool map = flags & GUEST_MEMFD_FLAG_MMAP, shared = flags & GUEST_MEMFD_FLAG_INIT_SHARED;

	if (map && shared)
		return 0;
	return errf(-ENOTSUP,
		    "KVM_CAP_GUEST_MEMFD_FLAGS lacks %s%s%s (has 0x%x; pnvm maps guest_memfd, Linux 6.18 or later)",
		    map ? "" : "GUEST_MEMFD_FLAG_MMAP", !map && !shared ? " and " : "",
		    shared ? "" : "GUEST_MEMFD_FLAG_INIT_SHARED", flags);
}

int kvm_open(struct kvm *kvm)
{
	int ret;

	kvm->vm_fd = -1;
	kvm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm->sys_fd < 0)
		return errf(-errno, "/dev/kvm: %s", strerror(errno));
	ret = ioctl(kvm->sys_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		return errf(-ENOTSUP, "KVM API version %d, need %d", ret, KVM_API_VERSION);
	for (unsigned int i = 0; i < kvm_nr_needs; i++) {
		const struct kvm_need *n = &kvm_needs[i];

		ret = ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, n->cap);
		if (ret < n->min)
			return errf(-ENOTSUP, "KVM lacks %s (%s; has %d, needs %d)", n->name, n->why,
				    MAX(ret, 0), n->min);
	}

	kvm->run_size = ioctl(kvm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->run_size <= 0)
		return errf(-errno, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	kvm->vm_fd = ioctl(kvm->sys_fd, KVM_CREATE_VM, 0);
	if (kvm->vm_fd < 0)
		return errf(-errno, "KVM_CREATE_VM: %s", strerror(errno));

	/* guest_memfd flags depend on the VM type: ask the VM. */
	ret = ioctl(kvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	ret = kvm_gmem_flags_check(MAX(ret, 0));
	if (ret)
		return ret;
	kvm->max_vcpus = ioctl(kvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (kvm->max_vcpus <= 0)
		kvm->max_vcpus = ioctl(kvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (kvm->max_vcpus <= 0)
		kvm->max_vcpus = 4;
	return 0;
}

int kvm_setup_irqchip(struct kvm *kvm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	u64 idmap = GUEST_IDMAP;

	/* VMX needs these pages for real mode; they sit in the 32-bit hole. */
	if (ioctl(kvm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)GUEST_TSS))
		return errf(-errno, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(kvm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap))
		return errf(-errno, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (ioctl(kvm->vm_fd, KVM_CREATE_IRQCHIP, 0))
		return errf(-errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (ioctl(kvm->vm_fd, KVM_CREATE_PIT2, &pit))
		return errf(-errno, "KVM_CREATE_PIT2: %s", strerror(errno));
	return 0;
}

int kvm_set_region(struct kvm *kvm, const struct region *r)
{
	struct kvm_userspace_memory_region2 m = {
		.slot = r->slot,
		.guest_phys_addr = r->gpa,
		.memory_size = r->size,
		.userspace_addr = (unsigned long)r->hva,
	};

	if (r->type == REGION_RAM) {
		/* Private RAM: KVM maps it from the guest_memfd itself. */
		m.flags = KVM_MEM_GUEST_MEMFD;
		m.guest_memfd = r->fd;
		m.guest_memfd_offset = r->fd_offset;
	}
	if (ioctl(kvm->vm_fd, KVM_SET_USER_MEMORY_REGION2, &m))
		return errf(-errno, "KVM_SET_USER_MEMORY_REGION2 slot %u (gpa 0x%llx): %s",
			    r->slot, (unsigned long long)r->gpa, strerror(errno));
	return 0;
}

int kvm_irq_line(struct kvm *kvm, u32 irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	return ioctl(kvm->vm_fd, KVM_IRQ_LINE, &l) ? -errno : 0;
}

int kvm_irqfd(struct kvm *kvm, u32 gsi, int fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };

	if (ioctl(kvm->vm_fd, KVM_IRQFD, &irqfd))
		return errf(-errno, "KVM_IRQFD gsi %u: %s", gsi, strerror(errno));
	return 0;
}

int kvm_ioeventfd(struct kvm *kvm, u64 addr, u32 len, u64 val, int fd)
{
	struct kvm_ioeventfd io = {
		.datamatch = val,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	if (ioctl(kvm->vm_fd, KVM_IOEVENTFD, &io))
		return errf(-errno, "KVM_IOEVENTFD 0x%llx=%llu: %s", (unsigned long long)addr,
			    (unsigned long long)val, strerror(errno));
	return 0;
}

void kvm_close(struct kvm *kvm)
{
	if (kvm->vm_fd >= 0)
		close(kvm->vm_fd);
	if (kvm->sys_fd >= 0)
		close(kvm->sys_fd);
	kvm->vm_fd = kvm->sys_fd = -1;
}
