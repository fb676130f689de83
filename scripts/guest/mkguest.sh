#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Pack the initramfs of the Linux guest that tests start inside the test
# VM (scripts/vm/guest.sh):
#
#   mkguest.sh OUT.cpio.gz
#
# Contents: busybox (static) and scripts/guest/init as /init.  The kernel
# is not packed here: the guest boots the test VM's own kernel.
set -euo pipefail

OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT

chmod 755 "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp "$HERE/init" "$ROOT/init"
chmod 755 "$ROOT/init"

# Written next to OUT, then renamed: a run that packs OUT at the same
# time never reads half a file.
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -9 > "$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
