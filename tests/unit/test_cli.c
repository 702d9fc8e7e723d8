// SPDX-License-Identifier: GPL-2.0
/* CLI parsing, size parsing and every bad input pnvm must reject with exit 2. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/cli.h"
#include "vmm/node.h"

#define ARGV(...)	((char *[]){ "pnvm", __VA_ARGS__, NULL })
#define ARGC(v)		((int)(sizeof(v) / sizeof(char *)) - 1)

static struct pnvm_opts o;

static int parse(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cli_parse(&o, argc, argv);
}

/* The file checks run on the machine description the options make. */
static int check_files(void)
{
	static struct machine m;

	return machine_from_opts(&m, &o) ? -1 : machine_check_files(&m);
}

static void bad(char **argv, const char *expect, const char *what)
{
	int ret = parse(argv);

	ok(ret == -EINVAL && strstr(err_msg(), expect),
	   "%s is rejected: \"%s\"", what, err_msg());
}

static void sizes(void)
{
	static const struct { const char *s; u64 v; } good[] = {
		{ "256M", 256ULL << 20 }, { "1G", 1ULL << 30 }, { "4096", 4096 },
		{ "64k", 64 << 10 }, { "2g", 2ULL << 30 }, { "512MiB", 512ULL << 20 },
		{ "1T", 1ULL << 40 },
	};
	static const char *const badsz[] = { "", "M", "12Q", "-1G", "1.5G", "1GG", " 1G",
					     "99999999999999999999", "17179869184G" };
	u64 v;

	for (unsigned int i = 0; i < ARRAY_SIZE(good); i++)
		ok(!parse_size(good[i].s, &v) && v == good[i].v, "size \"%s\" = %llu",
		   good[i].s, (unsigned long long)good[i].v);
	for (unsigned int i = 0; i < ARRAY_SIZE(badsz); i++)
		ok(parse_size(badsz[i], &v) < 0, "size \"%s\" is refused", badsz[i]);
}

