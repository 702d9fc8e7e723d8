#!/usr/bin/env bash
# Lab test (scripts/lab --dax): pnvm host, what an operator runs, on
# special-purpose memory.
#
# Patched: `pnvm host check --node 1` is not ready (node 1 has no memory);
# `provision --dax dax0.0 --dry-run` plans and changes nothing; `provision`
# designates node 1, adds the memory and verifies it (private, ZONE_NORMAL,
# a guest_memfd probe); a second run changes nothing; check is then ready
# and a guest's RAM lands on node 1. Stock: check is not ready and provision
# refuses, changing nothing. dax_hmem hands the device to kmem at boot, its
# memory added but offline; the test leaves it so again.
set -u
cd "$(dirname "$0")/../.."

. tests/lib/lab.sh
. tests/lib/dax.sh

# js FILE EXPR: EXPR over the JSON object j in FILE (python3), printed.
js() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
handback() { # the boot state: memory offline, node 1 undesignated
	daxctl offline-memory $dev > /dev/null 2>&1 &&
		{ [ ! -w $sysn/private_nodes ] || echo > $sysn/private_nodes; }
}

[ "${PNVM_LAB_DAX:-0}" = 1 ] && [ -d /sys/bus/dax/devices/$dev ] && ! has_mem1
ok $? "--dax lab: $dev, node 1 without memory ($(state))"
[ -x "$pnvm" ]; ok $? "build/pnvm is built"
[ "$failed" -eq 0 ] || finish

# --- before: not ready ---------------------------------------------------------
"$pnvm" host check --json --node 1 > "$tmp/check0" 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && [ "$(js "$tmp/check0" 'j["ready"]')" = False ]
ok $? "host check --node 1 before: not ready, exit 1 (exit $rc)"
[ "$(js "$tmp/check0" '[i["ok"] for i in j["items"] if i["name"] == "target-memory"][0]')" = False ] &&
	[ "$(js "$tmp/check0" '[(d["target_node"], d["blocks_online"]) for d in j["dax"] if d["name"] == "dax0.0"][0]')" = "(1, 0)" ]
ok $? "it says node 1 has no memory, and $dev (node 1, $(js "$tmp/check0" '[d["mode"] for d in j["dax"]][0]')) has none online"

if [ "${PNVM_LAB_KERNEL:-}" != patched ]; then
	[ "$(js "$tmp/check0" '[i["ok"] for i in j["items"] if i["name"] == "private-memory"][0]')" = False ]
	ok $? "stock: check names the missing series ($(js "$tmp/check0" '[i["fix"] for i in j["items"] if i["name"] == "private-memory"][0]'))"
	"$pnvm" host provision --dax $dev --json > "$tmp/prov" 2> "$tmp/err"; rc=$?
	[ $rc -eq 1 ] && [ "$(js "$tmp/prov" 'j["changed"]')" = False ] && ! has_mem1
	ok $? "stock: provision refuses, changes nothing (exit $rc: $(js "$tmp/prov" 'j.get("refused")'))"
	finish
fi

# --- provision: dry run, then for real, then again -------------------------------
"$pnvm" host provision --dax $dev --dry-run --json > "$tmp/dry" 2> "$tmp/err"; rc=$?
plan=$(js "$tmp/dry" '" ".join(s["action"] + ":" + s["status"] for s in j["steps"])')
[ $rc -eq 0 ] && [ "$(js "$tmp/dry" 'j["dry_run"]')" = True ] && [[ $plan == "designate:planned "* ]] &&
	[[ $plan != *done* ]] && [ -z "$(cat $sysn/private_nodes)" ] && ! has_mem1
ok $? "provision --dry-run: designation first, nothing done ($plan; exit $rc; $(state))"

t0=$(now_ms)
"$pnvm" host provision --dax $dev --json > "$tmp/prov" 2> "$tmp/err"; rc=$?
t1=$(now_ms)
diag "provision: exit $rc in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s; before: $(js "$tmp/prov" 'j["before"]')"
diag "after: $(js "$tmp/prov" 'j["after"]')"
diag "steps: $(js "$tmp/prov" '"; ".join(s["action"] + " " + s["status"] + " (" + s["command"] + ")" for s in j["steps"])')"
[ $rc -eq 0 ] && [ "$(js "$tmp/prov" 'j["ok"] and j["changed"]')" = True ]
ok $? "provision --dax $dev: done, changed (exit $rc$( [ $rc -eq 0 ] || echo ": $(js "$tmp/prov" 'j.get("error") or j.get("refused")')"))"
[ "$(js "$tmp/prov" 'all(v["ok"] for v in j["verify"])')" = True ]
ok $? "its checks hold: $(js "$tmp/prov" '", ".join(v["name"] + "=" + str(v["ok"]) for v in j["verify"])')"
[ "$(cat $sysn/has_private_memory)" = 1 ] && [ "$(cat $sysn/private_nodes)" = 1 ]
ok $? "the kernel agrees: node 1 designated and private ($(state))"
"$pnvm" host provision --dax $dev --json > "$tmp/prov2" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(js "$tmp/prov2" 'j["changed"]')" = False ]
ok $? "a second provision changes nothing (exit $rc, changed=$(js "$tmp/prov2" 'j["changed"]'))"

# --- after: ready, and a guest on it -------------------------------------------
"$pnvm" host check --json --node 1 > "$tmp/check1" 2> "$tmp/err"; rc=$?
diag "check after: $(js "$tmp/check1" '", ".join(i["name"] + "=" + ("ok" if i["ok"] else "FAIL") for i in j["items"] if i["required"])')"
[ $rc -eq 0 ] && [ "$(js "$tmp/check1" 'j["ready"]')" = True ]
ok $? "host check --node 1 after: ready, exit 0 (exit $rc)"
diag "probe: $(js "$tmp/check1" '[i["detail"] for i in j["items"] if i["name"] == "probe"][0]')"

initrd=$(scripts/guest-initrd "$tmp/initrd.cpio.gz" 2>"$tmp/initrd.err")
start_guest "$tmp/out" "$tmp/err" PNVM-GUEST-UP 300 \
	"$pnvm" --kernel "$kernel" --initrd "$initrd" --memory 128M --cpus 1 \
	--private-node 1 --require-private --report --cmdline 'pnvm.run="sleep 3"'
up=$?
hva=$(gmem_hva "$tmp/err")
p=$( [ $up -eq 0 ] && [ -n "$hva" ] && placement $pid "$hva")
[ $up -eq 0 ] && all_on_node1 "$p" $((128 * 256))
ok $? "a guest's RAM on the provisioned node: ${p:-no guest}"
[ $up -eq 0 ] || kill -TERM $pid 2>/dev/null
wait $pid; rc=$?
ok $rc "pnvm exits 0 after the guest powers off (status $rc)"

handback && ! has_mem1 && [ -z "$(cat $sysn/private_nodes)" ]
ok $? "memory offline again, node 1 undesignated ($(state))"
finish
