#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "dkms build" of the tree for every supported installed kernel, in a
# private DKMS tree under build/dkms/ (nothing is registered on the
# machine, nothing is installed into /lib/modules).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
D=$TOP/build/dkms
rm -rf "$D"
mkdir -p "$D/tree" "$D/src/kvmi-$VER"
cp -a "$TOP"/{dkms.conf,Kbuild,host,guest,include} "$D/src/kvmi-$VER/"

rc=0
for k in $("$TOP/scripts/kernels.sh"); do
	if ! dkms build -m kvmi -v "$VER" -k "$k" --dkmstree "$D/tree" \
		--sourcetree "$D/src" > "$D/build-$k.log" 2>&1; then
		echo "[dkms] build for $k failed:"
		tail -20 "$D/build-$k.log"
		rc=1
		continue
	fi
	for m in kvmi kvmmem; do
		if ! find "$D/tree/kvmi/$VER/$k" -name "$m.ko*" | grep -q .; then
			echo "[dkms] $m.ko missing for $k"
			rc=1
		fi
	done
	[ $rc -eq 0 ] && echo "[dkms] built kvmi $VER for $k"
done
exit $rc
