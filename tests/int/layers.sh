#!/bin/sh
# tests/int/layers.sh — the module graph stays one-way (scripts/check-layers.sh),
# and the check itself can fail: a copy of hub/ with one include that points
# up (store → lab) and a cycle must be refused, and so must a copy where two
# files of one module include each other (lab/ack.c → lab/event.h, while
# event.c includes ack.h).
cd "$(dirname "$0")/../.." || exit 2
pass=0
fail=0
if scripts/check-layers.sh; then
	pass=$((pass + 1))
else
	echo "not ok - scripts/check-layers.sh fails on this tree"
	fail=$((fail + 1))
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# plant FILE HEADER: check a fresh copy of hub/ in which FILE also includes
# HEADER, into $tmp/out.  Succeeds when the check refused it.
plant() {
	rm -rf "$tmp/hub"
	cp -R hub "$tmp/hub"
	echo "#include \"$2\"" >>"$tmp/hub/$1"
	! HUB="$tmp/hub" scripts/check-layers.sh >"$tmp/out" 2>&1
}

# result STATUS WHAT: ok when STATUS is 0, else not ok with what the check said
result() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2; the check said:"
		sed 's/^/    /' "$tmp/out"
		fail=$((fail + 1))
	fi
}

plant store/store.c lab/device.h &&
	grep -q 'not ok - .*point up' "$tmp/out" &&
	grep -q 'not ok - include cycle between modules' "$tmp/out"
result $? "an upward include (store → lab) and its cycle are refused"

plant lab/ack.c lab/event.h &&
	grep -q 'not ok - include cycle between the files of a module' "$tmp/out" &&
	grep -q '^    lab/ack$' "$tmp/out" && grep -q '^    lab/event$' "$tmp/out" &&
	[ "$(grep -c '^not ok' "$tmp/out")" -eq 1 ]
result $? "an include cycle inside a module (lab/ack ↔ lab/event) is refused, and named"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
