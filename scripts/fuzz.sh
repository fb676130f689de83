#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make fuzz: libFuzzer over host/proto.c (tools/fuzz/proto_fuzz.c), then
# the line coverage of that file.
#
#   scripts/fuzz.sh [--runs N] [--time S] [--jobs J] [--min-cov P]
#
#   --runs N     executions in all (default 10000000), shared by the jobs
#   --time S     bound on the fuzzing time in seconds (default 1800); a
#                run stopped by it before N executions fails
#   --jobs J     fuzzer processes, each with its own seed (default: the
#                number of CPUs, at most 4)
#   --min-cov P  fail below P % line coverage of host/proto.c (default 90)
#   --seed S     seed of the first job (job j gets S + j; default: time)
#
# Steps: the packages (scripts/deps.sh --fuzz); the build (ASan, UBSan
# and proto.c's integer checks, plus a coverage build); the checked-in
# corpus against what mkcorpus writes now; the fuzzing, from
# tools/fuzz/corpus into build/fuzz/new (emptied first), with a progress
# line every 15 s; then the coverage build replays both folders and
# llvm-cov reports host/proto.c.  A crash leaves its input in
# build/fuzz/artifacts/ and fails the run.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
OUT=$TOP/build/fuzz

runs=10000000
max_time=1800
jobs=$(nproc 2>/dev/null || echo 1)
[ "$jobs" -le 4 ] || jobs=4
min_cov=90
seed=$(date +%s)

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--time) max_time=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--min-cov) min_cov=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--time S] [--jobs J] [--min-cov P] [--seed S]" >&2
	   exit 2 ;;
	esac
done

say() { echo "[fuzz] $*"; }
now() { date +%s.%N; }
# Seconds since $1 (a now() value), with one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
die() { echo "[fuzz] FAILED: $*"; exit 1; }

say "packages"
scripts/deps.sh --fuzz || die "packages"

say "build (tools/fuzz -> build/fuzz)"
make -s -C tools/fuzz O="$OUT" > "$OUT.build.log" 2>&1 ||
	{ cat "$OUT.build.log"; die "build"; }
make -s -C tools/fuzz O="$OUT" corpus-check || die "corpus"

# Executions a job has done so far: the last "#N" of its log.
execs_of() {
	grep -aoE '^#[0-9]+' "$1" 2>/dev/null | tail -1 | tr -d '#'
}

rm -rf "$OUT/new" "$OUT/artifacts" "$OUT"/job-*.log
mkdir -p "$OUT/new" "$OUT/artifacts"
per_job=$(( (runs + jobs - 1) / jobs ))
say "fuzzing: $runs executions ($jobs jobs of $per_job, seeds $seed..$((seed + jobs - 1))), at most $max_time s"
say "inputs: tools/fuzz/corpus ($(ls tools/fuzz/corpus | wc -l) files), new ones into build/fuzz/new"
# Nothing is kept in ASan's quarantine: proto.c frees nothing, and the
# quarantine halves the speed of this target.
export ASAN_OPTIONS=quarantine_size_mb=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
start=$(now)
pids=()
for j in $(seq 0 $((jobs - 1))); do
	"$OUT/proto_fuzz" -runs="$per_job" -max_total_time="$max_time" \
		-seed=$((seed + j)) -max_len=8200 -use_value_profile=1 \
		-print_final_stats=1 -artifact_prefix="$OUT/artifacts/" \
		"$OUT/new" tools/fuzz/corpus > "$OUT/job-$j.log" 2>&1 &
	pids+=($!)
done

# Progress every 15 s while any job runs.
alive() {
	local p
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
ticks=0
while alive; do
	sleep 1
	ticks=$((ticks + 1))
	[ $((ticks % 15)) -eq 0 ] && alive || continue
	n=0
	for j in $(seq 0 $((jobs - 1))); do
		n=$((n + $(execs_of "$OUT/job-$j.log" || echo 0)))
	done
	say "progress: about $n of $runs executions, $(since "$start") s"
done

rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
elapsed=$(since "$start")

total=0
for j in $(seq 0 $((jobs - 1))); do
	n=$(grep -a 'stat::number_of_executed_units' "$OUT/job-$j.log" |
	    awk '{ print $2 }')
	total=$((total + ${n:-0}))
done
new=$(ls "$OUT/new" | wc -l)
rate=$(awk -v n="$total" -v t="$elapsed" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
say "executions: $total in $elapsed s ($rate per second, $jobs jobs); new inputs kept: $new"

if [ $rc -ne 0 ] || [ -n "$(ls "$OUT/artifacts")" ]; then
	for j in $(seq 0 $((jobs - 1))); do
		grep -aE -A30 'ERROR: |runtime error|proto_fuzz: |deadly signal' \
			"$OUT/job-$j.log" | head -60
	done
	say "inputs that failed: $(ls "$OUT"/artifacts/* 2>/dev/null | tr '\n' ' ')"
	say "replay one with: $OUT/proto_fuzz FILE; then add it to tools/selftests/unit"
	die "a job crashed or found a bug (logs: build/fuzz/job-*.log)"
fi
if [ "$total" -lt "$runs" ]; then
	die "only $total of $runs executions within $max_time s"
fi

say "coverage: replaying tools/fuzz/corpus and build/fuzz/new on the coverage build"
rm -rf "$OUT/cov"
mkdir -p "$OUT/cov"
LLVM_PROFILE_FILE="$OUT/cov/%p.profraw" "$OUT/proto_fuzz_cov" -runs=0 \
	tools/fuzz/corpus "$OUT/new" > "$OUT/cov.log" 2>&1 ||
	{ tail -20 "$OUT/cov.log"; die "coverage replay"; }
llvm-profdata merge -sparse -o "$OUT/cov/proto.profdata" "$OUT"/cov/*.profraw ||
	die "llvm-profdata"
llvm-cov report "$OUT/proto_fuzz_cov" -instr-profile="$OUT/cov/proto.profdata" \
	host/proto.c > "$OUT/cov/report.txt" || die "llvm-cov"
cat "$OUT/cov/report.txt"
# Columns: file, regions (3), functions (3), lines: total, missed, cover.
cov=$(awk '$1 ~ /host\/proto\.c$/ { print $10 }' "$OUT/cov/report.txt" | tr -d '%')
[ -n "$cov" ] || die "no line coverage for host/proto.c in the report"
say "line coverage: host/proto.c $cov % (minimum $min_cov %)"
llvm-cov show "$OUT/proto_fuzz_cov" -instr-profile="$OUT/cov/proto.profdata" \
	host/proto.c > "$OUT/cov/proto.c.txt" 2>&1 || true
if awk -v c="$cov" -v m="$min_cov" 'BEGIN { exit !(c < m) }'; then
	say "lines never run: build/fuzz/cov/proto.c.txt (count 0)"
	die "line coverage below $min_cov %"
fi
say "passed: $total executions in $elapsed s, host/proto.c lines $cov %"
