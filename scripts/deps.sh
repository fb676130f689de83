#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what building and testing kvmi needs, from Debian's archive,
# using the machine's own apt sources.  Idempotent: a second run installs
# nothing and takes a second.  Needs root (apt-get) when something is
# missing.
#
# Kernels: the meta packages of Debian 12's two series pull in the newest
# image + headers of each (6.12: linux-*-6.12-amd64; 6.1: linux-*-amd64);
# the exact versions are discovered afterwards (scripts/kernels.sh).
#
# scripts/deps.sh --fuzz installs only what the fuzzer needs (clang with
# libFuzzer and the sanitizer runtimes, llvm-profdata and llvm-cov), for
# "make fuzz" on a machine that does not build the modules.
set -euo pipefail

# The fuzzer (tools/fuzz, scripts/fuzz.sh): clang 14 and its runtimes.
FUZZ_PKGS=(clang llvm libclang-rt-dev)

PKGS=(
	build-essential bc flex bison libelf-dev
	qemu-system-x86 busybox-static kmod cpio xz-utils sparse dkms
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	"${FUZZ_PKGS[@]}"
)
fuzz_only=0
if [ "${1:-}" = --fuzz ]; then
	fuzz_only=1
	PKGS=(make "${FUZZ_PKGS[@]}")
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "[deps] all ${#PKGS[@]} packages present"
else
	echo "[deps] installing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "[deps] need root to install packages" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

[ "$fuzz_only" -eq 0 ] || exit 0

kernels=$(scripts/kernels.sh)
n=$(echo "$kernels" | grep -c . || true)
if [ "$n" -lt 2 ]; then
	echo "[deps] expected a 6.12 and a 6.1 kernel with headers, found: $kernels" >&2
	exit 1
fi
for k in $kernels; do
	[ -e "/boot/vmlinuz-$k" ] || { echo "[deps] /boot/vmlinuz-$k missing" >&2; exit 1; }
	echo "[deps] kernel $k"
done
