#!/bin/sh
# scripts/run-lab.sh — the whole lab on this machine (`make run`):
# a private mosquitto on a free loopback port (unless MLAB_BROKER=host:port
# names one), the hub with its database under ./var/, the simulated lab
# (devices/mlab-sim) and a scanner agent watching ./var/scans/.
# Ctrl-C stops everything this script started.
#
# Environment: MLAB_BROKER=host:port   use that broker instead
#              MLAB_HTTP=addr:port     where the hub serves (default 127.0.0.1:8080, or the next free port)
#              MLAB_SPEED=X            simulated time runs X times faster (default 10)
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
var=$top/var
mkdir -p "$var/mosquitto" "$var/scans" "$var/scand"
pids=""

free_port() {	# first free TCP port on loopback from $1 up
	p=$1
	while ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

stop() {
	trap - INT TERM EXIT
	echo
	echo "mlab: stopping"
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	exit 0
}
trap stop INT TERM EXIT

if [ -n "${MLAB_BROKER:-}" ]; then
	bhost=${MLAB_BROKER%:*}
	bport=${MLAB_BROKER##*:}
	echo "mlab: using the broker at $bhost:$bport"
else
	bhost=127.0.0.1
	bport=$(free_port 18830)
	cat >"$var/mosquitto/mosquitto.conf" <<CONF
# written by scripts/run-lab.sh: a private broker for the simulated lab
listener $bport 127.0.0.1
allow_anonymous true
persistence true
persistence_location $var/mosquitto/
max_queued_messages 100000
# started as root, mosquitto would switch to its own user, which cannot write var/
user $(id -un)
log_dest stderr
CONF
	mosquitto -c "$var/mosquitto/mosquitto.conf" 2>"$var/mosquitto/mosquitto.log" &
	pids="$pids $!"
	echo "mlab: private mosquitto on $bhost:$bport (log: var/mosquitto/mosquitto.log)"
fi

http=${MLAB_HTTP:-127.0.0.1:$(free_port 8080)}
hub="$top/hub/mlab-hub"
db="$var/mlab-hub.db"
set -- --set "broker.host=$bhost" --set "broker.port=$bport" --set "store.path=$db" \
	--set "http.listen=$http" --set "gpio.backend=sim" \
	--set "machine.prusa-salle2.plug=tasmota/prusa-salle2" --set "machine.prusa-salle2.name=Prusa MK4 (salle 2)" \
	--set "machine.voron-salle3.plug=tasmota/voron-salle3" --set "machine.voron-salle3.name=Voron 2.4 (salle 3)" \
	--set "button.accueil.device=z2m/boutons-accueil" --set "button.accueil.action=single" --set "button.accueil.do=vote:3"

# demo accounts, once: the passwords are printed below and belong to this machine only
if ! "$hub" "$@" user list 2>/dev/null | grep -q facilitateur; then
	echo "mlab-demo-admin" | "$hub" "$@" user add admin --role admin >/dev/null 2>&1
	echo "mlab-demo-facil" | "$hub" "$@" user add facilitateur --role facilitator >/dev/null 2>&1
	echo "mlab-demo-kiosk" | "$hub" "$@" user add kiosque --role kiosk >/dev/null 2>&1
fi

"$hub" "$@" 2>"$var/mlab-hub.log" &
pids="$pids $!"
devices/mlab-sim --host "$bhost" --port "$bport" --speed "${MLAB_SPEED:-10}" --quiet &
pids="$pids $!"
devices/mlab-scand --dir "$var/scans" --id scanner-poste --name "Poste de numérisation" \
	--room "Salle 2" --host "$bhost" --port "$bport" --state-dir "$var/scand" --settle-ms 1500 --quiet &
pids="$pids $!"

i=0
until curl -fs "http://$http/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 50 ] && { echo "mlab: the hub did not start; see var/mlab-hub.log"; tail -5 "$var/mlab-hub.log"; exit 1; }
	sleep 0.2
done
cat <<MSG

  mlab-hub is running.

    Dashboard   http://$http/          (facilitateur / mlab-demo-facil, admin / mlab-demo-admin)
    Kiosk       http://$http/kiosk/    (kiosque / mlab-demo-kiosk)
    Wall        http://$http/wall/
    API         http://$http/api/devices

  Drop a mesh (.stl .ply .obj) into var/scans/ to see a scan arrive.
  Log: var/mlab-hub.log    Database: var/mlab-hub.db
  Ctrl-C stops everything.

MSG
wait
