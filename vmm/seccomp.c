// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread seccomp allow-lists. The lists come from reading what each
 * thread does once the VM runs; glibc reaches the same ends by other
 * calls (malloc's arenas mmap/mprotect/madvise, free munmaps, sleeps are
 * clock_nanosleep, locks are futex), so memory management, futex and
 * signal return are allowed to every thread on purpose: the filter is
 * there to take away files, sockets, processes and privilege, not to
 * break malloc.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "lib/util.h"
#include "vmm/seccomp.h"

/* Off until a VM sets it: library users (tests) are not filtered by surprise. */
enum sc_mode sc_default_mode = SC_OFF;

static const char *const kind_names[] = {
	[SC_VCPU] = "vcpu", [SC_IO] = "virtio-io", [SC_SERIAL] = "serial",
	[SC_MAIN] = "main", [SC_API] = "api",
};

/* Every thread: memory, locks, signals, time, exit, its own output. */
static const int sys_common[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(futex), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(brk),
	/* the vDSO's fallbacks (the CMOS clock reads time()) */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	SCMP_SYS(sched_yield), SCMP_SYS(getpid), SCMP_SYS(gettid),
	/* pthread_kill (stop_request, vcpu_kick) is tgkill */
	SCMP_SYS(tgkill),
	/* stdio's first use of a stream */
	SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	/* ASan/UBSan set and clear a signal stack per thread (SAN=1 builds) */
	SCMP_SYS(sigaltstack),
};

/*
 * vCPU: KVM_RUN and its exits. Register writes run device code here:
 * eventfd writes, epoll_ctl (net/console pause input on reset),
 * io_uring_enter (virtio-blk waits for its requests at a reset).
 */
static const int sys_vcpu[] = {
	SCMP_SYS(epoll_ctl), SCMP_SYS(io_uring_enter),
};

/* The ioctls a vCPU thread may make (the request is checked). */
static const unsigned long vcpu_ioctls[] = {
	KVM_RUN, KVM_IRQ_LINE, KVM_IRQ_LINE_STATUS,
	/* vcpu_fail: where the guest was */
	KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_MP_STATE,
};

/* virtio-io: epoll, io_uring, images, taps, getrandom for virtio-rng. */
static const int sys_io[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(io_uring_enter), SCMP_SYS(readv), SCMP_SYS(preadv),
	SCMP_SYS(pwritev), SCMP_SYS(pread64), SCMP_SYS(pwrite64),
	SCMP_SYS(fdatasync), SCMP_SYS(fsync), SCMP_SYS(getrandom),
};

/* Console input: poll, read, and the serial IRQ line. */
static const int sys_serial[] = {
	SCMP_SYS(poll), SCMP_SYS(ppoll),
};

static const unsigned long serial_ioctls[] = { KVM_IRQ_LINE, KVM_IRQ_LINE_STATUS };

/*
 * The VM's main thread after start: waits for signals, then joins the
 * threads and tears down (close, munmap, io_uring exit, tap, terminal
 * restore, move_pages for --report, removing its pidfile). ioctl is not
 * narrowed here: teardown reads vCPU state and restores the terminal.
 */
static const int sys_main[] = {
	SCMP_SYS(rt_sigtimedwait), SCMP_SYS(rt_sigaction), SCMP_SYS(close),
	SCMP_SYS(ioctl), SCMP_SYS(io_uring_enter), SCMP_SYS(epoll_ctl),
	SCMP_SYS(move_pages), SCMP_SYS(get_mempolicy), SCMP_SYS(fdatasync),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat),
};

/*
 * The API server: poll its socket and clients, accept, read, write.
 * It also starts and stops the VM, which takes everything creating a
 * VM takes; so the server is filtered only with the VM's own threads
 * (see api/vmops.c), and this list is for a server without a VM.
 */
static const int sys_api[] = {
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(accept4), SCMP_SYS(accept),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(close),
	SCMP_SYS(fcntl), SCMP_SYS(setsockopt), SCMP_SYS(shutdown),
	SCMP_SYS(unlink), SCMP_SYS(rt_sigtimedwait), SCMP_SYS(pipe2),
};

int sc_parse_mode(const char *s, enum sc_mode *mode)
{
	if (!strcmp(s, "on"))
		*mode = SC_ON;
	else if (!strcmp(s, "log"))
		*mode = SC_LOG;
	else if (!strcmp(s, "off"))
		*mode = SC_OFF;
	else
		return -EINVAL;
	return 0;
}

