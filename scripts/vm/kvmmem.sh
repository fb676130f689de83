# SPDX-License-Identifier: GPL-2.0-only
#
# Remote mapping end to end (Documentation/kvmmem.rst), sourced by
# tests.sh after lib.sh, guest.sh and tools.sh.  Two Linux guests under
# stock QEMU: "ka" (kvmi_role=source) runs kvmmem_source, which prints the
# gpa of a page with a known content and keeps changing a counter in it;
# "kb" (kvmi_role=introspector) loads kvmmem.ko and runs kvmmem_probe,
# which takes its commands from its second serial port, fed here through
# a FIFO, and answers on its console.  A console line may be read while
# it is still being written: the lines waited for have an end mark.  kvmi-hook hooks ka for "kvmictl
# token" sessions and marks kb with --introspector.

KA_SOCK=/run/ka.sock
KM_ID=0

# kb_start: start the introspector guest with its command FIFO (fd 3
# here: opened read-write, so writing never waits for QEMU) and wait for
# kvmmem_probe.
kb_start() {
	rm -f /tmp/kb.cmd.in /tmp/kb.cmd.out
	mkfifo /tmp/kb.cmd.in
	: > /tmp/kb.cmd.out
	exec 3<> /tmp/kb.cmd.in
	guest_start kb -append "console=ttyS0 panic=-1 quiet kvmi_role=introspector" \
		-chardev pipe,id=cmd,path=/tmp/kb.cmd \
		-device isa-serial,chardev=cmd,iobase=0x2f8,irq=3 || return 1
	guest_wait kb "^PROBE-READY" 300
}

# ka_boot NAME: start a source guest; ka_wait NAME: wait for its page's
# gpa (sets $ka_gpa).
ka_boot() {
	guest_start "$1" -append "console=ttyS0 panic=-1 quiet kvmi_role=source"
}

ka_wait() {
	guest_wait "$1" "^SOURCE-GPA 0x[0-9a-f]+ \(pagemap\)$" 300 || return 1
	ka_gpa=$(guest_console "$1" |
		sed -n 's/^SOURCE-GPA \(0x[0-9a-f]*\) (pagemap)$/\1/p')
	diag "$1: the source page is at gpa $ka_gpa"
}

# guest_moves NAME WORD SECONDS: a "WORD N" line with the next N comes
# (the highest N so far: the last line may be cut short).
guest_moves() {
	local n

	n=$(guest_console "$1" | sed -n "s/^$2 \([0-9]*\)$/\1/p" | sort -n |
		tail -n 1)
	guest_wait "$1" "^$2 $((${n:-0} + 1))$" "$3"
}

# km CMD...: send one command to kvmmem_probe in kb; its answer goes to
# $ans and to the diagnostics.  Not for $(...): the id must go up here.
km() {
	KM_ID=$((KM_ID + 1))
	ans=
	echo "$KM_ID $*" >&3
	guest_wait kb "^PROBE $KM_ID .*[|]$" 60 || return 1
	ans=$(guest_console kb | sed -n "s/^PROBE $KM_ID \(.*\)|$/\1/p" |
		tail -n 1)
	diag "kb: $* -> $ans"
}

# km_is WANT CMD...: the answer to CMD is WANT (a diagnostic otherwise).
km_is() {
	local want="$1"

	shift
	km "$@"
	[ "$ans" = "$want" ] && return 0
	diag "kb: wanted \"$want\""
	return 1
}

# km_counter SLOT: $counter, the source's counter that kb reads in SLOT
# (empty when the slot does not show the source's page).
km_counter() {
	km read "$1"
	counter=$(echo "$ans" | sed -n 's/^read source counter=\([0-9]*\)$/\1/p')
}

