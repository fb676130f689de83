#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the KVM selftests library of one kernel series, the stock tests
# we compare against, and our tests (tools/selftests/), from Debian's
# linux-source tarball, at build time:
#
#   build-selftests.sh SERIES OUTDIR        (SERIES: 6.12 or 6.1)
#
# Only what the build needs is extracted, into OUTDIR/src (once):
# tools/ (the library, kselftest headers, tools/include), and what
# "make headers" needs to produce the series' sanitised UAPI headers in
# OUTDIR/src/usr/include, which is where the selftests build looks for
# them.  Nothing is copied into the repository.  Each kernel runs the
# tests of its own series (Documentation/testing.rst).
#
# Output: OUTDIR/bin/stock/<test> (stock tests), OUTDIR/bin/<test> and
# OUTDIR/bin/kvmi/<test> (ours).  Binaries are linked dynamically; the
# initramfs builder copies the libraries they need.
set -euo pipefail

SERIES=$1
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=/usr/src/linux-source-$SERIES.tar.xz
SRC=$OUT/src
STOCK="set_sregs_test sync_regs_test userspace_msr_exit_test svm_vmcall_test cpuid_test"
say() { echo "[selftests $SERIES] $*"; }

if [ ! -e "$SRC/.extracted" ]; then
	say "extracting the needed parts of $TARBALL"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	p=linux-source-$SERIES
	tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 --wildcards \
		"$p/Makefile" "$p/scripts/*" "$p/tools/*" \
		"$p/include/uapi/*" "$p/include/asm-generic/*" \
		"$p/include/linux/compiler-version.h" "$p/include/linux/kconfig.h" \
		"$p/arch/x86/include/uapi/*" "$p/arch/x86/include/asm/Kbuild" \
		"$p/arch/x86/entry/syscalls/*" "$p/arch/x86/Makefile*" \
		"$p/arch/x86/tools/*"
	touch "$SRC/.extracted"
fi

if [ ! -e "$SRC/.headers" ]; then
	say "generating the UAPI headers"
	make -s -C "$SRC" ARCH=x86_64 headers > "$OUT/headers.log" 2>&1 ||
		{ tail -20 "$OUT/headers.log"; exit 1; }
	touch "$SRC/.headers"
fi

KVMDIR=$SRC/tools/testing/selftests/kvm
ARCHDIR=x86_64
[ -d "$KVMDIR/x86_64" ] || ARCHDIR=x86
LIBOUT=$OUT/lib-build

say "building the library and the stock tests"
targets=()
for t in $STOCK; do
	targets+=("$LIBOUT/$ARCHDIR/$t")
done
make -s -C "$KVMDIR" -j"$(nproc)" OUTPUT="$LIBOUT" "${targets[@]}" \
	> "$OUT/lib.log" 2>&1 || { tail -30 "$OUT/lib.log"; exit 1; }
mkdir -p "$OUT/bin/stock"
for t in $STOCK; do
	cp "$LIBOUT/$ARCHDIR/$t" "$OUT/bin/stock/"
done

say "building our tests"
make -s -C "$TOP/tools/selftests" KSRC="$SRC" LIBOUT="$LIBOUT" \
	KARCH="$ARCHDIR" OUT="$OUT/bin" -j"$(nproc)"
say "done: $(find "$OUT/bin" -type f -perm -u+x | wc -l) binaries in $OUT/bin"
