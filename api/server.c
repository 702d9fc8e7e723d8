// SPDX-License-Identifier: GPL-2.0
/* The API server: connections, routes, the VM's state machine, events. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api/server.h"
#include "api/vmconfig.h"
#include "vmm/cli.h"
#include "vmm/node.h"

struct api_conn {
	int fd;
	char *buf;			/* HTTP_MAX_HEAD + HTTP_MAX_BODY */
	size_t used;
	bool continued;			/* 100 Continue sent for this request */
	/* SCM_RIGHTS received and not yet given to a request */
	int fds[API_MAX_FDS];
	unsigned int nfds;
};

struct api_server {
	struct api_config cfg;
	int wake[2];			/* api_server_vm_stopped() -> the poll loop */
	struct timespec start;		/* event timestamps count from here */
	enum api_vm_state state;
	struct vmconfig *vc;		/* from vm.create until vm.delete */
	bool done;			/* vmm.shutdown answered */
	int signo;			/* the signal that ended serving, 0: none */
	struct api_conn conns[API_MAX_CLIENTS];
};

static const char *const state_names[] = {
	[API_VM_NONE] = "NotCreated", [API_VM_CREATED] = "Created",
	[API_VM_RUNNING] = "Running", [API_VM_PAUSED] = "Paused",
	[API_VM_SHUTDOWN] = "Shutdown",
};

int api_server_new(struct api_server **out, const struct api_config *cfg)
{
	struct api_server *s = calloc(1, sizeof(*s));

	if (!s)
		return errf(-ENOMEM, "out of memory");
	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK)) {
		free(s);
		return errf(-errno, "pipe: %s", strerror(errno));
	}
	s->cfg = *cfg;
	for (int i = 0; i < API_MAX_CLIENTS; i++)
		s->conns[i].fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	/* Here, not in api_server_run(): an adopted VM's events come after it. */
	api_event(s, "vmm", "starting");
	*out = s;
	return 0;
}

static void close_fds(int *fds, unsigned int *n)
{
	for (unsigned int i = 0; i < *n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	*n = 0;
}

static void conn_close(struct api_conn *c)
{
	close_fds(c->fds, &c->nfds);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	*c = (struct api_conn){ .fd = -1 };
}

void api_server_free(struct api_server *s)
{
	if (!s)
		return;
	for (int i = 0; i < API_MAX_CLIENTS; i++)
		conn_close(&s->conns[i]);
	if (s->vc)
		vmconfig_free(s->vc);
	free(s->vc);
	close(s->wake[0]);
	close(s->wake[1]);
	free(s);
}

void api_server_vm_stopped(struct api_server *s)
{
	char c = 1;

	/* A full pipe already says it; nothing to lose. */
	if (write(s->wake[1], &c, 1) < 0)
		return;
}

/* cloud-hypervisor's event: {"timestamp":{"secs","nanos"},"source","event","properties"}. */
void api_event(struct api_server *s, const char *source, const char *event)
{
	json_object *o, *ts;
	struct timespec now;
	const char *line;
	size_t len, done = 0;
	long long ns;

	if (s->cfg.event_fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - s->start.tv_sec) * 1000000000LL + (now.tv_nsec - s->start.tv_nsec);
	o = json_object_new_object();
	ts = json_object_new_object();
	json_object_object_add(ts, "secs", json_object_new_int64(ns / 1000000000));
	json_object_object_add(ts, "nanos", json_object_new_int64(ns % 1000000000));
	json_object_object_add(o, "timestamp", ts);
	json_object_object_add(o, "source", json_object_new_string(source));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "properties", NULL);
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(line);
	/* One write per line where possible, so a reader never sees half of one. */
	while (done <= len) {
		ssize_t n = done < len ? write(s->cfg.event_fd, line + done, len - done)
				       : write(s->cfg.event_fd, "\n", 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The monitor went away: the VM carries on without it. */
			s->cfg.event_fd = -1;
			break;
		}
		done += n;
	}
	json_object_put(o);
}

