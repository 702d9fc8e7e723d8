// SPDX-License-Identifier: GPL-2.0
/*
 * The API server with a fake VM: every endpoint's status and body, the
 * state machine, bad input (the server keeps serving), the event
 * monitor and `pnvm remote`, over a real unix socket. The pnvm binary's
 * side of the API: test_api_binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/server.h"
#include "tests/tap.h"
#include "vmm/cli.h"

static char dir[] = "/tmp/pnvm-api-XXXXXX", sock[128];
static int events[2];
static struct api_server *srv;

static struct fake {
	int create, boot, shutdown, reboot, pause, resume, destroy, counters;
	int pause_ret;
	unsigned int cpus;
} fake;

static int f_create(void *o, const struct machine *m)
{
	fake.create++;
	fake.cpus = m->cpus;
	if (!strcmp(m->kernel, "/bad"))
		return errf(-EINVAL, "--kernel /bad: No such file or directory");
	return 0;
}
static int f_boot(void *o) { fake.boot++; return 0; }
static int f_shutdown(void *o) { fake.shutdown++; return 0; }
static int f_reboot(void *o) { fake.reboot++; return 0; }
static int f_pause(void *o)
{
	fake.pause++;
	return fake.pause_ret ? errf(fake.pause_ret, "vm.pause is not supported yet") : 0;
}
static int f_resume(void *o) { fake.resume++; return 0; }
static void f_destroy(void *o) { fake.destroy++; }
static int f_counters(void *o, json_object *out)
{
	json_object *d = json_object_new_object();

	fake.counters++;
	json_object_object_add(d, "requests", json_object_new_int64(7));
	json_object_object_add(d, "violations", json_object_new_int64(3));
	json_object_object_add(out, "blk0", d);
	return 0;
}

static const struct api_vm_ops fake_ops = {
	.create = f_create, .boot = f_boot, .shutdown = f_shutdown, .reboot = f_reboot,
	.pause = f_pause, .resume = f_resume, .destroy = f_destroy, .counters = f_counters,
};

static const char config[] =
	"{\"cpus\":{\"boot_vcpus\":2,\"max_vcpus\":2},\"memory\":{\"size\":268435456},"
	"\"payload\":{\"kernel\":\"/k\",\"cmdline\":\"quiet\"},\"disks\":[{\"path\":\"/d\"}]}";

/* One request through the client; the status, or -1. Body in *body. */
static int req(const char *method, const char *ep, const char *in, char **body)
{
	int status;

	if (api_request(sock, method, ep, in, in ? strlen(in) : 0, &status, body))
		return -1;
	return status;
}

/* Status of a request on the socket at @path, as expected? Its body freed. */
static bool call_at(const char *path, const char *method, const char *ep, const char *in, int status)
{
	char *body = NULL;
	int st = -1;
	bool good = !api_request(path, method, ep, in, in ? strlen(in) : 0, &st, &body) && st == status;

	if (!good)
		tap_diag("%s %s on %s: %d %s", method, ep, path, st, body ? body : "");
	free(body);
	return good;
}

/* Status of a request, its body freed; @want in the body if given. */
static bool call(const char *method, const char *ep, const char *in, int status, const char *want)
{
	char *body = NULL;
	int st = req(method, ep, in, &body);
	bool good = st == status && (!want || (body && strstr(body, want)));

	if (!good)
		tap_diag("%s %s: %d %s", method, ep, st, body ? body : "");
	free(body);
	return good;
}

