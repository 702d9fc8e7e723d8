// SPDX-License-Identifier: GPL-2.0
/* The API's HTTP parser: one check per rule, and the response writer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/http.h"
#include "tests/tap.h"

static struct http_request req;

static int parse(const char *s)
{
	return http_parse(s, strlen(s), &req);
}

/* A head of @nheaders "X-N: v" lines, for the limits. */
static char *many_headers(unsigned int nheaders, size_t pad)
{
	size_t size = 64 + nheaders * 16 + pad;
	char *s = malloc(size);
	size_t len = snprintf(s, size, "GET / HTTP/1.1\r\n");

	for (unsigned int i = 0; i < nheaders; i++)
		len += snprintf(s + len, size - len, "X-%u: v\r\n", i);
	memset(s + len, 'a', pad);
	len += pad;
	snprintf(s + len, size - len, "\r\n");
	return s;
}

static void test_requests(void)
{
	const char *put = "PUT /api/v1/vm.create HTTP/1.1\r\nHost: localhost\r\n"
			  "Content-Length: 5\r\n\r\nhello";
	const char *two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
	int n;

	n = parse("GET /api/v1/vmm.ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
	ok(n == 50 && !strcmp(req.method, "GET") && !strcmp(req.path, "/api/v1/vmm.ping") &&
	   req.keep_alive && req.body_len == 0 && req.body, "GET: whole request taken, keep-alive by default");
	ok(parse("GET /api/v1/vmm.ping HTTP/1.1\r\nHost: loc") == 0, "partial head: need more");
	ok(parse("GET /api/v1/vmm.ping HTTP/1.1\r\n\r") == 0, "head missing its last LF: need more");
	ok(http_parse(put, strlen(put) - 2, &req) == 0 && req.head_len == strlen(put) - 5 &&
	   !req.body, "partial body: need more, head length known");
	n = parse(put);
	ok(n == (int)strlen(put) && req.body_len == 5 && !memcmp(req.body, "hello", 5),
	   "PUT with Content-Length: body points into the buffer");
	ok(parse(two) == 19 && !strcmp(req.path, "/a"), "pipelined: only the first request is taken");
	ok(parse("GET /api/v1/vm.info?x=1 HTTP/1.1\r\n\r\n") > 0 && !strcmp(req.path, "/api/v1/vm.info"),
	   "query string dropped from the path");
	ok(parse("GET / HTTP/1.0\r\n\r\n") > 0 && !req.keep_alive && req.minor == 0,
	   "HTTP/1.0: close by default");
	ok(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") > 0 && req.keep_alive,
	   "HTTP/1.0 with Connection: keep-alive");
	ok(parse("GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n") > 0 && !req.keep_alive,
	   "HTTP/1.1 with close in a Connection list");
	ok(parse("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n") == 0 &&
	   req.expect_continue && req.head_len, "Expect: 100-continue is reported with the head");
	ok(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n") > 0,
	   "the same Content-Length twice is accepted");
	ok(parse("GET / HTTP/1.1\r\nX-Empty:\r\nX-Tab:\tv \t\r\n\r\n") > 0, "empty and tab-padded values");
}

static void test_rules(void)
{
	char *s;

	ok(parse("GET / HTTP/1.1\n\n") == -EBADMSG, "bare LF: -EBADMSG before the head ends");
	ok(http_parse("GET /\0 HTTP/1.1\r\n\r\n", 19, &req) == -EBADMSG, "NUL byte: -EBADMSG");
	ok(parse("GET / HTTP/1.1\rX\r\n\r\n") == -EBADMSG, "bare CR: -EBADMSG");
	ok(parse("\r\nGET / HTTP/1.1\r\n\r\n") == -EBADMSG, "empty request line: -EBADMSG");
	ok(parse("GET  / HTTP/1.1\r\n\r\n") == -EBADMSG, "two spaces: -EBADMSG");
	ok(parse("GE(T / HTTP/1.1\r\n\r\n") == -EBADMSG, "method with a separator: -EBADMSG");
	ok(parse("ABCDEFGHIJKLMNOP / HTTP/1.1\r\n\r\n") == -EBADMSG, "method over 15 characters: -EBADMSG");
	ok(parse("GET http://localhost/ HTTP/1.1\r\n\r\n") == -EBADMSG, "absolute-form target: -EBADMSG");
	ok(parse("GET / HTTP/1.1 x\r\n\r\n") == -EBADMSG, "junk after the version: -EBADMSG");
	ok(parse("GET /\x7f HTTP/1.1\r\n\r\n") == -EBADMSG, "DEL in the target: -EBADMSG");
	ok(parse("GET / HTTQ/1.1\r\n\r\n") == -EBADMSG, "not HTTP: -EBADMSG");
	ok(parse("GET / HTTP/2.0\r\n\r\n") == -EPROTONOSUPPORT, "HTTP/2.0: -EPROTONOSUPPORT");
	s = calloc(1, 600);
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', HTTP_MAX_PATH);
	strcat(s, " HTTP/1.1\r\n\r\n");
	ok(parse(s) == -ENAMETOOLONG, "path of %d bytes: -ENAMETOOLONG", HTTP_MAX_PATH + 1);
	free(s);
	ok(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n") == -EBADMSG, "header without a colon: -EBADMSG");
	ok(parse("GET / HTTP/1.1\r\nName : v\r\n\r\n") == -EBADMSG, "space before the colon: -EBADMSG");
	ok(parse("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n") == -EBADMSG, "obs-fold continuation: -EBADMSG");
	ok(parse("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n") == -EBADMSG, "control character in a value: -EBADMSG");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n") == -EINVAL, "Content-Length not a number: -EINVAL");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == -EINVAL, "negative Content-Length: -EINVAL");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length:\r\n\r\n") == -EINVAL, "empty Content-Length: -EINVAL");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n") == -EINVAL, "Content-Length list: -EINVAL");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == -EINVAL,
	   "conflicting Content-Length: -EINVAL");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n") == 0, "a body of exactly 1 MiB: need more");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n") == -EFBIG, "1 MiB + 1: -EFBIG");
	ok(parse("PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n") == -EFBIG,
	   "Content-Length beyond 64 bits: -EFBIG, no wrap");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") == -EOPNOTSUPP,
	   "Transfer-Encoding other than chunked: -EOPNOTSUPP");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == 0 && req.chunked &&
	   req.head_len == 46, "chunked, no body yet: need more, head known");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n") == 0, "half the last chunk: need more");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET") == 51 &&
	   req.body && req.body_len == 0, "empty chunked body (curl's PUT without data): taken, body_len 0");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n") == -EOPNOTSUPP,
	   "chunked body with data: -EOPNOTSUPP");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n\r\n") == -EOPNOTSUPP,
	   "chunked trailer: -EOPNOTSUPP");
	ok(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n") == -EINVAL,
	   "chunked and Content-Length: -EINVAL");
	s = many_headers(HTTP_MAX_HEADERS, 0);
	ok(parse(s) > 0, "%d headers accepted", HTTP_MAX_HEADERS);
	free(s);
	s = many_headers(HTTP_MAX_HEADERS + 1, 0);
	ok(parse(s) == -EMSGSIZE, "%d headers: -EMSGSIZE", HTTP_MAX_HEADERS + 1);
	free(s);
	s = calloc(1, HTTP_MAX_HEAD + 64);
	memcpy(s, "GET / HTTP/1.1\r\nX: ", 19);
	memset(s + 19, 'a', HTTP_MAX_HEAD);
	ok(parse(s) == -EMSGSIZE, "head beyond %d bytes: -EMSGSIZE", HTTP_MAX_HEAD);
	ok(http_parse(s, HTTP_MAX_HEAD - 1, &req) == 0, "one byte below the head limit: need more");
	free(s);
}

