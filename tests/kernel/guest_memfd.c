// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in through guest_memfd's shared policy: KVM_CREATE_GUEST_MEMFD with
 * GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, mmap, mbind
 * MPOL_BIND to the private node, touch: every folio is on the node. A
 * second guest_memfd without a policy must get none of it. This works on
 * stock as well, where node 1 is not private: n/a there (no regression
 * row); the patched kernel must keep it working.
 */
#include "pnode.h"
#include <sys/ioctl.h>
#include <linux/kvm.h>

#define LEN (64UL << 20)

static char *gmem_map(int vm, unsigned long len)
{
	struct kvm_create_guest_memfd g = {
		.size = len,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g);
	char *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

int main(void)
{
	int target = pn_target_node(), kvm, vm;
	unsigned long cnt[PN_MAXNODE], n = LEN / PAGE, bound, plain;
	char *p, *q;

	if (target < 0)
		NA("no memory-only node to test");
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		NA("no /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		NA("KVM_CREATE_VM: %s", strerror(errno));
	p = gmem_map(vm, LEN);
	q = gmem_map(vm, LEN);
	if (!p || !q)
		NA("guest_memfd with MMAP|INIT_SHARED: %s", strerror(errno));
	if (pn_mbind(p, LEN, MPOL_BIND, 1UL << target, 0))
		SETUP_FAIL("mbind guest_memfd");
	pn_touch(p, LEN);
	pn_count_nodes(0, p, n, cnt, PN_MAXNODE);
	bound = cnt[target];
	printf("guest_memfd, mbind BIND node %d: %lu/%lu pages there, %lu on node 0\n",
	       target, bound, n, cnt[0]);
	pn_touch(q, LEN);
	pn_count_nodes(0, q, n, cnt, PN_MAXNODE);
	plain = cnt[target];
	printf("guest_memfd, no policy: %lu/%lu pages on node %d, %lu on node 0\n",
	       plain, n, target, cnt[0]);
	if (bound != n)
		LEAK();
	if (!pn_is_private(target))
		NA("node %d is not private on this kernel (placement works)",
		   target);
	if (plain)
		LEAK();
	HELD();
}
