/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_VM_H
#define PNVM_VM_H

#include <pthread.h>
#include "virtio/ioloop.h"
#include "virtio/window.h"
#include "vmm/bus.h"
#include "vmm/cpu.h"
#include "vmm/guest.h"
#include "vmm/kvm.h"
#include "vmm/legacy.h"
#include "vmm/machine.h"
#include "vmm/serial.h"
#include "vmm/stop.h"

struct virtio_dev;

struct vm {
	const struct machine *m;	/* all the VM reads of its inputs */
	struct kvm kvm;
	struct memmap mem;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;
	struct bus mmio, pio;		/* vCPU exits go where these say */
	struct serial serial;
	struct i8042 i8042;
	struct cmos cmos;

	/* virtio: devices confined to the window, served by one I/O thread. */
	struct window win;
	struct ioloop io;
	bool io_ready;
	struct virtio_dev *vdevs[PNVM_MAX_VIRTIO];	/* slot i at GUEST_VIRTIO_BASE + i pages */
	unsigned int nr_vdevs;

	/* The first stop request decides the exit status. */
	struct stop stop;
	/* vm.pause: where vCPU threads park (the I/O thread runs on). */
	struct hold hold;
};

/*
 * Everything after validation: devices, KVM, guest RAM, boot, run, from
 * the description and the payload machine_validate() loaded. Returns
 * pnvm's exit status (0, 1, EXIT_BAD_INPUT or 128 + signal).
 */
int vm_run(const struct machine *m, struct payload *payload);

/*
 * A VM run on a thread another one controls (the API server): while it
 * runs, @vm is set under @lock, so the controller can read its devices;
 * vm_ctl_stop() stops it, even before it is set (then it stops at once).
 */
struct vm_ctl {
	pthread_mutex_t lock;
	struct vm *vm;
	bool stop;
	enum sc_mode seccomp;	/* the controller's --seccomp, not the VmConfig's */
};

int vm_run_ctl(const struct machine *m, struct payload *payload, struct vm_ctl *ctl);
void vm_ctl_stop(struct vm_ctl *ctl, const char *why);
/*
 * Park every vCPU out of KVM_RUN and return once all are (0), or let
 * them go; -ESRCH: no VM runs. The I/O thread is not paused: with no
 * vCPU to kick a queue it gets no new work, finishes what is in flight,
 * and its interrupts wait in KVM until the vCPUs run again.
 */
int vm_ctl_pause(struct vm_ctl *ctl);
int vm_ctl_resume(struct vm_ctl *ctl);

#endif
