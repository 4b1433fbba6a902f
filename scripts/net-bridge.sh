#!/bin/sh
# scripts/net-bridge.sh — the lab Mosquitto's bridge to the network's
# central broker (docs/network.md): the lab's facts go up, its acks come
# down, and both wait in the lab broker's persistent queue while the
# link is down.  Writes the snippet on stdout; put it in
# /etc/mosquitto/conf.d/mlab-net.conf and restart mosquitto.
#
#   net-bridge.sh --site SITE --central HOST[:PORT] [--cafile FILE]
#                 [--user NAME --password-file FILE] [--no-tls] [--rabbitmq]
#
# --no-tls is for a central broker on the same machine (the tests); a
# real network always uses TLS (port 8883 by default).  --rabbitmq is for
# a central RabbitMQ (its MQTT plugin): MQTT 3.1.1 without mosquitto's
# bridge flag, which RabbitMQ refuses, and one direction per topic, since
# RabbitMQ would echo the facts back down a "both" subscription.
set -eu
site= central= cafile=/etc/ssl/certs/ca-certificates.crt user= pwfile= tls=1 rabbit=0
while [ $# -gt 0 ]; do
	case "$1" in
	--site) site=$2; shift 2 ;;
	--central) central=$2; shift 2 ;;
	--cafile) cafile=$2; shift 2 ;;
	--user) user=$2; shift 2 ;;
	--password-file) pwfile=$2; shift 2 ;;
	--no-tls) tls=0; shift ;;
	--rabbitmq) rabbit=1; shift ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "net-bridge.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$site" in
''|*[!A-Za-z0-9._-]*) echo "net-bridge.sh: --site must be [A-Za-z0-9._-]{1,64}" >&2; exit 2 ;;
esac
[ ${#site} -le 64 ] || { echo "net-bridge.sh: --site is longer than 64" >&2; exit 2; }
[ -n "$central" ] || { echo "net-bridge.sh: --central HOST[:PORT] is needed" >&2; exit 2; }
case "$central" in
*:*) host=${central%:*} port=${central##*:} ;;
*) host=$central; if [ $tls = 1 ]; then port=8883; else port=1883; fi ;;
esac
cat <<CONF
# mlab-hub: a network of labs — bridge of site $site (scripts/net-bridge.sh)
connection mlab-net-$site
address $host:$port
CONF
if [ $rabbit = 1 ]; then
	cat <<CONF
# the facts up, the acks down, QoS 1 both ways; RabbitMQ has no way to
# keep a client's own messages from it, so each topic goes one way only
topic mlab/v1/net/$site/fact out 1
topic mlab/v1/net/$site/ack in 1
# RabbitMQ speaks MQTT 3.1.1 and refuses mosquitto's bridge flag
bridge_protocol_version mqttv311
try_private false
CONF
else
	cat <<CONF
# the facts up, the acks down, QoS 1 both ways
topic mlab/v1/net/$site/# both 1
try_private true
CONF
fi
cat <<CONF
# a persistent session on the central broker: nothing queued there is lost
cleansession false
local_clientid mlab-net-$site-local
remote_clientid mlab-net-$site
# what waits for the central broker is kept on disk only when the lab
# broker's own mosquitto.conf says "persistence true" (Debian's does), and
# up to its max_queued_messages (1000 by default; more are dropped).  Leave
# it: the hub keeps every fact until the network acknowledges it and
# resends the rest; a bigger queue only holds more duplicates of them.
restart_timeout 2 30
notifications false
CONF
if [ $tls = 1 ]; then
	echo "bridge_cafile $cafile"
	echo "bridge_tls_version tlsv1.2"
fi
if [ -n "$user" ]; then
	echo "remote_username $user"
	[ -n "$pwfile" ] && echo "remote_password $(cat "$pwfile")"
fi
