#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) the debug kernel of make check-debug: Debian's
# linux-source-6.12, Debian's 6.12 config trimmed for the QEMU runner,
# plus KASAN, lockdep, kmemleak, UBSAN and the other checkers of
# scripts/debug-kernel.config.
#
#   debug-kernel.sh          build it unless cached; print its directory
#   debug-kernel.sh --key    print the cache key only
#
# The build lives outside the git tree, in $KVMI_DEBUG_CACHE (default
# /var/cache/kvmi-debug-kernel) under a key of (source package version,
# hash of the config inputs: Debian's config, the option list, the module
# list and the trimming steps of this script).  A second run finds
# KEY/.done and builds nothing.  Layout of KEY/:
#
#   src/          the extracted source, built in place: the tree for
#                 "make -C KEY/src M=..." of out-of-tree modules
#   vmlinuz       the kernel image (arch/x86/boot/bzImage)
#   root/         modules_install output: root/lib/modules/KVER/
#   kver          KVER (e.g. 6.12.117-kvmi-debug)
#   build.time    seconds the build took (kernel + modules)
#
# Trimming: "make localmodconfig" with the module list below as its
# LSMOD: every Debian module that is not one of those is dropped,
# Debian's built-in options stay as they are; then the option list is
# merged and "make olddefconfig" fills in the rest.  Every option of the
# list is checked in the final .config.
#
# The one change to Debian's source: KVM_EXTERNAL_WRITE_TRACKING, a
# Kconfig symbol without a prompt that only i915's GVT selects, gets a
# prompt, so that it stays on (as in Debian's build) without building
# i915.  No C source is changed.
#
# Compiles run under "nice -n 19" with DEBUG_KERNEL_JOBS jobs (default 2).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${KVMI_DEBUG_CACHE:-/var/cache/kvmi-debug-kernel}
JOBS=${DEBUG_KERNEL_JOBS:-2}
FRAGMENT=$TOP/scripts/debug-kernel.config
# The modules the test VM loads (scripts/vm/tests.sh), as lsmod shows them.
LSMOD_LIST="kvm_amd kvm irqbypass ccp"
# Bump when the trimming steps below change, so the key changes too.
RECIPE=1
say() { echo "[debug-kernel] $*" >&2; }

# The project's 6.12 kernel (headers) and the source must be one version.
HKVER=$("$TOP/scripts/kernels.sh" | grep '^6\.12\.' || true)
[ -n "$HKVER" ] || { say "no 6.12 kernel headers installed (make deps)"; exit 1; }
TARBALL=/usr/src/linux-source-6.12.tar.xz
[ -r "$TARBALL" ] || { say "missing $TARBALL (make deps)"; exit 1; }
SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.12)
HDRPKG=$(dpkg -S "/lib/modules/$HKVER/build" | cut -d: -f1)
HDRVER=$(dpkg-query -W -f='${Version}' "$HDRPKG")
if [ "$SRCVER" != "$HDRVER" ]; then
	say "linux-source-6.12 is $SRCVER but $HDRPKG is $HDRVER: install matching versions"
	exit 1
fi
BASECONFIG=/lib/modules/$HKVER/build/.config
[ -r "$BASECONFIG" ] || BASECONFIG=/boot/config-$HKVER

HASH=$( { cat "$BASECONFIG" "$FRAGMENT"; echo "$LSMOD_LIST $RECIPE"; } |
	sha256sum | cut -c1-12)
KEY=$(echo "$SRCVER" | tr -c 'A-Za-z0-9.\n' '_')-$HASH
DIR=$CACHE/$KEY

if [ "${1:-}" = --key ]; then
	echo "$KEY"
	exit 0
fi
if [ -e "$DIR/.done" ]; then
	say "cached: $DIR ($(cat "$DIR/kver"), built in $(cat "$DIR/build.time") s)"
	echo "$DIR"
	exit 0
fi

# One build at a time per cache.
mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"
flock 9
if [ -e "$DIR/.done" ]; then
	echo "$DIR"
	exit 0
