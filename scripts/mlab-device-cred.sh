#!/bin/sh
# mlab-device-cred — give a lab device (or the hub) its own MQTT user name and
# password on the Mosquitto broker, and the ACL entry that lets it write only
# its own topics; remove it again; list who is known.  Installed as
# $(PREFIX)/sbin/mlab-device-cred.
#
# Usage:
#   mlab-device-cred add DEVICE [--kind KIND] [--prefix TOPIC]
#                               [--password-file FILE | --generate]
#   mlab-device-cred add NAME --consumer [--password-file FILE | --generate]
#   mlab-device-cred remove DEVICE
#   mlab-device-cred list
#   mlab-device-cred --version
# Options for every command:
#   --passwd FILE   password file  (default /etc/mosquitto/mlab.passwd)
#   --acl FILE      ACL file       (default /etc/mosquitto/mlab.acl)
#   --no-reload     do not reload the broker (implied by --passwd/--acl)
#
# KIND is what the device runs, and decides its topics (DEVICE is the user
# name and the device's id or topic in its firmware):
#   native     built for the hub: mlab/v1/DEVICE/#              (default)
#   tasmota    Tasmota, Topic = DEVICE: tele/DEVICE/#, stat/DEVICE/#, reads cmnd/DEVICE/#
#   shelly     Shelly Gen1 (shellies/DEVICE/#) or Gen2+ (topic prefix DEVICE/#)
#   esphome    ESPHome, topic_prefix = DEVICE, with Home Assistant discovery
#   z2m        a Zigbee2MQTT bridge (speaks for all its Zigbee devices): zigbee2mqtt/#
#   homie      Homie device id DEVICE: homie/DEVICE/#
#   octoprint  OctoPrint's MQTT plugin with base topic DEVICE (or --prefix)
#   moonraker  Moonraker [mqtt] instance_name = DEVICE
#   hub        the hub itself (its ACL block is fixed in the template)
#   consumer   not a device: a read-only client of the hub's topics (Home
#              Assistant, Node-RED): reads mlab/v1/# and homeassistant/#,
#              writes nothing (--consumer is short for --kind consumer)
# --prefix replaces DEVICE as the base topic where the firmware lets you choose
# one (z2m, octoprint, esphome, shelly Gen2, moonraker).
#
# The password is read from --password-file (first line), or from standard
# input (first line; typed twice, unechoed, on a terminal); --generate makes a
# random one and prints it.  Adding an existing device changes its password
# and rewrites its ACL block.  Needs root for the real files.
set -eu

prog=mlab-device-cred
# make install writes debian/changelog's version here
version=source
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^# Needs root/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

passwd=/etc/mosquitto/mlab.passwd
acl=/etc/mosquitto/mlab.acl
reload=1
testmode=
kind=native
prefix=
pwfile=
generate=
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
-V | --version) echo "$prog $version"; exit 0 ;;
esac
dev=
while [ $# -gt 0 ]; do
	case "$1" in
	--kind) [ $# -ge 2 ] || usage; kind=$2; shift 2 ;;
	--kind=*) kind=${1#*=}; shift ;;
	--prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
	--prefix=*) prefix=${1#*=}; shift ;;
	--password-file) [ $# -ge 2 ] || usage; pwfile=$2; shift 2 ;;
	--password-file=*) pwfile=${1#*=}; shift ;;
	--generate) generate=1; shift ;;
	--consumer) kind=consumer; shift ;;
	--passwd) [ $# -ge 2 ] || usage; passwd=$2; reload=''; testmode=1; shift 2 ;;
	--passwd=*) passwd=${1#*=}; reload=''; testmode=1; shift ;;
	--acl) [ $# -ge 2 ] || usage; acl=$2; reload=''; testmode=1; shift 2 ;;
	--acl=*) acl=${1#*=}; reload=''; testmode=1; shift ;;
	--no-reload) reload=; shift ;;
	-h | --help) usage ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) [ -z "$dev" ] || die "one device at a time ('$dev' and '$1')"; dev=$1; shift ;;
	esac
done

