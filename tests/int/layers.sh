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
cp -R hub "$tmp/hub"
echo '#include "lab/device.h"' >>"$tmp/hub/store/store.c"
if HUB="$tmp/hub" scripts/check-layers.sh >"$tmp/out" 2>&1; then
	echo "not ok - an upward include (store → lab) was not refused"
	fail=$((fail + 1))
elif grep -q 'not ok - .*point up' "$tmp/out" && grep -q 'not ok - include cycle' "$tmp/out"; then
	echo "ok - an upward include (store → lab) and its cycle are refused"
	pass=$((pass + 1))
else
	echo "not ok - the bad include failed the check for another reason:"
	sed 's/^/    /' "$tmp/out"
	fail=$((fail + 1))
fi
rm -rf "$tmp/hub"
cp -R hub "$tmp/hub"
echo '#include "lab/event.h"' >>"$tmp/hub/lab/ack.c"
if HUB="$tmp/hub" scripts/check-layers.sh >"$tmp/out" 2>&1; then
	echo "not ok - an include cycle inside a module (lab/ack ↔ lab/event) was not refused"
	fail=$((fail + 1))
elif grep -q 'not ok - include cycle between the files of a module' "$tmp/out" &&
	grep -q '^    lab/ack$' "$tmp/out" && grep -q '^    lab/event$' "$tmp/out" &&
	[ "$(grep -c '^not ok' "$tmp/out")" -eq 1 ]; then
	echo "ok - an include cycle inside a module (lab/ack ↔ lab/event) is refused, and named"
	pass=$((pass + 1))
else
	echo "not ok - the cycle inside lab/ failed the check for another reason:"
	sed 's/^/    /' "$tmp/out"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
