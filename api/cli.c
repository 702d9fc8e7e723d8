// SPDX-License-Identifier: GPL-2.0
/*
 * The API's command lines: `pnvm --api-socket ...` (a VMM with no VM,
 * served on the socket) and `pnvm remote` (a client, as ch-remote is).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/server.h"
#include "vmm/cli.h"
#include "vmm/node.h"

#define API_MAX_RESPONSE	(4 << 20)

static int unix_addr(const char *opt, const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path))
		return errf(-EINVAL, "%s %s: a socket path must be 1-%zu bytes", opt, path,
			    sizeof(sa->sun_path) - 1);
	strcpy(sa->sun_path, path);
	return 0;
}

int api_socket_arg(const char *opt, const char *arg, bool listen_on, int *fd)
{
	const char *path = !strncmp(arg, "path=", 5) ? arg + 5 : strchr(arg, '=') ? NULL : arg;
	struct sockaddr_un sa, tmp = { .sun_family = AF_UNIX };
	unsigned int n;
	int ret, on = 0;
	socklen_t sl = sizeof(on);

	if (!strncmp(arg, "fd=", 3)) {
		if (parse_uint(arg + 3, &n) || fcntl(n, F_GETFD) < 0)
			return errf(-EINVAL, "%s %s: not an open file descriptor", opt, arg);
		/* libvirt hands over a bound socket; listen() on a listening one is harmless. */
		if (listen_on && (getsockopt(n, SOL_SOCKET, SO_ACCEPTCONN, &on, &sl) ||
				  (!on && listen(n, API_MAX_CLIENTS))))
			return errf(-EINVAL, "%s %s: not a listening socket: %s", opt, arg, strerror(errno));
		*fd = n;
		return 0;
	}
	if (!path)
		return errf(-EINVAL, "%s %s: expected path=PATH or fd=N", opt, arg);
	if (!listen_on) {
		*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		return *fd < 0 ? errf(-errno, "%s %s: %s", opt, path, strerror(errno)) : 0;
	}
	ret = unix_addr(opt, path, &sa);
	if (ret)
		return ret;
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return errf(-errno, "%s: socket: %s", opt, strerror(errno));
	/*
	 * Bound and listening under a private name, then linked into place:
	 * a client that waits for the path to appear (libvirt does) never
	 * connects between bind() and listen(). link() also refuses an
	 * existing path, which is not ours to remove (another VMM's).
	 */
	if (snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%d", path, getpid()) >=
	    (int)sizeof(tmp.sun_path))
		tmp = sa;
	if (bind(*fd, (struct sockaddr *)&tmp, sizeof(tmp)) || listen(*fd, API_MAX_CLIENTS) ||
	    (strcmp(tmp.sun_path, path) && link(tmp.sun_path, path))) {
		ret = errno == EEXIST ? EADDRINUSE : errno;	/* as bind() says it */
		ret = errf(-ret, "%s %s: %s", opt, path, strerror(ret));
		if (strcmp(tmp.sun_path, path))
			unlink(tmp.sun_path);
		close(*fd);
		return ret;
	}
	if (strcmp(tmp.sun_path, path))
		unlink(tmp.sun_path);
	return 0;
}

static void api_usage(FILE *f)
{
	fputs("usage: pnvm --api-socket path=PATH|fd=N [--event-monitor path=PATH|fd=N]\n"
	      "            [--private-node N] [--seccomp=on|log|off]\n"
	      "Serve cloud-hypervisor's REST API (/api/v1/vm.create, vm.boot, vm.info, ...)\n"
	      "on a unix socket, with no VM until vm.create. --event-monitor writes one\n"
	      "JSON event per line; --private-node is the node of a VmConfig without\n"
	      "memory.zones[].host_numa_node (default: private_node in " NODE_CONF_PATH ",\n"
	      "or $PNVM_CONF, else the host's only private node; require_private = yes\n"
	      "there refuses a VM whose RAM would not be on a private node).\n"
	      "--seccomp: each VM's threads (default on).\n"
	      "       pnvm run [VM options|--libvirt DOMAIN.xml] --api-socket ... [--event-monitor ...]\n"
	      "            that VM, booted at once and served until it stops\n"
	      "       pnvm remote --api-socket PATH ping|info|counters|create FILE|boot|\n"
	      "            pause|resume|reboot|shutdown|delete|shutdown-vmm\n", f);
}

/*
 * Serve the API on @api until vmm.shutdown or a signal; with @m, that VM
 * is created and booted first and serving ends with it (cfg->one_vm).
 * Returns the exit status.
 */
