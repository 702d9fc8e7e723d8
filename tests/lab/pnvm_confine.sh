#!/usr/bin/env bash
# Lab test: confinement can fail, and then the device model refuses
# (issue 4). The guest of pnvm_virtio, but with --window=hidden: pnvm
# maps the window and confines its devices to it as always, yet tells
# the guest nothing (no restricted-dma-pool, no e820 entry). The guest's
# drivers then put their rings in private RAM. Checked:
#   - pnvm says the window is hidden, in one warning line
#   - the guest kernel reaches virtio-blk (it prints the disk's size)
#   - pnvm's counters: every device (console, rng, blk; probed in that
#     order) counted at least one violation and moved 0 requests, 0 bytes
#   - the disk image is byte for byte what it was before
#   - pnvm ends on SIGTERM with 143 (not a crash), so refusing did not
#     take the device model down
# The guest itself hangs in the partition scan: its first read is never
# answered. pnvm_virtio is the control: the same devices with the window
# told get 0 violations.
#
# Needs a guest kernel with the DT route (kernel-patches/guest), as the
# test guest kernel has; it runs in both labs.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh

tmp=$(mktemp -d)
keep=build/lab/pnvm_confine
cleanup() {
	kill $(jobs -p) 2>/dev/null
	rm -rf "$keep"; mkdir -p "$keep"
	cp "$tmp"/out* "$tmp"/err* "$keep"/ 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -x "$pnvm" ]; ok $? "build/pnvm is built"
[ -n "$kernel" ] && [ -f "$kernel" ]; ok $? "guest kernel: ${kernel:-none}"
[ -e /dev/kvm ] && [ -d /sys/devices/system/node/node1 ]; ok $? "/dev/kvm and node 1"
initrd=$(scripts/guest-initrd "$tmp/initrd.cpio.gz" 2>"$tmp/initrd.err")
ok $? "guest initramfs built"
[ "$failed" -eq 0 ] || finish

# A disk with content, so "unchanged" means something.
img=$tmp/disk.img
seed=$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
yes "pnvm-confine-$seed" | head -c 16777216 > "$img"
before=$(md5sum < "$img" | cut -d' ' -f1)

args=(--kernel "$kernel" --initrd "$initrd" --memory 256M --cpus 2
      --private-node 1 --report --name confine-lab
      --disk "$img" --rng --console --window=hidden)

start_guest "$tmp/out" "$tmp/err" 'virtio_blk virtio[0-9]*: \[vda\]' 180 "$pnvm" "${args[@]}"
up=$?
ok $up "guest kernel probed virtio-blk: $(grep -a -m1 'virtio_blk.*\[vda\]' "$tmp/out" | cut -c1-100)"
grep -aq '^pnvm: warning: --window=hidden: the guest is not told of the window' "$tmp/err"
ok $? "pnvm warns that the window is hidden"

# Its first read is queued now; give the device thread time to see it.
sleep 5
kill -0 $pid 2>/dev/null; ok $? "pnvm still runs after the refusals"
grep -aq PNVM-GUEST-UP "$tmp/out"
diag "guest reached user space: $([ $? -eq 0 ] && echo yes || echo no, stuck on its first disk read)"
kill -TERM $pid 2>/dev/null
wait $pid; rc=$?
[ $rc -eq 143 ]; ok $? "pnvm ends on SIGTERM with 143 (status $rc)"

ctr() { counter "$tmp/err" "$@"; }
grep -a '^pnvm: [a-z]*[0-9]: requests=' "$tmp/err" | sed 's/^pnvm: /# counters: /'
for d in console0 rng0 blk0; do
	v=$(ctr $d violations) r=$(ctr $d requests) b=$(ctr $d bytes)
	[ -n "$v" ] && [ "$v" -ge 1 ] && [ "$r" = 0 ] && [ "$b" = 0 ]
	ok $? "$d refused rings outside the window: violations=${v:-?} requests=${r:-?} bytes=${b:-?}"
done
after=$(md5sum < "$img" | cut -d' ' -f1)
[ "$after" = "$before" ]; ok $? "disk image unchanged ($after)"

if [ "$failed" -ne 0 ]; then
	diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err"
	diag "guest console (tail):"; tail -n 30 "$tmp/out" | sed 's/^/#   /'
fi
finish
