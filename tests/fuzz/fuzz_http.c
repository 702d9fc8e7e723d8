// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the API's HTTP request parser on arbitrary bytes,
 * in a buffer of exactly the input's size (ASan sees any read past it).
 * Aborts if a result breaks what the parser promises: the bytes taken
 * fit the input, the body lies inside it, strings are terminated, and
 * every prefix of a complete request asks for more or fails the same way.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req, part;
	char *buf = malloc(size ? size : 1);
	int n, m;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	n = http_parse(buf, size, &req);
	if (n > 0) {
		if ((size_t)n > size || (size_t)n != req.head_len + req.body_len ||
		    req.body != buf + req.head_len || req.body_len > HTTP_MAX_BODY ||
		    req.head_len > HTTP_MAX_HEAD || req.path[0] != '/' ||
		    !memchr(req.path, 0, sizeof(req.path)) || !memchr(req.method, 0, sizeof(req.method)))
			abort();
		/* Without its last byte the request is incomplete, never an error. */
		m = http_parse(buf, n - 1, &part);
		if (m != 0)
			abort();
	} else if (n < 0) {
		if (http_status(n) == 500)	/* every parse error has its own status */
			abort();
	}
	free(buf);
	return 0;
}
