#!/bin/sh
# pi_install.sh — `make install DESTDIR=… PREFIX=/usr` lays out exactly the
# files docs/pi.md lists (no more, no fewer), with the systemd units pointing
# at the installed programs; the example config names every key of hub/core/conf.c
# and, uncommented, is a valid config.  Runnable alone (builds if needed).
set -eu

cd "$(dirname "$0")/../.."
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}
tmp=$(mktemp -d /tmp/pi_install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root

# The documented list (docs/pi.md, "What make install puts where").  Device
# programs and web files are one line per devices/mlab-*.c (and devices/sim/,
# mlab-sim) and web/ file.
cat >"$tmp/want" <<'LIST'
/etc/mlab-hub/mlab-hub.conf.example
/usr/bin/mlab-hub
/usr/lib/mlab-hub/mlab-hub-backup
/usr/lib/systemd/system/mlab-hub-backup.service
/usr/lib/systemd/system/mlab-hub-backup.timer
/usr/lib/systemd/system/mlab-hub.service
/usr/sbin/mlab-device-cred
/usr/share/doc/mlab-hub/pi.md
/usr/share/mlab-hub/avahi/mlab-hub.service
/usr/share/mlab-hub/mosquitto/mlab.acl
/usr/share/mlab-hub/mosquitto/mlab.conf
LIST
missing_doc=
while IFS= read -r f; do
	grep -qF "$f" docs/pi.md 2>/dev/null || missing_doc="$missing_doc $f"
done <"$tmp/want"
if [ -z "$missing_doc" ]; then ok "docs/pi.md lists every installed file"; else nok "docs/pi.md does not list:$missing_doc"; fi
for c in devices/mlab-*.c; do
	[ -e "$c" ] && echo "/usr/bin/$(basename "$c" .c)" >>"$tmp/want"
done
[ -d devices/sim ] && echo /usr/bin/mlab-sim >>"$tmp/want"	# the simulator is a folder
for m in man/*.[158]; do
	[ -e "$m" ] && echo "/usr/share/man/man${m##*.}/$(basename "$m")" >>"$tmp/want"
done
if [ -d web ]; then
	(cd web && find . -type f | sed 's|^\./|/usr/share/mlab-hub/web/|') >>"$tmp/want"
fi
sort -o "$tmp/want" "$tmp/want"

if make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >"$tmp/make.log" 2>&1; then
	ok "make install DESTDIR=… PREFIX=/usr"
else
	nok "make install DESTDIR=… PREFIX=/usr"
	tail -n 20 "$tmp/make.log" | sed 's/^/#   /'
	finish
fi
(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort) >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then
	ok "installed files are exactly the documented list ($(wc -l <"$tmp/got") files)"
else
	nok "installed files differ from the documented list (- missing, + extra)"
	diff "$tmp/want" "$tmp/got" | grep '^[<>]' | sed 's/^</#   -/; s/^>/#   +/'
fi
# install(1) and a second run: installing twice gives the same tree
if make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 &&
	(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort) | cmp -s - "$tmp/got"; then
	ok "make install twice gives the same files"
else
	nok "make install twice gives the same files"
fi

modes_ok=1
for f in /usr/bin/mlab-hub /usr/sbin/mlab-device-cred /usr/lib/mlab-hub/mlab-hub-backup; do
	[ "$(stat -c %a "$dest$f" 2>/dev/null)" = 755 ] || { modes_ok=; echo "#   $f: mode $(stat -c %a "$dest$f" 2>/dev/null)"; }
done
for f in /etc/mlab-hub/mlab-hub.conf.example /usr/lib/systemd/system/mlab-hub.service; do
	[ "$(stat -c %a "$dest$f" 2>/dev/null)" = 644 ] || { modes_ok=; echo "#   $f: mode $(stat -c %a "$dest$f" 2>/dev/null)"; }
done
if [ -n "$modes_ok" ]; then ok "programs are 0755, units and example config 0644"; else nok "file modes"; fi

u=$dest/usr/lib/systemd/system
if ! grep -q '@[A-Z]*@' "$u"/* &&
	grep -q '^ExecStart=/usr/bin/mlab-hub -c /etc/mlab-hub/mlab-hub.conf ' "$u/mlab-hub.service" &&
	grep -q '^ExecStart=/usr/lib/mlab-hub/mlab-hub-backup$' "$u/mlab-hub-backup.service"; then
	ok "units point at the installed programs (/usr/bin, /usr/lib/mlab-hub)"
else
	nok "units point at the installed programs"
	grep -n 'Exec\|@' "$u"/* | sed 's/^/#   /'
fi

# another PREFIX: nothing lands outside it
if make --no-print-directory install DESTDIR="$tmp/opt" PREFIX=/opt/mlab >/dev/null 2>&1 &&
	[ -z "$(cd "$tmp/opt" && find . ! -type d ! -path './opt/mlab/*')" ] &&
	[ -f "$tmp/opt/opt/mlab/lib/systemd/system/mlab-hub.service" ] &&
	grep -q '^ExecStart=/opt/mlab/bin/mlab-hub ' "$tmp/opt/opt/mlab/lib/systemd/system/mlab-hub.service"; then
	ok "make install PREFIX=/opt/mlab puts everything under /opt/mlab, units and config included"
else
	nok "make install PREFIX=/opt/mlab puts everything under /opt/mlab"
	(cd "$tmp/opt" 2>/dev/null && find . ! -type d ! -path './opt/mlab/*' | sed 's/^/#   outside: /')
fi

# every key in hub/core/conf.c's table appears in the example (section + key)
ex=scripts/mlab-hub.conf.example
keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_.*]*\)", K_.*/\1/p' hub/core/conf.c)
have=$(awk '
	{ l = $0; sub(/^# ?/, "", l) }
	l ~ /^\[[^]]+\]$/ { sec = substr(l, 2, length(l) - 2); next }
	l ~ /^[A-Za-z0-9_.-]+ =/ && sec != "" { split(l, a, " "); print sec "." a[1] }' "$ex")
miss=
for k in $keys; do
	re=$(printf '%s' "$k" | sed 's/\./\\./g; s/\*/[^.]+/g')
	printf '%s\n' "$have" | grep -Eqx "$re" || miss="$miss $k"
done
if [ -n "$keys" ] && [ -z "$miss" ]; then
	ok "the example config shows all $(printf '%s\n' "$keys" | wc -l) keys of hub/core/conf.c"
else
	nok "the example config lacks:$miss"
fi

# the example and its uncommented twin are valid configs
if [ -x hub/mlab-hub ]; then
	sed -E 's/^# ([A-Za-z0-9_.-]+ = .+)$/\1/; s/^# (\[[^]]+\])$/\1/' "$ex" >"$tmp/uncommented.conf"
	if hub/mlab-hub -c "$ex" --check-config >"$tmp/cc.log" 2>&1 &&
		hub/mlab-hub -c "$tmp/uncommented.conf" --check-config >>"$tmp/cc.log" 2>&1; then
		ok "mlab-hub --check-config accepts the example, as is and uncommented"
	else
		nok "mlab-hub --check-config accepts the example, as is and uncommented"
		tail -n 5 "$tmp/cc.log" | sed 's/^/#   /'
	fi
fi
finish
