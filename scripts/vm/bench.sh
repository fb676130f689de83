# SPDX-License-Identifier: GPL-2.0-only
#
# The benchmark run of a test VM (make bench): load the modules, run the
# benchmark programs, print their BENCH lines.
. ./lib.sh

load irqbypass
load kvm
load ccp
load kvm-amd

# Idle cost of being hooked: exits/s of a tight exit loop, 7 interleaved
# rounds of: kvmi not loaded, kvmi loaded (VM not hooked), VM hooked.
# Each round gives a ratio to its own "not loaded" run, so that the
# machine's load drifting between rounds cancels out; the figure is the
# median of those ratios, the spread their range.
idle_bench() {
	local r plain loaded hooked

	: > /tmp/idle.txt
	for r in 1 2 3 4 5 6 7; do
		rmmod kvmi 2>/dev/null
		plain=$(./kvmi/kvmi_idle_bench 2>&1 | awk '/^IDLE/ { print $3 }')
		load kvmi
		loaded=$(./kvmi/kvmi_idle_bench 2>&1 | awk '/^IDLE/ { print $3 }')
		./kvmi/kvmi_idle_bench --hook > /tmp/idle.out 2>&1
		hooked=$(awk '/^IDLE/ { print $3 }' /tmp/idle.out)
		[ -n "$hooked" ] || sed 's/^/# idle --hook: /' /tmp/idle.out
		echo "# idle round $r: ${plain:-?} ${loaded:-?} ${hooked:-?} exits/s"
		echo "$plain $loaded $hooked" >> /tmp/idle.txt
	done
	awk '
	function median(v, n,   i, j, t) {
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((n + 1) / 2)]
	}
	$1 > 0 && $2 > 0 && $3 > 0 {
		n++; p[n] = $1; h[n] = $3
		rh[n] = $3 / $1; rl[n] = $2 / $1
	}
	END {
		if (n < 7) { print "BENCH error: idle runs incomplete"; exit }
		mp = median(p, n); mh = median(h, n)
		mrh = median(rh, n); mrl = median(rl, n)
		printf "BENCH idle_exits_per_s_plain %.0f exits/s target none\n", mp
		printf "BENCH idle_exits_per_s_hooked %.0f exits/s target none\n", mh
		printf "BENCH idle_hooked_vs_plain_ratio %.3f x target >= 0.99 (spread %.3f..%.3f)\n", mrh, rh[1], rh[n]
		printf "BENCH idle_loaded_vs_plain_ratio %.3f x target >= 0.99 (spread %.3f..%.3f)\n", mrl, rl[1], rl[n]
	}' /tmp/idle.txt
}

load kvmi || echo "BENCH error: kvmi did not load"
./kvmi/kvmi_bench || echo "BENCH error: kvmi_bench failed ($?)"
./kvmi/kvmi_rmap_bench || echo "BENCH error: kvmi_rmap_bench failed ($?)"
./kvmi/kvmi_scale_bench || echo "BENCH error: kvmi_scale_bench failed ($?)"
idle_bench
rmmod kvmi
echo "kvmi-vm: results 0 passed, 0 failed, 0 skipped"
