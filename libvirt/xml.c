// SPDX-License-Identifier: GPL-2.0
/*
 * The libvirt front end's shared helpers: problems reported with the
 * XPath of their element, XML and XPath access, the element-table walk,
 * and libvirt's numbers (scaled sizes, node sets).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt/internal.h"

/* ---- reporting ---- */

static void vreport(struct lv *l, xmlNodePtr n, const char *attr, enum sev s,
		    const char *fmt, va_list ap)
{
	xmlChar *path = n ? xmlGetNodePath(n) : NULL;
	int warn = s == SOFT && l->lenient;

	fprintf(l->errs, "%s%s%s: %s", path ? (char *)path : "/domain",
		attr ? "/@" : "", attr ? attr : "", warn ? "warning: " : "");
	vfprintf(l->errs, fmt, ap);
	if (s == SOFT)
		fputs(warn ? " (ignored: --lenient)" :
			     " (harmless: --lenient ignores it)", l->errs);
	fputc('\n', l->errs);
	xmlFree(path);
	if (warn)
		l->v->warnings++;
	else
		l->v->problems++;
	if (s == SOFT && !warn)
		l->v->harmless++;
}

void report(struct lv *l, xmlNodePtr n, const char *attr, enum sev s, const char *fmt, ...)
{
	va_list ap;

	if (s == ACCEPT)
		return;
	va_start(ap, fmt);
	vreport(l, n, attr, s, fmt, ap);
	va_end(ap);
}

/* ---- small XML helpers; strings live until the translation ends ---- */

static const char *keep(struct lv *l, xmlChar *s)
{
	if (!s)
		return NULL;
	if (l->npool == l->cap) {
		int cap = l->cap ? 2 * l->cap : 256;
		xmlChar **p = realloc(l->pool, cap * sizeof(*p));

		if (!p) {
			/* Out of memory: the value is read as absent. */
			xmlFree(s);
			return NULL;
		}
		l->pool = p;
		l->cap = cap;
	}
	l->pool[l->npool++] = s;
	return (const char *)s;
}

const char *attr(struct lv *l, xmlNodePtr n, const char *name)
{
	return n ? keep(l, xmlGetNoNsProp(n, (const xmlChar *)name)) : NULL;
}

const char *text(struct lv *l, xmlNodePtr n)
{
	return n ? keep(l, xmlNodeGetContent(n)) : NULL;
}

int is(xmlNodePtr n, const char *name)
{
	return n && !n->ns && !strcmp((const char *)n->name, name);
}

int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

xmlNodePtr child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n ? xmlFirstElementChild(n) : NULL; c; c = xmlNextElementSibling(c))
		if (is(c, name))
			return c;
	return NULL;
}

xmlXPathObjectPtr xp_eval(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xp);

	if (o && o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

int xp_count(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xp_eval(xp, expr);
	int n = o ? xmlXPathNodeSetGetLength(o->nodesetval) : 0;

	xmlXPathFreeObject(o);
	return n;
}

xmlNodePtr xp_first(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr o = xp_eval(xp, expr);
	xmlNodePtr n = NULL;

	if (o && xmlXPathNodeSetGetLength(o->nodesetval))
		n = xmlXPathNodeSetItem(o->nodesetval, 0);
	xmlXPathFreeObject(o);
	return n;
}

/* In the input as written: what libvirt fills in is no promise. */
xmlNodePtr orig_first(struct lv *l, const char *expr)
{
	return l->oxp ? xp_first(l->oxp, expr) : NULL;
}

/* name is one of words ("a b c"). */
int in(const char *name, const char *words)
{
	size_t len = name ? strlen(name) : 0;
	const char *w = words;

	while (len && (w = strstr(w, name))) {
		if ((w == words || w[-1] == ' ') && (w[len] == ' ' || !w[len]))
			return 1;
		w += len;
	}
	return 0;
}

/*
 * Each element child of n against rules, in document order. An element
 * not in the table meets the table's last (NULL-named) entry: refused,
 * or whatever that entry says.
 */
void walk(struct lv *l, xmlNodePtr n, const struct rule *rules)
{
	const struct rule *r;
	xmlNodePtr c;

	for (c = xmlFirstElementChild(n); c; c = xmlNextElementSibling(c)) {
		for (r = rules; r->name; r++)
			if (!c->ns && in((const char *)c->name, r->name))
				break;
		if (r->fn)
			r->fn(l, c);
		else
			report(l, c, NULL, r->sev, r->why, (const char *)c->name);
	}
}

/* ---- numbers, sizes, node sets ---- */

static int parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int parse_int(const char *s, int *out)
{
	unsigned long long v;

	if (parse_ull(s, &v) || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* libvirt's scaled integers (virScaleInteger): unit -> bytes. */
static int unit_scale(const char *unit, unsigned long long dflt, unsigned long long *out)
{
	static const struct { const char *u; unsigned long long m; } t[] = {
		{ "b", 1 }, { "bytes", 1 },
		{ "KB", 1000ULL }, { "k", 1ULL << 10 }, { "KiB", 1ULL << 10 },
		{ "MB", 1000000ULL }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
		{ "GB", 1000000000ULL }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
		{ "TB", 1000000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
	};
	size_t i;

	if (!unit) {
		*out = dflt;
		return 0;
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(unit, t[i].u) || (t[i].u[1] == 0 && strlen(unit) == 1 &&
					     tolower((unsigned char)*unit) == tolower((unsigned char)*t[i].u))) {
			*out = t[i].m;
			return 0;
		}
	return -1;
}

/* value in unit -> bytes; -1 on overflow or a bad number/unit. */
int scaled_bytes(const char *val, const char *unit, unsigned long long dflt,
		 unsigned long long *bytes)
{
	unsigned long long v, m;

	if (parse_ull(val, &v) || unit_scale(unit, dflt, &m))
		return -1;
	if (m && v > ULLONG_MAX / m)
		return -1;
	*bytes = v * m;
	return 0;
}

/*
 * libvirt node set syntax ("0-3,^2,5") into a bitmap. Returns the number
 * of nodes and the lowest in *first, or -1 when it does not parse.
 */
int nodeset(const char *s, int *first, unsigned char set[MAX_NODES])
{
	int n = 0, i;

	memset(set, 0, MAX_NODES);
	if (!s || !*s)
		return -1;
	while (*s) {
		int neg = 0, a, b;
		char *end;

		if (*s == '^') {
			neg = 1;
			s++;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		a = b = (int)strtol(s, &end, 10);
		if (*end == '-') {
			if (neg || !isdigit((unsigned char)end[1]))
				return -1;
			b = (int)strtol(end + 1, &end, 10);
		}
		if (a < 0 || b < a || b >= MAX_NODES)
			return -1;
		for (i = a; i <= b; i++)
			set[i] = !neg;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	*first = -1;
	for (i = 0; i < MAX_NODES; i++)
		if (set[i]) {
			if (*first < 0)
				*first = i;
			n++;
		}
	return n;
}

int nodeset_has(const char *s, int node)
{
	unsigned char set[MAX_NODES];
	int first;

	return nodeset(s, &first, set) > 0 && node < MAX_NODES && set[node];
}
