// SPDX-License-Identifier: GPL-2.0
/* The VM's life: check inputs, build the machine, run it, tear it down. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <asm/bootparam.h>
#include <linux/kvm.h>

#include "virtio/devices.h"
#include "virtio/fdt.h"
#include "vmm/acpi.h"
#include "vmm/boot.h"
#include "vmm/gmem.h"
#include "vmm/mptable.h"
#include "vmm/node.h"
#include "vmm/priv.h"
#include "vmm/seccomp.h"
#include "vmm/virtio.h"
#include "vmm/vm.h"

/* The window and the devices: host resources the description names (exit 2). */
static int create_devices(struct vm *vm)
{
	const struct machine *m = vm->m;
	int ret;

	if (!m->ndevs)
		return 0;
	ret = ioloop_init(&vm->io);
	if (ret)
		return errf(ret, "virtio I/O loop: %s", strerror(-ret));
	vm->io_ready = true;
	/* Window-off: the devices' view is guest RAM (window_init_off). */
	if (machine_has_window(m)) {
		ret = window_create(&vm->win, &vm->mem, m->window_gpa, m->window_size,
				    m->shared_node, m->node);
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < m->ndevs; i++) {
		const struct machine_dev *d = &m->devs[i];
		struct virtio_slot slot = {
			.win = &vm->win, .base = d->base, .gsi = d->gsi, .index = d->index,
		};

		switch (d->kind) {
		case DEV_BLK:
			ret = virtio_blk_create(&slot, d->path, d->ro, &vm->vdevs[i]);
			break;
		case DEV_NET:
			ret = virtio_net_create(&slot, d->tap, d->tap_fd, d->mac, &vm->vdevs[i]);
			break;
		case DEV_RNG:
			ret = virtio_rng_create(&slot, &vm->vdevs[i]);
			break;
		case DEV_CONSOLE:
			/* Output only: stdin stays with the serial console. */
			ret = virtio_console_create(&slot, -1, STDOUT_FILENO, &vm->vdevs[i]);
			break;
		}
		if (ret)
			return ret;
		vm->nr_vdevs = i + 1;
		ret = virtio_bus_register(&vm->mmio, vm->vdevs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int host_irqfd(void *opaque, unsigned int gsi, int fd)
{
	return kvm_irqfd(&((struct vm *)opaque)->kvm, gsi, fd);
}

static int host_ioeventfd(void *opaque, u64 addr, u32 val, int fd)
{
	return kvm_ioeventfd(&((struct vm *)opaque)->kvm, addr, 4, val, fd);
}

/*
 * The window in guest-physical space: its own memslot, plain user memory
 * (not guest_memfd: the device model must reach it), RAM in e820. In
 * window-off mode the "window" is guest RAM itself.
 */
static int map_window(struct vm *vm)
{
	const struct machine *m = vm->m;
	struct region *r = vm->win.shared;	/* owned by vm->win */
	int ret;

	if (!vm->nr_vdevs || !r)
		return 0;
	/* Hidden: not even e820 RAM, or the guest could put rings there by chance. */
	r->hidden = m->window == WINDOW_HIDDEN;
	ret = kvm_set_region(&vm->kvm, r);
	if (ret)
		return ret;
	/* As for RAM: a node that cannot hold the window fails now. */
	if (m->prealloc && madvise(r->hva, r->size, MADV_POPULATE_WRITE))
		return errf(-errno, "--shared-window %llu MiB on node %d: %s",
			    (unsigned long long)(r->size >> 20), m->shared_node, strerror(errno));
	if (m->report)
		infof("window: gpa 0x%llx-0x%llx memfd at %p, bound to node %d (slot %u)",
		      (unsigned long long)r->gpa, (unsigned long long)(r->gpa + r->size),
		      r->hva, m->shared_node, r->slot);
	return 0;
}

/* The devices as the boot tables describe them, in slot order. */
static void table_devs(const struct vm *vm, struct mmio_dev *devs)
{
	for (unsigned int i = 0; i < vm->nr_vdevs; i++)
		devs[i] = (struct mmio_dev){
			.base = vm->vdevs[i]->base, .size = VIRTIO_MMIO_REGION,
			.gsi = vm->vdevs[i]->gsi,
		};
}

/* The DTB (window mode) in a SETUP_DTB setup_data entry in low RAM. */
static int load_dtb(struct vm *vm, const struct mmio_dev *devs)
{
	struct fdt_config cfg = {
		.cpus = vm->m->cpus,
		.window_gpa = window_gpa(&vm->win),
		.window_size = vm->m->window == WINDOW_HIDDEN ? 0 : window_size(&vm->win),
		.devs = devs,
		.ndevs = vm->nr_vdevs,
	};
	struct boot_params *bp = guest_ptr(&vm->mem, GUEST_BOOT_PARAMS, sizeof(*bp));
	struct setup_data *sd = guest_ptr(&vm->mem, GUEST_SETUP_DATA, GUEST_SETUP_DATA_MAX);
	int n;

	if (!bp || !sd)
		return errf(-ENOMEM, "guest RAM too small for the device tree");
	n = fdt_build(&cfg, sd->data, GUEST_SETUP_DATA_MAX - sizeof(*sd));
	if (n < 0)
		return errf(n, "device tree: %s", strerror(-n));
	sd->next = 0;
	sd->type = SETUP_DTB;
	sd->len = n;
	bp->hdr.setup_data = GUEST_SETUP_DATA;
	return 0;
}

/* ACPI tables in the BIOS area, the RSDP also in the zero page. */
static int load_acpi(struct vm *vm, const struct mmio_dev *devs)
{
	struct acpi_config cfg = {
		.cpus = vm->m->cpus, .lapic = GUEST_LAPIC, .ioapic = GUEST_IOAPIC,
		.devs = devs, .ndevs = vm->nr_vdevs,
	};
	size_t size = GUEST_HIGH - GUEST_BIOS;
	struct boot_params *bp = guest_ptr(&vm->mem, GUEST_BOOT_PARAMS, sizeof(*bp));
	void *buf = guest_ptr(&vm->mem, GUEST_BIOS, size);
	int n;

	if (!bp || !buf)
		return errf(-ENOMEM, "guest RAM too small for the ACPI tables");
	n = acpi_build(&cfg, buf, size, GUEST_BIOS);
	if (n < 0)
		return errf(n, "ACPI tables: %s", strerror(-n));
	bp->acpi_rsdp_addr = GUEST_BIOS;
	return 0;
}

/*
 * Per-device counters: with --report always, otherwise only when a
 * driver broke a rule or sent bad requests (those matter).
 */
static void report_devices(struct vm *vm)
{
	static const char *const hint[] = {
		[TABLES_DT] = "window mode needs a guest kernel with CONFIG_OF and "
			      "CONFIG_DMA_RESTRICTED_POOL; a stock kernel wants --window=off",
		[TABLES_ACPI] = "the guest kernel needs CONFIG_ACPI and virtio_mmio "
				"(built in, or loaded from its initramfs)",
	};
	unsigned int found = 0;
	char line[160];

	for (unsigned int i = 0; i < vm->nr_vdevs; i++)
		found += vm->vdevs[i]->found;
	/* Devices no driver ever saw: say so rather than fail silently. */
	if (vm->nr_vdevs && !found && hint[vm->m->tables])
		warnf("the guest found none of its %u virtio devices: %s",
		      vm->nr_vdevs, hint[vm->m->tables]);
	for (unsigned int i = 0; i < vm->nr_vdevs; i++) {
		struct virtio_stats *s = &vm->vdevs[i]->stats;

		virtio_dev_stats(vm->vdevs[i], line, sizeof(line));
		if (vm->m->report)
			infof("%s", line);
		else if (virtio_stat_get(&s->violations) || virtio_stat_get(&s->errors))
			warnf("%s", line);
	}
}

/* A guest that had to be stopped: where each vCPU was, to debug hangs. */
static void report_vcpus(struct vm *vm)
{
	char line[160];

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].fd >= 0 && !vcpu_describe(&vm->vcpus[i], line, sizeof(line)))
			infof("vcpu %u: %s", i, line);
}

static void report_placement(struct vm *vm, const char *when)
{
	struct gmem_placement p;
	char line[512];
	int len;

	if (gmem_placement(&vm->mem, &p)) {
		warnf("placement report: %s", err_msg());
		return;
	}
	len = snprintf(line, sizeof(line), "guest RAM placement %s: %llu pages", when,
		       (unsigned long long)p.total);
	for (int n = 0; n < GMEM_MAX_NODES; n++)
		if (p.pages[n] && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - len, ", node %d: %llu (%llu%%)",
					n, (unsigned long long)p.pages[n],
					(unsigned long long)(p.pages[n] * 100 / p.total));
	if (p.absent && len < (int)sizeof(line))
		snprintf(line + len, sizeof(line) - len, ", not allocated: %llu",
			 (unsigned long long)p.absent);
	infof("%s", line);
}

static void serial_irq(void *opaque, int level)
{
	kvm_irq_line(&((struct vm *)opaque)->kvm, SERIAL_IRQ, level);
}

static void serial_quit(void *opaque)
{
	stop_request(&((struct vm *)opaque)->stop, 0, "quit from the console (Ctrl-A x)");
}

static void i8042_reset(void *stop)
{
	stop_request(stop, 0, "guest reset (i8042)");
}

/* The PC devices on the port bus; each gets only what it needs. */
static int legacy_devices(struct vm *vm)
{
	struct serial_host host = {
		.opaque = vm, .irq = serial_irq, .quit = serial_quit,
	};
	int ret;

	serial_init(&vm->serial, &host, STDIN_FILENO, STDOUT_FILENO);
	vm->i8042 = (struct i8042){ .reset = i8042_reset, .opaque = &vm->stop };
	ret = serial_register(&vm->serial, &vm->pio);
	if (!ret)
		ret = i8042_register(&vm->i8042, &vm->pio);
	if (!ret)
		ret = cmos_register(&vm->cmos, &vm->pio);
	return ret;
}

static int build_machine(struct vm *vm, struct payload *in)
{
	const struct machine *m = vm->m;
	struct kvm_cpuid2 *cpuid;
	struct mmio_dev devs[PNVM_MAX_VIRTIO];
	int ret;

	ret = kvm_open(&vm->kvm);
	if (ret)
		return ret;
	if (m->cpus > (unsigned int)vm->kvm.max_vcpus)
		return errf(-EINVAL, "--cpus %u: KVM allows at most %d", m->cpus, vm->kvm.max_vcpus);
	ret = kvm_setup_irqchip(&vm->kvm);
	if (!ret)
		ret = legacy_devices(vm);
	if (ret)
		return ret;

	for (unsigned int i = 0; !ret && i < vm->mem.nr; i++) {
		/* RAM here; the window's region is mapped in map_window(). */
		struct region *r = &vm->mem.regions[i];

		if (r->type != REGION_RAM)
			continue;
		ret = gmem_create(&vm->kvm, r, m->node);
		if (!ret)
			ret = kvm_set_region(&vm->kvm, r);
		if (!ret && m->report)
			infof("region %u: gpa 0x%llx-0x%llx guest_memfd %d at %p, bound to node %d",
			      r->slot, (unsigned long long)r->gpa,
			      (unsigned long long)(r->gpa + r->size), r->fd, r->hva, m->node);
	}
	if (ret)
		return ret;
	if (m->prealloc) {
		struct timespec t0, t1;
		double secs;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = gmem_prefault(&vm->mem, m->node, isatty(STDERR_FILENO));
		if (ret)
			return ret;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (m->report)
			infof("allocated %llu MiB on node %d in %.3f s (%.0f MiB/s)",
			      (unsigned long long)(m->memory >> 20), m->node, secs,
			      secs > 0 ? (m->memory >> 20) / secs : 0.0);
	}

	ret = map_window(vm);
	if (ret)
		return ret;

	ret = boot_load(&vm->mem, &in->bz, in->cmdline, in->initrd, in->initrd_len);
	/* Loaded: the copies would only add to pnvm's own RSS from now on. */
	payload_free(in);
	/* One description of the CPUs and interrupts, never two. */
	table_devs(vm, devs);
	if (!ret && m->tables == TABLES_DT)
		ret = load_dtb(vm, devs);
	else if (!ret && m->tables == TABLES_ACPI)
		ret = load_acpi(vm, devs);
	else if (!ret)
		ret = mptable_write(&vm->mem, m->cpus);
	if (!ret)
		ret = cpu_write_boot_tables(&vm->mem);
	if (ret)
		return ret;

	ret = cpuid_supported(&vm->kvm, &cpuid);
	if (ret)
		return ret;
	vm->vcpus = calloc(m->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		free(cpuid);
		return errf(-ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < m->cpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; !ret && i < m->cpus; i++) {
		ret = vcpu_create(&vm->vcpus[i], &vm->kvm, i, m->cpus, cpuid);
		vm->vcpus[i].mmio = &vm->mmio;
		vm->vcpus[i].pio = &vm->pio;
		vm->vcpus[i].stop = &vm->stop;
		vm->vcpus[i].hold = &vm->hold;
		vm->nr_vcpus = i + 1;
	}
	free(cpuid);
	if (ret)
		return ret;

	/* Interrupts and kicks never pass through pnvm's vCPU threads. */
	for (unsigned int i = 0; i < vm->nr_vdevs; i++) {
		struct virtio_host host = {
			.opaque = vm, .irqfd = host_irqfd, .ioeventfd = host_ioeventfd,
		};

		ret = virtio_dev_attach(vm->vdevs[i], &host, &vm->io);
		if (ret)
			return errf(ret, "%s: %s", vm->vdevs[i]->name, err_msg());
	}
	/* APs wait for INIT/SIPI in the in-kernel LAPIC; only the BSP is set. */
	return vcpu_setup_boot(&vm->vcpus[0], GUEST_KERNEL + BOOT_ENTRY_64,
			       GUEST_BOOT_PARAMS);
}

/* Until a vCPU, the console or a signal stops the VM. */
static void wait_for_stop(struct vm *vm, const sigset_t *set)
{
	siginfo_t si;

	while (!stop_requested(&vm->stop)) {
		int sig = sigwaitinfo(set, &si);

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			stop_request(&vm->stop, 128 + sig, "stopped by %s", strsignal(sig));
	}
}

static int run_machine(struct vm *vm, const sigset_t *set)
{
	int ret;

	ret = serial_start(&vm->serial);
	if (!ret && vm->nr_vdevs) {
		ret = ioloop_start(&vm->io);
		if (ret)
			ret = errf(ret, "cannot start the virtio I/O thread: %s", strerror(-ret));
	}
	for (unsigned int i = 0; !ret && i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		hold_enter(&vm->hold);
		if (pthread_create(&v->thread, NULL, vcpu_thread, v)) {
			hold_leave(&vm->hold);
			ret = errf(-EAGAIN, "cannot start vcpu %u thread", i);
		} else {
			__atomic_store_n(&v->started, true, __ATOMIC_RELEASE);
		}
	}
	/*
	 * Every thread now runs under its own filter; this one's last, as
	 * it created them (a filter is inherited). The guest cannot reach
	 * this thread: it only waits for signals.
	 */
	if (!ret)
		ret = sc_install(SC_MAIN, sc_default_mode, "main");
	if (ret)
		stop_request(&vm->stop, 1, "%s", err_msg());
	wait_for_stop(vm, set);

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	/* Stopped while paused: the parked vCPUs must see the stop. */
	hold_end(&vm->hold);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	/* No vCPU runs: nothing kicks a queue any more. */
	if (vm->io_ready)
		ioloop_stop(&vm->io);
	serial_stop(&vm->serial);
	return vm->stop.status;
}

static void destroy_machine(struct vm *vm)
{
	/* The I/O thread first: devices may be using the window and RAM. */
	if (vm->io_ready)
		ioloop_destroy(&vm->io);
	for (unsigned int i = 0; i < vm->nr_vdevs; i++)
		virtio_dev_free(vm->vdevs[i]);
	vm->nr_vdevs = 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i], vm->kvm.run_size);
	free(vm->vcpus);
	for (unsigned int i = 0; i < vm->mem.nr; i++)
		if (vm->mem.regions[i].type == REGION_RAM)
			gmem_destroy(&vm->mem.regions[i]);
	window_destroy(&vm->win);
	kvm_close(&vm->kvm);
}

