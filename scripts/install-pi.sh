#!/bin/sh
# install-pi.sh — turn a fresh Raspberry Pi OS (bookworm, arm64 or armhf) into
# a running lab hub, as a thin layer over the Debian package: installs the
# mlab-hub package (which brings the program, the mlab-hub system user,
# /etc/mlab-hub/mlab-hub.conf, /var/lib/mlab-hub and the enabled units) with
# Mosquitto, then does what a package must not do by itself: the locked-down
# Mosquitto with the hub's own broker login written into the config, the
# dashboard on the network, the GPIO buttons when the Pi has a chip, and the
# first admin account.  See docs/pi.md.
#
# Usage: sudo scripts/install-pi.sh [--deb FILE] [--no-admin]
#   --deb FILE   install this mlab-hub_*.deb (e.g. made on a PC with
#                `make deb ARCH=arm64`); default: build it here (`make deb`)
#   --no-admin   do not ask for the admin account's password
# Environment (kept across the script's own `sudo` when run as another user):
#   MLAB_HTTP_LISTEN     http.listen on the first run (default 0.0.0.0:8080)
#   MLAB_ADMIN_PASSWORD  the first admin account's password (10 characters or
#                        more), for an install without a terminal; without it
#                        and without a terminal, no admin account is made
#
# Idempotent: running it again changes nothing that is already in place.  It
# never overwrites the broker login, the ACL or the password file; after a
# `git pull` it rebuilds the package and, if the package differs from the
# installed one, installs it (its postinst restarts the hub).
set -eu

say() { echo "install-pi: $*"; }
die() { echo "install-pi: error: $*" >&2; exit 1; }

