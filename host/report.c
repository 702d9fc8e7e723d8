// SPDX-License-Identifier: GPL-2.0
/* Items for people and for JSON; nodes and dax devices as JSON. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "host/report.h"

struct host_item *item_add(struct host_items *l, const char *name, bool required, bool ok,
			   const char *fix, const char *fmt, ...)
{
	bool full = l->nr >= HOST_MAX_ITEMS;
	struct host_item *it = &l->v[full ? HOST_MAX_ITEMS - 1 : l->nr++];
	va_list ap;

	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->ok = ok;
	it->required = required;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
	if (!ok && fix)
		snprintf(it->fix, sizeof(it->fix), "%s", fix);
	if (full) {
		*it = (struct host_item){ .name = "items", .required = true };
		snprintf(it->detail, sizeof(it->detail), "more than %d items: some are not shown",
			 HOST_MAX_ITEMS);
	}
	return it;
}

bool items_ready(const struct host_items *l)
{
	for (unsigned int i = 0; i < l->nr; i++)
		if (l->v[i].required && !l->v[i].ok)
			return false;
	return true;
}

void items_print(const struct host_items *l, FILE *f)
{
	for (unsigned int i = 0; i < l->nr; i++) {
		const struct host_item *it = &l->v[i];

		fprintf(f, "%-4s %-26s %s\n", it->ok ? "ok" : it->required ? "FAIL" : "warn",
			it->name, it->detail);
		if (it->fix[0])
			fprintf(f, "  fix: %s\n", it->fix);
	}
}

json_object *items_json(const struct host_items *l)
{
	json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < l->nr; i++) {
		const struct host_item *it = &l->v[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(it->name));
		json_object_object_add(o, "ok", json_object_new_boolean(it->ok));
		json_object_object_add(o, "required", json_object_new_boolean(it->required));
		json_object_object_add(o, "detail", json_object_new_string(it->detail));
		if (it->fix[0])
			json_object_object_add(o, "fix", json_object_new_string(it->fix));
		json_object_array_add(a, o);
	}
	return a;
}

json_object *node_json(const struct host_node *n)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int(n->id));
	json_object_object_add(o, "online", json_object_new_boolean(n->online));
	json_object_object_add(o, "cpus", json_object_new_int(n->cpus));
	json_object_object_add(o, "total_bytes", json_object_new_int64(n->total));
	json_object_object_add(o, "free_bytes", json_object_new_int64(n->free));
	json_object_object_add(o, "has_memory", json_object_new_boolean(n->has_memory));
	json_object_object_add(o, "private", json_object_new_boolean(n->private));
	json_object_object_add(o, "designated", json_object_new_boolean(n->designated));
	json_object_object_add(o, "boot_designated", json_object_new_boolean(n->boot_designated));
	json_object_object_add(o, "hugepages_2m", json_object_new_int64(n->huge_2m));
	json_object_object_add(o, "hugepages_2m_free", json_object_new_int64(n->huge_2m_free));
	json_object_object_add(o, "hugepages_1g", json_object_new_int64(n->huge_1g));
	json_object_object_add(o, "hugepages_1g_free", json_object_new_int64(n->huge_1g_free));
	return o;
}

const char *dax_mode_name(enum dax_mode m)
{
	static const char *const names[] = {
		[DAX_UNBOUND] = "unbound", [DAX_DEVDAX] = "devdax",
		[DAX_KMEM] = "system-ram", [DAX_OTHER] = "other",
	};

	return names[m];
}

json_object *dax_json(const struct host_dax *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "target_node", json_object_new_int(d->node));
	json_object_object_add(o, "size", json_object_new_int64(d->size));
	json_object_object_add(o, "mode", json_object_new_string(dax_mode_name(d->mode)));
	json_object_object_add(o, "driver", json_object_new_string(d->driver));
	json_object_object_add(o, "blocks", json_object_new_int(d->blocks));
	json_object_object_add(o, "blocks_online", json_object_new_int(d->online));
	json_object_object_add(o, "blocks_normal", json_object_new_int(d->normal));
	return o;
}

int json_print(json_object *o, FILE *f)
{
	int ret = fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return ret < 0 || fflush(f) ? -EIO : 0;
}
