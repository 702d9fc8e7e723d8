// SPDX-License-Identifier: GPL-2.0
/*
 * Each thread kind's seccomp filter, in a forked child (a trap ends the
 * child, not the test): a forbidden call ends it with 159 and one line
 * naming the thread and the call; an allowed call passes; the vCPU
 * filter's ioctl check lets KVM_RUN through and traps TCGETS; log mode
 * lets everything through; a filter covers only its own thread.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/kvm.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "tests/tap.h"
#include "libvirt/domain.h"
#include "vmm/bus.h"
#include "vmm/legacy.h"
#include "vmm/seccomp.h"

enum action { OPEN_FILE, WRITE_PIPE, IOCTL_KVM_RUN, IOCTL_TCGETS, SOCKET, CMOS_CLOCK };

static struct cmos cmos;

struct job {
	enum sc_kind kind;
	enum sc_mode mode;
	enum action act;
	int out;	/* pipe for WRITE_PIPE */
	int rc;
};

static int act(struct job *j)
{
	int fd;

	switch (j->act) {
	case OPEN_FILE:
		fd = open("/proc/self/status", O_RDONLY);
		return fd >= 0 ? 0 : 1;
	case WRITE_PIPE:
		return write(j->out, "x", 1) == 1 ? 0 : 1;
	case IOCTL_KVM_RUN:
		/* Not a vCPU fd: ENOTTY, but the filter let it through. */
		return ioctl(j->out, KVM_RUN, 0) < 0 ? 0 : 1;
	case IOCTL_TCGETS: {
		struct termios t;

		return ioctl(j->out, TCGETS, &t) < 0 ? 0 : 1;
	}
	case SOCKET:
		return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1;
	case CMOS_CLOCK: {
		u8 sec = 0;

		cmos_io(&cmos, CMOS_INDEX, true, &sec);
		cmos_io(&cmos, CMOS_DATA, false, &sec);
		return sec < 0x60 ? 0 : 1;	/* BCD seconds */
	}
	}
	return 1;
}

/* Not _exit(): under ASan it runs the leak check, whose ptrace a filter forbids. */
static void child_exit(int status)
{
	syscall(SYS_exit_group, status);
}

static void *thread_fn(void *arg)
{
	struct job *j = arg;

	if (sc_install(j->kind, j->mode, "t-filtered")) {
		j->rc = 2;
		return NULL;
	}
	j->rc = act(j);
	return NULL;
}

/*
 * In a child: filter a new thread of @kind, make @a there. Returns the
 * exit status (-1 for a signal) and the child's stderr in @msg.
 */
static int run(enum sc_kind kind, enum sc_mode mode, enum action a, bool after_in_main,
	       char *msg, size_t size)
{
	int err[2], out[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(err) || pipe(out))
		return -2;
	pid = fork();
	if (pid == 0) {
		struct job j = { kind, mode, a, out[1], 0 };
		pthread_t t;

		dup2(err[1], STDERR_FILENO);
		if (sc_report_init() || pthread_create(&t, NULL, thread_fn, &j))
			child_exit(3);
		pthread_join(t, NULL);
		/* The main thread was never filtered: it may still open files. */
		if (after_in_main && !j.rc && open("/proc/self/status", O_RDONLY) < 0)
			child_exit(4);
		child_exit(j.rc);
	}
	close(err[1]);
	close(out[1]);
	n = read(err[0], msg, size - 1);
	msg[n > 0 ? n : 0] = 0;
	close(err[0]);
	close(out[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * pnvm's main thread ends the process under its filter: exit() runs
 * stdio's flush and every linked library's destructors (libvirt, libxml2
 * and theirs, linked here as in pnvm). All of that must pass.
 */
static int exit_filtered(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *q = libvirt_shell_quote("a b");	/* libvirt/ linked and used */

#ifdef __SANITIZE_ADDRESS__
		/* Now, not at exit: LeakSanitizer's ptrace is not pnvm's to allow. */
		__lsan_do_leak_check();
#endif
		if (sc_report_init() || sc_install(SC_MAIN, SC_ON, "main") || !q)
			child_exit(3);
		free(q);
		printf("# buffered, flushed by exit()\n");
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	static const enum sc_kind kinds[] = { SC_VCPU, SC_IO, SC_SERIAL, SC_MAIN, SC_API };
	enum sc_mode m;
	char msg[256];
	int rc;

	ok(sc_parse_mode("on", &m) == 0 && m == SC_ON && sc_parse_mode("log", &m) == 0 &&
	   m == SC_LOG && sc_parse_mode("off", &m) == 0 && m == SC_OFF &&
	   sc_parse_mode("yes", &m) < 0, "--seccomp on|log|off, nothing else");

	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *name = sc_kind_name(kinds[i]);

		rc = run(kinds[i], SC_ON, OPEN_FILE, false, msg, sizeof(msg));
		ok(rc == 159, "%s filter: open(2) ends the process with 159 (got %d)", name, rc);
		ok(strstr(msg, "thread t-filtered") && strstr(msg, "forbidden system call openat") &&
		   !strchr(msg, '\n')[1], "%s filter: one line names thread and call: %.*s",
		   name, (int)strcspn(msg, "\n"), msg);
		rc = run(kinds[i], SC_ON, SOCKET, false, msg, sizeof(msg));
		ok(rc == 159 && strstr(msg, "socket"), "%s filter: socket(2) trapped", name);
		rc = run(kinds[i], SC_ON, WRITE_PIPE, true, msg, sizeof(msg));
		ok(rc == 0 && !msg[0], "%s filter: write(2) allowed, main thread unfiltered (%d%s)",
		   name, rc, msg[0] ? ", got: one line" : "");
		if (msg[0])
			tap_diag("%.*s", (int)strcspn(msg, "\n"), msg);
	}
	/* What pnvm does before the filters: the clock's time zone is read. */
	{
		struct bus pio = { 0 };

		ok(cmos_register(&cmos, &pio) == 0, "CMOS registered (time zone read)");
	}
	rc = run(SC_VCPU, SC_ON, CMOS_CLOCK, false, msg, sizeof(msg));
	ok(rc == 0, "vcpu: the guest reads the CMOS clock under the filter (rc %d) %s", rc, msg);
	rc = run(SC_VCPU, SC_ON, IOCTL_KVM_RUN, false, msg, sizeof(msg));
	ok(rc == 0, "vcpu filter: ioctl KVM_RUN passes the filter (%d)", rc);
	rc = run(SC_VCPU, SC_ON, IOCTL_TCGETS, false, msg, sizeof(msg));
	ok(rc == 159 && strstr(msg, "ioctl"), "vcpu filter: ioctl TCGETS trapped");
	rc = run(SC_SERIAL, SC_ON, IOCTL_TCGETS, false, msg, sizeof(msg));
	ok(rc == 159, "serial filter: ioctl TCGETS trapped");
	rc = run(SC_MAIN, SC_ON, IOCTL_TCGETS, false, msg, sizeof(msg));
	ok(rc == 0, "main filter: ioctl allowed (terminal restore, vCPU report)");
	rc = run(SC_IO, SC_LOG, OPEN_FILE, false, msg, sizeof(msg));
	ok(rc == 0 && !msg[0], "log mode: open(2) goes through (%d)", rc);
	rc = exit_filtered();
	ok(rc == 0, "main filter: exit() with pnvm's libraries passes (%d)", rc);
	rc = run(SC_IO, SC_OFF, SOCKET, false, msg, sizeof(msg));
	ok(rc == 0, "off: no filter (%d)", rc);
	return tap_done();
}