# kbstat KEY: one of kvmmem's counters in kb, after "km stats".
kbstat() {
	echo "$ans" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# tokens_start NAME COUNT: a "kvmictl token COUNT" session on ka's hook,
# its tokens in $tokens; the session lasts until tokens_stop.
tokens_start() {
	: > "/tmp/$1.tok"
	./kvmictl -s $KA_SOCK --accept 60 token "$2" > "/tmp/$1.tok" \
		2> "/tmp/$1.tokerr" &
	tok_pid=$!
	i=0
	while [ "$(grep -c '^[0-9a-f]\{64\}$' "/tmp/$1.tok")" -lt "$2" ]; do
		if [ $i -ge 600 ] || ! kill -0 $tok_pid 2>/dev/null; then
			diag "kvmictl token: no $2 tokens:"
			sed 's/^/#   /' "/tmp/$1.tok" "/tmp/$1.tokerr"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	tokens=$(cat "/tmp/$1.tok")
}

tokens_stop() {
	kill -TERM "$tok_pid" 2>/dev/null
	wait "$tok_pid"
}

# token N: the Nth token of the current session.
token() {
	echo "$tokens" | sed -n "${1}p"
}

# Pages pinned in this VM with FOLL_PIN and not released yet (the
# per-CPU counters folded first).
pins_held() {
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null
	awk '$1 == "nr_foll_pin_acquired" { a = $2 }
	     $1 == "nr_foll_pin_released" { r = $2 }
	     END { print a - r }' /proc/vmstat
}

RMAP=/sys/kernel/debug/kvmi/rmap

# rmap KEY: one of kvmi's remote-mapping counters (kvmi.rst).
rmap() {
	awk -v k="$1" '$1 == k { print $2 }' $RMAP
}

# rmap_zero: kvmi's mappings and pins are all gone (a session ends in a
# work item, a pin goes one RCU grace period after its mapping: wait up
# to 30 s).
rmap_zero() {
	local i=0

	while [ "$(rmap mappings)" != 0 ] || [ "$(rmap pinned)" != 0 ]; do
		if [ $i -ge 300 ]; then
			diag "kvmi/rmap: $(tr '\n' ' ' < $RMAP)"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# mapped_pins PINS: while a page is mapped, kvmi holds it pinned and
# counts it, and this VM's FOLL_PIN count is above PINS.
mapped_pins() {
	diag "kvmi/rmap: $(tr '\n' ' ' < $RMAP); FOLL_PIN pages held: $(pins_held), $1 before"
	[ "$(rmap mappings)" -ge 1 ] && [ "$(rmap pinned)" -ge 1 ] &&
		[ "$(pins_held)" -gt "$1" ]
}

# The devices' refusals that need no host: argument checks, another
# process, a user-mode hypercall (-KVM_EPERM = -1) and, with kb not yet
# marked, MAP answered by KVM itself: EOPNOTSUPP.  Nothing stays pinned.
# Also kvmi-hook's --introspector refusals.  Leaves ka and kb running.
t_kvmmem_unmarked() {
	local ok=0

	expect_fail 2 "Usage" ./kvmi-hook --pid 1 --introspector \
		--connect /run/none.sock || ok=1
	expect_fail 3 "no such process" ./kvmi-hook --pid 999999 \
		--introspector || ok=1
	expect_fail 3 "has no KVM VM" ./kvmi-hook --pid 1 --introspector off ||
		ok=1
	# both guests boot at once
	ka_boot ka || return 1
	kb_start || return 1
	ka_wait ka || return 1
	km_is "checks ok" checks || ok=1
	guest_console kb | grep "^PROBE-CHECK" | sed 's/^/#   /'
	km_is "hc rax=-1" hc || ok=1
	km_is "map rc=EOPNOTSUPP" map 0 0 "$ka_gpa" zero || ok=1
	km_is "unmap rc=ENOENT" unmap 0 0 || ok=1
	km stats
	[ "$(kbstat pinned)" = 0 ] && [ "$(kbstat mappings)" = 0 ] ||
		{ diag "kvmmem holds pages"; ok=1; }
	return $ok
}

# kb marked, ka hooked: map ka's page, see the counter move, every host
# refusal, writes that do not reach ka, unmap, close and unmark.
t_kvmmem_map() {
	local ok=0 c1 c2 ttl=/sys/module/kvmi/parameters/map_token_ttl

	./kvmi-hook --pid "$(guest_pid ka)" --connect $KA_SOCK --reconnect 1 \
		--wait 60 > /tmp/ka.hook 2>&1 &
	ka_hook=$!
	show ./kvmi-hook --pid "$(guest_pid kb)" --introspector || return 1
	# The seven tokens are taken at once and used over the whole test,
	# which takes more than their 30 s on a loaded machine: they live
	# 10 minutes here (kvmmem_token_expires tests the expiry).
	echo 600 > $ttl
	tokens_start s1 7 || { echo 30 > $ttl; return 1; }

	km_is "map rc=0" map 0 0 "$ka_gpa" "$(token 1)" || ok=1
	km_counter 0
	c1=$counter
	sleep 2
	km_counter 0
	c2=$counter
	diag "the counter read through the mapping: $c1, 2 s later $c2"
	[ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ] ||
		{ diag "no moving counter in the mapped page"; ok=1; }
	# refusals: kvmmem's own, then the host's
	km_is "map rc=EALREADY" map 0 0 "$ka_gpa" "$(token 2)" || ok=1
	km_is "map rc=ENOENT" map 0 1 "$ka_gpa" "$(token 1)" || ok=1
	km_is "map rc=ENOENT" map 0 1 "$ka_gpa" zero || ok=1
	km_is "map rc=EINVAL" map 0 1 "$((ka_gpa + 8))" "$(token 2)" || ok=1
	km_is "map rc=EINVAL" map 0 1 0x100000000 "$(token 3)" || ok=1
	# file 1, the same page: the host has that gpa mapped already
	km_is "map rc=EBUSY" map 1 0 "$ka_gpa" "$(token 4)" || ok=1
	# kb's writes stay in kb
	km write 0
	guest_moves ka SOURCE-TICK 60 && guest_moves ka SOURCE-TICK 60 || ok=1
	if guest_console ka | grep "^SOURCE-CORRUPTED"; then
		diag "kb's write reached ka's page"
		ok=1
	fi
	km_is "unmap rc=0" unmap 0 0 || ok=1
	km_is "read own" read 0 || ok=1
	km_is "unmap rc=ENOENT" unmap 0 0 || ok=1
	# close: the file's mappings end
	km_is "map rc=0" map 1 2 "$ka_gpa" "$(token 5)" || ok=1
	km_is "close rc=0" close 1 || ok=1
	km_is "read own" read 2 || ok=1
	# the mark taken away: the host ends kb's mappings
	km_is "map rc=0" map 0 3 "$ka_gpa" "$(token 6)" || ok=1
	show ./kvmi-hook --pid "$(guest_pid kb)" --introspector off || ok=1
	km_is "read own" read 3 || ok=1
	km_is "unmap rc=0" unmap 0 3 || ok=1
	km_is "map rc=EOPNOTSUPP" map 0 3 "$ka_gpa" "$(token 7)" || ok=1
	show ./kvmi-hook --pid "$(guest_pid kb)" --introspector || ok=1
	km stats
	[ "$(kbstat mappings)" = 0 ] && [ "$(kbstat pinned)" = 0 ] &&
		[ "$(kbstat maps)" = 3 ] && [ "$(kbstat unmaps)" = 3 ] ||
		{ diag "kvmmem's counters are off"; ok=1; }
	tokens_stop
	echo 30 > $ttl
	return $ok
}

# The session that got the token ends while kb has the page mapped: the
# host revokes the mapping, kb's UNMAP still succeeds.
t_kvmmem_session_ends() {
	local ok=0 revoked

	tokens_start s2 1 || return 1
	km_is "map rc=0" map 0 0 "$ka_gpa" "$(token 1)" || ok=1
	km_counter 0
	[ -n "$counter" ] || ok=1
	km stats
	revoked=$(kbstat revoked)
	tokens_stop
	rmap_zero || ok=1
	km read 0
	km_is "unmap rc=0" unmap 0 0 || ok=1
	km stats
	[ "$(kbstat revoked)" = $((revoked + 1)) ] ||
		{ diag "the host had not revoked the mapping"; ok=1; }
	[ "$(kbstat pinned)" = 0 ] || ok=1
	return $ok
}

# A token expires after map_token_ttl seconds (module parameter).
t_kvmmem_token_expires() {
	local ok=0 ttl=/sys/module/kvmi/parameters/map_token_ttl old

	old=$(cat $ttl) || return 1
	echo 1 > $ttl
	tokens_start s3 1
	ok=$?
	echo "$old" > $ttl
	sleep 2
	km_is "map rc=ENOENT" map 0 0 "$ka_gpa" "$(token 1)" || ok=1
	tokens_stop
	return $ok
}

# ka dies while kb has its page mapped: kb runs on, its UNMAP works, the
# pin on ka's page is gone.
t_kvmmem_source_dies() {
	local ok=0 pins

	map_one s4 || ok=1
	kill -KILL "$(guest_pid ka)"
	guest_stop ka
	wait $ka_hook
	tokens_stop
	rmap_zero || ok=1
	km read 0
	km_is "unmap rc=0" unmap 0 0 || ok=1
	km_is "close rc=0" close 0 || ok=1
	guest_moves kb GUEST-ALIVE 30 || ok=1
	km stats
	[ "$(kbstat pinned)" = 0 ] || ok=1
	pins_back || ok=1
	return $ok
}

# For the teardown tests: note the pins held (in $pins), take one token
# in session $1, map ka's counter page in slot 0 and see it move and pinned.
map_one() {
	local ok=0

	pins=$(pins_held)
	tokens_start "$1" 1 || return 1
	km_is "map rc=0" map 0 0 "$ka_gpa" "$(token 1)" || ok=1
	km_counter 0
	[ -n "$counter" ] || ok=1
	mapped_pins "$pins" || ok=1
	return $ok
}

# The FOLL_PIN pages held are back to $pins.
pins_back() {
	[ "$(pins_held)" = "$pins" ] && return 0
	diag "FOLL_PIN pages held: $(pins_held), $pins before"
	return 1
}

# kb dies while it has a page of a new source mapped: every pin is
# released, the source runs on.
t_kvmmem_introspector_dies() {
	local ok=0 pins i

	ka_boot ka2 && ka_wait ka2 || return 1
	./kvmi-hook --pid "$(guest_pid ka2)" --connect $KA_SOCK --reconnect 1 \
		--wait 60 > /tmp/ka2.hook 2>&1 &
	ka_hook=$!
	map_one s5 || ok=1
	kill -KILL "$(guest_pid kb)"
	guest_stop kb
	exec 3>&-
	rmap_zero || ok=1
	[ "$(rmap introspectors)" = 0 ] ||
		{ diag "kb's mark outlived its VM"; ok=1; }
	pins_back || ok=1
	guest_moves ka2 SOURCE-TICK 60 || ok=1
	tokens_stop
	kill -TERM $ka_hook
	wait $ka_hook
	guest_stop ka2
	# the sessions end in work items: wait up to 30 s
	i=0
	while [ $i -lt 300 ] && [ "$(rmap introspectors)$(rmap mappings)$(rmap pinned)$(rmap tokens)" != 0000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	show cat $RMAP
	for k in introspectors mappings pinned tokens; do
		[ "$(rmap $k)" = 0 ] || { diag "kvmi/rmap: $k left"; ok=1; }
	done
	if dmesg | grep -E "$BAD_LOG"; then
		ok=1
	fi
	return $ok
}

# Every test of this file, in order (tests.sh; VM_ONLY=kvmmem).
kvmmem_tests() {
	run_nested kvmmem_unmarked t_kvmmem_unmarked
	run_nested kvmmem_map t_kvmmem_map
	run_nested kvmmem_session_ends t_kvmmem_session_ends
	run_nested kvmmem_token_expires t_kvmmem_token_expires
	run_nested kvmmem_source_dies t_kvmmem_source_dies
	run_nested kvmmem_introspector_dies t_kvmmem_introspector_dies
	kvmmem_cleanup
}

# Stop whatever a failed test left running.
kvmmem_cleanup() {
	[ -n "${tok_pid:-}" ] && kill -TERM "$tok_pid" 2>/dev/null
	[ -n "${ka_hook:-}" ] && kill -TERM "$ka_hook" 2>/dev/null
	for g in ka ka2 kb; do
		[ -e "/tmp/$g.pid" ] && guest_stop $g
	done
	exec 3>&-
	wait 2>/dev/null
	return 0
}