static int serve(const char *api, const char *events, const struct api_config *cfg_in,
		 enum sc_mode seccomp, const struct machine *m)
{
	struct api_config cfg = *cfg_in;
	struct api_server *s = NULL;
	struct node_conf conf;
	const char *path;
	bool booting = false;
	sigset_t sigs;
	void *vm;
	int ret, status;

	/* The host's defaults; --private-node wins over them. */
	if (node_host_default(NULL, NULL, &conf)) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		return EXIT_BAD_INPUT;
	}
	if (cfg.default_node < 0)
		cfg.default_node = conf.private_node;
	cfg.require_private = conf.require_private;
	/* The monitor first: a refused one must not leave a bound socket behind. */
	ret = events ? api_socket_arg("--event-monitor", events, false, &cfg.event_fd) : 0;
	if (!ret)
		ret = api_socket_arg("--api-socket", api, true, &cfg.listen_fd);
	if (ret) {
		fprintf(stderr, "pnvm: %s\n", err_msg());
		return EXIT_BAD_INPUT;
	}
	/* A manager that hangs up must not kill the VMM (events, responses). */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * libvirt and systemd end the VMM with SIGTERM: stop the VM cleanly,
	 * as vmm.shutdown does. Blocked before any thread exists, so only
	 * the server's signalfd takes them.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	cfg.signal_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	vm = api_kvm_new();
	if (vm)
		api_kvm_set_seccomp(vm, seccomp);
	cfg.ops = &api_kvm_ops;
	cfg.opaque = vm;
	ret = vm ? api_server_new(&s, &cfg) : errf(-ENOMEM, "out of memory");
	if (!ret)
		api_kvm_set_server(vm, s);
	if (!ret && m)
		ret = api_server_adopt(s, m, &booting);
	if (!ret)
		ret = api_server_run(s);
	if (ret)
		fprintf(stderr, "pnvm: %s\n", err_msg());
	/*
	 * pnvm run's status with a VM: a VM the server cannot create is bad
	 * input (as vm.create's 400), one that cannot boot a failure; then
	 * the signal's, else the VM's own (0 when the API stopped it).
	 */
	if (ret)
		status = m && !booting ? EXIT_BAD_INPUT : 1;
	else if (m && api_server_signal(s))
		status = 128 + api_server_signal(s);
	else
		status = m ? api_kvm_status(vm) : 0;
	api_server_free(s);
	api_kvm_free(vm);
	if (cfg.signal_fd >= 0)
		close(cfg.signal_fd);
	path = !strncmp(api, "path=", 5) ? api + 5 : strchr(api, '=') ? NULL : api;
	if (path)
		unlink(path);
	return status;
}

int api_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "api-socket",		required_argument, NULL, 'a' },
		{ "event-monitor",	required_argument, NULL, 'e' },
		{ "private-node",	required_argument, NULL, 'n' },
		{ "seccomp",		required_argument, NULL, 's' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ }
	};
	const char *api = NULL, *events = NULL;
	struct api_config cfg = {
		.listen_fd = -1, .event_fd = -1, .signal_fd = -1, .default_node = -1,
	};
	enum sc_mode seccomp = SC_ON;
	unsigned int node;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			api = optarg;
			break;
		case 'e':
			events = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, &node)) {
				fprintf(stderr, "pnvm: --private-node: '%s' is not a node number\n", optarg);
				return EXIT_BAD_INPUT;
			}
			cfg.default_node = node;
			break;
		case 's':
			if (sc_parse_mode(optarg, &seccomp)) {
				fprintf(stderr, "pnvm: --seccomp: '%s' is not on, log or off\n", optarg);
				return EXIT_BAD_INPUT;
			}
			break;
		case 'h':
			api_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "pnvm: option %s needs an argument\n", argv[optind - 1]);
			return EXIT_BAD_INPUT;
		default:
			fprintf(stderr, "pnvm: unknown option '%s' with --api-socket (see --help; a VM from "
				"the command line: pnvm run ... --api-socket)\n",
				argv[optind - 1]);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind < argc || !api) {
		fprintf(stderr, "pnvm: %s\n", api ? "unexpected argument with --api-socket" :
			"missing --api-socket");
		return EXIT_BAD_INPUT;
	}
	return serve(api, events, &cfg, seccomp, NULL);
}

