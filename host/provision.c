// SPDX-License-Identifier: GPL-2.0
/* pnvm host provision: plan from the probed state, carry it out, verify. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/check.h"
#include "host/provision.h"
#include "vmm/node.h"

static void refuse(struct host_plan *p, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refuse(struct host_plan *p, const char *fix, const char *fmt, ...)
{
	va_list ap;

	p->refused = true;
	p->nr = 0;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	snprintf(p->fix, sizeof(p->fix), "%s", fix);
}

/*
 * Designated, or private already (which only a designated node can be).
 * private_node= counts only where nothing better says so: a kernel with
 * the series but no private_nodes (a stock kernel ignores it).
 */
static bool designated(const struct host_state *s, const struct host_node *n)
{
	return n->designated || n->private ||
	       (n->boot_designated && s->has_private && !s->has_designate);
}

/* The designated list with @node added: the nodes already there stay. */
static void add_designation(const struct host_state *s, int node, struct host_plan *p)
{
	bool set[HOST_MAX_NODES] = { false };

	for (int i = 0; i < HOST_MAX_NODES; i++)
		set[i] = i == node || nodelist_has(s->designated_list, i);
	nodelist_format(set, HOST_MAX_NODES, p->private_nodes, sizeof(p->private_nodes));
	p->steps[p->nr++] = ACT_DESIGNATE;
}

/* A node that can never be private at runtime: CPUs, or public memory online. */
static bool refuse_node(const struct host_node *n, const struct host_dax *d, struct host_plan *p)
{
	char fix[256];

	if (n->cpus) {
		refuse(p, d ? "a private node is memory-only: use a dax device whose target node has no CPUs" :
		       "a private node is memory-only: pick one without CPUs (numactl -H)",
		       "node %d has %u CPUs: a node with CPUs cannot be private", n->id, n->cpus);
		return true;
	}
	if (!n->has_memory || n->private)
		return false;
	if (d && d->mode == DAX_KMEM && d->online)
		snprintf(fix, sizeof(fix), "offline it, then run this again: daxctl offline-memory %s",
			 d->name);
	else
		snprintf(fix, sizeof(fix), "memory online from boot becomes private only at boot: "
			 "pnvm host boot-config --node %d, update-grub, reboot", n->id);
	refuse(p, fix, "node %d already has public memory online (%llu MiB): its designation "
	       "cannot change while memory is online", n->id, (unsigned long long)(n->total >> 20));
	return true;
}

static void refuse_no_designation(const struct host_state *s, int node, struct host_plan *p)
{
	char fix[256];

	snprintf(fix, sizeof(fix), "%spnvm host boot-config --node %d, update-grub, reboot%s",
		 s->has_private ? "" : "boot a kernel with pnvm's series; ", node,
		 p->device[0] ? "; then run this again" : "");
	refuse(p, fix, "this kernel cannot designate private memory at runtime (no "
	       "/sys/" HOST_DESIGNATE_LIST "): use boot-config");
}

static int plan_dax(const struct host_state *s, const char *dev, struct host_plan *p)
{
	const struct host_dax *d = host_dax(s, dev);
	const struct host_node *n;

	if (!d)
		return errf(-ENODEV, "--dax %s: no such dax device (%u on this host)", dev, s->nr_dax);
	snprintf(p->device, sizeof(p->device), "%s", d->name);
	p->node = d->node;
	n = host_node(s, d->node);
	if (!n) {
		refuse(p, "the device's memory has no NUMA node to be private on",
		       "%s targets node %d, which this kernel does not have", dev, d->node);
		return 0;
	}
	if (refuse_node(n, d, p))
		return 0;
	if (d->mode == DAX_DEVDAX && d->user) {
		refuse(p, "stop that process: its mappings would lose the memory under them",
		       "/dev/%s is open by process %d", dev, d->user);
		return 0;
	}
	if (d->mode == DAX_OTHER) {
		refuse(p, "unbind it (daxctl disable-device) and run this again",
		       "%s is bound to driver %s, neither device_dax nor kmem", dev, d->driver);
		return 0;
	}
	if (!designated(s, n))
		add_designation(s, n->id, p);
	if (d->mode != DAX_KMEM)
		p->steps[p->nr++] = ACT_RECONFIGURE;
	else if (!d->blocks || d->online < d->blocks)
		p->steps[p->nr++] = ACT_ONLINE;
	if (p->nr && !designated(s, n) && !s->has_designate)
		refuse_no_designation(s, n->id, p);
	return 0;
}

