#!/bin/sh
# scripts/check-layers.sh — keep the hub's module graph one-way.
#
# A module is a folder under hub/ (hub/main.c and hub/wire.c are "main").
# The layers, lowest first; a module may include its own headers and those
# of modules listed before it, never one listed after it:
LAYERS="eco core store mqtt net auth lab part report ha fed gpio main"
#
# Checks, each one line "ok - …" or "not ok - …":
#   1. every include between modules points down the list above
#   2. the include graph between modules has no cycle (tsort)
#   3. every module is in the list
#   4. nothing under tests/ or scripts/, nor the Makefile, reads the
#      session-shared folder next to the repository (a fresh clone has none)
#   5. inside each module the files include each other one way too: no
#      include cycle between its files (x.c and x.h are one file, "x")
# Ends with "N passed, N failed"; exit status 1 when something failed.
# Run by `make check` through tests/int/layers.sh.  HUB=dir checks another
# source tree (used by the self-test in tests/int/layers.sh).
cd "$(dirname "$0")/.." || exit 2
hub=${HUB:-hub}
pass=0
fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }

rank() {	# module → its position in LAYERS, or nothing
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}

module_of() {	# hub/lab/device.c → lab; hub/main.c → main
	rel=${1#"$hub"/}
	case "$rel" in
	*/*) echo "${rel%%/*}" ;;
	*) echo main ;;
	esac
}

edges=$(mktemp)
fedges=$(mktemp)
trap 'rm -f "$edges" "$fedges"' EXIT
# "from to file" for every #include "mod/x.h" between two modules
find "$hub" -name '*.[ch]' | sort | while read -r f; do
	from=$(module_of "$f")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z0-9_]*\)\/[^"]*".*/\1/p' "$f" |
	while read -r to; do
		[ "$to" != "$from" ] && echo "$from $to $f"
	done
done | sort -u >"$edges"

# 1 and 3: direction
up=0
unknown=0
for m in $(find "$hub" -mindepth 1 -maxdepth 1 -type d -exec basename {} \; | sort); do
	[ -n "$(rank "$m")" ] || { bad "module $m is not in LAYERS (scripts/check-layers.sh)"; unknown=1; }
done
while read -r from to f; do
	rf=$(rank "$from")
	rt=$(rank "$to")
	if [ -z "$rt" ]; then
		bad "$f includes $to/, which is not a module in LAYERS"
		unknown=1
	elif [ -n "$rf" ] && [ "$rt" -gt "$rf" ]; then
		echo "  $f: $from includes $to, a higher layer" >&2
		up=$((up + 1))
	fi
done <"$edges"
[ "$unknown" -eq 0 ] && ok "every module is in LAYERS: $LAYERS"
if [ "$up" -eq 0 ]; then
	ok "every include between modules points down ($(wc -l <"$edges") module includes)"
else
	bad "$up include(s) point up the layers (listed above)"
fi

# 2: cycles between modules (tsort reports a loop on stderr)
loops=$(awk '{ print $1, $2 }' "$edges" | sort -u | tsort 2>&1 >/dev/null)
if [ -z "$loops" ]; then
	ok "no include cycle between modules"
else
	bad "include cycle between modules:"
	echo "$loops" | sed 's/^/    /'
fi

# 4: no test or script reads the shared folder next to the repository
pat='\.\./'shared
hits=$(grep -rlE "$pat" tests scripts Makefile --exclude-dir=node_modules --exclude-dir=out 2>/dev/null)
if [ -z "$hits" ]; then
	ok "nothing under tests/, scripts/ or the Makefile reads the shared folder"
else
	bad "these read the shared folder: $(echo $hits)"
fi

# 5: cycles between the files of one module.  "mod/x mod/y" for every
# #include "mod/y.h" in hub/mod/x.c or hub/mod/x.h (y other than x)
find "$hub" -mindepth 2 -name '*.[ch]' | sort | while read -r f; do
	from=$(module_of "$f")
	base=$(basename "$f")
	base=${base%.?}
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z0-9_]*\/[a-z0-9_]*\)\.h".*/\1/p' "$f" |
	while read -r inc; do
		[ "${inc%%/*}" = "$from" ] && [ "${inc#*/}" != "$base" ] && echo "$from/$base $inc"
	done
done | sort -u >"$fedges"
floops=$(tsort "$fedges" 2>&1 >/dev/null)
if [ -z "$floops" ]; then
	ok "no include cycle between the files of a module ($(wc -l <"$fedges") includes)"
else
	bad "include cycle between the files of a module (each loop listed):"
	# tsort's complaints: "loop:", then one file a line
	echo "$floops" | sed -n 's/^tsort: \([a-z0-9_]*\/[a-z0-9_]*\)$/    \1/p; s/^tsort: .*loop.*/    loop:/p'
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
