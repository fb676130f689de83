#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks of one kernel's build: a W=1 build and a sparse pass
# (C=2, every file re-checked), each failing on any warning or error.
#
#   sparse.sh KVER
set -uo pipefail

KVER=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=$TOP/build/check-$KVER
rc=0

mkdir -p "$DIR"
cp -a -u "$TOP"/{Kbuild,host,guest,include} "$DIR/"

make -s -C "/lib/modules/$KVER/build" M="$DIR" W=1 modules > "$DIR/w1.log" 2>&1 ||
	{ echo "[style $KVER] W=1 build failed"; rc=1; }
if grep -E "warning:|error:" "$DIR/w1.log"; then
	echo "[style $KVER] W=1 build has warnings"
	rc=1
fi

make -s -C "/lib/modules/$KVER/build" M="$DIR" C=2 W=1 modules > "$DIR/sparse.log" 2>&1 ||
	{ echo "[style $KVER] sparse build failed"; rc=1; }
if grep -E "warning:|error:" "$DIR/sparse.log"; then
	echo "[style $KVER] sparse reports problems"
	rc=1
fi

[ $rc -eq 0 ] && echo "[style $KVER] W=1 and sparse clean"
exit $rc