fi

say "building $KEY: linux-source-6.12 $SRCVER, config from $BASECONFIG"
T0=$(date +%s)
SRC=$DIR/src

# Seconds spent so far, kept across interrupted runs (build.part).
save_part() {
	[ -e "$DIR/.configured" ] && [ ! -e "$DIR/.done" ] || return 0
	echo $(($(cat "$DIR/build.part" 2>/dev/null || echo 0) + $(date +%s) - T0)) \
		> "$DIR/build.part"
}
trap 'save_part; exit 143' TERM INT HUP

# Extract the source, make the config, check it.
configure() {
	rm -rf "$DIR"
	mkdir -p "$SRC"
	say "extracting $TARBALL"
	tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
	say "config: localmodconfig ($LSMOD_LIST) + $(basename "$FRAGMENT")"
	# The prompt for KVM_EXTERNAL_WRITE_TRACKING (see the header).
	sed -i '/^config KVM_EXTERNAL_WRITE_TRACKING$/{n;s/^\tbool$/\tbool "KVM write tracking for external users"/}' \
		"$SRC/arch/x86/kvm/Kconfig"
	grep -q 'bool "KVM write tracking for external users"' "$SRC/arch/x86/kvm/Kconfig" ||
		{ say "could not give KVM_EXTERNAL_WRITE_TRACKING a prompt"; exit 1; }
	cp "$BASECONFIG" "$SRC/.config"
	{
		echo "Module                  Size  Used by"
		for m in $LSMOD_LIST; do echo "$m 16384 0"; done
	} > "$DIR/lsmod"
	make -s -C "$SRC" LSMOD="$DIR/lsmod" localmodconfig > "$DIR/config.log" 2>&1 < /dev/null ||
		{ tail -20 "$DIR/config.log" >&2; exit 1; }
	(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O . .config "$FRAGMENT") \
		>> "$DIR/config.log" 2>&1 || { tail -20 "$DIR/config.log" >&2; exit 1; }
	make -s -C "$SRC" olddefconfig >> "$DIR/config.log" 2>&1 < /dev/null

	# Every line of the fragment must hold in the final .config.
	bad=0
	while read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=" "$SRC/.config"; then
				say "wanted $opt off, got: $(grep -E "^$opt=" "$SRC/.config")"
				bad=1
			fi
			;;
		CONFIG_*)
			if ! grep -qxF "$line" "$SRC/.config"; then
				say "wanted $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$SRC/.config" || echo nothing)"
				bad=1
			fi
			;;
		esac
	done < "$FRAGMENT"
	[ $bad -eq 0 ] || exit 1
	cp "$SRC/.config" "$DIR/config"
	touch "$DIR/.configured"
}

# An interrupted build resumes: make picks up where it stopped.
if [ -e "$DIR/.configured" ]; then
	say "resuming the build in $DIR"
else
	configure
fi

say "compiling with -j$JOBS under nice (log: $DIR/build.log)"
if ! nice -n 19 make -C "$SRC" -j"$JOBS" LOCALVERSION= bzImage modules \
	>> "$DIR/build.log" 2>&1 < /dev/null; then
	save_part
	grep -E "error|Error" "$DIR/build.log" | head -20 >&2
	tail -20 "$DIR/build.log" >&2
	exit 1
fi
make -s -C "$SRC" LOCALVERSION= INSTALL_MOD_PATH="$DIR/root" modules_install \
	>> "$DIR/build.log" 2>&1 < /dev/null
KVER=$(cat "$SRC/include/config/kernel.release")
cp "$SRC/arch/x86/boot/bzImage" "$DIR/vmlinuz"
echo "$KVER" > "$DIR/kver"
echo $(($(cat "$DIR/build.part" 2>/dev/null || echo 0) + $(date +%s) - T0)) > "$DIR/build.time"
touch "$DIR/.done"
say "built $KVER in $(cat "$DIR/build.time") s: $DIR"
echo "$DIR"