int host_plan(const struct host_state *s, const char *dev, int node, struct host_plan *p)
{
	const struct host_node *n;

	memset(p, 0, sizeof(*p));
	p->node = node;
	if (dev)
		return plan_dax(s, dev, p);
	n = host_node(s, node);
	if (!n)
		return errf(-ENODEV, "--node %d: no such node", node);
	if (refuse_node(n, NULL, p) || designated(s, n))
		return 0;
	if (!s->has_designate)
		refuse_no_designation(s, node, p);
	else
		add_designation(s, node, p);
	return 0;
}

void host_step_text(const struct host_env *e, const struct host_plan *p, enum host_action a,
		    char *buf, size_t len)
{
	switch (a) {
	case ACT_DESIGNATE:
		snprintf(buf, len, "write %s to %s/" HOST_DESIGNATE_LIST, p->private_nodes, e->sysfs);
		break;
	case ACT_RECONFIGURE:
		snprintf(buf, len, "%s reconfigure-device --mode=system-ram --no-movable %s", e->daxctl,
			 p->device);
		break;
	case ACT_ONLINE:
		snprintf(buf, len, "%s online-memory --no-movable %s", e->daxctl, p->device);
		break;
	}
}

/* The last non-empty line of @out. */
static const char *last_line(char *out)
{
	char *end = out + strlen(out), *p;

	while (end > out && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	p = strrchr(out, '\n');
	return p ? p + 1 : out;
}

/*
 * Run @argv (a PATH lookup), its stdout and stderr collected (daxctl
 * prints JSON on stdout, which must not mix into ours). 0, or -errno +
 * errf() with the command's last line.
 */
static int run_cmd(char *const argv[])
{
	char out[4096] = "";
	int pipefd[2], errfd[2], status, child_err = 0;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return errf(-errno, "pipe: %s", strerror(errno));
	if (pipe2(errfd, O_CLOEXEC)) {
		close(pipefd[0]);
		close(pipefd[1]);
		return errf(-errno, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (!pid) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		dup2(fd, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execvp(argv[0], argv);
		/* errfd is close-on-exec: the parent reads errno only if exec failed. */
		n = write(errfd[1], &errno, sizeof(errno));
		_exit(127);
	}
	close(pipefd[1]);
	close(errfd[1]);
	while (pid > 0 && (n = read(pipefd[0], out + used, sizeof(out) - 1 - used)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		used += n;
		if (used == sizeof(out) - 1) {
			/* Keep the tail: the error is at the end. */
			memmove(out, out + used / 2, used - used / 2);
			used -= used / 2;
		}
	}
	out[used] = '\0';
	if (pid > 0 && read(errfd[0], &child_err, sizeof(child_err)) != sizeof(child_err))
		child_err = 0;
	close(pipefd[0]);
	close(errfd[0]);
	if (pid < 0)
		return errf(-errno, "fork: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (child_err == ENOENT)
		return errf(-ENOENT, "%s not found: install daxctl (apt-get install daxctl)", argv[0]);
	if (child_err)
		return errf(-child_err, "%s: %s", argv[0], strerror(child_err));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return errf(-EIO, "%s %s failed (%s %d): %s", argv[0], argv[1],
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), last_line(out));
	return 0;
}

static int do_step(const struct host_env *e, const struct host_plan *p, enum host_action a)
{
	char *argv[6] = { (char *)e->daxctl };
	int ret;

	switch (a) {
	case ACT_DESIGNATE:
		ret = host_write(e, HOST_DESIGNATE_LIST, p->private_nodes);
		if (ret == -EBUSY)
			return errf(ret, "private_nodes: node %d has memory online or CPUs (EBUSY)", p->node);
		return ret ? errf(ret, "private_nodes = %s: %s", p->private_nodes, strerror(-ret)) : 0;
	case ACT_RECONFIGURE:
		argv[1] = "reconfigure-device";
		argv[2] = "--mode=system-ram";
		argv[3] = "--no-movable";
		argv[4] = (char *)p->device;
		return run_cmd(argv);
	case ACT_ONLINE:
		argv[1] = "online-memory";
		argv[2] = "--no-movable";
		argv[3] = (char *)p->device;
		return run_cmd(argv);
	}
	return -EINVAL;
}

/* Is the end state there: private node, every block online in ZONE_NORMAL, the probe. */
static void verify(const struct host_env *e, const struct host_state *s, const struct host_plan *p,
		   struct host_items *l)
{
	const struct host_node *n = host_node(s, p->node);
	const struct host_dax *d = p->device[0] ? host_dax(s, p->device) : NULL;
	char fix[160];

	if (!n) {
		item_add(l, "node", true, false, NULL, "node %d is gone", p->node);
		return;
	}
	if (!p->device[0]) {
		item_add(l, "designated", true, designated(s, n), "see dmesg",
			 "node %d: %s", n->id, n->private ? "private, with memory" :
			 designated(s, n) ? "designated, memory added there will be private" : "not designated");
		if (n->has_memory)
			item_probe(e, n->id, NULL, l);
		return;
	}
	item_add(l, "node-private", true, n->private,
		 "the kernel did not make the memory private: see dmesg",
		 "node %d %s has_private_memory (%s)", n->id, n->private ? "in" : "not in",
		 s->private_list[0] ? s->private_list : "none");
	if (!d) {
		item_add(l, "device", true, false, NULL, "%s is gone", p->device);
		return;
	}
	snprintf(fix, sizeof(fix), "%s online-memory --no-movable %s", e->daxctl, d->name);
	item_add(l, "blocks-online", true, d->mode == DAX_KMEM && d->blocks && d->online == d->blocks,
		 fix, "%s: %u of %u memory blocks online", dax_mode_name(d->mode), d->online, d->blocks);
	snprintf(fix, sizeof(fix), "%s offline-memory %s, then provision again", e->daxctl, d->name);
	item_add(l, "zone-normal", true, d->online && d->normal == d->online, fix,
		 "%u of %u online blocks in ZONE_NORMAL", d->normal, d->online);
	item_probe(e, n->id, n->has_memory ? NULL : "the node has no memory", l);
}

static json_object *state_json(const struct host_state *s, const struct host_plan *p)
{
	const struct host_node *n = host_node(s, p->node);
	const struct host_dax *d = p->device[0] ? host_dax(s, p->device) : NULL;
	json_object *o = n ? node_json(n) : json_object_new_object();

	if (!n)
		json_object_object_add(o, "id", json_object_new_int(p->node));
	if (p->device[0])
		json_object_object_add(o, "device", d ? dax_json(d) : NULL);
	return o;
}

/* Everything one run did, for the report. */
struct run {
	const struct host_plan *p;
	int done;		/* steps carried out */
	int failed;		/* the step that failed; -1 none */
	char error[512];
	struct host_state *after;	/* NULL: not looked at again (refused, dry run) */
	struct host_items verify;
	bool dry_run;
};

static bool run_ok(const struct run *r)
{
	return !r->p->refused && r->failed < 0 && (r->dry_run || items_ready(&r->verify));
}

static json_object *run_json(const struct host_env *e, const struct host_state *before,
			     const struct run *r)
{
	json_object *o = json_object_new_object(), *steps = json_object_new_array(), *st;
	const struct host_plan *p = r->p;
	char text[256];

	json_object_object_add(o, "device", p->device[0] ? json_object_new_string(p->device) : NULL);
	json_object_object_add(o, "node", json_object_new_int(p->node));
	json_object_object_add(o, "ok", json_object_new_boolean(run_ok(r)));
	json_object_object_add(o, "changed", json_object_new_boolean(r->done > 0));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
	if (p->refused) {
		json_object_object_add(o, "refused", json_object_new_string(p->reason));
		json_object_object_add(o, "fix", json_object_new_string(p->fix));
	}
	if (r->failed >= 0)
		json_object_object_add(o, "error", json_object_new_string(r->error));
	json_object_object_add(o, "before", state_json(before, p));
	json_object_object_add(o, "after", r->after ? state_json(r->after, p) : NULL);
	for (unsigned int i = 0; i < p->nr; i++) {
		st = json_object_new_object();
		host_step_text(e, p, p->steps[i], text, sizeof(text));
		json_object_object_add(st, "action", json_object_new_string(
			p->steps[i] == ACT_DESIGNATE ? "designate" :
			p->steps[i] == ACT_RECONFIGURE ? "reconfigure" : "online"));
		json_object_object_add(st, "command", json_object_new_string(text));
		json_object_object_add(st, "status", json_object_new_string(
			r->dry_run ? "planned" : (int)i < r->done ? "done" :
			(int)i == r->failed ? "failed" : "not run"));
		if ((int)i == r->failed)
			json_object_object_add(st, "error", json_object_new_string(r->error));
		json_object_array_add(steps, st);
	}
	json_object_object_add(o, "steps", steps);
	json_object_object_add(o, "verify", items_json(&r->verify));
	return o;
}

static void run_print(const struct host_env *e, const struct run *r, FILE *out)
{
	const struct host_plan *p = r->p;
	char text[256], what[64];

	if (p->device[0])
		snprintf(what, sizeof(what), "%s on node %d", p->device, p->node);
	else
		snprintf(what, sizeof(what), "node %d", p->node);
	fprintf(out, "provision %s%s\n", what, r->dry_run ? " (dry run)" : "");
	for (unsigned int i = 0; i < p->nr; i++) {
		host_step_text(e, p, p->steps[i], text, sizeof(text));
		fprintf(out, "  %s: %s\n", text, r->dry_run ? "would run" : (int)i < r->done ? "done" :
			(int)i == r->failed ? r->error : "not run");
	}
	items_print(&r->verify, out);
	if (p->refused)
		fprintf(out, "refused: %s\n  fix: %s\n", p->reason, p->fix);
	else if (r->failed >= 0)
		fprintf(out, "failed: %s\n", r->error);
	else if (r->dry_run)
		fprintf(out, "%s\n", p->nr ? "dry run: nothing changed" : "nothing to do");
	else if (!items_ready(&r->verify))
		fprintf(out, "not ready: %s is not verified private memory\n", what);
	else
		fprintf(out, "%s: %s is private%s\n", r->done ? "done" : "nothing to do", what,
			p->device[0] ? " memory" : "");
}

int host_provision(const struct host_env *e, const char *dev, int node, bool dry_run, bool json,
		   FILE *out)
{
	struct host_state *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after));
	struct run *r = calloc(1, sizeof(*r));
	struct host_plan p;
	int ret;

	if (!before || !after || !r) {
		ret = errf(-ENOMEM, "out of memory");
		goto out;
	}
	ret = host_probe(e, before);
	if (ret)
		goto out;
	/* Only for the device asked for: /proc is large. */
	for (unsigned int i = 0; dev && i < before->nr_dax; i++) {
		struct host_dax *d = &before->dax[i];

		if (!strcmp(d->name, dev) && d->mode == DAX_DEVDAX)
			d->user = host_dax_user(e, d->name);
	}
	ret = host_plan(before, dev, node, &p);
	if (ret)
		goto out;
	*r = (struct run){ .p = &p, .failed = -1, .dry_run = dry_run };
	for (unsigned int i = 0; !dry_run && !p.refused && i < p.nr; i++) {
		if (do_step(e, &p, p.steps[i])) {
			r->failed = i;
			snprintf(r->error, sizeof(r->error), "%s", err_msg());
			break;
		}
		r->done++;
	}
	if (!dry_run && !p.refused) {
		ret = host_probe(e, after);
		if (ret)
			goto out;
		r->after = after;
		verify(e, after, &p, &r->verify);
	}
	if (json) {
		ret = json_print(run_json(e, before, r), out);
	} else {
		run_print(e, r, out);
		ret = fflush(out) ? -EIO : 0;
	}
	ret = ret ? errf(ret, "writing the report: %s", strerror(-ret)) : run_ok(r) ? 0 : 1;
out:
	free(before);
	free(after);
	free(r);
	return ret;
}
