// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.1 request parser and response writer for the API socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "api/http.h"

/* RFC 9110 token characters: header names and methods. */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* Field values: visible ASCII, space, tab and obs-text; no other controls. */
static bool is_vchar(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

static bool token_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

/* Decimal digits only; anything above HTTP_MAX_BODY is -EFBIG, not a wrap. */
static int parse_length(const char *s, size_t len, size_t *out)
{
	size_t v = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
		if (v > HTTP_MAX_BODY)
			return -EFBIG;
	}
	*out = v;
	return 0;
}

/* "close", "keep-alive" in a comma-separated Connection value. */
static void parse_connection(const char *v, size_t len, bool *is_close, bool *is_keep)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (token_eq(v + start, end - start, "close"))
			*is_close = true;
		else if (token_eq(v + start, end - start, "keep-alive"))
			*is_keep = true;
	}
}

/* METHOD SP origin-form SP HTTP/1.x, @len bytes without the CRLF. */
static int parse_request_line(const char *s, size_t len, struct http_request *req)
{
	const char *end = s + len, *p = s, *target, *q;
	size_t n;

	while (p < end && is_tchar(*p))
		p++;
	n = p - s;
	if (!n || n > HTTP_MAX_METHOD || p == end || *p != ' ')
		return -EBADMSG;
	memcpy(req->method, s, n);
	req->method[n] = '\0';

	target = ++p;
	while (p < end && (unsigned char)*p > ' ' && *p != 0x7f)
		p++;
	if (p == target || p == end || *p != ' ' || *target != '/')
		return -EBADMSG;
	q = memchr(target, '?', p - target);
	n = (q ? q : p) - target;
	if (n >= HTTP_MAX_PATH)
		return -ENAMETOOLONG;
	memcpy(req->path, target, n);
	req->path[n] = '\0';

	p++;
	n = end - p;
	if (n == 8 && !memcmp(p, "HTTP/1.", 7) && (p[7] == '0' || p[7] == '1')) {
		req->minor = p[7] - '0';
		return 0;
	}
	if (n == 8 && !memcmp(p, "HTTP/", 5) && p[5] >= '0' && p[5] <= '9' && p[6] == '.' &&
	    p[7] >= '0' && p[7] <= '9')
		return -EPROTONOSUPPORT;
	return -EBADMSG;
}

/* One "Name: value" line, @len bytes without the CRLF. */
static int parse_header(const char *s, size_t len, struct http_request *req,
			bool *have_length, bool *is_close, bool *is_keep)
{
	const char *end = s + len, *p = s, *v;
	size_t n, vlen, cl;
	int ret;

	while (p < end && is_tchar(*p))
		p++;
	n = p - s;
	/* No name, or whitespace before the colon (RFC 9112 5.1: reject). */
	if (!n || p == end || *p != ':')
		return -EBADMSG;
	for (v = p + 1; v < end; v++)
		if (!is_vchar(*v))
			return -EBADMSG;
	v = p + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	vlen = end - v;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

	if (token_eq(s, n, "Content-Length")) {
		ret = parse_length(v, vlen, &cl);
		if (ret)
			return ret;
		/* Two different lengths: which body is it? (request smuggling) */
		if (*have_length && cl != req->body_len)
			return -EINVAL;
		*have_length = true;
		req->body_len = cl;
	} else if (token_eq(s, n, "Transfer-Encoding")) {
		/* Only "chunked", and only its empty body (http_parse). */
		if (!token_eq(v, vlen, "chunked"))
			return -EOPNOTSUPP;
		req->chunked = true;
	} else if (token_eq(s, n, "Connection")) {
		parse_connection(v, vlen, is_close, is_keep);
	} else if (token_eq(s, n, "Expect")) {
		req->expect_continue = token_eq(v, vlen, "100-continue");
	}
	return 0;
}

/*
 * A chunked body, as curl sends a PUT without data (libvirt's ch driver:
 * vm.boot, vm.shutdown, ...): the last chunk alone, "0" CRLF, then the
 * empty trailer section. Any data chunk or trailer is -EOPNOTSUPP.
 */
static int parse_empty_chunked(const char *buf, size_t len, struct http_request *req)
{
	static const char last[] = "0\r\n\r\n";
	size_t have = len - req->head_len, n = sizeof(last) - 1;

	if (memcmp(buf + req->head_len, last, have < n ? have : n))
		return -EOPNOTSUPP;
	if (have < n)
		return 0;
	req->body = buf + req->head_len;
	return req->head_len + n;
}

int http_parse(const char *buf, size_t len, struct http_request *req)
{
	size_t scan = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
	size_t i, line, nheaders = 0;
	bool have_length = false, is_close = false, is_keep = false;
	const char *head_end = NULL;
	int ret;

	memset(req, 0, sizeof(*req));
	/*
	 * Lines end in CRLF; a bare LF or a NUL is refused as soon as it is
	 * seen, so a client that sends one gets 400 instead of a hang.
	 */
	for (i = 0; i < scan; i++) {
		if (!buf[i] || (buf[i] == '\n' && (!i || buf[i - 1] != '\r')))
			return -EBADMSG;
		if (buf[i] == '\r' && i + 1 < scan && buf[i + 1] != '\n')
			return -EBADMSG;
		if (i >= 3 && !memcmp(buf + i - 3, "\r\n\r\n", 4)) {
			head_end = buf + i + 1;
			break;
		}
	}
	if (!head_end)
		return len >= HTTP_MAX_HEAD ? -EMSGSIZE : 0;

	/* The request line, then a header per line up to the empty one. */
	line = (const char *)memmem(buf, head_end - buf, "\r\n", 2) - buf;
	if (!line)
		return -EBADMSG;
	ret = parse_request_line(buf, line, req);
	if (ret)
		return ret;
	for (i = line + 2; buf + i + 2 < head_end; i += line + 2) {
		line = (const char *)memchr(buf + i, '\r', head_end - buf - i) - (buf + i);
		if (++nheaders > HTTP_MAX_HEADERS)
			return -EMSGSIZE;
		/* obs-fold (a line starting with whitespace) is refused (RFC 9112 5.2). */
		ret = parse_header(buf + i, line, req, &have_length, &is_close, &is_keep);
		if (ret)
			return ret;
	}

	/* Both framings: which one ends the body? (request smuggling) */
	if (req->chunked && have_length)
		return -EINVAL;
	req->head_len = head_end - buf;
	req->keep_alive = req->minor ? !is_close : is_keep && !is_close;
	if (req->chunked)
		return parse_empty_chunked(buf, len, req);
	if (len - req->head_len < req->body_len)
		return 0;
	req->body = buf + req->head_len;
	return req->head_len + req->body_len;
}

int http_status(int err)
{
	switch (err) {
	case -EBADMSG:
	case -EINVAL:
		return 400;
	case -ENAMETOOLONG:
		return 414;
	case -EMSGSIZE:
		return 431;
	case -EFBIG:
		return 413;
	case -EPROTONOSUPPORT:
		return 505;
	case -EOPNOTSUPP:
		return 501;
	default:
		return 500;
	}
}

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

int http_format_head(char *buf, size_t size, int status, size_t body_len, bool keep_alive)
{
	int n;

	if (status < 200 || status == 204)
		n = snprintf(buf, size, "HTTP/1.1 %d %s\r\nServer: pnvm\r\n%s\r\n",
			     status, http_reason(status),
			     status >= 200 && !keep_alive ? "Connection: close\r\n" : "");
	else
		n = snprintf(buf, size, "HTTP/1.1 %d %s\r\nServer: pnvm\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
			     status, http_reason(status), body_len,
			     keep_alive ? "" : "Connection: close\r\n");
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int http_send(int fd, int status, const char *body, size_t body_len, bool keep_alive)
{
	char head[256];
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	int n = http_format_head(head, sizeof(head), status, body_len, keep_alive);

	if (n < 0)
		return n;
	if (status < 200 || status == 204)
		body_len = 0;
	iov[0] = (struct iovec){ .iov_base = head, .iov_len = n };
	iov[1] = (struct iovec){ .iov_base = (void *)body, .iov_len = body_len };
	/* A peer that went away must not SIGPIPE the VMM. */
	while (iov[0].iov_len || iov[1].iov_len) {
		ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		for (int k = 0; k < 2 && w; k++) {
			size_t d = (size_t)w < iov[k].iov_len ? (size_t)w : iov[k].iov_len;

			iov[k].iov_base = (char *)iov[k].iov_base + d;
			iov[k].iov_len -= d;
			w -= d;
		}
	}
	return 0;
}