/* cloud-hypervisor's error body: a JSON array of messages, outermost first. */
static int reply_error(char **body, size_t *len, int status, const char *msg)
{
	json_object *a = json_object_new_array();
	const char *s;

	json_object_array_add(a, json_object_new_string(msg));
	s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	*body = strdup(s);
	*len = *body ? strlen(*body) : 0;
	json_object_put(a);
	return status;
}

static int reply_json(char **body, size_t *len, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);

	*body = s ? strdup(s) : NULL;
	*len = *body ? strlen(*body) : 0;
	json_object_put(o);
	return *body ? 200 : reply_error(body, len, 500, "out of memory");
}

/* An op failed: -EOPNOTSUPP is 501, the rest @status. */
static int op_error(char **body, size_t *len, int ret, int status)
{
	return reply_error(body, len, ret == -EOPNOTSUPP ? 501 : ret == -ENOMEM ? 500 : status, err_msg());
}

static int vmm_ping(struct api_server *s, char **body, size_t *len)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "build_version", json_object_new_string("v" PNVM_VERSION));
	json_object_object_add(o, "version", json_object_new_string(PNVM_VERSION));
	json_object_object_add(o, "pid", json_object_new_int64(getpid()));
	json_object_object_add(o, "features", json_object_new_array());
	return reply_json(body, len, o);
}

/* @vc becomes the VM, whether it came from vm.create or the command line. */
static int create_vm(struct api_server *s, struct vmconfig *vc)
{
	int ret = 0;

	/* The host's rule, whatever node the config names or defaulted to. */
	if (s->cfg.require_private) {
		vc->m.require_private = true;
		ret = node_require_private(vc->m.node, s->cfg.private_list);
	}
	if (!ret)
		ret = s->cfg.ops->create(s->cfg.opaque, &vc->m);
	if (!ret) {
		s->vc = vc;
		s->state = API_VM_CREATED;
	}
	return ret;
}

static int vm_create(struct api_server *s, const struct http_request *req, char **body, size_t *len)
{
	struct vmconfig *vc;
	int ret;

	if (s->state != API_VM_NONE)
		return reply_error(body, len, 409, "a VM is already created (vm.delete it first)");
	if (!req->body_len)
		return reply_error(body, len, 400, "vm.create needs a VmConfig body");
	vc = calloc(1, sizeof(*vc));
	if (!vc)
		return reply_error(body, len, 500, "out of memory");
	ret = vmconfig_parse(vc, req->body, req->body_len, s->cfg.default_node);
	if (!ret)
		ret = create_vm(s, vc);
	/*
	 * Every refusal here is what the CLI exits 2 for, -ENOMEM included
	 * (a node without room for the guest): the request's fault, 400.
	 */
	if (ret) {
		vmconfig_free(vc);
		free(vc);
		return reply_error(body, len, ret == -EOPNOTSUPP ? 501 : 400, err_msg());
	}
	return 204;
}

/*
 * vm.add-net: a NetConfig, its tap fd with the request (SCM_RIGHTS; how
 * libvirt's ch driver passes the taps it made) or a tap by name. Before
 * vm.boot only: pnvm's devices are fixed once the VM runs.
 */
static int vm_add_net(struct api_server *s, const struct http_request *req, char **body, size_t *len)
{
	int ret;

	if (s->state == API_VM_NONE)
		return reply_error(body, len, 409, "the VM is not created");
	if (s->state == API_VM_RUNNING || s->state == API_VM_PAUSED)
		return reply_error(body, len, 409, "the VM is running: pnvm cannot hot-plug a net; "
				   "add it before vm.boot");
	if (req->nr_fds > 1)
		return reply_error(body, len, 400, "one tap fd per net: pnvm's virtio-net has one queue pair");
	if (!req->body_len)
		return reply_error(body, len, 400, "vm.add-net needs a NetConfig body");
	ret = vmconfig_add_net(s->vc, req->body, req->body_len, req->nr_fds ? req->fds[0] : -1);
	if (ret)
		return reply_error(body, len, ret == -ENOMEM ? 500 : 400, err_msg());
	if (req->nr_fds)
		req->fds[0] = -1;	/* the config's now */
	return 204;
}