command -v mosquitto_passwd >/dev/null || die "mosquitto_passwd not found (apt-get install mosquitto)"

# check_name NAME WHAT: a user name / topic level that is safe in an ACL
# pattern: no MQTT wildcards, no "/", no spaces, no "%".
check_name() {
	case "$1" in
	'' | *[!A-Za-z0-9._-]* | .* | -*)
		die "$2 '$1' is not allowed: use letters, digits, '.', '_' and '-' (not first)" ;;
	esac
	[ ${#1} -le 64 ] || die "$2 '$1' is longer than 64 characters"
}

# check_prefix TOPIC: a base topic (may contain "/", never wildcards).
check_prefix() {
	case "$1" in
	'' | */ | /* | *//* | *[!A-Za-z0-9._/-]*)
		die "--prefix '$1' is not a plain topic (letters, digits, '.', '_', '-', '/')" ;;
	esac
}

# reload_broker: make a running Mosquitto re-read its password and ACL files.
reload_broker() {
	[ -n "$reload" ] || return 0
	if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
		systemctl reload mosquitto || die "systemctl reload mosquitto failed"
	elif [ -s /run/mosquitto/mosquitto.pid ]; then
		kill -HUP "$(cat /run/mosquitto/mosquitto.pid)" || die "could not signal mosquitto"
	else
		echo "$prog: mosquitto is not running; it reads the new files when it starts" >&2
	fi
}

# acl_block DEVICE KIND BASE: the ACL lines for one device.
acl_block() {
	d=$1 k=$2 b=$3
	echo "# device: $d kind=$k"
	echo "user $d"
	case "$k" in
	native) echo "# hub-native: the patterns at the top of the file cover it" ;;
	tasmota)
		echo "topic write tele/$b/#"
		echo "topic write stat/$b/#"
		echo "topic read cmnd/$b/#"
		echo "topic read cmnd/tasmotas/#" ;;
	shelly)
		echo "topic write shellies/$b/#"
		echo "topic read shellies/$b/+/+/command"
		echo "topic read shellies/command"
		echo "topic write $b/#"
		echo "topic read $b/rpc"
		echo "topic read $b/command" ;;
	esphome)
		echo "topic write $b/#"
		echo "topic read $b/+/+/command"
		echo "topic write homeassistant/+/$b/#"
		echo "topic read homeassistant/status" ;;
	z2m)
		echo "topic readwrite $b/#"
		echo "topic write homeassistant/#"
		echo "topic read homeassistant/status" ;;
	homie)
		echo "topic write homie/$b/#"
		echo "topic read homie/$b/+/+/set" ;;
	octoprint)
		echo "topic write $b/#" ;;
	moonraker)
		echo "topic write $b/#"
		echo "topic read $b/moonraker/api/request" ;;
	consumer)
		# the deny line comes first in Mosquitto's checks and voids the
		# template's "pattern write mlab/v1/%u/#" for this user
		echo "topic deny mlab/v1/$d/#"
		echo "topic read mlab/v1/#"
		echo "topic read homeassistant/#" ;;
	esac
	echo "# end device: $d"
}

# acl_drop DEVICE: the ACL without DEVICE's block, on stdout.
acl_drop() {
	awk -v d="$1" '
		$0 == "# device: " d || index($0, "# device: " d " ") == 1 { skip = 1; next }
		skip && $0 == "# end device: " d { skip = 0; next }
		!skip { print }' "$acl"
}

# replace FILE: stdin becomes FILE, atomically, keeping its mode and owner.
replace() {
	tmp=$1.tmp.$$
	cat >"$tmp"
	chmod --reference="$1" "$tmp" 2>/dev/null || true
	chown --reference="$1" "$tmp" 2>/dev/null || true
	mv -f "$tmp" "$1"
}

# read_password: the new password into $pw.
read_password() {
	if [ -n "$generate" ]; then
		pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
	elif [ -n "$pwfile" ]; then
		[ -r "$pwfile" ] || die "cannot read password file '$pwfile'"
		pw=$(head -n 1 "$pwfile")
	elif [ -t 0 ]; then
		printf 'Password for %s: ' "$dev" >&2
		stty -echo; IFS= read -r pw || true; stty echo; echo >&2
		printf 'Again: ' >&2
		stty -echo; IFS= read -r pw2 || true; stty echo; echo >&2
		[ "$pw" = "$pw2" ] || die "the two passwords differ"
	else
		IFS= read -r pw || true
	fi
	[ ${#pw} -ge 8 ] || die "password too short (8 characters at least)"
	case "$pw" in *[[:cntrl:]]*) die "password contains control characters" ;; esac
}

# ensure_files: the password and ACL files exist, owned for the broker.
ensure_files() {
	for f in "$passwd" "$acl"; do
		[ -d "$(dirname "$f")" ] || die "directory of '$f' does not exist"
	done
	if [ ! -e "$acl" ]; then
		die "ACL file '$acl' does not exist (install scripts/mosquitto/mlab.acl there first)"
	fi
	if [ ! -e "$passwd" ]; then
		(umask 077; : >"$passwd")
		# the broker re-reads it as user mosquitto on reload
		if [ -z "$testmode" ] && id mosquitto >/dev/null 2>&1; then
			chown mosquitto:mosquitto "$passwd"
		fi
	fi
}

case "$cmd" in
add)
	[ -n "$dev" ] || usage
	check_name "$dev" "device name"
	case "$kind" in
	native|tasmota|shelly|esphome|z2m|homie|octoprint|moonraker|hub|consumer) ;;
	*) die "unknown --kind '$kind' (native, tasmota, shelly, esphome, z2m, homie, octoprint, moonraker, hub, consumer)" ;;
	esac
	if [ "$kind" = hub ]; then
		[ "$dev" = mlab-hub ] || die "--kind hub is for the user 'mlab-hub' only"
	else
		case "$dev" in hub | mlab-hub) die "'$dev' is reserved for the hub" ;; esac
	fi
	[ "$kind" != consumer ] || [ -z "$prefix" ] || die "--prefix means nothing for a consumer"
	base=$dev
	if [ -n "$prefix" ]; then
		check_prefix "$prefix"
		base=$prefix
	elif [ "$kind" = z2m ]; then
		base=zigbee2mqtt
	fi
	ensure_files
	read_password
	printf '%s\n%s\n' "$pw" "$pw" | mosquitto_passwd "$passwd" "$dev" >/dev/null ||
		die "mosquitto_passwd failed for '$dev' in '$passwd'"
	# the hub's rights are the template's fixed block: no device block for it
	[ "$kind" = hub ] || { acl_drop "$dev"; acl_block "$dev" "$kind" "$base"; } | replace "$acl"
	[ -z "$generate" ] || echo "$pw"
	echo "$prog: $dev ($kind) added" >&2
	reload_broker
	;;
remove)
	[ -n "$dev" ] || usage
	check_name "$dev" "device name"
	case "$dev" in
	hub | mlab-hub) die "'$dev' is the hub's own login: removing it disconnects the hub (scripts/uninstall-pi.sh --purge removes it)" ;;
	esac
	[ -e "$acl" ] || die "ACL file '$acl' does not exist"
	found=
	if [ -e "$passwd" ] && cut -d: -f1 "$passwd" | grep -qxF "$dev"; then
		mosquitto_passwd -D "$passwd" "$dev" || die "mosquitto_passwd -D failed for '$dev'"
		found=1
	fi
	if grep -qxF "user $dev" "$acl"; then
		acl_drop "$dev" | replace "$acl"
		found=1
	fi
	[ -n "$found" ] || die "no device '$dev' in $passwd or $acl"
	echo "$prog: $dev removed" >&2
	reload_broker
	;;
list)
	[ -e "$passwd" ] || exit 0
	cut -d: -f1 "$passwd" | while IFS= read -r u; do
		k=$(sed -n "s/^# device: $u kind=//p" "$acl" 2>/dev/null | head -n 1)
		[ -n "$k" ] || { [ "$u" = mlab-hub ] && k=hub || k="?"; }
		printf '%s\t%s\n' "$u" "$k"
	done
	;;
*) usage ;;
esac
