#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the supported kernels whose build headers are installed, one per
# line, newest series first: Debian's 6.12 series, then its 6.1 series.
# With --series KVER, print the series (6.12 or 6.1) of one kernel instead.
set -euo pipefail

series_of() {
	case "$1" in
	6.12.*) echo 6.12 ;;
	6.1.*) echo 6.1 ;;
	*) return 1 ;;
	esac
}

if [ "${1:-}" = --series ]; then
	series_of "$2" || { echo "unsupported kernel: $2" >&2; exit 1; }
	exit 0
fi

for want in 6.12 6.1; do
	for dir in /lib/modules/*/; do
		kver=$(basename "$dir")
		[ -e "$dir/build/Makefile" ] || continue
		[ "$(series_of "$kver" || true)" = "$want" ] || continue
		echo "$kver"
	done | sort -V | tail -n 1
done