/* Stop a running or paused VM through the ops; SHUTDOWN on success. */
static int stop_vm(struct api_server *s)
{
	int ret = s->cfg.ops->shutdown(s->cfg.opaque);

	if (!ret) {
		s->state = API_VM_SHUTDOWN;
		api_event(s, "vm", "shutdown");
	}
	return ret;
}

static int vm_delete(struct api_server *s)
{
	int ret = 0;

	if (s->state == API_VM_RUNNING || s->state == API_VM_PAUSED)
		ret = stop_vm(s);
	if (ret)
		return ret;
	if (s->state != API_VM_NONE) {
		s->cfg.ops->destroy(s->cfg.opaque);
		vmconfig_free(s->vc);
		free(s->vc);
		s->vc = NULL;
		s->state = API_VM_NONE;
		api_event(s, "vm", "deleted");
	}
	return 0;
}

static int vm_info(struct api_server *s, char **body, size_t *len)
{
	json_object *o = json_object_new_object(), *cfg = vmconfig_to_json(&s->vc->m);

	if (!o || !cfg) {
		json_object_put(o);
		json_object_put(cfg);
		return reply_error(body, len, 500, "out of memory");
	}
	json_object_object_add(o, "config", cfg);
	json_object_object_add(o, "state", json_object_new_string(state_names[s->state]));
	json_object_object_add(o, "memory_actual_size", json_object_new_int64(s->vc->m.memory));
	return reply_json(body, len, o);
}

static int vm_counters(struct api_server *s, char **body, size_t *len)
{
	json_object *o = json_object_new_object();
	int ret = o ? s->cfg.ops->counters(s->cfg.opaque, o) : errf(-ENOMEM, "out of memory");

	if (ret) {
		json_object_put(o);
		return op_error(body, len, ret, 500);
	}
	return reply_json(body, len, o);
}

/* An op with its events before and after, and the state it leaves. */
static int apply(struct api_server *s, int (*op)(void *), const char *ing, const char *ed,
		 enum api_vm_state to)
{
	int ret;

	api_event(s, "vm", ing);
	ret = op(s->cfg.opaque);
	if (!ret) {
		s->state = to;
		api_event(s, "vm", ed);
	}
	return ret;
}

/* A state change through an op, in the states it applies to (@from, a bit mask). */
static int transition(struct api_server *s, const char *ep, int (*op)(void *), unsigned int from,
		      const char *ing, const char *ed, enum api_vm_state to,
		      char **body, size_t *len)
{
	char msg[96];
	int ret;

	if (!(from & (1u << s->state))) {
		snprintf(msg, sizeof(msg), "the VM is %s: %s does not apply", s->state == API_VM_NONE ?
			 "not created" : state_names[s->state], ep);
		return reply_error(body, len, 409, msg);
	}
	ret = apply(s, op, ing, ed, to);
	return ret ? op_error(body, len, ret, 500) : 204;
}

int api_server_adopt(struct api_server *s, const struct machine *m, bool *booting)
{
	struct vmconfig *vc;
	int ret;

	*booting = false;
	if (s->state != API_VM_NONE)
		return errf(-EBUSY, "a VM is already created");
	/* No argv, no fds: vmconfig_free() has nothing to free, vm.info reads m. */
	vc = calloc(1, sizeof(*vc));
	if (!vc)
		return errf(-ENOMEM, "out of memory");
	vc->m = *m;
	ret = create_vm(s, vc);
	if (ret) {
		free(vc);
		return ret;
	}
	*booting = true;
	return apply(s, s->cfg.ops->boot, "booting", "booted", API_VM_RUNNING);
}

#define ST(x)	(1u << API_VM_##x)

