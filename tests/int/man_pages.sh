#!/bin/sh
# man_pages.sh — the man pages under man/: one per program (mlab-hub(8),
# mlab-device-cred(8), one mlab-*(1) per devices/mlab-*.c) and
# mlab-hub.conf(5); each renders without a warning from man; mlab-hub.conf(5)
# names every key of hub/core/conf.c's table; each device program's page
# names every long option of its getopt_long table, and mlab-hub(8) those
# of hub/main.c.  Runnable alone.
set -eu

cd "$(dirname "$0")/../.."
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }

want="man/mlab-hub.8 man/mlab-device-cred.8 man/mlab-hub.conf.5"
for c in devices/mlab-*.c; do want="$want man/$(basename "$c" .c).1"; done
[ -d devices/sim ] && want="$want man/mlab-sim.1"	# the simulator is a folder
missing=
for m in $want; do [ -f "$m" ] || missing="$missing $m"; done
if [ -z "$missing" ]; then ok "a man page for every program and the config"; else nok "missing man pages:$missing"; fi

for m in man/*.[158]; do
	if ! command -v man >/dev/null; then nok "man is installed (man-db)"; break; fi
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$m" 2>&1 >/dev/null || echo "man failed")
	if [ -z "$w" ]; then ok "$m renders without warnings"; else nok "$m renders without warnings"; printf '%s\n' "$w" | sed 's/^/#   /'; fi
done

# every key of the table, as ".It Cm KEY" (a "*" stays a "*")
keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_.*]*\)", K_.*/\1/p' hub/core/conf.c)
miss=
for k in $keys; do
	grep -qxF ".It Cm $k" man/mlab-hub.conf.5 || miss="$miss $k"
done
if [ -n "$keys" ] && [ -z "$miss" ]; then
	ok "mlab-hub.conf(5) names all $(printf '%s\n' "$keys" | wc -l) keys of hub/core/conf.c"
else
	nok "mlab-hub.conf(5) lacks:$miss"
fi

# long options: { "name", …_argument, … } in each program's table; in mdoc a
# "-" in an option is written "\-"
for c in hub/main.c devices/mlab-*.c devices/sim/sim.c; do
	[ -f "$c" ] || continue
	case "$c" in hub/main.c) m=man/mlab-hub.8 ;; devices/sim/sim.c) m=man/mlab-sim.1 ;; *) m=man/$(basename "$c" .c).1 ;; esac
	[ -f "$m" ] || continue
	opts=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' "$c")
	miss=
	for o in $opts; do
		grep -qF "Fl \\-$(printf '%s' "$o" | sed 's/-/\\-/g')" "$m" || miss="$miss --$o"
	done
	if [ -n "$opts" ] && [ -z "$miss" ]; then ok "$m names every long option of $c"; else nok "$m lacks:$miss"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
