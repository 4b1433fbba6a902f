#!/bin/sh
# pi_mosquitto.sh — the lab's Mosquitto configuration (scripts/mosquitto/) loaded
# by a real broker: anonymous clients refused, each device writes only its own
# topics, mlab-device-cred.sh adds and removes devices.
# Runs Debian's /usr/sbin/mosquitto on a free loopback port with the fragment
# adapted (listener, file paths) and temp password/ACL files made by
# mlab-device-cred.sh in test mode.  Runnable alone: tests/int/pi_mosquitto.sh
set -eu

cd "$(dirname "$0")/../.."
root=$(pwd)
credsh="$root/scripts/mlab-device-cred.sh"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

for p in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd; do
	if ! command -v "$p" >/dev/null && [ ! -x "/usr/sbin/$p" ]; then
		nok "$p is installed (apt-get install mosquitto mosquitto-clients)"
		finish
	fi
done
broker=$(command -v mosquitto || echo /usr/sbin/mosquitto)

tmp=$(mktemp -d /tmp/pi_mosquitto.XXXXXX)
chmod 755 "$tmp"
bpid=
subpid=
cleanup() {
	[ -z "$subpid" ] || kill "$subpid" 2>/dev/null || true
	[ -z "$bpid" ] || kill "$bpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
# the script's own messages go to a log, keeping this test's output clean
cat >"$tmp/cred" <<CRED
#!/bin/sh
exec "$credsh" "\$@" 2>>"$tmp/cred.log"
CRED
chmod +x "$tmp/cred"
cred=$tmp/cred

# --- credentials, made the way an operator makes them -------------------------
cp scripts/mosquitto/mlab.acl "$tmp/mlab.acl"
T="--passwd $tmp/mlab.passwd --acl $tmp/mlab.acl"
hubpw=hub-secret-$$
echo "$hubpw" >"$tmp/hubpw"
# shellcheck disable=SC2086
check "cred: add the hub" "$cred" add mlab-hub --kind hub --password-file "$tmp/hubpw" $T
# shellcheck disable=SC2086
check "cred: add native device scanner-1 (password on stdin)" sh -c "echo scanner-pw-1 | '$cred' add scanner-1 $T"
# shellcheck disable=SC2086
check "cred: add native device printer-2" sh -c "echo printer-pw-2 | '$cred' add printer-2 $T"
# shellcheck disable=SC2086
plugpw=$("$cred" add plug-a --kind tasmota --generate $T 2>/dev/null) || true
check "cred: add tasmota plug-a with a generated password" test "${#plugpw}" -ge 16
# shellcheck disable=SC2086
check "cred: refuses a name with an MQTT wildcard" sh -c "! echo password-x | '$cred' add 'evil+' $T 2>/dev/null"
# shellcheck disable=SC2086
check "cred: refuses the hub's reserved id" sh -c "! echo password-x | '$cred' add hub $T 2>/dev/null"
# shellcheck disable=SC2086
check "cred: refuses a short password" sh -c "! echo short | '$cred' add scanner-9 $T 2>/dev/null"
# shellcheck disable=SC2086
list=$("$cred" list $T)
check "cred: list shows the four users with their kinds" sh -c "
	echo '$list' | grep -qx 'mlab-hub	hub' && echo '$list' | grep -qx 'scanner-1	native' &&
	echo '$list' | grep -qx 'printer-2	native' && echo '$list' | grep -qx 'plug-a	tasmota'"
# shellcheck disable=SC2086
check "cred: add read-only consumer ha-reader (--consumer)" sh -c "echo reader-pw-1 | '$cred' add ha-reader --consumer $T"
check "cred: the consumer's ACL block reads mlab/v1/# and homeassistant/# and grants no write" sh -c "
	sed -n '/^user ha-reader\$/,/^# end device: ha-reader\$/p' '$tmp/mlab.acl' >'$tmp/consumer.acl' &&
	grep -qx 'topic read mlab/v1/#' '$tmp/consumer.acl' && grep -qx 'topic read homeassistant/#' '$tmp/consumer.acl' &&
	! grep -q -e '^topic write' -e '^topic readwrite' -e '^topic [^dr]' '$tmp/consumer.acl'"
# shellcheck disable=SC2086
check "cred: --consumer refuses --prefix" sh -c "! echo reader-pw-2 | '$cred' add ha-other --consumer --prefix x $T 2>/dev/null"
# adding again replaces the password and the ACL block, never duplicates it
# shellcheck disable=SC2086
echo "$plugpw" | "$cred" add plug-a --kind tasmota $T 2>/dev/null
check "cred: adding twice keeps one ACL block" test "$(grep -cx 'user plug-a' "$tmp/mlab.acl")" = 1

# --- the broker: a Debian-like main config including our fragment --------------
mkdir -p "$tmp/conf.d" "$tmp/data"
chmod 777 "$tmp/data"
chmod 644 "$tmp/mlab.passwd" "$tmp/mlab.acl"

start_broker() {
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		sed -e "s|^listener 1883\$|listener $port 127.0.0.1|" \
		    -e "s|/etc/mosquitto/mlab.passwd|$tmp/mlab.passwd|" \
		    -e "s|/etc/mosquitto/mlab.acl|$tmp/mlab.acl|" \
		    scripts/mosquitto/mlab.conf >"$tmp/conf.d/mlab.conf"
		cat >"$tmp/mosquitto.conf" <<-CONF
		# like Debian's /etc/mosquitto/mosquitto.conf
		persistence true
		persistence_location $tmp/data/
		log_dest file $tmp/broker.log
		log_type all
		include_dir $tmp/conf.d
		CONF
		"$broker" -c "$tmp/mosquitto.conf" >>"$tmp/broker.out" 2>&1 &
		bpid=$!
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$bpid" 2>/dev/null || break
			if mosquitto_pub -h 127.0.0.1 -p "$port" -u mlab-hub -P "$hubpw" -t mlab/v1/hub/probe -m x -q 1 2>/dev/null; then
				return 0
			fi
			sleep 0.2
		done
		kill "$bpid" 2>/dev/null || true
		wait "$bpid" 2>/dev/null || true
		bpid=
	done
	return 1
}
if start_broker; then
	ok "mosquitto accepts the fragment (listener on 127.0.0.1:$port)"
else
	nok "mosquitto accepts the fragment"
	sed 's/^/#   /' "$tmp/broker.out" "$tmp/broker.log" 2>/dev/null | tail -n 20
	finish
fi

P="-h 127.0.0.1 -p $port"
# shellcheck disable=SC2086
check "anonymous client refused" sh -c "! mosquitto_pub $P -t mlab/v1/anon/event -m x -q 1 2>/dev/null"
# shellcheck disable=SC2086
check "wrong password refused" sh -c "! mosquitto_pub $P -u scanner-1 -P wrong-pass -t mlab/v1/scanner-1/event -m x -q 1 2>/dev/null"

# the hub listens to everything while devices publish
# shellcheck disable=SC2086
mosquitto_sub $P -u mlab-hub -P "$hubpw" -t '#' -v -q 1 >"$tmp/hub.out" 2>"$tmp/hub.err" &
subpid=$!
# wait until the subscription is live: the hub's own probe comes back
n=0
while ! grep -q '^mlab/v1/hub/ready' "$tmp/hub.out" 2>/dev/null; do
	# shellcheck disable=SC2086
	mosquitto_pub $P -u mlab-hub -P "$hubpw" -t mlab/v1/hub/ready -m 1 -q 1 2>/dev/null || true
	n=$((n + 1))
	[ "$n" -lt 50 ] || break
	sleep 0.1
done
check "the hub's subscription to # is live" grep -q '^mlab/v1/hub/ready' "$tmp/hub.out"

# publishes are QoS 1: each mosquitto_pub returns after the broker handled it,
# so by the time the final marker arrives anything allowed before it arrived.
wait_line() { # wait_line REGEX FILE: up to 5 s for a line in FILE
	n=0
	while ! grep -q "$1" "$2" && [ "$n" -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
pub() { # pub USER PASS TOPIC PAYLOAD
	# shellcheck disable=SC2086
	mosquitto_pub $P -u "$1" -P "$2" -t "$3" -m "$4" -q 1
}
pub scanner-1 scanner-pw-1 mlab/v1/printer-2/event '{"seq":1,"type":"job.finished","forged":true}' || true
pub scanner-1 scanner-pw-1 mlab/v1/printer-2/status offline || true
pub scanner-1 scanner-pw-1 mlab/v1/scanner-1/event '{"seq":1,"type":"scan.started"}'
pub scanner-1 scanner-pw-1 cmnd/plug-a/POWER OFF || true
pub plug-a "$plugpw" tele/plug-a/SENSOR '{"ENERGY":{"Power":35.2}}'
pub plug-a "$plugpw" tele/plug-b/SENSOR '{"ENERGY":{"Power":1}}' || true
pub plug-a "$plugpw" mlab/v1/hub/status offline || true
pub mlab-hub "$hubpw" cmnd/plug-a/POWER ON
pub mlab-hub "$hubpw" mlab/v1/hub/done 1
wait_line '^mlab/v1/hub/done' "$tmp/hub.out"
sleep 0.5
check "scanner-1's event on its own topic reaches the hub" grep -q '^mlab/v1/scanner-1/event .*scan.started' "$tmp/hub.out"
check "scanner-1 cannot publish on printer-2's event topic" sh -c "! grep -q '^mlab/v1/printer-2/' '$tmp/hub.out'"
check "scanner-1 cannot command a plug" sh -c "! grep -qx 'cmnd/plug-a/POWER OFF' '$tmp/hub.out'"
check "tasmota plug-a's telemetry reaches the hub" grep -q '^tele/plug-a/SENSOR ' "$tmp/hub.out"
check "plug-a cannot publish as plug-b" sh -c "! grep -q '^tele/plug-b/' '$tmp/hub.out'"
check "plug-a cannot publish as the hub" sh -c "! grep -qx 'mlab/v1/hub/status offline' '$tmp/hub.out'"
check "the hub can command the plug" grep -qx 'cmnd/plug-a/POWER ON' "$tmp/hub.out"

# reading: a device gets its own commands, never another device's
# shellcheck disable=SC2086
mosquitto_sub $P -u scanner-1 -P scanner-pw-1 -t mlab/v1/scanner-1/cmd -t mlab/v1/printer-2/cmd -t '#' -v -q 1 >"$tmp/scan.out" 2>&1 &
spid=$!
sleep 0.5
pub mlab-hub "$hubpw" mlab/v1/printer-2/cmd '{"cmd":"stop"}'
pub mlab-hub "$hubpw" mlab/v1/scanner-1/cmd '{"cmd":"start"}'
pub mlab-hub "$hubpw" mlab/v1/scanner-1/ack '{"seq":1}'
sleep 0.5
kill "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
check "scanner-1 receives its own command and ack" sh -c "grep -q '^mlab/v1/scanner-1/cmd ' '$tmp/scan.out' && grep -q '^mlab/v1/scanner-1/ack ' '$tmp/scan.out'"
check "scanner-1 does not receive printer-2's command nor other traffic" sh -c "! grep -q -e '^mlab/v1/printer-2/' -e '^tele/' -e '^mlab/v1/hub/' '$tmp/scan.out'"

# a read-only consumer (Home Assistant, Node-RED) reads the hub's topics and
# its discovery, and nothing it publishes reaches anyone
# shellcheck disable=SC2086
mosquitto_sub $P -u ha-reader -P reader-pw-1 -t 'mlab/v1/#' -t 'homeassistant/#' -t '#' -v -q 1 >"$tmp/ha.out" 2>&1 &
hapid=$!
n=0
while ! grep -q '^mlab/v1/hub/ha-ready' "$tmp/ha.out" 2>/dev/null; do
	pub mlab-hub "$hubpw" mlab/v1/hub/ha-ready 1 2>/dev/null || true
	n=$((n + 1))
	[ "$n" -lt 50 ] || break
	sleep 0.1
done
check "consumer: its subscription is live (reads the hub's topics)" grep -q '^mlab/v1/hub/ha-ready' "$tmp/ha.out"
pub mlab-hub "$hubpw" homeassistant/status online
pub mlab-hub "$hubpw" cmnd/plug-a/POWER OFF
pub printer-2 printer-pw-2 mlab/v1/printer-2/event '{"seq":7,"type":"job.started"}'
pub ha-reader reader-pw-1 mlab/v1/ha-reader/event '{"seq":1,"type":"forged"}' || true
pub ha-reader reader-pw-1 mlab/v1/hub/status forged-by-consumer || true
pub ha-reader reader-pw-1 homeassistant/binary_sensor/x/config forged-by-consumer || true
pub ha-reader reader-pw-1 cmnd/plug-a/POWER forged-by-consumer || true
pub mlab-hub "$hubpw" mlab/v1/hub/ha-done 1
wait_line '^mlab/v1/hub/ha-done' "$tmp/ha.out"
sleep 0.3
kill "$hapid" 2>/dev/null || true
wait "$hapid" 2>/dev/null || true
check "consumer: reads homeassistant/# and devices' mlab/v1 events" sh -c "
	grep -qx 'homeassistant/status online' '$tmp/ha.out' && grep -q '^mlab/v1/printer-2/event .*job.started' '$tmp/ha.out'"
check "consumer: reads nothing outside mlab/v1/# and homeassistant/#" sh -c "! grep -q '^cmnd/' '$tmp/ha.out'"
check "consumer: its publishes are refused (none reaches the hub)" sh -c "
	! grep -q -e '^mlab/v1/ha-reader/' -e 'forged-by-consumer' '$tmp/hub.out' '$tmp/ha.out'"

# removing a device and reloading (SIGHUP, as systemctl reload mosquitto does)
# shellcheck disable=SC2086
check "cred: remove scanner-1" "$cred" remove scanner-1 $T
check "cred: scanner-1 is gone from both files" sh -c "! grep -q '^scanner-1:' '$tmp/mlab.passwd' && ! grep -q 'scanner-1' '$tmp/mlab.acl'"
kill -HUP "$bpid"
sleep 0.5
# shellcheck disable=SC2086
check "after reload, scanner-1 is refused" sh -c "! mosquitto_pub $P -u scanner-1 -P scanner-pw-1 -t mlab/v1/scanner-1/event -m x -q 1 2>/dev/null"
check "after reload, printer-2 still gets in" pub printer-2 printer-pw-2 mlab/v1/printer-2/status online

if [ "$fail" != 0 ]; then
	echo "# broker log (last lines):"
	tail -n 30 "$tmp/broker.log" | sed 's/^/#   /'
fi
finish