int api_handle(struct api_server *s, const struct http_request *req, char **body, size_t *len)
{
	const struct api_vm_ops *ops = s->cfg.ops;
	bool get = !strcmp(req->method, "GET"), put = !strcmp(req->method, "PUT");
	const char *ep = req->path + strlen(API_ROOT);
	int ret;

	*body = NULL;
	*len = 0;
	if (strncmp(req->path, API_ROOT, strlen(API_ROOT)))
		return reply_error(body, len, 404, "not found: the API is under " API_ROOT);

	/* GET endpoints, then PUT ones; a known one with the other method is 405. */
	if (!strcmp(ep, "vmm.ping") || !strcmp(ep, "vm.info") || !strcmp(ep, "vm.counters")) {
		if (!get)
			return reply_error(body, len, 405, "method not allowed: use GET");
		if (!strcmp(ep, "vmm.ping"))
			return vmm_ping(s, body, len);
		if (s->state == API_VM_NONE)
			return reply_error(body, len, 409, "the VM is not created");
		return !strcmp(ep, "vm.info") ? vm_info(s, body, len) : vm_counters(s, body, len);
	}
	if (strcmp(ep, "vmm.shutdown") && strcmp(ep, "vm.create") && strcmp(ep, "vm.boot") &&
	    strcmp(ep, "vm.shutdown") && strcmp(ep, "vm.reboot") && strcmp(ep, "vm.pause") &&
	    strcmp(ep, "vm.resume") && strcmp(ep, "vm.delete") && strcmp(ep, "vm.add-net"))
		return reply_error(body, len, 404, "not found: no such endpoint in pnvm's API");
	if (!put)
		return reply_error(body, len, 405, "method not allowed: use PUT");

	if (!strcmp(ep, "vm.create"))
		return vm_create(s, req, body, len);
	if (!strcmp(ep, "vm.add-net"))
		return vm_add_net(s, req, body, len);
	if (!strcmp(ep, "vm.boot"))
		return transition(s, ep, ops->boot, ST(CREATED) | ST(SHUTDOWN), "booting", "booted",
				  API_VM_RUNNING, body, len);
	if (!strcmp(ep, "vm.reboot"))
		return transition(s, ep, ops->reboot, ST(RUNNING), "rebooting", "rebooted",
				  API_VM_RUNNING, body, len);
	if (!strcmp(ep, "vm.pause"))
		return transition(s, ep, ops->pause, ST(RUNNING), "pausing", "paused",
				  API_VM_PAUSED, body, len);
	if (!strcmp(ep, "vm.resume"))
		return transition(s, ep, ops->resume, ST(PAUSED), "resuming", "resumed",
				  API_VM_RUNNING, body, len);
	if (!strcmp(ep, "vm.shutdown")) {
		if (s->state != API_VM_RUNNING && s->state != API_VM_PAUSED)
			return reply_error(body, len, 409, s->state == API_VM_NONE ? "the VM is not created" :
				     "the VM is not running: cannot shut it down");
		ret = stop_vm(s);
		return ret ? op_error(body, len, ret, 500) : 204;
	}
	/* vm.delete, vmm.shutdown: whatever the state. */
	ret = vm_delete(s);
	if (ret)
		return op_error(body, len, ret, 500);
	if (!strcmp(ep, "vmm.shutdown")) {
		s->done = true;
		api_event(s, "vmm", "shutdown");
	}
	return 204;
}

/* Answer every complete request in @c's buffer; false: close it. */
static bool serve_buffer(struct api_server *s, struct api_conn *c)
{
	struct http_request req;
	char *body;
	size_t len;
	int n = 0, status;

	while (!s->done && (n = http_parse(c->buf, c->used, &req)) > 0) {
		/* The fds that came with the bytes so far go with this request. */
		req.fds = c->fds;
		req.nr_fds = c->nfds;
		status = api_handle(s, &req, &body, &len);
		close_fds(c->fds, &c->nfds);
		/* Managers drop the body (libvirt: "failed to boot guest VM"). */
		if (status >= 400)
			fprintf(stderr, "pnvm: %s %s: %d %.*s\n", req.method, req.path, status,
				(int)len, body ? body : "");
		n = http_send(c->fd, status, body, len, req.keep_alive && !s->done) ? -1 : n;
		free(body);
		if (n < 0 || !req.keep_alive)
			return false;
		memmove(c->buf, c->buf + n, c->used - n);
		c->used -= n;
		c->continued = false;
	}
	if (s->done)
		return false;
	if (n < 0) {
		/* Where the next request starts is unknown: answer and close. */
		status = http_status(n);
		reply_error(&body, &len, status, status == 413 ? "request body larger than 1 MiB" :
		      status == 431 ? "request head larger than 8 KiB" :
		      status == 414 ? "request path too long" :
		      status == 501 ? "Transfer-Encoding is not supported; send Content-Length" :
		      status == 505 ? "only HTTP/1.0 and HTTP/1.1" : "malformed HTTP request");
		http_send(c->fd, status, body, len, false);
		free(body);
		return false;
	}
	/* curl waits a second for this before sending a large body anyway. */
	if (req.head_len && req.expect_continue && !c->continued) {
		c->continued = true;
		return !http_send(c->fd, 100, NULL, 0, true);
	}
	return true;
}

