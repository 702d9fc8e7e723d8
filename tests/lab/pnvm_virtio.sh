#!/usr/bin/env bash
# Lab test: virtio devices confined to the shared window (issue 4).
#
# pnvm boots $PNVM_GUEST_KERNEL (256M on node 1, 2 CPUs) with a 64M
# window on node 0, --disk, --net tap=..., --rng and --console, and a
# guest script (appended to the test initramfs) that exercises each
# device and prints "PNVM-V key value" lines. Checked:
#   - guest dmesg: "restricted DMA pool" at the window's address, and
#     the guest's swiotlb has slots of that pool in use (rings, buffers)
#   - the guest writes a 1 MiB pattern to /dev/vda with oflag=direct,
#     syncs, reads it back with iflag=direct; after pnvm exits the image
#     file holds the pattern
#   - the guest pings L1 over the tap; /dev/hwrng gives 32 bytes; a
#     line written to /dev/hvc0 comes out of pnvm's stdout
#   - pnvm --report counters: every device moved bytes, blk0 at least
#     the 2 MiB the guest asked for, 0 violations and 0 errors anywhere
#   - /proc/<pnvm>/numa_maps while the guest runs: guest RAM bind:1 and
#     all on node 1, the window memfd bind:0 and all on node 0
#
# Window mode needs the guest patches (kernel-patches/guest: the pool
# memblock-reserved, check_timer() skipped), which the test guest kernel
# has. It runs in the patched lab; the stock lab runs the same devices
# with --window=off instead (ACPI tables, LNRO0005 devices, devices reach
# all guest RAM: disk, ping, hwrng, counters), so both routes are tested.
#
# PNVM_VIRTIO_GUEST=debian (tests/lab/pnvm_stock_guest.sh): the same checks
# with Debian's own kernel, which nobody here built (no CONFIG_OF, no
# command-line devices), its virtio modules loaded from the initramfs:
# always --window=off, the devices found through ACPI.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh

guest=${PNVM_VIRTIO_GUEST:-test}
[ "$guest" = debian ] && kernel=${PNVM_DEBIAN_KERNEL:-$(scripts/kernel debian 2>/dev/null)}
mem_mb=256 win_mb=64
tap=pnvmv0 host_ip=10.77.0.1 guest_ip=10.77.0.2
tmp=$(mktemp -d)
keep=build/lab/pnvm_virtio; [ "$guest" = debian ] && keep=build/lab/pnvm_stock_guest
cleanup() {
	kill $(jobs -p) 2>/dev/null
	ip link del "$tap" 2>/dev/null
	rm -rf "$keep"; mkdir -p "$keep"
	cp "$tmp"/out* "$tmp"/err* "$keep"/ 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ "${PNVM_LAB_KERNEL:-}" = patched ] && [ "$guest" != debian ]; then mode=window; else mode=off; fi

[ -x "$pnvm" ]; ok $? "build/pnvm is built"
[ -n "$kernel" ] && [ -f "$kernel" ]; ok $? "guest kernel: ${kernel:-none} (window mode: $mode)"
[ -e /dev/kvm ] && [ -d /sys/devices/system/node/node1 ]; ok $? "/dev/kvm and node 1"
[ "$failed" -eq 0 ] || finish