int api_run_main(const struct machine *m, const char *api, const char *events)
{
	const struct api_config cfg = {
		.listen_fd = -1, .event_fd = -1, .signal_fd = -1, .default_node = m->node,
		.one_vm = true,
	};

	return serve(api, events, &cfg, m->seccomp, m);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* The whole response (we asked for Connection: close), NUL-terminated. */
static int read_all(int fd, char **out, size_t *out_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *grown;

	while (buf) {
		ssize_t n;

		if (cap - len < 2) {
			grown = cap < API_MAX_RESPONSE ? realloc(buf, cap * 2) : NULL;
			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (!n) {
			buf[len] = '\0';
			*out = buf;
			*out_len = len;
			return 0;
		}
		len += n;
	}
	free(buf);
	return -EIO;
}

int api_request(const char *path, const char *method, const char *endpoint,
		const char *body, size_t len, int *status, char **resp)
{
	struct sockaddr_un sa;
	char head[512], *buf = NULL, *p;
	size_t n;
	int fd, ret, hl;

	*resp = NULL;
	ret = unix_addr("--api-socket", path, &sa);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errf(-errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = errf(-errno, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	hl = snprintf(head, sizeof(head), "%s " API_ROOT "%s HTTP/1.1\r\nHost: localhost\r\n"
		      "Accept: application/json\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n",
		      method, endpoint, len ? "Content-Type: application/json\r\n" : "", len);
	ret = hl < 0 || (size_t)hl >= sizeof(head) ? -E2BIG : write_all(fd, head, hl);
	if (!ret && len)
		ret = write_all(fd, body, len);
	if (!ret)
		ret = read_all(fd, &buf, &n);
	close(fd);
	if (ret)
		return errf(ret, "%s: %s", path, strerror(-ret));
	/* "HTTP/1.1 NNN Reason\r\n...\r\n\r\nbody" */
	p = strstr(buf, "\r\n\r\n");
	if (strncmp(buf, "HTTP/1.", 7) || n < 12 || !p || sscanf(buf + 9, "%3d", status) != 1) {
		free(buf);
		return errf(-EBADMSG, "%s: not an HTTP response", path);
	}
	memmove(buf, p + 4, n - (p + 4 - buf) + 1);
	*resp = buf;
	return 0;
}

int api_remote_main(int argc, char **argv)
{
	static const struct { const char *cmd, *method, *endpoint; } cmds[] = {
		{ "ping", "GET", "vmm.ping" }, { "info", "GET", "vm.info" },
		{ "counters", "GET", "vm.counters" }, { "create", "PUT", "vm.create" },
		{ "boot", "PUT", "vm.boot" }, { "pause", "PUT", "vm.pause" },
		{ "resume", "PUT", "vm.resume" }, { "reboot", "PUT", "vm.reboot" },
		{ "shutdown", "PUT", "vm.shutdown" }, { "delete", "PUT", "vm.delete" },
		{ "shutdown-vmm", "PUT", "vmm.shutdown" },
	};
	const char *sock = NULL, *cmd = NULL, *file = NULL;
	void *body = NULL;
	size_t len = 0, k;
	char *resp;
	int i, status;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--api-socket") && i + 1 < argc)
			sock = argv[++i];
		else if (!strncmp(argv[i], "--api-socket=", 13))
			sock = argv[i] + 13;
		else if (argv[i][0] == '-' && argv[i][1])
			break;
		else if (!cmd)
			cmd = argv[i];
		else if (!file)
			file = argv[i];
		else
			break;
	}
	for (k = 0; cmd && k < ARRAY_SIZE(cmds) && strcmp(cmd, cmds[k].cmd); k++)
		;
	if (i < argc || !sock || !cmd || k == ARRAY_SIZE(cmds) ||
	    !strcmp(cmd, "create") != !!file) {
		fprintf(stderr, "pnvm remote: %s\n", !sock ? "missing --api-socket PATH" :
			!cmd ? "missing command" : k == ARRAY_SIZE(cmds) ? "unknown command" :
			"bad arguments");
		api_usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (file && load_file(file, &body, &len)) {
		fprintf(stderr, "pnvm remote: %s\n", err_msg());
		return EXIT_BAD_INPUT;
	}
	i = api_request(sock, cmds[k].method, cmds[k].endpoint, body, len, &status, &resp);
	free(body);
	if (i) {
		fprintf(stderr, "pnvm remote: %s\n", err_msg());
		return 1;
	}
	if (status >= 200 && status < 300) {
		if (*resp)
			printf("%s\n", resp);
	} else {
		fprintf(stderr, "pnvm remote: %s: %d %s: %s\n", cmds[k].endpoint, status,
			http_reason(status), resp);
	}
	free(resp);
	return status >= 200 && status < 300 ? 0 : 1;
}
