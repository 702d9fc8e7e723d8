/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_VM_H
#define PNVM_VM_H

#include <pthread.h>
#include "virtio/ioloop.h"
#include "virtio/window.h"
#include "vmm/cli.h"
#include "vmm/cpu.h"
#include "vmm/guest.h"
#include "vmm/kvm.h"
#include "vmm/serial.h"

struct virtio_dev;

struct vm {
	const struct pnvm_opts *opts;
	struct kvm kvm;
	struct memmap mem;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;
	struct serial serial;
	u8 cmos_index;

	/* virtio: devices confined to the window, served by one I/O thread. */
	struct window win;
	struct ioloop io;
	bool io_ready;
	struct virtio_dev *vdevs[PNVM_MAX_VIRTIO];	/* slot i at GUEST_VIRTIO_BASE + i pages */
	unsigned int nr_vdevs;

	/* Lifecycle: the first vm_stop() decides the exit status. */
	pthread_mutex_t lock;
	pthread_t main_thread;
	int stopping;
	int exit_status;
	char stop_reason[256];
};

/*
 * Everything after the command line: checks, KVM, guest RAM, boot, run.
 * Returns pnvm's exit status (0, 1, EXIT_BAD_INPUT or 128 + signal).
 */
int vm_run(const struct pnvm_opts *opts);

/* Ask the VM to stop with status; callable from any thread, first wins. */
void vm_stop(struct vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A vCPU's MMIO exit: the virtio-mmio transports, else nothing (reads 0xff). */
void vm_mmio(struct vm *vm, u64 addr, u8 *data, u32 len, bool write);

static inline bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
}

#endif
