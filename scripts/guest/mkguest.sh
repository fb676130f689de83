#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Pack the initramfs of the Linux guest that tests start inside the test
# VM (scripts/vm/guest.sh):
#
#   mkguest.sh OUT.cpio.gz KVMMEM_KO
#
# Contents: busybox (static), scripts/guest/init as /init, and for the
# remote-mapping test (scripts/vm/kvmmem.sh) KVMMEM_KO (kvmmem.ko built
# for the test VM's kernel) as /lib/kvmmem.ko and the static programs
# kvmmem_source and kvmmem_probe (make tools: build/user/guest/) in
# /bin.  The kernel is not packed here: the guest boots the test VM's
# own kernel.
set -euo pipefail

OUT=$1
KVMMEM_KO=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PROGS=$HERE/../../build/user/guest
for f in "$KVMMEM_KO" "$PROGS/kvmmem_source" "$PROGS/kvmmem_probe"; do
	[ -e "$f" ] || { echo "missing $f: run make and make tools" >&2; exit 1; }
done
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT

chmod 755 "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,lib}
cp /bin/busybox "$ROOT/bin/busybox"
cp "$PROGS/kvmmem_source" "$PROGS/kvmmem_probe" "$ROOT/bin/"
cp "$KVMMEM_KO" "$ROOT/lib/kvmmem.ko"
ln -s busybox "$ROOT/bin/sh"
cp "$HERE/init" "$ROOT/init"
chmod 755 "$ROOT/init"

# Written next to OUT, then renamed: a run that packs OUT at the same
# time never reads half a file.
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -9 > "$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
