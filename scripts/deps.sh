#!/bin/sh
# Install the Debian packages mlab-hub needs to build, run and test.
# Usage: scripts/deps.sh [build|run|check]   (default: check)
# Installs only what is missing and says what it installs. Needs root or sudo.
set -e
what=${1:-check}

build="gcc make pkg-config libwebsockets-dev libmosquitto-dev libsqlite3-dev libgpiod-dev libcjson-dev libargon2-dev libsystemd-dev"
run="$build mosquitto mosquitto-clients sqlite3 libjs-chart.js curl"
check="$run nodejs npm chromium clang libclang-rt-14-dev valgrind gpiod systemd"

case "$what" in
build) want=$build ;;
run) want=$run ;;
check) want=$check ;;
*) echo "usage: $0 [build|run|check]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "mlab-hub: installing missing Debian packages:$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# an empty package list means apt-get update was never run on this machine
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi
