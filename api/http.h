/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP/1.1, only as much as a control socket needs: one request parsed
 * from a buffer (request line, headers, a Content-Length body or an
 * empty chunked one), bounded
 * by fixed limits, and a response writer. The parser never allocates and
 * never reads past the bytes it is given; every rule it enforces has its
 * own errno, which http_status() turns into the status code to answer.
 */
#ifndef PNVM_API_HTTP_H
#define PNVM_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD		8192		/* request line + headers + CRLF */
#define HTTP_MAX_BODY		(1 << 20)	/* a VmConfig is a few KiB */
#define HTTP_MAX_HEADERS	64
#define HTTP_MAX_PATH		256
#define HTTP_MAX_METHOD		15

struct http_request {
	char method[HTTP_MAX_METHOD + 1];
	char path[HTTP_MAX_PATH];	/* origin-form, query string dropped */
	int minor;			/* HTTP/1.<minor>: 0 or 1 */
	bool keep_alive;		/* answer, then read the next request */
	bool expect_continue;		/* "Expect: 100-continue" */
	bool chunked;			/* "Transfer-Encoding: chunked", body empty */
	size_t head_len;		/* bytes up to and including the blank line */
	size_t body_len;		/* Content-Length */
	const char *body;		/* into the caller's buffer; NULL until complete */
	/*
	 * File descriptors that came with it (SCM_RIGHTS), set by the server,
	 * not the parser; owned by the server, which closes every one a
	 * handler has not taken (set to -1).
	 */
	int *fds;
	unsigned int nr_fds;
};

/*
 * Parse the request at the start of @buf. Returns the bytes it takes
 * (head + body), 0 when more bytes are needed (req->head_len is set once
 * the head is complete, so a caller can answer 100-continue), or:
 *   -EBADMSG	malformed request line, header line or line ending	400
 *   -EINVAL	bad or conflicting Content-Length, or it and chunked	400
 *   -ENAMETOOLONG  request target longer than HTTP_MAX_PATH		414
 *   -EMSGSIZE	head longer than HTTP_MAX_HEAD, or too many headers	431
 *   -EFBIG	Content-Length above HTTP_MAX_BODY			413
 *   -EPROTONOSUPPORT  an HTTP version other than 1.0 and 1.1		505
 *   -EOPNOTSUPP  a Transfer-Encoding other than chunked, or a	501
 *		chunked body with data or trailers (only "0" CRLF CRLF,
 *		body_len 0: curl's PUT without data)
 */
int http_parse(const char *buf, size_t len, struct http_request *req);

/* The status code that answers a parse error or an API errno. */
int http_status(int err);
const char *http_reason(int status);

/*
 * Format a response head for @status with a JSON body of @body_len
 * bytes (none for 1xx and 204) into @buf. Returns its length, or -ENOSPC.
 */
int http_format_head(char *buf, size_t size, int status, size_t body_len, bool keep_alive);

/* Write the head and @body to @fd, all of it. 0 or -errno. */
int http_send(int fd, int status, const char *body, size_t body_len, bool keep_alive);

#endif
