// SPDX-License-Identifier: GPL-2.0
/*
 * --user/--group: names resolve before anything is opened, and the drop
 * (in a forked child, run as root) leaves uid/gid nobody, no capability
 * in any set, NO_NEW_PRIVS, and no way back to root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/priv.h"

/* The value of "Key:" in /proc/self/status, or "". */
static void status_field(const char *key, char *val, size_t size)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(key);

	*val = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			snprintf(val, size, "%s", line + n + 1 + strspn(line + n + 1, " \t"));
			val[strcspn(val, "\n")] = 0;
		}
	if (f)
		fclose(f);
}

/* Child: drop, then report what /proc says, one bit per check. */
static int child(const struct priv_ids *ids)
{
	char v[128];
	int bad = 0;

	if (priv_drop(ids))
		return 0x80;
	status_field("CapEff", v, sizeof(v));
	bad |= strcmp(v, "0000000000000000") ? 1 : 0;
	status_field("CapPrm", v, sizeof(v));
	bad |= strcmp(v, "0000000000000000") ? 2 : 0;
	status_field("CapBnd", v, sizeof(v));
	bad |= strcmp(v, "0000000000000000") ? 4 : 0;
	status_field("NoNewPrivs", v, sizeof(v));
	bad |= strcmp(v, "1") ? 8 : 0;
	bad |= getuid() != ids->uid || geteuid() != ids->uid ? 16 : 0;
	bad |= getgid() != ids->gid || getegid() != ids->gid ? 32 : 0;
	bad |= setuid(0) == 0 ? 64 : 0;
	return bad;
}

int main(void)
{
	struct priv_ids ids;
	int status;
	pid_t pid;

	ok(priv_resolve(NULL, NULL, &ids) == 0 && !ids.drop, "no --user: nothing to drop");
	ok(priv_drop(&ids) == 0 && getuid() == getuid(), "no --user: priv_drop does nothing");
	ok(priv_resolve("no-such-user-pnvm", NULL, &ids) < 0, "unknown user: bad input");
	ok(priv_resolve("nobody", "no-such-group-pnvm", &ids) < 0, "unknown group: bad input");
	ok(priv_resolve(NULL, "nogroup", &ids) < 0, "--group without --user: bad input");
	ok(priv_resolve("root", NULL, &ids) < 0, "--user root: refused, it drops nothing");
	ok(priv_resolve("65534", "65533", &ids) == 0 && ids.uid == 65534 && ids.gid == 65533,
	   "numeric user and group");
	if (!ok(priv_resolve("nobody", NULL, &ids) == 0 && ids.drop && ids.uid,
		"nobody resolves"))
		return tap_done();
	if (geteuid()) {
		tap_diag("not root: the drop itself is not tested here");
		return tap_done();
	}
	pid = fork();
	if (pid == 0)
		_exit(child(&ids));
	waitpid(pid, &status, 0);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 0xff;
	ok(!(status & 0x80), "drop to nobody succeeds (status 0x%x)", status);
	ok(!(status & 7), "CapEff, CapPrm, CapBnd all zero afterwards");
	ok(!(status & 8), "NoNewPrivs: 1");
	ok(!(status & 48), "uid and gid are nobody's (real and effective)");
	ok(!(status & 64), "setuid(0) fails afterwards");
	return tap_done();
}
