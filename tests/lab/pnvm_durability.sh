#!/usr/bin/env bash
# Lab test: nothing lost, nothing left behind (issue 17).
#
# pnvm boots $PNVM_GUEST_KERNEL (128M on node 1) with --disk and
# --net tap=NAME for a tap that does not exist (so pnvm creates it), with
# the default --seccomp=on. A guest script writes a 1 MiB pattern to
# /dev/vda with oflag=direct and conv=fsync (a virtio-blk FLUSH after
# the writes), prints a marker, and sleeps. At the marker the host kill
# -9s pnvm: no teardown runs. Checked:
#   - the image holds the pattern (the guest was told it was durable)
#   - the tap pnvm created is gone (never persistent: it dies with its fd)
#   - no seccomp report on stderr (every thread stayed inside its filter)
#   - a second start with the same tap name boots to user space and exits
#     0 when the guest reboots
# Window mode in the patched lab, --window=off in the stock one.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh

tap=pnvmd0
tmp=$(mktemp -d)
keep=build/lab/pnvm_durability
cleanup() {
	kill -9 $(jobs -p) 2>/dev/null
	ip link del "$tap" 2>/dev/null
	rm -rf "$keep"; mkdir -p "$keep"
	cp "$tmp"/out* "$tmp"/err* "$keep"/ 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ "${PNVM_LAB_KERNEL:-}" = patched ]; then mode=(); else mode=(--window=off); fi

[ -x "$pnvm" ]; ok $? "build/pnvm is built"
[ -n "$kernel" ] && [ -f "$kernel" ]; ok $? "guest kernel: ${kernel:-none}"
[ -e /dev/kvm ] && [ -d /sys/devices/system/node/node1 ]; ok $? "/dev/kvm and node 1"
[ "$failed" -eq 0 ] || finish

mkdir -p "$tmp/extra"
cat > "$tmp/extra/durable" <<'EOF'
#!/bin/sh
seed=$(sed -n 's/.*pnvm\.seed=\([0-9a-f]*\).*/\1/p' /proc/cmdline)
yes "pnvm-durable-$seed" | head -c 1048576 > /tmp/pat
# direct: past the guest's page cache; fsync: a FLUSH after the writes.
dd if=/tmp/pat of=/dev/vda bs=65536 seek=16 oflag=direct conv=fsync 2>/tmp/dd.err &&
	echo "PNVM-D durable-$((6 * 7))"
cat /tmp/dd.err
# The host kills pnvm here; never get further on our own.
sleep 600
EOF
chmod +x "$tmp/extra/durable"
initrd_with "$tmp/extra" "$tmp/initrd.cpio.gz"
ok $? "guest initramfs with the durability script built"

seed=$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
want=$(yes "pnvm-durable-$seed" | head -c 1048576 | md5sum | cut -d' ' -f1)
img=$tmp/disk.img
truncate -s 16M "$img"
ip link del "$tap" 2>/dev/null
! ip link show "$tap" >/dev/null 2>&1; ok $? "no tap $tap before the start: pnvm creates it"

args=(--kernel "$kernel" --initrd "$tmp/initrd.cpio.gz" --memory 128M
      --private-node 1 --name durability --disk "$img" --net "tap=$tap" "${mode[@]}")

# --- first run: killed at the marker ------------------------------------------
start_guest "$tmp/out" "$tmp/err" PNVM-GUEST-UP 180 "$pnvm" "${args[@]}" \
	--cmdline "pnvm.seed=$seed pnvm.run=\"sh /durable\"" &&
	wait_for "$tmp/out" 'PNVM-D durable-42' $pid 240
up=$?
ok $up "guest wrote 1 MiB with O_DIRECT + fsync and said so"
ip link show "$tap" >/dev/null 2>&1; ok $? "tap $tap exists while pnvm runs"
kill -9 $pid 2>/dev/null
wait $pid; rc=$?
[ $rc -eq 137 ]; ok $? "pnvm killed with SIGKILL at the marker (status $rc)"

got=$(dd if="$img" bs=65536 skip=16 count=16 2>/dev/null | md5sum | cut -d' ' -f1)
[ "$got" = "$want" ]; ok $? "after kill -9 the image holds the pattern ($got, want $want)"
# The tap goes when the kernel closes pnvm's fd; give it a moment.
for i in 1 2 3 4 5 6 7 8 9 10; do ip link show "$tap" >/dev/null 2>&1 || break; sleep 0.2; done
! ip link show "$tap" >/dev/null 2>&1; ok $? "tap $tap gone after kill -9"
! grep -aq 'seccomp' "$tmp/err"; ok $? "no seccomp report ($(grep -a seccomp "$tmp/err" | head -n 1))"

# --- second run: same tap name, a clean boot and exit ---------------------------
start_guest "$tmp/out2" "$tmp/err2" PNVM-GUEST-DOWN 180 "$pnvm" "${args[@]}"
up=$?
ok $up "second start with tap $tap reached the guest's end"
if [ $up -eq 0 ]; then wait $pid; rc=$?; else kill -TERM $pid 2>/dev/null; wait $pid; rc=$?; fi
[ $rc -eq 0 ]; ok $? "second pnvm exits 0 after the guest reboots (status $rc)"
! grep -aq 'seccomp' "$tmp/err2"; ok $? "no seccomp report on a full run and teardown"

if [ "$failed" -ne 0 ]; then
	diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err" "$tmp/err2" 2>/dev/null
	diag "guest console (tail):"; tail -n 30 "$tmp/out" | sed 's/^/#   /'
fi
finish
