#!/usr/bin/env bash
# Lab test: while pnvm's guest runs on node 1, node 1 holds the guest's
# RAM and nothing else - no kernel memory, no other process's memory,
# not even when node 0 runs out.
#
# Starts a 256 MiB guest on node 1 and, while it boots (the phase in which
# KVM allocates most: page tables, vCPU state, guest faults), fills node 0:
# its hugetlb pool takes all but ~128 MiB of node 0 (cheap: pool pages are
# not cleared), then a hog with the default policy allocates node 0's free
# memory plus 64 MiB, in private anonymous and shared (shmem) chunks, with
# oom_score_adj 1000 so an OOM picks it. Node 1's meminfo
# (/sys/devices/system/node/node1/meminfo) is read before pnvm starts and
# every ~0.3 s under pressure; the evidence is the peak delta of each field:
#   MemUsed - per-CPU free lists <= guest RAM + 1 MiB
#   FilePages = guest RAM +- 1 MiB
#   AnonPages, Shmem, Slab, PageTables, KernelStack <= 512 kB each
# (guest_memfd folios are file pages of its inode). The node's own memory
# map and boot data are reserved at boot, outside MemTotal; the test
# reports them as present - MemTotal. Where node 1 is not private (stock),
# the hog falls back into node 1: there the test checks that it sees that
# leak (so the check can fail) instead of asserting it away.
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib/lab.sh

node=1
mem_mb=256
guest_kb=$((mem_mb * 1024))
sysn=/sys/devices/system/node
pool=$sysn/node0/hugepages/hugepages-2048kB/nr_hugepages
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -w $pool ] && echo 0 > $pool; rm -rf "$tmp"' EXIT

[ -x "$pnvm" ] && [ -f "$kernel" ]; ok $? "pnvm and a guest kernel (${kernel:-none})"
[ -e /dev/kvm ] && [ -d $sysn/node$node ] && [ -w $pool ]; ok $? "/dev/kvm, node $node and node 0's hugetlb pool"
# make builds the guest initramfs; building it here costs ~10 s of TCG.
initrd=build/guest-initrd.cpio.gz
[ -f $initrd ] || initrd=$(scripts/guest-initrd "$tmp/initrd.cpio.gz" 2>"$tmp/initrd.err")
ok $? "guest initramfs ($initrd)"
[ "$failed" -eq 0 ] || finish
private=0
grep -qw "$node" $sysn/has_private_memory 2>/dev/null && private=1
diag "node $node private: $([ $private = 1 ] && echo yes || echo "no (stock or no private_node=)")"

