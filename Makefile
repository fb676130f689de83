# SPDX-License-Identifier: GPL-2.0-only
#
# kvmi: out-of-tree KVM introspection modules for Debian's 6.12 and 6.1
# kernels.  Common targets:
#
#   make                 build host/kvmi.ko and guest/kvmmem.ko for every
#                        supported kernel whose headers are installed
#   make KVER=<version>  build for that kernel only
#   make demo            the live introspection demo (README.md)
#   make tools           kvmi-hook, kvmictl and their library (build/user)
#   make check           install dependencies, build, style gates, and run
#                        every test in QEMU on both kernels (README.md)
#   make check-debug     the in-VM tests on a debug build of the 6.12 kernel
#                        (KASAN, lockdep, kmemleak, UBSAN); not in make check
#   make bench           benchmarks in QEMU, printed as BENCH ratio lines
#   make fuzz            libFuzzer over host/proto.c: 10 million executions,
#                        then its line coverage (must be >= 90 %)
#   make style           checkpatch --strict on our sources
#   make sparse          sparse (C=2) and W=1 builds, failing on any report
#   make selftests       build the KVM selftests library and our tests
#   make deps            install what the above needs (Debian packages)
#
# Each kernel builds in its own copy of the sources under build/<version>/,
# since Kbuild writes objects next to the sources.

KVER ?= $(shell scripts/kernels.sh)
BUILD := $(CURDIR)/build
SRCS := Kbuild host guest include

.PHONY: all modules tools demo check check-debug bench fuzz style sparse selftests deps clean

all: modules tools

tools:
	@$(MAKE) -s -C tools

demo:
	@scripts/demo.sh

modules:
	@set -e; [ -n "$(strip $(KVER))" ] || \
		{ echo "no supported kernel headers installed: run 'make deps'"; exit 1; }; \
	for k in $(KVER); do \
		echo "==> building modules for $$k"; \
		mkdir -p $(BUILD)/$$k; \
		cp -a -u $(SRCS) $(BUILD)/$$k/; \
		$(MAKE) -C /lib/modules/$$k/build M=$(BUILD)/$$k modules; \
	done

check:
	@scripts/check.sh

check-debug:
	@scripts/check-debug.sh

bench:
	@scripts/bench.sh

fuzz:
	@scripts/fuzz.sh

style:
	@scripts/style.sh

sparse:
	@set -e; for k in $(KVER); do scripts/sparse.sh $$k; done

selftests:
	@set -e; for k in $(KVER); do \
		s=$$(scripts/kernels.sh --series $$k); \
		scripts/build-selftests.sh $$s $(BUILD)/selftests/$$s; \
	done

deps:
	@scripts/deps.sh

clean:
	rm -rf $(BUILD)