ask_admin=1
deb=
while [ $# -gt 0 ]; do
	case "$1" in
	--no-admin) ask_admin= ;;
	--deb) [ $# -ge 2 ] || die "--deb needs a file"; deb=$2; shift ;;
	--deb=*) deb=${1#*=} ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[ -z "$deb" ] || deb=$(readlink -f "$deb")
[ -z "$deb" ] || [ -f "$deb" ] || die "--deb: no such file: $deb"
if [ "$(id -u)" != 0 ]; then
	keep=
	for v in MLAB_HTTP_LISTEN MLAB_ADMIN_PASSWORD; do
		eval "[ -z \"\${$v+x}\" ]" || keep="$keep${keep:+,}$v"
	done
	noadmin=
	[ -n "$ask_admin" ] || noadmin=--no-admin
	exec sudo ${keep:+--preserve-env=$keep} "$0" ${deb:+--deb "$deb"} $noadmin
fi
# a bad password stops the install before it changes anything
if [ -n "${MLAB_ADMIN_PASSWORD:-}" ] && [ ${#MLAB_ADMIN_PASSWORD} -lt 10 ]; then
	die "MLAB_ADMIN_PASSWORD: 10 characters or more"
fi
cd "$(dirname "$0")/.."

CONF=/etc/mlab-hub/mlab-hub.conf
STATE=/var/lib/mlab-hub
DB=$STATE/mlab-hub.db
PASSWD=/etc/mosquitto/mlab.passwd
ACL=/etc/mosquitto/mlab.acl
FRAG=/etc/mosquitto/conf.d/mlab.conf
SHARE=/usr/share/mlab-hub

# conf_get FILE SECTION KEY: the value of an uncommented "key = value" in [SECTION].
conf_get() {
	awk -v s="$2" -v k="$3" '
		/^[ \t]*\[/ { sec = $0; gsub(/[ \t\[\]]/, "", sec); next }
		sec == s && $0 ~ "^[ \t]*" k "[ \t]*=" { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+#.*$/, "", v); print v; exit }' "$1"
}

# conf_set FILE SECTION KEY VALUE: set key in [SECTION], replacing its line
# (commented or not) or adding one; the file keeps its owner and mode.
conf_set() {
	awk -v s="$2" -v k="$3" -v v="$4" '
		/^[ \t]*\[/ {
			if (insec && !done) { print k " = " v; done = 1 }
			sec = $0; gsub(/[ \t\[\]]/, "", sec); insec = (sec == s); print; next
		}
		insec && !done && $0 ~ "^[ \t]*#?[ \t]*" k "[ \t]*=" { print k " = " v; done = 1; next }
		{ print }
		END { if (!done) { if (!insec) print "[" s "]"; print k " = " v } }' "$1" >"$1.new"
	chown --reference="$1" "$1.new"
	chmod --reference="$1" "$1.new"
	mv -f "$1.new" "$1"
}

# hubcli ARGS...: the mlab-hub command line as the service's user, on the
# service's config and database (files it creates stay the service's).
hubcli() {
	runuser -u mlab-hub -- /usr/bin/mlab-hub -c "$CONF" --set "store.path=$DB" "$@"
}

# --- 1. the package --------------------------------------------------------------
if [ -z "$deb" ]; then
	say "building the package (make deb)"
	if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && [ "$(stat -c %U .)" = "$SUDO_USER" ]; then
		# the packaging tools need root to install; the build itself runs as
		# the person who owns the checkout, so build/ stays theirs
		scripts/deps.sh deb
		runuser -u "$SUDO_USER" -- make -s deb
	else
		make -s deb
	fi
	v=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
	deb=$(pwd)/build/deb/mlab-hub_${v}_$(dpkg --print-architecture).deb
	[ -f "$deb" ] || die "make deb did not make $deb"
fi
export DEBIAN_FRONTEND=noninteractive
tools="mosquitto mosquitto-clients sqlite3"
pkg_changed=
if ! dpkg-query -W -f='${Status}' mlab-hub 2>/dev/null | grep -q 'install ok installed' ||
	[ "$(dpkg-query -W -f='${Version}' mlab-hub)" != "$(dpkg-deb -f "$deb" Version)" ]; then
	# with the broker, its clients and sqlite3: docs/pi.md's commands use them
	say "installing $(basename "$deb"), mosquitto, mosquitto-clients and sqlite3"
	apt-get install -y -q --no-install-recommends "$deb" $tools >/dev/null ||
		{ apt-get update -q >/dev/null || true
		  apt-get install -y -q --no-install-recommends "$deb" $tools >/dev/null; } ||
		die "apt-get could not install $deb"
	pkg_changed=1
elif ! dpkg-deb -I "$deb" md5sums | cmp -s - "$(dpkg-query --control-path mlab-hub md5sums)"; then
	# a rebuild after `git pull` without a new changelog entry
	say "the package changed (same version): reinstalling it"
	dpkg -i "$deb" >/dev/null || die "dpkg -i $deb failed"
	pkg_changed=1
fi
for t in $tools; do
	dpkg-query -W -f='${Status}' "$t" 2>/dev/null | grep -q 'install ok installed' ||
		apt-get install -y -q --no-install-recommends "$t" >/dev/null || die "apt-get install $t failed"
done

# --- 2. the hub's configuration (first run: the package's commented copy) -------
conf_changed=
if [ -z "$(conf_get "$CONF" broker password)" ]; then
	conf_set "$CONF" http listen "${MLAB_HTTP_LISTEN:-0.0.0.0:8080}"
	if [ -e /dev/gpiochip0 ]; then
		conf_set "$CONF" gpio backend gpiod
	fi
	conf_changed=1
fi

# --- 3. Mosquitto: fragment, ACL, the hub's credentials --------------------------
broker_changed=
install -d -m 0755 /etc/mosquitto/conf.d
if [ ! -e "$FRAG" ]; then
	install -m 0644 "$SHARE/mosquitto/mlab.conf" "$FRAG"
	broker_changed=1
elif ! cmp -s "$SHARE/mosquitto/mlab.conf" "$FRAG"; then
	install -m 0644 "$SHARE/mosquitto/mlab.conf" "$FRAG.dist"
	say "kept your $FRAG; the shipped one is $FRAG.dist"
fi
if [ ! -e "$ACL" ]; then
	install -m 0640 -o root -g mosquitto "$SHARE/mosquitto/mlab.acl" "$ACL"
	broker_changed=1
fi
pw=$(conf_get "$CONF" broker password)
user=$(conf_get "$CONF" broker username)
if [ -z "$pw" ] || [ "$user" != mlab-hub ]; then
	pw=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
	conf_set "$CONF" broker username mlab-hub
	conf_set "$CONF" broker password "$pw"
	say "made the hub's broker password (in $CONF)"
	conf_changed=1
	printf '%s\n' "$pw" | mlab-device-cred add mlab-hub --kind hub --no-reload
	broker_changed=1
elif [ ! -e "$PASSWD" ] || ! cut -d: -f1 "$PASSWD" | grep -qx mlab-hub; then
	printf '%s\n' "$pw" | mlab-device-cred add mlab-hub --kind hub --no-reload
	broker_changed=1
fi
systemctl enable --quiet mosquitto
if [ -n "$broker_changed" ] || ! systemctl is-active --quiet mosquitto; then
	say "restarting mosquitto"
	systemctl restart mosquitto || die "mosquitto did not start: journalctl -u mosquitto"
fi

# --- 4. services (the package enabled them) ----------------------------------------
systemctl daemon-reload
systemctl enable --quiet mlab-hub.service mlab-hub-backup.timer
systemctl start mlab-hub-backup.timer
if ! systemctl is-active --quiet mlab-hub; then
	say "starting mlab-hub"
	systemctl start mlab-hub || die "mlab-hub did not start: journalctl -u mlab-hub"
elif [ -n "$conf_changed" ] || [ -n "$pkg_changed" ]; then
	# the package's postinst restarts a running hub too, but not where
	# services may not be started (a chroot's policy-rc.d)
	say "the ${conf_changed:+configuration}${pkg_changed:+${conf_changed:+ and the }package} changed: restarting mlab-hub"
	systemctl restart mlab-hub
fi

# --- 5. the first admin account ----------------------------------------------------------
admin_pw=${MLAB_ADMIN_PASSWORD:-}
unset MLAB_ADMIN_PASSWORD
if hubcli user list 2>/dev/null | grep -qw admin; then
	:
elif [ -n "$ask_admin" ] && [ -n "$admin_pw" ]; then
	printf '%s\n' "$admin_pw" | hubcli user add admin --role admin || die "mlab-hub user add failed"
	say "admin account created (password from MLAB_ADMIN_PASSWORD)"
elif [ -z "$ask_admin" ] || [ ! -t 0 ]; then
	say "no admin account yet; create one with:"
	say "  sudo runuser -u mlab-hub -- mlab-hub -c $CONF --set store.path=$DB user add admin --role admin"
else
	echo "install-pi: create the first admin account (user name: admin)"
	# Ctrl-C at the prompt must not leave the terminal without echo
	trap 'stty echo; echo; exit 130' INT TERM HUP
	while :; do
		printf 'Password for admin (10 characters or more): '
		stty -echo; IFS= read -r p1 || true; stty echo; echo
		printf 'Again: '
		stty -echo; IFS= read -r p2 || true; stty echo; echo
		[ "$p1" = "$p2" ] || { echo "They differ; again."; continue; }
		[ ${#p1} -ge 10 ] || { echo "Too short; again."; continue; }
		break
	done
	trap - INT TERM HUP
	printf '%s\n' "$p1" | hubcli user add admin --role admin || die "mlab-hub user add failed"
	say "admin account created"
fi

addr=$(hostname -I 2>/dev/null | awk '{ print $1 }')
listen=$(conf_get "$CONF" http listen)
port=${listen##*:}
say "done.  Dashboard: http://${addr:-$(hostname)}:${port:-8080}/"
say "add a device to the broker: sudo mlab-device-cred add DEVICE --kind KIND"