/* virtio devices and the shared window (issue 4). */
static void devices(void)
{
	int ret;

	ret = parse(ARGV("--kernel", "/k", "--private-node", "1"));
	ok(ret == CLI_RUN && !cli_nr_virtio(&o) && o.window_size == 64ULL << 20 &&
	   o.shared_node == 0 && !o.window_off && !o.name,
	   "defaults: no devices, 64M window on node 0, window on");

	ret = parse(ARGV("--kernel", "/k", "--private-node", "1", "--name", "vm-1",
			 "--disk", "/a.img", "--disk", "/b.img,ro", "--disk", "/c.img,rw",
			 "--net", "tap=tap0", "--net", "tap=tap5e1c2d3a-4b", "--rng", "--console",
			 "--shared-window", "32M", "--shared-node", "0"));
	ok(ret == CLI_RUN && o.ndisks == 3 && !strcmp(o.disks[0].path, "/a.img") &&
	   !o.disks[0].ro && !strcmp(o.disks[1].path, "/b.img") && o.disks[1].ro &&
	   !strcmp(o.disks[2].path, "/c.img") && !o.disks[2].ro,
	   "--disk PATH, PATH,ro and PATH,rw (repeatable)");
	ok(ret == CLI_RUN && o.nnets == 2 && !strcmp(o.nets[0].tap, "tap0") &&
	   !strcmp(o.nets[1].tap, "tap5e1c2d3a-4b") && o.nets[0].fd == -1 && !o.nets[0].mac_set &&
	   o.rng && o.console &&
	   cli_nr_virtio(&o) == 7, "--net tap=NAME twice, --rng, --console: 7 devices");
	ret = parse(ARGV("--kernel", "/proc/self/exe", "--private-node", "1",
			 "--net", "tap=t0,mac=52:54:00:AB:cd:01", "--net", "fd=999,mac=52:54:00:00:00:02"));
	ok(ret == CLI_RUN && o.nnets == 2 && !strcmp(o.nets[0].tap, "t0") && o.nets[0].mac_set &&
	   !memcmp(o.nets[0].mac, "\x52\x54\x00\xab\xcd\x01", 6) && !o.nets[1].tap &&
	   o.nets[1].fd == 999 && o.nets[1].mac[5] == 2,
	   "--net tap=NAME,mac=MAC (either case) and fd=N,mac=MAC");
	{
		static struct machine m;
		char mac[18];

		ok(!machine_from_opts(&m, &o) && m.devs[0].tap_fd == -1 && m.devs[1].tap_fd == 999 &&
		   !m.devs[1].tap && (cli_format_mac(m.devs[0].mac, mac), !strcmp(mac, "52:54:00:ab:cd:01")),
		   "the machine's nets carry the MAC and the fd");
		ok(machine_check_files(&m) == -EBADF && strstr(err_msg(), "--net fd=999: not an open"),
		   "--net fd= not open: refused (%s)", err_msg());
		parse(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0", "--net", "tap=t1"));
		ok(!machine_from_opts(&m, &o) && !memcmp(m.devs[1].mac, "\x02pnvm\x01", 6),
		   "no mac=: pnvm's own, 02:70:6e:76:6d:INDEX");
	}
	ret = parse(ARGV("--kernel", "/k", "--private-node", "1", "--name", "vm-1",
			 "--disk", "/a.img", "--disk", "/b.img,ro", "--disk", "/c.img,rw",
			 "--net", "tap=tap0", "--net", "tap=tap5e1c2d3a-4b", "--rng", "--console",
			 "--shared-window", "32M", "--shared-node", "0"));
	ok(ret == CLI_RUN && o.window_size == 32ULL << 20 && o.shared_node == 0 &&
	   !strcmp(o.name, "vm-1"), "--shared-window 32M --shared-node 0 --name vm-1");

	/* What libvirt/argv.c emits: "--opt value", sizes with K/M/G. */
	ret = parse(ARGV("run", "--name", "instance-0000002a", "--kernel", "/k", "--memory", "2G",
			 "--cpus", "2", "--private-node", "1", "--prealloc", "--disk", "/d",
			 "--disk", "/d.config,ro", "--net", "tap=tap0", "--rng",
			 "--shared-window", "65536K", "--shared-node", "0"));
	ok(ret == CLI_RUN && o.ndisks == 2 && o.disks[1].ro && o.window_size == 64ULL << 20,
	   "a libvirt translation parses (%s)", ret == CLI_RUN ? "ok" : err_msg());

	ret = parse(ARGV("--kernel", "/k", "--private-node", "0", "--rng", "--window=off"));
	ok(ret == CLI_RUN && o.window_off, "--window=off lets the devices share node 0 with RAM");
	ret = parse(ARGV("--kernel", "/k", "--private-node", "1", "--window", "off", "--window", "on"));
	ok(ret == CLI_RUN && !o.window_off, "--window off then on: the last wins");
	ret = parse(ARGV("--kernel", "/k", "--private-node", "1", "--rng", "--window=hidden"));
	ok(ret == CLI_RUN && o.window_hidden && !o.window_off, "--window=hidden: a window, not told");
	ret = parse(ARGV("--kernel", "/k", "--private-node", "1", "--window=hidden", "--window=off"));
	ok(ret == CLI_RUN && !o.window_hidden && o.window_off, "--window hidden then off: the last wins");
	ret = parse(ARGV("--kernel", "/k", "--private-node", "0", "--shared-window", "4M"));
	ok(ret == CLI_RUN, "no devices: the shared node may equal the private node (no window)");
	ret = parse(ARGV("--kernel", "/k", "--private-node", "0"));
	ok(ret == CLI_RUN && o.seccomp == SC_ON && !o.user, "seccomp on by default, no --user");
	ret = parse(ARGV("--kernel", "/k", "--private-node", "0", "--seccomp=log", "--user", "nobody",
			 "--group", "nogroup"));
	ok(ret == CLI_RUN && o.seccomp == SC_LOG && !strcmp(o.user, "nobody") &&
	   !strcmp(o.group, "nogroup"), "--seccomp=log --user nobody --group nogroup");
	bad(ARGV("--kernel", "/k", "--private-node", "0", "--seccomp=yes"), "not on, log or off",
	    "--seccomp=yes");
	{
		static struct machine m;

		parse(ARGV("--kernel", "/k", "--private-node", "0", "--user", "no-such-user-pnvm"));
		ok(machine_from_opts(&m, &o) == -EINVAL && strstr(err_msg(), "no such user"),
		   "unknown --user: bad input before KVM (%s)", err_msg());
	}

	bad(ARGV("--kernel", "/k", "--private-node", "1", "--rng", "--shared-node", "1"),
	    "--shared-node 1 is the private node", "--shared-node == --private-node");
	bad(ARGV("--kernel", "/k", "--private-node", "0", "--disk", "/d"),
	    "--shared-node 0 is the private node", "a device with the default window on the private node");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--shared-node", "x"),
	    "not a node number", "--shared-node x");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--shared-window", "3M"),
	    "multiple of 2M", "--shared-window 3M");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--shared-window", "0"),
	    "multiple of 2M", "--shared-window 0");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--shared-window", "lots"),
	    "cannot parse size 'lots'", "--shared-window lots");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--shared-window", "2G"),
	    "more than 1G", "--shared-window 2G");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--window", "maybe"),
	    "is not on, off or hidden", "--window maybe");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--window=off", "--shared-window", "64M"),
	    "no shared window", "--window=off with --shared-window");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--disk", "/d,cache=none"),
	    "unknown disk option 'cache=none'", "--disk PATH,cache=none");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--disk", ",ro"),
	    "no path", "--disk ,ro");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--disk", "/a,b,ro"),
	    "comma", "--disk with a comma in the path");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "user"),
	    "only tap=NAME or fd=N", "--net user");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0,mac=52:54:00:12:34"),
	    "not a MAC address", "--net tap=t0,mac= five octets");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0,mac=52:54:00:12:34:5g"),
	    "not a MAC address", "--net tap=t0,mac= with a non-hex digit");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0,mac=52-54-00-12-34-56"),
	    "not a MAC address", "--net tap=t0,mac= with dashes");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0,mac=01:00:5e:00:00:01"),
	    "multicast", "--net tap=t0,mac= multicast");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0,mac=00:00:00:00:00:00"),
	    "all-zero", "--net tap=t0,mac= all zeros");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=t0,model=virtio"),
	    "only mac=MAC may follow", "--net tap=t0,model=virtio");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "fd=x"),
	    "file descriptor number", "--net fd=x");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "fd=-1"),
	    "file descriptor number", "--net fd=-1");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap="),
	    "1-15 characters", "--net tap= (empty)");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=0123456789abcdef"),
	    "1-15 characters", "--net tap name of 16 characters");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--net", "tap=a/b"),
	    "not allowed", "--net tap=a/b");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--name", ""),
	    "1-63 characters", "--name ''");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--disk", "/1", "--disk", "/2",
		 "--disk", "/3", "--disk", "/4", "--net", "tap=a", "--net", "tap=b",
		 "--net", "tap=c", "--rng", "--console"),
	    "9 virtio devices; at most 8", "nine devices");
	ok(!strchr(err_msg(), '\n'), "device error messages are one line");

	/* Disk files: missing, unwritable for rw, a directory. */
	ok(parse(ARGV("--kernel", "/proc/self/exe", "--private-node", "1", "--disk", "/nonexistent.img")) == CLI_RUN &&
	   check_files() == -EINVAL && strstr(err_msg(), "--disk /nonexistent.img: No such file"),
	   "missing disk image: \"%s\"", err_msg());
	ok(parse(ARGV("--kernel", "/proc/self/exe", "--private-node", "1", "--disk", "/")) == CLI_RUN &&
	   check_files() == -EINVAL && strstr(err_msg(), "not a regular file or block device"),
	   "disk that is a directory: \"%s\"", err_msg());
	ok(parse(ARGV("--kernel", "/proc/self/exe", "--private-node", "1", "--disk", "/proc/self/exe,ro")) == CLI_RUN &&
	   check_files() == 0, "a readable disk passes with ,ro");
}

