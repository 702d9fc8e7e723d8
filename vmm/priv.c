// SPDX-License-Identifier: GPL-2.0
/* Least privilege: resolve --user/--group early, drop after set-up. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>
#include <sys/prctl.h>

#include "lib/util.h"
#include "vmm/priv.h"

/* A name, or a plain number (ids with no entry, as in containers). */
static bool number(const char *s, unsigned int *v)
{
	return !parse_uint(s, v);
}

int priv_resolve(const char *user, const char *group, struct priv_ids *ids)
{
	unsigned int v;

	memset(ids, 0, sizeof(*ids));
	if (!user) {
		if (group)
			return errf(-EINVAL, "--group needs --user");
		return 0;
	}
	if (number(user, &v)) {
		ids->uid = v;
		ids->gid = v;
	} else {
		struct passwd *pw = getpwnam(user);

		if (!pw)
			return errf(-EINVAL, "--user %s: no such user", user);
		ids->uid = pw->pw_uid;
		ids->gid = pw->pw_gid;
	}
	if (group && number(group, &v)) {
		ids->gid = v;
	} else if (group) {
		struct group *gr = getgrnam(group);

		if (!gr)
			return errf(-EINVAL, "--group %s: no such group", group);
		ids->gid = gr->gr_gid;
	}
	if (!ids->uid)
		return errf(-EINVAL, "--user %s: is root; nothing would be dropped", user);
	ids->drop = true;
	return 0;
}

int priv_drop(const struct priv_ids *ids)
{
	if (!ids->drop)
		return 0;
	/* Groups first: without CAP_SETGID after setuid we could not. */
	if (setgroups(0, NULL))
		return errf(-errno, "--user: setgroups: %s", strerror(errno));
	if (setresgid(ids->gid, ids->gid, ids->gid))
		return errf(-errno, "--group %u: setresgid: %s", ids->gid, strerror(errno));
	/*
	 * libcap-ng changes the uid and clears all sets (effective,
	 * permitted, inheritable, bounding, ambient) in one step; CAPNG_INIT_SUPP_GRP
	 * is not used because the groups are already gone.
	 */
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_change_id(ids->uid, ids->gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING))
		return errf(-EPERM, "--user %u: cannot change to it and drop capabilities",
			    ids->uid);
	if (setresuid(ids->uid, ids->uid, ids->uid))
		return errf(-errno, "--user %u: setresuid: %s", ids->uid, strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return errf(-errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	/* Trust, but check: root again, or a capability left, is a failure. */
	capng_get_caps_process();
	if (!getuid() || !geteuid() || setresuid(0, 0, 0) == 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		return errf(-EPERM, "--user: privileges are still held after the drop");
	return 0;
}
