#!/usr/bin/env bash
# Lab test: `pnvm run --libvirt DOMAIN.xml` boots the domain with all
# guest RAM on the node its <numatune> names. configs/libvirt/minimal.xml
# says node 1; the kernel and initramfs paths in it are a host's, so
# the test adds --kernel/--initrd after it (options after --libvirt
# override the domain's). A domain that asks for interleaving is refused
# with exit 2 before any VM exists.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
[ -x "$pnvm" ] && [ -f "$kernel" ]; ok $? "pnvm and a guest kernel (${kernel:-none})"
scripts/guest-initrd "$tmp/initrd.cpio.gz" >/dev/null 2>&1; ok $? "guest initramfs built"
[ "$failed" -eq 0 ] || finish

xml=configs/libvirt/minimal.xml
line=$("$pnvm" xml-to-argv "$xml" 2>&1)
case "$line" in *"--private-node 1"*) r=0 ;; *) r=1 ;; esac
ok $r "xml-to-argv: <numatune> nodeset 1 -> --private-node 1 ($line)"
mem_mb=$(echo "$line" | sed -n 's/.*--memory \([0-9]*\)M.*/\1/p')

start_guest "$tmp/out" "$tmp/err" PNVM-GUEST-UP 300 \
	"$pnvm" run --libvirt "$xml" --kernel "$kernel" --initrd "$tmp/initrd.cpio.gz" --report \
	--cmdline 'console=ttyS0 pnvm.run="sleep 5"'
up=$?
ok $up "the domain's guest printed PNVM-GUEST-UP"
hva=$(gmem_hva "$tmp/err")
if [ $up -eq 0 ] && [ -n "$hva" ]; then
	p=$(placement $pid "$hva")
	all_on_node1 "$p" $((${mem_mb:-0} * 256))
	ok $? "guest RAM of ${mem_mb:-?} MiB: bind:1 and 100% on node 1 ($p)"
else
	ok 1 "guest RAM placement (no mapping named: ${hva:-none})"
	kill -TERM $pid 2>/dev/null
fi
wait $pid; rc=$?
ok $rc "pnvm run --libvirt exits 0 after the guest reboots (status $rc)"
[ "$failed" -eq 0 ] || { diag "pnvm stderr:"; sed 's/^/#   /' "$tmp/err"; tail -n 20 "$tmp/out" | sed 's/^/#   /'; }

"$pnvm" run --libvirt tests/libvirt/fixtures/refuse-interleave.xml --kernel "$kernel" \
	< /dev/null > "$tmp/out2" 2> "$tmp/err2"
rc=$?
[ $rc -eq 2 ] && grep -q '^/domain/numatune' "$tmp/err2" && ! grep -q 'PNVM-GUEST-UP' "$tmp/out2"
ok $? "interleaving domain refused: exit $rc, $(head -n 1 "$tmp/err2")"
finish
