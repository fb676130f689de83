#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel coding style of our C sources: checkpatch.pl --strict, taken at
# run time from Debian's linux-source-6.12 (never copied into the repo).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=/usr/src/linux-source-6.12.tar.xz
DIR=$TOP/build/tools/checkpatch

if [ ! -e "$DIR/.done" ]; then
	echo "[style] extracting checkpatch.pl from $TARBALL"
	rm -rf "$DIR"
	mkdir -p "$DIR"
	tar -xJf "$TARBALL" -C "$DIR" --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
	touch "$DIR/.done"
fi

cd "$TOP"
mapfile -t files < <(git ls-files -co --exclude-standard -- \
	'host/*.[ch]' 'guest/*.[ch]' 'include/*.h' 'tools/*.[ch]')
echo "[style] checkpatch --strict on ${#files[@]} files"
: > "$TOP/build/checkpatch.log"
for f in "${files[@]}"; do
	extra=$(awk -v f="$f" '$1 == f { print "," $2 }' "$TOP/scripts/checkpatch-exceptions")
	"$DIR/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore "FILE_PATH_CHANGES$extra" -f "$f" \
		>> "$TOP/build/checkpatch.log" 2>&1 || true
done
if grep -E ": (ERROR|WARNING|CHECK):" "$TOP/build/checkpatch.log"; then
	echo "[style] checkpatch found problems"
	exit 1
fi
echo "[style] checkpatch clean"
