/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the private-node kernel property tests.
 *
 * Each test is one row of the property table: it measures, prints its
 * evidence and ends with "RESULT: held|leak|n/a <why>" and exit code
 * 0, 1 or 77. Which kernel it runs on is learnt only by observing the
 * system (has_private_memory), never from the environment.
 */
#ifndef PNODE_H
#define PNODE_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>

#define PN_MAXNODE 64
#define PAGE 4096UL

static inline __attribute__((noreturn)) void pn_result(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("RESULT: %s", code == 0 ? "held" : code == 1 ? "leak" : "n/a ");
	if (code == 77 && fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	exit(code);
}
#define HELD()		pn_result(0, NULL)
#define LEAK()		pn_result(1, NULL)
#define NA(...)		pn_result(77, __VA_ARGS__)

/* "Die" on a broken test setup: not a measurement, so n/a with the reason */
#define SETUP_FAIL(what) NA("setup failed: %s: %s", what, strerror(errno))

static inline long pn_mbind(void *addr, unsigned long len, int mode,
			    unsigned long mask, unsigned int flags)
{
	unsigned long m = mask;

	return syscall(SYS_mbind, addr, len, mode, mask ? &m : NULL,
		       mask ? PN_MAXNODE : 0, flags);
}

static inline long pn_set_mempolicy(int mode, unsigned long mask)
{
	unsigned long m = mask;

	return syscall(SYS_set_mempolicy, mode, mask ? &m : NULL,
		       mask ? PN_MAXNODE : 0);
}

static inline long pn_move_pages(int pid, unsigned long n, void **pages,
				 const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, pid, n, pages, nodes, status, flags);
}

static inline long pn_migrate_pages(int pid, unsigned long from,
				    unsigned long to)
{
	unsigned long f = from, t = to;

	return syscall(SYS_migrate_pages, pid, PN_MAXNODE, &f, &t);
}

/* Node of each page of [p, p + npages * PAGE): counts per node into cnt[] */
static inline void pn_count_nodes(int pid, char *p, unsigned long npages,
				  unsigned long *cnt, int ncnt)
{
	const unsigned long chunk = 4096;
	void **pages = malloc(chunk * sizeof(void *));
	int *st = malloc(chunk * sizeof(int));
	unsigned long i, j, n;

	memset(cnt, 0, ncnt * sizeof(*cnt));
	for (i = 0; i < npages; i += chunk) {
		n = npages - i < chunk ? npages - i : chunk;
		for (j = 0; j < n; j++)
			pages[j] = p + (i + j) * PAGE;
		if (pn_move_pages(pid, n, pages, NULL, st, 0) < 0) {
			perror("move_pages(query)");
			continue;
		}
		for (j = 0; j < n; j++)
			if (st[j] >= 0 && st[j] < ncnt)
				cnt[st[j]]++;
	}
	free(pages);
	free(st);
}

static inline int pn_node_of(int pid, void *addr)
{
	int st = -1;

	if (pn_move_pages(pid, 1, &addr, NULL, &st, 0) < 0)
		return -errno;
	return st;
}

static inline int pn_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static inline int pn_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* Parse a nodelist like "0-1,3" into a bitmask. */
static inline unsigned long pn_parse_nodelist(const char *s)
{
	unsigned long mask = 0;
	char *end;

	while (*s && *s != '\n') {
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b && a < PN_MAXNODE; a++)
			mask |= 1UL << a;
		s = end;
		if (*s == ',')
			s++;
	}
	return mask;
}

static inline long pn_nodelist(const char *file)
{
	char path[256], buf[256];

	snprintf(path, sizeof(path), "/sys/devices/system/node/%s", file);
	if (pn_read_file(path, buf, sizeof(buf)))
		return -1;
	return pn_parse_nodelist(buf);
}

/* Private nodes as the kernel reports them; -1 when it has no such file. */
static inline long pn_private_nodes(void)
{
	return pn_nodelist("has_private_memory");
}

/*
 * The node under test: the first private node, else (stock kernel) the
 * first memory-only node, which the lab makes private on patched kernels.
 */
static inline int pn_target_node(void)
{
	long priv = pn_private_nodes(), mem = pn_nodelist("has_memory");
	long cpu = pn_nodelist("has_cpu");
	long cand = priv > 0 ? priv : (mem > 0 && cpu >= 0 ? mem & ~cpu : 0);

	if (cand <= 0)
		return -1;
	return __builtin_ctzl(cand);
}

static inline int pn_is_private(int nid)
{
	long priv = pn_private_nodes();

	return priv > 0 && (priv & (1UL << nid));
}

/* A field of /sys/devices/system/node/nodeN/meminfo, in kB; -1 if absent */
static inline long pn_node_meminfo(int nid, const char *field)
{
	char path[128], buf[8192], *p;
	size_t flen = strlen(field);

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 nid);
	if (pn_read_file(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; (p = strstr(p, field)); p += flen) {
		if (p[flen] == ':')
			return strtol(p + flen + 1, NULL, 10);
	}
	return -1;
}

/* A counter of /proc/vmstat (or nodeN/vmstat when nid >= 0); -1 if absent */
static inline long pn_vmstat(int nid, const char *field)
{
	char path[128], *buf, *p;
	size_t flen = strlen(field);
	long v = -1;

	if (nid < 0)
		snprintf(path, sizeof(path), "/proc/vmstat");
	else
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/vmstat", nid);
	buf = malloc(65536);
	if (!buf || pn_read_file(path, buf, 65536)) {
		free(buf);
		return -1;
	}
	for (p = buf; (p = strstr(p, field)); p += flen) {
		if ((p == buf || p[-1] == '\n') && p[flen] == ' ') {
			v = strtol(p + flen + 1, NULL, 10);
			break;
		}
	}
	free(buf);
	return v;
}

/* Touch every page of a region so it is allocated. */
static inline void pn_touch(char *p, unsigned long len)
{
	unsigned long i;

	for (i = 0; i < len; i += PAGE)
		p[i] = (char)(i >> 12) | 1;
}

/*
 * len bytes of anonymous base pages (no THP), bound to node and touched
 * so they are allocated there. NULL, errno set, when they cannot be
 * mapped or bound.
 */
static inline char *pn_map_on(unsigned long len, int node)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	if (pn_mbind(p, len, MPOL_BIND, 1UL << node, 0))
		return NULL;
	pn_touch(p, len);
	return p;
}

/* Read the kernel log into a malloc'ed buffer (klogctl READ_ALL). */
static inline char *pn_kmsg(void)
{
	int len = syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0);
	char *buf;

	if (len <= 0)
		len = 1 << 20;
	buf = malloc(len + 1);
	if (!buf)
		return NULL;
	len = syscall(SYS_syslog, 3 /* READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

#endif /* PNODE_H */