# --- the guest's side ---------------------------------------------------------
mkdir -p "$tmp/extra"
# Debian's modules, decompressed (busybox insmod), each after what it
# depends on (the depends= of its .modinfo; virtio itself is built in).
if [ "$guest" = debian ]; then
	mdir=$(dirname "$kernel" | sed 's#/linux-binary-#/linux-modules-#')
	mkdir -p "$tmp/extra/mods"
	addmod() {
		local f d
		[ -f "$tmp/extra/mods/$1.ko" ] && return 0
		f=$(find "$mdir" -name "$1.ko.xz" | head -n 1)
		[ -n "$f" ] || return 1
		xz -dc "$f" > "$tmp/extra/mods/$1.ko" || return 1
		for d in $(strings "$tmp/extra/mods/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
			addmod "$d" || return 1
		done
		echo "$1" >> "$tmp/extra/mods/order"
	}
	for m in virtio_mmio virtio_blk virtio_net virtio-rng; do
		addmod $m; ok $? "Debian module $m (and what it depends on) from $mdir"
	done
	diag "insmod order: $(tr '\n' ' ' < "$tmp/extra/mods/order")"
fi
cat > "$tmp/extra/virtio-test" <<'EOF'
#!/bin/sh
say() { echo "PNVM-V $*"; }
seed=$(sed -n 's/.*pnvm\.seed=\([0-9a-f]*\).*/\1/p' /proc/cmdline)
for m in $(cat /mods/order 2>/dev/null); do
	insmod /mods/$m.ko || say insmod-failed $m
done
say pool "$(dmesg | grep -m1 'restricted DMA pool')"
say acpi "$(dmesg | grep -m1 'ACPI: RSDP')"
say lnro $(ls /sys/bus/platform/drivers/virtio-mmio 2>/dev/null | grep -c '^LNRO0005')
say irqs "$(grep virtio /proc/interrupts | tr -s ' ' | tr '\n' ';')"

# blk: 1 MiB at 1 MiB, direct both ways, so nothing comes from the page cache.
yes "pnvm-virtio-$seed" | head -c 1048576 > /tmp/pat
say pattern $(md5sum < /tmp/pat | cut -d' ' -f1)
dd if=/tmp/pat of=/dev/vda bs=65536 seek=16 oflag=direct 2>/tmp/dd.err && sync && say blk-write ok
dd if=/dev/vda of=/tmp/back bs=65536 skip=16 count=16 iflag=direct 2>>/tmp/dd.err
cmp -s /tmp/pat /tmp/back && say blk-readback ok
say dd-stderr $(tr '\n' ' ' < /tmp/dd.err)

# rng
say hwrng "$(cat /sys/class/misc/hw_random/rng_current 2>&1)" \
	$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')

# net
ip link set eth0 up && ip addr add GUEST_IP/24 dev eth0
ping -c 3 -W 5 HOST_IP > /tmp/ping 2>&1 && say ping ok
say ping-stats $(grep 'packets' /tmp/ping)

# console: computed, so the marker is nowhere in the kernel log or script;
# after a pause, as hvc0 and ttyS0 share pnvm's stdout.
sleep 1
[ -c /dev/hvc0 ] && echo "PNVM-HVC-$((6 * 7))-$seed" > /dev/hvc0 && say hvc0 written

# the pool as the guest's swiotlb sees it: rings and rx buffers live there
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for f in /sys/kernel/debug/restricted-dma@*/io_tlb_used; do
	[ -f "$f" ] && say io_tlb_used "$(cat "$f")"
done
say io-done
# Time for the host to read numa_maps while the VM is alive.
sleep 4
EOF
sed -i "s/GUEST_IP/$guest_ip/; s/HOST_IP/$host_ip/" "$tmp/extra/virtio-test"
chmod +x "$tmp/extra/virtio-test"
initrd_with "$tmp/extra" "$tmp/initrd.cpio.gz"
ok $? "guest initramfs with the device script built"

# --- the host's side: image, tap ----------------------------------------------
seed=$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
want=$(yes "pnvm-virtio-$seed" | head -c 1048576 | md5sum | cut -d' ' -f1)
img=$tmp/disk.img
truncate -s 16M "$img"
ip link del "$tap" 2>/dev/null
ip tuntap add dev "$tap" mode tap vnet_hdr && ip addr add "$host_ip/24" dev "$tap" &&
	ip link set "$tap" up
ok $? "L1 tap $tap at $host_ip"
[ "$failed" -eq 0 ] || { sed 's/^/# /' "$tmp/initrd.cpio.gz.err"; finish; }

# --- bad device inputs: exit 2, one line, before any VM exists -----------------
bad() { # WHAT PATTERN ARGS...
	local what=$1 pat=$2 rc lines
	shift 2
	"$pnvm" --kernel "$kernel" --initrd "$tmp/initrd.cpio.gz" --memory "${mem_mb}M" "$@" \
		< /dev/null > "$tmp/bad.out" 2> "$tmp/bad.err"
	rc=$?
	lines=$(wc -l < "$tmp/bad.err")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "^pnvm: .*$pat" "$tmp/bad.err"
	ok $? "$what: exit $rc, $lines line: $(head -n 1 "$tmp/bad.err")"
}
bad "window on the private node" "is the private node" --private-node 1 --rng --shared-node 1
bad "window on a node that does not exist" "no such NUMA node" --private-node 1 --rng --shared-node 7
# Held on our own descriptor, so closing it is sure to release it.
exec 7<"$img"
flock -x -n 7
bad "a disk image another process holds" "in use" --private-node 1 --disk "$img" --window=off
exec 7<&-
bad "a tap name with a slash" "not allowed" --private-node 1 --net tap=a/b

args=(--kernel "$kernel" --initrd "$tmp/initrd.cpio.gz" --memory "${mem_mb}M" --cpus 2
      --private-node 1 --report --name virtio-lab
      --disk "$img" --net "tap=$tap" --rng
      --cmdline "pnvm.seed=$seed pnvm.run=\"sh /virtio-test\"")
if [ $mode = window ]; then
	args+=(--shared-window "${win_mb}M" --shared-node 0 --console)
else
	args+=(--window=off)
fi

# A boot that never reaches user space is retried (start_guest, 3 boots);
# one that got further is judged.
t0=$(now_ms)
start_guest "$tmp/out" "$tmp/err" PNVM-GUEST-UP 180 "$pnvm" "${args[@]}" &&
	wait_for "$tmp/out" 'PNVM-V io-done' $pid 240
up=$?
t1=$(now_ms)
ok $up "guest ran the device script (PNVM-V io-done)"
diag "pnvm start to io-done: $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s"

# numa_maps while the guest runs (it sleeps 4 s after io-done).
hva=$(gmem_hva "$tmp/err")
if [ $up -eq 0 ] && [ -n "$hva" ]; then
	p=$(placement $pid "$hva")
	all_on_node1 "$p" $((mem_mb * 256))
	ok $? "numa_maps: guest RAM bind:1, all $((mem_mb * 256)) pages on node 1 ($p)"
else
	ok 1 "numa_maps: guest RAM (no mapping named: ${hva:-none})"
fi
if [ $mode = window ]; then
	whva=$(sed -n 's/.*window: gpa .* memfd at \(0x[0-9a-f]*\), bound to node 0.*/\1/p' "$tmp/err")
	wp=missing
	[ $up -eq 0 ] && [ -n "$whva" ] && wp=$(placement $pid "$whva" 0)
	[ "$wp" = "bind=0 pages=$((win_mb * 256)) other=0 kb=${wp##*kb=}" ] &&
		grep -a "^${whva#0x} " "/proc/$pid/numa_maps" 2>/dev/null | grep -q 'memfd:pnvm-window'
	ok $? "numa_maps: window memfd:pnvm-window bind:0, all $((win_mb * 256)) pages on node 0 ($wp)"
fi

[ $up -eq 0 ] || kill -TERM $pid 2>/dev/null
# The guest reboots a few seconds after io-done; one that does not is a
# failure to see, not a test that hangs until the lab's timeout.
end=$(($(now_ms) + 60000))
while kill -0 $pid 2>/dev/null && [ "$(now_ms)" -lt $end ]; do sleep 0.2; done
kill -0 $pid 2>/dev/null && { diag "no reboot within 60 s of io-done: SIGTERM"; kill -TERM $pid; }
wait $pid; rc=$?
ok $rc "pnvm exits 0 after the guest reboots (status $rc)"

v() { sed -n "s/^PNVM-V $1 //p" "$tmp/out" | tr -d '\r' | head -n 1; }
grep -aq 'PNVM-NPROC 2' "$tmp/out"; ok $? "guest sees 2 CPUs"

if [ $mode = window ]; then
	wgpa=$(sed -n 's/.*window: gpa \(0x[0-9a-f]*\)-.*/\1/p' "$tmp/err")
	pool=$(v pool)
	# "... created restricted DMA pool at 0x0000000010000000, size 64 MiB"
	pat=$(echo "$pool" | sed -n 's/.*restricted DMA pool at \(0x[0-9a-f]*\), size \([0-9]*\) MiB.*/\1 \2/p')
	[ -n "$wgpa" ] && [ -n "$pat" ] && [ $((${pat% *})) -eq $((wgpa)) ] && [ "${pat#* }" = $win_mb ]
	ok $? "guest dmesg: restricted DMA pool at the window ${wgpa:-?}, $win_mb MiB (${pool:-no pool line})"
	grep -aq "PNVM-HVC-42-$seed" "$tmp/out" && [ "$(v hvc0)" = written ]
	ok $? "a line written to /dev/hvc0 came out of pnvm's stdout"
	used=$(v io_tlb_used)
	[ -n "$used" ] && [ "$used" -gt 0 ]
	ok $? "guest swiotlb: ${used:-no} slots of the restricted pool in use (rings and buffers live in the window)"
fi
diag "guest interrupts: $(v irqs)"
if [ $mode = off ]; then
	[ "$(v lnro)" = 3 ]
	ok $? "ACPI: virtio_mmio bound 3 LNRO0005 devices ($(v lnro); $(v acpi))"
	! grep -aq 'insmod-failed' "$tmp/out"
	ok $? "every module loaded ($(grep -a 'insmod-failed' "$tmp/out" | tr -d '\r' | tr '\n' ' '))"
	diag "guest device lines: $(grep -a 'virtio_blk\|virtio_net\|LNRO\|virtio-mmio' "$tmp/out" | tr -d '\r' | head -n 8 | tr '\n' ';')"
fi

[ "$(v pattern)" = "$want" ]; ok $? "guest built the pattern the host expects ($want)"
[ "$(v blk-write)" = ok ] && [ "$(v blk-readback)" = ok ]
ok $? "guest: 1 MiB written with oflag=direct, synced, read back equal with iflag=direct"
diag "guest dd: $(v dd-stderr)"
got=$(dd if="$img" bs=65536 skip=16 count=16 2>/dev/null | md5sum | cut -d' ' -f1)
[ "$got" = "$want" ]; ok $? "after exit the image holds the pattern at 1 MiB ($got)"
[ "$(dd if="$img" bs=65536 count=16 2>/dev/null | tr -d '\0' | wc -c)" -eq 0 ]
ok $? "and nothing before it (the guest wrote where it said)"

rng=$(v hwrng)
case "$rng" in virtio_rng.*) r=0 ;; *) r=1 ;; esac
hex=${rng##* }
[ $r -eq 0 ] && [ ${#hex} -eq 64 ] && [ "$hex" != "$(printf '0%.0s' $(seq 64))" ]
ok $? "/dev/hwrng (virtio_rng) gave 32 bytes (${rng:-nothing})"
[ "$(v ping)" = ok ]; ok $? "guest pinged L1 at $host_ip over $tap"
diag "guest ping: $(v ping-stats)"

# Counters, as pnvm --report printed them at exit.
ctr() { counter "$tmp/err" "$@"; }
devs="blk0 net0 rng0"
[ $mode = window ] && devs="$devs console0"
grep -a '^pnvm: [a-z]*[0-9]: requests=' "$tmp/err" | sed 's/^pnvm: /# counters: /'
for d in $devs; do
	b=$(ctr $d bytes) r=$(ctr $d requests)
	[ -n "$b" ] && [ "$b" -gt 0 ] && [ "$r" -gt 0 ]
	ok $? "$d moved data through the window (requests=${r:-?} bytes=${b:-?})"
done
b=$(ctr blk0 bytes)
[ -n "$b" ] && [ "$b" -ge $((2 * 1048576)) ]; ok $? "blk0 bytes ${b:-?} >= the 2 MiB the guest wrote and read"
bad=0
for d in $devs; do
	[ "$(ctr $d violations)" = 0 ] && [ "$(ctr $d errors)" = 0 ] || bad=1
done
ok $bad "0 violations and 0 errors on every device"

if [ "$failed" -ne 0 ]; then
	diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err"
	diag "guest console (tail):"; tail -n 40 "$tmp/out" | sed 's/^/#   /'
fi
finish
