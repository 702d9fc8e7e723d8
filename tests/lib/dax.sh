# Shared by tests/dax/*.sh (a scripts/lab --dax lab), after tests/lib/lab.sh:
# node 1's special-purpose memory is dax0.0; what the kernel says of it.
# shellcheck shell=bash

sysn=/sys/devices/system/node
dev=dax0.0
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

# zones NODE: the zones its online memory blocks are in ("Normal:8").
zones() {
	local b
	for b in "$sysn/node$1"/memory[0-9]*; do
		[ "$(cat "$b/state" 2>/dev/null)" = online ] && cat "$b/valid_zones"
	done | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }'
}
in_list() { # LIST NODE: true if NODE is in the sysfs node list
	local r
	for r in ${1//,/ }; do
		if [ "${r%-*}" -le "$2" ] && [ "$2" -le "${r#*-}" ]; then return 0; fi
	done
	return 1
}
has_mem1() { in_list "$(cat $sysn/has_memory)" 1; }
dax() { # daxctl ARGS...: its output as '#' lines when it fails
	daxctl "$@" > "$tmp/daxctl" 2>&1 && return 0
	sed 's/^/# daxctl: /' "$tmp/daxctl"
	return 1
}
state() { # one line: what the kernel says of node 1
	echo "has_memory=$(cat $sysn/has_memory) has_private_memory=$(cat $sysn/has_private_memory 2>/dev/null || echo absent)" \
		"private_nodes=$(cat $sysn/private_nodes 2>/dev/null || echo absent) zones=[$(zones 1)]"
}
