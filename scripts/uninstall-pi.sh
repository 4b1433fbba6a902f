#!/bin/sh
# uninstall-pi.sh — undo scripts/install-pi.sh: removes the mlab-hub and
# mlab-hub-devices packages (which stops and disables the hub and its backup
# timer) and the Mosquitto fragment, and restarts Mosquitto without it.
# Keeps the lab's data unless --purge: the database and its backups
# (/var/lib/mlab-hub), the config (/etc/mlab-hub), /etc/default/mlab-hub, the
# broker's password and ACL files and the mlab-hub user.  --purge is
# `apt-get purge` plus the broker's files.
#
# Usage: sudo scripts/uninstall-pi.sh [--purge]
# Mosquitto and the other Debian packages stay installed.
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

export DEBIAN_FRONTEND=noninteractive
# the packages' prerm stops the units only where systemd runs (and
# policy-rc.d allows it): stop them first, whatever the system
if command -v systemctl >/dev/null; then
	systemctl stop mlab-hub-backup.timer mlab-hub.service mlab-hub-backup.service 2>/dev/null || true
fi
pkgs=
for p in mlab-hub mlab-hub-devices; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$\| config-files$' && pkgs="$pkgs $p"
done
if [ -n "$pkgs" ]; then
	if [ -n "$purge" ]; then
		say "apt-get purge$pkgs"
		apt-get purge -y -q $pkgs >/dev/null
	else
		say "apt-get remove$pkgs"
		apt-get remove -y -q $pkgs >/dev/null
	fi
fi

rm -f /etc/mosquitto/conf.d/mlab.conf /etc/mosquitto/conf.d/mlab.conf.dist
if [ -n "$purge" ]; then
	rm -f /etc/mosquitto/mlab.passwd /etc/mosquitto/mlab.acl
	say "purged the database, backups, config, broker credentials and the mlab-hub user"
else
	say "kept /var/lib/mlab-hub (database, backups), /etc/mlab-hub, the broker's"
	say "mlab.passwd and mlab.acl and the mlab-hub user; --purge removes them"
fi
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto; then
	systemctl restart mosquitto || true
	say "mosquitto restarted without the lab's settings (Debian default: local only)"
fi
