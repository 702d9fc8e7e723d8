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
#include "vmm/boot.h"
#include "vmm/gmem.h"
#include "vmm/mptable.h"
#include "vmm/node.h"
#include "vmm/virtio.h"
#include "vmm/vm.h"

/* Inputs loaded before anything is created, so bad ones leave nothing behind. */
struct inputs {
	void *kernel;
	size_t kernel_len;
	void *initrd;
	size_t initrd_len;
	struct bzimage bz;
	char cmdline[GUEST_CMDLINE_MAX];
	struct node_info ni;	/* the private node, for warnings */
};

/*
 * Window mode: the guest learns about its devices, the window and its
 * interrupt controllers from a device tree (virtio/README.md), and
 * nothing else may describe them. Only when there are devices: a VM
 * without any keeps the plain MP-table boot any guest kernel takes.
 */
static bool use_dt(const struct pnvm_opts *o)
{
	return cli_nr_virtio(o) && !o->window_off;
}

static u64 virtio_base(unsigned int i)
{
	return GUEST_VIRTIO_BASE + i * GUEST_VIRTIO_STRIDE;
}

/*
 * --window=off has no DT (stock kernels lack CONFIG_OF): the devices go
 * on the command line, their IRQs 16 + i in the MP table.
 */
static int virtio_cmdline(const struct pnvm_opts *o, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; o->window_off && i < cli_nr_virtio(o); i++) {
		int n = snprintf(buf + len, size - len, "%svirtio_mmio.device=0x%x@0x%llx:%u",
				 len ? " " : "", VIRTIO_MMIO_REGION,
				 (unsigned long long)virtio_base(i), GUEST_VIRTIO_GSI + i);

		if (n < 0 || (size_t)n >= size - len)
			return errf(-E2BIG, "virtio devices do not fit on the command line");
		len += n;
	}
	if (o->cmdline && *o->cmdline)
		snprintf(buf + len, size - len, "%s%s", len ? " " : "", o->cmdline);
	return 0;
}

/* Everything that can be decided without KVM: exit 2 territory. */
static int check_inputs(struct vm *vm, struct pnvm_opts *o, struct inputs *in)
{
	struct node_info *ni = &in->ni, wi;
	char *user;
	u64 initrd_addr;
	int ret;

	ret = cli_check_files(o);
	if (ret)
		return ret;
	ret = node_probe(o->node, ni);
	if (!ret)
		ret = node_check(ni, o->memory, o->require_private);
	if (ret)
		return ret;
	if (use_dt(o)) {
		ret = node_probe(o->shared_node, &wi);
		if (!ret && !wi.exists && !wi.max_node)
			return errf(-ENODEV, "--shared-node %d: no such NUMA node (this host has only node 0)",
				    o->shared_node);
		if (!ret && !wi.exists)
			return errf(-ENODEV, "--shared-node %d: no such NUMA node (this host has nodes 0-%d)",
				    o->shared_node, wi.max_node);
		if (!ret && o->window_size > wi.free)
			return errf(-ENOMEM, "--shared-window %llu MiB is more than node %d has free (%llu MiB)",
				    (unsigned long long)(o->window_size >> 20), o->shared_node,
				    (unsigned long long)(wi.free >> 20));
		if (ret)
			return ret;
	}
	ret = load_file(o->kernel, &in->kernel, &in->kernel_len);
	if (ret)
		return errf(ret, "--kernel %s", err_msg());
	ret = bzimage_parse(in->kernel, in->kernel_len, &in->bz);
	if (ret)
		return errf(ret, "--kernel %s: %s", o->kernel, err_msg());
	if (o->initrd) {
		ret = load_file(o->initrd, &in->initrd, &in->initrd_len);
		if (ret)
			return errf(ret, "--initrd %s", err_msg());
	}
	user = malloc(GUEST_CMDLINE_MAX);
	if (!user)
		return errf(-ENOMEM, "out of memory");
	ret = virtio_cmdline(o, user, GUEST_CMDLINE_MAX);
	if (!ret)
		ret = boot_cmdline(in->cmdline, MIN(sizeof(in->cmdline), (size_t)in->bz.cmdline_size + 1),
				   user);
	free(user);
	if (ret)
		return ret;
	/* The memory map: RAM first (slots 0, 1), the window after it. */
	ret = guest_layout(&vm->mem, o->memory);
	if (ret)
		return ret;
	if (in->initrd_len) {
		ret = boot_initrd_addr(&in->bz, guest_low_ram_end(&vm->mem), in->initrd_len,
				       &initrd_addr);
		if (ret)
			return errf(ret, "--memory %llu MiB: %s",
				    (unsigned long long)(o->memory >> 20), err_msg());
	}
	return 0;
}