void vm_ctl_stop(struct vm_ctl *ctl, const char *why)
{
	pthread_mutex_lock(&ctl->lock);
	ctl->stop = true;
	if (ctl->vm)
		stop_request(&ctl->vm->stop, 0, "%s", why);
	pthread_mutex_unlock(&ctl->lock);
}

static void kick_all(void *opaque)
{
	struct vm *vm = opaque;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

/*
 * Under ctl->lock, so the VM cannot go away meanwhile; its teardown ends
 * the hold (run_machine()) before it takes the lock, so a pause never
 * waits on it.
 */
int vm_ctl_pause(struct vm_ctl *ctl)
{
	int ret = -ESRCH;

	pthread_mutex_lock(&ctl->lock);
	if (ctl->vm)
		ret = hold_pause(&ctl->vm->hold, kick_all, ctl->vm);
	pthread_mutex_unlock(&ctl->lock);
	return ret;
}

int vm_ctl_resume(struct vm_ctl *ctl)
{
	int ret = -ESRCH;

	pthread_mutex_lock(&ctl->lock);
	if (ctl->vm) {
		hold_resume(&ctl->vm->hold);
		ret = 0;
	}
	pthread_mutex_unlock(&ctl->lock);
	return ret;
}

/* Only once the stop signals are blocked: stop_request() sends SIGUSR2. */
static void ctl_publish(struct vm_ctl *ctl, struct vm *vm)
{
	if (!ctl)
		return;
	pthread_mutex_lock(&ctl->lock);
	ctl->vm = vm;
	if (vm && ctl->stop)
		stop_request(&vm->stop, 0, "stopped by its controller");
	pthread_mutex_unlock(&ctl->lock);
}

int vm_run(const struct machine *m, struct payload *in)
{
	return vm_run_ctl(m, in, NULL);
}

int vm_run_ctl(const struct machine *m, struct payload *in, struct vm_ctl *ctl)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	sigset_t set;
	int status;

	if (!vm) {
		fprintf(stderr, "pnvm: out of memory\n");
		return 1;
	}
	vm->m = m;
	vm->mem = m->ram;	/* RAM regions, mapped in build_machine() */
	vm->kvm.sys_fd = vm->kvm.vm_fd = -1;
	stop_init(&vm->stop);
	hold_init(&vm->hold, 0);	/* run_machine() counts the vCPU threads */

	/*
	 * Every thread inherits this mask; only the main thread takes these
	 * signals, in sigwaitinfo(), so teardown runs on one known path.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGUSR1);
	/* Under a controller, the process's signals are the controller's to take. */
	if (ctl) {
		sigdelset(&set, SIGINT);
		sigdelset(&set, SIGTERM);
		sigdelset(&set, SIGHUP);
	}
	ctl_publish(ctl, vm);

	/* No window until create_devices(): destroy_machine() may run first. */
	window_init_off(&vm->win, &vm->mem);
	if (create_devices(vm)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = EXIT_BAD_INPUT;
		goto out;
	}
	machine_warnings(m, in);
	/* The SIGSYS reporter before any filter; then everything open, drop. */
	sc_default_mode = ctl ? ctl->seccomp : m->seccomp;
	if ((m->seccomp != SC_OFF && sc_report_init()) || build_machine(vm, in) ||
	    priv_drop(&m->priv)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = 1;
	} else {
		if (m->report)
			report_placement(vm, "at start");
		status = run_machine(vm, &set);
		if (status)
			fprintf(stderr, "pnvm: %s%s%s\n", m->name ? m->name : "", m->name ? ": " : "",
				vm->stop.reason);
		else if (m->report)
			infof("%s%s%s", m->name ? m->name : "", m->name ? ": " : "", vm->stop.reason);
		report_devices(vm);
		if (m->report && status)
			report_vcpus(vm);
		if (m->report)
			report_placement(vm, "at exit");
	}
out:
	ctl_publish(ctl, NULL);
	destroy_machine(vm);
	hold_destroy(&vm->hold);
	free(vm);
	return status;
}
