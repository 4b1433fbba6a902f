#!/bin/sh
# deb_package.sh — `make deb` builds the two Debian packages, and they hold
# what they should: the exact file list (web/ and the device programs
# followed from the tree), the conffiles, the maintainer scripts (system
# user, config modes, units enabled), the version of debian/changelog in
# the names, the fields and every program's --version, and lintian has
# nothing to say beyond the overrides, each of which has its reason above it.
# Part of `make check` (about 20 s); `make check-deb ARCH=arm64` runs it on a
# cross build (no --version run there).  Runnable alone.
set -eu

cd "$(dirname "$0")/../.."
arch=${DEB_ARCH:-$(dpkg --print-architecture)}
host=$(dpkg --print-architecture)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}
tmp=$(mktemp -d /tmp/deb_package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

version=$(dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
if scripts/deb.sh "$arch" >"$tmp/build.log" 2>&1; then
	ok "scripts/deb.sh $arch (make deb) builds"
else
	nok "scripts/deb.sh $arch (make deb) builds"
	tail -n 30 "$tmp/build.log" | sed 's/^/#   /'
	finish
fi
hub=build/deb/mlab-hub_${version}_$arch.deb
dev=build/deb/mlab-hub-devices_${version}_$arch.deb
check "named after debian/changelog's version: $hub, $dev" test -f "$hub" -a -f "$dev"
[ -f "$hub" ] && [ -f "$dev" ] || finish

field() { dpkg-deb -f "$1" "$2"; }
check "control fields: Package, Version, Architecture" sh -c "
	[ '$(field "$hub" Package) $(field "$hub" Version) $(field "$hub" Architecture)' = 'mlab-hub $version $arch' ] &&
	[ '$(field "$dev" Package) $(field "$dev" Version) $(field "$dev" Architecture)' = 'mlab-hub-devices $version $arch' ]"
deps=$(field "$hub" Depends)
check "mlab-hub depends on adduser and the shared libraries (shlibs)" sh -c "
	printf '%s' '$deps' | grep -q 'adduser' && printf '%s' '$deps' | grep -q 'libwebsockets17' &&
	printf '%s' '$deps' | grep -q 'libmosquitto1' && printf '%s' '$deps' | grep -q 'libsqlite3-0'"

# --- contents ------------------------------------------------------------------
list() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort; }
cat >"$tmp/want-hub" <<'LIST'
/etc/avahi/services/mlab-hub.service
/etc/default/mlab-hub
/etc/mlab-hub/mlab-hub.conf
/lib/systemd/system/mlab-hub-backup.service
/lib/systemd/system/mlab-hub-backup.timer
/lib/systemd/system/mlab-hub.service
/usr/bin/mlab-hub
/usr/lib/mlab-hub/mlab-hub-backup
/usr/sbin/mlab-device-cred
/usr/share/doc/mlab-hub/changelog.gz
/usr/share/doc/mlab-hub/copyright
/usr/share/doc/mlab-hub/pi.md.gz
/usr/share/lintian/overrides/mlab-hub
/usr/share/man/man5/mlab-hub.conf.5.gz
/usr/share/man/man8/mlab-device-cred.8.gz
/usr/share/man/man8/mlab-hub.8.gz
/usr/share/mlab-hub/mosquitto/mlab.acl
/usr/share/mlab-hub/mosquitto/mlab.conf
LIST
(cd web && find . -type f | sed 's|^\./|/usr/share/mlab-hub/web/|') >>"$tmp/want-hub"
sort -o "$tmp/want-hub" "$tmp/want-hub"
list "$hub" >"$tmp/got-hub"
if cmp -s "$tmp/want-hub" "$tmp/got-hub"; then
	ok "mlab-hub holds exactly the expected $(wc -l <"$tmp/got-hub") files"
else
	nok "mlab-hub's files (- missing, + extra)"
	diff "$tmp/want-hub" "$tmp/got-hub" | grep '^[<>]' | sed 's/^</#   -/; s/^>/#   +/'
fi
: >"$tmp/want-dev"
for c in devices/mlab-*.c devices/sim; do
	[ -e "$c" ] || continue
	n=$(basename "$c" .c)
	[ "$n" = sim ] && n=mlab-sim	# the simulator is a folder
	printf '/usr/bin/%s\n/usr/share/man/man1/%s.1.gz\n' "$n" "$n" >>"$tmp/want-dev"
done
printf '/usr/share/doc/mlab-hub-devices/changelog.gz\n/usr/share/doc/mlab-hub-devices/copyright\n' >>"$tmp/want-dev"
sort -o "$tmp/want-dev" "$tmp/want-dev"
list "$dev" >"$tmp/got-dev"
if cmp -s "$tmp/want-dev" "$tmp/got-dev"; then
	ok "mlab-hub-devices holds each device program (devices/mlab-*.c, devices/sim/) and its man page, nothing else"
else
	nok "mlab-hub-devices' files (- missing, + extra)"
	diff "$tmp/want-dev" "$tmp/got-dev" | grep '^[<>]' | sed 's/^</#   -/; s/^>/#   +/'
fi
check "the files are root's, programs 0755" sh -c "
	dpkg-deb -c '$hub' | awk '\$2 != \"root/root\" { bad = 1 } END { exit bad }' &&
	dpkg-deb -c '$hub' | grep '^-rwxr-xr-x root/root .* ./usr/bin/mlab-hub\$' >/dev/null"

mkdir -p "$tmp/x" "$tmp/ctl"
dpkg-deb -x "$hub" "$tmp/x"
dpkg-deb -x "$dev" "$tmp/x"
dpkg-deb -e "$hub" "$tmp/ctl"
check "the unit starts /usr/bin/mlab-hub with the conffile and /var/lib/mlab-hub" \
	grep -q '^ExecStart=/usr/bin/mlab-hub -c /etc/mlab-hub/mlab-hub.conf --set store.path=/var/lib/mlab-hub/mlab-hub.db$' \
	"$tmp/x/lib/systemd/system/mlab-hub.service"
check "the conffile is the commented example (the hub's defaults)" cmp -s scripts/mlab-hub.conf.example "$tmp/x/etc/mlab-hub/mlab-hub.conf"
check "the Avahi file announces _http._tcp" grep -q '<type>_http._tcp</type>' "$tmp/x/etc/avahi/services/mlab-hub.service"
check "mlab-device-cred --version is the package's" sh -c "[ \"\$(sh '$tmp/x/usr/sbin/mlab-device-cred' --version)\" = 'mlab-device-cred $version' ]"
if [ "$arch" = "$host" ]; then
	bad=
	for p in "$tmp"/x/usr/bin/mlab-*; do
		got=$("$p" --version 2>&1) || true
		[ "$got" = "$(basename "$p") $version" ] || bad="$bad $(basename "$p"):'$got'"
	done
	if [ -z "$bad" ]; then ok "every packaged program's --version says $version"; else nok "--version:$bad"; fi
fi

# --- conffiles and maintainer scripts ----------------------------------------------
printf '/etc/avahi/services/mlab-hub.service\n/etc/default/mlab-hub\n/etc/mlab-hub/mlab-hub.conf\n' >"$tmp/want-conf"
check "conffiles: the config, /etc/default/mlab-hub, the Avahi service" sh -c "sort '$tmp/ctl/conffiles' | cmp -s - '$tmp/want-conf'"
syntax=1
for s in preinst postinst prerm postrm; do
	[ -f "$tmp/ctl/$s" ] && ! sh -n "$tmp/ctl/$s" && syntax=
done
check "maintainer scripts parse (sh -n)" test -n "$syntax"
check "postinst makes the system user mlab-hub (adduser --system) and adds it to gpio" sh -c "
	grep -q 'adduser --system --group' '$tmp/ctl/postinst' && grep -q 'adduser --quiet mlab-hub gpio' '$tmp/ctl/postinst'"
check "postinst keeps the config root:mlab-hub 0640 across upgrades (dpkg-statoverride)" \
	grep -q 'dpkg-statoverride --update --add root mlab-hub' "$tmp/ctl/postinst"
check "postinst enables mlab-hub.service and the backup timer (dh_installsystemd), not the backup service" sh -c "
	grep -q \"deb-systemd-helper enable 'mlab-hub.service'\" '$tmp/ctl/postinst' &&
	grep -q \"deb-systemd-helper enable 'mlab-hub-backup.timer'\" '$tmp/ctl/postinst' &&
	! grep -q \"'mlab-hub-backup.service'\" '$tmp/ctl/postinst'"
check "postinst's own part runs before debhelper's (the user exists when the unit starts)" sh -c "
	[ \$(grep -n 'adduser --system' '$tmp/ctl/postinst' | cut -d: -f1 | head -n 1) -lt \$(grep -n 'deb-systemd' '$tmp/ctl/postinst' | cut -d: -f1 | head -n 1) ]"
check "postrm purge erases /var/lib/mlab-hub and the user, remove keeps them" sh -c "
	awk '/\"\\\$1\" = purge/ { p = 1 } p && /rm -rf \\/var\\/lib\\/mlab-hub/ { r = 1 } p && /deluser/ { u = 1 } END { exit !(r && u) }' '$tmp/ctl/postrm'"

# --- lintian -------------------------------------------------------------------------
if command -v lintian >/dev/null; then
	lintian --pedantic --display-info "$hub" "$dev" >"$tmp/lintian" 2>&1 || true
	grep -v -e 'running with root privileges' "$tmp/lintian" >"$tmp/lintian.tags" || true
	if [ -s "$tmp/lintian.tags" ]; then
		nok "lintian --pedantic --display-info: nothing beyond the overrides"
		sed 's/^/#   /' "$tmp/lintian.tags"
	else
		ok "lintian --pedantic --display-info: nothing beyond the overrides"
	fi
else
	nok "lintian is installed (scripts/deps.sh check)"
fi
unjust=$(awk '/^#/ { c = 1; next } /^[^ \t]/ { if (!c) print FILENAME ": " $0 } !/^#/ { c = 0 }' debian/*.lintian-overrides)
check "every lintian override has its reason in a comment above it" test -z "$unjust"
finish
