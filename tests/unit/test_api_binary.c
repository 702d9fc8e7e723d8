// SPDX-License-Identifier: GPL-2.0
/*
 * The API from the pnvm binary, up to where it would open KVM: version
 * names, exit 2 for bad arguments, the real server's checks, SIGTERM, and
 * `pnvm run ... --api-socket`. The server with a fake VM: test_api.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/server.h"
#include "lib/util.h"
#include "tests/tap.h"

static char dir[] = "/tmp/pnvm-api-bin-XXXXXX";

/* `cmd` run by the shell: its exit status, first stderr line in @line. */
static int run(const char *cmd, char *line, size_t size)
{
	char full[512];
	FILE *p;
	int status;

	snprintf(full, sizeof(full), "%s 2>&1 </dev/null", cmd);
	line[0] = '\0';
	p = popen(full, "r");
	if (!p || !fgets(line, size, p))
		line[0] = '\0';
	while (p && fgetc(p) != EOF)
		;
	status = p ? pclose(p) : -1;
	line[strcspn(line, "\n")] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The least a bzImage needs to pass machine_validate() (boot.rst):
 * setup sectors, boot flag, "HdrS", protocol 2.15, loads high, 64-bit.
 */
static bool write_bzimage(const char *path)
{
	static const struct { unsigned int off; const char *bytes; } hdr[] = {
		{ 0x1f1, "\x1b" }, { 0x1fe, "\x55\xaa" }, { 0x201, "\x6a" }, { 0x202, "HdrS" },
		{ 0x206, "\x0f\x02" }, { 0x211, "\x01" }, { 0x236, "\x03" }, { 0x238, "\xff\x07" },
	};
	static unsigned char img[16384];
	FILE *f = fopen(path, "w");
	bool good;

	for (unsigned int i = 0; i < ARRAY_SIZE(hdr); i++)
		memcpy(img + hdr[i].off, hdr[i].bytes, strlen(hdr[i].bytes));
	good = f && fwrite(img, sizeof(img), 1, f) == 1;
	return f && !fclose(f) && good;
}

/*
 * `pnvm run ... --api-socket` from the binary, up to where it would open
 * KVM (this host boots nothing): --dry-run leaves the socket alone, and a
 * VM the server refuses (pnvm.conf's require_private) exits 2 and
 * removes the socket. The running VM's side: test_one_vm.
 */
static void test_binary_run(const char *bin)
{
	char cmd[768], line[256], k[160], conf[160], path[160];

	snprintf(k, sizeof(k), "%s/bzImage", dir);
	snprintf(conf, sizeof(conf), "%s/private.conf", dir);
	snprintf(path, sizeof(path), "%s/run.sock", dir);
	if (!write_bzimage(k)) {
		ok(0, "a fake bzImage in %s", k);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s run --kernel %s --private-node 0 --memory 32M --api-socket path=%s "
		 "--dry-run >/dev/null", bin, k, path);
	ok(run(cmd, line, sizeof(line)) == 0 && access(path, F_OK),
	   "pnvm run --api-socket --dry-run: the VM checked, no socket made: %s", line);
	snprintf(cmd, sizeof(cmd), "echo 'require_private = yes' > %s; PNVM_CONF=%s %s run --kernel %s "
		 "--private-node 0 --memory 32M --api-socket path=%s", conf, conf, bin, k, path);
	ok(run(cmd, line, sizeof(line)) == 2 && strstr(line, "requires private memory") && access(path, F_OK),
	   "pnvm run --api-socket reads pnvm.conf: a VM on a node not private exits 2, no socket left: %s",
	   line);
	snprintf(cmd, sizeof(cmd), "%s --kernel %s --private-node 0 --api-socket path=%s", bin, k, path);
	ok(run(cmd, line, sizeof(line)) == 2 && strstr(line, "pnvm run ... --api-socket"),
	   "without run, --api-socket serves no VM, and says how to: %s", line);
	unlink(conf);
	unlink(k);
}

/* The real binary: version names, exit 2 for bad arguments, real create checks. */
static void test_binary(void)
{
	const char *bin = !access("build/pnvm", X_OK) ? "build/pnvm" :
			  !access("build-san/pnvm", X_OK) ? "build-san/pnvm" : NULL;
	static const char *const bad[] = {
		"--api-socket", "--api-socket bogus=1", "--api-socket fd=999",
		"--api-socket path=%s/b.sock --bogus", "--api-socket path=%s/b.sock --private-node x",
		"--api-socket path=%s/b.sock --event-monitor path=/nonexistent/dir/ev",
		"--api-socket path=/nonexistent/dir/sock", "--api-socket path=%s/b.sock extra",
	};
	static const char missing[] = "{\"payload\":{\"kernel\":\"/nonexistent/bzImage\"}}";
	char cmd[512], line[256], path[160], ch[160], *body = NULL;
	int status, i;

	if (!bin) {
		tap_diag("build/pnvm not found; end-to-end checks skipped");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s --version", bin);
	ok(run(cmd, line, sizeof(line)) == 0 && !strcmp(line, "pnvm v0.1.0"), "pnvm --version: %s", line);
	snprintf(ch, sizeof(ch), "%s/cloud-hypervisor", dir);
	if (realpath(bin, path) && !symlink(path, ch)) {
		snprintf(cmd, sizeof(cmd), "%s --version", ch);
		ok(run(cmd, line, sizeof(line)) == 0 && !strcmp(line, "cloud-hypervisor v40.0.0"),
		   "as cloud-hypervisor: %s (what libvirt's probe parses)", line);
		unlink(ch);
	}
	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		char args[256];

		snprintf(args, sizeof(args), bad[i], dir);
		snprintf(cmd, sizeof(cmd), "%s %s", bin, args);
		ok(run(cmd, line, sizeof(line)) == 2 && !strncmp(line, "pnvm: ", 6),
		   "pnvm %s: exit 2: %s", args, line);
	}
	snprintf(path, sizeof(path), "%s/b.sock", dir);
	ok(access(path, F_OK), "a refused start leaves no socket behind");
	snprintf(cmd, sizeof(cmd), "echo 'private_node = one' > %s/bad.conf; PNVM_CONF=%s/bad.conf "
		 "%s --api-socket path=%s", dir, dir, bin, path);
	ok(run(cmd, line, sizeof(line)) == 2 && strstr(line, "bad.conf:1: private_node 'one'"),
	   "a broken pnvm.conf: exit 2 before serving: %s", line);
	snprintf(cmd, sizeof(cmd), "%s/bad.conf", dir);
	unlink(cmd);

	/* The real ops' vm.create runs the CLI's file checks (no KVM needed). */
	snprintf(cmd, sizeof(cmd), "%s --api-socket path=%s --private-node 0 </dev/null >/dev/null 2>&1 &",
		 bin, path);
	ok(system(cmd) == 0, "pnvm --api-socket started");
	for (i = 0; i < 200 && access(path, F_OK); i++)
		usleep(20000);
	ok(!api_request(path, "GET", "vmm.ping", NULL, 0, &status, &body) && status == 200 &&
	   strstr(body, "\"pid\""), "the real server answers vmm.ping");
	free(body);
	ok(!api_request(path, "PUT", "vm.create", missing, strlen(missing), &status, &body) &&
	   status == 400 && strstr(body, "--kernel /nonexistent/bzImage"),
	   "real vm.create with a missing kernel: 400, the CLI's message");
	free(body);
	ok(!api_request(path, "PUT", "vm.pause", NULL, 0, &status, &body) && status == 409,
	   "real vm.pause with no VM: 409");
	free(body);
	ok(!api_request(path, "PUT", "vmm.shutdown", NULL, 0, &status, &body) && status == 204,
	   "real vmm.shutdown: 204");
	free(body);
	for (i = 0; i < 200 && !access(path, F_OK); i++)
		usleep(20000);
	ok(access(path, F_OK), "the server exits and removes its socket");

	/* libvirt stops the VMM with SIGTERM: a clean exit, 0, socket removed. */
	snprintf(cmd, sizeof(cmd), "%s --api-socket path=%s </dev/null >/dev/null 2>&1 & "
		 "for i in $(seq 100); do [ -S %s ] && break; sleep 0.05; done; kill -TERM $!; wait $!",
		 bin, path, path);
	ok(system(cmd) == 0 && access(path, F_OK), "SIGTERM: exit 0 and the socket is removed");
	test_binary_run(bin);
}

int main(void)
{
	setenv("PNVM_CONF", "/nonexistent/pnvm.conf", 1);	/* not this host's defaults */
	if (!mkdtemp(dir)) {
		ok(0, "temporary directory");
		return tap_done();
	}
	test_binary();
	rmdir(dir);
	return tap_done();
}