/* Warnings only once no input can fail any more: bad input gets one line. */
static void input_warnings(const struct pnvm_opts *o, const struct node_info *ni)
{
	if (ni->private == NODE_PRIVATE_UNKNOWN)
		warnf("this kernel has no private-node state (%s); isolation of node %d is not enforced by the kernel (--require-private refuses to start)",
		      NODE_PRIVATE_LIST, o->node);
	else if (ni->private == NODE_PRIVATE_NO)
		warnf("node %d is not a private node (private: %s); its memory is shared with the host",
		      o->node, ni->private_list[0] ? ni->private_list : "none");
	else if (o->report)
		infof("node %d is private", o->node);
	if (o->window_off && cli_nr_virtio(o))
		warnf("--window=off: virtio devices may read and write all of guest RAM on node %d",
		      o->node);
	if (o->window_hidden && cli_nr_virtio(o))
		warnf("--window=hidden: the guest is not told of the window; its devices will find every ring and buffer outside it and refuse them");
}

/* The window and the devices: host resources the options name (exit 2). */
static int create_devices(struct vm *vm)
{
	const struct pnvm_opts *o = vm->opts;
	unsigned int i = 0, k;
	int ret;

	if (!cli_nr_virtio(o))
		return 0;
	ret = ioloop_init(&vm->io);
	if (ret)
		return errf(ret, "virtio I/O loop: %s", strerror(-ret));
	vm->io_ready = true;
	/* Window-off: the devices' view is guest RAM (window_init_off). */
	if (!o->window_off) {
		ret = window_create(&vm->win, &vm->mem, guest_window_gpa(o->memory, o->window_size),
				    o->window_size, o->shared_node, o->node);
		if (ret)
			return ret;
	}

#define SLOT(n) (&(struct virtio_slot){ .win = &vm->win, .base = virtio_base(i), \
				       .gsi = GUEST_VIRTIO_GSI + i, .index = (n) })
	for (k = 0; k < o->ndisks; k++, i++) {
		ret = virtio_blk_create(SLOT(k), o->disks[k].path, o->disks[k].ro, &vm->vdevs[i]);
		if (ret)
			return ret;
		vm->nr_vdevs = i + 1;
	}
	for (k = 0; k < o->ntaps; k++, i++) {
		ret = virtio_net_create(SLOT(k), o->taps[k], &vm->vdevs[i]);
		if (ret)
			return ret;
		vm->nr_vdevs = i + 1;
	}
	if (o->rng) {
		ret = virtio_rng_create(SLOT(0), &vm->vdevs[i]);
		if (ret)
			return ret;
		vm->nr_vdevs = ++i;
	}
	if (o->console) {
		/* Output only: stdin stays with the serial console. */
		ret = virtio_console_create(SLOT(0), -1, STDOUT_FILENO, &vm->vdevs[i]);
		if (ret)
			return ret;
		vm->nr_vdevs = ++i;
	}
#undef SLOT
	for (i = 0; i < vm->nr_vdevs; i++) {
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
	const struct pnvm_opts *o = vm->opts;
	struct region *r = vm->win.shared;	/* owned by vm->win */
	int ret;

	if (!vm->nr_vdevs || !r)
		return 0;
	/* Hidden: not even e820 RAM, or the guest could put rings there by chance. */
	r->hidden = o->window_hidden;
	ret = kvm_set_region(&vm->kvm, r);
	if (ret)
		return ret;
	/* As for RAM: a node that cannot hold the window fails now. */
	if (o->prealloc && madvise(r->hva, r->size, MADV_POPULATE_WRITE))
		return errf(-errno, "--shared-window %llu MiB on node %d: %s",
			    (unsigned long long)(r->size >> 20), o->shared_node, strerror(errno));
	if (o->report)
		infof("window: gpa 0x%llx-0x%llx memfd at %p, bound to node %d (slot %u)",
		      (unsigned long long)r->gpa, (unsigned long long)(r->gpa + r->size),
		      r->hva, o->shared_node, r->slot);
	return 0;
}

/* The DTB (window mode) in a SETUP_DTB setup_data entry in low RAM. */
static int load_dtb(struct vm *vm)
{
	struct fdt_virtio_dev devs[PNVM_MAX_VIRTIO];
	struct fdt_config cfg = {
		.cpus = vm->opts->cpus,
		.window_gpa = window_gpa(&vm->win),
		.window_size = vm->opts->window_hidden ? 0 : window_size(&vm->win),
		.devs = devs,
		.ndevs = vm->nr_vdevs,
	};
	struct boot_params *bp = guest_ptr(&vm->mem, GUEST_BOOT_PARAMS, sizeof(*bp));
	struct setup_data *sd = guest_ptr(&vm->mem, GUEST_SETUP_DATA, GUEST_SETUP_DATA_MAX);
	int n;

	if (!bp || !sd)
		return errf(-ENOMEM, "guest RAM too small for the device tree");
	for (unsigned int i = 0; i < vm->nr_vdevs; i++)
		devs[i] = (struct fdt_virtio_dev){
			.base = vm->vdevs[i]->base, .size = VIRTIO_MMIO_REGION,
			.pin = vm->vdevs[i]->gsi,
		};
	n = fdt_build(&cfg, sd->data, GUEST_SETUP_DATA_MAX - sizeof(*sd));
	if (n < 0)
		return errf(n, "device tree: %s", strerror(-n));
	sd->next = 0;
	sd->type = SETUP_DTB;
	sd->len = n;
	bp->hdr.setup_data = GUEST_SETUP_DATA;
	return 0;
}

