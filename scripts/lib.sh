# Common shell helpers for pnvm's scripts; sourced, never run.
# shellcheck shell=bash

PNVM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNVM_CACHE=${PNVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pnvm}
KVER_SERIES=${PNVM_KSERIES:-7.3}

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "$*"; exit 1; }
usage_die() { msg "$*"; exit 2; }
# retry_note WHY: every retry anywhere (an L1 booted again, a lab resumed,
# a guest booted again) is one line in $PNVM_RETRY_LOG, which
# scripts/run-tests counts in its summary: a retry hides a fault, so it
# must be seen. WHY says what ran again and why; it is kept to one line,
# as the runner counts lines. The only helper for this: scripts and lab
# tests (tests/lib/lab.sh) source this file.
retry_note() {
	local why="$*"
	[ -n "$why" ] || { msg "retry_note: no reason given"; return 2; }
	[ -z "${PNVM_RETRY_LOG:-}" ] || printf '%s\n' "${why//$'\n'/ }" >> "$PNVM_RETRY_LOG"
}

# The host's own Debian mirror: the first URI of the stanza that serves
# the host's release, from deb822 sources first, then sources.list.
host_mirror() {
	local codename f uri
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk -v rel="$codename" '
			BEGIN { RS = ""; FS = "\n" }
			{
				uris = ""; ok = 0; deb = 0
				for (i = 1; i <= NF; i++) {
					split($i, kv, ":[ \t]*")
					k = tolower(kv[1]); v = substr($i, length(kv[1]) + 2)
					sub(/^[ \t]+/, "", v)
					if (k == "uris") uris = v
					if (k == "types" && v ~ /(^| )deb( |$)/) deb = 1
					if (k == "suites" && (" " v " ") ~ (" " rel " ")) ok = 1
				}
				if (deb && ok && uris != "") { split(uris, u, " "); print u[1]; exit }
			}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(sed -E 's/\[[^]]*\]//' "$f" |
			awk -v rel="$codename" '$1 == "deb" && $3 == rel { print $2; exit }')
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

# apt-get/apt-cache against a private state under the cache: the host's
# sources and package database stay untouched.
kapt_dir() { echo "$PNVM_CACHE/apt"; }
kapt_opts() {
	local d
	d=$(kapt_dir)
	echo "-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=$d/none" \
	     "-o Dir::Etc::Preferences=$d/none -o Dir::Etc::PreferencesParts=$d/none" \
	     "-o Dir::State::Lists=$d/lists -o Dir::State::Status=$d/status" \
	     "-o Dir::Cache=$d/cache -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root"
}

kapt_setup() {
	local d mirror
	d=$(kapt_dir)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/none"
	[ -e "$d/status" ] || : > "$d/status"
	mirror=$(host_mirror) || die "cannot find the host's Debian mirror in /etc/apt"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie-backports main" \
		> "$d/sources.list.new"
	if ! cmp -s "$d/sources.list.new" "$d/sources.list"; then
		mv "$d/sources.list.new" "$d/sources.list"
		rm -f "$d/updated"
	else
		rm -f "$d/sources.list.new"
	fi
	# Refresh at most daily; a failed refresh keeps working from old lists.
	if [ -z "$(find "$d/updated" -mmin -1440 2>/dev/null)" ]; then
		# shellcheck disable=SC2046
		if apt-get $(kapt_opts) -qq update >"$d/update.log" 2>&1; then
			touch "$d/updated"
		elif [ ! -e "$d/updated" ]; then
			cat "$d/update.log" >&2
			die "apt update of trixie-backports failed"
		else
			msg "warning: apt update failed, using lists from $(date -r "$d/updated")"
		fi
	fi
}

# Newest version of a package in the private lists.
kapt_version() {
	# shellcheck disable=SC2046
	apt-cache $(kapt_opts) policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }' |
		grep -v '(none)'
}

# Download package $1 at version $2 and unpack it; prints the directory.
kapt_unpack() {
	local pkg=$1 ver=$2 out
	out="$PNVM_CACHE/pkg/${pkg}_${ver}"
	if [ ! -e "$out/.done" ]; then
		local tmp
		mkdir -p "$PNVM_CACHE/pkg"
		tmp=$(mktemp -d "$PNVM_CACHE/pkg/.dl.XXXXXX")
		# shellcheck disable=SC2046
		(cd "$tmp" && apt-get $(kapt_opts) -qq download "$pkg=$ver") >&2 ||
			{ rm -rf "$tmp"; die "apt-get download $pkg=$ver failed"; }
		rm -rf "$out"
		mkdir -p "$out"
		dpkg -x "$tmp"/*.deb "$out" || { rm -rf "$tmp" "$out"; die "dpkg -x $pkg failed"; }
		rm -rf "$tmp"
		touch "$out/.done"
	fi
	echo "$out"
}

# host_kvm: this host's /dev/kvm can run guests with hardware
# virtualisation (some hosts expose a /dev/kvm without VMX/SVM).
host_kvm() { [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw 'vmx\|svm' /proc/cpuinfo; }

# libvirt_src_orig VER: download Debian's libvirt source package VER from
# the host's own mirror (release, -updates and -security: a point release
# may live in any) through a private apt state under
# $PNVM_CACHE/libvirt-src, so the host's sources and lists stay untouched;
# print the orig tarball's path. Used by tests/libvirt/fetch-corpus and
# scripts/libvirt-ch.
libvirt_src_apt_opts() {
	local d=$PNVM_CACHE/libvirt-src
	echo "-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=$d/none" \
	     "-o Dir::Etc::Preferences=$d/none -o Dir::Etc::PreferencesParts=$d/none" \
	     "-o Dir::State::Lists=$d/lists -o Dir::State::Status=$d/status" \
	     "-o Dir::Cache=$d/cache -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0" \
	     "-o APT::Sandbox::User=root -o Acquire::Languages=none"
}

libvirt_src_orig() {
	local ver=$1 d=$PNVM_CACHE/libvirt-src mirror codename orig
	orig=$(ls "$d/dl"/libvirt_"${ver%%-*}".orig.tar.* 2>/dev/null | head -1)
	[ -n "$orig" ] && { echo "$orig"; return 0; }
	mirror=$(host_mirror) || die "cannot find the host's Debian mirror in /etc/apt"
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/none" "$d/dl"
	[ -e "$d/status" ] || : > "$d/status"
	{
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $codename main"
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $codename-updates main"
		# The security archive sits next to the mirror's debian/ path.
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/debian*}/debian-security $codename-security main"
	} > "$d/sources.list"
	# shellcheck disable=SC2046
	apt-get $(libvirt_src_apt_opts) -qq update > "$d/update.log" 2>&1 ||
		msg "warning: apt update had errors (see $d/update.log)"
	# shellcheck disable=SC2046
	(cd "$d/dl" && apt-get $(libvirt_src_apt_opts) -qq source --download-only "libvirt=$ver") >&2 ||
		die "apt-get source --download-only libvirt=$ver failed (see $d/update.log)"
	orig=$(ls "$d/dl"/libvirt_"${ver%%-*}".orig.tar.* 2>/dev/null | head -1)
	[ -n "$orig" ] || die "no libvirt orig tarball for $ver in $d/dl"
	echo "$orig"
}
