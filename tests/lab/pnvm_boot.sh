#!/usr/bin/env bash
# Lab test: pnvm boots a guest whose RAM is all on node 1.
#
# Boots $PNVM_GUEST_KERNEL with the test initramfs (256M, 2 CPUs,
# --private-node ${PNVM_TEST_NODE:-1}), waits for the guest's marker, and
# while the guest runs reads /proc/<pnvm>/numa_maps: the guest_memfd
# mapping must be bind:1 with every page on node 1. PNVM_TEST_NODE=0 makes
# that assertion fail, as it must. A second pnvm bound to node 0 is
# stopped with SIGTERM right after its RAM is allocated; the same checker
# must say "not on node 1" for it (the check can fail), and pnvm must exit
# 143 and clean up. Figures go out as '#' lines.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh

node=${PNVM_TEST_NODE:-1}
mem_mb=256
# Output on the lab's tmpfs: files on the 9p share read back with runs
# of NUL bytes while being appended to and read at once, which once ate
# the marker. Copied to build/lab/pnvm_boot (on the host) at the end.
tmp=$(mktemp -d)
keep=build/lab/pnvm_boot
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$keep"; mkdir -p "$keep"; cp "$tmp"/out* "$tmp"/err* "$keep"/ 2>/dev/null; rm -rf "$tmp"' EXIT

[ -x "$pnvm" ]; ok $? "build/pnvm is built"
[ -n "$kernel" ] && [ -f "$kernel" ]; ok $? "guest kernel: ${kernel:-none}"
[ -e /dev/kvm ]; ok $? "/dev/kvm exists"
[ -d /sys/devices/system/node/node1 ]; ok $? "node 1 exists"
[ "$failed" -eq 0 ] || finish
initrd=$(scripts/guest-initrd "$tmp/initrd.cpio.gz" 2>"$tmp/initrd.err"); ok $? "guest initramfs built"
[ "$failed" -eq 0 ] || { sed 's/^/# /' "$tmp/initrd.err"; finish; }

pages=$((mem_mb * 256))

# --- the guest, on $node ----------------------------------------------------
t0=$(now_ms)
start_guest "$tmp/out" "$tmp/err" PNVM-GUEST-UP 300 \
	"$pnvm" --kernel "$kernel" --initrd "$initrd" --memory ${mem_mb}M --cpus 2 \
	--private-node "$node" --report --cmdline 'pnvm.run="sleep 5"'
up=$?
t1=$(now_ms)
ok $up "guest printed PNVM-GUEST-UP"
[ $up -eq 0 ] && diag "pnvm start to guest marker: $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s"

hva=$(gmem_hva "$tmp/err")
[ -n "$hva" ]; ok $? "pnvm --report names the guest_memfd mapping (${hva:-none})"
if [ $up -eq 0 ] && [ -n "$hva" ]; then
	p=$(placement $pid "$hva")
	all_on_node1 "$p" $pages
	ok $? "while the guest runs, numa_maps: guest RAM bind:1 and 100% on node 1 ($p, want $pages pages)"
	# pnvm's own memory, guest RAM excluded: RSS minus the guest_memfd mapping.
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status)
	gm=$(awk -v a="${hva#0x}" '$1 ~ "^"a"-" { on = 1; next } /^[0-9a-f]+-/ { on = 0 }
		on && /^Rss:/ { print $2 }' /proc/$pid/smaps)
	diag "pnvm RSS excluding guest RAM: $(((rss - ${gm:-0}) / 1024)) MiB ($rss kB total, $gm kB guest RAM)"
fi
[ $up -eq 0 ] || kill -TERM $pid 2>/dev/null
wait $pid; rc=$?
ok $((rc != 0)) "pnvm exits 0 after the guest reboots (status $rc)"
grep -aq 'PNVM-NPROC 2' "$tmp/out"; ok $? "guest sees 2 CPUs"
memkb=$(sed -n 's/^PNVM-MEMTOTAL \([0-9]*\) kB.*/\1/p' "$tmp/out" | tr -d '\r')
[ -n "$memkb" ] && [ "$memkb" -gt $((mem_mb * 1024 * 80 / 100)) ] && [ "$memkb" -le $((mem_mb * 1024)) ]
ok $? "guest MemTotal ${memkb:-?} kB is ~${mem_mb} MiB"
grep -aq 'PNVM-RUN-STATUS 0' "$tmp/out"; ok $? "guest ran pnvm.run and powered off"
grep -a 'allocated .* MiB/s' "$tmp/err" | sed 's/^pnvm: /# prefault: /'
grep -a 'placement' "$tmp/err" | sed 's/^pnvm: /# /'
if [ "$failed" -ne 0 ]; then
	diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err"
	diag "guest console (tail):"; tail -n 30 "$tmp/out" | sed 's/^/#   /'
fi

# --- control: node 0, stopped by SIGTERM before the guest gets far --------
"$pnvm" --kernel "$kernel" --initrd "$initrd" --memory ${mem_mb}M --cpus 1 \
	--private-node 0 --report < /dev/null > "$tmp/out0" 2> "$tmp/err0" &
pid0=$!
wait_for "$tmp/err0" 'placement at start' $pid0 120
hva0=$(gmem_hva "$tmp/err0")
p0=$(placement $pid0 "${hva0:-0}")
! all_on_node1 "$p0" $pages && [ "${p0#bind=0 }" != "$p0" ]
ok $? "control: RAM bound to node 0 is reported as not on node 1 ($p0)"
kill -TERM $pid0 2>/dev/null
wait $pid0; rc=$?
ok $((rc != 143)) "control: SIGTERM stops pnvm with status 143 (got $rc)"
grep -aq 'stopped by' "$tmp/err0"; ok $? "control: pnvm says why it stopped"
finish