/* Keep what SCM_RIGHTS brought; past API_MAX_FDS, close them. */
static void take_fds(struct api_conn *c, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t nr = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < nr; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->nfds < API_MAX_FDS)
				c->fds[c->nfds++] = fd;
			else
				close(fd);
		}
	}
}

static bool conn_read(struct api_server *s, struct api_conn *c)
{
	union {
		char buf[CMSG_SPACE(API_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n;

	if (!c->buf && !(c->buf = malloc(HTTP_MAX_HEAD + HTTP_MAX_BODY)))
		return false;
	iov = (struct iovec){ c->buf + c->used, HTTP_MAX_HEAD + HTTP_MAX_BODY - c->used };
	n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	if (n > 0)
		take_fds(c, &mh);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	c->used += n;
	return serve_buffer(s, c);
}

static void conn_accept(struct api_server *s)
{
	int fd = accept4(s->cfg.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	char *body;
	size_t len;

	if (fd < 0)
		return;
	/* A client that stops reading must not stall the VMM's only API thread. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &(struct timeval){ .tv_sec = 5 },
		   sizeof(struct timeval));
	for (int i = 0; i < API_MAX_CLIENTS; i++) {
		if (s->conns[i].fd < 0) {
			s->conns[i].fd = fd;
			return;
		}
	}
	reply_error(&body, &len, 503, "too many connections");
	http_send(fd, 503, body, len, false);
	free(body);
	close(fd);
}

/* The guest stopped by itself: Shutdown, and say so. */
static void vm_stopped(struct api_server *s)
{
	char buf[64];

	while (read(s->wake[0], buf, sizeof(buf)) > 0)
		;
	if (s->state == API_VM_RUNNING || s->state == API_VM_PAUSED) {
		s->state = API_VM_SHUTDOWN;
		api_event(s, "vm", "shutdown");
	}
}

/*
 * SIGTERM and friends, or (one_vm) the VM gone: what vmm.shutdown does,
 * without a client to answer.
 */
static int terminate(struct api_server *s)
{
	int ret = vm_delete(s);

	s->done = true;
	api_event(s, "vmm", "shutdown");
	return ret;
}

int api_server_run(struct api_server *s)
{
	struct pollfd pfd[3 + API_MAX_CLIENTS];

	while (!s->done) {
		int n = 0;

		if (s->cfg.one_vm && s->state != API_VM_RUNNING && s->state != API_VM_PAUSED)
			return terminate(s);

		pfd[n++] = (struct pollfd){ .fd = s->cfg.listen_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->wake[0], .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->cfg.signal_fd, .events = POLLIN };
		for (int i = 0; i < API_MAX_CLIENTS; i++)
			pfd[n++] = (struct pollfd){ .fd = s->conns[i].fd, .events = POLLIN };
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return errf(-errno, "poll: %s", strerror(errno));
		}
		if (pfd[1].revents)
			vm_stopped(s);
		if (pfd[2].revents) {
			struct signalfd_siginfo si;

			/* A short read (not a signalfd): stop all the same. */
			if (read(s->cfg.signal_fd, &si, sizeof(si)) == sizeof(si))
				s->signo = si.ssi_signo;
			return terminate(s);
		}
		for (int i = 0; i < API_MAX_CLIENTS && !s->done; i++)
			if (pfd[3 + i].revents && !conn_read(s, &s->conns[i]))
				conn_close(&s->conns[i]);
		if (pfd[0].revents && !s->done)
			conn_accept(s);
	}
	return 0;
}

int api_server_signal(const struct api_server *s)
{
	return s->signo;
}
