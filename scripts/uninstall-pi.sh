#!/bin/sh
# uninstall-pi.sh — undo scripts/install-pi.sh.  Stops and disables the hub
# and its backup timer, removes every file `make install PREFIX=/usr` laid out
# and the Mosquitto fragment, and restarts Mosquitto without it.
# Keeps the lab's data unless --purge: the database and its backups
# (/var/lib/mlab-hub), the config (/etc/mlab-hub), /etc/default/mlab-hub, the
# broker's password and ACL files and the mlab-hub user.
#
# Usage: sudo scripts/uninstall-pi.sh [--purge]
# Debian packages installed by scripts/deps.sh are left installed.
set -eu

say() { echo "uninstall-pi: $*"; }
purge=
for a in "$@"; do
	case "$a" in
	--purge) purge=1 ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "uninstall-pi: unknown argument '$a' (see --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || exec sudo "$0" "$@"
cd "$(dirname "$0")/.."

if command -v systemctl >/dev/null; then
	say "stopping and disabling the hub"
	systemctl disable --now mlab-hub-backup.timer mlab-hub.service 2>/dev/null || true
	systemctl stop mlab-hub-backup.service 2>/dev/null || true
fi

# exactly what make install PREFIX=/usr lays out (docs/pi.md)
rm -f /lib/systemd/system/mlab-hub.service /lib/systemd/system/mlab-hub-backup.service \
	/lib/systemd/system/mlab-hub-backup.timer \
	/usr/bin/mlab-hub /usr/sbin/mlab-device-cred /etc/mlab-hub/mlab-hub.conf.example
for c in devices/mlab-*.c; do
	[ -e "$c" ] && rm -f "/usr/bin/$(basename "$c" .c)"
done
rm -rf /usr/lib/mlab-hub /usr/share/mlab-hub /usr/share/doc/mlab-hub
command -v systemctl >/dev/null && systemctl daemon-reload 2>/dev/null || true
say "removed the programs, web files and units"

rm -f /etc/mosquitto/conf.d/mlab.conf /etc/mosquitto/conf.d/mlab.conf.dist
if [ -n "$purge" ]; then
	rm -f /etc/mosquitto/mlab.passwd /etc/mosquitto/mlab.acl
	rm -rf /var/lib/mlab-hub /etc/mlab-hub /etc/default/mlab-hub
	if id mlab-hub >/dev/null 2>&1; then
		userdel mlab-hub 2>/dev/null || true
		getent group mlab-hub >/dev/null && groupdel mlab-hub 2>/dev/null || true
	fi
	say "purged the database, backups, config, broker credentials and the mlab-hub user"
else
	say "kept /var/lib/mlab-hub (database, backups), /etc/mlab-hub, the broker's"
	say "mlab.passwd and mlab.acl and the mlab-hub user; --purge removes them"
fi
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto; then
	systemctl restart mosquitto || true
	say "mosquitto restarted without the lab's settings (Debian default: local only)"
fi
