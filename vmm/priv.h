/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege: once everything that needs root is open (/dev/kvm,
 * guest_memfd, taps, disks, the window memfd, sockets), become
 * --user/--group, keep no capability, and never regain any
 * (PR_SET_NO_NEW_PRIVS).
 */
#ifndef PNVM_VMM_PRIV_H
#define PNVM_VMM_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

struct priv_ids {
	bool drop;		/* --user given */
	uid_t uid;
	gid_t gid;		/* --group, else the user's primary group */
};

/*
 * Names (or numbers) into ids, before anything is opened: an unknown user
 * or group is bad input (exit 2). @user NULL: no drop. 0 or -errno + errf().
 */
int priv_resolve(const char *user, const char *group, struct priv_ids *ids);

/*
 * Drop to @ids in the calling process: supplementary groups, gid, uid
 * (all threads: glibc's setxid broadcast), every capability set cleared
 * with libcap-ng, then NO_NEW_PRIVS. Call before any seccomp filter and
 * before creating the VM's threads. 0 or -errno + errf().
 */
int priv_drop(const struct priv_ids *ids);

#endif
