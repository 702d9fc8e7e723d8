// SPDX-License-Identifier: GPL-2.0
/*
 * The API's real VM: vm.c's VM run on a thread. Deliberately thin; it
 * cannot run without /dev/kvm, so everything decided about a VM is in
 * the server core, which the unit tests exercise with a fake.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/server.h"
#include "virtio/mmio.h"
#include "vmm/vm.h"

struct kvm_vm {
	struct api_server *srv;
	const struct machine *m;
	struct payload p;
	struct vm_ctl ctl;
	pthread_t thread;
	bool started;			/* a thread to join */
	bool api_stop;			/* the API stopped it: no "stopped by itself" */
	int status;			/* vm_run_ctl()'s, of the last run */
};

void *api_kvm_new(void)
{
	struct kvm_vm *v = calloc(1, sizeof(*v));

	if (v)
		pthread_mutex_init(&v->ctl.lock, NULL);
	return v;
}

void api_kvm_set_seccomp(void *opaque, enum sc_mode mode)
{
	((struct kvm_vm *)opaque)->ctl.seccomp = mode;
}

void api_kvm_set_server(void *opaque, struct api_server *s)
{
	((struct kvm_vm *)opaque)->srv = s;
}

/* Read once the thread is joined: vm.delete joins it, so does the end of one_vm serving. */
int api_kvm_status(void *opaque)
{
	return ((struct kvm_vm *)opaque)->status;
}

static void *run_thread(void *arg)
{
	struct kvm_vm *v = arg;

	v->status = vm_run_ctl(v->m, &v->p, &v->ctl);
	payload_free(&v->p);
	if (!__atomic_load_n(&v->api_stop, __ATOMIC_ACQUIRE))
		api_server_vm_stopped(v->srv);
	return NULL;
}

/* The CLI's exit-2 checks (files, nodes, the bzImage), nothing started. */
static int kvm_create(void *opaque, const struct machine *m)
{
	struct kvm_vm *v = opaque;
	struct payload p = { 0 };
	int ret = machine_validate(m, &p);

	payload_free(&p);
	if (!ret)
		v->m = m;
	return ret;
}

static int kvm_shutdown(void *opaque)
{
	struct kvm_vm *v = opaque;

	if (!v->started)
		return 0;
	__atomic_store_n(&v->api_stop, true, __ATOMIC_RELEASE);
	vm_ctl_stop(&v->ctl, "shut down through the API");
	pthread_join(v->thread, NULL);
	v->started = false;
	return 0;
}

/* Validation loads the payload again: files may have changed since create. */
static int kvm_boot(void *opaque)
{
	struct kvm_vm *v = opaque;
	int ret;

	if (v->started) {	/* stopped by itself: reap its thread */
		pthread_join(v->thread, NULL);
		v->started = false;
	}
	memset(&v->p, 0, sizeof(v->p));
	ret = machine_validate(v->m, &v->p);
	if (ret) {
		payload_free(&v->p);
		return ret;
	}
	v->ctl.stop = false;
	v->api_stop = false;
	if (pthread_create(&v->thread, NULL, run_thread, v)) {
		payload_free(&v->p);
		return errf(-EAGAIN, "cannot start the VM's thread");
	}
	v->started = true;
	return 0;
}

/* pnvm's guest reset ends the VM; a reboot is a shutdown and a boot. */
static int kvm_reboot(void *opaque)
{
	return kvm_shutdown(opaque) ?: kvm_boot(opaque);
}

/* vCPUs parked in vm.c's hold; answered once all are. */
static int kvm_pause(void *opaque)
{
	struct kvm_vm *v = opaque;
	int ret = vm_ctl_pause(&v->ctl);

	return ret ? errf(ret, "the VM stopped while pausing") : 0;
}

static int kvm_resume(void *opaque)
{
	struct kvm_vm *v = opaque;
	int ret = vm_ctl_resume(&v->ctl);

	return ret ? errf(ret, "the VM is not running") : 0;
}

static void kvm_destroy(void *opaque)
{
	struct kvm_vm *v = opaque;

	kvm_shutdown(v);
	v->m = NULL;
}

/* Every device's counters, while the VM runs (they go with it). */
static int kvm_counters(void *opaque, json_object *out)
{
	struct kvm_vm *v = opaque;

	pthread_mutex_lock(&v->ctl.lock);
	for (unsigned int i = 0; v->ctl.vm && i < v->ctl.vm->nr_vdevs; i++) {
		struct virtio_dev *d = v->ctl.vm->vdevs[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "requests", json_object_new_int64(virtio_stat_get(&d->stats.requests)));
		json_object_object_add(o, "bytes", json_object_new_int64(virtio_stat_get(&d->stats.bytes)));
		json_object_object_add(o, "violations",
				       json_object_new_int64(virtio_stat_get(&d->stats.violations)));
		json_object_object_add(o, "errors", json_object_new_int64(virtio_stat_get(&d->stats.errors)));
		json_object_object_add(out, d->name, o);
	}
	pthread_mutex_unlock(&v->ctl.lock);
	return 0;
}

const struct api_vm_ops api_kvm_ops = {
	.create = kvm_create,
	.boot = kvm_boot,
	.shutdown = kvm_shutdown,
	.reboot = kvm_reboot,
	.pause = kvm_pause,
	.resume = kvm_resume,
	.destroy = kvm_destroy,
	.counters = kvm_counters,
};

void api_kvm_free(void *opaque)
{
	struct kvm_vm *v = opaque;

	if (!v)
		return;
	kvm_shutdown(v);
	pthread_mutex_destroy(&v->ctl.lock);
	free(v);
}
