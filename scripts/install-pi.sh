#!/bin/sh
# install-pi.sh — turn a fresh Raspberry Pi OS (bookworm, arm64 or armhf) into
# a running lab hub: packages, build, install under /usr, the mlab-hub system
# user, /etc/mlab-hub/mlab-hub.conf, /var/lib/mlab-hub, the locked-down
# Mosquitto with the hub's credentials, the systemd units enabled and
# started, and the first admin account.  See docs/pi.md.
#
# Usage: sudo scripts/install-pi.sh [--no-admin]
#   --no-admin   do not ask for the admin account's password
# Environment (kept across the script's own `sudo` when run as another user):
#   MLAB_HTTP_LISTEN     http.listen of a new config (default 0.0.0.0:8080)
#   MLAB_ADMIN_PASSWORD  the first admin account's password (10 characters or
#                        more), for an install without a terminal; without it
#                        and without a terminal, no admin account is made
#
# Idempotent: running it again changes nothing that is already in place.  It
# never overwrites /etc/mlab-hub/mlab-hub.conf, the ACL or the password file;
# after a `git pull` it rebuilds, reinstalls and restarts the hub if the
# program changed.
set -eu

say() { echo "install-pi: $*"; }
die() { echo "install-pi: error: $*" >&2; exit 1; }

ask_admin=1
for a in "$@"; do
	case "$a" in
	--no-admin) ask_admin= ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$a' (see --help)" ;;
	esac
done
if [ "$(id -u)" != 0 ]; then
	keep=
	for v in MLAB_HTTP_LISTEN MLAB_ADMIN_PASSWORD; do
		eval "[ -z \"\${$v+x}\" ]" || keep="$keep${keep:+,}$v"
	done
	exec sudo ${keep:+--preserve-env=$keep} "$0" "$@"
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

# --- 1. packages and build ----------------------------------------------------
say "Debian packages"
scripts/deps.sh run
before=$(sha256sum /usr/bin/mlab-hub 2>/dev/null | cut -d' ' -f1 || true)
say "building"
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && [ "$(stat -c %U .)" = "$SUDO_USER" ]; then
	# build as the person who owns the checkout, so build/ stays theirs
	runuser -u "$SUDO_USER" -- make -s -j"$(nproc)" all
else
	make -s -j"$(nproc)" all
fi
say "installing under /usr"
make -s install PREFIX=/usr >/dev/null
after=$(sha256sum /usr/bin/mlab-hub | cut -d' ' -f1)

# --- 2. user and directories ----------------------------------------------------
# Raspberry Pi OS has a gpio group owning /dev/gpiochip*; elsewhere make it
# so the unit's SupplementaryGroups=gpio resolves.
getent group gpio >/dev/null || { say "creating group gpio"; groupadd --system gpio; }
if ! id mlab-hub >/dev/null 2>&1; then
	say "creating system user mlab-hub"
	useradd --system --user-group --home-dir "$STATE" --no-create-home \
		--shell /usr/sbin/nologin --comment "MLab hub" mlab-hub
fi
id -nG mlab-hub | tr ' ' '\n' | grep -qx gpio || usermod -a -G gpio mlab-hub
install -d -m 0750 -o mlab-hub -g mlab-hub "$STATE" "$STATE/backups"
install -d -m 0750 -o root -g mlab-hub /etc/mlab-hub

# --- 3. the hub's configuration ---------------------------------------------------
if [ ! -e "$CONF" ]; then
	say "creating $CONF from the example"
	install -m 0640 -o root -g mlab-hub /etc/mlab-hub/mlab-hub.conf.example "$CONF"
	conf_set "$CONF" http listen "${MLAB_HTTP_LISTEN:-0.0.0.0:8080}"
	if [ -e /dev/gpiochip0 ]; then
		conf_set "$CONF" gpio backend gpiod
	fi
fi
chown root:mlab-hub "$CONF"
chmod 0640 "$CONF"
if [ ! -e /etc/default/mlab-hub ]; then
	cat >/etc/default/mlab-hub <<-'DEF'
	# /etc/default/mlab-hub — settings of the daily backup (mlab-hub-backup.timer)
	# copies kept in MLAB_BACKUP_DIR, newest first
	#MLAB_BACKUP_KEEP=14
	#MLAB_BACKUP_DIR=/var/lib/mlab-hub/backups
	DEF
fi

# --- 4. Mosquitto: fragment, ACL, the hub's credentials --------------------------
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

# --- 5. services ---------------------------------------------------------------------
systemctl daemon-reload
systemctl enable --quiet mlab-hub.service mlab-hub-backup.timer
systemctl start mlab-hub-backup.timer
if ! systemctl is-active --quiet mlab-hub; then
	say "starting mlab-hub"
	systemctl start mlab-hub || die "mlab-hub did not start: journalctl -u mlab-hub"
elif [ "$before" != "$after" ]; then
	say "the program changed: restarting mlab-hub"
	systemctl restart mlab-hub
fi

# --- 6. the first admin account ----------------------------------------------------------
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