/* Raw bytes on a new connection; what comes back until the server closes. */
static char *raw(const char *data, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char out[8192];
	size_t n = 0;
	ssize_t r;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, data, len) != (ssize_t)len)
		return "";
	shutdown(fd, SHUT_WR);
	while (n < sizeof(out) - 1 && (r = read(fd, out + n, sizeof(out) - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(fd);
	return out;
}

/* Head first; the body only once the server said 100 Continue. */
static bool expect_continue(void)
{
	static const char head[] = "PUT /api/v1/vm.boot HTTP/1.1\r\nExpect: 100-continue\r\n"
				   "Content-Length: 2\r\n\r\n";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char out[1024];
	ssize_t n, m = 0;
	bool cont;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, head, sizeof(head) - 1) != sizeof(head) - 1)
		return false;
	n = read(fd, out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	cont = !strcmp(out, "HTTP/1.1 100 Continue\r\nServer: pnvm\r\n\r\n");
	if (write(fd, "{}", 2) != 2)
		cont = false;
	shutdown(fd, SHUT_WR);
	while (m < (ssize_t)sizeof(out) - 1 && (n = read(fd, out + m, sizeof(out) - 1 - m)) > 0)
		m += n;
	out[m] = '\0';
	close(fd);
	return cont && strstr(out, "204 No Content");
}

/*
 * A request whose bytes carry @fd (SCM_RIGHTS), in one sendmsg as
 * libvirt's ch driver sends vm.add-net; the status line's code, or -1.
 */
static int send_with_fd(const char *method, const char *ep, const char *json, int fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
	char msg[1024], out[1024];
	struct iovec iov = { msg, 0 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), status = -1;
	ssize_t n;

	iov.iov_len = snprintf(msg, sizeof(msg), "%s /api/v1/%s HTTP/1.1\r\nHost: localhost\r\n"
			       "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			       method, ep, json ? strlen(json) : 0, json ? json : "");
	if (fd >= 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	strcpy(sa.sun_path, sock);
	if (s >= 0 && !connect(s, (struct sockaddr *)&sa, sizeof(sa)) &&
	    sendmsg(s, &mh, 0) == (ssize_t)iov.iov_len && (n = read(s, out, sizeof(out) - 1)) > 0) {
		out[n] = '\0';
		sscanf(out, "HTTP/1.1 %d", &status);
		if (status >= 500)
			tap_diag("%s %s with fd: %s", method, ep, out);
	}
	if (s >= 0)
		close(s);
	return status;
}

/* Does the server still hold the pipe's read end? (Ours is closed.) */
static bool held(int wfd)
{
	return write(wfd, "x", 1) == 1;
}

/* The state vm.info reports. */
static bool state_is(const char *state)
{
	char want[48];

	snprintf(want, sizeof(want), "\"state\":\"%s\"", state);
	return call("GET", "vm.info", NULL, 200, want);
}

/* All event lines so far, each checked for cloud-hypervisor's shape. */
static char evbuf[4096];
static bool events_are(const char *want)
{
	char got[512] = "", *line, *save;
	ssize_t n = read(events[0], evbuf, sizeof(evbuf) - 1);
	bool shape = true;

	evbuf[n > 0 ? n : 0] = '\0';
	for (line = strtok_r(evbuf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line), *ts, *v;

		shape = shape && o && json_object_object_get_ex(o, "timestamp", &ts) &&
			json_object_object_get_ex(ts, "secs", NULL) &&
			json_object_object_get_ex(ts, "nanos", NULL) &&
			json_object_object_get_ex(o, "properties", &v) && !v &&
			json_object_object_get_ex(o, "source", &v);
		if (o && json_object_object_get_ex(o, "event", &v))
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", *got ? " " : "",
				 json_object_get_string(json_object_object_get_ex(o, "source", &ts) ? ts : v),
				 json_object_get_string(v));
		json_object_put(o);
	}
	if (!shape || strcmp(got, want))
		tap_diag("events: '%s' (shape %s), want '%s'", got, shape ? "ok" : "bad", want);
	return shape && !strcmp(got, want);
}

static void *serve(void *arg)
{
	return (void *)(long)api_server_run(srv);
}

static int netpipe[2] = { -1, -1 };

/* vm.add-net with a tap fd: a pipe stands in for the tap (fake ops). */
static void test_add_net(void)
{
	static const char net[] = "{\"mac\":\"52:54:00:aa:bb:cc\",\"num_queues\":2}";
	int other[2];
	char *body = NULL;

	if (pipe(netpipe) || pipe(other))
		return;
	fcntl(netpipe[1], F_SETFL, O_NONBLOCK);
	ok(send_with_fd("PUT", "vm.add-net", net, netpipe[0]) == 204, "vm.add-net with an fd (SCM_RIGHTS): 204");
	close(netpipe[0]);
	ok(held(netpipe[1]), "the fd arrived and the server keeps it");
	ok(req("GET", "vm.info", NULL, &body) == 200 && strstr(body, "\"mac\":\"52:54:00:aa:bb:cc\""),
	   "vm.info: the added net with the MAC asked for");
	free(body);
	ok(send_with_fd("GET", "vmm.ping", NULL, other[0]) == 200, "an fd with a request that takes none");
	close(other[0]);
	ok(!held(other[1]), "... is closed by the server");
	close(other[1]);
	ok(send_with_fd("PUT", "vm.add-net", "{\"mac\":\"bogus\"}", -1) == 400, "vm.add-net, bad MAC: 400");
	ok(call("PUT", "vm.add-net", "{\"mac\":\"52:54:00:00:00:01\"}", 400, "tap: required"),
	   "vm.add-net with neither fd nor tap: 400");
}

static void test_lifecycle(void)
{
	char *body = NULL;

	ok(req("GET", "vmm.ping", NULL, &body) == 200 && strstr(body, "\"build_version\":\"v0.1.0\"") &&
	   strstr(body, "\"version\":\"0.1.0\"") && strstr(body, "\"features\":[]"),
	   "GET vmm.ping: 200, versions and features");
	free(body);
	ok(events_are("vmm:starting"), "event: vmm starting");
	ok(call("GET", "vm.info", NULL, 409, "[\"the VM is not created\"]"), "vm.info before create: 409, error array");
	ok(call("PUT", "vm.boot", NULL, 409, "not created"), "vm.boot before create: 409");
	ok(call("PUT", "vm.shutdown", NULL, 409, "not created"), "vm.shutdown before create: 409");
	ok(call("GET", "vm.counters", NULL, 409, NULL), "vm.counters before create: 409");
	ok(call("PUT", "vm.create", NULL, 400, "needs a VmConfig"), "vm.create without a body: 400");
	ok(call("PUT", "vm.create", "{\"cpus\":", 400, "not JSON"), "vm.create with broken JSON: 400");
	ok(call("PUT", "vm.create", "{\"cpus\":{\"boot_vcpus\":true},\"payload\":{\"kernel\":\"/k\"}}", 400,
		"cpus.boot_vcpus: expected an integer"), "vm.create with a wrong type: 400 names the field");
	ok(call("PUT", "vm.create", "{\"payload\":{\"kernel\":\"/bad\"}}", 400, "--kernel /bad"),
	   "vm.create the ops refuse: 400 with their message");
	ok(call("PUT", "vm.create", config, 204, NULL) && fake.cpus == 2, "vm.create: 204, the ops see 2 vCPUs");
	ok(call("PUT", "vm.create", config, 409, "already created"), "vm.create again: 409");
	ok(state_is("Created"), "vm.info: Created");
	ok(req("GET", "vm.info", NULL, &body) == 200 && strstr(body, "\"boot_vcpus\":2") &&
	   strstr(body, "\"host_numa_node\":1") && strstr(body, "\"cmdline\":\"quiet\"") &&
	   strstr(body, "\"memory_actual_size\":268435456"), "vm.info: the config, node and size");
	free(body);
	test_add_net();
	ok(call("GET", "vm.counters", NULL, 200, "{\"blk0\":{\"requests\":7,\"violations\":3}}"),
	   "vm.counters: every device's counters, violations included");
	ok(call("PUT", "vm.pause", NULL, 409, "Created: vm.pause does not apply"), "vm.pause when Created: 409");
	ok(call("PUT", "vm.boot", NULL, 204, NULL) && state_is("Running") && fake.boot == 1, "vm.boot: Running");
	ok(events_are("vm:booting vm:booted"), "events: booting, booted");
	ok(call("PUT", "vm.boot", NULL, 409, "Running"), "vm.boot when Running: 409");
	ok(call("PUT", "vm.add-net", "{\"tap\":\"t9\"}", 409, "before vm.boot"),
	   "vm.add-net when Running: 409, no hot-plug");
	ok(call("PUT", "vm.pause", NULL, 204, NULL) && state_is("Paused"), "vm.pause: Paused");
	ok(call("PUT", "vm.pause", NULL, 409, NULL), "vm.pause when Paused: 409");
	ok(call("PUT", "vm.resume", NULL, 204, NULL) && state_is("Running"), "vm.resume: Running");
	ok(events_are("vm:pausing vm:paused vm:resuming vm:resumed"), "events: pausing .. resumed");
	fake.pause_ret = -EOPNOTSUPP;
	ok(call("PUT", "vm.pause", NULL, 501, "not supported") && state_is("Running"),
	   "a pause the VM cannot do: 501 and still Running");
	fake.pause_ret = 0;
	events_are("vm:pausing");
	ok(call("PUT", "vm.reboot", NULL, 204, NULL) && fake.reboot == 1 && state_is("Running"), "vm.reboot");
	ok(events_are("vm:rebooting vm:rebooted"), "events: rebooting, rebooted");

	api_server_vm_stopped(srv);	/* the guest reset itself */
	for (int i = 0; i < 100 && !strstr(evbuf, "shutdown"); i++) {
		usleep(10000);
		if (read(events[0], evbuf, sizeof(evbuf) - 1) > 0)
			break;
	}
	ok(strstr(evbuf, "\"shutdown\"") && state_is("Shutdown"), "the guest stopped by itself: Shutdown, event");
	ok(call("PUT", "vm.boot", NULL, 204, NULL) && state_is("Running") && fake.boot == 2,
	   "vm.boot from Shutdown");
	ok(call("PUT", "vm.shutdown", NULL, 204, NULL) && state_is("Shutdown") && fake.shutdown == 1,
	   "vm.shutdown: Shutdown");
	ok(call("PUT", "vm.shutdown", NULL, 409, "not running"), "vm.shutdown when Shutdown: 409");
	ok(events_are("vm:booting vm:booted vm:shutdown"), "events: booting, booted, shutdown");
	ok(call("PUT", "vm.boot", NULL, 204, NULL) && call("PUT", "vm.delete", NULL, 204, NULL) &&
	   fake.shutdown == 2 && fake.destroy == 1, "vm.delete of a running VM shuts it down first");
	ok(events_are("vm:booting vm:booted vm:shutdown vm:deleted"), "events: ... shutdown, deleted");
	ok(!held(netpipe[1]), "vm.delete closes the added net's fd");
	close(netpipe[1]);
	ok(call("GET", "vm.info", NULL, 409, NULL) && call("PUT", "vm.delete", NULL, 204, NULL),
	   "after delete: not created; delete again is 204");
	ok(call("PUT", "vm.create", config, 204, NULL), "vm.create after delete");
}

static void test_bad_requests(void)
{
	char big[256], *out;

	ok(call("PUT", "vm.nmi", NULL, 404, "no such endpoint"), "unknown endpoint: 404");
	ok(strstr(raw("GET /v2/vmm.ping HTTP/1.1\r\n\r\n", 29), "404 Not Found"), "outside /api/v1: 404");
	ok(call("GET", "vm.boot", NULL, 405, "use PUT"), "GET vm.boot: 405");
	ok(call("PUT", "vm.info", NULL, 405, "use GET"), "PUT vm.info: 405");
	ok(call("DELETE", "vmm.ping", NULL, 405, NULL), "DELETE vmm.ping: 405");
	out = raw("GET /api/v1/vmm.ping HTTP/1.1\n\n", 32);
	ok(strstr(out, "400 Bad Request") && strstr(out, "malformed") && strstr(out, "Connection: close"),
	   "bare LF: 400 and the connection closes");
	snprintf(big, sizeof(big), "PUT /api/v1/vm.create HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
		 HTTP_MAX_BODY + 1);
	ok(strstr(raw(big, strlen(big)), "413 Content Too Large"), "a body over 1 MiB: 413 before it is sent");
	out = raw("PUT /api/v1/vm.pause HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 74);
	ok(strstr(out, "501 Not Implemented"), "chunked body with data: 501");
	out = raw("GET /api/v1/vm.info HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 65);
	ok(strstr(out, "200 OK") && strstr(out, "\"state\":\"Created\""),
	   "an empty chunked body (curl's PUT without data, libvirt's vm.boot): served");
	ok(strstr(raw("GET /api/v1/vmm.ping HTTP/3.0\r\n\r\n", 33), "505"), "HTTP/3.0: 505");
	out = raw("GET /api/v1/vmm.ping HTTP/1.1\r\n\r\nGET /api/v1/vm.info HTTP/1.1\r\n\r\n", 66);
	ok(strstr(out, "\"pid\"") && strstr(out, "\"state\":\"Created\""), "two pipelined requests, two answers");
	ok(expect_continue(), "Expect: 100-continue is answered before the body, then the request");
	raw("GET /api/v1/vmm.pi", 18);	/* half a request, then gone */
	ok(call("GET", "vmm.ping", NULL, 200, NULL) && state_is("Running"), "after all that the server still serves");
	events_are("vm:booting vm:booted");
}

static void test_remote(void)
{
	char *av[6] = { "remote", "--api-socket", sock, "ping", NULL, NULL };
	int out = dup(STDOUT_FILENO), fd = open("/dev/null", O_WRONLY), err = dup(STDERR_FILENO);

	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	int ping = api_remote_main(4, av);
	av[3] = "counters";
	int counters = api_remote_main(4, av);
	av[3] = "resume";
	int resume = api_remote_main(4, av);
	av[3] = "create";
	int nofile = api_remote_main(4, av);
	av[4] = "/nonexistent.json";
	int missing = api_remote_main(5, av);
	av[3] = "frobnicate";
	int unknown = api_remote_main(4, av);
	av[1] = "ping";
	int nosock = api_remote_main(2, av);
	char *bad[] = { "remote", "--api-socket", "/nonexistent/sock", "ping", NULL };
	int noserver = api_remote_main(4, bad);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	close(fd);
	ok(ping == 0 && counters == 0, "pnvm remote ping, counters: 0");
	ok(resume == 1, "pnvm remote resume when Running: 1 (API error)");
	ok(noserver == 1, "pnvm remote to no server: 1");
	ok(nofile == 2 && missing == 2 && unknown == 2 && nosock == 2,
	   "pnvm remote usage errors: 2 (create without FILE, missing FILE, unknown command, no socket)");
}

/* One request straight into a server's core, no socket. */
static int handle(struct api_server *s, const char *ep, const char *json, char **body)
{
	struct http_request r = { .method = "PUT", .body = json, .body_len = strlen(json) };
	size_t len;

	snprintf(r.path, sizeof(r.path), "/api/v1/%s", ep);
	return api_handle(s, &r, body, &len);
}

/* pnvm.conf's require_private, on a made-up host (a nodelist file). */
static void test_require_private(void)
{
	static const char zoned[] = "{\"memory\":{\"size\":0,\"zones\":[{\"size\":268435456,"
				    "\"host_numa_node\":0}]},\"payload\":{\"kernel\":\"/k\"}}";
	static const char plain[] = "{\"payload\":{\"kernel\":\"/k\"}}";
	char list[160], *body = NULL;
	struct api_config cfg = {
		.listen_fd = -1, .event_fd = -1, .signal_fd = -1, .default_node = 2,
		.require_private = true, .private_list = list, .ops = &fake_ops,
	};
	struct api_server *s;
	FILE *f;
	int st, creates = fake.create;

	snprintf(list, sizeof(list), "%s/has_private_memory", dir);
	f = fopen(list, "w");
	if (!f || api_server_new(&s, &cfg))
		return;
	fputs("2\n", f);
	fclose(f);
	st = handle(s, "vm.create", zoned, &body);
	ok(st == 400 && strstr(body, "requires private memory") && strstr(body, "node 0 is not private") &&
	   fake.create == creates, "require_private: RAM on node 0 refused, 400 says why: %s", body);
	free(body);
	st = handle(s, "vm.create", plain, &body);
	ok(st == 204 && fake.create == creates + 1, "require_private: the default node 2 is private: 204");
	free(body);
	api_server_free(s);
	unlink(list);
}

static void *serve_one(void *arg)
{
	return (void *)(long)api_server_run(arg);
}

/* A one_vm server (pnvm run ... --api-socket) on @path, the command line's VM adopted. */
static struct api_server *one_vm(struct api_config *cfg, const char *path, struct machine *m,
				 pthread_t *t)
{
	static struct pnvm_opts opts;
	char *av[] = { "pnvm", "run", "--kernel", "/k", "--private-node", "1", "--cpus", "3", NULL };
	char arg[160];
	struct api_server *s;
	bool booting;

	snprintf(arg, sizeof(arg), "path=%s", path);
	if (cli_parse(&opts, 8, av) != CLI_RUN || machine_from_opts(m, &opts) ||
	    api_socket_arg("--api-socket", arg, true, &cfg->listen_fd) || api_server_new(&s, cfg))
		return NULL;
	if (api_server_adopt(s, m, &booting) || pthread_create(t, NULL, serve_one, s)) {
		api_server_free(s);
		return NULL;
	}
	return s;
}

/*
 * Serving ended within 5 s and returned 0; the socket closed and removed.
 * A server that goes on serving is left running: the test fails, not hangs.
 */
static bool ended(struct api_server **s, pthread_t t, struct api_config *cfg, const char *path)
{
	struct timespec until;
	void *ret = (void *)1;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	done = !pthread_timedjoin_np(t, &ret, &until);
	close(cfg->listen_fd);
	unlink(path);
	if (!done)
		*s = NULL;	/* still in use by its thread: leak it */
	return done && !ret;
}

/*
 * `pnvm run ... --api-socket`: the command line's VM is created and
 * booted before serving, and serving ends whenever that VM stops.
 */
static void test_one_vm(void)
{
	struct api_config cfg = { .event_fd = -1, .signal_fd = -1, .default_node = 1, .ops = &fake_ops,
				  .one_vm = true };
	int creates = fake.create, boots = fake.boot, stops = fake.shutdown, destroys = fake.destroy, sfd;
	char path[160], *body = NULL;
	struct api_server *s;
	struct machine m;
	sigset_t hup;
	pthread_t t;
	bool booting;

	snprintf(path, sizeof(path), "%s/one.sock", dir);
	s = one_vm(&cfg, path, &m, &t);
	ok(s && fake.create == creates + 1 && fake.boot == boots + 1 && fake.cpus == 3,
	   "one_vm: the command line's VM is created and booted before serving");
	if (!s)
		return;
	ok(!api_request(path, "GET", "vm.info", NULL, 0, &(int){ 0 }, &body) && body &&
	   strstr(body, "\"state\":\"Running\"") && strstr(body, "\"boot_vcpus\":3"),
	   "one_vm: vm.info shows it Running, with its config");
	free(body);
	ok(api_server_adopt(s, &m, &booting) == -EBUSY && !booting, "one_vm: a second VM is refused");
	ok(call_at(path, "PUT", "vm.create", config, 409), "one_vm: vm.create: 409, the VM exists");
	api_server_vm_stopped(s);	/* the guest reset itself */
	ok(ended(&s, t, &cfg, path) && fake.destroy == destroys + 1 && s && !api_server_signal(s),
	   "one_vm: the guest stopping ends serving, the VM deleted, no signal");
	api_server_free(s);

	s = one_vm(&cfg, path, &m, &t);
	ok(s && call_at(path, "PUT", "vm.shutdown", NULL, 204) && ended(&s, t, &cfg, path) &&
	   fake.shutdown == stops + 1, "one_vm: vm.shutdown is answered, then serving ends");
	api_server_free(s);

	/* systemd's stop: SIGTERM, here SIGHUP (blocked, so it stays in the signalfd). */
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hup, NULL);
	cfg.signal_fd = sfd = signalfd(-1, &hup, SFD_CLOEXEC | SFD_NONBLOCK);
	s = one_vm(&cfg, path, &m, &t);
	ok(s && !pthread_kill(t, SIGHUP) && ended(&s, t, &cfg, path) && s && api_server_signal(s) == SIGHUP &&
	   fake.shutdown == stops + 2, "one_vm: a signal stops the VM and is told (pnvm exits 128 + N)");
	api_server_free(s);
	close(sfd);
	cfg.signal_fd = -1;
}

static void test_socket_args(void)
{
	int fd;

	ok(api_socket_arg("--api-socket", "bogus=1", true, &fd) == -EINVAL, "--api-socket bogus=1: refused");
	ok(api_socket_arg("--api-socket", "fd=abc", true, &fd) == -EINVAL, "--api-socket fd=abc: refused");
	ok(api_socket_arg("--api-socket", "fd=9999", true, &fd) == -EINVAL, "--api-socket fd= not open: refused");
	ok(api_socket_arg("--api-socket", sock, true, &fd) == -EADDRINUSE, "an existing socket path is not taken over");
}

int main(void)
{
	struct api_config cfg = { .event_fd = -1, .signal_fd = -1, .default_node = 1, .ops = &fake_ops };
	pthread_t t;
	void *ret;
	char arg[160];
	int destroys;

	signal(SIGPIPE, SIG_IGN);	/* held(): a closed pipe is EPIPE, not death */
	setenv("PNVM_CONF", "/nonexistent/pnvm.conf", 1);	/* not this host's defaults */
	if (!mkdtemp(dir) || pipe(events)) {
		ok(0, "temporary directory and event pipe");
		return tap_done();
	}
	fcntl(events[0], F_SETFL, O_NONBLOCK);
	snprintf(sock, sizeof(sock), "%s/api.sock", dir);
	snprintf(arg, sizeof(arg), "path=%s", sock);
	cfg.event_fd = events[1];
	ok(!api_socket_arg("--api-socket", arg, true, &cfg.listen_fd), "--api-socket path=: listening");
	ok(!api_server_new(&srv, &cfg) && !pthread_create(&t, NULL, serve, NULL), "server started");

	test_lifecycle();
	test_bad_requests();
	test_remote();
	test_socket_args();
	test_require_private();
	test_one_vm();

	destroys = fake.destroy;
	ok(call("PUT", "vmm.shutdown", NULL, 204, NULL), "vmm.shutdown: 204");
	ok(!pthread_join(t, &ret) && !ret, "the server returns");
	ok(events_are("vm:shutdown vm:deleted vmm:shutdown") && fake.destroy == destroys + 1,
	   "vmm.shutdown stops and deletes the VM first");
	api_server_free(srv);
	close(cfg.listen_fd);
	unlink(sock);
	rmdir(dir);
	return tap_done();
}
