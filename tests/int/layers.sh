#!/bin/sh
# tests/int/layers.sh — the module graph stays one-way (scripts/check-layers.sh),
# and the check itself can fail: a copy of hub/ with one include that points
# up (store → lab) and a cycle must be refused.
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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
