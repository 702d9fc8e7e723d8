#!/usr/bin/env bash
# Lab test: bad inputs on a real two-node host with KVM. Each must give
# exit 2 and exactly one "pnvm: " line on stderr, start no VM and leave
# no process behind. Also: --require-private follows the kernel's
# has_private_memory list (refused on stock, accepted when node 1 is in it).
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/guest-initrd "$tmp/initrd.cpio.gz" >/dev/null 2>&1
free1=$(awk '/MemFree/ { print int($4 / 1024) }' /sys/devices/system/node/node1/meminfo)
echo "# node 1: ${free1} MiB free"

# bad WHAT ARGS...: exit 2, one stderr line starting "pnvm: ".
bad() {
	local what=$1 rc lines
	shift
	"$pnvm" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
	lines=$(wc -l < "$tmp/err")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^pnvm: ' "$tmp/err"
	ok $? "$what: exit $rc, $lines line: $(head -n 1 "$tmp/err")"
}

base=(--kernel "$kernel" --initrd "$tmp/initrd.cpio.gz")
bad "more memory than node 1 has free" "${base[@]}" --private-node 1 --memory $((free1 + 64))M
bad "node that does not exist" "${base[@]}" --private-node 7
bad "missing kernel" --kernel /nonexistent/bzImage --private-node 1
bad "missing initrd" --kernel "$kernel" --initrd /nonexistent.cpio.gz --private-node 1
bad "unparsable size" "${base[@]}" --private-node 1 --memory 1.5G
bad "zero CPUs" "${base[@]}" --private-node 1 --cpus 0
bad "unknown option" "${base[@]}" --private-node 1 --turbo
bad "not a bzImage" --kernel "$pnvm" --private-node 1
if [ -e /sys/devices/system/node/has_private_memory ]; then
	list=$(cat /sys/devices/system/node/has_private_memory)
	echo "# has_private_memory: '$list'"
	bad "--require-private on node 0 (not private)" "${base[@]}" --private-node 0 --memory 64M --require-private
	"$pnvm" "${base[@]}" --private-node 1 --memory 64M --cpus 1 --report --require-private \
		< /dev/null > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	wait_for "$tmp/err" 'placement at start' $pid 30
	kill -TERM $pid; wait $pid
	grep -q 'node 1 is private' "$tmp/err" && grep -q 'placement at start: 16384 pages, node 1: 16384 (100%)' "$tmp/err"
	ok $? "patched kernel: --require-private accepts node 1, reports it private, RAM on node 1"
else
	bad "--require-private on a kernel without private nodes" "${base[@]}" --private-node 1 --require-private
	"$pnvm" "${base[@]}" --private-node 1 --memory 64M --cpus 1 --report \
		--cmdline 'pnvm.run=true' < /dev/null > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	wait_for "$tmp/err" 'placement at start' $pid 10
	kill -TERM $pid; wait $pid
	[ "$(grep -c 'no private-node state' "$tmp/err")" -eq 1 ]
	ok $? "stock kernel: one warning that isolation is not enforced"
fi
pgrep -x pnvm > /dev/null; ok $((!$?)) "no pnvm process left behind"
finish
