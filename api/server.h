/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control API: cloud-hypervisor's REST API (/api/v1/vmm.*, vm.*) on a
 * unix socket, so managers that drive cloud-hypervisor (libvirt's ch
 * driver, Kata) drive pnvm; and its event monitor, one JSON object per
 * line. The server core owns the VM's state machine and the VmConfig;
 * what a VM does is behind struct api_vm_ops, so the core is tested with
 * a fake and the real ops (api/vmops.c) stay a thin layer over vm.c.
 */
#ifndef PNVM_API_SERVER_H
#define PNVM_API_SERVER_H

#include <json-c/json.h>
#include "api/http.h"
#include "vmm/machine.h"

#define API_ROOT		"/api/v1/"
/*
 * The cloud-hypervisor version pnvm answers as (api/README.md): libvirt's
 * ch driver needs 15; 28 makes it send payload{} instead of the old
 * kernel objects; 40 is the last feature gate it has (all pass).
 */
#define PNVM_CH_VERSION		"40.0.0"
#define API_MAX_CLIENTS		16
/* Tap fds with one request: pnvm's nets take one; more is refused, not lost. */
#define API_MAX_FDS		8

enum api_vm_state {
	API_VM_NONE,		/* no vm.create yet, or vm.delete */
	API_VM_CREATED,
	API_VM_RUNNING,
	API_VM_PAUSED,
	API_VM_SHUTDOWN,	/* shut down or stopped by itself; can boot again */
};

/*
 * What the VM does. Each returns 0 or -errno with errf(): -EOPNOTSUPP
 * is answered 501, anything else from create 400 (the config cannot
 * run here) and from the others 500. The core calls them only in a
 * state they apply to, one at a time, from its own thread.
 */
struct api_vm_ops {
	/* Check everything that can be checked without starting it. */
	int (*create)(void *opaque, const struct machine *m);
	int (*boot)(void *opaque);
	/* Stop the guest; it may be booted again. */
	int (*shutdown)(void *opaque);
	int (*reboot)(void *opaque);
	int (*pause)(void *opaque);
	int (*resume)(void *opaque);
	/* Forget the machine (it is not running). */
	void (*destroy)(void *opaque);
	/* Add "device": {"counter": n, ...} to @out. */
	int (*counters)(void *opaque, json_object *out);
};

struct api_config {
	int listen_fd;			/* a listening unix stream socket */
	int event_fd;			/* event monitor, -1: none */
	int signal_fd;			/* readable: stop as vmm.shutdown does; -1: none */
	int default_node;		/* private node for configs without zones, -1: none */
	bool require_private;		/* pnvm.conf: refuse RAM on a node not private */
	const char *private_list;	/* the private nodelist; NULL: sysfs's (tests: a file) */
	/*
	 * `pnvm run ... --api-socket`: the process is one VM, so serving
	 * ends as soon as it is neither running nor paused (it stopped by
	 * itself, vm.shutdown, vm.delete), not only at vmm.shutdown.
	 */
	bool one_vm;
	const struct api_vm_ops *ops;
	void *opaque;
};

struct api_server;

/* 0 or -errno + errf(). The server owns neither fd. */
int api_server_new(struct api_server **out, const struct api_config *cfg);
void api_server_free(struct api_server *s);

/*
 * `pnvm run ... --api-socket`: @m, the command line's machine, becomes
 * the VM as vm.create would make it (the same host rule, require_private;
 * @m must outlive the server), then boots as vm.boot would, events and
 * all. 0, or -errno + errf() and *@booting says which step failed.
 */
int api_server_adopt(struct api_server *s, const struct machine *m, bool *booting);

/*
 * Serve until PUT vmm.shutdown has been answered, a signal came on the
 * signal fd, or (one_vm) the VM stopped. 0 or -errno + errf().
 */
int api_server_run(struct api_server *s);

/* After api_server_run(): the signal that ended it (SIGTERM, ...), or 0. */
int api_server_signal(const struct api_server *s);

/* Any thread: the guest stopped without the API asking (reset, failure). */
void api_server_vm_stopped(struct api_server *s);

/*
 * One request: the status, and the JSON body to send (malloc'ed, NULL
 * for none). Also what api_server_run() does per request.
 */
int api_handle(struct api_server *s, const struct http_request *req, char **body, size_t *len);

/* Write an event to the monitor: source "vmm" or "vm", event "booted" ... */
void api_event(struct api_server *s, const char *source, const char *event);

/* "path=PATH" (bind and listen) or "fd=N" for @opt. 0 or -errno + errf(). */
int api_socket_arg(const char *opt, const char *arg, bool listen_on, int *fd);

/* `pnvm --api-socket ... [--event-monitor ...] [--private-node N]`: exit status. */
int api_main(int argc, char **argv);

/*
 * `pnvm run ... --api-socket API [--event-monitor EVENTS]`: @m (validated)
 * booted at once and served until it stops; pnvm run's exit status (the
 * VM's own, 0 if the API stopped it, 128 + N on signal N).
 */
int api_run_main(const struct machine *m, const char *api, const char *events);

/* `pnvm remote --api-socket PATH COMMAND [FILE]`: 0, 1 API error, 2 usage. */
int api_remote_main(int argc, char **argv);

/*
 * One request on a new connection to the socket at @path: 0 with
 * *status and the body (malloc'ed, NUL-terminated), or -errno + errf().
 */
int api_request(const char *path, const char *method, const char *endpoint,
		const char *body, size_t len, int *status, char **resp);

/* The real ops, over vm.c. */
extern const struct api_vm_ops api_kvm_ops;
void *api_kvm_new(void);
void api_kvm_set_server(void *opaque, struct api_server *s);
/* --seccomp for every VM this server runs (default on). */
void api_kvm_set_seccomp(void *opaque, enum sc_mode mode);
/* The exit status of the VM's last run (pnvm run's: 0 reset, 1 failure, ...); 0 if none. */
int api_kvm_status(void *opaque);
void api_kvm_free(void *opaque);

#endif
