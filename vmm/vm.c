// SPDX-License-Identifier: GPL-2.0
/* The VM's life: check inputs, build the machine, run it, tear it down. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/boot.h"
#include "vmm/gmem.h"
#include "vmm/mptable.h"
#include "vmm/node.h"
#include "vmm/vm.h"

/* Inputs loaded before anything is created, so bad ones leave nothing behind. */
struct inputs {
	void *kernel;
	size_t kernel_len;
	void *initrd;
	size_t initrd_len;
	struct bzimage bz;
	char cmdline[GUEST_CMDLINE_MAX];
};

void vm_stop(struct vm *vm, int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (!vm->stopping) {
		vm->exit_status = status;
		va_start(ap, fmt);
		vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
		va_end(ap);
		__atomic_store_n(&vm->stopping, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->lock);
	/* Wake the main thread out of sigwaitinfo(). */
	pthread_kill(vm->main_thread, SIGUSR2);
}

/* Everything that can be decided without KVM: exit 2 territory. */
static int check_inputs(struct pnvm_opts *o, struct inputs *in)
{
	struct guest layout = { .nr = 0 };
	struct node_info ni;
	u64 initrd_addr;
	int ret;

	if (cli_check_files(o))
		return errf(-EINVAL, "%s", o->err);
	ret = node_probe(o->node, &ni);
	if (!ret)
		ret = node_check(&ni, o->memory, o->require_private);
	if (ret)
		return ret;
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
	ret = boot_cmdline(in->cmdline, MIN(sizeof(in->cmdline), (size_t)in->bz.cmdline_size + 1), o->cmdline);
	if (ret)
		return ret;
	ret = guest_layout(&layout, o->memory);
	if (ret)
		return ret;
	if (in->initrd_len) {
		ret = boot_initrd_addr(&in->bz, guest_low_ram_end(&layout), in->initrd_len,
				       &initrd_addr);
		if (ret)
			return errf(ret, "--memory %llu MiB: %s",
				    (unsigned long long)(o->memory >> 20), err_msg());
	}
	/* Warnings only once nothing can fail: bad input gets one line. */
	if (ni.private == NODE_PRIVATE_UNKNOWN)
		warnf("this kernel has no private-node state (%s); isolation of node %d is not enforced by the kernel (--require-private refuses to start)",
		      NODE_PRIVATE_LIST, o->node);
	else if (ni.private == NODE_PRIVATE_NO)
		warnf("node %d is not a private node (private: %s); its memory is shared with the host",
		      o->node, ni.private_list[0] ? ni.private_list : "none");
	else if (o->report)
		infof("node %d is private", o->node);

	return 0;
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
	if (ret)
		return ret;

	ret = guest_layout(&vm->mem, o->memory);
	for (unsigned int i = 0; !ret && i < vm->mem.nr; i++) {
		struct region *r = &vm->mem.regions[i];

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

	ret = boot_load(vm, &in->bz, in->cmdline, in->initrd, in->initrd_len);
	/* Loaded: the copies would only add to pnvm's own RSS from now on. */
	free(in->kernel);
	free(in->initrd);
	in->kernel = in->initrd = NULL;
	if (!ret)
		ret = mptable_write(vm, o->cpus);
	if (!ret)
		ret = cpu_write_boot_tables(vm);
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
		ret = vcpu_create(vm, &vm->vcpus[i], i, cpuid);
		vm->nr_vcpus = i + 1;
	}
	free(cpuid);
	if (ret)
		return ret;
	/* APs wait for INIT/SIPI in the in-kernel LAPIC; only the BSP is set. */
	return vcpu_setup_boot(&vm->vcpus[0], GUEST_KERNEL + BOOT_ENTRY_64,
			       GUEST_BOOT_PARAMS);
}

/* Until a vCPU, the console or a signal stops the VM. */
static void wait_for_stop(struct vm *vm, const sigset_t *set)
{
	siginfo_t si;

	while (!vm_stopping(vm)) {
		int sig = sigwaitinfo(set, &si);

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			vm_stop(vm, 128 + sig, "stopped by %s", strsignal(sig));
	}
}

static int run_machine(struct vm *vm, const sigset_t *set)
{
	int ret;

	serial_init(&vm->serial, vm, STDIN_FILENO, STDOUT_FILENO);
	ret = serial_start(&vm->serial);
	for (unsigned int i = 0; !ret && i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (pthread_create(&v->thread, NULL, vcpu_thread, v))
			ret = errf(-EAGAIN, "cannot start vcpu %u thread", i);
		else
			v->started = true;
	}
	if (ret)
		vm_stop(vm, 1, "%s", err_msg());
	wait_for_stop(vm, set);

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	serial_stop(&vm->serial);
	return vm->exit_status;
}

static void destroy_machine(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i], vm->kvm.run_size);
	free(vm->vcpus);
	for (unsigned int i = 0; i < vm->mem.nr; i++)
		gmem_destroy(&vm->mem.regions[i]);
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
	pthread_mutex_init(&vm->lock, NULL);
	vm->main_thread = pthread_self();

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

	if (check_inputs(&o, in)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = EXIT_BAD_INPUT;
	} else if (build_machine(vm, in)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		status = 1;
	} else {
		if (o.report)
			report_placement(vm, "at start");
		status = run_machine(vm, &set);
		if (status)
			fprintf(stderr, "pnvm: %s\n", vm->stop_reason);
		else if (o.report)
			infof("%s", vm->stop_reason);
		if (o.report)
			report_placement(vm, "at exit");
	}
	destroy_machine(vm);
	free(in->kernel);
	free(in->initrd);
	free(in);
	free(vm);
	return status;
}