static void test_status(void)
{
	ok(http_status(-EBADMSG) == 400 && http_status(-EINVAL) == 400, "malformed: 400");
	ok(http_status(-ENAMETOOLONG) == 414, "long path: 414");
	ok(http_status(-EMSGSIZE) == 431, "big head: 431");
	ok(http_status(-EFBIG) == 413, "big body: 413");
	ok(http_status(-EPROTONOSUPPORT) == 505, "other version: 505");
	ok(http_status(-EOPNOTSUPP) == 501, "chunked: 501");
	ok(http_status(-EIO) == 500, "anything else: 500");
}

static void test_writer(void)
{
	char buf[512];
	int sv[2], n;
	ssize_t r;

	n = http_format_head(buf, sizeof(buf), 200, 17, true);
	ok(n > 0 && strstr(buf, "HTTP/1.1 200 OK\r\n") == buf && strstr(buf, "Content-Length: 17\r\n") &&
	   strstr(buf, "Content-Type: application/json\r\n") && !strstr(buf, "Connection") &&
	   !strcmp(buf + n - 4, "\r\n\r\n"), "200: JSON content type and length");
	n = http_format_head(buf, sizeof(buf), 204, 0, false);
	ok(n > 0 && !strstr(buf, "Content-Length") && strstr(buf, "Connection: close\r\n"),
	   "204: no body headers; close when asked");
	n = http_format_head(buf, sizeof(buf), 100, 0, true);
	ok(n > 0 && !strcmp(buf, "HTTP/1.1 100 Continue\r\nServer: pnvm\r\n\r\n"), "100 Continue");
	ok(http_format_head(buf, 20, 200, 1, true) == -ENOSPC, "small buffer: -ENOSPC");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		ok(0, "socketpair");
		return;
	}
	ok(!http_send(sv[0], 404, "[\"x\"]", 5, true), "http_send");
	r = read(sv[1], buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = '\0';
	ok(r > 0 && strstr(buf, "HTTP/1.1 404 Not Found\r\n") == buf && !strcmp(buf + r - 9, "\r\n\r\n[\"x\"]"),
	   "the head and body arrive whole");
	close(sv[1]);
	ok(http_send(sv[0], 200, "{}", 2, true) == -EPIPE, "a closed peer: -EPIPE, no SIGPIPE");
	close(sv[0]);
}

int main(void)
{
	test_requests();
	test_rules();
	test_status();
	test_writer();
	return tap_done();
}