/*
 * Per-device counters: with --report always, otherwise only when a
 * driver broke a rule or sent bad requests (those matter).
 */
static void report_devices(struct vm *vm)
{
	char line[160];

	for (unsigned int i = 0; i < vm->nr_vdevs; i++) {
		struct virtio_stats *s = &vm->vdevs[i]->stats;

		virtio_dev_stats(vm->vdevs[i], line, sizeof(line));
		if (vm->opts->report)
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

static int build_machine(struct vm *vm, struct inputs *in)
{
	const struct pnvm_opts *o = vm->opts;
	struct kvm_cpuid2 *cpuid;
	int ret;

	ret = kvm_open(&vm->kvm);
	if (ret)
		return ret;
	if (o->cpus > (unsigned int)vm->kvm.max_vcpus)
		return errf(-EINVAL, "--cpus %u: KVM allows at most %d", o->cpus, vm->kvm.max_vcpus);
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
		ret = gmem_create(&vm->kvm, r, o->node);
		if (!ret)
			ret = kvm_set_region(&vm->kvm, r);
		if (!ret && o->report)
			infof("region %u: gpa 0x%llx-0x%llx guest_memfd %d at %p, bound to node %d",
			      r->slot, (unsigned long long)r->gpa,
			      (unsigned long long)(r->gpa + r->size), r->fd, r->hva, o->node);
	}
	if (ret)
		return ret;
	if (o->prealloc) {
		struct timespec t0, t1;
		double secs;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = gmem_prefault(&vm->mem, o->node, isatty(STDERR_FILENO));
		if (ret)
			return ret;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (o->report)
			infof("allocated %llu MiB on node %d in %.3f s (%.0f MiB/s)",
			      (unsigned long long)(o->memory >> 20), o->node, secs,
			      secs > 0 ? (o->memory >> 20) / secs : 0.0);
	}

	ret = map_window(vm);
	if (ret)
		return ret;

	ret = boot_load(&vm->mem, &in->bz, in->cmdline, in->initrd, in->initrd_len);
	/* Loaded: the copies would only add to pnvm's own RSS from now on. */
	free(in->kernel);
	free(in->initrd);
	in->kernel = in->initrd = NULL;
	/* A DT and an MP table would both register the CPUs and LAPIC. */
	if (!ret && use_dt(o))
		ret = load_dtb(vm);
	else if (!ret)
		ret = mptable_write(&vm->mem, o->cpus, vm->nr_vdevs);
	if (!ret)
		ret = cpu_write_boot_tables(&vm->mem);
	if (ret)
		return ret;

	ret = cpuid_supported(&vm->kvm, &cpuid);
	if (ret)
		return ret;
	vm->vcpus = calloc(o->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		free(cpuid);
		return errf(-ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < o->cpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; !ret && i < o->cpus; i++) {
		ret = vcpu_create(&vm->vcpus[i], &vm->kvm, i, o->cpus, cpuid);
		vm->vcpus[i].mmio = &vm->mmio;
		vm->vcpus[i].pio = &vm->pio;
		vm->vcpus[i].stop = &vm->stop;
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

		if (pthread_create(&v->thread, NULL, vcpu_thread, v))
			ret = errf(-EAGAIN, "cannot start vcpu %u thread", i);
		else
			v->started = true;
	}
	if (ret)
		stop_request(&vm->stop, 1, "%s", err_msg());
	wait_for_stop(vm, set);

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
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

int vm_run(const struct pnvm_opts *opts)
{
	struct pnvm_opts o = *opts;
	struct inputs *in = calloc(1, sizeof(*in));
	struct vm *vm = calloc(1, sizeof(*vm));
	sigset_t set;
	int status;

	if (!in || !vm) {
		fprintf(stderr, "pnvm: out of memory\n");
		return 1;
	}
	vm->opts = &o;
	vm->kvm.sys_fd = vm->kvm.vm_fd = -1;
	stop_init(&vm->stop);

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

	/* No window until create_devices(): destroy_machine() may run first. */
	window_init_off(&vm->win, &vm->mem);
	if (check_inputs(vm, &o, in) || create_devices(vm)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = EXIT_BAD_INPUT;
		goto out;
	}
	input_warnings(&o, &in->ni);
	if (build_machine(vm, in)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = 1;
	} else {
		if (o.report)
			report_placement(vm, "at start");
		status = run_machine(vm, &set);
		if (status)
			fprintf(stderr, "pnvm: %s%s%s\n", o.name ? o.name : "", o.name ? ": " : "",
				vm->stop.reason);
		else if (o.report)
			infof("%s%s%s", o.name ? o.name : "", o.name ? ": " : "", vm->stop.reason);
		report_devices(vm);
		if (o.report && status)
			report_vcpus(vm);
		if (o.report)
			report_placement(vm, "at exit");
	}
out:
	destroy_machine(vm);
	free(in->kernel);
	free(in->initrd);
	free(in);
	free(vm);
	return status;
}
