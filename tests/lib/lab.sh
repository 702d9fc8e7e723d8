# Shared by the lab tests (tests/lab/*.sh): TAP output, waiting on a
# guest, reading guest RAM placement from numa_maps. Source it after
# `cd` to the checkout root. retry_note (and msg, die) come from
# scripts/lib.sh, the one copy the scripts use too.
# shellcheck shell=bash source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

# What every lab test runs: pnvm, on the guest kernel scripts/lab hands
# over (the cached 'guest' flavour when run by hand).
pnvm=build/pnvm
kernel=${PNVM_GUEST_KERNEL:-$(scripts/kernel path guest 2>/dev/null)}

n=0 failed=0
ok() { # ok STATUS MESSAGE: TAP line, STATUS 0 = pass
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
exec 3>&1
diag() { echo "# $*" >&3; }	# also from inside $(...)
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit; }

# initrd_with EXTRA_DIR OUT: scripts/guest-initrd's initramfs with the
# files of EXTRA_DIR appended as a second cpio member, into OUT; the build's
# errors in OUT.err.
initrd_with() {
	local base
	base=$(scripts/guest-initrd "$2.base" 2>"$2.err") &&
		(cd "$1" && find . -mindepth 1 | sed 's#^\./##' | cpio -o -H newc -R 0:0 --quiet |
			gzip) > "$2.extra" &&
		cat "$base" "$2.extra" > "$2"
}

# now_ms: monotonic milliseconds.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# wait_for FILE PATTERN PID SECONDS: until PATTERN is in FILE or PID dies.
# By the clock, not by counting sleeps: under TCG each loop costs more.
wait_for() {
	local end=$(($(now_ms) + $4 * 1000))
	while [ "$(now_ms)" -lt $end ]; do
		grep -aq -- "$2" "$1" && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# placement PID HVA [NODE]: "bind=<b> pages=<on NODE> other=<elsewhere> kb=<page kB>"
# for the numa_maps line of the mapping that starts at HVA (NODE: 1).
placement() {
	local line
	line=$(grep -a "^${2#0x} " "/proc/$1/numa_maps") || { echo "missing"; return 1; }
	diag "numa_maps: $line"
	echo "$line" | awk -v want="${3:-1}" '{
		bind = "none"; on = 0; off = 0; kb = 4
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^bind:/) bind = substr($i, 6)
			else if ($i ~ /^N[0-9]+=/) {
				split(substr($i, 2), a, "=")
				if (a[1] == want) on += a[2]; else off += a[2]
			} else if ($i ~ /^kernelpagesize_kB=/) kb = substr($i, 19)
		}
		printf "bind=%s pages=%d other=%d kb=%d\n", bind, on * kb / 4, off * kb / 4, kb
	}'
}

# all_on_node1 PLACEMENT EXPECTED_4K_PAGES
all_on_node1() {
	[ "$1" = "bind=1 pages=$2 other=0 kb=${1##*kb=}" ]
}

# gmem_hva STDERR_FILE: the guest_memfd mapping pnvm --report names.
gmem_hva() {
	sed -n 's/.*region 0: .* at \(0x[0-9a-f]*\), bound.*/\1/p' "$1"
}

# counter ERR DEV FIELD: DEV's FIELD from the last counters line pnvm
# printed at exit ("pnvm: blk0: requests=N bytes=N violations=N errors=N").
counter() {
	sed -n "s/^pnvm: $2: .*$3=\([0-9]*\).*/\1/p" "$1" | tail -n 1
}

# start_guest OUT ERR MARKER SECONDS CMD...: run CMD (pnvm) in the
# background as $pid and wait until MARKER is in OUT. Nested guests
# under the lab's multi-threaded TCG now and then die in early boot: an
# int3 oops where a static key is being patched, as TCG lets another
# vCPU run the half-written instruction (virtio/README, "Measured in
# pnvm"; 1 boot in 8 under load). A boot that dies or stalls before
# MARKER is said, with its oops line, and retried, up to 3 boots in all;
# a failed boot's output is kept in OUT.bootN and ERR.bootN.
start_guest() {
	local out=$1 err=$2 marker=$3 secs=$4 try
	shift 4
	for try in 1 2 3; do
		"$@" < /dev/null > "$out" 2> "$err" &
		pid=$!
		wait_for "$out" "$marker" $pid "$secs" && return 0
		[ $try = 3 ] && return 1
		kill -TERM $pid 2>/dev/null; wait $pid
		diag "boot $try did not reach '$marker': $(boot_failure "$out" "$err")"
		retry_note "${0##*/}: guest boot $try did not reach '$marker': $(boot_failure "$out" "$err")"
		cp "$out" "$out.boot$try"; cp "$err" "$err.boot$try"
	done
}

# boot_failure OUT ERR: one line on why a guest died or where it hung.
boot_failure() {
	local oops stop last
	oops=$(grep -a -m1 -A1 'Oops:\|BUG:\|Kernel panic' "$1" | tr -s ' \r\n' ' ' | cut -c1-160)
	stop=$(grep -a 'guest reset\|stopped by\|guest halted' "$2" | head -n 1)
	last=$(grep -a '^\[' "$1" | tail -n 1 | cut -c1-100)
	echo "${oops:-no oops}; ${stop:-no stop reason}; last console line: ${last:-none}"
}