fields="MemUsed FilePages AnonPages Shmem Slab PageTables KernelStack"
# snap: one line "MemUsed=.. FilePages=.. ... pcp=.. used=.. n0free=.." (kB).
# pcp: free pages held in node 1's per-CPU lists, which meminfo counts as
# used (they serve only allocations from node 1's zones, i.e. private
# ones, and drain back under pressure); used = MemUsed - pcp.
snap() {
	awk -v want="$fields" -v node="$node" '
		BEGIN { n = split(want, f, " "); for (i = 1; i <= n; i++) keep[f[i]] = 1 }
		FILENAME == "/proc/zoneinfo" {
			if ($1 == "Node") on = ($2 == node ",")
			else if (on && $1 == "count:") pcp += $2 * 4
			next
		}
		FILENAME ~ /node0/ { if ($3 == "MemFree:") free0 = $4; next }
		{ k = $3; sub(/:$/, "", k); if (k in keep) v[k] = $4 }
		END {
			for (i = 1; i <= n; i++) printf "%s=%d ", f[i], v[f[i]]
			printf "pcp=%d used=%d n0free=%d\n", pcp, v["MemUsed"] - pcp, free0
		}' /proc/zoneinfo $sysn/node$node/meminfo $sysn/node0/meminfo
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# The node's own memory map and boot data: present pages not managed.
present=$(awk -v n="$node" '/^Node/ { on = ($2 == n ",") } on && $1 == "present" { s += $2 }
	END { print s * 4 }' /proc/zoneinfo)
total=$(awk '$3 == "MemTotal:" { print $4 }' $sysn/node$node/meminfo)
base=$(snap)
diag "node $node: present $present kB, MemTotal $total kB: memory map + boot data $((present - total)) kB"
diag "before pnvm: $base"

# --- the guest on node 1, and pressure on node 0 while it boots --------------
# Under that pressure the lab's nested 1-vCPU guest has now and then
# triple-faulted (2 of 3 CI runs on 2026-12-01, stock and patched alike;
# SVM leaves no state to read after a shutdown), which ends the VM this
# test measures around. A run whose guest died that way is said and run
# once more; anything else pnvm does is judged.
phase() {
	"$pnvm" --kernel "$kernel" --initrd "$initrd" --memory ${mem_mb}M --cpus 1 \
		--private-node $node --report --cmdline 'pnvm.run="sleep 3600"' \
		< /dev/null > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	wait_for "$tmp/err" 'placement at start' $pid 120 || return 1
	echo -1000 > /proc/$pid/oom_score_adj
	hva=$(gmem_hva "$tmp/err")
	p=$(placement $pid "${hva:-0}")

	# Pressure on node 0, while the guest boots.
	t0=$(now_ms)
	free0=$(field "$(snap)" n0free)
	echo $(((free0 / 1024 - 128) / 2)) > $pool
	diag "node 0 hugetlb pool: $(cat $pool) x 2 MiB (node 0 MemFree was $free0 kB)"
	free0=$(field "$(snap)" n0free)
	hog_mb=$((free0 / 1024 + 64))
	# In a subshell that reports python's status: an OOM kill of a job of
	# this shell would print its whole command line to stderr.
	{ python3 -c '
import mmap, os, signal, sys
open("/proc/self/oom_score_adj", "w").write("1000")
print("HOG-PID", os.getpid(), flush=True)
chunk = 8 << 20
buf = b"\x01" * chunk
maps, done = [], 0
while done < int(sys.argv[1]) << 20:
    kind = mmap.MAP_SHARED if len(maps) % 2 else mmap.MAP_PRIVATE
    m = mmap.mmap(-1, chunk, flags=kind | mmap.MAP_ANONYMOUS)
    m.write(buf)
    maps.append(m)
    done += chunk
    print(done >> 20, flush=True)
print("HOG-FULL", flush=True)
signal.pause()
' $hog_mb; echo "HOG-EXIT $?"; } > "$tmp/hog" 2>&1 < /dev/null &
	hog=$!
	diag "hog: default policy, $hog_mb MiB (node 0 MemFree $free0 kB + 64 MiB)"
	: > "$tmp/samples"
	# (Anchored: the shell's report of a killed python quotes its source.)
	while ! grep -q '^HOG-FULL$\|^HOG-EXIT [0-9]' "$tmp/hog"; do
		snap >> "$tmp/samples"
		sleep 0.3
	done
	for _ in 1 2 3 4 5; do snap >> "$tmp/samples"; sleep 0.3; done
	got=$(grep '^[0-9][0-9]*$' "$tmp/hog" | tail -1)
	got=${got:-0}
	if grep -q '^HOG-FULL$' "$tmp/hog"; then
		how="allocated all $got MiB"
		hogst=0
		kill "$(awk '$1 == "HOG-PID" { print $2 }' "$tmp/hog")"
	else
		hogst=$(sed -n 's/^HOG-EXIT //p' "$tmp/hog")
		how="ended (status $hogst; OOM-killed: 137) after $got MiB"
	fi
	wait $hog
	echo 0 > $pool
	diag "hog $how in $(( ($(now_ms) - t0) / 1000 )) s; $(wc -l < "$tmp/samples") samples"
}
for try in 1 2; do
	phase; st=$?
	[ $st -eq 0 ] && ! kill -0 $pid 2>/dev/null && grep -q 'guest reset (triple fault)' "$tmp/err" &&
		[ $try = 1 ] || break
	diag "run $try: the guest triple-faulted under the pressure after $(grep -ac '' "$tmp/out") console lines ($(grep -a '^\[' "$tmp/out" | tail -n 1 | cut -c1-80)); once more"
	retry_note "node1_empty: run $try: the guest triple-faulted under the pressure; ran once more"
	wait $pid
done
ok $st "pnvm allocated the guest's RAM and started it"
[ $st -eq 0 ] || { diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err"; finish; }
all_on_node1 "$p" $((mem_mb * 256))
ok $? "guest RAM bind:1 and 100% on node 1 ($p)"
kill -0 $pid 2>/dev/null && [ -s "$tmp/out" ]
ok $? "pnvm survived the pressure, its guest running ($(grep -ac '' "$tmp/out") console lines so far)"

# Peak of each field over the samples ("pk_used=.. pk_MemUsed=.. ...") and
# node 0's lowest MemFree, in one pass (each process costs under TCG).
peaks=$(awk '{ for (i = 1; i <= NF; i++) { split($i, a, "=")
		if (!(a[1] in m) || a[2] > m[a[1]]) m[a[1]] = a[2]
		if (a[1] == "n0free" && (lo == "" || a[2] < lo)) lo = a[2] } }
	END { for (k in m) printf "pk_%s=%d ", k, m[k]; printf "min0=%d\n", lo }' "$tmp/samples")
min0=$(field "$peaks" min0)
# Node 0 could not hold the hog: it took more than node 0 had free, or
# the OOM killer stopped it.
[ $((got * 1024)) -gt "$free0" ] || [ "$hogst" = 137 ]
ok $? "node 0 ran out: the hog got $got MiB of node 0's $((free0 / 1024)) MiB free (hog status $hogst; node 0 MemFree at least $min0 kB)"
declare -A d pk b
for kv in $peaks; do k=${kv%%=*}; pk[${k#pk_}]=${kv#*=}; done
for kv in $base; do b[${kv%%=*}]=${kv#*=}; done
line=""
for f in used $fields; do
	d[$f]=$((${pk[$f]:-0} - ${b[$f]:-0}))
	line+="$f +${d[$f]} "
done
diag "node $node peak deltas (kB) vs before pnvm: $line(guest RAM $guest_kb kB)"
diag "node $node used (MemUsed - per-CPU free lists) at peak: ${pk[used]} kB = guest RAM $guest_kb + $((pk[used] - guest_kb)) kB (before pnvm: ${b[used]} kB, MemUsed ${b[MemUsed]} kB); per-CPU lists at most ${pk[pcp]} kB"
if [ $private = 1 ]; then
	[ "${d[used]}" -le $((guest_kb + 1024)) ]
	ok $? "used +${d[used]} kB <= guest RAM $guest_kb kB + 1 MiB"
	[ "${d[FilePages]}" -ge $((guest_kb - 1024)) ] && [ "${d[FilePages]}" -le $((guest_kb + 1024)) ]
	ok $? "FilePages +${d[FilePages]} kB = guest RAM (guest_memfd) +- 1 MiB"
	for f in AnonPages Shmem Slab PageTables KernelStack; do
		[ "${d[$f]}" -le 512 ]
		ok $? "$f +${d[$f]} kB <= 512 kB (nothing of the kernel or other processes)"
	done
else
	# Not private: the same measurement must see the fallback.
	[ "${d[used]}" -gt $((guest_kb + 1024)) ]
	ok $? "not private: node 1 took other memory (used +${d[used]} kB; AnonPages +${d[AnonPages]}, Shmem +${d[Shmem]}, PageTables +${d[PageTables]} kB) - the leak the series closes"
fi

kill -TERM $pid 2>/dev/null
wait $pid; rc=$?
ok $((rc != 143)) "pnvm stops on SIGTERM (status $rc)"
[ "$failed" -eq 0 ] || { diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err"; diag "samples:"; sed 's/^/#   /' "$tmp/samples" | tail -20; }
finish