const char *sc_kind_name(enum sc_kind kind)
{
	return kind < SC_NR_KINDS ? kind_names[kind] : "?";
}

/* For the handler: no malloc, no stdio there. */
static __thread char thread_name[16];
#define SC_NAMES	512
static const char *sys_names[SC_NAMES];

static size_t put(char *buf, size_t at, size_t size, const char *s)
{
	while (*s && at < size)
		buf[at++] = *s++;
	return at;
}

static size_t put_uint(char *buf, size_t at, size_t size, unsigned int v)
{
	char tmp[12];
	int n = 0;

	do
		tmp[n++] = '0' + v % 10;
	while ((v /= 10));
	while (n && at < size)
		buf[at++] = tmp[--n];
	return at;
}

static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	char line[160];
	size_t n = 0;
	unsigned int nr = si->si_syscall;

	n = put(line, n, sizeof(line), "pnvm: seccomp: thread ");
	n = put(line, n, sizeof(line), thread_name[0] ? thread_name : "?");
	n = put(line, n, sizeof(line), " made a forbidden system call ");
	n = put(line, n, sizeof(line), nr < SC_NAMES && sys_names[nr] ? sys_names[nr] : "#");
	n = put(line, n, sizeof(line), " (");
	n = put_uint(line, n, sizeof(line), nr);
	n = put(line, n, sizeof(line), ")\n");
	if (write(STDERR_FILENO, line, n) < 0)
		n = 0;
	/* The raw call: a sanitizer's _exit() would run more (ptrace) first. */
	syscall(SYS_exit_group, 128 + SIGSYS);
}

int sc_report_init(void)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };

	/* Names now, while malloc may run: the handler must not. */
	for (int i = 0; i < SC_NAMES; i++)
		if (!sys_names[i])
			sys_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
	if (sigaction(SIGSYS, &sa, NULL))
		return errf(-errno, "seccomp: SIGSYS handler: %s", strerror(errno));
	return 0;
}

static int allow_all(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nrs[i], 0);

		if (ret)
			return ret;
	}
	return 0;
}

/* ioctl only with these requests; the kernel compares the low 32 bits. */
static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					   SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
						   reqs[i] & 0xffffffffUL));

		if (ret)
			return ret;
	}
	return 0;
}

static int build(scmp_filter_ctx ctx, enum sc_kind kind)
{
	int ret = allow_all(ctx, sys_common, ARRAY_SIZE(sys_common));

	if (ret)
		return ret;
	switch (kind) {
	case SC_VCPU:
		ret = allow_all(ctx, sys_vcpu, ARRAY_SIZE(sys_vcpu));
		return ret ? ret : allow_ioctls(ctx, vcpu_ioctls, ARRAY_SIZE(vcpu_ioctls));
	case SC_IO:
		return allow_all(ctx, sys_io, ARRAY_SIZE(sys_io));
	case SC_SERIAL:
		ret = allow_all(ctx, sys_serial, ARRAY_SIZE(sys_serial));
		return ret ? ret : allow_ioctls(ctx, serial_ioctls, ARRAY_SIZE(serial_ioctls));
	case SC_MAIN:
		return allow_all(ctx, sys_main, ARRAY_SIZE(sys_main));
	case SC_API:
		return allow_all(ctx, sys_api, ARRAY_SIZE(sys_api));
	default:
		return -EINVAL;
	}
}

int sc_install(enum sc_kind kind, enum sc_mode mode, const char *name)
{
	scmp_filter_ctx ctx;
	int ret;

	if (mode == SC_OFF)
		return 0;
	strncpy(thread_name, name ? name : sc_kind_name(kind), sizeof(thread_name) - 1);
	/* Trap rather than kill: the handler says which thread and call. */
	ctx = seccomp_init(mode == SC_LOG ? SCMP_ACT_LOG : SCMP_ACT_TRAP);
	if (!ctx)
		return errf(-ENOMEM, "seccomp: out of memory");
	ret = build(ctx, kind);
	/* Only this thread (no TSYNC); NO_NEW_PRIVS is set by seccomp_load. */
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret)
		return errf(ret, "seccomp: %s filter: %s", sc_kind_name(kind), strerror(-ret));
	return 0;
}
