/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-thread seccomp filters (libseccomp). Each thread kind installs its
 * own filter on itself when it starts, before it serves the guest; a
 * forbidden call traps (SIGSYS) and the handler writes one line naming
 * the thread and the syscall, then exits 159 (128 + SIGSYS).
 */
#ifndef PNVM_VMM_SECCOMP_H
#define PNVM_VMM_SECCOMP_H

enum sc_mode {
	SC_ON,		/* default: a forbidden call ends pnvm */
	SC_LOG,		/* allowed, but logged by the kernel (audit) */
	SC_OFF,
};

enum sc_kind {
	SC_VCPU,	/* KVM_RUN and the MMIO/PIO exits it serves */
	SC_IO,		/* virtio-io: epoll, io_uring, tap and image I/O */
	SC_SERIAL,	/* console input: poll, read, the serial IRQ */
	SC_MAIN,	/* the VM's waiting and tearing-down thread */
	SC_API,		/* the API server: sockets, accept, JSON */
	SC_NR_KINDS,
};

/* "on", "log" or "off"; -EINVAL otherwise. */
int sc_parse_mode(const char *s, enum sc_mode *mode);
const char *sc_kind_name(enum sc_kind kind);

/*
 * Filter the calling thread (only it, and threads it creates later) with
 * @kind's allow-list. @name (at most 15 chars) goes in the SIGSYS line.
 * Returns 0 or -errno with errf() set.
 */
int sc_install(enum sc_kind kind, enum sc_mode mode, const char *name);

/*
 * The SIGSYS handler, once per process before any filter: SC_ON traps
 * instead of killing silently. Async-signal-safe report: write(2), _exit.
 */
int sc_report_init(void);

/* The mode every VM thread installs with; vm_run sets it from the machine. */
extern enum sc_mode sc_default_mode;

#endif
