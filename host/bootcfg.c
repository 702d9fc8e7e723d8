// SPDX-License-Identifier: GPL-2.0
/* pnvm host boot-config: private_node=N through a GRUB drop-in. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/bootcfg.h"
#include "host/sysfs.h"

void bootcfg_text(int node, char *buf, size_t len)
{
	snprintf(buf, len,
		 "# Written by pnvm host boot-config: NUMA node %d is private from boot\n"
		 "# (private_node=, pnvm's kernel series). It takes effect once update-grub\n"
		 "# has been run and the machine rebooted.\n"
		 "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX private_node=%d\"\n", node, node);
}

/* Same bytes already at @path? */
static bool same_file(const char *path, const char *text)
{
	size_t len = 0;
	void *buf;
	bool same;

	if (load_file(path, &buf, &len))
		return false;
	same = len == strlen(text) && !memcmp(buf, text, len);
	free(buf);
	return same;
}

/* Through a temporary file and rename(): GRUB never sources half a file. */
static int write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return errf(-ENAMETOOLONG, "%s: name too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errf(-errno, "%s: %s", tmp, strerror(errno));
	errno = 0;	/* a short write sets none */
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		ret = errf(-errno ?: -EIO, "%s: %s", tmp, strerror(errno ?: EIO));
	if (close(fd) && !ret)
		ret = errf(-errno, "%s: %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path))
		ret = errf(-errno, "%s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret;
}

int host_boot_config(const struct host_env *e, int node, const char *output, FILE *out)
{
	struct host_state *s = calloc(1, sizeof(*s));
	const struct host_node *n;
	char text[512], path[PATH_MAX];
	bool same;
	int ret;

	if (!s)
		return errf(-ENOMEM, "out of memory");
	ret = host_probe(e, s);
	n = ret ? NULL : host_node(s, node);
	if (!ret && !n)
		ret = errf(-ENODEV, "--node %d: no such node", node);
	else if (n && n->cpus)
		ret = errf(-EINVAL, "--node %d has %u CPUs: a private node is memory-only", node, n->cpus);
	if (ret)
		goto out;
	bootcfg_text(node, text, sizeof(text));
	if (output && !strcmp(output, "-")) {
		ret = fputs(text, out) < 0 || fflush(out) ? errf(-EIO, "writing to stdout failed") : 0;
		goto out;
	}
	snprintf(path, sizeof(path), "%s", output ?: "");
	if (!output && snprintf(path, sizeof(path), "%s/" BOOTCFG_FILE, e->grub_dir) >= (int)sizeof(path)) {
		ret = errf(-ENAMETOOLONG, "--grub-dir %s: name too long", e->grub_dir);
		goto out;
	}
	/* Debian makes /etc/default/grub.d; another GRUB setup may lack it. */
	if (!output && mkdir(e->grub_dir, 0755) && errno != EEXIST) {
		ret = errf(-errno, "%s: %s", e->grub_dir, strerror(errno));
		goto out;
	}
	same = same_file(path, text);
	ret = same ? 0 : write_file(path, text);
	if (ret)
		goto out;
	fprintf(out, "%s %s: private_node=%d\n", same ? "unchanged" : "wrote", path, node);
	if (!s->has_private)
		fprintf(out, "note: this kernel has no private-node series (no has_private_memory): "
			"boot one that has it\n");
	fprintf(out, "next: update-grub, then reboot%s\n", same ? " (if not done since it was written)" : "");
	ret = fflush(out) ? errf(-EIO, "writing the report failed") : 0;
out:
	free(s);
	return ret;
}