int main(void)
{
	int ret;

	sizes();

	ret = parse(ARGV("--kernel", "/k", "--private-node", "1"));
	ok(ret == CLI_RUN && !strcmp(o.kernel, "/k") && o.node == 1 &&
	   o.memory == 256ULL << 20 && o.cpus == 1 && o.prealloc && !o.initrd &&
	   !o.require_private && !o.report, "defaults: 256M, 1 CPU, prealloc");

	ret = parse(ARGV("run", "--kernel", "/k", "--initrd", "/i", "--cmdline", "quiet x=1",
			 "--memory", "1G", "--cpus", "4", "--private-node", "3",
			 "--no-prealloc", "--require-private", "--report"));
	ok(ret == CLI_RUN && !strcmp(o.initrd, "/i") && !strcmp(o.cmdline, "quiet x=1") &&
	   o.memory == 1ULL << 30 && o.cpus == 4 && o.node == 3 && !o.prealloc &&
	   o.require_private && o.report, "\"pnvm run\" with every option");

	ret = parse(ARGV("-k", "/k", "-m", "512M", "-p", "2", "-n", "0", "--no-prealloc",
			 "--prealloc"));
	ok(ret == CLI_RUN && o.memory == 512ULL << 20 && o.cpus == 2 && o.node == 0 &&
	   o.prealloc, "short options; the last of --prealloc/--no-prealloc wins");

	ret = parse(ARGV("--memory=2G", "--kernel=/k", "--private-node=1"));
	ok(ret == CLI_RUN && o.memory == 2ULL << 30, "--opt=value form");

	ret = parse(ARGV("run", "--kernel", "/k", "--private-node", "1", "--api-socket", "path=/run/a.sock",
			 "--event-monitor", "fd=3"));
	ok(ret == CLI_RUN && !strcmp(o.api_socket, "path=/run/a.sock") && !strcmp(o.event_monitor, "fd=3"),
	   "pnvm run --api-socket, --event-monitor: kept for the server (pnvm@.service's socket)");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--event-monitor", "path=/e"),
	    "need --api-socket", "--event-monitor without --api-socket");

	devices();

	ok(parse(ARGV("--help")) == CLI_HELP, "--help");
	ok(parse(ARGV("--kernel", "/k", "-h")) == CLI_HELP, "-h anywhere");
	ok(parse(ARGV("--version")) == CLI_VERSION, "--version");

	bad(ARGV("--private-node", "1"), "missing --kernel", "no --kernel");
	bad(ARGV("--kernel", "/k"), "missing --private-node", "no --private-node");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--memory", "lots"),
	    "cannot parse size 'lots'", "unparsable --memory");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--memory", "1M"),
	    "too small", "--memory below 32M");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--memory", "40001K"),
	    "multiple of 4K", "--memory not page-aligned");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--cpus", "0"),
	    "at least one CPU", "zero CPUs");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--cpus", "two"),
	    "not a number", "--cpus two");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--cpus", "1000"),
	    "more than", "too many CPUs");
	bad(ARGV("--kernel", "/k", "--private-node", "-1"),
	    "not a node number", "negative node");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--frobnicate"),
	    "unknown option '--frobnicate'", "unknown long option");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "-z"),
	    "unknown option '-z'", "unknown short option");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "--memory"),
	    "needs an argument", "option without its argument");
	bad(ARGV("--kernel", "/k", "--private-node", "1", "stray"),
	    "unexpected argument 'stray'", "stray argument");
	ok(!strchr(err_msg(), '\n'), "error messages are one line");

	/* Files: missing, a directory, fine. */
	ok(parse(ARGV("--kernel", "/nonexistent/bzImage", "--private-node", "0")) == CLI_RUN &&
	   check_files() == -EINVAL && strstr(err_msg(), "--kernel /nonexistent/bzImage: No such file"),
	   "missing kernel file: \"%s\"", err_msg());
	ok(parse(ARGV("--kernel", "/proc/self/exe", "--initrd", "/nonexistent.cpio", "--private-node", "0")) == CLI_RUN &&
	   check_files() == -EINVAL && strstr(err_msg(), "--initrd /nonexistent.cpio"),
	   "missing initrd file: \"%s\"", err_msg());
	ok(parse(ARGV("--kernel", "/", "--private-node", "0")) == CLI_RUN &&
	   check_files() == -EINVAL && strstr(err_msg(), "not a regular file"),
	   "kernel that is a directory: \"%s\"", err_msg());
	ok(parse(ARGV("--kernel", "/proc/self/exe", "--private-node", "0")) == CLI_RUN &&
	   check_files() == 0, "readable kernel file passes");

	/* The real binary, end to end, when the test runs from the checkout. */
	if (!access("build/pnvm", X_OK) || !access("build-san/pnvm", X_OK)) {
		const char *bin = !access("build/pnvm", X_OK) ? "build/pnvm" : "build-san/pnvm";
		static const char *const cases[] = {
			"--kernel /nonexistent --private-node 0",
			"--kernel /proc/self/exe --private-node 0 --memory 12X",
			"--kernel /proc/self/exe --private-node 4000",
			"--kernel /proc/self/exe --private-node 0 --memory 1T",
			"--kernel /proc/self/exe --private-node 0 --cpus 0",
			"--kernel /proc/self/exe --private-node 0 --bogus",
			"--kernel /proc/self/exe --private-node 0 --memory 64M",
			"--kernel /proc/self/exe --private-node 0 --rng",
			"--kernel /proc/self/exe --private-node 0 --rng --shared-node 4000",
			"--kernel /proc/self/exe --private-node 0 --disk /nonexistent.img --window=off",
			"--kernel /proc/self/exe --private-node 0 --net bogus",
			"--kernel /proc/self/exe --private-node 0 --net tap=t0,mac=01:02:03:04:05:06",
			"--kernel /proc/self/exe --private-node 0 --net fd=999",
			"--kernel /proc/self/exe --private-node 0 --shared-window 1M",
		};
		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
			char cmd[512], line[512] = "", buf[512];
			int lines = 0, status;
			FILE *p;

			snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null </dev/null", bin, cases[i]);
			p = popen(cmd, "r");
			while (p && fgets(buf, sizeof(buf), p))
				if (!lines++)
					memcpy(line, buf, sizeof(line));
			status = p ? pclose(p) : -1;
			ok(WIFEXITED(status) && WEXITSTATUS(status) == 2 && lines == 1 &&
			   !strncmp(line, "pnvm: ", 6),
			   "pnvm %s: exit 2, one line: %.*s", cases[i],
			   (int)strcspn(line, "\n"), line);
		}
	} else {
		tap_diag("build/pnvm not found; end-to-end exit-status checks skipped");
	}
	return tap_done();
}
