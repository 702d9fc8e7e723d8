#!/usr/bin/env bash
# Lab test (scripts/lab --dax): special-purpose memory made private at
# runtime, before any page of it is handed out.
#
# Node 1's memory is soft-reserved at boot, so it is dax0.0 and no node
# has it. On the patched kernel: designate node 1 in private_nodes (the
# refusals first), add the memory with daxctl (its default, online_movable,
# must still land in a kernel zone), and check node 1 is private with all
# its memory in ZONE_NORMAL; a guest's RAM goes there; offlining and
# onlining the memory keeps it private; handing it back to devdax takes
# node 1 offline, and then it can be undesignated. On stock: no
# private_nodes, the memory becomes an ordinary node and pnvm
# --require-private refuses it. dax_hmem gives dax0.0 to kmem at boot with
# its memory offline; the test ends with it back in devdax mode.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh
. tests/lib/dax.sh

# handback: DEV's memory offline, and DEV back to device_dax (new_id). What daxctl
# reconfigure-device --mode=devdax does, in sysfs: daxctl first loads
# device_dax with libkmod, which finds no module index for the lab kernel
# (built in, not installed on the shared root) and gives up.
handback() {
	dax offline-memory $dev &&
		echo $dev > /sys/bus/dax/drivers/kmem/unbind &&
		echo $dev > /sys/bus/dax/drivers/device_dax/new_id &&
		[ -e /dev/$dev ]
}

[ "${PNVM_LAB_DAX:-0}" = 1 ]; ok $? "the lab was started with --dax"
[ -d /sys/bus/dax/devices/$dev ]; ok $? "node 1's soft-reserved memory is $dev"
[ "$(cat /sys/bus/dax/devices/$dev/target_node 2>/dev/null)" = 1 ]; ok $? "$dev's target node is 1"
! has_mem1; ok $? "node 1 has no memory at boot ($(state))"
command -v daxctl >/dev/null; ok $? "daxctl is installed"
[ -x "$pnvm" ] && [ -f "$kernel" ] && [ -e /dev/kvm ]; ok $? "pnvm, the guest kernel and /dev/kvm"
[ "$failed" -eq 0 ] || finish
initrd=$(scripts/guest-initrd "$tmp/initrd.cpio.gz" 2>"$tmp/initrd.err"); ok $? "guest initramfs built"

if [ "${PNVM_LAB_KERNEL:-}" != patched ]; then
	[ ! -e $sysn/private_nodes ]; ok $? "stock: no private_nodes"
	dax reconfigure-device --mode=system-ram $dev
	ok $? "stock: daxctl adds $dev to node 1"
	has_mem1; ok $? "stock: node 1 is an ordinary memory node ($(state))"
	"$pnvm" --kernel "$kernel" --memory 64M --private-node 1 --require-private > /dev/null 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q 'no private-node support' "$tmp/err"
	ok $? "stock: pnvm --require-private refuses node 1 (exit $rc: $(head -1 "$tmp/err"))"
	handback
	ok $? "stock: $dev handed back to devdax"
	finish
fi

# --- designation: refusals, then node 1 --------------------------------------
[ -w $sysn/private_nodes ] && [ -z "$(cat $sysn/private_nodes)" ]
ok $? "private_nodes exists and is empty (no private_node= at boot)"
err=$( { echo 0 > $sysn/private_nodes; } 2>&1 ); rc=$?
[ $rc -ne 0 ] && [[ $err == *"busy"* ]]
ok $? "node 0 (online, with CPUs) cannot be designated: ${err##*: }"
err=$( { echo 5 > $sysn/private_nodes; } 2>&1 ); rc=$?
[ $rc -ne 0 ] && [[ $err == *"nvalid argument"* ]]
ok $? "node 5 (not possible) cannot be designated: ${err##*: }"
echo 1 > $sysn/private_nodes && [ "$(cat $sysn/private_nodes)" = 1 ] &&
	[ -z "$(cat $sysn/has_private_memory)" ]
ok $? "node 1 designated; not in has_private_memory while it has no memory ($(state))"

# --- the memory arrives: daxctl's default (online_movable) -----------------
dax reconfigure-device --mode=system-ram $dev
ok $? "daxctl reconfigure-device --mode=system-ram $dev"
diag "after: $(state)"
has_mem1 && [ "$(cat $sysn/has_private_memory)" = 1 ]
ok $? "node 1 has memory and is private"
z=$(zones 1)
[ -n "$z" ] && [[ $z == Normal:* ]] && [[ $z != *" "* ]]
ok $? "all of node 1's online memory is in ZONE_NORMAL, not ZONE_MOVABLE ($z)"
used=$(awk '/MemUsed:/ { print $4 }' $sysn/node1/meminfo)
total=$(awk '/MemTotal:/ { print $4 }' $sysn/node1/meminfo)
diag "node 1 after onlining: MemTotal $total kB, MemUsed $used kB"
err=$( { echo > $sysn/private_nodes; } 2>&1 ); rc=$?
[ $rc -ne 0 ] && [[ $err == *"busy"* ]] && [ "$(cat $sysn/private_nodes)" = 1 ]
ok $? "node 1 cannot be undesignated while it has memory: ${err##*: }"

# --- a guest on it -----------------------------------------------------------
mem_mb=256 pages=$((256 * 256))
start_guest "$tmp/out" "$tmp/err" PNVM-GUEST-UP 300 \
	"$pnvm" --kernel "$kernel" --initrd "$initrd" --memory ${mem_mb}M --cpus 1 \
	--private-node 1 --require-private --report --cmdline 'pnvm.run="sleep 3"'
up=$?
ok $up "a guest with --private-node 1 --require-private boots"
hva=$(gmem_hva "$tmp/err")
if [ $up -eq 0 ] && [ -n "$hva" ]; then
	p=$(placement $pid "$hva")
	all_on_node1 "$p" $pages
	ok $? "its RAM is bound to node 1 and all there ($p)"
else
	ok 1 "its RAM is bound to node 1 and all there (no mapping: ${hva:-none})"
fi
[ $up -eq 0 ] || kill -TERM $pid 2>/dev/null
wait $pid; rc=$?
ok $rc "pnvm exits 0 after the guest powers off (status $rc)"

# --- offline and online again: still private ---------------------------------
dax offline-memory $dev
ok $? "daxctl offline-memory $dev"
! has_mem1 && [ -z "$(cat $sysn/has_private_memory)" ] &&
	[ "$(cat $sysn/private_nodes)" = 1 ]
ok $? "offline: node 1 leaves has_memory and has_private_memory, stays designated ($(state))"
dax online-memory $dev
ok $? "daxctl online-memory $dev"
z=$(zones 1)
[ "$(cat $sysn/has_private_memory)" = 1 ] && [[ $z == Normal:* ]] && [[ $z != *" "* ]]
ok $? "online again: node 1 is private, in ZONE_NORMAL ($(state))"

# --- handed back: node 1 offline, the designation can go ----------------------
handback
ok $? "$dev handed back to devdax (/dev/$dev)"
echo > $sysn/private_nodes && [ -z "$(cat $sysn/private_nodes)" ] &&
	! has_mem1
ok $? "node 1 has no memory again and is undesignated ($(state))"
[ "$failed" -eq 0 ] || { diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err" | tail -20; }
finish
