/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `pnvm host` reports: items (name, ok, detail, fix), one line each
 * for people or one JSON object, and the JSON of nodes and dax devices.
 */
#ifndef PNVM_HOST_REPORT_H
#define PNVM_HOST_REPORT_H

#include <json-c/json.h>
#include <stdio.h>

#include "host/sysfs.h"

#define HOST_MAX_ITEMS	(48 + HOST_MAX_NODES + HOST_MAX_DAX)

struct host_item {
	char name[32];
	bool ok;
	bool required;		/* false: informational, never makes a host not ready */
	char detail[256];
	char fix[256];		/* only when !ok */
};

struct host_items {
	struct host_item v[HOST_MAX_ITEMS];
	unsigned int nr;
};

/*
 * Add an item; @fix (NULL for none) is kept only when !ok. An item past
 * HOST_MAX_ITEMS replaces the last, which then says so: never silent.
 */
struct host_item *item_add(struct host_items *l, const char *name, bool required, bool ok,
			   const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Every required item ok. */
bool items_ready(const struct host_items *l);

/* "ok   name  detail" (FAIL when required, warn when not), "  fix: ..." under it. */
void items_print(const struct host_items *l, FILE *f);

json_object *items_json(const struct host_items *l);
json_object *node_json(const struct host_node *n);
json_object *dax_json(const struct host_dax *d);

const char *dax_mode_name(enum dax_mode m);

/* One JSON object and a newline on @f; 0, or -EIO. Drops @o. */
int json_print(json_object *o, FILE *f);

#endif
