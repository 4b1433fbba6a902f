#!/bin/sh
# Install the Debian packages mlab-hub needs to build, run and test.
# Usage: scripts/deps.sh [build|run|check|deb|network]   (default: check)
# Installs only what is missing and says what it installs. Needs root or sudo.
set -e
what=${1:-check}

build="gcc make pkg-config libwebsockets-dev libmosquitto-dev libsqlite3-dev libgpiod-dev libcjson-dev libargon2-dev libsystemd-dev libssl-dev zlib1g-dev"
run="$build mosquitto mosquitto-clients sqlite3 curl procps"
check="$run openssl nodejs npm chromium clang libclang-rt-14-dev valgrind strace gpiod systemd dpkg-dev debhelper lintian man-db prometheus"
# the Debian packages (make deb): packaging tools only (dpkg-buildpackage
# wants build-essential, whatever the Build-Depends); make check also
# checks them with lintian and the man pages with man (man-db)
deb="$build build-essential dpkg-dev debhelper"
# make check-network: the network test with RabbitMQ (its MQTT plugin) as
# the central broker
network="$check rabbitmq-server"

case "$what" in
build) want=$build ;;
run) want=$run ;;
check) want=$check ;;
deb) want=$deb ;;
network) want=$network ;;
*) echo "usage: $0 [build|run|check|deb|network]" >&2; exit 2 ;;
esac

# A tool already on PATH counts, whoever installed it (a Node.js from
# elsewhere must not be replaced by Debian's: the two conflict).
have_tool() {
	case "$1" in
	nodejs) command -v node >/dev/null 2>&1 ;;
	npm) command -v npm >/dev/null 2>&1 ;;
	clang) command -v clang >/dev/null 2>&1 ;;
	curl) command -v curl >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

missing=
for p in $want; do
	have_tool "$p" && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "mlab-hub: installing missing Debian packages:$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Try with the package lists we have; refresh them only if that fails.
# A refresh that fails for one index (a mirror mid-sync, a foreign
# architecture) is not fatal: what matters is whether the install works.
if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
	$SUDO apt-get update -q || echo "mlab-hub: apt-get update reported errors; trying the install anyway" >&2
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi
