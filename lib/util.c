// SPDX-License-Identifier: GPL-2.0
/* Size parsing, the error-message slot and small I/O helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

/* Per thread, so vCPU threads cannot garble the main thread's message. */
static __thread char err_buf[512];

int errf(int err, const char *fmt, ...)
{
	char tmp[sizeof(err_buf)];
	va_list ap;

	/* Through tmp: callers may wrap the previous message (err_msg()). */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(err_buf, tmp, sizeof(err_buf));
	return err > 0 ? -err : err;
}

const char *err_msg(void)
{
	return err_buf[0] ? err_buf : "unknown error";
}

void err_clear(void)
{
	err_buf[0] = '\0';
}

int parse_size(const char *s, u64 *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	/* Allow "256MiB" and "256MB" as well as "256M". */
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (ULLONG_MAX >> shift))
		return -ERANGE;
	*out = (u64)v << shift;
	return 0;
}

int parse_uint(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

int load_file(const char *path, void **bufp, size_t *lenp)
{
	struct stat st;
	size_t done = 0;
	char *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errf(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		ret = errf(-EINVAL, "%s: not a regular file", path);
		close(fd);
		return ret;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return errf(-ENOMEM, "%s: out of memory", path);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n <= 0) {
			ret = errf(n ? -errno : -EIO, "%s: read failed", path);
			free(buf);
			close(fd);
			return ret;
		}
		done += n;
	}
	close(fd);
	*bufp = buf;
	*lenp = done;
	return 0;
}

/* One stderr line: "pnvm: " + prefix + message. */
static void vline(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "pnvm: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("warning: ", fmt, ap);
	va_end(ap);
}

void infof(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

void progress_bar(const char *what, u64 done, u64 total)
{
	int width = 40, fill = total ? (int)(done * width / total) : width;

	fprintf(stderr, "\r%s [%-*.*s] %3d%% %llu/%llu MiB", what, width, fill,
		"########################################",
		total ? (int)(done * 100 / total) : 100,
		(unsigned long long)(done >> 20), (unsigned long long)(total >> 20));
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}
